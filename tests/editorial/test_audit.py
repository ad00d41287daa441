from __future__ import annotations

import sqlite3

import pytest

from curbside.editorial import audit
from curbside.editorial.accounts import User
from curbside.editorial.review import Board
from curbside.editorial.store import ArticleStore
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
    assert intact and "3 entries" in message


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
    assert not intact and "broken at entry 2" in message
