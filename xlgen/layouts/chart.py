"""차트: per-bureau 정상추진 vs 부진 (stacked columns) and each bureau's mean 달성률, as
native Excel charts over formula cells, so they follow the data."""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..model import Evaluation
from ..rules import bureau_counts, rate_of
from . import eval_departments as dep
from . import eval_summary
from ._base import Styles, cell, page_setup, quote_sheet


def mean_rates(evaluation: Evaluation) -> dict[str, float | None]:
    """Mean of the project rates per bureau (projects without a rate left out), as
    AVERAGEIFS computes it."""
    out: dict[str, list[float]] = {}
    for bureau in evaluation.bureaus:
        rates = out.setdefault(bureau.name, [])
        for dept in bureau.departments:
            for project in dept.projects:
                rate = rate_of(project)
                if rate is not None:
                    rates.append(rate)
    return {k: (sum(v) / len(v) if v else None) for k, v in out.items()}


def write(
    workbook: Workbook,
    ws: Worksheet,
    evaluation: Evaluation,
    styles: Styles,
    template: dict[str, Any],
    summary_sheet: str,
    dept_sheet: str,
    placement: dep.Placement,
) -> None:
    conf = template["chart"]
    page_setup(ws, template)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 3, 14)
    ws.write_string(0, 0, conf["title"], styles.title())
    ws.set_row(0, 30)
    for col, text in enumerate(conf["headers"]):
        ws.write(2, col, text, styles.header())
    rows = eval_summary.bureau_rows(evaluation)
    counts = bureau_counts(evaluation, evaluation.threshold)
    means = mean_rates(evaluation)
    s = quote_sheet(summary_sheet)
    rate_col = placement.key_range(placement.cols.prate, dept_sheet)
    bureau_col = placement.key_range(placement.cols.bureau, dept_sheet)
    first_col = placement.key_range(placement.cols.first, dept_sheet)
    count_fmt = styles.box(num_format="0", align="center")
    rate_fmt = styles.box(num_format="0.0", align="center")
    for i, (name, src_row) in enumerate(rows.items()):
        r = 3 + i
        ws.write_formula(r, 0, f"={s}!{cell(src_row, 0, absolute=True)}", styles.box(), name)
        ws.write_formula(
            r, 1, f"={s}!{cell(src_row, 2, absolute=True)}", count_fmt, counts[name][1]
        )
        ws.write_formula(
            r, 2, f"={s}!{cell(src_row, 3, absolute=True)}", count_fmt, counts[name][2]
        )
        mean = means.get(name)
        ws.write_formula(
            r,
            3,
            f'=IFERROR(AVERAGEIFS({rate_col},{bureau_col},{cell(r, 0)},{first_col},1),"")',
            rate_fmt,
            "" if mean is None else mean,
        )
    last = 3 + len(rows) - 1
    sheet = quote_sheet(ws.get_name())
    stacked = workbook.add_chart({"type": "column", "subtype": "stacked"})
    for col, color in ((1, "#4472C4"), (2, "#C00000")):
        stacked.add_series(
            {
                "name": f"={sheet}!{cell(2, col, absolute=True)}",
                "categories": f"={sheet}!$A$4:$A${last + 1}",
                "values": f"={sheet}!{cell(3, col, absolute=True)}:{cell(last, col, absolute=True)}",
                "fill": {"color": color},
                "data_labels": {"value": True, "num_format": "0;-0;;@"},
            }
        )
    stacked.set_title(
        {"name": conf["counts_title"], "name_font": {"name": styles.font_name, "size": 12}}
    )
    stacked.set_x_axis({"num_font": {"name": styles.font_name, "size": 9}})
    stacked.set_y_axis(
        {"num_font": {"name": styles.font_name}, "major_gridlines": {"visible": True}}
    )
    stacked.set_legend({"position": "bottom", "font": {"name": styles.font_name}})
    ws.insert_chart(2, 5, stacked, {"x_scale": 1.5, "y_scale": 1.2})
    rate = workbook.add_chart({"type": "column"})
    rate.add_series(
        {
            "name": f"={sheet}!$D$3",
            "categories": f"={sheet}!$A$4:$A${last + 1}",
            "values": f"={sheet}!$D$4:$D${last + 1}",
            "fill": {"color": "#70AD47"},
            "data_labels": {"value": True, "num_format": "0.0"},
        }
    )
    rate.set_title(
        {"name": conf["rate_title"], "name_font": {"name": styles.font_name, "size": 12}}
    )
    rate.set_x_axis({"num_font": {"name": styles.font_name, "size": 9}})
    rate.set_legend({"none": True})
    ws.insert_chart(22, 5, rate, {"x_scale": 1.5, "y_scale": 1.2})
    ws.protect("", {"format_columns": True})
