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

from .engine import run
from .regions import Region
from .scenario import Scenario


def as_of_scenario(scenario: Scenario, region: Region, base_year: int) -> tuple[Scenario, Region]:
    """The scenario and region as they stood in ``base_year``: trend fitted up to it, run to the
    data's last year, no output path and no projects (they are dated after the window)."""
    last = int(region.employment["year"].max())
    past = region.as_of(base_year)
    data = scenario.to_dict()
    data["end_year"] = last
    data["trend"]["fit_years"] = [int(region.meta["history_start"]), base_year]
    data["volume"]["output_index"] = {last: 1.0}
    data["projects"] = {}
    return Scenario.from_dict(data, name=f"{scenario.name}-backtest-{base_year}", context=past.codelists()), past


def backtest(scenario: Scenario, region: Region, base_year: int, *, draws: int = 500,
             seed: int = 0) -> pd.DataFrame:
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
    sc, past = as_of_scenario(scenario, region, base_year)
    ens = run(sc, region=past, draws=draws, seed=seed)
    total = ens["employment"].sum("sector")
    total = xr_concat_region(total, region.id)
    observed = region.employment["value"].sum("sector")
    observed = xr_concat_region(observed, region.id)
    rows = []
    for year in range(base_year + 1, last + 1):
        sim = total.sel(year=year)
        q = sim.quantile([0.05, 0.25, 0.5, 0.75, 0.95], dim="draw")
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

    The level fades with the trend's half-life (:func:`retra_model.drivers.trend.factor`), so
    the rate is ``ln(N_year / N_base) / effective_years``; with an uncertain half-life its
    centre is used.
    """
    from .drivers.trend import factor
    from .scenario import value_of

    h = value_of(scenario.trend.half_life)
    effective = float(np.log(factor(np.array(1.0), np.array(h), np.array(float(year - base_year)))))
    return national_log_growth(region, base_year, year) / effective


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
        table = backtest(sc, region, base_year, draws=draws, seed=seed)
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
    sc, past = as_of_scenario(sc, region, base_year)
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
