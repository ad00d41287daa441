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
from curbside.answer.population import for_another_group, speaks_of
from curbside.answer.select import Candidate
from curbside.models import HEADING_SEPARATOR, Audience, Evidence

# A guideline leads the management section when it gives this many answering lines.
GUIDELINE_LINES = 4
GUIDELINE_STEPS = 6
LINES_PER_STEP = 4
GUIDELINE_DOCUMENTS = 2
FIRST_HEADINGS = 2  # of each guideline document, kept in its order before the best-ranked
STUDY_LINES = 3  # statements from studies after the guideline's steps
# ... each more likely than not to answer, by the answer model (an even chance, not a value
# tuned on data): the plan is the answer, and a study adds to it only what answers too.
STUDY_LINE_ANSWER = 0.5


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


def of_another_kind(candidate: Candidate, evidence: Evidence) -> bool:
    """A guideline line under a heading on another kind of treatment than the one asked for
    ("Psychotherapy for Depression", asked how depression is treated with medication)."""
    return candidate.guideline and plan.other_kind_of_treatment(
        evidence.analysis.question, _heading_title(candidate, evidence))


def _part_order(evidence: Evidence, doc_id: str, documents: Sequence[str]
                ) -> tuple[int, int, int]:
    """Parts of one guideline by their place in it; other documents by rank."""
    document = evidence.documents[doc_id]
    rank = documents.index(doc_id)
    if document.part_of and document.part_number is not None:
        first = min(documents.index(d) for d in documents
                    if evidence.documents[d].part_of == document.part_of)
        return (first, document.part_number, rank)
    return (rank, 0, rank)


def _treatment_heading(section: str, evidence: Evidence) -> bool:
    """A heading whose lines are treatment steps: one about treatment or about nothing in
    particular ("Colchicine for Acute Flare"), or about the population asked for; not
    "Monitoring", "Diagnostic Criteria" or another population's "Special Populations"."""
    if for_another_group(evidence.analysis.population, section):
        return False  # "Cohort 1: Children and Adolescents › Pharmacotherapy", asked of adults
    named = plan.heading_section(section)
    if named == plan.SPECIAL:
        return bool(evidence.analysis.population) and speaks_of(evidence.analysis.population,
                                                                section)
    return named in (None, plan.MANAGEMENT)


def _position(candidate: Candidate) -> tuple[int, int]:
    """Where the line stands in its document: passage, then place in the passage."""
    passage = candidate.hit.passage
    return passage.ordinal, max(passage.text.find(candidate.text), 0)


def guideline_steps(
    pool: Sequence[Candidate], evidence: Evidence, audience: Audience,
    admit: Callable[[Candidate], bool], names_topic: Callable[[str], bool],
    unread: Sequence[Candidate] = (),
) -> list[PlannedStep] | None:
    """Steps under the headings of the guidelines that answer best, or None when no
    guideline gives enough answering lines. `pool` is in rank order; `admit` says whether a
    statement is new to the article (and records it when it is); `names_topic` whether a
    guideline's title and heading path name the question's topic: a sepsis guideline's "Renal
    Replacement Therapy", which mentions hyperkalaemia once, is no plan for hyperkalaemia.
    `unread` are lines the answer model had no budget to read: under a heading whose other
    lines answer, they take their place in the guideline's order. The answer model reads a
    guideline's terse key line ("The panel suggests using DOACs over VKAs") after a hundred
    others of the same topic, and the heading already says what the line is about."""
    lines = [c for c in pool if c.guideline and names_topic(_heading_title(c, evidence))
             and not of_another_kind(c, evidence)]
    if len(lines) < GUIDELINE_LINES:
        return None
    # Every heading's answering lines, headings met best-ranked first.
    every: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in lines:
        passage = candidate.hit.passage
        if _treatment_heading(passage.section, evidence):
            every.setdefault((passage.doc_id, passage.section), []).append(candidate)
    ranked = list(dict.fromkeys(doc_id for doc_id, _ in every))
    documents = ranked[:GUIDELINE_DOCUMENTS]
    # One more part of the same guideline may join: a guideline split into parts (fluids,
    # insulin, transition) gives its plan across them.
    whole = documents and evidence.documents[documents[0]].part_of
    documents += [d for d in ranked[len(documents):]
                  if whole and evidence.documents[d].part_of == whole][:1]
    share = max(-(-GUIDELINE_STEPS // max(len(documents), 1)), 1)  # rounded up
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for doc_id in documents:
        mine = [key for key in every if key[0] == doc_id]
        # A guideline's first treatment headings are its main recommendations ("Initial
        # Fluid Resuscitation" before "Hyperchloremia Prevention"), whatever the ranking says
        # of their terse lines; the best-ranked of the rest follow, up to the document's share.
        in_order = sorted(mine, key=lambda key: min(_position(c) for c in every[key]))
        kept = in_order[:FIRST_HEADINGS]
        kept += [key for key in mine if key not in kept][:share - len(kept)]
        for key in kept:
            groups[key] = list(every[key])
    # Under each heading, its answering lines in the guideline's order: the first items of a
    # guideline's list are its main recommendations.
    for candidate in unread:
        key = (candidate.hit.passage.doc_id, candidate.hit.passage.section)
        if key in groups and candidate not in groups[key]:
            groups[key].append(candidate)
    chosen: list[tuple[tuple[str, str], list[Candidate]]] = []
    for key, members in groups.items():
        kept_lines: list[Candidate] = []
        for candidate in sorted(members, key=_position):
            if len(kept_lines) < LINES_PER_STEP and admit(candidate):
                kept_lines.append(candidate)
        if kept_lines:
            chosen.append((key, kept_lines))
    if not chosen:
        return None
    # Parts of one guideline in its own order; then each document's headings in its order.
    chosen.sort(key=lambda item: (_part_order(evidence, item[0][0], documents),
                                  min(_position(c) for c in item[1])))
    steps = [PlannedStep(heading_label(section, evidence.documents[doc_id].title), members)
             for (doc_id, section), members in chosen]
    # Studies after a guideline's plan say what a treatment does or advise one: "since 2001,
    # GOLD has published its strategy" and a training study's leg physiology add nothing.
    studies = [c for c in pool if not c.guideline and plan.states_effect_or_advice(c.text)
               and (c.answer >= STUDY_LINE_ANSWER or not c.read)]
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
