"""Evidence appraisal: how strong a document is as evidence, and the label readers see.

Publication types and MeSH decide when the source gives them (PubMed); otherwise cues in the
title and abstract do, and the reasons say which.
"""

from __future__ import annotations

import re

from curbside.models import Appraisal, Document, EvidenceLevel

KIND_LABELS = {
    EvidenceLevel.GUIDELINE: "Guideline",
    EvidenceLevel.SYSTEMATIC_REVIEW: "Systematic review",
    EvidenceLevel.RCT: "RCT",
    EvidenceLevel.COHORT: "Research",
    EvidenceLevel.CASE_SERIES: "Research",
    EvidenceLevel.CASE_REPORT: "Case report",
    EvidenceLevel.NARRATIVE_REVIEW: "Review",
    EvidenceLevel.CONSUMER_HEALTH: "Consumer health",
    EvidenceLevel.OTHER: "Research",
}

# A hospital's own protocol (publication type set by the guidance readers): as strong as a
# guideline for ranking, and labelled as what it is.
LOCAL_PROTOCOL = "protocol"

# Strength used when ranking and selecting; higher is stronger.
LEVEL_WEIGHT = {
    EvidenceLevel.GUIDELINE: 1.0,
    EvidenceLevel.SYSTEMATIC_REVIEW: 0.9,
    EvidenceLevel.RCT: 0.75,
    EvidenceLevel.COHORT: 0.5,
    EvidenceLevel.NARRATIVE_REVIEW: 0.45,
    EvidenceLevel.CONSUMER_HEALTH: 0.45,
    EvidenceLevel.CASE_SERIES: 0.35,
    EvidenceLevel.OTHER: 0.3,
    EvidenceLevel.CASE_REPORT: 0.2,
}

_BY_PUBLICATION_TYPE: list[tuple[EvidenceLevel, tuple[str, ...]]] = [
    (EvidenceLevel.GUIDELINE, ("practice guideline", "guideline", "consensus development",
                               LOCAL_PROTOCOL)),
    (EvidenceLevel.SYSTEMATIC_REVIEW, ("systematic review", "meta-analysis")),
    (EvidenceLevel.RCT, ("randomized controlled trial", "controlled clinical trial",
                         "clinical trial, phase iii", "equivalence trial", "pragmatic clinical")),
    (EvidenceLevel.CASE_REPORT, ("case reports",)),
    (EvidenceLevel.COHORT, ("observational study", "comparative study", "multicenter study",
                            "clinical trial", "validation study", "evaluation study")),
    (EvidenceLevel.CONSUMER_HEALTH, ("consumer health information", "patient education")),
    (EvidenceLevel.NARRATIVE_REVIEW, ("review",)),
]
_BY_MESH: list[tuple[EvidenceLevel, tuple[str, ...]]] = [
    (EvidenceLevel.COHORT, ("cohort studies", "prospective studies", "retrospective studies",
                            "case-control studies", "follow-up studies", "cross-sectional studies",
                            "longitudinal studies")),
]
_BY_TEXT: list[tuple[EvidenceLevel, re.Pattern[str]]] = [
    (EvidenceLevel.GUIDELINE, re.compile(
        r"\b(guideline|consensus statement|position statement|practice parameter|"
        r"recommendations? (?:of|from|for) the)\b")),
    (EvidenceLevel.SYSTEMATIC_REVIEW, re.compile(r"\b(systematic review|meta-?analys[ie]s)\b")),
    (EvidenceLevel.RCT, re.compile(r"\b(randomi[sz]ed|randomly assigned|placebo-controlled)\b")),
    (EvidenceLevel.CASE_REPORT, re.compile(
        r"\b(case report|we (?:report|present|describe) (?:a|an|the) (?:case|patient)|"
        r"a case of)\b")),
    (EvidenceLevel.CASE_SERIES, re.compile(r"\b(case series|consecutive patients)\b")),
    (EvidenceLevel.COHORT, re.compile(
        r"\b(cohort|case-control|retrospective|prospective|cross-sectional|registry|"
        r"population-based)\b")),
    (EvidenceLevel.NARRATIVE_REVIEW, re.compile(r"^(?:an? )?(?:\w+ ){0,6}review\b|\breview of\b")),
]


# A notice that retracts another paper reports no findings of its own.
_RETRACTION_NOTICE = "retraction of publication"

# How much evidence strength and recency lift a hit's relevance score when ranking. The lift
# is a bounded factor (at most 1 + 0.7 * EVIDENCE_BLEND + RECENCY_BLEND), so a weak but
# relevant paper moves down a few places but never vanishes; tuned in BENCHMARKS.md.
EVIDENCE_BLEND = 0.3
RECENCY_BLEND = 0.05
RECENCY_YEARS = 20


def evidence_factor(appraisal: Appraisal, this_year: int) -> float:
    """The multiplier evidence strength and recency give a hit's relevance."""
    strength = LEVEL_WEIGHT[appraisal.level] - LEVEL_WEIGHT[EvidenceLevel.OTHER]
    recency = 0.0
    if appraisal.year:
        recency = max(0.0, 1.0 - (this_year - appraisal.year) / RECENCY_YEARS)
    return 1.0 + EVIDENCE_BLEND * max(strength, 0.0) + RECENCY_BLEND * recency


def appraise(document: Document) -> Appraisal:
    reasons: list[str] = []
    level: EvidenceLevel | None = None
    types = [t.lower() for t in document.publication_types]
    for candidate, names in _BY_PUBLICATION_TYPE:
        hit = next((t for t in types if any(t.startswith(n) for n in names)), None)
        if hit:
            level = candidate
            reasons.append(f"publication type: {hit}")
            break
    if level is None:
        mesh = [m.lower() for m in document.mesh_terms]
        for candidate, names in _BY_MESH:
            hit = next((m for m in mesh if m in names), None)
            if hit:
                level = candidate
                reasons.append(f"MeSH: {hit}")
                break
    if level is None:
        title = document.title.lower()
        opening = " ".join(s.text for s in document.sections)[:1500].lower()
        for candidate, pattern in _BY_TEXT:
            # A title cue is trusted; an abstract cue only for design words, not for "review".
            where = title if candidate == EvidenceLevel.NARRATIVE_REVIEW else title + " " + opening
            match = pattern.search(where)
            if match:
                level = candidate
                reasons.append(f"text mentions {match.group(0)!r}")
                break
    if level is None:
        level = EvidenceLevel.OTHER
        reasons.append("no design information")
    withdrawn = document.retracted
    if document.retracted:
        reasons.append("retracted: never cited")
    if _RETRACTION_NOTICE in types:
        withdrawn = True
        reasons.append("a retraction notice, not evidence: never cited")
    return Appraisal(
        level=level,
        kind="Protocol" if LOCAL_PROTOCOL in types else KIND_LABELS[level],
        year=document.year,
        retracted=withdrawn,
        reasons=reasons,
    )
