"""Abbreviations the evidence defines for the question's topic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from curbside.answer.abbreviations import definitions, long_form, topic_abbreviations
from curbside.answer.topic import TopicMatcher

TEXTS = [
    "Updated criteria for diabetic ketoacidosis (DKA) and hyperglycemic hyperosmolar state "
    "(HHS) in adults.",
    "Patients in group (A) or arm (B) were compared.",
]


def test_definitions_spell_the_short_form() -> None:
    found = definitions(TEXTS)
    assert found["dka"] == "diabetic ketoacidosis"
    assert found["hhs"] == "hyperglycemic hyperosmolar state"
    assert "a" not in found and "b" not in found  # list labels, not abbreviations


def test_a_short_form_defined_as_two_things_stands_for_neither() -> None:
    texts = ["Synthetic borderline personality disorder (BPD) cohort.",
             "Synthetic bronchopulmonary dysplasia (BPD) in preterm babies.",
             "Synthetic borderline personality disorders (BPD) again."]
    assert "bpd" not in definitions(texts)
    assert definitions([texts[0], texts[2]])["bpd"] == "borderline personality disorder"


def test_a_long_form_may_start_inside_a_token() -> None:
    text = "Synthetic: estrogen receptor (ER)/GATA3/Forkhead box A1 (FOXA1) network."
    assert definitions([text]) == {"er": "estrogen receptor", "foxa1": "Forkhead box A1"}
    # "(CSF)" glued to the word before it is no definition.
    assert definitions(["Synthetic cerebrospinal fluid(CSF) sample."]) == {}


def test_a_short_form_may_follow_its_long_form_after_or() -> None:
    # Synthetic consumer-page wording: a pronunciation in brackets, then ", or SHORT".
    text = ("Synthetic note: a lung disease may follow, bronchopulmonary dysplasia "
            "(brong-ko-PUL-mo-nar-e dis-PLA-ze-ah), or BPD.")
    assert definitions([text]) == {"bpd": "bronchopulmonary dysplasia"}
    assert definitions(["Synthetic: chronic kidney disease or CKD is common."]) == {
        "ckd": "chronic kidney disease"}
    # Words joined by "or" that do not spell the letters define nothing; nor does a plural.
    assert definitions(["Give synthetic aspirin or NSAIDs, or rest or ICE."]) == {}


def test_only_long_forms_made_of_topic_words_count() -> None:
    assert topic_abbreviations(TEXTS, ["diabetic", "ketoacidosis"], set()) == {
        "dka": ("diabetic", "ketoacidosis")}
    # The question already wrote the short form: nothing to add.
    assert topic_abbreviations(TEXTS, ["diabetic", "ketoacidosis"], {"dka"}) == {}
    # "hyperglycemic hyperosmolar state" is not all topic words: never a stand-in for "state".
    assert topic_abbreviations(TEXTS, ["state"], set()) == {}


def test_a_long_form_may_hold_the_questions_other_words() -> None:
    # Synthetic definition; "with" and "reduced" are the question's words, not topic words.
    texts = ["Synthetic heart failure with reduced ejection fraction (HFrEF) cohort."]
    topic = ["heart", "failure", "ejection", "fraction"]
    assert topic_abbreviations(texts, topic, set(), {"with", "reduced"}) == {
        "hfref": ("heart", "failure", "ejection", "fraction")}
    # Without them in the question, the long form is not all the question's words.
    assert topic_abbreviations(texts, topic, set()) == {}


def test_matcher_counts_the_short_form_as_its_words() -> None:
    weights = {"diabetic": 2.0, "ketoacidosis": 5.0}
    plain = TopicMatcher(weights)
    aware = TopicMatcher(weights, abbreviations={"dka": ("diabetic", "ketoacidosis")})
    line = "Fluid resuscitation in DKA: isotonic saline first."
    assert plain.coverage(line) == 0.0
    assert aware.coverage(line) == 1.0


@given(st.lists(st.text(alphabet="abcdeXYZ ", min_size=1), min_size=1, max_size=6),
       st.text(alphabet="ABCXYZ", min_size=2, max_size=5))
def test_long_form_is_a_tail_of_the_words(candidate: list[str], short: str) -> None:
    words = [w for w in candidate if w.strip()] or ["x"]
    chosen = long_form(words, short)
    if chosen is not None:
        assert words[-len(chosen):] == chosen
        assert chosen[0][0].lower() == short[0].lower()
