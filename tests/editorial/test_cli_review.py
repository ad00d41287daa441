"""The review workflow through the command line, as a board member runs it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from curbside.editorial import audit
from curbside.library.store import Library
from curbside.models import Article
from tests.editorial.conftest import DOCUMENTS, PASSWORD
from tests.stores import board_db

QUESTION = "What is zanthoxylosis?"


def run(library: Path, *args: str, password: str = PASSWORD,
        env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CURBSIDE_LIBRARY=str(library), CURBSIDE_PASSWORD=password,
               COLUMNS="200", **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "curbside.cli", *args], capture_output=True,
                          text=True, env=env, check=False)


def test_users_review_and_audit_from_the_cli(tmp_path: Path, database_url: str | None,
                                            database_env: dict[str, str]) -> None:
    library = tmp_path / "library"

    def cli(*args: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
        return run(library, *args, password=password, env_extra=database_env)

    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join(json.dumps({
        "id": d.id, "title": d.title, "text": d.sections[0].text, "source": "test"})
        for d in DOCUMENTS) + "\n")
    assert cli("ingest", str(docs)).returncode == 0
    assert "Added rev-a (reviewer)" in cli("users", "add", "rev-a", "--role",
                                           "reviewer").stdout
    assert cli("users", "add", "ed-a", "--role", "editor").returncode == 0
    assert "too short" in cli("users", "add", "x-y", "--role", "editor",
                              password="short").stderr
    # Without --save nothing is kept; saving is an editor's action, named in the audit log.
    unsaved = Article.model_validate_json(cli("ask", QUESTION, "--format",
                                              "json").stdout)
    assert unsaved.status == "unsaved" and unsaved.id is None
    assert "queue is empty" in cli("review", "queue", "--user", "ed-a").stdout
    anonymous = cli("ask", QUESTION, "--save")
    assert anonymous.returncode == 1 and "give --user NAME" in anonymous.stderr
    reviewer = cli("ask", QUESTION, "--save", "--user", "rev-a")
    assert reviewer.returncode == 1 and "may not submit" in reviewer.stderr
    asked = cli("ask", QUESTION, "--save", "--user", "ed-a", "--format", "json")
    assert asked.returncode == 0 and "waits in the review queue" in asked.stderr
    article = Article.model_validate_json(asked.stdout)
    assert article.id
    queue = cli("review", "queue", "--user", "ed-a")
    assert article.id in queue.stdout and "submitted" in queue.stdout
    assert "1 waiting; page 1 of 1." in queue.stdout
    denied = cli("review", "claim", article.id, "--user", "ed-a")
    assert denied.returncode == 1 and "may not claim" in denied.stderr
    wrong = cli("review", "claim", article.id, "--user", "rev-a", password="wrong-pw-123")
    assert wrong.returncode == 1 and "Wrong user name or password" in wrong.stderr
    assert cli("review", "claim", article.id, "--user", "rev-a").returncode == 0
    approved = cli("review", "approve", article.id, "--user", "rev-a", "--comment", "ok")
    assert f"{article.id} approved" in approved.stdout
    verified = cli("audit", "verify")
    assert verified.returncode == 0 and "intact" in verified.stdout
    token = cli("users", "token", "rev-a", "--days", "7")
    assert token.stdout.startswith("cbt_") and "valid until" in token.stderr
    listed = cli("users", "tokens", "rev-a").stdout.split()
    token_id = listed[0]
    assert listed[1] == "rev-a" and listed[-1] == "valid"
    revoked = cli("users", "revoke", "rev-a", "--token", token_id)
    assert revoked.returncode == 0 and f"Revoked 1 token of rev-a: {token_id}" in revoked.stdout
    assert cli("users", "tokens", "rev-a").stdout.split()[-1] == "revoked"
    log = _audit_rows(library, database_url)
    actions = [action for _, action in log]
    assert actions[:2] == ["add user", "add user"] and log[0][0].startswith("cli")
    assert actions[-2:] == ["issue token", "revoke token"] and "submit" in actions


def _audit_rows(library: Path, database_url: str | None = None) -> list[tuple[str, str]]:
    with Library(library) as opened:
        return [(e.actor, e.action) for e in audit.entries(board_db(opened, database_url))]


def test_audit_verify_catches_cut_off_entries_and_missing_triggers(tmp_path: Path) -> None:
    """What someone with the database file could do, and what `audit verify` then says."""
    library = tmp_path / "library"
    assert run(library, "ingest", str(_docs(tmp_path))).returncode == 0
    for name in ("ed-b", "ed-c", "ed-d"):
        assert run(library, "users", "add", name, "--role", "editor").returncode == 0
    assert run(library, "audit", "verify").returncode == 0
    database = library / "library.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TRIGGER audit_no_delete")
        connection.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    cut = run(library, "audit", "verify")
    assert cut.returncode == 1
    assert "trigger audit_no_delete is missing" in cut.stdout
    assert "the newest entries were removed" in cut.stdout and "entry 3" in cut.stdout
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    still = run(library, "audit", "verify")
    assert still.returncode == 1 and "newest entries were removed" in still.stdout
    # After a deliberate restore the operator records the head again, which is audited.
    anchored = run(library, "audit", "anchor")
    assert anchored.returncode == 0 and "Audit head recorded: entry 4" in anchored.stdout  # its own
    assert run(library, "audit", "verify").returncode == 0
    assert _audit_rows(library)[-1][1] == "re-anchor"


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join(json.dumps({
        "id": d.id, "title": d.title, "text": d.sections[0].text, "source": "test"})
        for d in DOCUMENTS) + "\n")
    return docs
