"""Import safety, second round (issue 12): a row's hidden key must agree with what the row
shows, text an Excel cell cannot hold and dates typed as 실적 are refused with their own
message, NFD text is the same text, and every sheet of the workbook is accounted for.

Edited workbooks are made from the built 2019 workbook with openpyxl, as in
tests/test_import.py (whose fixtures these tests share). The 2019 document has the
look-alike rows the issue reports: 도시재생과's 신길 and 영등포 재정비 projects each have a
continuation row "공사장 안전점검 횟수 / % / 100" whose own 주요사업명 cell is blank.
"""

# ruff: noqa: F811 - the fixtures of tests/test_import.py, imported, are the test arguments

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from pathlib import Path

import pytest
from test_import import (  # noqa: F401 - fixtures
    DEPTS,
    LIB,
    Env,
    built,
    env,
    lines,
    refused,
)

from xlgen.layouts import eval_departments as dep
from xlgen.layouts._base import col_letter

A, B, J, E, NOTE = (
    col_letter(c) for c in (dep.PROJECT, dep.INDICATOR, dep.KEY, dep.ACTUAL, dep.NOTE)
)
RESORT = (
    "숨김 열을 빼고 정렬했거나 숨김 키가 바뀐 것으로 보입니다. 정렬할 때는 숨김 열까지 "
    "모든 열을 함께 정렬하고, 원래 통합문서에 다시 입력해 주세요."
)
SINGIL = "신길재정비 촉진사업 추진"
YDP = "영등포재정비 촉진사업 추진"
CHECKS = "공사장 안전점검 횟수"


def _label(project: str) -> str:
    return f"도시재생과 / {project} / {CHECKS}"


# --------------------------------------------------------------------------- row identity


def test_the_seed_has_the_look_alike_rows(env: Env) -> None:
    ws = env.built.shared[DEPTS]
    for first, cont in (("I0167", "I0168"), ("I0169", "I0170")):
        r = env.row(cont)
        assert env.row(first) == r - 1
        assert [ws.cell(r, c + 1).value for c in (dep.INDICATOR, dep.UNIT, dep.TARGET)] == [
            CHECKS,
            "%",
            100,
        ]
        assert ws.cell(r, dep.PROJECT + 1).value is None  # blank: merged with the row above
        assert f"{A}{r - 1}:{A}{r}" in {str(m) for m in ws.merged_cells.ranges}


def test_swapped_keys_of_look_alike_rows_of_two_projects_are_refused(env: Env) -> None:
    """The issue's case: the keys of the two continuation rows swapped, an edit typed
    into the 신길 row. Before, it was saved to the 영등포 project."""
    r168, r170 = env.row("I0168"), env.row("I0170")

    def swap_keys(ws, wb):
        a, b = ws.cell(r168, dep.KEY + 1), ws.cell(r170, dep.KEY + 1)
        a.value, b.value = b.value, a.value
        ws.cell(r168, dep.ACTUAL + 1).value = 90

    path = env.workbook("swap.xlsx", swap_keys)
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"swap.xlsx: {DEPTS}!{J}{r168} ({_label(YDP)}): 숨김 키가 이 행과 맞지 않습니다. 이 행은 "
        f"주요사업 '{SINGIL}'({DEPTS}!{A}{r168 - 1}) 아래에 있는데 숨김 키는 '{YDP}' 사업의 지표입니다. {RESORT}",
        f"swap.xlsx: {DEPTS}!{J}{r170} ({_label(SINGIL)}): 숨김 키가 이 행과 맞지 않습니다. 이 행은 "
        f"주요사업 '{YDP}'({DEPTS}!{A}{r170 - 1}) 아래에 있는데 숨김 키는 '{SINGIL}' 사업의 지표입니다. {RESORT}",
    )


def test_swapped_keys_are_refused_when_the_sheet_lost_its_merges(env: Env) -> None:
    """Without the merged ranges (unmerged by staff, or a client that drops them) the
    project's first row above decides: the same refusal."""
    r168, r170 = env.row("I0168"), env.row("I0170")

    def unmerge_and_swap(ws, wb):
        for m in list(ws.merged_cells.ranges):
            if m.min_row > 3:
                ws.unmerge_cells(str(m))
        a, b = ws.cell(r168, dep.KEY + 1), ws.cell(r170, dep.KEY + 1)
        a.value, b.value = b.value, a.value

    path = env.workbook("unmerged.xlsx", unmerge_and_swap, unprotect=True)
    result = env.run("import", path)
    assert result.exit_code == 1, result.output
    problems = result.stderr.splitlines()[1:]
    assert len(problems) == 2
    assert f"{DEPTS}!{J}{r168} ({_label(YDP)})" in problems[0]
    assert f"'{SINGIL}'({DEPTS}!{A}{r168 - 1}) 아래에 있는데" in problems[0]


def test_untouched_and_unmerged_workbooks_import_as_no_change(env: Env) -> None:
    """The checks hold every row of an untouched sheet, merged or not."""

    def unmerge(ws, wb):
        for m in list(ws.merged_cells.ranges):
            if m.min_row > 3:
                ws.unmerge_cells(str(m))

    assert lines(env.run("import", "--dry-run", env.built.xlsx))[1] == "변경 없음"
    path = env.workbook("plain.xlsx", unmerge, unprotect=True)
    assert lines(env.run("import", "--dry-run", path))[1] == "변경 없음"


def test_a_sort_that_left_the_hidden_keys_behind_is_refused(env: Env) -> None:
    """도시재생과's rows sorted by 성과지표 on the visible, unmerged columns B:F only (a sort
    over merged cells of different sizes is refused by Excel), the hidden keys left where
    they were: every moved row shows another record than its key."""
    keys = [f"I{n:04d}" for n in range(164, 171)]
    rows = [env.row(k) for k in keys]
    assert rows == list(range(rows[0], rows[0] + 7))

    def sort_visible(ws, wb):
        cols = range(dep.INDICATOR + 1, dep.RATE + 2)
        content = [[ws.cell(r, c).value for c in cols] for r in rows]
        content[-1][dep.ACTUAL - dep.INDICATOR] = 99  # an edit typed before the sort
        for r, values in zip(rows, sorted(content, key=lambda v: v[0]), strict=True):
            for c, value in zip(cols, values, strict=True):
                ws.cell(r, c).value = value

    path = env.workbook("sorted.xlsx", sort_visible, unprotect=True)
    before = env.snapshot()
    result = env.run("import", path)
    assert result.exit_code == 1, result.output
    assert env.snapshot() == before
    problems = result.stderr.splitlines()[1:]
    assert len(problems) == 7
    assert problems[0] == (
        f"  - sorted.xlsx: {DEPTS}!{J}{rows[0]} (도시재생과 / 영등포 도시재생 사업 / "
        "도시재생활성화계획(안) 수립 지원 및 거버넌스 운영): 숨김 키가 이 행과 맞지 않습니다. "
        f"이 행({DEPTS}!{B}{rows[0]})에 보이는 지표('{CHECKS}', 단위 '%', 목표 100)는 다른 기록의 것입니다. {RESORT}"
    )
    for k, problem in zip(keys, problems, strict=True):
        assert (
            f"{DEPTS}!{J}{env.row(k)} (" in problem and "숨김 키가 이 행과 맞지 않습니다" in problem
        )


def test_a_row_moved_into_another_departments_block_is_refused(env: Env) -> None:
    """Whole rows (keys and names with them) swapped between the ▢ 감사담당관 and ▢ 소통기획과
    blocks: each row shows its own record's names, but sits in another department's block."""
    r5, r10 = env.row("I0005"), env.row("I0010")

    def swap_rows(ws, wb):
        for c in range(1, dep.PRATE_ALL + 2):
            a, b = ws.cell(r5, c), ws.cell(r10, c)
            a.value, b.value = b.value, a.value

    path = env.workbook("moved.xlsx", swap_rows, unprotect=True)
    before = env.snapshot()
    audit = (
        "감사담당관 / 안전하고 쾌적한 주민맞춤형 현장중심의 순찰 강화 / 소통하는 탁트인 순찰 실시"
    )
    policy = (
        "소통기획과 / 영등포 1번가 운영 / 찾아가는 영등포 1번가 참여만족도 설문조사 목표 달성도"
    )
    refused(
        env,
        before,
        env.run("import", path),
        f"moved.xlsx: {DEPTS}!{J}{r5} ({policy}): 숨김 키가 이 행과 맞지 않습니다. "
        f"이 행은 '▢ 감사담당관' 표({DEPTS}!{A}4)에 있는데 숨김 키는 '소통기획과' 부서의 지표입니다. {RESORT}",
        f"moved.xlsx: {DEPTS}!{J}{r10} ({audit}): 숨김 키가 이 행과 맞지 않습니다. "
        f"이 행은 '▢ 소통기획과' 표({DEPTS}!{A}12)에 있는데 숨김 키는 '감사담당관' 부서의 지표입니다. {RESORT}",
    )


# --------------------------------------------------------------------------- values


def _swap_text(path: Path, marker: str, text: str) -> Path:
    """The workbook with the string `marker` replaced by `text` in its parts (openpyxl cuts
    a longer text to 32,767 characters when it saves: this is how another tool writes it)."""
    out = path.with_name("long-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".xml"):
                data = data.replace(marker.encode(), text.encode())
            dst.writestr(info, data)
    return out


def test_a_note_longer_than_an_excel_cell_is_refused(env: Env) -> None:
    path = _swap_text(
        env.workbook("long.xlsx", ("I0024", dep.NOTE, "LONGNOTE")), "LONGNOTE", "가" * 40_000
    )
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"long-long.xlsx: {env.ref('I0024', NOTE)} ({LIB}): 비고가 너무 깁니다 (40,000자). "
        "엑셀 칸 하나에는 32,767자까지만 들어가므로, 줄여서 다시 입력해 주세요.",
    )


def test_a_note_exactly_as_long_as_a_cell_is_imported(env: Env) -> None:
    path = env.workbook("full.xlsx", ("I0024", dep.NOTE, "가" * 32_767))
    lines(env.run("import", path))
    assert env.value("I0024", "note") == "가" * 32_767


def test_a_long_text_actual_is_shown_shortened(env: Env) -> None:
    path = _swap_text(
        env.workbook("text.xlsx", ("I0024", dep.ACTUAL, "LONGTEXT")), "LONGTEXT", "숫자" * 20_000
    )
    result = env.run("import", path)
    assert result.exit_code == 1
    assert f"실적 '{'숫자' * 20}…' (40,000자)은(는) 숫자가 아닙니다." in result.stderr
    assert len(result.stderr) < 1000


def test_a_date_formatted_actual_says_it_is_a_date(env: Env) -> None:
    def date(ws, wb):
        c = ws.cell(env.row("I0024"), dep.ACTUAL + 1)
        c.value, c.number_format = dt.datetime(2019, 12, 31), "yyyy-mm-dd"

    path = env.workbook("date.xlsx", date)
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"date.xlsx: {env.ref('I0024')} ({LIB}): 실적 칸이 날짜·시간 서식이라 숫자가 아닌 날짜(2019-12-31)로 "
        "저장되어 있습니다. 칸 서식을 '숫자'나 '일반'으로 바꾸고 숫자를 다시 입력하세요.",
    )


def test_nfd_text_is_the_same_text(env: Env) -> None:
    """A workbook saved on a Mac may hold NFD (한글 as jamo): protected cells in NFD are
    not changes, and an NFD 비고 is stored NFC, so that importing it again is no change."""
    nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731
    ws = env.built.shared[DEPTS]
    r = env.row("I0001")
    shown = [ws.cell(r, c + 1).value for c in (dep.PROJECT, dep.INDICATOR, dep.UNIT)]
    assert all(nfd(s) != s for s in shown)
    path = env.workbook(
        "nfd.xlsx",
        ("I0001", dep.PROJECT, nfd(shown[0])),
        ("I0001", dep.INDICATOR, nfd(shown[1])),
        ("I0001", dep.UNIT, nfd(shown[2])),
        ("I0001", dep.NOTE, nfd("회의록 확인")),
    )
    out = lines(env.run("import", "--dry-run", path))
    assert out[1] == "바뀌는 값 1건:"
    assert not any("보호된 칸" in line for line in out)
    lines(env.run("import", path))
    assert env.value("I0001", "note") == "회의록 확인"
    assert lines(env.run("import", "--dry-run", path))[1] == "변경 없음"


# --------------------------------------------------------------------------- every sheet


def _copy_input_sheet(edit_copy: bool):
    def edit(ws, wb):
        copy = wb.copy_worksheet(ws)
        copy.title = f"{DEPTS} (2)"  # as Excel names a copy
        if edit_copy:
            copy.cell(38, dep.ACTUAL + 1).value = 110  # I0024's row

    return edit


def test_an_edit_in_a_copy_of_the_input_sheet_is_refused(env: Env) -> None:
    path = env.workbook("copy.xlsx", _copy_input_sheet(edit_copy=True))
    assert env.row("I0024") == 38
    before = env.snapshot()
    refused(
        env,
        before,
        env.run("import", path),
        f"copy.xlsx: '{DEPTS} (2)' 시트는 '{DEPTS}' 시트의 복사본인데, 복사본에만 입력된 값이 있습니다 "
        f"({DEPTS} (2)!{E}38). 가져오기는 원본 시트만 읽습니다: 값을 원본 '{DEPTS}' 시트에 입력하고 "
        "복사본은 지운 뒤 다시 가져오세요.",
    )


def test_a_copy_holding_what_the_original_holds_is_a_warning(env: Env) -> None:
    path = env.workbook("copy.xlsx", _copy_input_sheet(edit_copy=False), ("I0024", dep.ACTUAL, 111))
    out = lines(env.run("import", path))
    assert (
        f"주의: copy.xlsx: '{DEPTS} (2)' 시트는 '{DEPTS}' 시트의 복사본으로 보고 읽지 않았습니다 "
        "(복사본에만 입력된 값은 없습니다)." in out
    )
    assert env.value("I0024") == 111


@pytest.mark.parametrize("filled", [True, False], ids=["with values", "empty"])
def test_a_sheet_staff_added_is_named_when_it_holds_values(env: Env, filled: bool) -> None:
    def add(ws, wb):
        extra = wb.create_sheet("메모")
        if filled:
            extra["C3"] = "실적 110으로 수정 요청"

    path = env.workbook("extra.xlsx", add, ("I0024", dep.ACTUAL, 112))
    out = lines(env.run("import", path))
    warning = "주의: extra.xlsx: '메모' 시트는 xlgen이 만든 시트가 아니어서 읽지 않았습니다 (값이 있는 칸이 있습니다)."
    assert (warning in out) is filled
    assert env.value("I0024") == 112


def test_lone_surrogate_halves_are_read_as_fffd_with_a_warning(env: Env) -> None:
    path = env.workbook("lone.xlsx", ("I0024", dep.NOTE, "확인_xD801_필요"))
    out = lines(env.run("import", path))
    assert (
        f"주의: lone.xlsx: '{DEPTS}' 시트의 글 1곳에 짝이 없는 서로게이트 이스케이프(_xD800_~_xDFFF_)가 있어 "
        "그 글자를 U+FFFD(�)로 읽었습니다. 원래 글자를 확인해 주세요." in out
    )
    assert env.value("I0024", "note") == "확인\ufffd필요"


def test_a_surrogate_pair_escape_is_one_character(env: Env) -> None:
    path = env.workbook("pair.xlsx", ("I0024", dep.NOTE, "𐐅 확인_xD801__xDC05_"))
    out = lines(env.run("import", path))
    assert not any("서로게이트" in line for line in out)
    assert env.value("I0024", "note") == "𐐅 확인\U00010405"


def test_a_workbook_built_before_its_sheets_were_recorded_names_no_built_sheet(env: Env) -> None:
    """Without the "sheets" field (an older workbook) the built sheets are the template's:
    none of them is reported; a sheet staff added still is."""
    from xlgen.layouts import meta

    def drop_field(ws, wb):
        ms = wb[meta.SHEET]
        (row,) = [r for r in ms.iter_rows() if r[0].value == "sheets"]
        row[0].value = row[1].value = None
        wb.create_sheet("메모")["A1"] = "메모"

    out = lines(env.run("import", "--dry-run", env.workbook("old.xlsx", drop_field)))
    assert [line for line in out if line.startswith("주의")] == [
        "주의: old.xlsx: '메모' 시트는 xlgen이 만든 시트가 아니어서 읽지 않았습니다 (값이 있는 칸이 있습니다)."
    ]
