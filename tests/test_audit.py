"""The auditor (xlgen.audit): one cell whose other value would make several of the
document's checks agree, found from the arithmetic relations alone, and never applied."""

from __future__ import annotations

import copy
from pathlib import Path

import openpyxl
import pytest

from xlgen.audit import Relation, audit, explain, relations_of
from xlgen.build import build
from xlgen.findings import Kind
from xlgen.model import Evaluation, OfficeRow, Plan, SummaryRow
from xlgen.seeds import parse_seed
from xlgen.store import Store
from xlgen.templates import load_template


@pytest.fixture(scope="module")
def plan_doc() -> Plan:
    doc = parse_seed("plan-seogu").document
    assert isinstance(doc, Plan)
    return doc


@pytest.fixture(scope="module")
def eval_doc() -> Evaluation:
    doc = parse_seed("2019").document
    assert isinstance(doc, Evaluation)
    return doc


def test_plan_seed_one_cell_explains_two_disagreements(plan_doc: Plan) -> None:
    before = copy.deepcopy(plan_doc)
    (e,) = explain(relations_of(plan_doc))
    assert e.cell.label == "동주민센터 전년도예산액"
    assert (e.cell.value, e.value) == (2230, 2231)
    assert e.explained == ("동주민센터 비교증감", "계 전년도예산액")
    (f,) = audit(plan_doc)
    assert f.kind is Kind.SINGLE_CELL
    assert f.fields == {
        "cell": "동주민센터 전년도예산액",
        "printed": 2230,
        "value": 2231,
        "explained": ("동주민센터 비교증감", "계 전년도예산액"),
    }
    assert f.message.startswith("이 두 불일치는 동주민센터 전년도예산액이 2,231이면 모두 맞습니다")
    assert f.line == next(o.line for o in plan_doc.offices if o.office == "동주민센터")
    assert plan_doc == before  # nothing was changed


def test_evaluation_seed_has_no_single_cell_explanation(eval_doc: Evaluation) -> None:
    # Its 13 rates and the 비율 row disagree, but no one printed cell explains two of them:
    # the 비율 99 would need 정상추진 152 or 153, which breaks 154 = 151 + 3.
    relations = relations_of(eval_doc)
    failing = [r for r in relations if not r.holds({})]
    assert len(failing) == 13 + 2
    assert audit(eval_doc) == []


def _plan(rows: list[tuple[str, int, int, int]], total: tuple[int, int, int], **counts) -> Plan:
    def row(name: str, budget: int, prev: int, change: int, line: int, n: int = 1) -> OfficeRow:
        return OfficeRow(name, n, n, counts.get(name, n), n, budget, prev, change, line)

    offices = [row(n, b, p, c, 10 + i) for i, (n, b, p, c) in enumerate(rows)]
    return Plan(
        title="t",
        org=None,
        year=None,
        offices=offices,
        total=row("계", *total, line=5, n=len(rows)),
        goals=[],
    )


def test_plan_budget_cell_explains_two() -> None:
    # 가국's 예산액 printed 500 where 550 makes its 비교증감 and the 계 예산액 agree.
    plan = _plan([("가국", 500, 400, 150), ("나국", 300, 300, 0)], (850, 700, 150))
    (e,) = explain(relations_of(plan))
    assert (e.cell.label, e.value) == ("가국 예산액", 550)
    assert e.explained == ("가국 비교증감", "계 예산액")


def test_a_printed_change_can_be_the_cell() -> None:
    # 가국 비교증감 printed 99: its row says 100, and so does the 계 비교증감 (100 = Σ).
    plan = _plan([("가국", 500, 400, 99), ("나국", 300, 300, 0)], (800, 700, 100))
    (e,) = explain(relations_of(plan))
    assert (e.cell.label, e.cell.value, e.value) == ("가국 비교증감", 99, 100)
    assert e.explained == ("가국 비교증감", "계 비교증감")


def test_a_single_disagreement_is_not_explained() -> None:
    plan = _plan([("가국", 500, 400, 100), ("나국", 300, 300, 0)], (800, 700, 100), 가국=2)
    assert [r.what for r in relations_of(plan) if not r.holds({})] == ["계 지표수"]
    assert audit(plan) == []


def test_a_cell_whose_fix_breaks_another_check_is_not_an_explanation() -> None:
    # Two disagreements (가국's and 계's 비교증감), but every cell that would mend one of
    # them breaks a check that holds now (a column sum).
    plan = _plan([("가국", 500, 400, 101), ("나국", 300, 300, 0)], (800, 700, 101))
    failing = [r.what for r in relations_of(plan) if not r.holds({})]
    assert failing == ["가국 비교증감", "계 비교증감"]
    assert audit(plan) == []


def test_evaluation_summary_count_explains_two() -> None:
    # A bureau's printed 계 16 where 16 + 1 and the 사업 수 row (27 − 10) both say 17.
    summary = [SummaryRow("가국", 16, 16, 1, line=3), SummaryRow("나국", 10, 10, 0, line=4)]
    doc = Evaluation(
        title="t",
        org=None,
        year=None,
        summary=summary,
        summary_total=SummaryRow("사업 수", 27, 26, 1, line=2),
        summary_ratio=(96, 4),
    )
    (e,) = explain(relations_of(doc))
    assert (e.cell.label, e.cell.value, e.value) == ("가국 계", 16, 17)
    assert e.explained == ("가국 계", "사업 수 계")


def test_rate_relation_solves_with_rounding() -> None:
    from xlgen.audit import Cell

    rate, actual, target = Cell("달성률", 150), Cell("실적", 37), Cell("목표", 26)
    relation = Relation("r", "rate", (rate, actual, target))
    assert not relation.holds({})
    assert relation.solve(actual) == [39]  # 39 / 26 = 150 %
    assert relation.solve(target) == []  # no whole 목표 gives 150 from 37
    assert relation.solve(rate) == [142]
    assert explain([relation]) == []


def test_findings_sheet_says_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store.sqlite") as store:
        path = build("plan-seogu", store=store, out_dir=tmp_path / "out").path
    template = load_template("plan")
    ws = openpyxl.load_workbook(path)[template["findings"]["sheet"]]
    texts = [ws.cell(r, 4).value for r in range(4, ws.max_row + 1)]
    said = [t for t in texts if t and t.startswith("이 두 불일치는")]
    assert said == [
        "이 두 불일치는 동주민센터 전년도예산액이 2,231이면 모두 맞습니다 "
        "(문서 인쇄값 2,230; 해당: 동주민센터 비교증감, 계 전년도예산액). "
        "값은 바꾸지 않았습니다. 원본 문서를 확인하세요."
    ]
    row = texts.index(said[0]) + 4
    assert ws.cell(row, 2).value == "한 칸 설명"
