"""Sources that disagree: one reports an effect, another reports none, on the same outcome.

The cue lists are Curbside's own; a pair is only shown when both sentences are about the
question's topic and share the words that name the outcome.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

_NO_EFFECT = re.compile(
    r"\b(?:no (?:statistically )?(?:significant )?(?:difference|effect|association|benefit|"
    r"improvement|change|reduction|increase)s?|did not (?:significantly )?(?:reduce|improve|"
    r"increase|decrease|affect|differ|change|lower|prevent)|(?:was|were|is|are) not "
    r"(?:significantly )?(?:associated|different|effective|related|superior)|"
    r"not (?:significantly )?associated with|failed to (?:show|demonstrate|reduce|improve))\b",
    re.IGNORECASE,
)
_EFFECT = re.compile(
    r"\b(?:significantly (?:reduced|improved|increased|decreased|lowered|lower|higher|"
    r"associated|better|worse|prevented)|(?:reduced|improved|increased|decreased|lowered) "
    r"(?:the )?(?:risk|rate|incidence|mortality|odds)|(?:was|were|is|are) (?:independently )?"
    r"associated with|(?:was|were|is|are) effective|(?:was|were|is|are) superior)\b",
    re.IGNORECASE,
)


class Claim(Protocol):
    text: str
    doc_ids: list[str]
    topical: float


def direction(text: str) -> str | None:
    if _NO_EFFECT.search(text):
        return "none"
    if _EFFECT.search(text):
        return "effect"
    return None


C = TypeVar("C", bound=Claim)


def find_conflicts(
    claims: Sequence[C], content: Callable[[C], frozenset[str]], limit: int = 2
) -> list[tuple[C, C]]:
    """Pairs of on-topic claims from different documents with opposite findings on shared
    outcome words."""
    on_topic = [c for c in claims if c.topical >= 0.5 and direction(c.text)]
    pairs: list[tuple[C, C]] = []
    used: set[int] = set()
    for i, first in enumerate(on_topic):
        for j in range(i + 1, len(on_topic)):
            second = on_topic[j]
            if i in used or j in used or set(first.doc_ids) & set(second.doc_ids):
                continue
            if direction(first.text) == direction(second.text):
                continue
            if len(content(first) & content(second)) >= 2:
                pairs.append((first, second))
                used.update((i, j))
        if len(pairs) >= limit:
            break
    return pairs
