"""HTML guidelines and protocols (a guideline page saved from a website or an intranet), parsed
with lxml.html.

The page is read the way the Markdown reader reads its text: headings h1–h6 become the section
path (the first h1 is the title, else the page's <title>), and each paragraph, list item and
table row becomes one line of its section, its whitespace normalised and nothing else changed.
A nested list item is introduced by its parent lead-in, a list's items by a paragraph before it
that ends in a colon, and a table row's cells are labelled by the header cells, all as in
`markdown.py`. The page's boilerplate (navigation, menus, cookie banners, footers, scripts and
forms) is dropped first, so no line quotes it. Code blocks (<pre>) are left out, as the
Markdown reader leaves out its code blocks.

The blocks (`Heading`, `Paragraph`, `ItemList`, `Table`) and `sections_of` are shared with the
DOCX reader, which turns a Word document into the same blocks.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

from curbside.library.formats import Record, RecordProblem, guarded
from curbside.library.formats.guidance import (
    GuidanceMetadata,
    GuidanceSection,
    SectionCollector,
    guidance_bytes,
    guidance_document,
    read_sidecar,
)
from curbside.library.formats.markdown import is_lead_in
from curbside.library.formats.sniff import BOM, html_problem
from curbside.text import normalize_space

SUFFIXES = (".html", ".htm")

# Elements that are never the guideline's own text.
BOILERPLATE_TAGS = frozenset({"script", "style", "nav", "header", "footer", "aside", "form",
                              "noscript", "template", "iframe", "svg", "button", "select",
                              "menu"})
# A class or id word that names site chrome: "main-nav", "navbar", "breadcrumbs", "cookie-banner".
BOILERPLATE_WORD = re.compile(r"^(nav|menu|breadcrumb|cookie|footer|sidebar)")
# Never dropped for their class or id: a page's whole content often sits in an element whose
# class says only how it is laid out ("page-with-sidebar").
CONTENT_TAGS = frozenset({"html", "body", "main", "article"})
HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
PARAGRAPH_TAGS = frozenset({"p", "dt", "dd", "figcaption", "address", "summary", "legend"})
LIST_TAGS = frozenset({"ul", "ol"})
# Elements whose content is laid out as blocks: text around them is a paragraph of its own.
BLOCK_TAGS = frozenset({"div", "section", "article", "main", "body", "blockquote", "figure",
                        "details", "dl", "fieldset", "center", "li", "table", "tr", "td", "th",
                        "thead", "tbody", "tfoot", "caption", "hr", "br", "pre"}
                       | set(HEADING_TAGS) | PARAGRAPH_TAGS | LIST_TAGS)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
                          re.IGNORECASE)


# -- blocks: what a structured document is made of, whatever its format -------------------------

@dataclass(frozen=True)
class Heading:
    level: int  # 1–9; 0 for a Word document's Title paragraph
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class ListItem:
    text: str  # the item's own text, without its nested items
    children: tuple[ListItem, ...] = ()


@dataclass(frozen=True)
class ItemList:
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]  # body rows, one text per column (a spanned cell once)
    header: tuple[str, ...] = ()  # a label per column, empty when the table has no header row
    columns: tuple[tuple[int, ...], ...] = ()  # each body cell's first column


Block = Heading | Paragraph | ItemList | Table


def _list_lines(items: Iterable[ListItem], lead: str = "") -> Iterator[str]:
    """Lines of a list, each item after its lead-in, by the Markdown reader's rules."""
    for item in items:
        text = item.text
        # "Drug B: Indication: …" after a lead-in that ends in a colon; after one that is a
        # line of its own ("Ipratropium: add in severe attacks"), a dash keeps the two apart.
        joint = " " if lead.endswith(":") else " — "
        line = f"{lead}{joint}{text}".strip() if lead and text else text
        introduces = bool(text) and is_lead_in(text)
        # A lead-in with items below it is said by each of them, not again on its own.
        if line and not (item.children and introduces):
            yield line
        if item.children:
            yield from _list_lines(item.children, line if introduces else lead)


def _table_lines(table: Table) -> Iterator[str]:
    """A line per body row: two cells as "label: value", more as "first — header: cell; …"."""
    for number, cells in enumerate(table.rows):
        if not any(cells):
            continue
        if len(cells) == 2:
            yield f"{cells[0]}: {cells[1]}" if cells[0] else cells[1]
            continue
        starts = table.columns[number] if number < len(table.columns) else range(len(cells))
        labelled = []
        for column, cell in zip(starts[1:], cells[1:], strict=False):
            label = table.header[column] if column < len(table.header) else ""
            if cell:
                labelled.append(f"{label}: {cell}" if label else cell)
        rest = "; ".join(labelled)
        if cells[0] and rest:
            yield f"{cells[0]} — {rest}"
        else:
            yield cells[0] or rest


def sections_of(blocks: list[Block]) -> tuple[str, list[GuidanceSection]]:
    """The title (a Title paragraph, else the first level-1 heading) and the sections of a
    document's blocks; a paragraph ending in a colon before a list introduces its items."""
    collected = SectionCollector()
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        before = blocks[index - 1] if index else None
        if isinstance(block, Heading):
            if block.text:  # an empty heading (a blank "Heading 2" line) names nothing
                collected.heading(max(block.level, 1), block.text)
        elif isinstance(block, Paragraph):
            if block.text and not (block.text.endswith(":") and isinstance(following, ItemList)):
                collected.add([block.text])
        elif isinstance(block, ItemList):
            lead = before.text if isinstance(before, Paragraph) and before.text.endswith(":") \
                else ""
            collected.add(_list_lines(block.items, lead))
        else:
            collected.add(_table_lines(block))
    return collected.finish()


# -- HTML into blocks ----------------------------------------------------------------------------

def _tag(element: etree._Element) -> str:
    """The element's lower-case tag; '' for a comment or processing instruction."""
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _is_boilerplate(element: etree._Element) -> bool:
    tag = _tag(element)
    if not tag or tag in CONTENT_TAGS:
        return False
    if tag in BOILERPLATE_TAGS or element.get("role") == "navigation":
        return True
    words = re.split(r"[^a-z0-9]+", f"{element.get('class', '')} {element.get('id', '')}".lower())
    return any(BOILERPLATE_WORD.match(word) for word in words)


def _drop_boilerplate(root: etree._Element) -> None:
    # Listed first and removed after: removing while iterating would skip elements.
    doomed = [e for e in root.iter() if _is_boilerplate(e)]
    for element in doomed:
        if isinstance(element, lxml.html.HtmlMixin):
            element.drop_tree()  # keeps the tail text, which belongs to the parent


def _raw_text(element: etree._Element, skip: frozenset[str] = frozenset()) -> str:
    """The element's text as written, with a space where blocks meet (cells of a row, items of
    a list, a line break), so no two words run together; `skip` leaves out the children with
    those tags (a list item's nested lists)."""
    parts: list[str] = []

    def collect(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = _tag(child)
            if tag and tag not in skip:
                block = tag in BLOCK_TAGS
                if block:
                    parts.append(" ")
                collect(child)
                if block:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    collect(element)
    return "".join(parts)


def _text(element: etree._Element, skip: frozenset[str] = frozenset()) -> str:
    """The element's text (see `_raw_text`), whitespace normalised."""
    return normalize_space(_raw_text(element, skip))


def _list_items(element: etree._Element) -> tuple[ListItem, ...]:
    items: list[ListItem] = []
    for child in element:
        if _tag(child) == "li":
            nested = [c for c in child if _tag(c) in LIST_TAGS]
            items.append(ListItem(_text(child, skip=LIST_TAGS),
                                  tuple(i for n in nested for i in _list_items(n))))
        elif _tag(child) in LIST_TAGS:  # a list nested without its <li>, as some editors write
            items.extend(_list_items(child))
    return tuple(items)


def _span(cell: etree._Element) -> int:
    try:
        return max(1, min(int(cell.get("colspan", "1")), 1000))
    except ValueError:
        return 1


def _table(element: etree._Element) -> tuple[str, Table]:
    """The caption and the rows of a table (not those of tables nested in its cells)."""
    caption = ""
    rows: list[tuple[bool, list[etree._Element]]] = []  # (in <thead>, cells)
    for child in element:
        tag = _tag(child)
        if tag == "caption":
            caption = _text(child)
        elif tag == "tr":
            rows.append((False, [c for c in child if _tag(c) in ("td", "th")]))
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend((tag == "thead", [c for c in row if _tag(c) in ("td", "th")])
                        for row in child if _tag(row) == "tr")
    header: list[str] = []
    body: list[list[etree._Element]] = []
    for in_head, cells in rows:
        if not cells:
            continue
        is_header = in_head or all(_tag(c) == "th" for c in cells)
        if is_header and not header and not body:
            for cell in cells:  # a header cell spanning columns labels each of them
                header.extend([_text(cell)] * _span(cell))
        else:
            body.append(cells)
    texts: list[tuple[str, ...]] = []
    columns: list[tuple[int, ...]] = []
    for cells in body:
        texts.append(tuple(_text(c) for c in cells))
        starts, column = [], 0
        for cell in cells:
            starts.append(column)
            column += _span(cell)
        columns.append(tuple(starts))
    return caption, Table(tuple(texts), tuple(header), tuple(columns))


def _has_blocks(element: etree._Element) -> bool:
    return any(_tag(d) in BLOCK_TAGS for d in element.iterdescendants())


def html_blocks(element: etree._Element, out: list[Block]) -> None:
    """The blocks of an element's content, in document order. Text that sits between blocks
    (a <div>'s own text, not in a <p>) is a paragraph of its own."""
    loose: list[str] = []

    def flush() -> None:
        text = normalize_space("".join(loose))
        if text:
            out.append(Paragraph(text))
        loose.clear()

    if element.text:
        loose.append(element.text)
    for child in element:
        tag = _tag(child)
        if tag in HEADING_TAGS:
            flush()
            out.append(Heading(HEADING_TAGS[tag], _text(child)))
        elif tag in PARAGRAPH_TAGS:
            flush()
            out.append(Paragraph(_text(child)))
        elif tag in LIST_TAGS:
            flush()
            out.append(ItemList(_list_items(child)))
        elif tag == "table":
            flush()
            caption, table = _table(child)
            if caption:
                out.append(Paragraph(caption))
            out.append(table)
        elif tag == "pre":
            flush()  # a code block or ASCII flow chart: not text a statement can quote
        elif tag in ("hr", "br"):
            # A line break is a space within a paragraph, as the Markdown reader reads it; a
            # rule ends the paragraph.
            if tag == "hr":
                flush()
            else:
                loose.append(" ")
        elif tag and (tag in BLOCK_TAGS or _has_blocks(child)):
            flush()  # a container, or an inline element wrapped around blocks
            html_blocks(child, out)
        elif tag:
            loose.append(_raw_text(child))  # inline: its spacing joins the text around it
        if child.tail:
            loose.append(child.tail)
    flush()


def _encoding(data: bytes) -> str:
    """The page's encoding: its byte-order mark, else its <meta charset>, else UTF-8 when the
    bytes are UTF-8, else Windows-1252 (what older pages without a declaration are)."""
    if data.startswith(BOM):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            pass  # a charset Python does not know: guessed below like an undeclared one
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def parse_html(data: bytes) -> tuple[str, list[GuidanceSection]]:
    """The title (first h1, else <title>) and the sections of an HTML page's bytes."""
    # Decoded here, not by lxml, which takes undeclared bytes for Latin-1.
    text = _XML_DECLARATION.sub("", data.decode(_encoding(data), "replace"), count=1)
    if not text.strip():
        return "", []
    root = lxml.html.document_fromstring(text)
    page_title = normalize_space(root.findtext(".//title") or "")
    _drop_boilerplate(root)
    body = root.find("body")
    blocks: list[Block] = []
    html_blocks(root if body is None else body, blocks)
    title, sections = sections_of(blocks)
    return title or page_title, sections


@guarded
def read_html(path: Path, metadata: GuidanceMetadata | None = None) -> Iterator[Record]:
    """One guidance document from an HTML page (its sidecar metadata unless given)."""
    data = guidance_bytes(path, html_problem)
    if isinstance(data, RecordProblem):
        yield data
        return
    try:
        meta = metadata if metadata is not None else read_sidecar(path)
        title, sections = parse_html(data)
        yield guidance_document(path, title, sections, meta)
    except (ValueError, etree.ParserError) as error:  # a SidecarError, or a page with no text
        yield RecordProblem(str(path), f"skipped: {error}")
