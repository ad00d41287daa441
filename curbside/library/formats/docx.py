"""Word guidelines and protocols (.docx), read with python-docx.

The body is read in document order, paragraphs and tables alike, so a table stays between the
headings it was written under. Paragraph styles "Title" and "Heading 1".."Heading 9" make the
section path (the Title, else the first Heading 1, is the document's title); list paragraphs
("List Bullet", "List Number 2", or any paragraph with numbering) are list items, nested by
their level; every other paragraph is a line, and each table row is a line, its cells joined
as the Markdown and HTML readers join them. Headers, footers, comments and a table of contents
are not the guideline's text and are left out.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph
from lxml import etree

from curbside.library.formats import Record, RecordProblem, guarded
from curbside.library.formats.guidance import (
    GuidanceMetadata,
    GuidanceSection,
    guidance_document,
    read_sidecar,
)
from curbside.library.formats.html import (
    Block,
    Heading,
    ItemList,
    ListItem,
    Paragraph,
    Table,
    sections_of,
)
from curbside.text import normalize_space

SUFFIXES = (".docx",)
MAIN_PART = "word/document.xml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NAMESPACES = {"w": _W, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
# A run's text, tabs and line breaks; not the text of a drawing or text box anchored in it
# (Word writes a text box twice, once as a fallback), nor deleted text (w:delText).
_TEXT_XPATH = etree.XPath(
    "(.//w:t | .//w:tab | .//w:br | .//w:cr)[not(ancestor::w:drawing or ancestor::w:pict "
    "or ancestor::mc:AlternateContent or ancestor::w:txbxContent)]",
    namespaces=_NAMESPACES)
# Compiled with their namespaces: python-docx's own `xpath` takes no namespace argument.
_LEVEL_XPATH = etree.XPath("./w:pPr/w:numPr/w:ilvl/@w:val", namespaces=_NAMESPACES)
_NUMBERING_XPATH = etree.XPath("./w:pPr/w:numPr/w:numId/@w:val", namespaces=_NAMESPACES)
_REPEATED_HEADER_XPATH = etree.XPath("./w:trPr/w:tblHeader", namespaces=_NAMESPACES)
_TEXT_RUNS_XPATH = etree.XPath(".//w:r[w:t]", namespaces=_NAMESPACES)
_BOLD_XPATH = etree.XPath("./w:rPr/w:b[not(@w:val) or @w:val='1' or @w:val='true' "
                          "or @w:val='on']", namespaces=_NAMESPACES)
_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list\b\D*(\d)?", re.IGNORECASE)
_TOC_STYLE = re.compile(r"^toc\b", re.IGNORECASE)
_SAVE_AS_DOCX = ("open it in Word or LibreOffice, save it as a Word document (.docx) and "
                 "ingest it again")


def _elements(found: object) -> list[etree._Element]:
    """The elements an XPath query found (its result's type is any XPath value)."""
    return [n for n in found if isinstance(n, etree._Element)] if isinstance(found, list) else []


def _paragraph_text(paragraph: WordParagraph) -> str:
    # python-docx's `Paragraph.text` leaves out tracked insertions and fields: their text is
    # read here too, so a protocol with unaccepted changes still says everything it shows.
    parts: list[str] = []
    for node in _elements(_TEXT_XPATH(paragraph._p)):  # `_p`: no python-docx API reads this
        parts.append((node.text or "") if etree.QName(node).localname == "t" else " ")
    return normalize_space("".join(parts))


def _style_name(paragraph: WordParagraph) -> str:
    style = paragraph.style
    return (style.name or "") if style is not None else ""


def _numbering(paragraph: WordParagraph) -> str:
    """The numbering a paragraph's own properties give it ('' when none)."""
    found = _NUMBERING_XPATH(paragraph._p)
    return str(found[0]) if isinstance(found, list) and found else ""


def _list_identity(paragraph: WordParagraph, style: str) -> str:
    """Which list a paragraph belongs to: its numbering, else its list style without the level
    ("List Bullet 2" is in a "List Bullet" list); a new one at the outer level starts a list."""
    return _numbering(paragraph) or re.sub(r"\s*\d+$", "", style)


def _list_level(paragraph: WordParagraph, style: str) -> int | None:
    """The nesting level (0 for the outermost) of a list paragraph, None for any other."""
    found = _LEVEL_XPATH(paragraph._p)
    levels = found if isinstance(found, list) else []
    if levels:
        try:
            return max(0, min(int(str(levels[0])), 8))
        except ValueError:
            return 0
    if _numbering(paragraph):
        return 0
    listed = _LIST_STYLE.match(style)
    if listed:  # "List Bullet 2" is the second level
        return int(listed.group(1)) - 1 if listed.group(1) else 0
    return None


def _nest(entries: list[tuple[int, str]]) -> tuple[ListItem, ...]:
    """List items from (level, text) in order: an item holds the deeper items after it."""
    items: list[ListItem] = []
    index = 0
    while index < len(entries):
        level, text = entries[index]
        end = index + 1
        while end < len(entries) and entries[end][0] > level:
            end += 1
        items.append(ListItem(text, _nest(entries[index + 1:end])))
        index = end
    return tuple(items)


def _is_header_row(cells: list[str], row_xml: etree._Element) -> bool:
    """A header row is one Word repeats on each page, or one whose text is all bold."""
    if _elements(_REPEATED_HEADER_XPATH(row_xml)):
        return True
    if not any(cells):
        return False
    runs = _elements(_TEXT_RUNS_XPATH(row_xml))
    return bool(runs) and all(_elements(_BOLD_XPATH(run)) for run in runs)


def _table(table: WordTable) -> Table:
    header: list[str] = []
    rows: list[tuple[str, ...]] = []
    columns: list[tuple[int, ...]] = []
    for number, row in enumerate(table.rows):
        # A cell merged across columns comes back once per column: kept once, at its first.
        cells: list[str] = []
        starts: list[int] = []
        previous = None
        for column, cell in enumerate(row.cells):
            if cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(normalize_space(" ".join(_paragraph_text(p) for p in cell.paragraphs)))
            starts.append(column)
        if number == 0 and _is_header_row(cells, row._tr):
            header = [""] * len(row.cells)
            for column, text in zip(starts, cells, strict=True):
                header[column] = text
            continue
        rows.append(tuple(cells))
        columns.append(tuple(starts))
    return Table(tuple(rows), tuple(header), tuple(columns))


def docx_blocks(document: docx.document.Document) -> list[Block]:
    """The blocks of a Word document's body, in document order."""
    blocks: list[Block] = []
    entries: list[tuple[int, str]] = []  # the list being read: (level, text) per item
    identity = ""  # which list that is

    def end_list() -> None:
        if entries:
            blocks.append(ItemList(_nest(entries)))
            entries.clear()

    for content in document.iter_inner_content():
        if isinstance(content, WordTable):
            end_list()
            blocks.append(_table(content))
            continue
        style = _style_name(content)
        if _TOC_STYLE.match(style):
            continue  # a table of contents repeats the headings
        text = _paragraph_text(content)
        heading = _HEADING_STYLE.match(style)
        level = None if heading or style == "Title" else _list_level(content, style)
        if level is not None:
            if level == 0 and entries and _list_identity(content, style) != identity:
                end_list()  # a bullet list, then a numbered one: two lists, as in Markdown
            if not entries:
                identity = _list_identity(content, style)
            if text:
                entries.append((level, text))
            continue
        if not text:
            continue  # an empty paragraph is spacing; it does not end a list
        end_list()
        if style == "Title":
            blocks.append(Heading(0, text))
        elif heading:
            blocks.append(Heading(int(heading.group(1)), text))
        else:
            blocks.append(Paragraph(text))
    end_list()
    return blocks


def _not_docx(path: Path, error: Exception) -> str:
    """What is wrong with a file named .docx that python-docx cannot open."""
    if path.stat().st_size == 0:
        return f"skipped: the file is empty; {_SAVE_AS_DOCX}"
    if not zipfile.is_zipfile(path):
        return ("skipped: not a Word document: a .docx is a zip package and this file is not "
                f"one (an old .doc, a password-protected or damaged file?); {_SAVE_AS_DOCX}")
    try:
        with zipfile.ZipFile(path) as package:
            has_body = MAIN_PART in package.namelist()
    except (zipfile.BadZipFile, OSError):
        has_body = False
    if not has_body:
        return (f"skipped: a zip package without {MAIN_PART}, so not a Word document; "
                f"{_SAVE_AS_DOCX}")
    reason = normalize_space(str(error))[:200] or type(error).__name__
    return f"skipped: a damaged Word document ({reason}); {_SAVE_AS_DOCX}"


def parse_docx(path: Path) -> tuple[str, list[GuidanceSection]]:
    """The title and the sections of a Word document."""
    return sections_of(docx_blocks(docx.Document(str(path))))


@guarded
def read_docx(path: Path, metadata: GuidanceMetadata | None = None) -> Iterator[Record]:
    """One guidance document from a Word file (its sidecar metadata unless given)."""
    try:
        title, sections = parse_docx(path)
    except OSError as error:
        yield RecordProblem(str(path), f"cannot read the file ({error}); check that it exists "
                            "and can be read")
        return
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError,
            etree.XMLSyntaxError) as error:
        yield RecordProblem(str(path), _not_docx(path, error))
        return
    try:
        meta = metadata if metadata is not None else read_sidecar(path)
        yield guidance_document(path, title, sections, meta)
    except ValueError as error:  # a SidecarError, or a document with no text
        yield RecordProblem(str(path), f"skipped: {error}")
