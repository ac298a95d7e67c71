"""Backtests: forecast from an earlier base year with only the data up to it, compare with what happened.

For every district the model starts from base year *b* (for example 2017), fits the trend
on the years up to *b*, runs the scenario's ensemble to the last year of the data and
compares the district totals with the published ones: the error of the median and how
often the 50 % and 90 % intervals hold the observed value. The base year is a property of
the data (:meth:`Region.as_of`), so the same code reruns when newer years arrive.

What a backtest over 2018–2020 can and cannot say: the automotive drivers barely moved in
those years (BEV shares of a few per cent), so it tests the trend and the national level
lever, i.e. the baseline's structural part — and it includes the first Covid summer (30 June
2020). Exposure and GVA per employee are kept as estimated for 2020 (they have no time axis).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .drivers.trend import SIZE_CLASSES, size_class  # noqa: F401  (the error model's classes)
from .engine import run
from .regions import Region
from .results import QUANTILES as BAND_QUANTILES
from .scenario import Scenario


def as_of_scenario(scenario: Scenario, region: Region, base_year: int, *, end_year: int | None = None,
                   national: str = "forecast") -> tuple[Scenario, Region]:
    """The scenario and region as they stood in ``base_year``.

    The trend is fitted on the :data:`SHIFT_WINDOW` years up to ``base_year``; the run ends with
    the data (or ``end_year``); no output path and no projects (they are dated after the window).
    Germany's level: ``national="forecast"`` sets it to what could be forecast at the origin (the
    damped recent trend of :func:`national_forecast`, as the constant rate that reaches the same
    level at the end of the run); ``"scenario"`` keeps the scenario's lever (a projection made
    later, so not a fair forecast).
    """
    last = int(region.employment["year"].max()) if end_year is None else int(end_year)
    past = region.as_of(base_year)
    data = scenario.to_dict()
    data["end_year"] = last
    data["trend"]["fit_years"] = [max(int(region.meta["history_start"]), base_year - SHIFT_WINDOW), base_year]
    data["volume"]["output_index"] = {last: 1.0}
    data["projects"] = {}
    if national == "forecast":
        nat = region.national.total_employment()
        h = last - base_year
        data["trend"]["level_growth"] = float(national_forecast(nat, base_year, [h])[0] / h)
    return Scenario.from_dict(data, name=f"{scenario.name}-backtest-{base_year}", context=past.codelists()), past


def backtest(scenario: Scenario, region: Region, base_year: int, *, draws: int = 500,
             seed: int = 0, national: str = "forecast") -> pd.DataFrame:
    """Forecast district totals from ``base_year`` and compare with the published figures.

    Parameters
    ----------
    scenario : Scenario
        Its levers are used as they are, except: the trend is fitted on the data's first
        year to ``base_year``, the run ends with the data, output index and projects are
        dropped (they are dated after the backtest window).
    region : Region
        The full data; only years up to ``base_year`` enter the forecast.
    base_year : int
        Start of the forecast [yr].
    draws, seed : int
        Ensemble size and seed.

    Returns
    -------
    pandas.DataFrame
        One row per district (and the region) and forecast year: ``observed``, ``median``,
        ``p05``, ``p25``, ``p75``, ``p95`` [persons], ``error`` [persons],
        ``error_pct`` [%], ``in_50`` and ``in_90`` (bool).
    """
    last = int(region.employment["year"].max())
    sc, past = as_of_scenario(scenario, region, base_year, national=national)
    ens = run(sc, region=past, draws=draws, seed=seed)
    total = ens["employment"].sum("sector")
    total = xr_concat_region(total, region.id)
    observed = region.employment["value"].sum("sector")
    observed = xr_concat_region(observed, region.id)
    rows = []
    for year in range(base_year + 1, last + 1):
        sim = total.sel(year=year)
        q = sim.quantile(list(BAND_QUANTILES), dim="draw")
        obs = observed.sel(year=year)
        for d in sim["district"].values:
            o = float(obs.sel(district=d))
            p05, p25, med, p75, p95 = (float(x) for x in q.sel(district=d).values)
            rows.append({"district": str(d), "year": year, "observed": o, "median": med, "p05": p05,
                         "p25": p25, "p75": p75, "p95": p95, "error": med - o,
                         "error_pct": 100 * (med - o) / o, "in_50": p25 <= o <= p75, "in_90": p05 <= o <= p95})
    return pd.DataFrame(rows)


def xr_concat_region(da, region_id: str):
    """Append the sum over districts as one more district labelled with the region id."""
    import xarray as xr

    da = da.drop_vars([c for c in da.coords if c not in da.dims])
    return xr.concat([da, da.sum("district").expand_dims(district=[region_id])], dim="district")


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """Share of observations inside the 50 % and 90 % intervals, and the mean absolute error, by year."""
    districts = table[~table["district"].str.isalpha()]
    return districts.groupby("year").agg(
        in_50=("in_50", "mean"), in_90=("in_90", "mean"),
        mean_abs_error_pct=("error_pct", lambda s: float(np.mean(np.abs(s)))),
        districts=("district", "count"),
    ).reset_index()


# ---------------------------------------------------------------------------------------
# Several regions and base years; the national level known; where the misses come from

VARIANTS = ("default", "known_level")
"""``default``: the scenario's levers as they are (the national level is a lever with its own
uncertainty); ``known_level``: Germany's employment level set to what happened, so that what
is left of the error is the regional shift (and the vehicle sector, which the level skips)."""


def national_log_growth(region: Region, base_year: int, year: int) -> float:
    """Realised log growth of all SvB in Germany from ``base_year`` to ``year`` [1].

    Examples
    --------
    >>> from retra_model.regions import load_region
    >>> round(national_log_growth(load_region("son"), 2017, 2019), 3)  # 32.16 m → 33.41 m
    0.038
    """
    nat = region.national.total_employment()
    return float(np.log(nat.loc[year] / nat.loc[base_year]))


def known_level_rate(scenario: Scenario, region: Region, base_year: int, year: int) -> float:
    """The level lever [1/yr] with which the trend reproduces Germany's realised growth in ``year``.

    The national level is applied without fading (:mod:`retra_model.drivers.trend`), so the
    rate is ``ln(N_year / N_base) / (year - base_year)``.
    """
    return national_log_growth(region, base_year, year) / float(year - base_year)


def backtest_known_level(scenario: Scenario, region: Region, base_year: int, *, draws: int = 500,
                         seed: int = 0) -> pd.DataFrame:
    """As :func:`backtest`, with Germany's employment level set to what it was.

    For every forecast year one run with ``trend.level_growth`` fixed at
    :func:`known_level_rate`; only that year's rows are kept. All other levers keep their
    uncertainty (half-life, productivity, exposure, labour per powertrain …). The difference
    to :func:`backtest` separates the error of the national level (a lever: nobody knows
    Germany's employment in advance) from the error of the regional shift (what the model
    itself claims to know).
    """
    last = int(region.employment["year"].max())
    parts = []
    for year in range(base_year + 1, last + 1):
        rate = known_level_rate(scenario, region, base_year, year)
        sc = scenario.replace({"trend": {"level_growth": rate}})
        table = backtest(sc, region, base_year, draws=draws, seed=seed, national="scenario")
        parts.append(table[table["year"] == year].assign(level_growth=rate))
    return pd.concat(parts, ignore_index=True)


def backtest_suite(regions=("son", "swsn"), base_years=(2017, 2018), *, draws: int = 500, seed: int = 0,
                   scenario_dir="scenarios", scenario_name: str = "baseline") -> pd.DataFrame:
    """Backtests of a scenario for several regions and base years, both :data:`VARIANTS`.

    Parameters
    ----------
    regions : sequence of str
        Region ids; the scenario is ``<scenario_dir>/<region>/<scenario_name>.yaml``.
    base_years : sequence of int
        Base years of the forecasts [yr]; each must leave three years of history before it.
    draws, seed : int
        Ensemble size and seed (the same for every run, so the table is reproducible).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`backtest` with ``variant``, ``region``, ``base_year`` and
        ``horizon`` [yr] in front, and ``width_90_pct`` (width of the 90 % interval in % of
        the median).
    """
    from pathlib import Path

    from .regions import load_region

    parts = []
    for rid in regions:
        region = load_region(rid)
        scenario = Scenario.from_file(Path(scenario_dir) / rid / f"{scenario_name}.yaml")
        for b in base_years:
            for variant, fn in (("default", backtest), ("known_level", backtest_known_level)):
                table = fn(scenario, region, int(b), draws=draws, seed=seed)
                table = table.drop(columns=[c for c in ("level_growth",) if c in table])
                table.insert(0, "horizon", table["year"] - int(b))
                table.insert(0, "base_year", int(b))
                table.insert(0, "region", rid)
                table.insert(0, "variant", variant)
                parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    out["width_90_pct"] = 100 * (out["p95"] - out["p05"]) / out["median"]
    return out


def coverage_summary(suite: pd.DataFrame, by=("variant", "region", "base_year", "year")) -> pd.DataFrame:
    """Coverage and errors of :func:`backtest_suite` over the districts, grouped by ``by``.

    The rows of the regions' totals (``district`` equal to the region id) are left out of the
    shares and reported as ``region_error_pct`` beside them.

    Returns
    -------
    pandas.DataFrame
        ``in_50``, ``in_90`` [share of districts, 0–1], ``mean_error_pct`` (bias) and
        ``mean_abs_error_pct`` [%], ``mean_width_90_pct`` [% of the median], ``districts``,
        and ``region_error_pct`` [%] where the grouping keeps regions apart.
    """
    by = list(by)
    is_region = suite["district"] == suite["region"]
    districts = suite[~is_region]
    out = districts.groupby(by).agg(
        in_50=("in_50", "mean"), in_90=("in_90", "mean"),
        mean_error_pct=("error_pct", "mean"),
        mean_abs_error_pct=("error_pct", lambda s: float(np.mean(np.abs(s)))),
        mean_width_90_pct=("width_90_pct", "mean"),
        districts=("district", "count"),
    ).reset_index()
    if "region" in by:
        tot = suite[is_region].groupby(by)["error_pct"].mean().rename("region_error_pct").reset_index()
        out = out.merge(tot, on=by, how="left")
    return out


def error_by_sector(scenario: Scenario, region: Region, base_year: int, year: int | None = None, *,
                    known_level: bool = False) -> pd.DataFrame:
    """Where a deterministic backtest misses: forecast minus observed by sector, summed over districts.

    Parameters
    ----------
    scenario, region, base_year
        As for :func:`backtest`.
    year : int, optional
        Forecast year [yr]; the last year of the data by default.
    known_level : bool
        Use Germany's realised level (see :func:`backtest_known_level`).

    Returns
    -------
    pandas.DataFrame
        One row per sector: ``base`` (observed in the base year), ``observed``, ``forecast``,
        ``error`` [persons], ``error_pct`` [% of observed] and ``share_of_error`` [1]. The split of
        manufacturing into sectors (above all vehicles) is an estimate in the data, not a
        published figure.
    """
    last = int(region.employment["year"].max())
    year = last if year is None else int(year)
    sc = scenario.replace({"trend": {"level_growth": known_level_rate(scenario, region, base_year, year)}}) \
        if known_level else scenario
    sc, past = as_of_scenario(sc, region, base_year, national="scenario" if known_level else "forecast")
    res = run(sc, region=past)
    forecast = res["employment"].sel(year=year).sum("district").to_pandas()
    emp = region.employment["value"].sum("district")
    table = pd.DataFrame({"base": emp.sel(year=base_year).to_pandas(), "observed": emp.sel(year=year).to_pandas(),
                          "forecast": forecast})
    table["error"] = table["forecast"] - table["observed"]
    table["error_pct"] = 100 * table["error"] / table["observed"]
    table["share_of_error"] = table["error"] / table["error"].sum()
    table.index.name = "sector"
    return table.reset_index()


# ---------------------------------------------------------------------------------------
# Rolling-origin evaluation of the district totals (issue 16): the model against three naive
# benchmarks, and the empirical error model that the ensembles add to their spread

ORIGINS = tuple(range(2015, 2023))
"""Forecast origins [yr]: every year from which at least one later year of data is known."""

HORIZONS = (1, 2, 3, 4, 5)
"""Years ahead [yr]."""

QUANTILES = (0.02, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98)
"""Probabilities at which the error model stores the log errors [1]."""

NATIONAL_WINDOW = 3
"""Years of Germany's year-on-year growth whose median is the national trend at the origin."""

NATIONAL_DAMPING = 0.8
"""Damping φ of the national trend at the origin: h years ahead add g·(φ + … + φ^h) [1]
(a damped trend, Gardner & McKenzie 1985), fitted with the shrinkage on the backtests."""

SHIFT_WINDOW = 5
"""Years of the district's growth against Germany whose median year-on-year difference is its shift."""


def national_forecast(national: pd.Series, origin: int, horizons, damping: float = NATIONAL_DAMPING,
                      window: int = NATIONAL_WINDOW) -> np.ndarray:
    """Germany's log growth from ``origin`` as it could be forecast then: a damped recent trend [1].

    ``g · (φ + φ² + … + φ^h)`` with ``g`` the median year-on-year log growth of the ``window``
    years up to ``origin``.

    Examples
    --------
    >>> n = pd.Series([100.0, 102.0, 104.04, 106.12], index=[2013, 2014, 2015, 2016])
    >>> national_forecast(n, 2016, [1, 2], damping=1.0).round(4).tolist()
    [0.0198, 0.0396]
    """
    past = np.log(national.loc[:origin].to_numpy(float))
    g = float(np.median(np.diff(past)[-window:]))
    h = np.asarray(horizons, dtype=int)
    cum = np.array([sum(damping**i for i in range(1, k + 1)) for k in h])
    return g * cum


def district_forecasts(totals: pd.DataFrame, origin: int, *, shrinkage: float | None = None,
                       damping: float = NATIONAL_DAMPING, window: int = SHIFT_WINDOW,
                       half_life: float = 10.0, horizons=HORIZONS) -> pd.DataFrame:
    """Forecasts of every district's total from ``origin``: the model and the naive benchmarks.

    The model is the trend driver (:mod:`retra_model.drivers.trend`) at the level of district
    totals, with only the data up to ``origin``: Germany's damped recent trend
    (:func:`national_forecast`), times the district's robust shift against Germany, shrunk, faded
    with the half-life, bounded and normalised so that the districts add up to Germany.

    Parameters
    ----------
    totals : pandas.DataFrame
        District (rows) × year (columns) [persons], all districts of Germany.
    origin : int
        Last year known [yr].

    Returns
    -------
    pandas.DataFrame
        One row per district and horizon: ``observed`` (NaN beyond the data), ``model``,
        ``model_known_national`` (Germany's realised growth plugged in), ``no_change``,
        ``germany`` (grow with Germany as forecast at the origin), ``germany_realised``,
        ``own_trend`` (the district's own mean log growth over the five years up to the origin,
        fewer where the data start later) [persons]; ``size_class``.
    """
    from .drivers import trend

    k = trend.SHRINKAGE if shrinkage is None else shrinkage
    years = [y for y in totals.columns if y <= origin]
    t = totals[years].to_numpy(float)
    nat = totals.sum(axis=0)
    base = t[:, -1]
    hz = np.array([h for h in horizons])
    g_nat = national_forecast(nat, origin, hz, damping)  # (H,)
    fit = t[:, -(window + 1):]
    n_fit = nat.loc[years].to_numpy(float)[-(window + 1):]
    delta = trend.shrink(trend.robust_shift(fit, n_fit[None]), base, k=k)
    eff = trend.effective_years(np.array(half_life), hz.astype(float))
    log_shift = trend.normalise(trend.bounded(delta[:, None] * eff[None, :]), base[:, None], axis=0)
    span = min(5, len(years) - 1)
    own = (np.log(t[:, -1]) - np.log(t[:, -1 - span])) / span
    rows = []
    for j, h in enumerate(hz):
        y = origin + int(h)
        obs = totals[y].to_numpy(float) if y in totals.columns else np.full(len(base), np.nan)
        real = float(np.log(nat.loc[y] / nat.loc[origin])) if y in nat.index else np.nan
        rows.append(pd.DataFrame({
            "district": totals.index, "origin": origin, "horizon": int(h), "year": y, "base": base,
            "observed": obs,
            "model": base * np.exp(g_nat[j] + log_shift[:, j]),
            "model_known_national": base * np.exp(real + log_shift[:, j]),
            "no_change": base,
            "germany": base * np.exp(g_nat[j]),
            "germany_realised": base * np.exp(real),
            "own_trend": base * np.exp(own * h),
        }))
    out = pd.concat(rows, ignore_index=True)
    out["size_class"] = size_class(out["base"].to_numpy())
    return out


METHODS = ("model", "no_change", "germany", "own_trend", "germany_realised", "model_known_national")
"""Forecasts compared: the model, the three naive benchmarks, and the two with Germany's realised growth."""


def rolling_origin(totals: pd.DataFrame, origins=ORIGINS, **kw) -> pd.DataFrame:
    """:func:`district_forecasts` for every origin, rows with an observation only."""
    parts = [district_forecasts(totals, o, **kw) for o in origins]
    out = pd.concat(parts, ignore_index=True)
    return out[out["observed"].notna()].reset_index(drop=True)


CENTRED = True
"""The error model keeps the spread of the errors, not their median: the bands are centred on the
model's forecast (a median correction fitted on other origins made the median worse, 1.11 % vs
1.06 % MAPE one year ahead, because the national misses differ from origin to origin)."""


def error_quantiles(table: pd.DataFrame, quantiles=QUANTILES, method: str = "model",
                    centred: bool | None = None) -> pd.DataFrame:
    """Quantiles of ``log(observed / forecast)`` by horizon and size class (and ``all``) [1].

    With ``centred`` (default :data:`CENTRED`) the median of each group is subtracted first.
    """
    centred = CENTRED if centred is None else centred
    e = np.log(table["observed"] / table[method])
    if centred:
        e = e - e.groupby([table["horizon"], table["size_class"]]).transform("median")
    frame = table.assign(log_error=e)
    rows = []
    for (h, cls), g in list(frame.groupby(["horizon", "size_class"])) + \
            [((h, "all"), g.assign(log_error=g["log_error"] - (g["log_error"].median() if centred else 0.0)))
             for h, g in frame.groupby("horizon")]:
        for q in quantiles:
            rows.append({"horizon": int(h), "size_class": cls, "quantile": q,
                         "log_error": float(np.quantile(g["log_error"], q)), "n": len(g)})
    return pd.DataFrame(rows)


def _band(table: pd.DataFrame, q: pd.DataFrame, method: str = "model") -> pd.DataFrame:
    """Median and 50 %/90 % bands of each row from an error model ``q``."""
    key = q.set_index(["horizon", "size_class", "quantile"])["log_error"]
    out = table.copy()
    for p in BAND_QUANTILES:
        idx = list(zip(out["horizon"], out["size_class"], [p] * len(out), strict=True))
        out[f"p{int(round(p * 100)):02d}"] = out[method].to_numpy() * np.exp(key.reindex(idx).to_numpy())
    return out


def evaluate_bands(table: pd.DataFrame, scheme: str = "leave_one_origin_out") -> pd.DataFrame:
    """Median and bands of the model for every row, the error model fitted out of sample.

    Parameters
    ----------
    scheme : {"leave_one_origin_out", "past_origins"}
        ``leave_one_origin_out``: the error model of an origin is fitted on all other origins;
        ``past_origins``: only on origins whose forecast years are all known at the origin
        (``origin' + horizon <= origin``); rows without such a past are dropped.
    """
    parts = []
    for o, rows in table.groupby("origin"):
        if scheme == "leave_one_origin_out":
            train = table[table["origin"] != o]
        else:
            train = table[table["year"] <= o]
        if train.empty:
            continue
        q = error_quantiles(train)
        have = set(zip(q["horizon"], q["size_class"]))
        rows = rows[[(h, c) in have for h, c in zip(rows["horizon"], rows["size_class"], strict=True)]]
        if not rows.empty:
            parts.append(_band(rows, q))
    out = pd.concat(parts, ignore_index=True)
    out["in_50"] = (out["p25"] <= out["observed"]) & (out["observed"] <= out["p75"])
    out["in_90"] = (out["p05"] <= out["observed"]) & (out["observed"] <= out["p95"])
    return out


def skill_table(table: pd.DataFrame, bands: pd.DataFrame | None = None) -> pd.DataFrame:
    """MAPE [%] by horizon of every method of :data:`METHODS`, the median of the model's
    predictive distribution (``median``), and the coverage of its bands [share]."""
    out = []
    for h, g in table.groupby("horizon"):
        row = {"horizon": int(h), "n": len(g)}
        for m in METHODS:
            row[m] = float(100 * np.mean(np.abs(g[m] / g["observed"] - 1)))
        if bands is not None:
            b = bands[bands["horizon"] == h]
            row["median"] = float(100 * np.mean(np.abs(b["p50"] / b["observed"] - 1)))
            row["in_50"] = float(b["in_50"].mean())
            row["in_90"] = float(b["in_90"].mean())
        out.append(row)
    return pd.DataFrame(out)


def national_totals(region: Region | None = None) -> pd.DataFrame:
    """District (rows) × year (columns) SvB at the workplace of all of Germany [persons]."""
    from .regions import load_region

    region = region or load_region("de")
    return region.totals().transpose("district", "year").to_pandas()


def calibrate(totals: pd.DataFrame, shrinkages=(0.0, 0.25, 0.5, 0.75, 1.0), dampings=(0.5, 0.65, 0.8, 0.9, 1.0),
              windows=(3, 5, 7)) -> pd.DataFrame:
    """Grid of the trend's shrinkage, the national damping and the shift window: mean MAPE over horizons [%]."""
    rows = []
    for k in shrinkages:
        for phi in dampings:
            for w in windows:
                t = rolling_origin(totals, shrinkage=k, damping=phi, window=w)
                mape = t.groupby("horizon").apply(lambda g: float(100 * np.mean(np.abs(g["model"] / g["observed"] - 1))),
                                                  include_groups=False)
                rows.append({"shrinkage": k, "damping": phi, "window": w, "mape_mean": float(mape.mean()),
                             **{f"mape_h{h}": float(v) for h, v in mape.items()}})
    return pd.DataFrame(rows).sort_values("mape_mean").reset_index(drop=True)


ERROR_RESOURCE = {
    "name": "forecast_errors",
    "path": "forecast_errors.csv",
    "profile": "tabular-data-resource",
    "title": "Empirical error model of the district forecasts: quantiles of log(observed / forecast) by horizon",
    "description": (
        "The model's own errors in rolling-origin backtests of all 401 district totals (SvB at the workplace, "
        "30 June; BA district totals 2013-2024, data/regions/de/employment_total.csv): origins 2015-2022, "
        "horizons 1-5 years, the trend driver at the level of district totals with only the data up to the "
        "origin (Germany's damped recent trend, the district's robust shift shrunk by half, faded, bounded, "
        "normalised). Quantiles of log(observed / forecast) by horizon and district size class (small < 60,000, "
        "medium < 150,000, large; 'all' pooled), centred on their median. Ensembles add one draw of it per "
        "district (retra_model.engine, trend block); beyond 5 years it grows with the square root of the "
        "horizon. Out-of-sample coverage (leave-one-origin-out) and the table of skill: "
        "notebooks/05_validation.ipynb. Built by retra_model.backtest.write_error_model."),
    "format": "csv", "encoding": "utf-8", "status": "derived",
    "sources": [{
        "title": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Berufen (KldB 2010), Kreise, "
                 "Stichtag 30.06., 2013-2024 (Sonderauswertung, Auftrag 408036)",
        "publisher": "Statistik der Bundesagentur für Arbeit; as redistributed in the R package badata 0.2.0",
        "table": "Sonderauswertung 408036", "year": 2025, "path": "https://statistik.arbeitsagentur.de"}],
    "licenses": [{"name": "dl-de/by-2-0", "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
                  "path": "https://www.govdata.de/dl-de/by-2-0",
                  "attribution": "Quelle: Statistik der Bundesagentur für Arbeit"}],
    "schema": {"fields": [
        {"name": "horizon", "type": "integer", "description": "years ahead", "unit": "year"},
        {"name": "size_class", "type": "string", "description": "small, medium, large or all"},
        {"name": "quantile", "type": "number", "description": "probability", "unit": "1"},
        {"name": "log_error", "type": "number", "description": "log(observed / forecast), centred", "unit": "1"},
        {"name": "n", "type": "integer", "description": "district-origin pairs behind the quantile"},
    ]},
}


def write_error_model(folder=None, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Fit the error model on all origins and write ``forecast_errors.csv`` with its descriptor."""
    import json
    from pathlib import Path

    from .regions import data_root

    folder = Path(folder) if folder else data_root() / "national"
    totals = national_totals() if totals is None else totals
    q = error_quantiles(rolling_origin(totals))
    q["log_error"] = q["log_error"].round(6)
    q.to_csv(folder / "forecast_errors.csv", index=False)
    pkg_path = folder / "datapackage.json"
    pkg = json.loads(pkg_path.read_text(encoding="utf-8"))
    pkg["resources"] = [r for r in pkg["resources"] if r.get("name") != "forecast_errors"] + [ERROR_RESOURCE]
    pkg_path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return q


def sector_backtest(scenario: Scenario, region: Region, origins=(2017, 2018, 2019), last: int = 2020,
                    min_size: float = 100.0) -> pd.DataFrame:
    """Cells district × sector where the data allow: the engine from each origin against the
    published sectors (to 2020; later years by sector are a nowcast, not data), and the naive
    benchmarks at the same cells.

    Only cells published (status ``read`` or ``derived``, not ``estimate``) in the origin and the
    target year and with at least ``min_size`` employees at the origin enter. The engine runs
    deterministically with :func:`as_of_scenario` (Germany's level as forecast at the origin).

    Returns
    -------
    pandas.DataFrame
        ``origin, horizon, year, district, sector, base, observed, model, no_change, germany,
        own_trend`` [persons].
    """
    path = region.folder / next(r["path"] for r in region.package["resources"] if r["name"] == "employment_sector")
    status = pd.read_csv(path, dtype={"district": str}).set_index(["year", "district", "sector"])["status"]
    nat = region.national.total_employment()
    emp = region.employment["value"]
    parts = []
    for o in origins:
        sc, past = as_of_scenario(scenario, region, o, end_year=last)
        res = run(sc, region=past)["employment"]
        start = max(int(region.meta["history_start"]), o - 5)
        span = o - start
        base = emp.sel(year=o)
        own = (np.log(base) - np.log(emp.sel(year=start))) / span
        for y in range(o + 1, last + 1):
            h = y - o
            g = float(national_forecast(nat, o, [h])[0])
            frame = pd.DataFrame({
                "base": base.to_series(), "observed": emp.sel(year=y).to_series(),
                "model": res.sel(year=y).to_series(), "no_change": base.to_series(),
                "germany": (base * np.exp(g)).to_series(), "own_trend": (base * np.exp(own * h)).to_series(),
            }).reset_index()
            frame.insert(0, "year", y)
            frame.insert(0, "horizon", h)
            frame.insert(0, "origin", o)
            ok = [status.get((o, d, s)) in ("read", "derived") and status.get((y, d, s)) in ("read", "derived")
                  for d, s in zip(frame["district"], frame["sector"], strict=True)]
            parts.append(frame[np.array(ok) & (frame["base"] >= min_size).to_numpy()])
    return pd.concat(parts, ignore_index=True)


def sector_skill(table: pd.DataFrame) -> pd.DataFrame:
    """MAPE and employment-weighted MAPE [%] by horizon of the model and the naive benchmarks."""
    rows = []
    for h, g in table.groupby("horizon"):
        row = {"horizon": int(h), "cells": len(g)}
        for m in ("model", "no_change", "germany", "own_trend"):
            err = np.abs(g[m] / g["observed"] - 1)
            row[f"{m}_mape"] = float(100 * err.mean())
            row[f"{m}_wmape"] = float(100 * np.abs(g[m] - g["observed"]).sum() / g["observed"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def rolling_report() -> str:
    """The rolling-origin evaluation as text (``retra backtest`` without a scenario file)."""
    table = rolling_origin(national_totals())
    bands = evaluate_bands(table)
    skill = skill_table(table, bands)
    cols = ["horizon", "n", "median", "no_change", "germany", "own_trend", "germany_realised",
            "model_known_national", "in_50", "in_90"]
    return ("Rolling-origin backtest of the district totals, all 401 Kreise, origins "
            f"{ORIGINS[0]}-{ORIGINS[-1]}, horizons 1-5 (SvB at the workplace, BA 2013-2024).\n"
            "MAPE [%] of the model's median and of the naive benchmarks (no change; grow with Germany as "
            "forecast at the origin; the district's own 5-year trend); with Germany's realised growth for "
            "comparison (not known at the origin). Coverage of the 50 % and 90 % bands, error model fitted "
            "leaving the evaluated origin out:\n" + skill[cols].round(3).to_string(index=False))
