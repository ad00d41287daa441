"""Suggested follow-up questions: templates of Curbside's own, filled with the topic."""

from __future__ import annotations

from curbside.models import Article, Intent

_TEMPLATES: dict[Intent, list[str]] = {
    Intent.MANAGEMENT: ["What are the risk factors for {t}?", "What follow-up does {t} need?",
                        "What is the prognosis of {t}?"],
    Intent.DIAGNOSIS: ["How is {t} treated?", "What is the prognosis of {t}?",
                       "What causes {t}?"],
    Intent.DEFINITION: ["How is {t} diagnosed?", "How is {t} treated?",
                        "What is the prognosis of {t}?"],
    Intent.PROGNOSIS: ["How is {t} treated?", "What are the risk factors for {t}?"],
    Intent.RISK: ["How is {t} diagnosed?", "How can {t} be prevented?"],
    Intent.ETIOLOGY: ["How is {t} diagnosed?", "How is {t} treated?"],
    Intent.DOSING: ["What are the side effects of {t}?", "What monitoring does {t} need?"],
    Intent.GENERAL: ["How is {t} diagnosed?", "How is {t} treated?"],
}


def suggested_followups(article: Article, topic: str) -> list[str]:
    if not topic:
        return []
    return [template.format(t=topic) for template in _TEMPLATES[article.intent]]
