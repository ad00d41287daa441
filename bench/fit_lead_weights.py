"""Fit the lead model's weights (curbside/answer/lead.py) on the BioASQ 12b golden batches.

    python bench/fit_lead_weights.py [--library DIR] [--data DIR]

For every question, each candidate sentence of its bottom line is scored by ROUGE-SU4 against
the expert ideal answers; a pairwise logistic regression over the lead features learns to rank
each question's ten best sentences above those they beat by more than 0.1 (averaged over
bootstrap resamples of the questions). Prints, for each batch, the mean ROUGE-SU4 of the chosen
lead when the model is fitted on the other batches (and of the composer's own ranking), then
the weights fitted on all batches, to paste into LEAD_WEIGHTS. Needs `pip install -e '.[bench]'`
(scikit-learn) and the starter library (`curbside starter`).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from curbside.answer.bottom_line import lead_candidates, question_context
from curbside.answer.lead import LEAD_FEATURES, LEAD_POOL, PRONOUN_START, lead_features
from curbside.answer.question import analyse_question
from curbside.answer.retrieve import gather_evidence
from curbside.answer.select import candidate_sentences, focus
from curbside.eval.rouge import best_over
from curbside.library.store import Library
from curbside.settings import Settings, default_data_dir, default_library_dir

BEST = 10
MARGIN = 0.1  # ROUGE-SU4: closer pairs are noise
REGULARISATION = 1.0
# One fit moves with the luck of which questions it saw: the weights are the mean of fits on
# resamples of the questions (bagging), which scored higher held out than a single fit.
RESAMPLES = 20
SEED = 0

Question = tuple[int, np.ndarray, list[float]]  # batch, feature rows, ROUGE-SU4 per row


def questions(library: Library, data: Path, settings: Settings) -> list[Question]:
    found: list[Question] = []
    for batch, path in enumerate(sorted((data / "bioasq-12b-golden").glob("12B*_golden.json"))):
        for question in json.loads(path.read_text(encoding="utf-8"))["questions"]:
            ideals = question.get("ideal_answer") or []
            ideals = [ideals] if isinstance(ideals, str) else ideals
            if not ideals:
                continue
            evidence = gather_evidence(library, analyse_question(question["body"]), settings)
            focused = focus(evidence, settings.composer).evidence
            pool = [c for c in candidate_sentences(focused, "clinician")[:LEAD_POOL]
                    if not PRONOUN_START.match(c.text)]
            context = question_context(focused)
            rows = [[lead_features(lead, context)[name] for name in LEAD_FEATURES]
                    for lead in lead_candidates(pool, focused)]
            scores = [best_over("su4", c.text, ideals) for c in pool]
            found.append((batch, np.array(rows).reshape(len(rows), len(LEAD_FEATURES)), scores))
    return found


def fit(sample: list[Question]) -> np.ndarray:
    """The mean of unit-length pairwise fits on RESAMPLES bootstrap resamples of the questions."""
    generator = np.random.default_rng(SEED)
    fits = []
    for _ in range(RESAMPLES):
        picked = generator.integers(0, len(sample), len(sample))
        weights = fit_once([sample[i] for i in picked])
        fits.append(weights / np.linalg.norm(weights))
    return np.asarray(np.mean(fits, axis=0))


def fit_once(sample: list[Question]) -> np.ndarray:
    """Pairwise logistic regression: within each question, each of its best sentences against
    every sentence it beats by more than MARGIN, as feature differences."""
    differences, labels = [], []
    for _, rows, scores in sample:
        for i in np.argsort(scores)[::-1][:BEST]:
            for j, score in enumerate(scores):
                if scores[i] - score > MARGIN:
                    differences += [rows[i] - rows[j], rows[j] - rows[i]]
                    labels += [1, 0]
    model = LogisticRegression(C=REGULARISATION, max_iter=5000, fit_intercept=False)
    model.fit(np.array(differences), np.array(labels))
    return np.asarray(model.coef_[0])


def chosen_score(sample: list[Question], weights: np.ndarray) -> float:
    return statistics.fmean(
        scores[int(np.argmax(rows @ weights))] if scores else 0.0 for _, rows, scores in sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", type=Path, default=default_library_dir())
    parser.add_argument("--data", type=Path, default=default_data_dir())
    args = parser.parse_args()
    sample = questions(Library(args.library), args.data, Settings())
    composer = np.zeros(len(LEAD_FEATURES))
    composer[LEAD_FEATURES.index("composer_score")] = 1.0
    for batch in sorted({b for b, _, _ in sample}):
        held_out = [q for q in sample if q[0] == batch]
        weights = fit([q for q in sample if q[0] != batch])
        print(f"batch {batch + 1}: {len(held_out)} questions, lead ROUGE-SU4 "
              f"{chosen_score(held_out, weights):.4f} (composer ranking "
              f"{chosen_score(held_out, composer):.4f})")
    weights = fit(sample)
    print("LEAD_WEIGHTS values, in LEAD_FEATURES order:")
    print(", ".join(f"{w:.3f}" for w in weights))


if __name__ == "__main__":
    main()
