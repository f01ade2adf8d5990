"""가. 총괄: per office (실국) the counts of the plan and the budgets, as the document prints
them, with a 계 row first whose every figure is a SUM over the office rows and a
비교증감 column computed as 예산액 − 전년도예산액.

Header, as printed (three rows):

    실국명 | 성과계획                                    | 예산액
           | 전략목표수 | 정책사업목표   | 단위사업수 | 예산액 | 전년도예산액 | 비교증감
           |            | 개수 | 지표수 |            |        |              |

Where a printed figure differs from what the formula gives, the cell carries a comment
with both values; the formula's value is the one shown.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..model import Number, OfficeRow, Plan
from ..numbers import format_number
from ._base import (
    Styles,
    cell,
    footnote,
    mark_of,
    marked_number_format,
    marks_on,
    page_setup,
    set_widths,
)

# Column positions (zero-based).
OFFICE, STRATEGIC, POLICY, INDICATORS, UNITS, BUDGET, PREV, CHANGE = range(8)
COUNT_COLS = (STRATEGIC, POLICY, INDICATORS, UNITS)
MONEY_COLS = (BUDGET, PREV, CHANGE)
HEADER_FIRST, HEADER_LAST = 2, 4  # rows 0 title, 1 unit, 2-4 header
TOTAL_ROW = HEADER_LAST + 1
FIRST_OFFICE_ROW = TOTAL_ROW + 1

COMMENT = {"author": "xlgen", "x_scale": 1.3, "y_scale": 0.6}


def _fields(row: OfficeRow) -> dict[int, Number | None]:
    return {
        STRATEGIC: row.strategic_goals,
        POLICY: row.policy_goals,
        INDICATORS: row.indicators,
        UNITS: row.unit_projects,
        BUDGET: row.budget,
        PREV: row.prev_budget,
    }


def change_of(row: OfficeRow) -> Number:
    """비교증감 as `=F−G` gives it: blank cells count as 0."""
    return (row.budget or 0) - (row.prev_budget or 0)


def column_totals(plan: Plan) -> dict[int, Number]:
    """The 계 row as its SUM formulas give it (blank cells count as 0)."""
    totals: dict[int, Number] = {col: 0 for col in (*COUNT_COLS, BUDGET, PREV, CHANGE)}
    for row in plan.offices:
        for col, value in _fields(row).items():
            totals[col] += value or 0
        totals[CHANGE] += change_of(row)
    return totals


def _fmt_num(value: Number | None) -> str:
    return format_number(value)


def mismatch_note(printed: Number | None, computed: Number) -> str | None:
    """ "문서 인쇄값: 200 / 계산값: 201" when the printed figure is not the computed one."""
    if printed is None or printed == computed:
        return None
    return f"문서 인쇄값: {_fmt_num(printed)} / 계산값: {_fmt_num(computed)}"


def _header_of(conf: dict[str, Any], col: int) -> str:
    """The printed header of a numeric column ("전년도예산액", "정책사업목표 개수")."""
    return str(conf["headers"][col - STRATEGIC])


def _split_header(text: str) -> tuple[str, str]:
    """ "정책사업목표 개수" → ("정책사업목표", "개수"): the group over 개수 and 지표수."""
    group, _, leaf = text.rpartition(" ")
    return (group, leaf) if group else (text, "")


def write(ws: Worksheet, plan: Plan, styles: Styles, template: dict[str, Any]) -> None:
    conf = template["overview"]
    page_setup(ws, template)
    set_widths(ws, conf["widths"])
    last_col = CHANGE

    ws.merge_range(0, 0, 0, last_col, conf["title"], styles.title())
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last_col, conf.get("unit", ""), styles.unit())

    group = conf.get("group_headers", ["실국명", "성과계획", "예산액"])
    h = conf["headers"]
    hdr = styles.header()
    top, mid, bottom = HEADER_FIRST, HEADER_FIRST + 1, HEADER_LAST
    ws.merge_range(top, OFFICE, bottom, OFFICE, group[0], hdr)
    ws.merge_range(top, STRATEGIC, top, UNITS, group[1], hdr)
    ws.merge_range(top, BUDGET, top, CHANGE, group[2], hdr)
    ws.merge_range(mid, STRATEGIC, bottom, STRATEGIC, h[0], hdr)
    policy_group, policy_leaf = _split_header(h[1])
    if policy_leaf:
        # As printed: 정책사업목표 spans 개수 and 지표수.
        ws.merge_range(mid, POLICY, mid, INDICATORS, policy_group, hdr)
        ws.write_string(bottom, POLICY, policy_leaf, hdr)
        ws.write_string(bottom, INDICATORS, h[2], hdr)
    else:
        ws.merge_range(mid, POLICY, bottom, POLICY, h[1], hdr)
        ws.merge_range(mid, INDICATORS, bottom, INDICATORS, h[2], hdr)
    for col, text in zip((UNITS, BUDGET, PREV, CHANGE), h[3:7], strict=False):
        ws.merge_range(mid, col, bottom, col, text, hdr)
    for r in range(top, bottom + 1):
        ws.set_row(r, 20)
    ws.repeat_rows(HEADER_FIRST, HEADER_LAST)
    ws.freeze_panes(TOTAL_ROW, 0)

    integer = styles.numbers.get("integer", "#,##0")
    total_fill = styles.colors.get("total_fill", "#F2F2F2")
    count_fmt = styles.box(num_format=integer, align="center")
    money_fmt = styles.box(num_format=integer, align="right")
    label_fmt = styles.box(align="distributed", indent=1)
    total_count_fmt = styles.box(num_format=integer, align="center", bold=True, bg_color=total_fill)
    total_money_fmt = styles.box(num_format=integer, align="right", bold=True, bg_color=total_fill)
    total_label_fmt = styles.box(align="center", bold=True, bg_color=total_fill)

    offices = plan.offices
    first = FIRST_OFFICE_ROW
    last = FIRST_OFFICE_ROW + max(len(offices), 1) - 1

    # 계: a SUM over the office rows below, in every numeric column.
    totals = column_totals(plan)
    printed_total = _fields(plan.total) if plan.total else {}
    if plan.total:
        printed_total[CHANGE] = plan.total.change
    marking = marks_on(template)
    mark = mark_of(template)
    marked_integer = marked_number_format(integer, mark)
    notes: list[str] = []
    total_label = conf.get("total_label", "계")
    ws.write_string(TOTAL_ROW, OFFICE, total_label, total_label_fmt)
    for col in (*COUNT_COLS, *MONEY_COLS):
        fmt = total_count_fmt if col in COUNT_COLS else total_money_fmt
        note = mismatch_note(printed_total.get(col), totals[col])
        if note and marking:
            fmt = styles.box(
                num_format=marked_integer,
                align="center" if col in COUNT_COLS else "right",
                bold=True,
                bg_color=total_fill,
            )
            notes.append(
                footnote(
                    template,
                    f"{total_label} {_header_of(conf, col)}",
                    _fmt_num(printed_total[col]),
                    f"{_header_of(conf, col)} 실국 행의 합 = {_fmt_num(totals[col])}",
                )
            )
        ws.write_formula(
            TOTAL_ROW, col, f"=SUM({cell(first, col)}:{cell(last, col)})", fmt, totals[col]
        )
        if note:
            ws.write_comment(TOTAL_ROW, col, note, COMMENT)
    ws.set_row(TOTAL_ROW, 22)

    for i, office in enumerate(offices):
        r = FIRST_OFFICE_ROW + i
        ws.write_string(r, OFFICE, office.office, label_fmt)
        for col, value in _fields(office).items():
            fmt = count_fmt if col in COUNT_COLS else money_fmt
            if value is None:
                ws.write_blank(r, col, None, fmt)
            else:
                ws.write_number(r, col, value, fmt)
        computed = change_of(office)
        note = mismatch_note(office.change, computed)
        change_fmt = money_fmt
        if note and marking:
            change_fmt = styles.box(num_format=marked_integer, align="right")
            budget_h, prev_h, change_h = (_header_of(conf, c) for c in (BUDGET, PREV, CHANGE))
            notes.append(
                footnote(
                    template,
                    f"{office.office} {change_h}",
                    _fmt_num(office.change),
                    f"{budget_h} {_fmt_num(office.budget or 0)} − {prev_h} "
                    f"{_fmt_num(office.prev_budget or 0)} = {_fmt_num(computed)}",
                )
            )
        ws.write_formula(r, CHANGE, f"={cell(r, BUDGET)}-{cell(r, PREV)}", change_fmt, computed)
        if note:
            ws.write_comment(r, CHANGE, note, COMMENT)
        ws.set_row(r, 22)
    if not offices:
        for col in range(OFFICE, CHANGE + 1):
            ws.write_blank(first, col, None, label_fmt if col == OFFICE else count_fmt)

    # The footnotes of the marked figures, under the table on the same page.
    for i, text in enumerate(notes):
        ws.merge_range(last + 1 + i, 0, last + 1 + i, last_col, text, styles.get(align="left"))
    ws.print_area(0, 0, last + len(notes), last_col)
    ws.protect("", {"format_columns": True, "format_rows": True})
