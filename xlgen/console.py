"""Console safety: printing never fails on a console or pipe that cannot show a character.

A Korean Windows console, or output redirected there, often uses CP949, which lacks some
characters the documents use (▢, ◦, ‧). Standard output and standard error keep their
encoding but get an error handler that writes a stated substitute instead of failing:

    ▢ → □    ◦ → ○    ‧ → ·    ․ → .    anything else the code page lacks → ?
"""

from __future__ import annotations

import codecs
import io
import sys
from typing import Any

ERRORS = "xlgen-substitute"
SUBSTITUTES = {
    "▢": "□",
    "◦": "○",
    "‧": "·",
    "․": ".",
}
FALLBACK = "?"


def _substitute(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        sub = SUBSTITUTES.get(ch, FALLBACK)
        try:
            sub.encode(exc.encoding)
        except (UnicodeEncodeError, LookupError):
            sub = FALLBACK
        out.append(sub)
    return "".join(out), exc.end


codecs.register_error(ERRORS, _substitute)


def safe_text(text: str, encoding: str) -> str:
    """``text`` as it will appear through an ``encoding`` stream with the substitutes."""
    return text.encode(encoding, ERRORS).decode(encoding)


def make_safe(stream: Any) -> None:
    """Give one text stream the substituting error handler, where Python allows it."""
    if isinstance(stream, io.TextIOWrapper):
        try:
            stream.reconfigure(errors=ERRORS)
        except (ValueError, io.UnsupportedOperation):  # closed or detached
            pass


def setup() -> None:
    """Make standard output and standard error safe (called once from ``cli.main``)."""
    make_safe(sys.stdout)
    make_safe(sys.stderr)
