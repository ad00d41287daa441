"""The editorial store's queries, in the SQL SQLite and PostgreSQL share.

A driver subclass supplies `execute` (with `?` placeholders), the transaction, the schema and
the few words the two dialects spell differently: the column that orders rows in insertion
order, and the row lock a read inside a transaction takes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from curbside.store.editorial import (
    QUEUE_STATUSES,
    ArticleState,
    ArticleSummary,
    AuditEntry,
    Credential,
    Review,
    StoredVersion,
    TokenRow,
    VersionInfo,
)

Row = tuple[Any, ...]
_SUMMARY = ("SELECT id, question, audience, created_at, status, claimed_by, new_evidence "
            "FROM articles ")
_QUEUED = f"status IN {QUEUE_STATUSES}"


class SQLEditorialStore:
    # The column in insertion order ("rowid" in SQLite, an identity column in PostgreSQL).
    ORDER = "rowid"

    def execute(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Run one statement; its rows (none for a statement that returns none)."""
        raise NotImplementedError

    def executed(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement; how many rows it changed."""
        raise NotImplementedError

    def _locking(self) -> str:
        """What a read adds to lock the rows it read until the transaction ends."""
        return ""

    def _one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        rows = self.execute(sql, params)
        return rows[0] if rows else None

    # -- articles, versions, reviews --------------------------------------------------------

    def insert_article(self, article_id: str, thread_id: str, follows: str | None,
                       question: str, audience: str, created_at: str) -> None:
        self.execute("INSERT INTO articles (id, thread_id, follows, question, audience, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (article_id, thread_id, follows, question, audience, created_at))

    def insert_version(self, article_id: str, number: int, body: str, digest: str,
                       author: str, change: str, created_at: str) -> None:
        self.execute("INSERT INTO versions (article_id, number, body, digest, author, change, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (article_id, number, body, digest, author, change, created_at))

    def article_state(self, article_id: str) -> ArticleState | None:
        row = self._one("SELECT status, claimed_by, retired_reason, new_evidence FROM articles "
                        "WHERE id = ?" + self._locking(), (article_id,))
        return None if row is None else ArticleState(*row)

    def write_state(self, article_id: str, state: ArticleState) -> None:
        self.execute("UPDATE articles SET status = ?, claimed_by = ?, retired_reason = ?, "
                     "new_evidence = ? WHERE id = ?",
                     (state.status, state.claimed_by, state.retired_reason, state.new_evidence,
                      article_id))

    def version(self, article_id: str, number: int | None) -> StoredVersion | None:
        query = "SELECT body, number, approved_at, author FROM versions WHERE article_id = ?"
        if number is None:
            row = self._one(query + " ORDER BY number DESC LIMIT 1", (article_id,))
        else:
            row = self._one(query + " AND number = ?", (article_id, number))
        return None if row is None else StoredVersion(*row)

    def latest_number(self, article_id: str) -> int | None:
        row = self._one("SELECT max(number) FROM versions WHERE article_id = ?", (article_id,))
        return None if row is None or row[0] is None else int(row[0])

    def latest_approved_number(self, article_id: str) -> int | None:
        row = self._one("SELECT max(number) FROM versions WHERE article_id = ? "
                        "AND approved_at IS NOT NULL", (article_id,))
        return None if row is None or row[0] is None else int(row[0])

    def approve_version(self, article_id: str, number: int, at: str) -> None:
        self.execute("UPDATE versions SET approved_at = ? WHERE article_id = ? AND number = ?",
                     (at, article_id, number))

    def versions(self, article_id: str) -> list[VersionInfo]:
        rows = self.execute("SELECT number, digest, author, change, created_at, approved_at "
                            "FROM versions WHERE article_id = ? ORDER BY number", (article_id,))
        return [VersionInfo(*r) for r in rows]

    def approvers(self, article_id: str, number: int) -> list[str]:
        rows = self.execute("SELECT DISTINCT reviewer FROM reviews WHERE article_id = ? AND "
                            "version = ? AND decision = 'approve' ORDER BY reviewer",
                            (article_id, number))
        return [r[0] for r in rows]

    def insert_review(self, article_id: str, number: int, reviewer: str, decision: str,
                      comment: str, statement: int | None, at: str) -> None:
        self.execute("INSERT INTO reviews (article_id, version, reviewer, decision, comment, "
                     "statement, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (article_id, number, reviewer, decision, comment, statement, at))

    def reviews(self, article_id: str) -> list[Review]:
        rows = self.execute("SELECT version, reviewer, decision, comment, statement, created_at "
                            "FROM reviews WHERE article_id = ? ORDER BY id", (article_id,))
        return [Review(*r) for r in rows]

    def thread_ids(self, thread_id: str) -> list[str]:
        rows = self.execute("SELECT id FROM articles WHERE thread_id = ? AND status != "
                            f"'retired' ORDER BY created_at, {self.ORDER}", (thread_id,))
        return [r[0] for r in rows]

    def recent(self, limit: int) -> list[ArticleSummary]:
        rows = self.execute(_SUMMARY + "WHERE status != 'retired' "
                            f"ORDER BY created_at DESC, {self.ORDER} DESC LIMIT ?", (limit,))
        return [ArticleSummary(*r) for r in rows]

    def queue(self, limit: int, offset: int) -> list[ArticleSummary]:
        rows = self.execute(_SUMMARY + f"WHERE {_QUEUED} ORDER BY created_at, {self.ORDER} "
                            "LIMIT ? OFFSET ?", (limit, offset))
        return [ArticleSummary(*r) for r in rows]

    def queue_size(self) -> int:
        row = self._one(f"SELECT count(*) FROM articles WHERE {_QUEUED}")
        return int(row[0]) if row else 0

    def approved_ids(self) -> list[str]:
        rows = self.execute(
            "SELECT DISTINCT a.id FROM articles a JOIN versions v ON v.article_id = a.id "
            "WHERE v.approved_at IS NOT NULL AND a.status != 'retired' ORDER BY a.id")
        return [r[0] for r in rows]

    # -- accounts, tokens, sessions ---------------------------------------------------------
    # "user" is quoted: PostgreSQL reserves the word.

    def insert_user(self, name: str, role: str, password_hash: str, at: str) -> bool:
        return self.executed(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO NOTHING", (name, role, password_hash, at)) == 1

    def users(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.execute("SELECT name, role FROM users ORDER BY name")]

    def user(self, name: str) -> tuple[str, str] | None:
        row = self._one("SELECT role, password_hash FROM users WHERE name = ?", (name,))
        return None if row is None else (row[0], row[1])

    def insert_token(self, token_hash: str, user: str, at: str, expires_at: str) -> None:
        self.execute('INSERT INTO api_tokens (token_hash, "user", created_at, expires_at) '
                     "VALUES (?, ?, ?, ?)", (token_hash, user, at, expires_at))

    def token(self, token_hash: str) -> Credential | None:
        row = self._one('SELECT u.name, u.role, t.expires_at, t.revoked_at FROM api_tokens t '
                        'JOIN users u ON u.name = t."user" WHERE t.token_hash = ?',
                        (token_hash,))
        return None if row is None else Credential(*row)

    def tokens(self, user: str | None) -> list[TokenRow]:
        where, args = ('WHERE "user" = ? ', (user,)) if user else ("", ())
        rows = self.execute('SELECT token_hash, "user", created_at, expires_at, revoked_at '
                            f"FROM api_tokens {where}ORDER BY created_at, {self.ORDER}", args)
        return [TokenRow(*r) for r in rows]

    def live_token_hashes(self, user: str) -> list[str]:
        rows = self.execute('SELECT token_hash FROM api_tokens WHERE "user" = ? '
                            f"AND revoked_at IS NULL ORDER BY {self.ORDER}", (user,))
        return [r[0] for r in rows]

    def revoke_tokens(self, token_hashes: Sequence[str], at: str) -> None:
        for token_hash in token_hashes:
            self.execute("UPDATE api_tokens SET revoked_at = ? WHERE token_hash = ?",
                         (at, token_hash))

    def start_session(self, session_hash: str, user: str, csrf: str, expires_at: str,
                      now: str) -> None:
        # Each sign-in sweeps the sessions that have expired: the table never grows unbounded.
        self.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
        self.execute('INSERT INTO sessions (session_hash, "user", csrf, expires_at) '
                     "VALUES (?, ?, ?, ?)", (session_hash, user, csrf, expires_at))

    def session(self, session_hash: str) -> Credential | None:
        row = self._one('SELECT u.name, u.role, s.expires_at, s.csrf FROM sessions s '
                        'JOIN users u ON u.name = s."user" WHERE s.session_hash = ?',
                        (session_hash,))
        return None if row is None else Credential(row[0], row[1], row[2], csrf=row[3])

    def end_session(self, session_hash: str) -> None:
        self.execute("DELETE FROM sessions WHERE session_hash = ?", (session_hash,))

    # -- the audit log ----------------------------------------------------------------------

    def last_audit(self) -> tuple[int, str, str] | None:
        row = self._one("SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1")
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))

    def insert_audit(self, at: str, actor: str, action: str, article_id: str | None,
                     version: int | None, digest: str | None, detail: str, prev_hash: str,
                     hash: str) -> None:
        self.execute("INSERT INTO audit (at, actor, action, article_id, version, digest, "
                     "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (at, actor, action, article_id, version, digest, detail, prev_hash, hash))

    def audit_entries(self, article_id: str | None) -> Iterator[AuditEntry]:
        query = ("SELECT seq, at, actor, action, article_id, version, digest, detail, "
                 "prev_hash, hash FROM audit")
        if article_id:
            rows = self.execute(query + " WHERE article_id = ? ORDER BY seq", (article_id,))
        else:
            rows = self.execute(query + " ORDER BY seq")
        return (AuditEntry(*r) for r in rows)

    # -- readers' answers ------------------------------------------------------------------

    def put_reader_answer(self, answer_id: str, thread_id: str, follows: str | None,
                          body: str, at: str, oldest_kept: str, keep: int) -> None:
        self.execute("DELETE FROM reader_answers WHERE created_at < ?", (oldest_kept,))
        self.execute("INSERT INTO reader_answers (id, thread_id, follows, body, created_at) "
                     "VALUES (?, ?, ?, ?, ?)", (answer_id, thread_id, follows, body, at))
        self.execute(f"DELETE FROM reader_answers WHERE {self.ORDER} NOT IN (SELECT "
                     f"{self.ORDER} FROM reader_answers ORDER BY created_at DESC, "
                     f"{self.ORDER} DESC LIMIT ?)", (keep,))

    def reader_answer(self, answer_id: str, oldest_kept: str) -> tuple[str, str | None] | None:
        row = self._one("SELECT body, submitted_as FROM reader_answers WHERE id = ? "
                        "AND created_at >= ?", (answer_id, oldest_kept))
        return None if row is None else (row[0], row[1])

    def reader_thread(self, thread_id: str, oldest_kept: str) -> list[str]:
        rows = self.execute("SELECT body FROM reader_answers WHERE thread_id = ? AND "
                            f"created_at >= ? ORDER BY created_at, {self.ORDER}",
                            (thread_id, oldest_kept))
        return [r[0] for r in rows]

    def mark_reader_submitted(self, answer_id: str, article_id: str) -> None:
        self.execute("UPDATE reader_answers SET submitted_as = ? WHERE id = ?",
                     (article_id, answer_id))

    def reader_count(self) -> int:
        row = self._one("SELECT count(*) FROM reader_answers")
        return int(row[0]) if row else 0
