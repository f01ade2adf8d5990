"""Small text helpers shared by the parsers: numbers, widths, spacing."""

from __future__ import annotations

import re

from ..model import Number

# Full-width digits and punctuation that Windows tools and PDF extractors produce.
_FULLWIDTH = str.maketrans("０１２３４５６７８９，．－＋％", "0123456789,.-+%")

# A number as documents print it: thousands separators, decimals, △ or "-" for negatives.
NUMBER = r"(?:△\s?|▲\s?|-)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(rf"^{NUMBER}$")
MAX_DIGITS = 16  # 15 significant digits is all a spreadsheet keeps


_FULLWIDTH_RE = re.compile("[０-９，．－＋％]")


def has_fullwidth(text: str) -> bool:
    """Does the text hold any character fold_digits() would change?"""
    return _FULLWIDTH_RE.search(text) is not None


def fold_digits(text: str) -> str:
    """Full-width digits, commas and signs to ASCII; everything else unchanged."""
    return text.translate(_FULLWIDTH)


def parse_number(token: str) -> Number | None:
    """Parse a printed number. △1,234 → -1234; "100.0" stays float; "-" alone → None.

    Returns None for anything that is not a number. A number in parentheses is not
    negative (domain rule), so "(1,234)" is not accepted here at all.
    """
    token = token.strip()
    if not token.isascii():
        token = fold_digits(token)
    if token in ("", "-", "–", "—"):
        return None
    if not NUMBER_RE.match(token):
        return None
    negative = token[0] in "△▲-"
    digits = token.lstrip("△▲- ").replace(",", "")
    if len(digits) > MAX_DIGITS:
        return None  # not a figure any document prints; never let it reach arithmetic
    value: Number = float(digits) if "." in digits else int(digits)
    return -value if negative else value


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
