"""PMC Open Access full text: JATS XML articles (`.nxml`) and efetch `db=pmc` output (a
`<pmc-articleset>` of several `<article>`), parsed with lxml.

Each article is a document with its title, PMCID, PMID and DOI, journal, year and authors. Its
abstract is labelled as a PubMed abstract is (BACKGROUND, METHODS … for a structured one), so
the answer stages read both alike; its body keeps its sections: nested `<sec>` titles make the
section path ("Results › Primary outcome"), and each paragraph, list item, table row (labelled
by the header cells, as the HTML reader labels them) and figure or table caption is a line of
its section, so a statement is traced to the section it came from. The blocks are the HTML
reader's, read into sections by its `sections_of`.

Citation markers into the paper's own reference list ("[12]", superscript numbers) are
dropped: they point to nothing Curbside holds and glue numbers to words. The references,
acknowledgements, footnotes, formulae and supplementary material are not the paper's findings
and are left out.

The kind comes from `article-type`, as PubMed's publication types (what `appraise` reads): a
review is a Systematic Review only when it says so, a case report is a Case Report, and a
research article is left to the appraisal's design cues (trial, cohort …), else Research.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import IO

from lxml import etree

from curbside.library.formats import Record, RecordProblem, guarded, open_maybe_gzip
from curbside.library.formats.guidance import GuidanceSection
from curbside.library.formats.html import (
    Block,
    Heading,
    ItemList,
    ListItem,
    Paragraph,
    sections_of,
)
from curbside.library.formats.html import _table as html_table  # <table> is XHTML's in JATS
from curbside.library.formats.pubmed_xml import _free, _number
from curbside.library.formats.sniff import head, xml_root
from curbside.models import HEADING_SEPARATOR, Document, DocumentSection
from curbside.text import normalize_space

SUFFIXES = (".nxml",)
ROOTS = ("article", "pmc-articleset")
SOURCE = "pmc"

# PubMed's publication type for each article-type (JATS 1.3's list, as PMC uses it).
PUBLICATION_TYPES = {
    "research-article": "Journal Article",
    "review-article": "Review",
    "systematic-review": "Systematic Review",
    "meta-analysis": "Meta-Analysis",
    "case-report": "Case Reports",
    "brief-report": "Journal Article",
    "rapid-communication": "Journal Article",
    "editorial": "Editorial",
    "letter": "Letter",
    "article-commentary": "Comment",
    "discussion": "Comment",
    "reply": "Comment",
    "correction": "Published Erratum",
    "retraction": "Retraction of Publication",
    "partial-retraction": "Retraction of Publication",
    "expression-of-concern": "Expression of Concern",
    "news": "News",
    "meeting-report": "Congress",
    "book-review": "Book Review",
    "practice-guideline": "Practice Guideline",
    "guideline": "Guideline",
}
_SAYS_SYSTEMATIC = re.compile(r"\b(?:systematic(?:al)? review|meta-?analys[ie]s)\b", re.IGNORECASE)
# Publication dates in the order a year is taken from: the first publication, then any.
_DATE_TYPES = ("epub", "ppub", "pub", "epub-ppub", "collection", "ecollection")
# Body sections that are not the paper's findings.
_SKIPPED_SECTIONS = frozenset({"supplementary-material", "coi-statement", "data-availability",
                               "funding-information", "author-contributions",
                               "ethics-statement", "abbreviations"})
_SKIPPED_ABSTRACTS = frozenset({"graphical", "teaser", "toc", "video", "web-summary"})
# Never text a statement can quote: dropped from the tree before it is read.
_DROPPED = ("tex-math", "fn", "disp-formula", "disp-formula-group", "preformat", "code",
            "supplementary-material", "media", "object-id", "sec-meta", "ref-list",
            "fn-group", "glossary", "ack", "table-wrap-foot")
# Blocks an element of mixed content may hold: read as blocks after its own text.
_FLOATS = frozenset({"fig", "fig-group", "table-wrap", "table-wrap-group"})
_INNER_BLOCKS = _FLOATS | frozenset({"list", "def-list", "boxed-text", "disp-quote", "statement",
                           "array", "alternatives", "chem-struct-wrap", "graphic"})
# Where text meets these elements a space goes, so words of two blocks never run together.
_SPACED = frozenset({"p", "title", "label", "list-item", "caption", "term", "def", "break",
                     "td", "th", "tr", "sec", "list", "def-item", "attrib"})
_EMPTY_BRACKETS = re.compile(r"\s*[\[(](?:\s|[,;–—-])*[\])]")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:])(?=\s|$)")
_FIX = "fix or re-download the file and ingest it again"


def _tag(element: etree._Element) -> str:
    """The element's tag ('' for a comment or processing instruction)."""
    tag = element.tag
    return tag if isinstance(tag, str) else ""


def _text(element: etree._Element | None, skip: frozenset[str] = frozenset()) -> str:
    """An element's text, inline markup flattened, less the children tagged `skip` (their
    tails kept), with a space where blocks meet."""
    if element is None:
        return ""
    parts: list[str] = []

    def collect(node: etree._Element) -> None:
        if node.text and _tag(node):
            parts.append(node.text)
        for child in node:
            tag = _tag(child)
            if tag and tag not in skip:
                spaced = tag in _SPACED
                if spaced:
                    parts.append(" ")
                collect(child)
                if spaced:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    collect(element)
    text = _EMPTY_BRACKETS.sub("", "".join(parts))
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", normalize_space(text))


def _remove(element: etree._Element) -> None:
    """Take an element out of the tree, its tail text kept where it stood."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _is_citation_marker(element: etree._Element) -> bool:
    """A numbered reference to the paper's bibliography ("[12]", a superscript "3,4"): an
    <xref ref-type="bibr"> holding only numbers, or a superscript made of nothing else. An
    author-year one ("Smith et al. (2019) showed …") is part of its sentence and is kept."""
    if _tag(element) == "xref":
        return element.get("ref-type") == "bibr" and _only_numbers(_text(element))
    if _tag(element) != "sup" or not len(element):
        return False
    between = (element.text or "") + "".join(child.tail or "" for child in element)
    return all(_is_citation_marker(child) for child in element) and _only_numbers(between)


def _only_numbers(text: str) -> bool:
    return not re.sub(r"[\s\d,;–—\-\[\]()]", "", text)


def _clean(article: etree._Element) -> None:
    """Drop what is never quoted, and write out named entities (`&nbsp;`, `&mdash;`), which
    lxml leaves as references when the DTD that declares them is not read."""
    for entity in [e for e in article.iter() if isinstance(e, etree._Entity)]:
        written = unescape(entity.text or "")
        entity.tail = ("" if written == entity.text else written) + (entity.tail or "")
        _remove(entity)
    doomed = [e for e in article.iter() if _tag(e) in _DROPPED or _is_citation_marker(e)]
    for element in doomed:
        _remove(element)


# -- metadata -------------------------------------------------------------------------------------

def _ids(meta: etree._Element) -> dict[str, str]:
    ids: dict[str, str] = {}
    for node in meta.findall("article-id"):
        kind = (node.get("pub-id-type") or "").lower()
        value = normalize_space("".join(str(t) for t in node.itertext()))
        if not value:
            continue
        if kind in ("pmc", "pmcid"):
            digits = value.upper().removeprefix("PMC")
            if digits.isascii() and digits.isdigit():
                ids.setdefault("pmc", f"PMC{digits}")
        elif kind in ("pmid", "doi"):
            ids.setdefault(kind, value)
    return ids


def _year(meta: etree._Element) -> int | None:
    dates = meta.findall("pub-date")
    ranked = sorted(dates, key=lambda d: next(
        (i for i, kind in enumerate(_DATE_TYPES)
         if kind in (d.get("pub-type"), d.get("date-type"))), len(_DATE_TYPES)))
    for date in ranked:
        year = _number(date.findtext("year") or "")
        if year is not None:
            return year
    return None


def _authors(meta: etree._Element) -> list[str]:
    """Authors as PubMed names them: surname and initials, or a group's name."""
    authors: list[str] = []
    for contrib in meta.iterfind("contrib-group/contrib"):
        if contrib.get("contrib-type", "author") != "author":
            continue
        name = contrib.find("name")
        if name is None:
            name = contrib.find("name-alternatives/name")
        if name is not None:
            given = normalize_space(name.findtext("given-names") or "")
            initials = "".join(part[0] for part in re.split(r"[\s.-]+", given) if part)
            full = " ".join(p for p in (normalize_space(name.findtext("surname") or ""),
                                        initials) if p)
        else:
            full = _text(contrib.find("collab")) or _text(contrib.find("string-name"))
        if full:
            authors.append(full)
    return authors


def _publication_types(article: etree._Element, meta: etree._Element, title: str,
                       abstract: str) -> list[str]:
    kind = (article.get("article-type") or "").lower()
    subjects = " ".join(_text(s) for s in meta.iterfind("article-categories//subject"))
    says_systematic = bool(_SAYS_SYSTEMATIC.search(f"{title} {subjects} {abstract[:1500]}"))
    if kind == "review-article" and says_systematic:
        return ["Systematic Review", "Review"]
    found = PUBLICATION_TYPES.get(kind)
    return [found] if found else ["Journal Article"]


def _retracted(meta: etree._Element) -> bool:
    """Whether the article links to its retraction notice (JATS4R's "retraction-forward")."""
    return any(r.get("related-article-type") in ("retraction-forward", "retracted-by")
               for r in meta.iter("related-article"))


# -- body and abstract into blocks ---------------------------------------------------------------

def _items(element: etree._Element) -> tuple[ListItem, ...]:
    items: list[ListItem] = []
    for item in element:
        if _tag(item) != "list-item":
            continue
        # A nested list sits in the item, or in one of its paragraphs.
        nested = [c for c in item if _tag(c) == "list"] + [
            c for p in item if _tag(p) == "p" for c in p if _tag(c) == "list"]
        text = _text(item, skip=frozenset({"list", "label"}) | _FLOATS)
        items.append(ListItem(text, tuple(i for n in nested for i in _items(n))))
    return tuple(items)


def _caption(element: etree._Element, kind: str) -> str:
    """A figure's or table's label and caption as one line: "Table 2: Outcomes at 12 weeks"."""
    label = _text(element.find("label")).rstrip(".:")
    caption = _text(element.find("caption"))
    if label and caption:
        return f"{label}: {caption}"
    return caption or (label if label and label.lower() != kind else "")


def _float_blocks(element: etree._Element, out: list[Block]) -> None:
    tag = _tag(element)
    if tag in ("fig-group", "table-wrap-group"):
        caption = _caption(element, "")
        if caption:
            out.append(Paragraph(caption))
        for child in element:
            if _tag(child) in ("fig", "table-wrap"):
                _float_blocks(child, out)
        return
    caption = _caption(element, "figure" if tag == "fig" else "table")
    if caption:
        out.append(Paragraph(caption))
    if tag == "table-wrap":
        for table in element.iter("table"):
            out.append(html_table(table)[1])


def _def_list(element: etree._Element, out: list[Block]) -> None:
    for item in element.iter("def-item"):
        term, definition = _text(item.find("term")), _text(item.find("def"))
        line = f"{term}: {definition}" if term and definition else term or definition
        if line:
            out.append(Paragraph(line))


def _content_blocks(container: etree._Element, level: int, out: list[Block],
                    heading: Heading | None = None) -> None:
    """The blocks of a section's (or abstract's, or body's) content, in order; a nested
    <sec> is a heading one level down. `heading` is the container's own, said again when
    its content goes on after a nested section."""
    after_section = False

    def add(block: Block) -> None:
        nonlocal after_section
        if after_section and heading is not None:
            out.append(heading)  # back under the container's heading
        after_section = False
        out.append(block)

    for child in container:
        tag = _tag(child)
        if tag == "sec":
            if (child.get("sec-type") or "").lower() in _SKIPPED_SECTIONS:
                continue
            title = _text(child.find("title")) or _text(child.find("label"))
            if title:
                own = Heading(level, title)
                out.append(own)
                _content_blocks(child, level + 1, out, own)
            else:  # an untitled section belongs to its container's heading
                if after_section and heading is not None:
                    out.append(heading)
                _content_blocks(child, level, out, heading)
            after_section = True
        elif tag in ("title", "label", "caption"):
            continue  # the container's own heading or caption, read by its reader
        elif tag == "p":
            text = _text(child, skip=_INNER_BLOCKS)
            if text:
                add(Paragraph(text))
            for inner in child:
                if _tag(inner) in _INNER_BLOCKS:
                    _inner_block(inner, level, add)
        elif tag in _INNER_BLOCKS:
            _inner_block(child, level, add)
        elif tag and any(_tag(c) in ("p", "sec", "list") for c in child):
            _content_blocks(child, level, out, heading)  # a container of blocks
        elif tag:
            text = _text(child)
            if text:
                add(Paragraph(text))


def _inner_block(element: etree._Element, level: int, add: Callable[[Block], None]) -> None:
    """A list, float, definition list or box inside a section or paragraph."""
    blocks: list[Block] = []
    tag = _tag(element)
    if tag == "list":
        items = _items(element)
        if items:
            blocks.append(ItemList(items))
    elif tag in _FLOATS:
        _float_blocks(element, blocks)
    elif tag == "def-list":
        _def_list(element, blocks)
    elif tag == "alternatives":  # the same content several ways: the first that is text
        first = next((c for c in element if _tag(c) in _INNER_BLOCKS | {"table"}), None)
        if first is not None and _tag(first) == "table":
            blocks.append(html_table(first)[1])
        elif first is not None:
            _inner_block(first, level, blocks.append)
    elif tag != "graphic":  # a box or quote: its caption, then its content
        title = _text(element.find("caption")) or _text(element.find("title"))
        if title:
            blocks.append(Paragraph(title))
        _content_blocks(element, level, blocks)
    for block in blocks:
        add(block)


def _labelled(sections: list[GuidanceSection], upper: bool = False) -> list[DocumentSection]:
    return [DocumentSection(label=HEADING_SEPARATOR.join(s.heading_path).upper() if upper
                            else HEADING_SEPARATOR.join(s.heading_path),
                            text="\n".join(s.lines))
            for s in sections if s.lines]


def _abstract(meta: etree._Element) -> list[DocumentSection]:
    """The abstract's sections, labelled as PubMed labels them (BACKGROUND, RESULTS …)."""
    for abstract in meta.findall("abstract"):
        if (abstract.get("abstract-type") or "").lower() in _SKIPPED_ABSTRACTS:
            continue
        blocks: list[Block] = []
        _content_blocks(abstract, 2, blocks)
        blocks = [Heading(b.level, b.text.rstrip(".:")) if isinstance(b, Heading) else b
                  for b in blocks]
        _, sections = sections_of(blocks)
        return _labelled(sections, upper=True)
    return []


def _body(article: etree._Element) -> list[DocumentSection]:
    blocks: list[Block] = []
    body = article.find("body")
    if body is not None:
        _content_blocks(body, 2, blocks)  # level 1 is the title, which the front holds
    floats = article.find("floats-group")
    if floats is not None:
        # Figures and tables set apart from the text: each is a section named by its label.
        for element in floats:
            if _tag(element) in _FLOATS:
                label = _text(element.find("label")).rstrip(".:") or (
                    "Figure" if _tag(element).startswith("fig") else "Table")
                blocks.append(Heading(2, label))
                _float_blocks(element, blocks)
    _, sections = sections_of(blocks)
    return _labelled(sections)


def _url(ids: dict[str, str]) -> str | None:
    if "pmc" in ids:
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{ids['pmc']}/"
    if "doi" in ids:
        return f"https://doi.org/{ids['doi']}"
    if "pmid" in ids and ids["pmid"].isascii() and ids["pmid"].isdigit():
        return f"https://pubmed.ncbi.nlm.nih.gov/{ids['pmid']}/"
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "article"


def jats_document(article: etree._Element, path: Path, number: int) -> Document:
    """The document of one <article>; raises ValueError when it is not one Curbside can use."""
    meta = article.find("front/article-meta")
    if meta is None:
        raise ValueError("no <front>/<article-meta>, so not a JATS article")
    _clean(article)
    ids = _ids(meta)
    title = _text(meta.find("title-group/article-title"))
    abstract = _abstract(meta)
    sections = abstract + _body(article)
    if not sections:
        raise ValueError("the article holds no text (no abstract or body)")
    journal_meta = article.find("front/journal-meta")
    journal = None
    if journal_meta is not None:
        journal = (_text(journal_meta.find("journal-title-group/journal-title"))
                   or _text(journal_meta.find("journal-title"))
                   or _text(journal_meta.find("journal-title-group/abbrev-journal-title"))
                   or None)
    if "pmc" in ids:
        doc_id = f"{SOURCE}:{ids['pmc']}"
    elif "doi" in ids:
        doc_id = f"doi:{ids['doi']}"
    else:  # a publisher's file without identifiers: named by where it lies, as guidelines are
        doc_id = f"local:{_slug(path.parent.name)}/{_slug(path.stem)}" + (
            f"/{number}" if number > 1 else "")
    return Document(
        id=doc_id,
        source=SOURCE,
        title=title or f"PMC article {ids.get('pmc') or ids.get('doi') or path.name}",
        sections=sections,
        journal=journal,
        year=_year(meta),
        publication_types=_publication_types(article, meta, title,
                                             " ".join(s.text for s in abstract)),
        authors=_authors(meta),
        doi=ids.get("doi"),
        pmid=ids.get("pmid"),
        pmcid=ids.get("pmc"),
        url=_url(ids),
        retracted=_retracted(meta),
    )


def _name(article: etree._Element, number: int) -> str:
    """How a problem names an article: its PMCID or DOI, else its place in the file."""
    meta = article.find("front/article-meta")
    try:
        ids = _ids(meta) if meta is not None else {}
    except (ValueError, UnicodeError):  # text lxml recovered from damaged bytes
        ids = {}
    return f"article {number}" + (f" ({ids.get('pmc') or ids.get('doi')})"
                                  if ids.get("pmc") or ids.get("doi") else "")


def _iterparse(stream: IO[bytes]) -> etree.iterparse:
    # JATS files name their DTD; it is neither fetched nor needed to read them.
    return etree.iterparse(stream, events=("end",), tag=("article",), load_dtd=False,
                           no_network=True, resolve_entities=False, huge_tree=True)


@guarded
def read_jats(path: Path) -> Iterator[Record]:
    """The documents of a JATS file: one <article>, or a <pmc-articleset> of them. A damaged
    article is a problem naming it; the articles before damage in the XML are kept."""
    where = str(path)
    try:
        opening, whole = head(path, 4096)
        if whole and not opening.strip():
            yield RecordProblem(where, "the file is empty; save the article's XML again and "
                                "ingest it")
            return
        stream = open_maybe_gzip(path)
    except OSError as error:
        yield RecordProblem(where, f"cannot read the file ({error.strerror}); check that it "
                            "exists and can be read")
        return
    number = 0
    with stream:
        try:
            for _, article in _iterparse(stream):
                number += 1
                try:
                    yield jats_document(article, path, number)
                except Exception as error:  # one unreadable article never ends the file
                    message = str(error).splitlines()[0][:200] if str(error) else ""
                    yield RecordProblem(f"{where} {_name(article, number)}",
                                        f"skipped: {message or type(error).__name__}; fix the "
                                        "article (or re-download it) and ingest the file again")
                _free(article)
        except etree.XMLSyntaxError as error:
            kept = f"the {number:,} articles before it were read; " if number else ""
            yield RecordProblem(where, f"malformed XML at line {error.lineno}: "
                                f"{normalize_space(error.msg)}; "
                                f"{kept}{_FIX}")
            return
        except (OSError, EOFError, zlib.error) as error:
            yield RecordProblem(where, f"the file is damaged or truncated ({error}); {_FIX}")
            return
    if not number:
        root = xml_root(path) or "?"
        yield RecordProblem(where, f"no <article> in the file (its root is <{root}>), so it is "
                            "not PMC JATS XML (an .nxml article, or efetch db=pmc output); save "
                            "the article's XML again and ingest it")
