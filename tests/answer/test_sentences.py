from __future__ import annotations

import pytest

from curbside.answer.sentences import quotable_sentences, trim_lead_in


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("In conclusion, early drainage shortened stay.", "Early drainage shortened stay."),
        ("CONCLUSIONS: Early drainage shortened stay.", "Early drainage shortened stay."),
        ("Taken together, these data matter.", "These data matter."),
        ("METHODS: We enrolled 40 people.", None),
        ("No lead-in here at all.", "No lead-in here at all."),
    ],
)
def test_trim_lead_in(sentence: str, expected: str | None) -> None:
    assert trim_lead_in(sentence) == expected


def test_study_aims_and_questions_are_not_findings() -> None:
    text = ("We aimed to assess a synthetic outcome in this test. What is the answer here? "
            "Synthetic drug X lowered synthetic marker Y by 30% in the test cohort.")
    assert quotable_sentences(text, "") == [
        "Synthetic drug X lowered synthetic marker Y by 30% in the test cohort."]


def test_methods_sections_are_skipped() -> None:
    assert quotable_sentences("Synthetic participants were measured twice a week.", "METHODS") \
        == []
