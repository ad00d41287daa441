"""An answer that may reach PubMed: when the library lacks evidence for the question, the
question's PubMed query fetches the best records, they are ingested, and the question is
answered again; the article records what was fetched (`Article.fetched`).

Never a silent network call: this runs only when the reader asks for it (`ask --fetch`, the
web's fetch option) and the site allows it (CURBSIDE_PUBMED_ENABLED=true); an article the
library can answer sends nothing.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from curbside.answer.ask import answer_question
from curbside.answer.llm import ChatEndpoint, Progress
from curbside.answer.question import analyse_followup, analyse_question
from curbside.errors import LibraryError
from curbside.library.store import Library
from curbside.models import Article, Audience, FetchNote
from curbside.pubmed.client import EUtils, PubMedError
from curbside.pubmed.fetch import SAVED_FOLDER, FetchReport, fetch_records, require_opt_in
from curbside.pubmed.query import pubmed_query
from curbside.settings import Settings

# Fewer documents on the topic than this, and the article is thin enough to fetch for.
FETCH_BELOW = 3
_LOCK_NAME = ".fetch.lock"  # hidden: no ingest of the folder reads it


class FetchingOffError(PubMedError):
    """The reader asked to fetch from PubMed and this site does not allow it."""


def require_fetching(settings: Settings) -> None:
    """A FetchingOffError, before anything is composed or sent, unless the site allows
    answers to fetch from PubMed."""
    try:
        require_opt_in(settings)
    except PubMedError as error:
        raise FetchingOffError(str(error)) from None


def lacks_evidence(article: Article) -> str | None:
    """Why the article is worth fetching for (said in its note), or None."""
    if article.insufficient_evidence:
        return "the library held no evidence that answers it"
    documents = article.coverage.on_topic_documents
    if documents < FETCH_BELOW:
        return (f"the library held {documents} document{'' if documents == 1 else 's'} on "
                "its topic")
    return None


@contextmanager
def _one_fetch_at_a_time(library: Library) -> Iterator[None]:
    """The web's workers are processes, each with its own rate limiter: fetches take turns,
    so that together they stay under NCBI's limit and do not download one record twice."""
    folder = library.directory / SAVED_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stream = (folder / _LOCK_NAME).open("a")
    except OSError as error:
        raise LibraryError(f"Cannot save PubMed's records in {folder}: {error.strerror}. "
                           "Check that the library folder is writable.") from None
    with stream:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(stream.fileno(), fcntl.LOCK_UN)


def _fetch(library: Library, settings: Settings, queries: list[str], max_records: int,
           eutils: EUtils | None) -> FetchReport:
    """The first query PubMed finds records for, fetched (the looser one when the first
    finds none)."""
    with _one_fetch_at_a_time(library):
        client = eutils or EUtils(settings.pubmed)
        try:
            report: FetchReport | None = None
            for query in queries:
                report = fetch_records(query, settings, library, max_records, eutils=client,
                                       sort="relevance")
                if report.found:
                    break
            # The next process's client starts with no memory of these requests.
            time.sleep(client.limiter.interval)
        finally:
            if eutils is None:
                client.close()
    assert report is not None
    return report


def answer_with_fetch(
    library: Library,
    question: str,
    audience: Audience,
    settings: Settings,
    max_records: int | None = None,
    *,
    thread_question: str | None = None,
    endpoint: ChatEndpoint | None = None,
    on_progress: Progress | None = None,
    eutils: EUtils | None = None,
) -> Article:
    """The article for the question; when the library lacks evidence, PubMed's best
    `max_records` records for it are fetched first, and the article says so. A failed fetch
    leaves the library's article, its note naming what failed."""
    require_fetching(settings)
    article = answer_question(library, question, audience, settings, thread_question,
                              endpoint, on_progress)
    reason = lacks_evidence(article)
    if reason is None:
        return article
    analysis = analyse_question(question, settings.max_question_chars)
    if thread_question is not None:
        analysis = analyse_followup(
            question, analyse_question(thread_question, settings.max_question_chars),
            settings.max_question_chars)
    built = pubmed_query(analysis)
    queries = [built.query] + ([built.broader] if built.broader else [])
    started = datetime.now(UTC).isoformat(timespec="seconds")
    if on_progress:
        on_progress("Fetching from PubMed")
    try:
        report = _fetch(library, settings, queries, max_records or settings.pubmed.ask_records,
                        eutils)
    except PubMedError as error:
        note = FetchNote(query=queries[0], found=0, at=started, reason=reason,
                         error=str(error))
        return article.model_copy(update={"fetched": note})
    note = FetchNote(query=report.query or queries[0], found=report.found,
                     pmids=report.fetched, held=report.in_library, at=started, reason=reason)
    if report.counts.added or report.counts.replaced:
        article = answer_question(library, question, audience, settings, thread_question,
                                  endpoint, on_progress)
    return article.model_copy(update={"fetched": note})
