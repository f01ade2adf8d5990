"""Seed folders: `seeds/KEY/` holds one document, an optional manifest.toml (what the
document does not print: organisation, year) and an optional corrections.toml (data that
settles what is ambiguous in that document). A folder with only a document works too.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, NotFoundError
from .findings import Finding, Kind
from .model import Document
from .parse import parse_file
from .textio import TextDocument

MANIFEST = "manifest.toml"
CORRECTIONS = "corrections.toml"
DOCUMENT_SUFFIXES = (".txt", ".text", ".hwpx", ".hwp", ".pdf")


def default_seeds_dir() -> Path:
    """$XLGEN_SEEDS, else the project's own seeds/ folder (beside the package)."""
    env = os.environ.get("XLGEN_SEEDS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "seeds"


def _load_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: TOML 형식 오류 ({exc}).") from None
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


def seed_document(folder: Path) -> Path:
    docs = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES
    )
    if not docs:
        raise NotFoundError(f"{folder}: 문서(.txt, .hwpx)가 없습니다.")
    if len(docs) > 1:
        names = ", ".join(p.name for p in docs)
        raise InputError(
            f"{folder}: 문서가 여러 개입니다 ({names}). 폴더 하나에 문서 하나만 두세요."
        )
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


def parse_seed(key: str, seeds_dir: Path | None = None) -> ParsedSeed:
    """Parse `seeds/KEY/`."""
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
    path = seed_document(folder)
    document, text, sha = parse_document_path(path)
    found = [f for f in (year_mismatch(key, document),) if f is not None]
    document.warnings.extend(found)
    return ParsedSeed(key, document, text, sha, [f.message for f in found])
