"""Sentence selection: every quotable sentence of the evidence about the question's topic,
scored for how well it answers the question, for this audience, with the section it belongs in.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

# textstat 0.7.3 imports pkg_resources, whose deprecation warning would reach every reader of
# `curbside ask` on stderr; the warning is about textstat's packaging, not about the article.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    import textstat

from curbside.answer import sections as plan
from curbside.answer.appraise import LEVEL_WEIGHT
from curbside.answer.lead import (
    CONCLUSION_LABELS,
    NUMBER,
    PRONOUN_START,
    RESULT_LABELS,
)
from curbside.answer.population import other_setting, speaks_of
from curbside.answer.sentences import quotable_sentences
from curbside.answer.topic import TopicMatcher, names_subtype, subtype_names, topic_threshold
from curbside.answer.trace import is_traceable
from curbside.learned.answer_model import answer_scorer
from curbside.learned.section_model import section_model
from curbside.models import (
    GUIDANCE_SOURCE,
    HEADING_SEPARATOR,
    Audience,
    Document,
    Evidence,
    EvidenceLevel,
    PassageHit,
    QuestionAnalysis,
)
from curbside.settings import ComposerSettings
from curbside.text import fold, normalize_space, words

# How much the retrieval rank of a sentence's passage counts against its own topic coverage;
# tuned on BioASQ 12b batches 1-3 summary questions.
RELEVANCE_WEIGHT = 1.2

# What a guideline's line costs of the answer model's reading budget (`answer_pool`): it is
# one short list item or table row, where an abstract's sentence is long.
GUIDELINE_LINE_SHARE = 0.5

# Patient view: consumer-health pages and plain sentences win among equally relevant evidence
# (tuned on K-QA patient questions for a reading level about three grades below clinicians').
PATIENT_CONSUMER_BONUS = 0.5
PATIENT_TARGET_GRADE = 7.0
PATIENT_GRADE_COST = 0.15
PATIENT_MAX_GRADE = 12.0

_SECOND_PERSON = re.compile(r"\b(?:you|your|yourself)\b", re.IGNORECASE)
# Findings in animals or cells are not clinical findings, unless the question asks about them.
_PRECLINICAL = re.compile(
    r"\b(?:mice|mouse|murine|rats?|rodents?|rabbits?|dogs?|canine|pigs?|piglets?|porcine|"
    r"sheep|ovine|bovine|primates?|monkeys?|zebrafish|drosophila|animal models?|in vitro|"
    r"cell lines?|cultured cells|xenografts?|ex vivo|explants?|"
    r"experiments? on (?:\w+ ){0,3}(?:segments|tissues?|strips|slices|cells|isolated)|"
    r"isolated (?:hearts?|tissues?|cells|vessels|arteries|muscles?)|"
    r"\d+ (?:[µμu]M|microM|nM)|micromolar|nanomolar)\b",
    re.IGNORECASE)


# A study that speaks of none of these was not done in people.
_PEOPLE = re.compile(
    r"\b(?:patients?|participants?|subjects?|people|persons?|individuals?|humans?|men|women|"
    r"children|adults?|infants?|volunteers?|cases?|cohort|clinical|hospitals?)\b",
    re.IGNORECASE)


def preclinical(text: str, document: Document) -> bool:
    """The sentence, or the study it comes from, is about animals or cells: its title says so,
    its MeSH terms do, or its text speaks of animals or cells and never of people ("…
    phospho-S6 rose 3 d after kainate injection" from "… in a rat model")."""
    if _PRECLINICAL.search(text) or _PRECLINICAL.search(document.title):
        return True
    mesh = set(document.mesh_terms)
    if "Animals" in mesh and "Humans" not in mesh:
        return True
    return _study_without_people(document.title, tuple(s.text for s in document.sections))


@lru_cache(maxsize=4096)
def _study_without_people(title: str, texts: tuple[str, ...]) -> bool:
    return any(_PRECLINICAL.search(t) for t in texts) and not any(
        _PEOPLE.search(t) for t in (title, *texts))


def in_frame(text: str, document: Document, analysis: QuestionAnalysis,
             title: str | None = None, section: str = "") -> bool:
    """The sentence answers for the question's frame: its population (spoken of in the
    sentence or in the title it is read under, a guideline's heading path included), its care
    setting (a guideline's inpatient lines do not answer for outpatients) and humans, unless
    animals are asked about."""
    context = document.title if title is None else title
    if analysis.population and not speaks_of(analysis.population, text, context):
        return False
    if document.source == GUIDANCE_SOURCE and other_setting(analysis.question, section):
        return False
    return bool(_PRECLINICAL.search(analysis.question)) or not preclinical(text, document)


@dataclass
class Candidate:
    text: str
    doc_ids: list[str]
    hit: PassageHit
    score: float
    section: str
    topical: float
    words: frozenset[str] = field(default_factory=frozenset)
    # The answer model's probability that the sentence answers the question; 0 when it was
    # not among the sentences the model read (`read` is False).
    answer: float = 0.0
    read: bool = False
    guideline: bool = False  # a line of a guideline or protocol
    # About a kind of the topic the question did not ask about ("herpes zoster oticus" for
    # herpes zoster): by naming it, or from a page named for it.
    of_subtype: bool = False


@dataclass(frozen=True)
class Focus:
    """The evidence narrowed to hits about the question's topic."""

    evidence: Evidence
    withheld: list[str]  # on-topic documents left out because they are retracted


def focus(evidence: Evidence, settings: ComposerSettings) -> Focus:
    # A passage must cover most of the topic's rarity, with no fallback to passages about part
    # of it: an article on iliopsoas abscess is no answer about iliopsoas hematoma.
    matcher = TopicMatcher.for_evidence(evidence)
    threshold = topic_threshold(evidence.topic_weights, settings)
    # A document titled for the opposite condition ("Complicated UTI" for uncomplicated UTI)
    # is not on topic, however many of the topic's words it shares.
    # A clinical question's long condition name must be named, not merely have its words
    # scattered through a passage. (Elsewhere a long run of topic words is rarely one name:
    # "the faster length time for oxaliplatin infusion".)
    analysis = evidence.analysis
    long_topic = (len(evidence.topic_weights) > 3
                  and plan.asks_for_its_section(analysis.question, analysis.intent))
    on_topic = [
        h for h in evidence.hits
        if matcher.coverage(h.title + " " + h.passage.text) >= threshold
        and not matcher.contrasts(h.title)
        and (not long_topic or matcher.names_together(h.title + " " + h.passage.text))
        and matcher.names_condition(h.title + " " + h.passage.text)
    ]
    withheld = list(dict.fromkeys(
        h.passage.doc_id for h in on_topic if h.appraisal and h.appraisal.retracted))
    on_topic = [h for h in on_topic if h.passage.doc_id not in withheld]
    return Focus(replace(evidence, hits=on_topic), withheld)


def _sentence_score(
    candidate_text: str,
    hit: PassageHit,
    top_score: float,
    topical: float,
    section: str,
    evidence: Evidence,
    audience: Audience,
) -> float:
    document = evidence.documents[hit.passage.doc_id]
    level = hit.appraisal.level if hit.appraisal else EvidenceLevel.OTHER
    relevance = hit.score / top_score if top_score > 0 else 0.0
    score = 1.0 * topical + RELEVANCE_WEIGHT * relevance + 0.35 * LEVEL_WEIGHT[level]
    label = hit.passage.section.upper()
    if label in CONCLUSION_LABELS:
        score += 0.25
    elif label in RESULT_LABELS:
        score += 0.1
    if section == plan.PRIMARY[evidence.analysis.intent]:
        score += 0.3
    if section == plan.OTHER:
        score -= 0.3
    if NUMBER.search(candidate_text):
        score += 0.05  # quantitative facts are what a clinician looks for
    if PRONOUN_START.match(candidate_text):
        score -= 0.35  # it leans on a sentence the reader will not see
    length = len(candidate_text.split())
    if length > 40:
        score -= 0.01 * (length - 40)
    if document.year and document.year >= 2015:
        score += 0.05
    if audience == "clinician" and _SECOND_PERSON.search(candidate_text):
        score -= 0.5  # advice addressed to patients reads wrongly in a clinician's article
    if audience == "patient":
        if level == EvidenceLevel.CONSUMER_HEALTH:
            score += PATIENT_CONSUMER_BONUS
        # Plain sentences first: each school grade above the target costs a little.
        grade = reading_grade(candidate_text, evidence.analysis.topic_terms)
        score -= PATIENT_GRADE_COST * max(0.0, grade - PATIENT_TARGET_GRADE)
    return score


def scored_candidates(
    evidence: Evidence, matcher: TopicMatcher, audience: Audience, framed: bool = True
) -> list[Candidate]:
    """Every quotable sentence of the hits, scored; with `framed`, only those in the
    question's frame (population, humans)."""
    top_score = max((h.score for h in evidence.hits), default=0.0)
    quotable: list[tuple[str, PassageHit, Document]] = []
    for hit in evidence.hits:
        if hit.appraisal and hit.appraisal.retracted:
            continue
        document = evidence.documents.get(hit.passage.doc_id)
        if document is None:
            continue
        for text in quotable_sentences(hit.passage.text, hit.passage.section):
            if not is_traceable(text, document):
                continue  # defence in depth: never show a sentence its source does not hold
            if framed and not in_frame(text, document, evidence.analysis, hit.title,
                                       hit.passage.section):
                continue
            if matcher.contrasts(text):
                continue  # about the opposite condition
            quotable.append((text, hit, document))
    model = section_model()
    roles = model.probabilities([text for text, _, _ in quotable])
    found: list[Candidate] = []
    for (text, hit, document), row in zip(quotable, roles, strict=True):
        # A guideline's line is about what its title and headings name ("Rate Control in
        # Atrial Fibrillation › First-Line Agents" for "Beta-blockers (metoprolol …)").
        topical = matcher.coverage(text if document.source != GUIDANCE_SOURCE
                                   else f"{hit.title} {text}")
        learned = dict(zip(model.roles, (float(p) for p in row), strict=True))
        guidance = document.source == GUIDANCE_SOURCE
        # A guideline's headings are read up to its title: "Corrected Sodium" of "Diagnosis
        # of Diabetic Ketoacidosis" is about diagnosis.
        label = f"{document.title}{HEADING_SEPARATOR}{hit.passage.section}" if guidance \
            else hit.passage.section
        section = plan.classify_sentence(text, label, learned, guidance=guidance)
        if (guidance and section == plan.SPECIAL and evidence.analysis.population
                and plan.PRIMARY[evidence.analysis.intent] == plan.MANAGEMENT
                and speaks_of(evidence.analysis.population, hit.passage.section)):
            # "Special Populations › Pregnancy" is no special case for a question about
            # pregnancy: its lines are the management asked for.
            section = plan.MANAGEMENT
        score = _sentence_score(text, hit, top_score, topical, section, evidence, audience)
        found.append(Candidate(
            text=text, doc_ids=[document.id], hit=hit, score=score, section=section,
            topical=topical, words=frozenset(words(text)), guideline=guidance,
        ))
    found.sort(key=lambda c: c.score, reverse=True)
    return found


def candidate_sentences(
    focused: Evidence, audience: Audience, settings: ComposerSettings | None = None
) -> list[Candidate]:
    """Every quotable sentence of the focused evidence in the question's frame, duplicates
    merged, the best-scored rated by the answer model, best first."""
    settings = settings or ComposerSettings()
    matcher = TopicMatcher.for_evidence(focused)
    candidates = merge_duplicates(scored_candidates(focused, matcher, audience))
    mark_subtypes(candidates, focused, matcher)
    return rate_answers(candidates, focused, settings)


def mark_subtypes(candidates: Sequence[Candidate], evidence: Evidence,
                  matcher: TopicMatcher) -> None:
    """Mark the sentences about a kind of the topic the question did not name. A question
    naming a population is left alone: "congenital" is the kind a question on newborns asks
    about, and the population's own checks apply."""
    analysis = evidence.analysis
    if analysis.population:
        return
    asked = set(words(analysis.question))
    pages = {doc_id: document.title for doc_id, document in evidence.documents.items()
             if document.source != GUIDANCE_SOURCE and document.title}
    subtype_pages = {doc_id for doc_id, title in pages.items()
                     if subtype_names([title], matcher, asked)}
    subtypes = subtype_names([pages[d] for d in subtype_pages], matcher, asked)
    for candidate in candidates:
        candidate.of_subtype = names_subtype(candidate.text, subtypes) or all(
            doc_id in subtype_pages for doc_id in candidate.doc_ids)


def rate_answers(
    candidates: list[Candidate], evidence: Evidence, settings: ComposerSettings
) -> list[Candidate]:
    """The answer model reads the question with each of the best-scored sentences (and the
    title it is read under); its probability joins the score, and orders the candidates."""
    if not settings.answer_model or not candidates:
        return candidates
    pool: list[Candidate] = []
    room = float(settings.answer_pool)
    for candidate in candidates:
        room -= GUIDELINE_LINE_SHARE if candidate.guideline else 1.0
        if room < 0:
            break
        pool.append(candidate)
    probabilities = answer_scorer().score(
        evidence.analysis.question,
        [(c.text, c.hit.title) for c in pool])
    for candidate, probability in zip(pool, probabilities, strict=True):
        candidate.answer = float(probability)
        candidate.read = True
    return sorted(candidates, key=lambda c: c.score + settings.answer_weight * c.answer,
                  reverse=True)


def addresses_the_reader(text: str) -> bool:
    """The sentence speaks to its reader ("you", "your"), as consumer pages do."""
    return bool(_SECOND_PERSON.search(text))


def answers(candidate: Candidate, settings: ComposerSettings) -> bool:
    """The answer model judges that the sentence answers the question."""
    return not settings.answer_model or candidate.answer >= settings.answer_floor


def reading_grade(text: str, topic_terms: Sequence[str]) -> float:
    """Flesch-Kincaid grade of a sentence, its topic's name aside: the reader asked about that
    name, and a long one should not push out the plain sentences that use it."""
    return _reading_grade(text, tuple(topic_terms))


@lru_cache(maxsize=8192)  # each patient-view sentence is graded when filtered and when scored
def _reading_grade(text: str, topic_terms: tuple[str, ...]) -> float:
    if topic_terms:
        text = _topic_pattern(topic_terms).sub("it", text)
    return float(textstat.flesch_kincaid_grade(text))


@lru_cache(maxsize=256)
def _topic_pattern(topic_terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in topic_terms) + r")\w*",
                      re.IGNORECASE)


def plain_enough(candidates: list[Candidate], topic_terms: Sequence[str]) -> list[Candidate]:
    """For patients, leave out sentences far above a plain reading level when enough plainer
    ones remain; with too few, keep everything rather than say less."""
    plain = [c for c in candidates if reading_grade(c.text, topic_terms) <= PATIENT_MAX_GRADE]
    return plain if len(plain) >= 3 else candidates


def merge_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """One statement per claim: identical sentences from several sources merge their citations;
    near-identical ones keep only the better-scored (a cited source must hold the very text,
    so a sentence that differs by a comma is not cited to both)."""
    kept: list[Candidate] = []
    by_text: dict[str, Candidate] = {}
    titles: dict[int, set[str]] = {}
    for candidate in candidates:
        text = normalize_space(candidate.text)
        key = text[:1].lower() + text[1:]
        same = by_text.get(key)
        if same is not None:
            # The same page held twice (MedQuAD repeats "Causes of Diabetes" under several
            # ids) is one source to the reader: cited once.
            if fold(candidate.hit.title) not in titles[id(same)]:
                titles[id(same)].add(fold(candidate.hit.title))
                for doc_id in candidate.doc_ids:
                    if doc_id not in same.doc_ids:
                        same.doc_ids.append(doc_id)
            continue
        if any(jaccard(candidate.words, k.words) >= 0.7 for k in kept):
            continue
        by_text[key] = candidate
        titles[id(candidate)] = {fold(candidate.hit.title)}
        kept.append(candidate)
    return kept


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
