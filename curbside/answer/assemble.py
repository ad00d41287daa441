"""Article assembly, the extractive composer: the bottom line, sections in the order the
question's intent asks for, numbered management steps, references in order of first use and
plain notes on what the library does and does not hold. It writes no clinical content of its
own; its only words are section titles, step labels and those notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from curbside.answer import sections as plan
from curbside.answer.bottom_line import choose_bottom_line, cuts_a_list, guideline_bottom_line
from curbside.answer.conflicts import find_conflicts
from curbside.answer.glossary import glossary_for
from curbside.answer.population import population_phrase
from curbside.answer.question import FUNCTION_WORDS
from curbside.answer.select import (
    Candidate,
    addresses_the_reader,
    answers,
    candidate_sentences,
    focus,
    jaccard,
    merge_duplicates,
    plain_enough,
    scored_candidates,
)
from curbside.answer.steps import PlannedStep, guideline_steps, of_another_kind, role_steps
from curbside.answer.topic import TopicMatcher, essential_words, topic_phrase, topic_threshold
from curbside.answer.urgency import has_emergency_cues
from curbside.models import (
    GUIDANCE_SOURCE,
    Article,
    ArticleSection,
    Audience,
    Block,
    BulletsBlock,
    Coverage,
    Document,
    Evidence,
    EvidenceItem,
    EvidenceLevel,
    Intent,
    QuestionAnalysis,
    Reference,
    Statement,
    Step,
    StepsBlock,
)
from curbside.settings import ComposerSettings
from curbside.text import stem, words

COMPOSER_NAME = "extractive"


DISCLAIMERS: dict[str, str] = {
    "clinician": (
        "For healthcare professionals. Every statement above is quoted from the source it cites; "
        "Curbside adds no advice of its own. Read the cited sources, check current guidelines "
        "and apply clinical judgement before acting on any of it."
    ),
    "patient": (
        "General information quoted from the sources listed, not medical advice. Talk to a "
        "doctor, nurse or pharmacist about your own situation. In an emergency, call your local "
        "emergency number."
    ),
}


CONFLICTS_TITLE = {"clinician": "Evidence conflicts", "patient": "Where sources disagree"}


CONFLICTS_LABEL = {
    "clinician": "These sources report opposite findings; weigh their design and date:",
    "patient": "These sources do not agree; ask your clinician what this means for you:",
}


# A recommendation's strength and evidence grade in brackets, and the panel's verb.
_GRADE = re.compile(r"\([^()]*\b(?:recommendation|evidence|grade|class|level)\b[^()]*\)"
                    r"|\b(?:recommends?|suggests?)\b", re.IGNORECASE)
_FIELD_NAME = re.compile(r"(?:^|[;—–] ?)([A-Z][\w /-]{0,40}?):")


class _Redundancy:
    """Keeps an article from saying the same thing twice in other words. Words shared by much
    of the evidence (the topic's name, its abbreviation) do not count as overlap. A guideline's
    lines under two of its headings are two statements unless nearly the same words: "Initial
    Therapy: Bronchodilator" for group A does not repeat "Initial Therapy: LABA + LAMA" for B."""

    def __init__(self, pool: Sequence[Candidate], topic: Sequence[str], threshold: float = 0.4,
                 sibling_threshold: float = 0.7):
        counts: dict[str, int] = {}
        for candidate in pool:
            for word in candidate.words:
                counts[word] = counts.get(word, 0) + 1
        common = max(3, int(0.6 * len(pool)))
        self.ignored = {w for w, n in counts.items() if n >= common} | FUNCTION_WORDS | set(topic)
        self.threshold = threshold
        self.sibling_threshold = sibling_threshold
        self.accepted: list[tuple[frozenset[str], tuple[str, str] | None]] = []

    def content(self, candidate: Candidate) -> frozenset[str]:
        # A guideline grades each line alike ("(Strong recommendation, Moderate quality of
        # evidence)"): two lines sharing only their grade and "the SSC recommends" differ.
        # Likewise a table's rows share their column names ("Starting Dose: …; Maximum Dose:").
        shared = _GRADE.findall(candidate.text) + _FIELD_NAME.findall(candidate.text)
        boilerplate = set(words(" ".join(shared)))
        return frozenset(stem(w) for w in candidate.words
                         if w not in self.ignored and w not in boilerplate)

    @staticmethod
    def _heading(candidate: Candidate) -> tuple[str, str] | None:
        passage = candidate.hit.passage
        return (passage.doc_id, passage.section) if candidate.guideline else None

    def _key(self, candidate: Candidate) -> tuple[frozenset[str], tuple[str, str] | None]:
        return self.content(candidate), self._heading(candidate)

    def _repeats(self, key: tuple[frozenset[str], tuple[str, str] | None]) -> bool:
        content, heading = key
        for seen, seen_heading in self.accepted:
            siblings = (heading is not None and seen_heading is not None
                        and heading[0] == seen_heading[0] and heading != seen_heading)
            if jaccard(content, seen) >= (self.sibling_threshold if siblings
                                          else self.threshold):
                return True
        return False

    def accept(self, candidate: Candidate) -> None:
        self.accepted.append(self._key(candidate))

    def admit(self, candidate: Candidate) -> bool:
        """Accept the statement unless it repeats one already accepted (its words are read
        once: admit runs for every line a guideline's steps consider)."""
        key = self._key(candidate)
        if self._repeats(key):
            return False
        self.accepted.append(key)
        return True


class _Citations:
    """Reference numbers in order of first use."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.sections: dict[str, list[str]] = {}  # doc id -> labels of the sections quoted

    def statement(self, candidate: Candidate) -> Statement:
        quoted = self.sections.setdefault(candidate.hit.passage.doc_id, [])
        if candidate.hit.passage.section not in quoted:
            quoted.append(candidate.hit.passage.section)
        cited = []
        for doc_id in candidate.doc_ids:
            if doc_id not in self.numbers:
                self.numbers[doc_id] = len(self.numbers) + 1
            cited.append(self.numbers[doc_id])
        return Statement(text=candidate.text, citations=cited)


def reference_for(
    n: int, document: Document, kind: str, sections: Sequence[str] = ()
) -> Reference:
    """A numbered reference; a guideline's, or a PMC full text's, names the sections the
    article quotes from it."""
    url = document.url or (f"https://doi.org/{document.doi}" if document.doi else None)
    title = document.title or f"PubMed record {document.pmid or document.id} (title not held)"
    quoted = [s for s in sections if s] if document.source in (GUIDANCE_SOURCE, "pmc") else []
    return Reference(n=n, id=document.id, title=title, journal=document.journal,
                     year=document.year, kind=kind, url=url, doi=document.doi,
                     note=document.note, sections=quoted)


_ASKS_FOR_SYMPTOMS = re.compile(r"\b(?:symptoms?|signs?)\b", re.IGNORECASE)
_ASKS_FOR_PREVENTION = re.compile(r"\b(?:prevent\w*|prophyla\w*)", re.IGNORECASE)
_ASKS_FOR_COMPLICATIONS = re.compile(r"\bcomplications?\b", re.IGNORECASE)


def article_title(analysis: QuestionAnalysis, topic: str) -> str:
    # The topic as the question wrote it: "Cushing syndrome" keeps its capital mid-sentence.
    written = re.search(re.escape(topic), analysis.question, re.IGNORECASE) if topic else None
    if written and written.start() > 0:
        topic = written.group(0)
    subject = topic[0].upper() + topic[1:] if topic else topic
    lowered = topic if (written and written.start() > 0) or topic[:2].isupper() \
        else topic[:1].lower() + topic[1:]
    diagnosis = "Signs and symptoms of" if _ASKS_FOR_SYMPTOMS.search(analysis.question) \
        else "Diagnosis of"
    prevention = bool(_ASKS_FOR_PREVENTION.search(analysis.question))
    outlook = "Complications" if _ASKS_FOR_COMPLICATIONS.search(analysis.question) \
        else "Prognosis"
    templates = {
        Intent.MANAGEMENT: f"{'Prevention' if prevention else 'Management'} of {lowered}",
        Intent.DOSING: f"Dosing of {lowered}",
        Intent.DIAGNOSIS: f"{diagnosis} {lowered}",
        Intent.PROGNOSIS: f"{outlook} of {lowered}",
        Intent.RISK: f"Risk factors for {lowered}",
        Intent.ETIOLOGY: f"Causes of {lowered}",
    }
    title = templates.get(analysis.intent, subject)
    if analysis.population:
        title += " " + population_phrase(analysis.population)
    return title


def _section_blocks(
    key: str, chosen: list[Candidate], audience: Audience, citations: _Citations,
    planned: list[PlannedStep] | None = None,
) -> list[Block]:
    if key == plan.MANAGEMENT and planned is None:
        planned = role_steps(chosen, audience)
    if not planned or len(planned) < 2:
        return _bullet_blocks(chosen, citations)
    return [StepsBlock(steps=[Step(label=step.label,
                                   items=[citations.statement(c) for c in step.items])
                              for step in planned])]


def _bullet_blocks(chosen: list[Candidate], citations: _Citations) -> list[Block]:
    """The section's statements as bullets. A guideline's lines are grouped under their
    heading path, which names what they are: "Age — 0 Points: < 60" is a row of the score
    its heading names ("Rockall Score › Pre-Endoscopy"). Other statements come first."""
    groups: dict[str | None, list[Candidate]] = {}
    for candidate in chosen:
        heading = candidate.hit.passage.section if candidate.guideline else None
        groups.setdefault(heading or None, []).append(candidate)
    if list(groups) == [None]:
        return [BulletsBlock(items=[citations.statement(c) for c in chosen])]
    ordered = sorted(groups.items(), key=lambda group: group[0] is not None)
    return [BulletsBlock(label=heading, items=[citations.statement(c) for c in members])
            for heading, members in ordered]


def compose_article(
    evidence: Evidence, audience: Audience, settings: ComposerSettings | None = None
) -> Article:
    settings = settings or ComposerSettings()
    analysis = evidence.analysis
    matcher = TopicMatcher.for_evidence(evidence)
    threshold = topic_threshold(evidence.topic_weights, settings)
    topic = topic_phrase(analysis)
    narrowed = focus(evidence, settings)
    focused, withheld = narrowed.evidence, narrowed.withheld
    missing_terms = list(evidence.missing_terms)
    on_topic_docs = list(dict.fromkeys(h.passage.doc_id for h in focused.hits))
    rated = candidate_sentences(focused, audience, settings) if analysis.topic_terms else []
    if not rated and analysis.population and analysis.topic_terms:
        about_topic = merge_duplicates(scored_candidates(
            focused, TopicMatcher.for_evidence(focused), audience, framed=False))
        if about_topic:
            frame = population_phrase(analysis.population)
            note = (
                f"Insufficient evidence {frame}: the library holds {_documents(on_topic_docs)} "
                f"on {topic}, but none of what they say is about {topic} {frame}, so this "
                f"article gives no answer to the question. What they say of {topic} in general "
                f"is listed below, and may not hold {frame}. Consult specialist guidance or a "
                "drug-safety reference, or add literature on this population to the library.")
            return _unanswered_article(evidence, audience, topic, about_topic, on_topic_docs,
                                       withheld, note, f"On {topic} in general (not {frame})")
    # A page on herpes zoster oticus does not say how herpes zoster is treated.
    # A page's list cut after its first item ("… include: A history of DVT.") reads as if that
    # item were the whole list; a guideline's line joined to its lead-in is whole.
    candidates = [c for c in rated if answers(c, settings) and not of_another_kind(c, focused)
                  and not c.of_subtype and (c.guideline or not cuts_a_list(c.text))]
    primary = plan.PRIMARY[analysis.intent]
    if (plan.asks_for_its_section(analysis.question, analysis.intent)
            and not any(c.section == primary for c in candidates)):
        # Asked for risk factors, lines on treatment duration are no answer, however well
        # they match the topic: the question names what it wants.
        candidates = []
    if rated and not candidates:
        note = (
            f"Insufficient evidence: the library holds {_documents(on_topic_docs)} on {topic}, "
            "but no sentence in them answers this question, so this article gives no answer. "
            "The sentences closest to an answer are listed below for you to judge, not as an "
            "answer. Consult specialist guidance, or add relevant literature and guidelines to "
            "the library and ask again.")
        return _unanswered_article(evidence, audience, topic, rated, on_topic_docs, withheld,
                                   note, f"Closest evidence on {topic} (not an answer)")
    if not candidates:
        # Nothing quotable is about the topic (on-topic passages may all be cut excerpts).
        return _insufficient_article(evidence, audience, matcher, topic, missing_terms, withheld)
    if audience == "patient":
        candidates = plain_enough(candidates, analysis.topic_terms)
    else:
        # "If you take this medication, work with your doctor …" is written to a patient: in
        # a clinician's article it reads as our advice to the clinician, so it is left out
        # while anything else answers.
        candidates = [c for c in candidates if not addresses_the_reader(c.text)] or candidates
    citations = _Citations()
    redundancy = _Redundancy(candidates, analysis.topic_terms)
    subjects: dict[tuple[str, str], bool] = {}

    def named_for_topic(candidate: Candidate) -> bool:
        """The sentence's document is about the topic: by its title, or for a guideline's
        line by its chapter and headings ("Insulin Therapy … in DKA › Dose Reduction"). A
        line of a guideline on another subject ("Propofol infusion syndrome presents with …
        hyperkalemia …" in a chapter on brain injury) is no statement on the topic."""
        doc_id = candidate.doc_ids[0]
        key = (doc_id, candidate.hit.title if candidate.guideline else "")
        if key not in subjects:
            document = focused.documents[doc_id]
            # An excerpt held without its title may be about anything: it is not judged so.
            subject = f"{_subject_of(document)} {key[1]}"
            subjects[key] = not document.title or matcher.coverage(subject) >= threshold
        return subjects[key]

    def belongs(candidate: Candidate) -> bool:
        """A sentence of a document about another subject belongs only when it names the
        topic as what it speaks of: not in passing ("… (and surrounding cellulitis), …"), and
        not by leaving it unnamed ("There is no cure for Milroy disease." on a page naming
        cellulitis elsewhere). One that leaves the topic unnamed must earn its place."""
        if candidate.topical > 0:
            return named_for_topic(candidate) or not matcher.mentions_in_passing(candidate.text)
        return candidate.score > 0.9 and named_for_topic(candidate)

    def plan_steps(remaining: list[Candidate], taken: list[Candidate]
                   ) -> list[PlannedStep] | None:
        unread = [c for c in rated if c.guideline and not c.read
                  and c.section == plan.MANAGEMENT and c not in taken]
        return guideline_steps(_section_pool(remaining, plan.MANAGEMENT, belongs), focused,
                               audience, redundancy.admit,
                               lambda text: matcher.coverage(text) >= threshold, unread)

    bottom: list[Candidate] = []
    essential = essential_words(focused.topic_weights)
    # A clinician's treatment question answered by a guideline gets its steps first and the
    # guideline's own main recommendation as the bottom line.
    steps_first = audience == "clinician" and primary == plan.MANAGEMENT
    planned_steps = plan_steps(candidates, []) if steps_first else None
    if planned_steps:
        lead = guideline_bottom_line(
            planned_steps, _section_pool(candidates, plan.MANAGEMENT, belongs),
            analysis.population,
            lambda c: essential <= (matcher.present(c.text) | matcher.present(
                _subject_of(focused.documents[c.doc_ids[0]]))))
        if lead is not None:
            bottom = [lead]
            planned_steps = _without(planned_steps, lead)
    if not bottom:
        in_steps = {id(c) for step in planned_steps or [] for c in step.items}
        bottom = choose_bottom_line([c for c in candidates if id(c) not in in_steps],
                                    focused, audience, settings.bottom_line_words,
                                    settings.bottom_line_sentences,
                                    settings.answer_lead_weight if settings.answer_model
                                    else 0.0)
        for c in bottom:
            redundancy.accept(c)
    bottom_line = [citations.statement(c) for c in bottom]
    remaining = [c for c in candidates if c not in bottom]

    article_sections: list[ArticleSection] = []
    present: list[str] = []
    for key in plan.article_plan(analysis.question, analysis.intent):
        limit = settings.items_per_section
        if key == plan.PRIMARY[analysis.intent] and key != plan.OVERVIEW:
            limit += 3
        if key == plan.OTHER:
            limit = 3
        pool = _section_pool(remaining, key, belongs)
        planned = None
        if key == plan.MANAGEMENT and primary == plan.MANAGEMENT:
            planned = planned_steps if steps_first else plan_steps(remaining, bottom)
        chosen: list[Candidate] = []
        if planned:
            chosen = [c for step in planned for c in step.items]
        else:
            for c in pool:
                if redundancy.admit(c):
                    chosen.append(c)
                if len(chosen) >= limit:
                    break
        if not chosen:
            continue
        present.append(key)
        article_sections.append(ArticleSection(
            key=key,
            title=plan.section_title(key, audience),
            blocks=_section_blocks(key, chosen, audience, citations, planned),
        ))

    conflicts = find_conflicts(candidates, redundancy.content)  # among answering sentences
    if conflicts:
        article_sections.append(ArticleSection(
            key="conflicts",
            title=CONFLICTS_TITLE[audience],
            blocks=[BulletsBlock(label=CONFLICTS_LABEL[audience],
                                 items=[citations.statement(a), citations.statement(b)])
                    for a, b in conflicts],
        ))

    notes = []
    # Documents that speak to the question's frame, not merely its topic.
    framed_docs = list(dict.fromkeys(d for c in candidates for d in c.doc_ids))
    title = article_title(analysis, topic)
    if analysis.population:
        topic = f"{topic} {population_phrase(analysis.population)}"
    if len(framed_docs) < 3:
        # A page on hemifacial microsomia naming ibuprofen among its risk factors is no
        # document on ibuprofen in pregnancy: the reader must know the evidence is indirect.
        # (An excerpt held without its title is not judged to be about another subject, nor
        # is a page whose title names every rare word of the topic but those of its state:
        # "Gout" is about acute gout; "Epidural analgesia …" is not about spinal epidural
        # abscess.)
        essential = essential_words(evidence.topic_weights)
        about_other = [evidence.documents[d].title for d in framed_docs
                       if evidence.documents[d].title
                       and matcher.coverage(_subject_of(evidence.documents[d])) < threshold
                       and not essential <= matcher.present(_subject_of(evidence.documents[d]))]
        one = len(framed_docs) == 1
        counted = f"Only {_documents(framed_docs)} in the library"
        if about_other and len(about_other) == len(framed_docs):
            named = "; ".join(f"“{t}”" for t in about_other)
            notes.append(
                f"{counted} speak{'s' if one else ''} of {topic}, and "
                f"{'it is' if one else 'they are'} about another subject ({named}), naming "
                f"{topic_phrase(analysis)} in passing: "
                f"this is indirect evidence, and no document in the library is about {topic}.")
        else:
            notes.append(f"{counted} address{'es' if one else ''} {topic}; this article is "
                         f"limited to what {'it reports' if one else 'they report'}.")
    present += [c.section for c in bottom]  # the bottom line says something on its section
    absent = [plan.section_title(k, audience).lower() for k in plan.EXPECTED[analysis.intent]
              if k not in present]
    if absent:
        notes.append("The library holds no evidence on " + "; ".join(absent) + " for "
                     f"{topic}; nothing is said about {'it' if len(absent) == 1 else 'them'}.")
    notes.extend(withheld_note(evidence, withheld))
    coverage = Coverage(
        searched_terms=analysis.query_terms,
        on_topic_documents=len(on_topic_docs),
        missing_terms=missing_terms,
        note=" ".join(notes),
        withheld=withheld,
    )
    return _assemble(evidence, audience, analysis, title, bottom_line,
                     article_sections, citations, coverage, insufficient=False)


def _subject_of(document: Document) -> str:
    """What a document is about, by its title and the work it is part of."""
    return f"{document.title} {document.part_of or ''}"


def _section_pool(remaining: Sequence[Candidate], key: str,
                  belongs: Callable[[Candidate], bool]) -> list[Candidate]:
    """The candidates for a section, those that `belongs` admits."""
    return [c for c in remaining if c.section == key and belongs(c)]


def _without(steps: Sequence[PlannedStep], taken: Candidate) -> list[PlannedStep]:
    """The steps less a statement the bottom line says; a step left empty goes."""
    kept = [PlannedStep(step.label, [c for c in step.items if c is not taken])
            for step in steps]
    return [step for step in kept if step.items]


def withheld_note(evidence: Evidence, withheld: Sequence[str]) -> list[str]:
    """Say which relevant documents were left out because they are retracted."""
    if not withheld:
        return []
    named = "; ".join(
        f"“{evidence.documents[d].title}” ({d})" for d in withheld if d in evidence.documents)
    return [f"Left out because retracted (or a retraction notice), never cited: {named}."]


def _insufficient_article(
    evidence: Evidence,
    audience: Audience,
    matcher: TopicMatcher,
    topic: str,
    missing_terms: list[str],
    withheld: Sequence[str] = (),
) -> Article:
    """An honest answer when nothing in the library is about the topic: what was searched,
    what was missing, and the closest documents, labelled as such and never as an answer."""
    analysis = evidence.analysis
    citations = _Citations()
    closest: list[Candidate] = []
    seen: set[str] = set()
    for candidate in merge_duplicates(scored_candidates(evidence, matcher, audience)):
        doc_id = candidate.doc_ids[0]
        if doc_id in seen or candidate.topical <= 0:
            continue
        seen.add(doc_id)
        closest.append(candidate)
        if len(closest) >= 5:
            break
    closest.sort(key=lambda c: (c.topical, c.score), reverse=True)
    found_terms = sorted({t for c in closest for t in matcher.present(c.text)})
    sections: list[ArticleSection] = []
    if closest:
        sections.append(ArticleSection(
            key="closest",
            title=f"Closest evidence found (not about {topic} itself)",
            blocks=[BulletsBlock(items=[citations.statement(c) for c in closest])],
        ))
    missing = (" No document mentions " + ", ".join(f"“{t}”" for t in missing_terms) + "."
               if missing_terms else "")
    mentions = (" Some documents mention " + " or ".join(f"“{t}”" for t in found_terms)
                + f", but none discusses {topic}; the closest are listed below for you to "
                "judge, not as an answer." if found_terms else "")
    note = (
        f"Insufficient evidence: the library has no document that addresses {topic}, so this "
        f"article gives no answer to the question.{missing}{mentions} Consult specialist "
        "guidance, or add relevant literature and guidelines to the library and ask again."
    )
    note = " ".join([note, *withheld_note(evidence, withheld)])
    coverage = Coverage(searched_terms=analysis.query_terms, on_topic_documents=0,
                        missing_terms=missing_terms, note=note, withheld=list(withheld))
    return _assemble(evidence, audience, analysis, article_title(analysis, topic), [], sections,
                     citations, coverage, insufficient=True)


def _documents(doc_ids: Sequence[str]) -> str:
    return f"{len(doc_ids)} document{'s' if len(doc_ids) != 1 else ''}"


def _unanswered_article(
    evidence: Evidence,
    audience: Audience,
    topic: str,
    about_topic: list[Candidate],
    on_topic_docs: list[str],
    withheld: Sequence[str],
    note: str,
    heading: str,
) -> Article:
    """The library speaks of the topic but does not answer the question (or not for the
    population asked about: "ibuprofen", never "ibuprofen in pregnancy"): say so, and show
    the closest of what it holds apart, under a heading that says it is not the answer."""
    analysis = evidence.analysis
    citations = _Citations()
    shown: list[Candidate] = []
    seen: set[str] = set()
    for candidate in about_topic:
        if candidate.doc_ids[0] not in seen:
            seen.add(candidate.doc_ids[0])
            shown.append(candidate)
        if len(shown) >= 4:
            break
    note = " ".join([note, *withheld_note(evidence, withheld)])
    sections = [ArticleSection(
        key="closest", title=heading,
        blocks=[BulletsBlock(items=[citations.statement(c) for c in shown])],
    )]
    coverage = Coverage(searched_terms=analysis.query_terms, on_topic_documents=len(on_topic_docs),
                        missing_terms=list(evidence.missing_terms), note=note,
                        withheld=list(withheld))
    return _assemble(evidence, audience, analysis, article_title(analysis, topic), [], sections,
                     citations, coverage, insufficient=True)


def _assemble(
    evidence: Evidence,
    audience: Audience,
    analysis: QuestionAnalysis,
    title: str,
    bottom_line: list[Statement],
    article_sections: list[ArticleSection],
    citations: _Citations,
    coverage: Coverage,
    insufficient: bool,
) -> Article:
    kinds = {h.passage.doc_id: h.appraisal.kind for h in evidence.hits if h.appraisal}
    references = [
        reference_for(n, evidence.documents[doc_id], kinds.get(doc_id, "Research"),
                      citations.sections.get(doc_id, ()))
        for doc_id, n in sorted(citations.numbers.items(), key=lambda item: item[1])
    ]
    cited = set(citations.numbers)
    evidence_items = [
        EvidenceItem(
            doc_id=h.passage.doc_id, ordinal=h.passage.ordinal, section=h.passage.section,
            text=h.passage.text, score=round(h.score, 4),
            level=h.appraisal.level.value if h.appraisal else EvidenceLevel.OTHER.value,
            used=h.passage.doc_id in cited,
        )
        for h in evidence.hits[:30]
    ]
    generated_at = datetime.now(UTC).isoformat(timespec="seconds")
    article = Article(
        question=analysis.question,
        audience=audience,
        generated_at=generated_at,
        composer=COMPOSER_NAME,
        intent=analysis.intent,
        title=title,
        bottom_line=bottom_line,
        sections=article_sections,
        references=references,
        evidence=evidence_items,
        coverage=coverage,
        insufficient_evidence=insufficient,
        disclaimer=DISCLAIMERS[audience],
        urgent=has_emergency_cues(analysis.question),
    )
    if audience == "patient":
        article.glossary = glossary_for(s.text for s in article.statements())
    return article
