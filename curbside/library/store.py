"""The embedded library: one SQLite file (WAL) holding documents, passages and an FTS5 index.

Readers never block the one writer; a writer commits one batch at a time, so a killed ingest
leaves only whole documents behind and the same ingest run again finishes the job.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from curbside.errors import LibraryError, UnknownDocumentError
from curbside.library.passages import passages_of
from curbside.models import Document, Passage, PassageHit

DATABASE_NAME = "library.sqlite3"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER,
    revised TEXT,
    content_hash TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_by_document ON passages (doc_id, ordinal);
CREATE VIRTUAL TABLE IF NOT EXISTS passage_index USING fts5 (
    title, text, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


@dataclass
class WriteCounts:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.added += other.added
        self.replaced += other.replaced
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        return self


def content_hash(document: Document) -> str:
    return hashlib.sha256(document.model_dump_json().encode()).hexdigest()


def fts_phrase(term: str) -> str:
    """A term as an FTS5 string: quoted, so no word of a question is read as query syntax."""
    return '"' + term.replace('"', '""') + '"'


class Library:
    """A library folder and the SQLite database inside it."""

    def __init__(self, directory: Path, *, create: bool = False, title_weight: float = 2.0):
        self.directory = directory
        self.path = directory / DATABASE_NAME
        if create:
            self._prepare_folder()
        elif not self.path.exists():
            raise LibraryError(
                f"No library at {directory}. Build one with `curbside starter` or "
                "`curbside ingest PATH`, or point --library / CURBSIDE_LIBRARY at an existing one."
            )
        try:
            self.connection = sqlite3.connect(
                self.path, timeout=60, check_same_thread=False, isolation_level=None
            )
            self.connection.execute("PRAGMA busy_timeout = 60000")
            if create:
                self.connection.execute("PRAGMA journal_mode = WAL")
                self.connection.executescript(_SCHEMA)
                self.connection.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
                )
                self.connection.execute(
                    "INSERT INTO passage_index (passage_index, rank) VALUES ('rank', ?)",
                    (f"bm25({title_weight}, 1.0)",),
                )
            self.connection.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.OperationalError as error:
            raise LibraryError(
                f"Cannot open the library database {self.path}: {error}. Check that the folder "
                "is writable and not on a network share, or choose another with --library."
            ) from error

    def _prepare_folder(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LibraryError(
                f"Cannot create the library folder {self.directory}: {error.strerror}. "
                "Choose a writable folder with --library or CURBSIDE_LIBRARY."
            ) from error
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise LibraryError(
                f"The library folder {self.directory} is not writable. Choose a writable folder "
                "with --library or CURBSIDE_LIBRARY, or fix its permissions."
            )

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def write(self, documents: Sequence[Document], deletions: Sequence[str] = ()) -> WriteCounts:
        """Add, replace or delete documents in one transaction: all of the batch or none."""
        counts = WriteCounts()
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            for document in documents:
                self._upsert(document, counts)
            for doc_id in deletions:
                if self._delete(doc_id):
                    counts.deleted += 1
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        self._clear_caches()
        return counts

    def _upsert(self, document: Document, counts: WriteCounts) -> None:
        digest = content_hash(document)
        row = self.connection.execute(
            "SELECT content_hash, revised FROM documents WHERE id = ?", (document.id,)
        ).fetchone()
        if row is not None:
            old_hash, old_revised = row
            stale = bool(old_revised and document.revised and document.revised < old_revised)
            if old_hash == digest or stale:
                counts.unchanged += 1
                return
            self._delete(document.id)
            counts.replaced += 1
        else:
            counts.added += 1
        self.connection.execute(
            "INSERT INTO documents (id, source, title, year, revised, content_hash, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (document.id, document.source, document.title, document.year, document.revised,
             digest, document.model_dump_json()),
        )
        for passage in passages_of(document):
            cursor = self.connection.execute(
                "INSERT INTO passages (doc_id, ordinal, section, text) VALUES (?, ?, ?, ?)",
                (passage.doc_id, passage.ordinal, passage.section, passage.text),
            )
            self.connection.execute(
                "INSERT INTO passage_index (rowid, title, text) VALUES (?, ?, ?)",
                (cursor.lastrowid, document.title, passage.text),
            )

    def _delete(self, doc_id: str) -> bool:
        self.connection.execute(
            "DELETE FROM passage_index WHERE rowid IN (SELECT id FROM passages WHERE doc_id = ?)",
            (doc_id,),
        )
        self.connection.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
        cursor = self.connection.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return cursor.rowcount > 0

    def _clear_caches(self) -> None:
        self.passage_count.cache_clear()
        self.matching_passages.cache_clear()

    # -- reading ---------------------------------------------------------------------------

    def get(self, doc_id: str) -> Document:
        row = self.connection.execute(
            "SELECT body FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise UnknownDocumentError(doc_id)
        return Document.model_validate_json(row[0])

    def get_many(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        wanted = list(dict.fromkeys(doc_ids))
        found: dict[str, Document] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for (body,) in self.connection.execute(
                f"SELECT body FROM documents WHERE id IN ({marks})", chunk
            ):
                document = Document.model_validate_json(body)
                found[document.id] = document
        return found

    def passages(self, doc_id: str) -> list[Passage]:
        rows = self.connection.execute(
            "SELECT doc_id, ordinal, section, text FROM passages WHERE doc_id = ? "
            "ORDER BY ordinal", (doc_id,)
        )
        return [Passage(doc_id=r[0], ordinal=r[1], section=r[2], text=r[3]) for r in rows]

    def search(self, terms: Sequence[str], limit: int) -> list[PassageHit]:
        """Passages matching any of the terms, best BM25 first."""
        if not terms or limit <= 0:
            return []
        query = " OR ".join(fts_phrase(t) for t in terms)
        rows = self.connection.execute(
            """
            WITH top AS (
                SELECT rowid, rank FROM passage_index WHERE passage_index MATCH ?
                ORDER BY rank LIMIT ?
            )
            SELECT p.doc_id, p.ordinal, p.section, p.text, d.title, top.rank
            FROM top JOIN passages p ON p.id = top.rowid JOIN documents d ON d.id = p.doc_id
            ORDER BY top.rank
            """,
            (query, limit),
        ).fetchall()
        return [
            PassageHit(
                passage=Passage(doc_id=r[0], ordinal=r[1], section=r[2], text=r[3]),
                title=r[4],
                lexical_score=-r[5],
                score=-r[5],
            )
            for r in rows
        ]

    @lru_cache(maxsize=4096)  # noqa: B019 - one Library per process; cleared on every write
    def matching_passages(self, term: str) -> int:
        """How many passages contain the term (after stemming): its document frequency."""
        row = self.connection.execute(
            "SELECT count(*) FROM passage_index WHERE passage_index MATCH ?", (fts_phrase(term),)
        ).fetchone()
        return int(row[0])

    @lru_cache(maxsize=1)  # noqa: B019
    def passage_count(self) -> int:
        return int(self.connection.execute("SELECT count(*) FROM passages").fetchone()[0])

    def stats(self) -> dict[str, int]:
        counts = dict(
            self.connection.execute("SELECT source, count(*) FROM documents GROUP BY source")
        )
        counts["passages"] = self.passage_count()
        return counts
