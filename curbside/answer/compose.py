"""The extractive composer: selects, orders and lightly trims sentences of retrieved passages
into a clinical article. It writes no clinical content of its own; its only words are section
titles, step labels and notes about what the library does and does not hold.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from itertools import pairwise

import textstat

from curbside.answer import sections as plan
from curbside.answer.appraise import LEVEL_WEIGHT
from curbside.answer.conflicts import find_conflicts
from curbside.answer.glossary import glossary_for
from curbside.answer.lead import (
    CONCLUSION_LABELS,
    LEAD_POOL,
    NUMBER,
    PRONOUN_START,
    RESULT_LABELS,
    LeadCandidate,
    QuestionContext,
    lead_features,
    lead_score,
)
from curbside.answer.question import FUNCTION_WORDS, NAME_TAILS, spelling_variants
from curbside.answer.sentences import quotable_sentences
from curbside.answer.trace import is_traceable
from curbside.answer.urgency import has_emergency_cues
from curbside.models import (
    Article,
    ArticleSection,
    Audience,
    Block,
    BulletsBlock,
    Coverage,
    Document,
    EvidenceItem,
    EvidenceLevel,
    Intent,
    PassageHit,
    QuestionAnalysis,
    Reference,
    Statement,
    Step,
    StepsBlock,
)
from curbside.settings import ComposerSettings
from curbside.text import fold, normalize_space, stem, words

COMPOSER_NAME = "extractive"
# How much the retrieval rank of a sentence's passage counts against its own topic coverage;
# tuned on BioASQ 12b batches 1-3 summary questions.
RELEVANCE_WEIGHT = 1.2
# Patient view: consumer-health pages and plain sentences win among equally relevant evidence
# (tuned on K-QA patient questions for a reading level about three grades below clinicians').
PATIENT_CONSUMER_BONUS = 0.5
PATIENT_TARGET_GRADE = 7.0
PATIENT_GRADE_COST = 0.15
PATIENT_MAX_GRADE = 12.0

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

INFLECTION_CHARS = 3  # "-ing", "-ed", "-es": longer differences are other words
_SECOND_PERSON = re.compile(r"\b(?:you|your|yourself)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    """What the compose stage is given: the analysed question, appraised hits best first,
    their documents, and how rare each topic word is in the library (its IDF)."""

    analysis: QuestionAnalysis
    hits: Sequence[PassageHit]
    documents: dict[str, Document]
    topic_weights: dict[str, float]
    missing_terms: Sequence[str] = ()  # topic words no passage of the library contains


@dataclass
class Candidate:
    text: str
    doc_ids: list[str]
    hit: PassageHit
    score: float
    section: str
    topical: float
    words: frozenset[str] = field(default_factory=frozenset)


class TopicMatcher:
    """How much of the question's topic a piece of text covers, weighted by word rarity.

    A word matches a topic word of the same stem and about the same length: "overdosed" names
    "overdose", while "luteinizing" does not name "lutein". A hyphenated word counts for its
    parts ("obsessive-compulsive" names "obsessive"), and two adjacent topic words count when
    written as one ("monkeypox" for "monkey pox")."""

    def __init__(self, topic_weights: dict[str, float], phrases: Sequence[Sequence[str]] = ()):
        self.weights = topic_weights
        self.forms: dict[str, list[tuple[str, int]]] = {}  # stem -> (topic word, length)
        for term in topic_weights:
            for variant in spelling_variants(term):
                self.forms.setdefault(stem(variant), []).append((term, len(variant)))
        self.joined = {
            first + second: (first, second)
            for phrase in phrases for first, second in pairwise(phrase)
            if first in topic_weights and second in topic_weights
        }
        self.total = sum(topic_weights.values())

    @classmethod
    def for_evidence(cls, evidence: Evidence) -> TopicMatcher:
        return cls(evidence.topic_weights, evidence.analysis.topic_phrases)

    def present(self, text: str) -> set[str]:
        pieces = set(words(text))
        pieces.update(part for word in [w for w in pieces if "-" in w] for part in word.split("-"))
        found: set[str] = set()
        for piece in pieces:
            for term, length in self.forms.get(stem(piece), ()):
                if abs(len(piece) - length) <= INFLECTION_CHARS:
                    found.add(term)
        for joined, pair in self.joined.items():
            if joined in pieces or joined + "s" in pieces:
                found.update(pair)
        return found

    def coverage(self, text: str) -> float:
        if not self.total:
            return 0.0
        # Rounded: a share of exactly 0.7 must not miss a 0.7 threshold by a rounding error.
        return round(sum(self.weights[t] for t in self.present(text)) / self.total, 9)


def topic_threshold(topic_weights: Mapping[str, float], settings: ComposerSettings) -> float:
    """Share of the topic a passage must cover: all of a short topic (both words of
    "iliopsoas hematoma"), most of a long one, whose every word few passages repeat."""
    if len(topic_weights) <= 3:
        return settings.topic_coverage
    return settings.topic_coverage_long


def topic_phrase(analysis: QuestionAnalysis) -> str:
    """The words of the question that name its topic, as the question wrote them."""
    terms = analysis.topic_terms
    if not terms:
        return analysis.question.rstrip("?")
    spans = [(m.start(), m.end(), fold(m.group(0))) for m in
             re.finditer(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*", analysis.question)]
    positions = [i for i, (_, _, w) in enumerate(spans) if w in terms]
    if positions and positions[-1] - positions[0] + 1 <= len(terms) + 1:
        last = positions[-1]
        if last + 1 < len(spans) and spans[last + 1][2] in NAME_TAILS:
            last += 1  # "Havana syndrome", not "Havana"
        start, end = spans[positions[0]][0], spans[last][1]
        return analysis.question[start:end]
    # Topic words apart in the question name separate things: "GC1118 and glioblastoma".
    runs: list[list[int]] = []
    for i in positions:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    named = [analysis.question[spans[run[0]][0]:spans[run[-1]][1]] for run in runs]
    named = list(dict.fromkeys(named))
    if len(named) < 2:
        return named[0] if named else " ".join(terms)
    return ", ".join(named[:-1]) + " and " + named[-1]


def article_title(analysis: QuestionAnalysis, topic: str) -> str:
    subject = topic[0].upper() + topic[1:] if topic else topic
    lowered = topic[0].lower() + topic[1:] if topic and not topic[:2].isupper() else topic
    templates = {
        Intent.MANAGEMENT: f"Management of {lowered}",
        Intent.DOSING: f"Dosing of {lowered}",
        Intent.DIAGNOSIS: f"Diagnosis of {lowered}",
        Intent.PROGNOSIS: f"Prognosis of {lowered}",
        Intent.RISK: f"Risk factors for {lowered}",
        Intent.ETIOLOGY: f"Causes of {lowered}",
    }
    return templates.get(analysis.intent, subject)


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


def _candidates(evidence: Evidence, matcher: TopicMatcher, audience: Audience) -> list[Candidate]:
    top_score = max((h.score for h in evidence.hits), default=0.0)
    found: list[Candidate] = []
    for hit in evidence.hits:
        if hit.appraisal and hit.appraisal.retracted:
            continue
        document = evidence.documents.get(hit.passage.doc_id)
        if document is None:
            continue
        for text in quotable_sentences(hit.passage.text, hit.passage.section):
            if not is_traceable(text, document):
                continue  # defence in depth: never show a sentence its source does not hold
            topical = matcher.coverage(text)
            section = plan.classify_sentence(text, hit.passage.section)
            score = _sentence_score(text, hit, top_score, topical, section, evidence, audience)
            found.append(Candidate(
                text=text, doc_ids=[document.id], hit=hit, score=score, section=section,
                topical=topical, words=frozenset(words(text)),
            ))
    found.sort(key=lambda c: c.score, reverse=True)
    return found


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


def _plain_enough(candidates: list[Candidate], topic_terms: Sequence[str]) -> list[Candidate]:
    """For patients, leave out sentences far above a plain reading level when enough plainer
    ones remain; with too few, keep everything rather than say less."""
    plain = [c for c in candidates if reading_grade(c.text, topic_terms) <= PATIENT_MAX_GRADE]
    return plain if len(plain) >= 3 else candidates


def _merge_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """One statement per claim: identical sentences from several sources merge their citations;
    near-identical ones keep only the better-scored (a cited source must hold the very text,
    so a sentence that differs by a comma is not cited to both)."""
    kept: list[Candidate] = []
    by_text: dict[str, Candidate] = {}
    for candidate in candidates:
        text = normalize_space(candidate.text)
        key = text[:1].lower() + text[1:]
        same = by_text.get(key)
        if same is not None:
            for doc_id in candidate.doc_ids:
                if doc_id not in same.doc_ids:
                    same.doc_ids.append(doc_id)
            continue
        if any(_jaccard(candidate.words, k.words) >= 0.7 for k in kept):
            continue
        by_text[key] = candidate
        kept.append(candidate)
    return kept


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class _Redundancy:
    """Keeps an article from saying the same thing twice in other words. Words shared by much
    of the evidence (the topic's name, its abbreviation) do not count as overlap."""

    def __init__(self, pool: Sequence[Candidate], topic: Sequence[str], threshold: float = 0.4):
        counts: dict[str, int] = {}
        for candidate in pool:
            for word in candidate.words:
                counts[word] = counts.get(word, 0) + 1
        common = max(3, int(0.6 * len(pool)))
        self.ignored = {w for w, n in counts.items() if n >= common} | FUNCTION_WORDS | set(topic)
        self.threshold = threshold
        self.accepted: list[frozenset[str]] = []

    def content(self, candidate: Candidate) -> frozenset[str]:
        return frozenset(stem(w) for w in candidate.words if w not in self.ignored)

    def repeats(self, candidate: Candidate) -> bool:
        content = self.content(candidate)
        return any(_jaccard(content, seen) >= self.threshold for seen in self.accepted)

    def accept(self, candidate: Candidate) -> None:
        self.accepted.append(self.content(candidate))


class _Citations:
    """Reference numbers in order of first use."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def statement(self, candidate: Candidate) -> Statement:
        cited = []
        for doc_id in candidate.doc_ids:
            if doc_id not in self.numbers:
                self.numbers[doc_id] = len(self.numbers) + 1
            cited.append(self.numbers[doc_id])
        return Statement(text=candidate.text, citations=cited)


def reference_for(n: int, document: Document, kind: str) -> Reference:
    url = document.url or (f"https://doi.org/{document.doi}" if document.doi else None)
    title = document.title or f"PubMed record {document.pmid or document.id} (title not held)"
    return Reference(n=n, id=document.id, title=title, journal=document.journal,
                     year=document.year, kind=kind, url=url, doi=document.doi)


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


def _choose_bottom_line(
    candidates: list[Candidate], evidence: Evidence, audience: Audience, max_words: int,
    max_sentences: int,
) -> list[Candidate]:
    """The sentences the lead model rates the best answers, within the word budget. Patients
    get the composer's own ranking, which favours consumer-health pages and plain sentences
    (the lead model learned from experts' answers)."""
    # A sentence opening on "These findings …" leans on what the reader will not see: only
    # when nothing else is on offer.
    usable = [c for c in candidates[:LEAD_POOL] if not PRONOUN_START.match(c.text)]
    usable = usable or candidates[:LEAD_POOL]
    if not usable:
        return []
    if audience == "patient":
        primary = plan.PRIMARY[evidence.analysis.intent]
        scores = [c.score + (0.3 if c.section in (primary, plan.OVERVIEW) else 0.0)
                  for c in usable]
    else:
        context = question_context(evidence)
        scores = [lead_score(lead_features(lead, context))
                  for lead in lead_candidates(usable, evidence)]
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


def _section_blocks(
    key: str, chosen: list[Candidate], audience: Audience, citations: _Citations
) -> list[Block]:
    if key != plan.MANAGEMENT:
        return [BulletsBlock(items=[citations.statement(c) for c in chosen])]
    by_step: dict[str, list[Candidate]] = {}
    for candidate in chosen:
        by_step.setdefault(plan.classify_step(candidate.text), []).append(candidate)
    if len(by_step) < 2:
        return [BulletsBlock(items=[citations.statement(c) for c in chosen])]
    steps = [
        Step(label=plan.STEP_LABELS[audience][name],
             items=[citations.statement(c) for c in by_step[name]])
        for name in plan.STEP_ORDER if name in by_step
    ]
    return [StepsBlock(steps=steps)]


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
    on_topic = [
        h for h in evidence.hits
        if matcher.coverage(h.title + " " + h.passage.text) >= threshold
    ]
    withheld = list(dict.fromkeys(
        h.passage.doc_id for h in on_topic if h.appraisal and h.appraisal.retracted))
    on_topic = [h for h in on_topic if h.passage.doc_id not in withheld]
    return Focus(replace(evidence, hits=on_topic), withheld)


def candidate_sentences(focused: Evidence, audience: Audience) -> list[Candidate]:
    """Every quotable sentence of the focused evidence, best first, duplicates merged."""
    return _merge_duplicates(_candidates(focused, TopicMatcher.for_evidence(focused), audience))


def compose_article(
    evidence: Evidence, audience: Audience, settings: ComposerSettings | None = None
) -> Article:
    settings = settings or ComposerSettings()
    analysis = evidence.analysis
    matcher = TopicMatcher.for_evidence(evidence)
    topic = topic_phrase(analysis)
    narrowed = focus(evidence, settings)
    focused, withheld = narrowed.evidence, narrowed.withheld
    missing_terms = list(evidence.missing_terms)
    on_topic_docs = list(dict.fromkeys(h.passage.doc_id for h in focused.hits))
    candidates = candidate_sentences(focused, audience) if analysis.topic_terms else []
    if not candidates:
        # Nothing quotable is about the topic (on-topic passages may all be cut excerpts).
        return _insufficient_article(evidence, audience, matcher, topic, missing_terms, withheld)
    if audience == "patient":
        candidates = _plain_enough(candidates, analysis.topic_terms)
    citations = _Citations()
    bottom = _choose_bottom_line(candidates, focused, audience, settings.bottom_line_words,
                                 settings.bottom_line_sentences)
    bottom_line = [citations.statement(c) for c in bottom]
    remaining = [c for c in candidates if c not in bottom]

    article_sections: list[ArticleSection] = []
    present: list[str] = []
    redundancy = _Redundancy(candidates, analysis.topic_terms)
    for c in bottom:
        redundancy.accept(c)
    for key in plan.PLANS[analysis.intent]:
        limit = settings.items_per_section
        if key == plan.PRIMARY[analysis.intent] and key != plan.OVERVIEW:
            limit += 3
        if key == plan.OTHER:
            limit = 3
        chosen: list[Candidate] = []
        for c in remaining:
            # Sentences from on-topic documents that do not name the topic must earn their place.
            if c.section != key or not (c.topical > 0 or c.score > 0.9):
                continue
            if redundancy.repeats(c):
                continue
            redundancy.accept(c)
            chosen.append(c)
            if len(chosen) >= limit:
                break
        if not chosen:
            continue
        present.append(key)
        article_sections.append(ArticleSection(
            key=key,
            title=plan.section_title(key, audience),
            blocks=_section_blocks(key, chosen, audience, citations),
        ))

    conflicts = find_conflicts(candidates, redundancy.content)
    if conflicts:
        article_sections.append(ArticleSection(
            key="conflicts",
            title=CONFLICTS_TITLE[audience],
            blocks=[BulletsBlock(label=CONFLICTS_LABEL[audience],
                                 items=[citations.statement(a), citations.statement(b)])
                    for a, b in conflicts],
        ))

    notes = []
    if len(on_topic_docs) < 3:
        notes.append(
            f"Only {len(on_topic_docs)} document{'s' if len(on_topic_docs) != 1 else ''} in "
            f"the library address{'es' if len(on_topic_docs) == 1 else ''} {topic}; this "
            "article is limited to what they report."
        )
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
    return _assemble(evidence, audience, analysis, article_title(analysis, topic), bottom_line,
                     article_sections, citations, coverage, insufficient=False)


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
    for candidate in _merge_duplicates(_candidates(evidence, matcher, audience)):
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
        reference_for(n, evidence.documents[doc_id], kinds.get(doc_id, "Research"))
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
        id=f"art-{secrets.token_hex(6)}",
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
