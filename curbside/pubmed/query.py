"""A clinical question as a PubMed query: its topic, MeSH-aware, with Curbside's spelling
variants and other names, narrowed by what the question asks (treatment, diagnosis …).

"How is shingles treated?" becomes

    ("herpes zoster"[MeSH Terms] OR "herpes zoster"[tiab] OR shingles[MeSH Terms] OR
    shingles[tiab]) AND (therapy[sh] OR treatment[tiab] OR ...) AND hasabstract AND
    english[lang] NOT (animals[MeSH Terms] NOT humans[MeSH Terms])

Each topic phrase of the question is one concept (its names ORed), the concepts are ANDed.
A name Curbside knows as one condition's (another name from answer/synonyms.py, an
abbreviation's words, a name ending in "disease" or "syndrome") is searched as a phrase; other
runs of topic words are searched word by word in title and abstract, since papers write
"haematoma of the iliopsoas muscle" as often as "iliopsoas hematoma". A name tagged
[MeSH Terms] reaches every record indexed under that heading (or one of its entry terms);
PubMed ignores a tagged name that is no MeSH term, so the title/abstract forms still count.

PubMed reads Boolean operators strictly left to right, so every group is bracketed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from curbside.answer.question import (
    ABBREVIATIONS,
    NAME_TAILS,
    SPELLING_RULES,
    analyse_question,
    spelling_variants,
)
from curbside.answer.synonyms import other_names
from curbside.errors import QuestionError
from curbside.models import Intent, QuestionAnalysis
from curbside.text import fold, words

# What each intent asks of a record: a MeSH subheading or heading, or the words abstracts use.
INTENT_FILTERS: dict[Intent, tuple[str, ...]] = {
    Intent.MANAGEMENT: ("therapy[sh]", "treatment[tiab]", "therapy[tiab]", "management[tiab]"),
    Intent.DOSING: ('"administration and dosage"[sh]', "dose[tiab]", "doses[tiab]",
                    "dosing[tiab]", "dosage[tiab]"),
    Intent.DIAGNOSIS: ("diagnosis[sh]", "diagnosis[tiab]", "diagnostic[tiab]"),
    Intent.PROGNOSIS: ("prognosis[MeSH Terms]", "prognosis[tiab]", "mortality[sh]",
                       "survival[tiab]", "outcome[tiab]", "outcomes[tiab]"),
    Intent.RISK: ('"risk factors"[MeSH Terms]', '"risk factors"[tiab]', "risk[tiab]",
                  "etiology[sh]", "epidemiology[sh]"),
    Intent.ETIOLOGY: ("etiology[sh]", "etiology[tiab]", "aetiology[tiab]", "cause[tiab]",
                      "causes[tiab]", '"risk factors"[MeSH Terms]'),
}
# "How do I prevent pressure ulcers?" is read as a risk question; PubMed files prevention
# under its own subheading.
PREVENTION_FILTER = ('"prevention and control"[sh]', "prevention[tiab]", "prevent[tiab]")
_PREVENTION = re.compile(r"\bprevent\w*")

# The populations of answer/population.py, as PubMed indexes them.
POPULATION_FILTERS: dict[str, tuple[str, ...]] = {
    "pregnancy": ("pregnancy[MeSH Terms]", "pregnan*[tiab]", "prenatal[tiab]",
                  "antenatal[tiab]"),
    "breastfeeding": ('"breast feeding"[MeSH Terms]', "breastfeeding[tiab]",
                      '"breast feeding"[tiab]', "lactation[tiab]"),
    "newborns": ('"infant, newborn"[MeSH Terms]', "newborn*[tiab]", "neonat*[tiab]",
                 "preterm[tiab]"),
    "children": ("child[MeSH Terms]", "infant[MeSH Terms]", "adolescent[MeSH Terms]",
                 "child*[tiab]", "pediatric[tiab]", "paediatric[tiab]"),
    "older adults": ("aged[MeSH Terms]", "elderly[tiab]", "older[tiab]", "geriatric[tiab]"),
    "after cardiac surgery": ('"cardiac surgical procedures"[MeSH Terms]',
                              '"cardiac surgery"[tiab]', '"heart surgery"[tiab]'),
    "after surgery": ('"postoperative complications"[MeSH Terms]', "postoperative[tiab]",
                      '"after surgery"[tiab]'),
    "type 1": ('"type 1"[tiab]',),
    "type 2": ('"type 2"[tiab]',),
    "critically ill patients": ('"critical illness"[MeSH Terms]', '"intensive care units"'
                                "[MeSH Terms]", '"critically ill"[tiab]',
                                '"intensive care"[tiab]'),
}

# Records PubMed can answer from (an abstract to quote), in English, about people: a record
# indexed for animals only is left out, one indexed for both is kept.
LIMITS = "hasabstract AND english[lang] NOT (animals[MeSH Terms] NOT humans[MeSH Terms])"


@dataclass(frozen=True)
class PubMedQuery:
    """The query for a question, and the looser one to try when PubMed finds nothing."""

    query: str  # topic, intent and population filters, limits
    broader: str | None  # without the intent and population filters (None: no looser one)


def _american(word: str) -> str:
    # MeSH headings are in American spelling.
    for british, american in SPELLING_RULES:
        word = word.replace(british, american)
    return word


def _term(text: str, tag: str) -> str:
    """One search term: quoted unless it is one plain word (PubMed reads an unquoted phrase
    through its automatic term mapping, and brackets, quotes or a colon as syntax)."""
    cleaned = " ".join(re.sub(r'["()\[\]:]', " ", text).split())
    if re.fullmatch(r"[a-z0-9][a-z0-9'*-]*", cleaned):
        return f"{cleaned}[{tag}]"
    return f'"{cleaned}"[{tag}]'


def _any(terms: Sequence[str]) -> str:
    unique = list(dict.fromkeys(terms))
    return unique[0] if len(unique) == 1 else "(" + " OR ".join(unique) + ")"


def _written(question: str, phrase: Sequence[str]) -> list[str]:
    """The phrase's words as the question writes them, a qualifying part included
    ("community-acquired pneumonia" for the topic words community, pneumonia), and the name
    tail after them ("Cushing syndrome")."""
    folded = fold(question)
    joint = r"(?:-[\w']+)?[\s-]+"
    tails = "|".join(sorted(NAME_TAILS, key=len, reverse=True))
    pattern = (r"\b" + joint.join(re.escape(word) for word in phrase)
               + rf"(?:-[\w']+)?(?:\s+(?:{tails})\b)?")
    match = re.search(pattern, folded)
    if match is None:
        return list(phrase)
    return match.group(0).split()


def _phrase_variants(name: Sequence[str]) -> list[str]:
    """A name in each spelling: British and American, word by word."""
    forms = [""]
    for word in name:
        forms = [f"{form} {variant}".strip() for form in forms
                 for variant in spelling_variants(word)]
    return list(dict.fromkeys(forms))


def _as_name(name: Sequence[str]) -> list[str]:
    """A condition's name: its MeSH heading and the phrase in title or abstract."""
    text = " ".join(name)
    return [_term(_american(text), "MeSH Terms"),
            *(_term(form, "tiab") for form in _phrase_variants(name))]


def _forms(word: str) -> list[str]:
    """The word in each spelling, and a plural's singular: a [tiab] term is not stemmed.
    Only an -s after a consonant is read as a plural ("ulcers"; not "psoas", "herpes",
    "diabetes", "mellitus", "pertussis")."""
    found = spelling_variants(word)
    if len(word) > 4 and word.endswith("s") and word[-2] not in "aeiosu":
        found += spelling_variants(word[:-1])
    return list(dict.fromkeys(found))


def _word_by_word(name: Sequence[str]) -> str:
    """Each word in title or abstract, in any form; two words ANDed."""
    parts = [_any([_term(v, "tiab") for v in _forms(word)]) for word in name]
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def _concepts(analysis: QuestionAnalysis) -> list[str]:
    names = other_names(analysis.topic_phrases)
    concepts: list[str] = []
    for asked in analysis.topic_phrases:
        # "prevent" names what is asked (the prevention filter), not the topic.
        phrase = [word for word in asked if not _PREVENTION.fullmatch(word)]
        if not phrase:
            continue
        written = _written(analysis.question, phrase)
        covered = [n for n in names if n.covers <= set(phrase)]
        known = bool(covered) or len(written) > len(phrase) or len(phrase) == 1 or any(
            list(phrase) == words(expansion) for word in phrase
            for expansion in ABBREVIATIONS.get(word, []))
        forms = _as_name(written) if known else [_term(_american(" ".join(written)),
                                                        "MeSH Terms"), _word_by_word(written)]
        for name in covered:
            forms += _as_name(name.words)
        for word in phrase:
            for expansion in ABBREVIATIONS.get(word, []):
                forms += _as_name(words(expansion))
        rest = [w for w in phrase if not any(w in n.covers for n in covered)]
        if covered and rest:
            # "subclinical hypothyroidism": the other names stand for "hypothyroidism" only;
            # "subclinical" is asked for beside them.
            concepts.append(_word_by_word(rest))
            forms = [f for f in forms if f != _word_by_word(written)]
        concepts.append(_any(forms))
    return list(dict.fromkeys(concepts))


def _filters(analysis: QuestionAnalysis) -> list[str]:
    found: list[str] = []
    if _PREVENTION.search(fold(analysis.question)):
        found.append(_any(PREVENTION_FILTER))
    elif analysis.intent in INTENT_FILTERS:
        found.append(_any(INTENT_FILTERS[analysis.intent]))
    found += [_any(POPULATION_FILTERS[p]) for p in analysis.population
              if p in POPULATION_FILTERS]
    return found


def pubmed_query(question: str | QuestionAnalysis, max_chars: int = 2000) -> PubMedQuery:
    """The PubMed query for a question (a QuestionError when it has nothing to search)."""
    analysis = question if isinstance(question, QuestionAnalysis) else analyse_question(
        question, max_chars)
    concepts = _concepts(analysis)
    if not concepts:
        # No topic words ("What is it?"): the question's search terms, as PubMed maps them.
        concepts = [_any([_term(t, "tiab") for t in analysis.query_terms[:6]])] \
            if analysis.query_terms else []
    if not concepts:
        raise QuestionError("The question names nothing to search PubMed for; name the "
                            "condition, drug or procedure it is about.")
    topic = " AND ".join(concepts)
    filters = _filters(analysis)
    narrow = " AND ".join([topic, *filters])
    return PubMedQuery(query=f"{narrow} AND {LIMITS}",
                       broader=f"{topic} AND {LIMITS}" if filters else None)
