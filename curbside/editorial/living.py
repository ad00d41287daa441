"""Living articles: after an ingest, approved articles are checked against the library again.

When new evidence would change one (a guideline or systematic review now among its top
evidence that it does not cite, or a cited paper now retracted), a regenerated version is
drafted and queued for review with the reason, and the article is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from curbside.answer.ask import answer_question
from curbside.editorial.accounts import Role, User
from curbside.editorial.edits import VersionEdit
from curbside.editorial.review import Board
from curbside.editorial.store import ArticleStore
from curbside.library.store import Library
from curbside.models import Article
from curbside.settings import Settings
from curbside.store.editorial import EditorialStore

SYSTEM = User("curbside", Role.EDITOR)  # the actor named in the audit log for re-checks
STRONG_KINDS = {"Guideline", "Systematic review"}


@dataclass(frozen=True)
class Flag:
    article_id: str
    version: int
    reason: str


def reasons_to_update(library: Library, current: Article, fresh: Article) -> list[str]:
    reasons = []
    cited = {r.id for r in current.references}
    documents = library.get_many(cited)
    retracted = sorted(doc_id for doc_id, d in documents.items() if d.retracted)
    if retracted:
        reasons.append("cited paper now retracted: " + ", ".join(retracted))
    strong = [r for r in fresh.references if r.kind in STRONG_KINDS and r.id not in cited]
    if strong:
        reasons.append("new " + ", ".join(f"{r.kind.lower()} {r.id}" for r in strong))
    return reasons


def recheck_approved(library: Library, db: EditorialStore, settings: Settings) -> list[Flag]:
    store = ArticleStore(db, settings.review.show_approver_names)
    board = Board(store, settings.review)
    flags = []
    for article_id in store.approved_ids():
        current = store.get(article_id)
        if store.latest_number(article_id) != current.version:
            continue  # a newer draft is already waiting for review
        fresh = answer_question(library, current.question, current.audience, settings)
        reasons = reasons_to_update(library, current, fresh)
        if reasons:
            reason = "new evidence available: " + "; ".join(reasons)
            number = board.new_version(SYSTEM, article_id, VersionEdit(), regenerated=fresh,
                                       reason=reason)
            flags.append(Flag(article_id, number, reason))
    return flags
