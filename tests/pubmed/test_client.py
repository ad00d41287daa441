"""The E-utilities client against the loopback stand-in: identity, history, NCBI's rate
limit (counted by the server's clock), retries and the messages of what fails."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime

import pytest

from curbside.pubmed.client import (
    RATE_WITH_KEY,
    RATE_WITHOUT_KEY,
    EUtils,
    PubMedError,
    base_url,
    retry_after_seconds,
)
from tests.pubmed.conftest import pubmed_settings
from tests.pubmed.standin import Canned, Seen, StandIn

ASTHMA = "budesonide formoterol asthma"
ASTHMA_PMID = "29768149"


def _most_in_a_second(seen: list[Seen]) -> int:
    """The most requests that arrived within any one second."""
    times = sorted(s.at for s in seen)
    return max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))


def test_search_keeps_the_history_and_names_the_tool(standin: StandIn) -> None:
    with EUtils(pubmed_settings(standin.url)) as client:
        result = client.search(ASTHMA, retmax=5)
        [summary] = client.summaries(result.pmids)
    assert result.count == 1 and result.pmids == [ASTHMA_PMID]
    assert result.webenv and result.query_key == "1"
    assert summary.title.startswith("Inhaled Combined Budesonide-Formoterol")
    assert summary.journal == "N Engl J Med" and summary.date == "2018"
    for seen in standin.requests():
        assert seen.params["tool"] == "curbside"
        assert seen.params["email"] == "curbside-tests@example.org"
        assert seen.params["api_key"] == "test-key"
    [search] = standin.requests("esearch")
    assert search.params["usehistory"] == "y" and search.params["retmode"] == "json"


def test_without_email_or_key_the_tool_is_still_sent(standin: StandIn) -> None:
    with EUtils(pubmed_settings(standin.url, api_key=None, email=None)) as client:
        client.search(ASTHMA)
    [seen] = standin.requests()
    assert seen.params["tool"] == "curbside"
    assert "email" not in seen.params and "api_key" not in seen.params


def test_at_most_three_requests_a_second_without_a_key(standin: StandIn) -> None:
    with EUtils(pubmed_settings(standin.url, api_key=None)) as client:
        assert client.limiter.per_second == RATE_WITHOUT_KEY == 3
        for _ in range(7):
            client.search(ASTHMA)
    seen = standin.requests()
    assert len(seen) == 7
    assert _most_in_a_second(seen) <= 3


def test_at_most_ten_requests_a_second_with_a_key(standin: StandIn) -> None:
    with EUtils(pubmed_settings(standin.url)) as client:
        assert client.limiter.per_second == RATE_WITH_KEY == 10
        for _ in range(14):
            client.search(ASTHMA)
    seen = standin.requests()
    assert len(seen) == 14
    assert _most_in_a_second(seen) <= 10


def test_a_429_is_tried_again_after_its_retry_after(standin: StandIn) -> None:
    waits: list[float] = []
    standin.canned.append(Canned(429, b'{"error":"API rate limit exceeded","count":"11"}',
                                 {"Retry-After": "1"}))

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with EUtils(pubmed_settings(standin.url), sleep=sleep) as client:
        result = client.search(ASTHMA)
    assert result.pmids == [ASTHMA_PMID]
    assert waits == [1.0]
    refused, answered = standin.requests()
    assert answered.at - refused.at >= 1.0  # by the server's clock


def test_busy_server_is_tried_again_with_doubling_waits(standin: StandIn) -> None:
    waits: list[float] = []
    for status in (503, 502, 500):
        standin.canned.append(Canned(status, b"busy"))
    with EUtils(pubmed_settings(standin.url, backoff_seconds=0.01), sleep=waits.append
                ) as client:
        assert client.search(ASTHMA).pmids == [ASTHMA_PMID]
    assert waits == [0.01, 0.02, 0.04]
    assert len(standin.requests()) == 4


def test_a_dropped_connection_is_tried_again(standin: StandIn) -> None:
    standin.canned.append(Canned(0))
    with EUtils(pubmed_settings(standin.url)) as client:
        assert client.search(ASTHMA).pmids == [ASTHMA_PMID]
    assert len(standin.requests()) == 2


def test_an_unreachable_server_is_one_clear_line() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = pubmed_settings(f"http://127.0.0.1:{port}/entrez/eutils/", retries=2,
                               api_key="secret-key-1234")
    with EUtils(settings, sleep=lambda _: None) as client, pytest.raises(PubMedError) as caught:
        client.search(ASTHMA)
    message = str(caught.value)
    assert "Cannot reach PubMed" in message and "3 attempts" in message
    assert "internet connection" in message and "CURBSIDE_PUBMED_URL" in message
    assert "\n" not in message and "secret-key-1234" not in message


def test_a_server_that_stays_busy_says_try_later(standin: StandIn) -> None:
    standin.canned.extend(Canned(503, b"busy") for _ in range(3))
    with EUtils(pubmed_settings(standin.url, retries=2), sleep=lambda _: None) as client, \
            pytest.raises(PubMedError, match=r"503 Service Unavailable .*3 attempts.*later"):
        client.search(ASTHMA)


def test_rate_limit_refusals_that_persist_suggest_a_key(standin: StandIn) -> None:
    standin.canned.extend(Canned(429, b'{"error":"API rate limit exceeded"}') for _ in range(2))
    with EUtils(pubmed_settings(standin.url, api_key=None, retries=1), sleep=lambda _: None
                ) as client, pytest.raises(PubMedError, match="CURBSIDE_PUBMED_API_KEY"):
        client.search(ASTHMA)


def test_a_retry_after_beyond_the_limit_is_not_waited_for(standin: StandIn) -> None:
    waits: list[float] = []
    standin.canned.append(Canned(429, b"{}", {"Retry-After": "3600"}))
    with EUtils(pubmed_settings(standin.url), sleep=waits.append) as client, \
            pytest.raises(PubMedError, match="asks to wait 3,600 s: try again then"):
        client.search(ASTHMA)
    assert waits == [] and len(standin.requests()) == 1


def test_retry_after_as_a_date() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Wed, 01 Jan 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("2", now) == 2.0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None) is None


def test_esearch_errors_become_messages(standin: StandIn) -> None:
    with EUtils(pubmed_settings(standin.url)) as client:
        with pytest.raises(PubMedError, match="could not run the search '  ': Empty term"):
            client.search("  ")
        standin.canned.append(Canned(400, json.dumps(
            {"error": "API key invalid", "api-key": "test-key", "type": "invalid"}).encode()))
        with pytest.raises(PubMedError, match=r"refused the search \(400\): API key invalid\. "
                                              r"What to do: check CURBSIDE_PUBMED_API_KEY"):
            client.search(ASTHMA)
        standin.canned.append(Canned(200, b'{"error": "Search Backend failed"}'))
        with pytest.raises(PubMedError, match="refused the search: Search Backend failed"):
            client.search(ASTHMA)


def test_a_wrong_address_names_the_url_setting(standin: StandIn) -> None:
    standin.canned.append(Canned(404, b"<html><body><h1>Not Found</h1></body></html>",
                                 kind="text/html"))
    with EUtils(pubmed_settings(standin.url)) as client, pytest.raises(
            PubMedError, match=r"refused the search \(404\): Not Found\. What to do: check "
                               r"CURBSIDE_PUBMED_URL \(default https://eutils"):
        client.search(ASTHMA)


def test_efetch_errors_become_messages(standin: StandIn) -> None:
    with EUtils(pubmed_settings(standin.url)) as client:
        with pytest.raises(PubMedError, match=r"efetch.*ID list is empty"):
            client.fetch_ids(["1"])
        with pytest.raises(PubMedError, match=r"efetch.*Unable to obtain query #1"):
            client.fetch_history("MCID_unknown", "1", 0, 10)
        standin.canned.append(Canned(200, b"<html><body>Maintenance</body></html>"))
        with pytest.raises(PubMedError, match="<html>, not MEDLINE XML"):
            client.fetch_ids([ASTHMA_PMID])


def test_the_url_setting_must_be_an_http_address() -> None:
    with pytest.raises(PubMedError, match=r"CURBSIDE_PUBMED_URL is 'eutils\.example'"):
        base_url("eutils.example")
    assert base_url("http://127.0.0.1:9/eutils") == "http://127.0.0.1:9/eutils/"
