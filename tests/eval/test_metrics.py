"""Metrics against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from curbside.eval.metrics import mrr_at, ndcg_at, recall_at


def test_ndcg_hand_computed() -> None:
    judgements = {"a": 1, "b": 2, "z": 1}
    ranking = ["x", "b", "a"]
    dcg = 2 / math.log2(3) + 1 / math.log2(4)
    idcg = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at(ranking, judgements, 10) == pytest.approx(dcg / idcg)


def test_perfect_and_empty_rankings() -> None:
    assert ndcg_at(["a", "b"], {"a": 1, "b": 1}, 10) == pytest.approx(1.0)
    assert ndcg_at([], {"a": 1}, 10) == 0.0
    assert ndcg_at(["a"], {}, 10) == 0.0


def test_recall_and_mrr_cutoffs() -> None:
    ranking = [str(i) for i in range(200)]
    assert recall_at(ranking, {"5": 1, "150": 1}, 100) == 0.5
    assert mrr_at(ranking, {"3": 1}, 10) == pytest.approx(1 / 4)
    assert mrr_at(ranking, {"12": 1}, 10) == 0.0
    assert recall_at(ranking, {"5": 0}, 100) == 0.0
