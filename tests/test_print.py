"""`xlgen pdf KEY`: the printed PDF checked on its own text (poppler's pdftotext) and pages,
and the print marks of the workbook (no LibreOffice needed for those)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xlgen.cli import cli
from xlgen.layouts import eval_departments as dep
from xlgen.layouts import plan_goals
from xlgen.seeds import parse_seed
from xlgen.store import Store
from xlgen.templates import load_template

from support import libreoffice as lo

needs_lo = pytest.mark.skipif(
    lo.find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice(soffice)와 poppler가 있어야 PDF를 시험합니다 (setup.sh로 설치).",
)
EVAL = load_template("evaluation")
PLAN = load_template("plan")


def _pages(pdf: Path) -> list[str]:
    """The text of every page, in order (pdftotext separates pages with a form feed)."""
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    pages = done.stdout.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # the text ends with a form feed
    assert len(pages) == len(lo.pdf_pages(pdf))
    return pages


def _page_number(text: str) -> int | None:
    found = re.findall(r"^\s*-\s*(\d+)\s*-\s*$", text, flags=re.M)
    return int(found[-1]) if found else None


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Path]:
    """`xlgen pdf` run once per document (and once with --all), through the CLI."""
    if lo.find_soffice() is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice와 poppler가 없습니다.")
    tmp = tmp_path_factory.mktemp("print")
    runner = CliRunner()
    out: dict[str, Path] = {}
    for name, args in (
        ("2019", ["2019"]),
        ("plan", ["plan-seogu"]),
        ("2019-all", ["2019", "--all"]),
        ("plan-all", ["plan-seogu", "--all"]),
    ):
        folder = tmp / name
        result = runner.invoke(
            cli, ["pdf", *args, "--out", str(folder), "--db", str(tmp / "store.sqlite")]
        )
        assert result.exit_code == 0, result.output
        path = Path(result.stdout.strip().splitlines()[-1])
        assert path.parent == folder / args[0] and path.suffix == ".pdf"
        out[name] = path
    return out


@needs_lo
@pytest.mark.libreoffice
def test_pdf_names_and_only_official_sheets(printed) -> None:
    assert printed["2019"].name == "2019년 성과관리 주요사업 평가 현황.pdf"
    assert printed["plan"].name == "성과계획 총괄표 (서구).pdf"
    text = "\n".join(_pages(printed["2019"]))
    for title in ("Ⅰ. 국별 사업추진 현황", "Ⅱ. 2019년 국별 주요사업 추진 성과", "Ⅲ. 2019년"):
        assert title in text
    for absent in (EVAL["findings"]["title"], EVAL["settings"]["threshold_label"], "xlgen 버전"):
        assert absent not in text
    assert EVAL["chart"]["headers"][3] not in text  # the chart sheet
    plan = "\n".join(_pages(printed["plan"]))
    assert PLAN["overview"]["title"] in plan and PLAN["goals"]["title"] in plan
    assert PLAN["findings"]["title"] not in plan
    every = "\n".join(_pages(printed["2019-all"]))
    assert EVAL["findings"]["title"] in every and EVAL["chart"]["headers"][3] in every
    assert EVAL["settings"]["threshold_label"] not in every
    assert PLAN["findings"]["title"] in "\n".join(_pages(printed["plan-all"]))


@needs_lo
@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["2019", "plan", "2019-all", "plan-all"])
def test_no_blank_page_and_pages_numbered_on(printed, which) -> None:
    pages = _pages(printed[which])
    for n, text in enumerate(pages, 1):
        body = [line for line in text.splitlines() if line.strip()]
        assert len(body) > 3, f"page {n} is (nearly) blank"
        assert _page_number(text) == n, f"page {n}"


@needs_lo
@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["2019", "2019-all"])
def test_no_record_key_or_hidden_column_in_the_text(printed, which) -> None:
    text = "\n".join(_pages(printed[which]))
    assert not re.search(r"\bI\d{4}\b", text)
    for header in dep.HIDDEN_HEADERS[:1] + ["사업첫행", "사업달성률"]:
        assert header not in text


@needs_lo
@pytest.mark.libreoffice
def test_every_goals_page_names_its_office(printed) -> None:
    doc = parse_seed("plan-seogu").document
    offices = {g.office for g in doc.goals}
    goals_pages = [t for t in _pages(printed["plan"]) if "전략목표명" in t]
    assert len(goals_pages) >= 6
    for n, text in enumerate(goals_pages, 1):
        named = set(re.findall(r"\(([^()\s]+)\)", text)) & offices
        assert named, f"나 page {n} names no 실국"
        # "(복지환경국)" is never cut after its "(".
        assert not re.search(r"\($", text, flags=re.M)


@needs_lo
@pytest.mark.libreoffice
def test_integrity_page_shows_printed_150_beside_computed_142(printed) -> None:
    pages = [t for t in _pages(printed["2019"]) if "청렴도 향상 시책 추진" in t and "Ⅲ." in t]
    assert len(pages) == 1
    page = pages[0]
    assert re.search(r"청렴도 향상 시책 추진\s+회\s+26\s+37\s+142※", page)
    assert "※ 청렴도 향상 시책 추진: 문서 인쇄값 150 (실적 37 ÷ 목표 26 = 142)" in page
    # every printed rate that differs is marked and footnoted on its page
    pages = _pages(printed["2019"])
    assert sum(t.count("문서 인쇄값") for t in pages if "Ⅲ." in t) == 13
    for t in pages:
        assert t.count("문서 인쇄값") == len(re.findall(r"\d※", t)), t[:80]


@needs_lo
@pytest.mark.libreoffice
def test_plan_overview_marks_and_footnotes(printed) -> None:
    first = _pages(printed["plan"])[0]
    assert re.search(r"동\s*주\s*민\s*센\s*터.*2,431\s+2,230\s+201※", first)
    assert (
        "※ 동주민센터 비교증감: 문서 인쇄값 200 (예산액 2,431 − 전년도예산액 2,230 = 201)" in first
    )
    assert "※ 계 전년도예산액: 문서 인쇄값 342,340 (전년도예산액 실국 행의 합 = 342,339)" in first
    summary = _pages(printed["2019"])[0]
    assert "※ 비율(%) 정상추진: 문서 인쇄값 99 (정상추진 151 ÷ 계 154 = 98)" in summary
    assert re.search(r"98※\s+2※", summary)


@needs_lo
@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["2019", "plan"])
def test_pages_are_a4_landscape(printed, which) -> None:
    sizes = lo.pdf_pages(printed[which])
    assert sizes and all(round(w) == 842 and round(h) == 595 for w, h in sizes)


def test_without_libreoffice_a_korean_hint_and_nothing_written(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XLGEN_SOFFICE", "")
    db = tmp_path / "store.sqlite"
    result = CliRunner().invoke(
        cli, ["pdf", "2019", "--out", str(tmp_path / "out"), "--db", str(db)]
    )
    assert result.exit_code == 1
    assert result.output.startswith("오류: PDF를 만들려면 LibreOffice가 필요합니다")
    assert "sudo apt-get install libreoffice-calc-nogui" in result.output
    assert "https://www.libreoffice.org/download/" in result.output
    assert not (tmp_path / "out").exists() and not db.exists()


# --------------------------------------------------------------------------- the workbook


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    from xlgen.build import build

    tmp = tmp_path_factory.mktemp("marks")
    with Store.open(tmp / "store.sqlite") as store:
        return {
            key: build(key, store=store, out_dir=tmp / "out").path for key in ("2019", "plan-seogu")
        }


def test_marked_rates_stay_live_formulas_with_their_values(workbooks) -> None:
    f = openpyxl.load_workbook(workbooks["2019"])[EVAL["departments"]["sheet"]]
    v = openpyxl.load_workbook(workbooks["2019"], data_only=True)[EVAL["departments"]["sheet"]]
    marked = []
    for r in range(dep.FIRST_DATA_ROW + 1, f.max_row + 1):
        c = f.cell(r, dep.RATE + 1)
        if c.number_format.endswith('"※"'):
            assert c.value.startswith("=IF(")
            assert c.comment is not None and "문서 인쇄값" in c.comment.text
            marked.append((f.cell(r, dep.INDICATOR + 1).value, v.cell(r, dep.RATE + 1).value))
    assert len(marked) == 13
    assert ("청렴도 향상 시책 추진", 142) in marked
    # footnotes sit in the blank row after their block, starting with the mark
    notes = [f.cell(r, 1).value for r in range(1, f.max_row + 1)]
    notes = [n for n in notes if isinstance(n, str) and n.startswith("※ ")]
    assert sum(n.count("문서 인쇄값") for n in notes) == 13


def test_marks_switch_off_in_the_template(tmp_path) -> None:
    from xlgen.build import build

    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", templates)
    style = templates / "style.toml"
    style.write_text(
        style.read_text(encoding="utf-8").replace("show = true", "show = false"), encoding="utf-8"
    )
    with Store.open(tmp_path / "store.sqlite") as store:
        path = build(
            "plan-seogu", store=store, out_dir=tmp_path / "out", templates_dir=templates
        ).path
    ws = openpyxl.load_workbook(path)[PLAN["overview"]["sheet"]]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not any("※" in (c.number_format or "") for c in cells)
    assert not any(isinstance(c.value, str) and c.value.startswith("※") for c in cells)
    assert any(c.comment is not None for c in cells)  # the comments stay


def test_goals_repeats_are_text_so_sums_count_each_goal_once(workbooks) -> None:
    doc = parse_seed("plan-seogu").document
    ws = openpyxl.load_workbook(workbooks["plan-seogu"])[PLAN["goals"]["sheet"]]
    wv = openpyxl.load_workbook(workbooks["plan-seogu"], data_only=True)[PLAN["goals"]["sheet"]]
    placement = plan_goals.place(doc, PLAN, plan_goals.print_scale(PLAN))
    repeated = 0
    for start, end, goal in placement.goal_spans:
        for first, _ in plan_goals.page_pieces(start, end, placement.page_breaks)[1:]:
            d = ws.cell(first + 1, plan_goals.BUDGET + 1)
            assert d.value == f'=IF(D{start + 1}="","",TEXT(D{start + 1},"#,##0"))'
            assert wv.cell(first + 1, plan_goals.BUDGET + 1).value == f"{goal.budget:,}"
            repeated += 1
    assert repeated >= 3
    total_row = placement.total_row + 1
    assert wv.cell(total_row, plan_goals.BUDGET + 1).value == sum(g.budget for g in doc.goals)


def test_weak_rows_keep_input_cells_an_input(workbooks) -> None:
    ws = openpyxl.load_workbook(workbooks["2019"])[EVAL["departments"]["sheet"]]
    rules = [(str(rng.sqref), rule) for rng in ws.conditional_formatting for rule in rng.rules]
    weak = [(ref, rule) for ref, rule in rules if "THRESHOLD" in rule.formula[0]]
    by_ref = {ref: rule for ref, rule in weak}
    actual = next(rule for ref, rule in by_ref.items() if ref.startswith("E"))
    note = next(rule for ref, rule in by_ref.items() if ref.startswith("I"))
    row = next(rule for ref, rule in by_ref.items() if ref.startswith("A"))
    assert actual.priority < row.priority and note.priority < row.priority
    fill = actual.dxf.fill.bgColor.rgb
    assert fill.endswith(EVAL["colors"]["weak_input_fill"].lstrip("#").upper())
    assert not fill.endswith(EVAL["colors"]["weak_fill"].lstrip("#").upper())


@pytest.mark.parametrize("key", ["2019", "plan-seogu"])
def test_a_hidden_sheet_of_the_print_copy_defines_no_print_area_or_titles(tmp_path, key):
    """xlgen.workbook._hide_unprinted clears xlsxwriter's print-area and print-title
    attributes of a hidden sheet (xlsxwriter has no call to unset them, and LibreOffice
    prints a hidden sheet that has a print area). If xlsxwriter renames or stops reading
    those attributes, the hidden sheets' _xlnm names come back and this fails."""
    import zipfile

    from xlgen import kinds
    from xlgen.printing import printed_sections
    from xlgen.workbook import build_document

    parsed = parse_seed(key, Path(__file__).resolve().parent.parent / "seeds")
    doc = parsed.document
    template = load_template(kinds.of(doc).template)
    common = dict(key=key, revision=1, threshold=None, source="t.txt")
    whole = build_document(doc, tmp_path / "whole", template, **common)
    copy = build_document(
        doc,
        tmp_path / "copy",
        template,
        printed=frozenset(printed_sections(doc.kind)),
        **common,
    )

    def print_names(path: Path) -> dict[str, set[str]]:
        """sheet → the _xlnm print names workbook.xml defines for it."""
        xml = zipfile.ZipFile(path).read("xl/workbook.xml").decode("utf-8")
        names: dict[str, set[str]] = {}
        for name, value in re.findall(
            r'<definedName name="_xlnm\.(Print_Area|Print_Titles)"[^>]*>([^<]*)<', xml
        ):
            sheet = value.split("!")[0].strip("'").replace("''", "'")
            names.setdefault(sheet, set()).add(name)
        return names

    hidden = {
        s.title
        for s in openpyxl.load_workbook(copy, read_only=True).worksheets
        if s.sheet_state != "visible"
    }
    assert hidden  # the settings sheet at least, and 검토사항
    before, after = print_names(whole), print_names(copy)
    # the built workbook gives those sheets print names, the print copy does not
    assert hidden & set(before)
    assert not hidden & set(after)
    assert {s: n for s, n in before.items() if s not in hidden} == after
