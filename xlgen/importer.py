"""`xlgen import`: hand-edited workbooks back into the store, losing and inventing nothing.

Only input cells are read (실적, 비고; 목표 too while a new year's targets are set), each mapped to its record through the hidden record
key on its row, never by position. Every value is checked; every problem names the file,
sheet!cell and the record, and any problem stops the whole import before anything is
written. Rates and judgements are recomputed from the records (cached formula values are
never trusted). Several workbooks of one document are applied as one transaction.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, cast

from . import kinds, ole
from ._gc import no_gc
from .display import shorten, shown
from .errors import InputError, XlgenError
from .files import read_head
from .korean import particle
from .layouts import eval_departments as dep
from .layouts import meta
from .layouts._base import RowSource, col_letter
from .model import Evaluation, Indicator, Phase
from .numbers import same
from .rules import bureau_counts
from .store import FIELD_NAMES, Store
from .store_round import Submitted
from .templates import load_template
from .workbook import MAX_CELL_TEXT
from .xlsx import (
    BACKGROUND_CHECK_BYTES,
    CellData,
    SheetError,
    TooManyMerges,
    TooManyRows,
    XlsxReader,
)

MAX_PACKAGE_BYTES = (
    600 * 1024 * 1024
)  # uncompressed parts together (xlgen's own 100,000-row workbook: ~160 MB)
MAX_FILE_BYTES = MAX_PACKAGE_BYTES  # the file itself, before anything is inflated
MAX_RATIO = 200  # uncompressed / compressed, per part: more is a zip bomb
MAX_ROWS = 200_000
THRESHOLD_MAX = 1000  # the 부진 threshold (%), as the 설정 cell's validation allows


class ImportRefused(XlgenError, ValueError):
    """The import found problems and wrote nothing. `problems` lists them all."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = f"가져오기를 중단했습니다 (문제 {len(problems)}건, 아무것도 저장하지 않음):"
        super().__init__("\n".join([head, *("  - " + p for p in problems)]))


@dataclass(slots=True)
class CellChange:
    """One value an import changes."""

    record_key: str
    field: str  # "actual" | "note" | "target" (목표 설정 phase)
    old: Any
    new: Any
    file: str
    cell: str  # "Ⅲ 부서별현황!E123"
    bureau: str
    department: str
    project: str
    indicator: str


@dataclass
class WorkbookInput:
    path: Path
    sha256: str
    fields: dict[str, Any]
    built: dict[str, tuple[Any, Any, Any]]  # record key → (실적, 비고, 목표) as built
    reading: dep.SheetReading  # the input sheet, as its layout read it back
    name: str = ""  # how messages name the file (unique among the files of one import)
    warnings: list[str] = field(default_factory=list)  # found while reading (sheets, text)
    phase: Phase = Phase.EVALUATION  # the phase the workbook was built in: 목표 an input?

    @property
    def sheet(self) -> str:
        return self.reading.sheet

    @property
    def department(self) -> str:
        """The department a department workbook was built for ("" for the whole)."""
        return str(self.fields.get("department") or "").strip()


@dataclass
class ImportPreview:
    """What an import would change (`xlgen import --dry-run` shows it; apply_import writes it)."""

    key: str
    revision: int  # the store's revision the preview was worked out against
    files: list[WorkbookInput]
    phase: Phase = Phase.EVALUATION  # the stored document's: may 목표 be imported?
    changes: list[CellChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts_before: dict[str, tuple[int, int]] = field(default_factory=dict)  # bureau → (정상, 부진)
    counts_after: dict[str, tuple[int, int]] = field(default_factory=dict)
    round: str = ""  # the document's current round (xlgen.store_round)


# --------------------------------------------------------------------------- reading


def check_container(path: Path) -> None:
    """Refuse, with a clear message, what is not an xlsx package within sane bounds."""
    name = path.name
    # A regular file within the bound, looked at without blocking (never a FIFO or device).
    head = read_head(path, MAX_FILE_BYTES, 8)
    if head.startswith(ole.MAGIC):
        if ole.is_encrypted(path):
            raise InputError(
                f"{name}: 암호가 걸린 통합문서입니다. 엑셀에서 암호를 풀고 저장한 뒤 다시 가져와 주세요."
            )
        raise InputError(
            f"{name}: 엑셀 97-2003 형식(.xls)은 가져올 수 없습니다. 엑셀에서 'Excel 통합 문서(*.xlsx)'로 저장해 주세요."
        )
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK"):  # a zip's start without its directory: cut off or damaged
            raise InputError(
                f"{name}: 손상되었거나 끝이 잘린 통합문서입니다 (zip 목차가 없거나 손상됨). "
                "원본 파일을 다시 받거나 엑셀에서 다시 저장해 주세요."
            )
        raise InputError(
            f"{name}: 엑셀 통합문서(.xlsx)가 아닙니다 (CSV나 다른 파일의 이름만 바꾼 것으로 보입니다)."
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise InputError(f"{name}: zip 파일이지만 엑셀 통합문서가 아닙니다.")
            total = sum(i.file_size for i in infos)
            if total > MAX_PACKAGE_BYTES:
                raise InputError(
                    f"{name}: 압축을 풀면 너무 큽니다 ({total:,}바이트). 가져오지 않습니다."
                )
            for info in infos:
                if (
                    info.compress_size
                    and info.file_size / info.compress_size > MAX_RATIO
                    and info.file_size > 1_000_000
                ):
                    raise InputError(
                        f"{name}: 비정상적으로 압축된 부분이 있습니다 ({info.filename}). 가져오지 않습니다."
                    )
                if info.filename.endswith((".xml", ".rels", ".vml")) and _has_dtd(zf, info):
                    raise InputError(
                        f"{name}: 허용되지 않는 XML 선언(DTD/ENTITY)이 있습니다 ({info.filename}). 가져오지 않습니다."
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise InputError(f"{name}: 손상된 통합문서입니다 (압축 데이터 오류).") from None


MAX_PROLOG_BYTES = 8 * 1024 * 1024


def _has_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Does the part declare a DTD or entities before its root element?

    A workbook never needs one; it is how entity-expansion and external-entity attacks
    start (xlgen's reader expands no entities either). Only the prolog is read: comments and
    processing instructions are skipped once each (a linear scan, whatever the input),
    up to a bound past which the part is refused as abnormal.
    """
    data = b""
    pos = 0
    with zf.open(info) as part:
        while True:
            chunk = part.read(65536)
            data += chunk
            while True:
                start = data.find(b"<", pos)
                if start < 0:
                    pos = len(data)
                    break
                head = data[start : start + 9]
                if head.startswith(b"<!--") or head.startswith(b"<?"):
                    closer = b"-->" if head.startswith(b"<!--") else b"?>"
                    end = data.find(closer, start + 2)
                    if end < 0:
                        pos = start  # unfinished: wait for more data from here
                        break
                    pos = end + len(closer)
                    continue
                if len(head) < 9 and chunk:
                    pos = start  # too short to tell: wait for more data
                    break
                # "<!DOCTYPE", "<!ENTITY" or any other declaration: refuse; an element: done.
                return head.startswith(b"<!")
            if not chunk:
                return False
            if len(data) > MAX_PROLOG_BYTES:
                return True


MAX_COLUMNS = 64  # the input sheet uses 15; a few added by staff are reported, not read


def _source(reader: XlsxReader, sheet: str, file: str) -> RowSource:
    """A sheet's rows for its layout's reader, bounded in rows and columns whatever the
    sheet claims. Any reading failure becomes a clear refusal."""

    def rows(*, skip: frozenset[int] = frozenset(), limit: int | None = None) -> Iterator[CellData]:
        try:
            yield from islice(
                reader.rows(sheet, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS, skip=skip), limit
            )
        except TooManyRows:
            raise InputError(
                f"{file}: '{sheet}' 시트의 행이 너무 많습니다 ({MAX_ROWS:,}행 초과)."
            ) from None
        except TooManyMerges:
            raise InputError(
                f"{file}: '{sheet}' 시트에 병합된 칸 범위가 비정상적으로 많습니다. 가져오지 않습니다."
            ) from None
        except (
            SheetError,
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            UnicodeDecodeError,
        ):
            raise InputError(
                f"{file}: '{sheet}' 시트를 끝까지 읽을 수 없습니다 (손상된 통합문서)."
            ) from None

    return rows


def read_workbook(path: Path) -> WorkbookInput:
    """Read the metadata and the input sheet of a built workbook (values; formulas as text):
    `_xlgen` through layouts.meta, the input sheet through its layout's reader."""
    check_container(path)
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    try:
        reader = XlsxReader(path)
    except (
        SheetError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        UnicodeDecodeError,
    ):
        raise InputError(f"{path.name}: 통합문서를 열 수 없습니다 (손상된 통합문서).") from None
    with reader:
        if meta.SHEET not in reader.sheetnames:
            raise InputError(
                f"{path.name}: xlgen이 만든 통합문서가 아닙니다 (숨김 시트 '{meta.SHEET}'가 없습니다)."
            )
        fields = meta.read_fields(_source(reader, meta.SHEET, path.name))
        sheet = str(fields.get("input_sheet") or "")
        # Both sheets are read in full below; that their XML is well-formed as a whole is
        # checked alongside, by a second process where one can be started.
        reader.check_in_background(
            [meta.SHEET] + ([sheet] if sheet in reader.sheetnames else []),
            min_bytes=BACKGROUND_CHECK_BYTES,
        )
        built = meta.read_built(_source(reader, meta.SHEET, path.name))
        if fields.get("format") != meta.FORMAT:
            raise InputError(
                f"{path.name}: 알 수 없는 xlgen 통합문서 형식입니다 ({shown(fields.get('format'))})."
            )
        kind = kinds.find(str(fields.get("kind") or ""))
        if kind is None:
            raise InputError(
                f"{path.name}: 알 수 없는 종류의 xlgen 통합문서입니다 ({shown(fields.get('kind'))})."
            )
        if not kind.importable:
            raise InputError(f"{path.name}: {kind.label} 통합문서에는 가져올 실적이 없습니다.")
        if sheet not in reader.sheetnames:
            raise InputError(
                f"{path.name}: 실적 시트 '{sheet}'가 없습니다 (시트 이름을 바꾸거나 지웠다면 원래대로 돌려 주세요)."
            )
        phase = _phase(fields, path.name)
        fmt = dep.SheetFormat.recorded(fields, lambda: load_template(kind.template))
        reading = dep.read_sheet(
            _source(reader, sheet, path.name), sheet, fmt, lambda: reader.merged_cells(sheet)
        )
        try:
            reader.finish_checks()
        except SheetError as exc:
            raise InputError(
                f"{path.name}: '{exc}' 시트를 끝까지 읽을 수 없습니다 (손상된 통합문서)."
            ) from None
        warnings = _other_sheets(reader, fields, reading, built, fmt, path.name)
        warnings.extend(_lone_halves(reader, [meta.SHEET, sheet], path.name))
    return WorkbookInput(path, digest, fields, built, reading, path.name, warnings, phase)


def _known_sheets(fields: Mapping[str, Any]) -> set[str]:
    """The sheets the workbook was built with: as recorded, or (a workbook built before
    they were) the sheets the current template names."""
    recorded = meta.sheets_of(dict(fields))
    if recorded is not None:
        return set(recorded)
    template = load_template(kinds.get(str(fields.get("kind") or "")).template)
    names = {meta.SHEET, str(fields.get("input_sheet") or "")}
    for conf in template.values():  # every section of the template that names a sheet
        if isinstance(conf, Mapping) and isinstance(conf.get("sheet"), str):
            names.add(conf["sheet"])
    return names


def _other_sheets(
    reader: XlsxReader,
    fields: Mapping[str, Any],
    reading: dep.SheetReading,
    built: Mapping[str, tuple[Any, Any, Any]],
    fmt: dep.SheetFormat,
    file: str,
) -> list[str]:
    """Every sheet the workbook was not built with, accounted for: a copy of the input
    sheet holding a value typed into it (neither the original's nor the built one) is
    refused, since it would be lost; any other sheet holding values is named in a warning
    (it is not read)."""
    warnings: list[str] = []
    known = _known_sheets(fields)
    original: dict[str, tuple[Any, str]] | None = None
    for other in reader.sheetnames:
        if other in known:
            continue
        source = _source(reader, other, file)
        try:
            holds = any(v not in (None, "") for row in source() for v in row.values)
        except InputError:
            warnings.append(
                f"{file}: '{other}' 시트는 xlgen이 만든 시트가 아니어서 읽지 않았습니다."
            )
            continue
        if not holds:
            continue
        copy = dep.read_sheet(source, other, fmt, partial(reader.merged_cells, other))
        if not copy.rows:
            warnings.append(
                f"{file}: '{other}' 시트는 xlgen이 만든 시트가 아니어서 읽지 않았습니다 (값이 있는 칸이 있습니다)."
            )
            continue
        if original is None:
            original = {
                str(r.key): (r.actual, _note(r.note)) for r in reading.rows if r.key is not None
            }
        typed: list[str] = []  # the cells of the copy holding a value typed into it
        for r in copy.rows:
            key = str(r.key)
            if key not in original:
                continue
            was_actual, was_note, _ = built.get(key, (None, None, None))
            if not (_same_input(r.actual, original[key][0]) or _same_input(r.actual, was_actual)):
                typed.append(copy.ref("actual", r.index))
            elif _note(r.note) not in (original[key][1], _note(was_note)):
                typed.append(copy.ref("note", r.index))
        if typed:
            where = typed[0]
            differs = typed
            more = f" 외 {len(differs) - 1}칸" if len(differs) > 1 else ""
            raise InputError(
                f"{file}: '{other}' 시트는 '{reading.sheet}' 시트의 복사본인데, 복사본에만 입력된 값이 있습니다 "
                f"({where}{more}). 가져오기는 원본 시트만 읽습니다: 값을 원본 '{reading.sheet}' 시트에 "
                "입력하고 복사본은 지운 뒤 다시 가져오세요."
            )
        warnings.append(
            f"{file}: '{other}' 시트는 '{reading.sheet}' 시트의 복사본으로 보고 읽지 않았습니다 (복사본에만 입력된 값은 없습니다)."
        )
    return warnings


def _same_input(a: Any, b: Any) -> bool:
    """Two 실적 cells holding the same (blanks alike, texts NFC-normalised)."""
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, str) and isinstance(b, str):
        return bool(dep.same_text(a, b))
    return bool(a == b or _same(a, b))


def _lone_halves(reader: XlsxReader, sheets: list[str], file: str) -> list[str]:
    """A warning per sheet read whose text held lone surrogate halves (read as U+FFFD)."""
    out = []
    for sheet in sheets:
        n = reader.lone_surrogates_in(sheet)
        if n:
            out.append(
                f"{file}: '{sheet}' 시트의 글 {n}곳에 짝이 없는 서로게이트 이스케이프(_xD800_~_xDFFF_)가 있어 "
                "그 글자를 U+FFFD(�)로 읽었습니다. 원래 글자를 확인해 주세요."
            )
    if not out and reader.lone_surrogates:
        out.append(
            f"{file}: 통합문서의 글 {reader.lone_surrogates}곳에 짝이 없는 서로게이트 이스케이프가 있어 "
            "U+FFFD(�)로 읽었습니다 (가져오는 칸에는 없습니다)."
        )
    return out


def _phase(fields: dict[str, Any], file: str) -> Phase:
    """The phase recorded in `_xlgen` (a workbook from before phases: 평가)."""
    value = fields.get("phase")
    if value in (None, ""):
        return Phase.EVALUATION
    try:
        return Phase(value)
    except ValueError:
        cell = getattr(fields, "cells", {}).get("phase")
        where = f"{meta.SHEET}!{cell}" if cell else f"{meta.SHEET} 시트의 'phase'"
        raise InputError(
            f"{file}: {where} (phase): 알 수 없는 단계입니다 ({shown(value)}). xlgen이 만든 숨김 "
            "시트가 바뀌었습니다. 통합문서를 다시 만들어(xlgen build) 주세요."
        ) from None


# --------------------------------------------------------------------------- comparing


_same = same  # equal, or numbers within xlgen.numbers.REL_TOL


def _label(department: Any, project: Any, indicator: Any) -> str:
    """How messages name an indicator: 부서 / 사업 / 지표."""
    return f"{department.name} / {project.name} / {indicator.name}"


def _note(value: Any) -> str:
    """A 비고 as stored: text, stripped and NFC-normalised (NFD is the same text)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value).strip())


def _counts(doc: Evaluation, threshold: float) -> dict[str, tuple[int, int]]:
    """Per bureau (정상추진, 부진)."""
    return {
        name: (normal, weak) for name, (_, normal, weak) in bureau_counts(doc, threshold).items()
    }


Record = tuple[Any, Any, Any, Any]  # (bureau, department, project, indicator)
Proposed = dict[
    tuple[str, str], tuple[Any, "WorkbookInput", str]
]  # (key, field) → (value, file, cell)


def preview_import(store: Store, paths: list[Path], *, force: bool = False) -> ImportPreview:
    """Read and check every file, and work out the changes; raise ImportRefused on any problem."""
    with no_gc():
        preview = _preview(store, paths, force=force)
    for f in preview.files:  # what was read is no longer needed: free it before writing
        f.built = {}
        f.reading.rows, f.reading.keyless = [], []
    return preview


def _preview(store: Store, paths: list[Path], *, force: bool) -> ImportPreview:
    files = _read_files(paths)
    key, doc = _document(store, files)
    preview = ImportPreview(
        key, store.revision(key), files, phase=doc.phase, round=store.round(key)
    )
    records = {i.key: (b, d, p, i) for b, d, p, i in doc.indicator_rows()}
    proposed: Proposed = {}
    problems: list[str] = []
    for wbi in files:
        problems.extend(_compare_file(store, wbi, doc, records, preview, proposed, force=force))
    if problems:
        raise ImportRefused(problems)
    # Drop duplicates of the same change coming from several files.
    unique: dict[tuple[str, str], CellChange] = {}
    for ch in preview.changes:
        unique.setdefault((ch.record_key, ch.field), ch)
    preview.changes = list(unique.values())
    try:
        threshold = meta.number_field(
            files[0].fields, "threshold", files[0].name, low=0, high=THRESHOLD_MAX
        )
    except InputError as exc:
        raise ImportRefused([str(exc)]) from None
    threshold = doc.threshold if threshold is None else threshold
    preview.counts_before = _counts(doc, threshold)
    for ch in preview.changes:
        if ch.field in ("actual", "target"):
            setattr(records[ch.record_key][3], ch.field, ch.new)
    preview.counts_after = _counts(doc, threshold)
    return preview


def _read_files(paths: list[Path]) -> list[WorkbookInput]:
    """Every file read, or ImportRefused listing every file that could not be."""
    problems: list[str] = []
    files: list[WorkbookInput] = []
    for path in paths:
        try:
            files.append(read_workbook(Path(path)))
        except XlgenError as exc:
            problems.append(str(exc))
    if problems:
        raise ImportRefused(problems)
    names = [f.path.name for f in files]
    for f in files:
        if names.count(f.path.name) > 1:
            f.name = str(f.path)  # two folders' copies of the same file name stay apart
    return files


def _document(store: Store, files: list[WorkbookInput]) -> tuple[str, Evaluation]:
    """The one stored evaluation the files were all built from."""
    keys = {str(f.fields.get("key")) for f in files}
    if len(keys) != 1:
        raise ImportRefused(
            [f"서로 다른 문서의 통합문서를 한 번에 가져올 수 없습니다 ({', '.join(sorted(keys))})."]
        )
    key = keys.pop()
    if not store.has(key):
        raise ImportRefused(
            [f"저장소에 '{key}' 문서가 없습니다. 이 통합문서를 만든 저장소(--db)를 지정하세요."]
        )
    doc = store.load(key)
    kind = kinds.of(doc)
    if not kind.importable:
        raise ImportRefused(
            [f"'{key}'{particle(key, '은/는')} {kind.label} 문서라 가져올 실적이 없습니다."]
        )
    # The registry admits an importable kind only with an Evaluation model (xlgen.kinds).
    return key, cast(Evaluation, doc)


def _origin_problem(
    wbi: WorkbookInput, doc: Evaluation, key: str, revision: int, round_id: str = ""
) -> str | None:
    """Why a file cannot be compared with this store's document, if it cannot: another
    organisation or year, a revision this store never had, another round (a workbook
    built before the document was read again, or from another store), a department the
    document does not have."""
    f = wbi.fields
    if str(f.get("org") or "") != str(doc.org or "") or str(f.get("year") or "") != str(
        doc.year or ""
    ):
        return (
            f"{wbi.name}: 다른 기관·연도의 통합문서입니다 (통합문서: {f.get('org') or '기관 미상'} {f.get('year') or '연도 미상'}, "
            f"저장소 '{key}': {doc.org or '기관 미상'} {doc.year or '연도 미상'})."
        )
    try:
        built_rev = meta.int_field(f, "revision", wbi.name)
    except InputError as exc:
        return str(exc)
    if built_rev is None or built_rev > revision:
        return f"{wbi.name}: 통합문서의 저장소 리비전({built_rev})이 이 저장소({revision})와 맞지 않습니다."
    got = f.get("round")
    if got not in (None, "") and round_id and str(got) != round_id:
        return (
            f"{meta.where(f, 'round', wbi.name)}: 다른 회차의 통합문서입니다 (이 통합문서의 회차 "
            f"{shown(got)}, 저장소 '{key}'의 지금 회차 {round_id}). 문서를 다시 읽은(load --replace) "
            "뒤에 만든 통합문서나 다른 저장소에서 만든 통합문서는 가져올 수 없습니다. "
            "xlgen build --by-department로 새로 만든 통합문서를 보내 주세요."
        )
    department = str(f.get("department") or "")
    if department and department not in {d.name for d in doc.departments()}:
        return (
            f"{meta.where(f, 'department', wbi.name)}: 저장소 '{key}' 문서에 없는 부서"
            f"({shown(department)})의 통합문서입니다."
        )
    return None


def _compare_file(
    store: Store,
    wbi: WorkbookInput,
    doc: Evaluation,
    records: dict[str, Record],
    preview: ImportPreview,
    proposed: Proposed,
    *,
    force: bool,
) -> list[str]:
    """One file's problems; its changes and warnings go into `preview`."""
    problem = _origin_problem(wbi, doc, preview.key, preview.revision, preview.round)
    if problem is not None:
        return [problem]
    built_rev = int(wbi.fields["revision"])
    preview.warnings.extend(wbi.warnings)
    problems, rows = _map_rows(wbi, records, preview.warnings)
    changed_since = store.changed_since(preview.key, built_rev)
    department = wbi.department
    if department and changed_since:
        # The same department returning again: what only its own earlier workbooks changed
        # since this one was built is not a conflict; the later file applies over them.
        own = {
            s.imported
            for s in store.submissions(preview.key)
            if s.department == department and s.imported is not None
        }
        touched = store.touched_since(preview.key, built_rev)
        changed_since = {
            k: v for k, v in changed_since.items() if not (own and touched.get(k, {0}) <= own)
        }
    for row in rows:
        problems.extend(
            _compare_row(
                wbi, row, records[str(row.key)], built_rev, changed_since, preview, proposed, force
            )
        )
    return problems


def _compare_row(
    wbi: WorkbookInput,
    row: dep.InputRow,
    record: Record,
    built_rev: int,
    changed_since: Mapping[tuple[str, str], Any],
    preview: ImportPreview,
    proposed: Proposed,
    force: bool,
) -> list[str]:
    """Check one row's 실적 and 비고 (and 목표, in a workbook built while the targets were
    set), and propose what changed since the build."""
    ind = record[3]
    actual, problem = _number_cell(wbi, row, record, "actual", preview)
    if problem:
        return [problem]
    note = _note(row.note)
    problem = _note_problem(wbi, row, record, note)
    if problem:
        return [problem]
    built_actual, built_note, built_target = wbi.built.get(str(row.key), (None, None, None))
    fields: list[_Field] = [
        ("actual", actual, built_actual, ind.actual, ind.actual),
        ("note", note, _note(built_note), _note(ind.note), ind.note),
    ]
    if wbi.phase is Phase.TARGETS:
        target, problem = _number_cell(wbi, row, record, "target", preview)
        if problem:
            return [problem]
        if preview.phase is Phase.TARGETS:
            fields.append(("target", target, built_target, ind.target, ind.target))
        else:
            problem = _fixed_target_problem(wbi, row, record, target, built_target, preview.key)
            if problem:
                return [problem]
    problems = []
    for value in fields:
        problem = _propose(
            wbi, row, record, value, built_rev, changed_since, preview, proposed, force
        )
        if problem:
            problems.append(problem)
    return problems


# (field, value in the file, value as built, value stored now (notes as compared), stored)
_Field = tuple[str, Any, Any, Any, Any]


def _note_problem(wbi: WorkbookInput, row: dep.InputRow, record: Record, note: str) -> str | None:
    """Why a 비고 cannot be taken (a formula, or longer than a cell holds), if it cannot."""
    _, d, p, ind = record
    where = f"{wbi.name}: {wbi.reading.ref('note', row.index)} ({_label(d, p, ind)})"
    if note.startswith("="):
        return f"{where}: 비고에 수식은 넣을 수 없습니다."
    if len(note) > MAX_CELL_TEXT:
        return (
            f"{where}: 비고가 너무 깁니다 ({len(note):,}자). "
            f"엑셀 칸 하나에는 {MAX_CELL_TEXT:,}자까지만 들어가므로, 줄여서 다시 입력해 주세요."
        )
    return None


def _fixed_target_problem(
    wbi: WorkbookInput, row: dep.InputRow, record: Record, target: Any, built: Any, key: str
) -> str | None:
    """A 목표 changed in a workbook built while the targets were set, after they were
    fixed: refused unless the file holds the value built or the value fixed."""
    _, d, p, ind = record
    if target == built or _same(target, built) or target == ind.target or _same(target, ind.target):
        return None
    fixed = shown(ind.target)
    return (
        f"{wbi.name}: {wbi.reading.ref('target', row.index)} ({_label(d, p, ind)}): 목표가 "
        f"이 통합문서를 만든 뒤 {fixed}{particle(fixed, '으로/로')} 확정되어 바꿀 수 없습니다 "
        f"(이 파일: {shown(target)}). 목표를 다시 고치려면 xlgen targets "
        f"{key} --reopen 하세요."
    )


def _propose(
    wbi: WorkbookInput,
    row: dep.InputRow,
    record: Record,
    value: _Field,
    built_rev: int,
    changed_since: Mapping[tuple[str, str], Any],
    preview: ImportPreview,
    proposed: Proposed,
    force: bool,
) -> str | None:
    """Add one input cell's change to `preview`, unless staff did not touch it or it is
    stored already; a problem instead when the store changed it since the build (without
    `force`) or another file of the import gives it another value."""
    fld, new, built_value, current, stored = value
    if new == built_value or _same(new, built_value):
        return None  # staff did not touch it
    if new == current or _same(new, current):
        return None  # already stored (imported before): nothing to do
    b, d, p, ind = record
    name, key = wbi.name, str(row.key)
    cell_ref = wbi.reading.ref(fld, row.index)
    if not force and (key, fld) in changed_since:
        return (
            f"{name}: {cell_ref} ({_label(d, p, ind)}): 통합문서를 만든 뒤(리비전 {built_rev}) "
            f"저장소의 {FIELD_NAMES[fld]}{particle(FIELD_NAMES[fld], '이/가')} {shown(current)}{particle(shown(current), '으로/로')} 바뀌었는데 "
            f"이 파일은 {shown(new)}입니다. 최신 통합문서로 다시 입력하거나 --force로 덮어쓰세요."
        )
    previous = proposed.get((key, fld))
    if previous is not None and not _same(previous[0], new):
        return (
            f"{name}: {cell_ref} ({_label(d, p, ind)}): 다른 파일({previous[1].name} {previous[2]})과 값이 다릅니다 "
            f"({shown(previous[0])} / {shown(new)})."
        )
    proposed[(key, fld)] = (new, wbi, cell_ref)
    preview.changes.append(
        CellChange(key, fld, stored, new, name, cell_ref, b.name, d.name, p.name, ind.name)
    )
    return None


def _number_cell(
    wbi: WorkbookInput, row: dep.InputRow, record: Record, fld: str, preview: ImportPreview
) -> tuple[Any, str | None]:
    """A number input cell (실적, or 목표 while targets are set) → (value, problem): the
    same rules for both (a percentage format only for a % indicator, text read as a number
    when it plainly is one, and said so)."""
    _, d, p, ind = record
    name, reading = wbi.name, wbi.reading
    what = FIELD_NAMES[fld]
    raw = getattr(row, fld)
    percent = row.actual_percent if fld == "actual" else row.target_percent
    if percent and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        where = reading.ref(fld, row.index)
        if ind.unit.strip() != "%":
            return None, (
                f"{name}: {where} ({_label(d, p, ind)}): {what} 백분율 서식({raw:.0%})은 단위가 %인 지표에만 쓸 수 있습니다."
            )
        preview.warnings.append(
            f"{name}: {where} ({_label(d, p, ind)}): 백분율 서식으로 입력된 {raw:.4g}{particle(format(raw, '.4g'), '을/를')} {round(raw * 100, 10):g}{particle(format(round(raw * 100, 10), 'g'), '으로/로')} 읽었습니다"
        )
        raw = round(raw * 100, 10)
        raw = int(raw) if float(raw).is_integer() else raw
    try:
        value, normalised = dep.parse_actual(raw, ind.unit, what)
    except ValueError as exc:
        return None, f"{name}: {reading.ref(fld, row.index)} ({_label(d, p, ind)}): {what} {exc}."
    if normalised:
        where = reading.ref(fld, row.index)
        preview.warnings.append(f"{name}: {where} ({_label(d, p, ind)}): {normalised}")
    return value, None


def _map_rows(
    wbi: WorkbookInput, records: dict[str, Record], warnings: list[str]
) -> tuple[list[str], list[dep.InputRow]]:
    """Map the rows read back to records by key: the rows to compare, and the problems
    (repeated, unknown or emptied keys, keys that disagree with what their row shows).
    Added rows and columns, and records whose row is gone, become warnings."""
    name, reading, built = wbi.name, wbi.reading, wbi.built
    problems: list[str] = []
    rows: list[dep.InputRow] = []
    seen: set[str] = set()
    contents = _Contents(records)

    def label(key: str) -> str:
        _, d, p, ind = records[key]
        return _label(d, p, ind)

    department = wbi.department
    for row in reading.rows:
        key = row.key
        if department and key and key in records and records[key][1].name != department:
            problems.append(
                f"{name}: {reading.ref('key', row.index)} ({label(key)}): '{department}' 부서의 "
                f"통합문서에 다른 부서({records[key][1].name})의 기록 {key}{particle(key, '이/가')} 들어 있습니다. "
                "부서 통합문서로는 그 부서의 기록만 바꿀 수 있습니다 (다른 부서의 행을 복사해 "
                "넣지 마세요)."
            )
            continue
        if key and key in records and key in built:
            if row.first_row is not None:
                problems.append(
                    f"{name}: {reading.ref('key', row.index)} ({label(key)}): 숨김 키 {key}가 {row.first_row}행에도 있습니다 "
                    "(행을 복사하지 마세요)."
                )
                continue
            seen.add(key)
            problems.extend(_identity(wbi, row, records[key], contents, wbi.phase is Phase.TARGETS))
            rows.append(row)
            continue
        owner = contents.owner(row)
        about = f" ({label(owner)})" if owner else ""
        problems.append(
            f"{name}: {reading.ref('key', row.index)}{about}: 숨김 키 {shown(row.raw_key)}{particle(shown(row.raw_key), '이/가')} 이 문서에 없습니다 "
            "(숨김 칸이 손상되었거나 다른 통합문서의 행입니다)."
        )
    missing = {key for key in built if key not in seen and key in records}
    for row in reading.keyless:
        owner = contents.owner(row)
        if owner in missing:
            missing.discard(owner)
            problems.append(
                f"{name}: {reading.ref('key', row.index)} ({label(owner)}): 숨김 키 칸이 비어 있습니다. "
                "새로 받은 통합문서에 다시 입력하세요."
            )
            continue
        warnings.append(
            f"{name}: {reading.sheet} {row.index + 1}행은 추가된 행으로 보고 무시했습니다 ({row.shown})."
        )
    inputs = "목표·실적" if wbi.phase is Phase.TARGETS else "실적"
    for key in sorted(missing):
        warnings.append(
            f"{name}: {label(key)} 행이 없어 그 {inputs}{particle(inputs, '은/는')} 가져오지 않았습니다."
        )
    if wbi.phase is Phase.EVALUATION:
        stale = [
            key
            for key in built
            if key in records and not _same_target(records[key][3].target, built[key][2])
        ]
        if stale:
            warnings.append(
                f"{name}: 이 통합문서를 만든 뒤 저장소의 목표가 바뀌었습니다 ({len(stale)}건, "
                f"예: {label(stale[0])}). 이 파일의 목표 칸은 읽지 않고 실적·비고만 가져옵니다."
            )
    if reading.added_columns:
        letters = ", ".join(col_letter(i) for i in reading.added_columns[:5])
        warnings.append(f"{name}: 추가된 열({letters})은 무시했습니다.")
    return problems, rows


class _Contents:
    """The records by what a row shows of them (성과지표, 단위, 목표), and the names of the
    document's projects and departments: built on first use (only a row that disagrees
    with its key, or has none, needs them), so that looking a row up is not a scan."""

    def __init__(self, records: dict[str, Record]):
        self.records = records
        self._by_name: dict[tuple[Any, Any], list[str]] | None = None
        self._projects: set[str] | None = None

    def matching(self, row: dep.InputRow) -> list[str]:
        """The records whose 성과지표, 단위 and 목표 are the ones the row shows."""
        if self._by_name is None:
            self._by_name = {}
            for key, (_, _, _, ind) in self.records.items():
                self._by_name.setdefault((dep.nfc(ind.name), dep.nfc(ind.unit)), []).append(key)
        if not isinstance(row.indicator, str):
            return []
        hits = self._by_name.get((dep.nfc(row.indicator), dep.nfc(row.unit)), [])
        return [k for k in hits if _same_target(self.records[k][3].target, row.target)]

    def owner(self, row: dep.InputRow) -> str | None:
        """The one record the row shows (to name a row whose key is damaged), or None."""
        hits = self.matching(row)
        return hits[0] if len(hits) == 1 else None

    def is_project(self, name: Any) -> bool:
        if self._projects is None:
            self._projects = {dep.nfc(p.name) for _, _, p, _ in self.records.values()}
        return dep.nfc(name) in self._projects


def _built_target(wbi: WorkbookInput, ind: Indicator) -> Any:
    """The 목표 the workbook was built with (the stored one if it does not say)."""
    built = wbi.built.get(ind.key)
    return built[2] if built is not None else ind.target


def _shown_target(wbi: WorkbookInput, ind: Indicator, got: Any) -> bool:
    """Whether a protected 목표 cell holds what it was built with, or the 목표 stored now:
    staff did not change it. The stored one differs from the built one when the targets
    were reopened and set again after the workbook was built; its 목표 is then not read."""
    return _same_target(ind.target, got) or _same_target(_built_target(wbi, ind), got)


def _same_target(expected: Any, got: Any) -> bool:
    if got in (None, "") and expected in (None, ""):
        return True
    return _same(got, expected)


_PROTECTED_KO = {"indicator": "성과지표", "unit": "단위", "target": "목표", "project": "주요사업명"}
_RESORT = (
    "숨김 열을 빼고 정렬했거나 숨김 키가 바뀐 것으로 보입니다. 정렬할 때는 숨김 열까지 "
    "모든 열을 함께 정렬하고, 원래 통합문서에 다시 입력해 주세요."
)


def _identity(
    wbi: WorkbookInput,
    row: dep.InputRow,
    record: Record,
    contents: _Contents,
    targets_open: bool = False,
) -> list[str]:
    """Why the row's key and what the row shows disagree, if they do: its 성과지표, 단위
    and 목표 (not while the targets are being set: 목표 is then an input), the 주요사업명
    it sits under and the ▢ block (부서) it sits in must all be the key's record's. One
    problem per row: the first disagreement found."""
    _, d, p, ind = record
    reading, name = wbi.reading, wbi.name
    same = dep.same_text
    if not (
        same(row.indicator, ind.name)
        and same(row.unit, ind.unit)
        and (targets_open or _shown_target(wbi, ind, row.target))
    ):
        others = [k for k in contents.matching(row) if k != ind.key]
        if not others:
            return _protected(wbi, row, record, targets_open)
        visible = f"{shown(dep.nfc(row.indicator))}, 단위 {shown(dep.nfc(row.unit))}, 목표 {shown(row.target)}"
        return [
            f"{name}: {reading.ref('key', row.index)} ({_label(d, p, ind)}): 숨김 키가 이 행과 맞지 않습니다. "
            f"이 행({reading.ref('indicator', row.index)})에 보이는 지표({visible})는 다른 기록의 것입니다. {_RESORT}"
        ]
    shown_project = row.shown_project
    if shown_project not in (None, "") and not same(shown_project, p.name):
        own = row.project_row == row.index
        if not contents.is_project(shown_project):
            # A name no project has: the cell was edited (its own row reports it).
            return _protected(wbi, row, record, targets_open) if own else []
        where = reading.ref(
            "project", row.project_row if row.project_row is not None else row.index
        )
        return [
            f"{name}: {reading.ref('key', row.index)} ({_label(d, p, ind)}): 숨김 키가 이 행과 맞지 않습니다. "
            f"이 행은 주요사업 {shorten(dep.nfc(shown_project))}({where}) 아래에 있는데 숨김 키는 "
            f"{shorten(p.name)} 사업의 지표입니다. {_RESORT}"
        ]
    if not same(row.department, d.name):
        if row.department is None or row.department_row is None:
            block = "어느 부서 표에도 속하지 않는 자리"
        else:
            title = reading.dept_title(row.department)
            block = f"{shorten(title)} 표({reading.ref('project', row.department_row)})"
        return [
            f"{name}: {reading.ref('key', row.index)} ({_label(d, p, ind)}): 숨김 키가 이 행과 맞지 않습니다. "
            f"이 행은 {block}에 있는데 숨김 키는 {shorten(d.name)} 부서의 지표입니다. {_RESORT}"
        ]
    return []


def _protected(
    wbi: WorkbookInput, row: dep.InputRow, record: Record, targets_open: bool = False
) -> list[str]:
    """The protected cells of a row that no longer show what the record holds (texts
    compared NFC-normalised: NFD is the same text). 목표 is one of them unless the
    workbook was built while the targets were set."""
    _, d, p, ind = record
    checks = [("indicator", row.indicator, ind.name), ("unit", row.unit, ind.unit)]
    if not targets_open:
        checks.append(("target", row.target, ind.target))
    if row.project not in (None, ""):  # merged: only a project's first row holds the name
        checks.append(("project", row.project, p.name))
    fixed = "지표명·단위·사업명" if targets_open else "목표·지표명·단위·사업명"
    problems = []
    for fld, got, expected in checks:
        if fld == "target":
            if _shown_target(wbi, ind, got):
                continue
            expected = _built_target(wbi, ind)
        elif dep.same_text(got, expected):
            continue
        if isinstance(got, str):
            got = got.strip()
        problems.append(
            f"{wbi.name}: {wbi.reading.ref(fld, row.index)} ({_label(d, p, ind)}): 보호된 칸 '{_PROTECTED_KO[fld]}'{particle(_PROTECTED_KO[fld], '이/가')} "
            f"바뀌었습니다 ({shown(expected)} → {shown(got)}). {fixed}{particle(fixed, '은/는')} 바꿀 수 없습니다."
        )
    return problems


# --------------------------------------------------------------------------- applying


def apply_import(store: Store, preview: ImportPreview, *, os_user: str) -> int:
    """Write the preview's changes as one transaction; return the new (or unchanged) revision."""
    by_file: dict[str, list[tuple[str, str, Any, Any]]] = {}
    for ch in preview.changes:
        by_file.setdefault(ch.file, []).append((ch.record_key, ch.field, ch.old, ch.new))
    digests = {f.name: f.sha256 for f in preview.files}
    batches = [(name, digests[name], changes) for name, changes in by_file.items()]
    submitted = [
        Submitted(
            f.department,
            f.name,
            f.sha256,
            int(f.fields["revision"]),
            str(f.fields.get("round") or preview.round),
        )
        for f in preview.files
        if f.department
    ]
    if not batches and not submitted:
        return preview.revision
    with no_gc():
        return store.apply_batches(
            preview.key,
            batches,
            os_user=os_user,
            expected_revision=preview.revision,
            submissions=submitted,
        )


def describe(preview: ImportPreview) -> dict[str, Any]:
    """The preview as plain data (for --format json)."""
    return {
        "key": preview.key,
        "revision": preview.revision,
        "files": [
            {"file": f.name, "sha256": f.sha256, "built_revision": f.fields.get("revision")}
            for f in preview.files
        ],
        "changes": [
            {
                "record_key": c.record_key,
                "field": c.field,
                "old": c.old,
                "new": c.new,
                "file": c.file,
                "cell": c.cell,
                "bureau": c.bureau,
                "department": c.department,
                "project": c.project,
                "indicator": c.indicator,
            }
            for c in preview.changes
        ],
        "counts": [
            {
                "bureau": b,
                "normal_before": preview.counts_before[b][0],
                "weak_before": preview.counts_before[b][1],
                "normal_after": preview.counts_after[b][0],
                "weak_after": preview.counts_after[b][1],
            }
            for b in preview.counts_before
        ],
        "warnings": preview.warnings,
    }
