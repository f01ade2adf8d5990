"""A restyled template round-trips: the Ⅲ sheet is read back with the structure it was
written with (recorded in `_xlgen`), not with the current template's or fixed labels.

The workbook is built with a copy of templates/ whose department mark, column headers,
sheet name, title, column widths and fills all differ from the default, and imported with
the default templates in place: untouched it is 변경 없음 with no warning; edited in
LibreOffice it is exactly the edits.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from xlgen.cli import cli
from xlgen.layouts import eval_departments as dep
from xlgen.layouts import meta
from xlgen.layouts._base import col_letter
from xlgen.templates import default_templates_dir

from support import libreoffice as lo

KEY = "2019"
SHEET = "Ⅲ 부서별 추진현황"  # restyled from "Ⅲ 부서별현황"
HEADERS = [
    "사업명",
    "지표",
    "측정 단위",
    "목표치",
    "실적치",
    "달성률",
    "사업 달성률",
    "평가",
    "메모",
]
MARK = "■"
E, NOTE_COL = col_letter(dep.ACTUAL), col_letter(dep.NOTE)
AUDIT = "감사담당관 / 구정 청렴도 향상 / 청렴도 향상 시책 추진"  # I0001: 37
LIB = "미래교육과 / 도서관 운영 활성화 / 도서관독서실 이용자수"  # I0024: 93 → 부진
CONTRACT = "감사담당관 / 계약심사의 효율성 강화 / 계약심사 절감액"  # I0004


def _restyled(folder: Path) -> Path:
    """A copy of the default templates with the Ⅲ sheet's look changed every way staff may."""
    shutil.copytree(default_templates_dir(), folder)
    replacements = {
        "evaluation.toml": [
            ('dept_mark = "▢"', f'dept_mark = "{MARK}"'),
            ('sheet = "Ⅲ 부서별현황"', f'sheet = "{SHEET}"'),
            ('title = "Ⅲ. {year}년 부서별 추진 현황"', 'title = "Ⅲ. {year}년도 부서별 사업 현황"'),
            (
                'headers = ["주요사업명", "성과지표", "단위", "목표", "실적", "달성률(%)", '
                '"사업 달성률(%)", "판정", "비고"]',
                "headers = [" + ", ".join(f'"{h}"' for h in HEADERS) + "]",
            ),
            (
                "widths = [26, 32, 8, 11, 11, 9, 10, 9, 16]",
                "widths = [30, 36, 9, 12, 12, 8, 11, 8, 20]",
            ),
        ],
        "style.toml": [
            ('header_fill = "#D9E1F2"', 'header_fill = "#E2EFDA"'),
            ('input_fill = "#FFF2CC"', 'input_fill = "#DDEBF7"'),
        ],
    }
    for name, pairs in replacements.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert text.count(old) == 1, (name, old)  # the default template still says this
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return folder


class Desk:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.db = tmp / "store.sqlite"
        templates = _restyled(tmp / "templates")
        result = self.run("build", KEY, "--templates", templates, "--out", tmp / "out")
        assert result.exit_code == 0, result.output
        self.xlsx = Path(result.stdout.strip().splitlines()[-1])
        ws = openpyxl.load_workbook(self.xlsx, read_only=True)[SHEET]
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

    def run(self, *args: object) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], env={"XLGEN_DB": str(self.db)})

    def cell(self, record: str, column: str = E) -> str:
        return f"{column}{self.rows[record]}"

    def ref(self, record: str, column: str = E) -> str:
        return f"{SHEET}!{self.cell(record, column)}"


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Desk:
    return Desk(tmp_path_factory.mktemp("restyle"))


def test_the_workbook_really_is_restyled(desk):
    wb = openpyxl.load_workbook(desk.xlsx)
    ws = wb[SHEET]
    assert ws["A1"].value == "Ⅲ. 2019년도 부서별 사업 현황"
    assert ws["A4"].value == f"{MARK} 감사담당관"
    assert [c.value for c in ws[5][: dep.NOTE + 1]] == HEADERS
    assert ws["A5"].fill.fgColor.rgb == "FFE2EFDA"
    assert ws[f"{E}6"].fill.fgColor.rgb == "FFDDEBF7"
    assert ws.column_dimensions["A"].width == pytest.approx(30, abs=1)
    assert len(desk.rows) == 244


def test_untouched_restyled_workbook_is_no_change_and_no_warning(desk):
    desk.reset()
    result = desk.run("import", desk.xlsx)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["문서 '2019' (저장소 리비전 1), 파일 1개", "변경 없음"]


def test_workbook_without_the_recorded_format_reads_with_the_template(desk, tmp_path):
    """A workbook built before the format was recorded: the current template decides (here
    the default one, with its ▢ mark and headers, as such a workbook was built)."""
    desk.reset()
    built = tmp_path / "built.xlsx"
    result = desk.run("build", KEY, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    shutil.copyfile(Path(result.stdout.strip().splitlines()[-1]), built)
    wb = openpyxl.load_workbook(built)
    ws = wb[meta.SHEET]
    dropped = {"dept_mark", "hidden_headers", "first_data_row", "headers"}
    for row in ws.iter_rows():
        if row[0].value in dropped:
            dropped.discard(row[0].value)
            row[0].value = row[1].value = None
    assert not dropped
    wb.save(tmp_path / "old.xlsx")
    result = desk.run("import", tmp_path / "old.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["문서 '2019' (저장소 리비전 1), 파일 1개", "변경 없음"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '"판정", "비고"]',
            '"판정"]',
            "서식 파일 [departments] headers: 머리글은 9개여야 합니다 (8개).",
        ),
        ('"판정", "비고"]', '"판정", "실적"]', "서식 파일 [departments] headers: 같은 머리글이"),
        ('"판정", "비고"]', '"판정", "비|고"]', "머리글에는 '|'를 쓸 수 없습니다."),
    ],
)
def test_headers_the_reader_could_not_tell_apart_are_refused(tmp_path, old, new, message):
    templates = tmp_path / "templates"
    shutil.copytree(default_templates_dir(), templates)
    path = templates / "evaluation.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["build", KEY, "--templates", str(templates), "--out", str(tmp_path / "out")],
        env={"XLGEN_DB": str(tmp_path / "s.sqlite")},
    )
    assert result.exit_code == 1
    assert message in result.stderr
    assert not list((tmp_path / "out").rglob("*.xlsx"))


@pytest.mark.libreoffice
@pytest.mark.skipif(
    lo.find_soffice() is None, reason="LibreOffice(soffice)가 설치되어 있지 않습니다"
)
def test_restyled_workbook_edited_in_libreoffice_imports_exactly_the_edits(desk):
    desk.reset()
    edited = lo.uno_edit(
        desk.xlsx,
        desk.tmp / "staff" / "restyled.xlsx",
        [
            (SHEET, desk.cell("I0001"), 38),
            (SHEET, desk.cell("I0004", NOTE_COL), "재검토 필요"),
            (SHEET, desk.cell("I0024"), 110),
        ],
    )
    result = desk.run("import", "--dry-run", "--format", "json", edited)
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert [
        (c["record_key"], c["field"], c["old"], c["new"], c["cell"]) for c in obj["changes"]
    ] == [
        ("I0001", "actual", 37, 38, desk.ref("I0001")),
        ("I0004", "note", "", "재검토 필요", desk.ref("I0004", NOTE_COL)),
        ("I0024", "actual", 93, 110, desk.ref("I0024")),
    ]
    assert obj["warnings"] == []
    result = desk.run("import", edited)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "문서 '2019' (저장소 리비전 1), 파일 1개",
        "바뀌는 값 3건:",
        f"  {AUDIT}  실적 37 → 38   (restyled.xlsx {desk.ref('I0001')})",
        f"  {CONTRACT}  비고 (빈칸) → '재검토 필요'   (restyled.xlsx {desk.ref('I0004', NOTE_COL)})",
        f"  {LIB}  실적 93 → 110   (restyled.xlsx {desk.ref('I0024')})",
        "국별 정상추진/부진의 변화:",
        "  미래비전추진단: 정상추진 13 → 14, 부진 1 → 0",
        "저장했습니다: 리비전 2 (변경 3건). 되돌리려면: xlgen undo 2019",
    ]
    result = desk.run("import", edited)
    assert result.stdout.splitlines() == ["문서 '2019' (저장소 리비전 2), 파일 1개", "변경 없음"]
