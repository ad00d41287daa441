"""Reranking: the fused ranking's head re-ordered by a cross-encoder, the tail kept below it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from curbside.errors import CurbsideError
from curbside.eval.retrieval import EVAL_MODES, settings_for_mode
from curbside.library.rerank import OnnxPassageReranker, Scores, passage_text, rerank
from curbside.library.search import search_documents, search_passages
from curbside.library.store import Library
from curbside.models import Document, DocumentSection, Passage, PassageHit
from curbside.settings import RetrievalSettings, Settings

TEXTS = {
    "t:one": "Synthetic note: warfarin dosing was adjusted weekly by the clinic nurse.",
    "t:two": "Synthetic note: warfarin reversal used vitamin K and prothrombin complex.",
    "t:three": "Synthetic note: warfarin was stopped before the warfarin clinic visit.",
}


class ByWord:
    """A stand-in cross-encoder: relevance is whether the passage says `word`."""

    def __init__(self, word: str):
        self.word = word
        self.seen: list[tuple[str, str]] = []

    def score(self, query: str, passages: Sequence[tuple[str, str]]) -> Scores:
        self.seen += passages
        return np.array([0.9 if self.word in text else 0.1 for _, text in passages],
                        dtype=np.float32)


def _hit(doc_id: str, text: str, fused: float) -> PassageHit:
    return PassageHit(passage=Passage(doc_id=doc_id, ordinal=0, section="", text=text),
                      title="Synthetic record", lexical_score=fused, score=fused,
                      fused_score=fused)


def test_the_cross_encoder_reorders_the_head_and_the_tail_stays_below() -> None:
    hits = [_hit("a", "nothing here", 3.0), _hit("b", "says reversal", 2.0),
            _hit("c", "nothing either", 1.0), _hit("d", "tail says reversal", 0.5)]
    reranker = ByWord("reversal")
    ranked = rerank("warfarin reversal", hits, reranker, depth=3, weight=1.0)
    assert [h.passage.doc_id for h in ranked] == ["b", "a", "c", "d"]
    # Only the head is read; the tail keeps its place, with scores still in ranking order.
    assert len(reranker.seen) == 3
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)
    assert ranked[0].rerank_score == pytest.approx(0.9) and ranked[3].rerank_score is None


def test_a_weight_of_zero_keeps_the_fused_order() -> None:
    hits = [_hit("a", "nothing here", 3.0), _hit("b", "says reversal", 2.0)]
    ranked = rerank("q", hits, ByWord("reversal"), depth=2, weight=0.0)
    assert [h.passage.doc_id for h in ranked] == ["a", "b"]


def test_search_reranks_when_the_settings_ask(tmp_path: Path) -> None:
    with Library(tmp_path, create=True) as library:
        library.write([Document(id=doc_id, source="test", title="Synthetic record",
                                sections=[DocumentSection(label="", text=text)])
                       for doc_id, text in TEXTS.items()])
        plain = search_passages(library, ["warfarin"], 3, RetrievalSettings(mode="lexical"))
        assert plain[0].passage.doc_id == "t:three"  # said twice: BM25's favourite
        settings = RetrievalSettings(mode="lexical", rerank=True, rerank_depth=3,
                                     rerank_weight=1.0)
        reranker = ByWord("reversal")
        reranked = search_passages(library, ["warfarin"], 3, settings,
                                   query="How is warfarin reversed?", reranker=reranker)
        assert reranked[0].passage.doc_id == "t:two"
        assert reranker.seen[0][0] == "Synthetic record"  # the title is read with the text
        documents = search_documents(library, ["warfarin"], 3, settings, reranker=reranker)
        assert documents[0].doc_id == "t:two"


def test_a_missing_model_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(CurbsideError, match=r"reranking model is missing.*RERANK"):
        OnnxPassageReranker(tmp_path / "absent.onnx")


def test_the_shipped_model_prefers_the_passage_that_answers() -> None:
    reranker = OnnxPassageReranker(max_tokens=64)
    scores = reranker.score("How is warfarin-associated bleeding reversed?", [
        ("Warfarin reversal", "Warfarin-associated bleeding is reversed with vitamin K and "
                              "four-factor prothrombin complex concentrate."),
        ("Eczema in children", "Topical corticosteroids improved eczema in children."),
    ])
    assert scores.shape == (2,) and scores[0] > scores[1]
    assert passage_text("", "text only") == "text only"


def test_the_evaluation_reports_reranked_as_a_mode_of_its_own() -> None:
    assert EVAL_MODES == ("lexical", "dense", "hybrid", "reranked")
    reranked = settings_for_mode(Settings(), "reranked").retrieval
    assert (reranked.mode, reranked.rerank) == ("hybrid", True)
    assert settings_for_mode(Settings(), "lexical").retrieval.rerank is False
    with pytest.raises(CurbsideError, match="Unknown mode 'bm25'"):
        settings_for_mode(Settings(), "bm25")
