"""PDFs the reader has not seen: the documents laid out on a ruled sheet of our own
(tests/pdf_fixtures.py) and printed by LibreOffice where it breaks the pages, so that
merged cells (a 주요사업명, a 전략목표 with its 예산액 and 비중) are cut by page breaks;
portrait and landscape, with and without a repeated header row. The same records as the
text seeds."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hwpx_fixtures import evaluation_blocks, plan_blocks  # noqa: E402
from pdf_fixtures import write_xlsx  # noqa: E402
from test_hwpx_records import (  # noqa: E402
    EVAL_SEED,
    PLAN_SEED,
    _findings,
    _text,
    evaluation_records,
    plan_records,
)
from test_pdf_records import _numeric  # noqa: E402

from xlgen.model import Evaluation, Plan  # noqa: E402
from xlgen.parse import parse_file  # noqa: E402
from xlgen.sources import pdf as pdfsource  # noqa: E402

from support import libreoffice as lo  # noqa: E402

pytest.importorskip("pdfplumber")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(lo.find_soffice() is None, reason="LibreOffice(soffice)가 없습니다."),
]

EVAL_WIDTHS = [26, 30, 6, 8, 8, 8]
PLAN_WIDTHS = [28, 28, 28, 9, 8, 9, 9, 9]
LAYOUTS = {
    "evaluation-portrait": ("evaluation", False, None),
    "evaluation-landscape": ("evaluation", True, None),
    "plan-portrait": ("plan", False, None),
    "plan-landscape": ("plan", True, None),
    "plan-portrait-header": ("plan", False, (1, 2)),  # 나's two header rows on every page
}


@pytest.fixture(scope="session")
def seeds() -> dict[str, Evaluation | Plan]:
    return {"evaluation": _text(EVAL_SEED), "plan": _text(PLAN_SEED)}


@pytest.fixture(scope="session")
def ruled(tmp_path_factory, seeds) -> dict[str, Path]:
    """Each layout printed once per session."""
    tmp = tmp_path_factory.mktemp("ruled")
    out: dict[str, Path] = {}
    for name, (kind, landscape, repeat) in LAYOUTS.items():
        if kind == "evaluation":
            blocks, widths = evaluation_blocks(seeds[kind]), EVAL_WIDTHS  # type: ignore[arg-type]
        else:
            blocks, widths = plan_blocks(seeds[kind]), PLAN_WIDTHS  # type: ignore[arg-type]
        xlsx = write_xlsx(
            tmp / f"{name}.xlsx", blocks, landscape=landscape, widths=widths, repeat=repeat
        )
        out[name] = lo.to_pdf(xlsx, tmp / name, recalc=False)
    return out


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_a_ruled_print_reads_to_the_text_records(name, ruled, seeds) -> None:
    kind = LAYOUTS[name][0]
    text = seeds[kind]
    document = pdfsource.read_pdf(ruled[name])
    # the layout really cuts merged cells by page breaks: a name of the document is cut
    names = (
        {p.name for d in text.departments() for p in d.projects}  # type: ignore[union-attr]
        if kind == "evaluation"
        else {f"{g.name} ({g.office})" for g in text.goals}  # type: ignore[union-attr]
    )
    cut_texts = {" ".join(parts[0][0].text.split()) for parts in document.cut_chains if parts}
    assert cut_texts & names, cut_texts
    assert document.joins  # tables go on over page breaks
    doc = parse_file(ruled[name])[0]
    if kind == "evaluation":
        assert isinstance(doc, Evaluation)
        assert _numeric(evaluation_records(doc)) == _numeric(evaluation_records(text))
        assert len(doc.indicator_rows()) == 244
    else:
        assert isinstance(doc, Plan)
        assert plan_records(doc) == plan_records(text)
        assert len(doc.indicator_rows()) == 160
    assert _findings(doc, drop_corrections=True) == _findings(text, drop_corrections=True)


def test_ghost_lines_of_a_cut_cell_are_in_no_cell_and_no_paragraph(ruled, seeds) -> None:
    """LibreOffice draws a cut cell's whole text on each page at its place in the whole cell:
    lines of the other page's part land above the table or over the repeated header. No
    paragraph and no header cell holds them."""
    document = pdfsource.read_pdf(ruled["plan-portrait-header"])
    headers = [
        " ".join(t.grid[0][1].text.split())  # type: ignore[union-attr]
        for t in document.tables
        if t.grid[0][0] is not None and t.grid[0][0].text.startswith("전략목표명")
    ]
    assert len(headers) >= 2 and set(headers) == {"정책사업목표명"}, headers
    goals = {pg.name for g in seeds["plan"].goals for pg in g.policy_goals}
    paragraphs = [b.text for b in document.blocks if isinstance(b, pdfsource.Paragraph)]
    assert not [p for p in paragraphs if any(p in g or g in p for g in goals)]


# ------------------------------------------------- (b) a plain print of the built workbook


@pytest.fixture(scope="session")
def plain(tmp_path_factory) -> dict[str, Path]:
    """`xlgen build KEY`, then `soffice --convert-to pdf` of the whole workbook (every sheet,
    the sheets' own page setup, nothing from `xlgen pdf`)."""
    from click.testing import CliRunner

    from xlgen.cli import cli

    tmp = tmp_path_factory.mktemp("plain")
    out: dict[str, Path] = {}
    for key in ("2019", "plan-seogu"):
        result = CliRunner().invoke(
            cli, ["build", key, "--out", str(tmp / "out"), "--db", str(tmp / "store.sqlite")]
        )
        assert result.exit_code == 0, result.output
        (xlsx,) = (tmp / "out").rglob(f"{key}/*.xlsx")
        out[key] = lo.to_pdf(xlsx, tmp / key, recalc=False)
    return out


def test_a_plain_print_of_the_built_evaluation_reads_to_the_text_records(plain, seeds) -> None:
    doc = parse_file(plain["2019"])[0]
    assert isinstance(doc, Evaluation)
    text = seeds["evaluation"]
    assert _numeric(evaluation_records(doc)) == _numeric(evaluation_records(text))
    assert len(doc.indicator_rows()) == 244


def test_a_plain_print_of_the_built_plan_reads_to_the_text_records(plain, seeds) -> None:
    """The 검토사항 sheet printed after 나 (another table: 4 columns, its own header) is left
    out and named with its pages, never read as 나's rows (it gave 보건소 two indicators and
    a goal '번호')."""
    from xlgen.findings import Kind

    doc = parse_file(plain["plan-seogu"])[0]
    assert isinstance(doc, Plan)
    text = seeds["plan"]
    assert plan_records(doc) == plan_records(text)
    assert len(doc.indicator_rows()) == len(text.indicator_rows()) == 160
    health = [row for row in doc.indicator_rows() if row[0].office == "보건소"]
    assert len(health) == 21
    [left] = [w for w in doc.warnings if w.kind is Kind.BLOCKS_NOT_READ]
    assert left.get("section") == "나" and left.get("tables") >= 1
    first, last = left.get("pages")
    assert first > 1 and last == pdfsource.read_pdf(plain["plan-seogu"]).pages
    assert "검토사항" in left.message and "쪽" in left.message
    others = [w for w in doc.warnings if w.kind is not Kind.BLOCKS_NOT_READ]
    assert _findings(SimpleNamespace(warnings=others), drop_corrections=True) == _findings(
        text, drop_corrections=True
    )


def test_a_plain_print_of_the_built_evaluation_names_the_sheets_after_iii(plain) -> None:
    """The workbook's own sheets printed after Ⅲ (국별 현황, 검토사항, 제출 현황, 설정) are
    named as not read, with their pages."""
    from xlgen.findings import Kind

    doc = parse_file(plain["2019"])[0]
    [left] = [w for w in doc.warnings if w.kind is Kind.BLOCKS_NOT_READ]
    assert left.get("section") == "Ⅲ" and left.get("tables") >= 4
    assert left.get("pages")[1] == pdfsource.read_pdf(plain["2019"]).pages


# ------------------------------------------------------------- (c) a .pdf in a year folder


def test_load_and_build_from_a_pdf_year_folder(tmp_path, ruled, monkeypatch) -> None:
    import shutil

    from click.testing import CliRunner

    from xlgen.cli import cli

    seeds_dir = tmp_path / "seeds"
    for key, seed, name in (
        ("2019", EVAL_SEED, "evaluation-landscape"),
        ("plan-seogu", PLAN_SEED, "plan-portrait"),
    ):
        folder = seeds_dir / key
        folder.mkdir(parents=True)
        for extra in ("corrections.toml", "manifest.toml"):
            shutil.copy(seed.parent / extra, folder / extra)
        shutil.copy(ruled[name], folder / "문서.pdf")
    monkeypatch.setenv("XLGEN_DB", str(tmp_path / "store.sqlite"))
    runner = CliRunner()
    for key in ("2019", "plan-seogu"):
        result = runner.invoke(
            cli, ["build", key, "--seeds", str(seeds_dir), "--out", str(tmp_path / "out")]
        )
        assert result.exit_code == 0, result.output
    books = sorted(p.name for p in (tmp_path / "out").rglob("*.xlsx"))
    assert len(books) == 2, books
