"""`xlgen new YEAR --from KEY`: next year's evaluation, carried over from a stored one.

The new document has the same bureaus, departments, projects and indicators (name, unit,
direction) as the one it comes from, blank 목표 and 실적, and last year's 목표 and 실적 kept
beside each indicator as reference (`Indicator.prev_target`, `prev_actual`). It starts in
the 목표 설정 phase: its workbook takes 목표 as an input like 실적, until the desk fixes the
targets (`xlgen targets KEY --fix`).

Departments renamed, merged or split between the years are described by a small mapping
file (`read_map`), checked against the stored document before anything is written: a name
that does not exist there is an error naming it, with the file and line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, NotFoundError, XlgenError
from .files import read_regular
from .findings import Finding, Kind
from .korean import josa, particle
from .model import (
    Bureau,
    CarriedFrom,
    Department,
    Evaluation,
    Indicator,
    Phase,
    Project,
)
from .store import Store
from .toml_errors import toml_error

MAX_MAP_BYTES = 1024 * 1024  # a mapping file is a few lines; more is not one


@dataclass(frozen=True)
class Move:
    """`[[move]]`: one project moving from a department to another (new or existing)."""

    project: str
    source: str  # the department it is in (last year's name)
    target: str  # the department it goes to (this year's name)
    line: int | None = None


@dataclass
class DepartmentMap:
    """What changed in the organisation between the years (부서변경.toml).

    - `[rename]` "옛 부서" = "새 부서": a department's new name. Two departments renamed to
      one name (or one renamed to another's name) are merged into one.
    - `[[move]]` project / from / to: a project moving to another department; a `to` that
      does not exist yet is a new department, in the bureau of `from` (a split).
    - `[bureau]` "부서" = "국": the bureau of a department (this year's name), needed when a
      merged department's parts sat in different bureaus; the bureau must exist.
    """

    rename: dict[str, str] = field(default_factory=dict)
    moves: list[Move] = field(default_factory=list)
    bureaus: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (table, name) → line

    def where(self, table: str, name: str) -> str:
        """How a message names the place of `name` in the file: "부서변경.toml 3행"."""
        label = self.path.name if self.path else "부서 변경 파일"
        line = self.lines.get((table, name))
        return f"{label} {line}행" if line else label


_TABLES = ("rename", "move", "bureau")
_MOVE_KEYS = {"project", "from", "to"}


def read_map(path: Path) -> DepartmentMap:
    """Read a mapping file; its shape is checked here, its names by `check_map`."""
    data = read_regular(path, MAX_MAP_BYTES)
    name = path.name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: UTF-8로 저장된 TOML 파일이어야 합니다.") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(toml_error(name, exc)) from None
    lines = text.splitlines()
    unknown = [k for k in raw if k not in _TABLES]
    if unknown:
        line = _line_of(lines, unknown[0], bare=True)
        raise InputError(
            f"{name}{f' {line}행' if line else ''}: 알 수 없는 항목 '{unknown[0]}'입니다. "
            "[rename], [[move]], [bureau]만 쓸 수 있습니다."
        )
    m = DepartmentMap(path=path)
    for table in ("rename", "bureau"):
        value = raw.get(table, {})
        if not isinstance(value, dict):
            raise InputError(f'{name}: [{table}] 항목은 표여야 합니다 (예: "옛 부서" = "새 부서").')
        for old, new in value.items():
            line = _line_of(lines, old)
            if line:
                m.lines[(table, old)] = line
            if not isinstance(new, str) or not new.strip():
                raise InputError(
                    f"{m.where(table, old)}: [{table}] '{old}'의 값은 비어 있지 않은 글자여야 "
                    "합니다."
                )
            if not old.strip():
                raise InputError(f"{m.where(table, old)}: [{table}]에 빈 이름이 있습니다.")
            getattr(m, "rename" if table == "rename" else "bureaus")[old.strip()] = new.strip()
    moves = raw.get("move", [])
    if not isinstance(moves, list) or not all(isinstance(x, dict) for x in moves):
        raise InputError(f"{name}: move는 [[move]] 항목의 목록이어야 합니다.")
    for number, entry in enumerate(moves, 1):
        line = _nth_table_line(lines, "move", number)
        where = f"{name} {line}행" if line else f"{name} [[move]] {number}번째 항목"
        keys = set(entry)
        if keys != _MOVE_KEYS:
            missing = sorted(_MOVE_KEYS - keys)
            extra = sorted(keys - _MOVE_KEYS)
            detail = "; ".join(
                part
                for part in (
                    f"없는 항목: {', '.join(missing)}" if missing else "",
                    f"알 수 없는 항목: {', '.join(extra)}" if extra else "",
                )
                if part
            )
            raise InputError(f"{where}: [[move]]에는 project, from, to가 있어야 합니다 ({detail}).")
        values = {k: entry[k] for k in _MOVE_KEYS}
        bad = [k for k, v in values.items() if not isinstance(v, str) or not v.strip()]
        if bad:
            raise InputError(f"{where}: [[move]]의 {bad[0]} 값은 비어 있지 않은 글자여야 합니다.")
        m.moves.append(
            Move(values["project"].strip(), values["from"].strip(), values["to"].strip(), line)
        )
    return m


def _line_of(lines: list[str], name: str, *, bare: bool = False) -> int | None:
    """The 1-based line where `name` is written as a key ("name" = …), if it can be found."""
    quoted = (f'"{name}"', f"'{name}'")
    for number, text in enumerate(lines, 1):
        stripped = text.strip()
        if any(stripped.startswith(q) for q in quoted):
            return number
        if bare and (stripped.startswith((f"[{name}]", f"[[{name}]]", f"{name} ", f"{name}="))):
            return number
    return None


def _nth_table_line(lines: list[str], table: str, number: int) -> int | None:
    """The line of the `number`-th `[[table]]` header."""
    seen = 0
    for i, text in enumerate(lines, 1):
        if re.match(rf"\s*\[\[\s*{re.escape(table)}\s*\]\]", text):
            seen += 1
            if seen == number:
                return i
    return None


# --------------------------------------------------------------------------- checking


def check_map(m: DepartmentMap, source: Evaluation, source_key: str) -> None:
    """Every name the map refers to must exist in the stored document (InputError naming
    the name, the file and line, and the stored document)."""
    departments = {d.name for d in source.departments()}
    bureaus = {b.name for b in source.bureaus}
    in_store = f"저장소의 '{source_key}' 평가"

    def missing(what: str, name: str, where: str) -> InputError:
        return InputError(
            f"{where}: {what} '{name}'{particle(name, '이/가')} {in_store}에 없습니다."
        )

    for old, new in m.rename.items():
        if old not in departments:
            raise missing("부서", old, m.where("rename", old))
        if old == new:
            raise InputError(
                f"{m.where('rename', old)}: '{old}'{particle(old, '을/를')} 같은 이름으로 바꿉니다."
            )
    moved: dict[tuple[str, str], Move] = {}
    for mv in m.moves:
        where = f"{m.path.name if m.path else '부서 변경 파일'}" + (
            f" {mv.line}행" if mv.line else ""
        )
        if mv.source not in departments:
            raise missing("부서", mv.source, where)
        projects = [p.name for d in source.departments() if d.name == mv.source for p in d.projects]
        if mv.project not in projects:
            raise InputError(
                f"{where}: 사업 '{mv.project}'{particle(mv.project, '이/가')} {in_store}의 '{mv.source}' 부서에 "
                "없습니다."
            )
        if projects.count(mv.project) > 1:
            raise InputError(
                f"{where}: '{mv.source}' 부서에 사업 '{mv.project}'{particle(mv.project, '이/가')} 둘 이상 있어 어느 것을 "
                "옮길지 정할 수 없습니다."
            )
        if (mv.source, mv.project) in moved:
            first = moved[(mv.source, mv.project)]
            raise InputError(
                f"{where}: '{mv.source}'의 사업 '{mv.project}'{particle(mv.project, '을/를')} 두 번 옮깁니다"
                + (f" ({first.line}행과)." if first.line else ".")
            )
        if mv.target == m.rename.get(mv.source, mv.source):
            raise InputError(
                f"{where}: 사업 '{mv.project}'{particle(mv.project, '을/를')} 같은 부서로 옮깁니다."
            )
        moved[(mv.source, mv.project)] = mv
    finals = {m.rename.get(n, n) for n in departments} | {mv.target for mv in m.moves}
    for dept, bureau in m.bureaus.items():
        where = m.where("bureau", dept)
        if dept not in finals:
            raise InputError(
                f"{where}: [bureau]의 부서 '{dept}'{particle(dept, '이/가')} 새 연도의 부서에 없습니다 "
                f"({in_store}의 부서와 [rename]·[[move]]로 생기는 부서만 쓸 수 있습니다)."
            )
        if bureau not in bureaus:
            raise missing("국", bureau, where)


# --------------------------------------------------------------------------- carrying over


@dataclass
class _Part:
    """A piece of a new year's department: where it came from and its projects."""

    bureau: str
    name: str  # this year's department name
    projects: list[Project]
    origin: str  # last year's department name
    moved: bool = False  # made of projects moved in by [[move]]


def _fresh(project: Project) -> Project:
    """A project for the new year: same indicators, 목표 and 실적 blank, last year's as
    reference."""
    return Project(
        name=project.name,
        indicators=[
            Indicator(
                name=i.name,
                unit=i.unit,
                target=None,
                actual=None,
                direction=i.direction,
                prev_target=i.target,
                prev_actual=i.actual,
            )
            for i in project.indicators
        ],
    )


def _organise(source: Evaluation, m: DepartmentMap) -> tuple[list[Bureau], list[Finding]]:
    """The new year's bureaus and departments, the map applied; a finding per change."""
    findings: list[Finding] = []
    moves_from: dict[str, list[Move]] = {}
    for mv in m.moves:
        moves_from.setdefault(mv.source, []).append(mv)
    parts: list[_Part] = []
    for b in source.bureaus:
        for d in b.departments:
            leaving = {mv.project: mv for mv in moves_from.get(d.name, [])}
            new_name = m.rename.get(d.name, d.name)
            kept = [_fresh(p) for p in d.projects if p.name not in leaving]
            parts.append(_Part(b.name, new_name, kept, d.name))
            for p in d.projects:
                if p.name in leaving:
                    mv = leaving[p.name]
                    parts.append(_Part(b.name, mv.target, [_fresh(p)], d.name, moved=True))
    for old, new in m.rename.items():
        findings.append(
            Finding(None, kind=Kind.DEPARTMENT_MAPPED, change="rename", old=old, new=new)
        )
    for mv in m.moves:
        findings.append(
            Finding(
                None,  # 검토사항's 문서 행 is a line of the source text, not of the map
                kind=Kind.DEPARTMENT_MAPPED,
                change="move",
                old=mv.source,
                project=mv.project,
                new=mv.target,
            )
        )
    groups: dict[str, list[_Part]] = {}
    for part in parts:
        groups.setdefault(part.name, []).append(part)
    bureau_order = list(dict.fromkeys(b.name for b in source.bureaus))
    placed: dict[str, list[tuple[tuple[int, int], Department]]] = {b: [] for b in bureau_order}
    for index, (name, members) in enumerate(groups.items()):
        origins = list(dict.fromkeys(p.origin for p in members if not p.moved))
        if len(origins) > 1:
            findings.append(
                Finding(
                    None, kind=Kind.DEPARTMENT_MAPPED, change="merge", olds=tuple(origins), new=name
                )
            )
        where_from = list(dict.fromkeys(p.bureau for p in members))
        if name in m.bureaus:
            bureau = m.bureaus[name]
            findings.append(
                Finding(None, kind=Kind.DEPARTMENT_MAPPED, change="bureau", new=name, bureau=bureau)
            )
        elif len(where_from) == 1:
            bureau = where_from[0]
        else:
            raise InputError(
                f"{m.where('rename', origins[0] if origins else name)}: 부서 '{name}'{particle(name, '으로/로')} 합쳐지는 "
                f"부서들이 서로 다른 국에 있습니다 ("
                + ", ".join(f"{p.origin}: {p.bureau}" for p in members)
                + f'). [bureau]에 "{name}" = "국 이름"을 적어 어느 국에 둘지 정해 주세요.'
            )
        own = [p for p in members if not p.moved]
        projects = [pr for p in own for pr in p.projects] + [
            pr for p in members if p.moved for pr in p.projects
        ]
        if not projects:
            continue  # every project moved out: the department is gone
        anchor = next((p for p in own if p.bureau == bureau), None) or next(
            (p for p in members if p.bureau == bureau), None
        )
        # Position: where its first own part was, else the end of the bureau.
        order = (parts.index(anchor), 0) if anchor is not None else (len(parts), index)
        placed[bureau].append((order, Department(name=name, projects=projects)))
    bureaus = [
        Bureau(name=b, departments=[d for _, d in sorted(placed[b], key=lambda x: x[0])])
        for b in bureau_order
        if placed[b]
    ]
    return bureaus, findings


def new_title(title: str, old_year: int | None, year: int) -> str:
    """The document title with last year's year replaced ("2019년 …" → "2020년 …"); a
    title that does not print the year gets it in front."""
    if old_year is not None:
        pattern = rf"(?<!\d){old_year}(?!\d)"
        if re.search(pattern, title):
            return re.sub(pattern, str(year), title)
    return f"{year}년 {title}".strip()


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def _names_with_past_years(
    bureaus: list[Bureau], last_year: int | None, year: int
) -> list[Finding]:
    """A finding per project or indicator whose name prints a year up to last year's
    ("2019년 재난안전교육 실시" carried into 2020): such a name dates itself and may need
    the new year, which only the desk can tell, so the name is carried as it is."""
    if last_year is None:
        return []
    found: list[Finding] = []

    def past_year(name: str) -> int | None:
        years = [int(y) for y in _YEAR.findall(name) if int(y) <= last_year]
        return max(years) if years else None

    for b in bureaus:
        for d in b.departments:
            for p in d.projects:
                where: dict[str, Any] = {"department": d.name, "project": p.name, "new_year": year}
                old = past_year(p.name)
                if old is not None:
                    found.append(
                        Finding(
                            None, kind=Kind.NAME_WITH_PAST_YEAR, what="주요사업", year=old, **where
                        )
                    )
                for ind in p.indicators:
                    old = past_year(ind.name)
                    if old is not None:
                        found.append(
                            Finding(
                                None,
                                kind=Kind.NAME_WITH_PAST_YEAR,
                                what="성과지표",
                                year=old,
                                indicator=ind.name,
                                **where,
                            )
                        )
    return found


def carry_over(
    source: Evaluation,
    *,
    source_key: str,
    source_revision: int,
    year: int,
    mapping: DepartmentMap | None = None,
) -> Evaluation:
    """Next year's evaluation from `source` (pure: nothing is read or written)."""
    m = mapping or DepartmentMap()
    check_map(m, source, source_key)
    bureaus, mapped = _organise(source, m)
    indicators = sum(len(p.indicators) for b in bureaus for d in b.departments for p in d.projects)
    findings = [
        Finding(
            None,
            kind=Kind.CARRIED_OVER,
            key=source_key,
            year=source.year,
            revision=source_revision,
            indicators=indicators,
        ),
        *mapped,
        *_names_with_past_years(bureaus, source.year, year),
    ]
    # Where last year's threshold came from still holds (the template's, when none was printed).
    findings += [w.replace() for w in source.warnings if w.kind is Kind.NO_THRESHOLD][:1]
    return Evaluation(
        title=new_title(source.title, source.year, year),
        org=source.org,
        year=year,
        bureaus=bureaus,
        threshold=source.threshold,
        warnings=findings,
        phase=Phase.TARGETS,
        carried_from=CarriedFrom(source_key, source.year),
    )


@dataclass
class NewYear:
    """What `create_year` did."""

    key: str
    revision: int
    document: Evaluation
    source_key: str
    source_revision: int
    replaced: bool


YEARS = range(1990, 2101)  # the years a new document may be for (a typo is refused)


def year_of_key(key: str) -> int | None:
    """The year a key names ("2020" → 2020), None when it is not a year."""
    text = key.strip()
    return int(text) if re.fullmatch(r"\d{4}", text) else None


def create_year(
    store: Store,
    key: str,
    source_key: str,
    *,
    year: int | None = None,
    mapping: Path | None = None,
    replace: bool = False,
    os_user: str | None = None,
) -> NewYear:
    """Create the evaluation `key` for next year from the stored evaluation `source_key`
    (see the module's docstring). Refuses when `key` exists (unless `replace`), when
    `source_key` does not, or when the map names what the source does not have."""
    if key == source_key:
        raise XlgenError(
            f"새 문서 '{key}'{particle(key, '과/와')} --from '{source_key}'{particle(source_key, '이/가')} 같습니다."
        )
    named = year_of_key(key)
    if year is not None and named is not None and year != named:
        raise XlgenError(
            f"새 문서 '{key}'{particle(key, '은/는')} {named}년인데 --year는 {year}입니다. "
            f"연도가 KEY와 같으면 --year를 빼고, 다르면 연도가 아닌 KEY를 쓰세요."
        )
    if not store.has(source_key):
        raise NotFoundError(
            f"--from {source_key}: 저장소에 '{source_key}' 문서가 없습니다 ({store.path}). "
            f"먼저 xlgen load {source_key} 하세요."
        )
    source = store.load(source_key)
    if not isinstance(source, Evaluation):
        raise XlgenError(f"--from {source_key}: 평가 문서가 아닙니다 (성과계획).")
    if year is None:
        year = year_of_key(key)
    if year is None:
        raise XlgenError(
            f"'{key}'{particle(key, '은/는')} 연도가 아닙니다. --year로 새 문서의 연도를 정해 주세요."
        )
    if year not in YEARS:
        given = f"--year {year}" if named is None else f"'{key}'"
        raise XlgenError(
            f"{given}: 새 문서의 연도는 {YEARS.start}~{YEARS.stop - 1} 사이여야 합니다."
        )
    if source.year is not None and year <= source.year:
        raise XlgenError(
            f"새 연도 {josa(year, '은/는')} --from '{source_key}'의 연도 {source.year}보다 뒤여야 합니다."
        )
    exists = store.has(key)
    if exists and not replace:
        raise XlgenError(
            f"'{key}'{particle(key, '은/는')} 이미 저장소에 있습니다 (리비전 {store.revision(key)}). 그대로 둡니다. "
            "새로 만들려면 --replace를 붙이세요 (입력한 목표·실적은 사라집니다)."
        )
    the_map = read_map(mapping) if mapping is not None else None
    source_revision = store.revision(source_key)
    doc = carry_over(
        source, source_key=source_key, source_revision=source_revision, year=year, mapping=the_map
    )
    from .workbook import content_hash

    revision = store.save_document(
        key,
        doc,
        source_name=f"{source_key} 이월" + (f" + {mapping.name}" if mapping else ""),
        source_sha256=content_hash(source),
        action="new",
        os_user=os_user,
    )
    return NewYear(key, revision, doc, source_key, source_revision, exists)


def describe_map(findings: list[Finding]) -> list[str]:
    """The map's changes, as the CLI lists them."""
    return [w.message for w in findings if w.kind is Kind.DEPARTMENT_MAPPED]


def names_to_check(findings: list[Finding]) -> list[str]:
    """The carried names that print a past year (Kind.NAME_WITH_PAST_YEAR), as the CLI
    lists them."""
    return [w.message for w in findings if w.kind is Kind.NAME_WITH_PAST_YEAR]
