"""Opening input files: regular files only, of a bounded size, without ever blocking.

A path can name a FIFO (whose open blocks until someone writes), a device (`/dev/zero` reads
forever), a folder or a socket, possibly behind a symlink with an innocent name such as
`x.xlsx`. Each is refused before a byte is read: the path is looked at first (stat follows
symlinks, so the target is judged), then opened without blocking, and the opened descriptor
is looked at again, so that a file swapped in between is judged too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import InputError

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in Korean (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "폴더"
    if stat.S_ISFIFO(mode):
        return "이름 있는 파이프(FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "장치 파일"
    if stat.S_ISSOCK(mode):
        return "소켓"
    return "특수 파일"


def _refuse(path: Path, mode: int, *, link: bool) -> InputError:
    kind = _kind(mode)
    if kind == "폴더":
        return InputError(f"{path}: 파일이 아니라 폴더입니다.")
    target = " (심볼릭 링크가 가리키는 대상)" if link else ""
    return InputError(f"{path}: 일반 파일이 아니라 {kind}입니다{target}. 읽지 않습니다.")


def _too_large(path: Path, size: int, max_bytes: int) -> InputError:
    return InputError(
        f"{path.name}: 파일이 너무 큽니다 ({size:,}바이트, 최대 {max_bytes:,}바이트)."
    )


def _os_error(path: Path, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{path}: 파일이 없습니다.")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{path}: 파일이 아니라 폴더입니다.")
    if isinstance(exc, PermissionError):
        return InputError(f"{path}: 파일을 읽을 권한이 없습니다.")
    return InputError(f"{path}: 파일을 읽을 수 없습니다 ({exc.strerror or exc}).")


def check_regular(path: Path, max_bytes: int) -> int:
    """Refuse (InputError) what is not a regular file of at most `max_bytes` bytes, without
    opening anything; return its size."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _os_error(path, exc) from None
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(path, st.st_mode, link=path.is_symlink())
    if st.st_size > max_bytes:
        raise _too_large(path, st.st_size, max_bytes)
    return st.st_size


def _open_checked(path: Path, max_bytes: int) -> int:
    """A descriptor of `path` opened for reading without blocking, after both the path and
    the opened file were found to be a regular file within the bound."""
    check_regular(path, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOCTTY | _BINARY)
    except OSError as exc:
        raise _os_error(path, exc) from None
    try:
        st = os.fstat(fd)  # what was opened, which may not be what was looked at
    except OSError as exc:
        os.close(fd)
        raise _os_error(path, exc) from None
    if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
        os.close(fd)
        if stat.S_ISREG(st.st_mode):
            raise _too_large(path, st.st_size, max_bytes)
        raise _refuse(path, st.st_mode, link=path.is_symlink())
    return fd


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes` bytes; InputError for anything
    else (a missing file, a folder, a FIFO, a device, one too large or growing past the
    bound while read). Never blocks on a FIFO and never reads more than `max_bytes` + 1."""
    fd = _open_checked(path, max_bytes)
    chunks: list[bytes] = []
    total = 0
    try:
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise _too_large(path, total, max_bytes)
    except OSError as exc:
        raise _os_error(path, exc) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_head(path: Path, max_bytes: int, count: int) -> bytes:
    """The first `count` bytes of a regular file of at most `max_bytes` bytes, with the same
    refusals as `read_regular` (for callers that then open the file by path themselves)."""
    fd = _open_checked(path, max_bytes)
    try:
        return os.read(fd, count)
    except OSError as exc:
        raise _os_error(path, exc) from None
    finally:
        os.close(fd)
