"""Typed findings: a kind and fields, the Korean message rendered in one place, and no code
that decides anything by reading that message."""

from __future__ import annotations

import copy
import json
import pickle
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from xlgen import findings
from xlgen.build import build
from xlgen.export import to_json_obj
from xlgen.findings import Finding, Kind, render
from xlgen.kinds.evaluation import effective_threshold
from xlgen.parse.evaluation import parse_evaluation
from xlgen.parse.plan import parse_plan
from xlgen.store import Store
from xlgen.textio import read_document

ROOT = Path(__file__).resolve().parent.parent
EVAL_SEED = ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt"
PLAN_SEED = ROOT / "seeds" / "plan-seogu" / "000_927cff7e11b514e0.txt"


def _without_threshold() -> list[str]:
    lines = read_document(EVAL_SEED).lines
    kept = ["" if "부진판정 기준" in line else line for line in lines]  # line numbers stay
    assert sum(a != b for a, b in zip(lines, kept, strict=True)) == 1
    return kept


def _templates(tmp_path: Path, threshold: int) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    style = (templates / "style.toml").read_text(encoding="utf-8")
    assert "threshold = 80" in style
    (templates / "style.toml").write_text(
        style.replace("threshold = 80", f"threshold = {threshold}"), encoding="utf-8"
    )
    return templates


def test_every_kind_has_a_label_and_a_renderer():
    assert set(findings._LABELS) == set(Kind)
    assert set(findings._RENDER) == set(Kind)
    assert all(kind.label for kind in Kind)


def test_seed_findings_are_typed_and_carry_their_figures():
    ev = parse_evaluation(read_document(EVAL_SEED).lines)
    plan = parse_plan(read_document(PLAN_SEED).lines)
    for doc in (ev, plan):
        assert doc.warnings and all(w.kind is not Kind.NOTE for w in doc.warnings)
    rates = [w for w in ev.warnings if w.kind is Kind.RATE_MISMATCH]
    lighting = [w for w in rates if w.get("indicator") == "도로조명시설물 정비"]
    assert len(lighting) == 1
    assert (lighting[0].line, lighting[0].fields) == (1626, {
        "department": "도로과",
        "indicator": "도로조명시설물 정비",
        "printed": 204,
        "computed": 205.0,
        "target": 100,
        "actual": 205,
    })  # fmt: skip
    [ratio] = [w for w in ev.warnings if w.kind is Kind.RATIO_MISMATCH]
    assert ratio.get("printed") == (99, 1) and ratio.get("computed") == (98, 2)


def test_message_is_rendered_from_the_fields():
    w = Finding(
        7,
        kind=Kind.RATE_MISMATCH,
        department="총무과",
        indicator="청렴도",
        printed=150,
        computed=70.0,
        target=37,
        actual=-26,
    )
    assert w.message == "달성률 불일치: 총무과 '청렴도' 인쇄 150, 계산 70 (목표 37, 실적 -26)"
    assert w.message == render(w.kind, w.fields)
    assert w.replace(printed=1234).message.startswith("달성률 불일치: 총무과 '청렴도' 인쇄 1,234,")
    note = Finding(3, "자유 글")
    assert (note.kind, note.fields, note.message) == (Kind.NOTE, {"text": "자유 글"}, "자유 글")
    with pytest.raises(TypeError):
        Finding(3, "글", kind=Kind.NO_THRESHOLD, threshold=80)


def test_findings_are_values():
    w = Finding(1, kind=Kind.RATIO_MISMATCH, printed=[99, 1], computed=(98, 2), normal=151,
                weak=3, projects=154)  # fmt: skip
    assert w.get("printed") == (99, 1)  # lists are kept as tuples: hashable, comparable
    assert hash(w) == hash(copy.deepcopy(w)) and w == pickle.loads(pickle.dumps(w))
    with pytest.raises(AttributeError):
        w.line = 2  # type: ignore[misc]


def test_threshold_finding_states_the_threshold_applied(tmp_path):
    doc = parse_evaluation(_without_threshold())
    [finding] = [w for w in doc.warnings if w.kind is Kind.NO_THRESHOLD]
    assert finding.message == "부진판정 기준이 없어 80%로 보았습니다."
    assert effective_threshold(doc, {"judgement": {"threshold": 70}}) == 70
    printed = parse_evaluation(read_document(EVAL_SEED).lines)
    assert effective_threshold(printed, {"judgement": {"threshold": 70}}) == 80

    with Store.open(tmp_path / "s.sqlite") as store:
        store.save_document("t", doc, source_name="t.txt", source_sha256="0" * 64)
        path = build("t", store=store, out_dir=tmp_path / "out",
                     templates_dir=_templates(tmp_path, 70)).path  # fmt: skip
    sheet = openpyxl.load_workbook(path)["검토사항"]
    rows = [(r[1], r[3]) for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert ("판정 기준", "부진판정 기준이 없어 70%로 보았습니다.") in rows
    assert not any("80%" in str(text) for _, text in rows)


def test_no_code_path_reads_the_message(tmp_path, monkeypatch):
    """With every message rendered as the same meaningless text, the threshold is still
    the template's and the 검토사항 sheet still labels each finding by its kind."""
    monkeypatch.setattr(findings, "render", lambda kind, fields: "?")
    doc = parse_evaluation(_without_threshold())
    assert {w.message for w in doc.warnings} == {"?"}
    with Store.open(tmp_path / "s.sqlite") as store:
        store.save_document("t", doc, source_name="t.txt", source_sha256="0" * 64)
        assert effective_threshold(store.load("t"), {"judgement": {"threshold": 70}}) == 70
        path = build("t", store=store, out_dir=tmp_path / "out").path
    sheet = openpyxl.load_workbook(path)["검토사항"]
    labels = [r[1] for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert labels == [w.kind.label for w in doc.warnings]
    assert "달성률" in labels and "판정 기준" in labels


def test_store_keeps_kind_and_fields(tmp_path):
    doc = parse_evaluation(_without_threshold())
    with Store.open(tmp_path / "s.sqlite") as store:
        store.save_document("t", doc, source_name="t.txt", source_sha256="0" * 64)
        loaded = store.load("t")
    assert loaded.warnings == doc.warnings
    conn = sqlite3.connect(tmp_path / "s.sqlite")
    body = json.loads(conn.execute("SELECT body FROM documents").fetchone()[0])
    conn.close()
    assert {"line": None, "kind": "no_threshold", "fields": {"threshold": 80}} in body["warnings"]
    assert all(set(w) == {"line", "kind", "fields"} for w in body["warnings"])


def test_a_store_of_untyped_findings_still_loads(tmp_path):
    """Stores written before findings were typed keep {"line", "message"}: they load, as
    free-text findings, and the one whose meaning code relied on keeps its meaning."""
    doc = parse_evaluation(_without_threshold())
    db = tmp_path / "s.sqlite"
    with Store.open(db) as store:
        store.save_document("t", doc, source_name="t.txt", source_sha256="0" * 64)
    conn = sqlite3.connect(db)
    body = json.loads(conn.execute("SELECT body FROM documents").fetchone()[0])
    body["warnings"] = [{"line": w.line, "message": w.message} for w in doc.warnings]
    conn.execute("UPDATE documents SET body = ?", (json.dumps(body, ensure_ascii=False),))
    conn.commit()
    conn.close()
    with Store.open(db) as store:
        old = store.load("t")
    assert [(w.line, w.message) for w in old.warnings] == [
        (w.line, w.message) for w in doc.warnings
    ]
    typed = [w.kind for w in old.warnings if w.kind is not Kind.NOTE]
    assert typed == [Kind.NO_THRESHOLD] and len(old.warnings) > 1
    assert effective_threshold(old, {"judgement": {"threshold": 70}}) == 70


def test_json_keeps_messages_and_adds_findings():
    doc = parse_plan(read_document(PLAN_SEED).lines)
    obj = to_json_obj(doc)
    assert obj["warnings"] == [{"line": w.line, "message": w.message} for w in doc.warnings]
    assert [(f["line"], f["kind"], f["label"]) for f in obj["findings"]] == [
        (w.line, w.kind.value, w.kind.label) for w in doc.warnings
    ]
    assert all(f["fields"] == w.fields for f, w in zip(obj["findings"], doc.warnings, strict=True))
