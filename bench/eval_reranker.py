"""Reranking measured: the hybrid ranking against the cross-encoder reranked one, for each
blend weight, on SciFact's training claims and BioASQ 12b batches 1-3 (each batch apart),
with the reranker's latency per query.

    python bench/eval_reranker.py [--data DIR] [--depth 30] [--max-tokens 128] [--limit N]
        [--out FILE]

Each query's hybrid passages are scored once by the cross-encoder; every blend weight then
re-orders the same scores, so the weights cost nothing more to compare. The weight is chosen
on data the shipped answer model was fitted on (BioASQ 12b batch 1, in sample) and reported
on data it never saw (SciFact train; BioASQ batches 2-3): see train_answer_model.py.
Libraries are built (once, cached) by curbside.eval.retrieval like `curbside eval retrieval`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from curbside.eval.metrics import mrr_at, ndcg_at, recall_at
from curbside.eval.retrieval import (
    RUN_DEPTH,
    _terms,
    library_for_corpus,
    read_qrels,
    read_queries,
    write_bioasq_pooled_beir,
    write_scifact_train_beir,
)
from curbside.library.rerank import OnnxPassageReranker, Scores, rerank
from curbside.library.search import search_passages
from curbside.models import PassageHit
from curbside.settings import RetrievalSettings, default_data_dir

WEIGHTS = (0.0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


class Remembered:
    """A reranker that answers with scores computed before (one per passage, in order)."""

    def __init__(self, scores: Sequence[float]):
        self.scores = np.asarray(scores, dtype=np.float32)

    def score(self, query: str, passages: Sequence[tuple[str, str]]) -> Scores:
        return self.scores[:len(passages)]


def documents(hits: Sequence[PassageHit]) -> list[str]:
    return list(dict.fromkeys(hit.passage.doc_id for hit in hits))[:RUN_DEPTH]


def metrics(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    judged = [q for q in runs if any(v > 0 for v in qrels.get(q, {}).values())]
    n = len(judged) or 1  # an empty group (a --limit run) reports zeros
    return {"queries": n,
            "ndcg_10": round(sum(ndcg_at(runs[q], qrels[q], 10) for q in judged) / n, 4),
            "recall_100": round(sum(recall_at(runs[q], qrels[q], 100) for q in judged) / n, 4),
            "mrr_10": round(sum(mrr_at(runs[q], qrels[q], 10) for q in judged) / n, 4)}


def measure(folder: Path, reranker: OnnxPassageReranker, depth: int,
            limit: int | None) -> tuple[dict[str, list[PassageHit]], dict[str, list[float]],
                                        list[float], int]:
    settings = RetrievalSettings()
    qrels = read_qrels(folder / "qrels" / "test.tsv")
    queries = [(q, t) for q, t in read_queries(folder / "queries.jsonl").items() if q in qrels]
    hits: dict[str, list[PassageHit]] = {}
    scores: dict[str, list[float]] = {}
    seconds: list[float] = []
    pairs = 0
    with library_for_corpus(folder / "corpus.jsonl") as library:
        for qid, text in queries[:limit]:
            found = search_passages(library, _terms(text), RUN_DEPTH * 4, settings)
            head = found[:depth]
            start = time.perf_counter()
            probabilities = reranker.score(text, [(h.title, h.passage.text) for h in head])
            seconds.append(time.perf_counter() - start)
            pairs += len(head)
            hits[qid] = found
            scores[qid] = [float(p) for p in probabilities]
    return hits, scores, seconds, pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--depth", type=int, default=30)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    reranker = OnnxPassageReranker(threads=2, max_tokens=args.max_tokens)
    batches = {question["id"]: batch.name.split("_")[0]
               for batch in sorted((args.data / "bioasq-12b-golden").glob("12B*_golden.json"))
               for question in json.loads(batch.read_text(encoding="utf-8"))["questions"]}
    report: dict[str, object] = {"depth": args.depth, "max_tokens": args.max_tokens}
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in (("scifact-train", write_scifact_train_beir),
                            ("bioasq-12b-1-3-pooled", write_bioasq_pooled_beir)):
            folder = Path(tmp) / name
            write(args.data, folder)
            qrels = read_qrels(folder / "qrels" / "test.tsv")
            hits, scores, seconds, pairs = measure(folder, reranker, args.depth, args.limit)
            groups = ({"all": list(hits)} if name == "scifact-train" else
                      {b: [q for q in hits if batches.get(q) == b]
                       for b in sorted(set(batches.values()))})
            if name != "scifact-train":
                groups["12B2+12B3"] = [q for q in hits if batches.get(q) in ("12B2", "12B3")]
            figures: dict[str, dict[str, dict[str, float]]] = {}
            for group, qids in groups.items():
                row = {"hybrid": metrics({q: documents(hits[q]) for q in qids}, qrels)}
                for weight in WEIGHTS:
                    runs = {q: documents(rerank("", hits[q], Remembered(scores[q]), args.depth,
                                                weight)) for q in qids}
                    row[f"reranked w={weight}"] = metrics(runs, qrels)
                figures[group] = row
            ms = sorted(1000 * s for s in seconds)
            report[name] = {
                "figures": figures,
                "rerank_ms_p50": round(statistics.median(ms), 1),
                "rerank_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 1),
                "pairs_per_second": round(pairs / sum(seconds), 1),
            }
            print(json.dumps({name: report[name]}, indent=1), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
