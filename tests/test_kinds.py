"""The registry of document kinds (xlgen.kinds): every per-kind decision goes through it, a
third kind is one entry, and a kind nobody registered fails loudly instead of being treated
as one of the others."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from xlgen import kinds
from xlgen.errors import InputError, StoreError
from xlgen.export import to_csv, to_json_obj, to_table
from xlgen.model import ParseWarning
from xlgen.parse import detect_kind, parse_file
from xlgen.store import Store
from xlgen.workbook import build_document

ROOT = Path(__file__).resolve().parent.parent
EVAL_SEED = ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt"
PLAN_SEED = ROOT / "seeds" / "plan-seogu" / "000_927cff7e11b514e0.txt"


@dataclasses.dataclass
class Minutes:
    """A made-up third kind: minutes of a meeting, one agenda item a line."""

    title: str
    org: str | None
    year: int | None
    items: list[str] = dataclasses.field(default_factory=list)
    warnings: list[ParseWarning] = dataclasses.field(default_factory=list)

    kind = "minutes"


def _parse_minutes(lines: list[str], *, corrections: Any = None, source: str = "") -> Minutes:
    items = [line.removeprefix("- ").strip() for line in lines if line.startswith("- ")]
    return Minutes(title=lines[0].strip(), org=None, year=None, items=items)


def _build_minutes(doc: Minutes, path: Path, template: Any, **_: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(doc.items), encoding="utf-8")
    return path


MINUTES = kinds.Kind(
    name="minutes",
    label="회의록",
    document="회의록",
    model=Minutes,
    detect=lambda text: text.startswith("회의록"),
    parse=_parse_minutes,
    store=kinds.StoreCodec(
        body=lambda doc: {"items": doc.items},
        load=lambda title, org, year, body, rows, phase: Minutes(title, org, year, body["items"]),
    ),
    build=_build_minutes,
    json_fields=lambda doc: {"items": list(doc.items)},
    csv_columns=("안건",),
    csv_rows=lambda doc, threshold: [[item] for item in doc.items],
    plain_rows=lambda doc: (("안건",), [[item] for item in doc.items]),
    table=lambda doc: [f"  - {item}" for item in doc.items],
    totals=lambda doc: f"합계: 안건 {len(doc.items)}",
    long_texts=lambda doc, limit: [(item, "안건", "") for item in doc.items],
    printed_sheets=(),
)


@pytest.fixture
def minutes_kind():
    kinds.register(MINUTES)
    yield MINUTES
    kinds.unregister(MINUTES.name)


def test_builtin_kinds_are_registered_with_labels():
    assert [k.name for k in kinds.all_kinds()] == ["plan", "evaluation"]
    assert kinds.get("evaluation").label == "평가"
    assert kinds.get("plan").label == "성과계획"
    assert kinds.get("evaluation").importable and not kinds.get("plan").importable
    assert kinds.get("evaluation").build_departments is not None
    assert kinds.get("plan").build_departments is None


def test_seeds_are_detected_by_their_own_kind():
    assert detect_kind(EVAL_SEED.read_text(encoding="utf-8")) == "evaluation"
    assert detect_kind(PLAN_SEED.read_text(encoding="utf-8")) == "plan"
    assert detect_kind("회의록\n- 예산\n") is None


def test_csv_rows_have_the_declared_columns():
    for seed in (EVAL_SEED, PLAN_SEED):
        doc, _ = parse_file(seed)
        kind = kinds.of(doc)
        rows = list(kind.csv_rows(doc, None))
        assert rows and all(len(r) == len(kind.csv_columns) for r in rows)


def test_unknown_kind_name_fails_loudly():
    with pytest.raises(kinds.UnknownKindError, match="알 수 없는 문서 종류입니다: 'minutes'"):
        kinds.get("minutes")
    assert kinds.find("minutes") is None


def test_a_record_of_an_unregistered_kind_is_never_taken_for_another():
    doc = Minutes("회의록", None, None, ["예산"])
    with pytest.raises(kinds.UnknownKindError):
        kinds.of(doc)
    for write in (lambda d: to_csv([("m.txt", d)]), to_table, to_json_obj):
        with pytest.raises(kinds.UnknownKindError):
            write(doc)


def test_a_record_whose_class_does_not_match_its_kind_name_is_refused():
    doc = Minutes("회의록", None, None, [])
    doc.kind = "plan"  # claims to be a plan, but is not a model.Plan
    with pytest.raises(kinds.UnknownKindError):
        kinds.of(doc)


def test_store_refuses_an_unregistered_kind_and_keeps_nothing(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(StoreError, match="알 수 없는 문서 종류"):
            store.save_document(
                "m", Minutes("회의록", None, None, []), source_name="m.txt", source_sha256="0"
            )
        assert store.keys() == []


def test_a_registered_third_kind_is_stored_without_a_migration(minutes_kind, tmp_path):
    """The store's schema names no kinds (schema 3): a kind the registry knows is saved
    and loaded as it is, listed with its kind, and refused again once unregistered."""
    doc = Minutes("회의록", "서구", 2020, ["예산", "인사"])
    with Store.open(tmp_path / "s.sqlite") as store:
        store.save_document("m", doc, source_name="m.txt", source_sha256="0")
        assert store.load("m") == doc
        assert [(i.key, i.kind, i.phase) for i in store.keys()] == [("m", "minutes", None)]
    kinds.unregister(MINUTES.name)
    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(kinds.UnknownKindError, match="알 수 없는 문서 종류입니다: 'minutes'"):
            store.load("m")


def test_text_two_kinds_accept_is_refused(minutes_kind, tmp_path):
    notes = kinds.register(dataclasses.replace(MINUTES, name="notes", label="메모"))
    try:
        path = tmp_path / "x.txt"
        path.write_text("회의록\n- 예산\n", encoding="utf-8")
        with pytest.raises(InputError, match=r"x.txt: 문서 종류를 정할 수 없습니다.*회의록, 메모"):
            parse_file(path)
    finally:
        kinds.unregister(notes.name)


def test_a_third_kind_is_one_entry(minutes_kind, tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("회의록 3월\n- 예산 심의\n- =SUM(A1)\n", encoding="utf-8")
    doc, _ = parse_file(path)
    assert isinstance(doc, Minutes) and doc.items == ["예산 심의", "=SUM(A1)"]
    assert to_json_obj(doc)["items"] == ["예산 심의", "=SUM(A1)"]
    assert to_csv([("m.txt", doc)]) == "\ufeff안건\r\n예산 심의\r\n'=SUM(A1)\r\n"
    assert "[회의록] 회의록 3월" in to_table(doc)
    built = build_document(doc, tmp_path / "out", {}, key="m", revision=1)
    assert built.read_text(encoding="utf-8") == "예산 심의\n=SUM(A1)"
    # The unknown-document message lists every registered kind.
    with pytest.raises(InputError, match="회의록 문서의 텍스트가 아닙니다"):
        other = tmp_path / "o.txt"
        other.write_text("잡담\n", encoding="utf-8")
        parse_file(other)


def test_korean_or_picks_the_particle():
    assert kinds.korean_or(["성과계획서(성과계획 총괄표)", "주요사업 평가 현황"]) == (
        "성과계획서(성과계획 총괄표)나 주요사업 평가 현황"
    )
    assert kinds.korean_or(["주요사업 평가 현황", "회의록"]) == "주요사업 평가 현황이나 회의록"
    assert kinds.korean_or(["회의록"]) == "회의록"


def test_by_department_for_a_kind_without_it_is_refused_before_writing(tmp_path):
    from xlgen.build import build
    from xlgen.errors import XlgenError

    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(
            XlgenError, match="평가 문서가 아니라 부서별 통합문서를 만들 수 없습니다"
        ):
            build(
                "plan-seogu",
                store=store,
                out_dir=tmp_path / "out",
                seeds_dir=ROOT / "seeds",
                by_department=True,
            )
    assert not list((tmp_path / "out").rglob("*.xlsx"))
