"""The registry of document kinds (xlgen.kinds): every per-kind decision goes through it, a
third kind is one entry, and a kind nobody registered fails loudly instead of being treated
as one of the others."""

from __future__ import annotations

import copy
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


# A third kind with a department round: a roster, one "- 부서: 이름" a line. It goes through
# the year-folder build (its department files, the round's status), `xlgen status` and
# `--kind` by its registry entry alone. The SQLite store's schema admits only the shipped
# kinds (see xlgen.kinds), so these tests keep documents in a small in-memory store.


@dataclasses.dataclass
class Roster:
    title: str
    org: str | None
    year: int | None
    entries: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    warnings: list[ParseWarning] = dataclasses.field(default_factory=list)

    kind = "roster"


def _parse_roster(lines: list[str], *, corrections: Any = None, source: str = "") -> Roster:
    entries = [
        (dept.strip(), name.strip())
        for dept, _, name in (line.removeprefix("- ").partition(":") for line in lines[1:])
        if name
    ]
    return Roster(title=lines[0].strip(), org="서구", year=2020, entries=entries)


def _roster_files(doc: Roster, out_dir: Path, template: Any) -> list[tuple[str, Path]]:
    depts = dict.fromkeys(d for d, _ in doc.entries)
    return [(d, out_dir / "부서별" / f"{d}.txt") for d in depts]


def _build_roster_departments(
    doc: Roster, out_dir: Path, template: Any, *, files: Any, **_: Any
) -> list[Path]:
    out = []
    for dept, path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(n for d, n in doc.entries if d == dept), encoding="utf-8")
        out.append(path)
    return out


def _roster_round(doc: Roster, *, key, store_key, revision, threshold, builds, submissions):
    from xlgen.round import DepartmentRound, RoundStatus

    status = RoundStatus(
        key, store_key, doc.title, doc.org, doc.year, revision, threshold, kind=doc.kind
    )
    sent = {b.department: b for b in builds}
    for dept in dict.fromkeys(d for d, _ in doc.entries):
        status.departments.append(DepartmentRound("명부국", dept, sent=sent.get(dept)))
    return status


def _build_roster(doc: Roster, path: Path, template: Any, *, threshold, status, **_: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sent = sum(d.sent is not None for d in status.departments)
    path.write_text(f"기준 {threshold}, 보냄 {sent}/{status.total}", encoding="utf-8")
    return path


ROSTER = dataclasses.replace(
    MINUTES,
    name="roster",
    label="명부",
    document="명부",
    model=Roster,
    detect=lambda text: text.startswith("명부"),
    parse=_parse_roster,
    build=_build_roster,
    json_fields=lambda doc: {"entries": [list(e) for e in doc.entries]},
    effective_threshold=lambda doc, template: template["judgement"]["threshold"],
    department_files=_roster_files,
    build_departments=_build_roster_departments,
    round_status=_roster_round,
)


class MemoryStore:
    """The part of xlgen.store.Store a build and `xlgen status` use, kept in memory."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[Any, Any]] = {}
        self.builds: dict[str, list[Any]] = {}

    def documents_of(self, folder: str) -> list[Any]:
        return [i for k, (i, _) in sorted(self.docs.items()) if k.split("/")[0] == folder]

    def keys(self) -> list[Any]:
        return [i for _, (i, _) in sorted(self.docs.items())]

    def has(self, key: str) -> bool:
        return key in self.docs

    def save_document(self, key, doc, *, source_name, source_sha256, encoding="") -> None:
        from xlgen.store_codec import DocumentInfo

        kinds.of(doc)  # as the store does: an unregistered kind is refused
        info = DocumentInfo(
            key, doc.kind, doc.title, doc.org, doc.year, 1, "", source_name, source_sha256, ""
        )
        self.docs[key] = (info, copy.deepcopy(doc))

    def load(self, key: str) -> Any:
        return copy.deepcopy(self.docs[key][1])

    def revision(self, key: str) -> int:
        return self.docs[key][0].revision

    def round(self, key: str) -> str:
        return "R1"

    def record_department_builds(self, key, builds, *, at, os_user) -> None:
        from xlgen.store_round import DepartmentBuild

        self.builds.setdefault(key, []).extend(
            DepartmentBuild(dept, rev, at, os_user, name) for dept, rev, name in builds
        )

    def department_builds(self, key: str) -> list[Any]:
        return list(self.builds.get(key, []))

    def submissions(self, key: str) -> list[Any]:
        return []


@pytest.fixture
def roster_kind():
    kinds.register(ROSTER)
    yield ROSTER
    kinds.unregister(ROSTER.name)


@pytest.fixture
def roster_folder(tmp_path):
    """seeds/2020/ holding the plan seed and a roster; templates with a roster.toml."""
    import shutil

    seeds = tmp_path / "seeds"
    (seeds / "2020").mkdir(parents=True)
    shutil.copy(PLAN_SEED, seeds / "2020" / PLAN_SEED.name)
    (seeds / "2020" / "roster.txt").write_text(
        "명부 2020\n- 총무과: 김\n- 세무과: 이\n- 총무과: 박\n", encoding="utf-8"
    )
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "roster.toml").write_text(
        '[workbook]\nfile_name = "{year} 명부"\n[judgement]\nthreshold = 55\n', encoding="utf-8"
    )
    return seeds, templates


def test_a_round_needs_all_its_hooks():
    with pytest.raises(ValueError, match="go together"):
        kinds.register(dataclasses.replace(ROSTER, name="half", round_status=None))
    assert kinds.find("half") is None


def test_kind_option_and_labels_come_from_the_registry(roster_kind):
    from xlgen.documents import kind_option, label, shown_key

    assert kind_option("명부") == "roster" and kind_option(" roster ") == "roster"
    assert kind_option("평가") == "evaluation" and kind_option("plan") == "plan"
    with pytest.raises(InputError, match=r"고를 수 있는 것: 평가, 성과계획, 명부\)"):
        kind_option("회의")
    assert label("roster") == "명부"
    assert shown_key("2020/roster", "roster") == "'2020' 명부"
    with pytest.raises(kinds.UnknownKindError):
        label("minutes")  # not registered: never shown as another kind


def test_a_third_kind_builds_its_year_folder_and_its_round(roster_kind, roster_folder, tmp_path):
    from xlgen.build import build_all
    from xlgen.documents import resolve
    from xlgen.status import heading, round_of

    seeds, templates = roster_folder
    store = MemoryStore()
    results = build_all(
        "2020",
        store=store,  # type: ignore[arg-type]
        out_dir=tmp_path / "out",
        seeds_dir=seeds,
        templates_dir=templates,
        by_department=True,
    )
    assert [r.key for r in results] == ["2020/plan", "2020/roster"]
    plan, roster = results
    assert plan.path.suffix == ".xlsx" and plan.department_paths == []
    assert roster.path == tmp_path / "out" / "2020" / "2020 명부.xlsx"
    # the round went through the kind's hooks: its files, recorded as sent, then its status
    assert [p.name for p in roster.department_paths] == ["총무과.txt", "세무과.txt"]
    assert roster.department_paths[0].read_text(encoding="utf-8") == "김\n박"
    assert [b.department for b in store.department_builds("2020/roster")] == ["총무과", "세무과"]
    assert roster.path.read_text(encoding="utf-8") == "기준 55, 보냄 2/2"
    assert store.department_builds("2020/plan") == []

    # `xlgen status 2020` chooses the folder's one kind with a round, by its entry
    status = round_of(store, "2020", templates_dir=templates)  # type: ignore[arg-type]
    assert (status.kind, status.store_key, status.threshold) == ("roster", "2020/roster", 55)
    assert [d.department for d in status.departments if d.sent] == ["총무과", "세무과"]
    assert heading(status)[0].startswith("'2020' 명부 부서별 제출 현황 (서구 2020,")
    with pytest.raises(InputError, match="'2020'의 성과계획 문서에는 부서별 제출 현황이 없습니다"):
        round_of(store, "2020", "plan", templates_dir=templates)  # type: ignore[arg-type]
    # two documents and no --kind: the choices, each by its registry label
    with pytest.raises(InputError, match="--kind 성과계획 또는 --kind 명부"):
        resolve(store, "2020")  # type: ignore[arg-type]


def test_a_seed_folder_names_a_third_kind_by_its_label(roster_kind, roster_folder):
    from xlgen.errors import NotFoundError
    from xlgen.seeds import parse_seed, seed_kinds

    seeds, _ = roster_folder
    folder = seeds / "2020"
    assert [k for k, _ in seed_kinds(folder)] == ["plan", "roster"]
    assert parse_seed("2020", seeds, kind="roster").document.entries[1] == ("세무과", "이")
    (folder / "roster2.txt").write_text("명부\n- 총무과: 최\n", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"같은 종류\(명부\)의 문서가 두 개입니다 .*종류마다 \(성과계획·평가·명부\)",
    ):
        seed_kinds(folder)
    (folder / "roster2.txt").unlink()
    with pytest.raises(NotFoundError, match="2020: 평가 문서가 없습니다"):
        parse_seed("2020", seeds, kind="evaluation")


def test_kind_help_names_the_registered_kinds(roster_kind):
    from click.testing import CliRunner

    from xlgen.cli import cli

    result = CliRunner().invoke(cli, ["build", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--kind 평가|성과계획|명부" in result.output
    assert "(평가나 성과계획이나 명부 가운데 하나)" in result.output


def test_an_importable_kind_must_be_read_as_an_evaluation():
    with pytest.raises(ValueError, match="only an evaluation-like model"):
        kinds.register(dataclasses.replace(MINUTES, name="half", importable=True))
    assert kinds.find("half") is None
    assert [k.name for k in kinds.importable()] == ["evaluation"]


def test_undo_chooses_among_the_importable_kinds(tmp_path):
    """`xlgen undo` on a folder holding only a plan names the kinds it undoes (the
    registry's importable ones) instead of undoing the plan."""
    from click.testing import CliRunner

    from xlgen.cli import cli

    env = {"XLGEN_DB": str(tmp_path / "s.sqlite")}
    assert CliRunner().invoke(cli, ["load", "plan-seogu"], env=env).exit_code == 0
    result = CliRunner().invoke(cli, ["undo", "plan-seogu"], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == "오류: 'plan-seogu'에는 평가 문서가 없습니다."
