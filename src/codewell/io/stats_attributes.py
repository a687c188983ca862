"""What a survey column (an attribute: text as imported) becomes in an SPSS or Stata file.

A survey export is text, but an analyst opening the ``.sav`` expects its numbers to be numbers
and its rating scales to be in scale order. So an attribute is written as:

* **numbers** when every answer is a number (``34``, ``3.5``, ``-2``; a leading zero, as in an
  id ``007``, keeps it text: the rule of :func:`codewell.io.attribute_kinds.plain_number`, which
  the Parquet and XLSX exports share), with its own values: a Likert item coded 0-4 keeps 0-4;
* **numbers with labelled missing words** when at most three distinct words (without digits)
  stand among mostly numbers (``n/a``, ``unknown``): each word becomes a declared missing value labelled with the
  word (SPSS: -1, -2, -3 below the smallest number; Stata: ``.a``, ``.b``, ``.c``), so means skip
  it and nothing the respondent wrote is lost;
* **a labelled categorical** when it holds few distinct words (see :func:`is_categorical`),
  numbered in the order of a rating scale it matches (``Strongly disagree`` = 1 ...
  ``Strongly agree`` = 5 of a five-point agreement scale: an ordinal variable) or of numeric
  bands (``<2``, ``2-5``, ``6-10``, ``>20`` years), else alphabetically (a nominal one);
* **text** otherwise, including any mix of numbers and words that fits none of the above, since
  numbering it would give its numbers other values than their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from codewell.io.attribute_kinds import MAX_CATEGORIES, plain_number

MAX_MISSING_WORDS = 3  # SPSS declares at most three discrete missing values
STATA_LETTERS = "abc"
Measure = Literal["nominal", "ordinal", "scale"]

_NEUTRAL = ("neutral", "neither agree nor disagree", "neither")
#: Rating scales a survey column may hold, each from its low end; a tuple holds one point's
#: spellings. The smallest scale holding every answer numbers them.
SCALES: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("strongly disagree",), ("disagree",), _NEUTRAL, ("agree",), ("strongly agree",)),
    (("strongly disagree",), ("disagree",), ("somewhat disagree", "slightly disagree"), _NEUTRAL,
     ("somewhat agree", "slightly agree"), ("agree",), ("strongly agree",)),
    (("never",), ("rarely",), ("sometimes",), ("often", "usually"), ("always",)),
    (("very dissatisfied",), ("dissatisfied",), ("neither satisfied nor dissatisfied", "neutral"),
     ("satisfied",), ("very satisfied",)),
    (("very unlikely",), ("unlikely",), ("neither likely nor unlikely", "neutral"), ("likely",),
     ("very likely",)),
    (("not at all important",), ("slightly important",), ("moderately important",),
     ("very important",), ("extremely important",)),
    (("very poor",), ("poor",), ("fair",), ("good",), ("very good",), ("excellent",)),
)


@dataclass
class Typed:
    """An attribute's values as written to the file, with what the file says about them.

    ``values`` are floats (NaN: blank), or for Stata also the letters of missing words;
    ``labels`` maps a value to its label; ``missing`` lists the declared missing values.
    ``None`` as ``values`` means: write the column as text.
    """

    values: list[Any] | None
    measure: Measure = "nominal"
    labels: dict[Any, str] = field(default_factory=dict)
    missing: list[Any] = field(default_factory=list)
    decimals: int = 0


def typed_attribute(values: list[Any], format: str) -> Typed:
    """How the attribute ``values`` (text, ``None`` or ``""`` when blank) go into a ``format``
    (``sav`` or ``dta``) file; see the module docstring."""
    present = [v for v in values if v not in (None, "")]
    if not present:
        return Typed(None)
    numbers = {v: plain_number(str(v)) for v in set(present)}
    words = sorted((v for v, n in numbers.items() if n is None), key=lambda v: (str(v).casefold(), v))
    counted = sum(1 for v in present if numbers[v] is not None)
    if counted == len(present):
        return _numeric(values, numbers, {}, format)
    if (counted and len(words) <= MAX_MISSING_WORDS and counted * 2 >= len(present)
            and not any(c.isdigit() for w in words for c in str(w))):
        return _numeric(values, numbers, {w: i for i, w in enumerate(words)}, format)
    if counted == 0 and is_categorical(present):
        return _categorical(values, words)
    return Typed(None)


def is_categorical(present: list[Any]) -> bool:
    """Few distinct values, each used on average at least twice: a category, not free text."""
    return _few(len(set(present)), len(present))


def ordinal_categories(answers: Mapping[Any, int]) -> tuple[Any, ...] | None:
    """The answers of a survey column, lowest first, when :func:`typed_attribute` writes it as
    an ordinal variable (a rating scale or numeric bands); else ``None``.

    ``answers`` maps each distinct non-blank answer to how many responses gave it: all this
    decision needs, so the Parquet export can learn it from the stored attribute sets before
    its first block (:class:`codewell.io.attribute_kinds.AttributeKinds`) and agree with the
    SPSS and Stata files. The answers are the ones used, as written, as the ``.sav`` labels them;
    two spellings of one point (``Agree`` beside ``agree``) are no scale there, so none here.
    """
    if any(plain_number(str(answer)) is not None for answer in answers):
        return None  # numbers, numbers with missing words, or text: never a categorical
    if not answers or not _few(len(answers), sum(answers.values())):
        return None
    positions = _ordinal_positions(list(answers))
    return tuple(sorted(positions, key=positions.__getitem__)) if positions else None


def _few(distinct: int, present: int) -> bool:
    """:func:`is_categorical` from the number of distinct values and of non-blank ones."""
    return distinct <= MAX_CATEGORIES and distinct * 2 <= present


def _numeric(values: list[Any], numbers: dict[Any, float | None], words: dict[Any, int],
             format: str) -> Typed:
    """Numbers as numbers; each word of ``words`` (word -> its rank) a labelled missing value."""
    found = [n for n in numbers.values() if n is not None]
    if format == "sav":
        below = min(0, math.floor(min(found))) - 1
        code: dict[Any, Any] = {w: float(below - rank) for w, rank in words.items()}
    else:
        code = {w: STATA_LETTERS[rank] for w, rank in words.items()}
    written = [math.nan if v in (None, "") else code[v] if v in code else numbers[v] for v in values]
    decimals = max((len(str(v).partition(".")[2]) for v, n in numbers.items() if n is not None), default=0)
    return Typed(written, "scale", {code[w]: str(w) for w in words}, sorted(code.values()),
                 decimals)


def _categorical(values: list[Any], distinct: list[Any]) -> Typed:
    """Words numbered 1..k in the order of a rating scale or of numeric bands they fit (ordinal),
    else alphabetically."""
    scale = _ordinal_positions(distinct)
    number = scale or {value: i for i, value in enumerate(distinct, start=1)}
    return Typed([math.nan if v in (None, "") else float(number[v]) for v in values],
                 "ordinal" if scale else "nominal", {i: str(v) for v, i in number.items()})


def _ordinal_positions(distinct: list[Any]) -> dict[Any, int] | None:
    """Each value's number on the rating scale or in the numeric bands it fits, or ``None``."""
    return _scale_positions(distinct) or _band_positions(distinct)


_BAND = re.compile(r"(?:(?P<below>[<≤]=?|under|less than|up to|below)\s*(?P<top>\d+(?:\.\d+)?)"
                   r"|(?P<low>\d+(?:\.\d+)?)\s*(?:[-–—]|to)\s*(?P<high>\d+(?:\.\d+)?)"
                   r"|(?:[>≥]=?|over|more than|above)\s*(?P<over>\d+(?:\.\d+)?)"
                   r"|(?P<plus>\d+(?:\.\d+)?)\s*(?:\+|or more|and over|and above))"
                   r"(?:\s*[a-z]+)?")


def _band_positions(distinct: list[Any]) -> dict[Any, int] | None:
    """Numeric bands (``<2``, ``2-5``, ``6-10``, ``>20``, ``65+``, ``under 18``, with or without a
    unit such as ``years``) numbered by where they start, as an age or years-of-experience item
    is read; ``None`` unless every value is such a band and no two start at the same place."""
    starts: dict[Any, tuple[float, float]] = {}
    for value in distinct:
        found = _BAND.fullmatch(" ".join(str(value).casefold().split()))
        if found is None:
            return None
        if found["top"] is not None:
            starts[value] = (-math.inf, float(found["top"]))
        elif found["low"] is not None:
            starts[value] = (float(found["low"]), float(found["high"]))
        else:
            starts[value] = (float(found["over"] or found["plus"]), math.inf)
    if len(set(starts.values())) < len(starts) or len({low for low, _ in starts.values()}) < len(starts):
        return None
    return {value: i for i, value in enumerate(sorted(starts, key=starts.__getitem__), start=1)}


def _scale_positions(distinct: list[Any]) -> dict[Any, int] | None:
    """Each value's point on the smallest scale of :data:`SCALES` holding them all, one value a
    point; ``None`` when no scale holds them (two spellings of one point, say)."""
    for scale in SCALES:
        point = {spelling: i for i, spellings in enumerate(scale, start=1) for spelling in spellings}
        positions = {v: point.get(" ".join(str(v).casefold().split())) for v in distinct}
        numbers = list(positions.values())
        if None not in numbers and len(set(numbers)) == len(numbers):
            return positions  # type: ignore[return-value]
    return None
