"""Headless LibreOffice as a converter: a workbook to PDF (or another format) through
``soffice --convert-to``, for printing.

Facts this module relies on (see docs/spreadsheets.md, measured on LibreOffice 7.4):

- A plain ``--convert-to`` does not recalculate; it keeps the cached values in the file.
  Recalculation on load needs ``OOXMLRecalcMode``/``ODFRecalcMode`` = 0 ("always") in the
  profile's ``user/registrymodifications.xcu``. Every call therefore gets a fresh profile
  (``-env:UserInstallation=file:///...``) seeded with that file, and a HOME of its own, so
  parallel jobs never share a profile or a lock.

Every failure is a :class:`SpreadsheetEngineError` with a Korean message; on timeout the
whole process group (soffice, oosplash) is killed. The tests' spreadsheet-engine harness
(recalculation, UNO edits, reading values back, PDF pages) is tests/support/libreoffice.py,
built on this module.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import XlgenError

__all__ = ["XLSX_FILTER", "SpreadsheetEngineError", "convert", "find_soffice", "to_pdf"]

XLSX_FILTER = "Calc MS Excel 2007 XML"
"""LibreOffice's export filter for .xlsx (Office Open XML, the one Excel reads)."""

DEFAULT_TIMEOUT = 120.0

# 0 = always recalculate on load, 1 = never, 2 = ask (which headless treats as never).
_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

_SOFFICE_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)


class SpreadsheetEngineError(XlgenError, RuntimeError):
    """LibreOffice (or poppler) is missing, failed, or did not finish in time."""


# --------------------------------------------------------------------------- discovery


def find_soffice() -> str | None:
    """Path of LibreOffice's ``soffice``, or None when it is not installed.

    ``XLGEN_SOFFICE`` overrides the search (an empty value means "pretend it is absent").
    """
    override = os.environ.get("XLGEN_SOFFICE")
    if override is not None:
        if not override:
            return None
        found = shutil.which(override)
        return found or None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _SOFFICE_CANDIDATES:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    for found_path in sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True):
        if os.access(found_path, os.X_OK):
            return str(found_path)
    return None


def _require_soffice() -> str:
    soffice = find_soffice()
    if soffice is None:
        raise SpreadsheetEngineError(
            "LibreOffice(soffice)를 찾을 수 없습니다. setup.sh로 설치하거나 "
            "환경변수 XLGEN_SOFFICE에 soffice 경로를 지정하세요."
        )
    return soffice


def _require_input(path: Path, what: str = "통합문서") -> Path:
    path = Path(path)
    if not path.is_file():
        raise SpreadsheetEngineError(f"{what} 파일이 없습니다: {path}")
    return path.resolve()


def _require_zip_package(path: Path) -> None:
    """xlsx/xlsm/ods are zip packages. LibreOffice would open anything else as text (or an
    empty file as a new, empty sheet) and "convert" it without complaint."""
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".ods"):
        return
    with path.open("rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":
        raise SpreadsheetEngineError(
            f"{path.name}: {path.suffix} 형식이 아닙니다 (비어 있거나 손상된 파일)."
        )


# --------------------------------------------------------------------------- processes


def _clean_env(home: Path | None = None) -> dict[str, str]:
    """The environment for soffice (and helpers it starts): no pyenv/venv Python leaking in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "URE_BOOTSTRAP")
    }
    if home is not None:
        env["HOME"] = str(home)
    return env


def _new_job() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="xlgen-lo-", ignore_cleanup_errors=True)


def _make_profile(job: Path, *, recalc: bool) -> tuple[str, Path]:
    """A fresh LibreOffice profile and HOME inside ``job``; returns (profile URL, HOME)."""
    profile = job / "profile"
    (profile / "user").mkdir(parents=True)
    if recalc:
        (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    home = job / "home"
    home.mkdir()
    return profile.as_uri(), home


def _kill_group(proc: subprocess.Popen[Any]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _run(
    cmd: Sequence[str], *, env: dict[str, str], timeout: float, what: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in its own process group; kill the whole group on timeout."""
    try:
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:
        raise SpreadsheetEngineError(f"{what}: 프로그램을 실행하지 못했습니다 ({exc}).") from exc
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise SpreadsheetEngineError(
            f"{what}: {timeout:g}초 안에 끝나지 않아 강제로 종료했습니다."
        ) from None
    except BaseException:
        _kill_group(proc)
        proc.communicate()
        raise
    # A process left behind in the group (soffice.bin outliving a killed launcher) goes too.
    _kill_group(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _tail(*texts: str, limit: int = 400) -> str:
    text = " ".join(" ".join(t.split()) for t in texts if t and t.strip())
    return text[-limit:] if text else "출력 없음"


# --------------------------------------------------------------------------- conversions


def convert(
    src: Path,
    out_dir: Path,
    target: str,
    *,
    recalc: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """``soffice --headless --convert-to TARGET`` with a fresh profile; returns the new file.

    ``target`` is what ``--convert-to`` takes, e.g. ``'xlsx:Calc MS Excel 2007 XML'`` or
    ``'pdf'``. With ``recalc=False`` the profile is left at LibreOffice's defaults, so the
    cached values in the file are kept as they are (this is what a plain convert does).
    The result is ``out_dir / (src.stem + '.' + extension)``; an existing file is replaced.
    """
    soffice = _require_soffice()
    src = _require_input(src)
    _require_zip_package(src)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    what = f"LibreOffice 변환({src.name} → {target.split(':', 1)[0]})"
    with _new_job() as tmp:
        job = Path(tmp)
        profile_url, home = _make_profile(job, recalc=recalc)
        staging = job / "out"
        staging.mkdir()
        cmd = [
            soffice,
            f"-env:UserInstallation={profile_url}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(staging),
            str(src),
        ]
        done = _run(cmd, env=_clean_env(home), timeout=timeout, what=what)
        produced = [p for p in staging.iterdir() if p.is_file()]
        if done.returncode != 0 or len(produced) != 1:
            # soffice exits 0 even when it could not load the file; the missing output tells.
            raise SpreadsheetEngineError(
                f"{what}: 변환에 실패했습니다 (종료 코드 {done.returncode}, "
                f"{_tail(done.stderr, done.stdout)})."
            )
        result = out_dir / produced[0].name
        shutil.move(str(produced[0]), str(result))
    return result


def to_pdf(
    xlsx: Path, out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT, recalc: bool = True
) -> Path:
    """Print ``xlsx`` to PDF with the workbook's own page setup; returns the PDF path.

    Formulas are recalculated first (``recalc=False`` prints the cached values instead).
    """
    return convert(xlsx, out_dir, "pdf", recalc=recalc, timeout=timeout)
