"""BioASQ gold documents: `doc_to_abstract.json` with `doc_to_title.json` beside it, both keyed
by PubMed URL; and, from the `*_golden.json` question files beside them, the judged papers whose
abstract is not there, as documents made of the excerpts (snippets) the experts marked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from curbside.library.formats import Record, RecordProblem, guarded, read_json_file
from curbside.models import Document, DocumentSection

_PMID = re.compile(r"(\d+)/?\s*$")
EXCERPT_SOURCE = "bioasq-excerpts"
EXCERPTS_LABEL = "Excerpts"
CUT_EXCERPTS_LABEL = "Excerpts cut mid-sentence"
_SENTENCE_END = re.compile(r"[.!?][)\]\"']*\s+(?=[A-Z0-9(\[])")
# A term such as "ctDNA" or "mRNA" may open a sentence in lower case.
_MIXED_CASE_WORD = re.compile(r"[a-z]+[A-Z]")
_CLOSED = re.compile(r"[.!?][)\]\"']*$")


_ABSTRACTS_SHAPE = ("doc_to_abstract.json must be one JSON object mapping PubMed URLs to "
                    "abstract texts")


def _json_object(path: Path, shape: str) -> tuple[dict[str, Any] | None, RecordProblem | None]:
    try:
        data = read_json_file(path)
    except RecursionError:
        return None, RecordProblem(str(path), f"not readable: nested too deeply; {shape}")
    except (OSError, ValueError) as error:
        return None, RecordProblem(str(path), f"not readable as BioASQ JSON: {error}; {shape}")
    if not isinstance(data, dict):
        return None, RecordProblem(str(path), f"the file is a JSON {type(data).__name__}; "
                                   f"{shape}")
    return data, None


@guarded
def read_bioasq(path: Path) -> Iterator[Record]:
    abstracts_path = path / "doc_to_abstract.json" if path.is_dir() else path
    titles_path = abstracts_path.with_name("doc_to_title.json")
    abstracts, problem = _json_object(abstracts_path, _ABSTRACTS_SHAPE)
    if abstracts is None:
        assert problem is not None
        yield problem
        return
    titles: dict[str, Any] = {}
    if titles_path.exists():
        found, problem = _json_object(titles_path, "doc_to_title.json must be one JSON object "
                                      "mapping PubMed URLs to titles; the abstracts are read "
                                      "without titles")
        if problem is not None:
            yield problem
        titles = found or {}
    for url, abstract in abstracts.items():
        match = _PMID.search(str(url))
        if not match:
            yield RecordProblem(f"{abstracts_path} {url}", "skipped: the key is not a PubMed URL "
                                "(https://pubmed.ncbi.nlm.nih.gov/PMID); fix the key")
            continue
        pmid = match.group(1)
        title = str(titles.get(url) or "").strip()
        text = str(abstract or "").strip()
        if not text and not title:
            yield RecordProblem(f"{abstracts_path} {url}", "skipped: empty abstract and title")
            continue
        yield Document(
            id=f"pmid:{pmid}",
            source="bioasq",
            title=title or f"PubMed record {pmid}",
            sections=[DocumentSection(label="", text=text)] if text else [],
            pmid=pmid,
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        )
    yield from read_bioasq_excerpts(abstracts_path.parent, known=set(abstracts))


def _snippets(question: Any) -> list[dict[str, Any]]:
    if not isinstance(question, dict):
        raise TypeError(f"a question is a JSON {type(question).__name__}, not an object")
    snippets = question.get("snippets") or []
    if not isinstance(snippets, list):
        raise TypeError("its snippets are not a list")
    for snippet in snippets:
        if not isinstance(snippet, dict):
            raise TypeError(f"a snippet is a JSON {type(snippet).__name__}, not an object")
    return snippets


def read_bioasq_excerpts(folder: Path, known: set[str]) -> Iterator[Record]:
    """A document for each paper the golden files quote but `known` (the abstracts' URLs) lacks:
    its title when a snippet quotes it, and its quoted abstract spans, overlapping ones merged
    by their offsets, in the order they stand in the abstract."""
    spans: dict[str, dict[str, list[tuple[int, int, str]]]] = {}
    shape = ("a BioASQ golden file is a JSON object whose `questions` list holds objects with "
             "`snippets` (document, text, beginSection, offsetInBeginSection)")
    for path in sorted(folder.glob("*_golden.json")):
        data, problem = _json_object(path, shape)
        questions = data.get("questions") if data is not None else None
        if not isinstance(questions, list):
            yield problem or RecordProblem(str(path), f"no `questions` list; {shape}")
            continue
        for number, question in enumerate(questions, 1):
            try:
                for snippet in _snippets(question):
                    url, text = str(snippet.get("document", "")), str(snippet.get("text", ""))
                    if url in known or not text.strip() or not _PMID.search(url):
                        continue
                    section = "title" if snippet.get("beginSection") == "title" else "abstract"
                    start = int(snippet.get("offsetInBeginSection") or 0)
                    spans.setdefault(url, {}).setdefault(section, []).append(
                        (start, start + len(text), text))
            except (TypeError, ValueError, OverflowError) as error:
                label = question.get("id") if isinstance(question, dict) else None
                yield RecordProblem(f"{path} question {label or number}",
                                    f"skipped its snippets: {error}; {shape}")
    for url, sections in spans.items():
        match = _PMID.search(url)
        assert match is not None
        pmid = match.group(1)
        title = " ".join(_merged(sections.get("title", []))).strip()
        quotes = _merged(sections.get("abstract", []))
        whole = " ".join(w for w in map(whole_sentences, quotes) if w)
        # What the quotes cut mid-sentence is searched but never quoted (its own section).
        cut = " … ".join(c for c in map(cut_pieces, quotes) if c)
        parts = [DocumentSection(label=EXCERPTS_LABEL, text=whole)] if whole else []
        if cut:
            parts.append(DocumentSection(label=CUT_EXCERPTS_LABEL, text=cut))
        if not parts and not title:
            continue
        yield Document(
            id=f"pmid:{pmid}",
            source=EXCERPT_SOURCE,
            title=title,  # often unknown: only a quote of the title gives it
            sections=parts,
            pmid=pmid,
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            excerpts_only=True,
        )


def whole_sentences(span: str) -> str:
    """The span less a sentence cut at either end: snippets' offsets often fall mid-word, and
    two joined spans must not read as one sentence."""
    return _split_cut(span)[1]


def cut_pieces(span: str) -> str:
    """What `whole_sentences` leaves out of the span, its pieces joined by an ellipsis."""
    head, _, tail = _split_cut(span)
    return " … ".join(p for p in (head, tail) if p)


def _split_cut(span: str) -> tuple[str, str, str]:
    """(cut head, whole sentences, cut tail) of a span."""
    text = span.strip()
    original = text
    while text:
        first_end = _SENTENCE_END.search(text)
        fragment = len(text[:first_end.start() if first_end else None].split()) < 3
        if not fragment and not (text[:1].islower() and not _MIXED_CASE_WORD.match(text)):
            break
        text = text[first_end.end():] if first_end else ""
    head = original[:len(original) - len(text)].strip()
    tail = ""
    if text and not _CLOSED.search(text):
        ends = [m.start() + 1 for m in _SENTENCE_END.finditer(text)]
        cut = ends[-1] if ends else 0
        text, tail = text[:cut], text[cut:]
    return head, text.strip(), tail.strip()


def _merged(spans: list[tuple[int, int, str]]) -> list[str]:
    """Texts of spans over one section, overlapping spans joined into one."""
    merged: list[list[int | str]] = []
    for start, end, text in sorted(spans):
        if merged and start < int(merged[-1][1]):
            last_end = int(merged[-1][1])
            if end > last_end:
                merged[-1][2] = str(merged[-1][2]) + text[last_end - start:]
                merged[-1][1] = end
            continue
        merged.append([start, end, text])
    return [str(m[2]) for m in merged]
