"""One normalisation layer, applied to a document's lines before either parser reads them.

The same document reaches xlgen through many extraction tools and editors. What differs
between their outputs, without the document saying anything different, is normalised here
and nowhere else:

- Unicode NFC: Hangul saved decomposed (NFD, as macOS does) is composed again;
- zero-width characters, soft hyphens, direction marks and byte-order marks, anywhere
  (a BOM lands mid-text where two files were joined);
- no-break, ideographic, thin and other special spaces become ordinary spaces; a thin or
  narrow space between digit groups ("8 681") is a thousands separator and becomes a comma,
  and so does a no-break space there when the document groups no number with commas and
  the line has no other no-break space;
- full-width digits, letters and punctuation (U+FF01-FF5E) become ASCII;
- minus and dash look-alikes (U+2212, U+2012, U+2013, U+FE63, ...) in a number position
  (before a digit, or a lone dash among the cells at the end of a line) become "-";
- a page-footer line in any common style ("— 5 —", "− 5 −", "5 / 40", "Page 5", "Page 5 of
  40", "5쪽", "- 5 / 40 -") becomes the canonical "- 5 -" the parsers skip;
- a "%" printed after the numbers at the end of a line ("26 37 150%") is dropped: the unit
  column says what the numbers are;
- a DOS end-of-file byte (0x1A) after the last line is dropped.

Nothing else changes: a name a person typed keeps every visible character. Lines keep their
numbers (a footer is rewritten, never removed), so every message still points at the line
of the file. Clean text (the usual case) is returned as it is after one scan.

`lost_characters` finds the marks of a lossy save (CP949 writes `?` for characters it lacks;
a decoder writes U+FFFD), which the parsers refuse rather than read.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters removed everywhere: zero-width space/joiners, word joiner, BOM,
# soft hyphen, Mongolian vowel separator, direction marks and embeddings, invisible operators.
_INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
)
# Spaces that are not U+0020. Thin-type spaces double as thousands separators.
_THIN = "\u2009\u202f\u2007\u200a\u2008"
_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u205f\u3000\u2028\u2029\x0b" + _THIN
# Minus and dash look-alikes (ASCII "-" is the canonical form).
_DASHES = "\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\ufe63\u02d7\u207b\u208b\u2796"

_INVISIBLE_TABLE: dict[int, int | str | None] = {ord(c): None for c in _INVISIBLE + "\x0c"}
_TABLE: dict[int, int | str | None] = dict(_INVISIBLE_TABLE)
_TABLE.update({ord(c): " " for c in _SPACES})
_TABLE.update({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})  # full-width ASCII forms

# Anything that may need work; clean text has none of it. Checked with a few fast scans:
# one character class, "%" at a line end, and the footer pattern only where a character
# of a footer style other than "- n -" occurs at all.
_SUSPECT_CHARS = re.compile(f"[{_INVISIBLE}{_SPACES}{_DASHES}\x0c\x1a\uff01-\uff5e]")
_PERCENT_AT_END = re.compile(r"%[ \t]*$", re.MULTILINE)
_FOOTER_HINTS = ("/", "쪽", "페이지", "~", "ㅡ", "g", "G", "p", "P")
_FOOTER_START = re.compile(
    r"\n[ \t]*(?:[~ㅡ]|page|p\.|-[ \t]*\d{1,4}[ \t]*/|\d{1,4}[ \t]*(?:/|쪽|페이지))",
    re.IGNORECASE,
)


def _suspect(text: str) -> bool:
    return (
        _SUSPECT_CHARS.search(text) is not None
        or _PERCENT_AT_END.search(text) is not None
        or (
            any(hint in text for hint in _FOOTER_HINTS)
            and _FOOTER_START.search("\n" + text) is not None
        )
    )


_SEPARATOR_THIN = re.compile(rf"(?<=\d)[{_THIN}](?=\d{{3}}(?!\d))")
_COMMA_GROUPED = re.compile(r"\d,\d{3}(?!\d)")
_SEPARATOR_NBSP = re.compile(r"(?<=\d)\u00a0(?=\d{3}(?!\d))")
_NUMBER_TOKEN = r"(?:[△▲-]?\d[\d,]*(?:\.\d+)?%?|-)"
_MINUS_BEFORE_DIGIT = re.compile(rf"(?<![^\s(\[△▲])[{_DASHES}](?=\d)")
_LONE_DASH_CELL = re.compile(
    rf"(?<![^ \t])[{_DASHES}](?=(?:[ \t]+(?:[{_DASHES}]|{_NUMBER_TOKEN}))*[ \t]*$)",
    re.MULTILINE,
)
_FOOTER = re.compile(
    r"^[ \t]*(?:"
    r"[-~ㅡ]\s*(?P<a>\d{1,4})\s*(?:/\s*\d{1,4}\s*)?[-~ㅡ]"  # - 5 -, — 5 —, - 5 / 40 -
    r"|(?P<b>\d{1,4})\s*/\s*\d{1,4}"  # 5 / 40
    r"|(?:page|p\.)\s*(?P<c>\d{1,4})(?:\s*(?:/|of)\s*\d{1,4})?"  # Page 5, Page 5 of 40
    r"|(?P<d>\d{1,4})\s*(?:쪽|페이지)(?:\s*/\s*\d{1,4}\s*(?:쪽|페이지)?)?"  # 5쪽
    r")[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_PERCENT_LINE = re.compile(r"^.*\d[ \t]*%[\d \t,.%△▲-]*$", re.MULTILINE)
_CELL_TOKEN = re.compile(r"[△▲-]?\d[\d,]*(?:\.\d+)?%?|-")
_EOF = re.compile("\x1a+(?=\\s*\\Z)")


def normalize_lines(lines: list[str]) -> list[str]:
    """The lines with the normalisations above applied; as many lines, in the same order."""
    text = "\n".join(lines)
    if unicodedata.is_normalized("NFC", text) and not _suspect(text):
        return lines  # the usual case: nothing to do, no copy
    if text.count("\n") != len(lines) - 1:  # a line holding a newline: one at a time
        return [normalize_text(line) for line in lines]
    return normalize_text(text).split("\n")  # no rule adds or removes a newline


def normalize_text(text: str) -> str:
    """normalize_lines() for a whole text (LF line ends)."""
    text = text.translate(_INVISIBLE_TABLE)  # first: jamo split by one compose again
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = _EOF.sub("", text)
    if "\u00a0" in text and _COMMA_GROUPED.search(text) is None:
        text = "\n".join(_nbsp_separators(line) for line in text.split("\n"))
    text = _SEPARATOR_THIN.sub(",", text)
    text = text.translate(_TABLE)
    text = _FOOTER.sub(_canonical_footer, _dashes_to_ascii_in_footers(text))
    text = _MINUS_BEFORE_DIGIT.sub("-", text)
    text = _LONE_DASH_CELL.sub("-", text)
    if "%" in text:
        text = _PERCENT_LINE.sub(lambda m: _drop_rate_percent(m.group(0)), text)
    return text


def _nbsp_separators(line: str) -> str:
    """A no-break space between digit groups is a thousands separator when the document
    groups no number with commas (checked by the caller) and the line has no other no-break
    space; where it also stands between words it separates cells and stays a space."""
    if "\u00a0" not in line:
        return line
    if "\u00a0" not in _SEPARATOR_NBSP.sub("", line):
        return _SEPARATOR_NBSP.sub(",", line)
    return line


_FOOTER_DASH = re.compile(rf"^([ \t]*)[{_DASHES}](.*?)[{_DASHES}]([ \t]*)$", re.MULTILINE)


def _dashes_to_ascii_in_footers(text: str) -> str:
    """ "— 5 —" → "- 5 -" so that one footer pattern covers every dash."""
    if not any(d in text for d in _DASHES):
        return text
    return _FOOTER_DASH.sub(
        lambda m: (
            f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
            if re.fullmatch(r"\s*\d{1,4}\s*(?:/\s*\d{1,4}\s*)?", m.group(2))
            else m.group(0)
        ),
        text,
    )


def _canonical_footer(m: re.Match[str]) -> str:
    number = m.group("a") or m.group("b") or m.group("c") or m.group("d")
    return f"- {int(number)} -"


def _drop_rate_percent(line: str) -> str:
    """Drop "%" after the numbers that end a line ("회 26 37 150%", "비율(%) - 99% 1%").

    Only in a run of at least two number cells at the end of the line, so that a name
    ending in "80%" keeps its sign. A lone "%" token after a number ("150 %") goes too;
    a "%" before the numbers is the unit and stays.
    """
    parts = re.split(r"(\s+)", line)
    # parts alternate token, space, token ...; walk the tokens from the end
    tokens = list(range(0, len(parts), 2))
    while tokens and parts[tokens[-1]] == "":
        tokens.pop()
    run: list[int] = []
    numbers = 0
    for k in reversed(tokens):
        token = parts[k]
        if token == "%" and run and k > 0 and _is_number_before(parts, k):
            run.append(k)
            continue
        if _CELL_TOKEN.fullmatch(token):
            run.append(k)
            numbers += token != "-"
            continue
        break
    if numbers < 2 or not any("%" in parts[k] for k in run):
        return line
    for k in run:
        if parts[k] == "%":
            parts[k] = ""
            if k > 0:
                parts[k - 1] = ""  # the space before the lone "%"
        elif parts[k].endswith("%"):
            parts[k] = parts[k][:-1]
    return "".join(parts)


def _is_number_before(parts: list[str], k: int) -> bool:
    return k >= 2 and re.fullmatch(r"[△▲-]?\d[\d,]*(?:\.\d+)?", parts[k - 2]) is not None


# --------------------------------------------------------------------------- lossy saves

_LOST = re.compile(r"\ufffd|^[ \t]*\?+(?=[ \t]*\S)|(?<=[가-힣])\?+(?=[가-힣])", re.MULTILINE)


def lost_characters(lines: list[str]) -> list[tuple[int, str]]:
    """(line, text) of the lines that show characters lost in saving: U+FFFD anywhere, a `?`
    that begins a line (a marker the code page lacked: ▢, ◦) or stands between two Hangul
    syllables (‧, ․ inside a word). Empty for an intact document."""
    text = "\n".join(lines)
    if "?" not in text and "\ufffd" not in text:
        return []
    found: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if ("?" in line or "\ufffd" in line) and _LOST.search(line):
            found.append((number, line.strip()))
    return found
