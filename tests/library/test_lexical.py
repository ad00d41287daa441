"""The full-text index beside the database: stemming, query syntax, and repair after a crash."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.library.lexical import IndexedPassage, LexicalIndex
from curbside.library.store import Library
from curbside.models import Document, DocumentSection


def synthetic(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, source="test", title=f"Synthetic test record {doc_id}",
                    sections=[DocumentSection(label="", text=text)])


def test_stemmed_words_match(empty_library: Library) -> None:
    empty_library.write([synthetic("t:1", "Synthetic: the haematomas were drained.")])
    assert [h.passage.doc_id for h in empty_library.search(["haematoma"], 5)] == ["t:1"]
    assert empty_library.matching_passages("drain") == 1
    assert empty_library.matching_passages("absent") == 0


def test_title_words_rank_a_document_above_a_passing_mention(empty_library: Library) -> None:
    titled = Document(id="t:title", source="test", title="Synthetic warfarin reversal record",
                      sections=[DocumentSection(label="", text="Synthetic text about dosing.")])
    mention = synthetic("t:mention", "Synthetic text; warfarin was mentioned once in passing "
                        "among many other words about unrelated matters entirely.")
    empty_library.write([mention, titled])
    assert empty_library.search(["warfarin"], 2)[0].passage.doc_id == "t:title"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=5))
def test_any_query_words_are_searched_not_parsed(tmp_path_factory: object, words: list[str]
                                                 ) -> None:
    index = _shared_index()
    index.search(words, 5)  # quotes, colons, brackets or AND/OR never raise
    for word in words:
        assert index.matching_count(word) >= 0


_INDEX: list[LexicalIndex] = []


def _shared_index() -> LexicalIndex:
    if not _INDEX:
        import tempfile

        _INDEX.append(LexicalIndex(Path(tempfile.mkdtemp())))
    return _INDEX[0]


def test_an_index_out_of_step_is_rebuilt_when_the_library_opens(tmp_path: Path) -> None:
    with Library(tmp_path, create=True) as library:
        library.write([synthetic("t:1", "Synthetic alpha."), synthetic("t:2", "Synthetic beta.")])
    # A writer killed between the index commit and the database commit leaves this behind:
    ghost = IndexedPassage(99, "t:ghost", "Synthetic ghost record", "Synthetic beta ghost.")
    LexicalIndex(tmp_path).update([], [ghost], "from-a-transaction-that-never-committed")
    with Library(tmp_path) as library:
        assert library.lexical.passage_count() == 2
        assert [h.passage.doc_id for h in library.search(["beta"], 5)] == ["t:2"]
        # The ghost's id is never given to a real passage.
        library.write([synthetic("t:3", "Synthetic gamma.")])
        (new_id,) = library.connection.execute(
            "SELECT id FROM passages WHERE doc_id = 't:3'").fetchone()
        assert new_id > 99


def test_an_index_with_the_right_token_but_other_passages_is_rebuilt(tmp_path: Path) -> None:
    """The token is not trusted alone: a process opening the library compares the index's
    passage ids with the database's."""
    with Library(tmp_path, create=True) as library:
        library.write([synthetic("t:1", "Synthetic alpha."), synthetic("t:2", "Synthetic beta.")])
        token = library.lexical.token
    assert token is not None
    stray = IndexedPassage(7, "t:stray", "Synthetic stray record", "Synthetic beta stray.")
    LexicalIndex(tmp_path).update(["t:1"], [stray], token)  # same count and token, other ids
    found = subprocess.run(
        [sys.executable, "-m", "curbside.cli", "search", "beta alpha", "--json"],
        capture_output=True, text=True, check=True,
        env=dict(os.environ, CURBSIDE_LIBRARY=str(tmp_path)))
    assert sorted(json.loads(line)["doc_id"] for line in found.stdout.splitlines()) == [
        "t:1", "t:2"]


def test_a_library_with_the_old_fts5_index_is_migrated(tmp_path: Path) -> None:
    with Library(tmp_path, create=True) as library:
        library.write([synthetic("t:1", "Synthetic gamma.")])
    connection = sqlite3.connect(tmp_path / "library.sqlite3")
    connection.execute("CREATE VIRTUAL TABLE passage_index USING fts5 (title, text)")
    connection.execute("DELETE FROM meta WHERE key = 'index_token'")
    connection.commit()
    connection.close()
    with Library(tmp_path) as library:
        assert [h.passage.doc_id for h in library.search(["gamma"], 5)] == ["t:1"]
        tables = {r[0] for r in library.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "passage_index" not in tables


def test_a_reader_sees_what_another_writer_committed(tmp_path: Path) -> None:
    with Library(tmp_path, create=True) as writer, Library(tmp_path) as reader:
        assert reader.search(["delta"], 5) == []
        writer.write([synthetic("t:1", "Synthetic delta.")])
        assert [h.passage.doc_id for h in reader.search(["delta"], 5)] == ["t:1"]
        writer.write([], deletions=["t:1"])
        assert reader.search(["delta"], 5) == []
