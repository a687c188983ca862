"""Typo-tolerant name lookup for "did you mean ..." hints (rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable


# Names up to this long are matched only against choices of a like length.
SHORT = 3


def closest(name: str, choices: Iterable[str], cutoff: float = 60.0) -> str | None:
    """The choice most like ``name``, or None when nothing is close enough to be a useful hint."""
    from rapidfuzz import fuzz, process, utils

    options = list(choices)
    if len(name) <= SHORT:  # a word this short is "in" half of any long name: compare like lengths
        options = [option for option in options if len(option) <= 2 * len(name) + 2]
    if not options:
        return None
    match = process.extractOne(
        name, options, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=cutoff
    )
    return match[0] if match else None


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """A ready-made hint ("did you mean 'response'?") or None."""
    best = closest(name, choices)
    return f"did you mean '{best}'?" if best is not None and best != name else None
