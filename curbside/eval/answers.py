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
from curbside.text import split_sentences, words


@dataclass(frozen=True)
class JudgedQuestion:
    id: str
    text: str
    ideal_answers: list[str]
    kind: str = ""  # BioASQ question type: summary, yesno, factoid, list
    snippets: list[str] = field(default_factory=list)  # what the experts quoted as answers
    batch: str = ""  # the golden file's name ("12B3"): fitted models are scored per batch


@dataclass
class SystemScores:
    rouge2: list[float] = field(default_factory=list)
    su4: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    answered: int = 0
    statements: int = 0
    traceable: int = 0
    # Statement precision: statements that lie mostly inside one of the experts' snippets.
    lead_statements: int = 0
    lead_matched: int = 0
    section_statements: int = 0
    section_matched: int = 0

    def add_precision(self, lead: list[str], sections: list[str], snippets: list[str]) -> None:
        if not snippets:
            return
        quoted = [set(words(s)) for s in snippets]
        self.lead_statements += len(lead)
        self.lead_matched += sum(matches_snippet(s, quoted) for s in lead)
        self.section_statements += len(sections)
        self.section_matched += sum(matches_snippet(s, quoted) for s in sections)

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
            "lead_precision": (self.lead_matched / self.lead_statements
                               if self.lead_statements else 0.0),
            "section_precision": (self.section_matched / self.section_statements
                                  if self.section_statements else 0.0),
            "section_statements": float(self.section_statements),
        }


SNIPPET_SHARE = 0.7


def matches_snippet(statement: str, snippets: list[set[str]]) -> bool:
    """At least 70 % of the statement's words lie inside one snippet."""
    own = words(statement)
    if not own:
        return False
    return any(sum(w in snippet for w in own) >= SNIPPET_SHARE * len(own) for snippet in snippets)


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
                snippets = [str(s["text"]) for s in question.get("snippets") or []]
                yield JudgedQuestion(str(question["id"]), question["body"], list(ideals),
                                     str(question.get("type", "")), snippets,
                                     path.name.split("_")[0])


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


def peer_sentences(library: Library, question: str) -> list[str]:
    """The peer, lead-2: the first two sentences of the top BM25 hit's document (the first hit
    with text: a judged paper known only by its title has none)."""
    for hit in library.search(analyse_question(question).query_terms, 5):
        document = library.get(hit.passage.doc_id)
        sentences = split_sentences(" ".join(s.text for s in document.sections))
        if sentences:
            return sentences[:2]
    return []


def peer_answer(library: Library, question: str) -> str:
    return " ".join(peer_sentences(library, question))


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
    """Scores of both systems, overall, by question type ("curbside:KIND", "peer:KIND") and by
    golden batch ("curbside@12B3")."""
    systems: dict[str, SystemScores] = {}

    def scores(name: str) -> SystemScores:
        return systems.setdefault(name, SystemScores())

    for question in questions:
        article = answer_question(library, question.text, "clinician", settings)
        bottom_line = " ".join(s.text for s in article.bottom_line)
        peer = peer_sentences(library, question.text)
        baseline = " ".join(peer)
        lead = [s.text for s in article.bottom_line]
        in_sections = [s.text for s in article.statements()][len(lead):]
        suffixes = ["", f":{question.kind}"] if question.kind else [""]
        if question.batch:
            suffixes.append(f"@{question.batch}")
        for suffix in suffixes:
            ours = scores("curbside" + suffix)
            ours.add(bottom_line, question.ideal_answers, answered=bool(article.bottom_line))
            count_traceable(article, library, ours)
            ours.add_precision(lead, [] if article.insufficient_evidence else in_sections,
                               question.snippets)
            theirs = scores("peer" + suffix)
            theirs.add(baseline, question.ideal_answers, answered=bool(baseline))
            theirs.add_precision(peer, [], question.snippets)
    return {name: system.summary() for name, system in sorted(systems.items())}
