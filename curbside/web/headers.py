"""Security headers on every response of the web app: what a page may load and run, that no
other site may frame it, that no address leaks in a Referer, and that signed-in pages are never
stored by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Collection

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The pages load their own stylesheet and script only: no inline script, style or event
# handler anywhere (app.js places citation cards through the CSSOM, which style-src allows),
# and the ask page's event stream is same-origin.
PAGE_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])
# FastAPI's interactive API pages (/docs, /redoc) load Swagger UI and ReDoc from their CDN and
# start them with an inline script; they show only the app's own OpenAPI description.
DOCS_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'",
    "style-src 'self' https://cdn.jsdelivr.net https://fonts.googleapis.com 'unsafe-inline'",
    "font-src https://fonts.gstatic.com",
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
    "connect-src 'self'",
    "worker-src blob:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])
# Pages for the advisory board and sign-in: a shared computer's cache or a proxy must never
# keep a reviewer's page, its CSRF token or a draft article.
PRIVATE_PREFIXES = ("/login", "/logout", "/review", "/api/review")
# A reader's own answer (its question may be personal) and its thread are theirs alone.
READER_ANSWER_PREFIXES = ("/articles/ans-", "/api/articles/ans-", "/threads/ans-",
                          "/api/threads/ans-")
SESSION_COOKIE = "curbside_session"


def _private(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PRIVATE_PREFIXES
               ) or path.startswith(READER_ANSWER_PREFIXES)


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response, error pages included."""

    def __init__(self, app: ASGIApp, docs_paths: Collection[str] = ()) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        policy = DOCS_POLICY if path in self.docs_paths else PAGE_POLICY
        # A bearer token or a board member's session makes any answer the account's own
        # (an article page then carries a CSRF token).
        headers_in = Headers(scope=scope)
        private = (_private(path) or "authorization" in headers_in
                   or SESSION_COOKIE + "=" in headers_in.get("cookie", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                if private:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
