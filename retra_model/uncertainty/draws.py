"""Draws from the cached posteriors: netCDF files read with xarray, never a sampler.

A posterior ``<name>`` is the file ``data/posteriors/<name>.nc``, written by
:mod:`retra_model.uncertainty.calibrate` (``retra calibrate``) in ArviZ's
InferenceData layout: the group ``posterior`` holds the thinned draws, dims
``(chain, draw)``, one variable per model parameter; its attributes record the data
files the model was fitted on and their hash (``data_hash``), the PyMC version, the fit
date and the sampler diagnostics.

A scenario names one variable of a posterior as ``"<posterior>.<variable>"``, for example
``bev_diffusion.midpoint_year``. The engine passes, for every variable of one posterior,
the *same* uniform numbers; draw *i* of the ensemble then takes posterior sample
``floor(u_i × n_samples)`` of every variable, so the posterior's correlations (midpoint
against steepness, say) carry through to the results.

Before the first draw of a process the data files are hashed again; a posterior fitted
on other data raises :class:`~retra_model.errors.CacheError` naming the file and the
command that refits it. This module imports neither PyMC nor ArviZ (a test checks it).

Examples
--------
>>> import numpy as np
>>> x = posterior_draws("bev_diffusion.midpoint_year", np.array([0.1, 0.9]))
>>> x.shape
(2,)
>>> float(posterior_draws("bev_diffusion.midpoint_year", np.array([0.5]), central=True)[0]) > 2020
True
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import numpy as np
import xarray as xr

from ..errors import CacheError
from ..regions import data_root

GROUP = "posterior"
"""The netCDF group holding the draws (ArviZ layout)."""

REFIT = "retra calibrate"


def posteriors_dir() -> Path:
    """The folder of cached posteriors, ``data/posteriors`` (follows ``$RETRA_DATA``)."""
    return data_root() / "posteriors"


def posterior_path(posterior: str) -> Path:
    """The cache file of a posterior, e.g. ``data/posteriors/bev_diffusion.nc``."""
    return posteriors_dir() / f"{posterior}.nc"


def known_posteriors() -> list[str]:
    """Names of the posteriors with a cache file."""
    folder = posteriors_dir()
    return sorted(p.stem for p in folder.glob("*.nc")) if folder.exists() else []


def data_hash(files: list[str], root: Path | None = None) -> str:
    """SHA-256 (first 16 hex digits) over the names and bytes of data files.

    Parameters
    ----------
    files : list of str
        Paths relative to ``root`` (default: the ``data/`` folder), e.g.
        ``national/kba_registrations_annual.csv``.
    """
    root = data_root() if root is None else Path(root)
    h = hashlib.sha256()
    for rel in sorted(files):
        path = root / rel
        h.update(rel.encode())
        try:
            h.update(path.read_bytes())
        except FileNotFoundError:
            h.update(b"<missing>")
    return h.hexdigest()[:16]


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=32)
def _load(path_str: str, stamp: tuple) -> tuple[dict[str, np.ndarray], dict]:
    """Flattened draws per variable and the attributes; cached per file version."""
    path = Path(path_str)
    with xr.open_dataset(path, group=GROUP) as ds:
        ds = ds.load()
    flat = {}
    for name, da in ds.data_vars.items():
        if set(da.dims) == {"chain", "draw"}:
            flat[name] = np.ascontiguousarray(da.transpose("chain", "draw").values.reshape(-1), dtype=float)
    return flat, dict(ds.attrs)


def load_posterior(posterior: str, *, check: bool = True) -> tuple[dict[str, np.ndarray], dict]:
    """The draws of a cached posterior (flattened over chains) and its attributes.

    Parameters
    ----------
    posterior : str
        Name of the posterior, e.g. ``bev_diffusion``.
    check : bool
        Compare the stored data hash with the current data files (default).

    Raises
    ------
    CacheError
        The cache file is missing, unreadable, or was fitted on other data.
    """
    path = posterior_path(posterior)
    if not path.exists():
        known = known_posteriors()
        raise CacheError(
            f"no cached posterior '{posterior}' ({path} is missing); cached posteriors are: "
            f"{', '.join(known) or 'none'}. Fit it with `{REFIT} {posterior}`"
        )
    try:
        draws, attrs = _load(str(path), _stamp(path))
    except (OSError, ValueError, KeyError) as exc:
        raise CacheError(f"the cached posterior {path} cannot be read ({exc}); refit it with `{REFIT} {posterior}`") from None
    if check:
        _check_hash(posterior, path, attrs)
    return draws, attrs


def _safe_stamp(path: Path) -> tuple[int, int]:
    try:
        return _stamp(path)
    except FileNotFoundError:
        return (0, -1)


@functools.lru_cache(maxsize=64)
def _current_hash(files: tuple[str, ...], stamps: tuple, root: str) -> str:
    return data_hash(list(files), Path(root))


def _check_hash(posterior: str, path: Path, attrs: dict) -> None:
    files = tuple(json.loads(attrs["data_files"]))
    stamps = tuple(_safe_stamp(data_root() / f) for f in files)
    now = _current_hash(files, stamps, str(data_root()))
    if now != attrs["data_hash"]:
        raise CacheError(
            f"the cached posterior '{posterior}' ({path}) was fitted on other data: "
            f"data hash {attrs['data_hash']} at the fit ({attrs.get('fit_date', '?')}), {now} now, "
            f"over {', '.join(files)}. Refit it with `{REFIT} {posterior}` "
            "(a minute or two), then commit the new file"
        )


def split_name(name: str) -> tuple[str, str]:
    """``"bev_diffusion.midpoint_year"`` → ``("bev_diffusion", "midpoint_year")``."""
    posterior, sep, variable = name.partition(".")
    if not sep or not posterior or not variable:
        raise CacheError(f"a posterior is named '<posterior>.<variable>', e.g. 'bev_diffusion.midpoint_year'; got '{name}'")
    return posterior, variable


def posterior_draws(name: str, uniforms: np.ndarray, central: bool = False) -> np.ndarray:
    """Values of a posterior variable for each draw of an ensemble [the variable's unit].

    Parameters
    ----------
    name : str
        ``"<posterior>.<variable>"``, e.g. ``"bev_diffusion.midpoint_year"``.
    uniforms : numpy.ndarray
        Uniform numbers in [0, 1), shape ``(n,)``; the same for every variable of one
        posterior, so that they are drawn jointly.
    central : bool
        Return the posterior median, shape ``(1,)`` (a deterministic run). The medians
        of several variables are marginal medians, not one joint sample.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``: sample ``floor(u × n_samples)`` of the variable for each ``u``.

    Raises
    ------
    CacheError
        Unknown posterior or variable, a missing cache, or a cache fitted on other data.
    """
    posterior, variable = split_name(name)
    draws, _ = load_posterior(posterior)
    if variable not in draws:
        raise CacheError(
            f"the posterior '{posterior}' has no variable '{variable}'; it has: {', '.join(sorted(draws))}"
        )
    values = draws[variable]
    if central:
        return np.array([float(np.median(values))])
    u = np.asarray(uniforms, dtype=float)
    idx = np.clip(np.floor(u * values.size).astype(np.int64), 0, values.size - 1)
    return values[idx]


def describe(posterior: str) -> dict:
    """Attributes of a cached posterior (data hash, versions, diagnostics), without checking."""
    _, attrs = load_posterior(posterior, check=False)
    out = dict(attrs)
    for key in ("diagnostics", "data_files", "priors"):
        if key in out and isinstance(out[key], str):
            try:
                out[key] = json.loads(out[key])
            except json.JSONDecodeError:
                pass
    return out
