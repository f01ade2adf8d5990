"""`xlgen build KEY`: records from the store (parsing seeds/KEY first when the store does
not have them yet) → the official workbook in out/KEY/ (out/ in the working folder unless
told otherwise)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import kinds
from .documents import documents_for_build, folder_of, resolve
from .errors import XlgenError
from .findings import restate_threshold
from .korean import particle
from .model import Document, Number
from .store import Store, current_os_user
from .templates import load_template
from .workbook import BuildError, build_document, file_name


@dataclass
class BuildResult:
    path: Path
    key: str  # the store key
    revision: int
    parsed: bool  # True when the seed was parsed into the store by this build
    document: Document
    department_paths: list[Path]
    folder: str = ""  # the year folder's KEY (out/KEY/)
    warnings: int = 0  # findings of the parse, when this build parsed the seed
    notices: list[str] = field(default_factory=list)  # seed warnings worth saying at once


OUT_DIR = "out"
"""The default output folder, relative to the working folder."""


def default_out_dir() -> Path:
    """out/ in the current working folder (the desk's folder), never inside the package."""
    return Path.cwd() / OUT_DIR


def effective_threshold(doc: Document, template: dict[str, Any]) -> Number | None:
    """The 부진 threshold a build applies: the kind's (xlgen.kinds), None for a kind that
    judges nothing."""
    return kinds.of(doc).effective_threshold(doc, template)


@dataclass
class Prepared:
    """What a build needs from the store, read once: the records and how to lay them out."""

    key: str  # the store key
    doc: Document
    revision: int
    template: dict
    threshold: float | None
    source: str
    parsed: bool  # True when the seed was parsed into the store just now
    folder: str = ""  # the year folder's KEY (out/KEY/)
    warnings: int = 0  # findings of that parse
    notices: list[str] = field(default_factory=list)  # seed warnings worth saying at once


def prepare_all(
    key: str,
    *,
    store: Store,
    seeds_dir: Path | None = None,
    templates_dir: Path | None = None,
    kind: str | None = None,
) -> list[Prepared]:
    """Every document of the year folder KEY (of `kind`, when given) from the store,
    reading into it first those of seeds/KEY it does not hold yet."""
    out = []
    for loaded in documents_for_build(store, key, seeds_dir, kind=kind):
        info = loaded.info
        doc = store.load(info.key)
        template = load_template(kinds.of(doc).template, templates_dir)
        threshold = effective_threshold(doc, template)
        if threshold is not None:  # the "no threshold printed" finding names the one applied
            doc.warnings = restate_threshold(doc.warnings, threshold)
        out.append(
            Prepared(
                info.key,
                doc,
                store.revision(info.key),
                template,
                threshold,
                info.source_name,
                loaded.parsed,
                folder_of(info.key),
                loaded.warnings,
                loaded.notices,
            )
        )
    return out


def build(
    key: str,
    *,
    store: Store,
    out_dir: Path | None = None,
    seeds_dir: Path | None = None,
    templates_dir: Path | None = None,
    by_department: bool = False,
    kind: str | None = None,
) -> BuildResult:
    """Build the one document `key` names (`kind` chooses among a year folder's documents;
    a folder holding several without it is refused, listing them)."""
    if kind is None and len(store.documents_of(key)) > 1:
        resolve(store, key)  # raises: which one?
    results = build_all(
        key,
        store=store,
        out_dir=out_dir,
        seeds_dir=seeds_dir,
        templates_dir=templates_dir,
        by_department=by_department,
        kind=kind,
    )
    if len(results) > 1:
        resolve(store, key)
    return results[0]


def build_all(
    key: str,
    *,
    store: Store,
    out_dir: Path | None = None,
    seeds_dir: Path | None = None,
    templates_dir: Path | None = None,
    by_department: bool = False,
    kind: str | None = None,
) -> list[BuildResult]:
    """`xlgen build KEY`: every document of the year folder KEY (of `kind`, when given),
    reading into the store first what it does not hold yet; each workbook in out/KEY/.
    With `by_department`, the evaluation's department workbooks too (out/KEY/부서별/),
    recorded in the store as sent. Names are checked before anything is written."""
    prepared = prepare_all(
        key, store=store, seeds_dir=seeds_dir, templates_dir=templates_dir, kind=kind
    )
    if by_department and not any(kinds.of(p.doc).build_departments for p in prepared):
        able = "·".join(k.label for k in kinds.all_kinds() if k.build_departments)
        raise XlgenError(
            f"'{key}'{particle(key, '은/는')} {able} 문서가 아니라 부서별 통합문서를 만들 수 없습니다."
        )
    names = [file_name(p.doc, p.template) for p in prepared]
    if len(set(names)) != len(names):
        raise BuildError(
            f"'{key}'의 문서들이 같은 파일 이름({names[0]})이 됩니다. 서식의 file_name을 "
            "문서마다 다르게 하세요. 아무것도 만들지 않았습니다."
        )
    base = out_dir or default_out_dir()
    return [_build_one(p, store, base / p.folder, by_department=by_department) for p in prepared]


def _build_one(p: Prepared, store: Store, target: Path, *, by_department: bool) -> BuildResult:
    """One document's workbook (and, for a kind with a department round, its department
    workbooks when asked, and the round's 제출 현황 in the workbook)."""
    doc, template, threshold, key, revision, source = (
        p.doc,
        p.template,
        p.threshold,
        p.key,
        p.revision,
        p.source,
    )
    kind = kinds.of(doc)
    if kind.round_status is None:
        path = build_document(
            doc, target, template, key=key, revision=revision, threshold=threshold, source=source
        )
        return BuildResult(path, key, revision, p.parsed, doc, [], p.folder, p.warnings, p.notices)
    if threshold is None:
        raise RuntimeError(f"document kind {kind.name!r} has a round but no 부진 threshold")
    assert kind.department_files is not None and kind.build_departments is not None
    round_id = store.round(key)
    extra: list[Path] = []
    if by_department:  # every file name checked before the first file is written
        files = kind.department_files(doc, target, template)
        extra = kind.build_departments(
            doc,
            target,
            template,
            key=key,
            revision=revision,
            threshold=threshold,
            source=source,
            files=files,
            round_id=round_id,
        )
        store.record_department_builds(
            key,
            [(dept, revision, path.name) for (dept, _), path in zip(files, extra, strict=True)],
            at=datetime.now(UTC).isoformat(timespec="microseconds"),
            os_user=current_os_user(),
        )
    status = kind.round_status(
        doc,
        key=p.folder,
        store_key=key,
        revision=revision,
        threshold=threshold,
        builds=store.department_builds(key),
        submissions=store.submissions(key),
    )
    path = build_document(
        doc,
        target,
        template,
        key=key,
        revision=revision,
        threshold=threshold,
        source=source,
        round_id=round_id,
        status=status,
    )
    return BuildResult(path, key, revision, p.parsed, doc, extra, p.folder, p.warnings, p.notices)
