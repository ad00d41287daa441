"""Answers made for readers, kept apart from the board's articles.

A reader's question is answered without entering the review queue or the audit log; the
answer is kept in a small cache (the newest `reader_answers_kept`, none older than
`reader_answer_hours`) so that its page, its reference exports and its follow-ups keep working
for the reader who got it. Its id is random and long, so only that reader can find it. An
editor may submit one for review, which copies it into the board's queue.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from curbside.editorial.audit import transaction
from curbside.editorial.store import UnknownArticleError
from curbside.errors import CurbsideError
from curbside.models import Article
from curbside.settings import WebSettings
from curbside.store.editorial import EditorialStore

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
    def __init__(self, db: EditorialStore, settings: WebSettings | None = None):
        """Over a store whose schema `curbside.store.migrate` has made."""
        self.db = db
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
        with transaction(self.db, audited=False):
            self.db.put_reader_answer(answer_id, thread_id, kept.follows,
                                      kept.model_dump_json(), _stamp(datetime.now(UTC)),
                                      self._oldest_kept(), self.settings.reader_answers_kept)
        return kept

    def _row(self, answer_id: str) -> tuple[str, str | None]:
        row = self.db.reader_answer(answer_id, self._oldest_kept())
        if row is None:
            raise UnknownAnswerError(answer_id, self.settings.reader_answer_hours,
                                     self.settings.reader_answers_kept)
        return row

    def get(self, answer_id: str) -> Article:
        return Article.model_validate_json(self._row(answer_id)[0])

    def submitted_as(self, answer_id: str) -> str | None:
        """The board's article made from this answer, once an editor submitted it."""
        return self._row(answer_id)[1]

    def thread(self, thread_id: str) -> list[Article]:
        return [Article.model_validate_json(body)
                for body in self.db.reader_thread(thread_id, self._oldest_kept())]

    def mark_submitted(self, answer_id: str, article_id: str) -> None:
        """Inside the transaction that saved the article."""
        self.db.mark_reader_submitted(answer_id, article_id)

    def count(self) -> int:
        return self.db.reader_count()
