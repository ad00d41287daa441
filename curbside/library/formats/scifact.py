"""SciFact corpus CSV (`doc_id`, `title`, `abstract`, `structured`), alone or inside the
dataset's zip. The abstract column is a printed list of sentences (numpy style, without
commas), read here with Python's own tokenizer rather than by pattern matching."""

from __future__ import annotations

import ast
import csv
import io
import sys
import tokenize
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from curbside.library.formats import Record, RecordProblem, guarded
from curbside.models import Document, DocumentSection

CORPUS_MEMBER = "corpus_train.csv"


def abstract_sentences(cell: str) -> list[str]:
    """The sentences of a printed list such as "['First.'\\n 'Second.']"."""
    sentences = []
    tokens = tokenize.generate_tokens(io.StringIO(cell).readline)
    for token in tokens:
        if token.type == tokenize.STRING:
            value = ast.literal_eval(token.string)
            if isinstance(value, str) and value.strip():
                sentences.append(value.strip())
    return sentences


_COLUMNS = ("doc_id", "title", "abstract", "structured")


def _document(row: dict[str | None, Any]) -> Document:
    missing = [c for c in ("doc_id", "abstract") if not isinstance(row.get(c), str)]
    if missing:
        raise ValueError(f"the row has no {' or '.join(missing)} (it has "
                         f"{sum(1 for k, v in row.items() if k and v is not None)} of the "
                         f"columns {', '.join(_COLUMNS)}); complete or remove the row")
    doc_id = str(row["doc_id"]).strip()
    if not doc_id:
        raise ValueError("the row's doc_id is empty; give it the document's corpus id")
    sentences = abstract_sentences(str(row["abstract"]))
    title = row.get("title")
    return Document(
        id=f"s2:{doc_id}",
        source="scifact",
        title=(title.strip() if isinstance(title, str) else "") or f"SciFact document {doc_id}",
        sections=[DocumentSection(label="", text=" ".join(sentences))] if sentences else [],
        url=f"https://api.semanticscholar.org/CorpusID:{doc_id}",
    )


def _rows(stream: Iterable[str], where: str) -> Iterator[Record]:
    csv.field_size_limit(sys.maxsize)
    reader = csv.DictReader(stream)
    failures = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader goes on at the next line; a file that keeps failing is not CSV.
            failures += 1
            yield RecordProblem(f"{where}:{line}", f"skipped: not a CSV row ({error}); fix "
                                "the row's quoting")
            if failures >= 100:
                yield RecordProblem(where, "stopped after 100 rows that are not CSV; the file "
                                    "is not SciFact's corpus CSV")
                return
            continue
        try:
            yield _document(row)
        except (SyntaxError, ValueError, TypeError, tokenize.TokenError, RecursionError,
                MemoryError) as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            yield RecordProblem(f"{where}:{line}", f"skipped: unreadable row ({message})"
                                if isinstance(error, SyntaxError | tokenize.TokenError)
                                else f"skipped: {message}")


def _text(stream: IO[bytes]) -> io.TextIOWrapper:
    # A byte that is not UTF-8 stays in its row's text as a lone surrogate: that row is
    # reported by the storage check, the others are kept.
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")


@guarded
def read_scifact(path: Path) -> Iterator[Record]:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.endswith(CORPUS_MEMBER)]
                if not names:
                    yield RecordProblem(str(path), f"zip has no {CORPUS_MEMBER}")
                    return
                with archive.open(names[0]) as raw:
                    yield from _rows(_text(raw), f"{path}!{names[0]}")
        else:
            with path.open("rb") as raw:
                yield from _rows(_text(raw), str(path))
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError,
            RuntimeError) as error:
        yield RecordProblem(str(path), f"cannot read the file past this point ({error}); the "
                            "rows before it were read. Re-download it and ingest it again.")
