"""Helpers for tests of code that uses retra: exact comparison of two results Datasets.

>>> import xarray as xr
>>> a = xr.Dataset({"employment": ("year", [1.0, 2.0])}, coords={"year": [2024, 2025]})
>>> assert_results_equal(a, a.copy())
"""

from __future__ import annotations

import numpy as np
import xarray as xr

RESULT_ATTRS = ("scenario", "scenario_hash", "region", "base_year", "draws", "seed", "data_version")
"""The attributes that decide what a run computed (``created`` and the like may differ)."""


def _first_difference(a: xr.DataArray, b: xr.DataArray) -> str:
    x, y = np.asarray(a.values), np.asarray(b.values)
    if x.dtype.kind in "fc" and y.dtype.kind in "fc":
        differ = ~((x == y) | (np.isnan(x) & np.isnan(y)))
    else:
        differ = x != y
    idx = tuple(int(i[0]) for i in np.nonzero(differ))
    where = ", ".join(f"{d}={a[d].values[i]!r}" if d in a.coords else f"{d}[{i}]"
                      for d, i in zip(a.dims, idx, strict=True))
    return f"first at ({where}): {x[idx]!r} != {y[idx]!r} ({int(differ.sum())} cells differ)"


def assert_results_equal(a: xr.Dataset, b: xr.Dataset, *, attrs: tuple[str, ...] = RESULT_ATTRS) -> None:
    """Assert that two results are identical: every variable and coordinate bit for bit
    (NaN equals NaN), the same dimensions, each variable's ``units`` and the run's ``attrs``.

    Raises
    ------
    AssertionError
        Naming the first thing that differs: a variable and its first differing cell (by
        coordinate labels), a coordinate, or an attribute.
    """
    if dict(a.sizes) != dict(b.sizes):
        raise AssertionError(f"dimensions differ: {dict(a.sizes)} != {dict(b.sizes)}")
    if set(a.data_vars) != set(b.data_vars):
        raise AssertionError(f"variables differ: only in the first {sorted(set(a.data_vars) - set(b.data_vars))}, "
                             f"only in the second {sorted(set(b.data_vars) - set(a.data_vars))}")
    if set(a.coords) != set(b.coords):
        raise AssertionError(f"coordinates differ: {sorted(a.coords)} != {sorted(b.coords)}")
    for name in a.coords:
        ca, cb = a[name], b[name]
        if ca.dims != cb.dims or not np.array_equal(ca.values, cb.values):
            raise AssertionError(f"coordinate '{name}' differs: {ca.values!r} != {cb.values!r}")
    for name in a.data_vars:
        va, vb = a[name], b[name].transpose(*a[name].dims) if set(a[name].dims) == set(b[name].dims) else b[name]
        if va.dims != vb.dims:
            raise AssertionError(f"variable '{name}': dimensions {va.dims} != {b[name].dims}")
        if va.values.dtype.kind in "fc" and vb.values.dtype.kind in "fc":
            same = np.array_equal(va.values, vb.values, equal_nan=True)
        else:
            same = np.array_equal(va.values, vb.values)
        if not same:
            raise AssertionError(f"variable '{name}' differs, {_first_difference(va, vb)}")
        for key in ("units", "unit"):
            if va.attrs.get(key) != vb.attrs.get(key):
                raise AssertionError(f"variable '{name}': {key} {va.attrs.get(key)!r} != {vb.attrs.get(key)!r}")
    for key in attrs:
        if a.attrs.get(key) != b.attrs.get(key):
            raise AssertionError(f"attribute '{key}' differs: {a.attrs.get(key)!r} != {b.attrs.get(key)!r}")


# ---------------------------------------------------------------------------------------
# Hypothesis strategies from the table of levers


def lever_values(key: str, *, within: str = "bounds", distributions: bool = False):
    """A Hypothesis strategy of values of one lever, from its row in the table of levers.

    Parameters
    ----------
    key : str
        The row's key (``trend.half_life``, ``projects.*.jobs.*``).
    within : {"bounds", "plausible"}
        Numbers between the lever's bounds (every value a scenario may hold) or inside its
        plausible range.
    distributions : bool
        Also triangular distributions inside the same range.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(lever_values("trend.half_life"), lambda x: x > 100) <= 200
    True
    """
    from hypothesis import strategies as st

    from .scenario import lever_table

    spec = next((s for s in lever_table() if s.key == key), None)
    if spec is None:
        raise KeyError(f"no lever '{key}' in the table of levers")
    lo, hi = (spec.low, spec.high) if within == "bounds" else (spec.plausible_low, spec.plausible_high)
    number = st.floats(lo, hi, allow_nan=False)
    if not distributions:
        return number
    triangle = st.lists(number, min_size=3, max_size=3).map(sorted).map(
        lambda v: {"distribution": "triangular", "low": v[0], "mode": v[1], "high": v[2], "source": "hypothesis"})
    return number | triangle
