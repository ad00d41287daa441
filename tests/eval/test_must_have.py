from __future__ import annotations

from curbside.eval.must_have import coverage_share, covered, key_stems


def test_a_statement_is_covered_by_its_key_words_and_numbers() -> None:
    # Synthetic statements, written for this test.
    text = "Testitis is treated with 20 mg of restinol daily for two weeks."
    stems = key_stems(text)
    assert covered("Restinol treats testitis", stems, text)
    assert not covered("Restinol 40 mg treats testitis", stems, text)  # the number is missing
    assert not covered("Surgery drains the abscess", stems, text)
    assert coverage_share(["Restinol treats testitis", "Surgery drains the abscess"],
                          [text]) == 0.5
