"""The evidence for a question: hybrid search of the library, the topic words' rarity, the
other passages of the best on-topic documents, and each hit's appraisal blended into its score.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from curbside.answer import sections as plan
from curbside.answer.abbreviations import meanings_by_document, topic_abbreviations
from curbside.answer.appraise import appraise, evidence_factor
from curbside.answer.population import for_another_group
from curbside.answer.question import joined_forms, spelling_variants
from curbside.answer.synonyms import other_names
from curbside.answer.topic import TopicMatcher, topic_threshold
from curbside.library.passages import passage_title
from curbside.library.search import search_passages
from curbside.library.store import Library
from curbside.models import GUIDANCE_SOURCE, Evidence, PassageHit, QuestionAnalysis
from curbside.settings import Settings
from curbside.text import stem, words

EXPANDED_DOCUMENTS = 12  # on-topic documents whose other passages join the evidence
EXPANDED_GUIDELINES = 4  # on-topic guidelines read whole besides those
EXPANDED_SHARE = 0.8


def topic_weights(
    library: Library, analysis: QuestionAnalysis
) -> tuple[dict[str, float], list[str]]:
    """Each topic word's rarity in the library (IDF), and the words no passage contains.

    A word the library lacks gets the highest weight, so nothing can cover the topic without it.
    """
    total = max(library.passage_count(), 1)
    weights: dict[str, float] = {}
    missing: list[str] = []
    for term in analysis.topic_terms:
        frequency = max(library.matching_passages(v) for v in spelling_variants(term))
        if frequency == 0:
            missing.append(term)
        weights[term] = math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
    return weights, missing


def _defining_otherwise(texts: list[tuple[str, str]],
                        abbreviations: dict[str, tuple[str, ...]]) -> set[str]:
    """The documents (of `(doc_id, text)` pairs) defining a topic's short form as words other
    than the topic's."""
    found: set[str] = set()
    for short, named in abbreviations.items():
        topic = {stem(w) for w in named}
        for long, docs in meanings_by_document(texts, short).items():
            if not topic <= set(long.split()):
                found |= docs
    return found


# Short forms of this many letters or fewer stand for many things ("SE": status epilepticus,
# standard error; "PE", "MS", "AF"); longer ones ("DKA", "HFrEF") rarely do.
AMBIGUOUS_LETTERS = 2


def _short_forms_in_context(hits: list[PassageHit], matcher: TopicMatcher,
                            without_short_forms: TopicMatcher, threshold: float
                            ) -> list[PassageHit]:
    """Hits without those that name the topic only by an ambiguous short form, in documents
    that never name it otherwise (`without_short_forms` reads no ambiguous ones): such a
    short form holds in the documents about its long form. "SE" is status epilepticus in an
    epilepsy paper, and a standard error ("RR 0.98, SE 0.05") in a chemotherapy
    meta-analysis found by searching for it."""
    def text(hit: PassageHit) -> str:
        return hit.title + " " + hit.passage.text

    naming = {h.passage.doc_id for h in hits
              if without_short_forms.coverage(text(h)) >= threshold}
    return [h for h in hits if h.passage.doc_id in naming
            or without_short_forms.coverage(text(h)) >= threshold
            or matcher.coverage(text(h)) < threshold]


def named_guidelines(analysis: QuestionAnalysis, titles: dict[str, str], matcher: TopicMatcher,
                     threshold: float, found: set[str]) -> list[str]:
    """Guidelines whose title names the topic that the search did not find, those whose title
    shares most of the question's other words first. GOLD's chapter on initial treatment
    names COPD only in its report's title ("… Chronic Obstructive Lung Disease"), and its
    lines ("Group B: LABA + LAMA") share no word with "first-line treatment for COPD"."""
    others = {stem(w) for term in analysis.query_terms for w in words(term)
              if w not in analysis.topic_terms}
    named: list[tuple[int, str]] = []
    for doc_id, title in titles.items():
        if doc_id not in found and matcher.coverage(title) >= threshold:
            shared = len(others & {stem(w) for w in words(title)})
            named.append((-shared, doc_id))
    return [doc_id for _, doc_id in sorted(named)]


OTHER_NAME_SEARCHES = 2  # searches for other names of the topic, at most


def _other_name_hits(library: Library, analysis: QuestionAnalysis, hits: list[PassageHit],
                     settings: Settings) -> list[PassageHit]:
    """Passages the question's words find with another name of its condition in place of the
    one it used: "How is herpes zoster treated?" searched as "treated shingles"."""
    seen = {(h.passage.doc_id, h.passage.ordinal) for h in hits}
    found: list[PassageHit] = []
    for name in other_names(analysis.topic_phrases)[:OTHER_NAME_SEARCHES]:
        rest = [t for t in analysis.query_terms if t not in name.covers]
        for hit in search_passages(library, [*rest, *name.words], settings.retrieval.passages,
                                   settings.retrieval):
            key = (hit.passage.doc_id, hit.passage.ordinal)
            if key not in seen:
                seen.add(key)
                found.append(hit)
    return found


def gather_evidence(library: Library, analysis: QuestionAnalysis, settings: Settings) -> Evidence:
    # A joined form is searched only where the library uses it: an unknown word would only add
    # noise to the meaning of the query.
    terms = analysis.query_terms + [w for w in joined_forms(analysis)
                                    if library.matching_passages(w)]
    hits = search_passages(library, terms, settings.retrieval.passages, settings.retrieval)
    weights, missing = topic_weights(library, analysis)
    # A short form the evidence defines for the topic is searched too, once: guidelines name
    # "DKA" in their headings where the question wrote "diabetic ketoacidosis".
    abbreviations = topic_abbreviations((h.passage.text for h in hits), weights,
                                        set(analysis.query_terms),
                                        set(words(analysis.question)))
    if abbreviations:
        seen = {(h.passage.doc_id, h.passage.ordinal) for h in hits}
        more = search_passages(library, [*terms, *abbreviations], settings.retrieval.passages,
                               settings.retrieval)
        hits += [h for h in more if (h.passage.doc_id, h.passage.ordinal) not in seen]
        # The search for a short form finds documents defining it as something else
        # ("bronchopulmonary dysplasia (BPD)" for "borderline personality disorder"): they are
        # about that, not the topic.
        other = _defining_otherwise([(h.passage.doc_id, h.passage.text) for h in hits],
                                    abbreviations)
        hits = [h for h in hits if h.passage.doc_id not in other]
    hits += _other_name_hits(library, analysis, hits, settings)
    matcher = TopicMatcher(weights, analysis.topic_phrases, abbreviations)
    threshold = topic_threshold(weights, settings.composer)
    if abbreviations:
        distinct = {short: named for short, named in abbreviations.items()
                    if len(short) > AMBIGUOUS_LETTERS}
        hits = _short_forms_in_context(
            hits, matcher, TopicMatcher(weights, analysis.topic_phrases, distinct), threshold)
    # The best on-topic documents are read whole: a treatment paragraph rarely repeats every
    # word of the question, yet belongs in the article.
    on_topic_docs: list[str] = []
    for hit in hits:
        doc_id = hit.passage.doc_id
        coverage = matcher.coverage(hit.title + " " + hit.passage.text)
        if coverage >= threshold and doc_id not in on_topic_docs:
            on_topic_docs.append(doc_id)
    # A guideline on the topic is read whole even below the best documents: its plan is in
    # headings a search for the question's words does not reach ("Group A", "Group B").
    titles = library.titles_of_source(GUIDANCE_SOURCE)
    guidelines = [d for d in on_topic_docs if d in titles]
    guidelines += named_guidelines(analysis, titles, matcher, threshold, set(guidelines))
    # Those for another group of people ("Perinatal Depression") or another kind of
    # treatment than the one asked for ("Psychotherapy for …" asked for medication) come last.
    guidelines.sort(key=lambda d: (for_another_group(analysis.population, titles[d]),
                                   plan.other_kind_of_treatment(analysis.question, titles[d])))
    chosen = list(dict.fromkeys([*on_topic_docs[:EXPANDED_DOCUMENTS],
                                 *guidelines[:EXPANDED_GUIDELINES]]))
    seen = {(h.passage.doc_id, h.passage.ordinal) for h in hits}
    expanded = library.get_many(chosen)
    top_score = hits[0].score if hits else 1.0
    for doc_id in chosen:
        # A guideline found by its title alone ranks as a passage of the best document does.
        best_score = next((h.score for h in hits if h.passage.doc_id == doc_id), top_score)
        for passage in library.passages(doc_id):
            if (doc_id, passage.ordinal) not in seen and doc_id in expanded:
                seen.add((doc_id, passage.ordinal))
                # A passage of a matching document ranks a little under the document's best;
                # it is read under its own title (a guideline's own heading path).
                hits.append(PassageHit(passage=passage,
                                       title=passage_title(expanded[doc_id], passage),
                                       lexical_score=0.0, score=EXPANDED_SHARE * best_score))
    documents = expanded | library.get_many(
        h.passage.doc_id for h in hits if h.passage.doc_id not in expanded)
    appraisals = {doc_id: appraise(document) for doc_id, document in documents.items()}
    this_year = datetime.now(UTC).year
    appraised = [
        h.model_copy(update={
            "appraisal": appraisals[h.passage.doc_id],
            "score": h.score * evidence_factor(appraisals[h.passage.doc_id], this_year),
        })
        for h in hits if h.passage.doc_id in appraisals
    ]
    appraised.sort(key=lambda h: -h.score)
    return Evidence(analysis=analysis, hits=appraised, documents=documents,
                    topic_weights=weights, missing_terms=missing, abbreviations=abbreviations)
