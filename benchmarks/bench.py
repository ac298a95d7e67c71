"""retra benchmarks in one run: one region, the national Dask path, and a peer (EMA Workbench).

Printed, in this order:

1. ``deterministic``: ``retra_model.run`` of the region's baseline without draws, median of
   ``repeat`` runs after import and one warm-up run [ms].
2. ``ensemble`` (1,000 draws), ``draw by draw`` (the same 1,000 draws, one
   ``evaluate(…, Sampler(1, seed, start=i))`` each: exactly draw i of the ensemble) and the
   write-only bound: ``np.empty`` of every data variable of the result Dataset and one
   ``ndarray.fill`` (every element written once, in memory); separately, ``Dataset.to_netcdf``
   of the finished result. From ``bench_ensemble.measure``.
3. ``national``: region ``de`` (401 Kreise) through :func:`retra_model.scale.run_chunked` on a
   fresh ``LocalCluster`` (one single-threaded worker process per core) for each number of
   draws: wall time (evaluation + Zarr write + quantile pass) and the peak resident memory of
   every worker (``ru_maxrss``) and of this process.
4. ``EMA Workbench``: the same model wrapped as an EMA ``Model`` whose one uncertainty is the
   draw index (so EMA runs exactly our 1,000 experiments), with the outcomes jobs per district in
   2035 and 2045 (``ArrayOutcome``), under its ``SequentialEvaluator`` and
   ``MultiprocessingEvaluator`` → ratio of its time to our vectorised ensemble.

Run: ``.venv/bin/python benchmarks/bench.py`` (full, about 15 min on 2 cores) or ``--short``
(CI-sized, under a minute). No timing is asserted anywhere; ratios travel between machines,
seconds do not.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

_EMA = {}  # per-process cache of the EMA model's scenario and region


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times))


def deterministic(region_id: str, repeat: int) -> dict:
    from retra_model import Scenario, load_region, run

    sc = Scenario.from_file(REPO / "scenarios" / region_id / "baseline.yaml")
    region = load_region(sc.region)
    run(sc, region=region)
    return {"deterministic_ms": _median_ms(lambda: run(sc, region=region), repeat)}


def national(draw_counts: list[int], district_chunk: int, draw_chunk: int) -> list[dict]:
    from retra_model import Scenario, load_region
    from retra_model.scale import peak_rss_mb, run_chunked, scheduler_context

    sc = Scenario.from_file(REPO / "scenarios" / "de" / "baseline.yaml")
    region = load_region("de")
    rows = []
    for n in draw_counts:
        with tempfile.TemporaryDirectory(dir=REPO / "benchmarks") as tmp, scheduler_context(None) as client:
            client.run(lambda: load_region("de"))  # each worker loads the data once, outside the timing
            t = time.perf_counter()
            q = run_chunked(sc, n, 1, Path(tmp) / "out", district_chunk=district_chunk, draw_chunk=draw_chunk,
                            scheduler=client, region=region)
            wall = time.perf_counter() - t
            peaks = peak_rss_mb(client)
            size = sum(f.stat().st_size for f in (Path(tmp) / "out").rglob("*") if f.is_file()) / 1e9
            med = float(q["employment_total"].sel(quantile=0.5, year=2035).sum())
        rows.append({"draws": n, "districts": len(region.district_codes), "wall_s": wall,
                     **q.attrs["timings_s"],
                     "worker_peak_rss_MB": max(peaks.values()), "workers": len(peaks),
                     "store_GB": size, "median_jobs_2035": med})
    return rows


def _ema_model(draw: int = 0) -> dict:
    """The retra model of one experiment: draw ``draw`` of the region's ensemble (module level: picklable)."""
    from retra_model.engine import Sampler, evaluate

    sc, region, seed = _EMA["sc"], _EMA["region"], _EMA["seed"]
    out = evaluate(sc, region, Sampler(1, seed, start=int(draw)))
    years = list(out.years)
    jobs = out.employment[0].sum(axis=1)  # district × year
    return {"jobs_2035": jobs[:, years.index(2035)], "jobs_2045": jobs[:, years.index(2045)]}


def _ema_init(region_id: str, seed: int) -> None:
    from retra_model import Scenario, load_region

    sc = Scenario.from_file(REPO / "scenarios" / region_id / "baseline.yaml")
    _EMA.update(sc=sc, region=load_region(sc.region), seed=seed)


def _ema_function(draw: int = 0) -> dict:
    if not _EMA:
        _ema_init(os.environ.get("RETRA_BENCH_REGION", "son"), int(os.environ.get("RETRA_BENCH_SEED", "1")))
    return _ema_model(draw)


def ema(region_id: str, experiments: int, seed: int, multiprocessing: bool) -> dict:
    os.environ["RETRA_BENCH_REGION"], os.environ["RETRA_BENCH_SEED"] = region_id, str(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import ema_workbench as ew
    logging.getLogger("EMA").setLevel(logging.WARNING)
    _ema_init(region_id, seed)
    n_d = len(_EMA["region"].district_codes)
    model = ew.Model("retra", function=_ema_function)
    model.uncertainties = [ew.IntegerParameter("draw", 0, experiments - 1)]
    model.outcomes = [ew.ArrayOutcome("jobs_2035", shape=(n_d,), dtype=float),
                      ew.ArrayOutcome("jobs_2045", shape=(n_d,), dtype=float)]
    design = [ew.Scenario(f"d{i}", draw=i) for i in range(experiments)]
    evaluator = ew.MultiprocessingEvaluator(model, n_processes=os.cpu_count()) if multiprocessing \
        else ew.SequentialEvaluator(model)
    with evaluator:
        t = time.perf_counter()
        experiments_df, outcomes = evaluator.perform_experiments(scenarios=design)
        took = time.perf_counter() - t
    # same numbers as our ensemble (draw i = experiment with draw i)
    from retra_model import run

    ens = run(_EMA["sc"], draws=experiments, seed=seed, region=_EMA["region"])
    ours = ens["employment"].sel(year=2035).sum("sector").transpose("draw", "district").values
    order = experiments_df["draw"].to_numpy().astype(int)
    same = bool(np.allclose(outcomes["jobs_2035"], ours[order], rtol=1e-12))
    return {"s": took, "same_outcomes": same}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--short", action="store_true", help="CI-sized figures (under a minute)")
    p.add_argument("--region", default="son")
    a = p.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning, module="ema_workbench")
    short = a.short
    draws = 200 if short else 1000
    t0 = time.perf_counter()
    print(f"retra benchmarks ({'short' if short else 'full'}), {os.cpu_count()} cores, region {a.region}\n")

    r = deterministic(a.region, 5 if short else 21)
    print(f"1. deterministic run ({a.region}), median: {r['deterministic_ms']:.1f} ms")

    from bench_ensemble import measure

    m = measure(a.region, draws, repeat=1 if short else 3, loop_draws=50 if short else None)
    print(f"2. ensemble of {draws} draws: {m['ensemble_s']:.3f} s ({m['result_MB']:.0f} MB of results)")
    print(f"   draw by draw ({m['loop_draws_timed']} timed{', scaled' if short else ''}): {m['draw_by_draw_s']:.2f} s"
          f" → ratio {m['draw_by_draw_over_ensemble']:.1f}× (loop gives the same numbers: {m['loop_equals_ensemble']})")
    print(f"   write-only bound (np.empty + fill of every result element, in memory): {m['write_arrays_s']:.3f} s"
          f" → ours / bound {m['ensemble_over_write_arrays']:.1f}×")
    print(f"   netCDF write of the result: {m['write_netcdf_s']:.3f} s → ours / netCDF write "
          f"{m['ensemble_over_netcdf']:.2f}×")

    print(f"   ({time.perf_counter() - t0:.0f} s so far)")
    counts = [256, 512] if short else [1000, 2000, 5000, 10000]
    rows = national(counts, district_chunk=50 if short else 25, draw_chunk=256)
    print("3. national run (de, 401 Kreise), LocalCluster, chunks of 256 draws × "
          f"{50 if short else 25} districts:")
    base = rows[0]
    for row in rows:
        print(f"   {row['draws']:>6} draws: {row['wall_s']:7.1f} s (draws+Zarr {row['draws_s']:.1f} s, quantiles "
              f"{row['quantiles_s']:.1f} s), {row['wall_s'] / row['draws'] * 1000:.1f} ms/draw, time × "
              f"{row['wall_s'] / base['wall_s']:.2f} for draws × {row['draws'] / base['draws']:.1f}; peak RSS per "
              f"worker {row['worker_peak_rss_MB']:.0f} MB ({row['workers']} workers); store {row['store_GB']:.2f} GB")
    print(f"   this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

    print(f"   ({time.perf_counter() - t0:.0f} s so far)")
    n_ema = 100 if short else draws
    seq = ema(a.region, n_ema, 1, multiprocessing=False)
    mp = ema(a.region, n_ema, 1, multiprocessing=True)
    ours = m["ensemble_s"] * n_ema / draws
    print(f"4. EMA Workbench ({n_ema} experiments, outcomes jobs per district 2035 and 2045):")
    print(f"   SequentialEvaluator {seq['s']:.2f} s → {seq['s'] / ours:.0f}× ours; MultiprocessingEvaluator "
          f"{mp['s']:.2f} s → {mp['s'] / ours:.0f}× ours (same outcomes: {seq['same_outcomes'] and mp['same_outcomes']})")
    print(f"\ntotal benchmark time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
