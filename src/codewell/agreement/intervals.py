"""Bootstrap confidence intervals: resample units with replacement, read off percentiles.

Units, not values, are resampled (Krippendorff 2011; Hayes & Krippendorff 2007 resample the
coincidences, which assumes independent pairs; units keep each unit's values together). The
percentile interval of ``n_boot`` replicates is reported; replicates where the coefficient is
undefined (e.g. a resample in which every value is one category) are left out, and the interval
is (NaN, NaN) when no replicate is defined. A fixed ``seed`` makes the interval reproducible.

Every estimator is a tally plus a finish function, so a replicate is one sparse product of unit
weights with the tally: all replicates of all coefficients share one set of resampled units.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from codewell.agreement._estimate import Estimator

_CELLS_PER_BATCH = 20_000_000


def replicate_weights(n_units: int, n_boot: int, seed: int,
                      width: int = 0) -> Iterator[np.ndarray]:
    """Batches of unit weights, each of shape (n_units, batch): column r counts how often each
    unit was drawn in replicate r, a resample of n_units units with replacement. Total over
    batches: n_boot columns. Batches keep (max(n_units, width), batch) near 20 million cells."""
    rng = np.random.default_rng(seed)
    batch = max(1, min(n_boot, _CELLS_PER_BATCH // max(n_units, width, 1)))
    done = 0
    while done < n_boot:
        size = min(batch, n_boot - done)
        weights = np.empty((size, n_units))
        for row in range(size):
            weights[row] = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units)
        yield np.ascontiguousarray(weights.T)
        done += size


def bootstrap_intervals(estimators: Sequence[Estimator], *, n_boot: int = 1000, seed: int = 0,
                        confidence: float = 0.95) -> list[tuple[float, float]]:
    """Percentile intervals, one per estimator; all estimators must share the same units."""
    if not estimators:
        return []
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence: expected a share in (0, 1), got {confidence!r}")
    if n_boot < 1:
        raise ValueError(f"n_boot: expected a positive number, got {n_boot!r}")
    n_units = estimators[0].tally.n_units
    if any(e.tally.n_units != n_units for e in estimators):
        raise ValueError("estimators: all must be tallied over the same units")
    replicates: list[list[np.ndarray]] = [[] for _ in estimators]
    width = max(e.tally.n_stats for e in estimators)
    for weights in replicate_weights(n_units, n_boot, seed, width):
        totals: dict[int, np.ndarray] = {}
        for store, estimator in zip(replicates, estimators):
            key = id(estimator.tally)
            if key not in totals:
                totals[key] = estimator.tally.totals(weights)
            with np.errstate(divide="ignore", invalid="ignore"):
                store.append(estimator.finish(totals[key]))
    return [percentile_interval(np.concatenate(r), confidence) for r in replicates]


def percentile_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """(low, high) percentiles of the defined values (shape (n,)); NaNs are ignored."""
    defined = values[~np.isnan(values)]
    if len(defined) == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(defined, [tail, 100.0 - tail])
    return (float(low), float(high))
