"""What is not the document's is left out and named, never read as rows: another table
(another sheet printed after 나 or Ⅲ) with its title, text after 나's table, and a Ⅲ table
without a header row. The HWPX path (the reader's blocks) and the PDF path (a ruled sheet of
our own printed by LibreOffice)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hwpx_fixtures import Grid, Para, evaluation_blocks, plan_blocks, reader_blocks  # noqa: E402
from test_hwpx_records import (  # noqa: E402
    EVAL_SEED,
    PLAN_SEED,
    _findings,
    _text,
    evaluation_records,
    plan_records,
)

from xlgen.findings import Kind  # noqa: E402
from xlgen.model import Evaluation, Plan  # noqa: E402
from xlgen.seeds import load_corrections  # noqa: E402
from xlgen.sources.records import document_from_blocks  # noqa: E402

REVIEW = [
    Para("검토사항 — 문서 인쇄값과 계산값의 차이"),
    Grid(
        [
            ["번호", "구분", "문서 행", "내용"],
            ["1", "합계", "12", "계 합계 불일치"],
            ["2", "개수", "16", "개수 불일치: 보건소 성과지표"],
        ]
    ),
]


@pytest.fixture(scope="module")
def plan_text() -> Plan:
    return _text(PLAN_SEED)


@pytest.fixture(scope="module")
def eval_text() -> Evaluation:
    return _text(EVAL_SEED)


def _read(blocks, seed: Path):
    return document_from_blocks(
        reader_blocks(blocks), corrections=load_corrections(seed), source="t.hwpx"
    )


def _left(doc) -> list:
    return [w for w in doc.warnings if w.kind is Kind.BLOCKS_NOT_READ]


def _others(doc) -> list[str]:
    class Rest:
        warnings = [w for w in doc.warnings if w.kind is not Kind.BLOCKS_NOT_READ]

    return _findings(Rest, drop_corrections=True)


def test_a_table_after_the_plan_is_left_out_and_named(plan_text: Plan) -> None:
    blocks = plan_blocks(plan_text)
    doc, rendering = _read([*blocks, *REVIEW, Para("※ 검토사항 끝")], PLAN_SEED)
    assert isinstance(doc, Plan)
    assert plan_records(doc) == plan_records(plan_text)
    assert len(doc.indicator_rows()) == 160
    [left] = _left(doc)
    first, last = left.get("lines")
    lines = rendering.text.split("\n")
    # from the other table's title to the end: its rows and the note under it too
    assert lines[first - 1].startswith("검토사항") and lines[last - 1] == "※ 검토사항 끝"
    assert lines[last - 2].startswith("2\t개수")
    assert (left.line, left.get("section"), left.get("tables")) == (first, "나", 1)
    assert "검토사항" in left.message and f"{first}–{last}행" in left.message
    assert _others(doc) == _findings(plan_text, drop_corrections=True)


def test_text_after_the_plans_table_is_no_row(plan_text: Plan) -> None:
    doc, _ = _read([*plan_blocks(plan_text), Para("담당: 기획예산과")], PLAN_SEED)
    assert plan_records(doc) == plan_records(plan_text)
    [left] = _left(doc)
    assert left.get("tables") == 0 and "담당: 기획예산과" in left.message
    # a note under the table stays the document's (the plan parser reports it as a note)
    doc, _ = _read([*plan_blocks(plan_text), Para("※ 자료: 기획예산과")], PLAN_SEED)
    assert plan_records(doc) == plan_records(plan_text) and not _left(doc)


def test_a_table_after_iii_is_left_out_and_named(eval_text: Evaluation) -> None:
    doc, _ = _read([*evaluation_blocks(eval_text), *REVIEW], EVAL_SEED)
    assert isinstance(doc, Evaluation)
    assert evaluation_records(doc) == evaluation_records(eval_text)
    [left] = _left(doc)
    assert left.get("section") == "Ⅲ" and left.get("tables") == 1


def test_a_table_in_i_after_its_table_is_not_read_as_bureaus(eval_text: Evaluation) -> None:
    blocks = evaluation_blocks(eval_text)
    at = next(i for i, b in enumerate(blocks) if isinstance(b, Grid)) + 1
    other = Grid([["구분", "값", "비고"], ["감사담당관", "3", "1"]])
    doc, _ = _read([*blocks[:at], other, *blocks[at:]], EVAL_SEED)
    assert evaluation_records(doc) == evaluation_records(eval_text)
    [left] = _left(doc)
    assert left.get("section") == "Ⅰ" and "구분 값 비고" in left.message


def test_a_iii_table_without_its_header_row_is_named_not_skipped() -> None:
    header = ["주요사업명", "성과지표", "단위", "목표", "실적", "달성률(%)"]
    blocks = [
        Para("2019년 성과관리 주요사업 평가 현황"),
        Para("Ⅲ. 2019년 부서별 추진 현황"),
        Para("▢ 총무과"),
        Grid([header, ["청사 관리", "시설 점검", "회", "12", "12", "100"]]),
        Para("▢ 민원과"),
        Grid([["민원 처리", "처리 기간", "일", "5", "4", "125"]]),  # its header row lost
    ]
    doc, rendering = document_from_blocks(reader_blocks(blocks), corrections=None, source="t")
    assert [d.name for d in doc.departments()] == ["총무과", "민원과"]
    [left] = _left(doc)
    assert left.get("reason") == "no_header" and left.get("lines") == (7, 7)
    assert rendering.text.split("\n")[6].startswith("민원 처리")
    assert "열 제목 행" in left.message and "민원 처리" in left.message
    # its rows are not guessed into a department either
    assert [len(d.projects) for d in doc.departments()] == [1, 0]


def test_in_a_pdf_the_findings_name_the_pages(tmp_path: Path) -> None:
    """The same on a ruled sheet printed by LibreOffice: the headerless table and the other
    table after Ⅲ are named with their page."""
    pytest.importorskip("pdfplumber")
    from pdf_fixtures import write_xlsx

    from xlgen.parse import parse_file

    from support import libreoffice as lo

    if lo.find_soffice() is None:
        pytest.skip("LibreOffice(soffice)가 없습니다.")
    header = ["주요사업명", "성과지표", "단위", "목표", "실적", "달성률(%)"]
    blocks = [
        Para("2019년 성과관리 주요사업 평가 현황"),
        Para("Ⅲ. 2019년 부서별 추진 현황"),
        Para("▢ 총무과"),
        Grid([header, ["청사 관리", "시설 점검", "회", "12", "12", "100"]]),
        Para("▢ 민원과"),
        Grid([["민원 처리", "처리 기간", "일", "5", "4", "125"]]),
        *REVIEW,
    ]
    xlsx = write_xlsx(tmp_path / "t.xlsx", blocks, widths=[26, 30, 6, 8, 8, 8])
    doc = parse_file(lo.to_pdf(xlsx, tmp_path / "pdf", recalc=False))[0]
    assert isinstance(doc, Evaluation)
    assert [(d.name, len(d.projects)) for d in doc.departments()] == [("총무과", 1), ("민원과", 0)]
    headless, other = sorted(_left(doc), key=lambda w: w.line)
    assert (headless.get("reason"), headless.get("pages")) == ("no_header", (1, 1))
    assert (other.get("reason"), other.get("section"), other.get("pages")) == (
        "foreign",
        "Ⅲ",
        (1, 1),
    )
    assert "PDF 1쪽" in headless.message and "검토사항" in other.message
