"""The verifier: does a statement's citation support it?

Every statement of every composer passes through here before readers see it. For a statement
and the documents it cites, the verifier finds the source sentences closest to it and checks:

- numbers (values, percentages, intervals, p-values, doses, durations) appear in a cited source;
- negation agrees ("no significant difference" is not "reduced");
- direction agrees (a rise is not a fall);
- the key clinical words (drugs, conditions, procedures, populations: the words that are rare
  in the library) appear in a cited source, British and American spellings allowed;
- the statement's meaning is close enough to its best source passage (a cosine floor with the
  library's embedding model).

The verdict is "supported", or "unsupported" with the first reason found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pydantic import BaseModel, ValidationError

from curbside.answer.question import spelling_variants
from curbside.learned.entailment_model import EntailmentJudge, entailment_judge
from curbside.library.embedding import PassageEncoder
from curbside.library.store import Library
from curbside.models import Article, Document, Statement, Verdict
from curbside.settings import VerifierSettings
from curbside.text import flat_text, split_sentences, words

# Numbers as written in abstracts: 1,200 · 3.5 · 0·5 · 95%; a leading minus sign kept.
_NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:[.,·]\d+)*")
_NEGATION = frozenset(
    """no not without neither nor never none cannot nothing absent absence lack lacks lacked
    failed fail fails unable non nonsignificant insignificant""".split()
)
_UP = frozenset(
    """increase increased increases increasing higher more greater elevated elevation raised
    rise rises rose improve improved improves improvement enhanced longer larger exceeded
    gain gained accelerated""".split()
)
_DOWN = frozenset(
    """decrease decreased decreases decreasing lower less fewer reduced reduce reduces
    reduction decline declined diminished shorter smaller impaired worsened worse loss lost
    slowed attenuated""".split()
)
_COMMON = frozenset(
    """a an the and or of in on at to for from by with is are was were be been being this that
    these those it its as into than then there their about which who whom whose what when
    where how why also may might can could should would will shall has have had do does did
    such other each both all any some most more many much very only same between among after
    before during while within over under up down out per vs versus patients patient study
    studies results result however therefore thus""".split()
)
SIMILARITY_FLOOR = 0.55  # cosine of statement and best source window; calibrated in bench/
KEY_WORD_SHARE = 0.02  # a word in fewer than 2 % of passages is a key word
ENTAILMENT_FLOOR = 0.5  # the entailment model's probability a statement needs; fixed, not tuned

Rarity = Callable[[str], float]  # share of the library's passages containing a word


@dataclass(frozen=True)
class _Window:
    text: str
    words: frozenset[str]


@dataclass(frozen=True)
class SourceText:
    """What the verifier reads of one cited document, worked out once per document."""

    text: str
    numbers: frozenset[str]
    stems: frozenset[str]
    windows: tuple[_Window, ...]
    sentences: tuple[_Window, ...]  # the windows of one sentence, in reading order


def _numbers(text: str) -> set[str]:
    found = set()
    for match in _NUMBER.findall(text):
        value = match.replace("−", "-").replace("·", ".").replace(",", "")
        found.add(value.lstrip("-") if value.startswith("-") and len(value) > 1 else value)
    return found


def _stem(word: str) -> str:
    """A light suffix strip so 'infections' matches 'infection' and 'treated' 'treat'."""
    for suffix in ("ies", "es", "s", "ed", "ing", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=1 << 16)
def _token_stems(token: str) -> frozenset[str]:
    return frozenset(_stem(variant) for variant in spelling_variants(token))


def _stems(tokens: Sequence[str]) -> frozenset[str]:
    found: set[str] = set()
    for token in tokens:
        found |= _token_stems(token)
    return frozenset(found)


def source_text(document: Document) -> SourceText:
    """The document's numbers, word stems, and windows of one or two neighbouring sentences."""
    windows: list[_Window] = []
    singles: list[_Window] = []
    for section in [document.title, *(s.text for s in document.sections)]:
        sentences = [(text, _stems(words(text))) for text in split_sentences(section)]
        for i, (sentence, stems) in enumerate(sentences):
            windows.append(_Window(sentence, stems))
            singles.append(windows[-1])
            if i + 1 < len(sentences):
                following, more = sentences[i + 1]
                windows.append(_Window(f"{sentence} {following}", stems | more))
    full = document.full_text()
    return SourceText(text=full, numbers=frozenset(_numbers(full)),
                      stems=frozenset().union(*(w.words for w in windows)),
                      windows=tuple(windows), sentences=tuple(singles))


EVIDENCE_CHARS = 900  # what the entailment model reads of the cited sources, all told
EVIDENCE_SENTENCES = 3  # the closest sentences of each cited source


def content_stems(statement: str) -> frozenset[str]:
    """The stems of the statement's content words (not function, effect or negation words)."""
    tokens = words(statement)
    content = [t for t in tokens if t not in _COMMON and t not in _UP and t not in _DOWN
               and t not in _NEGATION and not t.isdigit() and len(t) > 2]
    return _stems(content) or _stems(tokens)


def closest_sentences(statement: str, source: SourceText, count: int) -> list[str]:
    """The source's sentences sharing most of the statement's words (the shorter first among
    equals), in the source's reading order."""
    wanted = content_stems(statement)
    ranked = sorted(range(len(source.sentences)),
                    key=lambda i: (-len(wanted & source.sentences[i].words),
                                   len(source.sentences[i].words)))
    return [source.sentences[i].text for i in sorted(ranked[:count])]


def evidence_passage(statement: str, read: Sequence[SourceText]) -> str:
    """What the entailment model reads as the cited evidence: the closest sentences of every
    cited source, each source given an equal share of the length."""
    if not read:
        return ""
    share = EVIDENCE_CHARS // len(read)
    parts = []
    for source in read:
        text = " ".join(closest_sentences(statement, source, EVIDENCE_SENTENCES))
        parts.append(text[:share])
    return " … ".join(p for p in parts if p)


def _negated(text: str) -> bool:
    return sum(t in _NEGATION or t.endswith("n't") for t in words(text)) % 2 == 1


def _directions(text: str) -> list[tuple[str, str]]:
    """(class, stem) of each word saying which way an effect went, in reading order."""
    found = []
    for token in words(text):
        if token in _UP:
            found.append(("up", _stem(token)))
        elif token in _DOWN:
            found.append(("down", _stem(token)))
    return found


def _direction_differs(statement: str, source: str) -> bool:
    said, found = _directions(statement), _directions(source)
    said_classes, found_classes = [c for c, _ in said], [c for c, _ in found]
    if said_classes == found_classes:
        return False
    if len(said) == len(found):
        return True  # the same effects, in the same order, going other ways
    # A paraphrase: a direction word the source lacks, where the source goes the other way.
    found_stems = {stem for _, stem in found}
    return any(stem not in found_stems and ({"up", "down"} - {c}) & set(found_classes)
               and c not in found_classes for c, stem in said)


def quoted(statement: str, read: Sequence[SourceText]) -> bool:
    """Whether the statement is a cited source's own words (a sentence or a part of one)."""
    said = flat_text(statement).rstrip(".;: ")
    return bool(said) and any(said in flat_text(source.text) for source in read)


def _idle_citation(statement: str, read: Sequence[SourceText], quotes: Sequence[str]
                   ) -> int | None:
    """The position of a cited source that supports no part of a statement citing several:
    it holds none of the quotes, or (without quotes) shares under two of its content words."""
    if len(read) < 2:
        return None
    wanted = content_stems(statement)
    for i, source in enumerate(read):
        if quotes:
            if not any(quoted(q, [source]) for q in quotes):
                return i
        elif len(wanted & source.stems) < min(2, len(wanted)):
            return i
    return None


def verify_statement(
    text: str,
    documents: Sequence[Document],
    rarity: Rarity,
    encoder: PassageEncoder | None = None,
    sources: dict[str, SourceText] | None = None,
    judge: EntailmentJudge | None = None,
    floor: float = ENTAILMENT_FLOOR,
    quotes: Sequence[str] = (),
) -> Verdict:
    """Whether the cited documents support the statement, and if not, why. `sources` keeps
    each document's reading across the statements of one article. With an entailment `judge`,
    a statement in other words than its sources is judged by meaning (the probability that
    the cited evidence entails it must reach `floor`); without one, by the cosine floor.
    A statement that gives `quotes` (a model's) is judged against them, and each quote must
    be the words of a cited source."""
    if not documents:
        return Verdict(supported=False, reason="it cites no document in the library")
    cache = sources if sources is not None else {}
    for document in documents:
        if document.id not in cache:
            cache[document.id] = source_text(document)
    read = [cache[d.id] for d in documents]
    if quoted(text, read):
        return Verdict(supported=True, reason="")
    for quote in quotes:
        if not quoted(quote, read):
            return Verdict(supported=False, reason=f"its quote “{quote[:120]}” is not in the "
                           "cited source")
    idle = _idle_citation(text, read, quotes)
    if idle is not None:
        return Verdict(supported=False, reason=f"citation {idle + 1} of the statement adds "
                       "nothing to it (each cited source must support part of it)")
    missing_numbers = sorted(_numbers(text) - frozenset().union(*(r.numbers for r in read)))
    if missing_numbers:
        return Verdict(supported=False, reason="numbers not in the cited source: "
                       + ", ".join(missing_numbers))
    tokens = words(text)
    # Effect and negation words are judged by the polarity checks, not as key words.
    content = [t for t in tokens if t not in _COMMON and t not in _UP and t not in _DOWN
               and t not in _NEGATION and not t.isdigit() and len(t) > 2]
    source_stems = frozenset().union(*(r.stems for r in read))
    key_missing = [
        t for t in dict.fromkeys(content)
        if not (_token_stems(t) & source_stems) and rarity(t) < KEY_WORD_SHARE
    ]
    if key_missing and judge is None:
        return Verdict(supported=False, reason="key words not in the cited source: "
                       + ", ".join(key_missing))
    candidates = [w for r in read for w in r.windows]
    statement_stems = _stems(content) or _stems(tokens)
    if not candidates or not statement_stems:
        return Verdict(supported=False, reason="nothing in the cited source to compare with")
    # The closest window covers most of the statement's words with the fewest others.
    best = max(candidates, key=lambda w: (len(statement_stems & w.words), -len(w.words)))
    if _negated(text) != _negated(best.text):
        return Verdict(supported=False, reason="negation differs from the cited source: "
                       f"“{best.text}”")
    if _direction_differs(text, best.text):
        return Verdict(supported=False, reason="direction of effect differs from the cited "
                       f"source: “{best.text}”")
    if judge is not None:
        evidence = " … ".join(quotes) if quotes else evidence_passage(text, read)
        probability = judge.probability(text, evidence)
        if probability < floor:
            missing = (f"; key words not in it: {', '.join(key_missing)}" if key_missing
                       else "")
            return Verdict(supported=False, reason="the cited source does not say this "
                           f"(entailment {probability:.2f}){missing}")
    elif encoder is not None:
        vectors = encoder.encode([text, best.text])
        similarity = float(np.dot(vectors[0], vectors[1]))
        if similarity < SIMILARITY_FLOOR:
            return Verdict(supported=False, reason=f"meaning too far from the cited source "
                           f"(similarity {similarity:.2f})")
    return Verdict(supported=True, reason="")


def _judge(settings: VerifierSettings) -> EntailmentJudge | None:
    return entailment_judge() if settings.entailment_model else None


def verify_article(article: Article, library: Library,
                   settings: VerifierSettings | None = None) -> Article:
    """Every statement with its verdict; unsupported ones taken off the page (kept, with the
    reason, in `unsupported` for reviewers) and the references renumbered."""
    settings = settings or VerifierSettings()
    by_number = {r.n: r.id for r in article.references}
    documents = library.get_many(by_number.values())
    encoder = library.meaning_encoder()
    judge = _judge(settings)
    verdicts: dict[tuple[str, tuple[int, ...], tuple[str, ...]], Verdict] = {}
    sources: dict[str, SourceText] = {}

    def judged(statement: Statement) -> Statement:
        key = (statement.text, tuple(statement.citations), tuple(statement.quotes))
        if key not in verdicts:
            cited = [documents[by_number[n]] for n in statement.citations
                     if n in by_number and by_number[n] in documents]
            verdicts[key] = verify_statement(statement.text, cited, library.word_share,
                                             encoder, sources, judge,
                                             settings.entailment_floor, statement.quotes)
        return statement.model_copy(update={"verdict": verdicts[key]})

    checked = article.model_copy(update={
        "bottom_line": [judged(s) for s in article.bottom_line],
        "sections": [section.map_statements(judged) for section in article.sections],
    })
    rejected = [s for s in checked.statements() if s.verdict and not s.verdict.supported]
    if not rejected:
        return checked
    kept = checked.without(lambda s: bool(s.verdict and not s.verdict.supported))
    return kept.model_copy(update={"unsupported": [*article.unsupported, *rejected]})


class StatementLine(BaseModel):
    """One line of a `curbside verify` input file."""

    id: str
    text: str
    cites: list[str]


def verify_lines(
    lines: Iterable[str], library: Library, settings: VerifierSettings | None = None
) -> Iterator[tuple[int, dict[str, object] | None, str | None]]:
    """For each input line: (line number, result, problem). A line that is not a statement
    gets a problem and no result; the lines after it are still checked."""
    settings = settings or VerifierSettings()
    encoder = library.meaning_encoder()
    judge = _judge(settings)
    sources: dict[str, SourceText] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = StatementLine.model_validate_json(line)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            yield number, None, (f"line {number} is not a statement ({where}: {first['msg']}); "
                                 'expected {"id": …, "text": …, "cites": [document ids]}')
            continue
        found = library.get_many(item.cites)
        unknown = [d for d in item.cites if d not in found]
        if unknown:
            verdict = Verdict(supported=False, reason="cites documents not in the library: "
                              + ", ".join(unknown))
        else:
            verdict = verify_statement(item.text, [found[d] for d in item.cites],
                                       library.word_share, encoder, sources, judge,
                                       settings.entailment_floor)
        yield number, {"id": item.id, "supported": verdict.supported,
                       "reason": verdict.reason}, None
