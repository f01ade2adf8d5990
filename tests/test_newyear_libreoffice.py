"""Next year's form through a real spreadsheet client: `xlgen new 2020 --from 2019`, the
목표 설정 workbook edited in LibreOffice Calc (UNO), its targets imported exactly, the
rebuilt form recalculated by LibreOffice agreeing with Python's cached values, and after
`xlgen targets --fix` an evaluation workbook whose 목표 is protected again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from xlgen.cli import cli
from xlgen.layouts import eval_departments as dep
from xlgen.layouts._base import col_letter
from xlgen.store import Store

from support import libreoffice as lo

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        lo.find_soffice() is None, reason="LibreOffice(soffice)가 설치되어 있지 않습니다"
    ),
]
DEPTS, SUMMARY = "Ⅲ 부서별현황", "Ⅰ 국별현황"
COLS = dep.ColumnMap.of(reference=True)
T, A, RATE = (col_letter(c) for c in (COLS.target, COLS.actual, COLS.rate))

# record → (target typed in Calc, actual typed in Calc or None)
TYPED: dict[str, tuple[Any, Any]] = {
    "I0001": (30, 33),  # 청렴도 향상 시책 추진 (회): 33/30 → 110
    "I0002": (12, None),
    "I0014": (27.5, None),  # 사회적경제기업 제품구매 목표 달성도 (%): a decimal target
    "I0024": (130, 104),  # 도서관독서실 이용자수 (만명): 104/130 → 80, 부진
}


def run(db: Path, *args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env={"XLGEN_DB": str(db)})


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def rows_of(xlsx: Path, key_col: int) -> dict[str, int]:
    ws = openpyxl.load_workbook(xlsx, read_only=True)[DEPTS]
    return {
        r[key_col]: n
        for n, r in enumerate(ws.iter_rows(values_only=True), 1)
        if len(r) > key_col and isinstance(r[key_col], str) and r[key_col].startswith("I")
    }


def test_targets_typed_in_calc_round_trip_and_are_protected_after_fixing(tmp_path):
    db = tmp_path / "store.sqlite"
    ok(run(db, "load", "2019"))
    ok(run(db, "new", "2020", "--from", "2019"))
    form = Path(ok(run(db, "build", "2020", "--out", tmp_path / "out")).stdout.strip())
    assert form.name == "2020년 성과관리 주요사업 목표 설정.xlsx"
    rows = rows_of(form, COLS.key)
    assert len(rows) == 244

    edits = [(DEPTS, f"{T}{rows[k]}", t) for k, (t, _) in TYPED.items()]
    edits += [(DEPTS, f"{A}{rows[k]}", a) for k, (_, a) in TYPED.items() if a is not None]
    staff = lo.uno_edit(form, tmp_path / "staff" / "목표 입력.xlsx", edits)

    out = ok(run(db, "import", "--dry-run", staff)).stdout.splitlines()
    assert out[:2] == ["문서 '2020' (저장소 리비전 1), 파일 1개", "바뀌는 값 6건:"]
    assert (
        f"  감사담당관 / 구정 청렴도 향상 / 청렴도 향상 시책 추진  목표 (빈칸) → 30   "
        f"(목표 입력.xlsx {DEPTS}!{T}{rows['I0001']})"
    ) in out
    ok(run(db, "import", staff))
    with Store.open(db) as s:
        values = {i.key: i for _, _, _, i in s.load("2020").indicator_rows()}
        entries = s.history_entries("2020")
    for key, (target, actual) in TYPED.items():
        assert values[key].target == target and type(values[key].target) is type(target)
        assert values[key].actual == actual
    assert sorted((e.record_key, e.field) for e in entries) == sorted(
        [(k, "target") for k in TYPED] + [(k, "actual") for k, (_, a) in TYPED.items() if a]
    )
    untouched = [i for k, i in values.items() if k not in TYPED]
    assert all(i.target is None and i.actual is None for i in untouched)
    # the same file again: nothing to do
    assert ok(run(db, "import", staff)).stdout.splitlines()[1] == "변경 없음"

    # The rebuilt form, recalculated by LibreOffice, agrees with Python's cached values.
    rebuilt = Path(ok(run(db, "build", "2020", "--out", tmp_path / "out2")).stdout.strip())
    recalculated = lo.recalculate(rebuilt, tmp_path / "recalc")
    count, mismatches = lo.formula_mismatches(rebuilt, recalculated)
    assert count > 800 and mismatches == []
    values = lo.read_values(recalculated)
    assert values[DEPTS][f"{RATE}{rows['I0001']}"] == 110
    assert values[DEPTS][f"{RATE}{rows['I0024']}"] == 80

    # Fix (blank targets allowed here: the test typed four) and rebuild: 목표 protected.
    ok(run(db, "targets", "2020", "--fix", "--allow-blank"))
    final = Path(ok(run(db, "build", "2020", "--out", tmp_path / "out3")).stdout.strip())
    assert final.name == "2020년 성과관리 주요사업 평가 현황.xlsx"
    eval_rows = rows_of(final, dep.KEY)
    ws = openpyxl.load_workbook(final)[DEPTS]
    for key, (target, _) in TYPED.items():
        c = ws.cell(eval_rows[key], dep.TARGET + 1)
        assert c.value == target and c.protection.locked is True
        assert ws.cell(eval_rows[key], dep.ACTUAL + 1).protection.locked is False
    recalculated = lo.recalculate(final, tmp_path / "recalc3")
    count, mismatches = lo.formula_mismatches(final, recalculated)
    assert count > 800 and mismatches == []
    summary = lo.read_values(recalculated)[SUMMARY]
    # two projects have a rate: 청렴도 (110, 정상추진) and 도서관 (80, 부진)
    assert [summary[f"{c}5"] for c in "BCD"] == [154, 1, 1]

    # The staff's 목표 설정 file once more, after the fix: its targets are what was fixed,
    # so nothing changes; a target typed differently in Calc is refused.
    assert ok(run(db, "import", staff)).stdout.splitlines()[1] == "변경 없음"
    late = lo.uno_edit(
        staff, tmp_path / "staff" / "늦은 입력.xlsx", [(DEPTS, f"{T}{rows['I0002']}", 13)]
    )
    r = run(db, "import", late)
    assert r.exit_code == 1
    assert "목표가 이 통합문서를 만든 뒤 12로 확정되어 바꿀 수 없습니다 (이 파일: 13)" in r.stderr
