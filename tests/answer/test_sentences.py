from __future__ import annotations

import pytest

from curbside.answer.sentences import is_finding, quotable_sentences, trim_lead_in


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("In conclusion, early drainage shortened stay.", "Early drainage shortened stay."),
        ("CONCLUSIONS: Early drainage shortened stay.", "Early drainage shortened stay."),
        ("Taken together, these data matter.", "These data matter."),
        ("METHODS: We enrolled 40 people.", None),
        ("No lead-in here at all.", "No lead-in here at all."),
        # a guideline note's field name and a numbered recommendation's label (synthetic)
        ("Details: Synthetic drug A is the preferred initial choice.",
         "Synthetic drug A is the preferred initial choice."),
        ("Recommendation 9.9 (Grade E): A synthetic approach should guide the choice.",
         "A synthetic approach should guide the choice."),
        # a consumer page's reply to the question heading it (synthetic)
        ("No. Most people with synthetic disease X have few of its signs.",
         "Most people with synthetic disease X have few of its signs."),
        ("Women Women of childbearing age are at higher synthetic risk.",
         "Women of childbearing age are at higher synthetic risk."),
        ("Nobody knows why synthetic disease X starts.",
         "Nobody knows why synthetic disease X starts."),
    ],
)
def test_trim_lead_in(sentence: str, expected: str | None) -> None:
    assert trim_lead_in(sentence) == expected


def test_study_aims_and_questions_are_not_findings() -> None:
    text = ("We aimed to assess a synthetic outcome in this test. What is the answer here? "
            "Synthetic drug X lowered synthetic marker Y by 30% in the test cohort.")
    assert quotable_sentences(text, "") == [
        "Synthetic drug X lowered synthetic marker Y by 30% in the test cohort."]


@pytest.mark.parametrize("sentence", [
    "We wanted to determine whether synthetic marker Y relates to synthetic disease X.",
    "Scientists are also studying how synthetic cells take part in synthetic disease X.",
    "The frequency of a sign or symptom is usually listed as a rough synthetic estimate.",
    "Because these frequencies are based on a specific study, the synthetic fractions vary.",
    "Researchers continue to study the causes and risk factors for synthetic disease X.",
    "The specific goals of this research are to understand how synthetic crystals act.",
    "Although X matters, our understanding of its synthetic course is incomplete today.",
    "Studies assessing the accuracy of a synthetic test for disease X were also identified.",
    "Four studies on the accuracy of a synthetic test met inclusion criteria for the review.",
    "Future research should focus on evaluating synthetic interventions for disease X.",
    "Through studies, the Synthetic Institute is seeking better ways to treat disease X.",
])
def test_research_news_and_background_are_not_findings(sentence: str) -> None:
    assert quotable_sentences(sentence, "") == []


def test_methods_sections_are_skipped() -> None:
    assert quotable_sentences("Synthetic participants were measured twice a week.", "METHODS") \
        == []


# Synthetic test sentences, shaped like the page furniture and abstract labels seen in real
# sources; the statement the composer may quote is always a verbatim span of them.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OBJECTIVES To evaluate a synthetic drug in a synthetic test cohort of adults.", []),
        ("DESIGN, SETTING, AND PATIENTS Multicentre synthetic trial among 2331 adults.", []),
        ("CONCLUSIONS AND RELEVANCE Synthetic exercise training was safe in these adults.",
         ["Synthetic exercise training was safe in these adults."]),
        ("BACKGROUND Synthetic disease X is a common inflammatory condition of joints.",
         ["Synthetic disease X is a common inflammatory condition of joints."]),
        ("Treatment May Start Right Away Treatment for synthetic disease X replaces a factor.",
         ["Treatment for synthetic disease X replaces a factor."]),
        ("Less Exposure to Sunlight Decreasing the time spent outdoors lowers the synthetic risk.",
         ["Decreasing the time spent outdoors lowers the synthetic risk."]),
        ("Adult Acute Lymphoblastic Leukemia is a synthetic test sentence about one name.",
         ["Adult Acute Lymphoblastic Leukemia is a synthetic test sentence about one name."]),
        ("In the United States of America about two million synthetic people have it.",
         ["In the United States of America about two million synthetic people have it."]),
        ("Smith J, et al. (2010) showed a synthetic finding in a synthetic journal.", []),
        ("For more on the synthetic risks, see the chapter on Risk Factors in this book.", []),
        ("A 45-year-old man presented with synthetic pain in the synthetic test.", []),
        ("Synthetic patients were randomly assigned to drug X or placebo before surgery.", []),
        ("The animation below shows how the synthetic heart beats in this test.", []),
        ("The consensus report is based on expert opinion about synthetic disease X.", []),
        ("It was jointly developed by three synthetic societies for this test.", []),
        ("It does not cover community-acquired synthetic widget infection in adults.", []),
        ("This guideline addresses synthetic widget infection after neurosurgery only.", []),
        ("It does not cause synthetic harm to the fetus in most trials.",
         ["It does not cause synthetic harm to the fetus in most trials."]),
        ("Synthetic dosing is not specified in the guideline; judgement decides.", []),
        ("Synthetic line one of a guideline\nSynthetic line two of the same guideline",
         ["Synthetic line one of a guideline", "Synthetic line two of the same guideline"]),
    ],
)
def test_labels_headings_citations_and_design_are_not_statements(
    text: str, expected: list[str]
) -> None:
    assert quotable_sentences(text, "") == expected
    for sentence in expected:
        assert sentence in text


def test_how_a_review_found_its_studies_is_not_a_finding() -> None:
    # A synthetic structured abstract of a review, written for this test.
    text = ("DATA SOURCES Medline, Embase and two synthetic registries, up to May 2011. "
            "STUDY SELECTION Trials that compared synthetic drug A with placebo for four weeks. "
            "A random effects model was used to calculate pooled risk ratios. "
            "RESULTS Synthetic drug A raised serum potassium compared with placebo.")
    assert quotable_sentences(text, "") == [
        "Synthetic drug A raised serum potassium compared with placebo."]


def test_software_notes_in_a_guideline_summary_are_not_statements() -> None:
    text = "Synthetic calculator: calculate_widget_score — available via MCP for scoring."
    assert quotable_sentences(text, "") == []


def test_what_the_investigators_did_is_not_a_finding() -> None:
    text = ("Synthetic women were interviewed within 6 months about a test exposure. "
            "Synthetic test subjects were studied twice during the trial. "
            "Synthetic drug X lowered synthetic marker Y by 30% in the test cohort.")
    assert quotable_sentences(text, "") == [
        "Synthetic drug X lowered synthetic marker Y by 30% in the test cohort."]


def test_a_guideline_treatment_field_is_whole_in_a_few_words() -> None:
    # Synthetic guideline lines: a treatment field is the answer; other short lines are not.
    text = "Initial Therapy: Synthetic A + B\nGroup A: synthetic\nSynthetic drug A works."
    assert quotable_sentences(text, "") == ["Initial Therapy: Synthetic A + B"]


def test_a_short_statement_of_the_treatment_is_a_finding() -> None:
    assert is_finding("Treatment is with antibiotics.")
    assert is_finding("Treatment usually includes rest.")
    assert not is_finding("Antibiotics help.")  # too short to say what it is about


@pytest.mark.parametrize("sentence", [
    "Risk factors for synthetic testitis in admitted adults have been rarely explored.",
    "Little is known about synthetic testitis after knee surgery.",
    "Few studies have examined synthetic testitis in older adults.",
])
def test_the_gap_a_study_fills_is_not_a_finding(sentence: str) -> None:
    assert not is_finding(sentence)


def test_evidence_said_to_be_missing_is_a_finding() -> None:
    assert is_finding("The safety of synthetic drug A has not been evaluated in pregnancy.")


def test_what_the_authors_did_with_an_adverb_is_not_a_finding() -> None:
    assert not is_finding("We systematically reviewed published papers from 1980 to 2008.")


@pytest.mark.parametrize("sentence", [
    "The NINDS supports research on synthetic testitis in this test.",
    "Synthetic testitis spreads widely, and we then investigate what could be expected of it.",
])
def test_research_support_and_what_the_authors_then_did_are_not_findings(sentence: str) -> None:
    assert not is_finding(sentence)
