"""The command line: exit codes, exact messages, help texts, README agreement."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlgen.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EVAL_SEED = ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt"
PLAN_SEED = ROOT / "seeds" / "plan-seogu" / "000_927cff7e11b514e0.txt"


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("XLGEN_DB", str(tmp_path / "store.sqlite"))
    return CliRunner()


def test_every_command_has_help(runner):
    for name, command in cli.commands.items():
        assert command.help, name
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "사용법:" in result.output  # issue 13: click's boilerplate in Korean


def test_readme_lists_exactly_the_cli_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `xlgen (\w+)", readme, flags=re.M))
    assert listed == set(cli.commands)


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("./setup.sh", ".venv/bin/python -m pytest"):
        assert command in readme
        assert command in ci


def test_parse_json_evaluation_shape(runner):
    result = runner.invoke(cli, ["parse", str(EVAL_SEED), "--format", "json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    assert obj["kind"] == "evaluation"
    assert obj["year"] == 2019 and obj["org"] == "영등포구"
    assert len(obj["indicators"]) == 244
    row = obj["indicators"][0]
    assert set(row) == {
        "bureau",
        "department",
        "project",
        "indicator",
        "unit",
        "target",
        "actual",
        "stated_rate",
        "direction",
        "line",
    }
    negative = [r for r in obj["indicators"] if r["indicator"] == "음식물류폐기물 감량실적"]
    assert negative[0]["actual"] == -231 and negative[0]["stated_rate"] == -31
    assert [s["projects"] for s in obj["summary"]] == [4, 14, 21, 18, 21, 16, 19, 22, 19]
    assert all(set(w) == {"line", "message"} for w in obj["warnings"])


def test_parse_json_plan_shape(runner):
    result = runner.invoke(cli, ["parse", str(PLAN_SEED), "--format", "json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    assert obj["kind"] == "plan" and obj["year"] is None
    assert len(obj["offices"]) == 10
    assert set(obj["goals"][0]) >= {"office", "strategic_goal", "budget", "share", "policy_goals"}
    assert set(obj["indicators"][0]) == {"office", "strategic_goal", "policy_goal", "indicator"}


def test_parse_two_files_gives_an_array(runner):
    result = runner.invoke(cli, ["parse", str(EVAL_SEED), str(PLAN_SEED), "--format", "json"])
    assert result.exit_code == 0
    assert [o["kind"] for o in json.loads(result.output)] == ["evaluation", "plan"]


def test_parse_table_and_csv(runner):
    table = runner.invoke(cli, ["parse", str(EVAL_SEED)])
    assert table.exit_code == 0
    assert "합계: 국 9, 부서 37, 사업 154, 지표 244" in table.output
    csv_out = runner.invoke(cli, ["parse", str(EVAL_SEED), "--format", "csv"])
    assert csv_out.exit_code == 0
    # issue 13: Korean headers after a BOM (the CSV is for Excel)
    assert csv_out.output.splitlines()[0].startswith("\ufeff국,부서,주요사업,성과지표")
    assert len(csv_out.output.splitlines()) == 245


def test_parse_missing_file(runner):
    result = runner.invoke(cli, ["parse", "/nonexistent/x.txt"])
    assert result.exit_code == 1
    assert result.output == "오류: /nonexistent/x.txt: 파일이 없습니다.\n"
    assert "Traceback" not in result.output


def test_parse_unknown_kind(runner, tmp_path):
    path = tmp_path / "memo.txt"
    path.write_text("회의록\n오늘은 비가 왔다.\n", encoding="utf-8")
    result = runner.invoke(cli, ["parse", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        "오류: memo.txt: 알 수 없는 문서입니다. 성과계획서(성과계획 총괄표)나 "
        "주요사업 평가 현황 문서의 텍스트가 아닙니다.\n"
    )


def test_parse_undecodable(runner, tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(bytes(range(128, 256)) * 4)
    result = runner.invoke(cli, ["parse", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("오류: bin.txt: 문자 인코딩을 판별할 수 없습니다")


def test_parse_cp949_copy_matches_utf8(runner, tmp_path):
    # What a CP949 file would hold: ▢ and ◦ do not exist there, nor do U+2024/U+2027.
    text = EVAL_SEED.read_text(encoding="utf-8")
    for src, dst in (("▢", "□"), ("◦", "○"), ("\u2024", "·"), ("\u2027", "·")):
        text = text.replace(src, dst)
    utf8 = tmp_path / "a" / "doc.txt"
    cp949 = tmp_path / "b" / "doc.txt"
    utf8.parent.mkdir()
    cp949.parent.mkdir()
    utf8.write_text(text, encoding="utf-8")
    cp949.write_bytes(text.replace("\n", "\r\n").encode("cp949"))
    a = json.loads(runner.invoke(cli, ["parse", str(utf8), "--format", "json"]).output)
    b = json.loads(runner.invoke(cli, ["parse", str(cp949), "--format", "json"]).output)
    assert b["encoding"] == "cp949"
    assert a["indicators"] == b["indicators"]


def test_load_and_status(runner, tmp_path):
    first = runner.invoke(cli, ["load", "2019"])
    assert first.exit_code == 0, first.output
    assert "'2019' 저장 완료" in first.output and "리비전 1" in first.output
    again = runner.invoke(cli, ["load", "2019"])
    assert again.exit_code == 0
    assert "이미 저장소에 있습니다 (리비전 1)" in again.output
    status = runner.invoke(cli, ["status"])
    assert status.exit_code == 0
    # issue 13: a table with a header (tab-separated when piped, as here)
    assert "문서 키\t종류\t기관\t연도\t리비전\t저장 시각\t원본 파일" in status.output
    assert re.search(
        r"^2019\t평가\t영등포구\t2019\t1\t\d{4}-\d\d-\d\d \d\d:\d\d\t", status.output, re.M
    )


def test_load_unknown_key(runner):
    result = runner.invoke(cli, ["load", "1999"])
    assert result.exit_code == 1
    assert result.output.startswith("오류: '1999'에 해당하는 seeds 폴더가 없습니다")
    assert "plan-seogu" in result.output
