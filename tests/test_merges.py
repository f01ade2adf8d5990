"""Merged cells of the built workbook are what Excel accepts without a repair.

The Ⅲ sheet registers its vertical merges without xlsxwriter's merge_range() (see
eval_departments._Merges for why), which skips merge_range()'s overlap check. These tests
do that check on the written file, for every sheet, and pin down the reason the public
call cannot be used.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils.cell import range_boundaries

from xlgen.build import build
from xlgen.layouts import eval_departments as dep
from xlgen.layouts._base import cell
from xlgen.store import Store

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DEPTS = "Ⅲ 부서별현황"


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its part's XML text."""
    with zipfile.ZipFile(path) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels.iter(f"{RELS}Relationship")}
        rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        return {
            s.get("name"): zf.read(
                "xl/" + target[s.get(rid)].lstrip("/").removeprefix("xl/")
            ).decode()
            for s in book.iter(f"{MAIN}sheet")
        }


def _merges(xml: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every mergeCell; the count attribute checked."""
    block = re.search(r'<mergeCells count="(\d+)">(.*?)</mergeCells>', xml, re.S)
    if block is None:
        assert "<mergeCell " not in xml
        return []
    refs = re.findall(r'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"/>', block.group(2))
    assert int(block.group(1)) == len(refs) == block.group(2).count("<mergeCell ")
    return [range_boundaries(ref) for ref in refs]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("merges")
    with Store.open(tmp / "store.sqlite") as store:
        return build("2019", store=store, out_dir=tmp / "out").path


def test_no_two_merges_overlap_on_any_sheet(built):
    parts = _sheet_parts(built)
    assert DEPTS in parts
    for name, xml in parts.items():
        owner: dict[tuple[int, int], tuple] = {}
        for bounds in _merges(xml):
            c1, r1, c2, r2 = bounds
            assert (c1, r1) != (c2, r2), (name, bounds)  # a single cell is not a merge
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    assert (r, c) not in owner, (name, bounds, owner.get((r, c)))
                    owner[(r, c)] = bounds


def test_department_sheet_merges_are_exactly_the_project_spans(built):
    """Title and unit rows, then 주요사업명, 사업 달성률 and 판정 over each project's rows;
    only the first cell of each holds a value (what openpyxl and Excel read)."""
    xml = _sheet_parts(built)[DEPTS]
    merges = _merges(xml)
    wb = openpyxl.load_workbook(built)
    ws = wb[DEPTS]
    keys = [ws.cell(r, dep.KEY + 1).value for r in range(1, ws.max_row + 1)]
    firsts = [ws.cell(r, dep.FIRST + 1).value for r in range(1, ws.max_row + 1)]
    spans = []
    row = 0
    while row < len(keys):
        if firsts[row] == 1:
            end = row
            while end + 1 < len(keys) and keys[end + 1] and firsts[end + 1] == 0:
                end += 1
            if end > row:
                spans.append((row, end))
            row = end + 1
        else:
            row += 1
    expected = [(1, 1, dep.NOTE + 1, 1), (1, 2, dep.NOTE + 1, 2)] + [
        (col + 1, start + 1, col + 1, end + 1)
        for start, end in spans
        for col in (dep.PROJECT, dep.PRATE, dep.JUDGE)
    ]
    assert sorted(merges) == sorted(expected) and len(spans) > 40
    for c1, r1, c2, r2 in merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    found = re.search(rf'<c r="{cell(r - 1, c - 1)}"[^>]*?(/>|>(.*?)</c>)', xml)
                    assert found is None or not found.group(2), (r, c, found.group(0))


def test_an_overlapping_merge_is_refused_before_it_is_written(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "m.xlsx"))
    ws = wb.add_worksheet()
    merges = dep._Merges(ws, dep.FIRST_DATA_ROW)
    merges.add(5, dep.PROJECT, 7)
    merges.add(8, dep.PROJECT, 9)  # the next project: fine
    merges.add(5, dep.PRATE, 6)  # another column: fine
    with pytest.raises(ValueError, match="overlaps"):
        merges.add(7, dep.PROJECT, 8)
    with pytest.raises(ValueError, match="overlaps"):
        merges.add(1, dep.JUDGE, 4)  # into the title rows
    with pytest.raises(ValueError, match="vertical"):
        merges.add(10, dep.JUDGE, 10)
    assert ws.merge == [[5, 0, 7, 0], [8, 0, 9, 0], [5, 6, 6, 6]]
    wb.close()


def test_merge_range_loses_cells_in_constant_memory_mode(tmp_path):
    """Why _Merges exists: in constant_memory mode, merge_range() over a project's rows
    (called on its first row, the only moment it could be) flushes every row but the last
    of the range, so the other cells of those rows, written after it, are lost. If
    xlsxwriter ever keeps them, switch _Merges to merge_range()."""
    path = tmp_path / "cm.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.merge_range(0, 0, 2, 0, "사업", wb.add_format({"border": 1}))
    for r in range(3):
        ws.write_string(r, 1, f"지표{r + 1}")
    wb.close()
    values = {c.coordinate: c.value for row in openpyxl.load_workbook(path).active for c in row}
    assert values.get("A1") == "사업"
    assert (values.get("B1"), values.get("B2")) == (None, None)  # written after it: lost
    assert values.get("B3") == "지표3"
