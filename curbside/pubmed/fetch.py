"""PubMed records into the library: search, download what the library lacks, keep NCBI's
XML beside the library, and ingest it through the MEDLINE reader like any other file.

Resumable by PMID: a record already in the library, or saved by an earlier fetch, is not
downloaded again. Each batch is saved (temp file + rename) as `NAME.pending.xml` before it is
ingested and renamed `NAME.xml` once it is, so a fetch killed at any point goes on where it
stopped when it is run again, with no duplicates: a pending batch is ingested then. A saved
record the library does not hold (deleted since, or unreadable) is not fetched again until
its file is removed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from curbside.errors import LibraryError
from curbside.library.formats import RecordProblem
from curbside.library.ingest import ingest_paths
from curbside.library.store import Library, WriteCounts
from curbside.pubmed.client import (
    ESEARCH_LIMIT,
    EUtils,
    FetchedXml,
    PubMedError,
    SearchResult,
    Summary,
)
from curbside.settings import Settings

SAVED_FOLDER = "pubmed"  # inside the library folder: the XML of every fetched batch
_PENDING = ".pending.xml"  # saved, not yet ingested


@dataclass(frozen=True)
class FetchProgress:
    fetched: int  # records of `total` asked for so far
    total: int  # records this fetch downloads (those the library lacks)


@dataclass
class FetchReport:
    query: str | None  # None when PMIDs were given
    found: int  # records PubMed holds for the query (the PMIDs given)
    selected: list[str]  # the PMIDs this fetch is about, in PubMed's order
    folder: Path  # where the XML is kept
    in_library: list[str] = field(default_factory=list)  # not downloaded: already held
    # Not downloaded: saved by an earlier fetch, yet not in the library (deleted since, or
    # a record the library could not store).
    saved_before: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)  # downloaded now
    not_returned: list[str] = field(default_factory=list)  # asked for, not sent by PubMed
    files: list[Path] = field(default_factory=list)  # XML saved now
    # Saved by an earlier fetch that stopped before ingesting them; ingested now.
    resumed_files: list[Path] = field(default_factory=list)
    counts: WriteCounts = field(default_factory=WriteCounts)  # what ingesting changed
    problems: list[RecordProblem] = field(default_factory=list)
    requests: int = 0  # HTTP requests, retries included

    @property
    def document_ids(self) -> list[str]:
        """Library ids of the records downloaded now."""
        return [f"pmid:{pmid}" for pmid in self.fetched]


FetchProgressCallback = Callable[[FetchProgress], None]
ProblemCallback = Callable[[RecordProblem], None]


def require_opt_in(settings: Settings) -> None:
    """For fetching that the user did not ask for by command (while answering): refused
    unless CURBSIDE_PUBMED_ENABLED allows it."""
    if not settings.pubmed.enabled:
        raise PubMedError(
            "Fetching from PubMed while answering is off, so nothing was sent to NCBI. To "
            "allow it, set CURBSIDE_PUBMED_ENABLED=true (the question's search terms go to "
            "NCBI); or fetch records yourself with `curbside pubmed fetch QUERY`.")


def normalise_pmids(values: Iterable[str]) -> list[str]:
    """PMIDs as given (`29768149`, `pmid:29768149`, comma-separated lists), once each, in
    order; a PubMedError for anything that is not a PMID."""
    found: dict[str, None] = {}
    for value in values:
        for part in value.split(","):
            pmid = part.strip()
            if pmid[:5].lower() == "pmid:":
                pmid = pmid[5:].strip()
            if not pmid:
                continue
            if not (pmid.isascii() and pmid.isdigit()) or len(pmid) > 12:
                raise PubMedError(f"{part.strip()!r} is not a PMID: give PubMed's number, "
                                  "e.g. --pmid 29768149.")
            found[pmid.lstrip("0") or "0"] = None
    return list(found)


def _check_query(query: str, max_records: int) -> None:
    if not query.strip():
        raise PubMedError("The PubMed query is empty: give search words, e.g. "
                          "'iliopsoas hematoma'.")
    if not 1 <= max_records <= ESEARCH_LIMIT:
        raise PubMedError(f"{max_records:,} records is out of range: PubMed returns at most "
                          f"{ESEARCH_LIMIT:,} records of a search; narrow the query for more.")


@contextmanager
def _client(settings: Settings, eutils: EUtils | None) -> Iterator[EUtils]:
    if eutils is not None:
        yield eutils
        return
    with EUtils(settings.pubmed) as client:
        yield client


def search_pubmed(query: str, settings: Settings, max_records: int = 20, *,
                  eutils: EUtils | None = None) -> tuple[SearchResult, list[Summary]]:
    """PubMed's count for the query and the first `max_records` records' titles."""
    _check_query(query, max_records)
    with _client(settings, eutils) as client:
        result = client.search(query, max_records)
        return result, client.summaries(result.pmids[:max_records])


def fetch_records(query: str, settings: Settings, library: Library, max_records: int, *,
                  on_progress: FetchProgressCallback | None = None,
                  on_problem: ProblemCallback | None = None,
                  eutils: EUtils | None = None, sort: str | None = None) -> FetchReport:
    """Search PubMed and bring its first `max_records` records into the library: the ones
    the library lacks are downloaded in batches through the search's history (WebEnv),
    saved and ingested. `sort="relevance"`: the first by PubMed's Best Match."""
    _check_query(query, max_records)
    with _client(settings, eutils) as client:
        before = client.requests
        result = client.search(query, max_records, sort=sort)
        report = FetchReport(query=query, found=result.count,
                             selected=result.pmids[:max_records],
                             folder=library.directory / SAVED_FOLDER)
        history = (result.webenv, result.query_key) if result.webenv and result.query_key \
            else None
        _fetch(client, report, history, settings, library, on_progress, on_problem)
        report.requests = client.requests - before
    return report


def fetch_pmids(pmids: Sequence[str], settings: Settings, library: Library, *,
                on_progress: FetchProgressCallback | None = None,
                on_problem: ProblemCallback | None = None,
                eutils: EUtils | None = None) -> FetchReport:
    """Bring the given PubMed records into the library (those it lacks are downloaded)."""
    selected = normalise_pmids(pmids)
    if not selected:
        raise PubMedError("No PMID given: name the records, e.g. --pmid 29768149.")
    with _client(settings, eutils) as client:
        before = client.requests
        report = FetchReport(query=None, found=len(selected), selected=selected,
                             folder=library.directory / SAVED_FOLDER)
        _fetch(client, report, None, settings, library, on_progress, on_problem)
        report.requests = client.requests - before
    return report


def _fetch(client: EUtils, report: FetchReport, history: tuple[str, str] | None,
           settings: Settings, library: Library, on_progress: FetchProgressCallback | None,
           on_problem: ProblemCallback | None) -> None:
    def ingest(pending: Path) -> Path:
        def problem(found: RecordProblem) -> None:
            report.problems.append(found)
            if on_problem:
                on_problem(found)
        report.counts += ingest_paths(library, [pending], on_problem=problem).counts
        return _rename(pending, pending.with_name(pending.name.removesuffix(_PENDING) + ".xml"))

    # What an earlier fetch saved but was stopped before ingesting.
    if report.folder.is_dir():
        for pending in sorted(report.folder.glob("*" + _PENDING)):
            report.resumed_files.append(ingest(pending))
    selected = report.selected
    saved = saved_pmids(report.folder)
    present = held_pmids(library, selected)
    report.in_library = [p for p in selected if p in present]
    report.saved_before = [p for p in selected if p not in present and p in saved]
    todo = [p for p in selected if p not in present and p not in saved]
    position = {pmid: index for index, pmid in enumerate(selected)}
    size = settings.pubmed.batch_size
    if on_progress:
        on_progress(FetchProgress(0, len(todo)))
    for start in range(0, len(todo), size):
        chunk = todo[start : start + size]
        first = position[chunk[0]]
        try:
            # A run of the search's own order is fetched from the history server; the PMIDs
            # left around records held already are named one by one.
            if history is not None and selected[first : first + len(chunk)] == chunk:
                got = client.fetch_history(*history, retstart=first, retmax=len(chunk))
            else:
                got = client.fetch_ids(chunk)
        except PubMedError as error:
            if not report.fetched:
                raise
            raise PubMedError(f"{error} The {len(report.fetched):,} records fetched before "
                              "were kept: run the command again to fetch the rest.") from None
        returned = set(got.pmids)
        report.not_returned += [pmid for pmid in chunk if pmid not in returned]
        if got.pmids:
            report.fetched += list(dict.fromkeys(got.pmids))
            report.files.append(ingest(_save(report.folder, got)))
        if on_progress:
            on_progress(FetchProgress(start + len(chunk), len(todo)))


def held_pmids(library: Library, pmids: Iterable[str]) -> set[str]:
    """The PMIDs among `pmids` whose record the library holds."""
    ids = sorted({f"pmid:{pmid}" for pmid in pmids})
    held: set[str] = set()
    for start in range(0, len(ids), 500):  # below SQLite's limit of bound parameters
        chunk = ids[start : start + 500]
        rows = library.connection.execute(
            f"SELECT id FROM documents WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        held.update(row[0].removeprefix("pmid:") for row in rows)
    return held


def saved_pmids(folder: Path) -> dict[str, Path]:
    """The PMID of every record in the XML saved in `folder`, with the file holding it."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.xml")):
        try:
            for _, element in etree.iterparse(
                str(path), events=("end",), tag=("PubmedArticle", "PubmedBookArticle"),
                load_dtd=False, no_network=True, resolve_entities=False, huge_tree=True,
            ):
                pmid = (element.findtext("MedlineCitation/PMID")
                        or element.findtext("BookDocument/PMID") or "").strip()
                if pmid:
                    found.setdefault(pmid, path)
                element.clear()
        except (etree.XMLSyntaxError, OSError):
            continue  # a damaged file: its readable records count, ingest reports the rest
    return found


def _save(folder: Path, got: FetchedXml) -> Path:
    """The batch's XML written, whole or not at all, as a pending file of its own."""
    digest = hashlib.sha256(got.xml).hexdigest()[:12]
    path = folder / f"efetch-{got.pmids[0]}-{len(got.pmids)}-{digest}{_PENDING}"
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Hidden while written: neither this module nor a folder ingest reads it half-made.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".", suffix=".part",
                                         delete=False) as stream:
            temporary = stream.name
            stream.write(got.xml)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise _unsaved(folder, error) from None
    return path


def _rename(source: Path, target: Path) -> Path:
    try:
        os.replace(source, target)
    except OSError as error:
        raise _unsaved(source.parent, error) from None
    return target


def _unsaved(folder: Path, error: OSError) -> LibraryError:
    return LibraryError(f"Cannot save PubMed's records in {folder}: {error.strerror}. Check "
                        "that the library folder is writable and has space, or choose another "
                        "with --library.")
