"""Parser for the year-end evaluation (주요사업 평가 현황), space-separated extracted text.

Sections: Ⅰ 국별 사업추진 현황 (per-bureau counts), Ⅱ 국별 주요사업 추진 성과 (narrative),
Ⅲ 부서별 추진 현황 (one table per department). Ⅲ never names bureaus: the departments
appear in bureau order and Ⅰ's project counts partition them (or an organisation file
states the mapping). Everything printed that can be checked is checked, and every
disagreement becomes a warning with its line number.
"""

from __future__ import annotations

import re
from bisect import bisect_left
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
from ._evaluation_tables import PAGE_NUMBER_RE, RawDepartment, split_departments
from ._text import (
    dedupe_repeat,
    fold_digits,
    has_fullwidth,
    nospace,
    parse_number,
    squash,
    widest,
    width,
)

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
    squeezed = nospace(text[:200_000])
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
    # Full-width digits and signs become ASCII once, here, for every later step.
    joined = "\n".join(lines)
    if not has_fullwidth(joined):  # the usual case: the lines as they are, no copy
        numbered = list(enumerate(lines, 1))
    elif joined.count("\n") == len(lines) - 1:  # no line holds a newline: fold all at once
        numbered = list(enumerate(fold_digits(joined).split("\n"), 1))
    else:
        numbered = [(n, fold_digits(t)) for n, t in enumerate(lines, 1)]
    del joined
    sections, headings = _sections(numbered)
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
                f"{source or '문서'}: 평가 문서의 표(Ⅰ 국별 현황, Ⅲ 부서별 현황)를 찾지 못했습니다."
            )
    raw = split_departments(table_lines, warnings)
    rules = _row_corrections(corrections, warnings)
    # How much text one column holds: the widest wrapped name line, or the widest indicator
    # name that shares its line with the numbers while the project name stands above it.
    column = widest(
        [t for d in raw for r in d.rows for block in r.blocks for _, t in block]
        + [r.anchor.lead for d in raw for r in d.rows if r.blocks and r.anchor.lead],
        default=24,
    )
    departments = [_department(d, rules, column, warnings) for d in raw]
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


# --------------------------------------------------------------------------- sections


def _sections(
    numbered: list[tuple[int, str]],
) -> tuple[dict[str, list[tuple[int, str]]], dict[str, str]]:
    """Lines under each roman-numbered heading ("" holds what comes before the first), and
    the heading lines themselves."""
    roman = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}
    sections: dict[str, list[tuple[int, str]]] = {"": []}
    headings: dict[str, str] = {}
    current = ""
    bucket = sections[current]
    marks = "ⅠⅡⅢⅣI"
    for item in numbered:
        text = item[1]
        first = text[:1]
        if first.isspace():
            first = text.lstrip()[:1]
        m = SECTION_RE.match(text) if first and first in marks else None
        if m and m.group("title").strip():
            current = roman.get(m.group("num"), m.group("num"))
            bucket = sections.setdefault(current, [])
            headings.setdefault(current, text.strip())
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
        row = SummaryRow(name, counts[0], counts[1], counts[2], number)
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
    cumulative = list(accumulate(len(d.projects) for d in departments))
    bureaus: list[Bureau] = []
    start = 0
    target = 0
    for k, row in enumerate(summary):
        target += row.projects
        last = k == len(summary) - 1
        if last:
            end = len(departments)
        else:
            # cumulative never decreases, so the boundary is found by bisection.
            j = bisect_left(cumulative, target, lo=start)
            if j < len(cumulative) and cumulative[j] == target:
                end = j + 1
            else:
                # No boundary adds up: take the closest one and say so.
                below = cumulative[j - 1] if j > 0 else 0
                above = cumulative[j] if j < len(cumulative) else None
                end = (
                    j + 1 if above is not None and abs(above - target) < abs(below - target) else j
                )
                end = max(end, start)
                warnings.append(
                    ParseWarning(
                        row.line, kind=Kind.BUREAU_BOUNDARY, bureau=row.bureau, printed=row.projects
                    )
                )
        bureaus.append(Bureau(row.bureau, departments[start:end], line=row.line))
        start = end
    return bureaus


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
        got = evaluation.summary_ratio
        if (got[0], got[1]) != (normal_pct, weak_pct):
            warnings.append(
                ParseWarning(
                    ratio_line or total.line,
                    kind=Kind.RATIO_MISMATCH,
                    printed=(got[0], got[1]),
                    computed=(normal_pct, weak_pct),
                    normal=total.normal,
                    weak=total.weak,
                    projects=total.projects,
                )
            )
