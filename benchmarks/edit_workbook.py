"""Make the "staff edited every 실적" copy of a built evaluation workbook, for the import
benchmarks, the way Excel would save it: only the input cells' values change, everything
else (cached formula values, the hidden _xlgen sheet, styles, protection) stays.

It rewrites the 실적 (column E) cells of the input sheet's XML inside the package; it does
not load and save the workbook with openpyxl (that would drop every cached value and take
minutes at 100,000 rows). A number becomes a different number (integers stay integers,
decimals keep one decimal, △ values stay negative); a blank gets a value.

    python benchmarks/edit_workbook.py BUILT.xlsx EDITED.xlsx
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import unescape

INPUT_SHEET = "Ⅲ 부서별현황"
FIRST_DATA_ROW = 4  # 1-based; rows above are title, unit, blank
# 실적 cells: numbers (no t attribute) or formatted blanks; header cells carry t="s".
CELL_RE = re.compile(r'<c r="E(\d+)"( s="\d+")?(?:/>|><v>([^<]*)</v></c>)')


def _sheet_part(zf: zipfile.ZipFile, name: str) -> str:
    workbook = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for m in re.finditer(
        r'<sheet name="([^"]+)" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"/>', workbook
    ):
        if unescape(m.group(1)) == name:
            target = re.search(
                rf'<Relationship Id="{m.group(2)}" Type="[^"]+" Target="([^"]+)"/>', rels
            ).group(1)
            return "xl/" + target.lstrip("/").removeprefix("xl/")
    raise SystemExit(f"no sheet {name!r} in the workbook")


def new_value(old: str | None) -> str:
    if old is None or old == "":
        return "42"
    v = float(old)
    if "." in old and not v.is_integer():
        return repr(round(v * 1.07 + 0.3, 1))
    return str(int(v * 1.07) + (1 if v >= 0 else -1))


def edit(src: Path, dst: Path) -> int:
    changed = 0

    def repl(m: re.Match) -> str:
        nonlocal changed
        row = int(m.group(1))
        if row < FIRST_DATA_ROW:
            return m.group(0)
        changed += 1
        return f'<c r="E{row}"{m.group(2) or ""}><v>{new_value(m.group(3))}</v></c>'

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        part = _sheet_part(zin, INPUT_SHEET)
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = CELL_RE.sub(repl, data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return changed


if __name__ == "__main__":
    print(edit(Path(sys.argv[1]), Path(sys.argv[2])))
