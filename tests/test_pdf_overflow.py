"""Text taller than its cell: LibreOffice does not size rows to a merged cell's text, so a
long 주요사업명 is drawn over its cell's rules into the cells above and below, where it would
read interleaved with theirs. The reader names the page and the cells (a finding), and
refuses when a number cell is affected."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xlgen.errors import InputError  # noqa: E402
from xlgen.findings import Kind  # noqa: E402
from xlgen.model import Evaluation  # noqa: E402
from xlgen.parse import parse_file  # noqa: E402

from support import libreoffice as lo  # noqa: E402

pytest.importorskip("pdfplumber")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(lo.find_soffice() is None, reason="LibreOffice(soffice)가 없습니다."),
]

HEADER = ["주요사업명", "성과지표", "단위", "목표", "실적", "달성률(%)"]
LONG = (
    "주민 참여형 생활 안전 환경 조성을 위한 마을 단위 안전 지도 제작 및 위험 요소 정비 "
    "사업 추진과 주민 교육 확대 운영"
)


def _print(tmp: Path, rows: list[list[str]], merges: list[tuple[int, int, int, int]]) -> Path:
    """An evaluation's Ⅲ table on a ruled sheet whose data rows are one line high (14 pt)
    whatever their text (as LibreOffice leaves the rows under a merged cell)."""
    wb = xlsxwriter.Workbook(str(tmp / "t.xlsx"))
    ws = wb.add_worksheet("문서")
    cell = wb.add_format(
        {"border": 1, "text_wrap": True, "valign": "vcenter", "align": "center", "font_size": 9}
    )
    for c, w in enumerate([26, 24, 6, 8, 8, 8]):
        ws.set_column(c, c, w)
    ws.write_string(0, 0, "2019년 성과관리 주요사업 평가 현황")
    ws.write_string(1, 0, "Ⅲ. 2019년 부서별 추진 현황")
    ws.write_string(2, 0, "▢ 총무과")
    for c, text in enumerate(HEADER):
        ws.write_string(3, c, text, cell)
    covered = set()
    for r0, c0, r1, c1 in merges:
        ws.merge_range(4 + r0, c0, 4 + r1, c1, rows[r0][c0], cell)
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(rows):
        ws.set_row(4 + r, 14)
        for c, text in enumerate(row):
            if (r, c) not in covered:
                ws.write_string(4 + r, c, text, cell)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    wb.close()
    return lo.to_pdf(tmp / "t.xlsx", tmp / "pdf", recalc=False)


def test_a_merged_name_taller_than_its_cell_is_named_with_its_page(tmp_path: Path) -> None:
    rows = [
        ["청사 관리", "시설 점검", "회", "12", "12", "100"],
        [LONG, "안전 지도 제작", "건", "10", "12", "120"],
        ["", "교육 횟수", "회", "5", "5", "100"],
        ["민원 처리", "처리 기간", "일", "5", "4", "125"],
    ]
    pdf = _print(tmp_path, rows, [(1, 0, 2, 0)])
    doc = parse_file(pdf)[0]
    assert isinstance(doc, Evaluation)
    [finding] = [w for w in doc.warnings if w.kind is Kind.PDF_TEXT_OVERFLOW]
    assert finding.get("page") == 1
    texts = finding.get("texts")
    # the cells the long name crossed into, with their own names mixed in
    assert any("청사 관리" in t for t in texts) and any("민원 처리" in t for t in texts)
    assert "PDF 1쪽" in finding.message and "칸 밖으로 넘쳐" in finding.message
    # the figures are untouched: four indicators with their numbers
    assert [(i.target, i.actual) for *_, i in doc.indicator_rows()] == [
        (12, 12),
        (10, 12),
        (5, 5),
        (5, 4),
    ]


def test_a_row_that_fits_its_text_gives_no_finding(tmp_path: Path) -> None:
    rows = [
        ["청사 관리", "시설 점검", "회", "12", "12", "100"],
        ["민원 처리", "처리 기간", "일", "5", "4", "125"],
    ]
    doc = parse_file(_print(tmp_path, rows, []))[0]
    assert not [w for w in doc.warnings if w.kind is Kind.PDF_TEXT_OVERFLOW]
    assert [p.name for d in doc.departments() for p in d.projects] == ["청사 관리", "민원 처리"]


def test_a_number_cell_taller_than_its_cell_is_refused(tmp_path: Path) -> None:
    rows = [
        ["청사 관리", "시설 점검", "회", "12", "12", "100"],
        ["민원 처리", "처리 기간", "일", "1,234,567,890,123", "4", "125"],
        ["민원 안내", "안내 건수", "건", "5", "5", "100"],
    ]
    with pytest.raises(InputError) as info:
        parse_file(_print(tmp_path, rows, []))
    message = str(info.value)
    assert "1쪽" in message and "숫자 칸" in message and "1,234" in message
