"""The verifier: faithful statements pass, altered ones are caught with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.answer.verify import (
    evidence_passage,
    source_text,
    verify_article,
    verify_lines,
    verify_statement,
)
from curbside.learned.entailment_model import entailment_judge
from curbside.library.store import Library
from curbside.models import (
    Article,
    ArticleSection,
    BulletsBlock,
    Coverage,
    Document,
    DocumentSection,
    Intent,
    Reference,
    Statement,
)

SOURCE = ("Synthetic test record. In the trial, apixaban reduced recurrent thrombosis by 34% "
          "over 12 months. Major bleeding did not differ between the groups (p = 0.41). "
          "Renal function declined in older patients.")
DOCUMENT = Document(id="t:1", source="test", title="Synthetic anticoagulation record",
                    sections=[DocumentSection(label="RESULTS", text=SOURCE)])
OTHER = Document(id="t:2", source="test", title="Synthetic dermatology record",
                 sections=[DocumentSection(label="", text="Synthetic record: eczema improved "
                                           "with emollients in 40 of 52 children.")])


def rare(_word: str) -> float:
    return 0.0  # every word counts as a key word


def check(text: str, documents: list[Document] | None = None) -> tuple[bool, str]:
    verdict = verify_statement(text, [DOCUMENT] if documents is None else documents, rare)
    return verdict.supported, verdict.reason


def test_the_source_sentences_are_supported() -> None:
    assert check("In the trial, apixaban reduced recurrent thrombosis by 34% over 12 months.")
    assert check("Apixaban reduced recurrent thrombosis by 34% over 12 months.")[0]
    assert check("Major bleeding did not differ between the groups (p = 0.41).")[0]


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("Apixaban reduced recurrent thrombosis by 43% over 12 months.", "43"),  # number
        ("Major bleeding did differ between the groups (p = 0.41).", "negation"),
        ("Apixaban increased recurrent thrombosis by 34% over 12 months.", "direction"),
        ("Rivaroxaban reduced recurrent thrombosis by 34% over 12 months.", "rivaroxaban"),
    ],
)
def test_a_perturbed_statement_is_caught_and_the_reason_named(statement: str, named: str
                                                              ) -> None:
    supported, reason = check(statement)
    assert not supported and named in reason


def test_the_wrong_citation_is_caught() -> None:
    assert not check("Apixaban reduced recurrent thrombosis by 34% over 12 months.", [OTHER])[0]
    assert not check("Apixaban reduced recurrent thrombosis.", [])[0]


def test_the_right_citation_among_several_is_supported() -> None:
    assert check("Apixaban reduced recurrent thrombosis by 34% over 12 months.",
                 [OTHER, DOCUMENT])[0]


def test_british_spelling_of_a_cited_word_is_accepted() -> None:
    document = DOCUMENT.model_copy(update={"sections": [DocumentSection(
        text="Synthetic: the haematoma resolved within 3 months.")]})
    assert check("The hematoma resolved within 3 months.", [document])[0]


def judged(text: str, documents: list[Document] | None = None,
           floor: float = 0.5) -> tuple[bool, str]:
    verdict = verify_statement(text, [DOCUMENT] if documents is None else documents, rare,
                               judge=entailment_judge(), floor=floor)
    return verdict.supported, verdict.reason


def test_with_the_entailment_model_a_faithful_paraphrase_passes() -> None:
    # Without it, the source's key words are required and the paraphrase is turned away.
    paraphrase = "Apixaban reduced recurrent thrombosis by a third (34%) over 12 months."
    assert not check(paraphrase)[0]
    assert judged(paraphrase) == (True, "")


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("Apixaban reduced recurrent thrombosis by 43% over 12 months.", "43"),
        ("Major bleeding did differ between the groups.", "negation"),
        ("Apixaban increased recurrent thrombosis over 12 months.", "direction"),
        ("Apixaban cured eczema in children.", "does not say this"),
    ],
)
def test_with_the_entailment_model_false_statements_are_still_caught(statement: str,
                                                                     named: str) -> None:
    supported, reason = judged(statement)
    assert not supported and named in reason


def test_a_quote_of_the_cited_source_needs_no_judgement() -> None:
    # A floor no probability reaches: only the source's own words can pass.
    assert judged("apixaban reduced recurrent thrombosis by 34% over 12 months", floor=1.0)[0]
    assert not judged("Apixaban reduced recurrent thrombosis by a third.", floor=1.0)[0]


def test_the_evidence_read_is_the_closest_sentences_of_every_cited_source() -> None:
    read = [source_text(DOCUMENT), source_text(OTHER)]
    passage = evidence_passage("Apixaban lowered thrombosis; emollients helped eczema.", read)
    assert "apixaban reduced recurrent thrombosis" in passage
    assert "eczema improved with emollients" in passage


_WORDS = st.sampled_from("""synthetic warfarin dose was adjusted weekly in outpatients with
    atrial fibrillation and stable renal function during follow""".split())


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(_WORDS, min_size=4, max_size=12), min_size=1, max_size=4),
       st.data())
def test_any_sentence_of_a_source_is_supported_by_it(sentences: list[list[str]],
                                                     data: st.DataObject) -> None:
    texts = [" ".join(s).capitalize() + "." for s in sentences]
    document = Document(id="t:p", source="test", title="Synthetic generated record",
                        sections=[DocumentSection(text=" ".join(texts))])
    chosen = data.draw(st.sampled_from(texts))
    assert verify_statement(chosen, [document], rare).supported


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=10**6).filter(lambda n: str(n) not in SOURCE))
def test_any_number_absent_from_the_source_is_caught(number: int) -> None:
    supported, reason = check(f"Apixaban reduced recurrent thrombosis by {number}% over 12 "
                              "months.")
    assert not supported and str(number) in reason


def _article(statements: list[Statement]) -> Article:
    return Article(
        question="Synthetic question?", audience="clinician", generated_at="2026-11-24",
        composer="test", intent=Intent.GENERAL, title="Synthetic", bottom_line=statements[:1],
        sections=[ArticleSection(key="overview", title="Overview",
                                 blocks=[BulletsBlock(items=statements[1:])])],
        references=[Reference(n=1, id="t:1", title=DOCUMENT.title, kind="Research"),
                    Reference(n=2, id="t:2", title=OTHER.title, kind="Research")],
        evidence=[], coverage=Coverage(searched_terms=[], on_topic_documents=2,
                                       missing_terms=[], note=""),
        insufficient_evidence=False, disclaimer="Synthetic test article.",
    )


def test_an_article_loses_its_unsupported_statements_and_keeps_them_for_review(
        tmp_path: Path) -> None:
    with Library(tmp_path, create=True) as library:
        library.write([DOCUMENT, OTHER])
        library.embed_pending()
        article = verify_article(_article([
            Statement(text="Apixaban reduced recurrent thrombosis by 34% over 12 months.",
                      citations=[1]),
            Statement(text="Eczema improved with emollients in 90 of 52 children.",
                      citations=[2]),
        ]), library)
    assert [s.text for s in article.statements()] == [
        "Apixaban reduced recurrent thrombosis by 34% over 12 months."]
    assert article.statements()[0].verdict is not None
    assert [r.id for r in article.references] == ["t:1"]
    assert article.sections == []  # its only block emptied
    (rejected,) = article.unsupported
    assert rejected.verdict is not None and "90" in rejected.verdict.reason


def test_statement_lines_from_outside(tmp_path: Path) -> None:
    with Library(tmp_path, create=True) as library:
        library.write([DOCUMENT])
        lines = [
            json.dumps({"id": "a", "text": "Renal function declined in older patients.",
                        "cites": ["t:1"]}),
            "{not json",
            json.dumps({"id": "b", "text": "Renal function declined.", "cites": ["t:404"]}),
            json.dumps({"id": "c", "text": "Synthetic."}),
        ]
        results = list(verify_lines(lines, library))
    assert results[0][1] == {"id": "a", "supported": True, "reason": ""}
    assert results[1][1] is None and "line 2" in str(results[1][2])
    assert results[2][1] is not None and "t:404" in str(results[2][1]["reason"])
    assert results[3][1] is None and "cites" in str(results[3][2])
