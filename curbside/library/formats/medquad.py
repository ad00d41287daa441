"""MedQuAD: NIH consumer-health pages as question/answer pairs, one XML `<Document>` each,
with the page's source URL. Answers removed by the dataset's authors (copyright) are absent, so
such documents are skipped.

Three layouts: `<Document id source url>` (nearly all files), an older lower-case one (`<doc
docid corpus>`, `<qaPairs><pair>`), and `<DiseaseFile fid source url>` with the same children as
`<Document>` (one file of the release, `9_CDC_QA/0000397.xml`, Parasites - Taeniasis)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from curbside.library.formats import Record, RecordProblem, guarded
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

_PARSER = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False,
                          huge_tree=True)
# The root elements of a MedQuAD file, and the attribute holding each one's document number.
ID_ATTRIBUTES = {"Document": "id", "doc": "docid", "DiseaseFile": "fid"}
ROOTS = tuple(ID_ATTRIBUTES)


def medquad_document(root: etree._Element) -> Document | None:
    """The Document of one parsed MedQuAD XML tree, or None when it has no answers."""
    if root.tag not in ID_ATTRIBUTES:
        raise ValueError(f"root element <{root.tag}> is not one of MedQuAD's "
                         f"({', '.join(ROOTS)})")
    old = root.tag == "doc"
    source = root.get("corpus" if old else "source") or "MedQuAD"
    number = root.get(ID_ATTRIBUTES[root.tag]) or ""
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
        raise ValueError(f"<{root.tag}> has no {ID_ATTRIBUTES[root.tag]} attribute; add the "
                         "document's number to it")
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
        document = medquad_document(root)
    except etree.XMLSyntaxError as error:
        yield RecordProblem(where, f"skipped: malformed XML at line {error.lineno}: {error.msg}; "
                            "fix the file (save it as UTF-8, close its tags) and ingest it again")
        return
    except ValueError as error:
        yield RecordProblem(where, f"skipped: {error}")
        return
    except Exception as error:  # a file is one record: whatever fails skips only it
        yield RecordProblem(where, f"skipped: the file cannot be read ({type(error).__name__}: "
                            f"{error}); fix it and ingest it again")
        return
    if document is not None:
        yield document


@guarded
def read_medquad(path: Path) -> Iterator[Record]:
    try:
        data = path.read_bytes()
    except OSError as error:
        yield RecordProblem(str(path), f"cannot read: {error.strerror}")
        return
    yield from read_medquad_bytes(data, str(path))
