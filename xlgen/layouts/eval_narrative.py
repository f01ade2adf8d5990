"""Ⅱ 국별 주요사업 추진 성과: the narrative with its ◇ / ○ / - levels."""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..model import Evaluation
from ._base import Styles, fill, lines_needed, page_setup, row_height, set_widths


def write(ws: Worksheet, evaluation: Evaluation, styles: Styles, template: dict[str, Any]) -> None:
    conf = template["narrative"]
    widths = conf["widths"]
    page_setup(ws, template)
    set_widths(ws, widths)
    ws.merge_range(
        0, 0, 0, 1, fill(template, conf["title"], year=evaluation.year or ""), styles.title()
    )
    ws.set_row(0, 30)
    heading_fmt = styles.get(bold=True, font_size=styles.font_size + 2, bottom=1)
    field_fmt = styles.get(bold=True, text_wrap=True)
    high_fmt = styles.get(text_wrap=True, indent=1)
    detail_fmt = styles.get(text_wrap=True, indent=3)
    row = 2
    text_width = widths[1]

    def put(text: str, fmt: Any, indent: int) -> None:
        nonlocal row
        ws.write_string(row, 1, text, fmt)
        ws.set_row(row, row_height(template, lines_needed(text, text_width - indent * 2)))
        row += 1

    for section in evaluation.narrative:
        if section.heading:
            ws.merge_range(row, 0, row, 1, section.heading, heading_fmt)
            ws.set_row(row, 24)
            row += 1
        for fld in section.fields:
            put(f"{conf.get('field_mark', '◇')} {fld.title}", field_fmt, 0)
            for high in fld.highlights:
                put(f"{conf.get('highlight_mark', '○')} {high.text}", high_fmt, 1)
                for detail in high.details:
                    put(f"{conf.get('detail_mark', '-')} {detail}", detail_fmt, 3)
        row += 1
    if row == 2:  # no narrative: one row saying why
        text = _empty_text(evaluation, template)
        ws.write_string(row, 1, text, styles.get(text_wrap=True))
        ws.set_row(row, row_height(template, lines_needed(text, text_width)))
    ws.print_area(0, 0, max(row, 2), 1)
    ws.protect("", {"format_columns": True, "format_rows": True})


EMPTY = "(문서에 Ⅱ 절이 없습니다.)"
CARRIED_EMPTY = (
    "({year}년 문서는 {from_year}년 평가 '{from_key}'에서 구조만 옮겨 온 것이라 Ⅱ 추진성과가 "
    "아직 없습니다. Ⅱ는 {year}년 평가 문서를 읽어 들이면 채워집니다.)"
)


def _empty_text(evaluation: Evaluation, template: dict[str, Any]) -> str:
    """What the sheet says when there is no narrative: a document read from its text has
    no Ⅱ section; a carried-over year (`xlgen new`) has none yet, as last year's is not
    carried over (the template's `empty` and `carried_empty` override the wording)."""
    conf = template["narrative"]
    last = evaluation.carried_from
    if last is None:
        return fill(template, conf.get("empty", EMPTY), year=evaluation.year or "")
    return fill(
        template,
        conf.get("carried_empty", CARRIED_EMPTY),
        year=evaluation.year or "",
        from_year=last.year or "",
        from_key=last.key,
    )
