"""Document numbers: how they are read from text and written back, and when two are equal.

One grammar and one formatter for every part of xlgen (the parsers, the layouts, the export,
the CLI and the importer), so that "△1,234" means the same thing everywhere.

Reading (`read`, `parse`):

- Full-width digits and punctuation ("１２３", "，", "．", "－", "％", "（", "）") are read as
  their ASCII forms (`fold`, one table: `FULLWIDTH`).
- A negative is written with △ (also ▲ or ▵) or a minus sign (-, −, –): "△231" is −231.
- Thousands separators must group by three ("1,234,567"); a decimal part keeps the number a
  ``float`` ("100.0" stays 100.0, "100" is the int 100).
- A trailing "%" is allowed and reported (`Reading.percent`); the value is the number printed
  (85% → 85), never a fraction.
- A number in parentheses, "(1,234)", is **not** negative (domain rule: documents do not use
  the accounting convention). `parse` reads it as 1234; `read` also says it was
  parenthesised, so a caller that must not guess (the importer: Excel users type "(1,234)"
  meaning −1234) can refuse it.
- Spaces inside a token are ignored ("△ 231", "1 234").
- More than `MAX_DIGITS` digits is not a figure any document prints: not a number.

Writing (`format_number`): thousands separators and △ for negatives by default, as the
documents print them; options choose the few variants callers need (a minus sign, no
grouping, fixed decimals, keeping a whole float's decimal point, the text for a blank).

Comparing (`same`): equal, or within `REL_TOL` of the larger magnitude. A workbook keeps
about 16 significant digits, so a value that went through one may differ in the last bits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

Number = int | float

# Full-width forms of the characters numbers are written with, as Windows tools and PDF
# extractors produce them. The only full-width table of xlgen.
FULLWIDTH = str.maketrans("０１２３４５６７８９，．－＋％（）：", "0123456789,.-+%():")
_FULLWIDTH_RE = re.compile("[０-９，．－＋％（）：]")

NEGATIVE_SIGNS = "△▲▵-−–"
"""Characters that make a number negative when written before it."""

DASHES = ("-", "–", "—", "−", "ㅡ")
"""A dash alone in a number cell: no value (or 0 in a count column, as the caller decides)."""

MAX_DIGITS = 16
"""Digits a number may have (integer and decimal part): a spreadsheet keeps 15 significant."""

REL_TOL = 1e-12
"""Relative tolerance of `same`: the last bits a round trip through a workbook may change."""

# A bare number token as documents print it (after `fold`): an optional △ or "-" sign,
# grouped or plain digits, an optional decimal part. Table parsers use it to recognise a
# number cell; `read` accepts a little more (parentheses, %, the other minus signs).
NUMBER = r"(?:△\s?|▲\s?|-)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(rf"^{NUMBER}$")

_READ_RE = re.compile(
    rf"(?P<sign>[{re.escape(NEGATIVE_SIGNS)}]?)(?P<int>\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(?P<frac>\d+))?"
    r"(?P<pct>%?)"
)


@dataclass(frozen=True, slots=True)
class Reading:
    """A number read from text, with what the text showed besides its value."""

    value: Number
    percent: bool = False  # written with a trailing "%"
    parenthesised: bool = False  # written as "(1,234)"


def has_fullwidth(text: str) -> bool:
    """Does the text hold any character `fold` would change?"""
    return _FULLWIDTH_RE.search(text) is not None


def fold(text: str) -> str:
    """Full-width digits and number punctuation to ASCII; everything else unchanged."""
    return text.translate(FULLWIDTH)


def read(text: str) -> Reading | None:
    """Read one printed number; None when the text is not one (see the module docstring)."""
    token = text if text.isascii() else fold(text)
    token = (
        token.replace(" ", "").replace("\u00a0", "") if " " in token or "\u00a0" in token else token
    )
    parenthesised = len(token) > 2 and token[0] == "(" and token[-1] == ")"
    if parenthesised:
        token = token[1:-1]
    m = _READ_RE.fullmatch(token)
    if m is None:
        return None
    whole, frac = m.group("int").replace(",", ""), m.group("frac")
    if len(whole) + len(frac or "") > MAX_DIGITS:
        return None  # not a figure any document prints; never let it reach arithmetic
    value: Number = float(f"{whole}.{frac}") if frac is not None else int(whole)
    if m.group("sign"):
        value = -value
    return Reading(value, percent=bool(m.group("pct")), parenthesised=parenthesised)


def parse(text: str) -> Number | None:
    """The value of one printed number, or None: "△1,234" → -1234, "100.0" → 100.0,
    "(1,234)" → 1234 (not negative), "85%" → 85, "-" or "" → None."""
    reading = read(text)
    return None if reading is None else reading.value


def value_of(token: str) -> Number | None:
    """The value of a token already known to match `NUMBER_RE` (or "-", which is None).

    The fast path of table parsers that have matched the token themselves; `parse` for any
    other text.
    """
    if token == "-":
        return None
    negative = token[0] in "△▲-"
    digits = token.lstrip("△▲- ").replace(",", "") if negative or "," in token else token
    if len(digits) > MAX_DIGITS:
        return None  # not a figure any document prints; never let it reach arithmetic
    value: Number = float(digits) if "." in digits else int(digits)
    return -value if negative else value


def is_number(value: Any) -> bool:
    """An int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same(a: Any, b: Any) -> bool:
    """Equal, or two numbers within `REL_TOL` of the larger one (100 and 100.0 are the same)."""
    if a == b:
        return True
    if is_number(a) and is_number(b):
        return abs(a - b) <= REL_TOL * max(abs(a), abs(b))
    return False


def format_number(
    value: Number | None,
    *,
    blank: str = "",
    negative: str = "△",
    grouping: bool = True,
    places: int | None = None,
    whole: Literal["int", "point", "always"] = "int",
) -> str:
    """A number as the documents print it: "1,234", "△231", "99.8".

    - ``blank``: the text for None.
    - ``negative``: the sign written before a negative ("△", or "-" for a minus).
    - ``grouping``: thousands separators.
    - ``places``: decimals of a non-whole value (None: as many as the value has).
    - ``whole``: how a value with no fractional part shows: "int" drops a float's point
      (100.0 → "100"); "point" keeps it (100.0 → "100.0"); "always" gives every value,
      ints too, its ``places`` decimals (10 → "10.00").
    """
    if value is None:
        return blank
    magnitude: Number = -value if value < 0 else value
    sign = negative if value < 0 else ""
    comma = "," if grouping else ""
    if whole == "always" and places is not None:
        return f"{sign}{float(magnitude):{comma}.{places}f}"
    if isinstance(magnitude, float) and magnitude.is_integer() and whole == "int":
        magnitude = int(magnitude)
    if isinstance(magnitude, float) and places is not None:
        if magnitude.is_integer():
            return f"{sign}{magnitude:{comma}.{max(places, 1)}f}"
        return f"{sign}{magnitude:{comma}.{places}f}"
    return f"{sign}{magnitude:{comma}}"
