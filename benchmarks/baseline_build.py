"""Bare baseline for `xlgen build`: the same I/O with no xlgen logic.

Reads the indicator rows of one document from an xlgen store with one plain SQL query,
then writes, with xlsxwriter in constant_memory mode, a workbook with the same sheets and
the same cells as xlgen's evaluation workbook: per indicator row the same 15 cells (9
visible, 6 hidden key columns), the same formulas with cached values, the same three
merges per multi-indicator project, a comment where the printed rate differs, the same
row heights, one conditional format, one data validation, page breaks and protection;
the Ⅰ sheet's per-bureau COUNTIFS, the chart sheet's per-bureau formulas and its two
charts, Ⅱ's narrative, the findings, the settings cell with its defined name, and the
hidden _xlgen sheet with one record row per indicator. Values are computed with plain
arithmetic (no xlgen import). The script prints the cell/formula/merge/comment counts so
the runner can compare them with xlgen's workbook.

    python benchmarks/baseline_build.py --db STORE --key KEY --out FILE.xlsx
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import time

import xlsxwriter

PROJECT, INDICATOR, UNIT, TARGET, ACTUAL, RATE, PRATE, JUDGE, NOTE = range(9)
KEY, BUREAU, DEPT, FIRST, DIRECTION, PRATE_ALL = range(9, 15)
HEADERS = [
    "주요사업명",
    "성과지표",
    "단위",
    "목표",
    "실적",
    "달성률(%)",
    "사업 달성률(%)",
    "판정",
    "비고",
]
HIDDEN = ["기록키", "국", "부서", "사업첫행", "방향", "사업달성률"]
WIDTHS = [26, 32, 8, 11, 11, 9, 10, 9, 16]
SHEETS = ["Ⅰ 국별현황", "Ⅱ 추진성과", "Ⅲ 부서별현황", "차트", "검토사항", "설정", "_xlgen"]
FIRST_ROW = 3


def col(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def rnd(x: float) -> float:
    x = round(x, 9)  # as the sheet's ROUND(ROUND(x,9),0)
    return float(math.floor(x + 0.5)) if x >= 0 else -float(math.floor(-x + 0.5))


def rate_of(target, actual, direction):
    if target is None or actual is None or target == 0:
        return None
    if direction == "하향":
        return None if actual == 0 else rnd(target / actual * 100)
    return rnd(actual / target * 100)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    started = time.perf_counter()

    conn = sqlite3.connect(args.db)
    title, year, body = conn.execute(
        "SELECT title, year, body FROM documents WHERE key = ?", (args.key,)
    ).fetchone()
    body = json.loads(body)
    rows = conn.execute(
        "SELECT record_key, project_pos, bureau, department, project, name, unit, target, actual, "
        "stated_rate, direction, note FROM indicators WHERE doc_key = ? ORDER BY position",
        (args.key,),
    ).fetchall()
    conn.close()
    threshold = body["threshold"]

    # Group rows: department blocks of projects of indicator rows.
    blocks: list[tuple[str, str, list[list[tuple]]]] = []  # (bureau, dept, projects)
    last_pos = None
    for r in rows:
        if not blocks or blocks[-1][1] != r[3] or blocks[-1][0] != r[2]:
            blocks.append((r[2], r[3], []))
            last_pos = None
        if r[1] != last_pos:
            blocks[-1][2].append([])
            last_pos = r[1]
        blocks[-1][2][-1].append(r)

    wb = xlsxwriter.Workbook(
        args.out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    font = {"font_name": "맑은 고딕", "font_size": 10, "valign": "vcenter"}

    def fmt(**kw):
        return wb.add_format({**font, **kw})

    box = {"border": 1, "border_color": "#000000", "text_wrap": True}
    f_title = fmt(bold=True, font_size=15)
    f_unit = fmt(align="right", font_size=9)
    f_dept = fmt(bold=True, font_size=11)
    f_header = fmt(bold=True, align="center", bg_color="#D9E1F2", **box)
    f_text = fmt(**box)
    f_center = fmt(align="center", **box)
    f_num = [fmt(num_format=nf, align="right", **box) for nf in ("#,##0", "#,##0.0")]
    f_in = [
        fmt(num_format=nf, align="right", locked=False, bg_color="#FFF2CC", **box)
        for nf in ("#,##0", "#,##0.0")
    ]
    f_rate = fmt(num_format="0", align="right", **box)
    f_prate = fmt(num_format="0.0", align="center", **box)
    f_judge = fmt(align="center", bold=True, **box)
    f_note = fmt(locked=False, bg_color="#FFF2CC", **box)
    f_weak = wb.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
    f_count = fmt(num_format='#,##0;"△"#,##0;"-"', align="center", **box)
    sheets = {name: wb.add_worksheet(name) for name in SHEETS}
    q = "'" + SHEETS[2] + "'"
    counts = {"cells": 0, "formulas": 0, "merges": 0, "comments": 0}

    # ---- Ⅲ: rows in order (constant_memory), merges registered directly.
    ws = sheets[SHEETS[2]]
    ws.set_landscape()
    ws.set_paper(9)
    for i, w in enumerate(WIDTHS):
        ws.set_column(i, i, w)
    ws.set_column(KEY, PRATE_ALL, 12, None, {"hidden": True})
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, NOTE, f"Ⅲ. {year}년 부서별 추진 현황", f_title)
    ws.merge_range(1, 0, 1, NOTE, "(단위: 지표별)", f_unit)
    for i, text in enumerate(HIDDEN):
        ws.write_string(1, KEY + i, text)
    counts["merges"] += 2
    per_bureau: dict[str, list[float]] = {}
    bureau_counts: dict[str, list[int]] = {}
    row = FIRST_ROW
    breaks, used = [], 0
    for bureau, dept, projects in blocks:
        n_rows = 2 + sum(len(p) for p in projects)
        if used + n_rows > 28 and row > FIRST_ROW:
            breaks.append(row)
            used = 0
        used += n_rows + 1
        ws.set_row(row, 26)
        ws.write_string(row, 0, f"▢ {dept}", f_dept)
        row += 1
        ws.set_row(row, 33.5)
        for c, text in enumerate(HEADERS):
            ws.write_string(row, c, text, f_header)
        row += 1
        for project in projects:
            start, end = row, row + len(project) - 1
            rates = [rate_of(r[7], r[8], r[10]) for r in project]
            valid = [x for x in rates if x is not None]
            prate = sum(valid) / len(valid) if valid else None
            label = "" if prate is None else ("부진" if prate <= threshold else "정상추진")
            bc = bureau_counts.setdefault(bureau, [0, 0, 0])
            bc[0] += 1
            bc[1] += label == "정상추진"
            bc[2] += label == "부진"
            if prate is not None:
                per_bureau.setdefault(bureau, []).append(prate)
            if end > start:
                ws.merge.extend(
                    [
                        [start, PROJECT, end, PROJECT],
                        [start, PRATE, end, PRATE],
                        [start, JUDGE, end, JUDGE],
                    ]
                )
                counts["merges"] += 3
            rng = f"{col(RATE)}{start + 1}:{col(RATE)}{end + 1}"
            for k, (r, rate) in enumerate(zip(project, rates, strict=True)):
                key, _pos, _b, _d, pname, name, unit, target, actual, stated, direction, note = r
                ws.set_row(row, 18)
                dec = 1 if isinstance(target, float) or isinstance(actual, float) else 0
                if k == 0:
                    ws.write_string(row, PROJECT, pname, f_text)
                else:
                    ws.write_blank(row, PROJECT, None, f_text)
                ws.write_string(row, INDICATOR, name, f_text)
                ws.write_string(row, UNIT, unit, f_center)
                if target is None:
                    ws.write_blank(row, TARGET, None, f_num[dec])
                else:
                    ws.write_number(row, TARGET, target, f_num[dec])
                if actual is None:
                    ws.write_blank(row, ACTUAL, None, f_in[dec])
                else:
                    ws.write_number(row, ACTUAL, actual, f_in[dec])
                t, a, d = f"D{row + 1}", f"E{row + 1}", f"N{row + 1}"
                ws.write_formula(
                    row,
                    RATE,
                    f'=IF(OR({t}="",{t}=0,{a}=""),"",IF({d}="하향",IF({a}=0,"",ROUND(ROUND({t}/{a}*100,9),0)),ROUND(ROUND({a}/{t}*100,9),0)))',
                    f_rate,
                    "" if rate is None else rate,
                )
                if stated is not None and rate is not None and stated != rate:
                    ws.write_comment(
                        row,
                        RATE,
                        f"문서 인쇄값: {stated}\n계산값: {rate:g} (실적 ÷ 목표 × 100, 반올림)",
                        {"author": "xlgen", "x_scale": 1.6, "y_scale": 0.8},
                    )
                    counts["comments"] += 1
                if k == 0:
                    ws.write_formula(
                        row,
                        PRATE,
                        f'=IF(COUNT({rng})=0,"",AVERAGE({rng}))',
                        f_prate,
                        "" if prate is None else prate,
                    )
                    g = f"G{start + 1}"
                    ws.write_formula(
                        row,
                        JUDGE,
                        f'=IF({g}="","",IF({g}<=THRESHOLD,"부진","정상추진"))',
                        f_judge,
                        label,
                    )
                    counts["formulas"] += 2
                else:
                    ws.write_blank(row, PRATE, None, f_prate)
                    ws.write_blank(row, JUDGE, None, f_judge)
                ws.write_string(row, NOTE, note or "", f_note)
                ws.write_string(row, KEY, key)
                ws.write_string(row, BUREAU, bureau)
                ws.write_string(row, DEPT, dept)
                ws.write_number(row, FIRST, 1 if k == 0 else 0)
                ws.write_string(row, DIRECTION, direction)
                ws.write_formula(
                    row, PRATE_ALL, f"=G{start + 1}", None, "" if prate is None else prate
                )
                counts["formulas"] += 2
                counts["cells"] += 15
                row += 1
        row += 1
    last = max(row - 1, FIRST_ROW)
    ws.conditional_format(
        FIRST_ROW,
        0,
        last,
        NOTE,
        {
            "type": "formula",
            "criteria": f"=AND(ISNUMBER($O{FIRST_ROW + 1}),$O{FIRST_ROW + 1}<=THRESHOLD)",
            "format": f_weak,
        },
    )
    ws.data_validation(
        FIRST_ROW,
        ACTUAL,
        last,
        ACTUAL,
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": -1e15,
            "maximum": 1e15,
            "ignore_blank": True,
            "input_title": "실적 입력",
            "input_message": "숫자만 입력하세요.",
            "error_title": "숫자가 아닙니다",
            "error_message": "실적에는 숫자만 입력할 수 있습니다.",
            "error_type": "stop",
        },
    )
    ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, last, NOTE)
    ws.repeat_rows(0, 0)
    ws.freeze_panes(FIRST_ROW, 0)
    ws.protect("", {"sort": True, "autofilter": True, "format_columns": True, "format_rows": True})
    key_range = lambda c: f"{q}!${col(c)}${FIRST_ROW + 1}:${col(c)}${last + 1}"  # noqa: E731
    b_rng, f_rng, j_rng, p_rng = (
        key_range(BUREAU),
        key_range(FIRST),
        key_range(JUDGE),
        key_range(PRATE),
    )

    # ---- Ⅰ: one row per bureau, three COUNTIFS each.
    ws = sheets[SHEETS[0]]
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, 4, "Ⅰ. 국별 사업추진 현황", f_title)
    ws.merge_range(1, 0, 1, 4, "(단위: 개, %)", f_unit)
    # Merged header cells registered directly: constant_memory writes rows in order.
    ws.merge.extend([[2, 0, 3, 0], [2, 1, 3, 1], [2, 2, 2, 3], [2, 4, 3, 4]])
    for c, text in enumerate(["국  별", "계", "추진현황", "", "비  고"]):
        ws.write(2, c, text, f_header)
    for c, text in enumerate(["", "", "정상추진", "부  진", ""]):
        ws.write(3, c, text, f_header)
    tot = [sum(v[i] for v in bureau_counts.values()) for i in range(3)]
    ws.write_string(4, 0, "사업 수", f_text)
    ws.write_formula(4, 1, f"=COUNTIFS({f_rng},1)", f_count, tot[0])
    ws.write_formula(4, 2, f'=COUNTIFS({f_rng},1,{j_rng},"정상추진")', f_count, tot[1])
    ws.write_formula(4, 3, f'=COUNTIFS({f_rng},1,{j_rng},"부진")', f_count, tot[2])
    ws.write_blank(4, 4, None, f_count)
    ws.write_string(5, 0, "비율(%)", f_text)
    ws.write_string(5, 1, "-", f_center)
    for c, v in ((2, tot[1]), (3, tot[2])):
        ws.write_formula(
            5,
            c,
            f'=IF(B5=0,"",ROUND(ROUND({col(c)}5/B5*100,9),0))',
            f_rate,
            rnd(v / tot[0] * 100) if tot[0] else "",
        )
    ws.write_blank(5, 4, None, f_text)
    bureau_row = {}
    for i, (name, (n, normal, weak)) in enumerate(bureau_counts.items()):
        r = 6 + i
        bureau_row[name] = r
        ws.set_row(r, 22)
        ws.write_string(r, 0, name, f_text)
        ws.write_formula(r, 1, f"=COUNTIFS({b_rng},$A{r + 1},{f_rng},1)", f_count, n)
        ws.write_formula(
            r, 2, f'=COUNTIFS({b_rng},$A{r + 1},{f_rng},1,{j_rng},"정상추진")', f_count, normal
        )
        ws.write_formula(
            r, 3, f'=COUNTIFS({b_rng},$A{r + 1},{f_rng},1,{j_rng},"부진")', f_count, weak
        )
        ws.write_string(r, 4, "", f_center)
    r = 6 + len(bureau_counts) + 1
    ws.merge_range(r, 0, r, 4, "", fmt(align="left"))
    ws.write_formula(
        r,
        0,
        '="※ 부진판정 기준 : 목표 대비 달성률 "&THRESHOLD&"% 이하"',
        fmt(align="left"),
        f"※ 부진판정 기준 : 목표 대비 달성률 {threshold}% 이하",
    )
    ws.protect("", {"format_columns": True, "format_rows": True})

    # ---- Ⅱ: the narrative.
    ws = sheets[SHEETS[1]]
    ws.merge_range(0, 0, 0, 1, f"Ⅱ. {year}년 국별 주요사업 추진 성과", f_title)
    r = 2
    for s in body["narrative"]:
        if s["heading"]:
            ws.merge_range(r, 0, r, 1, s["heading"], f_dept)
            r += 1
        for f in s["fields"]:
            ws.write_string(r, 1, "◇ " + f["title"], f_text)
            r += 1
            for h in f["highlights"]:
                ws.write_string(r, 1, "○ " + h["text"], f_text)
                r += 1
                for d in h["details"]:
                    ws.write_string(r, 1, "- " + d, f_text)
                    r += 1
        r += 1

    # ---- 차트: per-bureau references and two charts.
    ws = sheets[SHEETS[3]]
    for c, text in enumerate(["국", "정상추진", "부진", "평균 달성률(%)"]):
        ws.write_string(2, c, text, f_header)
    s1 = "'" + SHEETS[0] + "'"
    for i, (name, src) in enumerate(bureau_row.items()):
        r = 3 + i
        n, normal, weak = bureau_counts[name]
        rates = per_bureau.get(name) or []
        ws.write_formula(r, 0, f"={s1}!$A${src + 1}", f_text, name)
        ws.write_formula(r, 1, f"={s1}!$C${src + 1}", f_count, normal)
        ws.write_formula(r, 2, f"={s1}!$D${src + 1}", f_count, weak)
        ws.write_formula(
            r,
            3,
            f'=IFERROR(AVERAGEIFS({p_rng},{b_rng},A{r + 1},{f_rng},1),"")',
            f_prate,
            sum(rates) / len(rates) if rates else "",
        )
    end = 3 + len(bureau_row)
    for pos, cols in ((2, (1, 2)), (22, (3,))):
        chart = wb.add_chart(
            {"type": "column", "subtype": "stacked"} if len(cols) == 2 else {"type": "column"}
        )
        for c in cols:
            chart.add_series(
                {
                    "name": f"='차트'!${col(c)}$3",
                    "categories": f"='차트'!$A$4:$A${end}",
                    "values": f"='차트'!${col(c)}$4:${col(c)}${end}",
                    "data_labels": {"value": True},
                }
            )
        ws.insert_chart(pos, 5, chart, {"x_scale": 1.5, "y_scale": 1.2})

    # ---- 검토사항, 설정, _xlgen.
    ws = sheets[SHEETS[4]]
    for c, text in enumerate(["번호", "구분", "문서 행", "내용"]):
        ws.write_string(2, c, text, f_header)
    for i, w in enumerate(body["warnings"], 1):
        ws.write_number(2 + i, 0, i, f_center)
        ws.write_string(2 + i, 1, "기타", f_center)
        ws.write_string(2 + i, 2, "-", f_center) if w["line"] is None else ws.write_number(
            2 + i, 2, w["line"], f_center
        )
        ws.write_string(2 + i, 3, w["message"], f_text)
    ws.autofilter(2, 0, 2 + max(len(body["warnings"]), 1), 3)
    ws = sheets[SHEETS[5]]
    ws.write_string(2, 0, "부진판정 기준 (달성률 %, 이하이면 부진)", f_text)
    ws.write_number(2, 1, threshold, f_note)
    wb.define_name("THRESHOLD", f"='{SHEETS[5]}'!$B$3")
    ws = sheets[SHEETS[6]]
    ws.write_string(0, 0, "format")
    ws.write_string(0, 1, "xlgen-workbook/1")
    fields = [
        ("key", args.key),
        ("kind", "evaluation"),
        ("org", ""),
        ("year", year),
        ("revision", 1),
        ("content_hash", "0" * 64),
        ("built_at", ""),
        ("xlgen_version", ""),
        ("input_sheet", SHEETS[2]),
        ("threshold", threshold),
    ]
    for i, (k, v) in enumerate(fields, 1):
        ws.write_string(i, 0, k)
        ws.write(i, 1, v)
    start = len(fields) + 2
    ws.write_string(start, 0, "records")
    for c, text in enumerate(
        ["record_key", "department", "project", "indicator", "target", "actual", "note"]
    ):
        ws.write_string(start + 1, c, text)
    for i, r in enumerate(rows, start + 2):
        for c, v in enumerate((r[0], r[3], r[4], r[5], r[7], r[8], r[11])):
            if v is None:
                continue
            if isinstance(v, (int, float)):
                ws.write_number(i, c, v)
            else:
                ws.write_string(i, c, v)
    ws.very_hidden()
    ws.protect("")
    sheets[SHEETS[0]].activate()
    wb.close()
    counts["indicators"] = len(rows)
    counts["seconds_in_process"] = round(time.perf_counter() - started, 3)
    print(json.dumps(counts), file=sys.stderr)


if __name__ == "__main__":
    main()
