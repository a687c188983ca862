"""Honest evaluation: train/test, K-fold cross-validation, and the learning curve a coder lives.

Scores per code are precision, recall, F1, support and Cohen's kappa against the gold labels;
overall, macro-F1 (mean over codes) and micro-F1 (pooled). The codebook-only cold start is scored
on the same responses, so every report shows what training added.

``simulate`` replays gold labels as a coder would: a new study (codebook only), responses in the
tool's chosen order, retraining on the schedule of :func:`retrain_due`, and for each response the
suggestions shown *before* its decision are scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from codewell.values import Codebook, ReferenceSet
from codewell.suggest.labelled import LabelledData
from codewell.suggest.model import TENTATIVE_SHARE, FittedModel, fit_model
from codewell.suggest.ordering import Order, order_responses

if TYPE_CHECKING:
    import numpy as np

WINDOW = 20


def score(gold: np.ndarray, predicted: np.ndarray, codes: Sequence[str]) -> dict[str, Any]:
    """Per-code and overall scores of 0/1 predictions (n, k) against 0/1 gold (n, k).

    A score with a zero denominator (no positives predicted, none in the gold, or kappa when both
    raters are constant) is NaN, never a fabricated 0 or 1.
    """
    import numpy as np

    gold, predicted = gold.astype(bool), predicted.astype(bool)
    true_pos = (gold & predicted).sum(axis=0)
    per_code = {}
    for c, code in enumerate(codes):
        per_code[code] = {
            "precision": _ratio(true_pos[c], predicted[:, c].sum()),
            "recall": _ratio(true_pos[c], gold[:, c].sum()),
            "f1": _ratio(2 * true_pos[c], predicted[:, c].sum() + gold[:, c].sum()),
            "kappa": kappa(gold[:, c], predicted[:, c]),
            "support": int(gold[:, c].sum()),
        }
    f1s = [v["f1"] for v in per_code.values()]
    return {
        "codes": per_code,
        "macro_f1": float(np.nanmean(f1s)) if not all(np.isnan(f1s)) else float("nan"),
        "micro_f1": _ratio(2 * true_pos.sum(), predicted.sum() + gold.sum()),
        "exact_share": float((gold == predicted).all(axis=1).mean()) if len(gold) else float("nan"),
    }


def kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two 0/1 raters (n,); NaN when chance agreement is 1 (both constant)."""
    import numpy as np

    n = len(a)
    if n == 0:
        return float("nan")
    observed = float((a == b).mean())
    pa, pb = float(np.mean(a)), float(np.mean(b))
    expected = pa * pb + (1 - pa) * (1 - pb)
    return float("nan") if expected >= 1.0 else (observed - expected) / (1.0 - expected)


def restrict(codebook: Codebook, codes: Sequence[str]) -> Codebook:
    """The codebook with only ``codes`` (what a labelled file labels), in codebook order."""
    from dataclasses import replace

    kept = tuple(code for code in codebook.codes if code.id in set(codes))
    return replace(codebook, codes=kept)


def predict(model: FittedModel, texts: Sequence[str]) -> np.ndarray:
    """0/1 predictions (n, k) at the model's own thresholds."""
    probabilities, thresholds = model.probabilities(texts)
    return (probabilities >= thresholds) & (probabilities > 0)


def train_test(codebook: Codebook, train: LabelledData, test: LabelledData,
               seed: int = 0) -> dict[str, Any]:
    """Train on ``train``, score on ``test``; codes are those both files label."""
    codes = tuple(c for c in train.codes if c in test.codes)
    book = restrict(codebook, codes)
    fitted = fit_model(book, train.texts, train.label_sets(), seed=seed)
    gold = _columns(test, codes)
    probabilities, thresholds = fitted.probabilities(test.texts)
    report = score(gold, (probabilities >= thresholds) & (probabilities > 0), codes)
    report["shown"] = shown_precision(gold, probabilities, thresholds)
    report["cold_start"] = score(gold, predict(FittedModel(book), test.texts), codes)
    report.update(n_train=len(train), n_test=len(test))
    return report


def shown_precision(gold: np.ndarray, probabilities: np.ndarray, thresholds: np.ndarray
                    ) -> dict[str, float | int]:
    """How often a code the screen shows is right, pooled over codes: suggested codes (at or
    above their bar) and tentative ones (from ``TENTATIVE_SHARE`` of the bar, below it), with
    how many of each were shown. Shapes: ``gold`` and ``probabilities`` (n, k), ``thresholds``
    (k,)."""
    gold = gold.astype(bool)
    suggested = (probabilities >= thresholds) & (probabilities > 0)
    tentative = (probabilities >= TENTATIVE_SHARE * thresholds) & (probabilities > 0) & ~suggested
    return {"suggested": _ratio((gold & suggested).sum(), suggested.sum()),
            "n_suggested": int(suggested.sum()),
            "tentative": _ratio((gold & tentative).sum(), tentative.sum()),
            "n_tentative": int(tentative.sum())}


def cross_validate(codebook: Codebook, data: LabelledData, folds: int,
                   seed: int = 0) -> dict[str, Any]:
    """K-fold cross-validation: each response is predicted by a model that never saw it."""
    import numpy as np
    from sklearn.model_selection import KFold

    book = restrict(codebook, data.codes)
    predicted = np.zeros_like(data.gold, dtype=bool)
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, held in splitter.split(np.zeros(len(data))):
        fitted = fit_model(book, [data.texts[i] for i in train], data.label_sets(train), seed=seed)
        predicted[held] = predict(fitted, [data.texts[i] for i in held])
    report = score(data.gold, predicted, data.codes)
    report["cold_start"] = score(data.gold, predict(FittedModel(book), data.texts), data.codes)
    report.update(n_train=len(data), folds=folds)
    return report


def evaluate_labelled(codebook: Codebook, train: LabelledData, test: LabelledData | None, folds: int,
                      simulate_order: Order | None, seed: int,
                      train_as_reference: bool = False) -> dict[str, Any]:
    """The whole ``codewell evaluate`` job: train/test (or K-fold) scores, and the simulated coder
    when ``simulate_order`` is given (a study with ``train`` as its reference set when
    ``train_as_reference``, which needs a ``test``). Module-level and plain-data in and out, so
    it can run in a process of its own (see :func:`codewell.suggest.service.run_alone`)."""
    report = (train_test(codebook, train, test, seed) if test is not None
              else cross_validate(codebook, train, folds, seed))
    if simulate_order is not None:
        reference = train.as_reference() if train_as_reference and test is not None else None
        report["simulation"] = simulate(codebook, test or train, simulate_order, seed, reference)
    return report


def retrain_due(coded: int) -> bool:
    """Whether the tool retrains after the ``coded``-th decision: every one at first, then sparser.

    Early decisions change the model most; later a retrain costs more and moves it less.
    """
    if coded <= 50:
        return True
    return coded % 5 == 0 if coded <= 200 else coded % 20 == 0


def simulate(codebook: Codebook, data: LabelledData, order: Order = "uncertain",
             seed: int = 0, reference: ReferenceSet | None = None) -> dict[str, Any]:
    """Replay ``data``'s gold labels as a coder starting a new study (with ``reference`` as its
    reference set, or from the codebook alone); the learning curve.

    Returns ``{"order", "curve": [{"coded", "f1_last20", "exact_share_last20"}, ...],
    "after_30": {...}}`` where entry ``coded = n`` scores the suggestions shown for the last 20
    (or fewer) of the first ``n`` responses, each made before that response was coded.
    """
    import numpy as np

    book = restrict(codebook, data.codes)
    model = fit_model(book, [], [], reference=reference)
    remaining = list(range(len(data)))
    if order == "random":
        remaining = [remaining[i] for i in order_responses(model, data.texts, "random", seed)]
    shown_order: list[int] = []
    shown = np.zeros_like(data.gold, dtype=bool)
    stale = True
    ranked: list[int] = []
    while remaining:
        if order == "uncertain":
            if stale:
                texts = [data.texts[i] for i in remaining]
                ranked = [remaining[i] for i in order_responses(model, texts, "uncertain",
                                                                seed + len(shown_order))]
            left = set(remaining)
            pick = next(i for i in ranked if i in left)
        else:
            pick = remaining[0]
        remaining.remove(pick)
        shown[len(shown_order)] = predict(model, [data.texts[pick]])[0]
        shown_order.append(pick)
        stale = retrain_due(len(shown_order))
        if stale and remaining:
            model = fit_model(book, [data.texts[i] for i in shown_order],
                              data.label_sets(shown_order), reference=reference, seed=seed)
    gold = data.gold[shown_order].astype(bool)
    return {"order": order, "reference": None if reference is None else reference.source,
            "curve": _curve(gold, shown, data.codes),
            "after_30": _after(gold, shown, data.codes, 30)}


def _curve(gold: np.ndarray, shown: np.ndarray, codes: Sequence[str]) -> list[dict[str, Any]]:
    curve = []
    for coded in range(1, len(gold) + 1):
        window = slice(max(0, coded - WINDOW), coded)
        scored = score(gold[window], shown[window], codes)
        curve.append({"coded": coded, "f1_last20": scored["micro_f1"],
                      "exact_share_last20": scored["exact_share"]})
    return curve


def _after(gold: np.ndarray, shown: np.ndarray, codes: Sequence[str], start: int) -> dict[str, Any]:
    """How suggestions fared once ``start`` responses were coded: the next 20, and all the rest."""
    nxt, rest = slice(start, start + WINDOW), slice(start, None)
    return {
        "exact_share_next20": score(gold[nxt], shown[nxt], codes)["exact_share"],
        "exact_share_rest": score(gold[rest], shown[rest], codes)["exact_share"],
        "micro_f1_rest": score(gold[rest], shown[rest], codes)["micro_f1"],
        "macro_f1_rest": score(gold[rest], shown[rest], codes)["macro_f1"],
    }


def _columns(data: LabelledData, codes: Sequence[str]) -> np.ndarray:
    return data.gold[:, [data.codes.index(c) for c in codes]]


def _ratio(top: float, bottom: float) -> float:
    return float(top) / float(bottom) if bottom else float("nan")
