"""Large ensembles through Dask: chunks over draws and districts, streamed to Zarr.

A national run (all 401 Kreise) with 10,000 draws has 10,000 × 401 × 14 × 26 ≈ 1.5 billion
cells per variable: it does not fit in memory at once, and it does not need to. This module
splits the ensemble into blocks of ``draw_chunk`` draws × ``district_chunk`` districts; each
block is one call of :func:`retra_model.engine.evaluate` on a district subset of the region
(:meth:`Region.subset`) with ``Sampler(draw_chunk, seed, start=first_draw)``. The sampler
makes draw *i* identical whatever the chunking, so the blocks put together are bit for bit
the in-memory ensemble (``run(scenario, draws=n)``); ``tests/test_scale.py`` checks it.

The blocks form one dask array per variable, wrapped in an :class:`xarray.Dataset` and
written with ``Dataset.to_zarr`` — each worker evaluates a block and writes it to the store,
so results stream to disk chunk by chunk. Quantiles are a second pass over the store: per
group of districts, all draws of those districts are loaded (one dask task) and reduced with
``xarray.Dataset.quantile``; the group is sized to a memory budget, so no task ever holds all
draws of all districts. A third pass sums over districts per draw chunk and takes the
quantiles of the region's total (draws × sectors × years: small).

Memory budget (per worker, float64 inside the engine, float32 on disk)::

    evaluate  ≈ 40 arrays × draw_chunk × district_chunk × 14 sectors × T years × 8 B
              = 40 × 256 × 25 × 14 × 26 × 8 B ≈ 0.75 GB with the defaults
    quantile  ≈ draws × q_districts × 14 × T × (4 + 2 × 8) B ≤ quantile_budget (256 MB default)

so the peak per worker is about 1 GB whatever the number of draws (measured in
``benchmarks/bench.py``). ``draw_chunk`` need not be a multiple of :attr:`Sampler.BLOCK`
(256): any offset works, multiples of 256 just avoid generating a stream block twice.

Scheduler: ``None`` starts a :class:`distributed.LocalCluster` (one single-threaded worker
process per core); ``"tcp://host:8786"`` connects to a running ``dask.distributed``
scheduler (its workers must see the output path); ``"synchronous"``, ``"threads"`` or
``"processes"`` use dask's local schedulers (tests); a :class:`distributed.Client` is used
as it is.

Notes
-----
Drivers that couple districts cannot be evaluated district by district: the input-output
model with ``scope: region`` (one regional inverse from the region's total employment).
For such scenarios the whole region is one district chunk (the draws are still chunked).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

import numpy as np
import xarray as xr

from . import engine
from .engine import Sampler, evaluate
from .regions import Region, load_region
from .results import QUANTILES, key_years, money_unit
from .scale_options import DEFAULT_DISTRICT_CHUNK, DEFAULT_DRAW_CHUNK, add_run_options  # noqa: F401
from .scenario import Scenario

VARIABLES = {"employment": ("persons", "Beschäftigte (SvB, Arbeitsort)"),
             "gva": ("EUR million", "Bruttowertschöpfung")}
"""Variables written per draw, with unit and German label (value added: at prices of the base year,
``EUR_<base year> million``, set with the provenance)."""

QUANTILE_BUDGET = 256e6
"""Bytes one quantile task may hold (all draws of a group of districts) [B]."""


# ---------------------------------------------------------------------------------------
# One block


def restrict(scenario: Scenario, districts) -> Scenario:
    """The scenario with district-keyed levers cut to ``districts`` (projects, build-out, leads).

    Levers of other districts are dropped, not changed: the draws of every lever keep their
    key path, so the draws of the remaining levers are those of the full run.
    """
    keep = set(districts)
    update: dict = {}
    if scenario.projects:
        update["projects"] = {k: p for k, p in scenario.projects.items() if p.district in keep}
    el = scenario.electrification
    if getattr(el, "district_lead", None):
        update["electrification"] = el.model_copy(update={"district_lead": {
            d: v for d, v in el.district_lead.items() if d in keep}})
    infra = getattr(scenario, "infrastructure", None)
    if infra is not None:
        items = {k: it.model_copy(update={"build_out": {d: v for d, v in it.build_out.items() if d in keep}})
                 for k, it in infra.items.items()}
        od = infra.ondemand
        if od is not None:
            od = od.model_copy(update={"service_hours": {d: v for d, v in od.service_hours.items() if d in keep}})
        update["infrastructure"] = infra.model_copy(update={"items": items, "ondemand": od})
    return scenario.model_copy(update=update) if update else scenario


def evaluate_block(scenario: Scenario, region: Region, n: int, seed: int, start: int,
                   variables: tuple[str, ...] = tuple(VARIABLES), dtype=np.float32) -> np.ndarray:
    """Draws ``start … start + n - 1`` of a (sub)region: ``(variable, draw, district, sector, year)``.

    Pure: the same arguments give the same array, whichever worker computes it.
    """
    out = evaluate(restrict(scenario, region.district_codes), region, Sampler(n, seed, start=start))
    return np.stack([np.asarray(getattr(out, v), dtype=dtype) for v in variables])


def _coupled(scenario: Scenario) -> bool:
    io = getattr(scenario, "input_output", None)
    return io is not None and getattr(io, "scope", "district") == "region"


# ---------------------------------------------------------------------------------------
# The lazy ensemble


def ensemble(scenario: Scenario, draws: int, seed: int | None = None, *, region: Region | None = None,
             district_chunk: int = DEFAULT_DISTRICT_CHUNK, draw_chunk: int = DEFAULT_DRAW_CHUNK,
             variables: tuple[str, ...] = tuple(VARIABLES), dtype=np.float32) -> xr.Dataset:
    """The ensemble as a lazy, dask-backed Dataset ``(draw, district, sector, year)``.

    Nothing is computed until the Dataset is written or reduced. Every block is one
    :func:`evaluate_block` task; the district subsets are shared by all draw chunks.
    """
    import dask
    import dask.array as da

    region = region or load_region(scenario.region)
    seed = scenario.seed if seed is None else int(seed)
    if draws < 1 or draw_chunk < 1 or district_chunk < 1:
        raise ValueError("draws, draw_chunk and district_chunk must be at least 1")
    codes = region.district_codes
    if _coupled(scenario):
        district_chunk = len(codes)
    years = np.arange(region.base_year, scenario.end_year + 1)
    nv, ns, nt = len(variables), len(region.sector_codes), len(years)
    d_edges = list(range(0, len(codes), district_chunk)) + [len(codes)]
    n_edges = list(range(0, draws, draw_chunk)) + [draws]
    block = dask.delayed(evaluate_block, pure=True)
    sc = dask.delayed(scenario, pure=True)
    rows = []
    for i0, i1 in zip(n_edges[:-1], n_edges[1:], strict=True):
        row = []
        for j0, j1 in zip(d_edges[:-1], d_edges[1:], strict=True):
            sub = dask.delayed(region.subset, pure=True)(codes[j0:j1])
            arr = block(sc, sub, i1 - i0, seed, i0, variables, dtype)
            row.append(da.from_delayed(arr, shape=(nv, i1 - i0, j1 - j0, ns, nt), dtype=dtype))
        rows.append(row)
    stacked = da.concatenate([da.concatenate(r, axis=2) for r in rows], axis=1)
    data = {}
    for k, v in enumerate(variables):
        unit, label = VARIABLES[v]
        data[v] = (("draw", "district", "sector", "year"), stacked[k], {"units": unit, "long_name": label})
    ds = xr.Dataset(data, coords={"draw": np.arange(draws), "district": codes, "sector": region.sector_codes,
                                  "year": years})
    ds = ds.assign_coords(district_name=("district", list(region.districts["name_short"])))
    ds.attrs.update(_provenance(scenario, region, draws, seed, district_chunk, draw_chunk))
    if "gva" in ds:
        ds["gva"].attrs["units"] = money_unit(ds)  # EUR_<base year> million, as every other output
    return ds


def _provenance(scenario: Scenario, region: Region, draws: int, seed: int, district_chunk: int,
                draw_chunk: int) -> dict:
    return {**engine.provenance(scenario, region, draws, seed),
            "district_chunk": int(district_chunk), "draw_chunk": int(draw_chunk)}


# ---------------------------------------------------------------------------------------
# Schedulers


@contextlib.contextmanager
def scheduler_context(scheduler=None, *, n_workers: int | None = None, memory_limit: str = "auto"):
    """Where the dask graph runs (see the module docstring); yields the Client or ``None``."""
    import dask

    if scheduler in ("synchronous", "sync", "threads", "processes"):
        with dask.config.set(scheduler="synchronous" if scheduler == "sync" else scheduler):
            yield None
        return
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if isinstance(scheduler, str):
        with Client(scheduler) as client:
            yield client
        return
    if scheduler is not None:
        raise ValueError(f"unknown scheduler {scheduler!r}: give None, 'tcp://host:port', 'synchronous', "
                         "'threads', 'processes' or a distributed.Client")
    n = n_workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


# ---------------------------------------------------------------------------------------
# The chunked run


def run_chunked(scenario: Scenario, draws: int, seed: int | None = None, out: str | Path = "results/chunked", *,
                district_chunk: int = DEFAULT_DISTRICT_CHUNK, draw_chunk: int = DEFAULT_DRAW_CHUNK,
                scheduler=None, region: Region | None = None, quantiles: tuple[float, ...] = QUANTILES,
                quantile_budget: float = QUANTILE_BUDGET, variables: tuple[str, ...] = tuple(VARIABLES),
                dtype=np.float32, force: bool = False) -> xr.Dataset:
    """Run an ensemble chunk by chunk and write it to ``out`` (Zarr); return its quantiles.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    draws : int
        Number of ensemble draws.
    seed : int, optional
        Seed; defaults to the scenario's. Draw *i* is the same as in ``run(scenario, draws=…)``.
    out : str or pathlib.Path
        Results folder: ``draws.zarr`` (every draw, float32), ``quantiles.zarr`` (by district
        and for the region's total) and ``provenance.json``. Written into a temporary folder
        and renamed when complete.
    district_chunk, draw_chunk : int
        Block size [districts], [draws].
    scheduler : None, str or distributed.Client
        ``None``: a LocalCluster; ``"tcp://…"``: an existing scheduler; ``"synchronous"``,
        ``"threads"``, ``"processes"``: dask's local schedulers.
    region : Region, optional
        Base data; loaded from the scenario's region by default.
    quantiles : tuple of float
        Quantiles over draws [1].
    quantile_budget : float
        Bytes one quantile task may hold [B]; sets how many districts it takes at once.
    variables : tuple of str
        Variables written per draw (``employment``, ``gva``).
    dtype : numpy dtype
        Storage type of the draws: float32 (default; 7 significant digits, half the disk) or
        float64 (bit-identical to the in-memory run).
    force : bool
        Replace an existing results folder.

    Returns
    -------
    xarray.Dataset
        The quantiles (opened from ``quantiles.zarr``): ``employment`` and ``gva`` by
        ``quantile``, ``district``, ``sector``, ``year``, and ``*_total`` for the region.
    """
    from .paths import atomic_dir

    region = region or load_region(scenario.region)
    ds = ensemble(scenario, draws, seed, region=region, district_chunk=district_chunk, draw_chunk=draw_chunk,
                  variables=variables, dtype=dtype)
    n_years = ds.sizes["year"]
    per_district = draws * len(region.sector_codes) * n_years * (np.dtype(dtype).itemsize + 2 * 8) * len(variables)
    q_districts = max(1, min(ds.attrs["district_chunk"], int(quantile_budget // per_district)))
    # zarr chunks: q_districts divides the compute chunk, so each block writes whole zarr chunks
    dc = ds.attrs["district_chunk"]
    while dc % q_districts:
        q_districts -= 1
    timings = {}

    def write(tmp: Path) -> None:
        t0 = time.perf_counter()
        enc = {v: {"chunks": (min(draw_chunk, draws), q_districts, ds.sizes["sector"], n_years)} for v in variables}
        with scheduler_context(scheduler):
            ds.to_zarr(tmp / "draws.zarr", mode="w", encoding=enc, consolidated=True, zarr_format=2)
            timings["draws_s"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            stored = xr.open_zarr(tmp / "draws.zarr")  # dask chunks = the zarr chunks (draw_chunk × q_districts)
            # pass 2: per group of q_districts, all draws in one task → quantiles (np.quantile, no NaN in draws)
            q = stored[list(variables)].chunk({"draw": -1}).quantile(list(quantiles), dim="draw", skipna=False)
            for v in variables:
                q[v].attrs = dict(stored[v].attrs)
            q.attrs = dict(stored.attrs)
            q = q.drop_vars([c for c in ("district_name",) if c in q.coords])
            q.to_zarr(tmp / "quantiles.zarr", mode="w", consolidated=True, zarr_format=2)
            # pass 3 (its own graph, so that no zarr chunk is held for two consumers): the region's total
            tot = stored[list(variables)].sum("district").chunk({"draw": -1}).quantile(
                list(quantiles), dim="draw", skipna=False)
            tot = tot.rename({v: f"{v}_total" for v in variables})
            for v in variables:
                tot[f"{v}_total"].attrs = dict(stored[v].attrs)
            tot.to_zarr(tmp / "quantiles.zarr", mode="a", consolidated=True, zarr_format=2)
            timings["quantiles_s"] = time.perf_counter() - t1
        prov = {k: ds.attrs[k] for k in ds.attrs if k != "title"}
        prov.update(quantiles=list(quantiles), quantile_districts_per_task=q_districts, timings_s=timings,
                    variables=list(variables))
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, ensure_ascii=False), encoding="utf-8")

    target = atomic_dir(Path(out), write, force=force)
    result = xr.open_zarr(target / "quantiles.zarr")
    result.attrs["timings_s"] = timings
    return result


def open_draws(out: str | Path) -> xr.Dataset:
    """The draws written by :func:`run_chunked` (lazy, dask-backed)."""
    return xr.open_zarr(Path(out) / "draws.zarr")


# ---------------------------------------------------------------------------------------
# Command line (wired into ``retra run`` by cli.py)


def cmd_run_scaled(args) -> int:
    """``retra run FILE --chunked [--scheduler tcp://…] --draws N``: write Zarr, print the region's quantiles."""
    from .errors import OutputExistsError, RetraError

    scenario = Scenario.from_file(args.file)
    draws = args.draws or 1000
    out = Path(args.out) if args.out else Path("results") / scenario.region / f"{scenario.name}-chunked"
    if out.exists() and not args.force:
        raise OutputExistsError(f"the results folder {out} exists already; choose another --out or add --force")
    try:
        q = run_chunked(scenario, draws, args.seed, out, district_chunk=args.district_chunk,
                        draw_chunk=args.draw_chunk, scheduler=args.scheduler, force=args.force)
    except OSError as exc:  # e.g. scheduler not reachable
        raise RetraError(f"the chunked run failed: {exc}") from exc
    if not getattr(args, "quiet", False):
        tot = q["employment_total"].sum("sector")
        base = int(q.attrs["base_year"])
        years = [y for y in (base, *key_years(q)) if y in tot["year"].values]
        print(f"{q.attrs['scenario_title_de']} — {q.attrs['region_name']}, {draws} Ziehungen "
              f"(Beschäftigte, Median [5 %–95 %])")
        for y in years:
            t = tot.sel(year=y)
            print(f"  {y}: {float(t.sel(quantile=0.5)):>14,.0f}  [{float(t.sel(quantile=0.05)):,.0f} – "
                  f"{float(t.sel(quantile=0.95)):,.0f}]")
        print(f"\nResults written to {out}/ (draws.zarr, quantiles.zarr, provenance.json) in "
              f"{sum(q.attrs['timings_s'].values()):.1f} s")
    return 0


def peak_rss_mb(client) -> dict:
    """Peak resident memory of each worker process since it started [MB] (Linux ``ru_maxrss``)."""

    def peak() -> float:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    return {w: round(v, 1) for w, v in client.run(peak).items()}


__all__ = ["add_run_options", "cmd_run_scaled", "ensemble", "evaluate_block", "open_draws", "peak_rss_mb",
           "restrict", "run_chunked", "scheduler_context"]
