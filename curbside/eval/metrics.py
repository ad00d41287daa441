"""Ranking metrics as trec_eval computes them (linear gains, as BEIR reports nDCG)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def ndcg_at(ranking: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    gains = [max(judgements.get(doc_id, 0), 0) for doc_id in ranking[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((g for g in judgements.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    relevant = {d for d, g in judgements.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def mrr_at(ranking: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    for rank, doc_id in enumerate(ranking[:k], 1):
        if judgements.get(doc_id, 0) > 0:
            return 1.0 / rank
    return 0.0
