"""MEDLINE/PubMed XML on real NLM records, plus synthetic edge cases written for these tests."""

from __future__ import annotations

import gzip
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.library.formats import RecordProblem
from curbside.library.formats.pubmed_xml import read_pubmed_xml
from curbside.models import Document, DocumentDeletion

SYNTHETIC_NOTE = "<!-- synthetic record written for Curbside's tests; not real literature -->"


def _documents(path: Path) -> list[Document]:
    return [r for r in read_pubmed_xml(path) if isinstance(r, Document)]


def test_medline_sample_file_yields_every_citation(data_dir: Path) -> None:
    documents = _documents(data_dir / "pubmed-xml-samples" / "medsamp2012.xml.gz")
    assert len(documents) == 156
    assert len({d.id for d in documents}) == 156
    first = documents[0]
    assert first.id == "pmid:10540283"
    assert first.journal == "Molecular microbiology"
    assert first.year == 1999
    assert first.revised == "2006-11-15"
    assert all(d.id.startswith("pmid:") and d.url for d in documents)
    assert sum(len(d.publication_types) for d in documents) == 297  # <PublicationType>s in the file
    assert sum(1 for d in documents if d.mesh_terms) > 100


def test_efetch_article_keeps_section_labels_and_doi(data_dir: Path) -> None:
    [document] = _documents(data_dir / "pubmed-xml-samples" / "pubmed-29768149.xml")
    assert document.title.startswith("Inhaled Combined Budesonide-Formoterol")
    labels = [s.label for s in document.sections]
    assert labels[:2] == ["BACKGROUND", "METHODS"]
    assert "CONCLUSIONS" in labels
    assert document.doi == "10.1056/NEJMoa1715274"
    assert "Randomized Controlled Trial" in document.publication_types
    assert document.year == 2018


def _write(tmp_path: Path, body: str, name: str = "sample.xml") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?>\n{SYNTHETIC_NOTE}\n<PubmedArticleSet>{body}'
                    "</PubmedArticleSet>", encoding="utf-8")
    return path


def _article(pmid: str, title: str, abstract: str = "", pub_date: str = "<Year>2020</Year>",
             extra: str = "") -> str:
    return (
        f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><Journal><JournalIssue>"
        f"<PubDate>{pub_date}</PubDate></JournalIssue><Title>Synthetic Journal</Title></Journal>"
        f"<ArticleTitle>{title}</ArticleTitle><Abstract>{abstract}</Abstract>"
        f"<PublicationTypeList><PublicationType>Journal Article</PublicationType>{extra}"
        "</PublicationTypeList></Article></MedlineCitation></PubmedArticle>"
    )


def test_medline_date_gives_the_year(tmp_path: Path) -> None:
    path = _write(tmp_path, _article("1", "Synthetic title",
                                     pub_date="<MedlineDate>1998 Dec-1999 Jan</MedlineDate>"))
    [document] = _documents(path)
    assert document.year == 1998


def test_retracted_publication_is_flagged(tmp_path: Path) -> None:
    extra = "<PublicationType>Retracted Publication</PublicationType>"
    path = _write(tmp_path, _article("2", "Synthetic retracted", extra=extra))
    [document] = _documents(path)
    assert document.retracted


def test_delete_citation_yields_deletions(tmp_path: Path) -> None:
    body = _article("3", "Synthetic kept") + "<DeleteCitation><PMID>4</PMID><PMID>5</PMID>" \
        "</DeleteCitation>"
    records = list(read_pubmed_xml(_write(tmp_path, body)))
    assert [r.id for r in records if isinstance(r, DocumentDeletion)] == ["pmid:4", "pmid:5"]
    assert [r.id for r in records if isinstance(r, Document)] == ["pmid:3"]


def test_malformed_xml_keeps_earlier_records_and_says_where(tmp_path: Path) -> None:
    body = _article("6", "Synthetic first") + "<PubmedArticle><MedlineCitation><PMID>7</PMID>"
    path = tmp_path / "broken.xml"
    path.write_text(f"<PubmedArticleSet>{body}<oops></PubmedArticleSet>", encoding="utf-8")
    records = list(read_pubmed_xml(path))
    assert [r.id for r in records if isinstance(r, Document)] == ["pmid:6"]
    [problem] = [r for r in records if isinstance(r, RecordProblem)]
    assert "malformed XML at line" in problem.message
    assert "ingest it again" in problem.message


def test_truncated_gzip_is_reported(tmp_path: Path, data_dir: Path) -> None:
    whole = (data_dir / "pubmed-xml-samples" / "medsamp2012.xml.gz").read_bytes()
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(whole[: len(whole) // 2])
    records = list(read_pubmed_xml(path))
    assert any(isinstance(r, Document) for r in records)
    assert isinstance(records[-1], RecordProblem)


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "records.xml"
    path.write_bytes(gzip.compress(_write(tmp_path, _article("8", "Synthetic gz"),
                                          "plain.xml").read_bytes()))
    assert [d.id for d in _documents(path)] == ["pmid:8"]


_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    min_size=1, max_size=200,
).filter(lambda t: t.strip())


@settings(max_examples=60, deadline=None)
@given(title=_texts, label=st.sampled_from(["BACKGROUND", "RESULTS", "CONCLUSIONS"]),
       text=_texts)
def test_any_title_and_abstract_round_trip(tmp_path_factory: object, title: str, label: str,
                                           text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        abstract = f'<AbstractText Label="{label}">{escape(text)}</AbstractText>'
        path = _write(Path(folder), _article("9", escape(title), abstract))
        [document] = _documents(path)
    assert document.title == " ".join(title.split())
    assert document.sections[0].label == label
    assert document.sections[0].text == " ".join(text.split())
