"""Markdown guidelines and protocols, and the open-medicine guideline summaries."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.library.formats import RecordProblem
from curbside.library.formats.detect import detect_format, read_any
from curbside.library.formats.markdown import parse_markdown, read_markdown
from curbside.library.formats.open_medicine import installed_guidelines, read_open_medicine
from curbside.library.passages import passages_of
from curbside.models import GUIDANCE_SOURCE, Document
from curbside.text import split_sentences

# Synthetic protocol written for Curbside's tests; not clinical guidance.
PROTOCOL = """# Synthetic Widget Fever Protocol

Synthetic text: this protocol exists only for Curbside's tests.

## Treatment

### First-Line Care

Give **synthetic drug A** 10 mg by mouth (test fixture).

- **Drug B** (synthetic):
  - **Indication:** when drug A is not tolerated.
  - **Caveat:** avoid in synthetic kidney disease.
- Rest in a quiet room.
  - Dim the synthetic lights.
- Synthetic drug C
  - add when drug A fails

| Parameter | Recommendation |
|---|---|
| **Dose** | 10 mg once |
| Duration | 3 days |

```
flow chart --> never quoted
```

## Follow-up

1. Review after 3 days.
"""


def _protocol(tmp_path: Path, meta: dict[str, object] | None = None) -> Path:
    path = tmp_path / "widget_fever.md"
    path.write_text(PROTOCOL, encoding="utf-8")
    if meta is not None:
        (tmp_path / "widget_fever.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def _document(path: Path) -> Document:
    records = list(read_markdown(path))
    assert len(records) == 1 and isinstance(records[0], Document), records
    return records[0]


def test_sections_keep_heading_paths_lines_items_and_rows(tmp_path: Path) -> None:
    document = _document(_protocol(tmp_path))
    assert document.title == "Synthetic Widget Fever Protocol"
    assert document.source == GUIDANCE_SOURCE
    assert document.publication_types == ["Practice Guideline"]
    by_label = {s.label: s.text.split("\n") for s in document.sections}
    assert by_label["Treatment › First-Line Care"] == [
        "Give synthetic drug A 10 mg by mouth (test fixture).",
        "Drug B (synthetic): Indication: when drug A is not tolerated.",
        "Drug B (synthetic): Caveat: avoid in synthetic kidney disease.",
        "Rest in a quiet room.",
        "Dim the synthetic lights.",
        "Synthetic drug C — add when drug A fails",
        "Dose: 10 mg once",
        "Duration: 3 days",
    ]
    assert by_label["Follow-up"] == ["Review after 3 days."]
    assert "flow chart" not in document.full_text()


def test_each_line_is_a_sentence_of_its_own(tmp_path: Path) -> None:
    document = _document(_protocol(tmp_path))
    passage_texts = [p.text for p in passages_of(document)]
    section = next(s for s in document.sections if s.label.endswith("First-Line Care"))
    assert split_sentences(section.text)[6] == "Dose: 10 mg once"
    # The passage keeps the line breaks: no sentence of it joins two items.
    passage = next(p for p in passages_of(document) if p.section == section.label)
    lines = section.text.split("\n")
    assert passage.text.split("\n") == lines
    assert all(any(s in line for line in lines) for s in split_sentences(passage.text))
    assert any("Duration: 3 days" in text for text in passage_texts)


def test_a_list_is_read_after_the_paragraph_that_introduces_it() -> None:
    _, sections = parse_markdown(
        "# Synthetic test protocol\n\n## Drug A\n\nPrefer synthetic drug A.\n\n"
        "Exclusions from the drug A preference:\n\n- Synthetic kidney failure\n"
        "- Synthetic liver failure\n\nA paragraph ending in a colon:\n\nIs not a lead-in.\n")
    assert sections[0].lines == (
        "Prefer synthetic drug A.",
        "Exclusions from the drug A preference: Synthetic kidney failure",
        "Exclusions from the drug A preference: Synthetic liver failure",
        "A paragraph ending in a colon:",
        "Is not a lead-in.",
    )


def test_sidecar_metadata_names_a_protocol_and_its_issuer(tmp_path: Path) -> None:
    path = _protocol(tmp_path, {"id": "protocol:widget", "issuer": "Synthetic Hospital",
                                "year": 2025, "kind": "Protocol", "version": "2",
                                "part_of": "Synthetic Fever Manual", "part_number": 3})
    document = _document(path)
    assert (document.id, document.journal, document.year, document.version) == (
        "protocol:widget", "Synthetic Hospital", 2025, "2")
    assert (document.part_of, document.part_number) == ("Synthetic Fever Manual", 3)
    assert document.publication_types == ["Protocol"]


def test_bad_sidecar_is_one_clear_problem(tmp_path: Path) -> None:
    path = _protocol(tmp_path, {"year": "next spring", "colour": "blue"})
    [problem] = list(read_markdown(path))
    assert isinstance(problem, RecordProblem)
    assert "widget_fever.meta.json" in problem.message and "JSON object" in problem.message


def test_detected_by_suffix_and_read_through_read_any(tmp_path: Path) -> None:
    path = _protocol(tmp_path)
    assert detect_format(path) == "markdown"
    assert [r.id for r in read_any(path) if isinstance(r, Document)] == [
        f"{GUIDANCE_SOURCE}:{tmp_path.name.lower().replace('_', '-')}/widget-fever"]


def test_headings_only_is_a_problem_not_a_document(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_text("# Title\n\n## Nothing here\n\n```\ncode\n```\n", encoding="utf-8")
    [problem] = list(read_markdown(path))
    assert isinstance(problem, RecordProblem) and "no text" in problem.message


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_parses_to_lines_found_in_it(text: str) -> None:
    _, sections = parse_markdown(text)
    for section in sections:
        for line in section.lines:
            assert line.strip() and "\n" not in line


def test_open_medicine_summaries_say_what_they_are() -> None:
    folder = installed_guidelines()
    assert folder is not None, "open-medicine is a dependency: pip install -e ."
    records = list(read_open_medicine(folder))
    documents = [r for r in records if isinstance(r, Document)]
    assert len(documents) >= 140 and not [r for r in records if isinstance(r, RecordProblem)]
    gout = next(d for d in documents if d.id == "open-medicine:acr_gout_2020/flare_management")
    assert gout.doi and gout.year == 2020 and gout.journal
    assert gout.note and "open-medicine" in gout.note and "not the guideline's own text" in \
        gout.note
    assert any("First-Line" in s.label for s in gout.sections)
    asthma = next(d for d in documents
                  if d.id == "open-medicine:gina_asthma_2024/acute_exacerbation_management")
    assert "asthma" not in asthma.title.lower() and "Asthma" in (asthma.part_of or "")
    # The registry's order of a guideline's parts: diagnosis, fluids, insulin, transition.
    dka = {d.id.rsplit("/", 1)[1]: d.part_number for d in documents
           if d.id.startswith("open-medicine:ada_dka_hhs_2024/")}
    assert dka == {"diagnosis": 1, "fluid_resuscitation": 2, "insulin_and_electrolytes": 3,
                   "resolution_and_transition": 4}
