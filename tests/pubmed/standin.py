"""A local stand-in for NCBI E-utilities: a real HTTP server on loopback.

efetch answers with real recorded PubMed records: the <PubmedArticle>s of the efetch output
in the shared data folder (`pubmed-xml-samples`), read from there. esearch and esummary
answer in NCBI's JSON shape, built from the PMIDs, titles and abstracts of those records.
Every request is recorded with the server's clock at its arrival; canned answers (a 429, a
503, a dropped connection) can be queued ahead of the real ones.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lxml import etree

_PARSER = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
_EFETCH_ERROR = (b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eFetchResult PUBLIC '
                 b'"-//NLM//DTD efetch 20131226//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/'
                 b'dtd/20131226/efetch.dtd">\n<eFetchResult>\n\t<ERROR>%s</ERROR>\n'
                 b'</eFetchResult>\n')


@dataclass(frozen=True)
class Recorded:
    """One PubMed record of the samples: its XML as NCBI sent it, and words to search."""

    pmid: str
    xml: bytes
    title: str
    journal: str
    year: str
    words: frozenset[str]
    # For field-tagged queries (see `matches`): title and abstract as word sequences, MeSH
    # headings and subheadings as word sets, whether it has an abstract, its languages.
    tiab: tuple[tuple[str, ...], ...] = ()
    headings: tuple[frozenset[str], ...] = ()
    subheadings: tuple[frozenset[str], ...] = ()
    publication_types: tuple[frozenset[str], ...] = ()
    has_abstract: bool = False
    languages: frozenset[str] = frozenset()


def _words(text: str) -> frozenset[str]:
    return frozenset("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _sequence(text: str) -> tuple[str, ...]:
    return tuple("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _text(element: etree._Element | None) -> str:
    return " ".join("".join(str(t) for t in element.itertext()).split()) if element is not None \
        else ""


def load_records(samples: Path) -> list[Recorded]:
    """The <PubmedArticle> records of every efetch file (a PubmedArticleSet) in the folder."""
    found: dict[str, Recorded] = {}
    for path in sorted(samples.rglob("*.xml")):
        root = etree.parse(str(path), _PARSER).getroot()
        if root.tag != "PubmedArticleSet":
            continue
        for article in root.findall("PubmedArticle"):
            pmid = (article.findtext("MedlineCitation/PMID") or "").strip()
            found.setdefault(pmid, Recorded(
                pmid=pmid, xml=etree.tostring(article),
                title=_text(article.find("MedlineCitation/Article/ArticleTitle")),
                journal=article.findtext("MedlineCitation/Article/Journal/ISOAbbreviation")
                or "",
                year=article.findtext("MedlineCitation/Article/Journal/JournalIssue/PubDate/"
                                      "Year") or "",
                words=_words(_text(article.find("MedlineCitation/Article"))),
                tiab=(_sequence(_text(article.find("MedlineCitation/Article/ArticleTitle"))),
                      _sequence(_text(article.find("MedlineCitation/Article/Abstract")))),
                headings=tuple(_words(_text(e)) for e in article.iterfind(
                    "MedlineCitation/MeshHeadingList/MeshHeading/DescriptorName")),
                subheadings=tuple(_words(_text(e)) for e in article.iterfind(
                    "MedlineCitation/MeshHeadingList/MeshHeading/QualifierName")),
                publication_types=tuple(_words(_text(e)) for e in article.iterfind(
                    "MedlineCitation/Article/PublicationTypeList/PublicationType")),
                has_abstract=article.find("MedlineCitation/Article/Abstract") is not None,
                languages=frozenset(_text(e).lower() for e in article.iterfind(
                    "MedlineCitation/Article/Language"))))
    return list(found.values())


# PubMed's search syntax, as far as Curbside's question queries use it: quoted phrases or
# words, a field tag in brackets, AND / OR / NOT read strictly left to right (as PubMed
# does), brackets for groups, a trailing * for any ending.
_TOKEN = re.compile(r'\s*(?:(\()|(\))|(?:"([^"]*)"|([^\s()"\[\]]+))(?:\[([^\]]*)\])?)')
_LANGUAGES = {"english": "eng", "french": "fre", "german": "ger", "spanish": "spa"}


def _has_sequence(sequence: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    def same(word: str, wanted: str) -> bool:
        return word.startswith(wanted[:-1]) if wanted.endswith("*") else word == wanted

    size = len(phrase)
    return any(all(same(w, p) for w, p in zip(sequence[i:i + size], phrase, strict=True))
               for i in range(len(sequence) - size + 1))


def _term_matches(record: Recorded, text: str, tag: str | None) -> bool:
    tag = (tag or "").strip().lower()
    phrase = tuple("".join(c if c.isalnum() or c == "*" else " " for c in text.lower()).split())
    if not phrase:
        return False
    if tag in ("mesh terms", "mh", "majr", "mesh"):
        return any(frozenset(phrase) == heading for heading in record.headings)
    if tag in ("sh", "subheading"):
        return any(frozenset(phrase) <= sub for sub in record.subheadings)
    if tag in ("pt", "publication type"):
        return any(frozenset(phrase) == kind for kind in record.publication_types)
    if tag in ("la", "lang", "language"):
        return _LANGUAGES.get(" ".join(phrase), " ".join(phrase)) in record.languages
    if tag in ("sb", "filter") or (not tag and phrase == ("hasabstract",)):
        return {"hasabstract": record.has_abstract, "all": True}.get(" ".join(phrase), False)
    if tag in ("tiab", "title/abstract", "ti", "title"):
        fields = record.tiab[:1] if tag in ("ti", "title") else record.tiab
        return any(_has_sequence(field, phrase) for field in fields)
    return frozenset(phrase) <= record.words  # all fields, as PubMed's term mapping would


def matches(record: Recorded, query: str) -> bool:
    """Whether the record answers the query (a ValueError for a query it cannot read)."""
    tokens: list[tuple[str, str, str | None]] = []
    position = 0
    while position < len(query.rstrip()):
        found = _TOKEN.match(query, position)
        if found is None or found.end() == position:
            raise ValueError(f"cannot read the query at {query[position:]!r}")
        position = found.end()
        opened, closed, quoted, word, tag = found.groups()
        if opened or closed:
            tokens.append(("(" if opened else ")", "", None))
        elif quoted is None and tag is None and word in ("AND", "OR", "NOT"):
            tokens.append((word, "", None))
        else:
            tokens.append(("term", quoted if quoted is not None else word, tag))

    def group(at: int) -> tuple[bool, int]:
        value: bool | None = None
        operator = "AND"
        while at < len(tokens):
            kind, text, tag = tokens[at]
            if kind == ")":
                return bool(value), at + 1
            if kind in ("AND", "OR", "NOT"):
                operator, at = kind, at + 1
                continue
            if kind == "(":
                item, at = group(at + 1)
            else:
                item, at = _term_matches(record, text, tag), at + 1
            if value is None:
                value = item
            elif operator == "AND":
                value = value and item
            elif operator == "OR":
                value = value or item
            else:
                value = value and not item
            operator = "AND"  # terms side by side: AND
        return bool(value), at

    return group(0)[0]


@dataclass(frozen=True)
class Seen:
    at: float  # time.monotonic() when the request arrived
    utility: str  # "esearch", "efetch", "esummary"
    method: str
    params: dict[str, str]


@dataclass
class Canned:
    """An answer given instead of the real one, to the next request of `utility` (any
    when None); status 0 drops the connection without an answer."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    utility: str | None = None
    kind: str = "application/json"


class StandIn:
    def __init__(self, records: list[Recorded]) -> None:
        self.records = {r.pmid: r for r in records}
        self.order = [r.pmid for r in records]
        self.seen: list[Seen] = []
        self.canned: deque[Canned] = deque()
        self.histories: dict[str, list[str]] = {}
        # When set, every efetch after the first `gate_after` waits for it before answering:
        # a fetch caught between two batches.
        self.gate: threading.Event | None = None
        self.gate_after = 0
        self.lock = threading.Lock()
        self.url = ""

    def requests(self, utility: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if utility is None or s.utility == utility]

    def search(self, term: str) -> list[str]:
        if term.strip().lower() == "all[sb]":
            return list(self.order)
        if re.search(r'[\[\]()"]|\b(?:AND|OR|NOT)\b', term):
            return [pmid for pmid in self.order if matches(self.records[pmid], term)]
        wanted = _words(term)
        return [pmid for pmid in self.order if wanted <= self.records[pmid].words]

    # -- answers ---------------------------------------------------------------------------

    def answer(self, utility: str, params: dict[str, str]) -> tuple[int, str, bytes]:
        if params.get("db") != "pubmed":
            return 400, "application/json", json.dumps(
                {"error": f"Invalid db name specified: {params.get('db')}"}).encode()
        if utility == "esearch":
            return self._esearch(params)
        if utility == "esummary":
            return self._esummary(params)
        if utility == "efetch":
            return self._efetch(params)
        return 404, "text/plain", b"Not Found"

    def _esearch(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        term = params.get("term", "")
        if not term.strip():
            result: dict[str, object] = {"ERROR": "Empty term and query_key - nothing todo"}
        else:
            pmids = self.search(term)
            webenv = f"MCID_standin_{len(self.histories) + 1}"
            with self.lock:
                self.histories[webenv] = pmids
            retmax = int(params.get("retmax", "20"))
            retstart = int(params.get("retstart", "0"))
            result = {"count": str(len(pmids)), "retmax": str(min(retmax, len(pmids))),
                      "retstart": str(retstart),
                      "idlist": pmids[retstart : retstart + retmax],
                      "translationset": [], "querytranslation": term}
            if params.get("usehistory") == "y":
                result |= {"querykey": "1", "webenv": webenv}
            if not pmids:
                result["warninglist"] = {"outputmessages": ["No items found."]}
        body = {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}
        return 200, "application/json", json.dumps(body).encode()

    def _esummary(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        pmids = [p for p in params.get("id", "").split(",") if p]
        result: dict[str, object] = {"uids": [p for p in pmids if p in self.records]}
        for pmid in pmids:
            record = self.records.get(pmid)
            result[pmid] = {"uid": pmid, "title": record.title, "source": record.journal,
                            "pubdate": record.year} if record else {
                "uid": pmid, "error": "cannot get document summary"}
        body = {"header": {"type": "esummary", "version": "0.3"}, "result": result}
        return 200, "application/json", json.dumps(body).encode()

    def _efetch(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        if self.gate is not None and len(self.requests("efetch")) > self.gate_after:
            self.gate.wait(timeout=60)
        if "id" in params:
            pmids = [p for p in params["id"].split(",") if p in self.records]
            if not pmids:
                return 200, "text/xml", _EFETCH_ERROR % (
                    b"ID list is empty! Possibly it has no correct IDs.")
        else:
            history = self.histories.get(params.get("WebEnv", ""))
            if history is None or params.get("query_key") != "1":
                return 200, "text/xml", _EFETCH_ERROR % b"Unable to obtain query #1"
            start = int(params.get("retstart", "0"))
            pmids = history[start : start + int(params.get("retmax", "20"))]
        body = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD '
                b'PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/'
                b'out/pubmed_250101.dtd">\n<PubmedArticleSet>\n'
                + b"\n".join(self.records[p].xml for p in pmids) + b"\n</PubmedArticleSet>\n")
        return 200, "text/xml", body


def _handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet test output

        def do_GET(self) -> None:
            self._serve(urlsplit(self.path).query)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            self._serve(self.rfile.read(length).decode())

        def _serve(self, query: str) -> None:
            arrived = time.monotonic()
            utility = urlsplit(self.path).path.rsplit("/", 1)[-1].removesuffix(".fcgi")
            params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
            with standin.lock:
                standin.seen.append(Seen(arrived, utility, self.command, params))
                canned = None
                if standin.canned and standin.canned[0].utility in (None, utility):
                    canned = standin.canned.popleft()
            if canned is not None and canned.status == 0:
                self.close_connection = True  # no answer at all: a dropped connection
                return
            if canned is not None:
                status, kind, body = canned.status, canned.kind, canned.body
                headers = canned.headers
            else:
                status, kind, body = standin.answer(utility, params)
                headers = {}
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client is gone (a test killed it)
                self.wfile.write(body)

    return Handler


@contextmanager
def serving(records: list[Recorded]) -> Iterator[StandIn]:
    """The stand-in listening on a free loopback port, its base URL in `.url`."""
    standin = StandIn(records)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    server.daemon_threads = True
    standin.url = f"http://127.0.0.1:{server.server_address[1]}/entrez/eutils/"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
