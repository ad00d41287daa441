"""ROUGE against hand-worked values, and ROUGE-2 differentially against Google's rouge-score."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer

from curbside.eval.rouge import _su4_units, best_over, rouge_2, rouge_su4

_SCORER = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=False)


def test_rouge_2_hand_worked() -> None:
    # bigrams: candidate {a b, b c}, reference {a b, b d}: overlap 1, P = R = 1/2
    assert rouge_2("a b c", "a b d") == pytest.approx(0.5)
    assert rouge_2("a b", "c d") == 0.0
    assert rouge_2("", "a b") == 0.0


def test_rouge_su4_hand_worked() -> None:
    # candidate units: a, b, (a,b); reference units: a, c, (a,c): overlap 1 of 3 each
    assert rouge_su4("a b", "a c") == pytest.approx(1 / 3)
    assert rouge_su4("a b", "a b") == pytest.approx(1.0)


def test_su4_pairs_reach_four_words_apart_and_no_further() -> None:
    near = _su4_units("a x x x x b".split())  # four words between a and b
    far = _su4_units("a x x x x x b".split())  # five words between
    assert near[("a", "b")] == 1
    assert far[("a", "b")] == 0


def test_best_over_takes_the_best_reference() -> None:
    assert best_over("rouge2", "a b c", ["x y", "a b c"]) == pytest.approx(1.0)
    assert best_over("su4", "a b", []) == 0.0


_words = st.lists(st.sampled_from(["drug", "dose", "risk", "of", "the", "high", "low", "7"]),
                  min_size=0, max_size=25).map(" ".join)


@settings(max_examples=200)
@given(_words, _words)
def test_rouge_2_agrees_with_rouge_score(candidate: str, reference: str) -> None:
    expected = _SCORER.score(reference, candidate)["rouge2"].fmeasure
    assert rouge_2(candidate, reference) == pytest.approx(expected)
