"""Terminal tables aligned by display width; plain tab-separated rows for pipes."""

from __future__ import annotations

from pathlib import Path

from xlgen import table
from xlgen.export import to_plain, to_table
from xlgen.seeds import parse_document_path

ROOT = Path(__file__).resolve().parent.parent
EVAL_SEED = ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt"


def test_width_counts_hangul_twice():
    assert table.width("총무과") == 6
    assert table.width("abc") == 3
    assert table.width("△1,234") == 6
    assert table.pad("과", 4) == "과  " and table.pad("1", 3, ">") == "  1"


def test_columns_line_up_by_display_width():
    lines = table.render(
        ("부서", "지표", "실적"), [["총무과", "민원 처리", 1234], ["a", "b", -5]], align="<<>"
    )
    assert lines[0].startswith("부서    지표")
    ends = {table.width(line) for line in lines}
    assert len(ends) == 1  # every line, header and rule included, is equally wide
    starts = [
        table.width(line[: line.index(part)])
        for line, part in zip(lines[2:], ["민원", "b"], strict=True)
    ]
    assert starts[0] == starts[1]
    assert lines[3].endswith("△5")


def test_plain_is_tab_separated_and_raw():
    lines = table.render(("가", "나"), [["x\ty", -1234.0], [None, 3.5]], plain=True)
    assert lines == ["가\t나", "x y\t-1234", "\t3.5"]


def test_parse_views():
    doc, _, _ = parse_document_path(EVAL_SEED)
    view = to_table(doc, file=EVAL_SEED.name).splitlines()
    header = view[1]
    assert header.split() == [
        "부서",
        "주요사업",
        "성과지표",
        "단위",
        "목표",
        "실적",
        "인쇄",
        "달성률",
        "행",
    ]
    rows = [line for line in view[3:] if line.endswith("행") and not line.startswith("▶")]
    assert len(rows) == 244
    assert len({table.width(r) for r in rows}) == 1  # the 행 column ends in one place
    assert "합계: 국 9, 부서 37, 사업 154, 지표 244" in view
    plain = to_plain(doc).splitlines()
    assert plain[0].split("\t")[:4] == ["국", "부서", "주요사업", "성과지표"]
    assert len(plain) == 245 and all(line.count("\t") == 8 for line in plain)
    assert to_plain(doc, document="a.txt", header=False).splitlines()[0].startswith("a.txt\t")
