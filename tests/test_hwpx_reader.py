"""The HWPX reader (xlgen.sources.hwpx) against python-hwpx on real Hancom files, and on
hostile files made here: each is refused with a Korean message, exit 1, in bounded time."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlgen.cli import cli
from xlgen.errors import InputError
from xlgen.sources import hwpx as reader
from xlgen.sources.hwpx import read_hwpx

# Copies of the real Hancom-saved files live in the repository, so CI always runs these tests.
REAL = Path(__file__).resolve().parent / "data" / "hwpx"
REAL_FILES = sorted(REAL.glob("*.hwpx")) if REAL.is_dir() else []

NS = (
    'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
    'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"'
)


def _reference_grids(path: Path) -> list[list[list[str]]]:
    """Every table's grid as python-hwpx resolves it (nested tables after their outer)."""
    from hwpx.document import HwpxDocument

    def tables(paragraphs):
        for p in paragraphs:
            for t in p.tables:
                yield t
                for row in t.rows:
                    for cell in row.cells:
                        yield from tables(cell.paragraphs)

    doc = HwpxDocument.open(str(path))
    return [
        [[_ws(e.cell.text) for e in row] for row in t.get_cell_map()]
        for s in doc.sections
        for t in tables(s.paragraphs)
    ]


def _ws(text: str) -> str:
    return "".join(text.split())


@pytest.mark.skipif(not REAL_FILES, reason="tests/data/hwpx (real Hancom files) not present")
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_files_match_python_hwpx(path: Path) -> None:
    want = _reference_grids(path)
    started = time.perf_counter()
    doc = read_hwpx(path)
    assert time.perf_counter() - started < 5
    got = [[[_ws(text) for text in row] for row in t.texts()] for t in doc.tables]
    assert len(got) == len(want) > 0
    assert got == want
    for table in doc.tables:  # no holes, and every merged cell is at every position it covers
        for cell in table.cells:
            for r in range(cell.row, cell.row + cell.row_span):
                for c in range(cell.col, cell.col + cell.col_span):
                    assert table.grid[r][c] is cell
        assert all(c is not None for row in table.grid for c in row)


@pytest.mark.skipif(not REAL_FILES, reason="tests/data/hwpx (real Hancom files) not present")
def test_real_merged_cell_counts() -> None:
    # the counts the files' README states (tables, merged cells)
    expected = {
        "seoul_sihaengmun.hwpx": (4, 60),
        "mfds_admin_notice.hwpx": (3, 80),
        "public_official_table.hwpx": (11, 19),
        "form_002.hwpx": (15, 358),
        "30_table_merge_min.hwpx": (1, 2),
    }
    for path in REAL_FILES:
        if path.name in expected:
            doc = read_hwpx(path)
            merged = sum(1 for t in doc.tables for c in t.cells if c.row_span * c.col_span > 1)
            assert (len(doc.tables), merged) == expected[path.name], path.name


# --------------------------------------------------------------------------- hostile files


def _cell(row: int, col: int, text: str = "x", rs: int | str = 1, cs: int | str = 1) -> str:
    return (
        f"<hp:tc><hp:subList><hp:p><hp:run><hp:t>{text}</hp:t></hp:run></hp:p></hp:subList>"
        f'<hp:cellAddr colAddr="{col}" rowAddr="{row}"/>'
        f'<hp:cellSpan colSpan="{cs}" rowSpan="{rs}"/></hp:tc>'
    )


def _table(rows: int, cols: int, body: str) -> str:
    return f'<hp:p><hp:run><hp:tbl rowCnt="{rows}" colCnt="{cols}">{body}</hp:tbl></hp:run></hp:p>'


def _section(body: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<hs:sec {NS}>{body}</hs:sec>').encode()


def _package(path: Path, section: bytes, *, mimetype: bytes = b"application/hwp+zip") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("Contents/section0.xml", section)
    return path


def _refused(path: Path, *words: str) -> str:
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        read_hwpx(path)
    assert time.perf_counter() - started < 10  # bounded, on a shared machine
    message = str(info.value)
    assert message.startswith(path.name + ":"), message
    for word in words:
        assert word in message, message
    return message


def test_a_small_table_reads(tmp_path: Path) -> None:
    body = "<hp:p><hp:run><hp:t>▢ 부서</hp:t></hp:run></hp:p>" + _table(
        2,
        2,
        "<hp:tr>"
        + _cell(0, 0, "가", rs=2)
        + _cell(0, 1, "나")
        + "</hp:tr><hp:tr>"
        + _cell(1, 1, "다<hp:lineBreak/>라")
        + "</hp:tr>",
    )
    doc = read_hwpx(_package(tmp_path / "ok.hwpx", _section(body)))
    assert [b.text for b in doc.blocks if not hasattr(b, "grid")] == ["▢ 부서"]
    [table] = doc.tables
    assert table.texts() == [["가", "나"], ["가", "다\n라"]]


def test_span_of_a_billion_rows(tmp_path: Path) -> None:
    body = _table(2, 2, "<hp:tr>" + _cell(0, 0, rs=1_000_000_000) + "</hp:tr>")
    _refused(_package(tmp_path / "span.hwpx", _section(body)), "병합", "밖으로")


def test_table_of_a_billion_rows(tmp_path: Path) -> None:
    body = _table(1_000_000_000, 2, "<hp:tr>" + _cell(0, 0) + "</hp:tr>")
    _refused(_package(tmp_path / "rows.hwpx", _section(body)), "크기가 비정상적")


def test_overlapping_spans(tmp_path: Path) -> None:
    body = _table(2, 2, "<hp:tr>" + _cell(0, 0, rs=2, cs=2) + _cell(1, 1) + "</hp:tr>")
    _refused(_package(tmp_path / "overlap.hwpx", _section(body)), "겹칩니다", "2행 2열")


def test_address_outside_the_table(tmp_path: Path) -> None:
    body = _table(2, 2, "<hp:tr>" + _cell(5, 0) + "</hp:tr>")
    _refused(_package(tmp_path / "addr.hwpx", _section(body)), "밖에 있습니다")


@pytest.mark.parametrize("bad", ["-1", "0", "x", "9" * 40])
def test_bad_span_values(tmp_path: Path, bad: str) -> None:
    body = _table(2, 2, "<hp:tr>" + _cell(0, 0, rs=bad) + "</hp:tr>")
    _refused(_package(tmp_path / "bad.hwpx", _section(body)), "표 1")


def test_dtd_and_entities(tmp_path: Path) -> None:
    laughs = (
        '<!DOCTYPE hs:sec [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    _refused(
        _package(
            tmp_path / "dtd.hwpx",
            _section("<hp:p><hp:run><hp:t>&c;</hp:t></hp:run></hp:p>", laughs),
        ),
        "DTD/ENTITY",
    )
    external = '<!DOCTYPE hs:sec [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    _refused(
        _package(
            tmp_path / "ext.hwpx",
            _section("<hp:p><hp:run><hp:t>&x;</hp:t></hp:run></hp:p>", external),
        ),
        "DTD/ENTITY",
    )


def test_deep_nesting(tmp_path: Path) -> None:
    body = "<hp:x>" * 5_000 + "</hp:x>" * 5_000
    _refused(_package(tmp_path / "deep.hwpx", _section(body)), "깊게")


def test_tables_nested_too_deep(tmp_path: Path) -> None:
    inner = _table(1, 1, "<hp:tr>" + _cell(0, 0) + "</hp:tr>")
    for _ in range(12):
        inner = _table(
            1,
            1,
            "<hp:tr><hp:tc><hp:subList>" + inner + '</hp:subList><hp:cellAddr colAddr="0" '
            'rowAddr="0"/><hp:cellSpan colSpan="1" rowSpan="1"/></hp:tc></hp:tr>',
        )
    _refused(_package(tmp_path / "nested.hwpx", _section(inner)), "표 안의 표")


def test_too_many_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_CELLS", 50)
    rows = "".join(
        "<hp:tr>" + "".join(_cell(r, c) for c in range(10)) + "</hp:tr>" for r in range(10)
    )
    _refused(_package(tmp_path / "cells.hwpx", _section(_table(10, 10, rows))), "50")


def test_too_many_positions(tmp_path: Path) -> None:
    tables = "".join(_table(1000, 1000, "") for _ in range(5))
    _refused(_package(tmp_path / "positions.hwpx", _section(tables)), "넘습니다")


def test_zip_bomb(tmp_path: Path) -> None:
    section = _section("<hp:p><hp:run><hp:t>" + " " * (8 << 20) + "</hp:t></hp:run></hp:p>")
    _refused(_package(tmp_path / "bomb.hwpx", section), "비정상적으로 압축")


def test_inflated_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_TOTAL_BYTES", 1000)
    section = _section("<hp:p><hp:run><hp:t>" + "가나다" * 1000 + "</hp:t></hp:run></hp:p>")
    _refused(_package(tmp_path / "big.hwpx", section), "너무 큽니다")


def test_broken_xml_and_zip(tmp_path: Path) -> None:
    _refused(_package(tmp_path / "xml.hwpx", b"<hs:sec><hp:p>"), "손상된", "section0.xml")
    good = _package(
        tmp_path / "good.hwpx", _section(_table(1, 1, "<hp:tr>" + _cell(0, 0) + "</hp:tr>"))
    )
    data = bytearray(good.read_bytes())
    at = data.find(b"Contents/section0.xml") + 40
    data[at : at + 20] = b"\x00" * 20
    broken = tmp_path / "zip.hwpx"
    broken.write_bytes(bytes(data))
    _refused(broken, "손상된")


def test_not_hwpx(tmp_path: Path) -> None:
    _refused(
        _package(tmp_path / "mime.hwpx", _section(""), mimetype=b"application/epub+zip"), "epub"
    )
    other = tmp_path / "other.hwpx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    _refused(other, "HWPX 문서가 아닙니다")
    text = tmp_path / "text.hwpx"
    text.write_text("그냥 글", encoding="utf-8")
    _refused(text, "zip 형식이 아닙니다")


def test_cli_refuses_with_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XLGEN_DB", str(tmp_path / "store.sqlite"))
    body = _table(2, 2, "<hp:tr>" + _cell(0, 0, rs=1_000_000_000) + "</hp:tr>")
    path = _package(tmp_path / "span.hwpx", _section(body))
    result = CliRunner().invoke(cli, ["parse", str(path)])
    assert result.exit_code == 1
    assert "span.hwpx" in result.output and "병합" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "store.sqlite").exists()
