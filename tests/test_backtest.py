"""Backtests: only data up to the base year enter; the table is complete and its coverage is a share."""

from __future__ import annotations

import numpy as np
import pytest

from retra_model.backtest import backtest, coverage


def test_as_of_hides_the_later_years(toy):
    past = toy.as_of(2017)
    assert past.base_year == 2017
    assert int(past.employment["year"].max()) == 2017
    np.testing.assert_array_equal(past.base().values, toy.employment["value"].sel(year=2017).values)
    with pytest.raises(ValueError, match="cannot be a base year"):
        toy.as_of(2015)


def test_backtest_table_and_coverage(toy, toy_baseline):
    table = backtest(toy_baseline, toy, 2017, draws=100, seed=1)
    assert set(table["year"]) == {2018, 2019, 2020}
    assert set(table["district"]) == {"99001", "99002", "toy"}
    assert (table["p05"] <= table["p25"]).all() and (table["p25"] <= table["median"]).all()
    assert (table["median"] <= table["p75"]).all() and (table["p75"] <= table["p95"]).all()
    # the toy data grow by 1 % a year: the observed values are the data, not the forecast
    obs = toy.employment["value"].sum(["district", "sector"]).sel(year=2019)
    assert float(table.query("district == 'toy' and year == 2019")["observed"].iloc[0]) == float(obs)
    cov = coverage(table)
    assert cov["in_50"].between(0, 1).all() and cov["in_90"].between(0, 1).all()
    assert (cov["in_90"] >= cov["in_50"]).all()


# ---------------------------------------------------------------------------------------
# Rolling origins over all 401 districts (issue 16)

from retra_model import backtest as bt  # noqa: E402


@pytest.fixture(scope="module")
def rolling():
    totals = bt.national_totals()
    table = bt.rolling_origin(totals)
    bands = bt.evaluate_bands(table)
    return totals, table, bands, bt.skill_table(table, bands)


def test_only_data_up_to_the_origin_enter(rolling):
    totals, table, _, _ = rolling
    later = totals.copy()
    later[2024] = later[2024] * 1.5  # a change after the origin ...
    a = bt.district_forecasts(totals, 2019)
    b = bt.district_forecasts(later, 2019)
    for m in ("model", "no_change", "germany", "own_trend"):  # ... changes none of the forecasts
        np.testing.assert_array_equal(a[m].to_numpy(), b[m].to_numpy())
    assert set(table["origin"]) == set(bt.ORIGINS) and set(table["horizon"]) == set(bt.HORIZONS)
    assert (table["year"] <= 2024).all() and len(table) == 401 * sum(min(5, 2024 - o) for o in bt.ORIGINS)


def test_model_districts_add_up_to_the_national_forecast(rolling):
    totals, _, _, _ = rolling
    f = bt.district_forecasts(totals, 2018)
    for h, g in f.groupby("horizon"):
        np.testing.assert_allclose(g["model"].sum(), g["germany"].sum(), rtol=1e-9)


def test_median_beats_every_naive_benchmark_at_every_horizon(rolling):
    _, _, _, skill = rolling
    for bench in ("no_change", "germany", "own_trend"):
        assert (skill["median"] < skill[bench]).all(), skill[["horizon", "median", bench]]


def test_bands_cover_out_of_sample(rolling):
    """Leave-one-origin-out: 90 % band 85-95 %, 50 % band 40-60 % at every horizon."""
    _, _, _, skill = rolling
    assert skill["in_90"].between(0.85, 0.95).all(), skill[["horizon", "in_90"]]
    assert skill["in_50"].between(0.40, 0.60).all(), skill[["horizon", "in_50"]]


def test_shipped_error_model_is_the_fitted_one(rolling):
    import pandas as pd

    from retra_model.regions import data_root

    _, table, _, _ = rolling
    shipped = pd.read_csv(data_root() / "national" / "forecast_errors.csv")
    fitted = bt.error_quantiles(table)
    np.testing.assert_allclose(shipped["log_error"], fitted["log_error"].round(6), atol=1e-6)
    q = shipped.pivot_table(index=["horizon", "size_class"], columns="quantile", values="log_error")
    assert (np.diff(q.to_numpy(), axis=1) >= 0).all()  # quantiles ordered


def test_ensemble_spread_includes_the_error_model():
    import retra_model as rm

    sc = rm.Scenario.from_file("scenarios/swsn/baseline.yaml")
    ens = rm.run(sc, draws=200, seed=3)
    tot = ens["employment"].sum("sector").sel(year=2025)
    q = tot.quantile([0.05, 0.95], "draw")
    width = float(((q.sel(quantile=0.95) - q.sel(quantile=0.05)) / tot.median("draw")).min())
    assert width > 0.02  # one year ahead the backtests alone give about ±2 % per district


def test_cli_backtest_without_a_file_runs_the_rolling_origins(capsys):
    from retra_model.cli import main

    assert main(["backtest"]) == 0
    out = capsys.readouterr().out
    assert "all 401 Kreise" in out and "own_trend" in out and "in_90" in out
