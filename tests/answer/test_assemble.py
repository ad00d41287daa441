"""The composer on hand-built evidence: no library, no search, every input visible here.

All documents below are synthetic test fixtures, written for these tests; they are not
medical content and never ship.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from curbside.answer.assemble import article_title, compose_article
from curbside.answer.bottom_line import cuts_a_list
from curbside.answer.question import analyse_question
from curbside.answer.topic import topic_phrase
from curbside.models import (
    Appraisal,
    Article,
    BulletsBlock,
    Document,
    DocumentSection,
    Evidence,
    EvidenceLevel,
    Passage,
    PassageHit,
    StepsBlock,
)
from curbside.settings import ComposerSettings

SYNTHETIC = "Synthetic test fixture. "
RULES_ONLY = ComposerSettings(answer_model=False)


def document(doc_id: str, title: str, text: str, mesh: list[str] | None = None) -> Document:
    return Document(id=doc_id, source="test", title=title, year=2020,
                    sections=[DocumentSection(label="", text=SYNTHETIC + text)],
                    mesh_terms=mesh or [])


# How rare each word is in a library (its IDF), as retrieval would measure it: "acute" is a
# common word, so it weighs little in the topic "acute gout".
RARITY = {"acute": 1.0}


def evidence(question: str, documents: list[Document]) -> Evidence:
    analysis = analyse_question(question)
    hits = [
        PassageHit(passage=Passage(doc_id=d.id, ordinal=0, section="",
                                   text=d.sections[0].text),
                   title=d.title, lexical_score=10.0 - i, score=1.0 - 0.05 * i,
                   fused_score=1.0 - 0.05 * i,
                   appraisal=Appraisal(level=EvidenceLevel.OTHER, kind="Research"))
        for i, d in enumerate(documents)
    ]
    weights = {term: RARITY.get(term, 5.0) for term in analysis.topic_terms}
    return Evidence(analysis=analysis, hits=hits, documents={d.id: d for d in documents},
                    topic_weights=weights)


GOUT = [
    document("t:1", "Treating gout attacks",
             "Colchicine given early in a gout attack reduced joint pain within a day. "
             "Oral corticosteroids are an effective treatment of a gout attack when colchicine "
             "cannot be used."),
    document("t:2", "Gout in rodents",
             "In mice, gout crystals caused swelling that a new compound reduced quickly."),
    document("t:4", "Gout crystal uptake",
             "Experiments on synovial tissue strips showed 5 microM of a compound stopped gout "
             "attack crystal uptake."),
    document("t:3", "A gout registry",
             "OBJECTIVES To evaluate how gout attacks were recorded in one registry. "
             "Patients were randomly assigned to two gout education programmes."),
]


def test_statements_come_from_the_evidence_and_cite_it() -> None:
    article = compose_article(evidence("How is an acute gout flare treated?", GOUT),
                              "clinician", RULES_ONLY)
    assert not article.insufficient_evidence
    by_number = {r.n: r.id for r in article.references}
    texts = {d.id: d.sections[0].text for d in GOUT}
    for statement in article.statements():
        assert statement.citations
        for n in statement.citations:
            assert statement.text in texts[by_number[n]]


def test_animal_findings_and_study_design_never_fill_clinical_headings() -> None:
    article = compose_article(evidence("How is an acute gout flare treated?", GOUT),
                              "clinician", RULES_ONLY)
    shown = " ".join(s.text for s in article.statements())
    assert "mice" not in shown and "microM" not in shown
    assert "OBJECTIVES" not in shown and "To evaluate" not in shown
    assert "randomly assigned" not in shown
    assert "Colchicine" in shown


def test_a_named_condition_is_not_answered_by_texts_naming_one_of_its_words() -> None:
    documents = [
        document("t:1", "Widget personality disorder in adults",
                 "Widget personality disorder is marked by unstable moods and relationships."),
        document("t:2", "Ovarian widget tumours",
                 "Widget tumours of the ovary carry a gene mutation in half of cases."),
    ]
    found = evidence("What is widget personality disorder?", documents)
    # "widget" is the rarer word: it alone covers most of the topic.
    found = replace(found, topic_weights={"widget": 5.0, "personality": 1.0})
    article = compose_article(found, "clinician", RULES_ONLY)
    assert {r.id for r in article.references} == {"t:1"}


def test_an_unsaved_article_is_in_no_review_queue() -> None:
    article = compose_article(evidence("How is an acute gout flare treated?", GOUT),
                              "clinician", RULES_ONLY)
    assert article.status == "unsaved"
    assert article.id is None


OSTEOARTHRITIS = document("t:4", "Pain relief in osteoarthritis",
                          "Nonsteroidal drugs such as ibuprofen may be used for knee pain in "
                          "adults.")


def pregnancy_article(*documents: Document) -> Article:
    """The clinician article on ibuprofen in pregnancy from the documents and a page on
    osteoarthritis that never speaks of pregnancy."""
    return compose_article(
        evidence("Is it safe to take ibuprofen during pregnancy?", [*documents, OSTEOARTHRITIS]),
        "clinician", RULES_ONLY)


def test_a_population_the_evidence_does_not_speak_of_is_said_plainly() -> None:
    article = pregnancy_article()
    assert article.insufficient_evidence
    assert not article.bottom_line
    assert "pregnancy" in article.coverage.note
    assert all("not in pregnancy" in s.title for s in article.sections)


def test_evidence_about_the_population_answers_for_it() -> None:
    article = pregnancy_article(document(
        "t:5", "Ibuprofen in pregnancy",
        "Ibuprofen taken after the twentieth week was linked to low amniotic fluid."))
    assert not article.insufficient_evidence
    shown = [s.text for s in article.statements()]
    assert any("amniotic" in text for text in shown)
    assert not any("knee" in text for text in shown)
    assert article.title.endswith("in pregnancy")
    assert "indirect" not in article.coverage.note


def test_evidence_from_a_document_on_another_subject_is_called_indirect() -> None:
    article = pregnancy_article(document(
        "t:6", "Synthetic limb defect",
        "Environmental risk factors include taking ibuprofen during pregnancy."))
    assert "Environmental risk factors" in article.bottom_line[0].text
    assert "“Synthetic limb defect”" in article.coverage.note
    assert "indirect evidence" in article.coverage.note


def test_management_steps_hold_only_interventions_with_effect_or_advice() -> None:
    documents = [document(
        "t:6", "Managing a synthetic condition called testitis",
        "Testitis is treated with rest and fluids as first-line care for two days. "
        "Surgical drainage is needed when testitis is refractory to rest. "
        "Testitis clinics keep their treatment records on paper in most towns.")]
    article = compose_article(
        evidence("What is the management of testitis?", documents), "clinician", RULES_ONLY)
    steps = [block for section in article.sections for block in section.blocks
             if isinstance(block, StepsBlock)]
    for block in steps:
        for step in block.steps:
            if step.label == "First-line treatment":
                assert all("paper" not in s.text for s in step.items)


def test_the_answer_model_turns_away_sentences_that_do_not_answer() -> None:
    # The shipped model, for real: a treatment question, one sentence answering it and one
    # on the same topic that answers another question (its cause).
    documents = [
        document("t:7", "Gout treatment",
                 "Colchicine and nonsteroidal anti-inflammatory drugs relieve the pain of a "
                 "gout attack."),
        document("t:8", "Gout causes",
                 "Gout is caused by a build-up of uric acid crystals in the joints over years."),
    ]
    article = compose_article(evidence("How is a gout attack treated?", documents),
                              "clinician", ComposerSettings())
    assert article.bottom_line
    assert "Colchicine" in article.bottom_line[0].text


def guideline_document(doc_id: str, title: str, lines: dict[str, list[str]]) -> Document:
    """A synthetic guideline: each heading path with its lines."""
    return Document(id=doc_id, source="guideline", title=title,
                    publication_types=["Practice Guideline"],
                    sections=[DocumentSection(label=label, text="\n".join(text))
                              for label, text in lines.items()])


# A synthetic guideline's headings with their lines, in its order.
TESTITIS_LINES = {
    "Testitis › Mild Testitis": ["Give synthetic drug A 10 mg for testitis.",
                                 "Rest in bed for testitis for two days.",
                                 "Offer synthetic fluids for testitis by mouth.",
                                 "Give synthetic drug C for testitis pain at night."],
    "Testitis › Severe Testitis": ["Add synthetic drug B for severe testitis.",
                                   "Give synthetic drug D by vein in severe testitis.",
                                   "Admit severe testitis for observation."],
}


def test_a_guideline_leads_the_management_steps_under_its_own_headings() -> None:
    lines = TESTITIS_LINES
    guide = guideline_document("guideline:t/1", "Testitis care — Synthetic", lines)
    paper = document("t:9", "Testitis trial",
                     "Synthetic drug A reduced testitis pain within a day in a trial.")
    base = evidence("How is testitis treated?", [paper])
    guide_hits = [PassageHit(passage=Passage(doc_id=guide.id, ordinal=i, section=label,
                                             text="\n".join(text)),
                             title=f"{guide.title} › {label}", lexical_score=12.0,
                             score=1.2, fused_score=1.2,
                             appraisal=Appraisal(level=EvidenceLevel.GUIDELINE,
                                                 kind="Guideline"))
                  for i, (label, text) in reversed(list(enumerate(lines.items())))]
    article = compose_article(
        replace(base, hits=[*guide_hits, *base.hits],
                documents={**base.documents, guide.id: guide}),
        "clinician", RULES_ONLY)
    [steps] = [b for s in article.sections for b in s.blocks if isinstance(b, StepsBlock)]
    labels = [step.label for step in steps.steps]
    # The guideline's headings in its order (not the hits' order); studies after them.
    assert labels[:2] == ["Mild Testitis", "Severe Testitis"]
    assert set(labels[2:]) <= {"Further evidence on treatment"}
    mild = [s.text for s in steps.steps[0].items]
    assert mild == sorted(mild, key=lines["Testitis › Mild Testitis"].index)


def test_a_guideline_about_another_condition_gives_no_steps() -> None:
    # A renal guideline's lines name testitis in passing; its headings are no plan for it.
    lines = {"Replacement Therapy": ["Start synthetic dialysis when testitis is refractory.",
                                     "Give synthetic drug E for testitis with fluid overload.",
                                     "Stop synthetic drug F when testitis appears.",
                                     "Treat testitis before synthetic dialysis is begun.",
                                     "Give synthetic drug G by vein for testitis in shock."]}
    guide = guideline_document("guideline:r/1", "Renal care — Synthetic", lines)
    paper = document("t:9", "Testitis trial",
                     "Synthetic drug A reduced testitis pain within a day in a trial.")
    base = evidence("How is testitis treated?", [paper])
    guide_hit = PassageHit(passage=Passage(doc_id=guide.id, ordinal=0,
                                           section="Replacement Therapy",
                                           text="\n".join(lines["Replacement Therapy"])),
                           title=f"{guide.title} › Replacement Therapy", lexical_score=12.0,
                           score=1.2, fused_score=1.2,
                           appraisal=Appraisal(level=EvidenceLevel.GUIDELINE, kind="Guideline"))
    article = compose_article(
        replace(base, hits=[guide_hit, *base.hits],
                documents={**base.documents, guide.id: guide}),
        "clinician", RULES_ONLY)
    labels = [step.label for s in article.sections for b in s.blocks
              if isinstance(b, StepsBlock) for step in b.steps]
    assert "Replacement Therapy" not in labels


def test_parts_of_one_guideline_give_their_steps_in_the_guideline_order() -> None:
    parts = {  # part number -> (heading, lines); part 2 is found first
        2: ("Drug Therapy", ["Give synthetic drug A 10 mg for testitis.",
                             "Give synthetic drug B by vein for testitis.",
                             "Stop synthetic drug A for testitis after a week."]),
        1: ("Fluid Therapy", ["Give synthetic fluid 1 L for testitis in the first hour.",
                              "Give synthetic fluid slowly for testitis in the frail.",
                              "Repeat synthetic fluid for testitis when thirst remains."]),
    }
    guides = {n: Document(id=f"guideline:t/{n}", source="guideline",
                          title=f"{heading} in Testitis — Synthetic", part_of="Testitis Guide",
                          part_number=n, publication_types=["Practice Guideline"],
                          sections=[DocumentSection(label=heading, text="\n".join(text))])
              for n, (heading, text) in parts.items()}
    base = evidence("How is testitis treated?", [document(
        "t:9", "Testitis trial", "Synthetic drug A reduced testitis pain within a day.")])
    hits = [PassageHit(passage=Passage(doc_id=guides[n].id, ordinal=0, section=heading,
                                       text="\n".join(text)),
                       title=f"{guides[n].title} › {heading} (Testitis Guide)",
                       lexical_score=10.0 + n, score=1.0 + 0.1 * n, fused_score=1.0 + 0.1 * n,
                       appraisal=Appraisal(level=EvidenceLevel.GUIDELINE, kind="Guideline"))
            for n, (heading, text) in sorted(parts.items(), reverse=True)]
    article = compose_article(
        replace(base, hits=[*hits, *base.hits],
                documents={**base.documents, **{g.id: g for g in guides.values()}}),
        "clinician", RULES_ONLY)
    labels = [step.label for s in article.sections for b in s.blocks
              if isinstance(b, StepsBlock) for step in b.steps]
    assert labels.index("Fluid Therapy") < labels.index("Drug Therapy"), labels


def guideline_article(question: str, guide: Document,
                      papers: list[Document] | None = None) -> object:
    """The clinician article for the question from the guideline's hits and one trial (or
    the papers given)."""
    papers = papers or [document("t:9", "Testitis trial",
                                 "Synthetic drug A reduced testitis pain within a day in a "
                                 "trial.")]
    base = evidence(question, papers)
    guide_hits = [PassageHit(passage=Passage(doc_id=guide.id, ordinal=i, section=s.label,
                                             text=s.text),
                             title=f"{guide.title} › {s.label}", lexical_score=12.0 - i,
                             score=1.2 - 0.01 * i, fused_score=1.2 - 0.01 * i,
                             appraisal=Appraisal(level=EvidenceLevel.GUIDELINE,
                                                 kind="Guideline"))
                  for i, s in enumerate(guide.sections)]
    return compose_article(replace(base, hits=[*guide_hits, *base.hits],
                                   documents={**base.documents, guide.id: guide}),
                           "clinician", RULES_ONLY)


def test_studies_after_a_guidelines_plan_say_what_a_treatment_does() -> None:
    guide = guideline_document("guideline:t/1", "Testitis care — Synthetic", TESTITIS_LINES)
    papers = [document("t:9", "Testitis trial",
                       "Synthetic drug A reduced testitis pain within a day in a trial."),
              document("t:10", "Testitis history",
                       "The treatment of testitis was first described by one synthetic "
                       "society in 2001.")]
    article = guideline_article("How is testitis treated?", guide, papers)
    assert isinstance(article, Article)
    [steps] = [b for s in article.sections for b in s.blocks if isinstance(b, StepsBlock)]
    studies = [i.text for step in steps.steps if step.label == "Further evidence on treatment"
               for i in step.items]
    assert any("reduced testitis pain" in text for text in studies)
    assert not any("first described" in text for text in studies)


def treatment_lead(doc_id: str, headings: dict[str, list[str]]) -> str:
    """The bottom line of "How is testitis treated?" from a synthetic guideline's headings."""
    article = guideline_article("How is testitis treated?",
                                guideline_document(doc_id, "Testitis care — Synthetic", headings))
    [lead] = article.bottom_line  # type: ignore[attr-defined]
    return str(lead.text)


def test_a_treatment_bottom_line_is_the_guidelines_first_line_recommendation() -> None:
    guide = guideline_document("guideline:t/2", "Testitis care — Synthetic", {
        "Testitis › Severity Score": ["Fever in testitis: 2 points for the synthetic score.",
                                      "Testitis pain at rest: 1 point for the synthetic score."],
        "Testitis › Initial Treatment": [
            "Testitis patients had a synthetic drug B level measured in most centres.",
            "Synthetic drug A is recommended as first-line therapy for testitis.",
            "Synthetic drug C should be added for testitis that persists a week.",
            "Offer synthetic fluids for testitis by mouth."],
    })
    article = guideline_article("How is testitis treated?", guide)
    [lead] = article.bottom_line  # type: ignore[attr-defined]
    assert lead.text.startswith("Synthetic drug A is recommended as first-line")
    steps = [item.text for s in article.sections for b in s.blocks  # type: ignore[attr-defined]
             if isinstance(b, StepsBlock) for step in b.steps for item in step.items]
    # Said once, as the bottom line; a score's row is never the bottom line.
    assert not any(t.startswith("Synthetic drug A is recommended") for t in steps)
    assert "points" not in lead.text


def test_without_a_first_line_the_first_recommendation_in_order_leads() -> None:
    assert treatment_lead("guideline:t/3", {
        "Testitis › Initial Treatment": [
            "Testitis: 1 point for fever in the synthetic score.",
            "Synthetic drug C should be given for testitis within a day.",
            "Synthetic drug A is suggested for testitis that persists a week.",
            "Offer synthetic fluids for testitis by mouth."],
    }).startswith("Synthetic drug C should be given")


def _step_lines(article: object) -> list[str]:
    return [item.text for s in article.sections for b in s.blocks  # type: ignore[attr-defined]
            if isinstance(b, StepsBlock) for step in b.steps for item in step.items]


def test_a_guidelines_lines_for_two_groups_are_two_statements() -> None:
    guide = guideline_document("guideline:t/4", "Testitis care — Synthetic", {
        "Testitis › Group A": ["Initial Therapy: Synthetic drug A",
                               "Synthetic drug A is preferred for mild testitis in adults."],
        "Testitis › Group B": ["Initial Therapy: Synthetic drugs C and D",
                               "Synthetic drug B should be added for severe testitis."],
    })
    lines = _step_lines(guideline_article("How is testitis treated?", guide))
    assert "Initial Therapy: Synthetic drug A" in lines
    assert "Initial Therapy: Synthetic drugs C and D" in lines


def test_two_recommendations_sharing_only_their_grade_are_both_said() -> None:
    grade = " (Strong recommendation, Moderate quality of evidence)."
    guide = guideline_document("guideline:t/5", "Testitis care — Synthetic", {
        "Testitis › Pressure Target": [
            "The panel recommends a synthetic pressure target of 65 for testitis" + grade,
            "A synthetic target of 65 may be raised for chronic hypertension in testitis."],
        "Testitis › Drug Choice": [
            "The panel recommends synthetic drug A over drug B for testitis" + grade,
            "Synthetic drug A has fewer arrhythmias than drug B in testitis trials."],
    })
    article = guideline_article("How is testitis treated?", guide)
    said = _step_lines(article) + [s.text for s in article.bottom_line]  # type: ignore[attr-defined]
    assert any(t.startswith("The panel recommends a synthetic pressure") for t in said)
    assert any(t.startswith("The panel recommends synthetic drug A") for t in said)


def test_advice_with_its_list_item_joined_on_may_lead() -> None:
    assert treatment_lead("guideline:t/6", {
        "Testitis › Treatment Goals": [
            "Synthetic testitis goals are agreed with each adult patient in the test."],
        "Testitis › Drug Therapy": [
            "The panel recommends that synthetic drug A be offered to adults with testitis who: "
            "Have a goal of synthetic remission",
            "Synthetic drug A lowers testitis pain scores within a week in trials.",
            "Synthetic drug A dose: 25 mg a day for testitis in the synthetic test."],
    }).startswith("The panel recommends that synthetic drug A be offered")


def test_advice_for_what_to_do_leads_before_advice_against() -> None:
    assert treatment_lead("guideline:t/7", {
        "Testitis › General Principles": [
            "Routine synthetic drug B is not recommended for testitis unless it spreads.",
            "Synthetic drug A should be started as soon as testitis is diagnosed in adults.",
            "Synthetic drug C lowers testitis pain scores within a week in trials."],
        "Testitis › Adults": ["Synthetic drug A dose: 25 mg a day for testitis in the test."],
    }).startswith("Synthetic drug A should be started")


def test_advice_for_another_group_of_people_does_not_lead() -> None:
    assert "Adults" in treatment_lead("guideline:t/8", {
        "Testitis › Fluid Resuscitation": [
            "Formal synthetic IV fluids are indicated for: Children: testitis of a tenth of skin",
            "Formal synthetic IV fluids are indicated for: Adults: testitis of a fifth or more "
            "of the body surface in the synthetic test",
            "Synthetic fluids work best within two hours of testitis onset in trials.",
            "Synthetic fluids should be warmed before testitis infusion in the test."],
    })


def test_asked_for_medication_a_chapter_on_another_kind_of_treatment_gives_no_steps() -> None:
    guide = guideline_document("guideline:t/9", "Psychotherapy for Testitis — Synthetic", {
        "Testitis › Cognitive Therapy": [
            "Synthetic talking therapy is recommended for testitis in adults.",
            "Synthetic talking therapy runs for 12 weekly sessions for testitis.",
            "Synthetic talking therapy lowers testitis relapse in trials.",
            "Synthetic group therapy should be offered for testitis in adults."],
    })
    asked = guideline_article("How is testitis treated with medication?", guide)
    plain = guideline_article("How is testitis treated?", guide)
    assert not any("talking therapy" in t for t in _step_lines(asked))
    assert any("talking therapy" in t for t in _step_lines(plain))


def test_a_guidelines_rows_in_a_section_are_labelled_by_their_heading() -> None:
    guide = guideline_document("guideline:t/10", "Testitis care — Synthetic", {
        "Synthetic Testitis Score › Diagnosis Criteria": [
            "Age — 0 Points: under 60; 1 Point: 60 or over, for testitis diagnosis",
            "Fever — 0 Points: none; 1 Point: present, for testitis diagnosis"],
        "Testitis › Initial Treatment": [
            "Synthetic drug A is recommended as first-line therapy for testitis.",
            "Synthetic drug C should be added for testitis that persists a week.",
            "Offer synthetic fluids for testitis by mouth.",
            "Synthetic drug D may be given for testitis pain at night."],
    })
    article = guideline_article("How is testitis treated?", guide)
    labelled = {b.label: [i.text for i in b.items]
                for s in article.sections for b in s.blocks  # type: ignore[attr-defined]
                if isinstance(b, BulletsBlock) and b.label}
    rows = labelled.get("Synthetic Testitis Score › Diagnosis Criteria", [])
    assert any(t.startswith("Age — 0 Points") for t in rows), labelled


def test_a_line_without_its_subject_never_leads() -> None:
    # "Not recommended for severe testitis" says what is not recommended only in its heading.
    lead = treatment_lead("guideline:t/8", {
        "Testitis › Intravenous Drug": ["Fixed-rate synthetic infusion: 0.1 units/kg per hour.",
                                        "Optional synthetic bolus: 0.1 units/kg once."],
        "Testitis › Oral Drug (Mild Testitis Only)": [
            "Synthetic tablets every 2 hours are an alternative for mild testitis.",
            "Not recommended for severe testitis or complicated cases."],
        "Testitis › Fluids": ["Synthetic saline should be given for testitis in the first hour."],
    })
    assert not lead.startswith("Not recommended")


def test_findings_of_a_study_done_only_in_animals_never_fill_clinical_headings() -> None:
    # The study's animals are named in one sentence; its finding sentence names none.
    rats = document("t:6", "Gout flares in a synthetic model",
                    "Gout attacks were induced in a rat model. Colchicine after the attack "
                    "lowered synovial swelling at 3 d.")
    article = compose_article(evidence("How is an acute gout flare treated?", [*GOUT, rats]),
                              "clinician", RULES_ONLY)
    shown = " ".join(s.text for s in article.statements())
    assert "synovial swelling" not in shown
    assert "Colchicine given early" in shown


def test_a_treatment_bottom_line_comes_from_a_document_about_the_condition() -> None:
    # Synthetic: a page on another disease names testitis in passing, in a sentence the
    # rules rank highly; the page about testitis says its treatment in four words.
    other = document("t:11", "Widget gangrene",
                     "Although antibiotics are often given first (and kept for surrounding "
                     "testitis), antibiotics do not treat widget gangrene in adults.")
    page = document("t:12", "Testitis", "Treatment is with antibiotics.")
    article = compose_article(evidence("How is testitis treated?", [other, page]),
                              "clinician", RULES_ONLY)
    [lead] = article.bottom_line
    assert lead.text == "Treatment is with antibiotics."


@pytest.mark.parametrize(("question", "title"), [
    ("What are the symptoms of Cushing syndrome?", "Signs and symptoms of Cushing syndrome"),
    ("How is diabetic ketoacidosis treated?", "Management of diabetic ketoacidosis"),
    ("How is COPD treated?", "Management of COPD"),
    ("How is migraine prevented?", "Prevention of migraine"),
    ("What are the complications of diabetes?", "Complications of diabetes"),
])
def test_the_title_names_the_topic_as_the_question_wrote_it(question: str, title: str) -> None:
    analysis = analyse_question(question)
    assert article_title(analysis, topic_phrase(analysis)) == title


def test_a_page_naming_the_topic_in_passing_lends_it_none_of_its_other_sentences() -> None:
    # Synthetic: the widget-disease page names testitis once; its other sentences are about
    # widget disease and never name testitis.
    page = document("t:13", "Testitis", "Treatment is with antibiotics. Testitis treatment "
                    "with synthetic drug A shortens the illness in adults.")
    other = document("t:14", "Widget disease",
                     "Widget disease causes swelling that may be mistaken for testitis. There "
                     "is currently no cure for widget disease. Widget disease treatment aims "
                     "to reduce the swelling with compression.")
    article = compose_article(evidence("How is testitis treated?", [page, other]),
                              "patient", RULES_ONLY)
    shown = [s.text for s in article.statements()]
    assert "Treatment is with antibiotics." in shown
    assert not any("no cure for widget" in text or "compression" in text for text in shown)


def all_texts(article: Article) -> list[str]:
    texts = [s.text for s in article.bottom_line]
    for section in article.sections:
        for block in section.blocks:
            if isinstance(block, StepsBlock):
                texts += [i.text for step in block.steps for i in step.items]
            elif isinstance(block, BulletsBlock):
                texts += [i.text for i in block.items]
    return texts


def test_a_page_on_a_kind_of_the_condition_answers_nothing_about_the_condition() -> None:
    papers = [document("t:31", "Testitis oticus",
                       "Some cases of testitis oticus need no treatment. Vertigo is treated "
                       "with synthetic drug V."),
              document("t:32", "Testitis",
                       "Testitis is treated with synthetic drug A, which shortens the illness.")]
    article = compose_article(evidence("How is testitis treated?", papers), "clinician",
                              RULES_ONLY)
    texts = all_texts(article)
    assert any("synthetic drug A" in text for text in texts)
    assert not any("oticus" in text or "drug V" in text for text in texts)


def test_asked_for_symptoms_the_bottom_line_lists_them() -> None:
    papers = [document("t:41", "Testitis",
                       "Symptoms of testitis vary from person to person and can be hard to "
                       "tell apart. The common symptoms of testitis are synthetic fatigue, "
                       "synthetic aches, dry synthetic skin and slow synthetic speech.")]
    article = compose_article(evidence("What are the symptoms of testitis?", papers),
                              "clinician", RULES_ONLY)
    [lead] = article.bottom_line
    assert lead.text.startswith("The common symptoms of testitis are")


def test_asked_for_risk_factors_the_article_has_no_treatment_section() -> None:
    papers = [document("t:51", "Testitis",
                       "Smoking and synthetic exposure X are risk factors for testitis. "
                       "Testitis is treated with synthetic drug A, which shortens the "
                       "illness.")]
    article = compose_article(evidence("What are the risk factors for testitis?", papers),
                              "clinician", RULES_ONLY)
    keys = [s.key for s in article.sections]
    assert "management" not in keys
    assert not any("drug A" in text for text in all_texts(article))


def test_the_same_page_held_twice_is_cited_once() -> None:
    text = "Testitis is treated with synthetic drug A, which shortens the illness."
    papers = [document("t:61", "Testitis", text), document("t:62", "Testitis", text),
              document("t:63", "Testitis care", text)]
    article = compose_article(evidence("How is testitis treated?", papers), "clinician",
                              RULES_ONLY)
    [lead] = article.bottom_line
    assert len(lead.citations) == 2  # "Testitis" once, "Testitis care" once


def test_a_guideline_line_naming_the_topic_in_passing_is_no_statement_on_it() -> None:
    guide = guideline_document("guideline:w/1", "Widget injury care — Synthetic", {
        "Sedation": ["Synthetic sedation syndrome presents with acidosis, testitis, fever and "
                     "shock."],
        "Sedation › Drug B": ["Synthetic drug B is recommended for sedation in widget injury."],
    })
    papers = [document("t:71", "Testitis",
                       "Testitis is treated with synthetic drug A, which shortens the illness.")]
    article = guideline_article("How is testitis treated?", guide, papers)
    assert isinstance(article, Article)
    texts = all_texts(article)
    assert any("drug A" in text for text in texts)
    assert not any("sedation syndrome" in text for text in texts)


def test_a_clinicians_article_leaves_out_lines_written_to_a_patient() -> None:
    papers = [document("t:81", "Testitis",
                       "If you have testitis, ask your doctor about a synthetic drug today. "
                       "Testitis is treated with synthetic drug A, which shortens the illness.")]
    article = compose_article(evidence("How is testitis treated?", papers), "clinician",
                              RULES_ONLY)
    texts = all_texts(article)
    assert any("shortens the illness" in text for text in texts)
    assert not any("your doctor" in text for text in texts)


def test_a_page_named_for_the_condition_is_no_indirect_evidence_on_its_acute_form() -> None:
    papers = [document("t:91", "Testitis",
                       "Acute testitis is treated with synthetic drug A, which shortens it.")]
    asked = evidence("How is acute testitis treated?", papers)
    # "acute" rare enough here that the title "Testitis" covers under the topic's threshold;
    # it says the state of testitis, not another condition
    asked = replace(asked, topic_weights={"acute": 4.0, "testitis": 5.0})
    article = compose_article(asked, "clinician", RULES_ONLY)
    assert article.bottom_line
    assert "another subject" not in article.coverage.note


@pytest.mark.parametrize(("text", "cut"), [
    ("The risk factors for testitis include: A history of testitis.", True),
    ("Providers may then use several synthetic tests to find its cause: TSH test.", True),
    ("Regimen: 1.2 mg of synthetic drug A orally immediately", False),
    ("Key principle: Continue synthetic drug A until the testitis resolves.", False),
])
def test_a_list_cut_after_its_first_item_is_known(text: str, cut: bool) -> None:
    assert cuts_a_list(text) is cut


def test_a_first_line_of_a_guideline_on_another_subject_does_not_lead() -> None:
    guide = guideline_document("guideline:w/2", "Widget mood care — Synthetic", {
        "Older Adults › First-Line Medications": [
            "Synthetic drug B is generally preferred as first-line medication due to its "
            "favourable side effect profile.",
            "Monitor for testitis with synthetic drug B in older adults."],
    })
    # No document is named for testitis: the bottom line is chosen among all lines.
    papers = [document("t:95", "A synthetic kidney disorder",
                       "Testitis may occur and is treated with synthetic fluids, which help.")]
    article = guideline_article("How is testitis treated?", guide, papers)
    assert isinstance(article, Article)
    [lead] = article.bottom_line
    assert "drug B is generally preferred" not in lead.text


def test_a_list_naming_the_topic_as_one_of_its_items_does_not_lead() -> None:
    papers = [document("t:97", "Widget palsy",
                       "Imaging may show other causes of symptoms, such as synthetic cord "
                       "compression, testitis, synthetic tumours and synthetic cysts."),
              document("t:98", "Testitis",
                       "The common symptoms of testitis are synthetic tingling, tiredness, "
                       "synthetic aches and poor sleep.")]
    article = compose_article(evidence("What are the symptoms of testitis?", papers),
                              "clinician", RULES_ONLY)
    [lead] = article.bottom_line
    assert "cord compression" not in lead.text
