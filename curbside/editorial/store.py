"""Saved articles in the library's SQLite file, with their follow-up threads."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

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
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_thread ON articles (thread_id, created_at);
CREATE INDEX IF NOT EXISTS articles_by_time ON articles (created_at);
"""


class UnknownArticleError(CurbsideError):
    def __init__(self, article_id: str) -> None:
        super().__init__(
            f"No article with id {article_id!r}. Ask the question again to make a new one, "
            "or list recent articles on the ask page."
        )


@dataclass(frozen=True)
class ArticleSummary:
    id: str
    question: str
    audience: str
    created_at: str


class ArticleStore:
    def __init__(self, library: Library):
        self.connection: sqlite3.Connection = library.connection
        self.connection.executescript(_SCHEMA)

    def save(self, article: Article, follows: Article | None = None) -> Article:
        """Store the article; a follow-up joins the thread of the article it follows."""
        assert article.id is not None
        thread_id = (follows.thread_id or follows.id) if follows else article.id
        stored = article.model_copy(update={
            "thread_id": thread_id, "follows": follows.id if follows else None})
        self.connection.execute(
            "INSERT INTO articles (id, thread_id, follows, question, audience, created_at, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (stored.id, thread_id, stored.follows, stored.question, stored.audience,
             stored.generated_at, stored.model_dump_json()),
        )
        return stored

    def get(self, article_id: str) -> Article:
        row = self.connection.execute(
            "SELECT body FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise UnknownArticleError(article_id)
        return Article.model_validate_json(row[0])

    def thread(self, thread_id: str) -> list[Article]:
        rows = self.connection.execute(
            "SELECT body FROM articles WHERE thread_id = ? ORDER BY created_at, rowid",
            (thread_id,))
        return [Article.model_validate_json(r[0]) for r in rows]

    def recent(self, limit: int = 10) -> list[ArticleSummary]:
        rows = self.connection.execute(
            "SELECT id, question, audience, created_at FROM articles "
            "ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,))
        return [ArticleSummary(*row) for row in rows]
