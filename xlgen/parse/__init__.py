"""Document parsers: one per document kind, chosen from the content, never the file name."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import Document
from ..textio import TextDocument, read_document
from .evaluation import looks_like_evaluation, parse_evaluation
from .plan import looks_like_plan, parse_plan

KINDS = ("evaluation", "plan")


def detect_kind(text: str) -> str | None:
    """ "evaluation", "plan", or None when the text is neither."""
    if looks_like_evaluation(text):
        return "evaluation"
    if looks_like_plan(text):
        return "plan"
    return None


def parse_text(doc: TextDocument, *, corrections: Mapping[str, Any] | None = None) -> Document:
    """Parse a decoded document into records (with warnings)."""
    kind = detect_kind(doc.text)
    if kind is None:
        raise InputError(
            f"{doc.path.name}: 알 수 없는 문서입니다. 성과계획서(성과계획 총괄표)나 "
            "주요사업 평가 현황 문서의 텍스트가 아닙니다."
        )
    parser = parse_evaluation if kind == "evaluation" else parse_plan
    return parser(doc.lines, corrections=dict(corrections or {}), source=doc.path.name)


def parse_file(
    path: str | Path, *, corrections: Mapping[str, Any] | None = None
) -> tuple[Document, TextDocument]:
    """Read and parse one document file; return the records and the decoded text (for an
    HWPX document, its rendering: a line per paragraph and per table row)."""
    from ..sources import parse_source  # HWPX, HWP 5, PDF: chosen by the file's first bytes

    other = parse_source(path, corrections=corrections)
    if other is not None:
        return other
    doc = read_document(path)
    return parse_text(doc, corrections=corrections), doc
