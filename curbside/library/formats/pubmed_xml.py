"""MEDLINE / PubMed XML: annual baseline and update files, efetch output, MedlineCitationSet.

Streamed with lxml's iterparse: each record is turned into a Document and its element freed,
so a 30,000-record baseline file never sits in memory whole.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from lxml import etree

from curbside.library.formats import Record, RecordProblem
from curbside.models import Document, DocumentDeletion, DocumentSection
from curbside.text import normalize_space

_RECORD_TAGS = ("PubmedArticle", "MedlineCitation", "DeleteCitation", "PubmedBookArticle")
_RETRACTED_TYPES = {"retracted publication"}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def open_maybe_gzip(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _text(element: etree._Element | None) -> str:
    """All text of an element, inline markup (<i>, <sub> …) flattened."""
    if element is None:
        return ""
    return normalize_space("".join(str(t) for t in element.itertext()))


def _year(pub_date: etree._Element | None) -> int | None:
    if pub_date is None:
        return None
    year = pub_date.findtext("Year")
    if year and year.strip().isdigit():
        return int(year.strip())
    # MedlineDate: free text such as "1998 Dec-1999 Jan" or "2000 Spring".
    match = _YEAR.search(pub_date.findtext("MedlineDate") or "")
    return int(match.group(1)) if match else None


def _date(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    year = (element.findtext("Year") or "").strip()
    month = (element.findtext("Month") or "1").strip()
    day = (element.findtext("Day") or "1").strip()
    if not year.isdigit():
        return None
    month_n = int(month) if month.isdigit() else _MONTHS.get(month[:3].lower(), 1)
    return f"{int(year):04d}-{month_n:02d}-{int(day) if day.isdigit() else 1:02d}"


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


def read_pubmed_xml(path: Path) -> Iterator[Record]:
    """Documents and deletions of a MEDLINE/PubMed XML file (plain or gzip)."""
    where = str(path)
    try:
        stream = open_maybe_gzip(path)
    except OSError as error:
        yield RecordProblem(where, f"cannot open: {error.strerror}")
        return
    with stream:
        events = etree.iterparse(
            stream,
            events=("end",),
            tag=_RECORD_TAGS,
            load_dtd=False,
            no_network=True,
            resolve_entities=False,
            huge_tree=True,
        )
        try:
            for _, element in events:
                tag = element.tag
                if tag == "MedlineCitation":
                    parent = element.getparent()
                    if parent is not None and parent.tag == "PubmedArticle":
                        continue  # handled with its PubmedArticle, which has the DOI/PMC ids
                    yield _citation_document(element, {})
                elif tag == "PubmedArticle":
                    citation = element.find("MedlineCitation")
                    if citation is not None:
                        yield _citation_document(citation, _article_ids(element))
                elif tag == "DeleteCitation":
                    for pmid in element.findall("PMID"):
                        if pmid.text and pmid.text.strip():
                            yield DocumentDeletion(id=f"pmid:{pmid.text.strip()}")
                # Book records (PubmedBookArticle) are not cited yet: freed unread.
                _free(element)
        except etree.XMLSyntaxError as error:
            yield RecordProblem(
                where,
                f"malformed XML at line {error.lineno}: {error.msg}. Records before it were "
                "read; fix or re-download the file and ingest it again.",
            )
        except (OSError, EOFError) as error:
            yield RecordProblem(
                where,
                f"file is damaged or truncated ({error}). Records before it were read; "
                "re-download the file and ingest it again.",
            )
