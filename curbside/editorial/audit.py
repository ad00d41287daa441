"""The audit log: append-only, each entry chained to the one before by a SHA-256 hash, so any
edit or deletion of past entries is detectable (`curbside audit verify`)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

SCHEMA = """
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
GENESIS = "0" * 64


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


def _entry_hash(prev_hash: str, at: str, actor: str, action: str, article_id: str | None,
                version: int | None, digest: str | None, detail: str) -> str:
    canonical = json.dumps([prev_hash, at, actor, action, article_id, version, digest, detail],
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def append(connection: sqlite3.Connection, actor: str, action: str, article_id: str | None = None,
           version: int | None = None, digest: str | None = None,
           detail: dict[str, object] | None = None) -> None:
    """Add an entry; call inside the transaction that makes the change it records."""
    row = connection.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = row[0] if row else GENESIS
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=False)
    digest_of = _entry_hash(prev_hash, at, actor, action, article_id, version, digest, text)
    connection.execute(
        "INSERT INTO audit (at, actor, action, article_id, version, digest, detail, prev_hash, "
        "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (at, actor, action, article_id, version, digest, text, prev_hash, digest_of),
    )


def entries(connection: sqlite3.Connection, article_id: str | None = None) -> list[AuditEntry]:
    query = "SELECT * FROM audit" + (" WHERE article_id = ?" if article_id else "") + \
        " ORDER BY seq"
    return [AuditEntry(*row) for row in connection.execute(query, (article_id,) if article_id
                                                              else ())]


def verify(connection: sqlite3.Connection) -> tuple[bool, str]:
    """Whether the chain is intact, and a sentence saying so or where it breaks."""
    previous = GENESIS
    count = 0
    for entry in entries(connection):
        expected = _entry_hash(previous, entry.at, entry.actor, entry.action, entry.article_id,
                               entry.version, entry.digest, entry.detail)
        if entry.prev_hash != previous or entry.hash != expected:
            return False, (f"Audit log broken at entry {entry.seq} ({entry.action} by "
                           f"{entry.actor} at {entry.at}): it was changed after it was written, "
                           "or an entry before it was removed.")
        previous = entry.hash
        count += 1
    return True, f"Audit log intact: {count} entries, each chained to the one before."
