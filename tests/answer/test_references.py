"""References name the sections an article quotes: for guidelines, and for PMC full texts,
whose sections (Methods, Results › Table 2 …) say where in a long paper a statement is."""

from __future__ import annotations

from curbside.answer.assemble import reference_for
from curbside.library.formats.jats import SOURCE as PMC_SOURCE
from curbside.models import GUIDANCE_SOURCE, Document

SECTIONS = ["RESULTS › ADVERSE EVENTS", "", "DISCUSSION"]


def _document(source: str) -> Document:
    return Document(id=f"{source}:1", source=source, title="A paper", sections=[])


def test_a_pmc_full_text_reference_lists_the_sections_quoted() -> None:
    reference = reference_for(1, _document(PMC_SOURCE), "RCT", SECTIONS)
    assert reference.sections == ["RESULTS › ADVERSE EVENTS", "DISCUSSION"]


def test_guidelines_list_sections_and_abstracts_do_not() -> None:
    assert reference_for(1, _document(GUIDANCE_SOURCE), "Guideline", SECTIONS).sections == [
        "RESULTS › ADVERSE EVENTS", "DISCUSSION"]
    # An abstract's labels (BACKGROUND, CONCLUSIONS) are no place in a paper to look up.
    assert reference_for(1, _document("pubmed"), "RCT", ["CONCLUSIONS"]).sections == []
