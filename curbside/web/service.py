"""What the web pages and the JSON API both do: answer, follow up, look up."""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from curbside.answer.ask import answer_question
from curbside.answer.followups import suggested_followups
from curbside.answer.llm import LLMUnavailableError, Progress
from curbside.answer.question import analyse_question
from curbside.answer.topic import topic_phrase
from curbside.editorial.store import ArticleStore
from curbside.errors import CurbsideError, LibraryError
from curbside.library.store import Library
from curbside.models import Article, Audience
from curbside.settings import Settings
from curbside.web.errors import LIBRARY_UNAVAILABLE, LLM_UNAVAILABLE, database_message

LOG = logging.getLogger(__name__)

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


def ask_and_save(library: Library, question: str, audience: Audience, settings: Settings,
                 on_progress: Progress | None = None) -> Article:
    article = answer_question(library, question, audience, settings, on_progress=on_progress)
    return ArticleStore(library).save(article)


def ask_with_progress(question: str, audience: Audience, settings: Settings
                      ) -> Iterator[tuple[str, str]]:
    """("status", message) events while the article is made, then ("done", its URL) or
    ("error", what went wrong). The article is composed in a worker thread; only verified
    articles are ever linked, never the model's draft text."""
    events: queue.Queue[tuple[str, str] | None] = queue.Queue()

    def work() -> None:
        try:
            with open_library(settings) as library:
                article = ask_and_save(library, question, audience, settings,
                                       lambda message: events.put(("status", message)))
            events.put(("done", f"/articles/{article.id}"))
        except (LibraryError, LLMUnavailableError) as error:
            # The server log has the message; the page is not told folders or addresses.
            LOG.error("composing an article failed: %s", error)
            events.put(("error", LIBRARY_UNAVAILABLE if isinstance(error, LibraryError)
                        else LLM_UNAVAILABLE))
        except CurbsideError as error:
            events.put(("error", str(error)))
        except sqlite3.DatabaseError as error:
            LOG.error("composing an article failed: the library database failed: %s", error)
            events.put(("error", database_message(error)))
        except Exception:  # the page must hear of it; the server log has the trace
            LOG.exception("composing an article failed")
            events.put(("error", "Composing the article failed; try again or ask an "
                                 "administrator to check the server log."))
        finally:
            events.put(None)

    threading.Thread(target=work, daemon=True).start()
    while (event := events.get()) is not None:
        yield event


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
