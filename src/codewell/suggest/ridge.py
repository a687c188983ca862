"""Multi-output ridge regression with held-out scores: the solver every suggester fit uses.

All codes are regressed at once on the same features (+-1 targets), so 2,000 responses solve in
about a second; each training response also gets the score a model fitted without it (and its
nearest neighbours) would give, which is what calibrates and thresholds each code
(:mod:`.thresholds`). A code is fitted only on the rows that speak for it (a reference set may
not label every code); codes whose rows are the same share one solve.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from codewell.errors import ModelError

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

# Ridge penalty (chosen by cross-validation across writers on both sample studies).
ALPHA = 1.0
# Up to this many examples the kernel (dual) form is solved, with exact held-out scores. Its
# cost grows as n^3 and its memory as n^2, the primal's about as n: on the sample (4,300 rows)
# the dual fit took 6.9 s and 580 MB against the primal's 13.2 s and 365 MB; at 6,000 rows
# 16.8 s and 874 MB against 18.4 s and 408 MB. So the dual up to about the sample and a study's
# first few hundred decisions beside it as a reference.
DUAL_LIMIT = 5000
# The held-out scores that calibrate and threshold each code leave a response out together with
# its NEIGHBOURS most alike training responses (by the kernel): a stand-in, needing no writer ids,
# for meeting a new voice, since a response's near twins (same writer, same turn of phrase)
# otherwise vouch for it. Leave-one-writer-out over the four development writers, five study
# codes: worst writer 0.644 -> 0.647, second worst 0.700 -> 0.722, mean 0.769 -> 0.775 (10
# neighbours: 0.645, 0.722, 0.780).
NEIGHBOURS = 3

FOLDS = 5
# Rows of the kernel worked on at once where a whole n x n temporary would be needed.
BLOCK = 256
# Feature columns set in more than this share of the rows go into the kernel through dense BLAS
# (see _kernel): 0.74 CPU s instead of 1.67 for the 3,815 rows of the image-sharing sample,
# where 0.05 took 1.34 s and 0.2 took 1.01 s.
DENSE_SHARE = 0.1


class Cancelled(Exception):
    """Raised by a fit (:func:`~codewell.suggest.model.fit_model`) when ``should_stop`` says so:
    there is no half-fitted model."""


def checkpoint(should_stop: Callable[[], bool]) -> None:
    """Stop a fit between steps when ``should_stop`` says so (a newer request superseded it)."""
    if should_stop():
        raise Cancelled


def fit_ridge(features: sparse.csr_matrix, targets: np.ndarray, known: np.ndarray, seed: int,
           should_stop: Callable[[], bool]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ridge regression of +-1 targets (n, k) with held-out scores, each code fitted on the rows
    that speak for it (``known``, (n, k)); codes whose rows are the same share one solve, so
    without a reference set (every row speaks for every code) there is one solve for all.

    Returns coefficients (k, d), intercepts (k,) and, for every training response, the score a
    model trained without it would give (n, k; 0 where the row does not speak for the code).
    """
    import numpy as np

    n, k = targets.shape
    coef = np.zeros((k, features.shape[1]))
    intercept = np.zeros(k)
    held_out = np.zeros((n, k))
    patterns, group_of = np.unique(known.T, axis=0, return_inverse=True)
    kernel = _kernel(features) if n <= DUAL_LIMIT else None
    for g, pattern in enumerate(patterns):
        rows, codes = np.flatnonzero(pattern), np.flatnonzero(np.ravel(group_of) == g)
        if not len(rows):
            continue
        part = features[rows]
        # each solve owns (and overwrites) its kernel: the whole one when it is the only solve
        sub = (None if len(rows) > DUAL_LIMIT else _kernel(part) if kernel is None
               else kernel if len(rows) == n and len(patterns) == 1
               else kernel[np.ix_(rows, rows)])
        c, b, h = _ridge_rows(part, sub, targets[np.ix_(rows, codes)], seed, should_stop)
        coef[codes], intercept[codes], held_out[np.ix_(rows, codes)] = c, b, h
    return coef, intercept, held_out


def _kernel(features: sparse.csr_matrix) -> np.ndarray:
    """The rows' Gram matrix + 1 (a constant feature: the intercept), built in place.

    A sparse product pays per pair of rows sharing a column, so a column in most rows (a common
    word or letter pair) costs it n^2 slow steps; those columns are multiplied as a dense block
    by BLAS instead (``DENSE_SHARE``), adding into the sparse product's result.
    """
    import numpy as np
    from scipy.linalg.blas import dgemm

    common = np.bincount(features.indices, minlength=features.shape[1]) > DENSE_SHARE * features.shape[0]
    rare = features[:, ~common]
    kernel = (rare @ rare.T).toarray()
    if common.any():
        block = features[:, common].toarray()
        # the kernel is symmetric: its transpose is the same matrix in the Fortran order BLAS
        # writes in place, and transposed back it is in C order again
        kernel = dgemm(1.0, block, block, beta=1.0, c=kernel.T, trans_b=True, overwrite_c=True).T
    kernel += 1.0
    return kernel


def _ridge_rows(features: sparse.csr_matrix, kernel: np.ndarray | None, targets: np.ndarray,
                seed: int, should_stop: Callable[[], bool]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One ridge solve of targets (n, m) on the rows' features, with held-out scores.

    Up to ``DUAL_LIMIT`` responses (``kernel`` given, with its + 1) this is the dual (kernel)
    form with exact held-out scores from one matrix inverse: with ``G = (K + alpha I)^-1``,
    leaving out the set S (response i and its ``NEIGHBOURS``) gives ``y_S - (G_SS)^-1 (G y)_S``
    (:func:`_neighbours_out`). Beyond it the n x n kernel is too big, so the primal is solved
    iteratively and the held-out scores come from K-fold cross-validation. ``kernel`` is
    overwritten: at 5,000 responses each n x n copy is 200 MB.
    """
    import numpy as np

    if kernel is not None:
        checkpoint(should_stop)
        groups = _neighbour_groups(kernel)
        dual, inverse_factor = _solve_kernel(kernel, targets)
        held_out = _neighbours_out(inverse_factor, dual, targets, groups)
        return np.asarray(features.T @ dual).T, dual.sum(axis=0), held_out
    from sklearn.model_selection import KFold

    held_out = np.empty_like(targets)
    for train, held in KFold(n_splits=FOLDS, shuffle=True, random_state=seed).split(targets):
        checkpoint(should_stop)
        coef, intercept = _ridge_primal(features[train], targets[train])
        held_out[held] = features[held] @ coef.T + intercept
    checkpoint(should_stop)
    coef, intercept = _ridge_primal(features, targets)
    return coef, intercept, held_out


def _neighbour_groups(kernel: np.ndarray) -> np.ndarray:
    """Each response's index followed by those of its ``NEIGHBOURS`` largest kernel entries
    ((n, m + 1)), a block of rows at a time so no n x n temporary is made."""
    import numpy as np

    n = len(kernel)
    m = min(NEIGHBOURS, n - 2)
    groups = np.empty((n, max(m, 0) + 1), dtype=np.intp)
    groups[:, 0] = np.arange(n)
    if m <= 0:
        return groups
    for first in range(0, n, BLOCK):
        block = np.arange(first, min(first + BLOCK, n))
        similar = -kernel[block]
        similar[np.arange(len(block)), block] = np.inf
        groups[block, 1:] = np.argpartition(similar, m - 1, axis=1)[:, :m]
    return groups


def _neighbours_out(inverse_factor: np.ndarray, dual: np.ndarray, targets: np.ndarray,
                    groups: np.ndarray) -> np.ndarray:
    """Held-out scores (n, k): response i scored by the model fitted without its group
    (``groups[i]``: i and its neighbours), from that group's block of ``G = L^-T L^-1``
    (``inverse_factor`` is ``L^-1``, (n, n); ``dual`` is ``G @ targets``, (n, k)); a block of
    responses solved at once."""
    import numpy as np

    if groups.shape[1] == 1:
        return targets - dual / (inverse_factor**2).sum(axis=0)[:, None]
    rows = np.ascontiguousarray(inverse_factor.T)  # row a is column a of L^-1: gathered fast
    held_out = np.empty_like(targets)
    for first in range(0, len(rows), BLOCK):
        group = groups[first:first + BLOCK]
        gathered = rows[group]  # (b, m + 1, n)
        gram = gathered @ gathered.transpose(0, 2, 1)
        held_out[first:first + BLOCK] = (
            targets[first:first + BLOCK] - np.linalg.solve(gram, dual[group])[:, 0])
    return held_out


def _solve_kernel(kernel: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``G @ targets`` and ``L^-1`` for ``G = (kernel + ALPHA I)^-1 = L^-T L^-1``, via Cholesky,
    in ``kernel``'s own memory (it is overwritten).

    With ``K + alpha I = L L^T``, one factorisation and one triangular inverse cost a third of a
    general inverse. On small machines OpenBLAS threads fight each other (a
    200 x 200 solve took 60 times longer with two), but a BLAS thread limit is process-wide, so
    it is set only where training has a process to itself: the training process of
    :mod:`codewell.suggest.service`, and the one :func:`~codewell.suggest.service.run_alone`
    starts for ``codewell evaluate``.
    """
    from scipy.linalg import lapack

    kernel.flat[::len(kernel) + 1] += ALPHA
    # the kernel is symmetric, so its transpose (Fortran order, no copy) is the same matrix
    factor, info = lapack.dpotrf(kernel.T, lower=1, clean=1, overwrite_a=1)
    if info != 0:
        raise ModelError("the training data give a singular system; add more varied responses")
    inverse_factor, info = lapack.dtrtri(factor, lower=1, overwrite_c=1)
    if info != 0:
        raise ModelError("the training data give a singular system; add more varied responses")
    dual = inverse_factor.T @ (inverse_factor @ targets)
    return dual, inverse_factor


def _ridge_primal(features: sparse.csr_matrix, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import Ridge

    import numpy as np

    fit = Ridge(alpha=ALPHA, solver="sparse_cg").fit(features, targets)
    # one target column comes back flat; keep (m, d) and (m,) whatever m
    return np.reshape(fit.coef_, (targets.shape[1], -1)), np.reshape(fit.intercept_, targets.shape[1])
