"""Property tests: codewell's coefficients agree with independent implementations on random data
(scikit-learn, statsmodels, the krippendorff package; test-only dependencies) and behave as
coefficients must (symmetry, invariance, bounds, degenerate data)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from codewell.agreement import (
    as_ratings,
    bootstrap_intervals,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from codewell.agreement.alpha import alpha_estimator
from codewell.errors import AgreementError

# The reference implementations (scikit-learn, statsmodels, krippendorff) are imported by the
# tests that use them, and these tests share one worker: the other workers never load them.
pytestmark = pytest.mark.xdist_group("agreement_references")

SETTINGS = settings(max_examples=60, deadline=None)
TOL = 1e-9


def complete(n_coders=st.integers(2, 5), n_categories=5):
    return st.tuples(st.integers(2, 40), n_coders).flatmap(
        lambda shape: arrays(np.int64, shape, elements=st.integers(0, n_categories - 1)))


@st.composite
def with_missing(draw, n_categories=6):
    shape = (draw(st.integers(2, 30)), draw(st.integers(2, 5)))
    values = draw(arrays(np.int64, shape, elements=st.integers(0, n_categories - 1))).astype(float)
    holes = draw(arrays(np.bool_, shape, elements=st.booleans()))
    values[holes & (draw(st.floats(0, 1)) > 0.3)] = np.nan
    return values


def undefined_or(value, expected):
    if math.isnan(expected):
        return math.isnan(value)
    return value == pytest.approx(expected, abs=TOL)


@SETTINGS
@given(complete(n_coders=st.just(2)), st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_matches_scikit_learn(data, weights):
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cohen_kappa_score(data[:, 0], data[:, 1], weights=weights)
    assume(not math.isnan(expected))
    assert cohen_kappa(data, weights) == pytest.approx(expected, abs=TOL)


@SETTINGS
@given(complete())
def test_fleiss_matches_statsmodels(data):
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

    table, _ = aggregate_raters(data)
    with np.errstate(all="ignore"):
        expected = sm_fleiss_kappa(table)
    assert undefined_or(fleiss_kappa(data), expected)


@SETTINGS
@given(complete(n_coders=st.just(2)))
def test_fleiss_equals_scott_for_two_coders_on_complete_data(data):
    assert undefined_or(fleiss_kappa(data), scott_pi(data))


@SETTINGS
@given(complete(n_coders=st.just(2)))
def test_ac1_matches_gwets_two_rater_formula(data):
    categories = np.unique(data)
    assume(len(categories) >= 2)
    p_a = np.array([(data[:, 0] == c).mean() for c in categories])
    p_b = np.array([(data[:, 1] == c).mean() for c in categories])
    pi = (p_a + p_b) / 2
    p_e = (pi * (1 - pi)).sum() / (len(categories) - 1)
    p_o = (data[:, 0] == data[:, 1]).mean()
    assert gwet_ac1(data) == pytest.approx((p_o - p_e) / (1 - p_e), abs=TOL)


@SETTINGS
@given(with_missing(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_matches_the_krippendorff_package(data, level):
    import krippendorff

    try:
        ours = krippendorff_alpha(data, level)
    except AgreementError:
        assume(False)
    assume(not math.isnan(ours))
    expected = krippendorff.alpha(data.T, level_of_measurement=level)
    assert ours == pytest.approx(expected, abs=TOL)


@SETTINGS
@given(with_missing(), st.randoms(use_true_random=False))
def test_order_of_coders_and_units_does_not_matter(data, rnd):
    units = list(range(data.shape[0]))
    coders = list(range(data.shape[1]))
    rnd.shuffle(units)
    rnd.shuffle(coders)
    shuffled = data[units][:, coders]
    for fn in (krippendorff_alpha, fleiss_kappa, gwet_ac1, percent_agreement):
        try:
            before = fn(data)
        except AgreementError:
            return
        assert undefined_or(fn(shuffled), before)


@SETTINGS
@given(with_missing(), st.permutations(range(6)))
def test_renaming_categories_does_not_change_nominal_coefficients(data, names):
    renamed = np.array([[np.nan if np.isnan(v) else f"code {names[int(v)]}" for v in row]
                        for row in data], dtype=object)
    for fn in (krippendorff_alpha, fleiss_kappa, gwet_ac1, percent_agreement):
        try:
            before = fn(data)
        except AgreementError:
            return
        assert undefined_or(fn(renamed), before)


@SETTINGS
@given(with_missing(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_is_at_most_one(data, level):
    try:
        value = krippendorff_alpha(data, level)
    except AgreementError:
        return
    assert math.isnan(value) or value <= 1.0 + TOL


@SETTINGS
@given(arrays(np.int64, st.integers(2, 30), elements=st.integers(0, 4)), st.integers(2, 5))
def test_identical_coders_agree_perfectly(column, n_coders):
    assume(len(set(column.tolist())) >= 2)
    data = np.repeat(column[:, None], n_coders, axis=1)
    assert krippendorff_alpha(data) == pytest.approx(1.0)
    assert fleiss_kappa(data) == pytest.approx(1.0)
    assert percent_agreement(data) == 1.0
    if n_coders == 2:
        assert cohen_kappa(data) == pytest.approx(1.0)


@SETTINGS
@given(st.integers(2, 30), st.integers(2, 5), st.integers(0, 9))
def test_one_category_gives_nan_with_a_reason_not_an_exception(n_units, n_coders, category):
    data = np.full((n_units, n_coders), category)
    for fn in (krippendorff_alpha, fleiss_kappa):
        value = fn(data)
        assert math.isnan(value) and value.reason


@settings(max_examples=15, deadline=None)
@given(with_missing(), st.integers(0, 2**31))
def test_bootstrap_is_seeded_and_ordered(data, seed):
    try:
        estimator = alpha_estimator(as_ratings(data), "nominal")
    except AgreementError:
        return
    first = bootstrap_intervals([estimator], n_boot=50, seed=seed)
    again = bootstrap_intervals([estimator], n_boot=50, seed=seed)
    assert first == again or all(math.isnan(v) for v in first[0])
    low, high = first[0]
    assert math.isnan(low) or low <= high
