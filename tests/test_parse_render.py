"""Rendered documents read back to their records (issue 11), for both kinds of document.

Records (benchmarks/generate.py for evaluations, support.render.make_plan for plans) are
rendered to extracted text in a `Style` drawn by Hypothesis: indentation, blank lines, page
length, page-top tables whose heading ends the page, footer styles, minus look-alikes,
NFC/NFD, invisible characters, thousands separators, "%" after rates, trailing notes and
EOF bytes, ▢/□/ㅁ, CRLF. Parsing the text (through `parse_file`, encoding and kind detection
included) gives back the same records, or refuses cleanly, or names every row it could not
place in a finding; never silently different records.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlgen.errors import InputError, ParseError
from xlgen.findings import Kind
from xlgen.model import Evaluation, Plan
from xlgen.parse import parse_file

from support.records import evaluation_rows, plan_records
from support.render import (
    FOOTERS,
    INVISIBLE,
    MARKS,
    MINUS,
    SEPARATORS,
    Style,
    make_evaluation,
    make_plan,
    render_evaluation,
    render_plan,
)

styles = st.builds(
    Style,
    indent=st.sampled_from(["page", "none", "all"]),
    blank=st.integers(1, 2),
    page_lines=st.sampled_from([20, 40, 60]),
    quirk=st.sampled_from([0.0, 0.1, 0.3]),
    footer=st.sampled_from(sorted(FOOTERS)),
    minus=st.sampled_from(sorted(MINUS)),
    form=st.sampled_from(["NFC", "NFD"]),
    invisible=st.sampled_from(INVISIBLE),
    separator=st.sampled_from(sorted(SEPARATORS)),
    percent=st.booleans(),
    trailing=st.sampled_from(["", "note", "eof", "note+eof"]),
    mark=st.sampled_from(MARKS),
    crlf=st.booleans(),
    seed=st.integers(0, 10_000),
)


def _parse(text: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "문서.txt"
        path.write_bytes(text.encode("utf-8"))
        try:
            document, _ = parse_file(path)
        except (ParseError, InputError) as exc:
            message = str(exc)
            assert message.startswith("문서.txt") and "None" not in message, message
            return None
    return document


def _flagged_lines(ev: Evaluation) -> set[int]:
    """Lines of the rows the parse named as undecided: tables whose department the text
    cannot tell, and rows whose project/indicator split is uncertain."""
    lines: set[int] = set()
    for w in ev.warnings:
        if w.kind is Kind.TABLE_READINGS_AMBIGUOUS:
            for first, last, _ in w.get("tables"):
                lines.update(range(first, last + 1))
        elif w.kind is Kind.ROW_UNCERTAIN and w.line is not None:
            lines.add(w.line)
    return lines


def check_evaluation(expected: Evaluation, style: Style) -> Evaluation | None:
    parsed = _parse(render_evaluation(expected, style))
    if parsed is None:
        return None
    assert isinstance(parsed, Evaluation)
    assert [b.name for b in parsed.bureaus] == [b.name for b in expected.bureaus]
    assert sorted(d.name for d in parsed.departments()) == sorted(
        d.name for d in expected.departments()
    )
    assert [(r.bureau, r.projects, r.normal, r.weak) for r in parsed.summary] == [
        (r.bureau, r.projects, r.normal, r.weak) for r in expected.summary
    ]
    want = Counter(evaluation_rows(expected))
    got = evaluation_rows(parsed)
    assert len(got) == sum(want.values())
    flagged = _flagged_lines(parsed)
    rows = list(parsed.indicator_rows())
    unexpected = Counter(got) - want
    for (*_, i), row in zip(rows, got, strict=True):
        if unexpected[row] > 0:
            assert i.line in flagged, f"silently different row {row} (line {i.line})"
            unexpected[row] -= 1
    if not flagged:
        assert got == evaluation_rows(expected)  # same records, in the same order
    return parsed


def check_plan(expected: Plan, style: Style) -> Plan | None:
    parsed = _parse(render_plan(expected, style))
    if parsed is None:
        return None
    assert isinstance(parsed, Plan)
    got = plan_records(parsed, lines=False)
    want = plan_records(expected, lines=False)
    assert got == want
    return parsed


# --------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(40, 160), st.integers(0, 1_000), styles)
def test_rendered_evaluation_reads_back(n: int, seed: int, style: Style) -> None:
    check_evaluation(make_evaluation(n, seed), style)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 1_000), st.integers(2, 7), styles)
def test_rendered_plan_reads_back(seed: int, offices: int, style: Style) -> None:
    check_plan(make_plan(seed, offices), style)


# --------------------------------------------------------------------------- fixed styles

FIXED = [
    Style(),
    Style(indent="none", footer="emdash", minus="U+2212", invisible="\u200b"),
    Style(indent="all", footer="slash", separator="thin", percent=True, trailing="note+eof"),
    Style(form="NFD", footer="page_of", mark="ㅁ", separator="nbsp", crlf=True),
    Style(quirk=0.3, indent="none", footer="korean", minus="U+FE63", blank=2, seed=3),
]


@pytest.mark.parametrize("style", FIXED, ids=lambda s: f"{s.indent}-{s.footer}-{s.form}")
def test_fixed_styles_read_back_exactly(style: Style) -> None:
    """Not even a refusal: each of these styles reads to the records."""
    ev = make_evaluation(120, 5)
    parsed = check_evaluation(ev, style)
    assert parsed is not None
    plan = make_plan(5, 6)
    assert check_plan(plan, style) is not None


def test_quirk_pages_are_named_when_ambiguous() -> None:
    """Pages that begin with a table whose heading ends the page: every one the parse
    could not settle from Ⅰ is a finding listing its tables and readings."""
    ev = make_evaluation(300, 11)
    parsed = check_evaluation(ev, Style(quirk=0.5, indent="none", seed=2))
    assert parsed is not None
    findings = [w for w in parsed.warnings if w.kind is Kind.TABLE_READINGS_AMBIGUOUS]
    assert findings
    for w in findings:
        # several readings the text allows, or none that agrees with Ⅰ's figures
        assert len(w.get("readings")) >= 2 or w.get("disagreements") > 0
        assert len(w.get("tables")) >= 2
        assert "확인 필요" in w.message and "1)" in w.message
        assert ("2)" in w.message) == (len(w.get("readings")) >= 2)
