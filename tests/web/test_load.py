"""Under load the server sheds asks it cannot compose soon (503 with Retry-After), keeps
answering searches meanwhile, and its kept-open libraries follow what other processes write."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from curbside.library.store import Library
from curbside.models import Document, DocumentSection
from tests.web.conftest import start_server

QUESTIONS = [
    "What is the treatment of Wilson disease?",
    "Which gene is mutated in cystic fibrosis?",
    "What causes oculopharyngeal muscular dystrophy?",
    "Is metformin used in type 2 diabetes?",
    "What is the role of BRCA1 in breast cancer?",
    "How is hypothyroidism treated?",
]


def synthetic(number: int, word: str) -> Document:
    return Document(
        id=f"test:load-{number}", source="test",
        title=f"Synthetic {word} record for Curbside's server tests",
        sections=[DocumentSection(label="CONCLUSIONS", text=(
            f"{word.capitalize()} is a synthetic test word written for Curbside's tests; "
            "this record is not medicine."))])


@pytest.fixture(scope="module")
def one_composer(starter_library_dir: Path) -> Iterator[str]:
    """One composing worker and no waiting room: a second ask at the same time is shed."""
    yield from start_server(starter_library_dir, CURBSIDE_WEB_ASK_WORKERS="1",
                            CURBSIDE_WEB_ASK_QUEUE="0")


def test_asks_beyond_the_queue_get_503_with_retry_after(one_composer: str) -> None:
    def ask(question: str) -> httpx.Response:
        return httpx.post(f"{one_composer}/api/ask", json={"question": question}, timeout=120)

    with ThreadPoolExecutor(len(QUESTIONS) + 1) as pool:
        asks = [pool.submit(ask, question) for question in QUESTIONS]
        search = pool.submit(httpx.get, f"{one_composer}/api/search",
                             params={"q": "cystic fibrosis"}, timeout=120)
        replies = [future.result() for future in asks]
        searched = search.result()
    statuses = sorted(reply.status_code for reply in replies)
    assert 201 in statuses and 503 in statuses, statuses
    assert set(statuses) == {201, 503}
    for reply in replies:
        if reply.status_code == 503:
            assert int(reply.headers["retry-after"]) >= 1
            assert "Try again in" in reply.json()["detail"]
        else:
            assert reply.json()["question"] in QUESTIONS
    assert searched.status_code == 200 and searched.json()


def test_shed_ask_on_the_page_says_to_try_again(one_composer: str) -> None:
    def ask_form(question: str) -> httpx.Response:
        return httpx.post(f"{one_composer}/ask", data={"question": question}, timeout=120)

    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        replies = list(pool.map(ask_form, QUESTIONS))
    shed = [reply for reply in replies if reply.status_code == 503]
    assert shed and all(r.status_code in (303, 503) for r in replies)
    assert "Try again in" in shed[0].text and "retry-after" in shed[0].headers


def test_kept_open_libraries_follow_other_writers(tmp_path: Path) -> None:
    library_dir = tmp_path / "library"
    with Library(library_dir, create=True) as library:
        library.write([synthetic(1, "quorblation")])
    server = contextmanager(start_server)(library_dir)
    with server as base:
        def found(word: str) -> list[str]:
            reply = httpx.get(f"{base}/api/search", params={"q": word}, timeout=60)
            assert reply.status_code == 200
            return [hit["doc_id"] for hit in reply.json()]

        for _ in range(3):  # the server keeps the libraries these requests opened
            assert found("quorblation") == ["test:load-1"]
        with Library(library_dir) as library:  # another process writes
            library.write([synthetic(2, "zephyrnosis")])
        assert found("zephyrnosis") == ["test:load-2"]
        # A library rebuilt in place is another file: the server reads the new one.
        shutil.rmtree(library_dir)
        with Library(library_dir, create=True) as library:
            library.write([synthetic(3, "plimbulitis")])
        assert found("plimbulitis") == ["test:load-3"]
        assert found("quorblation") == []
