"""Merged cells cut by page breaks: a cell over three pages is one cell; a cut cell whose
part on the next page is not found is refused with the pages named."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xlgen.errors import InputError  # noqa: E402
from xlgen.model import Evaluation  # noqa: E402
from xlgen.parse import parse_file  # noqa: E402
from xlgen.sources import pdf as pdfsource  # noqa: E402

from support import libreoffice as lo  # noqa: E402

pytest.importorskip("pdfplumber")

HEADER = ["주요사업명", "성과지표", "단위", "목표", "실적", "달성률(%)"]


# ------------------------------------------------ a merged cell cut by two page breaks


@pytest.mark.libreoffice
@pytest.mark.skipif(lo.find_soffice() is None, reason="LibreOffice(soffice)가 없습니다.")
def test_a_merged_cell_over_three_pages_is_one_cell(tmp_path: Path) -> None:
    """A 주요사업명 merged over 130 rows runs over three pages: its three parts are one cell,
    the name read once, every row its indicator."""
    from hwpx_fixtures import Grid, Para
    from pdf_fixtures import write_xlsx

    n = 130
    name = "생활 안전 종합 관리"
    rows = [HEADER] + [
        [name if i == 0 else "", f"점검 항목 {i + 1}", "회", str(i + 1), str(i + 1), "100"]
        for i in range(n)
    ]
    blocks = [
        Para("2019년 성과관리 주요사업 평가 현황"),
        Para("Ⅲ. 2019년 부서별 추진 현황"),
        Para("▢ 총무과"),
        Grid(rows, [(1, 0, n, 0)]),
    ]
    xlsx = write_xlsx(tmp_path / "t.xlsx", blocks, widths=[26, 24, 6, 8, 8, 8])
    pdf = lo.to_pdf(xlsx, tmp_path / "pdf", recalc=False)
    document = pdfsource.read_pdf(pdf)
    assert document.pages >= 3
    [chain] = [c for c in document.cut_chains if c]
    assert len({document.table_of[id(cell)].section for cell, _ in chain}) >= 3
    doc = parse_file(pdf)[0]
    assert isinstance(doc, Evaluation)
    [dept] = doc.departments()
    [project] = dept.projects
    assert project.name == name
    assert [(i.name, i.target) for i in project.indicators] == [
        (f"점검 항목 {i + 1}", i + 1) for i in range(n)
    ]


def _page(number: int, boxes: list[tuple[int, int, int, int]], ys: list[float]) -> object:
    """A page holding one table of three columns (edges 0, 100, 200, 300) and no drawn rule
    under it: `boxes` are (r0, c0, r1, c1) on the rows `ys`."""
    xs = [0.0, 100.0, 200.0, 300.0]
    found = pdfsource._Found(
        (xs[0], ys[0], xs[-1], ys[-1]),
        xs,
        ys,
        [
            pdfsource._Box(r0, c0, r1, c1, xs[c0], ys[r0], xs[c1], ys[r1])
            for r0, c0, r1, c1 in boxes
        ],
    )
    return pdfsource._Page(SimpleNamespace(chars=[]), number, [found], rules=[])


def test_a_cut_cell_with_no_part_on_the_next_page_is_refused() -> None:
    """Page 4's table ends in a cell over columns 1-2 (0-based) with no rule under it (cut by the
    break, as is the cell of column 0); page 5's table goes on with the same columns, column
    0's cell at its top, but no cell over columns 1-2 there (two cells): which cell goes on
    cannot be decided."""
    first = _page(4, [(0, 0, 1, 1), (0, 1, 1, 3), (1, 0, 2, 1), (1, 1, 2, 3)], [10.0, 30.0, 50.0])
    second = _page(
        5,
        [(0, 0, 1, 1), (0, 1, 1, 2), (0, 2, 1, 3), (1, 0, 2, 1), (1, 1, 2, 3)],
        [10.0, 30.0, 50.0],
    )
    document = pdfsource.PdfDocument(Path("문서.pdf"))
    with pytest.raises(InputError) as info:
        pdfsource._link(first, second, document)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith("문서.pdf: 4쪽 끝에서 잘린 표의 칸이 5쪽 표에서 이어지지 않습니다")
    assert "(열 2)" in message and "읽지 않습니다" in message
