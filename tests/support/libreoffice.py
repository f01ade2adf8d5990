"""The tests' spreadsheet-engine harness: headless LibreOffice recalculates, edits and
prints the workbooks xlgen builds, and the results are read back.

Formulas are proven in Calc, not only in Python. Built on xlgen.libreoffice (the runtime
converter); what only the tests need lives here: recalculation to xlsx, UNO edits (the
``_uno_edit.py`` script beside this file, run under a Python that can ``import uno``:
Debian's ``/usr/bin/python3`` with ``python3-uno``), reading cached values back (openpyxl,
or python-calamine when installed) and PDF pages through poppler.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from xlsxwriter.utility import xl_col_to_name

from xlgen.korean import particle
from xlgen.libreoffice import (
    DEFAULT_TIMEOUT,
    XLSX_FILTER,
    SpreadsheetEngineError,
    _clean_env,
    _make_profile,
    _new_job,
    _require_input,
    _require_soffice,
    _require_zip_package,
    _run,
    _tail,
    convert,
    find_soffice,
    to_pdf,
)

__all__ = [
    "XLSX_FILTER",
    "SpreadsheetEngineError",
    "convert",
    "find_soffice",
    "find_uno_python",
    "formula_mismatches",
    "pdf_pages",
    "pdf_to_png",
    "read_values",
    "recalculate",
    "to_pdf",
    "uno_edit",
]

_UNO_SCRIPT = Path(__file__).with_name("_uno_edit.py")


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


def recalculate(xlsx: Path, out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Open ``xlsx`` in headless LibreOffice, recalculate every formula, save as xlsx.

    Returns ``out_dir / xlsx.name``, whose cached values are LibreOffice's results (read
    them with :func:`read_values`). ``out_dir`` may be ``xlsx``'s own folder: the input
    is then replaced.
    """
    return convert(xlsx, out_dir, f"xlsx:{XLSX_FILTER}", recalc=True, timeout=timeout)


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
