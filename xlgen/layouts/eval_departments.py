"""Ⅲ 부서별 추진 현황: one "▢ 부서명" block per department, as the document prints it.

Visible columns follow the document (주요사업명 | 성과지표 | 단위 | 목표 | 실적 | 달성률(%)),
then the project's 달성률 and judgement and a 비고 column. Hidden key columns on every
row carry the record key, bureau, department, a first-row-of-project flag, the direction
and the project's rate, so that counting formulas never look at merged cells and an import
maps cells to records by key, never by position.

This module owns the sheet's structure: `write` lays it out and `read_sheet` reads it back,
both from one `SheetFormat` (the department mark, the headers, the hidden headers, the first
data row, the reference columns). The format is recorded in the workbook's `_xlgen` sheet,
so a workbook still reads after the template is restyled.

A new year's document in the 목표 설정 phase (`xlgen new`) has two more visible columns,
last year's 목표 and 실적, protected, between 단위 and 목표 (`ColumnMap`); every column after
them moves two to the right, the hidden ones too. 목표 is then an input like 실적.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..display import shorten
from ..errors import InputError
from ..korean import particle
from ..model import Department, Direction, Evaluation, Indicator, Phase, Project
from ..numbers import fold as fold_digits
from ..numbers import format_number
from ..numbers import read as read_number
from ..rules import RATE_ROUND, indicator_rate, judgement, rate_of
from ._base import (
    RowSource,
    SheetRow,
    Styles,
    cell,
    col_letter,
    decimals_of,
    fill,
    fit_scale,
    footnote,
    lines_needed,
    mark_of,
    marked_number_format,
    marks_on,
    page_setup,
    quote_sheet,
    row_height,
    set_widths,
)

# Column positions (zero-based) of the evaluation layout; also each header's index in the
# template's nine headers. A sheet with reference columns places them by its `ColumnMap`.
PROJECT, INDICATOR, UNIT, TARGET, ACTUAL, RATE, PRATE, JUDGE, NOTE = range(9)
KEY, BUREAU, DEPT, FIRST, DIRECTION, PRATE_ALL = range(9, 15)
HIDDEN_HEADERS = ["기록키", "국", "부서", "사업첫행", "방향", "사업달성률"]
CONTINUED = "{name} (계속)"  # the default title of a block going on after a page break
FIRST_DATA_ROW = 3  # rows 0..2: title, unit, blank
# The visible cells an import reads or checks, by their header's index in the template's
# headers (= their column in the evaluation layout).
VISIBLE = {
    "project": PROJECT,
    "indicator": INDICATOR,
    "unit": UNIT,
    "target": TARGET,
    "actual": ACTUAL,
    "note": NOTE,
}
_ORDER = ("project", "indicator", "unit", "target", "actual", "rate", "prate", "judge", "note")
_REFERENCE = ("prev_target", "prev_actual")  # inserted after 단위 when the sheet has them
_HIDDEN = ("key", "bureau", "dept", "first", "direction", "prate_all")


@dataclass(frozen=True)
class ColumnMap:
    """Where each column of the sheet is written (zero-based)."""

    project: int
    indicator: int
    unit: int
    target: int
    actual: int
    rate: int
    prate: int
    judge: int
    note: int
    key: int
    bureau: int
    dept: int
    first: int
    direction: int
    prate_all: int
    prev_target: int | None = None
    prev_actual: int | None = None

    @classmethod
    def of(cls, reference: bool) -> ColumnMap:
        """The evaluation layout, or with `reference` last year's 목표 and 실적 after 단위."""
        names = [*_ORDER[:3], *(_REFERENCE if reference else ()), *_ORDER[3:], *_HIDDEN]
        return cls(**{name: i for i, name in enumerate(names)})

    @property
    def reference(self) -> bool:
        return self.prev_target is not None

    def visible(self) -> dict[str, int]:
        """The VISIBLE names → the column they are written in."""
        return {name: getattr(self, name) for name in VISIBLE}


COLUMNS = ColumnMap.of(reference=False)  # the module constants above, as a map


@dataclass(frozen=True)
class SheetFormat:
    """What the sheet's reader must recognise, exactly as the writer wrote it.

    The writer takes it from the template; `fields()` records it in the workbook's
    `_xlgen` sheet and `recorded()` reads it back from there, so a workbook built with
    one template still reads after the template is restyled.
    """

    dept_mark: str  # a department block's title is "<mark> <부서명>"
    headers: tuple[str, ...]  # the template's nine column headers (evaluation order)
    hidden_headers: tuple[str, ...] = tuple(HIDDEN_HEADERS)
    first_data_row: int = FIRST_DATA_ROW
    print_mark: str = ""  # a block's footnotes on printed values begin with it ("" = none)
    continued: str = CONTINUED  # a block going on after a page break: its title's name
    # Last year's 목표 and 실적 (a new year's 목표 설정 sheet), written after 단위; () if none.
    reference_headers: tuple[str, ...] = ()

    @classmethod
    def of_template(
        cls, template: Mapping[str, Any], *, reference_year: int | None | bool = False
    ) -> SheetFormat:
        """The format a template gives; refuses headers the reader could not tell apart.
        With `reference_year` (a year, or None when last year's is unknown), the sheet has
        the reference columns, headed by the template's `reference_headers`."""
        conf = template["departments"]
        headers = tuple(str(h) for h in conf["headers"])
        where = "서식 파일 [departments] headers"
        if len(headers) != NOTE + 1:
            raise InputError(f"{where}: 머리글은 {NOTE + 1}개여야 합니다 ({len(headers)}개).")
        reference: tuple[str, ...] = ()
        if reference_year is not False:
            prev = f"{reference_year}년" if isinstance(reference_year, int) else "전년도"
            patterns = conf.get("reference_headers", ["{prev_year} 목표", "{prev_year} 실적"])
            reference = tuple(fill(dict(template), str(h), prev_year=prev) for h in patterns)
            if len(reference) != len(_REFERENCE):
                raise InputError(
                    f"서식 파일 [departments] reference_headers: 머리글은 {len(_REFERENCE)}개여야 "
                    f"합니다 ({len(reference)}개)."
                )
        if any(_SEPARATOR in h for h in headers + reference):
            raise InputError(f"{where}: 머리글에는 '{_SEPARATOR}'를 쓸 수 없습니다.")
        named = [h.strip() for h in headers + reference if h.strip()]
        if len(set(named)) != len(named):
            raise InputError(f"{where}: 같은 머리글이 두 번 있습니다 ({', '.join(named)}).")
        mark = mark_of(template) if marks_on(template) else ""
        return cls(
            str(conf.get("dept_mark", "▢")),
            headers,
            print_mark=mark,
            continued=str(conf.get("continued", CONTINUED)),
            reference_headers=reference,
        )

    @classmethod
    def of_document(cls, evaluation: Evaluation, template: Mapping[str, Any]) -> SheetFormat:
        """The format `evaluation`'s sheet is written with: reference columns for a
        carried-over document in the 목표 설정 phase."""
        carried = evaluation.carried_from
        if evaluation.phase is Phase.TARGETS and carried is not None:
            return cls.of_template(template, reference_year=carried.year)
        return cls.of_template(template)

    @property
    def columns(self) -> ColumnMap:
        return ColumnMap.of(reference=bool(self.reference_headers))

    def header_row(self) -> tuple[str, ...]:
        """The headers as written on a block's header row, in column order."""
        return self.headers[:TARGET] + self.reference_headers + self.headers[TARGET:]

    def widths(self, template: Mapping[str, Any]) -> list[float]:
        """Column widths of the visible columns, in column order."""
        conf = template["departments"]
        widths = list(conf["widths"])
        if self.reference_headers:
            extra = list(conf.get("reference_widths", [widths[TARGET]] * len(_REFERENCE)))
            widths[TARGET:TARGET] = extra[: len(_REFERENCE)]
        return widths

    @classmethod
    def recorded(
        cls, fields: Mapping[str, Any], template: Callable[[], Mapping[str, Any]]
    ) -> SheetFormat:
        """The format recorded in a workbook's `_xlgen` fields. A workbook built before a
        value was recorded is read with the current `template()`'s value (or the code's)."""
        fallback: SheetFormat | None = None

        def default() -> SheetFormat:
            nonlocal fallback
            if fallback is None:
                fallback = cls.of_template(template())
            return fallback

        def listed(name: str) -> tuple[str, ...] | None:
            value = fields.get(name)
            return tuple(str(value).split(_SEPARATOR)) if value not in (None, "") else None

        mark = fields.get("dept_mark")
        first = fields.get("first_data_row")
        print_mark = fields.get("print_mark")  # absent before issue 15: no footnote rows
        continued = fields.get("continued")
        return cls(
            str(mark) if isinstance(mark, str) else default().dept_mark,
            listed("headers") or default().headers,
            listed("hidden_headers") or tuple(HIDDEN_HEADERS),
            int(first) if isinstance(first, (int, float)) and first >= 0 else FIRST_DATA_ROW,
            str(print_mark) if isinstance(print_mark, str) else "",
            str(continued) if isinstance(continued, str) and continued else default().continued,
            # Never the template's: a workbook that does not record them has none.
            listed("reference_headers") or (),
        )

    def fields(self) -> list[tuple[str, Any]]:
        """What `recorded()` reads back, as `_xlgen` fields."""
        return [
            ("headers", _SEPARATOR.join(self.headers)),
            ("dept_mark", self.dept_mark),
            ("hidden_headers", _SEPARATOR.join(self.hidden_headers)),
            ("first_data_row", self.first_data_row),
            ("print_mark", self.print_mark),
            ("continued", self.continued),
            ("reference_headers", _SEPARATOR.join(self.reference_headers)),
        ]

    def dept_title(self, name: str) -> str:
        return f"{self.dept_mark} {name}" if self.dept_mark else name

    def dept_name(self, title: str) -> str:
        """The department a block's title names (`dept_title` read back, of a block's
        first title or of its title again after a page break, `continued`)."""
        title = title.strip()
        if self.dept_mark and title.startswith(self.dept_mark):
            title = title[len(self.dept_mark) :].strip()
        before, found, after = self.continued.partition("{name}")
        if (
            found
            and (before or after)
            and len(title) > len(before) + len(after)
            and title.startswith(before)
            and title.endswith(after)
        ):
            title = title[len(before) : len(title) - len(after)]
        return title.strip()

    def is_dept_title(self, values: list[Any], project_col: int, visible: range) -> bool:
        """A department block's title row: the title alone in the 주요사업명 column."""
        title = values[project_col]
        if not isinstance(title, str) or not title.strip():
            return False
        if self.dept_mark and not title.strip().startswith(self.dept_mark):
            return False
        return all(values[c] in (None, "") for c in visible if c != project_col)

    def is_footnote(self, values: list[Any], project_col: int, visible: range) -> bool:
        """The row after a block holding its footnotes on printed values: text beginning
        with the print mark, alone in the 주요사업명 column."""
        note = values[project_col]
        if not self.print_mark or not isinstance(note, str):
            return False
        if not note.strip().startswith(self.print_mark):
            return False
        return all(values[c] in (None, "") for c in visible if c != project_col)

    def is_header_row(self, labels: list[str | None]) -> bool:
        """A block's column-header row: the headers of every VISIBLE column are on it
        (the others may be left unread)."""
        wanted = {self.headers[c].strip() for c in VISIBLE.values()} - {""}
        return bool(wanted) and wanted <= set(labels)


_SEPARATOR = "|"  # between the headers of one `_xlgen` field


@dataclass
class Placement:
    """Where each record sits: computed before anything is written."""

    indicator_rows: list[tuple[int, str, Indicator, Project, Department]] = field(
        default_factory=list
    )
    project_spans: list[tuple[int, int, Project]] = field(default_factory=list)
    dept_rows: list[tuple[int, Department]] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)
    # A block longer than a page goes on under its title again, "▢ 부서명 (계속)", and its
    # column headers (both real rows, which the reader takes as structure).
    continued_rows: list[tuple[int, Department]] = field(default_factory=list)
    # A project cut by a page break: its printed pieces (first, last row), by first row.
    # Its span still runs from the first piece to the last; the rows between are structure.
    pieces: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    bureau_of: dict[int, str] = field(default_factory=dict)  # row → bureau name
    heights: dict[int, float] = field(default_factory=dict)
    page_breaks: list[int] = field(default_factory=list)
    # The row after a block (or after a page's piece of a long block): the footnotes of its
    # printed rates that differ from the formula's ("※ …: 문서 인쇄값 150 (…)"), on the same
    # page as the marked cells.
    footnotes: dict[int, str] = field(default_factory=dict)
    marked: set[int] = field(default_factory=set)  # rows whose 달성률 carries the mark
    first_row: int = FIRST_DATA_ROW
    last_row: int = FIRST_DATA_ROW
    cols: ColumnMap = COLUMNS  # where each column is (the other sheets' formulas need it)

    def key_range(self, col: int, sheet: str) -> str:
        """An absolute range over every data row of one column, for COUNTIFS."""
        return f"{quote_sheet(sheet)}!{cell(self.first_row, col, absolute=True)}:{cell(self.last_row, col, absolute=True)}"

    def pieces_of(self, start: int, end: int) -> list[tuple[int, int]]:
        """The printed pieces of the project spanning start..end (one unless it is cut)."""
        return self.pieces.get(start, [(start, end)])


@dataclass
class _Line:
    """An indicator row before it has a row number."""

    ind: Indicator
    height: float
    note: str | None  # its footnote, when the document printed another rate


@dataclass
class _Block:
    """A department's table before it has row numbers."""

    bureau: str
    dept: Department
    projects: list[tuple[Project, list[_Line], float]]  # (project, rows, its name's height)
    title: float
    header: float
    blank: float  # the row after the block when it has no footnotes


def place(evaluation: Evaluation, template: dict[str, Any], scale: float) -> Placement:
    """Lay the blocks out and choose page breaks so every page starts with a block header:
    a block that does not fit on the rest of a page starts the next one, and a block longer
    than a page is cut between its rows, going on under a repeated title and header."""
    conf = template["departments"]
    widths = conf["widths"]
    page_height = conf.get("rows_per_page_height", 470) * 100 / max(scale, 1)
    marks = marks_on(template)
    p = Placement(cols=SheetFormat.of_document(evaluation, template).columns)
    row = FIRST_DATA_ROW
    used = sum(row_height(template, 1) for _ in range(FIRST_DATA_ROW))
    for bureau in evaluation.bureaus:
        for dept in bureau.departments:
            projects = []
            for project in dept.projects:
                lines = []
                for ind in project.indicators:
                    mismatch = _rate_mismatch(ind) if marks else None
                    lines.append(
                        _Line(
                            ind,
                            row_height(template, lines_needed(ind.name, widths[INDICATOR])),
                            footnote(template, ind.name, *mismatch) if mismatch else None,
                        )
                    )
                need = row_height(template, lines_needed(project.name, widths[PROJECT]))
                projects.append((project, lines, need))
            block = _Block(
                bureau.name,
                dept,
                projects,
                title=row_height(template, 1) + 6,
                header=row_height(template, 2),
                blank=row_height(template, 1),
            )
            notes = sum(1 for _, lines, _ in projects for line in lines if line.note)
            height = (
                block.title
                + block.header
                + sum(_project_height(lines, need) for _, lines, need in projects)
                + _after(template, block, notes)
            )
            # The blank row after a block may fall off the page's end (it prints nothing).
            fits = height - (0 if notes else block.blank)
            if fits <= page_height:
                if used + fits > page_height and used > 0 and row > FIRST_DATA_ROW:
                    p.page_breaks.append(row)
                    used = 0
                row = _place_block(p, template, block, row)
                used += height
            else:
                row, used = _place_long_block(p, template, block, row, used, page_height)
    p.last_row = max(row - 1, FIRST_DATA_ROW)
    return p


def _project_height(lines: list[_Line], need: float) -> float:
    """A project's rows, the last one made taller when the name needs more."""
    return max(sum(line.height for line in lines), need)


def _after(template: dict[str, Any], block: _Block, notes: int) -> float:
    return row_height(template, notes) if notes else block.blank


def _start(p: Placement, block: _Block, row: int, *, continued: bool) -> int:
    """A block's title and header rows at `row`; the next free row."""
    (p.continued_rows if continued else p.dept_rows).append((row, block.dept))
    p.heights[row] = block.title
    p.header_rows.append(row + 1)
    p.heights[row + 1] = block.header
    return row + 2


def _put(p: Placement, block: _Block, row: int, line: _Line, project: Project) -> None:
    p.indicator_rows.append((row, line.ind.key, line.ind, project, block.dept))
    p.bureau_of[row] = block.bureau
    p.heights[row] = line.height
    if line.note:
        p.marked.add(row)


def _end(p: Placement, template: dict[str, Any], row: int, notes: list[str]) -> int:
    """The row after a block or piece: its footnotes (else blank, and not recorded)."""
    if notes:
        p.footnotes[row] = "\n".join(notes)
        p.heights[row] = row_height(template, len(notes))
    return row + 1


def _place_block(p: Placement, template: dict[str, Any], block: _Block, row: int) -> int:
    """A block that fits on one page; the next free row."""
    row = _start(p, block, row, continued=False)
    notes = []
    for project, lines, need in block.projects:
        start = row
        for line in lines:
            _put(p, block, row, line, project)
            notes += [line.note] if line.note else []
            row += 1
        if lines:
            _grow(p, start, row - 1, need)
        p.project_spans.append((start, row - 1, project))
    return _end(p, template, row, notes)


def _grow(p: Placement, first: int, last: int, need: float) -> None:
    """A project name longer than its rows: give the last row the rest."""
    have = sum(p.heights[r] for r in range(first, last + 1))
    if need > have:
        p.heights[last] += need - have


def _place_long_block(
    p: Placement,
    template: dict[str, Any],
    block: _Block,
    row: int,
    used: float,
    page_height: float,
) -> tuple[int, float]:
    """A block longer than a page: cut between indicator rows, a project kept whole on a
    page when it fits on one; each page's piece ends with its own footnotes, and the next
    begins with "▢ 부서명 (계속)" and the column headers. Returns the next free row and the
    height used on the last page."""
    top = block.title + block.header
    first = next(((lines, need) for _, lines, need in block.projects if lines), None)
    if first is not None:
        lines, need = first
        whole = _project_height(lines, need)
        least = whole if top + whole + block.blank <= page_height else max(lines[0].height, need)
    else:
        least = 0.0
    if used + top + least + block.blank > page_height and used > 0 and row > FIRST_DATA_ROW:
        p.page_breaks.append(row)
        used = 0
    row = _start(p, block, row, continued=False)
    used += top
    notes: list[str] = []  # of the page's piece
    filled = False  # the page holds a row of this block

    def next_page() -> None:
        nonlocal row, used, notes, filled
        row = _end(p, template, row, notes) if notes else row
        notes, filled = [], False
        p.page_breaks.append(row)
        row = _start(p, block, row, continued=True)
        used = top

    for project, lines, need in block.projects:
        n_notes = sum(1 for line in lines if line.note)
        whole = _project_height(lines, need)
        if (
            filled
            and used + whole + _after(template, block, len(notes) + n_notes) > page_height
            and top + whole + _after(template, block, n_notes) <= page_height
        ):
            next_page()  # the project fits on a page of its own: not cut
        start = piece = row
        pieces: list[tuple[int, int]] = []
        have = 0.0  # the project's rows on this page (not yet in `used`)
        for line in lines:
            count = len(notes) + (1 if line.note else 0)
            room = used + max(have + line.height, need) + _after(template, block, count)
            if filled and room > page_height:
                if row > piece:
                    _grow(p, piece, row - 1, need)
                    pieces.append((piece, row - 1))
                next_page()
                piece, have = row, 0.0
                if not pieces:
                    start = row  # cut before its first row
            _put(p, block, row, line, project)
            notes += [line.note] if line.note else []
            have += line.height
            filled = True
            row += 1
        if lines:
            used += max(have, need)
            _grow(p, piece, row - 1, need)
            pieces.append((piece, row - 1))
        if len(pieces) > 1:
            p.pieces[start] = pieces
        p.project_spans.append((start, row - 1, project))
    used += _after(template, block, len(notes))
    return _end(p, template, row, notes), used


def _rate_mismatch(ind: Indicator) -> tuple[str, str] | None:
    """(printed, how the formula gets its value) when the document printed another rate."""
    rate = indicator_rate(ind.target, ind.actual, ind.direction)
    if ind.stated_rate is None or rate is None or ind.stated_rate == rate:
        return None
    t, a = _num(ind.target), _num(ind.actual)
    how = f"목표 {t} ÷ 실적 {a}" if ind.direction == Direction.DOWN else f"실적 {a} ÷ 목표 {t}"
    return _num(ind.stated_rate), f"{how} = {_num(rate)}"


def print_scale(template: dict[str, Any], fmt: SheetFormat | None = None) -> int:
    """Scale that fits the visible columns to the page width (Excel ignores manual page
    breaks under "fit to page", so the fit is computed here instead)."""
    fmt = fmt or SheetFormat.of_template(template)
    return fit_scale(template, fmt.widths(template))


def _rate_formula(r: int, c: ColumnMap = COLUMNS) -> str:
    t, a, d = cell(r, c.target), cell(r, c.actual), cell(r, c.direction)
    down = RATE_ROUND.format(expr=f"{t}/{a}*100")
    up = RATE_ROUND.format(expr=f"{a}/{t}*100")
    return (
        f'=IF(OR({t}="",{t}=0,{a}=""),"",IF({d}="{Direction.DOWN.value}",IF({a}=0,"",{down}),{up}))'
    )


class _Merges:
    """The sheet's vertical merges (주요사업명, 사업 달성률, 판정 over a project's rows),
    registered without writing their cells.

    xlsxwriter's public merge_range() cannot be used here: it writes the anchor and blank
    cells down the whole range at once, and in constant_memory mode (one row buffered at a
    time; this sheet needs it at 100,000 rows) each write to a later row flushes the rows
    before it, so the other cells of the range's rows, written after it, are dropped.
    XlsxWriter documents merge_range() as unsupported in constant_memory mode (issue
    #367); a merge within one row works, as the title rows use. So each row writes its own
    cells in order, and the range is only appended to the worksheet's merge list, which is
    what merge_range() itself does after its checks. The check this skips (no two merges
    may overlap: a file Excel must repair) is done here; tests/test_merges.py proves the
    written file holds no overlap, and that merge_range() does drop cells in this mode.
    """

    def __init__(self, ws: Worksheet, first_free_row: int):
        self.ws = ws
        self.free_from: dict[int, int] = {}  # column → first row not yet merged
        self.first_free_row = first_free_row  # rows above hold the title merges

    def add(self, first_row: int, col: int, last_row: int) -> None:
        if first_row >= last_row:
            raise ValueError(f"not a vertical range: rows {first_row}..{last_row}")
        if first_row < max(self.first_free_row, self.free_from.get(col, 0)):
            raise ValueError(f"merge {cell(first_row, col)}:{cell(last_row, col)} overlaps")
        self.free_from[col] = last_row + 1
        self.ws.merge.append([first_row, col, last_row, col])


@dataclass(frozen=True)
class _Formats:
    """The cell formats of the sheet, made once per workbook."""

    dept: Any
    header: Any
    text: Any
    center: Any
    rate: Any
    prate: Any
    judge: Any
    note: Any
    project: Any
    numbers: list[Any]
    inputs: list[Any]
    marked_rate: Any  # a 달성률 the document printed otherwise: "142※"
    footnote: Any
    keys: Any  # the hidden columns: ";;;" shows nothing (see _write_top)
    references: list[Any]

    @classmethod
    def of(cls, styles: Styles, mark: str) -> _Formats:
        rate = styles.numbers.get("rate", "0")
        return cls(
            dept=styles.get(bold=True, font_size=styles.font_size + 1),
            header=styles.header(),
            text=styles.box(),
            center=styles.box(align="center"),
            rate=styles.box(num_format=styles.numbers.get("rate", "0"), align="right"),
            prate=styles.box(num_format=styles.numbers.get("project_rate", "0.0"), align="center"),
            judge=styles.box(align="center", bold=True),
            note=styles.box(locked=False, bg_color=styles.colors.get("input_fill", "#FFF2CC")),
            project=styles.box(align="left"),
            numbers=[styles.number(d) for d in range(4)],
            inputs=[styles.input(d) for d in range(4)],
            marked_rate=styles.box(num_format=marked_number_format(rate, mark), align="right"),
            footnote=styles.get(align="left", valign="top"),
            keys=styles.get(num_format=";;;"),
            references=[
                styles.number(
                    d,
                    bg_color=styles.colors.get("reference_fill", "#EDEDED"),
                    font_color=styles.colors.get("reference_font", "#595959"),
                )
                for d in range(4)
            ],
        )


@dataclass(frozen=True)
class _Labels:
    weak: str
    normal: str

    def of(self, prate: float | None, threshold: float) -> str:
        return {"부진": self.weak, "정상추진": self.normal}.get(judgement(prate, threshold), "")


def write(
    ws: Worksheet,
    evaluation: Evaluation,
    styles: Styles,
    template: dict[str, Any],
    placement: Placement,
) -> None:
    """Write the sheet strictly row by row (so it also works in constant_memory mode)."""
    fmt = SheetFormat.of_document(evaluation, template)
    c = fmt.columns
    targets_open = evaluation.phase is Phase.TARGETS
    judge = template.get("judgement", {})
    labels = _Labels(judge.get("weak", "부진"), judge.get("normal", "정상추진"))
    formats = _Formats.of(styles, mark_of(template))
    _write_top(ws, evaluation, styles, template, fmt, formats)
    merges = _Merges(ws, fmt.first_data_row)

    events: dict[int, tuple[str, Any]] = {}
    for row, dept in placement.dept_rows:
        events[row] = ("dept", dept.name)
    continued = fmt.continued
    for row, dept in placement.continued_rows:
        events[row] = ("dept", fill(template, continued, name=dept.name))
    for row in placement.header_rows:
        events[row] = ("header", None)
    for row, key, ind, project, dept in placement.indicator_rows:
        events[row] = ("indicator", (key, ind, project, dept))
    for row, text in placement.footnotes.items():
        events[row] = ("footnote", text)
    # Each row of a project: its first row, and the first and last rows of its piece.
    span_of: dict[int, tuple[int, int, int]] = {}
    pieces_of: dict[int, list[tuple[int, int]]] = {}
    for start, end, _ in placement.project_spans:
        pieces_of[start] = placement.pieces_of(start, end)
        for first, last in pieces_of[start]:
            for r in range(first, last + 1):
                span_of[r] = (start, first, last)
    project_rate: dict[int, float | None] = {}  # first row of a project → its 달성률

    for row in sorted(events):
        kind, payload = events[row]
        if row in placement.heights:
            ws.set_row(row, placement.heights[row])
        if kind == "dept":
            ws.write_string(row, PROJECT, fmt.dept_title(payload), formats.dept)
        elif kind == "header":
            for col, text in enumerate(fmt.header_row()):
                ws.write_string(row, col, text, formats.header)
        elif kind == "footnote":
            ws.write_string(row, PROJECT, payload, formats.footnote)
        else:
            key, ind, project, dept = payload
            start, first, last = span_of[row]
            if row == start:
                project_rate[start] = rate_of(project)
                _write_project(ws, row, pieces_of[start], project, project_rate[start], formats, c)
                _write_judgement(ws, row, project_rate[start], evaluation, formats, labels, c)
            elif row == first:  # a piece after a page break: the name and figures again
                prate = project_rate[start]
                shown = ("" if prate is None else prate, labels.of(prate, evaluation.threshold))
                _write_repeat(ws, row, start, project, shown, formats, c)
            if row == first and last > first:
                for col in (c.project, c.prate, c.judge):
                    merges.add(first, col, last)
            if row != first:
                for col, f in ((c.project, formats.project), (c.prate, formats.prate)):
                    ws.write_blank(row, col, None, f)
                ws.write_blank(row, c.judge, None, formats.judge)
            _write_indicator(ws, row, ind, formats, row in placement.marked, c, targets_open)
            _write_keys(ws, row, start, key, ind, dept, placement, project_rate[start], formats)
    _write_rules(ws, styles, placement, fmt, targets_open)


def _write_top(
    ws: Worksheet,
    evaluation: Evaluation,
    styles: Styles,
    template: dict[str, Any],
    fmt: SheetFormat,
    formats: _Formats,
) -> None:
    """Page setup, column widths, the title and unit rows and the hidden columns' headers."""
    conf = template["departments"]
    c = fmt.columns
    page_setup(ws, template, fit_width=False)
    ws.set_print_scale(print_scale(template, fmt))
    set_widths(ws, fmt.widths(template))
    ws.set_column(c.key, c.prate_all, 12, None, {"hidden": True})
    ws.set_row(0, 30)
    title = fill(template, conf["title"], year=evaluation.year or "")
    ws.merge_range(0, 0, 0, c.note, title, styles.title())  # one row each: works row by row
    ws.merge_range(1, 0, 1, c.note, conf.get("unit", ""), styles.unit())
    # LibreOffice puts the text of a hidden column just right of the print area into the
    # PDF's text layer when the last printed cell of the row is blank (measured on 7.4);
    # ";;;" shows nothing, so no key can leak into a print, while the values stay.
    for i, text in enumerate(fmt.hidden_headers):
        ws.write_string(1, c.key + i, text, formats.keys)


def _write_project(
    ws: Worksheet,
    row: int,
    pieces: list[tuple[int, int]],
    project: Project,
    prate: float | None,
    formats: _Formats,
    c: ColumnMap = COLUMNS,
) -> None:
    """A project's name and 사업 달성률 on its first row (the mean over all its pieces:
    never over the title and header rows a page break put between them)."""
    f_range = ",".join(f"{cell(first, c.rate)}:{cell(last, c.rate)}" for first, last in pieces)
    ws.write_string(row, c.project, project.name, formats.project)
    ws.write_formula(
        row,
        c.prate,
        f'=IF(COUNT({f_range})=0,"",AVERAGE({f_range}))',
        formats.prate,
        "" if prate is None else prate,
    )


def _write_repeat(
    ws: Worksheet,
    row: int,
    start: int,
    project: Project,
    shown: tuple[float | str, str],
    formats: _Formats,
    c: ColumnMap = COLUMNS,
) -> None:
    """A cut project's name, 사업 달성률 and 판정 again at the top of a later page. The
    figures refer to the first row's; the counting formulas take first rows only (사업첫행)."""
    ws.write_string(row, c.project, project.name, formats.project)
    for col, f, value in (
        (c.prate, formats.prate, shown[0]),
        (c.judge, formats.judge, shown[1]),
    ):
        src = cell(start, col)
        ws.write_formula(row, col, f'=IF({src}="","",{src})', f, value)


def _write_judgement(
    ws: Worksheet,
    row: int,
    prate: float | None,
    evaluation: Evaluation,
    formats: _Formats,
    labels: _Labels,
    c: ColumnMap = COLUMNS,
) -> None:
    """A project's 판정 on its first row (against the 설정 sheet's THRESHOLD)."""
    p_cell = cell(row, c.prate)
    ws.write_formula(
        row,
        c.judge,
        f'=IF({p_cell}="","",IF({p_cell}<=THRESHOLD,"{labels.weak}","{labels.normal}"))',
        formats.judge,
        labels.of(prate, evaluation.threshold),
    )


def _write_indicator(
    ws: Worksheet,
    row: int,
    ind: Indicator,
    formats: _Formats,
    marked: bool = False,
    c: ColumnMap = COLUMNS,
    targets_open: bool = False,
) -> None:
    """An indicator's visible cells: name, unit, (last year's 목표 and 실적,) 목표 (an input
    in the 목표 설정 phase), 실적 (input), 달성률, 비고 (input)."""
    decimals = decimals_of(ind.target, ind.actual, ind.prev_target, ind.prev_actual)
    ws.write_string(row, c.indicator, ind.name, formats.text)
    ws.write_string(row, c.unit, ind.unit, formats.center)
    cells = [
        (c.target, ind.target, (formats.inputs if targets_open else formats.numbers)[decimals]),
        (c.actual, ind.actual, formats.inputs[decimals]),
    ]
    if c.prev_target is not None and c.prev_actual is not None:
        cells += [
            (c.prev_target, ind.prev_target, formats.references[decimals]),
            (c.prev_actual, ind.prev_actual, formats.references[decimals]),
        ]
    for col, value, f in sorted(cells, key=lambda x: x[0]):
        if value is None:
            ws.write_blank(row, col, None, f)
        else:
            ws.write_number(row, col, value, f)
    rate = indicator_rate(ind.target, ind.actual, ind.direction)
    rate_fmt = formats.marked_rate if marked else formats.rate
    ws.write_formula(row, c.rate, _rate_formula(row, c), rate_fmt, "" if rate is None else rate)
    if ind.stated_rate is not None and rate is not None and ind.stated_rate != rate:
        ws.write_comment(
            row,
            c.rate,
            f"문서 인쇄값: {_num(ind.stated_rate)}\n계산값: {_num(rate)} (실적 ÷ 목표 × 100, 반올림)",
            {"author": "xlgen", "x_scale": 1.6, "y_scale": 0.8},
        )
    ws.write_string(row, c.note, ind.note or "", formats.note)


def _write_keys(
    ws: Worksheet,
    row: int,
    start: int,
    key: str,
    ind: Indicator,
    dept: Department,
    placement: Placement,
    prate: float | None,
    formats: _Formats,
) -> None:
    """The hidden columns: what the counting formulas and the import read."""
    c = placement.cols
    f = formats.keys
    ws.write_string(row, c.key, key, f)
    ws.write_string(row, c.bureau, placement.bureau_of[row], f)
    ws.write_string(row, c.dept, dept.name, f)
    ws.write_number(row, c.first, 1 if row == start else 0, f)
    ws.write_string(row, c.direction, ind.direction.value, f)
    ws.write_formula(
        row, c.prate_all, f"={cell(start, c.prate)}", f, "" if prate is None else prate
    )


def _number_validation(what: str) -> dict[str, Any]:
    """The data validation of a number input column (실적, and 목표 while targets are set)."""
    return {
        "validate": "decimal",
        "criteria": "between",
        "minimum": -1e15,
        "maximum": 1e15,
        "ignore_blank": True,
        "input_title": f"{what} 입력",
        "input_message": "숫자만 입력하세요. 음수는 -로 입력하면 △로 표시됩니다. 값이 없으면 비워 두세요.",
        "error_title": "숫자가 아닙니다",
        "error_message": f"{what}에는 숫자만 입력할 수 있습니다 (예: 1234, 12.5, -231). %나 글자는 넣지 마세요.",
        "error_type": "stop",
    }


def _write_rules(
    ws: Worksheet,
    styles: Styles,
    placement: Placement,
    fmt: SheetFormat,
    targets_open: bool = False,
) -> None:
    """What covers the whole sheet: the 부진 highlight, the 실적 (and open 목표) validation,
    print setup and protection (written after the rows: none of it writes cells)."""
    c = placement.cols
    first, last = fmt.first_data_row, placement.last_row
    weak_fmt = styles.workbook.add_format(
        {
            "bg_color": styles.colors.get("weak_fill", "#F8CBAD"),
            "font_color": styles.colors.get("weak_font", "#9C0006"),
        }
    )
    flag = f"${col_letter(c.prate_all)}{first + 1}"  # relative row, absolute column
    weak_rule = f"=AND(ISNUMBER({flag}),{flag}<=THRESHOLD)"
    # The input cells of a 부진 row keep an input look of their own (a yellow, not the
    # salmon of the row): written first, this rule takes precedence over the row's fill.
    weak_input_fmt = styles.workbook.add_format(
        {
            "bg_color": styles.colors.get("weak_input_fill", "#FFD966"),
            "font_color": styles.colors.get("weak_font", "#9C0006"),
        }
    )
    for col in (c.actual, c.note) + ((c.target,) if targets_open else ()):
        ws.conditional_format(
            first,
            col,
            last,
            col,
            {"type": "formula", "criteria": weak_rule, "format": weak_input_fmt},
        )
    ws.conditional_format(
        first,
        c.project,
        last,
        c.note,
        {"type": "formula", "criteria": weak_rule, "format": weak_fmt},
    )
    if placement.indicator_rows:
        first_input = placement.indicator_rows[0][0]
        last_input = placement.indicator_rows[-1][0]
        inputs = [(c.actual, "실적")] + ([(c.target, "목표")] if targets_open else [])
        for col, what in inputs:
            ws.data_validation(first_input, col, last_input, col, _number_validation(what))
    ws.set_h_pagebreaks(placement.page_breaks)
    ws.print_area(0, 0, last, c.note)
    ws.repeat_rows(0, 0)
    ws.freeze_panes(first, 0)
    ws.protect("", {"sort": True, "autofilter": True, "format_columns": True, "format_rows": True})


# --------------------------------------------------------------------------- reading back

# How far below the first data row the first column-header row is looked for (rows staff
# may have inserted above it).
HEADER_SEARCH_ROWS = 60


@dataclass(frozen=True)
class Columns:
    """Where a sheet as read holds each column (zero-based)."""

    at: dict[str, int]  # "key" and the VISIBLE names → column
    known: frozenset[int]  # every column the sheet was built with

    def unused(self) -> frozenset[int]:
        """Built columns an import neither takes nor checks (left unread)."""
        return self.known - set(self.at.values())


@dataclass(slots=True)
class InputRow:
    """A data row as read back: its key and the cells an import takes or checks.

    `key` is the stripped key text (None when the key cell holds something else than
    text); rows without any key cell value are in `SheetReading.keyless` instead.
    """

    index: int  # zero-based row
    raw_key: Any
    key: str | None
    project: Any
    indicator: Any
    unit: Any
    target: Any
    actual: Any
    note: Any
    actual_percent: bool  # the 실적 cell holds a percentage-formatted number
    first_row: int | None = None  # a repeated key: the 1-based row it was first on
    target_percent: bool = False  # the 목표 cell holds a percentage-formatted number
    shown: str = ""  # a keyless row: its first content, as messages show it
    # What the sheet shows the row belongs to, whatever its key says: the department of
    # the "▢ 부서" block it sits in (None above every block) and the row of that title; the
    # 주요사업명 it sits under (its own cell, else the merged range's first cell, else the
    # project's first row above it in its block) and the row that name is on.
    department: str | None = None
    department_row: int | None = None
    shown_project: Any = None
    project_row: int | None = None


@dataclass
class SheetReading:
    """What `read_sheet` found on the sheet."""

    sheet: str
    columns: Columns
    rows: list[InputRow]  # every row carrying a key cell value, in sheet order
    keyless: list[InputRow]  # rows with content, no key, that the writer did not write
    added_columns: list[int]  # columns holding content the sheet was not built with
    dept_mark: str = ""  # as the sheet's format has it (to name a block's title)
    _prefix: dict[str, str] = field(default_factory=dict, repr=False)

    def dept_title(self, name: str) -> str:
        """A block's title as the sheet shows it."""
        return f"{self.dept_mark} {name}" if self.dept_mark else name

    def ref(self, name: str, index: int) -> str:
        """sheet!cell of one column ("key" or a VISIBLE name) on a zero-based row."""
        prefix = self._prefix.get(name)
        if prefix is None:  # one per column (this is called for every row)
            prefix = self._prefix[name] = f"{self.sheet}!{col_letter(self.columns.at[name])}"
        return f"{prefix}{index + 1}"


Merges = Callable[[], "list[tuple[int, int, int, int]] | None"]


def read_sheet(
    rows: RowSource, sheet: str, fmt: SheetFormat, merges: Merges | None = None
) -> SheetReading:
    """Read a Ⅲ sheet back: the rows carrying record keys with their input and identifying
    cells, and what does not belong to the sheet as written (added rows and columns).

    Rows are mapped by key, not position, so staff may sort, filter or hide rows; columns
    are found by the headers `fmt` says were written, so an inserted column shifts
    nothing. The column headers are read first, then every row once, streamed, leaving
    unread the built columns nothing checks.

    `merges()`, asked once every row was read, gives the sheet's merged ranges ((first
    row, first column, last row, last column), zero-based; None when unknown): a row whose
    주요사업명 cell is blank shows the name of the merged range it sits in.
    """
    columns = locate_columns(rows(limit=fmt.first_data_row + HEADER_SEARCH_ROWS), fmt)
    return _read_rows(rows(skip=columns.unused()), sheet, fmt, columns, merges)


def locate_columns(head: Iterable[SheetRow], fmt: SheetFormat) -> Columns:
    """Find the key and visible columns by the headers written (falling back to the
    built positions), and every column the sheet was built with."""
    built = fmt.columns
    at = {"key": built.key, **built.visible()}
    labelled = set(range(built.note + 1))
    for row in head:
        values = row.values
        if row.index < fmt.first_data_row:
            for col, value in enumerate(values):
                if isinstance(value, str) and value.strip() == fmt.hidden_headers[0]:
                    at["key"] = col
            continue
        labels = _labels(values)
        if fmt.is_header_row(labels):
            for name, position in VISIBLE.items():
                header = fmt.headers[position].strip()
                if header and header in labels:
                    at[name] = labels.index(header)
            written = {h.strip() for h in fmt.header_row()}
            labelled = {i for i, label in enumerate(labels) if label in written}
            break
    hidden = range(at["key"], at["key"] + len(fmt.hidden_headers))
    return Columns(at, frozenset(labelled | set(hidden)))


def _read_rows(
    rows: Iterable[SheetRow],
    sheet: str,
    fmt: SheetFormat,
    columns: Columns,
    merges: Merges | None = None,
) -> SheetReading:
    at = columns.at
    key_col, actual_col, note_col = at["key"], at["actual"], at["note"]
    project_col, indicator_col, unit_col, target_col = (
        at[name] for name in ("project", "indicator", "unit", "target")
    )
    first_data_row = fmt.first_data_row
    width = max(at.values()) + 1
    visible = range(max(at[name] for name in VISIBLE) + 1)
    known = columns.known
    unknown_from = next(i for i in range(len(known) + 1) if i not in known)
    reading = SheetReading(sheet, columns, [], [], [], fmt.dept_mark)
    added: set[int] = set()
    first_seen: dict[str, int] = {}
    department: str | None = None  # the block being read
    department_row: int | None = None
    named: tuple[int, Any] | None = None  # the block's last keyed row showing a 주요사업명
    named_rows: list[int] = []  # every row whose 주요사업명 cell holds something, in order
    names: dict[int, Any] = {}  # ... and what, for the data rows (not titles or headers)
    for row in rows:
        index, values = row.index, row.values
        if index < first_data_row:
            continue
        if len(values) > unknown_from:
            added.update(
                i
                for i in range(unknown_from, len(values))
                if i not in known and values[i] not in (None, "")
            )
        if len(values) < width:
            values = values + [None] * (width - len(values))
        raw_key = values[key_col]
        has_key = raw_key not in (None, "")
        own_project = values[project_col]
        if own_project not in (None, ""):
            named_rows.append(index)
        if not has_key:
            if all(values[c] in (None, "") for c in visible):
                continue  # empty
            if fmt.is_dept_title(values, project_col, visible):
                department, department_row, named = fmt.dept_name(own_project), index, None
                continue  # written by the writer as a block's title
            if fmt.is_footnote(values, project_col, visible) or fmt.is_header_row(_labels(values)):
                named = None
                continue  # ... or as a block's footnotes or headers
        if own_project not in (None, ""):
            names[index] = own_project
        key = raw_key.strip() if isinstance(raw_key, str) else None
        found = InputRow(
            index,
            raw_key,
            key,
            values[project_col],
            values[indicator_col],
            values[unit_col],
            values[target_col],
            values[actual_col],
            values[note_col],
            actual_col in row.percent,
            target_percent=target_col in row.percent,
        )
        if has_key:
            found.department, found.department_row = department, department_row
            if own_project not in (None, ""):
                named = (index, own_project)
                found.shown_project, found.project_row = own_project, index
            elif named is not None:
                found.project_row, found.shown_project = named
            if key in first_seen:
                found.first_row = first_seen[key]
            elif key:
                first_seen[key] = index + 1
            reading.rows.append(found)
        else:
            found.shown = str(values[0] or next(v for v in values if v not in (None, "")))[:30]
            reading.keyless.append(found)
    reading.added_columns = sorted(added)
    found_merges = merges() if merges is not None else None
    if found_merges:
        _shown_through_merges(reading.rows, found_merges, project_col, named_rows, names)
    return reading


def _shown_through_merges(
    rows: list[InputRow],
    merges: list[tuple[int, int, int, int]],
    project_col: int,
    named_rows: list[int],
    names: dict[int, Any],
) -> None:
    """A keyed row with a blank 주요사업명 cell inside a merged range shows the range's
    first cell. Only ranges as a spreadsheet makes them count: their first cell a data
    row holding a name, every other cell empty (a value hidden inside a range, as a tool
    that moves rows without their merges leaves it, makes the range no guide: the rows'
    own cells and the project's first row above decide then)."""
    spans = sorted(
        (r1, r2) for r1, c1, r2, c2 in merges if c1 <= project_col <= c2 and r2 > r1 and r1 in names
    )
    if not spans:
        return
    starts = [r1 for r1, _ in spans]
    for row in rows:
        if row.project not in (None, ""):
            continue
        k = bisect_right(starts, row.index - 1) - 1
        if k < 0:
            continue
        r1, r2 = spans[k]
        if not r1 < row.index <= r2:
            continue
        inside = bisect_right(named_rows, r1)  # the first named row after the first cell
        if inside < len(named_rows) and named_rows[inside] <= r2:
            continue  # a value hidden inside the range
        row.shown_project, row.project_row = names[r1], r1


def _labels(values: list[Any]) -> list[str | None]:
    """A row's texts as header labels: stripped, NFC (a header saved in NFD is the same)."""
    return [unicodedata.normalize("NFC", v.strip()) if isinstance(v, str) else None for v in values]


def same_text(a: Any, b: Any) -> bool:
    """Texts equal once stripped and NFC-normalised (a workbook saved on a Mac may hold
    NFD: '회' as ㅎ + ㅚ), blanks equal to blanks."""
    return a == b or nfc(a) == nfc(b)  # equal as written: almost every row


def nfc(value: Any) -> Any:
    """A text stripped and NFC-normalised; None and "" as ""; anything else unchanged."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


def _shown_date(value: date | time) -> str:
    if isinstance(value, datetime):
        if value.date() <= date(1899, 12, 31):  # a serial below 1: a time of day only
            return value.strftime("%H:%M:%S")
        if value.time() == time():
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


def _num(value: Any) -> str:
    return format_number(value)


def parse_actual(value: Any, unit: str, what: str = "실적") -> tuple[Any, str | None]:
    """A 실적 (or, while targets are set, 목표: `what`) cell's value → (number or None, a
    note on what was normalised, or None).

    A blank (or "-") means "no value", which is not zero. Text is accepted only when it is
    a number once written out plainly: "1,234", "△231", full-width digits, "85%" for a
    percentage indicator. Raises ValueError with a Korean reason for anything else.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise ValueError(f"참/거짓 값은 {what}{particle(what, '이/가')} 될 수 없습니다")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("숫자가 아닙니다")
        if abs(value) > 1e15:
            raise ValueError("너무 큰 숫자입니다")
        return value, None
    if isinstance(value, (datetime, date, time)):
        raise ValueError(
            f"칸이 날짜·시간 서식이라 숫자가 아닌 날짜({_shown_date(value)})로 저장되어 있습니다. "
            "칸 서식을 '숫자'나 '일반'으로 바꾸고 숫자를 다시 입력하세요"
        )
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
    reading = read_number(folded) if len(folded) <= 100 else None
    # "(1,234)" is not negative in a document, but typed into Excel it usually means -1234:
    # the cell cannot say which, so it is refused rather than guessed.
    if reading is None or reading.parenthesised:
        shown = f"'{text}'" if len(text) <= 40 else shorten(text)
        raise ValueError(f"{shown}{particle(shown, '은/는')} 숫자가 아닙니다")
    number = reading.value
    if abs(number) > 1e15:
        raise ValueError("너무 큰 숫자입니다")
    shown = format_number(number, negative="-", grouping=False, whole="point")
    return (
        number,
        f"글자로 입력된 '{text}'{particle(text, '을/를')} 숫자 {shown}{particle(shown, '으로/로')} 읽었습니다",
    )
