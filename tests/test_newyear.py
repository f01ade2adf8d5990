"""Next year's form (issue 15, deliverable 5): `xlgen new 2020 --from 2019`, the 목표 설정
workbook (목표 and 실적 inputs, last year's as protected reference columns), importing
targets, fixing them (`xlgen targets --fix`), and the department map. Without LibreOffice:
edits are made with openpyxl here; tests/test_newyear_libreoffice.py edits in Calc.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from xlgen.cli import cli
from xlgen.layouts import eval_departments as dep
from xlgen.layouts._base import col_letter
from xlgen.model import Phase
from xlgen.store import Store
from xlgen.store_schema import MIGRATIONS, SCHEMA_V1, SCHEMA_VERSION, statements

DEPTS, SUMMARY, SETTINGS, FINDINGS = "Ⅲ 부서별현황", "Ⅰ 국별현황", "설정", "검토사항"
FORM = "2020년 성과관리 주요사업 목표 설정.xlsx"
EVAL = "2020년 성과관리 주요사업 평가 현황.xlsx"
TARGET_COLS = dep.ColumnMap.of(reference=True)
T, A, PT, PA, K, NOTE = (
    TARGET_COLS.target,
    TARGET_COLS.actual,
    TARGET_COLS.prev_target,
    TARGET_COLS.prev_actual,
    TARGET_COLS.key,
    TARGET_COLS.note,
)
HEAD = "오류: 가져오기를 중단했습니다 (문제 {n}건, 아무것도 저장하지 않음):"


def run(db: Path, *args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env={"XLGEN_DB": str(db)})


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def records_of(xlsx: Path, key_col: int) -> dict[str, int]:
    """Record key → 1-based row of the Ⅲ sheet."""
    ws = openpyxl.load_workbook(xlsx, read_only=True)[DEPTS]
    return {
        r[key_col]: n
        for n, r in enumerate(ws.iter_rows(values_only=True), 1)
        if len(r) > key_col and isinstance(r[key_col], str) and r[key_col].startswith("I")
    }


@dataclass
class Year:
    """A store holding 2019 and the 2020 created from it, and the 2020 form built once."""

    tmp: Path
    pristine: Path
    form: Path
    rows: dict[str, int]  # record key → row of the form's Ⅲ sheet

    def store(self, tmp: Path) -> Path:
        db = tmp / "store.sqlite"
        shutil.copyfile(self.pristine, db)
        return db


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Year:
    tmp = tmp_path_factory.mktemp("newyear")
    db = tmp / "store.sqlite"
    ok(run(db, "load", "2019"))
    out = ok(run(db, "new", "2020", "--from", "2019")).output
    assert out.startswith(
        f"'2020' 만들었습니다: '2019'(리비전 1)에서 국 9개, 부서 37개, 사업 154개, 성과지표 244개 "
        f"→ {db} (리비전 1, 단계: 목표 설정)\n"
    )
    built = ok(run(db, "build", "2020", "--out", tmp / "out")).output
    form = tmp / "out" / "2020" / FORM
    assert built == f"{form}\n"
    pristine = tmp / "pristine.sqlite"
    shutil.copyfile(db, pristine)
    return Year(tmp, pristine, form, records_of(form, K))


def history_of(db: Path) -> list[Any]:
    with Store.open(db) as s:
        return s.history("2020")


def edited(src: Path, out: Path, edits: list[tuple[int, int, Any]], fmt: str = "") -> Path:
    """A copy of `src` with (row, zero-based column, value) set on the Ⅲ sheet by openpyxl."""
    wb = openpyxl.load_workbook(src)
    ws = wb[DEPTS]
    for row, col, value in edits:
        c = ws.cell(row, col + 1)
        c.value = value
        if fmt:
            c.number_format = fmt
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def stored(db: Path, key: str = "2020") -> dict[str, Any]:
    with Store.open(db) as s:
        return {i.key: i for _, _, _, i in s.load(key).indicator_rows()}


# --------------------------------------------------------------------------- the new document


def test_new_year_carries_the_structure_with_blank_targets_and_actuals(year):
    with Store.open(year.pristine) as s:
        old, new = s.load("2019"), s.load("2020")
        assert s.phase("2020") is Phase.TARGETS and s.phase("2019") is Phase.EVALUATION
    assert (new.title, new.org, new.year) == ("2020년 성과관리 주요사업 평가 현황", old.org, 2020)
    assert [b.name for b in new.bureaus] == [b.name for b in old.bureaus]
    assert [d.name for d in new.departments()] == [d.name for d in old.departments()]
    assert len(new.departments()) == 37 and len(new.projects()) == 154
    pairs = list(zip(old.indicator_rows(), new.indicator_rows(), strict=True))
    assert len(pairs) == 244
    for (_, od, op, oi), (_, nd, np_, ni) in pairs:
        assert (od.name, op.name, oi.name, oi.unit, oi.direction) == (
            nd.name,
            np_.name,
            ni.name,
            ni.unit,
            ni.direction,
        )
        assert (ni.target, ni.actual, ni.stated_rate, ni.note) == (None, None, None, "")
        assert (ni.prev_target, ni.prev_actual) == (oi.target, oi.actual)
    assert new.narrative == [] and new.summary == []  # last year's text is not this year's
    assert new.carried_from is not None and new.carried_from.key == "2019"


def test_new_refuses_an_existing_year_a_missing_source_and_a_bad_year(year, tmp_path):
    db = year.store(tmp_path)
    before = db.read_bytes()
    r = run(db, "new", "2020", "--from", "2019")
    assert r.exit_code == 1
    assert r.stderr == (
        "오류: '2020'은 이미 저장소에 있습니다 (리비전 1). 그대로 둡니다. 새로 만들려면 "
        "--replace를 붙이세요 (입력한 목표·실적은 사라집니다).\n"
    )
    r = run(db, "new", "2021", "--from", "2018")
    assert r.exit_code == 1
    assert r.stderr == (
        f"오류: --from 2018: 저장소에 '2018' 문서가 없습니다 ({db}). 먼저 xlgen load 2018 하세요.\n"
    )
    r = run(db, "new", "2018", "--from", "2019")
    assert r.exit_code == 1
    assert r.stderr == "오류: 새 연도 2018은 --from '2019'의 연도 2019보다 뒤여야 합니다.\n"
    r = run(db, "new", "next", "--from", "2019")
    assert r.exit_code == 1
    assert r.stderr == "오류: 'next'는 연도가 아닙니다. --year로 새 문서의 연도를 정해 주세요.\n"
    # issue 15 §5 (tester): a KEY that is a year and a --year that disagrees; absurd years
    r = run(db, "new", "2026", "--year", "2030", "--from", "2019")
    assert r.exit_code == 1
    assert r.stderr == (
        "오류: 새 문서 '2026'은 2026년인데 --year는 2030입니다. 연도가 KEY와 같으면 --year를 "
        "빼고, 다르면 연도가 아닌 KEY를 쓰세요.\n"
    )
    for args, given in (
        (["next", "--year", "99999"], "--year 99999"),
        (["next", "--year", "-5"], "--year -5"),
        (["9999"], "'9999'"),
    ):
        r = run(db, "new", *args, "--from", "2019")
        assert r.exit_code == 1
        assert r.stderr == f"오류: {given}: 새 문서의 연도는 1990~2100 사이여야 합니다.\n"
    assert db.read_bytes() == before
    with Store.open(db) as s:
        assert [i.key for i in s.keys()] == ["2019", "2020"]
    # --replace makes it again (what was typed is gone), and says so.
    r = ok(run(db, "new", "2020", "--from", "2019", "--replace"))
    assert r.output.startswith("'2020' 다시 만들었습니다: ")
    assert ok(run(db, "new", "y2020", "--from", "2019", "--year", "2020"))
    with Store.open(db) as s:
        assert s.load("y2020").year == 2020


def test_status_and_history_show_the_phase(year, tmp_path):
    db = year.store(tmp_path)
    rows = {
        line.split("\t")[0]: line.split("\t") for line in ok(run(db, "status")).stdout.splitlines()
    }
    assert rows["문서 키"][1] == "종류"
    assert rows["2020"][1:5] == ["평가 (목표 설정)", "영등포구", "2020", "1"]
    assert rows["2020"][-1] == "2019 이월"
    assert rows["2019"][1] == "평가"  # an evaluation being evaluated: no phase said
    assert "새 연도 만들기" in ok(run(db, "history", "2020")).output


# --------------------------------------------------------------------------- the 목표 설정 form


def test_form_has_37_departments_244_indicators_open_targets_and_reference_columns(year):
    wb = openpyxl.load_workbook(year.form)
    assert wb.sheetnames == [
        SUMMARY,
        DEPTS,
        FINDINGS,
        "제출 현황",
        SETTINGS,
        "_xlgen",
    ]  # no Ⅱ, 차트
    ws = wb[DEPTS]
    titles = [
        r[0].value
        for r in ws.iter_rows(min_row=4)
        if isinstance(r[0].value, str) and r[0].value.startswith("▢ ")
    ]
    assert len(titles) == 37
    assert len(year.rows) == 244
    headers = [c.value for c in ws[5][: NOTE + 1]]
    assert headers == [
        "주요사업명",
        "성과지표",
        "단위",
        "2019년 목표",
        "2019년 실적",
        "목표",
        "실적",
        "달성률(%)",
        "사업 달성률(%)",
        "판정",
        "비고",
    ]
    with Store.open(year.pristine) as s:
        old = {(d.name, p.name, i.name): i for _, d, p, i in s.load("2019").indicator_rows()}
        new = s.load("2020")
    by_key = {i.key: (d.name, p.name, i.name) for _, d, p, i in new.indicator_rows()}
    for key, row in year.rows.items():
        cells = ws[row]
        assert cells[T].value is None and cells[A].value is None  # blank 목표 and 실적
        assert cells[T].protection.locked is False and cells[A].protection.locked is False
        assert cells[NOTE].protection.locked is False
        assert cells[T].fill.fgColor.rgb == cells[A].fill.fgColor.rgb == "FFFFF2CC"
        last = old[by_key[key]]
        assert (cells[PT].value, cells[PA].value) == (last.target, last.actual)
        assert cells[PT].protection.locked and cells[PA].protection.locked
        assert cells[PT].fill.fgColor.rgb == "FFEDEDED"
        assert cells[TARGET_COLS.rate].value.startswith(
            f'=IF(OR({col_letter(T)}{row}="",{col_letter(T)}{row}=0,{col_letter(A)}{row}="")'
        )
    assert ws.protection.sheet
    hidden = {k for k, v in ws.column_dimensions.items() if v.hidden}
    assert hidden == {col_letter(K)}  # L..Q as one <col> range
    assert ws.column_dimensions[col_letter(K)].max == TARGET_COLS.prate_all + 1
    validated = {str(dv.sqref): dv.promptTitle for dv in ws.data_validations.dataValidation}
    first, last = min(year.rows.values()), max(year.rows.values())
    assert validated == {
        f"{col_letter(T)}{first}:{col_letter(T)}{last}": "목표 입력",
        f"{col_letter(A)}{first}:{col_letter(A)}{last}": "실적 입력",
    }
    fields = {r[0]: r[1] for r in wb["_xlgen"].iter_rows(max_row=30, values_only=True) if r[0]}
    assert fields["phase"] == "목표 설정" and fields["carried_from"] == "2019"
    assert fields["reference_headers"] == "2019년 목표|2019년 실적"
    # Ⅰ counts the new year's projects from the moved hidden columns.
    summary = wb[SUMMARY]
    assert summary["B5"].value.startswith(f"=COUNTIFS('{DEPTS}'!${col_letter(TARGET_COLS.first)}$")


def test_every_title_says_2020_and_last_year_only_heads_the_reference_columns(year):
    assert "2020" in year.form.name
    wb = openpyxl.load_workbook(year.form)
    assert wb.properties.title == "2020년 성과관리 주요사업 목표 설정"
    assert wb.properties.subject == "2020년 성과관리 주요사업 평가 현황"
    assert wb[DEPTS]["A1"].value == "Ⅲ. 2020년 부서별 추진 현황"
    settings = {r[0]: r[1] for r in wb[SETTINGS].iter_rows(values_only=True) if r[0]}
    assert settings["문서"] == "2020년 성과관리 주요사업 평가 현황"
    assert settings["연도"] == "2020" and settings["단계"] == "목표 설정"
    assert settings["전년도 문서"] == "2019 (2019)"
    with Store.open(year.pristine) as s:
        names = {
            text
            for _, d, p, i in s.load("2019").indicator_rows()
            for text in (d.name, p.name, i.name)
            if "2019" in text
        }
    # Last year appears only where the form names where it came from.
    allowed = {"2019년 목표", "2019년 실적", "2019 (2019)", "2019 이월"} | names
    allowed.add("원본: 2019 이월  (문서 행 = 원본 텍스트의 줄 번호)")
    for ws in wb.worksheets:
        if ws.title == "_xlgen":
            continue
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str) and "2019" in value:
                    # or a finding naming a carried name that prints the year (below)
                    assert (
                        value in allowed
                        or value.startswith("2019년 평가 '2019'")
                        or value.endswith("이름은 그대로 옮겼으니 2020년에 맞는지 확인하세요.")
                    ), (ws.title, value)
    findings = [r[3] for r in wb[FINDINGS].iter_rows(min_row=4, values_only=True) if r[3]]
    assert findings == [
        "2019년 평가 '2019'(리비전 1)의 국·부서·사업·성과지표(단위, 방향) 244개를 옮겨 왔습니다. "
        "목표와 실적은 비어 있고, 전년도 목표·실적은 참고 열에 있습니다.",
        # issue 15 polish: carried names printing a past year are named, never changed
        "재무과 / 2017회계연도 통합결산 추진: 주요사업 이름에 2017년이 들어 있습니다. "
        "이름은 그대로 옮겼으니 2020년에 맞는지 확인하세요.",
        "도시안전과 / 재난안전 관리체계의 강화 / 2019년 재난안전교육 실시: 성과지표 이름에 "
        "2019년이 들어 있습니다. 이름은 그대로 옮겼으니 2020년에 맞는지 확인하세요.",
        "도시안전과 / 재난안전 관리체계의 강화 / 2018년 재난관리실태 공시 추진: 성과지표 이름에 "
        "2018년이 들어 있습니다. 이름은 그대로 옮겼으니 2020년에 맞는지 확인하세요.",
    ]
    kinds_shown = [r[1] for r in wb[FINDINGS].iter_rows(min_row=4, values_only=True) if r[3]]
    assert kinds_shown[1:] == ["이름의 연도"] * 3


def test_by_department_forms_for_the_new_year(year, tmp_path):
    db = year.store(tmp_path)
    ok(run(db, "build", "2020", "--by-department", "--out", tmp_path / "out"))
    folder = tmp_path / "out" / "2020" / "부서별"
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == 37
    assert all(f.name.startswith("2020년 성과관리 주요사업 목표 설정 - ") for f in files)
    one = folder / "2020년 성과관리 주요사업 목표 설정 - 감사담당관.xlsx"
    rows = records_of(one, K)
    assert len(rows) == 5
    ws = openpyxl.load_workbook(one)[DEPTS]
    assert all(ws.cell(r, T + 1).protection.locked is False for r in rows.values())
    path = edited(one, tmp_path / "back" / one.name, [(rows["I0001"], T, 30)])
    r = ok(run(db, "import", path))
    assert "감사담당관 / 구정 청렴도 향상 / 청렴도 향상 시책 추진  목표 (빈칸) → 30" in r.output
    assert stored(db)["I0001"].target == 30
    # the round's status, as for any other document: 감사담당관 in, the other 36 missing
    out = ok(run(db, "status", "2020")).output
    assert "제출 1 / 37 (미제출 36)" in out
    rows = [line.split("\t") for line in out.splitlines() if line.startswith("감사담당관\t")]
    assert rows and rows[0][3] != "미제출"
    missing = ok(run(db, "status", "2020", "--missing")).output
    assert "아직 제출하지 않은 부서 36곳:" in missing and "감사담당관" not in missing


# --------------------------------------------------------------------------- importing targets


def test_targets_and_actuals_import_with_the_same_validation(year, tmp_path):
    db = year.store(tmp_path)
    rows = year.rows
    path = edited(
        year.form,
        tmp_path / "form.xlsx",
        [
            (rows["I0001"], T, 30),
            (rows["I0002"], T, "1,234"),  # text that plainly is a number: read and said so
            (rows["I0003"], T, 12.5),
            (rows["I0003"], A, 7),
        ],
    )
    r = ok(run(db, "import", path))
    assert "  감사담당관 / 구정 청렴도 향상 / 청렴도 향상 시책 추진  목표 (빈칸) → 30" in r.output
    assert "글자로 입력된 '1,234'를 숫자 1234로 읽었습니다" in r.output
    values = stored(db)
    assert (values["I0001"].target, values["I0002"].target, values["I0003"].target) == (
        30,
        1234,
        12.5,
    )
    assert values["I0003"].actual == 7
    assert ok(run(db, "import", path)).output.splitlines()[1] == "변경 없음"
    history = ok(run(db, "history", "2020", "-v")).output
    assert "청렴도 향상 시책 추진 목표 (빈칸) → 30" in history
    # undo restores the blank targets exactly
    ok(run(db, "undo", "2020"))
    values = stored(db)
    assert values["I0001"].target is None and values["I0003"].actual is None


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("많음", "목표 '많음'은 숫자가 아닙니다"),
        ("=1+1", "목표 수식(=1+1)은 넣을 수 없습니다. 숫자를 직접 입력하세요"),
        (True, "목표 참/거짓 값은 목표가 될 수 없습니다"),
        ("85%", "목표 '85%': 단위가 '회'인 지표에 %를 붙일 수 없습니다"),
    ],
)
def test_bad_targets_are_refused_naming_the_cell(year, tmp_path, typed, reason):
    db = year.store(tmp_path)
    row = year.rows["I0001"]
    path = edited(year.form, tmp_path / "bad.xlsx", [(row, T, typed)])
    before = db.read_bytes()
    r = run(db, "import", path)
    assert r.exit_code == 1
    label = "감사담당관 / 구정 청렴도 향상 / 청렴도 향상 시책 추진"
    assert r.stderr == (
        HEAD.format(n=1) + f"\n  - bad.xlsx: {DEPTS}!{col_letter(T)}{row} ({label}): {reason}.\n"
    )
    assert db.read_bytes() == before


def test_percent_formatted_target_only_for_a_percent_indicator(year, tmp_path):
    db = year.store(tmp_path)
    rows = year.rows
    # I0006 (정책실명제 관리) is in %, I0001 in 회.
    ok_path = edited(year.form, tmp_path / "pct.xlsx", [(rows["I0006"], T, 0.95)], fmt="0%")
    r = ok(run(db, "import", ok_path))
    assert "백분율 서식으로 입력된 0.95를 95로 읽었습니다" in r.output
    assert stored(db)["I0006"].target == 95
    bad = edited(year.form, tmp_path / "pct2.xlsx", [(rows["I0001"], T, 0.95)], fmt="0%")
    r = run(db, "import", bad)
    assert r.exit_code == 1
    assert "목표 백분율 서식(95%)은 단위가 %인 지표에만 쓸 수 있습니다." in r.stderr


# --------------------------------------------------------------------------- fixing the targets


def test_fix_refuses_blank_targets_then_protects_them(year, tmp_path):
    db = year.store(tmp_path)
    r = run(db, "targets", "2020", "--fix")
    assert r.exit_code == 1
    assert r.stderr.startswith(
        "오류: '2020'에 목표가 빈 지표가 244건 있어 확정하지 않았습니다: 감사담당관 / 구정 청렴도 "
        "향상 / 청렴도 향상 시책 추진, "
    )
    assert r.stderr.endswith(
        " 외 234건. 목표를 입력해 가져오거나(xlgen import), 빈 채로 확정하려면 --allow-blank를 "
        "붙이세요.\n"
    )
    with Store.open(db) as s:
        assert s.phase("2020") is Phase.TARGETS
    # every target typed into the form (last year's target + 1) and imported
    edits = []
    with Store.open(db) as s:
        for _, _, _, i in s.load("2020").indicator_rows():
            edits.append((year.rows[i.key], T, (i.prev_target or 0) + 1))
    form = edited(year.form, tmp_path / "all.xlsx", edits)
    ok(run(db, "import", form))
    assert ok(run(db, "targets", "2020")).output.splitlines() == [
        "'2020' 단계: 목표 설정 (리비전 2), 목표 입력 244/244, 빈 목표 0건",
        "목표를 확정하려면: xlgen targets 2020 --fix",
    ]
    out = ok(run(db, "targets", "2020", "--fix")).output.splitlines()
    assert out == [
        "'2020'의 목표를 확정했습니다 (리비전 3). 이제 xlgen build 2020의 통합문서에서 목표는 "
        "보호되고, 실적·비고만 입력합니다.",
        "'2020' 단계: 평가 (리비전 3), 목표 입력 244/244, 빈 목표 0건",
    ]
    assert ok(run(db, "targets", "2020", "--fix")).output.startswith(
        "'2020'의 목표는 이미 확정되어 있습니다."
    )
    assert "목표 확정" in ok(run(db, "history", "2020")).output
    # the evaluation build: the usual layout, 목표 protected again, 실적 open
    built = ok(run(db, "build", "2020", "--out", tmp_path / "out")).output
    path = tmp_path / "out" / "2020" / EVAL
    assert built == f"{path}\n"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        SUMMARY,
        "Ⅱ 추진성과",
        DEPTS,
        "차트",
        FINDINGS,
        "제출 현황",
        SETTINGS,
        "_xlgen",
    ]
    # Ⅱ says what is true of a carried-over year: no narrative yet, and where it comes from
    assert [r for r in wb["Ⅱ 추진성과"].iter_rows(min_row=3, values_only=True) if any(r)] == [
        (
            None,
            "(2020년 문서는 2019년 평가 '2019'에서 구조만 옮겨 온 것이라 Ⅱ 추진성과가 아직 "
            "없습니다. Ⅱ는 2020년 평가 문서를 읽어 들이면 채워집니다.)",
        )
    ]
    ws = wb[DEPTS]
    assert [c.value for c in ws[5][: dep.NOTE + 1]][3:5] == ["목표", "실적"]
    rows = records_of(path, dep.KEY)
    values = stored(db)
    for key, row in rows.items():
        assert ws.cell(row, dep.TARGET + 1).value == values[key].target
        assert ws.cell(row, dep.TARGET + 1).protection.locked is True
        assert ws.cell(row, dep.ACTUAL + 1).protection.locked is False
    # a changed 목표 in the evaluation workbook is a protected cell
    bad = edited(path, tmp_path / "eval.xlsx", [(rows["I0001"], dep.TARGET, 99)])
    r = run(db, "import", bad)
    assert r.exit_code == 1
    assert "보호된 칸 '목표'가 바뀌었습니다 (27 → 99)" in r.stderr
    # a 목표 설정 form built before the fix: its 실적 still imports, a changed 목표 does not
    late = edited(form, tmp_path / "late.xlsx", [(year.rows["I0002"], A, 14)])
    assert ok(run(db, "import", late)).output.splitlines()[1] == "바뀌는 값 1건:"
    assert stored(db)["I0002"].actual == 14
    late2 = edited(form, tmp_path / "late2.xlsx", [(year.rows["I0002"], T, 1)])
    r = run(db, "import", late2)
    assert r.exit_code == 1
    assert "목표가 이 통합문서를 만든 뒤 12로 확정되어 바꿀 수 없습니다 (이 파일: 1)" in r.stderr
    # the store refuses a 목표 change of a fixed document too (no undo across the fix)
    r = run(db, "undo", "2020")
    assert r.exit_code == 0  # the 실적 import after the fix
    # issue 15 polish: the message says the fix is what blocks it, and how to reopen
    fixed_at = next(h.revision for h in history_of(db) if h.action == "targets-fix")
    assert run(db, "undo", "2020").stderr == (
        f"오류: '2020' 문서에는 되돌릴 가져오기가 없습니다. 리비전 {fixed_at}의 목표 확정 앞의 "
        "가져오기는 되돌릴 수 없습니다 (확정한 목표가 몰래 바뀌지 않도록). 목표를 다시 고치려면 "
        "xlgen targets 2020 --reopen 한 뒤 고친 통합문서를 가져오세요.\n"
    )


def test_allow_blank_and_reopen(year, tmp_path):
    db = year.store(tmp_path)
    out = ok(run(db, "targets", "2020", "--fix", "--allow-blank")).output
    assert out.startswith("'2020'의 목표를 확정했습니다 (리비전 2).")
    out = ok(run(db, "targets", "2020", "--reopen")).output
    assert out.startswith("'2020'의 목표를 다시 열었습니다 (리비전 3).")
    # undo does not cross the reopening either, and says so (no --reopen advice: it is open)
    assert run(db, "undo", "2020").stderr == (
        "오류: '2020' 문서에는 되돌릴 가져오기가 없습니다. 리비전 3의 목표 다시 열기 앞의 "
        "가져오기는 되돌릴 수 없습니다 (확정한 목표가 몰래 바뀌지 않도록).\n"
    )
    with Store.open(db) as s:
        assert s.phase("2020") is Phase.TARGETS
    # options that do not go together are usage errors (exit 2, README), written nothing
    r = run(db, "targets", "2020", "--fix", "--reopen")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1] == "오류: --fix와 --reopen은 함께 쓸 수 없습니다."
    assert r.stderr.startswith("사용법: xlgen targets [옵션] KEY\n")
    for alone in (["--allow-blank"], ["--reopen", "--allow-blank"]):
        r = run(db, "targets", "2020", *alone)
        assert r.exit_code == 2
        assert r.stderr.splitlines()[-1] == (
            "오류: --allow-blank는 --fix와 함께만 씁니다 (빈 목표가 있어도 확정)."
        )
    with Store.open(db) as s:
        assert s.phase("2020") is Phase.TARGETS and s.revision("2020") == 3


def test_an_evaluation_workbook_built_before_a_reopen_keeps_its_actuals(year, tmp_path):
    """issue 15 §5 (tester): the targets fixed, an evaluation workbook built, the targets
    reopened and one set: that workbook's 실적 still import; its 목표 (built blank) is not
    read, one note says so, and only a 목표 staff changed there is refused."""
    db = year.store(tmp_path)
    ok(run(db, "targets", "2020", "--fix", "--allow-blank"))
    ok(run(db, "build", "2020", "--out", tmp_path / "out"))
    before = tmp_path / "eval_before.xlsx"
    shutil.copyfile(tmp_path / "out" / "2020" / EVAL, before)
    rows = records_of(before, dep.KEY)
    ok(run(db, "targets", "2020", "--reopen"))
    ok(run(db, "build", "2020", "--out", tmp_path / "out2"))
    form = tmp_path / "out2" / "2020" / FORM
    ok(run(db, "import", edited(form, tmp_path / "form.xlsx", [(year.rows["I0001"], T, 30)])))
    assert stored(db)["I0001"].target == 30
    note = (
        "주의: eval_act.xlsx: 이 통합문서를 만든 뒤 저장소의 목표가 바뀌었습니다 (1건, 예: "
        "감사담당관 / 구정 청렴도 향상 / 청렴도 향상 시책 추진). 이 파일의 목표 칸은 읽지 않고 "
        "실적·비고만 가져옵니다."
    )
    act = edited(before, tmp_path / "eval_act.xlsx", [(rows["I0002"], dep.ACTUAL, 15)])
    out = ok(run(db, "import", act)).output
    assert note in out.splitlines()
    assert stored(db)["I0002"].actual == 15
    assert stored(db)["I0001"].target == 30
    # unmodified: nothing to change, only the note
    out = ok(run(db, "import", "--dry-run", before)).output.splitlines()
    assert out[1] == "변경 없음"
    assert out[2] == note.replace("eval_act.xlsx", "eval_before.xlsx")
    # a 목표 staff did change there is still a protected cell, shown from what was built
    bad = edited(before, tmp_path / "eval_bad.xlsx", [(rows["I0001"], dep.TARGET, 99)])
    r = run(db, "import", bad)
    assert r.exit_code == 1
    assert "보호된 칸 '목표'가 바뀌었습니다 (빈칸 → 99)" in r.stderr


def test_blank_targets_are_named_blank_in_messages(year, tmp_path):
    """issue 15 §5 (tester): a 목표 fixed blank, or emptied in a file, is "빈칸" (not None),
    with the particle that follows it."""
    db = year.store(tmp_path)
    ok(run(db, "targets", "2020", "--fix", "--allow-blank"))
    late = edited(year.form, tmp_path / "late.xlsx", [(year.rows["I0002"], T, 50)])
    r = run(db, "import", late)
    assert r.exit_code == 1
    assert (
        "목표가 이 통합문서를 만든 뒤 빈칸으로 확정되어 바꿀 수 없습니다 (이 파일: 50)" in r.stderr
    )
    assert "None" not in r.stderr
    ok(run(db, "targets", "2020", "--reopen"))
    ok(run(db, "import", edited(year.form, tmp_path / "set.xlsx", [(year.rows["I0002"], T, 12)])))
    ok(run(db, "build", "2020", "--out", tmp_path / "out"))
    form = tmp_path / "out" / "2020" / FORM
    ok(run(db, "targets", "2020", "--fix", "--allow-blank"))
    emptied = edited(form, tmp_path / "emptied.xlsx", [(year.rows["I0002"], T, None)])
    r = run(db, "import", emptied)
    assert r.exit_code == 1
    assert "목표가 이 통합문서를 만든 뒤 12로 확정되어 바꿀 수 없습니다 (이 파일: 빈칸)" in r.stderr


def test_form_messages_say_what_the_targets_phase_reads(year, tmp_path):
    """issue 15 §5 (tester): in 목표 설정, 목표 is not among the cells that cannot change,
    and a deleted row's 목표·실적 are what is not taken."""
    db = year.store(tmp_path)
    with Store.open(db) as s:
        rows = s.load("2020").indicator_rows()
    # a project's second indicator (its row does not hold the merged project name)
    gone = next(b[3].key for a, b in zip(rows, rows[1:], strict=False) if a[2] is b[2])
    wb = openpyxl.load_workbook(
        edited(year.form, tmp_path / "del.xlsx", [(year.rows["I0001"], T, 5)])
    )
    for cell in wb[DEPTS][year.rows[gone]]:
        if not isinstance(cell, openpyxl.cell.cell.MergedCell):
            cell.value = None
    wb.save(tmp_path / "del.xlsx")
    out = ok(run(db, "import", tmp_path / "del.xlsx")).output
    assert any(
        line.startswith("주의: del.xlsx: ")
        and line.endswith(" 행이 없어 그 목표·실적은 가져오지 않았습니다.")
        for line in out.splitlines()
    ), out
    assert stored(db)["I0001"].target == 5
    unit = edited(year.form, tmp_path / "unit.xlsx", [(year.rows["I0001"], TARGET_COLS.unit, "건")])
    r = run(db, "import", unit)
    assert r.exit_code == 1
    assert "보호된 칸 '단위'가 바뀌었습니다" in r.stderr
    assert r.stderr.rstrip().endswith("). 지표명·단위·사업명은 바꿀 수 없습니다."), r.stderr


# --------------------------------------------------------------------------- department map


def _map(tmp: Path, text: str) -> Path:
    path = tmp / "부서변경.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_map_renames_merges_and_splits(year, tmp_path):
    db = year.store(tmp_path)
    path = _map(
        tmp_path,
        """
[rename]
"홍보전산과" = "스마트정보과"
"재무과" = "재정관리과"

[[move]]
project = "도서관 운영 활성화"
from = "미래교육과"
to = "도서관과"
""",
    )
    r = ok(run(db, "new", "2021", "--from", "2019", "--map", path))
    assert r.output.splitlines()[1:4] == [
        "  부서 이름 변경: '홍보전산과' → '스마트정보과'",
        "  부서 이름 변경: '재무과' → '재정관리과'",
        "  사업 이동: '미래교육과'의 '도서관 운영 활성화' → '도서관과'",
    ]
    with Store.open(db) as s:
        old, new = s.load("2019"), s.load("2021")
    names = {b.name: [d.name for d in b.departments] for b in new.bureaus}
    assert names["행정국"][:2] == ["총무과", "스마트정보과"]
    assert names["재정국"][:2] == ["재정관리과", "일자리경제과"]  # 재무과 merged into it
    assert names["미래비전추진단"] == ["소통기획과", "사회적경제과", "미래교육과", "도서관과"]
    assert len(new.indicator_rows()) == 244 and len(new.departments()) == 37
    finance = {d.name: d for d in old.departments()}
    merged = next(d for d in new.departments() if d.name == "재정관리과")
    assert [p.name for p in merged.projects] == [
        p.name for n in ("재정관리과", "재무과") for p in finance[n].projects
    ]
    library = next(d for d in new.departments() if d.name == "도서관과")
    assert [p.name for p in library.projects] == ["도서관 운영 활성화"]
    assert [i.prev_actual for i in library.projects[0].indicators] == [93]
    assert "부서 통합: '재정관리과', '재무과' → '재정관리과'" in [w.message for w in new.warnings]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[rename]\n"총무팀" = "총무과2"\n',
            "부서변경.toml 2행: 부서 '총무팀'이 저장소의 '2019' 평가에 없습니다.",
        ),
        (
            '[[move]]\nproject = "없는 사업"\nfrom = "미래교육과"\nto = "도서관과"\n',
            "부서변경.toml 1행: 사업 '없는 사업'이 저장소의 '2019' 평가의 '미래교육과' 부서에 없습니다.",
        ),
        (
            '\n[[move]]\nproject = "도서관 운영 활성화"\nfrom = "미래교육국"\nto = "도서관과"\n',
            "부서변경.toml 2행: 부서 '미래교육국'이 저장소의 '2019' 평가에 없습니다.",
        ),
        (
            '[rename]\n"재무과" = "보건지원과"\n',
            "부서변경.toml 2행: 부서 '보건지원과'로 합쳐지는 부서들이 서로 다른 국에 있습니다 "
            '(재무과: 재정국, 보건지원과: 보건소). [bureau]에 "보건지원과" = "국 이름"을 적어 '
            "어느 국에 둘지 정해 주세요.",
        ),
        (
            '[bureau]\n"총무과" = "미래국"\n',
            "부서변경.toml 2행: 국 '미래국'이 저장소의 '2019' 평가에 없습니다.",
        ),
        (
            '[renames]\n"a" = "b"\n',
            "부서변경.toml 1행: 알 수 없는 항목 'renames'입니다. [rename], [[move]], [bureau]만 쓸 수 있습니다.",
        ),
        ("[rename\n", None),
    ],
)
def test_map_names_are_checked_against_the_store(year, tmp_path, text, message):
    db = year.store(tmp_path)
    before = db.read_bytes()
    r = run(db, "new", "2021", "--from", "2019", "--map", _map(tmp_path, text))
    assert r.exit_code == 1
    if message is None:
        assert r.stderr == (
            "오류: 부서변경.toml 1행 8열: TOML 형식 오류입니다. 표 이름 뒤에 ']'가 없습니다.\n"
        )
    else:
        assert r.stderr == f"오류: {message}\n"
    assert db.read_bytes() == before


def test_merge_across_bureaus_with_a_bureau_entry(year, tmp_path):
    db = year.store(tmp_path)
    path = _map(
        tmp_path, '[rename]\n"재무과" = "보건지원과"\n\n[bureau]\n"보건지원과" = "재정국"\n'
    )
    r = ok(run(db, "new", "2021", "--from", "2019", "--map", path))
    assert "  소속 국 지정: '보건지원과' → 재정국" in r.output.splitlines()
    with Store.open(db) as s:
        new = s.load("2021")
    where = {d.name: b.name for b in new.bureaus for d in b.departments}
    assert where["보건지원과"] == "재정국" and len(new.departments()) == 36


def test_carry_over_keeps_directions_and_decimals():
    from xlgen.model import Bureau, Department, Direction, Evaluation, Indicator, Project
    from xlgen.newyear import carry_over

    down = Indicator("민원 처리기간", "일", 5, 4.5, 111, direction=Direction.DOWN, note="n")
    source = Evaluation(
        "평가 현황",  # no year printed in the title: the new one gets it in front
        "구",
        2019,
        [Bureau("국", [Department("과", [Project("사업", [down])])])],
        threshold=70,
    )
    new = carry_over(source, source_key="k", source_revision=3, year=2020)
    ((_, _, _, ind),) = new.indicator_rows()
    assert (ind.direction, ind.prev_target, ind.prev_actual) == (Direction.DOWN, 5, 4.5)
    assert (ind.target, ind.actual, ind.stated_rate, ind.note, ind.line) == (
        None,
        None,
        None,
        "",
        None,
    )
    assert (new.title, new.threshold, new.phase) == ("2020년 평가 현황", 70, Phase.TARGETS)
    assert type(ind.prev_actual) is float


# --------------------------------------------------------------------------- the store


def test_a_version_1_store_is_migrated_keeping_its_history(tmp_path):
    db = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    for statement in statements(SCHEMA_V1):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO documents VALUES ('2019','evaluation','t','o',2019,2,'f','h','','at','{}')"
    )
    conn.execute("INSERT INTO revisions VALUES ('2019',2,'import','at','me','f.xlsx','h',NULL)")
    conn.execute(
        "INSERT INTO history (doc_key, revision, at, os_user, file_name, file_hash, record_key, "
        "field, old, new) VALUES ('2019',2,'at','me','f.xlsx','h','I0001','actual','1','2')"
    )
    conn.close()
    with Store.open(db) as s:
        assert s.schema_version == 3  # through 2 (the round) and 3 (phases)
        assert s.keys()[0].phase == "평가"
        assert [(e.record_key, e.field, e.old, e.new) for e in s.history_entries("2019")] == [
            ("I0001", "actual", 1, 2)
        ]
        indexes = {
            r[0] for r in s._conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        assert {"history_by_value", "history_by_revision"} <= indexes


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A current store holding the 2019 evaluation and the plan seed."""
    db = tmp_path_factory.mktemp("seeded") / "store.sqlite"
    ok(run(db, "load", "2019"))
    ok(run(db, "load", "plan-seogu"))
    return db


def _old_store(path: Path, version: int, src: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """A store at schema ``version`` (1 or 2) holding what ``src`` holds (the columns that
    schema has), plus an import's history and, from schema 2, a department build and a
    submission; returns each table's columns and rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:version]:
        for statement in statements(script):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute(f"ATTACH DATABASE '{src}' AS src")
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")
        if not r[0].startswith("sqlite_")
    ]
    columns = {t: [r[1] for r in conn.execute(f"PRAGMA main.table_info({t})")] for t in tables}
    for table in ("documents", "indicators", "revisions"):
        names = ", ".join(columns[table])
        conn.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM src.{table}")
    conn.execute("DETACH DATABASE src")
    conn.execute("UPDATE documents SET revision = 2 WHERE key = '2019'")
    conn.execute("INSERT INTO revisions VALUES ('2019',2,'import','at','me','f.xlsx','h',NULL)")
    conn.execute(
        "INSERT INTO history (doc_key, revision, at, os_user, file_name, file_hash, record_key, "
        "field, old, new) VALUES ('2019',2,'at','me','f.xlsx','h','I0001','actual','37','38')"
    )
    if version >= 2:
        conn.execute(
            "INSERT INTO department_builds (doc_key, round, department, revision, at, os_user, "
            "file_name) SELECT '2019', round, '총무과', 2, 'at', 'me', 'a.xlsx' FROM documents "
            "WHERE key = '2019'"
        )
        conn.execute(
            "INSERT INTO submissions (doc_key, round, department, revision, imported, "
            "built_revision, at, os_user, file_name, file_hash, changes) SELECT '2019', round, "
            "'총무과', 2, NULL, 2, 'at', 'me', 'a.xlsx', 'h', 0 FROM documents WHERE key = '2019'"
        )
    kept = {
        t: (columns[t], sorted(conn.execute(f"SELECT {', '.join(columns[t])} FROM {t}")))
        for t in tables
    }
    conn.close()
    return kept


@pytest.mark.parametrize("version", [1, 2])
def test_schema_3_keeps_every_row_and_drops_the_kind_check(tmp_path, seeded, version):
    """Schema 3 rebuilds documents, indicators and history (a CHECK cannot be altered):
    every row of a schema-1 or schema-2 store is kept, indicators still reference (and
    cascade from) documents, and documents.kind no longer lists the kinds (xlgen.kinds
    does)."""
    old = tmp_path / "old.sqlite"
    before = _old_store(old, version, seeded)
    assert len(before["indicators"][1]) == 244 and len(before["documents"][1]) == 2
    with Store.open(old) as s:
        conn = s._conn
        assert s.schema_version == SCHEMA_VERSION == 3
        for table, (names, rows) in before.items():
            assert sorted(conn.execute(f"SELECT {', '.join(names)} FROM {table}")) == rows, table
        assert dict(conn.execute("SELECT kind, phase FROM documents")) == {
            "evaluation": "평가",
            "plan": None,
        }
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        fks = conn.execute("PRAGMA foreign_key_list(indicators)").fetchall()
        assert [(fk[2], fk[3], fk[4], fk[6]) for fk in fks] == [
            ("documents", "doc_key", "key", "CASCADE")
        ]
        sql = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        assert "'evaluation'" not in sql["documents"] and "_v3" not in " ".join(sql.values())
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"history_by_value", "history_by_revision"} <= indexes
        assert [(e.record_key, e.field, e.old, e.new) for e in s.history_entries("2019")] == [
            ("I0001", "actual", 37, 38)
        ]
        with Store.open(seeded) as src:
            assert s.load("2019") == src.load("2019")
            assert s.load("plan-seogu") == src.load("plan-seogu")
        if version == 2:
            assert [b.department for b in s.department_builds("2019")] == ["총무과"]
            assert [b.department for b in s.submissions("2019")] == ["총무과"]
    # the migrated store works as any: 2020 from 2019, and deleting cascades
    ok(run(old, "new", "2020", "--from", "2019"))
    with Store.open(old) as s:
        assert s.load("2020").phase is Phase.TARGETS
        s._conn.execute("DELETE FROM documents WHERE key = '2019'")
        assert s._conn.execute(
            "SELECT count(*) FROM indicators WHERE doc_key = '2019'"
        ).fetchone() == (0,)


def test_status_while_the_targets_are_set_counts_blank_targets(year, tmp_path):
    """In 목표 설정 the desk asks who has not typed their 목표: status counts blank 목표,
    says the phase, and the 제출 현황 sheet counts the 목표 column; once the targets are
    fixed it counts 실적 again."""
    import csv
    import io
    import json

    db = year.store(tmp_path)
    ok(run(db, "build", "2020", "--by-department", "--out", tmp_path / "out"))
    one = (
        tmp_path
        / "out"
        / "2020"
        / "부서별"
        / "2020년 성과관리 주요사업 목표 설정 - 감사담당관.xlsx"
    )
    rows = records_of(one, K)
    path = edited(one, tmp_path / "back" / one.name, [(rows["I0001"], T, 30)])
    ok(run(db, "import", path))

    out = ok(run(db, "status", "2020")).output.splitlines()
    assert out[0].startswith("'2020' 평가 (목표 설정) 부서별 제출 현황 (")
    assert out[2].split("\t") == ["국", "부서", "보낸 통합문서", "제출", "목표 빈칸", "부진"]
    audit = next(line.split("\t") for line in out if "\t감사담당관\t" in f"\t{line}")
    assert audit[4] == "4 / 5"  # I0001's 목표 typed, 실적 all blank
    table = csv.DictReader(io.StringIO(ok(run(db, "status", "2020", "--format", "csv")).output))
    assert "목표 빈칸" in (table.fieldnames or []) and "실적 빈칸" not in (table.fieldnames or [])
    assert next(r for r in table if r["부서"] == "감사담당관")["목표 빈칸"] == "4"
    obj = json.loads(ok(run(db, "status", "2020", "--format", "json")).output)
    assert obj["phase"] == "목표 설정"
    dept = next(d for d in obj["departments"] if d["department"] == "감사담당관")
    assert dept["blank_targets"] == 4 and "blank_actuals" not in dept

    # the whole workbook's 제출 현황 sheet: the header and a formula over the 목표 column
    ok(run(db, "build", "2020", "--by-department", "--out", tmp_path / "again"))
    whole = tmp_path / "again" / "2020" / FORM
    ws = openpyxl.load_workbook(whole)["제출 현황"]
    assert [c.value for c in ws[4]][7] == "목표 빈칸"
    assert "목표 빈칸과 부진 사업은 Ⅲ 시트의 값으로" in ws["A2"].value
    target_col = col_letter(T)
    formulas = [r[7].value for r in ws.iter_rows(min_row=5) if r[1].value == "감사담당관"]
    assert formulas and f"${target_col}$" in formulas[0]
    cached = openpyxl.load_workbook(whole, data_only=True)["제출 현황"]
    values = [r[7].value for r in cached.iter_rows(min_row=5) if r[1].value == "감사담당관"]
    assert values == [4]

    # fixed: the evaluation phase counts 실적 again, and the heading names no phase
    ok(run(db, "targets", "2020", "--fix", "--allow-blank"))
    out = ok(run(db, "status", "2020")).output.splitlines()
    assert out[0].startswith("'2020' 평가 부서별 제출 현황 (")
    assert out[2].split("\t")[4] == "실적 빈칸"
    audit = next(line.split("\t") for line in out if line.startswith("감사담당관\t"))
    assert audit[4] == "5 / 5"


def test_new_names_carried_names_that_print_a_past_year_and_keeps_them(tmp_path):
    db = tmp_path / "s.sqlite"
    ok(run(db, "load", "2019"))
    out = ok(run(db, "new", "2020", "--from", "2019")).output.splitlines()
    at = out.index("확인할 이름 3개 (검토사항에도 있습니다):")
    assert out[at + 2] == (
        "  도시안전과 / 재난안전 관리체계의 강화 / 2019년 재난안전교육 실시: 성과지표 이름에 "
        "2019년이 들어 있습니다. 이름은 그대로 옮겼으니 2020년에 맞는지 확인하세요."
    )
    assert out[-1] == "다음: xlgen build 2020  (목표·실적 입력 양식)"
    with Store.open(db) as s:
        new, old = s.load("2020"), s.load("2019")
    assert [i.name for *_, i in new.indicator_rows()] == [i.name for *_, i in old.indicator_rows()]
    assert [p.name for p in new.projects()] == [p.name for p in old.projects()]
    found = [w for w in new.warnings if w.kind.value == "name_with_past_year"]
    assert [(w.get("what"), w.get("year"), w.get("department")) for w in found] == [
        ("주요사업", 2017, "재무과"),
        ("성과지표", 2019, "도시안전과"),
        ("성과지표", 2018, "도시안전과"),
    ]
