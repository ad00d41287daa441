"""Answer evaluation: article bottom lines against expert ideal answers.

Reads the BioASQ golden files (`*_golden.json`) of a folder, or a BEIR-layout folder with
`queries.jsonl` and `answers.jsonl` (`{"_id", "answers": [...]}`). Scores Curbside and, in the
same run, the peer: the first two sentences of the top BM25 hit for the same question.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curbside.answer.ask import answer_question
from curbside.answer.question import analyse_question
from curbside.answer.trace import is_traceable
from curbside.errors import CurbsideError
from curbside.eval.rouge import best_over
from curbside.library.store import Library
from curbside.models import Article
from curbside.settings import Settings
from curbside.text import split_sentences


@dataclass(frozen=True)
class JudgedQuestion:
    id: str
    text: str
    ideal_answers: list[str]
    kind: str = ""  # BioASQ question type: summary, yesno, factoid, list


@dataclass
class SystemScores:
    rouge2: list[float] = field(default_factory=list)
    su4: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    answered: int = 0
    statements: int = 0
    traceable: int = 0

    def add(self, answer: str, ideals: list[str], answered: bool) -> None:
        self.rouge2.append(best_over("rouge2", answer, ideals))
        self.su4.append(best_over("su4", answer, ideals))
        self.lengths.append(len(answer.split()))
        self.answered += int(answered)

    def summary(self) -> dict[str, float]:
        n = len(self.su4) or 1
        return {
            "count": float(len(self.su4)),
            "rouge2": statistics.fmean(self.rouge2) if self.rouge2 else 0.0,
            "su4": statistics.fmean(self.su4) if self.su4 else 0.0,
            "answered": self.answered / n,
            "median_words": float(statistics.median(self.lengths)) if self.lengths else 0.0,
            "traceable": self.traceable / self.statements if self.statements else 1.0,
        }


def read_judged_questions(folder: Path) -> list[JudgedQuestion]:
    golden = sorted(folder.glob("*_golden.json"))
    if golden:
        return list(_bioasq(golden))
    queries, answers = folder / "queries.jsonl", folder / "answers.jsonl"
    if queries.exists() and answers.exists():
        return list(_beir(queries, answers))
    raise CurbsideError(
        f"{folder} has neither BioASQ *_golden.json files nor queries.jsonl + answers.jsonl."
    )


def _bioasq(paths: list[Path]) -> Iterator[JudgedQuestion]:
    for path in paths:
        for question in json.loads(path.read_text(encoding="utf-8"))["questions"]:
            ideals = question.get("ideal_answer") or []
            ideals = [ideals] if isinstance(ideals, str) else ideals
            if ideals:
                yield JudgedQuestion(str(question["id"]), question["body"], list(ideals),
                                     str(question.get("type", "")))


def _beir(queries: Path, answers: Path) -> Iterator[JudgedQuestion]:
    ideal: dict[str, list[str]] = {}
    for line in answers.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            ideal[str(row.get("_id", row.get("id")))] = list(row["answers"])
    for line in queries.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            qid = str(row["_id"])
            if ideal.get(qid):
                yield JudgedQuestion(qid, row["text"], ideal[qid])


def peer_answer(library: Library, question: str) -> str:
    """The first two sentences of the top BM25 hit's document (the first hit with text: a
    judged paper known only by its title has none)."""
    for hit in library.search(analyse_question(question).query_terms, 5):
        document = library.get(hit.passage.doc_id)
        sentences = split_sentences(" ".join(s.text for s in document.sections))
        if sentences:
            return " ".join(sentences[:2])
    return ""


def count_traceable(article: Article, library: Library, scores: SystemScores) -> None:
    by_number = {r.n: r.id for r in article.references}
    for statement in article.statements():
        scores.statements += 1
        documents = [library.get(by_number[n]) for n in statement.citations if n in by_number]
        if documents and all(is_traceable(statement.text, d) for d in documents):
            scores.traceable += 1


def evaluate_answers(
    library: Library, questions: list[JudgedQuestion], settings: Settings
) -> dict[str, dict[str, float]]:
    """Scores of both systems, overall and (as "curbside:KIND", "peer:KIND") by question type."""
    systems: dict[str, SystemScores] = {}

    def scores(name: str) -> SystemScores:
        return systems.setdefault(name, SystemScores())

    for question in questions:
        article = answer_question(library, question.text, "clinician", settings)
        bottom_line = " ".join(s.text for s in article.bottom_line)
        baseline = peer_answer(library, question.text)
        suffixes = ["", f":{question.kind}"] if question.kind else [""]
        for suffix in suffixes:
            ours = scores("curbside" + suffix)
            ours.add(bottom_line, question.ideal_answers, answered=bool(article.bottom_line))
            count_traceable(article, library, ours)
            scores("peer" + suffix).add(baseline, question.ideal_answers, answered=bool(baseline))
    return {name: system.summary() for name, system in sorted(systems.items())}
