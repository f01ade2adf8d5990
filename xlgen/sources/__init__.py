"""Documents that are not extracted text: HWPX read as tables, and clear answers for HWP 5,
other zip files and PDFs. `parse_source` is the one entry point `xlgen.parse` calls."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import read_head
from ..model import Document
from ..textio import TextDocument
from .formats import ole_refusal, sniff, zip_refusal

__all__ = ["parse_source"]

MAX_FILE_BYTES = 512 << 20  # an HWPX or PDF file as stored (its parts are bounded again)


def parse_source(
    path: str | Path, *, corrections: Mapping[str, Any] | None = None
) -> tuple[Document, TextDocument] | None:
    """Records of a document in a non-text format, or None when the file is text."""
    path = Path(path)
    # a missing file, a folder, a FIFO or a device is refused here as the text reader would
    head = read_head(path, MAX_FILE_BYTES, 1024)
    if not head:
        raise InputError(
            f"{path.name}: 빈 파일입니다 (0바이트). 저장이 끝나지 않았거나 내용이 없는 "
            "파일입니다. 원본 문서를 다시 저장해 넣어 주세요."
        )
    kind = sniff(path, head)
    if kind == "text":
        return None
    if kind == "ole":
        raise InputError(ole_refusal(path))
    if kind == "zip":
        raise InputError(zip_refusal(path.name))
    if kind == "pdf":
        from .pdf import parse_pdf

        return parse_pdf(path, corrections=corrections)
    from .hwpx import read_hwpx
    from .records import document_from_blocks

    hwpx = read_hwpx(path)
    document, rendering = document_from_blocks(
        hwpx.blocks, corrections=corrections, source=path.name
    )
    return document, TextDocument(path, rendering.text, "hwpx", "")
