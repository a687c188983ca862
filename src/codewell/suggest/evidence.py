"""Why a code is suggested: the stretches of the response that drove it, and a one-line reason.

Two sources, both as character spans into the original text for the TUI to highlight:

- codebook keywords found outside a negation (``source="keyword"``);
- the words and word pairs of the response that the trained model weighs most for the code
  (``source="model"``), read from its coefficients on the lemma n-gram block.

Character n-grams and profile similarity also move the probability but cannot be pointed at;
when nothing can be pointed at, the reason says where the suggestion came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from codewell.model import Evidence
from codewell.suggest.features import NEGATED, word_spans, word_tokens
from codewell.text import Analysis, PhraseMatch

if TYPE_CHECKING:
    import numpy as np

class Terms(NamedTuple):
    """Word n-grams of one response found in the model's vocabulary (parallel sequences)."""

    columns: np.ndarray
    starts: list[int]
    ends: list[int]


# Model terms shown per code, and the least share of the strongest term's weight worth showing.
TOP_TERMS = 3
MIN_SHARE = 0.4


def explain(analysis: Analysis, code: str, suggested: bool, matches: list[PhraseMatch],
            terms: Terms | None, weights: np.ndarray | None) -> tuple[tuple[Evidence, ...], str]:
    """Evidence spans and a reason for one code of one analysed response.

    ``terms`` are the response's word n-grams known to the model (:func:`model_terms`) and
    ``weights`` the model's coefficients for this code. Evidence is given for suggested codes only;
    an unsuggested code whose keyword appeared only inside a negation says so in its reason, so
    the coder sees why it was held back.
    """
    text = analysis.text
    own = [m for m in matches if m.code == code]
    if not suggested:
        denied = sorted({text[m.start:m.end] for m in own if m.negated})
        return (), ("negated: " + ", ".join(f"'{w}'" for w in denied)) if denied else ""
    keyword = _dedupe([Evidence(m.start, m.end, text[m.start:m.end], "keyword")
                       for m in own if not m.negated])
    model = [] if weights is None or terms is None else _strongest(analysis, terms, weights)
    taken = [(e.start, e.end) for e in keyword]
    model = [e for e in model if not any(e.start < end and start < e.end for start, end in taken)]
    evidence = tuple(sorted(keyword + model, key=lambda e: e.start))
    return evidence, _reason(keyword, model, weights is not None)


def model_terms(analysis: Analysis, vocabulary: Mapping[str, int]) -> Terms:
    """The response's words and word pairs the model knows: their columns and character spans."""
    import numpy as np
    from spacy.lang.en.stop_words import STOP_WORDS

    tokens = word_tokens(analysis)
    spans = word_spans(analysis)
    content = [t.removeprefix(NEGATED) not in STOP_WORDS for t in tokens]
    columns, starts, ends = [], [], []
    for i, token in enumerate(tokens):
        column = vocabulary.get(token) if content[i] else None
        if column is not None:
            columns.append(column), starts.append(spans[i][0]), ends.append(spans[i][1])
        if i + 1 < len(tokens) and (content[i] or content[i + 1]):
            column = vocabulary.get(f"{token} {tokens[i + 1]}")
            if column is not None:
                columns.append(column), starts.append(spans[i][0]), ends.append(spans[i + 1][1])
    return Terms(np.array(columns, dtype=np.int64), starts, ends)


def _strongest(analysis: Analysis, terms: Terms, weights: np.ndarray) -> list[Evidence]:
    """Up to ``TOP_TERMS`` non-overlapping terms that push the code's score up the most.

    ``weights`` are per word-feature contributions (coefficient x IDF); a term is shown when it
    gives at least ``MIN_SHARE`` of the strongest term's push.
    """
    import numpy as np

    if not len(terms.columns):
        return []
    values = weights[terms.columns]
    order = np.argsort(-values, kind="stable")
    floor = max(float(values[order[0]]) * MIN_SHARE, 1e-12)
    chosen: list[Evidence] = []
    for i in order:
        if values[i] < floor or len(chosen) == TOP_TERMS:
            break
        start, end = terms.starts[i], terms.ends[i]
        if not any(start < e.end and e.start < end for e in chosen):
            chosen.append(Evidence(start, end, analysis.text[start:end], "model"))
    return chosen


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    """Keep the longest of overlapping keyword spans (a phrase beats the word inside it)."""
    kept: list[Evidence] = []
    for item in sorted(evidence, key=lambda e: (e.start, -(e.end - e.start))):
        if not any(item.start < k.end and k.start < item.end for k in kept):
            kept.append(item)
    return kept


def _reason(keyword: list[Evidence], model: list[Evidence], trained: bool) -> str:
    parts = []
    if keyword:
        parts.append("keyword " + ", ".join(f"'{e.text}'" for e in keyword))
    if model:
        parts.append("learnt from coded responses: " + ", ".join(f"'{e.text}'" for e in model))
    if parts:
        return "; ".join(parts)
    if trained:
        return "close to responses coded with it"
    return "close to the codebook's description and examples"
