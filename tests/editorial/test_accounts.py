from __future__ import annotations

import json
import time
from typing import Literal

import pytest
from argon2 import PasswordHasher, extract_parameters

from curbside.editorial import accounts as accounts_module
from curbside.editorial import audit
from curbside.editorial.accounts import Accounts, AuthError, Role
from curbside.editorial.store import ArticleStore
from curbside.errors import CurbsideError
from tests.editorial.conftest import PASSWORD
from tests.stores import sql


def test_passwords_are_hashed_with_argon2(store: ArticleStore) -> None:
    accounts = Accounts(store.db)
    accounts.add("dr-a", "reviewer", PASSWORD)
    stored = sql(store.db, "SELECT password_hash FROM users")[0][0]
    assert stored.startswith("$argon2") and PASSWORD not in stored
    assert accounts.authenticate("dr-a", PASSWORD).role == Role.REVIEWER
    with pytest.raises(AuthError, match="Wrong user name or password"):
        accounts.authenticate("dr-a", "not-the-password")
    with pytest.raises(AuthError, match="Wrong user name or password"):
        accounts.authenticate("nobody", PASSWORD)


def test_tokens_and_sessions_are_stored_hashed(store: ArticleStore) -> None:
    accounts = Accounts(store.db)
    user = accounts.add("dr-b", "editor", PASSWORD)
    token = accounts.issue_token("dr-b")
    assert accounts.by_token(token) == user
    assert token not in str(sql(store.db, "SELECT * FROM api_tokens"))
    with pytest.raises(AuthError):
        accounts.by_token(token + "x")
    session, csrf = accounts.start_session(user, hours=1)
    assert accounts.by_session(session) == (user, csrf)
    accounts.end_session(session)
    assert accounts.by_session(session) is None
    expired, _ = accounts.start_session(user, hours=-1)
    assert accounts.by_session(expired) is None


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [("x", "editor", PASSWORD, "not allowed"), ("dr-c", "owner", PASSWORD, "Unknown role"),
     ("dr-c", "editor", "short", "too short")],
)
def test_bad_accounts_are_refused(store: ArticleStore, name: str, role: str, password: str,
                                  message: str) -> None:
    with pytest.raises(CurbsideError, match=message):
        Accounts(store.db).add(name, role, password)


def test_duplicate_user(store: ArticleStore) -> None:
    accounts = Accounts(store.db)
    accounts.add("dr-d", "admin", PASSWORD)
    with pytest.raises(CurbsideError, match="exists already"):
        accounts.add("dr-d", "admin", PASSWORD)


def test_signing_in_sweeps_expired_sessions(store: ArticleStore) -> None:
    accounts = Accounts(store.db)
    user = accounts.add("dr-sweep", "reviewer", PASSWORD)
    for _ in range(3):
        accounts.start_session(user, hours=-1)
    fresh, csrf = accounts.start_session(user, hours=1)
    assert sql(store.db, "SELECT count(*) FROM sessions")[0][0] == 1
    assert accounts.by_session(fresh) == (user, csrf)


def test_an_unknown_name_costs_the_same_argon2_work(store: ArticleStore,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = Accounts(store.db)
    accounts.add("dr-e", "reviewer", PASSWORD)
    stored = sql(store.db, "SELECT password_hash FROM users WHERE name = 'dr-e'")[0][0]
    verified: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            verified.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(accounts_module, "_HASHER", CountingHasher())
    for name in ("dr-e", "dr-unknown"):
        with pytest.raises(AuthError, match="Wrong user name or password"):
            accounts.authenticate(name, "not-the-password")
    # One hash checked each time, the unknown name's against the dummy hash, which has the
    # parameters (time, memory, parallelism) of a real one.
    assert verified == [stored, accounts_module.dummy_hash()]
    assert extract_parameters(verified[1]) == extract_parameters(stored)
    # The dummy hash matches no password a caller can send.
    with pytest.raises(AuthError):
        accounts.authenticate("dr-unknown", "")


def test_tokens_expire_and_can_be_revoked_and_each_step_is_audited(store: ArticleStore
                                                                   ) -> None:
    accounts = Accounts(store.db)
    accounts.add("dr-f", "reviewer", PASSWORD, actor="cli:ops")
    lasting = accounts.issue_token("dr-f")
    brief = accounts.issue_token("dr-f", days=1 / 86400)  # one second
    other = accounts.issue_token("dr-f")
    listed = accounts.tokens("dr-f")
    assert [t.state for t in listed] == ["valid"] * 3
    assert all(lasting not in t.id and len(t.id) == 12 for t in listed)
    assert listed[0].expires_at[:10] > listed[0].created_at[:10]  # 30 days on by default
    time.sleep(2.1)
    with pytest.raises(AuthError, match=r"expired on .*issue a new one"):
        accounts.by_token(brief)
    assert accounts.tokens("dr-f")[1].state == "expired"
    assert accounts.revoke("cli:ops", "dr-f", token_id=listed[0].id) == [listed[0].id]
    with pytest.raises(AuthError, match="revoked on"):
        accounts.by_token(lasting)
    assert accounts.by_token(other).name == "dr-f"
    with pytest.raises(CurbsideError, match="not a token id"):
        accounts.revoke("cli:ops", "dr-f", token_id="x';--")
    assert accounts.revoke("cli:ops", "dr-f") == [listed[1].id, listed[2].id]  # all live ones
    with pytest.raises(AuthError, match="revoked"):
        accounts.by_token(other)
    with pytest.raises(CurbsideError, match="has no live token"):
        accounts.revoke("cli:ops", "dr-f")
    with pytest.raises(CurbsideError, match="valid for some time"):
        accounts.issue_token("dr-f", days=0)
    log = [(e.actor, e.action, json.loads(e.detail)) for e in audit.entries(store.db)]
    assert log[0] == ("cli:ops", "add user", {"user": "dr-f", "role": "reviewer"})
    assert [(a, act) for a, act, _ in log[1:]] == [("dr-f", "issue token")] * 3 + [
        ("cli:ops", "revoke token")] * 2
    assert log[1][2]["token"] == listed[0].id and log[1][2]["expires_at"]
    assert log[5][2] == {"user": "dr-f", "tokens": [listed[1].id, listed[2].id]}
    assert audit.verify(store.db)[0]
