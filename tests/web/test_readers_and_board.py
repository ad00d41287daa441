"""Readers' answers kept apart from the board's queue, submission as an editor's action, the
paged queue, four eyes and token life, as a reader, a board member or an attacker meets them:
a real server over a real library of synthetic records (written for these tests, not real
medicine)."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from curbside.editorial.accounts import Accounts
from curbside.library.store import Library
from tests.editorial.conftest import DOCUMENTS, QUESTION
from tests.editorial.test_cli_review import run
from tests.stores import board_db, sql
from tests.web.conftest import start_server

PASSWORD = "synthetic-password-4"
PAGE_SIZE = 2


@dataclass
class Site:
    base: str
    directory: Path
    tokens: dict[str, str]  # role (and "reviewer2") -> API token
    names: dict[str, str]
    env: dict[str, str]  # what names the editorial store (nothing: the library's SQLite file)

    def accounts(self, library: Library) -> Accounts:
        return Accounts(board_db(library, self.env.get("CURBSIDE_DATABASE_URL")))

    def sql(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """A statement on the board's database itself."""
        with Library(self.directory) as library:
            return sql(board_db(library, self.env.get("CURBSIDE_DATABASE_URL")), query, params)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
         ) -> Iterator[Site]:
    env = {} if request.param == "sqlite" else {
        "CURBSIDE_DATABASE_URL": request.getfixturevalue("postgres").new_database()}
    directory = tmp_path_factory.mktemp("board") / "library"
    suffix = secrets.token_hex(3)
    names = {role: f"{role}-{suffix}" for role in ("editor", "reviewer", "reviewer2", "admin")}
    with Library(directory, create=True) as library:
        library.write(DOCUMENTS)
        accounts = Accounts(board_db(library, env.get("CURBSIDE_DATABASE_URL")))
        tokens = {}
        for key, name in names.items():
            accounts.add(name, "reviewer" if key == "reviewer2" else key, PASSWORD)
            tokens[key] = accounts.issue_token(name)
    for base in start_server(directory, CURBSIDE_REVIEW_QUEUE_PAGE_SIZE=str(PAGE_SIZE),
                             CURBSIDE_REVIEW_SHOW_APPROVER_NAMES="false",
                             CURBSIDE_COMPOSER_ANSWER_MODEL="false", **env):
        yield Site(base, directory, tokens, names, env)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _counts(site: Site) -> tuple[int, ...]:
    """Board articles, readers' answers and audit entries, read from the database itself."""
    return tuple(int(site.sql(f"SELECT count(*) FROM {table}")[0][0])
                 for table in ("articles", "reader_answers", "audit"))


def _ask(site: Site, question: str = QUESTION) -> dict[str, object]:
    response = httpx.post(f"{site.base}/api/ask", json={"question": question}, timeout=60)
    assert response.status_code == 201, response.text
    answer: dict[str, object] = response.json()
    return answer


def _submit(site: Site, answer_id: object, role: str = "editor") -> httpx.Response:
    return httpx.post(f"{site.base}/api/articles/{answer_id}/submit",
                      headers=_auth(site.tokens[role]), timeout=30)


def _session(site: Site, role: str) -> tuple[str, str]:
    """A signed-in board member's session cookie and a CSRF token from one of their pages."""
    login = httpx.post(f"{site.base}/login", data={"name": site.names[role],
                                                    "password": PASSWORD},
                       follow_redirects=False)
    assert login.status_code == 303
    cookie = login.headers["set-cookie"].split(";", 1)[0]
    page = httpx.get(f"{site.base}/review", headers={"Cookie": cookie}).text
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match
    return cookie, match.group(1)


def test_readers_asks_stay_out_of_the_queue_and_a_get_makes_nothing(site: Site) -> None:
    base = site.base
    articles, _, entries = _counts(site)
    answer = _ask(site)
    assert str(answer["id"]).startswith("ans-") and answer["status"] == "unsaved"
    assert answer["thread_id"] == answer["id"]
    fetched = httpx.get(f"{base}/api/articles/{answer['id']}")
    assert fetched.json() == answer and fetched.headers["cache-control"] == "no-store"
    followup = httpx.post(f"{base}/api/articles/{answer['id']}/followups",
                          json={"question": "How is it treated?"}, timeout=60).json()
    assert followup["thread_id"] == answer["id"] and followup["follows"] == answer["id"]
    assert followup["status"] == "unsaved"
    thread = httpx.get(f"{base}/api/threads/{answer['id']}").json()
    assert [a["id"] for a in thread] == [answer["id"], followup["id"]]

    # The page a reader gets after asking, and every link they follow from it.
    asked = httpx.post(f"{base}/ask", data={"question": QUESTION, "reader": "patient"},
                       follow_redirects=False, timeout=60)
    assert asked.status_code == 303 and asked.headers["location"].startswith("/articles/ans-")
    page = httpx.get(base + asked.headers["location"])
    assert page.status_code == 200 and "not submitted to the advisory board" in page.text
    assert 'class="stages"' not in page.text and "Submit for review" not in page.text
    assert page.headers["cache-control"] == "no-store"
    page_id = asked.headers["location"].rsplit("/", 1)[1]
    more = httpx.post(f"{base}/articles/{page_id}/followups",
                      data={"question": "What are the risks?"}, follow_redirects=False,
                      timeout=60)
    assert more.status_code == 303 and more.headers["location"].startswith("/articles/ans-")
    assert httpx.get(base + more.headers["location"]).status_code == 200
    thread_page = httpx.get(f"{base}/threads/{page_id}").text
    assert "What are the risks?" in thread_page
    switched = httpx.post(f"{base}/articles/{page_id}/audience", data={"audience": "clinician"},
                          follow_redirects=False, timeout=60)
    assert switched.status_code == 303
    assert httpx.get(base + switched.headers["location"]).status_code == 200
    ris = httpx.get(f"{base}/articles/{page_id}/references.ris")
    assert ris.status_code == 200 and ris.text.startswith("TY  - ")

    # The streaming ask is a POST; a GET of it makes nothing.
    before = _counts(site)
    get = httpx.get(f"{base}/ask/stream", params={"question": QUESTION}, timeout=60)
    assert get.status_code == 405
    assert _counts(site) == before
    # None of it reached the board's queue, the home page's list or the audit log.
    assert _counts(site)[0] == articles and _counts(site)[2] == entries
    queue = httpx.get(f"{base}/api/review/queue", headers=_auth(site.tokens["editor"])).json()
    assert answer["id"] not in [row["id"] for row in queue["items"]]
    assert "What are the risks?" not in httpx.get(base + "/").text
    unknown = httpx.get(f"{base}/api/articles/ans-{'0' * 24}")
    assert unknown.status_code == 404 and "Ask the question again" in unknown.json()["detail"]


def test_the_streamed_ask_posts_and_opens_a_readers_answer(site: Site) -> None:
    before = _counts(site)
    events = []
    with httpx.stream("POST", f"{site.base}/ask/stream", data={"question": QUESTION},
                      timeout=60) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert events[-1].startswith('data: "/articles/ans-')
    after = _counts(site)
    assert after[0] == before[0] and after[1] == before[1] + 1 and after[2] == before[2]


def test_submitting_for_review_is_an_editors_action(site: Site) -> None:
    base = site.base
    answer = _ask(site)
    anonymous = httpx.post(f"{base}/api/articles/{answer['id']}/submit")
    assert anonymous.status_code == 401
    assert _submit(site, answer["id"], "reviewer").status_code == 403
    submitted = _submit(site, answer["id"])
    assert submitted.status_code == 201, submitted.text
    article = submitted.json()
    assert article["id"].startswith("art-") and article["status"] == "submitted"
    again = _submit(site, answer["id"], "admin")
    assert again.status_code == 409 and article["id"] in again.json()["detail"]
    assert _submit(site, article["id"]).status_code == 409  # the board's own article
    queue = httpx.get(f"{base}/api/review/queue", headers=_auth(site.tokens["reviewer"])).json()
    assert article["id"] in [row["id"] for row in queue["items"]] or queue["next"]

    # On the page: only a signed-in editor sees the button, and it needs the CSRF token.
    other = _ask(site)
    cookie, csrf = _session(site, "editor")
    page = httpx.get(f"{base}/articles/{other['id']}", headers={"Cookie": cookie}).text
    assert "Submit for review" in page and f'value="{csrf}"' in page
    reviewer_cookie, _ = _session(site, "reviewer")
    assert "Submit for review" not in httpx.get(f"{base}/articles/{other['id']}",
                                                headers={"Cookie": reviewer_cookie}).text
    forged = httpx.post(f"{base}/articles/{other['id']}/submit", data={"csrf": "forged"},
                        headers={"Cookie": cookie}, follow_redirects=False)
    assert forged.status_code == 403 and "CSRF" in forged.text
    unsigned = httpx.post(f"{base}/articles/{other['id']}/submit", data={"csrf": csrf},
                          follow_redirects=False)
    assert unsigned.status_code == 401
    done = httpx.post(f"{base}/articles/{other['id']}/submit", data={"csrf": csrf},
                      headers={"Cookie": cookie}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/review/art-")
    page = httpx.get(f"{base}/articles/{other['id']}", headers={"Cookie": cookie}).text
    assert "Submitted for review as" in page and "Submit for review</button>" not in page
    actor = site.sql("SELECT actor FROM audit WHERE action = 'submit' AND article_id = ?",
                     (done.headers["location"].rsplit("/", 1)[1],))[0][0]
    assert actor == site.names["editor"]


def test_the_queue_pages_and_says_how_many_wait(site: Site) -> None:
    base = site.base
    for _ in range(5):
        assert _submit(site, _ask(site)["id"]).status_code == 201
    headers = _auth(site.tokens["reviewer"])
    first = httpx.get(f"{base}/api/review/queue", headers=headers).json()
    total = first["total"]
    assert total >= 5 and first["pages"] == -(-total // PAGE_SIZE)
    assert first["previous"] is None and len(first["items"]) == PAGE_SIZE
    seen, page = [], first
    while True:
        seen += [row["id"] for row in page["items"]]
        if page["next"] is None:
            break
        following = httpx.get(base + page["next"], headers=headers).json()
        assert following["previous"] == f"/api/review/queue?page={page['page']}"
        page = following
    assert len(seen) == total == len(set(seen))  # every waiting article once, oldest first
    past = httpx.get(f"{base}/api/review/queue", params={"page": 999}, headers=headers).json()
    assert past["page"] == first["pages"] and past["items"]
    bad = httpx.get(f"{base}/api/review/queue", params={"page": 0}, headers=headers)
    assert bad.status_code == 422
    cookie, _ = _session(site, "reviewer")
    html = httpx.get(f"{base}/review", params={"page": 2}, headers={"Cookie": cookie}).text
    assert f"<strong>{total}</strong> articles are waiting" in html
    assert f"page 2 of {first['pages']}" in html
    assert 'rel="prev" href="/review?page=1"' in html
    assert 'rel="next" href="/review?page=3"' in html


def test_four_eyes_over_the_api(site: Site) -> None:
    base = site.base
    article_id = _submit(site, _ask(site)["id"]).json()["id"]
    tokens = site.tokens

    def act(role: str, path: str, **body: object) -> httpx.Response:
        return httpx.post(f"{base}/api/articles/{article_id}/{path}", json=body,
                          headers=_auth(tokens[role]), timeout=60)

    assert act("reviewer", "claim").status_code == 200
    stolen = act("reviewer2", "approve", comment="looks fine")
    assert stolen.status_code == 409 and f"{site.names['reviewer']} has claimed" in \
        stolen.json()["detail"]
    assert act("reviewer2", "request-changes", comment="no").status_code == 409
    assert act("reviewer2", "release").status_code == 403
    assert act("reviewer", "release").json()["status"] == "submitted"
    assert act("reviewer2", "claim").status_code == 200
    assert act("reviewer2", "approve", comment="checked").json()["status"] == "approved"
    # An admin edits, then tries to pass their own version alone.
    edited = act("admin", "versions", remove=[1], note="Trimmed.")
    assert edited.status_code == 201 and edited.json()["version"] == 2
    own = act("admin", "claim")
    assert own.status_code == 403 and "made version 2" in own.json()["detail"]
    assert act("reviewer", "claim").status_code == 200
    assert act("reviewer", "approve").json()["status"] == "approved"


def test_tokens_expire_and_are_revoked(site: Site) -> None:
    queue = f"{site.base}/api/review/queue"
    with Library(site.directory) as library:
        accounts = site.accounts(library)
        brief = accounts.issue_token(site.names["reviewer"], days=1 / 86400)
        mine = accounts.issue_token(site.names["reviewer"])
        other = accounts.issue_token(site.names["reviewer"])
    assert httpx.get(queue, headers=_auth(brief)).status_code == 200
    time.sleep(2.1)
    expired = httpx.get(queue, headers=_auth(brief))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    revoked = httpx.delete(f"{site.base}/api/token", headers=_auth(mine))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    refused = httpx.get(queue, headers=_auth(mine))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert httpx.get(queue, headers=_auth(other)).status_code == 200
    cli = run(site.directory, "users", "revoke", site.names["reviewer"], env_extra=site.env)
    assert cli.returncode == 0, cli.stderr
    assert httpx.get(queue, headers=_auth(other)).status_code == 401
    actions = [r[0] for r in site.sql(
        "SELECT action FROM audit WHERE action LIKE '%token' ORDER BY seq")]
    assert actions.count("issue token") >= 7 and actions[-2:] == ["revoke token"] * 2


def test_hidden_approver_names_stay_hidden_on_threads(site: Site) -> None:
    base = site.base
    article_id = _submit(site, _ask(site)["id"]).json()["id"]
    with Library(site.directory) as library:
        fresh = site.accounts(library).issue_token(site.names["reviewer2"])
    for path in ("claim", "approve"):
        done = httpx.post(f"{base}/api/articles/{article_id}/{path}", json={},
                          headers=_auth(fresh), timeout=30)
        assert done.status_code == 200, done.text
    name = site.names["reviewer2"]
    followup = httpx.post(f"{base}/api/articles/{article_id}/followups",
                          json={"question": "How is it treated?"}, timeout=60).json()
    for thread_id in (article_id, followup["id"]):
        thread = httpx.get(f"{base}/api/threads/{thread_id}")
        assert thread.status_code == 200
        approved = [a for a in thread.json() if a["id"] == article_id]
        assert approved and approved[0]["status"] == "approved"
        assert approved[0]["approved_by"] == [] and name not in thread.text
        assert name not in httpx.get(f"{base}/threads/{thread_id}").text
    for path in (f"/articles/{article_id}", f"/api/articles/{article_id}"):
        assert name not in httpx.get(base + path).text


def test_an_editor_submits_an_answer_from_its_page_in_the_browser(site: Site,
                                                                  browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 1300})
    page = context.new_page()
    try:
        page.goto(f"{site.base}/login?next=/")
        page.fill("#name", site.names["editor"])
        page.fill("#password", PASSWORD)
        page.click("form.login button")
        page.wait_for_url(f"{site.base}/")
        page.fill("#question", QUESTION)
        page.click("form.ask button[type=submit]")
        page.wait_for_url("**/articles/ans-*")
        answer_url = page.url
        expect(page.locator(".banner")).to_contain_text("not submitted to the advisory board")
        page.click("form.submit button")
        page.wait_for_url("**/review/art-*")
        expect(page.locator(".status")).to_have_text("submitted")
        page.goto(answer_url)
        expect(page.locator(".submitted")).to_contain_text("Submitted for review as art-")
        expect(page.locator("form.submit")).to_have_count(0)
    finally:
        context.close()
