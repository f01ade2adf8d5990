"""The department round (issue 14): department workbooks out, back one by one or all
together, `xlgen status KEY` (and --missing, json, csv), the 제출 현황 sheet, what a
department file may change, and a department's own Ⅰ. Files are edited with openpyxl
here; tests/test_round_clients.py uses Gnumeric and LibreOffice."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from clients import DEPTS, key_rows, openpyxl_edit

from xlgen.cli import cli
from xlgen.korean import particle
from xlgen.layouts import eval_departments as dep
from xlgen.layouts import meta
from xlgen.layouts._base import col_letter
from xlgen.store import Store

KEY = "2019"
E, NOTE_COL, KEYCOL = col_letter(dep.ACTUAL), col_letter(dep.NOTE), col_letter(dep.KEY)
ROUND_SHEET = "제출 현황"


@dataclass
class Sent:
    """One build of 2019 with its department workbooks (shared, never changed)."""

    db: Path
    out: Path

    def dept(self, name: str) -> Path:
        return self.out / KEY / "부서별" / f"2019년 성과관리 주요사업 평가 현황 - {name}.xlsx"


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> Sent:
    tmp = tmp_path_factory.mktemp("round")
    db, out = tmp / "store.sqlite", tmp / "out"
    result = CliRunner().invoke(
        cli, ["build", KEY, "--by-department", "--out", str(out)], env={"XLGEN_DB": str(db)}
    )
    assert result.exit_code == 0, result.output
    return Sent(db, out)


@dataclass
class Desk:
    sent: Sent
    tmp: Path
    db: Path

    def run(self, *args: object) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], env={"XLGEN_DB": str(self.db)})

    def edited(self, department: str, values: dict[str, object], name: str = "") -> Path:
        """The department's workbook with 실적 set per record key (openpyxl)."""
        src = self.sent.dept(department)
        rows = key_rows(src)
        out = self.tmp / (name or f"{department}.xlsx")
        return openpyxl_edit(src, out, {(DEPTS, f"{E}{rows[k]}"): v for k, v in values.items()})

    def status_json(self, *extra: object) -> dict:
        result = self.run("status", KEY, "--format", "json", *extra)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    def revision(self) -> int:
        with Store.open(self.db) as store:
            return store.revision(KEY)


@pytest.fixture
def desk(sent, tmp_path) -> Desk:
    db = tmp_path / "store.sqlite"
    shutil.copyfile(sent.db, db)
    return Desk(sent, tmp_path, db)


def records_of(desk: Desk, department: str) -> list[str]:
    return list(key_rows(desk.sent.dept(department)))


def by_department(status: dict) -> dict[str, dict]:
    return {d["department"]: d for d in status["departments"]}


# --------------------------------------------------------------------------- status


def test_first_build_everything_missing(desk):
    status = desk.status_json()
    assert (status["submitted"], status["total"]) == (0, 37)
    rows = by_department(status)
    assert all(d["state"] == "미제출" and d["sent"]["revision"] == 1 for d in rows.values())
    # grouped by 국, in document order
    bureaus = [d["bureau"] for d in status["departments"]]
    assert bureaus == sorted(bureaus, key=bureaus.index)
    assert rows["미래교육과"]["weak_projects"] == 1 and rows["미래교육과"]["indicators"] == 7
    wb = openpyxl.load_workbook(
        desk.sent.out / KEY / "2019년 성과관리 주요사업 평가 현황.xlsx", data_only=True
    )
    ws = wb[ROUND_SHEET]
    table = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}
    assert len(table) == 37
    assert {r[3] for r in table.values()} == {"미제출"}
    assert table["미래교육과"][8] == 1 and table["미래교육과"][7] == 0
    total = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "계")
    assert total[3] == "0 / 37"


def test_one_department_returns(desk):
    keys = records_of(desk, "총무과")
    path = desk.edited("총무과", {keys[0]: 1, keys[1]: 2})
    result = desk.run("import", path)
    assert result.exit_code == 0, result.output
    status = desk.status_json()
    assert (status["submitted"], status["total"]) == (1, 37)
    row = by_department(status)["총무과"]
    assert row["state"] == "제출"
    assert row["submission"]["file"] == "총무과.xlsx"
    assert row["submission"]["changes"] == 2
    table = desk.run("status", KEY)
    assert table.exit_code == 0
    assert "제출 1 / 37 (미제출 36)" in table.output
    line = next(ln for ln in table.output.splitlines() if "총무과" in ln)
    assert "총무과.xlsx, 바뀐 값 2건" in line
    missing = desk.run("status", KEY, "--missing")
    assert "총무과" not in missing.output and "민원여권과" in missing.output
    assert "아직 제출하지 않은 부서 36곳:" in missing.output
    rows = list(csv.DictReader(io.StringIO(desk.run("status", KEY, "--format", "csv").output)))
    assert len(rows) == 37
    mine = next(r for r in rows if r["부서"] == "총무과")
    assert (mine["제출"], mine["제출 파일"], mine["바뀐 값"]) == ("제출", "총무과.xlsx", "2")


def test_untouched_return_counts_as_submitted(desk):
    """A department that returns its workbook unchanged has answered: 제출, 0 values."""
    path = desk.tmp / "민원여권과.xlsx"
    shutil.copyfile(desk.sent.dept("민원여권과"), path)
    result = desk.run("import", path)
    assert result.exit_code == 0 and "변경 없음" in result.output
    assert desk.revision() == 1
    row = by_department(desk.status_json())["민원여권과"]
    assert row["state"] == "제출" and row["submission"]["changes"] == 0


def test_blank_actuals_and_weak_now(desk):
    keys = records_of(desk, "소통기획과")
    path = desk.edited("소통기획과", {keys[0]: None, keys[1]: None})
    assert desk.run("import", path).exit_code == 0
    row = by_department(desk.status_json())["소통기획과"]
    assert row["blank_actuals"] == 2


def test_dry_run_records_nothing(desk):
    keys = records_of(desk, "총무과")
    path = desk.edited("총무과", {keys[0]: 3})
    assert desk.run("import", "--dry-run", path).exit_code == 0
    assert desk.status_json()["submitted"] == 0


def test_undone_import_is_missing_again(desk):
    keys = records_of(desk, "총무과")
    assert desk.run("import", desk.edited("총무과", {keys[0]: 3})).exit_code == 0
    assert desk.status_json()["submitted"] == 1
    assert desk.run("undo", KEY).exit_code == 0
    assert by_department(desk.status_json())["총무과"]["state"] == "미제출"


# --------------------------------------------------------------------------- what a file may change


def test_foreign_record_is_refused_naming_the_cell(desk):
    """총무과's file carrying a row of 민원여권과 (its hidden key) is refused, nothing stored."""
    src = desk.sent.dept("총무과")
    rows = key_rows(src)
    foreign = records_of(desk, "민원여권과")[0]
    first = next(iter(rows.values()))
    path = openpyxl_edit(src, desk.tmp / "총무과.xlsx", {(DEPTS, f"{KEYCOL}{first}"): foreign})
    before = desk.revision()
    result = desk.run("import", path)
    assert result.exit_code == 1
    assert (
        f"총무과.xlsx: {DEPTS}!{KEYCOL}{first} (민원여권과 / " in result.output
        and f"'총무과' 부서의 통합문서에 다른 부서(민원여권과)의 기록 {foreign}"
        f"{particle(foreign, '이/가')} 들어 있습니다"
        in result.output
    )
    assert desk.revision() == before
    assert desk.status_json()["submitted"] == 0


def test_foreign_record_refused_in_a_batch_stores_nothing(desk):
    good = desk.edited("총무과", {records_of(desk, "총무과")[0]: 5})
    src = desk.sent.dept("홍보전산과")
    first = next(iter(key_rows(src).values()))
    bad = openpyxl_edit(
        src,
        desk.tmp / "홍보전산과.xlsx",
        {(DEPTS, f"{KEYCOL}{first}"): records_of(desk, "총무과")[1]},
    )
    result = desk.run("import", good, bad)
    assert result.exit_code == 1 and "홍보전산과.xlsx" in result.output
    assert desk.revision() == 1 and desk.status_json()["submitted"] == 0


def test_file_of_another_round_is_refused(desk):
    """After the document is read again (new record keys: a new round), last round's
    workbooks are refused by their round, naming the _xlgen cell."""
    assert desk.run("load", KEY, "--replace").exit_code == 0
    path = desk.edited("총무과", {records_of(desk, "총무과")[0]: 5})
    result = desk.run("import", path)
    assert result.exit_code == 1
    assert f"총무과.xlsx: {meta.SHEET}!B" in result.output
    assert "다른 회차의 통합문서입니다" in result.output


def test_file_of_another_store_is_refused(desk, tmp_path):
    """The same seed loaded into another store is another round."""
    other = tmp_path / "other.sqlite"
    assert CliRunner().invoke(cli, ["load", KEY], env={"XLGEN_DB": str(other)}).exit_code == 0
    path = desk.edited("총무과", {records_of(desk, "총무과")[0]: 5})
    result = CliRunner().invoke(cli, ["import", str(path)], env={"XLGEN_DB": str(other)})
    assert result.exit_code == 1 and "다른 회차의 통합문서입니다" in result.output


def test_file_of_another_year_is_refused(desk):
    src = desk.sent.dept("총무과")
    wb = openpyxl.load_workbook(src)
    fields, _ = meta.read([list(r) for r in wb[meta.SHEET].iter_rows(values_only=True)])
    cell = fields.cells["year"]
    wb.close()
    path = openpyxl_edit(src, desk.tmp / "총무과.xlsx", {(meta.SHEET, cell): 2018})
    result = desk.run("import", path)
    assert result.exit_code == 1 and "다른 기관·연도의 통합문서입니다" in result.output


def test_same_department_twice_the_later_applies(desk):
    keys = records_of(desk, "총무과")
    first = desk.edited("총무과", {keys[0]: 10, keys[1]: 20}, "총무과-1.xlsx")
    second = desk.edited("총무과", {keys[0]: 12}, "총무과-2.xlsx")
    assert desk.run("import", first).exit_code == 0
    result = desk.run("import", second)
    assert result.exit_code == 0, result.output
    assert "실적 10 → 12" in result.output
    with Store.open(desk.db) as store:
        values = {i.key: i.actual for _, _, _, i in store.load(KEY).indicator_rows()}
    assert (values[keys[0]], values[keys[1]]) == (12, 20)
    row = by_department(desk.status_json())["총무과"]
    assert row["submission"]["file"] == "총무과-2.xlsx" and row["submission"]["changes"] == 1


def test_same_department_twice_in_one_command_disagreeing_is_refused(desk):
    keys = records_of(desk, "총무과")
    a = desk.edited("총무과", {keys[0]: 10}, "a.xlsx")
    b = desk.edited("총무과", {keys[0]: 12}, "b.xlsx")
    result = desk.run("import", a, b)
    assert result.exit_code == 1 and "다른 파일(a.xlsx" in result.output
    assert desk.revision() == 1


def test_a_change_by_someone_else_still_conflicts(desk):
    """Only the department's own earlier returns are overridden; a value the desk changed
    since the workbook was built (here through the consolidated workbook) still needs
    --force, as before."""
    keys = records_of(desk, "총무과")
    whole = desk.sent.out / KEY / "2019년 성과관리 주요사업 평가 현황.xlsx"
    row = key_rows(whole)[keys[0]]
    edited_whole = openpyxl_edit(whole, desk.tmp / "whole.xlsx", {(DEPTS, f"{E}{row}"): 7})
    assert desk.run("import", edited_whole).exit_code == 0
    result = desk.run("import", desk.edited("총무과", {keys[0]: 12}))
    assert result.exit_code == 1 and "--force" in result.output
    # the consolidated workbook is not a department's return
    assert desk.status_json()["submitted"] == 0


def test_batches_each_their_own_revision(desk):
    a = desk.edited("총무과", {records_of(desk, "총무과")[0]: 10})
    b = desk.edited("홍보전산과", {records_of(desk, "홍보전산과")[0]: 10})
    c = desk.edited("자치행정과", {records_of(desk, "자치행정과")[0]: 10})
    assert desk.run("import", a, b).exit_code == 0
    assert desk.revision() == 2
    assert desk.run("import", c).exit_code == 0
    assert desk.revision() == 3
    status = desk.status_json()
    assert status["submitted"] == 3
    revisions = {
        d["department"]: d["submission"]["revision"]
        for d in status["departments"]
        if d["submission"]
    }
    assert revisions == {"총무과": 2, "홍보전산과": 2, "자치행정과": 3}


# --------------------------------------------------------------------------- workbooks


def test_department_summary_explains_itself(sent):
    wb = openpyxl.load_workbook(sent.dept("총무과"), data_only=True)
    ws = wb["Ⅰ 부서현황"]
    texts = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert ws["A1"].value == "Ⅰ. 총무과 사업추진 현황"
    assert not any(t.startswith("문서:") for t in texts)
    assert "행정국" not in [t.strip() for t in texts]  # no bureau row
    sentence = next(t for t in texts if t.startswith("총무과의 주요사업은"))
    assert sentence == (
        "총무과의 주요사업은 행정국 주요사업 21개 가운데 4개(19%)입니다. 이 통합문서를 만든 때 "
        "행정국 전체는 정상추진 21개, 부진 0개였습니다."
    )
    projects = [
        r for r in ws.iter_rows(min_row=5, values_only=True) if r[2] in ("정상추진", "부진")
    ]
    assert len(projects) == 4


def test_consolidated_notes_are_sentences(desk):
    """After an import that makes a project 부진, the bureau's 비고 says what the document
    printed, in a sentence; bureaus that agree have no note."""
    keys = records_of(desk, "총무과")
    assert desk.run("import", desk.edited("총무과", {k: 0 for k in keys})).exit_code == 0
    out = desk.tmp / "out"
    assert desk.run("build", KEY, "--out", out).exit_code == 0
    wb = openpyxl.load_workbook(
        out / KEY / "2019년 성과관리 주요사업 평가 현황.xlsx", data_only=True
    )
    notes = {
        r[0]: r[4] for r in wb["Ⅰ 국별현황"].iter_rows(min_row=7, max_row=15, values_only=True)
    }
    assert notes["행정국"] == "원본 문서에 인쇄된 값은 계 21, 정상추진 21, 부진 0입니다."
    assert all(not v for k, v in notes.items() if k != "행정국")
    table = {r[1]: r for r in wb[ROUND_SHEET].iter_rows(min_row=5, values_only=True) if r[1]}
    assert table["총무과"][3] == "제출" and table["총무과"][5] == "총무과.xlsx"
    assert table["총무과"][8] == 4  # its four projects are 부진 now


def test_status_without_key_lists_documents(desk):
    result = desk.run("status")
    assert result.exit_code == 0
    assert "\n2019\t평가\t영등포구\t2019\t1\t" in result.stdout
    assert desk.run("status", "--missing").exit_code == 1
