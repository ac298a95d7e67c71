"""Uncertainty: cached posteriors, joint draws, stale caches, seeded ensembles, Sobol indices.

The calibration itself (PyMC) is tested on a tiny sampler budget for the labour model
(about 15 s, most of it compiling); the BEV model's quick fit runs only with
``RETRA_SLOW=1``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from retra_model import Scenario, load_region, run
from retra_model.engine import Sampler, evaluate
from retra_model.errors import CacheError
from retra_model.results import quantiles
from retra_model.uncertainty import draws
from retra_model.uncertainty.draws import load_posterior, posterior_draws

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SON_POSTERIOR = REPO / "scenarios" / "son" / "bev_posterior.yaml"
SWSN_POSTERIOR = REPO / "scenarios" / "swsn" / "bev_posterior.yaml"


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the posteriors and the national files they were fitted on, as $RETRA_DATA."""
    root = tmp_path / "data"
    shutil.copytree(DATA / "posteriors", root / "posteriors")
    (root / "national").mkdir(parents=True)
    for f in (DATA / "national").glob("*.csv"):
        shutil.copy(f, root / "national" / f.name)
    monkeypatch.setenv("RETRA_DATA", str(root))
    return root


# ---------------------------------------------------------------------------------------
# the shipped caches


@pytest.mark.parametrize("name", ["bev_diffusion", "labour_intensity"])
def test_shipped_posterior_is_fresh_and_converged(name):
    post, attrs = load_posterior(name)  # raises CacheError if fitted on other data
    diag = json.loads(attrs["diagnostics"])
    assert diag["rhat_max"] < 1.01
    assert diag["ess_bulk_min"] > 400
    assert diag["divergences"] == 0
    assert all(v.size == 2000 for v in post.values())
    for key in ("data_hash", "pymc_version", "fit_date", "data_files"):
        assert key in attrs


def test_posterior_loads_without_pymc():
    """The engine's path to a posterior imports neither PyMC, ArviZ nor PyTensor."""
    code = (
        "import sys, numpy as np\n"
        "from retra_model import Scenario, run\n"
        "from retra_model.uncertainty.draws import posterior_draws\n"
        "posterior_draws('bev_diffusion.ceiling', np.array([0.3]))\n"
        f"run(Scenario.from_file({str(SON_POSTERIOR)!r}), draws=5, seed=1)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pymc', 'arviz', 'pytensor', "
        "'retra_model.uncertainty.calibrate'))\n"
        "assert not bad and 'retra_model.uncertainty.calibrate' not in sys.modules, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, capture_output=True, text=True)


def test_joint_indexing():
    post, _ = load_posterior("bev_diffusion")
    n = post["midpoint_year"].size
    u = np.array([0.0, 0.2501, 0.5, 0.999999])
    idx = np.floor(u * n).astype(int)
    m = posterior_draws("bev_diffusion.midpoint_year", u)
    k = posterior_draws("bev_diffusion.steepness", u)
    np.testing.assert_array_equal(m, post["midpoint_year"][idx])
    np.testing.assert_array_equal(k, post["steepness"][idx])  # the same sample: drawn jointly


def test_joint_draws_keep_the_posterior_correlation():
    """Midpoint and steepness of the ensemble correlate as in the posterior."""
    post, _ = load_posterior("bev_diffusion")
    u = Sampler(4000, seed=5).uniforms("posterior:bev_diffusion")
    m = posterior_draws("bev_diffusion.midpoint_year", u)
    c = posterior_draws("bev_diffusion.ceiling", u)
    r_post = np.corrcoef(post["midpoint_year"], post["ceiling"])[0, 1]
    assert abs(np.corrcoef(m, c)[0, 1] - r_post) < 0.1


def test_central_is_the_median():
    post, _ = load_posterior("labour_intensity")
    x = posterior_draws("labour_intensity.powertrain", np.array([0.5]), central=True)
    assert x.shape == (1,)
    assert x[0] == pytest.approx(np.median(post["powertrain"]))


def test_unknown_posterior_or_variable():
    with pytest.raises(CacheError, match="retra calibrate"):
        posterior_draws("no_such_posterior.x", np.array([0.5]))
    with pytest.raises(CacheError, match="has no variable 'midpoint'"):
        posterior_draws("bev_diffusion.midpoint", np.array([0.5]))
    with pytest.raises(CacheError, match="<posterior>.<variable>"):
        posterior_draws("bev_diffusion", np.array([0.5]))


def test_stale_cache_is_detected(data_copy: Path):
    posterior_draws("bev_diffusion.steepness", np.array([0.5]))  # fresh: fine
    f = data_copy / "national" / "kba_registrations_monthly.csv"
    f.write_text(f.read_text().replace("2025,12,246439", "2025,12,246440"))
    with pytest.raises(CacheError) as err:
        posterior_draws("bev_diffusion.steepness", np.array([0.5]))
    msg = str(err.value)
    assert "'bev_diffusion'" in msg and "retra calibrate bev_diffusion" in msg
    assert "kba_registrations_monthly.csv" in msg
    # the other posterior was fitted on other files and stays usable
    posterior_draws("labour_intensity.powertrain", np.array([0.5]))


def test_missing_cache_is_named(data_copy: Path):
    (data_copy / "posteriors" / "labour_intensity.nc").unlink()
    with pytest.raises(CacheError, match="labour_intensity.nc is missing"):
        posterior_draws("labour_intensity.powertrain", np.array([0.5]))


def test_predictive_quantiles_are_ordered():
    with xr.open_dataset(DATA / "posteriors" / "bev_diffusion.nc", group="predictive") as pred:
        for var in ("curve", "share"):
            assert (pred[var].diff("quantile") >= 0).all()
        assert 0 < float(pred["curve"].sel(quantile=0.5, year=2035)) < 1


# ---------------------------------------------------------------------------------------
# ensembles


@pytest.fixture(scope="module")
def son_posterior() -> Scenario:
    return Scenario.from_file(SON_POSTERIOR)


def test_posterior_scenarios_validate_and_run_deterministically():
    for path in (SON_POSTERIOR, SWSN_POSTERIOR):
        res = run(Scenario.from_file(path))
        assert "draw" not in res.dims
        assert np.isfinite(res["employment"].values).all()


def test_seeded_ensembles_are_bit_identical(son_posterior):
    a = run(son_posterior, draws=40, seed=7)
    b = run(son_posterior, draws=40, seed=7)
    np.testing.assert_array_equal(a["employment"].values, b["employment"].values)
    np.testing.assert_array_equal(a["gva_change"].values, b["gva_change"].values)
    c = run(son_posterior, draws=40, seed=8)
    assert not np.array_equal(a["employment"].values, c["employment"].values)


def test_chunked_draws_equal_the_whole_ensemble(son_posterior):
    region = load_region("son")
    whole = evaluate(son_posterior, region, Sampler(30, seed=3)).employment
    parts = [evaluate(son_posterior, region, Sampler(10, seed=3, start=s)).employment for s in (0, 10, 20)]
    np.testing.assert_array_equal(whole, np.concatenate(parts))


def test_an_ensemble_run_chunk_by_chunk_on_threads_equals_one_evaluation(son_posterior, monkeypatch):
    """run() evaluates large ensembles in chunks on the cores; the numbers are those of one evaluation."""
    from retra_model import engine

    monkeypatch.setattr(engine, "CHUNK", 32)
    monkeypatch.setattr("os.cpu_count", lambda: 2)  # threads even on a one-core machine
    region = load_region("son")
    whole = evaluate(son_posterior, region, Sampler(100, seed=4))
    ds = run(son_posterior, draws=100, seed=4, region=region)  # chunks of 32, 32, 32, 4
    order = ("draw", "district", "sector", "year")
    np.testing.assert_array_equal(ds["employment"].transpose(*order).values, whole.employment)
    np.testing.assert_array_equal(ds["gva"].transpose(*order).values, whole.gva)
    np.testing.assert_array_equal(ds["employment_change"].transpose("driver", *order).values, whole.employment_change)
    np.testing.assert_array_equal(ds["gva_change"].transpose("driver", *order).values, whole.gva_change)
    np.testing.assert_array_equal(ds["powertrain_share"].transpose("draw", "district", "year", "powertrain").values,
                                  whole.mix)


def test_evaluate_refuses_result_arrays_of_another_shape(son_posterior):
    from retra_model.engine import allocate

    region = load_region("son")
    with pytest.raises(ValueError, match="out holds"):
        evaluate(son_posterior, region, Sampler(10, seed=1), out=allocate(son_posterior, region, 11))


def test_quantiles_are_ordered(son_posterior):
    q = quantiles(run(son_posterior, draws=60, seed=2))
    assert list(q["quantile"].values) == [0.05, 0.25, 0.5, 0.75, 0.95]
    for var in ("employment", "gva"):
        assert (q[var].diff("quantile") >= -1e-9).all()


def test_posterior_spreads_the_results(son_posterior):
    """Drawing from the posteriors gives a spread in exposed districts (the intervals are not empty)."""
    ds = run(son_posterior, draws=100, seed=1)
    wolfsburg = ds["employment"].sel(district="03103", year=2035).sum("sector")
    assert float(wolfsburg.quantile(0.95) - wolfsburg.quantile(0.05)) > 1000


def test_ensemble_cache_detects_staleness(son_posterior, tmp_path):
    from retra_model.uncertainty.ensemble import posteriors_used, read_ensemble, write_ensemble

    assert posteriors_used(son_posterior) == ["bev_diffusion", "labour_intensity"]
    path = write_ensemble(son_posterior, tmp_path / "son.nc", draws=20, seed=1)
    ds = read_ensemble(son_posterior, path)
    assert (ds["employment_level"].diff("quantile") >= -1e-9).all()
    assert "son" in ds["area"].values
    changed = son_posterior.replace({"trend": {"half_life": 12}})
    with pytest.raises(CacheError, match="the scenario changed"):
        read_ensemble(changed, path)


# ---------------------------------------------------------------------------------------
# sensitivity


def test_sobol_indices_are_sane():
    from retra_model.uncertainty.sensitivity import ranking, sobol_indices, uncertain_inputs

    sc = Scenario.from_file(REPO / "scenarios" / "son" / "baseline.yaml")
    names = uncertain_inputs(sc)
    assert "data.exposure" in names and "electrification.labour_intensity.bev" in names
    # n = 256: with the error model of the trend (one input per district, issue 16) one input
    # dominates each district and the estimates at n = 128 scatter beyond the bounds below
    assert "trend.error.03103" in names
    table = sobol_indices(sc, n=256, seed=1)
    assert set(table["input"]) == set(names)
    # estimates at n = 256 scatter by a few hundredths around the true values in [0, 1]
    assert table["S1"].between(-0.1, 1.1).all() and table["ST"].between(-0.1, 1.1).all()
    assert (table.groupby("district")["S1"].sum() <= 1.1).all()
    assert (table["ST"] >= table["S1"] - 0.1).all()
    # an input that cannot move jobs gets an index of about 0
    gva = table[table["input"] == "gva.productivity_growth"]
    assert gva["ST"].abs().max() < 0.02
    assert len(ranking(table)) == len(load_region("son").district_codes) + 1


def test_matrix_sampler_injects_columns():
    from retra_model.uncertainty.sensitivity import MatrixSampler

    s = MatrixSampler({"a": np.array([0.0, 0.5, 1.0])})
    assert s.n == 3 and not s.deterministic
    assert 0 < s.uniforms("a")[0] < 1e-6 and 1 - 1e-6 < s.uniforms("a")[2] < 1
    with pytest.raises(KeyError, match="'b'"):
        s.uniforms("b")


# ---------------------------------------------------------------------------------------
# calibration (PyMC)


def _fit_quick(name: str, out: Path) -> Path:
    pytest.importorskip("pymc")
    from retra_model.uncertainty import calibrate

    report = calibrate.CALIBRATIONS[name](calibrate.QUICK, seed=1, out_dir=out)
    return Path(report["path"])


def test_quick_calibration_labour(tmp_path):
    path = _fit_quick("labour_intensity", tmp_path)
    with xr.open_dataset(path, group=draws.GROUP) as post:
        assert post.attrs["data_hash"] == draws.data_hash(json.loads(post.attrs["data_files"]))
        assert {"powertrain", "engine_drive", "whole_vehicle"} <= set(post.data_vars)
        assert float(post["powertrain"].median()) == pytest.approx(0.66, abs=0.1)
        assert "elab2_powertrain_employment_2030" in post.attrs["left_out"]


@pytest.mark.skipif(not os.environ.get("RETRA_SLOW"), reason="slow (about a minute); set RETRA_SLOW=1")
def test_quick_calibration_bev(tmp_path):
    path = _fit_quick("bev_diffusion", tmp_path)
    with xr.open_dataset(path, group=draws.GROUP) as post:
        assert 2022 < float(post["midpoint_year"].median()) < 2035


def test_bev_data_uses_each_observation_once():
    from retra_model.uncertainty.calibrate import bev_data

    df = bev_data()
    assert df.loc[df["kind"] == "annual", "year"].max() < df.loc[df["kind"] == "monthly", "year"].min()
    premium = df[df["subsidy"] == 1]
    assert (premium["year"].min(), premium["year"].max()) == (2020, 2023)
    assert len(premium) == 42  # July 2020 … December 2023


def test_ensemble_caches_live_beside_the_data_that_retra_data_names(tmp_path, monkeypatch):
    from retra_model.uncertainty import ensemble

    monkeypatch.setenv("RETRA_DATA", str(tmp_path))
    assert ensemble.ensembles_root() == tmp_path / "ensembles"
    monkeypatch.delenv("RETRA_DATA")
    assert ensemble.ensembles_root() == ensemble.REPO / "data" / "ensembles"
