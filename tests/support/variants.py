"""Content-preserving variations of an extracted-text document, applied to its text.

Each variation changes only how the text was extracted or saved (spacing, invisible
characters, look-alike characters, page footers, encodings), never what the document says.
A parser that trusts the content reads every variant to the same records as the original,
or refuses it with a message; see tests/test_parse_variants.py.

`lines_kept` says whether a variation keeps every line where it was (so that the records'
line numbers can be compared as well).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# A numbers cell as the documents print it.
_CELL = r"(?:△\s?)?\d[\d,]*(?:\.\d+)?|-"
_ANCHOR_TAIL = re.compile(rf"(\S+ (?:{_CELL}) (?:{_CELL}) )(\d[\d,]*(?:\.\d+)?)(\s*)$")
_GROUPED = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def strip_leading(text: str) -> str:
    """What a text clean-up does: every line's leading spaces removed (tabs kept)."""
    return "\n".join(line.lstrip(" ") for line in _lines(text))


def strip_leading_all(text: str) -> str:
    """Every line's leading white space removed, tabs included."""
    return "\n".join(line.lstrip() for line in _lines(text))


def note_after(text: str) -> str:
    """A note line after the last table."""
    return text.rstrip("\n") + "\n\n※ 자료: 각 부서 제출 자료 (2020. 1. 기준)\n"


def dos_eof(text: str) -> str:
    """A DOS end-of-file byte after the last line."""
    return text + "\x1a"


def nfd(text: str) -> str:
    """Hangul decomposed into jamo, as macOS saves file names and some text."""
    return unicodedata.normalize("NFD", text)


def minus(sign: str) -> Callable[[str], str]:
    """△ written as another minus or dash look-alike (U+2212 and friends)."""

    def mutate(text: str) -> str:
        return re.sub(r"△\s?(?=\d)", sign, text)

    mutate.__name__ = f"minus_{ord(sign):04x}"
    return mutate


def zero_width_after_marks(text: str) -> str:
    """A zero-width space after every ▢ and at the start of every heading name."""
    return text.replace("▢", "▢\u200b").replace("□", "□\u200b")


def zero_width_everywhere(text: str) -> str:
    """Invisible characters sprinkled through the text: after the first character of every
    line, inside numbers, before line ends."""
    out = []
    marks = ["\u200b", "\ufeff", "\u2060", "\u200c", "\u200d", "\u00ad"]
    for i, line in enumerate(_lines(text)):
        if len(line) > 2:
            z = marks[i % len(marks)]
            line = line[:1] + z + line[1:-1] + z + line[-1:]
            line = re.sub(r"(\d),(\d)", rf"\1,{z}\2", line, count=1)
        out.append(line)
    return "\n".join(out)


FOOTER_STYLES = {
    "dash": "- {n} -",
    "emdash": "— {n} —",
    "minus": "− {n} −",
    "endash": "– {n} –",
    "slash": "{n} / 40",
    "page": "Page {n}",
    "page_of": "Page {n} of 40",
    "korean": "{n}쪽",
    "dash_slash": "- {n} / 40 -",
}


def footers(style: str, every: int = 37) -> Callable[[str], str]:
    """A page-footer line (in the given style) after every `every`-th line; some land between
    two lines of a wrapped name, as page breaks do."""
    pattern = FOOTER_STYLES[style]

    def mutate(text: str) -> str:
        out = []
        page = 1
        for i, line in enumerate(_lines(text), 1):
            out.append(line)
            if i % every == 0:
                out.append(pattern.format(n=page))
                page += 1
        return "\n".join(out)

    mutate.__name__ = f"footers_{style}"
    return mutate


def percent_rates(text: str) -> str:
    """A % sign after every printed rate (the last cell of a numbers line)."""
    out = []
    for line in _lines(text):
        line = _ANCHOR_TAIL.sub(lambda m: m.group(1) + m.group(2) + "%" + m.group(3), line)
        out.append(line)
    return "\n".join(out)


def separators(space: str) -> Callable[[str], str]:
    """Thousands separators printed as a (thin, narrow, no-break) space instead of a comma."""

    def mutate(text: str) -> str:
        return _GROUPED.sub(space, text)

    mutate.__name__ = f"separators_{ord(space):04x}"
    return mutate


def nbsp_spaces(text: str) -> str:
    """Every second ordinary space a no-break space."""
    out = []
    for line in _lines(text):
        parts = line.split(" ")
        line = "".join(
            p + ("" if k == len(parts) - 1 else ("\u00a0" if k % 2 else " "))
            for k, p in enumerate(parts)
        )
        out.append(line)
    return "\n".join(out)


def ideographic_spaces(text: str) -> str:
    """Every space between words an ideographic space (U+3000)."""
    return re.sub(r"(?<=\S) (?=\S)", "\u3000", text)


def fullwidth_digits(text: str) -> str:
    """Digits, commas and percent signs in full width."""
    return text.translate(_DIGITS).replace("%", "％")


def mark_mieum(text: str) -> str:
    """ㅁ typed for ▢."""
    return text.replace("▢", "ㅁ")


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def twice(text: str) -> str:
    """The document pasted twice."""
    return text.rstrip("\n") + "\n\n" + text


@dataclass(frozen=True)
class Variant:
    name: str
    mutate: Callable[[str], str]
    lines_kept: bool = True


def variants() -> list[Variant]:
    """Variations that must read to the original's records exactly."""
    same_lines = [
        strip_leading,
        strip_leading_all,
        dos_eof,
        nfd,
        minus("\u2212"),
        minus("\u2012"),
        minus("\u2013"),
        minus("\ufe63"),
        minus("\uff0d"),
        zero_width_after_marks,
        zero_width_everywhere,
        percent_rates,
        separators("\u2009"),
        separators("\u202f"),
        separators("\u00a0"),
        nbsp_spaces,
        ideographic_spaces,
        fullwidth_digits,
        mark_mieum,
        crlf,
        note_after,
    ]
    shifted = [footers(style) for style in FOOTER_STYLES]
    return [Variant(f.__name__, f) for f in same_lines] + [
        Variant(f.__name__, f, lines_kept=False) for f in shifted
    ]


def compose(*fns: Callable[[str], str]) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        for fn in fns:
            text = fn(text)
        return text

    mutate.__name__ = "+".join(f.__name__ for f in fns)
    return mutate
