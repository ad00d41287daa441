"""The guideline summaries of the `open-medicine` package (MIT), read from its installed files.

Each Markdown file summarises part of a society guideline named in the package's registry
(title, issuing body, year, DOI). They are the package authors' summaries, not the guidelines'
own text, and their references say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import metadata, util
from pathlib import Path

from curbside.library.formats import Record, RecordProblem
from curbside.library.formats.guidance import GuidanceMetadata
from curbside.library.formats.markdown import read_markdown

PACKAGE = "open-medicine"
REGISTRY = "registry.json"
CONTENT = "content"


def installed_guidelines() -> Path | None:
    """The package's guideline folder, when the package is installed."""
    spec = util.find_spec("open_medicine")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "guidelines"
    return folder if (folder / REGISTRY).is_file() else None


def is_open_medicine(folder: Path) -> bool:
    return (folder / REGISTRY).is_file() and (folder / CONTENT).is_dir()


def _version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown version"


def _part_number(entry: dict[str, object], part: str) -> int | None:
    """Where the registry lists this part among its guideline's sections (1 for the first)."""
    listed = entry.get("sections")
    if isinstance(listed, list) and part in listed:
        return listed.index(part) + 1
    return None


def _metadata(entry: dict[str, object], part: str, version: str) -> GuidanceMetadata:
    guideline = str(entry.get("title") or entry["id"])
    issuer = str(entry["organization"]) if entry.get("organization") else None
    year = entry.get("year")
    doi = str(entry["doi"]) if entry.get("doi") else None
    cited = ", ".join(str(p) for p in (issuer, year) if p)
    return GuidanceMetadata(
        id=f"{PACKAGE}:{entry['id']}/{part}",
        issuer=issuer,
        year=int(year) if isinstance(year, int) else None,
        doi=doi,
        version=f"{PACKAGE} {version}",
        part_of=guideline,
        part_number=_part_number(entry, part),
        note=(f"A summary of “{guideline}”" + (f" ({cited})" if cited else "")
              + f", written by the {PACKAGE} project ({PACKAGE} {version}, MIT licence); "
              "not the guideline's own text."),
    )


def read_open_medicine(folder: Path) -> Iterator[Record]:
    try:
        registry = json.loads((folder / REGISTRY).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        yield RecordProblem(str(folder / REGISTRY), f"cannot read the registry ({error}); "
                            f"reinstall {PACKAGE}")
        return
    if not isinstance(registry, list):
        yield RecordProblem(str(folder / REGISTRY), "the registry is not a list of guidelines; "
                            f"reinstall {PACKAGE}")
        return
    version = _version()
    for entry in registry:
        if not isinstance(entry, dict) or not entry.get("id"):
            yield RecordProblem(str(folder / REGISTRY), "a registry entry without an id; skipped")
            continue
        parts = sorted((folder / CONTENT / str(entry["id"])).glob("*.md"))
        if not parts:
            yield RecordProblem(str(folder / CONTENT / str(entry["id"])),
                                "no Markdown summary for this registry entry; skipped")
        for part in parts:
            yield from read_markdown(part, _metadata(entry, part.stem, version))
