"""Key points: how many of the statements physicians marked "must have" for a patient question
(K-QA) an article covers.

A must-have statement counts as covered when at least 60 % of its key words (those that are
not function or question-frame words), by stem, appear among the article's statements, and
every number it states appears there too. Curbside's article and, in the same run, the peer
(the first two sentences of the top BM25 hit) are scored alike. Nothing in Curbside is fitted
on K-QA, so the figures are out of sample.
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from curbside.answer.ask import answer_question
from curbside.answer.question import FRAME_WORDS, FUNCTION_WORDS
from curbside.errors import CurbsideError, QuestionError
from curbside.eval.answers import peer_sentences
from curbside.library.store import Library
from curbside.models import Audience
from curbside.settings import Settings
from curbside.text import stem, words

KEY_WORD_SHARE = 0.6
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class KeyPointQuestion:
    text: str
    must_have: list[str]


def read_must_have(path: Path) -> list[KeyPointQuestion]:
    """K-QA's `questions_w_answers.jsonl`: a question and its must-have statements a line."""
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    except (OSError, ValueError) as error:
        raise CurbsideError(f"Cannot read {path} as K-QA JSON lines: {error}") from error
    return [KeyPointQuestion(str(r["Question"]), [str(m) for m in r.get("Must_have") or []])
            for r in rows if r.get("Must_have")]


def key_stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)
            if w not in FUNCTION_WORDS and w not in FRAME_WORDS and len(w) >= 3}


def covered(statement: str, article_stems: set[str], article_text: str) -> bool:
    wanted = key_stems(statement)
    if not wanted:
        return False
    numbers = _NUMBER.findall(statement)
    if any(n not in article_text for n in numbers):
        return False
    return len(wanted & article_stems) >= KEY_WORD_SHARE * len(wanted)


def coverage_share(must_have: list[str], shown: list[str]) -> float:
    text = " ".join(shown)
    stems = key_stems(text)
    return statistics.fmean(covered(m, stems, text) for m in must_have)


def evaluate_must_have(library: Library, questions: list[KeyPointQuestion], settings: Settings,
                       audience: Audience = "patient") -> dict[str, dict[str, float]]:
    """Mean share of must-have statements covered, per system, and how many articles had a
    bottom line."""
    ours: list[float] = []
    theirs: list[float] = []
    answered = 0
    for question in questions:
        try:
            article = answer_question(library, question.text, audience, settings)
        except QuestionError:
            continue
        shown = [] if article.insufficient_evidence else [s.text for s in article.statements()]
        answered += int(bool(article.bottom_line))
        ours.append(coverage_share(question.must_have, shown))
        theirs.append(coverage_share(question.must_have, peer_sentences(library,
                                                                        question.text)))
    count = float(len(ours))
    return {
        "curbside": {"questions": count, "must_have_covered": statistics.fmean(ours or [0.0]),
                     "answered": answered / count if count else 0.0},
        "peer": {"questions": count, "must_have_covered": statistics.fmean(theirs or [0.0]),
                 "answered": 1.0},
    }
