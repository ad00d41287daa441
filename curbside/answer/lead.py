"""The bottom line's lead: which quotable sentence answers the question best.

Each candidate sentence is described by a few signals (how much of the question it names, how
relevant its passage is and how high its document ranks, how much the other on-topic documents
say the same, its length and form), weighed by a logistic model. The weights were fitted on
BioASQ 12b batches 1-3 (the expert ideal answers) by `bench/fit_lead_weights.py`, which also
reports each batch's figure when the other two are used for fitting.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from curbside.answer.question import FUNCTION_WORDS
from curbside.text import stem, words

PRONOUN_START = re.compile(
    r"^(?:this|these|those|such|they|it|its|he|she|their|both|the latter|the former|here|"
    r"however|but|and|or|in contrast|similarly|likewise|in this)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d")
CONCLUSION_LABELS = {"CONCLUSIONS", "CONCLUSION", "INTERPRETATION", "SUMMARY", "IMPLICATIONS"}
RESULT_LABELS = {"RESULTS", "FINDINGS", "RESULT"}
_DEFINITION = re.compile(r"\b(?:is|are) (?:a|an|the)\b")
CENTRAL_DOCUMENTS = 10
# The lead is chosen among the composer's best-scored sentences, as the weights were fitted.
LEAD_POOL = 80

# Where a sentence stands in its source (abstract section, first sentence) is left to the
# composer's score: in the BioASQ data it mostly tells quoted excerpts from whole abstracts.
LEAD_FEATURES = (
    "topic_coverage", "question_words", "relevance", "document_rank", "length", "long",
    "names_topic_first", "definition", "centrality", "number", "primary_section",
    "composer_score", "question_pairs", "sources",
)
# Fitted by bench/fit_lead_weights.py (pairwise logistic regression on ROUGE-SU4 against the
# ideal answers, averaged over bootstrap resamples of the questions).
LEAD_WEIGHTS = dict(zip(LEAD_FEATURES, (
    0.251, 0.272, 0.250, -0.029, 0.047, -0.086, 0.068, 0.099, 0.809, 0.018, 0.080, -0.049, 0.251,
    -0.053,
), strict=True))


@dataclass(frozen=True)
class LeadCandidate:
    """What the lead model reads of one candidate sentence."""

    text: str
    topic_coverage: float
    relevance: float  # its passage's score over the best passage's
    document_rank: int  # 0 for the best on-topic document
    primary_section: bool
    composer_score: float
    sources: int


class QuestionContext:
    """The question's words and the words the best on-topic documents share."""

    def __init__(self, question: str, topic_terms: Sequence[str], documents: Iterable[str]):
        stems = [stem(w) for w in words(question)]
        self.stems = {s for s in stems if s not in FUNCTION_WORDS}
        self.pairs = set(pairwise(stems))
        self.topic_stems = {stem(t) for t in topic_terms}
        self.document_frequency: dict[str, int] = {}
        self.documents = 0
        for text in list(documents)[:CENTRAL_DOCUMENTS]:
            self.documents += 1
            for s in {stem(w) for w in words(text)}:
                self.document_frequency[s] = self.document_frequency.get(s, 0) + 1

    def centrality(self, sentence_stems: set[str]) -> float:
        """How widely the best documents share the sentence's words beyond the question's."""
        content = sentence_stems - self.stems
        if not content or not self.documents:
            return 0.0
        return statistics.fmean(self.document_frequency.get(s, 0) / self.documents
                                for s in content)


def lead_features(candidate: LeadCandidate, context: QuestionContext) -> dict[str, float]:
    tokens = [stem(w) for w in words(candidate.text)]
    content = {s for s in tokens if s not in FUNCTION_WORDS}
    length = len(candidate.text.split())
    return {
        "topic_coverage": candidate.topic_coverage,
        "question_words": len(content & context.stems) / max(len(context.stems), 1),
        "relevance": candidate.relevance,
        "document_rank": 1.0 / (1 + candidate.document_rank),
        "length": min(length, 60) / 60,
        "long": float(length > 40),
        "names_topic_first": float(bool(tokens) and tokens[0] in context.topic_stems),
        "definition": float(bool(_DEFINITION.search(candidate.text))),
        "centrality": context.centrality(content),
        "number": float(bool(NUMBER.search(candidate.text))),
        "primary_section": float(candidate.primary_section),
        "composer_score": candidate.composer_score,
        "question_pairs": (len(set(pairwise(tokens)) & context.pairs)
                           / max(len(context.pairs), 1)),
        "sources": min(candidate.sources, 3) / 3,
    }


def lead_score(features: dict[str, float]) -> float:
    """The model's log-odds that the sentence is among the best answers to the question."""
    value = sum(LEAD_WEIGHTS[name] * features[name] for name in LEAD_FEATURES)
    return value if math.isfinite(value) else -math.inf
