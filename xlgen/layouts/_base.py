"""Shared sheet machinery: formats from the template, titles, print setup, row heights."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..parse._text import width as text_width

# Excel's default column: one character unit ≈ 7 px at 96 dpi, plus 5 px of padding.
PX_PER_CHAR = 7
PT_PER_PX = 0.75
# LibreOffice draws the same column wider: measured on 7.4 (a 110-character column,
# stored as 110.71, printed 616 pt wide at 100 %), 5.56 pt per stored character unit.
LO_PT_PER_CHAR = 5.57


class SheetRow(Protocol):
    """One row of a sheet as a reader gives it (xlgen.xlsx.CellData is one)."""

    @property
    def index(self) -> int: ...  # zero-based row index

    @property
    def values(self) -> list[Any]: ...  # by zero-based column; None where empty

    @property
    def percent(self) -> frozenset[int]: ...  # columns holding a percentage-formatted number


class RowSource(Protocol):
    """A sheet's rows, in order, read afresh on each call: the first `limit` rows (all
    without one), leaving the columns in `skip` unread (None)."""

    def __call__(
        self, *, skip: frozenset[int] = frozenset(), limit: int | None = None
    ) -> Iterable[SheetRow]: ...


def quote_sheet(name: str) -> str:
    """A sheet name as a formula reference: 'Ⅲ 부서별현황'."""
    return "'" + name.replace("'", "''") + "'"


def col_letter(col: int) -> str:
    """Column letters from a zero-based index: 0 → "A", 26 → "AA"."""
    return xl_col_to_name(col)


def cell(row: int, col: int, *, absolute: bool = False) -> str:
    """A1 reference from zero-based row/col."""
    if absolute:
        return f"${col_letter(col)}${row + 1}"
    return f"{col_letter(col)}{row + 1}"


class Styles:
    """Formats built once per workbook from the template (xlsxwriter formats must not be
    shared across workbooks)."""

    def __init__(self, workbook: Workbook, template: dict[str, Any]):
        self.workbook = workbook
        self.t = template
        self._cache: dict[tuple, Any] = {}
        font = template.get("font", {})
        self.font_name = font.get("name", "맑은 고딕")
        self.font_size = font.get("size", 10)
        self.colors = template.get("colors", {})
        self.numbers = template.get("number_formats", {})

    def get(self, **props: Any) -> Any:
        """A cached format with the template font plus `props`."""
        key = tuple(sorted(props.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            base = {"font_name": self.font_name, "font_size": self.font_size, "valign": "vcenter"}
            base.update(props)
            fmt = self.workbook.add_format(base)
            self._cache[key] = fmt
        return fmt

    def title(self) -> Any:
        return self.get(
            bold=True, font_size=self.t.get("font", {}).get("title_size", 15), valign="vcenter"
        )

    def unit(self) -> Any:
        return self.get(align="right", font_size=self.font_size - 1)

    def header(self, **extra: Any) -> Any:
        return self.get(
            bold=True,
            align="center",
            text_wrap=True,
            border=1,
            border_color=self.colors.get("border", "#000000"),
            bg_color=self.colors.get("header_fill", "#D9E1F2"),
            **extra,
        )

    def box(self, **extra: Any) -> Any:
        """A bordered body cell."""
        props = {
            "border": 1,
            "border_color": self.colors.get("border", "#000000"),
            "text_wrap": True,
        }
        props.update(extra)
        return self.get(**props)

    def number(self, decimals: int = 0, **extra: Any) -> Any:
        name = "integer" if decimals <= 0 else f"decimal{min(decimals, 3)}"
        return self.box(num_format=self.numbers.get(name, "#,##0"), align="right", **extra)

    def input(self, decimals: int = 0) -> Any:
        """An unlocked input cell (실적)."""
        name = "integer" if decimals <= 0 else f"decimal{min(decimals, 3)}"
        return self.box(
            num_format=self.numbers.get(name, "#,##0"),
            align="right",
            locked=False,
            bg_color=self.colors.get("input_fill", "#FFF2CC"),
        )


def decimals_of(*values: Any) -> int:
    """How many decimals a value was printed with (100.0 → 1, 26.5 → 1, 100 → 0)."""
    best = 0
    for v in values:
        if isinstance(v, float):
            text = repr(v)
            if "e" in text or "E" in text:
                continue
            frac = text.split(".")[1] if "." in text else ""
            best = max(best, len(frac.rstrip("0")) or (1 if v.is_integer() else 0))
    return min(best, 3)


def lines_needed(text: str, column_chars: float) -> int:
    """How many wrapped lines `text` takes in a column `column_chars` wide."""
    if not text:
        return 1
    usable = max(1.0, column_chars - 1)
    return max(
        1, sum(math.ceil(max(1, text_width(part)) / usable) for part in str(text).split("\n"))
    )


def row_height(template: dict[str, Any], lines: int) -> float:
    rows = template.get("rows", {})
    return rows.get("height", 20) + rows.get("line_height", 13.5) * max(0, lines - 1)


def column_points(widths: list[float]) -> float:
    """Printed width of columns, in points: the wider of Excel's and LibreOffice's."""
    excel = sum(int(w * PX_PER_CHAR + 5) * PT_PER_PX for w in widths)
    libreoffice = sum((w + 5 / PX_PER_CHAR) * LO_PT_PER_CHAR for w in widths)
    return max(excel, libreoffice)


def fit_scale(template: dict[str, Any], widths: list[float]) -> int:
    """Print scale (%) that fits `widths` to the page width in Excel and LibreOffice.

    Used instead of "fit to one page wide" where a sheet runs over several pages:
    LibreOffice 7.4 under that setting can count one page more than it fills and print it
    blank (검토사항 did), and Excel ignores manual page breaks under it."""
    return max(10, min(100, int(printable_width_points(template) / column_points(widths) * 100)))


def page_setup(ws: Worksheet, template: dict[str, Any], *, fit_width: bool = True) -> None:
    """A4 landscape, margins, "- n -" footer; fit to one page wide when asked."""
    page = template.get("page", {})
    ws.set_paper(page.get("paper", 9))
    if page.get("landscape", True):
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(
        left=page.get("margin_left", 0.5),
        right=page.get("margin_right", 0.5),
        top=page.get("margin_top", 0.6),
        bottom=page.get("margin_bottom", 0.7),
    )
    ws.set_footer(page.get("footer", "&C- &P -"))
    ws.center_horizontally()
    if fit_width:
        ws.fit_to_pages(1, 0)


def printable_width_points(template: dict[str, Any]) -> float:
    page = template.get("page", {})
    paper_w, paper_h = 595.3, 841.9  # A4 portrait, points
    w = paper_h if page.get("landscape", True) else paper_w
    return w - 72 * (page.get("margin_left", 0.5) + page.get("margin_right", 0.5))


def printable_height_points(template: dict[str, Any]) -> float:
    """The page height left for rows (A4, the template's orientation and margins)."""
    page = template.get("page", {})
    paper_w, paper_h = 595.3, 841.9  # A4 portrait, points
    h = paper_w if page.get("landscape", True) else paper_h
    return h - 72 * (page.get("margin_top", 0.6) + page.get("margin_bottom", 0.7))


def page_breaks(
    heights: list[float], *, first_page: float, page: float, min_last: int = 2
) -> list[int]:
    """Indexes (into `heights`) before which a new page starts, filling each page up to
    `page` points (`first_page` for the first, which holds the titles too), so that the
    last page never holds fewer than `min_last` rows when a page can be shared.

    Breaks are computed here rather than left to the spreadsheet, which would leave a
    lonely last row on a page of its own (it then reads as a blank page)."""
    breaks: list[int] = []
    used, room = 0.0, first_page
    for i, h in enumerate(heights):
        if used + h > room and used > 0:
            breaks.append(i)
            used, room = 0.0, page
        used += h
    if breaks and len(heights) - breaks[-1] < min_last:
        start = breaks[-2] if len(breaks) > 1 else 0
        moved = len(heights) - min_last
        if moved - start >= min_last and sum(heights[moved:]) <= page:
            breaks[-1] = moved
    return breaks


def set_widths(ws: Worksheet, widths: list[float]) -> None:
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)


def fill(template: dict[str, Any], text: str, **values: Any) -> str:
    """Fill {year}, {org}, {threshold} placeholders; unknown ones stay as they are."""

    class _Keep(dict):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return text.format_map(_Keep({k: ("" if v is None else v) for k, v in values.items()}))


# --------------------------------------------------------------------------- printed values


def marks_on(template: Mapping[str, Any]) -> bool:
    """Whether a printed figure that differs from its formula is marked on the sheet."""
    return bool(template.get("printed_values", {}).get("show", True))


def mark_of(template: Mapping[str, Any]) -> str:
    return str(template.get("printed_values", {}).get("mark", "※"))


def marked_number_format(code: str, mark: str) -> str:
    """`code` with `mark` shown after the number in every section: '0;"△"0' →
    '0"※";"△"0"※"', so the cell stays a number (a live formula) and prints "142※"."""
    quoted = '"' + mark.replace('"', "") + '"'
    sections: list[str] = []
    current: list[str] = []
    in_quote = False
    for ch in code:
        if ch == '"':
            in_quote = not in_quote
        if ch == ";" and not in_quote:
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
    sections.append("".join(current))
    return ";".join(s + quoted if "@" not in s else s for s in sections)


def footnote(template: dict[str, Any], item: str, printed: str, computation: str) -> str:
    """ "※ 청렴도 향상 시책 추진: 문서 인쇄값 150 (실적 37 ÷ 목표 26 = 142)", from the template."""
    conf = template.get("printed_values", {})
    pattern = conf.get("footnote", "{mark} {item}: 문서 인쇄값 {printed} ({computation})")
    return fill(
        template,
        pattern,
        mark=mark_of(template),
        item=item,
        printed=printed,
        computation=computation,
    )
