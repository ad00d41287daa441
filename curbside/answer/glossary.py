"""Plain-language explanations of medical words for the patient view, written by Curbside.

They explain words only; they never add facts about a condition or its treatment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from curbside.models import GlossaryEntry

GLOSSARY: dict[str, str] = {
    "acute": "starting suddenly or lasting a short time",
    "analgesic": "a pain-relieving medicine",
    "anemia": "too few healthy red blood cells to carry enough oxygen",
    "anaemia": "too few healthy red blood cells to carry enough oxygen",
    "anticoagulant": "a medicine that slows blood clotting (a 'blood thinner')",
    "anticoagulation": "treatment with medicine that slows blood clotting",
    "antibiotic": "a medicine that kills bacteria or stops them growing",
    "asymptomatic": "having no symptoms",
    "atrophy": "wasting away or shrinking of a body part",
    "autosomal dominant": "passed on when one copy of a changed gene, from either parent, is "
                          "enough to cause the condition",
    "autosomal recessive": "passed on only when both copies of a gene, one from each parent, "
                           "are changed",
    "benign": "not cancer; does not spread to other parts of the body",
    "bilateral": "on both sides of the body",
    "biopsy": "taking a small piece of tissue to look at under a microscope",
    "cardiac": "about the heart",
    "carcinoma": "a cancer that starts in the cells lining organs or skin",
    "chronic": "lasting a long time or coming back often",
    "cohort": "a group of people followed over time in a study",
    "congenital": "present from birth",
    "corticosteroid": "a medicine that calms swelling and the immune system",
    "dementia": "a decline in memory and thinking that affects daily life",
    "distal": "farther from the center of the body, such as hands and feet",
    "dysphagia": "difficulty swallowing",
    "dyspnea": "shortness of breath",
    "edema": "swelling caused by fluid in the body's tissues",
    "embolism": "a blockage of a blood vessel by a clot or other material carried in the blood",
    "gene": "a piece of DNA that carries instructions for the body",
    "genetic": "caused by or related to genes",
    "hematoma": "a collection of blood outside a blood vessel, like a deep bruise",
    "haematoma": "a collection of blood outside a blood vessel, like a deep bruise",
    "hemorrhage": "heavy bleeding",
    "hepatic": "about the liver",
    "hereditary": "passed down from parents to children through genes",
    "hypertension": "high blood pressure",
    "hypotension": "low blood pressure",
    "idiopathic": "with no known cause",
    "incidence": "how many new cases appear in a group over a period of time",
    "infarction": "tissue death caused by a blocked blood supply",
    "inflammation": "the body's response to injury or infection, with swelling, redness or pain",
    "ischemia": "too little blood flow to part of the body",
    "lesion": "an area of damaged or abnormal tissue",
    "malignant": "cancerous; able to spread to other parts of the body",
    "meta-analysis": "a study that combines the results of many studies",
    "metastasis": "cancer that has spread from where it started",
    "morbidity": "illness or harm caused by a condition",
    "mortality": "death, or the rate of deaths in a group",
    "mutation": "a change in a gene",
    "mutations": "changes in a gene",
    "myopathy": "a disease of the muscles",
    "neuropathy": "damage to nerves, often causing numbness, tingling or weakness",
    "placebo": "a dummy treatment with no active medicine, used for comparison in studies",
    "prevalence": "how many people in a group have a condition at a given time",
    "prognosis": "the likely course and outcome of a condition",
    "prophylaxis": "treatment given to prevent a disease",
    "proximal": "closer to the center of the body, such as the hips and shoulders",
    "ptosis": "drooping of the upper eyelid",
    "pulmonary": "about the lungs",
    "randomized": "assigned to a group by chance, as in a fair comparison study",
    "relapse": "the return of a disease after a period of improvement",
    "remission": "a period when signs of a disease lessen or disappear",
    "renal": "about the kidneys",
    "sepsis": "a life-threatening reaction of the body to an infection",
    "syndrome": "a group of signs and symptoms that occur together",
    "systemic": "affecting the whole body",
    "tachycardia": "a fast heart rate",
    "thrombosis": "a blood clot forming inside a blood vessel",
}

_PATTERNS = {term: re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE) for term in GLOSSARY}


def glossary_for(texts: Iterable[str]) -> list[GlossaryEntry]:
    """Explanations of the glossary words the texts use, in order of first use."""
    found: list[tuple[int, int, str]] = []
    for order, text in enumerate(texts):
        for term, pattern in _PATTERNS.items():
            match = pattern.search(text)
            if match:
                found.append((order, match.start(), term))
    seen: set[str] = set()
    entries: list[GlossaryEntry] = []
    for _, _, term in sorted(found):
        explanation = GLOSSARY[term]
        if term not in seen and explanation not in {e.explanation for e in entries}:
            seen.add(term)
            entries.append(GlossaryEntry(term=term, explanation=explanation))
    return entries
