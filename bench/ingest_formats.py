"""Ingest rate per document format, for `bench/run_benchmarks.py`.

The open-medicine guideline summaries (real text, shipped in a dependency) are written out as
Markdown, HTML, Word, PDF and PMC JATS files, the same documents in each format, and each folder
is ingested into a fresh library by `curbside ingest`'s own path. The files exist for timing
only: they are made in a scratch folder and never answer a question.

    python bench/ingest_formats.py [--documents N]
"""

from __future__ import annotations

import argparse
import html
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docx
from fpdf import FPDF

from curbside.library.formats.open_medicine import installed_guidelines
from curbside.library.ingest import ingest_paths
from curbside.library.store import Library

DOCUMENTS = 60
# A guideline summary as headings (level, text) and the lines under each.
Outline = list[tuple[int, str, list[str]]]
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_MARKUP = re.compile(r"\*\*|__|`")


def read_outline(text: str) -> Outline:
    outline: Outline = []
    for raw in text.splitlines():
        line = raw.strip()
        heading = _HEADING.match(line)
        if heading:
            outline.append((len(heading.group(1)), _MARKUP.sub("", heading.group(2)), []))
        elif line and outline and not line.startswith("|"):
            outline[-1][2].append(_MARKUP.sub("", line.lstrip("-*0123456789. ")))
    return outline


def write_markdown(outline: Outline, path: Path) -> None:
    parts = [f"{'#' * level} {title}\n\n" + "".join(f"- {line}\n" for line in lines)
             for level, title, lines in outline]
    path.with_suffix(".md").write_text("\n".join(parts), encoding="utf-8")


def write_html(outline: Outline, path: Path) -> None:
    body = "".join(f"<h{level}>{html.escape(title)}</h{level}>"
                   + "".join(f"<p>{html.escape(line)}</p>" for line in lines)
                   for level, title, lines in outline)
    path.with_suffix(".html").write_text(
        f"<!doctype html><html><head><title>{html.escape(outline[0][1])}</title></head>"
        f"<body><main>{body}</main></body></html>", encoding="utf-8")


def write_docx(outline: Outline, path: Path) -> None:
    document = docx.Document()
    for level, title, lines in outline:
        document.add_heading(title, level=min(level, 9))
        for line in lines:
            document.add_paragraph(line)
    document.save(str(path.with_suffix(".docx")))


def _latin1(text: str) -> str:
    # fpdf2's core fonts hold Latin-1 only; a sign outside it becomes "?" (timing only).
    return text.encode("latin-1", "replace").decode("latin-1")


def write_pdf(outline: Outline, path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    for level, title, lines in outline:
        pdf.set_font("Helvetica", "B", max(18 - 2 * level, 11))
        pdf.multi_cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for line in lines:
            pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path.with_suffix(".pdf")))


def write_jats(outline: Outline, path: Path) -> None:
    sections = "".join(f"<sec><title>{html.escape(title)}</title>"
                       + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</sec>"
                       for _, title, lines in outline[1:])
    number = re.sub(r"\D", "", path.name)  # the file's own number: one PMC id a file
    path.with_suffix(".nxml").write_text(
        '<?xml version="1.0"?><article article-type="review-article"><front><article-meta>'
        f'<article-id pub-id-type="pmc">PMC9{number:0>6}</article-id>'
        f"<title-group><article-title>{html.escape(outline[0][1])}</article-title>"
        "</title-group><pub-date><year>2024</year></pub-date></article-meta></front>"
        f"<body>{sections}</body></article>", encoding="utf-8")


WRITERS: dict[str, Callable[[Outline, Path], None]] = {
    "Markdown": write_markdown, "HTML": write_html, "Word (DOCX)": write_docx,
    "PDF": write_pdf, "PMC JATS": write_jats,
}


def bench_formats(work: Path, documents: int = DOCUMENTS) -> list[dict[str, object]]:
    """Per format: documents ingested, seconds, documents/s and passages made."""
    folder = installed_guidelines()
    if folder is None:
        raise SystemExit("open-medicine is not installed: pip install -e .")
    outlines = [o for o in (read_outline(p.read_text(encoding="utf-8"))
                            for p in sorted(folder.rglob("*.md"))) if o][:documents]
    rows: list[dict[str, object]] = []
    work.mkdir(parents=True, exist_ok=True)
    # The embedding model loads on the first ingest: outside the timed ones.
    write_markdown(outlines[0], work / "warm-up")
    with Library(work / "warm-up-library", create=True) as library:
        ingest_paths(library, [work / "warm-up.md"])
    for name, write in WRITERS.items():
        files = work / f"files-{len(rows)}"
        files.mkdir(parents=True)
        for i, outline in enumerate(outlines):
            write(outline, files / f"guideline-{i:03d}")
        with Library(work / f"library-{len(rows)}", create=True) as library:
            started = time.perf_counter()
            report = ingest_paths(library, [files])
            seconds = time.perf_counter() - started
            passages = library.passage_count()
        rows.append({"format": name, "documents": report.records, "seconds": seconds,
                     "rate": report.records / seconds if seconds else 0.0,
                     "passages": passages, "problems": len(report.problems)})
    return rows


def formats_report(rows: list[dict[str, object]]) -> str:
    lines = ["| format | documents | seconds | documents/s | passages | problems |",
             "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['format']} | {r['documents']} | {float(str(r['seconds'])):.1f} | "
              f"{float(str(r['rate'])):.1f} | {r['passages']:,} | {r['problems']} |"
              for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        print(formats_report(bench_formats(Path(scratch), args.documents)))


if __name__ == "__main__":
    main()
