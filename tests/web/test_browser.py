"""The web product in Debian's Chromium, driven by Playwright, as a reader uses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from curbside.render.labels import UNSAVED_BANNER

COVERED = "What is oculopharyngeal muscular dystrophy?"



@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 1300}, accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def _ask(page: Page, server: str, question: str, reader: str = "clinician") -> None:
    page.goto(server + "/")
    page.fill("#question", question)
    page.check(f"input[name=reader][value={reader}]")
    page.click("form.ask button[type=submit]")
    page.wait_for_url("**/articles/ans-*")


def test_ask_read_cite_switch_follow_up_export(page: Page, server: str, tmp_path: Path
                                               ) -> None:
    _ask(page, server, COVERED)
    expect(page.locator("h1")).to_have_text(COVERED)
    expect(page.locator(".bottom-line")).to_contain_text("uscular dystrophy")
    # A reader's answer is theirs alone: in no review queue, and it says so.
    expect(page.locator(".banner")).to_have_text(UNSAVED_BANNER)
    expect(page.locator("ol.stages")).to_have_count(0)
    expect(page.locator("form.submit")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "article.png"), full_page=True)

    # A citation shows its source on hover and leads to its reference.
    first_cite = page.locator(".bottom-line .cite").first
    first_cite.hover()
    expect(first_cite.locator(".tip")).to_be_visible()
    expect(first_cite.locator(".tip")).to_contain_text("Source sentence")
    first_cite.locator("a").click()
    assert page.url.endswith("#ref-1")
    expect(page.locator("#ref-1 .kind")).to_be_visible()

    # Reference export downloads a RIS file.
    with page.expect_download() as download_info:
        page.click("a[href$='references.ris']")
    ris = Path(download_info.value.path()).read_text()
    assert ris.startswith("TY  - ")

    # The patient version uses plain titles.
    page.click("form.audience button")
    page.wait_for_url("**/articles/ans-*")
    expect(page.locator(".meta").first).to_contain_text("Patient view")
    expect(page.locator(".disclaimer h3")).to_have_text("Please note")
    expect(page.locator(".part.overview h3")).to_have_text("What it is")

    # A follow-up becomes a new answer in the same thread.
    page.fill("#followup", "How is it treated?")
    page.click(".followup form button[type=submit] >> nth=0")
    page.wait_for_url("**/articles/ans-*")
    expect(page.locator("h1")).to_have_text("How is it treated?")
    page.click("text=This thread")
    expect(page.locator("ol.thread li")).to_have_count(3)


def test_keyboard_only(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "question":
            break
    expect(page.locator("#question")).to_be_focused()
    page.keyboard.type(COVERED)
    page.keyboard.press("Tab")  # the reader choice: arrow keys move within it
    page.keyboard.press("Tab")
    expect(page.locator("form.ask button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/ans-*")
    # Tab reaches a citation, whose tooltip opens on focus; Enter follows it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.cite') !== null"):
            break
    focused = page.locator(".cite:focus-within")
    expect(focused.locator(".tip")).to_be_visible()
    page.keyboard.press("Enter")
    # Following the link may land a moment after the key press on a loaded machine.
    page.wait_for_url("**#ref-*")
    assert "#ref-" in page.url


def test_document_markup_is_shown_as_text(page: Page, hostile_server: str) -> None:
    _ask(page, hostile_server, "What is zanthoxylosis?")
    expect(page.locator(".bottom-line")).to_contain_text("<img src=x")
    assert page.evaluate("window.pwned === undefined")
    expect(page.locator(".references")).to_contain_text("<script>window.pwned=1</script>")
    page.goto(hostile_server + "/documents/test:hostile")
    assert page.evaluate("window.pwned === undefined")
    expect(page.locator("h1")).to_contain_text("<script>")


def test_insufficient_evidence_is_said_plainly(page: Page, server: str) -> None:
    _ask(page, server, "What is the management plan for a patient with an iliopsoas hematoma?")
    expect(page.locator(".note.insufficient")).to_contain_text("Insufficient evidence")
    assert page.locator(".bottom-line").count() == 0


def test_bad_question_shows_a_clear_error(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.evaluate("document.querySelector('#question').removeAttribute('required')")
    page.fill("#question", "   ")
    page.click("form.ask button[type=submit]")
    expect(page.locator(".error")).to_contain_text("The question is empty")
    page.goto(server + "/articles/art-missing")
    expect(page.locator(".error")).to_contain_text("No article with id")
