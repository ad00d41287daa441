from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from curbside.editorial import accounts, audit
from curbside.editorial.accounts import User
from curbside.editorial.review import Board
from curbside.editorial.store import ArticleStore
from curbside.library.store import Library
from curbside.models import Article


def test_every_action_is_logged_and_chained(store: ArticleStore, article: Article,
                                            people: dict[str, User]) -> None:
    assert article.id
    board = Board(store)
    board.claim(people["reviewer"], article.id)
    board.approve(people["reviewer"], article.id, "checked every statement")
    log = audit.entries(store.connection, article.id)
    assert [e.action for e in log] == ["generate", "claim", "approve"]
    assert [e.actor for e in log] == ["curbside", "reviewer-one", "reviewer-one"]
    assert all(e.digest and len(e.digest) == 64 for e in log)
    intact, message = audit.verify(store.connection)
    # The four accounts of the `people` fixture were audited as they were added.
    assert intact and "7 entries" in message and "triggers in place" in message
    assert ("curbside", "add user", '{"role": "editor", "user": "editor-one"}') in [
        (e.actor, e.action, e.detail) for e in audit.entries(store.connection)]


def test_the_log_refuses_updates_and_deletes(store: ArticleStore, article: Article) -> None:
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.connection.execute("UPDATE audit SET actor = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.connection.execute("DELETE FROM audit")


def test_tampering_is_detected(store: ArticleStore, article: Article,
                               people: dict[str, User]) -> None:
    assert article.id
    Board(store).claim(people["reviewer"], article.id)
    # Someone with the file drops the guard and rewrites history.
    store.connection.execute("DROP TRIGGER audit_no_update")
    store.connection.execute("UPDATE audit SET actor = 'mallory' WHERE action = 'claim'")
    intact, message = audit.verify(store.connection)
    assert not intact and "broken at entry 6" in message  # after 4 accounts, generate
    assert "audit_no_update is missing" in message


def _claim_and_approve(store: ArticleStore, article: Article, people: dict[str, User]) -> None:
    assert article.id
    board = Board(store)
    board.claim(people["reviewer"], article.id)
    board.approve(people["reviewer"], article.id, "fine")


def test_cutting_off_the_newest_entries_is_detected(store: ArticleStore, article: Article,
                                                    people: dict[str, User]) -> None:
    _claim_and_approve(store, article, people)
    head = json.loads((Path(store.connection.execute("PRAGMA database_list").fetchone()[2])
                       .parent / audit.HEAD_FILE).read_text())
    newest = store.connection.execute("SELECT max(seq), hash FROM audit").fetchone()
    assert (head["seq"], head["hash"]) == tuple(newest)
    # Someone with the file hides the approval: drops the guard, deletes the newest two
    # entries (what remains still chains) and puts the guard back as it was.
    store.connection.execute("DROP TRIGGER audit_no_delete")
    store.connection.execute("DELETE FROM audit WHERE seq > (SELECT max(seq) - 2 FROM audit)")
    intact, message = audit.verify(store.connection)
    assert not intact and "the append-only trigger audit_no_delete is missing" in message
    assert f"the head recorded in audit-head.json is entry {newest[0]}" in message
    assert f"the table ends at entry {newest[0] - 2}" in message
    store.connection.execute(audit.TRIGGERS["audit_no_delete"])
    intact, message = audit.verify(store.connection)
    assert not intact and "the newest entries were removed" in message
    assert "trigger" not in message.split(". Restore")[0]


def test_missing_or_replaced_triggers_are_reported(store: ArticleStore,
                                                   article: Article) -> None:
    assert audit.verify(store.connection)[0]
    store.connection.execute("DROP TRIGGER audit_no_update")
    intact, message = audit.verify(store.connection)
    assert not intact and "audit_no_update is missing" in message
    store.connection.execute("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN 0 "
                             "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    intact, message = audit.verify(store.connection)
    assert not intact and "audit_no_update was replaced" in message


def test_a_missing_head_file_is_reported(store: ArticleStore, article: Article) -> None:
    path = audit.head_path(store.connection)
    assert path and path.exists()
    path.unlink()
    intact, message = audit.verify(store.connection)
    assert not intact and "head file audit-head.json is missing" in message
    assert "curbside audit anchor" in message


# The editorial tables as the release before this one made them: tokens without expiry, no
# readers' answers, no audit head file.
_OLD_SCHEMA = """
CREATE TABLE articles (id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, follows TEXT,
    question TEXT NOT NULL, audience TEXT NOT NULL, created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'submitted', claimed_by TEXT, retired_reason TEXT,
    new_evidence TEXT);
CREATE TABLE versions (article_id TEXT NOT NULL REFERENCES articles (id),
    number INTEGER NOT NULL, body TEXT NOT NULL, digest TEXT NOT NULL, author TEXT NOT NULL,
    change TEXT NOT NULL, created_at TEXT NOT NULL, approved_at TEXT,
    PRIMARY KEY (article_id, number));
CREATE TABLE reviews (id INTEGER PRIMARY KEY, article_id TEXT NOT NULL, version INTEGER NOT NULL,
    reviewer TEXT NOT NULL, decision TEXT NOT NULL, comment TEXT NOT NULL, statement INTEGER,
    created_at TEXT NOT NULL);
CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE api_tokens (token_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users (name),
    created_at TEXT NOT NULL);
CREATE TABLE sessions (session_hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL,
    expires_at TEXT NOT NULL);
"""


def test_an_older_library_is_migrated(tmp_path: Path) -> None:
    with Library(tmp_path / "old", create=True) as library:
        connection = library.connection
        connection.executescript(_OLD_SCHEMA + audit.SCHEMA)
        audit.append(connection, "curbside", "generate", "art-old", 1, "0" * 64)
        connection.execute("INSERT INTO users VALUES ('dr-old', 'reviewer', 'x', '2024-01-01')")
        token = "cbt_an-old-token"
        connection.execute("INSERT INTO api_tokens VALUES (?, 'dr-old', ?)",
                           (accounts._digest(token), "2024-01-01T00:00:00+00:00"))
        head = tmp_path / "old" / audit.HEAD_FILE
        assert not head.exists()
    with Library(tmp_path / "old") as library:
        ArticleStore(library)
        columns = {r[1] for r in library.connection.execute("PRAGMA table_info(api_tokens)")}
        assert {"expires_at", "revoked_at"} <= columns
        tokens = accounts.Accounts(library.connection)
        assert tokens.by_token(token).name == "dr-old"  # still valid, now with an expiry
        assert tokens.tokens("dr-old")[0].expires_at > "2025"
        assert head.exists()
        intact, message = audit.verify(library.connection)
        assert intact and "1 entries" in message
        assert library.connection.execute("SELECT count(*) FROM reader_answers").fetchone()[0] == 0
