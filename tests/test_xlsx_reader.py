"""xlgen.xlsx.XlsxReader, the streaming reader `xlgen import` uses instead of openpyxl.

Its contract: the values equal what openpyxl gives through
`load_workbook(read_only=True, data_only=False)` and `iter_rows(values_only=True)`, compared
after trailing None / trailing empty rows are stripped; date-formatted numbers are datetime;
a shared formula's dependent cells read as "=…" (openpyxl translates the master's formula).
There are two code paths (a regex "fast" path for cells written as `<c r="A1" s="3" t="…">`,
and a general ElementTree path taken when sheetData holds a comment, CDATA, a prefixed root or
cells in another form); both must give the same rows. The bugs these tests found are fixed; their tests stay.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font

from xlgen import xlsx
from xlgen.xlsx import SHARED_FORMULA, SheetError, TooManyRows, XlsxReader

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_PART = "xl/worksheets/sheet1.xml"
BIG = 1_000_000  # max_rows when the bound is not what is tested

# --------------------------------------------------------------------------- reading helpers


def trimmed(rows: Any) -> list[list[Any]]:
    """Rows as lists with trailing None of each row and trailing empty rows removed."""
    out = [list(row) for row in rows]
    for row in out:
        while row and row[-1] is None:
            row.pop()
    while out and not out[-1]:
        out.pop()
    return out


def cells(
    path: Path,
    sheet: str | None = None,
    *,
    max_rows: int = BIG,
    max_columns: int = 64,
    skip: frozenset[int] = frozenset(),
) -> list[xlsx.CellData]:
    with XlsxReader(path) as reader:
        name = sheet or reader.sheetnames[0]
        return list(reader.rows(name, max_rows=max_rows, max_columns=max_columns, skip=skip))


def values(path: Path, sheet: str | None = None, **kw: Any) -> list[list[Any]]:
    got = cells(path, sheet, **kw)
    assert [c.index for c in got] == list(range(len(got))), "rows in order, gaps filled"
    return trimmed(c.values for c in got)


def normalized(got: list[xlsx.CellData]) -> list[tuple[int, list[Any], frozenset[int]]]:
    """Rows with index, trimmed values and percent columns, trailing blank rows dropped: what
    two reads of the same content must agree on."""
    out = [(c.index, trimmed([c.values])[0] if trimmed([c.values]) else [], c.percent) for c in got]
    while out and not out[-1][1] and not out[-1][2]:
        out.pop()
    return out


def percents(path: Path, **kw: Any) -> dict[int, frozenset[int]]:
    return {c.index: c.percent for c in cells(path, **kw) if c.percent}


def oracle(path: Path, sheet: str | None = None, max_col: int = 64) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        return trimmed(ws.iter_rows(max_col=max_col, values_only=True))
    finally:
        wb.close()


def rewrite_part(src: Path, dst: Path, change: Any, part: str = SHEET_PART) -> Path:
    """Copy a package, passing one part's bytes through `change`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(data) if info.filename == part else data)
    return dst


def with_comment(src: Path, dst: Path) -> Path:
    """The same package with an XML comment at the start of sheetData (forces the general path)."""

    def change(data: bytes) -> bytes:
        out, n = re.subn(
            rb"<((?:\w+:)?sheetData)([^>/]*)(/?)>",
            lambda m: (
                b"<%s%s><!-- general path -->%s" % (m[1], m[2], b"</%s>" % m[1] if m[3] else b"")
            ),
            data,
            count=1,
        )
        assert n == 1
        return out

    return rewrite_part(src, dst, change)


def part_bytes(path: Path, part: str = SHEET_PART) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(part)


# --------------------------------------------------------------------------- hand-written packages

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{shared}</Types>"
)
_SHARED_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>{shared}</Relationships>'
)
_SHARED_REL = (
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
)
# Cell styles: 0 general, 1 built-in percentage (numFmtId 9, "0%"), 2 a custom date format,
# 3 a custom percentage format, 4 bold only (no number format).
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
    '<numFmt numFmtId="165" formatCode="0.0%"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def sheet_xml(data: str, *, prefix: str = "", before: str = "") -> str:
    """A worksheet part holding `data` in sheetData (optionally every element prefixed)."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<{p}worksheet {ns}>{before}<{p}sheetData>{data}</{p}sheetData></{p}worksheet>"
    )


def package(path: Path, sheet: str | bytes, shared: str | None = None) -> Path:
    """A minimal valid .xlsx with one sheet "S" (and sharedStrings when `shared` is given:
    the <si> items)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(shared=_SHARED_TYPE if shared is not None else ""),
        )
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.format(shared=_SHARED_REL if shared is not None else ""),
        )
        z.writestr("xl/styles.xml", _STYLES)
        z.writestr(SHEET_PART, sheet)
        if shared is not None:
            z.writestr(
                "xl/sharedStrings.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{shared}</sst>',
            )
    return path


# --------------------------------------------------------------------------- generated workbooks

DATE = dt.datetime(2024, 3, 15)
# What the xlsxwriter and openpyxl workbooks below hold, row by row (trimmed).
EXPECTED = (
    [
        [0, 1, -5, 123456789012345, -123456789012345],
        [0.1, 1e-07, -2.5, 1.5e300, 3.14159],
        ["& < > \" '", "a&b<c>d\"e'f", "가나다 성과지표", " lead", "trail ", "  both  "],
        ["=1+2", "=A1*2", '="a"&"b"', True, False, "=1/0", '=IF(A1>0,"양수","음수")'],
        [DATE, 0.25, -0.125, "x"],
        ["rich plain", None, None, None, -0.0],
        [],
        [],
        [None] * 27 + [42],
    ]
    + [[]] * 11
    + [[None, "끝"]]
)
EXPECTED_PERCENT = {4: frozenset({1, 2})}  # numbers with a % format; not the text "x" in D5


def write_xlsxwriter(path: Path, options: dict[str, Any] | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path), options or {})
    ws = wb.add_worksheet("데이터")
    date_f = wb.add_format({"num_format": "yyyy-mm-dd"})
    pct, pct2 = wb.add_format({"num_format": "0%"}), wb.add_format({"num_format": "0.00%"})
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, EXPECTED[0])
    ws.write_row(1, 0, EXPECTED[1])
    for col, text in enumerate(EXPECTED[2]):
        ws.write_string(2, col, text)
    ws.write_string(2, 6, "")  # an empty string cell
    ws.write_formula(3, 0, "=1+2", None, 3)
    ws.write_formula(3, 1, "=A1*2")
    ws.write_formula(3, 2, '="a"&"b"', None, "ab")  # a string result
    ws.write_boolean(3, 3, True)
    ws.write_boolean(3, 4, False)
    ws.write_formula(3, 5, "=1/0", None, "#DIV/0!")
    ws.write_formula(3, 6, '=IF(A1>0,"양수","음수")', None, "음수")
    ws.write_datetime(4, 0, DATE, date_f)
    ws.write_number(4, 1, 0.25, pct)
    ws.write_number(4, 2, -0.125, pct2)
    ws.write_string(4, 3, "x", pct)
    ws.write_rich_string(5, 0, bold, "rich", " plain")
    ws.write_blank(5, 1, None, bold)  # blank styled cells
    ws.write_blank(5, 3, None, bold)
    ws.write_number(5, 4, -0.0)
    ws.write_number(8, 27, 42)  # AB9
    ws.write_string(20, 1, "끝")
    wb.close()
    return path


def write_openpyxl(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "데이터"
    for row in EXPECTED[:5]:
        ws.append(row)
    ws["A5"].number_format = "yyyy-mm-dd"
    ws["B5"].number_format = "0%"
    ws["C5"].number_format = "0.00%"
    ws["D5"].number_format = "0%"
    ws["A6"] = "rich plain"
    ws["B6"].font = Font(bold=True)  # blank styled cells
    ws["D6"].font = Font(bold=True)
    ws["E6"] = -0.0
    ws["G3"] = ""  # an empty string cell
    ws["AB9"] = 42
    ws["B21"] = "끝"
    wb.save(path)
    return path


def check_against_oracle(path: Path, tmp_path: Path) -> list[list[Any]]:
    """The reader equals openpyxl on `path`, on both paths; returns the values."""
    got = values(path)
    assert got == oracle(path)
    general = with_comment(path, tmp_path / f"general-{path.name}")
    assert values(general) == got
    assert normalized(cells(general)) == normalized(cells(path))
    return got


# =========================================================================== 1. oracle


@pytest.mark.parametrize(
    "options", [{}, {"constant_memory": True}], ids=["shared-strings", "constant-memory"]
)
def test_xlsxwriter_workbook_equals_openpyxl(tmp_path: Path, options: dict[str, Any]) -> None:
    """Every value type xlsxwriter writes (shared or inline strings) reads as openpyxl reads it."""
    path = write_xlsxwriter(tmp_path / "x.xlsx", options)
    got = check_against_oracle(path, tmp_path)
    expected = [list(r) for r in EXPECTED]
    expected[2] = expected[2] + [""]  # xlsxwriter keeps the empty string as a string cell
    assert got == expected
    assert [type(v) for v in got[0]] == [int] * 5
    assert [type(v) for v in got[1]] == [float] * 5
    assert type(got[4][0]) is dt.datetime
    assert percents(path) == EXPECTED_PERCENT
    with XlsxReader(path) as r:
        assert r.sheetnames == ["데이터"]


def test_openpyxl_workbook_equals_openpyxl(tmp_path: Path) -> None:
    """A workbook saved by openpyxl (inline strings, t="n", <v /> after formulas) reads as openpyxl reads it."""
    path = write_openpyxl(tmp_path / "o.xlsx")
    got = check_against_oracle(path, tmp_path)
    assert got == EXPECTED
    assert percents(path) == EXPECTED_PERCENT


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="soffice is not on PATH")
def test_libreoffice_workbook_equals_openpyxl(tmp_path: Path) -> None:
    """A workbook re-saved by LibreOffice (its attribute style, shared strings) reads as openpyxl reads it."""
    (tmp_path / "src").mkdir()
    src = write_xlsxwriter(tmp_path / "src" / "lo.xlsx")
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    path = out / "lo.xlsx"
    assert b'<c r="A1" s="0" t="n">' in part_bytes(path)  # LibreOffice's own form, not xlsxwriter's
    got = check_against_oracle(path, tmp_path)
    assert got[0] == EXPECTED[0]
    assert got[1] == EXPECTED[1]
    assert got[2][:6] == EXPECTED[2]
    assert got[3][:3] == EXPECTED[3][:3] and got[3][5] == "=1/0"
    assert got[4] == EXPECTED[4]
    assert got[8] == EXPECTED[8] and got[20] == EXPECTED[20]
    assert percents(path) == EXPECTED_PERCENT


# =========================================================================== 2. hand-written XML

SHARED = (
    '<si><r><rPr><b/><color rgb="FFFF0000"/></rPr><t>ri</t></r><r><t xml:space="preserve">ch </t></r></si>'
    '<si><t>漢</t><rPh sb="0" eb="1"><t>かん</t></rPh><phoneticPr fontId="0"/></si>'
    "<si><t>&#44032;&amp;&#x41;</t></si>"
)
HAND_WRITTEN = {
    "prefixed-root": (
        sheet_xml(
            '<x:row r="1"><x:c r="A1" s="1"><x:v>0.5</x:v></x:c><x:c r="B1" t="inlineStr">'
            '<x:is><x:t>hi</x:t></x:is></x:c><x:c r="C1"><x:f>A1*2</x:f><x:v>1</x:v></x:c></x:row>',
            prefix="x",
        ),
        None,
        [[0.5, "hi", "=A1*2"]],
    ),
    "single-quotes": (
        sheet_xml(
            "<row r='1'><c r='A1' s='1'><v>0.5</v></c><c r='B1' t='inlineStr'><is><t>q</t></is></c>"
            "<c r='C1' t='s'><v>2</v></c></row>"
        ),
        SHARED,
        [[0.5, "q", "가&A"]],
    ),
    "t-before-r": (
        sheet_xml(
            '<row r="1"><c t="inlineStr" r="A1"><is><t>t first</t></is></c><c s="1" r="B1"><v>0.25</v></c>'
            '<c t="b" s="0" r="C1"><v>0</v></c></row>'
        ),
        None,
        [["t first", 0.25, False]],
    ),
    "no-references": (
        sheet_xml(
            '<row><c><v>1</v></c><c><v>2</v></c><c r="E1"><v>5</v></c><c><v>6</v></c></row>'
            '<row><c t="inlineStr"><is><t>second</t></is></c></row><row r="5"><c><v>9</v></c></row>'
        ),
        None,
        [[1, 2, None, None, 5, 6], ["second"], [], [], [9]],
    ),
    "comment-in-sheetData": (
        sheet_xml(
            '<row r="1"><c r="A1"><v>1</v></c><!-- a </c> comment --></row><!-- more -->'
            '<row r="3"><c r="B3" t="inlineStr"><is><t>after</t></is></c></row>'
        ),
        None,
        [[1], [], [None, "after"]],
    ),
    "cdata": (
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b & </c>]]></t></is></c>'
            '<c r="B1"><v>2</v></c></row>'
        ),
        None,
        [["a<b & </c>", 2]],
    ),
    "rich-inline": (
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><color rgb="FF0000"/><charset val="129"/>'
            '<condense val="0"/></rPr><t>ab</t></r><r><t>cd</t></r></is></c><c r="B1"><v>3</v></c></row>'
        ),
        None,
        [["abcd", 3]],
    ),
    "phonetic-inline": (
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh>'
            '<phoneticPr fontId="0"/></is></c></row>'
        ),
        None,
        [["漢字"]],
    ),
    "character-references": (
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&#44032;&#x41;&amp;&lt;&gt;&quot;&apos;</t></is></c>'
            '<c r="B1" t="str"><v>&#xD55C;</v></c></row>'
        ),
        None,
        [["가A&<>\"'", "한"]],
    ),
    "value-whitespace": (
        sheet_xml(
            '<row r="1"><c r="A1"><v> 12 </v></c><c r="B1">\n  <v>\n3.5\n</v>\n</c>'
            '<c r="C1" t="s">\n<v> 1 </v></c></row>'
        ),
        SHARED,
        [[12, 3.5, "漢"]],
    ),
    "shared-rich-phonetic": (
        sheet_xml(
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
            '<c r="C1" t="s"><v>2</v></c></row>'
        ),
        SHARED,
        [["rich ", "漢", "가&A"]],
    ),
    "shared-with-comment": (
        sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'),
        "<!-- shared strings --><si><t><![CDATA[x<y]]></t></si><si><r><t>p</t></r><r><t>q</t></r></si>",
        [["x<y", "pq"]],
    ),
    "extra-attribute": (
        sheet_xml(
            '<row r="1"><c r="A1" s="1" t="n" cm="1"><v>0.5</v></c><c r="B1" cm="1"><f>1+1</f><v>2</v></c>'
            '<c r="C1" vm="1" s="3"><v>0.125</v></c><c r="D1" t="n" s="2"><v>45366</v></c>'
            '<c r="E1" cm="1" t="s"><v>2</v></c><c r="F1" t="inlineStr" cm="1"><is><t>i</t></is></c></row>'
        ),
        SHARED,
        [[0.5, "=1+1", 0.125, DATE, "가&A", "i"]],
    ),
    "preserve-space": (
        sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">  two  </t></is></c></row>'
        ),
        None,
        [["  two  "]],
    ),
    "types": (
        sheet_xml(
            '<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="e"><v>#N/A</v></c>'
            '<c r="C1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
            '<c r="E1" s="2"><v>45366</v></c><c r="F1"><v>-1E-3</v></c><c r="G1"><v>-7</v></c></row>'
        ),
        None,
        [[True, "#N/A", '="a"&"b"', "=1/0", DATE, -0.001, -7]],
    ),
}


@pytest.mark.parametrize("case", HAND_WRITTEN, ids=list(HAND_WRITTEN))
def test_hand_written_forms_equal_openpyxl(tmp_path: Path, case: str) -> None:
    """Odd-but-valid SpreadsheetML (prefixes, quoting, attribute order, no refs, comments, CDATA, runs) reads right."""
    xml, shared, expected = HAND_WRITTEN[case]
    path = package(tmp_path / "h.xlsx", xml, shared)
    got = values(path)
    assert got == expected
    assert got == oracle(path)


def test_percent_and_date_styles_on_hand_written_cells(tmp_path: Path) -> None:
    """Built-in and custom percentage formats mark `percent` on numbers (not on a formula); a custom date
    format gives datetime; bold does neither."""
    xml = sheet_xml(
        '<row r="1"><c r="A1" s="1"><v>0.5</v></c><c r="B1" s="3"><v>0.25</v></c>'
        '<c r="C1" s="2"><v>45366.5</v></c><c r="D1" s="4"><v>7</v></c>'
        '<c r="E1" s="1"><f>A1</f><v>0.5</v></c></row>'
        '<row r="2"><c r="B2" s="3" cm="1"><v>1</v></c><c r="C2" t="n" s="1"><v>2</v></c></row>'
    )
    path = package(tmp_path / "p.xlsx", xml)
    general = with_comment(path, tmp_path / "g.xlsx")
    for p in (path, general):
        assert values(p) == [[0.5, 0.25, DATE + dt.timedelta(hours=12), 7, "=A1"], [None, 1, 2]]
        assert percents(p) == {
            0: frozenset({0, 1}),
            1: frozenset({1, 2}),
        }  # E1 is a formula, not a number
    assert values(path) == oracle(path)


def test_shared_formula_dependents_read_as_marker(tmp_path: Path) -> None:
    """A shared formula's master reads as its text; dependents read "=…" (openpyxl translates them: a known difference)."""
    xml = sheet_xml(
        '<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>2</v></c><c r="B1"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><f t="shared" si="0"/><v>4</v></c></row>'
        '<row r="3"><c r="A3"><f t="shared" si="0"></f><v>6</v></c></row>'
    )
    path = package(tmp_path / "f.xlsx", xml)
    general = with_comment(path, tmp_path / "g.xlsx")
    assert SHARED_FORMULA == "…"
    assert values(path) == values(general) == [["=B1*2", 1], ["=…"], ["=…"]]
    assert oracle(path) == [["=B1*2", 1], ["=B2*2"], ["=B3*2"]]  # openpyxl's translation


FAST_FORM = sheet_xml(
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="1"><v>0.5</v></c><c r="C1" t="s"><v>0</v></c>'
    '<c r="D1" t="inlineStr"><is><t>in&amp;line</t></is></c><c r="E1" s="2"><v>45366</v></c></row>'
    '<row r="3"><c r="A3"><f>A1+1</f><v>2</v></c><c r="B3" t="b"><v>1</v></c><c r="C3" t="e"><v>#REF!</v></c>'
    '<c r="D3" t="str"><f>"x"</f><v>x</v></c><c r="AB3" s="3" t="inlineStr"><is><t xml:space="preserve"> 가 </t></is></c></row>'
    '<row r="4"><c r="A4" s="4"/><c r="B4"><v>-1.5E+20</v></c><c r="C4" t="inlineStr"><is><r><t>r</t></r><r><t>2</t></r></is></c></row>'
)


@pytest.mark.parametrize("skip", [frozenset(), frozenset({1, 27})], ids=["all", "skip-B-AB"])
def test_fast_and_general_paths_give_identical_rows(tmp_path: Path, skip: frozenset[int]) -> None:
    """The same sheet, plain (fast path) and with a comment at the start of sheetData (general path), gives identical rows."""
    path = package(tmp_path / "a.xlsx", FAST_FORM, SHARED)
    general = with_comment(path, tmp_path / "b.xlsx")
    fast_rows, general_rows = cells(path, skip=skip), cells(general, skip=skip)
    assert normalized(fast_rows) == normalized(general_rows)
    assert [c.index for c in fast_rows][:4] == [0, 1, 2, 3]
    first = [1, 0.5, "rich ", "in&line", DATE]
    assert trimmed(c.values for c in fast_rows)[0] == [
        None if c in skip else v for c, v in enumerate(first)
    ]
    if not skip:
        assert trimmed(c.values for c in fast_rows) == oracle(path)


# =========================================================================== 3. block boundaries


def write_block_workbook(
    path: Path, options: dict[str, Any] | None = None, rows: int = 600
) -> Path:
    """A few thousand cells with long strings (cells straddle small blocks), numbers,
    formulas, percentages and dates; no blank percentage-formatted cells."""
    rnd = random.Random(20240315)
    wb = xlsxwriter.Workbook(str(path), options or {})
    ws = wb.add_worksheet("S")
    pct, date_f = wb.add_format({"num_format": "0.0%"}), wb.add_format({"num_format": "yyyy-mm-dd"})
    pieces = ["가나다", "&<>", "\"'", "abc ", "성과", "x" * 40]
    for r in range(rows):
        if r % 37 == 5:
            continue  # gaps of empty rows
        for c in range(7):
            k = rnd.random()
            if k < 0.3:
                ws.write_string(
                    r, c, "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 60)))
                )
            elif k < 0.5:
                ws.write_number(r, c, rnd.randint(-(10**9), 10**9))
            elif k < 0.6:
                ws.write_number(r, c, round(rnd.uniform(-1, 1), 6), pct)
            elif k < 0.7:
                ws.write_formula(r, c, f'=A{r + 1}&"{"z" * rnd.randint(0, 80)}"', None, "")
            elif k < 0.75:
                ws.write_datetime(r, c, DATE + dt.timedelta(days=r), date_f)
            elif k < 0.8:
                ws.write_boolean(r, c, k < 0.775)
    wb.close()
    return path


def masked(rows: list[Any], skip: frozenset[int], width: int) -> list[Any]:
    """Normalized rows as a read with `skip` and `max_columns=width` must give them."""
    out = []
    for index, vals, pct in rows:
        kept = trimmed([[None if c in skip or c >= width else v for c, v in enumerate(vals)]])
        out.append(
            (
                index,
                kept[0] if kept else [],
                frozenset(c for c in pct if c not in skip and c < width),
            )
        )
    while out and not out[-1][1] and not out[-1][2]:
        out.pop()
    return out


def _insert_before_row(row: int, text: bytes) -> Any:
    def change(data: bytes) -> bytes:
        marker = b'<row r="%d"' % row
        assert marker in data
        return data.replace(marker, text + marker, 1)

    return change


@pytest.fixture(scope="module")
def block_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[Any]]]:
    """Workbooks for the block tests, each with its rows read at the real BLOCK size."""
    d = tmp_path_factory.mktemp("blocks")
    shared = write_block_workbook(d / "shared.xlsx")
    inline = write_block_workbook(d / "inline.xlsx", {"constant_memory": True})
    books = {
        "shared": shared,
        "inline": inline,
        # the general path taken late in the part: the fast path's rows must not repeat or go
        "late-comment": rewrite_part(
            inline, d / "late-comment.xlsx", _insert_before_row(560, b"<!-- late </c> -->")
        ),
        "late-single-quote": rewrite_part(
            shared, d / "late-quote.xlsx", lambda b: b.replace(b'<c r="C500"', b"<c r='C500'", 1)
        ),
        "early-comment": rewrite_part(
            inline, d / "early-comment.xlsx", _insert_before_row(2, b"<!-- early -->")
        ),
    }
    return {name: (path, normalized(cells(path))) for name, path in books.items()}


def test_block_workbooks_equal_openpyxl(block_books: dict[str, tuple[Path, list[Any]]]) -> None:
    """At the real block size the block-test workbooks read as openpyxl reads them, comment or not."""
    for name, (path, rows) in block_books.items():
        assert trimmed(r[1] for r in rows) == oracle(path), name
    assert block_books["late-comment"][1] == block_books["inline"][1]
    assert block_books["late-single-quote"][1] == block_books["shared"][1]
    assert len(block_books["shared"][1]) > 590 and any(r[2] for r in block_books["shared"][1])


@pytest.mark.parametrize("block", [16, 64, 100, 257, 4099])
@pytest.mark.parametrize(
    "book", ["shared", "inline", "late-comment", "late-single-quote", "early-comment"]
)
def test_small_blocks_give_identical_rows(
    monkeypatch: pytest.MonkeyPatch, block_books: Any, book: str, block: int
) -> None:
    """With BLOCK patched small (cells and tags straddle blocks, the path switches mid-part) rows are unchanged."""
    path, expected = block_books[book]
    monkeypatch.setattr(xlsx, "BLOCK", block)
    got = cells(path)
    assert [c.index for c in got] == list(range(len(got)))
    assert normalized(got) == expected
    skip, width = frozenset({0, 3}), 6
    assert normalized(cells(path, skip=skip, max_columns=width)) == masked(expected, skip, width)


# =========================================================================== 4. skip and max_columns


def test_skip_and_max_columns_blank_only_those_columns(tmp_path: Path) -> None:
    """Columns in `skip` and at/after `max_columns` read None; every other column is unchanged, on both paths."""
    wb = xlsxwriter.Workbook(str(tmp_path / "s.xlsx"))
    ws = wb.add_worksheet("S")
    pct = wb.add_format({"num_format": "0%"})
    for r in range(5):
        ws.write_row(r, 0, [f"r{r}c{c}" if c % 2 else r * 10 + c for c in range(8)])
        ws.write_number(r, 3, 0.5, pct)
    wb.close()
    path = tmp_path / "s.xlsx"
    general = with_comment(path, tmp_path / "g.xlsx")
    full = values(path)
    skip = frozenset({1, 3})
    expected = trimmed(
        [None if c in skip or c >= 6 else v for c, v in enumerate(row)] for row in full
    )
    for p in (path, general):
        assert values(p, skip=skip, max_columns=6) == expected
        assert percents(p, skip=skip, max_columns=6) == {}
        assert percents(p, max_columns=6) == {r: frozenset({3}) for r in range(5)}
        assert values(p, max_columns=0) == []
    assert expected[2] == [20, None, 22, None, 24, "r2c5"]


def test_skipping_column_a_does_not_touch_aa_or_ba(tmp_path: Path) -> None:
    """Skipping column A (or AA) skips exactly that column, not others whose letters start or end alike."""
    xml = sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c><c r="AA1"><v>2</v></c><c r="BA1"><v>3</v></c>'
        '<c r="AAA1"><v>4</v></c></row>'
    )
    path = package(tmp_path / "a.xlsx", xml)
    general = with_comment(path, tmp_path / "g.xlsx")
    for p in (path, general):
        row = values(p, skip=frozenset({0}), max_columns=1000)[0]
        assert (row[0], row[26], row[52], row[702]) == (None, 2, 3, 4)
        row = values(p, skip=frozenset({26}), max_columns=1000)[0]
        assert (row[0], row[26], row[52], row[702]) == (1, None, 3, 4)


# =========================================================================== 5. refusals


def _good_sheet(tmp_path: Path) -> Path:
    return write_block_workbook(tmp_path / "good.xlsx", rows=120)


def _damaged(tmp_path: Path, how: str) -> Path:
    src = _good_sheet(tmp_path)
    data = part_bytes(src)
    start, end = data.index(b"<sheetData>"), data.index(b"</sheetData>")
    middle = data.index(b'<row r="60"')
    changes = {
        "truncated-mid-data": lambda b: b[: start + (end - start) // 2],
        "truncated-mid-tag": lambda b: b[: middle + 5],
        "truncated-after-sheetData": lambda b: b[: end + len(b"</sheetData>")],
        "no-sheetData-end": lambda b: b.replace(b"</sheetData>", b""),
        "garbage-between-rows": lambda b: b[:middle] + b"<<&&" + b[middle:],
        "garbage-in-skipped-column": lambda b: re.sub(
            rb'(<c r="B61"[^>]*>)', rb"\1<<&&", b, count=1
        ),
        "unclosed-cell": lambda b: b.replace(b"</c></row>", b"</row>", 1),
    }
    out = rewrite_part(src, tmp_path / f"{how}.xlsx", changes[how])
    assert part_bytes(out) != data
    return out


DAMAGE = [
    "truncated-mid-data",
    "truncated-mid-tag",
    "truncated-after-sheetData",
    "no-sheetData-end",
    "garbage-between-rows",
    "garbage-in-skipped-column",
    "unclosed-cell",
]


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_sheet_is_refused_by_rows(tmp_path: Path, how: str) -> None:
    """A sheet part that is not well-formed XML makes rows() raise SheetError (even damage in a skipped column)."""
    path = _damaged(tmp_path, how)
    with pytest.raises(SheetError):
        cells(path, skip=frozenset({1}))


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_sheet_is_refused_with_background_check(tmp_path: Path, how: str) -> None:
    """With the check in a second process, a damaged sheet raises SheetError from rows() or from finish_checks()."""
    path = _damaged(tmp_path, how)
    with XlsxReader(path) as reader:
        reader.check_in_background(["S"])
        with pytest.raises(SheetError) as exc:
            list(reader.rows("S", max_rows=BIG, max_columns=64, skip=frozenset({1})))
            reader.finish_checks()
    assert str(exc.value)  # carries a reason (the sheet name when from finish_checks)


@pytest.mark.parametrize("how", DAMAGE)
def test_background_check_alone_finds_damage(tmp_path: Path, how: str) -> None:
    """The second process alone (no row read) makes finish_checks() raise SheetError naming the sheet."""
    path = _damaged(tmp_path, how)
    with XlsxReader(path) as reader:
        reader.check_in_background(["S"])
        assert reader._checker is not None
        with pytest.raises(SheetError) as exc:
            reader.finish_checks()
    assert str(exc.value) == "S"


@pytest.mark.parametrize("how", ["garbage-in-skipped-column", "truncated-after-sheetData"])
def test_finish_checks_names_the_damaged_sheet(tmp_path: Path, how: str) -> None:
    """Damage the row reading passes over is caught by finish_checks(), which names the sheet."""
    path = _damaged(tmp_path, how)
    with XlsxReader(path) as reader:
        reader.check_in_background(["S"])
        got = list(reader.rows("S", max_rows=BIG, max_columns=64, skip=frozenset({1})))
        assert len(got) > 100
        with pytest.raises(SheetError) as exc:
            reader.finish_checks()
    assert str(exc.value) == "S"


def test_background_check_passes_good_sheets(tmp_path: Path) -> None:
    """The background check does not refuse a good sheet, and rows read under it equal rows read without it."""
    path = _good_sheet(tmp_path)
    plain = cells(path)
    with XlsxReader(path) as reader:
        reader.check_in_background(["S", "no such sheet"])
        got = list(reader.rows("S", max_rows=BIG, max_columns=64))
        reader.finish_checks()
        reader.finish_checks()  # nothing pending: a no-op
    assert got == plain


def _no_process(*args: Any, **kwargs: Any) -> Any:
    raise OSError("cannot start a process")


@pytest.mark.parametrize("how", ["garbage-in-skipped-column", "truncated-after-sheetData"])
def test_finish_checks_checks_here_when_no_process_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """When subprocess.Popen fails, finish_checks() still finds the damaged part (and passes a good one)."""
    monkeypatch.setattr(xlsx.subprocess, "Popen", _no_process)
    bad, good = _damaged(tmp_path, how), _good_sheet(tmp_path)
    with XlsxReader(bad) as reader:
        reader.check_in_background(["S"])
        assert reader._checker is None
        list(reader.rows("S", max_rows=BIG, max_columns=64, skip=frozenset({1})))
        with pytest.raises(SheetError) as exc:
            reader.finish_checks()
    assert str(exc.value) == "S"
    with XlsxReader(good) as reader:
        reader.check_in_background(["S"])
        list(reader.rows("S", max_rows=BIG, max_columns=64))
        reader.finish_checks()


def test_finish_checks_checks_here_when_the_process_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the second process starts but cannot run the check (exits 1), finish_checks() checks the part itself."""
    false = shutil.which("false")
    if false is None:
        pytest.skip("no `false` command")
    monkeypatch.setattr(xlsx.sys, "executable", false)
    path = _damaged(tmp_path, "garbage-in-skipped-column")
    with XlsxReader(path) as reader:
        reader.check_in_background(["S"])
        with pytest.raises(SheetError) as exc:
            reader.finish_checks()
    assert str(exc.value) == "S"


@pytest.mark.parametrize("general", [False, True], ids=["fast", "general"])
def test_row_past_max_rows_raises_too_many_rows(tmp_path: Path, general: bool) -> None:
    """A value at row 300000 with max_rows=200000 raises TooManyRows (a SheetError) naming the row."""
    xml = sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="300000"><c r="C300000"><v>2</v></c></row>'
    )
    path = package(tmp_path / "t.xlsx", xml)
    if general:
        path = with_comment(path, tmp_path / "g.xlsx")
    with pytest.raises(TooManyRows) as exc:
        cells(path, max_rows=200_000)
    assert exc.value.row == 300_000
    assert isinstance(exc.value, SheetError)
    assert values(path, max_rows=300_000)[-1] == [
        None,
        None,
        2,
    ]  # row 300000 is index 299999: within
    # Only values that are read count: past max_columns, the far cell is passed over.
    assert [c.values for c in cells(path, max_rows=200_000, max_columns=1)] == [[1]]


# =========================================================================== 6. property test

_TEXT_CHARS = st.one_of(
    st.sampled_from(list("aZ09 &<>\"';=_-.가나힣\n\t")),
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co")),
)
_TEXT = st.text(_TEXT_CHARS, max_size=12).filter(
    # xlsxwriter escapes "_xHHHH_" (see test_bug_x005f_escape_is_kept) and treats "<r>…</r>" as rich text
    lambda s: re.search(r"_x[0-9A-Fa-f]{4}_", s) is None and not s.startswith("<r>")
)
_FLOAT = (
    st.floats(allow_nan=False, allow_infinity=False)
    .map(lambda x: float(f"{x:.15g}"))
    .filter(lambda x: math.isfinite(x) and float(f"{x:.16G}") == x)
)  # xlsxwriter writes 16 significant digits
_VALUE = st.one_of(st.none(), st.integers(-(10**15), 10**15), _FLOAT, _TEXT, st.booleans())
_GRID = st.lists(st.lists(_VALUE, max_size=6), max_size=8)


def _typed(rows: list[list[Any]]) -> list[list[tuple[str, Any]]]:
    def kind(v: Any) -> tuple[str, Any]:
        if isinstance(v, bool):
            return ("bool", v)
        if isinstance(v, (int, float)):
            return ("number", v)
        return (type(v).__name__, v)

    return [[kind(v) for v in row] for row in rows]


@pytest.mark.parametrize(
    "options", [{}, {"constant_memory": True}], ids=["shared-strings", "constant-memory"]
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=_GRID)
def test_random_grids_round_trip(options: dict[str, Any], grid: list[list[Any]]) -> None:
    """Random grids written by xlsxwriter read back equal to the input, to openpyxl, and on both paths."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "r.xlsx"
        wb = xlsxwriter.Workbook(str(path), options)
        ws = wb.add_worksheet("S")
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
        wb.close()
        got = values(path)
        assert _typed(got) == _typed(trimmed(grid))
        assert _typed(got) == _typed(oracle(path))
        assert values(with_comment(path, Path(d) / "g.xlsx")) == got


# =========================================================================== bugs found by these tests, since fixed


@pytest.mark.parametrize("case", ["unprefixed-root", "prefixed-root-far-from-sheetData"])
def test_bug_prefixed_cells_are_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """Prefixed cells (<x:c>) are read whether or not the root's prefix is seen near <sheetData>."""
    if case == "unprefixed-root":
        xml = (
            f'<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}"><sheetData><row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
            '<c r="B1"><v>2</v></c></row></sheetData></worksheet>'
        )
        expected = [[1, 2]]
    else:  # the root is in an earlier block than <sheetData> (more than 4 KiB before it)
        cols = "".join(
            f'<x:col min="{i}" max="{i}" width="9.5" customWidth="1"/>' for i in range(1, 120)
        )
        xml = sheet_xml(
            '<x:row r="1"><x:c r="A1"><x:v>7</x:v></x:c></x:row>',
            prefix="x",
            before=f"<x:cols>{cols}</x:cols>",
        )
        monkeypatch.setattr(xlsx, "BLOCK", 64)
        expected = [[7]]
    path = package(tmp_path / "p.xlsx", xml)
    assert oracle(path) == expected
    assert values(path) == expected


def test_bug_end_tag_with_whitespace_swallows_next_cell(tmp_path: Path) -> None:
    """`</c >` ends a cell like `</c>`."""
    path = package(
        tmp_path / "e.xlsx",
        sheet_xml('<row r="1"><c r="A1"><v>1</v></c ><c r="B1"><v>2</v></c></row>'),
    )
    assert oracle(path) == [[1, 2]]
    assert values(path) == [[1, 2]]


def test_bug_lowercase_cell_reference_is_dropped(tmp_path: Path) -> None:
    """A lower-case cell reference reads as on the general path and in openpyxl."""
    path = package(
        tmp_path / "l.xlsx",
        sheet_xml('<row r="1"><c r="a1"><v>1</v></c><c r="B1"><v>2</v></c></row>'),
    )
    assert values(with_comment(path, tmp_path / "g.xlsx")) == oracle(path) == [[1, 2]]
    assert values(path) == [[1, 2]]


def test_bug_sheetdata_inside_a_comment_empties_the_sheet(tmp_path: Path) -> None:
    """A comment before sheetData that mentions <sheetData/> changes nothing."""
    xml = (
        f'<worksheet xmlns="{MAIN}"><!-- <sheetData/> --><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    path = package(tmp_path / "c.xlsx", xml)
    assert oracle(path) == [[1]]
    assert values(path) == [[1]]


@pytest.mark.parametrize("where", ["inline", "shared"])
def test_bug_carriage_returns_are_not_normalised(tmp_path: Path, where: str) -> None:
    """Text holding a literal CR LF reads as openpyxl reads it ("a\\nb"), on both paths."""
    if where == "inline":
        wb = openpyxl.Workbook()
        wb.active["A1"] = "a\r\nb"  # openpyxl writes the CR as is, in an inline string
        path = tmp_path / "cr.xlsx"
        wb.save(path)
        assert b"a\r\nb" in part_bytes(path)
    else:
        path = package(
            tmp_path / "cr.xlsx",
            sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
            "<si><t>a\r\nb</t></si>",
        )
    assert oracle(path) == [["a\nb"]]
    assert values(path) == [["a\nb"]]


def test_bug_blank_percent_cells_differ_between_paths(tmp_path: Path) -> None:
    """Blank cells with a percentage format are not in `percent`, on both paths and in every
    written form (only a number with a percentage format counts)."""
    xml = sheet_xml(
        '<row r="1"><c r="A1" s="1"/><c r="B1" s="1"></c><c r="C1" s="1"><v></v></c>'
        '<c r="D1"><v>1</v></c><c r="E1" s="1"><v>0.5</v></c></row>'
    )
    path = package(tmp_path / "b.xlsx", xml)
    general = with_comment(path, tmp_path / "g.xlsx")
    assert percents(general) == {0: frozenset({4})}
    assert percents(path) == percents(general)


@pytest.mark.parametrize(
    "cell",
    ['<c r="A300000" s="4"/>', '<c r="B300000"><v>1</v></c>'],
    ids=["blank-styled", "skipped"],
)
def test_bug_too_many_rows_missed_for_cells_not_decoded(tmp_path: Path, cell: str) -> None:
    """Only a value that is read counts against max_rows, on both paths alike: a blank cell or
    a skipped column's cell past the bound is passed over (nothing is kept for it)."""
    path = package(
        tmp_path / "t.xlsx",
        sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c></row><row r="300000">{cell}</row>'),
    )
    general = with_comment(path, tmp_path / "g.xlsx")
    for p in (path, general):
        assert [c.values for c in cells(p, max_rows=200_000, skip=frozenset({1}))] == [[1]]


def test_a_value_past_max_rows_is_refused_on_both_paths(tmp_path: Path) -> None:
    """A value in a column that is read, past max_rows, raises TooManyRows on both paths."""
    path = package(
        tmp_path / "t.xlsx",
        sheet_xml(
            '<row r="1"><c r="A1"><v>1</v></c></row>'
            '<row r="300000"><c r="C300000"><v>1</v></c></row>'
        ),
    )
    for p in (path, with_comment(path, tmp_path / "g.xlsx")):
        with pytest.raises(TooManyRows):
            cells(p, max_rows=200_000, skip=frozenset({1}))


def test_bug_datetimes_are_off_by_a_microsecond(tmp_path: Path) -> None:
    """Whole-second datetimes written by xlsxwriter read back exactly, as openpyxl reads them."""
    stamps = [
        dt.datetime(2033, 9, 18, 2, 32, 29),
        dt.datetime(2026, 7, 11, 18, 0, 38),
        dt.datetime(2018, 2, 14, 16, 21, 53),
    ]
    wb = xlsxwriter.Workbook(str(tmp_path / "d.xlsx"))
    ws = wb.add_worksheet("S")
    fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for r, stamp in enumerate(stamps):
        ws.write_datetime(r, 0, stamp, fmt)
    wb.close()
    path = tmp_path / "d.xlsx"
    assert oracle(path) == [[s] for s in stamps]
    assert values(path) == [[s] for s in stamps]


def test_bug_empty_formula_differs_between_paths(tmp_path: Path) -> None:
    """An empty <f></f> reads "=" on both paths (as in openpyxl); a shared formula's
    dependent cell reads "=…" on both."""
    path = package(
        tmp_path / "f.xlsx",
        sheet_xml(
            '<row r="1"><c r="A1"><f></f><v>1</v></c>'
            '<c r="B1"><f t="shared" si="0"/><v>2</v></c></row>'
        ),
    )
    assert values(path)[0][0] == oracle(path)[0][0] == "="
    assert values(path) == values(with_comment(path, tmp_path / "g.xlsx")) == [["=", "=…"]]


def test_bug_empty_str_value_differs_between_paths(tmp_path: Path) -> None:
    """An empty t="str" value reads None, as on the general path and in openpyxl."""
    path = package(
        tmp_path / "s.xlsx",
        sheet_xml('<row r="1"><c r="A1" t="str"><v></v></c><c r="B1"><v>1</v></c></row>'),
    )
    assert values(with_comment(path, tmp_path / "g.xlsx")) == oracle(path) == [[None, 1]]
    assert values(path) == [[None, 1]]


def test_bug_x005f_escape_is_kept(tmp_path: Path) -> None:
    """The string "_x0041_" written by xlsxwriter reads back as typed, as in openpyxl."""
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    wb.add_worksheet("S").write_string(0, 0, "_x0041_")
    wb.close()
    path = tmp_path / "x.xlsx"
    assert oracle(path) == [["_x0041_"]]
    assert values(path) == [["_x0041_"]]


# =========================================================================== found in review, since fixed


def test_a_cell_without_s_takes_style_zero(tmp_path: Path) -> None:
    """A cell with no `s` has style 0 (Excel leaves `s="0"` out): when xf 0 is a
    percentage, its number is flagged on both paths, as openpyxl formats it."""
    path = package(
        tmp_path / "x.xlsx",
        sheet_xml(
            '<row r="1"><c r="A1"><v>0.85</v></c><c r="B1" s="0"><v>1</v></c>'
            '<c r="C1" s="01"><v>2</v></c></row>'
        ),
    )
    path = rewrite_part(
        path,
        tmp_path / "x0.xlsx",
        lambda b: b.replace(
            b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
            b'<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0"/>',
            1,
        ),
        part="xl/styles.xml",
    )
    assert openpyxl.load_workbook(path)["S"]["A1"].number_format == "0%"
    for p in (path, with_comment(path, tmp_path / "g.xlsx")):
        assert values(p) == [[0.85, 1, 2]]
        assert percents(p) == {0: frozenset({0, 1, 2})}


@pytest.mark.parametrize("where", ["before sheetData", "inside a row"])
def test_processing_instructions_are_not_read_as_cells(tmp_path: Path, where: str) -> None:
    """Text inside a processing instruction is not data, whatever it looks like."""
    fake = '<?x <sheetData><row r="1"><c r="A1"><v>999</v></c></row></sheetData>?>'
    if where == "before sheetData":
        xml = sheet_xml(
            '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>', before=fake
        )
    else:
        xml = sheet_xml('<row r="1"><c r="A1"><v>1</v></c><?x <c r="B1"><v>999</v></c>?></row>')
    path = package(tmp_path / "pi.xlsx", xml)
    expected = oracle(path)
    assert 999 not in [v for row in expected for v in row]
    assert values(path) == expected


def test_a_processing_instruction_in_shared_strings_shifts_nothing(tmp_path: Path) -> None:
    """A processing instruction among the shared strings is not a string item."""
    path = package(
        tmp_path / "ss.xlsx",
        sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'),
        "<?x <si><t>FAKE</t></si>?><si><t>real0</t></si><si><t>real1</t></si>",
    )
    assert values(path) == oracle(path) == [["real0", "real1"]]


@pytest.mark.parametrize(
    "cell",
    ['<c r="&#66;1"><v>7</v></c>', '<x:c\nr="B1"><x:v>7</x:v></x:c\n>'],
    ids=["reference-with-a-character-reference", "prefixed-with-newline"],
)
def test_cells_the_pattern_cannot_take_go_to_the_general_path(tmp_path: Path, cell: str) -> None:
    """A cell whose start the fast pattern cannot read is never dropped: the block is read
    by the general path."""
    xml = sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c>{cell}</row>').replace(
        f'xmlns="{MAIN}"', f'xmlns="{MAIN}" xmlns:x="{MAIN}"'
    )
    path = package(tmp_path / "r.xlsx", xml)
    assert values(path) == oracle(path) == [[1, 7]]


def test_an_encoding_other_than_utf8_is_honoured(tmp_path: Path) -> None:
    """A part declaring ISO-8859-1 is decoded as declared (by the general path)."""
    xml = (
        f'<?xml version="1.0" encoding="ISO-8859-1"?><worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>caf\xc3\xa9</t></is></c></row></sheetData></worksheet>'
    ).encode("latin-1")
    path = package(tmp_path / "enc.xlsx", xml)
    assert values(path) == oracle(path) == [["caf\u00c3\u00a9"]]


def test_deeply_nested_string_items_do_not_crash(tmp_path: Path) -> None:
    """Thousands of nested elements in a string item read (iteratively), no RecursionError."""
    nested = "<x>" * 3000 + "</x>" * 3000
    path = package(
        tmp_path / "deep.xlsx",
        sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
        f"<!-- c --><si><t>a</t>{nested}<t>b</t></si>",
    )
    assert values(path) == [["ab"]]


def test_a_huge_cell_is_refused_quickly(tmp_path: Path) -> None:
    """One cell's XML past MAX_CELL is refused as damaged, in time linear in its size (the
    carried tail is not rescanned block after block)."""
    runs = "".join(
        f"<r><t>{i % 10}</t></r>" for i in range(600_000)
    )  # ~9 MB of rich text in one cell
    path = package(
        tmp_path / "huge.xlsx",
        sheet_xml(f'<row r="1"><c r="A1" t="inlineStr"><is>{runs}</is></c></row>'),
    )
    with pytest.raises(SheetError):
        cells(path)


def test_the_background_check_reads_the_bytes_that_were_read(tmp_path: Path) -> None:
    """If the file is replaced between reading and the background check, the check still
    judges the copy that was read (a good replacement does not hide a damaged original)."""
    bad = package(
        tmp_path / "bad.xlsx", sheet_xml('<row r="1"><c r="A1"><v>999</v></c><oops></row>')
    )
    good = package(tmp_path / "good.xlsx", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
    target = tmp_path / "book.xlsx"
    target.write_bytes(bad.read_bytes())
    with XlsxReader(target) as r:
        r.check_in_background(["S"])
        assert [c.values for c in r.rows("S", max_rows=BIG, max_columns=64)] == [[999]]
        tmp = tmp_path / "swap.xlsx"
        tmp.write_bytes(good.read_bytes())
        os.replace(tmp, target)  # as a sync client or a save would
        with pytest.raises(SheetError):
            r.finish_checks()


# =========================================================================== issue 12: escapes, formats


def styled(path: Path, out: Path, code: str) -> Path:
    """`path` with custom format 165 (style 3) replaced by `code` (XML-escaped here)."""
    quoted = code.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return rewrite_part(
        path,
        out,
        lambda b: b.replace(b'formatCode="0.0%"', f'formatCode="{quoted}"'.encode()),
        part="xl/styles.xml",
    )


def test_surrogate_pair_escape_is_one_character_and_a_lone_half_is_replaced(
    tmp_path: Path,
) -> None:
    """`_xD801__xDC05_` is U+10405 (as Excel writes it); a lone half, which no text can hold,
    reads as U+FFFD and is counted, on both paths and in shared and inline strings."""
    shared = "<si><t>a_xD801__xDC05_b</t></si><si><t>c_xD801_d</t></si><si><t>_xDC05_</t></si>"
    xml = sheet_xml(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c>'
        '<c r="D1" t="inlineStr"><is><t>e_xDBFF__xDFFF_f_xD800_</t></is></c></row>'
    )
    path = package(tmp_path / "x.xlsx", xml, shared)
    # shared strings with a processing instruction are read by the general path too
    odd = package(tmp_path / "o.xlsx", xml, "<?x y?>" + shared)
    expected = [["a\U00010405b", "c\ufffdd", "\ufffd", "e\U0010ffff" + "f\ufffd"]]
    for p in (path, with_comment(path, tmp_path / "g.xlsx"), odd):
        with XlsxReader(p) as reader:
            got = trimmed(
                c.values for c in reader.rows("S", max_rows=BIG, max_columns=64, skip=frozenset())
            )
            assert got == expected
            assert reader.lone_surrogates == 3  # two in shared strings, one inline
        for text in got[0]:
            text.encode("utf-8")  # never a UnicodeEncodeError downstream


def test_well_formed_escapes_count_no_lone_halves(tmp_path: Path) -> None:
    path = package(
        tmp_path / "x.xlsx",
        sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
        "<si><t>_x000D_ _x005F_xD801_</t></si>",
    )
    with XlsxReader(path) as reader:
        assert trimmed(c.values for c in reader.rows("S", max_rows=BIG, max_columns=64)) == [
            ["\r _xD801_"]
        ]
        assert reader.lone_surrogates == 0


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        ("[=0]?;0%", {0, 1}),  # only zero shows "?": 0.85 and -0.5 show as percentages
        ("0%;[Red]-0%", {0, 1}),
        ("0;-0%", {1}),  # positives plain, negatives as percentages
        ("0;-0;0%", set()),  # only zero (not in this row) as a percentage
        ('0"%"', set()),  # a quoted % is text: the number is not scaled
        ("0\\%", set()),  # an escaped % likewise
        ("0_%", set()),  # a space the width of %
        ("0*%", set()),  # a fill with %
        ('"a;b%"0;0%', {1}),  # a quoted ";" does not end a section
        ("[>1]0%;0", set()),  # 0.85 and -0.5 are not above 1
        ("[<1]0%;0", {0, 1}),
        ("#,##0;△#,##0", set()),
    ],
)
def test_percent_comes_from_the_section_a_number_is_shown_with(
    tmp_path: Path, code: str, flagged: set[int]
) -> None:
    xml = sheet_xml(
        '<row r="1"><c r="A1" s="3"><v>0.85</v></c><c r="B1" s="3"><v>-0.5</v></c></row>'
    )
    path = styled(package(tmp_path / "p.xlsx", xml), tmp_path / "q.xlsx", code)
    for p in (path, with_comment(path, tmp_path / "g.xlsx")):
        assert values(p) == [[0.85, -0.5]]
        assert percents(p) == ({0: frozenset(flagged)} if flagged else {})


def test_a_date_section_gives_a_date_only_for_numbers_shown_with_it(tmp_path: Path) -> None:
    xml = sheet_xml(
        '<row r="1"><c r="A1" s="3"><v>45366.5</v></c><c r="B1" s="3"><v>-3</v></c></row>'
    )
    path = styled(package(tmp_path / "p.xlsx", xml), tmp_path / "q.xlsx", "yyyy-mm-dd;-0")
    for p in (path, with_comment(path, tmp_path / "g.xlsx")):
        assert values(p) == [[DATE + dt.timedelta(hours=12), -3]]


# --------------------------------------------------------------------------- merged ranges

MERGES = '<mergeCells count="3"><mergeCell ref="A2:A4"/><mergeCell ref="B1:C1"/><mergeCell ref="D7"/></mergeCells>'


@pytest.mark.parametrize("prefix", ["", "x"], ids=["fast path", "general path"])
def test_merged_ranges_are_read_after_the_rows(tmp_path: Path, prefix: str) -> None:
    """The <mergeCells> that follow sheetData come back as zero-based (row, col, row, col),
    once a pass over the rows has reached the end of the part (None before)."""
    p = f"{prefix}:" if prefix else ""
    data = f'<{p}row r="1"><{p}c r="A1"><{p}v>1</{p}v></{p}c></{p}row>'
    xml = sheet_xml(data, prefix=prefix).replace(
        f"</{p}worksheet>",
        MERGES.replace("<", f"<{p}").replace(f"<{p}/", f"</{p}") + f"</{p}worksheet>",
    )
    path = package(tmp_path / "m.xlsx", xml)
    with xlsx.XlsxReader(path) as reader:
        assert reader.merged_cells("S") is None
        list(reader.rows("S", max_rows=10, max_columns=10))
        assert reader.merged_cells("S") == [(1, 0, 3, 0), (0, 1, 0, 2), (6, 3, 6, 3)]


def test_merged_ranges_of_a_built_workbook_equal_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    for r in range(0, 3000, 3):
        ws.merge_range(r, 0, r + 2, 0, f"사업 {r}")
        ws.write_number(r, 1, r)
    wb.close()
    with xlsx.XlsxReader(path) as reader:
        list(reader.rows("S", max_rows=10_000, max_columns=10))
        got = sorted(reader.merged_cells("S") or [])
    ws2 = openpyxl.load_workbook(path)["S"]
    expected = sorted(
        (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
        for m in ws2.merged_cells.ranges
    )
    assert got == expected and len(got) == 1000


def test_too_many_merged_ranges_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MAX_MERGES", 2)
    xml = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        "</worksheet>", MERGES + "</worksheet>"
    )
    path = package(tmp_path / "m.xlsx", xml)
    with xlsx.XlsxReader(path) as reader, pytest.raises(xlsx.TooManyMerges):
        list(reader.rows("S", max_rows=10, max_columns=10))


def test_lone_halves_are_counted_per_sheet_read(tmp_path: Path) -> None:
    """A lone half in a shared string counts for the sheet whose cell uses it; one in a
    string no cell read uses counts only in the total."""
    shared = "<si><t>a_xD801_b</t></si><si><t>ok_xD801__xDC05_</t></si><si><t>_xDC05_</t></si>"
    data = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    path = package(tmp_path / "s.xlsx", sheet_xml(data), shared=shared)
    with xlsx.XlsxReader(path) as reader:
        assert reader.lone_surrogates == 2 and reader.lone_surrogates_in("S") == 0
        rows = list(reader.rows("S", max_rows=10, max_columns=2))  # C1 not read
        assert rows[0].values == ["a\ufffdb", "ok\U00010405"]
        assert reader.lone_surrogates_in("S") == 1
