from __future__ import annotations

import pytest

from curbside.answer.question import (
    analyse_question,
    detect_intent,
    joined_forms,
    spelling_variants,
)
from curbside.answer.topic import topic_phrase
from curbside.errors import QuestionError
from curbside.models import Intent


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("What is the management plan for a patient with an iliopsoas hematoma?",
         Intent.MANAGEMENT),
        ("What is oculopharyngeal muscular dystrophy?", Intent.DEFINITION),
        ("How is pulmonary embolism diagnosed?", Intent.DIAGNOSIS),
        ("What is the prognosis of glioblastoma?", Intent.PROGNOSIS),
        ("What are the risk factors for osteoporosis?", Intent.RISK),
        ("What dose of amoxicillin for otitis media?", Intent.DOSING),
        ("What causes Bell palsy?", Intent.ETIOLOGY),
        # preventing a condition is treatment; its complications are its course
        ("How is migraine prevented?", Intent.MANAGEMENT),
        ("What are the complications of diabetes?", Intent.PROGNOSIS),
    ],
)
def test_intent(question: str, intent: Intent) -> None:
    assert detect_intent(question) == intent


def test_topic_leaves_out_the_question_frame() -> None:
    analysis = analyse_question(
        "What is the management plan for a patient with an iliopsoas hematoma?")
    assert analysis.topic_terms == ["iliopsoas", "hematoma"]
    assert "haematoma" in analysis.query_terms
    asked = analyse_question("What is the success rate of sertraline, and is it prescribed?")
    assert asked.topic_terms == ["sertraline"]


@pytest.mark.parametrize(
    ("word", "variant"),
    [("haematoma", "hematoma"), ("hematoma", "haematoma"), ("oesophagus", "esophagus"),
     ("anemia", "anaemia"), ("paediatric", "pediatric"), ("tumour", "tumor")],
)
def test_spelling_variants_go_both_ways(word: str, variant: str) -> None:
    assert variant in spelling_variants(word)


def test_abbreviations_are_expanded() -> None:
    assert "direct oral anticoagulant" in analyse_question("Bleeding on a DOAC?").query_terms


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_refused_with_an_example(question: str) -> None:
    with pytest.raises(QuestionError, match="empty"):
        analyse_question(question)


def test_huge_question_is_refused_with_its_size() -> None:
    with pytest.raises(QuestionError, match="102,400 characters"):
        analyse_question("a" * 102_400)


def test_punctuation_only_question_is_refused() -> None:
    with pytest.raises(QuestionError, match="no words"):
        analyse_question("???")


def test_condition_name_tails_stay_in_the_title_not_in_the_topic() -> None:
    analysis = analyse_question("When was Havana syndrome first recognized?")
    assert analysis.topic_terms == ["havana"]
    assert topic_phrase(analysis) == "Havana syndrome"


def test_topic_phrases_follow_the_question_wording() -> None:
    analysis = analyse_question("Can rozanolixizumab be used for treatment of multiple sclerosis?")
    assert analysis.topic_phrases == [["rozanolixizumab"], ["multiple", "sclerosis"]]
    one = analyse_question("What is the management plan for a patient with an iliopsoas hematoma?")
    assert one.topic_phrases == [["iliopsoas", "hematoma"]]


def test_words_before_disorder_or_syndrome_name_one_condition() -> None:
    named = analyse_question("What is synthetic widget personality disorder?")
    assert named.condition_names == [["synthetic", "widget", "personality"]]
    assert analyse_question("How is Crohn's disease treated?").condition_names == []
    assert analyse_question("How is an acute widget flare treated?").condition_names == []
    # A plural names a group of conditions, each called otherwise.
    assert analyse_question("Which drugs treat synthetic widget disorders?").condition_names == []


def test_a_bracketed_abbreviation_restates_its_words_and_is_searched() -> None:
    analysis = analyse_question("What are common side effects of the progesterone-only pill (POP)?")
    assert analysis.topic_terms == ["progesterone-only"]
    assert "pop" in analysis.query_terms


def test_adjacent_topic_words_also_have_a_joined_form() -> None:
    analysis = analyse_question("When was the first case of human monkey pox diagnosed?")
    assert "monkeypox" in joined_forms(analysis)


def test_separate_things_asked_about_are_named_apart() -> None:
    analysis = analyse_question("Can Rozanolixizumab be used for treatment of multiple sclerosis?")
    assert topic_phrase(analysis) == "Rozanolixizumab and multiple sclerosis"


@pytest.mark.parametrize(
    ("question", "topic", "population"),
    [
        ("Is it safe to take ibuprofen during pregnancy?", ["ibuprofen"], ["pregnancy"]),
        ("How is atrial fibrillation managed after cardiac surgery?",
         ["atrial", "fibrillation"], ["after cardiac surgery"]),
        ("What is the first-line treatment for migraine in children?", ["migraine"],
         ["children"]),
        # The population is the topic itself: nothing else is asked about.
        ("What are the complications of pregnancy?", ["pregnancy"], []),
    ],
)
def test_the_population_is_a_frame_not_a_topic(question: str, topic: list[str],
                                               population: list[str]) -> None:
    analysis = analyse_question(question)
    assert analysis.topic_terms == topic
    assert analysis.population == population


def test_a_qualified_compound_is_searched_and_matched_by_its_name() -> None:
    analysis = analyse_question("How is warfarin-associated intracranial hemorrhage reversed?")
    assert analysis.topic_terms == ["warfarin", "intracranial", "hemorrhage"]
    assert {"warfarin-associated", "warfarin"} <= set(analysis.query_terms)
    flare = analyse_question("How is an acute gout flare treated?")
    assert "flare" not in flare.topic_terms and "flare" in flare.query_terms


def test_where_care_happens_is_searched_but_is_not_the_topic() -> None:
    asked = analyse_question(
        "How is an acute asthma exacerbation treated in the emergency department?")
    assert asked.topic_terms == ["acute", "asthma"]
    assert {"emergency", "department"} <= set(asked.query_terms)
    assert analyse_question("How is sepsis managed in the ED?").topic_terms == ["sepsis"]
    # Not a setting: a receptor ("ER+") and a condition abbreviated alone ("ED").
    assert "er" in analyse_question("What does FOXA1 do in ER+ breast cancer?").topic_terms
    assert analyse_question("How is ED treated?").topic_terms == ["ed"]



def test_a_time_frame_is_searched_but_is_not_the_topic() -> None:
    asked = analyse_question("How is synthetic widgetosis managed in the first hour?")
    assert asked.topic_terms == ["synthetic", "widgetosis"]
    assert "hour" in asked.query_terms


def test_the_kind_of_treatment_asked_for_is_a_frame_not_a_topic() -> None:
    analysis = analyse_question("What is the initial pharmacological treatment for COPD?")
    assert analysis.topic_terms == ["copd"]
    assert topic_phrase(analysis) == "COPD"


def test_a_use_disorder_keeps_its_whole_name() -> None:
    analysis = analyse_question("What medications treat alcohol use disorder?")
    assert analysis.topic_terms == ["alcohol", "use"]
    assert topic_phrase(analysis) == "alcohol use disorder"
    # "use" elsewhere is a framing word
    assert analyse_question("How should I use insulin?").topic_terms == ["insulin"]


def test_a_topic_adjective_keeps_the_people_it_qualifies() -> None:
    analysis = analyse_question(
        "What is the first-line treatment for osteoporosis in postmenopausal women?")
    assert topic_phrase(analysis) == "osteoporosis in postmenopausal women"
    assert "women" not in analysis.topic_terms


def test_prevention_and_complications_are_no_part_of_the_topic() -> None:
    assert analyse_question("How is migraine prevented?").topic_terms == ["migraine"]
    assert analyse_question("What are the complications of diabetes?").topic_terms == [
        "diabetes"]


def test_a_letter_naming_a_kind_is_searched_and_titled() -> None:
    analysis = analyse_question("What is the prognosis of hepatitis C?")
    assert "c" in analysis.query_terms
    assert topic_phrase(analysis) == "hepatitis C"
    assert "c" not in analysis.topic_terms  # a letter alone is too common to gate on
