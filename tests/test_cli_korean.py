"""The command line speaks Korean: help pages, click's own usage errors, exit codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlgen.cli import cli

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = re.compile(
    r"Usage:|Options:|Commands:|Arguments:|Show this message|Show the version|Error:|"
    r"No such|Missing|Invalid value|Try '|for help|Got unexpected|requires an argument|"
    r"does not take|is not one of|default:|required\]|\[OPTIONS\]|COMMAND|\bFILES?\b|"
    r"\bPATH\b|DIRECTORY|TEXT\b"
)
COMMANDS = sorted(cli.commands)


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("XLGEN_DB", str(tmp_path / "store.sqlite"))
    return CliRunner()


def _no_english(text: str) -> None:
    found = ENGLISH.search(text)
    assert found is None, f"English boilerplate {found.group()!r} in:\n{text}"


@pytest.mark.parametrize("args", [[], *([name] for name in COMMANDS)])
def test_help_is_korean(runner, args):
    result = runner.invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"사용법: xlgen {' '.join(args)}".rstrip() + " ")
    assert "옵션:" in result.output and "이 도움말을 보여 주고 끝냅니다." in result.output
    _no_english(result.output)


def test_group_help_lists_commands_in_korean(runner):
    result = runner.invoke(cli, ["-h"])
    assert "명령:" in result.output and "--version   버전을 보여 주고 끝냅니다." in result.output
    assert "사용법: xlgen [옵션] 명령 [인수]..." in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_unknown_option_is_a_korean_usage_error(runner, name):
    result = runner.invoke(cli, [name, "--no-such-thing"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"사용법: xlgen {name} [옵션]")
    assert lines[1] == f"도움말: xlgen {name} --help"
    assert lines[-1] == "오류: '--no-such-thing'이라는 옵션은 없습니다."
    _no_english(result.output)


# (arguments, the exact Korean message)
BAD = [
    (["bogus"], "'bogus'라는 명령은 없습니다. 있는 명령: " + ", ".join(COMMANDS)),
    (["pars", "x"], "'pars'라는 명령은 없습니다. 혹시 parse?"),
    (["load"], "인수 KEY가 빠졌습니다."),
    (["history"], "인수 KEY가 빠졌습니다."),
    (["undo"], "인수 KEY가 빠졌습니다."),
    (["build"], "인수 KEY가 빠졌습니다."),
    (["parse"], "인수 파일이 빠졌습니다."),
    (["import"], "인수 파일이 빠졌습니다."),
    (
        ["parse", "--format", "xml", "x.txt"],
        "옵션 '--format'의 값 'xml'은 쓸 수 없습니다. 고를 수 있는 값: json, csv, table",
    ),
    (
        ["import", "--format=csv", "x.xlsx"],
        "옵션 '--format'의 값 'csv'는 쓸 수 없습니다. 고를 수 있는 값: text, json",
    ),
    (["parse", "x.txt", "--format"], "옵션 '--format'에 값이 필요합니다."),
    (["load", "--replace=yes", "2019"], "옵션 '--replace'에는 값을 붙이지 않습니다."),
    # issue 14: status takes an optional KEY, so the extra argument is the second one
    (["status", "2019", "extra"], "필요 없는 인수가 더 있습니다: extra"),
    (["load", "2019", "2020", "2021"], "필요 없는 인수가 더 있습니다: 2020 2021"),
    (["--bogus"], "'--bogus'라는 옵션은 없습니다."),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_usage_errors_exit_2_with_one_korean_message(runner, args, message):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("오류: ")
    if message is not None:
        assert last == f"오류: {message}"
    _no_english(result.output)


def test_refused_input_exits_1(runner, tmp_path):
    result = runner.invoke(cli, ["parse", str(tmp_path / "없는파일.txt")])
    assert result.exit_code == 1
    assert result.output.startswith("오류: ")
    _no_english(result.output)
    folder = tmp_path / "저장소"
    folder.mkdir()
    result = runner.invoke(cli, ["build", "2019", "--db", str(folder)])  # a folder
    assert result.exit_code == 1
    assert result.output.startswith(f"오류: --db에 준 저장소 경로 {folder}는 폴더입니다.")
    _no_english(result.output)


def test_installed_command_speaks_korean():
    """Through the console entry point (xlgen.cli.main), as a user runs it."""
    proc = subprocess.run(
        [sys.executable, "-c", "from xlgen.cli import main; main()", "bogus"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("오류: 'bogus'라는 명령은 없습니다.")
    _no_english(proc.stderr)
    proc = subprocess.run(
        [sys.executable, "-c", "from xlgen.cli import main; main()"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
    )
    assert proc.returncode == 2 and "사용법: xlgen" in proc.stderr
    _no_english(proc.stderr)


def test_read_only_commands_never_create_a_store(tmp_path):
    db = tmp_path / "sub" / "none.sqlite"
    run = CliRunner().invoke
    env = {"XLGEN_DB": str(db)}
    status = run(cli, ["status"], env=env)
    assert status.exit_code == 0 and "저장된 문서가 없습니다" in status.output
    for args in (["history", "2019"], ["undo", "2019"], ["import", "--dry-run", "a.xlsx"]):
        result = run(cli, args, env=env)
        assert result.exit_code == 1, args
        assert (
            result.output.strip()
            == f"오류: 저장소 파일이 없습니다: {db}. 먼저 문서를 넣으세요 (예: xlgen load 2019)."
        )
    assert not db.exists() and not db.parent.exists()


def test_history_shows_local_times_once_stated(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Seoul")
    time.tzset()
    try:
        env = {"XLGEN_DB": str(tmp_path / "s.sqlite")}
        assert CliRunner().invoke(cli, ["load", "2019"], env=env).exit_code == 0
        out = CliRunner().invoke(cli, ["history", "2019"], env=env).output
    finally:
        monkeypatch.undo()
        time.tzset()
    assert out.splitlines()[0] == "'2019' 이력 (현재 리비전 1, 시각은 한국 표준시(UTC+9))"
    assert re.search(r"문서 읽기  \d{4}-\d\d-\d\d \d\d:\d\d  ", out)
    assert "+00:00" not in out and "T" not in out.splitlines()[1].split("문서 읽기")[1][:20]


def test_parse_of_a_workbook_points_to_import(tmp_path):
    import xlsxwriter

    book = tmp_path / "총무과 실적"  # told by content, not by the name
    wb = xlsxwriter.Workbook(str(book))
    wb.add_worksheet().write(0, 0, "x")
    wb.close()
    result = CliRunner().invoke(cli, ["parse", str(book)], env={"XLGEN_DB": str(tmp_path / "s")})
    assert result.exit_code == 1
    assert result.output.startswith("오류: 총무과 실적: 엑셀 통합문서(.xlsx)입니다.")
    assert "xlgen import 총무과 실적" in result.output
    assert not (tmp_path / "s").exists()


def test_seed_folder_naming_another_year_is_warned(tmp_path):
    from xlgen.build import build
    from xlgen.store import Store

    seeds = tmp_path / "seeds"
    (seeds / "2020").mkdir(parents=True)
    for f in (ROOT / "seeds" / "2019").iterdir():
        (seeds / "2020" / f.name).write_bytes(f.read_bytes())
    expected = (
        "seeds 폴더 '2020'의 문서는 2019년 문서입니다 (폴더 이름은 2020년). "
        "문서가 맞는지, 폴더 이름을 '2019'로 바꿔야 하는지 확인하세요."
    )
    env = {"XLGEN_DB": str(tmp_path / "a.sqlite")}
    result = CliRunner().invoke(cli, ["load", "2020", "--seeds", str(seeds)], env=env)
    assert result.exit_code == 0 and f"주의: {expected}" in result.output
    with Store.open(tmp_path / "b.sqlite") as store:
        built = build("2020", store=store, seeds_dir=seeds, out_dir=tmp_path / "out")
    assert built.notices == [expected]
    assert any(w.message == expected for w in built.document.warnings)
    # the key that matches says nothing
    result = CliRunner().invoke(cli, ["load", "2019"], env=env)
    assert "주의" not in result.output


def test_settings_sheet_is_korean_with_local_time(tmp_path, monkeypatch):
    import time

    import openpyxl

    from xlgen.build import build
    from xlgen.store import Store

    monkeypatch.setenv("TZ", "Asia/Seoul")
    time.tzset()
    try:
        with Store.open(tmp_path / "s.sqlite") as store:
            path = build("2019", store=store, out_dir=tmp_path / "out").path
    finally:
        monkeypatch.undo()
        time.tzset()
    ws = openpyxl.load_workbook(path, read_only=True)["설정"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=6, max_col=2, values_only=True) if r[0]}
    assert list(rows) == [
        "문서",
        "기관",
        "연도",
        "문서 키",
        "저장소 리비전",
        "원본 파일",
        "만든 시각",
        "프로그램 버전",
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \(한국 표준시\(UTC\+9\)\)", rows["만든 시각"])
    assert rows["문서 키"] == "2019"
