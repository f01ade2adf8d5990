"""Tests of the SQLite store (xlgen.store)."""

from __future__ import annotations

import copy
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlgen import store_codec
from xlgen.errors import NotFoundError, StoreError, XlgenError
from xlgen.model import (
    Bureau,
    Department,
    Direction,
    Evaluation,
    Field,
    Highlight,
    Indicator,
    NarrativeSection,
    OfficeRow,
    ParseWarning,
    Plan,
    PolicyGoal,
    Project,
    StrategicGoal,
    SummaryRow,
)
from xlgen.store import (
    NothingToUndoError,
    Store,
    StoreConflictError,
    _default_db_path,
    default_db_path,
)
from xlgen.store_schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
SHA = "0" * 64


# --------------------------------------------------------------------------- fixtures


def make_evaluation() -> Evaluation:
    """2 bureaus, 3 departments, multi-indicator projects, every kind of number."""
    return Evaluation(
        title="2019년 주요사업 평가 결과",
        org="서구",
        year=2019,
        bureaus=[
            Bureau(
                name="행정국",
                line=3,
                departments=[
                    Department(
                        name="총무과",
                        line=40,
                        projects=[
                            Project(
                                name="구정 청렴도 향상",
                                line=41,
                                indicators=[
                                    Indicator("청렴도 향상 시책 추진", "회", 26, 37, 150, line=41),
                                    Indicator(
                                        "민원 처리기간",
                                        "일",
                                        5.0,
                                        4.5,
                                        111.1,
                                        direction=Direction.DOWN,
                                        line=42,
                                    ),
                                ],
                            ),
                            Project(
                                name="도로조명시설물 정비",
                                line=43,
                                indicators=[Indicator("정비 개소", "개소", 100, 205, 204, line=43)],
                            ),
                        ],
                    ),
                    Department(
                        name="세무과",
                        line=50,
                        projects=[
                            Project(
                                name="체납액 정리",
                                line=51,
                                indicators=[
                                    Indicator("체납 정리율", "%", 100.0, 26.5, 26.5, line=51),
                                    Indicator(
                                        "증감",
                                        "백만원",
                                        -231,
                                        None,
                                        None,
                                        line=52,
                                        note="실적 미제출",
                                    ),
                                    Indicator("큰 수", "천원", 1_234_567_890_123, 0, 0.0, line=53),
                                ],
                            ),
                            Project(name="빈 사업", line=54),
                        ],
                    ),
                ],
            ),
            Bureau(
                name="생활환경국",
                line=5,
                departments=[
                    Department(
                        name="청소행정과",
                        line=60,
                        projects=[
                            Project(
                                name="폐기물 감량",
                                line=61,
                                indicators=[
                                    Indicator(
                                        "생활폐기물 발생량",
                                        "톤",
                                        1200,
                                        1100,
                                        None,
                                        direction=Direction.DOWN,
                                        line=61,
                                    ),
                                    Indicator("재활용률", "%", 60, -0.5, -1, line=62),
                                ],
                            )
                        ],
                    )
                ],
            ),
        ],
        summary=[
            SummaryRow("행정국", 4, 3, 1, line=3),
            SummaryRow("생활환경국", 1, 1, 0, line=5),
        ],
        summary_total=SummaryRow("사업 수", 5, 4, 1, line=7),
        summary_ratio=(80, 20.0),
        threshold=80,
        narrative=[
            NarrativeSection(
                heading="행정국 ‧ 생활환경국",
                line=10,
                fields=[
                    Field(
                        title="◇ 청렴",
                        highlights=[
                            Highlight("청렴도 2등급 달성", details=["- 외부 평가", "· 내부 평가"]),
                            Highlight("세부 없음"),
                        ],
                    ),
                    Field(title="빈 분야"),
                ],
            )
        ],
        warnings=[ParseWarning(41, "달성률 150 ≠ 26/37"), ParseWarning(None, "비율 99 / 1")],
    )


def make_plan() -> Plan:
    office = OfficeRow("기획실", 1, 2, 3, 4, 1500, 1400.5, 99.5, line=5)
    return Plan(
        title="2020년 성과계획서",
        org="서구",
        year=2020,
        unit="개, 백만원",
        offices=[office, OfficeRow("복지국", 1, 1, None, 2, -3, 0, -3, line=6)],
        total=OfficeRow("계", 2, 3, 3, 6, 1497, 1400.5, 96.5, line=7),
        goals=[
            StrategicGoal(
                "기획실",
                "으뜸 서구",
                1500,
                50.0,
                line=10,
                policy_goals=[
                    PolicyGoal(
                        "도시녹화를 통해 자연환경을 개선한다", ["녹지율", "나무 심기"], line=11
                    ),
                    PolicyGoal("빈 목표", line=12),
                ],
            ),
            StrategicGoal("복지국", "어르신 서구", None, None, line=20),
        ],
        warnings=[ParseWarning(6, "지표 수 없음")],
    )


def save(st_: Store, key: str, doc, **kw) -> int:
    return st_.save_document(key, doc, source_name=f"{key}.txt", source_sha256=SHA, **kw)


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def types_of(doc: Evaluation) -> list[tuple]:
    return [(type(i.target), type(i.actual), type(i.stated_rate)) for *_, i in doc.indicator_rows()]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "dir" / "xlgen.sqlite"


@pytest.fixture
def store(db: Path):
    with Store.open(db) as s:
        yield s


# --------------------------------------------------------------------------- opening


def test_open_creates_parents_and_sets_pragmas(db: Path):
    with Store.open(db) as s:
        assert db.exists()
        conn = s._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
        assert s.schema_version == SCHEMA_VERSION == 3  # 2: round (issue 14), 3: phases (issue 15)
    with Store.open(db) as s:  # reopening is a no-op
        assert s.schema_version == SCHEMA_VERSION


def test_newer_schema_refused(db: Path):
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="더 새로운 버전의 xlgen으로 만든 저장소입니다"):
        Store.open(db)


def test_not_sqlite_refused(tmp_path: Path):
    path = tmp_path / "notes.sqlite"
    path.write_text("이것은 데이터베이스가 아닙니다\n" * 200, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        Store.open(path)
    assert not isinstance(info.value, sqlite3.Error)
    assert str(path) in str(info.value)
    assert "파일이 아니거나 손상되었습니다" in str(info.value)
    assert path.read_bytes() == before


def test_corrupt_store_refused(tmp_path: Path):
    path = tmp_path / "xlgen.sqlite"
    with Store.open(path) as s:
        save(s, "2019", make_evaluation())
        s._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # keep the header, wreck every other page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as info:
        with Store.open(path) as s:
            s.load("2019")
    assert not isinstance(info.value, sqlite3.Error)
    assert str(path) in str(info.value) and "손상" in str(info.value)


def test_foreign_sqlite_file_refused(tmp_path: Path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="xlgen 저장소가 아닌"):
        Store.open(path)


def test_directory_refused(tmp_path: Path):
    with pytest.raises(StoreError, match="폴더"):
        Store.open(tmp_path)


def test_default_db_path(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XLGEN_DB", str(tmp_path / "x.sqlite"))
    assert default_db_path() == tmp_path / "x.sqlite"
    home = Path.home()
    assert _default_db_path({}, "linux") == home / ".local/share/xlgen/xlgen.sqlite"
    assert _default_db_path({"XDG_DATA_HOME": "/data"}, "linux") == Path("/data/xlgen/xlgen.sqlite")
    win = _default_db_path({"APPDATA": "C:/Users/kim/AppData/Roaming"}, "win32")
    assert win == Path("C:/Users/kim/AppData/Roaming") / "xlgen" / "xlgen.sqlite"
    assert _default_db_path({}, "win32") == home / "AppData/Roaming/xlgen/xlgen.sqlite"
    monkeypatch.delenv("XLGEN_DB")
    assert "out" not in default_db_path().parts


def test_store_opened_with_default_path(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XLGEN_DB", str(tmp_path / "env" / "db.sqlite"))
    with Store.open() as s:
        assert s.path == tmp_path / "env" / "db.sqlite"
    assert (tmp_path / "env" / "db.sqlite").exists()


# --------------------------------------------------------------------------- documents


def test_round_trip_evaluation(store: Store):
    ev = make_evaluation()
    assert save(store, "2019", ev) == 1
    keys = [i.key for *_, i in ev.indicator_rows()]
    assert keys == [f"I{n:04d}" for n in range(1, 9)]
    loaded = store.load("2019")
    assert loaded == ev
    assert types_of(loaded) == types_of(make_evaluation())
    assert isinstance(loaded.summary_ratio, tuple) and type(loaded.summary_ratio[1]) is float
    assert loaded.bureaus[0].departments[0].projects[0].indicators[1].direction is Direction.DOWN
    assert loaded.bureaus[0].departments[1].projects[1].indicators == []


def test_round_trip_plan(store: Store):
    plan = make_plan()
    assert save(store, "plan-seogu", plan, encoding="cp949") == 1
    loaded = store.load("plan-seogu")
    assert loaded == plan
    assert type(loaded.offices[0].prev_budget) is float and type(loaded.offices[0].budget) is int


def test_indicators_are_rows(store: Store):
    save(store, "2019", make_evaluation())
    rows = store._conn.execute(
        "SELECT record_key, position, bureau, department, project, name, unit, target, actual, "
        "stated_rate, direction, line, note FROM indicators ORDER BY position"
    ).fetchall()
    assert len(rows) == 8
    assert rows[0] == (
        "I0001",
        0,
        "행정국",
        "총무과",
        "구정 청렴도 향상",
        "청렴도 향상 시책 추진",
        "회",
        26,
        37,
        150,
        "상향",
        41,
        "",
    )
    assert rows[4][7:10] == (-231, None, None) and rows[4][12] == "실적 미제출"
    assert rows[3][7] == 100.0 and type(rows[3][7]) is float


def test_revision_keys_and_has(store: Store):
    assert not store.has("2019") and store.keys() == []
    ev = make_evaluation()
    assert save(store, "2019", ev) == 1
    assert save(store, "2019", ev) == 2
    assert save(store, "plan", make_plan(), encoding="utf-8") == 1
    assert store.has("2019") and store.revision("2019") == 2
    infos = store.keys()
    assert [(i.key, i.kind, i.org, i.year, i.revision) for i in infos] == [
        ("2019", "evaluation", "서구", 2019, 2),
        ("plan", "plan", "서구", 2020, 1),
    ]
    assert infos[1].encoding == "utf-8" and infos[0].source_name == "2019.txt"


def test_missing_key(store: Store):
    with pytest.raises(NotFoundError, match="'1999' 문서가 없습니다"):
        store.load("1999")
    with pytest.raises(NotFoundError):
        store.revision("1999")
    with pytest.raises(NotFoundError):
        store.history("1999")


def test_keys_kept_on_resave_and_never_reused(store: Store):
    ev = make_evaluation()
    save(store, "2019", ev)
    loaded = store.load("2019")
    # Re-save the loaded document with one indicator removed and one added.
    loaded.bureaus[0].departments[0].projects[1].indicators.clear()  # I0003 gone
    loaded.bureaus[1].departments[0].projects[0].indicators.append(Indicator("새 지표", "건", 1, 2))
    assert save(store, "2019", loaded) == 2
    keys = [i.key for *_, i in store.load("2019").indicator_rows()]
    assert keys == ["I0001", "I0002", "I0004", "I0005", "I0006", "I0007", "I0008", "I0009"]
    # A fresh parse (no keys) gets numbers above everything used before.
    fresh = make_evaluation()
    save(store, "2019", fresh)
    assert [i.key for *_, i in fresh.indicator_rows()][0] == "I0010"
    # Another document key starts at I0001.
    other = make_evaluation()
    save(store, "2020", other)
    assert other.bureaus[0].departments[0].projects[0].indicators[0].key == "I0001"


def test_duplicate_record_keys_refused(store: Store):
    ev = make_evaluation()
    for *_, ind in ev.indicator_rows():
        ind.key = "I0001"
    with pytest.raises(StoreError, match="두 지표"):
        save(store, "2019", ev)
    assert not store.has("2019")


def test_invalid_numbers_refused(store: Store):
    ev = make_evaluation()
    ev.bureaus[0].departments[0].projects[0].indicators[0].actual = float("nan")
    with pytest.raises(StoreError, match="NaN"):
        save(store, "2019", ev)
    ev.bureaus[0].departments[0].projects[0].indicators[0].actual = 2**70
    with pytest.raises(StoreError, match="너무 커서"):
        save(store, "2019", ev)
    ev.bureaus[0].departments[0].projects[0].indicators[0].actual = "12"
    with pytest.raises(StoreError, match="숫자가 아닌"):
        save(store, "2019", ev)
    assert store.keys() == []


# --------------------------------------------------------------------------- imports


def imported(store: Store, changes, **kw) -> int:
    """One file's changes as an import (Store.apply_batches with one batch)."""
    return store.apply_batches("2019", [("총무과.xlsx", "abc", changes)], os_user="kim", **kw)


def test_apply_batches_and_history(store: Store):
    save(store, "2019", make_evaluation())
    rev = imported(
        store,
        [
            ("I0001", "actual", 37, 40),
            ("I0004", "actual", 26.5, 30),  # float -> int
            ("I0005", "actual", None, -12.0),  # None -> negative float
            ("I0005", "note", "실적 미제출", ""),
            ("I0002", "note", None, "확인함"),  # None means an empty note
        ],
    )
    assert rev == 2 and store.revision("2019") == 2
    doc = store.load("2019")
    inds = [i for *_, i in doc.indicator_rows()]
    assert inds[0].actual == 40 and type(inds[0].actual) is int
    assert inds[3].actual == 30 and type(inds[3].actual) is int
    assert inds[4].actual == -12.0 and type(inds[4].actual) is float
    assert inds[4].note == "" and inds[1].note == "확인함"

    entries = store.history_entries("2019")
    assert [(e.record_key, e.field, e.old, e.new) for e in entries] == [
        ("I0001", "actual", 37, 40),
        ("I0004", "actual", 26.5, 30),
        ("I0005", "actual", None, -12.0),
        ("I0005", "note", "실적 미제출", ""),
        ("I0002", "note", "", "확인함"),
    ]
    assert [type(e.old) for e in entries][:3] == [int, float, type(None)]
    assert type(entries[2].new) is float
    e = entries[0]
    assert (e.revision, e.os_user, e.file_name, e.file_hash) == (2, "kim", "총무과.xlsx", "abc")
    assert e.at.endswith("+00:00")

    hist = store.history("2019")
    assert [(h.revision, h.action, h.changes) for h in hist] == [(2, "import", 5), (1, "parse", 0)]
    assert (hist[0].os_user, hist[0].file_name, hist[0].file_hash) == ("kim", "총무과.xlsx", "abc")
    assert (hist[1].file_name, hist[1].file_hash) == ("2019.txt", SHA)


def test_apply_batches_noop_and_validation(store: Store):
    save(store, "2019", make_evaluation())
    assert imported(store, []) == 1
    assert imported(store, [("I0001", "actual", 37, 37)]) == 1  # same value: nothing written
    assert imported(store, [("I0004", "actual", 26.5, 26.5)]) == 1
    assert store.history("2019")[0].revision == 1
    # 100 (int) -> 100.0 (float) is a change of type and is recorded.
    assert imported(store, [("I0004", "actual", 26.5, 100)]) == 2
    assert imported(store, [("I0004", "actual", 100.0, 100.0)]) == 3
    assert (
        type(store.load("2019").bureaus[0].departments[1].projects[0].indicators[0].actual) is float
    )
    with pytest.raises(StoreError, match="바꿀 수 없는"):
        imported(store, [("I0001", "target", 26, 1)])
    with pytest.raises(StoreError, match="숫자가 아닌"):
        imported(store, [("I0001", "actual", 37, "많음")])
    with pytest.raises(StoreError, match="두 번"):
        imported(store, [("I0001", "actual", 37, 1), ("I0001", "actual", 37, 2)])
    with pytest.raises(NotFoundError, match="I9999"):
        imported(store, [("I9999", "actual", None, 1)])
    save(store, "plan", make_plan())
    with pytest.raises(StoreError, match="평가 문서가 아니"):
        store.apply_batches("plan", [("f", "h", [("I0001", "actual", 1, 2)])], os_user="kim")
    assert store.revision("2019") == 3


def test_stale_old_value_and_expected_revision(store: Store):
    save(store, "2019", make_evaluation())
    with pytest.raises(StoreConflictError, match="I0001"):
        imported(store, [("I0001", "actual", 99, 1)])
    # A workbook read back slightly differently (xlsx keeps ~16 digits) still matches.
    assert imported(store, [("I0001", "actual", 37.000000000000001, 38)]) == 2
    with pytest.raises(StoreConflictError, match="기대한 리비전 1"):
        imported(store, [("I0002", "actual", 4.5, 4)], expected_revision=1)
    assert imported(store, [("I0002", "actual", 4.5, 4)], expected_revision=2) == 3


def test_undo_restores_exactly(store: Store):
    original = make_evaluation()
    save(store, "2019", original)
    before = store.load("2019")
    imported(
        store,
        [
            ("I0004", "actual", 26.5, 30),
            ("I0005", "actual", None, 0),
            ("I0008", "actual", -0.5, None),
            ("I0005", "note", "실적 미제출", ""),
        ],
    )
    second = store.load("2019")
    imported(store, [("I0001", "actual", 37, 37.0), ("I0003", "note", "", "수정")])
    assert store.revision("2019") == 3

    assert store.undo_last("2019", os_user="lee") == 4
    assert store.load("2019") == second
    assert types_of(store.load("2019")) == types_of(second)
    assert store.undo_last("2019", os_user="lee") == 5
    restored = store.load("2019")
    assert restored == before and types_of(restored) == types_of(before)

    hist = store.history("2019")
    assert [(h.revision, h.action, h.changes, h.undoes) for h in hist] == [
        (5, "undo", 4, 2),
        (4, "undo", 2, 3),
        (3, "import", 2, None),
        (2, "import", 4, None),
        (1, "parse", 0, None),
    ]
    assert hist[0].os_user == "lee" and hist[0].file_name == "총무과.xlsx"
    undo_rows = store.history_entries("2019", revision=5)
    assert ("I0008", "actual", None, -0.5) in [
        (e.record_key, e.field, e.old, e.new) for e in undo_rows
    ]

    with pytest.raises(NothingToUndoError, match="되돌릴 가져오기가 없습니다") as info:
        store.undo_last("2019", os_user="lee")
    assert isinstance(info.value, XlgenError)
    assert store.revision("2019") == 5


def test_undo_stops_at_resave(store: Store):
    save(store, "2019", make_evaluation())
    imported(store, [("I0001", "actual", 37, 1)])
    save(store, "2019", store.load("2019"))
    with pytest.raises(NothingToUndoError):
        store.undo_last("2019", os_user="lee")


def test_conflict_detection(store: Store):
    save(store, "2019", make_evaluation())  # a workbook is built at revision 1
    imported(store, [("I0001", "actual", 37, 40), ("I0002", "note", "", "a")])  # r2
    imported(store, [("I0001", "actual", 40, 41), ("I0004", "actual", 26.5, 27)])  # r3
    imported(store, [("I0004", "actual", 27, 26.5)])  # r4: changed back
    assert ("I0001", "actual") in store.changed_since("2019", 1)
    assert ("I0002", "note") in store.changed_since("2019", 1)
    assert ("I0004", "actual") not in store.changed_since("2019", 1)  # same as at r1
    assert ("I0004", "actual") in store.changed_since("2019", 3)
    assert ("I0003", "actual") not in store.changed_since("2019", 1)
    assert ("I0001", "actual") not in store.changed_since("2019", 3)
    assert store.changed_since("2019", 1) == {
        ("I0001", "actual"): (37, 41),
        ("I0002", "note"): ("", "a"),
    }
    store.undo_last("2019", os_user="lee")  # undo r4
    store.undo_last("2019", os_user="lee")  # undo r3
    assert store.changed_since("2019", 2) == {}
    assert store.changed_since("2019", 99) == {}


def test_resave_records_changed_values(store: Store):
    save(store, "2019", make_evaluation())
    doc = store.load("2019")
    doc.bureaus[0].departments[0].projects[0].indicators[0].actual = 1
    assert save(store, "2019", doc) == 2
    assert store.history("2019")[0].changes == 1
    assert store.changed_since("2019", 1) == {("I0001", "actual"): (37, 1)}


# --------------------------------------------------------------------------- atomicity


def test_failed_save_leaves_store_unchanged(db: Path, monkeypatch):
    with Store.open(db) as s:
        save(s, "2019", make_evaluation())
        imported(s, [("I0001", "actual", 37, 40)])
        before = dump(db)
        original = store_codec.indicator_params

        def failing(*args, **kwargs):
            rows = original(*args, **kwargs)
            yield next(rows)
            raise RuntimeError("injected failure after the first insert")

        monkeypatch.setattr(store_codec, "indicator_params", failing)
        fresh = make_evaluation()
        with pytest.raises(RuntimeError, match="injected"):
            save(s, "2019", fresh)
        with pytest.raises(RuntimeError, match="injected"):
            save(s, "2020", fresh)
        assert all(i.key == "" for *_, i in fresh.indicator_rows())  # not written back
        assert not s._conn.in_transaction
        assert dump(db) == before
        assert s.revision("2019") == 2 and not s.has("2020")
        monkeypatch.undo()
        assert save(s, "2020", fresh) == 1  # the connection is still usable


def test_failed_import_leaves_store_unchanged(db: Path, monkeypatch):
    with Store.open(db) as s:
        save(s, "2019", make_evaluation())
        before = dump(db)
        # The second change refers to a missing record: the first one must not survive.
        with pytest.raises(NotFoundError):
            imported(s, [("I0001", "actual", 37, 40), ("I0404", "actual", None, 1)])
        assert dump(db) == before
        calls = []
        original = Store._add_history

        def failing(*args, **kwargs):
            calls.append(1)
            raise RuntimeError("injected failure in history")

        monkeypatch.setattr(Store, "_add_history", staticmethod(failing))
        with pytest.raises(RuntimeError):
            imported(s, [("I0001", "actual", 37, 40)])
        after_failure = dump(db)
        assert calls and after_failure == before
        monkeypatch.setattr(Store, "_add_history", staticmethod(original))
        imported(s, [("I0001", "actual", 37, 40)])
        after_import = dump(db)
        monkeypatch.setattr(Store, "_add_history", staticmethod(failing))
        with pytest.raises(RuntimeError):
            s.undo_last("2019", os_user="lee")
        assert dump(db) == after_import


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from xlgen import store_codec
    from xlgen.model import Bureau, Department, Evaluation, Indicator, Project
    from xlgen.store import Store

    path, marker = sys.argv[1], sys.argv[2]
    original = store_codec.indicator_params

    def slow(*args, **kwargs):
        for n, row in enumerate(original(*args, **kwargs)):
            yield row
            if n == 30000:
                open(marker, "w").close()
                time.sleep(120)  # killed here, in the middle of the transaction

    store_codec.indicator_params = slow
    projects = [
        Project(f"사업 {p}", [Indicator(f"지표 {p}-{i} " + "가" * 200, "건", i, i * 1.5)
                             for i in range(100)])
        for p in range(400)
    ]
    big = Evaluation("큰 문서", "서구", 2019, [Bureau("국", [Department("과", projects)])])
    with Store.open(path) as store:
        store.save_document("2019", big, source_name="big.txt", source_sha256="f" * 64)
    """
)


@pytest.mark.slow
def test_sigkill_mid_write_keeps_previous_revision(tmp_path: Path):
    db = tmp_path / "xlgen.sqlite"
    ev = make_evaluation()
    with Store.open(db) as s:
        save(s, "2019", ev)
    marker = tmp_path / "started"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(db), str(marker)], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the writer never started"
            time.sleep(0.05)
        wal = db.with_name(db.name + "-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # The half-written transaction had spilled pages into the WAL: recovery must ignore them.
    assert wal_size > 1_000_000
    with Store.open(db) as s:
        assert s._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert s.revision("2019") == 1
        assert s.load("2019") == ev
        assert [r.revision for r in s.history("2019")] == [1]
        assert save(s, "2019", ev) == 2  # and it is writable


# --------------------------------------------------------------------------- concurrency


def test_concurrent_writers_wait(tmp_path: Path):
    db = tmp_path / "xlgen.sqlite"
    Store.open(db).close()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with Store.open(db) as s:
                for _ in range(15):
                    save(s, "shared", make_evaluation())
                    save(s, f"own-{n}", make_plan())
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store.open(db) as s:
        assert s.revision("shared") == 45
        assert [r.revision for r in s.history("shared")] == list(range(45, 0, -1))


def test_concurrent_writer_processes(tmp_path: Path):
    db = tmp_path / "xlgen.sqlite"
    Store.open(db).close()
    script = textwrap.dedent(
        """
        import sys
        from xlgen.model import Plan
        from xlgen.store import Store
        with Store.open(sys.argv[1]) as s:
            for i in range(20):
                s.save_document("shared", Plan("p", None, None), source_name="p",
                                source_sha256="0")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(db)], env=env, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        assert b"Traceback" not in err
    with Store.open(db) as s:
        assert s.revision("shared") == 60


def test_processes_opening_a_new_store_at_once(tmp_path: Path):
    db = tmp_path / "new" / "xlgen.sqlite"
    script = "import sys; from xlgen.store import Store; Store.open(sys.argv[1]).close()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(db)], env=env, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    with Store.open(db) as s:
        assert s.schema_version == SCHEMA_VERSION and s.keys() == []


def test_writer_waits_for_lock_then_succeeds(tmp_path: Path):
    db = tmp_path / "xlgen.sqlite"
    s = Store.open(db)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release() -> None:
        time.sleep(0.5)
        holder.execute("COMMIT")
        released.set()

    threading.Thread(target=release).start()
    start = time.monotonic()
    assert save(s, "2019", make_evaluation()) == 1
    assert time.monotonic() - start >= 0.4 and released.is_set()
    s.close()
    holder.close()


def test_lock_timeout_is_a_korean_store_error(tmp_path: Path):
    db = tmp_path / "xlgen.sqlite"
    s = Store.open(db, timeout=0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="사용 중") as info:
            save(s, "2019", make_evaluation())
        assert not isinstance(info.value, sqlite3.Error)
        assert isinstance(info.value.__cause__, sqlite3.OperationalError)
        assert s.has("2019") is False  # reads are not blocked by a writer (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert save(s, "2019", make_evaluation()) == 1
    s.close()


# --------------------------------------------------------------------------- property


numbers = st.one_of(
    st.none(),
    st.integers(min_value=store_codec.INT64_MIN, max_value=store_codec.INT64_MAX),
    st.floats(allow_nan=False, allow_infinity=True),
    st.integers(-(10**6), 10**6).map(float),  # integral floats: 100.0 must stay float
)
indicators = st.builds(
    Indicator,
    name=st.text(),
    unit=st.text(max_size=5),
    target=numbers,
    actual=numbers,
    stated_rate=numbers,
    direction=st.sampled_from(Direction),
    line=st.one_of(st.none(), st.integers(0, 10**6)),
    note=st.text(max_size=20),
)
projects = st.builds(Project, name=st.text(), indicators=st.lists(indicators, max_size=4))
departments = st.builds(Department, name=st.text(), projects=st.lists(projects, max_size=3))
bureaus = st.builds(Bureau, name=st.text(), departments=st.lists(departments, max_size=3))
evaluations = st.builds(
    Evaluation,
    title=st.text(),
    org=st.one_of(st.none(), st.text()),
    year=st.one_of(st.none(), st.integers(1900, 2100)),
    bureaus=st.lists(bureaus, max_size=3),
    summary_ratio=st.one_of(st.none(), st.tuples(numbers, numbers)),
    threshold=st.one_of(st.integers(0, 100), st.floats(0, 100)),
    warnings=st.lists(
        st.builds(ParseWarning, line=st.one_of(st.none(), st.integers()), message=st.text())
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ev=evaluations, new_actual=numbers)
def test_round_trip_property(tmp_path: Path, ev: Evaluation, new_actual):
    with Store.open(tmp_path / "prop.sqlite") as s:
        expected = copy.deepcopy(ev)
        save(s, "k", ev)
        loaded = s.load("k")
        expected_keys = [i.key for *_, i in ev.indicator_rows()]
        for (*_, i), k in zip(expected.indicator_rows(), expected_keys, strict=True):
            i.key = k
        assert loaded == expected
        assert types_of(loaded) == types_of(expected)
        rows = loaded.indicator_rows()
        if rows:
            ind = rows[0][3]
            before = s.load("k")
            imported_k(s, [(ind.key, "actual", ind.actual, new_actual)])
            assert type(s.load("k").indicator_rows()[0][3].actual) is type(new_actual)
            if store_codec.encode_value(ind.actual) != store_codec.encode_value(new_actual):
                s.undo_last("k", os_user="p")
                after = s.load("k")
                assert after == before and types_of(after) == types_of(before)


def imported_k(s: Store, changes) -> int:
    return s.apply_batches("k", [("f", "h", changes)], os_user="p")
