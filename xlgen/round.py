"""The department round at a glance (`xlgen status KEY`, the 제출 현황 sheet).

One row per department (one per distinct name, as `build --by-department` writes one
workbook per name), in document order and so grouped by 국: the workbook sent (its store
revision and when it was built), the latest submission (when, from which file, how many
values it changed) or 미제출, the 실적 inputs still blank and the 부진 projects now.
While next year's targets are set (Phase.TARGETS) the inputs counted are the 목표: the
desk's question then is who has not typed their targets yet.
Pure: the caller gives the document and what the store recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import Evaluation, Phase
from .rules import is_weak, rate_of
from .store_round import DepartmentBuild, Submission

SUBMITTED, MISSING = "제출", "미제출"
BLANK_ACTUALS = "실적 빈칸"


@dataclass
class DepartmentRound:
    """One department's line of the round."""

    bureau: str
    department: str
    indicators: int = 0
    projects: int = 0
    blank: int = 0  # 실적 inputs still blank (목표 while the targets are set)
    weak: int = 0  # 부진 projects now
    sent: DepartmentBuild | None = None  # the latest department workbook built
    submitted: Submission | None = None  # the latest one imported

    @property
    def state(self) -> str:
        return SUBMITTED if self.submitted is not None else MISSING


@dataclass
class RoundStatus:
    key: str  # the year folder's KEY
    store_key: str
    title: str
    org: str | None
    year: int | None
    revision: int
    threshold: float
    kind: str  # the document's kind (xlgen.kinds), as headings name it
    departments: list[DepartmentRound] = field(default_factory=list)
    phase: str | None = None  # the document's phase (model.Phase), None for a kind without

    @property
    def setting_targets(self) -> bool:
        """Are next year's targets being set (the blanks counted are the 목표)?"""
        return self.phase == Phase.TARGETS.value

    @property
    def blank_label(self) -> str:
        """The column of the inputs still blank: "실적 빈칸", or "목표 빈칸"."""
        return "목표 빈칸" if self.setting_targets else BLANK_ACTUALS

    @property
    def submitted(self) -> int:
        return sum(d.submitted is not None for d in self.departments)

    @property
    def total(self) -> int:
        return len(self.departments)

    def missing(self) -> list[DepartmentRound]:
        return [d for d in self.departments if d.submitted is None]


def round_status(
    doc: Evaluation,
    *,
    key: str,
    store_key: str,
    revision: int,
    threshold: float,
    builds: Iterable[DepartmentBuild] = (),
    submissions: Iterable[Submission] = (),
) -> RoundStatus:
    """The round of `doc` from the builds and submissions the store recorded (oldest first:
    the latest of each department is the one shown)."""
    status = RoundStatus(
        key,
        store_key,
        doc.title,
        doc.org,
        doc.year,
        revision,
        threshold,
        kind=doc.kind,
        phase=doc.phase.value,
    )
    targets = status.setting_targets
    rows: dict[str, DepartmentRound] = {}
    for bureau in doc.bureaus:
        for dept in bureau.departments:
            row = rows.get(dept.name)
            if row is None:
                row = rows[dept.name] = DepartmentRound(bureau.name, dept.name)
                status.departments.append(row)
            for project in dept.projects:
                row.projects += 1
                row.weak += is_weak(rate_of(project), threshold) is True
                for ind in project.indicators:
                    row.indicators += 1
                    row.blank += (ind.target if targets else ind.actual) is None
    for build in builds:
        if build.department in rows:
            rows[build.department].sent = build
    for sub in submissions:
        if sub.department in rows:
            rows[sub.department].submitted = sub
    return status


def local_time(at: str | None) -> str:
    """A stored UTC time as the desk's local time, to the minute (xlgen.timefmt)."""
    if not at:
        return ""
    from .timefmt import local_time as shown

    return shown(at)


def sent_text(row: DepartmentRound) -> str:
    if row.sent is None:
        return "만들지 않음"
    return f"리비전 {row.sent.revision}, {local_time(row.sent.at)}"


def submitted_text(row: DepartmentRound) -> str:
    sub = row.submitted
    if sub is None:
        return MISSING
    return f"{local_time(sub.at)}, {sub.file_name}, 바뀐 값 {sub.changes}건"


COLUMNS = (
    "국",
    "부서",
    "보낸 리비전",
    "보낸 시각",
    "제출",
    "제출 시각",
    "제출 파일",
    "바뀐 값",
    "지표",
    BLANK_ACTUALS,
    "사업",
    "부진",
)
"""The columns of `xlgen status KEY --format csv` (one row per department); while the
targets are set, "목표 빈칸" in place of "실적 빈칸" (`columns`)."""


def columns(status: RoundStatus) -> tuple[str, ...]:
    """The CSV columns of this round (the blank inputs' column named by the phase)."""
    return tuple(status.blank_label if c == BLANK_ACTUALS else c for c in COLUMNS)


def rows(status: RoundStatus, *, missing_only: bool = False) -> list[dict[str, Any]]:
    """One flat row per department (CSV and JSON)."""
    out = []
    for d in status.departments:
        if missing_only and d.submitted is not None:
            continue
        sub = d.submitted
        out.append(
            dict(
                zip(
                    columns(status),
                    (
                        d.bureau,
                        d.department,
                        d.sent.revision if d.sent else None,
                        local_time(d.sent.at) if d.sent else "",
                        d.state,
                        local_time(sub.at) if sub else "",
                        sub.file_name if sub else "",
                        sub.changes if sub else None,
                        d.indicators,
                        d.blank,
                        d.projects,
                        d.weak,
                    ),
                    strict=True,
                )
            )
        )
    return out


def to_json_obj(status: RoundStatus, *, missing_only: bool = False) -> dict[str, Any]:
    return {
        "key": status.key,
        "store_key": status.store_key,
        "title": status.title,
        "org": status.org,
        "year": status.year,
        "revision": status.revision,
        "threshold": status.threshold,
        "phase": status.phase,
        "submitted": status.submitted,
        "total": status.total,
        "departments": [
            {
                "bureau": d.bureau,
                "department": d.department,
                "state": d.state,
                "sent": None
                if d.sent is None
                else {"revision": d.sent.revision, "at": d.sent.at, "file": d.sent.file_name},
                "submission": None
                if d.submitted is None
                else {
                    "at": d.submitted.at,
                    "file": d.submitted.file_name,
                    "changes": d.submitted.changes,
                    "revision": d.submitted.revision,
                    "built_revision": d.submitted.built_revision,
                },
                "indicators": d.indicators,
                ("blank_targets" if status.setting_targets else "blank_actuals"): d.blank,
                "projects": d.projects,
                "weak_projects": d.weak,
            }
            for d in status.departments
            if not (missing_only and d.submitted is not None)
        ],
    }
