"""The entailment model: does the cited evidence say what the statement says?

A cross-encoder (all-MiniLM-L6-v2's transformer with a one-logit head) fine-tuned by
`bench/train_entailment_model.py` on SciFact training claims against their evidence abstracts
(SUPPORT against CONTRADICT and another paper), expert summaries of BioASQ snippets, and
faithful and falsified rewrites of real abstract sentences (numbers, negation, direction,
a key word or population swapped, a claim added, the wrong paper cited). It reads the
statement and then the evidence (`curbside.answer.verify.evidence_passage`: the closest
sentences of every cited source), and gives the probability that the evidence entails it.

It judges meaning, so a statement in other words than its source can pass; the verifier's
hard checks (numbers, negation, direction, key words) still run first. It ships as int8 ONNX
inside the package and runs on onnxruntime; nothing is downloaded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from curbside.errors import CurbsideError
from curbside.learned.answer_model import Scores, load_cross_encoder, pair_probabilities

MODEL_FILE = "entailment-minilm-int8.onnx"
MAX_TOKENS = 192  # statement and evidence together, as trained
TRUNCATION = "longest_first"  # a long statement is cut too, never refused
BATCH = 16
REMEMBERED = 20_000


def shipped_model() -> Path:
    return Path(__file__).parent / "models" / MODEL_FILE


class EntailmentJudge:
    """Probability that the evidence entails the statement."""

    def __init__(self, path: Path | None = None, threads: int = 2):
        path = path or shipped_model()
        if not path.exists():
            raise CurbsideError(
                f"The entailment model is missing ({path}). Reinstall Curbside "
                "(`pip install -e .`); the model ships inside the package.")
        self.session, self.tokenizer = load_cross_encoder(path, threads, MAX_TOKENS, TRUNCATION)
        self.remembered: OrderedDict[tuple[str, str], float] = OrderedDict()

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> Scores:
        """For (statement, evidence) pairs, in their order."""
        unknown = list(dict.fromkeys(p for p in pairs if p not in self.remembered))
        by_statement: dict[str, list[str]] = {}
        for statement, evidence in unknown:
            by_statement.setdefault(statement, []).append(evidence)
        for statement, evidences in by_statement.items():
            values = pair_probabilities(self.session, self.tokenizer, statement, evidences, BATCH)
            for evidence, value in zip(evidences, values, strict=True):
                self.remembered[(statement, evidence)] = float(value)
        while len(self.remembered) > REMEMBERED:
            self.remembered.popitem(last=False)
        return np.array([self.remembered[p] for p in pairs], dtype=np.float32)

    def probability(self, statement: str, evidence: str) -> float:
        return float(self.probabilities([(statement, evidence)])[0])


@cache
def entailment_judge() -> EntailmentJudge:
    """The shipped model, loaded once per process."""
    return EntailmentJudge()
