"""Splitting text into passages: short enough to rank and to quote, long enough to mean something.

A passage is one paragraph, because paragraphs are where topics change: packing unrelated
paragraphs together would let a passage match a grant for words it only shares with a neighbour.
Short paragraphs (headings, one-liners) join the paragraph after them; long ones are cut at
sentence ends into pieces of about ``PASSAGE_TARGET_CHARS``.
"""

from __future__ import annotations

import re

PASSAGE_MIN_CHARS = 60
PASSAGE_TARGET_CHARS = 700
PASSAGE_MAX_CHARS = 1200
MAX_PASSAGES_PER_TEXT = 2000

_BLANK_LINE = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WHITESPACE = re.compile(r"\s+")


def _pieces(paragraph: str) -> list[str]:
    """A long paragraph as sentence-aligned pieces of about the target size."""
    sentences: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph):
        # A "sentence" with no full stop for pages on end is cut hard.
        while len(sentence) > PASSAGE_MAX_CHARS:
            sentences.append(sentence[:PASSAGE_MAX_CHARS])
            sentence = sentence[PASSAGE_MAX_CHARS:]
        if sentence.strip():
            sentences.append(sentence.strip())
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        if current and len(current) + 1 + len(sentence) > PASSAGE_TARGET_CHARS:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def split_passages(text: str) -> list[str]:
    passages: list[str] = []
    carried = ""  # a short paragraph waiting to be joined to the next one
    for paragraph in _BLANK_LINE.split(text or ""):
        paragraph = _WHITESPACE.sub(" ", paragraph).strip()
        if not paragraph:
            continue
        if carried and len(carried) + 1 + len(paragraph) <= PASSAGE_MAX_CHARS:
            paragraph = f"{carried} {paragraph}"
        elif carried:
            passages.append(carried)
        carried = ""
        if len(paragraph) < PASSAGE_MIN_CHARS:
            carried = paragraph
            continue
        passages.extend(_pieces(paragraph) if len(paragraph) > PASSAGE_MAX_CHARS else [paragraph])
        if len(passages) >= MAX_PASSAGES_PER_TEXT:
            return passages[:MAX_PASSAGES_PER_TEXT]
    if carried:
        passages.append(carried)
    return passages[:MAX_PASSAGES_PER_TEXT]
