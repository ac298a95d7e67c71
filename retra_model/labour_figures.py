"""German tables and figures of the future of work (:func:`retra_model.labour.future_of_work`).

For notebook 06 and the apps: plain functions of the Dataset that ``future_of_work`` returns,
with or without a ``draw`` axis (then medians and 90 % bands; a region total is the quantile
of the summed draws).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr

from .figures import style
from .labour import FOW_VARIABLES
from .numbers_de import fmt_int
from .results import key_years

BAND = (0.05, 0.95)


def _q(da: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    if "draw" not in da.dims:
        return da, da, da
    q = da.quantile([BAND[0], 0.5, BAND[1]], dim="draw")
    return q.isel(quantile=1, drop=True), q.isel(quantile=0, drop=True), q.isel(quantile=2, drop=True)


def _r(x: float, step: int) -> str:
    return fmt_int(round(float(x) / step) * step)


def key_figures(fow: xr.Dataset, years=None, variables=None, step: int = 1) -> pd.DataFrame:
    """Region totals per variable and year, German labels and number format: "median [5 %; 95 %]" [persons].

    ``step`` rounds every figure to a multiple of it (100 for a council: the bands are wide).
    """
    years = key_years(fow) if years is None else years
    variables = variables or ["population_15_66", "supply", "demand", "balance", "displaced", "task_change",
                              "requalification"]
    years = [y for y in years if y in fow["year"].values]
    rows = {}
    for var in variables:
        mid, lo, hi = _q(fow[var].sum("district").sel(year=years))
        rows[FOW_VARIABLES[var][0]] = [
            _r(mid.sel(year=y), step) + ("" if "draw" not in fow.dims else
                                        f" [{_r(lo.sel(year=y), step)}; {_r(hi.sel(year=y), step)}]")
            for y in years]
    return pd.DataFrame(rows, index=[str(y) for y in years]).T.rename_axis("Region insgesamt (Personen)")


def by_district(fow: xr.Dataset, year: int, step: int = 1) -> pd.DataFrame:
    """Supply, demand, balance and requalification need per district in ``year`` (medians), German."""
    cols = {}
    for var in ("population_15_66", "supply", "demand", "balance", "displaced", "task_change", "requalification"):
        mid = _q(fow[var].sel(year=year))[0]
        cols[FOW_VARIABLES[var][0]] = mid.values
    df = pd.DataFrame(cols, index=[str(n) for n in fow["district_name"].values])
    df.loc["Region insgesamt"] = df.sum()  # medians per district, the sum only approximately the region's median
    return df.map(lambda v: _r(v, step)).rename_axis(f"Kreis, {year}")


def by_occupation(fow: xr.Dataset, year: int, top: int = 10, step: int = 1) -> pd.DataFrame:
    """Requalification need by occupational main group (KldB 2010, 2-digit), region, ``year`` (median)."""
    da = fow["requalification_by_occupation"].sel(year=year).sum("district")
    mid, lo, hi = _q(da)
    df = pd.DataFrame({"Berufshauptgruppe": fow["occupation_label"].values, "Median": mid.values,
                       "5 %": lo.values, "95 %": hi.values}, index=fow["occupation"].values)
    df = df.sort_values("Median", ascending=False).head(top)
    for c in ("Median", "5 %", "95 %"):
        df[c] = df[c].map(lambda v: _r(v, step))
    return df.rename_axis("KldB 2010")


def by_driver(fow: xr.Dataset, years=None, step: int = 1) -> pd.DataFrame:
    """Displaced workers by driver, region (medians), German."""
    years = [y for y in (key_years(fow) if years is None else years) if y in fow["year"].values]
    mid = _q(fow["displaced_by_driver"].sum("district").sel(year=years))[0]
    df = mid.transpose("driver", "year").to_pandas().round(0)
    df = df.loc[df.abs().sum(axis=1) > 0]
    df.columns = [str(c) for c in df.columns]
    return df.map(lambda v: _r(v, step)).rename_axis("Freigesetzte nach Treiber")


def supply_demand(fows: dict[str, xr.Dataset], title: str | None = None) -> go.Figure:
    """Labour supply at the workplace and demand (jobs) over time, one colour pair per label, 90 % bands."""
    fig = go.Figure()
    colours = ["31,119,180", "214,39,40", "44,160,44", "148,103,189"]
    for i, (label, fow) in enumerate(fows.items()):
        c = colours[i % len(colours)]
        years = fow["year"].values
        for var, dash, name in (("supply", "solid", "Angebot"), ("demand", "dot", "Nachfrage")):
            mid, lo, hi = _q(fow[var].sum("district"))
            if "draw" in fow.dims:
                fig.add_trace(go.Scatter(x=np.r_[years, years[::-1]], y=np.r_[hi.values, lo.values[::-1]],
                                         fill="toself", line_width=0, fillcolor=f"rgba({c},0.12)", showlegend=False,
                                         hoverinfo="skip"))
            fig.add_trace(go.Scatter(x=years, y=mid.values, name=f"{label}: {name}",
                                     line=dict(color=f"rgb({c})", dash=dash)))
    fig.update_yaxes(title="Personen", tickformat=",.0f")
    return style(fig, title or "Arbeitsangebot am Arbeitsort und Arbeitsnachfrage (Median, 90 %-Band)")


def requalification(fow: xr.Dataset, title: str | None = None) -> go.Figure:
    """Requalification need over time: displaced and task change (medians, stacked) and the 90 % band of the sum."""
    years = fow["year"].values
    fig = go.Figure()
    for var, name in (("displaced", "Freigesetzte"), ("task_change", "Tätigkeitswandel")):
        fig.add_trace(go.Bar(x=years, y=_q(fow[var].sum("district"))[0].values, name=name))
    if "draw" in fow.dims:
        _, lo, hi = _q(fow["requalification"].sum("district"))
        fig.add_trace(go.Scatter(x=years, y=hi.values, mode="lines", line=dict(dash="dot", color="#555"),
                                 name="95 %-Quantil (Summe)"))
        fig.add_trace(go.Scatter(x=years, y=lo.values, mode="lines", line=dict(dash="dot", color="#999"),
                                 name="5 %-Quantil (Summe)"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="Personen (kumuliert seit Basisjahr)", tickformat=",.0f")
    return style(fig, title or "Qualifizierungsbedarf")


def sensitivity(results: xr.Dataset, scenario, lever: str, values, years=None,
                variable: str = "requalification", region=None, step: int = 1) -> pd.DataFrame:
    """Region total of ``variable`` when one lever of the ``labour:`` section takes each of ``values``.

    The other levers stay at the scenario's values (their centres in a deterministic run).
    """
    from .labour import future_of_work

    years = [y for y in (key_years(results) if years is None else years) if y in results["year"].values]
    rows = {}
    for v in values:
        sc = scenario.model_copy(update={"labour": scenario.labour.model_copy(update={lever: v})})
        da = future_of_work(results, sc, region)[variable].sum("district").sel(year=years)
        da = da.median("draw") if "draw" in da.dims else da
        rows[fmt_num_de(v)] = [_r(da.sel(year=y), step) for y in years]
    return pd.DataFrame(rows, index=[str(y) for y in years]).T.rename_axis(f"{lever} = …")


def fmt_num_de(x: float) -> str:
    """A lever value with a decimal comma (0.5 → "0,5")."""
    return f"{x:g}".replace(".", ",")
