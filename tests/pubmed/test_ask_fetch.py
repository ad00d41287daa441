"""`curbside ask --fetch`: when the library lacks evidence, the question's PubMed query fetches
records from the loopback stand-in, they are ingested, and the article cites them and says
what was fetched. Never without CURBSIDE_PUBMED_ENABLED, and never when the library answers."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from curbside.answer.fetching import FetchingOffError, answer_with_fetch
from curbside.library.store import Library
from curbside.models import Document, DocumentSection
from curbside.render.html import render_html
from curbside.render.markdown import render_markdown
from curbside.settings import Settings
from tests.pubmed.standin import StandIn
from tests.pubmed.test_cli_pubmed import _env, curbside

QUESTION = "How is mild asthma treated?"  # the budesonide-formoterol trial answers it
GOUT = [Document(id=f"local:gout-{n}", source="local", title=f"Gout flare care {n}",
                 sections=[DocumentSection(label="", text=text)])
        for n, text in enumerate([
            "Colchicine is recommended as first-line treatment of an acute gout flare.",
            "Oral corticosteroids are an effective treatment of an acute gout flare.",
            "NSAIDs such as naproxen are an effective treatment of an acute gout flare.",
            "Ice applied to the joint eases the pain of an acute gout flare.",
        ], 1)]


def _small_library(folder: Path) -> Path:
    """A library of four gout documents: nothing on asthma."""
    with Library(folder, create=True) as library:
        library.write(GOUT)
    return folder


def _enabled(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update={"pubmed": settings.pubmed.model_copy(
        update={"enabled": True, **changes})})


def test_ask_fetch_fetches_ingests_and_cites(standin: StandIn, tmp_path: Path) -> None:
    library = _small_library(tmp_path / "library")
    env = _env(standin.url, library, enabled="true")
    asked = curbside("ask", "--fetch", QUESTION, "--format", "json", env=env)
    assert asked.returncode == 0, asked.stderr
    article = json.loads(asked.stdout)
    assert "pmid:29768149" in [reference["id"] for reference in article["references"]]
    assert not article["insufficient_evidence"]
    note = article["fetched"]
    assert note["pmids"] == ["29768149"] and note["found"] == 1 and note["error"] is None
    assert note["query"].startswith('("mild asthma"[MeSH Terms] OR (mild[tiab] AND '
                                    "asthma[tiab])) AND (therapy[sh] OR ")
    assert note["reason"] == "the library held no evidence that answers it"
    # The reader hears of it on stderr too.
    assert "Fetched 1 PubMed record for this question" in asked.stderr
    # Best Match order, the query as built; then one efetch of the record.
    searches = standin.requests("esearch")
    assert len(searches) == 1 and searches[0].params["sort"] == "relevance"
    assert searches[0].params["term"] == note["query"]
    assert len(standin.requests("efetch")) == 1
    assert (library / "pubmed").is_dir()  # NCBI's XML kept, as `curbside pubmed fetch` does

    # Asked again, still thin (one document on the topic): PubMed is searched, the record
    # the library holds now is not downloaded again, and the Markdown article says so.
    shown = curbside("ask", "--fetch", QUESTION, env=env)
    assert shown.returncode == 0, shown.stderr
    assert ("> **From PubMed:** Searched PubMed for this question (the library held 1 "
            "document on its topic); no new record was fetched; 1 of its best records were "
            "in the library already. PubMed found 1 for the query `(") in shown.stdout
    assert "(pmid:29768149)" in shown.stdout
    assert len(standin.requests("esearch")) == 2 and len(standin.requests("efetch")) == 1


def test_the_article_renders_the_note(standin: StandIn, settings: Settings) -> None:
    _small_library(settings.library)
    with Library(settings.library) as library:
        article = answer_with_fetch(library, QUESTION, "clinician", _enabled(settings))
    assert article.fetched is not None
    markdown = render_markdown(article)
    assert ("> **From PubMed:** Fetched 1 PubMed record for this question (the library held "
            "no evidence that answers it): PMID 29768149. PubMed found 1 for the query "
            '`("mild asthma"[MeSH Terms]') in markdown
    html = render_html(article)
    assert '<p class="note fetched">From PubMed: Fetched 1 PubMed record' in html
    assert "&#34;mild asthma&#34;[MeSH Terms]" in html or "&quot;mild asthma&quot;" in html


def test_without_the_setting_the_flag_is_refused(standin: StandIn, tmp_path: Path) -> None:
    library = _small_library(tmp_path / "library")
    for enabled in ({}, {"enabled": "false"}):
        refused = curbside("ask", "--fetch", QUESTION, env=_env(standin.url, library,
                                                                **enabled))
        assert refused.returncode == 1
        assert refused.stderr.startswith(
            "error: Fetching from PubMed while answering is off, so nothing was sent to NCBI. "
            "To allow it, set CURBSIDE_PUBMED_ENABLED=true")
        assert refused.stdout == ""
    assert standin.requests() == []
    # Without --fetch, an ask never reaches PubMed, whatever the setting.
    plain = curbside("ask", QUESTION, env=_env(standin.url, library, enabled="true"))
    assert plain.returncode == 0, plain.stderr
    assert standin.requests() == []
    misuse = curbside("ask", QUESTION, "--fetch-max", "5", env=_env(standin.url, library))
    assert misuse.returncode == 1 and "--fetch-max applies to --fetch" in misuse.stderr


def test_answering_refuses_to_fetch_without_the_setting(standin: StandIn,
                                                        settings: Settings) -> None:
    _small_library(settings.library)
    with Library(settings.library) as library, pytest.raises(FetchingOffError):
        answer_with_fetch(library, QUESTION, "clinician", settings)
    assert standin.requests() == []


def test_a_library_that_answers_sends_nothing(standin: StandIn, settings: Settings) -> None:
    _small_library(settings.library)
    with Library(settings.library) as library:
        article = answer_with_fetch(library, "How is an acute gout flare treated?",
                                    "clinician", _enabled(settings))
    assert not article.insufficient_evidence and article.coverage.on_topic_documents >= 3
    assert article.fetched is None
    assert standin.requests() == []


def test_records_held_already_are_not_fetched_again(standin: StandIn,
                                                    settings: Settings) -> None:
    """An article still thin after its records are in the library: PubMed is searched, the
    library's copy is used, nothing is downloaded twice."""
    _small_library(settings.library)
    enabled = _enabled(settings)
    with Library(settings.library) as library:
        first = answer_with_fetch(library, QUESTION, "clinician", enabled)
        again = answer_with_fetch(library, QUESTION, "clinician", enabled)
    assert first.fetched is not None and first.fetched.pmids == ["29768149"]
    assert again.fetched is not None and again.fetched.pmids == []
    assert again.fetched.held == ["29768149"]
    assert again.fetched.reason == "the library held 1 document on its topic"
    assert "pmid:29768149" in [r.id for r in again.references]
    assert len(standin.requests("efetch")) == 1
    assert "no new record was fetched; 1 of its best records were in the library already" \
        in again.fetched.summary()


def test_a_looser_query_when_pubmed_finds_nothing(standin: StandIn, settings: Settings) -> None:
    _small_library(settings.library)
    with Library(settings.library) as library:
        article = answer_with_fetch(
            library, "Does occupational pesticide exposure cause subclinical hypothyroidism?",
            "clinician", _enabled(settings), max_records=5)
    searches = standin.requests("esearch")
    assert len(searches) == 2 and all(s.params["retmax"] == "5" for s in searches)
    assert article.fetched is not None and article.fetched.pmids == ["28775130"]
    assert article.fetched.query == searches[1].params["term"]
    assert "etiology[sh]" in searches[0].params["term"]
    assert "etiology[sh]" not in article.fetched.query


def test_a_failed_fetch_leaves_the_library_article_saying_so(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    library = _small_library(tmp_path / "library")
    env = _env(f"http://127.0.0.1:{port}/entrez/eutils/", library, enabled="true",
               retries="0")
    asked = curbside("ask", "--fetch", QUESTION, "--format", "json", env=env)
    assert asked.returncode == 0, asked.stderr
    article = json.loads(asked.stdout)
    assert article["insufficient_evidence"]
    assert article["fetched"]["pmids"] == []
    assert article["fetched"]["error"].startswith(
        f"Cannot reach PubMed E-utilities at http://127.0.0.1:{port}/entrez/eutils/")
    assert "warning: fetching from PubMed failed: Cannot reach PubMed" in asked.stderr
    assert "test-key" not in asked.stdout + asked.stderr
