"""Which article section and management step a guideline's heading names."""

from __future__ import annotations

from curbside.answer.sections import classify_step, heading_section, names_first_line


def test_heading_paths_name_sections_from_the_most_specific_heading() -> None:
    assert heading_section("Acute Flare Treatment › First-Line Therapies") == "management"
    assert heading_section("Screening and Diagnosis") == "diagnosis"
    assert heading_section("Monitoring and Referral") == "follow_up"
    assert heading_section("Special Populations & Escalation") == "special"
    assert heading_section("Limitations") == "other"
    assert heading_section("Target Heart Rate") is None


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
