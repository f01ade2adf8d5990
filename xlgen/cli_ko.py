"""click in Korean, through click's supported hooks only (nothing of click is patched).

- :class:`KoHelpFormatter` (``Context.formatter_class``): "사용법:" and Korean section
  headings (click's headings are its stable gettext message ids, mapped here).
- :class:`KoCommand` / :class:`KoGroup`: Korean usage pieces and metavars, the help
  option's text, ``[기본값: …]``, and unexpected extra arguments reported by type.
- :meth:`KoGroup.main` runs click with ``standalone_mode=False`` and turns every
  ``click.UsageError`` into one Korean message chosen by the error's type and attributes
  (never by its English text), with the usage line and a help hint.

Exit codes (documented in the README): 0 success, 1 refused input or data errors
(``click.ClickException``, which the CLI raises for every XlgenError), 2 command-line
usage errors (the Unix convention; click's ``UsageError.exit_code``).
"""

from __future__ import annotations

import difflib
import errno
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click
from click.exceptions import NoArgsIsHelpError

from .korean import josa
from .table import width, wrap

HELP_TEXT = "이 도움말을 보여 주고 끝냅니다."
VERSION_TEXT = "버전을 보여 주고 끝냅니다."
OPTIONS_METAVAR = "[옵션]"
SUBCOMMAND_METAVAR = "명령 [인수]..."

# click's section headings (its gettext message ids) → Korean.
HEADINGS = {
    "Options": "옵션",
    "Commands": "명령",
    "Positional arguments": "인수",
    "Arguments": "인수",
}
# Argument names shown in usage lines; names missing here are shown as click makes them.
ARGUMENT_NAMES = {"files": "파일", "file": "파일", "key": "KEY", "keys": "KEY"}
# Path types' own names ("file", "directory", "path") as metavars.
PATH_METAVARS = {"file": "파일", "directory": "폴더", "path": "경로"}
TYPE_METAVARS = {"text": "글자", "integer": "정수", "float": "숫자", "boolean": "참/거짓"}


class KoHelpFormatter(click.HelpFormatter):
    """Help pages with Korean boilerplate."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "사용법: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))

    def write_text(self, text: str) -> None:
        """Paragraphs re-wrapped by display width; a paragraph that starts with a line
        holding only \\b keeps its lines as written (click's convention)."""
        indent = " " * self.current_indent
        out: list[str] = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if lines and lines[0].strip() == "\b":
                out.append("\n".join(indent + line for line in lines[1:]))
            else:
                size = max(self.width - self.current_indent, 20)
                out.append("\n".join(indent + line for line in wrap(paragraph, size)))
        self.write("\n\n".join(out) + "\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        """click's definition list, measured by display width (Hangul takes two columns)."""
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(width(a) for a, _ in rows), col_max) + col_spacing
        indent = " " * self.current_indent
        text_width = max(self.width - first_col - self.current_indent - 2, 10)
        for first, second in rows:
            self.write(indent + first)
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, text_width)
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")


class KoContext(click.Context):
    formatter_class = KoHelpFormatter


class UnknownCommand(click.UsageError):
    """A command name the group does not have (click >= 8.4 has NoSuchCommand; this is
    raised from resolve_command so that every click version reports it by type)."""

    def __init__(self, name: str, possibilities: Sequence[str], ctx: click.Context) -> None:
        super().__init__(name, ctx)
        self.command_name = name
        self.possibilities = difflib.get_close_matches(name, possibilities)


class ExtraArguments(click.UsageError):
    """Arguments left over after a command took what it accepts."""

    def __init__(self, extra: Sequence[str], ctx: click.Context | None = None) -> None:
        super().__init__(" ".join(extra), ctx)
        self.extra = list(extra)


class OptionConflict(click.UsageError):
    """Options that do not go together, or one that needs another (its message is Korean,
    written by the command). Raised inside a command: its usage line is shown too."""

    def __init__(self, message: str, ctx: click.Context | None = None) -> None:
        super().__init__(message, ctx or click.get_current_context(silent=True))


def _metavar(param: click.Parameter) -> None:
    """Give arguments and options Korean metavars unless the command set its own."""
    if param.metavar is not None:
        return
    if isinstance(param, click.Argument):
        name = ARGUMENT_NAMES.get(param.name or "")
        if name:
            param.metavar = name + ("..." if param.nargs != 1 else "")
        return
    if isinstance(param.type, click.Path):
        param.metavar = PATH_METAVARS.get(param.type.name)
    elif isinstance(param, click.Option) and not param.is_flag:
        name = TYPE_METAVARS.get(param.type.name)
        if name:
            param.metavar = name


def _help_extra(param: click.Option, ctx: click.Context) -> str:
    """``[기본값: table]``, ``[필수]`` in place of click's English brackets."""
    get_extra = getattr(param, "get_help_extra", None)
    if get_extra is None:  # click < 8.2: no structured extras to translate
        return ""
    extra = get_extra(ctx)
    items = []
    if "envvars" in extra:
        items.append(f"환경변수: {', '.join(extra['envvars'])}")
    if "default" in extra:
        items.append(f"기본값: {extra['default']}")
    if "range" in extra:
        items.append(f"범위: {extra['range']}")
    if "required" in extra:
        items.append("필수")
    return f"[{'; '.join(items)}]" if items else ""


class KoCommand(click.Command):
    """A command whose help page and usage errors are Korean."""

    context_class = KoContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        for param in self.params:
            _metavar(param)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or isinstance(param, click.Argument):
                continue
            if isinstance(param, click.Option):
                text = " ".join((param.help or "").split())
                extra = _help_extra(param, ctx)
                record = (record[0], f"{text}  {extra}" if text and extra else text or extra)
            rows.append(record)
        if rows:
            with formatter.section("옵션"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            if isinstance(self, click.Group):
                return super().parse_args(ctx, args)
            allowed = ctx.allow_extra_args
            ctx.allow_extra_args = True  # so that leftovers reach the check below, by type
            try:
                rest = super().parse_args(ctx, args)
            finally:
                ctx.allow_extra_args = allowed
        except click.UsageError as exc:
            if exc.ctx is None:  # the option parser raises without a context
                exc.ctx, exc.cmd = ctx, self  # type: ignore[misc]
            raise
        if rest and not allowed and not ctx.resilient_parsing:
            raise ExtraArguments(rest, ctx)
        return rest


class KoGroup(KoCommand, click.Group):
    """The xlgen group: Korean help, Korean subcommands, Korean usage errors."""

    command_class = KoCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, click.Option) and "--version" in param.opts:
                param.help = VERSION_TEXT

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if (
            args
            and not ctx.resilient_parsing
            and not name.startswith("-")
            and self.get_command(ctx, name) is None
            and (
                ctx.token_normalize_func is None
                or self.get_command(ctx, ctx.token_normalize_func(name)) is None
            )
        ):
            raise UnknownCommand(name, self.list_commands(ctx), ctx)
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's main without standalone mode; errors are shown in Korean here."""
        argv = list(sys.argv[1:] if args is None else args)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:
            if not standalone_mode:
                raise
            click.echo(exc.ctx.get_help(), err=True)
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            if not standalone_mode:
                raise click.UsageError(usage_message(exc, argv), exc.ctx) from exc
            show_usage_error(exc, argv)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            if not standalone_mode:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            if not standalone_mode:
                raise
            click.echo("중단했습니다.", err=True)
            sys.exit(1)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            # The reader went away (`xlgen parse … | head`): stop quietly, as click does.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


def show_usage_error(exc: click.UsageError, argv: Sequence[str] = ()) -> None:
    """The usage line, a help hint and the Korean message, on standard error."""
    ctx = exc.ctx
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        names = ctx.command.get_help_option_names(ctx)
        if names and ctx.command.add_help_option:
            click.echo(f"도움말: {ctx.command_path} {max(names, key=len)}", err=True)
    click.echo(f"오류: {usage_message(exc, argv)}", err=True)


def _param_label(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if param is None:
        return "값"
    if isinstance(param, click.Argument):
        shown = param.make_metavar(ctx) if ctx is not None else (param.name or "").upper()
        return f"인수 {shown.strip('[]').removesuffix('...')}"
    return f"옵션 '{max(param.opts, key=len)}'" if param.opts else "옵션"


def _given(param: click.Parameter, argv: Sequence[str]) -> str | None:
    """What the user typed for an option (``--format xml`` or ``--format=xml``)."""
    opts = getattr(param, "opts", []) + getattr(param, "secondary_opts", [])
    for i, token in enumerate(argv):
        for opt in opts:
            if token == opt and i + 1 < len(argv):
                return argv[i + 1]
            if token.startswith(opt + "=") and opt.startswith("--"):
                return token[len(opt) + 1 :]
            if not opt.startswith("--") and token.startswith(opt) and len(token) > len(opt):
                return token[len(opt) :]
    return None


def _choices(param: click.Parameter) -> str:
    return ", ".join(str(c) for c in getattr(param.type, "choices", ()))


def _find_option(ctx: click.Context | None, name: str) -> click.Option | None:
    if ctx is None:
        return None
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def usage_message(exc: click.UsageError, argv: Sequence[str] = ()) -> str:
    """One Korean sentence for a usage error, chosen by its type and attributes."""
    ctx = exc.ctx
    if isinstance(exc, click.NoSuchOption):
        text = f"{josa(repr(exc.option_name), '이라는')} 옵션은 없습니다."
        if exc.possibilities:
            text += f" 혹시 {', '.join(sorted(exc.possibilities))}?"
        return text
    if isinstance(exc, click.BadOptionUsage):
        option = _find_option(ctx, exc.option_name)
        if option is not None and (option.is_flag or option.count):
            return f"옵션 '{exc.option_name}'에는 값을 붙이지 않습니다."
        return f"옵션 '{exc.option_name}'에 값이 필요합니다."
    if isinstance(exc, click.MissingParameter):
        label = _param_label(exc.param, ctx)
        text = f"{josa(label, '이/가')} 빠졌습니다."
        if exc.param is not None and isinstance(exc.param.type, click.Choice):
            text += f" 고를 수 있는 값: {_choices(exc.param)}"
        return text
    if isinstance(exc, click.BadParameter):
        param = exc.param
        label = _param_label(param, ctx)
        value = _given(param, argv) if param is not None else None
        subject = f"{label}의 값 {josa(repr(value), '은/는')}" if value else f"{label}의 값은"
        kind = getattr(param, "type", None)
        if isinstance(kind, click.Choice) and param is not None:
            return f"{subject} 쓸 수 없습니다. 고를 수 있는 값: {_choices(param)}"
        if isinstance(kind, click.Path):
            what = PATH_METAVARS.get(kind.name, "경로")
            return f"{subject} 쓸 수 없습니다. {what} 경로를 확인하세요."
        if isinstance(kind, click.types.IntParamType):
            return f"{subject} 정수가 아닙니다."
        if isinstance(kind, click.types.FloatParamType):
            return f"{subject} 숫자가 아닙니다."
        return f"{subject} 올바르지 않습니다."
    no_such_command = getattr(click.exceptions, "NoSuchCommand", UnknownCommand)
    if isinstance(exc, (UnknownCommand, no_such_command)):
        text = f"{josa(repr(exc.command_name), '이라는')} 명령은 없습니다."
        if exc.possibilities:
            text += f" 혹시 {', '.join(exc.possibilities)}?"
        elif ctx is not None and isinstance(ctx.command, click.Group):
            text += f" 있는 명령: {', '.join(ctx.command.list_commands(ctx))}"
        return text
    if isinstance(exc, OptionConflict):
        return exc.message
    if isinstance(exc, ExtraArguments):
        return f"필요 없는 인수가 더 있습니다: {' '.join(exc.extra)}"
    if isinstance(exc, click.BadArgumentUsage):
        return "인수의 개수가 맞지 않습니다."
    if ctx is not None and isinstance(ctx.command, click.Group) and not ctx.invoked_subcommand:
        return "명령이 빠졌습니다."
    return "명령줄을 이해하지 못했습니다."
