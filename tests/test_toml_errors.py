"""A TOML syntax error is said in Korean with the file, line and column (issue 15 §5)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from xlgen.errors import InputError
from xlgen.seeds import load_corrections
from xlgen.toml_errors import toml_error


def _error(text: str) -> tomllib.TOMLDecodeError:
    with pytest.raises(tomllib.TOMLDecodeError) as info:
        tomllib.loads(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rename\n", "m.toml 1행 8열: TOML 형식 오류입니다. 표 이름 뒤에 ']'가 없습니다."),
        (
            "[rename]\n재무과 = 1\n",
            "m.toml 2행 1열: TOML 형식 오류입니다. 알 수 없는 줄입니다. 한글 이름은 따옴표로 감싸세요.",
        ),
        ('a = "b', "m.toml 파일 끝: TOML 형식 오류입니다. 따옴표가 닫히지 않았습니다."),
        ("[a]\n[a]\n", "m.toml 2행 3열: TOML 형식 오류입니다. 같은 표가 두 번 있습니다."),
    ],
)
def test_place_and_reason_in_korean(text, message):
    assert toml_error("m.toml", _error(text)) == message


def test_a_reason_without_korean_words_keeps_tomllib_s_after_the_place():
    exc = tomllib.TOMLDecodeError("Something new (at line 3, column 2)")
    assert (
        toml_error("m.toml", exc) == "m.toml 3행 2열: TOML 형식 오류입니다. tomllib: Something new."
    )


def test_corrections_file_uses_the_same_message(tmp_path: Path):
    (tmp_path / "corrections.toml").write_text("[fix\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_corrections(tmp_path / "doc.txt")
    assert str(info.value) == (
        f"{tmp_path / 'corrections.toml'} 1행 5열: TOML 형식 오류입니다. 표 이름 뒤에 ']'가 없습니다."
    )
