"""The shipped answer-sentence model, run with onnxruntime from the package as users run it.
The sentences are synthetic test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.errors import CurbsideError
from curbside.learned.answer_model import AnswerScorer, answer_scorer, shipped_model


def test_the_model_ships_inside_the_package_within_30_mb() -> None:
    assert shipped_model().stat().st_size <= 30 * 1024 * 1024


def test_an_answer_outscores_a_sentence_on_the_same_topic_that_answers_another_question() -> None:
    scores = answer_scorer().score("How is testitis treated?", [
        ("Testitis is treated with two weeks of oral antibiotics and rest.", "Testitis"),
        ("Testitis was first described in a small town in 1901.", "Testitis"),
    ])
    assert scores.shape == (2,)
    assert 0.0 < scores[1] < scores[0] < 1.0


def test_scores_keep_the_order_given_and_repeat_exactly() -> None:
    scorer = answer_scorer()
    candidates = [("Short testitis sentence about its treatment with rest.", ""),
                  ("A much longer synthetic testitis sentence that describes, in many more "
                   "words than the other one, how rest and fluids treat it.", "Testitis")]
    first = scorer.score("How is testitis treated?", candidates)
    again = scorer.score("How is testitis treated?", list(reversed(candidates)))
    assert list(again) == list(reversed(list(first)))
    assert scorer.score("How is testitis treated?", []).shape == (0,)


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CurbsideError, match="ships inside the package"):
        AnswerScorer(tmp_path / "absent.onnx")
