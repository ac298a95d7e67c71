"""Helpers for tests of code that uses retra: exact comparison of two runs.

>>> import retra_model as rm
>>> from retra_model.testing import assert_results_equal
>>> sc = rm.Scenario.from_file("tests/toy_region/baseline.yaml")  # doctest: +SKIP
>>> assert_results_equal(rm.run(sc, draws=10, seed=1), rm.run(sc, draws=10, seed=1))  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import xarray as xr

RESULT_ATTRS = ("region", "base_year", "scenario_hash", "data_version", "seed", "draws", "decomposition")
"""Attributes that say what was run; others (``created``, ``retra_version``) may differ between equal runs."""


def _first_difference(a: xr.DataArray, b: xr.DataArray) -> str:
    """The first cell where two arrays of the same shape differ, as ``dim=label, …: a != b``."""
    x, y = a.values, b.transpose(*a.dims).values
    bad = ~((x == y) | (np.isnan(x) & np.isnan(y))) if x.dtype.kind == "f" else x != y
    where = np.argwhere(bad)
    idx = tuple(where[0])
    cell = ", ".join(f"{d}={a[d].values[i]!s}" for d, i in zip(a.dims, idx, strict=True))
    return f"{cell}: {x[idx]} != {y[idx]} ({len(where)} of {x.size} cells differ)"


def assert_results_equal(a: xr.Dataset, b: xr.Dataset, attrs=RESULT_ATTRS) -> None:
    """Assert that two results of :func:`retra_model.run` are the same bit for bit.

    Same variables, dimensions, coordinates, every value (NaN equal to NaN) and the attributes
    ``attrs`` that say what was run. The message names the first variable and cell that differ.

    Raises
    ------
    AssertionError
        With the variable, the cell (labels of every dimension) and both values.
    """
    if set(a.data_vars) != set(b.data_vars):
        raise AssertionError(f"variables differ: only in a {sorted(set(a.data_vars) - set(b.data_vars))}, "
                             f"only in b {sorted(set(b.data_vars) - set(a.data_vars))}")
    for name in a.coords:
        if name not in b.coords or not np.array_equal(a[name].values, b[name].values):
            raise AssertionError(f"coordinate '{name}' differs")
    for var in a.data_vars:
        da, db = a[var], b[var]
        if set(da.dims) != set(db.dims) or da.shape != db.transpose(*da.dims).shape:
            raise AssertionError(f"'{var}': dimensions {da.dims} {da.shape} != {db.dims} {db.shape}")
        x, y = da.values, db.transpose(*da.dims).values
        same = np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
        if not same:
            raise AssertionError(f"'{var}' differs at {_first_difference(da, db)}")
    for key in attrs:
        if a.attrs.get(key) != b.attrs.get(key):
            raise AssertionError(f"attribute '{key}': {a.attrs.get(key)!r} != {b.attrs.get(key)!r}")
