"""The audit log: append-only, each entry chained to the one before by a SHA-256 hash, so any
edit or deletion of past entries is detectable (`curbside audit verify`).

The chain alone cannot show that its newest entries were cut off (what remains still chains),
so its head (the newest entry's number and hash) is also written to a file beside the database
after every commit that appended to it; `verify` checks that the table still reaches that head
and that the append-only triggers are in place.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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
HEAD_FILE = "audit-head.json"
# The triggers as SQLite keeps them (without IF NOT EXISTS, whitespace collapsed), by name.
TRIGGERS = {match.group(1): " ".join(match.group(0).replace(" IF NOT EXISTS", "").split())
            for match in re.finditer(r"CREATE TRIGGER IF NOT EXISTS (\w+) .*?END", SCHEMA,
                                     re.DOTALL)}


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


@dataclass(frozen=True)
class Head:
    """The newest entry as recorded outside the table."""

    seq: int
    hash: str
    at: str


def head_path(connection: sqlite3.Connection) -> Path | None:
    """The head file beside the connection's database file (None for an in-memory one)."""
    for _, name, file in connection.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file).parent / HEAD_FILE
    return None


def read_head(path: Path) -> Head | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Head(int(data["seq"]), str(data["hash"]), str(data["at"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a readable audit head ({error})") from error


def _newest(connection: sqlite3.Connection) -> tuple[int, str, str] | None:
    row = connection.execute("SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1")
    found = row.fetchone()
    return (int(found[0]), str(found[1]), str(found[2])) if found else None


def anchor(connection: sqlite3.Connection, *, force: bool = False) -> Head | None:
    """Write the newest committed entry to the head file; call after the commit (a head ahead
    of the table would look like truncation). Under a file lock, and only forwards unless
    forced, so concurrent writers never move the recorded head back."""
    path = head_path(connection)
    if path is None:
        return None
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        newest = _newest(connection)
        if newest is None:
            return None
        head = Head(*newest)
        try:
            current = read_head(path)
        except ValueError:
            current = None  # a damaged head is replaced; verify reports it until then
        if current is not None and current.seq >= head.seq and not force:
            return current
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump({"seq": head.seq, "hash": head.hash, "at": head.at}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        return head


def _trigger_problems(connection: sqlite3.Connection) -> list[str]:
    found = {name: " ".join(sql.split()) for name, sql in connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'")}
    problems = []
    for name, expected in TRIGGERS.items():
        if name not in found:
            problems.append(f"the append-only trigger {name} is missing (dropped), so entries "
                            "could have been changed or deleted")
        elif found[name] != expected:
            problems.append(f"the append-only trigger {name} was replaced by another")
    return problems


def verify(connection: sqlite3.Connection) -> tuple[bool, str]:
    """Whether the log is intact (triggers in place, every entry chained to the one before,
    the newest entry still the recorded head), and sentences saying so or what is wrong."""
    problems = _trigger_problems(connection)
    previous = GENESIS
    count = 0
    hashes: dict[int, str] = {}
    for entry in entries(connection):
        expected = _entry_hash(previous, entry.at, entry.actor, entry.action, entry.article_id,
                               entry.version, entry.digest, entry.detail)
        if entry.prev_hash != previous or entry.hash != expected:
            problems.insert(0, f"broken at entry {entry.seq} ({entry.action} by {entry.actor} "
                               f"at {entry.at}): it was changed after it was written, or an "
                               "entry before it was removed")
            break
        previous = entry.hash
        hashes[entry.seq] = entry.hash
        count += 1
    head_note = ""
    path = head_path(connection)
    if path is not None:
        try:
            head = read_head(path)
        except ValueError as error:
            head, problems = None, [*problems, str(error)]
        else:
            if head is None and count:
                problems.append(f"its head file {path.name} is missing, so removal of the "
                                "newest entries cannot be ruled out")
            elif head is not None and hashes.get(head.seq) != head.hash:
                newest = max(hashes, default=0)
                what = (f"the newest entries were removed: the head recorded in {path.name} is "
                        f"entry {head.seq} of {head.at}, the table ends at entry {newest}"
                        if newest < head.seq else
                        f"entry {head.seq} does not match the head recorded in {path.name}")
                problems.append(what)
            elif head is not None:
                later = count - len([s for s in hashes if s <= head.seq])
                head_note = (f"; the newest matches the head recorded in {path.name}"
                             + (f" (plus {later} entries written after it)" if later else ""))
    if problems:
        return False, ("Audit log NOT intact: " + "; ".join(problems) + ". Restore "
                       "library.sqlite3 from a backup and compare; if it was restored from a "
                       "backup on purpose, record its head with `curbside audit anchor`.")
    return True, (f"Audit log intact: {count} entries, each chained to the one before"
                  f"{head_note}; append-only triggers in place.")


@contextmanager
def transaction(connection: sqlite3.Connection, *, audited: bool = True
                ) -> Iterator[sqlite3.Connection]:
    """All of a change or none of it, even if the process is killed half-way. Once committed,
    the log's head is recorded outside the database (`anchor`)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    if audited:
        anchor(connection)
