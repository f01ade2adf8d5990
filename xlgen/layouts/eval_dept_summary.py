"""Ⅰ of a department's own workbook: that department alone.

Its projects with their 사업 달성률 and 판정 (references to the Ⅲ sheet, so they follow
what the department types), its counts of 정상추진 and 부진 and of 실적 still blank
(formulas over Ⅲ's key columns), and in words its share of its bureau, as the store held
it when the workbook was built. No bureau row: a bureau's name over one department's
projects would misstate the bureau.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..model import Evaluation
from ..numbers import format_number
from ..rules import bureau_counts, is_weak, percent, rate_of
from . import eval_departments as dep
from ._base import Styles, cell, fill, lines_needed, page_setup, quote_sheet, row_height, set_widths

DEFAULTS: dict[str, Any] = {
    "sheet": "Ⅰ 부서현황",
    "title": "Ⅰ. {department} 사업추진 현황",
    "unit": "(단위: 개, %)",
    "headers": ["주요사업명", "사업 달성률(%)", "판정"],
    "widths": [46, 14, 12],
}


def conf_of(template: dict[str, Any]) -> dict[str, Any]:
    """The template's [department_summary] section over the defaults."""
    return {**DEFAULTS, **template.get("department_summary", {})}


@dataclass(frozen=True)
class BureauShare:
    """A bureau of the whole document, as the department's workbook describes it."""

    bureau: str
    projects: int  # the bureau's projects in the whole document
    normal: int
    weak: int
    mine: int  # of them, the department's


def shares(whole: Evaluation, department: str, threshold: float) -> list[BureauShare]:
    """The department's share of each bureau it belongs to (usually one)."""
    counts = bureau_counts(whole, threshold)
    out: dict[str, int] = {}
    for b in whole.bureaus:
        for d in b.departments:
            if d.name == department:
                out[b.name] = out.get(b.name, 0) + len(d.projects)
    return [BureauShare(name, *counts[name], mine) for name, mine in out.items()]


def share_sentence(department: str, share: BureauShare) -> str:
    """ "총무과는 행정국 주요사업 21개 가운데 4개(19%)를 맡고 있습니다. …" """
    pct = percent(share.mine, share.projects)
    of = f"({format_number(pct)}%)" if pct is not None else ""
    return (
        f"{department}의 주요사업은 {share.bureau} 주요사업 {share.projects}개 가운데 "
        f"{share.mine}개{of}입니다. 이 통합문서를 만든 때 {share.bureau} 전체는 정상추진 "
        f"{share.normal}개, 부진 {share.weak}개였습니다."
    )


def write(
    ws: Worksheet,
    evaluation: Evaluation,
    department: str,
    bureau_shares: list[BureauShare],
    styles: Styles,
    template: dict[str, Any],
    placement: dep.Placement,
    dept_sheet: str,
) -> None:
    conf = conf_of(template)
    judge = template.get("judgement", {})
    weak_label, normal_label = judge.get("weak", "부진"), judge.get("normal", "정상추진")
    page_setup(ws, template)
    widths = conf["widths"]
    set_widths(ws, widths)
    ws.merge_range(0, 0, 0, 2, fill(template, conf["title"], department=department), styles.title())
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 2, conf.get("unit", ""), styles.unit())
    hdr = styles.header()
    for col, text in enumerate(conf["headers"]):
        ws.write_string(3, col, text, hdr)
    ws.repeat_rows(3, 3)
    name_fmt = styles.box(align="left")
    rate_fmt = styles.box(num_format=styles.numbers.get("project_rate", "0.0"), align="center")
    judge_fmt = styles.box(align="center", bold=True)
    sheet = quote_sheet(dept_sheet)
    row = 4
    threshold = evaluation.threshold
    for start, _end, project in placement.project_spans:
        rate = rate_of(project)
        weak = is_weak(rate, threshold)
        verdict = "" if weak is None else (weak_label if weak else normal_label)
        ws.write_string(row, 0, project.name, name_fmt)
        ws.write_formula(
            row,
            1,
            f"={sheet}!{cell(start, placement.cols.prate)}",
            rate_fmt,
            "" if rate is None else rate,
        )
        ws.write_formula(
            row, 2, f"={sheet}!{cell(start, placement.cols.judge)}", judge_fmt, verdict
        )
        ws.set_row(row, row_height(template, lines_needed(project.name, widths[0])))
        row += 1
    row += 1
    label_fmt = styles.box(bold=True, bg_color=styles.colors.get("total_fill", "#F2F2F2"))
    count_fmt = styles.box(num_format='#,##0;"△"#,##0;"-"', align="center")
    first_col = placement.key_range(placement.cols.first, dept_sheet)
    judge_col = placement.key_range(placement.cols.judge, dept_sheet)
    key_col = placement.key_range(placement.cols.key, dept_sheet)
    actual_col = placement.key_range(placement.cols.actual, dept_sheet)
    rates = [is_weak(rate_of(p), threshold) for _, _, p in placement.project_spans]
    blank = sum(i.actual is None for _, _, i, _, _ in placement.indicator_rows)
    for label, formula, value in (
        ("주요사업 수", f"=COUNTIFS({first_col},1)", len(rates)),
        (
            normal_label,
            f'=COUNTIFS({first_col},1,{judge_col},"{normal_label}")',
            sum(r is False for r in rates),
        ),
        (
            weak_label,
            f'=COUNTIFS({first_col},1,{judge_col},"{weak_label}")',
            sum(r is True for r in rates),
        ),
        ("실적을 아직 넣지 않은 지표", f'=SUMPRODUCT(({key_col}<>"")*({actual_col}=""))', blank),
    ):
        ws.write_string(row, 0, label, label_fmt)
        ws.write_formula(row, 1, formula, count_fmt, value)
        ws.write_blank(row, 2, None, count_fmt)
        row += 1
    row += 1
    words = styles.get(align="left", text_wrap=True, valign="top")
    total_width = sum(widths)
    for share in bureau_shares:
        sentence = share_sentence(department, share)
        ws.merge_range(row, 0, row, 2, sentence, words)
        ws.set_row(row, row_height(template, lines_needed(sentence, total_width)))
        row += 1
    rule = template.get("summary", {}).get(
        "rule", "※ 부진판정 기준 : 목표 대비 달성률 {threshold}% 이하"
    )
    before, _, after = rule.partition("{threshold}")
    shown = format_number(threshold, negative="-", grouping=False)
    ws.merge_range(row, 0, row, 2, "", styles.get(align="left"))
    ws.write_formula(
        row,
        0,
        f'="{before}"&THRESHOLD&"{after}"',
        styles.get(align="left"),
        fill(template, rule, threshold=shown),
    )
    ws.print_area(0, 0, row, 2)
    ws.protect("", {"format_columns": True, "format_rows": True})
