"""Answer quality on BioASQ 12b batches 1-3 over the starter library, against checked-in
expected figures; every statement of every article must trace to its cited document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.eval.answers import evaluate_answers, read_judged_questions
from curbside.library.store import Library
from curbside.settings import Settings

EXPECTED = json.loads((Path(__file__).parent / "expected_answers.json").read_text())
TOLERANCE = 0.01


def test_bioasq_answers_match_expected_figures(data_dir: Path, starter_library: Library
                                               ) -> None:
    questions = read_judged_questions(data_dir / "bioasq-12b-golden")
    assert len(questions) == 255
    result = evaluate_answers(starter_library, questions, Settings())
    for system, expected in EXPECTED["bioasq-12b-1-3"].items():
        for metric in ("rouge2", "su4", "answered", "lead_precision", "section_precision"):
            assert result[system][metric] == pytest.approx(expected[metric], abs=TOLERANCE), (
                system, metric)
        assert result[system]["traceable"] == 1.0, system


def test_beir_layout_answers(tmp_path: Path, starter_library: Library) -> None:
    (tmp_path / "queries.jsonl").write_text(
        json.dumps({"_id": "1", "text": "What is oculopharyngeal muscular dystrophy?"}) + "\n")
    (tmp_path / "answers.jsonl").write_text(json.dumps({
        "_id": "1", "answers": ["Synthetic reference answer: oculopharyngeal muscular dystrophy "
                                "is a late-onset muscle disorder."]}) + "\n")
    questions = read_judged_questions(tmp_path)
    result = evaluate_answers(starter_library, questions, Settings())
    assert result["curbside"]["answered"] == 1.0
    assert result["curbside"]["su4"] > 0.05
