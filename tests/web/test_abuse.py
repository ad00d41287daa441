"""The web server as an attacker meets it: guessing passwords and tokens, oversized and invalid
bodies, a library gone or damaged. A real server over a library of synthetic records (written
for these tests, not real medicine); each test speaks from its own client address, as a
reverse proxy on loopback reports it in X-Forwarded-For."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from curbside.editorial import audit
from curbside.editorial.accounts import Accounts
from curbside.library.store import Library
from curbside.models import Document, DocumentSection
from tests.stores import board_db
from tests.web.conftest import start_server

PASSWORD = "synthetic-password-3"
QUESTION = "What is zanthoxylosis?"
MARKER = "SUBMITTEDVALUE"
ACCOUNT_LIMIT, ADDRESS_LIMIT = 4, 7
DOCUMENTS = [Document(
    id="test:z1", source="test", title="Zanthoxylosis: a synthetic test condition",
    sections=[DocumentSection(label="CONCLUSIONS", text=(
        "Zanthoxylosis is a synthetic test condition invented for Curbside's abuse tests. "
        "Zanthoxylosis is treated with synthetic rest in most test cases."))])]


def _library(directory: Path, accounts: tuple[str, ...] = (),
             database_url: str | None = None) -> Path:
    with Library(directory, create=True) as library:
        library.write(DOCUMENTS)
        db = board_db(library, database_url)
        for name in accounts:
            Accounts(db).add(name, "reviewer", PASSWORD)
    return directory


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def guarded(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
            ) -> Iterator[tuple[str, Path, str | None]]:
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres").new_database()
    directory = _library(tmp_path_factory.mktemp("abuse") / "library",
                         ("dr-lock", "dr-other", "dr-addr", "dr-token"), url)
    env = {"CURBSIDE_DATABASE_URL": url} if url else {}
    for base in start_server(directory,
                             CURBSIDE_WEB_LOGIN_FAILURES_PER_ACCOUNT=str(ACCOUNT_LIMIT),
                             CURBSIDE_WEB_LOGIN_FAILURES_PER_ADDRESS=str(ADDRESS_LIMIT), **env):
        yield base, directory, url


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def _login(base: str, name: str, password: str, address: str) -> httpx.Response:
    return httpx.post(f"{base}/login", data={"name": name, "password": password},
                      headers=_from(address), follow_redirects=False, timeout=30)


def test_wrong_passwords_lock_the_account(guarded: tuple[str, Path, str | None]) -> None:
    base, directory, url = guarded
    for _ in range(ACCOUNT_LIMIT):
        assert _login(base, "dr-lock", "wrong-password", "198.51.100.1").status_code == 401
    locked = _login(base, "dr-lock", "wrong-password", "198.51.100.1")
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-ins" in locked.text
    # The right password is refused while the account is locked, from any address.
    assert _login(base, "dr-lock", PASSWORD, "198.51.100.1").status_code == 429
    assert _login(base, "dr-lock", PASSWORD, "198.51.100.2").status_code == 429
    # Other accounts are not locked.
    assert _login(base, "dr-other", PASSWORD, "198.51.100.1").status_code == 303
    # The lock is recorded once in the audit log.
    with Library(directory) as library:
        locks = [e for e in audit.entries(board_db(library, url)) if e.action == "sign-in locked"]
    assert len(locks) == 1 and '"dr-lock"' in locks[0].detail


def test_unknown_names_are_locked_and_answered_as_known_ones(guarded: tuple[str, Path, str | None]
                                                           ) -> None:
    base, _, _ = guarded
    known = _login(base, "dr-other", "wrong-password", "198.51.100.3")
    unknown = _login(base, "dr-nobody", "wrong-password", "198.51.100.3")
    assert known.status_code == unknown.status_code == 401
    assert known.text == unknown.text
    for _ in range(ACCOUNT_LIMIT - 1):
        _login(base, "dr-nobody", "wrong-password", "198.51.100.4")
    # A lock-out says nothing of whether the name exists either.
    assert _login(base, "dr-nobody", "wrong-password", "198.51.100.4").status_code == 429


def test_one_address_guessing_many_names_is_locked(guarded: tuple[str, Path, str | None]) -> None:
    base, _, _ = guarded
    for n in range(ADDRESS_LIMIT):
        assert _login(base, f"guess-{n}", "wrong-password", "203.0.113.7").status_code == 401
    assert _login(base, "dr-addr", PASSWORD, "203.0.113.7").status_code == 429
    assert _login(base, "dr-addr", PASSWORD, "203.0.113.8").status_code == 303


def test_invalid_tokens_lock_the_address(guarded: tuple[str, Path, str | None]) -> None:
    base, directory, url = guarded
    with Library(directory) as library:
        token = Accounts(board_db(library, url)).issue_token("dr-token")
    queue = f"{base}/api/review/queue"
    for n in range(ADDRESS_LIMIT):
        bad = httpx.get(queue, headers={"Authorization": f"Bearer cbt_guess{n}",
                                        **_from("203.0.113.9")})
        assert bad.status_code == 401
    locked = httpx.get(queue, headers={"Authorization": f"Bearer {token}",
                                       **_from("203.0.113.9")})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert isinstance(locked.json()["detail"], str)
    good = httpx.get(queue, headers={"Authorization": f"Bearer {token}",
                                     **_from("203.0.113.10")})
    assert good.status_code == 200


def test_oversized_bodies_are_refused_and_the_server_still_answers(
        guarded: tuple[str, Path, str | None]) -> None:
    base, _, _ = guarded
    declared = httpx.post(f"{base}/api/ask", content=b"x" * 2_000_000,
                          headers={"Content-Type": "application/json"}, timeout=60)
    assert declared.status_code == 413 and "1 MB" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b"y" * 100_000

    streamed = httpx.post(f"{base}/api/ask", content=chunks(),
                          headers={"Content-Type": "application/json"}, timeout=60)
    assert streamed.status_code == 413
    form = httpx.post(f"{base}/ask", data={"question": "z" * 1_500_000}, timeout=60)
    assert form.status_code == 413 and "z" * 100 not in form.text
    # A body announced as 200 MB is refused before any of it is read.
    address = urlsplit(base)
    with socket.create_connection((str(address.hostname), int(address.port or 80)),
                                  timeout=30) as raw:
        raw.sendall(b"POST /api/ask HTTP/1.1\r\nHost: test\r\nContent-Type: application/json"
                    b"\r\nContent-Length: 200000000\r\n\r\n{\"question\": \"")
        reply = raw.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")
    assert httpx.get(f"{base}/api/search", params={"q": "zanthoxylosis"}).status_code == 200
    asked = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=60)
    assert asked.status_code == 201, asked.text


def test_invalid_input_is_not_echoed(guarded: tuple[str, Path, str | None]) -> None:
    base, _, _ = guarded
    api = httpx.post(f"{base}/api/ask", json={"question": MARKER * 10_000,
                                              "audience": MARKER})
    assert api.status_code == 422 and MARKER not in api.text
    detail = api.json()["detail"]
    assert isinstance(detail, str) and "question" in detail and "audience" in detail
    broken = httpx.post(f"{base}/api/ask", content=f'{{"question": "{MARKER}',
                        headers={"Content-Type": "application/json"})
    assert broken.status_code == 422 and MARKER not in broken.text
    page = httpx.post(f"{base}/ask", data={"question": MARKER * 10_000})
    assert page.status_code == 422 and MARKER not in page.text and "question" in page.text
    stream = httpx.post(f"{base}/ask/stream", data={"question": QUESTION, "reader": MARKER})
    assert stream.status_code == 422 and MARKER not in stream.text


def test_openapi_documents_the_errors_returned(guarded: tuple[str, Path, str | None]) -> None:
    base, _, _ = guarded
    spec = httpx.get(f"{base}/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["ErrorOut"]["properties"]["detail"]["type"] == "string"
    assert "HTTPValidationError" not in schemas
    ref = {"$ref": "#/components/schemas/ErrorOut"}

    def documented(path: str, method: str) -> dict[str, object]:
        responses: dict[str, dict[str, dict[str, dict[str, object]]]] = \
            spec["paths"][path][method]["responses"]
        errors = {code: r["content"]["application/json"]["schema"]
                  for code, r in responses.items() if code[0] in "45"}
        assert all(schema == ref for schema in errors.values()), errors
        return dict(errors)

    assert {"400", "413", "422", "503"} <= set(documented("/api/ask", "post"))
    assert {"404", "410"} <= set(documented("/api/articles/{article_id}", "get"))
    assert {"400", "401", "403", "404", "409", "413", "422", "429", "503"} <= set(
        documented("/api/articles/{article_id}/claim", "post"))
    # What the server really answers has that shape.
    for response in (httpx.post(f"{base}/api/ask", json={}),
                     httpx.get(f"{base}/api/articles/art-missing"),
                     httpx.post(f"{base}/api/articles/art-missing/claim")):
        assert set(response.json()) == {"detail"}
        assert isinstance(response.json()["detail"], str)


@pytest.fixture()
def doomed(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server whose library the test takes away or damages."""
    directory = _library(tmp_path / "doomed-library")
    for base in start_server(directory):
        yield base, directory


def test_a_missing_or_damaged_library_is_explained(doomed: tuple[str, Path],
                                                   tmp_path: Path) -> None:
    base, directory = doomed
    moved = tmp_path / "elsewhere"
    directory.rename(moved)
    gone = httpx.get(f"{base}/api/search", params={"q": "zanthoxylosis"})
    assert gone.status_code == 503 and str(directory) not in gone.text
    assert "server log" in gone.json()["detail"]
    page = httpx.get(f"{base}/documents/test:z1")
    assert page.status_code == 503 and str(directory) not in page.text
    moved.rename(directory)
    for side in ("library.sqlite3-wal", "library.sqlite3-shm"):
        (directory / side).unlink(missing_ok=True)
    (directory / "library.sqlite3").write_bytes(b"not a database " * 1000)
    damaged = httpx.get(f"{base}/api/documents/test:z1")
    assert damaged.status_code == 503, damaged.text
    detail = damaged.json()["detail"]
    assert "damaged" in detail and "backup" in detail and "curbside starter" in detail
    assert str(directory) not in detail
    page = httpx.get(f"{base}/documents/test:z1")
    assert page.status_code == 503 and "damaged" in page.text
    # Starting a server on the damaged library fails at once, saying what to do.
    started = subprocess.run(
        [sys.executable, "-m", "curbside.cli", "serve", "--port", "9"], capture_output=True,
        text=True, check=False, env=dict(os.environ, CURBSIDE_LIBRARY=str(directory)),
        stdin=subprocess.DEVNULL)
    assert started.returncode == 1
    assert "damaged" in started.stderr and "Traceback" not in started.stderr
