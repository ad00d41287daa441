"""Verifier benchmark: perturbed statements it must catch and faithful ones it must pass.

Statements are made from real SciFact abstracts in a library built from that corpus:
perturbations swap a number, flip a negation, flip a direction of effect, swap a key word for
one from another abstract, or cite the wrong document; controls are the sentence itself, the
sentence with its lead-in trimmed, and the sentence citing its document among two others.
Also: agreement with SciFact's SUPPORT / CONTRADICT labels on the training claims.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from curbside.answer.sentences import trim_lead_in
from curbside.answer.verify import verify_statement
from curbside.library.store import Library
from curbside.models import Document
from curbside.text import split_sentences, words

SEED = 20261124
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
_FLIPS = {
    "increased": "decreased", "decreased": "increased", "higher": "lower", "lower": "higher",
    "increase": "decrease", "decrease": "increase", "more": "less", "less": "more",
    "reduced": "increased", "improved": "worsened", "greater": "smaller",
}


@dataclass
class Case:
    kind: str  # e.g. "number swap" or "control: sentence"
    perturbed: bool
    text: str
    cites: list[str]


def _swap_number(sentence: str, document_text: str, rng: random.Random) -> str | None:
    numbers = _NUMBER.findall(sentence)
    if not numbers:
        return None
    old = rng.choice(numbers)
    for _ in range(10):
        value = float(old) * rng.choice([2, 3, 0.5]) + rng.choice([1, 3, 7])
        new = f"{value:.{len(old.split('.')[1])}f}" if "." in old else str(int(value))
        if new not in document_text:
            return re.sub(rf"(?<![\w.]){re.escape(old)}(?![\d])", new, sentence, count=1)
    return None


def _flip_negation(sentence: str) -> str | None:
    for pattern, replacement in ((r"\bdid not\b", "did"), (r"\bwas not\b", "was"),
                                 (r"\bno significant\b", "a significant"),
                                 (r"\bwas significantly\b", "was not significantly"),
                                 (r"\bwere significantly\b", "were not significantly"),
                                 (r"\bis associated\b", "is not associated"),
                                 (r"\bwas associated\b", "was not associated")):
        if re.search(pattern, sentence):
            return re.sub(pattern, replacement, sentence, count=1)
    return None


def _flip_direction(sentence: str) -> str | None:
    for word, opposite in _FLIPS.items():
        if re.search(rf"\b{word}\b", sentence):
            return re.sub(rf"\b{word}\b", opposite, sentence, count=1)
    return None


def _swap_key_word(sentence: str, document_text: str, library: Library,
                   donors: list[str], rng: random.Random) -> str | None:
    present = set(words(document_text))
    candidates = [w for w in dict.fromkeys(words(sentence))
                  if len(w) > 4 and w.isalpha() and library.word_share(w) < 0.005]
    if not candidates:
        return None
    target = min(candidates, key=library.word_share)
    for _ in range(20):
        donor = rng.choice(donors)
        if donor not in present:
            return re.sub(rf"\b{re.escape(target)}\b", donor, sentence, count=1,
                          flags=re.IGNORECASE)
    return None


def make_cases(library: Library, documents: list[Document], per_kind: int) -> list[Case]:
    rng = random.Random(SEED)
    donors = sorted({w for d in documents[:400] for w in words(d.title)
                     if len(w) > 6 and w.isalpha() and library.word_share(w) < 0.002})
    cases: list[Case] = []
    counts: Counter[str] = Counter()
    order = list(documents)
    rng.shuffle(order)
    for document in order:
        text = document.full_text()
        sentences = [s for sec in document.sections for s in split_sentences(sec.text)
                     if 12 <= len(s.split()) <= 45]
        if not sentences:
            continue
        sentence = rng.choice(sentences)
        other = rng.choice(documents)
        while other.id == document.id:
            other = rng.choice(documents)
        third = rng.choice(documents)
        made = {
            "number swap": _swap_number(sentence, text, rng),
            "negation flip": _flip_negation(sentence),
            "direction flip": _flip_direction(sentence),
            "key word swap": _swap_key_word(sentence, text, library, donors, rng),
        }
        for kind, perturbed in made.items():
            if perturbed and perturbed != sentence and counts[kind] < per_kind:
                cases.append(Case(kind, True, perturbed, [document.id]))
                counts[kind] += 1
        if counts["wrong citation"] < per_kind:
            cases.append(Case("wrong citation", True, sentence, [other.id]))
            counts["wrong citation"] += 1
        trimmed = trim_lead_in(sentence)
        controls = {
            "control: sentence": (sentence, [document.id]),
            "control: trimmed sentence": (trimmed, [document.id]),
            "control: right citation among several": (sentence, [other.id, document.id,
                                                                  third.id]),
        }
        for kind, (statement, cites) in controls.items():
            if statement and counts[kind] < per_kind:
                cases.append(Case(kind, False, statement, cites))
                counts[kind] += 1
        if all(counts[k] >= per_kind for k in (*made, "wrong citation", *controls)):
            break
    return cases


def run_cases(library: Library, cases: list[Case]) -> dict[str, tuple[int, int]]:
    """Per kind: (cases, cases judged unsupported)."""
    encoder = library.meaning_encoder()
    results: dict[str, tuple[int, int]] = {}
    for case in cases:
        found = library.get_many(case.cites)
        verdict = verify_statement(case.text, [found[d] for d in case.cites if d in found],
                                   library.word_share, encoder)
        total, flagged = results.get(case.kind, (0, 0))
        results[case.kind] = (total + 1, flagged + (not verdict.supported))
    return results


def scifact_agreement(library: Library, data: Path) -> dict[str, tuple[int, int]]:
    """Per SciFact label: (claims, claims the verifier calls supported), each claim checked
    against its evidence document."""
    archive = zipfile.ZipFile(data / "scifact" / "scifact-csv.zip")
    name = next(n for n in archive.namelist() if n.endswith("claims_train.csv"))
    encoder = library.meaning_encoder()
    results: dict[str, tuple[int, int]] = {}
    with archive.open(name) as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")):
            label = row["evidence_label"]
            if label not in ("SUPPORT", "CONTRADICT"):
                continue
            found = library.get_many([row["evidence_doc_id"], f"s2:{row['evidence_doc_id']}"])
            if not found:
                continue
            verdict = verify_statement(row["claim"], list(found.values()), library.word_share,
                                       encoder)
            total, supported = results.get(label, (0, 0))
            results[label] = (total + 1, supported + verdict.supported)
    return results
