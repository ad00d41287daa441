"""Guidelines and local protocols: what every structured-document reader (Markdown today) shares.

A guidance document keeps its structure: each section is labelled by its heading path
("Acute Gout Flare Treatment › First-Line Therapies") and holds one line per paragraph, list
item or table row, so a statement quotes one recommendation and is cited with its section.
Metadata comes from a sidecar file beside the document (`NAME.meta.json`, or `NAME.ext.meta.json`)
or from the reader; without any, the document is a Guideline titled by its first heading.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from curbside.library.formats import RecordProblem
from curbside.models import GUIDANCE_SOURCE, HEADING_SEPARATOR, Document, DocumentSection

PUBLICATION_TYPES = {"Guideline": "Practice Guideline", "Protocol": "Protocol"}


class GuidanceMetadata(BaseModel):
    """What a sidecar file may say about a guideline or protocol; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    title: str | None = None
    issuer: str | None = None  # the body that issued it: "NICE", "ACR", "Infection control team"
    year: int | None = None
    url: str | None = None
    doi: str | None = None
    version: str | None = None
    kind: Literal["Guideline", "Protocol"] = "Guideline"
    note: str | None = None  # what the document is, shown with its reference
    # The larger work it is a part of ("GINA Global Strategy for Asthma Management …"): its
    # lines are searched and topic-matched under it, as an abstract's are under its title.
    part_of: str | None = None
    part_number: int | None = None  # its place among the parts of `part_of`, 1 for the first


class SidecarError(ValueError):
    """A sidecar metadata file that cannot be used, with what to do about it."""


@dataclass(frozen=True)
class GuidanceSection:
    """One heading's lines, before they become a `DocumentSection`."""

    heading_path: tuple[str, ...]
    lines: tuple[str, ...]


class SectionCollector:
    """Lines gathered under the heading path a reader has reached, as every guidance reader
    gathers them: the first level-1 heading is the title, a heading replaces those at its
    level and below, and a heading's lines end at the next heading."""

    def __init__(self) -> None:
        self.title = ""
        self._path: list[tuple[int, str]] = []  # (heading level, heading text) below the title
        self._sections: list[GuidanceSection] = []
        self._lines: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self._close()
        if level == 1 and not self.title:
            self.title = text
            return
        while self._path and self._path[-1][0] >= level:
            self._path.pop()
        self._path.append((level, text))

    def add(self, lines: Iterable[str]) -> None:
        self._lines.extend(lines)

    def finish(self) -> tuple[str, list[GuidanceSection]]:
        """The title and the sections."""
        self._close()
        return self.title, self._sections

    def _close(self) -> None:
        if self._lines:
            self._sections.append(GuidanceSection(tuple(h for _, h in self._path),
                                                  tuple(self._lines)))
            self._lines.clear()


def sidecar_for(path: Path) -> Path | None:
    for candidate in (path.with_name(path.name + ".meta.json"),
                      path.with_name(path.stem + ".meta.json")):
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> GuidanceMetadata:
    """The sidecar metadata of a document, or empty metadata when there is none."""
    sidecar = sidecar_for(path)
    if sidecar is None:
        return GuidanceMetadata()
    try:
        return GuidanceMetadata.model_validate(json.loads(sidecar.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, ValidationError) as error:
        first = str(error).splitlines()[0]
        fields = ", ".join(GuidanceMetadata.model_fields)
        raise SidecarError(f"{sidecar.name} is not usable metadata ({first}); it must be a JSON "
                           f"object with some of: {fields}") from error


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def default_id(path: Path) -> str:
    """A stable id from the file's folder and name, so a new version of a file replaces it."""
    return f"{GUIDANCE_SOURCE}:{_slug(path.parent.name)}/{_slug(path.stem)}"


def guidance_document(
    path: Path, title: str, sections: list[GuidanceSection], metadata: GuidanceMetadata
) -> Document:
    """A guidance document from a reader's sections; raises ValueError when it holds no text."""
    kept = [s for s in sections if s.lines]
    if not kept:
        raise ValueError("the document holds no text (only headings, code or images)")
    url = metadata.url if metadata.url and metadata.url.startswith(("http://", "https://")) \
        else None
    return Document(
        id=metadata.id or default_id(path),
        source=GUIDANCE_SOURCE,
        title=metadata.title or title or path.stem.replace("_", " "),
        sections=[DocumentSection(label=HEADING_SEPARATOR.join(s.heading_path),
                                  text="\n".join(s.lines)) for s in kept],
        journal=metadata.issuer,
        year=metadata.year,
        publication_types=[PUBLICATION_TYPES[metadata.kind]],
        doi=metadata.doi,
        url=url or (f"https://doi.org/{metadata.doi}" if metadata.doi else None),
        note=metadata.note,
        version=metadata.version,
        part_of=metadata.part_of,
        part_number=metadata.part_number,
    )


def guidance_bytes(path: Path, problem_of: Callable[[bytes], str | None]
                   ) -> bytes | RecordProblem:
    """A guidance file's bytes, or why they cannot be read as one (unreadable, or what the
    format's own check says: "not a PDF", "truncated" …)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return RecordProblem(str(path), f"cannot read the file ({error}); check that it exists "
                             "and can be read")
    problem = problem_of(data)
    if problem:
        return RecordProblem(str(path), f"skipped: {problem}")
    return data
