"""PDF documents: ruled tables read into grids (pdfplumber, the `xlgen[pdf]` extra) and
given to the same record builders as HWPX (`xlgen.sources.records`).

A printed document's tables are drawn with rules; pdfplumber finds the cells from them. What
a page adds to a table, and what this reader does about it:

- A merged cell cut by a page break has no rule under its part on the first page (and none
  above it on the next, unless a repeated header row closes it), so each table's top and
  bottom edges are added as explicit rules. The printer draws the cell's whole text on each
  page at its place in the whole cell, so lines of the other page's part appear beyond the
  part's edge (below the table, above it, over a repeated header): those repeated chars are
  found by geometry and dropped, and the cell's text is the text inside all its parts
  (`_link`, `_join_cuts`). A table that goes on without repeating its header is one table
  with the one before it, the cut cell one cell over both parts' rows. A cut cell whose
  part on the next page cannot be found is refused, not guessed.
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
import logging
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

_log = logging.getLogger(__name__)

MAX_PAGES = 2_000
MAX_CHARS = 4_000_000  # characters of all pages together
MAX_PAGE_CHARS = 200_000  # characters of one page
# Reading the tables of all pages takes about 50-150 ms a page: a bound of a second a page
# (at least 30 s, at most 90 s) leaves room on a busy machine and stops what no desk prints.
SECONDS_PER_PAGE = 1.0
MIN_SECONDS = 30.0
MAX_SECONDS = 90.0


def time_bound(pages: int) -> float:
    """How long reading a PDF of `pages` pages may take."""
    return min(MAX_SECONDS, max(MIN_SECONDS, SECONDS_PER_PAGE * pages))


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
_PUNCTUATION = ",.;:!?"  # never after a space: a line starting with one goes on a word
_DOTS = "·‧ㆍ・"  # middle dots join words: `조사‧` + `결정`
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
    if before[-1] in _OPENERS or after[0] in _CLOSERS or after[0] in _PUNCTUATION:
        return True
    if before[-1] in _DOTS or after[0] in _DOTS:
        return True
    if before[-1] in _CLOSERS and re.search(r"\w[(\[][^\s()\[\]]*[)\]]$", before):
        return after[0].isalnum()  # `기본구상(안)` + `마련`: the bracket sits inside a word
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
    # text drawn over its cell's rules (taller than its cell), by table:
    # (the table, page, the cells' texts, True when a number cell is affected)
    overflows: list[tuple[Table, int, tuple[str, ...], bool]] = field(default_factory=list)
    merged: dict[int, Table] = field(default_factory=dict)  # id(table) -> what it is part of
    columns: dict[int, list[float]] = field(default_factory=dict)  # id(table) -> column edges
    # the parts of each cell cut by page breaks: (the part's cell, its chars in the whole cell)
    cut_chains: list[list[tuple[Cell, list[dict[str, Any]]]]] = field(default_factory=list)
    table_of: dict[int, Table] = field(default_factory=dict)  # id(cell) -> its table
    cut_of: dict[int, int] = field(default_factory=dict)  # id(cell) -> its cut (index)
    # page number -> the header rows its first table repeats of the table it goes on from
    joins: dict[int, int] = field(default_factory=dict)
    row_pages: dict[int, list[int]] = field(default_factory=dict)  # id(table) -> page of each row

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def _open_error(name: str, exc: Exception) -> InputError:
    """A Korean message for what pdfminer raised (its class goes to the debug log only)."""
    _log.debug("%s: %s: %r", name, type(exc).__name__, exc)
    if _encrypted(exc):
        return InputError(
            f"{name}: 암호가 걸린 PDF입니다. 암호를 아는 사람이 PDF 보기 프로그램에서 열어 "
            "암호를 풀어 다시 저장(인쇄 → PDF로 저장)한 파일을 넣어 주세요."
        )
    return InputError(
        f"{name}: 손상되었거나 끝까지 저장되지 않은 PDF라 읽을 수 없습니다. 원본에서 PDF를 "
        "다시 만들어 넣거나, 원본 한글 문서를 HWPX(*.hwpx)로 저장해 주세요."
    )


def _encrypted(exc: BaseException) -> bool:
    """Did pdfminer stop at the document's encryption (a password it does not have, or an
    encryption it cannot undo)? pdfplumber wraps pdfminer's exception in its own."""
    try:
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError:  # pragma: no cover - pdfminer comes with pdfplumber
        return False
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, (PDFEncryptionError, PDFPasswordIncorrect)):
            return True
        todo.extend(a for a in e.args if isinstance(a, BaseException))
        todo.extend(c for c in (e.__cause__, e.__context__) if c is not None)
    return False


def _page_count(pdf: Any) -> int | None:
    """The page count the document's page tree declares (without walking it)."""
    try:
        from pdfminer.pdftypes import resolve1

        count = resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"])
        return int(count)
    except Exception:  # noqa: BLE001 - any damage: let the page walk decide
        return None


def read_pdf(path: Path, *, max_seconds: float | None = None) -> PdfDocument:
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
            bound = time_bound(len(pages)) if max_seconds is None else max_seconds
            chars = 0
            previous: _Page | None = None
            for number, page in enumerate(pages, 1):
                count = len(page.chars)
                chars += count
                if count > MAX_PAGE_CHARS or chars > MAX_CHARS:
                    raise InputError(
                        f"{name}: {number}쪽까지 글자가 너무 많습니다 ({chars:,}자). 읽지 않습니다."
                    )
                if time.monotonic() - started > bound:
                    raise InputError(
                        f"{name}: PDF를 읽는 데 너무 오래 걸려 멈췄습니다 ({len(pages):,}쪽 중 "
                        f"{number}쪽에서 읽기 시간 한도 {bound:.0f}초를 넘음; 한도는 쪽당 "
                        f"{SECONDS_PER_PAGE:.0f}초, {MIN_SECONDS:.0f}~{MAX_SECONDS:.0f}초). "
                        "성과 문서의 쪽만 PDF로 다시 저장해 넣거나, 원본 한글 문서를 "
                        "HWPX(*.hwpx)로 저장해 넣어 주세요."
                    )
                current = _layout_page(page, number)
                if previous is not None:
                    _link(previous, current, document)
                    _read_page(previous, document)
                    previous.page.close()  # frees the page's parsed objects
                previous = current
            if previous is not None:
                _read_page(previous, document)
                previous.page.close()
            _join_cuts(document)
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


@dataclass
class _Box:
    """A cell of a table found on a page: its grid position and its box."""

    r0: int
    c0: int
    r1: int
    c1: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class _Found:
    """A table found on a page: its column and row edges and its cells."""

    bbox: tuple[float, float, float, float]
    xs: list[float]
    ys: list[float]
    boxes: list[_Box]

    def row(self, r: int) -> list[_Box]:
        return sorted((b for b in self.boxes if b.r0 == r), key=lambda b: b.c0)


@dataclass
class _Page:
    """A page's tables and drawn rules, and what the page break links to the next page: the
    chars that only repeat a cut cell's text beyond its page part (ghosts), and the cut
    cells (table index, box) -> (cut id, the vertical offset of the cell's page part)."""

    page: Any
    number: int
    tables: list[_Found]
    rules: list[tuple[float, float, float]]  # drawn horizontal rules: y, x0, x1
    ghosts: set[int] = field(default_factory=set)  # id() of chars
    cuts: dict[tuple[int, int], tuple[int, float]] = field(default_factory=dict)


def _layout_page(page: Any, number: int) -> _Page:
    rules = [(e["top"], e["x0"], e["x1"]) for e in page.edges if e.get("orientation") == "h"]
    if not page.chars:
        return _Page(page, number, [], rules)
    found = page.find_tables(_SETTINGS)
    if found:
        # each table's top and bottom as rules: a merged cell cut by the page break closes
        edges = sorted({round(t.bbox[1], 2) for t in found} | {round(t.bbox[3], 2) for t in found})
        found = page.find_tables({**_SETTINGS, "explicit_horizontal_lines": edges})
    tables = [_found(t) for t in sorted(found, key=lambda t: (t.bbox[1], t.bbox[0]))]
    return _Page(page, number, tables, rules)


def _found(table: Any) -> _Found:
    xs = _merge_close(sorted({round(v, 1) for c in table.cells for v in (c[0], c[2])}))
    ys = _merge_close(sorted({round(v, 1) for c in table.cells for v in (c[1], c[3])}))
    boxes: list[_Box] = []
    for x0, top, x1, bottom in sorted(table.cells, key=lambda c: (c[1], c[0])):
        r0, r1 = _index(ys, top), _index(ys, bottom)
        c0, c1 = _index(xs, x0), _index(xs, x1)
        if r1 <= r0 or c1 <= c0:
            continue
        boxes.append(_Box(r0, c0, r1, c1, x0, top, x1, bottom))
    return _Found(tuple(table.bbox), xs, ys, boxes)


def _ruled(page: _Page, y: float, x0: float, x1: float) -> bool:
    """True when a drawn rule runs along y over (nearly) all of x0..x1."""
    covered = 0.0
    spans = sorted((max(a, x0), min(b, x1)) for top, a, b in page.rules if abs(top - y) <= 1.5)
    reach = x0
    for a, b in spans:
        if b <= reach:
            continue
        covered += b - max(a, reach)
        reach = b
    return covered >= (x1 - x0) - 2


def _inside(ch: dict[str, Any], box: _Box) -> bool:
    x = (ch["x0"] + ch["x1"]) / 2
    y = (ch["top"] + ch["bottom"]) / 2
    return box.x0 <= x <= box.x1 and box.top <= y <= box.bottom


def _link(first: _Page, second: _Page, document: PdfDocument) -> None:
    """A merged cell cut by the page break between `first` and `second`.

    LibreOffice (and other printers) draw such a cell on each page as its part of one tall
    cell: no rule under the part on the first page (none above it on the second, unless a
    repeated header row closes it there), and the cell's text drawn once at its place in the
    whole cell on every page, so that lines which belong to the other page's part are also
    drawn beyond this part's edge: below the table, above it, or over a repeated header row.
    Those repeated lines (ghosts) are found by geometry: a char beyond the part's edge
    whose text and place in the whole cell are those of a char inside the other part. They
    are dropped; the cell's text is the text inside all its parts (`_join_cuts`)."""
    if not first.tables or not second.tables:
        return
    t1, ti1 = first.tables[-1], len(first.tables) - 1
    t2 = second.tables[0]
    if len(t1.xs) != len(t2.xs) or any(abs(p - q) > 2 for p, q in zip(t1.xs, t2.xs, strict=True)):
        return  # another table, not this one going on
    bottom = t1.ys[-1]
    cut = [
        (i, b)
        for i, b in enumerate(t1.boxes)
        if b.r1 == len(t1.ys) - 1 and not _ruled(first, b.bottom, b.x0, b.x1)
    ]
    if not cut:
        document.joins[second.number] = _repeated_rows(first, t1, second, t2, [], t1.ys[-1])
        return
    chars1, chars2 = first.page.chars, second.page.chars
    header = _repeated_rows(first, t1, second, t2, cut, bottom)
    document.joins[second.number] = header
    top = t2.ys[header]
    offset = bottom - top  # the second page's y in the whole cell: y + offset
    row = {(b.c0, b.c1): (i, b) for i, b in enumerate(t2.boxes) if b.r0 == header}
    for i, a in cut:
        match = row.get((a.c0, a.c1))
        if match is None:
            raise InputError(
                f"{document.path.name}: {first.number}쪽 끝에서 잘린 표의 칸이 "
                f"{second.number}쪽 표에서 이어지지 않습니다 (열 {a.c0 + 1}). 칸을 정할 수 "
                "없어 읽지 않습니다."
            )
        j, b = match
        base = first.cuts.get((ti1, i))
        if base is None:
            base = (len(document.cut_chains), 0.0)
            document.cut_chains.append([])
        cut_id, base_offset = base
        second.cuts[(0, j)] = (cut_id, base_offset + offset)
        inside1 = [c for c in chars1 if _inside(c, a)]
        inside2 = [c for c in chars2 if _inside(c, b)]
        # ghosts on the second page: above the part, matching a char inside the first part
        for ch in chars2:
            if _middle(ch) < b.top and _in_columns(ch, b) and _matches(ch, offset, inside1):
                second.ghosts.add(id(ch))
        # ghosts on the first page: below the part, matching a char inside the second part
        for ch in chars1:
            if _middle(ch) > a.bottom and _in_columns(ch, a) and _matches(ch, -offset, inside2):
                first.ghosts.add(id(ch))
        first.cuts.setdefault((ti1, i), base)


def _middle(ch: dict[str, Any]) -> float:
    return (ch["top"] + ch["bottom"]) / 2


def _in_columns(ch: dict[str, Any], box: _Box) -> bool:
    x = (ch["x0"] + ch["x1"]) / 2
    return box.x0 <= x <= box.x1


def _matches(ch: dict[str, Any], offset: float, others: list[dict[str, Any]]) -> bool:
    top = ch["top"] + offset
    return any(
        o["text"] == ch["text"] and abs(o["x0"] - ch["x0"]) <= 0.5 and abs(o["top"] - top) <= 0.5
        for o in others
    )


def _repeated_rows(
    first: _Page, t1: _Found, second: _Page, t2: _Found, cut: list[tuple[int, _Box]], bottom: float
) -> int:
    """How many header rows the second page's table repeats from the first's: its leading
    rows with the same cells and the same text as the first table's, the cut cells' ghosts
    (drawn over a repeated header) left out. 0 when it repeats none."""
    most = 0
    while most < min(len(t1.ys), len(t2.ys)) - 2 and [
        (b.c0, b.c1, b.r1 - b.r0) for b in t1.row(most)
    ] == [(b.c0, b.c1, b.r1 - b.r0) for b in t2.row(most)]:
        most += 1
    for n in range(most, 0, -1):
        offset = bottom - t2.ys[n]
        insides = [[c for c in first.page.chars if _inside(c, a)] for _, a in cut]
        ok = True
        for r in range(n):
            for b1, b2 in zip(t1.row(r), t2.row(r), strict=True):
                if b1.r0 < r or b2.r0 < r:
                    continue
                text1 = _box_text(first.page.chars, b1, first.ghosts)
                ghosts = {
                    id(ch)
                    for ch in second.page.chars
                    if _inside(ch, b2) and any(_matches(ch, offset, ins) for ins in insides)
                }
                if text1 != _box_text(second.page.chars, b2, ghosts):
                    ok = False
        if ok:
            return n
    return 0


def _box_text(chars: list[dict[str, Any]], box: _Box, ghosts: set[int]) -> str:
    own = [c for c in chars if id(c) not in ghosts and _inside(c, box)]
    return "".join(c["text"] for c in sorted(own, key=lambda c: (round(c["top"]), c["x0"])))


def _read_page(data: _Page, document: PdfDocument) -> None:
    page, number = data.page, data.number
    if not page.chars:
        document.page_texts.append("")
        return
    tables = data.tables
    boxes = [t.bbox for t in tables]
    ghosts = data.ghosts

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        if id(obj) in ghosts:
            return False
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
    grids = [
        _grid(t, i, data, len(document.tables) + i + 1, document) for i, t in enumerate(tables)
    ]
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
    for _, _, block in events:
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


def _grid(found: _Found, ti: int, data: _Page, index: int, document: PdfDocument) -> Table:
    """The found table as a grid of cells with their spans; each character goes to the cell
    whose box holds its centre (one pass over the page's characters, not a crop per cell).
    A character in no cell's box is in no cell's text; ghosts (`_link`) in none."""
    from pdfplumber.utils import extract_text

    page = data.page
    xs, ys = found.xs, found.ys
    rows, cols = len(ys) - 1, len(xs) - 1
    owner: list[list[int | None]] = [[None] * cols for _ in range(rows)]
    for at, b in enumerate(found.boxes):
        for r in range(b.r0, b.r1):
            for k in range(b.c0, b.c1):
                if owner[r][k] is None:
                    owner[r][k] = at
    chars: list[list[dict[str, Any]]] = [[] for _ in found.boxes]
    x_lo, x_hi, y_lo, y_hi = xs[0], xs[-1], ys[0], ys[-1]
    stray: list[dict[str, Any]] = []  # inside the table's outline, in no cell
    for ch in page.chars:
        if id(ch) in data.ghosts:
            continue
        x = (ch["x0"] + ch["x1"]) / 2
        y = (ch["top"] + ch["bottom"]) / 2
        if not (x_lo <= x <= x_hi and y_lo <= y <= y_hi):
            continue
        r = min(max(bisect.bisect_right(ys, y) - 1, 0), rows - 1)
        k = min(max(bisect.bisect_right(xs, x) - 1, 0), cols - 1)
        held = owner[r][k]
        if held is not None and _inside(ch, found.boxes[held]):
            chars[held].append(ch)
        elif ch["text"].strip():
            stray.append(ch)
    overflow = _overflow(found, chars, stray, data)
    grid: list[list[Cell | None]] = [[None] * cols for _ in range(rows)]
    cells: list[Cell] = []
    for n, (b, own) in enumerate(zip(found.boxes, chars, strict=True)):
        text = extract_text(own) if own else ""
        cell = Cell(b.r0, b.c0, b.r1 - b.r0, b.c1 - b.c0, (join_lines(text.split("\n")),))
        cells.append(cell)
        cut = data.cuts.get((ti, n))
        if cut is not None:
            cut_id, offset = cut
            shifted = [
                {**ch, "top": ch["top"] + offset, "bottom": ch["bottom"] + offset} for ch in own
            ]
            document.cut_chains[cut_id].append((cell, shifted))
    for r in range(rows):
        for k in range(cols):
            held = owner[r][k]
            grid[r][k] = cells[held] if held is not None else None
    table = Table(index, page.page_number - 1, 0, rows, cols, cells, grid)
    document.columns[id(table)] = xs
    document.row_pages[id(table)] = [page.page_number] * rows
    if overflow is not None:
        document.overflows.append((table, data.number, *overflow))
    for cell in cells:
        document.table_of[id(cell)] = table
    return table


_OVER = 1.0  # points a character's box may reach over its cell's rule (font boxes are loose)


def _overflow(
    found: _Found, chars: list[list[dict[str, Any]]], stray: list[dict[str, Any]], data: _Page
) -> tuple[tuple[str, ...], bool] | None:
    """Text taller than its cell. A printer that does not size rows to a merged cell's text
    (LibreOffice) draws the text over the cell's rules into the cells around it, where it
    would read interleaved with theirs. Found by geometry: a character whose box crosses a
    drawn rule of the cell its centre is in, or one inside the table's outline in no cell.
    The cells' texts, and whether a number cell is affected (its own text, or what crosses
    into it, a figure); None when nothing crosses."""
    crossing = []
    for box, own in zip(found.boxes, chars, strict=True):
        over = [ch for ch in own if _crosses(ch, box, data)]
        if over:
            crossing.append((own, over))
    if not crossing and not stray:
        return None
    texts: list[str] = []
    number = False
    for own, over in crossing:
        over_ids = {id(ch) for ch in over}
        rest = _chars_text([ch for ch in own if id(ch) not in over_ids])
        number = number or _is_figure(rest) or _is_figure(_chars_text(over))
        texts.append(_chars_text(own))
    if stray:
        texts.append(_chars_text(stray))
    return tuple(texts), number


def _crosses(ch: dict[str, Any], box: _Box, data: _Page) -> bool:
    x0, x1 = ch["x0"], ch["x1"]
    if ch["top"] < box.top - _OVER and _ruled(data, box.top, x0, x1):
        return True
    return ch["bottom"] > box.bottom + _OVER and _ruled(data, box.bottom, x0, x1)


def _chars_text(chars: list[dict[str, Any]]) -> str:
    from pdfplumber.utils import extract_text

    ordered = sorted(chars, key=lambda c: (round(c["top"]), c["x0"]))
    return join_lines(extract_text(ordered).split("\n")) if ordered else ""


def _is_figure(text: str) -> bool:
    """A number cell's text: a figure (`12`, `△3.5`, `1,234`)."""
    raw = _nospace(text).rstrip("%")
    return bool(raw) and parse_number(raw) is not None


def _join_cuts(document: PdfDocument) -> None:
    """Each cell cut by page breaks: every part holds the text of all its parts, read in
    their places in the whole cell (a part's name is the cell's name on its page too)."""
    from pdfplumber.utils import extract_text

    for cut_id, parts in enumerate(document.cut_chains):
        chars = [ch for _, own in parts for ch in own]
        text = extract_text(sorted(chars, key=lambda c: (c["top"], c["x0"]))) if chars else ""
        joined = join_lines(text.split("\n"))
        for cell, _ in parts:
            table = document.table_of[id(cell)]
            now = table.grid[cell.row][cell.col]  # the cell, or what replaced it since
            if now is not None:
                new = Cell(*_pos(now), (joined,))
                _replace(table, now, new)
                document.cut_of[id(new)] = cut_id
    _merge_continued(document)


def _merge_continued(document: PdfDocument) -> None:
    """A table that goes on from the previous page's table without repeating its header
    (same columns, nothing but page furniture between) is one table with it: its rows are
    appended, and a cell cut by the break is one cell over the rows of both parts. A table
    over three pages or more is appended to part by part (the previous page is the page of
    the merged table's last row)."""
    blocks: list[Paragraph | Table] = []
    tables = document.tables
    for block in document.blocks:
        previous = blocks[-1] if blocks else None
        if (
            isinstance(block, Table)
            and isinstance(previous, Table)
            and document.joins.get(block.section + 1) == 0
            and document.row_pages[id(previous)][-1] == block.section
            and _same_columns(document, previous, block)
            and _follows(tables, previous, block, document)
        ):
            blocks[-1] = _appended(document, previous, block)
        else:
            blocks.append(block)
    document.blocks = blocks


def _follows(tables: list[Table], previous: Table, table: Table, document: PdfDocument) -> bool:
    """True when `table` is the first table of its page and the table before it (as read,
    before merging) is `previous`, or its last part."""
    i = next(k for k, t in enumerate(tables) if t is table)
    if i == 0:
        return False
    before: Table | None = tables[i - 1]
    while before is not None and before is not previous:
        before = document.merged.get(id(before))
    return before is previous


def _appended(document: PdfDocument, top: Table, bottom: Table) -> Table:
    rows = top.rows + bottom.rows
    grid: list[list[Cell | None]] = [list(r) for r in top.grid] + [
        [None] * bottom.cols for _ in range(bottom.rows)
    ]
    cells = list(top.cells)
    last = top.rows - 1
    for cell in bottom.cells:
        cut = document.cut_of.get(id(cell))
        above = top.grid[last][cell.col] if cell.row == 0 else None
        if cut is not None and above is not None and document.cut_of.get(id(above)) == cut:
            new = Cell(
                above.row, above.col, above.row_span + cell.row_span, above.col_span, above.lines
            )
            cells[cells.index(above)] = new
            for r in range(above.row, top.rows):
                for k in range(above.col, above.col + above.col_span):
                    grid[r][k] = new
        else:
            new = Cell(cell.row + top.rows, cell.col, cell.row_span, cell.col_span, cell.lines)
            cells.append(new)
        document.cut_of[id(new)] = cut if cut is not None else -1
        for r in range(cell.row, cell.row + cell.row_span):
            for k in range(cell.col, cell.col + cell.col_span):
                grid[r + top.rows][k] = new
    table = Table(top.index, top.section, top.depth, rows, top.cols, cells, grid)
    document.merged[id(top)] = document.merged[id(bottom)] = table
    document.columns[id(table)] = document.columns[id(top)]
    document.row_pages[id(table)] = document.row_pages[id(top)] + document.row_pages[id(bottom)]
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
    from .records import HeaderError, document_from_blocks

    name = path.name
    document = read_pdf(path)
    if document.pages == 0:
        raise InputError(
            f"{name}: 쪽이 없는 PDF입니다 (0쪽). 원본 문서에서 PDF를 다시 만들어 넣어 주세요."
        )
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
        except HeaderError as exc:  # a header naming its columns otherwise: the page too
            table = exc.table
            while id(table) in document.merged:
                table = document.merged[id(table)]
            pages = document.row_pages.get(id(table)) or []
            if exc.row < len(pages):
                raise InputError(f"{exc} (PDF {pages[exc.row]}쪽)") from None
            raise
        except ParseError as exc:
            reason = str(exc)
        else:
            _name_pages(records.warnings, document, rendering)
            _report_overflows(records.warnings, document, rendering)
            for page, text in document.unexplained:
                records.warnings.append(
                    ParseWarning(None, kind=Kind.PDF_MARK_UNEXPLAINED, page=page, text=text)
                )
            return records, TextDocument(path, rendering.text, "pdf", "")
    return _from_text(document, corrections, reason)


def _report_overflows(warnings: list[ParseWarning], document: PdfDocument, rendering: Any) -> None:
    """Text taller than its cell (`_overflow`) in a table that was read: a finding naming the
    page and the cells' texts, or a refusal when a number cell is affected. A table left out
    (not the document's, `Kind.BLOCKS_NOT_READ`: a chart's gridlines read as a table, say)
    is not read, so its cells do not matter."""
    left = [
        w.get("lines")
        for w in warnings
        if w.kind is Kind.BLOCKS_NOT_READ and w.get("reason") == "foreign"
    ]
    for table, page, texts, number in document.overflows:
        while id(table) in document.merged:
            table = document.merged[id(table)]
        first, last = rendering.block_line.get(id(table), (0, -1))
        if any(a <= first and last <= b for a, b in left):
            continue
        named = ", ".join(f"'{t}'" for t in texts)
        if number:
            raise InputError(
                f"{document.path.name}: {page}쪽 표에서 칸보다 긴 글이 칸 밖으로 넘쳐 "
                f"숫자 칸에 겹쳐 있습니다 ({named}). 숫자를 정할 "
                "수 없어 읽지 않습니다. 원본에서 행 높이를 글에 맞춘 뒤 다시 인쇄해 주세요."
            )
        warnings.append(ParseWarning(None, kind=Kind.PDF_TEXT_OVERFLOW, page=page, texts=texts))


def _name_pages(warnings: list[ParseWarning], document: PdfDocument, rendering: Any) -> None:
    """Findings about blocks left out (`Kind.BLOCKS_NOT_READ`) name their pages too."""
    page_of: dict[int, int] = {}
    for block in document.blocks:
        first, last = rendering.block_line[id(block)]
        pages = document.row_pages.get(id(block)) if isinstance(block, Table) else None
        for n, line in enumerate(range(first, last + 1)):
            page_of[line] = pages[n] if pages and n < len(pages) else block.section + 1
    for i, w in enumerate(warnings):
        if w.kind is Kind.BLOCKS_NOT_READ:
            first, last = w.get("lines")
            if first in page_of and last in page_of:
                warnings[i] = w.replace(pages=(page_of[first], page_of[last]))


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
    # the page texts hold every table's text as drawn: text over its cell's rules mixed in
    records.warnings[:0] = [
        ParseWarning(None, kind=Kind.PDF_TEXT_OVERFLOW, page=page, texts=texts)
        for _, page, texts, _ in document.overflows
    ]
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
