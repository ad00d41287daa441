"""Markdown guidelines and protocols, parsed with markdown-it-py (CommonMark with tables).

Headings become the section path; each paragraph, list item and table row becomes one line of
its section, with emphasis markers dropped and nothing else changed. A nested list item is
introduced by its parent when the parent is a lead-in ("Beta-blockers (metoprolol …):"), and
a list's items by the paragraph before it when that ends in a colon, so the line still says
what it is about. Code blocks (ASCII flow charts) and raw HTML are not text a
statement can quote, so they are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from curbside.library.formats import Record, RecordProblem
from curbside.library.formats.guidance import (
    GuidanceMetadata,
    GuidanceSection,
    SectionCollector,
    guidance_document,
    read_sidecar,
)
from curbside.text import normalize_space

SUFFIXES = (".md", ".markdown")
# A parent list item this short introduces its children even without a trailing colon.
LEAD_IN_WORDS = 8

_PARSER = MarkdownIt("commonmark").enable("table")


def _inline_text(node: SyntaxTreeNode) -> str:
    parts: list[str] = []
    for child in node.children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image" or child.children:
            parts.append(_inline_text(child))
    return normalize_space("".join(parts))


def _own_text(item: SyntaxTreeNode) -> str:
    """The text of a list item's own paragraphs, without its nested lists."""
    texts = [_inline_text(child.children[0]) for child in item.children
             if child.type == "paragraph" and child.children]
    return " ".join(t for t in texts if t)


def is_lead_in(parent: str) -> bool:
    # A parent that ends a sentence is a statement of its own, not a lead-in.
    return parent.endswith(":") or (len(parent.split()) <= LEAD_IN_WORDS
                                    and not parent.endswith((".", "!", "?")))


def _list_lines(node: SyntaxTreeNode, lead: str = "") -> Iterator[str]:
    for item in node.children:
        text = _own_text(item)
        nested = [c for c in item.children if c.type in ("bullet_list", "ordered_list")]
        # "Drug B: Indication: …" after a lead-in that ends in a colon; after one that is a
        # line of its own ("Ipratropium: add in severe attacks"), a dash keeps the two apart.
        joint = " " if lead.endswith(":") else " — "
        line = f"{lead}{joint}{text}".strip() if lead and text else text
        # A lead-in with items below it is said by each of them, not again on its own.
        if line and not (nested and text and is_lead_in(text)):
            yield line
        for child in nested:
            yield from _list_lines(child, line if text and is_lead_in(text) else lead)


def _table_lines(node: SyntaxTreeNode) -> Iterator[str]:
    rows = [[_inline_text(cell.children[0]) if cell.children else ""
             for cell in row.children]
            for part in node.children for row in part.children]
    if not rows:
        return
    header, body = rows[0], rows[1:]
    for cells in body:
        if not any(cells):
            continue
        if len(cells) == 2:
            yield f"{cells[0]}: {cells[1]}" if cells[0] else cells[1]
        else:
            rest = "; ".join(f"{h}: {c}" if h else c
                             for h, c in zip(header[1:], cells[1:], strict=False) if c)
            yield f"{cells[0]} — {rest}" if cells[0] else rest


def _lead_in(before: SyntaxTreeNode | None) -> str:
    """The paragraph before a list when it introduces it ("Exclusions from DOAC preference:"):
    each item is said after it, so "Severe renal insufficiency" still says what it is about."""
    if before is None or before.type != "paragraph" or not before.children:
        return ""
    text = _inline_text(before.children[0])
    return text if text.endswith(":") else ""


def parse_markdown(text: str) -> tuple[str, list[GuidanceSection]]:
    """The first top-level heading and the sections of a Markdown text."""
    collected = SectionCollector()

    def walk(nodes: list[SyntaxTreeNode]) -> None:
        for index, node in enumerate(nodes):
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            before = nodes[index - 1] if index else None
            if node.type == "heading":
                heading = _inline_text(node.children[0]) if node.children else ""
                collected.heading(int(node.tag[1:]), heading)
            elif node.type == "paragraph" and node.children:
                line = _inline_text(node.children[0])
                if line and not (line.endswith(":") and following is not None
                                 and following.type in ("bullet_list", "ordered_list")):
                    collected.add([line])
            elif node.type in ("bullet_list", "ordered_list"):
                collected.add(_list_lines(node, _lead_in(before)))
            elif node.type == "table":
                collected.add(_table_lines(node))
            elif node.type == "blockquote":
                walk(node.children)

    walk(SyntaxTreeNode(_PARSER.parse(text)).children)
    return collected.finish()


def read_markdown(path: Path, metadata: GuidanceMetadata | None = None) -> Iterator[Record]:
    """One guidance document from a Markdown file (its sidecar metadata unless given)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        yield RecordProblem(str(path), f"cannot read the file ({error}); save it as UTF-8 text")
        return
    try:
        meta = metadata if metadata is not None else read_sidecar(path)
        title, sections = parse_markdown(text)
        yield guidance_document(path, title, sections, meta)
    except ValueError as error:  # a SidecarError, or a file with no text
        yield RecordProblem(str(path), f"skipped: {error}")
