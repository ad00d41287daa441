"""Cutting documents into passages: a few sentences of one section, the unit of retrieval."""

from __future__ import annotations

from curbside.models import Document, Passage
from curbside.text import split_sentences

MAX_PASSAGE_WORDS = 180
TITLE_ONLY = "TITLE"


def passages_of(document: Document) -> list[Passage]:
    passages: list[Passage] = []
    for section in document.sections:
        chunk: list[str] = []
        size = 0
        for sentence in split_sentences(section.text):
            length = len(sentence.split())
            if chunk and size + length > MAX_PASSAGE_WORDS:
                passages.append(_passage(document, len(passages), section.label, chunk))
                chunk, size = [], 0
            chunk.append(sentence)
            size += length
        if chunk:
            passages.append(_passage(document, len(passages), section.label, chunk))
    if not passages:
        # A record with a title only is still findable; its title is never quoted as evidence.
        passages.append(Passage(doc_id=document.id, ordinal=0, section=TITLE_ONLY,
                                text=document.title))
    return passages


def _passage(document: Document, ordinal: int, label: str, sentences: list[str]) -> Passage:
    return Passage(doc_id=document.id, ordinal=ordinal, section=label, text=" ".join(sentences))
