"""The visual layout lives in templates/*.toml so staff can restyle without code."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from .errors import InputError


def default_templates_dir() -> Path:
    """$XLGEN_TEMPLATES, else the project's templates/ folder."""
    env = os.environ.get("XLGEN_TEMPLATES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "templates"


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"서식 파일이 없습니다: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"서식 파일 형식 오류: {path} ({exc})") from None


def load_template(kind: str, directory: Path | None = None) -> dict[str, Any]:
    """style.toml merged with the kind's own file ("evaluation" or "plan")."""
    base = directory or default_templates_dir()
    template = _read(base / "style.toml")
    template.update(_read(base / f"{kind}.toml"))
    return template
