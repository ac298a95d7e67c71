"""The regional input-output model: Leontief identity, reference multipliers, FLQ bounds, zero in → zero out."""

from __future__ import annotations

import numpy as np
import pytest

from retra_model import load_region, run
from retra_model.drivers import input_output as io
from retra_model.engine import _io_model


@pytest.fixture(scope="module")
def table(toy):
    return _io_model(toy)


def test_leontief_identity(table):
    t, _ = table
    a = t.coefficients
    np.testing.assert_allclose((np.eye(len(a)) - a) @ io.leontief(a), np.eye(len(a)), atol=1e-12)


def test_national_type_one_multiplier_of_vehicles(table):
    t, _ = table
    m = io.leontief(t.coefficients).sum(axis=0)
    # the data build reports 2.047 at the 14 model sectors (2.027 at 72 groups); rounding of the report
    assert m[t.sectors.index("vehicles")] == pytest.approx(2.047, abs=5e-4)


def test_national_employment_adds_up_to_published_svb(toy, table):
    t, ne = table
    svb = toy.national.employment
    tot = svb.loc[(svb.year == toy.base_year) & (svb.wz_group == "TOTAL"), "value"].iloc[0]
    # TOTAL includes about 1,500-1,900 persons without a WZ assignment (data/national/README.md)
    assert ne.sum() == pytest.approx(tot, abs=2000)


@pytest.mark.parametrize("region", ["son", "swsn"])
def test_regional_multipliers_between_one_and_national(region):
    r = load_region(region)
    t, ne = _io_model(r)
    m = io.multipliers(t, r.base().transpose("district", "sector").to_pandas(), ne, 0.3)
    nat = m[m.scope == "national"].set_index("sector")
    for scope in ("region", "district"):
        sub = m[m.scope == scope]
        assert (sub.type_I >= 1.0).all() and (sub.type_II >= sub.type_I - 1e-12).all()
        assert (sub.type_I.to_numpy() <= nat.loc[sub.sector, "type_I"].to_numpy() + 1e-12).all()
        assert (sub.type_II.to_numpy() <= nat.loc[sub.sector, "type_II"].to_numpy() + 1e-12).all()


def test_larger_delta_gives_smaller_multipliers(toy, table):
    t, ne = table
    reg = toy.base().transpose("district", "sector").values
    inv = io.regional_inverses(t, reg, ne, np.array([0.1, 0.2, 0.3, 0.4]))
    m1 = inv.type1.sum(axis=-2)  # (delta, district, sector)
    m2 = inv.type2.sum(axis=-2)
    assert (np.diff(m1, axis=0) <= 1e-12).all() and (np.diff(m2, axis=0) <= 1e-12).all()
    assert (np.diff(m1, axis=0) < 0).any()


def test_delta_zero_and_the_whole_nation_give_the_national_table(table):
    t, ne = table
    inv = io.regional_inverses(t, ne[None, :], ne, np.array([0.3]), induced=False)
    # a "region" that is the whole nation: SLQ = 1, λ = log2(2)^δ = 1, FLQ capped at 1 → national
    np.testing.assert_allclose(inv.type1[0, 0], io.leontief(t.coefficients), atol=1e-12)


def test_flq_cap_and_diagonal():
    slq = np.array([2.0, 0.5, 0.0])
    f = io.flq(slq, np.array(0.5))
    assert f[0, 1] == pytest.approx(2.0) and f[1, 0] == pytest.approx(0.125)
    np.testing.assert_allclose(np.diag(f), 0.5 * slq)
    r = io.regional_coefficients(np.full((3, 3), 0.1), f)
    assert r.max() <= 0.1 and (r[2] == 0).all()


def test_zero_direct_change_gives_zero_indirect_and_induced(toy, toy_neutral):
    ds = run(toy_neutral, region=toy)
    for d in ("indirect", "induced", "infrastructure"):
        # the neutral drivers leave float noise of ~1e-13 persons (log of factors equal to 1)
        assert float(abs(ds["employment_change"].sel(driver=d)).max()) < 1e-9
        assert float(abs(ds["gva_change"].sel(driver=d)).max()) < 1e-9


def test_zero_demand_gives_exactly_zero(table, toy):
    t, ne = table
    reg = toy.base().transpose("district", "sector").values
    for r in (reg, reg.sum(axis=0, keepdims=True)):
        inv = io.regional_inverses(t, r, ne, np.array([0.2, 0.3]))
        ind, indu = io.effects(inv, np.zeros((2, 2, len(t.sectors), 4)), io.allocation_shares(reg))
        assert not ind.any() and not indu.any()


def test_indirect_follows_direct_sign_and_trend_does_not_propagate(toy, toy_baseline):
    ds = run(toy_baseline, region=toy)
    direct = ds["employment_change"].sel(driver=["electrification", "volume", "projects"]).sum(["driver", "sector"])
    indirect = ds["employment_change"].sel(driver="indirect").sum(["district", "sector"])
    assert float(indirect.sel(year=toy.base_year)) == 0.0
    assert bool(((indirect * direct.sum("district")) >= 0).all())
    # the trend alone (electrification and volume neutral) gives no indirect effect
    only_trend = toy_baseline.replace({"electrification": {"labour_intensity": {"phev": 1, "bev": 1, "fcev": 1}},
                                       "volume": {"productivity_growth": 0}})
    ds2 = run(only_trend, region=toy)
    assert float(abs(ds2["employment_change"].sel(driver="indirect")).max()) < 1e-9


def test_no_input_output_section_means_no_indirect(toy, toy_baseline):
    data = toy_baseline.to_dict()
    data.pop("input_output")
    from retra_model import Scenario

    sc = Scenario.from_dict(data, context=toy.codelists())
    ds = run(sc, region=toy)
    assert float(abs(ds["employment_change"].sel(driver=["indirect", "induced"])).max()) == 0.0


@pytest.mark.parametrize("scope", ["region", "district"])
def test_induced_switch_and_scopes(toy, toy_baseline, scope):
    on = run(toy_baseline.replace({"input_output": {"scope": scope}}), region=toy)
    off = run(toy_baseline.replace({"input_output": {"scope": scope, "induced": False}}), region=toy)
    assert float(abs(off["employment_change"].sel(driver="induced")).max()) == 0.0
    assert float(abs(on["employment_change"].sel(driver="induced")).max()) > 0.0
    np.testing.assert_allclose(on["employment_change"].sel(driver="indirect"),
                               off["employment_change"].sel(driver="indirect"))


def test_region_scope_conserves_regional_output(toy, table):
    t, ne = table
    reg = toy.base().transpose("district", "sector").values
    inv = io.regional_inverses(t, reg.sum(axis=0, keepdims=True), ne, np.array([0.3]))
    demand = np.zeros((1, 2, len(t.sectors), 3))
    demand[0, 0, 0, 1:] = [-10.0, -20.0]
    ind, indu = io.effects(inv, demand, io.allocation_shares(reg))
    expected = (inv.type1[0, 0] - np.eye(len(t.sectors))) @ demand[0].sum(axis=0)
    np.testing.assert_allclose(ind[0].sum(axis=0), expected, atol=1e-12)


def test_uncertain_delta_varies_the_indirect_effect(toy, toy_baseline):
    # indirect effects come from changes of output only: a volume cut
    cut = toy_baseline.replace({"volume": {"output_index": {2030: 0.8}}})
    ds = run(cut, region=toy, draws=40, seed=2)
    ind = ds["employment_change"].sel(driver="indirect", year=2035).sum(["district", "sector"])
    assert float(ind.std()) > 0
