"""What a list of paths to ingest stands for: files, and folders read whole (a BEIR or BioASQ
folder); any other folder is walked, recursively and in name order, for its files, each then
read by its detected format. Hidden files and folders are skipped, and so are the sidecar
metadata files (`NAME.meta.json`) that belong to a document beside them and the PDF beside a
PMC article's JATS XML (`NAME.pdf` next to `NAME.nxml`, as a PMC Open Access package holds
them), which is the same article typeset."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from curbside.library.formats import RecordProblem
from curbside.library.formats.detect import UnknownFormat, detect_format
from curbside.library.formats.jats import SUFFIXES as JATS_SUFFIXES
from curbside.library.formats.pdf import SUFFIXES as PDF_SUFFIXES

SIDECAR_SUFFIX = ".meta.json"


def _read_whole(folder: Path) -> bool:
    """Whether a folder is one data set read by one reader (BEIR, BioASQ, open-medicine)."""
    try:
        detect_format(folder)
    except UnknownFormat:
        return False
    except OSError:
        return True  # read_any says what is wrong with it
    return True


def _sidecars(names: set[str]) -> set[str]:
    """The sidecar metadata files among a folder's file names: those named after a document
    beside them (`guide.md.meta.json` or `guide.meta.json` next to `guide.md`)."""
    documents = [n for n in names if not n.endswith(SIDECAR_SUFFIX)]
    candidates = {n + SIDECAR_SUFFIX for n in documents}
    candidates |= {Path(n).stem + SIDECAR_SUFFIX for n in documents}
    return candidates & names


def _printed_copies(names: set[str]) -> set[str]:
    """The PDFs among a folder's file names that are the typeset copy of a JATS article
    beside them (`article.pdf` next to `article.nxml`): the article is read from its XML."""
    stems = {Path(n).stem for n in names if n.lower().endswith(JATS_SUFFIXES)}
    return {n for n in names if n.lower().endswith(PDF_SUFFIXES) and Path(n).stem in stems}


def _walk(folder: Path, visited: set[Path]) -> Iterator[Path | RecordProblem]:
    try:
        real = folder.resolve()
        entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    except OSError as error:
        yield RecordProblem(str(folder), f"cannot list the folder ({error.strerror}); check "
                            "that it exists and can be read")
        return
    if real in visited:
        return  # a symbolic link back into a folder already walked
    visited.add(real)
    files = {entry.name for entry in entries if not entry.is_dir()}
    skipped = _sidecars(files) | _printed_copies(files)
    for entry in entries:
        # Hidden files, and the "~$name.docx" lock files Word leaves beside an open document.
        if entry.name.startswith((".", "~$")):
            continue
        if entry.is_dir():
            if _read_whole(entry):
                yield entry
            else:
                yield from _walk(entry, visited)
        elif entry.name not in skipped:
            yield entry


def expand_paths(paths: Iterable[Path]) -> Iterator[Path | RecordProblem]:
    """The files and whole-read folders to ingest for `paths`, in order, and a problem for a
    folder that cannot be listed or holds nothing to ingest."""
    for path in paths:
        if not path.is_dir() or _read_whole(path):
            yield path
            continue
        found = False
        for item in _walk(path, set()):
            found = found or isinstance(item, Path)
            yield item
        if not found:
            yield RecordProblem(str(path), "the folder holds no files to ingest (hidden files "
                                "and Word lock files are skipped)")
