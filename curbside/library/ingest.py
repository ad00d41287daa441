"""Ingest: files in, documents into the library, in committed batches with a progress bar."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from curbside.library.formats import RecordProblem
from curbside.library.formats.detect import read_any
from curbside.library.store import Library, WriteCounts
from curbside.library.vectors import EmbedProgress
from curbside.models import Document, DocumentDeletion

BATCH_SIZE = 500


@dataclass
class IngestReport:
    counts: WriteCounts = field(default_factory=WriteCounts)
    records: int = 0
    problems: list[RecordProblem] = field(default_factory=list)
    seconds: float = 0.0
    embedded: int = 0  # passages given a vector
    embed_seconds: float = 0.0

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


ProgressCallback = Callable[[Path, int], None]


class _Batch:
    """Records waiting to be written in one transaction."""

    def __init__(self, library: Library, report: IngestReport):
        self.library = library
        self.report = report
        self.documents: list[Document] = []
        self.deletions: list[str] = []

    def flush(self) -> None:
        if self.documents or self.deletions:
            self.report.counts += self.library.write(self.documents, self.deletions)
        self.documents = []
        self.deletions = []


def ingest_paths(
    library: Library,
    paths: Iterable[Path],
    on_progress: ProgressCallback | None = None,
    on_problem: Callable[[RecordProblem], None] | None = None,
    on_embed: EmbedProgress | None = None,
) -> IngestReport:
    """Read every path and write its documents; a bad record is reported and skipped."""
    report = IngestReport()
    started = time.perf_counter()
    batch = _Batch(library, report)
    for path in paths:
        seen = 0
        for record in read_any(path):
            if isinstance(record, RecordProblem):
                report.problems.append(record)
                if on_problem:
                    on_problem(record)
                continue
            if isinstance(record, DocumentDeletion):
                batch.flush()  # a deletion applies after the records that came before it
                batch.deletions.append(record.id)
                batch.flush()
            else:
                batch.documents.append(record)
            seen += 1
            report.records += 1
            if len(batch.documents) >= BATCH_SIZE:
                batch.flush()
                if on_progress:
                    on_progress(path, seen)
        batch.flush()
        if on_progress:
            on_progress(path, seen)
    embedding_started = time.perf_counter()
    report.embedded = library.embed_pending(on_embed)
    report.embed_seconds = time.perf_counter() - embedding_started
    report.seconds = time.perf_counter() - started
    return report
