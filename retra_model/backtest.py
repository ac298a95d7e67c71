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
    past = region.as_of(base_year)
    data = scenario.to_dict()
    data["end_year"] = last
    data["trend"]["fit_years"] = [int(region.meta["history_start"]), base_year]
    data["volume"]["output_index"] = {last: 1.0}
    data["projects"] = {}
    sc = Scenario.from_dict(data, name=f"{scenario.name}-backtest-{base_year}", context=past.codelists())
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
