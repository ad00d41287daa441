"""The embedded editorial store: tables in the library's own SQLite file, on the library's
connection (so a request's reads and the board's writes see one database)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from curbside.store.sql import Row, SQLEditorialStore

DEFAULT_TOKEN_DAYS = 30  # what tokens issued before tokens expired are given from now on

ARTICLES_SCHEMA = """
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
    new_evidence TEXT
);
CREATE INDEX IF NOT EXISTS articles_by_thread ON articles (thread_id, created_at);
CREATE INDEX IF NOT EXISTS articles_by_time ON articles (created_at);
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
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id),
    version INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL,
    comment TEXT NOT NULL,
    statement INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_by_article ON reviews (article_id, version);
CREATE INDEX IF NOT EXISTS articles_by_status ON articles (status, created_at);
"""
AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
ACCOUNTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    session_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    csrf TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"""
# Answers made for readers, kept apart from the board's articles: a bounded cache (see
# curbside/editorial/readers.py) so the reader can open, export and follow up what they got.
READER_SCHEMA = """
CREATE TABLE IF NOT EXISTS reader_answers (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    follows TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_as TEXT
);
CREATE INDEX IF NOT EXISTS reader_answers_by_time ON reader_answers (created_at);
CREATE INDEX IF NOT EXISTS reader_answers_by_thread ON reader_answers (thread_id, created_at);
"""
# The newest table: when it exists, every table, column and index of this version does, and
# opening a library takes no write lock (an ingest may hold it). Change it with each migration.
SCHEMA_MARKER = "reader_answers"
HEAD_FILE = "audit-head.json"
# The triggers as SQLite keeps them (without IF NOT EXISTS, whitespace collapsed), by name.
TRIGGERS = {match.group(1): " ".join(match.group(0).replace(" IF NOT EXISTS", "").split())
            for match in re.finditer(r"CREATE TRIGGER IF NOT EXISTS (\w+) .*?END", AUDIT_SCHEMA,
                                     re.DOTALL)}


def _statements(script: str) -> list[str]:
    """The script's statements one by one (triggers hold semicolons of their own)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def _stamp_in(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")


class SQLiteEditorialStore(SQLEditorialStore):
    """On a connection opened in autocommit mode (`isolation_level=None`), as the library's
    is; the library owns and closes it."""

    location = "library.sqlite3"

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    @property
    def head_path(self) -> Path | None:
        """Beside the database file (None for an in-memory one)."""
        for _, name, file in self.connection.execute("PRAGMA database_list"):
            if name == "main" and file:
                return Path(file).parent / HEAD_FILE
        return None

    def execute(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self.connection.execute(sql, tuple(params)).fetchall()

    def executed(self, sql: str, params: Sequence[object] = ()) -> int:
        return self.connection.execute(sql, tuple(params)).rowcount

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # IMMEDIATE: the write lock first, so two writers never both read the old state;
        # all of a change or none of it, even if the process is killed half-way.
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def close(self) -> None:
        pass  # the library's connection

    # -- the schema --------------------------------------------------------------------------

    def _has_table(self, name: str) -> bool:
        return bool(self.connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone())

    def schema_current(self) -> bool:
        return self._has_table(SCHEMA_MARKER)

    def create_schema(self) -> bool:
        with self.transaction():
            had_audit = self._has_table("audit")
            tokens = {r[1] for r in self.connection.execute("PRAGMA table_info(api_tokens)")}
            for statement in _statements(ARTICLES_SCHEMA + AUDIT_SCHEMA + ACCOUNTS_SCHEMA):
                self.connection.execute(statement)
            if tokens and "expires_at" not in tokens:
                # Tokens issued before they expired get the default lifetime from now on.
                self.connection.execute("ALTER TABLE api_tokens ADD COLUMN expires_at TEXT")
                self.connection.execute("ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT")
                self.connection.execute("UPDATE api_tokens SET expires_at = ?",
                                        (_stamp_in(DEFAULT_TOKEN_DAYS),))
            for statement in _statements(READER_SCHEMA):
                self.connection.execute(statement)
        return had_audit

    def audit_guard_problems(self) -> list[str]:
        found = {name: " ".join(sql.split()) for name, sql in self.connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'")}
        problems = []
        for name, expected in TRIGGERS.items():
            if name not in found:
                problems.append(f"the append-only trigger {name} is missing (dropped), so "
                                "entries could have been changed or deleted")
            elif found[name] != expected:
                problems.append(f"the append-only trigger {name} was replaced by another")
        return problems
