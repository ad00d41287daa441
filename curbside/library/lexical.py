"""The full-text index of passages: a tantivy index in the library folder.

SQLite stays the record of what the library holds; this index is derived from it. Each write
batch updates both while the SQLite write lock is held, and both note the same random token.
An index whose token differs from the database's (a writer killed between the two commits, or
a library built before the index existed) is rebuilt from SQLite when next opened.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

INDEX_FOLDER = "lexical"
_TOKEN_FILE = "token"
_WRITER_HEAP = 64 * 1024 * 1024
# Stemmed English, as a clinician's words seldom match a paper's exact inflection.
_TOKENIZER = "en_stem"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class IndexedPassage:
    passage_id: int
    doc_id: str
    title: str
    text: str


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("passage_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("doc_id", stored=False, tokenizer_name="raw")
    builder.add_text_field("body", tokenizer_name=_TOKENIZER)
    return builder.build()


def _query_word(term: str) -> str:
    """A term as query-language text: its words only, quoted (a hyphenated term becomes a
    phrase), so nothing a user types is read as query syntax. Empty when it has no words."""
    words = _WORD.findall(term)
    return '"' + " ".join(words) + '"' if words else ""


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
        self.index = tantivy.Index(_schema(), path=str(self.directory), reuse=True)

    @property
    def token(self) -> str | None:
        try:
            return (self.directory / _TOKEN_FILE).read_text().strip()
        except OSError:
            return None

    def mark(self, token: str) -> None:
        """Record which database state the index now reflects (after its commit)."""
        temporary = self.directory / (_TOKEN_FILE + ".tmp")
        temporary.write_text(token)
        temporary.replace(self.directory / _TOKEN_FILE)

    def update(self, deleted_doc_ids: Iterable[str], added: Sequence[IndexedPassage]) -> None:
        """Remove every passage of the deleted documents, then add the new passages."""
        writer = self.index.writer(_WRITER_HEAP, 1)
        try:
            for doc_id in deleted_doc_ids:
                writer.delete_documents_by_term("doc_id", doc_id)
            for passage in added:
                writer.add_document(self._document(passage))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.index.reload()

    def rebuild(self, passages: Iterable[IndexedPassage], token: str) -> None:
        """Start the index again from the library's passages."""
        shutil.rmtree(self.directory)
        self.directory.mkdir()
        self.index = tantivy.Index(_schema(), path=str(self.directory), reuse=False)
        writer = self.index.writer(_WRITER_HEAP, 1)
        for passage in passages:
            writer.add_document(self._document(passage))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.mark(token)

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
        return int(self.index.searcher().num_docs)
