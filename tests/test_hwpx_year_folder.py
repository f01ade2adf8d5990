"""Issue 16's acceptance: a year folder holding the year's plan and evaluation as `.hwpx`
builds both workbooks, and Ⅰ, recalculated in LibreOffice, shows the document's own table.

The HWPX documents are written from the text seeds' records with python-hwpx (see
hwpx_fixtures.py); the expected Ⅰ is what the text seed's Ⅰ table prints, read by the text
parser, so nothing here is typed in by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hwpx_fixtures import evaluation_blocks, plan_blocks, write_hwpx
from test_hwpx_records import EVAL_SEED, PLAN_SEED, _text

from xlgen.cli import cli
from xlgen.model import Evaluation, Plan
from xlgen.store import Store

from support import libreoffice as lo

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        lo.find_soffice() is None, reason="LibreOffice(soffice)가 설치되어 있지 않습니다"
    ),
]

SUMMARY = "Ⅰ 국별현황"


@pytest.fixture(scope="module")
def texts() -> tuple[Evaluation, Plan]:
    ev, plan = _text(EVAL_SEED), _text(PLAN_SEED)
    assert isinstance(ev, Evaluation) and isinstance(plan, Plan)
    return ev, plan


@pytest.fixture(scope="module")
def desk(tmp_path_factory, texts) -> Path:
    """seeds/2019 with only the two .hwpx documents and one corrections file; built."""
    ev, plan = texts
    tmp = tmp_path_factory.mktemp("hwpx-year")
    folder = tmp / "seeds" / "2019"
    folder.mkdir(parents=True)
    write_hwpx(folder / "주요사업 평가.hwpx", evaluation_blocks(ev))
    write_hwpx(folder / "성과계획서.hwpx", plan_blocks(plan))
    corrections = [
        (seed.parent / "corrections.toml").read_text(encoding="utf-8")
        for seed in (EVAL_SEED, PLAN_SEED)
    ]
    (folder / "corrections.toml").write_text("\n".join(corrections), encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["build", "2019", "--seeds", str(tmp / "seeds"), "--out", str(tmp / "out")],
        env={"XLGEN_DB": str(tmp / "store.sqlite")},
    )
    assert result.exit_code == 0, result.output
    return tmp


def test_both_workbooks_are_built_from_the_hwpx_documents(desk: Path, texts) -> None:
    ev, plan = texts
    books = sorted((desk / "out" / "2019").glob("*.xlsx"))
    assert len(books) == 2, books
    with Store.open(desk / "store.sqlite", create=False) as store:
        infos = {i.key: i for i in store.keys()}
        assert sorted(infos) == ["2019/evaluation", "2019/plan"]
        stored_ev = store.load("2019/evaluation")
        stored_plan = store.load("2019/plan")
    assert isinstance(stored_ev, Evaluation) and isinstance(stored_plan, Plan)
    assert all(i.source_name.endswith(".hwpx") for i in infos.values())
    rows = [(d.name, p.name, i.name, i.target, i.actual) for _, d, p, i in ev.indicator_rows()]
    assert [
        (d.name, p.name, i.name, i.target, i.actual) for _, d, p, i in stored_ev.indicator_rows()
    ] == rows
    assert [o.office for o in stored_plan.offices] == [o.office for o in plan.offices]


def test_summary_recalculates_to_the_documents_own_table(desk: Path, texts, tmp_path) -> None:
    ev, _ = texts
    (book,) = [p for p in (desk / "out" / "2019").glob("*.xlsx") if SUMMARY in _sheets(p)]
    values = lo.read_values(lo.recalculate(book, tmp_path))[SUMMARY]
    found: dict[str, tuple] = {}
    for ref, value in values.items():
        if ref.startswith("A") and isinstance(value, str):
            row = ref[1:]
            found[" ".join(value.split())] = tuple(values.get(f"{c}{row}", 0) for c in "BCD")
    printed = {r.bureau: (r.projects, r.normal, r.weak) for r in ev.summary}
    assert printed, "the text seed's Ⅰ table was not read"
    assert {b: found.get(b) for b in printed} == printed
    assert ev.summary_total is not None
    total = (ev.summary_total.projects, ev.summary_total.normal, ev.summary_total.weak)
    assert total in found.values()


def _sheets(path: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()
