"""Choose the answer model's floor and its weight in the bottom line
(ComposerSettings.answer_floor, answer_lead_weight) on BioASQ 12b batch 2, and score the
choice on batch 3. The model (bench/train_answer_model.py) was fitted on batch 1 only, so
batch 2 is out of sample for it, and batch 3 is out of sample for both the model and this
choice. (The model remembers the sentences it has read, so after the first setting a run
costs retrieval and composing only.)

    python bench/tune_answer_selection.py [--library DIR] [--data DIR]

The objective is the issue's: statement precision (a statement lies at least 70 % inside an
expert snippet) of the bottom line and of the sections, and the bottom line's ROUGE-SU4,
while the share of questions answered stays close to what it was without the model. Prints
every setting's figures per batch, then the chosen one. Needs the starter library.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from curbside.eval.answers import evaluate_answers, read_judged_questions
from curbside.library.store import Library
from curbside.settings import ComposerSettings, Settings, default_data_dir, default_library_dir

FLOORS = (0.1, 0.2, 0.3, 0.45)
LEAD_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
FITTED = ("12B2",)
HELD_OUT = "12B3"
# A floor may not turn away many more questions than the composer without the model does.
MAX_ANSWERED_LOSS = 0.03


def objective(scores: dict[str, float]) -> float:
    return scores["lead_precision"] + scores["section_precision"] + 2 * scores["su4"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", type=Path, default=default_library_dir())
    parser.add_argument("--data", type=Path, default=default_data_dir())
    args = parser.parse_args()
    library = Library(args.library)
    questions = [q for q in read_judged_questions(args.data / "bioasq-12b-golden")
                 if q.batch in (*FITTED, HELD_OUT)]
    rows = []
    settings_grid = [(False, 0.0, 0.0)] + [(True, f, w)
                                            for f, w in itertools.product(FLOORS, LEAD_WEIGHTS)]
    for enabled, floor, weight in settings_grid:
        settings = Settings(composer=ComposerSettings(
            answer_model=enabled, answer_floor=floor, answer_lead_weight=weight))
        result = evaluate_answers(library, questions, settings)
        fitted = [result[f"curbside@{b}"] for b in FITTED]
        mean = {k: sum(f[k] for f in fitted) / len(fitted) for k in fitted[0]}
        held = result[f"curbside@{HELD_OUT}"]
        rows.append((enabled, floor, weight, mean, held))
        print(json.dumps({"model": enabled, "floor": floor, "lead_weight": weight,
                          "fitted": {k: round(mean[k], 4) for k in
                                     ("su4", "lead_precision", "section_precision", "answered")},
                          "held_out": {k: round(held[k], 4) for k in
                                       ("su4", "lead_precision", "section_precision",
                                        "answered")}}), flush=True)
    floor_answered = rows[0][3]["answered"] - MAX_ANSWERED_LOSS
    allowed = [r for r in rows if r[0] and r[3]["answered"] >= floor_answered] or rows
    best = max(allowed, key=lambda r: objective(r[3]))
    print("chosen on batch 2:", {"floor": best[1], "lead_weight": best[2]})
    print("its batch-3 (held-out) figures:", json.dumps(best[4], indent=1))
    print("batch 3 without the model:", json.dumps(rows[0][4], indent=1))


if __name__ == "__main__":
    main()
