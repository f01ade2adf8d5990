"""xlgen's command line: a thin click layer over the library.

Every command calls library functions; library errors (XlgenError) become a one-line
Korean message and exit code 1. No traceback reaches the user.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import XlgenError

EPILOG = "도움말: xlgen 명령 --help  (예: xlgen parse --help)"


def db_option(fn: Callable) -> Callable:
    """--db, shared by every command that touches the store."""
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="XLGEN_DB",
        default=None,
        help="저장소(SQLite) 파일 경로. 기본값: 환경변수 XLGEN_DB, 없으면 사용자 데이터 폴더의 xlgen/xlgen.sqlite",
    )(fn)


def seeds_option(fn: Callable) -> Callable:
    return click.option(
        "--seeds",
        "seeds_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="XLGEN_SEEDS",
        default=None,
        help="원본 문서 폴더 (기본값: 프로젝트의 seeds/). KEY마다 하위 폴더 하나.",
    )(fn)


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


def _open_store(db: Path | None):
    from .store import Store, default_db_path

    return Store.open(db or default_db_path())


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="xlgen %(version)s")
def cli() -> None:
    """xlgen — 성과관리 공식 문서(성과계획서, 주요사업 평가)를 엑셀 통합문서로 만들고,
    직원이 입력한 실적을 다시 가져옵니다.

    \b
    주요 명령:
      xlgen parse 파일...     문서를 읽어 기록(레코드)과 경고를 보여 줍니다
      xlgen load KEY          seeds/KEY 문서를 읽어 저장소에 넣습니다
      xlgen build KEY         KEY의 공식 엑셀 통합문서를 만듭니다 (out/KEY/)
      xlgen status            저장소에 들어 있는 문서 목록
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
    from .export import to_csv, to_json_obj, to_table
    from .seeds import parse_document_path

    objects = []
    for path in files:
        document, text, _ = parse_document_path(path)
        if fmt == "json":
            objects.append(to_json_obj(document, file=path.name, encoding=text.encoding))
        elif fmt == "csv":
            click.echo(to_csv(document), nl=False)
        else:
            click.echo(to_table(document, file=path.name))
    if fmt == "json":
        payload = objects[0] if len(objects) == 1 else objects
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


@cli.command(epilog=EPILOG)
@click.argument("key")
@click.option("--replace", is_flag=True, help="이미 저장된 KEY를 새로 읽은 내용으로 바꿉니다 (가져온 실적은 사라집니다). 없으면 이미 있는 KEY는 그대로 둡니다.")
@seeds_option
@db_option
@friendly
def load(key: str, replace: bool, seeds_dir: Path | None, db: Path | None) -> None:
    """seeds/KEY 폴더의 문서를 읽어 저장소에 넣습니다 (예: xlgen load 2019).

    이미 있는 KEY는 건드리지 않습니다 (--replace로 바꿀 수 있음).
    """
    from .seeds import parse_seed

    with _open_store(db) as store:
        if store.has(key) and not replace:
            click.echo(
                f"'{key}'는 이미 저장소에 있습니다 (리비전 {store.revision(key)}). 그대로 둡니다. "
                "문서를 다시 읽으려면 --replace를 붙이세요 (가져온 실적은 사라집니다)."
            )
            return
        seed = parse_seed(key, seeds_dir)
        revision = store.save_document(
            key,
            seed.document,
            source_name=seed.text.path.name,
            source_sha256=seed.sha256,
            encoding=seed.text.encoding,
        )
        click.echo(
            f"'{key}' 저장 완료: {seed.text.path.name} → {store.path} (리비전 {revision}, 경고 {len(seed.document.warnings)}건)"
        )


@cli.command(epilog=EPILOG)
@click.argument("key")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="출력 폴더 (기본값: 프로젝트의 out/). 파일은 out/KEY/ 아래에 생깁니다.")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="XLGEN_TEMPLATES", default=None, help="서식 폴더 (기본값: 프로젝트의 templates/).")
@seeds_option
@db_option
@friendly
def build(key: str, out_dir: Path | None, templates_dir: Path | None, seeds_dir: Path | None, db: Path | None) -> None:
    """KEY의 공식 엑셀 통합문서를 만듭니다 (예: xlgen build 2019).

    저장소에 KEY가 없으면 seeds/KEY 문서를 먼저 읽어 넣습니다. 수식(달성률, 국별 집계)은
    살아 있고, 부진 사업은 강조 표시됩니다. 실적·비고 칸만 입력할 수 있습니다.
    파일은 임시 파일에 쓴 뒤 바꿔 넣으므로, 실패해도 기존 파일이 깨지지 않습니다.
    """
    from .build import build as build_workbook

    with _open_store(db) as store:
        result = build_workbook(key, store=store, out_dir=out_dir, seeds_dir=seeds_dir, templates_dir=templates_dir)
    if result.parsed:
        click.echo(f"'{key}' 문서를 읽어 저장소에 넣었습니다 (경고 {len(result.document.warnings)}건).", err=True)
    click.echo(str(result.path))


@cli.command(epilog=EPILOG)
@db_option
@friendly
def status(db: Path | None) -> None:
    """저장소에 들어 있는 문서(KEY)와 리비전을 보여 줍니다."""
    with _open_store(db) as store:
        infos = store.keys()
        click.echo(f"저장소: {store.path}")
        if not infos:
            click.echo("저장된 문서가 없습니다. 예: xlgen load 2019")
        for info in infos:
            kind = "평가" if info.kind == "evaluation" else "성과계획"
            click.echo(
                f"  {info.key:<14} {kind:<5} {info.org or '기관 미상'} {info.year or '연도 미상'}"
                f"  리비전 {info.revision}  ({info.source_name})"
            )


def main(argv: list[str] | None = None) -> None:
    """Console entry point: never shows a traceback unless XLGEN_DEBUG is set."""
    try:
        cli.main(args=argv, prog_name="xlgen", standalone_mode=True)
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
        sys.exit(2)


if __name__ == "__main__":
    main()
