"""The ask page with a language model composing: progress streams, the verified article opens.

The model is a scripted OpenAI-compatible server on loopback (see tests/answer/chat_servers.py);
the Curbside server, its library and the browser are real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser

from curbside.library.store import Library
from curbside.models import Document, DocumentSection
from tests.answer.chat_servers import ScriptedChatServer
from tests.answer.test_llm import QUESTION, TEXTS, draft, passage_number
from tests.web.conftest import start_server

STATEMENT = "Intravenous vitamin K is given with concentrate in warfarin reversal."


@pytest.fixture(scope="module")
def llm_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ScriptedChatServer]]:
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
        yield from ((base, model) for base in start_server(
            directory, CURBSIDE_LLM_URL=model.url, CURBSIDE_LLM_MODEL="scripted-model"))


def test_the_stream_reports_progress_then_the_article(
        llm_site: tuple[str, ScriptedChatServer]) -> None:
    base, _model = llm_site
    events: list[tuple[str, str]] = []
    with httpx.stream("GET", f"{base}/ask/stream", params={"question": QUESTION},
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


def test_the_browser_follows_the_work_and_opens_the_article(
        llm_site: tuple[str, ScriptedChatServer], browser: Browser) -> None:
    base, _model = llm_site
    page = browser.new_page()
    page.goto(base + "/")
    page.fill("#question", QUESTION)
    page.click("button[type=submit]")
    page.wait_for_url("**/articles/*")
    assert STATEMENT in page.inner_text("article")
    assert "scripted-model" in page.content()
    page.close()
