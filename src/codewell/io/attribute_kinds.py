"""Whether a survey column (an attribute: text as imported) is a column of numbers.

A survey export is text, but an analyst reading ``age`` from a Parquet file in R or pandas, or
summing it in Excel, expects numbers. One rule says what a number is, for these files and for
the SPSS and Stata ones (:mod:`codewell.io.stats_attributes`): a value written plainly (``34``,
``3.5``, ``-2``; no leading zero, as in an id ``007``, no plus sign, spaces or exponent) and
exactly (at most 15 digits, so a long respondent number is never rounded by a double).

A column is numbers when every non-blank value is one: ``int`` when none has a decimal point,
else ``float``. One word among them (``n/a``), a column of words or a column with nothing in it
keeps the column ``text``, so nothing the respondent wrote is lost.

The streamed export fixes a file's columns before its first block, so it learns the kinds from
one pass over the stored attributes first; :class:`AttributeKinds` keeps one state per column
for that pass, whatever the number of responses. A rating scale (``Disagree`` ... ``Strongly
agree``) is an ordered category in Parquet, decided by the SPSS rule
(:func:`codewell.io.stats_attributes.ordinal_categories`) from each column's distinct answers and
their counts, which the pass keeps too while a column has at most :data:`MAX_CATEGORIES` of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from codewell.io.export_columns import ColumnKind

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
MAX_DIGITS = 15  # what a double holds exactly
#: The most distinct answers a labelled categorical column holds (the SPSS and Stata rule, kept
#: here so the streamed export's pass can stop counting a column's answers past it).
MAX_CATEGORIES = 30


def plain_number(text: str) -> float | None:
    """The number ``text`` spells by the module's rule, or ``None`` when it is not one."""
    return float(text) if _is_number(text) else None


def _is_number(text: str) -> bool:
    """Whether ``text`` is a number by the rule, without making it one (the export's pre-pass
    asks this of every distinct value, so a short text skips counting its digits); a matched
    text is digits, a minus and a point at most."""
    if _NUMBER.fullmatch(text) is None:
        return False
    return len(text) <= MAX_DIGITS or len(text) - text.count("-") - text.count(".") <= MAX_DIGITS


def column_kind(values: Iterable[str | None]) -> ColumnKind:
    """``int``, ``float`` or ``text``: what a whole column of attribute ``values`` is (each
    distinct value looked at once: a survey column repeats its answers)."""
    state: ColumnKind | None = None
    for value in set(values):
        if value is not None and value != "":
            state = _next(state, value)
            if state == "text":
                break
    return state or "text"


def as_numbers(values: Iterable[str | None], kind: ColumnKind) -> list[Any]:
    """``values`` of a column of ``kind`` ``int`` or ``float`` as those numbers (blank: None).

    Integers are parsed as integers, not through a double, so each is exactly what was written."""
    parse = int if kind == "int" else float
    return [None if value is None or value == "" else parse(value) for value in values]


class AttributeKinds:
    """The kind of each attribute column, learnt a response (or a distinct attribute set) at a
    time: per column whether it is still all numbers, and whether all whole ones; and, while it
    has at most :data:`MAX_CATEGORIES` distinct answers, how many responses gave each (a column
    with more is no rating scale, so its memory stays bounded)."""

    def __init__(self) -> None:
        self._state: dict[str, ColumnKind | None] = {}  # None: nothing but blanks so far
        self._answers: dict[str, dict[str, int] | None] = {}  # None: too many to be a scale

    def add(self, attributes: Mapping[str, str], count: int = 1) -> None:
        """Take into account ``count`` responses carrying ``attributes`` (a million times in a
        large export, so a column of many answers known to be text costs two look-ups)."""
        state, answers = self._state, self._answers
        for name, value in attributes.items():
            now = state.setdefault(name, None)
            if value == "":
                continue
            if now != "text":
                state[name] = _next(now, value)
            counts = answers.setdefault(name, {})
            if counts is not None:
                counts[value] = counts.get(value, 0) + count
                if len(counts) > MAX_CATEGORIES:
                    answers[name] = None

    def kinds(self) -> dict[str, ColumnKind]:
        """Each attribute's kind, the attributes in the order they were first seen."""
        return {name: kind or "text" for name, kind in self._state.items()}

    def answers(self, name: str) -> dict[str, int]:
        """Each distinct non-blank answer of column ``name`` and how many responses gave it;
        empty when the column has none or more than :data:`MAX_CATEGORIES`."""
        return self._answers.get(name) or {}


def _next(state: ColumnKind | None, value: str) -> ColumnKind:
    """A column's kind once the non-blank ``value`` is added to a column of kind ``state``."""
    if state == "text" or not _is_number(value):
        return "text"
    return "float" if state == "float" or "." in value else "int"
