"""Property-based tests over the whole lever space (Hypothesis): the model never produces nonsense.

For any valid scenario — every lever anywhere between the bounds of the table of levers
(``retra_model/levers.csv``, through :func:`retra_model.testing.lever_values`), deterministic or an ensemble — employment and GVA are finite and not
negative, the decomposition adds up to the change against the base year, powertrain shares stay in
[0, 1] and add up to 1, and the base year equals the data.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retra_model import ScenarioError, run
from retra_model.testing import lever_values

def lever(key, distributions=False):
    """Values anywhere between the lever's bounds, as the table of levers declares them."""
    return lever_values(key, distributions=distributions)


def plausible(key):
    return lever_values(key, within="plausible")


levers = st.fixed_dictionaries({
    "trend": st.fixed_dictionaries({"half_life": lever("trend.half_life"),
                                    "level_growth": lever("trend.level_growth", True)}),
    "electrification": st.fixed_dictionaries({
        "bev": st.fixed_dictionaries({"midpoint_year": lever("electrification.bev.midpoint_year"),
                                      "steepness": lever("electrification.bev.steepness"),
                                      "ceiling": lever("electrification.bev.ceiling", True)}),
        "phev": st.fixed_dictionaries({"peak_share": lever("electrification.phev.peak_share"),
                                       "peak_year": lever("electrification.phev.peak_year"),
                                       "width": lever("electrification.phev.width")}),
        "fcev": st.fixed_dictionaries({"midpoint_year": lever("electrification.fcev.midpoint_year"),
                                       "steepness": lever("electrification.fcev.steepness"),
                                       "ceiling": lever("electrification.fcev.ceiling")}),
        "labour_intensity": st.fixed_dictionaries({p: lever(f"electrification.labour_intensity.{p}", p == "bev")
                                                   for p in ("phev", "bev", "fcev")}),
        "district_lead": st.fixed_dictionaries({"99001": lever("electrification.district_lead.*")}),
    }),
    "volume": st.fixed_dictionaries({"output_index": st.dictionaries(st.integers(2021, 2045),
                                                                     lever("volume.output_index.*"),
                                                                     min_size=1, max_size=4),
                                     "productivity_growth": lever("volume.productivity_growth", True)}),
    "gva": st.fixed_dictionaries({"productivity_growth": lever("gva.productivity_growth")}),
    "input_output": st.fixed_dictionaries({"flq_delta": lever("input_output.flq_delta", True),
                                           "scope": st.sampled_from(["region", "district"]),
                                           "induced": st.booleans()}),
    "projects": st.dictionaries(
        st.sampled_from(["p1", "p2"]),
        st.fixed_dictionaries({"label": st.just({"de": "P", "en": "P"}), "district": st.sampled_from(["99001", "99002"]),
                               "sector": st.sampled_from(["vehicles", "electrical", "ict"]),
                               "jobs": st.dictionaries(st.integers(2021, 2045), plausible("projects.*.jobs.*"),
                                                       min_size=1, max_size=3),
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
