"""Passage vectors kept in the library database, and exact nearest-neighbour search over them.

Vectors are made after the passages are written (the last step of an ingest), in batches that
each commit, so a killed ingest leaves some passages without a vector and the next ingest makes
them. Word-piece weights are computed from the library and frozen as a "generation"; when the
library has doubled since, new weights are computed and every passage is embedded again.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from curbside.library.embedding import (
    StaticEncoder,
    Vectors,
    piece_weights,
    vocabulary_size,
    word_pieces,
)
from curbside.library.passages import PASSAGE_TITLE_SQL

VECTOR_SCHEMA = """
CREATE TABLE IF NOT EXISTS passage_vectors (
    passage_id INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL,
    vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS vector_generations (
    generation INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    passages INTEGER NOT NULL,
    weights BLOB NOT NULL
);
"""
EMBED_BATCH = 2000
_REWEIGH_GROWTH = 2.0  # new weights once the library has doubled
_MIN_PASSAGES_TO_FREEZE = 200  # below this, weights are remade at every ingest
_STORED = np.float16  # half the disk; search runs in float32

EmbedProgress = Callable[[int, int], None]
_VECTORS_TOKEN = "vectors_token"
_SHARED: dict[Path, tuple[str, VectorMatrix]] = {}
_SHARED_LOCK = threading.Lock()


def vectors_token(connection: sqlite3.Connection) -> str:
    """Changes in every transaction that changes the stored vectors."""
    row = connection.execute(
        "SELECT value FROM meta WHERE key = ?", (_VECTORS_TOKEN,)).fetchone()
    return "" if row is None else str(row[0])


def renew_vectors_token(connection: sqlite3.Connection) -> None:
    """Call inside the write transaction that changes vectors."""
    connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       (_VECTORS_TOKEN, uuid.uuid4().hex))


def shared_matrix(path: Path, token: str, connection: sqlite3.Connection) -> VectorMatrix:
    with _SHARED_LOCK:
        cached = _SHARED.get(path)
        if cached is None or cached[0] != token:
            cached = (token, VectorMatrix.load(connection))
            _SHARED[path] = cached
        return cached[1]


@dataclass
class Generation:
    number: int
    passages: int
    encoder: StaticEncoder


def _passage_text(title: str, text: str) -> str:
    return f"{title}. {text}"


def current_generation(connection: sqlite3.Connection) -> Generation | None:
    row = connection.execute(
        "SELECT generation, passages, weights FROM vector_generations "
        "ORDER BY generation DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    weights = np.frombuffer(row[2], dtype=np.float32).copy()
    return Generation(number=row[0], passages=row[1], encoder=StaticEncoder(weights))


def _count_passages(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM passages").fetchone()[0])


def _all_texts(connection: sqlite3.Connection) -> Iterator[list[str]]:
    cursor = connection.execute(
        f"SELECT {PASSAGE_TITLE_SQL}, p.text FROM passages p JOIN documents d ON d.id = p.doc_id"
    )
    while rows := cursor.fetchmany(EMBED_BATCH):
        yield [_passage_text(title, text) for title, text in rows]


def _new_generation(connection: sqlite3.Connection, number: int) -> Generation:
    """Word-piece weights from every passage now in the library."""
    frequency = np.zeros(vocabulary_size(), dtype=np.int64)
    total = 0
    for texts in _all_texts(connection):
        for ids in word_pieces(texts):
            frequency[np.unique(np.asarray(ids, dtype=np.int64))] += 1
        total += len(texts)
    encoder = StaticEncoder(piece_weights(frequency, total))
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Another ingest may have made this generation while we counted: use theirs.
        newer = current_generation(connection)
        if newer is not None and newer.number >= number:
            connection.execute("COMMIT")
            return newer
        connection.execute(
            "INSERT INTO vector_generations VALUES (?, ?, ?, ?)",
            (number, encoder.name, total, encoder.weights.tobytes()),
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return Generation(number=number, passages=total, encoder=encoder)


def _needs_new_weights(generation: Generation | None, passages: int) -> bool:
    if generation is None:
        return True
    if generation.passages < _MIN_PASSAGES_TO_FREEZE:
        return passages != generation.passages
    return passages >= _REWEIGH_GROWTH * generation.passages


def embed_pending(connection: sqlite3.Connection, on_progress: EmbedProgress | None = None) -> int:
    """Give every passage a vector of the current generation; returns how many were made."""
    passages = _count_passages(connection)
    if passages == 0:
        return 0
    generation = current_generation(connection)
    if _needs_new_weights(generation, passages):
        generation = _new_generation(connection, 1 if generation is None else
                                     generation.number + 1)
    assert generation is not None
    pending = int(connection.execute(
        "SELECT count(*) FROM passages p LEFT JOIN passage_vectors v ON v.passage_id = p.id "
        "WHERE v.generation IS NOT ? ", (generation.number,)
    ).fetchone()[0])
    made = 0
    after = -1  # walk the passages in id order, so each batch reads only what follows
    while True:
        rows = connection.execute(
            f"SELECT p.id, {PASSAGE_TITLE_SQL}, p.text FROM passages p "
            "JOIN documents d ON d.id = p.doc_id "
            "LEFT JOIN passage_vectors v ON v.passage_id = p.id "
            "WHERE p.id > ? AND v.generation IS NOT ? ORDER BY p.id LIMIT ?",
            (after, generation.number, EMBED_BATCH),
        ).fetchall()
        if not rows:
            return made
        after = rows[-1][0]
        vectors = generation.encoder.encode([_passage_text(t, x) for _, t, x in rows])
        connection.execute("BEGIN IMMEDIATE")
        try:
            renew_vectors_token(connection)
            # A passage another writer deleted since the SELECT gets no vector.
            connection.executemany(
                "INSERT OR REPLACE INTO passage_vectors SELECT ?, ?, ? "
                "WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)",
                [(row[0], generation.number, vector.astype(_STORED).tobytes(), row[0])
                 for row, vector in zip(rows, vectors, strict=True)],
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        made += len(rows)
        if on_progress:
            on_progress(made, pending)


def _unit(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Vectors = vectors / np.maximum(norms, 1e-9)
    return unit


@dataclass
class CentredEncoder:
    """The library's encoder with the library's mean vector taken away, as search uses it."""

    inner: StaticEncoder
    centre: Vectors
    name: str = "centred static"
    dimension: int = 384

    def encode(self, texts: Sequence[str]) -> Vectors:
        return _unit(self.inner.encode(texts) - self.centre)


@dataclass
class VectorMatrix:
    """All passage vectors of one library state, in memory for exact search."""

    passage_ids: npt.NDArray[np.int64]
    matrix: Vectors
    encoder: StaticEncoder | None
    centre: Vectors | None = None

    @classmethod
    def load(cls, connection: sqlite3.Connection) -> VectorMatrix:
        generation = current_generation(connection)
        rows = connection.execute("SELECT passage_id, vector FROM passage_vectors").fetchall()
        if generation is None or not rows:
            return cls(np.zeros(0, dtype=np.int64), np.zeros((0, 1), dtype=np.float32), None)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        stored = np.frombuffer(b"".join(r[1] for r in rows), dtype=_STORED)
        raw = stored.reshape(len(rows), -1).astype(np.float32)
        # Every static vector shares one large common direction; removing the library's mean
        # lets the cosine tell passages apart.
        centre = raw.mean(axis=0)
        matrix = _unit(raw - centre)
        return cls(ids, matrix, generation.encoder, centre)

    def encoder_for_meaning(self) -> CentredEncoder | None:
        if self.encoder is None or self.centre is None:
            return None
        return CentredEncoder(self.encoder, self.centre)

    def search(self, query: str, limit: int) -> list[tuple[int, float]]:
        """(passage id, cosine similarity) of the nearest passages, nearest first."""
        if self.encoder is None or limit <= 0 or not query.strip():
            return []
        vector = self.encoder.encode([query])
        if self.centre is not None:
            vector = _unit(vector - self.centre)
        scores = self.matrix @ vector[0]
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top])]
        return [(int(self.passage_ids[i]), float(scores[i])) for i in top]
