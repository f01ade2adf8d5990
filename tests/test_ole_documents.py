"""An OLE compound file given as a document is named by what its directory holds: an HWP 5
document, an Excel 97-2003 workbook, a password-protected Office file, or something else;
whatever its name says (.hwp, .pdf, .hwpx)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from xlgen.errors import InputError
from xlgen.parse import parse_file

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole(names: list[tuple[str, int]]) -> bytes:
    """A compound file (version 3, 512-byte sectors): sector 0 the FAT, sector 1 the
    directory with a root entry and `names` (name, type: 1 storage, 2 stream)."""
    header = bytearray(512)
    header[:8] = MAGIC
    struct.pack_into("<HHH", header, 0x1A, 0x3E, 3, 0xFFFE)
    struct.pack_into("<H", header, 0x1E, 9)
    struct.pack_into("<H", header, 0x20, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # FAT sectors
    struct.pack_into("<I", header, 0x30, 1)  # first directory sector
    struct.pack_into("<I", header, 0x38, 4096)
    struct.pack_into("<I", header, 0x3C, 0xFFFFFFFE)
    struct.pack_into("<I", header, 0x44, 0xFFFFFFFE)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    entries = [("Root Entry", 5), *names]
    assert len(entries) <= 4
    directory = bytearray(512)
    for i, (name, kind) in enumerate(entries):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        off = i * 128
        directory[off : off + len(raw)] = raw
        struct.pack_into("<HB", directory, off + 0x40, len(raw), kind)
    return bytes(header) + fat + bytes(directory)


HWP = [("FileHeader", 2), ("DocInfo", 2), ("BodyText", 1)]
XLS = [("Workbook", 2), ("\x05SummaryInformation", 2)]
ENCRYPTED = [("EncryptionInfo", 2), ("EncryptedPackage", 2)]
OTHER = [("WordDocument", 2), ("1Table", 2)]


@pytest.mark.parametrize("suffix", [".hwp", ".pdf", ".hwpx", ".txt"])
def test_an_xls_is_not_called_an_hwp(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"x{suffix}"
    path.write_bytes(_ole(XLS))
    with pytest.raises(InputError) as info:
        parse_file(path)
    message = str(info.value)
    assert message.startswith(f"x{suffix}: 엑셀 97–2003 통합문서(.xls)입니다.")
    assert "엑셀 97–2003 통합문서는 문서로 읽지 않습니다" in message
    assert "HWP 5" not in message


@pytest.mark.parametrize(
    ("names", "says"),
    [
        (HWP, "한글 97~2018 형식(HWP 5, .hwp) 문서는 직접 읽지 않습니다"),
        (ENCRYPTED, "암호가 걸린 오피스 파일입니다"),
        (OTHER, "한글 문서(HWP)가 아닌 예전 형식(OLE 복합 문서)의 파일이라 읽지 않습니다"),
    ],
)
@pytest.mark.parametrize("suffix", [".hwp", ".pdf"])
def test_each_ole_file_is_named_by_its_streams(tmp_path: Path, names, says, suffix) -> None:
    path = tmp_path / f"문서{suffix}"
    path.write_bytes(_ole(names))
    with pytest.raises(InputError) as info:
        parse_file(path)
    assert str(info.value).startswith(f"문서{suffix}: {says}")


def test_the_hwpx_reader_names_an_ole_file_too(tmp_path: Path) -> None:
    from xlgen.sources.hwpx import read_hwpx

    path = tmp_path / "표.hwpx"
    path.write_bytes(_ole(XLS))
    with pytest.raises(InputError, match="엑셀 97–2003 통합문서"):
        read_hwpx(path)
