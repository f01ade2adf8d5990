"""Records from a document read as paragraphs and table grids (HWPX today).

The grid already says which cell is which, so nothing is guessed from wrapped lines. The
records still go through the text parsers' own builders and checks:

- A "rendering" of the document gives every paragraph and every table row one line (a
  row's cells separated by tabs, a merged cell's text in its first row and column only).
  Its line numbers are the ones the messages name ("N행"); `xlgen parse --format json`
  shows the same numbers on the records.
- The kind is detected from that rendering by the text parsers' own content tests.
- A plan is the plan parser run on the rendering: a tab-separated table with every cell in
  its own column is the input it reads best, and its 가/나 checks, name unification and
  corrections apply as they are.
- An evaluation's title, 부진 threshold, Ⅰ table and Ⅱ narrative are read from the rendering
  by the evaluation parser's functions. Ⅲ is built from the department tables directly: a
  row is an indicator, its 주요사업명 cell (merged over the project's rows) is the project.
  Then the evaluation parser's bureau assignment, printed-rate and Ⅰ-summary checks run.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .. import kinds
from ..errors import InputError, ParseError
from ..findings import Kind
from ..korean import particle
from ..model import Department, Evaluation, Indicator, ParseWarning, Plan, Project
from ..parse._evaluation_tables import DEPT_RE, HEADER_WORDS
from ..parse._text import fold_digits, nospace, parse_number, squash
from ..parse.evaluation import (
    SECTION_RE,
    YEAR_RE,
    _assign_bureaus,
    _check_rates,
    _check_summary,
    _parse_narrative,
    _parse_summary,
    _row_corrections,
    _sections,
    _threshold,
    _title,
)
from ..parse.plan import _GA_HEAD_RE, _NA_HEAD_RE, _NEXT_HEAD_RE, _NOTE_MARKS, parse_plan

# Invisible characters that carry no text, and space look-alikes.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2009\u202f\u3000"), " ")


class CellLike(Protocol):
    row: int
    col: int
    row_span: int
    col_span: int
    lines: tuple[str, ...]


class TableLike(Protocol):
    rows: int
    cols: int
    grid: list[list[Any]]


def clean(text: str) -> str:
    """NFC, invisible characters dropped, space look-alikes as spaces."""
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_SPACES)


def cell_text(cell: CellLike | None) -> str:
    """A cell's paragraphs joined as the text path joins wrapped lines: by one space."""
    if cell is None:
        return ""
    return squash(" ".join(clean(line) for line in cell.lines))


@dataclass
class Rendering:
    """One line per paragraph and per table row; where each table row went."""

    lines: list[str]
    row_line: dict[tuple[int, int], int]  # (id(table), row) -> 1-based line
    # id(block) -> its (first, last) line
    block_line: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def render(blocks: Sequence[Any]) -> Rendering:
    lines: list[str] = []
    row_line: dict[tuple[int, int], int] = {}
    block_line: dict[int, tuple[int, int]] = {}
    for block in blocks:
        grid = getattr(block, "grid", None)
        start = len(lines) + 1
        if grid is None:
            lines.extend(clean(block.text).split("\n"))
            block_line[id(block)] = (start, len(lines))
            continue
        for r, row in enumerate(grid):
            cells = [
                cell_text(c) if c is not None and c.row == r and c.col == k else ""
                for k, c in enumerate(row)
            ]
            lines.append("\t".join(cells).rstrip("\t"))
            row_line[(id(block), r)] = len(lines)
        block_line[id(block)] = (start, len(lines))  # (n + 1, n) for a table of no rows
    return Rendering(lines, row_line, block_line)


def document_from_blocks(
    blocks: Sequence[Any], *, corrections: Mapping[str, Any] | None, source: str
) -> tuple[Evaluation | Plan, Rendering]:
    """Records of a document given as paragraphs and tables, and its rendering."""
    rendering = render(blocks)
    kind = kinds.detect(rendering.text, source)
    if kind is not None and kind.from_blocks is not None:
        document: Evaluation | Plan = kind.from_blocks(blocks, rendering, corrections, source)
        return document, rendering
    raise ParseError(
        f"{source}: 알 수 없는 문서입니다. 성과계획서(성과계획 총괄표)나 주요사업 평가 현황 "
        "문서의 표를 찾지 못했습니다."
    )


# --------------------------------------------------------------------------- sections


@dataclass
class LeftOut:
    """Blocks after a section's tables that are not the document's (the tables of another
    sheet printed after it, their titles): left out, never read as rows, and named."""

    section: str
    blocks: list[Any] = dataclasses.field(default_factory=list)


def _is_table(block: Any) -> bool:
    return getattr(block, "grid", None) is not None


def _is_note(block: Any) -> bool:
    return not _is_table(block) and clean(block.text).strip().startswith(_NOTE_MARKS)


def left_out(
    blocks: Sequence[Any],
    heading: Callable[[Any], str | None],
    starts: Callable[[str, Any], bool],
    belongs: Callable[[Any, Any], bool],
    *,
    trailing_text: bool,
) -> list[LeftOut]:
    """What of each section is not its own. A section (from its `heading` block to the
    next) has its tables: the first table that `starts` it, and the tables after it that
    `belongs` to it (`belongs(first, table)`: the same columns, a heading row, ...). The
    first table after them that does not belong begins what is left out: it, and every
    block after it up to the next heading of the document; so are the paragraphs between
    the section's last table and it (its title), except notes (`※ …`), which are the
    document's. With `trailing_text`, paragraphs after the section's last table are left
    out even when no table follows (text outside a grid is no row of it)."""
    runs: list[LeftOut] = []
    section = ""
    first: Any = None
    pending: list[Any] = []  # paragraphs after the section's last table
    run: LeftOut | None = None

    def close() -> None:
        nonlocal pending, run
        if run is None and trailing_text:
            text = [b for b in pending if not _is_note(b) and clean(b.text).strip()]
            if text:
                runs.append(LeftOut(section, text))
        pending, run = [], None

    for block in blocks:
        name = heading(block)
        if name is not None:
            close()
            if name != section:
                section, first = name, None
            continue
        if run is not None:
            run.blocks.append(block)
        elif not _is_table(block):
            if first is not None:
                pending.append(block)
        elif first is None:
            if starts(section, block):
                first = block
        elif belongs(first, block):
            pending = []
        else:
            run = LeftOut(section, [b for b in pending if not _is_note(b)] + [block])
            runs.append(run)
            pending = []
    close()
    return runs


def _first_text(block: Any) -> str:
    if not _is_table(block):
        text = clean(block.text)
    else:
        text = next(
            (
                " ".join(t for t in (cell_text(c) for c in _anchors(row)) if t)
                for row in block.grid
                if any(c is not None for c in row)
            ),
            "",
        )
    text = squash(text)
    return text if len(text) <= 60 else text[:59] + "…"


def _anchors(row: list[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for c in row:
        if c is not None and id(c) not in seen:
            seen.add(id(c))
            out.append(c)
    return out


def left_out_findings(runs: list[LeftOut], rendering: Rendering) -> list[ParseWarning]:
    """One finding per run of left-out blocks, naming its lines and its first text."""
    lines = rendering.block_line
    out = []
    for run in runs:
        first = lines[id(run.blocks[0])][0]
        last = lines[id(run.blocks[-1])][1]
        text = next((t for t in map(_first_text, run.blocks) if t), "")
        out.append(
            ParseWarning(
                first,
                kind=Kind.BLOCKS_NOT_READ,
                reason="foreign",
                section=run.section,
                lines=(first, last),
                tables=sum(1 for b in run.blocks if _is_table(b)),
                text=text,
            )
        )
    return out


def _blank(lines: list[str], runs: list[LeftOut], rendering: Rendering) -> None:
    """The left-out blocks' lines emptied (the line numbers of the rest stay)."""
    where = rendering.block_line
    for run in runs:
        for block in run.blocks:
            first, last = where[id(block)]
            for number in range(first, last + 1):
                lines[number - 1] = ""


# --------------------------------------------------------------------------- evaluation


# Each Ⅲ header cell, spaces and "(%)" dropped, names one column exactly. The columns the
# desk's forms add (사업 달성률, 판정, 비고) are known and not read; a year's reference
# columns ("2019년 목표", next year's target form) are known, not read, and named.
_HEADER_FIELDS = {
    "주요사업명": "project",
    "성과지표": "indicator",
    "성과지표명": "indicator",
    "단위": "unit",
    "목표": "target",
    "실적": "actual",
    "달성률": "rate",
    "사업달성률": "prate",
    "판정": "judge",
    "비고": "note",
}
_REQUIRED = ("project", "indicator", "unit", "target", "actual", "rate")
_REFERENCE_HEADER_RE = re.compile(r"^(?:\d{4}년|전년도?)(?:목표|실적)$")


class HeaderError(InputError):
    """A Ⅲ table whose column header does not say which column is which: never read with a
    guessed column. `table` and `row` say where (a PDF names the page)."""

    def __init__(self, message: str, table: Any, row: int) -> None:
        super().__init__(message)
        self.table = table
        self.row = row


class _HeaderProblem(Exception):
    """Raised by `_header_index`; `evaluation_from_blocks` names the table's line."""

    def __init__(self, table: Any, row: int, detail: str) -> None:
        super().__init__(detail)
        self.table = table
        self.row = row
        self.detail = detail


@dataclass
class _Header:
    first: int  # the first data row
    columns: dict[str, int]  # field -> column
    references: list[str]  # the reference columns' headers as printed, not read


def _header_label(text: str) -> str:
    word = nospace(text)
    for tail in ("(%)", "%"):
        if word.endswith(tail) and len(word) > len(tail):
            word = word[: -len(tail)]
    return word


def _header_index(table: TableLike) -> tuple[int, dict[str, int]] | None:
    """(first data row, column of each field) for a Ⅲ department table, else None.

    Raises `_HeaderProblem` when the table has a department header (주요사업명, 성과지표) but
    a header cell names no known column, or two cells the same column."""
    header = _find_header(table)
    return (header.first, header.columns) if header else None


def _find_header(table: TableLike) -> _Header | None:
    for r in range(min(table.rows, 4)):
        words = [nospace(cell_text(c)) for c in table.grid[r]]
        if not all(any(h in w for w in words) for h in HEADER_WORDS):
            continue
        first = r + 1
        # the header may run over more rows (a merged "달성률" over "(%)")
        while first < table.rows and all(
            c is None or c.row < first or not nospace(cell_text(c)).strip("()%")
            for c in table.grid[first]
        ):
            first += 1
        columns: dict[str, int] = {}
        references: list[str] = []
        blank: list[int] = []
        seen: set[int] = set()
        for k in range(table.cols):
            # the column's header: the texts of the header cells over it, top to bottom
            cells = []
            for row in table.grid[r:first]:
                c = row[k]
                if c is not None and id(c) not in seen and c.col == k:
                    seen.add(id(c))
                    cells.append(c)
            if not cells:
                continue
            printed = squash(" ".join(cell_text(c) for c in cells))
            label = _header_label(printed)
            if not label:
                blank.append(k)
                continue
            field = _HEADER_FIELDS.get(label)
            if field is None and _REFERENCE_HEADER_RE.match(label):
                references.append(printed)
                continue
            if field is None:
                raise _HeaderProblem(
                    table, r, f"열 제목 '{printed}'{particle(printed, '은/는')} 알 수 없는 열입니다"
                )
            if field in columns:
                raise _HeaderProblem(
                    table,
                    r,
                    f"열 제목 '{words[columns[field]]}'{particle(words[columns[field]], '과/와')} "
                    f"'{printed}'{particle(printed, '이/가')} 같은 열을 가리킵니다",
                )
            columns[field] = k
        missing = [f for f in _REQUIRED if f not in columns]
        if missing:
            names = {v: k for k, v in reversed(list(_HEADER_FIELDS.items()))}
            raise _HeaderProblem(
                table,
                r,
                "열 제목에 " + ", ".join(f"'{names[f]}'" for f in missing) + " 열이 없습니다",
            )
        for k in blank:  # a column without a header holding text: which column is it?
            for row in table.grid[first:]:
                c = row[k]
                if c is not None and c.col == k and cell_text(c):
                    raise _HeaderProblem(
                        table, r, f"제목 없는 {k + 1}번째 열에 '{cell_text(c)}' 글이 있습니다"
                    )
        return _Header(first, columns, references)
    return None


def _summary_lines(table: TableLike, rendering: Rendering) -> dict[int, str] | None:
    """The Ⅰ table's rows as "국별 계 정상추진 부진" lines (other columns left out)."""
    want = {"total": ("계", "사업수"), "normal": ("정상추진",), "weak": ("부진",)}
    columns: dict[str, int] = {}
    data_from = None
    for r in range(min(table.rows, 4)):
        for k, c in enumerate(table.grid[r]):
            if c is None or c.col != k:
                continue
            word = nospace(cell_text(c))
            for field, keys in want.items():
                if word in keys:
                    columns.setdefault(field, k)
                    data_from = max(data_from or 0, c.row + c.row_span)
    if len(columns) < 3 or data_from is None:
        return None
    out: dict[int, str] = {}
    for r in range(data_from, table.rows):
        row = table.grid[r]
        name = cell_text(row[0]) if row[0] is not None and row[0].row == r else ""
        values = [cell_text(row[columns[f]]) or "-" for f in ("total", "normal", "weak")]
        out[rendering.row_line[(id(table), r)]] = " ".join([name or "-", *values])
    return out


_TOTAL_NAMES = {"계", "합계", "총계"}


def _plan_heading(block: Any) -> str | None:
    """The plan's section a heading paragraph opens ("가", "나", "다", …), else None."""
    if _is_table(block):
        return None
    text = clean(block.text)
    if _GA_HEAD_RE.match(text) or _NA_HEAD_RE.match(text) or _NEXT_HEAD_RE.match(text):
        return text.strip()[0]
    return None


def _plan_starts(section: str, table: Any) -> bool:
    """가's first table is its table; 나's is the one whose header names 성과지표명."""
    if section == "가":
        return True
    if section == "나":
        return any(nospace(cell_text(c)) == "성과지표명" for row in table.grid[:4] for c in row)
    return False


def _same_cols(first: Any, table: Any) -> bool:
    return bool(table.cols == first.cols)


def plan_from_blocks(
    blocks: Sequence[Any],
    rendering: Rendering,
    corrections: Mapping[str, Any] | None,
    source: str,
) -> Plan:
    """A plan's tables as the plan parser reads them: the rendered lines (a grid row a line).

    A 계 row under the 나 table's rows (a printed 나 sums its budgets and shares) is a
    summary, not an indicator: it is left out of the lines and checked against the goals."""
    lines = list(rendering.lines)
    runs = left_out(blocks, _plan_heading, _plan_starts, _same_cols, trailing_text=True)
    _blank(lines, runs, rendering)
    skipped = {id(b) for run in runs for b in run.blocks}
    totals: list[tuple[int, list[Any]]] = []
    for block in blocks:
        grid = getattr(block, "grid", None)
        if grid is None or id(block) in skipped:
            continue
        in_goals = False
        for r, row in enumerate(grid):
            texts = [
                cell_text(c) if c is not None and c.row == r and c.col == k else ""
                for k, c in enumerate(row)
            ]
            if any(nospace(t) == "성과지표명" for t in texts):
                in_goals = True
                continue
            filled = [t for t in texts if t]
            if in_goals and filled and nospace(filled[0]) in _TOTAL_NAMES:
                numbers = [parse_number(fold_digits(t).replace(" ", "")) for t in filled[1:]]
                if numbers and all(n is not None for n in numbers):
                    line = rendering.row_line[(id(block), r)]
                    lines[line - 1] = ""
                    totals.append((line, numbers))
    plan = parse_plan(lines, corrections=dict(corrections or {}), source=source)
    plan.warnings.extend(left_out_findings(runs, rendering))
    for line, numbers in totals:
        computed = sum(g.budget or 0 for g in plan.goals)
        if numbers[0] != computed:
            plan.warnings.append(
                ParseWarning(
                    line, kind=Kind.GOALS_TOTAL_MISMATCH, printed=numbers[0], computed=computed
                )
            )
    return plan


def evaluation_from_blocks(
    blocks: Sequence[Any],
    rendering: Rendering,
    corrections: Mapping[str, Any] | None,
    source: str,
) -> Evaluation:
    try:
        return _evaluation_from_blocks(blocks, rendering, corrections, source)
    except _HeaderProblem as exc:
        line = rendering.row_line.get((id(exc.table), exc.row))
        raise HeaderError(
            f"{source or '문서'}: {line}행의 Ⅲ 부서별 표에서 {exc.detail}. 어느 칸이 목표·실적인지 "
            "정할 수 없어 읽지 않습니다. 열 제목을 주요사업명, 성과지표, 단위, 목표, 실적, "
            "달성률(%)로 (그 밖의 열은 사업 달성률, 판정, 비고로) 고쳐 다시 저장해 주세요.",
            exc.table,
            exc.row,
        ) from None


def _evaluation_from_blocks(
    blocks: Sequence[Any],
    rendering: Rendering,
    corrections: Mapping[str, Any] | None,
    source: str,
) -> Evaluation:
    lines = [fold_digits(t) for t in rendering.lines]
    # Which section each block is in, from the roman-numbered heading paragraphs.
    section = ""
    placed: list[tuple[str, Any]] = []
    headings_at: list[tuple[str, Any]] = []  # (numeral, block) of each section heading
    for block in blocks:
        grid = getattr(block, "grid", None)
        # a heading paragraph, or a heading in a title box (a table row of one cell)
        texts = (
            [clean(block.text)]
            if grid is None
            else [cell_text(row[0]) for row in grid if len({id(c) for c in row}) == 1]
        )
        for text in texts:
            m = SECTION_RE.match(text)
            if m and m.group("title").strip():
                section = _ROMAN.get(m.group("num"), m.group("num"))
                headings_at.append((section, block))
        placed.append((section, block))
    heads = {id(b): n for n, b in headings_at}

    def starts(where: str, table: Any) -> bool:
        if where == "Ⅰ":
            return _summary_lines(table, rendering) is not None
        return where == "Ⅲ" and _header_index(table) is not None

    runs = left_out(
        blocks, lambda b: heads.get(id(b)), starts, _evaluation_belongs, trailing_text=False
    )
    _blank(lines, runs, rendering)
    skipped = {id(b) for run in runs for b in run.blocks}
    placed = [(where, b) for where, b in placed if id(b) not in skipped]
    summary_table = 0
    for where, block in placed:  # the Ⅰ table, as the summary parser reads it
        if where != "Ⅲ" and getattr(block, "grid", None) is not None:
            summary = _summary_lines(block, rendering)
            if summary:
                for number, text in summary.items():
                    lines[number - 1] = text
                summary_table = id(block)
                break
    numbered = list(enumerate(lines, 1))
    sections, headings = _sections(numbered)
    warnings: list[ParseWarning] = left_out_findings(runs, rendering)
    title = _title(numbered, sections)
    year_match = YEAR_RE.search(title) or next(
        (m for m in (YEAR_RE.search(h) for h in headings.values()) if m), None
    )
    evaluation = Evaluation(
        title=title, org=None, year=int(year_match.group(1)) if year_match else None
    )
    threshold = _threshold(numbered)
    if threshold is not None:
        evaluation.threshold = threshold
    else:
        warnings.append(ParseWarning(None, kind=Kind.NO_THRESHOLD, threshold=evaluation.threshold))
    ratio_line = _parse_summary(sections.get("Ⅰ", []), evaluation, warnings)
    bureau_names = {nospace(r.bureau) for r in evaluation.summary}
    evaluation.narrative = _parse_narrative(sections.get("Ⅱ", []), bureau_names)

    has_iii = "Ⅲ" in sections
    rules = _row_corrections(corrections, warnings)
    departments = _departments(
        [b for where, b in placed if (where == "Ⅲ" or not has_iii) and id(b) != summary_table],
        rendering,
        rules,
        warnings,
        source,
    )
    if not departments:
        if evaluation.summary or evaluation.narrative:
            warnings.append(ParseWarning(None, kind=Kind.NO_DEPARTMENT_TABLES))
        else:
            raise ParseError(
                f"{source or '문서'}: 평가 문서의 표(Ⅰ 국별 현황, Ⅲ 부서별 현황)를 찾지 못했습니다."
            )
    for key, rule in rules.items():
        if not rule.get("_used"):
            warnings.append(
                ParseWarning(None, kind=Kind.CORRECTION_UNUSED, department=key[0], numbers=key[1])
            )
    evaluation.bureaus = _assign_bureaus(departments, evaluation, corrections, warnings)
    project_rates = _check_rates(evaluation, warnings)
    _check_summary(evaluation, warnings, ratio_line, project_rates)
    evaluation.warnings = sorted(warnings, key=lambda w: (w.line is None, w.line or 0))
    return evaluation


def _evaluation_belongs(first: Any, table: Any) -> bool:
    """A table of the section whose first table is `first`: the same columns, a department
    table of its own (its header row), or department headings only (`▢ 부서` rows)."""
    if table.cols == first.cols or _header_index(table) is not None:
        return True
    return all(_heading_of(table, r) is not None for r in range(table.rows))


def _heading_of(table: TableLike, r: int) -> str | None:
    """A department heading written as a table row of one cell: "▢ 부서명"."""
    cells = {id(c): c for c in table.grid[r] if c is not None}
    if len(cells) != 1:
        return None
    m = DEPT_RE.match(cell_text(next(iter(cells.values()))))
    return nospace(m.group("name")) if m else None


def _departments(
    blocks: Sequence[Any],
    rendering: Rendering,
    rules: dict[tuple, dict],
    warnings: list[ParseWarning],
    source: str,
) -> list[Department]:
    departments: list[Department] = []
    by_name: dict[str, Department] = {}
    current: Department | None = None
    fresh = True
    references: set[tuple[str, ...]] = set()  # the reference columns named so far
    line_of = rendering.row_line
    paragraph_line = {k: first for k, (first, _) in rendering.block_line.items()}
    for block in blocks:
        if getattr(block, "grid", None) is None:
            m = DEPT_RE.match(clean(block.text))
            if m:
                name = nospace(m.group("name"))
                continued = _continued(name)
                if continued is not None and current is not None and continued == current.name:
                    continue  # "▢ 부서 (계속)": the department above goes on
                name = continued or name
                current = _open_department(
                    name, paragraph_line.get(id(block)), departments, by_name, source
                )
                fresh = True
            continue
        found = _find_header(block)
        header = (found.first, found.columns) if found else None
        first, columns = header if header else (block.rows, {})
        if found and found.references and tuple(found.references) not in references:
            references.add(tuple(found.references))
            warnings.append(
                ParseWarning(
                    line_of[(id(block), 0)],
                    kind=Kind.REFERENCE_COLUMNS,
                    department=current.name if current else "",
                    columns=tuple(found.references),
                )
            )
        for r in range(first):  # "▢ 부서명" as a table row (or a one-cell table)
            heading = _heading_of(block, r)
            continued = _continued(heading) if heading else None
            if continued is not None and current is not None and continued == current.name:
                continue
            heading = continued or heading
            if heading:
                current = _open_department(
                    heading, line_of[(id(block), r)], departments, by_name, source
                )
                fresh = True
        if header is None:
            if _has_rows(block):  # rows no header names: never read, never silently
                first_line, last_line = rendering.block_line[id(block)]
                warnings.append(
                    ParseWarning(
                        first_line,
                        kind=Kind.BLOCKS_NOT_READ,
                        reason="no_header",
                        section="Ⅲ",
                        lines=(first_line, last_line),
                        tables=1,
                        text=_first_text(block),
                    )
                )
            continue
        if current is None:
            raise ParseError(
                f"{source}: {line_of[(id(block), 0)]}행의 표 앞에 부서 표시(▢ 부서명)가 "
                "없어 어느 부서의 표인지 알 수 없습니다."
            )
        # a table with no "▢" of its own continues the department above (a page break)
        _read_rows(block, first, columns, current, not fresh, rendering, rules, warnings)
        fresh = False
    return departments


def _has_rows(table: Any) -> bool:
    """True when a table holds a row of two or more cells with text (not a title box, not a
    `▢ 부서` or section heading row)."""
    for r in range(table.rows):
        if _heading_of(table, r) is not None:
            continue
        if sum(1 for c in _anchors(table.grid[r]) if cell_text(c)) >= 2:
            return True
    return False


def _continued(name: str) -> str | None:
    """The department a continuation title names ("소통기획과(계속)" → "소통기획과")."""
    return name[: -len("(계속)")] if name.endswith("(계속)") else None


def _open_department(
    name: str,
    line: int | None,
    departments: list[Department],
    by_name: dict[str, Department],
    source: str,
) -> Department:
    if name in by_name:
        first = by_name[name]
        raise ParseError(
            f"{source}: 부서 '{name}'의 표시(▢)가 두 번 나옵니다 ({first.line}행과 {line}행). "
            "문서가 두 번 들어 있거나 부서명이 잘못 적혀 있습니다."
        )
    dept = Department(name, line=line)
    departments.append(dept)
    by_name[name] = dept
    return dept


def _read_rows(
    table: Any,
    first: int,
    columns: dict[str, int],
    dept: Department,
    continued: bool,
    rendering: Rendering,
    rules: dict[tuple, dict],
    warnings: list[ParseWarning],
) -> None:
    """Indicators of one department table; `continued`: the table goes on from the
    department's previous one, whose last project its first row may repeat."""
    last_project_cell = None
    header_words = {"주요사업명", "성과지표", "단위", "목표", "실적", "달성률", "달성률(%)"}
    for r in range(first, table.rows):
        row = table.grid[r]
        line = rendering.row_line[(id(table), r)]
        texts = {f: cell_text(row[k]) for f, k in columns.items()}
        if not any(texts.values()):
            continue
        if nospace(texts["project"]) in header_words and nospace(texts["indicator"]) in (
            header_words
        ):
            continue  # a repeated column header
        values = {}
        for f in ("target", "actual", "rate"):
            raw = fold_digits(texts[f]).replace(" ", "")
            value = parse_number(raw) if raw else None
            if raw and value is None and raw not in ("-", "–", "—"):
                warnings.append(
                    ParseWarning(
                        line,
                        kind=Kind.CELL_UNREADABLE,
                        department=dept.name,
                        indicator=texts["indicator"],
                        column=f,
                        text=texts[f],
                    )
                )
            values[f] = value
        project_cell = row[columns["project"]]
        project_name = texts["project"]
        indicator_name = texts["indicator"]
        continues = bool(dept.projects) and (
            project_cell is last_project_cell
            or not project_name
            or (  # the first row of a page repeats the project it goes on with
                continued
                and last_project_cell is None
                and nospace(project_name) == nospace(dept.projects[-1].name)
            )
        )
        numbers = squash(
            " ".join(fold_digits(texts[f]) or "-" for f in ("unit", "target", "actual", "rate"))
        )
        squeezed = nospace(dept.name)
        rule = (
            (rules.get((squeezed, numbers, line)) or rules.get((squeezed, numbers, None)))
            if rules
            else None
        )
        if rule is not None:
            rule["_used"] = True
            project_name = squash(str(rule.get("project", "")))
            indicator_name = squash(str(rule.get("indicator", "")))
            continues = not project_name and bool(dept.projects)
            warnings.append(
                ParseWarning(
                    line,
                    kind=Kind.ROW_CORRECTION,
                    department=dept.name,
                    numbers=numbers,
                    project=project_name or None,
                    indicator=indicator_name,
                )
            )
        elif not project_name and not dept.projects:
            warnings.append(
                ParseWarning(
                    line,
                    kind=Kind.ROW_UNCERTAIN,
                    department=dept.name,
                    indicator=indicator_name,
                    new_project=True,
                    project=indicator_name,
                    reason="첫 행의 주요사업명 칸이 비어 있어 지표명을 사업명으로 씀",
                )
            )
        if not continues:
            dept.projects.append(Project(project_name or indicator_name, line=line))
        dept.projects[-1].indicators.append(
            Indicator(
                name=indicator_name,
                unit=texts["unit"],
                target=values["target"],
                actual=values["actual"],
                stated_rate=values["rate"],
                line=line,
            )
        )
        last_project_cell = project_cell
