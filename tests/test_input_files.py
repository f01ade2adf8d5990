"""What `xlgen import` and `xlgen parse` are given that is not what they read (issue 12):
FIFOs, devices, folders, symlinks to them, oversized documents, truncated and
password-protected workbooks, a workbook passed to `parse`. Each is refused with a Korean
message, exit 1, without blocking and without reading past the bound."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from xlgen import files, ole, textio
from xlgen.cli import cli
from xlgen.errors import InputError

DATA = Path(__file__).parent / "data"
ENCRYPTED = DATA / "workbooks" / "password-protected.xlsx"  # an .xlsx encrypted with a password
HEAD = "오류: 가져오기를 중단했습니다 (문제 1건, 아무것도 저장하지 않음):\n  - "
EVAL_SEED = next((Path(__file__).parent.parent / "seeds" / "2019").glob("*.txt"))


def xlgen(tmp_path: Path, *args: object, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, so that a blocking open fails the test instead of hanging it."""
    return subprocess.run(
        [sys.executable, "-c", "from xlgen.cli import cli; cli()", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, XLGEN_DB=str(tmp_path / "store.sqlite")),
        stdin=subprocess.DEVNULL,
    )


def run(tmp_path: Path, *args: object):
    return CliRunner().invoke(
        cli, [str(a) for a in args], env={"XLGEN_DB": str(tmp_path / "store.sqlite")}
    )


# --------------------------------------------------------------------------- not regular files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", ["import", "parse"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "실적.xlsx"
    os.mkfifo(fifo)
    result = xlgen(tmp_path, command, fifo, timeout=60)
    assert result.returncode == 1, result.stderr
    message = f"{fifo}: 일반 파일이 아니라 이름 있는 파이프(FIFO)입니다. 읽지 않습니다.\n"
    assert result.stderr == (HEAD if command == "import" else "오류: ") + message
    assert result.stdout == ""


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("command", ["import", "parse"])
def test_a_symlink_to_dev_zero_is_refused_before_reading(tmp_path: Path, command: str) -> None:
    link = tmp_path / "x.xlsx"
    link.symlink_to("/dev/zero")
    result = xlgen(tmp_path, command, link, timeout=60)
    assert result.returncode == 1, result.stderr
    message = f"{link}: 일반 파일이 아니라 장치 파일입니다 (심볼릭 링크가 가리키는 대상). 읽지 않습니다.\n"
    assert result.stderr == (HEAD if command == "import" else "오류: ") + message


@pytest.mark.parametrize("command", ["import", "parse"])
def test_a_folder_is_refused(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "폴더.xlsx"
    folder.mkdir()
    result = run(tmp_path, command, folder)
    assert result.exit_code == 1
    message = f"{folder}: 파일이 아니라 폴더입니다.\n"
    assert result.stderr == (HEAD if command == "import" else "오류: ") + message


def test_a_file_swapped_after_the_look_is_judged_by_what_was_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The descriptor is looked at again after the open: a regular file at stat time and a
    device by the time it is opened is refused too."""
    path = tmp_path / "doc.txt"
    path.write_text("x", encoding="utf-8")
    real_open = os.open
    monkeypatch.setattr(files.os, "open", lambda p, flags: real_open("/dev/null", flags))
    with pytest.raises(InputError, match="일반 파일이 아니라 장치 파일입니다"):
        files.read_regular(path, 100)


def test_a_document_past_the_bound_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 101)
    monkeypatch.setattr(textio, "MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(InputError) as info:
        textio.read_document(path)
    assert str(info.value) == "big.txt: 파일이 너무 큽니다 (101바이트, 최대 100바이트)."


def test_a_file_growing_past_the_bound_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stat said small; the bytes kept coming: reading stops one byte past the bound."""
    path = tmp_path / "grow.txt"
    path.write_bytes(b"a" * 10)
    real_read = os.read
    given = []

    def endless(fd: int, n: int) -> bytes:
        given.append(n)
        return b"a" * n  # a file that never ends

    monkeypatch.setattr(files.os, "read", endless)
    with pytest.raises(InputError, match="파일이 너무 큽니다"):
        files.read_regular(path, 1000)
    assert sum(given) == 1001
    monkeypatch.setattr(files.os, "read", real_read)
    assert files.read_regular(path, 1000) == b"a" * 10


# --------------------------------------------------------------------------- what a file really is


def _workbook(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("S").write(0, 0, "성과지표")
    wb.close()
    return path


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_truncated_workbook_is_called_truncated(tmp_path: Path, keep: float) -> None:
    whole = _workbook(tmp_path / "whole.xlsx").read_bytes()
    cut = tmp_path / "잘림.xlsx"
    cut.write_bytes(whole[: int(len(whole) * keep)])
    assert not zipfile.is_zipfile(cut)
    result = run(tmp_path, "import", cut)
    assert result.exit_code == 1
    assert result.stderr == HEAD + (
        "잘림.xlsx: 손상되었거나 끝이 잘린 통합문서입니다 (zip 목차가 없거나 손상됨). "
        "원본 파일을 다시 받거나 엑셀에서 다시 저장해 주세요.\n"
    )


def test_a_password_protected_workbook_is_called_so(tmp_path: Path) -> None:
    assert ENCRYPTED.read_bytes().startswith(ole.MAGIC)
    assert {"EncryptionInfo", "EncryptedPackage"} <= ole.stream_names(ENCRYPTED)
    result = run(tmp_path, "import", ENCRYPTED)
    assert result.exit_code == 1
    assert result.stderr == HEAD + (
        "password-protected.xlsx: 암호가 걸린 통합문서입니다. "
        "엑셀에서 암호를 풀고 저장한 뒤 다시 가져와 주세요.\n"
    )


def test_an_ole_file_without_encryption_streams_is_still_an_xls(tmp_path: Path) -> None:
    """Only the directory's names decide: an OLE file whose bytes merely contain the words
    elsewhere (here after the header, outside any directory entry) is an .xls."""
    path = tmp_path / "old.xls"
    data = bytearray(ENCRYPTED.read_bytes())
    # Point the directory at a sector of zeros: no entries, whatever the bytes hold.
    data[0x30:0x34] = (len(data) // 512 + 5).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert ole.stream_names(path) == set()
    result = run(tmp_path, "import", path)
    assert result.exit_code == 1
    assert "엑셀 97-2003 형식(.xls)은 가져올 수 없습니다" in result.stderr


def test_parse_of_a_workbook_points_to_import(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "총무과.xlsx")
    result = run(tmp_path, "parse", path)
    assert result.exit_code == 1
    assert result.stderr == (
        "오류: 총무과.xlsx: 엑셀 통합문서(.xlsx)입니다. 문서의 텍스트가 아니므로 읽을 수 없습니다. "
        "통합문서에 입력한 실적·비고를 저장소에 넣으려면 xlgen import 명령을 쓰세요 "
        "(예: xlgen import 총무과.xlsx).\n"
    )


def test_a_document_read_once_carries_its_digest() -> None:
    import hashlib

    doc = textio.read_document(EVAL_SEED)
    assert doc.sha256 == hashlib.sha256(EVAL_SEED.read_bytes()).hexdigest()
