"""A year folder (issue 14): `seeds/KEY/` holding a year's 성과계획서 and 평가 together;
load and build handle each, history/undo/status name the one they act on, two documents of
one kind are refused, and a store made before the round tables (schema 1) still opens."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from clients import DEPTS, key_rows, openpyxl_edit

from xlgen.cli import cli
from xlgen.layouts import eval_departments as dep
from xlgen.layouts import meta
from xlgen.layouts._base import col_letter
from xlgen.store import Store
from xlgen.store_schema import SCHEMA_V1, statements

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVAL_TEXT = SEEDS / "2019" / "004_87ab448168a45e13.txt"
PLAN_TEXT = SEEDS / "plan-seogu" / "000_927cff7e11b514e0.txt"


def year_folder(base: Path, key: str, *texts: Path) -> Path:
    """seeds/KEY with the given documents, both corrections files in one, no manifest."""
    folder = base / key
    folder.mkdir(parents=True)
    for text in texts:
        shutil.copyfile(text, folder / text.name)
    corrections = [
        (SEEDS / name / "corrections.toml").read_text(encoding="utf-8")
        for name in ("2019", "plan-seogu")
    ]
    (folder / "corrections.toml").write_text("\n".join(corrections), encoding="utf-8")
    return folder


class Desk:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.seeds = tmp / "seeds"
        self.db = tmp / "store.sqlite"
        self.out = tmp / "out"

    def run(self, *args: object) -> Result:
        return CliRunner().invoke(
            cli,
            [str(a) for a in args],
            env={"XLGEN_DB": str(self.db), "XLGEN_SEEDS": str(self.seeds)},
        )


@pytest.fixture
def desk(tmp_path) -> Desk:
    d = Desk(tmp_path)
    year_folder(d.seeds, "2020", EVAL_TEXT, PLAN_TEXT)
    return d


def test_load_reads_both_documents(desk):
    result = desk.run("load", "2020")
    assert result.exit_code == 0, result.output
    assert f"'2020' 평가 저장 완료: {EVAL_TEXT.name}" in result.output
    assert f"'2020' 성과계획 저장 완료: {PLAN_TEXT.name}" in result.output
    again = desk.run("load", "2020")
    assert again.output.count("이미 저장소에 있습니다") == 2
    listed = desk.run("status")
    assert listed.exit_code == 0
    lines = [ln for ln in listed.output.splitlines() if ln.strip().startswith("2020")]
    assert len(lines) == 2 and any("평가" in ln for ln in lines)
    assert any("성과계획" in ln for ln in lines)
    with Store.open(desk.db) as store:
        assert sorted(i.key for i in store.keys()) == ["2020/evaluation", "2020/plan"]


def test_build_writes_both_and_prints_every_workbook(desk):
    result = desk.run("build", "2020", "--by-department", "--out", desk.out)
    assert result.exit_code == 0, result.output
    paths = [Path(ln) for ln in result.stdout.splitlines()]
    assert len(paths) == 2 + 37 and all(p.is_file() for p in paths)
    evaluation = desk.out / "2020" / "2019년 성과관리 주요사업 평가 현황.xlsx"
    assert paths[0] == evaluation or paths[1] == evaluation
    plan = next(p for p in paths[:2] if p != evaluation)
    assert all(p.parent == desk.out / "2020" / "부서별" for p in paths[2:])
    # the plan's 계 and the evaluation's Ⅰ as the documents' own tables give them
    ws = openpyxl.load_workbook(plan, data_only=True).worksheets[0]
    total = next(r for r in ws.iter_rows(values_only=True) if r[0] == "계")
    assert list(total[1:8]) == [9, 60, 160, 172, 357649, 342339, 15310]
    summary = openpyxl.load_workbook(evaluation, data_only=True)["Ⅰ 국별현황"]
    assert [summary.cell(5, c).value for c in (2, 3, 4)] == [154, 151, 3]
    fields, _ = meta.read(
        [list(r) for r in openpyxl.load_workbook(paths[2])[meta.SHEET].iter_rows(values_only=True)]
    )
    assert fields["key"] == "2020/evaluation"
    assert "'2020' 평가 문서를 읽어 저장소에 넣었습니다" in result.stderr
    assert "'2020' 성과계획 문서를 읽어 저장소에 넣었습니다" in result.stderr


def test_history_needs_the_kind(desk):
    assert desk.run("load", "2020").exit_code == 0
    result = desk.run("history", "2020")
    assert result.exit_code == 1
    assert result.output == (
        "오류: '2020'에는 문서가 2개 있습니다 (평가, 성과계획). "
        "--kind 평가 또는 --kind 성과계획으로 하나를 고르세요.\n"
    )
    plan = desk.run("history", "2020", "--kind", "성과계획")
    assert plan.exit_code == 0 and plan.output.startswith(
        "'2020' 성과계획 이력 (현재 리비전 1, 시각은 "
    )
    evaluation = desk.run("history", "2020", "--kind", "평가")
    assert evaluation.exit_code == 0 and evaluation.output.startswith("'2020' 평가 이력")
    bad = desk.run("history", "2020", "--kind", "계획서")
    assert bad.exit_code == 1 and "고를 수 있는 것: 평가, 성과계획" in bad.output


def test_import_status_undo_of_a_year_folder(desk):
    assert desk.run("build", "2020", "--by-department", "--out", desk.out).exit_code == 0
    src = desk.out / "2020" / "부서별" / "2019년 성과관리 주요사업 평가 현황 - 총무과.xlsx"
    rows = key_rows(src)
    first = next(iter(rows))
    path = openpyxl_edit(
        src, desk.tmp / "총무과.xlsx", {(DEPTS, f"{col_letter(dep.ACTUAL)}{rows[first]}"): 5}
    )
    imported = desk.run("import", path)
    assert imported.exit_code == 0, imported.output
    status = desk.run("status", "2020")  # only the evaluation has a round: not ambiguous
    assert status.exit_code == 0 and "제출 1 / 37" in status.output
    assert desk.run("status", "2020", "--kind", "성과계획").exit_code == 1
    undone = desk.run("undo", "2020")
    assert undone.exit_code == 0 and "되돌렸습니다" in undone.output
    assert "제출 0 / 37" in desk.run("status", "2020").output


def test_two_documents_of_one_kind_are_refused(tmp_path):
    desk = Desk(tmp_path)
    folder = year_folder(desk.seeds, "2020", EVAL_TEXT)
    shutil.copyfile(EVAL_TEXT, folder / "copy.txt")
    result = desk.run("load", "2020")
    assert result.exit_code == 1
    assert f"같은 종류(평가)의 문서가 두 개입니다 ({EVAL_TEXT.name}, copy.txt)" in result.output
    assert not Store.open(desk.db).keys()
    assert desk.run("build", "2020", "--out", desk.out).exit_code == 1


def test_a_folder_that_gains_a_document(tmp_path):
    """The plan alone is stored as '2021'; the evaluation added later gets '2021/evaluation'
    and the plan keeps its key (workbooks built from it still import)."""
    desk = Desk(tmp_path)
    folder = year_folder(desk.seeds, "2021", PLAN_TEXT)
    assert desk.run("load", "2021").exit_code == 0
    shutil.copyfile(EVAL_TEXT, folder / EVAL_TEXT.name)
    result = desk.run("build", "2021", "--out", desk.out)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2
    with Store.open(desk.db) as store:
        assert sorted(i.key for i in store.keys()) == ["2021", "2021/evaluation"]
    assert desk.run("history", "2021").exit_code == 1
    assert desk.run("history", "2021", "--kind", "성과계획").exit_code == 0


def test_existing_keys_keep_working(tmp_path):
    desk = Desk(tmp_path)
    desk.seeds = SEEDS
    result = desk.run("build", "plan-seogu", "--out", desk.out)
    assert result.exit_code == 0
    assert result.stdout.strip() == str(desk.out / "plan-seogu" / "성과계획 총괄표 (서구).xlsx")
    assert desk.run("history", "plan-seogu").exit_code == 0
    with Store.open(desk.db) as store:
        assert [i.key for i in store.keys()] == ["plan-seogu"]


def test_a_schema_1_store_opens_and_joins_the_round(tmp_path):
    """A store written before the round tables: migrated on open, its document gets a
    round, and workbooks built from it then import and count as returned."""
    new = tmp_path / "new.sqlite"
    desk = Desk(tmp_path)
    desk.seeds = SEEDS
    desk.db = new
    assert desk.run("load", "2019").exit_code == 0
    old = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old, isolation_level=None)
    for statement in statements(SCHEMA_V1):
        conn.execute(statement)
    conn.execute(f"ATTACH DATABASE '{new}' AS src")
    columns = "key, kind, title, org, year, revision, source_name, source_sha256, encoding, saved_at, body"
    conn.execute(f"INSERT INTO documents ({columns}) SELECT {columns} FROM src.documents")
    # The schema-1 columns only (schema 3 added indicator columns; issue 15).
    for table in ("indicators", "revisions", "history"):
        names = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM src.{table}")
    conn.execute("DETACH DATABASE src")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    desk.db = old
    with Store.open(old) as store:
        assert store.schema_version == 3  # 2: the round; 3: phases (issue 15)
        assert re.fullmatch(r"r[0-9a-f]{16}", store.round("2019"))
        assert store.load("2019").title
    assert desk.run("build", "2019", "--by-department", "--out", desk.out).exit_code == 0
    src = desk.out / "2019" / "부서별" / "2019년 성과관리 주요사업 평가 현황 - 총무과.xlsx"
    rows = key_rows(src)
    first = next(iter(rows))
    path = openpyxl_edit(
        src, tmp_path / "총무과.xlsx", {(DEPTS, f"{col_letter(dep.ACTUAL)}{rows[first]}"): 5}
    )
    assert desk.run("import", path).exit_code == 0
    assert "제출 1 / 37" in desk.run("status", "2019").output
