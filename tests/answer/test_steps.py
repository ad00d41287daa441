"""Guideline steps from candidate lines, built by hand.

The guideline below is a synthetic test fixture written for these tests; it is not medical
content and never ships.
"""

from __future__ import annotations

from curbside.answer.question import analyse_question
from curbside.answer.select import Candidate
from curbside.answer.steps import guideline_steps
from curbside.models import (
    Appraisal,
    Document,
    DocumentSection,
    Evidence,
    EvidenceLevel,
    Passage,
    PassageHit,
)

HEADINGS = {
    "Testitis › Initial Treatment": [
        "Synthetic drug A is recommended for testitis at the first visit.",
        "Synthetic drug B should be added for testitis with fever.",
        "Offer synthetic fluids for testitis by mouth.",
    ],
    "Testitis › Refractory Testitis": [
        "Synthetic drug C is given for testitis that persists a week.",
        "Refer testitis that persists a month to a synthetic clinic.",
        "Synthetic drug D is suggested for testitis after drug C fails.",
    ],
    "Testitis › Severe Testitis": ["Admit severe testitis for synthetic drug E by vein."],
}


def _candidates() -> tuple[Evidence, dict[str, Candidate]]:
    guide = Document(id="guideline:t/1", source="guideline", title="Testitis care — Synthetic",
                     publication_types=["Practice Guideline"],
                     sections=[DocumentSection(label=label, text="\n".join(lines))
                               for label, lines in HEADINGS.items()])
    found: dict[str, Candidate] = {}
    for ordinal, (label, lines) in enumerate(HEADINGS.items()):
        hit = PassageHit(passage=Passage(doc_id=guide.id, ordinal=ordinal, section=label,
                                         text="\n".join(lines)),
                         title=f"{guide.title} › {label}", lexical_score=10.0, score=1.0,
                         fused_score=1.0,
                         appraisal=Appraisal(level=EvidenceLevel.GUIDELINE, kind="Guideline"))
        for line in lines:
            found[line] = Candidate(text=line, doc_ids=[guide.id], hit=hit, score=1.0,
                                    section="management", topical=1.0, guideline=True)
    analysis = analyse_question("How is testitis treated?")
    evidence = Evidence(analysis=analysis, hits=[], documents={guide.id: guide},
                        topic_weights={t: 1.0 for t in analysis.topic_terms})
    return evidence, found


def test_a_line_the_model_did_not_read_joins_its_heading_in_the_guidelines_order() -> None:
    evidence, lines = _candidates()
    initial, refractory, severe = (list(lines_) for lines_ in HEADINGS.values())
    # The model read all but the first line of the initial treatment, which it never reached.
    read = [lines[t] for t in [*initial[1:], *refractory]]
    steps = guideline_steps(read, evidence, "clinician", admit=lambda c: True,
                            names_topic=lambda title: True,
                            unread=[lines[initial[0]], lines[severe[0]]])
    assert steps is not None
    assert [c.text for c in steps[0].items] == initial
    # An unread line under a heading none of whose lines answered stays out.
    assert all(severe[0] not in [c.text for c in s.items] for s in steps)
