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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from curbside.store.editorial import AuditEntry as AuditEntry  # re-exported
from curbside.store.editorial import EditorialStore
from curbside.store.sqlite import HEAD_FILE as HEAD_FILE  # re-exported

GENESIS = "0" * 64


def _entry_hash(prev_hash: str, at: str, actor: str, action: str, article_id: str | None,
                version: int | None, digest: str | None, detail: str) -> str:
    canonical = json.dumps([prev_hash, at, actor, action, article_id, version, digest, detail],
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def append(store: EditorialStore, actor: str, action: str, article_id: str | None = None,
           version: int | None = None, digest: str | None = None,
           detail: dict[str, object] | None = None) -> None:
    """Add an entry; call inside the transaction that makes the change it records (which
    serialises writers, so the entry before is the newest)."""
    last = store.last_audit()
    prev_hash = last[1] if last else GENESIS
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=False)
    digest_of = _entry_hash(prev_hash, at, actor, action, article_id, version, digest, text)
    store.insert_audit(at, actor, action, article_id, version, digest, text, prev_hash,
                       digest_of)


def entries(store: EditorialStore, article_id: str | None = None) -> list[AuditEntry]:
    return list(store.audit_entries(article_id))


@dataclass(frozen=True)
class Head:
    """The newest entry as recorded outside the table."""

    seq: int
    hash: str
    at: str


def head_path(store: EditorialStore) -> Path | None:
    """The head file beside the library (None: the store has nowhere to keep one)."""
    return store.head_path


def read_head(path: Path) -> Head | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Head(int(data["seq"]), str(data["hash"]), str(data["at"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a readable audit head ({error})") from error


def anchor(store: EditorialStore, *, force: bool = False) -> Head | None:
    """Write the newest committed entry to the head file; call after the commit (a head ahead
    of the table would look like truncation). Under a file lock, and only forwards unless
    forced, so concurrent writers never move the recorded head back."""
    path = head_path(store)
    if path is None:
        return None
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        newest = store.last_audit()
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


def verify(store: EditorialStore) -> tuple[bool, str]:
    """Whether the log is intact (triggers in place, every entry chained to the one before,
    the newest entry still the recorded head), and sentences saying so or what is wrong."""
    problems = store.audit_guard_problems()
    previous = GENESIS
    count = 0
    hashes: dict[int, str] = {}
    for entry in store.audit_entries(None):
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
    path = head_path(store)
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
                       f"{store.location} from a backup and compare; if it was restored from a "
                       "backup on purpose, record its head with `curbside audit anchor`.")
    return True, (f"Audit log intact: {count} entries, each chained to the one before"
                  f"{head_note}; append-only triggers in place.")


@contextmanager
def transaction(store: EditorialStore, *, audited: bool = True) -> Iterator[EditorialStore]:
    """The store's unit of work; once it committed, the log's head is recorded outside the
    database (`anchor`)."""
    with store.transaction():
        yield store
    if audited:
        anchor(store)
