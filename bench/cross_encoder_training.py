"""Fine-tuning and shipping one of our MiniLM cross-encoders (the answer-sentence model, the
entailment model): one-logit head on all-MiniLM-L6-v2's transformer, binary cross-entropy,
AdamW with linear warm-up and decay, fixed seed; exported to ONNX and quantised to int8 so it
ships inside the package under 30 MB. Needs `pip install -e '.[bench]'`."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from curbside.learned.answer_model import starting_weights

BATCH = 16


def fine_tune(firsts: Sequence[str], seconds: Sequence[str], labels: Sequence[float], *,
              max_tokens: int, epochs: int, seed: int, learning_rate: float = 4e-5,
              truncation: str = "only_second") -> tuple[Any, Any]:
    """The fine-tuned model and its tokenizer; pairs are read as (first, second), cut to fit
    `max_tokens` by `truncation` (a tokenizers strategy: only the second text, or the longer)."""
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    source = starting_weights()
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=1)
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    steps = epochs * math.ceil(len(labels) / BATCH)
    warmup = max(1, steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    rng = random.Random(seed)
    step = 0
    started = time.time()
    for _ in range(epochs):
        order = list(range(len(labels)))
        rng.shuffle(order)
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            encoded = tokenizer([firsts[i] for i in chunk], [seconds[i] for i in chunk],
                                truncation=truncation, max_length=max_tokens, padding=True,
                                return_tensors="pt")
            target = torch.tensor([float(labels[i]) for i in chunk])
            loss = loss_fn(model(**encoded).logits.squeeze(-1), target)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            optimiser.zero_grad()
            step += 1
            if step % 50 == 0:
                rate = step * BATCH / (time.time() - started)
                print(f"step {step}/{steps} loss {loss.item():.3f} ({rate:.1f} pairs/s)",
                      flush=True)
    return model, tokenizer


def export_int8(model: Any, tokenizer: Any, path: Path) -> None:
    """The model as int8 ONNX at `path` (inputs input_ids, attention_mask, token_type_ids;
    output logits), as `curbside.learned.answer_model.load_cross_encoder` reads it."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    full = path.with_suffix(".fp32.onnx")
    sample = tokenizer(["a question"], ["a sentence"], return_tensors="pt")
    torch.onnx.export(
        model, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
        str(full), input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"], opset_version=17, dynamo=False,
        dynamic_axes={name: {0: "batch", 1: "tokens"}
                      for name in ("input_ids", "attention_mask", "token_type_ids")},
    )
    quantize_dynamic(str(full), str(path), weight_type=QuantType.QInt8)
    full.unlink()
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
