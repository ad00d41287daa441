"""The shipped section-role model, loaded from the package as users load it. The sentences are
synthetic test fixtures."""

from __future__ import annotations

import numpy as np
import pytest

from curbside.learned.section_model import ROLES, section_model


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("Testitis is treated with antibiotics and rest, and surgery is rarely needed.",
         "management"),
        ("Testitis is caused by a mutation in the TST1 gene inherited from a parent.", "risk"),
        ("Symptoms of testitis include fever, a rash and swollen joints.", "diagnosis"),
    ],
)
def test_roles_follow_content(sentence: str, role: str) -> None:
    model = section_model()
    probabilities = model.probabilities([sentence])[0]
    assert model.roles == ROLES
    assert model.roles[int(np.argmax(probabilities))] == role
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-4)


def test_no_sentences_no_rows() -> None:
    assert section_model().probabilities([]).shape == (0, len(ROLES))
