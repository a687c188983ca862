"""Agreement shares and chance-corrected kappa-type coefficients on nominal categories.

All take reliability data: a units x coders table (array-like of shape (n_units, n_coders), a
DataFrame with one column per coder, or :class:`~codewell.agreement._data.Ratings`); missing
cells are None, NaN or ``""``. All return a :class:`~codewell.agreement._estimate.Coefficient`.

Definitions, where the literature has more than one:

* **Percent agreement** is a proportion in [0, 1]. With more than two coders the default is
  Fleiss's (1971) P-bar: the share of agreeing coder pairs within a unit, averaged over units
  with two or more values (``method="pairwise"``); ``method="all"`` counts a unit as agreeing
  only when all its values are identical.
* **Fleiss' kappa** (1971) with missing values uses Gwet's (2014) generalisation: observed
  agreement as P-bar over units with two or more values, category shares averaged over units
  with at least one value. With complete data it is exactly Fleiss's statistic.
* **Gwet's AC1** (2008) and **Brennan-Prediger** (1981) use the same observed agreement and
  category shares as Fleiss' kappa (so missing values are handled the same way), and q = the
  number of distinct categories in the data unless ``n_categories`` is given (the size of the
  coding scheme).
* **Cohen's kappa** (1960), weighted kappa (Cohen 1968) and **Scott's pi** (1955) are two-coder
  coefficients over the units both coded. Weights are over the ordered positions of the
  categories the two coders used (as scikit-learn computes them), not the values themselves.
"""

from __future__ import annotations

from typing import Any, Literal
from weakref import WeakKeyDictionary

import numpy as np

from codewell.agreement._data import Ratings, Tally, as_ratings, pairable, tally
from codewell.agreement._estimate import Coefficient, Estimator
from codewell.errors import AgreementError

ONE_CATEGORY = ("every value is the same category, so chance agreement is 1 and the "
                "coefficient is 0/0")
ONE_CATEGORY_Q = "q = 1 category, so chance agreement is 1 and the coefficient is 0/0"

_AGREEMENT: WeakKeyDictionary[Ratings, Tally] = WeakKeyDictionary()
_PAIR: WeakKeyDictionary[Ratings, Tally] = WeakKeyDictionary()

# Columns of the multi-coder agreement tally.
_PAIRED, _P_SUM, _IDENTICAL, _RATED, _SHARES = 0, 1, 2, 3, 4


def percent_agreement(data: Any, method: Literal["pairwise", "all"] = "pairwise") -> Coefficient:
    """Observed agreement in [0, 1] over units with two or more values (see module docstring)."""
    return percent_agreement_estimator(as_ratings(data), method).estimate()


def fleiss_kappa(data: Any) -> Coefficient:
    """Fleiss' (1971) kappa for any number of coders; missing values allowed."""
    return fleiss_kappa_estimator(as_ratings(data)).estimate()


def gwet_ac1(data: Any, n_categories: int | None = None) -> Coefficient:
    """Gwet's (2008) AC1 for any number of coders; q = ``n_categories`` or the categories seen."""
    return gwet_ac1_estimator(as_ratings(data), n_categories).estimate()


def brennan_prediger(data: Any, n_categories: int | None = None) -> Coefficient:
    """Brennan & Prediger's (1981) kappa with chance agreement 1/q."""
    return brennan_prediger_estimator(as_ratings(data), n_categories).estimate()


def cohen_kappa(data: Any, weights: Literal["linear", "quadratic"] | None = None) -> Coefficient:
    """Cohen's kappa for exactly two coders (weighted when ``weights`` is given)."""
    return cohen_kappa_estimator(as_ratings(data), weights).estimate()


def scott_pi(data: Any) -> Coefficient:
    """Scott's (1955) pi for exactly two coders."""
    return scott_pi_estimator(as_ratings(data)).estimate()


# --- multi-coder family: tally (n_units, 4 + n_categories) -------------------------------------

def agreement_tally(r: Ratings) -> Tally:
    """Cached :func:`_agreement_tally`: four coefficients share it, and so do their bootstraps."""
    if r not in _AGREEMENT:
        _AGREEMENT[r] = _agreement_tally(r)
    return _AGREEMENT[r]


def _agreement_tally(r: Ratings) -> Tally:
    """Per unit: paired (m_u >= 2), P_u (share of agreeing coder pairs), all-identical, rated
    (m_u >= 1), and n_uk / m_u for each category k (shape of the stats: (4 + n_categories,))."""
    codes, present, m = r.codes, r.present, r.values_per_unit
    agree = np.zeros(len(codes))
    for i in range(codes.shape[1]):
        for j in range(i + 1, codes.shape[1]):
            agree += (codes[:, i] == codes[:, j]) & present[:, i]
    paired = m >= 2
    share = np.divide(2.0 * agree, m * (m - 1.0), out=np.zeros(len(m)), where=paired)
    inverse_m = np.divide(1.0, m, out=np.zeros(len(m)), where=m > 0)
    parts = [
        (paired, _PAIRED, 1.0),
        (paired, _P_SUM, share),
        (paired, _IDENTICAL, (share == 1.0).astype(float)),
        (m >= 1, _RATED, 1.0),
    ]
    parts += [(present[:, j], _SHARES + codes[:, j], inverse_m) for j in range(codes.shape[1])]
    return tally(len(codes), parts, _SHARES + r.n_categories)


def observed_and_shares(totals: np.ndarray, method: str = "pairwise") -> tuple[np.ndarray, np.ndarray]:
    """(p_a (B,), pi (B, K)) from agreement-tally totals (B, 4 + K)."""
    column = _P_SUM if method == "pairwise" else _IDENTICAL
    p_a = totals[:, column] / totals[:, _PAIRED]
    pi = totals[:, _SHARES:] / totals[:, _RATED:_RATED + 1]
    return p_a, pi


def fleiss_parts(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Observed and chance agreement (each (B,)) of Fleiss' kappa."""
    p_a, pi = observed_and_shares(totals)
    return p_a, (pi ** 2).sum(axis=1)


def chance_corrected(p_a: np.ndarray, p_e: np.ndarray) -> np.ndarray:
    """(p_a - p_e) / (1 - p_e), NaN where chance agreement is 1. Sums of shares such as 3 x 1/3
    can land a hair off 1; any real 1 - p_e is at least of order 1 / n_units, far above 1e-12."""
    p_e = np.broadcast_to(p_e, np.shape(p_a))
    return np.where(1.0 - p_e > 1e-12, (p_a - p_e) / (1.0 - p_e), np.nan)


def _multi(r: Ratings, name: str, finish, reason: str = ONE_CATEGORY) -> Estimator:
    n = int(pairable(r).sum())
    return Estimator(name, agreement_tally(r), finish, n, reason)


def percent_agreement_estimator(r: Ratings, method: str = "pairwise") -> Estimator:
    if method not in ("pairwise", "all"):
        raise ValueError(f"method: expected 'pairwise' or 'all', got {method!r}")
    return _multi(r, "percent_agreement", lambda t: observed_and_shares(t, method)[0])


def fleiss_kappa_estimator(r: Ratings) -> Estimator:
    return _multi(r, "fleiss_kappa", lambda t: chance_corrected(*fleiss_parts(t)))


def _q(r: Ratings, n_categories: int | None) -> int:
    if n_categories is None:
        return r.n_categories
    if n_categories < r.n_categories:
        raise ValueError(f"n_categories: {n_categories} is fewer than the {r.n_categories} "
                         "categories in the data")
    return int(n_categories)


def gwet_ac1_estimator(r: Ratings, n_categories: int | None = None) -> Estimator:
    q = _q(r, n_categories)

    def finish(t: np.ndarray) -> np.ndarray:
        p_a, pi = observed_and_shares(t)
        p_e = (pi * (1.0 - pi)).sum(axis=1) / (q - 1.0) if q > 1 else np.full(len(t), np.nan)
        return chance_corrected(p_a, p_e)

    return _multi(r, "gwet_ac1", finish, ONE_CATEGORY_Q)


def brennan_prediger_estimator(r: Ratings, n_categories: int | None = None) -> Estimator:
    q = _q(r, n_categories)
    return _multi(r, "brennan_prediger",
                  lambda t: chance_corrected(observed_and_shares(t)[0], 1.0 / q), ONE_CATEGORY_Q)


# --- two-coder family: tally (n_units, 4 + 2 n_categories) ------------------------------------

def pair_tally(r: Ratings) -> Tally:
    """Cached :func:`_pair_tally` (Cohen's kappas and Scott's pi share it)."""
    if r not in _PAIR:
        _PAIR[r] = _pair_tally(r)
    return _PAIR[r]


def _pair_tally(r: Ratings) -> Tally:
    """Per unit both coders coded: 1, agreement, |a - b|, (a - b)^2 over category positions,
    then one-hot a (K) and one-hot b (K). Stats shape: (4 + 2 K,)."""
    if r.codes.shape[1] != 2:
        raise AgreementError(f"this coefficient is for two coders; got {r.codes.shape[1]}",
                             "use Fleiss' kappa or Krippendorff's alpha for more")
    pairable(r)
    a, b = r.codes[:, 0], r.codes[:, 1]
    both = (a >= 0) & (b >= 0)
    k = r.n_categories
    position = np.cumsum(_used_categories(r)) - 1.0
    gap = position[a] - position[b]
    parts = [
        (both, 0, 1.0),
        (both, 1, (a == b).astype(float)),
        (both, 2, np.abs(gap)),
        (both, 3, gap ** 2),
        (both, 4 + a, 1.0),
        (both, 4 + k + b, 1.0),
    ]
    return tally(len(r.codes), parts, 4 + 2 * k)


def _both_coded(r: Ratings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(units, a codes, b codes) for the units both coders coded."""
    a, b = r.codes[:, 0], r.codes[:, 1]
    units = np.flatnonzero((a >= 0) & (b >= 0))
    return units, a[units], b[units]


def _used_categories(r: Ratings) -> np.ndarray:
    """Boolean (K,): categories either coder used on a unit both coded; weights use their order."""
    _, a, b = _both_coded(r)
    k = r.n_categories
    return (np.bincount(a, minlength=k) + np.bincount(b, minlength=k)) > 0


def cohen_parts(totals: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Observed and chance agreement (each (B,)) of Cohen's kappa from pair-tally totals."""
    n = totals[:, 0]
    p_a = totals[:, 4:4 + k] / n[:, None]
    p_b = totals[:, 4 + k:] / n[:, None]
    return totals[:, 1] / n, (p_a * p_b).sum(axis=1)


def _weighted(totals: np.ndarray, k: int, used: np.ndarray, weights: str) -> np.ndarray:
    """Cohen's (1968) weighted kappa, 1 - observed / expected weighted disagreement, with
    disagreement weights |i - j| or (i - j)^2 over the positions of the ``used`` categories."""
    n = totals[:, 0]
    p_a = totals[:, 4:4 + k] / n[:, None]
    p_b = totals[:, 4 + k:] / n[:, None]
    p_a, p_b = p_a[:, used], p_b[:, used]
    if weights == "linear":
        observed = totals[:, 2] / n
        f_a, f_b = np.cumsum(p_a, axis=1)[:, :-1], np.cumsum(p_b, axis=1)[:, :-1]
        expected = (f_a * (1 - f_b) + f_b * (1 - f_a)).sum(axis=1)
    else:
        observed = totals[:, 3] / n
        x = np.arange(p_a.shape[1], dtype=float)
        mean_a, mean_b = p_a @ x, p_b @ x
        expected = p_a @ x ** 2 + p_b @ x ** 2 - 2 * mean_a * mean_b
    return 1.0 - observed / expected


def _pair(r: Ratings, name: str, finish) -> Estimator:
    t = pair_tally(r)
    n = len(_both_coded(r)[0])
    if n < 2:
        raise AgreementError(f"only {n} unit was coded by both coders; agreement needs at least 2")
    return Estimator(name, t, finish, n, ONE_CATEGORY)


def cohen_kappa_estimator(r: Ratings, weights: str | None = None) -> Estimator:
    k = r.n_categories
    if weights is None:
        return _pair(r, "cohen_kappa", lambda t: chance_corrected(*cohen_parts(t, k)))
    if weights not in ("linear", "quadratic"):
        raise ValueError(f"weights: expected None, 'linear' or 'quadratic', got {weights!r}")
    used = _used_categories(r)
    return _pair(r, f"cohen_kappa_{weights}", lambda t: _weighted(t, k, used, weights))


def scott_pi_estimator(r: Ratings) -> Estimator:
    k = r.n_categories

    def finish(t: np.ndarray) -> np.ndarray:
        n = t[:, 0]
        pooled = (t[:, 4:4 + k] + t[:, 4 + k:]) / (2.0 * n[:, None])
        return chance_corrected(t[:, 1] / n, (pooled ** 2).sum(axis=1))

    return _pair(r, "scott_pi", finish)
