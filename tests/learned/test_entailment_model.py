"""The shipped entailment model, run with onnxruntime from the package as users run it.
Premises and statements are synthetic test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.errors import CurbsideError
from curbside.learned.entailment_model import EntailmentJudge, entailment_judge, shipped_model

PREMISE = ("Synthetic test record. In the trial, apixaban reduced recurrent thrombosis by 34% "
           "over 12 months. Major bleeding did not differ between the groups.")


def test_the_model_ships_inside_the_package_within_30_mb() -> None:
    assert shipped_model().stat().st_size <= 30 * 1024 * 1024


def test_a_paraphrase_outscores_a_contradiction_and_an_unrelated_claim() -> None:
    paraphrase, contradiction, unrelated = entailment_judge().probabilities([
        ("Apixaban reduced recurrent thrombosis by a third over 12 months.", PREMISE),
        ("Apixaban increased recurrent thrombosis over 12 months.", PREMISE),
        ("Emollients cleared eczema in most children.", PREMISE),
    ])
    assert paraphrase > 0.5 > max(contradiction, unrelated)


def test_probabilities_keep_the_order_given_and_repeat_exactly() -> None:
    judge = entailment_judge()
    pairs = [("Major bleeding was similar in both groups.", PREMISE),
             ("Apixaban reduced recurrent thrombosis.", PREMISE)]
    first = judge.probabilities(pairs)
    again = judge.probabilities(list(reversed(pairs)))
    assert list(again) == list(reversed(list(first)))
    assert judge.probability(*pairs[0]) == first[0]


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CurbsideError, match="ships inside the package"):
        EntailmentJudge(tmp_path / "absent.onnx")
