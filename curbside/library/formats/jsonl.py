"""JSON Lines documents: BEIR `corpus.jsonl` (`_id`, `title`, `text`) and Curbside's plain
form (`id`, `title`, `text`, optional metadata such as `journal`, `year`, `url`,
`publication_types`, `mesh_terms`, `source`)."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from curbside.library.formats import Record, RecordProblem
from curbside.models import Document, DocumentSection

_METADATA = ("journal", "year", "publication_types", "mesh_terms", "authors", "doi", "pmid",
             "url", "retracted")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:
        yield from enumerate(stream, 1)


def _document(row: dict[str, Any], beir: bool) -> Document:
    text = str(row.get("text") or "").strip()
    title = str(row.get("title") or "").strip()
    if beir:
        doc_id = str(row["_id"])
    elif row.get("id") not in (None, ""):
        doc_id = str(row["id"])
    else:
        doc_id = "local:" + hashlib.sha256((title + "\n" + text).encode()).hexdigest()[:16]
    if not text and not title:
        raise ValueError("record has neither title nor text")
    metadata = {key: row[key] for key in _METADATA if row.get(key) not in (None, "")}
    if isinstance(metadata.get("year"), str) and str(metadata["year"]).isdigit():
        metadata["year"] = int(metadata["year"])
    return Document(
        id=doc_id,
        source=str(row.get("source") or ("beir" if beir else "jsonl")),
        title=title or text[:80],
        sections=[DocumentSection(label="", text=text)] if text else [],
        **metadata,
    )


def read_jsonl(path: Path, beir: bool = False) -> Iterator[Record]:
    try:
        for number, line in _lines(path):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("line is not a JSON object")
                yield _document(row, beir)
            except KeyError as error:
                yield RecordProblem(where, f"missing field {error}; each line needs `_id`")
            except (ValueError, ValidationError) as error:
                message = str(error).splitlines()[0]
                yield RecordProblem(where, f"skipped: {message}")
    except (OSError, UnicodeDecodeError) as error:
        yield RecordProblem(str(path), f"cannot read the file: {error}")
