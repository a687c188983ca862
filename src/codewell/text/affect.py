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
    """Lemma -> mean valence (-4..4), read once from the lexicon file VADER's wheel ships.

    VADER rates written forms ("terrified", "worried"); each rating is also filed under the
    form's lemma when the lemma has none of its own, so one lookup per token (on the lemma the
    pipeline already made) finds it: per-token lookups of the written form cost seconds per
    100,000 responses.
    """
    from importlib.resources import files

    from codewell.text.pipeline import pipeline

    table: dict[str, float] = {}
    text = files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha():
            table[parts[0]] = float(parts[1])
    pipe = pipeline()
    for word, value in list(table.items()):
        table.setdefault(pipe.lemma(word), value)
    return table


def valences(analysis: Analysis) -> list[float]:
    """Per token, the valence of its lemma (0.0: not rated, or not a word)."""
    table = lexicon()
    return [table.get(norm, 0.0) if word else 0.0
            for norm, word in zip(analysis.norms, analysis.words, strict=True)]


def affect_features(analysis: Analysis, rated: list[float] | None = None
                    ) -> tuple[float, float, float, float]:
    """(negative, positive, negated negative, strong negative) mass of the words, log-damped.

    Each is log(1 + sum of |valence| / 2) over the words of that kind, so one strong word counts
    about as much as a keyword hit and ten words do not count ten times. ``rated`` is
    :func:`valences` of the analysis when the caller has it already.
    """
    negative = positive = denied = strong = 0.0
    for v, neg in zip(valences(analysis) if rated is None else rated, analysis.negated,
                      strict=True):
        if v == 0.0:
            continue
        if neg:
            denied += max(0.0, -v)
        elif v < 0:
            negative += -v
            strong += v <= STRONG
        else:
            positive += v
    return (math.log1p(negative / 2), math.log1p(positive / 2), math.log1p(denied / 2),
            math.log1p(strong))


def strong_words(analysis: Analysis, rated: list[float] | None = None) -> list[int]:
    """Indices of the non-negated words at least as negative as ``STRONG``."""
    rated = valences(analysis) if rated is None else rated
    return [i for i, (v, neg) in enumerate(zip(rated, analysis.negated, strict=True))
            if v <= STRONG and not neg]
