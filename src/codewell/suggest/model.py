"""The suggester: the codebook prior, a classifier learnt from decisions, and the blend of both.

Multi-label as ridge regression of every code at once on the same features (:mod:`.ridge`: one
matrix solve, so 2,000 responses train in about a second), each code's score then calibrated and
thresholded on held-out scores (:mod:`.thresholds`); the per-code threshold is what keeps rare
codes from drowning. In cross-validation this beat one-vs-rest logistic regression with balanced
class weights on both sample studies (macro-F1 0.80 against 0.76, and 0.74 against 0.73) at a
tenth of the cost. While a code has few positive examples the codebook prior keeps a say, with a
weight that decays as positives arrive. A fit builds a new, immutable :class:`FittedModel` from
the decisions; nothing is refitted in place, and a model lives only in memory: it is never
written to or loaded from a file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from codewell.values import Codebook, CodeSuggestion, ReferenceSet
from codewell.suggest.evidence import evidence_weights, suggestions
from codewell.suggest.ridge import checkpoint, fit_ridge
from codewell.suggest.thresholds import (
    DEFAULT_THRESHOLD, Calibration, choose_threshold, fit_calibration,
)
from codewell.text import Analysis, analyse_many

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

    from codewell.suggest.features import Featurizer
    from codewell.suggest.prior import CodebookPrior, PriorView

# A code needs this many positive (and negative) examples before it gets a model of its own.
MIN_POSITIVES = 2
# The prior's weight for a code with p positives is 1 / (1 + p / PRIOR_HALF_LIFE). 8 rather than 2:
# the share of responses exactly right over the first 45 coded rose from 0.40 to 0.45 (0.35 to 0.42
# on the other writer), with held-out macro-F1 within 0.005 on three writer splits. Choosing the
# weight per code by held-out log-loss instead moved nothing across writers, so the schedule stays.
PRIOR_HALF_LIFE = 8.0
# A response of several sentences is scored as (1 - SENTENCE_SHARE) x its own score plus
# SENTENCE_SHARE x its best sentence's, per code, so what one sentence says carries the code and
# the evidence points at that sentence. Half and half: across the three sample writers it moved
# nine-code macro-F1 by +0.01 and five-code by -0.006 to +0.004 (the sample's long answers are
# dense; a narrative of one theme is where it matters).
SENTENCE_SHARE = 0.5
# An unsuggested code is "tentative" (a screen may list it apart) from this share of its bar.
TENTATIVE_SHARE = 0.6
# "trained" once every code's prior weight is below this (over 24 positives each).
TRAINED_BELOW = 0.25


@dataclass(frozen=True, eq=False)
class Trained:
    """Everything one fit learnt. Its arrays are read-only, so no reader can ever change them.

    Shapes: ``coef`` (k, d), ``intercept``, ``thresholds``, ``prior_weight`` (k,);
    ``evidence_weights`` (k, word n-grams): the coefficients of the word block (the first columns),
    zeroed where an n-gram may not be shown as evidence for a code
    (:func:`~codewell.suggest.evidence.evidence_weights`) and for codes without a model. The featurizer's
    vocabularies and IDF are fixed by the fit; its only state that changes later is a memo of the
    character n-grams of words already seen, which is a cache (same answer either way).
    """

    featurizer: Featurizer
    coef: np.ndarray
    intercept: np.ndarray
    has_model: np.ndarray
    calibrations: tuple[Calibration, ...]
    thresholds: np.ndarray
    prior_weight: np.ndarray
    n_examples: int
    word_names: tuple[str, ...]
    evidence_weights: np.ndarray
    n_reference: int = 0

    def __post_init__(self) -> None:
        for value in (self.coef, self.intercept, self.has_model, self.thresholds,
                      self.prior_weight, self.evidence_weights):
            value.setflags(write=False)

    def __reduce__(self) -> tuple[type[Trained], tuple[object, ...]]:
        """Unpickled (from the training process) through the constructor: read-only again."""
        return type(self), tuple(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True, eq=False, repr=False)
class FittedModel:
    """A suggester as a value: the codebook, and what one fit learnt (None: the codebook alone).

    It never changes after it is built; a newer model is a new value, built by :func:`fit_model`
    and handed over whole. Everything a reader computes comes from this one value, so a reader
    that holds it can never see half of two models, whatever other threads do meanwhile.
    """

    codebook: Codebook
    trained: Trained | None = None

    @property
    def n_examples(self) -> int:
        """How many labelled examples the model was trained on (the reference's included)."""
        return self.trained.n_examples if self.trained is not None else 0

    @property
    def n_reference(self) -> int:
        """How many of them came from the project's reference set."""
        return self.trained.n_reference if self.trained is not None else 0

    def __repr__(self) -> str:
        return (f"FittedModel({self.codebook.title!r}, {len(self.codebook.ids)} codes, "
                f"{self.mode}, {self.n_examples} examples)")

    @property
    def mode(self) -> str:
        """``codebook`` (cold start), ``blended`` (prior still has a say) or ``trained``."""
        trained = self.trained
        if trained is None:
            return "codebook"
        return "trained" if bool((trained.prior_weight < TRAINED_BELOW).all()) else "blended"

    @property
    def prior(self) -> CodebookPrior:
        return shared_prior(self.codebook)

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities (n, k) and the per-code thresholds (k,) they are suggested at."""
        probabilities, thresholds, _, _, _ = self._score(self._analyse(texts))
        return probabilities, thresholds

    def _analyse(self, texts: Sequence[str]) -> list[Analysis]:
        """Texts read with the codebook's own shorthand and synonyms."""
        return analyse_many(list(texts), self.prior.vocabulary)

    def _score(self, analyses: Sequence[Analysis]
               ) -> tuple[np.ndarray, np.ndarray, PriorView, sparse.csr_matrix | None,
                          list[list[tuple[int, int] | None]] | None]:
        """Probabilities, thresholds, the prior's view, the word block of the features and,
        per response and code, the span of its best sentence (None: one sentence)."""
        import numpy as np

        k = len(self.codebook.ids)
        if not analyses:
            from codewell.suggest.prior import PriorView

            nothing = PriorView(np.zeros((0, 0)), np.zeros((0, k)), [])
            return nothing.probabilities, np.full(k, DEFAULT_THRESHOLD), nothing, None, None
        from codewell.suggest.prior import PriorView
        from codewell.text.rows import TokenRows

        trained = self.trained
        n = len(analyses)
        # Responses and their sentences go through the prior and the featurizer as one batch of
        # rows (a sentence is a range of its response's tokens); neither calls scikit-learn.
        rows = TokenRows(analyses, sentences=trained is not None)
        both = self.prior.view(rows)
        view = PriorView(both.features[:n], both.probabilities[:n], both.matches[:n])
        if trained is None:
            return view.probabilities, np.full(k, DEFAULT_THRESHOLD), view, None, None
        all_features = trained.featurizer.transform(rows, both.features)
        all_scores = all_features @ trained.coef.T + trained.intercept
        scores, features = all_scores[:n], all_features[:n]
        best = _blend_sentences(scores, all_scores[n:], rows.owner, rows.spans)
        model = np.column_stack([cal.apply(scores[:, c]) for c, cal in enumerate(trained.calibrations)])
        weight = trained.prior_weight
        probabilities = weight * view.probabilities + (1 - weight) * model
        thresholds = weight * DEFAULT_THRESHOLD + (1 - weight) * trained.thresholds
        empty = np.array([not any(a.words) for a in analyses], dtype=bool)
        probabilities[empty] = 0.0
        return probabilities, thresholds, view, features[:, :len(trained.word_names)].tocsr(), best

    def suggest(self, text: str) -> tuple[CodeSuggestion, ...]:
        """One suggestion per codebook code, in codebook order."""
        return self.suggest_many([text])[0]

    def suggest_many(self, texts: Sequence[str]) -> list[tuple[CodeSuggestion, ...]]:
        """Suggestions for many texts at once (batched through spaCy and the matrix maths).

        An empty or blank text gets probability 0 and no suggestion for every code.
        """
        analyses = self._analyse(texts)
        probabilities, thresholds, view, words, best = self._score(analyses)
        trained = self.trained
        if trained is None:
            best = self._prior_sentences(analyses, (probabilities >= thresholds).any(axis=1))
        return suggestions(
            analyses, self.codebook.ids, probabilities, thresholds, view.matches, words,
            None if trained is None else trained.evidence_weights,
            [] if trained is None else trained.word_names, best, TENTATIVE_SHARE * thresholds,
            self.prior.affective)

    def _prior_sentences(self, analyses: Sequence[Analysis], wanted: np.ndarray
                         ) -> list[list[tuple[int, int] | None]]:
        """Per response and code, the span of the sentence the codebook prior scores highest
        (None: one sentence, or no code suggested for the response, as ``wanted`` (n,) says):
        where a codebook-only suggestion's evidence points. Read only for evidence; the
        probabilities stay the prior's reading of the whole response."""
        import numpy as np

        from codewell.text.rows import TokenRows

        k = len(self.codebook.ids)
        best: list[list[tuple[int, int] | None]] = [[None] * k for _ in analyses]
        rows = np.flatnonzero(wanted)
        parts = TokenRows([analyses[i] for i in rows], sentences=True)
        if parts.owner:
            spans = _top_sentences(np.zeros((len(rows), k)),
                                   self.prior.view(parts).probabilities[len(rows):],
                                   parts.owner, parts.spans)[1]
            for i, found in zip(rows, spans, strict=True):
                best[i] = found
        return best


def fit_model(codebook: Codebook, texts: Sequence[str], labels: Sequence[frozenset[str]], *,
              reference: ReferenceSet | None = None, seed: int = 0,
              should_stop: Callable[[], bool] | None = None) -> FittedModel:
    """A new model trained from scratch on (text, codes applied) pairs; pure CPU work.

    Empty texts carry no signal and are left out; codes not in the codebook are ignored; no
    examples at all give the codebook-only model. A code with fewer than two positive examples
    keeps the codebook prior alone. ``reference`` rows (another study's coded responses) join
    the fit as the coder's own do, but only for the codes the reference labels: for any other
    code they count neither for nor against it. Raises :class:`Cancelled` when ``should_stop``
    returns true between steps (the caller keeps whatever model it had).
    """
    if len(texts) != len(labels):
        raise ValueError(f"fit got {len(texts)} texts but {len(labels)} label sets")
    everything = frozenset(codebook.ids)
    rows = [(t, frozenset(ls), everything) for t, ls in zip(texts, labels, strict=True)]
    if reference is not None:
        spoken = frozenset(reference.codes)
        rows += [(t, ls, spoken) for t, ls in zip(reference.texts, reference.labels, strict=True)]
    rows = [row for row in rows if row[0].strip()]
    n_reference = sum(1 for text in reference.texts if text.strip()) if reference is not None else 0
    trained = _train(codebook, rows, n_reference, seed, should_stop or (lambda: False)) if rows else None
    return FittedModel(codebook, trained)


def _train(codebook: Codebook, rows: list[tuple[str, frozenset[str], frozenset[str]]],
           n_reference: int, seed: int, should_stop: Callable[[], bool]) -> Trained:
    """Fit on (text, codes applied, codes the row speaks for) rows, the last ``n_reference`` of
    them from a reference set."""
    import numpy as np

    from codewell.suggest.features import Featurizer

    codes = codebook.ids
    # The codebook's examples join the fit as rows labelled with their code (they lifted
    # macro-F1 across writers by 0.01-0.04); calibration and thresholds use coded rows only.
    # Inclusion and exclusion notes are instructions to a coder ("... also code
    # interpretation_difficulty"), not responses: they shape the prior's profile, never the fit.
    n_real = len(rows)
    everything = frozenset(codes)
    rows = rows + [(row, frozenset({c.id}), everything) for c in codebook.codes for row in c.examples]
    gold = np.array([[code in ls for code in codes] for _, ls, _ in rows], dtype=np.int8)
    # Which codes each row speaks for: a code is fitted only on its rows (see fit_ridge).
    known = np.array([[code in spoken for code in codes] for _, _, spoken in rows], dtype=bool)
    analyses = analyse_many([t for t, _, _ in rows], shared_prior(codebook).vocabulary)
    checkpoint(should_stop)
    view = shared_prior(codebook).view(analyses)
    featurizer = Featurizer()
    features = featurizer.fit_transform(analyses, view.features)
    checkpoint(should_stop)
    coef, intercept, held_out = fit_ridge(features, 2.0 * gold - 1.0, known, seed, should_stop)
    _deny_denials(coef, features.shape[1] - view.features.shape[1])
    gold, held_out, known = gold[:n_real], held_out[:n_real], known[:n_real]
    k = len(codes)
    positives = (gold & known).sum(axis=0)
    has_model = np.minimum(positives, known.sum(axis=0) - positives) >= MIN_POSITIVES
    calibrations = [Calibration()] * k
    thresholds = np.full(k, DEFAULT_THRESHOLD)
    for c in np.flatnonzero(has_model):
        said = known[:, c]
        calibrations[c] = fit_calibration(held_out[said, c], gold[said, c])
        thresholds[c] = choose_threshold(calibrations[c].apply(held_out[said, c]), gold[said, c])
    prior_weight = np.where(has_model, 1.0 / (1.0 + positives / PRIOR_HALF_LIFE), 1.0)
    names = featurizer.word_names
    shown = evidence_weights(coef[:, :len(names)], names, featurizer.word_idf,
                             features.shape[0], has_model)
    return Trained(featurizer, coef, intercept, has_model, tuple(calibrations), thresholds,
                   prior_weight, n_real, names, shown, n_reference)


def _deny_denials(coef: np.ndarray, prior_start: int) -> None:
    """A code's own keyword under a negation is never evidence FOR it (a denied risk is not
    that risk, by the coding conventions): clip that coefficient at zero, in place.

    The sample's answers often deny a risk in one breath and grant it in the next, so left
    alone the fit learnt "not scare me off" as evidence of anxiety.
    """
    from codewell.suggest.prior import FEATURES_PER_CODE

    for c in range(coef.shape[0]):
        column = prior_start + FEATURES_PER_CODE * c + 1
        coef[c, column] = min(coef[c, column], 0.0)


def _blend_sentences(scores: np.ndarray, part_scores: np.ndarray, owner: list[int],
                     spans: list[tuple[int, int]]) -> list[list[tuple[int, int] | None]]:
    """Blend each multi-sentence response's best sentence score into ``scores`` (n, k), in
    place (see ``SENTENCE_SHARE``); return, per response and code, that sentence's span.
    ``owner`` and ``spans`` give each sentence's response and character span."""
    if not owner:
        return [[None] * scores.shape[1] for _ in range(len(scores))]
    top, best = _top_sentences(scores, part_scores, owner, spans)
    several = sorted(set(owner))
    scores[several] = (1 - SENTENCE_SHARE) * scores[several] + SENTENCE_SHARE * top[several]
    return best


def _top_sentences(scores: np.ndarray, part_scores: np.ndarray, owner: list[int],
                   spans: list[tuple[int, int]]
                   ) -> tuple[np.ndarray, list[list[tuple[int, int] | None]]]:
    """Per response and code (the shape of ``scores``), its best sentence's score (-inf: one
    sentence) and that sentence's span (None: one sentence)."""
    import numpy as np

    best: list[list[tuple[int, int] | None]] = [[None] * scores.shape[1] for _ in range(len(scores))]
    top = np.full_like(scores, -np.inf)
    # Sentences grouped by response (a stable sort keeps their order); per group and code the
    # highest score and the first sentence that reaches it, all at once.
    order = np.argsort(np.asarray(owner), kind="stable")
    grouped = np.asarray(owner)[order]
    firsts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    responses = grouped[firsts]
    ordered = part_scores[order]
    highest = np.maximum.reduceat(ordered, firsts, axis=0)
    reached = ordered == np.repeat(highest, np.diff(np.r_[firsts, len(order)]), axis=0)
    first = np.minimum.reduceat(np.where(reached, np.arange(len(order))[:, None], len(order)),
                                firsts, axis=0)
    top[responses] = highest
    for i, chosen in zip(responses.tolist(), order[first].tolist(), strict=True):
        best[i] = [spans[j] for j in chosen]
    return top, best


@functools.lru_cache(maxsize=8)
def shared_prior(codebook: Codebook) -> CodebookPrior:
    """One prior per codebook per process: it is pure, and its typo cache is worth keeping."""
    from codewell.suggest.prior import CodebookPrior

    return CodebookPrior(codebook)
