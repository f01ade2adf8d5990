"""Particles chosen by the word before them (xlgen.korean)."""

from __future__ import annotations

import pytest

from xlgen.korean import final_consonant, josa, particle

CASES = [
    # (word, particle asked for, expected result)
    # Hangul: final consonant or not; ㄹ takes 로
    ("목표", "이/가", "목표가"),
    ("실적", "이/가", "실적이"),
    ("주택과", "과/와", "주택과와"),
    ("부서", "과/와", "부서와"),
    ("기록", "을/를", "기록을"),
    ("파일", "을/를", "파일을"),
    ("파일", "으로/로", "파일로"),
    ("폴더", "으로/로", "폴더로"),
    ("정상추진", "으로", "정상추진으로"),
    ("저장소", "은/는", "저장소는"),
    ("통합문서", "은", "통합문서는"),
    ("값", "으로", "값으로"),
    # any spelling of the pair gives the same choice
    ("기록", "를", "기록을"),
    ("기록", "을(를)", "기록을"),
    ("부서", "와(과)", "부서와"),
    ("부서", "(으)로", "부서로"),
    # numbers read aloud (Sino-Korean)
    ("110", "으로/로", "110으로"),  # 백십
    ("3", "을/를", "3을"),  # 삼
    ("2", "을/를", "2를"),  # 이
    ("1", "으로", "1로"),  # 일: ㄹ
    ("7", "이/가", "7이"),  # 칠
    ("6", "으로", "6으로"),  # 육
    ("0", "이/가", "0이"),  # 영
    ("10", "과/와", "10과"),  # 십
    ("100", "은/는", "100은"),  # 백
    ("1000", "을/를", "1000을"),  # 천
    ("1,000", "을/를", "1,000을"),
    ("20,000", "으로", "20,000으로"),  # 이만
    ("100000000", "이/가", "100000000이"),  # 억
    ("10000000000000", "가", "10000000000000가"),  # 십조: ends in 조
    ("100000", "으로", "100000으로"),  # 십만: ends in 만
    ("1,234", "으로", "1,234로"),  # 사
    ("3.5", "이/가", "3.5가"),  # 삼점오
    ("92.0", "으로", "92.0으로"),  # 구십이점영
    ("△231", "을/를", "△231을"),  # 이백삼십일
    ("-5", "을/를", "-5를"),
    ("85%", "을/를", "85%를"),  # 퍼센트
    ("5km", "으로", "5km로"),  # 킬로미터
    ("3kg", "이/가", "3kg이"),  # 킬로그램
    ("２０", "을", "２０을"),  # full-width digits
    # Latin letters: acronyms letter by letter, words by their ending
    ("SQL", "을/를", "SQL을"),  # 에스큐엘
    ("SQL", "으로", "SQL로"),
    ("CSV", "으로/로", "CSV로"),  # 씨에스브이
    ("HWP", "을/를", "HWP를"),
    ("JSON", "이/가", "JSON이"),  # ...엔
    ("KEY", "을/를", "KEY를"),
    ("xlgen", "을/를", "xlgen을"),  # 엑스엘젠
    ("Excel", "으로", "Excel로"),  # 엑셀
    ("file", "이", "file이"),  # 파일
    ("store.sqlite", "을", "store.sqlite를"),
    ("총무과.xlsx", "을/를", "총무과.xlsx를"),
    ("program", "을", "program을"),
    ("string", "이", "string이"),
    # closing quotes and brackets
    ("'목표'", "이/가", "'목표'가"),
    ("'주택과'", "과/와", "'주택과'와"),
    ("「평가」", "을", "「평가」를"),
    ('"실적"', "이/가", '"실적"이'),
    ("'주택과'(1395행)", "과/와", "'주택과'(1395행)와"),
    ("(1395행)", "과", "(1395행)과"),
    ("'110'", "으로", "'110'으로"),
    # nothing decides: both forms, no guess
    ("", "을/를", "을(를)"),
    ("▢", "이/가", "▢이(가)"),
    ("?", "으로", "?(으)로"),
]


@pytest.mark.parametrize(("word", "pair", "expected"), CASES)
def test_josa(word, pair, expected):
    assert josa(word, pair) == expected


def test_non_string_words_are_read_as_printed():
    assert josa(110, "으로") == "110으로"
    assert josa(3, "을") == "3을"
    assert particle(2019, "은/는") == "는"  # 이천십구


def test_final_consonant_values():
    assert final_consonant("값") == 18  # ㅄ
    assert final_consonant("가") == 0
    assert final_consonant("1") == 8  # ㄹ
    assert final_consonant("") is None


def test_unknown_particle_is_a_programming_error():
    with pytest.raises(ValueError):
        particle("목표", "에게")


def test_the_issue_sentences_read_well():
    from xlgen.findings import Finding, Kind

    paired = Finding(
        1307, kind=Kind.HEADLESS_TABLE_PAIRED, department="주택과", department_line=1395
    )
    assert paired.message.endswith("제목 '주택과'(1395행)와 짝지었습니다.")
    assert f"저장소의 {josa('실적', '이/가')} {josa(110, '으로/로')} 바뀌었는데" == (
        "저장소의 실적이 110으로 바뀌었는데"
    )
    assert f"보호된 칸 {josa(repr('목표'), '이/가')}" == "보호된 칸 '목표'가"
