"""The shared editorial store: PostgreSQL (`CURBSIDE_DATABASE_URL=postgresql://…`), so that
several server processes, on one host or several, share articles, reviews, accounts,
sessions and one audit chain.

Every unit of work takes one transaction-scoped advisory lock before it reads anything: the
board's writers are serialised as SQLite's single writer is, so each audit entry chains to
the newest committed one and no two approvals act on the same old state; reads of an
article's state inside it also lock the row (FOR UPDATE). Columns keep SQLite's types (times
as ISO text, details as the JSON text that was hashed), so the chain verifies identically.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import conninfo

from curbside.errors import LibraryError
from curbside.store.sql import Row, SQLEditorialStore

# The advisory lock of the board's writes ("Curb"); any fixed number unique to Curbside.
WRITE_LOCK = 0x43757262
SCHEMA_VERSION = 2
IDLE_CONNECTIONS = 8  # kept open between requests: a new one costs a few milliseconds

_FUNCTION_BODY = " BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; "
# The guards as pg_get_triggerdef shows them, schema names aside.
TRIGGERS = {
    "audit_no_update": "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
                       "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "audit_no_delete": "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
                       "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "audit_no_truncate": "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
                         "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
}
# `ord` columns keep insertion order where SQLite uses its rowid.
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    follows TEXT,
    question TEXT NOT NULL,
    audience TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'submitted',
    claimed_by TEXT,
    retired_reason TEXT,
    new_evidence TEXT,
    ord BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);
CREATE INDEX IF NOT EXISTS articles_by_thread ON articles (thread_id, created_at);
CREATE INDEX IF NOT EXISTS articles_by_time ON articles (created_at);
CREATE INDEX IF NOT EXISTS articles_by_status ON articles (status, created_at);
CREATE TABLE IF NOT EXISTS versions (
    article_id TEXT NOT NULL REFERENCES articles (id),
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    digest TEXT NOT NULL,
    author TEXT NOT NULL,
    change TEXT NOT NULL,
    created_at TEXT NOT NULL,
    approved_at TEXT,
    PRIMARY KEY (article_id, number)
);
CREATE TABLE IF NOT EXISTS reviews (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id),
    version INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL,
    comment TEXT NOT NULL,
    statement INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_by_article ON reviews (article_id, version);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash TEXT PRIMARY KEY,
    "user" TEXT NOT NULL REFERENCES users (name),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    ord BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);
CREATE TABLE IF NOT EXISTS sessions (
    session_hash TEXT PRIMARY KEY,
    "user" TEXT NOT NULL REFERENCES users (name),
    csrf TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reader_answers (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    follows TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_as TEXT,
    ord BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);
CREATE INDEX IF NOT EXISTS reader_answers_by_time ON reader_answers (created_at);
CREATE INDEX IF NOT EXISTS reader_answers_by_thread ON reader_answers (thread_id, created_at);
CREATE TABLE IF NOT EXISTS audit (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    article_id TEXT,
    version INTEGER,
    digest TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql
AS $${_FUNCTION_BODY}$$;
{";".join(TRIGGERS.values())};
CREATE TABLE IF NOT EXISTS curbside_schema (version INTEGER NOT NULL);
"""
# Failed sign-ins (and invalid API tokens), counted where every server process sees them
# (curbside/web/throttle.py); times are the Unix clock, which all processes share.
ATTEMPTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS sign_in_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_attempts_by_key ON sign_in_attempts (kind, key, at);
CREATE INDEX IF NOT EXISTS sign_in_attempts_by_time ON sign_in_attempts (at);
"""
# Each version's statements, applied in order to a database at an older one.
MIGRATIONS = {1: SCHEMA, 2: ATTEMPTS_SCHEMA}


class DatabaseUnavailableError(LibraryError):
    """The shared database cannot be reached (the web answers 503, the CLI says why)."""


def _unavailable(error: psycopg.OperationalError) -> DatabaseUnavailableError:
    # The driver's message names host and port, never the password.
    reason = str(error).strip().splitlines()[0] if str(error).strip() else "no reply"
    return DatabaseUnavailableError(
        f"Cannot use the PostgreSQL database of CURBSIDE_DATABASE_URL ({reason}). Check that "
        "the server runs and accepts this user, or unset CURBSIDE_DATABASE_URL to use the "
        "library's own SQLite file.")


def _identity(url: str) -> str:
    """Which database a URL names, without its password: names the audit head file."""
    parts = conninfo.conninfo_to_dict(url)
    where = f"{parts.get('host', '')}:{parts.get('port', '')}/{parts.get('dbname', '')}"
    return hashlib.sha256(where.encode()).hexdigest()[:12]


class PostgresEditorialStore(SQLEditorialStore):
    """Safe to share between threads: each unit of work, or each statement outside one,
    takes a connection from a small pool of its own."""

    ORDER = "ord"
    location = "the PostgreSQL database"

    def __init__(self, url: str, head_dir: Path | None):
        self._url = url
        # Each host keeps the head it last saw beside its library: it only moves forward,
        # so a host's file can lag the shared chain but never run ahead of it.
        self._head = head_dir / f"audit-head-pg-{_identity(url)}.json" if head_dir else None
        self._idle: list[psycopg.Connection[Row]] = []
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def head_path(self) -> Path | None:
        return self._head

    # -- connections -------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Row]:
        try:
            return psycopg.connect(self._url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as error:
            raise _unavailable(error) from None

    @contextmanager
    def _pooled(self) -> Iterator[psycopg.Connection[Row]]:
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None or connection.closed:
            connection = self._connect()
        try:
            yield connection
        except BaseException:
            connection.close()  # whatever it was in the middle of, it is not reused
            raise
        with self._lock:
            if len(self._idle) < IDLE_CONNECTIONS and not connection.closed:
                self._idle.append(connection)
                return
        connection.close()

    def _current(self) -> psycopg.Connection[Row] | None:
        """The connection of this thread's unit of work, if one is open."""
        connection: psycopg.Connection[Row] | None = getattr(self._local, "connection", None)
        return connection

    def _run(self, sql: str, params: Sequence[object]) -> tuple[list[Row], int]:
        query = sql.replace("?", "%s")
        args = tuple(params) if params else None

        def on(connection: psycopg.Connection[Row]) -> tuple[list[Row], int]:
            cursor = connection.execute(query, args)
            rows = cursor.fetchall() if cursor.description else []
            return rows, cursor.rowcount

        try:
            current = self._current()
            if current is not None:
                return on(current)
            with self._pooled() as connection:
                return on(connection)
        except psycopg.OperationalError as error:  # the server went away mid-request
            raise _unavailable(error) from None

    def execute(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self._run(sql, params)[0]

    def executed(self, sql: str, params: Sequence[object] = ()) -> int:
        return self._run(sql, params)[1]

    def _locking(self) -> str:
        return " FOR UPDATE" if self._current() is not None else ""

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._current() is not None:
            yield  # a unit of work inside another is part of it
            return
        with self._pooled() as connection, connection.transaction():
            # Before any read: the state this unit of work sees is the newest committed.
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            self._local.connection = connection
            try:
                yield
            finally:
                self._local.connection = None

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    # -- the schema --------------------------------------------------------------------------

    def _has_table(self, name: str) -> bool:
        row = self._one("SELECT to_regclass(?) IS NOT NULL", (name,))
        return bool(row and row[0])

    def _version(self) -> int:
        if not self._has_table("curbside_schema"):
            return 0
        row = self._one("SELECT max(version) FROM curbside_schema")
        return int(row[0]) if row and row[0] is not None else 0

    def schema_current(self) -> bool:
        return self._version() >= SCHEMA_VERSION

    def create_schema(self) -> bool:
        with self.transaction():  # the lock: servers starting together migrate once
            version = self._version()
            if version >= SCHEMA_VERSION:
                return False
            had_audit = self._has_table("audit")
            current = self._current()
            assert current is not None
            for number in range(version + 1, SCHEMA_VERSION + 1):
                current.execute(MIGRATIONS[number].encode())  # several statements at once
                current.execute("INSERT INTO curbside_schema (version) VALUES (%s)", (number,))
        return had_audit

    # -- sign-in attempts (the throttle of several server processes) -----------------------

    def attempts(self, kind: str, key: str, since: float) -> list[float]:
        rows = self.execute("SELECT at FROM sign_in_attempts WHERE kind = ? AND key = ? AND "
                            "at > ? ORDER BY at", (kind, key, since))
        return [float(r[0]) for r in rows]

    def add_attempt(self, kind: str, key: str, at: float) -> None:
        self.execute("INSERT INTO sign_in_attempts (kind, key, at) VALUES (?, ?, ?)",
                     (kind, key, at))

    def remove_attempts(self, kind: str, key: str, at: float | None) -> None:
        if at is None:
            self.execute("DELETE FROM sign_in_attempts WHERE kind = ? AND key = ?", (kind, key))
        else:
            self.execute("DELETE FROM sign_in_attempts WHERE id = (SELECT id FROM "
                         "sign_in_attempts WHERE kind = ? AND key = ? AND at = ? LIMIT 1)",
                         (kind, key, at))

    def prune_attempts(self, before: float) -> None:
        self.execute("DELETE FROM sign_in_attempts WHERE at <= ?", (before,))

    def audit_guard_problems(self) -> list[str]:
        rows = self.execute(
            "SELECT t.tgname, t.tgenabled, pg_get_triggerdef(t.oid), p.prosrc "
            "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = to_regclass('audit') AND NOT t.tgisinternal")
        found = {name: (enabled, re.sub(r"\b\w+\.(audit|audit_append_only)\b", r"\1", sql),
                        source) for name, enabled, sql, source in rows}
        problems = []
        for name, expected in TRIGGERS.items():
            if name not in found:
                problems.append(f"the append-only trigger {name} is missing (dropped), so "
                                "entries could have been changed or deleted")
                continue
            enabled, definition, source = found[name]
            if definition != expected or " ".join(source.split()) != _FUNCTION_BODY.strip():
                problems.append(f"the append-only trigger {name} was replaced by another")
            elif enabled not in ("O", "A"):
                problems.append(f"the append-only trigger {name} is disabled, so entries "
                                "could have been changed or deleted")
        return problems
