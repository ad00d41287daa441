"""Saved articles in the editorial store: immutable versions, reviews, follow-up threads.

An article's public face is its latest approved version when it has one, else its latest
version (shown as pending review). Versions are never changed or deleted.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from curbside.editorial import audit
from curbside.editorial.audit import transaction as transaction  # re-exported
from curbside.errors import CurbsideError
from curbside.models import Article
from curbside.store.editorial import QUEUE_STATUSES as QUEUE_STATUSES
from curbside.store.editorial import ArticleState, EditorialStore
from curbside.store.editorial import ArticleSummary as ArticleSummary
from curbside.store.editorial import Review as Review
from curbside.store.editorial import VersionInfo as VersionInfo


class UnknownArticleError(CurbsideError):
    def __init__(self, article_id: str) -> None:
        super().__init__(
            f"No article with id {article_id!r}. Ask the question again to make a new one, "
            "or list recent articles on the ask page."
        )


class RetiredArticleError(CurbsideError):
    def __init__(self, article_id: str, reason: str) -> None:
        super().__init__(f"Article {article_id} was retired by the editors: {reason}")


def version_digest(article: Article) -> str:
    """SHA-256 of what a version says: its question, statements, references and notes."""
    content = article.model_dump(include={"question", "audience", "bottom_line", "sections",
                                          "references", "editor_notes"})
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class ArticleStore:
    """Articles as readers and the board see them, over an editorial store (whose schema
    `curbside.store.migrate` has made)."""

    def __init__(self, db: EditorialStore, show_approver_names: bool = True):
        self.db = db
        self.show_approver_names = show_approver_names

    # -- writing ---------------------------------------------------------------------------

    def save(self, article: Article, follows: Article | None = None, actor: str = "curbside",
             action: str = "generate", detail: dict[str, object] | None = None) -> Article:
        """Store a newly generated article as version 1 in the review queue; a follow-up joins
        its thread."""
        with transaction(self.db):
            return self.insert_new(article, follows, actor, action, detail)

    def insert_new(self, article: Article, follows: Article | None, actor: str, action: str,
                   detail: dict[str, object] | None = None) -> Article:
        """`save`, inside a transaction the caller holds."""
        article_id = article.id or f"art-{secrets.token_hex(6)}"
        thread_id = ((follows.thread_id or follows.id) if follows else None) or article_id
        stored = article.model_copy(update={
            "id": article_id, "thread_id": thread_id, "follows": follows.id if follows else None,
            "version": 1, "status": "submitted"})
        digest = version_digest(stored)
        self.db.insert_article(article_id, thread_id, stored.follows, stored.question,
                               stored.audience, stored.generated_at)
        self.insert_version(stored, 1, digest, stored.composer, "generated")
        audit.append(self.db, actor, action, stored.id, 1, digest,
                     {"question": stored.question, "audience": stored.audience,
                      **(detail or {})})
        return stored

    def insert_version(self, article: Article, number: int, digest: str, author: str,
                        change: str) -> None:
        assert article.id
        self.db.insert_version(article.id, number, article.model_dump_json(), digest, author,
                               change, article.generated_at)

    # -- reading ---------------------------------------------------------------------------

    def state(self, article_id: str) -> tuple[str, str | None, str | None, str | None]:
        found = self.article_state(article_id)
        return found.status, found.claimed_by, found.retired_reason, found.new_evidence

    def article_state(self, article_id: str) -> ArticleState:
        found = self.db.article_state(article_id)
        if found is None:
            raise UnknownArticleError(article_id)
        return found

    def version(self, article_id: str, number: int | None = None) -> Article:
        """A version as stored (the latest when no number is given), with the article's
        current review state."""
        status, _, _, new_evidence = self.state(article_id)
        row = self.db.version(article_id, number)
        if row is None:
            raise CurbsideError(f"Article {article_id} has no version {number}.")
        article = Article.model_validate_json(row.body)
        latest = self.latest_number(article_id)
        shown_status = ("approved" if row.approved_at else
                        (status if row.number == latest else "submitted"))
        return article.model_copy(update={
            "version": row.number, "status": shown_status, "approved_at": row.approved_at,
            "approved_by": self._approvers(article_id, row.number) if row.approved_at else [],
            "new_evidence": new_evidence if row.number == latest else None})

    def latest_number(self, article_id: str) -> int:
        number = self.db.latest_number(article_id)
        if number is None:
            raise UnknownArticleError(article_id)
        return number

    def _approvers(self, article_id: str, number: int) -> list[str]:
        return self.db.approvers(article_id, number) if self.show_approver_names else []

    def get(self, article_id: str) -> Article:
        """What readers see: the latest approved version, else the latest version."""
        status, _, retired_reason, _ = self.state(article_id)
        if status == "retired":
            raise RetiredArticleError(article_id, retired_reason or "no reason given")
        return self.version(article_id, self.db.latest_approved_number(article_id))

    def versions(self, article_id: str) -> list[VersionInfo]:
        self.state(article_id)
        return self.db.versions(article_id)

    def reviews(self, article_id: str) -> list[Review]:
        return self.db.reviews(article_id)

    def thread(self, thread_id: str) -> list[Article]:
        return [self.get(article_id) for article_id in self.db.thread_ids(thread_id)]

    def recent(self, limit: int = 10) -> list[ArticleSummary]:
        return self.db.recent(limit)

    def queue(self, limit: int = 50, offset: int = 0) -> list[ArticleSummary]:
        """Articles waiting for the board, oldest first, `limit` of them from `offset`."""
        return self.db.queue(limit, offset)

    def queue_size(self) -> int:
        """How many articles wait for the board."""
        return self.db.queue_size()

    def approved_ids(self) -> list[str]:
        return self.db.approved_ids()
