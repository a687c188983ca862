"""Choosing a passage of a response by keyboard, and drawing a response's segments.

A :class:`Selection` is ``text[start:end]`` in code points (what the store keeps). It starts as a
sentence and grows, shrinks and moves by words and sentences, so a coder never counts characters.
Sentences here are cut simply (after ``.``, ``!``, ``?`` or ``…`` followed by a space, and at every
line break): the screen must answer a key at once, and the cut only proposes a starting point
the coder adjusts by word.

Drawing works with and without colour: segments are underlined and italic (and tinted in their
code's colour where the terminal has colours), the selection is reversed, and the list under the
text names each segment's code key, code and passage, so overlapping segments of several codes
stay readable with ``NO_COLOR``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text

from codewell.tui.literal import printable

Span = tuple[int, int]
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n")
_WORD = re.compile(r"\S+")


def sentence_spans(text: str) -> list[Span]:
    """The sentences of ``text`` as (start, end), surrounding whitespace left out."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() if match.group() == "\n" else match.end()
        _add_trimmed(spans, text, start, end)
        start = match.end()
    _add_trimmed(spans, text, start, len(text))
    return spans


def word_spans(text: str) -> list[Span]:
    return [match.span() for match in _WORD.finditer(text)]


def _add_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def sentence_around(text: str, start: int, end: int) -> Span:
    """The sentences that ``text[start:end]`` touches, joined: an evidence phrase's sentence."""
    touched = [s for s in sentence_spans(text) if s[0] < end and start < s[1]]
    return (touched[0][0], touched[-1][1]) if touched else (start, end)


@dataclass
class Selection:
    """A passage being chosen: ``text[start:end]``, never empty, always inside the text."""

    text: str
    start: int
    end: int

    @classmethod
    def first_sentence(cls, text: str, near: int = 0) -> Selection | None:
        """The sentence at or after position ``near`` (the first one when there is none after)."""
        sentences = sentence_spans(text)
        if not sentences:
            return None
        chosen = next((s for s in sentences if s[1] > near), sentences[0])
        return cls(text, *chosen)

    @property
    def passage(self) -> str:
        return self.text[self.start:self.end]

    def move_sentence(self, step: int) -> None:
        """Select the next (or previous) whole sentence."""
        sentences = sentence_spans(self.text)
        if step > 0:
            later = [s for s in sentences if s[0] >= self.end]
            chosen = later[0] if later else None
        else:
            earlier = [s for s in sentences if s[1] <= self.start]
            chosen = earlier[-1] if earlier else None
        if chosen is not None:
            self.start, self.end = chosen

    def end_by(self, step: int, unit: str = "word") -> None:
        """Move the end to the next (step 1) or previous (step -1) word or sentence end."""
        ends = [e for _, e in self._spans(unit)]
        if step > 0:
            later = [e for e in ends if e > self.end]
            self.end = later[0] if later else self.end
        else:
            earlier = [e for e in ends if self.start < e < self.end]
            self.end = earlier[-1] if earlier else self.end

    def start_by(self, step: int, unit: str = "word") -> None:
        """Move the start to the previous (step -1, growing) or next (step 1, shrinking) word or
        sentence start."""
        starts = [s for s, _ in self._spans(unit)]
        if step < 0:
            earlier = [s for s in starts if s < self.start]
            self.start = earlier[-1] if earlier else self.start
        else:
            later = [s for s in starts if self.start < s < self.end]
            self.start = later[0] if later else self.start

    def _spans(self, unit: str) -> list[Span]:
        return sentence_spans(self.text) if unit == "sentence" else word_spans(self.text)


def segmented(text: str, segments: Sequence[tuple[str, int, int]], colours: Mapping[str, str],
              selection: Span | None = None, base: Text | None = None) -> Text:
    """``text`` (or ``base``, the same text already styled) with each segment underlined, italic
    and tinted in its code's colour, and the selection reversed on top."""
    rich = base.copy() if base is not None else Text(printable(text))
    for code, start, end in segments:
        colour = colours.get(code)
        rich.stylize(f"italic underline {colour}" if colour else "italic underline", start, end)
    if selection is not None:
        rich.stylize("reverse", *selection)
    return rich


def segment_lines(text: str, segments: Sequence[tuple[str, int, int]], labels: Mapping[str, str],
                  keys: Mapping[str, str], colours: Mapping[str, str], width: int = 48) -> Text:
    """One line per segment: ``[key] label  start–end  “passage”``, in position order."""
    lines = Text()
    for code, start, end in segments:
        if lines:
            lines.append("\n")
        lines.append("§ ", style="dim")
        lines.append(f"[{keys.get(code, ' ')}] {printable(labels.get(code, code))}", style=f"bold {colours.get(code, '')}".strip())
        passage = printable(" ".join(text[start:end].split()))
        if len(passage) > width:
            passage = passage[: width - 1] + "…"
        lines.append(f"  {start}–{end}  ", style="dim")
        lines.append(f"“{passage}”", style="italic")
    return lines
