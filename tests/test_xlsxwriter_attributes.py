"""The two places xlgen sets an xlsxwriter attribute that has no public call, each pinned
by what the written file shows (if xlsxwriter stops reading the attribute, these fail):

- xlgen.workbook._big_sheet turns ``Workbook.constant_memory`` on while it adds the two
  sheets written strictly row by row (Ⅲ and _xlgen), off for the others: the public
  option is workbook-wide. A constant_memory sheet writes its strings inline.
- xlgen.workbook._hide_unprinted clears a hidden sheet's print area and titles
  (tests/test_print.py: the print copy's hidden sheets define no _xlnm print names).

The third, eval_departments._Merges, is tests/test_merges.py's subject.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from xlgen.build import build
from xlgen.layouts import meta
from xlgen.store import Store


def _sheet_parts(path: Path) -> dict[str, str]:
    """sheet name → its worksheet XML."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        target = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        target.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
        out = {}
        for name, rid in re.findall(
            r'<sheet name="([^"]+)" sheetId="\d+"[^>]*r:id="(rId\d+)"', book
        ):
            out[name] = z.read("xl/" + target[rid]).decode("utf-8")
        return out


def test_only_the_streamed_sheets_are_in_constant_memory_mode(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as store:
        path = build("2019", store=store, out_dir=tmp_path / "out").path
    parts = _sheet_parts(path)
    streamed = {"Ⅲ 부서별현황", meta.SHEET}
    assert streamed <= set(parts)
    for name, xml in parts.items():
        inline, shared = 't="inlineStr"' in xml, 't="s"' in xml
        if name in streamed:
            assert inline and not shared, name
        elif inline or shared:  # a sheet holding text at all
            assert shared and not inline, name
