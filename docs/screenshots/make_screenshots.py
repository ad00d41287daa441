"""Screenshots of the main pages for the README.

    CURBSIDE_PASSWORD=... curbside users add EDITOR --role editor
    CURBSIDE_PASSWORD=... curbside users add REVIEWER --role reviewer   # the same password
    curbside serve --port 8765 &   # over the starter library
    CURBSIDE_PASSWORD=... python docs/screenshots/make_screenshots.py http://127.0.0.1:8765 \
        EDITOR REVIEWER
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def ask(page: Page, base: str, question: str, reader: str) -> None:
    page.goto(base + "/")
    page.fill("#question", question)
    page.check(f"input[name=reader][value={reader}]")
    page.click("form.ask button[type=submit]")
    page.wait_for_url("**/articles/ans-*")


def sign_in(page: Page, base: str, name: str, then: str) -> None:
    page.goto(base + "/login?next=" + then)
    page.fill("#name", name)
    page.fill("#password", os.environ["CURBSIDE_PASSWORD"])
    page.click("form.login button")
    page.wait_for_url("**" + then)


def main(base: str, editor: str, reviewer: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.goto(base + "/")
        page.screenshot(path=str(HERE / "ask.png"))
        ask(page, base, "What is oculopharyngeal muscular dystrophy?", "clinician")
        page.locator(".bottom-line .cite a").first.hover()
        page.screenshot(path=str(HERE / "article-clinician.png"))
        ask(page, base, "What is oculopharyngeal muscular dystrophy?", "patient")
        page.screenshot(path=str(HERE / "article-patient.png"))
        ask(page, base, "What is the management plan for a patient with an iliopsoas hematoma?",
            "clinician")
        page.screenshot(path=str(HERE / "insufficient-evidence.png"))
        # An editor submits an answer for review; a reviewer claims it.
        sign_in(page, base, editor, "/review")
        ask(page, base, "How is community-acquired pneumonia treated?", "clinician")
        page.click("text=Submit for review")
        page.wait_for_url("**/review/art-*")
        article_id = page.url.rsplit("/", 1)[-1]
        page.context.clear_cookies()
        sign_in(page, base, reviewer, "/review/" + article_id)
        page.click("text=Claim for review")
        page.screenshot(path=str(HERE / "review.png"))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
