"""PDF guidelines and protocols: headings from the outline or the type, paragraphs joined
across line breaks, list items, running headers, footers and page numbers left out, sidecar
metadata, and scanned, locked or damaged files reported on one line while the good ones beside
them are ingested. Every fixture is synthetic, made by these tests with fpdf2."""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF
from fpdf.enums import EncryptionMethod
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError

import curbside.library.formats.pdf as pdf_reader
from curbside.library.formats import Record, RecordProblem
from curbside.library.formats.detect import detect_format, read_any
from curbside.library.formats.pdf import parse_pdf, read_pdf
from curbside.library.ingest import ingest_paths
from curbside.library.store import Library
from curbside.models import GUIDANCE_SOURCE, Document
from tests.library.formats.test_jats import ARTICLE
from tests.test_cli import curbside

SYNTHETIC = "Synthetic test protocol for Curbside's tests; not medicine."
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
HEADER = "Synthetic Hospital · Widget Fever Protocol · version 3"


@dataclass(frozen=True)
class Text:
    """One line as set on the page: its type, indent (mm) and space above it (mm)."""

    text: str
    size: float = 11
    bold: bool = False
    indent: float = 0
    space: float = 0
    bookmark: int | None = None  # its outline level (0 for the top), when it has one
    bookmark_title: str = ""  # the bookmark's own words, when they differ from the line's


# Each list is one page; lines are set exactly as given, so wrapping is the test's own.
PAGES: list[list[Text]] = [[
    Text("Synthetic Widget Fever Protocol", size=20, bookmark=0),
    Text(SYNTHETIC, space=4),
    Text("1 Assessment", size=14, bold=True, space=6, bookmark=1),
    Text("Check the synthetic temperature twice a day and write it in the synthetic chart",
         space=2),
    Text("before any dose is given."),
    Text("Synthetic widget fever is a made-up condition used only to test how Curbside",
         space=4),
    Text("reads paragraphs."),
    Text("2 Treatment", size=14, bold=True, space=6, bookmark=1),
    Text("2.1 First-line care", size=12, bold=True, space=4, bookmark=2),
    Text("Give synthetic drug A 10 mg by mouth once daily for three days to every synthetic",
         space=2),
    Text("adult with con-"),
    Text("firmed widget fever."),
    Text("Before giving synthetic drug A:", space=4),
    Text("• Confirm the synthetic weight.", indent=4),
    Text("• Ask about synthetic allergies.", indent=4),
    Text("- Record any synthetic rash.", indent=10),
    Text("Most synthetic patients feel better within a week, and those who do not are",
         space=4),
], [
    Text("seen again by the synthetic team."),
    Text("Special care", space=6, bookmark=1, bookmark_title="Special care"),
    Text("Synthetic children get half the synthetic adult dose.", space=2),
    Text("3 Follow-up", size=14, bold=True, space=6, bookmark=1, bookmark_title="Follow-up"),
    Text("1. Review after three days.", space=2),
    Text("2. Stop synthetic drug A when the synthetic fever settles."),
]]


def _pdf(pages: list[list[Text]] = PAGES, *, outline: bool = False,
         running: bool = True) -> bytes:
    """A synthetic protocol: the lines of each page, with a running header and a footer
    numbering the pages, and the outline (bookmarks) when asked for."""
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"  # the core fonts' own encoding: "•" and "·"
    pdf.set_auto_page_break(False)
    pdf.set_title("Synthetic metadata title")
    count = len(pages)
    for number, lines in enumerate(pages, 1):
        pdf.add_page()
        if running:
            pdf.set_font("helvetica", size=8)
            pdf.set_xy(20, 10)
            pdf.cell(text=HEADER)
            pdf.set_xy(95, 285)
            pdf.cell(text=f"Page {number} of {count}")
        y = 25.0
        for line in lines:
            y += line.space
            pdf.set_font("helvetica", "B" if line.bold else "", line.size)
            if outline and line.bookmark is not None:
                pdf.set_y(y)
                pdf.start_section(line.bookmark_title or line.text, level=line.bookmark)
            pdf.set_xy(20 + line.indent, y)
            pdf.cell(text=line.text)
            y += line.size * 0.55  # a line's height: its size with the usual leading
    return bytes(pdf.output())


def _write(folder: Path, name: str = "widget_fever.pdf", data: bytes | None = None) -> Path:
    path = folder / name
    path.write_bytes(_pdf() if data is None else data)
    return path


def _only_document(records: list[Record]) -> Document:
    assert len(records) == 1 and isinstance(records[0], Document), records
    return records[0]


def _lines(document: Document) -> dict[str, list[str]]:
    return {section.label: section.text.split("\n") for section in document.sections}


EXPECTED = {
    "": [SYNTHETIC],
    "1 Assessment": [
        "Check the synthetic temperature twice a day and write it in the synthetic chart "
        "before any dose is given.",
        "Synthetic widget fever is a made-up condition used only to test how Curbside reads "
        "paragraphs."],
    "2 Treatment › 2.1 First-line care": [
        "Give synthetic drug A 10 mg by mouth once daily for three days to every synthetic "
        "adult with confirmed widget fever.",
        "Before giving synthetic drug A: Confirm the synthetic weight.",
        "Before giving synthetic drug A: Ask about synthetic allergies.",
        "Before giving synthetic drug A: Record any synthetic rash.",
        # A paragraph goes on across the page break, the running lines between left out.
        "Most synthetic patients feel better within a week, and those who do not are seen "
        "again by the synthetic team."],
    "3 Follow-up": ["Review after three days.",
                    "Stop synthetic drug A when the synthetic fever settles."],
}


def test_headings_by_type_paragraphs_joined_and_list_items(tmp_path: Path) -> None:
    path = _write(tmp_path)
    assert detect_format(path) == "pdf"
    document = _only_document(list(read_any(path)))
    assert document.title == "Synthetic Widget Fever Protocol"
    assert document.source == GUIDANCE_SOURCE
    assert document.publication_types == ["Practice Guideline"]
    by_label = _lines(document)
    # "Special care" is set in body type: without an outline it is a line of its section.
    treatment = by_label.pop("2 Treatment › 2.1 First-line care")
    assert treatment[:-1] == EXPECTED["2 Treatment › 2.1 First-line care"]
    assert treatment[-1] == "Special care Synthetic children get half the synthetic adult dose."
    assert by_label == {k: v for k, v in EXPECTED.items() if not k.startswith("2 ")}


def test_the_outline_gives_the_headings_and_their_levels(tmp_path: Path) -> None:
    path = _write(tmp_path, data=_pdf(outline=True))
    document = _only_document(list(read_pdf(path)))
    assert document.title == "Synthetic Widget Fever Protocol"
    assert _lines(document) == {
        **EXPECTED,
        # Only the outline says "Special care" is a heading; it is under the title.
        "Special care": ["Synthetic children get half the synthetic adult dose."],
        # A bookmark is found by its words, its number aside; the page's words are kept.
        "3 Follow-up": EXPECTED["3 Follow-up"],
    }


def test_running_headers_footers_and_page_numbers_are_in_no_section(tmp_path: Path) -> None:
    document = _only_document(list(read_pdf(_write(tmp_path))))
    for section in document.sections:
        assert "Synthetic Hospital" not in section.text and "Page" not in section.text
    # On one page nothing repeats: its header is kept, its page number is not.
    single = _only_document(list(read_pdf(_write(tmp_path, "one.pdf", _pdf(PAGES[:1])))))
    assert HEADER in single.full_text() and "Page 1" not in single.full_text()


def test_title_falls_back_to_the_metadata_and_sidecar_makes_a_protocol(tmp_path: Path) -> None:
    plain = [[Text(SYNTHETIC), Text("Give synthetic drug A once.", space=4)]]
    parsed = parse_pdf(_pdf(plain, running=False))
    assert parsed.title == "Synthetic metadata title"
    assert [s.lines for s in parsed.sections] == [(SYNTHETIC, "Give synthetic drug A once.")]
    path = _write(tmp_path)
    (tmp_path / "widget_fever.meta.json").write_text(json.dumps({
        "title": "Synthetic Ward Protocol", "issuer": "Synthetic Hospital", "year": 2025,
        "kind": "Protocol"}), encoding="utf-8")
    document = _only_document(list(read_any(path)))
    assert (document.title, document.journal, document.year) == (
        "Synthetic Ward Protocol", "Synthetic Hospital", 2025)
    assert document.publication_types == ["Protocol"]


def _scanned() -> bytes:
    """A page that is only an image, as a scanner makes it."""
    pdf = FPDF()
    pdf.add_page()
    picture = io.BytesIO()
    Image.new("L", (120, 40), color=200).save(picture, format="PNG")
    pdf.image(picture, x=20, y=20, w=120)
    return bytes(pdf.output())


def _locked(owner_only: bool) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.cell(text=SYNTHETIC)
    pdf.set_encryption(owner_password="synthetic-owner",
                       user_password=None if owner_only else "synthetic-user",
                       encryption_method=EncryptionMethod.RC4)
    return bytes(pdf.output())


def test_scanned_locked_and_damaged_files_are_one_problem_each(tmp_path: Path) -> None:
    folder = tmp_path / "protocols"
    folder.mkdir()
    good = _pdf()
    _write(folder, "good.pdf", good)
    _write(folder, "editing_locked.pdf", _locked(owner_only=True))  # opens without a password
    _write(folder, "scanned.pdf", _scanned())
    _write(folder, "password.pdf", _locked(owner_only=False))
    _write(folder, "truncated.pdf", good[: len(good) // 2])
    _write(folder, "empty.pdf", b"")
    _write(folder, "not_pdf.pdf", b"<html><body>a page saved as .pdf</body></html>")
    with Library(tmp_path / "lib", create=True) as library:
        report = ingest_paths(library, [folder])
        stored = {row[0] for row in library.connection.execute("SELECT id FROM documents")}
    assert stored == {f"{GUIDANCE_SOURCE}:protocols/good",
                      f"{GUIDANCE_SOURCE}:protocols/editing-locked"}
    problems = {Path(p.where).name: p.message for p in report.problems}
    assert set(problems) == {"scanned.pdf", "password.pdf", "truncated.pdf", "empty.pdf",
                             "not_pdf.pdf"}
    assert "no text layer" in problems["scanned.pdf"] and "ocrmypdf" in problems["scanned.pdf"]
    assert "password" in problems["password.pdf"] and "qpdf" in problems["password.pdf"]
    assert "truncated" in problems["truncated.pdf"]
    assert "empty" in problems["empty.pdf"]
    assert "not a PDF" in problems["not_pdf.pdf"]
    for message in problems.values():
        assert "\n" not in message and "Traceback" not in message
        assert "ingest" in message  # says what to do


def test_a_damaged_pdf_with_its_end_marker_is_reported(tmp_path: Path) -> None:
    good = _pdf()
    middle = len(good) // 2
    damaged = good[:200] + bytes(reversed(good[200:middle])) + good[middle:]
    records = list(read_any(_write(tmp_path, data=damaged)))
    assert all(isinstance(r, Document | RecordProblem) for r in records)
    assert records  # a document with what could be read, or a problem saying why not


def test_a_page_that_cannot_be_read_is_reported_and_the_others_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    read_page = pdf_reader._page_lines

    def second_page_damaged(reader: PdfReader, number: int) -> list[Any]:
        if number == 1:
            raise PdfReadError("synthetic damage")
        return read_page(reader, number)

    monkeypatch.setattr(pdf_reader, "_page_lines", second_page_damaged)
    path = _write(tmp_path)
    document, problem = list(read_pdf(path))
    assert isinstance(document, Document)
    labels = [section.label for section in document.sections]
    assert "2 Treatment › 2.1 First-line care" in labels and "3 Follow-up" not in labels
    assert isinstance(problem, RecordProblem) and problem.where == str(path)
    assert "page(s) 2 could not be read (PdfReadError: synthetic damage)" in problem.message


# -- any bytes at all -----------------------------------------------------------------------------

_GOOD = _pdf(PAGES[:1], running=False)


@PROPERTY
@given(st.binary(max_size=400),
       st.sampled_from([b"", b"%PDF-1.4\n", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", _GOOD[:600]]),
       st.sampled_from([b"", b"\n%%EOF\n", _GOOD[-300:]]))
def test_any_bytes_give_problems_not_exceptions(data: bytes, start: bytes, end: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "protocol.pdf"
        path.write_bytes(start + data + end)
        for reader in (read_pdf, read_any):
            records = list(reader(path))  # never raises: that is the property
            assert records
            for record in records:
                assert isinstance(record, Document | RecordProblem)
                if isinstance(record, RecordProblem):
                    assert str(path) in record.where and record.message
                    assert "\n" not in record.message


@PROPERTY
@given(st.integers(min_value=0, max_value=len(_GOOD) - 1), st.binary(min_size=1, max_size=40))
def test_a_good_pdf_damaged_anywhere_gives_records_or_problems(at: int, junk: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "protocol.pdf"
        path.write_bytes(_GOOD[:at] + junk + _GOOD[at + len(junk):])
        for record in read_pdf(path):
            assert isinstance(record, Document | RecordProblem)


# -- through the command line ---------------------------------------------------------------------

def test_a_folder_of_a_pdf_and_an_nxml_is_ingested_and_the_pdf_section_cited(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    _write(folder, "widget_fever.pdf", _pdf(outline=True))
    (folder / "synthetic_article.nxml").write_text(ARTICLE, encoding="utf-8")
    library = tmp_path / "library"
    ingest = curbside("ingest", str(folder), library=library)
    assert ingest.returncode == 0, ingest.stderr
    assert "2 added" in ingest.stdout and "skipped" not in ingest.stderr
    result = curbside("ask", "How is widget fever treated?", "--format", "json",
                      library=library)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert not article["insufficient_evidence"]
    protocol = next(r for r in article["references"]
                    if r["id"] == f"{GUIDANCE_SOURCE}:sources/widget-fever")
    assert protocol["kind"] == "Guideline"
    assert "2 Treatment › 2.1 First-line care" in protocol["sections"]
    cited = [item["text"] for section in article["sections"] for block in section["blocks"]
             for step in block.get("steps", [{"items": block.get("items", [])}])
             for item in step["items"] if protocol["n"] in item["citations"]]
    cited += [s["text"] for s in article["bottom_line"] if protocol["n"] in s["citations"]]
    assert any("synthetic drug A 10 mg" in text for text in cited), cited
    # The PMC article's passages are read with the section each came from.
    assert any(e["doc_id"] == "pmc:PMC9900001" and e["section"] == "Results › Primary outcome"
               for e in article["evidence"]), article["evidence"]
    # The article's passages are searched with the section each came from.
    found = curbside("search", "synthetic drug A days to settle", "--json", library=library)
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert any(h["doc_id"] == "pmc:PMC9900001" for h in hits), hits
