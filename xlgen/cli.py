"""xlgen's command line: a thin click layer over the library.

Every command calls library functions; library errors (XlgenError) become a one-line
Korean message and exit code 1. No traceback reaches the user.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from . import __version__, console, kinds
from .cli_ko import KoGroup, OptionConflict
from .errors import XlgenError
from .korean import particle
from .numbers import format_number, is_number

EPILOG = "도움말: xlgen 명령 --help  (예: xlgen parse --help)"


def _db_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A store path that names a folder is refused naming where it came from: the option
    or the XLGEN_DB variable (the store itself refuses other bad paths in Korean)."""
    if value is not None and value.is_dir():
        source = ctx.get_parameter_source(param.name or "db")
        given = "환경변수 XLGEN_DB" if source == click.core.ParameterSource.ENVIRONMENT else "--db"
        raise UserError(
            f"{given}에 준 저장소 경로 {value}{particle(value, '은/는')} 폴더입니다. 저장소 파일의 경로를 지정하세요 "
            f"(예: {value / 'xlgen.sqlite'})."
        )
    return value


def db_option(fn: Callable) -> Callable:
    """--db, shared by every command that touches the store."""
    return click.option(
        "--db",
        "db",
        type=click.Path(path_type=Path),
        envvar="XLGEN_DB",
        default=None,
        callback=_db_path,
        help="저장소(SQLite) 파일 경로. 기본값: 환경변수 XLGEN_DB, 없으면 사용자 데이터 폴더의 xlgen/xlgen.sqlite",
    )(fn)


def seeds_option(fn: Callable) -> Callable:
    return click.option(
        "--seeds",
        "seeds_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="XLGEN_SEEDS",
        default=None,
        help="원본 문서 폴더 (기본값: 환경변수 XLGEN_SEEDS, 없으면 지금 폴더의 seeds/). KEY마다 하위 폴더 하나.",
    )(fn)


def output_options(fn: Callable) -> Callable:
    """--out and --templates, shared by build and pdf."""
    fn = click.option(
        "--templates",
        "templates_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="XLGEN_TEMPLATES",
        default=None,
        help="서식 폴더. 없으면 환경변수 XLGEN_TEMPLATES, 그다음 지금 폴더의 templates/(있을 때), 끝으로 xlgen에 들어 있는 기본 서식.",
    )(fn)
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="출력 폴더 (기본값: 지금 폴더의 out/). 파일은 out/KEY/ 아래에 생깁니다.",
    )(fn)


class _KindOption(click.Option):
    """--kind whose metavar and help name the registered kinds (xlgen.kinds), looked up
    when help is shown, so that importing the CLI does not load every kind's modules."""

    def _name_kinds(self) -> None:
        labels = [k.label for k in kinds.choices()]
        self.metavar = "|".join(labels)
        self.help = (
            f"KEY 폴더에 문서가 여러 개일 때 어느 문서인지 ({kinds.korean_or(labels)} 가운데 하나)."
        )

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self._name_kinds()
        return super().get_help_record(ctx)

    def make_metavar(self, ctx: click.Context) -> str:
        self._name_kinds()
        return super().make_metavar(ctx)


def kind_option(fn: Callable) -> Callable:
    """--kind, for a year folder holding more than one document."""
    return click.option("--kind", "kind", cls=_KindOption, default=None)(fn)


class UserError(click.ClickException):
    """A library error shown to the user as one Korean line, exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"오류: {self.format_message()}", err=True)


def friendly(fn: Callable) -> Callable:
    """Turn library errors into click errors (exit 1) and anything else into a short message."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except XlgenError as exc:
            raise UserError(str(exc)) from None

    return wrapper


def _open_store(db: Path | None, *, read_only: bool = False) -> Any:
    """The store; with ``read_only``, only one that exists (else None): never creates one."""
    from .store import Store, default_db_path

    if read_only:
        return contextlib.nullcontext(Store.open_existing(db or default_db_path()))
    return Store.open(db or default_db_path())


def _existing_store(db: Path | None) -> Any:
    """The store for commands that need one that exists (MissingStoreError otherwise)."""
    from .store import Store, default_db_path

    return Store.open(db or default_db_path(), create=False)


def _default_path() -> Path:
    from .store import default_db_path

    return default_db_path()


@click.group(
    "xlgen", cls=KoGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, "--version", message="xlgen %(version)s")
def cli() -> None:
    """xlgen — 성과관리 공식 문서(성과계획서, 주요사업 평가)를 엑셀 통합문서로 만들고,
    직원이 입력한 실적을 다시 가져옵니다.

    \b
    주요 명령:
      xlgen parse 파일...     문서를 읽어 기록(레코드)과 경고를 보여 줍니다
      xlgen load KEY          seeds/KEY 문서를 읽어 저장소에 넣습니다
      xlgen build KEY         KEY의 공식 엑셀 통합문서를 만듭니다 (out/KEY/)
      xlgen pdf KEY           KEY의 공식 시트를 PDF로 인쇄합니다 (out/KEY/)
      xlgen new 2020 --from 2019   지난해 평가에서 새 연도의 목표 설정 양식을 만듭니다
      xlgen targets KEY       목표 입력 현황; --fix로 목표를 확정합니다
      xlgen import 파일...    직원이 입력한 통합문서의 실적을 가져옵니다
      xlgen history KEY       가져오기 이력
      xlgen undo KEY          마지막 가져오기를 되돌립니다
      xlgen status [KEY]      저장소의 문서 목록, KEY: 부서별 제출 현황 (--missing: 미제출만)
    """


@cli.command(epilog=EPILOG)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "table"]),
    default="table",
    show_default=True,
    help="json: 파일마다 객체 하나(여러 파일이면 배열), csv: 지표 행, table: 터미널용 보기",
)
@friendly
def parse(files: tuple[Path, ...], fmt: str) -> None:
    """문서 파일을 읽어 기록을 표준 출력으로 보여 줍니다.

    문서 종류(평가/성과계획)와 인코딩(UTF-8, CP949, UTF-16)은 내용으로 판별합니다.
    파일 옆에 corrections.toml(보정)과 manifest.toml(기관명 등)이 있으면 함께 씁니다.
    경고가 있어도 읽었으면 종료 코드 0, 읽을 수 없으면 1입니다.
    """
    from .export import iter_json, summary_lines, to_csv, to_json_obj, to_plain, to_table
    from .seeds import parse_document_path

    objects = []
    tables = []
    for path in files:
        document, text, _ = parse_document_path(path)
        encoding = text.encoding
        del text  # the document's lines are not needed once parsed
        if fmt == "json":
            objects.append(to_json_obj(document, file=path.name, encoding=encoding))
        elif fmt == "csv":
            tables.append((path.name, document))
        elif not sys.stdout.isatty():  # piped: plain rows on stdout, the rest on stderr
            several = path.name if len(files) > 1 else None
            click.echo(to_plain(document, document=several, header=not tables), nl=False)
            tables.append((path.name, document))
            click.echo("\n".join(summary_lines(document, file=path.name)), err=True)
        else:
            click.echo(to_table(document, file=path.name))
    if fmt == "json":
        payload = objects[0] if len(objects) == 1 else objects
        _write_pieces(iter_json(payload))
    elif fmt == "csv":
        click.echo(to_csv(tables), nl=False)


@cli.command(epilog=EPILOG)
@click.argument("key")
@click.option(
    "--replace",
    is_flag=True,
    help="이미 저장된 KEY를 새로 읽은 내용으로 바꿉니다 (가져오거나 입력한 목표·실적·비고는 사라집니다). 없으면 이미 있는 KEY는 그대로 둡니다.",
)
@kind_option
@seeds_option
@db_option
@friendly
def load(
    key: str, replace: bool, kind: str | None, seeds_dir: Path | None, db: Path | None
) -> None:
    """seeds/KEY 폴더의 문서를 읽어 저장소에 넣습니다 (예: xlgen load 2019).

    한 해의 폴더에 성과계획서와 평가 문서가 함께 있으면 둘 다 읽습니다 (--kind로 하나만).
    이미 있는 문서는 건드리지 않습니다 (--replace로 바꿀 수 있음).
    """
    from .documents import kind_option as parse_kind
    from .documents import load_folder, shown

    with _open_store(db) as store:
        for loaded in load_folder(store, key, seeds_dir, replace=replace, kind=parse_kind(kind)):
            info = loaded.info
            if not loaded.parsed:
                click.echo(
                    f"{shown(info)}{particle(shown(info), '은/는')} 이미 저장소에 있습니다 "
                    f"(리비전 {info.revision}). 그대로 둡니다. "
                    "문서를 다시 읽으려면 --replace를 붙이세요 (가져오거나 입력한 목표·실적·비고는 사라집니다)."
                )
                continue
            for notice in loaded.notices:
                click.echo(f"주의: {notice}", err=True)
            click.echo(
                f"{shown(info)} 저장 완료: {loaded.source} → {store.path} "
                f"(리비전 {info.revision}, 경고 {loaded.warnings}건)"
            )


@cli.command(epilog=EPILOG)
@click.argument("key")
@output_options
@click.option(
    "--by-department",
    is_flag=True,
    help="부서마다 입력용 통합문서도 만듭니다 (out/KEY/부서별/). 여러 개를 한 번에 가져올 수 있습니다.",
)
@kind_option
@seeds_option
@db_option
@friendly
def build(
    key: str,
    out_dir: Path | None,
    templates_dir: Path | None,
    by_department: bool,
    kind: str | None,
    seeds_dir: Path | None,
    db: Path | None,
) -> None:
    """KEY의 공식 엑셀 통합문서를 만듭니다 (예: xlgen build 2019).

    저장소에 KEY가 없으면 seeds/KEY 문서를 먼저 읽어 넣습니다. 수식(달성률, 국별 집계)은
    살아 있고, 부진 사업은 강조 표시됩니다. 실적·비고 칸만 입력할 수 있습니다.
    파일은 임시 파일에 쓴 뒤 바꿔 넣으므로, 실패해도 기존 파일이 깨지지 않습니다.
    """
    from .build import build_all
    from .documents import kind_option as parse_kind
    from .documents import shown_key

    with _open_store(db) as store:
        results = build_all(
            key,
            store=store,
            out_dir=out_dir,
            seeds_dir=seeds_dir,
            templates_dir=templates_dir,
            by_department=by_department,
            kind=parse_kind(kind),
        )
    for result in results:
        for notice in result.notices:
            click.echo(f"주의: {notice}", err=True)
        if result.parsed:
            click.echo(
                f"{shown_key(result.key, result.document.kind)} 문서를 읽어 저장소에 넣었습니다 "
                f"(경고 {result.warnings}건).",
                err=True,
            )
    for result in results:  # every workbook written, one path a line
        click.echo(str(result.path))
    for result in results:
        for path in result.department_paths:
            click.echo(str(path))
        if result.department_paths:
            click.echo(
                f"부서별 통합문서 {len(result.department_paths)}개: {result.department_paths[0].parent}",
                err=True,
            )


@cli.command(epilog=EPILOG)
@click.argument("key")
@output_options
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="공식 시트 뒤에 차트와 검토사항도 인쇄합니다.",
)
@kind_option
@seeds_option
@db_option
@friendly
def pdf(
    key: str,
    out_dir: Path | None,
    templates_dir: Path | None,
    include_all: bool,
    kind: str | None,
    seeds_dir: Path | None,
    db: Path | None,
) -> None:
    """KEY의 공식 시트를 PDF로 인쇄합니다 (예: xlgen pdf 2019 → out/2019/문서이름.pdf).

    평가는 Ⅰ·Ⅱ·Ⅲ, 성과계획은 가·나를 인쇄하고(--all이면 차트·검토사항도), 쪽 번호
    "- n -"은 시트를 넘어 이어집니다. 설정과 숨김 시트는 인쇄하지 않습니다. 저장소에 KEY가
    없으면 seeds/KEY 문서를 먼저 읽습니다. 헤드리스 LibreOffice가 필요합니다
    (이 명령에만 필요합니다).
    """
    from .documents import kind_option as parse_kind
    from .documents import shown_key
    from .printing import print_pdf, require_libreoffice

    require_libreoffice()  # before the store is opened or created
    chosen = parse_kind(kind)
    with _open_store(db) as store:
        results = print_pdf(
            key,
            store=store,
            out_dir=out_dir,
            seeds_dir=seeds_dir,
            templates_dir=templates_dir,
            include_all=include_all,
            kind=chosen,
        )
    for result in results:
        if result.parsed:
            click.echo(
                f"{shown_key(result.key, result.kind)} 문서를 읽어 저장소에 넣었습니다.", err=True
            )
    for result in results:
        click.echo(str(result.path))


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(빈칸)"
    if is_number(value):
        return format_number(value)
    from .display import shorten

    return shorten(value)


def _write_pieces(pieces: Iterator[str]) -> None:
    """Write text pieces to standard output in batches (a newline at the end)."""
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= 4096:
            click.echo("".join(batch), nl=False)
            batch.clear()
    click.echo("".join(batch))


def _preview_text(preview: Any, applied: int | None) -> str:
    from .store import FIELD_NAMES

    lines = [
        f"문서 '{preview.key}' (저장소 리비전 {preview.revision}), 파일 {len(preview.files)}개"
    ]
    if not preview.changes:
        lines.append("변경 없음")
    else:
        lines.append(f"바뀌는 값 {len(preview.changes)}건:")
        for c in preview.changes:
            what = FIELD_NAMES.get(c.field, c.field)
            lines.append(
                f"  {c.department} / {c.project} / {c.indicator}  {what} {_show(c.old)} → {_show(c.new)}"
                f"   ({c.file} {c.cell})"
            )
        moved = [
            b for b in preview.counts_before if preview.counts_before[b] != preview.counts_after[b]
        ]
        if moved:
            lines.append("국별 정상추진/부진의 변화:")
            for b in moved:
                (n0, w0), (n1, w1) = preview.counts_before[b], preview.counts_after[b]
                lines.append(f"  {b}: 정상추진 {n0} → {n1}, 부진 {w0} → {w1}")
        else:
            lines.append("국별 정상추진/부진 수는 바뀌지 않습니다.")
    for w in preview.warnings:
        lines.append(f"주의: {w}")
    if applied is None:
        lines.append("(미리보기: 저장하지 않았습니다. 적용하려면 --dry-run 없이 실행하세요.)")
    elif preview.changes:
        lines.append(
            f"저장했습니다: 리비전 {applied} (변경 {len(preview.changes)}건). 되돌리려면: xlgen undo {preview.key}"
        )
    return "\n".join(lines)


@cli.command("import", epilog=EPILOG)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help="바뀔 값과 국별 정상추진/부진 변화만 보여 주고 저장하지 않습니다.",
)
@click.option(
    "--force",
    is_flag=True,
    help="통합문서를 만든 뒤 저장소에서 바뀐 값도 이 파일의 값으로 덮어씁니다.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="결과 형식",
)
@db_option
@friendly
def import_(files: tuple[Path, ...], dry_run: bool, force: bool, fmt: str, db: Path | None) -> None:
    """직원이 실적·비고를 입력한 통합문서를 저장소로 가져옵니다.

    숨김 키로 각 칸을 기록에 연결하므로 행을 정렬·필터·숨김해도 됩니다. 값에 문제가 하나라도
    있으면 시트!칸과 기록을 밝히고 아무것도 저장하지 않습니다 (종료 코드 1). 여러 파일은
    한 번에 모두 저장되거나 모두 저장되지 않습니다. 모든 변경은 이력에 남습니다.
    """
    from .importer import apply_import, describe, preview_import
    from .store import current_os_user

    with _existing_store(db) if dry_run else _open_store(db) as store:
        preview = preview_import(store, list(files), force=force)
        applied = None if dry_run else apply_import(store, preview, os_user=current_os_user())
    if fmt == "json":
        obj = describe(preview)
        obj["dry_run"] = dry_run
        obj["applied_revision"] = applied
        from .export import iter_json

        _write_pieces(iter_json(obj))
    else:
        click.echo(_preview_text(preview, applied))


@cli.command(epilog=EPILOG)
@click.argument("key")
@click.option("-v", "--verbose", is_flag=True, help="바뀐 값을 하나하나 보여 줍니다.")
@kind_option
@db_option
@friendly
def history(key: str, verbose: bool, kind: str | None, db: Path | None) -> None:
    """KEY 문서의 가져오기·되돌리기 이력 (최근 것부터).

    KEY 폴더에 문서가 여러 개이면 --kind 평가 또는 --kind 성과계획으로 고릅니다.
    """
    from .documents import kind_option as parse_kind
    from .documents import resolve, shown
    from .store import FIELD_NAMES
    from .timefmt import local_time, zone_label

    chosen = parse_kind(kind)
    with _existing_store(db) as store:
        info = resolve(store, key, chosen)
        key = info.key
        revisions = store.history(key)
        doc = store.load(key)
        names = kinds.of(doc).record_names(doc)
        click.echo(f"{shown(info)} 이력 (현재 리비전 {store.revision(key)}, 시각은 {zone_label()})")
        action_ko = {
            "parse": "문서 읽기",
            "import": "가져오기",
            "undo": "되돌리기",
            "new": "새 연도 만들기",
            "targets-fix": "목표 확정",
            "targets-reopen": "목표 다시 열기",
        }
        for rev in revisions:
            extra = f" (리비전 {rev.undoes} 취소)" if rev.undoes else ""
            click.echo(
                f"  리비전 {rev.revision:>3}  {action_ko.get(rev.action, rev.action)}{extra}  {local_time(rev.at)}  {rev.os_user}"
                f"  {rev.file_name}  변경 {rev.changes}건"
            )
            if verbose and rev.changes:
                for entry in store.history_entries(key, rev.revision):
                    what = FIELD_NAMES.get(entry.field, entry.field)
                    click.echo(
                        f"        {names.get(entry.record_key, entry.record_key)} {what} {_show(entry.old)} → {_show(entry.new)}"
                    )


@cli.command(epilog=EPILOG)
@click.argument("key")
@kind_option
@db_option
@friendly
def undo(key: str, kind: str | None, db: Path | None) -> None:
    """KEY 문서의 마지막 가져오기를 되돌립니다 (되돌린 것도 이력에 남습니다).

    가져오기는 평가 문서에만 있으므로, KEY 폴더의 평가 문서가 대상입니다.
    """
    from .documents import kind_option as parse_kind
    from .documents import resolve
    from .store import current_os_user

    chosen = parse_kind(kind)
    with _existing_store(db) as store:
        info = resolve(store, key, chosen, only=tuple(k.name for k in kinds.importable()))
        rev = store.undo_last(info.key, os_user=current_os_user())
        last = store.history(info.key)[0]
    click.echo(f"되돌렸습니다: 리비전 {last.undoes}의 가져오기 {last.changes}건 → 새 리비전 {rev}")


@cli.command(epilog=EPILOG)
@click.argument("key", required=False)
@kind_option
@click.option(
    "--missing", is_flag=True, help="아직 제출하지 않은 부서만 보여 줍니다 (독촉 메일용)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table: 터미널용 표, json: 객체 하나, csv: 부서마다 한 행",
)
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="XLGEN_TEMPLATES",
    default=None,
    help="서식 폴더 (부진판정 기준이 문서에 없을 때의 기본값).",
)
@db_option
@friendly
def status(
    key: str | None,
    kind: str | None,
    missing: bool,
    fmt: str,
    templates_dir: Path | None,
    db: Path | None,
) -> None:
    """저장소의 문서 목록, 또는 KEY를 주면 그 평가의 부서별 제출 현황.

    \b
    xlgen status               저장소에 있는 문서(KEY)와 리비전
    xlgen status 2019          부서마다: 보낸 통합문서, 제출(언제·어느 파일·바뀐 값) 또는
                               미제출, 실적 빈칸, 지금 부진인 사업 — 국별로, 합계 제출 n / N
    xlgen status 2019 --missing   미제출 부서만
    """
    if key is None:
        if missing or kind:
            raise UserError(
                "--missing과 --kind는 KEY와 함께 씁니다 (예: xlgen status 2019 --missing)."
            )
        _status_list(db)
        return
    from .documents import kind_option as parse_kind
    from .status import round_of

    chosen = parse_kind(kind)
    with _existing_store(db) as store:
        result = round_of(store, key, chosen, templates_dir=templates_dir)
    from . import round as rnd

    if fmt == "json":
        from .export import iter_json

        _write_pieces(iter_json(rnd.to_json_obj(result, missing_only=missing)))
    elif fmt == "csv":
        from .status import to_csv

        click.echo(to_csv(result, missing_only=missing), nl=False)
    else:
        from .status import heading, to_table

        plain = not sys.stdout.isatty()
        for line in heading(result, missing_only=missing):
            click.echo(line, err=plain)
        lines = to_table(result, missing_only=missing, plain=plain)
        if lines:
            click.echo("\n".join(lines))


def _status_list(db: Path | None) -> None:
    """The store's documents (a year folder's KEY and each document's kind)."""
    from .documents import folder_of, label
    from .table import render
    from .timefmt import local_time, zone_label

    with _open_store(db, read_only=True) as store:
        infos = store.keys() if store else []
        path = store.path if store else (db or _default_path())
    plain = not sys.stdout.isatty()
    click.echo(f"저장소: {path}", err=plain)
    if not infos:
        click.echo("저장된 문서가 없습니다. 예: xlgen load 2019", err=plain)
        return
    rows = [
        [
            folder_of(info.key),
            _kind_ko(label(info.kind), info.kind, info.phase),
            info.org or "기관 미상",
            str(info.year) if info.year else "연도 미상",
            info.revision,
            local_time(info.saved_at),
            info.source_name,
        ]
        for info in infos
    ]
    headers = ("문서 키", "종류", "기관", "연도", "리비전", "저장 시각", "원본 파일")
    click.echo(f"시각: {zone_label()}", err=plain)
    click.echo("\n".join(render(headers, rows, align="<<<>><<", plain=plain)))


@cli.command(epilog=EPILOG)
@click.argument("key")
@click.option(
    "--from",
    "source",
    required=True,
    metavar="KEY",
    help="옮겨 올 지난해 평가의 KEY (예: 2019). 저장소에 있어야 합니다.",
)
@click.option(
    "--map",
    "mapping",
    type=click.Path(path_type=Path),
    default=None,
    help="부서 변경 파일 (TOML: [rename], [[move]], [bureau]). README의 '새 연도' 참고.",
)
@click.option(
    "--year",
    type=int,
    default=None,
    help="새 문서의 연도 (KEY가 연도가 아닐 때만 필요합니다).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="KEY가 이미 있으면 새로 만든 것으로 바꿉니다 (입력한 목표·실적은 사라집니다).",
)
@db_option
@friendly
def new(
    key: str, source: str, mapping: Path | None, year: int | None, replace: bool, db: Path | None
) -> None:
    """지난해 평가(--from)에서 새 연도의 평가 문서를 만듭니다 (예: xlgen new 2020 --from 2019).

    국·부서·사업·성과지표(단위, 방향)를 그대로 옮기고 목표와 실적은 비워 둡니다. 지난해의
    목표·실적은 참고 열로 보입니다. 새 문서는 '목표 설정' 단계로 시작하여, xlgen build KEY의
    통합문서에서 목표도 입력할 수 있습니다. 목표를 다 받으면 xlgen targets KEY --fix.
    KEY가 이미 있으면 그대로 둡니다 (--replace로 바꿀 수 있음).
    """
    from .newyear import create_year, describe_map, names_to_check
    from .store import current_os_user

    with _existing_store(db) as store:  # the year comes from a stored one: never a new store
        result = create_year(
            store,
            key,
            source,
            year=year,
            mapping=mapping,
            replace=replace,
            os_user=current_os_user(),
        )
    doc = result.document
    departments = len({d.name for d in doc.departments()})
    click.echo(
        f"'{key}' {'다시 ' if result.replaced else ''}만들었습니다: '{source}'(리비전 "
        f"{result.source_revision})에서 국 {len(doc.bureaus)}개, 부서 {departments}개, 사업 "
        f"{len(doc.projects())}개, 성과지표 {len(doc.indicator_rows())}개 → {store.path} (리비전 "
        f"{result.revision}, 단계: {doc.phase.value})"
    )
    for line in describe_map(doc.warnings):
        click.echo(f"  {line}")
    check = names_to_check(doc.warnings)
    if check:
        click.echo(f"확인할 이름 {len(check)}개 (검토사항에도 있습니다):")
        for line in check:
            click.echo(f"  {line}")
    click.echo(f"다음: xlgen build {key}  (목표·실적 입력 양식)")


@cli.command(epilog=EPILOG)
@click.argument("key")
@click.option("--fix", is_flag=True, help="목표를 확정합니다: 이후 통합문서에서 목표는 보호됩니다.")
@click.option("--reopen", is_flag=True, help="확정한 목표를 다시 입력할 수 있게 엽니다.")
@click.option(
    "--allow-blank",
    is_flag=True,
    help="목표가 빈 지표가 있어도 확정합니다 (그 지표의 달성률은 빈칸이 됩니다).",
)
@db_option
@friendly
def targets(key: str, fix: bool, reopen: bool, allow_blank: bool, db: Path | None) -> None:
    """KEY의 목표 입력 현황을 보여 주고, --fix로 목표를 확정합니다.

    '목표 설정' 단계의 통합문서에서는 목표와 실적을 모두 입력하고 가져올 수 있습니다.
    --fix 하면 '평가' 단계가 되어, 이후 xlgen build의 통합문서에서 목표는 보호되고 가져오기도
    목표 변경을 받지 않습니다. 목표가 빈 지표가 있으면 확정하지 않습니다 (--allow-blank).
    """
    from .store import current_os_user
    from .targets import fix_targets, reopen_targets, target_status

    if fix and reopen:
        raise OptionConflict("--fix와 --reopen은 함께 쓸 수 없습니다.")
    if allow_blank and not fix:
        raise OptionConflict("--allow-blank는 --fix와 함께만 씁니다 (빈 목표가 있어도 확정).")
    with _existing_store(db) as store:
        if fix:
            report = fix_targets(store, key, allow_blank=allow_blank, os_user=current_os_user())
        elif reopen:
            report = reopen_targets(store, key, os_user=current_os_user())
        else:
            report = target_status(store, key)
    for line in report.lines():
        click.echo(line)


def _kind_ko(shown: str, kind: str, phase: str | None) -> str:
    """A stored document's kind as status shows it (`shown`); an evaluation whose targets
    are still being set says so ("평가 (목표 설정)"); a kind without phases never does."""
    entry = kinds.find(kind)
    if entry is None or not entry.phased or phase in (None, "평가"):
        return shown
    return f"{shown} ({phase})"


def main(argv: list[str] | None = None) -> None:
    """Console entry point: never shows a traceback unless XLGEN_DEBUG is set. Exit codes:
    0 success, 1 refused input or data, 2 command-line usage (see xlgen.cli_ko), 3 a fault."""
    console.setup()
    try:
        cli.main(args=argv, prog_name="xlgen")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("중단했습니다.", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence for the user
        if os.environ.get("XLGEN_DEBUG"):
            raise
        click.echo(
            f"오류: 예상하지 못한 문제가 생겼습니다 ({type(exc).__name__}: {exc}). "
            "XLGEN_DEBUG=1로 다시 실행하면 자세한 내용을 볼 수 있습니다.",
            err=True,
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
