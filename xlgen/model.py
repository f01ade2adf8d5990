"""Typed records of the two official documents. No I/O lives here.

Evaluation (평가): 국 (Bureau) → 부서 (Department) → 주요사업 (Project) → 성과지표 (Indicator).
Plan (성과계획서): 실국 (office) → 전략목표 (StrategicGoal) → 정책사업목표 (PolicyGoal) → 성과지표.

Numbers are plain Python numbers: ``int`` where the document printed no decimal point,
``float`` where it did. △ (a negative) has already become a minus sign here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .findings import Finding
from .numbers import Number


class Phase(StrEnum):
    """Where an evaluation is in its year (문서 단계).

    In 목표 설정 the desk and the departments type next year's targets: 목표 is an input
    of the workbook like 실적. Once the desk fixes the targets (`xlgen targets KEY --fix`)
    the document is in 평가 and 목표 is protected again.
    """

    EVALUATION = "평가"
    TARGETS = "목표 설정"


class Direction(StrEnum):
    """Which way is better for an indicator (지표 방향)."""

    UP = "상향"  # higher is better: 실적 / 목표 × 100
    DOWN = "하향"  # lower is better: 목표 / 실적 × 100


ParseWarning = Finding
"""Something a parser noticed (a disagreement, a guess, an applied correction): a typed
`xlgen.findings.Finding`, its Korean message rendered from its fields."""


# --------------------------------------------------------------------------- evaluation


@dataclass(slots=True)
class Indicator:
    """성과지표: one row of a department table in Ⅲ."""

    name: str
    unit: str
    target: Number | None  # 목표
    actual: Number | None  # 실적
    stated_rate: Number | None = None  # 달성률 as printed
    direction: Direction = Direction.UP
    line: int | None = None
    note: str = ""  # 비고, typed by staff
    key: str = ""  # stable record key, given by the store
    prev_target: Number | None = None  # last year's 목표 (a carried-over document's reference)
    prev_actual: Number | None = None  # last year's 실적


@dataclass(slots=True)
class Project:
    """주요사업: one or more indicators under one name."""

    name: str
    indicators: list[Indicator] = field(default_factory=list)
    line: int | None = None


@dataclass(slots=True)
class Department:
    """부서: one "▢ 부서명" table of Ⅲ."""

    name: str
    projects: list[Project] = field(default_factory=list)
    line: int | None = None


@dataclass(slots=True)
class Bureau:
    """국: a group of departments. Ⅲ never names it; Ⅰ's counts (or an org file) do."""

    name: str
    departments: list[Department] = field(default_factory=list)
    line: int | None = None


@dataclass
class SummaryRow:
    """One row of Ⅰ 국별 사업추진 현황, as printed."""

    bureau: str
    projects: int
    normal: int  # 정상추진
    weak: int  # 부진
    line: int | None = None


@dataclass
class Highlight:
    """○ a highlight of Ⅱ, with its "-" details."""

    text: str
    details: list[str] = field(default_factory=list)


@dataclass
class Field:
    """◇ a field (분야) of Ⅱ."""

    title: str
    highlights: list[Highlight] = field(default_factory=list)


@dataclass
class NarrativeSection:
    """Ⅱ's part for one heading (which may cover two bureaus, "복지국 ‧ 보건소")."""

    heading: str
    fields: list[Field] = field(default_factory=list)
    line: int | None = None


@dataclass(frozen=True)
class CarriedFrom:
    """The stored evaluation a new year's document was carried over from (`xlgen new`)."""

    key: str
    year: int | None


@dataclass
class Evaluation:
    """A year-end evaluation document (주요사업 평가 현황)."""

    title: str
    org: str | None
    year: int | None
    bureaus: list[Bureau] = field(default_factory=list)
    summary: list[SummaryRow] = field(default_factory=list)
    summary_total: SummaryRow | None = None  # the printed 사업 수 row
    summary_ratio: tuple[Number | None, Number | None] | None = None  # printed 비율(%) normal, weak
    threshold: Number = 80  # 부진판정 기준 as printed
    narrative: list[NarrativeSection] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    phase: Phase = Phase.EVALUATION
    carried_from: CarriedFrom | None = None  # set by `xlgen new`: last year's document

    kind = "evaluation"

    def departments(self) -> list[Department]:
        return [d for b in self.bureaus for d in b.departments]

    def projects(self) -> list[Project]:
        return [p for d in self.departments() for p in d.projects]

    def indicator_rows(self) -> list[tuple[Bureau, Department, Project, Indicator]]:
        """Every indicator with its ancestors, in document order."""
        return [
            (b, d, p, i)
            for b in self.bureaus
            for d in b.departments
            for p in d.projects
            for i in p.indicators
        ]


# --------------------------------------------------------------------------- plan


@dataclass
class OfficeRow:
    """One row of 가. 총괄: an office (실국) or the 계 row."""

    office: str
    strategic_goals: int | None
    policy_goals: int | None
    indicators: int | None
    unit_projects: int | None
    budget: Number | None  # 예산액
    prev_budget: Number | None  # 전년도예산액
    change: Number | None  # 비교증감 as printed
    line: int | None = None


@dataclass
class PolicyGoal:
    """정책사업목표 with its indicator names (성과지표명)."""

    name: str
    indicators: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass
class StrategicGoal:
    """전략목표 of one office, with its budget (예산액) and share (비중, %) as printed."""

    office: str
    name: str
    budget: Number | None
    share: Number | None
    policy_goals: list[PolicyGoal] = field(default_factory=list)
    line: int | None = None


@dataclass
class Plan:
    """A performance plan's 성과계획 총괄표."""

    title: str
    org: str | None
    year: int | None
    unit: str = ""  # e.g. "개, 백만원"
    offices: list[OfficeRow] = field(default_factory=list)
    total: OfficeRow | None = None  # the printed 계 row
    goals: list[StrategicGoal] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    kind = "plan"

    def indicator_rows(self) -> list[tuple[StrategicGoal, PolicyGoal, str]]:
        return [(g, p, name) for g in self.goals for p in g.policy_goals for name in p.indicators]


Document = Evaluation | Plan
