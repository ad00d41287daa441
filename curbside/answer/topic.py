"""Topic matching: how much of the question's topic a piece of text names, weighted by how
rare each topic word is in the library, and the topic's name as the question wrote it."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from itertools import pairwise

from curbside.answer.question import (
    ABBREVIATIONS,
    FRAME_WORDS,
    FUNCTION_WORDS,
    NAME_TAILS,
    spelling_variants,
)
from curbside.answer.synonyms import names_in, other_names
from curbside.models import (
    Evidence,
    QuestionAnalysis,
)
from curbside.settings import ComposerSettings
from curbside.text import fold, stem, words

INFLECTION_CHARS = 3  # "-ing", "-ed", "-es": longer differences are other words
# "pancreatitis" shares its stem with "pancreatic" (of "pancreatic cancer"), and "hepatitis"
# with "hepatic": an inflammation of the organ is another condition.
_INFLAMMATION = ("itis", "itides")
NAME_WORDS = 3  # topic words in a row that name one thing, to be named together
LONG_FORM_WORDS = 3  # a long form this long is named even with one of its words other


class TopicMatcher:
    """How much of the question's topic a piece of text covers, weighted by word rarity.

    A word matches a topic word of the same stem and about the same length: "overdosed" names
    "overdose", while "luteinizing" does not name "lutein". A hyphenated word counts for its
    parts ("obsessive-compulsive" names "obsessive"), and two adjacent topic words count when
    written as one ("monkeypox" for "monkey pox")."""

    def __init__(self, topic_weights: dict[str, float], phrases: Sequence[Sequence[str]] = (),
                 abbreviations: Mapping[str, tuple[str, ...]] | None = None,
                 condition_names: Sequence[Sequence[str]] = ()):
        self.weights = topic_weights
        self.abbreviations = abbreviations or {}
        self.forms: dict[str, list[tuple[str, int]]] = {}  # stem -> (topic word, length)
        for term in topic_weights:
            for variant in spelling_variants(term):
                self.forms.setdefault(stem(variant), []).append((term, len(variant)))
        self.joined = {
            first + second: (first, second)
            for phrase in phrases for first, second in pairwise(phrase)
            if first in topic_weights and second in topic_weights
        }
        # A topic the question abbreviates ("COPD") is named by its long form too, written
        # with one word other ("Chronic Obstructive Lung Disease" in a guideline's title).
        self.long_forms = {term: tuple(words(ABBREVIATIONS[term][0])) for term in topic_weights
                           if term in ABBREVIATIONS
                           and len(words(ABBREVIATIONS[term][0])) >= LONG_FORM_WORDS}
        self.total = sum(topic_weights.values())
        self.contrast = _contrast_pattern(phrases, self.abbreviations)
        # Adjacent words of a condition's name of three words or more, as the question wrote
        # it ("urinary tract", "tract infection" of "uncomplicated urinary tract infection").
        self.pairs = self._adjacent_stems(
            [phrase for phrase in phrases if len(phrase) >= NAME_WORDS])
        self.condition_pairs = self._adjacent_stems(condition_names)
        # "Shingles" names the topic "herpes zoster": both of its words.
        self.other_names = other_names(phrases)

    def _adjacent_stems(self, phrases: Sequence[Sequence[str]]) -> set[tuple[str, str]]:
        return {(stem(first), stem(second)) for phrase in phrases
                for first, second in pairwise(phrase)
                if first in self.weights and second in self.weights}

    @classmethod
    def for_evidence(cls, evidence: Evidence) -> TopicMatcher:
        return cls(evidence.topic_weights, evidence.analysis.topic_phrases,
                   evidence.abbreviations, evidence.analysis.condition_names)

    def present(self, text: str) -> set[str]:
        pieces = set(words(text))
        pieces.update(part for word in [w for w in pieces if "-" in w] for part in word.split("-"))
        found: set[str] = set()
        for piece in pieces:
            for term, length in self.forms.get(stem(piece), ()):
                if abs(len(piece) - length) <= INFLECTION_CHARS and (
                        piece.endswith(_INFLAMMATION) == term.endswith(_INFLAMMATION)):
                    found.add(term)
        for piece in pieces & self.abbreviations.keys():
            found.update(self.abbreviations[piece])
        for joined, pair in self.joined.items():
            if joined in pieces or joined + "s" in pieces:
                found.update(pair)
        if self.other_names:
            found |= names_in([stem(word) for word in words(text)], self.other_names)
        if self.long_forms:
            ordered = words(text)
            found.update(term for term, long in self.long_forms.items()
                         if term not in found and _written_out(long, ordered))
        return found

    def contrasts(self, text: str) -> bool:
        """The text names the opposite of a negated topic word ("complicated urinary tract
        infection" for "uncomplicated urinary tract infection", "stable angina" for "unstable
        angina"): it is about the other condition."""
        if self.contrast is None or not self.contrast.search(fold(text)):
            return False
        return not any(word.startswith(_NEGATING_PREFIXES) for word in self.present(text))

    def names_together(self, text: str) -> bool:
        """The text names two words of the topic's long name side by side, as the question
        did, or uses an abbreviation of the topic; a topic without such a name needs neither.
        "Uncomplicated thyroglossal duct cysts … infection" names "uncomplicated" and
        "infection" but is no text about uncomplicated urinary tract infection."""
        return self._names_a_pair(text, self.pairs)

    def names_condition(self, text: str) -> bool:
        """The text names the condition the question named ("borderline personality
        disorder") as one name, or by an abbreviation: "ovarian borderline tumours" is about
        something else, however rare the word "borderline" is."""
        return self._names_a_pair(text, self.condition_pairs)

    def _names_a_pair(self, text: str, pairs: set[tuple[str, str]]) -> bool:
        if not pairs:
            return True
        pieces = [part for word in words(text) for part in word.split("-") if part]
        if self.abbreviations.keys() & set(pieces):
            return True
        if any(joined in pieces or joined + "s" in pieces for joined in self.joined):
            return True
        stems = [stem(piece) for piece in pieces]
        if self.other_names and names_in(stems, self.other_names):
            return True  # "Lou Gehrig's disease" names amyotrophic lateral sclerosis
        return any(pair in pairs for pair in pairwise(stems))

    def mentions_in_passing(self, text: str) -> bool:
        """The text names the topic only in parentheses or as an item of a list: "… (and
        surrounding cellulitis), antibiotics do not treat pyoderma gangrenosum", "These
        infections include pneumonia, a lung infection; cellulitis, a skin infection; …"."""
        if not self.present(text):
            return False
        core = _PARENTHESES.sub(" ", text)
        parts = _LIST_SEPARATORS.split(core)
        if len(parts) >= LIST_PARTS and not self.present(parts[0]):
            # The first piece holds the subject ("Cellulitis, an infection of the skin, is …").
            core = " ".join(p for p in parts if len(p.split()) > LIST_ITEM_WORDS)
        return not self.present(core)

    def coverage(self, text: str) -> float:
        if not self.total:
            return 0.0
        # Rounded: a share of exactly 0.7 must not miss a 0.7 threshold by a rounding error.
        return round(sum(self.weights[t] for t in self.present(text)) / self.total, 9)


_NEGATING_PREFIXES = ("non-", "non", "un")
_PARENTHESES = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_LIST_SEPARATORS = re.compile(r"[;,]| - ")  # " - " joins a flattened list's items
LIST_PARTS = 3  # pieces between commas or semicolons that make a list
LIST_ITEM_WORDS = 6  # a piece this short is an item of the list


def _written_out(long_form: Sequence[str], ordered: Sequence[str]) -> bool:
    """The words hold the long form in order from its first word, one word at most other."""
    size = len(long_form)
    if len(ordered) < size:
        return False  # a text shorter than the long form cannot hold it ("COPD care")
    for start, word in enumerate(ordered[:len(ordered) - size + 1]):
        if word == long_form[0]:
            window = ordered[start:start + size]
            if sum(a != b for a, b in zip(window, long_form, strict=True)) <= 1:
                return True
    return False


def _contrast_pattern(phrases: Sequence[Sequence[str]],
                      abbreviations: Mapping[str, tuple[str, ...]]) -> re.Pattern[str] | None:
    """The opposites of the topic's negated words, each followed by the word after it in the
    question (or an abbreviation standing for it)."""
    options = []
    for phrase in phrases:
        for word, following in pairwise(phrase):
            prefix = next((p for p in _NEGATING_PREFIXES if word.startswith(p)), None)
            base = word[len(prefix):] if prefix else ""
            if len(base) < 5:
                continue
            shorts = [short for short, long in abbreviations.items() if following in long]
            nexts = "|".join([re.escape(following) + r"\w*", *map(re.escape, shorts)])
            options.append(rf"(?<![\w-]){re.escape(base)}\s+(?:{nexts})\b")
    return re.compile("|".join(options)) if options else None


def topic_threshold(topic_weights: Mapping[str, float], settings: ComposerSettings) -> float:
    """Share of the topic a passage must cover: all of a short topic (both words of
    "iliopsoas hematoma"), most of a long one, whose every word few passages repeat."""
    if len(topic_weights) <= 3:
        return settings.topic_coverage
    return settings.topic_coverage_long


_KIND_LETTER = re.compile(r"[a-z]")  # "C" of "hepatitis C"
# People a topic's adjective may qualify ("postmenopausal women", "diabetic patients").
WHOM_NOUNS = frozenset("women men patients adults people individuals".split())
_ADJECTIVE_ENDINGS = ("al", "ic", "ous", "ive", "ant", "ent", "ary")


def topic_phrase(analysis: QuestionAnalysis) -> str:
    """The words of the question that name its topic, as the question wrote them."""
    terms = analysis.topic_terms
    if not terms:
        return analysis.question.rstrip("?")
    spans = [(m.start(), m.end(), fold(m.group(0))) for m in
             re.finditer(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*", analysis.question)]
    # "warfarin-associated" names the topic word "warfarin" as the question wrote it.
    positions = [i for i, (_, _, w) in enumerate(spans)
                 if w in terms or any(part in terms for part in w.split("-"))]
    if positions and positions[-1] - positions[0] + 1 <= len(terms) + 1:
        last = positions[-1]
        if last + 1 < len(spans) and (spans[last + 1][2] in NAME_TAILS
                                      or _KIND_LETTER.fullmatch(spans[last + 1][2])):
            last += 1  # "Havana syndrome", not "Havana"; "hepatitis C", not "hepatitis"
        elif (last + 1 < len(spans) and spans[last + 1][2] in WHOM_NOUNS
              and spans[last][2].endswith(_ADJECTIVE_ENDINGS)):
            last += 1  # "osteoporosis in postmenopausal women", not "… postmenopausal"
        start, end = spans[positions[0]][0], spans[last][1]
        return analysis.question[start:end]
    # Topic words apart in the question name separate things: "GC1118 and glioblastoma".
    runs: list[list[int]] = []
    for i in positions:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    named = [analysis.question[spans[run[0]][0]:spans[run[-1]][1]] for run in runs]
    named = list(dict.fromkeys(named))
    if len(named) < 2:
        return named[0] if named else " ".join(terms)
    return ", ".join(named[:-1]) + " and " + named[-1]


# Words before or after a condition's name that say its state, course or setting, not a kind
# of it: "acute gout" and "postoperative atrial fibrillation" are gout and atrial fibrillation.
STATE_WORDS = frozenset("""acute chronic severe mild moderate early late advanced recurrent
    postoperative perioperative uncomplicated complicated persistent untreated treated
    suspected common adult childhood new onset""".split())
# Title words that say what a page tells of a condition, not which condition it is.
TITLE_TOPIC_WORDS = frozenset("""treatment treatments management diagnosis overview guideline
    guidelines summary facts information symptoms causes prevention care trial trials study
    studies history review reviews report reports update research series registry cohort
    analysis""".split()) | (FRAME_WORDS - {"type", "types"})
SUBTYPE_TITLE_EXTRA = 2
# A topic word at least this share of the rarest word's weight is one a text must name.
ESSENTIAL_SHARE = 0.5  # words a title may hold besides the topic's name and its qualifier


def subtype_names(titles: Sequence[str], matcher: TopicMatcher,
                  question_words: Collection[str]) -> list[tuple[str, ...]]:
    """Names of kinds of the topic the question did not ask about, from the titles of pages
    that are named for one: "Herpes zoster oticus" and "Congenital hypothyroidism" for a
    question on herpes zoster or on hypothyroidism. A long title (a paper's) is not a name."""
    found: list[tuple[str, ...]] = []
    for title in titles:
        title_words = words(title)
        run = _topic_run(title_words, matcher)
        if run is None:
            continue
        start, end = run
        if len(title_words) > end - start + 1 + SUBTYPE_TITLE_EXTRA:
            continue
        # The page is named for the kind: its title starts with the kind's name ("Familial
        # hemiplegic migraine", "Herpes zoster oticus"); "Risk of pediatric X" is a page on a
        # risk, not on a kind of X. The kind is named by the word next to the topic's name.
        before, after = title_words[:start], title_words[end:end + 1]
        if before and all(_qualifies_a_kind(w, question_words) for w in before):
            found.append(tuple(stem(w) for w in title_words[start - 1:end]))
        elif not before and after and _qualifies_a_kind(after[0], question_words):
            found.append(tuple(stem(w) for w in title_words[start:end + 1]))
    return list(dict.fromkeys(found))


def names_subtype(text: str, subtypes: Sequence[tuple[str, ...]]) -> bool:
    """The text names one of the kinds of the topic (as word stems)."""
    if not subtypes:
        return False
    stems = [stem(word) for word in words(text)]
    return any(tuple(stems[i:i + len(name)]) == name
               for name in subtypes for i in range(len(stems) - len(name) + 1))


def _topic_run(title_words: Sequence[str], matcher: TopicMatcher) -> tuple[int, int] | None:
    """The first shortest run of words that names all of the topic."""
    for size in range(1, len(title_words) + 1):
        for start in range(len(title_words) - size + 1):
            if matcher.coverage(" ".join(title_words[start:start + size])) >= 1.0:
                return start, start + size
    return None


def _qualifies_a_kind(word: str, question_words: Collection[str]) -> bool:
    return (word not in question_words and word not in FUNCTION_WORDS
            and word not in NAME_TAILS and word not in STATE_WORDS
            and word not in TITLE_TOPIC_WORDS and word not in WHOM_NOUNS
            and len(word) > 2 and not word.isdigit())


def essential_words(topic_weights: Mapping[str, float]) -> set[str]:
    """The topic's words a text must name to be about it: the rare ones, not a word of its
    state ("acute" of "acute gout") nor one under half as rare as its rarest word."""
    rarest = max(topic_weights.values(), default=0.0)
    return {t for t, w in topic_weights.items()
            if w > ESSENTIAL_SHARE * rarest and t not in STATE_WORDS}
