"""Krippendorff's alpha for any number of coders, missing values, and five metrics.

Computed as in Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": values in units
with two or more values are *pairable*; each ordered pair of values from different coders in a
unit u adds 1 / (m_u - 1) to the coincidence matrix o[c, k]; n_c are its margins and n their sum.
Then

    alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_ck o_ck delta_ck / sum_ck n_c n_k delta_ck

with delta the squared difference of the level: nominal (0 if equal, else 1), ordinal (distance
in cumulative frequencies), interval ((c - k)^2), ratio (((c - k) / (c + k))^2), or MASI for
set-valued codings (Passonneau 2006; see :func:`masi_distance`).

We never build the units x values x values array: the observed term is summed per coder pair
over units (n_coders^2 vectorised passes), the expected term comes from the margins n_c in
closed form (nominal, interval, ordinal) or as a chunked quadratic form (ratio, MASI). Memory
and time are linear in units, and many distinct values are fine.

The published example (Krippendorff 2011, four coders, twelve units, missing values):

>>> nan = float("nan")
>>> data = [  # rows: units 1-12; columns: coders A-D
...     [1, 1, nan, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
...     [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [nan, 5, 5, 5], [nan, nan, 1, 1],
...     [nan, 3, nan, nan]]
>>> [round(krippendorff_alpha(data, level), 3)
...  for level in ("nominal", "ordinal", "interval", "ratio")]
[0.743, 0.815, 0.849, 0.797]
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Literal

import numpy as np

from codewell.agreement._data import Ratings, Tally, as_ratings, pairable, tally
from codewell.agreement._estimate import Coefficient, Estimator
from codewell.errors import AgreementError

Level = Literal["nominal", "ordinal", "interval", "ratio", "masi"]
LEVELS = ("nominal", "ordinal", "interval", "ratio", "masi")
MasiVariant = Literal["passonneau", "nltk", "dkpro"]
NO_VARIATION = ("all pairable values are the same, so no disagreement is expected and alpha "
                "is 0/0")
_CHUNK = 2048
_DENSE_PAIRS = 65_536


def krippendorff_alpha(data: Any, level: Level = "nominal", *,
                       masi: MasiVariant = "passonneau") -> Coefficient:
    """Krippendorff's alpha of a units x coders table (shape (n_units, n_coders)).

    ``level="masi"`` expects set-valued cells (frozensets of code ids); ``masi`` picks the
    set distance (see :func:`masi_distance`).
    """
    return alpha_estimator(as_ratings(data), level, masi=masi).estimate()


def masi_distance(a: frozenset, b: frozenset, variant: MasiVariant = "passonneau") -> float:
    """Distance between two code sets, in [0, 1].

    ``"passonneau"`` (default; Passonneau 2006 and NLTK's formula): 1 - J * M, with J the Jaccard
    index and M = 1 (identical), 2/3 (one contains the other), 1/3 (they overlap), 0 (disjoint).
    ``"nltk"``: the same with NLTK's rounded M = 0.67 and 0.33. ``"dkpro"``: DKPro Statistics'
    reading, (1 - J) * (1 - M), which scores nested and overlapping sets as closer. Two empty
    sets are identical (distance 0).
    """
    if a == b:
        return 0.0
    common, union = len(a & b), len(a | b)
    jaccard = common / union
    if a <= b or b <= a:
        rank = 1
    elif common:
        rank = 2
    else:
        rank = 3
    if variant == "dkpro":
        return (1.0 - jaccard) * rank / 3.0
    monotonicity = {"passonneau": (2 / 3, 1 / 3, 0.0), "nltk": (0.67, 0.33, 0.0)}[variant][rank - 1]
    return 1.0 - jaccard * monotonicity


def alpha_estimator(r: Ratings, level: str = "nominal", *,
                    masi: MasiVariant = "passonneau") -> Estimator:
    """The estimator behind :func:`krippendorff_alpha` (for bootstrap intervals)."""
    if level not in LEVELS:
        raise ValueError(f"level: expected one of {', '.join(LEVELS)}, got {level!r}")
    if masi not in ("passonneau", "nltk", "dkpro"):
        raise ValueError(f"masi: expected 'passonneau', 'nltk' or 'dkpro', got {masi!r}")
    mask = pairable(r)
    k = r.n_categories
    if level == "ordinal":
        r.numeric_categories()
        counts, first, second = coincidence_tally(r)
        return Estimator("krippendorff_alpha", counts, _ordinal_finish(k, first, second),
                         int(mask.sum()), NO_VARIATION)
    delta = _delta(r, level, masi)
    return Estimator("krippendorff_alpha", _disagreement_tally(r, delta),
                     _finish(level, r, masi), int(mask.sum()), NO_VARIATION)


def _pairs(r: Ratings):
    """Yield (both, c_i, c_j) for each coder pair i < j: the mask (n_units,) of units both
    coded and the two code columns (n_units,)."""
    codes, present = r.codes, r.present
    for i, j in combinations(range(codes.shape[1]), 2):
        yield present[:, i] & present[:, j], codes[:, i], codes[:, j]


def _pair_weight(r: Ratings) -> np.ndarray:
    """Shape (n_units,): 1 / (m_u - 1) for pairable units, else 0."""
    m = r.values_per_unit
    return np.divide(1.0, m - 1.0, out=np.zeros(len(m)), where=m >= 2)


def _margins(r: Ratings) -> list:
    """Parts adding each pairable value to n_c, in columns 1..K."""
    paired = r.values_per_unit >= 2
    return [(r.present[:, j] & paired, 1 + r.codes[:, j], 1.0) for j in range(r.codes.shape[1])]


def _disagreement_tally(r: Ratings, delta) -> Tally:
    """Stats (1 + K,): sum_ck o_ck delta_ck, then n_c."""
    observed = np.zeros(len(r.codes))
    for both, ci, cj in _pairs(r):
        observed += np.where(both, delta(ci, cj), 0.0)
    observed *= 2.0 * _pair_weight(r)
    parts = [(r.values_per_unit >= 2, 0, observed), *_margins(r)]
    return tally(len(r.codes), parts, 1 + r.n_categories)


def coincidence_tally(r: Ratings) -> tuple[Tally, np.ndarray, np.ndarray]:
    """The coincidence matrix as a tally over the category pairs that occur.

    Returns (tally, first, second): stat s counts o[first[s], second[s]] + o[second[s],
    first[s]] for first[s] <= second[s] (shapes (n_pairs,)). With few categories every pair
    of the K x K upper triangle is a stat; with many, only pairs seen in the data, so memory
    follows the data and not K^2.
    """
    k = r.n_categories
    w = _pair_weight(r)
    keyed = []
    for both, ci, cj in _pairs(r):
        keyed.append((both, np.minimum(ci, cj) * k + np.maximum(ci, cj)))
    if k * k <= _DENSE_PAIRS:
        parts = [(both, key, 2.0 * w) for both, key in keyed]
        return tally(len(r.codes), parts, k * k), *np.divmod(np.arange(k * k), k)
    units = [np.flatnonzero(both) for both, _ in keyed]
    keys, stat = np.unique(np.concatenate([key[u] for (_, key), u in zip(keyed, units)]),
                           return_inverse=True)
    bounds = np.cumsum([0, *[len(u) for u in units]])
    parts = [(u, stat[a:b], 2.0 * w[u]) for u, a, b in zip(units, bounds[:-1], bounds[1:])]
    return tally(len(r.codes), parts, len(keys)), *np.divmod(keys, k)


def _delta(r: Ratings, level: str, masi: str):
    """delta(ci, cj) on arrays of category codes."""
    if level == "nominal":
        return lambda ci, cj: (ci != cj).astype(float)
    if level == "masi":
        member, sizes = _membership(r)
        return lambda ci, cj: _masi(
            (member[ci] & member[cj]).sum(axis=1), sizes[ci], sizes[cj], masi)
    v = r.numeric_categories()
    if level == "interval":
        return lambda ci, cj: (v[ci] - v[cj]) ** 2
    _check_ratio(v)
    return lambda ci, cj: _ratio(v[ci], v[cj])


def _check_ratio(v: np.ndarray) -> None:
    if (v < 0).any():
        raise AgreementError(f"value {v[v < 0][0]:g} is negative; the ratio level needs values >= 0")


def _ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    total = x + y
    return np.divide(x - y, total, out=np.zeros(np.broadcast(x, y).shape), where=total != 0) ** 2


def _membership(r: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Code sets as a boolean (n_categories, n_items) matrix, and their sizes (n_categories,)."""
    sets = [s if isinstance(s, (set, frozenset)) else None for s in r.categories]
    if any(s is None for s in sets):
        raise AgreementError("the MASI level needs set-valued codings (sets of codes)")
    items = {item: i for i, item in enumerate(sorted({x for s in sets for x in s}, key=str))}
    member = np.zeros((len(sets), max(len(items), 1)), dtype=bool)
    for row, codes in enumerate(sets):
        member[row, [items[x] for x in codes]] = True
    return member, member.sum(axis=1)


_MONOTONICITY = {"passonneau": np.array([1.0, 2 / 3, 1 / 3, 0.0]),
                 "nltk": np.array([1.0, 0.67, 0.33, 0.0])}


def _masi(common: np.ndarray, size_a: np.ndarray, size_b: np.ndarray, variant: str) -> np.ndarray:
    """Vectorised :func:`masi_distance` from intersection and set sizes (broadcastable)."""
    union = size_a + size_b - common
    jaccard = np.divide(common, union, out=np.ones(np.shape(union)), where=union > 0)
    identical = (common == size_a) & (common == size_b)
    rank = np.where(identical, 0, np.where(common == np.minimum(size_a, size_b), 1,
                                           np.where(common > 0, 2, 3)))
    if variant == "dkpro":
        return (1.0 - jaccard) * rank / 3.0
    return np.where(identical, 0.0, 1.0 - jaccard * _MONOTONICITY[variant][rank])


def _finish(level: str, r: Ratings, masi: str):
    """totals (B, 1 + K) -> alpha (B,)."""
    if level == "nominal":
        def expected(n_c: np.ndarray) -> np.ndarray:
            n = n_c.sum(axis=1)
            return n * n - (n_c ** 2).sum(axis=1)
    elif level == "interval":
        v = r.numeric_categories()

        def expected(n_c: np.ndarray) -> np.ndarray:
            n = n_c.sum(axis=1)
            mean = (n_c @ v) / n
            return 2.0 * n * (n_c * (v[None, :] - mean[:, None]) ** 2).sum(axis=1)
    else:
        if level == "masi":
            member, sizes = _membership(r)
            counts = member.astype(np.int32)

            def block(start: int, stop: int) -> np.ndarray:
                return _masi(counts[start:stop] @ counts.T, sizes[start:stop, None],
                             sizes[None, :], masi)
        else:
            v = r.numeric_categories()

            def block(start: int, stop: int) -> np.ndarray:
                return _ratio(v[start:stop, None], v[None, :])

        def expected(n_c: np.ndarray) -> np.ndarray:
            """sum_ck n_c n_k delta_ck, a (rows of delta) block at a time: (B, K) -> (B,)."""
            total = np.zeros(len(n_c))
            for start in range(0, n_c.shape[1], _CHUNK):
                stop = min(start + _CHUNK, n_c.shape[1])
                total += ((n_c @ block(start, stop).T) * n_c[:, start:stop]).sum(axis=1)
            return total

    def finish(totals: np.ndarray) -> np.ndarray:
        n_c = totals[:, 1:]
        n = n_c.sum(axis=1)
        value = 1.0 - (n - 1.0) * totals[:, 0] / expected(n_c)
        return np.where((n_c > 0).sum(axis=1) >= 2, value, np.nan)

    return finish


def _ordinal_finish(k: int, first: np.ndarray, second: np.ndarray):
    """totals (B, n_pairs) -> alpha (B,), with the ordinal metric's ranks taken from n_c:
    delta_ck = (r_c - r_k)^2 with r_c = n_1 + ... + n_(c-1) + n_c / 2."""
    from scipy import sparse

    n_pairs = len(first)
    same = (first == second).astype(float)
    # n_c: a stat (c, k) holds o_ck + o_kc, half of it in each margin; a stat (c, c) holds o_cc.
    to_margins = sparse.csr_matrix(
        (np.concatenate([np.where(same == 1, 1.0, 0.5), np.where(same == 1, 0.0, 0.5)]),
         (np.concatenate([np.arange(n_pairs)] * 2), np.concatenate([first, second]))),
        shape=(n_pairs, k))

    def finish(totals: np.ndarray) -> np.ndarray:
        n_c = np.asarray(to_margins.T @ totals.T).T
        n = n_c.sum(axis=1)
        rank = np.cumsum(n_c, axis=1) - n_c / 2.0
        observed = (totals * (rank[:, first] - rank[:, second]) ** 2).sum(axis=1)
        mean = (n_c * rank).sum(axis=1) / n
        expected = 2.0 * n * (n_c * (rank - mean[:, None]) ** 2).sum(axis=1)
        value = 1.0 - (n - 1.0) * observed / expected
        return np.where((n_c > 0).sum(axis=1) >= 2, value, np.nan)

    return finish
