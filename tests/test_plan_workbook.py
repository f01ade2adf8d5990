"""The plan workbook (가 총괄, 나 성과계획 및 자원비중) built from the seed, read back with
openpyxl: formulas as text, cached values, merges, comments, print setup, protection."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from xlgen.layouts import plan_goals, plan_overview
from xlgen.layouts._base import lines_needed, row_height
from xlgen.model import Plan, PolicyGoal, StrategicGoal
from xlgen.rules import excel_round
from xlgen.seeds import parse_seed
from xlgen.templates import load_template
from xlgen.workbook import build_plan

TEMPLATE = load_template("plan")
OVERVIEW = TEMPLATE["overview"]["sheet"]
GOALS = TEMPLATE["goals"]["sheet"]
COLS = "ABCDEFGH"
TOTAL = plan_overview.TOTAL_ROW + 1  # 1-based sheet rows
FIRST_OFFICE = plan_overview.FIRST_OFFICE_ROW + 1
FIRST_GOAL_ROW = plan_goals.FIRST_DATA_ROW + 1


@pytest.fixture(scope="module")
def doc() -> Plan:
    return parse_seed("plan-seogu").document


@pytest.fixture(scope="module")
def built(doc: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("plan")
    return build_plan(
        doc, tmp_path / "plan.xlsx", TEMPLATE, key="plan-seogu", revision=1, source="x.txt"
    )


@pytest.fixture(scope="module")
def formulas(built: Path):
    return load_workbook(built)


@pytest.fixture(scope="module")
def values(built: Path):
    return load_workbook(built, data_only=True)


def _formula_cells(ws):
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                yield c


def _merged_in_column(ws, col: int, first_row: int, last_row: int) -> list:
    return [
        m
        for m in ws.merged_cells.ranges
        if m.min_col == m.max_col == col and m.min_row >= first_row and m.max_row <= last_row
    ]


def _last_goal_row(doc: Plan) -> int:
    rows = sum(sum(max(1, len(p.indicators)) for p in g.policy_goals) or 1 for g in doc.goals)
    return FIRST_GOAL_ROW + rows - 1


# --------------------------------------------------------------------------- 가. 총괄


def test_overview_header_is_laid_out_as_printed(formulas) -> None:
    ws = formulas[OVERVIEW]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {
        "A3:A5",
        "B3:E3",
        "F3:H3",
        "B4:B5",
        "C4:D4",
        "E4:E5",
        "F4:F5",
        "G4:G5",
        "H4:H5",
    } <= merged
    assert ws["A1"].value == "가. 총괄"
    assert ws["A2"].value == "(단위: 개, 백만원)"
    assert ws["A2"].alignment.horizontal == "right"
    assert [ws["A3"].value, ws["B3"].value, ws["F3"].value] == ["실국명", "성과계획", "예산액"]
    assert [ws["B4"].value, ws["C4"].value, ws["C5"].value, ws["D5"].value, ws["E4"].value] == [
        "전략목표수",
        "정책사업목표",
        "개수",
        "지표수",
        "단위사업수",
    ]
    assert [ws["F4"].value, ws["G4"].value, ws["H4"].value] == [
        "예산액",
        "전년도예산액",
        "비교증감",
    ]
    assert ws["A3"].fill.fgColor.rgb.endswith("D9E1F2")
    assert ws.print_title_rows == "$3:$5"


def test_overview_total_row_is_sum_first(doc: Plan, formulas, values) -> None:
    ws, wv = formulas[OVERVIEW], values[OVERVIEW]
    last = FIRST_OFFICE + len(doc.offices) - 1
    assert ws[f"A{TOTAL}"].value == "계"
    assert ws[f"A{FIRST_OFFICE}"].value == doc.offices[0].office
    t = doc.total
    printed = [
        t.strategic_goals,
        t.policy_goals,
        t.indicators,
        t.unit_projects,
        t.budget,
        t.prev_budget,
        t.change,
    ]
    computed = []
    for col in COLS[1:]:
        assert ws[f"{col}{TOTAL}"].value == f"=SUM({col}{FIRST_OFFICE}:{col}{last})"
        computed.append(wv[f"{col}{TOTAL}"].value)
    assert computed == [9, 60, 160, 172, 357649, 342339, 15310]
    differs = {col for col, a, b in zip(COLS[1:], computed, printed, strict=True) if a != b}
    # 전년도예산액: printed 342,340, the offices add up to 342,339. 비교증감: the printed
    # 15,309 is the sum of the printed changes, among them 동주민센터's 200 (computed 201).
    assert differs == {"G", "H"}
    assert "342,340" in ws[f"G{TOTAL}"].comment.text and "342,339" in ws[f"G{TOTAL}"].comment.text
    assert "15,309" in ws[f"H{TOTAL}"].comment.text and "15,310" in ws[f"H{TOTAL}"].comment.text
    for col in "BCDEF":
        assert ws[f"{col}{TOTAL}"].comment is None


def test_overview_change_is_budget_minus_previous(doc: Plan, formulas, values) -> None:
    ws, wv = formulas[OVERVIEW], values[OVERVIEW]
    for i, office in enumerate(doc.offices):
        r = FIRST_OFFICE + i
        assert ws[f"A{r}"].value == office.office
        assert [wv[f"{c}{r}"].value for c in "BCDEFG"] == [
            office.strategic_goals,
            office.policy_goals,
            office.indicators,
            office.unit_projects,
            office.budget,
            office.prev_budget,
        ]
        assert ws[f"H{r}"].value == f"=F{r}-G{r}"
        assert wv[f"H{r}"].value == office.budget - office.prev_budget
        comment = ws[f"H{r}"].comment
        if office.office == "동주민센터":
            assert wv[f"H{r}"].value == 201
            assert comment is not None and comment.text == "문서 인쇄값: 200 / 계산값: 201"
        else:
            assert comment is None, office.office


def test_overview_formats(doc: Plan, formulas) -> None:
    ws = formulas[OVERVIEW]
    integer = TEMPLATE["number_formats"]["integer"]
    assert integer == '#,##0;"△"#,##0'
    # Issue 15: a figure printed otherwise in the document carries the mark ("342,339※").
    marked = '#,##0"※";"△"#,##0"※"'
    for col in "BCDEFGH":
        for r in (TOTAL, FIRST_OFFICE):
            c = ws[f"{col}{r}"]
            assert c.number_format == (marked if c.comment else integer), c.coordinate
    assert ws[f"G{TOTAL}"].number_format == marked
    assert ws[f"B{FIRST_OFFICE}"].alignment.horizontal == "center"
    assert ws[f"F{FIRST_OFFICE}"].alignment.horizontal == "right"
    assert ws[f"A{FIRST_OFFICE}"].alignment.horizontal == "distributed"
    assert ws[f"A{FIRST_OFFICE}"].border.left.style == "thin"
    assert ws[f"H{FIRST_OFFICE}"].border.bottom.style == "thin"


# --------------------------------------------------------------------------- 나. 성과계획 및 자원비중


def test_goals_one_row_per_indicator_with_merges(doc: Plan, formulas, values) -> None:
    ws = formulas[GOALS]
    first, last = FIRST_GOAL_ROW, _last_goal_row(doc)
    assert last - first + 1 == len(doc.indicator_rows()) == 160
    assert [ws[f"C{r}"].value for r in range(first, last + 1)] == [
        n for _, _, n in doc.indicator_rows()
    ]
    assert ws[f"A{last + 1}"].value == "계"

    # Issue 15: a goal is merged once per printed page it spans (cut at the page breaks),
    # its label repeated at the top of each page; a label that wraps puts its office on a
    # line of its own.
    goal_merges = sorted(_merged_in_column(ws, 1, first, last), key=lambda m: m.min_row)
    page_starts = [b.id + 1 for b in ws.row_breaks.brk]  # 1-based first rows of pages
    width = TEMPLATE["goals"]["widths"][0]
    assert len(doc.goals) == 9
    expected_merges = []
    row = first
    for goal in doc.goals:
        size = sum(len(p.indicators) for p in goal.policy_goals)
        pieces = plan_goals.page_pieces(row, row + size - 1, page_starts)
        for start, end in pieces:
            label = ws.cell(start, 1).value
            assert label == plan_goals.goal_label(goal, width)
            assert label.replace("\n", " ") == f"{goal.name} ({goal.office})"
            if end > start:
                expected_merges.append((start, end))
        row += size
    assert row == last + 1
    assert [(m.min_row, m.max_row) for m in goal_merges] == expected_merges
    assert len(expected_merges) > len(doc.goals)  # goals do run over page breaks
    for col in (4, 5):  # 예산액, 비중: once per strategic goal
        spans = sorted((m.min_row, m.max_row) for m in _merged_in_column(ws, col, first, last))
        assert spans == [(m.min_row, m.max_row) for m in goal_merges]

    policy_merges = _merged_in_column(ws, 2, first, last)
    policies = [p for g in doc.goals for p in g.policy_goals]
    assert len(policy_merges) == sum(1 for p in policies if len(p.indicators) > 1)
    names = [ws[f"B{r}"].value for r in range(first, last + 1) if ws[f"B{r}"].value]
    assert names == [p.name for p in policies]
    assert ws.print_title_rows == "$3:$4"
    assert {"A3:A4", "B3:B4", "C3:C4", "D3:E3"} <= {str(m) for m in ws.merged_cells.ranges}


def test_goals_budget_and_share_formulas(doc: Plan, formulas, values) -> None:
    ws, wv = formulas[GOALS], values[GOALS]
    first, last = FIRST_GOAL_ROW, _last_goal_row(doc)
    rng = f"$D${first}:$D${last}"
    total = sum(g.budget for g in doc.goals)
    row = first
    shares = []
    for goal in doc.goals:
        assert wv[f"D{row}"].value == goal.budget
        formula = ws[f"E{row}"].value
        assert formula == f'=IF(OR(D{row}="",SUM({rng})=0),"",ROUND(D{row}/SUM({rng})*100,2))'
        cached = wv[f"E{row}"].value
        assert cached == excel_round(goal.budget / total * 100, 2)
        assert abs(cached - goal.share) <= 0.01, goal.office
        assert ws[f"E{row}"].number_format == TEMPLATE["number_formats"]["share"]
        assert ws[f"E{row}"].comment is None  # every printed share agrees in the seed
        shares.append(cached)
        row += sum(len(p.indicators) for p in goal.policy_goals)
    t = last + 1
    assert ws[f"D{t}"].value == f"=SUM(D{first}:D{last})"
    assert wv[f"D{t}"].value == total == 279948
    assert ws[f"E{t}"].value == f"=SUM(E{first}:E{last})"
    assert wv[f"E{t}"].value == pytest.approx(sum(shares)) == pytest.approx(99.99)


def test_goals_rows_tall_enough_and_pages_break_between_policy_goals(doc: Plan, formulas) -> None:
    ws = formulas[GOALS]
    widths = TEMPLATE["goals"]["widths"]
    first, last = FIRST_GOAL_ROW, _last_goal_row(doc)

    def height(r: int) -> float:
        return ws.row_dimensions[r].height or 15

    for r in range(first, last + 1):
        assert height(r) >= row_height(TEMPLATE, lines_needed(ws[f"C{r}"].value, widths[2])) - 0.01
    for col, width in ((1, widths[0]), (2, widths[1])):
        for m in _merged_in_column(ws, col, first, last):
            text = ws.cell(m.min_row, col).value
            need = row_height(TEMPLATE, lines_needed(text, width))
            assert sum(height(r) for r in range(m.min_row, m.max_row + 1)) >= need - 0.01
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks, "나 spans several pages"
    policy_starts = {m.min_row for m in _merged_in_column(ws, 2, first, last)}
    policy_starts |= {r for r in range(first, last + 1) if ws[f"B{r}"].value}
    for b in breaks:
        assert b + 1 in policy_starts  # a break falls after row b (1-based)


# --------------------------------------------------------------------------- both sheets


@pytest.mark.parametrize("sheet", [OVERVIEW, GOALS])
def test_every_formula_has_a_cached_value(sheet: str, formulas, values) -> None:
    cells = list(_formula_cells(formulas[sheet]))
    assert cells
    for c in cells:
        cached = values[sheet][c.coordinate].value
        assert cached is not None and cached != 0, (sheet, c.coordinate, c.value)


@pytest.mark.parametrize("sheet", [OVERVIEW, GOALS])
def test_print_setup_and_protection(sheet: str, formulas) -> None:
    ws = formulas[sheet]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.oddFooter.center.text == "- &P -"
    assert ws.protection.sheet is True
    assert not ws.protection.password
    assert ws.print_title_rows


def test_edge_cases_policy_without_indicators_blank_budget_and_printed_share(
    tmp_path: Path,
) -> None:
    plan = Plan(
        title="t",
        org=None,
        year=None,
        goals=[
            StrategicGoal(
                "가국",
                "목표 가",
                300,
                75.0,
                [PolicyGoal("정책 1", []), PolicyGoal("정책 2", ["지표 a", "지표 b"])],
            ),
            StrategicGoal("나국", "목표 나", 100, 20.0, [PolicyGoal("정책 3", ["지표 c"])]),
            StrategicGoal("다국", "목표 다", None, None, []),
        ],
    )
    path = build_plan(plan, tmp_path / "p.xlsx", TEMPLATE, key="k", revision=1)
    ws, wv = load_workbook(path)[GOALS], load_workbook(path, data_only=True)[GOALS]
    r = FIRST_GOAL_ROW
    assert [ws[f"B{r + i}"].value for i in range(3)] == ["정책 1", "정책 2", None]
    assert ws[f"C{r}"].value in (None, "")
    assert ws[f"A{r}"].value == "목표 가 (가국)"
    assert {str(m) for m in _merged_in_column(ws, 1, r, r + 4)} == {f"A{r}:A{r + 2}"}
    assert wv[f"E{r}"].value == 75.0
    assert wv[f"E{r + 3}"].value == 25.0
    assert ws[f"E{r + 3}"].comment.text == "문서 인쇄값: 20.00 / 계산값: 25.00"
    assert ws[f"A{r + 4}"].value == "목표 다 (다국)"
    assert wv[f"E{r + 4}"].value in ("", None)  # blank budget: blank share, not 0
    assert ws[f"A{r + 5}"].value == "계"
    assert wv[f"D{r + 5}"].value == 400


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_recalculation_matches_cached_values(
    built: Path, formulas, values, tmp_path: Path, doc: Plan
) -> None:
    from support import libreoffice

    if libreoffice.find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    recalculated = load_workbook(
        libreoffice.recalculate(built, tmp_path / "recalc"), data_only=True
    )
    checked = 0
    for sheet in (OVERVIEW, GOALS):
        for c in _formula_cells(formulas[sheet]):
            ours = values[sheet][c.coordinate].value
            theirs = recalculated[sheet][c.coordinate].value
            if isinstance(ours, (int, float)):
                assert theirs == pytest.approx(ours, abs=1e-9), (sheet, c.coordinate, c.value)
            else:
                assert (theirs or "") == (ours or ""), (sheet, c.coordinate, c.value)
            checked += 1
    # 가: 계 row and 비교증감; 나: 비중 per goal and the 계 row, and (issue 15) 예산액 and
    # 비중 repeated as text at the top of each further page a goal runs onto.
    placement = plan_goals.place(doc, TEMPLATE, plan_goals.print_scale(TEMPLATE))
    repeats = sum(
        len(plan_goals.page_pieces(start, end, placement.page_breaks)) - 1
        for start, end, _ in placement.goal_spans
    )
    assert repeats > 0
    assert checked == 7 + 10 + 9 + 2 + 2 * repeats
