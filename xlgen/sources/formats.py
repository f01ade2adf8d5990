"""Which kind of file a document is, from its first bytes, and the refusals for the formats
xlgen cannot read (HWP 5, and PDFs without a text layer)."""

from __future__ import annotations

import zipfile
from pathlib import Path

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"


def sniff(path: Path, head: bytes) -> str:
    """ "hwpx", "ole" (HWP 5 and other compound files), "pdf", "zip" or "text" (a workbook
    counts as text: the text reader has the message for it), from the
    file's first bytes (`head`, 1 KB is plenty)."""
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(b"PK"):
        if b"application/hwp+zip" in head[:100]:
            return "hwpx"
        names = _names(path)
        if any(n.startswith("Contents/section") for n in names):
            return "hwpx"
        if "xl/workbook.xml" in names:
            return "text"  # a workbook: the text reader points to `xlgen import`
        return "zip"
    return "text"


def _names(path: Path) -> list[str]:
    """The first names of a zip file (none when it is not a readable zip)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()[:10_000]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []


def ole_refusal(path: Path) -> str:
    """The refusal for an OLE compound file, by what its directory holds: an HWP 5 document
    (its FileHeader and DocInfo streams, BodyText storage), an Excel 97-2003 workbook (its
    Workbook stream), a password-protected Office file, or something else."""
    from .. import ole

    name = path.name
    names = ole.stream_names(path)
    if {"FileHeader", "DocInfo", "BodyText"} <= names:
        return hwp5_refusal(name)
    if not names and path.suffix.lower() == ".hwp":  # a directory that cannot be read
        return hwp5_refusal(name)
    if names & ole.ENCRYPTED_STREAMS:
        return (
            f"{name}: 암호가 걸린 오피스 파일입니다. 문서는 암호를 풀어 다시 저장한 뒤 "
            "HWPX(*.hwpx)나 인쇄용 PDF로 넣어 주세요."
        )
    if names & {"Workbook", "Book"}:
        return (
            f"{name}: 엑셀 97–2003 통합문서(.xls)입니다. 엑셀 97–2003 통합문서는 문서로 읽지 "
            "않습니다. 성과 문서라면 한글 문서(HWPX, *.hwpx)나 인쇄용 PDF를 넣어 주세요. "
            "입력한 통합문서를 가져오려면 엑셀에서 'Excel 통합 문서(*.xlsx)'로 저장한 뒤 "
            "`xlgen import`로 가져오세요."
        )
    return (
        f"{name}: 한글 문서(HWP)가 아닌 예전 형식(OLE 복합 문서)의 파일이라 읽지 않습니다. "
        "성과 문서는 HWPX(*.hwpx)나 인쇄용 PDF로 넣어 주세요."
    )


def hwp5_refusal(name: str) -> str:
    return (
        f"{name}: 한글 97~2018 형식(HWP 5, .hwp) 문서는 직접 읽지 않습니다. "
        "한글에서 '다른 이름으로 저장 → HWPX 문서(*.hwpx)'로 저장한 뒤 다시 시도하세요. "
        "인쇄용 PDF(표가 선으로 그려진 것)로 저장해도 됩니다."
    )


def zip_refusal(name: str) -> str:
    return (
        f"{name}: zip 형식이지만 HWPX 문서가 아닙니다. 한글 문서는 HWPX(*.hwpx)로, "
        "그 밖의 문서는 텍스트(.txt)로 저장해 주세요."
    )
