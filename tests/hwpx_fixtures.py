"""Test documents in HWPX, written with python-hwpx (a test-only dependency).

A document is described as a list of blocks, `Para(text)` or `Grid(rows, merges)`, and
written by `write_hwpx`. `evaluation_blocks` and `plan_blocks` lay out parsed records the
way the official documents do: Ⅰ with its two-row header, Ⅲ with one table per department
and the 주요사업명 merged over the project's rows; 가 with its three-row header, 나 with the
전략목표, 예산액 and 비중 merged over the goal's rows and the 정책사업목표 over its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xlgen.model import Evaluation, Plan


@dataclass
class Para:
    text: str


@dataclass
class Grid:
    rows: list[list[str]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1


Block = Para | Grid


def write_hwpx(path: Path, blocks: list[Block]) -> Path:
    from hwpx.document import HwpxDocument

    doc = HwpxDocument.new()
    for block in blocks:
        if isinstance(block, Para):
            doc.add_paragraph(block.text)
            continue
        cols = max(len(r) for r in block.rows)
        table = doc.add_table(len(block.rows), cols)
        for r, row in enumerate(block.rows):
            for c, text in enumerate(row):
                if text:
                    table.set_cell_text(r, c, text, split_paragraphs=True)
        # bottom-up, so that a merge never removes a row a later merge refers to
        for r0, c0, r1, c1 in sorted(block.merges, reverse=True):
            table.merge_cells(r0, c0, r1, c1)
    doc.save_to_path(str(path))
    return path


def num(value: object, *, dash_zero: bool = False) -> str:
    """A number as the documents print it: thousands separators, △ for negatives."""
    if value is None:
        return "-"
    if dash_zero and value == 0:
        return "-"
    if isinstance(value, int):
        return ("△" if value < 0 else "") + f"{abs(value):,}"
    assert isinstance(value, float)
    text = repr(abs(value))
    whole, _, frac = text.partition(".")
    return ("△" if value < 0 else "") + f"{int(whole):,}" + (f".{frac}" if frac else "")


def evaluation_blocks(
    ev: Evaluation, *, wrap: int = 0, breaks: dict[int, set[int]] | None = None
) -> list[Block]:
    """The evaluation laid out as the official document (Ⅰ, Ⅱ, Ⅲ). `wrap` > 0 breaks
    long names into paragraphs of that many words (the author's own line breaks); `breaks`
    maps a department's index to the data rows where its table is cut by a page."""
    year = f"{ev.year}년 " if ev.year else ""
    blocks: list[Block] = [Para(ev.title), Para("Ⅰ. 국별 사업추진 현황")]
    rows = [["국  별", "계", "추진현황", "", "비  고"], ["", "", "정상추진", "부  진", ""]]
    if ev.summary_total is not None:
        t = ev.summary_total
        rows.append([t.bureau, num(t.projects), num(t.normal), num(t.weak, dash_zero=True), ""])
    if ev.summary_ratio is not None:
        rows.append(["비율(%)", "-", num(ev.summary_ratio[0]), num(ev.summary_ratio[1]), ""])
    for s in ev.summary:
        rows.append(
            [
                s.bureau,
                num(s.projects),
                num(s.normal, dash_zero=True),
                num(s.weak, dash_zero=True),
                "",
            ]
        )
    blocks.append(Grid(rows, [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4)]))
    threshold = num(ev.threshold)
    blocks.append(Para(f"※ 부진판정 기준 : 목표 대비 달성률 {threshold}% 이하"))
    blocks.append(Para(f"Ⅱ. {year}국별 주요사업 추진 성과"))
    for section in ev.narrative:
        if section.heading:
            blocks.append(Para(section.heading))
        for fld in section.fields:
            blocks.append(Para("◇ " + fld.title))
            for h in fld.highlights:
                blocks.append(Para("○ " + h.text))
                blocks.extend(Para("- " + d) for d in h.details)
    blocks.append(Para(f"Ⅲ. {year}부서별 추진 현황"))
    for di, dept in enumerate(ev.departments()):
        blocks.append(Para("▢ " + dept.name))
        header = [["주요사업명", "성과지표", "단위", "목표", "실적", "달성률\n(%)"]]
        data = [
            (
                ((pi,), (pi, ii), (pi, ii), (pi, ii), (pi, ii), (pi, ii)),
                [
                    _wrap(project.name, wrap),
                    _wrap(ind.name, wrap),
                    ind.unit,
                    num(ind.target),
                    num(ind.actual),
                    num(ind.stated_rate),
                ],
            )
            for pi, project in enumerate(dept.projects)
            for ii, ind in enumerate(project.indicators)
        ]
        blocks.extend(_chunked(header, [], data, (breaks or {}).get(di, set())))
    return blocks


def plan_blocks(plan: Plan, *, wrap: int = 0, breaks: frozenset[int] = frozenset()) -> list[Block]:
    """The plan's 성과계획 총괄표 laid out as the official document (가, 나); `breaks`: data
    rows of 나 that start a new page (a new table repeating the header and the names)."""
    blocks: list[Block] = [Para(plan.title), Para("가. 총괄")]
    if plan.unit:
        blocks.append(Para(f"(단위:{plan.unit})"))
    rows = [
        ["실국명", "성과계획", "", "", "", "예산액", "", ""],
        ["", "전략목표수", "정책사업목표", "", "단위사업수", "예산액", "전년도예산액", "비교증감"],
        ["", "", "개수", "지표수", "", "", "", ""],
    ]
    merges = [(0, 0, 2, 0), (0, 1, 0, 4), (0, 5, 0, 7), (1, 1, 2, 1), (1, 2, 1, 3)]
    merges += [(1, c, 2, c) for c in (4, 5, 6, 7)]
    office_rows = ([plan.total] if plan.total else []) + plan.offices
    for o in office_rows:
        rows.append(
            [
                o.office,
                *(
                    num(v)
                    for v in (
                        o.strategic_goals,
                        o.policy_goals,
                        o.indicators,
                        o.unit_projects,
                        o.budget,
                        o.prev_budget,
                        o.change,
                    )
                ),
            ]
        )
    blocks.append(Grid(rows, merges))
    blocks.append(Para("나. 성과계획 및 자원비중"))
    header = [
        ["전략목표명 (실국명)", "정책사업목표명", "성과지표명", "예산액 (백만원)", ""],
        ["", "", "", "예산액", "비중(%)"],
    ]
    header_merges = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 4)]
    data: list[tuple[tuple, list[str]]] = []  # (merge keys per column, texts)
    for gi, g in enumerate(plan.goals):
        for pi, pg in enumerate(g.policy_goals):
            for ii, ind in enumerate(pg.indicators or [""]):
                keys = ((gi,), (gi, pi), (gi, pi, ii), (gi,), (gi,))
                texts = [
                    _wrap(f"{g.name} ({g.office})", wrap),
                    _wrap(pg.name, wrap),
                    _wrap(ind, wrap),
                    num(g.budget) if g.budget is not None else "",
                    num(g.share) if g.share is not None else "",
                ]
                data.append((keys, texts))
    blocks.extend(_chunked(header, header_merges, data, breaks))
    return blocks


def _chunked(
    header: list[list[str]],
    header_merges: list[tuple[int, int, int, int]],
    data: list[tuple[tuple, list[str]]],
    breaks: frozenset[int] | set[int],
) -> list[Block]:
    """Tables of the header and the data rows, a new table (header repeated) before each
    data row in `breaks`. In one table, a column's run of rows with the same key is one
    merged cell; a table's first row prints every name again, as a new page does."""
    grids: list[Block] = []
    start = 0
    cuts = sorted(b for b in breaks if 0 < b < len(data)) + [len(data)]
    for end in cuts:
        part = data[start:end]
        rows = [list(r) for r in header]
        merges = list(header_merges)
        top = len(rows)
        for i, (_, texts) in enumerate(part):
            rows.append(
                [
                    t if i == 0 or part[i - 1][0][c] != part[i][0][c] else ""
                    for c, t in enumerate(texts)
                ]
            )
        for c in range(len(header[0])):
            i = 0
            while i < len(part):
                j = i
                while j + 1 < len(part) and part[j + 1][0][c] == part[i][0][c]:
                    j += 1
                if j > i:
                    merges.append((top + i, c, top + j, c))
                i = j + 1
        grids.append(Grid(rows, merges))
        start = end
    return grids


def reader_blocks(blocks: list[Block]) -> list:
    """The blocks as xlgen's HWPX reader returns them, without writing a file (fast)."""
    from xlgen.sources.hwpx import Cell, Paragraph, Table

    out: list = []
    for index, block in enumerate(blocks):
        if isinstance(block, Para):
            out.append(Paragraph(block.text, 0))
            continue
        n_rows, n_cols = len(block.rows), max(len(r) for r in block.rows)
        grid: list[list] = [[None] * n_cols for _ in range(n_rows)]
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in block.merges}
        cells = []
        for r in range(n_rows):
            for c in range(n_cols):
                if grid[r][c] is not None:
                    continue
                rs, cs = spans.get((r, c), (1, 1))
                text = block.rows[r][c] if c < len(block.rows[r]) else ""
                cell = Cell(r, c, rs, cs, tuple(text.split("\n")))
                cells.append(cell)
                for rr in range(r, r + rs):
                    for cc in range(c, c + cs):
                        grid[rr][cc] = cell
        out.append(Table(index + 1, 0, 0, n_rows, n_cols, cells, grid))
    return out


def _wrap(text: str, words: int) -> str:
    """Break a name into paragraphs of `words` words (0: one paragraph)."""
    if words <= 0:
        return text
    parts = text.split(" ")
    return "\n".join(" ".join(parts[i : i + words]) for i in range(0, len(parts), words))
