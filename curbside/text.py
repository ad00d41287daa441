"""Text helpers shared by the library and the answer stages."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import blingfire
import Stemmer

_STEMMER = Stemmer.Stemmer("english")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_GLUED_LABEL = re.compile(r"[A-Za-z0-9)\]%][.!?](?=[A-Z][A-Z /&-]{2,40}:\s|"
                          # a journal's note glued on ("… of the disease.Supplementary
                          # Information: The online version …")
                          r"(?:Supplementary|Electronic supplementary|Trial registration|"
                          r"Funding|Registration)\b[\w ]{0,30}:\s)")
# A web page's heading glued to its first sentence ("Mild hemophiliaReplacement therapy …",
# "Older AgeThe biggest …"): a lower-case word running into a capitalised one. Brand names
# ("NovoSeven", "PubMed") start with a capital and are followed by no sentence opener.
_GLUED_HEADING = re.compile(
    r"\b[a-z]{3,}([A-Z][a-z]{2,})\b|"
    r"[a-z]((?:The|This|These|There|Your|You|If|When|Most|Many|Some|It|In|An?)\s)")
_LITERAL_NEWLINE = re.compile(r"\\n")  # a "\n" left as two characters by a scraper
# blingfire splits after these; a sentence never ends on one.
_NO_BREAK_AFTER = re.compile(
    r"(?:\b(?:Dr|Drs|Mr|Mrs|Ms|Prof|vs|Fig|Figs|No|Nos|approx|ca|cf|al|e\.g|i\.e|St|Jr|Sr|Vol)\.)$"
)


def normalize_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower case without accents: what comparisons of words use."""
    if text.isascii():
        return text.lower()  # most text: no accents to strip, and ten times faster
    text = text.replace("\u2019", "'")  # a typographic apostrophe is an apostrophe
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=1 << 16)  # the same words recur in every passage read
def stem(word: str) -> str:
    """The word's English (Snowball) stem, so a topic word matches its forms ("overdose",
    "overdosed"); a possessive counts as its noun ("Crohn's" is about Crohn)."""
    if word.endswith("'s"):
        word = word[:-2]
    return str(_STEMMER.stemWord(word))


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, each exactly as it appears in it (surrounding whitespace aside)."""
    return list(_split_sentences(text))


def _sentence_offsets(text: str) -> list[tuple[int, int]]:
    """blingfire's sentence spans, never across a line break: readers of structured documents
    (guidelines) put each paragraph, list item and table row on a line of its own."""
    offsets: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        if line.strip():
            _, spans = blingfire.text_to_sentences_and_offsets(line)
            offsets += [(line_start + a, line_start + b) for a, b in spans]
        line_start += len(line) + 1
    return offsets


@lru_cache(maxsize=1 << 14)  # a library's passages recur across questions, and per question
def _split_sentences(text: str) -> tuple[str, ...]:
    if not text.strip():
        return ()
    spans: list[list[int]] = []
    for start, end in _sentence_offsets(text):
        if not text[start:end].strip():
            continue
        if spans and _NO_BREAK_AFTER.search(text[spans[-1][0] : spans[-1][1]].rstrip()):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    sentences = []
    for start, end in spans:
        # Abstracts often lose the space before a section label ("…NSCLC.CASE PRESENTATION: A
        # man …"): the label starts a new sentence.
        piece = text[start:end]
        cuts = sorted({start, *(start + m.end() for m in _GLUED_LABEL.finditer(piece)),
                       *(start + m.start(m.lastindex or 0)
                         for m in _GLUED_HEADING.finditer(piece)),
                       *(start + m.end() for m in _LITERAL_NEWLINE.finditer(piece))})
        sentences += [text[a:b].strip() for a, b in zip(cuts, [*cuts[1:], end], strict=True)]
    return tuple(s.removesuffix("\\n").strip() for s in sentences
                 if s.removesuffix("\\n").strip())


# Terminal escape sequences (CSI "ESC [ … m", OSC "ESC ] … BEL", the 8-bit CSI, two-character
# escapes) and every other control character but newline and tab.
_TERMINAL_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def printable(text: str) -> str:
    """The text without terminal escape sequences and control characters (newlines and tabs
    kept): what the command line prints of text that came from input files, so a record cannot
    recolour, retitle or rewrite the user's terminal."""
    return _TERMINAL_ESCAPE.sub("", text)


_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-",
                              "\u00a0": " "})


def flat_text(text: str) -> str:
    """Text as compared for quoting: lower case, one space between words, straight quotes
    and hyphens."""
    return " ".join(text.translate(_QUOTE_MARKS).lower().split())
