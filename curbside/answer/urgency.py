"""Emergency cues in a question: the reader may need care now, not an article."""

from __future__ import annotations

import re

_EMERGENCY = re.compile(
    r"\b(chest (?:pain|pressure|tightness)|crushing chest|heart attack|"
    r"stroke|face (?:droop\w*|drooping)|slurred speech|sudden (?:weakness|numbness|confusion|"
    r"severe headache)|(?:trouble|difficulty|can'?t|cannot|struggling to) breath\w*|"
    r"short(?:ness)? of breath|not breathing|choking|suicid\w*|kill (?:my|him|her)sel\w*|"
    r"self[- ]harm\w*|end my life|overdos\w*|poison\w*|severe bleeding|heavy bleeding|"
    r"bleeding (?:heavily|won'?t stop|that won'?t stop)|uncontrolled bleeding|"
    r"coughing (?:up )?blood|vomiting blood|unconscious|unresponsive|passed out|seizur\w*|"
    r"anaphyla\w*|throat (?:closing|swelling)|swollen tongue)\b",
    re.IGNORECASE,
)

URGENT_NOTICE = (
    "If this is happening now, call your local emergency number (such as 911, 112 or 999) or "
    "go to the nearest emergency department. If you are thinking about suicide or self-harm, "
    "contact a crisis line or emergency services now. This article cannot assess an emergency."
)


def has_emergency_cues(question: str) -> bool:
    return bool(_EMERGENCY.search(question))
