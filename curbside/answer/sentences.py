"""From passages to quotable sentences: split, drop what is not a finding, trim lead-ins.

A quotable sentence is always a verbatim span of its passage, less at most a lead-in phrase.
"""

from __future__ import annotations

import re

from curbside.text import split_sentences

MIN_WORDS = 6
# A guideline's treatment field states its answer in a few words ("Initial Therapy: LABA +
# LAMA", "First-line: amoxicillin"): whole at this length.
FIELD_MIN_WORDS = 3
_TREATMENT_FIELD = re.compile(
    r"^(?:initial|first[- ]line|second[- ]line|third[- ]line|preferred|alternative|"
    r"recommended)(?: (?:therapy|treatment|regimen|agents?|options?|choice))?\s*:\s*\S",
    re.IGNORECASE)
# So does a short statement of what the treatment is ("Treatment is with antibiotics.").
_TREATMENT_STATEMENT = re.compile(
    r"^(?:the )?(?:treatment|therapy|management)\b(?: \w+){0,3} (?:is|are|includes?|"
    r"consists? of)\b", re.IGNORECASE)
MAX_WORDS = 70

# Phrases that open a sentence without adding to it; the rest stands as a sentence on its own.
_LEAD_IN = re.compile(
    r"^(?:in conclusion|in summary|to conclude|to summari[sz]e|in short|overall|taken together|"
    r"collectively|altogether|thus|therefore|hence|importantly|notably|finally|moreover|"
    r"furthermore|in addition|additionally|conclusions?|interpretation|significance|"
    r"summary|results?|findings?|"
    # a guideline note's field name ("Details: Dual bronchodilator therapy is …")
    r"details|notes?|comments?|rationale|remarks?|key (?:rules?|points?)|clinical pearls?|"
    # and a numbered recommendation's label ("Recommendation 9.9 (Grade E): A person-…")
    r"recommendation \d+(?:\.\d+)*(?: \([^()]{1,20}\))?)"
    r"\s*[,:]\s+",
    re.IGNORECASE,
)
# A consumer page's reply to the question it is headed by ("No. Most heart attack patients do
# not have all of the symptoms."): the reader sees the statement, not the question.
_REPLY = re.compile(r"^(?:No|Yes|NO|YES)[.!,]\s+(?=[A-Z])")
_REPEATED_HEADING = re.compile(r"^([A-Z][a-z]+(?: [a-z]+){0,2}) (?=\1\b)")
_SECTION_LABEL = re.compile(r"^([A-Z][A-Z /&-]{2,40}):\s+")
# The section labels of structured abstracts.
_LABEL_WORDS = (
    r"(?:BACKGROUND|OBJECTIVES?|METHODS?|RESULTS?|CONCLUSIONS?|PURPOSE|AIMS?|INTRODUCTION|"
    r"DESIGN|SETTING|PARTICIPANTS|PATIENTS|FINDINGS|INTERPRETATION|CONTEXT|IMPORTANCE|"
    r"MEASUREMENTS|SUMMARY|DISCUSSION|ABSTRACT|Abstract|MAIN OUTCOME MEASURES|"
    r"MATERIALS AND METHODS|PATIENTS AND METHODS|CASE PRESENTATION|CASE REPORT|"
    r"EVIDENCE ACQUISITION|EVIDENCE SYNTHESIS|DATA SOURCES|STUDY SELECTION|DATA EXTRACTION|"
    r"INTERVENTIONS?|SIGNIFICANCE|RELEVANCE|IMPLICATIONS|RATIONALE|STUDY DESIGN|"
    r"AIMS AND OBJECTIVES|SEARCH METHODS|SEARCH STRATEGY|SELECTION CRITERIA|"
    r"ELIGIBILITY CRITERIA|DATA COLLECTION AND ANALYSIS)")
# A label that lost its colon ("OBJECTIVES To evaluate …"), or several run together
# ("DESIGN, SETTING, AND PATIENTS Multicenter …"): capitals, then a capitalised word.
_LABEL_JOIN = re.compile(r",? (?:AND )?")
_BARE_LABEL = re.compile(
    rf"^({_LABEL_WORDS}(?:{_LABEL_JOIN.pattern}{_LABEL_WORDS})*)\s+(?=[A-Z])")
# A web page's title-case heading run into its first sentence ("Treatment May Start Right Away
# Treatment for …", "Less Exposure to Estrogen Decreasing the …"): a run of capitalised words
# with a capitalised function word or a lower-case joining word inside it, or five capitalised
# words in a row; the sentence restarts at the run's last word.
_HEADING_RUN = re.compile(
    r"^((?:[A-Z][\w'-]*|to|of|and|for|the|a|an|in|with|or|on|at|your)"
    r"(?: (?:[A-Z][\w'-]*|to|of|and|for|the|a|an|in|with|or|on|at|your))+) "
    r"(?=[A-Z][\w'-]* [a-z])")
_HEADING_WORDS = frozenset("""May Can Is Are Will Should The A An Your You Of For To And With In
    On At Right What How When Why Who Do Does""".split())
_CONNECTORS = frozenset("to of and for the a an in with or on at your".split())
_SENTENCE_OPENERS = frozenset("""The A An This These That Those Your You If When Most Many
    Some It In There Although Because People Patients""".split())
# A one-word page heading ("Overview PE most often …"), then a capitalised sentence start.
_PAGE_HEADING = re.compile(
    r"^(?:Overview|Summary|Symptoms|Causes|Treatment|Treatments|Diagnosis|Prevention|Outlook|"
    r"Prognosis|Complications|Definition|Description) (?=[A-Z][\w'-]* [a-z])")
# A reference list entry quoted as if it were a finding.
_CITATION = re.compile(
    r"\bet al\b\.?,? ?\(?(?:19|20)\d\d|\b(?:19|20)\d\d ?; ?\d+ ?(?:\(\d+\))? ?: ?\d+|"
    r"\bdoi ?: ?10\.|\bPMID ?:? ?\d|\[PDB;")
# Abstract sections about how a study was done; background and results stay quotable.
_DESIGN_LABELS = {"METHODS", "METHOD", "OBJECTIVE", "OBJECTIVES", "AIM", "AIMS", "PURPOSE",
                  "DESIGN", "SETTING", "PARTICIPANTS", "PATIENTS AND METHODS",
                  "MATERIALS AND METHODS", "STUDY DESIGN", "DESIGN, SETTING, AND PARTICIPANTS",
                  "MAIN OUTCOME MEASURES", "INTERVENTIONS",
                  # how a review found its studies
                  "DATA SOURCES", "STUDY SELECTION", "DATA EXTRACTION", "EVIDENCE ACQUISITION",
                  "SEARCH METHODS", "SEARCH STRATEGY", "SELECTION CRITERIA",
                  "ELIGIBILITY CRITERIA", "DATA COLLECTION AND ANALYSIS"}
# Sentences about the study itself (its aims and methods), not about medicine.
_STUDY_SELF = re.compile(
    r"\b(?:the (?:aim|purpose|objective|goal)s? (?:of|was|is|were)|"
    r"we (?:\w+ly |then |also |further |first |next )?(?:aimed|sought|set out|hypothesi[sz]ed|"
    r"investigated?|evaluated|examined|analy[sz]ed|conducted|performed|searched|reviewed|"
    r"enrolled|recruited|used|describe|will)|"
    r"(?:this|the present|our) (?:study|review|paper|article) (?:aims|aimed|was designed|"
    r"describes|reports|presents)|"
    r"were (?:also )?(?:enrolled|recruited|randomi[sz]ed|included|identified|extracted)|"
    r"\bmet (?:the |our )?inclusion criteria\b|^future (?:research|studies|work|trials)\b|"
    r"was (?:conducted|performed|carried out)|data were (?:collected|extracted|analy[sz]ed)|"
    r"(?:was|were) used to (?:calculate|estimate|pool|compare|analy[sz]e|assess)|"
    # passive accounts of what the investigators did ("Women were interviewed …")
    r"(?:were|was) (?:interviewed|surveyed|studied|investigated|questioned|recruited|"
    r"screened for eligibility|followed (?:up )?for|asked to|invited to))\b|"
    r"^to (?:study|assess|evaluate|determine|investigate|examine|compare|describe|report|"
    r"explore|identify|analy[sz]e|review)\b|"
    # How a trial was run, and case narratives ("A 45-year-old man presented …").
    r"\bwere (?:randomly )?(?:assigned|allocated|divided|randomi[sz]ed|stratified)\b|"
    r"\b(?:was|were) induced\b|\b(?:two|three|four) groups of\b|"
    r"\b(?:here )?we (?:report|present|describe|propose|discuss)\b|"
    r"\bthe authors (?:\w+ly )?(?:reviewed|report|reported|describe|described|studied|"
    r"analy[sz]ed|examined|present|presented)\b|"
    r"\b(?:in )?(?:this|the present|our) (?:study|trial|review|analysis)\b,? we\b|"
    r"^(?:an? )?\d+[- ](?:year|month|week|day)s?[- ]old\b|"
    # A guideline (or its summary) speaking of itself: how it was made, what it leaves out.
    r"^(?:the|this) (?:\d{4} )?(?:consensus report|consensus statement|guidelines?|report|"
    r"summary|document|statement) (?:is|was|were|are|does|did|provides|represents)\b|"
    r"^it was (?:jointly )?(?:developed|written|endorsed)\b|"
    # … and its scope ("It does not cover community-acquired meningitis.")
    r"^(?:the|this) (?:guideline|summary|document|chapter|section) (?:addresses|covers|"
    r"applies to|focuses on|excludes|is limited to|is intended for)\b|"
    r"^it does not (?:cover|address|apply to|include|discuss)\b|"
    # research news and a study's background rather than its findings
    r"\bwe (?:wanted|tried|attempted|wished) to\b|"
    r"\b(?:scientists|researchers|investigators) (?:are|have been) (?:also )?(?:studying|"
    r"investigating|exploring|working|looking|testing|trying)\b|"
    r"\b(?:scientists|researchers|investigators) (?:continue|are continuing|hope|plan) to\b|"
    r"\b(?:institutes?|nih|foundation) (?:is|are) (?:seeking|conducting|supporting|funding)\b|"
    r"\b(?:the )?(?:ninds|nih|nia|nci|nhlbi|niddk|niams|nichd|institutes?|foundation)s? "
    r"(?:supports?|funds?|conducts?|sponsors?)(?: and \w+)? (?:\w+ )?research\b|"
    r"\bgoals? of (?:this|the|our) (?:research|project|work)\b|"
    r"\bleading federal agency\b|\b(?:directing|funding) (?:and \w+ )?research\b|"
    r"\b(?:our|the) understanding of\b.{0,80}\b(?:is|remains) (?:incomplete|limited|poor)\b|"
    # the literature's gap a study sets out to fill ("… have been rarely explored"); "has not
    # been evaluated in pregnancy" may be the answer, and stays
    r"\b(?:has|have) (?:been )?(?:rarely|seldom|scarcely|poorly) (?:been )?(?:explored|studied|"
    r"investigated|examined|evaluated|addressed|reported|described|characteri[sz]ed)\b|"
    r"\blittle is known\b|\bfew studies have\b|"
    r"\b(?:not|never) (?:differentiated|specified|addressed) (?:within|in|by) the guideline\b",
    re.IGNORECASE,
)
# Navigation and housekeeping text of consumer-health web pages.
_PAGE_TEXT = re.compile(
    r"(?:https?://|www\.|click|this page|web ?site|table below|listed below|see below|"
    r"human phenotype ontology|medlineplus|you can (?:use|find|read|search)|these resources|"
    r"contact (?:us|the)|call \d|for more information|the following (?:list|table|resources)|"
    r"frequency (?:may|of \d)|a frequency of|listed as a fraction|sign or symptom may be|"
    r"approximate number of patients|this information comes from|orphanet|"
    # the rest of a rare-disease page's note on its table of signs and their frequencies
    r"frequency of a sign or symptom|number of the fraction|information on frequency|"
    r"these frequencies are based|"
    r"\bsee (?:the )?(?:chapter|section|page|topic)s?\b|\bfor more on\b|"
    r"\bread more\b|\blearn more\b|"
    # software notes in guideline summaries ("… Calculator: calculate_sofa — available via MCP")
    r"\bvia mcp\b|\bcalculate_[a-z0-9_]+|"
    r"\b(?:animation|video|figure|picture|image|illustration|diagram|table|chart|algorithm) "
    r"(?:below|above)\b)",
    re.IGNORECASE,
)
DESIGN_SECTIONS = frozenset(label.lower() for label in _DESIGN_LABELS)
# Sections whose sentences are searched but never quoted: study design, and quotes of a paper
# cut mid-sentence (see library/formats/bioasq.py).
UNQUOTABLE_SECTIONS = DESIGN_SECTIONS | {"excerpts cut mid-sentence"}


def _heading_end(text: str) -> int:
    """Where a title-case heading glued to the sentence ends, or 0 when there is none."""
    single = _PAGE_HEADING.match(text)
    if single:
        # "Overview PE most often …" but not "Treatment Options include …"
        following = text[single.end():].split(" ", 1)[0]
        if following in _SENTENCE_OPENERS or (following.isupper() and len(following) >= 2):
            return single.end()
    run = _HEADING_RUN.match(text)
    if not run:
        return 0
    tokens = run.group(1).split()
    capitalised = [t for t in tokens if t[0].isupper()]
    inner = tokens[1:]
    # "In the United States of America …" opens a sentence, not a heading.
    heading_like = tokens[0] not in _HEADING_WORDS and (
        any(t in _HEADING_WORDS for t in inner) or any(t in _CONNECTORS for t in inner[:-1]))
    # "Common Treatments The most common …": a sentence opener after two capitalised words.
    opens_sentence = text[run.end():].split(" ", 1)[0] in _SENTENCE_OPENERS
    if len(capitalised) >= 2 and (heading_like or opens_sentence or len(capitalised) >= 4):
        return run.end()
    return 0


def trim_lead_in(sentence: str) -> str | None:
    """The sentence without an opening label, heading or connective; None when it is not a
    finding."""
    text = sentence.strip()
    label = _SECTION_LABEL.match(text) or _BARE_LABEL.match(text)
    if label:
        named = label.group(1).strip()
        if named in _DESIGN_LABELS or _LABEL_JOIN.split(named)[0] in _DESIGN_LABELS:
            return None
        text = text[label.end():]
    text = text[_heading_end(text):]
    text = _LEAD_IN.sub("", text, count=1)
    text = _REPLY.sub("", text, count=1)
    # A page's heading run into its first sentence on the same word ("Women Women of
    # childbearing age are at higher risk …"): the sentence starts at the second.
    text = _REPEATED_HEADING.sub("", text, count=1)
    if not text:
        return None
    first = text.split(" ", 1)[0]
    # "pMDI + spacer …", "eGFR below …": a word cased inside keeps its case.
    return text if any(c.isupper() for c in first[1:]) else text[0].upper() + text[1:]


def is_finding(sentence: str) -> bool:
    count = len(sentence.split())
    short_answer = _TREATMENT_FIELD.match(sentence) or _TREATMENT_STATEMENT.match(sentence)
    shortest = FIELD_MIN_WORDS if short_answer else MIN_WORDS
    if count < shortest or count > MAX_WORDS:
        return False
    if sentence.rstrip().endswith("?") or sentence.rstrip().endswith(":"):
        return False
    if not sentence[0].isalnum():
        return False
    return not (_STUDY_SELF.search(sentence) or _PAGE_TEXT.search(sentence)
                or _CITATION.search(sentence))


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
