from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
import pytest

from curbside.editorial import accounts, audit
from curbside.editorial.accounts import User
from curbside.editorial.review import Board
from curbside.editorial.store import ArticleStore
from curbside.library.store import Library
from curbside.models import Article
from curbside.store.connect import migrate
from curbside.store.editorial import EditorialStore
from curbside.store.postgres import TRIGGERS as PG_TRIGGERS
from curbside.store.postgres import PostgresEditorialStore
from curbside.store.sqlite import AUDIT_SCHEMA, TRIGGERS, SQLiteEditorialStore
from tests.stores import board_db, sql


def test_every_action_is_logged_and_chained(store: ArticleStore, article: Article,
                                            people: dict[str, User]) -> None:
    assert article.id
    board = Board(store)
    board.claim(people["reviewer"], article.id)
    board.approve(people["reviewer"], article.id, "checked every statement")
    log = audit.entries(store.db, article.id)
    assert [e.action for e in log] == ["generate", "claim", "approve"]
    assert [e.actor for e in log] == ["curbside", "reviewer-one", "reviewer-one"]
    assert all(e.digest and len(e.digest) == 64 for e in log)
    intact, message = audit.verify(store.db)
    # The four accounts of the `people` fixture were audited as they were added.
    assert intact and "7 entries" in message and "triggers in place" in message
    assert ("curbside", "add user", '{"role": "editor", "user": "editor-one"}') in [
        (e.actor, e.action, e.detail) for e in audit.entries(store.db)]


# What someone holding the database could do to the guards, in each store's dialect.
DATABASE_ERRORS = (sqlite3.DatabaseError, psycopg.Error)


def _postgres(db: EditorialStore) -> bool:
    return isinstance(db, PostgresEditorialStore)


def drop_trigger(db: EditorialStore, name: str) -> None:
    sql(db, f"DROP TRIGGER {name}" + (" ON audit" if _postgres(db) else ""))


def restore_trigger(db: EditorialStore, name: str) -> None:
    sql(db, PG_TRIGGERS[name] if _postgres(db) else TRIGGERS[name])


def weaken_trigger(db: EditorialStore, name: str) -> None:
    """The guard put back so that it never fires."""
    if _postgres(db):
        sql(db, f"CREATE TRIGGER {name} BEFORE UPDATE ON audit FOR EACH ROW WHEN (false) "
                "EXECUTE FUNCTION audit_append_only()")
    else:
        sql(db, f"CREATE TRIGGER {name} BEFORE UPDATE ON audit WHEN 0 "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")


def test_the_log_refuses_updates_and_deletes(store: ArticleStore, article: Article) -> None:
    with pytest.raises(DATABASE_ERRORS, match="append-only"):
        sql(store.db, "UPDATE audit SET actor = 'someone else'")
    with pytest.raises(DATABASE_ERRORS, match="append-only"):
        sql(store.db, "DELETE FROM audit")
    if _postgres(store.db):
        with pytest.raises(DATABASE_ERRORS, match="append-only"):
            sql(store.db, "TRUNCATE audit")
    assert len(audit.entries(store.db)) == 1


def test_a_disabled_guard_is_reported(store: ArticleStore, article: Article) -> None:
    if not _postgres(store.db):
        pytest.skip("SQLite's triggers cannot be disabled, only dropped")
    sql(store.db, "ALTER TABLE audit DISABLE TRIGGER audit_no_truncate")
    intact, message = audit.verify(store.db)
    assert not intact and "audit_no_truncate is disabled" in message


def test_the_chain_verifies_identically_in_both_stores(library: Library, store: ArticleStore,
                                                       article: Article,
                                                       people: dict[str, User]) -> None:
    """Entries copied as they are from one store into the other still chain: each entry's
    hash covers only its stored text, the same in both."""
    _claim_and_approve(store, article, people)
    with sqlite3.connect(":memory:", isolation_level=None) as other:
        copy = SQLiteEditorialStore(other)
        migrate(copy)
        for e in audit.entries(store.db):
            copy.insert_audit(e.at, e.actor, e.action, e.article_id, e.version, e.digest,
                              e.detail, e.prev_hash, e.hash)
        intact, message = audit.verify(copy)
        assert intact and "7 entries" in message, message
        assert [e.hash for e in audit.entries(copy)] == [e.hash for e in audit.entries(store.db)]


def test_tampering_is_detected(store: ArticleStore, article: Article,
                               people: dict[str, User]) -> None:
    assert article.id
    Board(store).claim(people["reviewer"], article.id)
    # Someone with the file drops the guard and rewrites history.
    drop_trigger(store.db, "audit_no_update")
    sql(store.db, "UPDATE audit SET actor = 'mallory' WHERE action = 'claim'")
    intact, message = audit.verify(store.db)
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
    path = audit.head_path(store.db)
    assert path
    head = json.loads(path.read_text())
    newest = sql(store.db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert (head["seq"], head["hash"]) == tuple(newest)
    # Someone with the file hides the approval: drops the guard, deletes the newest two
    # entries (what remains still chains) and puts the guard back as it was.
    drop_trigger(store.db, "audit_no_delete")
    sql(store.db, "DELETE FROM audit WHERE seq > (SELECT max(seq) - 2 FROM audit)")
    intact, message = audit.verify(store.db)
    assert not intact and "the append-only trigger audit_no_delete is missing" in message
    assert f"the head recorded in {path.name} is entry {newest[0]}" in message
    assert f"the table ends at entry {newest[0] - 2}" in message
    restore_trigger(store.db, "audit_no_delete")
    intact, message = audit.verify(store.db)
    assert not intact and "the newest entries were removed" in message
    assert "trigger" not in message.split(". Restore")[0]


def test_missing_or_replaced_triggers_are_reported(store: ArticleStore,
                                                   article: Article) -> None:
    assert audit.verify(store.db)[0]
    drop_trigger(store.db, "audit_no_update")
    intact, message = audit.verify(store.db)
    assert not intact and "audit_no_update is missing" in message
    weaken_trigger(store.db, "audit_no_update")
    intact, message = audit.verify(store.db)
    assert not intact and "audit_no_update was replaced" in message


def test_a_missing_head_file_is_reported(store: ArticleStore, article: Article) -> None:
    path = audit.head_path(store.db)
    assert path and path.exists()
    path.unlink()
    intact, message = audit.verify(store.db)
    assert not intact and f"head file {path.name} is missing" in message
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
        connection.executescript(_OLD_SCHEMA + AUDIT_SCHEMA)
        audit.append(SQLiteEditorialStore(connection), "curbside", "generate", "art-old", 1,
                     "0" * 64)
        connection.execute("INSERT INTO users VALUES ('dr-old', 'reviewer', 'x', '2024-01-01')")
        token = "cbt_an-old-token"
        connection.execute("INSERT INTO api_tokens VALUES (?, 'dr-old', ?)",
                           (accounts._digest(token), "2024-01-01T00:00:00+00:00"))
        head = tmp_path / "old" / audit.HEAD_FILE
        assert not head.exists()
    with Library(tmp_path / "old") as library:
        db = board_db(library)
        columns = {r[1] for r in library.connection.execute("PRAGMA table_info(api_tokens)")}
        assert {"expires_at", "revoked_at"} <= columns
        tokens = accounts.Accounts(db)
        assert tokens.by_token(token).name == "dr-old"  # still valid, now with an expiry
        assert tokens.tokens("dr-old")[0].expires_at > "2025"
        assert head.exists()
        intact, message = audit.verify(db)
        assert intact and "1 entries" in message
        assert library.connection.execute("SELECT count(*) FROM reader_answers").fetchone()[0] == 0
