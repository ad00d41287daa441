"""Cutting documents into passages: a few sentences of one section, the unit of retrieval."""

from __future__ import annotations

from curbside.models import GUIDANCE_SOURCE, HEADING_SEPARATOR, Document, Passage
from curbside.text import split_sentences

MAX_PASSAGE_WORDS = 180
# Changed whenever `passages_of` cuts the same document differently: documents are re-stored.
PASSAGE_CUTTING = "3: line breaks kept, guideline titles name their guideline"
TITLE_ONLY = "TITLE"

# The title a passage is searched, embedded and topic-matched under (SQL over passages `p`
# joined to documents `d`). A guideline's section says what its lines are about ("Colchicine
# for Acute Flare"), as an abstract's title does, so its heading path joins the title.
# The guideline it belongs to follows, so "Acute Exacerbation Management" is found for asthma.
PASSAGE_TITLE_SQL = (
    f"CASE WHEN d.source = '{GUIDANCE_SOURCE}' THEN d.title"
    f" || CASE WHEN p.section != '' THEN '{HEADING_SEPARATOR}' || p.section ELSE '' END"
    " || coalesce(' (' || json_extract(d.body, '$.part_of') || ')', '')"
    " ELSE d.title END"
)


def passage_title(document: Document, passage: Passage) -> str:
    """`PASSAGE_TITLE_SQL` for a passage in hand."""
    if document.source != GUIDANCE_SOURCE:
        return document.title
    title = document.title
    if passage.section:
        title += f"{HEADING_SEPARATOR}{passage.section}"
    return title + (f" ({document.part_of})" if document.part_of else "")


def passages_of(document: Document) -> list[Passage]:
    passages: list[Passage] = []
    for section in document.sections:
        chunk: list[tuple[str, bool]] = []
        size = 0
        for sentence, new_line in _sentences_and_breaks(section.text):
            length = len(sentence.split())
            if chunk and size + length > MAX_PASSAGE_WORDS:
                passages.append(_passage(document, len(passages), section.label, chunk))
                chunk, size = [], 0
            chunk.append((sentence, new_line))
            size += length
        if chunk:
            passages.append(_passage(document, len(passages), section.label, chunk))
    if not passages:
        # A record with a title only is still findable; its title is never quoted as evidence.
        passages.append(Passage(doc_id=document.id, ordinal=0, section=TITLE_ONLY,
                                text=document.title))
    return passages


def _sentences_and_breaks(text: str) -> list[tuple[str, bool]]:
    """Each sentence with whether a line break comes before it. A guideline puts each list item
    and table row on a line of its own; the passage keeps those breaks, so no sentence is ever
    read across two items ("Assess severity … Measure SpO2 …")."""
    found: list[tuple[str, bool]] = []
    cursor = 0
    for sentence in split_sentences(text):
        at = text.find(sentence, cursor)
        at = cursor if at < 0 else at
        found.append((sentence, "\n" in text[cursor:at]))
        cursor = at + len(sentence)
    return found


def _passage(document: Document, ordinal: int, label: str,
             sentences: list[tuple[str, bool]]) -> Passage:
    text = "".join(("\n" if new_line else " ") + sentence
                   for sentence, new_line in sentences).lstrip()
    return Passage(doc_id=document.id, ordinal=ordinal, section=label, text=text)
