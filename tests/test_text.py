"""Sentence splitting and word forms (synthetic text)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from curbside.text import split_sentences, stem, words


def test_a_section_label_glued_to_the_last_sentence_starts_a_new_one() -> None:
    text = "Synthetic drug X targets RET in NSCLC.CASE PRESENTATION: A synthetic patient was seen."
    assert split_sentences(text) == [
        "Synthetic drug X targets RET in NSCLC.",
        "CASE PRESENTATION: A synthetic patient was seen.",
    ]


def test_abbreviations_and_decimals_do_not_split() -> None:
    text = "Synthetic doses were 5.3 mg. The U.S. FDA approved synthetic drug X."
    assert split_sentences(text) == ["Synthetic doses were 5.3 mg.",
                                     "The U.S. FDA approved synthetic drug X."]


@given(st.text(alphabet="abcAB .:!?\n", max_size=80))
def test_every_sentence_is_a_verbatim_span(text: str) -> None:
    position = 0
    for sentence in split_sentences(text):
        found = text.find(sentence, position)
        assert found >= 0
        position = found + len(sentence)


def test_possessives_and_typographic_apostrophes_match() -> None:
    assert {stem(w) for w in words("Crohn’s disease")} == {"crohn", stem("disease")}
    assert stem("crohn's") == "crohn"


def test_inflected_forms_share_a_stem() -> None:
    assert stem("overdosed") == stem("overdose") == stem("overdoses")
    assert stem("hematomas") == stem("hematoma")


def test_a_heading_glued_to_its_sentence_is_cut_off() -> None:
    # Synthetic web-page text with its headings run into the sentences after them.
    text = ("Mild testitisReplacement therapy is rarely needed for mild testitis. Older "
            "AgeThe biggest risk is age.\\nNovoSeven and PubMed names stay whole here.")
    assert split_sentences(text) == [
        "Mild testitis", "Replacement therapy is rarely needed for mild testitis.",
        "Older Age", "The biggest risk is age.", "NovoSeven and PubMed names stay whole here."]


def test_a_journal_note_glued_to_the_last_sentence_is_a_sentence_of_its_own() -> None:
    text = ("Synthetic estimates may underestimate the true prevalence of widget disease."
            "Supplementary Information: The online version contains synthetic material.")
    assert split_sentences(text) == [
        "Synthetic estimates may underestimate the true prevalence of widget disease.",
        "Supplementary Information: The online version contains synthetic material."]
