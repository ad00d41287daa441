"""Editors' changes to an article, and the statement-level difference between two versions.

Editors may remove or reorder statements and add attributed notes; they cannot add clinical
text, so every statement of an edited version still comes from the composer with its citation.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime

from curbside.errors import CurbsideError
from curbside.models import (
    Article,
    ArticleSection,
    Block,
    BulletsBlock,
    EditorNote,
    ParagraphBlock,
    Statement,
    Step,
    StepsBlock,
)

MAX_NOTE = 1000


@dataclass(frozen=True)
class VersionEdit:
    remove: tuple[int, ...] = ()  # statement numbers, 1-based in reading order
    move_up: tuple[int, ...] = ()  # statement numbers to move one place earlier in their list
    note: str | None = None


def _edit_list(items: list[Statement], counter: list[int], remove: set[int],
               move_up: set[int]) -> list[Statement]:
    numbered = []
    for item in items:
        counter[0] += 1
        numbered.append((counter[0], item))
    for position in range(1, len(numbered)):
        if numbered[position][0] in move_up:
            numbered[position - 1], numbered[position] = numbered[position], numbered[position - 1]
    return [item for number, item in numbered if number not in remove]


def _edit_block(block: Block, counter: list[int], remove: set[int], move_up: set[int]
                ) -> Block | None:
    if isinstance(block, ParagraphBlock):
        kept = _edit_list(block.statements, counter, remove, move_up)
        return ParagraphBlock(statements=kept) if kept else None
    if isinstance(block, BulletsBlock):
        kept = _edit_list(block.items, counter, remove, move_up)
        return BulletsBlock(label=block.label, items=kept) if kept else None
    steps = []
    for step in block.steps:
        kept = _edit_list(step.items, counter, remove, move_up)
        if kept:
            steps.append(Step(label=step.label, items=kept))
    return StepsBlock(steps=steps) if steps else None


def renumber(article: Article) -> Article:
    """References numbered again in order of first use, uncited ones dropped."""
    return article.renumbered()


def apply_edit(article: Article, edit: VersionEdit, author: str) -> Article:
    total = len(article.statements())
    for number in (*edit.remove, *edit.move_up):
        if not 1 <= number <= total:
            raise CurbsideError(f"There is no statement {number}; this version has {total}.")
    if edit.note is not None and not edit.note.strip():
        raise CurbsideError("The editor's note is empty; write the note or leave it out.")
    if edit.note and len(edit.note) > MAX_NOTE:
        raise CurbsideError(f"The editor's note is {len(edit.note)} characters; keep it under "
                            f"{MAX_NOTE}.")
    remove, move_up = set(edit.remove), set(edit.move_up)
    counter = [0]
    bottom_line = _edit_list(article.bottom_line, counter, remove, move_up)
    sections = []
    for section in article.sections:
        blocks = [b for b in (_edit_block(b, counter, remove, move_up) for b in section.blocks)
                  if b is not None]
        if blocks:
            sections.append(ArticleSection(key=section.key, title=section.title, blocks=blocks))
    notes = list(article.editor_notes)
    if edit.note:
        notes.append(EditorNote(author=author, text=edit.note.strip(),
                                at=datetime.now(UTC).isoformat(timespec="seconds")))
    edited = article.model_copy(update={"bottom_line": bottom_line, "sections": sections,
                                        "editor_notes": notes})
    return renumber(edited)


@dataclass(frozen=True)
class DiffLine:
    change: str  # "same", "added" or "removed"
    text: str
    sources: tuple[str, ...]  # cited document ids


def _keyed(article: Article) -> list[tuple[str, tuple[str, ...]]]:
    ids = {r.n: r.id for r in article.references}
    return [(s.text, tuple(ids[n] for n in s.citations if n in ids))
            for s in article.statements()]


def statement_diff(old: Article, new: Article) -> list[DiffLine]:
    """Statements kept, added and removed between two versions, in reading order."""
    before, after = _keyed(old), _keyed(new)
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", t, s) for t, s in before[i1:i2]]
            continue
        lines += [DiffLine("removed", t, s) for t, s in before[i1:i2]]
        lines += [DiffLine("added", t, s) for t, s in after[j1:j2]]
    return lines
