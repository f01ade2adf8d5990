"""Bare baseline for `xlgen import`: the same I/O with no xlgen logic.

Reads the same cells xlgen's import reads, with python-calamine (a benchmark-only
dependency): the hidden _xlgen sheet (the record keys and the values the workbook was
built with) and the whole input sheet (record key, 실적, 비고 of every row). Then it writes
what changed to the same SQLite store the way an import must: one transaction, one new
revision, one UPDATE per changed value and one history row per change. No checks, no
normalisation, no per-bureau counts, no report.

    python benchmarks/baseline_import.py EDITED.xlsx --db STORE
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from datetime import UTC, datetime

from python_calamine import CalamineWorkbook

KEY_COL, ACTUAL_COL, NOTE_COL = 9, 4, 8


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--db", required=True)
    args = ap.parse_args()
    started = time.perf_counter()
    wb = CalamineWorkbook.from_path(args.file)
    meta = wb.get_sheet_by_name("_xlgen").to_python()
    fields = {r[0]: r[1] for r in meta if r and r[0] not in ("", "records")}
    start = next(i for i, r in enumerate(meta) if r and r[0] == "records") + 2
    built = {r[0]: r[5] for r in meta[start:] if r and r[0]}
    sheet = wb.get_sheet_by_name(str(fields["input_sheet"])).to_python()
    changes = []
    for r in sheet[3:]:
        if len(r) > KEY_COL and r[KEY_COL] in built:
            new = r[ACTUAL_COL]
            new = None if new == "" else new
            if new != built[r[KEY_COL]]:
                changes.append((r[KEY_COL], built[r[KEY_COL]], new))
    key = str(fields["key"])
    at = datetime.now(UTC).isoformat()
    conn = sqlite3.connect(args.db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    rev = conn.execute("SELECT revision FROM documents WHERE key = ?", (key,)).fetchone()[0] + 1
    conn.execute(
        "INSERT INTO revisions (doc_key, revision, action, at, os_user, file_name, file_hash, undoes) "
        "VALUES (?,?,?,?,?,?,?,NULL)",
        (key, rev, "import", at, "bench", args.file, ""),
    )
    conn.execute("UPDATE documents SET revision = ? WHERE key = ?", (rev, key))
    conn.executemany(
        "UPDATE indicators SET actual = ? WHERE doc_key = ? AND record_key = ?",
        [(new, key, rk) for rk, _old, new in changes],
    )
    conn.executemany(
        "INSERT INTO history (doc_key, revision, at, os_user, file_name, file_hash, record_key, field, old, new) "
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (key, rev, at, "bench", args.file, "", rk, "actual", json.dumps(old), json.dumps(new))
            for rk, old, new in changes
        ],
    )
    conn.execute("COMMIT")
    conn.close()
    print(
        json.dumps(
            {"changes": len(changes), "seconds_in_process": round(time.perf_counter() - started, 3)}
        ),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
