"""Traceability: a statement's text must be found in the document it cites.

Allowed differences are whitespace and a trimmed lead-in (so the first letter may have been
capitalised). Nothing else: no word may differ.
"""

from __future__ import annotations

from curbside.models import Document
from curbside.text import normalize_space


def _comparable(text: str) -> str:
    return normalize_space(text)


def is_traceable(statement: str, document: Document) -> bool:
    text = _comparable(statement)
    if not text:
        return False
    source = _comparable(document.full_text())
    if text in source:
        return True
    # A trimmed lead-in leaves the first letter capitalised where the source had it lower case.
    lowered = text[0].lower() + text[1:]
    return lowered in source
