"""`xlgen import` of workbooks edited and saved by a real spreadsheet client (headless
LibreOffice through UNO, not openpyxl): the acceptance story of the import issue.

build 2019 → staff change ten 실적 in Calc (도서관독서실 이용자수 93 → 110 among them) →
`import --dry-run` shows exactly those ten and 미래비전추진단 부진 1 → 0, writing nothing →
the import records ten history rows → importing again changes nothing → the rebuilt
workbook, recalculated by LibreOffice, shows 154 / 152 / 2 → `undo` restores the exact
previous values and is itself recorded.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from xlgen.build import build
from xlgen.cli import cli
from xlgen.layouts import eval_departments as dep
from xlgen.layouts._base import col_letter
from xlgen.store import Store, current_os_user

from support import libreoffice as lo

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        lo.find_soffice() is None, reason="LibreOffice(soffice)가 설치되어 있지 않습니다"
    ),
]
KEY = "2019"
DEPTS, SUMMARY = "Ⅲ 부서별현황", "Ⅰ 국별현황"
E, F, NOTE_COL = col_letter(dep.ACTUAL), col_letter(dep.RATE), col_letter(dep.NOTE)

# record → (label, value before, value staff type in Calc)
TEN = {
    "I0001": ("감사담당관 / 구정 청렴도 향상 / 청렴도 향상 시책 추진", 37, 38),
    "I0004": ("감사담당관 / 계약심사의 효율성 강화 / 계약심사 절감액", 904, 910),
    "I0013": ("사회적경제과 / 사회적경제 활성화 / 사회적경제 종합 지원", 539, 540),
    "I0014": ("사회적경제과 / 공공구매 활성화 / 사회적경제기업 제품구매 목표 달성도", 24.6, 25.1),
    "I0020": ("미래교육과 / 우수교육 자치구 조성 / 자기주도 학습지원센터 운영", 30873, 31000),
    "I0024": ("미래교육과 / 도서관 운영 활성화 / 도서관독서실 이용자수", 93, 110),
    "I0041": (
        "홍보전산과 / 정보통신 인프라구축 및 보안강화 / 정보통신시스템 정상가동 목표달성도",
        100.0,
        99.9,
    ),
    "I0119": (
        "아동청소년복지과 / 외국인주민 정착 지원 / 외국인주민 교육프로그램 수료 목표 달성도",
        61.3,
        62.5,
    ),
    "I0151": ("푸른도시과 / 자연생태 수준향상 / 수변 생태순환길 조성", 8.9, 9.2),
    "I0212": ("주차문화과 / 주차시설 확충 및 관리 / 지속적인 주차공간 조성", 254.0, 250),
}


def _show(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


class Setup:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.db = tmp / "store.sqlite"
        with Store.open(self.db) as store:
            self.xlsx = build(KEY, store=store, out_dir=tmp / "out").path
        ws = openpyxl.load_workbook(self.xlsx, read_only=True)[DEPTS]
        self.rows = {
            r[dep.KEY]: n
            for n, r in enumerate(ws.iter_rows(values_only=True), 1)
            if isinstance(r[dep.KEY], str) and r[dep.KEY].startswith("I")
        }
        self.pristine = tmp / "pristine.sqlite"
        shutil.copyfile(self.db, self.pristine)

    def reset(self) -> None:
        shutil.copyfile(self.pristine, self.db)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)

    def ref(self, record: str, column: str = E) -> str:
        return f"{DEPTS}!{column}{self.rows[record]}"

    def run(self, *args: object) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], env={"XLGEN_DB": str(self.db)})

    def actuals(self) -> dict[str, object]:
        with Store.open(self.db) as store:
            return {i.key: i.actual for _, _, _, i in store.load(KEY).indicator_rows()}

    def bytes(self) -> tuple[bytes, bytes | None]:
        wal = Path(f"{self.db}-wal")
        return self.db.read_bytes(), wal.read_bytes() if wal.exists() else None


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> Setup:
    return Setup(tmp_path_factory.mktemp("lo-import"))


@pytest.fixture(scope="module")
def edited(setup) -> Path:
    """The built workbook with the ten 실적 typed in LibreOffice Calc and saved as xlsx."""
    edits = [(DEPTS, f"{E}{setup.rows[k]}", new) for k, (_, _, new) in TEN.items()]
    return lo.uno_edit(setup.xlsx, setup.tmp / "staff" / "미래교육과 입력.xlsx", edits)


def test_ten_calc_edits_import_rebuild_and_undo(setup, edited, tmp_path):
    setup.reset()
    name = edited.name
    before = setup.bytes()
    original = setup.actuals()
    assert {k: original[k] for k in TEN} == {k: old for k, (_, old, _) in TEN.items()}

    # --dry-run: exactly the ten changes and the one bureau whose counts move; nothing written.
    result = setup.run("import", "--dry-run", edited)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "문서 '2019' (저장소 리비전 1), 파일 1개",
        "바뀌는 값 10건:",
        *(
            f"  {label}  실적 {_show(old)} → {_show(new)}   ({name} {setup.ref(k)})"
            for k, (label, old, new) in TEN.items()
        ),
        "국별 정상추진/부진의 변화:",
        "  미래비전추진단: 정상추진 13 → 14, 부진 1 → 0",
        "(미리보기: 저장하지 않았습니다. 적용하려면 --dry-run 없이 실행하세요.)",
    ]
    assert setup.bytes() == before

    # --format json: the same ten changes.
    result = setup.run("import", "--dry-run", "--format", "json", edited)
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert [
        (c["record_key"], c["field"], c["old"], c["new"], c["cell"], c["file"])
        for c in obj["changes"]
    ] == [(k, "actual", old, new, setup.ref(k), name) for k, (_, old, new) in TEN.items()]
    assert obj["dry_run"] is True and obj["applied_revision"] is None
    assert setup.bytes() == before

    # The import: one revision, one history row per value with file, hash, OS user, old/new.
    result = setup.run("import", edited)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[-1]
        == f"저장했습니다: 리비전 2 (변경 10건). 되돌리려면: xlgen undo {KEY}"
    )
    digest = hashlib.sha256(edited.read_bytes()).hexdigest()
    with Store.open(setup.db) as store:
        assert store.revision(KEY) == 2
        entries = store.history_entries(KEY, 2)
        rev = store.history(KEY)[0]
    assert (rev.revision, rev.action, rev.file_name, rev.file_hash, rev.changes) == (
        2,
        "import",
        name,
        digest,
        10,
    )
    assert {(e.file_name, e.file_hash, e.os_user, e.field) for e in entries} == {
        (name, digest, current_os_user(), "actual")
    }
    assert [(e.record_key, e.old, e.new) for e in entries] == [
        (k, old, new) for k, (_, old, new) in TEN.items()
    ]
    assert all(
        type(e.old) is type(TEN[e.record_key][1]) for e in entries
    )  # the exact stored values
    now = setup.actuals()
    assert now == {**original, **{k: new for k, (_, _, new) in TEN.items()}}

    # The same workbook again: nothing to do, no new revision.
    after_import = setup.bytes()
    result = setup.run("import", edited)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["문서 '2019' (저장소 리비전 2), 파일 1개", "변경 없음"]
    assert setup.bytes() == after_import

    # Rebuild; LibreOffice recalculates the Ⅰ sheet from the new actuals.
    result = setup.run("build", KEY, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    rebuilt = Path(result.stdout.strip().splitlines()[-1])
    values = lo.read_values(lo.recalculate(rebuilt, tmp_path / "recalc"))
    assert [values[SUMMARY][f"{c}5"] for c in "BCD"] == [154, 152, 2]
    assert values[DEPTS][f"{E}{setup.rows['I0024']}"] == 110
    assert values[DEPTS][f"{F}{setup.rows['I0024']}"] == 89

    # undo: the exact previous values (93 stays an int, 100.0 a float), recorded as revision 3.
    result = setup.run("undo", KEY)
    assert result.exit_code == 0, result.output
    assert result.stdout == "되돌렸습니다: 리비전 2의 가져오기 10건 → 새 리비전 3\n"
    restored = setup.actuals()
    assert restored == original
    assert all(type(restored[k]) is type(original[k]) for k in TEN)
    assert type(restored["I0024"]) is int and type(restored["I0041"]) is float
    with Store.open(setup.db) as store:
        undo = store.history(KEY)[0]
        undone = store.history_entries(KEY, 3)
    assert (undo.revision, undo.action, undo.undoes, undo.changes, undo.os_user) == (
        3,
        "undo",
        2,
        10,
        current_os_user(),
    )
    assert sorted((e.record_key, e.old, e.new) for e in undone) == sorted(
        (k, new, old) for k, (_, old, new) in TEN.items()
    )
    result = setup.run("history", KEY)
    assert result.stdout.splitlines()[1].startswith("  리비전   3  되돌리기 (리비전 2 취소)")


def test_text_typed_in_calc_is_normalised_or_refused(setup):
    """Calc keeps what staff type as text ('△12', '85%', '1,234') as text cells; a cleared
    cell is blank, which is "no value", not 0."""
    setup.reset()
    rows = setup.rows
    good = lo.uno_edit(
        setup.xlsx,
        setup.tmp / "text" / "good.xlsx",
        [
            (DEPTS, f"{E}{rows['I0024']}", "△12"),
            (DEPTS, f"{E}{rows['I0006']}", "85%"),
            (DEPTS, f"{E}{rows['I0013']}", "1,234"),
            (DEPTS, f"{E}{rows['I0001']}", None),
            (DEPTS, f"{NOTE_COL}{rows['I0024']}", "휴관"),
        ],
    )
    bad = lo.uno_edit(
        setup.xlsx,
        setup.tmp / "text" / "bad.xlsx",
        [
            (DEPTS, f"{E}{rows['I0013']}", 540),
            (DEPTS, f"{E}{rows['I0024']}", "백십"),
        ],
    )

    before = setup.bytes()
    result = setup.run("import", bad)
    assert result.exit_code == 1
    assert result.stderr == (
        "오류: 가져오기를 중단했습니다 (문제 1건, 아무것도 저장하지 않음):\n"
        f"  - bad.xlsx: {setup.ref('I0024')} ({TEN['I0024'][0]}): 실적 '백십'은 숫자가 아닙니다.\n"
    )
    assert setup.bytes() == before

    result = setup.run("import", good)
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    lib = TEN["I0024"][0]
    assert f"  {lib}  실적 93 → △12   (good.xlsx {setup.ref('I0024')})" in out
    assert f"  {lib}  비고 (빈칸) → '휴관'   (good.xlsx {setup.ref('I0024', NOTE_COL)})" in out
    assert f"  {TEN['I0001'][0]}  실적 37 → (빈칸)   (good.xlsx {setup.ref('I0001')})" in out
    assert (
        f"주의: good.xlsx: {setup.ref('I0013')} ({TEN['I0013'][0]}): 글자로 입력된 '1,234'를 숫자 1234로 읽었습니다"
        in out
    )
    assert out[-1] == f"저장했습니다: 리비전 2 (변경 5건). 되돌리려면: xlgen undo {KEY}"
    now = setup.actuals()
    assert (now["I0024"], now["I0006"], now["I0013"], now["I0001"]) == (-12, 85, 1234, None)
    with Store.open(setup.db) as store:
        note = next(i.note for _, _, _, i in store.load(KEY).indicator_rows() if i.key == "I0024")
    assert note == "휴관"
