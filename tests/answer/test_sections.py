"""Which article section and management step a guideline's heading names."""

from __future__ import annotations

from curbside.answer.sections import (
    article_plan,
    asks_for_its_section,
    classify_sentence,
    classify_step,
    heading_section,
    names_first_line,
)
from curbside.models import Intent


def test_heading_paths_name_sections_from_the_most_specific_heading() -> None:
    assert heading_section("Acute Flare Treatment › First-Line Therapies") == "management"
    assert heading_section("Screening and Diagnosis") == "diagnosis"
    assert heading_section("Rockall Score › Post-Endoscopy") == "diagnosis"
    assert heading_section("Monitoring and Referral") == "follow_up"
    assert heading_section("Special Populations & Escalation") == "special"
    assert heading_section("IV Alteplase › Relative Contraindications (Weigh Risk/Benefit)") \
        == "special"
    assert heading_section(  # the last heading names whom its lines are for
        "Outpatient Treatment › Healthy Adults Without Risk Factors") == "management"
    assert heading_section("Limitations") == "other"
    assert heading_section("Target Heart Rate") is None
    assert heading_section("Exacerbation Management › Definition") == "overview"


def test_a_guideline_speaking_of_its_own_limits_is_never_content() -> None:
    line = "Synthetic drug doses for the exacerbation treatment are based on limited trials."
    assert classify_sentence(line, "Flare Management › Limitations", guidance=True) == "other"
    assert classify_sentence(line, "Flare Management", guidance=True) == "management"


def test_a_question_naming_what_it_wants_is_not_a_yes_no_question() -> None:
    assert asks_for_its_section("What are the risk factors for widgetosis?", Intent.RISK)
    assert not asks_for_its_section("Do synthetic pills raise the risk of widgetosis?",
                                    Intent.RISK)
    assert not asks_for_its_section("What is widgetosis?", Intent.DEFINITION)


def test_guideline_heading_names_the_step_before_the_words_do() -> None:
    severe = "Avoid in severe bronchospastic airway disease."
    assert classify_step(severe) == "escalation"
    assert classify_step(severe, "Rate Control › First-Line Agents & Clinical Caveats") == \
        "first_line"
    assert classify_step("Anakinra is an option.", "Flare › Second-Line: IL-1 Inhibitors") == \
        "escalation"


def test_first_line_recommendation_by_words_or_heading() -> None:
    assert names_first_line("Drug A is recommended as first-line therapy.", "")
    assert names_first_line("Drug A is strongly recommended.", "Flare › First-Line Therapies")
    assert not names_first_line("Drug A is strongly recommended.", "Flare › Adjuvant Therapy")
    assert not names_first_line("First-line agents were studied.", "")  # no recommendation
    # "preferred" alone names a choice within a class, not the first-line treatment
    assert not names_first_line("Synthetic drugs C and D are preferred opioids.", "")
    assert names_first_line("First-line: synthetic drug A 5 mg for 5 days.", "")


def test_a_guideline_line_for_the_other_care_setting_is_out_of_frame() -> None:
    from curbside.answer.population import other_setting

    asked = "Which antibiotics for outpatient synthetic pneumonia?"
    assert other_setting(asked, "Inpatient Treatment (Severe, ICU) › Penicillin Allergy")
    assert not other_setting(asked, "Outpatient Treatment › Adults With Comorbidities")
    assert not other_setting(asked, "Duration of Therapy")
    assert not other_setting("How is synthetic pneumonia treated?", "Inpatient Treatment")


def test_how_long_people_live_with_a_condition_is_prognosis() -> None:
    assert classify_sentence("Most people with synthetic disease X die from respiratory "
                             "failure within 2 to 10 years of its first signs.", "") == \
        "prognosis"
    assert classify_sentence("In synthetic disease X, motor cells die over time.", "") != \
        "prognosis"


def test_a_question_naming_what_it_wants_gets_only_the_sections_that_answer_it() -> None:
    assert "management" not in article_plan("What are the risk factors for stroke?",
                                            Intent.RISK)
    assert "management" not in article_plan("What are the symptoms of gout?", Intent.DIAGNOSIS)
    assert "risk" not in article_plan("What is the prognosis of ALS?", Intent.PROGNOSIS)
    # a yes/no question may be answered under any heading
    assert "management" in article_plan("Is smoking a risk factor for stroke?", Intent.RISK)
    assert "prognosis" in article_plan("How is gout treated?", Intent.MANAGEMENT)
