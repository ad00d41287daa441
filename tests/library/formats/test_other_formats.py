"""The other document formats, read from the real public data sets, and format detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curbside.answer.sentences import UNQUOTABLE_SECTIONS
from curbside.library.formats import RecordProblem
from curbside.library.formats.bioasq import (
    EXCERPT_SOURCE,
    EXCERPTS_LABEL,
    cut_pieces,
    whole_sentences,
)
from curbside.library.formats.detect import detect_format, read_any
from curbside.library.formats.scifact import abstract_sentences
from curbside.models import Document
from curbside.text import split_sentences


def _documents(path: Path) -> list[Document]:
    return [r for r in read_any(path) if isinstance(r, Document)]


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("pubmed-xml-samples/medsamp2012.xml.gz", "pubmed-xml"),
        ("pubmed-xml-samples/biopython-tests/Entrez_pubmed1.xml", "pubmed-xml"),
        ("pubmedqa/ori_pqal.json", "pubmedqa"),
        ("bioasq-12b-golden", "bioasq"),
        ("bioasq-12b-golden/doc_to_abstract.json", "bioasq"),
        ("scifact/scifact-csv.zip", "scifact"),
        ("medquad/MedQuAD-xml-all.tar.xz", "archive"),
    ],
)
def test_formats_are_detected(data_dir: Path, relative: str, expected: str) -> None:
    assert detect_format(data_dir / relative) == expected


def test_pubmedqa_restores_the_conclusion(data_dir: Path) -> None:
    documents = _documents(data_dir / "pubmedqa" / "ori_pqal.json")
    assert len(documents) == 1000
    first = documents[0]
    assert first.id == "pmid:21645374"
    assert first.sections[-1].label == "CONCLUSIONS"
    assert first.year and first.mesh_terms


def test_bioasq_documents_keyed_by_pmid(data_dir: Path) -> None:
    records = list(read_any(data_dir / "bioasq-12b-golden"))
    documents = [r for r in records if isinstance(r, Document)]
    abstracts = [d for d in documents if not d.excerpts_only]
    assert len(abstracts) == 1508
    assert not [r for r in records if isinstance(r, RecordProblem)]
    assert all(d.id.startswith("pmid:") and d.id[5:].isdigit() for d in documents)


def test_bioasq_judged_papers_without_abstract_become_excerpt_documents(data_dir: Path) -> None:
    folder = data_dir / "bioasq-12b-golden"
    excerpts = [d for d in _documents(folder) if d.excerpts_only]
    assert len(excerpts) == 3369
    quoted: dict[str, list[str]] = {}
    for batch in folder.glob("12B*_golden.json"):
        for question in json.loads(batch.read_text(encoding="utf-8"))["questions"]:
            for snippet in question["snippets"]:
                pmid = snippet["document"].rstrip("/").rsplit("/", 1)[-1]
                quoted.setdefault(f"pmid:{pmid}", []).append(snippet["text"])
    for document in excerpts:
        assert document.source == EXCERPT_SOURCE
        # Every sentence kept is quoted by the experts (overlapping quotes joined), whole:
        # nothing is cut mid-sentence.
        texts = quoted[document.id]
        for section in document.sections:
            if section.label != EXCERPTS_LABEL:
                assert section.label.lower() in UNQUOTABLE_SECTIONS
                continue
            for sentence in split_sentences(section.text):
                assert any(sentence[:20] in text for text in texts), sentence
                assert any(sentence[-20:] in text for text in texts), sentence
            assert section.text.rstrip()[-1] in ".!?)]\"'", document.id


@given(st.text(alphabet="abcXYZ .!?", max_size=60))
def test_excerpt_spans_keep_whole_sentences_only(span: str) -> None:
    kept = whole_sentences(span)
    assert kept in span
    # Nothing is lost: what is not whole is kept apart, to be searched but not quoted.
    assert sorted(f"{kept} {cut_pieces(span)}".replace("…", "").split()) == sorted(span.split())
    assert not kept or kept[-1] in ".!?"
    assert not kept[:1].islower() or kept.split(" ")[0] != kept.split(" ")[0].lower()


def test_scifact_corpus(data_dir: Path) -> None:
    documents = _documents(data_dir / "scifact" / "scifact-csv.zip")
    assert len(documents) == 5183
    assert documents[0].id == "s2:4983"
    assert "['" not in documents[0].sections[0].text


def test_medquad_archive_keeps_source_urls(data_dir: Path) -> None:
    records = list(read_any(data_dir / "medquad" / "MedQuAD-xml-all.tar.xz"))
    documents = [r for r in records if isinstance(r, Document)]
    assert len(documents) > 5000
    # Every member is read, 9_CDC_QA/0000397.xml too (its root is <DiseaseFile fid=…>).
    assert not [r for r in records if isinstance(r, RecordProblem)]
    assert any(d.id == "medquad:CDC-0000397" for d in documents)
    opmd = [d for d in documents if d.id == "medquad:GARD-0004514"]
    assert opmd and opmd[0].url and opmd[0].url.startswith("https://rarediseases.info.nih.gov")
    assert all(d.url for d in documents)
    labels = {s.label for d in documents for s in d.sections}
    assert {"information", "symptoms", "treatment"} <= labels


def test_beir_corpus_keeps_ids_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    rows = [{"_id": "doc-1", "title": "Synthetic test title", "text": "Synthetic test text."},
            {"_id": "42", "title": "", "text": "Another synthetic text for tests."}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    records = list(read_any(path))
    assert [r.id for r in records if isinstance(r, Document)] == ["doc-1", "42"]
    [problem] = [r for r in records if isinstance(r, RecordProblem)]
    assert problem.where.endswith(":3")


def test_plain_jsonl_with_metadata(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    row = {"id": "guideline:synthetic", "title": "Synthetic guideline for tests",
           "text": "Synthetic text, not medical advice.", "year": "2024",
           "publication_types": ["Practice Guideline"], "url": "https://example.org/g"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    [document] = _documents(path)
    assert document.id == "guideline:synthetic"
    assert document.year == 2024
    assert document.publication_types == ["Practice Guideline"]


def test_script_urls_are_dropped_and_the_records_kept(tmp_path: Path) -> None:
    jsonl = tmp_path / "docs.jsonl"
    row = {"id": "hostile:jsonl", "title": "Synthetic record with a script URL",
           "text": "Synthetic text written for Curbside's tests.", "url": "javascript:alert(1)"}
    jsonl.write_text(json.dumps(row) + "\n", encoding="utf-8")
    medquad = tmp_path / "0001.xml"
    medquad.write_text(
        '<?xml version="1.0"?><!-- synthetic record written for Curbside\'s tests -->'
        '<Document id="0001" source="GARD" url=" JaVaScRiPt:alert(2)"><Focus>Synthetic '
        'condition</Focus><QAPairs><QAPair><Question qtype="information">What is it?'
        '</Question><Answer>A synthetic condition invented for tests.</Answer></QAPair>'
        '</QAPairs></Document>', encoding="utf-8")
    documents = _documents(jsonl) + _documents(medquad)
    assert [d.id for d in documents] == ["hostile:jsonl", "medquad:GARD-0001"]
    assert [d.url for d in documents] == [None, None]


def test_unknown_format_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some words", encoding="utf-8")
    [problem] = list(read_any(path))
    assert isinstance(problem, RecordProblem)
    assert "unrecognised format" in problem.message
    assert "PubMed XML" in problem.message


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    [problem] = list(read_any(tmp_path / "nope.xml"))
    assert isinstance(problem, RecordProblem) and "no such file" in problem.message


_sentence = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80
).filter(lambda s: s.strip() == s and s)


@given(st.lists(_sentence, min_size=1, max_size=8))
def test_scifact_sentence_lists_parse_back(sentences: list[str]) -> None:
    # numpy prints an array of strings as reprs separated by newline + space, with no commas.
    cell = "[" + "\n ".join(repr(s) for s in sentences) + "]"
    assert abstract_sentences(cell) == sentences
