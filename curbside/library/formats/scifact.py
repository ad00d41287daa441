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
from collections.abc import Iterable, Iterator
from pathlib import Path

from curbside.library.formats import Record, RecordProblem
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


def _rows(stream: Iterable[str], where: str) -> Iterator[Record]:
    csv.field_size_limit(sys.maxsize)
    reader = csv.DictReader(stream)
    for number, row in enumerate(reader, 2):
        try:
            doc_id = row["doc_id"].strip()
            sentences = abstract_sentences(row["abstract"])
        except (KeyError, AttributeError, SyntaxError, ValueError, tokenize.TokenError) as error:
            yield RecordProblem(f"{where}:{number}", f"skipped: unreadable row ({error})")
            continue
        yield Document(
            id=f"s2:{doc_id}",
            source="scifact",
            title=row.get("title", "").strip() or f"SciFact document {doc_id}",
            sections=[DocumentSection(label="", text=" ".join(sentences))] if sentences else [],
            url=f"https://api.semanticscholar.org/CorpusID:{doc_id}",
        )


def read_scifact(path: Path) -> Iterator[Record]:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.endswith(CORPUS_MEMBER)]
                if not names:
                    yield RecordProblem(str(path), f"zip has no {CORPUS_MEMBER}")
                    return
                with archive.open(names[0]) as raw:
                    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    yield from _rows(text, f"{path}!{names[0]}")
        else:
            with path.open(encoding="utf-8", newline="") as stream:
                yield from _rows(stream, str(path))
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        yield RecordProblem(str(path), f"cannot read: {error}")
