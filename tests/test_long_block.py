"""A Ⅲ department block longer than a page (issue 15): cut between indicator rows, going on
under "▢ 부서명 (계속)" and its column headers, repeated as real rows on the next page.

A synthetic document with one department of 60 indicators (among them a project of 25,
longer than a page, so cut inside its merge) is placed, built, recalculated in LibreOffice,
printed, and imported back untouched and after an edit on a continuation page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xlgen.build import build
from xlgen.cli import cli
from xlgen.layouts import eval_departments as dep
from xlgen.layouts._base import cell, col_letter
from xlgen.model import Bureau, Department, Direction, Evaluation, Indicator, Project
from xlgen.rules import rate_of
from xlgen.seeds import parse_seed
from xlgen.store import Store
from xlgen.templates import load_template

from support import libreoffice as lo

KEY = "long-2019"
DEPTS = "Ⅲ 부서별현황"
LONG = "종합민원과"
BIG = "민원 처리 기간 단축 및 현장 민원 응대 품질 향상을 위한 종합 개선"  # 25 indicators
EVAL = load_template("evaluation")
needs_lo = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        lo.find_soffice() is None or shutil.which("pdftotext") is None,
        reason="LibreOffice(soffice)와 poppler가 있어야 합니다 (setup.sh로 설치).",
    ),
]


def _indicators(project: int, count: int) -> list[Indicator]:
    out = []
    for i in range(count):
        n = project * 100 + i
        target = 100 + (n % 7) * 10
        actual = target * (0.6 if n % 5 == 0 else 1.05) if n % 11 else None
        name = f"지표 {project}-{i + 1}" + (
            " 현장 만족도 조사 결과 및 개선 과제 이행률" * (n % 4 == 1)
        )
        ind = Indicator(name, "%" if n % 3 else "건", target, actual)
        if n % 6 == 2:
            ind.direction = Direction.DOWN
        if n % 9 == 4 and actual is not None:
            ind.stated_rate = 999  # the document printed another rate: marked, footnoted
        out.append(ind)
    return out


def make_document() -> Evaluation:
    sizes = [1, 2, 3, 2, 1, 4, 2, 3, 25, 1, 2, 3, 2, 1, 3, 2, 3]
    assert sum(sizes) == 60
    long_projects = [
        Project(BIG if n == 25 else f"사업 {i + 1} 추진", _indicators(i + 1, n))
        for i, n in enumerate(sizes)
    ]

    def short(name: str, base: int) -> Department:
        return Department(name, [Project(f"{name} 사업", _indicators(base, 2))])

    return Evaluation(
        title="2019년 성과관리 주요사업 평가 현황",
        org="시험구",
        year=2019,
        bureaus=[
            Bureau("행정국", [short("총무과", 50), Department(LONG, long_projects)]),
            Bureau("재정국", [short("세무과", 60), short("재산관리과", 70)]),
        ],
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("long")
    db = tmp / "store.sqlite"
    with Store.open(db) as store:
        store.save_document(
            KEY,
            make_document(),
            source_name="long.txt",
            source_sha256="0" * 64,
            encoding="utf-8",
            os_user="test",
        )
        doc = store.load(KEY)
        built = build(KEY, store=store, out_dir=tmp / "out").path
    placement = dep.place(doc, EVAL, dep.print_scale(EVAL))
    return {"tmp": tmp, "db": db, "doc": doc, "built": built, "placement": placement}


def _long_rows(p: dep.Placement) -> list[int]:
    return [r for r, _, _, _, d in p.indicator_rows if d.name == LONG]


def test_the_long_block_is_cut_with_its_title_and_header_repeated(env) -> None:
    p = env["placement"]
    continued = [r for r, d in p.continued_rows if d.name == LONG]
    assert len(continued) >= 2  # 60 rows take three pages or more
    titles = {r for r, _ in p.dept_rows} | {r for r, _ in p.continued_rows}
    headers = set(p.header_rows)
    assert all(b in titles for b in p.page_breaks)  # every page starts with a block title
    assert set(continued) <= set(p.page_breaks)
    for r in continued:
        assert r + 1 in headers
    # Every continuation page fits the page (as place() measures it: no blank rows there).
    page = EVAL["departments"]["rows_per_page_height"] * 100 / dep.print_scale(EVAL)
    ends = [*continued[1:], _long_rows(p)[-1] + 1]
    for first, end in zip(continued, ends, strict=True):
        assert sum(p.heights[r] for r in range(first, end)) <= page


def test_projects_are_cut_only_when_longer_than_a_page(env) -> None:
    p = env["placement"]
    breaks = set(p.page_breaks)
    for start, end, project in p.project_spans:
        pieces = p.pieces_of(start, end)
        rows = [r for r, _, _, proj, _ in p.indicator_rows if proj is project]
        assert [r for a, b in pieces for r in range(a, b + 1)] == rows  # pieces = its rows
        if project.name == BIG:
            assert len(pieces) == 2
            assert pieces[1][0] - 2 in breaks  # the second piece starts a page
        else:
            assert len(pieces) == 1, project.name
            assert not any(start < b <= end for b in breaks), project.name


def test_the_2019_layout_has_no_long_block() -> None:
    p = dep.place(parse_seed("2019").document, EVAL, dep.print_scale(EVAL))
    assert p.continued_rows == [] and p.pieces == {}
    assert len(p.dept_rows) == 37 and len(p.header_rows) == 37


def test_the_workbook_repeats_title_header_and_the_cut_projects_name(env) -> None:
    p = env["placement"]
    ws = openpyxl.load_workbook(env["built"])[DEPTS]
    headers = tuple(EVAL["departments"]["headers"])
    for r, d in p.continued_rows:
        assert ws.cell(r + 1, dep.PROJECT + 1).value == f"▢ {d.name} (계속)"
        assert tuple(ws.cell(r + 2, c + 1).value for c in range(len(headers))) == headers
        assert ws.cell(r + 1, dep.KEY + 1).value is None  # structure, no record
    start, end, project = next(s for s in p.project_spans if s[2].name == BIG)
    (a, b), (c, d) = p.pieces_of(start, end)
    merged = {str(m) for m in ws.merged_cells.ranges}
    for col in (dep.PROJECT, dep.PRATE, dep.JUDGE):
        letter = col_letter(col)
        assert f"{letter}{a + 1}:{letter}{b + 1}" in merged
        assert f"{letter}{c + 1}:{letter}{d + 1}" in merged
    assert ws.cell(c + 1, dep.PROJECT + 1).value == BIG
    rate = col_letter(dep.RATE)
    formula = ws.cell(start + 1, dep.PRATE + 1).value
    assert f"AVERAGE({rate}{a + 1}:{rate}{b + 1},{rate}{c + 1}:{rate}{d + 1})" in formula
    src = cell(start, dep.PRATE)
    assert ws.cell(c + 1, dep.PRATE + 1).value == f'=IF({src}="","",{src})'
    # Every project's 사업 달성률 averages exactly its own indicator rows.
    for start, _, project in p.project_spans:
        if not project.indicators:
            continue
        text = ws.cell(start + 1, dep.PRATE + 1).value
        covered = set()
        for first, last in re.findall(rf"{rate}(\d+):{rate}(\d+)", text.split("AVERAGE")[1]):
            covered |= set(range(int(first) - 1, int(last)))
        own = {r for r, _, _, proj, _ in p.indicator_rows if proj is project}
        assert covered == own, project.name
        # only the first row counts the project (사업첫행) in Ⅰ and the chart
        firsts = [ws.cell(r + 1, dep.FIRST + 1).value for r in sorted(own)]
        assert firsts == [1] + [0] * (len(own) - 1)


def test_each_pages_footnotes_are_on_that_page(env) -> None:
    p = env["placement"]
    rows = _long_rows(p)
    pages = [r for r in p.page_breaks if rows[0] <= r <= rows[-1]] + [rows[-1] + 2]
    first = rows[0]
    for nxt in pages:
        marked = sorted(r for r in p.marked if first <= r < nxt)
        notes = [t for r, t in p.footnotes.items() if first <= r < nxt]
        assert sum(t.count("문서 인쇄값") for t in notes) == len(marked)
        first = nxt
    assert len(p.marked & set(rows)) >= 3


@pytest.mark.libreoffice
@pytest.mark.skipif(lo.find_soffice() is None, reason="LibreOffice(soffice)가 없습니다")
def test_every_formula_recalculates_to_its_cached_value(env) -> None:
    recalculated = lo.recalculate(env["built"], env["tmp"] / "recalc")
    checked, problems = lo.formula_mismatches(env["built"], recalculated)
    assert not problems, problems[:5]
    doc = env["doc"]
    assert checked > 2 * len(doc.indicator_rows())
    values = lo.read_values(recalculated)[DEPTS]
    p = env["placement"]
    for start, _, project in p.project_spans:
        if project.indicators:
            expected = rate_of(project)
            got = values.get(cell(start, dep.PRATE))
            assert got in (None, "") if expected is None else got == pytest.approx(expected)


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@needs_lo[0]
@needs_lo[1]
def test_every_printed_page_of_the_block_shows_its_header(env) -> None:
    result = CliRunner().invoke(
        cli, ["pdf", KEY, "--db", str(env["db"]), "--out", str(env["tmp"] / "pdf")]
    )
    assert result.exit_code == 0, result.output
    pages = [t for t in _pdf_pages(Path(result.stdout.strip().splitlines()[-1])) if "Ⅲ." in t]
    doc = env["doc"]
    names = {i.name.split(" 현장")[0]: d.name for _, d, _, i in doc.indicator_rows()}
    long_pages = [t for t in pages if any(n in t for n, d in names.items() if d == LONG)]
    assert len(long_pages) == len(env["placement"].continued_rows) + 1 >= 3
    header = r"\s+".join(re.escape(h.strip()) for h in EVAL["departments"]["headers"][:6])
    for n, text in enumerate(long_pages):
        body = [line.strip() for line in text.splitlines() if line.strip()]
        if n:  # a continuation page begins with the block's title again
            assert body[1] == f"▢ {LONG} (계속)", body[:4]
        else:
            assert f"▢ {LONG}" in body
        assert re.search(header, text), f"page {n + 1} of the block has no header"
        # the footnotes of its marks are on the page itself
        assert text.count("문서 인쇄값") == len(re.findall(r"\d※", text))
    assert BIG[:10] in long_pages[1] or BIG[:10] in long_pages[2]
    for n, text in enumerate(pages, 1):
        assert len([x for x in text.splitlines() if x.strip()]) > 3, f"page {n} blank"


@needs_lo[0]
@needs_lo[1]
def test_untouched_and_continuation_page_edit_import_exactly(env, tmp_path) -> None:
    runner = CliRunner()
    db = tmp_path / "store.sqlite"
    db.write_bytes(env["db"].read_bytes())
    result = runner.invoke(cli, ["import", str(env["built"]), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"문서 '{KEY}' (저장소 리비전 1), 파일 1개", "변경 없음"]

    # 실적 of a row on the block's last page, below a repeated header, in Calc.
    p = env["placement"]
    last_page = max(r for r, d in p.continued_rows if d.name == LONG)
    row, key, ind, _, _ = next(x for x in p.indicator_rows if x[0] > last_page + 2)
    big_start = next(s for s, _, proj in p.project_spans if proj.name == BIG)
    _, (cut, _) = p.pieces[big_start]
    cut_row, cut_key, *_ = next(x for x in p.indicator_rows if x[0] == cut)
    edits = [
        (DEPTS, f"{col_letter(dep.ACTUAL)}{row + 1}", 4321),
        (DEPTS, f"{col_letter(dep.ACTUAL)}{cut_row + 1}", 77.5),
    ]
    edited = lo.uno_edit(env["built"], tmp_path / "edited.xlsx", edits)
    result = runner.invoke(cli, ["import", str(edited), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "무시" not in result.output and "경고" not in result.output, result.output
    with Store.open(db) as store:
        changes = {(e.record_key, e.new) for e in store.history_entries(KEY)}
        after = {i.key: i.actual for _, _, _, i in store.load(KEY).indicator_rows()}
    before = {i.key: i.actual for _, _, _, i in env["doc"].indicator_rows()}
    assert changes == {(key, 4321), (cut_key, 77.5)}
    assert after == {**before, key: 4321, cut_key: 77.5}
