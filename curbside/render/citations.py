"""Reference export: RIS, BibTeX and CSL-JSON, for reference managers."""

from __future__ import annotations

import json
import re

from curbside.models import Document, Reference
from curbside.urls import web_url


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([{}\\&%$#_])", r"\\\1", text)


def _key(reference: Reference) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", reference.id) or f"ref{reference.n}"


def to_ris(references: list[Reference], documents: dict[str, Document]) -> str:
    lines: list[str] = []
    for ref in references:
        doc = documents.get(ref.id)
        lines.append("TY  - JOUR" if doc is None or doc.source != "medquad" else "TY  - ELEC")
        lines.append(f"TI  - {ref.title}")
        for author in doc.authors if doc else []:
            lines.append(f"AU  - {author}")
        if ref.journal:
            lines.append(f"JO  - {ref.journal}")
        if ref.year:
            lines.append(f"PY  - {ref.year}")
        if doc and doc.doi:
            lines.append(f"DO  - {doc.doi}")
        if doc and doc.pmid:
            lines.append(f"AN  - PMID:{doc.pmid}")
        if url := web_url(ref.url):
            lines.append(f"UR  - {url}")
        lines.append(f"N1  - {ref.kind}; Curbside id {ref.id}")
        lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def to_bibtex(references: list[Reference], documents: dict[str, Document]) -> str:
    entries = []
    for ref in references:
        doc = documents.get(ref.id)
        fields = {"title": ref.title, "journal": ref.journal, "year": ref.year,
                  "doi": doc.doi if doc else None, "url": web_url(ref.url),
                  "author": " and ".join(doc.authors) if doc and doc.authors else None,
                  "note": f"{ref.kind}; Curbside id {ref.id}"}
        body = ",\n".join(f"  {k} = {{{_bibtex_escape(str(v))}}}" for k, v in fields.items() if v)
        kind = "misc" if doc is not None and doc.source == "medquad" else "article"
        entries.append(f"@{kind}{{{_key(ref)},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


def to_csl_json(references: list[Reference], documents: dict[str, Document]) -> str:
    items = []
    for ref in references:
        doc = documents.get(ref.id)
        item: dict[str, object] = {"id": ref.id, "type": "article-journal", "title": ref.title,
                                   "note": ref.kind}
        if ref.journal:
            item["container-title"] = ref.journal
        if ref.year:
            item["issued"] = {"date-parts": [[ref.year]]}
        if doc and doc.doi:
            item["DOI"] = doc.doi
        if doc and doc.pmid:
            item["PMID"] = doc.pmid
        if url := web_url(ref.url):
            item["URL"] = url
        if doc and doc.authors:
            item["author"] = [{"literal": a} for a in doc.authors]
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
