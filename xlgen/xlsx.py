"""A small streaming reader for the cell values of .xlsx worksheets (SpreadsheetML).

`xlgen import` reads two sheets of workbooks that can hold hundreds of thousands of rows.
A general reader (openpyxl) builds an object per XML element and per cell, which made the
import of a 100,000-indicator workbook take over a minute and half a gigabyte. This reader
does only what the import needs: values of one sheet's rows, in order, as plain Python
values, with a cell's formula shown as "=…" text (never its cached result), dates as
`datetime`, and which cells carry a percentage number format.

How: the sheet part is inflated in 1 MB blocks cut at cell ends. In each block one compiled
pattern finds the cells written in the form Excel, LibreOffice, openpyxl and xlsxwriter use
(`<c r="B7" s="3" t="s">`: reference first, double quotes, no prefix), so the per-element
work happens in C, and skips the columns the caller does not want without decoding them.
A part or block holding anything else (a namespace prefix, other attribute order or
quoting, cells without references, an XML comment, CDATA) is read by a general
ElementTree path that gives the same rows (tests/test_xlsx_reader.py holds both paths to
openpyxl's values). Every part read is also checked to be well-formed XML by expat with
no handlers, in a second process while the cells are read when the caller asks for it.

Parts declaring a DTD are refused before this reader runs (`importer.check_container`);
the patterns expand no entities but XML's five and character references.
"""

from __future__ import annotations

import os
import pyexpat
import re
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Generator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, cast
from xml.etree import ElementTree

__all__ = ["CellData", "Merge", "SheetError", "TooManyMerges", "XlsxReader"]

SHARED_FORMULA = "…"  # the text of a formula shared from another cell (its own text is there)
MAX_CELL = 4 << 20  # one cell's XML (Excel holds 32,767 characters in a cell)
MAX_PART = 128 << 20  # a part read whole (shared strings of 100,000 rows: ~20 MB)
# Merged ranges kept per sheet: xlgen's own input sheet has at most three per project of
# two rows or more (150,000 for 100,000 two-row projects) and the title rows'.
MAX_MERGES = 400_000
BLOCK = 1 << 20  # inflated bytes handled at a time: memory stays flat whatever the sheet's size

_NS = rb"(?:[A-Za-z_][\w.\-]*:)?"  # an optional namespace prefix
# Cells in the form Excel, LibreOffice, openpyxl and xlsxwriter write: `<c r="B7" s="3"
# t="s">` (r first, double quotes, no prefix; any further attributes captured), holding a
# number, an inline string, a formula, or anything else (left to the general value rules);
# empty cells (`<c r="B7" s="3"/>`) hold nothing to read and are passed over.
# A negative look-ahead skips the columns the caller does not want without decoding them.
_CANONICAL = (
    rb'<c r="{skip}([A-Za-z]{{1,3}})([0-9]+)"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?'
    rb"((?:\s+[^\s=>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*"
    rb"(?:>(?:(<v>)([^<]*)</v>|(<is>)<t(?: xml:space=\"preserve\")?>([^<]*)</t></is>"
    rb"|(<f>)([^<]*)</f>(?:<v>[^<]*</v>|<v/>)?|(.*?))</c\s*>)"
)
_PATTERNS: dict[frozenset[int], re.Pattern[bytes]] = {}


def _pattern(skip: frozenset[int]) -> re.Pattern[bytes]:
    pattern = _PATTERNS.get(skip)
    if pattern is None:
        letters = b"|".join(_letters(c) for c in sorted(skip))
        look = b"(?!(?i:" + letters + b")[0-9])" if letters else b""
        pattern = _PATTERNS[skip] = re.compile(
            _CANONICAL.replace(b"{skip}", look).replace(b"{{", b"{").replace(b"}}", b"}"), re.S
        )
    return pattern


def _letters(col: int) -> bytes:
    out = b""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = bytes([65 + rem]) + out
    return out


_ATTR = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"([A-Za-z]{1,3})(\d*)$")
_V = re.compile(rb"<" + _NS + rb"v(?:\s[^>]*)?>(.*?)</" + _NS + rb"v\s*>", re.S)
_F = re.compile(rb"<" + _NS + rb"f(?:\s[^>]*?)?(?:/>|>(.*?)</" + _NS + rb"f\s*>)", re.S)
_T = re.compile(rb"<" + _NS + rb"t(?:\s[^>]*?)?(?:/>|>(.*?)</" + _NS + rb"t\s*>)", re.S)
_RPH = re.compile(rb"<" + _NS + rb"rPh[\s>].*?</" + _NS + rb"rPh\s*>", re.S)
_SI = re.compile(rb"<" + _NS + rb"si(?:\s[^>]*?)?(?:/>|>(.*?)</" + _NS + rb"si\s*>)", re.S)
_SHEETDATA = re.compile(rb"<" + _NS + rb"sheetData(?:\s[^>]*?)?(/?)>")
_SHEETDATA_END = re.compile(rb"</" + _NS + rb"sheetData\s*>")
_MERGE_CELL = re.compile(
    rb"<" + _NS + rb"mergeCell\s[^<>]*?\bref\s*=\s*[\"']\s*"
    rb"([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?\s*[\"']"
)
_ENTITY = re.compile(rb"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"', b"apos": "'"}
_COLUMNS: dict[bytes, int] = {}

# Number formats (ECMA-376 §18.8.30): built-in percentages and dates, by id.
_BUILTIN_PERCENT = {9, 10}
_BUILTIN_DATE = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))


Kind = Any  # a style's number kind: "percent", "date", None, or a `_Sections` to ask per value


class SheetError(Exception):
    """The sheet cannot be read (damaged or not SpreadsheetML). Carries no user text:
    callers name the file and sheet."""


class TooManyMerges(SheetError):
    """More merged ranges than MAX_MERGES in one sheet."""


Merge = tuple[int, int, int, int]  # (first row, first column, last row, last column), 0-based


class CellData(NamedTuple):
    """What one row holds: values by column index (0-based; None where empty), and the
    columns whose cells hold a number with a percentage format."""

    index: int  # type: ignore[assignment]  # 0-based row index (row 1 → 0); hides tuple.index
    values: list[Any]
    percent: frozenset[int]


def _column(letters: bytes) -> int:
    col = _COLUMNS.get(letters)
    if col is None:
        col = 0
        for ch in letters.upper():
            col = col * 26 + ch - 64
        col -= 1
        _COLUMNS[letters] = col
    return col


def _text(raw: bytes) -> str:
    """Character data as an XML parser gives it: line ends normalised (XML 1.0 §2.11),
    then the five entities and character references replaced."""
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"&" in raw:
        parts = _ENTITY.split(raw)
        # split() with one group alternates text and entity names
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                out.append(_entity_name(part))
            else:
                out.append(part.decode("utf-8"))
        return "".join(out)
    return raw.decode("utf-8")


def _entity_name(name: bytes) -> str:
    if name[:1] == b"#":
        code = int(name[2:], 16) if name[1:2] in (b"x", b"X") else int(name[1:])
        try:
            return chr(code)
        except (ValueError, OverflowError):
            raise SheetError("bad character reference") from None
    return _ENTITIES[name]


def _runs(inner: bytes, lone: list[str] | None = None) -> str:
    """The text of a string item (<is> or <si>): its <t> runs, phonetic runs left out."""
    if b"rPh" in inner:
        inner = _RPH.sub(b"", inner)
    return _unescape("".join(_text(m) for m in _T.findall(inner)), lone)


# A high and a low surrogate escaped one after the other are one character outside the BMP
# (Excel writes U+10405 as `_xD801__xDC05_`); any other escape is one UTF-16 code unit.
_XSTRING = re.compile(
    "_x([dD][89abAB][0-9A-Fa-f]{2})__x([dD][c-fC-F][0-9A-Fa-f]{2})_|_x([0-9A-Fa-f]{4})_"
)
REPLACEMENT = "\ufffd"


def _unescape(text: str, lone: list[str] | None = None) -> str:
    """A string item's `_xHHHH_` escapes (ECMA-376 ST_Xstring): `_x000D_` is a carriage
    return, `_x005F_` a literal underscore, as Excel reads them. A surrogate pair becomes
    its character; a lone surrogate half (no character at all) becomes U+FFFD, and its
    escape is appended to `lone` so that the caller can say so."""
    if "_x" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        single = m.group(3)
        if single is None:
            high, low = int(m.group(1), 16), int(m.group(2), 16)
            return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        code = int(single, 16)
        if 0xD800 <= code <= 0xDFFF:
            if lone is not None:
                lone.append(m.group(0))
            return REPLACEMENT
        return chr(code)

    return _XSTRING.sub(one, text)


def _number(raw: bytes) -> int | float:
    """A <v> number as openpyxl reads it: int unless it has a point or an exponent."""
    if b"_" in raw:
        raise SheetError("number")
    try:
        if b"." in raw or b"e" in raw or b"E" in raw:
            return float(raw)
        return int(raw)
    except ValueError:
        try:
            return float(raw)  # "NaN", "INF": kept, refused later as not a number
        except ValueError:
            raise SheetError("number") from None


# A number format code's tokens (ECMA-376 §18.8.31): a quoted literal, an escaped character,
# a bracketed colour / condition / locale / elapsed-time part, a space the width of the next
# character (`_x`), a fill (`*x`), a section separator, or format characters. A "%" inside a
# literal, an escape, a space or a fill is shown as text and does not scale the number.
_FORMAT_TOKEN = re.compile(r'"[^"]*"?|\\.?|\[[^\]]*\]?|[_*].?|;|[^"\\\[_*;]+', re.S)
_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\]")
_DATE_CHARS = re.compile(r"[dmyhsDMYHS]")


def _sections(code: str) -> list[tuple[tuple[str, float] | None, str | None]]:
    """The sections of a format code, each as (condition or None, kind), text sections (those
    showing "@") left out."""
    out: list[tuple[tuple[str, float] | None, str | None]] = []
    plain: list[str] = []
    condition: tuple[str, float] | None = None
    text = False
    for token in [*_FORMAT_TOKEN.findall(code), ";"]:
        if token == ";":
            joined = "".join(plain)
            if not text:
                if "%" in joined:
                    kind: str | None = "percent"
                elif _DATE_CHARS.search(joined) and joined.strip().lower() != "general":
                    kind = "date"
                else:
                    kind = None
                out.append((condition, kind))
            plain, condition, text = [], None, False
        elif token[0] == "[":
            m = _CONDITION.fullmatch(token)
            if m is not None:
                try:
                    condition = (m.group(1), float(m.group(2)))
                except ValueError:
                    condition = None
        elif token[0] not in '"\\_*':
            plain.append(token)
            text = text or "@" in token
    return out


def _classify(code: str) -> str | _Sections | None:
    """'percent', 'date' or None for a number format code whose number sections agree; a
    `_Sections` (asked per value) where the section a number is shown with decides."""
    sections = _sections(code)[:3]
    kinds = {kind for _, kind in sections}
    if len(kinds) <= 1:
        return kinds.pop() if kinds else None
    return _Sections(sections)


class _Sections:
    """A number format whose sections differ in kind (`[=0]?;0%`, `0;-0%`): the kind of a
    number is that of the section Excel shows it with."""

    __slots__ = ("conditional", "sections")

    def __init__(self, sections: list[tuple[tuple[str, float] | None, str | None]]):
        self.sections = sections
        self.conditional = any(cond is not None for cond, _ in sections)

    def kind_for(self, value: Any) -> str | None:
        sections = self.sections
        if not isinstance(value, (int, float)) or value != value:
            return sections[0][1]
        if not self.conditional:
            # Without conditions: one section for all; two: ≥0 and <0; three: >0, <0, =0.
            if len(sections) == 1 or (value >= 0 and len(sections) == 2) or value > 0:
                return sections[0][1]
            if value < 0:
                return sections[1][1]
            return sections[2][1]
        # With conditions: the first section whose condition holds; a section without a
        # condition takes every number that reaches it.
        for cond, kind in sections:
            if cond is None or _holds(cond, value):
                return kind
        return sections[-1][1]


def _holds(cond: tuple[str, float], value: float) -> bool:
    op, limit = cond
    if op == "<":
        return value < limit
    if op == ">":
        return value > limit
    if op == "=":
        return value == limit
    if op == "<=":
        return value <= limit
    if op == ">=":
        return value >= limit
    return value != limit


BACKGROUND_CHECK_BYTES = 4 * 1024 * 1024
"""Below this many uncompressed bytes of sheet XML the well-formedness check runs in this
process: starting a second interpreter costs more (0.1-0.5 s) than checking a few hundred
kilobytes, and a round imports dozens of such files at once."""


class XlsxReader:
    """Sheets of one .xlsx package, read row by row. Use as a context manager."""

    def __init__(self, path: Any):
        self._path = path
        self._checker: subprocess.Popen[bytes] | None = None
        self._background: set[str] = set()
        self._pending: list[str] = []
        self._zip = zipfile.ZipFile(path)
        try:
            self._names = set(self._zip.namelist())
            self._sheets, self.date1904 = self._workbook()
            self._kinds = self._styles()
            self._shared: list[str] | None = None
            self._lone: list[str] = []  # escapes of lone surrogate halves, read as U+FFFD
            self._merges: dict[str, list[Merge]] = {}  # part → its merged ranges, once read
            self._lone_shared: set[int] = set()  # shared strings holding a lone half
            self._lone_read: dict[str, int] = {}  # sheet → lone halves in the values read
            self._reading = ""  # the sheet whose rows are being read
            self._shared_strings()  # a damaged package is refused even where no cell uses it
        except SheetError:
            self._zip.close()
            raise
        except (
            ElementTree.ParseError,
            KeyError,
            ValueError,
            zipfile.BadZipFile,
            OSError,
            EOFError,
            zlib.error,
        ):
            self._zip.close()
            raise SheetError("workbook") from None

    # ----------------------------------------------------------------- well-formedness

    def check_in_background(self, sheets: list[str], *, min_bytes: int = 0) -> None:
        """Check that these sheets' parts are well-formed XML in a second process, while
        this one reads their cells (on a machine with two cores or more this hides the
        check's cost: it is a third of the reading). `finish_checks()` collects the verdict.
        Where no second process can be started, or the parts hold fewer than `min_bytes`
        (uncompressed; see BACKGROUND_CHECK_BYTES), the check runs here, at the end."""
        parts = [self._sheets[s] for s in sheets if self._sheets.get(s) in self._names]
        self._background = set(parts)
        self._pending = parts
        size = sum(self._zip.getinfo(part).file_size for part in parts)
        if size < min_bytes:
            return  # cheaper to check here than to start an interpreter (a department's file)
        if (
            not sys.executable
            or getattr(sys, "frozen", False)
            or not isinstance(self._path, (str, os.PathLike))
        ):
            return  # no interpreter to start (embedded or frozen): finish_checks() checks here
        # Each part goes with its size and CRC as this reader saw them: the second process
        # checks exactly these bytes, or says the file changed (then the check runs here).
        claims = [
            f"{part}\t{self._zip.getinfo(part).file_size}\t{self._zip.getinfo(part).CRC}"
            for part in parts
        ]
        package = str(Path(__file__).resolve().parent.parent)
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(filter(None, [package, os.environ.get("PYTHONPATH")])),
        )
        try:
            self._checker = subprocess.Popen(
                # -P: the working folder is not put on sys.path (no stray xlgen/ shadows this one)
                [
                    sys.executable,
                    "-P",
                    "-c",
                    "from xlgen.xlsx import _check_main; raise SystemExit(_check_main())",
                    os.fspath(self._path),
                    *claims,
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except (OSError, ValueError, TypeError):
            self._checker = None

    def finish_checks(self) -> None:
        """Wait for the background check; raise SheetError(sheet name) for a part that is not
        well-formed."""
        parts, self._pending = self._pending, []
        if not parts:
            return
        verdict = None
        if self._checker is not None:
            out, _ = self._checker.communicate()
            code, self._checker = self._checker.returncode, None
            if code == 0:
                return
            if code == _NOT_WELL_FORMED:
                verdict = out.decode("utf-8", "replace").strip()
        if verdict is None:  # the second process could not do it: check here
            for part in parts:
                if not _well_formed(self._zip, part):
                    verdict = part
                    break
            else:
                return
        sheet = next((name for name, part in self._sheets.items() if part == verdict), verdict)
        raise SheetError(sheet)

    def __enter__(self) -> XlsxReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._checker is not None:
            self._checker.kill()
            self._checker.wait()
            self._checker = None
        self._zip.close()

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def lone_surrogates_in(self, sheet: str) -> int:
        """How many of the values read from `sheet` (its rows read so far) held lone
        surrogate halves, read as U+FFFD: in its inline strings, or the shared strings
        its cells use (a shared string counts once per cell)."""
        return self._lone_read.get(sheet, 0)

    @property
    def lone_surrogates(self) -> int:
        """How many `_xD800_`…`_xDFFF_` escapes read so far stood alone (half a character,
        which no text can hold): each was read as U+FFFD. The caller warns when not 0."""
        return len(self._lone)

    def merged_cells(self, sheet: str) -> list[Merge] | None:
        """The sheet's merged ranges (`<mergeCells>`, which follow the cells in the part),
        as read by the last `rows()` pass that reached the end of the part; None before.
        Raises nothing: a pass that found more than MAX_MERGES raised TooManyMerges."""
        return self._merges.get(self._sheets.get(sheet, ""))

    # ----------------------------------------------------------------- package parts

    def _xml(self, name: str) -> ElementTree.Element:
        return ElementTree.fromstring(self._read_part(name))

    def _read_part(self, name: str) -> bytes:
        """A part read whole (the workbook, its relations, styles, shared strings), in
        blocks so that inflating never holds more than a block beyond the part itself,
        and refused past MAX_PART bytes whatever its zip header claims."""
        chunks: list[bytes] = []
        total = 0
        with self._zip.open(name) as fh:
            while chunk := fh.read(BLOCK):
                total += len(chunk)
                if total > MAX_PART:
                    raise SheetError(f"{name} too large")
                chunks.append(chunk)
        return b"".join(chunks)

    def _workbook(self) -> tuple[dict[str, str], bool]:
        root = self._xml("xl/workbook.xml")
        rels: dict[str, str] = {}
        rels_name = "xl/_rels/workbook.xml.rels"
        if rels_name in self._names:
            for rel in self._xml(rels_name):
                target = rel.get("Target") or ""
                if rel.get("TargetMode") == "External":
                    continue
                path = target.lstrip("/") if target.startswith("/") else _join("xl", target)
                rels[rel.get("Id") or ""] = path
        sheets: dict[str, str] = {}
        date1904 = False
        for el in root.iter():
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "workbookPr":
                date1904 = (el.get("date1904") or "").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
                name = el.get("name")
                if name is not None and rid in rels:
                    sheets[name] = rels[rid]
        return sheets, date1904

    def _styles(self) -> list[Kind]:
        """Per cell style (xf) index: 'percent', 'date', None, or a `_Sections` to ask."""
        name = "xl/styles.xml"
        if name not in self._names:
            return []
        root = self._xml(name)
        custom: dict[int, Kind] = {}
        kinds: list[Kind] = []
        for el in root:
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "numFmts":
                for fmt in el:
                    try:
                        custom[int(fmt.get("numFmtId") or "")] = _classify(
                            fmt.get("formatCode") or ""
                        )
                    except ValueError:
                        continue
            elif tag == "cellXfs":
                for xf in el:
                    try:
                        fid = int(xf.get("numFmtId") or 0)
                    except ValueError:
                        fid = 0
                    if fid in custom:
                        kinds.append(custom[fid])
                    elif fid in _BUILTIN_PERCENT:
                        kinds.append("percent")
                    elif fid in _BUILTIN_DATE:
                        kinds.append("date")
                    else:
                        kinds.append(None)
        return kinds

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            name = next((n for n in self._names if n.lower() == "xl/sharedstrings.xml"), None)
            if name is not None:
                data = self._read_part(name)
                try:
                    pyexpat.ParserCreate().Parse(data, True)  # well-formed, or refused
                except pyexpat.ExpatError:
                    raise SheetError("sharedStrings not well-formed") from None
                if not _plain_start(data[:4096]) or _odd_markup(data):
                    self._shared = _shared_strings_expat(data, self._lone)
                else:
                    lone = self._lone
                    self._shared = [_runs(inner, lone) for inner in _SI.findall(data)]
                if self._lone:  # which strings hold them (rare: worked out only then)
                    self._lone_shared = _lone_items(data)
        return self._shared

    # ----------------------------------------------------------------- rows

    def rows(
        self, sheet: str, *, max_rows: int, max_columns: int, skip: frozenset[int] = frozenset()
    ) -> Iterator[CellData]:
        """The rows of a sheet in order, every row from the first up to the last holding a
        value read (rows in between given as empty lists).

        Columns at or past `max_columns`, and those in `skip`, are not read. Raises
        SheetError when the part is damaged, and TooManyRows (a SheetError) for a value
        read at a row index of `max_rows` or more (blank cells and cells not read do not
        count)."""
        part = self._sheets[sheet]
        if part not in self._names:
            raise SheetError("missing part")
        given = -1  # the last row index given
        lone_before = len(self._lone)
        self._reading = sheet
        try:
            for row in self._rows_fast(part, max_rows, max_columns, skip):
                given = row.index
                yield row
        except _UseGeneral:  # the rest of the part, after the rows already given
            yield from (
                row
                for row in _rows_expat(self, part, max_rows, max_columns, skip)
                if row.index > given
            )
        finally:
            inline = len(self._lone) - lone_before
            if inline:
                self._lone_read[sheet] = self._lone_read.get(sheet, 0) + inline

    def _value(self, t: bytes, s: int, inner: bytes | None) -> tuple[Any, bool]:
        """A cell's value, and whether it is a number with a percentage format (False for
        an empty cell, whatever its style)."""
        kind = self._kinds[s] if 0 <= s < len(self._kinds) else None
        if not inner or b"<" not in inner:
            return None, False  # empty, or white space only
        f = _F.search(inner) if b"f" in inner else None
        if f is not None:
            return _formula(f.group(1), b"shared" in f.group(0)[: f.group(0).find(b">")]), False
        if t == b"inlineStr":
            return _runs(inner, self._lone), False
        v = _V.search(inner)
        return self._convert(t, kind, None if v is None else v.group(1))

    def _kind_of(self, style: bytes) -> Kind:
        """The kind of a style written oddly ("01", " 1")."""
        index = _style(style.decode("ascii", "replace").strip() or None)
        return self._kinds[index] if 0 <= index < len(self._kinds) else None

    def _convert(self, t: bytes, kind: Kind, raw: bytes | None) -> tuple[Any, bool]:
        """The value of a cell of type `t` whose <v> holds `raw` (None: no <v>)."""
        if raw is None or not raw.strip():
            return None, False
        if t in (b"", b"n"):
            number = _number(raw)
            if isinstance(kind, _Sections):
                kind = kind.kind_for(number)
            if kind == "date":
                return self._date(number), False
            return number, kind == "percent"
        if t == b"s":
            strings = self._shared_strings()
            try:
                index = int(raw)
                text = strings[index]
            except (ValueError, IndexError):
                raise SheetError("shared string index") from None
            if self._lone_shared and index in self._lone_shared:
                self._lone_read[self._reading] = self._lone_read.get(self._reading, 0) + 1
            return text, False
        if t == b"str":
            return _text(raw), False
        if t == b"b":
            return raw.strip() in (b"1", b"true"), False
        if t == b"e":
            return _text(raw), False  # "#DIV/0!" and the like, as text
        if t == b"d":
            try:
                return datetime.fromisoformat(_text(raw).strip().rstrip("Z")), False
            except ValueError:
                return _text(raw), False
        raise SheetError("cell type")

    def _date(self, serial: int | float) -> datetime | int | float:
        base = datetime(1904, 1, 1) if self.date1904 else datetime(1899, 12, 30)
        if not self.date1904 and serial < 60:
            base = datetime(1899, 12, 31)  # before Excel's phantom 1900-02-29
        try:  # to the millisecond, as Excel shows it (and openpyxl reads it)
            return base + timedelta(milliseconds=round(serial * 86_400_000))
        except (OverflowError, ValueError):
            return serial

    def _rows_fast(
        self, part: str, max_rows: int, max_columns: int, skip: frozenset[int]
    ) -> Iterator[CellData]:
        """Cells in the common form, found by one pattern per block. Raises _UseGeneral at a
        part or block holding any other form (a namespace prefix, single quotes, no
        reference, a comment, CDATA, a processing instruction, another encoding).

        The blocks come from `_cell_blocks`; this loop turns each block's cells into rows
        (it is the import's hot path, so it stays one loop: the common number cell is read
        inline, the other cell forms by `_other_value`)."""
        pattern = _pattern(skip)
        style_kind = self._style_kinds()
        columns = _COLUMNS
        empty: frozenset[int] = frozenset()
        row = -1  # the row being filled (0-based)
        row_digits = b""
        emitted = -1  # the last row given
        values: list[Any] = []
        value: Any  # one cell's value: a number, a date, text, a formula
        width = 0  # the widest row so far: each row's list starts that long
        percent: set[int] = set()
        blocks = self._cell_blocks(part)
        try:
            for work in blocks:
                for (
                    letters,
                    digits,
                    style,
                    t,
                    extra,
                    v_mark,
                    v,
                    is_mark,
                    text,
                    f_mark,
                    f,
                    inner,
                ) in pattern.findall(work):
                    col = columns.get(letters)
                    if col is None:
                        col = _column(letters)
                    if col >= max_columns:
                        continue
                    if extra:  # attributes beyond r, s, t (or s after t): read them all
                        style, t = _more_attributes(extra, style, t)
                    is_percent = False
                    if v_mark and not t:  # a number: most cells
                        if not v:
                            continue
                        value = int(v) if v.isdigit() else _number(v)
                        kind = style_kind[style] if style in style_kind else self._kind_of(style)
                        if kind is None:
                            pass
                        elif kind == "percent":
                            is_percent = True
                        elif kind == "date":
                            value = self._date(value)
                        elif (sections := kind.kind_for(value)) == "percent":
                            is_percent = True
                        elif sections == "date":
                            value = self._date(value)
                    else:
                        value, is_percent = self._other_value(
                            style, t, v_mark, v, is_mark, text, f_mark, f, inner
                        )
                        if value is None:
                            continue
                    if digits != row_digits:  # the first value of a new row
                        index = int(digits) - 1
                        if index <= row:
                            raise SheetError("rows out of order")
                        if index >= max_rows:
                            raise TooManyRows(index + 1)
                        if row >= 0:
                            while emitted < row - 1:
                                emitted += 1
                                yield CellData(emitted, [], empty)
                            yield CellData(row, values, frozenset(percent) if percent else empty)
                            emitted = row
                        row, row_digits, percent = index, digits, set()
                        values = [None] * width
                    if is_percent:
                        percent.add(col)
                    if col >= width:
                        values.extend([None] * (col + 1 - width))
                        width = col + 1
                    values[col] = value
        finally:
            blocks.close()  # the part's file closes now, also when a row was refused
        if row >= 0:
            while emitted < row - 1:
                emitted += 1
                yield CellData(emitted, [], empty)
            yield CellData(row, values, frozenset(percent) if percent else empty)

    def _style_kinds(self) -> dict[bytes, Kind]:
        """Style index, as the `s` attribute's bytes → kind; a cell without `s` has style 0."""
        style_kind: dict[bytes, Kind] = {
            str(i).encode(): kind for i, kind in enumerate(self._kinds)
        }
        style_kind[b""] = self._kinds[0] if self._kinds else None
        return style_kind

    def _other_value(
        self,
        style: bytes,
        t: bytes,
        v_mark: bytes,
        v: bytes,
        is_mark: bytes,
        text: bytes,
        f_mark: bytes,
        f: bytes,
        inner: bytes,
    ) -> tuple[Any, bool]:
        """The value of a common-form cell that is not a plain number (the pattern's groups):
        an inline string, a formula, or a typed <v> (shared string, boolean, error, date…);
        None for a cell holding nothing."""
        if is_mark and t == b"inlineStr":
            if b"&" in text or b"\r" in text or b"_x" in text:
                return _unescape(_text(text), self._lone), False
            return text.decode(), False
        if f_mark:
            return _formula(f, False), False
        body = inner
        if v_mark:
            body = b"<v>" + v + b"</v>"
        elif is_mark:
            body = b"<is><t>" + text + b"</t></is>"
        return self._value(t, _style(style.decode() or None), body)

    def _cell_blocks(self, part: str) -> Generator[bytes, None, None]:
        """The sheet part's <sheetData> in pieces that hold whole cells only, each checked
        to be in the common form (_UseGeneral otherwise, and for a part whose start the fast
        path does not take). Every block read is also fed to expat (the part must be
        well-formed XML as a whole, not only where cells were found) and scanned for merged
        ranges, to the end of the part; the merges are kept in ``self._merges[part]``."""
        started = ended = False
        first = True
        carry = b""
        # Expat with no handlers (C only); in the background process when the caller asked.
        checker = pyexpat.ParserCreate() if part not in self._background else _NO_CHECK
        merges = _MergeScan()
        with self._zip.open(part) as fh:
            while not ended:
                block = fh.read(BLOCK)
                try:
                    checker.Parse(block, not block)
                except pyexpat.ExpatError:
                    raise SheetError("not well-formed") from None
                data = carry + block
                if not started:
                    # A prefixed root, an encoding other than UTF-8, or a comment, CDATA or
                    # processing instruction before sheetData: the general path reads it.
                    if first:
                        root = _ROOT_TAG.match(data)
                        if root is None and block and len(data) < MAX_HEAD:
                            carry = data  # the root element's start tag is not complete yet
                            continue
                        first = False
                        if root is None or not _plain_start(data[: root.end()]):
                            raise _UseGeneral
                    m = _SHEETDATA.search(data)
                    if _odd_markup(data if m is None else data[: m.start()]):
                        raise _UseGeneral
                    if m is None:
                        if not block:
                            raise SheetError("no sheetData")
                        carry = data[-4096:]
                        continue
                    started = True
                    if b"xmlns" in m.group(0):  # namespaces declared on sheetData itself
                        raise _UseGeneral
                    data = data[m.end() :]
                    if m.group(1):  # <sheetData/>: an empty sheet
                        ended = True
                        merges.feed(data)
                        continue
                end = _SHEETDATA_END.search(data) if b"sheetData" in data else None
                if end is not None:
                    work, carry, ended = data[: end.start()], b"", True
                    merges.feed(data[end.end() :])
                elif block:
                    # The carried tail holds no cell end: look only where the new block begins.
                    cut = _last_cell_end(data, max(0, len(carry) - 16))
                    if cut <= 0:
                        carry = data
                        if len(carry) > MAX_CELL:
                            raise SheetError("cell too large")
                        continue
                    work, carry = data[:cut], data[cut:]
                else:
                    raise SheetError("sheetData not closed")
                if not _common_form(work):
                    raise _UseGeneral
                yield work
            while block:  # the rest of the part: checked, and its merged ranges read
                block = fh.read(BLOCK)
                try:
                    checker.Parse(block, not block)
                except pyexpat.ExpatError:
                    raise SheetError("not well-formed") from None
                merges.feed(block)
        self._merges[part] = merges.found


def _more_attributes(extra: bytes, style: bytes, t: bytes) -> tuple[bytes, bytes]:
    """A cell's `s` and `t` when it has attributes beyond `r`, `s`, `t` (or `s` after `t`):
    every attribute read, the last of each name winning as in the general path."""
    for name, v1, v2 in _ATTR.findall(extra):
        if name == b"s":
            style = v1 or v2
        elif name == b"t":
            t = v1 or v2
    return style, t


_PREFIXED_ROOT = re.compile(
    rb"^(?:\s|<\?.*?\?>|<!--.*?-->)*<[A-Za-z_][\w.\-]*:[A-Za-z_][\w.\-]*[\s>/]", re.S
)


_BAD_REF = re.compile(rb'<c r="(?![A-Za-z]{1,3}[0-9]+")')  # a reference the pattern cannot take
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_MAIN_PREFIX = re.compile(
    rb"xmlns:[A-Za-z_][\w.\-]*\s*=\s*[\"']http://schemas\.openxmlformats\.org/spreadsheetml/2006/main[\"']"
)
# The prolog (declaration, comments, processing instructions) and the root's start tag.
_ROOT_TAG = re.compile(rb"^(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*<[^!?][^>]*>", re.S)
MAX_HEAD = 1 << 16  # a root start tag longer than this is read by the general path
_DECL = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml\b[^>]*?\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _plain_start(head: bytes) -> bool:
    """Does the part begin as the fast path expects: UTF-8 (declared or not) and a root
    element without a namespace prefix?"""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:1] == b"\x00" or head[1:2] == b"\x00":
        return False  # UTF-16 or UTF-32
    decl = _DECL.match(head)
    if decl is not None:
        enc = _ENCODING.search(decl.group(0))
        if enc is not None and enc.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            return False
    if _MAIN_PREFIX.search(head):
        return False  # the cells' namespace is bound to a prefix: <x:c> may be a cell
    return _PREFIXED_ROOT.search(head) is None


def _odd_markup(data: bytes) -> bool:
    """A comment, CDATA, DOCTYPE or processing instruction (beyond the XML declaration)."""
    if b"<!" in data:
        return True
    return data.count(b"<?") > (1 if _DECL.match(data) else 0)


def _common_form(work: bytes) -> bool:
    """Is every cell in `work` in the common form (`<c r="B7"…`), with no comment, CDATA,
    processing instruction or namespace declaration? Cheap scans first: "!" and "?" are
    rare, so "<!" and "<?" seldom need a look, and rich-text run properties (which also
    start with "<c") are counted only when "<c" and '<c r="' disagree."""
    if (b"!" in work and b"<!" in work) or (b"?" in work and b"<?" in work) or b"xmlns" in work:
        return False
    if _BAD_REF.search(work):
        return False
    starts, canonical = work.count(b"<c"), work.count(b'<c r="')
    if starts != canonical:
        if _PREFIXED_CELL.search(work):
            return False
        starts -= work.count(b"<color") + work.count(b"<charset") + work.count(b"<condense")
    return starts == canonical


class _Rows:
    """Row bookkeeping of the general path, the same as the fast path's: only rows holding
    a value read are given (gaps before them as empty rows), and only they count against
    the row bound."""

    EMPTY: frozenset[int] = frozenset()

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        self.row = -1
        self.emitted = -1
        self.values: list[Any] = []
        self.percent: set[int] = set()

    def _flush(self) -> Iterator[CellData]:
        if not self.values:
            return
        if self.row >= self.max_rows:
            raise TooManyRows(self.row + 1)
        while self.emitted < self.row - 1:
            self.emitted += 1
            yield CellData(self.emitted, [], self.EMPTY)
        yield CellData(
            self.row, self.values, frozenset(self.percent) if self.percent else self.EMPTY
        )
        self.emitted = self.row

    def start(self, ref: bytes | str | None) -> Iterator[CellData]:
        yield from self._flush()
        if ref is not None:
            try:
                new = int(ref) - 1
            except ValueError:
                raise SheetError("row reference") from None
        else:
            new = self.row + 1
        if new <= self.row or new < 0:
            raise SheetError("rows out of order")
        self.row, self.values, self.percent = new, [], set()

    def put(self, col: int, value: Any, is_percent: bool) -> None:
        values = self.values
        if len(values) <= col:
            values.extend([None] * (col + 1 - len(values)))
        values[col] = value
        if is_percent:
            self.percent.add(col)

    def finish(self) -> Iterator[CellData]:
        yield from self._flush()


_END = re.compile(rb"</" + _NS + rb"(?:c|row)\s*>")


def _last_cell_end(data: bytes, lo: int = 0) -> int:
    """Where the last complete cell or row ends in `data[lo:]` (-1 if none): a safe place
    to cut, since "</" cannot occur in text or attribute values unescaped."""
    pos = len(data)
    while True:
        i = data.rfind(b"</", lo, pos)
        if i < 0:
            return -1
        m = _END.match(data, i)
        if m is not None:
            return m.end()
        pos = i


def _formula(text: bytes | str | None, shared: bool) -> str:
    """A formula cell's value: its text after "=", or "=…" for a cell that only points at
    a formula shared from another cell."""
    if not text:
        return "=" + (SHARED_FORMULA if shared else "")
    return "=" + (_text(text) if isinstance(text, bytes) else text)


class _MergeScan:
    """The `<mergeCell ref="A7:A9"/>` elements of a part's tail (after its cells), fed in
    blocks; at most MAX_MERGES of them."""

    CARRY = 4096  # a mergeCell element longer than this is not looked for across blocks

    def __init__(self) -> None:
        self.found: list[Merge] = []
        self._carry = b""

    def feed(self, block: bytes) -> None:
        data = self._carry + block
        end = 0
        found = self.found
        for m in _MERGE_CELL.finditer(data):
            r1, c1 = int(m.group(2)) - 1, _column(m.group(1))
            if m.group(3):
                r2, c2 = int(m.group(4)) - 1, _column(m.group(3))
            else:
                r2, c2 = r1, c1
            found.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
            end = m.end()
        if len(found) > MAX_MERGES:
            raise TooManyMerges("merged ranges")
        last = data.rfind(b"<", end)
        self._carry = data[last:][: self.CARRY] if last >= 0 else b""


class _UseGeneral(Exception):
    """Raised by the fast path where only the general path can read on."""


class _NoCheck:
    def Parse(self, data: bytes, final: bool = False) -> None:  # noqa: N802 (expat's name)
        return None


_NO_CHECK: Any = _NoCheck()
_NOT_WELL_FORMED = 3
_CHANGED = 4  # the file on disk is no longer the one read: check the open copy here


def _well_formed(zf: zipfile.ZipFile, part: str) -> bool:
    parser = pyexpat.ParserCreate()
    try:
        with zf.open(part) as fh:
            while block := fh.read(BLOCK):
                parser.Parse(block, False)
        parser.Parse(b"", True)
    except (pyexpat.ExpatError, zipfile.BadZipFile, EOFError, OSError, zlib.error):
        return False
    return True


def _check_main() -> int:
    """Entry of the background check: `python -P -c ... PATH "PART<tab>SIZE<tab>CRC"...`.
    Exit 0 when every part is the one described and well-formed; 3 (printing the part)
    when one is not well-formed; 4 when the file no longer holds the parts described."""
    path, *claims = sys.argv[1:]
    try:
        with zipfile.ZipFile(path) as zf:
            for claim in claims:
                part, size, crc = claim.split("\t")
                info = zf.getinfo(part)
                if info.file_size != int(size) or info.CRC != int(crc):
                    return _CHANGED
                if not _well_formed(zf, part):
                    print(part)
                    return _NOT_WELL_FORMED
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return _CHANGED
    return 0


class TooManyRows(SheetError):
    def __init__(self, row: int):
        super().__init__(f"row {row}")
        self.row = row


def _join(base: str, target: str) -> str:
    parts = base.split("/")
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


# --------------------------------------------------------------------------- general path


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _shared_strings_expat(data: bytes, lone: list[str]) -> list[str]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise SheetError("sharedStrings") from None
    return [_unescape(_item_text(si), lone) for si in root if _local(si.tag) == "si"]


def _lone_items(data: bytes) -> set[int]:
    """The indexes of the shared strings holding a lone surrogate half (read again, one
    by one, on the rare workbook that has any)."""
    found: set[int] = set()
    if not _plain_start(data[:4096]) or _odd_markup(data):
        root = ElementTree.fromstring(data)
        items = [si for si in root if _local(si.tag) == "si"]
        for i, si in enumerate(items):
            lone: list[str] = []
            _unescape(_item_text(si), lone)
            if lone:
                found.add(i)
        return found
    for i, inner in enumerate(_SI.findall(data)):
        lone = []
        _runs(inner, lone)
        if lone:
            found.add(i)
    return found


def _item_text(item: ElementTree.Element) -> str:
    """The text of a parsed string item: its <t> runs in order, phonetic runs left out
    (iterative: nesting depth is the file's to choose)."""
    out: list[str] = []
    stack = list(reversed(item))
    while stack:
        el = stack.pop()
        name = _local(el.tag)
        if name == "rPh":
            continue
        if name == "t":
            out.append(el.text or "")
        else:
            stack.extend(reversed(el))
    return "".join(out)


def _rows_expat(
    reader: XlsxReader,
    part: str,
    max_rows: int,
    max_columns: int,
    skip: frozenset[int] = frozenset(),
) -> Iterator[CellData]:
    """The general path: the same rows through ElementTree's pull parser."""
    rows = _Rows(max_rows)
    last_col = -1
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(
        events=("start", "end")
    )
    in_data = False
    merges: list[Merge] = []
    with reader._zip.open(part) as fh:
        try:
            while True:
                block = fh.read(BLOCK)
                if block:
                    parser.feed(block)
                else:
                    parser.close()
                for item in parser.read_events():
                    # start and end events (the only ones asked for) carry an element
                    event, el = cast(tuple[str, ElementTree.Element], item)
                    name = _local(el.tag)
                    if name == "sheetData":
                        in_data = event == "start"
                        continue
                    if not in_data:
                        if name == "mergeCell" and event == "end":
                            m = _MERGE_CELL.match(
                                b"<mergeCell ref='" + (el.get("ref") or "").encode() + b"'"
                            )
                            if m is not None:
                                scan = _MergeScan()
                                scan.feed(m.group(0))
                                merges.extend(scan.found)
                                if len(merges) > MAX_MERGES:
                                    raise TooManyMerges("merged ranges")
                            el.clear()
                        continue
                    if name == "row" and event == "start":
                        yield from rows.start(el.get("r"))
                        last_col = -1
                    elif name == "c" and event == "end":
                        ref = el.get("r")
                        if ref is not None:
                            m = _REF.match(ref.encode())
                            if m is None:
                                raise SheetError("cell reference")
                            col = _column(m.group(1))
                        else:
                            col = last_col + 1
                        last_col = col
                        if col < max_columns and col not in skip:
                            value, is_percent = _element_value(reader, el)
                            if value is not None:
                                rows.put(col, value, is_percent)
                        el.clear()
                    elif name == "row" and event == "end":
                        el.clear()
                if not block:
                    break
        except ElementTree.ParseError:
            raise SheetError("not well-formed") from None
    yield from rows.finish()
    reader._merges[part] = merges


def _style(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        raise SheetError("style index") from None


def _element_value(reader: XlsxReader, el: ElementTree.Element) -> tuple[Any, bool]:
    """A parsed cell's value by the same rules as the fast path (`XlsxReader._value`)."""
    t = (el.get("t") or "").encode()
    style = _style(el.get("s"))
    kind = reader._kinds[style] if 0 <= style < len(reader._kinds) else None
    children = {_local(child.tag): child for child in el}
    f = children.get("f")
    if f is not None:
        return _formula(f.text, f.get("t") == "shared"), False
    if t == b"inlineStr":
        item = children.get("is")
        return (None if item is None else _unescape(_item_text(item), reader._lone)), False
    v = children.get("v")
    return reader._convert(t, kind, None if v is None else (v.text or "").encode())
