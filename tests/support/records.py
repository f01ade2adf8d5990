"""Parsed documents as plain data, for comparing two parses of the same document."""

from __future__ import annotations

from typing import Any

from xlgen.model import Evaluation, Plan


def _drop_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_lines(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [_drop_lines(v) for v in value]
    return value


def evaluation_records(ev: Evaluation, *, lines: bool = True) -> dict:
    """Everything an evaluation parse produces except its warnings."""
    data = {
        "title": ev.title,
        "year": ev.year,
        "threshold": ev.threshold,
        "summary": [
            {"bureau": r.bureau, "projects": r.projects, "normal": r.normal, "weak": r.weak}
            for r in ev.summary
        ],
        "total": None
        if ev.summary_total is None
        else [ev.summary_total.projects, ev.summary_total.normal, ev.summary_total.weak],
        "ratio": list(ev.summary_ratio) if ev.summary_ratio else None,
        "narrative": [
            {
                "heading": s.heading,
                "fields": [
                    {"title": f.title, "highlights": [[h.text, h.details] for h in f.highlights]}
                    for f in s.fields
                ],
            }
            for s in ev.narrative
        ],
        "bureaus": [
            {
                "name": b.name,
                "departments": [
                    {
                        "name": d.name,
                        "projects": [
                            {
                                "name": p.name,
                                "line": p.line,
                                "indicators": [
                                    {
                                        "name": i.name,
                                        "unit": i.unit,
                                        # repr keeps 100 and 100.0 apart
                                        "numbers": repr((i.target, i.actual, i.stated_rate)),
                                        "line": i.line,
                                    }
                                    for i in p.indicators
                                ],
                            }
                            for p in d.projects
                        ],
                    }
                    for d in b.departments
                ],
            }
            for b in ev.bureaus
        ],
    }
    return data if lines else _drop_lines(data)


def plan_records(plan: Plan, *, lines: bool = True) -> dict:
    """Everything a plan parse produces except its warnings."""

    def row(r):
        return {
            "office": r.office,
            "numbers": repr(
                (
                    r.strategic_goals,
                    r.policy_goals,
                    r.indicators,
                    r.unit_projects,
                    r.budget,
                    r.prev_budget,
                    r.change,
                )
            ),
            "line": r.line,
        }

    data = {
        "title": plan.title,
        "unit": plan.unit,
        "offices": [row(r) for r in plan.offices],
        "total": row(plan.total) if plan.total else None,
        "goals": [
            {
                "office": g.office,
                "name": g.name,
                "numbers": repr((g.budget, g.share)),
                "line": g.line,
                "policy_goals": [
                    {"name": p.name, "line": p.line, "indicators": p.indicators}
                    for p in g.policy_goals
                ],
            }
            for g in plan.goals
        ],
    }
    return data if lines else _drop_lines(data)


def evaluation_rows(ev: Evaluation) -> list[tuple]:
    """(bureau, department, project, indicator, unit, numbers) per indicator row."""
    return [
        (b.name, d.name, p.name, i.name, i.unit, repr((i.target, i.actual, i.stated_rate)))
        for b, d, p, i in ev.indicator_rows()
    ]
