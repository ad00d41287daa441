"""The data that moves through Curbside's one flow.

question -> understand -> retrieve -> appraise -> compose -> render

Every stage takes and returns these plain models; no stage reaches into another's internals.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field


class DocumentSection(BaseModel):
    """A labelled part of a document: an abstract section (BACKGROUND, CONCLUSIONS …) or a
    heading of a consumer-health page."""

    label: str = ""
    text: str


class Document(BaseModel):
    """One citable source in the library."""

    id: str
    source: str
    title: str
    sections: list[DocumentSection]
    journal: str | None = None
    year: int | None = None
    publication_types: list[str] = Field(default_factory=list)
    mesh_terms: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    retracted: bool = False
    # A revision stamp from the source (MEDLINE DateRevised as YYYY-MM-DD); a record with an
    # older stamp never replaces a newer one.
    revised: str | None = None

    def full_text(self) -> str:
        """Title and every section, the text statements are traced against."""
        return "\n".join([self.title, *(s.text for s in self.sections)])


class DocumentDeletion(BaseModel):
    """A source's instruction to remove a record (MEDLINE DeleteCitation)."""

    id: str


class Passage(BaseModel):
    """A few sentences of one document section: the unit that is indexed and retrieved."""

    doc_id: str
    ordinal: int
    section: str
    text: str


class EvidenceLevel(StrEnum):
    GUIDELINE = "guideline"
    SYSTEMATIC_REVIEW = "systematic review"
    RCT = "rct"
    COHORT = "cohort / observational"
    CASE_SERIES = "case series"
    CASE_REPORT = "case report"
    NARRATIVE_REVIEW = "narrative review"
    CONSUMER_HEALTH = "consumer health"
    OTHER = "other"


class Appraisal(BaseModel):
    level: EvidenceLevel
    kind: str  # the label readers see: Guideline, Systematic review, RCT, Research …
    year: int | None = None
    retracted: bool = False  # retracted, or a retraction notice: never cited
    reasons: list[str] = Field(default_factory=list)


class PassageHit(BaseModel):
    """A retrieved passage with its scores and, once appraised, its evidence appraisal."""

    passage: Passage
    title: str
    lexical_score: float
    score: float
    dense_score: float = 0.0
    appraisal: Appraisal | None = None


class DocumentHit(BaseModel):
    doc_id: str
    title: str
    score: float


class Intent(StrEnum):
    MANAGEMENT = "management"
    DIAGNOSIS = "diagnosis"
    PROGNOSIS = "prognosis"
    RISK = "risk"
    ETIOLOGY = "etiology"
    DOSING = "dosing"
    DEFINITION = "definition"
    GENERAL = "general"


Audience = Literal["clinician", "patient"]


class QuestionAnalysis(BaseModel):
    """What the understanding stage makes of a question."""

    question: str
    intent: Intent
    topic_terms: list[str]  # the words that name what is asked about, normalised
    query_terms: list[str]  # everything sent to retrieval, with spelling variants


class Statement(BaseModel):
    """One sentence shown to readers and the references that support it."""

    text: str
    citations: list[int]


class Step(BaseModel):
    """A numbered step of a management algorithm: our label, then cited items."""

    label: str
    items: list[Statement]


class ParagraphBlock(BaseModel):
    kind: Literal["paragraph"] = "paragraph"
    statements: list[Statement]


class BulletsBlock(BaseModel):
    kind: Literal["bullets"] = "bullets"
    label: str | None = None
    items: list[Statement]


class StepsBlock(BaseModel):
    kind: Literal["steps"] = "steps"
    steps: list[Step]


Block = Annotated[ParagraphBlock | BulletsBlock | StepsBlock, Field(discriminator="kind")]


class ArticleSection(BaseModel):
    key: str
    title: str
    blocks: list[Block]


class Reference(BaseModel):
    n: int
    id: str
    title: str
    journal: str | None = None
    year: int | None = None
    kind: str
    url: str | None = None
    doi: str | None = None


class EvidenceItem(BaseModel):
    """A passage the article drew on, kept so readers and reviewers can see the trail."""

    doc_id: str
    ordinal: int
    section: str
    text: str
    score: float
    level: str
    used: bool


class Coverage(BaseModel):
    """What the search looked for and what it found: shown when evidence is thin."""

    searched_terms: list[str]
    on_topic_documents: int
    missing_terms: list[str]
    note: str
    withheld: list[str] = Field(default_factory=list)  # on-topic documents never cited: retracted


class GlossaryEntry(BaseModel):
    """A medical word in the article and Curbside's plain explanation of it (patient view)."""

    term: str
    explanation: str


class EditorNote(BaseModel):
    """A note an editor added to a version, shown as such and attributed; never a statement."""

    author: str
    text: str
    at: str


ArticleStatus = Literal["submitted", "under review", "approved", "changes requested", "retired"]


class Article(BaseModel):
    question: str
    audience: Audience
    generated_at: str
    composer: str
    intent: Intent
    title: str
    bottom_line: list[Statement]
    sections: list[ArticleSection]
    references: list[Reference]
    evidence: list[EvidenceItem]
    coverage: Coverage
    insufficient_evidence: bool
    status: ArticleStatus = "submitted"
    disclaimer: str
    id: str | None = None
    thread_id: str | None = None  # the first article of a chain of follow-up questions
    follows: str | None = None  # the article this one follows up
    urgent: bool = False  # the question has emergency cues: an urgent-care notice goes on top
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    version: int = 1
    approved_at: str | None = None
    approved_by: list[str] = Field(default_factory=list)
    editor_notes: list[EditorNote] = Field(default_factory=list)
    new_evidence: str | None = None  # why a living re-check drafted a newer version

    def statements(self) -> list[Statement]:
        """Every statement in reading order."""
        found: list[Statement] = list(self.bottom_line)
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, ParagraphBlock):
                    found.extend(block.statements)
                elif isinstance(block, BulletsBlock):
                    found.extend(block.items)
                else:
                    for step in block.steps:
                        found.extend(step.items)
        return found
