"""Document parsers: one per document kind, chosen from the content, never the file name.

Which parser reads a text is the document-kind registry's decision (xlgen.kinds): every
kind's detector is asked, exactly one must accept the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import kinds
from ..model import Document
from ..textio import TextDocument, read_document


def detect_kind(text: str) -> str | None:
    """The name of the one kind the text reads like ("evaluation", "plan"), or None."""
    kind = kinds.detect(text)
    return kind.name if kind else None


def parse_text(doc: TextDocument, *, corrections: Mapping[str, Any] | None = None) -> Document:
    """Parse a decoded document into records (with warnings)."""
    kind = kinds.detect(doc.text, doc.path.name)
    if kind is None:
        raise kinds.unknown_document(doc.path.name)
    parsed: Document = kind.parse(
        doc.lines, corrections=dict(corrections or {}), source=doc.path.name
    )
    return parsed


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
