"""The ask page with a language model composing: progress streams, the verified article opens.

The model is a scripted OpenAI-compatible server on loopback (see tests/answer/chat_servers.py);
the Curbside server, its library and the browser are real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from curbside.editorial.accounts import Accounts
from curbside.library.store import Library
from curbside.models import Document, DocumentSection
from tests.answer.chat_servers import ScriptedChatServer
from tests.answer.test_llm import QUESTION, TEXTS, draft, item, passage_number
from tests.stores import board_db, sql
from tests.web.conftest import start_server

PASSWORD = "synthetic-password-3"
STATEMENT = "Intravenous vitamin K is given with concentrate in warfarin reversal."


@dataclass
class Site:
    base: str
    model: ScriptedChatServer
    library_dir: Path
    number: int  # the passage number the model sees for the vitamin K record


@pytest.fixture(scope="module")
def llm_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("llm-site")
    with Library(directory, create=True) as library:
        library.write([
            Document(id=f"t:{n}", source="test", title=f"Synthetic warfarin reversal record {n}",
                     sections=[DocumentSection(label="RESULTS", text=text)])
            for n, text in enumerate(TEXTS)
        ])
        library.embed_pending()
        number = passage_number(library, "vitamin K")
    reply = {"content": draft([(STATEMENT, [number])])}
    with ScriptedChatServer([reply] * 10) as model:
        for base in start_server(directory, CURBSIDE_LLM_URL=model.url,
                                 CURBSIDE_LLM_MODEL="scripted-model"):
            yield Site(base, model, directory, number)


def test_the_stream_reports_progress_then_the_article(llm_site: Site) -> None:
    base = llm_site.base
    events: list[tuple[str, str]] = []
    with httpx.stream("POST", f"{base}/ask/stream", data={"question": QUESTION},
                      timeout=60) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
    kinds = [k for k, _ in events]
    assert kinds[-1] == "done" and set(kinds[:-1]) == {"status"}
    assert any("scripted-model" in message for _, message in events)
    article = httpx.get(f"{base}/api/articles/{events[-1][1].rsplit('/', 1)[1]}").json()
    assert article["composer"] == "llm" and article["model"] == "scripted-model"
    assert [s["text"] for s in article["bottom_line"]] == [STATEMENT]


def test_the_browser_follows_the_work_and_opens_the_article(llm_site: Site,
                                                           browser: Browser) -> None:
    base = llm_site.base
    page = browser.new_page()
    page.goto(base + "/")
    page.fill("#question", QUESTION)
    page.click("button[type=submit]")
    page.wait_for_url("**/articles/*")
    assert STATEMENT in page.inner_text("article")
    assert "scripted-model" in page.content()
    page.close()


def _reader_answers(site: Site) -> int:
    with Library(site.library_dir) as library:
        return int(sql(board_db(library), "SELECT count(*) FROM reader_answers")[0][0])


def test_a_reader_who_leaves_stops_the_model_and_nothing_is_kept(llm_site: Site) -> None:
    model = llm_site.model
    # A long reply the model writes slowly: 300 chunks, a tenth of a second apart.
    model.replies.insert(0, {"content": draft([(STATEMENT, [llm_site.number])] * 60),
                             "chunk_delay": 0.1})
    before, abandoned = _reader_answers(llm_site), len(model.abandoned)
    with httpx.stream("POST", f"{llm_site.base}/ask/stream", data={"question": QUESTION},
                      timeout=60) as response:
        for line in response.iter_lines():
            if line.startswith("data: ") and "is writing" in line:
                break  # the model has begun; the reader closes the page
    model.idle.wait()
    # The model's stream was closed by Curbside long before its end, and no answer was kept.
    assert len(model.abandoned) == abandoned + 1
    assert model.abandoned[-1] < 100
    assert _reader_answers(llm_site) == before
    # The worker is free again: the next reader gets an article.
    assert httpx.post(f"{llm_site.base}/api/ask", json={"question": QUESTION},
                      timeout=60).status_code == 201


INVENTED = "Intravenous vitamin K is not given with concentrate in warfarin reversal."


def test_reviewers_see_rejected_statements_struck_through_and_readers_never(
        llm_site: Site) -> None:
    base = llm_site.base
    # The invented statement quotes its source faithfully and says the opposite of it.
    number = llm_site.number
    # It says so again when sent back with the reason: it stays off the page.
    invented = {"content": json.dumps({"bottom_line": [
        item(STATEMENT, [number]),
        item(INVENTED, [number], quote="intravenous vitamin K is given with concentrate")],
        "sections": []})}
    llm_site.model.replies[:0] = [invented, invented]
    answer = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=60).json()
    assert [s["text"] for s in answer["unsupported"]] == [INVENTED]
    reader_page = httpx.get(f"{base}/articles/{answer['id']}").text
    assert STATEMENT in reader_page and INVENTED not in reader_page
    with Library(llm_site.library_dir) as library:
        accounts = Accounts(board_db(library))
        accounts.add("reviewer-llm", "reviewer", PASSWORD)
        accounts.add("editor-llm", "editor", PASSWORD)
        editor = accounts.issue_token("editor-llm")
    article = httpx.post(f"{base}/api/articles/{answer['id']}/submit",
                         headers={"Authorization": f"Bearer {editor}"}).json()
    assert [s["text"] for s in article["unsupported"]] == [INVENTED]
    login = httpx.post(f"{base}/login", data={"name": "reviewer-llm", "password": PASSWORD},
                       follow_redirects=False)
    cookie = login.headers["set-cookie"].split(";", 1)[0]
    review = httpx.get(f"{base}/review/{article['id']}", headers={"Cookie": cookie}).text
    assert f"<del>{INVENTED}</del>" in review
    assert "negation differs" in review
