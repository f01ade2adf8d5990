"""`xlgen build KEY`: records from the store (parsing seeds/KEY first when the store does
not have them yet) → the official workbook in out/KEY/."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .findings import Kind, restate_threshold
from .korean import particle
from .model import Document, Evaluation
from .seeds import parse_seed
from .store import Store
from .templates import load_template
from .workbook import build_departments, build_document, department_files


@dataclass
class BuildResult:
    path: Path
    key: str
    revision: int
    parsed: bool  # True when the seed was parsed into the store by this build
    document: Document
    department_paths: list[Path]
    notices: list[str] = field(default_factory=list)  # seed warnings worth saying at once


def default_out_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "out"


def effective_threshold(doc: Document, template: dict) -> float | None:
    """The document's printed 부진 threshold; the template's default when none was printed."""
    if not isinstance(doc, Evaluation):
        return None
    if any(w.kind is Kind.NO_THRESHOLD for w in doc.warnings):
        return template.get("judgement", {}).get("threshold", doc.threshold)
    return doc.threshold


@dataclass
class Prepared:
    """What a build needs from the store, read once: the records and how to lay them out."""

    key: str
    doc: Document
    revision: int
    template: dict
    threshold: float | None
    source: str
    parsed: bool  # True when the seed was parsed into the store just now
    notices: list[str] = field(default_factory=list)  # seed warnings worth saying at once


def prepare(
    key: str,
    *,
    store: Store,
    seeds_dir: Path | None = None,
    templates_dir: Path | None = None,
) -> Prepared:
    """KEY's records from the store, parsing seeds/KEY into it first when it is not there."""
    parsed = False
    notices: list[str] = []
    if not store.has(key):
        seed = parse_seed(key, seeds_dir)
        store.save_document(
            key,
            seed.document,
            source_name=seed.text.path.name,
            source_sha256=seed.sha256,
            encoding=seed.text.encoding,
        )
        parsed = True
        notices = seed.notices
    doc = store.load(key)
    revision = store.revision(key)
    info = next((i for i in store.keys() if i.key == key), None)
    template = load_template(doc.kind, templates_dir)
    threshold = effective_threshold(doc, template)
    if threshold is not None:  # the "no threshold printed" finding names the one applied
        doc.warnings = restate_threshold(doc.warnings, threshold)
    source = info.source_name if info else ""
    return Prepared(key, doc, revision, template, threshold, source, parsed, notices)


def build(
    key: str,
    *,
    store: Store,
    out_dir: Path | None = None,
    seeds_dir: Path | None = None,
    templates_dir: Path | None = None,
    by_department: bool = False,
) -> BuildResult:
    p = prepare(key, store=store, seeds_dir=seeds_dir, templates_dir=templates_dir)
    doc, template, threshold, source, revision = (
        p.doc,
        p.template,
        p.threshold,
        p.source,
        p.revision,
    )
    target = (out_dir or default_out_dir()) / key
    files: list[tuple[str, Path]] = []
    if by_department:  # everything checked before the first file is written
        if not isinstance(doc, Evaluation):
            from .errors import XlgenError

            raise XlgenError(
                f"'{key}'{particle(key, '은/는')} 평가 문서가 아니라 부서별 통합문서를 만들 수 없습니다."
            )
        files = department_files(doc, target, template)
    path = build_document(
        doc, target, template, key=key, revision=revision, threshold=threshold, source=source
    )
    extra: list[Path] = []
    if by_department:
        assert isinstance(doc, Evaluation)
        extra = build_departments(
            doc,
            target,
            template,
            key=key,
            revision=revision,
            threshold=threshold,
            source=source,
            files=files,
        )
    return BuildResult(path, key, revision, p.parsed, doc, extra, p.notices)
