"""The data that moves through Curbside's one flow.

question -> understand -> retrieve -> appraise -> compose -> render

Every stage takes and returns these plain models; no stage reaches into another's internals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from curbside.urls import WebUrl

# `Document.source` of guidelines and protocols read with their structure: their sections are
# heading paths, cited with the reference.
GUIDANCE_SOURCE = "guideline"
HEADING_SEPARATOR = " › "  # between the headings of such a section's label


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
    url: WebUrl = None
    retracted: bool = False
    # Only quoted excerpts of the paper (BioASQ snippets), not its whole abstract: such a
    # record never replaces a fuller one of the same paper.
    excerpts_only: bool = False
    # A revision stamp from the source (MEDLINE DateRevised as YYYY-MM-DD); a record with an
    # older stamp never replaces a newer one.
    revised: str | None = None
    # What the document is, when its title does not say (e.g. a summary of a named guideline),
    # and the version its issuer gave it; shown with its reference.
    note: str | None = None
    version: str | None = None
    # The larger work a guideline section or summary belongs to, when its title does not name
    # the condition ("Acute Exacerbation Management" of a guideline on asthma).
    part_of: str | None = None
    # Its place among the parts of that work (1 for the first): a guideline's own order of
    # topics (diagnosis, then fluids, then insulin) is the order its steps are given in.
    part_number: int | None = None

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
    """A retrieved passage with its scores and, once appraised, its evidence appraisal.

    One field per meaning: `lexical_score` (BM25), `dense_score` (cosine), `fused_score`
    (their fusion, what search ranked by; 0 for a passage read because its document was on
    topic) and `score`, the passage's relevance to the question as the answer stages use it
    (the fused score, or a share of its document's best for such a passage, times the
    appraisal's evidence factor)."""

    passage: Passage
    title: str
    lexical_score: float
    score: float
    dense_score: float = 0.0
    fused_score: float = 0.0
    # The cross-encoder's probability that the passage answers the query, where the passage
    # was reranked (curbside/library/rerank.py); then `score` is the reranker's blend.
    rerank_score: float | None = None
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
    # Topic words as the question groups them: runs of adjacent topic words, each naming one
    # thing ("rozanolixizumab" | "multiple sclerosis").
    topic_phrases: list[list[str]] = []
    # Topic phrases the question writes as one condition's name, before "disease", "disorder"
    # or "syndrome" ("borderline personality" of "borderline personality disorder"): a text
    # names them side by side (or by an abbreviation) or is about something else.
    condition_names: list[list[str]] = []
    # Populations the question is asked for ("pregnancy", "children"): a statement must speak
    # of them (see answer/population.py); their words are not topic words.
    population: list[str] = []


@dataclass(frozen=True)
class Evidence:
    """What the compose stage is given: the analysed question, appraised hits best first,
    their documents, and how rare each topic word is in the library (its IDF)."""

    analysis: QuestionAnalysis
    hits: Sequence[PassageHit]
    documents: dict[str, Document]
    topic_weights: dict[str, float]
    missing_terms: Sequence[str] = ()  # topic words no passage of the library contains
    # Short forms the evidence defines for the topic ("dka" -> diabetic, ketoacidosis).
    abbreviations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class Verdict(BaseModel):
    """The verifier's finding on one statement and its citations."""

    supported: bool
    reason: str = ""  # why not, when unsupported


class Statement(BaseModel):
    """One sentence shown to readers and the references that support it."""

    text: str
    citations: list[int]
    verdict: Verdict | None = None  # None until the verifier has read it
    # A statement in a model's words: the spans of its cited passages it rests on, verbatim.
    quotes: list[str] = Field(default_factory=list)


class Step(BaseModel):
    """A numbered step of a management algorithm: our label, or the heading of the guideline
    its items come from, then cited items."""

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

    def map_statements(self, change: Callable[[Statement], Statement]) -> ArticleSection:
        blocks: list[Block] = []
        for block in self.blocks:
            if isinstance(block, ParagraphBlock):
                blocks.append(ParagraphBlock(statements=[change(s) for s in block.statements]))
            elif isinstance(block, BulletsBlock):
                blocks.append(BulletsBlock(label=block.label,
                                           items=[change(s) for s in block.items]))
            else:
                blocks.append(StepsBlock(steps=[Step(label=s.label,
                                                     items=[change(i) for i in s.items])
                                                for s in block.steps]))
        return self.model_copy(update={"blocks": blocks})


class Reference(BaseModel):
    n: int
    id: str
    title: str
    journal: str | None = None
    year: int | None = None
    kind: str
    url: WebUrl = None
    doi: str | None = None
    note: str | None = None
    # For guidelines, protocols and PMC full texts: the sections (heading paths) quoted.
    sections: list[str] = Field(default_factory=list)


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


class FetchNote(BaseModel):
    """What was fetched from PubMed for this article (`ask --fetch`, the web's fetch option):
    the article records every network call made for it."""

    query: str  # the PubMed query sent
    found: int  # records PubMed holds for it
    pmids: list[str] = Field(default_factory=list)  # fetched now: downloaded and ingested
    held: list[str] = Field(default_factory=list)  # of the query's best, already in the library
    at: str  # when the fetch began (UTC, ISO 8601)
    reason: str  # why: what the library lacked
    error: str | None = None  # the fetch failed: what went wrong (the article is the library's)

    def summary(self, quote: Callable[[str], str] = str) -> str:
        """One plain sentence for readers; `quote` marks the query up (Markdown: as code)."""
        if self.error:
            return (f"Fetching from PubMed for this question failed ({self.error}); this "
                    f"article is from the library as it was. Query: {quote(self.query)}")
        count = len(self.pmids)
        fetched = (f"Fetched {count} PubMed record{'' if count == 1 else 's'} for this "
                   f"question ({self.reason})" if count else
                   f"Searched PubMed for this question ({self.reason}); no new record was "
                   "fetched")
        held = f"; {len(self.held)} of its best records were in the library already" \
            if self.held else ""
        pmids = f": PMID {', '.join(self.pmids)}" if self.pmids else ""
        return (f"{fetched}{pmids}{held}. PubMed found {self.found:,} for the query "
                f"{quote(self.query)}")


# "unsaved": made for one reader (`curbside ask` without --save) and in no review queue.
ArticleStatus = Literal["unsaved", "submitted", "under review", "approved", "changes requested",
                        "retired"]


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
    status: ArticleStatus = "unsaved"
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
    # Statements the verifier rejected, with its reasons: shown struck through to reviewers,
    # never to readers. Their citation numbers are those of the composer's draft.
    unsupported: list[Statement] = Field(default_factory=list)
    model: str | None = None  # the LLM that composed the article, when one did
    fetched: FetchNote | None = None  # what was fetched from PubMed for it, if anything

    def renumbered(self) -> Article:
        """References numbered again in order of first use, uncited ones dropped."""
        old = {r.n: r for r in self.references}
        numbers: dict[int, int] = {}
        for statement in self.statements():
            for n in statement.citations:
                numbers.setdefault(n, len(numbers) + 1)

        def cite(statement: Statement) -> Statement:
            return statement.model_copy(update={"citations": [numbers[n]
                                                              for n in statement.citations]})

        return self.model_copy(update={
            "bottom_line": [cite(s) for s in self.bottom_line],
            "sections": [section.map_statements(cite) for section in self.sections],
            "references": sorted((old[n].model_copy(update={"n": m})
                                  for n, m in numbers.items()), key=lambda r: r.n),
        })

    def without(self, drop: Callable[[Statement], bool]) -> Article:
        """The article less the statements `drop` picks; emptied blocks and sections go too,
        and references are renumbered."""
        def keep(statements: list[Statement]) -> list[Statement]:
            return [s for s in statements if not drop(s)]

        sections = []
        for section in self.sections:
            blocks: list[Block] = []
            for block in section.blocks:
                if isinstance(block, ParagraphBlock):
                    kept = keep(block.statements)
                    if kept:
                        blocks.append(ParagraphBlock(statements=kept))
                elif isinstance(block, BulletsBlock):
                    items = keep(block.items)
                    if items:
                        blocks.append(BulletsBlock(label=block.label, items=items))
                else:
                    steps = [Step(label=s.label, items=keep(s.items)) for s in block.steps]
                    steps = [s for s in steps if s.items]
                    if steps:
                        blocks.append(StepsBlock(steps=steps))
            if blocks:
                sections.append(section.model_copy(update={"blocks": blocks}))
        return self.model_copy(update={
            "bottom_line": keep(self.bottom_line), "sections": sections,
        }).renumbered()

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
