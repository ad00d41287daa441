"""NCBI E-utilities over HTTP: esearch, esummary and efetch on PubMed.

Every request names the tool (and the contact address and API key when set), waits its turn
under NCBI's rate limit, and is tried again with doubling waits when NCBI is busy (429, 5xx)
or does not answer; a Retry-After is waited for as asked. Whatever fails ends as one
`PubMedError` that says what failed and what to check.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from lxml import etree

from curbside.errors import CurbsideError
from curbside.settings import PubMedSettings

# PubMed's esearch returns no id past the 10,000th of a search.
ESEARCH_LIMIT = 10_000
# Requests a second NCBI allows without and with an API key.
RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0
# NCBI counts requests as they arrive, and arrival times jitter: requests are spaced a tenth
# wider than the limit, so that no second at NCBI's end holds one too many.
_SPACING_MARGIN = 1.1
_XML_PARSER = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False,
                              huge_tree=True)
_URL_HINT = "CURBSIDE_PUBMED_URL (default https://eutils.ncbi.nlm.nih.gov/entrez/eutils/)"


class PubMedError(CurbsideError):
    """PubMed could not be reached, refused a request, or answered with an error."""


@dataclass(frozen=True)
class SearchResult:
    query: str
    count: int  # records PubMed holds for the query
    pmids: list[str]  # the first of them, in PubMed's order
    webenv: str | None  # the search on NCBI's history server, for efetch and esummary
    query_key: str | None
    translation: str | None  # the query as PubMed read it (MeSH terms added …)


@dataclass(frozen=True)
class Summary:
    pmid: str
    title: str
    journal: str
    date: str  # PubMed's publication date as written ("2018 May 17")


@dataclass(frozen=True)
class FetchedXml:
    """One efetch answer: MEDLINE XML as NCBI sent it, and the PMIDs of its records."""

    xml: bytes
    pmids: list[str]


class RateLimiter:
    """Spaces the starts of requests so that at most `per_second` begin in any second."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_second = per_second
        self.interval = _SPACING_MARGIN / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()  # one client may be shared by threads

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            if now < self._next:
                self._sleep(self._next - now)
                now = self._clock()
            self._next = max(now, self._next) + self.interval


def base_url(url: str) -> str:
    """The E-utilities base address with its trailing slash, or a PubMedError naming the
    setting when it is not an http(s) address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PubMedError(f"CURBSIDE_PUBMED_URL is {url!r}, which is not an http(s) address: "
                          f"set it to the E-utilities base address, or unset it for NCBI's "
                          f"(https://eutils.ncbi.nlm.nih.gov/entrez/eutils/).")
    return url.strip().rstrip("/") + "/"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait (a number or an HTTP date), None without
    a readable one."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _error_text(response: httpx.Response) -> str:
    """NCBI's own words for a refused request: a JSON `error`, an XML <ERROR>, or the start
    of the body."""
    body = response.content[:20_000]
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "ERROR"):
            if isinstance(data.get(key), str):
                return str(data[key])
        for value in data.values():
            if isinstance(value, dict) and isinstance(value.get("ERROR"), str):
                return str(value["ERROR"])
    errors = _xml_errors(body)
    if errors:
        return "; ".join(errors)
    if "html" in response.headers.get("Content-Type", ""):
        return response.reason_phrase  # a web server's error page, not E-utilities
    text = " ".join(response.text[:300].split())
    return text or response.reason_phrase


def _xml_errors(body: bytes) -> list[str]:
    try:
        root = etree.fromstring(body, _XML_PARSER)
    except etree.XMLSyntaxError:
        return []
    return _errors_in(root)


def _errors_in(root: etree._Element) -> list[str]:
    """The text of each <ERROR> NCBI put in an XML answer."""
    return [" ".join("".join(str(t) for t in e.itertext()).split()).rstrip(".")
            for e in root.iter("ERROR")]


class EUtils:
    """A client of NCBI E-utilities for PubMed, with NCBI's rate limit and retries."""

    def __init__(self, settings: PubMedSettings, *,
                 sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.url = base_url(settings.url)
        self._sleep = sleep  # waits between attempts (the rate limiter keeps its own)
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        self.limiter = RateLimiter(RATE_WITH_KEY if key else RATE_WITHOUT_KEY)
        self._identity = {"tool": settings.tool or "curbside"}
        if settings.email:
            self._identity["email"] = settings.email
        if key:
            self._identity["api_key"] = key
        self.requests = 0  # HTTP requests sent, retries included
        self._http = httpx.Client(base_url=self.url, timeout=settings.timeout_seconds,
                                  follow_redirects=True, transport=transport,
                                  headers={"User-Agent": "Curbside"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EUtils:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the utilities ---------------------------------------------------------------------

    def search(self, query: str, retmax: int = 20, sort: str | None = None) -> SearchResult:
        """esearch with usehistory=y: PubMed's count, its first `retmax` PMIDs, and the
        search kept on NCBI's history server for efetch; `sort="relevance"` for PubMed's
        Best Match order (esearch's own is the most recent first)."""
        params = {"db": "pubmed", "term": query, "usehistory": "y", "retmode": "json",
                  "retmax": str(min(max(retmax, 0), ESEARCH_LIMIT))}
        if sort:
            params["sort"] = sort
        data = self._json("esearch.fcgi", params, "search")
        result = data.get("esearchresult")
        if not isinstance(result, dict):
            raise PubMedError(f"PubMed's answer to the search {query!r} has no result "
                              f"(esearch): check {_URL_HINT}.")
        error = result.get("ERROR") or result.get("error")
        if error:
            raise PubMedError(f"PubMed could not run the search {query!r}: "
                              f"{str(error).rstrip('.')}. Check "
                              "the query (PubMed search syntax, e.g. 'asthma[mh] AND "
                              "budesonide').")
        try:
            count = int(result.get("count", 0))
            pmids = [str(pmid) for pmid in result.get("idlist", [])]
        except (TypeError, ValueError):
            count, pmids = -1, []
        if count < 0 or not all(pmid.isascii() and pmid.isdigit() for pmid in pmids):
            raise PubMedError(f"PubMed's answer to the search {query!r} is not an esearch "
                              f"result: check {_URL_HINT}.")
        webenv, key = result.get("webenv"), result.get("querykey")
        translation = result.get("querytranslation")
        return SearchResult(query=query, count=count, pmids=pmids,
                            webenv=str(webenv) if webenv else None,
                            query_key=str(key) if key else None,
                            translation=str(translation) if translation else None)

    def summaries(self, pmids: Sequence[str]) -> list[Summary]:
        """esummary: title, journal and date of each record, in the order given."""
        if not pmids:
            return []
        data = self._json("esummary.fcgi", {"db": "pubmed", "retmode": "json",
                                            "id": ",".join(pmids)}, "summary", post=True)
        result = data.get("result")
        if not isinstance(result, dict):
            reason = data.get("esummaryresult") or "no result"
            raise PubMedError(f"PubMed could not summarise the records (esummary): {reason}.")
        found = []
        for pmid in pmids:
            item = result.get(pmid)
            if isinstance(item, dict) and not item.get("error"):
                found.append(Summary(pmid=pmid, title=str(item.get("title") or ""),
                                     journal=str(item.get("source") or ""),
                                     date=str(item.get("pubdate") or "")))
        return found

    def fetch_history(self, webenv: str, query_key: str, retstart: int,
                      retmax: int) -> FetchedXml:
        """efetch of records `retstart` … `retstart + retmax - 1` of a search kept on the
        history server."""
        return self._efetch({"WebEnv": webenv, "query_key": query_key,
                             "retstart": str(retstart), "retmax": str(retmax)}, post=False)

    def fetch_ids(self, pmids: Sequence[str]) -> FetchedXml:
        """efetch of the given PMIDs (sent in the body: a long id list does not fit a URL)."""
        return self._efetch({"id": ",".join(pmids)}, post=True)

    # -- requests --------------------------------------------------------------------------

    def _efetch(self, params: dict[str, str], post: bool) -> FetchedXml:
        response = self._request("efetch.fcgi", {"db": "pubmed", "retmode": "xml", **params},
                                 "fetch", post=post)
        try:
            root = etree.fromstring(response.content, _XML_PARSER)
        except etree.XMLSyntaxError as error:
            raise PubMedError(f"PubMed's answer to efetch is not XML ({error}); run the "
                              f"command again, or check {_URL_HINT}.") from None
        errors = _errors_in(root)
        if errors:
            raise PubMedError("PubMed could not return the records (efetch): "
                              + "; ".join(errors) + ". Check the PMIDs or the query.")
        if root.tag != "PubmedArticleSet":
            raise PubMedError(f"PubMed's answer to efetch is <{root.tag}>, not MEDLINE XML "
                              f"(<PubmedArticleSet>): check {_URL_HINT}.")
        pmids = [pmid for pmid in (
            (record.findtext("MedlineCitation/PMID") or record.findtext("BookDocument/PMID")
             or "").strip() for record in root) if pmid]
        return FetchedXml(xml=response.content, pmids=pmids)

    def _json(self, utility: str, params: dict[str, str], what: str,
              post: bool = False) -> dict[str, Any]:
        response = self._request(utility, params, what, post=post)
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise PubMedError(f"PubMed's answer to the {what} is not JSON: check {_URL_HINT}.")
        if isinstance(data.get("error"), str):
            raise PubMedError(self._refusal(what, response.status_code, data["error"]))
        return data

    def _refusal(self, what: str, status: int, reason: str) -> str:
        hint = "check the query and " + _URL_HINT
        if "key" in reason.lower():
            hint = "check CURBSIDE_PUBMED_API_KEY (or unset it)"
        elif status == 404:
            hint = "check " + _URL_HINT
        code = f" ({status})" if status >= 400 else ""
        return f"PubMed refused the {what}{code}: {reason.rstrip('.')}. What to do: {hint}."

    def _request(self, utility: str, params: dict[str, str], what: str,
                 post: bool = False) -> httpx.Response:
        """The response to one E-utility request, tried again on 429, 5xx and lost
        connections; anything else that fails is a PubMedError."""
        params = {**params, **self._identity}
        attempts = self.settings.retries + 1
        status: int | None = None
        failure = ""
        for attempt in range(attempts):
            self.limiter.wait()
            self.requests += 1
            backoff = self.settings.backoff_seconds * 2 ** attempt
            try:
                response = (self._http.post(utility, data=params) if post
                            else self._http.get(utility, params=params))
            except httpx.UnsupportedProtocol:
                raise PubMedError(f"{_URL_HINT} is not an address E-utilities can be "
                                  f"reached at ({self.url}).") from None
            except httpx.TransportError as error:  # no connection, timeout, dropped
                status, failure = None, f"{type(error).__name__}: {error}".rstrip(": ")
                wait = backoff
            except httpx.HTTPError as error:  # redirect loops, undecodable bodies
                raise PubMedError(f"PubMed's answer to the {what} could not be read "
                                  f"({type(error).__name__}: {error}); check "
                                  f"{_URL_HINT}.") from None
            else:
                status = response.status_code
                if status != 429 and status < 500:
                    if status >= 400:
                        raise PubMedError(self._refusal(what, status, _error_text(response)))
                    return response
                failure = f"{status} {response.reason_phrase}".strip()
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                wait = backoff if asked is None else asked
                if wait > self.settings.max_wait_seconds:
                    raise PubMedError(
                        f"PubMed answered the {what} with {failure} and asks to wait "
                        f"{wait:,.0f} s: try again then"
                        + ("" if self._identity.get("api_key") else
                           ", and set CURBSIDE_PUBMED_API_KEY for NCBI's higher limit")
                        + ".")
            if attempt + 1 < attempts:
                self._sleep(wait)
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        if status is None:
            raise PubMedError(
                f"Cannot reach PubMed E-utilities at {self.url} for the {what} ({failure}; "
                f"{tries}). Check the internet connection (and any proxy) and {_URL_HINT}.")
        if status == 429:
            raise PubMedError(
                f"PubMed refused the {what} as too many requests (429, {tries}). Wait a "
                "minute and try again; with several programs sharing one address or key, "
                "run one at a time"
                + ("" if self._identity.get("api_key") else
                   ", or set CURBSIDE_PUBMED_API_KEY (10 requests a second instead of 3)")
                + ".")
        raise PubMedError(
            f"PubMed E-utilities at {self.url} answered the {what} with {failure} ({tries}): "
            f"NCBI may be busy or down. Try again later, or check {_URL_HINT}.")
