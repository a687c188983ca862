"""Why a code is suggested: the stretches of the response that drove it, and a one-line reason.

Sources, all as character spans into the original text for the TUI to highlight:

- codebook keywords found outside a negation (``source="keyword"``), and negative keywords found
  under their negation, shown from the cue ("can't interpret" for interpretation difficulty);
- in a response of several sentences, the sentence that scored highest for the code
  (``source="sentence"``) when no keyword already points into it: a coder reads a reason in a
  sentence, not in a handful of scattered words;
- the words and word pairs that push the trained model's score for the code up the most
  (``source="model"``), taken from that best sentence only: TF-IDF value x coefficient on the
  lemma n-gram block, read from the response's own sparse feature row.

Character n-grams and profile similarity also move the probability but cannot be pointed at;
when nothing can be pointed at, the reason says where the suggestion came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from codewell.values import CodeSuggestion, Evidence
from codewell.suggest.features import NEGATED, word_spans, word_tokens
from codewell.text import Analysis, PhraseMatch

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

Span = tuple[int, int]
# Model terms shown per code, and the least share of the strongest term's push worth showing.
TOP_TERMS = 3
MIN_SHARE = 0.4


class Row(NamedTuple):
    """One response's word n-gram features (column indices and TF-IDF values, parallel) and its
    word tokens with their character spans, to find the winning n-grams in the text."""

    columns: np.ndarray
    values: np.ndarray
    tokens: list[str]
    spans: list[tuple[int, int]]


def content_mask(names: Sequence[str]) -> np.ndarray:
    """Per word n-gram, whether it may be shown as evidence: not made of stop words alone."""
    import numpy as np
    from spacy.lang.en.stop_words import STOP_WORDS

    return np.array([any(t.removeprefix(NEGATED) not in STOP_WORDS for t in name.split(" "))
                     for name in names], dtype=bool)


def suggestions(analyses: Sequence[Analysis], codes: Sequence[str], probabilities: np.ndarray,
                thresholds: np.ndarray, matches: Sequence[list[PhraseMatch]],
                words: sparse.csr_matrix | None, weights: np.ndarray | None,
                names: Sequence[str], best: Sequence[Sequence[Span | None]] | None = None,
                tentative: np.ndarray | None = None) -> list[tuple[CodeSuggestion, ...]]:
    """One row of :class:`CodeSuggestion` per response, evidence built only where it is shown.

    Shapes: ``probabilities`` (n, k), ``thresholds`` (k,), ``words`` (n, word n-grams) or None
    before training, ``weights`` (k, word n-grams) or None; ``best[i][c]`` the character span of
    response i's best sentence for code c (None: one sentence, or not scored); ``tentative`` (k,)
    the lower bar from which an unsuggested code is marked tentative (None: never).
    """
    import numpy as np

    modelled = [False] * len(codes) if weights is None else weights.any(axis=1).tolist()
    rounded = np.round(probabilities, 4).tolist()
    flags = ((probabilities >= thresholds) & (probabilities > 0.0)).tolist()
    maybe = (np.zeros_like(probabilities, dtype=bool) if tentative is None
             else (probabilities >= tentative) & (probabilities > 0.0)).tolist()
    rows = []
    for i, analysis in enumerate(analyses):
        matched = {m.code for m in matches[i]}
        row = None
        if words is not None and any(f and m for f, m in zip(flags[i], modelled, strict=True)):
            span = slice(words.indptr[i], words.indptr[i + 1])
            row = Row(words.indices[span], words.data[span], word_tokens(analysis),
                      word_spans(analysis))
        out = []
        for c, code in enumerate(codes):
            if not flags[i][c] and code not in matched:
                out.append(CodeSuggestion(code, rounded[i][c], False, tentative=maybe[i][c]))
                continue
            evidence, reason = explain(analysis, code, flags[i][c], matches[i], row,
                                       weights[c] if modelled[c] else None, names,
                                       None if best is None else best[i][c])
            out.append(CodeSuggestion(code, rounded[i][c], flags[i][c], evidence, reason,
                                      tentative=maybe[i][c] and not flags[i][c]))
        rows.append(tuple(out))
    return rows


def explain(analysis: Analysis, code: str, suggested: bool, matches: list[PhraseMatch],
            row: Row | None, weights: np.ndarray | None,
            names: Sequence[str] = (), sentence: Span | None = None
            ) -> tuple[tuple[Evidence, ...], str]:
    """Evidence spans and a reason for one code of one analysed response.

    ``row`` is the response's word n-gram block, ``weights`` the code's coefficients on it (zero
    for n-grams that may not be shown; None when the code has no model), ``names`` the n-gram of
    each column and ``sentence`` the span of the response's best sentence for the code. Evidence
    is given for suggested codes only; an unsuggested code whose keyword appeared only inside a
    negation says so in its reason, so the coder sees why it was held back.
    """
    text = analysis.text
    own = [m for m in matches if m.code == code]
    if not suggested:
        denied = sorted({text[m.start:m.end] for m in own if m.negated and not m.negative})
        return (), ("negated: " + ", ".join(f"'{w}'" for w in denied)) if denied else ""
    keyword = _dedupe([Evidence(m.start, m.end, text[m.start:m.end], "keyword")
                       for m in own if not m.negated])
    model = [] if row is None or weights is None else _strongest(analysis, row, weights, names,
                                                                 sentence)
    taken = [(e.start, e.end) for e in keyword]
    model = [e for e in model if not any(e.start < end and start < e.end for start, end in taken)]
    whole: list[Evidence] = []
    if sentence is not None and not any(sentence[0] <= s < sentence[1] for s, _ in taken):
        start, end = sentence
        whole = [Evidence(start, end, text[start:end], "sentence")]
        model = []
    evidence = tuple(sorted(keyword + model + whole, key=lambda e: e.start))
    return evidence, _reason(keyword, model, whole, weights is not None)


def _strongest(analysis: Analysis, row: Row, weights: np.ndarray,
               names: Sequence[str], sentence: Span | None = None) -> list[Evidence]:
    """Up to ``TOP_TERMS`` non-overlapping n-grams with the largest push, as spans (inside
    ``sentence`` when one is given)."""
    import numpy as np

    if not len(row.columns):
        return []
    push = row.values * weights[row.columns]
    order = np.argsort(-push, kind="stable")
    if sentence is not None:  # only the few strongest are checked, not every n-gram of the row
        inside = {tok for tok, (start, _) in zip(row.tokens, row.spans, strict=True)
                  if sentence[0] <= start < sentence[1]}
        order = [i for i in _take_inside(order, push, row.columns, names, inside)]
    order = order[: 2 * TOP_TERMS]
    if not len(order):
        return []
    floor = max(float(push[order[0]]) * MIN_SHARE, 1e-12)
    tokens, spans = row.tokens, row.spans
    chosen: list[Evidence] = []
    for i in order:
        if push[i] < floor or len(chosen) == TOP_TERMS:
            break
        gram = names[row.columns[i]].split(" ")
        at = _find(tokens, gram)
        if at is None:
            continue
        start, end = _whole_words(analysis.text, spans[at][0], spans[at + len(gram) - 1][1])
        if not any(start < e.end and e.start < end for e in chosen):
            chosen.append(Evidence(start, end, analysis.text[start:end], "model"))
    return chosen


def _take_inside(order: np.ndarray, push: np.ndarray, columns: np.ndarray, names: Sequence[str],
                 inside: set[str]) -> Iterator[int]:
    """Indices from ``order`` whose n-gram lies in the sentence, strongest first, while their
    push is positive, at most ``2 * TOP_TERMS`` of them."""
    taken = 0
    for i in order:
        if push[i] <= 0 or taken == 2 * TOP_TERMS:
            return
        if all(t in inside for t in names[columns[i]].split(" ")):
            taken += 1
            yield int(i)


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole written words: "wo" + "n't" are one word, "won't", to a reader."""
    while start > 0 and _in_word(text[start - 1]):
        start -= 1
    while end < len(text) and _in_word(text[end]):
        end += 1
    return start, end


def _in_word(ch: str) -> bool:
    return ch.isalnum() or ch in "'’-"


def _find(tokens: list[str], gram: list[str]) -> int | None:
    """Index of the first occurrence of ``gram`` in ``tokens``."""
    for i in range(len(tokens) - len(gram) + 1):
        if tokens[i] == gram[0] and tokens[i:i + len(gram)] == gram:
            return i
    return None


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    """Keep the longest of overlapping keyword spans (a phrase beats the word inside it)."""
    kept: list[Evidence] = []
    for item in sorted(evidence, key=lambda e: (e.start, -(e.end - e.start))):
        if not any(item.start < k.end and k.start < item.end for k in kept):
            kept.append(item)
    return kept


def _reason(keyword: list[Evidence], model: list[Evidence], whole: list[Evidence],
            trained: bool) -> str:
    parts = []
    if keyword:
        parts.append("keyword " + ", ".join(f"'{e.text}'" for e in keyword))
    if model:
        parts.append("learnt from coded responses: " + ", ".join(f"'{e.text}'" for e in model))
    if whole:
        said = " ".join(whole[0].text.split())
        parts.append("the sentence '" + (said if len(said) <= 80 else said[:77] + "...") + "'")
    if parts:
        return "; ".join(parts)
    if trained:
        return "close to responses coded with it"
    return "close to the codebook's description and examples"
