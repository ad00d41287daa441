"""Readers for the document formats Curbside ingests.

Each reader takes a path and yields records: a `Document`, a `DocumentDeletion`, or a
`RecordProblem` for a record it could not read (the rest of the file goes on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from curbside.models import Document, DocumentDeletion


@dataclass(frozen=True)
class RecordProblem:
    """A record or file that could not be read, and what to do about it."""

    where: str
    message: str


Record = Document | DocumentDeletion | RecordProblem
Reader = Callable[..., Iterator[Record]]
