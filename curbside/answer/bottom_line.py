"""The bottom line: the sentences that answer the question best, by the fitted lead model
(curbside/answer/lead.py) for clinicians and by plain language for patients."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from curbside.answer import sections as plan
from curbside.answer.lead import (
    LEAD_POOL,
    PRONOUN_START,
    LeadCandidate,
    QuestionContext,
    lead_features,
    lead_score,
)
from curbside.answer.population import for_another_group, names_a_population
from curbside.answer.select import Candidate
from curbside.answer.steps import PlannedStep
from curbside.answer.topic import TopicMatcher, essential_words
from curbside.models import (
    GUIDANCE_SOURCE,
    Audience,
    Document,
    Evidence,
    Intent,
)


def lead_candidates(candidates: Sequence[Candidate], evidence: Evidence) -> list[LeadCandidate]:
    """What the lead model reads of each candidate sentence."""
    ranks: dict[str, int] = {}
    for hit in evidence.hits:
        ranks.setdefault(hit.passage.doc_id, len(ranks))
    top_score = max((h.score for h in evidence.hits), default=0.0)
    primary = plan.PRIMARY[evidence.analysis.intent]
    return [
        LeadCandidate(
            text=c.text,
            topic_coverage=c.topical,
            relevance=c.hit.score / top_score if top_score > 0 else 0.0,
            document_rank=ranks.get(c.doc_ids[0], len(ranks)),
            primary_section=c.section == primary,
            composer_score=c.score,
            sources=len(c.doc_ids),
        )
        for c in candidates
    ]


def question_context(evidence: Evidence) -> QuestionContext:
    ranked = list(dict.fromkeys(h.passage.doc_id for h in evidence.hits))
    return QuestionContext(evidence.analysis.question, evidence.analysis.topic_terms,
                           (evidence.documents[d].full_text() for d in ranked
                            if d in evidence.documents))


def _log_odds(probability: float) -> float:
    p = min(max(probability, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


# Words that make a clause: auxiliaries and the verbs clinical sentences turn on. A sentence
# with none of them and no "-ed" form is a heading, a name or a list item.
_CLAUSE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had|can|cannot|may|might|must|should|will|"
    r"would|could|does|do|did|include[sd]?|cause[sd]?|reduce[sd]?|increase[sd]?|improve[sd]?|"
    r"lower[sd]?|raise[sd]?|prevent[sd]?|treat[sd]?|require[sd]?|need[sd]?|remain[sd]?|"
    r"occur[sd]?|affect[sd]?|lead[sd]?|result[sd]?|appear[sd]?|seem[sd]?|show[sd]?|"
    r"suggest[sd]?|indicate[sd]?|develop[sd]?|involve[sd]?|make[sd]?|become[sd]?|take[sd]?|"
    r"give[sd]?|use[sd]?|help[sd]?|work[sd]?|relieve[sd]?|depend[sd]?|allow[sd]?|"
    r"recommends?|suggests?|offers?|considers?|prefers?|favou?rs?|forms?|"
    r"\w+ed)\b", re.IGNORECASE)


# A long lead-in, a colon and a few words to the end: the list's first item alone.
_FIRST_ITEM_ONLY = re.compile(r"^(?:[^\s:]+\s+){5,}[^\s:]+:\s+(?:[^\s:]+\s*){1,4}$")
# "… include: A history …", not "a 1:1 ratio" nor a glued "… Information: The online …"
_LIST_LEAD_IN = re.compile(
    r"\b(?:include|includes|including|are|were|following|such as|as follows|these)\s*:\s+"
    r"(?:[A-Z]|- )")


def states_something(text: str) -> bool:
    """A whole statement: it has a clause, and is not a list's lead-in cut after its colon."""
    return bool(_CLAUSE.search(text)) and not cuts_a_list(text)


def cuts_a_list(text: str) -> bool:
    """A list's lead-in with its first item only ("The risk factors … include: A history of
    DVT.", "… to confirm a diagnosis and find its cause: TSH test."), where a page's flattened
    list was cut into sentences."""
    return bool(_LIST_LEAD_IN.search(text) or _FIRST_ITEM_ONLY.match(text))


ADVICE_HEAD_WORDS = 6  # words before a colon that make an advice, not a field's label
# A recommendation in a guideline's words: what it advises, not what it observes.
_ADVISES = re.compile(
    r"(?<!-)\b(?:recommend\w*|suggests?|suggested|should|preferred|of choice|indicated|offer|"
    r"first[- ]line|is reasonable|are reasonable|initiate|start|give|use|standard of care|"
    r"mainstay|foundation|cornerstone)\b", re.IGNORECASE)
# "All four should be initiated …" leans on the line before it, as "These …" does.
_COUNTS_BACK = re.compile(r"^(?:all|the|each of the) (?:two|three|four|five|six)\b",
                          re.IGNORECASE)
_NO_SUBJECT = re.compile(r"^(?:not )?(?:recommended|suggested|indicated|preferred|reasonable|"
                         r"(?:may|can|should|must) be)\b", re.IGNORECASE)
_ADVISES_AGAINST = re.compile(
    r"\b(?:not (?:be )?(?:recommended|suggested|indicated|used|given|offered|routinely)|"
    r"do not|should not|avoid\w*|against)\b", re.IGNORECASE)
# A score's or a table's row ("Malignancy: 1.0 point", "Apixaban — Initial Phase: 10 mg …")
# is a line to look up, not the answer to how a condition is treated.
_ROW = re.compile(r"\b\d+(?:\.\d+)? points?\b| — [^:]{1,60}: |^[^:]{1,40}: \S", re.IGNORECASE)


def advises(text: str) -> bool:
    """The line is a recommendation stated whole, not a table row or a list's lead-in. A
    guideline's advice with its list item joined on ("APA recommends (1B) that naltrexone …
    be offered to patients who: Have a goal of …") is whole: its advice comes before the
    colon."""
    if PRONOUN_START.match(text) or _COUNTS_BACK.match(text):
        return False
    head, colon, _ = text.partition(": ")
    if colon and len(head.split()) >= ADVICE_HEAD_WORDS:
        return bool(_ADVISES.search(head)) and bool(_CLAUSE.search(head))
    return bool(_ADVISES.search(text)) and not _ROW.search(text) and states_something(text)


LEAD_STEPS = 2  # a guideline's headings whose advice may lead when none names a first line


def guideline_bottom_line(steps: Sequence[PlannedStep], pool: Sequence[Candidate] = (),
                          population: Sequence[str] = (),
                          on_topic: Callable[[Candidate], bool] = lambda _: True,
                          ) -> Candidate | None:
    """For a treatment question answered by a guideline's steps, the bottom line is the
    guideline's own main recommendation: a first-line recommendation if it states one, else
    the advice of its first headings (the order its panel gave them) that the answer model
    rates the best answer: APA's "naltrexone or acamprosate be offered" over its goals of
    treatment, never a fifth heading's "Mycotic Aneurysms". `pool` holds lines under those
    headings that the steps had no room for (a table's rows may fill a step ahead of the advice
    after them). The lead model, fitted on abstracts, would pick the line whose words the
    documents share most, a score's "Malignancy: 1.0 point" as soon as any other. Advice for
    a group the question did not ask about ("Children: Burns exceeding 10-15% TBSA") never
    leads, nor does a line that does not name the topic in a guideline on another subject
    (`on_topic`): an antidepressant chapter's "SSRIs are generally preferred as first-line
    medication", shown for its table row on hyponatremia, is no answer on hyponatremia."""
    lines = [c for step in steps for c in step.items if c.guideline and on_topic(c)]
    # "First-line: norepinephrine …" is labelled as the recommendation it is.
    first_line = [c for c in lines if plan.names_first_line(c.text, c.hit.passage.section)
                  and (advises(c.text) or plan.FIRST_LINE_LABEL.match(c.text.lower()))
                  and not for_another_group(population, c.text)]
    if first_line:
        return first_line[0]
    shown = [c for step in steps[:LEAD_STEPS] for c in step.items]
    headings = {(c.hit.passage.doc_id, c.hit.passage.section) for c in shown}
    kept = {id(c) for c in shown}
    unshown = [c for c in pool if id(c) not in kept
               and (c.hit.passage.doc_id, c.hit.passage.section) in headings]
    leading = [c for c in [*shown, *unshown] if c.guideline and advises(c.text)
               and not for_another_group(population, c.text) and on_topic(c)]
    # "Recommended in preference to ACEi …" has its subject in its heading, not in itself:
    # read alone, as a bottom line is, it says nothing ("Not recommended for severe DKA …").
    leading = [c for c in leading if not _NO_SUBJECT.match(c.text)]
    if leading:
        # What to do leads before what not to: "Empiric antibiotic therapy should be initiated"
        # before "Routine anaerobic coverage … is not recommended".
        return max(leading, key=lambda c: (not _ADVISES_AGAINST.search(c.text), c.answer))
    # Else the first advice in the steps' order.
    return next((c for c in lines if advises(c.text) and not _NO_SUBJECT.match(c.text)
                 and not for_another_group(population, c.text)), None)


def _about_the_topic(candidate: Candidate, evidence: Evidence, matcher: TopicMatcher) -> bool:
    """The sentence's document is named for the topic (its title, or the guideline it is part
    of, covers all of the topic's rarity)."""
    return matcher.coverage(_subject_of(evidence.documents[candidate.doc_ids[0]])) >= 1.0


def _subject_of(document: Document) -> str:
    return f"{document.title} {document.part_of or ''}"


# Questions asking for a list of things of one kind, and the kind.
_ASKS_FOR_A_LIST = re.compile(
    r"\b(symptoms|signs|risk factors|causes|complications|side effects|adverse effects)\b",
    re.IGNORECASE)
_LIST_CUE = r"[^.;:]{0,60}?(?:\b(?:are|include|includes|including|such as)\b|:)"
_LIST_SEPARATOR = re.compile(r"[,;]| - ")
_PARENTHESES = re.compile(r"\([^()]*\)")
LIST_ITEMS = 3
LIST_WORDS = 45  # a list this long reads as a bottom line; a page's whole list does not
_PREVENTS = re.compile(r"\b(?:prevent\w*|vaccin\w*|prophyla\w*)", re.IGNORECASE)
_TREATS = re.compile(r"\btreat\w*", re.IGNORECASE)
_NOT_A_TREATMENT = re.compile(r"\bnot (?:a|an) (?:\w+ )?(?:treatment|cure)\b", re.IGNORECASE)


def _lists_the(kind: str, text: str) -> bool:
    """The sentence names the kind asked for and lists three of them or more after it:
    "The most common symptoms … are chest pain or discomfort, upper body discomfort, and
    shortness of breath."""
    named = r"(?:signs?|symptoms?)" if kind.lower() in ("signs", "symptoms") else \
        re.escape(kind[:-1]) + r"\w*"
    text = _PARENTHESES.sub(" ", text)  # "Unprovoked (no identifiable risk factor) — …"
    match = re.search(rf"\b{named}{_LIST_CUE}", text, re.IGNORECASE)
    return match is not None and len(_LIST_SEPARATOR.split(text[match.end():])) >= LIST_ITEMS


def choose_bottom_line(
    candidates: list[Candidate], evidence: Evidence, audience: Audience, max_words: int,
    max_sentences: int, answer_lead_weight: float = 0.0,
) -> list[Candidate]:
    """The sentences the lead model rates the best answers, within the word budget. Patients
    get the composer's own ranking, which favours consumer-health pages and plain sentences
    (the lead model learned from experts' answers)."""
    # A sentence opening on "These findings …" leans on what the reader will not see, and a
    # fragment ("Acute gout, or acute gouty arthritis.") or a list's cut lead-in ("… include:
    # A history of DVT.") says nothing whole: only when nothing else is on offer.
    pool = candidates[:LEAD_POOL]
    usable = [c for c in pool if not PRONOUN_START.match(c.text) and states_something(c.text)]
    usable = usable or [c for c in pool if not PRONOUN_START.match(c.text)] or pool
    if not usable:
        return []
    # "How is it treated?", naming no population, gets a bottom line that does not hold for
    # one alone ("… in children"), while one that holds generally is on offer. (Elsewhere the
    # population may be the answer: "which disorder is domperidone used for off label?")
    # A guideline's notes on its own limits ("… based on limited trial data") answer nothing.
    usable = [c for c in usable if not (c.guideline and c.section == plan.OTHER)] or usable
    if plan.asks_for_its_section(evidence.analysis.question, evidence.analysis.intent):
        # "What is the prognosis of ALS?" is answered by a statement on prognosis, not by
        # the definition of ALS.
        primary = plan.PRIMARY[evidence.analysis.intent]
        usable = [c for c in usable if c.section == primary] or usable
    matcher = TopicMatcher.for_evidence(evidence)
    kind = _ASKS_FOR_A_LIST.search(evidence.analysis.question)
    if kind:
        # "What are the symptoms of hypothyroidism?" is answered by the sentence that lists
        # them ("Common symptoms of hypothyroidism are fatigue, weight gain, …"), not by
        # one that says they vary.
        # (Not one naming the topic as an item of its list: "… other causes of symptoms, such
        # as spinal cord compression, multiple sclerosis and spinal cord tumors.")
        lists = [c for c in candidates if matcher.coverage(c.text) >= 1.0
                 and _lists_the(kind.group(1), c.text) and not PRONOUN_START.match(c.text)
                 and not matcher.mentions_in_passing(c.text)]
        short = [c for c in lists if len(c.text.split()) <= LIST_WORDS]
        usable = (short or lists)[:LEAD_POOL] or usable
    treats = evidence.analysis.intent in (Intent.MANAGEMENT, Intent.DOSING)
    if treats:
        # "The shingles vaccine is … not a treatment for those who already have shingles"
        # says what does not treat it: the answer is what does. Nor does a vaccine that
        # prevents it ("… approved a vaccine (Zostavax) to prevent shingles"), asked how it
        # is treated rather than prevented.
        asks_prevention = bool(_PREVENTS.search(evidence.analysis.question))
        usable = [c for c in usable if not _NOT_A_TREATMENT.search(c.text)
                  and (asks_prevention or not _PREVENTS.search(c.text)
                       or _TREATS.search(c.text))] or usable
    if treats and not evidence.analysis.population:
        usable = [c for c in usable if not names_a_population(c.text)] or usable
    if treats:
        # "How is cellulitis treated?" is answered from a page about cellulitis ("Treatment is
        # with antibiotics."), not by a page on another disease naming it in passing.
        usable = [c for c in usable if _about_the_topic(c, evidence, matcher)] or usable
    if evidence.analysis.intent in (Intent.MANAGEMENT, Intent.DOSING):
        # A guideline's first-line recommendation is the answer to "how is it treated".
        # … of a guideline on the topic, or one its line names: an antidepressant chapter's
        # "SSRIs are generally preferred as first-line medication" is no answer on hyponatremia.
        essential = essential_words(evidence.topic_weights)
        first_line = [c for c in usable
                      if evidence.documents[c.doc_ids[0]].source == GUIDANCE_SOURCE
                      and plan.names_first_line(c.text, c.hit.passage.section)
                      and essential <= (matcher.present(c.text) | matcher.present(
                          _subject_of(evidence.documents[c.doc_ids[0]])))]
        usable = first_line or usable
    if audience == "patient":
        primary = plan.PRIMARY[evidence.analysis.intent]
        scores = [c.score + (0.3 if c.section in (primary, plan.OVERVIEW) else 0.0)
                  for c in usable]
    else:
        context = question_context(evidence)
        scores = [lead_score(lead_features(lead, context))
                  for lead in lead_candidates(usable, evidence)]
    # The answer model's log-odds that the sentence answers the question join either ranking.
    scores = [s + answer_lead_weight * _log_odds(c.answer) for s, c in zip(scores, usable,
                                                                            strict=True)]
    ranked = [c for _, c in sorted(zip(scores, usable, strict=True),
                                   key=lambda pair: pair[0], reverse=True)]
    chosen: list[Candidate] = []
    used = 0
    for candidate in ranked:
        length = len(candidate.text.split())
        if used + length > max_words:
            continue
        chosen.append(candidate)
        used += length
        if len(chosen) >= max_sentences:
            break
    return chosen
