"""The advisory board in the web product: sign-in, the review queue and review pages, and the
same actions in the JSON API. Pages use session cookies with CSRF tokens; the API uses bearer
tokens. Readers (no account) reach none of it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from curbside.editorial import audit
from curbside.editorial.accounts import Accounts, Action, AuthError, ForbiddenError, User
from curbside.editorial.edits import VersionEdit, statement_diff
from curbside.editorial.readers import ReaderAnswers
from curbside.editorial.review import Board
from curbside.editorial.store import (
    ArticleSummary,
    Review,
    VersionInfo,
    transaction,
)
from curbside.library.store import Library
from curbside.models import Article
from curbside.settings import Settings
from curbside.web.composing import ComposerPool
from curbside.web.errors import TooManyAttemptsError, error_responses
from curbside.web.headers import SESSION_COOKIE
from curbside.web.service import board_articles, editorial, open_library
from curbside.web.throttle import LoginThrottle

LOG = logging.getLogger(__name__)
MAX_NAME = 64  # account names are at most this long
MAX_PASSWORD = 1024


class CommentRequest(BaseModel):
    comment: str = Field(default="", max_length=5000)
    statement: int | None = None


class RetireRequest(BaseModel):
    reason: str = Field(max_length=2000)


class VersionRequest(BaseModel):
    regenerate: bool = False
    remove: list[int] = Field(default_factory=list)
    move_up: list[int] = Field(default_factory=list)
    note: str | None = Field(default=None, max_length=1000)


class QueuePage(BaseModel):
    """One page of the review queue, oldest first, with the links to its neighbours."""

    total: int = Field(description="Articles waiting for the board, on every page.")
    page: int
    pages: int
    per_page: int
    items: list[ArticleSummary]
    next: str | None = Field(description="The next page's address, if there is one.")
    previous: str | None = Field(description="The previous page's address, if there is one.")


def queue_page(library: Library, settings: Settings, page: int, base: str) -> QueuePage:
    store = board_articles(library, settings)
    size = settings.review.queue_page_size
    total = store.queue_size()
    pages = max(1, -(-total // size))
    page = min(page, pages)  # past the end: the last page, not an empty one
    items = store.queue(size, (page - 1) * size)
    return QueuePage(total=total, page=page, pages=pages, per_page=size, items=items,
                     next=f"{base}?page={page + 1}" if page < pages else None,
                     previous=f"{base}?page={page - 1}" if page > 1 else None)


PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="1 for the oldest.")]


def session_of(settings: Settings, request: Request) -> tuple[User, str] | None:
    """The signed-in account of a page request and its CSRF token, if any."""
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        return None
    with open_library(settings) as library:
        return Accounts(editorial(library, settings)).by_session(session)


def _board(library: Library, settings: Settings) -> Board:
    return Board(board_articles(library, settings), settings.review)


def _new_version(library: Library, composer: ComposerPool, settings: Settings, user: User,
                 article_id: str, request: VersionRequest) -> int:
    board = _board(library, settings)
    regenerated = None
    if request.regenerate:
        user.require(Action.NEW_VERSION)  # checked before the costly regeneration
        current = board.store.version(article_id)
        regenerated = composer.compose(current.question, current.audience)
    edit = VersionEdit(remove=tuple(request.remove), move_up=tuple(request.move_up),
                       note=request.note or None)
    return board.new_version(user, article_id, edit, regenerated)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def token_user(request: Request) -> User:
    """The account behind the request's bearer token. Invalid tokens count as failed
    sign-ins of the client's address."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise AuthError("Sign in: send `Authorization: Bearer <token>`; issue a token with "
                        "`curbside users token NAME`.")
    addresses = _throttle(request).addresses
    address = client_address(request)
    stamp, wait = addresses.hit(address)
    if stamp is None:
        LOG.warning("API token refused unchecked: address %s is locked for %d s", address, wait)
        raise TooManyAttemptsError(wait)
    try:
        with open_library(request.app.state.settings) as library:
            user = Accounts(editorial(library, request.app.state.settings)).by_token(
                header[7:].strip())
    except AuthError:
        raise  # an invalid token: the failure stays counted
    except Exception:
        addresses.forget(address, stamp)
        raise
    addresses.forget(address, stamp)  # a valid token is no failure
    return user


Who = Annotated[User, Depends(token_user)]


def review_api(settings: Settings, composer: ComposerPool) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["review"],
                    responses=error_responses(400, 401, 403, 422, 429, 503))
    action = error_responses(404, 409, 413)  # what acting on an article may also answer

    @api.get("/review/queue")
    def queue(user: Who, page: PageNumber = 1) -> QueuePage:
        user.require(Action.VIEW_QUEUE)
        with open_library(settings) as library:
            return queue_page(library, settings, page, "/api/review/queue")

    @api.post("/articles/{article_id}/submit", status_code=201, responses=action)
    def submit(article_id: str, user: Who) -> Article:
        """Put a reader's answer (`ans-…`, from `POST /api/ask`) in the review queue as a new
        article; editors and admins."""
        with open_library(settings) as library:
            board = _board(library, settings)
            stored = board.submit(user, ReaderAnswers(board.db, settings.web), article_id)
            assert stored.id
            return board.store.version(stored.id)

    @api.post("/articles/{article_id}/release", responses=action)
    def release(article_id: str, user: Who) -> Article:
        with open_library(settings) as library:
            board = _board(library, settings)
            board.release(user, article_id)
            return board.store.version(article_id)

    @api.post("/articles/{article_id}/claim", responses=action)
    def claim(article_id: str, user: Who) -> Article:
        with open_library(settings) as library:
            board = _board(library, settings)
            board.claim(user, article_id)
            return board.store.version(article_id)

    @api.post("/articles/{article_id}/approve", responses=action)
    def approve(article_id: str, body: CommentRequest, user: Who) -> Article:
        with open_library(settings) as library:
            board = _board(library, settings)
            board.approve(user, article_id, body.comment)
            return board.store.version(article_id)

    @api.post("/articles/{article_id}/request-changes", responses=action)
    def request_changes(article_id: str, body: CommentRequest, user: Who) -> Article:
        with open_library(settings) as library:
            board = _board(library, settings)
            board.request_changes(user, article_id, body.comment, body.statement)
            return board.store.version(article_id)

    @api.post("/articles/{article_id}/comments", status_code=201, responses=action)
    def comment(article_id: str, body: CommentRequest, user: Who) -> dict[str, str]:
        with open_library(settings) as library:
            _board(library, settings).comment(user, article_id, body.comment, body.statement)
        return {"status": "recorded"}

    @api.post("/articles/{article_id}/versions", status_code=201, responses=action)
    def new_version(article_id: str, body: VersionRequest, user: Who) -> Article:
        with open_library(settings) as library:
            number = _new_version(library, composer, settings, user, article_id, body)
            return _board(library, settings).store.version(article_id, number)

    @api.get("/articles/{article_id}/versions", responses=error_responses(404))
    def versions(article_id: str, user: Who) -> list[VersionInfo]:
        user.require(Action.VIEW_QUEUE)
        with open_library(settings) as library:
            return board_articles(library, settings).versions(article_id)

    @api.post("/articles/{article_id}/retire", responses=action)
    def retire(article_id: str, body: RetireRequest, user: Who) -> dict[str, str]:
        with open_library(settings) as library:
            _board(library, settings).retire(user, article_id, body.reason)
        return {"status": "retired"}

    @api.delete("/token")
    def revoke_token(request: Request, user: Who) -> dict[str, str]:
        """Revoke the token this request was sent with (it stops working at once)."""
        token = request.headers["authorization"][7:].strip()
        with open_library(settings) as library:
            ids = Accounts(editorial(library, settings)).revoke(user.name, user.name,
                                                               token=token)
        return {"status": "revoked", "token": ids[0]}

    return api


def _record_lock(library: Library, settings: Settings, throttle: LoginThrottle, name: str,
                 address: str) -> None:
    """The failure that locks an account name or an address, in the server log and the audit
    log (once per lock, not for every refused attempt)."""
    failures = {"account": throttle.accounts.count(name),
                "address": throttle.addresses.count(address)}
    minutes = throttle.window_seconds / 60
    LOG.warning("sign-in locked after failed attempts: account %r (%d failures), address %s "
                "(%d failures) in %g minutes", name, failures["account"], address,
                failures["address"], minutes)
    db = editorial(library, settings)
    with transaction(db):
        audit.append(db, "curbside", "sign-in locked", detail={
            "account": name, "address": address, "failures": failures,
            "window_minutes": minutes})


def review_pages(settings: Settings, templates: Jinja2Templates, composer: ComposerPool
                 ) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def session_user(request: Request) -> tuple[User, str] | None:
        return session_of(settings, request)

    def signed_in(request: Request) -> tuple[User, str]:
        found = session_user(request)
        if found is None:
            raise AuthError("Sign in to use the review pages.")
        return found

    def checked(request: Request, csrf: str) -> User:
        user, expected = signed_in(request)
        if not secrets.compare_digest(csrf, expected):
            raise ForbiddenError("The form is out of date (CSRF check failed); reload the page "
                                 "and try again.")
        return user

    @pages.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/review") -> Response:
        return templates.TemplateResponse(request, "login.html", {"next": next, "error": None})

    @pages.post("/login")
    def login(request: Request, name: Annotated[str, Form(max_length=MAX_NAME)],
              password: Annotated[str, Form(max_length=MAX_PASSWORD)],
              next: Annotated[str, Form(max_length=2000)] = "/review") -> Response:
        # Failures are throttled per account name (known or not, so a lock-out tells nothing)
        # and per client address; a locked sign-in is refused before any password is checked.
        throttle, address = _throttle(request), client_address(request)
        stamps, wait = throttle.begin(name, address)
        if stamps is None:
            LOG.warning("sign-in refused unchecked: account %r or address %s is locked for "
                        "%d s", name, address, wait)
            return templates.TemplateResponse(
                request, "login.html", {"next": next, "error": str(TooManyAttemptsError(wait))},
                status_code=429, headers={"Retry-After": str(wait)})
        with open_library(settings) as library:
            accounts = Accounts(editorial(library, settings))
            try:
                user = accounts.authenticate(name, password)
            except AuthError as error:
                if throttle.locked_now(name, address):
                    _record_lock(library, settings, throttle, name, address)
                return templates.TemplateResponse(
                    request, "login.html", {"next": next, "error": str(error)}, status_code=401)
            throttle.succeeded(name, address, stamps)
            session, _ = accounts.start_session(user, settings.review.session_hours)
        target = next if next.startswith("/") and not next.startswith("//") else "/review"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict",
                            secure=settings.review.secure_cookies,
                            max_age=settings.review.session_hours * 3600)
        return response

    @pages.post("/logout")
    def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
        checked(request, csrf)
        with open_library(settings) as library:
            Accounts(editorial(library, settings)).end_session(request.cookies[SESSION_COOKIE])
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @pages.get("/review", response_class=HTMLResponse)
    def queue_view(request: Request, page: PageNumber = 1) -> Response:
        found = session_user(request)
        if found is None:
            return RedirectResponse("/login?next=/review", status_code=303)
        user, csrf = found
        user.require(Action.VIEW_QUEUE)
        with open_library(settings) as library:
            shown = queue_page(library, settings, page, "/review")
        return templates.TemplateResponse(request, "review_queue.html", {
            "user": user, "csrf": csrf, "rows": shown.items, "queue": shown})

    @pages.post("/articles/{article_id}/submit")
    def submit_form(request: Request, article_id: str,
                    csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        user = checked(request, csrf)
        with open_library(settings) as library:
            board = _board(library, settings)
            stored = board.submit(user, ReaderAnswers(board.db, settings.web), article_id)
        return RedirectResponse(f"/review/{quote(str(stored.id))}", status_code=303)

    @pages.get("/review/{article_id}", response_class=HTMLResponse)
    def review_page(request: Request, article_id: str) -> Response:
        found = session_user(request)
        if found is None:
            return RedirectResponse(f"/login?next=/review/{quote(article_id)}", status_code=303)
        user, csrf = found
        user.require(Action.VIEW_QUEUE)
        with open_library(settings) as library:
            store = board_articles(library, settings)
            latest = store.version(article_id)
            history: list[VersionInfo] = store.versions(article_id)
            previous = store.version(article_id, latest.version - 1) \
                if latest.version > 1 else None
            reviews: list[Review] = store.reviews(article_id)
            status, claimed_by, _, _ = store.state(article_id)
        diff = statement_diff(previous, latest) if previous else None
        return templates.TemplateResponse(request, "review.html", {
            "user": user, "csrf": csrf, "article": latest, "history": history, "diff": diff,
            "reviews": reviews, "status": status, "claimed_by": claimed_by,
            "own_version": history[-1].author == user.name,
            "references": {r.n: r for r in latest.references}, "Action": Action})

    def action(path: str, run: Callable[[Library, User, Request], object]) -> None:
        @pages.post(f"/review/{{article_id}}/{path}", name=f"review-{path}")
        async def handler(request: Request, article_id: str) -> Response:
            form = await request.form()
            user = checked(request, str(form.get("csrf", "")))
            request.state.article_id = article_id
            request.state.form = form
            with open_library(settings) as library:
                run(library, user, request)
            return RedirectResponse(f"/review/{quote(article_id)}", status_code=303)

    def field(request: Request, name: str) -> str:
        return str(request.state.form.get(name, "") or "")

    def statement_number(request: Request) -> int | None:
        raw = field(request, "statement").strip()
        return int(raw) if raw.isdigit() else None

    action("claim", lambda lib, user, req: _board(lib, settings).claim(
        user, req.state.article_id))
    action("release", lambda lib, user, req: _board(lib, settings).release(
        user, req.state.article_id))
    action("approve", lambda lib, user, req: _board(lib, settings).approve(
        user, req.state.article_id, field(req, "comment")))
    action("request-changes", lambda lib, user, req: _board(lib, settings).request_changes(
        user, req.state.article_id, field(req, "comment"), statement_number(req)))
    action("comment", lambda lib, user, req: _board(lib, settings).comment(
        user, req.state.article_id, field(req, "comment"), statement_number(req)))
    action("retire", lambda lib, user, req: _board(lib, settings).retire(
        user, req.state.article_id, field(req, "reason")))

    def version_from_form(lib: Library, user: User, req: Request) -> None:
        form = req.state.form
        body = VersionRequest(
            regenerate=field(req, "regenerate") == "on",
            remove=[int(v) for v in form.getlist("remove") if str(v).isdigit()],
            move_up=[int(v) for v in form.getlist("move_up") if str(v).isdigit()],
            note=field(req, "note").strip() or None)
        _new_version(lib, composer, settings, user, req.state.article_id, body)

    action("new-version", version_from_form)
    return pages
