"""Assemble the official workbook with xlsxwriter, atomically.

Every formula is written with its cached value, computed in Python with exactly the
formula's logic (xlgen.rules), so any reader sees the right numbers before a recalculation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from . import __version__
from .errors import XlgenError
from .export import to_json_obj
from .layouts import chart, eval_departments, eval_narrative, eval_summary, findings, meta, settings
from .layouts._base import Styles, fill
from .model import Document, Evaluation, Plan


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


def file_name(doc: Document, template: dict[str, Any]) -> str:
    """A clear Korean file name from the template ("2019년 성과관리 주요사업 평가 현황.xlsx")."""
    pattern = template.get("workbook", {}).get("file_name", "{year} {org}")
    org_suffix = f" ({doc.org})" if doc.org else ""
    name = fill(
        template, pattern, year=doc.year or "", org=doc.org or "", org_suffix=org_suffix
    ).strip()
    for bad in '\\/:*?"<>|':
        name = name.replace(bad, "_")
    return (name or "xlgen") + ".xlsx"


def write_atomically(path: Path, writer: Any) -> Path:
    """Call writer(temp_path), then rename into place; nothing is left behind on error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".xlgen-", suffix=".xlsx.part", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except PermissionError:
        Path(tmp).unlink(missing_ok=True)
        raise BuildError(
            f"{path}: 파일을 쓸 수 없습니다. 엑셀에서 열려 있으면 닫고 다시 실행하세요."
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _new_workbook(path: Path, doc: Document, template: dict[str, Any]) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    title = fill(
        template, template.get("workbook", {}).get("title", doc.title), year=doc.year or ""
    )
    wb.set_properties(
        {
            "title": title,
            "subject": doc.title,
            "author": "xlgen",
            "company": doc.org or "",
            "comments": "xlgen이 만든 통합문서입니다. 실적·비고 칸만 입력하세요.",
        }
    )
    wb.set_size(1600, 1000)
    return wb


def _big_sheet(wb: xlsxwriter.Workbook, name: str) -> Any:
    """A worksheet in constant_memory mode: rows are streamed to a temporary file as they
    are written, so memory stays flat however many indicators there are. Only the sheets
    written strictly row by row get it (the workbook-wide option would also constrain the
    small sheets); xlsxwriter reads the flag when the sheet is added."""
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
) -> Path:
    """Write the evaluation workbook (Ⅰ, Ⅱ, Ⅲ, 차트, 검토사항, 설정, hidden _xlgen).

    With `department`, the workbook for that one department: Ⅰ (its counts), Ⅲ (its
    block), 설정 and the hidden sheet, to be mailed out and imported back like the whole.
    """
    if threshold is not None:
        doc = dataclasses.replace(doc, threshold=threshold)
    if department is not None:
        doc = department_view(doc, department)
    whole = department is None

    def write(tmp: Path) -> None:
        wb = _new_workbook(tmp, doc, template)
        styles = Styles(wb, template)
        names = {
            k: template[k]["sheet"]
            for k in ("summary", "narrative", "departments", "chart", "findings", "settings")
        }
        ws_summary = wb.add_worksheet(names["summary"])
        ws_narrative = wb.add_worksheet(names["narrative"]) if whole else None
        ws_depts = _big_sheet(wb, names["departments"])
        ws_chart = wb.add_worksheet(names["chart"]) if whole else None
        ws_findings = wb.add_worksheet(names["findings"]) if whole else None
        ws_settings = wb.add_worksheet(names["settings"])
        ws_meta = _big_sheet(wb, meta.SHEET)
        placement = eval_departments.place(doc, template, eval_departments.print_scale(template))
        built_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        digest = content_hash(doc)
        settings.write(
            wb,
            ws_settings,
            names["settings"],
            doc.threshold,
            styles,
            template,
            [
                ("문서", doc.title),
                ("기관", doc.org or "미상"),
                ("연도", doc.year or "미상"),
                ("KEY", key),
                ("저장소 리비전", revision),
                ("원본 파일", source),
                ("만든 시각 (UTC)", built_at),
                ("xlgen 버전", __version__),
            ],
        )
        eval_summary.write(ws_summary, doc, styles, template, placement, names["departments"])
        eval_departments.write(ws_depts, doc, styles, template, placement)
        if whole:
            eval_narrative.write(ws_narrative, doc, styles, template)
            chart.write(
                wb,
                ws_chart,
                doc,
                styles,
                template,
                names["summary"],
                names["departments"],
                placement,
            )
            findings.write(ws_findings, doc.warnings, styles, template, source)
        records = [
            [ind.key, dept.name, project.name, ind.name, ind.target, ind.actual, ind.note]
            for _, _, ind, project, dept in placement.indicator_rows
        ]
        meta.write(
            ws_meta,
            [
                ("key", key),
                ("kind", doc.kind),
                ("org", doc.org),
                ("year", doc.year),
                ("revision", revision),
                ("content_hash", digest),
                ("built_at", built_at),
                ("xlgen_version", __version__),
                ("input_sheet", names["departments"]),
                ("threshold", doc.threshold),
                ("department", department or ""),
                *eval_departments.SheetFormat.of_template(template).fields(),
            ],
            records,
        )
        ws_summary.activate()
        wb.close()

    return write_atomically(path, write)


def build_plan(
    doc: Plan, path: Path, template: dict[str, Any], *, key: str, revision: int, source: str = ""
) -> Path:
    """Write the plan workbook (가 총괄, 나 자원비중, 검토사항, hidden _xlgen)."""
    from .layouts import plan_goals, plan_overview

    def write(tmp: Path) -> None:
        wb = _new_workbook(tmp, doc, template)
        styles = Styles(wb, template)
        ws_overview = wb.add_worksheet(template["overview"]["sheet"])
        ws_goals = wb.add_worksheet(template["goals"]["sheet"])
        ws_findings = wb.add_worksheet(template["findings"]["sheet"])
        ws_meta = wb.add_worksheet(meta.SHEET)
        plan_overview.write(ws_overview, doc, styles, template)
        plan_goals.write(ws_goals, doc, styles, template)
        findings.write(ws_findings, doc.warnings, styles, template, source)
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
) -> Path:
    path = out_dir / file_name(doc, template)
    if isinstance(doc, Evaluation):
        return build_evaluation(
            doc, path, template, key=key, revision=revision, threshold=threshold, source=source
        )
    return build_plan(doc, path, template, key=key, revision=revision, source=source)


def build_departments(
    doc: Evaluation,
    out_dir: Path,
    template: dict[str, Any],
    *,
    key: str,
    revision: int,
    threshold: float | None = None,
    source: str = "",
) -> list[Path]:
    """One workbook per department, in out_dir/부서별/, named "<title> - <부서>.xlsx"."""
    stem = file_name(doc, template)[: -len(".xlsx")]
    paths = []
    for dept in doc.departments():
        safe = "".join("_" if ch in '\\/:*?"<>|' else ch for ch in dept.name)
        path = out_dir / "부서별" / f"{stem} - {safe}.xlsx"
        paths.append(
            build_evaluation(
                doc,
                path,
                template,
                key=key,
                revision=revision,
                threshold=threshold,
                source=source,
                department=dept.name,
            )
        )
    return paths
