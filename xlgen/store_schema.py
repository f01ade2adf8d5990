"""Schema of the SQLite store, its migrations, and Korean messages for SQLite errors.

``PRAGMA user_version`` holds the schema version. ``MIGRATIONS[n - 1]`` turns a version
``n - 1`` store into a version ``n`` store; each one runs in its own transaction together
with the ``user_version`` bump, so a store is always at exactly one known version.
Never edit a migration that has shipped: append a new one.

Columns that hold document numbers (``target``, ``actual``, ``stated_rate``) are declared
without a type on purpose. A typed column has an affinity that converts values (REAL turns
``100`` into ``100.0``, NUMERIC turns ``100.0`` into ``100``); an untyped column keeps
exactly what was written, so ``int`` stays ``int`` and ``float`` stays ``float``.
Values in ``history`` are JSON text for the same reason (and because ``note`` is text).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from xlgen.errors import StoreError
from xlgen.korean import particle

SCHEMA_V1 = """
-- One row per stored document (an evaluation or a plan), under a user-chosen key.
CREATE TABLE documents (
    key           TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('evaluation', 'plan')),
    title         TEXT NOT NULL,
    org           TEXT,
    year          INTEGER,
    revision      INTEGER NOT NULL CHECK (revision >= 1),
    source_name   TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    encoding      TEXT NOT NULL DEFAULT '',
    saved_at      TEXT NOT NULL,   -- UTC ISO 8601, last write of any kind
    body          TEXT NOT NULL    -- JSON: the structure except evaluation indicators
);

-- Evaluation indicators (성과지표), one row each, in document order.
-- project_pos indexes the projects of the document in document order (see body JSON).
CREATE TABLE indicators (
    doc_key     TEXT NOT NULL REFERENCES documents(key) ON DELETE CASCADE,
    record_key  TEXT NOT NULL,
    position    INTEGER NOT NULL,
    project_pos INTEGER NOT NULL,
    bureau      TEXT NOT NULL,
    department  TEXT NOT NULL,
    project     TEXT NOT NULL,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    target      CHECK (typeof(target) IN ('integer', 'real', 'null')),
    actual      CHECK (typeof(actual) IN ('integer', 'real', 'null')),
    stated_rate CHECK (typeof(stated_rate) IN ('integer', 'real', 'null')),
    direction   TEXT NOT NULL CHECK (direction IN ('상향', '하향')),
    line        INTEGER,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (doc_key, record_key),
    UNIQUE (doc_key, position)
);

-- Every write to a document: a save ("parse", ...), an "import" or an "undo".
CREATE TABLE revisions (
    doc_key   TEXT NOT NULL,
    revision  INTEGER NOT NULL,
    action    TEXT NOT NULL,
    at        TEXT NOT NULL,       -- UTC ISO 8601
    os_user   TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    undoes    INTEGER,             -- for action 'undo': the revision it reverted
    PRIMARY KEY (doc_key, revision)
);

-- One row per changed value. old/new are JSON text: 100, 100.0, null, "text".
CREATE TABLE history (
    id         INTEGER PRIMARY KEY,
    doc_key    TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    at         TEXT NOT NULL,
    os_user    TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    file_hash  TEXT NOT NULL,
    record_key TEXT NOT NULL,
    field      TEXT NOT NULL CHECK (field IN ('actual', 'note')),
    old        TEXT NOT NULL,
    new        TEXT NOT NULL,
    FOREIGN KEY (doc_key, revision) REFERENCES revisions(doc_key, revision)
);
CREATE INDEX history_by_value ON history(doc_key, record_key, field, revision);
CREATE INDEX history_by_revision ON history(doc_key, revision);
"""

# Version 2: the department round (issue 14). A document's round is a random id that ties
# the workbooks built from one set of record keys to it (renewed when a save assigns new
# keys); department workbook builds and department submissions are recorded per round.
SCHEMA_V2 = """
ALTER TABLE documents ADD COLUMN round TEXT NOT NULL DEFAULT '';
UPDATE documents SET round = 'r' || lower(hex(randomblob(8)));

-- One row per department workbook written by `xlgen build --by-department`.
CREATE TABLE department_builds (
    id         INTEGER PRIMARY KEY,
    doc_key    TEXT NOT NULL,
    round      TEXT NOT NULL,
    department TEXT NOT NULL,
    revision   INTEGER NOT NULL,   -- the store revision the workbook was built from
    at         TEXT NOT NULL,      -- UTC ISO 8601
    os_user    TEXT NOT NULL,
    file_name  TEXT NOT NULL
);
CREATE INDEX department_builds_by_doc ON department_builds(doc_key, round);

-- One row per department workbook imported (also when it changed nothing).
CREATE TABLE submissions (
    id             INTEGER PRIMARY KEY,
    doc_key        TEXT NOT NULL,
    round          TEXT NOT NULL,
    department     TEXT NOT NULL,
    revision       INTEGER NOT NULL,  -- the store revision after the import
    imported       INTEGER,           -- the import revision holding its changes; NULL: none
    built_revision INTEGER NOT NULL,  -- the revision its workbook was built from
    at             TEXT NOT NULL,
    os_user        TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    file_hash      TEXT NOT NULL,
    changes        INTEGER NOT NULL CHECK (changes >= 0)
);
CREATE INDEX submissions_by_doc ON submissions(doc_key, round);
"""

# Version 3: next year's form (`xlgen new`, `xlgen targets`), and documents of any kind.
# - documents.phase: an evaluation's 평가 or 목표 설정 (NULL for a kind without phases);
# - documents.kind loses its CHECK (kind IN ('evaluation', 'plan')): the kinds are the
#   registry's (xlgen.kinds), which the store asks on every save and load, so a third kind
#   needs no migration;
# - indicators.prev_target / prev_actual: last year's 목표 and 실적, shown as reference;
# - history may record 목표 ("target") changes, imported in the 목표 설정 phase.
# SQLite cannot alter a CHECK constraint, so documents, indicators and history are rebuilt
# with every row, in this migration's one transaction. The store runs with foreign_keys ON
# (which cannot change inside a transaction), and dropping a table deletes its rows first,
# which cascades from documents to any indicators that reference it: so indicators are
# rebuilt too, copied before anything is dropped and referencing the new documents table;
# renaming documents_v3 to documents rewrites that reference (SQLite >= 3.26 renames
# references with the table).
SCHEMA_V3 = """
CREATE TABLE documents_v3 (
    key           TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL CHECK (kind <> ''),
    title         TEXT NOT NULL,
    org           TEXT,
    year          INTEGER,
    revision      INTEGER NOT NULL CHECK (revision >= 1),
    source_name   TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    encoding      TEXT NOT NULL DEFAULT '',
    saved_at      TEXT NOT NULL,
    body          TEXT NOT NULL,
    round         TEXT NOT NULL DEFAULT '',
    phase         TEXT CHECK (phase IS NULL OR phase IN ('평가', '목표 설정'))
);
INSERT INTO documents_v3 (key, kind, title, org, year, revision, source_name, source_sha256,
    encoding, saved_at, body, round, phase)
    SELECT key, kind, title, org, year, revision, source_name, source_sha256, encoding,
        saved_at, body, round, CASE WHEN kind = 'evaluation' THEN '평가' END
    FROM documents;
CREATE TABLE indicators_v3 (
    doc_key     TEXT NOT NULL REFERENCES documents_v3(key) ON DELETE CASCADE,
    record_key  TEXT NOT NULL,
    position    INTEGER NOT NULL,
    project_pos INTEGER NOT NULL,
    bureau      TEXT NOT NULL,
    department  TEXT NOT NULL,
    project     TEXT NOT NULL,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    target      CHECK (typeof(target) IN ('integer', 'real', 'null')),
    actual      CHECK (typeof(actual) IN ('integer', 'real', 'null')),
    stated_rate CHECK (typeof(stated_rate) IN ('integer', 'real', 'null')),
    direction   TEXT NOT NULL CHECK (direction IN ('상향', '하향')),
    line        INTEGER,
    note        TEXT NOT NULL DEFAULT '',
    prev_target CHECK (typeof(prev_target) IN ('integer', 'real', 'null')),
    prev_actual CHECK (typeof(prev_actual) IN ('integer', 'real', 'null')),
    PRIMARY KEY (doc_key, record_key),
    UNIQUE (doc_key, position)
);
INSERT INTO indicators_v3 (doc_key, record_key, position, project_pos, bureau, department,
    project, name, unit, target, actual, stated_rate, direction, line, note)
    SELECT doc_key, record_key, position, project_pos, bureau, department, project, name,
        unit, target, actual, stated_rate, direction, line, note
    FROM indicators;
DROP TABLE indicators;
DROP TABLE documents;
ALTER TABLE documents_v3 RENAME TO documents;
ALTER TABLE indicators_v3 RENAME TO indicators;
CREATE TABLE history_v3 (
    id         INTEGER PRIMARY KEY,
    doc_key    TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    at         TEXT NOT NULL,
    os_user    TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    file_hash  TEXT NOT NULL,
    record_key TEXT NOT NULL,
    field      TEXT NOT NULL CHECK (field IN ('actual', 'note', 'target')),
    old        TEXT NOT NULL,
    new        TEXT NOT NULL,
    FOREIGN KEY (doc_key, revision) REFERENCES revisions(doc_key, revision)
);
INSERT INTO history_v3 (id, doc_key, revision, at, os_user, file_name, file_hash, record_key,
    field, old, new)
    SELECT id, doc_key, revision, at, os_user, file_name, file_hash, record_key, field, old, new
    FROM history;
DROP TABLE history;
ALTER TABLE history_v3 RENAME TO history;
CREATE INDEX history_by_value ON history(doc_key, record_key, field, revision);
CREATE INDEX history_by_revision ON history(doc_key, revision);
"""

MIGRATIONS: list[str] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3]
"""Ordered migration scripts; the store's version after applying ``MIGRATIONS[:n]`` is n."""

SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> Iterator[str]:
    """Split an SQL script into complete statements (trigger bodies stay whole).

    ``Connection.executescript`` would commit any open transaction first, which would break
    "one transaction per migration", so migrations are run statement by statement.
    """
    buf = ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \t\r\n;"):
                yield buf.strip()
            buf = ""
    if buf.strip(" \t\r\n;"):
        raise ValueError(f"incomplete SQL statement at end of script: {buf.strip()[:80]!r}")


def damaged_message(path: Path, detail: str) -> str:
    """The refusal for a store SQLite finds damaged (nothing was written)."""
    return (
        f"저장소 {path}{particle(path, '이/가')} 손상되었습니다 (SQLite 무결성 검사: {detail[:200]}). "
        "아무것도 쓰지 않았습니다. 백업해 둔 저장소 파일로 바꾸거나, 새 저장소에 "
        "문서를 다시 읽어 들인 뒤(xlgen load) 다시 시도하세요."
    )


def sqlite_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """A StoreError with a Korean message for an sqlite3 exception on the store at ``path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return StoreError(
            f"저장소 {path}{particle(path, '을/를')} 다른 xlgen 작업이 사용 중이라 기다렸지만 끝나지 않았습니다. "
            "다른 작업이 끝난 뒤 다시 시도하세요."
        )
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return StoreError(damaged_message(path, text))
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return StoreError(
            f"{path}{particle(path, '은/는')} xlgen 저장소(SQLite) 파일이 아니거나 손상되었습니다."
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return StoreError(
            f"저장소 파일 {path}{particle(path, '을/를')} 열 수 없습니다. 경로와 권한을 확인하세요."
        )
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return StoreError(f"디스크 공간이 부족해 저장소 {path}에 쓰지 못했습니다.")
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return StoreError(f"저장소 {path}에 쓸 권한이 없습니다.")
    return StoreError(f"저장소 {path} 작업에 실패했습니다: {text}")
