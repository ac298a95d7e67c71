"""Credibility checks: the model against published studies and announced regional events.

Each published anchor is a scenario file under ``scenarios/de/`` that encodes the study's
assumptions and cites it (``elab2_2030``, ``iab2018_2035`` with ``iab2018_reference``,
``prognos2024_trend``). :func:`study_comparison` runs them on the national region ``de``
and puts the study's headline beside the model output that has the same boundary:

========================  =============================================  ==============================
study                     headline                                       model output compared
========================  =============================================  ==============================
ELAB 2.0 (2018)           −75,000 in powertrain production by 2030        electrification driver, exposed
                                                                         jobs of vehicle making, 2030
IAB/BIBB/GWS (2018)       −114,000 economy-wide in 2035 vs reference      scenario − reference, all
                                                                         sectors and drivers, 2035
Prognos for VDA (2024)    −190,000 in WZ 29, 2019 → 2035                  vehicles sector, 2035 − 2019
========================  =============================================  ==============================

The national region has 401 districts; ensembles are evaluated in chunks of draws and summed
over districts at once, so memory stays below about 1 GB whatever the number of draws.
:func:`vw_agreement_check` and :func:`zwickau_data` are the regional plausibility checks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .engine import Sampler, evaluate, run
from .regions import Region, load_region
from .results import BAND_90
from .scenario import Scenario, value_of

STUDIES = pd.DataFrame([
    {"study": "elab2_net", "label": "Fraunhofer IAO, ELAB 2.0 (2018)", "scenario": "elab2_2030",
     "reference": None, "year": 2030, "figure": -75000.0,
     "study_boundary": "powertrain production (about 210,000 jobs), net of +25,000 new, incl. productivity",
     "measure": "electrification driver, exposed jobs of vehicle making (WZ 29), 2024 → 2030",
     "why": ("ELAB counts productivity gains as well (about half of its loss, our volume driver) and nets "
             "out 25,000 new battery and power-electronics jobs; its base is about 2017 with no e-cars, "
             "ours 2024 with BEV at 14-19 % of new registrations (2021-2025); our labour per BEV powertrain (0.5 of ICE) is a whole-"
             "powertrain average, ELAB's component tables cut deeper for the engine and gearbox")},
    {"study": "elab2_net", "label": "Fraunhofer IAO, ELAB 2.0 (2018), with productivity", "scenario": "elab2_2030",
     "reference": None, "year": 2030, "figure": -75000.0,
     "study_boundary": "powertrain production (about 210,000 jobs), net of +25,000 new, incl. productivity",
     "measure": ("electrification and productivity (volume driver) in the exposed jobs of vehicle making, "
                 "2024 → 2030"),
     "why": ("closer to ELAB's boundary, which includes productivity; still without the 25,000 new jobs ELAB "
             "nets out (they would make the gap larger) and with a milder labour cut per BEV powertrain")},
    {"study": "iab2018_total", "label": "IAB/BIBB/GWS, Elektromobilität 2035 (2018)", "scenario": "iab2018_2035",
     "reference": "iab2018_reference", "year": 2035, "figure": -114000.0,
     "study_boundary": "economy-wide, 2035, e-mobility scenario minus reference",
     "measure": "scenario minus no-e-car reference, all sectors and drivers (incl. indirect, induced), 2035",
     "why": ("the study's macro model (QINFORGE) has imports, prices and the investment in charging and "
             "power (+16,000 new jobs) that ours lacks; it starts in 2018 with about 1 % BEV, we in "
             "2024; our exposure counts supplier sectors (metals, machinery …) as well, the IO "
             "multipliers come from the 2019 table with FLQ per district")},
    {"study": "iab2018_vehicle", "label": "IAB/BIBB/GWS, Elektromobilität 2035 (2018): vehicle making",
     "scenario": "iab2018_2035", "reference": "iab2018_reference", "year": 2035, "figure": -83000.0,
     "study_boundary": "vehicle manufacturing (Fahrzeugbau), 2035, scenario minus reference",
     "measure": "scenario minus no-e-car reference, vehicles sector, all drivers, 2035",
     "why": "as above; the study's Fahrzeugbau also holds other vehicles (WZ 30)"},
    {"study": "prognos2024_net", "label": "Prognos for VDA (2024), trend continuation",
     "scenario": "prognos2024_trend", "reference": None, "year": 2035, "figure": -190000.0,
     "study_boundary": "automotive industry (WZ 29, 911,000 in 2019), 2019 → 2035",
     "measure": "vehicles sector, 2035 (model) minus 2019 (data), direct and indirect",
     "why": ("the same trend, so sign and size agree by construction of the scenario; our WZ 29 is an "
             "estimate (891,000 in 2020 for 911,000 in 2019); Prognos's 2019-2023 loss was linear "
             "(−46,000 in four years), ours compounds; our indirect losses inside vehicle making come on top")},
    {"study": "prognos2024_net", "label": "Prognos for VDA (2024) vs the de baseline", "scenario": "baseline",
     "reference": None, "year": 2035, "figure": -190000.0,
     "study_boundary": "automotive industry (WZ 29, 911,000 in 2019), 2019 → 2035 (gross −300,000)",
     "measure": "vehicles sector, 2035 (model) minus 2019 (data), baseline: electrification and productivity",
     "why": ("our baseline adds electrification (BEV about 90 % by 2035) to the productivity trend and "
             "has no growth fields: it lands near Prognos's gross loss of about −300,000, not its net "
             "−190,000 (which nets +110,000 new jobs in growth fields)")},
])
"""The published anchors: study id (``data/national/studies.csv``), scenario, what is compared."""


def truncate(scenario: Scenario, end_year: int) -> Scenario:
    """The scenario run only to ``end_year`` (fewer years to evaluate; same values up to it).

    Points of the output index after ``end_year`` are dropped and, where they were numbers,
    replaced by the linearly interpolated value at ``end_year``, so the path up to it is
    unchanged.
    """
    data = scenario.to_dict()
    data["end_year"] = int(end_year)
    points = {int(y): v for y, v in data["volume"]["output_index"].items()}
    kept = {y: v for y, v in points.items() if y <= end_year}
    later = sorted(y for y in points if y > end_year)
    if later and end_year not in kept:
        before = max(kept, default=None)
        after = later[0]
        if isinstance(points[after], int | float) and (before is None or isinstance(kept[before], int | float)):
            x0, y0 = (before, kept[before]) if before is not None else (None, 1.0)
            if x0 is None:
                kept[end_year] = float(points[after])
            else:
                kept[end_year] = float(y0 + (points[after] - y0) * (end_year - x0) / (after - x0))
    data["volume"]["output_index"] = kept or {end_year: 1.0}
    return Scenario.from_dict(data, name=scenario.name, context=scenario._context)


def national_ensemble(scenario: Scenario, region: Region, draws: int | None, seed: int | None = None, *,
                      chunk: int = 16) -> xr.Dataset:
    """Employment and its change by driver, summed over districts, per draw.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario of ``region``.
    region : Region
        Base data (for example the national region ``de``).
    draws : int or None
        Number of draws; ``None`` for the deterministic run (one draw at every lever's centre).
    seed : int, optional
        Seed; the scenario's by default. Draw *i* is the same as in ``run(scenario, draws=…)``,
        so two scenarios with the same seed are paired draw by draw.
    chunk : int
        Draws evaluated at once (memory ≈ 50 MB per draw for 401 districts to 2035).

    Returns
    -------
    xarray.Dataset
        ``employment`` ``(draw, sector, year)`` and ``employment_change``
        ``(driver, draw, sector, year)`` [persons]; ``exposed_change``: the change weighted by
        each district's central exposure, i.e. the part of it in the jobs that depend on the
        combustion powertrain (approximate for the multiplicative drivers) [persons].
    """
    seed = scenario.seed if seed is None else int(seed)
    n = 1 if draws is None else int(draws)
    x = region.exposure["value"].transpose("district", "sector").values[None, None, :, :, None]  # central exposure
    emp, chg, exposed = [], [], []
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        sampler = Sampler(None if draws is None else size, seed, start=start)
        out = evaluate(scenario, region, sampler)
        emp.append(out.employment.sum(axis=1))
        chg.append(out.employment_change.sum(axis=2))
        exposed.append((out.employment_change * x).sum(axis=2))
    years = np.arange(region.base_year, scenario.end_year + 1)
    coords = {"draw": np.arange(n), "sector": region.sector_codes, "year": years, "driver": list(out.drivers)}
    return xr.Dataset({"employment": (("draw", "sector", "year"), np.concatenate(emp)),
                       "employment_change": (("driver", "draw", "sector", "year"), np.concatenate(chg, axis=1)),
                       "exposed_change": (("driver", "draw", "sector", "year"), np.concatenate(exposed, axis=1))},
                      coords=coords)


def _summary(values: np.ndarray) -> dict:
    v = np.asarray(values, dtype=float)
    if v.size == 1:
        return {"median": float(v[0]), "p05": np.nan, "p95": np.nan}
    p05, med, p95 = np.quantile(v, list(BAND_90))
    return {"median": float(med), "p05": float(p05), "p95": float(p95)}


def study_measure(row: pd.Series, runs: dict, region: Region) -> np.ndarray:
    """The model output with the boundary of one study (one value per draw) [persons]."""
    ds = runs[row["scenario"]]
    y = int(row["year"])
    if row["study"] == "elab2_net":
        el = ds["employment_change"].sel(driver="electrification", sector="vehicles", year=y).values
        if row["measure"].startswith("electrification and productivity"):
            return el + ds["exposed_change"].sel(driver=["volume", "productivity"], sector="vehicles", year=y).sum("driver").values
        return el
    if pd.notna(row["reference"]):
        diff = ds["employment"].sel(year=y) - runs[row["reference"]]["employment"].sel(year=y)
        if row["study"] == "iab2018_vehicle":
            return diff.sel(sector="vehicles").values
        return diff.sum("sector").values
    observed_2019 = float(region.employment["value"].sel(year=2019, sector="vehicles").sum("district"))
    return ds["employment"].sel(sector="vehicles", year=y).values - observed_2019


def study_comparison(draws: int | None = 64, seed: int = 20261126, *, scenario_dir="scenarios/de",
                     region: Region | None = None, chunk: int = 16) -> pd.DataFrame:
    """Each study's headline beside the model's figure with the same boundary.

    Parameters
    ----------
    draws : int or None
        Ensemble size per scenario (the same seed for all, so a scenario and its reference are
        paired draw by draw); ``None``: deterministic runs only.
    seed : int
        Seed of the ensembles.
    scenario_dir : str or pathlib.Path
        Folder of the study scenarios.
    region : Region, optional
        The national region; ``load_region("de")`` by default.

    Returns
    -------
    pandas.DataFrame
        One row per comparison (:data:`STUDIES`): ``figure`` (the study's) and the model's
        ``deterministic``, ``median``, ``p05``, ``p95`` [persons]; ``ratio`` (deterministic ÷
        figure), ``sign_match`` and ``same_order`` (ratio between 1/3 and 3), and the texts
        ``study_boundary``, ``measure`` and ``why``.
    """
    region = region or load_region("de")
    folder = Path(scenario_dir)
    names = sorted(set(STUDIES["scenario"]) | set(STUDIES["reference"].dropna()))
    det, ens = {}, {}
    for name in names:
        uses = (STUDIES["scenario"] == name) | (STUDIES["reference"] == name)
        sc = Scenario.from_file(folder / f"{name}.yaml", context=region.codelists())
        sc = truncate(sc, int(STUDIES.loc[uses, "year"].max()))
        det[name] = national_ensemble(sc, region, None, seed, chunk=chunk)
        if draws:
            ens[name] = national_ensemble(sc, region, draws, seed, chunk=chunk)
    rows = []
    for _, row in STUDIES.iterrows():
        d = float(study_measure(row, det, region)[0])
        s = _summary(study_measure(row, ens, region)) if draws else {"median": np.nan, "p05": np.nan, "p95": np.nan}
        ratio = d / row["figure"]
        rows.append({"study": row["study"], "label": row["label"], "year": int(row["year"]),
                     "figure": row["figure"], "deterministic": d, **s, "ratio": ratio,
                     "sign_match": bool(np.sign(d) == np.sign(row["figure"])),
                     "same_order": bool(1 / 3 <= ratio <= 3), "study_boundary": row["study_boundary"],
                     "measure": row["measure"], "why": row["why"]})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------
# Regional plausibility


VW_GERMANY_CUT = 35000
"""Jobs Volkswagen and IG Metall agreed to cut in Germany by 2030 (agreement of 20.12.2024) [persons]."""


def vw_agreement_check(region_id: str, *, draws: int | None = 200, seed: int = 20261126, year: int = 2030,
                       scenario_dir="scenarios") -> pd.DataFrame:
    """The VW agreement scenario of a region against its baseline and the announced cuts.

    Returns
    -------
    pandas.DataFrame
        One row per district with a VW cut and one for the region: ``assumed_cut`` (the
        scenario's central project jobs in ``year``), ``share_of_35000`` [1], and the change of
        employment against the baseline in ``year`` — vehicles sector and all sectors (incl.
        indirect and induced) — as deterministic value, median, p05, p95 [persons]. The
        baseline and the agreement scenario are paired draw by draw (same seed).
    """
    folder = Path(scenario_dir) / region_id
    region = load_region(region_id)
    vw = Scenario.from_file(folder / "vw_agreement.yaml")
    base = Scenario.from_file(folder / "baseline.yaml")
    dists = sorted({p.district for p in vw.projects.values()})
    cut = {d: sum(value_of(p.jobs[max(p.jobs)]) for p in vw.projects.values() if p.district == d) for d in dists}

    def diff(n):
        a = run(vw, region=region, draws=n, seed=seed)["employment"].sel(year=year)
        b = run(base, region=region, draws=n, seed=seed)["employment"].sel(year=year)
        return a - b

    d_det = diff(None)
    d_ens = diff(draws) if draws else None
    names = region.districts.set_index("district")["name_short"]
    rows = []
    for d in [*dists, region_id]:
        sel = {} if d == region_id else {"district": d}
        label = region.name if d == region_id else names[d]
        assumed = sum(cut.values()) if d == region_id else cut[d]
        row = {"district": d, "name": label, "assumed_cut": assumed, "share_of_35000": -assumed / VW_GERMANY_CUT}
        for what, sector in (("vehicles", "vehicles"), ("all", None)):
            det = d_det.sel(**sel)
            det = det.sel(sector=sector) if sector else det.sum("sector")
            row[f"{what}_deterministic"] = float(det.sum())
            if d_ens is not None:
                e = d_ens.sel(**sel)
                e = e.sel(sector=sector) if sector else e.sum("sector")
                e = e.sum([k for k in e.dims if k != "draw"])
                s = _summary(e.values)
                row.update({f"{what}_{k}": v for k, v in s.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def zwickau_data(district: str = "14524") -> pd.DataFrame:
    """What the data show for Zwickau around and after the switch of the VW plant to BEV (2019–2024).

    Returns
    -------
    pandas.DataFrame
        One row per year 2015–2024: SvB in all sectors (Regionalstatistik to 2020, BA district
        totals after) and in manufacturing (C, to 2020) [persons], the vehicles estimate [persons]
        (status ``estimate``: the 2020 WZ 29 share of C held back in time, so its path is C's; a
        nowcast after 2020), employees in KldB 252 (vehicle, aerospace and ship technology
        occupations) [persons], and the same for Germany's SvB and C as indices (2019 = 100).
    """
    region = load_region("swsn")
    wz = region.employment_wz
    total = wz.sel(district=district, wz_group="TOTAL").to_pandas()
    ba = region.totals().sel(district=district).to_pandas()
    total = pd.concat([total, ba[ba.index > int(total.index.max())]])
    c = wz.sel(district=district, wz_group="C").to_pandas()
    vehicles = region.employment["value"].sel(district=district, sector="vehicles").to_pandas()
    occ = pd.read_csv(region.folder / "occupations.csv", dtype={"district": str, "kldb3": str})
    k252 = occ[(occ["district"] == district) & (occ["kldb3"] == "252")].set_index("year")["value"]
    nat = region.national.employment
    de_total = nat[nat["wz_group"] == "TOTAL"].set_index("year")["value"].astype(float)
    de_c = nat[(nat["wz_group"] == "C") & (nat["year"] <= 2020)].set_index("year")["value"].astype(float)
    years = [y for y in range(2015, 2025) if y in total.index]
    out = pd.DataFrame({"year": years,
                        "svb_total": [float(total[y]) for y in years],
                        "svb_C": [float(c.get(y, np.nan)) for y in years],
                        "vehicles_estimate": [float(vehicles.get(y, np.nan)) for y in years],
                        "kldb_252": [float(k252.get(y, np.nan)) for y in years]})
    for col, series in (("svb_total", total), ("svb_C", c)):
        out[f"{col}_index"] = [100 * float(series.get(y, np.nan)) / float(series[2019]) for y in years]
    out["germany_total_index"] = [100 * de_total[y] / de_total[2019] for y in years]
    out["germany_C_index"] = [100 * de_c.get(y, np.nan) / de_c[2019] for y in years]
    return out


__all__ = ["STUDIES", "VW_GERMANY_CUT", "national_ensemble", "study_comparison", "study_measure", "truncate",
           "vw_agreement_check", "zwickau_data"]
