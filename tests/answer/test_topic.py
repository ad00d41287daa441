"""Topic matching: which texts are about the question's topic."""

from __future__ import annotations

import pytest

from curbside.answer.question import analyse_question
from curbside.answer.topic import TopicMatcher, names_subtype, subtype_names
from curbside.text import words


def test_the_opposite_of_a_negated_topic_word_is_another_condition() -> None:
    asked = analyse_question("How is uncomplicated synthetic widget infection treated?")
    matcher = TopicMatcher({t: 1.0 for t in asked.topic_terms}, asked.topic_phrases)
    assert matcher.contrasts("Treatment of complicated synthetic widget infection")
    assert not matcher.contrasts("Uncomplicated synthetic widget infection in adults")
    assert not matcher.contrasts("Complicated and uncomplicated synthetic widget infection")
    assert not matcher.contrasts("Complicated grief after a synthetic widget infection")


def test_a_long_condition_name_must_be_named_not_scattered() -> None:
    asked = analyse_question("How is uncomplicated synthetic widget infection treated?")
    matcher = TopicMatcher({t: 1.0 for t in asked.topic_terms}, asked.topic_phrases,
                           {"swi": ("synthetic", "widget", "infection")})
    assert matcher.names_together("Uncomplicated synthetic widget infection in adults")
    assert matcher.names_together("Widget infection, uncomplicated, in adults")
    assert matcher.names_together("An uncomplicated SWI")
    assert not matcher.names_together(
        "Excision of uncomplicated cysts prevents synthetic infection of a widget")
    # Topic words that the question did not write as one name need not stand together.
    apart = analyse_question("Which synthetic gadget is the vector for widgetosis?")
    loose = TopicMatcher({t: 1.0 for t in apart.topic_terms}, apart.topic_phrases)
    assert loose.names_together("The widgetosis vector is a gadget of synthetic make")


def test_a_named_condition_is_named_as_one_name() -> None:
    asked = analyse_question("What is widget personality disorder?")
    # "widget" carries most of the topic's rarity: coverage alone would admit any widget text.
    matcher = TopicMatcher({"widget": 3.0, "personality": 1.0}, asked.topic_phrases,
                           {"wpd": ("widget", "personality")}, asked.condition_names)
    assert matcher.coverage("Synthetic ovarian widget tumours") >= 0.7
    assert not matcher.names_condition("Synthetic ovarian widget tumours")
    assert matcher.names_condition("Synthetic widget personality disorders in adults")
    assert matcher.names_condition("Synthetic widget-personality traits")
    assert matcher.names_condition("Synthetic WPD cohort")
    assert not matcher.names_condition("A widget of a synthetic personality")
    # A question naming no condition this way constrains nothing.
    plain = TopicMatcher({"widget": 3.0, "personality": 1.0})
    assert plain.names_condition("Synthetic ovarian widget tumours")


def test_an_abbreviated_topic_is_named_by_its_long_form_with_one_word_other() -> None:
    asked = analyse_question("How is stable COPD treated?")
    assert "copd" in asked.topic_terms
    matcher = TopicMatcher({t: 1.0 for t in asked.topic_terms}, asked.topic_phrases)
    assert "copd" in matcher.present("Global strategy for chronic obstructive lung disease")
    assert "copd" in matcher.present("Chronic obstructive pulmonary disease in adults")
    # Two words other, or the words out of order, is another name.
    assert "copd" not in matcher.present("Chronic restrictive lung disease")
    assert "copd" not in matcher.present("Obstructive disease, chronic, of the airway")


@pytest.mark.parametrize(("sentence", "passing"), [
    ("Other signs may include hydrocele; prominent veins; upslanting toenails; and testitis.",
     True),
    ("These infections include pneumonia, a lung infection; testitis, a skin infection; "
     "peritonitis, an abdominal infection.", True),
    ("Antibiotics are often given first (and kept for surrounding testitis), but they do not "
     "treat widget gangrene.", True),
    ("Once widget disease is confirmed, treatment focuses on - curing an existing testitis - "
     "removing any widget stones", True),
    ("People with recurrent testitis may benefit from prophylactic antibiotics.", False),
    ("Testitis, an infection of the skin, is treated with antibiotics for 5 days, and most "
     "patients recover.", False),
])
def test_a_topic_named_in_parentheses_or_as_a_list_item_is_named_in_passing(
        sentence: str, passing: bool) -> None:
    assert TopicMatcher({"testitis": 5.0}).mentions_in_passing(sentence) is passing


def test_a_page_named_for_a_kind_of_the_topic_names_a_subtype() -> None:
    analysis = analyse_question("How is testitis zoster treated?")
    matcher = TopicMatcher({t: 5.0 for t in analysis.topic_terms}, analysis.topic_phrases)
    asked = set(words(analysis.question))
    titles = ["Testitis zoster oticus", "Congenital testitis zoster", "Testitis zoster",
              "Acute testitis zoster", "Testitis zoster trial", "Risk of juvenile testitis zoster",
              "A long synthetic paper title that ends on testitis zoster outcomes in adults"]
    found = subtype_names(titles, matcher, asked)
    assert found == [("testiti", "zoster", "oticus"), ("congenit", "testiti", "zoster")]
    # a kind named by two words is named by the one next to the topic
    assert subtype_names(["Familial juvenile testitis zoster"], matcher, asked) == [
        ("juvenil", "testiti", "zoster")]
    assert names_subtype("Synthetic: testitis zoster oticus needs no treatment.", found)
    assert not names_subtype("Synthetic: testitis zoster needs treatment.", found)


def test_a_kind_the_question_names_is_no_subtype() -> None:
    analysis = analyse_question("How is testitis zoster oticus treated?")
    matcher = TopicMatcher({t: 5.0 for t in analysis.topic_terms}, analysis.topic_phrases)
    assert subtype_names(["Testitis zoster oticus"], matcher,
                         set(words(analysis.question))) == []


@pytest.mark.parametrize("text", ["COPD", "COPD care", "Synthetic lung", "",
                                  "chronic obstructive pulmonary disease"])
def test_a_text_shorter_than_the_long_form_of_an_abbreviated_topic_is_read(text: str) -> None:
    analysis = analyse_question("How is COPD exacerbation managed?")
    matcher = TopicMatcher({t: 5.0 for t in analysis.topic_terms}, analysis.topic_phrases)
    assert 0.0 <= matcher.coverage(text) <= 1.0


def test_an_inflammation_of_the_organ_is_another_condition() -> None:
    matcher = TopicMatcher({"pancreatic": 5.0, "cancer": 2.0}, [["pancreatic", "cancer"]])
    assert matcher.present("Synthetic fixture: acute pancreatitis care") == set()
    assert matcher.present("Synthetic fixture: pancreatic cancer care") == {"pancreatic",
                                                                            "cancer"}
    inflamed = TopicMatcher({"pancreatitis": 5.0}, [["pancreatitis"]])
    assert inflamed.present("Synthetic fixture: pancreatic enzymes") == set()
