"""Traceability: a statement's text must be found in the document it cites.

Allowed differences are whitespace and a trimmed lead-in (so the first letter may have been
capitalised). Nothing else: no word may differ.
"""

from __future__ import annotations

from functools import lru_cache

from curbside.models import Document
from curbside.text import normalize_space


def _comparable(text: str) -> str:
    return normalize_space(text)


@lru_cache(maxsize=256)
def _comparable_source(full_text: str) -> str:
    # Every candidate sentence of a long page is checked against the same page: its
    # normalised text is made once, not once a sentence.
    return normalize_space(full_text)


def _found_as_words(needle: str, haystack: str) -> bool:
    """The needle occurs in the haystack starting and ending at word boundaries."""
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        before_ok = start == 0 or not (haystack[start - 1].isalnum() and needle[0].isalnum())
        after_ok = end == len(haystack) or not (haystack[end].isalnum() and needle[-1].isalnum())
        if before_ok and after_ok:
            return True
        start = haystack.find(needle, start + 1)
    return False


def is_traceable(statement: str, document: Document) -> bool:
    text = _comparable(statement)
    if not text:
        return False
    source = _comparable_source(document.full_text())
    # A trimmed lead-in leaves the first letter capitalised where the source had it lower case.
    return _found_as_words(text, source) or _found_as_words(text[0].lower() + text[1:], source)
