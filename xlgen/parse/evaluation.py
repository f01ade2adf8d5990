"""Parser for the year-end evaluation (주요사업 평가 현황), space-separated extracted text.

Sections: Ⅰ 국별 사업추진 현황 (per-bureau counts), Ⅱ 국별 주요사업 추진 성과 (narrative),
Ⅲ 부서별 추진 현황 (one table per department). Ⅲ never names bureaus: the departments
appear in bureau order and Ⅰ's project counts partition them (or an organisation file
states the mapping). Everything printed that can be checked is checked, and every
disagreement becomes a warning with its line number.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

from .._gc import no_gc
from ..errors import ParseError
from ..findings import Kind
from ..model import (
    Bureau,
    Department,
    Evaluation,
    Field,
    Highlight,
    Indicator,
    NarrativeSection,
    ParseWarning,
    Project,
    SummaryRow,
)
from ..rules import indicator_rate, is_weak, percent, project_rate
from ._evaluation_rows import decide
from ._evaluation_tables import (
    PAGE_NUMBER_RE,
    RawDepartment,
    Section,
    note_warnings,
    pairing_warnings,
    split_departments,
)
from ._text import (
    dedupe_repeat,
    fold_digits,
    nospace,
    parse_number,
    squash,
    widest,
    width,
)
from .normalize import lost_characters, normalize_lines, normalize_text

SECTION_RE = re.compile(r"^\s*(?P<num>Ⅰ|Ⅱ|Ⅲ|Ⅳ|III|II|IV|I)\s*[.．]\s*(?P<title>.*)$")
_SUMMARY_CELL = r"(\d[\d,]*|-|–)"
SUMMARY_RE = re.compile(
    rf"^(?P<name>.*?\S)\s+{_SUMMARY_CELL}\s+{_SUMMARY_CELL}\s+{_SUMMARY_CELL}\s*$"
)
THRESHOLD_RE = re.compile(r"부진\s*판정\s*기준.*?(\d+(?:\.\d+)?)\s*%\s*이하")
YEAR_RE = re.compile(r"((?:19|20)\d\d)\s*년")
FIELD_MARKS = "◇◆"
HIGHLIGHT_RE = re.compile(r"^(?:[○◦◯●]|ㅇ(?=\s))\s*")
DETAIL_RE = re.compile(r"^(?:[-·‧∙•]|\u2027)\s*")


def looks_like_evaluation(text: str) -> bool:
    """Content-based detection of an evaluation document."""
    squeezed = nospace(normalize_text(text[:200_000]))
    return "달성률" in squeezed and (
        "부서별추진현황" in squeezed
        or "국별사업추진현황" in squeezed
        or ("주요사업명" in squeezed and "성과지표" in squeezed and "실적" in squeezed)
    )


def parse_evaluation(
    lines: list[str], *, corrections: Mapping[str, Any] | None = None, source: str = ""
) -> Evaluation:
    """Parse an evaluation document's lines into an `Evaluation` with warnings."""
    with no_gc():
        return _parse_evaluation(lines, corrections, source)


def _parse_evaluation(
    lines: list[str], corrections: Mapping[str, Any] | None, source: str
) -> Evaluation:
    where = source or "문서"
    # One normalisation layer (NFC, invisible and look-alike characters, footers, full-width
    # forms, "%" after rates) for every later step; see xlgen.parse.normalize.
    lines = normalize_lines(lines)
    numbered = list(enumerate(lines, 1))
    sections, headings = _sections(numbered, where)
    _refuse_lost_characters(lines, sections, where)
    warnings: list[ParseWarning] = []
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
    table_lines = sections.get("Ⅲ")
    if table_lines is None:
        if evaluation.summary or evaluation.narrative:
            warnings.append(ParseWarning(None, kind=Kind.NO_DEPARTMENT_TABLES))
            table_lines = []
        else:
            raise ParseError(
                f"{where}: 평가 문서의 표(Ⅰ 국별 현황, Ⅲ 부서별 현황)를 찾지 못했습니다."
            )
    section = split_departments(table_lines, where)
    if "Ⅲ" in sections and not section.tables:
        raise ParseError(
            f"{where} {_heading_line(sections, numbered)}행: Ⅲ 부서별 추진 현황에 성과지표 행"
            "(단위 목표 실적 달성률)이 하나도 없습니다. 표의 숫자가 빠진 텍스트입니다."
        )
    if section.tables and not section.headings:
        raise ParseError(
            f"{where} {section.tables[0].header_line}행: Ⅲ의 표에 부서 제목(▢ 부서명)이 하나도"
            " 없어 어느 부서의 표인지 알 수 없습니다."
        )
    rules = _row_corrections(corrections, warnings)
    # How much text one column holds: the widest wrapped name line, or the widest indicator
    # name that shares its line with the numbers while the project name stands above it.
    all_rows = [r for t in section.tables for r in t.rows]
    column = widest(
        [t for r in all_rows for block in r.blocks for _, t in block]
        + [r.anchor.lead for r in all_rows if r.blocks and r.anchor.lead],
        default=24,
    )
    builder = _Builder(section, rules, column, evaluation.threshold)
    mapping = _choose_readings(section, evaluation, corrections, builder, warnings)
    raw = section.departments(mapping)
    warnings.extend(pairing_warnings(section, mapping))
    warnings.extend(note_warnings(section, raw))
    departments = []
    used: set = set()
    for d in raw:
        dept, found, used_here = builder.build(d)
        departments.append(dept)
        warnings.extend(found)
        used |= used_here
    for key in rules:
        if key not in used:
            warnings.append(
                ParseWarning(None, kind=Kind.CORRECTION_UNUSED, department=key[0], numbers=key[1])
            )
    evaluation.bureaus = _assign_bureaus(departments, evaluation, corrections, warnings)
    project_rates = _check_rates(evaluation, warnings)
    _check_summary(evaluation, warnings, ratio_line, project_rates)
    evaluation.warnings = sorted(warnings, key=lambda w: (w.line is None, w.line or 0))
    return evaluation


def _heading_line(sections: dict, numbered: list[tuple[int, str]]) -> int:
    body = sections.get("Ⅲ") or []
    return body[0][0] - 1 if body else len(numbered)


def _refuse_lost_characters(lines: list[str], sections: dict, where: str) -> None:
    """Refuse a document whose characters were lost in saving, saying which and where."""
    lost = lost_characters(lines)
    if not lost:
        return
    table_lines = {n for n, _ in sections.get("Ⅲ", [])}
    for number, text in lost:
        if number in table_lines and text.startswith("?"):
            raise ParseError(
                f"{where} {number}행: 부서 표시(▢)가 `?`로 바뀌어 있습니다 ('{text[:30]}'):"
                " CP949로 저장하며 글자가 손실되었습니다. 원본을 UTF-8로 다시 저장해 주세요."
            )
    number, text = lost[0]
    if "\ufffd" in text:
        raise ParseError(
            f"{where} {number}행: 글자가 깨져(�) 있습니다 ('{text[:30]}'): 저장하거나 변환하며"
            " 글자가 손실되었습니다. 원본을 UTF-8로 다시 저장해 주세요."
        )
    raise ParseError(
        f"{where} {number}행: 글자가 `?`로 바뀌어 있습니다 ('{text[:30]}'): CP949로 저장하며"
        " 이 코드 페이지에 없는 글자(▢ ◦ ‧ 등)가 손실되었습니다. 원본을 UTF-8로 다시 저장해 주세요."
    )


# --------------------------------------------------------------------------- sections


def _sections(
    numbered: list[tuple[int, str]], where: str = "문서"
) -> tuple[dict[str, list[tuple[int, str]]], dict[str, str]]:
    """Lines under each roman-numbered heading ("" holds what comes before the first), and
    the heading lines themselves.

    A heading that comes back after another section, with text under both occurrences (the
    document pasted twice, or two documents in one file), is refused. One with nothing under
    it is a table of contents' line and gives way to the other; one repeated within its own
    section is a page's running title."""
    roman = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}
    sections: dict[str, list[tuple[int, str]]] = {"": []}
    headings: dict[str, str] = {}
    first_line: dict[str, int] = {}
    current = ""
    bucket = sections[current]
    marks = "ⅠⅡⅢⅣI"

    def has_content(lines: list[tuple[int, str]]) -> bool:
        return any(t.strip() and not PAGE_NUMBER_RE.match(t) for _, t in lines)

    for item in numbered:
        text = item[1]
        first = text[:1]
        if first.isspace():
            first = text.lstrip()[:1]
        m = SECTION_RE.match(text) if first and first in marks else None
        if m and m.group("title").strip():
            numeral = roman.get(m.group("num"), m.group("num"))
            if numeral == current:
                continue  # the section's title repeated on a later page
            current = numeral
            if current in sections:
                if has_content(sections[current]):
                    raise ParseError(
                        f"{where} {item[0]}행: '{text.strip()[:40]}' 제목이 두 번 나옵니다"
                        f" ({first_line[current]}행과 {item[0]}행). 같은 문서를 두 번 붙여 넣었거나"
                        " 두 문서가 한 파일에 들어 있습니다. 문서 하나만 남겨 주세요."
                    )
                sections[current] = []
                headings[current] = text.strip()
            bucket = sections.setdefault(current, [])
            headings.setdefault(current, text.strip())
            first_line[current] = item[0]
            continue
        bucket.append(item)
    return sections, headings


def _title(numbered: list[tuple[int, str]], sections: dict) -> str:
    for _, text in numbered:
        if text.strip() and not SECTION_RE.match(text):
            return squash(dedupe_repeat(text))
    return ""


def _threshold(numbered: list[tuple[int, str]]) -> float | int | None:
    for _, text in numbered:
        m = THRESHOLD_RE.search(fold_digits(text))
        if m:
            return parse_number(m.group(1))
    return None


# --------------------------------------------------------------------------- Ⅰ


def _parse_summary(
    lines: list[tuple[int, str]], evaluation: Evaluation, warnings: list
) -> int | None:
    """Fill the Ⅰ table into `evaluation`; return the line of the 비율 row, if any."""
    ratio_line = None
    for number, text in lines:
        m = SUMMARY_RE.match(fold_digits(text.strip()))
        if not m:
            continue
        name = nospace(m.group("name"))
        values = [parse_number(m.group(i)) for i in (2, 3, 4)]
        if name.startswith("비율"):
            # "-" in a count or ratio column means 0 (domain rule).
            evaluation.summary_ratio = (values[1] or 0, values[2] or 0)
            ratio_line = number
            continue
        counts = [v if v is not None else 0 for v in values]
        if any(not isinstance(v, int) or v < 0 for v in counts):
            warnings.append(ParseWarning(number, kind=Kind.SUMMARY_ROW_UNREADABLE, bureau=name))
            continue
        row = SummaryRow(name, int(counts[0]), int(counts[1]), int(counts[2]), number)
        if name in ("사업수", "계", "합계", "총계"):
            evaluation.summary_total = row
        else:
            evaluation.summary.append(row)
    if not evaluation.summary:
        warnings.append(ParseWarning(None, kind=Kind.NO_SUMMARY_TABLE))
    return ratio_line


# --------------------------------------------------------------------------- Ⅱ


HEADING_END = ("국", "소", "단", "관", "실", "본부", "과", "청", "센터", "원")
HEADING_SPLIT = re.compile(r"[‧·∙・,/&]|및")


def _unspace(text: str) -> str:
    """ "행 정 국" → "행정국"; "복지국 ‧ 보건소" stays as printed."""
    tokens = text.split()
    return "".join(tokens) if all(len(t) == 1 for t in tokens) else " ".join(tokens)


def _is_heading(text: str, bureau_names: set[str]) -> bool:
    """A narrative heading: a bureau name, or several joined ("복지국 ‧ 보건소")."""
    parts = [nospace(p) for p in HEADING_SPLIT.split(text) if p.strip()]
    if parts and all(p in bureau_names for p in parts):
        return True
    return width(text) <= 24 and all(p.endswith(HEADING_END) for p in parts) and bool(parts)


def _parse_narrative(
    lines: list[tuple[int, str]], bureau_names: set[str]
) -> list[NarrativeSection]:
    content = [(n, squash(t)) for n, t in lines if t.strip() and not PAGE_NUMBER_RE.match(t)]
    sections: list[NarrativeSection] = []
    section: NarrativeSection | None = None
    for i, (number, text) in enumerate(content):
        nxt = content[i + 1][1] if i + 1 < len(content) else ""
        if text[0] in FIELD_MARKS:
            if section is None:
                section = NarrativeSection("", line=number)
                sections.append(section)
            section.fields.append(Field(text[1:].strip()))
            continue
        if (
            nxt[:1] in FIELD_MARKS
            and nxt
            and not HIGHLIGHT_RE.match(text)
            and not DETAIL_RE.match(text)
            and _is_heading(text, bureau_names)
        ):
            section = NarrativeSection(_unspace(text), line=number)
            sections.append(section)
            continue
        if section is None or not section.fields:
            continue  # text before the first heading (titles, spacing)
        fld = section.fields[-1]
        m = HIGHLIGHT_RE.match(text)
        if m:
            fld.highlights.append(Highlight(text[m.end() :].strip()))
            continue
        m = DETAIL_RE.match(text)
        if m and fld.highlights:
            fld.highlights[-1].details.append(text[m.end() :].strip())
            continue
        # A wrapped line: continue the last detail, highlight or field title.
        if fld.highlights and fld.highlights[-1].details:
            fld.highlights[-1].details[-1] += " " + text
        elif fld.highlights:
            fld.highlights[-1].text += " " + text
        else:
            fld.title += " " + text
    return sections


# --------------------------------------------------------------------------- Ⅲ


def _row_corrections(corrections: Mapping[str, Any] | None, warnings: list) -> dict[tuple, dict]:
    """`[[evaluation.row]]` entries keyed by (department, numbers line, line or None).

    A malformed corrections file is reported, never fatal: a single `[evaluation.row]`
    table counts as one entry, anything else that is not an entry is named in a warning.
    """
    rules: dict[tuple, dict] = {}
    section = (corrections or {}).get("evaluation", {})
    if not isinstance(section, Mapping):
        warnings.append(
            ParseWarning(None, kind=Kind.BAD_CORRECTIONS, problem="evaluation_not_table")
        )
        return rules
    entries = section.get("row", [])
    if isinstance(entries, Mapping):
        entries = [entries]
    if not isinstance(entries, list):
        warnings.append(
            ParseWarning(None, kind=Kind.BAD_CORRECTIONS, problem="evaluation_rows_not_list")
        )
        return rules
    for entry in entries:
        if not isinstance(entry, Mapping) or "department" not in entry or "numbers" not in entry:
            warnings.append(
                ParseWarning(
                    None,
                    kind=Kind.BAD_CORRECTIONS,
                    problem="evaluation_row_keys",
                    entry=f"{entry!r:.60}",
                )
            )
            continue
        line = entry.get("line")
        key = (
            nospace(str(entry["department"])),
            squash(fold_digits(str(entry["numbers"]))),
            line if isinstance(line, int) else None,
        )
        rules[key] = dict(entry)
    return rules


def _department(raw: RawDepartment, rules: dict, column: int, warnings: list) -> Department:
    name = raw.name or "(부서명 없음)"
    dept = Department(name, line=raw.line)
    rows = raw.rows
    blocks = [b for r in rows for b in r.blocks]
    dense = not blocks or sum(len(b) > 1 for b in blocks) >= len(blocks) / 2
    squeezed = nospace(name)
    for i, row in enumerate(rows):
        a = row.anchor
        rule = (
            (rules.get((squeezed, a.numbers, a.line)) or rules.get((squeezed, a.numbers, None)))
            if rules
            else None
        )
        if rule is not None:
            rule["_used"] = True
            project_name = squash(str(rule.get("project", "")))
            indicator_name = squash(str(rule.get("indicator", "")))
            new = bool(project_name)
            warnings.append(
                ParseWarning(
                    a.line,
                    kind=Kind.ROW_CORRECTION,
                    department=name,
                    numbers=a.numbers,
                    project=project_name if new else None,
                    indicator=indicator_name,
                )
            )
        else:
            d = decide(row, i == 0 and not dept.projects, column, dense)
            new, project_name, indicator_name = d.new_project, d.project, d.indicator
            if not d.confident:
                warnings.append(
                    ParseWarning(
                        a.line,
                        kind=Kind.ROW_UNCERTAIN,
                        department=name,
                        indicator=indicator_name,
                        new_project=new,
                        project=project_name,
                        reason=d.reason,
                    )
                )
        if new or not dept.projects:
            dept.projects.append(Project(project_name or indicator_name, line=a.line))
        first_line = (
            min(row.blocks[0][0][0], a.line) if row.blocks else a.line
        )  # blocks run in line order
        dept.projects[-1].indicators.append(
            Indicator(
                name=indicator_name,
                unit=a.unit,
                target=a.target,
                actual=a.actual,
                stated_rate=a.rate,
                line=a.line,
            )
        )
        if first_line < (dept.projects[-1].line or a.line):
            dept.projects[-1].line = first_line
    return dept


# --------------------------------------------------------------------------- readings


def _table_corrections(corrections: Mapping[str, Any] | None, warnings: list) -> list[dict]:
    """`[[evaluation.table]]` entries: which department a table belongs to, the table named
    by the numbers line of its first indicator ("단위 목표 실적 달성률" as printed)."""
    section = (corrections or {}).get("evaluation", {})
    if not isinstance(section, Mapping):
        return []
    entries = section.get("table", [])
    if isinstance(entries, Mapping):
        entries = [entries]
    if not isinstance(entries, list):
        warnings.append(
            ParseWarning(None, kind=Kind.BAD_CORRECTIONS, problem="evaluation_tables_not_list")
        )
        return []
    out = []
    for entry in entries:
        if not isinstance(entry, Mapping) or "department" not in entry or "numbers" not in entry:
            warnings.append(
                ParseWarning(
                    None,
                    kind=Kind.BAD_CORRECTIONS,
                    problem="evaluation_table_keys",
                    entry=f"{entry!r:.60}",
                )
            )
            continue
        out.append(
            {
                "department": nospace(str(entry["department"])),
                "numbers": squash(fold_digits(str(entry["numbers"]))),
                "used": False,
            }
        )
    return out


def _dept_figures(dept: Department, threshold: float | int) -> tuple[int, int, int]:
    """(projects, 정상추진, 부진) of one department, judged as Ⅰ counts them."""
    normal = weak = 0
    for project in dept.projects:
        rate = project_rate(
            indicator_rate(i.target, i.actual, i.direction) for i in project.indicators
        )
        judged = is_weak(rate, threshold)
        weak += judged is True
        normal += judged is False
    return len(dept.projects), normal, weak


class _Builder:
    """Departments built from raw tables, each once per set of tables (readings share them).

    A build keeps its own warnings and the row corrections it used, so that only the
    departments of the reading finally chosen contribute to the parse's warnings."""

    def __init__(self, section: Section, rules: dict, column: int, threshold: float | int):
        self.section, self.rules, self.column, self.threshold = section, rules, column, threshold
        self.cache: dict[tuple, tuple[Department, list[ParseWarning], set]] = {}

    def build(self, raw: RawDepartment) -> tuple[Department, list[ParseWarning], set]:
        key = (raw.name, raw.line, tuple(id(t) for t in raw.tables))
        if key not in self.cache:
            scratch = {k: dict(v) for k, v in self.rules.items()} if self.rules else {}
            found: list[ParseWarning] = []
            dept = _department(raw, scratch, self.column, found)
            used = {k for k, v in scratch.items() if v.get("_used")}
            self.cache[key] = (dept, found, used)
        return self.cache[key]

    def department(self, h: int, tables: list[int]) -> Department:
        heading = self.section.headings[h]
        raw = RawDepartment(
            heading.name,
            heading.line,
            sorted((self.section.tables[t] for t in tables), key=lambda t: t.header_line),
        )
        return self.build(raw)[0]


class _SummaryScore:
    """How many of Ⅰ's printed figures a reading disagrees with, near the chain it changes.

    Ⅰ gives per bureau the number of projects, 정상추진 and 부진; without an organisation
    file the bureaus partition the department list by project counts. A chain changes the
    departments of a few consecutive headings only, so a reading is scored on the bureaus
    those departments fall in, partitioned afresh among themselves: a reading that moves
    projects across one of their boundaries, or out of them, disagrees with their figures."""

    def __init__(self, evaluation: Evaluation, names: list[str], org: Mapping | None) -> None:
        self.threshold = evaluation.threshold
        self.memo: dict[int, tuple[int, int, int]] = {}
        self.summary = evaluation.summary
        self.printed = [(r.projects, r.normal, r.weak) for r in self.summary]
        self.keys = [nospace(r.bureau) for r in self.summary]
        self.owner: list[int] | None = None
        if org:
            index = {key: k for k, key in enumerate(self.keys)}
            by_name = {
                nospace(str(n)): index.get(nospace(str(b)), -1)
                for b, ns in org.items()
                for n in (ns if isinstance(ns, list) else [])
            }
            self.owner = [by_name.get(name, -1) for name in names]
        self.starts: list[int] = []

    def figures(self, dept: Department) -> tuple[int, int, int]:
        key = id(dept)
        if key not in self.memo:
            self.memo[key] = _dept_figures(dept, self.threshold)
        return self.memo[key]

    def rebase(self, depts: list[Department]) -> None:
        """Partition the departments as they stand (after a chain changed them)."""
        if self.summary and self.owner is None:
            ends, _ = _partition([len(d.projects) for d in depts], self.summary)
            ends = [e if e >= 0 else -e - 1 for e in ends]
            self.starts = [0] + ends[:-1]

    def one_bureau(self, lo: int, hi: int, count: int) -> bool:
        """Do the departments lo..hi all fall in one bureau (so that moving tables among
        them changes no bureau's figures)?"""
        if not self.summary:
            return True
        if self.owner is not None:
            return len({self.owner[h] for h in range(lo, hi + 1)}) == 1
        k = max(bisect_right(self.starts, lo) - 1, 0)
        end = self.starts[k + 1] if k + 1 < len(self.starts) else count
        return hi < end

    def score(self, depts: list[Department], lo: int, hi: int) -> int:
        if not self.summary:
            return 0
        if self.owner is not None:
            touched = {self.owner[h] for h in range(lo, hi + 1)} - {-1}
            misses = 0
            for k in touched:
                got = [0, 0, 0]
                for h, owner in enumerate(self.owner):
                    if owner == k:
                        fig = self.figures(depts[h])
                        for i in range(3):
                            got[i] += fig[i]
                misses += sum(a != b for a, b in zip(got, self.printed[k], strict=True))
            return misses
        first = max(bisect_right(self.starts, lo) - 1, 0)
        last = max(bisect_right(self.starts, hi) - 1, first)
        begin = self.starts[first]
        end = self.starts[last + 1] if last + 1 < len(self.summary) else len(depts)
        rows = self.summary[first : last + 1]
        part = [self.figures(d) for d in depts[begin:end]]
        ends, misses = _partition([f[0] for f in part], rows)
        start = 0
        for k, stop in enumerate(ends):
            stop = stop if stop >= 0 else -stop - 1
            got = [sum(f[i] for f in part[start:stop]) for i in range(3)]
            misses += sum(a != b for a, b in zip(got, self.printed[first + k], strict=True))
            start = stop
        return misses


def _choose_readings(
    section: Section,
    evaluation: Evaluation,
    corrections: Mapping[str, Any] | None,
    builder: _Builder,
    warnings: list,
) -> dict[int, int | None]:
    """Which table belongs to which heading, where the text allows several readings.

    Per chain (see `Chain`), in order: the corrections file's `[[evaluation.table]]` entries
    settle it; otherwise the readings that agree best with Ⅰ's per-bureau figures remain;
    of those the one with the fewest page-straddling headings is taken, and when more than
    one remained, or none agrees with Ⅰ, a finding "확인 필요" names the tables, their rows
    and the readings."""
    mapping = dict(section.base)
    table_rules = _table_corrections(corrections, warnings)
    if not section.chains:
        _unused_table_rules(table_rules, warnings)
        return mapping
    org = (corrections or {}).get("organization")
    org = org if isinstance(org, Mapping) and org else None
    names = [h.name for h in section.headings]
    owners: dict[int, list[int]] = {}
    for t, owner in mapping.items():
        if owner is not None:
            owners.setdefault(owner, []).append(t)
    depts = [builder.department(h, owners.get(h, [])) for h in range(len(section.headings))]
    scorer = _SummaryScore(evaluation, names, org)
    scorer.rebase(depts)
    rule_departments = {key[0] for key in builder.rules}
    for chain in section.chains:
        readings = chain.readings()
        owned = set(chain.mapping((), section.headings))
        span = chain.headings_of()
        lo, hi = min(span), max(span)
        first_numbers = {t: section.tables[t].rows[0].anchor.numbers for t in owned}
        constraints = []
        for rule in table_rules:
            tables = [t for t, n in first_numbers.items() if n == rule["numbers"]]
            if len(tables) == 1:
                rule["used"] = True
                constraints.append((tables[0], rule["department"]))
        settled = [
            r
            for r in readings
            if all(names[chain.mapping(r, section.headings)[t]] == dept for t, dept in constraints)
        ]
        candidates = settled or readings
        # Tables moved among departments of one bureau, each department holding one table
        # and no row correction naming it: every reading gives Ⅰ the same figures.
        if (
            all(len(owners.get(h, ())) == 1 for h in span)
            and not any(names[h] in rule_departments for h in span)
            and scorer.one_bureau(lo, hi, len(depts))
        ):
            scored = [
                (0, reading, chain.mapping(reading, section.headings), depts)
                for reading in candidates
            ]
        else:
            scored = []
        for reading in candidates if not scored else ():
            change = chain.mapping(reading, section.headings)
            trial = list(depts)
            for h in span:
                mine = [t for t in owners.get(h, []) if t not in owned]
                trial[h] = builder.department(h, mine + [t for t, o in change.items() if o == h])
            scored.append((scorer.score(trial, lo, hi), reading, change, trial))
        best = min(item[0] for item in scored)
        top = [item for item in scored if item[0] == best]
        _, chosen, change, _ = top[0]
        if chosen != readings[0]:
            for t, h in change.items():
                old = mapping[t]
                if old is not None:
                    owners[old].remove(t)
                owners.setdefault(h, []).append(t)
                mapping[t] = h
            depts = list(depts)
            for h in span:
                depts[h] = builder.department(h, owners.get(h, []))
            scorer.rebase(depts)
        line = section.tables[chain.table].header_line
        tables = _chain_tables(section, chain)
        if constraints and settled:
            warnings.append(
                ParseWarning(
                    line,
                    kind=Kind.TABLE_CORRECTION,
                    tables=[_table_ref(section, t) for t in tables],
                    departments=_reading_departments(section, chain, chosen, tables),
                )
            )
        elif constraints:
            warnings.append(
                ParseWarning(line, kind=Kind.TABLE_CORRECTION_UNUSED, problem="no_reading")
            )
        if len(top) > 1 or best > 0:  # undecided, or no reading agrees with Ⅰ
            warnings.append(
                ParseWarning(
                    line,
                    kind=Kind.TABLE_READINGS_AMBIGUOUS,
                    tables=[_table_ref(section, t) for t in tables],
                    readings=[_reading_departments(section, chain, r[1], tables) for r in top],
                    disagreements=best,
                    numbers=section.tables[chain.table].rows[0].anchor.numbers,
                )
            )
    _unused_table_rules(table_rules, warnings)
    return mapping


def _unused_table_rules(table_rules: list[dict], warnings: list) -> None:
    for rule in table_rules:
        if not rule["used"]:
            warnings.append(
                ParseWarning(
                    None,
                    kind=Kind.TABLE_CORRECTION_UNUSED,
                    problem="no_table",
                    department=rule["department"],
                    numbers=rule["numbers"],
                )
            )


def _chain_tables(section: Section, chain: Any) -> list[int]:
    """The chain's tables in text order."""
    return sorted(chain.mapping((), section.headings), key=lambda t: section.tables[t].header_line)


def _table_ref(section: Section, t: int) -> tuple[int, int, int]:
    table = section.tables[t]
    return (table.first_line, table.last_line, len(table.rows))


def _reading_departments(
    section: Section, chain: Any, reading: Any, tables: list[int]
) -> list[str]:
    mapping = chain.mapping(reading, section.headings)
    return [section.headings[mapping[t]].name for t in tables]


# --------------------------------------------------------------------------- bureaus


def _assign_bureaus(
    departments: list[Department],
    evaluation: Evaluation,
    corrections: Mapping[str, Any] | None,
    warnings: list,
) -> list[Bureau]:
    org = (corrections or {}).get("organization", {})
    if isinstance(org, Mapping) and org:
        return _bureaus_from_org(departments, org, warnings)
    summary = evaluation.summary
    if not summary:
        return [Bureau("(국 미상)", departments)] if departments else []
    ends, _ = _partition([len(d.projects) for d in departments], summary)
    bureaus: list[Bureau] = []
    start = 0
    for row, end in zip(summary, ends, strict=True):
        if end < 0:  # no boundary adds up: the closest one, said so
            end = -end - 1
            warnings.append(
                ParseWarning(
                    row.line, kind=Kind.BUREAU_BOUNDARY, bureau=row.bureau, printed=row.projects
                )
            )
        bureaus.append(Bureau(row.bureau, departments[start:end], line=row.line))
        start = end
    return bureaus


def _partition(counts: list[int], summary: list[SummaryRow]) -> tuple[list[int], int]:
    """Where each of Ⅰ's bureaus ends in the department list, from the project counts.

    Returns the end index per bureau (a boundary that does not add up exactly is the
    closest one, given as -end-1) and how many did not add up."""
    cumulative = list(accumulate(counts))
    ends: list[int] = []
    misses = 0
    start = 0
    target = 0
    for k, row in enumerate(summary):
        target += row.projects
        if k == len(summary) - 1:
            ends.append(len(counts))
            continue
        # cumulative never decreases, so the boundary is found by bisection.
        j = bisect_left(cumulative, target, lo=start)
        if j < len(cumulative) and cumulative[j] == target:
            end = j + 1
            ends.append(end)
        else:
            below = cumulative[j - 1] if j > 0 else 0
            above = cumulative[j] if j < len(cumulative) else None
            end = j + 1 if above is not None and abs(above - target) < abs(below - target) else j
            end = max(end, start)
            ends.append(-end - 1)
            misses += 1
        start = end
    return ends, misses


def _bureaus_from_org(departments: list[Department], org: Mapping, warnings: list) -> list[Bureau]:
    by_dept: dict[str, str] = {}
    order: list[str] = []
    for bureau, names in org.items():
        order.append(nospace(str(bureau)))
        for n in names if isinstance(names, list) else []:
            by_dept[nospace(str(n))] = nospace(str(bureau))
    bureaus = {name: Bureau(name) for name in order}
    for dept in departments:
        owner = by_dept.get(nospace(dept.name))
        if owner is None:
            warnings.append(
                ParseWarning(dept.line, kind=Kind.DEPARTMENT_NOT_IN_ORG, department=dept.name)
            )
            owner = "(국 미상)"
            bureaus.setdefault(owner, Bureau(owner))
        bureaus[owner].departments.append(dept)
    return [b for b in bureaus.values() if b.departments]


# --------------------------------------------------------------------------- checks


def _check_rates(evaluation: Evaluation, warnings: list) -> dict[int, float | None]:
    """Warn where a printed 달성률 differs from the computed one; return every project's
    rate (by id) as `rules.rate_of` computes it, for the summary check."""
    project_rates: dict[int, float | None] = {}
    for bureau in evaluation.bureaus:
        for dept in bureau.departments:
            for project in dept.projects:
                rates = [_check_rate(dept, ind, warnings) for ind in project.indicators]
                project_rates[id(project)] = project_rate(rates)
    return project_rates


def _check_rate(dept: Department, ind: Indicator, warnings: list) -> float | None:
    computed = indicator_rate(ind.target, ind.actual, ind.direction)
    if ind.stated_rate is not None and computed is not None and computed != ind.stated_rate:
        warnings.append(
            ParseWarning(
                ind.line,
                kind=Kind.RATE_MISMATCH,
                department=dept.name,
                indicator=ind.name,
                printed=ind.stated_rate,
                computed=computed,
                target=ind.target,
                actual=ind.actual,
            )
        )
    return computed


def _check_summary(
    evaluation: Evaluation,
    warnings: list,
    ratio_line: int | None,
    project_rates: dict[int, float | None],
) -> None:
    printed = {nospace(r.bureau): r for r in evaluation.summary}
    total_projects = total_weak = total_normal = 0
    for bureau in evaluation.bureaus:
        projects = [p for d in bureau.departments for p in d.projects]
        judged = [is_weak(project_rates[id(p)], evaluation.threshold) for p in projects]
        weak = sum(1 for j in judged if j)
        normal = sum(1 for j in judged if j is False)
        total_projects += len(projects)
        total_weak += weak
        total_normal += normal
        row = printed.get(nospace(bureau.name))
        if row is None:
            continue
        for column, got, want in (
            ("projects", len(projects), row.projects),
            ("normal", normal, row.normal),
            ("weak", weak, row.weak),
        ):
            if got != want:
                warnings.append(
                    ParseWarning(
                        row.line,
                        kind=Kind.BUREAU_COUNT_MISMATCH,
                        bureau=bureau.name,
                        column=column,
                        printed=want,
                        computed=got,
                    )
                )
    total = evaluation.summary_total
    if total is not None:
        sums = [
            sum(getattr(r, f) for r in evaluation.summary) for f in ("projects", "normal", "weak")
        ]
        for column, printed_value, summed, computed in zip(
            ("projects", "normal", "weak"),
            (total.projects, total.normal, total.weak),
            sums,
            (total_projects, total_normal, total_weak),
            strict=False,
        ):
            if printed_value != summed:
                warnings.append(
                    ParseWarning(
                        total.line,
                        kind=Kind.TOTAL_VS_BUREAUS,
                        column=column,
                        printed=printed_value,
                        computed=summed,
                    )
                )
            elif printed_value != computed and evaluation.summary:
                warnings.append(
                    ParseWarning(
                        total.line,
                        kind=Kind.TOTAL_VS_TABLES,
                        column=column,
                        printed=printed_value,
                        computed=computed,
                    )
                )
    if evaluation.summary_ratio is not None and total is not None and total.projects:
        normal_pct, weak_pct = (
            percent(total.normal, total.projects),
            percent(total.weak, total.projects),
        )
        stated = evaluation.summary_ratio
        if (stated[0], stated[1]) != (normal_pct, weak_pct):
            warnings.append(
                ParseWarning(
                    ratio_line or total.line,
                    kind=Kind.RATIO_MISMATCH,
                    printed=(stated[0], stated[1]),
                    computed=(normal_pct, weak_pct),
                    normal=total.normal,
                    weak=total.weak,
                    projects=total.projects,
                )
            )
