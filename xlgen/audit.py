"""The auditor: when one printed cell, had it another value, would make several of the
document's own checks agree at once, say so (and never change the value).

A document's printed figures are tied together by arithmetic relations: a 계 row is the sum
of the rows under it, 비교증감 = 예산액 − 전년도예산액, 사업 수 = 정상추진 + 부진, a rate is
실적 ÷ 목표 × 100 rounded. Each relation that does not hold is a disagreement. For every
printed cell in a disagreeing relation, the value that would make that relation hold is
solved for; when the same value makes every relation the cell takes part in hold, and that
is at least two disagreements, the cell is a single explanation of them all. (A single
disagreement is explained by any of its cells, so it says nothing.)

Pure: records in, explanations out. Nothing here knows the seed documents.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import kinds
from .findings import Finding, Kind
from .model import Direction, Document, Evaluation, Number, Plan
from .rules import excel_round


@dataclass(frozen=True)
class Cell:
    """One printed figure: where it is (said in Korean) and its printed value."""

    label: str  # "동주민센터 전년도예산액"
    value: Number
    line: int | None = None


@dataclass(frozen=True)
class Relation:
    """An arithmetic check among printed cells.

    `linear`: Σ coefficient × cell = 0 (e.g. 계 − Σ rows). `rate`: cells are (rate,
    numerator, denominator) and rate = ROUND(numerator ÷ denominator × 100, decimals).
    """

    what: str  # "동주민센터 비교증감", for the sentence
    kind: str  # "linear" or "rate"
    cells: tuple[Cell, ...]
    coefficients: tuple[int, ...] = ()
    decimals: int = 0

    def holds(self, values: dict[Cell, Number]) -> bool:
        got = [values.get(c, c.value) for c in self.cells]
        if self.kind == "linear":
            return abs(sum(k * v for k, v in zip(self.coefficients, got, strict=True))) < 1e-9
        rate, num, den = got
        if den == 0:
            return False
        return excel_round(num / den * 100, self.decimals) == rate

    def solve(self, cell: Cell) -> list[Number]:
        """Values of `cell` that make this relation hold (the others as printed)."""
        if self.kind == "linear":
            i = self.cells.index(cell)
            rest = sum(
                k * c.value
                for j, (k, c) in enumerate(zip(self.coefficients, self.cells, strict=True))
                if j != i
            )
            value = -rest / self.coefficients[i]
            return [_tidy(value, cell.value)]
        rate, num, den = self.cells
        if cell == rate:
            return [excel_round(num.value / den.value * 100, self.decimals)] if den.value else []
        if rate.value == 0:
            return []
        exact = rate.value * den.value / 100 if cell == num else num.value * 100 / rate.value
        step = _step(cell.value)
        near = {math.floor(exact / step) * step, math.ceil(exact / step) * step}
        found = []
        for guess in sorted(near):
            guess = _tidy(guess, cell.value)
            if guess and self.holds({cell: guess}):
                found.append(guess)
        return found


@dataclass(frozen=True)
class Explanation:
    """One cell whose other value would make `explained` (two or more) agree."""

    cell: Cell
    value: Number
    explained: tuple[str, ...]  # the relations' descriptions, in document order


def _step(value: Number) -> float:
    """The precision a figure was printed with (1 for 2,230, 0.1 for 26.5)."""
    if isinstance(value, float) and not value.is_integer():
        decimals = len(repr(value).split(".")[1])
        return 10.0**-decimals
    return 1


def _tidy(value: float, like: Number) -> Number:
    """`value` in the printed figure's own kind: an int for an integer figure."""
    if isinstance(like, int) or float(value).is_integer():
        if abs(value - round(value)) < 1e-9:
            return int(round(value))
    return value


def explain(relations: Iterable[Relation]) -> list[Explanation]:
    """Every cell that alone explains two or more disagreeing relations."""
    relations = list(relations)
    failing = [r for r in relations if not r.holds({})]
    by_cell: dict[Cell, list[Relation]] = {}
    for relation in relations:
        for c in relation.cells:
            by_cell.setdefault(c, []).append(relation)
    out: list[Explanation] = []
    seen: set[Cell] = set()
    for relation in failing:
        for c in relation.cells:
            if c in seen:
                continue
            seen.add(c)
            involved = by_cell[c]
            broken = [r for r in involved if not r.holds({})]
            if len(broken) < 2:
                continue
            for value in relation.solve(c):
                if value != c.value and all(r.holds({c: value}) for r in involved):
                    out.append(Explanation(c, value, tuple(r.what for r in broken)))
                    break
    return out


# --------------------------------------------------------------------------- relations


def plan_relations(plan: Plan) -> list[Relation]:
    """가. 총괄: 비교증감 = 예산액 − 전년도예산액 per row, and 계 = Σ rows per column."""
    fields: list[tuple[str, Callable]] = [
        ("전략목표수", lambda r: r.strategic_goals),
        ("정책사업목표 개수", lambda r: r.policy_goals),
        ("지표수", lambda r: r.indicators),
        ("단위사업수", lambda r: r.unit_projects),
        ("예산액", lambda r: r.budget),
        ("전년도예산액", lambda r: r.prev_budget),
        ("비교증감", lambda r: r.change),
    ]
    rows = list(plan.offices) + ([plan.total] if plan.total else [])
    cells: dict[tuple[int, str], Cell] = {}
    for i, row in enumerate(rows):
        name = row.office if row is not plan.total else (row.office or "계")
        for label, get in fields:
            value = get(row)
            if value is not None:
                cells[(i, label)] = Cell(f"{name} {label}", value, row.line)
    relations: list[Relation] = []
    for i, row in enumerate(rows):
        trio = [c for k in ("비교증감", "예산액", "전년도예산액") if (c := cells.get((i, k)))]
        if len(trio) == 3:
            name = row.office if row is not plan.total else (row.office or "계")
            relations.append(Relation(f"{name} 비교증감", "linear", tuple(trio), (1, -1, 1)))
    if plan.total:
        t = len(rows) - 1
        for label, _ in fields:
            total = cells.get((t, label))
            parts = [cells[(i, label)] for i in range(t) if (i, label) in cells]
            if total and parts:
                relations.append(
                    Relation(
                        f"{total.label}",
                        "linear",
                        (total, *parts),
                        (1, *(-1 for _ in parts)),
                    )
                )
    return relations


def evaluation_relations(evaluation: Evaluation) -> list[Relation]:
    """Ⅲ: each printed 달성률 against its 목표 and 실적; Ⅰ: 계 = 정상추진 + 부진 per row,
    the 사업 수 row = Σ bureau rows, and the printed 비율(%) against the 사업 수 row."""
    relations: list[Relation] = []
    for dept in evaluation.departments():
        for project in dept.projects:
            for ind in project.indicators:
                if ind.stated_rate is None or ind.target in (None, 0) or ind.actual in (None, 0):
                    continue
                where = f"{dept.name} '{ind.name}'"
                rate = Cell(f"{where} 달성률", ind.stated_rate, ind.line)
                target = Cell(f"{where} 목표", ind.target, ind.line)
                actual = Cell(f"{where} 실적", ind.actual, ind.line)
                num, den = (target, actual) if ind.direction == Direction.DOWN else (actual, target)
                relations.append(
                    Relation(
                        f"{where} 달성률",
                        "rate",
                        (rate, num, den),
                        decimals=_decimals(ind.stated_rate),
                    )
                )
    rows = list(evaluation.summary)
    total = evaluation.summary_total
    cells: dict[tuple[int, str], Cell] = {}
    all_rows = rows + ([total] if total else [])
    for i, row in enumerate(all_rows):
        name = row.bureau if row is not total else (row.bureau or "사업 수")
        for label, value in (("계", row.projects), ("정상추진", row.normal), ("부진", row.weak)):
            cells[(i, label)] = Cell(f"{name} {label}", value, row.line)
        relations.append(
            Relation(
                f"{name} 계",
                "linear",
                (cells[(i, "계")], cells[(i, "정상추진")], cells[(i, "부진")]),
                (1, -1, -1),
            )
        )
    if total:
        t = len(all_rows) - 1
        for label in ("계", "정상추진", "부진"):
            parts = [cells[(i, label)] for i in range(t)]
            if parts:
                relations.append(
                    Relation(
                        cells[(t, label)].label,
                        "linear",
                        (cells[(t, label)], *parts),
                        (1, *(-1 for _ in parts)),
                    )
                )
        if evaluation.summary_ratio:
            for stated, label in zip(evaluation.summary_ratio, ("정상추진", "부진"), strict=True):
                if stated is None:
                    continue
                ratio = Cell(f"비율(%) {label}", stated, total.line)
                relations.append(
                    Relation(
                        f"비율(%) {label}",
                        "rate",
                        (ratio, cells[(t, label)], cells[(t, "계")]),
                        decimals=_decimals(stated),
                    )
                )
    return relations


def _decimals(value: Number) -> int:
    if isinstance(value, float) and not value.is_integer():
        return len(repr(value).split(".")[1])
    return 0


def relations_of(doc: Document) -> list[Relation]:
    """The arithmetic relations of the document's kind (its registry entry, xlgen.kinds)."""
    relations: list[Relation] = kinds.of(doc).relations(doc)
    return relations


# --------------------------------------------------------------------------- findings


def finding(e: Explanation) -> Finding:
    """The explanation as a typed finding (its sentence is rendered in xlgen.findings)."""
    return Finding(
        e.cell.line,
        kind=Kind.SINGLE_CELL,
        cell=e.cell.label,
        printed=e.cell.value,
        value=e.value,
        explained=e.explained,
    )


def audit(doc: Document) -> list[Finding]:
    """The single-cell explanations of a document's disagreements, as findings."""
    return [finding(e) for e in explain(relations_of(doc))]
