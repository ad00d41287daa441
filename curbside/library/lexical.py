"""The full-text index of passages: a tantivy index in the library folder.

SQLite stays the record of what the library holds; this index is derived from it and must
never disagree with it. A write batch, holding SQLite's write lock, stores a new random token
in its (still open) SQLite transaction, commits its index changes together with a marker
document naming that token (one tantivy commit, so the marker and the passages it describes
appear together or not at all), and then commits SQLite. A writer killed before the index
commit leaves both at the old token and the old passages; killed after it, the index names a
token SQLite never committed, and the next process to look rebuilds the index from SQLite.
"""

from __future__ import annotations

import fcntl
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from curbside.library.crashpoints import crash_point

# A new folder name for the index that carries its own token: the previous layout (an index
# without the marker field and a separate token file) is left behind and removed.
INDEX_FOLDER = "passage-index"
INDEX_LOCK = "passage-index.lock"
_OLD_FOLDER = "lexical"
_WRITER_HEAP = 64 * 1024 * 1024
# Stemmed English, as a clinician's words seldom match a paper's exact inflection.
_TOKENIZER = "en_stem"
_WORD = re.compile(r"\w+")
# The marker document: not a passage (passage ids are SQLite rowids, never below 1).
_MARKER_ID = -1
_PASSAGES = (1, 2**62)
_FINGERPRINT = {"count": {"value_count": {"field": "passage_id"}},
                "max": {"max": {"field": "passage_id"}},
                "sum": {"sum": {"field": "passage_id"}}}


@dataclass(frozen=True)
class IndexedPassage:
    passage_id: int
    doc_id: str
    title: str
    text: str


@dataclass(frozen=True)
class IndexState:
    """What one committed state of the index holds: the token of its commit and a fingerprint
    of its passage ids, to compare with the database's."""

    token: str | None
    passages: int
    max_id: int | None
    id_sum: int


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("passage_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("doc_id", stored=False, tokenizer_name="raw")
    builder.add_text_field("body", tokenizer_name=_TOKENIZER)
    builder.add_text_field("token", stored=True, tokenizer_name="raw")
    return builder.build()


def _query_word(term: str) -> str:
    """A term as query-language text: its words only, quoted (a hyphenated term becomes a
    phrase), so nothing a user types is read as query syntax. Empty when it has no words."""
    words = _WORD.findall(term)
    return '"' + " ".join(words) + '"' if words else ""


@contextmanager
def _folder_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (released by the system if the holder dies)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class LexicalIndex:
    """BM25 over each passage with its document's title, the title words counting more.

    The title is written into the passage's one indexed field `title_repeats` times: a
    per-field boost scores a short title field on its own length and swamps the text (0.60
    nDCG@10 on SciFact's training claims), while repeating it gives BM25F's weighting (0.69).
    """

    def __init__(self, library_dir: Path, title_repeats: int = 2):
        self.directory = library_dir / INDEX_FOLDER
        self.directory.mkdir(exist_ok=True)
        self.title_repeats = title_repeats
        self._schema = _schema()
        # Processes opening a new library at once would otherwise see each other's half-made
        # index as unreadable and delete it while it is written ("Directory not empty").
        with _folder_lock(library_dir / INDEX_LOCK):
            shutil.rmtree(library_dir / _OLD_FOLDER, ignore_errors=True)
            try:
                self.index = tantivy.Index(self._schema, path=str(self.directory), reuse=True)
            except ValueError:
                # Unreadable or of another layout: it holds nothing SQLite lacks, so start it
                # empty (an index without a marker is rebuilt from the database).
                shutil.rmtree(self.directory, ignore_errors=True)
                self.directory.mkdir(exist_ok=True)
                self.index = tantivy.Index(self._schema, path=str(self.directory), reuse=False)
        # This process sees another's commit only when it asks (`refresh`), after checking
        # that the commit's token is one the database committed.
        self.index.config_reader("manual")

    @property
    def token(self) -> str | None:
        """The token of the state this process is reading (None: no marker, never trusted)."""
        searcher = self.index.searcher()
        marker = searcher.search(
            tantivy.Query.term_query(self._schema, "passage_id", _MARKER_ID), 1, count=False)
        for _, address in marker.hits:
            return str(searcher.doc(address).get_first("token"))
        return None

    def state(self) -> IndexState:
        """The token and the passage-id fingerprint of the state this process is reading
        (one pass over the ids' column)."""
        passages = tantivy.Query.range_query(
            self._schema, "passage_id", tantivy.FieldType.Integer, *_PASSAGES)
        figures: dict[str, Any] = self.index.searcher().aggregate(passages, _FINGERPRINT)
        maximum = figures["max"]["value"]
        return IndexState(token=self.token, passages=int(figures["count"]["value"]),
                          max_id=None if maximum is None else int(maximum),
                          id_sum=int(figures["sum"]["value"]))

    def update(self, deleted_doc_ids: Iterable[str], added: Sequence[IndexedPassage],
               token: str) -> None:
        """Remove every passage of the deleted documents, add the new passages and name the
        database state this makes, in one commit."""

        def change(writer: tantivy.IndexWriter) -> None:
            for doc_id in deleted_doc_ids:
                writer.delete_documents_by_term("doc_id", doc_id)
            for passage in added:
                writer.add_document(self._document(passage))

        self._commit(change, token, crash_at="index-written")

    def rebuild(self, passages: Iterable[IndexedPassage], token: str) -> None:
        """Start the index again from the library's passages, in one commit: readers see the
        old index or the new one, and a writer killed midway leaves the old one."""

        def refill(writer: tantivy.IndexWriter) -> None:
            writer.delete_all_documents()
            for passage in passages:
                writer.add_document(self._document(passage))

        self._commit(refill, token)

    def _commit(self, change: Callable[[tantivy.IndexWriter], None], token: str,
                crash_at: str | None = None) -> None:
        """One tantivy commit: the change and the marker naming `token`, or nothing."""
        writer = self.index.writer(_WRITER_HEAP, 1)
        try:
            change(writer)
            self._mark(writer, token)
            if crash_at:
                crash_point(crash_at)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.index.reload()

    def _mark(self, writer: tantivy.IndexWriter, token: str) -> None:
        writer.delete_documents_by_term("passage_id", _MARKER_ID)
        writer.add_document(tantivy.Document(passage_id=_MARKER_ID, token=token))

    def _document(self, passage: IndexedPassage) -> tantivy.Document:
        body = f"{passage.title} . " * self.title_repeats + passage.text
        return tantivy.Document(passage_id=passage.passage_id, doc_id=passage.doc_id, body=body)

    def refresh(self) -> None:
        """See what another process committed since this one last looked."""
        self.index.reload()

    def _query(self, terms: Sequence[str]) -> tantivy.Query | None:
        text = " ".join(filter(None, (_query_word(t) for t in terms)))
        return self.index.parse_query(text, ["body"]) if text else None

    def search(self, terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """(passage id, BM25 score) of the passages matching any term, best first."""
        query = self._query(terms)
        if query is None or limit <= 0:
            return []
        searcher = self.index.searcher()
        result = searcher.search(query, limit, count=False)
        addresses = [address for _, address in result.hits]
        ids = searcher.fast_field_values("passage_id", addresses)
        return [(int(pid), float(score))
                for (score, _), pid in zip(result.hits, ids, strict=True) if pid is not None]

    def matching_count(self, term: str) -> int:
        """How many passages contain the term (after stemming)."""
        query = self._query([term])
        if query is None:
            return 0
        result: Any = self.index.searcher().search(query, 1, count=True)
        return int(result.count)

    def passage_count(self) -> int:
        return self.state().passages

    def size(self) -> int:
        """Documents in the index, the marker included: a cheap sign that it changed."""
        return int(self.index.searcher().num_docs)
