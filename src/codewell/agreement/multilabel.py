"""Agreement on multi-label coding: per code (applied / not applied) and overall.

Input is coder -> response id -> the set of codes that coder applied, already restricted by the
caller to responses every coder marked done. Per code, each response is a unit with a binary
value per coder, and every coefficient of :mod:`~codewell.agreement.kappa` and nominal alpha is
computed with q = 2 categories (the scheme is binary even where one side is never used).

Overall figures:

* ``krippendorff_alpha``: nominal alpha over all response x code pairs;
* ``masi_alpha``: alpha over responses with each coder's code set as the value, MASI distance;
* ``mean_kappa``: mean of the per-code kappas (Cohen with two coders, Fleiss with more),
  undefined codes left out;
* ``pooled_kappa``: De Vries et al. (2008), (mean p_o - mean p_e) / (1 - mean p_e) over codes,
  which stays defined when a rare code makes one per-code kappa 0/0;
* ``percent_agreement``: over all response x code pairs.

Confidence intervals resample *responses* (the sampled units), for per-code and overall figures
alike, so codes applied to the same response stay together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from codewell.agreement._data import Ratings, as_ratings
from codewell.agreement._estimate import Coefficient, Estimator, join, regroup
from codewell.agreement.alpha import MasiVariant, alpha_estimator
from codewell.agreement.intervals import bootstrap_intervals
from codewell.agreement.kappa import (
    ONE_CATEGORY,
    agreement_tally,
    brennan_prediger_estimator,
    chance_corrected,
    cohen_kappa_estimator,
    cohen_parts,
    fleiss_kappa_estimator,
    fleiss_parts,
    gwet_ac1_estimator,
    pair_tally,
    percent_agreement_estimator,
    scott_pi_estimator,
)
from codewell.agreement.long import number
from codewell.agreement.reading import reading
from codewell.errors import AgreementError

PER_CODE = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "scott_pi", "krippendorff_alpha",
            "gwet_ac1", "brennan_prediger")
OVERALL = ("krippendorff_alpha", "masi_alpha", "mean_kappa", "pooled_kappa", "percent_agreement")
_BINARY = np.array([False, True])


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code. ``table`` (two coders only) is [[both, a_only], [b_only, neither]];
    ``prevalence`` is the share of (response, coder) decisions that applied the code."""

    code: str
    n: int
    prevalence: float
    coefficients: Mapping[str, Coefficient | None]
    table: tuple[tuple[int, int], tuple[int, int]] | None
    intervals: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n, "prevalence": self.prevalence}
        out.update(_numbers(self.coefficients, self.intervals))
        if self.table is not None:
            out["table"] = [list(row) for row in self.table]
        out["reading"] = _readings(self.coefficients)
        undefined = {k: v.reason for k, v in self.coefficients.items() if v is not None and v.reason}
        if undefined:
            out["undefined"] = undefined
        return out


@dataclass(frozen=True)
class MultilabelAgreement:
    """Per-code and overall agreement of two or more coders on the same responses.

    ``applied``: bool array, shape (n_units, n_coders, n_codes), in the order of ``units``,
    ``coders`` and ``codes``.
    """

    coders: tuple[str, ...]
    units: tuple[str, ...]
    codes: tuple[str, ...]
    per_code: Mapping[str, CodeAgreement]
    overall: Mapping[str, Coefficient]
    overall_intervals: Mapping[str, tuple[float, float]]
    applied: np.ndarray = field(repr=False)
    confidence: float = 0.95

    @property
    def n_units(self) -> int:
        return len(self.units)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape: coders, n_units, codes {id: {...}}, overall {...}."""
        overall = _numbers(self.overall, self.overall_intervals)
        overall["n_units"] = self.n_units
        overall["reading"] = _readings(self.overall)
        out: dict[str, Any] = {
            "coders": list(self.coders),
            "n_units": self.n_units,
            "codes": {code: self.per_code[code].to_dict() for code in self.codes},
            "overall": overall,
        }
        if self.overall_intervals:
            out["confidence"] = self.confidence
        return out

    def disagreements(self) -> list[tuple[str, str, dict[str, bool]]]:
        """Each (response id, code, {coder: applied}) where the coders do not all agree,
        in response order, then code order."""
        split = self.applied.any(axis=1) & ~self.applied.all(axis=1)
        return [
            (self.units[u], self.codes[c],
             {coder: bool(self.applied[u, j, c]) for j, coder in enumerate(self.coders)})
            for u, c in zip(*np.nonzero(split))
        ]


def multilabel_agreement(codings: Mapping[str, Mapping[str, frozenset[str]]],
                         codes: Sequence[str], *, ci: bool = False, seed: int = 0,
                         n_boot: int = 1000, confidence: float = 0.95,
                         masi: MasiVariant = "passonneau") -> MultilabelAgreement:
    """Agreement of ``codings`` (coder -> response id -> codes applied) on ``codes``.

    ``masi`` picks the set distance of ``masi_alpha`` (see
    :func:`~codewell.agreement.alpha.masi_distance`).

    Responses present for every coder are used (in the first coder's order); codes outside
    ``codes`` are ignored. Raises AgreementError for fewer than two coders, no shared
    responses, or fewer than two shared responses.
    """
    coders = tuple(codings)
    if len(coders) < 2:
        raise AgreementError(f"agreement needs at least two coders; got {len(coders)}")
    if not codes:
        raise ValueError("codes: expected at least one code")
    shared = set.intersection(*(set(codings[c]) for c in coders))
    units = tuple(u for u in codings[coders[0]] if u in shared)
    if not units:
        raise AgreementError(f"no response was coded by all of {', '.join(coders)}",
                             "agreement needs responses every coder marked done")
    codes = tuple(codes)
    column = {code: k for k, code in enumerate(codes)}
    applied = np.zeros((len(units), len(coders), len(codes)), dtype=bool)
    for j, coder in enumerate(coders):
        for u, unit in enumerate(units):
            for code in codings[coder][unit]:
                if code in column:
                    applied[u, j, column[code]] = True
    sets = np.empty((len(units), len(coders)), dtype=object)
    for u, unit in enumerate(units):
        for j, coder in enumerate(coders):
            sets[u, j] = frozenset(codings[coder][unit]) & frozenset(codes)
    return _compute(coders, units, codes, applied, sets, ci, seed, n_boot, confidence, masi)


def model_agreement(shown: Mapping[str, frozenset[str]], decided: Mapping[str, frozenset[str]],
                    codes: Sequence[str], *, coder: str = "coder", ci: bool = False,
                    seed: int = 0, n_boot: int = 1000) -> MultilabelAgreement:
    """The model as a pseudo-coder: the suggestions shown (response id -> codes suggested)
    against the coder's decisions on the same responses."""
    return multilabel_agreement({"model": shown, coder: decided}, codes, ci=ci, seed=seed,
                                n_boot=n_boot)


def _binary(matrix: np.ndarray, coders: tuple[str, ...], units: tuple[str, ...]) -> Ratings:
    return Ratings(matrix.astype(np.int64), _BINARY, coders, units)


def _code_estimators(r: Ratings) -> dict[str, Estimator]:
    two = len(r.coders) == 2
    estimators = {
        "percent_agreement": percent_agreement_estimator(r),
        "cohen_kappa": cohen_kappa_estimator(r) if two else None,
        "fleiss_kappa": fleiss_kappa_estimator(r),
        "scott_pi": scott_pi_estimator(r) if two else None,
        "krippendorff_alpha": alpha_estimator(r, "nominal"),
        "gwet_ac1": gwet_ac1_estimator(r, 2),
        "brennan_prediger": brennan_prediger_estimator(r, 2),
    }
    return estimators


def _compute(coders, units, codes, applied, sets, ci, seed, n_boot, confidence, masi):
    n_units, n_codes = len(units), len(codes)
    two = len(coders) == 2
    per_code_ratings = [_binary(applied[:, :, c], coders, units) for c in range(n_codes)]
    per_code_est = [_code_estimators(r) for r in per_code_ratings]
    pairs = _binary(applied.transpose(0, 2, 1).reshape(n_units * n_codes, len(coders)),
                    coders, tuple(range(n_units * n_codes)))
    response_of_pair = np.repeat(np.arange(n_units), n_codes)
    overall_est = {
        "krippendorff_alpha": _regrouped(alpha_estimator(pairs, "nominal"), response_of_pair,
                                         n_units),
        "masi_alpha": _masi_estimator(sets, coders, units, masi),
        **_kappa_summaries(per_code_ratings, two),
        "percent_agreement": _regrouped(percent_agreement_estimator(pairs), response_of_pair,
                                        n_units),
    }
    named = [(c, name, e) for c, est in enumerate(per_code_est) for name, e in est.items()
             if e is not None]
    intervals: dict[tuple[int, str], tuple[float, float]] = {}
    if ci:
        everything = [e for _, _, e in named] + list(overall_est.values())
        found = bootstrap_intervals(everything, n_boot=n_boot, seed=seed, confidence=confidence)
        keys = [(c, name) for c, name, _ in named] + [(-1, name) for name in overall_est]
        intervals = dict(zip(keys, found))
    per_code = {}
    for c, code in enumerate(codes):
        values = {name: (e.estimate() if e is not None else None)
                  for name, e in per_code_est[c].items()}
        table = _two_by_two(applied[:, :, c]) if two else None
        per_code[code] = CodeAgreement(
            code, n_units, float(applied[:, :, c].mean()), values, table,
            {name: iv for (k, name), iv in intervals.items() if k == c})
    overall = {name: e.estimate() for name, e in overall_est.items()}
    overall_iv = {name: iv for (k, name), iv in intervals.items() if k == -1}
    return MultilabelAgreement(coders, units, codes, per_code, overall, overall_iv, applied,
                               confidence)


def _regrouped(e: Estimator, group: np.ndarray, n_groups: int) -> Estimator:
    """Pair-level estimator whose bootstrap resamples responses."""
    return Estimator(e.name, regroup(e.tally, group, n_groups), e.finish, e.n_units, e.nan_reason)


def _masi_estimator(sets: np.ndarray, coders, units, masi: MasiVariant) -> Estimator:
    r = as_ratings(sets, coders)
    e = alpha_estimator(Ratings(r.codes, r.categories, tuple(coders), tuple(units)), "masi",
                        masi=masi)
    return Estimator("masi_alpha", e.tally, e.finish, e.n_units, e.nan_reason)


def _kappa_summaries(ratings: list[Ratings], two: bool) -> dict[str, Estimator]:
    """Mean and pooled kappa across codes, as estimators over one joint tally."""
    if two:
        tallies = [pair_tally(r) for r in ratings]

        def parts(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return cohen_parts(t, len(_BINARY))
    else:
        tallies = [agreement_tally(r) for r in ratings]
        parts = fleiss_parts
    joint, columns = join(tallies)

    def components(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found = [parts(totals[:, cols]) for cols in columns]
        return np.stack([p for p, _ in found], axis=1), np.stack([e for _, e in found], axis=1)

    def mean(totals: np.ndarray) -> np.ndarray:
        p_o, p_e = components(totals)
        kappas = chance_corrected(p_o, p_e)
        defined = ~np.isnan(kappas)
        return np.where(defined, kappas, 0.0).sum(axis=1) / defined.sum(axis=1)

    def pooled(totals: np.ndarray) -> np.ndarray:
        p_o, p_e = components(totals)
        p_o, p_e = p_o.mean(axis=1), p_e.mean(axis=1)
        return chance_corrected(p_o, p_e)

    n = len(ratings[0].units)
    reason = "no code has a defined kappa: " + ONE_CATEGORY
    return {"mean_kappa": Estimator("mean_kappa", joint, mean, n, reason),
            "pooled_kappa": Estimator("pooled_kappa", joint, pooled, n, reason)}


def _two_by_two(matrix: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]]:
    a, b = matrix[:, 0], matrix[:, 1]
    return ((int((a & b).sum()), int((a & ~b).sum())), (int((~a & b).sum()), int((~a & ~b).sum())))


def _numbers(values: Mapping[str, Coefficient | None],
             intervals: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        out[name] = number(value)
        if name in intervals:
            out[f"{name}_ci"] = [number(v) for v in intervals[name]]
    return out


def _readings(values: Mapping[str, Coefficient | None]) -> dict[str, str]:
    return {k: reading(k, v) for k, v in values.items() if v is not None and reading(k, v)}
