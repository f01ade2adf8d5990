"""`xlgen build`: the evaluation workbook's structure, formulas and cached values.

Cached values are checked here against the Python rules; tests/test_build_libreoffice.py
recalculates the same workbook in LibreOffice and checks the engine agrees.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xlgen.build import build
from xlgen.cli import cli
from xlgen.importer import read_workbook
from xlgen.layouts import eval_departments as dep
from xlgen.layouts import meta
from xlgen.rules import indicator_rate
from xlgen.store import Store

ROOT = Path(__file__).resolve().parent.parent
SUMMARY, DEPTS, SETTINGS = "Ⅰ 국별현황", "Ⅲ 부서별현황", "설정"
PRINTED = {
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
    tmp = tmp_path_factory.mktemp("build")
    with Store.open(tmp / "store.sqlite") as store:
        result = build("2019", store=store, out_dir=tmp / "out")
    return result.path


@pytest.fixture(scope="module")
def formulas(built):
    return openpyxl.load_workbook(built)


@pytest.fixture(scope="module")
def values(built):
    return openpyxl.load_workbook(built, data_only=True)


def test_file_name_and_sheets(built, formulas):
    assert built.name == "2019년 성과관리 주요사업 평가 현황.xlsx"
    assert built.parent.name == "2019"
    assert formulas.sheetnames == [
        SUMMARY,
        "Ⅱ 추진성과",
        DEPTS,
        "차트",
        "검토사항",
        "제출 현황",  # issue 14: the department round
        SETTINGS,
        meta.SHEET,
    ]
    assert formulas[meta.SHEET].sheet_state == "veryHidden"


def test_summary_is_countifs_with_the_documents_figures(formulas, values):
    f, v = formulas[SUMMARY], values[SUMMARY]
    assert [v.cell(5, c).value for c in (2, 3, 4)] == [154, 151, 3]
    assert f.cell(5, 2).value.startswith("=COUNTIFS(")
    rows = {v.cell(r, 1).value: r for r in range(7, 16)}
    assert list(rows) == list(PRINTED)
    for name, expected in PRINTED.items():
        r = rows[name]
        assert tuple(v.cell(r, c).value for c in (2, 3, 4)) == expected, name
        for c in (2, 3, 4):
            formula = f.cell(r, c).value
            assert formula.startswith("=COUNTIFS(") and "$K$" in formula and "$M$" in formula
    # 비율 row: a formula giving 98 / 2, with the document's 99 / 1 in a comment.
    assert [v.cell(6, c).value for c in (3, 4)] == [98, 2]
    assert f.cell(6, 3).value.startswith("=IF(") and "ROUND(" in f.cell(6, 3).value
    assert "99" in f.cell(6, 3).comment.text and "1" in f.cell(6, 4).comment.text
    rule = v.cell(16, 1).value
    assert rule == "※ 부진판정 기준 : 목표 대비 달성률 80% 이하"
    assert "THRESHOLD" in f.cell(16, 1).value


def _indicator_rows(ws):
    for r in range(dep.FIRST_DATA_ROW + 1, ws.max_row + 1):
        key = ws.cell(r, dep.KEY + 1).value
        if isinstance(key, str) and key.startswith("I"):
            yield r


def test_every_rate_formula_has_the_python_value(formulas, values, built):
    f, v = formulas[DEPTS], values[DEPTS]
    with Store.open(built.parent.parent.parent / "store.sqlite") as store:
        doc = store.load("2019")
    by_key = {i.key: i for _, _, _, i in doc.indicator_rows()}
    rows = list(_indicator_rows(v))
    assert len(rows) == 244
    comments = 0
    for r in rows:
        ind = by_key[v.cell(r, dep.KEY + 1).value]
        expected = indicator_rate(ind.target, ind.actual, ind.direction)
        assert f.cell(r, dep.RATE + 1).value.startswith("=IF(OR(")
        assert v.cell(r, dep.RATE + 1).value == (expected if expected is not None else "")
        assert v.cell(r, dep.ACTUAL + 1).value == ind.actual
        if f.cell(r, dep.RATE + 1).comment is not None:
            comments += 1
            assert (
                f"문서 인쇄값: {ind.stated_rate:,}".replace("-", "△")
                in f.cell(r, dep.RATE + 1).comment.text
            )
    assert comments == 13


def test_no_formula_is_left_with_a_default_cache(formulas, values):
    for name in formulas.sheetnames:
        for row in formulas[name].iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    cached = values[name][c.coordinate].value
                    assert cached is not None, f"{name}!{c.coordinate}"


def test_weak_projects_and_judgement_formulas(formulas, values):
    f, v = formulas[DEPTS], values[DEPTS]
    weak = []
    for r in _indicator_rows(v):
        if v.cell(r, dep.FIRST + 1).value == 1:
            judge = v.cell(r, dep.JUDGE + 1).value
            assert judge in ("정상추진", "부진")
            assert "THRESHOLD" in f.cell(r, dep.JUDGE + 1).value
            assert f.cell(r, dep.PRATE + 1).value.startswith("=IF(COUNT(")
            if judge == "부진":
                weak.append((v.cell(r, dep.BUREAU + 1).value, v.cell(r, dep.PRATE + 1).value))
    assert sorted(b for b, _ in weak) == ["미래비전추진단", "생활환경국", "재정국"]
    assert all(rate <= 80 for _, rate in weak)
    cf = f.conditional_formatting
    rules = [rule for rng in cf for rule in rng.rules]
    assert any("THRESHOLD" in rule.formula[0] for rule in rules)


def test_input_cells_unlocked_everything_else_protected(formulas):
    ws = formulas[DEPTS]
    assert ws.protection.sheet is True
    r = next(_indicator_rows(ws))
    assert ws.cell(r, dep.ACTUAL + 1).protection.locked is False
    assert ws.cell(r, dep.NOTE + 1).protection.locked is False
    for col in (dep.PROJECT, dep.INDICATOR, dep.TARGET, dep.RATE, dep.PRATE, dep.JUDGE):
        assert ws.cell(r, col + 1).protection.locked is not False
    validations = ws.data_validations.dataValidation
    assert any(dv.type == "decimal" and "숫자" in (dv.error or "") for dv in validations)
    assert "△" in ws.cell(r, dep.ACTUAL + 1).number_format
    assert formulas[SETTINGS]["B3"].protection.locked is False
    assert formulas.defined_names["THRESHOLD"].attr_text == "'설정'!$B$3"


def test_print_setup(formulas):
    for name in (SUMMARY, DEPTS):
        ws = formulas[name]
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert ws.oddFooter.center.text == "- &P -"
    assert formulas[DEPTS].print_title_rows == "$1:$1"
    assert formulas[SUMMARY].print_title_rows == "$3:$4"
    font = formulas[DEPTS].cell(next(_indicator_rows(formulas[DEPTS])), dep.INDICATOR + 1).font
    assert font.name == "맑은 고딕"


def test_merged_project_names(formulas, values):
    ws = formulas[DEPTS]
    merged = [str(m) for m in ws.merged_cells.ranges if m.min_col == 1 and m.max_row > m.min_row]
    assert merged  # multi-indicator projects are merged vertically
    total_projects = sum(
        1 for r in _indicator_rows(values[DEPTS]) if values[DEPTS].cell(r, dep.FIRST + 1).value == 1
    )
    assert total_projects == 154


def _inputs(path: Path) -> dict[str, dep.InputRow]:
    """The Ⅲ sheet's keyed rows as `xlgen import` reads them (its layout's reader)."""
    reading = read_workbook(path).reading
    assert reading.sheet == DEPTS
    return {r.key: r for r in reading.rows if r.key and r.first_row is None}


def test_hidden_metadata_maps_keys(values, built):
    fields, records = meta.read(
        [list(row) for row in values[meta.SHEET].iter_rows(values_only=True)]
    )
    assert fields["format"] == meta.FORMAT
    assert fields["key"] == "2019" and fields["revision"] == 1 and len(fields["content_hash"]) == 64
    assert len(records) == 244 and records[0]["record_key"] == "I0001"
    inputs = _inputs(built)
    assert set(inputs) == {r["record_key"] for r in records}
    library = [r for r in records if r["indicator"] == "도서관독서실 이용자수"][0]
    assert inputs[library["record_key"]].actual == 93


def test_template_change_reaches_the_output(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    style = (templates / "evaluation.toml").read_text(encoding="utf-8")
    style = style.replace(
        'title = "Ⅰ. 국별 사업추진 현황"', 'title = "Ⅰ. 국별 추진 현황 (시험 서식)"'
    )
    (templates / "evaluation.toml").write_text(style, encoding="utf-8")
    base = (
        (templates / "style.toml")
        .read_text(encoding="utf-8")
        .replace('name = "맑은 고딕"', 'name = "바탕"')
    )
    (templates / "style.toml").write_text(base, encoding="utf-8")
    with Store.open(tmp_path / "s.sqlite") as store:
        path = build("2019", store=store, out_dir=tmp_path / "out", templates_dir=templates).path
    wb = openpyxl.load_workbook(path)
    assert wb[SUMMARY]["A1"].value == "Ⅰ. 국별 추진 현황 (시험 서식)"
    assert wb[SUMMARY]["A1"].font.name == "바탕"


def test_build_is_atomic(tmp_path, monkeypatch):
    from xlgen import workbook

    out = tmp_path / "out"
    with Store.open(tmp_path / "s.sqlite") as store:
        good = build("2019", store=store, out_dir=out).path
        before = good.read_bytes()

        def boom(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(workbook.findings, "write", boom)
        with pytest.raises(RuntimeError):
            build("2019", store=store, out_dir=out)
    assert good.read_bytes() == before
    assert sorted(p.name for p in good.parent.iterdir()) == [good.name]


def test_cli_build_prints_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("XLGEN_DB", str(tmp_path / "s.sqlite"))
    result = CliRunner().invoke(cli, ["build", "2019", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip().splitlines()[-1])
    assert path == tmp_path / "out" / "2019" / "2019년 성과관리 주요사업 평가 현황.xlsx"
    assert path.exists()
    missing = CliRunner().invoke(cli, ["build", "1999", "--out", str(tmp_path / "out")])
    assert missing.exit_code == 1
    assert missing.output.startswith("오류: '1999'에 해당하는 seeds 폴더가 없습니다")


def test_department_workbooks(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as store:
        result = build("2019", store=store, out_dir=tmp_path / "out", by_department=True)
    paths = result.department_paths
    assert len(paths) == 37
    assert all(p.parent.name == "부서별" for p in paths)
    one = next(p for p in paths if p.name.endswith(" - 미래교육과.xlsx"))
    wb = openpyxl.load_workbook(one, data_only=True)
    # issue 14: a department's Ⅰ shows that department alone (no bureau row)
    assert wb.sheetnames == ["Ⅰ 부서현황", DEPTS, SETTINGS, meta.SHEET]
    fields, records = meta.read([list(r) for r in wb[meta.SHEET].iter_rows(values_only=True)])
    assert fields["department"] == "미래교육과"
    assert {r["department"] for r in records} == {"미래교육과"} and len(records) == 7
    inputs = _inputs(one)
    assert set(inputs) == {r["record_key"] for r in records}
    summary = wb["Ⅰ 부서현황"]
    texts = [c for row in summary.iter_rows(values_only=True) for c in row if c is not None]
    assert "미래비전추진단" not in [c for c in texts if isinstance(c, str) and len(c) < 10]
    assert not any(isinstance(c, str) and c.startswith("문서:") for c in texts)
    counts = {
        summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, summary.max_row + 1)
    }
    assert counts["주요사업 수"] == 6
    assert (counts["정상추진"], counts["부진"]) == (5, 1)


def test_a_document_without_a_narrative_says_so_on_its_sheet(tmp_path):
    """A document read from its text with no Ⅱ section: the sheet says the document has
    none (a carried-over year says something else: tests/test_newyear.py)."""
    import dataclasses

    from xlgen.seeds import parse_seed
    from xlgen.templates import load_template
    from xlgen.workbook import build_document

    doc = dataclasses.replace(parse_seed("2019", ROOT / "seeds").document, narrative=[])
    path = build_document(
        doc, tmp_path / "x", load_template("evaluation"), key="2019", revision=1, source="t"
    )
    ws = openpyxl.load_workbook(path)["Ⅱ 추진성과"]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if any(r)]
    assert rows == [(None, "(문서에 Ⅱ 절이 없습니다.)")]
