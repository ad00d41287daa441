"""Cutting documents into passages: a few sentences of one section, the unit of retrieval."""

from __future__ import annotations

from curbside.models import GUIDANCE_SOURCE, HEADING_SEPARATOR, Document, Passage
from curbside.text import split_sentences

MAX_PASSAGE_WORDS = 180
TITLE_ONLY = "TITLE"

# The title a passage is searched, embedded and topic-matched under (SQL over passages `p`
# joined to documents `d`). A guideline's section says what its lines are about ("Colchicine
# for Acute Flare"), as an abstract's title does, so its heading path joins the title.
PASSAGE_TITLE_SQL = (
    f"CASE WHEN d.source = '{GUIDANCE_SOURCE}' AND p.section != '' "
    f"THEN d.title || '{HEADING_SEPARATOR}' || p.section ELSE d.title END"
)


def passage_title(document: Document, passage: Passage) -> str:
    """`PASSAGE_TITLE_SQL` for a passage in hand."""
    if document.source == GUIDANCE_SOURCE and passage.section:
        return f"{document.title}{HEADING_SEPARATOR}{passage.section}"
    return document.title


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
