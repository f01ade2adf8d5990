"""A Ⅲ department table's column header names every column exactly: reference columns
("2019년 목표", next year's target form) are known and not read, an unknown or a doubled
column is refused with the table's line (and a PDF's page), never read with a shifted column."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hwpx_fixtures import Grid, evaluation_blocks, write_hwpx  # noqa: E402

from xlgen.cli import cli  # noqa: E402
from xlgen.errors import InputError  # noqa: E402
from xlgen.findings import Kind  # noqa: E402
from xlgen.model import Evaluation  # noqa: E402
from xlgen.parse import parse_file  # noqa: E402
from xlgen.seeds import load_corrections  # noqa: E402

from support import libreoffice as lo  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EVAL_SEED = ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt"

pytest.importorskip("hwpx")


@pytest.fixture(scope="module")
def eval_text() -> Evaluation:
    ev = parse_file(EVAL_SEED, corrections=load_corrections(EVAL_SEED))[0]
    assert isinstance(ev, Evaluation)
    return ev


def _rows(ev: Evaluation) -> list[tuple]:
    return [
        (d.name, p.name, i.name, i.unit, i.target, i.actual, i.stated_rate)
        for _, d, p, i in ev.indicator_rows()
    ]


def _with_columns(ev: Evaluation, extra: list[tuple[str, str]]) -> list:
    """The evaluation's blocks with columns (header, every data row's text) after 단위."""
    blocks = evaluation_blocks(ev)
    for block in blocks:
        if not isinstance(block, Grid) or block.rows[0][:2] != ["주요사업명", "성과지표"]:
            continue
        for r, row in enumerate(block.rows):
            row[3:3] = [head if r == 0 else value for head, value in extra]
        block.merges = [
            (r0, c0 + len(extra) * (c0 >= 3), r1, c1 + len(extra) * (c1 >= 3))
            for r0, c0, r1, c1 in block.merges
        ]
    return blocks


def test_reference_columns_are_named_and_not_read(tmp_path: Path, eval_text) -> None:
    path = write_hwpx(
        tmp_path / "평가.hwpx",
        _with_columns(eval_text, [("2019년\n목표", "7"), ("2019년 실적", "9")]),
    )
    ev = parse_file(path)[0]
    assert isinstance(ev, Evaluation)
    assert _rows(ev) == _rows(eval_text)
    [finding] = [w for w in ev.warnings if w.kind is Kind.REFERENCE_COLUMNS]
    assert finding.get("columns") == ("2019년 목표", "2019년 실적")
    assert "참고 열 '2019년 목표', '2019년 실적'" in finding.message


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ([("예산", "100")], "열 제목 '예산'은 알 수 없는 열입니다"),
        ([("목표", "7")], "열 제목 '목표'와 '목표'가 같은 열을 가리킵니다"),
        ([("2020년 목표(안)", "7")], "열 제목 '2020년 목표(안)'"),
        ([("", "7")], "제목 없는 4번째 열에 '7' 글이 있습니다"),
    ],
)
def test_an_unknown_or_doubled_column_is_refused(tmp_path: Path, eval_text, extra, says) -> None:
    path = write_hwpx(tmp_path / "평가.hwpx", _with_columns(eval_text, extra))
    with pytest.raises(InputError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert message.startswith("평가.hwpx: ")
    assert "행의 Ⅲ 부서별 표에서 " + says in message
    assert "읽지 않습니다" in message


@pytest.mark.libreoffice
def test_next_years_target_form_pdf_reads_this_years_columns(tmp_path: Path) -> None:
    """`xlgen pdf 2020` after `xlgen new 2020 --from 2019`: the form prints 2019's 목표 and
    실적 as reference columns and this year's empty; the read takes only this year's."""
    if lo.find_soffice() is None:
        pytest.skip("LibreOffice가 없습니다.")
    pytest.importorskip("pdfplumber")
    db = ["--db", str(tmp_path / "store.sqlite")]
    runner = CliRunner()
    for args in (["load", "2019"], ["new", "2020", "--from", "2019"]):
        result = runner.invoke(cli, [*args, *db])
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["pdf", "2020", "--out", str(tmp_path), *db])
    assert result.exit_code == 0, result.output
    pdf = Path(result.stdout.strip().splitlines()[-1])
    assert pdf.suffix == ".pdf" and "목표 설정" in pdf.name
    last = parse_file(EVAL_SEED, corrections=load_corrections(EVAL_SEED))[0]
    ev = parse_file(pdf)[0]
    assert isinstance(ev, Evaluation) and isinstance(last, Evaluation)
    assert [r[:4] for r in _rows(ev)] == [r[:4] for r in _rows(last)]
    assert all(i.target is None and i.actual is None for *_, i in ev.indicator_rows())
    assert any(w.kind is Kind.REFERENCE_COLUMNS for w in ev.warnings)
