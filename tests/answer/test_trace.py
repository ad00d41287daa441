"""Property tests of the traceability check that guards every statement."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from curbside.answer.trace import is_traceable
from curbside.models import Document, DocumentSection

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_sentence = st.lists(_word, min_size=3, max_size=12).map(" ".join)


def _doc(*sentences: str) -> Document:
    return Document(id="t:1", source="test", title="Synthetic",
                    sections=[DocumentSection(text=" ".join(sentences))])


@given(st.lists(_sentence, min_size=1, max_size=5), st.data())
def test_every_sentence_of_a_document_is_traceable(sentences: list[str], data: st.DataObject
                                                   ) -> None:
    chosen = data.draw(st.sampled_from(sentences))
    spaced = "  ".join(chosen.split(" "))  # whitespace differences are allowed
    assert is_traceable(spaced, _doc(*sentences))
    assert is_traceable(chosen[0].upper() + chosen[1:], _doc(*sentences))


@given(_sentence, _word)
def test_a_changed_word_is_not_traceable(sentence: str, replacement: str) -> None:
    words = sentence.split(" ")
    assume(replacement != words[-1])
    changed = " ".join([*words[:-1], replacement])
    assume(changed not in sentence)
    assert not is_traceable(changed, _doc(sentence))


def test_empty_statement_is_not_traceable() -> None:
    assert not is_traceable("  ", _doc("anything at all"))
