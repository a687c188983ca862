"""Every applicable coefficient for one long-format table (one row per unit, coder and value).

This is the CSV form of ``codewell agree``: any reliability data, not only a codewell project.
Which coefficients apply: percent agreement, Fleiss' kappa, Krippendorff's alpha (at the chosen
level), Gwet's AC1 and Brennan-Prediger always; Cohen's kappa and Scott's pi with exactly two
coders, plus linear and quadratic weighted kappa when the level is ordered (not nominal).
A coefficient that does not apply is None, never a stand-in number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from codewell.agreement._data import Ratings, ratings_from_long
from codewell.agreement._estimate import Coefficient, Estimator
from codewell.agreement.alpha import alpha_estimator
from codewell.agreement.intervals import bootstrap_intervals
from codewell.agreement.kappa import (
    brennan_prediger_estimator,
    cohen_kappa_estimator,
    fleiss_kappa_estimator,
    gwet_ac1_estimator,
    percent_agreement_estimator,
    scott_pi_estimator,
)
from codewell.agreement.reading import reading

TABLE_LEVELS = ("nominal", "ordinal", "interval", "ratio")
COEFFICIENTS = ("percent_agreement", "cohen_kappa", "cohen_kappa_linear", "cohen_kappa_quadratic",
                "scott_pi", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "brennan_prediger")


@dataclass(frozen=True)
class TableAgreement:
    """Coefficients of one reliability table. ``coefficients`` maps a name from COEFFICIENTS to
    its value, or None where it does not apply; ``intervals`` holds (low, high) when asked."""

    level: str
    coders: tuple[str, ...]
    n_units: int
    n_units_total: int
    coefficients: Mapping[str, Coefficient | None]
    intervals: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    confidence: float = 0.95
    percent_method: str = "pairwise"
    n_categories: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape: level, n_units, n_coders, coefficients (+ ``<name>_ci``),
        plus ``n`` (units per coefficient), ``reading``, ``undefined`` (reasons for NaN)
        and ``definitions`` (which variant was computed where the literature differs)."""
        coefficients: dict[str, Any] = {}
        for name, value in self.coefficients.items():
            coefficients[name] = number(value)
            if name in self.intervals:
                coefficients[f"{name}_ci"] = [number(v) for v in self.intervals[name]]
        return {
            "level": self.level,
            "n_units": self.n_units,
            "n_units_total": self.n_units_total,
            "n_coders": len(self.coders),
            "coders": list(self.coders),
            "coefficients": coefficients,
            "n": {k: v.n_units for k, v in self.coefficients.items() if v is not None},
            "reading": {k: reading(k, v) for k, v in self.coefficients.items()
                        if v is not None and reading(k, v)},
            "undefined": {k: v.reason for k, v in self.coefficients.items()
                          if v is not None and v.reason},
            "definitions": {"percent_agreement": self.percent_method,
                            "n_categories": self.n_categories},
            **({"confidence": self.confidence} if self.intervals else {}),
        }


def number(value: float | None) -> float | None:
    """JSON has no NaN: undefined values become null."""
    return None if value is None or math.isnan(value) else float(value)


def long_table_agreement(data: Any, unit: str = "unit", coder: str = "coder",
                         value: str = "value", *, level: str = "nominal", ci: bool = False,
                         seed: int = 0, n_boot: int = 1000, confidence: float = 0.95,
                         percent: str = "pairwise",
                         n_categories: int | None = None) -> TableAgreement:
    """Coefficients of long-format data: a DataFrame (columns ``unit``, ``coder``, ``value``) or
    a mapping of those names to equal-length sequences. ``percent`` and ``n_categories`` choose
    between competing definitions (see :mod:`codewell.agreement.kappa`)."""
    if level not in TABLE_LEVELS:
        raise ValueError(f"level: expected one of {', '.join(TABLE_LEVELS)}, got {level!r}")
    ratings = ratings_from_long(data[unit], data[coder], data[value])
    return table_agreement(ratings, level=level, ci=ci, seed=seed, n_boot=n_boot,
                           confidence=confidence, percent=percent, n_categories=n_categories)


def table_agreement(ratings: Ratings, *, level: str = "nominal", ci: bool = False, seed: int = 0,
                    n_boot: int = 1000, confidence: float = 0.95, percent: str = "pairwise",
                    n_categories: int | None = None) -> TableAgreement:
    """Like :func:`long_table_agreement`, for data already encoded as :class:`Ratings`."""
    estimators: dict[str, Estimator] = {
        "percent_agreement": percent_agreement_estimator(ratings, percent),
    }
    two = len(ratings.coders) == 2
    if two:
        estimators["cohen_kappa"] = cohen_kappa_estimator(ratings)
        if level != "nominal":
            estimators["cohen_kappa_linear"] = cohen_kappa_estimator(ratings, "linear")
            estimators["cohen_kappa_quadratic"] = cohen_kappa_estimator(ratings, "quadratic")
        estimators["scott_pi"] = scott_pi_estimator(ratings)
    estimators["fleiss_kappa"] = fleiss_kappa_estimator(ratings)
    estimators["krippendorff_alpha"] = alpha_estimator(ratings, level)
    estimators["gwet_ac1"] = gwet_ac1_estimator(ratings, n_categories)
    estimators["brennan_prediger"] = brennan_prediger_estimator(ratings, n_categories)
    values: dict[str, Coefficient | None] = {name: None for name in COEFFICIENTS}
    values.update({name: e.estimate() for name, e in estimators.items()})
    if not two or level == "nominal":
        values.pop("cohen_kappa_linear")
        values.pop("cohen_kappa_quadratic")
    intervals: dict[str, tuple[float, float]] = {}
    if ci:
        names = list(estimators)
        found = bootstrap_intervals([estimators[n] for n in names], n_boot=n_boot, seed=seed,
                                    confidence=confidence)
        intervals = dict(zip(names, found))
    return TableAgreement(level, ratings.coders, estimators["krippendorff_alpha"].n_units,
                          len(ratings.units), values, intervals, confidence, percent,
                          n_categories or ratings.n_categories)
