"""Findings (검토사항): what a parser noticed, as data, and the one place they become Korean.

A `Finding` is a kind (`Kind`, an enum) and structured fields: the line of the source text,
and whatever the kind is about (the department, the printed and the computed value, the
names, ...). Code decides by the kind and reads the fields; the Korean sentence staff read is
`Finding.message`, rendered here from the fields and nowhere else. No code looks at it.

Pure: no I/O. Numbers in messages are written by `xlgen.numbers.format_number`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from .korean import particle
from .numbers import Number, format_number

FieldValue = str | int | float | bool | None | tuple[Any, ...]


class Kind(StrEnum):
    """What a finding is about. The value is what the store keeps; never rename one."""

    NOTE = "note"  # free text (a finding from before findings were typed, or a test's)
    # evaluation: the document
    NO_THRESHOLD = "no_threshold"
    NO_SUMMARY_TABLE = "no_summary_table"
    NO_DEPARTMENT_TABLES = "no_department_tables"
    SUMMARY_ROW_UNREADABLE = "summary_row_unreadable"
    # evaluation: Ⅲ tables and rows
    HEADLESS_TABLE_PAIRED = "headless_table_paired"
    TABLE_CONTINUES = "table_continues"
    TABLE_WITHOUT_DEPARTMENT = "table_without_department"
    DEPARTMENT_WITHOUT_ROWS = "department_without_rows"
    TEXT_IGNORED = "text_ignored"
    NOTE_IGNORED = "note_ignored"
    TABLE_READINGS_AMBIGUOUS = "table_readings_ambiguous"
    TABLE_CORRECTION = "table_correction"
    TABLE_CORRECTION_UNUSED = "table_correction_unused"
    ROW_UNCERTAIN = "row_uncertain"
    ROW_CORRECTION = "row_correction"
    CELL_UNREADABLE = "cell_unreadable"  # a table cell (HWPX) that should hold a number
    CORRECTION_UNUSED = "correction_unused"
    BUREAU_BOUNDARY = "bureau_boundary"
    DEPARTMENT_NOT_IN_ORG = "department_not_in_org"
    # evaluation: printed vs computed
    RATE_MISMATCH = "rate_mismatch"
    BUREAU_COUNT_MISMATCH = "bureau_count_mismatch"
    TOTAL_VS_BUREAUS = "total_vs_bureaus"
    TOTAL_VS_TABLES = "total_vs_tables"
    RATIO_MISMATCH = "ratio_mismatch"
    # both kinds of document
    BAD_CORRECTIONS = "bad_corrections"
    INTERNAL_ERROR = "internal_error"
    # plan: rows
    NAME_CORRECTION = "name_correction"
    OFFICE_ROW_WITHOUT_NAME = "office_row_without_name"
    OFFICE_ROW_WITHOUT_NUMBERS = "office_row_without_numbers"
    OFFICE_ROW_CELLS = "office_row_cells"
    TOTAL_ROW_REPEATED = "total_row_repeated"
    GOAL_ROW_EXTRA_CELLS = "goal_row_extra_cells"
    GOAL_ROW_EXTRA_NUMBERS = "goal_row_extra_numbers"
    GOAL_WITHOUT_OFFICE = "goal_without_office"
    NUMBERS_WITHOUT_GOAL = "numbers_without_goal"
    ROW_WITHOUT_GOAL = "row_without_goal"
    INDICATOR_WITHOUT_POLICY_GOAL = "indicator_without_policy_goal"
    SHIFTED_ROW = "shifted_row"
    SHIFTED_INDICATOR = "shifted_indicator"
    GOAL_REJOINED = "goal_rejoined"
    GOAL_RENAMED = "goal_renamed"
    POLICY_GOAL_SPACING = "policy_goal_spacing"
    POLICY_GOAL_RENAMED = "policy_goal_renamed"
    POLICY_GOAL_SPLIT = "policy_goal_split"
    REPEATED_VALUE_MISMATCH = "repeated_value_mismatch"
    # plan: printed vs computed
    COUNT_CHECK_SKIPPED = "count_check_skipped"
    NO_TOTAL_ROW = "no_total_row"
    TOTAL_MISMATCH = "total_mismatch"
    CHANGE_MISMATCH = "change_mismatch"
    COUNT_MISMATCH = "count_mismatch"
    OFFICE_NOT_IN_SUMMARY = "office_not_in_summary"
    SHARE_MISMATCH = "share_mismatch"
    # the auditor (xlgen.audit): one cell explains several disagreements
    SINGLE_CELL = "single_cell"
    # a seed folder
    SEED_YEAR_MISMATCH = "seed_year_mismatch"
    # a new year's evaluation (`xlgen new`)
    CARRIED_OVER = "carried_over"
    DEPARTMENT_MAPPED = "department_mapped"
    NAME_WITH_PAST_YEAR = "name_with_past_year"  # a carried name printing a past year
    # a PDF document (xlgen.sources.pdf)
    PDF_READ_AS_TEXT = "pdf_read_as_text"
    PDF_MARK_UNEXPLAINED = "pdf_mark_unexplained"
    PDF_TEXT_OVERFLOW = "pdf_text_overflow"
    # a document read as grids (HWPX, PDF): tables and text left out, never read as rows
    BLOCKS_NOT_READ = "blocks_not_read"
    # a Ⅲ table's reference columns ("2019년 목표"), known by their header and not read
    REFERENCE_COLUMNS = "reference_columns"
    GOALS_TOTAL_MISMATCH = "goals_total_mismatch"

    @property
    def label(self) -> str:
        """The short Korean name of the kind (the 검토사항 sheet's 구분 column)."""
        return _LABELS[self]


INTERNAL = "내부 오류"  # how a parser bug is named (it must never lose a document)

_LABELS: dict[Kind, str] = {
    Kind.NOTE: "기타",
    Kind.NO_THRESHOLD: "판정 기준",
    Kind.NO_SUMMARY_TABLE: "표 없음",
    Kind.NO_DEPARTMENT_TABLES: "표 없음",
    Kind.SUMMARY_ROW_UNREADABLE: "읽기 오류",
    Kind.HEADLESS_TABLE_PAIRED: "표 짝짓기",
    Kind.TABLE_CONTINUES: "표 짝짓기",
    Kind.TABLE_WITHOUT_DEPARTMENT: "표 짝짓기",
    Kind.DEPARTMENT_WITHOUT_ROWS: "빈 부서",
    Kind.TEXT_IGNORED: "무시한 글",
    Kind.NOTE_IGNORED: "무시한 글",
    Kind.TABLE_READINGS_AMBIGUOUS: "확인 필요",
    Kind.TABLE_CORRECTION: "보정 적용",
    Kind.TABLE_CORRECTION_UNUSED: "보정 미사용",
    Kind.ROW_UNCERTAIN: "확인 필요",
    Kind.ROW_CORRECTION: "보정 적용",
    Kind.CELL_UNREADABLE: "읽기 오류",
    Kind.CORRECTION_UNUSED: "보정 미사용",
    Kind.BUREAU_BOUNDARY: "국 경계",
    Kind.DEPARTMENT_NOT_IN_ORG: "조직도",
    Kind.RATE_MISMATCH: "달성률",
    Kind.BUREAU_COUNT_MISMATCH: "국별 현황",
    Kind.TOTAL_VS_BUREAUS: "국별 현황",
    Kind.TOTAL_VS_TABLES: "국별 현황",
    Kind.RATIO_MISMATCH: "비율",
    Kind.BAD_CORRECTIONS: "보정 파일",
    Kind.INTERNAL_ERROR: INTERNAL,
    Kind.NAME_CORRECTION: "보정 적용",
    Kind.OFFICE_ROW_WITHOUT_NAME: "행 오류",
    Kind.OFFICE_ROW_WITHOUT_NUMBERS: "행 오류",
    Kind.OFFICE_ROW_CELLS: "행 오류",
    Kind.TOTAL_ROW_REPEATED: "행 오류",
    Kind.GOAL_ROW_EXTRA_CELLS: "행 오류",
    Kind.GOAL_ROW_EXTRA_NUMBERS: "행 오류",
    Kind.GOAL_WITHOUT_OFFICE: "행 오류",
    Kind.NUMBERS_WITHOUT_GOAL: "행 오류",
    Kind.ROW_WITHOUT_GOAL: "행 오류",
    Kind.INDICATOR_WITHOUT_POLICY_GOAL: "행 오류",
    Kind.SHIFTED_ROW: "칸 밀림",
    Kind.SHIFTED_INDICATOR: "칸 밀림",
    Kind.PDF_READ_AS_TEXT: "PDF 읽기",
    Kind.PDF_MARK_UNEXPLAINED: "PDF 읽기",
    Kind.PDF_TEXT_OVERFLOW: "PDF 읽기",
    Kind.BLOCKS_NOT_READ: "읽지 않은 표",
    Kind.REFERENCE_COLUMNS: "참고 열",
    Kind.GOALS_TOTAL_MISMATCH: "합계",
    Kind.GOAL_REJOINED: "이름 통일",
    Kind.GOAL_RENAMED: "이름 통일",
    Kind.POLICY_GOAL_SPACING: "이름 통일",
    Kind.POLICY_GOAL_RENAMED: "이름 통일",
    Kind.POLICY_GOAL_SPLIT: "목표 분리",
    Kind.REPEATED_VALUE_MISMATCH: "반복 값",
    Kind.COUNT_CHECK_SKIPPED: "개수",
    Kind.NO_TOTAL_ROW: "합계",
    Kind.TOTAL_MISMATCH: "합계",
    Kind.CHANGE_MISMATCH: "비교증감",
    Kind.COUNT_MISMATCH: "개수",
    Kind.OFFICE_NOT_IN_SUMMARY: "개수",
    Kind.SHARE_MISMATCH: "비중",
    Kind.SINGLE_CELL: "한 칸 설명",
    Kind.SEED_YEAR_MISMATCH: "연도",
    Kind.CARRIED_OVER: "전년도 이월",
    Kind.DEPARTMENT_MAPPED: "부서 변경",
    Kind.NAME_WITH_PAST_YEAR: "이름의 연도",
}

# Column and role names the messages use, by the code the fields hold.
COLUMN_LABELS = {
    # Ⅰ 국별 사업추진 현황
    "projects": "사업 수",
    "normal": "정상추진",
    "weak": "부진",
    # 가. 총괄
    "strategic_goals": "전략목표수",
    "policy_goals": "정책사업목표 개수",
    "indicators": "지표수",
    "unit_projects": "단위사업수",
    "budget": "예산액",
    "prev_budget": "전년도예산액",
    "change": "비교증감",
    # 나. 성과계획 및 자원비중
    "share": "비중",
}
ROLE_LABELS = {
    "strategic_goal": "전략목표",
    "policy_goal": "정책사업목표",
    "indicator": "성과지표",
    "office": "실국",
}
_CELL_COLUMNS = {"target": "목표", "actual": "실적", "rate": "달성률"}
_TABLE_LABELS = {"ga": "'가. 총괄'", "na": "'나. 성과계획 및 자원비중'"}


def _ev(value: Number | None) -> str:
    """An evaluation figure in a message: a minus sign, "-" for none."""
    return format_number(value, negative="-", blank="-")


def _plan(value: Number | None) -> str:
    """A plan figure in a message: △, two decimals, "(빈칸)" for none."""
    return format_number(value, blank="(빈칸)", places=2)


def _share(value: Number) -> str:
    return format_number(value, negative="-", grouping=False, places=2, whole="always")


def _count(value: Number | None) -> str:
    return format_number(value, negative="-", grouping=False, whole="point", blank="None")


_BAD_CORRECTIONS = {
    "evaluation_not_table": "[evaluation]은 표(table)여야 합니다.",
    "evaluation_rows_not_list": "evaluation.row는 [[evaluation.row]] 항목의 목록이어야 합니다.",
    "evaluation_row_keys": "department와 numbers가 있어야 합니다 ({entry}).",
    "evaluation_tables_not_list": (
        "evaluation.table은 [[evaluation.table]] 항목의 목록이어야 합니다."
    ),
    "evaluation_table_keys": (
        "[[evaluation.table]]에는 department와 numbers가 있어야 합니다 ({entry})."
    ),
    "plan_unreadable": "[[plan.replace]] 항목을 읽을 수 없어 보정을 적용하지 않았습니다.",
    "plan_entry": (
        "[[plan.replace]] {number}번째 항목의 형식이 잘못되어 건너뛰었습니다 "
        "(find, replace, where 확인)."
    ),
}


def _bad_corrections(f: Mapping[str, Any]) -> str:
    text = _BAD_CORRECTIONS[f["problem"]].format(entry=f.get("entry"), number=f.get("number"))
    return f"보정 파일 오류: {text}"


def _row_correction(f: Mapping[str, Any]) -> str:
    project = f["project"]
    where = f"사업 '{project}', " if project else "앞 사업의 "
    return (
        f"보정 적용: {f['department']} '{f['numbers']}' 행을 {where}"
        f"지표 '{f['indicator']}'{particle(f['indicator'], '으로/로')} 읽었습니다."
    )


def _row_uncertain(f: Mapping[str, Any]) -> str:
    what = f"새 사업 '{f['project']}'의 지표" if f["new_project"] else "앞 사업의 지표"
    return (
        f"확인 필요: {f['department']}의 '{f['indicator']}'{particle(f['indicator'], '을/를')} {what}로 보았습니다 "
        f"({f['reason']})."
    )


def _table(table: tuple[Any, ...]) -> str:
    """(first line, last line, rows) of a Ⅲ table → "1839~1929행 표(지표 9개)"."""
    first, last, rows = table
    return f"{first}~{last}행 표(지표 {rows}개)"


def _reading(tables: tuple[Any, ...], departments: tuple[Any, ...]) -> str:
    return ", ".join(f"{_table(t)} → {d}" for t, d in zip(tables, departments, strict=True))


def _readings_ambiguous(f: Mapping[str, Any]) -> str:
    tables, readings = f["tables"], f["readings"]
    shown = readings[:4]
    listed = " / ".join(f"{k}) {_reading(tables, r)}" for k, r in enumerate(shown, 1))
    more = f" 외 {len(readings) - len(shown)}가지" if len(readings) > len(shown) else ""
    basis = (
        "Ⅰ 국별 사업 수·판정으로도 가려지지 않습니다"
        if not f["disagreements"]
        else f"어느 읽기도 Ⅰ 표와 {f['disagreements']}곳이 맞지 않습니다"
    )
    return (
        f"확인 필요: 부서 제목 없이 시작하는 {_table(tables[0])}{particle(_table(tables[0]), '과/와')}"
        " 그 뒤 표들이 어느 부서의"
        f" 것인지 글만으로는 정할 수 없고 {basis}. 가능한 읽기: {listed}{more}. 1)로"
        " 읽었습니다. 맞는 부서를 corrections.toml에 [[evaluation.table]]"
        f' (department = "부서명", numbers = "{f["numbers"]}" 처럼 표 첫 지표의 숫자 줄)로'
        " 적어 정해 주세요."
    )


def _note_ignored(f: Mapping[str, Any]) -> str:
    context, text = f["context"], f["text"]
    if context == "plan":
        return f"표 밖의 주석 '{text}'{particle(text, '을/를')} 읽지 않았습니다."
    where = f"'{f['department']}' 부서 제목 뒤의" if context == "heading" else "Ⅲ의"
    return f"{where} 숫자 없는 글 '{text}'{particle(text, '을/를')} 무시했습니다."


def _internal(f: Mapping[str, Any]) -> str:
    if f["stage"] == "check":
        return f"{INTERNAL}: 검산 중 오류가 나서 일부 검산을 하지 못했습니다 ({f['error']})."
    return f"{INTERNAL}: 이 행을 해석하지 못해 건너뛰었습니다 ({f['error']})."


def _office_row_cells(f: Mapping[str, Any]) -> str:
    bad = f["not_numbers"]
    extra = f" (숫자가 아닌 칸: {', '.join(bad)})" if bad else ""
    return (
        f"가. 총괄 행 오류: {f['office']} 행의 숫자 칸이 {f['found']}개로 "
        f"{f['expected']}개가 아닙니다{extra}."
    )


def _shifted_indicator(f: Mapping[str, Any]) -> str:
    pg = f["policy_goal"]
    where = f" 정책사업목표 '{pg}'의" if pg is not None else ""
    return (
        f"칸 밀림: 성과지표 '{f['indicator']}' — 첫 칸에 있으나 현재{where} 성과지표로 읽었습니다."
    )


def _split(f: Mapping[str, Any]) -> str:
    indicator = f["indicator"]
    shown = (
        f"이 행의 성과지표 '{indicator}'{particle(indicator, '은/는')} 앞 목표에 넣고 "
        if indicator
        else ""
    )
    return (
        f"정책사업목표 분리: 한 칸에 합쳐진 '{f['name']}'{particle(f['name'], '을/를')} 앞 목표 '{f['current']}'{particle(f['current'], '과/와')} "
        f"새 목표 '{f['new']}'{particle(f['new'], '으로/로')} 나누었습니다 ({shown}다음 행부터 새 목표)."
    )


def _repeated(f: Mapping[str, Any]) -> str:
    label = COLUMN_LABELS[f["column"]]
    return (
        f"{label} 불일치: {f['office']} 전략목표의 {label}이 앞({f['first_line']}행)에서는 "
        f"{_plan(f['first'])}, 이 행에서는 {_plan(f['printed'])}입니다. 앞의 값을 씁니다."
    )


def _ratio(f: Mapping[str, Any]) -> str:
    (pn, pw), (cn, cw) = f["printed"], f["computed"]
    n, w, total = f["normal"], f["weak"], f["projects"]
    return (
        f"비율(%) 불일치: 인쇄 {_ev(pn)} / {_ev(pw)}, 계산 {_ev(cn)} / {_ev(cw)}"
        f" ({_count(n)}/{_count(total)}, {_count(w)}/{_count(total)})"
    )


_HOW_MANY = {2: "두", 3: "세", 4: "네", 5: "다섯"}


def _single_cell(f: Mapping[str, Any]) -> str:
    explained = f["explained"]
    count = _HOW_MANY.get(len(explained), str(len(explained)))
    cell = f["cell"]
    return (
        f"이 {count} 불일치는 {cell}{particle(cell, '이/가')} {format_number(f['value'])}이면 모두 "
        f"맞습니다 (문서 인쇄값 {format_number(f['printed'])}; 해당: {', '.join(explained)}). "
        "값은 바꾸지 않았습니다. 원본 문서를 확인하세요."
    )


def _seed_year(f: Mapping[str, Any]) -> str:
    year = f"'{f['year']}'"
    return (
        f"seeds 폴더 '{f['key']}'의 문서는 {f['year']}년 문서입니다 (폴더 이름은 {f['named']}년). "
        f"문서가 맞는지, 폴더 이름을 {year}{particle(year, '으로/로')} 바꿔야 하는지 확인하세요."
    )


def _department_mapped(f: Mapping[str, Any]) -> str:
    change, new = f["change"], f["new"]
    if change == "rename":
        return f"부서 이름 변경: '{f['old']}' → '{new}'"
    if change == "merge":
        return f"부서 통합: {', '.join(_quoted(o) for o in f['olds'])} → '{new}'"
    if change == "move":
        return f"사업 이동: '{f['old']}'의 '{f['project']}' → '{new}'"
    return f"소속 국 지정: '{new}' → {f['bureau']}"


def _quoted(name: str) -> str:
    return f"'{name}'"


def _carried_over(f: Mapping[str, Any]) -> str:
    year = f"{f['year']}년 " if f.get("year") else ""
    return (
        f"{year}평가 '{f['key']}'(리비전 {f['revision']})의 국·부서·사업·성과지표(단위, 방향) "
        f"{_count(f['indicators'])}개를 옮겨 왔습니다. 목표와 실적은 비어 있고, 전년도 목표·실적은 "
        "참고 열에 있습니다."
    )


def _blocks_not_read(f: Mapping[str, Any]) -> str:
    first, last = f["lines"]
    where = f"{first}행" if first == last else f"{first}–{last}행"
    if f.get("pages"):
        p0, p1 = f["pages"]
        where = f"PDF {p0}쪽, {where}" if p0 == p1 else f"PDF {p0}–{p1}쪽, {where}"
    text = f"'{f['text']}'"
    if f["reason"] == "no_header":
        return (
            f"Ⅲ의 표({where}, 첫 행 {text})에 열 제목 행(주요사업명, 성과지표, 단위, 목표, 실적, "
            "달성률)이 없어 성과지표 행으로 읽지 않았습니다. 이 표의 행이 빠졌는지 원문과 "
            "대조해 주세요."
        )
    what = f"표 {f['tables']}개" if f["tables"] else "글"
    return (
        f"'{f['section']}' 표 뒤에 문서의 표가 아닌 {what}({where}, 첫 줄 {text})"
        f"{particle(what, '이/가')} 있어 읽지 않았습니다. 문서의 행이 빠졌다면 원문과 대조해 "
        "주세요."
    )


_RENDER: dict[Kind, Callable[[Mapping[str, Any]], str]] = {
    Kind.NOTE: lambda f: str(f["text"]),
    Kind.SEED_YEAR_MISMATCH: _seed_year,
    Kind.NO_THRESHOLD: lambda f: (
        f"부진판정 기준이 없어 {format_number(f['threshold'])}%로 보았습니다."
    ),
    Kind.NO_SUMMARY_TABLE: lambda f: "Ⅰ 국별 사업추진 현황 표가 없습니다.",
    Kind.NO_DEPARTMENT_TABLES: lambda f: "Ⅲ 부서별 추진 현황이 없습니다.",
    Kind.SUMMARY_ROW_UNREADABLE: lambda f: f"Ⅰ 표의 '{f['bureau']}' 행 숫자를 읽을 수 없습니다.",
    Kind.HEADLESS_TABLE_PAIRED: lambda f: (
        f"부서 제목 없이 쪽 머리에 있는 표를 같은 쪽 끝의 제목 '{f['department']}'"
        f"({f['department_line']}행){particle(f['department'], '과/와')} 짝지었습니다."
    ),
    Kind.TABLE_CONTINUES: lambda f: (
        f"부서 제목이 없는 표를 앞 부서 '{f['department']}'의 계속으로 보았습니다."
    ),
    Kind.TABLE_WITHOUT_DEPARTMENT: lambda f: "부서 제목이 없는 표입니다.",
    Kind.DEPARTMENT_WITHOUT_ROWS: lambda f: f"'{f['department']}' 부서에 성과지표 행이 없습니다.",
    Kind.TEXT_IGNORED: lambda f: (
        f"'{f['department']}' 표의 숫자 없는 글 '{f['text']}'{particle(f['text'], '을/를')} 무시했습니다."
    ),
    Kind.NOTE_IGNORED: _note_ignored,
    Kind.TABLE_READINGS_AMBIGUOUS: _readings_ambiguous,
    Kind.TABLE_CORRECTION: lambda f: (
        f"보정 적용: {_reading(f['tables'], f['departments'])}"
        " (corrections.toml의 [[evaluation.table]])"
    ),
    Kind.TABLE_CORRECTION_UNUSED: lambda f: (
        "보정 항목이 문서와 맞지 않아 쓰이지 않았습니다: "
        + (
            f"표 {f['department']} '{f['numbers']}'"
            if f["problem"] == "no_table"
            else "[[evaluation.table]]의 부서가 이 표들의 가능한 읽기에 없습니다."
        )
    ),
    Kind.ROW_UNCERTAIN: _row_uncertain,
    Kind.ROW_CORRECTION: _row_correction,
    Kind.CELL_UNREADABLE: lambda f: (
        f"{f['department']} '{f['indicator']}'의 {_CELL_COLUMNS.get(f['column'], f['column'])} "
        f"칸을 숫자로 읽을 수 없어 비워 두었습니다: '{f['text']}'"
    ),
    Kind.CORRECTION_UNUSED: lambda f: (
        f"보정 항목이 문서와 맞지 않아 쓰이지 않았습니다: {f['department']} '{f['numbers']}'"
    ),
    Kind.BUREAU_BOUNDARY: lambda f: (
        f"Ⅲ의 부서별 사업 수로는 '{f['bureau']}'({_count(f['printed'])}개) 경계가 맞지 않아"
        " 가장 가까운 부서에서 나누었습니다."
    ),
    Kind.DEPARTMENT_NOT_IN_ORG: lambda f: f"조직도에 없는 부서입니다: {f['department']}",
    Kind.RATE_MISMATCH: lambda f: (
        f"달성률 불일치: {f['department']} '{f['indicator']}' 인쇄 {_ev(f['printed'])}, "
        f"계산 {_ev(f['computed'])} (목표 {_ev(f['target'])}, 실적 {_ev(f['actual'])})"
    ),
    Kind.BUREAU_COUNT_MISMATCH: lambda f: (
        f"{f['bureau']} {COLUMN_LABELS[f['column']]}: Ⅰ 표 {_count(f['printed'])}, "
        f"Ⅲ에서 계산 {_count(f['computed'])}"
    ),
    Kind.TOTAL_VS_BUREAUS: lambda f: (
        f"Ⅰ 표 계 {COLUMN_LABELS[f['column']]}: 인쇄 {_count(f['printed'])}, "
        f"국별 합 {_count(f['computed'])}"
    ),
    Kind.TOTAL_VS_TABLES: lambda f: (
        f"Ⅰ 표 계 {COLUMN_LABELS[f['column']]}: 인쇄 {_count(f['printed'])}, "
        f"Ⅲ에서 계산 {_count(f['computed'])}"
    ),
    Kind.RATIO_MISMATCH: _ratio,
    Kind.BAD_CORRECTIONS: _bad_corrections,
    Kind.INTERNAL_ERROR: _internal,
    Kind.NAME_CORRECTION: lambda f: (
        f"보정 적용: {ROLE_LABELS[f['role']]} '{f['name']}' → '{f['fixed']}' "
        f"('{f['find']}' → '{f['replace']}')"
    ),
    Kind.OFFICE_ROW_WITHOUT_NAME: lambda f: (
        f"가. 총괄 행 오류: 실국명이 없는 숫자 행을 건너뛰었습니다: {' '.join(f['cells'])}"
    ),
    Kind.OFFICE_ROW_WITHOUT_NUMBERS: lambda f: (
        f"가. 총괄 행 오류: 숫자가 없는 행을 건너뛰었습니다: {' '.join(f['cells'])}"
    ),
    Kind.OFFICE_ROW_CELLS: _office_row_cells,
    Kind.TOTAL_ROW_REPEATED: lambda f: (
        f"가. 총괄 행 오류: 계 행이 두 번 나옵니다 ({f['first_line']}행과 이 행). 처음 것을 씁니다."
    ),
    Kind.GOAL_ROW_EXTRA_CELLS: lambda f: (
        "나. 성과계획 행 오류: 칸이 많아 뒤쪽 칸을 버렸습니다: " + " / ".join(f["cells"])
    ),
    Kind.GOAL_ROW_EXTRA_NUMBERS: lambda f: (
        "나. 성과계획 행 오류: 숫자 칸이 세 개 이상이어서 앞의 두 칸만 "
        "예산액과 비중으로 읽었습니다: " + ", ".join(f["cells"])
    ),
    Kind.GOAL_WITHOUT_OFFICE: lambda f: (
        f"나. 성과계획 행 오류: 전략목표 '{f['name']}'에 '(실국명)'이 없어 실국을 알 수 없습니다."
    ),
    Kind.NUMBERS_WITHOUT_GOAL: lambda f: (
        "나. 성과계획 행 오류: 전략목표 없이 나온 예산액·비중을 건너뛰었습니다."
    ),
    Kind.ROW_WITHOUT_GOAL: lambda f: (
        "나. 성과계획 행 오류: 전략목표명 없이 시작하는 행이 있어 실국을 알 수 없는 "
        "전략목표에 넣었습니다."
    ),
    Kind.INDICATOR_WITHOUT_POLICY_GOAL: lambda f: (
        f"나. 성과계획 행 오류: 성과지표 '{f['indicator']}' 앞에 정책사업목표명이 없어 이름 없는 "
        "정책사업목표에 넣었습니다."
    ),
    Kind.SHIFTED_ROW: lambda f: (
        f"칸 밀림: 정책사업목표 '{f['policy_goal']}', 성과지표 '{f['indicator']}' — 한 칸 "
        "왼쪽으로 밀려 있어 제자리로 옮겨 읽었습니다."
    ),
    Kind.SHIFTED_INDICATOR: _shifted_indicator,
    Kind.GOAL_REJOINED: lambda f: (
        f"이름 통일: {f['office']} 전략목표가 {f['first_line']}행 뒤에 떨어져 다시 나와 "
        "같은 전략목표로 이어 붙였습니다."
    ),
    Kind.GOAL_RENAMED: lambda f: (
        f"이름 통일: 다시 적힌 전략목표명 '{f['name']}'{particle(f['name'], '을/를')} {f['first_line']}행의 "
        f"'{f['first_name']}'{particle(f['first_name'], '과/와')} 같은 전략목표로 보았습니다."
    ),
    Kind.POLICY_GOAL_SPACING: lambda f: (
        f"이름 통일: 정책사업목표명 '{f['name']}'{particle(f['name'], '을/를')} 띄어쓰기만 다른 "
        f"{f['first_line']}행의 '{f['first_name']}'{particle(f['first_name'], '과/와')} 같은 목표로 보았습니다."
    ),
    Kind.POLICY_GOAL_RENAMED: lambda f: (
        f"이름 통일: 다시 적힌 정책사업목표명 '{f['name']}'{particle(f['name'], '을/를')} {f['first_line']}행의 "
        f"'{f['first_name']}'{particle(f['first_name'], '과/와')} 같은 목표로 보았습니다."
    ),
    Kind.POLICY_GOAL_SPLIT: _split,
    Kind.REPEATED_VALUE_MISMATCH: _repeated,
    Kind.COUNT_CHECK_SKIPPED: lambda f: (
        f"개수 대조 생략: {_TABLE_LABELS[f['missing']]} 표가 없어 실국별 "
        "정책사업목표·지표 개수를 대조하지 못했습니다."
    ),
    Kind.NO_TOTAL_ROW: lambda f: "계 합계 확인 불가: '가. 총괄'에 계 행이 없습니다.",
    Kind.TOTAL_MISMATCH: lambda f: (
        f"계 합계 불일치: {COLUMN_LABELS[f['column']]} — 계 행 {_plan(f['printed'])}, "
        f"실국 행의 합 {_plan(f['computed'])}"
    ),
    Kind.CHANGE_MISMATCH: lambda f: (
        f"비교증감 불일치: {f['office']} — 인쇄된 비교증감 {_plan(f['printed'])}, "
        f"예산액 {_plan(f['budget'])} − 전년도예산액 {_plan(f['prev_budget'])} "
        f"= {_plan(f['computed'])}"
    ),
    Kind.COUNT_MISMATCH: lambda f: (
        f"개수 불일치: {f['office']} {COLUMN_LABELS[f['column']]} — '가. 총괄' "
        f"{_plan(f['printed'])}, '나. 성과계획 및 자원비중'에서 센 수 {_plan(f['computed'])}"
    ),
    Kind.OFFICE_NOT_IN_SUMMARY: lambda f: (
        f"개수 불일치: '나. 성과계획 및 자원비중'의 실국 '{f['office'] or '(없음)'}'{particle(f['office'] or '(없음)', '은/는')} "
        "'가. 총괄'에 없습니다."
    ),
    Kind.SHARE_MISMATCH: lambda f: (
        f"비중 불일치: {f['office']} 전략목표 — 인쇄된 비중 {_share(f['printed'])}, 예산액 "
        f"{_plan(f['budget'])} ÷ 예산액 합계 {_plan(f['total'])} × 100 = {_share(f['computed'])}"
    ),
    Kind.SINGLE_CELL: _single_cell,
    Kind.CARRIED_OVER: _carried_over,
    Kind.DEPARTMENT_MAPPED: _department_mapped,
    Kind.NAME_WITH_PAST_YEAR: lambda f: (
        f"{f['department']} / {f['project']}"
        + (f" / {f['indicator']}" if f.get("indicator") else "")
        + f": {f['what']} 이름에 {f['year']}년이 들어 있습니다. 이름은 그대로 옮겼으니 "
        f"{f['new_year']}년에 맞는지 확인하세요."
    ),
    Kind.PDF_READ_AS_TEXT: lambda f: (
        "PDF의 표를 칸으로 읽지 못해 쪽의 글자를 이어 텍스트 문서로 읽었습니다"
        + (f" (표 {f['tables']}개: {f['reason']})" if f["reason"] else "")
        + ". 표의 줄바꿈을 추정했으니 결과를 원문과 대조해 주세요."
    ),
    Kind.GOALS_TOTAL_MISMATCH: lambda f: (
        f"계 합계 불일치: '나. 성과계획 및 자원비중'의 계 행 예산액 {_plan(f['printed'])}, "
        f"전략목표 예산액의 합 {_plan(f['computed'])}"
    ),
    Kind.BLOCKS_NOT_READ: _blocks_not_read,
    Kind.REFERENCE_COLUMNS: lambda f: (
        "Ⅲ 부서별 표에 참고 열 "
        + ", ".join(f"'{c}'" for c in f["columns"])
        + "이 있어 읽지 않았습니다. 목표·실적은 제목이 '목표'·'실적'인 열에서 읽었습니다."
    ),
    Kind.PDF_TEXT_OVERFLOW: lambda f: (
        f"PDF {f['page']}쪽 표에서 칸보다 긴 글이 칸 밖으로 넘쳐 인쇄되어 이웃 칸의 글과 "
        "섞여 읽혔을 수 있습니다: "
        + ", ".join(f"'{t}'" for t in f["texts"])
        + ". 이 칸들의 이름을 원문과 대조해 주세요."
    ),
    Kind.PDF_MARK_UNEXPLAINED: lambda f: (
        f"PDF {f['page']}쪽의 '{f['text']}' 칸에 표시(※)가 있으나 쪽의 각주에서 문서 인쇄값을 "
        "찾지 못해 숫자로 읽지 않았습니다."
    ),
}


def _frozen(value: Any) -> FieldValue:
    """Lists (from a caller or from JSON) become tuples, so a finding is hashable and two
    equal findings compare equal however they were made."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


class Finding:
    """One finding: a `Kind`, the source line (None when it is about the whole document), and
    the kind's fields. ``Finding(line, "text")`` is a free-text `Kind.NOTE`."""

    __slots__ = ("kind", "line", "_fields")

    kind: Kind
    line: int | None
    _fields: tuple[tuple[str, FieldValue], ...]

    def __init__(
        self,
        line: int | None,
        message: str | None = None,
        *,
        kind: Kind | None = None,
        **fields: Any,
    ) -> None:
        if kind is None:
            kind, fields = Kind.NOTE, {"text": "" if message is None else str(message)}
        elif message is not None:
            raise TypeError("a typed finding takes fields, not a message")
        object.__setattr__(self, "kind", Kind(kind))
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "_fields", tuple((k, _frozen(v)) for k, v in fields.items()))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Finding is immutable")

    def __reduce__(self) -> tuple[Any, ...]:  # copy, deepcopy and pickle rebuild through init
        return (_rebuild, (self.line, self.kind, self._fields))

    @property
    def fields(self) -> dict[str, FieldValue]:
        """The kind's structured fields (a copy)."""
        return dict(self._fields)

    def get(self, name: str, default: Any = None) -> Any:
        """One field, or ``default``."""
        for key, value in self._fields:
            if key == name:
                return value
        return default

    @property
    def message(self) -> str:
        """The Korean sentence for staff, rendered from the fields."""
        return render(self.kind, dict(self._fields))

    def replace(self, **fields: Any) -> Finding:
        """The same finding with some fields changed."""
        return Finding(self.line, kind=self.kind, **{**dict(self._fields), **fields})

    def _key(self) -> tuple[Any, ...]:
        return (self.kind, self.line, self._fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Finding) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._fields)
        return f"Finding({self.line!r}, kind={self.kind.name}{', ' if fields else ''}{fields})"


def _rebuild(line: int | None, kind: Kind, fields: tuple[tuple[str, Any], ...]) -> Finding:
    return Finding(line, kind=kind, **dict(fields))


def render(kind: Kind, fields: Mapping[str, Any]) -> str:
    """The Korean message of a finding of ``kind`` with ``fields``."""
    return _RENDER[kind](fields)


def restate_threshold(findings: list[Finding], threshold: Number) -> list[Finding]:
    """The findings with the "no threshold printed" one stating ``threshold``, the threshold
    actually applied (the template's default, which the parser did not know)."""
    return [w.replace(threshold=threshold) if w.kind is Kind.NO_THRESHOLD else w for w in findings]
