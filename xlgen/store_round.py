"""The store's part of the department round (issue 14): a document's round id, the
department workbooks built for it, and the department workbooks imported back.

A *round* ties the workbooks built from one set of record keys to the document: a save
that assigns new record keys (a fresh parse, `xlgen load --replace`) starts a new round,
so a workbook of an earlier round, or of another store, is told apart from the current
ones by its `_xlgen` round field. Builds and submissions are kept per round; `xlgen
status KEY` reads them (xlgen.round).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xlgen.store_codec import DocumentInfo

FOLDER_SEPARATOR = "/"
"""Between a year folder's key and a document kind in a composite store key ("2020/plan")."""


@dataclass(frozen=True)
class Submitted:
    """A department workbook among the files of an import, as the import records it."""

    department: str
    file_name: str
    file_hash: str
    built_revision: int
    round: str


@dataclass(frozen=True)
class DepartmentBuild:
    """One department workbook written by `xlgen build --by-department`."""

    department: str
    revision: int
    at: str  # UTC ISO 8601
    os_user: str
    file_name: str


@dataclass(frozen=True)
class Submission:
    """One department workbook imported (its import not undone)."""

    department: str
    revision: int  # the store revision after the import
    imported: int | None  # the import revision holding its changes (None: it changed nothing)
    built_revision: int
    at: str
    os_user: str
    file_name: str
    file_hash: str
    changes: int


def new_round_id() -> str:
    """A fresh round id: "r" and 16 hex digits (the letter keeps a spreadsheet program from
    ever reading it as a number)."""
    return "r" + secrets.token_hex(8)


def _round_of_save(conn: sqlite3.Connection, key: str, *, fresh_keys: bool) -> str:
    """The round a save of `key` belongs to: the current one, unless the save assigns new
    record keys (or the document has none yet)."""
    row = conn.execute("SELECT round FROM documents WHERE key = ?", (key,)).fetchone()
    if row is None or not row[0] or fresh_keys:
        return new_round_id()
    return str(row[0])


class RoundRecords:
    """Store methods for the round (mixed into xlgen.store.Store)."""

    if TYPE_CHECKING:

        def _transaction(
            self, *, write: bool = True
        ) -> AbstractContextManager[sqlite3.Connection]: ...

        def _doc_row(self, conn: sqlite3.Connection, key: str, *, body: bool = False) -> Any: ...

        def _errors(self) -> AbstractContextManager[None]: ...

        _conn: sqlite3.Connection

    def documents_of(self, folder: str) -> list[DocumentInfo]:
        """The documents of a year folder: stored as `folder` itself or as `folder/<kind>`."""
        prefix = folder + FOLDER_SEPARATOR
        with self._errors():
            rows = self._conn.execute(
                "SELECT key, kind, title, org, year, revision, saved_at, source_name, "
                "source_sha256, encoding FROM documents WHERE key = ? "
                "OR substr(key, 1, ?) = ? ORDER BY key",
                (folder, len(prefix), prefix),
            ).fetchall()
        return [DocumentInfo(*r) for r in rows]

    def round(self, key: str) -> str:
        """The current round id of `key` (NotFoundError if absent)."""
        with self._transaction(write=False) as conn:
            self._doc_row(conn, key)
            return str(
                conn.execute("SELECT round FROM documents WHERE key = ?", (key,)).fetchone()[0]
            )

    def record_department_builds(
        self, key: str, builds: Iterable[tuple[str, int, str]], *, at: str, os_user: str
    ) -> None:
        """Record (department, revision, file name) of each department workbook written."""
        with self._transaction() as conn:
            self._doc_row(conn, key)
            round_id = conn.execute("SELECT round FROM documents WHERE key = ?", (key,)).fetchone()
            conn.executemany(
                "INSERT INTO department_builds (doc_key, round, department, revision, at, "
                "os_user, file_name) VALUES (?,?,?,?,?,?,?)",
                ((key, round_id[0], d, rev, at, os_user, name) for d, rev, name in builds),
            )

    def department_builds(self, key: str) -> list[DepartmentBuild]:
        """The department workbooks built in the current round, oldest first."""
        with self._transaction(write=False) as conn:
            self._doc_row(conn, key)
            rows = conn.execute(
                "SELECT department, revision, at, os_user, file_name FROM department_builds "
                "WHERE doc_key = ? AND round = (SELECT round FROM documents WHERE key = ?) "
                "ORDER BY id",
                (key, key),
            ).fetchall()
        return [DepartmentBuild(*r) for r in rows]

    def submissions(self, key: str) -> list[Submission]:
        """The department workbooks imported in the current round, oldest first; one whose
        import was undone is left out."""
        with self._transaction(write=False) as conn:
            self._doc_row(conn, key)
            rows = conn.execute(
                "SELECT department, revision, imported, built_revision, at, os_user, file_name, "
                "file_hash, changes FROM submissions WHERE doc_key = ? "
                "AND round = (SELECT round FROM documents WHERE key = ?) "
                "AND (imported IS NULL OR imported NOT IN (SELECT undoes FROM revisions "
                "WHERE doc_key = ? AND action = 'undo' AND undoes IS NOT NULL)) ORDER BY id",
                (key, key, key),
            ).fetchall()
        return [Submission(*r) for r in rows]

    def touched_since(self, key: str, revision: int) -> dict[tuple[str, str], set[int]]:
        """(record_key, field) → the revisions after `revision` that wrote it."""
        with self._transaction(write=False) as conn:
            self._doc_row(conn, key)
            rows = conn.execute(
                "SELECT DISTINCT record_key, field, revision FROM history "
                "WHERE doc_key = ? AND revision > ?",
                (key, revision),
            ).fetchall()
        out: dict[tuple[str, str], set[int]] = {}
        for rk, f, rev in rows:
            out.setdefault((rk, f), set()).add(rev)
        return out

    @staticmethod
    def _add_submissions(
        conn: sqlite3.Connection,
        key: str,
        submitted: list[Submitted],
        revision: int,
        imported: int | None,
        counts: Mapping[str, int],
        at: str,
        os_user: str,
    ) -> None:
        rows: Iterator[tuple[Any, ...]] = (
            (
                key,
                s.round,
                s.department,
                revision,
                imported if counts.get(s.file_name) else None,
                s.built_revision,
                at,
                os_user,
                s.file_name,
                s.file_hash,
                counts.get(s.file_name, 0),
            )
            for s in submitted
        )
        conn.executemany(
            "INSERT INTO submissions (doc_key, round, department, revision, imported, "
            "built_revision, at, os_user, file_name, file_hash, changes) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
