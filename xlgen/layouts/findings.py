"""검토사항: every finding of the parse (printed vs computed figures, corrections applied,
rows to check), so staff see them instead of their being silently "fixed"."""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..model import ParseWarning
from ._base import Styles, fit_scale, lines_needed, page_setup, row_height, set_widths


def write(
    ws: Worksheet,
    warnings: list[ParseWarning],
    styles: Styles,
    template: dict[str, Any],
    source: str,
) -> None:
    conf = template["findings"]
    page_setup(ws, template, fit_width=False)
    ws.set_print_scale(fit_scale(template, conf["widths"]))
    set_widths(ws, conf["widths"])
    ws.merge_range(0, 0, 0, 3, conf["title"], styles.title())
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 3, f"원본: {source}  (문서 행 = 원본 텍스트의 줄 번호)", styles.unit())
    for col, text in enumerate(conf["headers"]):
        ws.write(2, col, text, styles.header())
    ws.repeat_rows(2, 2)
    body, center = styles.box(), styles.box(align="center")
    for i, w in enumerate(warnings, 1):
        row = 2 + i
        ws.write_number(row, 0, i, center)
        ws.write_string(row, 1, w.kind.label, center)
        if w.line is None:
            ws.write_string(row, 2, "-", center)
        else:
            ws.write_number(row, 2, w.line, center)
        ws.write_string(row, 3, w.message, body)
        ws.set_row(row, row_height(template, lines_needed(w.message, conf["widths"][3])))
    if not warnings:
        ws.write_string(3, 3, "검토할 사항이 없습니다.", body)
    ws.autofilter(2, 0, 2 + max(len(warnings), 1), 3)
    ws.print_area(0, 0, 2 + max(len(warnings), 1), 3)
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})
