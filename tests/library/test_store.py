"""The SQLite library: idempotent writes, replacement, deletion, concurrency, crashes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from curbside.errors import LibraryError, UnknownDocumentError
from curbside.library.ingest import ingest_paths
from curbside.library.store import Library
from curbside.models import Document, DocumentSection


def synthetic(doc_id: str, text: str, revised: str | None = None) -> Document:
    return Document(id=doc_id, source="test", title=f"Synthetic test document {doc_id}",
                    sections=[DocumentSection(label="", text=text)], revised=revised)


def _consistent(library: Library) -> None:
    connection = library.connection
    passages = connection.execute("SELECT count(*) FROM passages").fetchone()[0]
    library.search(["synthetic"], 1)  # follows other writers, repairing the index if needed
    indexed = library.lexical.passage_count()
    orphans = connection.execute(
        "SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)"
    ).fetchone()[0]
    empty = connection.execute(
        "SELECT count(*) FROM documents WHERE id NOT IN (SELECT doc_id FROM passages)"
    ).fetchone()[0]
    assert passages == indexed
    assert orphans == 0 and empty == 0


def test_rewriting_the_same_documents_changes_nothing(empty_library: Library) -> None:
    docs = [synthetic("t:1", "Synthetic alpha sentence here."), synthetic("t:2", "Beta text.")]
    first = empty_library.write(docs)
    second = empty_library.write(docs)
    assert (first.added, second.added, second.unchanged) == (2, 0, 2)
    assert empty_library.passage_count() == 2
    _consistent(empty_library)


def test_a_changed_record_replaces_the_old_one(empty_library: Library) -> None:
    empty_library.write([synthetic("t:1", "Old synthetic wording.")])
    counts = empty_library.write([synthetic("t:1", "New synthetic wording.")])
    assert counts.replaced == 1
    assert empty_library.get("t:1").sections[0].text == "New synthetic wording."
    assert [h.passage.doc_id for h in empty_library.search(["old"], 5)] == []
    assert [h.passage.doc_id for h in empty_library.search(["new"], 5)] == ["t:1"]
    _consistent(empty_library)


def test_an_older_revision_never_replaces_a_newer_one(empty_library: Library) -> None:
    empty_library.write([synthetic("t:1", "Revised synthetic text.", revised="2020-05-01")])
    counts = empty_library.write([synthetic("t:1", "Stale synthetic text.", revised="2019-01-01")])
    assert counts.unchanged == 1
    assert empty_library.get("t:1").sections[0].text == "Revised synthetic text."


def test_deletion_removes_document_and_index(empty_library: Library) -> None:
    empty_library.write([synthetic("t:1", "Synthetic deletable text.")])
    counts = empty_library.write([], ["t:1", "t:missing"])
    assert counts.deleted == 1
    with pytest.raises(UnknownDocumentError, match="No document with id 't:1'"):
        empty_library.get("t:1")
    assert empty_library.search(["deletable"], 5) == []
    _consistent(empty_library)


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            # root ignores permission bits; a path under a regular file can never be created
            target = tmp_path / "file"
            target.write_text("synthetic")
            folder = target / "library"
        else:
            folder = locked / "library"
        with pytest.raises(LibraryError, match="--library"):
            Library(folder, create=True)
    finally:
        locked.chmod(0o700)


def test_missing_library_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="curbside starter"):
        Library(tmp_path / "none")


def _jsonl(path: Path, prefix: str, count: int) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        for i in range(count):
            stream.write(json.dumps({
                "id": f"{prefix}:{i}", "title": f"Synthetic {prefix} record {i}",
                "text": f"Synthetic test passage number {i} written for Curbside tests. " * 3,
            }) + "\n")
    return path


_INGEST = (
    "import sys; from pathlib import Path; from curbside.library.store import Library; "
    "from curbside.library.ingest import ingest_paths; "
    "lib = Library(Path(sys.argv[1]), create=True); ingest_paths(lib, [Path(sys.argv[2])])"
)


def test_concurrent_writers_both_land(tmp_path: Path) -> None:
    library_dir = tmp_path / "library"
    Library(library_dir, create=True).close()
    files = [_jsonl(tmp_path / f"{p}.jsonl", p, 3000) for p in ("a", "b")]
    processes = [subprocess.Popen([sys.executable, "-c", _INGEST, str(library_dir), str(f)])
                 for f in files]
    assert [p.wait() for p in processes] == [0, 0]
    with Library(library_dir) as library:
        assert library.stats()["jsonl"] == 6000
        _consistent(library)


def test_killed_ingest_leaves_whole_documents_and_resumes(tmp_path: Path) -> None:
    library_dir = tmp_path / "library"
    source = _jsonl(tmp_path / "big.jsonl", "k", 40_000)
    process = subprocess.Popen([sys.executable, "-c", _INGEST, str(library_dir), str(source)])
    # Kill it once some batches have committed (or whenever it ends, on a fast machine).
    while process.poll() is None:
        if (library_dir / "library.sqlite3").exists():
            try:
                with Library(library_dir) as probe:
                    if probe.connection.execute("SELECT count(*) FROM documents").fetchone()[0]:
                        break
            except LibraryError:
                pass  # the writer has created the file but not yet its tables
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with Library(library_dir) as library:
        _consistent(library)
    with Library(library_dir, create=True) as library:
        report = ingest_paths(library, [source])
        assert report.counts.added + report.counts.unchanged == 40_000
        assert library.stats()["jsonl"] == 40_000
        _consistent(library)


def test_excerpts_never_replace_a_fuller_record(empty_library: Library) -> None:
    empty_library.write([synthetic("t:1", "Synthetic whole abstract. It has two sentences.")])
    excerpt = Document(id="t:1", source="bioasq-excerpts", title="Synthetic excerpt record",
                       sections=[DocumentSection(label="Excerpts", text="It has two sentences.")],
                       excerpts_only=True)
    counts = empty_library.write([excerpt])
    assert counts.unchanged == 1
    assert empty_library.get("t:1").sections[0].text.startswith("Synthetic whole abstract.")
    # The other way round, the fuller record replaces the excerpts.
    empty_library.write([excerpt.model_copy(update={"id": "t:2"})])
    counts = empty_library.write([synthetic("t:2", "Synthetic whole abstract, second paper.")])
    assert counts.replaced == 1
    assert not empty_library.get("t:2").excerpts_only


def test_a_database_without_a_library_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "library.sqlite3").write_bytes(b"")
    with pytest.raises(LibraryError, match="holds no library yet"):
        Library(tmp_path)


def test_passage_ids_are_never_given_twice(empty_library: Library) -> None:
    empty_library.write([synthetic("t:1", "Synthetic first."), synthetic("t:2", "Synthetic two.")])
    (last,) = empty_library.connection.execute("SELECT max(id) FROM passages").fetchone()
    empty_library.write([], deletions=["t:2"])  # the largest id goes
    empty_library.write([synthetic("t:3", "Synthetic third.")])
    (new,) = empty_library.connection.execute(
        "SELECT id FROM passages WHERE doc_id = 't:3'").fetchone()
    assert new > last


def test_a_library_whose_ids_could_be_reused_is_migrated(tmp_path: Path) -> None:
    with Library(tmp_path, create=True) as library:
        library.write([synthetic("t:1", "Synthetic alpha."), synthetic("t:2", "Synthetic beta.")])
        before = library.connection.execute("SELECT * FROM passages ORDER BY id").fetchall()
    # The passages table as libraries made before this change have it: plain rowids.
    connection = sqlite3.connect(tmp_path / "library.sqlite3", isolation_level=None)
    connection.executescript(
        "BEGIN; CREATE TABLE old (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, "
        "ordinal INTEGER NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL); "
        "INSERT INTO old SELECT * FROM passages; DROP TABLE passages; "
        "ALTER TABLE old RENAME TO passages; COMMIT;")
    connection.close()
    with Library(tmp_path) as library:
        assert library.connection.execute("SELECT * FROM passages ORDER BY id").fetchall() == before
        assert [h.passage.doc_id for h in library.search(["beta"], 5)] == ["t:2"]
        library.write([], deletions=["t:2"])
        library.write([synthetic("t:3", "Synthetic gamma.")])
        (new,) = library.connection.execute(
            "SELECT id FROM passages WHERE doc_id = 't:3'").fetchone()
        assert new > before[-1][0]
        _consistent(library)


def test_a_guideline_passage_is_titled_alike_in_python_and_sql(empty_library: Library) -> None:
    """Search, embedding and topic matching read a passage's title from SQL at ask time and
    from Python at ingest: both name the heading path and the guideline it belongs to."""
    from curbside.library.passages import passage_title, passages_of
    from curbside.models import GUIDANCE_SOURCE

    guide = Document(id="guideline:t/1", source=GUIDANCE_SOURCE,
                     title="Synthetic Flare Care", part_of="Synthetic Widget Disease Guideline",
                     sections=[DocumentSection(label="Treatment › First line",
                                               text="Give synthetic drug A.\nRest.")])
    paper = synthetic("t:2", "Synthetic alpha sentence here.")
    empty_library.write([guide, paper])
    passages = {p.doc_id: p for d in (guide, paper) for p in passages_of(d)}
    hits = empty_library.passages_by_id(list(range(1, 10)))
    titles = {passage.doc_id: title for passage, title in hits.values()}
    assert titles["guideline:t/1"] == passage_title(guide, passages["guideline:t/1"]) == (
        "Synthetic Flare Care › Treatment › First line (Synthetic Widget Disease Guideline)")
    assert titles["t:2"] == passage_title(paper, passages["t:2"]) == paper.title


def test_a_sources_documents_are_titled_with_the_work_they_are_part_of(
        empty_library: Library) -> None:
    from curbside.models import GUIDANCE_SOURCE

    chapter = Document(id="guideline:t/4", source=GUIDANCE_SOURCE, title="Initial Synthetic Care",
                       part_of="Synthetic Strategy for Chronic Testitis",
                       sections=[DocumentSection(label="Group A", text="Give synthetic A.")])
    empty_library.write([chapter, synthetic("t:5", "Synthetic gamma sentence here.")])
    assert empty_library.titles_of_source(GUIDANCE_SOURCE) == {
        "guideline:t/4": "Initial Synthetic Care (Synthetic Strategy for Chronic Testitis)"}
    # A new version of the chapter is read, not the titles kept from before.
    empty_library.write([chapter.model_copy(update={"part_of": "Synthetic Report 2"})])
    assert empty_library.titles_of_source(GUIDANCE_SOURCE) == {
        "guideline:t/4": "Initial Synthetic Care (Synthetic Report 2)"}


def test_writers_creating_one_new_library_at_once_all_land(tmp_path: Path) -> None:
    """No library yet: each process finds the folder empty or half made by another."""
    library_dir = tmp_path / "library"
    names = ("a", "b", "c", "d")
    files = [_jsonl(tmp_path / f"{p}.jsonl", p, 50) for p in names]
    processes = [subprocess.Popen([sys.executable, "-c", _INGEST, str(library_dir), str(f)],
                                  stderr=subprocess.PIPE, text=True) for f in files]
    outcomes = [(p.wait(), p.stderr.read() if p.stderr else "") for p in processes]
    assert [code for code, _ in outcomes] == [0] * len(names), outcomes
    with Library(library_dir) as library:
        assert library.stats()["jsonl"] == 50 * len(names)
        _consistent(library)
