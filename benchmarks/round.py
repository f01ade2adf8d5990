"""Benchmark: `xlgen import` of a whole department round at once, against its bare baseline.

Builds 2019 with `--by-department` (37 workbooks), makes the "staff entered every 실적"
copy of each the way Excel saves it (benchmarks/edit_workbook.py: only the input cells'
XML changes), then times, each in a fresh process on a fresh copy of the store (median of
--repeats runs; wall time, CPU and peak memory as GNU time reports them):

- `xlgen import` of all 37 files in one command (one transaction, one revision);
- benchmarks/baseline_import_round.py: python-calamine reading the same cells and the
  same SQLite writes, without any of xlgen's checks.

It measures the working tree (it is quick); its figures go to docs/benchmarks.md by hand.

    python benchmarks/round.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import edit_workbook  # noqa: E402
import run  # noqa: E402  (run_once, bench, copy_store: the same measuring as benchmarks/run.py)

KEY = "2019"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "xlgen-bench-round")
    args = ap.parse_args()
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    built_db, out = args.work / "built.sqlite", args.work / "out"
    r = run.run_once(
        run.XLGEN
        + [
            "build",
            KEY,
            "--by-department",
            "--db",
            str(built_db),
            "--out",
            str(out),
            "--seeds",
            str(run.ROOT / "seeds"),
        ]
    )
    assert r.rc == 0, r.stderr
    sent = sorted((out / KEY / "부서별").glob("*.xlsx"))
    assert len(sent) == 37, len(sent)
    back = args.work / "back"
    back.mkdir()
    edited = []
    cells = 0
    for src in sent:
        dst = back / src.name
        cells += edit_workbook.edit(src, dst)
        edited.append(str(dst))
    print(f"{len(edited)} department workbooks, {cells} 실적 cells changed", flush=True)
    db = args.work / "store.sqlite"
    fresh = lambda: run.copy_store(built_db, db)  # noqa: E731
    xlgen = run.bench(
        "xlgen import (37 files at once)",
        run.XLGEN + ["import", *edited, "--db", str(db)],
        args.repeats,
        setup=fresh,
    )
    base = run.bench(
        "bare calamine + sqlite3",
        [run.PY, str(BENCH / "baseline_import_round.py"), *edited, "--db", str(db)],
        args.repeats,
        setup=fresh,
    )
    if xlgen.ok and base.ok:
        print(
            f"ratio xlgen / baseline: wall {xlgen.wall / base.wall:.2f}×, "
            f"cpu {xlgen.cpu / base.cpu:.2f}×, memory {xlgen.rss / base.rss:.2f}×"
        )


if __name__ == "__main__":
    main()
