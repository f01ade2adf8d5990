"""Just enough of the OLE compound file format ([MS-CFB]) to tell what an OLE file holds.

Excel saves a password-protected workbook as an OLE file whose streams are `EncryptionInfo`
and `EncryptedPackage` (the .xlsx inside, encrypted; [MS-OFFCRYPTO] §2.3.4.4): the same
magic bytes as an Excel 97-2003 .xls, which it is not. The directory is found through the
header and the FAT and its entry names read; every read is bounded, and a file that does
not follow the format reads as holding no streams.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAMS = frozenset({"EncryptedPackage", "EncryptionInfo"})
_MAX_DIRECTORY_SECTORS = 4096  # a workbook's directory needs a few; a longer chain is a loop
_END_OF_CHAIN = 0xFFFFFFFE


def stream_names(path: Path) -> set[str]:
    """The names of the entries in an OLE file's directory (empty when it cannot be read)."""
    try:
        with path.open("rb") as fh:
            return _names(fh)
    except (OSError, struct.error, ValueError):
        return set()


def is_encrypted(path: Path) -> bool:
    """Is this an OLE file holding an encrypted (password-protected) Office document?"""
    return bool(stream_names(path) & ENCRYPTED_STREAMS)


def _names(fh: BinaryIO) -> set[str]:
    header = fh.read(512)
    if len(header) < 512 or not header.startswith(MAGIC):
        return set()
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        return set()
    size = 1 << shift
    first_dir = struct.unpack_from("<I", header, 0x30)[0]
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < 0xFFFFFFFA]

    def sector(index: int) -> bytes:
        fh.seek((index + 1) * size)
        data = fh.read(size)
        if len(data) < size:
            raise ValueError("short sector")
        return data

    fat_cache: dict[int, tuple[int, ...]] = {}

    def next_sector(index: int) -> int:
        per = size // 4
        which = index // per
        if which >= len(fat_sectors):
            return _END_OF_CHAIN  # past the header's part of the FAT: stop here
        if which not in fat_cache:
            fat_cache[which] = struct.unpack(f"<{per}I", sector(fat_sectors[which]))
        return fat_cache[which][index % per]

    names: set[str] = set()
    current, seen = first_dir, 0
    while current < 0xFFFFFFFA and seen < _MAX_DIRECTORY_SECTORS:
        data = sector(current)
        for off in range(0, size, 128):
            length = struct.unpack_from("<H", data, off + 0x40)[0]
            if 2 <= length <= 64 and data[off + 0x42] in (1, 2, 5):  # storage, stream, root
                names.add(data[off : off + length - 2].decode("utf-16-le", "replace"))
        current = next_sector(current)
        seen += 1
    return names
