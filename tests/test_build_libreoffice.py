"""The built evaluation workbook in a real spreadsheet engine (headless LibreOffice).

Formulas are proven here, not by our own evaluation: the workbook is recalculated with
recalculation forced on load, and the engine's values are compared with the cached values
Python wrote; an edit through UNO moves the counts; the PDF has the right pages.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from xlgen.build import build
from xlgen.layouts import eval_departments as dep
from xlgen.layouts._base import cell
from xlgen.store import Store

from support import libreoffice as lo

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        lo.find_soffice() is None, reason="LibreOffice(soffice)가 설치되어 있지 않습니다"
    ),
]
SUMMARY, DEPTS, SETTINGS = "Ⅰ 국별현황", "Ⅲ 부서별현황", "설정"
PER_BUREAU = {
    "감사담당관": (4, 4, 0),
    "미래비전추진단": (14, 13, 1),
    "행정국": (21, 21, 0),
    "재정국": (18, 17, 1),
    "복지국": (21, 21, 0),
    "생활환경국": (16, 15, 1),
    "도시국": (19, 19, 0),
    "안전교통국": (22, 22, 0),
    "보건소": (19, 19, 0),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("lo-build")
    with Store.open(tmp / "store.sqlite") as store:
        return build("2019", store=store, out_dir=tmp / "out").path


@pytest.fixture(scope="module")
def recalculated(built, tmp_path_factory) -> Path:
    return lo.recalculate(built, tmp_path_factory.mktemp("recalc"))


def _summary(values: dict[str, dict[str, object]]) -> dict[str, tuple]:
    ws = values[SUMMARY]
    rows = {}
    for r in range(7, 16):
        rows[ws.get(f"A{r}")] = tuple(ws.get(f"{c}{r}", 0) for c in "BCD")
    rows["사업 수"] = tuple(ws.get(f"{c}5", 0) for c in "BCD")
    rows["비율"] = tuple(ws.get(f"{c}6") for c in "CD")
    return rows


def test_recalculated_summary_shows_the_documents_figures(recalculated):
    rows = _summary(lo.read_values(recalculated))
    assert rows["사업 수"] == (154, 151, 3)
    assert rows["비율"] == (98, 2)  # 151/154 = 98.05 %, 3/154 = 1.95 %; the document printed 99 / 1
    for name, expected in PER_BUREAU.items():
        assert rows[name] == expected, name


def test_every_formula_recalculates_to_its_cached_value(built, recalculated):
    checked, problems = lo.formula_mismatches(built, recalculated)
    assert not problems, problems[:5]
    assert checked > 244 * 2  # every 달성률, judgement and count formula


def _row_of(built: Path, indicator: str) -> int:
    ws = openpyxl.load_workbook(built, read_only=True)[DEPTS]
    for r, row in enumerate(ws.iter_rows(values_only=True), 1):
        if row[dep.INDICATOR] == indicator and row[dep.KEY]:
            return r
    raise AssertionError(indicator)


def test_editing_one_actual_in_calc_moves_the_counts(built, tmp_path):
    r = _row_of(built, "도서관독서실 이용자수")  # 93 / 124 = 75 → 부진
    address = f"{cell(0, dep.ACTUAL)[0]}{r}"
    edited = lo.uno_edit(built, tmp_path / "edited.xlsx", [(DEPTS, address, 110)])
    values = lo.read_values(edited)
    assert values[DEPTS][f"{cell(0, dep.RATE)[0]}{r}"] == 89
    rows = _summary(values)
    assert rows["미래비전추진단"] == (14, 14, 0)
    assert rows["사업 수"] == (154, 152, 2)
    protected = openpyxl.load_workbook(edited)[DEPTS].protection.sheet
    assert protected is True


def test_changing_the_threshold_rejudges_everything(built, tmp_path):
    edited = lo.uno_edit(built, tmp_path / "threshold.xlsx", [(SETTINGS, "B3", 100)])
    values = lo.read_values(edited)
    total, normal, weak = _summary(values)["사업 수"]
    assert total == 154 and weak > 3 and normal + weak == 154
    assert values[SUMMARY]["A16"] == "※ 부진판정 기준 : 목표 대비 달성률 100% 이하"


def test_pdf_is_a4_landscape_and_every_department_page_starts_with_a_block(built, tmp_path):
    pdf = lo.to_pdf(built, tmp_path)
    pages = lo.pdf_pages(pdf)
    assert all(abs(w - 841.9) < 2 and abs(h - 595.3) < 2 for w, h in pages), pages[:3]
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    page_texts = text.split("\f")
    dept_pages = [p for p in page_texts if "부서별 추진 현황" in p]
    from xlgen.layouts import eval_departments
    from xlgen.templates import load_template

    with Store.open(built.parent.parent.parent / "store.sqlite") as store:
        doc = store.load("2019")
    template = load_template("evaluation")
    placement = eval_departments.place(doc, template, eval_departments.print_scale(template))
    assert len(dept_pages) == len(placement.page_breaks) + 1
    for page in dept_pages:
        body = [line.strip() for line in page.splitlines() if line.strip() and "(단위" not in line]
        assert body[1].startswith("▢"), body[:3]  # title, then a department block
    assert re.search(r"-\s*1\s*-", page_texts[0])  # the "- n -" footer
    assert len(pages) == len(page_texts) - (1 if not page_texts[-1].strip() else 0)
