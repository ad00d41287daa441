"""The advisory board on the web: who may reach what, over HTTP and in Chromium."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from curbside.editorial.accounts import Accounts
from curbside.library.store import Library
from tests.stores import board_db

PASSWORD = "synthetic-password-2"
QUESTION = "What is oculopharyngeal muscular dystrophy?"


@pytest.fixture(scope="module")
def board(starter_library_dir: Path) -> dict[str, tuple[str, str]]:
    """Accounts for each role: name and API token."""
    suffix = secrets.token_hex(3)
    people = {}
    with Library(starter_library_dir) as library:
        accounts = Accounts(board_db(library))
        for role in ("editor", "reviewer", "admin"):
            name = f"{role}-{suffix}"
            accounts.add(name, role, PASSWORD)
            people[role] = (name, accounts.issue_token(name))
    return people


@pytest.fixture(scope="module")
def submitter(starter_library_dir: Path) -> str:
    """An editor's API token: answers reach the board only when an editor submits them."""
    name = f"submitter-{secrets.token_hex(3)}"
    with Library(starter_library_dir) as library:
        accounts = Accounts(board_db(library))
        accounts.add(name, "editor", PASSWORD)
        return accounts.issue_token(name)


def _new_article(server: str, editor_token: str) -> str:
    answer = httpx.post(f"{server}/api/ask", json={"question": QUESTION}, timeout=30).json()
    article = httpx.post(f"{server}/api/articles/{answer['id']}/submit",
                         headers=_auth(editor_token), timeout=30)
    assert article.status_code == 201, article.text
    return str(article.json()["id"])


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_readers_reach_no_review_action(server: str, submitter: str) -> None:
    article_id = _new_article(server, submitter)
    page = httpx.get(f"{server}/review", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    page = httpx.get(f"{server}/review/{article_id}", follow_redirects=False)
    assert page.status_code == 303
    for action in ("claim", "approve", "request-changes", "comment", "new-version", "retire"):
        form = httpx.post(f"{server}/review/{article_id}/{action}", data={"csrf": "x"},
                          follow_redirects=False)
        assert form.status_code == 401, action
    for path in ("claim", "release", "approve", "request-changes", "retire", "versions",
                 "submit"):
        api = httpx.post(f"{server}/api/articles/{article_id}/{path}", json={})
        assert api.status_code == 401, path
        assert "Bearer" in api.json()["detail"]
    assert httpx.get(f"{server}/api/review/queue").status_code == 401
    bad = httpx.get(f"{server}/api/review/queue", headers=_auth("cbt_not-a-token"))
    assert bad.status_code == 401
    assert httpx.get(f"{server}/api/articles/{article_id}").json()["status"] == "submitted"


def test_roles_over_the_api(server: str, board: dict[str, tuple[str, str]],
                            submitter: str) -> None:
    article_id = _new_article(server, submitter)
    editor, reviewer = board["editor"][1], board["reviewer"][1]
    queue = httpx.get(f"{server}/api/review/queue", headers=_auth(editor)).json()
    waiting = queue["items"]
    while queue["next"]:
        queue = httpx.get(server + queue["next"], headers=_auth(editor)).json()
        waiting += queue["items"]
    assert article_id in [q["id"] for q in waiting]
    denied = httpx.post(f"{server}/api/articles/{article_id}/claim", headers=_auth(editor))
    assert denied.status_code == 403 and "may not claim" in denied.json()["detail"]
    claimed = httpx.post(f"{server}/api/articles/{article_id}/claim", headers=_auth(reviewer))
    assert claimed.status_code == 200 and claimed.json()["status"] == "under review"
    again = httpx.post(f"{server}/api/articles/{article_id}/claim", headers=_auth(reviewer))
    assert again.status_code == 409
    approved = httpx.post(f"{server}/api/articles/{article_id}/approve", headers=_auth(reviewer),
                          json={"comment": "checked"})
    assert approved.json()["status"] == "approved"
    public = httpx.get(f"{server}/api/articles/{article_id}").json()
    assert public["status"] == "approved" and public["approved_by"] == [board["reviewer"][0]]
    edited = httpx.post(f"{server}/api/articles/{article_id}/versions", headers=_auth(editor),
                        json={"remove": [1], "note": "Trimmed the bottom line."}, timeout=30)
    assert edited.status_code == 201 and edited.json()["version"] == 2
    versions = httpx.get(f"{server}/api/articles/{article_id}/versions",
                         headers=_auth(editor)).json()
    assert [v["number"] for v in versions] == [1, 2] and versions[0]["approved_at"]
    assert httpx.get(f"{server}/api/articles/{article_id}").json()["version"] == 1


def _session(server: str, name: str) -> str:
    response = httpx.post(f"{server}/login", data={"name": name, "password": PASSWORD},
                          follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    return cookie.split(";", 1)[0]


def test_forms_need_the_session_csrf_token(server: str, board: dict[str, tuple[str, str]],
                                           submitter: str) -> None:
    article_id = _new_article(server, submitter)
    cookie = _session(server, board["reviewer"][0])
    forged = httpx.post(f"{server}/review/{article_id}/claim", data={"csrf": "forged"},
                        headers={"Cookie": cookie}, follow_redirects=False)
    assert forged.status_code == 403 and "CSRF" in forged.text
    wrong = httpx.post(f"{server}/login", data={"name": board["reviewer"][0],
                                                "password": "wrong-password"})
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text



def test_review_flow_in_the_browser(server: str, board: dict[str, tuple[str, str]],
                                    browser: Browser, tmp_path: Path, submitter: str) -> None:
    article_id = _new_article(server, submitter)
    page = browser.new_context(viewport={"width": 1100, "height": 1300}).new_page()
    page.goto(f"{server}/articles/{article_id}")
    expect(page.locator(".banner")).to_be_visible()
    page.goto(f"{server}/review")
    page.wait_for_url("**/login?next=/review")
    page.fill("#name", board["reviewer"][0])
    page.fill("#password", PASSWORD)
    page.click("form.login button")
    page.wait_for_url("**/review")
    page.click(f"a[href='/review/{article_id}']")
    expect(page.locator(".status")).to_have_text("submitted")
    page.click("text=Claim for review")
    expect(page.locator(".status")).to_have_text("under review")
    page.fill("#approve-comment", "Every statement matches its source.")
    page.click("text=Approve version 1")
    expect(page.locator(".status")).to_have_text("approved")
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    page.goto(f"{server}/articles/{article_id}")
    expect(page.locator("ol.stages li[aria-current=step]")).to_have_text("Approved")
    assert page.locator(".banner").count() == 0
    expect(page.locator(".review .meta")).to_contain_text(f"approved by {board['reviewer'][0]}")
