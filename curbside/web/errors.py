"""The one shape of every error the API returns, `{"detail": "<what went wrong and what to
do>"}`, as the OpenAPI description documents it; and messages that never echo what a client
sent nor name the server's folders."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from curbside.errors import CurbsideError


class ErrorOut(BaseModel):
    """What every error response of the API holds."""

    detail: str = Field(description="What went wrong and what to do about it.")


ERROR_DESCRIPTIONS = {
    400: "The request cannot be carried out as sent.",
    401: "Not signed in: send `Authorization: Bearer <token>`.",
    403: "The account's role may not do this.",
    404: "No such article, thread or document.",
    409: "The article is not in a review stage that allows this.",
    410: "The article was retired by the editors.",
    413: "The request body is larger than the server accepts.",
    422: "A field of the request is missing or not valid; `detail` names the fields.",
    429: "Too many failed attempts from this address; wait as long as `Retry-After` says.",
    503: "The library or the language model cannot be used at the moment.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for these error statuses, each with the `ErrorOut` shape."""
    return {code: {"model": ErrorOut, "description": ERROR_DESCRIPTIONS[code]}
            for code in codes}


class TooManyAttemptsError(CurbsideError):
    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            "Too many failed sign-ins or invalid tokens for this account or from this address. "
            f"Try again in about {minutes} minute{'s' if minutes != 1 else ''}.")
        self.retry_after = retry_after


_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
MAX_PROBLEMS = 5


def validation_message(error: RequestValidationError) -> str:
    """The invalid fields and what is wrong with each: never the values sent."""
    problems = []
    for problem in error.errors()[:MAX_PROBLEMS]:
        where = ".".join(str(part) if isinstance(part, int) or _FIELD.match(str(part))
                         else "…" for part in problem.get("loc", ()))
        message = str(problem.get("msg", "not valid"))[:200]
        if problem.get("type") == "json_invalid":
            where, message = "body", "not valid JSON"
        problems.append(f"{where or 'request'}: {message}")
    more = len(error.errors()) - MAX_PROBLEMS
    if more > 0:
        problems.append(f"and {more} more")
    return ("The request is not valid (" + "; ".join(problems) + "). Correct "
            f"{'these fields' if len(problems) > 1 else 'this field'} and send it again.")


LIBRARY_UNAVAILABLE = ("The library cannot be used at the moment. Try again shortly; if it "
                       "persists, an administrator can find the cause in the server log.")
LLM_UNAVAILABLE = ("The language model that composes articles is not answering. Try again "
                   "shortly; if it persists, an administrator can find the cause in the server "
                   "log.")
TOO_LARGE = ("The request is larger than the {size} this server accepts; send a shorter "
             "question, comment or form.")


def database_message(error: sqlite3.DatabaseError) -> str:
    """What a reader or an administrator learns from an SQLite failure (no file names)."""
    reason = str(error)[:200]
    if isinstance(error, sqlite3.OperationalError):
        return (f"The library's database could not be read just now ({reason}). Try again "
                "shortly; if it persists, an administrator can find the cause in the server "
                "log.")
    return (f"The library's database is damaged ({reason}). An administrator must restore "
            "library.sqlite3 in the library folder from a backup, or rebuild the library with "
            "`curbside starter` or `curbside ingest PATH`; `curbside serve` says what it finds "
            "when it starts.")


def human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:g} MB"
    if size >= 1000:
        return f"{size / 1000:g} kB"
    return f"{size} bytes"
