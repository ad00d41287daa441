"""Living articles: new strong evidence or a retraction drafts a new version for review."""

from __future__ import annotations

from curbside.editorial.accounts import User
from curbside.editorial.living import recheck_approved
from curbside.editorial.review import Board
from curbside.editorial.store import ArticleStore
from curbside.library.store import Library
from curbside.models import Article
from curbside.settings import Settings
from tests.editorial.conftest import DOCUMENTS, synthetic


def _approve(store: ArticleStore, article: Article, people: dict[str, User]) -> None:
    assert article.id
    board = Board(store)
    board.claim(people["reviewer"], article.id)
    board.approve(people["reviewer"], article.id)


def test_nothing_new_changes_nothing(library: Library, store: ArticleStore, article: Article,
                                     people: dict[str, User]) -> None:
    _approve(store, article, people)
    assert recheck_approved(library, store.db, Settings()) == []


def test_new_systematic_review_drafts_a_version(library: Library, store: ArticleStore,
                                                article: Article, people: dict[str, User]
                                                ) -> None:
    _approve(store, article, people)
    assert article.id
    library.write([synthetic(
        "test:z-review", "Zanthoxylosis: a synthetic systematic review",
        "Zanthoxylosis is a synthetic condition whose synthetic purple freckles fade with "
        "synthetic rest in all pooled test studies of this synthetic review.",
        types=["Systematic Review"], year=2025)])
    [flag] = recheck_approved(library, store.db, Settings())
    assert flag.article_id == article.id and flag.version == 2
    assert "new systematic review test:z-review" in flag.reason
    queued = {r.id: r for r in store.queue()}
    assert "systematic review" in (queued[article.id].new_evidence or "")
    # Readers keep the approved version, told that a revision is waiting.
    assert store.get(article.id).version == 1
    assert "test:z-review" in [r.id for r in store.version(article.id).references]
    # A second re-check does not pile up drafts.
    assert recheck_approved(library, store.db, Settings()) == []


def test_retracted_citation_drafts_a_version(library: Library, store: ArticleStore,
                                             article: Article, people: dict[str, User]) -> None:
    _approve(store, article, people)
    cited = {r.id for r in article.references}
    target = next(d for d in DOCUMENTS if d.id in cited)
    library.write([target.model_copy(update={
        "retracted": True, "publication_types": ["Retracted Publication"]})])
    [flag] = recheck_approved(library, store.db, Settings())
    assert f"cited paper now retracted: {target.id}" in flag.reason
    assert article.id
    assert target.id not in [r.id for r in store.version(article.id).references]
