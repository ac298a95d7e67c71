"""Views of a results Dataset: totals, quantiles, key figures, the decomposition.

A results Dataset (from :func:`retra_model.run`) has ``employment`` [persons] and ``gva``
[EUR million] by (``draw``,) ``district``, ``sector``, ``year``, and their changes by
``driver``. Ensembles have a ``draw`` axis; their summaries are medians with 50 % and 90 %
intervals. The intervals are the spread of the model under the uncertain inputs declared
(priors, posteriors, data ranges) — not a forecast error: what no input varies, they omit.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Median and the bounds of the 50 % and 90 % intervals."""

KEY_YEARS = (2030, 2035, 2045)


def region_total(da: xr.DataArray | xr.Dataset, region_id: str) -> xr.DataArray | xr.Dataset:
    """Sum over districts and append the region as one more ``district`` entry."""
    total = da.sum("district").expand_dims(district=[region_id])
    if "district_name" in da.coords:
        total = total.assign_coords(district_name=("district", [region_id.upper()]))
    return xr.concat([da, total], dim="district")


def quantiles(ds: xr.Dataset, q: tuple[float, ...] = QUANTILES) -> xr.Dataset:
    """Quantiles over draws (a no-op on a deterministic run)."""
    if "draw" not in ds.dims:
        return ds
    out = ds.quantile(list(q), dim="draw")
    out.attrs = ds.attrs
    for name in ds.data_vars:
        out[name].attrs = ds[name].attrs
    return out


def key_figures(ds: xr.Dataset, years: tuple[int, ...] = KEY_YEARS) -> pd.DataFrame:
    """Jobs and GVA per district and for the region in the key years, against the base year.

    Returns
    -------
    pandas.DataFrame
        One row per district (and the region): ``employment_<base>``, ``employment_<year>``
        and ``change_<year>`` [persons], ``gva_<base>``, ``gva_<year>`` [EUR million] … For
        ensembles the values are medians; ``*_p05`` and ``*_p95`` give the 90 % interval.
    """
    base = int(ds.attrs["base_year"])
    years = tuple(y for y in years if y in ds["year"].values)
    emp = region_total(ds["employment"].sum("sector"), ds.attrs["region"])
    gva = region_total(ds["gva"].sum("sector"), ds.attrs["region"])
    names = list(emp["district_name"].values) if "district_name" in emp.coords else list(emp["district"].values)
    table = pd.DataFrame({"district": emp["district"].values, "name": names})
    for var, da, unit in (("employment", emp, "persons"), ("gva", gva, "EUR million")):
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


def summary_text(ds: xr.Dataset, years: tuple[int, ...] = KEY_YEARS) -> str:
    """A short plain-text table: jobs and GVA per district in the key years against the base year."""
    base = int(ds.attrs["base_year"])
    table = key_figures(ds, years)
    years = tuple(y for y in years if f"employment_{y}" in table)
    lines = [
        f"{ds.attrs.get('scenario_title_de', ds.attrs.get('scenario'))} — {ds.attrs.get('region_name')} "
        f"(Basisjahr {base}{', ' + str(ds.attrs['draws']) + ' Ziehungen, Median' if ds.attrs.get('draws') else ''})",
        "",
        f"{'Kreis':<22}{'Beschäftigte ' + str(base):>18}" + "".join(f"{'Δ ' + str(y):>12}" for y in years)
        + f"{'BWS ' + str(base) + ' Mio. €':>18}" + "".join(f"{'Δ ' + str(y):>10}" for y in years),
    ]
    for row in table.itertuples(index=False):
        r = row._asdict()
        lines.append(
            f"{str(r['name'])[:21]:<22}{r[f'employment_{base}']:>18,.0f}"
            + "".join(f"{r[f'employment_change_{y}']:>+12,.0f}" for y in years)
            + f"{r[f'gva_{base}']:>18,.0f}"
            + "".join(f"{r[f'gva_change_{y}']:>+10,.0f}" for y in years)
        )
    return "\n".join(lines)
