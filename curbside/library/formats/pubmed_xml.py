"""MEDLINE / PubMed XML: annual baseline and update files, efetch output, MedlineCitationSet.

Streamed with lxml's iterparse: each record is turned into a Document and its element freed,
so a 30,000-record baseline file never sits in memory whole.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from curbside.library.formats import YEARS, Record, RecordProblem, guarded, open_maybe_gzip
from curbside.library.formats.sniff import head, root_start
from curbside.models import Document, DocumentDeletion, DocumentSection
from curbside.text import normalize_space

_RECORD_TAGS = ("PubmedArticle", "MedlineCitation", "DeleteCitation", "PubmedBookArticle")
_RETRACTED_TYPES = {"retracted publication"}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _text(element: etree._Element | None) -> str:
    """All text of an element, inline markup (<i>, <sub> …) flattened."""
    if element is None:
        return ""
    return normalize_space("".join(str(t) for t in element.itertext()))


def _number(text: str) -> int | None:
    """A plain decimal number of the source (ASCII digits only: "²" is a digit to Python)."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        return None
    if len(digits) > 18:
        raise ValueError(f"{digits[:12]}… ({len(digits)} digits) is not a year, month or day; "
                         "correct it")
    return int(digits)


def _year(pub_date: etree._Element | None) -> int | None:
    if pub_date is None:
        return None
    year = _number(pub_date.findtext("Year") or "")
    if year is not None:
        return year
    # MedlineDate: free text such as "1998 Dec-1999 Jan" or "2000 Spring".
    match = _YEAR.search(pub_date.findtext("MedlineDate") or "")
    return int(match.group(1)) if match else None


def _date(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    year = _number(element.findtext("Year") or "")
    if year is None or year not in YEARS:
        return None
    month = (element.findtext("Month") or "1").strip()
    month_n = _number(month)
    if month_n is None:
        month_n = _MONTHS.get(month[:3].lower(), 1)
    day = _number(element.findtext("Day") or "1")
    return f"{year:04d}-{min(max(month_n, 1), 12):02d}-{min(max(day or 1, 1), 31):02d}"


def _sections(abstract: etree._Element | None) -> list[DocumentSection]:
    if abstract is None:
        return []
    sections = []
    for part in abstract.findall("AbstractText"):
        text = _text(part)
        if text:
            label = part.get("Label") or part.get("NlmCategory") or ""
            sections.append(DocumentSection(label=label.upper(), text=text))
    return sections


def _citation_document(
    citation: etree._Element, article_ids: dict[str, str]
) -> Document | RecordProblem:
    pmid = (citation.findtext("PMID") or "").strip()
    if not pmid:
        return RecordProblem("MedlineCitation", "record without a PMID was skipped")
    article = citation.find("Article")
    if article is None:
        return RecordProblem(f"PMID {pmid}", "record without an <Article> was skipped")
    title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    sections = _sections(article.find("Abstract"))
    for other in citation.findall("OtherAbstract"):
        if other.get("Language", "eng") == "eng" and not sections:
            sections = _sections(other)
    journal = _text(article.find("Journal/Title")) or None
    year = _year(article.find("Journal/JournalIssue/PubDate"))
    if year is None:
        year = _year(article.find("ArticleDate"))
    pub_types = [_text(t) for t in article.findall("PublicationTypeList/PublicationType")]
    mesh = [_text(m) for m in citation.findall("MeshHeadingList/MeshHeading/DescriptorName")]
    authors = []
    for author in article.findall("AuthorList/Author"):
        name = " ".join(
            p for p in (author.findtext("LastName"), author.findtext("Initials")) if p
        ) or (author.findtext("CollectiveName") or "")
        if name:
            authors.append(normalize_space(name))
    doi = article_ids.get("doi")
    if doi is None:
        for eloc in article.findall("ELocationID"):
            if eloc.get("EIdType") == "doi" and eloc.text:
                doi = eloc.text.strip()
    retracted = any(t.lower() in _RETRACTED_TYPES for t in pub_types) or any(
        c.get("RefType") == "RetractionIn"
        for c in citation.findall("CommentsCorrectionsList/CommentsCorrections")
    )
    return Document(
        id=f"pmid:{pmid}",
        source="pubmed",
        title=title or f"PubMed record {pmid}",
        sections=sections,
        journal=journal,
        year=year,
        publication_types=pub_types,
        mesh_terms=mesh,
        authors=authors,
        doi=doi,
        pmid=pmid,
        pmcid=article_ids.get("pmc"),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        retracted=retracted,
        revised=_date(citation.find("DateRevised")),
    )


def _article_ids(pubmed_article: etree._Element) -> dict[str, str]:
    ids = {}
    for node in pubmed_article.findall("PubmedData/ArticleIdList/ArticleId"):
        kind = node.get("IdType")
        if kind and node.text:
            ids[kind] = node.text.strip()
    return ids


def _free(element: etree._Element) -> None:
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _pmid(element: etree._Element) -> str:
    """The PMID of a record element, for naming it in a problem ('' when it has none)."""
    try:
        return (element.findtext(".//PMID") or "").strip()[:20]
    except (ValueError, UnicodeError):  # text lxml recovered from damaged bytes
        return ""


def _records(element: etree._Element, where: str) -> list[Record] | None:
    """The records of one record element (None for a MedlineCitation read with its
    PubmedArticle); a record that cannot be read is a problem naming its PMID."""
    tag = element.tag
    try:
        if tag == "MedlineCitation":
            parent = element.getparent()
            if parent is not None and parent.tag == "PubmedArticle":
                return None  # handled with its PubmedArticle, which has the DOI/PMC ids
            found = _citation_document(element, {})
        elif tag == "PubmedArticle":
            citation = element.find("MedlineCitation")
            if citation is None:
                return []
            found = _citation_document(citation, _article_ids(element))
        elif tag == "DeleteCitation":
            return [DocumentDeletion(id=f"pmid:{pmid.text.strip()}")
                    for pmid in element.findall("PMID") if pmid.text and pmid.text.strip()]
        else:
            return []  # Book records (PubmedBookArticle) are not cited yet: freed unread.
    except Exception as error:  # one unreadable record never ends the file
        return [RecordProblem(f"{where} PMID {_pmid(element) or '?'}",
                              f"skipped: the record cannot be read ({type(error).__name__}: "
                              f"{str(error)[:200]}); fix the record and ingest the file again")]
    if isinstance(found, RecordProblem):
        return [RecordProblem(f"{where} {found.where}", found.message)]
    return [found]


def _iterparse(stream: IO[bytes]) -> etree.iterparse:
    return etree.iterparse(
        stream,
        events=("end",),
        tag=_RECORD_TAGS,
        load_dtd=False,
        no_network=True,
        resolve_entities=False,
        huge_tree=True,
    )


def _damaged(where: str, error: BaseException) -> RecordProblem:
    return RecordProblem(
        where,
        f"file is damaged or truncated ({error}). Records before it were read; "
        "re-download the file and ingest it again.",
    )


@guarded
def read_pubmed_xml(path: Path) -> Iterator[Record]:
    """Documents and deletions of a MEDLINE/PubMed XML file (plain or gzip).

    A file with malformed XML (a bad byte, a broken tag) is read again record by record from
    the first error on: each damaged record is reported and skipped, the others are kept."""
    where = str(path)
    try:
        stream = open_maybe_gzip(path)
    except OSError as error:
        yield RecordProblem(where, f"cannot open: {error.strerror}")
        return
    handled = 0  # record elements read before an XML error
    with stream:
        try:
            for _, element in _iterparse(stream):
                records = _records(element, where)
                if records is None:
                    continue  # read with its PubmedArticle, freed with it
                handled += 1
                yield from records
                _free(element)
            return
        except etree.XMLSyntaxError as error:
            first_error = error
        except (OSError, EOFError, zlib.error) as error:
            yield _damaged(where, error)
            return
    yield from _recovered(path, handled, first_error)


# A record's start tag; a record ends at its end tag, or where the next record of its kind
# starts when its end tag is damaged.
_RECORD_START = re.compile(
    rb"<(" + b"|".join(t.encode() for t in _RECORD_TAGS) + rb")[\s>/]")
_PMID_TEXT = re.compile(rb"<PMID[^>]*>\s*(\d{1,20})\s*</PMID>")
_SEGMENT_CHUNK = 1 << 20
_SEGMENT_PARSER = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False,
                                  huge_tree=True)


def _segments(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """The bytes of each record element of a MEDLINE/PubMed XML stream, with its first line,
    found by their tags alone, so damage inside one record leaves the others whole."""
    buffer = b""
    line = 1
    eof = False
    while True:
        match = _RECORD_START.search(buffer)
        if match is None:
            if eof:
                return
            cut = max(len(buffer) - 64, 0)  # a start tag may be split across reads
            line += buffer.count(b"\n", 0, cut)
            buffer = buffer[cut:]
        else:
            line += buffer.count(b"\n", 0, match.start())
            buffer = buffer[match.start():]
            name = match.group(1)
            end = buffer.find(b"</" + name + b">")
            following = re.compile(b"<" + re.escape(name) + rb"[\s>/]").search(buffer, 1)
            stop: int | None = None
            if end >= 0 and (following is None or end < following.start()):
                stop = end + len(name) + 3
            elif following is not None:
                stop = following.start()
            elif eof:
                stop = len(buffer)
            if stop is not None:
                segment, buffer = buffer[:stop], buffer[stop:]
                yield line, segment
                line += segment.count(b"\n")
                continue
        chunk = stream.read(_SEGMENT_CHUNK)
        eof = not chunk
        buffer += chunk


def _prolog(path: Path) -> bytes:
    """The file's XML declaration and doctype, to read each record as the file declares it
    (its encoding, its internal entities); nothing when the prolog itself is damaged."""
    data, _ = head(path, 1 << 20)
    start = root_start(data)
    prolog = data[:start] if start is not None else b""
    try:
        etree.fromstring(prolog + b"<x/>", _SEGMENT_PARSER)
    except etree.XMLSyntaxError:
        return b""
    return prolog


def _recovered(path: Path, handled: int, first_error: etree.XMLSyntaxError) -> Iterator[Record]:
    """The records after the first `handled` of a file with malformed XML, each record parsed
    on its own: a damaged record is reported and skipped, the ones after it are read."""
    where = str(path)
    fix = ("the records around it were read; fix the record (or re-download the file) and "
           "ingest it again")
    prolog = _prolog(path)
    lines_before = prolog.count(b"\n")
    blamed = False
    try:
        with open_maybe_gzip(path) as stream:
            for count, (line, segment) in enumerate(_segments(stream), 1):
                if count <= handled:
                    continue  # read before the error
                try:
                    root = etree.fromstring(prolog + segment, _SEGMENT_PARSER)
                except etree.XMLSyntaxError as error:
                    blamed = True
                    found = _PMID_TEXT.search(segment)
                    pmid = found.group(1).decode() if found else "?"
                    at = line + max((error.lineno or 1) - 1 - lines_before, 0)
                    yield RecordProblem(f"{where} PMID {pmid} (line {line})",
                                        f"skipped: malformed XML at line {at}: {error.msg}; {fix}")
                    continue
                yield from _records(root, where) or []
    except (OSError, EOFError, zlib.error) as error:
        yield _damaged(where, error)
    if not blamed:
        yield RecordProblem(
            where,
            f"malformed XML at line {first_error.lineno}: {first_error.msg}, outside any "
            "record; the records in the file were read. Fix or re-download the file and ingest "
            "it again.",
        )
