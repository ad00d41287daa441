"""Accounts of the people who edit and review: roles, passwords (argon2), API tokens and web
sessions. Tokens and session ids are random and stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from curbside.errors import CurbsideError

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    session_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    csrf TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"""

_HASHER = PasswordHasher()
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
MIN_PASSWORD = 10


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash of a random password, with the parameters of real ones: a sign-in with an unknown
    name is checked against it, so it costs what a known name's does and its answer time does
    not tell which names exist."""
    return _HASHER.hash(secrets.token_urlsafe(32))


class Role(StrEnum):
    EDITOR = "editor"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW_QUEUE = "view the review queue"
    CLAIM = "claim an article for review"
    APPROVE = "approve"
    REQUEST_CHANGES = "request changes"
    COMMENT = "comment"
    NEW_VERSION = "make a new version"
    RETIRE = "retire an article"


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW_QUEUE: frozenset({Role.EDITOR, Role.REVIEWER, Role.ADMIN}),
    Action.CLAIM: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.APPROVE: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.REQUEST_CHANGES: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.COMMENT: frozenset({Role.EDITOR, Role.REVIEWER, Role.ADMIN}),
    Action.NEW_VERSION: frozenset({Role.EDITOR, Role.ADMIN}),
    Action.RETIRE: frozenset({Role.ADMIN}),
}


class AuthError(CurbsideError):
    """Not signed in, wrong credentials, or a role that may not do this."""


class ForbiddenError(AuthError):
    pass


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    def may(self, action: Action) -> bool:
        return self.role in ALLOWED[action]

    def require(self, action: Action) -> None:
        if not self.may(action):
            allowed = ", ".join(sorted(ALLOWED[action]))
            raise ForbiddenError(
                f"{self.name} is a{'n' if self.role[0] in 'aeiou' else ''} {self.role} and may "
                f"not {action}; that needs the role of {allowed}.")


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Accounts:
    def __init__(self, connection: sqlite3.Connection):
        """Expects the tables, which `ArticleStore` creates with the rest of the schema."""
        self.connection = connection

    def add(self, name: str, role: str, password: str) -> User:
        if not _NAME.match(name):
            raise CurbsideError(f"User name {name!r} is not allowed: use 2-64 letters, digits, "
                                "dots, dashes or underscores.")
        if role not in {r.value for r in Role}:
            raise CurbsideError(f"Unknown role {role!r}; choose editor, reviewer or admin.")
        if len(password) < MIN_PASSWORD:
            raise CurbsideError(f"The password is too short: use at least {MIN_PASSWORD} "
                                "characters.")
        try:
            self.connection.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role, _HASHER.hash(password), _now().isoformat(timespec="seconds")))
        except sqlite3.IntegrityError as error:
            raise CurbsideError(f"A user named {name!r} exists already.") from error
        return User(name, Role(role))

    def list(self) -> list[User]:
        rows = self.connection.execute("SELECT name, role FROM users ORDER BY name")
        return [User(name, Role(role)) for name, role in rows]

    def authenticate(self, name: str, password: str) -> User:
        row = self.connection.execute(
            "SELECT role, password_hash FROM users WHERE name = ?", (name,)).fetchone()
        try:
            # The same argon2 work whether or not the name exists.
            _HASHER.verify(dummy_hash() if row is None else row[1], password)
            if row is None:
                raise VerificationError("no such user")
        except (VerificationError, InvalidHashError):
            raise AuthError("Wrong user name or password.") from None
        return User(name, Role(row[0]))

    def issue_token(self, name: str) -> str:
        if not self.connection.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise CurbsideError(f"No user named {name!r}; add one with `curbside users add`.")
        token = "cbt_" + secrets.token_urlsafe(32)
        self.connection.execute(
            "INSERT INTO api_tokens (token_hash, user, created_at) VALUES (?, ?, ?)",
            (_digest(token), name, _now().isoformat(timespec="seconds")))
        return token

    def by_token(self, token: str) -> User:
        row = self.connection.execute(
            "SELECT u.name, u.role FROM api_tokens t JOIN users u ON u.name = t.user "
            "WHERE t.token_hash = ?", (_digest(token),)).fetchone()
        if row is None:
            raise AuthError("The API token is not valid; issue one with `curbside users token`.")
        return User(row[0], Role(row[1]))

    def start_session(self, user: User, hours: int) -> tuple[str, str]:
        """A new session id and its CSRF token."""
        session, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = _now()
        expires = (now + timedelta(hours=hours)).isoformat(timespec="seconds")
        # Each sign-in sweeps the sessions that have expired: the table never grows unbounded.
        self.connection.execute("DELETE FROM sessions WHERE expires_at < ?",
                                (now.isoformat(timespec="seconds"),))
        self.connection.execute(
            "INSERT INTO sessions (session_hash, user, csrf, expires_at) VALUES (?, ?, ?, ?)",
            (_digest(session), user.name, csrf, expires))
        return session, csrf

    def by_session(self, session: str) -> tuple[User, str] | None:
        row = self.connection.execute(
            "SELECT u.name, u.role, s.csrf, s.expires_at FROM sessions s "
            "JOIN users u ON u.name = s.user WHERE s.session_hash = ?",
            (_digest(session),)).fetchone()
        if row is None or row[3] < _now().isoformat(timespec="seconds"):
            return None
        return User(row[0], Role(row[1])), row[2]

    def end_session(self, session: str) -> None:
        self.connection.execute("DELETE FROM sessions WHERE session_hash = ?",
                                (_digest(session),))
