"""PDF guidelines and protocols, read with pypdf.

A PDF holds positioned text, not structure, so the structure is recovered from how the text is
set and turned into the blocks the HTML and Word readers make (`html.Heading`, `Paragraph`,
`ItemList`), read into sections by the same `sections_of`:

- Headings come from the PDF's outline (its bookmarks) when it has one: each bookmark is found
  among its page's lines, and its depth is its level. Without an outline, a line set larger
  than the body text, a short line set wholly in bold, or a numbered line such as
  "1.3 Antibiotic choice" is a heading: numbered ones take their level from their number,
  others from their type size. The largest line at the top of the first page is the title.
- Lines are joined into paragraphs across line breaks (a word hyphenated at a line's end is
  joined again); a gap, a first-line indent, or a short line that ends a sentence ends one.
- A line starting with a bullet ("•", "-", "–") or a number or letter ("1.", "a)") starts a
  list item; items nest by how far their markers are indented.
- Running headers and footers (a line in the top or bottom tenth of the page repeated on many
  pages, its numbers aside), page numbers and a table of contents are dropped.

Tables are read as the lines pypdf gives for them. A PDF without text (a scan), one locked with
a password, or a damaged or truncated one is a problem that says what to do.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import re
import statistics
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader, mult
from pypdf.errors import DependencyError
from pypdf.generic import Destination

from curbside.library.formats import Record, RecordProblem, guarded
from curbside.library.formats.docx import _nest as nest_items  # the Word reader's list nesting
from curbside.library.formats.guidance import (
    GuidanceMetadata,
    GuidanceSection,
    guidance_bytes,
    guidance_document,
    read_sidecar,
)
from curbside.library.formats.html import Block, Heading, ItemList, Paragraph, sections_of
from curbside.library.formats.sniff import pdf_problem
from curbside.text import normalize_space

SUFFIXES = (".pdf",)

# A heading is set at least this much larger than the body text (or bold, or numbered).
HEADING_SIZE_RATIO = 1.12
HEADING_MAX_WORDS = 18
# Running headers and footers sit in this share of the page's height at its top or bottom,
# and repeat on at least this share of the pages (and on two at least).
MARGIN_SHARE = 0.1
RUNNING_SHARE = 0.3
# A gap between lines this many times the usual line spacing ends a paragraph.
PARAGRAPH_GAP = 1.45
# A line this much shorter than a full line that ends a sentence ends its paragraph.
SHORT_LINE = 0.8

_SAVE_AGAIN = "export or download the PDF again and ingest it again"
_OCR = ("run OCR on it first (for example `ocrmypdf FILE.pdf FILE-ocr.pdf`) and ingest the "
        "OCR'd copy")
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
# A list item's marker: a bullet or dash, or a number, letter or roman numeral with "." or ")".
_MARKER = re.compile(r"^(?:[•◦▪▫‣∙·●○■□►▸➢➤✓✔*–—-]|\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})[.)])\s+(?=\S)")
# "1.3 Antibiotic choice", "2. Assessment", "4 Follow-up".
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(?=[A-Z])")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|"
                          r"^[-–—]\s*\d{1,4}\s*[-–—]$|^[ivxlc]{1,6}$", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", ":")
# A table of contents repeats the headings: its lines ("2.1 Dosing . . . . 4") are left out.
_CONTENTS_LINE = re.compile(r"(?:\.\s*){4,}\d{1,4}$|^(?:table of )?contents$", re.IGNORECASE)
_HYPHENATED = re.compile(r"[^\W\d_]-$")


class PdfProblem(ValueError):
    """A PDF whose text cannot be read, with what to do about it."""


@dataclass
class _Line:
    """One line of a page as pypdf extracted it, with how it is set."""

    text: str
    page: int
    x: float | None  # where it starts, in points from the page's left; None when not known
    y: float | None  # its baseline, in points from the page's bottom
    height: float  # the page's height
    size: float  # the type size most of its characters are set in
    bold: bool  # most of its characters are bold


@dataclass
class _Layout:
    """The body text's type size, line spacing and full line length, which the breaks and
    headings are judged against."""

    size: float
    leading: float
    full_line: float


@dataclass(frozen=True)
class _Bookmark:
    level: int
    title: str
    page: int
    top: float | None


@dataclass
class PdfText:
    """What a PDF says: its title, sections, and the pages that could not be read."""

    title: str
    sections: list[GuidanceSection]
    failed_pages: list[int] = field(default_factory=list)  # numbered from 1
    page_error: str = ""


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs each repair it makes to a damaged file; the reader reports the file once."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _reason(error: BaseException) -> str:
    text = normalize_space(str(error))[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# -- pages into lines -----------------------------------------------------------------------------

def _page_lines(reader: PdfReader, number: int) -> list[_Line]:
    """The lines of one page, in pypdf's reading order, each with its position and type."""
    page = reader.pages[number]
    box = page.mediabox
    bottom, height = float(box.bottom), float(box.height)
    lines: list[_Line] = []
    parts: list[str] = []
    sizes: Counter[float] = Counter()
    bold = [0, 0]  # characters set in bold, characters
    where: list[float] = []  # x, y of the line's first text

    def end_line() -> None:
        text = normalize_space("".join(parts).translate(_LIGATURES))
        if text:
            lines.append(_Line(text, number, where[0] if where else None,
                               where[1] - bottom if where else None, height,
                               sizes.most_common(1)[0][0] if sizes else 0.0,
                               bold[0] * 2 > bold[1]))
        parts.clear()
        sizes.clear()
        bold[:] = [0, 0]
        where.clear()

    def visit(text: Any, cm: Any, tm: Any, font: Any, size: Any) -> None:
        for index, piece in enumerate(str(text).split("\n")):
            if index:
                end_line()
            if not piece.strip():
                parts.append(piece)
                continue
            try:
                matrix = mult([float(v) for v in tm], [float(v) for v in cm])
                scale = math.hypot(matrix[2], matrix[3]) or 1.0
                effective = round(abs(float(size)) * scale * 2) / 2
            except (TypeError, ValueError, IndexError):
                matrix, effective = [], 0.0
            if not where and len(matrix) == 6:
                where.extend((matrix[4], matrix[5]))
            name = str(font.get("/BaseFont", "")) if hasattr(font, "get") else ""
            count = len(piece.strip())
            sizes[effective] += count
            bold[1] += count
            if _BOLD_FONT.search(name):
                bold[0] += count
            parts.append(piece)

    page.extract_text(visitor_text=visit)
    end_line()
    return lines


def _in_margin(line: _Line, index: int, count: int) -> bool:
    """Whether a line sits where running headers and footers do: the top or bottom tenth of
    the page, or (its position unknown) among the first or last two lines."""
    if line.y is None or line.height <= 0:
        return index < 2 or index >= count - 2
    share = line.y / line.height
    return share < MARGIN_SHARE or share > 1 - MARGIN_SHARE


def _shape(text: str) -> str:
    """A running header's text with its numbers blanked: "Page 3 of 9" is "page # of #"."""
    return re.sub(r"\d+", "#", text.lower())


def _without_running_lines(pages: list[list[_Line]]) -> list[_Line]:
    """Every page's lines in order, less page numbers, the headers and footers repeated in
    the pages' margins, and a table of contents."""
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_shape(line.text) for index, line in enumerate(lines)
                     if _in_margin(line, index, len(lines))})
    repeated = max(2, math.ceil(RUNNING_SHARE * len(pages)))
    kept: list[_Line] = []
    for lines in pages:
        for index, line in enumerate(lines):
            if _CONTENTS_LINE.search(line.text) or (_in_margin(line, index, len(lines)) and (
                    _PAGE_NUMBER.match(line.text) or seen[_shape(line.text)] >= repeated)):
                continue
            kept.append(line)
    return kept


def _drop(above: _Line, below: _Line) -> float | None:
    """How far the next line's baseline is below this one's, when both are known on a page."""
    if above.page != below.page or above.y is None or below.y is None:
        return None
    return above.y - below.y


def _layout(lines: list[_Line]) -> _Layout:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    size = sizes.most_common(1)[0][0] if sizes else 0.0
    body = [line for line in lines if abs(line.size - size) < 0.6]
    drops = (_drop(above, below) for above, below in itertools.pairwise(body))
    gaps = [gap for gap in drops if gap is not None and 0 < gap < 4 * max(size, 1.0)]
    # Too few lines to tell the usual spacing from a paragraph's: the usual 120 % of the type.
    leading = statistics.median(gaps) if len(gaps) >= 3 else 1.2 * max(size, 1.0)
    lengths = sorted(len(line.text) for line in body) or [80]
    full_line = float(lengths[min(len(lengths) - 1, int(0.8 * len(lengths)))])
    return _Layout(size, leading, full_line)


# -- headings -------------------------------------------------------------------------------------

def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _unnumbered_key(text: str) -> str:
    return _key(_NUMBERED.sub("", text, count=1))


def _bookmarks(reader: PdfReader) -> list[_Bookmark]:
    """The outline's entries in order; a single top entry on the first page is the title
    (level 1), else the top entries are the sections below the title (level 2)."""
    found: list[tuple[int, str, int, float | None]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif isinstance(item, Destination):
                page = reader.get_destination_page_number(item)
                title = normalize_space(str(item.title or ""))
                top = item.get("/Top")
                try:
                    height = float(top) if top is not None else None
                except (TypeError, ValueError):
                    height = None
                if title and page is not None and page >= 0:
                    found.append((depth, title, page, height))

    try:
        walk(list(reader.outline), 0)
    except Exception:  # a damaged outline: the headings are found by their type instead
        return []
    tops = [entry for entry in found if entry[0] == 0]
    offset = 1 if len(tops) == 1 and tops[0][2] == 0 else 2
    return [_Bookmark(min(depth + offset, 9), title, page, top)
            for depth, title, page, top in found]


def _outline_headings(lines: list[_Line], bookmarks: list[_Bookmark]) -> list[Heading | _Line]:
    """The lines with each bookmark's heading in its place: the line (or two) that prints it,
    else the first line below where the bookmark points."""
    by_page: dict[int, list[_Bookmark]] = {}
    for bookmark in bookmarks:
        by_page.setdefault(bookmark.page, []).append(bookmark)
    sequence: list[Heading | _Line] = []
    index = 0
    while index < len(lines):
        page = lines[index].page
        end = index
        while end < len(lines) and lines[end].page == page:
            end += 1
        page_lines = lines[index:end]
        headings: dict[int, tuple[Heading, int]] = {}  # line index -> heading, lines it spans
        placed: dict[int, list[Heading]] = {}  # line index -> headings placed before it
        start = 0
        for bookmark in by_page.get(page, []):
            key = _key(bookmark.title)
            match = None
            for at in range(start, len(page_lines) if key else 0):
                here = page_lines[at].text
                two = here + " " + page_lines[at + 1].text if at + 1 < len(page_lines) else ""
                if key in (_key(here), _unnumbered_key(here)) or \
                        _unnumbered_key(bookmark.title) == _key(here):
                    match = (at, 1, here)
                elif two and key in (_key(two), _unnumbered_key(two)):
                    match = (at, 2, two)
                if match:
                    break
            if match:
                at, span, text = match
                headings[at] = (Heading(bookmark.level, normalize_space(text)), span)
                start = at + span
                continue
            at = start
            if bookmark.top is not None:
                while at < len(page_lines) and (page_lines[at].y or 0.0) > bookmark.top:
                    at += 1
            placed.setdefault(at, []).append(Heading(bookmark.level, bookmark.title))
            start = at
        at = 0
        while at < len(page_lines):
            sequence.extend(placed.get(at, []))
            if at in headings:
                heading, span = headings[at]
                sequence.append(heading)
                at += span
                continue
            sequence.append(page_lines[at])
            at += 1
        sequence.extend(placed.get(len(page_lines), []))
        index = end
    return sequence


def _heading_like(line: _Line, layout: _Layout) -> bool:
    words = line.text.split()
    if not any(c.isalpha() for c in line.text) or len(words) > HEADING_MAX_WORDS:
        return False
    if line.text.endswith((".", ",", ";", ":")):
        return False
    numbered = _NUMBERED.match(line.text)
    if _MARKER.match(line.text) and not numbered:
        return False  # a list item, however it is set
    larger = line.size >= layout.size * HEADING_SIZE_RATIO and line.size > layout.size + 0.5
    if larger:
        return True
    if line.bold and (numbered or len(words) <= 12):
        return True
    # "1.3 Antibiotic choice" in body type; a bare "1. Give …" is a list item.
    return bool(numbered and "." in numbered.group(1).strip(".") and len(words) <= 12)


def _font_headings(lines: list[_Line], layout: _Layout, others: bool = True
                   ) -> list[Heading | _Line]:
    """The lines with headings found by their type: the title, then (unless not `others`)
    numbered and larger or bold lines, a heading set on two lines read as one."""
    sequence: list[Heading | _Line] = []
    title_at: list[int] = []
    first_page = [i for i, line in enumerate(lines[:6]) if line.page == lines[0].page]
    if first_page:
        largest = max(lines[i].size for i in first_page)
        if largest >= layout.size * HEADING_SIZE_RATIO and largest > layout.size + 0.5:
            start = next(i for i in first_page if lines[i].size == largest)
            title_at = [start]
            while (title_at[-1] + 1 < len(lines) and lines[title_at[-1] + 1].size == largest
                   and lines[title_at[-1] + 1].page == lines[start].page):
                title_at.append(title_at[-1] + 1)
    flags = [others and i not in title_at and _heading_like(line, layout)
             for i, line in enumerate(lines)]
    sizes = sorted({lines[i].size for i, flag in enumerate(flags)
                    if flag and not _NUMBERED.match(lines[i].text)}, reverse=True)
    index = 0
    while index < len(lines):
        line = lines[index]
        if title_at and index == title_at[0]:
            sequence.append(Heading(1, " ".join(lines[i].text for i in title_at)))
            index = title_at[-1] + 1
            continue
        if not flags[index]:
            sequence.append(line)
            index += 1
            continue
        text = line.text
        end = index + 1
        # A heading too long for one line goes on at once in the same type, unnumbered.
        while end < len(lines) and flags[end] and lines[end].size == line.size \
                and lines[end].bold == line.bold and not _NUMBERED.match(lines[end].text) \
                and 0 < (_drop(lines[end - 1], lines[end]) or 0.0) <= 1.3 * line.size:
            text += " " + lines[end].text
            end += 1
        numbered = _NUMBERED.match(line.text)
        if numbered:
            level = len(numbered.group(1).strip(".").split(".")) + 1
        else:
            level = 2 + sizes.index(line.size)
        sequence.append(Heading(min(level, 9), normalize_space(text)))
        index = end
    return sequence


# -- lines into paragraphs and lists -------------------------------------------------------------

def _joined(lines: list[str]) -> str:
    """Lines of one paragraph as one text; a word hyphenated across a line break is whole."""
    text = ""
    for line in lines:
        if not text:
            text = line
        elif text.endswith("\u00ad") or (_HYPHENATED.search(text) and line[:1].islower()):
            text = text[:-1] + line
        else:
            text += " " + line
    return normalize_space(text.replace("\u00ad", ""))


def _breaks(above: _Line, below: _Line, layout: _Layout, in_list: bool) -> bool:
    """Whether `below` starts a new paragraph (or list item) rather than going on from `above`."""
    if below.page != above.page:
        return above.text.endswith(_SENTENCE_END)
    if abs(below.size - above.size) > 1.0:
        return True
    gap = _drop(above, below)
    if gap is not None and (gap > PARAGRAPH_GAP * layout.leading or gap < -1.0):
        return True  # a gap, or a new column
    # A first-line indent starts a paragraph; an item's wrapped lines may hang indented.
    if not in_list and above.x is not None and below.x is not None \
            and below.x > above.x + 0.8 * max(below.size, 1.0):
        return True
    return above.text.endswith(_SENTENCE_END) and len(above.text) < SHORT_LINE * layout.full_line


def _list_block(items: list[tuple[float, list[str]]]) -> ItemList:
    """A list from its items' marker positions and lines, nested by the markers' indents."""
    indents: list[float] = []
    for x, _ in items:
        if not any(abs(x - known) < 3.0 for known in indents):
            indents.append(x)
    indents.sort()
    entries = [(next(i for i, known in enumerate(indents) if abs(x - known) < 3.0),
                _joined(texts)) for x, texts in items]
    return ItemList(nest_items(entries))


def pdf_blocks(sequence: list[Heading | _Line], layout: _Layout) -> list[Block]:
    """The headings, paragraphs and lists of a PDF's lines, in order."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[tuple[float, list[str]]] = []  # the open list: marker x, lines of each item
    previous: _Line | None = None

    def flush() -> None:
        if paragraph:
            blocks.append(Paragraph(_joined(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(_list_block(items))
            items.clear()

    for entry in sequence:
        if isinstance(entry, Heading):
            flush()
            blocks.append(entry)
            previous = None
            continue
        marker = _MARKER.match(entry.text)
        if marker:
            if paragraph:
                flush()
            items.append((entry.x or 0.0, [entry.text[marker.end():]]))
        elif previous is not None and (items or paragraph) and \
                not _breaks(previous, entry, layout, in_list=bool(items)):
            (items[-1][1] if items else paragraph).append(entry.text)
        else:
            flush()
            paragraph.append(entry.text)
        previous = entry
    flush()
    return blocks


# -- the file -------------------------------------------------------------------------------------

def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                # Many PDFs are locked against editing only: the empty password opens them.
                opened = reader.decrypt("")
            except DependencyError as error:
                raise PdfProblem("the PDF is encrypted with AES, which needs the cryptography "
                                 "package to read (pip install cryptography); install it, or "
                                 "save an unprotected copy, and ingest it again") from error
            if opened == PasswordType.NOT_DECRYPTED:
                raise PdfProblem(
                    "the PDF is protected by a password, so its text cannot be read; save an "
                    "unprotected copy (for example `qpdf --decrypt --password=PASSWORD in.pdf "
                    "out.pdf`, or print it to PDF) and ingest that")
        if not reader.pages:
            raise PdfProblem(f"the PDF has no pages (it is damaged, or blank); {_SAVE_AGAIN}")
    except PdfProblem:
        raise
    except Exception as error:  # a damaged file raises far more than pypdf's own errors
        raise PdfProblem(f"a damaged PDF ({_reason(error)}); {_SAVE_AGAIN}") from error
    return reader


def _metadata_title(reader: PdfReader) -> str:
    try:
        info = reader.metadata
        return normalize_space(str(info.title or "")) if info is not None else ""
    except Exception:  # damaged document information: the title is found elsewhere
        return ""


def parse_pdf(data: bytes) -> PdfText:
    """The title and sections of a PDF's bytes; raises PdfProblem when it has no text to
    read (a scan, a password, damage)."""
    with _quiet_pypdf():
        reader = _open(data)
        pages: list[list[_Line]] = []
        failed: list[int] = []
        first_error = ""
        for number in range(len(reader.pages)):  # the page tree was read by `_open`
            try:
                pages.append(_page_lines(reader, number))
            except Exception as error:  # one damaged page loses that page only
                failed.append(number + 1)
                first_error = first_error or _reason(error)
        if not any(pages):
            if failed:
                raise PdfProblem(f"a damaged PDF: no page could be read ({first_error}); "
                                 f"{_SAVE_AGAIN}")
            raise PdfProblem(f"the PDF has no text layer (a scanned document, or pages saved "
                             f"as images), so there is no text to quote; {_OCR}")
        lines = _without_running_lines(pages)
        layout = _layout(lines)
        bookmarks = _bookmarks(reader)
        if bookmarks:
            sequence = _outline_headings(lines, bookmarks)
            if not any(isinstance(e, Heading) and e.level == 1 for e in sequence):
                # The outline holds the sections only: the title is found by its type.
                lead = list(itertools.takewhile(lambda e: isinstance(e, _Line), sequence))
                lines_before = [e for e in lead if isinstance(e, _Line)]
                sequence = [*_font_headings(lines_before, layout, others=False),
                            *sequence[len(lead):]]
        else:
            sequence = _font_headings(lines, layout)
        title, sections = sections_of(pdf_blocks(sequence, layout))
        return PdfText(title or _metadata_title(reader), sections, failed, first_error)


@guarded
def read_pdf(path: Path, metadata: GuidanceMetadata | None = None) -> Iterator[Record]:
    """One guidance document from a PDF (its sidecar metadata unless given)."""
    data = guidance_bytes(path, pdf_problem)
    if isinstance(data, RecordProblem):
        yield data
        return
    try:
        meta = metadata if metadata is not None else read_sidecar(path)
        text = parse_pdf(data)
        yield guidance_document(path, text.title, text.sections, meta)
    except ValueError as error:  # a SidecarError, a PdfProblem, or a PDF with no text
        yield RecordProblem(str(path), f"skipped: {error}")
        return
    if text.failed_pages:
        shown = ", ".join(str(n) for n in text.failed_pages[:10])
        more = "…" if len(text.failed_pages) > 10 else ""
        yield RecordProblem(str(path), f"page(s) {shown}{more} could not be read "
                            f"({text.page_error}); the other pages were ingested: "
                            f"{_SAVE_AGAIN}")
