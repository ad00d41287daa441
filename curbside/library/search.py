"""Search of the library: passages for answering, documents for evaluation; reranked by a
cross-encoder where the settings ask for it (curbside/library/rerank.py)."""

from __future__ import annotations

from collections.abc import Sequence

from curbside.library.rerank import PassageReranker, onnx_reranker, rerank
from curbside.library.store import Library
from curbside.models import DocumentHit, PassageHit
from curbside.settings import RetrievalSettings
from curbside.text import words

# Words that carry no meaning for retrieval, when a query is typed freely.
_QUERY_STOPWORDS = frozenset(
    """a an the and or of in on at to for from by with is are was were be been what which who
    how why when does do did can could should would may might this that these those it its as
    into than then there their about""".split()
)


def query_terms(text: str) -> list[str]:
    return list(dict.fromkeys(w for w in words(text) if w not in _QUERY_STOPWORDS))


def fuse(
    lexical: Sequence[tuple[int, float]],
    dense: Sequence[tuple[int, float]],
    dense_weight: float,
) -> list[tuple[int, float, float, float]]:
    """(passage id, fused, lexical, dense) best first: lexical scores scaled to the query's
    best, plus the weighted cosine. A passage only one stage found scores 0 in the other."""
    top = max((score for _, score in lexical), default=0.0) or 1.0
    lexical_of = {pid: score for pid, score in lexical}
    dense_of = {pid: max(score, 0.0) for pid, score in dense}
    fused = [
        (pid, lexical_of.get(pid, 0.0) / top + dense_weight * dense_of.get(pid, 0.0),
         lexical_of.get(pid, 0.0), dense_of.get(pid, 0.0))
        for pid in dict.fromkeys([*lexical_of, *dense_of])
    ]
    return sorted(fused, key=lambda row: -row[1])


def search_passages(
    library: Library,
    terms: Sequence[str],
    k: int = 10,
    settings: RetrievalSettings | None = None,
    query: str | None = None,
    reranker: PassageReranker | None = None,
) -> list[PassageHit]:
    """The passages best matching the query terms, by words and by meaning; with
    `settings.rerank`, the first `rerank_depth` re-ordered by the cross-encoder, which reads
    `query` as typed (else the terms joined)."""
    settings = settings or RetrievalSettings()
    if not terms or k <= 0:
        return []
    depth = max(k, settings.candidates)
    lexical = library.lexical_passages(terms, depth) if settings.mode != "dense" else []
    dense = (library.nearest_passages(" ".join(terms), depth)
             if settings.mode != "lexical" else [])
    ranked = fuse(lexical, dense, settings.dense_weight)[:max(k, settings.rerank_depth)
                                                           if settings.rerank else k]
    found = library.passages_by_id([pid for pid, *_ in ranked])
    hits = [
        PassageHit(passage=found[pid][0], title=found[pid][1], score=fused, fused_score=fused,
                   lexical_score=lexical_score, dense_score=dense_score)
        for pid, fused, lexical_score, dense_score in ranked
        if pid in found
    ]
    if settings.rerank:
        reranker = reranker or onnx_reranker(settings.rerank_model,
                                             max_tokens=settings.rerank_max_tokens)
        hits = rerank(query or " ".join(terms), hits, reranker, settings.rerank_depth,
                      settings.rerank_weight)
    return hits[:k]


def search_documents(
    library: Library,
    terms: Sequence[str],
    k: int = 100,
    settings: RetrievalSettings | None = None,
    query: str | None = None,
    reranker: PassageReranker | None = None,
) -> list[DocumentHit]:
    """Documents ranked by their best passage."""
    hits = search_passages(library, terms, k * 4, settings, query, reranker)
    best: dict[str, DocumentHit] = {}
    for hit in hits:
        doc_id = hit.passage.doc_id
        if doc_id not in best:
            best[doc_id] = DocumentHit(doc_id=doc_id, title=hit.title, score=hit.score)
    return list(best.values())[:k]
