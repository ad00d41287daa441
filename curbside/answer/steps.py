"""Management steps: the numbered groups of the management section.

When a guideline in the library speaks to the question, its own headings are the steps
("Mild-Moderate Exacerbation Management", "Severe Exacerbation Management (Emergency
Department)"), in the guideline's order, and each step's lines keep the order the guideline
gives them: a guideline's structure is itself evidence of what comes first. Otherwise, and for
statements from studies, each statement is placed by its role (initial care, first line,
escalation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from curbside.answer import sections as plan
from curbside.answer.select import Candidate
from curbside.models import HEADING_SEPARATOR, Audience, Evidence

# A guideline leads the management section when it gives this many answering lines.
GUIDELINE_LINES = 4
GUIDELINE_STEPS = 4
LINES_PER_STEP = 4
GUIDELINE_DOCUMENTS = 2
STUDY_LINES = 3  # statements from studies after the guideline's steps


@dataclass(frozen=True)
class PlannedStep:
    label: str
    items: list[Candidate]


def heading_label(section: str, fallback: str) -> str:
    """The last heading of a guideline section's path: what its lines are; after its parent
    when it names only whom they are for ("Outpatient Treatment: Adults With Comorbidities")."""
    path = [h.strip() for h in section.split(HEADING_SEPARATOR.strip()) if h.strip()]
    if not path:
        return fallback
    if len(path) > 1 and plan.names_whom(path[-1]) and plan.heading_section(path[-1]) is None:
        return f"{path[-2]}: {path[-1]}"
    return path[-1]


def _heading_title(candidate: Candidate, evidence: Evidence) -> str:
    """A guideline line's document title, the guideline it is part of, and its headings."""
    document = evidence.documents[candidate.hit.passage.doc_id]
    return " ".join(filter(None, [document.title, document.part_of,
                                  candidate.hit.passage.section]))


def _position(candidate: Candidate) -> tuple[int, int]:
    """Where the line stands in its document: passage, then place in the passage."""
    passage = candidate.hit.passage
    return passage.ordinal, max(passage.text.find(candidate.text), 0)


def guideline_steps(
    pool: Sequence[Candidate], evidence: Evidence, audience: Audience,
    admit: Callable[[Candidate], bool], names_topic: Callable[[str], bool],
) -> list[PlannedStep] | None:
    """Steps under the headings of the guidelines that answer best, or None when no
    guideline gives enough answering lines. `pool` is in rank order; `admit` says whether a
    statement is new to the article (and records it when it is); `names_topic` whether a
    guideline's title and heading path name the question's topic: a sepsis guideline's "Renal
    Replacement Therapy", which mentions hyperkalaemia once, is no plan for hyperkalaemia."""
    lines = [c for c in pool if c.guideline and names_topic(_heading_title(c, evidence))]
    if len(lines) < GUIDELINE_LINES:
        return None
    # Every heading's answering lines, headings met best-ranked first.
    every: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in lines:
        passage = candidate.hit.passage
        every.setdefault((passage.doc_id, passage.section), []).append(candidate)
    # Headings that say they are about treatment ("Initial Fluid Resuscitation", "Insulin
    # Therapy for DKA") before those that do not ("Critical Warning"), then by rank; from a
    # few guidelines at most.
    ranked = sorted(every, key=lambda key: plan.heading_section(key[1]) != plan.MANAGEMENT)
    documents: list[str] = []
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for key in ranked:
        if key[0] not in documents and len(documents) < GUIDELINE_DOCUMENTS:
            documents.append(key[0])
        if key[0] in documents and len(groups) < GUIDELINE_STEPS:
            groups[key] = every[key]
    # Under each heading, its answering lines in the guideline's order: the first items of a
    # guideline's list are its main recommendations.
    chosen: list[tuple[tuple[str, str], list[Candidate]]] = []
    for key, members in groups.items():
        kept: list[Candidate] = []
        for candidate in sorted(members, key=_position):
            if len(kept) < LINES_PER_STEP and admit(candidate):
                kept.append(candidate)
        if kept:
            chosen.append((key, kept))
    if not chosen:
        return None
    chosen.sort(key=lambda item: (documents.index(item[0][0]),
                                  min(_position(c) for c in item[1])))
    steps = [PlannedStep(heading_label(section, evidence.documents[doc_id].title), members)
             for (doc_id, section), members in chosen]
    studies = [c for c in pool if not c.guideline]
    found: list[Candidate] = []
    for candidate in studies:
        if len(found) >= STUDY_LINES:
            break
        if admit(candidate):
            found.append(candidate)
    if found:
        steps.append(PlannedStep(plan.STEP_LABELS[audience]["other"], found))
    return steps


def role_steps(chosen: Sequence[Candidate], audience: Audience) -> list[PlannedStep]:
    """Steps by each statement's role, in the order care is given."""
    by_step: dict[str, list[Candidate]] = {}
    for candidate in chosen:
        step = plan.classify_step(candidate.text, candidate.hit.passage.section)
        by_step.setdefault(step, []).append(candidate)
    return [PlannedStep(plan.STEP_LABELS[audience][name], by_step[name])
            for name in plan.STEP_ORDER if name in by_step]
