"""Accounts of the people who edit and review: roles, passwords (argon2), API tokens and web
sessions. Tokens and session ids are random and stored only as SHA-256 hashes; tokens expire
and can be revoked. Adding an account and issuing or revoking a token are audited."""

from __future__ import annotations

import builtins
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from curbside.editorial import audit
from curbside.errors import CurbsideError
from curbside.store.editorial import EditorialStore

_HASHER = PasswordHasher()
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
DEFAULT_TOKEN_DAYS = 30  # ReviewSettings.token_days; also given to tokens older than expiry
TOKEN_ID_LENGTH = 12  # hex digits of a token's hash that name it in lists and revocations


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
    SUBMIT = "submit an answer for review"
    RELEASE = "release another reviewer's claim"


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW_QUEUE: frozenset({Role.EDITOR, Role.REVIEWER, Role.ADMIN}),
    Action.CLAIM: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.APPROVE: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.REQUEST_CHANGES: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.COMMENT: frozenset({Role.EDITOR, Role.REVIEWER, Role.ADMIN}),
    Action.NEW_VERSION: frozenset({Role.EDITOR, Role.ADMIN}),
    Action.RETIRE: frozenset({Role.ADMIN}),
    Action.SUBMIT: frozenset({Role.EDITOR, Role.ADMIN}),
    Action.RELEASE: frozenset({Role.ADMIN}),  # a claimer may always release their own
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


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def expiry(days: float) -> str:
    return _stamp(_now() + timedelta(days=days))


@dataclass(frozen=True)
class TokenInfo:
    id: str  # the first hex digits of the token's hash: names it without revealing it
    user: str
    created_at: str
    expires_at: str
    revoked_at: str | None

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at < _stamp(_now()) else "valid"


class Accounts:
    def __init__(self, db: EditorialStore):
        """Over a store whose schema `curbside.store.migrate` has made."""
        self.db = db

    def add(self, name: str, role: str, password: str, actor: str = "curbside") -> User:
        """A new account; `actor` (who added it) is named in the audit log."""
        if not _NAME.match(name):
            raise CurbsideError(f"User name {name!r} is not allowed: use 2-64 letters, digits, "
                                "dots, dashes or underscores.")
        if role not in {r.value for r in Role}:
            raise CurbsideError(f"Unknown role {role!r}; choose editor, reviewer or admin.")
        if len(password) < MIN_PASSWORD:
            raise CurbsideError(f"The password is too short: use at least {MIN_PASSWORD} "
                                "characters.")
        password_hash = _HASHER.hash(password)
        with audit.transaction(self.db):
            if not self.db.insert_user(name, role, password_hash, _stamp(_now())):
                raise CurbsideError(f"A user named {name!r} exists already.")
            audit.append(self.db, actor, "add user", detail={"user": name, "role": role})
        return User(name, Role(role))

    def list(self) -> list[User]:
        return [User(name, Role(role)) for name, role in self.db.users()]

    def authenticate(self, name: str, password: str) -> User:
        row = self.db.user(name)
        try:
            # The same argon2 work whether or not the name exists.
            _HASHER.verify(dummy_hash() if row is None else row[1], password)
            if row is None:
                raise VerificationError("no such user")
        except (VerificationError, InvalidHashError):
            raise AuthError("Wrong user name or password.") from None
        return User(name, Role(row[0]))

    def issue_token(self, name: str, days: float = DEFAULT_TOKEN_DAYS) -> str:
        """A new API token for the account, valid for `days`; shown once, stored hashed."""
        if days <= 0:
            raise CurbsideError(f"A token must be valid for some time; {days} days is not.")
        if self.db.user(name) is None:
            raise CurbsideError(f"No user named {name!r}; add one with `curbside users add`.")
        token = "cbt_" + secrets.token_urlsafe(32)
        token_hash, expires = _digest(token), expiry(days)
        with audit.transaction(self.db):
            self.db.insert_token(token_hash, name, _stamp(_now()), expires)
            audit.append(self.db, name, "issue token", detail={
                "user": name, "token": token_hash[:TOKEN_ID_LENGTH], "expires_at": expires})
        return token

    def by_token(self, token: str) -> User:
        row = self.db.token(_digest(token))
        if row is None:
            raise AuthError("The API token is not valid; issue one with `curbside users token`.")
        if row.revoked_at:
            raise AuthError(f"The API token was revoked on {row.revoked_at[:10]}; issue a new "
                            "one with `curbside users token`.")
        if not row.expires_at or row.expires_at < _stamp(_now()):
            raise AuthError(f"The API token expired on {(row.expires_at or '')[:10]}; issue a "
                            "new one with `curbside users token`.")
        return User(row.name, Role(row.role))

    def tokens(self, name: str | None = None) -> builtins.list[TokenInfo]:
        """Tokens ever issued (to one account, or to all), oldest first."""
        return [TokenInfo(t.token_hash[:TOKEN_ID_LENGTH], t.user, t.created_at,
                          t.expires_at or "", t.revoked_at) for t in self.db.tokens(name)]

    def revoke(self, actor: str, name: str, token_id: str | None = None,
               token: str | None = None) -> builtins.list[str]:
        """Revoke one token of the account (by its id, or the token itself) or, with neither,
        all its live ones; returns the ids revoked."""
        if token_id is not None and not re.fullmatch(r"[0-9a-f]{6,64}", token_id):
            raise CurbsideError(f"{token_id!r} is not a token id: give the hex id that "
                                "`curbside users tokens` lists.")
        with audit.transaction(self.db):
            hashes = self.db.live_token_hashes(name)
            if token is not None:
                hashes = [h for h in hashes if h == _digest(token)]
            elif token_id is not None:
                hashes = [h for h in hashes if h.startswith(token_id)]
            if token_id is not None and len(hashes) > 1:
                raise CurbsideError(f"Token id {token_id} names {len(hashes)} tokens; give "
                                    "more of its digits.")
            if not hashes:
                raise CurbsideError(f"{name} has no live token" + (
                    f" with id {token_id}" if token_id else "") +
                    "; `curbside users tokens` lists them.")
            self.db.revoke_tokens(hashes, _stamp(_now()))
            ids = [h[:TOKEN_ID_LENGTH] for h in hashes]
            audit.append(self.db, actor, "revoke token",
                         detail={"user": name, "tokens": ids})
        return ids

    def start_session(self, user: User, hours: int) -> tuple[str, str]:
        """A new session id and its CSRF token."""
        session, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = _now()
        self.db.start_session(_digest(session), user.name, csrf,
                              _stamp(now + timedelta(hours=hours)), _stamp(now))
        return session, csrf

    def by_session(self, session: str) -> tuple[User, str] | None:
        row = self.db.session(_digest(session))
        if row is None or (row.expires_at or "") < _stamp(_now()):
            return None
        return User(row.name, Role(row.role)), row.csrf

    def end_session(self, session: str) -> None:
        self.db.end_session(_digest(session))
