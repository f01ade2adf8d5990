"""A year folder and the stored documents it names.

`seeds/KEY/` may hold the documents of one year: at most one 성과계획서 and one 평가. The
store keeps each document under its own store key: `KEY` itself when the folder held that
document alone when it was loaded (so `2019` and `plan-seogu` are what they always were),
else `KEY/<kind>` (`2020/plan`, `2020/evaluation`). A key once given is kept: a folder that
gains a second document later leaves the first one where it is. Commands take the folder's
KEY and, when it holds more than one document, `--kind 평가|성과계획`; workbooks record the
store key, so an import finds its document from the workbook alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import kinds
from .errors import InputError, NotFoundError
from .korean import particle
from .seeds import ParsedSeed, parse_seed_path, seed_folder, seed_kinds, seed_paths
from .store import Store
from .store_codec import DocumentInfo
from .store_round import FOLDER_SEPARATOR


def label(kind: str) -> str:
    """The Korean name of a document kind (its registry entry, xlgen.kinds)."""
    return kinds.label(kind)


def kind_option(value: str | None) -> str | None:
    """The kind a `--kind` value names: its Korean name (평가, 성과계획) or its code name
    (None stays None); InputError listing the choices."""
    if value is None:
        return None
    kind = kinds.named(value)
    if kind is None:
        choices = ", ".join(k.label for k in kinds.choices())
        raise InputError(
            f"--kind {value}: 알 수 없는 문서 종류입니다 (고를 수 있는 것: {choices})."
        )
    return kind.name


def folder_of(store_key: str) -> str:
    """The year folder's KEY of a store key ("2020/plan" → "2020", "2019" → "2019")."""
    return store_key.split(FOLDER_SEPARATOR, 1)[0]


def shown(info: DocumentInfo) -> str:
    """How messages name a stored document: "'2019'" when it is its folder's only one (its
    store key is the folder's KEY), else with its kind: "'2020' 평가"."""
    return shown_key(info.key, info.kind)


def shown_key(store_key: str, kind: str) -> str:
    """`shown` for a store key and kind."""
    if store_key == folder_of(store_key):
        return f"'{store_key}'"
    return f"'{folder_of(store_key)}' {label(kind)}"


def resolve(
    store: Store, key: str, kind: str | None = None, *, only: tuple[str, ...] = ()
) -> DocumentInfo:
    """The one stored document `key` (a year folder's KEY, or a store key) names.

    With `kind`, the folder's document of that kind. `only` restricts the choice to the
    kinds a command applies to (status and undo: evaluations), so a folder holding one plan
    and one evaluation is not ambiguous for them. More than one left: InputError listing
    the choices (never a guess).
    """
    docs = store.documents_of(key)
    if FOLDER_SEPARATOR in key:  # a store key given as such
        docs = [d for d in docs if d.key == key]
    if not docs:
        raise NotFoundError(f"저장소에 '{key}' 문서가 없습니다. 먼저 문서를 읽어 저장하세요.")
    if kind is not None:
        chosen = [d for d in docs if d.kind == kind]
        if not chosen:
            have = ", ".join(label(d.kind) for d in docs)
            raise NotFoundError(f"'{key}'에는 {label(kind)} 문서가 없습니다 (있는 문서: {have}).")
        return chosen[0]
    if only:
        fitting = [d for d in docs if d.kind in only]
        if not fitting:
            wanted = "·".join(label(k) for k in only)
            raise InputError(f"'{key}'에는 {wanted} 문서가 없습니다.")
        docs = fitting
    if len(docs) > 1:
        options = " 또는 ".join(f"--kind {label(d.kind)}" for d in docs)
        have = ", ".join(label(d.kind) for d in docs)
        raise InputError(
            f"'{key}'에는 문서가 {len(docs)}개 있습니다 ({have}). {options}{particle(options, '으로/로')} "
            "하나를 고르세요."
        )
    return docs[0]


@dataclass
class Loaded:
    """One document of a year folder, in the store."""

    info: DocumentInfo
    parsed: bool = False  # read from seeds/KEY/ into the store by this call
    warnings: int = 0  # the findings of that reading
    replaced: bool = False  # it replaced a stored document (load --replace)
    source: str = ""  # the seed file
    notices: list[str] = field(default_factory=list)  # seed warnings worth saying at once


def _new_store_key(store: Store, folder: str, kind: str, alone: bool) -> str:
    if alone and not store.has(folder):
        return folder
    return f"{folder}{FOLDER_SEPARATOR}{kind}"


def _save(store: Store, key: str, seed: ParsedSeed) -> DocumentInfo:
    store.save_document(
        key,
        seed.document,
        source_name=seed.text.path.name,
        source_sha256=seed.sha256,
        encoding=seed.text.encoding,
    )
    return next(i for i in store.keys() if i.key == key)


def load_folder(
    store: Store,
    folder: str,
    seeds_dir: Path | None = None,
    *,
    replace: bool = False,
    kind: str | None = None,
) -> list[Loaded]:
    """Read every document of `seeds/KEY/` (of `kind` only, when given) into the store;
    documents stored already are left as they are unless `replace`. Everything is checked
    (two documents of one kind, unreadable ones) before the first is stored."""
    path = seed_folder(folder, seeds_dir)
    found = seed_kinds(path)
    if kind is not None and kind not in {k for k, _ in found}:
        raise NotFoundError(f"{path}: {label(kind)} 문서가 없습니다.")
    stored: dict[str, DocumentInfo] = {}
    for d in store.documents_of(folder):
        stored.setdefault(d.kind, d)
    todo = [(k, p) for k, p in found if kind in (None, k)]
    # Every document is parsed (and so checked) before anything is written.
    parsed = {k: parse_seed_path(folder, p) for k, p in todo if replace or k not in stored}
    out: list[Loaded] = []
    for k, p in todo:
        seed = parsed.get(k)
        if seed is None:
            out.append(Loaded(stored[k], source=p.name))
            continue
        key = stored[k].key if k in stored else _new_store_key(store, folder, k, len(found) == 1)
        info = _save(store, key, seed)
        out.append(
            Loaded(info, True, len(seed.document.warnings), k in stored, p.name, seed.notices)
        )
    return out


def documents_for_build(
    store: Store, folder: str, seeds_dir: Path | None = None, *, kind: str | None = None
) -> list[Loaded]:
    """The documents `xlgen build KEY` writes: every stored document of the folder (of
    `kind`, when given), after reading into the store those of `seeds/KEY/` it does not
    hold yet. The seed folder's texts are only read when it holds more documents than the
    store has for the folder."""
    if FOLDER_SEPARATOR in folder:  # a store key given as such
        return [Loaded(resolve(store, folder, kind))]
    stored = store.documents_of(folder)
    try:
        path: Path | None = seed_folder(folder, seeds_dir)
    except NotFoundError:
        if not stored:
            raise
        path = None
    fresh: dict[str, Loaded] = {}
    if path is not None and len(seed_paths(path)) > len(stored):
        fresh = {
            d.info.key: d for d in load_folder(store, folder, seeds_dir, kind=kind) if d.parsed
        }
    docs = [resolve(store, folder, kind)] if kind is not None else store.documents_of(folder)
    return [fresh.get(d.key) or Loaded(d) for d in docs]
