"""The year-end evaluation (주요사업 평가 현황): its registry entry.

The only document kind whose workbook staff fill in (실적, 비고) and `xlgen import` takes
back, the only one judged against a 부진 threshold, and the only one with a workbook per
department.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import export, store_codec
from ..findings import Kind as FindingKind
from ..model import Evaluation, Number, Phase
from ..parse.evaluation import looks_like_evaluation, parse_evaluation
from . import Kind, StoreCodec


def effective_threshold(doc: Evaluation, template: dict[str, Any]) -> Number:
    """The document's printed 부진 threshold; the template's default when none was printed."""
    if any(w.kind is FindingKind.NO_THRESHOLD for w in doc.warnings):
        threshold: Number = template.get("judgement", {}).get("threshold", doc.threshold)
        return threshold
    return doc.threshold


def build(
    doc: Evaluation,
    path: Path,
    template: dict[str, Any],
    *,
    key: str,
    revision: int,
    threshold: float | None = None,
    source: str = "",
    printed: frozenset[str] | None = None,
    round_id: str = "",
    status: Any = None,
) -> Path:
    """The whole evaluation workbook (Ⅰ, Ⅱ, Ⅲ, 차트, 검토사항, 설정, hidden _xlgen; with
    the department round's ``round_id`` and ``status``, see xlgen.round)."""
    from ..workbook import build_evaluation

    return build_evaluation(
        doc,
        path,
        template,
        key=key,
        revision=revision,
        threshold=threshold,
        source=source,
        printed=printed,
        round_id=round_id,
        status=status,
    )


def department_files(
    doc: Evaluation, out_dir: Path, template: dict[str, Any]
) -> list[tuple[str, Path]]:
    """(department, path) of each department's workbook, every file name checked."""
    from ..workbook import department_files as files_of

    return files_of(doc, out_dir, template)


def build_departments(
    doc: Evaluation,
    out_dir: Path,
    template: dict[str, Any],
    *,
    key: str,
    revision: int,
    threshold: float | None = None,
    source: str = "",
    files: list[tuple[str, Path]] | None = None,
    round_id: str = "",
) -> list[Path]:
    """One input workbook per department, in out_dir/부서별/ (``files``: what
    department_files gave)."""
    from ..workbook import build_departments as build_each

    return build_each(
        doc,
        out_dir,
        template,
        key=key,
        revision=revision,
        threshold=threshold,
        source=source,
        files=files,
        round_id=round_id,
    )


def round_status(doc: Evaluation, **fields: Any) -> Any:
    """The evaluation's department round (xlgen.round.round_status)."""
    from ..round import round_status as status_of

    return status_of(doc, **fields)


def long_texts(doc: Evaluation, limit: int) -> Iterator[tuple[str | None, str, str]]:
    """The texts the workbook's cells must hold (see workbook.check_cell_text)."""
    from ..workbook import evaluation_texts

    return evaluation_texts(doc, limit)


def relations(doc: Evaluation) -> list[Any]:
    """The evaluation's arithmetic relations, for the auditor."""
    from ..audit import evaluation_relations

    return evaluation_relations(doc)


def from_blocks(blocks: Any, rendering: Any, corrections: Any, source: str) -> Evaluation:
    """An evaluation read from paragraphs and tables (HWPX)."""
    from ..sources.records import evaluation_from_blocks

    return evaluation_from_blocks(blocks, rendering, corrections, source)


def record_names(doc: Evaluation) -> dict[str, str]:
    """Record key → "부서 / 사업 / 지표", for the history."""
    return {i.key: f"{d.name} / {p.name} / {i.name}" for _, d, p, i in doc.indicator_rows()}


KIND = Kind(
    name="evaluation",
    label="평가",
    document="주요사업 평가 현황",
    model=Evaluation,
    detect=looks_like_evaluation,
    parse=parse_evaluation,
    store=StoreCodec(
        body=store_codec.evaluation_body,
        load=store_codec.evaluation_from,
        check=store_codec.check_evaluation,
        records=lambda doc: [i for *_, i in doc.indicator_rows()],
        # looked up at call time, so the codec function stays the one place to change
        record_params=lambda key, doc, keys: store_codec.indicator_params(key, doc, keys),
        phase=lambda doc: Phase(doc.phase).value,
    ),
    build=build,
    json_fields=export.evaluation_json,
    csv_columns=export.EVALUATION_COLUMNS,
    csv_rows=export.evaluation_csv_rows,
    plain_rows=export.evaluation_plain_rows,
    table=export.evaluation_table,
    totals=export.evaluation_totals,
    long_texts=long_texts,
    printed_sheets=("summary", "narrative", "departments"),
    extra_sheets=("chart", "findings"),
    effective_threshold=effective_threshold,
    record_names=record_names,
    relations=relations,
    department_files=department_files,
    build_departments=build_departments,
    round_status=round_status,
    importable=True,
    phased=True,
    from_blocks=from_blocks,
    choice_rank=0,
)
