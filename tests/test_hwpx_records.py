"""HWPX documents give the same records as their text: both seeds' tables written as HWPX
(official layout, merged cells), parsed, and compared with the text seeds' records; the
same through `load`/`build` from a year folder; .hwp and scanned PDFs answered in Korean."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hwpx_fixtures import evaluation_blocks, plan_blocks, reader_blocks, write_hwpx  # noqa: E402

from xlgen.cli import cli  # noqa: E402
from xlgen.errors import InputError  # noqa: E402
from xlgen.findings import Kind  # noqa: E402
from xlgen.model import Evaluation, Plan  # noqa: E402
from xlgen.parse import parse_file  # noqa: E402
from xlgen.seeds import load_corrections  # noqa: E402
from xlgen.sources.records import document_from_blocks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EVAL_SEED = ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt"
PLAN_SEED = ROOT / "seeds" / "plan-seogu" / "000_927cff7e11b514e0.txt"
# Findings that exist only because text lost the table's cells (or the plan's text slips
# that the corrections file repairs): an HWPX document has nothing of the kind to report.
TEXT_ONLY = ("확인 필요", "부서 제목 없이", "이름 통일", "칸 밀림", "정책사업목표 분리")


def _text(path: Path):
    return parse_file(path, corrections=load_corrections(path))[0]


def evaluation_records(ev: Evaluation) -> dict:
    return {
        "title": ev.title,
        "year": ev.year,
        "threshold": ev.threshold,
        "summary": [(r.bureau, r.projects, r.normal, r.weak) for r in ev.summary],
        "total": None
        if ev.summary_total is None
        else (ev.summary_total.projects, ev.summary_total.normal, ev.summary_total.weak),
        "ratio": ev.summary_ratio,
        "narrative": [
            (s.heading, [(f.title, [(h.text, h.details) for h in f.highlights]) for f in s.fields])
            for s in ev.narrative
        ],
        # repr keeps 100 and 100.0 apart
        "rows": [
            repr((b.name, d.name, p.name, i.name, i.unit, i.target, i.actual, i.stated_rate))
            for b, d, p, i in ev.indicator_rows()
        ],
    }


def plan_records(plan: Plan) -> dict:
    def office(o):
        return repr(
            (o.office, o.strategic_goals, o.policy_goals, o.indicators, o.unit_projects)
            + (o.budget, o.prev_budget, o.change)
        )

    return {
        "title": plan.title,
        "unit": plan.unit,
        "offices": [office(o) for o in plan.offices],
        "total": office(plan.total) if plan.total else None,
        "goals": [
            repr(
                (
                    g.office,
                    g.name,
                    g.budget,
                    g.share,
                    [(p.name, p.indicators) for p in g.policy_goals],
                )
            )
            for g in plan.goals
        ],
    }


# How text-extracted Ⅲ tables are assigned to departments: an HWPX table carries its own.
TEXT_ONLY_KINDS = {
    Kind.TABLE_CORRECTION,
    Kind.TABLE_CORRECTION_UNUSED,
    Kind.TABLE_READINGS_AMBIGUOUS,
}


def _findings(doc, *, drop_corrections: bool = False) -> list[str]:
    skip = TEXT_ONLY + (("보정 적용",) if drop_corrections else ())
    return sorted(
        w.message
        for w in doc.warnings
        if not w.message.startswith(skip) and w.kind not in TEXT_ONLY_KINDS
    )


@pytest.fixture(scope="module")
def eval_text() -> Evaluation:
    return _text(EVAL_SEED)


@pytest.fixture(scope="module")
def plan_text() -> Plan:
    return _text(PLAN_SEED)


@pytest.fixture(scope="module")
def eval_hwpx(tmp_path_factory, eval_text) -> Path:
    folder = tmp_path_factory.mktemp("eval") / "2019"
    folder.mkdir()
    for name in ("corrections.toml", "manifest.toml"):
        shutil.copy(EVAL_SEED.parent / name, folder / name)
    return write_hwpx(folder / "평가.hwpx", evaluation_blocks(eval_text))


@pytest.fixture(scope="module")
def plan_hwpx(tmp_path_factory, plan_text) -> Path:
    folder = tmp_path_factory.mktemp("plan") / "plan"
    folder.mkdir()
    for name in ("corrections.toml", "manifest.toml"):
        shutil.copy(PLAN_SEED.parent / name, folder / name)
    return write_hwpx(folder / "계획.hwpx", plan_blocks(plan_text))


def test_evaluation_hwpx_same_records(eval_hwpx: Path, eval_text: Evaluation) -> None:
    doc = _text(eval_hwpx)
    assert isinstance(doc, Evaluation)
    assert evaluation_records(doc) == evaluation_records(eval_text)
    assert len(doc.indicator_rows()) == 244 and len(doc.departments()) == 37
    # the same findings: printed-rate disagreements, the Ⅰ 비율 row, the corrections applied
    assert _findings(doc) == _findings(eval_text)
    assert sum(w.message.startswith("달성률 불일치") for w in doc.warnings) == 13
    assert not [w for w in doc.warnings if w.message.startswith(TEXT_ONLY)]
    # every indicator points at its row of the rendering, which holds its name
    _, rendering = parse_file(eval_hwpx, corrections=load_corrections(eval_hwpx))
    lines = rendering.text.split("\n")
    for _, _, _, ind in doc.indicator_rows():
        assert ind.name.split(" ")[0] in lines[ind.line - 1]


def test_plan_hwpx_same_records(plan_hwpx: Path, plan_text: Plan) -> None:
    doc = _text(plan_hwpx)
    assert isinstance(doc, Plan)
    assert plan_records(doc) == plan_records(plan_text)
    assert len(doc.indicator_rows()) == 160
    # the 계 and 비교증감 findings stay; the text's slips (and their corrections) are gone
    assert _findings(doc, drop_corrections=True) == _findings(plan_text, drop_corrections=True)
    assert any("계 합계 불일치" in w.message for w in doc.warnings)
    assert any("비교증감 불일치" in w.message for w in doc.warnings)


def test_kind_comes_from_the_content(tmp_path: Path, eval_hwpx: Path) -> None:
    renamed = tmp_path / "성과계획서.hwpx"  # a misleading name
    shutil.copy(eval_hwpx, renamed)
    assert isinstance(parse_file(renamed)[0], Evaluation)


def test_wrapped_names_and_page_breaks_in_hwpx(tmp_path: Path, plan_text: Plan) -> None:
    """Names broken into paragraphs and the 나 table cut by pages, written as HWPX."""
    breaks = frozenset(range(7, 160, 23))
    path = write_hwpx(tmp_path / "p.hwpx", plan_blocks(plan_text, wrap=3, breaks=breaks))
    doc = parse_file(path)[0]
    assert plan_records(doc) == plan_records(plan_text)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_property_breaks_and_wraps(data, eval_text: Evaluation, plan_text: Plan) -> None:
    """Random page breaks (a table cut and its header and names repeated) and random author
    line breaks give back the same records, for both kinds."""
    wrap = data.draw(st.integers(0, 4), label="wrap")
    depts = eval_text.departments()
    breaks = {
        i: set(data.draw(st.lists(st.integers(1, 12), max_size=2), label=f"breaks {d.name}"))
        for i, d in enumerate(depts)
        if data.draw(st.booleans())
    }
    blocks = reader_blocks(evaluation_blocks(eval_text, wrap=wrap, breaks=breaks))
    corrections = load_corrections(EVAL_SEED)
    ev, _ = document_from_blocks(blocks, corrections=corrections, source="t.hwpx")
    assert evaluation_records(ev) == evaluation_records(eval_text)
    assert _findings(ev) == _findings(eval_text)
    plan_breaks = frozenset(data.draw(st.lists(st.integers(1, 159), max_size=8), label="plan"))
    blocks = reader_blocks(plan_blocks(plan_text, wrap=wrap, breaks=plan_breaks))
    plan, _ = document_from_blocks(blocks, corrections=None, source="t.hwpx")
    assert plan_records(plan) == plan_records(plan_text)
    assert _findings(plan, drop_corrections=True) == _findings(plan_text, drop_corrections=True)


def test_load_and_build_from_a_hwpx_year_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eval_hwpx: Path, plan_hwpx: Path
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(eval_hwpx.parent, seeds / "2019")
    shutil.copytree(plan_hwpx.parent, seeds / "plan-seogu")
    monkeypatch.setenv("XLGEN_DB", str(tmp_path / "store.sqlite"))
    runner = CliRunner()
    for key in ("2019", "plan-seogu"):
        result = runner.invoke(
            cli, ["build", key, "--seeds", str(seeds), "--out", str(tmp_path / "out")]
        )
        assert result.exit_code == 0, result.output
    books = sorted(p.name for p in (tmp_path / "out").rglob("*.xlsx"))
    assert len(books) == 2, books


def test_hwp5_is_refused_with_the_way_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "평가.hwp"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(InputError) as info:
        parse_file(path)
    message = str(info.value)
    assert (
        "한글에서 '다른 이름으로 저장 → HWPX 문서(*.hwpx)'로 저장한 뒤 다시 시도하세요" in message
    )
    assert "PDF" in message and message.startswith("평가.hwp:")
    monkeypatch.setenv("XLGEN_DB", str(tmp_path / "store.sqlite"))
    result = CliRunner().invoke(cli, ["parse", str(path)])
    assert result.exit_code == 1 and "HWPX" in result.output


def _blank_pdf(path: Path) -> Path:
    """A one-page PDF with no text layer (as a scan without OCR has none)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def test_scanned_pdf_is_refused_as_an_image(tmp_path: Path) -> None:
    pytest.importorskip("pdfplumber")
    with pytest.raises(InputError) as info:
        parse_file(_blank_pdf(tmp_path / "스캔.pdf"))
    assert "이미지" in str(info.value) and "OCR" in str(info.value)


def test_pdf_without_pdfplumber_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pdfplumber", None)  # import fails as if not installed
    with pytest.raises(InputError) as info:
        parse_file(_blank_pdf(tmp_path / "문서.pdf"))
    assert 'pip install "xlgen[pdf]"' in str(info.value)


def _small_evaluation(rows: list[list[str]], *, heading: bool = True):
    from hwpx_fixtures import Grid, Para

    from xlgen.findings import Kind

    blocks = [Para("2019년 성과관리 주요사업 평가 현황"), Para("Ⅲ. 2019년 부서별 추진 현황")]
    if heading:
        blocks.append(Para("▢ 총무과"))
    header = ["주요사업명", "성과지표", "단위", "목표", "실적", "달성률(%)"]
    blocks.append(Grid([header, *rows], [(1, 0, len(rows), 0)] if len(rows) > 1 else []))
    doc, _ = document_from_blocks(reader_blocks(blocks), corrections=None, source="t.hwpx")
    return doc, Kind


def test_a_cell_that_is_not_a_number_is_a_finding() -> None:
    doc, Kind = _small_evaluation(
        [
            ["청사 관리", "시설 점검", "회", "12", "미집계", "-"],
            ["", "민원 만족도", "점", "80", "85", "106"],
        ]
    )
    [dept] = doc.departments()
    [project] = dept.projects  # the merged 주요사업명 covers both rows
    assert [(i.name, i.actual) for i in project.indicators] == [
        ("시설 점검", None),
        ("민원 만족도", 85),
    ]
    [bad] = [w for w in doc.warnings if w.kind == Kind.CELL_UNREADABLE]
    assert bad.line is not None and "미집계" in bad.message and "실적" in bad.message


def test_a_table_without_a_department_heading_is_refused() -> None:
    from xlgen.errors import ParseError

    with pytest.raises(ParseError, match="부서 표시"):
        _small_evaluation([["청사 관리", "시설 점검", "회", "12", "12", "100"]], heading=False)
