"""Terminal tables measured by display width: Hangul and other East Asian wide characters
take two columns (wcwidth, the reference implementation of POSIX wcwidth()).

Two renderings of one table: for a terminal, columns padded to line up under a header and a
rule; for a pipe or file, plain tab-separated lines with the header first, so that other
programs (cut, awk, a spreadsheet) can read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from wcwidth import wcswidth, wcwidth

from .numbers import format_number


def width(text: str) -> int:
    """Display width of ``text``; characters with no width of their own count 0."""
    size = wcswidth(text)
    if size >= 0:
        return size
    return sum(max(wcwidth(ch), 0) for ch in text)  # control characters inside


def pad(text: str, size: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``size`` display columns (">" pads on the left)."""
    fill = " " * max(0, size - width(text))
    return fill + text if align == ">" else text + fill


def wrap(text: str, size: int) -> list[str]:
    """Greedy word wrap to ``size`` display columns (a word longer than that stays whole)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and width(candidate) > size:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines or [""]


def cell(value: Any) -> str:
    """How a value appears in a table cell: blank for None, numbers as the documents print
    them (xlgen.numbers: "1,234", "△231", a float keeps its point: "100.0")."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, whole="point")
    return str(value)


def raw(value: Any) -> str:
    """A value for a program to read: blank for None, no separators, a minus sign."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def render(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    align: str = "",
    plain: bool = False,
    indent: str = "",
) -> list[str]:
    """The lines of a table. ``align`` holds one "<" or ">" per column (default "<").

    ``plain``: tab-separated, header first, no padding, numbers as programs read them (-231,
    6600); tabs and line breaks inside a cell become spaces so every record stays one line.
    """
    texts = [[(raw if plain else cell)(v) for v in row] for row in rows]
    if plain:
        clean = [[" ".join(t.split()) for t in row] for row in texts]
        return ["\t".join(headers)] + ["\t".join(row) for row in clean]
    sizes = [width(h) for h in headers]
    for row in texts:
        for n, text in enumerate(row):
            sizes[n] = max(sizes[n], width(text))
    aligns = [align[n] if n < len(align) else "<" for n in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        cells = [pad(v, sizes[n], aligns[n]) for n, v in enumerate(values)]
        return (indent + "  ".join(cells)).rstrip()

    out = [line(headers), indent + "  ".join("-" * s for s in sizes)]
    out.extend(line(row) for row in texts)
    return out
