"""The conventional verbal reading of a coefficient, so a table can say what a value means.

Kappa-type coefficients (Cohen, Scott, Fleiss, Gwet's AC1, Brennan-Prediger) use Landis & Koch's
(1977) bands. Krippendorff's alpha uses Krippendorff's (2004) thresholds: alpha >= 0.800 is
reliable, 0.667 <= alpha < 0.800 allows tentative conclusions only, below 0.667 the data should
not be relied on. Percent agreement has no accepted bands (it ignores chance), so it reads as "".

These are conventions, not tests: a reading always travels with the number of units it rests on
(see :func:`describe`), because 0.8 on 12 units is a much weaker claim than on 1,200.
"""

from __future__ import annotations

import math

LANDIS_KOCH = ((0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"),
               (0.80, "substantial"), (1.0, "almost perfect"))
KAPPA_LIKE = ("cohen_kappa", "cohen_kappa_linear", "cohen_kappa_quadratic", "scott_pi",
              "fleiss_kappa", "gwet_ac1", "brennan_prediger", "mean_kappa", "pooled_kappa")
ALPHA_LIKE = ("krippendorff_alpha", "masi_alpha")


def reading(name: str, value: float) -> str:
    """The band for coefficient ``name`` at ``value``; "" when no convention applies or NaN."""
    if value is None or math.isnan(value):
        return ""
    if name in ALPHA_LIKE:
        if value >= 0.800:
            return "reliable (alpha >= 0.800)"
        if value >= 0.667:
            return "tentative (0.667 <= alpha < 0.800)"
        return "unreliable (alpha < 0.667)"
    if name in KAPPA_LIKE:
        if value < 0.0:
            return "poor (Landis & Koch)"
        for upper, band in LANDIS_KOCH[1:]:
            if value <= upper:
                return f"{band} (Landis & Koch)"
        return "almost perfect (Landis & Koch)"
    return ""


def describe(name: str, value: float, n_units: int) -> str:
    """Reading plus the evidence behind it, e.g. "substantial (Landis & Koch), 121 units"."""
    band = reading(name, value)
    units = f"{n_units} unit{'s' if n_units != 1 else ''}"
    return f"{band}, {units}" if band else units
