"""xlgen.frames: the records as DataFrames, the same rows as the CSV export."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from xlgen import frames
from xlgen.errors import XlgenError
from xlgen.export import to_csv
from xlgen.seeds import parse_document_path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {
    "evaluation": ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt",
    "plan": ROOT / "seeds" / "plan-seogu" / "000_927cff7e11b514e0.txt",
}

pd = pytest.importorskip("pandas")


def _same(a: object, b: str) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return b == ""
    if a is None:
        return b == ""
    if isinstance(a, float) and a.is_integer() and not b.endswith(".0"):
        return str(int(a)) == b
    return str(a) == b


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_indicators_frame_is_the_csv(kind):
    doc, _, _ = parse_document_path(SEEDS[kind])
    df = frames.indicators(doc)
    rows = list(csv.reader(io.StringIO(to_csv([("x.txt", doc)]).removeprefix("\ufeff"))))
    assert list(df.columns) == rows[0]
    assert len(df) == len(rows) - 1 > 0
    for values, written in zip(df.itertuples(index=False), rows[1:], strict=True):
        assert all(_same(v, w) for v, w in zip(values, written, strict=True)), (values, written)


def test_evaluation_frame_answers_questions():
    doc, _, _ = parse_document_path(SEEDS["evaluation"])
    df = frames.indicators(doc)
    per_department = df.groupby("부서").size()
    assert per_department.sum() == len(doc.indicator_rows())
    assert len(per_department) == len(doc.departments())
    assert set(df["방향"]) <= {"상향", "하향"}
    # 판정 per project, from the rules the workbook's formulas use
    weak = df[df["판정"] == "부진"]
    assert len(weak) > 0 and (weak["사업 달성률"] <= doc.threshold).all()


def test_empty_document_keeps_its_columns():
    doc, _, _ = parse_document_path(SEEDS["plan"])
    doc.goals = []
    df = frames.indicators(doc)
    assert df.empty and list(df.columns) == ["실국", "전략목표", "정책사업목표", "성과지표"]


def test_warnings_frame():
    doc, _, _ = parse_document_path(SEEDS["evaluation"])
    df = frames.warnings(doc)
    assert list(df.columns) == ["line", "kind", "label", "message"]
    assert len(df) == len(doc.warnings) > 0
    assert list(df["message"]) == [w.message for w in doc.warnings]
    assert list(df["kind"]) == [w.kind.value for w in doc.warnings]


def test_without_pandas_the_error_is_clear(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    doc, _, _ = parse_document_path(SEEDS["plan"])
    with pytest.raises(XlgenError, match="pandas가 설치되어 있지 않습니다"):
        frames.indicators(doc)
