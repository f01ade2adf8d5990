"""How a value read from a document, a workbook or the store is shown in a message.

A 비고 can hold 40,000 characters; a preview, the history or an error printing it whole is
unreadable. Messages show the first characters and the length; the store keeps the value
whole."""

from __future__ import annotations

from typing import Any

MAX_SHOWN = 40  # characters of a text shown before it is cut


def shorten(value: Any, limit: int = MAX_SHOWN) -> str:
    """`value` as a message shows it: like repr() (text quoted), a text longer than `limit`
    characters cut to its first `limit` and its length: `'가나다…' (40,000자)`."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit] + '…'!r} ({len(value):,}자)"
    shown = repr(value)
    if len(shown) > limit * 2:
        return f"{shown[: limit * 2]}… ({len(shown):,}자)"
    return shown


BLANK = "빈칸"


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """`value` as a message shows it: `shorten`, and a blank (None, empty or spaces only)
    as "빈칸" rather than None or ''."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return BLANK
    return shorten(value, limit)
