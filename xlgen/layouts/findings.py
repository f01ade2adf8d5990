"""검토사항: every finding of the parse (printed vs computed figures, corrections applied,
rows to check), so staff see them instead of their being silently "fixed"."""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..model import ParseWarning
from ._base import (
    Styles,
    fit_scale,
    lines_needed,
    page_breaks,
    page_setup,
    printable_height_points,
    row_height,
    set_widths,
)


def write(
    ws: Worksheet,
    warnings: list[ParseWarning],
    styles: Styles,
    template: dict[str, Any],
    source: str,
) -> None:
    conf = template["findings"]
    page_setup(ws, template, fit_width=False)
    scale = fit_scale(template, conf["widths"])
    ws.set_print_scale(scale)
    set_widths(ws, conf["widths"])
    ws.merge_range(0, 0, 0, 3, conf["title"], styles.title())
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 3, f"원본: {source}  (문서 행 = 원본 텍스트의 줄 번호)", styles.unit())
    for col, text in enumerate(conf["headers"]):
        ws.write(2, col, text, styles.header())
    ws.repeat_rows(2, 2)
    body, center = styles.box(), styles.box(align="center")
    heights = [row_height(template, lines_needed(w.message, conf["widths"][3])) for w in warnings]
    # A margin for the footer and for LibreOffice drawing rows a little taller than Excel.
    page = printable_height_points(template) * 100 / scale * 0.9 - row_height(template, 2)
    first_page = page - 30 - row_height(template, 1)  # the title and source rows
    breaks = page_breaks(heights, first_page=first_page, page=page)
    ws.set_h_pagebreaks([3 + i for i in breaks])
    for i, w in enumerate(warnings, 1):
        row = 2 + i
        ws.write_number(row, 0, i, center)
        ws.write_string(row, 1, w.kind.label, center)
        if w.line is None:
            ws.write_string(row, 2, "-", center)
        else:
            ws.write_number(row, 2, w.line, center)
        ws.write_string(row, 3, w.message, body)
        ws.set_row(row, heights[i - 1])
    if not warnings:
        ws.write_string(3, 3, "검토할 사항이 없습니다.", body)
    ws.autofilter(2, 0, 2 + max(len(warnings), 1), 3)
    ws.print_area(0, 0, 2 + max(len(warnings), 1), 3)
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})
