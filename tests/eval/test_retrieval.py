"""Retrieval quality on SciFact's training claims, compared with checked-in expected values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.eval.retrieval import (
    evaluate_beir,
    read_qrels,
    settings_for_mode,
    write_bioasq_pooled_beir,
    write_scifact_train_beir,
)
from curbside.settings import RETRIEVAL_MODES, RetrievalSettings, Settings

EXPECTED = json.loads((Path(__file__).parent / "expected_retrieval.json").read_text())
TOLERANCE = 0.01


def test_scifact_train_matches_expected_figures(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "scifact-train"
    assert write_scifact_train_beir(data_dir, folder) == 809
    assert sum(len(v) for v in read_qrels(folder / "qrels" / "test.tsv").values()) == 919
    run = tmp_path / "run.trec"
    for mode in RETRIEVAL_MODES:
        settings = Settings(retrieval=RetrievalSettings(mode=mode))
        result = evaluate_beir(folder, settings, run_path=run if mode == "hybrid" else None)
        expected = EXPECTED["scifact-train"][mode]
        assert result.queries == expected["queries"]
        assert result.ndcg_10 == pytest.approx(expected["ndcg_10"], abs=TOLERANCE), mode
        assert result.recall_100 == pytest.approx(expected["recall_100"], abs=TOLERANCE), mode
        assert result.mrr_10 == pytest.approx(expected["mrr_10"], abs=TOLERANCE), mode
    # Reranking reads 30 passages a claim with the cross-encoder: the first 200 claims keep
    # the test within CI time (the 809 take about 10 minutes on 2 cores).
    expected = EXPECTED["scifact-train"]["reranked"]
    result = evaluate_beir(folder, settings_for_mode(Settings(), "reranked"),
                           limit=expected["queries"])
    assert result.queries == expected["queries"]
    assert result.ndcg_10 == pytest.approx(expected["ndcg_10"], abs=TOLERANCE)
    assert result.recall_100 == pytest.approx(expected["recall_100"], abs=TOLERANCE)
    assert result.mrr_10 == pytest.approx(expected["mrr_10"], abs=TOLERANCE)
    lines = run.read_text().splitlines()
    _qid, q0, _doc, rank, _score, tag = lines[0].split()
    assert (q0, rank, tag) == ("Q0", "1", "curbside")
    per_query: dict[str, int] = {}
    for line in lines:
        per_query[line.split()[0]] = per_query.get(line.split()[0], 0) + 1
    assert max(per_query.values()) <= 100
    # The second run reuses the library built for the same corpus content.
    cached = list((tmp_path / "cache" / "curbside" / "eval").iterdir())
    evaluate_beir(folder, Settings())
    assert list((tmp_path / "cache" / "curbside" / "eval").iterdir()) == cached


def test_bioasq_pooled_matches_expected_figures(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bioasq-pooled"
    assert write_bioasq_pooled_beir(data_dir, folder) == 255
    corpus_ids = [json.loads(line)["_id"] for line in (folder / "corpus.jsonl").open()]
    assert len(corpus_ids) == len(set(corpus_ids)) > 11_000
    judged = {doc for docs in read_qrels(folder / "qrels" / "test.tsv").values() for doc in docs}
    # 749 of 5,177 judged documents have neither an abstract nor a snippet in the data: they
    # stay judged (every system misses them alike), but the pool holds all the others.
    assert len(judged - set(corpus_ids)) == 749
    for mode in RETRIEVAL_MODES:
        result = evaluate_beir(folder, Settings(retrieval=RetrievalSettings(mode=mode)))
        expected = EXPECTED["bioasq-12b-1-3-pooled"][mode]
        assert result.queries == expected["queries"]
        assert result.ndcg_10 == pytest.approx(expected["ndcg_10"], abs=TOLERANCE), mode
        assert result.recall_100 == pytest.approx(expected["recall_100"], abs=TOLERANCE), mode
