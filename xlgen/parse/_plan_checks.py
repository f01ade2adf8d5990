"""Cross-checks of a parsed plan against its own printed figures; name matching; corrections.

Every disagreement becomes a ParseWarning naming the office and both figures, on the line of
the row concerned. Nothing is "fixed": the printed value stays in the record.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from ..model import Number, ParseWarning
from ..rules import excel_round

if TYPE_CHECKING:
    from ..model import OfficeRow, Plan, StrategicGoal

INTERNAL = "내부 오류"
_MAX_COMPARE = 160  # characters; longer than any real name, keeps difflib's worst case cheap
_COLUMNS = (
    ("strategic_goals", "전략목표수"),
    ("policy_goals", "정책사업목표 개수"),
    ("indicators", "지표수"),
    ("unit_projects", "단위사업수"),
    ("budget", "예산액"),
    ("prev_budget", "전년도예산액"),
    ("change", "비교증감"),
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


def load_corrections(corrections: Any, roles: Any) -> tuple[list[tuple[str, str, str]], list[str]]:
    """[[plan.replace]] entries of a parsed corrections.toml as (find, replace, where).

    Returns the usable rules and a Korean message for each entry that is not usable.
    """
    rules: list[tuple[str, str, str]] = []
    if not isinstance(corrections, dict) or corrections.get("plan") is None:
        return rules, []  # no [plan] table: nothing to correct
    table = corrections["plan"]
    entries = table.get("replace", []) if isinstance(table, dict) else None
    if not isinstance(entries, list):
        return rules, [
            "보정 파일 오류: [[plan.replace]] 항목을 읽을 수 없어 보정을 적용하지 않았습니다."
        ]
    problems = []
    for n, entry in enumerate(entries, 1):
        ok = isinstance(entry, dict) and isinstance(entry.get("find"), str)
        ok = ok and bool(entry["find"]) and isinstance(entry.get("replace", ""), str)
        where = entry.get("where", "any") if isinstance(entry, dict) else None
        if not ok or where not in (*roles, "any"):
            problems.append(
                f"보정 파일 오류: [[plan.replace]] {n}번째 항목의 형식이 잘못되어 "
                "건너뛰었습니다 (find, replace, where 확인)."
            )
            continue
        rules.append((entry["find"], entry.get("replace", ""), where))
    return rules, problems


# --------------------------------------------------------------------------- checks


def fmt(value: Number | None) -> str:
    """A figure as the document prints it: thousands separators, △ for negatives."""
    if value is None:
        return "(빈칸)"
    sign = "△" if value < 0 else ""
    if isinstance(value, float) and not value.is_integer():
        return f"{sign}{abs(value):,.2f}"
    return f"{sign}{int(abs(value)):,}"


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
        warnings.append(
            ParseWarning(
                None,
                "개수 대조 생략: '가. 총괄' 표가 없어 실국별 "
                "정책사업목표·지표 개수를 대조하지 못했습니다.",
            )
        )
    else:
        warnings.append(
            ParseWarning(
                None,
                "개수 대조 생략: '나. 성과계획 및 자원비중' 표가 없어 "
                "실국별 정책사업목표·지표 개수를 대조하지 못했습니다.",
            )
        )
    return warnings


def _check_total(offices: list[OfficeRow], total: OfficeRow | None) -> list[ParseWarning]:
    if total is None:
        return [ParseWarning(None, "계 합계 확인 불가: '가. 총괄'에 계 행이 없습니다.")]
    out = []
    for attr, label in _COLUMNS:
        printed = getattr(total, attr)
        values = [getattr(r, attr) for r in offices if getattr(r, attr) is not None]
        if printed is None or not values:
            continue
        summed = sum(values)
        if abs(summed - printed) > 1e-6:
            out.append(
                ParseWarning(
                    total.line,
                    f"계 합계 불일치: {label} — 계 행 {fmt(printed)}, 실국 행의 합 {fmt(summed)}",
                )
            )
    return out


def _check_changes(rows: list[OfficeRow]) -> list[ParseWarning]:
    out = []
    for row in rows:
        if row.budget is None or row.prev_budget is None or row.change is None:
            continue
        diff = row.budget - row.prev_budget
        if abs(diff - row.change) > 1e-6:
            out.append(
                ParseWarning(
                    row.line,
                    (
                        f"비교증감 불일치: {row.office} — 인쇄된 비교증감 {fmt(row.change)}, "
                        f"예산액 {fmt(row.budget)} − 전년도예산액 {fmt(row.prev_budget)} = {fmt(diff)}"
                    ),
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
            ("전략목표수", row.strategic_goals, len(mine)),
            ("정책사업목표 개수", row.policy_goals, sum(len(g.policy_goals) for g in mine)),
            (
                "지표수",
                row.indicators,
                sum(len(p.indicators) for g in mine for p in g.policy_goals),
            ),
        )
        for label, printed, found in counted:
            if printed is not None and printed != found:
                out.append(
                    ParseWarning(
                        row.line,
                        (
                            f"개수 불일치: {row.office} {label} — '가. 총괄' {fmt(printed)}, "
                            f"'나. 성과계획 및 자원비중'에서 센 수 {fmt(found)}"
                        ),
                    )
                )
    if offices:
        for key, mine in by_office.items():
            if key not in listed:
                out.append(
                    ParseWarning(
                        mine[0].line,
                        (
                            f"개수 불일치: '나. 성과계획 및 자원비중'의 실국 '{mine[0].office or '(없음)'}'은(는) "
                            "'가. 총괄'에 없습니다."
                        ),
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
        if abs(expected - goal.share) > 0.01 + 1e-9:
            out.append(
                ParseWarning(
                    goal.line,
                    (
                        f"비중 불일치: {goal.office} 전략목표 — 인쇄된 비중 {goal.share:.2f}, 예산액 "
                        f"{fmt(goal.budget)} ÷ 예산액 합계 {fmt(total)} × 100 = {expected:.2f}"
                    ),
                )
            )
    return out
