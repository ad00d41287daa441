"""Which reader a path needs, decided from its name and its first bytes."""

from __future__ import annotations

import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from curbside.library.formats import Record, RecordProblem, guarded
from curbside.library.formats.bioasq import read_bioasq
from curbside.library.formats.docx import SUFFIXES as DOCX_SUFFIXES
from curbside.library.formats.docx import read_docx
from curbside.library.formats.html import SUFFIXES as HTML_SUFFIXES
from curbside.library.formats.html import read_html
from curbside.library.formats.jats import ROOTS as JATS_ROOTS
from curbside.library.formats.jats import SUFFIXES as JATS_SUFFIXES
from curbside.library.formats.jats import read_jats
from curbside.library.formats.jsonl import read_jsonl
from curbside.library.formats.markdown import SUFFIXES as MARKDOWN_SUFFIXES
from curbside.library.formats.markdown import read_markdown
from curbside.library.formats.medquad import ROOTS as MEDQUAD_ROOTS
from curbside.library.formats.medquad import read_medquad, read_medquad_bytes
from curbside.library.formats.open_medicine import is_open_medicine, read_open_medicine
from curbside.library.formats.pdf import SUFFIXES as PDF_SUFFIXES
from curbside.library.formats.pdf import read_pdf
from curbside.library.formats.pubmed_xml import read_pubmed_xml
from curbside.library.formats.pubmedqa import read_pubmedqa
from curbside.library.formats.scifact import CORPUS_MEMBER, read_scifact
from curbside.library.formats.sniff import (
    PDF_MAGIC,
    first_json_records,
    head,
    xml_root,
    xml_root_tag,
)

FORMATS = ("pubmed-xml", "medquad-xml", "beir", "jsonl", "pubmedqa", "bioasq", "scifact",
           "markdown", "html", "docx", "pdf", "jats", "open-medicine", "archive")
_HINT = (
    "Curbside reads MEDLINE/PubMed XML (.xml, .xml.gz), MedQuAD XML (or a .tar.xz of it), "
    "BEIR corpus.jsonl, PubMedQA ori_pqal.json, BioASQ doc_to_abstract.json, SciFact CSV/zip, "
    "JSONL documents with id/title/text, PMC full text in JATS XML (.nxml, efetch db=pmc), "
    "and guidelines or protocols in Markdown (.md), HTML (.html, .htm), Word (.docx) or PDF "
    "(.pdf)."
)


class UnknownFormat(Exception):
    pass


def detect_format(path: Path) -> str:
    name = path.name.lower()
    if path.is_dir():
        if is_open_medicine(path):
            return "open-medicine"
        if (path / "corpus.jsonl").exists():
            return "beir"
        if (path / "doc_to_abstract.json").exists():
            return "bioasq"
        raise UnknownFormat(f"{path}: folder has no corpus.jsonl or doc_to_abstract.json")
    if name == "corpus.jsonl" or name == "corpus.jsonl.gz":
        return "beir"
    if name.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    # By name alone: the readers say what is wrong with a file that is not what its name says.
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(DOCX_SUFFIXES):
        return "docx"
    if name.endswith(PDF_SUFFIXES):
        return "pdf"
    if name.endswith(JATS_SUFFIXES):
        return "jats"
    if name == "doc_to_abstract.json":
        return "bioasq"
    if name.endswith((".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2")):
        return "archive"
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            if any(n.endswith(CORPUS_MEMBER) for n in archive.namelist()):
                return "scifact"
        raise UnknownFormat(f"{path}: zip without a SciFact {CORPUS_MEMBER}")
    opening = head(path)[0]
    stripped = opening.lstrip()
    if stripped.startswith(PDF_MAGIC):
        return "pdf"
    if name.endswith((".xml", ".xml.gz")) or stripped.startswith(b"<"):
        root = xml_root(path)
        if root in ("PubmedArticleSet", "MedlineCitationSet", "PubmedArticle",
                    "MedlineCitation"):
            return "pubmed-xml"
        if root in MEDQUAD_ROOTS:
            return "medquad-xml"
        if root in JATS_ROOTS:
            return "jats"
        if not root and name.endswith((".xml", ".xml.gz")):
            return "pubmed-xml"  # damaged before its first element: the reader says how
        raise UnknownFormat(f"{path}: XML with root <{root or '?'}> is not PubMed, MedQuAD or "
                            "PMC JATS")
    if name.endswith(".csv") and b"doc_id" in stripped.split(b"\n", 1)[0]:
        return "scifact"
    if stripped.startswith(b"{") or (stripped.startswith(b"[") and name.endswith(
            (".jsonl", ".jsonl.gz", ".ndjson"))):
        # The first records decide, each read whole however long; one bad line does not.
        for row in first_json_records(path):
            if isinstance(row, dict):
                if "_id" in row:
                    return "beir"
                if "text" in row or "title" in row:
                    return "jsonl"
                break
        if b'"CONTEXTS"' in opening:
            return "pubmedqa"
        if b"pubmed" in stripped[:200] and name.endswith(".json"):
            return "bioasq"
    raise UnknownFormat(f"{path}: unrecognised format")


@guarded
def _read_archive(path: Path) -> Iterator[Record]:
    member_name = ""
    try:
        with tarfile.open(path) as archive:
            for member in archive:
                member_name = member.name
                if not member.isfile() or not member.name.lower().endswith(".xml"):
                    continue
                stream = archive.extractfile(member)
                if stream is None:
                    continue
                data = stream.read()
                where = f"{path}!{member.name}"
                root = xml_root_tag(data) or ""
                if root in MEDQUAD_ROOTS:
                    yield from read_medquad_bytes(data, where)
                elif root:
                    yield RecordProblem(where, f"skipped: XML root <{root}> is not a MedQuAD "
                                        f"document (<{'>, <'.join(MEDQUAD_ROOTS)}>)")
    except (tarfile.TarError, OSError, EOFError, lzma.LZMAError, zlib.error) as error:
        after = f" after {member_name}" if member_name else ""
        reason = " ".join(str(error).split())
        yield RecordProblem(str(path), f"damaged archive{after} ({reason}); the members "
                            "before it were read. Re-download it and ingest it again.")


def read_any(path: Path) -> Iterator[Record]:
    """Records of a file or folder, whatever its format; an unknown one is a problem record."""
    if not path.exists():
        yield RecordProblem(str(path), "no such file or folder; check the path")
        return
    try:
        kind = detect_format(path)
    except UnknownFormat as error:
        yield RecordProblem(str(path), f"{str(error).split(': ', 1)[-1]}. {_HINT}")
        return
    except (OSError, zipfile.BadZipFile) as error:
        yield RecordProblem(str(path), f"cannot read: {error}")
        return
    except Exception as error:  # detection must never end an ingest
        yield RecordProblem(str(path), f"cannot tell the file's format ({type(error).__name__}: "
                            f"{error}). {_HINT}")
        return
    if kind == "beir":
        yield from read_jsonl(path / "corpus.jsonl" if path.is_dir() else path, beir=True)
    elif kind == "markdown":
        yield from read_markdown(path)
    elif kind == "html":
        yield from read_html(path)
    elif kind == "docx":
        yield from read_docx(path)
    elif kind == "pdf":
        yield from read_pdf(path)
    elif kind == "jats":
        yield from read_jats(path)
    elif kind == "open-medicine":
        yield from read_open_medicine(path)
    elif kind == "jsonl":
        yield from read_jsonl(path)
    elif kind == "pubmed-xml":
        yield from read_pubmed_xml(path)
    elif kind == "medquad-xml":
        yield from read_medquad(path)
    elif kind == "pubmedqa":
        yield from read_pubmedqa(path)
    elif kind == "bioasq":
        yield from read_bioasq(path)
    elif kind == "scifact":
        yield from read_scifact(path)
    else:
        yield from _read_archive(path)
