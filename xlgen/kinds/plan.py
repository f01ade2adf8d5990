"""The performance plan's 성과계획 총괄표 (성과계획서): its registry entry.

Its workbook is for reading and printing; it has no cells for staff to fill in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import export, store_codec
from ..model import Plan
from ..parse.plan import looks_like_plan, parse_plan
from . import Kind, StoreCodec


def build(
    doc: Plan,
    path: Path,
    template: dict[str, Any],
    *,
    key: str,
    revision: int,
    threshold: float | None = None,  # a plan judges nothing
    source: str = "",
    printed: frozenset[str] | None = None,
    round_id: str = "",  # the department round is the evaluation's
    status: Any = None,
) -> Path:
    """The plan workbook (가 총괄, 나 자원비중, 검토사항, hidden _xlgen)."""
    from ..workbook import build_plan

    return build_plan(
        doc, path, template, key=key, revision=revision, source=source, printed=printed
    )


def long_texts(doc: Plan, limit: int) -> Iterator[tuple[str | None, str, str]]:
    """The texts the workbook's cells must hold (see workbook.check_cell_text)."""
    from ..workbook import plan_texts

    return plan_texts(doc, limit)


def relations(doc: Plan) -> list[Any]:
    """The plan's arithmetic relations, for the auditor."""
    from ..audit import plan_relations

    return plan_relations(doc)


def from_blocks(blocks: Any, rendering: Any, corrections: Any, source: str) -> Plan:
    """A plan read from paragraphs and tables (HWPX)."""
    from ..sources.records import plan_from_blocks

    return plan_from_blocks(blocks, rendering, corrections, source)


def load(
    title: str,
    org: str | None,
    year: int | None,
    body: dict[str, Any],
    rows: list[tuple[Any, ...]],
    phase: str | None = None,
) -> Plan:
    """Rebuild a plan from the store; a plan keeps no indicator rows and has no phase."""
    return store_codec.plan_from(title, org, year, body)


KIND = Kind(
    name="plan",
    label="성과계획",
    document="성과계획서(성과계획 총괄표)",
    model=Plan,
    detect=looks_like_plan,
    parse=parse_plan,
    store=StoreCodec(body=store_codec.plan_body, load=load),
    build=build,
    json_fields=export.plan_json,
    csv_columns=export.PLAN_COLUMNS,
    csv_rows=export.plan_csv_rows,
    plain_rows=export.plan_plain_rows,
    table=export.plan_table,
    totals=export.plan_totals,
    long_texts=long_texts,
    relations=relations,
    printed_sheets=("overview", "goals"),
    extra_sheets=("findings",),
    from_blocks=from_blocks,
    choice_rank=1,
)
