"""A bounded reader of HWPX documents (Hancom Office's OWPML): paragraphs and table grids.

An HWPX file is a zip of XML parts; the body is `Contents/section0.xml`, `section1.xml`, ...
A table is an `hp:tbl` whose `hp:tc` cells carry `hp:cellAddr` (rowAddr, colAddr) and
`hp:cellSpan` (rowSpan, colSpan); a cell holds `hp:p` paragraphs, each a line the author
broke on purpose. This reader returns the document's flow in reading order: top-level
paragraphs as text and every table (nested ones too) as a grid in which a merged cell
occupies every position it covers.

The file is untrusted input, read within fixed bounds like `xlgen import`'s workbooks:
zip bombs (sizes and ratios), DTDs and entities (defusedxml), deep element nesting,
absurd or overlapping spans, and too many cells are each refused with a Korean InputError.
Sections are parsed incrementally (`iterparse`), and every bound is checked as the
elements arrive, so a hostile file is refused after reading no more than the bounds allow.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]

from ..errors import InputError

__all__ = ["Cell", "HwpxDocument", "Paragraph", "Table", "read_hwpx", "HWPX_MIMETYPE"]

HWPX_MIMETYPE = b"application/hwp+zip"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

MAX_MEMBERS = 10_000  # zip entries
MAX_TOTAL_BYTES = 512 << 20  # all parts together, inflated
MAX_SECTION_BYTES = 64 << 20  # one section part, inflated
MAX_RATIO = 200  # inflated / compressed, for a part over RATIO_FLOOR bytes
RATIO_FLOOR = 1 << 20
MAX_DEPTH = 256  # XML element nesting
MAX_TABLE_DEPTH = 8  # tables inside table cells
MAX_ROWS = 20_000  # rows of one table
MAX_COLS = 1_000  # columns of one table
MAX_TABLE_POSITIONS = 1_000_000  # rows x columns of one table
MAX_POSITIONS = 4_000_000  # rows x columns of all tables together
MAX_CELLS = 500_000  # cells of all tables together

_SECTION_RE = re.compile(r"^Contents/section(\d{1,4})\.xml$")
# Inline elements of hp:t that stand for characters (as Hancom writes them).
_INLINE = {
    "tab": "\t",
    "lineBreak": "\n",
    "nbSpace": "\u00a0",
    "fwSpace": "\u3000",
    "hyphen": "\u00ad",
}


@dataclass(frozen=True, slots=True)
class Cell:
    """One physical cell: its anchor (0-based), spans and paragraphs (one line each)."""

    row: int
    col: int
    row_span: int
    col_span: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(slots=True)
class Table:
    """A table as a grid: `grid[r][c]` is the cell covering (r, c), or None for a hole."""

    index: int  # 1-based, in reading order (a nested table comes after its outer table)
    section: int  # 0-based section number
    depth: int  # 0 for a table in the body, 1 for one inside a cell, ...
    rows: int
    cols: int
    cells: list[Cell]
    grid: list[list[Cell | None]]

    def texts(self) -> list[list[str]]:
        """The grid as text: a merged cell's text at every position it covers."""
        return [[c.text if c is not None else "" for c in row] for row in self.grid]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph outside every table."""

    text: str
    section: int


@dataclass(slots=True)
class HwpxDocument:
    path: Path
    blocks: list[Paragraph | Table] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class _Refused(Exception):
    """A bound or rule broken inside a section: the message names what, the caller where."""


def read_hwpx(path: str | Path) -> HwpxDocument:
    """Read an HWPX file's paragraphs and tables; refuse anything outside the bounds."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise InputError(f"{path}: 파일이 없습니다.")
    if path.is_dir():
        raise InputError(f"{path}: 파일이 아니라 폴더입니다.")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        from .formats import ole_refusal

        raise InputError(ole_refusal(path))
    if not zipfile.is_zipfile(path):
        raise InputError(f"{name}: HWPX 문서가 아닙니다 (zip 형식이 아닙니다).")
    document = HwpxDocument(path)
    try:
        with zipfile.ZipFile(path) as zf:
            sections = _check_package(zf, name)
            reader = _SectionReader(document)
            for number, info in sections:
                try:
                    with zf.open(info) as part:
                        reader.read(part, number)
                except _Refused as exc:
                    raise InputError(f"{name}: {info.filename}: {exc}") from None
                except (
                    defusedxml.DTDForbidden,
                    defusedxml.EntitiesForbidden,
                    defusedxml.ExternalReferenceForbidden,
                ):
                    raise InputError(
                        f"{name}: 허용되지 않는 XML 선언(DTD/ENTITY)이 있습니다 ({info.filename}). "
                        "읽지 않습니다."
                    ) from None
                except ParseError as exc:
                    line = getattr(exc, "position", (None, None))[0]
                    where = f" {line}행" if line else ""
                    raise InputError(
                        f"{name}: 손상된 HWPX 문서입니다 ({info.filename}{where}: XML 형식 오류)."
                    ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
        raise InputError(f"{name}: 손상된 HWPX 문서입니다 (압축 데이터 오류).") from None
    return document


def _check_package(zf: zipfile.ZipFile, name: str) -> list[tuple[int, zipfile.ZipInfo]]:
    """The section parts in order, after the package-wide bounds."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(
            f"{name}: zip 안의 파일이 너무 많습니다 ({len(infos):,}개). 읽지 않습니다."
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise InputError(f"{name}: 압축을 풀면 너무 큽니다 ({total:,}바이트). 읽지 않습니다.")
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                f"{name}: 비정상적으로 압축된 부분이 있습니다 ({info.filename}). 읽지 않습니다."
            )
    names = {i.filename: i for i in infos}
    if "mimetype" in names:
        mimetype = zf.read(names["mimetype"])[:100].strip()
        if mimetype != HWPX_MIMETYPE:
            shown = mimetype.decode("ascii", "replace")
            raise InputError(f"{name}: HWPX 문서가 아닙니다 (zip 파일의 종류가 '{shown}'입니다).")
    sections = sorted(
        (int(m.group(1)), info) for info in infos if (m := _SECTION_RE.match(info.filename))
    )
    if not sections:
        raise InputError(
            f"{name}: zip 파일이지만 HWPX 문서가 아닙니다 (본문 Contents/section*.xml이 없습니다)."
        )
    for _, info in sections:
        if info.file_size > MAX_SECTION_BYTES:
            raise InputError(
                f"{name}: 본문({info.filename})이 너무 큽니다 ({info.file_size:,}바이트). 읽지 않습니다."
            )
    return sections


@dataclass(slots=True)
class _TableBuilder:
    table: Table
    tr: int = -1  # current <hp:tr>, for cells without an address
    next_col: int = 0
    cells: list[Cell] = field(default_factory=list)


@dataclass(slots=True)
class _CellBuilder:
    lines: list[str] = field(default_factory=list)
    addr: tuple[str | None, str | None] = (None, None)  # (rowAddr, colAddr) as written
    span: tuple[str | None, str | None] = (None, None)  # (rowSpan, colSpan) as written


class _SectionReader:
    """Streams section parts into the document's blocks, checking every bound on the way."""

    def __init__(self, document: HwpxDocument) -> None:
        self.document = document
        self.cells = 0
        self.positions = 0
        self.tables = 0

    def read(self, part: IO[bytes], section: int) -> None:
        blocks = self.document.blocks
        depth = 0
        tables: list[_TableBuilder] = []
        cells: list[_CellBuilder] = []
        # Each open paragraph's text pieces, and the cell depth it belongs to.
        paragraphs: list[tuple[list[str], int]] = []
        events = SafeET.iterparse(part, events=("start", "end"), forbid_dtd=True)
        for event, elem in events:
            tag = _local(elem.tag)
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused(
                        f"XML 요소가 {MAX_DEPTH}단계보다 깊게 겹쳐 있습니다. 읽지 않습니다."
                    )
                if tag == "p":
                    paragraphs.append(([], len(cells)))
                elif tag == "tbl":
                    if len(tables) >= MAX_TABLE_DEPTH:
                        raise _Refused(
                            f"표 안의 표가 {MAX_TABLE_DEPTH}단계보다 깊습니다. 읽지 않습니다."
                        )
                    if paragraphs and paragraphs[-1][1] == 0 and not cells and paragraphs[-1][0]:
                        # text before a table in the same body paragraph comes first
                        text = "".join(paragraphs[-1][0])
                        paragraphs[-1][0].clear()
                        if text.strip():
                            blocks.append(Paragraph(text, section))
                    self.tables += 1
                    table = self._start_table(elem, section, len(tables))
                    tables.append(_TableBuilder(table))
                    blocks.append(table)  # in reading order; its cells arrive later
                elif tag == "tr":
                    if tables:
                        tables[-1].tr += 1
                        tables[-1].next_col = 0
                elif tag == "tc":
                    if not tables:
                        raise _Refused("표(hp:tbl) 밖에 칸(hp:tc)이 있습니다.")
                    cells.append(_CellBuilder())
                continue
            depth -= 1
            if tag == "t":
                if paragraphs:
                    paragraphs[-1][0].append(_text_of(elem))
                elem.clear()
            elif tag == "p":
                pieces, owner = paragraphs.pop()
                text = "".join(pieces)
                if owner:
                    cells[owner - 1].lines.append(text)
                elif text.strip():
                    blocks.append(Paragraph(text, section))
                elem.clear()
            elif tag == "cellAddr" and cells:
                cells[-1].addr = (elem.get("rowAddr"), elem.get("colAddr"))
            elif tag == "cellSpan" and cells:
                cells[-1].span = (elem.get("rowSpan"), elem.get("colSpan"))
            elif tag == "tc":
                builder = cells.pop()
                self._add_cell(tables[-1], builder)
                elem.clear()
            elif tag == "tbl":
                tables.pop()  # already among the blocks
                elem.clear()

    # ------------------------------------------------------------------ tables

    def _start_table(self, elem: Element, section: int, depth: int) -> Table:
        index = self.tables
        rows = _int(elem.get("rowCnt"), f"표 {index}의 행 수(rowCnt)")
        cols = _int(elem.get("colCnt"), f"표 {index}의 열 수(colCnt)")
        if not (1 <= rows <= MAX_ROWS and 1 <= cols <= MAX_COLS):
            raise _Refused(
                f"표 {index}의 크기가 비정상적입니다 ({rows:,}행 × {cols:,}열). 읽지 않습니다."
            )
        if rows * cols > MAX_TABLE_POSITIONS:
            raise _Refused(f"표 {index}가 너무 큽니다 ({rows:,}행 × {cols:,}열). 읽지 않습니다.")
        self.positions += rows * cols
        if self.positions > MAX_POSITIONS:
            raise _Refused(f"표의 칸이 모두 {MAX_POSITIONS:,}개를 넘습니다. 읽지 않습니다.")
        grid: list[list[Cell | None]] = [[None] * cols for _ in range(rows)]
        return Table(index, section, depth, rows, cols, [], grid)

    def _add_cell(self, builder: _TableBuilder, cb: _CellBuilder) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise _Refused(f"표의 칸(hp:tc)이 {MAX_CELLS:,}개를 넘습니다. 읽지 않습니다.")
        table = builder.table
        label = f"표 {table.index}"
        row_span = _int(cb.span[0], f"{label}의 칸 병합(rowSpan)", default=1)
        col_span = _int(cb.span[1], f"{label}의 칸 병합(colSpan)", default=1)
        if cb.addr == (None, None):  # no address written: the row's next free position
            row = max(builder.tr, 0)
            col = builder.next_col
            while col < table.cols and row < table.rows and table.grid[row][col] is not None:
                col += 1
        else:
            row = _int(cb.addr[0], f"{label}의 칸 주소(rowAddr)")
            col = _int(cb.addr[1], f"{label}의 칸 주소(colAddr)")
        where = f"{label}의 칸({row + 1}행 {col + 1}열)"
        if row_span < 1 or col_span < 1:
            raise _Refused(f"{where}의 병합 크기가 0 이하입니다 ({row_span}×{col_span}).")
        if not (0 <= row < table.rows and 0 <= col < table.cols):
            raise _Refused(
                f"{label}의 칸 주소({row + 1}행 {col + 1}열)가 표({table.rows}행 × {table.cols}열) "
                "밖에 있습니다."
            )
        if row + row_span > table.rows or col + col_span > table.cols:
            raise _Refused(
                f"{where}의 병합({row_span:,}행 × {col_span:,}열)이 표({table.rows}행 × "
                f"{table.cols}열) 밖으로 나갑니다."
            )
        cell = Cell(row, col, row_span, col_span, tuple(cb.lines))
        for r in range(row, row + row_span):
            line = table.grid[r]
            for c in range(col, col + col_span):
                other = line[c]
                if other is not None:
                    raise _Refused(
                        f"{where}의 병합이 다른 칸({other.row + 1}행 {other.col + 1}열)과 "
                        f"{r + 1}행 {c + 1}열에서 겹칩니다."
                    )
                line[c] = cell
        table.cells.append(cell)
        builder.next_col = col + col_span


def _int(raw: str | None, what: str, default: int | None = None) -> int:
    if raw is None:
        if default is not None:
            return default
        raise _Refused(f"{what}가 없습니다.")
    text = raw.strip()
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 12:
        raise _Refused(f"{what}가 숫자가 아니거나 비정상적입니다 ('{raw[:20]}').")
    return int(text)


def _text_of(elem: Element) -> str:
    """The characters of one hp:t: its text, inline character elements, and their tails."""
    parts = [elem.text or ""]
    for child in elem:
        name = _local(child.tag)
        if name in _INLINE:
            parts.append(_INLINE[name])
        else:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)
