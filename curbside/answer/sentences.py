"""From passages to quotable sentences: split, drop what is not a finding, trim lead-ins.

A quotable sentence is always a verbatim span of its passage, less at most a lead-in phrase.
"""

from __future__ import annotations

import re

from curbside.text import split_sentences

MIN_WORDS = 6
MAX_WORDS = 70

# Phrases that open a sentence without adding to it; the rest stands as a sentence on its own.
_LEAD_IN = re.compile(
    r"^(?:in conclusion|in summary|to conclude|to summari[sz]e|in short|overall|taken together|"
    r"collectively|altogether|thus|therefore|hence|importantly|notably|finally|moreover|"
    r"furthermore|in addition|additionally|conclusions?|interpretation|significance|"
    r"summary|results?|findings?)\s*[,:]\s+",
    re.IGNORECASE,
)
_SECTION_LABEL = re.compile(r"^([A-Z][A-Z /&-]{2,40}):\s+")
# Abstract sections about how a study was done; background and results stay quotable.
_DESIGN_LABELS = {"METHODS", "METHOD", "OBJECTIVE", "OBJECTIVES", "AIM", "AIMS", "PURPOSE",
                  "DESIGN", "SETTING", "PARTICIPANTS", "PATIENTS AND METHODS",
                  "MATERIALS AND METHODS", "STUDY DESIGN", "DESIGN, SETTING, AND PARTICIPANTS",
                  "MAIN OUTCOME MEASURES", "INTERVENTIONS"}
# Sentences about the study itself (its aims and methods), not about medicine.
_STUDY_SELF = re.compile(
    r"\b(?:the (?:aim|purpose|objective|goal)s? (?:of|was|is|were)|"
    r"we (?:aimed|sought|set out|hypothesi[sz]ed|investigated|evaluated|examined|analy[sz]ed|"
    r"conducted|performed|searched|reviewed|enrolled|recruited|used|describe|will)|"
    r"(?:this|the present|our) (?:study|review|paper|article) (?:aims|aimed|was designed|"
    r"describes|reports|presents)|were (?:enrolled|recruited|randomi[sz]ed|included|identified)|"
    r"was (?:conducted|performed|carried out)|data were (?:collected|extracted|analy[sz]ed))\b|"
    r"^to (?:study|assess|evaluate|determine|investigate|examine|compare|describe|report|"
    r"explore|identify|analy[sz]e|review)\b",
    re.IGNORECASE,
)
# Navigation and housekeeping text of consumer-health web pages.
_PAGE_TEXT = re.compile(
    r"(?:https?://|www\.|click|this page|web ?site|table below|listed below|see below|"
    r"human phenotype ontology|medlineplus|you can (?:use|find|read|search)|these resources|"
    r"contact (?:us|the)|call \d|for more information|the following (?:list|table|resources)|"
    r"frequency (?:may|of \d)|a frequency of|listed as a fraction|sign or symptom may be|"
    r"approximate number of patients|this information comes from|orphanet)",
    re.IGNORECASE,
)
DESIGN_SECTIONS = frozenset(label.lower() for label in _DESIGN_LABELS)
# Sections whose sentences are searched but never quoted: study design, and quotes of a paper
# cut mid-sentence (see library/formats/bioasq.py).
UNQUOTABLE_SECTIONS = DESIGN_SECTIONS | {"excerpts cut mid-sentence"}


def trim_lead_in(sentence: str) -> str | None:
    """The sentence without an opening label or connective; None when it is not a finding."""
    text = sentence.strip()
    label = _SECTION_LABEL.match(text)
    if label:
        if label.group(1).strip() in _DESIGN_LABELS:
            return None
        text = text[label.end():]
    text = _LEAD_IN.sub("", text, count=1)
    if not text:
        return None
    return text[0].upper() + text[1:]


def is_finding(sentence: str) -> bool:
    count = len(sentence.split())
    if count < MIN_WORDS or count > MAX_WORDS:
        return False
    if sentence.rstrip().endswith("?") or sentence.rstrip().endswith(":"):
        return False
    if not sentence[0].isalnum():
        return False
    return not (_STUDY_SELF.search(sentence) or _PAGE_TEXT.search(sentence))


def quotable_sentences(passage_text: str, section_label: str) -> list[str]:
    """The sentences of a passage fit to quote as statements."""
    if section_label.lower() in UNQUOTABLE_SECTIONS:
        return []
    found = []
    for sentence in split_sentences(passage_text):
        trimmed = trim_lead_in(sentence)
        if trimmed and is_finding(trimmed):
            found.append(trimmed)
    return found
