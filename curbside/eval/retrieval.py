"""Retrieval evaluation on BEIR-layout data sets (corpus.jsonl, queries.jsonl, qrels/*.tsv)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs
from rich.console import Console

from curbside.answer.appraise import appraise, evidence_factor
from curbside.answer.question import analyse_question
from curbside.errors import CurbsideError, QuestionError
from curbside.eval.metrics import mrr_at, ndcg_at, recall_at
from curbside.library.formats.detect import read_any
from curbside.library.formats.scifact import abstract_sentences
from curbside.library.ingest import ingest_paths
from curbside.library.search import query_terms, search_documents
from curbside.library.store import Library
from curbside.models import Document
from curbside.settings import RETRIEVAL_MODES, RetrievalSettings, Settings

RUN_DEPTH = 100
# The modes `curbside eval retrieval` reports: the search stages, and the hybrid ranking
# reranked by the cross-encoder (curbside/library/rerank.py).
EVAL_MODES: tuple[str, ...] = (*RETRIEVAL_MODES, "reranked")
RUN_TAG = "curbside"
_COMPLETE = "complete"


@dataclass
class RetrievalResult:
    queries: int
    ndcg_10: float
    recall_100: float
    mrr_10: float


def read_queries(path: Path) -> dict[str, str]:
    queries = {}
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                row = json.loads(line)
                queries[str(row["_id"])] = str(row["text"])
    return queries


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as stream:
        for row in csv.reader(stream, delimiter="\t"):
            if len(row) < 3 or row[0] == "query-id":
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    return qrels


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:20]


def eval_library_dir(corpus: Path) -> Path:
    """Where the library built from this exact corpus lives, reused while the content is the
    same."""
    return Path(platformdirs.user_cache_dir("curbside")) / "eval" / _fingerprint(corpus)


def library_for_corpus(corpus: Path, progress: Console | None = None) -> Library:
    directory = eval_library_dir(corpus)
    if not (directory / _COMPLETE).exists():
        if directory.exists():
            shutil.rmtree(directory)  # an earlier build was interrupted
        if progress:
            progress.print(f"Building a library from {corpus} in {directory} …")
        with Library(directory, create=True) as library:
            ingest_paths(library, [corpus])
        (directory / _COMPLETE).write_text("ok\n")
    return Library(directory)


def settings_for_mode(settings: Settings, mode: str) -> Settings:
    """The settings with retrieval in one of EVAL_MODES ("reranked": hybrid, reranked)."""
    if mode not in EVAL_MODES:
        raise CurbsideError(f"Unknown mode {mode!r}: use all, or one of {', '.join(EVAL_MODES)}.")
    update: dict[str, object] = ({"mode": "hybrid", "rerank": True} if mode == "reranked"
                                 else {"mode": mode, "rerank": False})
    return settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update=update)})


def _terms(text: str) -> list[str]:
    try:
        return analyse_question(text, max_chars=100_000).query_terms
    except QuestionError:
        return query_terms(text)


def run_queries(
    library: Library,
    queries: dict[str, str],
    settings: RetrievalSettings,
    appraised: bool = False,
    limit: int | None = None,
) -> dict[str, list[tuple[str, float]]]:
    """Each query's ranked documents (the first `limit` queries); `appraised` lifts them by
    evidence strength and recency as the answer flow does."""
    runs = {}
    this_year = datetime.now(UTC).year
    for qid, text in list(queries.items())[:limit]:
        hits = search_documents(library, _terms(text), RUN_DEPTH, settings, query=text)
        ranked = [(hit.doc_id, hit.score) for hit in hits]
        if appraised:
            documents = library.get_many(doc_id for doc_id, _ in ranked)
            ranked = sorted(
                ((doc_id, score * evidence_factor(appraise(documents[doc_id]), this_year))
                 for doc_id, score in ranked if doc_id in documents),
                key=lambda pair: -pair[1],
            )
        runs[qid] = ranked
    return runs


def write_trec_run(runs: dict[str, list[tuple[str, float]]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as stream:
        for qid, ranked in runs.items():
            for rank, (doc_id, score) in enumerate(ranked[:RUN_DEPTH], 1):
                stream.write(f"{qid} Q0 {doc_id} {rank} {score:.6f} {RUN_TAG}\n")


def score_runs(
    runs: dict[str, list[tuple[str, float]]], qrels: dict[str, dict[str, int]]
) -> RetrievalResult:
    judged = [q for q in qrels if q in runs and any(v > 0 for v in qrels[q].values())]
    if not judged:
        raise CurbsideError("No query has both a run and a relevant document in the qrels.")
    ndcg = recall = mrr = 0.0
    for qid in judged:
        ranking = [doc_id for doc_id, _ in runs[qid]]
        ndcg += ndcg_at(ranking, qrels[qid], 10)
        recall += recall_at(ranking, qrels[qid], 100)
        mrr += mrr_at(ranking, qrels[qid], 10)
    n = len(judged)
    return RetrievalResult(queries=n, ndcg_10=ndcg / n, recall_100=recall / n, mrr_10=mrr / n)


def evaluate_beir(
    folder: Path,
    settings: Settings,
    split: str = "test",
    run_path: Path | None = None,
    progress: Console | None = None,
    appraised: bool = False,
    limit: int | None = None,
) -> RetrievalResult:
    corpus = folder / "corpus.jsonl"
    queries_path = folder / "queries.jsonl"
    qrels_path = folder / "qrels" / f"{split}.tsv"
    for needed in (corpus, queries_path, qrels_path):
        if not needed.exists():
            raise CurbsideError(
                f"{needed} is missing. A BEIR folder holds corpus.jsonl, queries.jsonl and "
                f"qrels/{split}.tsv."
            )
    qrels = read_qrels(qrels_path)
    queries = {q: t for q, t in read_queries(queries_path).items() if q in qrels}
    with library_for_corpus(corpus, progress) as library:
        runs = run_queries(library, queries, settings.retrieval, appraised, limit)
    if run_path is not None:
        write_trec_run(runs, run_path)
    return score_runs(runs, qrels)


def _scifact_rows(data: Path, member: str) -> Iterator[dict[str, str]]:
    archive_path = data / "scifact" / "scifact-csv.zip"
    if not archive_path.exists():
        raise CurbsideError(f"{archive_path} not found; set CURBSIDE_DATA to the data folder.")
    with zipfile.ZipFile(archive_path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(member))
        with archive.open(name) as raw:
            yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


def _write_queries_and_qrels(out: Path, queries: dict[str, str],
                             qrels: dict[str, set[str]]) -> None:
    """queries.jsonl and qrels/test.tsv of a BEIR folder (every judged document relevant)."""
    with (out / "queries.jsonl").open("w", encoding="utf-8") as stream:
        for qid, text in queries.items():
            stream.write(json.dumps({"_id": qid, "text": text}) + "\n")
    with (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as stream:
        stream.write("query-id\tcorpus-id\tscore\n")
        for qid, docs in qrels.items():
            for doc_id in sorted(docs):
                stream.write(f"{qid}\t{doc_id}\t1\n")


def write_scifact_train_beir(data: Path, out: Path) -> int:
    """BEIR folder of SciFact's training claims. As in BEIR's SciFact, a claim's relevant
    documents are the ones it cites (its evidence documents are among them)."""
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as stream:
        for row in _scifact_rows(data, "corpus_train.csv"):
            text = " ".join(abstract_sentences(row["abstract"]))
            stream.write(json.dumps({"_id": row["doc_id"], "title": row["title"],
                                     "text": text}) + "\n")
    queries: dict[str, str] = {}
    qrels: dict[str, set[str]] = {}
    for row in _scifact_rows(data, "claims_train.csv"):
        cited = {d for d in re.findall(r"\d+", row["cited_doc_ids"])}
        if row["evidence_doc_id"].strip():
            cited.add(row["evidence_doc_id"].strip())
        if cited:
            queries[row["id"]] = row["claim"]
            qrels.setdefault(row["id"], set()).update(cited)
    _write_queries_and_qrels(out, queries, qrels)
    return len(queries)


_POOLED_SOURCES = ("scifact/scifact-csv.zip", "pubmedqa/ori_pqal.json", "bioasq-12b-golden")


def write_bioasq_pooled_beir(data: Path, out: Path) -> int:
    """BEIR folder of BioASQ 12b batches 1-3 over a pooled corpus: every abstract of SciFact,
    PubMedQA and BioASQ in the data folder, plus, for each judged document whose abstract is
    not there, a document made of its BioASQ snippets. Relevant documents are each question's
    judged documents (the few with neither abstract nor snippet stay judged: every system
    misses them alike)."""
    golden = data / "bioasq-12b-golden"
    if not golden.is_dir():
        raise CurbsideError(f"{golden} not found; set CURBSIDE_DATA to the data folder.")
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    corpus: dict[str, tuple[str, str]] = {}
    for name in _POOLED_SOURCES:
        for record in read_any(data / name):
            if isinstance(record, Document) and not (record.excerpts_only and record.id in corpus):
                text = " ".join(section.text for section in record.sections)
                corpus[record.id] = (record.title, text)
    queries: dict[str, str] = {}
    qrels: dict[str, set[str]] = {}
    for batch in sorted(golden.glob("12B*_golden.json")):
        for question in json.loads(batch.read_text(encoding="utf-8"))["questions"]:
            judged = {f"pmid:{_pmid(url)}" for url in question.get("documents", [])}
            if judged:
                queries[question["id"]] = question["body"]
                qrels[question["id"]] = judged
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as stream:
        for doc_id, (title, text) in corpus.items():
            stream.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
    _write_queries_and_qrels(out, queries, qrels)
    return len(queries)


def _pmid(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]
