"""xlgen.numbers: the one grammar, formatter and tolerance of document numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlgen.numbers import (
    FULLWIDTH,
    MAX_DIGITS,
    NUMBER_RE,
    Reading,
    fold,
    format_number,
    has_fullwidth,
    parse,
    read,
    same,
    value_of,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234", 1234),
        ("△1,234", -1234),
        ("△ 231", -231),
        ("▲5", -5),
        ("▵5", -5),
        ("-5", -5),
        ("−5", -5),  # U+2212 MINUS SIGN
        ("–5", -5),  # EN DASH, as extracted text gives it
        ("１，２３４．５", 1234.5),
        ("－３", -3),
        ("100", 100),
        ("1 234", 1234),
        ("(1,234)", 1234),  # not negative: a domain rule
        ("(△1,234)", -1234),
        ("85%", 85),
        ("12.50%", 12.5),
        ("0.5", 0.5),
    ],
)
def test_parse_reads_document_numbers(text, value):
    got = parse(text)
    assert got == value and type(got) is type(value)


def test_a_decimal_point_keeps_a_float():
    assert type(parse("100.0")) is float and parse("100.0") == 100.0
    assert type(parse("100")) is int


@pytest.mark.parametrize(
    "text",
    ["", "-", "–", "—", "%", "()", "1,23", "12,34,567", "1.2.3", "+5", "5-", "△", "abc", "1e5"],
)
def test_parse_refuses_what_is_not_a_number(text):
    assert parse(text) is None and read(text) is None


def test_too_many_digits_is_not_a_number():
    assert parse("9" * MAX_DIGITS) == int("9" * MAX_DIGITS)
    assert parse("9" * (MAX_DIGITS + 1)) is None
    assert parse("1" * 10 + "." + "1" * 7) is None


def test_read_says_what_the_text_showed():
    assert read("85%") == Reading(85, percent=True)
    assert read("(1,234)") == Reading(1234, parenthesised=True)
    assert read("△1,234") == Reading(-1234)


def test_one_fullwidth_table():
    assert fold("１２３，４５６．７８％（－１）：") == "123,456.78%(-1):"
    assert has_fullwidth("５") and not has_fullwidth("5 건 △")
    assert set(FULLWIDTH) == {ord(c) for c in "０１２３４５６７８９，．－＋％（）："}


@pytest.mark.parametrize("token", ["0", "12", "1,234", "△231", "▲ 5", "-7", "3.25", "△1,234.5"])
def test_value_of_a_matched_token_is_parse(token):
    assert NUMBER_RE.match(token)
    assert value_of(token) == parse(token)
    assert type(value_of(token)) is type(parse(token))


@pytest.mark.parametrize(
    ("value", "options", "text"),
    [
        (1234, {}, "1,234"),
        (-231, {}, "△231"),
        (100.0, {}, "100"),
        (99.8, {}, "99.8"),
        (None, {}, ""),
        (None, {"blank": "(빈칸)"}, "(빈칸)"),
        (-1234, {"negative": "-"}, "-1,234"),
        (1234, {"grouping": False}, "1234"),
        (100.0, {"whole": "point"}, "100.0"),
        (1.5, {"places": 2}, "1.50"),
        (3.0, {"places": 2}, "3"),
        (-12345.678, {"places": 2}, "△12,345.68"),
        (10, {"places": 2, "whole": "always", "grouping": False}, "10.00"),
        (-9.5, {"places": 2, "whole": "always", "negative": "-"}, "-9.50"),
        (-231, {"negative": "-", "grouping": False, "whole": "point"}, "-231"),
    ],
)
def test_format_number_options(value, options, text):
    assert format_number(value, **options) == text


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_ints_round_trip(n):
    text = format_number(n)
    assert parse(text) == n and type(parse(text)) is int
    assert parse(format_number(n, negative="-", grouping=False)) == n


@given(
    st.floats(min_value=-1e11, max_value=1e11, allow_nan=False).map(lambda x: round(x, 3)),
)
def test_floats_round_trip(x):
    if x != 0 and abs(x) < 1e-3:
        return  # shown in exponent notation, which no document prints
    got = parse(format_number(x, whole="point"))
    assert got == x and type(got) is float


def test_same_is_one_relative_tolerance():
    assert same(100, 100.0)
    assert same(0.1 + 0.2, 0.3)
    assert same(37.000000000000001, 37)
    assert not same(1, 1.000001)
    assert not same(1e-13, 0)  # relative: nothing is "close" to zero but zero
    assert same("a", "a") and not same("1", 1) and same(None, None) and not same(None, 0)
    assert not same(True, 1.0000000000001)
