"""Splitting text into passages: short enough to rank and to quote, long enough to mean something."""

from __future__ import annotations

import re

PASSAGE_TARGET_CHARS = 700
PASSAGE_MAX_CHARS = 1200
MAX_PASSAGES_PER_TEXT = 2000

_BLANK_LINE = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WHITESPACE = re.compile(r"\s+")


def split_passages(text: str) -> list[str]:
    """Paragraphs packed greedily up to the target size; an over-long paragraph split by sentence."""
    units: list[str] = []
    for paragraph in _BLANK_LINE.split(text or ""):
        paragraph = _WHITESPACE.sub(" ", paragraph).strip()
        if not paragraph:
            continue
        if len(paragraph) <= PASSAGE_MAX_CHARS:
            units.append(paragraph)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            # A "sentence" with no full stop for pages on end is cut hard.
            while len(sentence) > PASSAGE_MAX_CHARS:
                units.append(sentence[:PASSAGE_MAX_CHARS])
                sentence = sentence[PASSAGE_MAX_CHARS:]
            if sentence.strip():
                units.append(sentence.strip())

    passages: list[str] = []
    current = ""
    for unit in units:
        if current and len(current) + 1 + len(unit) > PASSAGE_TARGET_CHARS:
            passages.append(current)
            current = unit
        else:
            current = f"{current} {unit}" if current else unit
        if len(passages) >= MAX_PASSAGES_PER_TEXT:
            return passages
    if current:
        passages.append(current)
    return passages[:MAX_PASSAGES_PER_TEXT]
