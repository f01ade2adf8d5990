"""Seed folders: `seeds/KEY/` holds the documents of one year (at most one of each kind:
the 성과계획서 and the 평가), an optional manifest.toml (what the documents do not print:
organisation, year) and an optional corrections.toml (data that settles what is ambiguous;
its sections are per kind, `[[evaluation.row]]`, `[[plan.replace]]`). A folder with only a
document works too.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import kinds
from .errors import InputError, NotFoundError
from .files import read_head
from .findings import Finding, Kind
from .model import Document
from .parse import parse_file
from .textio import TextDocument, read_document
from .toml_errors import toml_error

MANIFEST = "manifest.toml"
CORRECTIONS = "corrections.toml"
DOCUMENT_SUFFIXES = (".txt", ".text", ".hwpx", ".hwp", ".pdf")


SEEDS_DIR = "seeds"
"""The default seeds folder, relative to the working folder."""


def default_seeds_dir() -> Path:
    """$XLGEN_SEEDS, else seeds/ in the current working folder (never inside the package)."""
    env = os.environ.get("XLGEN_SEEDS")
    if env:
        return Path(env)
    return Path.cwd() / SEEDS_DIR


def _load_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(toml_error(path, exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: 읽을 수 없습니다 ({exc}).") from None


def load_corrections(document: Path) -> dict[str, Any]:
    """The corrections file beside a document, if there is one."""
    return _load_toml(document.parent / CORRECTIONS)


@dataclass
class ParsedSeed:
    key: str
    document: Document
    text: TextDocument
    sha256: str
    notices: list[str] = field(default_factory=list)  # also among document.warnings


_KEY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def key_year(key: str) -> int | None:
    """The year a seed key names ("2019", "2020-seogu"), or None ("plan-seogu")."""
    found = _KEY_YEAR.findall(key)
    return int(found[0]) if len(found) == 1 else None


def year_mismatch(key: str, document: Document) -> Finding | None:
    """A finding when the folder's key names one year and the document another."""
    named = key_year(key)
    if named is None or document.year is None or document.year == named:
        return None
    return Finding(None, kind=Kind.SEED_YEAR_MISMATCH, key=key, year=document.year, named=named)


def seed_paths(folder: Path) -> list[Path]:
    """The document files of a seed folder, sorted by name (NotFoundError when none)."""
    docs = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES
    )
    if not docs:
        raise NotFoundError(f"{folder}: 문서(.txt, .hwpx)가 없습니다.")
    return docs


def seed_kinds(folder: Path) -> list[tuple[str, Path]]:
    """(kind, path) of each document of a seed folder, told by content (the text is read
    and recognised, not parsed). Two documents of one kind are refused naming both."""
    from .parse import detect_kind

    found: dict[str, Path] = {}
    out: list[tuple[str, Path]] = []
    for path in seed_paths(folder):
        kind = _kind_of(path, detect_kind)
        if kind is None:
            raise kinds.unknown_document(str(path))
        if kind in found:
            raise InputError(
                f"{folder}: 같은 종류({kinds.label(kind)})의 문서가 두 개입니다 "
                f"({found[kind].name}, {path.name}). 한 폴더에는 한 해의 문서를 종류마다 "
                f"({'·'.join(k.label for k in kinds.all_kinds())}) 하나씩만 둘 수 있습니다."
            )
        found[kind] = path
        out.append((kind, path))
    return out


def _kind_of(path: Path, detect: Any) -> str | None:
    """A seed document's kind: a text is recognised without parsing; a document in another
    format (HWPX, PDF; xlgen.sources) is parsed to tell."""
    from .sources import MAX_FILE_BYTES
    from .sources.formats import sniff

    if sniff(path, read_head(path, MAX_FILE_BYTES, 1024)) == "text":
        return detect(read_document(path).text)
    document, _ = parse_file(path, corrections=load_corrections(path))
    return document.kind


def seed_document(folder: Path) -> Path:
    """The one document of a single-document seed folder."""
    docs = seed_paths(folder)
    if len(docs) > 1:
        names = ", ".join(p.name for p in docs)
        raise InputError(f"{folder}: 문서가 여러 개입니다 ({names}). 종류를 지정하세요.")
    return docs[0]


def apply_manifest(document: Document, manifest: dict[str, Any], source: Path) -> None:
    """Fill what the document does not print. A printed year wins over the manifest."""
    org = manifest.get("org")
    if isinstance(org, str) and org.strip() and not document.org:
        document.org = org.strip()
    year = manifest.get("year")
    if year is not None:
        if not isinstance(year, int):
            raise InputError(f"{source}: manifest의 year는 정수여야 합니다 (예: year = 2019).")
        if document.year is None:
            document.year = year


def parse_document_path(path: Path) -> tuple[Document, TextDocument, str]:
    """Parse a document with the corrections and manifest that sit beside it."""
    corrections = load_corrections(path)
    document, text = parse_file(path, corrections=corrections)
    apply_manifest(document, _load_toml(path.parent / MANIFEST), path.parent / MANIFEST)
    sha = text.sha256 or hashlib.sha256(path.read_bytes()).hexdigest()
    return document, text, sha


def seed_folder(key: str, seeds_dir: Path | None = None) -> Path:
    """`seeds/KEY/`, or NotFoundError listing the keys there are."""
    base = seeds_dir or default_seeds_dir()
    folder = base / key
    if not folder.is_dir():
        available = (
            ", ".join(sorted(p.name for p in base.iterdir() if p.is_dir()))
            if base.is_dir()
            else "없음"
        )
        raise NotFoundError(
            f"'{key}'에 해당하는 seeds 폴더가 없습니다 ({folder}). 있는 키: {available}"
        )
    return folder


def parse_seed_path(key: str, path: Path) -> ParsedSeed:
    """Parse one document of `seeds/KEY/`."""
    document, text, sha = parse_document_path(path)
    found = [f for f in (year_mismatch(key, document),) if f is not None]
    document.warnings.extend(found)
    return ParsedSeed(key, document, text, sha, [f.message for f in found])


def parse_seed(key: str, seeds_dir: Path | None = None, kind: str | None = None) -> ParsedSeed:
    """Parse the document of `seeds/KEY/` (of `kind`, when the folder holds several)."""
    folder = seed_folder(key, seeds_dir)
    if kind is None:
        return parse_seed_path(key, seed_document(folder))
    for found, path in seed_kinds(folder):
        if found == kind:
            return parse_seed_path(key, path)
    raise NotFoundError(f"{folder}: {kinds.label(kind)} 문서가 없습니다.")
