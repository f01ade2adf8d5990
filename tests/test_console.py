"""Output never fails on a CP949 console or pipe (xlgen.console)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from xlgen.console import SUBSTITUTES, safe_text

ROOT = Path(__file__).resolve().parent.parent
EVAL_SEED = ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt"


def test_stated_substitutes_exist_in_cp949():
    for ch, sub in SUBSTITUTES.items():
        try:
            ch.encode("cp949")
        except UnicodeEncodeError:
            pass
        else:  # a substitute for a character CP949 has would never be used
            raise AssertionError(ch)
        sub.encode("cp949")
    assert safe_text("▢ 총무과 ◦ 가‧나 1․2 ✓", "cp949") == "□ 총무과 ○ 가·나 1.2 ?"


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "cp949", "XLGEN_DB": str(tmp_path / "s.sqlite")}
    code = "import sys; from xlgen.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, env=env, cwd=ROOT
    )


def test_cp949_pipe_prints_the_seed(tmp_path):
    proc = _run("parse", str(EVAL_SEED), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("cp949", "replace")
    text = proc.stdout.decode("cp949")  # strict: every byte is valid CP949
    assert "총무과" in text
    assert "▢" not in text


def test_cp949_pipe_substitutes_what_it_cannot_show(tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("▢ 아무것도 아닌 문서\n", encoding="utf-8")
    proc = _run("parse", str(doc), tmp_path=tmp_path)
    err = proc.stderr.decode("cp949")
    assert proc.returncode == 1 and err.startswith("오류: ")
    assert "Traceback" not in err


def test_cp949_help(tmp_path):
    proc = _run("--help", tmp_path=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.decode("cp949").startswith("사용법: xlgen")
