"""Conversion between model objects and what the SQLite store keeps.

An evaluation's indicators become rows of the ``indicators`` table; everything else of a
document (the bureau/department/project skeleton, summary, narrative, plan tree, warnings)
becomes one JSON object in ``documents.body``. JSON keeps ``int`` and ``float`` apart
(``100`` vs ``100.0``), and so does an untyped SQLite column, so a document loads back equal
to what was saved. No SQL lives here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from xlgen.errors import StoreError
from xlgen.findings import Kind
from xlgen.korean import particle
from xlgen.model import (
    Bureau,
    CarriedFrom,
    Department,
    Direction,
    Evaluation,
    Field,
    Highlight,
    Indicator,
    NarrativeSection,
    OfficeRow,
    ParseWarning,
    Phase,
    Plan,
    PolicyGoal,
    Project,
    StrategicGoal,
    SummaryRow,
)
from xlgen.numbers import is_number, same

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
KEY_RE = re.compile(r"^I(\d+)$")

# Columns of ``indicators`` in the order ``indicator_params`` yields them.
INDICATOR_COLUMNS = (
    "doc_key, record_key, position, project_pos, bureau, department, project, name, unit, "
    "target, actual, stated_rate, direction, line, note, prev_target, prev_actual"
)
INDICATOR_PLACEHOLDERS = ",".join("?" * len(INDICATOR_COLUMNS.split(",")))


# --------------------------------------------------------------------------- query results


@dataclass(frozen=True)
class DocumentInfo:
    """One stored document, as listed by :meth:`Store.keys`."""

    key: str
    kind: str  # a document kind name (xlgen.kinds): "evaluation", "plan"
    title: str
    org: str | None
    year: int | None
    revision: int
    saved_at: str  # UTC ISO 8601 of the last write
    source_name: str
    source_sha256: str
    encoding: str
    phase: str | None = None  # an evaluation's Phase value ("평가", "목표 설정"); None: a plan


@dataclass(frozen=True)
class RevisionInfo:
    """One write to a document, as listed by :meth:`Store.history`."""

    revision: int
    action: str  # "parse" (or another save action), "import", "undo"
    at: str
    os_user: str
    file_name: str
    file_hash: str
    changes: int  # number of values changed (history rows)
    undoes: int | None = None  # for "undo": the revision it reverted


@dataclass(frozen=True)
class HistoryEntry:
    """One changed value. ``old`` and ``new`` keep their exact type (int, float, None, str)."""

    revision: int
    at: str
    os_user: str
    file_name: str
    file_hash: str
    record_key: str
    field: str
    old: Any
    new: Any


# --------------------------------------------------------------------------- values


def encode_value(value: Any) -> str:
    """JSON text of a single value: ``100``, ``100.0``, ``null``, ``"text"``."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)  # what json.dumps writes, without its machinery
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


def decode_value(text: str) -> Any:
    return json.loads(text)


def check_number(value: Any, what: str) -> None:
    """A value the store can keep in a number column: None, an int64 int, or a non-NaN float."""
    if value is None:
        return
    if not is_number(value):
        raise StoreError(
            f"{what}: 숫자가 아닌 값 {value!r}{particle(repr(value), '은/는')} 저장할 수 없습니다."
        )
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise StoreError(
            f"{what}: 값 {value}{particle(value, '이/가')} 너무 커서 저장할 수 없습니다."
        )
    if isinstance(value, float) and math.isnan(value):
        raise StoreError(f"{what}: NaN은 저장할 수 없습니다.")


def check_value(field: str, value: Any, what: str) -> None:
    """Validate a new value for an editable indicator field ("actual", "note", or "target"
    in the 목표 설정 phase)."""
    if field in ("actual", "target"):
        check_number(value, what)
    elif field == "note":
        if not isinstance(value, str):
            raise StoreError(f"{what}: 비고는 문자열이어야 합니다 ({value!r}).")
    else:
        raise StoreError(
            f"{what}: 바꿀 수 없는 항목입니다 ({field!r}). 실적(actual)과 비고(note), 목표 설정 "
            "단계의 목표(target)만 바꿀 수 있습니다."
        )


def same_as_stored(field: str, stored: Any, given: Any) -> bool:
    """Does a caller's idea of the current value match the stored one?

    Lenient where a round trip through a workbook is lossy: 100 matches 100.0, floats match
    within xlgen.numbers.REL_TOL (xlsx keeps ~16 digits), and for a note None matches "".
    """
    if field == "note":
        return (stored or "") == (given or "")
    if stored is None or given is None:
        return stored is None and given is None
    if not (is_number(stored) and is_number(given)):
        return stored == given
    return same(stored, given)


# --------------------------------------------------------------------------- record keys


def key_number(record_key: str) -> int:
    m = KEY_RE.match(record_key)
    return int(m.group(1)) if m else 0


def assign_keys(indicators: list[Indicator], used_max: int) -> list[str]:
    """Record keys for ``indicators``: existing keys are kept, missing ones get "I%04d".

    New numbers start above ``used_max`` and above every key already present, so a key is
    never reused for another indicator of the same document key.
    """
    seen: set[str] = set()
    for ind in indicators:
        if ind.key:
            if not isinstance(ind.key, str):
                raise StoreError(f"지표 '{ind.name}'의 레코드 키가 문자열이 아닙니다: {ind.key!r}")
            if ind.key in seen:
                raise StoreError(
                    f"레코드 키 {ind.key}{particle(ind.key, '이/가')} 두 지표에 쓰였습니다 ('{ind.name}')."
                )
            seen.add(ind.key)
    n = max([used_max, *(key_number(k) for k in seen)])
    keys = []
    for ind in indicators:
        if ind.key:
            keys.append(ind.key)
        else:
            n += 1
            keys.append(f"I{n:04d}")
    return keys


# --------------------------------------------------------------------------- evaluation


def indicator_params(doc_key: str, ev: Evaluation, keys: list[str]) -> Iterator[tuple]:
    """Rows for ``indicators`` (see INDICATOR_COLUMNS), in document order."""
    position = 0
    project_pos = 0
    for b in ev.bureaus:
        for d in b.departments:
            for p in d.projects:
                for i in p.indicators:
                    yield (
                        doc_key,
                        keys[position],
                        position,
                        project_pos,
                        b.name,
                        d.name,
                        p.name,
                        i.name,
                        i.unit,
                        i.target,
                        i.actual,
                        i.stated_rate,
                        Direction(i.direction).value,
                        i.line,
                        i.note,
                        i.prev_target,
                        i.prev_actual,
                    )
                    position += 1
                project_pos += 1


def check_evaluation(ev: Evaluation) -> None:
    for _b, d, p, i in ev.indicator_rows():
        what = f"{d.name} / {p.name} / {i.name}"
        for value in (i.target, i.actual, i.stated_rate, i.prev_target, i.prev_actual):
            check_number(value, what)
        if not isinstance(i.note, str):
            raise StoreError(f"{what}: 비고는 문자열이어야 합니다 ({i.note!r}).")
        Direction(i.direction)


def _summary(r: SummaryRow | None) -> dict | None:
    if r is None:
        return None
    return {
        "bureau": r.bureau,
        "projects": r.projects,
        "normal": r.normal,
        "weak": r.weak,
        "line": r.line,
    }


def _summary_from(d: dict[str, Any] | None) -> SummaryRow | None:
    return None if d is None else SummaryRow(**d)


def _summary_rows(ds: list[dict[str, Any]]) -> list[SummaryRow]:
    return [SummaryRow(**d) for d in ds]


def _warnings(ws: list[ParseWarning]) -> list[dict]:
    """Findings as kind + fields; the message is rendered from them, so it is not stored."""
    return [{"line": w.line, "kind": w.kind.value, "fields": w.fields} for w in ws]


# The one finding whose meaning code relied on before findings were typed: a store saved
# then keeps it as this exact text, and it must still make `xlgen build` use the template's
# threshold. Only stored bodies of that earlier shape are read this way.
_LEGACY_NO_THRESHOLD = "부진판정 기준이 없어 80%로 보았습니다."


def _warnings_from(ds: list[dict]) -> list[ParseWarning]:
    out = []
    for d in ds:
        if "kind" in d:
            out.append(ParseWarning(d["line"], kind=Kind(d["kind"]), **d["fields"]))
        elif d["message"] == _LEGACY_NO_THRESHOLD:  # {"line", "message"}: the earlier shape
            out.append(ParseWarning(d["line"], kind=Kind.NO_THRESHOLD, threshold=80))
        else:
            out.append(ParseWarning(d["line"], d["message"]))
    return out


def evaluation_body(ev: Evaluation) -> dict:
    """Everything of ``ev`` but the indicators and the title/org/year columns."""
    return {
        "bureaus": [
            {
                "name": b.name,
                "line": b.line,
                "departments": [
                    {
                        "name": d.name,
                        "line": d.line,
                        "projects": [{"name": p.name, "line": p.line} for p in d.projects],
                    }
                    for d in b.departments
                ],
            }
            for b in ev.bureaus
        ],
        "summary": [_summary(r) for r in ev.summary],
        "summary_total": _summary(ev.summary_total),
        "summary_ratio": None if ev.summary_ratio is None else list(ev.summary_ratio),
        "threshold": ev.threshold,
        "narrative": [
            {
                "heading": s.heading,
                "line": s.line,
                "fields": [
                    {
                        "title": f.title,
                        "highlights": [
                            {"text": h.text, "details": list(h.details)} for h in f.highlights
                        ],
                    }
                    for f in s.fields
                ],
            }
            for s in ev.narrative
        ],
        "warnings": _warnings(ev.warnings),
        "carried_from": (
            None
            if ev.carried_from is None
            else {"key": ev.carried_from.key, "year": ev.carried_from.year}
        ),
    }


def evaluation_from(
    title: str,
    org: str | None,
    year: int | None,
    body: dict,
    rows: list[tuple],
    phase: str | None = None,
) -> Evaluation:
    """Rebuild an Evaluation. ``rows``: (record_key, project_pos, name, unit, target, actual,
    stated_rate, direction, line, note, prev_target, prev_actual), ordered by position;
    ``phase``: the documents row's (None, from before phases: 평가)."""
    projects: list[Project] = []
    bureaus = []
    for b in body["bureaus"]:
        departments = []
        for d in b["departments"]:
            ps = [Project(name=p["name"], line=p["line"]) for p in d["projects"]]
            projects.extend(ps)
            departments.append(Department(name=d["name"], projects=ps, line=d["line"]))
        bureaus.append(Bureau(name=b["name"], departments=departments, line=b["line"]))
    directions = {d.value: d for d in Direction}
    for key, project_pos, name, unit, target, actual, rate, direction, line, note, pt, pa in rows:
        projects[project_pos].indicators.append(
            Indicator(
                name=name,
                unit=unit,
                target=target,
                actual=actual,
                stated_rate=rate,
                direction=directions.get(direction) or Direction(direction),
                line=line,
                note=note,
                key=key,
                prev_target=pt,
                prev_actual=pa,
            )
        )
    ratio = body["summary_ratio"]
    carried = body.get("carried_from")
    return Evaluation(
        title=title,
        org=org,
        year=year,
        bureaus=bureaus,
        summary=_summary_rows(body["summary"]),
        summary_total=_summary_from(body["summary_total"]),
        summary_ratio=None if ratio is None else tuple(ratio),
        threshold=body["threshold"],
        narrative=[
            NarrativeSection(
                heading=s["heading"],
                line=s["line"],
                fields=[
                    Field(
                        title=f["title"],
                        highlights=[
                            Highlight(text=h["text"], details=list(h["details"]))
                            for h in f["highlights"]
                        ],
                    )
                    for f in s["fields"]
                ],
            )
            for s in body["narrative"]
        ],
        warnings=_warnings_from(body["warnings"]),
        phase=Phase(phase) if phase else Phase.EVALUATION,
        carried_from=None if carried is None else CarriedFrom(carried["key"], carried["year"]),
    )


# --------------------------------------------------------------------------- plan

_OFFICE_FIELDS = (
    "office",
    "strategic_goals",
    "policy_goals",
    "indicators",
    "unit_projects",
    "budget",
    "prev_budget",
    "change",
    "line",
)


def _office(r: OfficeRow | None) -> dict | None:
    return None if r is None else {f: getattr(r, f) for f in _OFFICE_FIELDS}


def _office_from(d: dict[str, Any] | None) -> OfficeRow | None:
    return None if d is None else OfficeRow(**d)


def plan_body(plan: Plan) -> dict:
    return {
        "unit": plan.unit,
        "offices": [_office(r) for r in plan.offices],
        "total": _office(plan.total),
        "goals": [
            {
                "office": g.office,
                "name": g.name,
                "budget": g.budget,
                "share": g.share,
                "line": g.line,
                "policy_goals": [
                    {"name": p.name, "indicators": list(p.indicators), "line": p.line}
                    for p in g.policy_goals
                ],
            }
            for g in plan.goals
        ],
        "warnings": _warnings(plan.warnings),
    }


def plan_from(title: str, org: str | None, year: int | None, body: dict) -> Plan:
    return Plan(
        title=title,
        org=org,
        year=year,
        unit=body["unit"],
        offices=[OfficeRow(**r) for r in body["offices"]],
        total=_office_from(body["total"]),
        goals=[
            StrategicGoal(
                office=g["office"],
                name=g["name"],
                budget=g["budget"],
                share=g["share"],
                line=g["line"],
                policy_goals=[
                    PolicyGoal(name=p["name"], indicators=list(p["indicators"]), line=p["line"])
                    for p in g["policy_goals"]
                ],
            )
            for g in body["goals"]
        ],
        warnings=_warnings_from(body["warnings"]),
    )


def body_json(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False)


def body_from_json(text: str) -> dict:
    return json.loads(text)
