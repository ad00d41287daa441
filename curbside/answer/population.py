"""The population a question is asked for ("during pregnancy", "in children", "after cardiac
surgery"): a constraint on the evidence, not a hint. A statement answers such a question only
if it, or the title of the document it comes from, speaks of that population.

The cue lists are Curbside's own. A question's words that name its population are searched for
but are not topic words: "ibuprofen during pregnancy" is about ibuprofen, for pregnant women.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from curbside.text import fold


@dataclass(frozen=True)
class Population:
    name: str  # how notes name it: "pregnancy", "children", "after cardiac surgery"
    asked: re.Pattern[str]  # the question names this population
    spoken_of: re.Pattern[str]  # a sentence or title speaks of it


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + pattern + r")\b")


POPULATIONS: tuple[Population, ...] = (
    Population(
        "pregnancy",
        _words(r"pregnan\w*|gestation\w*|trimesters?|expecting a baby|antenatal|prenatal"),
        _words(r"pregnan\w*|gestation\w*|trimesters?|antenatal|prenatal|perinatal|obstetric\w*|"
               r"fetal|fetus\w*|foetal|foetus\w*|maternal|teratogen\w*|preeclampsia|"
               r"pre-eclampsia|gravid\w*"),
    ),
    Population(
        "breastfeeding",
        _words(r"breast-?feed\w*|breast ?milk|lactat\w*|nursing mothers?"),
        _words(r"breast-?feed\w*|breast ?milk|lactat\w*|nursing mothers?|human milk"),
    ),
    Population(
        "newborns",
        _words(r"newborns?|neonat\w*|preterm|premature infants?"),
        _words(r"newborns?|neonat\w*|preterm|premature infants?|infants?|nicu"),
    ),
    Population(
        "children",
        _words(r"child|children|childhood|kids?|pediatric\w*|paediatric\w*|infants?|toddlers?|"
               r"adolescen\w*|teen\w*|bab(?:y|ies)|school-?age\w*"),
        _words(r"child|children|childhood|pediatric\w*|paediatric\w*|infants?|toddlers?|"
               r"adolescen\w*|teen\w*|juvenile|school-?age\w*|boys|girls|young people"),
    ),
    Population(
        "older adults",
        _words(r"elderly|older (?:adults?|people|patients|persons|women|men)|geriatric\w*|"
               r"aged (?:over|above) \d+|frail\w*"),
        _words(r"elderly|older|geriatric\w*|aged (?:over|above|≥|>=) ?\d+|frail\w*|"
               r"nursing homes?|octogenarians?|nonagenarians?"),
    ),
    Population(
        "after cardiac surgery",
        _words(r"(?:after|following|post) (?:cardiac|heart|open-heart|cardiothoracic) surgery|"
               r"after (?:cabg|coronary artery bypass\w*|valve (?:surgery|replacement))|"
               r"post-?cardiac surgery|post-?cabg"),
        _words(r"cardiac surg\w*|heart surg\w*|open-heart|cardiothoracic|cabg|"
               r"coronary artery bypass\w*|valve (?:surgery|replacement)|sternotomy|"
               r"cardiopulmonary bypass|post-?operative\w*|postoperative\w*"),
    ),
    Population(
        "after surgery",
        _words(r"(?:after|following) (?:an? )?(?:surgery|operations?)|post-?operative\w*|"
               r"postoperative\w*|post-?surgical"),
        _words(r"post-?operative\w*|postoperative\w*|after (?:an? )?(?:surgery|operation)|"
               r"post-?surgical|perioperative\w*|surgical patients"),
    ),
    # A numbered type of the condition is a frame too: "type 2 diabetes" is not type 1.
    Population(
        "type 1",
        _words(r"type (?:1|i)"),
        _words(r"type[ -]?(?:1|i)|t1dm?|insulin-dependent|juvenile-onset|juvenile"),
    ),
    Population(
        "type 2",
        _words(r"type (?:2|ii)"),
        _words(r"type[ -]?(?:2|ii)|t2dm?|non-insulin-dependent|adult-onset"),
    ),
    Population(
        "critically ill patients",
        _words(r"icu|intensive care|critically ill|critical care|mechanically ventilated"),
        _words(r"icu|intensive care|critically ill|critical(?:ly)? care|mechanical(?:ly)? "
               r"ventilat\w*|ventilated"),
    ),
)


def populations_asked(question: str) -> list[Population]:
    """The populations a question names; "after cardiac surgery" is not also "after surgery"."""
    folded = fold(question)
    found = [p for p in POPULATIONS if p.asked.search(folded)]
    names = {p.name for p in found}
    if "after cardiac surgery" in names:
        found = [p for p in found if p.name != "after surgery"]
    if "newborns" in names:
        # "preterm infants" asks about newborns alone, unless other words name older children.
        rest = by_name("newborns").asked.sub(" ", folded)
        found = [p for p in found if p.name != "children" or p.asked.search(rest)]
    return found


def population_words(question: str, populations: list[Population]) -> set[str]:
    """The question's words that name its populations (kept out of its topic)."""
    folded = fold(question)
    found: set[str] = set()
    for population in populations:
        for match in population.asked.finditer(folded):
            found.update(re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", match.group(0)))
    return found


def by_name(name: str) -> Population:
    return next(p for p in POPULATIONS if p.name == name)


def speaks_of(population_names: list[str], *texts: str) -> bool:
    """Every population asked for is spoken of in one of the texts."""
    folded = [fold(t) for t in texts]
    return all(any(by_name(name).spoken_of.search(t) for t in folded)
               for name in population_names)


# The groups of people a whole guideline may be written for ("Perinatal Depression").
_GROUPS = ("pregnancy", "breastfeeding", "newborns", "children", "older adults")


def for_another_group(asked: Sequence[str], title: str) -> bool:
    """The title speaks of a group of people the question did not ask about."""
    folded = fold(title)
    return any(by_name(name).spoken_of.search(folded) for name in _GROUPS if name not in asked)


def names_a_population(text: str) -> bool:
    """The text names a population as a question would ("in children", "during pregnancy")."""
    folded = fold(text)
    return any(p.asked.search(folded) for p in POPULATIONS if not p.name.startswith("type"))


# Care settings that exclude each other: lines for inpatients do not answer a question about
# outpatients, and the reverse. (An emergency question may still need admission criteria.)
_OUTPATIENT = re.compile(r"\b(?:outpatients?|out-patients?|ambulatory|primary care|"
                         r"general practice|at home)\b", re.IGNORECASE)
_INPATIENT = re.compile(r"\b(?:inpatients?|in-patients?|hospitali[sz]ed|general ward|ward|icu|"
                        r"intensive care)\b", re.IGNORECASE)


def other_setting(question: str, heading_path: str) -> bool:
    """The heading is for the care setting opposite to the one the question asks about."""
    if _OUTPATIENT.search(question) and not _INPATIENT.search(question):
        return bool(_INPATIENT.search(heading_path)) and not _OUTPATIENT.search(heading_path)
    if _INPATIENT.search(question) and not _OUTPATIENT.search(question):
        return bool(_OUTPATIENT.search(heading_path)) and not _INPATIENT.search(heading_path)
    return False


def population_phrase(population_names: list[str]) -> str:
    """How titles and notes name the frame: "in pregnancy", "after cardiac surgery"."""
    phrases = [f"({n})" if n.startswith("type") else n if n.startswith("after") else f"in {n}"
               for n in population_names]
    return " and ".join(phrases)
