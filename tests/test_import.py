"""`xlgen import` / `history` / `undo` through the command line, without LibreOffice.

Edited workbooks are made here by changing a copy of the built workbook with openpyxl (it
drops cached values, which an import never reads anyway). Every refusal is checked three
ways: exit code 1, the exact Korean message (file, sheet!cell, record), and a store that is
byte-for-byte what it was. tests/test_import_libreoffice.py does the same story with files
edited and saved by real LibreOffice.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from xlgen.build import build
from xlgen.cli import cli
from xlgen.korean import josa
from xlgen.layouts import eval_departments as dep
from xlgen.layouts import meta
from xlgen.layouts._base import col_letter
from xlgen.store import Store, current_os_user

KEY = "2019"
DEPTS = "Ⅲ 부서별현황"
SUMMARY = "Ⅰ 국별현황"
A, B, C, D, E, J = (
    col_letter(c) for c in (dep.PROJECT, dep.INDICATOR, dep.UNIT, dep.TARGET, dep.ACTUAL, dep.KEY)
)
NOTE_COL = col_letter(dep.NOTE)  # I
LIB = "미래교육과 / 도서관 운영 활성화 / 도서관독서실 이용자수"  # I0024: 93 / 124 만명 → 부진
AUDIT = "감사담당관 / 구정 청렴도 향상 / 청렴도 향상 시책 추진"  # I0001: 37 / 26 회
POLICY = "소통기획과 / 구정운영 정책 조정 및 지원 / 정책실명제 관리"  # I0006: 100 / 100 %
HEAD = "오류: 가져오기를 중단했습니다 (문제 {n}건, 아무것도 저장하지 않음):"
PREVIEW = "(미리보기: 저장하지 않았습니다. 적용하려면 --dry-run 없이 실행하세요.)"
WEAK_LIB = "  미래비전추진단: 정상추진 13 → 14, 부진 1 → 0"


# --------------------------------------------------------------------------- fixtures


@dataclass
class Built:
    db: Path  # the store right after `build 2019` (revision 1); copy it, never write to it
    xlsx: Path
    rows: dict[str, int]  # record key → 1-based row on the Ⅲ sheet
    shared: Any  # the built workbook loaded once by openpyxl, for plain cell edits (restored after)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    tmp = tmp_path_factory.mktemp("import-build")
    with Store.open(tmp / "store.sqlite") as store:
        path = build(KEY, store=store, out_dir=tmp / "out").path
    assert not Path(f"{tmp / 'store.sqlite'}-wal").exists()  # closed = checkpointed
    ws = openpyxl.load_workbook(path, read_only=True)[DEPTS]
    rows = {
        r[dep.KEY]: n
        for n, r in enumerate(ws.iter_rows(values_only=True), 1)
        if isinstance(r[dep.KEY], str) and r[dep.KEY].startswith("I")
    }
    assert len(rows) == 244 and rows["I0024"] == 38
    return Built(tmp / "store.sqlite", path, rows, openpyxl.load_workbook(path))


Edit = tuple[str, int | str, Any] | Callable[[Any, Any], None]


@dataclass
class Env:
    built: Built
    tmp: Path
    db: Path

    def row(self, record: str) -> int:
        return self.built.rows[record]

    def ref(self, record: str, column: str = E) -> str:
        return f"{DEPTS}!{column}{self.row(record)}"

    def workbook(self, name: str, *edits: Edit, unprotect: bool = False) -> Path:
        """A copy of the built workbook, saved by openpyxl, with edits: (record key, column
        index, value) on the Ⅲ sheet, (sheet name, "A1", value), or a callable (Ⅲ worksheet,
        workbook) for anything else. ``unprotect``: staff lifted the sheet protection first."""
        out = self.tmp / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if any(callable(edit) for edit in edits):
            wb = openpyxl.load_workbook(self.built.xlsx)
            wb[DEPTS].protection.sheet = not unprotect
            for edit in edits:
                if callable(edit):
                    edit(wb[DEPTS], wb)
                else:
                    self._cell(wb, edit).value = edit[2]
            wb.save(out)
            return out
        # Plain cell edits: change the once-loaded workbook, save, and put everything back
        # (loading the file is most of the cost of an edit).
        wb, undo = self.built.shared, []
        ws = wb[DEPTS]
        try:
            ws.protection.sheet = not unprotect
            for edit in edits:
                c = self._cell(wb, edit)
                undo.append((c, c.value))
                c.value = edit[2]
            wb.save(out)
        finally:
            ws.protection.sheet = True
            for c, value in reversed(undo):
                c.value = value
        return out

    def _cell(self, wb: Any, edit: tuple) -> Any:
        where, what, _ = edit
        if isinstance(what, int):
            return wb[DEPTS].cell(self.row(where), what + 1)
        return wb[where][what]

    def run(self, *args: Any) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], env={"XLGEN_DB": str(self.db)})

    def snapshot(self) -> tuple[bytes, bytes | None, list[str]]:
        """Main file bytes, WAL bytes (None when absent) and a full SQL dump."""
        wal = Path(f"{self.db}-wal")
        main, wal_bytes = self.db.read_bytes(), wal.read_bytes() if wal.exists() else None
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            dump = list(conn.iterdump())
        finally:
            conn.close()
        return main, wal_bytes, dump

    def value(self, record: str, field: str = "actual") -> Any:
        with Store.open(self.db) as store:
            doc = store.load(KEY)
        ind = next(i for _, _, _, i in doc.indicator_rows() if i.key == record)
        return getattr(ind, field)

    def revision(self) -> int:
        with Store.open(self.db) as store:
            return store.revision(KEY)


@pytest.fixture
def env(built, tmp_path) -> Env:
    db = tmp_path / "store.sqlite"
    shutil.copyfile(built.db, db)
    return Env(built, tmp_path, db)


def refused(env: Env, before: tuple, result: Result, *problems: str) -> None:
    """Exit 1, exactly these problems in this order, and not one byte of the store changed."""
    assert result.exit_code == 1, result.output
    expected = "\n".join([HEAD.format(n=len(problems)), *(f"  - {p}" for p in problems)]) + "\n"
    assert result.stderr == expected
    assert result.stdout == ""
    assert env.snapshot() == before


def lines(result: Result) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("record", "typed", "stored", "warned"),
    [
        ("I0024", "1,234", 1234, True),  # thousands separator
        ("I0024", "110", 110, True),  # a number stored as text
        ("I0024", " 110 ", 110, True),
        ("I0006", "85%", 85, True),  # % on a %-unit indicator
        ("I0006", "８５％", 85, True),
        ("I0024", "△231", -231, True),
        ("I0024", "-231", -231, True),
        ("I0024", "１２３", 123, True),  # full-width digits
        ("I0024", "12.50", 12.5, True),
        ("I0024", "-", None, False),  # "-" = no value
        ("I0024", None, None, False),  # blank = no value, not zero
        ("I0024", "   ", None, False),
        ("I0024", 110, 110, False),
        ("I0024", 93.5, 93.5, False),
    ],
)
def test_accepted_values_are_normalised(env, record, typed, stored, warned):
    label = {"I0024": LIB, "I0006": POLICY}[record]
    old = {"I0024": 93, "I0006": 100}[record]
    path = env.workbook("v.xlsx", (record, dep.ACTUAL, typed))
    out = lines(env.run("import", path))
    shown = "(빈칸)" if stored is None else (f"△{-stored:,}" if stored < 0 else f"{stored:,}")
    assert f"  {label}  실적 {old} → {shown}   (v.xlsx {env.ref(record)})" in out
    text = typed.strip() if isinstance(typed, str) else typed
    # issue 13: the particles follow the words (xlgen.korean, tested on its own)
    quoted = f"'{text}'"
    warning = (
        f"주의: v.xlsx: {env.ref(record)} ({label}): 글자로 입력된 "
        f"{josa(quoted, '을/를')} 숫자 {josa(stored, '으로')} 읽었습니다"
    )
    assert (warning in out) is warned, out
    assert [w for w in out if w.startswith("주의:")] == ([warning] if warned else [])
    assert out[-1] == f"저장했습니다: 리비전 2 (변경 1건). 되돌리려면: xlgen undo {KEY}"
    value = env.value(record)
    assert value == stored and type(value) is type(stored)  # None stays None, never 0
    with Store.open(env.db) as store:
        (entry,) = store.history_entries(KEY, 2)
    assert (entry.record_key, entry.field, entry.old, entry.new) == (record, "actual", old, stored)


@pytest.mark.parametrize(
    ("record", "typed", "reason"),
    [
        ("I0024", "abc", "실적 'abc'는 숫자가 아닙니다."),
        ("I0024", "12a", "실적 '12a'는 숫자가 아닙니다."),
        ("I0024", "85%", "실적 '85%': 단위가 '만명'인 지표에 %를 붙일 수 없습니다."),
        (
            "I0024",
            "=1+1",
            "실적 수식(=1+1)은 넣을 수 없습니다. 숫자를 직접 입력하세요.",
        ),  # openpyxl: a formula
        ("I0024", "nan", "실적 'nan'은 숫자가 아닙니다."),
        ("I0024", "1e400", "실적 '1e400'은 숫자가 아닙니다."),
        ("I0024", True, "실적 참/거짓 값은 실적이 될 수 없습니다."),
        ("I0024", 1e16, "실적 너무 큰 숫자입니다."),
    ],
)
def test_refused_values_name_the_cell_and_the_record(env, record, typed, reason):
    path = env.workbook("bad.xlsx", (record, dep.ACTUAL, typed))
    before = env.snapshot()
    refused(env, before, env.run("import", path), f"bad.xlsx: {env.ref(record)} ({LIB}): {reason}")


def test_formula_in_a_note_is_refused(env):
    path = env.workbook("note.xlsx", ("I0024", dep.NOTE, "=A1"))
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"note.xlsx: {env.ref('I0024', NOTE_COL)} ({LIB}): 비고에 수식은 넣을 수 없습니다.",
    )


def test_note_text_is_imported(env):
    path = env.workbook("note.xlsx", ("I0024", dep.NOTE, " 도서관 휴관(3개월) "))
    out = lines(env.run("import", path))
    assert (
        f"  {LIB}  비고 (빈칸) → '도서관 휴관(3개월)'   (note.xlsx {env.ref('I0024', NOTE_COL)})"
        in out
    )
    assert env.value("I0024", "note") == "도서관 휴관(3개월)"
    assert env.value("I0024") == 93


def test_garbage_among_valid_changes_writes_nothing(env):
    path = env.workbook(
        "mixed.xlsx",
        ("I0001", dep.ACTUAL, 38),
        ("I0024", dep.ACTUAL, "110명"),
        ("I0013", dep.ACTUAL, 540),
    )
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"mixed.xlsx: {env.ref('I0024')} ({LIB}): 실적 '110명'은 숫자가 아닙니다.",
    )
    assert env.value("I0001") == 37 and env.value("I0013") == 539


def test_every_problem_is_listed_at_once(env):
    path = env.workbook("two.xlsx", ("I0001", dep.ACTUAL, "x"), ("I0024", dep.ACTUAL, "y"))
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"two.xlsx: {env.ref('I0001')} ({AUDIT}): 실적 'x'는 숫자가 아닙니다.",
        f"two.xlsx: {env.ref('I0024')} ({LIB}): 실적 'y'는 숫자가 아닙니다.",
    )


def test_percent_typed_in_a_spreadsheet_is_not_read_as_a_fraction(env):
    # Typing 85% into a cell in Excel or Calc stores the number 0.85 with a % number format.
    def typed_percent(ws, wb):
        c = ws.cell(env.row("I0006"), dep.ACTUAL + 1)
        c.value, c.number_format = 0.85, "0%"

    path = env.workbook("pct.xlsx", typed_percent)
    before = env.snapshot()
    result = env.run("import", path)
    if result.exit_code == 0:  # read as 85, with a warning naming the cell
        assert env.value("I0006") == 85
        assert f"pct.xlsx: {env.ref('I0006')} ({POLICY})" in result.stdout
    else:  # or refused, naming the cell
        assert result.exit_code == 1 and f"pct.xlsx: {env.ref('I0006')} ({POLICY})" in result.stderr
        assert env.snapshot() == before


# --------------------------------------------------------------------------- protected and hidden cells


@pytest.mark.parametrize(
    ("column", "col", "value", "ko", "was"),
    [
        (D, dep.TARGET, 100, "목표", "124"),
        (D, dep.TARGET, None, "목표", "124"),
        (B, dep.INDICATOR, "도서관 이용자수", "성과지표", "'도서관독서실 이용자수'"),
        (C, dep.UNIT, "명", "단위", "'만명'"),
    ],
)
def test_protected_cell_changed_after_unprotecting_is_refused(env, column, col, value, ko, was):
    path = env.workbook(
        "prot.xlsx", ("I0024", col, value), ("I0024", dep.ACTUAL, 110), unprotect=True
    )
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"prot.xlsx: {env.ref('I0024', column)} ({LIB}): 보호된 칸 '{ko}'가 바뀌었습니다 "
        f"({was} → {'빈칸' if value is None else repr(value)}). 목표·지표명·단위·사업명은 "
        "바꿀 수 없습니다.",
    )


def test_protected_project_name_changed_is_refused(env):
    path = env.workbook(
        "proj.xlsx",
        ("I0024", dep.PROJECT, "엉뚱한 사업"),
        ("I0024", dep.ACTUAL, 110),
        unprotect=True,
    )
    before = env.snapshot()
    result = env.run("import", path)
    assert result.exit_code == 1, result.output
    assert f"proj.xlsx: {env.ref('I0024', A)}" in result.stderr and "주요사업명" in result.stderr
    assert env.snapshot() == before


def test_damaged_key_cell_is_refused(env):
    path = env.workbook(
        "key.xlsx", ("I0024", dep.KEY, "XYZ"), ("I0001", dep.ACTUAL, 38), unprotect=True
    )
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"key.xlsx: {env.ref('I0024', J)} ({LIB}): 숨김 키 'XYZ'가 이 문서에 없습니다 "
        "(숨김 칸이 손상되었거나 다른 통합문서의 행입니다).",
    )


def _copy_row(src: int, dst: int):
    def edit(ws, wb):
        for c in range(1, dep.PRATE_ALL + 2):
            ws.cell(dst, c).value = ws.cell(src, c).value
        ws.cell(dst, dep.ACTUAL + 1).value = 120

    return edit


def test_copied_key_row_is_refused(env):
    path = env.workbook("dup.xlsx", _copy_row(38, 359), unprotect=True)
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"dup.xlsx: {DEPTS}!{J}359 ({LIB}): 숨김 키 I0024가 38행에도 있습니다 (행을 복사하지 마세요).",
    )


@pytest.mark.parametrize("damage", ["damaged", "copied"])
def test_key_problems_name_the_record(env, damage):
    if damage == "damaged":
        path, cell = env.workbook("k.xlsx", ("I0024", dep.KEY, "XYZ")), env.ref("I0024", J)
    else:
        path, cell = env.workbook("k.xlsx", _copy_row(38, 359)), f"{DEPTS}!{J}359"
    result = env.run("import", path)
    assert result.exit_code == 1
    problem = result.stderr.splitlines()[1]
    assert cell in problem and f"({LIB})" in problem, problem


def test_emptied_key_cell_with_an_edit_is_refused(env):
    path = env.workbook(
        "nokey.xlsx", ("I0024", dep.KEY, None), ("I0024", dep.ACTUAL, 110), unprotect=True
    )
    before = env.snapshot()
    result = env.run("import", path)
    assert result.exit_code == 1, result.output
    assert env.ref("I0024", J) in result.stderr
    assert env.snapshot() == before


META_ROW = {"key": 2, "org": 4, "year": 5, "revision": 6}  # _xlgen!A2:B6, checked in test_meta_rows


def _meta_field(name: str, value: Any) -> tuple[str, str, Any]:
    return (meta.SHEET, f"B{META_ROW[name]}", value)


def test_meta_rows(built):
    ws = built.shared[meta.SHEET]
    assert {name: ws[f"A{row}"].value for name, row in META_ROW.items()} == {n: n for n in META_ROW}


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("year", 2018, "영등포구 2018"),
        ("org", "서구", "서구 2019"),
        ("year", "", "영등포구 연도 미상"),
    ],
)
def test_workbook_of_another_year_or_organisation_is_refused(env, field, value, shown):
    path = env.workbook("other.xlsx", _meta_field(field, value), ("I0024", dep.ACTUAL, 110))
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"other.xlsx: 다른 기관·연도의 통합문서입니다 (통합문서: {shown}, 저장소 '2019': 영등포구 2019).",
    )


def test_workbook_of_a_document_not_in_the_store_is_refused(env):
    path = env.workbook("k.xlsx", _meta_field("key", "2018"), ("I0024", dep.ACTUAL, 110))
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        "저장소에 '2018' 문서가 없습니다. 이 통합문서를 만든 저장소(--db)를 지정하세요.",
    )


def test_workbook_from_a_newer_revision_is_refused(env):
    path = env.workbook("r.xlsx", _meta_field("revision", 7), ("I0024", dep.ACTUAL, 110))
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        "r.xlsx: 통합문서의 저장소 리비전(7)이 이 저장소(1)와 맞지 않습니다.",
    )


# --------------------------------------------------------------------------- not a workbook


def _xls(path: Path) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)


def _csv(path: Path) -> None:
    path.write_text(
        "부서,사업,지표,목표,실적\n미래교육과,도서관 운영 활성화,도서관독서실 이용자수,124,110\n",
        encoding="utf-8",
    )


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")


def _plain_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "실적"
    wb.save(path)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            _xls,
            "{name}: 엑셀 97-2003 형식(.xls)은 가져올 수 없습니다. 엑셀에서 'Excel 통합 문서(*.xlsx)'로 저장해 주세요.",
        ),
        (
            _csv,
            "{name}: 엑셀 통합문서(.xlsx)가 아닙니다 (CSV나 다른 파일의 이름만 바꾼 것으로 보입니다).",
        ),
        (
            _empty,
            "{name}: 엑셀 통합문서(.xlsx)가 아닙니다 (CSV나 다른 파일의 이름만 바꾼 것으로 보입니다).",
        ),
        (_zip, "{name}: zip 파일이지만 엑셀 통합문서가 아닙니다."),
        (_plain_xlsx, "{name}: xlgen이 만든 통합문서가 아닙니다 (숨김 시트 '_xlgen'가 없습니다)."),
        (None, "{path}: 파일이 없습니다."),
    ],
    ids=["xls", "csv", "empty", "zip", "foreign-xlsx", "missing"],
)
def test_what_is_not_a_built_workbook_is_refused(env, make, message):
    path = env.tmp / "실적.xlsx"
    if make is not None:
        make(path)
    before = env.snapshot()
    refused(env, before, env.run("import", path), message.format(name=path.name, path=path))


def test_a_bad_file_among_good_ones_stops_everything(env):
    good = env.workbook("good.xlsx", ("I0024", dep.ACTUAL, 110))
    bad = env.tmp / "bad.xlsx"
    _csv(bad)
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", good, bad),
        "bad.xlsx: 엑셀 통합문서(.xlsx)가 아닙니다 (CSV나 다른 파일의 이름만 바꾼 것으로 보입니다).",
    )


# --------------------------------------------------------------------------- mapping by key


def _swap_rows(a: int, b: int):
    def edit(ws, wb):
        for c in range(1, dep.PRATE_ALL + 2):
            x, y = ws.cell(a, c).value, ws.cell(b, c).value
            ws.cell(a, c).value, ws.cell(b, c).value = y, x

    return edit


def test_rows_are_mapped_by_key_not_position(env):
    r1, r4, r24, r5 = env.row("I0001"), env.row("I0004"), env.row("I0024"), env.row("I0005")

    def staff(ws, wb):
        ws.row_dimensions[r24].hidden = True  # a hidden (filtered) row still counts
        ws.cell(r5 + 1, 1).value = "추가 사업"  # a row staff added, in the blank separator row
        ws.cell(r5 + 1, dep.ACTUAL + 1).value = 5
        ws.cell(env.row("I0013"), dep.PRATE_ALL + 2).value = "메모"  # an extra column P

    path = env.workbook(
        "map.xlsx",
        _swap_rows(r1, r4),  # re-sorted: I0001 now sits on row 9, I0004 on row 6
        ("I0004", dep.ACTUAL, 40),  # row 9 now holds I0001
        ("I0024", dep.ACTUAL, 111),
        staff,
    )
    out = lines(env.run("import", "--dry-run", path))
    assert out == [
        "문서 '2019' (저장소 리비전 1), 파일 1개",
        "바뀌는 값 2건:",
        f"  {AUDIT}  실적 37 → 40   (map.xlsx {DEPTS}!E{r4})",
        f"  {LIB}  실적 93 → 111   (map.xlsx {DEPTS}!E{r24})",
        "국별 정상추진/부진의 변화:",
        WEAK_LIB,
        f"주의: map.xlsx: {DEPTS} {r5 + 1}행은 추가된 행으로 보고 무시했습니다 (추가 사업).",
        "주의: map.xlsx: 추가된 열(P)은 무시했습니다.",
        PREVIEW,
    ]
    lines(env.run("import", path))
    assert (env.value("I0001"), env.value("I0004"), env.value("I0024")) == (40, 904, 111)


def test_row_inserted_by_staff_shifts_nothing(env):
    def insert(ws, wb):
        ws.insert_rows(8)
        ws.cell(8, 1).value = "새 사업"
        ws.cell(8, dep.ACTUAL + 1).value = 3
        ws.cell(env.row("I0024") + 1, dep.ACTUAL + 1).value = 112

    path = env.workbook("ins.xlsx", insert)
    out = lines(env.run("import", path))
    assert f"  {LIB}  실적 93 → 112   (ins.xlsx {DEPTS}!E39)" in out
    assert f"주의: ins.xlsx: {DEPTS} 8행은 추가된 행으로 보고 무시했습니다 (새 사업)." in out
    assert env.value("I0024") == 112 and env.value("I0002") == 15


def test_deleted_row_is_a_warning_and_the_rest_imports(env):
    def delete(ws, wb):
        for c in range(1, dep.PRATE_ALL + 2):
            ws.cell(env.row("I0025"), c).value = None

    path = env.workbook("del.xlsx", delete, ("I0024", dep.ACTUAL, 110), unprotect=True)
    out = lines(env.run("import", path))
    assert (
        "주의: del.xlsx: 미래교육과 / 혁신교육지구사업 운영 / 혁신교육지구사업 참여자수 행이 없어 그 실적은 가져오지 않았습니다."
        in out
    )
    assert env.value("I0025") == 65283 and env.value("I0024") == 110


def test_inserted_column_is_named_in_the_warning(env):
    def insert(ws, wb):
        ws.insert_cols(dep.RATE + 1)  # a new column F between 실적 and 달성률
        ws.cell(5, dep.RATE + 1).value = "메모열"
        ws.cell(env.row("I0001"), dep.RATE + 1).value = "텍스트"
        ws.cell(env.row("I0001"), dep.ACTUAL + 1).value = 41

    path = env.workbook("col.xlsx", insert)
    out = lines(env.run("import", path))
    assert f"  {AUDIT}  실적 37 → 41   (col.xlsx {DEPTS}!E6)" in out  # mapping itself works
    assert "주의: col.xlsx: 추가된 열(F)은 무시했습니다." in out


# --------------------------------------------------------------------------- dry run, json, re-import, build


def test_dry_run_writes_nothing_and_json_has_the_same_changes(env):
    path = env.workbook("dry.xlsx", ("I0024", dep.ACTUAL, 110), ("I0001", dep.ACTUAL, 38))
    before = env.snapshot()
    out = lines(env.run("import", "--dry-run", path))
    assert out == [
        "문서 '2019' (저장소 리비전 1), 파일 1개",
        "바뀌는 값 2건:",
        f"  {AUDIT}  실적 37 → 38   (dry.xlsx {env.ref('I0001')})",
        f"  {LIB}  실적 93 → 110   (dry.xlsx {env.ref('I0024')})",
        "국별 정상추진/부진의 변화:",
        WEAK_LIB,
        PREVIEW,
    ]
    assert env.snapshot() == before
    result = env.run("import", "--dry-run", "--format", "json", path)
    assert result.exit_code == 0
    obj = json.loads(result.stdout)
    assert obj["dry_run"] is True and obj["applied_revision"] is None and obj["revision"] == 1
    assert [
        (c["record_key"], c["field"], c["old"], c["new"], c["cell"]) for c in obj["changes"]
    ] == [
        ("I0001", "actual", 37, 38, env.ref("I0001")),
        ("I0024", "actual", 93, 110, env.ref("I0024")),
    ]
    assert obj["files"] == [
        {
            "file": "dry.xlsx",
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "built_revision": 1,
        }
    ]
    moved = [
        c
        for c in obj["counts"]
        if (c["normal_before"], c["weak_before"]) != (c["normal_after"], c["weak_after"])
    ]
    assert moved == [
        {
            "bureau": "미래비전추진단",
            "normal_before": 13,
            "weak_before": 1,
            "normal_after": 14,
            "weak_after": 0,
        }
    ]
    assert env.snapshot() == before


def test_import_then_reimport_is_no_change_and_build_shows_the_new_actuals(env):
    path = env.workbook("once.xlsx", ("I0024", dep.ACTUAL, 110))
    out = lines(env.run("import", path))
    assert out[-1] == f"저장했습니다: 리비전 2 (변경 1건). 되돌리려면: xlgen undo {KEY}"
    with Store.open(env.db) as store:
        (entry,) = store.history_entries(KEY, 2)
        (rev, *_) = store.history(KEY)
    assert (entry.file_name, entry.file_hash, entry.os_user) == (
        "once.xlsx",
        hashlib.sha256(path.read_bytes()).hexdigest(),
        current_os_user(),
    )
    assert (rev.revision, rev.action, rev.file_name, rev.changes) == (2, "import", "once.xlsx", 1)
    before = env.snapshot()
    assert lines(env.run("import", path)) == [
        "문서 '2019' (저장소 리비전 2), 파일 1개",
        "변경 없음",
    ]
    assert env.snapshot() == before
    result = env.run("build", KEY, "--out", env.tmp / "out")
    assert result.exit_code == 0, result.output
    rebuilt = openpyxl.load_workbook(result.stdout.strip().splitlines()[-1], data_only=True)
    assert rebuilt[DEPTS][env.ref("I0024").split("!")[1]].value == 110
    assert [rebuilt[SUMMARY][f"{c}5"].value for c in "BCD"] == [154, 152, 2]
    assert rebuilt[meta.SHEET]["B6"].value == 2  # revision the new workbook was built at


# --------------------------------------------------------------------------- conflicts


def test_value_changed_in_the_store_since_the_build_is_a_conflict(env):
    a = env.workbook("A.xlsx", ("I0024", dep.ACTUAL, 120), ("I0001", dep.ACTUAL, 38))
    b = env.workbook("B.xlsx", ("I0024", dep.ACTUAL, 100))
    lines(env.run("import", b))
    assert env.revision() == 2
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", a),
        f"A.xlsx: {env.ref('I0024')} ({LIB}): 통합문서를 만든 뒤(리비전 1) 저장소의 실적이 100으로 "
        "바뀌었는데 이 파일은 120입니다. 최신 통합문서로 다시 입력하거나 --force로 덮어쓰세요.",
    )
    out = lines(env.run("import", "--force", a))
    assert f"  {LIB}  실적 100 → 120   (A.xlsx {env.ref('I0024')})" in out
    assert (env.value("I0024"), env.value("I0001"), env.revision()) == (120, 38, 3)
    with Store.open(env.db) as store:
        entries = {e.record_key: (e.old, e.new) for e in store.history_entries(KEY, 3)}
    assert entries == {"I0024": (100, 120), "I0001": (37, 38)}


def test_untouched_cells_of_an_old_workbook_do_not_overwrite_newer_values(env):
    a = env.workbook("A.xlsx", ("I0001", dep.ACTUAL, 38))
    b = env.workbook("B.xlsx", ("I0024", dep.ACTUAL, 100))
    lines(env.run("import", b))
    out = lines(env.run("import", a))
    assert "바뀌는 값 1건:" in out
    assert (env.value("I0024"), env.value("I0001")) == (100, 38)


def test_same_value_already_in_the_store_is_no_conflict(env):
    b = env.workbook("B.xlsx", ("I0024", dep.ACTUAL, 100))
    a = env.workbook("A.xlsx", ("I0024", dep.ACTUAL, 100))
    lines(env.run("import", b))
    assert lines(env.run("import", a)) == ["문서 '2019' (저장소 리비전 2), 파일 1개", "변경 없음"]


# --------------------------------------------------------------------------- several files


def test_department_workbooks_are_one_revision(env):
    d1 = env.workbook("d1.xlsx", ("I0001", dep.ACTUAL, 38))
    d2 = env.workbook("d2.xlsx", ("I0024", dep.ACTUAL, 110), ("I0024", dep.NOTE, "재개관"))
    out = lines(env.run("import", d1, d2))
    assert out[0] == "문서 '2019' (저장소 리비전 1), 파일 2개"
    assert out[-1] == f"저장했습니다: 리비전 2 (변경 3건). 되돌리려면: xlgen undo {KEY}"
    with Store.open(env.db) as store:
        history = store.history(KEY)
        entries = [
            (e.record_key, e.field, e.file_name, e.file_hash) for e in store.history_entries(KEY, 2)
        ]
    assert [h.revision for h in history] == [2, 1]
    assert history[0].file_name == "d1.xlsx, d2.xlsx"
    h1, h2 = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (d1, d2))
    assert entries == [
        ("I0001", "actual", "d1.xlsx", h1),
        ("I0024", "actual", "d2.xlsx", h2),
        ("I0024", "note", "d2.xlsx", h2),
    ]


def test_an_error_in_the_second_workbook_writes_nothing_from_the_first(env):
    d1 = env.workbook("d1.xlsx", ("I0001", dep.ACTUAL, 38))
    d2 = env.workbook("d2.xlsx", ("I0024", dep.ACTUAL, "abc"))
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", d1, d2),
        f"d2.xlsx: {env.ref('I0024')} ({LIB}): 실적 'abc'는 숫자가 아닙니다.",
    )
    assert env.value("I0001") == 37


def test_two_workbooks_disagreeing_on_a_value_are_refused(env):
    d1 = env.workbook("d1.xlsx", ("I0024", dep.ACTUAL, 110))
    d2 = env.workbook("d2.xlsx", ("I0024", dep.ACTUAL, 120))
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", d1, d2),
        f"d2.xlsx: {env.ref('I0024')} ({LIB}): 다른 파일(d1.xlsx {env.ref('I0024')})과 값이 다릅니다 (110 / 120).",
    )


def test_same_named_workbooks_from_two_folders_keep_their_own_hash(env):
    name = env.built.xlsx.name  # every department gets the file under its built name
    d1 = env.workbook(f"dept1/{name}", ("I0001", dep.ACTUAL, 38))
    d2 = env.workbook(f"dept2/{name}", ("I0024", dep.ACTUAL, 110))
    lines(env.run("import", d1, d2))
    with Store.open(env.db) as store:
        hashes = {e.record_key: e.file_hash for e in store.history_entries(KEY, 2)}
    assert hashes == {
        "I0001": hashlib.sha256(d1.read_bytes()).hexdigest(),
        "I0024": hashlib.sha256(d2.read_bytes()).hexdigest(),
    }


# --------------------------------------------------------------------------- history and undo


def test_history_lists_revisions_and_undo_restores_exactly(env):
    result = env.run("history", KEY)
    assert result.exit_code == 0
    user = re.escape(current_os_user())
    # issue 13: local times ("2026-12-02 03:46"), the zone stated once in the first line
    at = r"\d{4}-\d\d-\d\d \d\d:\d\d"
    assert re.fullmatch(
        rf"'2019' 이력 \(현재 리비전 1, 시각은 [^()]+\(UTC[^)]*\)\)\n"
        rf"  리비전   1  문서 읽기  {at}  {user}  \S+\.txt  변경 0건\n",
        result.stdout,
    ), result.stdout
    path = env.workbook("h.xlsx", ("I0024", dep.ACTUAL, 110), ("I0014", dep.ACTUAL, 25.1))
    lines(env.run("import", path))
    result = env.run("undo", KEY)
    assert result.exit_code == 0
    assert result.stdout == "되돌렸습니다: 리비전 2의 가져오기 2건 → 새 리비전 3\n"
    for record, value in (("I0024", 93), ("I0014", 24.6)):
        got = env.value(record)
        assert got == value and type(got) is type(value)
    result = env.run("history", "-v", KEY)
    out = result.stdout.splitlines()
    assert out[0].startswith("'2019' 이력 (현재 리비전 3, 시각은 ")
    assert re.fullmatch(
        rf"  리비전   3  되돌리기 \(리비전 2 취소\)  {at}  {user}  h\.xlsx  변경 2건", out[1]
    ), out[1]
    assert out[2:4] == [
        "        미래교육과 / 도서관 운영 활성화 / 도서관독서실 이용자수 실적 110 → 93",
        "        사회적경제과 / 공공구매 활성화 / 사회적경제기업 제품구매 목표 달성도 실적 25.1 → 24.6",
    ]
    assert re.fullmatch(rf"  리비전   2  가져오기  {at}  {user}  h\.xlsx  변경 2건", out[4]), out[4]
    assert out[7].startswith("  리비전   1  문서 읽기")
    before = env.snapshot()
    result = env.run("undo", KEY)
    assert result.exit_code == 1
    assert result.stderr == "오류: '2019' 문서에는 되돌릴 가져오기가 없습니다.\n"
    assert env.snapshot() == before


def test_undo_with_nothing_to_undo(env):
    before = env.snapshot()
    result = env.run("undo", KEY)
    assert result.exit_code == 1
    assert result.stderr == "오류: '2019' 문서에는 되돌릴 가져오기가 없습니다.\n"
    assert env.snapshot() == before
    result = env.run("history", "1999")
    assert result.exit_code == 1
    assert result.stderr == "오류: 저장소에 '1999' 문서가 없습니다. 먼저 문서를 읽어 저장하세요.\n"


# --------------------------------------------------------------------------- crash safety

CHILD = r"""
import sys
from pathlib import Path
from xlgen.importer import apply_import, preview_import
from xlgen.store import Store

store = Store.open(sys.argv[1])
preview = preview_import(store, [Path(sys.argv[2])])
assert len(preview.changes) == 244, len(preview.changes)
print("ready", flush=True)
while True:  # import, undo, import, ... until killed
    preview.revision = store.revision(preview.key)
    apply_import(store, preview, os_user="crash")
    store.undo_last(preview.key, os_user="crash")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_import_leaves_a_whole_revision(env):
    def every_actual_plus_one(ws, wb):
        for row in env.built.rows.values():
            c = ws.cell(row, dep.ACTUAL + 1)
            c.value = (c.value or 0) + 1

    path = env.workbook("many.xlsx", every_actual_plus_one)
    with Store.open(env.db) as store:
        original = {i.key: i.actual for _, _, _, i in store.load(KEY).indicator_rows()}
    rng = random.Random(2019)
    deadline = time.monotonic() + 15
    kills = 0
    while kills < 6 and time.monotonic() < deadline:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(env.db), str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
            time.sleep(rng.uniform(0.002, 0.06))
            assert proc.poll() is None, proc.stderr.read()
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(10)
            proc.stdout.close()
            proc.stderr.close()
        kills += 1
        conn = sqlite3.connect(env.db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            revs = conn.execute(
                "SELECT revision, action, (SELECT count(*) FROM history h WHERE "
                "h.doc_key = r.doc_key AND h.revision = r.revision) FROM revisions r "
                "WHERE doc_key = ? ORDER BY revision",
                (KEY,),
            ).fetchall()
            (doc_rev,) = conn.execute(
                "SELECT revision FROM documents WHERE key = ?", (KEY,)
            ).fetchone()
        finally:
            conn.close()
        assert [r for r, _, _ in revs] == list(range(1, len(revs) + 1)) and doc_rev == revs[-1][0]
        assert all(n == 244 for _, action, n in revs[1:]), revs  # never a partial revision
        with Store.open(env.db) as store:
            now = {i.key: i.actual for _, _, _, i in store.load(KEY).indicator_rows()}
            if revs[-1][1] == "import":  # killed between import and undo: all new values
                assert now == {k: (v or 0) + 1 for k, v in original.items()}
                store.undo_last(KEY, os_user="test")  # the store still takes writes
            else:  # all old values
                assert now == original
    assert kills >= 4
    assert env.revision() > 5  # the kills really landed while imports were being written
