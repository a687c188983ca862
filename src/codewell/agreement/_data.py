"""Reliability data: validation and the one encoding every coefficient works on.

Every coefficient here reads a units x coders table in which a cell is one coder's value for one
unit, or missing. We encode it once into integer category indices (``-1`` = missing) over the
sorted distinct values, so the coefficients never touch Python objects, and resampling units for
a bootstrap is a row selection.

Coefficients are built from *tallies*: per-unit contributions to a few additive statistics (a
sparse units x statistics matrix). The point estimate sums all units; a bootstrap replicate is
the same sum with resampled unit weights. One code path therefore serves both, which is why the
intervals agree with the estimates they surround.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from codewell.errors import AgreementError

MISSING = -1


@dataclass(frozen=True, eq=False)
class Ratings:
    """Encoded reliability data.

    ``codes``: int64 array, shape (n_units, n_coders); ``codes[u, j]`` indexes ``categories``,
    ``-1`` where coder ``j`` gave unit ``u`` no value. ``categories``: shape (n_categories,), the
    distinct values in ascending order (code sets: by size, then members). ``coders`` and
    ``units`` name the columns and rows (shape (n_units,)).
    """

    codes: np.ndarray
    categories: np.ndarray
    coders: tuple[str, ...]
    units: Sequence[Any]

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    @cached_property
    def present(self) -> np.ndarray:
        """Boolean, shape (n_units, n_coders): which cells hold a value."""
        return self.codes >= 0

    @cached_property
    def values_per_unit(self) -> np.ndarray:
        """Shape (n_units,): m_u, the number of values each unit received."""
        return self.present.sum(axis=1)

    def numeric_categories(self) -> np.ndarray:
        """The categories as float64 (shape (n_categories,)); interval, ratio and ordinal need it."""
        try:
            return self.categories.astype(np.float64)
        except (TypeError, ValueError):
            bad = next(v for v in self.categories if not _is_number(v))
            raise AgreementError(
                f"value {bad!r} is not a number; this level of measurement needs numeric values"
            ) from None


Part = tuple[np.ndarray, "np.ndarray | int", "np.ndarray | float"]


@dataclass(frozen=True, eq=False)
class Tally:
    """Per-unit contributions to additive statistics: a sparse (n_units, n_stats) matrix.

    It is kept as ``parts`` ``(select, col, val)``. ``select`` is either a boolean mask of shape
    (n_units,), with ``col`` and ``val`` arrays of shape (n_units,) or scalars, or an index array
    of units with ``col`` and ``val`` aligned to it. Masks let the point estimate run as a few
    bincounts over whole columns; the sparse matrix is only built for a bootstrap.
    """

    parts: tuple[Part, ...]
    n_units: int
    n_stats: int

    def total(self) -> np.ndarray:
        """Shape (1, n_stats): every unit counted once."""
        out = np.zeros(self.n_stats)
        for select, col, val in self.parts:
            col, val = _pick(select, col), _pick(select, val)
            count = int(select.sum()) if select.dtype == bool else len(select)
            if np.ndim(col) == 0:
                out[col] += np.sum(val) if np.ndim(val) else val * count
            elif np.ndim(val) == 0:
                out += val * np.bincount(col, minlength=self.n_stats)
            else:
                out += np.bincount(col, weights=val, minlength=self.n_stats)
        return out[None, :]

    def triplets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, vals) of the sparse matrix, duplicates allowed."""
        rows, cols, vals = [], [], []
        for select, col, val in self.parts:
            units = np.flatnonzero(select) if select.dtype == bool else np.asarray(select)
            rows.append(units)
            cols.append(np.broadcast_to(_pick(select, col), units.shape).astype(np.int64))
            vals.append(np.broadcast_to(_pick(select, val), units.shape).astype(np.float64))
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)

    def totals(self, weights: np.ndarray) -> np.ndarray:
        """Shape (n_replicates, n_stats) for unit weights of shape (n_units, n_replicates)
        (one column per replicate, C-ordered, so the sparse product needs no copy)."""
        return np.asarray(self._transposed @ weights).T

    @cached_property
    def _transposed(self):
        """The (n_stats, n_units) sparse matrix, built once for all bootstrap batches."""
        from scipy import sparse

        rows, cols, vals = self.triplets()
        return sparse.csr_matrix((vals, (cols, rows)), shape=(self.n_stats, self.n_units))


def _pick(select: np.ndarray, x: np.ndarray | float) -> np.ndarray | float:
    return x[select] if np.ndim(x) and select.dtype == bool else x


def tally(n_units: int, parts: Sequence[Part], n_stats: int) -> Tally:
    """A :class:`Tally` from its parts (see there for their shapes)."""
    return Tally(tuple(parts), n_units, n_stats)


def as_ratings(data: Any, coders: Sequence[str] | None = None) -> Ratings:
    """Encode a units x coders table (array-like of shape (n_units, n_coders), or a DataFrame
    whose columns are coders) into :class:`Ratings`. Missing cells are None, NaN or ``""``.

    Cells may be numbers, strings or frozensets (set-valued codings for MASI alpha).
    """
    if isinstance(data, Ratings):
        return data
    if type(data).__name__ == "DataFrame" and hasattr(data, "columns"):  # no pandas import needed
        names = tuple(str(c) for c in data.columns) if coders is None else tuple(coders)
        units: tuple[Any, ...] = tuple(data.index)
        matrix = data.to_numpy(dtype=object if _has_sets(data.to_numpy()) else None)
    else:
        matrix = np.asarray(data, dtype=object if _has_sets(data) else None)
        names = tuple(coders) if coders is not None else tuple(
            f"coder {j + 1}" for j in range(matrix.shape[1] if matrix.ndim == 2 else 0))
        units = tuple(range(len(matrix)))
    if matrix.ndim != 2:
        raise ValueError(f"data: expected a units x coders table (2-D), got {matrix.ndim}-D")
    if len(names) != matrix.shape[1]:
        raise ValueError(f"coders: {len(names)} names for {matrix.shape[1]} columns")
    codes, categories = encode(matrix.ravel(order="C"))
    return Ratings(np.asfortranarray(codes.reshape(matrix.shape)), categories, names, units)


def ratings_from_long(units: Any, coders: Any, values: Any) -> Ratings:
    """Reshape long-format data (three equal-length sequences: one row per unit, coder, value)
    into :class:`Ratings`. Rows with a missing value are dropped; a unit or coder seen only in
    such rows still counts as a row or column of the table. A coder giving one unit two values
    is an error, because reliability data has one value per cell.
    """
    import pandas as pd

    unit_idx, unit_names = pd.factorize(pd.Series(units), sort=False)
    coder_idx, coder_names = pd.factorize(pd.Series(coders), sort=False)
    order = np.argsort([str(c) for c in coder_names], kind="stable")
    coder_idx = np.where(coder_idx >= 0, np.argsort(order)[coder_idx], -1)
    coder_names = [str(coder_names[i]) for i in order]
    if (unit_idx < 0).any() or (coder_idx < 0).any():
        which = "unit" if (unit_idx < 0).any() else "coder"
        row = int(np.flatnonzero((unit_idx < 0) | (coder_idx < 0))[0])
        raise AgreementError(f"row {row + 1}: the {which} is empty")
    value_codes, categories = encode(np.asarray(values, dtype=object if _has_sets(values) else None))
    n_units, n_coders = len(unit_names), len(coder_names)
    keep = value_codes >= 0
    cell = unit_idx[keep].astype(np.int64) * n_coders + coder_idx[keep]
    counts = np.bincount(cell, minlength=n_units * n_coders)
    if (counts > 1).any():
        dup = int(np.flatnonzero(counts > 1)[0])
        unit, coder = unit_names[dup // n_coders], coder_names[dup % n_coders]
        raise AgreementError(
            f"coder {coder!r} gave unit {unit!r} more than one value",
            "reliability data has one value per unit and coder",
        )
    codes = np.full(n_units * n_coders, MISSING, dtype=np.int64)
    codes[cell] = value_codes[keep]
    return Ratings(np.asfortranarray(codes.reshape(n_units, n_coders)), categories,
                   tuple(coder_names), unit_names)


def encode(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Values (shape (n,)) -> (codes (n,) int64 with -1 for missing, sorted categories)."""
    flat = np.asarray(values)
    if flat.dtype == object and _has_sets(flat):
        return _encode_sets(flat)
    small = _encode_small_integers(flat)
    if small is not None:
        return small
    import pandas as pd

    series = pd.Series(flat)
    if series.dtype == object:  # Python objects: anything may be in there
        series = series.mask(series.map(_is_blank), None)
        if series.map(_is_number, na_action="ignore").dropna().all():
            series = pd.to_numeric(series)
    elif series.dtype.kind not in "iufb":  # pandas' string dtype: text only, vectorised
        series = series.mask(series.str.strip().eq("").fillna(False).astype(bool), None)
    try:
        codes, categories = pd.factorize(series, sort=True, use_na_sentinel=True)
    except TypeError:
        raise AgreementError("values mix types that cannot be ordered (e.g. numbers and text)",
                             "give every value as text, or every value as a number") from None
    return codes.astype(np.int64), np.asarray(categories)


def _encode_small_integers(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Fast path for whole numbers in a modest range (the usual numeric codes): a lookup table
    instead of hashing. None when the values are not like that."""
    if flat.dtype.kind not in "iuf" or flat.size == 0:
        return None
    missing = np.isnan(flat) if flat.dtype.kind == "f" else np.zeros(flat.shape, dtype=bool)
    present = flat[~missing]
    if present.size == 0:
        return None
    low, high = present.min(), present.max()
    if high - low > 4 * flat.size + 1024 or (flat.dtype.kind == "f" and not (
            np.isfinite(low) and np.isfinite(high) and (present == np.round(present)).all())):
        return None
    shifted = np.where(missing, 0, flat - low).astype(np.int64)
    used = np.bincount(shifted[~missing], minlength=int(high - low) + 1) > 0
    lookup = np.cumsum(used) - 1
    codes = np.where(missing, MISSING, lookup[shifted])
    categories = (np.flatnonzero(used) + low).astype(flat.dtype)
    return codes, categories


def _encode_sets(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    missing = np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in flat])
    distinct = sorted({frozenset(v) for v in flat[~missing]}, key=lambda s: (len(s), sorted(map(str, s))))
    index = {s: i for i, s in enumerate(distinct)}
    codes = np.array([MISSING if m else index[frozenset(v)] for v, m in zip(flat, missing)],
                     dtype=np.int64)
    categories = np.empty(len(distinct), dtype=object)
    categories[:] = distinct
    return codes, categories


def _has_sets(data: Any) -> bool:
    """Whether an (object) array-like holds set-valued cells; checks the first present cell."""
    dtype = getattr(data, "dtype", None)
    if dtype is not None and dtype != object:
        return False
    for value in np.asarray(data, dtype=object).ravel():
        if isinstance(value, (set, frozenset)):
            return True
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            return False
    return False


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def pairable(ratings: Ratings, minimum: int = 2) -> np.ndarray:
    """Boolean (n_units,): units with at least two values; errors when fewer than ``minimum``.

    Agreement needs two coders and at least two units they both coded: with one unit there is no
    variation to separate agreement from chance.
    """
    if ratings.codes.shape[1] < 2:
        raise AgreementError(f"agreement needs at least two coders; got {ratings.codes.shape[1]}")
    mask = ratings.values_per_unit >= 2
    count = int(mask.sum())
    if count == 0:
        raise AgreementError("no pairable values: no unit was coded by two or more coders")
    if count < minimum:
        raise AgreementError(
            f"only {count} unit was coded by two or more coders; agreement needs at least "
            f"{minimum}")
    return mask
