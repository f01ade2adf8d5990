"""`xlgen status KEY`: the department round of a year folder's evaluation, read from the
store (xlgen.round computes it), as a terminal table or CSV (JSON: round.to_json_obj)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from . import kinds
from .documents import resolve
from .errors import InputError
from .export import safe_text
from .round import BLANK_ACTUALS, RoundStatus, columns, rows, sent_text, submitted_text
from .store import Store
from .table import render
from .templates import load_template
from .timefmt import zone_label


def round_of(
    store: Store, key: str, kind: str | None = None, *, templates_dir: Path | None = None
) -> RoundStatus:
    """The department round of the document `key` names (a year folder's KEY, `kind` to
    choose among its kinds that have a round: the evaluation)."""
    from .build import effective_threshold

    with_round = tuple(k.name for k in kinds.all_kinds() if k.has_round)
    info = resolve(store, key, kind, only=with_round)
    doc = store.load(info.key)
    entry = kinds.of(doc)
    if entry.round_status is None:
        raise InputError(f"'{key}'의 {entry.label} 문서에는 부서별 제출 현황이 없습니다.")
    threshold = effective_threshold(doc, load_template(entry.template, templates_dir))
    if threshold is None:
        raise RuntimeError(f"document kind {entry.name!r} has a round but no 부진 threshold")
    status: RoundStatus = entry.round_status(
        doc,
        key=key.split("/", 1)[0],
        store_key=info.key,
        revision=store.revision(info.key),
        threshold=threshold,
        builds=store.department_builds(info.key),
        submissions=store.submissions(info.key),
    )
    return status


def heading(status: RoundStatus, *, missing_only: bool = False) -> list[str]:
    """What the round is, its totals, and (with --missing) how many are outstanding."""
    what = f"{status.org or '기관 미상'} {status.year or '연도 미상'}"
    outstanding = status.total - status.submitted
    # only a phase other than the usual one is named (the 목표 설정 of a carried-over year)
    phase = f" ({status.phase})" if status.setting_targets else ""
    lines = [
        f"'{status.key}' {kinds.label(status.kind)}{phase} 부서별 제출 현황 ({what}, 저장소 리비전 {status.revision}, "
        f"시각은 {zone_label()})",
        f"제출 {status.submitted} / {status.total}"
        + (f" (미제출 {outstanding})" if outstanding else ""),
    ]
    if missing_only:
        lines.append(
            "미제출 부서가 없습니다."
            if not outstanding
            else f"아직 제출하지 않은 부서 {outstanding}곳:"
        )
    return lines


HEADERS = ("국", "부서", "보낸 통합문서", "제출", BLANK_ACTUALS, "부진")
"""The table's columns; while the targets are set, "목표 빈칸" for "실적 빈칸"."""


def to_table(status: RoundStatus, *, missing_only: bool = False, plain: bool = False) -> list[str]:
    """One line per department, grouped by 국 (on a terminal the bureau is named on its
    first line only; piped, on every line, tab-separated)."""
    chosen = status.missing() if missing_only else status.departments
    if not chosen:
        return []
    rows = []
    previous = None
    for d in chosen:
        rows.append(
            [
                d.bureau if plain or d.bureau != previous else "",
                d.department,
                sent_text(d),
                submitted_text(d),
                f"{d.blank} / {d.indicators}",
                d.weak,
            ]
        )
        previous = d.bureau
    headers = tuple(status.blank_label if h == BLANK_ACTUALS else h for h in HEADERS)
    return render(headers, rows, align="<<<<>>", plain=plain)


def to_csv(status: RoundStatus, *, missing_only: bool = False) -> str:
    """One row per department (UTF-8, header first); text never becomes a formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns(status)), lineterminator="\n")
    writer.writeheader()
    for row in rows(status, missing_only=missing_only):
        writer.writerow({k: safe_text(v) for k, v in row.items()})
    return out.getvalue()
