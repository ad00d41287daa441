"""The JSON API over a real HTTP server."""

from __future__ import annotations

import httpx

COVERED = "What is oculopharyngeal muscular dystrophy?"


def test_ask_get_and_follow_up(server: str) -> None:
    created = httpx.post(f"{server}/api/ask", json={"question": COVERED}, timeout=30)
    assert created.status_code == 201
    article = created.json()
    assert article["id"] and article["thread_id"] == article["id"]
    assert article["bottom_line"] and article["references"]
    fetched = httpx.get(f"{server}/api/articles/{article['id']}").json()
    assert fetched == article
    followup = httpx.post(f"{server}/api/articles/{article['id']}/followups",
                          json={"question": "How is it treated?"}, timeout=30)
    assert followup.status_code == 201
    second = followup.json()
    assert second["thread_id"] == article["id"] and second["follows"] == article["id"]
    # The thread's topic carries over: the follow-up is about the same condition.
    assert second["references"]
    assert any("oculopharyngeal" in r["title"].lower() for r in second["references"])
    thread = httpx.get(f"{server}/api/threads/{article['id']}").json()
    assert [a["id"] for a in thread] == [article["id"], second["id"]]


def test_search_and_documents(server: str) -> None:
    hits = httpx.get(f"{server}/api/search", params={"q": "oculopharyngeal", "k": 3}).json()
    assert len(hits) == 3 and hits[0]["score"] >= hits[-1]["score"]
    document = httpx.get(f"{server}/api/documents/{hits[0]['doc_id']}").json()
    assert document["id"] == hits[0]["doc_id"]


def test_bad_input_gets_clear_4xx(server: str) -> None:
    empty = httpx.post(f"{server}/api/ask", json={"question": "  "})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    huge = httpx.post(f"{server}/api/ask", json={"question": "x" * 100_000})
    assert huge.status_code == 422 and "100,000 characters" in huge.json()["detail"]
    too_huge = httpx.post(f"{server}/api/ask", json={"question": "x" * 100_001})
    assert too_huge.status_code == 422
    audience = httpx.post(f"{server}/api/ask", json={"question": COVERED, "audience": "doctor"})
    assert audience.status_code == 422 and "clinician" in audience.text
    unknown = httpx.get(f"{server}/api/articles/art-missing")
    assert unknown.status_code == 404 and "No article with id" in unknown.json()["detail"]
    document = httpx.get(f"{server}/api/documents/pmid:0")
    assert document.status_code == 404 and "No document with id" in document.json()["detail"]
    no_query = httpx.get(f"{server}/api/search", params={"q": "???"})
    assert no_query.status_code == 422


def test_openapi_describes_the_api(server: str) -> None:
    spec = httpx.get(f"{server}/openapi.json").json()
    for path in ("/api/ask", "/api/articles/{article_id}", "/api/articles/{article_id}/followups",
                 "/api/search", "/api/documents/{doc_id}"):
        assert path in spec["paths"]


def test_emergency_question_is_flagged(server: str) -> None:
    article = httpx.post(f"{server}/api/ask", json={
        "question": "My father has crushing chest pain and trouble breathing, what is it?"},
        timeout=30).json()
    assert article["urgent"] is True
    page = httpx.get(f"{server}/articles/{article['id']}").text
    assert "Seek urgent care" in page


def test_reference_exports(server: str) -> None:
    article = httpx.post(f"{server}/api/ask", json={"question": COVERED}, timeout=30).json()
    ris = httpx.get(f"{server}/articles/{article['id']}/references.ris").text
    assert ris.startswith("TY  - ") and ris.count("ER  - ") == len(article["references"])
    bib = httpx.get(f"{server}/articles/{article['id']}/references.bib").text
    assert bib.count("@") == len(article["references"])
    csl = httpx.get(f"{server}/articles/{article['id']}/references.json").json()
    assert [c["id"] for c in csl] == [r["id"] for r in article["references"]]


def test_references_carry_doi_links(server: str) -> None:
    article = httpx.post(f"{server}/api/ask", json={
        "question": "Is as-needed budesonide-formoterol effective in mild asthma?"},
        timeout=30).json()
    by_id = {r["id"]: r for r in article["references"]}
    assert by_id["pmid:29768149"]["doi"] == "10.1056/NEJMoa1715274"
    page = httpx.get(f"{server}/articles/{article['id']}").text
    assert 'href="https://doi.org/10.1056/NEJMoa1715274"' in page
