"""The review workflow through the command line, as a board member runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from curbside.models import Article
from tests.editorial.conftest import DOCUMENTS, PASSWORD

QUESTION = "What is zanthoxylosis?"


def run(library: Path, *args: str, password: str = PASSWORD
        ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CURBSIDE_LIBRARY=str(library), CURBSIDE_PASSWORD=password,
               COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "curbside.cli", *args], capture_output=True,
                          text=True, env=env, check=False)


def test_users_review_and_audit_from_the_cli(tmp_path: Path) -> None:
    library = tmp_path / "library"
    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join(json.dumps({
        "id": d.id, "title": d.title, "text": d.sections[0].text, "source": "test"})
        for d in DOCUMENTS) + "\n")
    assert run(library, "ingest", str(docs)).returncode == 0
    assert "Added rev-a (reviewer)" in run(library, "users", "add", "rev-a", "--role",
                                           "reviewer").stdout
    assert run(library, "users", "add", "ed-a", "--role", "editor").returncode == 0
    assert "too short" in run(library, "users", "add", "x-y", "--role", "editor",
                              password="short").stderr
    asked = run(library, "ask", QUESTION, "--save", "--format", "json")
    assert asked.returncode == 0 and "waits in the review queue" in asked.stderr
    article = Article.model_validate_json(asked.stdout)
    assert article.id
    queue = run(library, "review", "queue", "--user", "ed-a")
    assert article.id in queue.stdout and "submitted" in queue.stdout
    denied = run(library, "review", "claim", article.id, "--user", "ed-a")
    assert denied.returncode == 1 and "may not claim" in denied.stderr
    wrong = run(library, "review", "claim", article.id, "--user", "rev-a", password="wrong-pw-123")
    assert wrong.returncode == 1 and "Wrong user name or password" in wrong.stderr
    assert run(library, "review", "claim", article.id, "--user", "rev-a").returncode == 0
    approved = run(library, "review", "approve", article.id, "--user", "rev-a", "--comment", "ok")
    assert f"{article.id} approved" in approved.stdout
    verified = run(library, "audit", "verify")
    assert verified.returncode == 0 and "intact" in verified.stdout
    token = run(library, "users", "token", "rev-a")
    assert token.stdout.startswith("cbt_")
