"""CSV for Korean Excel: BOM, Korean headers, computed 달성률/판정, one header for all files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from xlgen.cli import cli
from xlgen.export import EVALUATION_COLUMNS, to_csv
from xlgen.model import Bureau, Department, Direction, Evaluation, Indicator, Project
from xlgen.rules import indicator_rate

ROOT = Path(__file__).resolve().parent.parent
EVAL_SEED = ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt"
PLAN_SEED = ROOT / "seeds" / "plan-seogu" / "000_927cff7e11b514e0.txt"


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _invoke(*args: str, tmp_path: Path):
    result = CliRunner().invoke(cli, ["parse", *args], env={"XLGEN_DB": str(tmp_path / "s.sqlite")})
    assert result.exit_code == 0, result.output
    return result


def test_seed_csv_for_excel(tmp_path):
    out = _invoke(str(EVAL_SEED), "--format", "csv", tmp_path=tmp_path).output
    rows = _rows(out)
    assert list(rows[0]) == list(EVALUATION_COLUMNS)
    assert len(rows) == 244
    # 달성률 is computed (not copied from print): 도로조명시설물 정비 100/205 printed 204
    lamp = [r for r in rows if r["성과지표"].startswith("도로조명시설물")]
    assert lamp and all(r["달성률"] != r["인쇄된 달성률"] for r in lamp)
    for r in rows:
        target = float(r["목표"]) if r["목표"] else None
        actual = float(r["실적"]) if r["실적"] else None
        rate = indicator_rate(target, actual, Direction(r["방향"]))
        assert r["달성률"] == ("" if rate is None else str(int(rate)))
    # the domain notes: 154 projects, 3 부진 (one each in three bureaus)
    projects = {(r["부서"], r["주요사업"]): r for r in rows}
    assert len(projects) == 154
    weak = [r for r in projects.values() if r["판정"] == "부진"]
    assert sorted(r["국"] for r in weak) == sorted({r["국"] for r in weak})
    assert len(weak) == 3
    assert all(float(r["사업 달성률"]) <= 80 for r in weak)
    assert "△" not in out  # numbers are numbers for Excel
    assert any(r["실적"] == "-231" for r in rows)


def test_several_files_one_header_and_a_document_column(tmp_path):
    copy = tmp_path / "copy" / EVAL_SEED.name
    copy.parent.mkdir()
    copy.write_bytes(EVAL_SEED.read_bytes())
    out = _invoke(str(EVAL_SEED), str(copy), "--format", "csv", tmp_path=tmp_path).output
    assert out.count("\ufeff") == 1
    assert out.count("국,부서,주요사업") == 1
    rows = _rows(out)
    assert list(rows[0])[0] == "문서" and len(rows) == 488
    assert {r["문서"] for r in rows} == {EVAL_SEED.name}


def test_mixed_kinds_are_refused(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["parse", str(EVAL_SEED), str(PLAN_SEED), "--format", "csv"],
        env={"XLGEN_DB": str(tmp_path / "s.sqlite")},
    )
    assert result.exit_code == 1
    assert result.output.startswith("오류: 평가 문서와 성과계획 문서는")


def test_plan_csv(tmp_path):
    rows = _rows(_invoke(str(PLAN_SEED), "--format", "csv", tmp_path=tmp_path).output)
    assert list(rows[0]) == ["실국", "전략목표", "정책사업목표", "성과지표"]


def test_formula_text_is_neutralised():
    doc = Evaluation("평가", "구", 2019)
    project = Project('=HYPERLINK("x")', [Indicator("+1 지표", "건", 10, 9)])
    doc.bureaus = [Bureau("@국", [Department("-부서", [project])])]
    rows = _rows(to_csv([("a.txt", doc)]))
    assert rows[0]["주요사업"] == '\'=HYPERLINK("x")'
    assert rows[0]["성과지표"] == "'+1 지표" and rows[0]["국"] == "'@국"
    assert rows[0]["부서"] == "'-부서"
    assert rows[0]["달성률"] == "90" and rows[0]["판정"] == "정상추진"


def test_json_stays_machine_oriented(tmp_path):
    out = _invoke(str(EVAL_SEED), "--format", "json", tmp_path=tmp_path).output
    assert not out.startswith("\ufeff")
    assert "bureau" in json.loads(out)["indicators"][0]
