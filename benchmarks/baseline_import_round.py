"""Bare baseline for `xlgen import` of a whole department round: the same I/O with no
xlgen logic, for several files at once.

Reads, with python-calamine (a benchmark-only dependency), what xlgen's import reads of
each department workbook: the hidden _xlgen sheet (fields, record keys and the values the
workbook was built with) and the whole input sheet (record key, 실적 of every row). Then
writes what changed to the same SQLite store in one transaction: one new revision, one
UPDATE per changed value, one history row per change and one submission row per file.
No checks, no normalisation, no per-bureau counts, no report.

    python benchmarks/baseline_import_round.py FILE... --db STORE
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from datetime import UTC, datetime

from python_calamine import CalamineWorkbook

KEY_COL, ACTUAL_COL = 9, 4


def read(path: str) -> tuple[dict, list[tuple[str, object, object]]]:
    wb = CalamineWorkbook.from_path(path)
    meta = wb.get_sheet_by_name("_xlgen").to_python()
    fields = {r[0]: r[1] for r in meta if r and r[0] not in ("", "records")}
    start = next(i for i, r in enumerate(meta) if r and r[0] == "records") + 2
    built = {r[0]: (None if r[5] == "" else r[5]) for r in meta[start:] if r and r[0]}
    sheet = wb.get_sheet_by_name(str(fields["input_sheet"])).to_python()
    changes = []
    for r in sheet[3:]:
        if len(r) > KEY_COL and r[KEY_COL] in built:
            new = None if r[ACTUAL_COL] == "" else r[ACTUAL_COL]
            if new != built[r[KEY_COL]]:
                changes.append((r[KEY_COL], built[r[KEY_COL]], new))
    return fields, changes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--db", required=True)
    args = ap.parse_args()
    started = time.perf_counter()
    read_files = [(path, *read(path)) for path in args.files]
    key = str(read_files[0][1]["key"])
    at = datetime.now(UTC).isoformat()
    conn = sqlite3.connect(args.db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    rev = conn.execute("SELECT revision FROM documents WHERE key = ?", (key,)).fetchone()[0] + 1
    conn.execute(
        "INSERT INTO revisions (doc_key, revision, action, at, os_user, file_name, file_hash, "
        "undoes) VALUES (?,?,?,?,?,?,?,NULL)",
        (key, rev, "import", at, "bench", ", ".join(args.files), ""),
    )
    conn.execute("UPDATE documents SET revision = ? WHERE key = ?", (rev, key))
    total = 0
    for path, fields, changes in read_files:
        total += len(changes)
        conn.executemany(
            "UPDATE indicators SET actual = ? WHERE doc_key = ? AND record_key = ?",
            [(new, key, rk) for rk, _old, new in changes],
        )
        conn.executemany(
            "INSERT INTO history (doc_key, revision, at, os_user, file_name, file_hash, "
            "record_key, field, old, new) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (key, rev, at, "bench", path, "", rk, "actual", json.dumps(old), json.dumps(new))
                for rk, old, new in changes
            ],
        )
        conn.execute(
            "INSERT INTO submissions (doc_key, round, department, revision, imported, "
            "built_revision, at, os_user, file_name, file_hash, changes) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                key,
                fields.get("round", ""),
                fields.get("department", ""),
                rev,
                rev,
                int(fields["revision"]),
                at,
                "bench",
                path,
                "",
                len(changes),
            ),
        )
    conn.execute("COMMIT")
    conn.close()
    print(
        json.dumps(
            {
                "files": len(read_files),
                "changes": total,
                "seconds_in_process": round(time.perf_counter() - started, 3),
            }
        ),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
