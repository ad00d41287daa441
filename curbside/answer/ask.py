"""The one flow: question -> understand -> retrieve -> appraise -> compose."""

from __future__ import annotations

from curbside.answer.assemble import compose_article
from curbside.answer.llm import (
    COMPOSER_NAME,
    ChatEndpoint,
    OpenAICompatibleEndpoint,
    Progress,
    compose_with_llm,
)
from curbside.answer.question import (
    analyse_followup,
    analyse_question,
)
from curbside.answer.retrieve import gather_evidence
from curbside.answer.verify import verify_article
from curbside.library.store import Library
from curbside.models import Article, Audience
from curbside.settings import Settings


def answer_question(
    library: Library,
    question: str,
    audience: Audience,
    settings: Settings,
    thread_question: str | None = None,
    endpoint: ChatEndpoint | None = None,
    on_progress: Progress | None = None,
) -> Article:
    """The article for a question; a follow-up names the first question of its thread."""
    analysis = analyse_question(question, settings.max_question_chars)
    if thread_question is not None:
        root = analyse_question(thread_question, settings.max_question_chars)
        analysis = analyse_followup(question, root, settings.max_question_chars)
    if on_progress:
        on_progress("Searching the library")
    evidence = gather_evidence(library, analysis, settings)
    article = compose_article(evidence, audience, settings.composer)
    if settings.llm.url and not article.insufficient_evidence:
        # An honest "insufficient evidence" article is never handed to a model to fill in.
        endpoint = endpoint or OpenAICompatibleEndpoint(settings.llm)
        def verify(composed: Article) -> Article:
            return verify_article(composed, library, settings.verifier)

        drafted = compose_with_llm(evidence, article, audience, endpoint, settings.llm,
                                   verify, on_progress)
        if drafted.composer == COMPOSER_NAME and not drafted.bottom_line:
            note = (f"No statement of the language model ({endpoint.model}) passed the "
                    "verifier; this article was composed extractively from the same evidence.")
            extractive = verify_article(article, library, settings.verifier)
            return extractive.model_copy(update={
                "unsupported": drafted.unsupported,
                "coverage": extractive.coverage.model_copy(update={
                    "note": " ".join(filter(None, [note, extractive.coverage.note]))}),
            })
        return drafted
    return verify_article(article, library, settings.verifier)
