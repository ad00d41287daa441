"""An ingest killed at each step of a write, and a repair killed at each of its steps: the
full-text index afterwards holds exactly the database's passages, ids are never given twice,
and searches return only passages that contain the words searched for.

Each kill is a real SIGKILL of a real `curbside` process, at a named step of the real write
path (`CURBSIDE_TEST_CRASH_AT`, see curbside/library/crashpoints.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import tantivy

from curbside.library.crashpoints import CRASH_AT
from curbside.library.ingest import BATCH_SIZE, ingest_paths
from curbside.library.lexical import LexicalIndex
from curbside.library.store import Library

SYNTHETIC = "Synthetic record written for Curbside's crash tests, not real literature."


def _jsonl(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        for doc_id, drug in rows:
            stream.write(json.dumps({
                "id": doc_id, "title": f"Synthetic {drug} record {doc_id}",
                "text": f"{SYNTHETIC} It mentions {drug} in record {doc_id}.",
            }) + "\n")
    return path


def _curbside(library_dir: Path, *args: str, crash: str | None = None
              ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CURBSIDE_LIBRARY=str(library_dir))
    env.pop(CRASH_AT, None)
    if crash:
        env[CRASH_AT] = crash
    return subprocess.run([sys.executable, "-m", "curbside.cli", *args], env=env,
                          capture_output=True, text=True, check=False)


def _index_ids(library_dir: Path) -> list[int]:
    """Every passage id in the index's latest commit, duplicates kept, as a new process
    finds it before anything repairs it."""
    searcher = LexicalIndex(library_dir).index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), max(searcher.num_docs, 1), count=False)
    ids = searcher.fast_field_values("passage_id", [address for _, address in hits.hits])
    return sorted(int(i) for i in ids if i is not None and int(i) >= 0)


def _assert_index_follows_database(library: Library) -> None:
    library.search(["synthetic"], 1)  # follows other writers, repairing the index if needed
    database = sorted(r[0] for r in library.connection.execute("SELECT id FROM passages"))
    assert _index_ids(library.directory) == database
    (token,) = library.connection.execute(
        "SELECT value FROM meta WHERE key = 'index_token'").fetchone()
    assert library.lexical.token == token
    orphans = library.connection.execute(
        "SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)"
    ).fetchone()[0]
    assert orphans == 0


def _assert_searches_find_only_their_words(library: Library, words: list[str]) -> None:
    for word in words:
        hits = library.search([word], 10_000)
        texts = [h.passage.text for h in hits]
        assert all(word in text for text in texts), word
        assert len({(h.passage.doc_id, h.passage.ordinal) for h in hits}) == len(hits), word
        (containing,) = library.connection.execute(
            "SELECT count(*) FROM passages WHERE text LIKE ?", (f"%{word}%",)).fetchone()
        assert len(hits) == containing, word


# (where the ingest dies, where the next process's repair of the index dies)
KILLS = [
    ("batch-written:2", None),     # database changes made, index untouched
    ("index-written:2", None),     # index changes added but not committed
    ("index-committed:2", None),   # index committed, database not: the index is ahead
    ("batch-committed:2", None),   # both committed, passage vectors not yet made
    ("index-committed:1", None),   # the first batch of the run
    ("index-committed:2", "ids-reserved"),   # the repair dies before rebuilding
    ("index-committed:2", "index-rebuilt"),  # the repair dies after the index's commit
]


@pytest.mark.parametrize(("ingest_kill", "repair_kill"), KILLS)
def test_a_killed_write_never_leaves_the_index_out_of_step(
        tmp_path: Path, ingest_kill: str, repair_kill: str | None) -> None:
    library_dir = tmp_path / "library"
    first = _jsonl(tmp_path / "first.jsonl", [(f"a:{i}", "warfarin") for i in range(300)])
    # Two batches: replacements of earlier records (their passages get new ids), then new ones.
    second = _jsonl(tmp_path / "second.jsonl",
                    [(f"a:{i}", "heparin") for i in range(100)]
                    + [(f"b:{i}", "heparin") for i in range(BATCH_SIZE + 400)])
    third = _jsonl(tmp_path / "third.jsonl", [(f"c:{i}", "enoxaparin") for i in range(300)])
    with Library(library_dir, create=True) as library:
        ingest_paths(library, [first])

    killed = _curbside(library_dir, "ingest", str(second), crash=ingest_kill)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    handed_out = max(_index_ids(library_dir))  # ids the dead writer may have used
    if repair_kill:
        repair = _curbside(library_dir, "search", "heparin", crash=repair_kill)
        assert repair.returncode == -signal.SIGKILL, repair.stderr

    with Library(library_dir) as library:
        _assert_index_follows_database(library)
        _assert_searches_find_only_their_words(library, ["warfarin", "heparin"])
    with Library(library_dir, create=True) as library:
        ingest_paths(library, [third])
        _assert_index_follows_database(library)
        new_ids = [r[0] for r in library.connection.execute(
            "SELECT id FROM passages WHERE doc_id LIKE 'c:%'")]
        assert len(new_ids) == 300 and min(new_ids) > handed_out
        _assert_searches_find_only_their_words(library, ["warfarin", "heparin", "enoxaparin"])

    finished = _curbside(library_dir, "ingest", str(second))
    assert finished.returncode == 0, finished.stderr
    with Library(library_dir) as library:
        _assert_index_follows_database(library)
        assert library.stats()["jsonl"] == 300 + BATCH_SIZE + 400 + 300
        _assert_searches_find_only_their_words(library, ["warfarin", "heparin", "enoxaparin"])
        assert len(library.search(["heparin"], 10_000)) == 100 + BATCH_SIZE + 400
