"""Tables behind the figures: base data and results reduced to what one chart shows.

Each function takes a :class:`~retra_model.regions.Region` or a results Dataset and returns a
small :class:`pandas.DataFrame` with German labels beside the codes, so that figures, apps
and notebooks draw the same numbers. Drivers are read from the Dataset (its ``driver``
coordinate), never from a fixed list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .numbers_de import fmt_int, fmt_num, fmt_pct
from .regions import Region
from .results import key_figures, key_years
from .summary import (  # noqa: F401
    BAND_QUANTILES,
    DRIVER_LABELS_DE,
    SUMMARY_KIND,
    SUMMARY_VERSION,
    _quantiles,
    driver_label,
    has_draws,
    is_summary,
    lab_labels,
    summarise_ensemble,
)

VARIABLES_DE = {
    "employment": ("Beschäftigte", "Beschäftigte"),
    "gva": ("Bruttowertschöpfung", "Mio. €"),
}
"""Name and unit of each result variable, as the council reads them."""

# ---------------------------------------------------------------------------------------
# Base data


def automotive_dependence(region: Region) -> pd.DataFrame:
    """Share of each district's base-year jobs in vehicle making (WZ 29), with its range.

    Returns
    -------
    pandas.DataFrame
        ``district, name, vehicles, vehicles_low, vehicles_high, total`` [persons] and
        ``share, share_low, share_high`` [1]. The low/high of the vehicles estimate are set
        against the district's total of the central estimate (the published total).
    """
    emp = region.employment.sel(year=region.base_year)
    total = emp["value"].sum("sector").to_pandas()
    veh = emp.sel(sector="vehicles")
    names = region.districts.set_index("district")["name_short"]
    df = pd.DataFrame({
        "district": region.district_codes,
        "name": [names[d] for d in region.district_codes],
        "vehicles": veh["value"].to_pandas().values,
        "vehicles_low": veh["low"].to_pandas().values,
        "vehicles_high": veh["high"].to_pandas().values,
        "total": total.values,
    })
    for col in ("", "_low", "_high"):
        df[f"share{col}"] = df[f"vehicles{col}"] / df["total"]
    return df


def sector_structure(region: Region) -> pd.DataFrame:
    """Jobs [persons] and value added [EUR million] per sector in the base year, region total.

    Value added is jobs × GVA per employee of each district and sector.
    """
    emp = region.base()
    gva = (emp * region.gva_per_employee["value"] / 1000.0).sum("district")
    jobs = emp.sum("district")
    labels = region.national.sectors.set_index("sector")["label_de"]
    df = pd.DataFrame({"sector": region.sector_codes,
                       "label": [labels[s] for s in region.sector_codes],
                       "employment": jobs.sel(sector=region.sector_codes).values,
                       "gva": gva.sel(sector=region.sector_codes).values})
    df["employment_share"] = df["employment"] / df["employment"].sum()
    df["gva_share"] = df["gva"] / df["gva"].sum()
    return df


def bev_registrations(region: Region) -> pd.DataFrame:
    """New passenger cars in Germany per year (KBA): totals and BEV/PHEV shares [1]."""
    df = pd.read_csv(region.national.folder / "kba_registrations_annual.csv")
    out = df[["year", "total", "bev", "phev"]].copy()
    out["bev_share"] = out["bev"] / out["total"]
    out["phev_share"] = out["phev"] / out["total"]
    return out


def bev_stock_germany(region: Region) -> pd.DataFrame:
    """Battery-electric cars on the road in Germany on 1 January of each year (KBA) [vehicles]."""
    df = pd.read_csv(region.national.folder / "bev_stock_germany.csv")
    out = df[["date", "bev", "phev", "total"]].copy()
    out["year"] = out["date"].str[:4].astype(int)
    return out


def bev_stock_districts(region: Region) -> pd.DataFrame:
    """BEV stock per district at the latest date of the region's KBA table, and its share [1]."""
    df = region.tables["bev_stock"].copy()
    latest = df["date"].max()
    df = df.loc[df["date"] == latest]
    names = region.districts.set_index("district")["name_short"]
    out = pd.DataFrame({"district": df["district"].values, "name": [names[d] for d in df["district"]],
                        "date": latest, "bev": df["bev"].values,
                        "total_pkw": df["total_pkw"].values if "total_pkw" in df else np.nan})
    out["share"] = out["bev"] / out["total_pkw"]
    return out.reset_index(drop=True)


def sources_table(region: Region) -> pd.DataFrame:
    """The sources of the base data, with German column names, one row per source."""
    src = region.sources()
    df = src[["source", "publisher", "year", "url", "licence"]].drop_duplicates()
    df = df.loc[df["source"].astype(str).str.len() > 0]
    return df.rename(columns={"source": "Quelle", "publisher": "Herausgeber", "year": "Jahr",
                              "url": "Adresse", "licence": "Lizenz"}).reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Results


def _area(ds: xr.Dataset, district: str | None) -> int:
    """Position of a district (or, for ``None``, the region) on a summary's ``area`` axis."""
    key = district or str(ds.attrs["region"])
    return int(ds.indexes["area"].get_loc(key))


def _qcols(q: np.ndarray) -> dict[str, np.ndarray]:
    """Columns ``p05, p25, median, p75, p95`` from an array with the quantile axis first."""
    return {k: q[i] for i, k in enumerate(("p05", "p25", "median", "p75", "p95"))}


def district_names(ds: xr.Dataset) -> dict[str, str]:
    """District code → German short name, from a results Dataset or a summary."""
    if is_summary(ds):
        return dict(zip(ds["area"].values[:-1], ds["area_name"].values[:-1], strict=True))
    if "district_name" in ds.coords:
        return {str(d): str(n) for d, n in zip(ds["district"].values, ds["district_name"].values, strict=True)}
    return {str(d): str(d) for d in ds["district"].values}


def _summarise(da: xr.DataArray, prefix: str = "") -> dict[str, np.ndarray]:
    """Median and 5/25/75/95 % quantiles over ``draw`` (or the value itself, without draws)."""
    if "draw" not in da.dims:
        v = da.values
        return {f"{prefix}{k}": v for k in ("median", "p05", "p25", "p75", "p95")}
    q = da.quantile(list(BAND_QUANTILES), dim="draw").values
    return {f"{prefix}{k}": q[i] for i, k in enumerate(("p05", "p25", "median", "p75", "p95"))}


def path(ds: xr.Dataset, variable: str = "employment", district: str | None = None) -> pd.DataFrame:
    """Region (or one district) total per year: level and change against the base year.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``base`` (the base-year level), ``median, p05, p25, p75, p95`` of the change
        against the base year and ``level`` (median level) [unit of the variable].
    """
    base = int(ds.attrs["base_year"])
    if is_summary(ds):
        i = _area(ds, district)
        years = ds["year"].values
        out = pd.DataFrame({"year": years, **_qcols(ds[f"{variable}_change"].values[:, i])})
        out["base"] = float(ds[f"{variable}_level"].values[2, i, int(np.flatnonzero(years == base)[0])])
        out["level"] = out["base"] + out["median"]
        return out
    da = ds[variable]
    da = da.sel(district=district) if district else da.sum("district")
    total = da.sum("sector")
    change = total - total.sel(year=base)
    out = pd.DataFrame({"year": ds["year"].values, **_summarise(change)})
    b = total.sel(year=base)
    out["base"] = float(b.median("draw") if "draw" in b.dims else b)
    out["level"] = out["base"] + out["median"]
    return out


def change_by_driver(ds: xr.Dataset, year: int, variable: str = "employment",
                     district: str | None = None) -> pd.DataFrame:
    """Change against the base year by driver, with its Lab / Handlungsfeld [unit of variable]."""
    if is_summary(ds):
        iy = int(ds.indexes["year"].get_loc(year))
        q = ds[f"{variable}_driver_change"].values[:, _area(ds, district), :, iy]
        df = pd.DataFrame({"driver": [str(d) for d in ds["driver"].values],
                           "label": [driver_label(d) for d in ds["driver"].values],  # today's names, not the file's
                           "lab": [str(x) for x in ds["driver_lab_label"].values], **_qcols(q)})
        df["change"] = df["median"]
        return df
    ch = ds[f"{variable}_change"].sel(year=year)
    ch = ch.sel(district=district) if district else ch.sum("district")
    ch = ch.sum("sector")
    df = pd.DataFrame({"driver": [str(d) for d in ds["driver"].values],
                       "label": [driver_label(d) for d in ds["driver"].values],
                       "lab": lab_labels(ds), **_summarise(ch.transpose("driver", ...))})
    df["change"] = df["median"]
    return df


def change_by_lab(ds: xr.Dataset, year: int, variable: str = "employment",
                  district: str | None = None) -> pd.DataFrame:
    """Change against the base year by Lab / Handlungsfeld, in order of first appearance.

    The medians of the groups are the medians of the summed draws, so with draws the groups
    need not add up exactly to the median of the total; the decomposition of each draw does.
    """
    if is_summary(ds):
        iy = int(ds.indexes["year"].get_loc(year))
        q = ds[f"{variable}_lab_change"].values[:, _area(ds, district), :, iy]
        df = pd.DataFrame({"lab": [str(x) for x in ds["lab"].values], **_qcols(q)})
        df["change"] = df["median"]
        labs = [str(x) for x in ds["driver_lab_label"].values]
        df["drivers"] = [", ".join(driver_label(d) for d, lb in zip(ds["driver"].values, labs, strict=True) if lb == lab)
                         for lab in df["lab"]]
        return df
    ch = ds[f"{variable}_change"].sel(year=year)
    ch = ch.sel(district=district) if district else ch.sum("district")
    ch = ch.sum("sector")
    labs = lab_labels(ds)
    order = list(dict.fromkeys(labs))
    grouped = ch.assign_coords(lab=("driver", labs)).groupby("lab").sum()
    grouped = grouped.sel(lab=order)
    df = pd.DataFrame({"lab": order, **_summarise(grouped.transpose("lab", ...))})
    df["change"] = df["median"]
    drivers = {lab: ", ".join(driver_label(d) for d, lb in zip(ds["driver"].values, labs, strict=True) if lb == lab)
               for lab in order}
    df["drivers"] = df["lab"].map(drivers)
    return df


def change_by_sector(ds: xr.Dataset, year: int, variable: str = "employment",
                     district: str | None = None) -> pd.DataFrame:
    """Change against the base year per sector [unit of variable], with German labels."""
    base = int(ds.attrs["base_year"])
    if is_summary(ds):
        i, iy = _area(ds, district), int(ds.indexes["year"].get_loc(year))
        df = pd.DataFrame({"sector": [str(s) for s in ds["sector"].values],
                           "label": [str(x) for x in ds["sector_label"].values] if "sector_label" in ds.coords
                           else [str(s) for s in ds["sector"].values],
                           "base": ds[f"{variable}_base"].values[i],
                           **_qcols(ds[f"{variable}_sector_change"].values[:, i, :, iy])})
        df["change"] = df["median"]
        df["relative"] = df["change"] / df["base"].where(df["base"] > 0)
        return df
    da = ds[variable]
    da = da.sel(district=district) if district else da.sum("district")
    change = da.sel(year=year) - da.sel(year=base)
    b = da.sel(year=base)
    df = pd.DataFrame({"sector": [str(s) for s in ds["sector"].values],
                       "label": [str(x) for x in ds["sector_label"].values] if "sector_label" in ds.coords
                       else [str(s) for s in ds["sector"].values],
                       "base": (b.median("draw") if "draw" in b.dims else b).values,
                       **_summarise(change.transpose("sector", ...))})
    df["change"] = df["median"]
    df["relative"] = df["change"] / df["base"].where(df["base"] > 0)
    return df


def change_by_district(ds: xr.Dataset, year: int, variable: str = "employment") -> pd.DataFrame:
    """Change against the base year per district [unit of variable] and relative to its base [1]."""
    base = int(ds.attrs["base_year"])
    if is_summary(ds):
        years = ds["year"].values
        iy, ib = int(np.flatnonzero(years == year)[0]), int(np.flatnonzero(years == base)[0])
        df = pd.DataFrame({"district": [str(d) for d in ds["area"].values[:-1]],
                           "name": [str(n) for n in ds["area_name"].values[:-1]],
                           "base": ds[f"{variable}_level"].values[2, :-1, ib],
                           **_qcols(ds[f"{variable}_change"].values[:, :-1, iy])})
        df["change"] = df["median"]
        df["relative"] = df["change"] / df["base"]
        return df
    da = ds[variable].sum("sector")
    change = da.sel(year=year) - da.sel(year=base)
    b = da.sel(year=base)
    df = pd.DataFrame({"district": [str(d) for d in ds["district"].values],
                       "name": [str(n) for n in ds["district_name"].values] if "district_name" in ds.coords
                       else [str(d) for d in ds["district"].values],
                       "base": (b.median("draw") if "draw" in b.dims else b).values,
                       **_summarise(change.transpose("district", ...))})
    df["change"] = df["median"]
    df["relative"] = df["change"] / df["base"]
    return df


def key_figures_table(ds: xr.Dataset, years: tuple[int, ...] | None = None, variable: str = "employment") -> pd.DataFrame:
    """Key figures as the council reads them: one row per district and the region, German text.

    Columns: ``Kreis``, the base-year level, and per key year the level, the change against
    the base year (with the 90 % interval for ensembles) and the change in per cent.
    """
    years = key_years(ds) if years is None else years
    kf = _key_figures_summary(ds, years) if is_summary(ds) else key_figures(ds, years)
    base = int(ds.attrs["base_year"])
    years = tuple(y for y in years if f"{variable}_{y}" in kf)
    fmt = fmt_int if variable == "employment" else (lambda x, sign=False: fmt_num(x, 1, sign=sign))
    region_name = ds.attrs.get("region_name", ds.attrs.get("region"))
    names = [region_name if d == ds.attrs.get("region") else n for d, n in zip(kf["district"], kf["name"], strict=True)]
    out = pd.DataFrame({"Kreis": names})
    unit = "" if variable == "employment" else " (Mio. €)"
    what = "Beschäftigte" if variable == "employment" else "BWS"
    out[f"{what} {base}{unit}"] = [fmt(v) for v in kf[f"{variable}_{base}"]]
    for y in years:
        out[f"{y}"] = [fmt(v) for v in kf[f"{variable}_{y}"]]
        ch = kf[f"{variable}_change_{y}"]
        out[f"Veränderung {y}"] = [fmt(v, sign=True) for v in ch]
        out[f"in % {y}"] = [fmt_pct(c / b, sign=True) for c, b in zip(ch, kf[f"{variable}_{base}"], strict=True)]
        if f"{variable}_{y}_p05" in kf:
            lo = kf[f"{variable}_{y}_p05"] - kf[f"{variable}_{base}"]
            hi = kf[f"{variable}_{y}_p95"] - kf[f"{variable}_{base}"]
            out[f"90 %-Intervall {y}"] = [f"{fmt(a, sign=True)} bis {fmt(b, sign=True)}" for a, b in zip(lo, hi, strict=True)]
    return out


def _key_figures_summary(ds: xr.Dataset, years: tuple[int, ...]) -> pd.DataFrame:
    """:func:`retra_model.results.key_figures` of a summary (the same columns and numbers)."""
    base = int(ds.attrs["base_year"])
    all_years = list(ds["year"].values)
    years = tuple(y for y in years if y in all_years)
    table = pd.DataFrame({"district": [str(a) for a in ds["area"].values],
                          "name": [str(n) for n in ds["area_name"].values]})
    for var in ("employment", "gva"):
        lev = ds[f"{var}_level"].values  # quantile, area, year
        table[f"{var}_{base}"] = lev[2, :, all_years.index(base)]
        for y in years:
            iy = all_years.index(y)
            table[f"{var}_{y}"] = lev[2, :, iy]
            if has_draws(ds):
                table[f"{var}_{y}_p05"] = lev[0, :, iy]
                table[f"{var}_{y}_p95"] = lev[4, :, iy]
            table[f"{var}_change_{y}"] = table[f"{var}_{y}"] - table[f"{var}_{base}"]
    return table


def dependence_table(region: Region) -> pd.DataFrame:
    """Vehicle making per district in the base year, German text: jobs, share and range."""
    dep = automotive_dependence(region)
    return pd.DataFrame({
        "Kreis": dep["name"],
        "Beschäftigte insgesamt": [fmt_int(v) for v in dep["total"]],
        "davon Fahrzeugbau (Schätzung)": [fmt_int(v) for v in dep["vehicles"]],
        "Spanne": [f"{fmt_int(a)} bis {fmt_int(b)}" for a, b in zip(dep["vehicles_low"], dep["vehicles_high"], strict=True)],
        "Anteil": [fmt_pct(v) for v in dep["share"]],
        "Anteil (Spanne)": [f"{fmt_pct(a)} bis {fmt_pct(b)}" for a, b in zip(dep["share_low"], dep["share_high"], strict=True)],
    })


# ---------------------------------------------------------------------------------------
# Kreisprofil


def district_sectors(region: Region, district: str) -> pd.DataFrame:
    """Base-year jobs per sector of one district [persons], with the estimate's range and the share [1]."""
    emp = region.employment.sel(year=region.base_year, district=district)
    labels = region.national.sectors.set_index("sector")["label_de"]
    df = pd.DataFrame({"sector": region.sector_codes, "label": [labels[s] for s in region.sector_codes],
                       "employment": emp["value"].sel(sector=region.sector_codes).values,
                       "low": emp["low"].sel(sector=region.sector_codes).values,
                       "high": emp["high"].sel(sector=region.sector_codes).values})
    df["share"] = df["employment"] / df["employment"].sum()
    return df


def district_comparison_table(region: Region, ds: xr.Dataset, district: str, year: int) -> pd.DataFrame:
    """The district against the region and Germany, German text: jobs, share of vehicle making
    (with the estimate's range), the change over the observed years and the scenario's change
    to ``year`` with its 90 % interval (Germany: observed only; the model has no national run here).
    """
    base = region.base_year
    dep = automotive_dependence(region).set_index("district")
    hist = region.employment["value"].sum("sector")
    years = [int(y) for y in hist["year"].values]
    first = years[0]
    d_hist = hist.sel(district=district)
    r_hist = hist.sum("district")
    nat = region.national.employment
    tot = nat.loc[nat["wz_group"] == "TOTAL"].set_index("year")["value"]
    # the official WZ sections end before the base year (2020 for a 2024 base): the latest year published
    wz_year = max(int(y) for y in region.employment_wz["year"].values if int(y) <= base)
    wz = region.employment_wz.sel(year=wz_year)
    d_c = float(wz.sel(district=district, wz_group="C") / wz.sel(district=district, wz_group="TOTAL"))
    r_c = float(wz.sel(wz_group="C").sum() / wz.sel(wz_group="TOTAL").sum()) if not bool(
        wz.sel(wz_group="C").isnull().any()) else np.nan
    nb = nat.loc[nat["year"] == wz_year].set_index("wz_group")["value"]
    de_c = float(nb["C"] / nb["TOTAL"]) if "C" in nb and "TOTAL" in nb else np.nan
    p_d = path(ds, "employment", district).set_index("year")
    p_r = path(ds, "employment").set_index("year")
    name = str(dep.loc[district, "name"])
    region_name = region.name

    def pct_change(series, a, b):
        return float(series.sel(year=b) / series.sel(year=a) - 1) if hasattr(series, "sel") else float(series.loc[b] / series.loc[a] - 1)

    veh_region = float(dep["vehicles"].sum() / dep["total"].sum())
    rows = [
        {"Kennzahl": f"Beschäftigte {base}", name: fmt_int(dep.loc[district, "total"]),
         region_name: fmt_int(dep["total"].sum()), "Deutschland": fmt_int(tot.get(base, np.nan))},
        {"Kennzahl": f"Anteil Fahrzeugbau {base} (Spanne der Schätzung)",
         name: f"{fmt_pct(dep.loc[district, 'share'])} ({fmt_pct(dep.loc[district, 'share_low'])} bis "
               f"{fmt_pct(dep.loc[district, 'share_high'])})",
         region_name: fmt_pct(veh_region), "Deutschland": "–"},
        {"Kennzahl": f"Anteil Verarbeitendes Gewerbe {wz_year} (amtlich; – = geheim gehalten)",
         name: fmt_pct(d_c), region_name: fmt_pct(r_c), "Deutschland": fmt_pct(de_c)},
        {"Kennzahl": f"Veränderung {first}–{base} (beobachtet)", name: fmt_pct(pct_change(d_hist, first, base), sign=True),
         region_name: fmt_pct(pct_change(r_hist, first, base), sign=True),
         "Deutschland": fmt_pct(float(tot.loc[base] / tot.loc[first] - 1), sign=True) if first in tot and base in tot else "–"},
        {"Kennzahl": f"Veränderung {base}–{year} im Szenario (90 %-Intervall)",
         name: f"{fmt_pct(p_d.loc[year, 'median'] / p_d.loc[year, 'base'], sign=True)} "
               f"({fmt_pct(p_d.loc[year, 'p05'] / p_d.loc[year, 'base'], sign=True)} bis "
               f"{fmt_pct(p_d.loc[year, 'p95'] / p_d.loc[year, 'base'], sign=True)})",
         region_name: f"{fmt_pct(p_r.loc[year, 'median'] / p_r.loc[year, 'base'], sign=True)} "
                      f"({fmt_pct(p_r.loc[year, 'p05'] / p_r.loc[year, 'base'], sign=True)} bis "
                      f"{fmt_pct(p_r.loc[year, 'p95'] / p_r.loc[year, 'base'], sign=True)})",
         "Deutschland": "–"},
    ]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------
# Investment and job-years of infrastructure and plant scenarios


def infrastructure_investment(scenario, region: Region) -> pd.DataFrame:
    """Investment and operation & maintenance of a scenario's infrastructure build-out per year
    [EUR million], at the centre of every lever (a deterministic reading of the same inputs the
    engine uses: capex per unit from the scenario, else from ``infrastructure_costs.csv``).

    Returns
    -------
    pandas.DataFrame
        ``year, investment, operation`` [EUR million]; empty without infrastructure.
    """
    from .drivers import infrastructure as infra
    from .scenario import value_of

    cfg = getattr(scenario, "infrastructure", None)
    years = np.arange(region.base_year, int(region.horizon) + 1) if hasattr(region, "horizon") else None
    if cfg is None or years is None:
        return pd.DataFrame(columns=["year", "investment", "operation"])
    nat = region.national
    items = nat.tables["infrastructure_items"].set_index("item")
    costs = nat.tables["infrastructure_costs"].set_index("parameter")

    def data_cost(item: str, kind: str) -> float:
        par = items.loc[item, f"{kind}_parameter"] if item in items.index else None
        if not isinstance(par, str) or par not in costs.index or np.isnan(costs.loc[par, "value"]):
            return 0.0
        return float(costs.loc[par, "value"]) / float(items.loc[item, f"{kind}_divisor"]) / 1e6

    inv = np.zeros(len(years))
    op = np.zeros(len(years))
    for name, it in cfg.items.items():
        capex = value_of(it.capex) / 1e6 if it.capex is not None else data_cost(name, "capex")
        om = value_of(it.om) / 1e6 if it.om is not None else data_cost(name, "om")
        for path in it.build_out.values():
            stock = infra.cumulative(years, {y: np.array([value_of(x)]) for y, x in path.items()}, region.base_year)
            i, o = infra.spending(stock, np.array([capex]), np.array([om]))
            inv += i[0]
            op += o[0]
    return pd.DataFrame({"year": years, "investment": inv, "operation": op})


def investment_summary(scenario, baseline, region: Region) -> pd.DataFrame | None:
    """Investment [EUR million], job-years [person-years] and job-years per EUR million of a
    scenario against the baseline, direct (infrastructure or projects), indirect and induced.

    From deterministic runs of both scenarios (the centre of every lever): the job-years are the
    sums over the years after the base year of the differences of each driver's change. ``None``
    when the scenario differs from the baseline neither in infrastructure nor in projects.
    """
    from .engine import run

    a, b = run(scenario, region=region), run(baseline, region=region)
    base = region.base_year
    d = (a["employment_change"] - b["employment_change"]).sum(["district", "sector"])
    d = d.sel(year=d["year"] > base)
    drivers = [str(x) for x in d["driver"].values]
    direct = sum(float(d.sel(driver=k).sum()) for k in ("infrastructure", "projects") if k in drivers)
    if abs(direct) < 0.5:
        return None
    indirect = float(d.sel(driver="indirect").sum()) if "indirect" in drivers else 0.0
    induced = float(d.sel(driver="induced").sum()) if "induced" in drivers else 0.0
    inv = infrastructure_investment(scenario, region)
    inv_b = infrastructure_investment(baseline, region)
    total_inv = float(inv["investment"].sum()) - (float(inv_b["investment"].sum()) if len(inv_b) else 0.0)
    last = int(d["year"].values[-1])
    rows = []
    for label, v in (("direkt", direct), ("indirekt (Zulieferer)", indirect), ("induziert (Konsum)", induced),
                     ("zusammen", direct + indirect + induced)):
        rows.append({"Wirkung": label, f"Personenjahre {base + 1}–{last}": fmt_int(v),
                     "je Mio. € Investition": fmt_num(v / total_inv, 1) if total_inv > 0.5 else "–"})
    df = pd.DataFrame(rows)
    df.attrs["investment"] = total_inv
    df.attrs["job_years"] = direct + indirect + induced
    return df


# ---------------------------------------------------------------------------------------
# What the bands mean (both apps)


BACKTEST_COVERAGE = {"son": (0.915, 272), "swsn": (0.876, 170), "de": (0.884, 13634)}
"""Share of observed district totals inside the model's 90 % band, and the number of district ×
origin × horizon cases, in the rolling-origin backtests (origins 2015-2022, horizons 1-5 years, the
error model fitted leave-one-origin-out; ``retra_model.backtest.evaluate_bands``, notebook 05).
Update when the error model is refitted (``backtest.write_error_model``)."""


def band_caveat(region: str) -> str:
    """What the bands include, what not, and how often they held in the backtests (German)."""
    text = ("Das Band enthält die unsicheren Annahmen (Tempo der Elektrifizierung, Arbeitsaufwand der "
            "E-Antriebe, Produktivität, Datenspannen) und die Abweichungen, mit denen das Modell die "
            "Beschäftigung der Kreise in der Vergangenheit verfehlt hat; Politikwechsel und neue "
            "Werksentscheidungen enthält es nicht.")
    return f"{text} {band_coverage(region)}".rstrip()


def band_coverage(region: str) -> str:
    """How often the 90 % band held in the region's backtests (German; empty for a region without)."""
    cov = BACKTEST_COVERAGE.get(region)
    if not cov:
        return ""
    return (f"In Rückrechnungen 2015–2024 (1 bis 5 Jahre voraus) lagen {fmt_pct(cov[0], 0)} der beobachteten "
            "Werte der Kreise im 90 %-Band; für spätere Jahre ist das Band fortgeschrieben.")
