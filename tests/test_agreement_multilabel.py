"""Project-level (multi-label) agreement: per code, overall, disagreements, the model as coder."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from codewell.agreement import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    model_agreement,
    multilabel_agreement,
)
from codewell.errors import AgreementError

CODES = ["understanding", "communication", "anxiety"]
ANA = {
    "r1": frozenset({"understanding", "communication"}),
    "r2": frozenset({"understanding"}),
    "r3": frozenset(),
    "r4": frozenset({"anxiety"}),
    "r5": frozenset({"understanding", "anxiety"}),
    "r6": frozenset({"communication"}),
}
BEN = {
    "r1": frozenset({"understanding"}),
    "r2": frozenset({"understanding"}),
    "r3": frozenset(),
    "r4": frozenset({"anxiety", "communication"}),
    "r5": frozenset({"understanding", "anxiety"}),
    "r6": frozenset({"communication"}),
    "r7": frozenset({"anxiety"}),  # Ana has not finished r7: it is left out
}


def column(codings, code, units):
    return [int(code in codings[u]) for u in units]


def test_per_code_figures_and_two_by_two_table():
    result = multilabel_agreement({"ana": ANA, "ben": BEN}, CODES)
    assert result.units == ("r1", "r2", "r3", "r4", "r5", "r6")
    item = result.per_code["communication"]
    # ana applied it to r1 and r6, ben to r4 and r6.
    assert item.table == ((1, 1), (1, 3))
    assert item.n == 6
    assert item.prevalence == pytest.approx(4 / 12)
    pairs = np.array([column(ANA, "communication", result.units),
                      column(BEN, "communication", result.units)]).T
    assert item.coefficients["cohen_kappa"] == pytest.approx(cohen_kappa(pairs))
    assert item.coefficients["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(pairs))
    assert item.coefficients["percent_agreement"] == pytest.approx(4 / 6)


def test_overall_figures():
    result = multilabel_agreement({"ana": ANA, "ben": BEN}, CODES)
    units = result.units
    stacked = np.array([[int(c in ANA[u]), int(c in BEN[u])] for u in units for c in CODES])
    assert result.overall["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(stacked))
    assert result.overall["percent_agreement"] == pytest.approx(16 / 18)
    sets = np.empty((len(units), 2), dtype=object)
    for i, u in enumerate(units):
        sets[i] = [ANA[u], BEN[u]]
    assert result.overall["masi_alpha"] == pytest.approx(krippendorff_alpha(sets, "masi"))
    kappas = [result.per_code[c].coefficients["cohen_kappa"] for c in CODES]
    assert result.overall["mean_kappa"] == pytest.approx(np.mean(kappas))
    # Pooled kappa (De Vries et al. 2008): mean p_o and mean p_e across codes.
    p_o, p_e = [], []
    for code in CODES:
        (both, a_only), (b_only, neither) = result.per_code[code].table
        n = both + a_only + b_only + neither
        p_o.append((both + neither) / n)
        p_e.append(((both + a_only) * (both + b_only) + (b_only + neither) * (a_only + neither)) / n**2)
    pooled = (np.mean(p_o) - np.mean(p_e)) / (1 - np.mean(p_e))
    assert result.overall["pooled_kappa"] == pytest.approx(pooled)


def test_masi_variant_can_be_chosen():
    default = multilabel_agreement({"ana": ANA, "ben": BEN}, CODES)
    dkpro = multilabel_agreement({"ana": ANA, "ben": BEN}, CODES, masi="dkpro")
    assert dkpro.overall["masi_alpha"] != default.overall["masi_alpha"]
    assert dkpro.overall["krippendorff_alpha"] == default.overall["krippendorff_alpha"]


def test_to_dict_has_the_documented_shape_and_is_strict_json():
    result = multilabel_agreement({"ana": ANA, "ben": BEN}, CODES, ci=True, n_boot=200)
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["coders"] == ["ana", "ben"] and data["n_units"] == 6
    item = data["codes"]["communication"]
    for key in ("n", "prevalence", "percent_agreement", "cohen_kappa", "fleiss_kappa", "scott_pi",
                "krippendorff_alpha", "gwet_ac1", "brennan_prediger", "table", "reading"):
        assert key in item
    assert item["table"] == [[1, 1], [1, 3]]
    low, high = item["cohen_kappa_ci"]
    assert low <= high
    for key in ("krippendorff_alpha", "masi_alpha", "mean_kappa", "pooled_kappa",
                "percent_agreement", "n_units", "krippendorff_alpha_ci"):
        assert key in data["overall"]


def test_intervals_are_reproducible_with_a_seed():
    one = multilabel_agreement({"ana": ANA, "ben": BEN}, CODES, ci=True, seed=3, n_boot=100)
    two = multilabel_agreement({"ana": ANA, "ben": BEN}, CODES, ci=True, seed=3, n_boot=100)
    assert one.to_dict() == two.to_dict()


def test_disagreements_list_each_response_and_code():
    result = multilabel_agreement({"ana": ANA, "ben": BEN}, CODES)
    assert result.disagreements() == [
        ("r1", "communication", {"ana": True, "ben": False}),
        ("r4", "communication", {"ana": False, "ben": True}),
    ]


def test_three_coders_use_fleiss_and_no_table():
    cai = dict(ANA, r1=frozenset({"understanding"}))
    result = multilabel_agreement({"ana": ANA, "ben": BEN, "cai": cai}, CODES)
    item = result.per_code["communication"]
    assert item.coefficients["cohen_kappa"] is None and item.table is None
    matrix = np.array([column(c, "communication", result.units) for c in (ANA, BEN, cai)]).T
    assert item.coefficients["fleiss_kappa"] == pytest.approx(fleiss_kappa(matrix))
    data = result.to_dict()
    assert data["codes"]["communication"]["cohen_kappa"] is None
    assert "table" not in data["codes"]["communication"]


def test_a_code_nobody_applied_is_undefined_not_an_error():
    result = multilabel_agreement({"ana": ANA, "ben": BEN}, [*CODES, "adherence"])
    kappa = result.per_code["adherence"].coefficients["cohen_kappa"]
    assert math.isnan(kappa) and kappa.reason
    assert result.per_code["adherence"].coefficients["gwet_ac1"] == 1.0
    assert result.to_dict()["codes"]["adherence"]["cohen_kappa"] is None
    assert "cohen_kappa" in result.to_dict()["codes"]["adherence"]["undefined"]
    # The pooled kappa stays defined: the empty code adds p_o = p_e = 1 to the means.
    assert not math.isnan(result.overall["pooled_kappa"])


def test_codes_outside_the_list_are_ignored():
    extra = {u: s | {"privacy"} for u, s in ANA.items()}
    result = multilabel_agreement({"ana": extra, "ben": BEN}, CODES)
    assert result.overall["masi_alpha"] == multilabel_agreement(
        {"ana": ANA, "ben": BEN}, CODES).overall["masi_alpha"]


@pytest.mark.parametrize(("codings", "message"), [
    ({"ana": ANA}, "at least two coders"),
    ({"ana": {"r1": frozenset()}, "ben": {"r2": frozenset()}}, "no response was coded by all"),
    ({"ana": {"r1": frozenset()}, "ben": {"r1": frozenset()}}, "only 1 unit"),
])
def test_unusable_codings_raise(codings, message):
    with pytest.raises(AgreementError, match=message):
        multilabel_agreement(codings, CODES)


def test_model_as_pseudo_coder():
    result = model_agreement(ANA, BEN, CODES, coder="ben")
    assert result.coders == ("model", "ben")
    assert result.per_code["communication"].table == ((1, 1), (1, 3))
