"""`xlgen pdf KEY`: the official sheets of KEY's workbook printed to PDF through headless
LibreOffice, as the desk hands them to the 구청장 and the 의회.

The PDF is printed from a copy of the workbook built for the purpose, in a temporary
folder, from the store: every sheet that is not printed (설정, the hidden record sheet, and
차트 and 검토사항 unless asked for) is hidden in that copy, so LibreOffice leaves it out and
numbers the printed pages "- n -" on from one sheet to the next. The workbook in out/KEY/
is not touched (staff may be typing into it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import kinds
from .build import Prepared, default_out_dir, prepare_all
from .errors import XlgenError
from .store import Store
from .workbook import build_document, file_name

INSTALL_HINT = (
    "PDF를 만들려면 LibreOffice가 필요합니다 (이 명령에만 필요합니다). "
    "Debian·Ubuntu: sudo apt-get install libreoffice-calc-nogui  / "
    "Windows: https://www.libreoffice.org/download/download-libreoffice/ 에서 내려받아 "
    "설치한 뒤 다시 실행하세요. 설치한 곳이 따로 있으면 환경변수 XLGEN_SOFFICE에 soffice "
    "경로를 지정하세요."
)


class PrintError(XlgenError, RuntimeError):
    """The PDF could not be made (no LibreOffice, or the conversion failed)."""


@dataclass
class PrintResult:
    key: str
    path: Path
    sheets: tuple[str, ...]  # the printed sheets' names, in order
    parsed: bool  # True when the seed was parsed into the store first
    kind: str = ""  # the document's kind


def printed_sections(kind: str, *, include_all: bool = False) -> tuple[str, ...]:
    """Template sections printed for a document kind (its registry entry, xlgen.kinds): the
    official sheets, as the document prints them, and the desk's own that `--all` adds."""
    entry = kinds.get(kind)
    return entry.printed_sheets + (entry.extra_sheets if include_all else ())


def require_libreoffice() -> str:
    """soffice's path, or a PrintError telling how to install LibreOffice."""
    from .libreoffice import find_soffice

    soffice = find_soffice()
    if soffice is None:
        raise PrintError(INSTALL_HINT)
    return soffice


def print_pdf(
    key: str,
    *,
    store: Store,
    out_dir: Path | None = None,
    seeds_dir: Path | None = None,
    templates_dir: Path | None = None,
    include_all: bool = False,
    timeout: float = 180.0,
    kind: str | None = None,
) -> list[PrintResult]:
    """Write out/KEY/<document name>.pdf for each document of KEY (a year folder may hold
    a plan and an evaluation; `kind` chooses one); returns where they went.

    LibreOffice is looked for before anything is read or written, so without it nothing
    changes (not even the store).
    """
    require_libreoffice()
    found = prepare_all(
        key, store=store, seeds_dir=seeds_dir, templates_dir=templates_dir, kind=kind
    )
    base = out_dir or default_out_dir()
    return [_print_one(p, base, include_all=include_all, timeout=timeout) for p in found]


def _print_one(p: Prepared, base: Path, *, include_all: bool, timeout: float) -> PrintResult:
    from .libreoffice import to_pdf

    key = p.key
    sections = printed_sections(p.doc.kind, include_all=include_all)
    target_dir = base / p.folder
    target = target_dir / (file_name(p.doc, p.template)[: -len(".xlsx")] + ".pdf")
    with tempfile.TemporaryDirectory(prefix="xlgen-print-", ignore_cleanup_errors=True) as tmp:
        job = Path(tmp)
        copy = build_document(
            p.doc,
            job / "copy",
            p.template,
            key=key,
            revision=p.revision,
            threshold=p.threshold,
            source=p.source,
            printed=frozenset(sections),
        )
        # The copy's cached values are Python's (xlgen.rules), which is what Excel shows;
        # printing them as they are keeps the PDF identical to the workbook on screen.
        pdf = to_pdf(copy, job / "pdf", recalc=False, timeout=timeout)
        target_dir.mkdir(parents=True, exist_ok=True)
        staged = target_dir / f".xlgen-{os.getpid()}-{target.name}.part"
        try:
            shutil.copyfile(pdf, staged)
            os.replace(staged, target)
        except PermissionError:
            staged.unlink(missing_ok=True)
            raise PrintError(
                f"{target}: 파일을 쓸 수 없습니다. PDF 보기 프로그램에서 열려 있으면 닫고 "
                "다시 실행하세요."
            ) from None
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
    names = tuple(p.template[s]["sheet"] for s in sections)
    return PrintResult(key, target, names, p.parsed, p.doc.kind)
