"""The section-role model: under which heading a sentence's content belongs.

A multinomial logistic regression over the mean of the distilled MiniLM word-piece vectors
that the library's search already uses (curbside/library/embedding.py), fitted by
`bench/train_section_model.py` on MedQuAD answers labelled by their question's type. It ships
inside the package as a small NumPy file; reading it costs one matrix product a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from curbside.errors import CurbsideError
from curbside.library.embedding import StaticEncoder, word_pieces

MODEL_FILE = "section-role.npz"
ROLES = ("overview", "diagnosis", "management", "prognosis", "risk")
Matrix = npt.NDArray[np.float32]


def sentence_features(pieces: Sequence[Sequence[int]], weights: Matrix) -> Matrix:
    """Unit-length rarity-weighted mean of each sentence's word-piece vectors."""
    return StaticEncoder(weights=weights.astype(np.float32)).encode_pieces(pieces)


class SectionModel:
    def __init__(self, path: Path | None = None):
        path = path or Path(__file__).parent / "models" / MODEL_FILE
        if not path.exists():
            raise CurbsideError(
                f"The section-role model is missing ({path}). Reinstall Curbside "
                "(`pip install -e .`); the model ships inside the package.")
        with np.load(path) as stored:
            self.weights: Matrix = stored["piece_weights"].astype(np.float32)
            self.coef: Matrix = stored["coef"]
            self.intercept: Matrix = stored["intercept"]
            self.roles = tuple(str(r) for r in stored["roles"])

    def probabilities(self, texts: Sequence[str]) -> Matrix:
        """One row a text: the probability of each role, in `roles` order."""
        if not texts:
            return np.zeros((0, len(self.roles)), dtype=np.float32)
        logits = sentence_features(word_pieces(texts), self.weights) @ self.coef.T
        logits += self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        result: Matrix = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
        return result


@cache
def section_model() -> SectionModel:
    """The shipped model, loaded once per process."""
    return SectionModel()
