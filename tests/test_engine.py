"""The engine: base year = data, zero shock = baseline, exact decomposition, monotonicity, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from retra_model import ScenarioError, run
from retra_model.engine import lmdi_weights
from retra_model.testing import assert_results_equal


def test_base_year_reproduces_the_data_exactly(toy, toy_baseline):
    ds = run(toy_baseline, region=toy)
    base = ds["employment"].sel(year=toy.base_year)
    np.testing.assert_array_equal(base.values, toy.base().values)


def test_zero_shock_gives_the_baseline_in_every_year(toy, toy_neutral):
    ds = run(toy_neutral, region=toy)
    expected = np.broadcast_to(toy.base().values[..., None], ds["employment"].shape)
    np.testing.assert_allclose(ds["employment"].values, expected, rtol=0, atol=1e-9)
    assert float(abs(ds["employment_change"]).max()) < 1e-9
    # no productivity growth and no job change: GVA stays at its base-year level too
    gva0 = ds["gva"].sel(year=toy.base_year).values[..., None]
    np.testing.assert_allclose(ds["gva"].values, np.broadcast_to(gva0, ds["gva"].shape), rtol=0, atol=1e-9)


@pytest.mark.parametrize("draws", [None, 50])
def test_decomposition_adds_up_exactly(toy, toy_baseline, draws):
    ds = run(toy_baseline, region=toy, draws=draws, seed=1)
    for var in ("employment", "gva"):
        total = ds[var] - ds[var].sel(year=toy.base_year)
        parts = ds[f"{var}_change"].sum("driver")
        scale = float(abs(ds[var]).max())
        # float precision: sums of five terms of size ~ scale
        assert float(abs(parts - total).max()) <= 1e-12 * scale * 10


def test_powertrain_shares_are_shares(toy, toy_baseline):
    ds = run(toy_baseline, region=toy, draws=30, seed=3)
    s = ds["powertrain_share"]
    assert float(s.min()) >= 0 and float(s.max()) <= 1
    np.testing.assert_allclose(s.sum("powertrain").values, 1.0, atol=1e-12)


def test_faster_bev_path_loses_more_powertrain_jobs(toy, toy_baseline):
    slow = toy_baseline.replace({"electrification": {"bev": {"midpoint_year": 2035}}})
    fast = toy_baseline.replace({"electrification": {"bev": {"midpoint_year": 2026}}})
    e_slow = run(slow, region=toy)["employment_change"].sel(driver="electrification", year=2030)
    e_fast = run(fast, region=toy)["employment_change"].sel(driver="electrification", year=2030)
    exposed = toy.exposure["value"] > 0
    assert bool((e_fast.where(exposed) < e_slow.where(exposed)).sum() == int(exposed.sum()))
    unexposed = ~exposed
    assert float(abs(e_fast.where(unexposed, 0)).max()) == 0.0


def test_same_seed_same_results_other_seed_other_results(toy, toy_baseline):
    a = run(toy_baseline, region=toy, draws=40, seed=7)
    b = run(toy_baseline, region=toy, draws=40, seed=7)
    c = run(toy_baseline, region=toy, draws=40, seed=8)
    assert_results_equal(a, b)  # bit for bit
    with pytest.raises(AssertionError, match="employment"):
        assert_results_equal(a, c)


def test_ensemble_draws_vary_and_deterministic_run_is_inside(toy, toy_baseline):
    ens = run(toy_baseline, region=toy, draws=200, seed=11)
    det = run(toy_baseline, region=toy)
    total = ens["employment"].sel(year=2040).sum(["district", "sector"])
    assert float(total.std()) > 0
    d = float(det["employment"].sel(year=2040).sum())
    assert float(total.quantile(0.02)) < d < float(total.quantile(0.98))


def test_project_ramp_adds_jobs_linearly(toy, toy_neutral):
    sc = toy_neutral.replace({"projects": {"plant": {
        "label": {"de": "Werk", "en": "Plant"}, "district": "99002", "sector": "electrical",
        "jobs": {2023: 0, 2026: 3000}, "source": "test"}}})
    ch = run(sc, region=toy)["employment_change"].sel(driver="projects", district="99002", sector="electrical")
    assert ch.sel(year=[2022, 2023, 2024, 2026, 2040]).values.tolist() == pytest.approx([0, 0, 1000, 3000, 3000])
    other = run(sc, region=toy)["employment_change"].sel(driver="projects").drop_sel(district="99002")
    assert float(abs(other).max()) == 0


def test_a_project_cannot_take_more_jobs_than_exist(toy, toy_neutral):
    sc = toy_neutral.replace({"projects": {"cut": {
        "label": {"de": "Abbau", "en": "Cut"}, "district": "99002", "sector": "ict",
        "jobs": {2025: -100000}, "source": "test"}}})
    with pytest.raises(ScenarioError, match=r"projects\.cut.*below zero"):
        run(sc, region=toy)


def test_lmdi_weights_are_the_logarithmic_mean():
    e0 = np.array([1.0, 2.0, 5.0, 3.0, 0.0])
    e = np.array([1.0, 1.0, 5.0 * (1 + 1e-15), 9.0, 0.0])
    s = np.log(np.where(e0 > 0, e / np.where(e0 > 0, e0, 1), 1.0))
    w = lmdi_weights(e0, s)
    assert w[0] == 1.0 and w[4] == 0.0
    assert w[1] == pytest.approx(1 / np.log(2))  # (1 - 2) / (ln 1 - ln 2)
    assert min(e0[3], e[3]) < w[3] < max(e0[3], e[3])
    assert w[2] == pytest.approx(5.0)


def test_draws_do_not_depend_on_chunking():
    from retra_model.engine import Sampler
    from retra_model.scenario import Distribution

    lever = Distribution(distribution="triangular", low=0.3, mode=0.5, high=0.7, source="test")
    whole = Sampler(700, seed=5)(lever, "trend.level_growth")
    part = Sampler(300, seed=5, start=350)(lever, "trend.level_growth")
    np.testing.assert_array_equal(whole[350:650], part)
    other_key = Sampler(700, seed=5)(lever, "trend.half_life")
    assert not np.array_equal(whole, other_key)
    assert 0.3 <= whole.min() and whole.max() <= 0.7


def test_in_ensembles_a_programme_cannot_cut_jobs_that_are_gone(toy, toy_neutral):
    """Deterministic runs refuse such a scenario (above); in an ensemble's tails the cut is capped."""
    sc = toy_neutral.replace({"projects": {"cut": {
        "label": {"de": "Abbau", "en": "Cut"}, "district": "99002", "sector": "ict",
        "jobs": {2025: {"distribution": "uniform", "low": -400, "high": 0, "source": "test"}}, "source": "test"}},
        "electrification": {"labour_intensity": {"bev": 0.5}}})
    base_ict = float(toy.base().sel(district="99002", sector="ict"))
    assert base_ict < 400
    ds = run(sc, region=toy, draws=200, seed=4)
    assert float(ds["employment"].min()) >= -1e-9
    total = ds["employment"] - ds["employment"].sel(year=toy.base_year)
    assert float(abs(ds["employment_change"].sum("driver") - total).max()) < 1e-9
    cut = ds["employment_change"].sel(driver="projects", district="99002", sector="ict", year=2030)
    assert float(cut.min()) >= -base_ict - 1e-9


def test_draw_arrays_come_out_in_c_order_with_the_same_values():
    """GVA per employee and the electrification factor are built in C order whatever the order of
    the base-year table (an F-ordered operand made every later operation loop row by row); the
    values are those of the plain expressions, bit for bit."""
    from retra_model.drivers import electrification, gva

    rng = np.random.default_rng(0)
    q0 = np.asfortranarray(rng.uniform(50, 120, (3, 4)))[None, :, :, None]  # (1, D, S, 1), F order
    growth = rng.uniform(-0.01, 0.03, (5, 1, 4, 1))
    tau = np.arange(6.0)
    q = gva.per_employee_path(q0, growth, tau)
    assert q.flags["C_CONTIGUOUS"] and q.shape == (5, 3, 4, 6)
    np.testing.assert_array_equal(q, q0 * (1.0 + growth) ** tau)

    exposure = np.asfortranarray(rng.uniform(0, 1, (3, 4)))[None, :, :, None] * np.ones((5, 1, 1, 1))
    index = rng.uniform(0.5, 1.0, (5, 3, 1, 6))
    f = electrification.factor(exposure, index, index[..., :1])
    assert f.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(f, exposure * (index / index[..., :1]) + (1.0 - exposure))


def test_the_allocator_keeps_freed_blocks_for_draws_where_glibc_allows_it(toy, toy_baseline):
    """Evaluating draws sets the allocator's thresholds (once per process); a deterministic run
    leaves the allocator alone."""
    import platform

    from retra_model.engine import Sampler, evaluate, keep_freed_memory

    keep_freed_memory.cache_clear()
    evaluate(toy_baseline, toy, Sampler(None, 1))
    assert keep_freed_memory.cache_info().currsize == 0
    evaluate(toy_baseline, toy, Sampler(3, 1))
    assert keep_freed_memory.cache_info().currsize == 1
    assert keep_freed_memory() is (platform.libc_ver()[0] == "glibc")


def test_labour_index_adds_the_powertrains_as_numpy_sums_them():
    """The labour index adds its four products left to right, which is what ``sum(axis=-1)`` gives,
    bit for bit (the faster form must not move a result)."""
    from retra_model.drivers import electrification

    rng = np.random.default_rng(1)
    shares = rng.dirichlet(np.ones(4), size=(50, 3, 7))  # (n, D, T, 4), rows sum to 1
    intensity = rng.uniform(0.3, 1.5, (50, 1, 1, 4))
    index = electrification.labour_index(shares, intensity)
    assert index.shape == (50, 3, 7)
    np.testing.assert_array_equal(index, (shares * intensity).sum(axis=-1))
    three = electrification.labour_index(shares[..., :3], intensity[..., :3])  # another number of powertrains
    np.testing.assert_array_equal(three, (shares[..., :3] * intensity[..., :3]).sum(axis=-1))
