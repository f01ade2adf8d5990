"""A TOML file's syntax error in Korean, naming the file, line and column.

tomllib (Python 3.11, 3.12) gives only an English message ending in "(at line N, column M)"
or "(at end of document)"; newer versions also set `lineno` / `colno`. The common reasons
are said in Korean; any other keeps tomllib's own words after the place."""

from __future__ import annotations

import re
import tomllib

_PLACE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")

_REASONS = {
    "Expected ']' at the end of a table declaration": "표 이름 뒤에 ']'가 없습니다",
    "Expected ']]' at the end of an array declaration": "[[...]] 이름 뒤에 ']]'가 없습니다",
    "Expected '=' after a key in a key/value pair": "이름 뒤에 '='가 없습니다",
    "Invalid initial character for a key part": "이름이 올바르지 않습니다. 한글 이름은 따옴표로 감싸세요",
    "Invalid value": "값이 올바르지 않습니다. 글자는 따옴표로 감싸세요",
    "Invalid statement": "알 수 없는 줄입니다. 한글 이름은 따옴표로 감싸세요",
    "Unterminated string": "따옴표가 닫히지 않았습니다",
    "Unclosed array": "목록의 ']'가 없습니다",
    "Unclosed inline table": "'}'가 없습니다",
    "Expected newline or end of document after a statement": "한 줄에 항목이 둘 이상입니다",
    "Cannot overwrite a value": "같은 이름이 두 번 있습니다",
    "Invalid date or datetime": "날짜가 올바르지 않습니다",
}
_TWICE = re.compile(r"Cannot declare .+ twice")


def toml_error(name: object, exc: tomllib.TOMLDecodeError) -> str:
    """ "부서변경.toml 1행 8열: TOML 형식 오류입니다. 표 이름 뒤에 ']'가 없습니다." """
    text = str(getattr(exc, "msg", None) or exc)
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "colno", None)
    place = _PLACE.search(text)
    end = False
    if place is not None:
        text = text[: place.start()]
        if place.group(1):
            line, col = int(place.group(1)), int(place.group(2))
        else:
            end = True
    reason = _REASONS.get(text) or (
        "같은 표가 두 번 있습니다" if _TWICE.fullmatch(text) else f"tomllib: {text}"
    )
    where = f"{name} {line}행 {col}열" if line else f"{name} 파일 끝" if end else f"{name}"
    return f"{where}: TOML 형식 오류입니다. {reason}."
