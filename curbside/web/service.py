"""What the web pages and the JSON API both do: answer, follow up, look up."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from curbside.answer.fetching import FetchingOffError
from curbside.answer.followups import suggested_followups
from curbside.answer.llm import LLMUnavailableError, Progress
from curbside.answer.question import analyse_question
from curbside.answer.topic import topic_phrase
from curbside.editorial.readers import ReaderAnswers, is_reader_answer
from curbside.editorial.store import ArticleStore
from curbside.errors import CurbsideError, LibraryError
from curbside.library.store import DATABASE_NAME, Library
from curbside.models import Article, Audience
from curbside.settings import Settings
from curbside.store.connect import open_editorial
from curbside.store.editorial import EditorialStore
from curbside.web.composing import ComposeCancelledError, ComposerPool
from curbside.web.errors import LIBRARY_UNAVAILABLE, LLM_UNAVAILABLE, database_message

LOG = logging.getLogger(__name__)

# What readers may say they are, and the article audience each one reads.
READER_KINDS: dict[str, tuple[str, Audience]] = {
    "clinician": ("Clinician", "clinician"),
    "nurse": ("Nurse or allied health professional", "clinician"),
    "student": ("Medical student", "clinician"),
    "patient": ("Patient or caregiver", "patient"),
}


# Libraries kept open between requests, at most this many a folder: opening one (SQLite and
# the full-text index) costs about 3 ms, a third of a page view.
IDLE_LIBRARIES = 8
_idle: dict[Path, list[tuple[int, Library]]] = {}
_idle_lock = threading.Lock()


def _file_identity(settings: Settings) -> int:
    """Which database file the folder holds now (a rebuilt library is another file)."""
    try:
        return (settings.library / DATABASE_NAME).stat().st_ino
    except OSError:
        return -1


@contextmanager
def open_library(settings: Settings) -> Iterator[Library]:
    """The library for one request, one thread at a time: taken from the ones kept open (after
    catching up with other processes' commits) or opened, and kept again after a request that
    ended cleanly."""
    identity = _file_identity(settings)
    with _idle_lock:
        kept = _idle.get(settings.library, [])
        taken = kept.pop() if kept else None
    library: Library | None = None
    if taken is not None:
        kept_identity, library = taken
        if kept_identity != identity:
            library.close()
            library = None
        else:
            try:
                library.catch_up()
            except BaseException:
                library.close()
                raise
    if library is None:
        library = Library(settings.library)
    try:
        yield library
    except BaseException:
        library.close()  # whatever went wrong, the next request starts afresh
        raise
    if library.connection.in_transaction:
        library.close()
        return
    with _idle_lock:
        kept = _idle.setdefault(settings.library, [])
        if len(kept) < IDLE_LIBRARIES:
            kept.append((identity, library))
            return
    library.close()


def editorial(library: Library, settings: Settings) -> EditorialStore:
    """The board's store for one request (its schema made when the server started)."""
    return open_editorial(settings, library)


def board_articles(library: Library, settings: Settings) -> ArticleStore:
    return ArticleStore(editorial(library, settings), settings.review.show_approver_names)


def answers(library: Library, settings: Settings) -> ReaderAnswers:
    return ReaderAnswers(editorial(library, settings), settings.web)


def ask_for_reader(library: Library, composer: ComposerPool, question: str,
                   audience: Audience, settings: Settings,
                   on_progress: Progress | None = None, fetch: bool = False,
                   cancelled: threading.Event | None = None) -> Article:
    """An answer for the reader who asked, kept apart from the board's queue (an editor may
    submit it for review); with `fetch`, from PubMed too when the library lacks evidence.
    Once `cancelled` is set, composing stops and nothing is kept (`ComposeCancelledError`)."""
    if fetch:
        allow_fetch(settings)
    article = composer.compose(question, audience, on_progress=on_progress, fetch=fetch,
                               cancelled=cancelled)
    return answers(library, settings).put(article)


def find_article(library: Library, settings: Settings, article_id: str) -> Article:
    """A reader's answer, or what readers see of one of the board's articles."""
    if is_reader_answer(article_id):
        return answers(library, settings).get(article_id)
    return board_articles(library, settings).get(article_id)


def find_thread(library: Library, settings: Settings, thread_id: str) -> list[Article]:
    """The articles of a thread in order: the board's thread, or a reader's chain of
    follow-ups (after the board's article it began from, if any)."""
    if not is_reader_answer(thread_id):
        return board_articles(library, settings).thread(thread_id)
    chain = answers(library, settings).thread(thread_id)
    if chain and chain[0].follows and not is_reader_answer(chain[0].follows):
        # Retired or gone since, it is left out: the reader's own answers still make the thread.
        with suppress(CurbsideError):
            chain.insert(0, find_article(library, settings, chain[0].follows))
    return chain


def thread_question(library: Library, settings: Settings, article: Article) -> str:
    """The first question of the article's chain of follow-ups: the topic it carries."""
    for _ in range(100):  # chains are short; a bound all the same
        if not article.follows:
            break
        try:
            article = find_article(library, settings, article.follows)
        except CurbsideError:
            break
    return article.question


def allow_fetch(settings: Settings) -> None:
    """A FetchingOffError (403) unless this server lets answers fetch from PubMed: checked
    before the ask is queued, so nothing is composed or sent."""
    if not settings.pubmed.enabled:
        raise FetchingOffError(
            "Fetching from PubMed is off on this server, so nothing was sent to NCBI. Ask "
            "without the fetch option, or ask the server's administrator to set "
            "CURBSIDE_PUBMED_ENABLED=true (the question's search terms then go to NCBI).")


async def ask_with_progress(composer: ComposerPool, question: str, audience: Audience,
                            settings: Settings, fetch: bool = False
                            ) -> AsyncIterator[tuple[str, str]]:
    """("status", message) events while the article is made, then ("done", its URL) or
    ("error", what went wrong). The article is composed on a thread of its own; only verified
    articles are ever linked, never the model's draft text. When the consumer stops early
    (the reader closed the page), composing stops and no article is kept."""
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue()
    cancelled = threading.Event()

    def put(event: tuple[str, str] | None) -> None:
        with suppress(RuntimeError):  # the event loop has closed: the server is stopping
            loop.call_soon_threadsafe(events.put_nowait, event)

    def work() -> None:
        try:
            with open_library(settings) as library:
                article = ask_for_reader(library, composer, question, audience, settings,
                                         lambda message: put(("status", message)),
                                         fetch=fetch, cancelled=cancelled)
            put(("done", f"/articles/{article.id}"))
        except ComposeCancelledError:
            LOG.info("a reader left before their article was ready; composing stopped")
        except (LibraryError, LLMUnavailableError) as error:
            # The server log has the message; the page is not told folders or addresses.
            LOG.error("composing an article failed: %s", error)
            put(("error", LIBRARY_UNAVAILABLE if isinstance(error, LibraryError)
                 else LLM_UNAVAILABLE))
        except CurbsideError as error:
            put(("error", str(error)))
        except sqlite3.DatabaseError as error:
            LOG.error("composing an article failed: the library database failed: %s", error)
            put(("error", database_message(error)))
        except Exception:  # the page must hear of it; the server log has the trace
            LOG.exception("composing an article failed")
            put(("error", "Composing the article failed; try again or ask an "
                          "administrator to check the server log."))
        finally:
            put(None)

    threading.Thread(target=work, daemon=True, name="curbside-ask-stream").start()
    try:
        while (event := await events.get()) is not None:
            yield event
    finally:  # finished, or the reader left (the stream was cancelled or closed)
        cancelled.set()


def follow_up(library: Library, composer: ComposerPool, article_id: str, question: str,
              settings: Settings, audience: Audience | None = None) -> Article:
    """A reader's answer following an earlier answer or article, its question read in the
    context of the thread's first question."""
    earlier = find_article(library, settings, article_id)
    article = composer.compose(question, audience or earlier.audience,
                               thread_question=thread_question(library, settings, earlier))
    return answers(library, settings).put(article, follows=earlier)


def followup_suggestions(article: Article) -> list[str]:
    try:
        topic = topic_phrase(analyse_question(article.question))
    except ValueError:
        return []
    return suggested_followups(article, topic)
