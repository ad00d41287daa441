"""Saved articles in the library's SQLite file: immutable versions, reviews, follow-up threads.

An article's public face is its latest approved version when it has one, else its latest
version (shown as pending review). Versions are never changed or deleted.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from dataclasses import dataclass

from curbside.editorial import accounts, audit
from curbside.editorial.audit import transaction as transaction  # re-exported
from curbside.errors import CurbsideError
from curbside.library.store import Library
from curbside.models import Article

_SCHEMA = """
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
# Answers made for readers, kept apart from the board's articles: a bounded cache (see
# curbside/editorial/readers.py) so the reader can open, export and follow up what they got.
_READER_SCHEMA = """
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
QUEUE_STATUSES = ("submitted", "under review", "changes requested")


class UnknownArticleError(CurbsideError):
    def __init__(self, article_id: str) -> None:
        super().__init__(
            f"No article with id {article_id!r}. Ask the question again to make a new one, "
            "or list recent articles on the ask page."
        )


class RetiredArticleError(CurbsideError):
    def __init__(self, article_id: str, reason: str) -> None:
        super().__init__(f"Article {article_id} was retired by the editors: {reason}")


@dataclass(frozen=True)
class ArticleSummary:
    id: str
    question: str
    audience: str
    created_at: str
    status: str = "submitted"
    claimed_by: str | None = None
    new_evidence: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    number: int
    digest: str
    author: str
    change: str
    created_at: str
    approved_at: str | None


@dataclass(frozen=True)
class Review:
    version: int
    reviewer: str
    decision: str
    comment: str
    statement: int | None
    created_at: str


def version_digest(article: Article) -> str:
    """SHA-256 of what a version says: its question, statements, references and notes."""
    content = article.model_dump(include={"question", "audience", "bottom_line", "sections",
                                          "references", "editor_notes"})
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _statements(script: str) -> list[str]:
    """The script's statements one by one (triggers hold semicolons of their own)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def ensure_schema(connection: sqlite3.Connection) -> None:
    """Create the editorial tables, or bring an older library's up to date, in one
    transaction; when they are current this only reads."""
    if connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                          (SCHEMA_MARKER,)).fetchone():
        return
    with transaction(connection, audited=False):
        had_audit = bool(connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'").fetchone())
        tokens = _columns(connection, "api_tokens")
        for statement in _statements(_SCHEMA + audit.SCHEMA + accounts.SCHEMA):
            connection.execute(statement)
        if tokens and "expires_at" not in tokens:
            # Tokens issued before they expired get the default lifetime from now on.
            connection.execute("ALTER TABLE api_tokens ADD COLUMN expires_at TEXT")
            connection.execute("ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT")
            connection.execute("UPDATE api_tokens SET expires_at = ?",
                               (accounts.expiry(accounts.DEFAULT_TOKEN_DAYS),))
        for statement in _statements(_READER_SCHEMA):
            connection.execute(statement)
    if had_audit:
        audit.anchor(connection)  # a library older than the head file gets one now


class ArticleStore:
    def __init__(self, library: Library, show_approver_names: bool = True):
        self.connection: sqlite3.Connection = library.connection
        self.show_approver_names = show_approver_names
        ensure_schema(self.connection)

    # -- writing ---------------------------------------------------------------------------

    def save(self, article: Article, follows: Article | None = None, actor: str = "curbside",
             action: str = "generate", detail: dict[str, object] | None = None) -> Article:
        """Store a newly generated article as version 1 in the review queue; a follow-up joins
        its thread."""
        with transaction(self.connection):
            return self.insert_new(article, follows, actor, action, detail)

    def insert_new(self, article: Article, follows: Article | None, actor: str, action: str,
                   detail: dict[str, object] | None = None) -> Article:
        """`save`, inside a transaction the caller holds."""
        article_id = article.id or f"art-{secrets.token_hex(6)}"
        thread_id = (follows.thread_id or follows.id) if follows else article_id
        stored = article.model_copy(update={
            "id": article_id, "thread_id": thread_id, "follows": follows.id if follows else None,
            "version": 1, "status": "submitted"})
        digest = version_digest(stored)
        self.connection.execute(
            "INSERT INTO articles (id, thread_id, follows, question, audience, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (stored.id, thread_id, stored.follows, stored.question, stored.audience,
             stored.generated_at))
        self.insert_version(stored, 1, digest, stored.composer, "generated")
        audit.append(self.connection, actor, action, stored.id, 1, digest,
                     {"question": stored.question, "audience": stored.audience,
                      **(detail or {})})
        return stored

    def insert_version(self, article: Article, number: int, digest: str, author: str,
                        change: str) -> None:
        self.connection.execute(
            "INSERT INTO versions (article_id, number, body, digest, author, change, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article.id, number, article.model_dump_json(), digest, author, change,
             article.generated_at))

    # -- reading ---------------------------------------------------------------------------

    def state(self, article_id: str) -> tuple[str, str | None, str | None, str | None]:
        row = self.connection.execute(
            "SELECT status, claimed_by, retired_reason, new_evidence FROM articles WHERE id = ?",
            (article_id,)).fetchone()
        if row is None:
            raise UnknownArticleError(article_id)
        return row[0], row[1], row[2], row[3]

    def version(self, article_id: str, number: int | None = None) -> Article:
        """A version as stored (the latest when no number is given), with the article's
        current review state."""
        status, _, _, new_evidence = self.state(article_id)
        query = "SELECT body, number, approved_at FROM versions WHERE article_id = ?"
        args: tuple[object, ...] = (article_id,)
        if number is None:
            query += " ORDER BY number DESC LIMIT 1"
        else:
            query += " AND number = ?"
            args = (article_id, number)
        row = self.connection.execute(query, args).fetchone()
        if row is None:
            raise CurbsideError(f"Article {article_id} has no version {number}.")
        article = Article.model_validate_json(row[0])
        latest = self.latest_number(article_id)
        shown_status = "approved" if row[2] else (status if row[1] == latest else "submitted")
        return article.model_copy(update={
            "version": row[1], "status": shown_status, "approved_at": row[2],
            "approved_by": self._approvers(article_id, row[1]) if row[2] else [],
            "new_evidence": new_evidence if row[1] == latest else None})

    def latest_number(self, article_id: str) -> int:
        row = self.connection.execute(
            "SELECT max(number) FROM versions WHERE article_id = ?", (article_id,)).fetchone()
        if row is None or row[0] is None:
            raise UnknownArticleError(article_id)
        return int(row[0])

    def _approvers(self, article_id: str, number: int) -> list[str]:
        if not self.show_approver_names:
            return []
        rows = self.connection.execute(
            "SELECT DISTINCT reviewer FROM reviews WHERE article_id = ? AND version = ? "
            "AND decision = 'approve' ORDER BY reviewer", (article_id, number))
        return [r[0] for r in rows]

    def get(self, article_id: str) -> Article:
        """What readers see: the latest approved version, else the latest version."""
        status, _, retired_reason, _ = self.state(article_id)
        if status == "retired":
            raise RetiredArticleError(article_id, retired_reason or "no reason given")
        row = self.connection.execute(
            "SELECT max(number) FROM versions WHERE article_id = ? AND approved_at IS NOT NULL",
            (article_id,)).fetchone()
        return self.version(article_id, row[0] if row and row[0] else None)

    def versions(self, article_id: str) -> list[VersionInfo]:
        self.state(article_id)
        rows = self.connection.execute(
            "SELECT number, digest, author, change, created_at, approved_at FROM versions "
            "WHERE article_id = ? ORDER BY number", (article_id,))
        return [VersionInfo(*r) for r in rows]

    def reviews(self, article_id: str) -> list[Review]:
        rows = self.connection.execute(
            "SELECT version, reviewer, decision, comment, statement, created_at FROM reviews "
            "WHERE article_id = ? ORDER BY id", (article_id,))
        return [Review(*r) for r in rows]

    def thread(self, thread_id: str) -> list[Article]:
        rows = self.connection.execute(
            "SELECT id FROM articles WHERE thread_id = ? AND status != 'retired' "
            "ORDER BY created_at, rowid", (thread_id,))
        return [self.get(r[0]) for r in rows.fetchall()]

    def recent(self, limit: int = 10) -> list[ArticleSummary]:
        return self._summaries("WHERE status != 'retired'", limit)

    def queue(self, limit: int = 50, offset: int = 0) -> list[ArticleSummary]:
        """Articles waiting for the board, oldest first, `limit` of them from `offset`."""
        rows = self.connection.execute(
            "SELECT id, question, audience, created_at, status, claimed_by, new_evidence "
            f"FROM articles WHERE status IN {QUEUE_STATUSES} "
            "ORDER BY created_at, rowid LIMIT ? OFFSET ?", (limit, offset))
        return [ArticleSummary(*r) for r in rows]

    def queue_size(self) -> int:
        """How many articles wait for the board."""
        return int(self.connection.execute(
            f"SELECT count(*) FROM articles WHERE status IN {QUEUE_STATUSES}").fetchone()[0])

    def _summaries(self, where: str, limit: int) -> list[ArticleSummary]:
        rows = self.connection.execute(
            "SELECT id, question, audience, created_at, status, claimed_by, new_evidence "
            f"FROM articles {where} ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,))
        return [ArticleSummary(*r) for r in rows]

    def approved_ids(self) -> list[str]:
        rows = self.connection.execute(
            "SELECT DISTINCT a.id FROM articles a JOIN versions v ON v.article_id = a.id "
            "WHERE v.approved_at IS NOT NULL AND a.status != 'retired'")
        return [r[0] for r in rows]
