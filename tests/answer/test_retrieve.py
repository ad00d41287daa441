"""Retrieval: which documents join the evidence (synthetic documents, a real library)."""

from __future__ import annotations

from curbside.answer.question import analyse_question
from curbside.answer.retrieve import gather_evidence
from curbside.library.store import Library
from curbside.models import GUIDANCE_SOURCE, Document, DocumentSection
from curbside.settings import Settings


def test_a_guideline_naming_the_topic_only_in_its_reports_title_is_read(
        empty_library: Library) -> None:
    # Synthetic: the chapter's lines never name the condition; its report's title does, in
    # the long form of the abbreviation the question uses.
    chapter = Document(
        id="guideline:t/copd-initial", source=GUIDANCE_SOURCE,
        title="Initial Pharmacological Treatment — Synthetic 2024",
        part_of="Synthetic Strategy for Chronic Obstructive Lung Disease",
        sections=[DocumentSection(label="Group B",
                                  text="Initial Therapy: synthetic inhalers A + B")])
    # More papers on COPD treatment than the search returns passages.
    papers = [Document(id=f"t:{i}", source="pubmed", title=f"Synthetic COPD treatment cohort {i}",
                       sections=[DocumentSection(label="", text=(
                           f"Synthetic COPD patients in cohort {i} had first-line treatment."))])
              for i in range(12)]
    empty_library.write([chapter, *papers])
    settings = Settings(library=empty_library.directory, retrieval={"passages": 6})
    evidence = gather_evidence(empty_library, analyse_question(
        "What is the first-line treatment for COPD?"), settings)
    assert "guideline:t/copd-initial" in evidence.documents
    assert any(h.passage.text.startswith("Initial Therapy") for h in evidence.hits)


def test_a_document_defining_the_topics_short_form_otherwise_is_left_out(
        empty_library: Library) -> None:
    # Synthetic: the topic's short form is "BPD"; another document uses "BPD" for another
    # condition and never names the topic.
    ours = Document(id="t:ours", source="pubmed", title="Synthetic borderline personality disorder",
                    sections=[DocumentSection(label="", text=(
                        "Synthetic borderline personality disorder (BPD) is common. "
                        "BPD is treated with synthetic therapy in this test."))])
    theirs = Document(id="t:theirs", source="pubmed", title="Synthetic lung disease of infants",
                      sections=[DocumentSection(label="", text=(
                          "Synthetic bronchopulmonary dysplasia (BPD) affects infants. "
                          "Infants with BPD need synthetic oxygen in this test."))])
    empty_library.write([ours, theirs])
    evidence = gather_evidence(empty_library, analyse_question(
        "What is borderline personality disorder?"), Settings(library=empty_library.directory))
    found = {h.passage.doc_id for h in evidence.hits}
    assert "t:ours" in found
    assert "t:theirs" not in found


def test_a_short_form_counts_only_in_documents_that_name_the_topic(
        empty_library: Library) -> None:
    # Synthetic: "SE" is the topic's short form in one document; a trial's table uses "SE"
    # for a standard error and never names the topic.
    ours = Document(id="t:ours", source="pubmed", title="Synthetic status epilepticus series",
                    sections=[DocumentSection(label="", text=(
                        "Synthetic status epilepticus (SE) was treated in this test. "
                        "SE ended after the synthetic drug in most patients of this test."))])
    table = Document(id="t:table", source="pubmed", title="Synthetic chemotherapy trial",
                     sections=[DocumentSection(label="", text=(
                         "Synthetic regimens were equivalent (RR 0.98, SE 0.05) in this test. "
                         "Mortality fell with the synthetic regimen (SE 0.09) in this test."))])
    empty_library.write([ours, table])
    evidence = gather_evidence(empty_library, analyse_question(
        "How is status epilepticus managed?"), Settings(library=empty_library.directory))
    found = {h.passage.doc_id for h in evidence.hits}
    assert "t:ours" in found
    assert "t:table" not in found
