"""Abbreviations the evidence defines for the topic: "diabetic ketoacidosis (DKA)" lets a
guideline's "Fluid Resuscitation in DKA" count as naming the question's topic.

Definitions are found the way Schwartz and Hearst (2003) proposed: a short form in brackets
after a long form whose words hold the short form's letters in order, its first letter
starting the first word. Only definitions found in the retrieved evidence are used, and only
when every word of the long form is a topic word, so an abbreviation never widens the topic.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator

from curbside.text import fold, stem, words

# A short form in brackets ("(DKA)"), and after "or" as consumer pages write it, past a
# pronunciation in brackets: "bronchopulmonary dysplasia (brong-ko-PUL-mo-nar-e
# dis-PLA-ze-ah), or BPD". The long form is sought in the words just before: found by the
# short form first, the scan stays linear in the text.
_SHORT_IN_BRACKETS = re.compile(r"\(([A-Z][A-Za-z0-9]{1,9})\)")
_SHORT_AFTER_OR = re.compile(r"(?:\([^()]{1,80}\))?,?\s+or\s+([A-Z][A-Z0-9]{1,9})\b")
_WORD = re.compile(r"[A-Za-z][\w'-]*")
_WORD_TAIL = re.compile(r"[A-Za-z][\w'-]*$")
LONG_FORM_WORDS = 8  # words before a short form that may spell it
SHORTEST = 2  # letters; "(A)" is a list label, not an abbreviation


def long_form(candidate_words: list[str], short: str) -> list[str] | None:
    """The fewest trailing words that spell the short form's letters in order, or None."""
    letters = [c for c in short.lower() if c.isalnum()]
    for size in range(1, len(candidate_words) + 1):
        chosen = candidate_words[-size:]
        if chosen[0][0].lower() != letters[0]:
            continue
        text = " ".join(chosen).lower()
        position = 0
        for letter in letters:
            position = text.find(letter, position)
            if position < 0:
                break
            position += 1
        else:
            return chosen
    return None


def _defined_forms(text: str) -> Iterator[tuple[list[str], str]]:
    """Each short form the text may define, with the run of words just before it."""
    for pattern in (_SHORT_IN_BRACKETS, _SHORT_AFTER_OR):
        for match in pattern.finditer(text):
            start = match.start()
            if pattern is _SHORT_IN_BRACKETS and (start == 0 or not text[start - 1].isspace()):
                continue  # "(BPD)" follows its long form after a space
            run: list[str] = []
            for token in reversed(text[max(0, start - 160):start].split()):
                if len(run) >= LONG_FORM_WORDS:
                    break
                if _WORD.fullmatch(token):
                    run.append(token)
                    continue
                # "(ER)/GATA3/Forkhead box A1 (FOXA1)": the run starts inside the token
                tail = _WORD_TAIL.search(token)
                if tail:
                    run.append(tail.group(0))
                break
            if run:
                yield run[::-1], match.group(1)


def definitions(texts: Iterable[str]) -> dict[str, str]:
    """Short form (folded) -> long form, for every definition in the texts. A short form the
    texts define as two things ("borderline personality disorder (BPD)", "bronchopulmonary
    dysplasia (BPD)") stands for neither: it is left out."""
    found: dict[str, str] = {}
    meanings: dict[str, set[tuple[str, ...]]] = {}
    for text in texts:
        if "(" not in text and " or " not in text:
            continue
        for before, short in _defined_forms(text):
            if len(short) < SHORTEST or not any(c.isupper() for c in short[1:] + short[0]):
                continue
            chosen = long_form(before, short)
            if chosen and len(chosen) >= 2:
                key = fold(short)
                found.setdefault(key, " ".join(chosen))
                meanings.setdefault(key, set()).add(tuple(stem(w) for w in words(" ".join(chosen))))
    return {short: long for short, long in found.items() if len(meanings[short]) == 1}


def meanings_by_document(texts: Iterable[tuple[str, str]], short: str) -> dict[str, set[str]]:
    """Folded long form -> the documents (of `(doc_id, text)` pairs) defining `short` so."""
    found: dict[str, set[str]] = {}
    for doc_id, text in texts:
        long = definitions([text]).get(short)
        if long:
            key = " ".join(stem(w) for w in words(long))
            found.setdefault(key, set()).add(doc_id)
    return found


def topic_abbreviations(
    texts: Iterable[str], topic_terms: Iterable[str], known: set[str],
    question_words: Collection[str] = (),
) -> dict[str, tuple[str, ...]]:
    """Short forms whose long form is made of topic words only, with the words they stand for.

    `known` are the words the question already uses: a short form it wrote is no expansion.
    The long form may also hold the question's other words (`question_words`, its qualifiers
    and function words) when it holds two topic words or more: "heart failure with reduced
    ejection fraction (HFrEF)" for a question written so, as a guideline writes "HFrEF"."""
    topic = set(topic_terms)
    allowed = topic | set(question_words)
    found: dict[str, tuple[str, ...]] = {}
    for short, long in definitions(texts).items():
        parts = words(long)
        if short in known or not parts:
            continue
        named = tuple(dict.fromkeys(p for p in parts if p in topic))
        if all(p in topic for p in parts) or (
                len(named) >= 2 and all(p in allowed for p in parts)):
            found[short] = named
    return found
