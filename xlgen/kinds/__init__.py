"""The registry of document kinds: everything xlgen does differently per kind, in one place.

Each kind (the 성과계획서 "plan", the year-end 평가 "evaluation") is one module of this
package that builds one :class:`Kind` entry: how its text is recognised and parsed, how the
store keeps it, which workbook it becomes, whether it has a department round (department
workbooks, `xlgen status KEY`), how `xlgen parse` shows it, and its Korean labels (also
how `--kind` names it). The rest of xlgen asks the registry (:func:`get`, :func:`of`, :func:`detect`) and
never branches on a kind itself. A third kind is one new module here plus its name in
``BUILTIN``; a kind the registry does not know is an :class:`UnknownKindError`, never a
fall-through into another kind's code.

The store keeps any registered kind: its schema (from version 3) does not list the kinds,
the store asks this registry on every save and load (a kind nobody registered is refused),
so a third kind needs no store migration either.

The kind modules are imported on the first look-up, not with this package, so that the
modules they wire together (parsers, store codec, workbook) can themselves use the registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..korean import particle
from ..model import Evaluation, Number

BUILTIN = ("plan", "evaluation")
"""The kinds xlgen ships, in the order messages list them (module ``xlgen.kinds.<name>``)."""


class UnknownKindError(InputError):
    """A kind name (from the store, a workbook or a record) that no entry registers."""


@dataclass(frozen=True)
class StoreCodec:
    """How the SQLite store keeps one kind (see xlgen.store_codec).

    ``body`` is the JSON object of ``documents.body``. ``records`` are the values staff enter
    (indicators with 실적 and 비고), kept one row each in the ``indicators`` table so an
    import can change them; ``record_params`` yields those rows given their record keys.
    ``load`` rebuilds the document from (title, org, year, body, indicator rows, phase);
    ``phase`` is the ``documents.phase`` value a document is saved with (None: the kind has
    no phases, see :attr:`Kind.phased`).
    """

    body: Callable[[Any], dict[str, Any]]
    load: Callable[
        [str, str | None, int | None, dict[str, Any], list[tuple[Any, ...]], str | None], Any
    ]
    check: Callable[[Any], None] = lambda doc: None
    records: Callable[[Any], list[Any]] = lambda doc: []
    record_params: Callable[[str, Any, list[str]], Iterator[tuple[Any, ...]]] = (
        lambda key, doc, keys: iter(())
    )
    phase: Callable[[Any], str | None] = lambda doc: None


@dataclass(frozen=True)
class Kind:
    """One document kind and everything xlgen does with it."""

    name: str  # "evaluation": kept in the store and in a workbook's _xlgen sheet
    label: str  # short Korean name: "평가"
    document: str  # the official document's Korean name, as messages name it
    model: type  # the record class (model.Evaluation)
    detect: Callable[[str], bool]  # does this decoded text read like the kind?
    parse: Callable[..., Any]  # (lines, *, corrections, source) -> document with warnings
    store: StoreCodec
    # (doc, path, template, *, key, revision, threshold, source, printed) -> path
    build: Callable[..., Path]
    json_fields: Callable[[Any], dict[str, Any]]  # kind's part of `xlgen parse --format json`
    # one row per indicator for the CSV (and xlgen.frames): Korean headers, given a threshold
    csv_columns: tuple[str, ...]
    csv_rows: Callable[[Any, float | None], Iterable[list[Any]]]
    plain_rows: Callable[[Any], tuple[tuple[str, ...], list[list[Any]]]]  # piped output
    table: Callable[[Any], list[str]]  # the terminal view's body lines (after the title)
    totals: Callable[[Any], str]  # the "합계: …" line of `xlgen parse`
    # (text, what, name) of the texts a workbook cell must hold, given the cell's limit
    long_texts: Callable[[Any, int], Iterable[tuple[str | None, str, str]]]
    # template sections `xlgen pdf` prints: the official sheets, and what --all adds
    printed_sheets: tuple[str, ...]
    extra_sheets: tuple[str, ...] = ()
    # the 부진 threshold a build applies (doc, template); None for a kind that judges nothing
    effective_threshold: Callable[[Any, dict[str, Any]], Number | None] = lambda doc, t: None
    record_names: Callable[[Any], dict[str, str]] = lambda doc: {}  # record key -> "부서 / …"
    # the document's arithmetic relations the auditor solves (xlgen.audit); none by default
    relations: Callable[[Any], list[Any]] = lambda doc: []
    # one workbook per 부서: the (department, path) list, every name checked before anything
    # is written, then the workbooks
    # (doc, out_dir, template, *, key, revision, threshold, source, files) -> paths
    department_files: Callable[[Any, Path, dict[str, Any]], list[tuple[str, Path]]] | None = None
    build_departments: Callable[..., list[Path]] | None = None
    # the department round at a glance (xlgen.round, `xlgen status KEY`, 제출 현황):
    # (doc, *, key, store_key, revision, threshold, builds, submissions) -> RoundStatus.
    # A kind has a round exactly when it has department workbooks.
    round_status: Callable[..., Any] | None = None
    importable: bool = False  # does `xlgen import` take its workbook's input cells back?
    # has a 목표 설정 phase (next year's form: `xlgen new`, `xlgen targets`, xlgen.newyear)?
    phased: bool = False
    # the records of a document read as paragraphs and tables (HWPX: xlgen.sources.records):
    # (blocks, rendering, corrections, source) -> document; None: the kind has no such reader
    from_blocks: Callable[..., Any] | None = None
    # where `--kind` lists it among the choices (lowest first; equal ranks in registry order)
    choice_rank: int = 100

    @property
    def template(self) -> str:
        """The name of the kind's template (``templates/<name>.toml``, xlgen.templates)."""
        return self.name

    @property
    def has_round(self) -> bool:
        """Does the kind have a department round (department workbooks, submissions)?"""
        return self.round_status is not None


_REGISTRY: dict[str, Kind] = {}
_loaded = False


def register(kind: Kind) -> Kind:
    """Add ``kind`` to the registry (a name can be registered once)."""
    if kind.name in _REGISTRY and _REGISTRY[kind.name] is not kind:
        raise ValueError(f"document kind {kind.name!r} is already registered")
    round_parts = (kind.department_files, kind.build_departments, kind.round_status)
    if kind.importable and not issubclass(kind.model, Evaluation):
        # xlgen.importer reads the input sheet with the evaluation's layout and compares
        # its rows with an Evaluation's records; another model would be read as one.
        raise ValueError(
            f"document kind {kind.name!r}: only an evaluation-like model (model.Evaluation) "
            "can be importable until the importer takes a kind's own input reader"
        )
    if any(p is None for p in round_parts) and any(p is not None for p in round_parts):
        raise ValueError(
            f"document kind {kind.name!r}: department_files, build_departments and "
            "round_status go together (a department round needs all three)"
        )
    _REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (for tests that register one of their own)."""
    _REGISTRY.pop(name, None)


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for name in BUILTIN:
            register(importlib.import_module(f"{__name__}.{name}").KIND)


def all_kinds() -> Sequence[Kind]:
    """Every registered kind: the built-in ones in ``BUILTIN`` order, then any others."""
    _load_builtin()
    return tuple(_REGISTRY.values())


def find(name: str) -> Kind | None:
    """The kind registered as ``name``, or None."""
    _load_builtin()
    return _REGISTRY.get(name)


def get(name: str) -> Kind:
    """The kind registered as ``name``; UnknownKindError (a Korean message) otherwise."""
    kind = find(name)
    if kind is None:
        known = ", ".join(_REGISTRY)
        raise UnknownKindError(f"알 수 없는 문서 종류입니다: {name!r} (아는 종류: {known}).")
    return kind


def label(name: str) -> str:
    """The Korean name of the kind registered as ``name`` ("평가"); UnknownKindError otherwise."""
    return get(name).label


def choices() -> Sequence[Kind]:
    """The kinds as `--kind` lists them (by ``choice_rank``, then registry order)."""
    return tuple(sorted(all_kinds(), key=lambda k: k.choice_rank))


def importable() -> Sequence[Kind]:
    """The kinds whose workbooks `xlgen import` takes back (and `xlgen undo` undoes)."""
    return tuple(k for k in all_kinds() if k.importable)


def named(value: str) -> Kind | None:
    """The kind a `--kind` value names: its Korean label ("평가") or its name; else None."""
    value = value.strip()
    return next((k for k in choices() if value in (k.label, k.name)), None)


def of(doc: object) -> Kind:
    """The kind of a document record (by its ``kind`` name, checked against its class)."""
    name = getattr(doc, "kind", None)
    kind = get(name) if isinstance(name, str) else None
    if kind is None or not isinstance(doc, kind.model):
        raise UnknownKindError(f"알 수 없는 문서 종류의 기록입니다: {type(doc).__name__}.")
    return kind


def detect(text: str, name: str = "") -> Kind | None:
    """The one kind whose detector accepts ``text`` (of the file ``name``); None when none does.

    Two kinds accepting the same text is refused (InputError): the content cannot decide,
    and xlgen never guesses.
    """
    matches = [k for k in all_kinds() if k.detect(text)]
    if len(matches) > 1:
        labels = ", ".join(k.label for k in matches)
        raise InputError(
            f"{name or '문서'}: 문서 종류를 정할 수 없습니다. 내용이 여러 종류({labels})에 맞습니다."
        )
    return matches[0] if matches else None


def korean_or(words: Sequence[str]) -> str:
    """ "A나 B" / "A이나 B": the particle chosen by the word before it (xlgen.korean)."""
    out = ""
    for n, word in enumerate(words):
        out = f"{out}{particle(out, '이나/나')} {word}" if n else word
    return out


def unknown_document(name: str) -> InputError:
    """The error for a text no kind accepts, listing the documents xlgen reads."""
    documents = korean_or([k.document for k in all_kinds()])
    return InputError(f"{name}: 알 수 없는 문서입니다. {documents} 문서의 텍스트가 아닙니다.")
