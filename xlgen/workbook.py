"""Assemble the official workbook with xlsxwriter, atomically.

Every formula is written with its cached value, computed in Python with exactly the
formula's logic (xlgen.rules), so any reader sees the right numbers before a recalculation.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import stat
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from . import __version__, kinds
from .audit import audit
from .errors import XlgenError
from .export import to_json_obj
from .layouts import (
    chart,
    eval_departments,
    eval_dept_summary,
    eval_narrative,
    eval_round,
    eval_summary,
    findings,
    meta,
    settings,
)
from .layouts._base import Styles, fill
from .model import Document, Evaluation, ParseWarning, Phase, Plan
from .round import RoundStatus
from .timefmt import local_time, zone_label


class BuildError(XlgenError, RuntimeError):
    """The workbook could not be written."""


def content_hash(doc: Document) -> str:
    """sha256 of the records (not the warnings): what the workbook was built from."""
    obj = to_json_obj(doc)
    obj.pop("warnings", None)
    obj.pop("file", None)
    obj.pop("encoding", None)
    canonical = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _workbook_conf(doc: Document, template: dict[str, Any]) -> dict[str, Any]:
    """The template's [workbook] section; a document whose targets are being set takes
    its name and title from [targets] (so the form is not mistaken for the evaluation)."""
    conf = dict(template.get("workbook", {}))
    if isinstance(doc, Evaluation) and doc.phase is Phase.TARGETS:
        conf.update(template.get("targets", {}))
    return conf


def file_name(doc: Document, template: dict[str, Any]) -> str:
    """A clear Korean file name from the template ("2019년 성과관리 주요사업 평가 현황.xlsx")."""
    pattern = _workbook_conf(doc, template).get("file_name", "{year} {org}")
    org_suffix = f" ({doc.org})" if doc.org else ""
    name = fill(
        template, pattern, year=doc.year or "", org=doc.org or "", org_suffix=org_suffix
    ).strip()
    for bad in '\\/:*?"<>|':
        name = name.replace(bad, "_")
    return (name or "xlgen") + ".xlsx"


PART_PREFIX, PART_SUFFIX = ".xlgen-", ".xlsx.part"  # the temporary files write_atomically makes
STALE_PART_SECONDS = 3600  # a part older than this belongs to a build that was killed


def remove_stale_parts(folder: Path, *, older_than: float = STALE_PART_SECONDS) -> list[Path]:
    """Delete the temporary files that killed builds left in `folder`: only regular files
    named like ours (`.xlgen-*.xlsx.part`), owned by this user, untouched for `older_than`
    seconds (a build running now keeps writing to its own). Returns what was removed."""
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        name = entry.name
        if not (name.startswith(PART_PREFIX) and name.endswith(PART_SUFFIX)):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid):
                continue
            if now - st.st_mtime < older_than:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _write_error(path: Path, exc: BaseException) -> BuildError:
    """A Korean message for an OS error while writing `path` (xlsxwriter wraps some)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
    code = getattr(inner, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return BuildError(
            f"{path}: 디스크 공간이 부족해 통합문서를 쓰지 못했습니다. 공간을 확보한 뒤 다시 "
            "실행하세요 (기존 파일은 그대로입니다)."
        )
    if isinstance(inner, PermissionError) or code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return BuildError(
            f"{path}: 파일을 쓸 수 없습니다 (권한 없음). 엑셀에서 열려 있으면 닫고, 폴더에 쓸 "
            "권한이 있는지 확인한 뒤 다시 실행하세요."
        )
    if code == errno.ENAMETOOLONG:
        return BuildError(f"{path}: 파일 이름이 너무 깁니다.")
    reason = getattr(inner, "strerror", None) or str(inner)
    return BuildError(f"{path}: 통합문서를 쓰지 못했습니다 ({reason}).")


def write_atomically(path: Path, writer: Any) -> Path:
    """Call writer(temp_path), then rename into place; nothing is left behind on error (a
    full disk, no permission: a BuildError with a Korean message). Parts left by builds
    killed earlier in the same folder are removed first."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=PART_PREFIX, suffix=PART_SUFFIX, dir=path.parent)
        os.close(fd)
        writer(Path(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except (OSError, FileCreateError) as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise _write_error(path, exc) from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ----------------------------------------------------------------------------- limits

MAX_CELL_TEXT = 32_767  # characters an Excel cell holds; xlsxwriter would cut the rest


def check_cell_text(doc: Document) -> None:
    """Refuse (BuildError) a document holding a text longer than an Excel cell takes: the
    workbook would carry it cut, silently, and an import would then store the cut text.
    The texts are the document kind's (xlgen.kinds, ``long_texts``).
    (Plain loops: 100,000 indicators are looked at in a few hundredths of a second.)"""
    limit = MAX_CELL_TEXT
    found: list[str] = []

    def check(text: str | None, what: str, name: str = "") -> None:
        if text is not None and len(text) > limit:
            found.append(f"{what}{' ' + _short(name) if name else ''}: {len(text):,}자")

    check(doc.title, "제목")
    check(doc.org, "기관")
    for w in doc.warnings:
        check(w.message, "검토사항")
    for text, what, name in kinds.of(doc).long_texts(doc, limit):
        check(text, what, name)
    if found:
        more = f" 외 {len(found) - 3}건" if len(found) > 3 else ""
        raise BuildError(
            f"엑셀 칸 하나에 담을 수 있는 {MAX_CELL_TEXT:,}자를 넘는 글이 있어 통합문서를 "
            f"만들지 않았습니다 ({'; '.join(found[:3])}{more}). 줄인 뒤 다시 만드세요."
        )


def evaluation_texts(doc: Evaluation, limit: int) -> Iterator[tuple[str | None, str, str]]:
    """(text, what, name) of the evaluation's texts that may exceed ``limit`` characters (an
    indicator's three texts only when one of them does)."""
    for b in doc.bureaus:
        yield b.name, "국", b.name
        for d in b.departments:
            yield d.name, "부서", d.name
            for p in d.projects:
                yield p.name, "사업", p.name
                for i in p.indicators:
                    if len(i.name) <= limit and len(i.unit) <= limit and len(i.note) <= limit:
                        continue
                    label = (
                        f"레코드 {i.key} ({_short(d.name)} / {_short(p.name)} / {_short(i.name)})"
                    )
                    yield i.name, f"{label}의 성과지표", ""
                    yield i.unit, f"{label}의 단위", ""
                    yield i.note, f"{label}의 비고", ""
    for section in doc.narrative:
        yield section.heading, "추진성과", ""
        for fld in section.fields:
            yield fld.title, "추진성과", ""
            for h in fld.highlights:
                yield h.text, "추진성과", ""
                for detail in h.details:
                    yield detail, "추진성과", ""


def plan_texts(doc: Plan, limit: int) -> Iterator[tuple[str | None, str, str]]:
    """(text, what, name) of the plan's texts."""
    yield doc.unit, "단위", ""
    for o in doc.offices:
        yield o.office, "실국", o.office
    for g in doc.goals:
        yield g.name, "전략목표", g.name
        yield g.office, "전략목표의 실국", g.name
        for pg in g.policy_goals:
            yield pg.name, "정책목표", pg.name
            for text in pg.indicators:
                yield text, "정책목표의 성과지표", pg.name


def _short(name: str) -> str:
    return name if len(name) <= 20 else name[:20] + "…"


def _new_workbook(path: Path, doc: Document, template: dict[str, Any]) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    title = fill(
        template, _workbook_conf(doc, template).get("title", doc.title), year=doc.year or ""
    )
    targets = isinstance(doc, Evaluation) and doc.phase is Phase.TARGETS
    wb.set_properties(
        {
            "title": title,
            "subject": doc.title,
            "author": "xlgen",
            "company": doc.org or "",
            "comments": "xlgen이 만든 통합문서입니다. "
            + ("목표·실적·비고 칸만 입력하세요." if targets else "실적·비고 칸만 입력하세요."),
        }
    )
    wb.set_size(1600, 1000)
    return wb


def _big_sheet(wb: xlsxwriter.Workbook, name: str) -> Any:
    """A worksheet in constant_memory mode: rows are streamed to a temporary file as they
    are written, so memory stays flat however many indicators there are. Only the sheets
    written strictly row by row get it (the workbook-wide option would also constrain the
    small sheets); xlsxwriter reads the flag when the sheet is added.

    xlsxwriter has the option only workbook-wide (``Workbook(path, {"constant_memory":
    True})``), no public per-sheet call, hence the attribute, set around add_worksheet();
    tests/test_xlsxwriter_attributes.py fails if xlsxwriter stops reading it."""
    previous = wb.constant_memory
    wb.constant_memory = True
    try:
        return wb.add_worksheet(name)
    finally:
        wb.constant_memory = previous


def department_view(doc: Evaluation, department: str) -> Evaluation:
    """The evaluation cut down to one department (for the workbook mailed to it)."""
    bureaus = []
    for b in doc.bureaus:
        depts = [d for d in b.departments if d.name == department]
        if depts:
            bureaus.append(dataclasses.replace(b, departments=depts))
    return dataclasses.replace(doc, bureaus=bureaus, narrative=[], warnings=[])


def build_evaluation(
    doc: Evaluation,
    path: Path,
    template: dict[str, Any],
    *,
    key: str,
    revision: int,
    threshold: float | None = None,
    source: str = "",
    department: str | None = None,
    printed: frozenset[str] | None = None,
    round_id: str = "",
    status: RoundStatus | None = None,
) -> Path:
    """Write the evaluation workbook (Ⅰ, Ⅱ, Ⅲ, 차트, 검토사항, 제출 현황 when `status` is
    given, 설정, hidden _xlgen).

    With `department`, the workbook for that one department: Ⅰ (that department alone:
    its projects, counts and share of its bureau), Ⅲ (its block), 설정 and the hidden
    sheet, to be mailed out and imported back like the whole. `round_id` is recorded in
    `_xlgen`, so an import can tell a workbook of another round.
    With `printed` (template section names such as "summary"), a copy to print: every
    other sheet is hidden, so a PDF export shows only those and numbers their pages on.
    While the targets are set (Phase.TARGETS) there is no Ⅱ (this year's narrative is
    written at year end, and last year's is not carried over) and no 차트 (nothing to chart
    before there are 실적).
    """
    if threshold is not None:
        doc = dataclasses.replace(doc, threshold=threshold)
    shares: list[eval_dept_summary.BureauShare] = []
    if department is not None:
        shares = eval_dept_summary.shares(doc, department, doc.threshold)
        doc = department_view(doc, department)
    check_cell_text(doc)
    whole = department is None
    evaluating = doc.phase is not Phase.TARGETS
    fmt = eval_departments.SheetFormat.of_document(doc, template)

    def write(tmp: Path) -> None:
        wb = _new_workbook(tmp, doc, template)
        styles = Styles(wb, template)
        sheets = _EvaluationSheets.add(wb, template, whole, evaluating, status is not None)
        ws, names = sheets.ws, sheets.names
        placement = eval_departments.place(
            doc, template, eval_departments.print_scale(template, fmt)
        )
        built_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        settings.write(
            wb,
            ws["settings"],
            names["settings"],
            doc.threshold,
            styles,
            template,
            _settings_rows(doc, key, revision, source, built_at),
        )
        if department is None:
            eval_summary.write(
                ws["summary"], doc, styles, template, placement, names["departments"]
            )
        else:
            eval_dept_summary.write(
                ws["summary"],
                doc,
                department,
                shares,
                styles,
                template,
                placement,
                names["departments"],
            )
        eval_departments.write(ws["departments"], doc, styles, template, placement)
        if ws["round"] is not None:
            assert status is not None
            eval_round.write(ws["round"], status, styles, template, placement, names["departments"])
        if ws["narrative"] is not None:
            eval_narrative.write(ws["narrative"], doc, styles, template)
        if ws["chart"] is not None:
            chart.write(
                wb,
                ws["chart"],
                doc,
                styles,
                template,
                names["summary"],
                names["departments"],
                placement,
            )
        if ws["findings"] is not None:
            findings.write(ws["findings"], _findings_of(doc), styles, template, source)
        meta.write(
            ws["meta"],
            [
                ("key", key),
                ("kind", doc.kind),
                ("org", doc.org),
                ("year", doc.year),
                ("revision", revision),
                ("content_hash", content_hash(doc)),
                ("built_at", built_at),
                ("xlgen_version", __version__),
                ("input_sheet", names["departments"]),
                ("threshold", doc.threshold),
                ("department", department or ""),
                ("round", round_id),
                ("sheets", meta.sheet_list([w.get_name() for w in wb.worksheets()])),
                ("phase", doc.phase.value),
                ("carried_from", doc.carried_from.key if doc.carried_from else ""),
                *fmt.fields(),
            ],
            _meta_records(placement),
        )
        _hide_unprinted(printed, {r: w for r, w in ws.items() if r != "meta"})
        ws["summary"].activate()
        wb.close()

    return write_atomically(path, write)


@dataclasses.dataclass
class _EvaluationSheets:
    """The evaluation workbook's sheets by template section ("summary", …, and "meta" for
    _xlgen), None for a sheet this workbook has not, and their names."""

    ws: dict[str, Any]
    names: dict[str, str]

    @classmethod
    def add(
        cls,
        wb: xlsxwriter.Workbook,
        template: dict[str, Any],
        whole: bool,
        evaluating: bool,
        with_round: bool,
    ) -> _EvaluationSheets:
        """Add the sheets in the workbook's tab order: Ⅱ and 차트 only for the whole
        workbook in the evaluation phase, 검토사항 only for the whole, 제출 현황 with a
        round's status; a department's workbook has its own Ⅰ."""
        names = {
            k: template[k]["sheet"]
            for k in ("summary", "narrative", "departments", "chart", "findings", "settings")
        }
        if not whole:
            names["summary"] = eval_dept_summary.conf_of(template)["sheet"]
        names["meta"] = meta.SHEET
        present = {
            "summary": True,
            "narrative": whole and evaluating,
            "departments": True,
            "chart": whole and evaluating,
            "findings": whole,
            "round": whole and with_round,
            "settings": True,
            "meta": True,
        }
        if present["round"]:
            names["round"] = eval_round.conf_of(template)["sheet"]
        ws: dict[str, Any] = {}
        for role, wanted in present.items():  # dict order is the tab order
            if not wanted:
                ws[role] = None
            elif role in ("departments", "meta"):
                ws[role] = _big_sheet(wb, names[role])
            else:
                ws[role] = wb.add_worksheet(names[role])
        return cls(ws, names)


def _settings_rows(
    doc: Evaluation, key: str, revision: int, source: str, built_at: str
) -> list[tuple[str, Any]]:
    """설정's rows: the document, the store revision and how the workbook was built."""
    return [
        ("문서", doc.title),
        ("기관", doc.org or "미상"),
        ("연도", doc.year or "미상"),
        *_year_rows(doc),
        ("문서 키", key),
        ("저장소 리비전", revision),
        ("원본 파일", source),
        ("만든 시각", f"{local_time(built_at)} ({zone_label()})"),
        ("프로그램 버전", f"xlgen {__version__}"),
    ]


def _meta_records(placement: eval_departments.Placement) -> list[list[Any]]:
    """_xlgen's record table: each indicator's key, where it sits and its input values as
    built (what an import compares the workbook with)."""
    return [
        [ind.key, dept.name, project.name, ind.name, ind.target, ind.actual, ind.note]
        for _, _, ind, project, dept in placement.indicator_rows
    ]


def _year_rows(doc: Evaluation) -> list[tuple[str, Any]]:
    """설정's rows about a carried-over year (its phase, last year's document); none for a
    document read from its text in the evaluation phase."""
    if doc.carried_from is None and doc.phase is Phase.EVALUATION:
        return []
    rows: list[tuple[str, Any]] = [("단계", doc.phase.value)]
    if doc.carried_from is not None:
        last = doc.carried_from
        rows.append(("전년도 문서", f"{last.key} ({last.year or '연도 미상'})"))
    return rows


def _findings_of(doc: Document) -> list[ParseWarning]:
    """What 검토사항 lists: the parse's findings, then the auditor's explanations."""
    return list(doc.warnings) + audit(doc)


def _hide_unprinted(printed: frozenset[str] | None, sheets: dict[str, Any]) -> None:
    """Hide every sheet not in `printed` (None: a normal workbook, nothing hidden).

    Called once the sheets are written. LibreOffice still prints a hidden sheet that has a
    print area (measured on 7.4), so a hidden sheet also loses its print area and print
    titles. xlsxwriter has no call to unset them (print_area() over the whole sheet is
    ignored, not a reset), and the layouts set them while writing, hence the attributes;
    tests/test_print.py fails if the hidden sheets' print names come back."""
    if printed is None:
        return
    for role, ws in sheets.items():
        if ws is not None and role not in printed:
            ws.hide()
            ws.print_area_range = ""
            ws.repeat_row_range = ""
            ws.repeat_col_range = ""


def build_plan(
    doc: Plan,
    path: Path,
    template: dict[str, Any],
    *,
    key: str,
    revision: int,
    source: str = "",
    printed: frozenset[str] | None = None,
) -> Path:
    """Write the plan workbook (가 총괄, 나 자원비중, 검토사항, hidden _xlgen).

    With `printed`, a copy to print in which every other sheet is hidden."""
    from .layouts import plan_goals, plan_overview

    check_cell_text(doc)

    def write(tmp: Path) -> None:
        wb = _new_workbook(tmp, doc, template)
        styles = Styles(wb, template)
        ws_overview = wb.add_worksheet(template["overview"]["sheet"])
        ws_goals = wb.add_worksheet(template["goals"]["sheet"])
        ws_findings = wb.add_worksheet(template["findings"]["sheet"])
        ws_meta = wb.add_worksheet(meta.SHEET)
        plan_overview.write(ws_overview, doc, styles, template)
        plan_goals.write(ws_goals, doc, styles, template)
        findings.write(ws_findings, _findings_of(doc), styles, template, source)
        meta.write(
            ws_meta,
            [
                ("key", key),
                ("kind", doc.kind),
                ("org", doc.org),
                ("year", doc.year),
                ("revision", revision),
                ("content_hash", content_hash(doc)),
                ("built_at", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
                ("xlgen_version", __version__),
            ],
            [],
        )
        _hide_unprinted(
            printed, {"overview": ws_overview, "goals": ws_goals, "findings": ws_findings}
        )
        ws_overview.activate()
        wb.close()

    return write_atomically(path, write)


def build_document(
    doc: Document,
    out_dir: Path,
    template: dict[str, Any],
    *,
    key: str,
    revision: int,
    threshold: float | None = None,
    source: str = "",
    printed: frozenset[str] | None = None,
    round_id: str = "",
    status: RoundStatus | None = None,
) -> Path:
    """Write KEY's workbook, by its kind's builder (xlgen.kinds), into out_dir
    (`printed`: a copy to print, see build_evaluation)."""
    path = out_dir / file_name(doc, template)
    built: Path = kinds.of(doc).build(
        doc,
        path,
        template,
        key=key,
        revision=revision,
        threshold=threshold,
        source=source,
        printed=printed,
        round_id=round_id,
        status=status,
    )
    return built


MAX_NAME_BYTES = 255  # one file name, in UTF-8 (Linux, macOS) — and 255 UTF-16 units (Windows)
_FORBIDDEN = set('\\/:*?"<>|') | {chr(c) for c in range(32)} | {"\x7f"}
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
DEPARTMENT_FOLDER = "부서별"


def safe_file_name(name: str) -> str:
    """`name` usable as a file name on Windows, macOS and Linux: forbidden and control
    characters become "_", trailing dots and spaces (which Windows drops) go, a reserved
    device name (CON, NUL, COM1…) gets a "_" in front."""
    out = "".join("_" if ch in _FORBIDDEN else ch for ch in name).rstrip(" .")
    stem = out.split(".", 1)[0].strip().upper()
    if stem in _RESERVED:
        out = "_" + out
    return out or "_"


def department_files(
    doc: Evaluation, out_dir: Path, template: dict[str, Any]
) -> list[tuple[str, Path]]:
    """(department, path) for each department's workbook, one per distinct department name
    (a name printed twice in the document is one department: its workbook holds both
    blocks), every file name checked before anything is written: a name too long for a
    file system, or two departments whose names come out as the same file name (after
    forbidden characters are replaced, or differing only in case or Unicode form), are
    refused (BuildError) naming the departments."""
    stem = file_name(doc, template)[: -len(".xlsx")]
    folder = out_dir / DEPARTMENT_FOLDER
    out: list[tuple[str, Path]] = []
    seen: dict[str, str] = {}  # the file name as file systems compare it → department
    problems: list[str] = []
    for dept in dict.fromkeys(d.name for d in doc.departments()):
        name = safe_file_name(f"{stem} - {dept}") + ".xlsx"
        size = len(name.encode("utf-8"))
        units = len(name.encode("utf-16-le")) // 2
        if size > MAX_NAME_BYTES or units > MAX_NAME_BYTES:
            problems.append(
                f"부서 '{dept[:30]}{'…' if len(dept) > 30 else ''}': 파일 이름이 너무 깁니다 "
                f"(UTF-8 {size:,}바이트, 최대 {MAX_NAME_BYTES}바이트)"
            )
            continue
        folded = unicodedata.normalize("NFC", name).casefold()
        if folded in seen:
            problems.append(
                f"부서 '{seen[folded]}'와(과) '{dept}': 같은 파일 이름이 됩니다 ({name})"
            )
            continue
        seen[folded] = dept
        out.append((dept, folder / name))
    if problems:
        more = f" 외 {len(problems) - 5}건" if len(problems) > 5 else ""
        raise BuildError(
            "부서별 통합문서의 파일 이름을 만들 수 없어 아무것도 만들지 않았습니다: "
            + "; ".join(problems[:5])
            + more
            + "."
        )
    return out


def build_departments(
    doc: Evaluation,
    out_dir: Path,
    template: dict[str, Any],
    *,
    key: str,
    revision: int,
    threshold: float | None = None,
    source: str = "",
    files: list[tuple[str, Path]] | None = None,
    round_id: str = "",
) -> list[Path]:
    """One workbook per department, in out_dir/부서별/, named "<title> - <부서>.xlsx"
    (`files`: what `department_files` gave, when the caller checked them already)."""
    if files is None:
        files = department_files(doc, out_dir, template)
    return [
        build_evaluation(
            doc,
            path,
            template,
            key=key,
            revision=revision,
            threshold=threshold,
            source=source,
            department=dept,
            round_id=round_id,
        )
        for dept, path in files
    ]
