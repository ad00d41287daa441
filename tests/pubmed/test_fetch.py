"""Fetching PubMed records into a real library through the loopback stand-in: batches
through the search history, records held already, resuming a stopped fetch, opt-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from curbside.library.ingest import ingest_paths
from curbside.library.store import Library
from curbside.pubmed import fetch as fetch_module
from curbside.pubmed.client import PubMedError
from curbside.pubmed.fetch import (
    FetchProgress,
    fetch_pmids,
    fetch_records,
    normalise_pmids,
    require_opt_in,
    saved_pmids,
    search_pubmed,
)
from curbside.settings import Settings
from tests.pubmed.standin import Canned, Recorded, StandIn

EVERYTHING = "all[sb]"  # the stand-in's (and PubMed's) query for every record


@pytest.fixture()
def library(settings: Settings) -> Iterator[Library]:
    with Library(settings.library, create=True) as lib:
        yield lib


def _batched(settings: Settings, size: int) -> Settings:
    return settings.model_copy(update={
        "pubmed": settings.pubmed.model_copy(update={"batch_size": size})})


def _pmids_held(library: Library) -> list[str]:
    return sorted(row[0] for row in library.connection.execute(
        "SELECT id FROM documents WHERE id LIKE 'pmid:%'"))


def test_fetch_runs_in_batches_through_the_search_history(
        standin: StandIn, settings: Settings, library: Library,
        recorded: list[Recorded]) -> None:
    report = fetch_records(EVERYTHING, _batched(settings, 2), library, 100)
    everyone = [r.pmid for r in recorded]
    assert report.found == len(everyone) == 9 and report.selected == everyone
    assert report.fetched == everyone and report.not_returned == []
    assert report.counts.added == 9 and not report.problems
    assert _pmids_held(library) == sorted(f"pmid:{p}" for p in everyone)
    fetches = standin.requests("efetch")
    [search] = standin.requests("esearch")
    assert [(f.params["retstart"], f.params["retmax"]) for f in fetches] == [
        ("0", "2"), ("2", "2"), ("4", "2"), ("6", "2"), ("8", "1")]
    assert all(f.params["WebEnv"] == "MCID_standin_1" and f.params["query_key"] == "1"
               and f.params["retmode"] == "xml" and f.params["db"] == "pubmed"
               for f in fetches)
    assert search.params["usehistory"] == "y"
    assert report.requests == 6
    # NCBI's XML is kept beside the library, one file a batch.
    assert len(report.files) == 5 and all(p.parent == settings.library / "pubmed"
                                          for p in report.files)
    assert sorted(saved_pmids(report.folder)) == sorted(everyone)


def test_max_limits_the_records_fetched(standin: StandIn, settings: Settings,
                                        library: Library) -> None:
    report = fetch_records(EVERYTHING, _batched(settings, 2), library, 3)
    assert report.found == 9 and len(report.selected) == len(report.fetched) == 3
    assert len(standin.requests("efetch")) == 2
    assert standin.requests("esearch")[0].params["retmax"] == "3"


def test_a_second_fetch_fetches_nothing_new(standin: StandIn, settings: Settings,
                                            library: Library) -> None:
    first = fetch_records(EVERYTHING, settings, library, 100)
    again = fetch_records(EVERYTHING, settings, library, 100)
    assert again.fetched == [] and again.in_library == first.selected
    assert again.counts.added == 0 and again.files == []
    assert len(standin.requests("efetch")) == 1  # the first fetch's one batch
    assert len(list(first.folder.glob("*.xml"))) == 1


def test_records_the_library_holds_are_not_fetched(
        standin: StandIn, settings: Settings, library: Library, data_dir: Path) -> None:
    samples = data_dir / "pubmed-xml-samples"
    # The first two records of the search, then one in the middle of it.
    ingest_paths(library, [samples / "biopython-tests" / "Entrez_pubmed1.xml"])
    report = fetch_records(EVERYTHING, settings, library, 100)
    assert report.in_library == ["12091962", "9997"] and len(report.fetched) == 7
    [by_history] = standin.requests("efetch")
    assert by_history.params["retstart"] == "2" and by_history.params["retmax"] == "7"

    ingest_paths(library, [samples / "biopython-tests" / "Entrez_pubmed4.xml"])
    library.write([], ["pmid:28775130", "pmid:30108519"])  # two after it are gone again
    report = fetch_records(EVERYTHING, settings, library, 100)
    assert report.fetched == [] and report.saved_before == ["28775130", "30108519"]
    assert "pmid:28775130" not in _pmids_held(library)  # saved and ingested, then deleted


def test_records_around_held_ones_are_fetched_by_id(
        standin: StandIn, settings: Settings, library: Library, data_dir: Path) -> None:
    ingest_paths(library, [data_dir / "pubmed-xml-samples" / "biopython-tests" /
                           "Entrez_pubmed4.xml"])
    report = fetch_records(EVERYTHING, settings, library, 100)
    assert report.in_library == ["27797938"] and len(report.fetched) == 8
    [by_id] = standin.requests("efetch")
    assert by_id.method == "POST" and "27797938" not in by_id.params["id"]
    assert len(by_id.params["id"].split(",")) == 8 and "WebEnv" not in by_id.params


def test_a_stopped_fetch_resumes_without_duplicates(
        standin: StandIn, settings: Settings, library: Library) -> None:
    settings = _batched(settings, 2)

    def stop_after_two_batches(state: FetchProgress) -> None:
        if state.fetched >= 4:
            raise KeyboardInterrupt  # as Ctrl-C does

    with pytest.raises(KeyboardInterrupt):
        fetch_records(EVERYTHING, settings, library, 100, on_progress=stop_after_two_batches)
    assert len(_pmids_held(library)) == 4
    report = fetch_records(EVERYTHING, settings, library, 100)
    assert len(report.in_library) == 4 and len(report.fetched) == 5
    second_run = standin.requests("efetch")[2:]
    assert [f.params["retstart"] for f in second_run] == ["4", "6", "8"]
    assert len(_pmids_held(library)) == 9
    # Each record was downloaded and saved once.
    saved = [pmid for path in report.folder.glob("*.xml") for pmid in _pmids_in(path)]
    assert sorted(saved) == sorted(report.selected)


def _pmids_in(path: Path) -> list[str]:
    root = etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True)).getroot()
    return [str(pmid.text) for pmid in root.findall("PubmedArticle/MedlineCitation/PMID")]


def test_a_batch_saved_but_not_ingested_is_ingested_not_fetched(
        standin: StandIn, settings: Settings, library: Library,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _batched(settings, 4)

    def killed(*_: object, **__: object) -> None:
        raise KeyboardInterrupt  # the process dies after the save, before the ingest

    monkeypatch.setattr(fetch_module, "ingest_paths", killed)
    with pytest.raises(KeyboardInterrupt):
        fetch_records(EVERYTHING, settings, library, 100)
    monkeypatch.undo()
    [pending] = (settings.library / "pubmed").glob("*.xml")
    assert pending.name.endswith(".pending.xml") and _pmids_held(library) == []

    report = fetch_records(EVERYTHING, settings, library, 100)
    assert report.resumed_files == [pending.with_name(
        pending.name.removesuffix(".pending.xml") + ".xml")]
    assert not pending.exists()
    assert report.in_library == report.selected[:4] and len(report.fetched) == 5
    assert [f.params["retstart"] for f in standin.requests("efetch")] == ["0", "4", "8"]
    assert len(_pmids_held(library)) == 9


def test_fetch_by_pmid_names_what_pubmed_did_not_send(
        standin: StandIn, settings: Settings, library: Library) -> None:
    report = fetch_pmids(["29768149", "pmid:11748933,99999999", "29768149"], settings, library)
    assert report.selected == ["29768149", "11748933", "99999999"]
    assert report.fetched == ["29768149", "11748933"] and report.not_returned == ["99999999"]
    assert report.document_ids == ["pmid:29768149", "pmid:11748933"]
    [by_id] = standin.requests("efetch")
    assert by_id.method == "POST" and by_id.params["id"] == "29768149,11748933,99999999"
    assert standin.requests("esearch") == []
    assert library.get("pmid:29768149").title.startswith("Inhaled Combined Budesonide")


def test_pmids_are_checked_before_anything_is_sent() -> None:
    assert normalise_pmids(["PMID: 123", " 456 ,", "123"]) == ["123", "456"]
    with pytest.raises(PubMedError, match="'abc' is not a PMID"):
        normalise_pmids(["123,abc"])


def test_a_failure_mid_fetch_says_what_was_kept(
        standin: StandIn, settings: Settings, library: Library) -> None:
    def refuse_the_next_batch(state: FetchProgress) -> None:
        if state.fetched == 2:
            standin.canned.append(Canned(400, b'{"error": "Invalid WebEnv"}',
                                         utility="efetch"))

    with pytest.raises(PubMedError) as caught:
        fetch_records(EVERYTHING, _batched(settings, 2), library, 100,
                      on_progress=refuse_the_next_batch)
    message = str(caught.value)
    assert "refused the fetch (400): Invalid WebEnv" in message
    assert "The 2 records fetched before were kept: run the command again" in message
    assert len(_pmids_held(library)) == 2


def test_search_lists_count_and_titles(standin: StandIn, settings: Settings) -> None:
    result, summaries = search_pubmed(EVERYTHING, settings, 3)
    assert result.count == 9 and len(summaries) == 3
    assert summaries[0].pmid == "12091962"
    assert summaries[0].title == "The treatment of AIDS behind the walls of correctional " \
        "facilities."
    with pytest.raises(PubMedError, match="query is empty"):
        search_pubmed(" ", settings)
    assert len(standin.requests()) == 2  # the empty query was never sent


def test_fetching_while_answering_needs_the_opt_in(settings: Settings) -> None:
    off = Settings().model_copy(update={"pubmed": settings.pubmed.model_copy(
        update={"enabled": False})})
    with pytest.raises(PubMedError, match="CURBSIDE_PUBMED_ENABLED=true"):
        require_opt_in(off)
    require_opt_in(off.model_copy(update={"pubmed": off.pubmed.model_copy(
        update={"enabled": True})}))


def test_the_pubmed_settings_default_to_ncbi_and_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("URL", "ENABLED", "API_KEY", "TOOL", "BATCH_SIZE"):
        monkeypatch.delenv(f"CURBSIDE_PUBMED_{name}", raising=False)
    defaults = Settings().pubmed
    assert defaults.url == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
    assert defaults.enabled is False and defaults.api_key is None
    assert defaults.tool == "curbside" and defaults.batch_size == 200
    monkeypatch.setenv("CURBSIDE_PUBMED_URL", "http://127.0.0.1:9/eutils/")
    monkeypatch.setenv("CURBSIDE_PUBMED_API_KEY", "k")
    configured = Settings().pubmed
    assert configured.url == "http://127.0.0.1:9/eutils/"
    assert configured.api_key is not None and configured.api_key.get_secret_value() == "k"
