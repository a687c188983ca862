"""Krippendorff's alpha: the published worked example, MASI, errors and degenerate data."""

from __future__ import annotations

import doctest
import math

import krippendorff
import numpy as np
import pytest

from codewell.agreement import alpha as alpha_module
from codewell.agreement import krippendorff_alpha, masi_distance
from codewell.errors import AgreementError

NAN = float("nan")

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: reliability
# data of four observers (A-D) on twelve units, with missing values. Rows are units.
K2011 = np.array([
    [1, 1, NAN, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [NAN, 5, 5, 5], [NAN, NAN, 1, 1],
    [NAN, 3, NAN, NAN],
])


@pytest.mark.parametrize(("level", "published"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_example_to_the_printed_decimals(level, published):
    value = krippendorff_alpha(K2011, level)
    assert round(value, 3) == published
    assert value == pytest.approx(
        krippendorff.alpha(K2011.T, level_of_measurement=level), abs=1e-12)
    assert value.n_units == 11  # unit 12 has a single value: not pairable


def test_module_docstring_example_runs():
    failures, tried = doctest.testmod(alpha_module)
    assert tried >= 2 and failures == 0


def test_two_coders_nominal_matches_hand_computation():
    # Krippendorff (2011) section A, binary data of two observers on ten units.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    value = krippendorff_alpha(np.array([a, b]).T, "nominal")
    assert round(value, 3) == 0.095


def test_text_categories_work_at_nominal_level():
    data = [["yes", "yes"], ["no", "no"], ["yes", "no"], ["no", None], ["", "no"]]
    numeric = [[1, 1], [0, 0], [1, 0], [0, NAN], [NAN, 0]]
    assert krippendorff_alpha(data) == pytest.approx(krippendorff_alpha(numeric), abs=1e-12)


def test_many_distinct_values_are_fine():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 200, 20_000)
    data = np.stack([truth, np.where(rng.random(20_000) < 0.8, truth, rng.integers(0, 200, 20_000))],
                    axis=1).astype(float)
    for level in ("nominal", "ordinal", "interval", "ratio"):
        value = krippendorff_alpha(data, level)
        assert 0.5 < value <= 1.0


def test_ordinal_with_hundreds_of_values_matches_the_reference():
    # Over 256 distinct values the coincidences are kept only for pairs that occur. 250 units
    # give 386 distinct values; the reference's cost grows with the cube of that (400 units,
    # 514 values: 2-5 s of the suite's CPU), ours does not.
    rng = np.random.default_rng(0)
    n = 250
    truth = rng.integers(0, 1000, n)
    data = np.stack([truth, np.where(rng.random(n) < 0.8, truth, rng.integers(0, 1000, n)),
                     truth + rng.integers(-3, 4, n)], axis=1).astype(float)
    data[rng.random(data.shape) < 0.1] = NAN
    assert len(np.unique(data[~np.isnan(data)])) > 256
    expected = krippendorff.alpha(data.T, level_of_measurement="ordinal")
    assert krippendorff_alpha(data, "ordinal") == pytest.approx(expected, abs=1e-12)


def test_identical_coders_give_one():
    data = [[1, 1, 1], [2, 2, 2], [3, 3, NAN], [1, 1, 1]]
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert krippendorff_alpha(data, level) == pytest.approx(1.0)


def test_one_category_is_nan_with_a_reason():
    value = krippendorff_alpha([[2, 2], [2, 2], [2, NAN]])
    assert math.isnan(value)
    assert "no disagreement is expected" in value.reason
    assert value.n_units == 2


@pytest.mark.parametrize(("data", "message"), [
    ([[1], [2], [3]], "at least two coders"),
    ([[1, NAN], [NAN, 2], [3, NAN]], "no pairable values"),
    ([[1, 2], [NAN, 2], [3, NAN]], "only 1 unit"),
])
def test_data_that_cannot_give_alpha_raises(data, message):
    with pytest.raises(AgreementError, match=message):
        krippendorff_alpha(data)


def test_non_numeric_values_at_interval_level_raise():
    with pytest.raises(AgreementError, match="'high' is not a number"):
        krippendorff_alpha([["low", "high"], ["low", "low"]], "interval")


def test_negative_values_at_ratio_level_raise():
    with pytest.raises(AgreementError, match="negative"):
        krippendorff_alpha([[-1, 2], [3, 3]], "ratio")


def test_unknown_level_is_a_value_error():
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2], [2, 2]], "cardinal")


# --- MASI -------------------------------------------------------------------------------------

A, AB, ABC, CD = frozenset("a"), frozenset("ab"), frozenset("abc"), frozenset("cd")


@pytest.mark.parametrize(("x", "y", "passonneau", "nltk", "dkpro"), [
    (AB, AB, 0.0, 0.0, 0.0),
    (frozenset(), frozenset(), 0.0, 0.0, 0.0),
    (AB, ABC, 1 - (2 / 3) * (2 / 3), 1 - (2 / 3) * 0.67, (1 / 3) * (1 / 3)),
    (ABC, CD, 1 - (1 / 4) * (1 / 3), 1 - (1 / 4) * 0.33, (3 / 4) * (2 / 3)),
    (AB, CD, 1.0, 1.0, 1.0),
    (frozenset(), A, 1.0, 1.0, 1 / 3),
])
def test_masi_distance_variants(x, y, passonneau, nltk, dkpro):
    assert masi_distance(x, y) == pytest.approx(passonneau)
    assert masi_distance(y, x, "nltk") == pytest.approx(nltk)
    assert masi_distance(x, y, "dkpro") == pytest.approx(dkpro)


def test_masi_alpha_matches_the_reference_implementation_with_the_same_distance():
    rng = np.random.default_rng(7)
    pool = [frozenset(), A, AB, ABC, CD, frozenset("d")]
    data = np.empty((40, 3), dtype=object)
    for u in range(40):
        base = pool[rng.integers(len(pool))]
        for j in range(3):
            data[u, j] = base if rng.random() < 0.6 else pool[rng.integers(len(pool))]
    data[0, 2] = None
    sets = sorted({s for s in data.ravel() if s is not None}, key=lambda s: (len(s), sorted(s)))
    table = np.array([[masi_distance(x, y) for y in sets] for x in sets])
    index = {s: i for i, s in enumerate(sets)}
    numeric = np.array([[NAN if s is None else index[s] for s in row] for row in data])

    def metric(v1, v2, i1, i2, n_v, dtype=np.float64):
        return table[v1.astype(int), v2.astype(int)]

    expected = krippendorff.alpha(numeric.T, level_of_measurement=metric)
    assert krippendorff_alpha(data, "masi") == pytest.approx(expected, abs=1e-12)


def test_masi_level_needs_sets():
    with pytest.raises(AgreementError, match="set-valued"):
        krippendorff_alpha([[1, 2], [2, 2]], "masi")
