"""Small text helpers shared by the parsers: widths, spacing (numbers: xlgen.numbers)."""

from __future__ import annotations

import re

# Numbers are read by xlgen.numbers alone; these names stay for the parsers' imports.
from ..numbers import MAX_DIGITS, NUMBER, NUMBER_RE, has_fullwidth
from ..numbers import fold as fold_digits
from ..numbers import parse as parse_number

__all__ = ["MAX_DIGITS", "NUMBER", "NUMBER_RE", "fold_digits", "has_fullwidth", "parse_number"]


def squash(text: str) -> str:
    """Collapse runs of white space to one space and strip."""
    return " ".join(text.split())


def nospace(text: str) -> str:
    """Remove all white space: "감 사 담 당 관" → "감사담당관"."""
    return "".join(text.split())


# East Asian wide and full-width ranges (Hangul, CJK, full-width forms): what
# unicodedata.east_asian_width() calls "W" or "F", as one regex for speed.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)


def width(text: str) -> int:
    """Display width: wide (Hangul, CJK) characters count 2, others 1."""
    return len(text) + len(_WIDE.findall(text))


def widest(texts: list[str], default: int) -> int:
    """max(width(squash(t))) over the texts, looking closely only at texts long enough to
    beat the widest so far (a text is never wider than twice its length)."""
    best = default if not texts else -1
    for text in sorted(texts, key=len, reverse=True):
        if 2 * len(text) <= best:
            break
        best = max(best, width(squash(text)))
    return best


def dedupe_repeat(text: str) -> str:
    """A title extracted several times in a row: "TT", "T T" or "TTT" → "T"."""
    s = text.strip()
    compact = nospace(s)
    for n in range(2, 6):
        if compact and len(compact) % n == 0:
            size = len(compact) // n
            if compact[:size] * n == compact:
                seen = 0
                for i, ch in enumerate(s):  # cut after the first copy's last character
                    if not ch.isspace():
                        seen += 1
                        if seen == size:
                            return s[: i + 1].strip()
    return s
