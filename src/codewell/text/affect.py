"""Affect from a maintained lexicon: how negative or positive a text's own words are.

Coders code fear said as "daunting", "awful" or "I was in pieces", not only as the codebook's
"anxiety"; a valence lexicon carries some of that. The lexicon is VADER's (vaderSentiment, MIT:
about 7,500 words and forms rated from -4 to +4 by ten people each), read from the file its
wheel ships, once, on first use: nothing is downloaded. Words inside a negation are counted
apart ("not scary" is not fear), so each code can learn what a denied feeling means for it.
"""

from __future__ import annotations

import functools
import math

from codewell.text.pipeline import Analysis

# Columns of :func:`affect_features`, in order.
AFFECT_FEATURES = ("negative", "positive", "negated_negative", "strong_negative")
# A word at least this negative counts as a strong feeling ("awful" -2.0, "terrified" -3.0).
STRONG = -1.5


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    """VADER's word -> mean valence (-4..4), read from the package's own lexicon file."""
    from importlib.resources import files

    table: dict[str, float] = {}
    text = files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha():
            table[parts[0]] = float(parts[1])
    return table


def valence(analysis: Analysis, i: int) -> float:
    """Valence of token ``i``: its written form first (the lexicon rates forms), then its lemma."""
    table = lexicon()
    form = analysis.text[analysis.starts[i]:analysis.ends[i]].lower()
    found = table.get(form)
    return table.get(analysis.norms[i], 0.0) if found is None else found


def affect_features(analysis: Analysis) -> tuple[float, float, float, float]:
    """(negative, positive, negated negative, strong negative) mass of the words, log-damped.

    Each is log(1 + sum of |valence| / 2) over the words of that kind, so one strong word counts
    about as much as a keyword hit and ten words do not count ten times.
    """
    negative = positive = denied = strong = 0.0
    for i, word in enumerate(analysis.words):
        if not word:
            continue
        v = valence(analysis, i)
        if v == 0.0:
            continue
        if analysis.negated[i]:
            denied += max(0.0, -v)
        elif v < 0:
            negative += -v
            strong += v <= STRONG
        else:
            positive += v
    return (math.log1p(negative / 2), math.log1p(positive / 2), math.log1p(denied / 2),
            math.log1p(strong))


def strong_words(analysis: Analysis) -> list[int]:
    """Indices of the non-negated words at least as negative as ``STRONG``."""
    return [i for i, word in enumerate(analysis.words)
            if word and not analysis.negated[i] and valence(analysis, i) <= STRONG]
