"""The command line, run as a user runs it: a real process, real files, real library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from curbside.library.store import Library

COVERED = "What is oculopharyngeal muscular dystrophy?"


def curbside(*args: str, library: Path | None = None, stdin: str | None = None
             ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["COLUMNS"] = "200"
    if library is not None:
        env["CURBSIDE_LIBRARY"] = str(library)
    return subprocess.run([sys.executable, "-m", "curbside.cli", *args], capture_output=True,
                          text=True, env=env, input=stdin, check=False)


def test_ask_markdown_and_json(starter_library_dir: Path) -> None:
    result = curbside("ask", COVERED, library=starter_library_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"# {COVERED}")
    assert "## References" in result.stdout
    assert "Review status" not in result.stdout and "not submitted" in result.stdout
    result = curbside("ask", COVERED, "--format", "json", "--audience", "patient",
                      library=starter_library_dir)
    article = json.loads(result.stdout)
    assert article["audience"] == "patient"
    assert article["composer"] == "extractive"
    # Not saved, so in no review queue: no stage is claimed and no id is given.
    assert article["status"] == "unsaved"
    assert article["id"] is None
    assert {"question", "generated_at", "bottom_line", "sections", "references", "evidence",
            "disclaimer"} <= set(article)


def test_ask_html(starter_library_dir: Path) -> None:
    result = curbside("ask", COVERED, "--format", "html", library=starter_library_dir)
    assert result.returncode == 0
    assert result.stdout.startswith("<!doctype html>")


def test_ask_batch_writes_one_article_a_line(starter_library_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        json.dumps({"id": "q1", "text": COVERED}) + "\n"
        + json.dumps({"id": "q2", "text": ""}) + "\n"
        + "not json\n"
        + json.dumps({"id": "q4", "text": "How is pneumonia treated?"}) + "\n",
        encoding="utf-8")
    result = curbside("ask", "--batch", str(batch), library=starter_library_dir)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", None, "q4"]
    assert rows[0]["bottom_line"] and rows[3]["references"]
    assert "empty" in rows[1]["error"]
    assert "line 3" in rows[2]["error"]


def test_bad_questions_fail_clearly(starter_library_dir: Path) -> None:
    empty = curbside("ask", "   ", library=starter_library_dir)
    assert empty.returncode == 1
    assert "question is empty" in empty.stderr
    huge = curbside("ask", "why" * 34_133 + "?", library=starter_library_dir)
    assert huge.returncode == 1
    assert "102,400 characters" in huge.stderr.replace("\n", "")


def test_search_and_show(starter_library_dir: Path) -> None:
    result = curbside("search", "oculopharyngeal muscular dystrophy", "-k", "5", "--json",
                      library=starter_library_dir)
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(hits) == 5
    assert all({"doc_id", "title", "score"} <= set(h) for h in hits)
    assert hits[0]["score"] >= hits[-1]["score"]
    shown = curbside("show", hits[0]["doc_id"], "--json", library=starter_library_dir)
    assert json.loads(shown.stdout)["id"] == hits[0]["doc_id"]
    table = curbside("search", "oculopharyngeal", library=starter_library_dir)
    assert table.returncode == 0 and "rank" in table.stdout


def test_unknown_document_id(starter_library_dir: Path) -> None:
    result = curbside("show", "pmid:0", library=starter_library_dir)
    assert result.returncode == 1
    assert "No document with id 'pmid:0'" in result.stderr


def test_ingest_is_idempotent_and_skips_bad_input(tmp_path: Path, data_dir: Path) -> None:
    library = tmp_path / "lib"
    broken = tmp_path / "broken.xml"
    broken.write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>",
                      encoding="utf-8")
    unknown = tmp_path / "notes.txt"
    unknown.write_text("synthetic notes, not a document format", encoding="utf-8")
    sample = data_dir / "pubmed-xml-samples" / "medsamp2012.xml.gz"
    first = curbside("ingest", str(sample), str(broken), str(unknown), library=library)
    assert first.returncode == 0, first.stderr
    assert "156 added" in first.stdout
    assert "broken.xml" in first.stderr and "malformed XML" in first.stderr
    assert "notes.txt" in first.stderr and "unrecognised format" in first.stderr
    again = curbside("ingest", str(sample), library=library)
    assert "0 added" in again.stdout and "156 unchanged" in again.stdout


def test_unwritable_library_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("synthetic")
    result = curbside("ingest", str(blocker), library=blocker / "lib")
    assert result.returncode == 1
    assert "Cannot create the library folder" in result.stderr


def test_missing_library_tells_how_to_build_one(tmp_path: Path) -> None:
    result = curbside("ask", COVERED, library=tmp_path / "none")
    assert result.returncode == 1
    assert "curbside starter" in result.stderr


def test_verify_statements_from_a_file(starter_library_dir: Path, tmp_path: Path) -> None:
    found = curbside("search", "oculopharyngeal muscular dystrophy", "-k", "1", "--json",
                     library=starter_library_dir)
    hit = json.loads(found.stdout.splitlines()[0])
    sentence = hit["text"].split(". ")[0].rstrip(".") + "."
    lines = [
        json.dumps({"id": "same", "text": sentence, "cites": [hit["doc_id"]]}),
        "not json",
        json.dumps({"id": "gone", "text": sentence, "cites": ["pmid:0"]}),
    ]
    statements = tmp_path / "statements.jsonl"
    statements.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = curbside("verify", str(statements), library=starter_library_dir)
    assert result.returncode == 1  # one line could not be checked
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == {"id": "same", "supported": True, "reason": ""}
    assert rows[1]["id"] == "gone" and not rows[1]["supported"]
    assert "line 2" in result.stderr and "[document ids]" in result.stderr


def test_starter_without_the_data_sets_names_the_folder(tmp_path: Path) -> None:
    # The packaged guideline summaries alone must not pass for a starter library.
    result = curbside("starter", "--data", str(tmp_path / "no-data"),
                      library=tmp_path / "library")
    assert result.returncode != 0
    assert "No data sets found" in result.stderr + result.stdout
    assert "CURBSIDE_DATA" in result.stderr + result.stdout
    assert not (tmp_path / "library" / "library.sqlite3").exists()


def test_serve_refuses_several_processes_on_sqlite(starter_library_dir: Path) -> None:
    result = curbside("serve", "--workers", "2", library=starter_library_dir)
    assert result.returncode == 1
    assert "--workers 2" in result.stderr and "SQLite" in result.stderr
    assert "--ask-workers" in result.stderr


def test_board_commands_say_plainly_when_the_shared_database_is_unreachable(
        tmp_path: Path) -> None:
    library = tmp_path / "library"
    with Library(library, create=True):
        pass  # an empty library: the failure is the database's alone
    env_url = "postgresql://curbside@127.0.0.1:9/none"  # port 9 (discard): nothing listens
    for command in (["users", "list"], ["users", "tokens"], ["audit", "verify"]):
        env = dict(os.environ, CURBSIDE_LIBRARY=str(library), CURBSIDE_DATABASE_URL=env_url,
                   COLUMNS="200")
        result = subprocess.run([sys.executable, "-m", "curbside.cli", *command],
                                capture_output=True, text=True, env=env, check=False)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, command
        assert "error:" in result.stderr and "database" in result.stderr.lower(), command
