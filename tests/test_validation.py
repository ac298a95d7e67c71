"""Credibility: backtests over both regions and the study scenarios on the national region.

The numbers themselves (coverage, the study ratios) are findings, reported in
notebooks/05_validation.ipynb; the tests check what must hold whatever the data say.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retra_model.backtest import (backtest, backtest_known_level, backtest_suite, coverage_summary,
                                  error_by_sector, known_level_rate, national_log_growth)
from retra_model.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
STUDY_FILES = ["elab2_2030", "iab2018_2035", "iab2018_reference", "prognos2024_trend"]


@pytest.fixture(scope="module")
def son():
    from retra_model.regions import load_region

    return load_region("son")


@pytest.fixture(scope="module")
def swsn():
    from retra_model.regions import load_region

    return load_region("swsn")


@pytest.fixture(scope="module")
def son_baseline():
    return Scenario.from_file(ROOT / "scenarios" / "son" / "baseline.yaml")


@pytest.fixture(scope="module")
def swsn_baseline():
    return Scenario.from_file(ROOT / "scenarios" / "swsn" / "baseline.yaml")


@pytest.fixture(scope="module")
def suite():
    return backtest_suite(("son", "swsn"), (2017, 2018), draws=100, seed=3, scenario_dir=ROOT / "scenarios")


def test_suite_is_complete(suite):
    # every district of both regions plus the region's total, every forecast year, both variants
    n_rows = {"son": 9, "swsn": 6}
    for (variant, region, base), part in suite.groupby(["variant", "region", "base_year"]):
        years = sorted(set(part["year"]))
        assert years == list(range(base + 1, 2025)), (variant, region, base)
        assert len(part) == n_rows[region] * len(years)
    assert set(suite["variant"]) == {"default", "known_level"}
    assert not suite[["observed", "median", "p05", "p95", "error_pct"]].isna().any().any()


def test_coverage_is_a_share(suite):
    cov = coverage_summary(suite)
    assert cov["in_50"].between(0, 1).all() and cov["in_90"].between(0, 1).all()
    assert (cov["in_90"] >= cov["in_50"]).all()
    assert set(cov["districts"]) == {8, 5}
    overall = coverage_summary(suite, by=("variant",))
    assert len(overall) == 2


def test_known_level_reproduces_germany(son, son_baseline):
    """The level lever of the known-level variant gives back Germany's realised growth exactly."""
    for year in (2018, 2019, 2020, 2024):
        rate = known_level_rate(son_baseline, son, 2017, year)
        # the national level is applied without fading
        assert rate * (year - 2017) == pytest.approx(national_log_growth(son, 2017, year), rel=1e-12)


def test_known_level_moves_the_centre_not_the_width(suite):
    """Both variants fix Germany's level (as forecast at the origin, or as it was), so their bands
    have the same width (the spread comes from the error model and the other levers); only the
    centre moves, by Germany's forecast error."""
    default = suite[suite["variant"] == "default"].set_index(["region", "base_year", "district", "year"])
    known = suite[suite["variant"] == "known_level"].set_index(["region", "base_year", "district", "year"])
    np.testing.assert_allclose(known["width_90_pct"], default["width_90_pct"], rtol=0.1)
    assert not np.allclose(known["median"], default["median"])


def test_known_level_variant_equals_backtest_with_that_level(swsn, swsn_baseline):
    table = backtest_known_level(swsn_baseline, swsn, 2018, draws=50, seed=1)
    rate = known_level_rate(swsn_baseline, swsn, 2018, 2020)
    direct = backtest(swsn_baseline.replace({"trend": {"level_growth": rate}}), swsn, 2018, draws=50, seed=1,
                      national="scenario")
    a = table[table["year"] == 2020].reset_index(drop=True)
    b = direct[direct["year"] == 2020].reset_index(drop=True)
    np.testing.assert_allclose(a["median"], b["median"])


def test_error_by_sector_adds_up(son, son_baseline):
    t = error_by_sector(son_baseline, son, 2017)
    assert len(t) == len(son.sector_codes)
    assert t["share_of_error"].sum() == pytest.approx(1.0)
    # the observed totals are the data's
    assert t["observed"].sum() == pytest.approx(float(son.employment["value"].sel(year=2024).sum()))


@pytest.mark.parametrize("name", STUDY_FILES)
def test_study_scenarios_validate_and_cite(name):
    path = ROOT / "scenarios" / "de" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "extends: baseline.yaml" in text
    assert "data/national/studies.csv" in text
    sc = Scenario.from_file(path)
    assert sc.region == "de"


@pytest.fixture(scope="module")
def de():
    from retra_model.regions import load_region

    return load_region("de")


def test_study_scenarios_run_and_compare(de):
    from retra_model.validation import STUDIES, study_comparison

    tab = study_comparison(draws=8, seed=1, scenario_dir=ROOT / "scenarios" / "de", region=de, chunk=8)
    assert len(tab) == len(STUDIES)
    assert tab[["deterministic", "median", "p05", "p95"]].notna().all().all()
    assert (tab["p05"] <= tab["median"]).all() and (tab["median"] <= tab["p95"]).all()
    # the IAB reference has no electrification: the scenario pair differs only by it
    assert tab["sign_match"].all()


def test_truncated_run_equals_full_run(de):
    from retra_model.validation import national_ensemble, truncate

    sc = Scenario.from_file(ROOT / "scenarios" / "de" / "elab2_2030.yaml")
    short = national_ensemble(truncate(sc, 2030), de, None)
    full = national_ensemble(sc, de, None)
    np.testing.assert_allclose(short["employment"].values, full["employment"].sel(year=short["year"]).values,
                               rtol=1e-12)


def test_regional_checks():
    from retra_model.validation import vw_agreement_check, zwickau_data

    vw = vw_agreement_check("swsn", draws=20, seed=1, scenario_dir=ROOT / "scenarios")
    assert list(vw["district"]) == ["14511", "14524", "swsn"]
    assert (vw["assumed_cut"] < 0).all() and vw["vehicles_deterministic"].iloc[-1] < 0
    # a plant's path under the agreement replaces the baseline's drivers for its staff: an engine plant
    # (Chemnitz) can keep about as many jobs as the baseline's electrification would leave it
    z = zwickau_data()
    assert list(z["year"]) == list(range(2015, 2025))
    assert z.loc[z["year"] > 2020, "svb_C"].isna().all()  # WZ sections end in 2020
    assert z.loc[z["year"] == 2019, "svb_total_index"].iloc[0] == pytest.approx(100.0)
