"""Korean particles (조사) chosen by the word before them: 을/를, 이/가, 은/는, 과/와, 으로/로.

One place decides, from how the last syllable of the word is *read aloud*:

- a Hangul syllable: its final consonant (받침); 으로/로 takes 로 after ㄹ as after a vowel;
- a number, read in Sino-Korean: ``110`` → 백십 → ``110으로``, ``3`` → 삼 → ``3을``,
  ``1,000`` → 천, ``20,000`` → 만, ``3.5`` → 삼점오, ``△231`` → 이백삼십일;
  ``85%`` → 퍼센트, a number with a unit is read by the unit (``5km`` → 킬로미터);
- Latin letters, by an English reading heuristic: an all-capital word is read letter by
  letter (``SQL`` → 에스큐엘, ㄹ; ``CSV`` → 씨에스브이); any other word by its ending
  (-m → ㅁ, -n → ㄴ, -ng → ㅇ, -l/-le → ㄹ, anything else as if it ended in a vowel:
  ``xlsx`` → 엑스, ``file`` → 파일 is the exception the rule gets right by -le);
- closing quotes and brackets are looked through (``'주택과'`` reads 주택과), and a trailing
  parenthetical aside is skipped (``주택과(1395행)`` reads 주택과), as Korean writing does.

Where nothing decides (an empty word, a bare symbol), the particle keeps both forms,
``을(를)``, rather than guess.
"""

from __future__ import annotations

import re
import unicodedata

# Each particle as (after a final consonant, after a vowel); 으로/로 is special-cased for ㄹ.
_PAIRS: dict[str, tuple[str, str]] = {}
for _consonant, _vowel in (
    ("을", "를"),
    ("이", "가"),
    ("은", "는"),
    ("과", "와"),
    ("으로", "로"),
    ("이나", "나"),
    ("이라", "라"),
    ("이라고", "라고"),
    ("이라는", "라는"),
    ("이며", "며"),
    ("이고", "고"),
    ("이다", "다"),
    ("이에요", "예요"),
    ("아", "야"),
    ("으로서", "로서"),
    ("으로써", "로써"),
):
    for _spelling in (
        _consonant,
        _vowel,
        f"{_consonant}/{_vowel}",
        f"{_vowel}/{_consonant}",
        f"{_consonant}({_vowel})",
        f"{_vowel}({_consonant})",
        f"({_consonant}){_vowel}",
        f"({_consonant[0]}){_vowel}",  # (으)로
    ):
        _PAIRS.setdefault(_spelling, (_consonant, _vowel))
# "이" alone means 이/가 (the first pair listed wins for a shared spelling).

RIEUL = 8  # index of ㄹ among the 28 finals (0 = none)
_G, _N, _M, _B, _NG = 1, 4, 16, 17, 21  # ㄱ ㄴ ㅁ ㅂ ㅇ

# Sino-Korean readings: the final consonant of each digit's and power's last syllable.
_DIGIT_FINAL = {
    "0": _NG,  # 영
    "1": RIEUL,  # 일
    "2": 0,  # 이
    "3": _M,  # 삼
    "4": 0,  # 사
    "5": 0,  # 오
    "6": _G,  # 육
    "7": RIEUL,  # 칠
    "8": RIEUL,  # 팔
    "9": 0,  # 구
}
_POWER_FINAL = {1: _B, 2: _G, 3: _N}  # 십 백 천
_MYRIAD_FINAL = {1: _N, 2: _G, 3: 0, 4: _NG}  # 만 억 조 경

# Letter names as Koreans read them: only L 엘, M 엠, N 엔, R 알 end in a consonant.
_LETTER_FINAL = {"L": RIEUL, "M": _M, "N": _N, "R": RIEUL}

# Units written after a number, by their reading (NFKC-folded, lower case).
_UNIT_FINAL = {
    "%": 0,  # 퍼센트
    "km": 0,  # 킬로미터
    "m": 0,
    "cm": 0,
    "mm": 0,
    "m2": 0,  # ㎡ 제곱미터
    "m3": 0,  # ㎥ 세제곱미터
    "kg": _M,  # 킬로그램
    "g": _M,
    "mg": _M,
    "t": _N,  # 톤
    "l": 0,  # 리터
    "ml": 0,
    "kw": 0,  # 킬로와트
    "kwh": 0,
    "°c": 0,  # 도
    "℃": 0,
}

_CLOSERS = "'\"’”»›」』》〉】〕]}>"
_OPENERS = {")": "(", "）": "（", "]": "[", "}": "{", "〕": "〔", "】": "【"}
_NUMBER_TAIL = re.compile(r"(\d[\d,]*)(?:\.(\d+))?$")
_LATIN_TAIL = re.compile(r"[A-Za-z]+$")
_UNIT_TAIL = re.compile(r"(\d)\s?(%|°c|[a-z]{1,3}\d?)$")


def _strip_tail(word: str) -> str:
    """Look through closing quotes and skip a trailing parenthetical aside."""
    text = word.rstrip()
    while text:
        last = text[-1]
        if last in _CLOSERS:
            text = text[:-1].rstrip()
            continue
        if last in _OPENERS:
            opener = _OPENERS[last]
            start = text.rfind(opener)
            if start > 0 and text[:start].strip():
                text = text[:start].rstrip()  # 주택과(1395행) → 주택과
            else:
                text = text[:-1].rstrip()  # (1395행) alone: read what is inside
                if start == 0:
                    text = text[1:]
            continue
        break
    return text


def _number_final(integer: str, fraction: str | None) -> int:
    if fraction:
        return _DIGIT_FINAL[fraction[-1]]  # 3.5 → 삼점오: the last digit, read alone
    digits = integer.replace(",", "").lstrip("0")
    if not digits:
        return _DIGIT_FINAL["0"]
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == 0:
        return _DIGIT_FINAL[digits[-1]]
    if zeros < 4:
        return _POWER_FINAL[zeros]  # 십 백 천
    return _MYRIAD_FINAL.get(zeros // 4, 0)  # 십만 → 만, 십조 → 조


def _latin_final(letters: str) -> int:
    if letters.isupper():
        return _LETTER_FINAL.get(letters[-1], 0)
    lower = letters.lower()
    if lower.endswith("ng"):
        return _NG
    if lower.endswith(("l", "le")):
        return RIEUL
    return {"m": _M, "n": _N}.get(lower[-1], 0)


def final_consonant(word: object) -> int | None:
    """The final consonant (0 = none, 1..27 as in Unicode; 8 = ㄹ) of ``word`` read aloud,
    or None when nothing decides."""
    text = _strip_tail(unicodedata.normalize("NFKC", str(word)))
    if not text:
        return None
    last = text[-1]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28
    lowered = text.lower()
    unit = _UNIT_TAIL.search(lowered)
    if unit and unit.group(2) in _UNIT_FINAL:
        return _UNIT_FINAL[unit.group(2)]
    number = _NUMBER_TAIL.search(text)
    if number:
        return _number_final(number.group(1), number.group(2))
    latin = _LATIN_TAIL.search(text)
    if latin:
        return _latin_final(latin.group())
    return None


def particle(word: object, pair: str) -> str:
    """The form of ``pair`` ("을/를", "을", "으로", "과(와)", ...) that follows ``word``."""
    try:
        consonant, vowel = _PAIRS[pair]
    except KeyError:
        raise ValueError(f"unknown particle {pair!r}") from None
    final = final_consonant(word)
    if final is None:
        if consonant.startswith("으로"):
            return f"(으){vowel}"
        return f"{consonant}({vowel})"
    if not final or (consonant.startswith("으로") and final == RIEUL):
        return vowel
    return consonant


def josa(word: object, pair: str) -> str:
    """``word`` followed by the right form of ``pair``: josa("110", "으로") == "110으로"."""
    return f"{word}{particle(word, pair)}"
