"""The visual layout lives in templates/*.toml so staff can restyle without code.

Where the templates come from, first found wins:

1. the folder given with ``--templates`` (or ``$XLGEN_TEMPLATES``);
2. ``templates/`` in the current working folder, when there is one (the desk's own
   restyled copy; in a checkout, the project's templates/ folder);
3. the defaults packaged with xlgen (the project's templates/ folder, carried in the wheel
   as the package data ``xlgen.default_templates``).

A folder is used whole: it must hold style.toml and one file per document kind.
"""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .errors import InputError
from .toml_errors import toml_error

TEMPLATES_DIR = "templates"
"""The working folder's templates folder, used when present."""

PACKAGED = "xlgen.default_templates"
"""The package that carries the default templates (mapped from templates/ in pyproject)."""


def packaged_templates() -> Traversable:
    """The default templates shipped with xlgen."""
    try:
        return resources.files(PACKAGED)
    except ModuleNotFoundError:
        # An editable install (pip install -e) does not map the data package; there the
        # checkout's own templates/ folder is the same files.
        checkout = Path(__file__).resolve().parent.parent / TEMPLATES_DIR
        if checkout.is_dir():
            return checkout
        raise InputError(
            "xlgen에 들어 있어야 할 기본 서식(templates)을 찾을 수 없습니다. "
            "xlgen을 다시 설치하거나 --templates로 서식 폴더를 지정하세요."
        ) from None


def default_templates_dir() -> Traversable:
    """$XLGEN_TEMPLATES, else ./templates if the working folder has one, else the packaged
    defaults."""
    env = os.environ.get("XLGEN_TEMPLATES")
    if env:
        return Path(env)
    local = Path.cwd() / TEMPLATES_DIR
    if local.is_dir():
        return local
    return packaged_templates()


def _read(path: Traversable) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"서식 파일이 없습니다: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"서식 파일 {toml_error(path, exc)}") from None


def load_template(kind: str, directory: Traversable | None = None) -> dict[str, Any]:
    """style.toml merged with the kind's own file (``<kind>.toml``, e.g. evaluation.toml)."""
    base = directory if directory is not None else default_templates_dir()
    template = _read(base / "style.toml")
    template.update(_read(base / f"{kind}.toml"))
    return template
