"""Masking identifiers in what an export writes (``export --redact``, ``--names``).

A coded dataset shared with a supervisor, a journal or an archive must not carry respondents'
e-mail addresses, phone numbers or names, in the response text or in the coders' memos. The
column exports mask each text as its column is built (:class:`Masker`); REFI-QDA is written
from a whole dataset, so :func:`redact_dataset` masks a copy of it and moves each segment's
offsets into the masked text. Finding identifiers is :mod:`codewell.io.safety`'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from codewell.io.safety import find_pii
from codewell.io.safety import redact as mask
from codewell.values import CodedDataset


class Masker:
    """Redacts texts and counts what it masked."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self.count = 0

    def __call__(self, text: str) -> str:
        matches = find_pii(text, self.names)
        self.count += len(matches)
        return mask(text, matches) if matches else text


def redact_dataset(ds: CodedDataset, names: Sequence[str] = ()) -> tuple[CodedDataset, int]:
    """A copy of ``ds`` with identifiers masked in response texts and memos, and how many.

    For formats written from a whole dataset (REFI-QDA), where masking cannot happen column by
    column. Masking changes text lengths, so it happens before any positions are computed, and
    each segment's offsets are moved into the masked text (a segment that starts or ends inside
    an identifier takes in all of its mask).
    """
    from dataclasses import replace

    masker = Masker(names)
    moved: dict[str, Callable[[int, bool], int]] = {}
    responses = []
    for response in ds.responses:
        matches = find_pii(response.text, masker.names) if response.text else []
        if matches:
            masker.count += len(matches)
            moved[response.id] = _position_map(matches)
            response = replace(response, text=mask(response.text, matches))
        responses.append(response)
    memos = {coder: {rid: masker(text) for rid, text in notes.items()}
             for coder, notes in ds.memos.items()}
    segments = {coder: tuple(replace(s, start=moved[s.response_id](s.start, False),
                                     end=moved[s.response_id](s.end, True))
                             if s.start is not None and s.end is not None and s.response_id in moved else s
                             for s in held)
                for coder, held in ds.segments.items()}
    return replace(ds, responses=tuple(responses), memos=memos, segments=segments), masker.count


def _position_map(matches: Sequence[Any]) -> Callable[[int, bool], int]:
    """Where a position of a text lands once ``matches`` are masked (``[KIND]`` each); a position
    inside a match goes to the mask's start, or its end when ``is_end``."""
    kept = []
    cursor = 0
    for match in sorted(matches, key=lambda m: m.start):
        if match.start >= cursor:  # as :func:`codewell.io.safety.redact` skips an overlap
            kept.append((match.start, match.end, len(f"[{match.kind}]")))
            cursor = match.end

    def moved(position: int, is_end: bool) -> int:
        shift = 0
        for start, end, width in kept:
            if position <= start:
                break
            if position < end:
                return start + shift + (width if is_end else 0)
            shift += width - (end - start)
        return position + shift

    return moved
