"""Records → JSON objects, CSV rows and a terminal table (for `xlgen parse`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from .model import Document, Evaluation, OfficeRow, Plan
from .numbers import format_number
from .parse._text import width

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
    if isinstance(doc, Evaluation):
        obj["threshold"] = doc.threshold
        obj["indicators"] = evaluation_rows(doc)
        obj["summary"] = [
            {
                "bureau": r.bureau,
                "projects": r.projects,
                "normal": r.normal,
                "weak": r.weak,
                "line": r.line,
            }
            for r in doc.summary
        ]
        total = doc.summary_total
        obj["summary_total"] = (
            {
                "projects": total.projects,
                "normal": total.normal,
                "weak": total.weak,
                "line": total.line,
            }
            if total
            else None
        )
        obj["summary_ratio"] = list(doc.summary_ratio) if doc.summary_ratio else None
    else:
        obj["unit"] = doc.unit
        obj["offices"] = [_office(r) for r in doc.offices]
        obj["total"] = _office(doc.total) if doc.total else None
        obj["goals"] = [
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
        ]
        obj["indicators"] = plan_rows(doc)
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


def to_csv(doc: Document) -> str:
    """Flat indicator rows as CSV (UTF-8, header first); text never becomes a formula."""
    rows = evaluation_rows(doc) if isinstance(doc, Evaluation) else plan_rows(doc)
    out = io.StringIO()
    fields = list(rows[0].keys()) if rows else ["indicator"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_text(v) for k, v in row.items()})
    return out.getvalue()


def _pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def _num(value: Any) -> str:
    # A float keeps its point ("100.0"): the table shows what the document printed.
    return format_number(value, whole="point")


def to_table(doc: Document, *, file: str = "") -> str:
    """A readable terminal view: the hierarchy with numbers, then the warnings."""
    lines = [
        f"■ {file}  [{'평가' if doc.kind == 'evaluation' else '성과계획'}] {doc.title}  "
        f"(기관: {doc.org or '미상'}, 연도: {doc.year or '미상'})"
    ]
    if isinstance(doc, Evaluation):
        for b in doc.bureaus:
            n_projects = sum(len(d.projects) for d in b.departments)
            lines.append(f"{b.name}  (부서 {len(b.departments)}, 사업 {n_projects})")
            for d in b.departments:
                lines.append(f"  ▢ {d.name}")
                for p in d.projects:
                    lines.append(f"    ● {p.name}")
                    for i in p.indicators:
                        nums = f"{_num(i.target):>10} {_num(i.actual):>10} {_num(i.stated_rate):>6}"
                        lines.append(
                            f"      - {_pad(i.name, 44)} {_pad(i.unit, 6)}{nums}   ({i.line}행)"
                        )
        lines.append(
            f"합계: 국 {len(doc.bureaus)}, 부서 {len(doc.departments())}, "
            f"사업 {len(doc.projects())}, 지표 {len(doc.indicator_rows())}"
        )
    else:
        lines.append("가. 총괄")
        for r in doc.offices + ([doc.total] if doc.total else []):
            lines.append(
                f"  {_pad(r.office, 14)} {_num(r.strategic_goals):>3} {_num(r.policy_goals):>4} "
                f"{_num(r.indicators):>4} {_num(r.unit_projects):>4} {_num(r.budget):>10} "
                f"{_num(r.prev_budget):>10} {_num(r.change):>8}"
            )
        lines.append("나. 성과계획 및 자원비중")
        for g in doc.goals:
            lines.append(f"  ◆ {g.name} ({g.office})  예산 {_num(g.budget)}  비중 {_num(g.share)}%")
            for p in g.policy_goals:
                lines.append(f"    ● {p.name}")
                for name in p.indicators:
                    lines.append(f"      - {name}")
    if doc.warnings:
        lines.append(f"경고 {len(doc.warnings)}건:")
        lines.extend(f"  {w.line or '-'}행: {w.message}" for w in doc.warnings)
    return "\n".join(lines) + "\n"
