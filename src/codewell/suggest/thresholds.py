"""Calibration, per-code decision thresholds and the prior's share, all learnt from out-of-fold scores.

A regression score ranks well but is not a probability, and the best cut differs per code (a rare
code wants a lower bar); how far to trust the codebook prior against the model differs too. All
three are chosen on scores the model produced for responses it was not trained on (leave-one-out
or cross-validation), never on its own training fit. With too few positives to learn them, the
safe defaults stand: the raw sigmoid, a cut at 0.5 and the prior's scheduled share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

DEFAULT_THRESHOLD = 0.5
# Below this many positives (or negatives) a per-code threshold would be tuned on noise.
MIN_FOR_THRESHOLD = 6
# Below this many positives (or negatives) Platt scaling is not fitted.
MIN_FOR_CALIBRATION = 4
# Thresholds are searched on a grid and pulled toward 0.5, so one lucky response cannot move them far.
_GRID_STEP = 0.025
_SHRINK_POSITIVES = 10.0
# How many responses of a code's rarer class make the held-out blend weight count half.
_SHRINK_BLEND = 5.0


@dataclass(frozen=True)
class Calibration:
    """``p = sigmoid(slope * score + offset)``: Platt scaling of a decision score."""

    slope: float = 1.0
    offset: float = 0.0

    def apply(self, scores: np.ndarray) -> np.ndarray:
        import numpy as np

        return 1.0 / (1.0 + np.exp(-(self.slope * scores + self.offset)))


def fit_calibration(scores: np.ndarray, gold: np.ndarray) -> Calibration:
    """Platt scaling of out-of-fold decision scores (shape (n,)) against 0/1 gold (shape (n,)).

    Newton's method on the two parameters, with Platt's smoothed targets (so perfectly separated
    scores still give a finite slope); a handful of iterations on a 2 x 2 system.
    """
    import numpy as np

    positives = int(gold.sum())
    negatives = len(gold) - positives
    if min(positives, negatives) < MIN_FOR_CALIBRATION:
        return Calibration()
    target = np.where(gold == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    design = np.column_stack([scores, np.ones_like(scores)])
    params = np.array([1.0, 0.0])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(design @ params)))
        gradient = design.T @ (p - target)
        hessian = (design * (p * (1 - p))[:, None]).T @ design + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        params -= step
        if np.abs(step).max() < 1e-8:
            break
    slope, offset = float(params[0]), float(params[1])
    if not (np.isfinite(slope) and np.isfinite(offset)) or slope <= 0:
        return Calibration()
    return Calibration(slope=slope, offset=offset)


def choose_threshold(probabilities: np.ndarray, gold: np.ndarray) -> float:
    """The kappa-best cut on out-of-fold probabilities (shape (n,)), shrunk toward 0.5.

    Cohen's kappa, not F1, is maximised: F1 ignores true negatives, so its best cut buys recall
    with false positives, which costs agreement with a second expert and the share of responses
    whose suggestions are exactly right. Across writers the kappa cut kept macro-F1 and raised
    kappa and the exact share. The shrinkage weight is positives / (positives + 10): with 10
    positives the cut moves half way from 0.5 to the best point, with 90 nine tenths of the way.
    """
    import numpy as np

    n, positives = len(gold), int(gold.sum())
    if min(positives, n - positives) < MIN_FOR_THRESHOLD:
        return DEFAULT_THRESHOLD
    grid = np.arange(0.1, 0.9 + 1e-9, _GRID_STEP)
    predicted = probabilities[None, :] >= grid[:, None]
    true_pos = (predicted & (gold[None, :] == 1)).sum(axis=1)
    flagged = predicted.sum(axis=1)
    observed = (n - flagged - positives + 2 * true_pos) / n
    chance = (flagged * positives + (n - flagged) * (n - positives)) / n**2
    agreement = (observed - chance) / np.maximum(1.0 - chance, 1e-9)
    smooth = np.convolve(agreement, np.ones(3) / 3, mode="same")
    smooth[0], smooth[-1] = agreement[0], agreement[-1]
    best = float(grid[int(np.argmax(smooth))])
    weight = positives / (positives + _SHRINK_POSITIVES)
    return weight * best + (1 - weight) * DEFAULT_THRESHOLD


def choose_blend(prior: np.ndarray, model: np.ndarray, gold: np.ndarray, default: float) -> float:
    """The prior's weight in ``w * prior + (1 - w) * model`` for one code, chosen on held-out rows.

    ``prior`` and ``model`` are probabilities (n,) the prior and the model gave responses neither
    was trained on (the prior never trains; the model's are leave-one-out), ``gold`` is 0/1 (n,).
    A fixed schedule cannot know whether this study's codebook or its first coded responses say
    more: sometimes the codebook keeps beating a model of forty responses, sometimes it is wrong
    from the start. The weight with the least log-loss is taken, pulled toward ``default`` (the
    schedule) by how few responses of the rarer class back it, so ten lucky rows cannot overturn it.
    """
    import numpy as np

    rarer = int(min(gold.sum(), len(gold) - gold.sum()))
    if rarer < MIN_FOR_CALIBRATION:
        return default
    grid = np.linspace(0.0, 1.0, 11)
    blended = np.clip(grid[:, None] * prior[None, :] + (1 - grid[:, None]) * model[None, :],
                      1e-4, 1 - 1e-4)
    loss = -(gold * np.log(blended) + (1 - gold) * np.log(1 - blended)).mean(axis=1)
    trust = rarer / (rarer + _SHRINK_BLEND)
    return float(trust * grid[int(np.argmin(loss))] + (1 - trust) * default)
