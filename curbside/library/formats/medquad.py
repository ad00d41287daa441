"""MedQuAD: NIH consumer-health pages as question/answer pairs, one XML `<Document>` each,
with the page's source URL. Answers removed by the dataset's authors (copyright) are absent, so
such documents are skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from curbside.library.formats import Record, RecordProblem
from curbside.models import Document, DocumentSection
from curbside.text import normalize_space

SOURCE_NAMES = {
    "GHR": "MedlinePlus Genetics (Genetics Home Reference)",
    "GARD": "NIH Genetic and Rare Diseases Information Center",
    "CancerGov": "National Cancer Institute (cancer.gov)",
    "NIDDK": "National Institute of Diabetes and Digestive and Kidney Diseases",
    "NINDS": "National Institute of Neurological Disorders and Stroke",
    "NHLBI": "National Heart, Lung, and Blood Institute",
    "CDC": "Centers for Disease Control and Prevention",
    "MPlusHealthTopics": "MedlinePlus Health Topics",
    "NIHSeniorHealth": "NIHSeniorHealth",
}

_PARSER = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)


def medquad_document(root: etree._Element, where: str) -> Document | None:
    """The Document of one parsed MedQuAD XML tree, or None when it has no answers."""
    # A few files use an older lower-case layout (<doc docid corpus>, <qaPairs><pair>).
    old = root.tag == "doc"
    source = root.get("corpus" if old else "source") or "MedQuAD"
    number = root.get("docid" if old else "id") or ""
    focus = normalize_space(root.findtext("doctitle-focus" if old else "Focus") or "")
    sections = []
    for pair in root.iterfind("qaPairs/pair" if old else "QAPairs/QAPair"):
        answer = normalize_space(pair.findtext("answer" if old else "Answer") or "")
        if answer:
            question = pair.find("question" if old else "Question")
            qtype = question.get("qtype", "") if question is not None else ""
            sections.append(DocumentSection(label=qtype, text=answer))
    if not sections:
        return None
    if not number:
        raise ValueError(f"{where}: <Document> has no id attribute")
    return Document(
        id=f"medquad:{source}-{number}",
        source="medquad",
        title=focus or f"MedQuAD {source} {number}",
        sections=sections,
        journal=SOURCE_NAMES.get(source, source),
        publication_types=["Consumer Health Information"],
        url=root.get("url") or None,
    )


def read_medquad_bytes(data: bytes, where: str) -> Iterator[Record]:
    try:
        root = etree.fromstring(data, _PARSER)
        document = medquad_document(root, where)
    except etree.XMLSyntaxError as error:
        yield RecordProblem(where, f"malformed XML at line {error.lineno}: {error.msg}")
        return
    except ValueError as error:
        yield RecordProblem(where, str(error))
        return
    if document is not None:
        yield document


def read_medquad(path: Path) -> Iterator[Record]:
    try:
        data = path.read_bytes()
    except OSError as error:
        yield RecordProblem(str(path), f"cannot read: {error.strerror}")
        return
    yield from read_medquad_bytes(data, str(path))
