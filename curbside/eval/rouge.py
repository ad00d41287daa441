"""ROUGE-2 and ROUGE-SU4 F1, as BioASQ scores ideal answers (lower case, no stemming).

ROUGE-SU4 counts unigrams and skip-bigrams whose words are at most four words apart.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

_TOKEN = re.compile(r"[a-z0-9]+")
MAX_SKIP = 4


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _bigrams(words: Sequence[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + 2]) for i in range(len(words) - 1))


def _su4_units(words: Sequence[str]) -> Counter[tuple[str, ...]]:
    units: Counter[tuple[str, ...]] = Counter((w,) for w in words)
    for i in range(len(words)):
        for j in range(i + 1, min(i + MAX_SKIP + 2, len(words))):
            units[(words[i], words[j])] += 1
    return units


def _f1(candidate: Counter[tuple[str, ...]], reference: Counter[tuple[str, ...]]) -> float:
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def rouge_2(candidate: str, reference: str) -> float:
    return _f1(_bigrams(tokens(candidate)), _bigrams(tokens(reference)))


def rouge_su4(candidate: str, reference: str) -> float:
    return _f1(_su4_units(tokens(candidate)), _su4_units(tokens(reference)))


def best_over(metric: str, candidate: str, references: Sequence[str]) -> float:
    """The best score of the candidate against any of the references."""
    function = rouge_2 if metric == "rouge2" else rouge_su4
    return max((function(candidate, r) for r in references), default=0.0)
