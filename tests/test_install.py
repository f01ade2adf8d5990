"""xlgen as an installed tool: defaults resolve from the desk's working folder, the package
carries its default templates, and every module imports without the test-only packages.
(.ci/run also builds the wheel, installs it into a fresh venv and builds 2019 with it.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner

from xlgen.build import default_out_dir
from xlgen.cli import cli
from xlgen.seeds import default_seeds_dir
from xlgen.templates import default_templates_dir, load_template, packaged_templates

ROOT = Path(__file__).resolve().parent.parent
# (pdfplumber and pandas are optional extras: imported only when used)
TEST_ONLY = (
    "openpyxl",
    "pandas",
    "pdfplumber",
    "hwpx",
    "pytest",
    "hypothesis",
    "uno",
    "python_calamine",
)


def _no_env(monkeypatch):
    for name in ("XLGEN_SEEDS", "XLGEN_TEMPLATES"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_the_working_folder(tmp_path, monkeypatch):
    _no_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert default_seeds_dir() == tmp_path / "seeds"
    assert default_out_dir() == tmp_path / "out"
    assert default_templates_dir() == packaged_templates()  # no ./templates here
    (tmp_path / "templates").mkdir()
    assert default_templates_dir() == tmp_path / "templates"
    monkeypatch.setenv("XLGEN_SEEDS", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("XLGEN_TEMPLATES", str(tmp_path / "styles"))
    assert default_seeds_dir() == tmp_path / "elsewhere"
    assert default_templates_dir() == tmp_path / "styles"


def test_packaged_templates_are_the_project_templates():
    names = sorted(p.name for p in (ROOT / "templates").glob("*.toml"))
    assert names == ["evaluation.toml", "plan.toml", "style.toml"]
    packaged = packaged_templates()
    for name in names:
        assert packaged.joinpath(name).read_bytes() == (ROOT / "templates" / name).read_bytes()


def test_a_working_folder_templates_copy_wins(tmp_path, monkeypatch):
    _no_env(monkeypatch)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    style = tmp_path / "templates" / "evaluation.toml"
    style.write_text(
        style.read_text(encoding="utf-8").replace('dept_mark = "▢"', 'dept_mark = "■"'),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert load_template("evaluation")["departments"]["dept_mark"] == "■"
    shutil.rmtree(tmp_path / "templates")
    assert load_template("evaluation")["departments"]["dept_mark"] == "▢"


def test_build_in_a_desk_folder_writes_there(tmp_path, monkeypatch):
    _no_env(monkeypatch)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", "2019", "--db", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 0, result.output
    built = Path(result.stdout.strip().splitlines()[-1])
    assert built.parent == tmp_path / "out" / "2019" and built.is_file()


def test_pyproject_packages_name_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "xlgen").rglob("__init__.py")
    }
    assert listed == on_disk | {"xlgen.default_templates"}
    assert config["tool"]["setuptools"]["package-dir"] == {"xlgen.default_templates": "templates"}


def test_runtime_dependencies_are_what_the_package_imports():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = {d.split(">")[0].split("=")[0].strip() for d in config["project"]["dependencies"]}
    assert declared == {"xlsxwriter", "click", "defusedxml", "wcwidth"}


def test_every_module_imports_without_test_only_packages():
    """Import every module of the package in a fresh interpreter where the test-only
    packages cannot be imported."""
    script = f"""
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {TEST_ONLY!r}:
            raise ImportError("blocked for the test: " + name)
sys.meta_path.insert(0, Block())
import xlgen
names = [m.name for m in pkgutil.walk_packages(xlgen.__path__, "xlgen.")]
for name in names:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in {TEST_ONLY!r})
print(len(names), leaked)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    count, leaked = done.stdout.split(" ", 1)
    assert int(count) >= 30 and leaked.strip() == "[]"
