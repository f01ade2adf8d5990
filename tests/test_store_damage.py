"""A damaged store is refused before any write (issue 12): an index page broken so that
SQLite's integrity check reports it, while plain reads still work. load, import, undo and
build's save all stop with a Korean message, exit 1, and the file keeps every byte."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlgen.build import build
from xlgen.cli import cli
from xlgen.errors import StoreError
from xlgen.korean import josa  # issue 13: particles follow the words
from xlgen.layouts import eval_departments as dep
from xlgen.store import Store

KEY = "2019"


@pytest.fixture(scope="module")
def healthy(tmp_path_factory) -> tuple[Path, Path]:
    """A store holding 2019 and the workbook built from it."""
    tmp = tmp_path_factory.mktemp("damage")
    with Store.open(tmp / "store.sqlite") as store:
        xlsx = build(KEY, store=store, out_dir=tmp / "out").path
    return tmp / "store.sqlite", xlsx


def damage_index(db: Path, index: str) -> None:
    """Break the root page of `index` (its b-tree page type byte), as a bad sector would."""
    conn = sqlite3.connect(db)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
        ).fetchone()
    finally:
        conn.close()
    with db.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\x00")


@pytest.fixture
def damaged(healthy, tmp_path) -> Path:
    db = tmp_path / "store.sqlite"
    shutil.copyfile(healthy[0], db)
    damage_index(db, "history_by_value")
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
        with pytest.raises(sqlite3.DatabaseError, match="malformed"):
            conn.execute("PRAGMA integrity_check").fetchall()
        assert conn.execute("SELECT count(*) FROM indicators").fetchone()[0] == 244  # reads work
    finally:
        conn.close()
    return db


def message(db: Path) -> str:
    return (
        f"저장소 {josa(db, '이/가')} 손상되었습니다 (SQLite 무결성 검사: Page "
        f"{_root(db)}: btreeInitPage() returns error code 11). "
        "아무것도 쓰지 않았습니다. 백업해 둔 저장소 파일로 바꾸거나, 새 저장소에 "
        "문서를 다시 읽어 들인 뒤(xlgen load) 다시 시도하세요."
    )


def _root(db: Path, index: str = "history_by_value") -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)
        ).fetchone()[0]
    finally:
        conn.close()


def run(db: Path, *args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"XLGEN_DB": str(db)})


def test_load_replace_is_refused(damaged: Path) -> None:
    before = damaged.read_bytes()
    result = run(damaged, "load", KEY, "--replace")
    assert result.exit_code == 1
    assert result.stderr == f"오류: {message(damaged)}\n"
    assert damaged.read_bytes() == before


@pytest.mark.parametrize("index", ["history_by_value", "history_by_revision"])
def test_import_is_refused(healthy, tmp_path: Path, index: str) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(healthy[1])
    ws = wb["Ⅲ 부서별현황"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, dep.KEY + 1).value == "I0024")
    ws.cell(row, dep.ACTUAL + 1).value = 110
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    db = tmp_path / "store.sqlite"
    shutil.copyfile(healthy[0], db)
    damage_index(db, index)
    before = db.read_bytes()
    result = run(db, "import", edited)
    assert result.exit_code == 1
    if index == "history_by_value":
        # the plan's reads meet this index first: the same refusal, in SQLite's words
        detail = "database disk image is malformed"
    else:  # an index no read uses: the check before the write finds it
        detail = f"Page {_root(db, index)}: btreeInitPage() returns error code 11"
    assert result.stderr == (
        f"오류: 저장소 {josa(db, '이/가')} 손상되었습니다 (SQLite 무결성 검사: {detail}). "
        "아무것도 쓰지 않았습니다. 백업해 둔 저장소 파일로 바꾸거나, 새 저장소에 "
        "문서를 다시 읽어 들인 뒤(xlgen load) 다시 시도하세요.\n"
    )
    assert db.read_bytes() == before
    # the same import on the healthy store goes through: the refusal is the damage's
    healthy_copy = tmp_path / "healthy.sqlite"
    shutil.copyfile(healthy[0], healthy_copy)
    assert run(healthy_copy, "import", edited).exit_code == 0


def test_undo_and_save_are_refused_through_the_library(damaged: Path) -> None:
    before = damaged.read_bytes()
    with Store.open(damaged) as store:
        doc = store.load(KEY)  # reading is still allowed
        with pytest.raises(StoreError) as undo:
            store.undo_last(KEY, os_user="tester")
        assert str(undo.value) == message(damaged)
        with pytest.raises(StoreError) as save:
            store.save_document("new", doc, source_name="x.txt", source_sha256="0" * 64)
        assert str(save.value) == message(damaged)
    assert damaged.read_bytes() == before


def test_build_of_a_new_key_does_not_save_into_a_damaged_store(
    damaged: Path, tmp_path: Path
) -> None:
    """build reads seeds into the store when the key is missing: that save is refused too."""
    seeds = tmp_path / "seeds"
    shutil.copytree(Path(__file__).parent.parent / "seeds" / KEY, seeds / "other")
    before = damaged.read_bytes()
    result = run(damaged, "build", "other", "--seeds", seeds, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == f"오류: {message(damaged)}\n"
    assert damaged.read_bytes() == before
    assert not (tmp_path / "out").exists()


def test_the_check_runs_beside_a_read_and_a_healthy_store_writes(healthy, tmp_path) -> None:
    db = tmp_path / "store.sqlite"
    shutil.copyfile(healthy[0], db)
    with Store.open(db) as store:
        doc = store.load(KEY)
        rev = store.save_document("copy", doc, source_name="x.txt", source_sha256="0" * 64)
    assert rev >= 1
    assert not Path(f"{db}-wal").exists()  # the check's connection does not hold back the close
