"""제출 현황: the department round in the consolidated workbook, the table `xlgen status
KEY` prints (xlgen.round). What the store knew when the workbook was built (the workbook
sent, the latest submission) is written as text; the 실적 inputs still blank and the 부진
projects are formulas over the Ⅲ sheet's key columns, so they follow edits like Ⅰ does
(each with its cached value, computed with the formula's logic)."""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..korean import particle
from ..round import SUBMITTED, RoundStatus, sent_text
from ..round import local_time as _local
from ..timefmt import zone_label
from . import eval_departments as dep
from ._base import Styles, cell, page_setup, set_widths

DEFAULTS: dict[str, Any] = {
    "sheet": "제출 현황",
    "title": "부서별 통합문서 제출 현황",
    "headers": [
        "국",
        "부서",
        "보낸 통합문서",
        "제출",
        "제출 시각",
        "제출 파일",
        "바뀐 값",
        "실적 빈칸",
        "부진 사업",
    ],
    "widths": [16, 18, 22, 8, 17, 40, 8, 9, 9],
    "total_label": "계",
    # the 실적 빈칸 column's header while next year's targets are set (it counts 목표 then)
    "targets_blank_header": "목표 빈칸",
}
FIRST_ROW = 4  # rows 0 title, 1 note, 2 blank, 3 headers
BUREAU, DEPT, SENT, STATE, AT, FILE, CHANGES, BLANK, WEAK = range(9)


def conf_of(template: dict[str, Any]) -> dict[str, Any]:
    """The template's [round] section over the defaults (a template without one still builds)."""
    return {**DEFAULTS, **template.get("round", {})}


def write(
    ws: Worksheet,
    status: RoundStatus,
    styles: Styles,
    template: dict[str, Any],
    placement: dep.Placement,
    dept_sheet: str,
) -> None:
    conf = conf_of(template)
    judge = template.get("judgement", {})
    weak_label = judge.get("weak", "부진")
    page_setup(ws, template)
    set_widths(ws, conf["widths"])
    last_col = len(conf["headers"]) - 1
    ws.merge_range(0, 0, 0, last_col, conf["title"], styles.title())
    ws.set_row(0, 30)
    headers = list(conf["headers"])
    if status.setting_targets:
        headers[BLANK] = conf["targets_blank_header"]
    note = (
        f"이 통합문서를 만든 때(저장소 리비전 {status.revision})의 제출 현황입니다. "
        f"시각은 {zone_label()}. {headers[BLANK]}{particle(headers[BLANK], '과/와')} "
        f"{headers[WEAK]}{particle(headers[WEAK], '은/는')} Ⅲ 시트의 값으로 다시 계산됩니다. "
        f"최신 현황: xlgen status {status.key}"
    )
    ws.merge_range(1, 0, 1, last_col, note, styles.unit())
    hdr = styles.header()
    for col, text in enumerate(headers):
        ws.write_string(FIRST_ROW - 1, col, text, hdr)
    ws.repeat_rows(FIRST_ROW - 1, FIRST_ROW - 1)
    text, center = styles.box(), styles.box(align="center")
    count = styles.box(num_format='#,##0;"△"#,##0;"-"', align="center")
    missing = styles.box(
        align="center",
        bold=True,
        font_color=styles.colors.get("weak_font", "#9C0006"),
    )
    dept_col = placement.key_range(placement.cols.dept, dept_sheet)
    key_col = placement.key_range(placement.cols.key, dept_sheet)
    # the inputs whose blanks are counted: 목표 while the targets are set, else 실적
    input_col = placement.key_range(
        placement.cols.target if status.setting_targets else placement.cols.actual, dept_sheet
    )
    first_col = placement.key_range(placement.cols.first, dept_sheet)
    judge_col = placement.key_range(placement.cols.judge, dept_sheet)
    row = FIRST_ROW
    for d in status.departments:
        sub = d.submitted
        name = cell(row, DEPT)
        ws.write_string(row, BUREAU, d.bureau, text)
        ws.write_string(row, DEPT, d.department, text)
        ws.write_string(row, SENT, sent_text(d), center)
        ws.write_string(row, STATE, d.state, center if sub is not None else missing)
        ws.write_string(row, AT, _local(sub.at) if sub else "", center)
        ws.write_string(row, FILE, sub.file_name if sub else "", text)
        if sub is None:
            ws.write_blank(row, CHANGES, None, count)
        else:
            ws.write_number(row, CHANGES, sub.changes, count)
        ws.write_formula(
            row,
            BLANK,
            f'=SUMPRODUCT(({dept_col}={name})*({key_col}<>"")*({input_col}=""))',
            count,
            d.blank,
        )
        ws.write_formula(
            row,
            WEAK,
            f'=COUNTIFS({dept_col},{name},{first_col},1,{judge_col},"{weak_label}")',
            count,
            d.weak,
        )
        row += 1
    last = row - 1
    total = styles.box(
        align="center", bold=True, bg_color=styles.colors.get("total_fill", "#F2F2F2")
    )
    ws.write_string(row, BUREAU, conf["total_label"], total)
    ws.write_blank(row, DEPT, None, total)
    ws.write_blank(row, SENT, None, total)
    if status.departments:
        states = f"{cell(FIRST_ROW, STATE)}:{cell(last, STATE)}"
        ws.write_formula(
            row,
            STATE,
            f'=COUNTIF({states},"{SUBMITTED}")&" / "&ROWS({states})',
            total,
            f"{status.submitted} / {status.total}",
        )
        for col, value in (
            (BLANK, sum(d.blank for d in status.departments)),
            (WEAK, sum(d.weak for d in status.departments)),
        ):
            ws.write_formula(
                row, col, f"=SUM({cell(FIRST_ROW, col)}:{cell(last, col)})", total, value
            )
    else:
        ws.write_string(row, STATE, "0 / 0", total)
    for col in (AT, FILE, CHANGES):
        ws.write_blank(row, col, None, total)
    ws.autofilter(FIRST_ROW - 1, 0, max(last, FIRST_ROW), last_col)
    ws.print_area(0, 0, row, last_col)
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})
