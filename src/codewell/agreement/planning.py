"""How many responses an agreement figure needs, and whether the one at hand has enough.

Two pure jobs, both about the sample rather than the coefficient:

* :func:`minimum_units` plans a reliability sample the way Krippendorff (2004, *Content
  Analysis*, 2nd ed., section 11.4.4; 2019, 4th ed.) does after Bloch and Kraemer (1989, eq. 3.7):
  the smallest category's probability ``p`` drives the number of units needed for alpha to be
  distinguishable from ``alpha_min`` at significance ``level``::

      N = m * z**2 * ((1 + a)(3 - a) / (4 (1 - a) p (1 - p)) - a),   z one-tailed at ``level``

  with ``m`` coders (Krippendorff's table is for two). For a binary code ``p`` is the smaller of
  its prevalence and one minus it.
* :func:`overlap_warnings` reads a computed :class:`~.multilabel.MultilabelAgreement` and says,
  in words a researcher can put in a methods section, where it rests on too little;
  :func:`table_warnings` does the same for a table read from a codings file.

>>> minimum_units(0.25, alpha_min=0.8, level=0.05)   # Krippendorff's table: 139
139
>>> minimum_units(0.25, alpha_min=0.667, level=0.05)  # and 81
81
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codewell.agreement.long import TableAgreement
    from codewell.agreement.multilabel import MultilabelAgreement

MIN_OVERLAP = 30
MAX_HALF_WIDTH = 0.15
MIN_POSITIVES = 5
#: A prevalence this close to 0 or 1 asks for more units than any survey has; planning stops here.
PREVALENCE_FLOOR = 0.01


def minimum_units(prevalence: float, *, alpha_min: float = 0.8, level: float = 0.05,
                  coders: int = 2) -> int:
    """Units needed so that alpha can be told apart from ``alpha_min`` (see the module text).

    ``prevalence``: the share of units in the code's smaller category, or of units with the
    code; either way the smaller of it and its complement is used, floored at 1%.
    """
    if not 0.0 < alpha_min < 1.0:
        raise ValueError(f"alpha_min must be between 0 and 1, not {alpha_min}")
    if not 0.0 < level < 0.5:
        raise ValueError(f"level must be between 0 and 0.5, not {level}")
    if not 0.0 <= prevalence <= 1.0:
        raise ValueError(f"prevalence must be within [0, 1], not {prevalence}")
    if coders < 2:
        raise ValueError(f"coders must be at least 2, not {coders}")
    p = max(min(prevalence, 1.0 - prevalence), PREVALENCE_FLOOR)
    z = NormalDist().inv_cdf(1.0 - level)
    a = alpha_min
    core = (1 + a) * (3 - a) / (4 * (1 - a) * p * (1 - p)) - a
    return math.ceil(round(coders * z * z * core, 6))


@dataclass(frozen=True)
class CodePlan:
    """The recommendation for one code: ``units`` needed, and the prevalence and why."""

    code: str
    prevalence: float
    units: int
    reason: str


def plan_sample(prevalences: Mapping[str, tuple[float, str]], *, alpha_min: float = 0.8,
                level: float = 0.05, coders: int = 2) -> list[CodePlan]:
    """One :class:`CodePlan` per code (``code -> (prevalence, where it comes from)``), largest
    need first: the first one's ``units`` is the sample that serves every code."""
    plans = []
    for code, (prevalence, source) in prevalences.items():
        units = minimum_units(prevalence, alpha_min=alpha_min, level=level, coders=coders)
        p = max(min(prevalence, 1 - prevalence), PREVALENCE_FLOOR)
        plans.append(CodePlan(code, prevalence, units,
                              f"{source} prevalence {prevalence:.0%}, so the smaller category has "
                              f"p = {p:.2f}"))
    return sorted(plans, key=lambda plan: (-plan.units, plan.code))


def overlap_warnings(result: MultilabelAgreement, *, min_overlap: int = MIN_OVERLAP,
                     max_half_width: float = MAX_HALF_WIDTH,
                     min_positives: int = MIN_POSITIVES) -> list[str]:
    """Why a result may not be trusted as it stands: too few shared responses, an interval
    wider than ``±max_half_width``, or a code applied to too few of them.

    A positive response is one that at least one coder coded with the code: with fewer than
    ``min_positives`` of them, alpha for that code is a statement about a handful of texts.
    """
    warnings = []
    n = result.n_units
    if n < min_overlap:
        warnings.append(f"agreement rests on {n} response{'s' if n != 1 else ''} that every coder "
                        f"finished; at least {min_overlap} are needed before it means much")
    for c, code in enumerate(result.codes):
        item = result.per_code[code]
        interval = item.intervals.get("krippendorff_alpha")
        if interval is not None and all(math.isfinite(v) for v in interval):
            half = (interval[1] - interval[0]) / 2
            if half > max_half_width:
                warnings.append(f"alpha for {code} has a confidence interval of ±{half:.2f}, "
                                f"wider than ±{max_half_width:.2f}")
        positives = int(result.applied[:, :, c].any(axis=1).sum())
        if positives < min_positives:
            warnings.append(f"alpha for {code} rests on {positives} positive "
                            f"response{'s' if positives != 1 else ''} (fewer than {min_positives})")
    return warnings


def table_warnings(result: TableAgreement, *, min_overlap: int = MIN_OVERLAP,
                   max_half_width: float = MAX_HALF_WIDTH) -> list[str]:
    """The same cautions for a reliability table read from a file (``agree CODINGS.csv``): too
    few units that two coders both gave a value, or an alpha interval wider than
    ``±max_half_width``."""
    warnings = []
    n = result.n_units
    if n < min_overlap:
        warnings.append(f"agreement rests on {n} unit{'s' if n != 1 else ''} coded by two or more "
                        f"coders; at least {min_overlap} are needed before it means much")
    interval = result.intervals.get("krippendorff_alpha")
    if interval is not None and all(math.isfinite(v) for v in interval):
        half = (interval[1] - interval[0]) / 2
        if half > max_half_width:
            warnings.append(f"alpha has a confidence interval of ±{half:.2f}, wider than ±{max_half_width:.2f}")
    return warnings
