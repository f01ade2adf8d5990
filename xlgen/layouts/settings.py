"""설정: the one labelled threshold cell every judgement formula reads (defined name
THRESHOLD), plus what the workbook was built from."""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ._base import Styles, page_setup, quote_sheet

THRESHOLD_CELL = (2, 1)  # B3
NAME = "THRESHOLD"


def write(
    workbook: Workbook,
    ws: Worksheet,
    sheet: str,
    threshold: float,
    styles: Styles,
    template: dict[str, Any],
    info: list[tuple[str, Any]],
) -> None:
    conf = template["settings"]
    page_setup(ws, template)
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 40)
    ws.write_string(0, 0, conf.get("title", "설정"), styles.title())
    ws.set_row(0, 30)
    ws.write_string(2, 0, conf["threshold_label"], styles.box(bold=True))
    ws.write_number(
        *THRESHOLD_CELL,
        threshold,
        styles.box(
            locked=False,
            bg_color=styles.colors.get("input_fill", "#FFF2CC"),
            align="center",
            bold=True,
        ),
    )
    ws.data_validation(
        *THRESHOLD_CELL,
        *THRESHOLD_CELL,
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 1000,
            "error_title": "기준값 오류",
            "error_message": "0에서 1000 사이의 숫자(%)를 입력하세요.",
            "input_title": "부진판정 기준",
            "input_message": "이 값을 바꾸면 모든 판정과 강조 표시가 다시 계산됩니다.",
        },
    )
    ws.write_string(
        3, 0, "이 값을 바꾸면 모든 판정·집계·강조 표시가 다시 계산됩니다.", styles.get(italic=True)
    )
    for i, (label, value) in enumerate(info):
        ws.write_string(5 + i, 0, label, styles.box())
        ws.write_string(5 + i, 1, "" if value is None else str(value), styles.box())
    workbook.define_name(NAME, f"={quote_sheet(sheet)}!$B$3")
    ws.protect("", {"format_columns": True})
