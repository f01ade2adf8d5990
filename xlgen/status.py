"""`xlgen status KEY`: the department round of a year folder's evaluation, read from the
store (xlgen.round computes it), as a terminal table or CSV (JSON: round.to_json_obj)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .documents import resolve
from .export import safe_text
from .model import Evaluation
from .parse._text import width
from .round import COLUMNS, RoundStatus, round_status, rows, sent_text, submitted_text
from .store import Store
from .templates import load_template


def round_of(
    store: Store, key: str, kind: str | None = None, *, templates_dir: Path | None = None
) -> RoundStatus:
    """The round of the evaluation `key` names (a year folder's KEY, `kind` to choose)."""
    from .build import effective_threshold

    info = resolve(store, key, kind, only=("evaluation",))
    doc = store.load(info.key)
    if not isinstance(doc, Evaluation):
        from .errors import InputError

        raise InputError(f"'{key}'의 성과계획 문서에는 부서별 제출 현황이 없습니다.")
    threshold = effective_threshold(doc, load_template(doc.kind, templates_dir))
    assert threshold is not None
    return round_status(
        doc,
        key=key.split("/", 1)[0],
        store_key=info.key,
        revision=store.revision(info.key),
        threshold=threshold,
        builds=store.department_builds(info.key),
        submissions=store.submissions(info.key),
    )


def _pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def to_table(status: RoundStatus, *, missing_only: bool = False) -> str:
    """The round as a terminal table: a heading with the totals, then one line per
    department grouped by 국 (the bureau named on its first line)."""
    what = f"{status.org or '기관 미상'} {status.year or '연도 미상'}"
    head = [
        f"'{status.key}' 평가 부서별 제출 현황 ({what}, 저장소 리비전 {status.revision})",
        f"제출 {status.submitted} / {status.total}"
        + (
            f" (미제출 {status.total - status.submitted})"
            if status.submitted < status.total
            else ""
        ),
    ]
    chosen = status.missing() if missing_only else status.departments
    if missing_only:
        head.append(
            "미제출 부서가 없습니다." if not chosen else f"아직 제출하지 않은 부서 {len(chosen)}곳:"
        )
    if not chosen:
        return "\n".join(head)
    table = [["국", "부서", "보낸 통합문서", "제출", "실적 빈칸", "부진"]]
    previous = None
    for d in chosen:
        table.append(
            [
                d.bureau if d.bureau != previous else "",
                d.department,
                sent_text(d),
                submitted_text(d),
                f"{d.blank} / {d.indicators}",
                str(d.weak),
            ]
        )
        previous = d.bureau
    sizes = [max(width(r[c]) for r in table) for c in range(len(table[0]))]
    lines = ["  ".join(_pad(v, sizes[c]) for c, v in enumerate(r)).rstrip() for r in table]
    return "\n".join([*head, "", *lines])


def to_csv(status: RoundStatus, *, missing_only: bool = False) -> str:
    """One row per department (UTF-8, header first); text never becomes a formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows(status, missing_only=missing_only):
        writer.writerow({k: safe_text(v) for k, v in row.items()})
    return out.getvalue()
