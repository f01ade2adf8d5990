"""PDF documents: ruled tables read into grids (pdfplumber, the `xlgen[pdf]` extra) and
given to the same record builders as HWPX (`xlgen.sources.records`).

A printed document's tables are drawn with rules; pdfplumber finds the cells from them. What
a page adds to a table, and what this reader does about it:

- A merged cell cut by a page break has no rule under it on the first page (and none above
  it on the next), so each table's top and bottom edges are added as explicit rules; and a
  blank leading cell in the first data row of a table that goes on from the previous page is
  that cut cell: it covers the row as the cell above it did.
- A cell's visual lines are soft wraps, joined by a space, except where the space would sit
  inside brackets (`( 복지환경국)` → `(복지환경국)`); a cell spaced out to its width
  (`의 회 사 무 국`, single syllables only) is closed up; `△` is a minus (xlgen.numbers).
- Repeated header rows, page numbers (`- n -`), titles and `▢ 부서 (계속)` continuation
  titles are recognised, not read as data.
- xlgen's own printed workbooks mark a figure that differs from the document's as `142※` and
  give the document's figure in a footnote on the page (`※ 항목: 문서 인쇄값 150 (…)`); the
  footnote's figure is read in the mark's place. A mark no footnote explains is reported.

A PDF whose tables do not make a document is read as text (the page texts, through the text
parser), with a finding that says so. A PDF without a text layer is refused as a scanned
image. Pages, characters and time are bounded.
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, ParseError
from ..findings import Kind
from ..model import Document, ParseWarning
from ..numbers import parse as parse_number
from ..textio import TextDocument
from .hwpx import Cell, Paragraph, Table

MAX_PAGES = 2_000
MAX_CHARS = 4_000_000  # characters of all pages together
MAX_PAGE_CHARS = 200_000  # characters of one page
MAX_SECONDS = 300.0  # reading the tables of all pages (about 50 ms a page)

INSTALL = 'pip install "xlgen[pdf]"'

# Rules: the strategy pdfplumber reads ruled tables with.
_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
# A line of page furniture: the page number, "- 3 -" (or "3").
_PAGE_NUMBER_RE = re.compile(r"^\s*[-–—]?\s*\d{1,4}\s*[-–—]?\s*$")
# xlgen's print footnote for a figure that differs from the document's (xlgen.layouts._base)
_FOOTNOTE_RE = re.compile(
    r"^(?P<mark>[※*＊])\s*(?P<item>.+?)\s*:\s*문서\s*인쇄값\s*(?P<printed>[△▲\-−]?\s*[\d,.]+)"
    r"\s*(?:\((?P<computation>.*)\))?\s*$"
)
_MARKED_RE = re.compile(r"^(?P<number>[△▲\-−]?\s*[\d,.]+)\s*(?P<mark>[※*＊])$")
_SYLLABLE = re.compile(r"^[\uac00-\ud7a3]$")
_HEADING_RE = re.compile(r"^\s*(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|[IVX]{1,4}|[가나다라마바사])\s*[.．]\s*\S")
_LIST_MARKS = "◇◆○●◦-–·•▢□■▪※▶►*ⅠⅡⅢⅣⅤ"
_OPENERS = "([{〈《「『【"
_CLOSERS = ")]}〉》」』】"
_QUOTES_CLOSING = "’”'\""
# Korean particles that only ever follow a word: a line starting with one alone goes on a word.
_PARTICLES = frozenset("을 를 이 가 은 는 에 와 과 로 으로 에서 에게 의".split())


def _pdfplumber(name: str) -> Any:
    try:
        import pdfplumber
    except ImportError:
        raise InputError(
            f"{name}: PDF를 읽으려면 pdfplumber가 필요합니다. `{INSTALL}`로 설치한 뒤 다시 "
            "시도하세요. 한글 문서라면 HWPX(*.hwpx)로 저장해 읽을 수도 있습니다."
        ) from None
    return pdfplumber


# --------------------------------------------------------------------------- text of cells


def close_up(text: str) -> str:
    """A line spaced out to its width (`의 회 사 무 국`) closed up: only when every piece
    is one Hangul syllable, so words of a real name are never run together."""
    pieces = text.split()
    if len(pieces) >= 2 and all(_SYLLABLE.match(p) for p in pieces):
        return "".join(pieces)
    return text


def _glued(before: str, after: str) -> bool:
    """True when a soft wrap between `before` and `after` split a word (no space there): just
    inside an opening bracket or before a closing one; a bracket opened right after a word
    (`기본구상` + `(안)마련`); a particle left alone at the start of the line
    (`‘맘든든센터’` + `를 신설하여`)."""
    if before[-1] in _OPENERS or after[0] in _CLOSERS:
        return True
    if after[0] in _OPENERS and (before[-1].isalnum()):
        return True
    first = after.split(" ", 1)[0]
    return first in _PARTICLES and before[-1] in _QUOTES_CLOSING + _CLOSERS


def join_lines(lines: Sequence[str]) -> str:
    """A cell's visual lines (soft wraps) as one text: joined by a space, except where the
    wrap split a word (`_glued`); then a spaced-out cell closed up (`close_up`)."""
    out = ""
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            continue
        if out and not _glued(out, line):
            out += " "
        out += line
    return close_up(out)


# --------------------------------------------------------------------------- reading pages


@dataclass
class PdfDocument:
    path: Path
    pages: int = 0
    blocks: list[Paragraph | Table] = field(default_factory=list)
    page_texts: list[str] = field(default_factory=list)
    unexplained: list[tuple[int, str]] = field(default_factory=list)  # (page, cell text)
    columns: dict[int, list[float]] = field(default_factory=dict)  # id(table) -> column edges

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def _open_error(name: str, exc: Exception) -> InputError:
    return InputError(f"{name}: 손상되었거나 읽을 수 없는 PDF입니다 ({type(exc).__name__}).")


def _page_count(pdf: Any) -> int | None:
    """The page count the document's page tree declares (without walking it)."""
    try:
        from pdfminer.pdftypes import resolve1

        count = resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"])
        return int(count)
    except Exception:  # noqa: BLE001 - any damage: let the page walk decide
        return None


def read_pdf(path: Path, *, max_seconds: float = MAX_SECONDS) -> PdfDocument:
    """The pages' tables as grids and the text around them as paragraphs, in reading order."""
    name = path.name
    pdfplumber = _pdfplumber(name)
    document = PdfDocument(path)
    started = time.monotonic()
    try:
        with pdfplumber.open(path) as pdf:
            declared = _page_count(pdf)
            if declared is not None and declared > MAX_PAGES:
                raise InputError(f"{name}: 쪽이 너무 많습니다 ({declared:,}쪽). 읽지 않습니다.")
            pages = pdf.pages
            if len(pages) > MAX_PAGES:
                raise InputError(f"{name}: 쪽이 너무 많습니다 ({len(pages):,}쪽). 읽지 않습니다.")
            document.pages = len(pages)
            chars = 0
            for number, page in enumerate(pages, 1):
                count = len(page.chars)
                chars += count
                if count > MAX_PAGE_CHARS or chars > MAX_CHARS:
                    raise InputError(
                        f"{name}: {number}쪽까지 글자가 너무 많습니다 ({chars:,}자). 읽지 않습니다."
                    )
                if time.monotonic() - started > max_seconds:
                    raise InputError(
                        f"{name}: PDF를 읽는 데 너무 오래 걸립니다 ({number}쪽에서 "
                        f"{max_seconds:.0f}초 넘음). 읽지 않습니다."
                    )
                _read_page(page, number, document)
                page.close()  # frees the page's parsed objects
            _declared_title(pdf.metadata, document)
    except InputError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise _open_error(name, exc) from None
    return document


def _declared_title(metadata: Mapping[str, Any], document: PdfDocument) -> None:
    """A document whose first page opens with a numbered section heading (`Ⅰ. …`, `가. …`)
    and prints no title: the title the PDF declares (its Title property) is its title."""
    title = metadata.get("Title")
    if not isinstance(title, str) or not title.strip() or not document.blocks:
        return
    first = document.blocks[0]
    if isinstance(first, Paragraph) and _HEADING_RE.match(first.text):
        document.blocks.insert(0, Paragraph(" ".join(title.split()), 0))


def _read_page(page: Any, number: int, document: PdfDocument) -> None:
    if not page.chars:
        document.page_texts.append("")
        return
    found = page.find_tables(_SETTINGS)
    if found:
        # each table's top and bottom as rules: a merged cell cut by the page break closes
        edges = sorted({round(t.bbox[1], 2) for t in found} | {round(t.bbox[3], 2) for t in found})
        found = page.find_tables({**_SETTINGS, "explicit_horizontal_lines": edges})
    tables = sorted(found, key=lambda t: (t.bbox[1], t.bbox[0]))
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    document.page_texts.append(page.extract_text() or "")
    free = page.filter(outside)
    lines = _paragraphs(free.extract_text_lines(return_chars=False))
    # page furniture: the page number at the foot of the page
    lines = [
        (top, t) for top, t in lines if not (_PAGE_NUMBER_RE.match(t) and top > page.height * 0.8)
    ]
    footnotes = [m for _, t in lines if (m := _FOOTNOTE_RE.match(t))]
    grids = [_grid(t, page, len(document.tables) + i + 1, document) for i, t in enumerate(tables)]
    for grid in grids:
        _explain_marks(grid, footnotes, number, document)
    events: list[tuple[float, int, Paragraph | Table]] = []
    for top, text in lines:
        if _FOOTNOTE_RE.match(text):
            continue  # read into its cell
        events.append((top, 0, Paragraph(close_up(text), number - 1)))
    for box, grid in zip(boxes, grids, strict=True):
        events.append((box[1], 1, grid))
    events.sort(key=lambda e: (e[0], e[1]))
    first_table = True
    for _, _, block in events:
        if isinstance(block, Table) and first_table:
            first_table = False
            _continue_from(document, block)
        document.blocks.append(block)


def _paragraphs(found: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """Text lines outside the tables as (top, text), a soft-wrapped line joined to the line
    it goes on: set tight under it (less than a third of a line's height between), not left
    of it, and not starting with a list mark."""
    out: list[tuple[float, str]] = []
    previous: dict[str, Any] | None = None
    for line in found:
        text = " ".join(line["text"].split())
        if not text:
            continue
        height = line["bottom"] - line["top"]
        if (
            previous is not None
            and out
            and 0 <= line["top"] - previous["bottom"] < height / 3
            and line["x0"] >= previous["x0"] - 1
            and text[0] not in _LIST_MARKS
        ):
            top, before = out[-1]
            out[-1] = (top, join_lines([before, text]))
        else:
            out.append((line["top"], text))
        previous = line
    return out


def _grid(found: Any, page: Any, index: int, document: PdfDocument) -> Table:
    """pdfplumber's table as a grid of cells with their spans; each character goes to the
    cell its centre is in (one pass over the page's characters, not a crop per cell)."""
    from pdfplumber.utils import extract_text

    xs = _merge_close(sorted({round(v, 1) for c in found.cells for v in (c[0], c[2])}))
    ys = _merge_close(sorted({round(v, 1) for c in found.cells for v in (c[1], c[3])}))
    rows, cols = len(ys) - 1, len(xs) - 1
    owner: list[list[int | None]] = [[None] * cols for _ in range(rows)]
    boxes: list[tuple[int, int, int, int]] = []
    for x0, top, x1, bottom in sorted(found.cells, key=lambda c: (c[1], c[0])):
        r0, r1 = _index(ys, top), _index(ys, bottom)
        c0, c1 = _index(xs, x0), _index(xs, x1)
        if r1 <= r0 or c1 <= c0:
            continue
        for r in range(r0, r1):
            for k in range(c0, c1):
                if owner[r][k] is None:
                    owner[r][k] = len(boxes)
        boxes.append((r0, c0, r1, c1))
    chars: list[list[dict[str, Any]]] = [[] for _ in boxes]
    x_lo, x_hi, y_lo, y_hi = xs[0], xs[-1], ys[0], ys[-1]
    for ch in page.chars:
        x = (ch["x0"] + ch["x1"]) / 2
        y = (ch["top"] + ch["bottom"]) / 2
        if not (x_lo <= x <= x_hi and y_lo <= y <= y_hi):
            continue
        r = min(max(bisect.bisect_right(ys, y) - 1, 0), rows - 1)
        k = min(max(bisect.bisect_right(xs, x) - 1, 0), cols - 1)
        at = owner[r][k]
        if at is not None:
            chars[at].append(ch)
    grid: list[list[Cell | None]] = [[None] * cols for _ in range(rows)]
    cells: list[Cell] = []
    for (r0, c0, r1, c1), own in zip(boxes, chars, strict=True):
        text = extract_text(own) if own else ""
        cell = Cell(r0, c0, r1 - r0, c1 - c0, (join_lines(text.split("\n")),))
        cells.append(cell)
    for r in range(rows):
        for k in range(cols):
            at = owner[r][k]
            grid[r][k] = cells[at] if at is not None else None
    table = Table(index, page.page_number - 1, 0, rows, cols, cells, grid)
    document.columns[id(table)] = xs
    return table


def _merge_close(values: list[float], tolerance: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in values:
        if out and v - out[-1] <= tolerance:
            continue
        out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _replace(table: Table, old: Cell, new: Cell) -> None:
    table.cells[table.cells.index(old)] = new
    for row in table.grid:
        for k, c in enumerate(row):
            if c is old:
                row[k] = new


def _row_texts(table: Table, r: int) -> list[str]:
    return [c.text if c is not None else "" for c in table.grid[r]]


def _explain_marks(
    table: Table, footnotes: list[re.Match[str]], page: int, document: PdfDocument
) -> None:
    """A marked figure (`142※`) read as the document's figure its footnote gives."""
    for cell in list(table.cells):
        m = _MARKED_RE.match(cell.text)
        if not m:
            continue
        number = parse_number(m.group("number").replace(" ", ""))
        labels = {_nospace(t) for t in _row_texts(table, cell.row) if t and t != cell.text}
        headers = {
            _nospace(table.grid[r][cell.col].text)  # type: ignore[union-attr]
            for r in range(cell.row)
            if table.grid[r][cell.col] is not None
        }
        matches = []
        for fn in footnotes:
            if fn.group("mark") != m.group("mark"):
                continue
            item = _nospace(fn.group("item"))
            computed = _computed(fn.group("computation"))
            if computed is not None and number is not None and computed != number:
                continue
            if item in labels or any(
                item.startswith(label) and item[len(label) :] in headers for label in labels
            ):
                matches.append(fn)
        printed = {_nospace(fn.group("printed")) for fn in matches}
        if len(printed) == 1:
            value = printed.pop()
            _replace(table, cell, Cell(cell.row, cell.col, cell.row_span, cell.col_span, (value,)))
        else:
            document.unexplained.append((page, cell.text))


def _computed(computation: str | None) -> float | None:
    if not computation:
        return None
    m = re.search(r"=\s*([△▲\-−]?\s*[\d,.]+)\s*$", computation)
    return parse_number(m.group(1).replace(" ", "")) if m else None


def _nospace(text: str) -> str:
    return "".join(text.split())


def _continue_from(document: PdfDocument, table: Table) -> None:
    """The first table of a page that goes on from the last table of the page before (same
    columns): its header rows repeated, and blank leading cells of its first data row are
    the cells above it cut by the page break."""
    previous = next((b for b in reversed(document.blocks) if isinstance(b, Table)), None)
    if previous is None or previous.cols != table.cols or previous.section != table.section - 1:
        return
    first = 0
    while first < min(table.rows, previous.rows) and [
        _nospace(t) for t in _row_texts(table, first)
    ] == [_nospace(t) for t in _row_texts(previous, first)]:
        first += 1
    if first >= table.rows:
        return
    if first == 0 and not _same_columns(document, previous, table):
        return  # neither a repeated header nor the same columns: another table
    last = previous.rows - 1
    row = table.grid[first]
    for k in range(table.cols):
        cell = row[k]
        if cell is None or cell.row != first or cell.col != k or cell.text:
            break
        above = previous.grid[last][k]
        if above is None or not above.text or above.col != k or above.col_span != cell.col_span:
            break
        _replace(table, cell, Cell(*_pos(cell), (above.text,)))


def _same_columns(document: PdfDocument, a: Table, b: Table) -> bool:
    xa, xb = document.columns.get(id(a)), document.columns.get(id(b))
    return (
        xa is not None
        and xb is not None
        and len(xa) == len(xb)
        and all(abs(p - q) <= 2 for p, q in zip(xa, xb, strict=True))
    )


def _pos(cell: Cell) -> tuple[int, int, int, int]:
    return cell.row, cell.col, cell.row_span, cell.col_span


# --------------------------------------------------------------------------- records


def parse_pdf(
    path: Path, *, corrections: Mapping[str, Any] | None = None
) -> tuple[Document, TextDocument]:
    from .records import document_from_blocks

    name = path.name
    document = read_pdf(path)
    if not any(document.page_texts):
        raise InputError(
            f"{name}: 글자 정보가 없는 PDF입니다 (스캔한 이미지로 보입니다). 이미지에서 글자를 "
            "읽으려면 먼저 OCR(문자 인식)로 텍스트가 있는 PDF를 만들거나, 원본 한글 문서를 "
            "HWPX(*.hwpx)로 저장해 주세요."
        )
    reason = ""
    if document.tables:
        try:
            records, rendering = document_from_blocks(
                document.blocks, corrections=corrections, source=name
            )
        except ParseError as exc:
            reason = str(exc)
        else:
            for page, text in document.unexplained:
                records.warnings.append(
                    ParseWarning(None, kind=Kind.PDF_MARK_UNEXPLAINED, page=page, text=text)
                )
            return records, TextDocument(path, rendering.text, "pdf", "")
    return _from_text(document, corrections, reason)


def _from_text(
    document: PdfDocument, corrections: Mapping[str, Any] | None, reason: str
) -> tuple[Document, TextDocument]:
    """The page texts through the text parser, with a finding saying so."""
    from .. import kinds

    name = document.path.name
    lines: list[str] = []
    for text in document.page_texts:
        lines.extend(t for t in text.split("\n") if not _PAGE_NUMBER_RE.match(t))
    text = "\n".join(lines)
    kind = kinds.detect(text, name)
    if kind is None:
        why = "표를 찾지 못했습니다" if not document.tables else "표가 성과 문서의 표가 아닙니다"
        raise InputError(
            f"{name}: 성과계획서나 주요사업 평가 현황 문서로 읽을 수 없는 PDF입니다 ({why}). "
            "선으로 그린 표가 있는 인쇄용 PDF나 HWPX(*.hwpx) 문서를 넣어 주세요."
        )
    try:
        records: Document = kind.parse(lines, corrections=dict(corrections or {}), source=name)
    except ParseError as exc:
        raise ParseError(f"{exc} (PDF의 표를 읽지 못해 글자로 읽었습니다.)") from None
    records.warnings.insert(
        0,
        ParseWarning(
            None,
            kind=Kind.PDF_READ_AS_TEXT,
            tables=len(document.tables),
            reason=reason.partition(": ")[2] or reason,
        ),
    )
    return records, TextDocument(document.path, text, "pdf", "")
