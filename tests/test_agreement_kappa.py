"""Kappa-type coefficients against published and textbook examples, and their edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from codewell.agreement import (
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    percent_agreement,
    scott_pi,
)
from codewell.errors import AgreementError

NAN = float("nan")

# Fleiss (1971), Table 1: six psychiatrists' diagnoses of 30 patients, as the number of raters
# choosing each category (depression, personality disorder, schizophrenia, neurosis, other).
FLEISS_1971 = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]

# The worked example of Fleiss' kappa on Wikipedia: 14 raters, 10 subjects, 5 categories.
FOURTEEN_RATERS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]


def units_from_counts(counts):
    """Subjects x categories counts -> subjects x raters table of category numbers."""
    return np.array([np.repeat(np.arange(1, len(row) + 1), row) for row in counts])


def units_from_crosstab(table):
    """A two-coder contingency table (rows: coder A, columns: coder B) -> units x 2."""
    pairs = [(i, j) for i, row in enumerate(table) for j, n in enumerate(row) for _ in range(n)]
    return np.array(pairs)


def test_fleiss_1971_diagnoses():
    value = fleiss_kappa(units_from_counts(FLEISS_1971))
    assert round(value, 3) == 0.430
    assert value.n_units == 30


def test_fleiss_fourteen_raters_example():
    assert round(fleiss_kappa(units_from_counts(FOURTEEN_RATERS)), 3) == 0.210


def test_cohen_two_by_two_textbook():
    # 50 proposals read by two reviewers: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    # p_o = 0.70, p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.50, kappa = 0.40.
    data = units_from_crosstab([[20, 5], [10, 15]])
    assert cohen_kappa(data) == pytest.approx(0.4)
    assert percent_agreement(data) == pytest.approx(0.7)
    # Scott: pooled shares 0.55 / 0.45, p_e = 0.505, pi = 0.195 / 0.495.
    assert scott_pi(data) == pytest.approx(0.195 / 0.495)


def test_cohen_three_categories_fleiss_textbook():
    # Fleiss (1981), Statistical Methods for Rates and Proportions: 100 patients diagnosed by
    # two psychiatrists as psychotic / neurotic / organic. p_o = 0.89, p_e = 0.66, kappa = 0.68.
    data = units_from_crosstab([[75, 1, 4], [5, 4, 1], [0, 0, 10]])
    value = cohen_kappa(data)
    assert round(value, 2) == 0.68
    assert value == pytest.approx(0.23 / 0.34)
    assert value.n_units == 100


def test_weighted_kappa_by_hand():
    # Three ordered categories; observed |gap| mean and its chance expectation by hand.
    data = units_from_crosstab([[10, 4, 1], [3, 12, 5], [0, 2, 13]])
    n = 50
    p_a = np.array([15, 20, 15]) / n
    p_b = np.array([13, 18, 19]) / n
    gaps = np.abs(np.subtract.outer(np.arange(3), np.arange(3)))
    observed = (np.array([[10, 4, 1], [3, 12, 5], [0, 2, 13]]) * gaps).sum() / n
    expected = (np.outer(p_a, p_b) * gaps).sum()
    assert cohen_kappa(data, "linear") == pytest.approx(1 - observed / expected)
    observed_q = (np.array([[10, 4, 1], [3, 12, 5], [0, 2, 13]]) * gaps ** 2).sum() / n
    expected_q = (np.outer(p_a, p_b) * gaps ** 2).sum()
    assert cohen_kappa(data, "quadratic") == pytest.approx(1 - observed_q / expected_q)


# Krippendorff (2011) reliability data: 4 coders, 12 units, missing values.
K2011 = np.array([
    [1, 1, NAN, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [NAN, 5, 5, 5], [NAN, NAN, 1, 1],
    [NAN, 3, NAN, NAN],
])


def test_multi_coder_coefficients_with_missing_values():
    # Pairwise agreement per unit averaged over the 11 pairable units: 8 units agree fully,
    # units 2 and 8 have 3 of 6 pairs agreeing, unit 6 none: (8 + 0.5 + 0.5 + 0) / 11.
    assert percent_agreement(K2011) == pytest.approx(9 / 11)
    assert percent_agreement(K2011, "all") == pytest.approx(8 / 11)
    # Gwet's AC1 on this data is 0.7754 in Gwet's irrCAC (cac.raw4raters), with p_a = 0.8182.
    assert round(gwet_ac1(K2011), 4) == 0.7754
    # Brennan-Prediger with q = 5 categories seen: (p_a - 1/5) / (1 - 1/5).
    assert brennan_prediger(K2011) == pytest.approx((9 / 11 - 0.2) / 0.8)
    assert brennan_prediger(K2011, n_categories=10) == pytest.approx((9 / 11 - 0.1) / 0.9)


def test_coefficients_are_proportions_not_percentages():
    data = units_from_crosstab([[20, 5], [10, 15]])
    for fn in (percent_agreement, cohen_kappa, scott_pi, fleiss_kappa, gwet_ac1, brennan_prediger):
        assert -1.0 <= fn(data) <= 1.0


def test_all_coders_always_agree_on_one_category():
    data = [["a", "a"], ["a", "a"], ["a", "a"]]
    assert percent_agreement(data) == 1.0
    for fn in (cohen_kappa, scott_pi, fleiss_kappa):
        value = fn(data)
        assert math.isnan(value) and "chance agreement is 1" in value.reason
    assert math.isnan(gwet_ac1(data)) and "q = 1" in gwet_ac1(data).reason
    # With the coding scheme's real size, AC1 and Brennan-Prediger are defined (and perfect).
    assert gwet_ac1(data, n_categories=2) == 1.0
    assert brennan_prediger(data, n_categories=2) == 1.0


def test_defined_values_have_no_reason():
    value = cohen_kappa(units_from_crosstab([[20, 5], [10, 15]]))
    assert value.reason is None and value.defined


def test_two_coder_coefficients_refuse_three_coders():
    with pytest.raises(AgreementError, match="two coders"):
        cohen_kappa([[1, 1, 1], [2, 2, 1]])
    with pytest.raises(AgreementError, match="two coders"):
        scott_pi([[1, 1, 1], [2, 2, 1]])


def test_cohen_needs_two_units_coded_by_both():
    with pytest.raises(AgreementError, match="only 1 unit"):
        cohen_kappa([[1, 1], [2, NAN], [NAN, 1]])


def test_one_coder_is_an_error():
    with pytest.raises(AgreementError, match="at least two coders"):
        fleiss_kappa([[1], [2]])


def test_options_are_validated():
    data = units_from_crosstab([[20, 5], [10, 15]])
    with pytest.raises(ValueError, match="method"):
        percent_agreement(data, "majority")
    with pytest.raises(ValueError, match="weights"):
        cohen_kappa(data, "cubic")
    with pytest.raises(ValueError, match="n_categories"):
        gwet_ac1(data, n_categories=1)
