"""Sample planning after Krippendorff, and the warnings that say what an agreement rests on."""

from __future__ import annotations

import pytest

from codewell.agreement import multilabel_agreement
from codewell.agreement.planning import minimum_units, overlap_warnings, plan_sample


@pytest.mark.parametrize(("p", "alpha_min", "level", "units"), [
    (0.25, 0.800, 0.05, 139),   # Krippendorff's table, as quoted with Bloch & Kraemer's formula
    (0.25, 0.667, 0.05, 81),
])
def test_published_sample_sizes(p: float, alpha_min: float, level: float, units: int) -> None:
    assert minimum_units(p, alpha_min=alpha_min, level=level) == units


def test_the_rarer_category_drives_the_number_and_it_is_symmetric() -> None:
    assert minimum_units(0.1) > minimum_units(0.25) > minimum_units(0.5)
    assert minimum_units(0.1) == minimum_units(0.9)
    assert minimum_units(0.25, coders=3) > minimum_units(0.25)
    assert minimum_units(0.0) == minimum_units(0.01)    # floored: never infinite


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"alpha_min": 1.0}, "alpha_min"), ({"level": 0.7}, "level"), ({"coders": 1}, "coders")])
def test_bad_parameters_are_named(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        minimum_units(0.3, **kwargs)


def test_plan_puts_the_largest_need_first() -> None:
    plans = plan_sample({"common": (0.5, "observed"), "rare": (0.05, "expected")})
    assert [p.code for p in plans] == ["rare", "common"]
    assert plans[0].reason.startswith("expected prevalence 5%")


def _agreement(n: int, positives: int):
    ids = [f"r{i}" for i in range(n)]
    ana = {rid: frozenset({"anxiety"}) if i < positives else frozenset({"understanding"}) for i, rid in enumerate(ids)}
    ben = dict(ana)
    ben[ids[-1]] = frozenset()
    return multilabel_agreement({"ana": ana, "ben": ben}, ["anxiety", "understanding"], ci=True, n_boot=200)


def test_a_four_response_overlap_warns() -> None:
    warnings = overlap_warnings(_agreement(4, 2))
    assert warnings[0] == ("agreement rests on 4 responses that every coder finished; "
                           "at least 30 are needed before it means much")
    assert "alpha for anxiety rests on 2 positive responses (fewer than 5)" in warnings
    assert any(w.startswith("alpha for understanding has a confidence interval of ±") for w in warnings)


def test_sixty_well_spread_responses_do_not_warn() -> None:
    assert overlap_warnings(_agreement(60, 30)) == []
