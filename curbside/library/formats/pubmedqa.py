"""PubMedQA (`ori_pqal.json`): abstracts keyed by PMID, conclusion held out as LONG_ANSWER."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from curbside.library.formats import Record, RecordProblem, guarded, read_json_file
from curbside.models import Document, DocumentSection

_SHAPE = ("it must be one JSON object mapping each PMID to an object with QUESTION and "
          "CONTEXTS, as PubMedQA's ori_pqal.json is")


def _document(pmid: str, row: Any) -> Document:
    if not isinstance(row, dict):
        raise TypeError(f"the entry is a JSON {type(row).__name__}, not an object")
    contexts = row["CONTEXTS"]
    if not isinstance(contexts, list):
        raise TypeError("CONTEXTS is not a list of texts")
    labels = row.get("LABELS")
    if not isinstance(labels, list):
        labels = [""] * len(contexts)
    sections = [
        DocumentSection(label=str(label).upper(), text=str(text))
        for label, text in zip(labels, contexts, strict=False)
    ]
    if row.get("LONG_ANSWER"):
        # The dataset withholds the abstract's conclusion as the answer; it is part of
        # the published abstract, so it goes back where it came from.
        sections.append(DocumentSection(label="CONCLUSIONS", text=str(row["LONG_ANSWER"])))
    year = str(row.get("YEAR") or "").strip()
    meshes = row.get("MESHES") or []
    return Document(
        id=f"pmid:{pmid}",
        source="pubmedqa",
        # PubMedQA rephrases each title as a question; the question is what it keeps.
        title=str(row["QUESTION"]),
        sections=sections,
        year=int(year) if year.isascii() and year.isdigit() and len(year) <= 18 else None,
        mesh_terms=[str(m) for m in meshes] if isinstance(meshes, list) else [],
        pmid=pmid,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
    )


@guarded
def read_pubmedqa(path: Path) -> Iterator[Record]:
    try:
        data = read_json_file(path)
    except RecursionError:
        yield RecordProblem(str(path), f"not readable as PubMedQA JSON: nested too deeply; "
                            f"{_SHAPE}")
        return
    except (OSError, ValueError) as error:
        yield RecordProblem(str(path), f"not readable as PubMedQA JSON: {error}")
        return
    if not isinstance(data, dict):
        yield RecordProblem(str(path), f"the file is a JSON {type(data).__name__}; {_SHAPE}")
        return
    for pmid, row in data.items():
        try:
            yield _document(str(pmid), row)
        except (KeyError, TypeError, ValueError) as error:
            yield RecordProblem(f"{path} PMID {pmid}",
                                f"skipped: missing or bad field {error}; {_SHAPE}")
