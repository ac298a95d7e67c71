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
