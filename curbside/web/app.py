"""The web product: server-rendered pages and the JSON API, over one library."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.types import ASGIApp

from curbside import __version__
from curbside.answer.fetching import FetchingOffError
from curbside.answer.llm import LLMUnavailableError
from curbside.answer.urgency import URGENT_NOTICE
from curbside.editorial.accounts import Action, AuthError, ForbiddenError, dummy_hash
from curbside.editorial.readers import is_reader_answer
from curbside.editorial.review import ReviewStateError
from curbside.editorial.store import RetiredArticleError, UnknownArticleError
from curbside.errors import CurbsideError, LibraryError, QuestionError, UnknownDocumentError
from curbside.library.search import query_terms, search_passages
from curbside.library.store import Library
from curbside.models import Article, Audience, Document
from curbside.render.citations import to_bibtex, to_csl_json, to_ris
from curbside.render.labels import REVIEW_STAGES, review_banner, shows_review_stages, stage_index
from curbside.settings import Settings, WebSettings
from curbside.store.connect import migrate
from curbside.store.postgres import PostgresEditorialStore
from curbside.urls import web_url
from curbside.web.bodylimit import BodyLimit
from curbside.web.composing import ComposerPool, ComposerStoppedError, ServerBusyError
from curbside.web.errors import (
    LIBRARY_UNAVAILABLE,
    LLM_UNAVAILABLE,
    TooManyAttemptsError,
    database_message,
    error_responses,
    validation_message,
)
from curbside.web.headers import SecurityHeaders
from curbside.web.review import review_api, review_pages, session_of
from curbside.web.service import (
    READER_KINDS,
    allow_fetch,
    answers,
    ask_for_reader,
    ask_with_progress,
    board_articles,
    editorial,
    find_article,
    find_thread,
    follow_up,
    followup_suggestions,
    open_library,
)
from curbside.web.throttle import AttemptLog, LoginThrottle

LOG = logging.getLogger(__name__)
HERE = Path(__file__).parent
MAX_BODY_QUESTION = 100_000  # longer bodies are refused before any work
# A comment line this often keeps proxies from closing a quiet stream (a model thinking).
PING_SECONDS = 15


EXPORTS = {
    "ris": (to_ris, "application/x-research-info-systems"),
    "bib": (to_bibtex, "application/x-bibtex"),
    "json": (to_csl_json, "application/vnd.citationstyles.csl+json"),
}


class AskRequest(BaseModel):
    question: str = Field(description="The clinical question.", max_length=MAX_BODY_QUESTION)
    audience: Audience = "clinician"
    fetch: bool = Field(default=False, description=(
        "When the library lacks evidence, fetch the question's best PubMed records, ingest "
        "them and answer again; the article's `fetched` says what was fetched. Refused (403) "
        "unless the server sets CURBSIDE_PUBMED_ENABLED=true."))


class FollowupRequest(BaseModel):
    question: str = Field(max_length=MAX_BODY_QUESTION)
    audience: Audience | None = None


class SearchHitOut(BaseModel):
    doc_id: str
    title: str
    section: str
    ordinal: int
    score: float
    text: str


class _CurbsideApp(FastAPI):
    max_body_bytes: int = WebSettings.model_fields["max_body_bytes"].default

    def build_middleware_stack(self) -> ASGIApp:
        # Outermost, outside Starlette's error middleware too, so that even a 500 page carries
        # the security headers; the body cap within, so its 413 carries them too.
        docs = [url for url in (self.docs_url, self.redoc_url,
                                self.swagger_ui_oauth2_redirect_url) if url]
        return SecurityHeaders(BodyLimit(super().build_middleware_stack(), self.max_body_bytes),
                               docs_paths=docs)


def _check_library(settings: Settings) -> None:
    """Fails early, and clearly, without a usable library; brings the editorial tables up to
    date (the migration step, once, before any request)."""
    try:
        with Library(settings.library) as library:
            migrate(editorial(library, settings))
    except sqlite3.DatabaseError as error:
        raise LibraryError(
            f"The library database in {settings.library} is damaged or is not a Curbside "
            f"library ({error}). Restore library.sqlite3 from a backup, or rebuild the library "
            "with `curbside starter` or `curbside ingest PATH`.") from error


def _shared_attempts(settings: Settings) -> AttemptLog | None:
    """Where failed sign-ins are counted when several server processes share a PostgreSQL
    store (else in this process's memory)."""
    if settings.database_url is None:
        return None
    with Library(settings.library) as library:
        store = editorial(library, settings)  # shared by this process's requests
    return store if isinstance(store, PostgresEditorialStore) else None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    _check_library(settings)
    dummy_hash()  # made now, so that the first sign-in with an unknown name costs no more
    composer = ComposerPool(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The workers start and load their models beside the server, not in the first ask.
        threading.Thread(target=_warm_up, args=(composer,), daemon=True,
                         name="curbside-compose-warm-up").start()
        yield
        composer.close()

    app = _CurbsideApp(title="Curbside", version=__version__, lifespan=lifespan,
                       description="Cited clinical answer articles from your own library.")
    app.max_body_bytes = settings.web.max_body_bytes
    app.state.settings = settings
    app.state.login_throttle = LoginThrottle(
        settings.web.login_failures_per_account, settings.web.login_failures_per_address,
        settings.web.login_window_minutes * 60, shared=_shared_attempts(settings))
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(
        stages=REVIEW_STAGES, review_banner=review_banner, stage_index=stage_index,
        shows_review_stages=shows_review_stages, reader_kinds=READER_KINDS,
        urgent_notice=URGENT_NOTICE, Action=Action,
        pubmed_fetch=settings.pubmed.enabled)  # the ask form offers fetching only then
    templates.env.filters["explain"] = explain_terms
    # Every link to a document's own page goes through this filter, whatever the model held.
    templates.env.filters["web_url"] = web_url
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        # FastAPI's own reply would echo every value sent back to the client.
        return _error(request, templates, 422, validation_message(error))

    @app.exception_handler(QuestionError)
    async def question_error(request: Request, error: QuestionError) -> Response:
        return _error(request, templates, 422, str(error))

    @app.exception_handler(ServerBusyError)
    @app.exception_handler(ComposerStoppedError)
    async def busy(request: Request, error: ServerBusyError | ComposerStoppedError) -> Response:
        return _error(request, templates, 503, str(error),
                      {"Retry-After": str(error.retry_after)})

    @app.exception_handler(TooManyAttemptsError)
    async def too_many(request: Request, error: TooManyAttemptsError) -> Response:
        return _error(request, templates, 429, str(error),
                      {"Retry-After": str(error.retry_after)})

    @app.exception_handler(UnknownArticleError)
    @app.exception_handler(UnknownDocumentError)
    async def not_found(request: Request, error: CurbsideError) -> Response:
        return _error(request, templates, 404, str(error))

    @app.exception_handler(FetchingOffError)
    async def fetching_off(request: Request, error: FetchingOffError) -> Response:
        return _error(request, templates, 403, str(error))

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, error: AuthError) -> Response:
        if isinstance(error, ForbiddenError):
            return _error(request, templates, 403, str(error))
        if not request.url.path.startswith("/api/") and request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return _error(request, templates, 401, str(error))

    @app.exception_handler(ReviewStateError)
    async def state_error(request: Request, error: ReviewStateError) -> Response:
        return _error(request, templates, 409, str(error))

    @app.exception_handler(RetiredArticleError)
    async def retired(request: Request, error: RetiredArticleError) -> Response:
        return _error(request, templates, 410, str(error))

    @app.exception_handler(CurbsideError)
    async def other_error(request: Request, error: CurbsideError) -> Response:
        return _error(request, templates, 400, str(error))

    # The server log has the full message; readers are not told the server's folders or
    # addresses.
    @app.exception_handler(LibraryError)
    async def library_unavailable(request: Request, error: LibraryError) -> Response:
        LOG.error("%s %s: %s", request.method, request.url.path, error)
        return _error(request, templates, 503, LIBRARY_UNAVAILABLE)

    @app.exception_handler(LLMUnavailableError)
    async def llm_unavailable(request: Request, error: LLMUnavailableError) -> Response:
        LOG.error("%s %s: %s", request.method, request.url.path, error)
        return _error(request, templates, 503, LLM_UNAVAILABLE)

    @app.exception_handler(sqlite3.DatabaseError)
    async def database_error(request: Request, error: sqlite3.DatabaseError) -> Response:
        LOG.error("%s %s: the library database in %s failed: %s", request.method,
                  request.url.path, settings.library, error)
        return _error(request, templates, 503, database_message(error))

    app.include_router(_api(settings, composer))
    app.include_router(review_api(settings, composer))
    app.include_router(_pages(settings, templates, composer))
    app.include_router(review_pages(settings, templates, composer))
    return app


def _warm_up(composer: ComposerPool) -> None:
    try:
        composer.warm_up()
    except Exception:  # asks will say what is wrong; the log has the trace now
        LOG.exception("starting the composing workers failed")


def explain_terms(text: str, glossary: dict[str, str]) -> Markup:
    """The text, escaped, with each glossary word marked up with its plain explanation."""
    escaped = str(escape(text))
    if not glossary:
        return Markup(escaped)
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(t) for t in sorted(glossary, key=len, reverse=True)) + r")\b",
        re.IGNORECASE)

    def mark(match: re.Match[str]) -> str:
        explanation = glossary[match.group(0).lower()]
        return f'<abbr title="{escape(explanation)}">{match.group(0)}</abbr>'

    return Markup(pattern.sub(mark, escaped))


def _error(request: Request, templates: Jinja2Templates, status: int, message: str,
           headers: dict[str, str] | None = None) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return templates.TemplateResponse(request, "error.html", {"message": message},
                                      status_code=status, headers=headers)


def _api(settings: Settings, composer: ComposerPool) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["api"], responses=error_responses(400, 422, 503))

    @api.post("/ask", status_code=201, responses=error_responses(413))
    def ask(body: AskRequest) -> Article:
        """An answer for the caller: `unsaved`, in no review queue, kept for a while under its
        `id` for follow-ups (an editor may submit it: `POST /api/articles/{id}/submit`)."""
        with open_library(settings) as library:
            return ask_for_reader(library, composer, body.question, body.audience, settings,
                                  fetch=body.fetch)

    @api.get("/articles/{article_id}", responses=error_responses(404, 410))
    def get_article(article_id: str) -> Article:
        with open_library(settings) as library:
            return find_article(library, settings, article_id)

    @api.post("/articles/{article_id}/followups", status_code=201,
              responses=error_responses(404, 410, 413))
    def post_followup(article_id: str, body: FollowupRequest) -> Article:
        with open_library(settings) as library:
            return follow_up(library, composer, article_id, body.question, settings, body.audience)

    @api.get("/threads/{thread_id}", responses=error_responses(404))
    def get_thread(thread_id: str) -> list[Article]:
        with open_library(settings) as library:
            articles = find_thread(library, settings, thread_id)
        if not articles:
            raise UnknownArticleError(thread_id)
        return articles

    @api.get("/search")
    def search(q: Annotated[str, Query(min_length=1, max_length=2000)],
               k: Annotated[int, Query(ge=1, le=100)] = 10) -> list[SearchHitOut]:
        terms = query_terms(q)
        if not terms:
            raise QuestionError("The query has no words to search for; type some words.")
        with open_library(settings) as library:
            hits = search_passages(library, terms, k)
        return [SearchHitOut(doc_id=h.passage.doc_id, title=h.title, section=h.passage.section,
                             ordinal=h.passage.ordinal, score=round(h.score, 4),
                             text=h.passage.text) for h in hits]

    @api.get("/documents/{doc_id}", responses=error_responses(404))
    def get_document(doc_id: str) -> Document:
        with open_library(settings) as library:
            return library.get(doc_id)

    return api


def _pages(settings: Settings, templates: Jinja2Templates, composer: ComposerPool
           ) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def reader_of(request: Request) -> str:
        reader = request.cookies.get("curbside_reader", "clinician")
        return reader if reader in READER_KINDS else "clinician"

    @pages.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        with open_library(settings) as library:
            recent = board_articles(library, settings).recent(10)
        return templates.TemplateResponse(request, "ask.html", {
            "recent": recent, "reader": reader_of(request),
            "streams": bool(settings.llm.url)})

    @pages.post("/ask")
    def ask_form(
        request: Request,
        question: Annotated[str, Form(max_length=MAX_BODY_QUESTION)],
        reader: Annotated[str, Form()] = "clinician",
        fetch: Annotated[bool, Form()] = False,
    ) -> Response:
        if reader not in READER_KINDS:
            raise QuestionError("Unknown reader kind; choose one of the options.")
        audience = READER_KINDS[reader][1]
        with open_library(settings) as library:
            article = ask_for_reader(library, composer, question, audience, settings,
                                     fetch=fetch)
        response = RedirectResponse(f"/articles/{article.id}", status_code=303)
        response.set_cookie("curbside_reader", reader, samesite="lax", httponly=True)
        return response

    # A POST (read by app.js from fetch's body): a GET makes nothing, and this makes an answer.
    @pages.post("/ask/stream")
    def ask_stream(
        question: Annotated[str, Form(min_length=1, max_length=MAX_BODY_QUESTION)],
        reader: Annotated[str, Form()] = "clinician",
        fetch: Annotated[bool, Form()] = False,
    ) -> Response:
        """Server-sent events while an article is composed: status lines, then `done` with
        the article's address, or `error` with what went wrong."""
        if reader not in READER_KINDS:
            raise QuestionError("Unknown reader kind; choose one of the options.")
        audience = READER_KINDS[reader][1]
        if fetch:
            allow_fetch(settings)  # a 403 now, not an error event later

        async def events() -> AsyncIterator[ServerSentEvent]:
            async for kind, data in ask_with_progress(composer, question, audience, settings,
                                                      fetch):
                yield ServerSentEvent(event=kind, data=json.dumps(data), sep="\n")

        # sse-starlette cancels `events` when the reader disconnects, which stops the work.
        response = EventSourceResponse(events(), sep="\n", ping=PING_SECONDS,
                                       headers={"Cache-Control": "no-store"})
        response.set_cookie("curbside_reader", reader, samesite="lax", httponly=True)
        return response

    @pages.get("/articles/{article_id}", response_class=HTMLResponse)
    def article_page(request: Request, article_id: str) -> Response:
        signed_in = session_of(settings, request)
        with open_library(settings) as library:
            article = find_article(library, settings, article_id)
            thread = find_thread(library, settings, article.thread_id) \
                if article.thread_id else [article]
            submitted_as = answers(library, settings).submitted_as(article_id) \
                if is_reader_answer(article_id) else None
        first = thread[0] if thread else article
        other: Audience = "patient" if article.audience == "clinician" else "clinician"
        return templates.TemplateResponse(request, "article.html", {
            "article": article, "thread": thread,
            "references": {r.n: r for r in article.references},
            "suggestions": followup_suggestions(first),
            "other_audience": other,
            "glossary": {e.term.lower(): e.explanation for e in article.glossary},
            "user": signed_in[0] if signed_in else None,
            "csrf": signed_in[1] if signed_in else None, "submitted_as": submitted_as,
        })

    @pages.post("/articles/{article_id}/followups")
    def followup_form(article_id: str, question: Annotated[str, Form(
            max_length=MAX_BODY_QUESTION)]) -> Response:
        with open_library(settings) as library:
            article = follow_up(library, composer, article_id, question, settings)
        return RedirectResponse(f"/articles/{article.id}", status_code=303)

    @pages.post("/articles/{article_id}/audience")
    def switch_audience(article_id: str, audience: Annotated[Audience, Form()]) -> Response:
        """The same question for the other audience, as a new article in the same thread."""
        with open_library(settings) as library:
            earlier = find_article(library, settings, article_id)
            article = follow_up(library, composer, article_id, earlier.question, settings,
                                audience)
        response = RedirectResponse(f"/articles/{article.id}", status_code=303)
        response.set_cookie("curbside_reader", "patient" if audience == "patient"
                            else "clinician", samesite="lax", httponly=True)
        return response

    @pages.get("/articles/{article_id}/references.{fmt}")
    def export(article_id: str, fmt: Literal["ris", "bib", "json"]) -> Response:
        with open_library(settings) as library:
            article = find_article(library, settings, article_id)
            documents = library.get_many(r.id for r in article.references)
        writer, media = EXPORTS[fmt]
        body = writer(article.references, documents)
        name = f"curbside-{article_id}.{fmt}"
        return Response(body, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @pages.get("/threads/{thread_id}", response_class=HTMLResponse)
    def thread_page(request: Request, thread_id: str) -> Response:
        with open_library(settings) as library:
            thread = find_thread(library, settings, thread_id)
        if not thread:
            raise UnknownArticleError(thread_id)
        return templates.TemplateResponse(request, "thread.html", {"thread": thread})

    @pages.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, q: str = "") -> Response:
        hits = []
        if q.strip():
            terms = query_terms(q[:2000])
            with open_library(settings) as library:
                hits = search_passages(library, terms, 20) if terms else []
        return templates.TemplateResponse(request, "search.html", {"q": q, "hits": hits})

    @pages.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document_page(request: Request, doc_id: str) -> Response:
        with open_library(settings) as library:
            document = library.get(doc_id)
        return templates.TemplateResponse(request, "document.html", {"document": document})

    @pages.get("/policy", response_class=HTMLResponse)
    def policy(request: Request) -> Response:
        return templates.TemplateResponse(request, "policy.html", {})

    return pages
