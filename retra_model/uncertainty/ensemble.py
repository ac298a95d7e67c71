"""Cached ensembles of curated scenarios: quantiles on disk, so an app never waits.

:func:`write_ensemble` runs a scenario with *N* draws and writes the median and the
50 %/90 % interval bounds of jobs and value added — per district × sector × year and,
because a quantile of a sum is not the sum of quantiles, also of the sums over sectors
and over the region — to one netCDF file. Its attributes carry what it was made from:
the scenario hash, the data version of the region, the data hashes of every posterior
the scenario draws from, the draws and the seed.

:func:`read_ensemble` refuses a cache made from another scenario, other data or another
posterior with :class:`~retra_model.errors.CacheError`, naming the file and the command
that rebuilds it. Reading needs xarray only.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import xarray as xr

from ..errors import CacheError
from ..regions import Region, load_region
from ..results import QUANTILES, region_total
from ..scenario import Distribution, Scenario
from .draws import load_posterior, split_name


def posteriors_used(scenario: Scenario) -> list[str]:
    """Names of the cached posteriors a scenario draws from."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, Distribution):
            if node.distribution == "posterior" and node.name:
                found.add(split_name(node.name)[0])
        elif hasattr(node, "__pydantic_fields__"):
            for f in type(node).model_fields:
                walk(getattr(node, f))
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)

    walk(scenario)
    return sorted(found)


def provenance(scenario: Scenario, region: Region) -> dict:
    """What a cached ensemble depends on: scenario hash, data version, posterior hashes."""
    return {
        "scenario_hash": scenario.digest(),
        "data_version": region.data_version(),
        "posterior_hashes": json.dumps({p: load_posterior(p)[1]["data_hash"] for p in posteriors_used(scenario)},
                                       sort_keys=True),
    }


def summarise(ds: xr.Dataset, q: tuple[float, ...] = QUANTILES) -> xr.Dataset:
    """Quantiles over ``draw`` of employment and GVA by sector, and of their sums over sectors
    by ``area`` (the districts and the region)."""
    out = {}
    for var in ("employment", "gva"):
        da = ds[var].reset_coords(drop=True)
        total = region_total(da.sum("sector"), ds.attrs["region"]).rename(district="area")
        out[var] = da.quantile(list(q), dim="draw").assign_attrs(ds[var].attrs)
        out[f"{var}_total"] = total.quantile(list(q), dim="draw").assign_attrs(
            {**ds[var].attrs, "long_name": f"{ds[var].attrs.get('long_name', var)}, all sectors; "
                                           "area = the districts and the region"})
    res = xr.Dataset(out)
    res.attrs = {k: v for k, v in ds.attrs.items() if isinstance(v, (str, int, float))}
    return res


def write_ensemble(scenario: Scenario, path: str | Path, *, draws: int = 1000, seed: int | None = None,
                   region: Region | None = None) -> Path:
    """Run ``draws`` draws of a scenario and write their quantiles to ``path`` (netCDF, atomic)."""
    from ..engine import run

    region = region or load_region(scenario.region)
    ds = run(scenario, draws=draws, seed=seed, region=region)
    res = summarise(ds)
    res.attrs.update(provenance(scenario, region))
    res.attrs["scenario_file"] = str(scenario.file or scenario.name)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".nc", dir=path.parent)
    os.close(fd)
    try:
        res.to_netcdf(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_ensemble(scenario: Scenario, path: str | Path, *, region: Region | None = None) -> xr.Dataset:
    """The cached quantiles of a scenario; :class:`CacheError` if missing or stale."""
    path = Path(path)
    rebuild = (f"rebuild it with retra_model.uncertainty.ensemble.write_ensemble"
               f"(Scenario.from_file('{scenario.file or scenario.name}'), '{path}')")
    if not path.exists():
        raise CacheError(f"no cached ensemble at {path}; {rebuild}")
    with xr.open_dataset(path) as f:
        ds = f.load()
    region = region or load_region(scenario.region)
    now = provenance(scenario, region)
    stale = [k for k, v in now.items() if ds.attrs.get(k) != v]
    if stale:
        what = {"scenario_hash": "the scenario changed", "data_version": "the region's data changed",
                "posterior_hashes": "a posterior was refitted"}
        raise CacheError(f"the cached ensemble {path} is stale ({'; '.join(what[k] for k in stale)}); {rebuild}")
    return ds
