"""The article's sections: which ones a question gets, what each is called for each audience,
and the content cues that put a sentence in one. All wording here is Curbside's own."""

from __future__ import annotations

import re

from curbside.models import HEADING_SEPARATOR, Audience, Intent

OVERVIEW = "overview"
DIAGNOSIS = "diagnosis"
MANAGEMENT = "management"
SPECIAL = "special"
FOLLOW_UP = "follow_up"
PROGNOSIS = "prognosis"
RISK = "risk"
OTHER = "other"

TITLES: dict[str, dict[str, str]] = {
    "clinician": {
        OVERVIEW: "Overview",
        DIAGNOSIS: "Assessment and diagnosis",
        MANAGEMENT: "Management",
        SPECIAL: "Special considerations",
        FOLLOW_UP: "Follow-up and monitoring",
        PROGNOSIS: "Prognosis",
        RISK: "Risk factors and causes",
        OTHER: "Other relevant findings",
    },
    "patient": {
        OVERVIEW: "What it is",
        DIAGNOSIS: "Signs and how it is found",
        MANAGEMENT: "Treatment",
        SPECIAL: "Special situations",
        FOLLOW_UP: "Check-ups and monitoring",
        PROGNOSIS: "What to expect",
        RISK: "Causes and who is at risk",
        OTHER: "Other findings",
    },
}

# Section order by intent: the sections a reader of that question looks for first come first.
PLANS: dict[Intent, list[str]] = {
    Intent.MANAGEMENT: [DIAGNOSIS, MANAGEMENT, SPECIAL, FOLLOW_UP, PROGNOSIS, RISK, OTHER],
    Intent.DOSING: [MANAGEMENT, SPECIAL, FOLLOW_UP, OTHER],
    Intent.DIAGNOSIS: [OVERVIEW, DIAGNOSIS, RISK, MANAGEMENT, PROGNOSIS, OTHER],
    Intent.PROGNOSIS: [PROGNOSIS, RISK, MANAGEMENT, FOLLOW_UP, OTHER],
    Intent.RISK: [RISK, OVERVIEW, DIAGNOSIS, MANAGEMENT, PROGNOSIS, OTHER],
    Intent.ETIOLOGY: [OVERVIEW, RISK, DIAGNOSIS, MANAGEMENT, PROGNOSIS, OTHER],
    Intent.DEFINITION: [OVERVIEW, DIAGNOSIS, RISK, MANAGEMENT, PROGNOSIS, FOLLOW_UP, OTHER],
    Intent.GENERAL: [OVERVIEW, DIAGNOSIS, MANAGEMENT, PROGNOSIS, RISK, FOLLOW_UP, OTHER],
}

# The section a question of each intent is mainly about; its sentences rank higher.
PRIMARY: dict[Intent, str] = {
    Intent.MANAGEMENT: MANAGEMENT, Intent.DOSING: MANAGEMENT, Intent.DIAGNOSIS: DIAGNOSIS,
    Intent.PROGNOSIS: PROGNOSIS, Intent.RISK: RISK, Intent.ETIOLOGY: RISK,
    Intent.DEFINITION: OVERVIEW, Intent.GENERAL: OVERVIEW,
}

# Which sections a question of each intent is expected to have, to say plainly what is missing.
EXPECTED: dict[Intent, list[str]] = {
    Intent.MANAGEMENT: [DIAGNOSIS, MANAGEMENT, FOLLOW_UP, PROGNOSIS],
    Intent.DOSING: [MANAGEMENT],
    Intent.DIAGNOSIS: [DIAGNOSIS],
    Intent.PROGNOSIS: [PROGNOSIS],
    Intent.RISK: [RISK],
    Intent.ETIOLOGY: [RISK],
    Intent.DEFINITION: [OVERVIEW],
    Intent.GENERAL: [],
}

# Questions that name the kind of answer they want ("What are the risk factors for …?"): an
# article without a statement of that kind does not answer them, whatever else the library
# says on the topic, and their bottom line is a statement of that kind.
# A yes/no question ("Do PPIs increase the risk of gastric cancer?") asks whether one thing
# holds, and its answer may sit in any section.
_ASKS_FOR_ITS_SECTION = frozenset({Intent.MANAGEMENT, Intent.DOSING, Intent.DIAGNOSIS,
                                   Intent.PROGNOSIS, Intent.RISK})
_YES_NO = re.compile(r"^\s*(?:is|are|was|were|do|does|did|can|could|should|will|would|has|"
                     r"have|may|might)\b", re.IGNORECASE)


def asks_for_its_section(question: str, intent: Intent) -> bool:
    """The question asks for statements of its section's kind, not whether something holds."""
    return intent in _ASKS_FOR_ITS_SECTION and not _YES_NO.match(question)


# The sections of an article whose question names what it wants ("What are the risk factors
# for stroke?"): what it asks for, what defines the condition and its special cases. Lines on
# thrombectomy criteria are about stroke, but no answer to a question on its risk factors.
_FOCUSED_PLANS: dict[Intent, list[str]] = {
    Intent.DIAGNOSIS: [OVERVIEW, DIAGNOSIS, SPECIAL, OTHER],
    Intent.PROGNOSIS: [PROGNOSIS, FOLLOW_UP, SPECIAL, OTHER],
    Intent.RISK: [RISK, OVERVIEW, SPECIAL, OTHER],
}


def article_plan(question: str, intent: Intent) -> list[str]:
    """The sections an article on the question has, in order."""
    if asks_for_its_section(question, intent) and intent in _FOCUSED_PLANS:
        return _FOCUSED_PLANS[intent]
    return PLANS[intent]

_CUES: dict[str, re.Pattern[str]] = {
    OVERVIEW: re.compile(
        r"\b(?:is|are) (?:an?|the) (?:\w+[ -]){0,7}(?:disorder|disease|condition|syndrome|"
        r"infection|cancer|tumou?r|complication|form|type|group|cause)\b|\brefers to\b|"
        r"\bis defined as\b|\bis characteri[sz]ed by\b"),
    DIAGNOSIS: re.compile(
        r"\b(diagnos\w*|presents? with|present(?:ed|ing|ation)\w*|symptom\w*|signs?|imaging|"
        r"ultrasound|ultrasonograph\w*|computed tomography|ct|mri|magnetic resonance|biops\w*|"
        r"laborator\w*|tests?|testing|screen\w*|detect\w*|examination|manifest\w*|differential|"
        r"sensitivity|specificity)\b"),
    MANAGEMENT: re.compile(
        r"\b(treat\w*|therap\w*|manag\w*|surg\w*|operat\w*|drain\w*|resect\w*|excision|"
        r"administ\w*|doses?|dosing|mg|medication\w*|drugs?|interventions?|emboli[sz]\w*|"
        r"transfusion\w*|reversal|reversed|antibiotic\w*|anticoagula\w*|physiotherap\w*|"
        r"conservative\w*|first-line|second-line|regimens?|prescri\w*|supportive care|"
        r"injections?|infusions?|vaccin\w*|cure\w*|efficacy|effective|"
        # a dose and its route or interval ("2 g IV every 8 hours"): a regimen
        r"resuscitat\w*|rehydrat\w*|replacement|"
        r"iv|orally|intravenous\w*|subcutaneous\w*|(?:once|twice|three times) daily|"
        r"every \d+(?:-\d+)? hours)\b"),
    FOLLOW_UP: re.compile(
        r"\b(follow-?up|monitor\w*|surveillance|recurr\w*|relaps\w*|serial|rehabilitat\w*|"
        r"physical therapy|reassess\w*)\b"),
    PROGNOSIS: re.compile(
        r"\b(prognos\w*|mortality|surviv\w*|death|died|fatal\w*|outcomes?|resol\w*|recover\w*|"
        r"life expectancy|progression|disabilit\w*|complications?|quality of life|"
        # how long people live with it ("Most people with ALS die from respiratory failure
        # within 2 to 10 years"), not how cells die
        r"(?:people|patients|individuals|persons|children|adults)\b[^.;]{0,40}\b"
        r"(?:die|dies|live|lives|survive)\b|within \d+(?: to \d+)? years (?:of|after))\b"),
    RISK: re.compile(
        # a relative risk or risk reduction measures a treatment's effect, not a risk factor
        r"\b((?<!relative )(?<!absolute )risks?(?! ratios?\b| reductions?\b| differences?\b)|"
        r"associated with|caused by|causes?|mutations?|genes?|genetic\w*|inherit\w*|"
        r"autosomal|predispos\w*|incidence|prevalen\w*|etiolog\w*|aetiolog\w*|more likely|"
        r"odds ratio|hazard ratio|exposure)\b"),
    SPECIAL: re.compile(
        r"\b(pregnan\w*|child\w*|pediatric|paediatric|infants?|neonat\w*|elderly|older adults|"
        r"renal impairment|hepatic impairment|contraindicat\w*|caution\w*|hemophilia|"
        r"haemophilia|comorbid\w*|special populations?)\b"),
}

_CONTRAINDICATION_HEADING = re.compile(r"\b(?:contraindicat\w*|precautions?)\b")
# Headings over text about the document rather than the disease.
_NOT_CONTENT_HEADING = re.compile(r"\b(limitations?|references?|abbreviations?|evidence gaps?|"
                                  r"methods?|disclaimer|scope)\b")

# Labels of document sections that say what their sentences are about (MedQuAD question types).
SOURCE_LABEL_SECTIONS: dict[str, str] = {
    "information": OVERVIEW, "symptoms": DIAGNOSIS, "exams and tests": DIAGNOSIS,
    "treatment": MANAGEMENT, "outlook": PROGNOSIS, "complications": PROGNOSIS,
    "causes": RISK, "inheritance": RISK, "genetic changes": RISK, "susceptibility": RISK,
    "frequency": RISK, "prevention": RISK, "stages": DIAGNOSIS, "considerations": SPECIAL,
}

STEP_LABELS: dict[str, dict[str, str]] = {
    "clinician": {
        "initial": "Initial and supportive care",
        "first_line": "First-line treatment",
        "escalation": "Escalation and indications for intervention",
        "other": "Further evidence on treatment",
    },
    "patient": {
        "initial": "First steps",
        "first_line": "Main treatments",
        "escalation": "If that is not enough",
        "other": "More about treatment",
    },
}
STEP_ORDER = ["initial", "first_line", "escalation", "other"]
# A first-line step states an intervention with its effect, or a recommendation.
_RECOMMENDS_OR_WORKS = re.compile(
    r"\b(recommend\w*|should|first-line|first line|of choice|mainstay|standard|indicated|"
    r"effective\w*|efficacy|efficacious|reduc\w*|improv\w*|reliev\w*|relief|resolv\w*|"
    r"prevent\w*|lower\w*|decreas\w*|benefit\w*|superior|successful\w*|cure\w*|"
    r"used to treat|treated with|is treated|are treated|treatment (?:is|includes?|consists)|"
    r"options? (?:is|are|include)|therapy (?:is|includes?))\b")
_RECOMMENDS = re.compile(r"\b(recommend\w*|should|preferred|of choice|indicated)\b")
_FIRST_LINE_HEADING = re.compile(r"\b(first[- ]line|preferred|of choice)\b")
_FIRST_LINE_WORDS = re.compile(r"\b(first[- ]line|of choice)\b")
FIRST_LINE_LABEL = re.compile(r"first[- ]line(?: treatment| therapy| agents?)?\s*:")
_STEP_CUES: dict[str, re.Pattern[str]] = {
    "escalation": re.compile(
        r"\b(surg\w*|operat\w*|drain\w*|evacuat\w*|emboli[sz]\w*|decompress\w*|refractory|"
        r"fail\w*|second-line|escalat\w*|invasive|transplant\w*|resect\w*|excision|"
        r"unresponsive|persistent|severe|ineffective|poorly tolerated|third-line)\b"),
    "initial": re.compile(
        r"\b(initial\w*|immediate\w*|emergenc\w*|stabili[sz]\w*|resuscitat\w*|supportive|"
        r"conservative\w*|bed rest|analges\w*|pain (?:control|relief)|reversal|reversed|"
        r"withdraw\w*|discontinu\w*|lifestyle|diet\w*|exercise)\b"),
}


# The section-role model's probabilities (curbside/learned/section_model.py) outweigh a few
# keyword cues; the cues still name the sections it was not trained on (special situations,
# follow-up), and a source's own heading (a MedQuAD page's "Treatment") counts most.
LEARNED_WEIGHT = 3.0
HEADING_WEIGHT = 3.0


def classify_sentence(text: str, source_label: str,
                      learned: dict[str, float] | None = None, guidance: bool = False) -> str:
    """The article section a sentence belongs in, by its content (the learned role
    probabilities and keyword cues) and its source's heading; `guidance` when the heading is
    a guideline's heading path, written to say what its lines are for."""
    folded = text.lower()
    scores: dict[str, float] = {key: len(pattern.findall(folded))
                                for key, pattern in _CUES.items()}
    hinted = SOURCE_LABEL_SECTIONS.get(source_label.lower())
    if hinted:
        scores[hinted] = scores.get(hinted, 0) + 2
    elif guidance and (named := heading_section(source_label)):
        if named == OTHER:
            return OTHER  # a guideline's "Limitations" speak of the guideline, whatever words
        scores[named] = scores.get(named, 0) + HEADING_WEIGHT
    if scores[OVERVIEW]:
        scores[OVERVIEW] += 1  # a definition is what a sentence of that shape is for
    for key, probability in (learned or {}).items():
        scores[key] = scores.get(key, 0) + LEARNED_WEIGHT * probability
    best = max(scores, key=lambda key: scores[key])
    return best if scores[best] >= 1 else OTHER


# Headings that say whom their lines are for, not what they are about ("Adults With
# Comorbidities", "Without Risk Factors for MRSA"): the heading above them says that.
_FOR_WHOM_HEADING = re.compile(
    r"^\s*(?:with|without|healthy|(?:in |for )?(?:adults?|children|patients|women|men|"
    r"people)\b)")
_SEVERITY_HEADING = re.compile(r"^\s*(?:(?:non-?)?severe|mild|moderate|life-threatening)\b")


# Headings of scores and staging: their lines assess the patient, whatever words they hold.
_ASSESSMENT_HEADING = re.compile(r"\b(?:scor(?:e|es|ing)|stratification|classification|"
                                 r"grading|staging|assessment|evaluation|screening)\b")


_DEFINITION_HEADING = re.compile(r"\b(?:definitions?|overview|background|introduction|"
                                 r"epidemiology)\b")


def names_whom(heading: str) -> bool:
    """The heading names the patients its lines are for ("Adults With Comorbidities")."""
    return bool(_FOR_WHOM_HEADING.match(heading.lower()))


def qualifies_only(heading: str) -> bool:
    """The heading names whom or which severity its lines are for, not their subject."""
    return names_whom(heading) or bool(_SEVERITY_HEADING.match(heading.lower()))


def heading_section(heading_path: str) -> str | None:
    """The article section a guideline's heading path names ("Acute Flare Treatment ›
    First-Line Therapies" is management), judged from its most specific heading up; a
    heading naming only whom it is for ("Adults With Comorbidities") defers to its parent."""
    for heading in reversed(heading_path.lower().split(HEADING_SEPARATOR.strip())):
        if qualifies_only(heading):
            continue
        if _NOT_CONTENT_HEADING.search(heading):
            return OTHER
        if _DEFINITION_HEADING.search(heading):
            return OVERVIEW  # "Acute Exacerbation Management › Definition" defines
        if _ASSESSMENT_HEADING.search(heading):
            return DIAGNOSIS  # a score's table rows ("Age — 0 Points: < 60") assess the patient
        if _CONTRAINDICATION_HEADING.search(heading):
            return SPECIAL  # "Relative Contraindications (Weigh Risk/Benefit)" is not on risk
        found = [key for key, pattern in _CUES.items() if pattern.search(heading)]
        if found:
            return found[0]
    return None


def names_first_line(text: str, source_label: str) -> bool:
    """A recommendation of first-line treatment, by its own words or its guideline heading.
    "Preferred" alone does not make one: "hydromorphone and fentanyl are preferred opioids"
    answers which opioid, not how the condition is treated."""
    heading = source_label.lower().rsplit(HEADING_SEPARATOR.strip(), 1)[-1]
    if FIRST_LINE_LABEL.match(text.lower()):
        return True  # "First-line: amoxicillin …", a guideline's line labelled as such
    stated = _FIRST_LINE_WORDS.search(text.lower()) or _FIRST_LINE_HEADING.search(heading)
    return bool(stated) and bool(_RECOMMENDS.search(text.lower()))


def states_effect_or_advice(text: str) -> bool:
    """The sentence states what a treatment does or advises one ("… reduced mortality",
    "… should be given"), rather than the history of a guideline or a study's physiology."""
    return bool(_RECOMMENDS_OR_WORKS.search(text.lower()))


def classify_step(text: str, source_label: str = "") -> str:
    """The management step a statement belongs to; a guideline's heading ("Second-Line: IL-1
    Inhibitors") names it before the statement's own words do."""
    heading = source_label.lower().rsplit(HEADING_SEPARATOR.strip(), 1)[-1]
    if _FIRST_LINE_HEADING.search(heading):
        return "first_line"
    for step in ("escalation", "initial"):
        if _STEP_CUES[step].search(heading):
            return step
    folded = text.lower()
    for step in ("escalation", "initial"):
        if _STEP_CUES[step].search(folded):
            return step
    return "first_line" if states_effect_or_advice(folded) else "other"


def section_title(key: str, audience: Audience) -> str:
    return TITLES[audience][key]


# "How is depression treated with medication?" asks for drugs: a guideline's chapters on
# other kinds of treatment are not its steps.
_ASKS_FOR_DRUGS = re.compile(
    r"\b(?:medications?|medicines?|drugs?(?![-\w])|pharmacolog\w*|pharmacotherap\w*)\b",
    re.IGNORECASE)
_OTHER_THERAPY = re.compile(
    r"\b(?:psychotherap\w*|cognitive|behaviou?ral|counsell?ing|interpersonal|mindfulness|"
    r"exercise|lifestyle|surg\w*|rehabilitation|physiotherapy|physical therapy)\b",
    re.IGNORECASE)
_DRUG_THERAPY = re.compile(r"\b(?:pharmaco\w*|medications?|drugs?|dos(?:e|es|ing))\b",
                           re.IGNORECASE)


def other_kind_of_treatment(question: str, heading_title: str) -> bool:
    """The question asks for drug treatment and the heading is about another kind only."""
    return (bool(_ASKS_FOR_DRUGS.search(question)) and bool(_OTHER_THERAPY.search(heading_title))
            and not _DRUG_THERAPY.search(heading_title))
