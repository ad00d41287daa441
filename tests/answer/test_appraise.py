from __future__ import annotations

from curbside.answer.appraise import appraise, evidence_factor
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


def test_a_retraction_notice_is_never_citable() -> None:
    notice = appraise(_doc("Synthetic notice", ["Retraction of Publication"]))
    assert notice.retracted
    assert any("retraction notice" in reason for reason in notice.reasons)


def test_evidence_lifts_relevance_by_a_bounded_factor() -> None:
    guideline = appraise(_doc("Synthetic", ["Practice Guideline"]))
    case = appraise(_doc("Synthetic", ["Case Reports"]))
    old = appraise(_doc("Synthetic", ["Practice Guideline"]))
    guideline.year, old.year = 2026, 1990
    assert evidence_factor(guideline, 2026) > evidence_factor(old, 2026) > \
        evidence_factor(case, 2026) >= 1.0
    # A case report half again as relevant as a guideline still ranks above it.
    assert 1.5 * evidence_factor(case, 2026) > evidence_factor(guideline, 2026)
