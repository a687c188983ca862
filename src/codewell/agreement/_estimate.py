"""What a coefficient function returns, and the recipe it is computed from.

A :class:`Coefficient` is a float (so it compares, rounds and formats like one) that also carries
the number of units it rests on and, when the value is NaN, the reason. Degenerate data such as
"every coder always chose the same category" has no defined kappa or alpha (0/0); we return NaN
with a reason rather than raise, because the data is valid, just uninformative.

An :class:`Estimator` is a :class:`~codewell.agreement._data.Tally` plus a ``finish`` function
from tally totals to values; the point estimate and every bootstrap replicate go through it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from codewell.agreement._data import Tally


class Coefficient(float):
    """A coefficient value in [-1, 1] (agreement shares in [0, 1]) with its provenance.

    ``name``: machine name (``"cohen_kappa"``); ``n_units``: units the value rests on;
    ``reason``: why the value is NaN, else None.
    """

    name: str
    n_units: int
    reason: str | None

    def __new__(cls, value: float, name: str, n_units: int,
                reason: str | None = None) -> Coefficient:
        self = super().__new__(cls, value)
        self.name = name
        self.n_units = n_units
        self.reason = reason if math.isnan(value) else None
        return self

    def __reduce__(self):  # keep name, n and reason through pickling/copying
        return (Coefficient, (float(self), self.name, self.n_units, self.reason))

    @property
    def defined(self) -> bool:
        return not math.isnan(self)


Finish = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class Estimator:
    """How to compute one coefficient: ``finish`` maps totals (n_replicates, n_stats) of
    ``tally`` to values (n_replicates,). ``nan_reason`` explains a NaN result."""

    name: str
    tally: Tally
    finish: Finish
    n_units: int
    nan_reason: str

    def estimate(self) -> Coefficient:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = float(self.finish(self.tally.total())[0])
        return Coefficient(value, self.name, self.n_units, self.nan_reason)


def join(tallies: Sequence[Tally]) -> tuple[Tally, list[slice]]:
    """Put tallies over the same units side by side; returns the joint tally and each one's
    column slice, so a finish function can combine several coefficients (pooled kappa)."""
    offsets = np.cumsum([0, *[t.n_stats for t in tallies]])
    parts = tuple((select, col + int(off), val)
                  for t, off in zip(tallies, offsets) for select, col, val in t.parts)
    joint = Tally(parts, tallies[0].n_units, int(offsets[-1]))
    return joint, [slice(int(a), int(b)) for a, b in zip(offsets[:-1], offsets[1:])]


def regroup(t: Tally, group_of_unit: np.ndarray, n_groups: int) -> Tally:
    """The same tally with units merged into groups (shape of ``group_of_unit``: (t.n_units,)).

    Totals are unchanged; a bootstrap then resamples groups. Used when the units of a
    coefficient (response x code pairs) are nested in the units that were sampled (responses).
    """
    rows, cols, vals = t.triplets()
    return Tally(((group_of_unit[rows], cols, vals),), n_groups, t.n_stats)
