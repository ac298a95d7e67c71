"""Infrastructure: no build-out → zero; costs and splits; missing costs are located errors."""

from __future__ import annotations

import numpy as np
import pytest

from retra_model import Scenario, ScenarioError, load_region, run
from retra_model.drivers import infrastructure as infra

BUILD = {"infrastructure": {"items": {"public_ac": {"build_out": {"99001": {2030: 1000}}}}}}


def test_no_build_out_gives_exactly_zero(toy, toy_baseline):
    ds = run(toy_baseline, region=toy)
    assert float(abs(ds["employment_change"].sel(driver="infrastructure")).max()) == 0.0
    assert float(abs(ds["gva_change"].sel(driver="infrastructure")).max()) == 0.0


def test_build_out_creates_jobs_in_the_supplying_sectors_only(toy, toy_baseline):
    ds = run(toy_baseline.replace(BUILD), region=toy)
    ch = ds["employment_change"].sel(driver="infrastructure")
    assert float(ch.sel(district="99001", sector="construction", year=2025)) > 0
    assert float(ch.sel(district="99001", sector="electrical", year=2025)) > 0
    assert float(abs(ch.drop_sel(sector=["construction", "electrical"])).max()) == 0
    assert float(abs(ch.sel(district="99002")).max()) == 0
    # investment stops after 2030 (no O&M figure for AC columns in the data)
    assert float(abs(ch.sel(year=2035)).max()) == 0


def test_investment_arithmetic(toy, toy_baseline):
    # 1000 columns × 10,000 EUR over 10 years = 1 EUR million a year; regional share 0.5 → 0.5
    ds = run(toy_baseline.replace(BUILD), region=toy)
    from retra_model.engine import _io_model

    t, _ = _io_model(toy)
    v = dict(zip(t.sectors, t.gva_per_output, strict=True))
    gva = ds["gva_change"].sel(driver="infrastructure", district="99001", year=2025)
    assert float(gva.sel(sector="electrical")) == pytest.approx(0.5 * 0.5 * v["electrical"])
    assert float(gva.sel(sector="construction")) == pytest.approx(0.5 * 0.5 * v["construction"])


def test_item_without_cost_needs_capex_in_the_scenario(toy, toy_baseline):
    sc = toy_baseline.replace({"infrastructure": {"items": {"grid_reinforcement": {
        "build_out": {"99002": {2030: 20}}, "split": {"construction": 1.0}, "regional_share": 0.5,
        "source": "test"}}}})
    with pytest.raises(ScenarioError, match=r"grid_reinforcement\.capex"):
        run(sc, region=toy)
    ok = sc.replace({"infrastructure": {"items": {"grid_reinforcement": {"capex": "0.5 EUR million"}}}})
    ds = run(ok, region=toy)
    assert float(ds["employment_change"].sel(driver="infrastructure", district="99002").sum()) > 0


def test_split_must_add_up_and_items_are_checked(toy, toy_baseline):
    with pytest.raises(ScenarioError, match="add up to 1"):
        toy_baseline.replace({"infrastructure": {"items": {"public_ac": {"split": {"electrical": 0.7}}}}})
    with pytest.raises(ScenarioError, match="did you mean 'wallbox'"):
        toy_baseline.replace({"infrastructure": {"items": {"walbox": {
            "split": {"electrical": 1.0}, "regional_share": 0.5, "source": "test"}}}})


def test_ondemand_service_hours_give_transport_jobs(toy, toy_baseline):
    sc = toy_baseline.replace({"infrastructure": {"ondemand": {
        "service_hours": {"99002": {2030: 16000}}, "hours_per_job": "1600 hours", "source": "test"}}})
    ds = run(sc, region=toy)
    ch = ds["employment_change"].sel(driver="infrastructure", district="99002", sector="trade_transport")
    assert float(ch.sel(year=2030)) == pytest.approx(10.0)


def test_functions():
    stock = infra.cumulative(np.arange(2020, 2026), {2025: np.array([50.0])}, 2020)
    inv, om = infra.spending(stock, np.array([2.0]), np.array([0.1]))
    assert inv.sum() == pytest.approx(100.0) and om[0, -1] == pytest.approx(5.0)


@pytest.mark.parametrize("region", ["son", "swsn"])
def test_curated_infrastructure_scenario_runs_and_decomposes(region):
    sc = Scenario.from_file(f"scenarios/{region}/infrastructure.yaml")
    r = load_region(region)
    ds = run(sc, region=r)
    assert float(ds["employment_change"].sel(driver="infrastructure", year=2025).sum()) > 0
    total = ds["employment"] - ds["employment"].sel(year=r.base_year)
    assert float(abs(ds["employment_change"].sum("driver") - total).max()) < 1e-6


def test_an_uncertain_build_out_centred_on_zero_is_drawn(toy, toy_baseline):
    """A build-out of triangular(0, 0, 20000) is 0 in a deterministic run but not in the draws
    (it was skipped because its centre is 0)."""
    tri = {"distribution": "triangular", "low": 0, "mode": 0, "high": 20000, "source": "test"}
    sc = toy_baseline.replace({"infrastructure": {"items": {"wallbox": {"build_out": {"99001": {"2030": tri}}}}}})
    det = run(sc, region=toy)
    ens = run(sc, region=toy, draws=50, seed=1)
    assert float(abs(det["employment_change"].sel(driver="infrastructure")).max()) == 0
    assert float(ens["employment_change"].sel(driver="infrastructure").max()) > 0
