"""나. 성과계획 및 자원비중: one row per indicator (성과지표), the strategic goal
"name (office)" merged over all its rows, each policy goal merged over its indicators,
and 예산액 and 비중(%) merged per strategic goal, as the document prints them once per goal.

비중(%) is a formula over the merged budget column (only the top-left cell of a merged
range holds a value, so a SUM over the column counts each goal once):

    =IF(OR(D5="",SUM($D$5:$D$164)=0),"",ROUND(D5/SUM($D$5:$D$164)*100,2))

A 계 row at the bottom sums the budgets and the shares. Page breaks fall between policy
goals, so a merged policy-goal cell is never cut in two by a page edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..model import Number, Plan, PolicyGoal, StrategicGoal
from ..rules import excel_round
from ._base import (
    Styles,
    cell,
    fit_scale,
    lines_needed,
    page_setup,
    row_height,
    set_widths,
)

# Column positions (zero-based).
GOAL, POLICY, INDICATOR, BUDGET, SHARE = range(5)
HEADER_FIRST, HEADER_LAST = 2, 3  # rows 0 title, 1 unit, 2-3 header
FIRST_DATA_ROW = HEADER_LAST + 1
TITLE_HEIGHT, UNIT_HEIGHT, HEADER_HEIGHT = 30, 20, 20
A4_LANDSCAPE_HEIGHT = 595.3  # points
PAGE_SAFETY = 0.95  # row heights are estimates; leave some room on each page

COMMENT = {"author": "xlgen", "x_scale": 1.3, "y_scale": 0.6}


def goal_label(goal: StrategicGoal, width: float | None = None) -> str:
    """ "효율적인 의정지원으로 선진 의회상을 구현한다. (의회사무국)", as printed.

    Given the column `width`, a label that wraps starts its office on a line of its own,
    so "(복지환경국)" is never cut after its "(" the way a spreadsheet wraps it."""
    if not goal.office:
        return goal.name
    label = f"{goal.name} ({goal.office})"
    if width is not None and _lines(label, width) > 1:
        return f"{goal.name}\n({goal.office})"
    return label


def page_pieces(start: int, end: int, breaks: list[int]) -> list[tuple[int, int]]:
    """Rows start..end cut where a page begins: one (first, last) per printed page."""
    pieces = []
    for b in sorted(breaks):
        if start < b <= end:
            pieces.append((start, b - 1))
            start = b
    pieces.append((start, end))
    return pieces


@dataclass
class Placement:
    """Where every goal, policy goal and indicator sits, decided before writing."""

    rows: list[tuple[int, str]] = field(default_factory=list)  # (row, indicator name or "")
    goal_spans: list[tuple[int, int, StrategicGoal]] = field(default_factory=list)
    policy_spans: list[tuple[int, int, PolicyGoal | None]] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    page_breaks: list[int] = field(default_factory=list)
    first_row: int = FIRST_DATA_ROW
    last_row: int = FIRST_DATA_ROW  # last data row (the 계 row follows it)

    @property
    def total_row(self) -> int:
        return self.last_row + 1


def print_scale(template: dict[str, Any]) -> int:
    """Scale that fits the columns to the page width (Excel ignores manual page breaks
    under "fit to page", so the fit is computed here instead)."""
    return fit_scale(template, template["goals"]["widths"])


def page_capacity(template: dict[str, Any], scale: int) -> float:
    """Points of sheet rows one printed page holds below the repeated header rows."""
    page = template.get("page", {})
    paper_h = A4_LANDSCAPE_HEIGHT if page.get("landscape", True) else 841.9
    usable = paper_h - 72 * (page.get("margin_top", 0.6) + page.get("margin_bottom", 0.7))
    header = HEADER_HEIGHT * (HEADER_LAST - HEADER_FIRST + 1)
    return usable * 100 / max(scale, 1) * PAGE_SAFETY - header


def _spread(heights: dict[int, float], start: int, end: int, need: float) -> None:
    """Make rows start..end together at least `need` points tall, evenly."""
    have = sum(heights[r] for r in range(start, end + 1))
    if need > have:
        extra = (need - have) / (end - start + 1)
        for r in range(start, end + 1):
            heights[r] += extra


def _lines(text: str, width: float) -> int:
    return lines_needed(text, width)


def place(plan: Plan, template: dict[str, Any], scale: int) -> Placement:
    widths = template["goals"]["widths"]
    p = Placement()
    row = FIRST_DATA_ROW
    # Units a page break may not split: a policy goal's rows, and a strategic goal's first
    # policy goals until they are tall enough to show the goal's (top-aligned) name.
    units: list[list[int]] = []
    for goal in plan.goals:
        goal_start = row
        label_need = row_height(template, _lines(goal_label(goal, widths[GOAL]), widths[GOAL]))
        policies: list[PolicyGoal | None] = list(goal.policy_goals) or [None]
        for policy in policies:
            start = row
            names = (policy.indicators if policy else []) or [""]
            for name in names:
                p.rows.append((row, name))
                p.heights[row] = row_height(template, _lines(name, widths[INDICATOR]))
                row += 1
            p.policy_spans.append((start, row - 1, policy))
            if policy:
                _spread(
                    p.heights,
                    start,
                    row - 1,
                    row_height(template, _lines(policy.name, widths[POLICY])),
                )
            rows = list(range(start, row))
            shown = sum(p.heights[r] for r in range(goal_start, start))
            if start > goal_start and shown < label_need:
                units[-1].extend(rows)
            else:
                units.append(rows)
        p.goal_spans.append((goal_start, row - 1, goal))
        _spread(p.heights, goal_start, row - 1, label_need)
    if not p.rows:
        p.rows.append((row, ""))
        p.heights[row] = row_height(template, 1)
        row += 1
    p.last_row = row - 1
    p.heights = {r: whole_pixels(h) for r, h in p.heights.items()}

    capacity = page_capacity(template, scale)
    # A goal cut by a page break prints its label again at the top of the next page, so
    # that piece too must be tall enough for it; making it taller may move a later break,
    # hence a few rounds until nothing changes (heights only grow, so this settles).
    for _ in range(10):
        p.page_breaks = _breaks(units, p.heights, capacity)
        grown = False
        for start, end, goal in p.goal_spans:
            need = row_height(template, _lines(goal_label(goal, widths[GOAL]), widths[GOAL]))
            for first_r, last_r in page_pieces(start, end, p.page_breaks)[1:]:
                have = sum(p.heights[r] for r in range(first_r, last_r + 1))
                if have + 0.01 < need:
                    _spread(p.heights, first_r, last_r, need)
                    grown = True
        if not grown:
            break
        p.heights = {r: whole_pixels(h) for r, h in p.heights.items()}
    return p


def _breaks(units: list[list[int]], heights: dict[int, float], capacity: float) -> list[int]:
    """First rows of pages 2, 3, …: a unit (rows a break may not split) that does not fit
    on the page any more starts the next one."""
    breaks = []
    used: float = TITLE_HEIGHT + UNIT_HEIGHT
    for unit in units:
        height = sum(heights[r] for r in unit)
        if used + height > capacity and unit[0] > FIRST_DATA_ROW and used > 0:
            breaks.append(unit[0])
            used = 0
        used += height
    return breaks


def whole_pixels(points: float) -> float:
    """A height rounded up to whole pixels (0.75 pt at 96 dpi), as Excel stores it, so that
    rounding never takes away part of a line."""
    return math.ceil(points / 0.75 - 1e-9) * 0.75


def _budget_text(budget: Number | None) -> str:
    """A budget as TEXT(…,"#,##0") shows it ("" for a blank budget)."""
    if budget is None:
        return ""
    text = f"{abs(budget):,.0f}"
    return f"-{text}" if budget < 0 else text


def share_of(budget: Number | None, total: Number) -> float | str:
    """비중 as the sheet formula gives it: "" for a blank budget or a zero total."""
    if budget is None or total == 0:
        return ""
    return excel_round(budget / total * 100, 2)


def write(ws: Worksheet, plan: Plan, styles: Styles, template: dict[str, Any]) -> None:
    conf = template["goals"]
    scale = print_scale(template)
    placement = place(plan, template, scale)
    page_setup(ws, template, fit_width=False)
    ws.set_print_scale(scale)
    set_widths(ws, conf["widths"])

    ws.merge_range(0, 0, 0, SHARE, conf["title"], styles.title())
    ws.set_row(0, TITLE_HEIGHT)
    ws.merge_range(1, 0, 1, SHARE, conf.get("unit", ""), styles.unit())
    ws.set_row(1, UNIT_HEIGHT)

    # Header as printed: 예산액 (백만원) over 예산액 | 비중(%).
    h = conf["headers"]
    hdr = styles.header()
    for col in (GOAL, POLICY, INDICATOR):
        ws.merge_range(HEADER_FIRST, col, HEADER_LAST, col, h[col], hdr)
    ws.merge_range(
        HEADER_FIRST, BUDGET, HEADER_FIRST, SHARE, conf.get("budget_header", "예산액 (백만원)"), hdr
    )
    ws.write_string(HEADER_LAST, BUDGET, h[BUDGET], hdr)
    ws.write_string(HEADER_LAST, SHARE, h[SHARE], hdr)
    for r in range(HEADER_FIRST, HEADER_LAST + 1):
        ws.set_row(r, HEADER_HEIGHT)
    ws.repeat_rows(HEADER_FIRST, HEADER_LAST)
    ws.freeze_panes(FIRST_DATA_ROW, 0)

    integer = styles.numbers.get("integer", "#,##0")
    share_num = styles.numbers.get("share", "0.00")

    def text_fmt(top: bool) -> Any:
        return styles.box(align="left", valign="top" if top else "vcenter")

    def budget_fmt(top: bool) -> Any:
        return styles.box(
            num_format=integer, align="right", indent=1, valign="top" if top else "vcenter"
        )

    def share_fmt(top: bool) -> Any:
        return styles.box(
            num_format=share_num, align="right", indent=1, valign="top" if top else "vcenter"
        )

    def span(start: int, end: int, col: int, text: str, fmt: Any) -> None:
        if end > start:
            ws.merge_range(start, col, end, col, text, fmt)
        else:
            ws.write_string(start, col, text, fmt)

    for row, name in placement.rows:
        ws.write_string(row, INDICATOR, name, text_fmt(False))
    breaks = placement.page_breaks
    # A merged cell that a page break would cut is cut there instead, and its text (or
    # figure) printed again at the top of the next page, as the document does, so every
    # page names its 실국. By construction page breaks fall between policy goals; a policy
    # goal taller than a page is cut the same way.
    for start, end, policy in placement.policy_spans:
        for first_r, last_r in page_pieces(start, end, breaks):
            span(first_r, last_r, POLICY, policy.name if policy else "", text_fmt(False))

    first, last = placement.first_row, placement.last_row
    budget_range = f"{cell(first, BUDGET, absolute=True)}:{cell(last, BUDGET, absolute=True)}"
    total_budget = sum(g.budget for g in plan.goals if g.budget is not None)
    shares: list[float] = []
    for start, end, goal in placement.goal_spans:
        pieces = page_pieces(start, end, breaks)
        top = len(pieces) > 1
        label = goal_label(goal, conf["widths"][GOAL])
        for first_r, last_r in pieces:
            span(first_r, last_r, GOAL, label, text_fmt(top))
        head_end = pieces[0][1]
        if head_end > start:
            ws.merge_range(start, BUDGET, head_end, BUDGET, "", budget_fmt(top))
            ws.merge_range(start, SHARE, head_end, SHARE, "", share_fmt(top))
        if goal.budget is None:
            ws.write_blank(start, BUDGET, None, budget_fmt(top))
        else:
            ws.write_number(start, BUDGET, goal.budget, budget_fmt(top))
        b = cell(start, BUDGET)
        share = share_of(goal.budget, total_budget)
        ws.write_formula(
            start,
            SHARE,
            f'=IF(OR({b}="",SUM({budget_range})=0),"",ROUND({b}/SUM({budget_range})*100,2))',
            share_fmt(top),
            share,
        )
        # The repeats are text (TEXT of the first cell), so the SUMs over the column, and
        # so 비중 and the 계 row, still count each goal once.
        for first_r, last_r in pieces[1:]:
            for col, fmt, shown, code in (
                (BUDGET, budget_fmt(True), _budget_text(goal.budget), "#,##0"),
                (SHARE, share_fmt(True), "" if share == "" else f"{share:.2f}", "0.00"),
            ):
                if last_r > first_r:
                    ws.merge_range(first_r, col, last_r, col, "", fmt)
                src = cell(start, col)
                ws.write_formula(first_r, col, f'=IF({src}="","",TEXT({src},"{code}"))', fmt, shown)
        if not isinstance(share, str):  # share_of gives "" when there is no share
            shares.append(share)
        printed = goal.share
        if printed is not None and (isinstance(share, str) or abs(printed - share) > 0.005):
            shown = "빈칸" if isinstance(share, str) else f"{share:.2f}"
            ws.write_comment(start, SHARE, f"문서 인쇄값: {printed:.2f} / 계산값: {shown}", COMMENT)
    if not placement.goal_spans:
        for col in (GOAL, POLICY, BUDGET, SHARE):
            ws.write_blank(first, col, None, text_fmt(False))

    # 계: SUM of the budgets and of the shares.
    t = placement.total_row
    total_fill = styles.colors.get("total_fill", "#F2F2F2")
    ws.merge_range(
        t,
        GOAL,
        t,
        INDICATOR,
        conf.get("total_label", "계"),
        styles.box(align="center", bold=True, bg_color=total_fill),
    )
    ws.write_formula(
        t,
        BUDGET,
        f"=SUM({cell(first, BUDGET)}:{cell(last, BUDGET)})",
        styles.box(num_format=integer, align="right", indent=1, bold=True, bg_color=total_fill),
        total_budget,
    )
    share_total = 0.0
    for s in shares:  # in sheet order, as SUM adds them
        share_total += s
    ws.write_formula(
        t,
        SHARE,
        f"=SUM({cell(first, SHARE)}:{cell(last, SHARE)})",
        styles.box(num_format=share_num, align="right", indent=1, bold=True, bg_color=total_fill),
        share_total,
    )
    ws.set_row(t, 22)

    for r, height in placement.heights.items():
        ws.set_row(r, height)
    ws.set_h_pagebreaks(placement.page_breaks)
    ws.print_area(0, 0, t, SHARE)
    ws.protect("", {"format_columns": True, "format_rows": True})
