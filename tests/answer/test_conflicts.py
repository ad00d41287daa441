"""Conflict detection on synthetic claims written for these tests."""

from __future__ import annotations

from dataclasses import dataclass

from curbside.answer.conflicts import direction, find_conflicts
from curbside.text import words


@dataclass
class SyntheticClaim:
    text: str
    doc_ids: list[str]
    topical: float = 1.0


def _content(claim: SyntheticClaim) -> frozenset[str]:
    return frozenset(words(claim.text)) - {"the", "of", "in", "was", "with", "no"}


def test_opposite_findings_on_the_same_outcome_are_paired() -> None:
    effect = SyntheticClaim("Drug Q significantly reduced synthetic fracture rates in trial A.",
                            ["t:1"])
    none = SyntheticClaim("Drug Q did not reduce synthetic fracture rates in trial B.", ["t:2"])
    unrelated = SyntheticClaim("Drug Q was associated with synthetic nausea.", ["t:3"])
    assert direction(effect.text) == "effect" and direction(none.text) == "none"
    assert find_conflicts([effect, unrelated, none], _content) == [(effect, none)]


def test_same_document_or_same_direction_is_no_conflict() -> None:
    a = SyntheticClaim("Drug Q significantly reduced synthetic fracture rates.", ["t:1"])
    b = SyntheticClaim("Drug Q did not reduce synthetic fracture rates.", ["t:1"])
    c = SyntheticClaim("Drug Q significantly lowered synthetic fracture rates.", ["t:2"])
    assert find_conflicts([a, b], _content) == []
    assert find_conflicts([a, c], _content) == []
