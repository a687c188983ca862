"""The order responses are shown in: as in the file, seeded random, or "uncertain first".

Uncertainty sampling shows the coder the responses the model learns most from: those whose
probabilities sit closest to their codes' thresholds. Pure uncertainty keeps picking near-copies
of the same odd response, so the order is drawn with some randomness (a Gumbel-perturbed ranking,
i.e. sampling without replacement in proportion to ``exp(uncertainty / temperature)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

    from codewell.suggest.model import FittedModel

Order = Literal["file", "uncertain", "random"]
ORDERS: tuple[str, ...] = ("file", "uncertain", "random")
# How much randomness "uncertain" mixes in (on the 0..1 uncertainty scale).
TEMPERATURE = 0.1


def order_responses(model: FittedModel, texts: Sequence[str], mode: Order,
                    seed: int = 0) -> list[int]:
    """Indices into ``texts`` in the order to show them. Blank texts go last in "uncertain".

    ``model`` is read once, as one value: the order comes from a single model."""
    import numpy as np

    if mode not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {mode!r}")
    n = len(texts)
    if mode == "file" or n == 0:
        return list(range(n))
    rng = np.random.default_rng(seed)
    if mode == "random":
        return [int(i) for i in rng.permutation(n)]
    probabilities, thresholds = model.probabilities(texts)
    score = uncertainty(probabilities, thresholds)
    score[[not t.strip() for t in texts]] = -np.inf
    keys = score / TEMPERATURE + rng.gumbel(size=n)
    return [int(i) for i in np.argsort(-keys, kind="stable")]


def uncertainty(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per response (n,), 1 when some code sits exactly on its threshold, 0 when all are sure.

    Distance to the threshold is measured on the side the probability lies, scaled so 0 and 1 are
    both "sure" whatever the threshold.
    """
    import numpy as np

    above = probabilities >= thresholds
    room = np.where(above, 1.0 - thresholds, thresholds)
    margin = np.abs(probabilities - thresholds) / np.maximum(room, 1e-9)
    return 1.0 - margin.min(axis=1)
