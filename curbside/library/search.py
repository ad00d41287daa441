"""Search of the library: passages for answering, documents for evaluation."""

from __future__ import annotations

from collections.abc import Sequence

from curbside.library.store import Library
from curbside.models import DocumentHit, PassageHit
from curbside.text import words

# Words that carry no meaning for retrieval, when a query is typed freely.
_QUERY_STOPWORDS = frozenset(
    """a an the and or of in on at to for from by with is are was were be been what which who
    how why when does do did can could should would may might this that these those it its as
    into than then there their about""".split()
)


def query_terms(text: str) -> list[str]:
    return list(dict.fromkeys(w for w in words(text) if w not in _QUERY_STOPWORDS))


def search_passages(library: Library, terms: Sequence[str], k: int = 10) -> list[PassageHit]:
    return library.search(terms, k)


def search_documents(library: Library, terms: Sequence[str], k: int = 100) -> list[DocumentHit]:
    """Documents ranked by their best passage."""
    hits = library.search(terms, k * 4)
    best: dict[str, DocumentHit] = {}
    for hit in hits:
        doc_id = hit.passage.doc_id
        if doc_id not in best:
            best[doc_id] = DocumentHit(doc_id=doc_id, title=hit.title, score=hit.score)
    return list(best.values())[:k]
