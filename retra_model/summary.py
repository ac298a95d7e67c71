"""Ensembles reduced to the quantiles of their aggregates, and the names of the drivers.

A quantile of a sum is not the sum of quantiles: :func:`summarise_ensemble` sums every
aggregate (district → region, sectors, drivers, Labs) draw by draw and reduces over ``draw``
afterwards. The apps, the cached ensembles (:mod:`retra_model.uncertainty.ensemble`) and the
views (:mod:`retra_model.views`) all read this one layout; it belongs to the core, so that the
caches are built without the presentation layer.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .drivers import registry
from .results import QUANTILES as BAND_QUANTILES  # one quantile set for every output
from .results import quantiles_sorted, unit_of

DRIVER_LABELS_DE = registry.labels_de()
"""German names of the drivers at import (:mod:`.drivers.registry`); a driver not registered is
called 'Weiterer Treiber'."""



def driver_label(driver: str) -> str:
    """German name of a driver (never the code)."""
    sp = registry.spec(str(driver))
    return "Weiterer Treiber" if sp is None else sp.label_de


def lab_labels(ds: xr.Dataset) -> list[str]:
    """Lab / Handlungsfeld of each driver, in German; a driver without one gets its own name.

    The engine labels a driver that ``labs.csv`` does not list with the name of the Lab its
    register entry names (or with its own German name if the region has no such Lab); results
    written before may carry the driver's code, which is replaced by its German name here.
    """
    drivers = [str(d) for d in ds["driver"].values]
    if "driver_lab_label" not in ds.coords:
        return [driver_label(d) for d in drivers]
    out = []
    for d, lab in zip(drivers, ds["driver_lab_label"].values, strict=True):
        lab = str(lab)
        out.append(driver_label(d) if lab == d or not lab else lab)
    return out


SUMMARY_KIND = "retra-ensemble-summary"
"""``attrs["kind"]`` of an ensemble reduced by :func:`summarise_ensemble`."""

SUMMARY_VERSION = 1
"""Layout version of the reduced ensembles (part of a cache's provenance)."""


def is_summary(ds: xr.Dataset) -> bool:
    """Whether ``ds`` is an ensemble reduced to quantiles of aggregates (:func:`summarise_ensemble`)."""
    return ds.attrs.get("kind") == SUMMARY_KIND


def has_draws(ds: xr.Dataset) -> bool:
    """Whether ``ds`` carries an ensemble's spread (draws, or quantiles of more than one draw)."""
    if is_summary(ds):
        return int(ds.attrs.get("draws", 1)) > 1
    return "draw" in ds.dims


def _quantiles(a: np.ndarray, axis: int = 0) -> np.ndarray:
    """The :data:`BAND_QUANTILES` of ``a`` along ``axis``, as a new first axis.

    NumPy's default ("linear") quantiles, as ``xarray.DataArray.quantile`` gives them, but
    from one sort (:func:`~retra_model.results.quantiles_sorted`): about ten times faster than
    ``np.quantile``'s partitions for five quantiles of a hundred draws, which the explorer pays
    on every move of a lever.
    """
    return quantiles_sorted(a, BAND_QUANTILES, axis)


def summarise_ensemble(ds: xr.Dataset) -> xr.Dataset:
    """An ensemble reduced once to the quantiles of the aggregates the figures and tables show.

    A quantile of a sum is not the sum of quantiles, so every aggregate is summed per draw
    first and reduced over ``draw`` afterwards: per ``area`` (each district and the region
    as a whole) and ``year``, for each ``variable`` in ``employment`` [persons] and ``gva``
    [EUR million]:

    ``<variable>_level``          (quantile, area, year) level, all sectors
    ``<variable>_change``         (quantile, area, year) change against the base year
    ``<variable>_sector_change``  (quantile, area, sector, year) change per sector
    ``<variable>_driver_change``  (quantile, area, driver, year) change per driver
    ``<variable>_lab_change``     (quantile, area, lab, year) change per Lab / Handlungsfeld
    ``<variable>_base``           (area, sector) median base-year level

    The views of this module (:func:`path`, :func:`change_by_district`, …) read such a
    summary as they read the ensemble itself, with the same numbers; the apps reduce each
    ensemble once and the cached ensembles (:mod:`retra_model.uncertainty.ensemble`) are
    stored in this form, a few hundred kilobytes instead of the draws.

    A deterministic run (no ``draw``) gives five equal quantiles.
    """
    base = int(ds.attrs["base_year"])
    region = str(ds.attrs["region"])
    years = ds["year"].values
    ib = int(np.flatnonzero(years == base)[0])
    districts = [str(d) for d in ds["district"].values]
    labs = lab_labels(ds)
    lab_order = list(dict.fromkeys(labs))
    drivers = [str(d) for d in ds["driver"].values]
    member = np.array([[lb == lab for lb in labs] for lab in lab_order], dtype=float)  # lab × driver
    draw = "draw" in ds.dims
    out = {}
    for var in ("employment", "gva"):
        da = ds[var]
        a = da.transpose("draw", "district", "sector", "year").values if draw else da.transpose(
            "district", "sector", "year").values[None]
        a = np.concatenate([a, a.sum(axis=1, keepdims=True)], axis=1)  # draw, area, sector, year
        tot = a.sum(axis=2)  # draw, area, year
        ch = ds[f"{var}_change"]
        c = ch.transpose("driver", "draw", "district", "sector", "year").values if draw else ch.transpose(
            "driver", "district", "sector", "year").values[:, None]
        c = c.sum(axis=3)  # driver, draw, district, year
        c = np.concatenate([c, c.sum(axis=2, keepdims=True)], axis=2)  # driver, draw, area, year
        by_lab = np.einsum("ld,dnay->lnay", member, c)
        out[f"{var}_level"] = (("quantile", "area", "year"), _quantiles(tot))
        out[f"{var}_change"] = (("quantile", "area", "year"), _quantiles(tot - tot[:, :, ib:ib + 1]))
        out[f"{var}_sector_change"] = (("quantile", "area", "sector", "year"), _quantiles(a - a[..., ib:ib + 1]))
        out[f"{var}_driver_change"] = (("quantile", "area", "driver", "year"),
                                       _quantiles(c, axis=1).transpose(0, 2, 1, 3))
        out[f"{var}_lab_change"] = (("quantile", "area", "lab", "year"), _quantiles(by_lab, axis=1).transpose(0, 2, 1, 3))
        out[f"{var}_base"] = (("area", "sector"), np.median(a[..., ib], axis=0))
    names = ([str(n) for n in ds["district_name"].values] if "district_name" in ds.coords else districts)
    region_name = str(ds.attrs.get("region_name", region))
    coords = {
        "quantile": list(BAND_QUANTILES), "area": [*districts, region], "area_name": ("area", [*names, region_name]),
        "sector": ds["sector"].values, "year": years, "driver": drivers, "driver_label": ("driver", [driver_label(d) for d in drivers]),
        "driver_lab_label": ("driver", labs), "lab": lab_order,
        "lab_drivers": ("lab", [", ".join(driver_label(d) for d, lb in zip(drivers, labs, strict=True) if lb == lab)
                                for lab in lab_order]),
    }
    if "sector_label" in ds.coords:
        coords["sector_label"] = ("sector", ds["sector_label"].values)
    res = xr.Dataset(out, coords=coords)
    for var in ("employment", "gva"):
        unit = unit_of(ds, var)
        for name in ("level", "change", "sector_change", "driver_change", "lab_change", "base"):
            res[f"{var}_{name}"].attrs["units"] = unit
    res.attrs = {k: v for k, v in ds.attrs.items() if isinstance(v, (str, int, float))}
    res.attrs.update(kind=SUMMARY_KIND, summary_version=SUMMARY_VERSION, draws=int(ds.sizes.get("draw", 1)))
    return res
