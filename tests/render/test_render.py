"""Markdown and HTML rendering; documents are data, so their markup is shown as text."""

from __future__ import annotations

from pathlib import Path

from curbside.answer.ask import answer_question
from curbside.library.store import Library
from curbside.models import Article, Document, DocumentSection, Reference
from curbside.render.citations import to_bibtex, to_csl_json, to_ris
from curbside.render.html import render_html
from curbside.render.markdown import render_markdown
from curbside.settings import Settings

HOSTILE = Document(
    id="test:hostile", source="test",
    title="Synthetic zanthoxylosis <script>alert('title')</script> test record",
    sections=[DocumentSection(label="CONCLUSIONS", text=(
        "Zanthoxylosis is a synthetic test condition <script>alert(1)</script> invented for "
        "Curbside's rendering tests. Zanthoxylosis treatment with <b>bold</b> markup is "
        "described only in this synthetic record."))],
)


def test_html_escapes_document_markup(tmp_path: Path) -> None:
    with Library(tmp_path / "lib", create=True) as library:
        library.write([HOSTILE])
        article = answer_question(library, "What is zanthoxylosis?", "clinician", Settings())
    html = render_html(article)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html
    # Not saved: no review stage is claimed, and the banner says it was never submitted.
    assert "not submitted to the advisory board" in html
    assert 'aria-label="Review status"' not in html
    assert "pending human review" in render_html(article.model_copy(update={"status":
                                                                            "submitted"}))
    assert 'href="#ref-1"' in html and 'id="ref-1"' in html


def test_markdown_has_bottom_line_sections_and_references(tmp_path: Path) -> None:
    with Library(tmp_path / "lib", create=True) as library:
        library.write([HOSTILE])
        article = answer_question(library, "What is zanthoxylosis?", "clinician", Settings())
    text = render_markdown(article)
    assert text.startswith("# What is zanthoxylosis?")
    assert "**Zanthoxylosis is a synthetic test condition" in text
    assert "## References" in text and "1. [Research]" in text
    assert "[1]" in text


def _with_reference_urls(article: Article, url: str) -> Article:
    # model_construct skips the models' own check, as an article stored by an older version
    # (or any future path that forgets it) would reach the renderers.
    references = [Reference.model_construct(**(r.model_dump() | {"url": url}))
                  for r in article.references]
    return article.model_copy(update={"references": references})


def test_only_web_addresses_are_rendered_as_links(tmp_path: Path) -> None:
    with Library(tmp_path / "lib", create=True) as library:
        library.write([HOSTILE])
        article = answer_question(library, "What is zanthoxylosis?", "clinician", Settings())
    assert article.references
    hostile = _with_reference_urls(article, " JavaScript:alert(document.cookie)")
    outputs = [render_html(hostile), render_markdown(hostile),
               to_ris(hostile.references, {}), to_bibtex(hostile.references, {}),
               to_csl_json(hostile.references, {})]
    for output in outputs:
        assert "javascript:" not in output.lower()
    safe = _with_reference_urls(article, "https://example.org/synthetic")
    assert 'href="https://example.org/synthetic"' in render_html(safe)
    assert "<https://example.org/synthetic>" in render_markdown(safe)
