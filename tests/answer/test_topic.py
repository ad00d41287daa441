"""Topic matching: which texts are about the question's topic."""

from __future__ import annotations

from curbside.answer.question import analyse_question
from curbside.answer.topic import TopicMatcher


def test_the_opposite_of_a_negated_topic_word_is_another_condition() -> None:
    asked = analyse_question("How is uncomplicated synthetic widget infection treated?")
    matcher = TopicMatcher({t: 1.0 for t in asked.topic_terms}, asked.topic_phrases)
    assert matcher.contrasts("Treatment of complicated synthetic widget infection")
    assert not matcher.contrasts("Uncomplicated synthetic widget infection in adults")
    assert not matcher.contrasts("Complicated and uncomplicated synthetic widget infection")
    assert not matcher.contrasts("Complicated grief after a synthetic widget infection")
