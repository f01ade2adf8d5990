"""Section Ⅲ of an evaluation: department tables → raw rows.

The extracted text loses the table grid. What survives:
- "▢ 부서명" headers (▢, □ and the like, or ㅁ typed for one), in the logical order of the
  departments;
- a column header ("주요사업명 성과지표 단위 목표 실적 / 달성률 / (%)") per table and page;
- one *anchor* line per indicator that ends with "단위 목표 실적 달성률";
- the names of the project and the indicator as text lines before (or on) the anchor,
  wrapped, with blank lines between pieces.

This module cuts the text into headings, tables and rows, and says which table may belong to
which heading (`Section.chains`, see `split_departments`). Choosing among the readings the
text allows is `evaluation`'s job (it has Ⅰ's counts and the corrections file); deciding which
words of a row are the project's and which the indicator's is `_evaluation_rows`' job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from ..errors import ParseError
from ..findings import Kind
from ..korean import particle
from ..model import Number, ParseWarning
from ..numbers import MAX_DIGITS, NUMBER, NUMBER_RE
from ..numbers import value_of as _cell_value
from ._text import nospace

DEPT_MARKS = "▢□■◻☐◽❑"
# ㅁ (a Hangul letter) typed for ▢ counts when a space or a syllable follows: no word
# begins with a lone ㅁ.
DEPT_RE = re.compile(rf"^\s*(?:[{DEPT_MARKS}]|ㅁ(?=\s|[가-힣]))\s*(?P<name>\S.*?)\s*$")
# Page footers, as xlgen.parse.normalize writes every footer style.
PAGE_NUMBER_RE = re.compile(r"^\s*[-–]\s*\d+\s*[-–]\s*$")
_MARKED = frozenset("-–ㅁ" + DEPT_MARKS)  # first characters that need a closer look
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
    header_line: int  # its column header's line, or its first line when the header is lost
    heading: int | None  # index of the heading directly before it (none: a headless table)
    rows: list[RawRow] = field(default_factory=list)
    trailing: list[tuple[int, str]] = field(default_factory=list)  # text after the last anchor

    @property
    def first_line(self) -> int:
        first = self.rows[0]
        return min([first.anchor.line] + [n for n, _ in first.text_lines()])

    @property
    def last_line(self) -> int:
        return self.rows[-1].anchor.line


_CELL_RE = re.compile(rf"^(?:{NUMBER}|-)$")  # a number cell, or "-" for none
_SIGNS = ("△", "▲")  # printed apart from their number: "△ 231"


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
            values: Sequence[Number | None]
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
class Heading:
    name: str  # spaces removed
    line: int
    table: int | None = None  # the table directly after it, if any


@dataclass(slots=True)
class RawDepartment:
    name: str | None
    line: int | None
    tables: list[RawTable] = field(default_factory=list)

    @property
    def rows(self) -> list[RawRow]:
        return [r for t in self.tables for r in t.rows]


MAX_BROKEN = 8  # a chain with more attached pairs than this lists up to two breaks only


@dataclass(slots=True)
class Chain:
    """A headless table, the tableless heading after it, and the heading+table pairs between.

    The page-top quirk prints a page's first table without its "▢" heading and puts the
    heading at the end of the same page: "[A's table] ▢ B [B's table] ▢ A". From the text
    alone, any heading+table pair in between may itself straddle a page break (its heading
    at the foot of one page, its table heading-less at the top of the next). A reading is
    the set of such *broken* pairs: the headless table goes to the first broken pair's
    heading, that pair's table to the next one's, and the last to the tableless heading.
    """

    table: int  # the headless table
    pairs: list[int]  # headings of the attached pairs between, in order
    heading: int  # the tableless heading that ends the chain

    def readings(self) -> list[tuple[int, ...]]:
        """Every reading as its broken pairs, the fewest breaks first."""
        n = len(self.pairs)
        sizes = range(n + 1) if n <= MAX_BROKEN else range(3)
        return [c for k in sizes for c in combinations(self.pairs, k)]

    def mapping(self, broken: tuple[int, ...], headings: list[Heading]) -> dict[int, int]:
        """table → heading for one reading (the chain's tables only)."""
        out: dict[int, int] = {}
        table = self.table
        for h in broken:
            out[table] = h
            table = headings[h].table  # type: ignore[assignment]
        out[table] = self.heading
        for h in self.pairs:
            if h not in broken:
                out[headings[h].table] = h  # type: ignore[index]
        return out

    def headings_of(self) -> list[int]:
        return [*self.pairs, self.heading]


@dataclass(slots=True)
class Section:
    """Section Ⅲ cut into headings and tables, with the readings the text allows."""

    headings: list[Heading]
    tables: list[RawTable]
    base: dict[int, int | None]  # table → heading; None: no heading at all before it
    chains: list[Chain]
    notes: list[tuple[int, str, str | None]]  # text in no row: (line, text, department)
    decided: list[ParseWarning]  # how headless tables outside any chain were placed

    def departments(self, mapping: dict[int, int | None]) -> list[RawDepartment]:
        """The departments, in heading order, with the tables `mapping` gives them."""
        depts = [RawDepartment(h.name, h.line) for h in self.headings]
        unnamed: list[RawTable] = []
        for t, table in enumerate(self.tables):
            h = mapping.get(t)
            if h is None:
                unnamed.append(table)
            else:
                depts[h].tables.append(table)
        for d in depts:
            d.tables.sort(key=lambda t: t.header_line)
        if unnamed:
            depts.insert(0, RawDepartment(None, None, unnamed))
        return depts


def split_departments(lines: list[tuple[int, str]], where: str = "문서") -> Section:
    """Cut section Ⅲ into "▢ 부서" headings and tables, deciding from the content alone.

    A table starts at a column header ("주요사업명 성과지표 …"), or at its first numbers line
    when the header was lost. It is *attached* to the heading printed right before it
    (nothing but blank lines, page footers or notes between), otherwise *headless*. A
    heading with no table right after it is *tableless*. Leading spaces and blank-line runs
    decide nothing: extraction tools add and remove them.

    A headless table is a page's first table whose heading was printed at the end of the
    same page, after the page's other tables ("[A's table] ▢ B [B's table] ▢ A"); it takes
    the first tableless heading after it (before the next headless table), and the pairs in
    between make a `Chain` of readings for `evaluation` to choose from. Failing that, the
    nearest tableless heading before it; failing that, it continues the table before it (a
    table broken over a page). A heading name occurring twice is refused.
    """
    headings: list[Heading] = []
    tables: list[RawTable] = []
    notes: list[tuple[int, str, str | None]] = []
    seen: dict[str, int] = {}
    current: RawTable | None = None
    last_kind = ""  # "H" after a heading, "T" after a table's header or row
    in_header = False
    block: list[tuple[int, str]] = []
    blocks: list[list[tuple[int, str]]] = []

    def flush_text() -> None:
        """Text lines not followed by numbers: notes (the table's trailing text, if any)."""
        nonlocal block, blocks
        if block:
            blocks.append(block)
            block = []
        text = [item for b in blocks for item in b]
        blocks = []
        if not text:
            return
        if current is not None and last_kind == "T":
            current.trailing.extend(text)
        else:
            owner = headings[-1].name if headings else None
            notes.extend((n, t, owner) for n, t in text)

    def open_table(first_line: int) -> RawTable:
        table = RawTable(first_line, len(headings) - 1 if last_kind == "H" else None)
        if table.heading is not None:
            headings[table.heading].table = len(tables)
        tables.append(table)
        return table

    for number, raw in lines:
        text = raw.strip()
        if not text:  # a blank line ends a block of name lines
            if block:
                blocks.append(block)
                block = []
            continue
        first = text[0]
        dept = None
        if first in _MARKED:  # a page number "- 3 -" or a department "▢ 부서"
            if first in "-–" and PAGE_NUMBER_RE.match(text):
                continue
            if first != "-":
                dept = DEPT_RE.match(text)
        if dept:
            flush_text()
            name = nospace(dept.group("name"))
            if name in seen:
                raise ParseError(
                    f"{where} {number}행: 부서 제목 '▢ {dept.group('name')}'"
                    f"{particle(dept.group('name'), '이/가')} 두 번 나옵니다"
                    f" ({seen[name]}행과 {number}행). 문서가 두 번 들어 있거나 두 문서가 합쳐진"
                    " 것으로 보입니다. 한 부서의 제목은 한 번만 있어야 합니다."
                )
            seen[name] = number
            headings.append(Heading(name, number))
            current, last_kind, in_header = None, "H", False
            continue
        if "주" in text and is_column_header(text):
            flush_text()
            current = open_table(number)
            last_kind, in_header = "T", True
            continue
        if in_header and nospace(text) in HEADER_PIECES:
            continue
        in_header = False
        last = text[-1]
        anchor = match_anchor(text, number) if last.isdigit() or last == "-" else None
        if anchor is None:
            block.append((number, text))
            continue
        if block:
            blocks.append(block)
            block = []
        if current is None or last_kind != "T":
            first_line = blocks[0][0][0] if blocks else number
            current = open_table(first_line)  # data whose column header was lost
            last_kind = "T"
        current.rows.append(RawRow(blocks, anchor))
        blocks = []
    flush_text()
    return _readings(headings, tables, notes)


def _readings(
    headings: list[Heading], tables: list[RawTable], notes: list[tuple[int, str, str | None]]
) -> Section:
    # A column header with no rows under it is no table (a header repeated at a page end).
    keep = [t for t in tables if t.rows]
    if len(keep) != len(tables):
        for dropped in tables:
            if not dropped.rows:
                owner = headings[dropped.heading].name if dropped.heading is not None else None
                notes.extend((n, x, owner) for n, x in dropped.trailing)
        index = {id(t): i for i, t in enumerate(keep)}
        for h in headings:
            h.table = index.get(id(tables[h.table])) if h.table is not None else None
        tables = keep
    # Items in text order: ("H", heading) and ("T", table), by line.
    items = sorted(
        [(h.line, "H", i) for i, h in enumerate(headings)]
        + [(t.header_line, "T", i) for i, t in enumerate(tables)]
    )
    base: dict[int, int | None] = {t: tables[t].heading for t in range(len(tables))}
    chains: list[Chain] = []
    decided: list[ParseWarning] = []
    used: set[int] = set()  # tableless headings already given a table
    headless = [i for _, kind, i in items if kind == "T" and tables[i].heading is None]
    position = {(kind, i): k for k, (_, kind, i) in enumerate(items)}
    for t in headless:
        start = position[("T", t)]
        pairs: list[int] = []
        target = None
        for _, kind, i in items[start + 1 :]:
            if kind == "T":
                if tables[i].heading is None:
                    break  # the next headless table starts another page
                continue
            if headings[i].table is not None:
                pairs.append(i)
            elif i not in used:
                target = i
                break
        if target is not None:
            used.add(target)
            base[t] = target
            if pairs:
                chains.append(Chain(t, pairs, target))
            continue
        earlier = [
            i
            for _, kind, i in reversed(items[:start])
            if kind == "H" and headings[i].table is None and i not in used
        ]
        if earlier:
            used.add(earlier[0])
            base[t] = earlier[0]
            continue
        before = [i for _, kind, i in reversed(items[:start]) if kind == "T"]
        base[t] = base[before[0]] if before else None
        if before and base[t] is not None:
            decided.append(
                ParseWarning(
                    tables[t].header_line,
                    kind=Kind.TABLE_CONTINUES,
                    department=headings[base[t]].name,  # type: ignore[index]
                )
            )
        else:
            decided.append(ParseWarning(tables[t].header_line, kind=Kind.TABLE_WITHOUT_DEPARTMENT))
    return Section(headings, tables, base, chains, notes, decided)


def pairing_warnings(section: Section, mapping: dict[int, int | None]) -> list[ParseWarning]:
    """How each table that is not its heading's own was placed, and the text in no row."""
    out = list(section.decided)
    for t, table in enumerate(section.tables):
        h = mapping.get(t)
        if h is None or h == table.heading:
            continue
        heading = section.headings[h]
        if any(w.line == table.header_line for w in section.decided):
            continue  # a continuation, already said
        out.append(
            ParseWarning(
                table.header_line,
                kind=Kind.HEADLESS_TABLE_PAIRED,
                department=heading.name,
                department_line=heading.line,
            )
        )
    return out


def note_warnings(section: Section, departments: list[RawDepartment]) -> list[ParseWarning]:
    out: list[ParseWarning] = []
    for dept in departments:
        if not dept.rows:
            out.append(
                ParseWarning(dept.line, kind=Kind.DEPARTMENT_WITHOUT_ROWS, department=dept.name)
            )
        for table in dept.tables:
            for line, text in table.trailing:
                out.append(
                    ParseWarning(line, kind=Kind.TEXT_IGNORED, department=dept.name, text=text)
                )
    for line, text, owner in section.notes:
        out.append(
            ParseWarning(
                line,
                kind=Kind.NOTE_IGNORED,
                context="heading" if owner else "section",
                department=owner,
                text=text,
            )
        )
    return out
