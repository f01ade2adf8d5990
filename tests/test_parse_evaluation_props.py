"""Property tests of the evaluation parser: whatever the text, it returns records or says why.

parse_evaluation must return an Evaluation or raise xlgen.errors.ParseError (a message for the
user), never any other exception, on arbitrary text and on damaged copies of the 2019 seed:
lines deleted, duplicated, swapped, digits corrupted, page-start spaces added or removed.
"""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlgen.errors import ParseError
from xlgen.model import Evaluation, ParseWarning
from xlgen.parse.evaluation import parse_evaluation
from xlgen.textio import read_document

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "seeds" / "2019"
SEED_LINES = read_document(SEED_DIR / "004_87ab448168a45e13.txt").lines
with open(SEED_DIR / "corrections.toml", "rb") as _fh:
    CORRECTIONS = tomllib.load(_fh)

TIME_LIMIT = 5.0  # seconds per parse; the seed takes a few hundredths


def _check(lines: list[str], corrections: dict | None = None) -> Evaluation | None:
    """Parse; allow only ParseError; check the result is well-formed and came quickly."""
    start = time.perf_counter()
    try:
        evaluation = parse_evaluation(lines, corrections=corrections)
    except ParseError as exc:
        assert str(exc)
        return None
    finally:
        elapsed = time.perf_counter() - start
        assert elapsed < TIME_LIMIT, f"parse took {elapsed:.1f} s"
    assert isinstance(evaluation, Evaluation)
    for w in evaluation.warnings:
        assert isinstance(w, ParseWarning) and w.message
        assert w.line is None or 1 <= w.line <= len(lines)
    for _, _, project, ind in evaluation.indicator_rows():
        assert isinstance(project.name, str) and isinstance(ind.name, str)
        assert ind.line is not None and 1 <= ind.line <= len(lines)
    for d in evaluation.departments():
        assert all(p.indicators for p in d.projects)
    return evaluation


# --------------------------------------------------------------------------- arbitrary text

_WORDS = [
    "Ⅰ. 국별 사업추진 현황",
    "Ⅱ. 국별 주요사업 추진 성과",
    "Ⅲ. 부서별 추진 현황",
    "III. ",
    "I.",
    "II .",
    "▢ ",
    "□ 총무과",
    "▢ 감사담당관",
    "◇ ",
    "◆ 분야",
    "○ ",
    "◦",
    "ㅇ ",
    "- ",
    "· ",
    "- 5 -",
    "주요사업명 성과지표 단위 목표 실적",
    " 주요사업명 성과지표",
    "달성률",
    "(%)",
    "사업 수",
    "비율(%)",
    "계",
    "행  정  국",
    "복지국 ‧ 보건소",
    "※ 부진판정 기준 : 목표 대비 달성률 80% 이하",
    "%",
    "건",
    "회",
    "명",
    "개소",
    "톤",
    "백만원",
    "만명",
    "㎞",
    "100",
    "0",
    "0.0",
    "99.8",
    "△231",
    "△",
    "-",
    "1,234",
    "(1,234)",
    "12,345,678",
    " ",
    "  ",
    "\t",
    "\u3000",
    "\ufeff",
    "\r",
    "년",
    "2019년",
]
_pieces = st.one_of(st.sampled_from(_WORDS), st.text(max_size=6))
_lines = st.lists(st.lists(_pieces, max_size=8).map(" ".join), max_size=60)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_arbitrary_text_never_crashes(text: str) -> None:
    _check(text.split("\n"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lines, st.booleans())
def test_arbitrary_document_like_lines_never_crash(
    lines: list[str], with_corrections: bool
) -> None:
    _check(lines, CORRECTIONS if with_corrections else None)


# --------------------------------------------------------------------------- damaged seed

N = len(SEED_LINES)
_OPS = ("delete", "duplicate", "swap", "digits", "indent", "dedent", "blank", "move")
_edit = st.tuples(
    st.sampled_from(_OPS), st.integers(0, N - 1), st.integers(0, N - 1), st.integers(0, 999)
)


def _corrupt_digits(text: str, salt: int) -> str:
    """Replace, drop or add digits and signs, keeping numbers of a plausible length."""
    out = []
    for k, ch in enumerate(text):
        r = (salt * 31 + k * 17) % 11
        if ch.isdigit() and r < 4:
            out.append("0123456789△-,."[(salt + k) % 14])
        elif ch.isdigit() and r == 4:
            continue
        elif ch.isdigit() and r == 5:
            out.append(ch + str(salt % 10))
        else:
            out.append(ch)
    return "".join(out)


def _apply(lines: list[str], edits: list[tuple[str, int, int, int]]) -> list[str]:
    lines = list(lines)
    for op, i, j, salt in edits:
        if not lines:
            lines = [""]
        i, j = i % len(lines), j % len(lines)
        if op == "delete":
            del lines[i : i + 1 + salt % 20]
        elif op == "duplicate":
            lines[i:i] = lines[i : i + 1 + salt % 10]
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "digits":
            lines[i] = _corrupt_digits(lines[i], salt)
        elif op == "indent":
            lines[i] = " " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i].lstrip()
        elif op == "blank":
            lines.insert(i, "")
        elif op == "move":
            block = lines[i : i + 1 + salt % 40]
            del lines[i : i + 1 + salt % 40]
            k = j % (len(lines) + 1)
            lines[k:k] = block
    return lines


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_edit, min_size=1, max_size=40), st.booleans())
def test_damaged_seed_never_crashes(edits: list, with_corrections: bool) -> None:
    _check(_apply(SEED_LINES, edits), CORRECTIONS if with_corrections else None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.integers(0, N - 1), max_size=200))
def test_seed_with_digits_corrupted_everywhere_never_crashes(rows: set[int]) -> None:
    lines = [_corrupt_digits(t, k) if k in rows else t for k, t in enumerate(SEED_LINES)]
    _check(lines, CORRECTIONS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(range(0, N, 50)))
def test_seed_chunks_shuffled_never_crash(order: list[int]) -> None:
    lines = [t for start in order for t in SEED_LINES[start : start + 50]]
    _check(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, N), st.integers(0, N))
def test_seed_truncated_never_crashes(start: int, stop: int) -> None:
    _check(SEED_LINES[min(start, stop) : max(start, stop)], CORRECTIONS)


def test_unchanged_seed_passes_the_checks() -> None:
    evaluation = _check(SEED_LINES, CORRECTIONS)
    assert evaluation is not None and len(evaluation.projects()) == 154


# --------------------------------------------------------------------------- arbitrary corrections

_toml = st.recursive(
    st.one_of(
        st.integers(-3, 3000),
        st.booleans(),
        st.text(max_size=8),
        st.sampled_from(
            ["감사담당관", "주택과", "% 100 100 100", "회 26 37 150", "행정국", "총무과", ""]
        ),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "evaluation",
                    "row",
                    "department",
                    "numbers",
                    "project",
                    "indicator",
                    "line",
                    "organization",
                    "행정국",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def _rows_as_lists(value: object) -> object:
    """Wrap a non-list `row` in a list: `row = 0` is a known crash, pinned below."""
    if isinstance(value, dict):
        return {
            k: (_rows_as_lists(v) if k != "row" or isinstance(v, list) else [_rows_as_lists(v)])
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rows_as_lists(v) for v in value]
    return value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["evaluation", "organization", "plan"]), _toml, max_size=2))
def test_arbitrary_corrections_never_crash(corrections: dict) -> None:
    _check(SEED_LINES, _rows_as_lists(corrections))


# --------------------------------------------------------------------------- known crashes

_HEAD = ["Ⅲ. 부서별 추진 현황", "▢ 가과", "주요사업명 성과지표 단위 목표 실적"]


@pytest.mark.parametrize(
    "lines",
    [
        [*_HEAD, "사업 지표 건 1 " + "9" * 400 + " 1"],  # OverflowError in indicator_rate
        [*_HEAD, "사업 지표 건 1 " + "9" * 400 + ".5 1"],  # inf → ValueError in excel_round
        [*_HEAD, "사업 지표 건 1 " + "9" * 30 + " 1"],  # decimal.InvalidOperation in excel_round
        [
            "Ⅰ. 국별 사업추진 현황",
            "사업 수 1 " + "9" * 400 + " 0",
            "비율(%) - 100 0",
            "가국 1 1 0",
        ],  # percent
    ],
    ids=["int-overflow", "float-inf", "decimal-precision", "summary-percent"],
)
def test_huge_numbers_do_not_crash(lines: list[str]) -> None:
    _check(lines)


def test_scalar_row_in_corrections_does_not_crash() -> None:
    _check(SEED_LINES, {"evaluation": {"row": 0}})
