"""What the web pages and the JSON API both do: answer, follow up, look up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from curbside.answer.ask import answer_question
from curbside.answer.compose import topic_phrase
from curbside.answer.followups import suggested_followups
from curbside.answer.question import analyse_question
from curbside.editorial.store import ArticleStore
from curbside.library.store import Library
from curbside.models import Article, Audience
from curbside.settings import Settings

# What readers may say they are, and the article audience each one reads.
READER_KINDS: dict[str, tuple[str, Audience]] = {
    "clinician": ("Clinician", "clinician"),
    "nurse": ("Nurse or allied health professional", "clinician"),
    "student": ("Medical student", "clinician"),
    "patient": ("Patient or caregiver", "patient"),
}


@contextmanager
def open_library(settings: Settings) -> Iterator[Library]:
    """A connection for one request: SQLite connections are not shared between threads."""
    library = Library(settings.library)
    try:
        yield library
    finally:
        library.close()


def ask_and_save(library: Library, question: str, audience: Audience, settings: Settings
                 ) -> Article:
    article = answer_question(library, question, audience, settings)
    return ArticleStore(library).save(article)


def follow_up(library: Library, article_id: str, question: str, settings: Settings,
              audience: Audience | None = None) -> Article:
    """A new article in the thread of an earlier one, its question read in that context."""
    store = ArticleStore(library)
    earlier = store.get(article_id)
    first = store.get(earlier.thread_id) if earlier.thread_id else earlier
    article = answer_question(library, question, audience or earlier.audience, settings,
                              thread_question=first.question)
    return store.save(article, follows=earlier)


def followup_suggestions(article: Article) -> list[str]:
    try:
        topic = topic_phrase(analyse_question(article.question))
    except ValueError:
        return []
    return suggested_followups(article, topic)
