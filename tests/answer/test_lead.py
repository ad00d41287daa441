"""The lead model: which sentence of the evidence opens the bottom line (synthetic sentences)."""

from __future__ import annotations

from curbside.answer.lead import (
    LEAD_FEATURES,
    LEAD_WEIGHTS,
    LeadCandidate,
    QuestionContext,
    lead_features,
    lead_score,
)

QUESTION = "What is the first-line treatment of synthetic fever?"
DOCUMENTS = [
    "Synthetic test abstract: synthetic fever is treated first with rest and fluids.",
    "Synthetic test abstract: rest and fluids relieve synthetic fever within days.",
]


def candidate(text: str, **changes: object) -> LeadCandidate:
    fields: dict[str, object] = dict(
        text=text, topic_coverage=1.0, relevance=1.0, document_rank=0, primary_section=True,
        composer_score=1.0, sources=1)
    fields.update(changes)
    return LeadCandidate(**fields)  # type: ignore[arg-type]


def test_every_feature_has_a_weight() -> None:
    context = QuestionContext(QUESTION, ["synthetic", "fever"], DOCUMENTS)
    features = lead_features(candidate("Synthetic fever is treated with rest."), context)
    assert set(features) == set(LEAD_FEATURES) == set(LEAD_WEIGHTS)
    assert all(0.0 <= features[name] <= 1.0 for name in LEAD_FEATURES if name != "composer_score")


def test_a_sentence_answering_the_question_leads() -> None:
    context = QuestionContext(QUESTION, ["synthetic", "fever"], DOCUMENTS)
    answer = candidate("Synthetic fever first-line treatment is rest and fluids for a few days.")
    aside = candidate("Funding for this synthetic study came from a regional charity board.",
                      topic_coverage=0.5, relevance=0.6, document_rank=4)
    assert lead_score(lead_features(answer, context)) > lead_score(lead_features(aside, context))


def test_words_the_best_documents_share_count_as_central() -> None:
    context = QuestionContext(QUESTION, ["synthetic", "fever"], DOCUMENTS)
    assert context.centrality({"rest", "fluid"}) > context.centrality({"charity", "board"})
