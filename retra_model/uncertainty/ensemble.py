"""Cached ensembles of curated scenarios: quantiles on disk, so an app never waits.

:func:`write_ensemble` runs a scenario with *N* draws and writes the median and the
50 %/90 % interval bounds of the aggregates the apps show — jobs and value added of each
district and of the region, per sector, per driver and per Lab / Handlungsfeld, each
summed per draw before the quantiles are taken (a quantile of a sum is not the sum of
quantiles; the layout is :func:`retra_model.summary.summarise_ensemble`) — to one small
netCDF file (float32, compressed). Its attributes carry what it was made from: the
scenario hash, the data version of the region, the data hashes of every posterior the
scenario draws from, a hash of the model code (engine and drivers), the layout version,
the draws and the seed.

:func:`read_ensemble` refuses a cache made from another scenario, other data, another
posterior or other model code with :class:`~retra_model.errors.CacheError`, naming the
file and the command that rebuilds it. Reading needs xarray only.

The curated scenarios' caches ship in ``data/ensembles/<region>/<scenario>.nc`` with a
``datapackage.json``; :func:`build_caches` (``retra ensembles``) rebuilds the stale ones.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import xarray as xr

from ..errors import CacheError, ScenarioError
from ..paths import atomic_file
from ..regions import Region, data_root, load_region
from ..scenario import Distribution, Scenario
from .draws import load_posterior, split_name

PACKAGE = Path(__file__).resolve().parents[1]
REPO = PACKAGE.parent


def ensembles_root() -> Path:
    """Where the curated scenarios' cached ensembles live: ``<data>/ensembles/<region>/<scenario>.nc``,
    beside the data the loader reads (``$RETRA_DATA`` when set)."""
    return data_root() / "ensembles"


SCENARIOS = REPO / "scenarios"
DRAWS = 1000
"""Draws behind a shipped cache."""
REBUILD = "retra ensembles"
"""The command that rebuilds stale caches (``python -m retra_model.uncertainty.cli ensembles``)."""

MODEL_FILES = ("engine.py", "drivers/*.py", "uncertainty/draws.py")
"""The code whose change makes a cache stale (what turns parameters into numbers)."""


def model_version() -> str:
    """Hash of the model code (:data:`MODEL_FILES`) and of the summary layout."""
    from ..summary import SUMMARY_VERSION

    h = hashlib.sha256(f"summary-{SUMMARY_VERSION}".encode())
    for pattern in MODEL_FILES:
        for path in sorted(PACKAGE.glob(pattern)):
            h.update(path.relative_to(PACKAGE).as_posix().encode())
            h.update(path.read_bytes().replace(b"\r\n", b"\n"))
    return h.hexdigest()[:16]


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
        "model_version": model_version(),
    }


def summarise(ds: xr.Dataset) -> xr.Dataset:
    """Quantiles over ``draw`` of the aggregates the apps show (:func:`retra_model.summary.summarise_ensemble`)."""
    from ..summary import summarise_ensemble

    return summarise_ensemble(ds)


def write_ensemble(scenario: Scenario, path: str | Path, *, draws: int = 1000, seed: int | None = None,
                   region: Region | None = None) -> Path:
    """Run ``draws`` draws of a scenario and write their quantiles to ``path`` (netCDF, atomic)."""
    from ..engine import run

    region = region or load_region(scenario.region)
    ds = run(scenario, draws=draws, seed=seed, region=region)
    res = summarise(ds)
    del ds
    res.attrs.update(provenance(scenario, region))
    res.attrs["scenario_file"] = _relative(scenario.file) if scenario.file else scenario.name
    res.attrs.pop("created", None)  # the same inputs give the same bytes
    encoding = {v: {"dtype": "float32", "zlib": True, "complevel": 6} for v in res.data_vars}
    return atomic_file(Path(path), lambda tmp: res.to_netcdf(tmp, engine="h5netcdf", encoding=encoding),
                       suffix=".nc")


def read_ensemble(scenario: Scenario, path: str | Path, *, region: Region | None = None) -> xr.Dataset:
    """The cached quantiles of a scenario; :class:`CacheError` if missing or stale."""
    path = Path(path)
    rebuild = f"rebuild it with: {REBUILD} {scenario.region}"
    if not path.exists():
        raise CacheError(f"no cached ensemble at {path}; {rebuild}")
    with xr.open_dataset(path, engine="h5netcdf") as f:
        ds = f.load()
    for v in ds.data_vars:  # float32 on disk, float64 for the arithmetic of the views
        ds[v] = ds[v].astype("float64")
    region = region or load_region(scenario.region)
    now = provenance(scenario, region)
    stale = [k for k, v in now.items() if ds.attrs.get(k) != v]
    if stale:
        what = {"scenario_hash": "the scenario changed", "data_version": "the region's data changed",
                "posterior_hashes": "a posterior was refitted", "model_version": "the model code changed"}
        raise CacheError(f"the cached ensemble {path} is stale ({'; '.join(what[k] for k in stale)}); {rebuild}")
    return ds


def _relative(path: str | Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def cache_path(scenario: Scenario, root: str | Path | None = None, scenarios: str | Path = SCENARIOS) -> Path | None:
    """Where the cache of a curated scenario lives (``None`` for a scenario that is not curated)."""
    if not scenario.file:
        return None
    file = Path(scenario.file).resolve()
    if file.parent != (Path(scenarios) / scenario.region).resolve():
        return None
    return Path(root or ensembles_root()) / scenario.region / f"{file.stem}.nc"


def load_cached(scenario: Scenario, *, region: Region | None = None, root: str | Path | None = None,
                scenarios: str | Path = SCENARIOS) -> xr.Dataset:
    """The cached summary of a curated scenario; :class:`CacheError` if there is none or it is stale."""
    path = cache_path(scenario, root, scenarios)
    if path is None:
        raise CacheError(f"{scenario.name} is not a curated scenario; no cached ensemble")
    return read_ensemble(scenario, path, region=region)


def curated_files(region: str, scenarios: str | Path = SCENARIOS) -> list[Path]:
    """The curated scenario files of a region."""
    return sorted((Path(scenarios) / region).glob("*.yaml"))


def build_caches(regions: list[str] | None = None, *, draws: int = DRAWS, root: str | Path | None = None,
                 scenarios: str | Path = SCENARIOS, force: bool = False, check: bool = False,
                 log=print) -> dict[Path, str]:
    """(Re)build the cached ensembles of every curated scenario of ``regions`` (default: all
    with a baseline and at most 60 districts, i.e. not the national run).

    Only missing or stale caches are rebuilt unless ``force``; with ``check`` nothing is
    written. Rewrites ``<root>/datapackage.json``. Returns ``{path: "fresh" | "built" |
    "stale" | "missing"}``.
    """
    from ..regions import known_regions
    from ..scenario import Scenario

    root, scenarios = Path(root or ensembles_root()), Path(scenarios)
    if regions is None:
        regions = [r for r in known_regions() if (scenarios / r / "baseline.yaml").exists()
                   and len(load_region(r).district_codes) <= 60]
    status: dict[Path, str] = {}
    for rid in regions:
        region = load_region(rid)
        for file in curated_files(rid, scenarios):
            sc = Scenario.from_file(file)
            path = root / rid / f"{file.stem}.nc"
            state = "missing" if not path.exists() else "fresh"
            if state == "fresh":
                try:
                    read_ensemble(sc, path, region=region)
                except CacheError:
                    state = "stale"
            if check or (state == "fresh" and not force):
                status[path] = state
                log(f"{state:8} {_relative(path)}")
                continue
            n = draws
            while True:
                try:
                    write_ensemble(sc, path, draws=n, seed=sc.seed, region=region)
                    break
                except ScenarioError as exc:
                    # a draw the engine refuses (employment below zero in some tail draw): say so and
                    # halve the draws; the file's attributes and the data package record the count
                    if n <= 50:
                        raise
                    log(f"warning  {file.name}: {n} draws refused ({str(exc).splitlines()[-1].strip()}); "
                        f"trying {n // 2}")
                    n //= 2
            status[path] = "built"
            log(f"built    {_relative(path)} ({path.stat().st_size / 1e3:.0f} kB, {n} draws)")
        if not check:  # caches of scenarios that no longer exist
            for old in sorted((root / rid).glob("*.nc")):
                if not (scenarios / rid / f"{old.stem}.yaml").exists():
                    old.unlink()
                    log(f"removed  {_relative(old)} (no such scenario)")
    if not check:
        write_datapackage(root)
    return status


def write_datapackage(root: str | Path | None = None) -> Path:
    """The provenance of the shipped caches, one resource per file (Frictionless data package)."""
    root = Path(root or ensembles_root())
    resources = []
    for path in sorted(root.glob("*/*.nc")):
        with xr.open_dataset(path, engine="h5netcdf") as f:
            a = dict(f.attrs)
        resources.append({
            "name": f"{path.parent.name}-{path.stem}".replace("_", "-").lower(),
            "path": path.relative_to(root).as_posix(), "format": "netcdf", "mediatype": "application/x-netcdf",
            "bytes": path.stat().st_size,
            "hash": "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest(),
            "title": f"{a.get('region_name', path.parent.name)}: {a.get('scenario_title_de', path.stem)}",
            "derived_from": [a.get("scenario_file", ""), f"../regions/{path.parent.name}/datapackage.json",
                             "../national/datapackage.json"],
            "retra": {k: _plain(a.get(k)) for k in ("scenario", "scenario_hash", "data_version", "posterior_hashes",
                                             "model_version", "summary_version", "draws", "seed", "retra_version")},
        })
    pkg = {
        "profile": "data-package",
        "name": "retra-ensembles",
        "title": "retra – cached ensembles of the curated scenarios (quantiles of aggregates)",
        "description": ("Median and the bounds of the 50 % and 90 % intervals (quantiles 0.05, 0.25, 0.5, 0.75, "
                        "0.95 over the draws) of jobs [persons] and gross value added [EUR million] of each "
                        "district and of the region (dimension 'area'), by year: levels, changes against the base "
                        "year, and changes per sector, per driver and per Lab / Handlungsfeld, each aggregate summed "
                        "per draw before the quantiles were taken (layout: retra_model.summary.summarise_ensemble). "
                        "Model output, not official statistics. Written by retra_model/uncertainty/ensemble.py "
                        f"(`{REBUILD}`); the attributes of each file hold what it was computed from; the apps refuse "
                        "a stale file (another scenario, data, posterior or model code) and compute live instead."),
        "version": "0.1.0",
        "licenses": [{"name": "dl-de-by-2.0", "path": "https://www.govdata.de/dl-de/by-2-0",
                      "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
                      "attribution": "Derived from: © Statistische Ämter des Bundes und der Länder; Quelle: Statistik "
                                     "der Bundesagentur für Arbeit; see the region's datapackage.json"}],
        "retra": {"kind": "ensembles", "rebuild_command": REBUILD},
        "resources": resources,
    }
    path = root / "datapackage.json"
    root.mkdir(parents=True, exist_ok=True)
    from ..paths import atomic_text

    atomic_text(path, json.dumps(pkg, indent=2, ensure_ascii=False) + "\n")
    return path


def _plain(x):
    """A netCDF attribute as a JSON value (NumPy scalars → Python)."""
    return x.item() if hasattr(x, "item") else x
