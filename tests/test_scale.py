"""The Dask path (retra_model.scale) gives the numbers of the in-memory path.

Draws are compared bit for bit (float64 storage): every block is one ``engine.evaluate`` on a
district subset with ``Sampler(n, seed, start)``, and draw i of a lever does not depend on the
chunking. Quantiles are compared to 1e-9 relative: the same numpy quantile on the same numbers,
only the order of the summation for the region's total differs.
"""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from retra_model import Scenario, load_region, run
from retra_model import scale
from retra_model.results import quantiles

from .conftest import REPO


def _district_scope(sc: Scenario) -> Scenario:
    """District chunks need districts that do not share one input-output table (scope: district)."""
    if getattr(sc, "input_output", None) is None or sc.input_output.scope == "district":
        return sc
    return sc.model_copy(update={"input_output": sc.input_output.model_copy(update={"scope": "district"})})


def _same_draws(out, mem) -> None:
    stored = scale.open_draws(out)
    for v in ("employment", "gva"):
        expected = mem[v].transpose("draw", "district", "sector", "year").values
        np.testing.assert_array_equal(stored[v].values, expected)


def _same_quantiles(q, mem) -> None:
    qm = quantiles(mem[["employment", "gva"]])
    for v in ("employment", "gva"):
        np.testing.assert_allclose(q[v].values, qm[v].transpose("quantile", "district", "sector", "year").values,
                                   rtol=1e-9)
        total = quantiles(mem[[v]].sum("district"))[v].transpose("quantile", "sector", "year").values
        np.testing.assert_allclose(q[f"{v}_total"].values, total, rtol=1e-9, atol=1e-6)


def test_toy_chunked_equals_in_memory(toy, toy_baseline, tmp_path):
    toy_baseline = _district_scope(toy_baseline)
    mem = run(toy_baseline, draws=300, seed=3, region=toy)
    q = scale.run_chunked(toy_baseline, 300, 3, tmp_path / "out", district_chunk=1, draw_chunk=256,
                          scheduler="synchronous", region=toy, dtype=np.float64)
    _same_draws(tmp_path / "out", mem)
    _same_quantiles(q, mem)
    assert q.attrs["draws"] == 300 and q.attrs["district_chunk"] == 1


def test_son_two_draw_chunks_threads(tmp_path):
    """Südostniedersachsen, 300 draws in 2 draw chunks (256 + 44) and 3 district chunks."""
    sc = _district_scope(Scenario.from_file(REPO / "scenarios" / "son" / "baseline.yaml"))
    region = load_region("son")
    mem = run(sc, draws=300, seed=11, region=region)
    q = scale.run_chunked(sc, 300, 11, tmp_path / "out", district_chunk=3, draw_chunk=256, scheduler="threads",
                          region=region, dtype=np.float64)
    assert q.attrs["district_chunk"] == 3
    _same_draws(tmp_path / "out", mem)
    _same_quantiles(q, mem)


def test_offset_not_a_multiple_of_the_block(toy, toy_baseline):
    """Chunks of 100 draws (not a multiple of Sampler.BLOCK) still give the in-memory draws."""
    toy_baseline = _district_scope(toy_baseline)
    ds = scale.ensemble(toy_baseline, 300, 5, region=toy, draw_chunk=100, district_chunk=2, dtype=np.float64)
    mem = run(toy_baseline, draws=300, seed=5, region=toy)
    np.testing.assert_array_equal(ds["employment"].compute(scheduler="synchronous").values,
                                  mem["employment"].transpose("draw", "district", "sector", "year").values)
    # one unit string for value added, as in memory and in every file (it said 'EUR million')
    assert ds["gva"].attrs["units"] == mem["gva"].attrs["units"] == f"EUR_{toy.base_year} million"


def test_float32_storage_is_close(toy, toy_baseline, tmp_path):
    mem = run(toy_baseline, draws=50, seed=1, region=toy)
    scale.run_chunked(toy_baseline, 50, 1, tmp_path / "out", scheduler="synchronous", region=toy)
    stored = scale.open_draws(tmp_path / "out")["employment"]
    assert stored.dtype == np.float32
    np.testing.assert_allclose(stored.values, mem["employment"].transpose(*stored.dims).values, rtol=1e-6)


def test_existing_output_needs_force(toy, toy_baseline, tmp_path):
    from retra_model.errors import OutputExistsError

    scale.run_chunked(toy_baseline, 10, 1, tmp_path / "out", scheduler="synchronous", region=toy)
    with pytest.raises(OutputExistsError):
        scale.run_chunked(toy_baseline, 10, 1, tmp_path / "out", scheduler="synchronous", region=toy)
    scale.run_chunked(toy_baseline, 10, 1, tmp_path / "out", scheduler="synchronous", region=toy, force=True)


def test_region_scope_runs_as_one_district_chunk(toy, toy_baseline, tmp_path):
    """scope: region couples the districts: the whole region is one chunk, still equal to the in-memory run."""
    if getattr(toy_baseline, "input_output", None) is None:
        pytest.skip("the toy baseline has no input-output block")
    sc = toy_baseline.model_copy(update={"input_output": toy_baseline.input_output.model_copy(update={"scope": "region"})})
    mem = run(sc, draws=40, seed=2, region=toy)
    q = scale.run_chunked(sc, 40, 2, tmp_path / "out", district_chunk=1, draw_chunk=16, scheduler="synchronous",
                          region=toy, dtype=np.float64)
    assert q.attrs["district_chunk"] == len(toy.district_codes)
    _same_draws(tmp_path / "out", mem)


def test_region_subset_keeps_order_and_values(toy):
    sub = toy.subset(["99002"])
    assert sub.district_codes == ["99002"]
    np.testing.assert_array_equal(sub.base().values, toy.base().sel(district=["99002"]).values)
    with pytest.raises(KeyError):
        toy.subset(["00000"])


def test_cli_options_parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    scale.add_run_options(parser)
    args = parser.parse_args(["x.yaml", "--chunked", "--scheduler", "tcp://127.0.0.1:8786", "--draw-chunk", "512"])
    assert args.chunked and args.scheduler == "tcp://127.0.0.1:8786" and args.draw_chunk == 512


def test_national_region_loads_and_runs():
    """All 401 Kreise pass the loader's checks and the national baseline runs."""
    region = load_region("de")
    assert len(region.district_codes) == 401
    sc = Scenario.from_file(REPO / "scenarios" / "de" / "baseline.yaml")
    res = run(sc, region=region)
    base = float(res["employment"].sel(year=region.base_year).sum())
    assert base == pytest.approx(float(region.base().sum()))
