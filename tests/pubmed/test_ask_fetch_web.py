"""The web's fetch option: `POST /api/ask` with `"fetch": true`, the ask form's checkbox. A
real server (its asks composed in a worker process) against the loopback stand-in."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.pubmed.standin import StandIn
from tests.pubmed.test_ask_fetch import QUESTION, _small_library
from tests.pubmed.test_cli_pubmed import _env
from tests.servers import free_port, running


@contextmanager
def _server(library: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "curbside.cli", "serve", "--port", str(port),
               "--ask-workers", "1"]
    with running(command, library / f"server-{port}.log", f"{base}/openapi.json", env):
        yield base


def test_the_api_fetches_when_the_server_allows_it(standin: StandIn, tmp_path: Path) -> None:
    library = _small_library(tmp_path / "library")
    with _server(library, _env(standin.url, library, enabled="true")) as base:
        page = httpx.get(f"{base}/", timeout=30)
        assert 'name="fetch"' in page.text  # the form offers it
        plain = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=60)
        assert plain.status_code == 201, plain.text
        assert plain.json()["fetched"] is None and plain.json()["insufficient_evidence"]
        assert standin.requests() == []  # no fetch asked for: nothing sent
        asked = httpx.post(f"{base}/api/ask", json={"question": QUESTION, "fetch": True},
                           timeout=60)
        assert asked.status_code == 201, asked.text
        article = asked.json()
        assert "pmid:29768149" in [r["id"] for r in article["references"]]
        assert article["fetched"]["pmids"] == ["29768149"]
        assert article["fetched"]["query"] == standin.requests("esearch")[0].params["term"]
        # Kept for the reader like any answer, with its note; the page shows it.
        kept = httpx.get(f"{base}/api/articles/{article['id']}", timeout=30).json()
        assert kept["fetched"] == article["fetched"]
        shown = httpx.get(f"{base}/articles/{article['id']}", timeout=30).text
        assert "From PubMed: Fetched 1 PubMed record for this question" in shown
        assert "PMID 29768149" in shown


def test_the_api_refuses_to_fetch_unless_allowed(standin: StandIn, tmp_path: Path) -> None:
    library = _small_library(tmp_path / "library")
    with _server(library, _env(standin.url, library)) as base:
        refused = httpx.post(f"{base}/api/ask", json={"question": QUESTION, "fetch": True},
                             timeout=60)
        assert refused.status_code == 403
        assert refused.json()["detail"].startswith(
            "Fetching from PubMed is off on this server, so nothing was sent to NCBI.")
        form = httpx.post(f"{base}/ask", data={"question": QUESTION, "fetch": "true"},
                          timeout=60)
        assert form.status_code == 403 and "Fetching from PubMed is off" in form.text
        assert 'name="fetch"' not in httpx.get(f"{base}/", timeout=30).text
    assert standin.requests() == []
