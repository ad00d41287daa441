"""JSON Lines documents: BEIR `corpus.jsonl` (`_id`, `title`, `text`) and Curbside's plain
form (`id`, `title`, `text`, optional metadata such as `journal`, `year`, `url`,
`publication_types`, `mesh_terms`, `source`).

Read line by line as bytes: a line that is not UTF-8 or not JSON is one problem, the lines
around it are kept; a truncated `.gz` keeps every line before the damage."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from curbside.library.formats import (
    Record,
    RecordProblem,
    guarded,
    open_maybe_gzip,
    storage_problem,
)
from curbside.models import Document, DocumentSection

_METADATA = ("journal", "year", "publication_types", "mesh_terms", "authors", "doi", "pmid",
             "url", "retracted")
BOM = b"\xef\xbb\xbf"


def _document(row: dict[str, Any], beir: bool) -> Document:
    text = str(row.get("text") or "").strip()
    title = str(row.get("title") or "").strip()
    if beir:
        doc_id = str(row["_id"])
    elif row.get("id") not in (None, ""):
        doc_id = str(row["id"])
    else:
        doc_id = "local:" + hashlib.sha256(
            (title + "\n" + text).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    if not text and not title:
        raise ValueError("record has neither title nor text")
    metadata = {key: row[key] for key in _METADATA if row.get(key) not in (None, "")}
    year = metadata.get("year")
    if isinstance(year, str):
        digits = year.strip()
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 6):
            raise ValueError(f"year {digits[:20]!r} is not a calendar year; correct or remove it")
        metadata["year"] = int(digits)
    return Document(
        id=doc_id,
        source=str(row.get("source") or ("beir" if beir else "jsonl")),
        title=title or text[:80],
        sections=[DocumentSection(label="", text=text)] if text else [],
        **metadata,
    )


def _record(line: bytes, number: int, where: str, beir: bool) -> Record:
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return RecordProblem(where, f"skipped: byte 0x{line[error.start]:02x} at column "
                             f"{error.start + 1} is not UTF-8; save the file as UTF-8")
    try:
        row = json.loads(decoded)
    except RecursionError:
        return RecordProblem(where, "skipped: the line nests JSON too deeply to read; each line "
                             "must be one flat JSON object")
    except ValueError as error:
        return RecordProblem(where, f"skipped: not JSON ({error}); each line must be one JSON "
                             "object")
    if not isinstance(row, dict):
        return RecordProblem(where, f"skipped: the line is a JSON {type(row).__name__}, not an "
                             "object with `title` and `text`")
    try:
        document = _document(row, beir)
    except KeyError as error:
        return RecordProblem(where, f"skipped: missing field {error}; each line needs `_id`")
    except ValidationError as error:
        fields = "; ".join(f"`{'.'.join(map(str, e['loc']))}`: {e['msg']}"
                           for e in error.errors()[:3])
        return RecordProblem(where, f"skipped: bad field {fields}; fix the line and ingest it "
                             "again")
    except (ValueError, TypeError) as error:
        message = str(error).splitlines()[0]
        return RecordProblem(where, f"skipped: {message}; fix the line and ingest it again")
    problem = storage_problem(document)
    return RecordProblem(where, f"skipped: {problem}") if problem else document


@guarded
def read_jsonl(path: Path, beir: bool = False) -> Iterator[Record]:
    number = 0
    try:
        with open_maybe_gzip(path) as stream:
            for number, line in enumerate(stream, 1):
                if number == 1 and line.startswith(BOM):
                    line = line[len(BOM):]
                if not line.strip():
                    continue
                yield _record(line, number, f"{path}:{number}", beir)
    except (OSError, EOFError, zlib.error) as error:
        yield RecordProblem(
            str(path),
            f"cannot read past line {number:,} ({error}): the file is damaged or truncated. "
            "The lines before it were read; re-download or re-export the file and ingest it "
            "again.",
        )
