"""Verifier benchmark: false statements it must catch and faithful ones it must pass, per
kind, on statements the entailment model was never fitted on.

    python bench/verifier_cases.py [--data DIR]

The cases are `bench/train_entailment_model.py`'s held-out set (SciFact claims whose id is
divisible by four, against their evidence; rewrites of sentences of SciFact papers held out
from training; BioASQ 12b batch 3 expert summaries; PubMedQA test-split conclusions), plus two
kinds made here from the same held-out claims and papers:

- two-source paraphrase: two SUPPORT claims joined into one statement citing both papers
  (faithful), and the same with one of the papers replaced by a paper the claim does not rest
  on (false);
- K-QA's NLI calibration set: a physician's statement against an LLM's answer (premise),
  labelled by physicians; entailed is faithful, contradiction or neutral is not (never trained on).

Each statement goes through `verify_statement` as an article's would, with the entailment
model (today's verifier) and without it (the word checks and the cosine floor alone). Word
rarity comes from the SciFact corpus, as a library of those papers would give it.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from train_entailment_model import (
    Example,
    build,
    held_out_claim,
    scifact_claims,
    scifact_papers,
)

from curbside.answer.verify import SourceText, verify_statement
from curbside.learned.entailment_model import EntailmentJudge
from curbside.models import Document, DocumentSection
from curbside.settings import default_data_dir
from curbside.text import words

SEED = 20261204


@dataclass(frozen=True)
class KindResult:
    kind: str
    faithful: bool
    cases: int
    passed: float  # share judged supported, with the entailment model
    passed_without_model: float  # the same, by the word checks and cosine floor alone


def two_source_examples(data: Path, rng: random.Random) -> list[Example]:
    papers = scifact_papers(data)
    supported = [(row["claim"], papers[row["evidence_doc_id"]]) for row in scifact_claims(data)
                 if held_out_claim(row["id"]) and row["evidence_label"] == "SUPPORT"
                 and row["evidence_doc_id"] in papers]
    rng.shuffle(supported)
    others = sorted(papers.values(), key=lambda p: p.id)
    examples = []
    for (first, paper), (second, other) in zip(supported[::2], supported[1::2], strict=False):
        if paper.id == other.id:
            continue
        joined = f"{first.rstrip('. ')}, and {second[0].lower()}{second[1:].rstrip('. ')}."
        examples.append(Example(joined, (paper, other), 1.0, "two-source paraphrase"))
        stranger = rng.choice(others)
        if stranger.id not in (paper.id, other.id):
            examples.append(Example(joined, (paper, stranger), 0.0,
                                    "two-source paraphrase, one paper wrong"))
    return examples


def kqa_examples(data: Path) -> list[Example]:
    examples = []
    with (data / "k-qa" / "NLI_medical_annotator.csv").open(encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            label = row["majority_label"]
            answer = Document(id=f"kqa:{i}", source="k-qa", title="",
                              sections=[DocumentSection(label="", text=row["answer"])])
            kind = ("k-qa statement entailed by the answer" if label == "Entailment"
                    else "k-qa statement not entailed (contradiction or neutral)")
            examples.append(Example(row["claim"], (answer,), float(label == "Entailment"), kind))
    return examples


def corpus_rarity(data: Path) -> Callable[[str], float]:
    papers = scifact_papers(data)
    counts: Counter[str] = Counter(w for p in papers.values() for w in set(words(p.full_text())))
    total = len(papers)
    return lambda word: counts[word] / total


def run(data: Path, judge: EntailmentJudge) -> list[KindResult]:
    rng = random.Random(SEED)
    examples = [*build(data, held_out=True), *two_source_examples(data, rng),
                *kqa_examples(data)]
    rarity = corpus_rarity(data)
    sources: dict[str, SourceText] = {}
    with_model: dict[str, list[bool]] = {}
    without_model: dict[str, list[bool]] = {}
    labels: dict[str, bool] = {}
    for example in examples:
        cites = list(example.cites)
        judged = verify_statement(example.statement, cites, rarity, None, sources, judge)
        plain = verify_statement(example.statement, cites, rarity, None, sources)
        with_model.setdefault(example.kind, []).append(judged.supported)
        without_model.setdefault(example.kind, []).append(plain.supported)
        labels[example.kind] = bool(example.label)
    return [KindResult(kind, labels[kind], len(values), statistics.fmean(values),
                       statistics.fmean(without_model[kind]))
            for kind, values in sorted(with_model.items(), key=lambda kv: (not labels[kv[0]],
                                                                           kv[0]))]


def summary(results: list[KindResult]) -> dict[str, float]:
    """False statements caught and faithful ones turned away, over every case."""
    def share(faithful: bool, attribute: str) -> float:
        rows = [r for r in results if r.faithful == faithful]
        return float(sum(getattr(r, attribute) * r.cases for r in rows)) / sum(r.cases for r in rows)
    return {"caught": 1 - share(False, "passed"), "false_alarms": 1 - share(True, "passed"),
            "caught_without_model": 1 - share(False, "passed_without_model"),
            "false_alarms_without_model": 1 - share(True, "passed_without_model")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    results = run(args.data, EntailmentJudge(args.model))
    for result in results:
        print(json.dumps(result.__dict__))
    print(json.dumps(summary(results), indent=1))


if __name__ == "__main__":
    main()
