"""Property-based tests over the whole lever space (Hypothesis): the model never produces nonsense.

For any valid scenario — deterministic or an ensemble — employment and GVA are finite and not
negative, the decomposition adds up to the change against the base year, powertrain shares stay in
[0, 1] and add up to 1, and the base year equals the data.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retra_model import ScenarioError, run

share = st.floats(0, 1, allow_nan=False)
rate = st.floats(-0.05, 0.05, allow_nan=False)


def tri(lo, hi):
    """A triangular distribution with its bounds inside [lo, hi]."""
    return st.lists(st.floats(lo, hi, allow_nan=False), min_size=3, max_size=3).map(sorted).map(
        lambda v: {"distribution": "triangular", "low": v[0], "mode": v[1], "high": v[2], "source": "fuzz"})


levers = st.fixed_dictionaries({
    "trend": st.fixed_dictionaries({"half_life": st.floats(0.5, 100), "level_growth": rate | tri(-0.05, 0.05)}),
    "electrification": st.fixed_dictionaries({
        "bev": st.fixed_dictionaries({"midpoint_year": st.floats(2015, 2060), "steepness": st.floats(0.02, 3),
                                      "ceiling": share | tri(0, 1)}),
        "phev": st.fixed_dictionaries({"peak_share": share, "peak_year": st.floats(2015, 2050),
                                       "width": st.floats(0.5, 20)}),
        "fcev": st.fixed_dictionaries({"midpoint_year": st.floats(2020, 2080), "steepness": st.floats(0.02, 3),
                                       "ceiling": share}),
        "labour_intensity": st.fixed_dictionaries({"phev": st.floats(0, 3), "bev": st.floats(0, 3) | tri(0, 3),
                                                   "fcev": st.floats(0, 3)}),
        "district_lead": st.fixed_dictionaries({"99001": st.floats(-20, 20)}),
    }),
    "volume": st.fixed_dictionaries({"output_index": st.dictionaries(st.integers(2021, 2045), st.floats(0, 5),
                                                                     min_size=1, max_size=4),
                                     "productivity_growth": rate | tri(-0.05, 0.05)}),
    "gva": st.fixed_dictionaries({"productivity_growth": rate}),
    "input_output": st.fixed_dictionaries({"flq_delta": st.floats(0, 1) | tri(0, 1),
                                           "scope": st.sampled_from(["region", "district"]),
                                           "induced": st.booleans()}),
    "projects": st.dictionaries(
        st.sampled_from(["p1", "p2"]),
        st.fixed_dictionaries({"label": st.just({"de": "P", "en": "P"}), "district": st.sampled_from(["99001", "99002"]),
                               "sector": st.sampled_from(["vehicles", "electrical", "ict"]),
                               "jobs": st.dictionaries(st.integers(2021, 2045), st.floats(0, 5000), min_size=1, max_size=3),
                               "source": st.just("fuzz")}),
        max_size=2),
})


def check(ds, base_year):
    for var in ("employment", "gva", "employment_change", "gva_change", "powertrain_share"):
        assert np.isfinite(ds[var].values).all(), var
    assert float(ds["employment"].min()) >= -1e-6
    assert float(ds["gva"].min()) >= -1e-6
    share_ = ds["powertrain_share"]
    assert float(share_.min()) >= 0 and float(share_.max()) <= 1 + 1e-12
    np.testing.assert_allclose(share_.sum("powertrain").values, 1.0, atol=1e-9)
    for var in ("employment", "gva"):
        total = ds[var] - ds[var].sel(year=base_year)
        scale = max(1.0, float(abs(ds[var]).max()))
        assert float(abs(ds[f"{var}_change"].sum("driver") - total).max()) <= 1e-9 * scale


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(changes=levers, draws=st.sampled_from([None, 7]), seed=st.integers(0, 2**31))
def test_any_valid_scenario_gives_sane_results(toy, toy_baseline, changes, draws, seed):
    sc = toy_baseline.replace(changes)
    try:
        ds = run(sc, region=toy, draws=draws, seed=seed)
    except ScenarioError as exc:  # the only refusal allowed: a project would take more jobs than exist
        assert "below zero" in str(exc)
        return
    check(ds, toy.base_year)
    np.testing.assert_array_equal(ds["employment"].sel(year=toy.base_year).values,
                                  np.broadcast_to(toy.base().values, ds["employment"].sel(year=toy.base_year).shape))
