"""Correctness at scale, on a small N: the benchmark's synthetic document (1,000 indicators,
~30 bureaus, ~130 departments, multi-indicator projects, △ values, blanks, decimals)
parsed, built, recalculated in headless LibreOffice, edited everywhere and imported back.

The benchmarks (benchmarks/run.py) time these same steps at up to 100,000 indicators;
here they are checked for being right, with no timing asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from xlgen.build import build
from xlgen.importer import apply_import, preview_import
from xlgen.layouts import eval_departments as dep
from xlgen.model import Evaluation
from xlgen.rules import bureau_counts
from xlgen.store import Store
from xlgen.xlsx import XlsxReader

from support import libreoffice as lo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import edit_workbook  # noqa: E402
import generate  # noqa: E402

N = 1_000
SUMMARY, DEPTS = "Ⅰ 국별현황", "Ⅲ 부서별현황"
needs_libreoffice = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        lo.find_soffice() is None, reason="LibreOffice(soffice)가 설치되어 있지 않습니다"
    ),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    return generate.prepare(N, tmp_path_factory.mktemp("scale"), check=False)


@pytest.fixture(scope="module")
def built(data, tmp_path_factory) -> Path:
    with Store.open(data["db"]) as store:
        return build(generate.KEY, store=store, out_dir=tmp_path_factory.mktemp("out")).path


def _summary_rows(values: dict[str, dict[str, object]], names: set[str]) -> dict[str, tuple]:
    """Ⅰ's rows by bureau name: (사업 수, 정상추진, 부진) as the sheet shows them."""
    ws = values[SUMMARY]
    rows = {}
    for ref, value in ws.items():
        if ref.startswith("A") and ref[1:].isdigit() and value in names:
            r = ref[1:]
            rows[value] = tuple(ws.get(f"{c}{r}", 0) for c in "BCD")
    return rows


def _actuals(xlsx: Path) -> dict[str, object]:
    """실적 by hidden record key, as the workbook's Ⅲ sheet holds them."""
    with XlsxReader(xlsx) as reader:
        return {
            row.values[dep.KEY]: row.values[dep.ACTUAL]
            for row in reader.rows(DEPTS, max_rows=10 * N, max_columns=16)
            if len(row.values) > dep.KEY
            and isinstance(row.values[dep.KEY], str)
            and row.values[dep.KEY] != dep.HIDDEN_HEADERS[0]
        }


def test_the_synthetic_document_parses_back_to_its_records(data):
    """Every bureau, department, project, indicator and number of the rendered document
    reads back as generated (generate.self_check asserts it)."""
    info = generate.self_check(generate.make_evaluation(N), Path(data["text"]))
    assert info["indicators"] == N
    assert info["bureaus"] >= 20 and info["departments"] >= 100


@needs_libreoffice[0]
@needs_libreoffice[1]
def test_recalculated_summary_matches_the_records(data, built, tmp_path):
    """LibreOffice's recalculated Ⅰ shows, for every bureau, the counts computed from the
    records; every formula's recalculated value equals the value Python cached."""
    with Store.open(data["db"]) as store:
        doc = store.load(generate.KEY)
    assert isinstance(doc, Evaluation)
    expected = {name: counts for name, counts in bureau_counts(doc, doc.threshold).items()}
    recalculated = lo.recalculate(built, tmp_path)
    engine = lo.read_values(recalculated)
    assert _summary_rows(engine, set(expected)) == expected
    checked, problems = lo.formula_mismatches(built, recalculated)
    assert not problems, problems[:5]
    assert checked > 2 * N  # 달성률 and judgement of every row, and the counts


def test_every_actual_edited_imports_exactly_and_rebuilds(data, built, tmp_path):
    """Every 실적 changed in the workbook is imported exactly (nothing lost, nothing
    invented); a rebuild from the store carries the new values, and its Ⅰ counts follow."""
    edited = tmp_path / "edited.xlsx"
    changed = edit_workbook.edit(built, edited)
    assert changed >= N * 0.95
    db = tmp_path / "store.sqlite"
    db.write_bytes(Path(data["db"]).read_bytes())
    typed = _actuals(edited)  # what the edited workbook holds, by hidden key
    assert len(typed) == N
    with Store.open(db) as store:
        before = {i.key: i.actual for _, _, _, i in store.load(generate.KEY).indicator_rows()}
        preview = preview_import(store, [edited])
        apply_import(store, preview, os_user="test")
        doc = store.load(generate.KEY)
        after = {i.key: i.actual for _, _, _, i in doc.indicator_rows()}
        out = build(generate.KEY, store=store, out_dir=tmp_path / "rebuilt").path
    assert len(preview.changes) == sum(1 for k in typed if typed[k] != before[k]) >= changed
    assert after == typed  # every value as typed, no other value touched
    assert _actuals(out) == typed
    if lo.find_soffice() is not None:
        engine = lo.read_values(lo.recalculate(out, tmp_path / "recalc"))
        expected = bureau_counts(doc, doc.threshold)
        assert _summary_rows(engine, set(expected)) == expected
