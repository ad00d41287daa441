"""Answers made for readers, kept apart from the board's articles.

A reader's question is answered without entering the review queue or the audit log; the
answer is kept in a small cache (the newest `reader_answers_kept`, none older than
`reader_answer_hours`) so that its page, its reference exports and its follow-ups keep working
for the reader who got it. Its id is random and long, so only that reader can find it. An
editor may submit one for review, which copies it into the board's queue.
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import UTC, datetime, timedelta

from curbside.editorial.audit import transaction
from curbside.editorial.store import UnknownArticleError
from curbside.errors import CurbsideError
from curbside.models import Article
from curbside.settings import WebSettings

PREFIX = "ans-"


def is_reader_answer(article_id: str) -> bool:
    return article_id.startswith(PREFIX)


class UnknownAnswerError(UnknownArticleError):
    def __init__(self, answer_id: str, hours: float, kept: int) -> None:
        CurbsideError.__init__(self,
            f"No answer with id {answer_id!r}: answers to readers are kept for {hours:g} hours "
            f"(the newest {kept}) and this one has gone, or never existed. Ask the question "
            "again.")


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


class ReaderAnswers:
    def __init__(self, connection: sqlite3.Connection, settings: WebSettings | None = None):
        """Expects the table, which `ArticleStore` creates with the rest of the schema."""
        self.connection = connection
        self.settings = settings or WebSettings()

    def _oldest_kept(self) -> str:
        return _stamp(datetime.now(UTC) - timedelta(hours=self.settings.reader_answer_hours))

    def put(self, article: Article, follows: Article | None = None) -> Article:
        """Keep a new answer (a follow-up joins the reader thread of the answer it follows)
        and drop what is past the cache's age and size."""
        answer_id = PREFIX + secrets.token_hex(12)
        thread_id = answer_id
        if follows is not None and follows.id and is_reader_answer(follows.id):
            thread_id = follows.thread_id or follows.id
        kept = article.model_copy(update={
            "id": answer_id, "thread_id": thread_id,
            "follows": follows.id if follows is not None else None, "status": "unsaved",
            "version": 1, "approved_at": None, "approved_by": [], "new_evidence": None})
        with transaction(self.connection, audited=False):
            self.connection.execute("DELETE FROM reader_answers WHERE created_at < ?",
                                    (self._oldest_kept(),))
            self.connection.execute(
                "INSERT INTO reader_answers (id, thread_id, follows, body, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (answer_id, thread_id, kept.follows, kept.model_dump_json(),
                 _stamp(datetime.now(UTC))))
            self.connection.execute(
                "DELETE FROM reader_answers WHERE rowid NOT IN (SELECT rowid FROM "
                "reader_answers ORDER BY created_at DESC, rowid DESC LIMIT ?)",
                (self.settings.reader_answers_kept,))
        return kept

    def _row(self, answer_id: str) -> tuple[str, str | None]:
        row = self.connection.execute(
            "SELECT body, submitted_as FROM reader_answers WHERE id = ? AND created_at >= ?",
            (answer_id, self._oldest_kept())).fetchone()
        if row is None:
            raise UnknownAnswerError(answer_id, self.settings.reader_answer_hours,
                                     self.settings.reader_answers_kept)
        return row[0], row[1]

    def get(self, answer_id: str) -> Article:
        return Article.model_validate_json(self._row(answer_id)[0])

    def submitted_as(self, answer_id: str) -> str | None:
        """The board's article made from this answer, once an editor submitted it."""
        return self._row(answer_id)[1]

    def thread(self, thread_id: str) -> list[Article]:
        rows = self.connection.execute(
            "SELECT body FROM reader_answers WHERE thread_id = ? AND created_at >= ? "
            "ORDER BY created_at, rowid", (thread_id, self._oldest_kept()))
        return [Article.model_validate_json(r[0]) for r in rows]

    def mark_submitted(self, answer_id: str, article_id: str) -> None:
        """Inside the transaction that saved the article."""
        self.connection.execute("UPDATE reader_answers SET submitted_as = ? WHERE id = ?",
                                (article_id, answer_id))

    def count(self) -> int:
        return int(self.connection.execute("SELECT count(*) FROM reader_answers").fetchone()[0])
