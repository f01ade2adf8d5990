"""Spreadsheet clients the round tests edit and re-save department workbooks with, besides
LibreOffice (uno_edit of tests/support/libreoffice.py): openpyxl and Gnumeric.

- openpyxl: load, set cells, save (it keeps the very hidden sheet and drops every cached
  formula value, which an import never trusts).
- Gnumeric (`ssconvert`): a re-save `in.xlsx → out.xlsx`, and an edit made through
  Gnumeric's own file format: `in.xlsx → .gnumeric` (gzipped XML), the cells set in that
  XML, then `.gnumeric → out.xlsx`, so that Gnumeric itself writes the workbook that comes
  back. Gnumeric makes the very hidden `_xlgen` sheet visible and warns about comments
  ("Unhandled object of type Note") on stderr.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl

from xlgen.layouts import eval_departments as dep

SSCONVERT = shutil.which("ssconvert")
DEPTS = "Ⅲ 부서별현황"


def key_rows(path: Path, sheet: str = DEPTS) -> dict[str, int]:
    """Record key → 1-based row of the Ⅲ sheet."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            r[dep.KEY]: n
            for n, r in enumerate(wb[sheet].iter_rows(values_only=True), 1)
            if len(r) > dep.KEY
            and isinstance(r[dep.KEY], str)
            and r[dep.KEY].strip()
            and n > dep.FIRST_DATA_ROW
        }
    finally:
        wb.close()


def openpyxl_edit(path: Path, out: Path, cells: Mapping[tuple[str, str], Any]) -> Path:
    """Set (sheet, "E12") → value with openpyxl and save to `out`."""
    wb = openpyxl.load_workbook(path)
    for (sheet, address), value in cells.items():
        wb[sheet][address] = value
    wb.save(out)
    wb.close()
    return out


def ssconvert(src: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """Gnumeric's converter; returns the finished process (its stderr holds the warnings)."""
    assert SSCONVERT is not None, "ssconvert (Debian package gnumeric) is not installed"
    done = subprocess.run(
        [SSCONVERT, str(src), str(out)], capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"ssconvert {src.name} → {out.name} failed: {done.stderr[-400:]}")
    return done


def gnumeric_resave(src: Path, out: Path) -> str:
    """Re-save through Gnumeric; returns its warnings."""
    return ssconvert(src, out).stderr


def _col(address: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", address)
    assert m, address
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def gnumeric_edit(src: Path, out: Path, sheet: str, cells: Mapping[str, Any]) -> str:
    """Set cells ("E12" → number or text) of one sheet in Gnumeric's own format and let
    Gnumeric write the xlsx. Returns Gnumeric's warnings."""
    work = out.parent / (out.stem + ".gnumeric")
    warnings = ssconvert(src, work).stderr
    xml = gzip.decompress(work.read_bytes()).decode("utf-8")
    start = xml.index(f"<gnm:Name>{escape(sheet)}</gnm:Name>")
    cells_at = xml.index("<gnm:Cells>", start)
    end = xml.index("</gnm:Cells>", cells_at)
    body = xml[cells_at:end]
    for address, value in cells.items():
        row, col = _col(address)
        pattern = re.compile(
            rf'<gnm:Cell Row="{row}" Col="{col}"[^>]*?(?:/>|>.*?</gnm:Cell>)', re.S
        )
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            new = f'<gnm:Cell Row="{row}" Col="{col}" ValueType="40">{value!r}</gnm:Cell>'
        else:
            new = (
                f'<gnm:Cell Row="{row}" Col="{col}" ValueType="60">{escape(str(value))}</gnm:Cell>'
            )
        body, n = pattern.subn(new, body, count=1)
        if n == 0:
            body = body.replace("<gnm:Cells>", "<gnm:Cells>\n" + new, 1)
    xml = xml[:cells_at] + body + xml[end:]
    work.write_bytes(gzip.compress(xml.encode("utf-8")))
    warnings += ssconvert(work, out).stderr
    work.unlink()
    return warnings
