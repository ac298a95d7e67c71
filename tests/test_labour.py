"""Labour market tables: retirements, commuting conserves persons, occupations, requalification sums."""

from __future__ import annotations

import numpy as np
import pytest

from retra_model import Scenario, load_region, run
from retra_model import labour as lab
from retra_model.drivers import labour as dl


@pytest.fixture(scope="module", params=["son", "swsn"])
def case(request):
    sc = Scenario.from_file(f"scenarios/{request.param}/baseline.yaml")
    region = load_region(request.param)
    return sc, region, run(sc, region=region)


def test_commuting_conserves_persons(case):
    sc, region, ds = case
    shares = lab.commuting_matrix(region)
    np.testing.assert_allclose(shares.sum("residence").values, 1.0, atol=1e-12)
    assert float(shares.min()) >= 0
    aff = lab.residents_affected(ds, region, 2035, by_driver=True)
    by_work = aff.groupby(["workplace", "driver"])["persons"].sum()
    ch = ds["employment_change"].sel(year=2035).sum("sector").to_series().reorder_levels(["district", "driver"])
    np.testing.assert_allclose(by_work.sort_index().values, ch.sort_index().values, atol=1e-6)


def test_occupation_structure_matches_sector_totals(case):
    sc, region, ds = case
    occ = lab.occupation_structure(region, 0.05)
    np.testing.assert_allclose(occ.sum("occupation").values, region.base().values, rtol=1e-9)
    assert float(occ.min()) >= 0


def test_requalification_identities(case):
    sc, region, ds = case
    t = lab.requalification_table(ds, region, sc.labour, 2035)
    np.testing.assert_allclose(t.displaced, t.placed + t.requalification, atol=1e-9)
    np.testing.assert_allclose(t.openings, t.placed + t.unfilled, atol=1e-9)
    np.testing.assert_allclose(t.jobs_lost, t.absorbed + t.displaced, atol=1e-9)
    assert (t[list(lab.COLUMNS)] >= -1e-9).all().all()
    # jobs lost and growth, summed over occupations, are the sector losses and gains of each district
    emp = ds["employment"]
    ch = (emp.sel(year=2035) - emp.sel(year=region.base_year))
    assert t.jobs_lost.sum() == pytest.approx(float((-ch).clip(min=0).sum()), rel=1e-9)
    assert t.growth.sum() == pytest.approx(float(ch.clip(min=0).sum()), rel=1e-9)


def test_retirement_shares_grow_with_time(case):
    sc, region, ds = case
    r = lab.retirement_shares(region, 66, [2020, 2025, 2035, 2045, 2080])
    assert float(r.sel(year=2020).max()) == 0
    assert bool((r.diff("year") >= 0).all())
    np.testing.assert_allclose(r.sel(year=2080).values, 1.0)


def test_resilience_components_shown(case):
    sc, region, ds = case
    res = lab.resilience(ds, region, sc.labour, [2035])
    assert {"automotive_dependence", "diversity", "age_structure", "unemployment", "commuting"} <= set(res.indicator)
    h = res[res.component == "herfindahl"].value
    assert (h > 1 / 14 - 1e-12).all() and (h <= 1).all()


def test_requalification_pure_function_balances():
    base = np.array([[60.0, 10.0], [40.0, 90.0]])
    out = dl.requalification(base, np.array([-50.0, 20.0]), 0.2, 1.0)
    assert out["jobs_lost"].sum() == pytest.approx(50.0)
    assert out["absorbed"].sum() == pytest.approx(20.0)  # 20 % of 100 retire in the shrinking sector
    assert out["growth"].sum() == pytest.approx(20.0)
    np.testing.assert_allclose(out["displaced"], out["placed"] + out["requalification"])


def test_commuting_shares_conserve():
    s = dl.commuting_shares(np.array([[0.0, 5.0], [7.0, 0.0]]), np.array([50.0, 40.0]), np.array([60.0, 50.0]))
    x = np.array([-10.0, 4.0])
    assert dl.by_residence(x, s).sum() == pytest.approx(x.sum())
