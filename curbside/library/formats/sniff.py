"""A file's opening bytes, read to decide its format: past a UTF-8 byte-order mark, through
gzip (what a damaged or truncated file still gives), past an XML prolog and doctype of any
length, a JSON Lines file's first records whatever their length, whether a file
named .html holds an HTML page, and whether one named .pdf is a whole PDF."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BOM = b"\xef\xbb\xbf"
GZIP_MAGIC = b"\x1f\x8b"
HEAD_SIZE = 64 * 1024
XML_PROLOG_LIMIT = 16 * 1024 * 1024  # a doctype's internal subset is rarely a tenth of this
JSON_LINE_LIMIT = 64 * 1024 * 1024
JSON_LINES_SNIFFED = 10
_CHUNK = 64 * 1024
_NAME_END = b" \t\r\n>/"


def chunks(path: Path) -> Iterator[bytes]:
    """The file's bytes, gunzipped when it is gzip; damage ends them quietly (the reader reports
    it), so what a truncated file holds can still be recognised."""
    with path.open("rb") as stream:
        data = stream.read(_CHUNK)
        if not data.startswith(GZIP_MAGIC):
            while data:
                yield data
                data = stream.read(_CHUNK)
            return
        inflater = zlib.decompressobj(wbits=31)
        while data:
            try:
                out = inflater.decompress(data)
            except zlib.error:
                return
            if out:
                yield out
            if inflater.eof:  # a multi-member gzip file: the next member starts here
                data = inflater.unused_data
                if not data.startswith(GZIP_MAGIC):
                    return
                inflater = zlib.decompressobj(wbits=31)
                continue
            data = stream.read(_CHUNK)


def head(path: Path, size: int = HEAD_SIZE) -> tuple[bytes, bool]:
    """Up to `size` opening bytes (no byte-order mark), and whether they are the whole file."""
    parts: list[bytes] = []
    got = 0
    whole = True
    for chunk in chunks(path):
        parts.append(chunk)
        got += len(chunk)
        if got > size:
            whole = False
            break
    return b"".join(parts).removeprefix(BOM)[:size], whole


def _declaration_end(data: bytes, position: int) -> int | None:
    """Where a `<!DOCTYPE …>` (its internal subset, quoted strings and comments included)
    that starts before `position` ends, or None when `data` stops inside it."""
    depth = 0
    quote = 0
    while position < len(data):
        byte = data[position]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in b"\"'":
            quote = byte
        elif data.startswith(b"<!--", position):
            end = data.find(b"-->", position + 4)
            if end < 0:
                return None
            position = end + 3
            continue
        elif byte == ord("["):
            depth += 1
        elif byte == ord("]"):
            depth = max(depth - 1, 0)
        elif byte == ord(">") and depth == 0:
            return position + 1
        position += 1
    return None


def root_start(data: bytes) -> int | None:
    """Where the first element of an XML document's opening bytes starts, past its prolog: the
    declaration, comments, processing instructions and a doctype of any length. None when the
    bytes stop before it."""
    position = 0
    while True:
        start = data.find(b"<", position)
        if start < 0:
            return None
        if data.startswith(b"<?", start):
            end = data.find(b"?>", start + 2)
            position = end + 2
        elif data.startswith(b"<!--", start):
            end = data.find(b"-->", start + 4)
            position = end + 3
        elif data.startswith(b"<!", start):
            found = _declaration_end(data, start + 2)
            end = -1 if found is None else found
            position = end
        else:
            return start
        if end < 0:
            return None


def xml_root_tag(data: bytes) -> str | None:
    """Name of the first element of an XML document's opening bytes (see `root_start`), None
    when the bytes stop before its name ends."""
    start = root_start(data)
    if start is None:
        return None
    end = start + 1
    while end < len(data) and data[end] not in _NAME_END:
        end += 1
    if end >= len(data):
        return None
    return data[start + 1 : end].decode("utf-8", "replace")


def xml_root(path: Path) -> str:
    """The root element's name of an XML file (plain or gzip), '' when none is found."""
    size = HEAD_SIZE
    while True:
        data, whole = head(path, size)
        tag = xml_root_tag(data)
        if tag is not None:
            return tag
        if whole or size >= XML_PROLOG_LIMIT:
            return ""
        size *= 4


def first_json_records(path: Path) -> Iterator[Any]:
    """The JSON values of a JSON Lines file's first non-blank lines, each read whole however
    long (up to JSON_LINE_LIMIT); a line that is not JSON gives None."""
    parts: list[bytes] = []  # the line read so far
    length = 0
    sniffed = 0
    for number, chunk in enumerate(chunks(path)):
        if number == 0:
            chunk = chunk.removeprefix(BOM)
        while b"\n" in chunk:
            end, chunk = chunk.split(b"\n", 1)
            line = b"".join([*parts, end])
            parts, length = [], 0
            if line.strip():
                yield _json(line)
                sniffed += 1
                if sniffed >= JSON_LINES_SNIFFED:
                    return
        parts.append(chunk)
        length += len(chunk)
        if length > JSON_LINE_LIMIT:
            return
    line = b"".join(parts)
    if line.strip():
        yield _json(line)


def _json(line: bytes) -> Any:
    try:
        return json.loads(line.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A tag only an HTML page opens with or is made of; a text file with none is not a page.
_HTML_TAG = re.compile(rb"<(!doctype\s+html|html|head|body|title|meta|p|h[1-6]|div|section|"
                       rb"article|main|ul|ol|li|table)[\s>/]", re.IGNORECASE)
_SAVE_AS_HTML = ("save the guideline page again as HTML (in a browser: Save Page As, "
                 "\"Web Page, HTML only\") and ingest it again")


def html_problem(data: bytes) -> str | None:
    """Why the bytes of a file named .html are not an HTML page, with what to do; None when
    they are one."""
    opening = data[:HEAD_SIZE]
    if not opening.strip():
        return f"the file is empty; {_SAVE_AS_HTML}"
    if opening.startswith(_UTF16_BOMS):
        opening = opening.decode("utf-16", "replace").encode("utf-8")
    # Text holds no NUL and few control characters; a PDF, an image or random bytes hold many.
    controls = sum(1 for byte in opening if byte < 32 and byte not in b"\t\n\r\f")
    if b"\x00" in opening or controls > len(opening) // 20:
        return ("the file holds binary data, not an HTML page (a PDF, Word file or image named "
                f".html?); {_SAVE_AS_HTML}")
    if not _HTML_TAG.search(opening):
        return f"the file holds no HTML tags, so it is not an HTML page; {_SAVE_AS_HTML}"
    return None


PDF_MAGIC = b"%PDF-"
_PDF_HEADER_WINDOW = 1024  # readers accept junk this long before the header
_PDF_TRAILER_WINDOW = 4096  # where the end-of-file marker sits in a whole file
_SAVE_AS_PDF = "export or download the PDF again and ingest it again"


def pdf_problem(data: bytes) -> str | None:
    """Why the bytes of a file named .pdf are not a whole PDF, with what to do; None when they
    look like one."""
    if not data.strip():
        return f"the file is empty; {_SAVE_AS_PDF}"
    if PDF_MAGIC not in data[:_PDF_HEADER_WINDOW]:
        return ("not a PDF: it does not start with %PDF- (a Word file, web page or image named "
                ".pdf?); save or print it as PDF and ingest it again")
    if b"%%EOF" not in data[-_PDF_TRAILER_WINDOW:]:
        # What an interrupted download or copy leaves: the pages after the cut are lost.
        return f"the PDF is truncated (it has no end-of-file marker); {_SAVE_AS_PDF}"
    return None
