"""The editorial store's protocol: articles, versions, reviews, accounts, sessions, readers'
answers and the audit log, with one unit of work (`transaction`).

The workflow (curbside/editorial/) holds the rules and speaks only this protocol; the SQL
lives in the implementations: SQLite inside the library file (the embedded default) and
PostgreSQL (`CURBSIDE_DATABASE_URL`), shared by several server processes. Calls made inside
`transaction()` are one transaction; calls outside it each stand alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

QUEUE_STATUSES = ("submitted", "under review", "changes requested")


@dataclass(frozen=True)
class ArticleState:
    status: str
    claimed_by: str | None
    retired_reason: str | None
    new_evidence: str | None


@dataclass(frozen=True)
class StoredVersion:
    body: str
    number: int
    approved_at: str | None
    author: str


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


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    article_id: str | None
    version: int | None
    digest: str | None
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class TokenRow:
    token_hash: str
    user: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None


@dataclass(frozen=True)
class Credential:
    """The account behind a token or a session, with what decides whether it still holds."""

    name: str
    role: str
    expires_at: str | None
    revoked_at: str | None = None
    csrf: str = ""


class EditorialStore(Protocol):
    """Where the board's work is kept. Implementations: `SQLiteEditorialStore`,
    `PostgresEditorialStore`."""

    # What a recovery message names: "library.sqlite3", "the PostgreSQL database".
    @property
    def location(self) -> str: ...

    # The audit head file beside the library (None: nowhere to keep one).
    @property
    def head_path(self) -> Path | None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """The unit of work: everything inside commits together or not at all, and writers
        are serialised (so the audit chain and review states never interleave)."""
        ...

    def schema_current(self) -> bool: ...
    def create_schema(self) -> bool:
        """Create or bring the tables up to date; True if an audit log was there before."""
        ...

    def close(self) -> None: ...

    # -- articles, versions, reviews --------------------------------------------------------
    def insert_article(self, article_id: str, thread_id: str, follows: str | None,
                       question: str, audience: str, created_at: str) -> None: ...
    def insert_version(self, article_id: str, number: int, body: str, digest: str,
                       author: str, change: str, created_at: str) -> None: ...
    def article_state(self, article_id: str) -> ArticleState | None:
        """Locked for the rest of the transaction when called inside one."""
        ...
    def write_state(self, article_id: str, state: ArticleState) -> None: ...
    def version(self, article_id: str, number: int | None) -> StoredVersion | None: ...
    def latest_number(self, article_id: str) -> int | None: ...
    def latest_approved_number(self, article_id: str) -> int | None: ...
    def approve_version(self, article_id: str, number: int, at: str) -> None: ...
    def versions(self, article_id: str) -> list[VersionInfo]: ...
    def approvers(self, article_id: str, number: int) -> list[str]: ...
    def insert_review(self, article_id: str, number: int, reviewer: str, decision: str,
                      comment: str, statement: int | None, at: str) -> None: ...
    def reviews(self, article_id: str) -> list[Review]: ...
    def thread_ids(self, thread_id: str) -> list[str]: ...
    def recent(self, limit: int) -> list[ArticleSummary]: ...
    def queue(self, limit: int, offset: int) -> list[ArticleSummary]: ...
    def queue_size(self) -> int: ...
    def approved_ids(self) -> list[str]: ...

    # -- accounts, tokens, sessions ---------------------------------------------------------
    def insert_user(self, name: str, role: str, password_hash: str, at: str) -> bool:
        """False when the name is taken."""
        ...
    def users(self) -> list[tuple[str, str]]: ...
    def user(self, name: str) -> tuple[str, str] | None:
        """(role, password hash)."""
        ...
    def insert_token(self, token_hash: str, user: str, at: str, expires_at: str) -> None: ...
    def token(self, token_hash: str) -> Credential | None: ...
    def tokens(self, user: str | None) -> list[TokenRow]: ...
    def live_token_hashes(self, user: str) -> list[str]: ...
    def revoke_tokens(self, token_hashes: Sequence[str], at: str) -> None: ...
    def start_session(self, session_hash: str, user: str, csrf: str, expires_at: str,
                      now: str) -> None:
        """Also sweeps the sessions that have expired."""
        ...
    def session(self, session_hash: str) -> Credential | None: ...
    def end_session(self, session_hash: str) -> None: ...

    # -- the audit log (hashing and verification: curbside/editorial/audit.py) --------------
    def last_audit(self) -> tuple[int, str, str] | None:
        """(seq, hash, at) of the newest entry."""
        ...
    def insert_audit(self, at: str, actor: str, action: str, article_id: str | None,
                     version: int | None, digest: str | None, detail: str, prev_hash: str,
                     hash: str) -> None: ...
    def audit_entries(self, article_id: str | None) -> Iterator[AuditEntry]: ...
    def audit_guard_problems(self) -> list[str]:
        """What is wrong with the append-only guards (triggers), in sentences."""
        ...

    # -- readers' answers ------------------------------------------------------------------
    def put_reader_answer(self, answer_id: str, thread_id: str, follows: str | None,
                          body: str, at: str, oldest_kept: str, keep: int) -> None:
        """Keep one, dropping what is older than `oldest_kept` or beyond the newest
        `keep`."""
        ...
    def reader_answer(self, answer_id: str, oldest_kept: str) -> tuple[str, str | None] | None:
        """(body, the article it was submitted as)."""
        ...
    def reader_thread(self, thread_id: str, oldest_kept: str) -> list[str]: ...
    def mark_reader_submitted(self, answer_id: str, article_id: str) -> None: ...
    def reader_count(self) -> int: ...
