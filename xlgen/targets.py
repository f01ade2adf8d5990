"""`xlgen targets KEY [--fix | --reopen]`: where a document's targets (목표) stand, and the
switch between its phases.

A new year's document (`xlgen new`) starts in 목표 설정: its workbook takes 목표 as an input
like 실적, and `xlgen import` takes them in. When every target is in, the desk fixes them
(`--fix`): the document is in 평가, later builds protect 목표 again and an import refuses a
changed 목표. `--reopen` goes back (a target set wrongly); both are revisions in the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import XlgenError
from .korean import particle
from .model import Evaluation, Phase
from .store import Store

LISTED = 10  # blank targets named at most in a message


@dataclass
class TargetReport:
    """A document's targets: its phase, how many are in, the indicators still blank."""

    key: str
    phase: Phase
    revision: int
    total: int
    blank: list[str] = field(default_factory=list)  # "부서 / 사업 / 지표" of blank targets
    message: str = ""  # what was done, when something was

    def lines(self) -> list[str]:
        filled = self.total - len(self.blank)
        out = [
            f"'{self.key}' 단계: {self.phase.value} (리비전 {self.revision}), 목표 입력 "
            f"{filled}/{self.total}, 빈 목표 {len(self.blank)}건"
        ]
        if self.message:
            out.insert(0, self.message)
        if self.blank:
            out.append("  빈 목표: " + _listed(self.blank))
        if self.phase is Phase.TARGETS and not self.message:
            out.append(f"목표를 확정하려면: xlgen targets {self.key} --fix")
        return out


def _listed(names: list[str]) -> str:
    more = f" 외 {len(names) - LISTED}건" if len(names) > LISTED else ""
    return ", ".join(names[:LISTED]) + more


def _evaluation(store: Store, key: str) -> Evaluation:
    doc = store.load(key)
    if not isinstance(doc, Evaluation):
        raise XlgenError(
            f"'{key}'{particle(key, '은/는')} 평가 문서가 아니라 목표 설정 단계가 없습니다."
        )
    return doc


def target_status(store: Store, key: str) -> TargetReport:
    """Where the targets of `key` stand (nothing is written)."""
    doc = _evaluation(store, key)
    rows = doc.indicator_rows()
    blank = [f"{d.name} / {p.name} / {i.name}" for _, d, p, i in rows if i.target is None]
    return TargetReport(key, doc.phase, store.revision(key), len(rows), blank)


def fix_targets(store: Store, key: str, *, os_user: str, allow_blank: bool = False) -> TargetReport:
    """Fix the targets of `key` (목표 설정 → 평가). Refuses while a target is blank, naming
    them, unless `allow_blank`."""
    report = target_status(store, key)
    if report.phase is Phase.EVALUATION:
        report.message = f"'{key}'의 목표는 이미 확정되어 있습니다. 바꾼 것이 없습니다."
        return report
    if report.blank and not allow_blank:
        raise XlgenError(
            f"'{key}'에 목표가 빈 지표가 {len(report.blank)}건 있어 확정하지 않았습니다: "
            f"{_listed(report.blank)}. 목표를 입력해 가져오거나(xlgen import), 빈 채로 확정하려면 "
            "--allow-blank를 붙이세요."
        )
    report.revision = store.set_phase(
        key, Phase.EVALUATION, os_user=os_user, expected_revision=report.revision
    )
    report.phase = Phase.EVALUATION
    report.message = (
        f"'{key}'의 목표를 확정했습니다 (리비전 {report.revision}). 이제 xlgen build {key}의 "
        "통합문서에서 목표는 보호되고, 실적·비고만 입력합니다."
    )
    return report


def reopen_targets(store: Store, key: str, *, os_user: str) -> TargetReport:
    """Open the targets of `key` again (평가 → 목표 설정)."""
    report = target_status(store, key)
    if report.phase is Phase.TARGETS:
        report.message = (
            f"'{key}'{particle(key, '은/는')} 이미 목표 설정 단계입니다. 바꾼 것이 없습니다."
        )
        return report
    report.revision = store.set_phase(
        key, Phase.TARGETS, os_user=os_user, expected_revision=report.revision
    )
    report.phase = Phase.TARGETS
    report.message = (
        f"'{key}'의 목표를 다시 열었습니다 (리비전 {report.revision}). xlgen build {key}로 목표 "
        "입력 양식을 다시 만드세요. 다시 열기 전에 만든 평가 통합문서에서는 목표를 읽지 "
        "않습니다 (목표는 새 양식에 입력하세요)."
    )
    return report
