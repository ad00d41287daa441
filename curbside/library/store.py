"""The embedded library: one SQLite file (WAL) holding documents and passages, with the
full-text index of the passages beside it.

Readers never block the one writer; a writer commits one batch at a time, so a killed ingest
leaves only whole documents behind and the same ingest run again finishes the job. The index
follows SQLite (see `lexical`): its commit names the token of the SQLite transaction it belongs
to, it is checked against the database when a process first reads it, and it is rebuilt from
SQLite whenever the two disagree. Passage ids are never handed out twice, so an index or a
search result from an older state can name a passage that is gone, but never another one.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from curbside.errors import LibraryError, UnknownDocumentError
from curbside.library.crashpoints import crash_point
from curbside.library.lexical import IndexedPassage, LexicalIndex
from curbside.library.passages import (
    PASSAGE_CUTTING,
    PASSAGE_TITLE_SQL,
    passage_title,
    passages_of,
)
from curbside.library.vectors import (
    VECTOR_SCHEMA,
    CentredEncoder,
    EmbedProgress,
    VectorMatrix,
    embed_pending,
    renew_vectors_token,
    shared_matrix,
    vectors_token,
)
from curbside.models import Document, Passage, PassageHit

DATABASE_NAME = "library.sqlite3"
SCHEMA_VERSION = "3"
_INDEX_TOKEN = "index_token"
# AUTOINCREMENT: the id of a deleted passage is never given to a new one (a plain rowid
# table hands the largest ids out again once their rows are gone).
_PASSAGES_TABLE = """CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL
)"""
_PASSAGES_INDEX = "CREATE INDEX IF NOT EXISTS passages_by_document ON passages (doc_id, ordinal)"
# Which documents come from a source, and whether they changed, read from the index alone.
_SOURCE_INDEX = ("CREATE INDEX IF NOT EXISTS documents_by_source "
                 "ON documents (source, content_hash)")
# Which (index token, index size) this process has checked against the database, per
# library: the full comparison runs once per state, not on every request's open.
_VERIFIED: dict[Path, tuple[str, int]] = {}

_SCHEMA = f"""
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
{_PASSAGES_TABLE.format(name="passages")};
{_PASSAGES_INDEX};
{_SOURCE_INDEX};
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
    """What decides whether a re-ingested document is re-stored: its content and the way it is
    cut into passages, so a library re-ingested after a change to the cutting is re-cut."""
    return hashlib.sha256((PASSAGE_CUTTING + document.model_dump_json()).encode()).hexdigest()


@dataclass
class _PendingIndexChange:
    """What one write transaction does to the full-text index."""

    deleted: list[str]
    added: list[IndexedPassage]


class Library:
    """A library folder and the SQLite database inside it."""

    def __init__(self, directory: Path, *, create: bool = False):
        self.directory = directory
        self.path = directory / DATABASE_NAME
        self._titles: dict[str, tuple[str | None, dict[str, str]]] = {}
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
            elif not self.connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone():
                self.connection.close()
                raise LibraryError(
                    f"{self.path} holds no library yet: another process may be creating it (wait "
                    "for its first batch to commit), or the file is not a Curbside library "
                    "(rebuild it with `curbside starter` or `curbside ingest PATH`)."
                )
            # Libraries made before passage vectors existed gain the (empty) tables, those
            # made before the source index gain it (once, a second on a large library).
            self.connection.executescript(VECTOR_SCHEMA)
            self.connection.execute(_SOURCE_INDEX)
            self.connection.execute("PRAGMA synchronous = NORMAL")
            self._never_reuse_passage_ids()
            self.lexical = LexicalIndex(directory)
            self._seen_token: str | None = None
            self._follow_writers()
        except (sqlite3.OperationalError, OSError, ValueError) as error:
            raise LibraryError(
                f"Cannot open the library {directory}: {error}. Check that the folder "
                "is writable and not on a network share, or choose another with --library."
            ) from error
        self._pending: _PendingIndexChange | None = None

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

    def catch_up(self) -> None:
        """See what other processes committed since this library was opened: for a library
        kept open and used again (the web server's, between requests)."""
        self._follow_writers()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def write(self, documents: Sequence[Document], deletions: Sequence[str] = ()) -> WriteCounts:
        """Add, replace or delete documents in one transaction: all of the batch or none."""
        counts = WriteCounts()
        connection = self.connection
        self._pending = _PendingIndexChange(deleted=[], added=[])
        try:
            connection.execute("BEGIN IMMEDIATE")
            self._sync_index_locked()
            for document in documents:
                self._upsert(document, counts)
            for doc_id in deletions:
                if self._delete(doc_id):
                    counts.deleted += 1
            token = None
            if self._pending.deleted or self._pending.added:
                # The new token enters this transaction first, then the index's commit: if
                # the process dies between the two commits, the index names a token the
                # database never committed, which means "rebuild", never "trust".
                token = uuid.uuid4().hex
                self._set_token(token)
                crash_point("batch-written")
                self.lexical.update(self._pending.deleted, self._pending.added, token)
                crash_point("index-committed")
            if self._pending.deleted:
                renew_vectors_token(connection)  # their vectors went with them
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:  # a failed BEGIN leaves nothing to roll back
                connection.execute("ROLLBACK")
            self._seen_token = None  # the index may be ahead now: check it at the next read
            raise
        finally:
            self._pending = None
        if token is not None:
            # The index agreed with the database when this batch began (checked under the
            # same lock) and took exactly the batch's changes, so it agrees now.
            self._seen_token = token
            _VERIFIED[self.path] = (token, self.lexical.size())
        crash_point("batch-committed")
        self._clear_caches()
        return counts

    # -- keeping the full-text index in step ----------------------------------------------

    def _token(self) -> str | None:
        row = self.connection.execute(
            "SELECT value FROM meta WHERE key = ?", (_INDEX_TOKEN,)
        ).fetchone()
        return None if row is None else str(row[0])

    def _set_token(self, token: str) -> None:
        self.connection.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", (_INDEX_TOKEN, token)
        )

    def _indexed_passages(self) -> Iterable[IndexedPassage]:
        rows = self.connection.execute(
            f"SELECT p.id, p.doc_id, {PASSAGE_TITLE_SQL}, p.text FROM passages p "
            "JOIN documents d ON d.id = p.doc_id"
        )
        for passage_id, doc_id, title, text in rows:
            yield IndexedPassage(passage_id, doc_id, title, text)

    def _index_agrees(self) -> bool:
        """Whether the index state this process reads is the database's (inside a
        transaction, so the database side is one state): the same token, and the same
        passage ids by count, largest and sum."""
        token = self._token()
        if token is None or self.lexical.token != token:
            return False
        checked = (token, self.lexical.size())
        if _VERIFIED.get(self.path) == checked:
            return True
        index = self.lexical.state()
        count, largest, total = self.connection.execute(
            "SELECT count(*), max(id), coalesce(sum(id), 0) FROM passages").fetchone()
        if (index.passages, index.max_id, index.id_sum) != (count, largest, total):
            return False
        _VERIFIED[self.path] = checked
        return True

    def _id_counter(self) -> int:
        row = self.connection.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'passages'").fetchone()
        return 0 if row is None else int(row[0])

    def _sync_index_locked(self) -> None:
        """Rebuild the index if it does not reflect the database (inside a write transaction
        that has written nothing yet)."""
        self.lexical.refresh()
        while not self._index_agrees():
            largest = self.lexical.state().max_id
            if largest is not None and largest > self._id_counter():
                # The index holds ids a killed writer gave passages it never committed. They
                # are never handed out again: the raised counter commits before the rebuild
                # forgets them. Then look again, as another process may have moved on.
                cursor = self.connection.execute(
                    "UPDATE sqlite_sequence SET seq = ? WHERE name = 'passages'", (largest,))
                if cursor.rowcount == 0:
                    self.connection.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES ('passages', ?)",
                        (largest,))
                self.connection.execute("COMMIT")
                crash_point("ids-reserved")
                self.connection.execute("BEGIN IMMEDIATE")
                self.lexical.refresh()
                continue
            # Libraries made before this index kept their words in SQLite's FTS5.
            self.connection.execute("DROP TABLE IF EXISTS passage_index")
            token = self._token()
            if token is None:
                token = uuid.uuid4().hex
                self._set_token(token)
            self.lexical.rebuild(self._indexed_passages(), token)
            crash_point("index-rebuilt")
            return

    def _follow_writers(self) -> None:
        """Pick up what other processes committed; repair an index a killed writer left."""
        token = self._token()
        if token is not None and token == self._seen_token:
            return
        self.connection.execute("BEGIN")  # one database state to compare the index with
        try:
            self.lexical.refresh()
            agrees = self._index_agrees()
            token = self._token()
        finally:
            self.connection.execute("COMMIT")
        if not agrees:
            self.connection.execute("BEGIN IMMEDIATE")  # waits for a writer mid-batch
            try:
                self._sync_index_locked()
                token = self._token()
                self.connection.execute("COMMIT")
            except BaseException:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise
        self._seen_token = token
        self._clear_caches()

    def _never_reuse_passage_ids(self) -> None:
        """Libraries made when passage ids could be reused get AUTOINCREMENT (ids kept)."""

        def counted() -> bool:
            row = self.connection.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'passages'"
            ).fetchone()
            return row is None or "AUTOINCREMENT" in str(row[0]).upper()

        if counted():
            return
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            if not counted():  # another process may have just done it
                self.connection.execute(_PASSAGES_TABLE.format(name="passages_counted"))
                self.connection.execute(
                    "INSERT INTO passages_counted (id, doc_id, ordinal, section, text) "
                    "SELECT id, doc_id, ordinal, section, text FROM passages")
                self.connection.execute("DROP TABLE passages")
                self.connection.execute("ALTER TABLE passages_counted RENAME TO passages")
                self.connection.execute(_PASSAGES_INDEX)
                self.connection.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise

    def _upsert(self, document: Document, counts: WriteCounts) -> None:
        digest = content_hash(document)
        row = self.connection.execute(
            "SELECT content_hash, revised, source FROM documents WHERE id = ?", (document.id,)
        ).fetchone()
        if row is not None:
            old_hash, old_revised, old_source = row
            stale = bool(old_revised and document.revised and document.revised < old_revised)
            stale = stale or (document.excerpts_only and old_source != document.source)
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
        assert self._pending is not None
        for passage in passages_of(document):
            cursor = self.connection.execute(
                "INSERT INTO passages (doc_id, ordinal, section, text) VALUES (?, ?, ?, ?)",
                (passage.doc_id, passage.ordinal, passage.section, passage.text),
            )
            assert cursor.lastrowid is not None
            self._pending.added.append(
                IndexedPassage(cursor.lastrowid, document.id, passage_title(document, passage),
                               passage.text)
            )

    def _delete(self, doc_id: str) -> bool:
        assert self._pending is not None
        self.connection.execute(
            "DELETE FROM passage_vectors WHERE passage_id IN "
            "(SELECT id FROM passages WHERE doc_id = ?)", (doc_id,),
        )
        self.connection.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
        cursor = self.connection.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        if cursor.rowcount > 0:
            self._pending.deleted.append(doc_id)
            self._pending.added = [p for p in self._pending.added if p.doc_id != doc_id]
            return True
        return False

    def _clear_caches(self) -> None:
        self.passage_count.cache_clear()
        self.matching_passages.cache_clear()

    def embed_pending(self, on_progress: EmbedProgress | None = None) -> int:
        """Make the vectors that passages still lack (the last step of every ingest)."""
        return embed_pending(self.connection, on_progress)

    def _vector_matrix(self) -> VectorMatrix:
        """The vectors in memory, shared by every Library of the process on the same folder
        (a web server opens one per request) until a writer changes them."""
        return shared_matrix(self.path, vectors_token(self.connection), self.connection)

    def nearest_passages(self, query: str, limit: int) -> list[tuple[int, float]]:
        """(passage id, cosine) of the passages nearest the query in meaning."""
        return self._vector_matrix().search(query, limit)

    def meaning_encoder(self) -> CentredEncoder | None:
        """The encoder search compares meanings with; None before any passage has a vector."""
        return self._vector_matrix().encoder_for_meaning()

    def word_share(self, word: str) -> float:
        """Share of the library's passages that contain the word (after stemming)."""
        return self.matching_passages(word) / max(self.passage_count(), 1)

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

    def titles_of_source(self, source: str) -> dict[str, str]:
        """Each document of the source by the title it is searched under: its own, then the
        work it is part of (a guideline's chapter names its condition only there). Kept while
        the source's documents are unchanged (their content hashes, read in a millisecond):
        reading `part_of` out of every body costs tens of milliseconds an ask."""
        (fingerprint,) = self.connection.execute(
            "SELECT group_concat(content_hash, '') FROM documents WHERE source = ?",
            (source,)).fetchone()
        cached = self._titles.get(source)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        rows = self.connection.execute(
            "SELECT id, title || coalesce(' (' || json_extract(body, '$.part_of') || ')', '') "
            "FROM documents WHERE source = ? ORDER BY id", (source,))
        titles = {row[0]: row[1] for row in rows}
        self._titles[source] = (fingerprint, titles)
        return titles

    def passages(self, doc_id: str) -> list[Passage]:
        rows = self.connection.execute(
            "SELECT doc_id, ordinal, section, text FROM passages WHERE doc_id = ? "
            "ORDER BY ordinal", (doc_id,)
        )
        return [Passage(doc_id=r[0], ordinal=r[1], section=r[2], text=r[3]) for r in rows]

    def lexical_passages(self, terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """(passage id, BM25 score) of passages matching any of the terms, best first."""
        if not terms or limit <= 0:
            return []
        self._follow_writers()
        return self.lexical.search(terms, limit)

    def search(self, terms: Sequence[str], limit: int) -> list[PassageHit]:
        """Passages matching any of the terms, best BM25 first."""
        ranked = self.lexical_passages(terms, limit)
        found = self.passages_by_id([pid for pid, _ in ranked])
        return [PassageHit(passage=found[pid][0], title=found[pid][1], lexical_score=score,
                           score=score) for pid, score in ranked if pid in found]

    def passages_by_id(self, ids: Sequence[int]) -> dict[int, tuple[Passage, str]]:
        """Each known passage id's passage and document title; unknown ids are left out."""
        found: dict[int, tuple[Passage, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for pid, doc_id, ordinal, section, text, title in self.connection.execute(
                f"SELECT p.id, p.doc_id, p.ordinal, p.section, p.text, {PASSAGE_TITLE_SQL} "
                f"FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({marks})",
                chunk,
            ):
                passage = Passage(doc_id=doc_id, ordinal=ordinal, section=section, text=text)
                found[pid] = (passage, title)
        return found

    @lru_cache(maxsize=4096)  # noqa: B019 - one Library per process; cleared on every write
    def matching_passages(self, term: str) -> int:
        """How many passages contain the term (after stemming): its document frequency."""
        return self.lexical.matching_count(term)

    @lru_cache(maxsize=1)  # noqa: B019
    def passage_count(self) -> int:
        return int(self.connection.execute("SELECT count(*) FROM passages").fetchone()[0])

    def stats(self) -> dict[str, int]:
        counts = dict(
            self.connection.execute("SELECT source, count(*) FROM documents GROUP BY source")
        )
        counts["passages"] = self.passage_count()
        return counts
