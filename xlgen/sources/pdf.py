"""PDF documents: a scanned PDF (no text layer) is refused as an image; reading ruled
tables needs pdfplumber (the `xlgen[pdf]` extra)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import Document
from ..textio import TextDocument

MAX_PAGES = 2_000

INSTALL = 'pip install "xlgen[pdf]"'


def _pdfplumber(name: str) -> Any:
    try:
        import pdfplumber
    except ImportError:
        raise InputError(
            f"{name}: PDF를 읽으려면 pdfplumber가 필요합니다. `{INSTALL}`로 설치한 뒤 다시 "
            "시도하세요. 한글 문서라면 HWPX(*.hwpx)로 저장해 읽을 수도 있습니다."
        ) from None
    return pdfplumber


def parse_pdf(
    path: Path, *, corrections: Mapping[str, Any] | None = None
) -> tuple[Document, TextDocument]:
    name = path.name
    pdfplumber = _pdfplumber(name)
    try:
        with pdfplumber.open(path) as pdf:
            pages = pdf.pages
            if len(pages) > MAX_PAGES:
                raise InputError(f"{name}: 쪽이 너무 많습니다 ({len(pages):,}쪽). 읽지 않습니다.")
            chars = sum(len(page.chars) for page in pages)
    except InputError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise InputError(
            f"{name}: 손상되었거나 읽을 수 없는 PDF입니다 ({type(exc).__name__})."
        ) from None
    if chars == 0:
        raise InputError(
            f"{name}: 글자 정보가 없는 PDF입니다 (스캔한 이미지로 보입니다). 이미지에서 글자를 "
            "읽으려면 먼저 OCR(문자 인식)로 텍스트가 있는 PDF를 만들거나, 원본 한글 문서를 "
            "HWPX(*.hwpx)로 저장해 주세요."
        )
    raise InputError(
        f"{name}: PDF의 표는 아직 읽지 않습니다. 원본 한글 문서를 '다른 이름으로 저장 → HWPX "
        "문서(*.hwpx)'로 저장해 다시 시도하세요."
    )
