"""Other names of one condition: the clinical name and the name patients and consumer pages
use ("herpes zoster" and "shingles"), and older or alternative clinical names.

A question naming one name is searched for the others too (each in a search of its own, with
the question's other words, so that a long clinical name does not outweigh the rest), and a
passage or a title naming another name of the condition names the question's topic: MedQuAD's
page titled "Shingles" is the library's page on herpes zoster. The list is ours, written for
this purpose; each group names one condition (a subtype is not a synonym: "herpes zoster
oticus" is not "herpes zoster", and "emphysema" is not "COPD").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from curbside.text import stem, words

# Each tuple: names of one condition, the clinical name first.
CONDITION_NAMES: tuple[tuple[str, ...], ...] = (
    ("herpes zoster", "shingles"),
    ("varicella", "chickenpox", "chicken pox"),
    ("myocardial infarction", "heart attack"),
    ("hypertension", "high blood pressure"),
    ("hypotension", "low blood pressure"),
    ("cerebrovascular accident", "stroke", "cerebral vascular accident"),
    ("transient ischemic attack", "mini-stroke", "ministroke"),
    ("hypothyroidism", "underactive thyroid"),
    ("hyperthyroidism", "overactive thyroid"),
    ("amyotrophic lateral sclerosis", "lou gehrig's disease"),
    ("pertussis", "whooping cough"),
    ("rubella", "german measles"),
    ("infectious mononucleosis", "glandular fever", "mononucleosis"),
    ("influenza", "flu"),
    ("atopic dermatitis", "eczema"),
    ("tinea pedis", "athlete's foot"),
    ("epistaxis", "nosebleed", "nosebleeds"),
    ("syncope", "fainting"),
    ("cholelithiasis", "gallstones", "gallstone"),
    ("nephrolithiasis", "kidney stones", "kidney stone"),
    ("hemorrhoids", "piles"),
    ("dyspepsia", "indigestion"),
    ("pruritus", "itching"),
    ("nocturnal enuresis", "bedwetting", "bed-wetting"),
    ("conjunctivitis", "pink eye", "pinkeye"),
    ("pharyngitis", "sore throat"),
    ("otitis media", "middle ear infection"),
    ("gastroesophageal reflux disease", "gastroesophageal reflux", "acid reflux"),
    ("osteoarthritis", "degenerative joint disease", "degenerative arthritis"),
    ("sudden infant death syndrome", "cot death", "crib death"),
    ("deep vein thrombosis", "deep venous thrombosis"),
    ("chronic kidney disease", "chronic renal disease", "chronic renal failure"),
    ("acute kidney injury", "acute renal failure", "acute kidney failure"),
    ("renal failure", "kidney failure"),
    ("urticaria", "hives"),
    ("scarlatina", "scarlet fever"),
    ("parotitis", "mumps"),
)


@dataclass(frozen=True)
class OtherName:
    """Another name (as word stems) of a condition the question named by `covers`."""

    words: tuple[str, ...]
    stems: tuple[str, ...]
    covers: frozenset[str]  # the question's topic words that name the condition


def _stems(name: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in words(name))


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[tuple[str, ...], ...], ...]:
    return tuple(tuple(_stems(name) for name in group) for group in CONDITION_NAMES)


def _find(sequence: Sequence[str], part: Sequence[str]) -> int:
    """Where `part` starts in `sequence`, or -1."""
    size = len(part)
    for start in range(len(sequence) - size + 1):
        if tuple(sequence[start:start + size]) == tuple(part):
            return start
    return -1


def other_names(phrases: Sequence[Sequence[str]]) -> list[OtherName]:
    """The other names of each condition the question's topic phrases name."""
    found: list[OtherName] = []
    for phrase in phrases:
        phrase_stems = [stem(word) for word in phrase]
        for written, group in zip(CONDITION_NAMES, _groups(), strict=True):
            for name in group:
                start = _find(phrase_stems, name)
                if start < 0:
                    continue
                covers = frozenset(phrase[start:start + len(name)])
                found.extend(OtherName(tuple(words(other_written)), other, covers)
                             for other_written, other in zip(written, group, strict=True)
                             if other != name)
                break
    return list(dict.fromkeys(found))


def names_in(text_stems: Sequence[str], names: Sequence[OtherName]) -> set[str]:
    """The topic words covered by the other names the text holds."""
    covered: set[str] = set()
    for name in names:
        if _find(text_stems, name.stems) >= 0:
            covered |= name.covers
    return covered
