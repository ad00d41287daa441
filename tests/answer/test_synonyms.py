"""Other names of one condition (curbside/answer/synonyms.py) and how topic matching uses
them. The sentences below are synthetic test fixtures, not medical content."""

from __future__ import annotations

from curbside.answer.question import analyse_question
from curbside.answer.synonyms import CONDITION_NAMES, names_in, other_names
from curbside.answer.topic import TopicMatcher
from curbside.text import stem, words


def matcher_for(question: str) -> TopicMatcher:
    analysis = analyse_question(question)
    return TopicMatcher({t: 5.0 for t in analysis.topic_terms}, analysis.topic_phrases)


def test_a_consumer_name_covers_every_word_of_the_clinical_name() -> None:
    matcher = matcher_for("How is herpes zoster treated?")
    assert matcher.coverage("Shingles") == 1.0
    assert matcher.coverage("Synthetic fixture: shingles pages say little.") == 1.0
    assert matcher.coverage("Synthetic fixture on herpes simplex.") < 1.0


def test_the_clinical_name_covers_a_question_in_lay_words() -> None:
    matcher = matcher_for("What are the warning signs of a heart attack?")
    assert matcher.coverage("Synthetic fixture: after a myocardial infarction, rest.") == 1.0
    # "heart failure" names one word of "heart attack", not the condition
    assert matcher.coverage("Synthetic fixture on heart failure.") < 1.0


def test_other_names_say_which_question_words_they_stand_for() -> None:
    [name] = [n for n in other_names([["herpes", "zoster"]]) if n.words == ("shingles",)]
    assert name.covers == frozenset({"herpes", "zoster"})
    assert names_in([stem(w) for w in words("two shingles rashes")], [name]) == {"herpes",
                                                                                  "zoster"}
    assert names_in([stem(w) for w in words("a zoster vaccine")], [name]) == set()


def test_a_question_naming_no_listed_condition_has_no_other_names() -> None:
    assert other_names([["iliopsoas", "hematoma"]]) == []


def test_every_group_names_one_condition_twice_at_least_and_no_name_twice() -> None:
    names = [name for group in CONDITION_NAMES for name in group]
    assert all(len(group) >= 2 for group in CONDITION_NAMES)
    assert len(names) == len(set(names))
    # short names are ambiguous in running text ("ALS" stems like "al" of "et al.")
    assert all(len(name) > 2 for name in names)
