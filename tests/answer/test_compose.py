"""Articles composed from the starter library: structure, citations and traceability."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.answer.ask import answer_question
from curbside.answer.topic import TopicMatcher
from curbside.answer.trace import is_traceable
from curbside.library.store import Library
from curbside.models import Article, Document, DocumentSection, StepsBlock
from curbside.settings import Settings

COVERED = "What is oculopharyngeal muscular dystrophy?"
UNCOVERED = "What is the management plan for a patient with an iliopsoas hematoma?"


def check_contract(article: Article, library: Library) -> None:
    """The article contract: citations resolve, references are all cited and numbered by first
    use, and every statement's text is found in each document it cites."""
    numbers = [r.n for r in article.references]
    assert numbers == list(range(1, len(numbers) + 1))
    by_number = {r.n: r for r in article.references}
    first_use: list[int] = []
    for statement in article.statements():
        assert statement.citations, statement.text
        for n in statement.citations:
            assert n in by_number
            if n not in first_use:
                first_use.append(n)
            document = library.get(by_number[n].id)
            assert is_traceable(statement.text, document), (statement.text, document.id)
    assert first_use == numbers


def test_covered_question_gets_a_full_article(starter_library: Library) -> None:
    article = answer_question(starter_library, COVERED, "clinician", Settings())
    check_contract(article, starter_library)
    assert not article.insufficient_evidence
    assert article.bottom_line
    assert sum(len(s.text.split()) for s in article.bottom_line) <= 120
    assert "oculopharyngeal" in " ".join(s.text.lower() for s in article.bottom_line)
    # A definition question: what it is, and more than one heading of what the library holds.
    assert len(article.sections) >= 2 and article.sections[0].key == "overview"
    assert article.references and all(r.kind for r in article.references)
    assert article.status == "unsaved" and article.id is None
    assert article.coverage.on_topic_documents >= 3


def test_uncovered_question_says_so_and_fills_nothing(starter_library: Library) -> None:
    article = answer_question(starter_library, UNCOVERED, "clinician", Settings())
    check_contract(article, starter_library)
    assert article.insufficient_evidence
    assert article.bottom_line == []
    assert "no document that addresses iliopsoas hematoma" in article.coverage.note
    assert [s.key for s in article.sections] in ([], ["closest"])
    assert all("not about iliopsoas hematoma" in s.title for s in article.sections)


def test_management_question_gets_steps_or_a_management_section(starter_library: Library
                                                                ) -> None:
    article = answer_question(
        starter_library, "How is community-acquired pneumonia treated?", "clinician",
        Settings())
    check_contract(article, starter_library)
    management = [s for s in article.sections if s.key == "management"]
    assert management
    blocks = management[0].blocks
    if isinstance(blocks[0], StepsBlock):
        assert len(blocks[0].steps) >= 2


def test_patient_view_uses_plain_titles_and_consumer_sources(starter_library: Library) -> None:
    article = answer_question(starter_library, COVERED, "patient", Settings())
    check_contract(article, starter_library)
    titles = {s.title for s in article.sections}
    assert "What it is" in titles or "Signs and how it is found" in titles
    assert article.references[0].kind == "Consumer health"
    assert "not medical advice" in article.disclaimer


@pytest.mark.parametrize(
    "question",
    [
        "What are the treatments for Graves disease?",
        "Is vitamin D supplementation associated with lower fracture risk?",
        "What is the prognosis of glioblastoma?",
        "xylophone quantum entanglement bananas",
        "What causes Bell palsy?",
    ],
)
def test_any_question_gets_a_valid_article(starter_library: Library, question: str) -> None:
    article = answer_question(starter_library, question, "clinician", Settings())
    check_contract(article, starter_library)
    assert article.insufficient_evidence or article.bottom_line


def test_a_retracted_paper_is_never_cited_and_the_article_says_so(tmp_path: Path) -> None:
    text = ("Synthetic test record: warfarin reversal with prothrombin complex concentrate "
            "restored haemostasis within an hour in most patients.")
    documents = [
        Document(id=f"t:{n}", source="test", title=f"Synthetic warfarin reversal study {n}",
                 sections=[DocumentSection(label="CONCLUSIONS", text=text.replace(
                     "most", ["most", "nearly all", "many"][n]))],
                 retracted=(n == 0))
        for n in range(3)
    ]
    with Library(tmp_path, create=True) as library:
        library.write(documents)
        library.embed_pending()
        article = answer_question(library, "How is warfarin reversal done?", "clinician",
                                  Settings())
    assert "t:0" not in {r.id for r in article.references}
    assert article.references, "the two sound papers still answer"
    assert article.coverage.withheld == ["t:0"]
    assert "retracted" in article.coverage.note and "study 0" in article.coverage.note


def test_topic_matcher_reads_hyphenated_and_joined_forms() -> None:
    matcher = TopicMatcher({"obsessive": 1.0, "compulsive": 1.0}, [["obsessive", "compulsive"]])
    assert matcher.coverage("Synthetic: obsessive-compulsive disorder responds to it.") == 1.0
    joined = TopicMatcher({"monkey": 1.0, "pox": 2.0}, [["monkey", "pox"]])
    assert joined.coverage("Synthetic: monkeypox spread in 2022.") == 1.0
    assert joined.coverage("Synthetic: a monkey was seen.") == pytest.approx(1 / 3)
    inflected = TopicMatcher({"overdose": 1.0, "lutein": 1.0})
    assert inflected.present("Synthetic: she overdosed; luteinizing hormone rose.") == {"overdose"}


def test_on_topic_text_that_cannot_be_quoted_gives_an_insufficient_article(tmp_path: Path
                                                                          ) -> None:
    with Library(tmp_path, create=True) as library:
        library.write([Document(
            id="t:0", source="test", title="", excerpts_only=True,
            sections=[DocumentSection(label="Excerpts cut mid-sentence",
                                      text="Synthetic: quelbrium toxicity is seen in 4")])])
        library.embed_pending()
        article = answer_question(library, "What is quelbrium toxicity?", "clinician",
                                  Settings())
    assert article.insufficient_evidence
    assert article.bottom_line == []
