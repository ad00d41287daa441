"""Passage vectors: made at ingest, resumable, kept in step with deletions, searched by meaning."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from curbside.library.embedding import MODEL_NAME, StaticEncoder, token_table
from curbside.library.search import fuse, search_passages
from curbside.library.store import Library
from curbside.library.vectors import current_generation
from curbside.models import Document, DocumentSection
from curbside.settings import RetrievalSettings

TEXTS = {
    "t:heart": "Synthetic note: the myocardial infarction was treated with coronary stenting.",
    "t:kidney": "Synthetic note: renal failure needed haemodialysis three times weekly.",
    "t:skin": "Synthetic note: the eczema improved with topical corticosteroid cream.",
}


def _library(tmp_path: Path) -> Library:
    library = Library(tmp_path, create=True)
    library.write([
        Document(id=doc_id, source="test", title="Synthetic record",
                 sections=[DocumentSection(label="", text=text)])
        for doc_id, text in TEXTS.items()
    ])
    return library


def _vector_count(library: Library) -> int:
    return int(library.connection.execute("SELECT count(*) FROM passage_vectors").fetchone()[0])


def test_the_token_table_comes_from_the_packaged_model() -> None:
    table = token_table()
    assert table.shape == (30522, 384)
    assert np.isfinite(table).all()


def test_every_passage_gets_one_vector_and_a_second_run_makes_none(tmp_path: Path) -> None:
    with _library(tmp_path) as library:
        assert library.embed_pending() == 3
        assert library.embed_pending() == 0
        assert _vector_count(library) == 3
        generation = current_generation(library.connection)
        assert generation is not None and generation.encoder.name == MODEL_NAME


def test_an_interrupted_embedding_is_finished_by_the_next_run(tmp_path: Path) -> None:
    with _library(tmp_path) as library:
        library.embed_pending()
        library.connection.execute("DELETE FROM passage_vectors WHERE passage_id = "
                                   "(SELECT min(passage_id) FROM passage_vectors)")
        assert library.embed_pending() == 1
        assert _vector_count(library) == 3


def test_deleting_a_document_deletes_its_vectors(tmp_path: Path) -> None:
    with _library(tmp_path) as library:
        library.embed_pending()
        library.write([], deletions=["t:skin"])
        assert _vector_count(library) == 2
        assert all(library.passages_by_id([pid]) for pid, _ in
                   library.nearest_passages("eczema cream", 10))


def test_nearest_passages_find_meaning_without_shared_words(tmp_path: Path) -> None:
    with _library(tmp_path) as library:
        library.embed_pending()
        nearest = library.nearest_passages("heart attack", 3)
        found = library.passages_by_id([pid for pid, _ in nearest])
        assert found[nearest[0][0]][0].doc_id == "t:heart"
        # The lexical index has no such words, so only the dense stage can answer.
        assert library.search(["heart", "attack"], 3) == []
        hybrid = search_passages(library, ["heart", "attack"], 3, RetrievalSettings())
        assert hybrid[0].passage.doc_id == "t:heart" and hybrid[0].lexical_score == 0.0


def test_fusion_keeps_lexical_order_when_dense_is_silent() -> None:
    fused = fuse([(1, 9.0), (2, 4.5), (3, 1.0)], [], dense_weight=0.3)
    assert [pid for pid, *_ in fused] == [1, 2, 3]
    assert fused[1][1] == 0.5


def test_fusion_lets_meaning_reorder_close_lexical_scores() -> None:
    fused = fuse([(1, 10.0), (2, 9.9)], [(2, 0.8), (1, 0.1)], dense_weight=0.3)
    assert [pid for pid, *_ in fused] == [2, 1]
    assert fuse([(1, 1.0)], [(1, -0.5)], 0.3)[0][3] == 0.0  # a negative cosine adds nothing


def test_an_encoder_gives_unit_vectors_and_a_zero_vector_for_no_words() -> None:
    encoder = StaticEncoder(np.ones(30522, dtype=np.float32))
    vectors = encoder.encode(["synthetic warfarin reversal", ""])
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0)
    assert not vectors[1].any()
