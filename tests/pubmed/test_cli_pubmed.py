"""`curbside pubmed search` and `curbside pubmed fetch` as a user runs them: a real process
against the loopback stand-in, a real library, then `curbside ask` on what was fetched."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from lxml import etree

from curbside.library.store import Library
from tests.pubmed.standin import StandIn

ASTHMA_QUESTION = "Is as-needed budesonide-formoterol effective in mild asthma?"


def _env(url: str, library: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CURBSIDE_PUBMED_")}
    env |= {"COLUMNS": "200", "CURBSIDE_LIBRARY": str(library), "CURBSIDE_PUBMED_URL": url,
            "CURBSIDE_PUBMED_API_KEY": "test-key", "CURBSIDE_PUBMED_BACKOFF_SECONDS": "0.05"}
    return env | {f"CURBSIDE_PUBMED_{k.upper()}": v for k, v in extra.items()}


def curbside(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "curbside.cli", *args], capture_output=True,
                          text=True, env=env, check=False)


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "curbside.cli", *args]


def test_search_prints_the_count_and_titles(standin: StandIn, tmp_path: Path) -> None:
    result = curbside("pubmed", "search", "all[sb]", "--max", "3",
                      env=_env(standin.url, tmp_path / "library"))
    assert result.returncode == 0, result.stderr
    first, *rows = result.stdout.splitlines()
    assert first.startswith("9 PubMed records match 'all[sb]'") and first.endswith(
        "the first 3:")
    assert rows[0] == ("12091962\t1990\tThe treatment of AIDS behind the walls of "
                       "correctional facilities. (Soc Justice)")
    assert len(rows) == 3
    assert not (tmp_path / "library").exists()  # a search stores nothing


def test_fetch_then_ask_cites_a_fetched_record(standin: StandIn, tmp_path: Path) -> None:
    env = _env(standin.url, tmp_path / "library", batch_size="4")
    fetched = curbside("pubmed", "fetch", "all[sb]", env=env)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.startswith(
        "Fetched 9 records from PubMed in 4 requests (9 found for 'all[sb]', the first 9 "
        "wanted; 0 already in the library): 9 added, 0 replaced, 0 unchanged, 0 skipped.")
    assert len(standin.requests("efetch")) == 3
    asked = curbside("ask", ASTHMA_QUESTION, "--format", "json", env=env)
    assert asked.returncode == 0, asked.stderr
    article = json.loads(asked.stdout)
    assert "pmid:29768149" in [reference["id"] for reference in article["references"]]
    again = curbside("pubmed", "fetch", "all[sb]", env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Fetched 0 records from PubMed in 1 request (9 found for "
                                   "'all[sb]', the first 9 wanted; 9 already in the library)")
    assert len(standin.requests("efetch")) == 3  # nothing fetched again


def test_fetch_by_pmid(standin: StandIn, tmp_path: Path) -> None:
    env = _env(standin.url, tmp_path / "library")
    result = curbside("pubmed", "fetch", "--pmid", "29768149", "--pmid", "99999999,11748933",
                      env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Fetched 2 records from PubMed in 1 request (3 PMIDs "
                                    "given; 0 already in the library): 2 added")
    assert "PubMed sent no record for 1 PMID(s): 99999999" in result.stdout
    shown = curbside("show", "pmid:11748933", "--json", env=env)
    assert json.loads(shown.stdout)["title"].startswith("Is cryopreservation a homogeneous")


def test_a_network_failure_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _env(f"http://127.0.0.1:{port}/entrez/eutils/", tmp_path / "library", retries="1")
    for args in (("pubmed", "fetch", "asthma"), ("pubmed", "search", "asthma")):
        result = curbside(*args, env=env)
        assert result.returncode == 1
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: Cannot reach PubMed E-utilities at "
                                   f"http://127.0.0.1:{port}/entrez/eutils/")
        assert "internet connection" in lines[0] and "CURBSIDE_PUBMED_URL" in lines[0]
        assert "test-key" not in result.stderr and "Traceback" not in result.stderr


def test_ncbi_errors_are_messages(standin: StandIn, tmp_path: Path) -> None:
    env = _env(standin.url, tmp_path / "library")
    result = curbside("pubmed", "fetch", "--pmid", "1", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: PubMed could not return the records (efetch): ID "
                                    "list is empty! Possibly it has no correct IDs.")
    bad = curbside("pubmed", "fetch", "--pmid", "12x", env=env)
    assert bad.returncode == 1 and "'12x' is not a PMID" in bad.stderr


def test_fetch_needs_a_query_or_pmids(standin: StandIn, tmp_path: Path) -> None:
    env = _env(standin.url, tmp_path / "library")
    for args in ((), ("asthma", "--pmid", "29768149")):
        result = curbside("pubmed", "fetch", *args, env=env)
        assert result.returncode == 1
        assert "Give either a QUERY or --pmid PMID" in result.stderr
    assert standin.requests() == []


def test_a_killed_fetch_resumes_with_no_duplicates(standin: StandIn, tmp_path: Path) -> None:
    library = tmp_path / "library"
    env = _env(standin.url, library, batch_size="2")
    standin.gate, standin.gate_after = threading.Event(), 2
    process = subprocess.Popen(_command("pubmed", "fetch", "all[sb]"), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Two batches fetched, saved and ingested; the third is asked for and held.
        for _ in range(1200):
            if len(standin.requests("efetch")) >= 3 or process.poll() is not None:
                break
            time.sleep(0.05)
        assert len(standin.requests("efetch")) == 3
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        standin.gate.set()
    standin.gate = None
    result = curbside("pubmed", "fetch", "all[sb]", env=env)
    assert result.returncode == 0, result.stderr
    assert "Fetched 5 records" in result.stdout and "4 already in the library" in result.stdout
    assert [f.params["retstart"] for f in standin.requests("efetch")[3:]] == ["4", "6", "8"]
    saved = [str(pmid.text) for path in (library / "pubmed").glob("*.xml")
             for pmid in etree.parse(str(path)).getroot().findall(
                 "PubmedArticle/MedlineCitation/PMID")]
    assert len(saved) == len(set(saved)) == 9
    with Library(library) as lib:
        assert lib.connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 9
    shown = curbside("search", "budesonide formoterol", "--json", "-k", "1", env=env)
    assert json.loads(shown.stdout)["doc_id"] == "pmid:29768149"
