"""BioASQ gold documents: `doc_to_abstract.json` with `doc_to_title.json` beside it, both keyed
by PubMed URL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from curbside.library.formats import Record, RecordProblem
from curbside.models import Document, DocumentSection

_PMID = re.compile(r"(\d+)/?\s*$")


def read_bioasq(path: Path) -> Iterator[Record]:
    abstracts_path = path / "doc_to_abstract.json" if path.is_dir() else path
    titles_path = abstracts_path.with_name("doc_to_title.json")
    try:
        abstracts = json.loads(abstracts_path.read_text(encoding="utf-8"))
        titles = (
            json.loads(titles_path.read_text(encoding="utf-8")) if titles_path.exists() else {}
        )
    except (OSError, ValueError) as error:
        yield RecordProblem(str(abstracts_path), f"not readable as BioASQ JSON: {error}")
        return
    for url, abstract in abstracts.items():
        match = _PMID.search(str(url))
        if not match:
            yield RecordProblem(f"{abstracts_path} {url}", "key is not a PubMed URL; skipped")
            continue
        pmid = match.group(1)
        title = str(titles.get(url) or "").strip()
        text = str(abstract or "").strip()
        if not text and not title:
            yield RecordProblem(f"{abstracts_path} {url}", "empty abstract and title; skipped")
            continue
        yield Document(
            id=f"pmid:{pmid}",
            source="bioasq",
            title=title or f"PubMed record {pmid}",
            sections=[DocumentSection(label="", text=text)] if text else [],
            pmid=pmid,
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        )
