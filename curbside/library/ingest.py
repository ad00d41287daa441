"""Ingest: files and folders in, documents into the library, in committed batches.

A folder that is not one data set (BEIR, BioASQ) is walked for its files, each read by its
detected format. Batches run across files, so many small files cost few commits. Nothing a
reader does ends the ingest: a bad record, an unknown format or a reader that dies mid-file is
a problem report, the records read before it are written and the next file is read. A record
the library cannot store is found by bisecting its batch, reported and skipped; the rest of
the batch is written."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from curbside.library.formats import RecordProblem, guard
from curbside.library.formats.detect import read_any
from curbside.library.formats.folders import expand_paths
from curbside.library.store import Library, WriteCounts
from curbside.library.vectors import EmbedProgress
from curbside.models import Document, DocumentDeletion

BATCH_SIZE = 500
# What a write raises for a record's own data (text SQLite cannot encode, an integer out of
# range); anything else (a locked or full disk, a broken library) ends the ingest.
_RECORD_ERRORS = (ValueError, TypeError, OverflowError, sqlite3.InterfaceError,
                  sqlite3.DataError, sqlite3.IntegrityError)


@dataclass
class IngestReport:
    # Against the library as it was before this ingest.
    counts: WriteCounts = field(default_factory=WriteCounts)
    # Records with the id of a document this same ingest had already written (a paper in two
    # data sets): `merged` replaced that document, `repeated` were identical to it.
    merged: int = 0
    repeated: int = 0
    new_library: bool = False  # the library held no document before this ingest
    files: int = 0  # files (and whole-read folders) read
    records: int = 0
    problems: list[RecordProblem] = field(default_factory=list)
    seconds: float = 0.0
    embedded: int = 0  # passages given a vector
    embed_seconds: float = 0.0

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class IngestProgress:
    files_done: int
    files_total: int
    records: int
    path: Path | None  # the file being read; None once all are read


ProgressCallback = Callable[[IngestProgress], None]
ProblemCallback = Callable[[RecordProblem], None]


class _Batch:
    """Records waiting to be written in one transaction, with the file each came from."""

    def __init__(self, library: Library, report: IngestReport, problem: ProblemCallback):
        self.library = library
        self.report = report
        self.problem = problem
        self.documents: list[tuple[Document, str]] = []
        self.deletions: list[tuple[str, str]] = []
        # Documents this ingest writes get rowids above the highest one before it, which
        # tells a document of this ingest from one the library already held.
        self.mark, count = library.connection.execute(
            "SELECT coalesce(max(rowid), 0), count(*) FROM documents").fetchone()
        report.new_library = count == 0

    def __len__(self) -> int:
        return len(self.documents) + len(self.deletions)

    def _written_by_this_ingest(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.library.connection.execute(
                f"SELECT id FROM documents WHERE rowid > ? AND id IN ({marks})",
                [self.mark, *chunk])
            found.update(row[0] for row in rows)
        return found

    def flush(self) -> None:
        if not len(self):
            return
        earlier = self._written_by_this_ingest(sorted({d.id for d, _ in self.documents}))
        first: list[tuple[Document, str]] = []
        again: list[tuple[Document, str]] = []
        for item in self.documents:
            (again if item[0].id in earlier else first).append(item)
            earlier.add(item[0].id)
        self.report.counts += self._write(first, self.deletions)
        if again:
            counts = self._write(again, [])
            self.report.merged += counts.replaced
            self.report.repeated += counts.unchanged
            self.report.counts.added += counts.added  # when the first copy was refused
        self.documents = []
        self.deletions = []

    def _write(self, documents: list[tuple[Document, str]],
               deletions: list[tuple[str, str]]) -> WriteCounts:
        """Write the records; when the library refuses them, halve the batch until the
        records it refuses are alone, report those and write the others."""
        if not documents and not deletions:
            return WriteCounts()
        try:
            return self.library.write([d for d, _ in documents], [i for i, _ in deletions])
        except _RECORD_ERRORS as error:
            if len(documents) + len(deletions) > 1:
                refused = None
            else:
                record_id, where = (documents[0][0].id, documents[0][1]) if documents else (
                    deletions[0])
                refused = RecordProblem(
                    f"{where} record {record_id}",
                    f"skipped: the library cannot store it ({type(error).__name__}: "
                    f"{str(error)[:200]}); fix the record and ingest the file again")
        if refused is not None:
            self.problem(refused)
            return WriteCounts()
        counts = WriteCounts()
        half = max(len(documents) // 2, 1)
        for part in (documents[:half], documents[half:]):
            counts += self._write(part, [])
        for deletion in deletions:
            counts += self._write([], [deletion])
        return counts


def ingest_paths(
    library: Library,
    paths: Iterable[Path],
    on_progress: ProgressCallback | None = None,
    on_problem: ProblemCallback | None = None,
    on_embed: EmbedProgress | None = None,
) -> IngestReport:
    """Read every file (folders walked) and write its documents; a bad record, file or reader
    is reported and skipped, and everything else is written."""
    report = IngestReport()
    started = time.perf_counter()

    def problem(found: RecordProblem) -> None:
        report.problems.append(found)
        if on_problem:
            on_problem(found)

    def progress(path: Path | None) -> None:
        if on_progress:
            on_progress(IngestProgress(report.files, total, report.records, path))

    batch = _Batch(library, report, problem)
    units = list(expand_paths(paths))
    total = sum(1 for unit in units if isinstance(unit, Path))
    try:
        for unit in units:
            if isinstance(unit, RecordProblem):
                problem(unit)
                continue
            progress(unit)
            where = str(unit)
            for record in guard(read_any(unit), where):
                if isinstance(record, RecordProblem):
                    problem(record)
                    continue
                if isinstance(record, DocumentDeletion):
                    batch.flush()  # a deletion applies after the records that came before it
                    batch.deletions.append((record.id, where))
                    batch.flush()
                else:
                    batch.documents.append((record, where))
                report.records += 1
                if len(batch) >= BATCH_SIZE:
                    batch.flush()
                    progress(unit)
            report.files += 1
        batch.flush()
    except BaseException:
        # Interrupted, or the library failed: what was read is still written if it can be.
        with contextlib.suppress(Exception):
            batch.flush()
        raise
    progress(None)
    embedding_started = time.perf_counter()
    report.embedded = library.embed_pending(on_embed)
    report.embed_seconds = time.perf_counter() - embedding_started
    report.seconds = time.perf_counter() - started
    return report
