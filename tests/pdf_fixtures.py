"""Test documents as ruled-table PDFs the reader has not seen: the HWPX fixtures' blocks
(tests/hwpx_fixtures.py) laid out on one xlsxwriter sheet, every table cell bordered, merged
cells merged, and printed through LibreOffice.

The layout is not xlgen's own print (`xlgen pdf`): no repeated header rows, the page breaks
fall where LibreOffice puts them, so merged cells are cut by page breaks.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from hwpx_fixtures import Block, Grid, Para


def write_xlsx(
    path: Path,
    blocks: list[Block],
    *,
    landscape: bool = False,
    widths: list[float] | None = None,
    repeat: tuple[int, int] | None = None,
) -> Path:
    """The blocks one under the other on one sheet, each table ruled; `repeat` = (i, n)
    prints the first n rows of the i-th table again at the top of each page after it."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("문서")
    cell = wb.add_format(
        {"border": 1, "text_wrap": True, "valign": "vcenter", "align": "center", "font_size": 9}
    )
    para = wb.add_format({"font_size": 10})
    cols = max((max(len(r) for r in b.rows) for b in blocks if isinstance(b, Grid)), default=1)
    for c, w in enumerate(widths or [24] * cols):
        ws.set_column(c, c, w)
    r = 0
    tables = 0
    for block in blocks:
        if isinstance(block, Para):
            ws.write_string(r, 0, block.text, para)
            r += 1
            continue
        if repeat is not None and tables == repeat[0]:
            ws.repeat_rows(r, r + repeat[1] - 1)
        tables += 1
        n_cols = max(len(row) for row in block.rows)
        for i, height in enumerate(_heights(block, widths or [24] * cols)):
            ws.set_row(r + i, height)
        covered: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in block.merges:
            text = block.rows[r0][c0] if c0 < len(block.rows[r0]) else ""
            ws.merge_range(r + r0, c0, r + r1, c1, text, cell)
            covered |= {(rr, cc) for rr in range(r0, r1 + 1) for cc in range(c0, c1 + 1)}
        for i, row in enumerate(block.rows):
            for c in range(n_cols):
                if (i, c) in covered:
                    continue
                ws.write_string(r + i, c, row[c] if c < len(row) else "", cell)
        r += len(block.rows) + 1
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    wb.close()
    return path


def _lines(text: str, width: float) -> int:
    """Lines a text takes in a column `width` characters wide (9 pt, Hangul twice a digit)."""
    per_line = max(width * 11 / 9 / 2.1, 1.0)
    return sum(max(1, -(-len(part) // int(per_line))) for part in text.split("\n"))


def _heights(block: Grid, widths: list[float]) -> list[float]:
    """Row heights (points) that fit every cell's text, a merged cell's shared by its rows:
    LibreOffice sizes rows to their own cells only, and a merged cell's text that does not
    fit would be drawn over its neighbours."""
    line = 11.5
    need = [line + 3] * len(block.rows)
    merged = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in block.merges}
    for r0, c0, r1, c1 in block.merges:
        text = block.rows[r0][c0] if c0 < len(block.rows[r0]) else ""
        total = _lines(text, sum(widths[c0 : c1 + 1])) * line + 3
        share = total / (r1 - r0 + 1)
        for r in range(r0, r1 + 1):
            need[r] = max(need[r], share)
    for r, row in enumerate(block.rows):
        for c, text in enumerate(row):
            if (r, c) not in merged and text:
                need[r] = max(need[r], _lines(text, widths[c]) * line + 3)
    return need
