"""Reranking: the hybrid search's best passages re-scored by a cross-encoder.

A cross-encoder reads the query and one passage together, so it weighs what the query asks
against what the passage says, where the lexical and dense stages only match words or
meanings independently. It costs a transformer pass per passage, so only the fused ranking's
first `rerank_depth` passages are re-read; the rest keep their fused order below them.

The default model is the answer-sentence cross-encoder we ship
(curbside/learned/answer_model.py), read here as (query, passage title + text); any model with
the same inputs (input_ids, attention_mask, token_type_ids -> logits) can be named instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from curbside.errors import CurbsideError
from curbside.learned.answer_model import load_cross_encoder, pair_probabilities, shipped_model
from curbside.models import PassageHit

Scores = npt.NDArray[np.float32]
BATCH = 16


class PassageReranker(Protocol):
    def score(self, query: str, passages: Sequence[tuple[str, str]]) -> Scores:
        """Relevance in (0, 1) of each (title, text) passage to the query, in their order."""
        ...


def passage_text(title: str, text: str) -> str:
    """What the reranker reads of a passage: its document's title first, since truncation to
    the model's length cuts the end of a long passage, never the title that names its
    subject."""
    title = title.strip()
    return f"{title} [SEP] {text}" if title else text


class OnnxPassageReranker:
    """A cross-encoder exported to ONNX (int8), run on onnxruntime with MiniLM's tokenizer."""

    def __init__(self, path: Path | None = None, threads: int = 2, max_tokens: int = 128):
        path = path or shipped_model()
        if not path.is_file():
            raise CurbsideError(
                f"The reranking model is missing ({path}). Reinstall Curbside (`pip install "
                "-e .`) for the shipped model, point CURBSIDE_RETRIEVAL_RERANK_MODEL at an "
                "ONNX cross-encoder, or turn reranking off (CURBSIDE_RETRIEVAL_RERANK=false).")
        self.session, self.tokenizer = load_cross_encoder(path, threads, max_tokens)

    def score(self, query: str, passages: Sequence[tuple[str, str]]) -> Scores:
        return pair_probabilities(self.session, self.tokenizer, query,
                                  [passage_text(title, text) for title, text in passages], BATCH)


@cache
def onnx_reranker(path: Path | None = None, threads: int = 2,
                  max_tokens: int = 128) -> OnnxPassageReranker:
    """One loaded model per process and configuration."""
    return OnnxPassageReranker(path, threads, max_tokens)


def rerank(query: str, hits: Sequence[PassageHit], reranker: PassageReranker, depth: int,
           weight: float) -> list[PassageHit]:
    """The first `depth` hits re-ordered by `weight` × cross-encoder probability +
    (1 − `weight`) × fused score scaled to the query's best; the others follow in their
    fused order, their scores scaled to stay below the reranked ones."""
    head, tail = list(hits[:depth]), list(hits[depth:])
    if not head:
        return []
    probabilities = reranker.score(query, [(hit.title, hit.passage.text) for hit in head])
    top = max(hit.fused_score for hit in head) or 1.0
    scored = [
        hit.model_copy(update={"rerank_score": float(p),
                               "score": weight * float(p) + (1 - weight) * hit.fused_score / top})
        for hit, p in zip(head, probabilities, strict=True)
    ]
    scored.sort(key=lambda hit: -hit.score)
    if tail:
        # Scores stay ordered like the ranking (a TREC run is re-sorted by score).
        floor = min(hit.score for hit in scored)
        scale = floor / tail[0].fused_score * 0.999 if tail[0].fused_score > 0 else 0.0
        scored += [hit.model_copy(update={"score": hit.fused_score * scale}) for hit in tail]
    return scored
