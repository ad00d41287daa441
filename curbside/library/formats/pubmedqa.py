"""PubMedQA (`ori_pqal.json`): abstracts keyed by PMID, conclusion held out as LONG_ANSWER."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from curbside.library.formats import Record, RecordProblem
from curbside.models import Document, DocumentSection


def read_pubmedqa(path: Path) -> Iterator[Record]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        yield RecordProblem(str(path), f"not readable as PubMedQA JSON: {error}")
        return
    for pmid, row in data.items():
        try:
            contexts = row["CONTEXTS"]
            labels = row.get("LABELS") or [""] * len(contexts)
            sections = [
                DocumentSection(label=str(label).upper(), text=str(text))
                for label, text in zip(labels, contexts, strict=False)
            ]
            if row.get("LONG_ANSWER"):
                # The dataset withholds the abstract's conclusion as the answer; it is part of
                # the published abstract, so it goes back where it came from.
                sections.append(DocumentSection(label="CONCLUSIONS", text=row["LONG_ANSWER"]))
            year = row.get("YEAR")
            yield Document(
                id=f"pmid:{pmid}",
                source="pubmedqa",
                # PubMedQA rephrases each title as a question; the question is what it keeps.
                title=str(row["QUESTION"]),
                sections=sections,
                year=int(year) if str(year or "").isdigit() else None,
                mesh_terms=[str(m) for m in row.get("MESHES") or []],
                pmid=str(pmid),
                url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            )
        except (KeyError, TypeError, ValueError) as error:
            yield RecordProblem(f"{path} PMID {pmid}", f"skipped: missing or bad field {error}")
