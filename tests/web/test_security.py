"""Hostile document addresses and the security headers, over a real server, the real CLI and
Debian's Chromium. Every record here is synthetic, written for these tests."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from tests.web.conftest import start_server

QUESTION = "What is quorblastosis?"
HOSTILE_IDS = ["hostile:jsonl", "medquad:GARD-0001", "hostile:old"]
ROWS = [
    {"id": "hostile:jsonl", "title": "Synthetic quorblastosis review for tests",
     "url": "javascript:alert(document.cookie)", "publication_types": ["Review"], "year": 2022,
     "text": "Quorblastosis is a synthetic test condition invented for Curbside's security "
             "tests. Quorblastosis treatment with rest is described only in this synthetic "
             "record written for tests."},
    {"id": "hostile:old", "title": "Synthetic quorblastosis cohort for tests",
     "url": "https://example.org/quorblastosis", "publication_types": ["Cohort Study"],
     "year": 2021,
     "text": "Quorblastosis is a synthetic condition that improved with rest in this synthetic "
             "cohort written for Curbside's tests. Patients with quorblastosis recovered within "
             "weeks in this synthetic record."},
    {"id": "safe:https", "title": "Synthetic record with an ordinary address",
     "url": "https://example.org/synthetic", "text": "A synthetic record for Curbside's tests."},
]
MEDQUAD = (
    '<?xml version="1.0"?><!-- synthetic record written for Curbside\'s tests -->'
    '<Document id="0001" source="GARD" url=" JavaScript:alert(2)"><Focus>Quorblastosis</Focus>'
    '<QAPairs><QAPair><Question qtype="information">What is quorblastosis?</Question><Answer>'
    "Quorblastosis is a synthetic condition invented for Curbside's security tests and "
    "described nowhere else.</Answer></QAPair></QAPairs></Document>"
)
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)


def _curbside(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "curbside.cli", *args], capture_output=True,
                          text=True, check=False,
                          env=dict(os.environ, CURBSIDE_LIBRARY=str(library)))


@pytest.fixture(scope="module")
def hostile_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-urls")
    records = folder / "records.jsonl"
    records.write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    medquad = folder / "0001.xml"
    medquad.write_text(MEDQUAD, encoding="utf-8")
    library = folder / "library"
    ingested = _curbside(library, "ingest", str(records), str(medquad))
    assert ingested.returncode == 0, ingested.stderr
    # A library written before addresses were checked holds a script address itself.
    connection = sqlite3.connect(library / "library.sqlite3")
    with connection:
        connection.execute("UPDATE documents SET body = json_set(body, '$.url', "
                           "'javascript:alert(3)') WHERE id = 'hostile:old'")
    connection.close()
    return library


@pytest.fixture(scope="module")
def hostile_url_server(hostile_library: Path) -> Iterator[str]:
    yield from start_server(hostile_library)


def _assert_no_script_links(html: str) -> None:
    assert "javascript:" not in html.lower()
    for href in _HREF.findall(html):
        assert href.startswith(("/", "#", "https://", "http://")), href


def test_script_addresses_never_become_links(hostile_url_server: str) -> None:
    created = httpx.post(f"{hostile_url_server}/api/ask", json={"question": QUESTION},
                         timeout=60)
    assert created.status_code == 201, created.text
    article = created.json()
    assert {r["id"] for r in article["references"]} == set(HOSTILE_IDS)
    assert all(r["url"] is None for r in article["references"])
    page = httpx.get(f"{hostile_url_server}/articles/{article['id']}")
    assert page.status_code == 200 and "quorblastosis" in page.text.lower()
    _assert_no_script_links(page.text)
    for doc_id in HOSTILE_IDS:
        document = httpx.get(f"{hostile_url_server}/documents/{doc_id}")
        assert document.status_code == 200
        _assert_no_script_links(document.text)
        assert httpx.get(f"{hostile_url_server}/api/documents/{doc_id}").json()["url"] is None
    # An ordinary address is still a link.
    safe = httpx.get(f"{hostile_url_server}/documents/safe:https").text
    assert 'href="https://example.org/synthetic"' in safe


def test_ask_html_has_no_script_links(hostile_library: Path) -> None:
    result = _curbside(hostile_library, "ask", QUESTION, "--format", "html")
    assert result.returncode == 0, result.stderr
    assert '<ol class="references">' in result.stdout
    for doc_id in HOSTILE_IDS:
        assert f"({doc_id})" in result.stdout
    _assert_no_script_links(result.stdout)


HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
# (method, path, status, whether it is a signed-in or sign-in page)
RESPONSES = [
    ("GET", "/", 200, False),
    ("GET", "/search?q=quorblastosis", 200, False),
    ("GET", "/documents/hostile:jsonl", 200, False),
    ("GET", "/documents/missing", 404, False),
    ("GET", "/policy", 200, False),
    ("GET", "/static/app.js", 200, False),
    ("GET", "/static/style.css", 200, False),
    ("GET", "/api/search?q=quorblastosis", 200, False),
    ("GET", "/api/documents/missing", 404, False),
    ("GET", "/openapi.json", 200, False),
    ("GET", "/docs", 200, False),
    ("GET", "/login", 200, True),
    ("POST", "/login", 401, True),
    ("GET", "/review", 303, True),
    ("GET", "/review/art-missing", 303, True),
    ("GET", "/api/review/queue", 401, True),
]


@pytest.mark.parametrize(("method", "path", "status", "private"), RESPONSES)
def test_every_response_carries_the_security_headers(
        hostile_url_server: str, method: str, path: str, status: int, private: bool) -> None:
    data = {"name": "nobody", "password": "wrong", "next": "/review"} if method == "POST" else None
    response = httpx.request(method, hostile_url_server + path, data=data, timeout=30)
    assert response.status_code == status
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    if path != "/docs":
        assert "unsafe-inline" not in policy
    if private:
        assert response.headers.get("cache-control") == "no-store"


def test_pages_work_under_the_policy(browser: Browser, hostile_url_server: str) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 1300})
    page = context.new_page()
    refused: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note)
    try:
        page.goto(hostile_url_server + "/")
        page.fill("#question", QUESTION)
        page.click("form.ask button[type=submit]")
        page.wait_for_url("**/articles/ans-*")
        expect(page.locator(".bottom-line")).to_contain_text("Quorblastosis")
        # app.js runs: it places the citation card when the citation is hovered.
        cite = page.locator(".bottom-line .cite").first
        cite.hover()
        expect(cite.locator(".tip")).to_be_visible()
        assert page.evaluate("document.querySelector('.cite .tip').style.left") != ""
        assert page.locator("a[href^='javascript:' i]").count() == 0
        page.goto(hostile_url_server + "/documents/hostile:jsonl")
        expect(page.locator("h1")).to_contain_text("quorblastosis")
        page.goto(hostile_url_server + "/login")
        expect(page.locator("form.login")).to_be_visible()
    finally:
        context.close()
    assert refused == []
