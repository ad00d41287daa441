"""Several server processes (`curbside serve --workers 2`) over the shared PostgreSQL store:
what one process approves, or signs in, another serves. Which process served a request is
read from the operating system (which one holds the connection's socket), not from the
server, so the server tells clients nothing about its processes."""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from curbside.editorial.accounts import Accounts
from curbside.library.store import Library
from tests.editorial.conftest import DOCUMENTS, QUESTION
from tests.editorial.test_cli_review import run
from tests.postgres import PostgresServer
from tests.servers import free_port, running
from tests.stores import board_db

PASSWORD = "synthetic-password-5"
ACCOUNT_LIMIT = 3


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # The parent's pid follows the command name in parentheses.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the loopback connection from `client_port`."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return fields[9]
    return None


def _served_by(connection: http.client.HTTPConnection, server_port: int,
               workers: list[int]) -> int | None:
    """The server process that accepted this (kept-alive) connection."""
    assert connection.sock is not None
    inode = _socket_inode(server_port, connection.sock.getsockname()[1])
    for pid in workers:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        if f"socket:[{inode}]" in links:
            return pid
    return None


def _call(connection: http.client.HTTPConnection, method: str, path: str,
          body: object | None = None, headers: dict[str, str] | None = None
          ) -> tuple[int, dict[str, str], str]:
    data = None if body is None else json.dumps(body)
    sent = {"Content-Type": "application/json", **(headers or {})} if data else headers or {}
    connection.request(method, path, body=data, headers=sent)
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode()


def _login(connection: http.client.HTTPConnection, name: str, password: str
           ) -> http.client.HTTPResponse:
    form = urlencode({"name": name, "password": password, "next": "/review"})
    connection.request("POST", "/login", body=form,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    return response


@dataclass(frozen=True)
class Served:
    port: int
    supervisor: int  # the pid of `curbside serve`, whose children serve
    tokens: dict[str, str]  # API tokens by role
    library: Path
    env: dict[str, str]  # what names the shared store


@pytest.fixture()
def two_workers(tmp_path: Path, postgres: PostgresServer) -> Iterator[Served]:
    """`curbside serve --workers 2` over a library and a fresh PostgreSQL database."""
    url = postgres.new_database()
    directory = tmp_path / "library"
    with Library(directory, create=True) as library:
        library.write(DOCUMENTS)
        accounts = Accounts(board_db(library, url))
        tokens = {}
        for role in ("editor", "reviewer"):
            accounts.add(f"{role}-w", role, PASSWORD)
            tokens[role] = accounts.issue_token(f"{role}-w")
    port = free_port()
    env = {"CURBSIDE_DATABASE_URL": url}
    command = [sys.executable, "-m", "curbside.cli", "serve", "--port", str(port),
               "--workers", "2", "--ask-workers", "1"]
    process_env = dict(os.environ, CURBSIDE_LIBRARY=str(directory),
                       CURBSIDE_COMPOSER_ANSWER_MODEL="false",
                       CURBSIDE_WEB_LOGIN_FAILURES_PER_ACCOUNT=str(ACCOUNT_LIMIT), **env)
    log = tmp_path / "server.log"
    with running(command, log, f"http://127.0.0.1:{port}/openapi.json", process_env):
        supervisor = next(int(pid) for pid in os.listdir("/proc") if pid.isdigit()
                          and _is_server(int(pid), port))
        yield Served(port, supervisor, tokens, directory, env)


def _is_server(pid: int, port: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"serve" in command and str(port).encode() in command


def test_an_approval_through_one_process_is_seen_through_another(two_workers: Served) -> None:
    port, tokens = two_workers.port, two_workers.tokens
    workers = _children(two_workers.supervisor)
    # Connections until two are served by different processes (the kernel hands each new
    # connection to one of them).
    served: dict[int, http.client.HTTPConnection] = {}
    for _ in range(40):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        status, _, _ = _call(connection, "GET", "/openapi.json")
        assert status == 200
        pid = _served_by(connection, port, workers)
        if pid is not None and pid not in served:
            served[pid] = connection
        else:
            connection.close()
        if len(served) == 2:
            break
    assert len(served) == 2, f"every connection went to one of {workers}"
    first, second = served.values()
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    reviewer = {"Authorization": f"Bearer {tokens['reviewer']}"}

    status, _, body = _call(first, "POST", "/api/ask", {"question": QUESTION})
    assert status == 201, body
    status, _, body = _call(first, "POST", f"/api/articles/{json.loads(body)['id']}/submit",
                            {}, editor)
    assert status == 201, body
    article_id = json.loads(body)["id"]
    # Claimed through one process, approved through the other, read through the first.
    status, _, body = _call(first, "POST", f"/api/articles/{article_id}/claim", {}, reviewer)
    assert status == 200, body
    status, _, body = _call(second, "POST", f"/api/articles/{article_id}/approve",
                            {"comment": "checked"}, reviewer)
    assert status == 200, body
    status, _, body = _call(first, "GET", f"/api/articles/{article_id}")
    assert status == 200 and json.loads(body)["status"] == "approved", body
    assert json.loads(body)["approved_by"] == ["reviewer-w"]

    # A session started through one process is valid in the other.
    signed_in = _login(second, "reviewer-w", PASSWORD)
    assert signed_in.status == 303
    cookie = re.match(r"[^;]+", signed_in.getheader("set-cookie") or "")
    assert cookie
    status, _, page = _call(first, "GET", "/review", headers={"Cookie": cookie.group(0)})
    assert status == 200 and "<h1>Review queue</h1>" in page
    assert {_served_by(first, port, workers), _served_by(second, port, workers)} == set(served)

    # Wrong passwords spread over both processes lock the account in both.
    for connection in (first, second, first):
        assert _login(connection, "reviewer-w", "wrong-password-1").status == 401
    for connection in (second, first):
        refused = _login(connection, "reviewer-w", PASSWORD)
        assert refused.status == 429 and refused.getheader("retry-after")

    verified = run(two_workers.library, "audit", "verify", env_extra=two_workers.env)
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stdout
