"""HTML and Word (.docx) guidelines and protocols: heading paths, one line per paragraph, list
item and table row, boilerplate left out, sidecar metadata, and bad files reported while the
good ones beside them are ingested. Every fixture is synthetic, written by these tests."""

from __future__ import annotations

import json
import random
import tempfile
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curbside.library.formats import Record, RecordProblem
from curbside.library.formats.detect import detect_format, read_any
from curbside.library.formats.docx import read_docx
from curbside.library.formats.html import parse_html, read_html
from curbside.library.ingest import ingest_paths
from curbside.library.store import Library
from curbside.models import GUIDANCE_SOURCE, Document

SYNTHETIC = "Synthetic test guideline for Curbside's tests; not medicine."
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Synthetic Widget Fever Page</title>
<style>.x {{ color: red }}</style><script>var tracking = "SCRIPT TEXT";</script></head>
<body class="page-with-sidebar">
<header><h1>Synthetic Hospital Intranet</h1></header>
<nav><ul><li>NAV HOME</li><li>NAV CONTACT</li></ul></nav>
<div class="breadcrumbs">BREADCRUMB Home › Guidelines</div>
<div id="cookie-banner">COOKIE We use cookies.</div>
<main>
<h1>Synthetic Widget Fever Guideline</h1>
<p>{SYNTHETIC}</p>
<h2>Treatment</h2>
<h3>First-Line Care</h3>
<p>Give <strong>synthetic drug A</strong>   10&nbsp;mg
   by mouth <a href="https://example.org/a">(test fixture)</a>.</p>
<p>Exclusions from the drug A preference:</p>
<ul><li>Synthetic kidney failure</li><li>Synthetic liver failure</li></ul>
<ul>
  <li><b>Drug B</b> (synthetic):
    <ul><li>Indication: when drug A is not tolerated.</li>
        <li>Caveat: avoid in synthetic kidney disease.</li></ul></li>
  <li>Rest in a quiet room.<ul><li>Dim the synthetic lights.</li></ul></li>
  <li>Synthetic drug C<ul><li>add when drug A fails</li></ul></li>
</ul>
<table>
  <thead><tr><th>Parameter</th><th>Recommendation</th></tr></thead>
  <tbody><tr><td>Dose</td><td>10 mg once</td></tr>
         <tr><td>Duration</td><td>3 days</td></tr></tbody>
</table>
<table>
  <tr><th>Age</th><th>Dose</th><th>Route</th></tr>
  <tr><td>Adult</td><td>10 mg</td><td>oral</td></tr>
  <tr><td>Child</td><td>"5 mg" (synthetic)</td><td></td></tr>
</table>
<pre>flow chart --> never quoted</pre>
<aside>ASIDE related links</aside>
<h2>Follow-up</h2>
<div>Review after 3 days.<div class="sidebar-menu">MENU TEXT</div></div>
<form><p>FORM search this site</p></form>
</main>
<footer><p>FOOTER Synthetic Hospital 2025</p></footer>
<noscript>NOSCRIPT enable JavaScript</noscript>
</body></html>
"""
BOILERPLATE = ("SCRIPT", "NAV", "BREADCRUMB", "COOKIE", "ASIDE", "MENU", "FORM", "FOOTER",
               "NOSCRIPT", "Intranet", "color", "flow chart")


def _only_document(records: list[Record]) -> Document:
    assert len(records) == 1 and isinstance(records[0], Document), records
    return records[0]


def _lines(document: Document) -> dict[str, list[str]]:
    return {section.label: section.text.split("\n") for section in document.sections}


def _page(folder: Path, name: str = "widget_fever.html") -> Path:
    path = folder / name
    path.write_text(PAGE, encoding="utf-8")
    return path


def _docx(folder: Path, name: str = "widget_protocol.docx") -> Path:
    """A Word protocol with a title, nested headings, lists and a table between headings."""
    word = docx.Document()
    word.add_paragraph("Synthetic Widget Protocol", style="Title")
    word.add_paragraph(SYNTHETIC)
    word.add_heading("Assessment", level=1)
    word.add_paragraph("Check the synthetic temperature twice.")
    word.add_heading("Dosing", level=2)
    word.add_paragraph("Before giving synthetic drug A:")
    word.add_paragraph("Confirm the synthetic weight.", style="List Bullet")
    word.add_paragraph("Ask about synthetic allergies.", style="List Bullet")
    word.add_paragraph("Drug B (synthetic):", style="List Number")
    word.add_paragraph("Indication: when drug A is not tolerated.", style="List Number 2")
    table = word.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("Age", "Dose", "Route"), ("Adult", "10 mg", "oral"),
                                       ("Child", "5 mg", "")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    word.add_heading("Follow-up", level=1)
    word.add_paragraph("Review after 3 days.")
    path = folder / name
    word.save(str(path))
    return path


# -- HTML -------------------------------------------------------------------------------------

def test_html_heading_paths_items_and_rows_are_lines(tmp_path: Path) -> None:
    path = _page(tmp_path)
    assert detect_format(path) == "html"
    document = _only_document(list(read_any(path)))
    assert document.title == "Synthetic Widget Fever Guideline"
    assert document.source == GUIDANCE_SOURCE
    assert document.publication_types == ["Practice Guideline"]
    by_label = _lines(document)
    assert by_label[""] == [SYNTHETIC]
    assert by_label["Treatment › First-Line Care"] == [
        "Give synthetic drug A 10 mg by mouth (test fixture).",
        "Exclusions from the drug A preference: Synthetic kidney failure",
        "Exclusions from the drug A preference: Synthetic liver failure",
        "Drug B (synthetic): Indication: when drug A is not tolerated.",
        "Drug B (synthetic): Caveat: avoid in synthetic kidney disease.",
        "Rest in a quiet room.",
        "Dim the synthetic lights.",
        "Synthetic drug C — add when drug A fails",
        "Dose: 10 mg once",
        "Duration: 3 days",
        "Adult — Dose: 10 mg; Route: oral",
        'Child — Dose: "5 mg" (synthetic)',
    ]
    assert by_label["Follow-up"] == ["Review after 3 days."]


def test_html_boilerplate_is_in_no_section(tmp_path: Path) -> None:
    document = _only_document(list(read_html(_page(tmp_path))))
    for section in document.sections:
        for word in BOILERPLATE:
            assert word not in section.text and word not in section.label, (word, section)
    assert "https://" not in document.full_text()


def test_html_inline_markup_keeps_the_spacing_it_was_written_with() -> None:
    _, sections = parse_html(b"<div>Synthetic <em>test</em> text<span> for</span> Curbside"
                             b"<br>tests.<p>Not medicine.</p></div>")
    assert sections[0].lines == ("Synthetic test text for Curbside tests.", "Not medicine.")


def test_html_title_falls_back_to_the_page_title_and_encodings_are_read() -> None:
    page = ("<html><head><title>Synthetic  Page\nTitle</title></head><body>"
            f"<h2>Caf\u00e9 care</h2><p>{SYNTHETIC}</p></body></html>")
    for data in (page.encode("utf-8"), page.encode("cp1252"), page.encode("utf-16")):
        title, sections = parse_html(data)
        assert title == "Synthetic Page Title"
        assert sections[0].heading_path == ("Caf\u00e9 care",)
        assert sections[0].lines == (SYNTHETIC,)


def test_html_sidecar_metadata_makes_a_protocol(tmp_path: Path) -> None:
    path = _page(tmp_path)
    (tmp_path / "widget_fever.meta.json").write_text(json.dumps({
        "title": "Synthetic Ward Protocol", "issuer": "Synthetic Hospital", "year": 2025,
        "kind": "Protocol"}), encoding="utf-8")
    document = _only_document(list(read_any(path)))
    assert (document.title, document.journal, document.year) == (
        "Synthetic Ward Protocol", "Synthetic Hospital", 2025)
    assert document.publication_types == ["Protocol"]


# -- DOCX -------------------------------------------------------------------------------------

def test_docx_heading_paths_lists_and_a_table_in_its_place(tmp_path: Path) -> None:
    path = _docx(tmp_path)
    assert detect_format(path) == "docx"
    document = _only_document(list(read_any(path)))
    assert document.title == "Synthetic Widget Protocol"
    assert document.publication_types == ["Practice Guideline"]
    assert [s.label for s in document.sections] == ["", "Assessment", "Assessment › Dosing",
                                                    "Follow-up"]
    by_label = _lines(document)
    assert by_label[""] == [SYNTHETIC]
    assert by_label["Assessment"] == ["Check the synthetic temperature twice."]
    # The table's rows follow the lists under "Dosing", before the next heading.
    assert by_label["Assessment › Dosing"] == [
        "Before giving synthetic drug A: Confirm the synthetic weight.",
        "Before giving synthetic drug A: Ask about synthetic allergies.",
        "Drug B (synthetic): Indication: when drug A is not tolerated.",
        "Adult — Dose: 10 mg; Route: oral",
        "Child — Dose: 5 mg",
    ]
    assert by_label["Follow-up"] == ["Review after 3 days."]


def test_docx_numbered_paragraphs_nest_and_merged_cells_count_once(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("Synthetic numbered protocol", level=1)
    word.add_paragraph(SYNTHETIC)
    for level, text in ((0, "Synthetic step one"), (1, "give synthetic drug A"),
                        (0, "Synthetic step two is a sentence.")):
        paragraph = word.add_paragraph(text)
        # Numbering set on the paragraph itself, as Word writes a list it numbers by hand.
        properties = paragraph._p.get_or_add_pPr()
        numbering = properties.makeelement(qn("w:numPr"), {})
        numbering.append(numbering.makeelement(qn("w:ilvl"), {qn("w:val"): str(level)}))
        numbering.append(numbering.makeelement(qn("w:numId"), {qn("w:val"): "1"}))
        properties.append(numbering)
    table = word.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Synthetic note spanning the table"
    for cell, text in zip(table.rows[1].cells, ("Adult", "10 mg", "oral"), strict=True):
        cell.text = text
    path = tmp_path / "numbered.docx"
    word.save(str(path))
    document = _only_document(list(read_docx(path)))
    assert document.title == "Synthetic numbered protocol"
    assert _lines(document)[""] == [
        SYNTHETIC, "Synthetic step one — give synthetic drug A",
        "Synthetic step two is a sentence.", "Synthetic note spanning the table",
        "Adult — 10 mg; oral"]


def test_docx_sidecar_metadata_makes_a_protocol(tmp_path: Path) -> None:
    path = _docx(tmp_path)
    (tmp_path / "widget_protocol.docx.meta.json").write_text(json.dumps({
        "title": "Synthetic Ward Protocol", "issuer": "Synthetic Hospital", "year": 2024,
        "kind": "Protocol"}), encoding="utf-8")
    document = _only_document(list(read_docx(path)))
    assert (document.title, document.journal, document.year) == (
        "Synthetic Ward Protocol", "Synthetic Hospital", 2024)
    assert document.publication_types == ["Protocol"]


# -- bad files --------------------------------------------------------------------------------

def test_bad_files_are_one_problem_each_and_the_good_ones_are_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "guidelines"
    folder.mkdir()
    _page(folder, "good_page.html")
    _docx(folder, "good_word.docx")
    junk = random.Random(7).randbytes(3000)  # synthetic junk, reproducible
    (folder / "garbage.docx").write_bytes(junk)
    with zipfile.ZipFile(folder / "not_word.docx", "w") as package:
        package.writestr("notes.txt", SYNTHETIC)
    (folder / "empty.html").write_bytes(b"")
    (folder / "binary.html").write_bytes(junk)
    (folder / "no_text.html").write_text("<html><body><h1>Only a heading</h1></body></html>",
                                         encoding="utf-8")
    with Library(tmp_path / "lib", create=True) as library:
        report = ingest_paths(library, [folder])
        stored = {row[0] for row in library.connection.execute("SELECT id FROM documents")}
    assert stored == {f"{GUIDANCE_SOURCE}:guidelines/good-page",
                      f"{GUIDANCE_SOURCE}:guidelines/good-word"}
    assert report.files == 7 and report.records == report.counts.added == 2
    problems = {Path(p.where).name: p.message for p in report.problems}
    assert set(problems) == {"garbage.docx", "not_word.docx", "empty.html", "binary.html",
                             "no_text.html"}
    assert "not a Word document" in problems["garbage.docx"] and "save it" in \
        problems["garbage.docx"]
    assert "word/document.xml" in problems["not_word.docx"]
    assert "empty" in problems["empty.html"]
    assert "binary data" in problems["binary.html"]
    assert "no text" in problems["no_text.html"]
    assert all("\n" not in message for message in problems.values())


@PROPERTY
@given(st.binary(max_size=400),
       st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"<html><body><p>", b"<h1>",
                        b"<table><tr><td>", b"PK\x03\x04"]))
def test_html_any_bytes(data: bytes, start: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "page.html"
        path.write_bytes(start + data)
        for reader in (read_html, read_any):
            records = list(reader(path))  # never raises: that is the property
            for record in records:
                assert isinstance(record, Document | RecordProblem)
                if isinstance(record, RecordProblem):
                    assert str(path) in record.where and record.message


@PROPERTY
@given(st.binary(max_size=400), st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06"]))
def test_docx_any_bytes(data: bytes, start: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "protocol.docx"
        path.write_bytes(start + data)
        for reader in (read_docx, read_any):
            [problem] = list(reader(path))  # never raises, and says what is wrong once
            assert isinstance(problem, RecordProblem) and str(path) in problem.where
