"""PDF documents give the same records as their text: xlgen's own printed workbooks
(`xlgen pdf`), and the cell-text rules. Also the refusals: a PDF
of something else, a damaged PDF, a huge page count; and the text fallback."""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_hwpx_records import (  # noqa: E402
    EVAL_SEED,
    PLAN_SEED,
    _findings,
    _text,
    evaluation_records,
    plan_records,
)

from xlgen.cli import cli  # noqa: E402
from xlgen.errors import InputError  # noqa: E402
from xlgen.findings import Kind  # noqa: E402
from xlgen.model import Evaluation, Plan  # noqa: E402
from xlgen.parse import parse_file  # noqa: E402
from xlgen.sources import pdf as pdfsource  # noqa: E402

from support import libreoffice as lo  # noqa: E402

pytest.importorskip("pdfplumber")
needs_lo = pytest.mark.skipif(lo.find_soffice() is None, reason="LibreOffice(soffice)가 없습니다.")


def _numeric(records: dict) -> dict:
    """Records with numbers compared by value: a print shows 97 as "97.0" when its column
    has one decimal, so a PDF cannot tell 97 from 97.0 (the text and HWPX paths can)."""
    out = dict(records)
    if "rows" in out:
        out["rows"] = [
            tuple(
                float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in eval(r)
            )
            for r in out["rows"]
        ]
    return out


@pytest.fixture(scope="session")
def eval_text() -> Evaluation:
    return _text(EVAL_SEED)


@pytest.fixture(scope="session")
def plan_text() -> Plan:
    return _text(PLAN_SEED)


@pytest.fixture(scope="session")
def printed(tmp_path_factory) -> dict[str, Path]:
    """`xlgen pdf 2019` and `xlgen pdf plan-seogu`, once per session."""
    if lo.find_soffice() is None:
        pytest.skip("LibreOffice가 없습니다.")
    tmp = tmp_path_factory.mktemp("printed")
    out: dict[str, Path] = {}
    for key in ("2019", "plan-seogu"):
        result = CliRunner().invoke(
            cli, ["pdf", key, "--out", str(tmp), "--db", str(tmp / "store.sqlite")]
        )
        assert result.exit_code == 0, result.output
        out[key] = Path(result.stdout.strip().splitlines()[-1])
    return out


# --------------------------------------------------------------------------- (a) xlgen's print


@needs_lo
@pytest.mark.libreoffice
def test_printed_evaluation_reads_back_to_the_text_records(printed, eval_text) -> None:
    doc = parse_file(printed["2019"])[0]
    assert isinstance(doc, Evaluation)
    assert _numeric(evaluation_records(doc)) == _numeric(evaluation_records(eval_text))
    assert len(doc.indicator_rows()) == 244

    def negatives(ev: Evaluation) -> list:  # △231 read as -231
        return [(i.name, i.actual) for *_, i in ev.indicator_rows() if (i.actual or 0) < 0]

    assert negatives(doc) and negatives(doc) == negatives(eval_text)
    # the marked rates (142※) read as the document's printed values from their footnotes
    assert _findings(doc, drop_corrections=True) == _findings(eval_text, drop_corrections=True)
    assert sum(w.kind is Kind.RATE_MISMATCH for w in doc.warnings) == 13
    assert not [w for w in doc.warnings if w.kind is Kind.PDF_MARK_UNEXPLAINED]
    assert doc.summary_ratio == eval_text.summary_ratio


@needs_lo
@pytest.mark.libreoffice
def test_printed_plan_reads_back_to_the_text_records(printed, plan_text) -> None:
    doc = parse_file(printed["plan-seogu"])[0]
    assert isinstance(doc, Plan)
    assert plan_records(doc) == plan_records(plan_text)
    assert len(doc.indicator_rows()) == 160
    assert [g.office for g in doc.goals] == [g.office for g in plan_text.goals]
    assert _findings(doc, drop_corrections=True) == _findings(plan_text, drop_corrections=True)


@needs_lo
@pytest.mark.libreoffice
def test_a_mark_without_its_footnote_is_reported_not_read(printed, tmp_path) -> None:
    """The footnotes gone (as if cut off): a `142※` is never read as 142 silently."""
    document = pdfsource.read_pdf(printed["2019"])
    found = pdfsource._FOOTNOTE_RE
    assert found.match("※ 청렴도 향상 시책 추진: 문서 인쇄값 150 (실적 37 ÷ 목표 26 = 142)")
    table = next(t for t in document.tables if any("청렴도" in c.text for c in t.cells))
    marked = pdfsource.Cell(0, 0, 1, 1, ("142※",))
    table.cells.append(marked)
    doc = pdfsource.PdfDocument(tmp_path / "x.pdf")
    pdfsource._explain_marks(table, [], 8, doc)
    assert doc.unexplained == [(8, "142※")]


# --------------------------------------------------------------------------- cell text rules


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["의 회 사 무 국"], "의회사무국"),
        (["감 사 담 당 관"], "감사담당관"),
        (["부 진"], "부진"),
        (["( ", "복지환경국)"], "(복지환경국)"),
        (["구현한다.", "(의회사무국)"], "구현한다. (의회사무국)"),
        (
            ["영등포로터리 교통개선 기본구상", "(안)마련 추진"],
            "영등포로터리 교통개선 기본구상(안)마련 추진",
        ),
        (["‘맘든든센터’", "를 신설하여"], "‘맘든든센터’를 신설하여"),
        (
            ["안전하고 쾌적한 주민맞춤형", "현장중심의 순찰 강화"],
            "안전하고 쾌적한 주민맞춤형 현장중심의 순찰 강화",
        ),
        # real words are never run together: a piece of two syllables stops the close-up
        (["수 및 지원 건수"], "수 및 지원 건수"),
        (["청렴도 향상 시책 추진"], "청렴도 향상 시책 추진"),
        (["A B C"], "A B C"),
        (["가"], "가"),
        # a wrap before punctuation, at a middle dot, after a bracket inside a word
        (["해결하고", ", 이웃이"], "해결하고, 이웃이"),
        (["조사‧", "결정"], "조사‧결정"),
        (["기본구상(안)", "마련 추진"], "기본구상(안)마련 추진"),
    ],
)
def test_cell_lines_are_joined(lines, joined) -> None:
    assert pdfsource.join_lines(lines) == joined


# --------------------------------------------------------------------------- refusals


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _text_pdf(lines: list[str], pages: int = 1) -> bytes:
    """A PDF of `pages` pages of plain (Helvetica) text lines, no rules."""
    stream = (
        b"BT /F1 12 Tf 72 760 Td "
        + b"".join(b"(" + line.encode("latin-1") + b") Tj 0 -16 Td " for line in lines)
        + b"ET"
    )
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    font = 4 + pages
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % font
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _pdf(objects)


def test_a_pdf_of_something_else_gets_a_korean_answer(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(_text_pdf(["Dear colleagues,", "the meeting is on Monday."]))
    with pytest.raises(InputError) as info:
        parse_file(path)
    message = str(info.value)
    assert message.startswith("letter.pdf:") and "표를 찾지 못했습니다" in message


def test_a_damaged_pdf_is_refused_quickly(tmp_path: Path) -> None:
    good = _text_pdf(["x"])
    for i, data in enumerate((good[: len(good) // 3], b"%PDF-1.7\n" + b"\x00garbage" * 500)):
        path = tmp_path / f"damaged{i}.pdf"
        path.write_bytes(data)
        started = time.monotonic()
        with pytest.raises(InputError) as info:
            parse_file(path)
        assert time.monotonic() - started < 20
        assert str(info.value).startswith(f"damaged{i}.pdf:")


def test_damage_is_said_in_korean_without_exception_names(tmp_path: Path) -> None:
    good = _text_pdf(["x"])
    path = tmp_path / "잘림.pdf"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputError) as info:
        parse_file(path)
    message = str(info.value)
    assert message.startswith("잘림.pdf: 손상되었거나 끝까지 저장되지 않은 PDF")
    assert not re.search(r"[A-Za-z]{4,}", message.replace("HWPX", "").replace("hwpx", ""))


def _encrypted_pdf() -> bytes:
    """A PDF encrypted with a user password (RC4, the standard handler): without the password
    its key does not match the /U entry, as for any PDF that asks for a password to open."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 1 /R 2 /Length 40 /O <"
        + b"ab" * 32
        + b"> /U <"
        + b"cd" * 32
        + b"> /P -4 >>",
    ]
    ident = b"<" + b"01" * 16 + b">"
    return _pdf(objects).replace(
        b"/Root 1 0 R >>", b"/Root 1 0 R /Encrypt 4 0 R /ID [" + ident + ident + b"] >>"
    )


def test_a_password_protected_pdf_is_named_so(tmp_path: Path) -> None:
    path = tmp_path / "enc_user.pdf"
    path.write_bytes(_encrypted_pdf())
    with pytest.raises(InputError) as info:
        parse_file(path)
    message = str(info.value)
    assert message.startswith("enc_user.pdf: 암호가 걸린 PDF입니다.")
    assert "암호를 풀어 다시 저장" in message
    assert "손상" not in message and "Exception" not in message


def test_a_huge_page_count_is_refused_in_bounded_time(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    path.write_bytes(_text_pdf(["x"], pages=pdfsource.MAX_PAGES + 1))
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        parse_file(path)
    assert time.monotonic() - started < 20
    assert "쪽이 너무 많습니다" in str(info.value) and f"{pdfsource.MAX_PAGES + 1:,}" in str(
        info.value
    )


def test_reading_stops_at_the_time_bound(tmp_path: Path) -> None:
    path = tmp_path / "slow.pdf"
    path.write_bytes(_text_pdf(["x"], pages=3))
    with pytest.raises(InputError) as info:
        pdfsource.read_pdf(path, max_seconds=-1)
    assert "너무 오래" in str(info.value)
    assert "3쪽 중 1쪽에서 읽기 시간 한도" in str(info.value)
    assert "HWPX(*.hwpx)로 저장해 넣어 주세요" in str(info.value)


def test_the_time_bound_scales_with_the_pages_within_a_desks_wait() -> None:
    bound = pdfsource.time_bound
    assert bound(1) == pdfsource.MIN_SECONDS == 30
    assert bound(45) == 45
    assert bound(1_900) == pdfsource.MAX_SECONDS == 90
    assert all(bound(n) <= bound(n + 1) for n in range(0, 3_000, 7))


@needs_lo
@pytest.mark.libreoffice
def test_unruled_tables_fall_back_to_the_text_with_a_finding(tmp_path: Path) -> None:
    """The plan seed's lines printed without any rules: read as text, and said so."""
    lines = PLAN_SEED.read_text(encoding="utf-8").split("\n")
    xlsx = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx))
    ws = wb.add_worksheet()
    ws.set_column(0, 0, 160)
    for r, line in enumerate(lines):
        ws.write_string(r, 0, line)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    wb.close()
    path = lo.to_pdf(xlsx, tmp_path / "out", recalc=False)
    folder = tmp_path / "plan"
    folder.mkdir()
    shutil.copy(path, folder / "계획.pdf")
    doc = parse_file(folder / "계획.pdf")[0]
    assert isinstance(doc, Plan)
    fallback = [w for w in doc.warnings if w.kind is Kind.PDF_READ_AS_TEXT]
    assert len(fallback) == 1 and "텍스트 문서로 읽었습니다" in fallback[0].message
    assert fallback[0].get("tables") == 0


@pytest.mark.parametrize("name", ["빈.pdf", "빈.hwpx", "빈.hwp", "빈.txt"])
def test_an_empty_file_is_named_empty(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(InputError) as info:
        parse_file(path)
    assert str(info.value).startswith(f"{name}: 빈 파일입니다 (0바이트).")


def test_a_pdf_of_no_pages_is_not_called_a_scan(tmp_path: Path) -> None:
    path = tmp_path / "zero.pdf"
    path.write_bytes(_text_pdf([], pages=0))
    with pytest.raises(InputError) as info:
        parse_file(path)
    message = str(info.value)
    assert message.startswith("zero.pdf: 쪽이 없는 PDF입니다 (0쪽).")
    assert "스캔" not in message
