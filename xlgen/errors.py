"""Exception hierarchy. Every message is Korean and meant for the user as it is."""

from __future__ import annotations


class XlgenError(Exception):
    """Base of every error xlgen raises on purpose. The CLI prints its message and exits 1."""


class InputError(XlgenError, ValueError):
    """A file that cannot be read as what it claims to be (encoding, kind, format)."""


class ParseError(XlgenError, ValueError):
    """A document that was read but cannot be parsed into records."""


class StoreError(XlgenError, RuntimeError):
    """The SQLite store cannot be opened, migrated or written."""


class NotFoundError(XlgenError, LookupError):
    """A key (year, seed folder, record) that does not exist."""


def where(path: object, line: int | None = None) -> str:
    """Format a location for a message: "파일명 12행" or "파일명"."""
    name = getattr(path, "name", None) or str(path)
    return f"{name} {line}행" if line else f"{name}"
