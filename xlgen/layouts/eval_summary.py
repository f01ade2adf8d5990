"""Ⅰ 국별 사업추진 현황: per-bureau 계 / 정상추진 / 부진, every figure a COUNTIFS over the
key columns of Ⅲ (never over merged cells), a 사업 수 row and a 비율(%) row."""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..model import Evaluation
from ..numbers import format_number
from ..rules import RATE_ROUND, bureau_counts, percent
from . import eval_departments as dep
from ._base import (
    Styles,
    cell,
    fill,
    footnote,
    lines_needed,
    mark_of,
    marked_number_format,
    marks_on,
    page_setup,
    row_height,
    set_widths,
)

TOTAL_ROW = 4  # rows 0 title, 1 unit, 2-3 headers


def bureau_rows(evaluation: Evaluation) -> dict[str, int]:
    """Sheet row of each bureau (for the chart sheet's references)."""
    names = list(dict.fromkeys(b.name for b in evaluation.bureaus))
    return {name: TOTAL_ROW + 2 + i for i, name in enumerate(names)}


def printed_note(stated: Any, computed: tuple[int, int, int]) -> str:
    """The 비고 of a bureau row: what the source document printed, in words, where it
    differs from the counts the records give now; nothing where they agree."""
    if stated is None or (stated.projects, stated.normal, stated.weak) == computed:
        return ""
    return (
        f"원본 문서에 인쇄된 값은 계 {stated.projects}, 정상추진 {stated.normal}, "
        f"부진 {stated.weak}입니다."
    )


def write(
    ws: Worksheet,
    evaluation: Evaluation,
    styles: Styles,
    template: dict[str, Any],
    placement: dep.Placement,
    dept_sheet: str,
) -> None:
    conf = template["summary"]
    judge = template.get("judgement", {})
    weak_label, normal_label = judge.get("weak", "부진"), judge.get("normal", "정상추진")
    page_setup(ws, template)
    set_widths(ws, conf["widths"])
    ws.merge_range(0, 0, 0, 4, conf["title"], styles.title())
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 4, conf.get("unit", ""), styles.unit())
    h = conf["headers"]
    hdr = styles.header()
    ws.merge_range(2, 0, 3, 0, h[0], hdr)
    ws.merge_range(2, 1, 3, 1, h[1], hdr)
    ws.merge_range(2, 2, 2, 3, h[2], hdr)
    ws.write(3, 2, conf["progress_headers"][0], hdr)
    ws.write(3, 3, conf["progress_headers"][1], hdr)
    ws.merge_range(2, 4, 3, 4, h[3], hdr)
    ws.repeat_rows(2, 3)

    count_fmt = styles.box(num_format='#,##0;"△"#,##0;"-"', align="center")
    total_fmt = styles.box(
        num_format='#,##0;"△"#,##0;"-"',
        align="center",
        bold=True,
        bg_color=styles.colors.get("total_fill", "#F2F2F2"),
    )
    label_fmt = styles.box(align="distributed", indent=1)
    total_label_fmt = styles.box(
        align="distributed",
        indent=1,
        bold=True,
        bg_color=styles.colors.get("total_fill", "#F2F2F2"),
    )
    bureau_col = placement.key_range(placement.cols.bureau, dept_sheet)
    first_col = placement.key_range(placement.cols.first, dept_sheet)
    judge_col = placement.key_range(placement.cols.judge, dept_sheet)
    per_bureau = bureau_counts(evaluation, evaluation.threshold)

    t = TOTAL_ROW
    all_total = sum(v[0] for v in per_bureau.values())
    all_normal = sum(v[1] for v in per_bureau.values())
    all_weak = sum(v[2] for v in per_bureau.values())
    ws.write_string(t, 0, conf.get("total_label", "사업 수"), total_label_fmt)
    ws.write_formula(t, 1, f"=COUNTIFS({first_col},1)", total_fmt, all_total)
    ws.write_formula(
        t, 2, f'=COUNTIFS({first_col},1,{judge_col},"{normal_label}")', total_fmt, all_normal
    )
    ws.write_formula(
        t, 3, f'=COUNTIFS({first_col},1,{judge_col},"{weak_label}")', total_fmt, all_weak
    )
    ws.write_blank(t, 4, None, total_fmt)

    r = t + 1
    pct_fmt = styles.box(num_format="0", align="center")
    ws.write_string(r, 0, conf.get("ratio_label", "비율(%)"), label_fmt)
    ws.write_string(r, 1, "-", styles.box(align="center"))
    normal_pct, weak_pct = percent(all_normal, all_total), percent(all_weak, all_total)
    marked_fmt = styles.box(num_format=marked_number_format("0", mark_of(template)), align="center")
    notes: list[str] = []
    labels = conf["progress_headers"]
    for col, value, printed, count in (
        (2, normal_pct, 0, all_normal),
        (3, weak_pct, 1, all_weak),
    ):
        src = cell(t, col)
        rounded = RATE_ROUND.format(expr=f"{src}/{cell(t, 1)}*100")
        stated = evaluation.summary_ratio[printed] if evaluation.summary_ratio else None
        differs = stated is not None and value is not None and stated != value
        if differs and marks_on(template):
            what = "".join(labels[printed].split())
            whole = "".join(h[1].split())
            notes.append(
                footnote(
                    template,
                    f"{conf.get('ratio_label', '비율(%)')} {what}",
                    format_number(stated),
                    f"{what} {count} ÷ {whole} {all_total} = {format_number(value)}",
                )
            )
        ws.write_formula(
            r,
            col,
            f'=IF({cell(t, 1)}=0,"",{rounded})',
            marked_fmt if differs and marks_on(template) else pct_fmt,
            "" if value is None else value,
        )
        if differs:
            ws.write_comment(
                r, col, f"문서 인쇄값: {stated}\n계산값: {value:g}", {"author": "xlgen"}
            )
    ws.write_blank(r, 4, None, styles.box())

    printed_rows = {row.bureau: row for row in evaluation.summary}
    note_fmt = styles.box(align="left", text_wrap=True, font_size=max(styles.font_size - 1, 8))
    for name, row in bureau_rows(evaluation).items():
        total, normal, weak = per_bureau[name]
        ws.write_string(row, 0, name, label_fmt)
        name_ref = cell(row, 0, absolute=False).replace("A", "$A")
        ws.write_formula(
            row, 1, f"=COUNTIFS({bureau_col},{name_ref},{first_col},1)", count_fmt, total
        )
        ws.write_formula(
            row,
            2,
            f'=COUNTIFS({bureau_col},{name_ref},{first_col},1,{judge_col},"{normal_label}")',
            count_fmt,
            normal,
        )
        ws.write_formula(
            row,
            3,
            f'=COUNTIFS({bureau_col},{name_ref},{first_col},1,{judge_col},"{weak_label}")',
            count_fmt,
            weak,
        )
        note = printed_note(printed_rows.get(name), (total, normal, weak))
        ws.write_string(row, 4, note, note_fmt)
        ws.set_row(row, max(22, row_height(template, lines_needed(note, conf["widths"][4]))))
    last = TOTAL_ROW + 1 + len(bureau_rows(evaluation))
    rule = conf.get("rule", "※ 부진판정 기준 : 목표 대비 달성률 {threshold}% 이하")
    before, _, after = rule.partition("{threshold}")
    threshold = evaluation.threshold
    shown = format_number(threshold, negative="-", grouping=False)  # as Excel's & shows it
    ws.merge_range(last + 1, 0, last + 1, 4, "", styles.get(align="left"))
    ws.write_formula(
        last + 1,
        0,
        f'="{before}"&THRESHOLD&"{after}"',
        styles.get(align="left"),
        fill(template, rule, threshold=shown),
    )
    for i, text in enumerate(notes):
        ws.merge_range(last + 2 + i, 0, last + 2 + i, 4, text, styles.get(align="left"))
    ws.print_area(0, 0, last + 1 + len(notes), 4)
    ws.protect("", {"format_columns": True, "format_rows": True})
