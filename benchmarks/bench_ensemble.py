"""How fast is a vectorised ensemble, against the bound of writing its arrays and against a loop?

Timings of one region, in one process (median of ``repeat`` runs):

``ensemble``
    :func:`retra_model.run` with ``draws`` draws: every uncertain input drawn, the whole
    model evaluated vectorised over the draw axis (in chunks of ``engine.CHUNK`` draws, on the
    machine's cores), the results Dataset built. ``ensemble, one thread``: the same with
    ``engine.WORKERS = 1``.
``write arrays``
    The physical bound: allocate arrays of the same shapes and dtype as the result's data
    variables (``np.empty``) and fill them (``ndarray.fill``): the memory traffic any
    implementation must pay to produce the output. The netCDF write of the same Dataset is
    reported too.
``kernel, touched arrays``
    The chunked kernel alone (no Dataset) writing into result arrays it has written before, on
    the machine's threads and on one: without the first touch of fresh memory (which the bound
    pays too) their ratio is how well the chunks run in parallel. On two cores it was 1.4–1.7:
    about a fifth of a chunk's time on one thread holds the interpreter lock (19 %, ``py-spy
    --gil``; the drivers' Python and their small arrays, spread over some 40 lines, none above 5 %),
    which two processes would not share (two single-threaded processes side by side ran as fast
    as one alone).
``perfect scaling``
    The one-thread ensemble divided by the workers the ensemble runs on (the machine's cores, at
    most 4): what it would take if its chunks shared nothing, no interpreter lock and no memory —
    the floor of any scheme of threads or processes for this kernel. Below it only less
    arithmetic helps (fewer passes over the arrays).
``draw by draw``
    The same model evaluated one draw at a time (``Sampler(1, seed, start=i)``, which gives
    exactly draw *i* of the ensemble) and stacked — what a Python loop over draws costs.
``EMA Workbench`` (``--ema N``, when ``ema_workbench`` is installed)
    The same experiments through EMA Workbench's ``perform_experiments`` (sequential
    evaluator): one experiment per draw index ``i``, its model function evaluating exactly
    draw *i* (as above) and returning the region's jobs in 2045 as a scalar outcome (the
    cheapest outcome EMA can store; the ensemble keeps every cell). ``N`` experiments are
    timed and scaled to ``draws``.

Run: ``.venv/bin/python benchmarks/bench_ensemble.py [--region son] [--draws 1000]``.
Ratios, not seconds, are the result: they travel between machines.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def measure(region_id: str = "son", draws: int = 1000, seed: int = 1, repeat: int = 5,
            loop_draws: int | None = None) -> dict:
    """Timings [s] and ratios of a ``draws``-draw ensemble of the region's baseline.

    ``loop_draws`` evaluates only that many draws one by one and scales to ``draws``
    (default: all of them).
    """
    from retra_model import Scenario, load_region
    from retra_model.engine import Sampler, evaluate, run

    scenario = Scenario.from_file(REPO / "scenarios" / region_id / "baseline.yaml")
    region = load_region(scenario.region)
    # warm: the region's caches, and the process's memory (a virtual machine's first touch of fresh
    # memory costs more than the model; every timing below then runs on memory the process has had)
    for _ in range(2):
        run(scenario, draws=draws, seed=seed, region=region)

    from retra_model import engine

    workers = engine.WORKERS or min(os.cpu_count() or 1, 4)  # as engine._evaluate_chunked
    t_ens = _median_time(lambda: run(scenario, draws=draws, seed=seed, region=region), repeat)
    engine.WORKERS = 1
    try:
        t_one = _median_time(lambda: run(scenario, draws=draws, seed=seed, region=region), repeat)
    finally:
        engine.WORKERS = None
    t_touched, t_touched_one = _kernel_on_touched_arrays(scenario, region, draws, seed, repeat)
    ds = run(scenario, draws=draws, seed=seed, region=region)
    shapes = [(v.shape, v.dtype) for v in ds.data_vars.values()]
    nbytes = sum(v.nbytes for v in ds.data_vars.values())

    def write_arrays() -> None:
        for shape, dtype in shapes:
            np.empty(shape, dtype).fill(1.0)

    t_write = _median_time(write_arrays, max(repeat, 5))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.nc"
        t_nc = _median_time(lambda: ds.to_netcdf(path), repeat)

    n_loop = draws if loop_draws is None else min(loop_draws, draws)

    def loop() -> None:
        for i in range(n_loop):
            evaluate(scenario, region, Sampler(1, seed, start=i))

    t_loop = _median_time(loop, 1) * draws / n_loop
    # the loop gives the same numbers as the vectorised ensemble (chunk invariance)
    first = evaluate(scenario, region, Sampler(1, seed, start=3)).employment[0]
    same = bool(np.array_equal(first, ds["employment"].isel(draw=3).transpose("district", "sector", "year").values))
    return {
        "region": region_id, "draws": draws, "result_MB": nbytes / 1e6,
        "ensemble_s": t_ens, "ensemble_one_thread_s": t_one, "write_arrays_s": t_write, "write_netcdf_s": t_nc, "draw_by_draw_s": t_loop,
        "kernel_touched_s": t_touched, "kernel_touched_one_thread_s": t_touched_one,
        "thread_speedup_touched": t_touched_one / t_touched,
        "workers": workers, "perfect_scaling_s": t_one / workers,
        "loop_draws_timed": n_loop,
        "ensemble_over_write_arrays": t_ens / t_write, "one_thread_over_write_arrays": t_one / t_write,
        "perfect_scaling_over_write_arrays": t_one / workers / t_write,
        "ensemble_over_netcdf": t_ens / t_nc,
        "draw_by_draw_over_ensemble": t_loop / t_ens, "loop_equals_ensemble": same,
    }


def _kernel_on_touched_arrays(scenario, region, draws: int, seed: int, repeat: int) -> tuple[float, float]:
    """The chunked kernel alone, writing into result arrays it has written before (no first touch of
    fresh memory), on the machine's threads and on one [s]."""
    from retra_model import engine

    touched = engine.allocate(scenario, region, draws)

    def kernel() -> None:
        engine._evaluate_chunked(scenario, region, draws, seed, out=touched)

    kernel()
    t_threads = _median_time(kernel, repeat)
    engine.WORKERS = 1
    try:
        t_one = _median_time(kernel, repeat)
    finally:
        engine.WORKERS = None
    return t_threads, t_one


def measure_ema(region_id: str = "son", draws: int = 1000, seed: int = 1, n: int = 100) -> dict:
    """EMA Workbench's ``perform_experiments`` over ``n`` draw indices, scaled to ``draws``,
    against the vectorised ensemble of ``draws`` draws (both timed in this process)."""
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import IntegerParameter, Model, ScalarOutcome, perform_experiments
        from ema_workbench.em_framework.points import Scenario as EmaScenario
    logging.getLogger("EMA").setLevel(logging.WARNING)

    from retra_model import Scenario, load_region
    from retra_model.engine import Sampler, evaluate, run

    scenario = Scenario.from_file(REPO / "scenarios" / region_id / "baseline.yaml")
    region = load_region(scenario.region)
    for _ in range(2):  # warm, as in measure()
        run(scenario, draws=draws, seed=seed, region=region)
    last = -1

    def one_draw(draw: int = 0) -> dict:
        out = evaluate(scenario, region, Sampler(1, seed, start=int(draw)))
        return {"employment_2045": float(out.employment[0][..., last].sum())}

    model = Model("retra", function=one_draw)
    model.uncertainties = [IntegerParameter("draw", 0, draws - 1)]
    model.outcomes = [ScalarOutcome("employment_2045")]
    experiments = [EmaScenario(f"draw{i}", draw=i) for i in range(n)]
    t = time.perf_counter()
    perform_experiments(model, scenarios=experiments)
    t_ema = (time.perf_counter() - t) * draws / n
    t_ens = _median_time(lambda: run(scenario, draws=draws, seed=seed, region=region), 5)
    return {"ema_experiments_timed": n, "ema_workbench_s": t_ema, "ensemble_s": t_ens,
            "ema_over_ensemble": t_ema / t_ens}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--region", default="son")
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--loop-draws", type=int, default=None)
    p.add_argument("--ema", type=int, default=0, metavar="N",
                   help="also time N experiments through EMA Workbench (scaled to --draws)")
    a = p.parse_args()
    r = measure(a.region, a.draws, repeat=a.repeat, loop_draws=a.loop_draws)
    if a.ema:
        r.update(measure_ema(a.region, a.draws, n=a.ema))
        r["ema_over_perfect_scaling"] = r["ema_workbench_s"] / r["perfect_scaling_s"]  # the most any scheduling can give
    width = max(map(len, r))
    for k, v in r.items():
        print(f"{k:<{width}}  {v:.4g}" if isinstance(v, float) else f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
