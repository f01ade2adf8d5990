"""The embedded SQLite store: parsed documents, their revisions, and an audit trail.

Usage::

    with Store.open() as store:                      # default_db_path()
        rev = store.save_document("2019", evaluation, source_name="2019.txt",
                                  source_sha256=digest)
        doc = store.load("2019")                     # == evaluation

Every write runs in one ``BEGIN IMMEDIATE`` transaction: it either happens completely or
not at all, also when the process is killed half way. A writer that finds the store busy
waits (``busy_timeout``, 10 s by default) instead of failing at once. No ``sqlite3``
exception leaves this module: they become :class:`~xlgen.errors.StoreError` with a Korean
message. A ``Store`` belongs to the thread that opened it; open one per thread or process.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from xlgen import kinds
from xlgen import store_codec as codec
from xlgen.errors import NotFoundError, StoreError
from xlgen.korean import josa, particle
from xlgen.model import Document, Phase
from xlgen.store_codec import DocumentInfo, HistoryEntry, RevisionInfo
from xlgen.store_round import RoundRecords, Submitted, _round_of_save
from xlgen.store_schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    damaged_message,
    sqlite_error,
    statements,
)

DEFAULT_TIMEOUT = 10.0
INTEGRITY_REPORT = 5  # problems the integrity check lists at most
FIELDS = ("actual", "note", "target")
FIELD_NAMES = {"actual": "실적", "note": "비고", "target": "목표"}
"""The fields an import may change, by the name staff know them by."""

Change = tuple[str, str, Any, Any]
"""(record_key, field, old, new): one value an import changes; field is "actual", "note" or
(in the 목표 설정 phase) "target"."""


class StoreConflictError(StoreError):
    """A write based on values or a revision that are no longer current."""


class MissingStoreError(StoreError, NotFoundError):
    """The store file does not exist (and was not to be created)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"저장소 파일이 없습니다: {path}. 먼저 문서를 넣으세요 (예: xlgen load 2019)."
        )
        self.path = path


class NothingToUndoError(StoreError):
    """``undo_last`` found no import to revert."""


def default_db_path() -> Path:
    """Where the store lives unless told otherwise.

    ``$XLGEN_DB`` if set; on Windows ``%APPDATA%\\xlgen\\xlgen.sqlite``; elsewhere
    ``$XDG_DATA_HOME/xlgen/xlgen.sqlite`` or ``~/.local/share/xlgen/xlgen.sqlite``. It is a
    per-user data folder and never the project's ``out/`` folder.
    """
    return _default_db_path(os.environ, sys.platform)


def _default_db_path(env: Mapping[str, str], platform: str) -> Path:
    if env.get("XLGEN_DB"):
        return Path(env["XLGEN_DB"]).expanduser()
    if platform.startswith("win"):
        base = env.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    else:
        base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "xlgen" / "xlgen.sqlite"


def current_os_user() -> str:
    """The login name for audit rows; "unknown" when the system cannot tell."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry / no env variables in some containers
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Store(RoundRecords):
    """A connection to one store file. Create it with :meth:`Store.open`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._checked = False  # has the integrity check passed on this connection?
        self._check: _IntegrityCheck | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        create: bool = True,
    ) -> Store:
        """Open (creating and migrating as needed) the store at ``path``.

        ``path`` defaults to :func:`default_db_path`; missing parent folders are created.
        ``timeout`` is how long a write waits for another writer, in seconds. Raises
        StoreError for a file that is not an xlgen store, a corrupt one, or one made by a
        newer xlgen. With ``create=False`` nothing is created: a missing file raises
        :class:`MissingStoreError` (see :meth:`open_existing`).
        """
        path = Path(path) if path is not None else default_db_path()
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"저장소 폴더 {josa(path.parent, '을/를')} 만들 수 없습니다: {exc.strerror}"
                ) from exc
        if path.is_dir():
            raise StoreError(f"{josa(path, '은/는')} 폴더입니다. 저장소 파일 경로를 지정하세요.")
        target: str | Path = path
        if not create:
            # mode=rw: SQLite itself refuses a missing file, so none can appear in between.
            target = "file:" + pathname2url(str(path.absolute())) + "?mode=rw"
        try:
            conn = sqlite3.connect(target, timeout=timeout, isolation_level=None, uri=not create)
        except sqlite3.Error as exc:
            if not create and not path.exists():
                raise MissingStoreError(path) from None
            raise sqlite_error(exc, path) from exc
        store = cls(conn, path)
        try:
            with store._errors():
                conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                conn.execute("PRAGMA schema_version").fetchone()  # reads the header
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA foreign_keys = ON")
            store._migrate()
        except BaseException:
            conn.close()
            raise
        if not store._checked:
            # While the caller reads its input (a parse, a workbook), the store is checked on
            # a second, read-only connection; the first write waits for the verdict.
            store._check = _IntegrityCheck(path)
        return store

    @classmethod
    def open_existing(
        cls, path: str | os.PathLike[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> Store | None:
        """The store at ``path`` if the file exists, else None; never creates anything.
        For read-only commands and dry runs (`status`, `history`, `import --dry-run`)."""
        try:
            return cls.open(path, timeout=timeout, create=False)
        except MissingStoreError:
            return None

    def close(self) -> None:
        if self._check is not None:
            self._check.stop()
            self._check = None
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._errors():
            return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}{particle(self.path, '은/는')} 더 새로운 버전의 xlgen으로 만든 저장소입니다 "
                f"(저장소 버전 {version}, 이 xlgen은 {SCHEMA_VERSION}까지 지원). "
                "xlgen을 업데이트하세요."
            )
        if version == SCHEMA_VERSION:
            return
        for target, script in enumerate(MIGRATIONS, start=1):
            with self._transaction() as conn:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current >= target:  # another process migrated meanwhile
                    continue
                if (
                    current == 0
                    and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                ):
                    raise StoreError(
                        f"{self.path}{particle(self.path, '은/는')} xlgen 저장소가 아닌 SQLite 파일입니다."
                    )
                for statement in statements(script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.path) from exc

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction: committed at the end, rolled back on any exception.

        Writes take the write lock up front (BEGIN IMMEDIATE), so a busy store makes them
        wait for busy_timeout instead of failing when a read would turn into a write.
        Reads get one consistent snapshot.
        """
        conn = self._conn
        with self._errors():
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                if write and not self._checked:
                    self._check_integrity(conn)
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise

    def _check_integrity(self, conn: sqlite3.Connection) -> None:
        """Refuse to write to a damaged store (a damaged page, an index that disagrees with
        its table): a write on top would report success while building on broken data.
        Once per connection, before its first write: the background check's verdict, or
        (when it could not give one) the check run here, under the write lock."""
        problems = None
        if self._check is not None:
            problems = self._check.result()
            self._check = None
        if problems is None:
            problems = _quick_check(conn)
        if problems:
            # SQLite heads its report with "*** in database main ***"; one finding a line.
            lines = [
                ln for p in problems for ln in p.splitlines() if ln and not ln.startswith("***")
            ]
            lines = lines or problems
            detail = lines[0] if len(lines) == 1 else f"{lines[0]} 외 {len(lines) - 1}건"
            raise StoreError(damaged_message(self.path, detail))
        self._checked = True

    def _doc_row(
        self, conn: sqlite3.Connection, key: str, *, body: bool = False
    ) -> sqlite3.Row | tuple:
        """(kind, title, org, year, revision, body, phase); the body (a large JSON text) is
        only fetched when asked for, since most callers just need to know the document
        exists."""
        column = "body" if body else "NULL"
        row = conn.execute(
            f"SELECT kind, title, org, year, revision, {column}, phase FROM documents "
            "WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"저장소에 '{key}' 문서가 없습니다. 먼저 문서를 읽어 저장하세요.")
        return row

    # ------------------------------------------------------------------ documents

    def has(self, key: str) -> bool:
        """Is a document stored under ``key``?"""
        with self._errors():
            return (
                self._conn.execute("SELECT 1 FROM documents WHERE key = ?", (key,)).fetchone()
                is not None
            )

    def keys(self) -> list[DocumentInfo]:
        """Every stored document, sorted by key."""
        with self._errors():
            rows = self._conn.execute(
                "SELECT key, kind, title, org, year, revision, saved_at, source_name, "
                "source_sha256, encoding, phase FROM documents ORDER BY key"
            ).fetchall()
        return [DocumentInfo(*r) for r in rows]

    def revision(self, key: str) -> int:
        """The current revision of ``key`` (1 after the first save). NotFoundError if absent."""
        with self._transaction(write=False) as conn:
            return self._doc_row(conn, key)[4]

    def load(self, key: str) -> Document:
        """The document stored under ``key`` (rebuilt by its kind's codec, xlgen.kinds), equal
        to what was saved plus any changes applied since. Indicators carry their record keys.
        NotFoundError if absent."""
        with self._transaction(write=False) as conn:
            kind, title, org, year, _rev, body, phase = self._doc_row(conn, key, body=True)
            entry = kinds.get(kind)
            rows = conn.execute(
                "SELECT record_key, project_pos, name, unit, target, actual, stated_rate, "
                "direction, line, note, prev_target, prev_actual FROM indicators "
                "WHERE doc_key = ? ORDER BY position",
                (key,),
            ).fetchall()
            loaded: Document = entry.store.load(
                title, org, year, codec.body_from_json(body), rows, phase
            )
            return loaded

    def save_document(
        self,
        key: str,
        doc: Document,
        *,
        source_name: str,
        source_sha256: str,
        encoding: str = "",
        action: str = "parse",
        os_user: str | None = None,
    ) -> int:
        """Store ``doc`` under ``key``, replacing what was there, and return the new revision.

        Evaluation indicators without a record key get one ("I0001", ... in document order;
        numbers are never reused within a key), written back to ``Indicator.key`` once the
        transaction has committed; indicators that have a key keep it. A "revisions" row
        records the save (``action``, ``source_name``, ``source_sha256``); for record keys
        that existed before, changed actual/note values get "history" rows too.
        """
        if not isinstance(key, str) or not key.strip():
            raise StoreError(f"문서 키가 비어 있거나 문자열이 아닙니다: {key!r}")
        try:
            entry = kinds.of(doc)
        except kinds.UnknownKindError as exc:
            raise StoreError(str(exc)) from None
        entry.store.check(doc)
        body = entry.store.body(doc)
        indicators = entry.store.records(doc)
        user, at = os_user or current_os_user(), _now()
        with self._transaction() as conn:
            rev = self._next_revision(conn, key)
            before = {
                r[0]: {"actual": r[1], "note": r[2], "target": r[3]}
                for r in conn.execute(
                    "SELECT record_key, actual, note, target FROM indicators WHERE doc_key = ?",
                    (key,),
                )
            }
            used = [
                r[0]
                for r in conn.execute(
                    "SELECT record_key FROM history WHERE doc_key = ? UNION SELECT record_key FROM indicators WHERE doc_key = ?",
                    (key, key),
                )
            ]
            fresh = any(not ind.key for ind in indicators)
            keys = codec.assign_keys(indicators, max(map(codec.key_number, used), default=0))
            round_id = _round_of_save(conn, key, fresh_keys=fresh)
            conn.execute("DELETE FROM indicators WHERE doc_key = ?", (key,))
            conn.execute(
                "INSERT INTO documents (key, kind, title, org, year, revision, source_name, "
                "source_sha256, encoding, saved_at, body, round, phase) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET kind=excluded.kind, title=excluded.title, "
                "org=excluded.org, year=excluded.year, revision=excluded.revision, "
                "source_name=excluded.source_name, source_sha256=excluded.source_sha256, "
                "encoding=excluded.encoding, saved_at=excluded.saved_at, body=excluded.body, "
                "round=excluded.round, phase=excluded.phase",
                (
                    key,
                    doc.kind,
                    doc.title,
                    doc.org,
                    doc.year,
                    rev,
                    source_name,
                    source_sha256,
                    encoding,
                    at,
                    codec.body_json(body),
                    round_id,
                    entry.store.phase(doc),
                ),
            )
            conn.executemany(
                f"INSERT INTO indicators ({codec.INDICATOR_COLUMNS}) "
                f"VALUES ({codec.INDICATOR_PLACEHOLDERS})",
                entry.store.record_params(key, doc, keys),
            )
            self._add_revision(conn, key, rev, action, at, user, source_name, source_sha256)
            changed = [
                (rk, f, before[rk][f], getattr(ind, f))
                for rk, ind in zip(keys, indicators, strict=True)
                if rk in before
                for f in FIELDS
                if codec.encode_value(before[rk][f]) != codec.encode_value(getattr(ind, f))
            ]
            self._add_history(conn, key, rev, at, user, source_name, source_sha256, changed)
        for ind, rk in zip(indicators, keys, strict=True):
            ind.key = rk
        return rev

    def phase(self, key: str) -> Phase:
        """The phase of the evaluation stored under ``key`` (StoreError for a plan)."""
        with self._transaction(write=False) as conn:
            kind, *_, phase = self._doc_row(conn, key)
        self._check_phased(key, kind)
        return Phase(phase) if phase else Phase.EVALUATION

    def set_phase(
        self, key: str, phase: Phase, *, os_user: str, expected_revision: int | None = None
    ) -> int:
        """Move the evaluation ``key`` to ``phase`` and return the new revision; a
        "targets-fix" (to 평가) or "targets-reopen" (to 목표 설정) revision row records it.
        Already in ``phase``: nothing is written and the current revision is returned.
        The revision row is a barrier for `undo_last`, like a save: a fixed target cannot
        be changed by undoing the import that set it."""
        phase = Phase(phase)
        at = _now()
        with self._transaction() as conn:
            kind, *_, current, _body, stored = self._doc_row(conn, key)
            self._check_phased(key, kind)
            if expected_revision is not None and expected_revision != current:
                raise StoreConflictError(
                    f"'{key}' 문서가 그사이 바뀌었습니다 (기대한 리비전 {expected_revision}, "
                    f"현재 {current}). 다시 실행하세요."
                )
            if (stored or Phase.EVALUATION.value) == phase.value:
                return current
            rev = self._next_revision(conn, key)
            conn.execute("UPDATE documents SET phase = ? WHERE key = ?", (phase.value, key))
            action = "targets-fix" if phase is Phase.EVALUATION else "targets-reopen"
            self._add_revision(conn, key, rev, action, at, os_user, "", "")
            return rev

    @staticmethod
    def _check_phased(key: str, kind: str) -> None:
        """StoreError unless documents of ``kind`` have phases (xlgen.kinds: Kind.phased)."""
        if not kinds.get(kind).phased:
            labels = "·".join(k.label for k in kinds.all_kinds() if k.phased)
            raise StoreError(
                f"'{key}'{particle(key, '은/는')} {labels} 문서가 아니라 목표 설정 단계가 없습니다."
            )

    @staticmethod
    def _next_revision(conn: sqlite3.Connection, key: str) -> int:
        row = conn.execute(
            "SELECT max(r) FROM (SELECT revision AS r FROM documents WHERE key = ? "
            "UNION ALL SELECT revision FROM revisions WHERE doc_key = ?)",
            (key, key),
        ).fetchone()
        return (row[0] or 0) + 1

    @staticmethod
    def _add_revision(
        conn: sqlite3.Connection,
        key: str,
        rev: int,
        action: str,
        at: str,
        user: str,
        file_name: str,
        file_hash: str,
        undoes: int | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO revisions (doc_key, revision, action, at, os_user, file_name, "
            "file_hash, undoes) VALUES (?,?,?,?,?,?,?,?)",
            (key, rev, action, at, user, file_name, file_hash, undoes),
        )
        conn.execute(
            "UPDATE documents SET revision = ?, saved_at = ? WHERE key = ?", (rev, at, key)
        )

    @staticmethod
    def _add_history(
        conn: sqlite3.Connection,
        key: str,
        rev: int,
        at: str,
        user: str,
        file_name: str,
        file_hash: str,
        changed: Iterable[Change],
    ) -> None:
        conn.executemany(
            "INSERT INTO history (doc_key, revision, at, os_user, file_name, file_hash, "
            "record_key, field, old, new) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    key,
                    rev,
                    at,
                    user,
                    file_name,
                    file_hash,
                    rk,
                    f,
                    codec.encode_value(old),
                    codec.encode_value(new),
                )
                for rk, f, old, new in changed
            ),
        )

    # ------------------------------------------------------------------ imports

    def apply_batches(
        self,
        key: str,
        batches: Iterable[tuple[str, str, Iterable[Change]]],
        *,
        os_user: str,
        expected_revision: int | None = None,
        submissions: Iterable[Submitted] = (),
    ) -> int:
        """Apply an import's changes to an evaluation in one transaction; return the revision.

        ``batches`` are the files' changes (file name, file hash, changes) as ONE import:
        one transaction and one revision, all or nothing; each history row names its own
        file. A change is (record_key, field, old, new) with field "actual", "note" or (in
        the 목표 설정 phase) "target". ``old`` must match the stored value (100 matches
        100.0, floats within 1e-12, a note's None matches ""), else StoreConflictError; the
        history keeps the exact stored value. With ``expected_revision``, the store must
        still be at that revision (guards the gap between a conflict check and this call).
        Changes whose new value is already stored (same type and value) are skipped; when
        nothing is left, nothing is written and the current revision is returned. Otherwise
        the revision is bumped and one "import" revision row plus one history row per
        changed value are written.

        ``submissions``: the department workbooks among the files; each is recorded in the
        same transaction (also when it changed nothing), with the number of values its file
        changed, so that `xlgen status` shows who has returned their workbook."""
        submitted = list(submissions)
        files = [(name, digest, list(changes)) for name, digest, changes in batches]
        _check_new_values(files)
        at = _now()
        with self._transaction() as conn:
            kind, *_, current, _body, phase = self._doc_row(conn, key)
            _check_import_allowed(key, kind, phase, current, expected_revision, files)
            per_file = self._real_changes(conn, key, files)
            if not per_file:
                self._add_submissions(conn, key, submitted, current, None, {}, at, os_user)
                return current
            rev = self._write_import(conn, key, per_file, at, os_user)
            counts = {name: len(changed) for name, _digest, changed in per_file}
            self._add_submissions(conn, key, submitted, rev, rev, counts, at, os_user)
            return rev

    def _real_changes(
        self, conn: sqlite3.Connection, key: str, batches: list[tuple[str, str, list[Change]]]
    ) -> list[tuple[str, str, list[Change]]]:
        """Each file's changes checked against the stored values (a record that is not
        there, an ``old`` that is not what is stored: refused), keeping only those whose
        new value is not already stored, each with the exact stored old value; files left
        with none are dropped."""
        current_values = {
            rk: (a, n, t)
            for rk, a, n, t in conn.execute(
                "SELECT record_key, actual, note, target FROM indicators WHERE doc_key = ?",
                (key,),
            )
        }
        position = {"actual": 0, "note": 1, "target": 2}
        per_file: list[tuple[str, str, list[Change]]] = []
        for name, digest, changes in batches:
            changed: list[Change] = []
            for rk, f, old, new in changes:
                if f not in FIELDS:
                    raise StoreError(f"바꿀 수 없는 항목입니다: {f!r}")
                if rk not in current_values:
                    raise NotFoundError(
                        f"'{key}' 문서에 레코드 {rk}{particle(rk, '이/가')} 없습니다."
                    )
                stored = current_values[rk][position[f]]
                if not codec.same_as_stored(f, stored, old):
                    raise StoreConflictError(
                        f"레코드 {rk}의 {FIELD_NAMES[f]} 값이 저장소에서는 {stored!r}인데 "
                        f"가져오기는 {old!r}{particle(repr(old), '을/를')} 기준으로 합니다. 다시 가져오세요."
                    )
                if (
                    stored != new
                    or type(stored) is not type(new)
                    or codec.encode_value(stored) != codec.encode_value(new)
                ):  # -0.0 vs 0.0
                    changed.append((rk, f, stored, new))
            if changed:
                per_file.append((name, digest, changed))
        return per_file

    def _write_import(
        self,
        conn: sqlite3.Connection,
        key: str,
        per_file: list[tuple[str, str, list[Change]]],
        at: str,
        os_user: str,
    ) -> int:
        """One "import" revision naming every file, the new values, and a history row per
        changed value naming its file; returns the revision."""
        rev = self._next_revision(conn, key)
        self._add_revision(
            conn,
            key,
            rev,
            "import",
            at,
            os_user,
            ", ".join(n for n, _, _ in per_file),
            ",".join(d for _, d, _ in per_file),
        )
        for name, digest, changed in per_file:
            for f in FIELDS:
                conn.executemany(
                    f"UPDATE indicators SET {f} = ? WHERE doc_key = ? AND record_key = ?",
                    ((new, key, rk) for rk, field, _old, new in changed if field == f),
                )
            self._add_history(conn, key, rev, at, os_user, name, digest, changed)
        return rev

    def _value(self, conn: sqlite3.Connection, key: str, record_key: str, field: str) -> Any:
        if field not in FIELDS:
            raise StoreError(f"바꿀 수 없는 항목입니다: {field!r}")
        row = conn.execute(
            f"SELECT {field} FROM indicators WHERE doc_key = ? AND record_key = ?",
            (key, record_key),
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"'{key}' 문서에 레코드 {record_key}{particle(record_key, '이/가')} 없습니다."
            )
        return row[0]

    def _write_changes(
        self,
        conn: sqlite3.Connection,
        key: str,
        rev: int,
        action: str,
        at: str,
        user: str,
        file_name: str,
        file_hash: str,
        changed: list[Change],
        undoes: int | None = None,
    ) -> None:
        for rk, f, _old, new in changed:
            conn.execute(
                f"UPDATE indicators SET {f} = ? WHERE doc_key = ? AND record_key = ?",
                (new, key, rk),
            )
        self._add_revision(conn, key, rev, action, at, user, file_name, file_hash, undoes)
        self._add_history(conn, key, rev, at, user, file_name, file_hash, changed)

    def undo_last(self, key: str, *, os_user: str) -> int:
        """Revert the most recent import not yet undone; return the new ("undo") revision.

        Values are restored exactly (type included). Several calls undo several imports,
        newest first. A save of the document (e.g. "parse") is a barrier: imports before it
        cannot be undone. Raises NothingToUndoError when there is nothing to revert.
        """
        at = _now()
        with self._transaction() as conn:
            self._doc_row(conn, key)
            revs = conn.execute(
                "SELECT revision, action, undoes, file_name, file_hash FROM revisions "
                "WHERE doc_key = ? ORDER BY revision DESC",
                (key,),
            ).fetchall()
            undone = {r[2] for r in revs if r[1] == "undo"}
            target = barrier = None
            for r in revs:
                if r[1] == "undo" or (r[1] == "import" and r[0] in undone):
                    continue
                target, barrier = (r, None) if r[1] == "import" else (None, r)
                break
            if target is None:
                raise NothingToUndoError(_nothing_to_undo(key, barrier))
            target_rev, _, _, file_name, file_hash = target
            changed: list[Change] = []
            for rk, f, old, new in conn.execute(
                "SELECT record_key, field, old, new FROM history WHERE doc_key = ? "
                "AND revision = ? ORDER BY id DESC",
                (key, target_rev),
            ).fetchall():
                stored = self._value(conn, key, rk, f)
                if codec.encode_value(stored) != new:
                    raise StoreConflictError(
                        f"레코드 {rk}의 {FIELD_NAMES[f]} 값이 리비전 {target_rev} 이후 바뀌어 "
                        "되돌릴 수 없습니다."
                    )
                changed.append((rk, f, stored, codec.decode_value(old)))
            rev = self._next_revision(conn, key)
            self._write_changes(
                conn,
                key,
                rev,
                "undo",
                at,
                os_user,
                file_name,
                file_hash,
                changed,
                undoes=target_rev,
            )
            return rev

    # ------------------------------------------------------------------ history

    def history(self, key: str) -> list[RevisionInfo]:
        """Every write to ``key``, newest first, with the number of values each changed."""
        with self._transaction(write=False) as conn:
            self._doc_row(conn, key)
            rows = conn.execute(
                "SELECT r.revision, r.action, r.at, r.os_user, r.file_name, r.file_hash, "
                "(SELECT count(*) FROM history h WHERE h.doc_key = r.doc_key "
                " AND h.revision = r.revision), r.undoes "
                "FROM revisions r WHERE r.doc_key = ? ORDER BY r.revision DESC",
                (key,),
            ).fetchall()
        return [RevisionInfo(*r) for r in rows]

    def history_entries(self, key: str, revision: int | None = None) -> list[HistoryEntry]:
        """The changed values of ``key`` (of one revision if given), oldest first."""
        sql = (
            "SELECT revision, at, os_user, file_name, file_hash, record_key, field, old, new "
            "FROM history WHERE doc_key = ?"
        )
        params: tuple[Any, ...] = (key,)
        decode = codec.decode_value
        if revision is not None:
            sql, params = sql + " AND revision = ?", (key, revision)
        with self._transaction(write=False) as conn:
            self._doc_row(conn, key)
            rows = conn.execute(sql + " ORDER BY id", params).fetchall()
        return [
            HistoryEntry(rev, at, user, name, digest, rk, f, decode(old), decode(new))
            for rev, at, user, name, digest, rk, f, old, new in rows
        ]

    def changed_since(self, key: str, revision: int) -> dict[tuple[str, str], tuple[Any, Any]]:
        """Values that differ now from what they were at ``revision``.

        Maps (record_key, field) to (value at ``revision``, current value; None if the record
        is gone). A value changed and changed back (e.g. imported, then undone) is not listed.
        For an import: a workbook built at revision r conflicts on exactly these values.
        """
        with self._transaction(write=False) as conn:
            self._doc_row(conn, key)
            rows = conn.execute(
                "SELECT h.record_key, h.field, h.old, i.actual, i.note, i.target, i.record_key "
                "FROM history h LEFT JOIN indicators i "
                "ON i.doc_key = h.doc_key AND i.record_key = h.record_key "
                "WHERE h.id IN (SELECT min(id) FROM history WHERE doc_key = ? AND revision > ? "
                "GROUP BY record_key, field)",
                (key, revision),
            ).fetchall()
        result = {}
        for rk, f, old, actual, note, target, present in rows:
            values = {"actual": actual, "note": note, "target": target}
            now = values.get(f) if present is not None else None
            if present is None or codec.encode_value(now) != old:
                result[(rk, f)] = (codec.decode_value(old), now)
        return result


def _nothing_to_undo(key: str, barrier: tuple[Any, ...] | None) -> str:
    """Why `undo` has nothing to revert: no import left, or (a carried-over year) the
    targets were fixed or reopened after the imports, which `undo` never crosses so that
    fixed targets cannot change behind the desk's back; then how to change them again."""
    message = f"'{key}' 문서에는 되돌릴 가져오기가 없습니다."
    if barrier is None or barrier[1] not in ("targets-fix", "targets-reopen"):
        return message
    what = "목표 확정" if barrier[1] == "targets-fix" else "목표 다시 열기"
    message += (
        f" 리비전 {barrier[0]}의 {what} 앞의 가져오기는 되돌릴 수 없습니다 (확정한 목표가 "
        "몰래 바뀌지 않도록)."
    )
    if barrier[1] == "targets-fix":
        message += (
            f" 목표를 다시 고치려면 xlgen targets {key} --reopen 한 뒤 고친 통합문서를 가져오세요."
        )
    return message


def _check_new_values(batches: list[tuple[str, str, list[Change]]]) -> None:
    """Every new value is one the store keeps for its field, and no (record, field) is
    changed twice in one import (before the store is opened for writing)."""
    seen: set[tuple[str, str]] = set()
    for _name, _digest, changes in batches:
        for rk, f, _old, new in changes:
            codec.check_value(f, new, f"레코드 {rk}")
            if (rk, f) in seen:
                raise StoreError(f"레코드 {rk}의 {f} 변경이 두 번 들어 있습니다.")
            seen.add((rk, f))


def _check_import_allowed(
    key: str,
    kind: str,
    phase: str | None,
    current: int,
    expected_revision: int | None,
    batches: list[tuple[str, str, list[Change]]],
) -> None:
    """The stored document takes this import: its kind is importable, 목표 is changed
    only while the targets are set, and it is still at ``expected_revision`` (if given)."""
    if not kinds.get(kind).importable:
        labels = "·".join(k.label for k in kinds.importable())
        raise StoreError(
            f"'{key}'{particle(key, '은/는')} {labels} 문서가 아니라 실적을 가져올 수 없습니다."
        )
    if phase != Phase.TARGETS.value and any(
        f == "target" for _n, _d, changes in batches for _rk, f, _o, _v in changes
    ):
        raise StoreConflictError(
            f"'{key}'의 목표는 확정되어 바꿀 수 없는 항목입니다 (단계: "
            f"{phase or Phase.EVALUATION.value}). 목표를 다시 고치려면 먼저 xlgen targets "
            f"{key} --reopen 하세요."
        )
    if expected_revision is not None and expected_revision != current:
        raise StoreConflictError(
            f"'{key}' 문서가 그사이 바뀌었습니다 (기대한 리비전 {expected_revision}, "
            f"현재 {current}). 다시 가져오세요."
        )


def _quick_check(conn: sqlite3.Connection) -> list[str]:
    """What SQLite's quick check finds wrong with the store (empty when nothing)."""
    try:
        rows = conn.execute(f"PRAGMA quick_check({INTEGRITY_REPORT})").fetchall()
    except sqlite3.DatabaseError as exc:
        if "interrupt" in str(exc):
            raise
        return [str(exc)]
    return [str(row[0]) for row in rows if row and row[0] != "ok"]


class _IntegrityCheck:
    """The store's quick check, run in a thread on its own read-only connection (SQLite
    releases the GIL while it reads pages)."""

    def __init__(self, path: Path) -> None:
        self._problems: list[str] | None = None
        self._conn: sqlite3.Connection | None = None
        try:
            uri = path.resolve().as_uri() + "?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except (sqlite3.Error, ValueError, OSError):
            self._thread = None
            return
        self._thread = threading.Thread(target=self._run, name="xlgen-store-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._conn is not None
        try:
            self._problems = _quick_check(self._conn)
        except sqlite3.Error:
            self._problems = None  # interrupted or could not read: the writer checks itself

    def result(self) -> list[str] | None:
        """The problems found (empty: none), or None when the check could not be made."""
        if self._thread is None:
            return None
        self._thread.join()
        self._close()
        return self._problems

    def stop(self) -> None:
        if self._thread is not None and self._conn is not None:
            self._conn.interrupt()
            self._thread.join()
        self._close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
