"""_xlgen: the hidden sheet that ties a workbook to its records: document key, store
revision, content hash, and the record keys with the values they were built with.

An import reads this first (it never trusts row positions or cached formula values): the
fields (`read_fields`), then the values each record was built with (`read_built`). The
fields include what the input sheet's reader needs to recognise the sheet as written
(eval_departments.SheetFormat.fields).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..errors import InputError
from ._base import RowSource

SHEET = "_xlgen"
FORMAT = "xlgen-workbook/1"
RECORD_HEADERS = ["record_key", "department", "project", "indicator", "target", "actual", "note"]
FIELD_ROWS = 64  # the fields sit in the first rows, ahead of the record table
# Columns of the record table the import does not use (it compares 실적, 비고 and, while
# targets are set, 목표 with the values the workbook was built with): left unread.
_BUILT_USED = ("record_key", "actual", "note", "target")
_BUILT_UNUSED = frozenset(RECORD_HEADERS.index(h) for h in RECORD_HEADERS if h not in _BUILT_USED)


SHEET_SEPARATOR = "/"  # between the names of the "sheets" field (a sheet name cannot hold it)


def sheet_list(names: list[str]) -> str:
    """The "sheets" field: every sheet the workbook was built with, so that an import can
    tell a sheet staff added (or copied) from the built ones."""
    return SHEET_SEPARATOR.join(names)


def sheets_of(fields: dict[str, Any]) -> list[str] | None:
    """The sheets recorded by `sheet_list` (None in a workbook built before they were)."""
    value = fields.get("sheets")
    if not isinstance(value, str) or not value:
        return None
    return value.split(SHEET_SEPARATOR)


def write(ws: Worksheet, fields: list[tuple[str, Any]], records: list[list[Any]]) -> None:
    ws.write_string(0, 0, "format")
    ws.write_string(0, 1, FORMAT)
    for i, (name, value) in enumerate(fields, 1):
        ws.write_string(i, 0, name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(i, 1, value)
        else:
            ws.write_string(i, 1, "" if value is None else str(value))
    start = len(fields) + 2
    ws.write_string(start, 0, "records")
    for col, text in enumerate(RECORD_HEADERS):
        ws.write_string(start + 1, col, text)
    for r, values in enumerate(records, start + 2):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    ws.very_hidden()
    ws.protect("")


def read_fields(rows: RowSource) -> dict[str, Any]:
    """The fields of a `_xlgen` sheet (format, key, revision, …), from its first rows."""
    return read([list(row.values) for row in rows(limit=FIELD_ROWS)])[0]


def read_built(rows: RowSource) -> dict[str, tuple[Any, Any, Any]]:
    """Record key → (actual, note, target) from a `_xlgen` sheet: what the import compares
    with (the record table only, streamed, leaving unread the columns it does not use)."""
    return _built(row.values for row in rows(skip=_BUILT_UNUSED))


def _built(rows: Iterable[list[Any]]) -> dict[str, tuple[Any, Any, Any]]:
    key_col, actual_col, note_col, target_col = (RECORD_HEADERS.index(h) for h in _BUILT_USED)
    width = max(note_col, target_col) + 1
    built: dict[str, tuple[Any, Any, Any]] = {}
    in_records = False
    for values in rows:
        if not values or values[0] in (None, ""):
            continue
        if not in_records:
            in_records = values[0] == "records"
            continue
        if values[0] == RECORD_HEADERS[0]:
            continue
        if len(values) < width:
            values = list(values) + [None] * (width - len(values))
        built[str(values[key_col])] = (values[actual_col], values[note_col], values[target_col])
    return built


class Fields(dict[str, Any]):
    """The fields of a `_xlgen` sheet (name → value), remembering the cell each value was
    read from (`cells`: name → "B5") so that a message can name it."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, str] = {}


def read(rows: list[list[Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The fields and record rows of a `_xlgen` sheet read back as cell values (row i of
    `rows` is the sheet's row i + 1)."""
    fields = Fields()
    records: list[dict[str, Any]] = []
    in_records = False
    for index, values in enumerate(rows):
        if not values or values[0] in (None, ""):
            continue
        if values[0] == "records":
            in_records = True
            continue
        if not in_records:
            fields[str(values[0])] = values[1] if len(values) > 1 else None
            fields.cells[str(values[0])] = f"B{index + 1}"
        elif values[0] != RECORD_HEADERS[0]:
            padded = list(values) + [None] * (len(RECORD_HEADERS) - len(values))
            records.append(dict(zip(RECORD_HEADERS, padded, strict=False)))
    return fields, records


# ----------------------------------------------------------------------------- field values


def where(fields: dict[str, Any], name: str, file: str) -> str:
    """How a message names a field's cell: "file: _xlgen!B13"."""
    return _where(fields, name, file)


def _where(fields: dict[str, Any], name: str, file: str) -> str:
    cell = getattr(fields, "cells", {}).get(name)
    return f"{file}: {SHEET}!{cell}" if cell else f"{file}: {SHEET} 시트의 '{name}'"


def _shown(value: Any) -> str:
    from ..display import shorten

    return shorten(value)


def int_field(fields: dict[str, Any], name: str, file: str) -> int | None:
    """A whole-number field (the store revision), None when absent or blank. A value that is
    not a finite whole number (text, NaN, 1e400, 2.5, TRUE) is refused naming the cell:
    the workbook's hidden sheet was changed, and guessing would tie it to the wrong revision."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    raise InputError(
        f"{_where(fields, name, file)} ({name}): 정수가 아닙니다 ({_shown(value)}). "
        "xlgen이 만든 숨김 시트가 바뀌었습니다. 통합문서를 다시 만들어(xlgen build) 주세요."
    )


def number_field(
    fields: dict[str, Any], name: str, file: str, *, low: float, high: float
) -> float | None:
    """A number field within [low, high] (the 부진 threshold, in %), None when absent or
    blank; anything else (text such as 팔십, NaN, 1e400, out of range) is refused naming
    the cell."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value <= high
    ):
        return float(value)
    raise InputError(
        f"{_where(fields, name, file)} ({name}): {low:g}에서 {high:g} 사이의 숫자가 아닙니다 "
        f"({_shown(value)}). 숫자로 고친 뒤 다시 가져와 주세요."
    )
