"""Domain rules, pure: 달성률, Excel's ROUND, project judgement (정상추진 / 부진).

The workbook's formulas implement exactly these rules, and the cached values written
into the workbook come from here, so the two must never drift (tests recalculate in
LibreOffice and compare).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from .model import Direction, Evaluation, Number, Project

_SIG15 = Context(prec=15)


def excel_round(value: float, digits: int = 0) -> float:
    """Round half away from zero, the way Excel's and LibreOffice's ROUND do.

    Both engines work at 15 significant digits, so a float such as 28.499999999999996
    (0.285 × 100) is first taken as 28.5 and then rounded to 29. Python's round() gives
    28, and would also round 92.5 to 92 (banker's rounding).
    """
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    d = _SIG15.create_decimal(repr(float(value)))
    q = Decimal(1).scaleb(-digits)
    with localcontext() as ctx:
        ctx.prec = 400  # room for any float's integer digits
        result = d.quantize(q, rounding=ROUND_HALF_UP)
    return float(result)


# LibreOffice's ROUND(x, 0) rounds the binary value as it is (57/200*100 =
# 28.499999999999996 → 28), where Excel first takes 15 significant digits (→ 29). Rounding
# to 9 decimals first removes that binary noise in both engines (which agree for
# digits > 0), so the sheets use ROUND(ROUND(x, 9), 0) and Python mirrors it here. No
# ratio of printed figures lies within 1e-9 of a half without being one.
RATE_ROUND = "ROUND(ROUND({expr},9),0)"


def round_rate(value: float) -> float:
    """A rate as the sheet formula RATE_ROUND rounds it: half away from zero, noise-free."""
    magnitude = abs(value)
    if magnitude < 1e12:
        frac = magnitude - math.floor(magnitude)
        if abs(frac - 0.5) > 1e-6:
            # Far from a half, every rounding rule agrees: take the fast path.
            return math.copysign(math.floor(magnitude + 0.5), value) + 0.0
    return excel_round(excel_round(value, 9), 0)


def indicator_rate(
    target: Number | None, actual: Number | None, direction: Direction = Direction.UP
) -> float | None:
    """달성률 (%) of one indicator, rounded to an integer; None where the sheet shows blank.

    Blank when 목표 is blank or 0, when 실적 is blank, and for 하향 when 실적 is 0.
    """
    if target is None or actual is None or target == 0:
        return None
    if direction == Direction.DOWN:
        if actual == 0:
            return None
        return round_rate(target / actual * 100)
    return round_rate(actual / target * 100)


def project_rate(rates: Iterable[float | None]) -> float | None:
    """A project's 달성률: the mean of its indicators' (rounded) rates, blanks skipped.

    Mirrors AVERAGE over the 달성률 cells; None where every rate is blank.
    """
    values = [r for r in rates if r is not None]
    if not values:
        return None
    return sum(values) / len(values)


def rate_of(project: Project) -> float | None:
    """A project's 달성률 from its indicators, as the sheet's AVERAGE of 달성률 cells."""
    return project_rate(indicator_rate(i.target, i.actual, i.direction) for i in project.indicators)


def bureau_counts(evaluation: Evaluation, threshold: Number) -> dict[str, tuple[int, int, int]]:
    """Per bureau name (projects, 정상추진, 부진), as the Ⅰ sheet's COUNTIFS count them:
    a project without a rate counts in the total only."""
    out: dict[str, tuple[int, int, int]] = {}
    for bureau in evaluation.bureaus:
        total, normal, weak = out.get(bureau.name, (0, 0, 0))
        for dept in bureau.departments:
            for project in dept.projects:
                verdict = is_weak(rate_of(project), threshold)
                total += 1
                normal += verdict is False
                weak += verdict is True
        out[bureau.name] = (total, normal, weak)
    return out


def is_weak(rate: float | None, threshold: Number) -> bool | None:
    """부진 when the project's rate is at or below the threshold; None when it has no rate."""
    if rate is None:
        return None
    return rate <= threshold


def judgement(rate: float | None, threshold: Number) -> str:
    """The label the sheet shows: "부진", "정상추진", or "" when there is no rate."""
    weak = is_weak(rate, threshold)
    if weak is None:
        return ""
    return "부진" if weak else "정상추진"


def percent(part: int, whole: int) -> float | None:
    """비율(%) as the summary row shows it: ROUND(part / whole × 100, 0)."""
    if not whole:
        return None
    return round_rate(part / whole * 100)
