"""Views of a results Dataset: totals, quantiles, key figures, the decomposition.

A results Dataset (from :func:`retra_model.run`) has ``employment`` [persons] and ``gva``
[EUR million] by (``draw``,) ``district``, ``sector``, ``year``, and their changes by
``driver``. Ensembles have a ``draw`` axis; their summaries are medians with 50 % and 90 %
intervals. The intervals are the spread of the model under the uncertain inputs declared
(priors, posteriors, data ranges) — not a forecast error: what no input varies, they omit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .lazyimports import defer_xarray_imports
from .numbers_de import MINUS, fmt_num

defer_xarray_imports()  # before the first variable: xarray would import dask for it

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Median and the bounds of the 50 % and 90 % intervals."""

BAND_90 = (QUANTILES[0], QUANTILES[2], QUANTILES[-1])
"""The 5 % quantile, the median and the 95 % quantile: a value with its 90 % band."""

KEY_YEARS = (2030, 2035, 2045)
"""The years every summary, table and app shows where the region's data package names none
(``retra.key_years``, :attr:`retra_model.regions.Region.key_years`; a result carries its own in
the attribute ``key_years``, :func:`key_years`)."""


def key_years(ds: xr.Dataset) -> tuple[int, ...]:
    """The key years of a result: its region's (attribute ``key_years``), else :data:`KEY_YEARS`.

    >>> key_years(xr.Dataset(attrs={"key_years": [2030, 2040]})), key_years(xr.Dataset())
    ((2030, 2040), (2030, 2035, 2045))
    """
    years = np.atleast_1d(ds.attrs.get("key_years", ()))
    return tuple(int(y) for y in years) if years.size else KEY_YEARS


def region_total(da: xr.DataArray | xr.Dataset, region_id: str) -> xr.DataArray | xr.Dataset:
    """Sum over districts and append the region as one more ``district`` entry."""
    total = da.sum("district").expand_dims(district=[region_id])
    if "district_name" in da.coords:
        total = total.assign_coords(district_name=("district", [region_id.upper()]))
    return xr.concat([da, total], dim="district")


def money_unit(ds: xr.Dataset) -> str:
    """The one unit string of value added in every output: euros at prices of the base year.

    >>> money_unit(xr.Dataset(attrs={"base_year": 2020}))
    'EUR_2020 million'
    """
    return f"EUR_{int(ds.attrs['base_year'])} million"


def money_label_de(ds: xr.Dataset) -> str:
    """The German label of :func:`money_unit` (``Mio. € (Preise 2020)``)."""
    return f"Mio. € (Preise {int(ds.attrs['base_year'])})"


def unit_of(ds: xr.Dataset, variable: str) -> str:
    """The unit string of a result variable (``persons`` or :func:`money_unit`)."""
    return money_unit(ds) if variable.startswith("gva") else str(ds[variable].attrs.get("units", "persons"))


def aggregate(da: xr.DataArray, region_id: str, *, sectors: bool = True, drivers: bool = True) -> xr.DataArray:
    """Append the aggregates, computed draw by draw: the region (sum of its districts), the
    sector ``total`` and, for a decomposition, the driver ``total``.

    An aggregate of an ensemble must be summed *before* it is summarised: the sum of the
    districts' 95 % quantiles is not the 95 % quantile of the region (it is far wider).

    Parameters
    ----------
    da : xarray.DataArray
        A result variable with ``district`` and ``sector`` (and maybe ``draw``, ``driver``).
    region_id : str
        The code of the region row.
    """
    da = da.drop_vars([c for c in da.coords if c not in da.dims])
    arr = da.values
    coords = {d: list(da[d].values) for d in da.dims if d in da.coords}
    # One array with room for the aggregates, filled in place: each sum reads what the one before
    # appended (the region row enters the sector total, both enter the driver total), as a
    # concatenation per aggregate would, with one copy of the draws instead of three.
    axes = [(da.dims.index(dim), label) for dim, label, on in
            (("district", region_id, True), ("sector", "total", sectors), ("driver", "total", drivers))
            if on and dim in da.dims]
    shape = list(arr.shape)
    for ax, _ in axes:
        shape[ax] += 1
    out = np.empty(shape, dtype=np.result_type(arr.dtype, np.zeros(1, arr.dtype).sum().dtype))
    filled = [slice(0, n) for n in arr.shape]
    out[tuple(filled)] = arr
    for ax, label in axes:
        n = arr.shape[ax]
        part = out[tuple(filled)]
        target = list(filled)
        target[ax] = slice(n, n + 1)
        np.sum(part, axis=ax, keepdims=True, out=out[tuple(target)])
        filled[ax] = slice(0, n + 1)
        coords[da.dims[ax]] = [*coords[da.dims[ax]], label]
    return xr.DataArray(out, dims=da.dims, coords=coords, name=da.name, attrs=da.attrs)


def sum_over(da: xr.DataArray, dim: str | list[str]) -> xr.DataArray:
    """``da.sum(dim)`` (NaN counted as 0), the same numbers, without two whole copies of ``da``.

    xarray's NaN-skipping sum first builds an array of zeros and ``da`` with NaN replaced by 0 —
    for the changes of a thousand draws two copies of a few hundred megabytes. Where ``da`` holds
    no NaN (its total is a number) and is laid out in C order (as that copy is), the plain sum adds
    the same numbers in the same order; otherwise xarray's sum is used.
    """
    values = da.values
    if values.flags.c_contiguous and not np.isnan(np.sum(values)):
        return da.sum(dim, skipna=False)
    return da.sum(dim)


def summarise(da: xr.DataArray, q: tuple[float, ...] = QUANTILES) -> xr.DataArray:
    """Quantiles over the draws (a deterministic result is returned as it is)."""
    if "draw" not in da.dims:
        return da
    axis = da.dims.index("draw")
    dims = [d for d in da.dims if d != "draw"]
    coords = {**{k: c for k, c in da.coords.items() if "draw" not in c.dims}, "quantile": list(q)}
    return xr.DataArray(quantiles_sorted(da.values, q, axis), dims=["quantile", *dims], coords=coords, name=da.name,
                        attrs=da.attrs)  # what DataArray.quantile gives, from one sort


def quantiles_sorted(a: np.ndarray, q, axis: int = 0) -> np.ndarray:
    """NumPy's default ("linear") quantiles ``q`` of ``a`` along ``axis``, as a new first axis.

    The same numbers as ``np.quantile(a, q, axis)`` (and ``DataArray.quantile(skipna=False)``),
    bit for bit — the same positions ``(n - 1) q``, the same interpolation (numpy's ``_lerp``), NaN
    wherever a slice holds one — but from one sort instead of a partition per quantile (several
    times faster for the five quantiles of a thousand draws), and block by block
    (:data:`BLOCK_BYTES`), so that sorting never copies more than a block of the draws.
    """
    a = np.moveaxis(np.asarray(a), axis, 0)
    n = a.shape[0]
    pos = (n - 1) * np.asarray(q, dtype=float)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, n - 1)
    w = (pos - lo).reshape((-1,) + (1,) * (a.ndim - 1))

    def block(x: np.ndarray) -> np.ndarray:
        s = np.sort(x, axis=0)
        a_lo, a_hi = s[lo], s[hi]
        diff = a_hi - a_lo
        out = np.where(w >= 0.5, a_hi - diff * (1 - w), a_lo + diff * w)  # numpy's _lerp
        nan = np.isnan(s[-1])  # np.sort puts NaN last
        if nan.any():
            out[:, nan] = np.nan
        return out

    if a.ndim < 2 or a.nbytes <= BLOCK_BYTES:
        return block(a)
    step = max(1, int(BLOCK_BYTES // max(a[:, :1].nbytes, 1)))
    parts = [block(a[:, i:i + step]) for i in range(0, a.shape[1], step)]
    return np.concatenate(parts, axis=1)


BLOCK_BYTES = 16_000_000
"""Largest piece of an ensemble [bytes] that :func:`quantiles_sorted` and :func:`aggregate_summary`
copy at once: a thousand draws of a region's changes by driver are a few hundred megabytes, and a
new copy of that size costs more (in fresh memory) than the arithmetic on it."""


def aggregate_summary(da: xr.DataArray, region_id: str, q: tuple[float, ...] = QUANTILES, **kw) -> xr.DataArray:
    """``summarise(aggregate(da, region_id, **kw), q)``, the same numbers, year block by year block.

    Every aggregate and every quantile lies within one year, so the ensemble is aggregated and
    summarised a block of years at a time (:data:`BLOCK_BYTES`) and never copied whole. Blocks
    hold at least two years, so that ``year`` stays the innermost axis of every sum as it is in
    the whole array (numpy adds along the other axes in the same order then).
    """
    if "draw" not in da.dims or "year" not in da.dims or da.nbytes <= BLOCK_BYTES or da.sizes["year"] < 4:
        return summarise(aggregate(da, region_id, **kw), q)
    n_years = da.sizes["year"]
    step = max(2, int(BLOCK_BYTES // max(da.nbytes // n_years, 1)))
    starts = list(range(0, n_years, step))
    if n_years - starts[-1] < 2:  # no block of a single year
        starts.pop()
    bounds = [*starts[1:], n_years]
    parts = [summarise(aggregate(da.isel(year=slice(i, j)), region_id, **kw), q) for i, j in zip(starts, bounds)]
    return xr.concat(parts, dim="year") if len(parts) > 1 else parts[0]


def figure_note(ds: xr.Dataset) -> str:
    """Which figure a table shows, and why the deterministic and the ensemble figures differ (German)."""
    n = int(ds.attrs.get("draws") or 0)
    if "draw" in ds.dims or n:
        return (f"Gezeigt: Median von {fmt_de(n)} Ziehungen (Bänder: 50 % und 90 % der Ziehungen), jede Summe "
                "(Region, alle Branchen, alle Treiber) Ziehung für Ziehung gebildet. Der deterministische Lauf "
                "(jeder Hebel in der Mitte seiner Verteilung) ergibt eine andere Zahl: Das Modell ist nicht "
                "linear und die Verteilungen sind schief, daher ist das Ergebnis bei mittleren Hebeln nicht "
                "der Median der Ergebnisse.")
    return ("Gezeigt: deterministischer Lauf (jeder unsichere Hebel in der Mitte seiner Verteilung: Modus, "
            "Mittelwert oder Median). Der Median eines Ensembles (retra run --draws) weicht davon ab, weil das "
            "Modell nicht linear ist und die Verteilungen schief sind.")


def fmt_de(x: float, digits: int = 0, sign: bool = False) -> str:
    """A number in German notation: ``1.234``, ``+1.234,5``.

    >>> fmt_de(-49025.4), fmt_de(1234.56, 1, sign=True)
    ('-49.025', '+1.234,6')
    """
    return fmt_num(x, digits, sign=sign).replace(MINUS, "-")  # rounded as in the apps; an ASCII minus for consoles


def quantiles(ds: xr.Dataset, q: tuple[float, ...] = QUANTILES) -> xr.Dataset:
    """Quantiles over draws (a no-op on a deterministic run)."""
    if "draw" not in ds.dims:
        return ds
    out = ds.quantile(list(q), dim="draw")
    out.attrs = ds.attrs
    for name in ds.data_vars:
        out[name].attrs = ds[name].attrs
    return out


def key_figures(ds: xr.Dataset, years: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Jobs and GVA per district and for the region in the key years, against the base year.

    Returns
    -------
    pandas.DataFrame
        One row per district (and the region): ``employment_<base>``, ``employment_<year>``
        and ``change_<year>`` [persons], ``gva_<base>``, ``gva_<year>`` [EUR million] … For
        ensembles the values are medians; ``*_p05`` and ``*_p95`` give the 90 % interval.
    """
    base = int(ds.attrs["base_year"])
    years = tuple(y for y in (key_years(ds) if years is None else years) if y in ds["year"].values)
    emp = region_total(ds["employment"].sum("sector"), ds.attrs["region"])
    gva = region_total(ds["gva"].sum("sector"), ds.attrs["region"])
    names = list(emp["district_name"].values) if "district_name" in emp.coords else list(emp["district"].values)
    table = pd.DataFrame({"district": emp["district"].values, "name": names})
    for var, da, unit in (("employment", emp, "persons"), ("gva", gva, money_unit(ds))):
        b = da.sel(year=base)
        if "draw" in b.dims:
            b = b.median("draw")
        table[f"{var}_{base}"] = b.values
        for y in years:
            cur = da.sel(year=y)
            if "draw" in cur.dims:
                table[f"{var}_{y}"] = cur.median("draw").values
                table[f"{var}_{y}_p05"] = cur.quantile(0.05, "draw").values
                table[f"{var}_{y}_p95"] = cur.quantile(0.95, "draw").values
            else:
                table[f"{var}_{y}"] = cur.values
            table[f"{var}_change_{y}"] = table[f"{var}_{y}"] - table[f"{var}_{base}"]
    return table


def decomposition(ds: xr.Dataset, year: int, variable: str = "employment") -> pd.DataFrame:
    """Change against the base year by driver and Lab, per district and for the region [unit of variable]."""
    change = ds[f"{variable}_change"].sel(year=year).sum("sector")
    if "draw" in change.dims:
        change = change.median("draw")
    change = region_total(change, ds.attrs["region"])
    df = change.to_dataframe(name="change").reset_index()
    keep = [c for c in ("driver", "district", "district_name", "driver_lab", "driver_lab_label", "change") if c in df]
    return df[keep]


def summary_text(ds: xr.Dataset, years: tuple[int, ...] | None = None) -> str:
    """A short plain-text table: jobs and GVA per district in the key years against the base year.

    German number format; the last lines say which figure is shown (deterministic centre or
    median of N draws) and why the two differ.
    """
    base = int(ds.attrs["base_year"])
    table = key_figures(ds, years)
    years = tuple(y for y in (key_years(ds) if years is None else years) if f"employment_{y}" in table)
    draws = int(ds.attrs.get("draws") or 0)
    lines = [
        f"{ds.attrs.get('scenario_title_de', ds.attrs.get('scenario'))} — {ds.attrs.get('region_name')} "
        f"(Basisjahr {base}; {'Median von ' + fmt_de(draws) + ' Ziehungen' if draws else 'deterministischer Lauf'})",
        "",
        f"{'Kreis':<22}{'Beschäftigte ' + str(base):>18}" + "".join(f"{'Δ ' + str(y):>12}" for y in years)
        + f"{'BWS ' + str(base) + ' Mio. €':>18}" + "".join(f"{'Δ ' + str(y):>10}" for y in years),
    ]
    for row in table.itertuples(index=False):
        r = row._asdict()
        lines.append(
            f"{str(r['name'])[:21]:<22}{fmt_de(r[f'employment_{base}']):>18}"
            + "".join(f"{fmt_de(r[f'employment_change_{y}'], sign=True):>12}" for y in years)
            + f"{fmt_de(r[f'gva_{base}']):>18}"
            + "".join(f"{fmt_de(r[f'gva_change_{y}'], sign=True):>10}" for y in years)
        )
    if draws and years:
        y = years[0]
        last = table.iloc[-1]
        lines += ["", f"90-%-Band {ds.attrs.get('region_name')} {y}: {fmt_de(last[f'employment_{y}_p05'])} bis "
                      f"{fmt_de(last[f'employment_{y}_p95'])} Beschäftigte (aus den Ziehungen der Regionssumme)"]
    lines += ["", f"BWS in {money_label_de(ds)}. " + figure_note(ds)]
    return "\n".join(lines)
