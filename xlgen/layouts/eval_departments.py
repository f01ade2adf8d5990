"""Ⅲ 부서별 추진 현황: one "▢ 부서명" block per department, as the document prints it.

Visible columns follow the document (주요사업명 | 성과지표 | 단위 | 목표 | 실적 | 달성률(%)),
then the project's 달성률 and judgement and a 비고 column. Hidden key columns on every
row carry the record key, bureau, department, a first-row-of-project flag, the direction
and the project's rate, so that counting formulas never look at merged cells and an import
maps cells to records by key, never by position.

Writing (`write`) and reading the input cells back (`read_inputs`) live here together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..model import Department, Direction, Evaluation, Indicator, Project
from ..numbers import fold as fold_digits
from ..numbers import format_number
from ..numbers import read as read_number
from ..rules import RATE_ROUND, indicator_rate, judgement, rate_of
from ._base import (
    Styles,
    cell,
    col_letter,
    column_points,
    decimals_of,
    fill,
    lines_needed,
    page_setup,
    printable_width_points,
    quote_sheet,
    row_height,
    set_widths,
)

# Column positions (zero-based).
PROJECT, INDICATOR, UNIT, TARGET, ACTUAL, RATE, PRATE, JUDGE, NOTE = range(9)
KEY, BUREAU, DEPT, FIRST, DIRECTION, PRATE_ALL = range(9, 15)
HIDDEN_HEADERS = ["기록키", "국", "부서", "사업첫행", "방향", "사업달성률"]
FIRST_DATA_ROW = 3  # rows 0..2: title, unit, blank


@dataclass
class Placement:
    """Where each record sits: computed before anything is written."""

    indicator_rows: list[tuple[int, str, Indicator, Project, Department]] = field(
        default_factory=list
    )
    project_spans: list[tuple[int, int, Project]] = field(default_factory=list)
    dept_rows: list[tuple[int, Department]] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)
    bureau_of: dict[int, str] = field(default_factory=dict)  # row → bureau name
    heights: dict[int, float] = field(default_factory=dict)
    page_breaks: list[int] = field(default_factory=list)
    first_row: int = FIRST_DATA_ROW
    last_row: int = FIRST_DATA_ROW

    def key_range(self, col: int, sheet: str) -> str:
        """An absolute range over every data row of one column, for COUNTIFS."""
        return f"{quote_sheet(sheet)}!{cell(self.first_row, col, absolute=True)}:{cell(self.last_row, col, absolute=True)}"


def place(evaluation: Evaluation, template: dict[str, Any], scale: float) -> Placement:
    """Lay the blocks out and choose page breaks so every page starts with a block header."""
    conf = template["departments"]
    widths = conf["widths"]
    page_height = conf.get("rows_per_page_height", 470) * 100 / max(scale, 1)
    p = Placement()
    row = FIRST_DATA_ROW
    used = sum(row_height(template, 1) for _ in range(FIRST_DATA_ROW))
    for bureau in evaluation.bureaus:
        for dept in bureau.departments:
            block: list[tuple[int, float]] = []
            block.append((row, row_height(template, 1) + 6))
            p.dept_rows.append((row, dept))
            row += 1
            block.append((row, row_height(template, 2)))
            p.header_rows.append(row)
            row += 1
            for project in dept.projects:
                start = row
                project_lines = lines_needed(project.name, widths[PROJECT])
                for ind in project.indicators:
                    lines = lines_needed(ind.name, widths[INDICATOR])
                    p.indicator_rows.append((row, ind.key, ind, project, dept))
                    p.bureau_of[row] = bureau.name
                    block.append((row, row_height(template, lines)))
                    row += 1
                # A project name longer than its rows: give the last row the rest.
                span_height = sum(h for r, h in block if r >= start)
                need = row_height(template, project_lines)
                if need > span_height:
                    last_r, last_h = block[-1]
                    block[-1] = (last_r, last_h + need - span_height)
                p.project_spans.append((start, row - 1, project))
            block_height = sum(h for _, h in block)
            if used + block_height > page_height and used > 0 and block[0][0] > FIRST_DATA_ROW:
                p.page_breaks.append(block[0][0])
                used = 0
            used += block_height + row_height(template, 1)
            for r, h in block:
                p.heights[r] = h
            row += 1  # a blank row between blocks
    p.last_row = max(row - 1, FIRST_DATA_ROW)
    return p


def print_scale(template: dict[str, Any]) -> int:
    """Scale that fits the visible columns to the page width (Excel ignores manual page
    breaks under "fit to page", so the fit is computed here instead)."""
    widths = template["departments"]["widths"]
    return max(10, min(100, int(printable_width_points(template) / column_points(widths) * 100)))


def _rate_formula(r: int) -> str:
    t, a, d = cell(r, TARGET), cell(r, ACTUAL), cell(r, DIRECTION)
    down = RATE_ROUND.format(expr=f"{t}/{a}*100")
    up = RATE_ROUND.format(expr=f"{a}/{t}*100")
    return (
        f'=IF(OR({t}="",{t}=0,{a}=""),"",IF({d}="{Direction.DOWN.value}",IF({a}=0,"",{down}),{up}))'
    )


def _merge(ws: Worksheet, first_row: int, col: int, last_row: int) -> None:
    """Register a vertical merge without writing its cells.

    xlsxwriter's merge_range() writes blank cells down the whole range at once, which
    constant_memory mode (one row buffered at a time) cannot take; here each row writes
    its own cells in order, so only the range is recorded.
    """
    ws.merge.append([first_row, col, last_row, col])


def write(
    ws: Worksheet,
    evaluation: Evaluation,
    styles: Styles,
    template: dict[str, Any],
    placement: Placement,
) -> None:
    """Write the sheet strictly row by row (so it also works in constant_memory mode)."""
    conf = template["departments"]
    judge = template.get("judgement", {})
    weak_label, normal_label = judge.get("weak", "부진"), judge.get("normal", "정상추진")
    year = evaluation.year or ""
    page_setup(ws, template, fit_width=False)
    ws.set_print_scale(print_scale(template))
    set_widths(ws, conf["widths"])
    ws.set_column(KEY, PRATE_ALL, 12, None, {"hidden": True})
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, NOTE, fill(template, conf["title"], year=year), styles.title())
    ws.merge_range(1, 0, 1, NOTE, conf.get("unit", ""), styles.unit())
    for i, text in enumerate(HIDDEN_HEADERS):
        ws.write_string(1, KEY + i, text)

    dept_fmt = styles.get(bold=True, font_size=styles.font_size + 1)
    header_fmt = styles.header()
    text_fmt = styles.box()
    center_fmt = styles.box(align="center")
    rate_fmt = styles.box(num_format=styles.numbers.get("rate", "0"), align="right")
    prate_fmt = styles.box(num_format=styles.numbers.get("project_rate", "0.0"), align="center")
    judge_fmt = styles.box(align="center", bold=True)
    note_fmt = styles.box(locked=False, bg_color=styles.colors.get("input_fill", "#FFF2CC"))
    project_fmt = styles.box(align="left")
    number_fmts = [styles.number(d) for d in range(4)]
    input_fmts = [styles.input(d) for d in range(4)]
    threshold = evaluation.threshold

    events: dict[int, tuple[str, Any]] = {}
    for row, dept in placement.dept_rows:
        events[row] = ("dept", dept)
    for row in placement.header_rows:
        events[row] = ("header", None)
    span_of: dict[int, tuple[int, int, Project]] = {}
    for start, end, project in placement.project_spans:
        for r in range(start, end + 1):
            span_of[r] = (start, end, project)
    project_state: dict[int, tuple[float | None, str]] = {}

    for row, key, ind, project, dept in placement.indicator_rows:
        events[row] = ("indicator", (key, ind, project, dept))

    for row in sorted(events):
        kind, payload = events[row]
        if row in placement.heights:
            ws.set_row(row, placement.heights[row])
        if kind == "dept":
            ws.write_string(row, 0, f"{conf.get('dept_mark', '▢')} {payload.name}", dept_fmt)
            continue
        if kind == "header":
            for col, text in enumerate(conf["headers"]):
                ws.write_string(row, col, text, header_fmt)
            continue
        key, ind, project, dept = payload
        start, end, _ = span_of[row]
        if row == start:
            prate = rate_of(project)
            label = {"부진": weak_label, "정상추진": normal_label}.get(
                judgement(prate, threshold), ""
            )
            project_state[start] = (prate, label)
            f_range = f"{cell(start, RATE)}:{cell(end, RATE)}"
            p_cell = cell(start, PRATE)
            if end > start:
                for col in (PROJECT, PRATE, JUDGE):
                    _merge(ws, start, col, end)
            ws.write_string(row, PROJECT, project.name, project_fmt)
            ws.write_formula(
                row,
                PRATE,
                f'=IF(COUNT({f_range})=0,"",AVERAGE({f_range}))',
                prate_fmt,
                "" if prate is None else prate,
            )
            ws.write_formula(
                row,
                JUDGE,
                f'=IF({p_cell}="","",IF({p_cell}<=THRESHOLD,"{weak_label}","{normal_label}"))',
                judge_fmt,
                label,
            )
        else:
            ws.write_blank(row, PROJECT, None, project_fmt)
            ws.write_blank(row, PRATE, None, prate_fmt)
            ws.write_blank(row, JUDGE, None, judge_fmt)
        decimals = decimals_of(ind.target, ind.actual)
        ws.write_string(row, INDICATOR, ind.name, text_fmt)
        ws.write_string(row, UNIT, ind.unit, center_fmt)
        if ind.target is None:
            ws.write_blank(row, TARGET, None, number_fmts[decimals])
        else:
            ws.write_number(row, TARGET, ind.target, number_fmts[decimals])
        if ind.actual is None:
            ws.write_blank(row, ACTUAL, None, input_fmts[decimals])
        else:
            ws.write_number(row, ACTUAL, ind.actual, input_fmts[decimals])
        rate = indicator_rate(ind.target, ind.actual, ind.direction)
        ws.write_formula(row, RATE, _rate_formula(row), rate_fmt, "" if rate is None else rate)
        if ind.stated_rate is not None and rate is not None and ind.stated_rate != rate:
            ws.write_comment(
                row,
                RATE,
                f"문서 인쇄값: {_num(ind.stated_rate)}\n계산값: {_num(rate)} (실적 ÷ 목표 × 100, 반올림)",
                {"author": "xlgen", "x_scale": 1.6, "y_scale": 0.8},
            )
        ws.write_string(row, NOTE, ind.note or "", note_fmt)
        prate = project_state[start][0]
        ws.write_string(row, KEY, key)
        ws.write_string(row, BUREAU, placement.bureau_of[row])
        ws.write_string(row, DEPT, dept.name)
        ws.write_number(row, FIRST, 1 if row == start else 0)
        ws.write_string(row, DIRECTION, ind.direction.value)
        ws.write_formula(
            row, PRATE_ALL, f"={cell(start, PRATE)}", None, "" if prate is None else prate
        )

    last = placement.last_row
    weak_fmt = styles.workbook.add_format(
        {
            "bg_color": styles.colors.get("weak_fill", "#F8CBAD"),
            "font_color": styles.colors.get("weak_font", "#9C0006"),
        }
    )
    flag = f"${col_letter(PRATE_ALL)}{FIRST_DATA_ROW + 1}"  # relative row, absolute column
    ws.conditional_format(
        FIRST_DATA_ROW,
        PROJECT,
        last,
        NOTE,
        {
            "type": "formula",
            "criteria": f"=AND(ISNUMBER({flag}),{flag}<=THRESHOLD)",
            "format": weak_fmt,
        },
    )
    if placement.indicator_rows:
        first_input = placement.indicator_rows[0][0]
        last_input = placement.indicator_rows[-1][0]
        ws.data_validation(
            first_input,
            ACTUAL,
            last_input,
            ACTUAL,
            {
                "validate": "decimal",
                "criteria": "between",
                "minimum": -1e15,
                "maximum": 1e15,
                "ignore_blank": True,
                "input_title": "실적 입력",
                "input_message": "숫자만 입력하세요. 음수는 -로 입력하면 △로 표시됩니다. 값이 없으면 비워 두세요.",
                "error_title": "숫자가 아닙니다",
                "error_message": "실적에는 숫자만 입력할 수 있습니다 (예: 1234, 12.5, -231). %나 글자는 넣지 마세요.",
                "error_type": "stop",
            },
        )
    ws.set_h_pagebreaks(placement.page_breaks)
    ws.print_area(0, 0, last, NOTE)
    ws.repeat_rows(0, 0)
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    ws.protect("", {"sort": True, "autofilter": True, "format_columns": True, "format_rows": True})


def read_inputs(rows: list[list[Any]]) -> dict[str, dict[str, Any]]:
    """Input cells of a Ⅲ sheet, by record key: {key: {"row": n, "actual": v, "note": v}}.

    `rows` are the sheet's cell values (zero-based rows and columns, as a reader such as
    openpyxl or calamine gives them). Only rows carrying a record key count; their
    position does not matter, so staff may sort, filter or hide rows.
    """
    found: dict[str, dict[str, Any]] = {}
    for index, values in enumerate(rows):
        key = values[KEY] if len(values) > KEY else None
        if not isinstance(key, str) or not key.strip() or index < FIRST_DATA_ROW:
            continue
        found[key.strip()] = {
            "row": index,
            "actual": values[ACTUAL] if len(values) > ACTUAL else None,
            "note": values[NOTE] if len(values) > NOTE else None,
        }
    return found


def _num(value: Any) -> str:
    return format_number(value)


# --------------------------------------------------------------------------- reading back

COLUMN_LABELS = {
    "actual": "실적",
    "note": "비고",
    "indicator": "성과지표",
    "unit": "단위",
    "target": "목표",
    "project": "주요사업명",
}


def locate_columns(
    rows: list[list[Any]], headers: list[str] | None = None
) -> tuple[dict[str, int], set[int]]:
    """Find the input and key columns by their labels, not by position, so a column staff
    inserted does not shift what is read (falling back to the built positions). Also
    returns every column the sheet was built with, so an added one can be named."""
    found = {
        "key": KEY,
        "actual": ACTUAL,
        "note": NOTE,
        "indicator": INDICATOR,
        "unit": UNIT,
        "target": TARGET,
        "project": PROJECT,
    }
    labelled = set(range(NOTE + 1))
    for values in rows[:FIRST_DATA_ROW]:
        for col, value in enumerate(values):
            if value == HIDDEN_HEADERS[0]:
                found["key"] = col
    for values in rows[FIRST_DATA_ROW : FIRST_DATA_ROW + 60]:
        labels = [str(v).strip() if isinstance(v, str) else None for v in values]
        if "실적" in labels and "성과지표" in labels:
            for name, label in COLUMN_LABELS.items():
                if label in labels:
                    found[name] = labels.index(label)
            expected = set(headers or COLUMN_LABELS.values())
            labelled = {i for i, label in enumerate(labels) if label in expected}
            break
    return found, labelled | set(range(found["key"], found["key"] + len(HIDDEN_HEADERS)))


def parse_actual(value: Any, unit: str) -> tuple[Any, str | None]:
    """A 실적 cell's value → (number or None, a note on what was normalised, or None).

    A blank (or "-") means "no value", which is not zero. Text is accepted only when it is
    a number once written out plainly: "1,234", "△231", full-width digits, "85%" for a
    percentage indicator. Raises ValueError with a Korean reason for anything else.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise ValueError("참/거짓 값은 실적이 될 수 없습니다")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("숫자가 아닙니다")
        if abs(value) > 1e15:
            raise ValueError("너무 큰 숫자입니다")
        return value, None
    if not isinstance(value, str):
        raise ValueError(f"숫자가 아닙니다 ({type(value).__name__})")
    text = value.strip()
    if text.startswith("="):
        raise ValueError(f"수식({text[:30]})은 넣을 수 없습니다. 숫자를 직접 입력하세요")
    if text in ("", "-", "－", "–", "—"):
        return None, None
    folded = fold_digits(text).replace(" ", "")
    if folded.endswith("%") and unit.strip() != "%":
        raise ValueError(f"'{text}': 단위가 '{unit}'인 지표에 %를 붙일 수 없습니다")
    reading = read_number(folded)
    # "(1,234)" is not negative in a document, but typed into Excel it usually means -1234:
    # the cell cannot say which, so it is refused rather than guessed.
    if reading is None or reading.parenthesised:
        raise ValueError(f"'{text}'은(는) 숫자가 아닙니다")
    number = reading.value
    if abs(number) > 1e15:
        raise ValueError("너무 큰 숫자입니다")
    shown = format_number(number, negative="-", grouping=False, whole="point")
    return number, f"글자로 입력된 '{text}'을(를) 숫자 {shown}(으)로 읽었습니다"
