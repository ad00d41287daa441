"""Understanding a question: its topic words, its clinical intent and the terms to search for.

The word lists here are Curbside's own: function words, the framing words clinicians use around
a topic ("management plan for a patient with …"), British/American spelling rules and a few
common abbreviations.
"""

from __future__ import annotations

import re
from itertools import pairwise

from curbside.answer.population import population_words, populations_asked
from curbside.errors import QuestionError
from curbside.models import Intent, QuestionAnalysis
from curbside.text import fold, normalize_space, words

FUNCTION_WORDS = frozenset(
    """a an the and or but nor of in on at to for from by with without within into onto over
    under about after before during between among than then so such as is are was were be been
    being am do does did done has have had having can could should would may might must shall
    will what which who whom whose when where why how whether if it its this that these those
    there their they them he she his her him we our you your i me my any all some each every
    other others no not only also more most less least very much many few one ones s t
    vs versus per via etc e g ie eg""".split()
)

# Words that frame a clinical question without naming its topic.
FRAME_WORDS = frozenset(
    """patient patients person people adult adults man woman men women someone case cases
    plan plans approach approaches option options strategy strategies best current
    recommended recommendation recommendations appropriate usual standard evidence
    manage managed managing management treat treated treating treatment treatments therapy
    therapies diagnose diagnosed diagnosing diagnosis diagnostic workup evaluate evaluation
    assess assessment prognosis prognostic outlook outcome outcomes survival risk risks factor
    factors cause causes caused causing etiology aetiology mechanism dose doses dosing dosage
    two three four five six seven eight nine ten
    sign signs symptom symptoms warning prevent prevented preventing prevention complication
    complications know tell explain mean means meaning define definition
    overview happen happens get getting need needs use used using indicated indication
    indications first line long term known common commonly typical typically type types kind
    kinds form forms proportion relationship relation role roles effect effects impact please
    list name names describe main major developed successfully approved available current
    recent new specific associated association link linked difference differences compared
    comparison versus role function functions action actions mechanisms lower higher increase
    increased decrease decreased reduce reduced usefulness useful efficacy effective
    safe safety benefit benefits likely important frequently frequent often
    active ingredient ingredients recognized recognised identified complication complications
    source sources technique techniques choice perform performed routine routinely determine
    determined determination expected suffering thought play plays find individual individuals
    test tested trial trials medication medications drug drugs administered administration
    route target targets targeted reliable optimal preferred pill pills tablet tablets capsule
    capsules side adverse success successful rate rates prescribe prescribed prescription
    prescriptions take takes taking took give given giving first-line second-line third-line
    flare flares flare-up flare-ups exacerbation exacerbations episode episodes reverse reversed
    reversal reversing initial hour hours minute minutes pharmacological pharmacologic
    pharmacotherapy pharmacotherapies""".split()
)
# Where care happens ("in the emergency department", "outpatient"): searched for, so evidence
# from that setting ranks first, but not topic words. A stroke guideline's "Emergency Department
# Evaluation" does not answer a question about acute asthma in the emergency department.
CARE_SETTING = re.compile(
    r"\b(?:(?:the )?emergency (?:department|room|unit)s?|(?:in|to|at|from) the (?:ed|er)\b|"
    r"urgent care|"
    r"primary care|general practice|family practice|outpatients?|out-patients?|inpatients?|"
    r"in-patients?|ambulatory|hospitali[sz]ed|(?:in|at) (?:the )?hospital|at home|"
    r"pre-?hospital|(?:the )?(?:clinic|office|community) setting|settings?)\b")

# Second parts of a hyphenated word that only qualify the first ("warfarin-associated"): the
# first part is the topic word, searched and matched alone.
QUALIFYING_PARTS = frozenset("""associated induced related mediated dependent resistant
    acquired onset based positive negative like specific sensitive refractory naive treated
    exposed""".split())
# Nouns that end a condition's name ("Havana syndrome", "Crohn's disease"): too common to mark
# a topic, so not topic words, yet kept in the topic's name as written.
NAME_TAILS = frozenset("disease diseases disorder disorders syndrome syndromes".split())
# Before one of these the words name one condition ("borderline personality disorder"); the
# plural names a group ("mental health disorders"), whose members go by other names.
CONDITION_TAILS = frozenset("disease disorder syndrome".split())

INTENT_CUES: list[tuple[Intent, re.Pattern[str]]] = [
    (Intent.DOSING, re.compile(r"\b(dose|doses|dosing|dosage|how much|mg)\b")),
    (Intent.MANAGEMENT, re.compile(
        r"\b(manag\w*|treat\w*|therap\w*|plan|approach|first[- ]line|how (?:do|should|to) "
        r"(?:we |i |you )?(?:handle|care)|"
        # preventing a condition is done by treating (prophylaxis), not by its risk factors
        r"prevent\w*|prophyla\w*)\b")),
    (Intent.DIAGNOSIS, re.compile(
        r"\b(diagnos\w*|work-?up|evaluat\w*|assess\w*|test(?:s|ing)?|imaging|signs?|"
        r"symptoms?|present(?:s|ation)?)\b")),
    (Intent.PROGNOSIS, re.compile(
        r"\b(prognos\w*|outlook|outcomes?|survival|mortality|life expectancy|recover\w*|"
        r"complications?)\b")),
    (Intent.RISK, re.compile(r"\b(risks?|risk factors?|who gets|likely)\b")),
    (Intent.ETIOLOGY, re.compile(r"\b(caus\w*|etiolog\w*|aetiolog\w*|why|mechanism\w*|"
                                 r"pathophysiolog\w*|genetic\w*|inherit\w*)\b")),
    (Intent.DEFINITION, re.compile(r"^(what (?:is|are)|define|definition of|explain)\b")),
]

# British spelling -> American, applied to word parts; both spellings are searched.
SPELLING_RULES: list[tuple[str, str]] = [
    ("haem", "hem"), ("aemia", "emia"), ("paed", "ped"), ("oesoph", "esoph"),
    ("oestr", "estr"), ("oedem", "edem"), ("tumour", "tumor"), ("isation", "ization"),
    ("aetiol", "etiol"), ("orthopaed", "orthoped"), ("anaesth", "anesth"),
    ("diarrhoea", "diarrhea"), ("foetal", "fetal"), ("coeliac", "celiac"), ("fibre", "fiber"),
    ("leukaem", "leukem"), ("ischaem", "ischem"), ("haemorrh", "hemorrh"),
]

# Abbreviations clinicians type, with the words they stand for.
ABBREVIATIONS: dict[str, list[str]] = {
    "doac": ["direct oral anticoagulant"], "noac": ["direct oral anticoagulant"],
    "inr": ["international normalized ratio"], "ct": ["computed tomography"],
    "mri": ["magnetic resonance imaging"], "icu": ["intensive care unit"],
    "mi": ["myocardial infarction"], "copd": ["chronic obstructive pulmonary disease"],
    "ckd": ["chronic kidney disease"], "af": ["atrial fibrillation"],
    "dvt": ["deep vein thrombosis"], "pe": ["pulmonary embolism"],
    "uti": ["urinary tract infection"], "nsaid": ["nonsteroidal anti-inflammatory"],
    "nsaids": ["nonsteroidal anti-inflammatory"], "ards": ["acute respiratory distress"],
    "aki": ["acute kidney injury"], "hf": ["heart failure"], "tia": ["transient ischemic attack"],
    "ibd": ["inflammatory bowel disease"], "gerd": ["gastroesophageal reflux"],
    "opmd": ["oculopharyngeal muscular dystrophy"], "hiv": ["human immunodeficiency virus"],
    "ptsd": ["posttraumatic stress disorder"], "adhd": ["attention deficit hyperactivity"],
    "ssri": ["selective serotonin reuptake inhibitor"], "ppi": ["proton pump inhibitor"],
}


def spelling_variants(word: str) -> list[str]:
    """The word and its other spellings (British and American)."""
    variants = [word]
    for british, american in SPELLING_RULES:
        if british in word:
            variants.append(word.replace(british, american))
        elif len(word) >= len(american) + 2 and (
            word.startswith(american) or word.endswith(american)
        ):
            variants.append(word.replace(american, british, 1))
    return list(dict.fromkeys(variants))


def check_question(question: str, max_chars: int) -> str:
    text = normalize_space(question)
    if not text:
        raise QuestionError(
            "The question is empty. Type a clinical question, for example "
            '"What is the first-line treatment of community-acquired pneumonia?"'
        )
    if len(text) > max_chars:
        raise QuestionError(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Ask one focused question and put background in follow-up questions."
        )
    if not words(text):
        raise QuestionError("The question has no words to search for; type it in words.")
    return text


# "progesterone-only pill (POP)": an abbreviation in brackets restates the words before it.
_DEFINED_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,11})\)")


def joined_forms(analysis: QuestionAnalysis) -> list[str]:
    """Adjacent topic words written as one ("monkey pox" is also "monkeypox")."""
    return [first + second for phrase in analysis.topic_phrases
            for first, second in pairwise(phrase) if "-" not in first + second]


def detect_intent(question: str) -> Intent:
    folded = question.lower()
    for intent, pattern in INTENT_CUES:
        if pattern.search(folded):
            return intent
    return Intent.GENERAL


def analyse_question(question: str, max_chars: int = 2000) -> QuestionAnalysis:
    text = check_question(question, max_chars)
    tokens = words(text)
    restated = {fold(m.group(1)) for m in _DEFINED_ABBREVIATION.finditer(text)}
    populations = populations_asked(text)
    framing = population_words(text, populations) | care_setting_words(text)
    if not [t for t in tokens if _names_topic(t, restated | framing)]:
        # "What are the complications of pregnancy?": the population is the topic itself.
        populations, framing = [], set()
    topic: list[str] = []
    query: list[str] = []
    phrases: list[list[str]] = [[]]
    names: list[list[str]] = []
    for i, token in enumerate(tokens):
        if _names_topic(token, restated | framing) or _names_a_use_disorder(tokens, i):
            parts = token.split("-")
            if len(parts) > 1 and any(p in QUALIFYING_PARTS for p in parts):
                named = [p for p in parts if p not in QUALIFYING_PARTS and
                         _names_topic(p, restated | framing)]
            else:
                named = [token]
            topic.extend(named)
            phrases[-1].extend(named)
        elif phrases[-1]:
            if token in CONDITION_TAILS and len(phrases[-1]) >= 2:
                names.append(list(phrases[-1]))
            phrases.append([])
        if token in FUNCTION_WORDS or (len(token) < 2 and not _names_a_kind_letter(tokens, i)):
            continue
        for variant in spelling_variants(token):
            query.append(variant)
        parts = token.split("-")
        if len(parts) > 1 and any(p in QUALIFYING_PARTS for p in parts):
            # "warfarin-associated" is searched for "warfarin" alone too
            query.extend(p for p in parts if p not in QUALIFYING_PARTS and len(p) >= 2)
        for expansion in ABBREVIATIONS.get(token, []):
            query.append(expansion)
    return QuestionAnalysis(
        question=text,
        intent=detect_intent(text),
        topic_terms=list(dict.fromkeys(topic)),
        query_terms=list(dict.fromkeys(query)),
        topic_phrases=[phrase for phrase in phrases if phrase],
        condition_names=names,
        population=[p.name for p in populations],
    )


def _names_a_kind_letter(tokens: list[str], i: int) -> bool:
    """A letter after a topic word names its kind ("hepatitis C", "vitamin D"): searched,
    though a letter alone is too common to be a topic word."""
    return (len(tokens[i]) == 1 and tokens[i].isalpha() and i > 0
            and _names_topic(tokens[i - 1], set()))


def care_setting_words(question: str) -> set[str]:
    """The question's words that name where care happens (kept out of its topic)."""
    return {word for match in CARE_SETTING.finditer(fold(question))
            for word in words(match.group(0)) if word not in FUNCTION_WORDS}


def _names_a_use_disorder(tokens: list[str], i: int) -> bool:
    """"Use" in "alcohol use disorder" is part of the name, not a framing word."""
    return (tokens[i] == "use" and 0 < i < len(tokens) - 1 and tokens[i + 1] in NAME_TAILS
            and tokens[i - 1] not in FUNCTION_WORDS | FRAME_WORDS)


def _names_topic(token: str, excluded: set[str]) -> bool:
    return (token not in FUNCTION_WORDS and len(token) >= 2 and token not in FRAME_WORDS
            and token not in NAME_TAILS and not token.isdigit() and token not in excluded)


def analyse_followup(question: str, root: QuestionAnalysis, max_chars: int = 2000
                     ) -> QuestionAnalysis:
    """A follow-up read in its thread: the first question's topic carries over, so "What if
    the patient has hemophilia?" is searched together with the condition asked about first."""
    own = analyse_question(question, max_chars)
    return QuestionAnalysis(
        question=own.question,
        intent=own.intent if own.intent != Intent.GENERAL else root.intent,
        topic_terms=list(dict.fromkeys([*root.topic_terms, *own.topic_terms])),
        query_terms=list(dict.fromkeys([*root.query_terms, *own.query_terms])),
        topic_phrases=[*root.topic_phrases, *own.topic_phrases],
        condition_names=[*root.condition_names, *own.condition_names],
        population=list(dict.fromkeys([*root.population, *own.population])),
    )
