"""The hidden sheet's fields and long values in messages (issue 12): a revision of NaN or
1e400 and a threshold of 팔십 are refused naming the cell; a 5,000-character 비고 is shown
shortened in the dry run and the history, and kept whole in the store."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from xlgen.build import build
from xlgen.cli import cli
from xlgen.display import shorten
from xlgen.errors import InputError
from xlgen.layouts import eval_departments as dep
from xlgen.layouts import meta
from xlgen.store import Store
from xlgen.xlsx import XlsxReader

KEY = "2019"
HEAD = "오류: 가져오기를 중단했습니다 (문제 1건, 아무것도 저장하지 않음):\n  - "


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("meta")
    with Store.open(tmp / "store.sqlite") as store:
        xlsx = build(KEY, store=store, out_dir=tmp / "out").path
    return tmp / "store.sqlite", xlsx


@pytest.fixture
def db(built, tmp_path) -> Path:
    path = tmp_path / "store.sqlite"
    shutil.copyfile(built[0], path)
    return path


def edited(built, tmp_path: Path, name: str, field: str | None, value: Any, **cells: Any) -> Path:
    """The built workbook with the `_xlgen` field `field` set to `value`, and 실적/비고 cells
    (record key → (column, value)) changed; returns the path and the field's cell."""
    wb = openpyxl.load_workbook(built[1])
    ws = wb[meta.SHEET]
    if field is not None:
        row = next(r for r in range(1, 40) if ws.cell(r, 1).value == field)
        ws.cell(row, 2).value = value
    dept = wb["Ⅲ 부서별현황"]
    for record, (col, new) in cells.items():
        r = next(r for r in range(1, dept.max_row + 1) if dept.cell(r, dep.KEY + 1).value == record)
        dept.cell(r, col + 1).value = new
    out = tmp_path / name
    wb.save(out)
    return out


def run(db: Path, *args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"XLGEN_DB": str(db)})


def with_cell(src: Path, out: Path, ref: str, xml: str) -> Path:
    """`src` with the `_xlgen` sheet's cell `ref` replaced by `xml` in the package itself (as
    Excel would store a number openpyxl cannot write: NaN, 1e400)."""
    with XlsxReader(src) as reader:
        part = reader._sheets[meta.SHEET]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data, n = re.subn(
                    rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)'.encode(), xml.encode(), data
                )
                assert n == 1
            zout.writestr(info, data)
    return out


@pytest.mark.parametrize(
    ("xml", "shown"),
    [
        ('<c r="B6"><v>NaN</v></c>', "nan"),
        ('<c r="B6"><v>1e400</v></c>', "inf"),
        ('<c r="B6"><v>2.5</v></c>', "2.5"),
        ('<c r="B6" t="inlineStr"><is><t>일</t></is></c>', "'일'"),
        ('<c r="B6" t="b"><v>1</v></c>', "True"),
    ],
    ids=["nan", "1e400", "fraction", "text", "boolean"],
)
def test_a_revision_that_is_not_a_whole_number_is_refused(built, db, tmp_path, xml, shown):
    path = with_cell(built[1], tmp_path / "rev.xlsx", "B6", xml)
    before = db.read_bytes()
    result = run(db, "import", path)
    assert result.exit_code == 1, result.output
    assert result.stderr == HEAD + (
        f"rev.xlsx: _xlgen!B6 (revision): 정수가 아닙니다 ({shown}). "
        "xlgen이 만든 숨김 시트가 바뀌었습니다. 통합문서를 다시 만들어(xlgen build) 주세요.\n"
    )
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("xml", "shown"),
    [
        ('<c r="B11" t="inlineStr"><is><t>팔십</t></is></c>', "'팔십'"),
        ('<c r="B11"><v>NaN</v></c>', "nan"),
        ('<c r="B11"><v>-1e400</v></c>', "-inf"),
        ('<c r="B11"><v>1001</v></c>', "1001"),
    ],
    ids=["words", "nan", "-1e400", "out-of-range"],
)
def test_a_threshold_that_is_not_a_number_is_refused(built, db, tmp_path, xml, shown):
    path = with_cell(built[1], tmp_path / "th.xlsx", "B11", xml)
    before = db.read_bytes()
    result = run(db, "import", path)
    assert result.exit_code == 1
    assert result.stderr == HEAD + (
        f"th.xlsx: _xlgen!B11 (threshold): 0에서 1000 사이의 숫자가 아닙니다 ({shown}). "
        "숫자로 고친 뒤 다시 가져와 주세요.\n"
    )
    assert db.read_bytes() == before


def test_field_helpers_accept_what_xlgen_writes() -> None:
    fields, _ = meta.read([["format", meta.FORMAT], ["revision", 3], ["threshold", 80.5], []])
    assert meta.int_field(fields, "revision", "x.xlsx") == 3
    assert meta.number_field(fields, "threshold", "x.xlsx", low=0, high=1000) == 80.5
    assert meta.int_field(fields, "missing", "x.xlsx") is None
    fields["revision"] = 4.0
    assert meta.int_field(fields, "revision", "x.xlsx") == 4
    fields["revision"] = True
    with pytest.raises(
        InputError, match=r"x.xlsx: _xlgen!B2 \(revision\): 정수가 아닙니다 \(True\)"
    ):
        meta.int_field(fields, "revision", "x.xlsx")


def test_shorten_keeps_short_values_and_cuts_long_text() -> None:
    assert shorten("가나다") == "'가나다'"
    assert shorten(12.5) == "12.5"
    assert shorten("가" * 40_000) == "'" + "가" * 40 + "…' (40,000자)"


def test_a_long_note_is_shortened_in_dry_run_and_history_and_stored_whole(built, db, tmp_path):
    note = "가나다라" * 1250  # 5,000 characters
    path = edited(built, tmp_path, "note.xlsx", None, None, I0024=(dep.NOTE, note))
    dry = run(db, "import", "--dry-run", path)
    assert dry.exit_code == 0, dry.output
    shown = "'" + ("가나다라" * 10) + "…' (5,000자)"
    assert f"비고 (빈칸) → {shown}" in dry.stdout
    assert note not in dry.stdout
    assert run(db, "import", path).exit_code == 0
    history = run(db, "history", KEY, "-v")
    assert history.exit_code == 0
    assert shown in history.stdout and note not in history.stdout
    with Store.open(db) as store:
        doc = store.load(KEY)
    assert next(i for *_, i in doc.indicator_rows() if i.key == "I0024").note == note
