"""PMC Open Access full text in JATS XML: an .nxml article and efetch db=pmc output of several,
with their identifiers, abstract, nested body sections, lists, table rows, captions and kind;
damaged files reported on one line with the good articles kept. Every fixture is synthetic,
written by these tests; none is a real paper."""

from __future__ import annotations

import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curbside.answer.appraise import appraise
from curbside.library.formats import Record, RecordProblem
from curbside.library.formats.detect import detect_format, read_any
from curbside.library.formats.folders import expand_paths
from curbside.library.formats.jats import read_jats
from curbside.library.ingest import ingest_paths
from curbside.library.store import Library
from curbside.models import Document

SYNTHETIC = "Synthetic test article for Curbside's tests; not a real study."
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

ARTICLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE article PUBLIC
  "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.3 20210610//EN"
  "JATS-archivearticle1-3.dtd">
<article xmlns:xlink="http://www.w3.org/1999/xlink"
         xmlns:mml="http://www.w3.org/1998/Math/MathML" article-type="research-article">
<front>
  <journal-meta><journal-title-group>
    <journal-title>Synthetic Journal of Widget Medicine</journal-title>
  </journal-title-group></journal-meta>
  <article-meta>
    <article-id pub-id-type="pmid">99000001</article-id>
    <article-id pub-id-type="pmc">9900001</article-id>
    <article-id pub-id-type="doi">10.99999/synthetic.0001</article-id>
    <article-categories>
      <subj-group><subject>Research Article</subject></subj-group>
    </article-categories>
    <title-group><article-title>Synthetic drug A for <italic>widget fever</italic>: a
      synthetic cohort</article-title></title-group>
    <contrib-group>
      <contrib contrib-type="author">
        <name><surname>Tester</surname><given-names>Ada B.</given-names></name></contrib>
      <contrib contrib-type="author"><collab>Synthetic Widget Group</collab></contrib>
      <contrib contrib-type="editor">
        <name><surname>Editor</surname><given-names>E</given-names></name></contrib>
    </contrib-group>
    <pub-date pub-type="collection"><year>2019</year></pub-date>
    <pub-date pub-type="epub"><day>3</day><month>5</month><year>2018</year></pub-date>
    <abstract>
      <sec><title>Background</title><p>{SYNTHETIC}</p></sec>
      <sec><title>Conclusions:</title>
        <p>Synthetic drug A shortened synthetic widget fever.</p></sec>
    </abstract>
  </article-meta>
</front>
<body>
  <sec sec-type="intro"><title>Introduction</title>
    <p>Widget fever is a synthetic condition<sup><xref ref-type="bibr" rid="r1">1</xref>,
      <xref ref-type="bibr" rid="r2">2</xref></sup> invented for tests
      [<xref ref-type="bibr" rid="r3">3</xref>]. <xref ref-type="bibr" rid="r4">Tester et al.
      (2017)</xref> first described it.</p>
  </sec>
  <sec sec-type="results"><title>Results</title>
    <p>Synthetic patients were followed for <bold>12</bold> weeks.</p>
    <sec><title>Primary outcome</title>
      <p>Fever settled in 3 days with synthetic drug A
        (<xref ref-type="fig" rid="f1">Figure 1</xref>).</p>
      <p>Adverse events were:<list list-type="bullet">
        <list-item><p>synthetic rash</p></list-item>
        <list-item><p>synthetic nausea</p></list-item>
      </list></p>
      <table-wrap id="t1"><label>Table 1</label>
        <caption><title>Synthetic outcomes by group</title></caption>
        <table><thead><tr><th>Group</th><th>Days to settle</th><th>Rash</th></tr></thead>
          <tbody><tr><td>Drug A</td><td>3</td><td>2 %</td></tr>
                 <tr><td>Placebo</td><td>6</td><td>1 %</td></tr></tbody></table>
        <table-wrap-foot><fn><p>FOOTNOTE abbreviations.</p></fn></table-wrap-foot>
      </table-wrap>
      <fig id="f1"><label>Figure 1</label>
        <caption><p>Synthetic fever curves by week.</p></caption>
        <graphic xlink:href="f1.jpg"/></fig>
      <p>The effect held with <disp-formula><tex-math>FORMULA x^2</tex-math></disp-formula>
        adjustment.</p>
    </sec>
  </sec>
  <sec sec-type="supplementary-material"><title>Supplementary material</title>
    <p>SUPPLEMENT text.</p></sec>
</body>
<back>
  <ack><p>ACKNOWLEDGEMENT text.</p></ack>
  <ref-list><ref id="r1"><mixed-citation>REFERENCE one.</mixed-citation></ref></ref-list>
</back>
</article>
"""

SET = f"""<?xml version="1.0"?>
<!DOCTYPE pmc-articleset PUBLIC "-//NLM//DTD ARTICLE SET 2.0//EN"
  "https://dtd.nlm.nih.gov/ncbi/pmc/articleset/nlm-articleset-2.0.dtd">
<pmc-articleset>
<article article-type="review-article"><front><article-meta>
  <article-id pub-id-type="pmcid">PMC9900002</article-id>
  <title-group>
    <article-title>Synthetic drugs for widget fever: a systematic review</article-title>
  </title-group>
  <abstract><p>{SYNTHETIC} We pooled synthetic trials.</p></abstract>
</article-meta></front></article>
<article article-type="review-article"><front><article-meta>
  <article-id pub-id-type="pmcid">PMC9900003</article-id>
  <title-group>
    <article-title>Widget fever: a synthetic narrative overview</article-title>
  </title-group>
  <abstract><p>{SYNTHETIC}</p></abstract>
</article-meta></front></article>
<article article-type="case-report"><front><article-meta>
  <article-id pub-id-type="pmcid">PMC9900004</article-id>
  <title-group><article-title>A synthetic case of widget fever</article-title></title-group>
</article-meta></front>
<body><p>{SYNTHETIC}</p><p>The synthetic patient recovered.</p></body></article>
<article article-type="research-article"><front><article-meta>
  <article-id pub-id-type="pmcid">PMC9900005</article-id>
  <title-group><article-title>An article with no text</article-title></title-group>
</article-meta></front></article>
</pmc-articleset>
"""


def _lines(document: Document) -> dict[str, list[str]]:
    return {section.label: section.text.split("\n") for section in document.sections}


def _documents(records: list[Record]) -> list[Document]:
    return [r for r in records if isinstance(r, Document)]


def test_an_article_keeps_its_metadata_abstract_and_body_sections(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_article.nxml"
    path.write_text(ARTICLE, encoding="utf-8")
    assert detect_format(path) == "jats"
    [document] = list(read_any(path))
    assert isinstance(document, Document)
    assert document.id == "pmc:PMC9900001"
    assert (document.pmcid, document.pmid, document.doi) == (
        "PMC9900001", "99000001", "10.99999/synthetic.0001")
    assert document.title == "Synthetic drug A for widget fever: a synthetic cohort"
    assert document.journal == "Synthetic Journal of Widget Medicine"
    assert document.year == 2018  # the first publication, not the issue's
    assert document.authors == ["Tester AB", "Synthetic Widget Group"]
    assert document.url == "https://pmc.ncbi.nlm.nih.gov/articles/PMC9900001/"
    assert document.publication_types == ["Journal Article"]
    assert appraise(document).kind == "Research"
    assert _lines(document) == {
        # The abstract is labelled as PubMed labels it.
        "BACKGROUND": [SYNTHETIC],
        "CONCLUSIONS": ["Synthetic drug A shortened synthetic widget fever."],
        # Citation markers are gone, and the words they were glued to are whole.
        # An author-year citation is part of its sentence and stays.
        "Introduction": ["Widget fever is a synthetic condition invented for tests. Tester et "
                         "al. (2017) first described it."],
        "Results": ["Synthetic patients were followed for 12 weeks."],
        "Results › Primary outcome": [
            "Fever settled in 3 days with synthetic drug A (Figure 1).",
            "Adverse events were: synthetic rash",
            "Adverse events were: synthetic nausea",
            "Table 1: Synthetic outcomes by group",
            "Drug A — Days to settle: 3; Rash: 2 %",
            "Placebo — Days to settle: 6; Rash: 1 %",
            "Figure 1: Synthetic fever curves by week.",
            "The effect held with adjustment.",
        ],
    }
    for left_out in ("SUPPLEMENT", "ACKNOWLEDGEMENT", "REFERENCE", "FOOTNOTE", "FORMULA"):
        assert left_out not in document.full_text()


def test_an_efetch_article_set_gives_each_article_its_kind(tmp_path: Path) -> None:
    path = tmp_path / "efetch_pmc.xml"
    path.write_text(SET, encoding="utf-8")
    assert detect_format(path) == "jats"
    records = list(read_jats(path))
    documents = {d.id: d for d in _documents(records)}
    kinds = {doc_id: appraise(d).kind for doc_id, d in documents.items()}
    assert kinds == {"pmc:PMC9900002": "Systematic review",  # a review that says so
                     "pmc:PMC9900003": "Review",  # a review that does not
                     "pmc:PMC9900004": "Case report"}
    assert documents["pmc:PMC9900004"].sections[0].label == ""
    [problem] = [r for r in records if isinstance(r, RecordProblem)]
    assert problem.where == f"{path} article 4 (PMC9900005)"
    assert "no text" in problem.message and "\n" not in problem.message


def test_damaged_xml_keeps_the_articles_before_it(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xml"
    cut = SET.index("<article article-type=\"case-report\">")
    path.write_text(SET[:cut] + "<article><front><broken", encoding="utf-8")
    records = list(read_any(path))
    assert [d.id for d in _documents(records)] == ["pmc:PMC9900002", "pmc:PMC9900003"]
    [problem] = [r for r in records if isinstance(r, RecordProblem)]
    assert problem.where == str(path)
    assert "malformed XML at line" in problem.message and "2 articles before it" in \
        problem.message and "ingest" in problem.message


def test_bad_files_are_one_problem_each_and_a_pdf_beside_its_xml_is_skipped(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "pmc"
    folder.mkdir()
    (folder / "article.nxml").write_text(ARTICLE, encoding="utf-8")
    (folder / "article.pdf").write_bytes(b"%PDF-1.4 the same article, typeset\n%%EOF\n")
    (folder / "empty.nxml").write_bytes(b"")
    (folder / "binary.nxml").write_bytes(bytes(range(256)))
    (folder / "pubmed.nxml").write_text("<PubmedArticleSet/>", encoding="utf-8")
    assert folder / "article.pdf" not in list(expand_paths([folder]))
    with Library(tmp_path / "lib", create=True) as library:
        report = ingest_paths(library, [folder])
        stored = {row[0] for row in library.connection.execute("SELECT id FROM documents")}
    assert stored == {"pmc:PMC9900001"}
    problems = {Path(p.where).name: p.message for p in report.problems}
    assert set(problems) == {"empty.nxml", "binary.nxml", "pubmed.nxml"}
    assert "malformed XML" in problems["binary.nxml"]
    assert "not PMC JATS" in problems["pubmed.nxml"]
    assert all("\n" not in m and "ingest" in m for m in problems.values())


# -- any input at all -----------------------------------------------------------------------------

@PROPERTY
@given(st.binary(max_size=400),
       st.sampled_from([b"", b"<article>", b"<pmc-articleset><article><front>",
                        ARTICLE.encode()[:400]]))
def test_any_bytes_give_problems_not_exceptions(data: bytes, start: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "article.nxml"
        path.write_bytes(start + data)
        for reader in (read_jats, read_any):
            records = list(reader(path))  # never raises: that is the property
            assert records
            for record in records:
                assert isinstance(record, Document | RecordProblem)
                if isinstance(record, RecordProblem):
                    assert str(path) in record.where and "\n" not in record.message


# Well-formed JATS of any shape: the elements the reader reads, nested any way, any text.
_TAGS = ["sec", "title", "label", "p", "list", "list-item", "table-wrap", "caption", "table",
         "thead", "tbody", "tr", "th", "td", "fig", "xref", "sup", "italic", "boxed-text",
         "def-list", "def-item", "term", "def", "disp-formula", "tex-math", "alternatives",
         "floats-group", "abstract", "fn", "graphic"]
_WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attributes = draw(st.sampled_from(["", ' ref-type="bibr"', ' sec-type="results"',
                                       ' colspan="3"', ' colspan="x"']))
    children = draw(st.lists(_element(depth + 1), max_size=3)) if depth < 4 else []
    texts = draw(st.lists(_WORDS, min_size=len(children) + 1, max_size=len(children) + 1))
    inner = escape(texts[0]) + "".join(c + escape(t) for c, t in zip(children, texts[1:],
                                                                       strict=True))
    return f"<{tag}{attributes}>{inner}</{tag}>"


@PROPERTY
@given(st.lists(_element(), max_size=4), st.lists(_element(), max_size=3),
       st.sampled_from(["research-article", "review-article", "case-report", "", "x"]),
       st.booleans())
def test_any_well_formed_jats_gives_documents_or_problems(
    body: list[str], front: list[str], kind: str, in_a_set: bool,
) -> None:
    article = (f'<article article-type="{kind}"><front><article-meta>'
               f'<article-id pub-id-type="pmc">PMC1</article-id>{"".join(front)}'
               f"</article-meta></front><body>{''.join(body)}</body></article>")
    xml = f"<pmc-articleset>{article}{article}</pmc-articleset>" if in_a_set else article
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "article.nxml"
        path.write_text(xml, encoding="utf-8")
        records = list(read_jats(path))
        assert len(records) == (2 if in_a_set else 1)
        for record in records:
            assert isinstance(record, Document | RecordProblem)
            if isinstance(record, RecordProblem):  # the only problem well-formed JATS can have
                assert "holds no text" in record.message, record
