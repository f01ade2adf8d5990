"""Headless LibreOffice as a real spreadsheet engine: recalculate, print to PDF, edit, read back.

Used by the tests (formulas are proven in Calc, not only in Python), by benchmarks and by a
possible ``xlgen check`` command. No pytest here.

Facts this module relies on (see docs/spreadsheets.md, measured on LibreOffice 7.4):

- A plain ``--convert-to`` does not recalculate; it keeps the cached values in the file.
  Recalculation on load needs ``OOXMLRecalcMode``/``ODFRecalcMode`` = 0 ("always") in the
  profile's ``user/registrymodifications.xcu``. Every call therefore gets a fresh profile
  (``-env:UserInstallation=file:///...``) seeded with that file, and a HOME of its own, so
  parallel jobs never share a profile or a lock.
- The UNO bridge only imports in the Python LibreOffice was built against (Debian's
  ``/usr/bin/python3`` with ``python3-uno``), so scripted edits run ``_uno_edit.py`` there
  as a subprocess.

Every failure is a :class:`SpreadsheetEngineError` with a Korean message; on timeout the
whole process group (soffice, oosplash, the UNO script) is killed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from xlsxwriter.utility import xl_col_to_name

from .errors import XlgenError
from .korean import particle

__all__ = [
    "XLSX_FILTER",
    "SpreadsheetEngineError",
    "convert",
    "find_soffice",
    "find_uno_python",
    "pdf_pages",
    "pdf_to_png",
    "read_values",
    "recalculate",
    "to_pdf",
    "uno_edit",
]

XLSX_FILTER = "Calc MS Excel 2007 XML"
"""LibreOffice's export filter for .xlsx (Office Open XML, the one Excel reads)."""

DEFAULT_TIMEOUT = 120.0

_UNO_SCRIPT = Path(__file__).with_name("_uno_edit.py")

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
    for candidate in sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


@functools.cache
def _python_has_uno(python: str) -> bool:
    try:
        done = subprocess.run(
            [python, "-c", "import uno"],
            env=_clean_env(),
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def find_uno_python() -> str | None:
    """A Python interpreter that can ``import uno`` (``XLGEN_UNO_PYTHON`` overrides)."""
    override = os.environ.get("XLGEN_UNO_PYTHON")
    candidates: list[str] = [override] if override else []
    candidates += ["/usr/bin/python3"]
    soffice = find_soffice()
    if soffice:  # LibreOffice's own bundled Python (Windows, macOS, TDF builds)
        program = Path(os.path.realpath(soffice)).parent
        candidates += [str(program / "python"), str(program / "python.exe")]
    candidates.append(sys.executable)
    for python in candidates:
        if python and os.path.isfile(python) and _python_has_uno(python):
            return python
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
    """The environment for soffice and the UNO script: no pyenv/venv Python leaking in."""
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


def recalculate(xlsx: Path, out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Open ``xlsx`` in headless LibreOffice, recalculate every formula, save as xlsx.

    Returns ``out_dir / xlsx.name``, whose cached values are LibreOffice's results (read
    them with :func:`read_values`). ``out_dir`` may be ``xlsx``'s own folder: the input
    is then replaced.
    """
    return convert(xlsx, out_dir, f"xlsx:{XLSX_FILTER}", recalc=True, timeout=timeout)


def to_pdf(
    xlsx: Path, out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT, recalc: bool = True
) -> Path:
    """Print ``xlsx`` to PDF with the workbook's own page setup; returns the PDF path.

    Formulas are recalculated first (``recalc=False`` prints the cached values instead).
    """
    return convert(xlsx, out_dir, "pdf", recalc=recalc, timeout=timeout)


# --------------------------------------------------------------------------- PDF (poppler)

_PAGES_RE = re.compile(r"^Pages:\s+(\d+)", re.M)
_SIZE_RE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.M)


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise SpreadsheetEngineError(
            f"{tool}{particle(tool, '을/를')} 찾을 수 없습니다. poppler-utils를 설치하세요 (setup.sh)."
        )
    return found


def pdf_pages(pdf: Path, *, timeout: float = 60) -> list[tuple[float, float]]:
    """(width, height) in points of every page of ``pdf``, in order (A4 landscape ≈ 842×595)."""
    pdf = _require_input(pdf, "PDF")
    pdfinfo = _poppler("pdfinfo")
    env = _clean_env()
    info = _run([pdfinfo, str(pdf)], env=env, timeout=timeout, what=f"pdfinfo({pdf.name})")
    match = _PAGES_RE.search(info.stdout)
    if info.returncode != 0 or not match:
        raise SpreadsheetEngineError(
            f"PDF를 읽지 못했습니다: {pdf.name} ({_tail(info.stderr, info.stdout)})."
        )
    count = int(match.group(1))
    if count == 0:
        return []
    sizes = _run(
        [pdfinfo, "-f", "1", "-l", str(count), str(pdf)],
        env=env,
        timeout=timeout,
        what=f"pdfinfo({pdf.name})",
    )
    pages = {int(n): (float(w), float(h)) for n, w, h in _SIZE_RE.findall(sizes.stdout)}
    if sizes.returncode != 0 or sorted(pages) != list(range(1, count + 1)):
        raise SpreadsheetEngineError(
            f"PDF 쪽 크기를 읽지 못했습니다: {pdf.name} ({_tail(sizes.stderr)})."
        )
    return [pages[n] for n in range(1, count + 1)]


def pdf_to_png(
    pdf: Path,
    out_dir: Path,
    first: int = 1,
    last: int = 2,
    dpi: int = 110,
    *,
    timeout: float = 120,
) -> list[Path]:
    """Render pages ``first``..``last`` (clipped to the page count) to ``out_dir/STEM-N.png``."""
    pdf = _require_input(pdf, "PDF")
    pdftoppm = _poppler("pdftoppm")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    last = min(last, len(pdf_pages(pdf)))
    if last < first:
        return []
    with tempfile.TemporaryDirectory(prefix="xlgen-png-", ignore_cleanup_errors=True) as tmp:
        cmd = [
            pdftoppm,
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(first),
            "-l",
            str(last),
            str(pdf),
            str(Path(tmp) / "page"),
        ]
        done = _run(cmd, env=_clean_env(), timeout=timeout, what=f"pdftoppm({pdf.name})")
        rendered = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if done.returncode != 0 or len(rendered) != last - first + 1:
            raise SpreadsheetEngineError(
                f"PDF를 그림으로 바꾸지 못했습니다: {pdf.name} ({_tail(done.stderr)})."
            )
        result = []
        for page in rendered:
            target = out_dir / f"{pdf.stem}-{int(page.stem.rsplit('-', 1)[1])}.png"
            shutil.move(str(page), str(target))
            result.append(target)
    return result


# --------------------------------------------------------------------------- UNO edits

Edit = tuple[str, str, Any]


def _edit_json(edits: Iterable[Edit]) -> list[list[Any]]:
    result = []
    for edit in edits:
        try:
            sheet, address, value = edit
        except (TypeError, ValueError):
            raise SpreadsheetEngineError(
                f"편집 항목은 (시트, 셀 주소, 값) 세 개여야 합니다: {edit!r}"
            ) from None
        if value is not None and not isinstance(value, (int, float, str)):
            raise SpreadsheetEngineError(
                f"{sheet}!{address}: 숫자, 문자열, None만 넣을 수 있습니다 ({type(value).__name__})."
            )
        if isinstance(value, bool):
            value = int(value)
        result.append([str(sheet), str(address), value])
    return result


def uno_edit(
    xlsx: Path,
    out: Path,
    edits: list[Edit],
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Edit cells of ``xlsx`` in LibreOffice as a person would, recalculate, save to ``out``.

    ``edits`` are ``(sheet name, "A1" address, value)``: a number is entered as a number, a
    string as text (a leading ``=`` is *not* a formula), None clears the cell's contents
    (value, text, formula; formats and comments stay). A sheet protected without a
    password is unprotected for the edit and protected again with its options, so the
    protection survives. Runs ``_uno_edit.py`` under a Python that can ``import uno``
    with its own headless soffice and profile. Returns ``out``.
    """
    soffice = _require_soffice()
    xlsx = _require_input(xlsx)
    _require_zip_package(xlsx)
    python = find_uno_python()
    if python is None:
        raise SpreadsheetEngineError(
            "UNO를 쓸 수 있는 파이썬을 찾을 수 없습니다. python3-uno를 설치하거나 "
            "환경변수 XLGEN_UNO_PYTHON에 그 파이썬 경로를 지정하세요."
        )
    payload = _edit_json(edits)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    what = f"LibreOffice 편집({xlsx.name})"
    with _new_job() as tmp:
        job = Path(tmp)
        profile_url, home = _make_profile(job, recalc=True)
        staged = job / "edited.xlsx"
        request = {
            "soffice": soffice,
            "profile": profile_url,
            "input": str(xlsx),
            "output": str(staged),
            "filter": XLSX_FILTER,
            "edits": payload,
            "connect_timeout": max(5.0, timeout - 5),
        }
        done = _run(
            [python, str(_UNO_SCRIPT)],
            env=_clean_env(home),
            timeout=timeout,
            what=what,
            stdin=json.dumps(request, ensure_ascii=False),
        )
        messages = [
            line.split("XLGEN-ERROR:", 1)[1].strip()
            for line in done.stderr.splitlines()
            if "XLGEN-ERROR:" in line
        ]
        if done.returncode != 0 or not staged.is_file():
            detail = "; ".join(messages) if messages else _tail(done.stderr, done.stdout)
            raise SpreadsheetEngineError(f"{what}: {detail}")
        shutil.move(str(staged), str(out))
    return out


# --------------------------------------------------------------------------- reading back


def read_values(
    xlsx: Path, *, engine: Literal["openpyxl", "calamine"] = "openpyxl"
) -> dict[str, dict[str, object]]:
    """Cached values of every non-blank cell: ``{sheet: {"A1": value}}``.

    Blank cells and formulas whose cached result is ``""`` are left out, so
    ``values[sheet].get("B2")`` is None for them. Numbers compare by value (openpyxl
    gives ``2`` where calamine gives ``2.0``).

    ``engine="openpyxl"`` (the default) also returns error results such as ``"#NAME?"``.
    ``engine="calamine"`` is several times faster on big sheets but turns error results
    into blanks; it falls back to openpyxl when python-calamine is not installed.
    """
    xlsx = _require_input(xlsx)
    if engine == "calamine":
        try:
            import python_calamine
        except ImportError:
            engine = "openpyxl"
        else:
            return _read_calamine(xlsx, python_calamine)
    return _read_openpyxl(xlsx)


def formula_mismatches(built: Path, recalculated: Path) -> tuple[int, list[str]]:
    """Compare every formula's cached value in ``built`` (what Python wrote) with its value
    in ``recalculated`` (what the engine computed). Returns (formulas compared, one line per
    disagreement). Numbers agree within 1e-9 of Python's value (at least 1e-9 absolute);
    other values must be equal."""
    import openpyxl

    cached, engine = read_values(built), read_values(recalculated)
    checked, problems = 0, []
    for ws in openpyxl.load_workbook(_require_input(built), read_only=True).worksheets:
        for row in ws.iter_rows():
            for c in row:
                if not (isinstance(c.value, str) and c.value.startswith("=")):
                    continue
                want, got = cached[ws.title].get(c.coordinate), engine[ws.title].get(c.coordinate)
                if isinstance(want, (int, float)) and isinstance(got, (int, float)):
                    same = abs(want - got) <= 1e-9 * max(1.0, abs(want))
                else:
                    same = want == got
                if not same:
                    problems.append(
                        f"{ws.title}!{c.coordinate}: LibreOffice {got!r}, Python {want!r}"
                    )
                checked += 1
    return checked, problems


def _read_openpyxl(xlsx: Path) -> dict[str, dict[str, object]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(xlsx, data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetEngineError(f"통합문서를 읽지 못했습니다: {xlsx.name} ({exc})") from exc
    try:
        result: dict[str, dict[str, object]] = {}
        for ws in wb.worksheets:
            cells: dict[str, object] = {}
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    if value is None or value == "":
                        continue
                    cells[cell.coordinate] = value
            result[ws.title] = cells
        return result
    finally:
        wb.close()


def _read_calamine(xlsx: Path, python_calamine: Any) -> dict[str, dict[str, object]]:
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(xlsx))
    except Exception as exc:
        raise SpreadsheetEngineError(f"통합문서를 읽지 못했습니다: {xlsx.name} ({exc})") from exc
    result: dict[str, dict[str, object]] = {}
    for name in wb.sheet_names:
        cells: dict[str, object] = {}
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                cells[f"{xl_col_to_name(c)}{r + 1}"] = value
        result[name] = cells
    return result
