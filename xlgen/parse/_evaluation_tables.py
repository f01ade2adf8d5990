"""Section Ⅲ of an evaluation: department tables → raw rows.

The extracted text loses the table grid. What survives:
- "▢ 부서명" headers (▢ or □), in the logical order of the departments;
- a column header ("주요사업명 성과지표 단위 목표 실적 / 달성률 / (%)") per table and page;
- one *anchor* line per indicator that ends with "단위 목표 실적 달성률";
- the names of the project and the indicator as text lines before (or on) the anchor,
  wrapped, with blank lines between pieces.

This module only cuts the text into tables and rows. Deciding which words of a row are the
project's and which the indicator's is `_evaluation_rows`' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..findings import Kind
from ..model import Number, ParseWarning
from ..numbers import MAX_DIGITS, NUMBER, NUMBER_RE
from ..numbers import value_of as _cell_value
from ._text import nospace

DEPT_MARKS = "▢□■◻☐◽❑"
DEPT_RE = re.compile(rf"^\s*[{DEPT_MARKS}]\s*(?P<name>\S.*?)\s*$")
PAGE_NUMBER_RE = re.compile(r"^\s*[-–]\s*\d+\s*[-–]\s*$")
_MARKED = frozenset("-–" + DEPT_MARKS)  # first characters that need a closer look
# Units seen in these documents. A row with fewer than three numbers is accepted only
# when its unit is one of these, so that a name ending in a number is not taken for data.
KNOWN_UNITS = frozenset(
    "% 건 회 명 개 개소 톤 백만원 천원 원 만명 천명 ㎞ km m ㎡ 시간 일 대 두 개교 가구 세대 "
    "점 종 권 편 곳 호 식 본 그루 주 월 년 억원 천건 만건 kg ha 面 면 단체 업소".split()
)
HEADER_WORDS = ("주요사업명", "성과지표")
# Pieces of the column header that wrap onto lines of their own.
HEADER_PIECES = frozenset(["달성률", "(%)", "달성률(%)", "비고", "단위", "목표", "실적", "%"])


@dataclass(slots=True)
class Anchor:
    """The line that carries an indicator's numbers."""

    line: int
    lead: str  # text before the unit on the same line
    unit: str
    target: Number | None
    actual: Number | None
    rate: Number | None
    numbers: str = ""  # "단위 목표 실적 달성률" as printed, spaces squashed


@dataclass(slots=True)
class RawRow:
    """The text of one indicator row: text blocks before the anchor, and the anchor."""

    blocks: list[list[tuple[int, str]]]  # blocks of (line, text), split at blank lines
    anchor: Anchor

    def text_lines(self) -> list[tuple[int, str]]:
        return [item for block in self.blocks for item in block]


@dataclass(slots=True)
class RawTable:
    department: str | None
    dept_line: int | None
    header_line: int | None
    rows: list[RawRow] = field(default_factory=list)
    trailing: list[tuple[int, str]] = field(default_factory=list)  # text after the last anchor


_CELL_RE = re.compile(rf"^(?:{NUMBER}|-)$")  # a number cell, or "-" for none
_SIGNS = ("△", "▲")  # printed apart from their number: "△ 231"


def _is_cell(token: str) -> bool:
    return _CELL_RE.match(token) is not None


def match_anchor(text: str, line: int) -> Anchor | None:
    """Recognise a line that ends with 단위 목표 실적 달성률 (digits already folded to ASCII).

    Works on whitespace tokens from the end of the line rather than one regex over the
    whole line: a name line never ends in a number cell, so most lines stop at once.
    """
    tail = text.rstrip()[-1:]
    if not tail or not (tail.isdigit() or tail == "-"):
        return None  # most lines are names; nothing more to look at
    cell = _CELL_RE.match
    # The usual line: [lead] unit cell cell cell, with no "△ 231" printed apart.
    last = text.rsplit(None, 4)
    if len(last) >= 4:
        unit, c1, c2, c3 = last[-4:]
        plain = c1.isdecimal() and c2.isdecimal() and c3.isdecimal()  # the usual cells: no regex
        if (
            (plain or (cell(c1) and cell(c2) and cell(c3)))
            and unit not in _SIGNS
            and c1 not in _SIGNS
            and c2 not in _SIGNS
        ):
            if unit[0].isdigit() or unit[0] in "△▲.,-" or cell(unit) is not None:
                return None
            if c1 == "-" and c2 == "-" and c3 == "-":
                return None
            lead = " ".join(last[0].split()) if len(last) == 5 else ""
            if plain and len(c1) <= MAX_DIGITS and len(c2) <= MAX_DIGITS and len(c3) <= MAX_DIGITS:
                values = (int(c1), int(c2), int(c3))
            else:
                values = (_cell_value(c1), _cell_value(c2), _cell_value(c3))
            return Anchor(line, lead, unit, *values, " ".join(last[-4:]))
    parts = text.split()
    cells: list[str] = []
    i = len(parts)
    while i > 0 and len(cells) < 3:
        token = parts[i - 1]
        if i > 1 and parts[i - 2] in _SIGNS and NUMBER_RE.match(parts[i - 2] + token):
            token, i = parts[i - 2] + token, i - 1  # "△ 231" printed with a space
        if cell(token) is None:
            break
        cells.append(token)
        i -= 1
    if not cells or i == 0:
        return None
    cells.reverse()
    unit = parts[i - 1]
    if unit[0].isdigit() or unit[0] in "△▲.,-" or cell(unit) is not None:
        return None
    if len(cells) < 3 and unit not in KNOWN_UNITS:
        return None
    if all(c == "-" for c in cells):
        return None
    values = [_cell_value(c) for c in cells] + [None] * (3 - len(cells))
    lead = " ".join(parts[: i - 1])
    numbers = " ".join([unit, *cells])
    return Anchor(line, lead, unit, values[0], values[1], values[2], numbers)


def is_column_header(text: str) -> bool:
    if "주" not in text or "표" not in text:
        return False  # cheap test first: most lines are not headers
    squeezed = nospace(text)
    return all(word in squeezed for word in HEADER_WORDS)


@dataclass(slots=True)
class RawDepartment:
    name: str | None
    line: int | None
    tables: list[RawTable] = field(default_factory=list)

    @property
    def rows(self) -> list[RawRow]:
        return [r for t in self.tables for r in t.rows]


def split_departments(
    lines: list[tuple[int, str]], warnings: list[ParseWarning]
) -> list[RawDepartment]:
    """Cut section Ⅲ into departments, in the order of their "▢ 부서" headers.

    A table normally follows its header. A page that begins with a table has that
    table's header at the end of the same page, after the page's other tables
    ("[A's table] ▢ B [B's table] ▢ A"). So a table with no header of its own (or one
    that starts a page, its column header indented by one space) takes the first later
    header that has no table of its own; failing that, the first earlier one; failing
    that, it continues the department before it (a table broken over a page).
    """
    tables: list[RawTable] = []
    headers: list[tuple[str, int]] = []
    current: RawTable | None = None
    pending: tuple[str, int] | None = None  # a header not yet followed by a table
    in_header = False
    block: list[tuple[int, str]] = []
    blocks: list[list[tuple[int, str]]] = []

    def flush_block() -> None:
        nonlocal block
        if block:
            blocks.append(block)
            block = []

    def close_table() -> None:
        nonlocal blocks
        flush_block()
        if current is not None:
            current.trailing.extend(item for b in blocks for item in b)
        blocks = []

    def open_table(header_line: int | None, first_line: int, new_page: bool) -> None:
        nonlocal current, pending
        close_table()
        if pending is not None and not new_page:
            current = RawTable(pending[0], pending[1], header_line or first_line)
            pending = None
        else:
            current = RawTable(None, None, header_line or first_line)
        tables.append(current)

    for number, raw in lines:
        text = raw.strip()
        if not text:  # a blank line ends a block of name lines
            if block:
                blocks.append(block)
                block = []
            continue
        first = text[0]
        if first in _MARKED:  # a page number "- 3 -" or a department "▢ 부서"
            if first in "-–" and PAGE_NUMBER_RE.match(text):
                continue
            dept = DEPT_RE.match(text) if first in DEPT_MARKS else None
        else:
            dept = None
        if dept:
            close_table()
            current, in_header = None, False
            pending = (nospace(dept.group("name")), number)
            headers.append(pending)
            continue
        if "주" in text and is_column_header(text):
            # A header line indented by one space starts a new page: the "▢" before it
            # ended the previous page and is not this table's (see the docstring).
            open_table(number, number, raw[:1].isspace())
            in_header = True
            continue
        if in_header and nospace(text) in HEADER_PIECES:
            continue
        in_header = False
        if current is None:
            open_table(None, number, False)  # data whose column header was lost
        assert current is not None
        last = text[-1]
        anchor = match_anchor(text, number) if last.isdigit() or last == "-" else None
        if anchor is None:
            block.append((number, text))
            continue
        flush_block()
        current.rows.append(RawRow(blocks, anchor))
        blocks = []
    close_table()
    return _pair(tables, headers, warnings)


def _pair(
    tables: list[RawTable], headers: list[tuple[str, int]], warnings: list[ParseWarning]
) -> list[RawDepartment]:
    depts = [RawDepartment(name, line) for name, line in headers]
    by_line = {d.line: d for d in depts}
    for table in tables:
        if table.department is not None:
            by_line[table.dept_line].tables.append(table)
    orphans = [t for t in tables if t.department is None]
    for dept in depts:
        if dept.tables:
            continue
        match = next((t for t in orphans if (t.header_line or 0) < (dept.line or 0)), None)
        if match is None:
            # The header printed at the foot of the page before its table.
            match = next((t for t in orphans if (t.header_line or 0) > (dept.line or 0)), None)
        if match is None:
            continue
        orphans.remove(match)
        match.department, match.dept_line = dept.name, dept.line
        dept.tables.append(match)
        warnings.append(
            ParseWarning(
                match.header_line,
                kind=Kind.HEADLESS_TABLE_PAIRED,
                department=dept.name,
                department_line=dept.line,
            )
        )
    for table in orphans:
        before = [
            d
            for d in depts
            if d.tables and min(t.header_line or 0 for t in d.tables) < (table.header_line or 0)
        ]
        if before:
            owner = max(before, key=lambda d: min(t.header_line or 0 for t in d.tables))
            owner.tables.append(table)
            owner.tables.sort(key=lambda t: t.header_line or 0)
            table.department, table.dept_line = owner.name, owner.line
            warnings.append(
                ParseWarning(table.header_line, kind=Kind.TABLE_CONTINUES, department=owner.name)
            )
        else:
            depts.insert(0, RawDepartment(None, None, [table]))
            warnings.append(ParseWarning(table.header_line, kind=Kind.TABLE_WITHOUT_DEPARTMENT))
    for dept in depts:
        if not dept.rows:
            warnings.append(
                ParseWarning(dept.line, kind=Kind.DEPARTMENT_WITHOUT_ROWS, department=dept.name)
            )
        for table in dept.tables:
            for line, text in table.trailing:
                warnings.append(
                    ParseWarning(line, kind=Kind.TEXT_IGNORED, department=dept.name, text=text)
                )
    return depts
