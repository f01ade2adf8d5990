"""Records → JSON objects, CSV rows, terminal tables and tab-separated rows (`xlgen parse`).

The parts that differ per document kind are functions here (``evaluation_*``, ``plan_*``)
that the kind's registry entry (xlgen.kinds) names; the generic functions ask the registry.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from . import kinds, table
from .errors import InputError
from .model import Document, Evaluation, OfficeRow, Plan
from .rules import excel_round, indicator_rate, judgement, rate_of

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Neutralise text that a spreadsheet would take for a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _office(row: OfficeRow) -> dict[str, Any]:
    return {
        "office": row.office,
        "strategic_goals": row.strategic_goals,
        "policy_goals": row.policy_goals,
        "indicators": row.indicators,
        "unit_projects": row.unit_projects,
        "budget": row.budget,
        "prev_budget": row.prev_budget,
        "change": row.change,
        "line": row.line,
    }


def evaluation_rows(doc: Evaluation) -> list[dict[str, Any]]:
    return [
        {
            "bureau": b.name,
            "department": d.name,
            "project": p.name,
            "indicator": i.name,
            "unit": i.unit,
            "target": i.target,
            "actual": i.actual,
            "stated_rate": i.stated_rate,
            "direction": i.direction.value,
            "line": i.line,
        }
        for b, d, p, i in doc.indicator_rows()
    ]


def plan_rows(doc: Plan) -> list[dict[str, Any]]:
    return [
        {"office": g.office, "strategic_goal": g.name, "policy_goal": p.name, "indicator": name}
        for g, p, name in doc.indicator_rows()
    ]


def evaluation_json(doc: Evaluation) -> dict[str, Any]:
    """The evaluation's part of the `xlgen parse --format json` object."""
    total = doc.summary_total
    return {
        "threshold": doc.threshold,
        "indicators": evaluation_rows(doc),
        "summary": [
            {
                "bureau": r.bureau,
                "projects": r.projects,
                "normal": r.normal,
                "weak": r.weak,
                "line": r.line,
            }
            for r in doc.summary
        ],
        "summary_total": (
            {
                "projects": total.projects,
                "normal": total.normal,
                "weak": total.weak,
                "line": total.line,
            }
            if total
            else None
        ),
        "summary_ratio": list(doc.summary_ratio) if doc.summary_ratio else None,
    }


def plan_json(doc: Plan) -> dict[str, Any]:
    """The plan's part of the `xlgen parse --format json` object."""
    return {
        "unit": doc.unit,
        "offices": [_office(r) for r in doc.offices],
        "total": _office(doc.total) if doc.total else None,
        "goals": [
            {
                "office": g.office,
                "strategic_goal": g.name,
                "budget": g.budget,
                "share": g.share,
                "line": g.line,
                "policy_goals": [
                    {"name": p.name, "indicators": list(p.indicators)} for p in g.policy_goals
                ],
            }
            for g in doc.goals
        ],
        "indicators": plan_rows(doc),
    }


def to_json_obj(doc: Document, *, file: str = "", encoding: str = "") -> dict[str, Any]:
    """The `xlgen parse --format json` object for one file."""
    obj: dict[str, Any] = {
        "file": file,
        "encoding": encoding,
        "kind": doc.kind,
        "title": doc.title,
        "org": doc.org,
        "year": doc.year,
    }
    obj.update(kinds.of(doc).json_fields(doc))
    obj["warnings"] = [{"line": w.line, "message": w.message} for w in doc.warnings]
    # The same findings as data: their kind (and its Korean label) and structured fields.
    obj["findings"] = [
        {"line": w.line, "kind": w.kind.value, "label": w.kind.label, "fields": w.fields}
        for w in doc.warnings
    ]
    return obj


_compact = json.JSONEncoder(ensure_ascii=False).encode  # the C encoder (no indent)


def _flat(value: Any) -> bool:
    """A record or a list of plain values: written on one line."""
    items = value.values() if isinstance(value, dict) else value
    return not any(isinstance(v, (dict, list)) for v in items)


def iter_json(value: Any, level: int = 0) -> Iterator[str]:
    """JSON text in pieces, indented two spaces down to the records, each record (a flat
    object) on one line. Records go through the C encoder, so 100,000 indicators are
    written in a fraction of a second, and the text is never held whole in memory."""
    if not isinstance(value, (dict, list)) or not value or (level and _flat(value)):
        yield _compact(value)
        return
    pad = "\n" + "  " * (level + 1)
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    yield opening
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    for n, (key, item) in enumerate(items):
        yield ("," if n else "") + pad + ("" if key is None else _compact(str(key)) + ": ")
        yield from iter_json(item, level + 1)
    yield "\n" + "  " * level + closing


CSV_BOM = "\ufeff"  # Korean Excel on Windows reads UTF-8 only when the file starts with it
DOCUMENT_COLUMN = "문서"
EVALUATION_COLUMNS = (
    "국",
    "부서",
    "주요사업",
    "성과지표",
    "단위",
    "목표",
    "실적",
    "달성률",
    "인쇄된 달성률",
    "방향",
    "사업 달성률",
    "판정",
    "행",
)
PLAN_COLUMNS = ("실국", "전략목표", "정책사업목표", "성과지표")


def _csv_number(value: Any) -> Any:
    """Numbers as Excel reads them: no separators, a minus sign, whole floats as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def plan_csv_rows(doc: Plan, threshold: float | None = None) -> Iterator[list[Any]]:
    """One row per indicator: 실국, 전략목표, 정책사업목표, 성과지표 (a plan judges nothing, so
    ``threshold`` is not used)."""
    for g, p, name in doc.indicator_rows():
        yield [g.office, g.name, p.name, name]


def evaluation_csv_rows(doc: Evaluation, threshold: float | None = None) -> Iterator[list[Any]]:
    """One row per indicator, with 달성률 and the project's 사업 달성률 and 판정 computed by
    the rules the workbook's formulas use (xlgen.rules)."""
    limit = doc.threshold if threshold is None else threshold
    for b in doc.bureaus:
        for d in b.departments:
            for p in d.projects:
                project = rate_of(p)
                shown = None if project is None else excel_round(project, 1)
                verdict = judgement(project, limit)
                for i in p.indicators:
                    rate = indicator_rate(i.target, i.actual, i.direction)
                    yield [
                        b.name,
                        d.name,
                        p.name,
                        i.name,
                        i.unit,
                        _csv_number(i.target),
                        _csv_number(i.actual),
                        _csv_number(rate),
                        _csv_number(i.stated_rate),
                        i.direction.value,
                        _csv_number(shown),
                        verdict,
                        i.line,
                    ]


def to_csv(documents: list[tuple[str, Document]], *, threshold: float | None = None) -> str:
    """Indicator rows of one or more documents as CSV for Excel: UTF-8 with a BOM, Korean
    column headers, one header row; a 문서 column (the file name) first when there are
    several documents. Text a spreadsheet would take for a formula is neutralised.

    All documents must be of one kind (one header row cannot describe both); InputError
    otherwise.
    """
    found = list(dict.fromkeys(kinds.of(doc) for _, doc in documents))
    if len(found) > 1:
        names = [f"{k.label} 문서" for k in found]
        listed = (
            f"{names[0]}와 {names[1]}"
            if len(names) == 2
            else "·".join(k.label for k in found) + " 문서"
        )
        raise InputError(
            f"{listed}는 열이 달라 CSV 하나에 담을 수 없습니다. 종류별로 따로 실행하세요."
        )
    several = len(documents) > 1
    columns = found[0].csv_columns if found else ()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(((DOCUMENT_COLUMN,) if several else ()) + columns)
    for name, doc in documents:
        rows: Iterable[list[Any]] = kinds.of(doc).csv_rows(doc, threshold)
        for row in rows:
            writer.writerow([safe_text(v) for v in ([name, *row] if several else row)])
    return CSV_BOM + out.getvalue()


def _title(doc: Document, file: str) -> str:
    kind = kinds.of(doc).label
    return (
        f"■ {file}  [{kind}] {doc.title}  (기관: {doc.org or '미상'}, 연도: {doc.year or '미상'})"
    )


def evaluation_totals(doc: Evaluation) -> str:
    return (
        f"합계: 국 {len(doc.bureaus)}, 부서 {len(doc.departments())}, "
        f"사업 {len(doc.projects())}, 지표 {len(doc.indicator_rows())}"
    )


def plan_totals(doc: Plan) -> str:
    return f"합계: 실국 {len(doc.offices)}, 성과지표 {len(doc.indicator_rows())}"


def summary_lines(doc: Document, *, file: str = "") -> list[str]:
    """What `xlgen parse` says about a document besides its rows: totals and warnings.
    (On a terminal they follow the table; when output is piped they go to standard error.)"""
    lines = [kinds.of(doc).totals(doc)]
    if doc.warnings:
        where = f"{file} " if file else ""
        lines.append(f"{where}경고 {len(doc.warnings)}건:")
        lines.extend(f"  {w.line or '-'}행: {w.message}" for w in doc.warnings)
    return lines


EVALUATION_TABLE = ("부서", "주요사업", "성과지표", "단위", "목표", "실적", "인쇄 달성률", "행")
PLAN_OVERVIEW_TABLE = (
    "실국",
    "전략목표",
    "정책사업목표",
    "성과지표",
    "단위사업",
    "예산액",
    "전년도 예산",
    "증감",
)


def plain_rows(doc: Document) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The flat rows `xlgen parse` writes to a pipe (tab-separated), with their header."""
    rows: tuple[tuple[str, ...], list[list[Any]]] = kinds.of(doc).plain_rows(doc)
    return rows


def evaluation_plain_rows(doc: Evaluation) -> tuple[tuple[str, ...], list[list[Any]]]:
    header = ("국", *EVALUATION_TABLE)
    rows = [
        [b.name, d.name, p.name, i.name, i.unit, i.target, i.actual, i.stated_rate, i.line]
        for b, d, p, i in doc.indicator_rows()
    ]
    return header, rows


def plan_plain_rows(doc: Plan) -> tuple[tuple[str, ...], list[list[Any]]]:
    return PLAN_COLUMNS, [[g.office, g.name, p.name, ind] for g, p, ind in doc.indicator_rows()]


def to_plain(doc: Document, *, document: str | None = None, header: bool = True) -> str:
    """Tab-separated rows for a pipe: a header (unless ``header`` is false), one line per
    indicator, a 문서 column first when ``document`` is given. No titles, no totals."""
    columns, rows = plain_rows(doc)
    if document is not None:
        columns = (DOCUMENT_COLUMN, *columns)
        rows = [[document, *row] for row in rows]
    lines = table.render(columns, rows, plain=True)
    return "\n".join(lines if header else lines[1:]) + "\n"


def to_table(doc: Document, *, file: str = "") -> str:
    """The terminal view: a title, the rows under a header aligned by display width (Hangul
    counts two columns), then totals and warnings."""
    lines = [_title(doc, file)]
    lines.extend(kinds.of(doc).table(doc))
    lines.extend(summary_lines(doc, file=file))
    return "\n".join(lines) + "\n"


def evaluation_table(doc: Evaluation) -> list[str]:
    """The evaluation's rows for the terminal: 부서 → 사업 → 지표 under each 국."""
    lines: list[str] = []
    rows: list[list[Any]] = []
    starts: dict[int, str] = {}
    for b in doc.bureaus:
        n_projects = sum(len(d.projects) for d in b.departments)
        starts[len(rows)] = f"▶ {b.name}  (부서 {len(b.departments)}, 사업 {n_projects})"
        for d in b.departments:
            for n_p, p in enumerate(d.projects):
                for n_i, i in enumerate(p.indicators):
                    first_p, first_i = n_p == 0 and n_i == 0, n_i == 0
                    rows.append(
                        [
                            d.name if first_p else "",
                            p.name if first_i else "",
                            i.name,
                            i.unit,
                            i.target,
                            i.actual,
                            i.stated_rate,
                            f"{i.line}행" if i.line else "",
                        ]
                    )
    rendered = table.render(EVALUATION_TABLE, rows, align="<<<<>>>>", indent="  ")
    lines.extend(rendered[:2])
    for n, line in enumerate(rendered[2:]):
        if n in starts:
            lines.append(starts[n])
        lines.append(line)
    return lines


def plan_table(doc: Plan) -> list[str]:
    """The plan's terminal view: 가. 총괄, then 나. 전략목표 → 정책사업목표 → 지표."""
    lines: list[str] = []
    lines.append("가. 총괄")
    offices = doc.offices + ([doc.total] if doc.total else [])
    lines.extend(
        table.render(
            PLAN_OVERVIEW_TABLE,
            [
                [
                    r.office,
                    r.strategic_goals,
                    r.policy_goals,
                    r.indicators,
                    r.unit_projects,
                    r.budget,
                    r.prev_budget,
                    r.change,
                ]
                for r in offices
            ],
            align="<>>>>>>>",
            indent="  ",
        )
    )
    lines.append("나. 성과계획 및 자원비중")
    for g in doc.goals:
        lines.append(
            f"  ◆ {g.name} ({g.office})  예산 {table.cell(g.budget)}  비중 {table.cell(g.share)}%"
        )
        for p in g.policy_goals:
            lines.append(f"    ● {p.name}")
            for name in p.indicators:
                lines.append(f"      - {name}")
    return lines
