"""`xlgen build` when writing fails or the names cannot be files (issue 12): a full disk or
no permission is a Korean message with exit 1 and nothing left behind; killed builds'
temporary files are cleared; `--by-department` checks every file name before writing
anything and counts the files it really writes; text longer than a cell is refused, never
cut; XLGEN_DB naming a folder is reported as XLGEN_DB."""

from __future__ import annotations

import copy
import errno
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlgen import workbook
from xlgen.cli import cli
from xlgen.korean import josa  # issue 13: particles follow the words
from xlgen.model import Evaluation
from xlgen.seeds import parse_seed
from xlgen.store import Store
from xlgen.templates import load_template
from xlgen.workbook import BuildError

KEY = "2019"


@pytest.fixture(scope="module")
def seed() -> Evaluation:
    doc = parse_seed(KEY).document
    assert isinstance(doc, Evaluation)
    return doc


def run(db: Path, *args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"XLGEN_DB": str(db)})


def stored(tmp_path: Path, key: str, doc: Evaluation) -> Path:
    db = tmp_path / "store.sqlite"
    with Store.open(db) as store:
        store.save_document(key, doc, source_name="x.txt", source_sha256="0" * 64)
    return db


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --------------------------------------------------------------------------- write failures


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device"),
            "디스크 공간이 부족해 통합문서를 쓰지 못했습니다. 공간을 확보한 뒤 다시 실행하세요 "
            "(기존 파일은 그대로입니다).",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied"),
            "파일을 쓸 수 없습니다 (권한 없음). 엑셀에서 열려 있으면 닫고, 폴더에 쓸 권한이 "
            "있는지 확인한 뒤 다시 실행하세요.",
        ),
    ],
    ids=["disk-full", "permission"],
)
def test_a_write_failure_is_a_korean_message_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, message: str
) -> None:
    """The writer fails half way (xlsxwriter raising the OS error as it writes the zip):
    exit 1, the message, no file and no temporary part in the folder."""
    real = workbook._new_workbook

    def failing(path: Path, *args: object):
        wb = real(path, *args)  # type: ignore[arg-type]
        original = wb.close

        def close() -> None:
            Path(path).write_bytes(b"PK partial")  # some bytes reached the disk
            raise error

        wb.close = close  # type: ignore[method-assign]
        del original
        return wb

    monkeypatch.setattr(workbook, "_new_workbook", failing)
    out = tmp_path / "out"
    result = run(tmp_path / "store.sqlite", "build", KEY, "--out", out)
    assert result.exit_code == 1, result.output
    target = out / KEY / "2019년 성과관리 주요사업 평가 현황.xlsx"
    assert result.stderr.endswith(f"오류: {target}: {message}\n")
    assert "Traceback" not in result.output
    assert files_under(out) == []


def test_an_existing_workbook_survives_a_failed_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    db = tmp_path / "store.sqlite"
    assert run(db, "build", KEY, "--out", out).exit_code == 0
    (target,) = files_under(out)
    before = target.read_bytes()

    def full(path: Path, *args: object):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(workbook, "_new_workbook", full)
    assert run(db, "build", KEY, "--out", out).exit_code == 1
    assert files_under(out) == [target] and target.read_bytes() == before


def test_stale_parts_of_killed_builds_are_removed_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    old = time.time() - 2 * workbook.STALE_PART_SECONDS
    stale = folder / ".xlgen-abc123.xlsx.part"
    fresh = folder / ".xlgen-def456.xlsx.part"  # a build running right now
    other = folder / ".xlgen-notes.txt"  # not our pattern
    mine = folder / "보고서.xlsx.part"
    for p in (stale, fresh, other, mine):
        p.write_bytes(b"x")
    for p in (stale, other, mine):
        os.utime(p, (old, old))
    (folder / ".xlgen-dir.xlsx.part").mkdir()  # a folder named like one is left alone
    os.utime(folder / ".xlgen-dir.xlsx.part", (old, old))
    workbook.write_atomically(folder / "new.xlsx", lambda p: p.write_bytes(b"new"))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [fresh.name, other.name, mine.name, ".xlgen-dir.xlsx.part", "new.xlsx"]
    )


def test_xlgen_db_naming_a_folder_is_reported_as_xlgen_db(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    result = run(folder, "status")
    assert result.exit_code == 1
    assert result.stderr == (
        f"오류: 환경변수 XLGEN_DB에 준 저장소 경로 {josa(folder, '은/는')} 폴더입니다. 저장소 파일의 "
        f"경로를 지정하세요 (예: {folder / 'xlgen.sqlite'}).\n"
    )
    result = CliRunner().invoke(cli, ["status", "--db", str(folder)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"오류: --db에 준 저장소 경로 {josa(folder, '은/는')} 폴더입니다."
    )


# --------------------------------------------------------------------------- --by-department


def test_repeated_department_names_give_one_workbook_each_and_an_honest_count(
    tmp_path: Path, seed: Evaluation
) -> None:
    doc = copy.deepcopy(seed)
    # The second bureau's departments are renamed after the first bureau's: every name twice.
    first = doc.bureaus[0].departments
    for i, d in enumerate(doc.bureaus[1].departments):
        d.name = first[i % len(first)].name
    names = list(dict.fromkeys(d.name for d in doc.departments()))
    assert len(names) < len(doc.departments())
    db = stored(tmp_path, "dup", doc)
    out = tmp_path / "out"
    result = run(db, "build", "dup", "--by-department", "--out", out)
    assert result.exit_code == 0, result.output
    written = files_under(out / "dup" / "부서별")
    assert len(written) == len(names)
    assert f"부서별 통합문서 {len(names)}개: " in result.stderr


@pytest.mark.parametrize(
    ("rename", "expected"),
    [
        (
            lambda d0, d1: setattr(d0, "name", "가" * 120),
            "파일 이름이 너무 깁니다 (UTF-8 ",
        ),
        (
            lambda d0, d1: (setattr(d0, "name", "기획/예산과"), setattr(d1, "name", "기획_예산과")),
            "부서 '기획/예산과'와(과) '기획_예산과': 같은 파일 이름이 됩니다",
        ),
        (
            lambda d0, d1: (setattr(d0, "name", "IT과"), setattr(d1, "name", "it과")),
            "부서 'IT과'와(과) 'it과': 같은 파일 이름이 됩니다",
        ),
    ],
    ids=["too-long", "same-after-sanitising", "same-but-case"],
)
def test_bad_department_file_names_are_refused_before_anything_is_written(
    tmp_path: Path, seed: Evaluation, rename, expected: str
) -> None:
    doc = copy.deepcopy(seed)
    d0, d1 = doc.departments()[:2]
    rename(d0, d1)
    db = stored(tmp_path, "bad", doc)
    out = tmp_path / "out"
    result = run(db, "build", "bad", "--by-department", "--out", out)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        "오류: 부서별 통합문서의 파일 이름을 만들 수 없어 아무것도 만들지 않았습니다: "
    )
    assert expected in result.stderr
    assert files_under(out) == []  # not even the main workbook


def test_safe_file_names() -> None:
    assert workbook.safe_file_name('a:b*c?"d<e>f|g\\h/i\x01') == "a_b_c__d_e_f_g_h_i_"
    assert workbook.safe_file_name("CON") == "_CON"
    assert workbook.safe_file_name("nul.txt") == "_nul.txt"
    assert workbook.safe_file_name("과장. ") == "과장"
    assert workbook.safe_file_name("기획예산과") == "기획예산과"


def test_department_files_fit_the_byte_limit(seed: Evaluation, tmp_path: Path) -> None:
    files = workbook.department_files(seed, tmp_path, load_template("evaluation"))
    assert len(files) == len({d.name for d in seed.departments()})
    assert all(len(p.name.encode()) <= 255 for _, p in files)


# --------------------------------------------------------------------------- cell limits


def test_text_longer_than_a_cell_is_refused_naming_the_record(
    tmp_path: Path, seed: Evaluation
) -> None:
    doc = copy.deepcopy(seed)
    _, dept, proj, ind = doc.indicator_rows()[23]
    ind.key = "I0024"
    ind.note = "가" * 40_000
    with pytest.raises(BuildError) as info:
        workbook.check_cell_text(doc)
    assert str(info.value) == (
        "엑셀 칸 하나에 담을 수 있는 32,767자를 넘는 글이 있어 통합문서를 만들지 않았습니다 "
        f"(레코드 I0024 ({dept.name} / {proj.name} / {ind.name[:20]}{'…' if len(ind.name) > 20 else ''})의 비고: 40,000자). "
        "줄인 뒤 다시 만드세요."
    )
    db = stored(tmp_path, "long", doc)
    out = tmp_path / "out"
    result = run(db, "build", "long", "--out", out)
    assert result.exit_code == 1
    assert "의 비고: 40,000자" in result.stderr
    assert files_under(out) == []
    ind.note = "가" * 32_767  # exactly what a cell holds: built
    workbook.check_cell_text(doc)
