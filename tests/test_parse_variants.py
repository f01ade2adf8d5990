"""The two seeds, varied only in how their text was extracted or saved, read to the same
records, or are refused with a Korean message naming the file and the line.

Each variation (tests/support/variants.py) is written to a file and read the way `xlgen parse`
reads it (encoding detection included), with the seed's corrections file. Never silently
different records: that is the whole point of issue 11.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from pathlib import Path

import pytest

from xlgen.errors import InputError, ParseError, XlgenError
from xlgen.parse import parse_file

from support import variants as v
from support.records import evaluation_records, plan_records

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "seeds" / "2019"
EVAL = EVAL_DIR / "004_87ab448168a45e13.txt"
PLAN_DIR = ROOT / "seeds" / "plan-seogu"
PLAN = PLAN_DIR / "000_927cff7e11b514e0.txt"
SEEDS = {"eval": (EVAL, EVAL_DIR, evaluation_records), "plan": (PLAN, PLAN_DIR, plan_records)}


def _corrections(folder: Path) -> dict:
    with open(folder / "corrections.toml", "rb") as fh:
        return tomllib.load(fh)


def _parse_bytes(tmp_path: Path, data: bytes, folder: Path, name: str = "variant.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    document, _ = parse_file(path, corrections=_corrections(folder))
    return document


def _seed_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def originals() -> dict:
    out = {}
    for key, (path, folder, records) in SEEDS.items():
        document, _ = parse_file(path, corrections=_corrections(folder))
        out[key] = (records(document), records(document, lines=False))
    return out


@pytest.mark.parametrize("kind", list(SEEDS))
@pytest.mark.parametrize("variant", v.variants(), ids=lambda x: x.name)
def test_variant_reads_to_the_same_records(tmp_path, originals, kind, variant) -> None:
    path, folder, records = SEEDS[kind]
    text = variant.mutate(_seed_text(path))
    document = _parse_bytes(tmp_path, text.encode("utf-8"), folder)
    want = originals[kind][0 if variant.lines_kept else 1]
    assert records(document, lines=variant.lines_kept) == want


@pytest.mark.parametrize("kind", list(SEEDS))
def test_combined_variants_read_to_the_same_records(tmp_path, originals, kind) -> None:
    path, folder, records = SEEDS[kind]
    mutate = v.compose(
        v.strip_leading,
        v.nfd,
        v.minus("\u2212"),
        v.zero_width_everywhere,
        v.percent_rates,
        v.separators("\u2009"),
        v.footers("emdash"),
        v.note_after,
        v.dos_eof,
    )
    document = _parse_bytes(tmp_path, mutate(_seed_text(path)).encode("utf-8"), folder)
    assert records(document, lines=False) == originals[kind][1]


@pytest.mark.parametrize("kind", list(SEEDS))
def test_bom_where_two_files_were_joined(tmp_path, originals, kind) -> None:
    """The document saved in two parts (each UTF-8 with a BOM) and joined byte for byte."""
    path, folder, records = SEEDS[kind]
    lines = _seed_text(path).split("\n")
    half = len(lines) // 2
    data = (
        codecs.BOM_UTF8
        + "\n".join(lines[:half]).encode()
        + b"\n"
        + codecs.BOM_UTF8
        + "\n".join(lines[half:]).encode()
    )
    document = _parse_bytes(tmp_path, data, folder)
    assert records(document) == originals[kind][0]


@pytest.mark.parametrize("kind", list(SEEDS))
def test_bom_in_front_of_a_section_heading(tmp_path, originals, kind) -> None:
    path, folder, records = SEEDS[kind]
    text = _seed_text(path)
    marker = "Ⅲ." if kind == "eval" else "나."
    text = text.replace(marker, "\ufeff" + marker, 1)
    document = _parse_bytes(tmp_path, text.encode("utf-8"), folder)
    assert records(document) == originals[kind][0]


@pytest.mark.parametrize("kind", list(SEEDS))
@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_other_encodings_of_nfd_text(tmp_path, originals, kind, encoding) -> None:
    path, folder, records = SEEDS[kind]
    document = _parse_bytes(tmp_path, v.nfd(_seed_text(path)).encode(encoding), folder)
    assert records(document) == originals[kind][0]


@pytest.mark.parametrize("kind", list(SEEDS))
def test_cp949_with_substitute_marks(tmp_path, kind) -> None:
    """CP949 has no ▢, ◦, ‧ or ․: a careful save uses □, ○ and · instead, and reads the same
    as the UTF-8 text with those substitutes."""
    path, folder, records = SEEDS[kind]
    text = _seed_text(path)
    for old, new in (("▢", "□"), ("◦", "○"), ("‧", "·"), ("․", "·")):
        text = text.replace(old, new)
    want = records(_parse_bytes(tmp_path, text.encode("utf-8"), folder, name="a.txt"))
    got = records(_parse_bytes(tmp_path, text.encode("cp949"), folder, name="b.txt"))
    assert got == want


# --------------------------------------------------------------------------- refusals


def _refusal(tmp_path: Path, data: bytes, folder: Path) -> str:
    with pytest.raises(XlgenError) as caught:
        _parse_bytes(tmp_path, data, folder, name="거절.txt")
    assert isinstance(caught.value, (ParseError, InputError))
    message = str(caught.value)
    assert message.startswith("거절.txt"), message
    assert "None" not in message
    assert re.search("[가-힣]", message)
    return message


@pytest.mark.parametrize("kind", list(SEEDS))
def test_document_pasted_twice_is_refused(tmp_path, kind) -> None:
    path, folder, _ = SEEDS[kind]
    message = _refusal(tmp_path, v.twice(_seed_text(path)).encode(), folder)
    assert "두 번" in message and re.search(r"\d+행", message), message


def test_two_different_evaluations_in_one_file_are_refused(tmp_path) -> None:
    text = _seed_text(EVAL)
    other = text.replace("2019년", "2020년")
    message = _refusal(tmp_path, (text + "\n" + other).encode(), EVAL_DIR)
    assert re.search(r"\d+행", message), message


def test_department_heading_twice_is_refused(tmp_path) -> None:
    text = _seed_text(EVAL)
    lines = text.split("\n")
    at = next(i for i, t in enumerate(lines) if t.strip() == "▢ 청소과")
    lines.insert(at, "▢ 총무과")  # a second 총무과 heading, with 청소과's table
    message = _refusal(tmp_path, "\n".join(lines).encode(), EVAL_DIR)
    assert "총무과" in message and "두 번" in message, message
    assert f"{at + 1}행" in message, message


def test_section_three_without_rows_is_refused(tmp_path) -> None:
    text = _seed_text(EVAL)
    head, tail = text.split("Ⅲ. 2019년 부서별 추진 현황", 1)
    kept = "\n".join(
        t for t in tail.split("\n") if not re.search(r"\d\s*$", t) or t.strip().startswith("▢")
    )
    message = _refusal(tmp_path, (head + "Ⅲ. 2019년 부서별 추진 현황" + kept).encode(), EVAL_DIR)
    assert "Ⅲ" in message, message


def test_cp949_loss_of_the_department_mark_is_refused(tmp_path) -> None:
    data = _seed_text(EVAL).encode("cp949", errors="replace")
    message = _refusal(tmp_path, data, EVAL_DIR)
    assert "부서 표시(▢)가 `?`로 바뀌어 있습니다" in message, message
    assert "CP949" in message and "손실" in message
    assert re.search(r"\d+행", message)


def test_question_marks_inside_names_are_refused(tmp_path) -> None:
    """CP949 loss of a character other than the mark (‧ in 지도‧점검)."""
    text = _seed_text(EVAL).replace("▢", "□").replace("◦", "○").replace("․", "·")
    data = text.encode("cp949", errors="replace")
    message = _refusal(tmp_path, data, EVAL_DIR)
    assert "`?`" in message and "손실" in message, message


def test_replacement_characters_are_refused(tmp_path) -> None:
    text = _seed_text(EVAL).replace("청렴도", "청\ufffd도", 1)
    message = _refusal(tmp_path, text.encode(), EVAL_DIR)
    assert "손실" in message, message
