from __future__ import annotations

from curbside.answer.appraise import appraise
from curbside.models import Document, DocumentSection, EvidenceLevel


def _doc(title: str, types: list[str] | None = None, text: str = "Synthetic text.") -> Document:
    return Document(id="t:1", source="test", title=title, publication_types=types or [],
                    sections=[DocumentSection(text=text)])


def test_publication_types_decide() -> None:
    assert appraise(_doc("Synthetic", ["Journal Article", "Meta-Analysis"])).kind == \
        "Systematic review"
    assert appraise(_doc("Synthetic", ["Practice Guideline"])).kind == "Guideline"
    assert appraise(_doc("Synthetic", ["Randomized Controlled Trial"])).kind == "RCT"
    assert appraise(_doc("Synthetic", ["Case Reports"])).kind == "Case report"


def test_text_cues_when_no_types() -> None:
    assert appraise(_doc("A systematic review of synthetic things")).level == \
        EvidenceLevel.SYSTEMATIC_REVIEW
    assert appraise(_doc("Synthetic", text="Patients were randomized to two arms.")).kind == "RCT"
    other = appraise(_doc("Synthetic title"))
    assert other.kind == "Research" and other.reasons == ["no design information"]
