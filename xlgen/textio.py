"""Reading extracted-text documents: encoding and line-ending detection.

Files come from Windows tools as often as not: UTF-8 with or without a BOM, CP949
(a superset of EUC-KR) or UTF-16, with CRLF or LF endings. A wrong guess would show
up later as mojibake in a workbook, so a guess that does not look like Korean text
is refused instead of being used.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .files import read_regular

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class TextDocument:
    """A decoded document: its lines (1-based in messages), encoding and line endings."""

    path: Path
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "cp949", "utf-16"
    newline: str  # "CRLF", "LF", "CR" or "" (a single line)
    sha256: str = ""  # of the bytes read (hex), so that nobody reads the file a second time

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def _looks_like_text(text: str) -> bool:
    """True when decoded text is plausibly a Korean (or plain) document.

    Judged on evenly spaced samples (about 200,000 characters) rather than every
    character: a wrong encoding shows everywhere, and a large document stays fast."""
    if not text:
        return True
    if len(text) > 200_000:
        step = len(text) // 20
        text = "".join(text[i : i + 10_000] for i in range(0, len(text), step))
    bad = 0
    hangul = 0
    for ch in text:
        if ch in "\n\r\t":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn"):
            bad += 1
        elif (
            "\uac00" <= ch <= "\ud7a3"
            or "\u3130" <= ch <= "\u318f"
            # conjoining jamo: Hangul saved decomposed (NFD, as macOS does) is valid text;
            # the parsers compose it again (xlgen.parse.normalize)
            or "\u1100" <= ch <= "\u11ff"
            or "\ua960" <= ch <= "\ua97f"
            or "\ud7b0" <= ch <= "\ud7ff"
        ):
            hangul += 1
    if bad > max(2, len(text) // 1000):
        return False
    # A CP949 guess of something that is not Korean produces rare hanja and symbols
    # rather than Hangul syllables; insist that non-ASCII text is mostly Hangul.
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    return non_ascii == 0 or hangul / non_ascii >= 0.5


def decode_bytes(data: bytes, name: str = "") -> tuple[str, str]:
    """Decode document bytes; return (text, encoding). Raise InputError when unsure."""
    label = name or "입력"
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        # UTF-16 without a BOM: ASCII characters (newlines, tabs, digits) carry a NUL
        # byte, at odd offsets in little-endian and at even offsets in big-endian.
        even_nuls = data[0::2].count(b"\x00")
        odd_nuls = data[1::2].count(b"\x00")
        candidates = ["utf-16-le", "utf-16-be"]
        if even_nuls > odd_nuls:
            candidates.reverse()
    else:
        candidates = ["utf-8", "cp949"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, encoding
    tried = ", ".join(c.upper() for c in candidates)
    raise InputError(
        f"{label}: 문자 인코딩을 판별할 수 없습니다 ({tried} 모두 맞지 않음). "
        "UTF-8 또는 CP949(EUC-KR)로 저장한 텍스트 파일인지 확인하세요."
    )


def _normalise_newlines(text: str) -> tuple[str, str]:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    if crlf and crlf >= lf and crlf >= cr:
        kind = "CRLF"
    elif cr > lf:
        kind = "CR"
    elif lf:
        kind = "LF"
    else:
        kind = ""
    return text.replace("\r\n", "\n").replace("\r", "\n"), kind


def _workbook_message(data: bytes, name: str) -> str | None:
    """The refusal for an Excel workbook given where a text document is expected (None when
    the bytes are not one): it would otherwise be blamed on the text encoding."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                return None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    return (
        f"{name}: 엑셀 통합문서(.xlsx)입니다. 문서의 텍스트가 아니므로 읽을 수 없습니다. "
        f"통합문서에 입력한 실적·비고를 저장소에 넣으려면 xlgen import 명령을 쓰세요 "
        f"(예: xlgen import {name})."
    )


def read_document(path: str | Path) -> TextDocument:
    """Read a text document from disk, detecting encoding and line endings. Only a regular
    file of at most MAX_DOCUMENT_BYTES is read (never a FIFO or a device)."""
    path = Path(path)
    data = read_regular(path, MAX_DOCUMENT_BYTES)
    workbook = _workbook_message(data, path.name)
    if workbook is not None:
        raise InputError(workbook)
    text, encoding = decode_bytes(data, path.name)
    text = text.lstrip("\ufeff")
    text, newline = _normalise_newlines(text)
    return TextDocument(
        path=path,
        text=text,
        encoding=encoding,
        newline=newline,
        sha256=hashlib.sha256(data).hexdigest(),
    )
