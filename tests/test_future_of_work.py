"""Future of work: population projection, labour supply, commuting, balance and requalification need."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from retra_model import Scenario, load_region, run
from retra_model import demography as dm
from retra_model import labour as lab
from retra_model.drivers import labour as dl
from retra_model.errors import DataError


@pytest.fixture(scope="module", params=["son", "swsn"])
def case(request):
    sc = Scenario.from_file(f"scenarios/{request.param}/baseline.yaml")
    region = load_region(request.param)
    ds = run(sc, region=region)
    return sc, region, ds, lab.future_of_work(ds, sc, region)


# --- demography -------------------------------------------------------------------------


def test_projection_starts_at_the_published_population(case):
    sc, region, ds, fow = case
    pop = lab.population_projection(region)
    published = region.tables["population"]
    published = published[published["year"] == 2020].groupby("district")["value"].sum()
    start = pop.sel(year=2020).sum("age_band").transpose("district", "variant").to_pandas()
    for v in ("low", "moderate", "high"):  # rounding to 0.1 person per band
        np.testing.assert_allclose(start[v].reindex(published.index), published.values, atol=2.0)
    assert float(pop.min()) >= 0
    # the variants are ordered: more migration and births, more people
    tot = pop.sel(year=2045).sum(("district", "age_band"))
    assert float(tot.sel(variant="low")) < float(tot.sel(variant="moderate")) < float(tot.sel(variant="high"))


def test_single_years_conserve_persons():
    p = np.array([[3.0, 7.0, 11.0]])
    out = dm.single_years(np.array([0, 3, 10]), np.array([3, 10, np.inf]), p)
    assert out.sum() == pytest.approx(p.sum())
    assert (out >= 0).all()


def test_projection_without_births_deaths_or_migration_only_ages():
    pop0 = np.zeros((2, dm.TOP + 1))
    pop0[:, 30] = 100.0
    out = dm.project(pop0, 5, np.ones((2, dm.TOP + 1)), np.zeros(dm.TOP + 1), np.zeros_like(pop0))
    assert out[5, :, 35].tolist() == [100.0, 100.0]
    assert out[5].sum() == pytest.approx(200.0)


def test_residual_migration_reproduces_the_observed_change():
    surv = np.stack([dm.survival(*dm.fit_gompertz(78.6, 17.9)), dm.survival(*dm.fit_gompertz(83.4, 21.1))])
    rng = np.random.default_rng(1)
    start = rng.uniform(500, 1500, (2, dm.TOP + 1))
    end = rng.uniform(500, 1500, (2, dm.TOP + 1))
    mig = dm.residual_migration(start, end, surv, 4)
    # projecting 4 years without births, with the residual migrants spread over the years, ends near `end`
    got = dm.project(start, 4, surv, np.zeros(dm.TOP + 1), mig)[-1]
    assert abs(got[:, 10:90].sum() - end[:, 10:90].sum()) / end[:, 10:90].sum() < 0.01


# --- supply -----------------------------------------------------------------------------


def test_supply_by_age_sums_to_the_projection(case):
    sc, region, ds, fow = case
    pop = lab.population_projection(region).sel(variant="moderate")  # deterministic run: the moderate variant
    rates, fit = lab.employment_rates(region, lab.population_projection(region))
    g = lab.value_of(sc.labour.participation_growth)
    years = fow["year"].values
    growth = (1 + g) ** np.maximum(years - fit, 0)
    expected = (pop.sel(year=years).transpose("district", "year", "age_band").values
                * np.minimum(rates.values[:, None, :] * growth[None, :, None], 1.0))
    np.testing.assert_allclose(fow["supply_by_age"].transpose("district", "year", "age_band").values, expected,
                               rtol=1e-12)
    np.testing.assert_allclose(fow["supply_by_age"].sum("age_band"), fow["supply_residence"], rtol=1e-12)
    working = pop.sel(year=years, age_band=[b for b in pop["age_band"].values if 15 <= b < 67]).sum("age_band")
    np.testing.assert_allclose(fow["population_15_66"].values, working.transpose("district", "year").values,
                               rtol=1e-12)


def test_rates_reproduce_svb_at_residence(case):
    sc, region, ds, fow = case
    pop = lab.population_projection(region)
    rates, year = lab.employment_rates(region, pop)
    svb = lab.svb_residence(region)
    target = svb[svb["year"] == year].set_index("district")["svb_residence"].reindex(region.district_codes)
    got = (rates * pop.sel(variant="moderate", year=year)).sum("age_band")
    np.testing.assert_allclose(got.values, target.values, rtol=1e-9)
    assert float(rates.max()) <= 1.0 and float(rates.min()) >= 0.0


def test_commuting_conserves_persons(case):
    sc, region, ds, fow = case
    shares, inflow = lab.commuting_residence_shares(region)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-12)
    assert shares.min() >= 0 and (0 <= inflow).all() and (inflow < 1).all()
    # every resident who works is counted once at a workplace inside or outside the region
    left = fow["supply"].sum("district") + fow["out_commuters_region"]
    right = fow["supply_residence"].sum("district") + fow["in_commuters_region"]
    np.testing.assert_allclose(left.values, right.values, rtol=1e-12)


def test_balance_is_demand_minus_supply(case):
    sc, region, ds, fow = case
    np.testing.assert_allclose(fow["demand"], ds["employment"].sum("sector"), rtol=1e-12)
    np.testing.assert_allclose(fow["balance"], fow["demand"] - fow["supply"], rtol=1e-12)
    # in the year the rates are fitted on, supply and demand at the workplace agree within 2 %
    b = fow["balance"].sel(year=fow.attrs["employment_rates_fitted"]).sum()
    assert abs(float(b)) < 0.02 * float(fow["demand"].sel(year=fow.attrs["employment_rates_fitted"]).sum())


# --- requalification --------------------------------------------------------------------


def test_decompositions_add_up(case):
    sc, region, ds, fow = case
    np.testing.assert_allclose(fow["displaced_by_driver"].sum("driver"), fow["displaced"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(fow["requalification"], fow["displaced"] + fow["task_change"], rtol=1e-12)
    np.testing.assert_allclose(fow["requalification_by_occupation"].sum("occupation"), fow["requalification"],
                               rtol=1e-6, atol=1e-6)
    assert float(fow["displaced"].min()) >= 0 and float(fow["task_change"].min()) >= 0
    assert (fow["displaced"] <= fow["gross_losses"] + 1e-9).all()
    assert float(fow["requalification"].sel(year=region.base_year).max()) == 0


@pytest.mark.parametrize("name", ["son/baseline", "son/vw_agreement", "swsn/baseline", "swsn/vw_agreement"])
def test_requalification_need_is_positive_every_year(name):
    sc = Scenario.from_file(f"scenarios/{name}.yaml")
    ds = run(sc)
    fow = lab.future_of_work(ds, sc)
    need = fow["requalification"].sum("district").sel(year=slice(fow.attrs["base_year"] + 1, None))
    assert float(need.min()) > 0


@pytest.mark.parametrize("region_id", ["son", "swsn"])
def test_more_electrification_never_lowers_the_need(region_id):
    need = {}
    for name in ("slow_electrification", "baseline", "fast_electrification"):
        sc = Scenario.from_file(f"scenarios/{region_id}/{name}.yaml")
        need[name] = lab.future_of_work(run(sc), sc)["requalification"]
    assert (need["fast_electrification"] >= need["baseline"] - 1e-6).all()
    assert (need["baseline"] >= need["slow_electrification"] - 1e-6).all()


def test_displaced_grows_with_every_loss():
    rng = np.random.default_rng(7)
    for _ in range(200):
        loss = rng.uniform(0, 100, (4, 3))
        ret = rng.uniform(0, 150, 3)
        a = rng.uniform(0, 1)
        pool = rng.uniform(0, 1, (4, 3))
        k, s = rng.integers(4), rng.integers(3)
        more = loss.copy()
        more[k, s] += rng.uniform(0, 50)
        d0, d1 = dl.displaced(loss, ret, a, pool), dl.displaced(more, ret, a, pool)
        assert d1.sum() >= d0.sum() - 1e-9
        assert (d0 >= -1e-12).all() and (d0 <= loss + 1e-12).all()
        # no loss, nobody displaced; no retirements, everybody lost is displaced
        assert dl.displaced(np.zeros_like(loss), ret, a, pool).sum() == 0
        np.testing.assert_allclose(dl.displaced(loss, np.zeros(3), a, pool), loss)


def test_need_grows_with_displacement_and_the_bev_shift():
    rng = np.random.default_rng(3)
    for _ in range(200):
        x, r, share = rng.uniform(100, 1000), rng.uniform(0, 0.5), rng.uniform(0, 1)
        shift, disp = rng.uniform(0, 1), rng.uniform(0, 300)
        more = disp + rng.uniform(0, 100)
        need0 = disp + dl.task_change(x, r, disp, shift, share)
        need1 = more + dl.task_change(x, r, more, shift, share)
        assert need1 >= need0 - 1e-9
        assert dl.task_change(x, r, disp, shift + 0.1, share) >= dl.task_change(x, r, disp, shift, share)


def test_ensemble_bands_and_determinism():
    sc = Scenario.from_file("scenarios/son/baseline.yaml")
    ds = run(sc, draws=40, seed=5)
    a = lab.future_of_work(ds, sc)
    b = lab.future_of_work(run(sc, draws=40, seed=5), sc)
    assert a["requalification"].identical(b["requalification"])
    q = a["requalification"].sum("district").sel(year=2035).quantile([0.05, 0.95], dim="draw")
    assert float(q[0]) > 0 and float(q[1]) > float(q[0])  # the levers are drawn: a band, not a point
    tables = lab.future_of_work_tables(a)
    t = tables["future_of_work"]
    assert set(t["quantile"]) == {0.05, 0.5, 0.95}
    region_row = t[(t.region == "son") & (t.variable == "requalification") & (t.year == 2035) & (t["quantile"] == 0.5)]
    assert float(region_row["value"].iloc[0]) == pytest.approx(float(a["requalification"].sum("district")
                                                                     .sel(year=2035).median()))


def test_sheets_and_summary_are_german_and_complete(case):
    sc, region, ds, fow = case
    sheets = lab.future_of_work_sheets(fow)
    assert {"Arbeitsangebot und Saldo", "Qualifizierungsbedarf", "Qualifizierung nach Beruf"} <= set(sheets)
    q = sheets["Qualifizierungsbedarf"]
    assert "Region insgesamt" in set(q["Kreis"]) and "Qualifizierungsbedarf" in set(q["Größe"])
    text = lab.future_of_work_summary(fow)
    assert "Qualifizierungsbedarf" in text
    assert not re.search(r"\d,\d{3}", text), text  # German thousands, never 12,345


def test_missing_projection_is_a_located_error(tmp_path):
    src = load_region("son").folder
    dst = tmp_path / "son"
    shutil.copytree(src, dst)
    pkg = json.loads((dst / "datapackage.json").read_text(encoding="utf-8"))
    pkg["resources"] = [r for r in pkg["resources"] if r["name"] != "population_projection"]
    (dst / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    region = load_region(dst)
    assert not lab.has_future_of_work_data(region)
    sc = Scenario.from_file("scenarios/son/baseline.yaml")
    with pytest.raises(DataError, match="population_projection"):
        lab.future_of_work(run(sc, region=region), sc, region)


def test_bad_projection_value_is_located(tmp_path):
    src = load_region("swsn").folder
    dst = tmp_path / "swsn"
    shutil.copytree(src, dst)
    f = dst / "population_projection.csv"
    df = pd.read_csv(f, dtype={"district": str})
    df.loc[5, "value"] = -3
    df.to_csv(f, index=False)
    with pytest.raises(DataError, match=r"population_projection.csv.*below 0|below 0"):
        lab.population_projection(load_region(dst))


def test_retra_run_writes_the_future_of_work_tables(tmp_path, capsys):
    import openpyxl

    from retra_model.cli import main

    out = tmp_path / "son"
    assert main(["run", "scenarios/son/baseline.yaml", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Zukunft der Arbeit" in printed and "Qualifizierungsbedarf" in printed
    table = pd.read_csv(out / "future_of_work.csv", dtype={"region": str})
    assert set(table.columns) == {"region", "year", "variable", "unit", "value"}
    assert set(lab.FOW_VARIABLES) == set(table["variable"])
    np.testing.assert_allclose(pd.read_parquet(out / "future_of_work.parquet")["value"].values, table["value"].values,
                               rtol=1e-12)
    sheets = openpyxl.load_workbook(out / "results.xlsx", read_only=True).sheetnames
    assert {"Arbeitsangebot und Saldo", "Qualifizierungsbedarf", "Qualifizierung nach Beruf"} <= set(sheets)
