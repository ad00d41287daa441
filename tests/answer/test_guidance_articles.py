"""Articles cited to guidelines and protocols, asked through the CLI as a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.library.formats.test_markdown import PROTOCOL
from tests.test_cli import curbside


def _ask(question: str, library: Path) -> dict[str, Any]:
    """The article for a question, asked through the CLI as JSON."""
    result = curbside("ask", question, "--format", "json", library=library)
    assert result.returncode == 0, result.stderr
    article: dict[str, Any] = json.loads(result.stdout)
    return article


def test_gout_flare_is_answered_from_the_guideline_with_its_sections(
    starter_library_dir: Path,
) -> None:
    article = _ask("How is an acute gout flare treated?", starter_library_dir)
    assert not article["insufficient_evidence"]
    guideline = next(r for r in article["references"]
                     if r["id"] == "open-medicine:acr_gout_2020/flare_management")
    assert guideline["kind"] == "Guideline" and guideline["year"] == 2020
    assert guideline["sections"] and all(s for s in guideline["sections"])
    assert "not the guideline's own text" in guideline["note"]
    management = next(s for s in article["sections"] if s["key"] == "management")
    cited = [item for block in management["blocks"]
             for step in block.get("steps", [{"items": block.get("items", [])}])
             for item in step["items"] if guideline["n"] in item["citations"]]
    assert any("colchicine" in item["text"].lower() for item in cited), cited


def test_a_local_protocol_is_cited_as_a_protocol_with_its_section(tmp_path: Path) -> None:
    folder = tmp_path / "protocols"
    folder.mkdir()
    (folder / "widget_fever.md").write_text(PROTOCOL, encoding="utf-8")
    (folder / "widget_fever.meta.json").write_text(json.dumps(
        {"issuer": "Synthetic Hospital", "year": 2025, "kind": "Protocol"}), encoding="utf-8")
    library = tmp_path / "library"
    ingest = curbside("ingest", str(folder / "widget_fever.md"), library=library)
    assert ingest.returncode == 0, ingest.stderr
    result = curbside("ask", "How is widget fever treated?", "--format", "json",
                      library=library)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    [reference] = article["references"]
    assert (reference["kind"], reference["journal"]) == ("Protocol", "Synthetic Hospital")
    assert "Treatment › First-Line Care" in reference["sections"]


def test_a_guideline_answers_for_the_population_under_its_own_heading(
    starter_library_dir: Path,
) -> None:
    # The hypertension guideline summary holds lines for every population; only its
    # pregnancy heading answers for pregnancy, and there it is the management asked for.
    article = _ask("How is hypertension managed in pregnancy?", starter_library_dir)
    guideline = next(r for r in article["references"]
                     if r["id"] == "open-medicine:acc_aha_hypertension_2017/pharmacotherapy")
    shown = [s for s in article["bottom_line"] if guideline["n"] in s["citations"]]
    management = next(s for s in article["sections"] if s["key"] == "management")
    shown += [item for block in management["blocks"]
              for step in block.get("steps", [{"items": block.get("items", [])}])
              for item in step["items"] if guideline["n"] in item["citations"]]
    assert any("methyldopa" in s["text"] for s in shown), shown
    every = [s["text"] for s in article["bottom_line"]] + [
        item["text"] for section in article["sections"] for block in section["blocks"]
        for step in block.get("steps", [{"items": block.get("items", [])}])
        for item in step["items"]]
    assert not any("Chlorthalidone" in text for text in every), every


def test_a_risk_factor_question_is_not_answered_with_treatment_lines(
    starter_library_dir: Path,
) -> None:
    article = _ask("What are the risk factors for venous thromboembolism?", starter_library_dir)
    assert not any(s["key"] == "management" for s in article["sections"])
    risk = [s for s in article["sections"] if s["key"] == "risk"]
    assert risk or article["insufficient_evidence"], article["sections"]
