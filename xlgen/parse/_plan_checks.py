"""Cross-checks of a parsed plan against its own printed figures; name matching; corrections.

Every disagreement becomes a typed finding (xlgen.findings) naming the office and both figures, on the line of
the row concerned. Nothing is "fixed": the printed value stays in the record.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from ..findings import INTERNAL, Kind

__all__ = ["INTERNAL", "cross_check", "is_close", "load_corrections", "similarity", "split_merged"]
from ..model import ParseWarning
from ..numbers import same
from ..rules import excel_round

if TYPE_CHECKING:
    from ..model import OfficeRow, Plan, StrategicGoal

_MAX_COMPARE = 160  # characters; longer than any real name, keeps difflib's worst case cheap
# The columns of 가. 총괄 whose 계 row is the sum of the office rows.
_COLUMNS = (
    "strategic_goals",
    "policy_goals",
    "indicators",
    "unit_projects",
    "budget",
    "prev_budget",
    "change",
)


# --------------------------------------------------------------------------- names


def nospace(text: str) -> str:
    return "".join(text.split())


def similarity(a: str, b: str) -> float:
    """difflib ratio of two names with all spaces removed."""
    a, b = nospace(a)[:_MAX_COMPARE], nospace(b)[:_MAX_COMPARE]
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= 0.5 else matcher.real_quick_ratio()


def is_close(a: str, b: str, threshold: float = 0.8) -> bool:
    """True when two names differ only by an OCR slip or spacing.

    Short names need more: one wrong character in "노인복지증진" against "장애인복지증진" is
    another goal, not a slip.
    """
    shortest = min(len(nospace(a)), len(nospace(b)))
    if shortest <= 8:
        threshold = max(threshold, 0.875)
    return similarity(a, b) >= threshold


def split_merged(cell: str, current: str) -> tuple[str, str] | None:
    """Split a cell that holds the current policy goal's name followed by another one.

    Returns (head, tail) when the cell begins with ``current`` (fuzzily, spaces ignored)
    and something of at least a few characters follows; otherwise None.
    """
    flat, want = nospace(cell)[:_MAX_COMPARE], nospace(current)[:_MAX_COMPARE]
    if len(want) < 4 or len(flat) < len(want) + 4:
        return None
    best, best_len = 0.0, 0
    for length in range(max(1, len(want) - 2), min(len(flat) - 3, len(want) + 2) + 1):
        score = SequenceMatcher(None, flat[:length], want, autojunk=False).ratio()
        if score > best:
            best, best_len = score, length
    if best < 0.85:
        return None
    seen = 0
    for index, ch in enumerate(cell):  # map the cut back onto the spaced text
        if not ch.isspace():
            seen += 1
            if seen == best_len:
                head, tail = cell[: index + 1].strip(), cell[index + 1 :].strip()
                return (head, tail) if len(nospace(tail)) >= 4 else None
    return None


def load_corrections(
    corrections: Any, roles: Any
) -> tuple[list[tuple[str, str, str]], list[ParseWarning]]:
    """[[plan.replace]] entries of a parsed corrections.toml as (find, replace, where).

    Returns the usable rules and a finding for each entry that is not usable.
    """
    rules: list[tuple[str, str, str]] = []
    if not isinstance(corrections, dict) or corrections.get("plan") is None:
        return rules, []  # no [plan] table: nothing to correct
    table = corrections["plan"]
    entries = table.get("replace", []) if isinstance(table, dict) else None
    if not isinstance(entries, list):
        return rules, [ParseWarning(None, kind=Kind.BAD_CORRECTIONS, problem="plan_unreadable")]
    problems = []
    for n, entry in enumerate(entries, 1):
        ok = isinstance(entry, dict) and isinstance(entry.get("find"), str)
        ok = ok and bool(entry["find"]) and isinstance(entry.get("replace", ""), str)
        where = entry.get("where", "any") if isinstance(entry, dict) else None
        if not ok or where not in (*roles, "any"):
            problems.append(
                ParseWarning(None, kind=Kind.BAD_CORRECTIONS, problem="plan_entry", number=n)
            )
            continue
        rules.append((entry["find"], entry.get("replace", ""), str(where)))  # one of roles
    return rules, problems


# --------------------------------------------------------------------------- checks


def cross_check(plan: Plan) -> list[ParseWarning]:
    warnings: list[ParseWarning] = []
    if plan.offices or plan.total is not None:
        warnings += _check_total(plan.offices, plan.total)
        warnings += _check_changes([*plan.offices, *([plan.total] if plan.total else [])])
    if plan.goals:
        warnings += _check_shares(plan.goals)
    if (plan.offices or plan.total is not None) and plan.goals:
        warnings += _check_counts(plan.offices, plan.goals)
    elif plan.goals:
        warnings.append(ParseWarning(None, kind=Kind.COUNT_CHECK_SKIPPED, missing="ga"))
    else:
        warnings.append(ParseWarning(None, kind=Kind.COUNT_CHECK_SKIPPED, missing="na"))
    return warnings


def _check_total(offices: list[OfficeRow], total: OfficeRow | None) -> list[ParseWarning]:
    if total is None:
        return [ParseWarning(None, kind=Kind.NO_TOTAL_ROW)]
    out = []
    for attr in _COLUMNS:
        printed = getattr(total, attr)
        values = [getattr(r, attr) for r in offices if getattr(r, attr) is not None]
        if printed is None or not values:
            continue
        summed = sum(values)
        if not same(summed, printed):
            out.append(
                ParseWarning(
                    total.line,
                    kind=Kind.TOTAL_MISMATCH,
                    column=attr,
                    printed=printed,
                    computed=summed,
                )
            )
    return out


def _check_changes(rows: list[OfficeRow]) -> list[ParseWarning]:
    out = []
    for row in rows:
        if row.budget is None or row.prev_budget is None or row.change is None:
            continue
        # Compared as budget = previous + change: a difference of two large budgets loses
        # the relative precision a comparison needs.
        if not same(row.budget, row.prev_budget + row.change):
            out.append(
                ParseWarning(
                    row.line,
                    kind=Kind.CHANGE_MISMATCH,
                    office=row.office,
                    printed=row.change,
                    budget=row.budget,
                    prev_budget=row.prev_budget,
                    computed=row.budget - row.prev_budget,
                )
            )
    return out


def _check_counts(offices: list[OfficeRow], goals: list[StrategicGoal]) -> list[ParseWarning]:
    out = []
    by_office: dict[str, list[StrategicGoal]] = {}
    for goal in goals:
        by_office.setdefault(nospace(goal.office), []).append(goal)
    listed = {nospace(r.office) for r in offices}
    for row in offices:
        mine = by_office.get(nospace(row.office), [])
        counted = (
            ("strategic_goals", row.strategic_goals, len(mine)),
            ("policy_goals", row.policy_goals, sum(len(g.policy_goals) for g in mine)),
            (
                "indicators",
                row.indicators,
                sum(len(p.indicators) for g in mine for p in g.policy_goals),
            ),
        )
        for column, printed, found in counted:
            if printed is not None and printed != found:
                out.append(
                    ParseWarning(
                        row.line,
                        kind=Kind.COUNT_MISMATCH,
                        office=row.office,
                        column=column,
                        printed=printed,
                        computed=found,
                    )
                )
    if offices:
        for key, mine in by_office.items():
            if key not in listed:
                out.append(
                    ParseWarning(
                        mine[0].line, kind=Kind.OFFICE_NOT_IN_SUMMARY, office=mine[0].office
                    )
                )
    return out


def _check_shares(goals: list[StrategicGoal]) -> list[ParseWarning]:
    total = sum(g.budget for g in goals if g.budget is not None)
    if not total:
        return []
    out = []
    for goal in goals:
        if goal.budget is None or goal.share is None:
            continue
        expected = excel_round(goal.budget / total * 100, 2)
        # One hundredth apart is the printed rounding; compared as lower + 0.01 against
        # upper so that the tolerance is relative to the shares, not to their difference.
        lower, upper = sorted((expected, goal.share))
        if upper > lower + 0.01 and not same(upper, lower + 0.01):
            out.append(
                ParseWarning(
                    goal.line,
                    kind=Kind.SHARE_MISMATCH,
                    office=goal.office,
                    printed=goal.share,
                    budget=goal.budget,
                    total=total,
                    computed=expected,
                )
            )
    return out
