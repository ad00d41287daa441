"""A question as a PubMed query: topic (MeSH heading, title/abstract words, spelling variants,
other names), the intent's filter, the population's, and the limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.errors import QuestionError
from curbside.pubmed.query import LIMITS, pubmed_query
from tests.pubmed.standin import Recorded, StandIn

THERAPY = "(therapy[sh] OR treatment[tiab] OR therapy[tiab] OR management[tiab])"


def test_a_condition_with_another_name_is_searched_by_both() -> None:
    built = pubmed_query("How is herpes zoster treated?")
    assert built.query == (
        '("herpes zoster"[MeSH Terms] OR "herpes zoster"[tiab] OR shingles[MeSH Terms] OR '
        f"shingles[tiab]) AND {THERAPY} AND {LIMITS}")
    # The lay name asked for finds the clinical name, and the MeSH heading it is filed under.
    lay = pubmed_query("How is shingles treated?").query
    assert '"herpes zoster"[MeSH Terms]' in lay and "shingles[tiab]" in lay


def test_words_not_known_as_one_name_are_searched_one_by_one_in_both_spellings() -> None:
    built = pubmed_query("What is the management plan for a patient with an iliopsoas "
                         "haematoma?")
    assert built.query.startswith(
        '("iliopsoas hematoma"[MeSH Terms] OR (iliopsoas[tiab] AND (haematoma[tiab] OR '
        f'hematoma[tiab]))) AND {THERAPY} AND ')
    assert built.query.endswith(
        "hasabstract AND english[lang] NOT (animals[MeSH Terms] NOT humans[MeSH Terms])")
    # PubMed finding nothing, the topic alone is tried.
    assert built.broader == (
        '("iliopsoas hematoma"[MeSH Terms] OR (iliopsoas[tiab] AND (haematoma[tiab] OR '
        f'hematoma[tiab]))) AND {LIMITS}')


@pytest.mark.parametrize(("question", "intent_filter"), [
    ("How is haemophilia diagnosed?", "(diagnosis[sh] OR diagnosis[tiab] OR diagnostic[tiab])"),
    ("What is the prognosis of amyotrophic lateral sclerosis?", "(prognosis[MeSH Terms] OR "
     "prognosis[tiab] OR mortality[sh] OR survival[tiab] OR outcome[tiab] OR "
     "outcomes[tiab])"),
    ("What are the risk factors for pancreatic cancer?", '("risk factors"[MeSH Terms] OR '
     '"risk factors"[tiab] OR risk[tiab] OR etiology[sh] OR epidemiology[sh])'),
    ("What causes Cushing syndrome?", "(etiology[sh] OR etiology[tiab] OR aetiology[tiab] OR "
     'cause[tiab] OR causes[tiab] OR "risk factors"[MeSH Terms])'),
    ("What is the dose of amoxicillin for otitis media?", '("administration and dosage"[sh] '
     "OR dose[tiab] OR doses[tiab] OR dosing[tiab] OR dosage[tiab])"),
    ("How do I prevent pressure ulcers?", '("prevention and control"[sh] OR '
     "prevention[tiab] OR prevent[tiab])"),
])
def test_the_intent_narrows_the_search(question: str, intent_filter: str) -> None:
    built = pubmed_query(question)
    assert f" AND {intent_filter} AND {LIMITS}" in built.query
    assert built.broader is not None and intent_filter not in built.broader


def test_names_abbreviations_populations_and_plurals() -> None:
    # British spelling to MeSH's American; the name as the question writes it.
    haemophilia = pubmed_query("How is haemophilia diagnosed?").query
    assert haemophilia.startswith(
        "(hemophilia[MeSH Terms] OR haemophilia[tiab] OR hemophilia[tiab]) AND ")
    assert pubmed_query("What causes Cushing syndrome?").query.startswith(
        '("cushing syndrome"[MeSH Terms] OR "cushing syndrome"[tiab]) AND ')
    # An abbreviation is searched with the words it stands for.
    assert pubmed_query("How is COPD managed?").query.startswith(
        '(copd[MeSH Terms] OR copd[tiab] OR "chronic obstructive pulmonary disease"'
        '[MeSH Terms] OR "chronic obstructive pulmonary disease"[tiab]) AND ')
    # "community-acquired" as written, though "acquired" is no topic word; "in children" a
    # filter of its own.
    pneumonia = pubmed_query("What is the first-line treatment of community-acquired "
                             "pneumonia in children?").query
    assert pneumonia.startswith('("community-acquired pneumonia"[MeSH Terms] OR '
                                "(community-acquired[tiab] AND pneumonia[tiab])) AND ")
    assert f"AND {THERAPY} AND (child[MeSH Terms] OR " in pneumonia
    # A [tiab] word is not stemmed: the plural's singular is asked for too.
    assert "(pressure[tiab] AND (ulcers[tiab] OR ulcer[tiab]))" in pubmed_query(
        "How do I prevent pressure ulcers?").query
    # Two topics are both required; a question with no intent has no looser form.
    asthma = pubmed_query("Is as-needed budesonide-formoterol effective in mild asthma?")
    assert asthma.query == (
        '("as-needed budesonide-formoterol"[MeSH Terms] OR (as-needed[tiab] AND '
        'budesonide-formoterol[tiab])) AND ("mild asthma"[MeSH Terms] OR (mild[tiab] AND '
        f"asthma[tiab])) AND {LIMITS}")
    assert asthma.broader is None


def test_a_question_without_words_is_refused() -> None:
    with pytest.raises(QuestionError):
        pubmed_query("   ")


def test_the_standin_reads_the_queries_as_pubmed_would(recorded: list[Recorded],
                                                       data_dir: Path) -> None:
    standin = StandIn(recorded)
    assert standin.search(pubmed_query("How is mild asthma treated?").query) == ["29768149"]
    risk = pubmed_query("What are the risk factors for pancreatic cancer?").query
    assert standin.search(risk) == ["27797938"]
    # No MeSH indexing and no word of cause: found only by the looser query.
    pesticide = pubmed_query("Does occupational pesticide exposure cause subclinical "
                             "hypothyroidism?")
    assert standin.search(pesticide.query) == []
    assert pesticide.broader is not None
    assert standin.search(pesticide.broader) == ["28775130"]
    # Plain words still work as before, and NOT leaves records out.
    assert standin.search("budesonide formoterol") == ["29768149"]
    assert standin.search("asthma[tiab] NOT budesonide[tiab]") == []
