"""Readers for the document formats Curbside ingests.

Each reader takes a path and yields records: a `Document`, a `DocumentDeletion`, or a
`RecordProblem` for a record it could not read (the rest of the file goes on). Every reader is
`guarded`: whatever goes wrong inside it becomes a `RecordProblem` that names the file, and a
document the library could not store (text that is not Unicode, a year out of range) becomes one
naming the record, so a bad record or a reader's bug never stops an ingest.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Concatenate, ParamSpec, cast

from pydantic import BaseModel

from curbside.models import Document, DocumentDeletion

# A year the library can store and sort by; anything else is a typing error in the source.
YEARS = range(1, 10_000)


def printable_text(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes of a file name or a record) written as
    escapes, so a problem can always be printed and stored."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


@dataclass(frozen=True)
class RecordProblem:
    """A record or file that could not be read, and what to do about it."""

    where: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "where", printable_text(self.where))
        object.__setattr__(self, "message", printable_text(self.message))


Record = Document | DocumentDeletion | RecordProblem
Reader = Callable[..., Iterator[Record]]
P = ParamSpec("P")


def open_maybe_gzip(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (by its magic number, not its name)."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def read_json_file(path: Path) -> Any:
    """A whole JSON file, BOM or not. A byte that is not UTF-8 becomes a lone surrogate in the
    one string that holds it, so only that record is reported (by the storage check), not the
    whole file. Raises ValueError (RecursionError for nesting too deep to read)."""
    return json.loads(path.read_bytes().decode("utf-8-sig", "surrogateescape"))


def _bad_text(value: object, name: str) -> str | None:
    """The name of the first field of `value` holding text that is not valid Unicode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            return f"{name} (character {error.start + 1}: {value[error.start]!a})"
        return None
    if isinstance(value, BaseModel):
        for field, item in value.__dict__.items():
            found = _bad_text(item, f"{name}.{field}" if name else field)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _bad_text(item, f"{name}[{index}]")
            if found:
                return found
    return None


def storage_problem(record: Document | DocumentDeletion) -> str | None:
    """Why the library could not store `record`, with what to do, or None when it can."""
    field = _bad_text(record, "")
    if field:
        return (f"the {field} is not valid text (a byte that is not UTF-8, or a lone "
                "surrogate such as \\ud800 in JSON); save the file as UTF-8 and fix that field")
    if isinstance(record, Document) and record.year is not None and record.year not in YEARS:
        shown = str(record.year) if abs(record.year) < 10**12 else f"{record.year:.3g}"
        return (f"the year {shown} is not a calendar year; correct or remove the record's year "
                "and ingest the file again")
    return None


def checked(record: Record, where: str) -> Record:
    """`record`, or a RecordProblem naming it when the library could not store it."""
    if isinstance(record, RecordProblem):
        return record
    problem = storage_problem(record)
    if problem is None:
        return record
    return RecordProblem(f"{where} record {record.id}", f"skipped: {problem}")


def guard(records: Iterable[Record], where: str) -> Iterator[Record]:
    """The records of a reader, checked; an exception the reader raises ends its file with a
    RecordProblem instead of ending the ingest."""
    read = 0
    try:
        for record in records:
            if not isinstance(record, RecordProblem):
                read += 1
            yield checked(record, where)
    except Exception as error:  # any failure of a reader is a problem with its file
        message = str(error).splitlines()[0] if str(error) else ""
        yield RecordProblem(
            where,
            f"reading stopped after {read:,} records ({type(error).__name__}"
            + (f": {message[:300]}" if message else "")
            + "); the records before it were kept. The file is damaged or not in the format "
            "it looks like: fix or re-download it and ingest it again.",
        )


def guarded(
    reader: Callable[Concatenate[Path, P], Iterator[Record]],
) -> Callable[Concatenate[Path, P], Iterator[Record]]:
    """A reader whose records are `guard`ed."""

    @functools.wraps(reader)
    def read(path: Path, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[Record]:
        return guard(reader(path, *args, **kwargs), str(path))

    return read
