"""Why a code is suggested: the sentence that carries it, and the words in it that carry it.

A coder reads a reason in a sentence, not in a handful of scattered words, so a suggested code's
evidence is built around ONE sentence of the response: the one that scored highest for the code
(the whole response when it is one sentence). Inside that sentence, and only there, the words
that carry the code are pointed at, as character spans into the original text:

- codebook keywords and synonyms found outside a negation (``source="keyword"``), and negative
  keywords found under their negation, shown from the cue ("can't interpret" for
  interpretation difficulty, never "negated: interpret");
- strong feeling words the lexicon rates (``source="affect"``: "daunting", "awful") for a code
  whose own keywords are feelings;
- words the trained model learnt (``source="model"``), only when they are content words that
  carry real, specific positive weight for the code (see :func:`evidence_weights`): "coming",
  "things", "and come" or "helps" are never offered as a reason. A learnt negated word is shown
  from its cue ("don't know").

In a response of several sentences the sentence itself is one more span (``source="sentence"``),
listed first, so the screen can mark it and ``A`` can keep it as a quote. The reason quotes the
sentence, shortened around the carrying words when it is long, then names those words; when none
remains the sentence alone is the reason. Evidence is read from what scoring already computed and
never changes a probability or which codes are suggested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from codewell.suggest.features import NEGATED, span, word_spans, word_tokens
from codewell.text import Analysis, PhraseMatch
from codewell.text.negation import MODALS, is_cue
from codewell.values import CodeSuggestion, Evidence

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

Span = tuple[int, int]
# Learnt terms shown per code, and the least share of the strongest term's push worth showing.
TOP_TERMS = 2
MIN_SHARE = 0.4
# A learnt n-gram is evidence for a code only with a coefficient among the code's largest
# (its top ``TOP_SHARE`` of positive coefficients, or top ``TOP_AT_LEAST`` in a small model), at
# least ``LEAST_OF_TOP`` of its largest, and at least ``SPECIFIC`` of the n-gram's largest
# coefficient over all codes: a word that pushes every code says nothing about this one ("help"
# lifts understanding, communication and adherence alike). On the image-sharing sample this keeps
# 4-12 n-grams per code ("talk", "ask", "chat" for communication; "don't know", "plain" for
# interpretation difficulty) out of about 1,200 with positive weight.
TOP_SHARE = 0.02
TOP_AT_LEAST = 10
LEAST_OF_TOP = 0.3
SPECIFIC = 0.8
# Words used in more than this share of the training texts are the study's common ground
# ("patient", "image" in an imaging survey), never a reason for one code.
MAX_DF = 0.2
# Everyday English that can carry no code on its own, beyond spaCy's stop words (lemmas). A
# negated one may still be shown: "don't know", "can't see" are reasons, "know" and "see" not.
GENERIC = frozenset("""
    thing stuff way lot bit kind sort type people person everyone someone something anything
    everything help come go get make take give put use try start begin end like want need seem
    see look know think say tell feel find let keep show mean happen actually really finally
    basically generally usually probably maybe perhaps definitely certainly obviously especially
    quite pretty very much many little far good great fine nice bad big small able sure certain
    important different same new old first second third last next time day year week often
    sometimes always never ok okay yes yeah overall whole part case point fact reason example
    question answer lots bits also just still even though etc key main major clear simple real
    true exactly particular particularly general specific various likely work matter
""".split())
# How far (in tokens) a learnt negated word may sit from its cue and still be shown from it.
CUE_REACH = 4
# Characters of a quoted sentence before it is shortened around its carrying words, and how far
# past that a sentence may run and still be quoted whole (cutting off its last word helps no one).
QUOTE_WIDTH = 80
SLACK = 1 / 6
_CLAUSE_BREAK = re.compile(r"[,;:()]|\s[-–—]\s|\s[-–—]|[-–—]\s")
_SPACE = re.compile(r"\s+")
# Words a negation leans on, shown with it: "could not", "do not", "is not".
_LEANED_ON = MODALS | {"do", "be", "have"}


class Row(NamedTuple):
    """One response's word n-gram features (column indices and TF-IDF values, parallel) and its
    word tokens with their character spans, to find the winning n-grams in the text."""

    columns: np.ndarray
    values: np.ndarray
    tokens: list[str]
    spans: list[tuple[int, int]]


def content_word(token: str) -> bool:
    """Whether a word n-gram token (a lemma, ``neg_`` for negated) can be part of a reason."""
    from spacy.lang.en.stop_words import STOP_WORDS

    word = token.removeprefix(NEGATED)
    if len(word) < 3 or not word.replace("-", "").isalpha() or word in STOP_WORDS or is_cue(word):
        return False
    return token.startswith(NEGATED) or word not in GENERIC


def evidence_weights(coef: np.ndarray, names: Sequence[str], idf: np.ndarray, n_texts: int,
                     has_model: np.ndarray) -> np.ndarray:
    """The word block's coefficients (k, word n-grams) kept where an n-gram may be shown as
    learnt evidence for a code, zero elsewhere (and for codes without a model of their own).

    Shown: n-grams made of content words only (:func:`content_word`), used in at most
    ``MAX_DF`` of the ``n_texts`` training texts (read back from the IDF), with real and specific
    positive weight for the code (``TOP_SHARE``, ``LEAST_OF_TOP``, ``SPECIFIC``).
    """
    import numpy as np

    grams = [name.split(" ") for name in names]
    verdict = {token: content_word(token) for token in {t for gram in grams for t in gram}}
    content = np.array([all(verdict[t] for t in gram) for gram in grams], dtype=bool)
    df_share = ((1 + n_texts) / np.exp(np.asarray(idf) - 1.0) - 1.0) / max(n_texts, 1)
    shown = np.zeros_like(coef)
    top_anywhere = coef.max(axis=0) if len(coef) else coef
    for c in np.flatnonzero(has_model):
        row = coef[c]
        positive = row[row > 0]
        if not len(positive):
            continue
        rank = min(max(int(TOP_SHARE * len(positive)), TOP_AT_LEAST), len(positive))
        largest = np.sort(positive)[::-1]
        floor = max(float(largest[rank - 1]), LEAST_OF_TOP * float(largest[0]))
        keep = content & (df_share <= MAX_DF) & (row >= floor) & (row >= SPECIFIC * top_anywhere)
        shown[c, keep] = row[keep]
    return shown


def suggestions(analyses: Sequence[Analysis], codes: Sequence[str], probabilities: np.ndarray,
                thresholds: np.ndarray, matches: Sequence[list[PhraseMatch]],
                words: sparse.csr_matrix | None, weights: np.ndarray | None,
                names: Sequence[str], best: Sequence[Sequence[Span | None]] | None = None,
                tentative: np.ndarray | None = None,
                affective: Sequence[bool] = ()) -> list[tuple[CodeSuggestion, ...]]:
    """One row of :class:`CodeSuggestion` per response, evidence built only where it is shown.

    Shapes: ``probabilities`` (n, k), ``thresholds`` (k,), ``words`` (n, word n-grams) or None
    before training, ``weights`` (k, word n-grams) from :func:`evidence_weights` or None;
    ``best[i][c]`` the character span of response i's best sentence for code c (None: one
    sentence, or not scored); ``tentative`` (k,) the lower bar from which an unsuggested code is
    marked tentative (None: never); ``affective[c]`` whether code c's keywords are feelings.
    """
    import numpy as np

    modelled = [False] * len(codes) if weights is None else weights.any(axis=1).tolist()
    feeling = list(affective) or [False] * len(codes)
    rounded = np.round(probabilities, 4).tolist()
    flags = ((probabilities >= thresholds) & (probabilities > 0.0)).tolist()
    maybe = (np.zeros_like(probabilities, dtype=bool) if tentative is None
             else (probabilities >= tentative) & (probabilities > 0.0)).tolist()
    rows = []
    for i, analysis in enumerate(analyses):
        matched = {m.code for m in matches[i]}
        row = None
        if words is not None and any(f and m for f, m in zip(flags[i], modelled, strict=True)):
            cut = slice(words.indptr[i], words.indptr[i + 1])
            row = Row(words.indices[cut], words.data[cut], word_tokens(analysis),
                      word_spans(analysis))
        out = []
        for c, code in enumerate(codes):
            if not flags[i][c] and code not in matched:
                out.append(CodeSuggestion(code, rounded[i][c], False, tentative=maybe[i][c]))
                continue
            evidence, reason = explain(analysis, code, flags[i][c], matches[i], row,
                                       weights[c] if modelled[c] else None, names,
                                       None if best is None else best[i][c], feeling[c])
            out.append(CodeSuggestion(code, rounded[i][c], flags[i][c], evidence, reason,
                                      tentative=maybe[i][c] and not flags[i][c]))
        rows.append(tuple(out))
    return rows


def explain(analysis: Analysis, code: str, suggested: bool, matches: list[PhraseMatch],
            row: Row | None, weights: np.ndarray | None,
            names: Sequence[str] = (), sentence: Span | None = None, affective: bool = False
            ) -> tuple[tuple[Evidence, ...], str]:
    """Evidence spans and a reason for one code of one analysed response.

    ``row`` is the response's word n-gram block, ``weights`` the code's row of
    :func:`evidence_weights` (None when the code has no model), ``names`` the n-gram of each
    column, ``sentence`` the span of the response's best sentence for the code (None: the
    response is one sentence) and ``affective`` whether strong feeling words count for the code.
    Evidence is given for suggested codes only; an unsuggested code whose keyword appeared only
    inside a negation says so in its reason, so the coder sees why it was held back.
    """
    text = analysis.text
    own = [m for m in matches if m.code == code]
    if not suggested:
        denied = sorted({text[_negation_start(analysis, m.start):m.end]
                         for m in own if m.negated and not m.negative})
        return (), ("denied: " + ", ".join(f"'{_flat(w)}'" for w in denied)) if denied else ""
    bounds = sentence if sentence is not None else span(analysis)
    keyword = _dedupe([Evidence(m.start, m.end, text[m.start:m.end], "keyword")
                       for m in own if not m.negated and _inside(m.start, m.end, bounds)])
    feeling = _feelings(analysis, bounds, keyword) if affective else []
    # A learnt word that is another code's keyword is the codebook's evidence for that code.
    taken = [(e.start, e.end) for e in keyword + feeling] + [(m.start, m.end) for m in matches
                                                             if m.code != code]
    model = [] if row is None or weights is None else [
        e for e in _strongest(analysis, row, weights, names, bounds)
        if not any(e.start < end and start < e.end for start, end in taken)]
    carrying = sorted(keyword + feeling + model, key=lambda e: e.start)
    whole = [] if sentence is None else [Evidence(*sentence, text[slice(*sentence)], "sentence")]
    return tuple(whole + carrying), _reason(text, bounds, keyword, feeling, model)


def quote(text: str, sentence: Span, words: Sequence[Span], width: int = QUOTE_WIDTH
          ) -> list[tuple[str, bool]]:
    """``text[sentence]`` as (piece, is a carrying word) pairs, whitespace folded, at most about
    ``width`` characters: a long sentence is cut to the clause that holds ``words`` (or to the
    words and what fits around them), and "…" marks each cut."""
    start, end = _strip(text, *sentence)
    inner = sorted((max(s, start), min(e, end)) for s, e in words if s < end and start < e)
    if end - start > width * (1 + SLACK):
        start, end = _shorten(text, start, end, inner, width)
    pieces: list[tuple[str, bool]] = [("…", False)] if start > sentence[0] and \
        text[sentence[0]:start].strip() else []
    at = start
    for s, e in inner:
        s, e = max(s, at), min(e, end)
        if s >= e:
            continue
        if s > at:
            pieces.append((_SPACE.sub(" ", text[at:s]), False))
        pieces.append((_SPACE.sub(" ", text[s:e]), True))
        at = e
    if at < end:
        pieces.append((_SPACE.sub(" ", text[at:end]), False))
    if text[end:sentence[1]].strip():
        pieces.append(("…", False))
    return pieces


def _shorten(text: str, start: int, end: int, inner: list[Span], width: int) -> Span:
    """A part of ``text[start:end]`` about ``width`` long: the run of clauses holding the carrying
    words, grown by neighbouring clauses while it fits, else the words and whole words around them."""
    if not inner:
        return _strip(text, start, _word_cut(text, start, start + width, forward=False))
    low = inner[0][0]
    high = max([e for s, e in inner if e - low <= width] or [inner[0][1]])
    cuts = [(m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(text, start, end)]
    clauses = [(a, b) for a, b in zip([start] + [b for _, b in cuts], [a for a, _ in cuts] + [end],
                                      strict=True) if a < b]
    first = max([i for i, (a, _) in enumerate(clauses) if a <= low] or [0])
    last = min([i for i, (_, b) in enumerate(clauses) if b >= high] or [len(clauses) - 1])
    left, right = _strip(text, clauses[first][0], clauses[last][1])
    if right - left <= width:
        for step in (-1, 1) * len(clauses):
            i, j = (first - 1, last) if step < 0 else (first, last + 1)
            if 0 <= i and j < len(clauses):
                a, b = _strip(text, clauses[i][0], clauses[j][1])
                if b - a <= width:
                    first, last, left, right = i, j, a, b
        return left, right
    # Within the clause: its opening when that fits beside the words, else as much on each side.
    spare = max(width - (high - low), 0)
    before = low - left if low - left <= spare // 2 else min(spare // 3, low - left)
    after = min(spare - before, right - high)
    before = min(spare - after, low - left)
    return _strip(text, _word_cut(text, low - before, low, forward=True),
                  _word_cut(text, high, high + after, forward=False))


def _word_cut(text: str, start: int, end: int, *, forward: bool) -> int:
    """Move a cut off the middle of a word: ``forward`` moves ``start`` on, else ``end`` back."""
    if forward:
        while start < end and start > 0 and _in_word(text[start - 1]) and _in_word(text[start]):
            start += 1
        return start
    while end > start and end < len(text) and _in_word(text[end - 1]) and _in_word(text[end]):
        end -= 1
    return end


def _strip(text: str, start: int, end: int) -> Span:
    """Trim spaces and clause punctuation from both ends of a span (never below one character)."""
    while start < end - 1 and (text[start].isspace() or text[start] in ",;:-–—"):
        start += 1
    while end > start + 1 and (text[end - 1].isspace() or text[end - 1] in ",;:-–—"):
        end -= 1
    return start, end


def _inside(start: int, end: int, bounds: Span) -> bool:
    return bounds[0] <= start and end <= bounds[1]


def _feelings(analysis: Analysis, bounds: Span, keyword: list[Evidence]) -> list[Evidence]:
    """Strong feeling words outside a negation, in ``bounds``, not already part of a keyword."""
    from codewell.text.affect import strong_words

    text, found = analysis.text, []
    for i in strong_words(analysis):
        start, end = _whole_words(text, analysis.starts[i], analysis.ends[i])
        if _inside(start, end, bounds) and not any(k.start < end and start < k.end for k in keyword):
            found.append(Evidence(start, end, text[start:end], "affect"))
    return _dedupe(found)


def _strongest(analysis: Analysis, row: Row, weights: np.ndarray,
               names: Sequence[str], bounds: Span) -> list[Evidence]:
    """Up to ``TOP_TERMS`` non-overlapping shown n-grams inside ``bounds`` with the largest
    push (TF-IDF value x weight), as spans; a negated one is shown from its cue."""
    import numpy as np

    if not len(row.columns):
        return []
    push = row.values * weights[row.columns]
    inside = {tok for tok, (start, end) in zip(row.tokens, row.spans, strict=True)
              if _inside(start, end, bounds)}
    order = list(_take_inside(np.argsort(-push, kind="stable"), push, row.columns, names, inside))
    if not order:
        return []
    floor = max(float(push[order[0]]) * MIN_SHARE, 1e-12)
    chosen: list[Evidence] = []
    for i in order:
        if push[i] < floor or len(chosen) == TOP_TERMS:
            break
        gram = names[row.columns[i]].split(" ")
        at = _find(row.tokens, gram, row.spans, bounds)
        if at is None:
            continue
        start = row.spans[at][0]
        if gram[0].startswith(NEGATED):
            cue = _cue_start(analysis, start)
            if cue is None:
                continue
            start = cue
        start, end = _whole_words(analysis.text, start, row.spans[at + len(gram) - 1][1])
        if not any(ch.isalpha() for ch in analysis.text[start:end]):
            continue  # a number or a symbol read as a word ("2/52") is no reason to give
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


def _cue_start(analysis: Analysis, char: int) -> int | None:
    """Where the negation governing the token at ``char`` starts, with the auxiliary it leans
    on ("can't", "do not"), or None when the cue is more than ``CUE_REACH`` tokens away."""
    token = analysis.starts.index(char)
    cue = analysis.scope[token]
    if cue < 0 or token - cue > CUE_REACH:
        return None
    lean = cue - 1
    if lean >= 0 and analysis.text[analysis.starts[lean]] not in "'’" and (
            analysis.ends[lean] == analysis.starts[cue] or analysis.norms[lean] in _LEANED_ON):
        return analysis.starts[lean]  # not "'ll" of "they'll": the pronoun would come with it
    return analysis.starts[cue]


def _negation_start(analysis: Analysis, char: int) -> int:
    """Where a denied keyword is best shown from: its cue when near, else the keyword itself."""
    cue = _cue_start(analysis, char)
    return char if cue is None else cue


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole written words: "wo" + "n't" are one word, "won't", to a reader."""
    while start > 0 and _in_word(text[start - 1]):
        start -= 1
    while end < len(text) and _in_word(text[end]):
        end += 1
    return start, end


def _in_word(ch: str) -> bool:
    return ch.isalnum() or ch in "'’-"


def _find(tokens: list[str], gram: list[str], spans: list[Span], bounds: Span) -> int | None:
    """Index of the first occurrence of ``gram`` in ``tokens`` inside ``bounds``."""
    for i in range(len(tokens) - len(gram) + 1):
        if tokens[i] == gram[0] and tokens[i:i + len(gram)] == gram \
                and _inside(spans[i][0], spans[i + len(gram) - 1][1], bounds):
            return i
    return None


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    """Keep the longest of overlapping spans (a phrase beats the word inside it)."""
    kept: list[Evidence] = []
    for item in sorted(evidence, key=lambda e: (e.start, -(e.end - e.start))):
        if not any(item.start < k.end and k.start < item.end for k in kept):
            kept.append(item)
    return kept


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _reason(text: str, bounds: Span, keyword: list[Evidence], feeling: list[Evidence],
            model: list[Evidence]) -> str:
    """The quoted sentence, then the words that carry the code, by where they come from."""
    carrying = [(e.start, e.end) for e in (*keyword, *feeling, *model)]
    said = "".join(piece for piece, _ in quote(text, bounds, carrying))
    parts = [f"{label} " + ", ".join(f"'{_flat(e.text)}'" for e in found)
             for label, found in (("keyword", keyword), ("feeling", feeling), ("learnt", model))
             if found]
    return f"“{said}”" + (f" ({'; '.join(parts)})" if parts else "")
