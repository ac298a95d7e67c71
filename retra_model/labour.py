"""Labour market, requalification and resilience tables of a run (post-processing).

Functions here take the results of :func:`retra_model.run` and the :class:`~retra_model.regions.Region`
and return tidy tables the council can read; the arithmetic and its assumptions are in
:mod:`retra_model.drivers.labour`. They never change employment. Results of an ensemble are
summarised by the median over draws first.

=============================  ===============================================================
function                       what it returns
=============================  ===============================================================
:func:`retirement_shares`      share of base-year jobs whose holders retire by each year
:func:`occupation_structure`   estimated base-year jobs by district × occupation group × sector
:func:`commuting_matrix`       shares of each workplace's workers by place of residence
:func:`residents_affected`     job changes at the workplace → residents affected per district
:func:`requalification_table`  per district and occupation group: lost, opened, gap
:func:`resilience`             resilience indicators per district, each component shown
:func:`future_of_work`         supply, demand, balance, displaced, task change, requalification
                               need per district × year (× age, driver, occupation), per draw
:func:`future_of_work_tables`  tidy CSV/Parquet tables of it (quantiles for ensembles)
:func:`future_of_work_sheets`  German Excel sheets of it
=============================  ===============================================================

:func:`requalification_table` is the older placement balance (displaced workers re-employed
in their occupation group or not, losses netted per sector); the requalification *need* of
the council's questions is :func:`future_of_work`'s ``requalification``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .drivers import labour as lab
from .errors import DataError, Problem
from .numbers_de import fmt_int
from .regions import Region, load_region
from .results import BAND_90, key_years
from .scenario import Distribution, Labour, value_of

OTHER = "other"
"""Residence code for workers living outside the region's districts or in flows not listed."""


def _need(region: Region, name: str) -> pd.DataFrame:
    if name not in region.tables:
        raise DataError([Problem(str(region.folder / "datapackage.json"), f"resources.{name}", None,
                                 f"the region has no '{name}' table, which the labour-market tables need")])
    return region.tables[name]


def _median(results: xr.Dataset, var: str) -> xr.DataArray:
    da = results[var]
    return da.median("draw") if "draw" in da.dims else da


def _base_population(region: Region) -> pd.DataFrame:
    """Population by district and age group in the base year [persons]: ``district, age_from, age_to, value``.

    The published table (31 December) where it has the base year; else the moderate variant of
    the population projection (``population_projection.csv``) where it covers the base year;
    else the latest published year before it.
    """
    pop = _need(region, "population")
    if (pop["year"] == region.base_year).any():
        return pop.loc[pop["year"] == region.base_year]
    if "population_projection" in _package_resources(region):
        proj = population_projection(region)
        if region.base_year in proj["year"].values:
            p = proj.sel(variant="moderate", year=region.base_year).to_dataframe(name="value").reset_index()
            p["age_from"] = p["age_band"]
            p["age_to"] = np.where(np.isfinite(p["age_to"]), p["age_to"], np.nan)
            return p[["district", "age_from", "age_to", "value"]]
    return pop.loc[pop["year"] == pop.loc[pop["year"] <= region.base_year, "year"].max()]


def _age_groups(region: Region) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per district (in the region's order) its base-year population by age group: lower and upper
    bounds (``inf`` for the open group) [yr] and persons; derived once per region."""

    def groups() -> dict:
        pop = _base_population(region)
        out = {}
        for d in region.district_codes:
            g = pop.loc[pop["district"] == d].groupby(["age_from", "age_to"], dropna=False)["value"].sum().reset_index()
            out[d] = (g["age_from"].to_numpy(dtype=float), g["age_to"].fillna(np.inf).to_numpy(dtype=float),
                      g["value"].to_numpy(dtype=float))
        return out

    return region.derived(("labour.age_groups",), groups)


def _package_resources(region: Region) -> set:
    from .regions import _read_package

    return {r.get("name") for r in _read_package(region.folder).get("resources", [])}


def retirement_shares(region: Region, retirement_age: float, years) -> xr.DataArray:
    """Share of base-year jobs whose holders reach the retirement age by each year [1].

    The population of the district by age (base year, both sexes) stands in for its
    employees, whose age structure per district is not published.
    """
    years = np.asarray(list(years))
    out = [lab.share_reaching(lo, hi, p, retirement_age, years - region.base_year)
           for lo, hi, p in _age_groups(region).values()]
    return xr.DataArray(np.array(out), dims=("district", "year"),
                        coords={"district": region.district_codes, "year": years}, attrs={"units": "1"})


def occupation_structure(region: Region, cross_weight: float) -> xr.DataArray:
    """Estimated base-year jobs by district × occupational main group (KldB 2010, 2-digit) × sector [persons].

    RAS fit (:func:`retra_model.drivers.labour.ras`) of the seed from ``kldb_sector.csv`` to
    the district's SvB by occupation (base year; suppressed cells count as 0) and by sector;
    the sector totals are matched exactly.
    """
    occ = _need(region, "occupations")
    nat = region.national
    groups = nat.tables["kldb_groups"]
    to2 = dict(zip(groups["kldb3"], groups["kldb2"].fillna(groups["kldb3"]), strict=True))
    mapping = nat.tables["kldb_sector"]
    year = int(occ.loc[occ["year"] <= region.base_year, "year"].max())  # the latest published ≤ base year
    occ = occ.loc[occ["year"] == year].assign(kldb2=lambda t: t["kldb3"].map(to2))
    codes = sorted(mapping["kldb2"].unique())
    sect = region.sector_codes
    seed = np.full((len(codes), len(sect)), float(cross_weight))
    for row in mapping.itertuples():
        k = codes.index(row.kldb2)
        if row.sector == "all":
            seed[k, :] = 1.0
        else:
            seed[k, sect.index(row.sector)] = 1.0
    base = region.base_values()
    out = np.zeros((len(region.district_codes), len(codes), len(sect)))
    for i, d in enumerate(region.district_codes):  # a loop over the 5-13 districts; RAS is iterative
        tot = occ.loc[occ["district"] == d].groupby("kldb2")["value"].sum().reindex(codes).fillna(0.0).to_numpy()
        out[i] = lab.ras(seed, tot, base[i])
    labels = groups.drop_duplicates("kldb2").set_index("kldb2")["kldb2_label_de"].to_dict()
    return xr.DataArray(out, dims=("district", "occupation", "sector"),
                        coords={"district": region.district_codes, "occupation": codes, "sector": sect,
                                "occupation_label": ("occupation", [labels.get(c, "ohne Angabe") if isinstance(
                                    labels.get(c), str) else "ohne Angabe" for c in codes])},
                        attrs={"units": "persons", "method": "RAS fit of kldb_sector.csv to occupation and sector totals"})


def commuting_matrix(region: Region) -> xr.DataArray:
    """Shares of each workplace district's workers by district of residence [1] (BA Pendleratlas).

    Rows (``residence``) are the region's districts and :data:`OTHER`; columns (``workplace``)
    the districts; each column sums to 1.
    """
    dist = region.district_codes
    year, counts, _, workers = lab.commuting_counts(_need(region, "commuting_flows"),
                                                    _need(region, "commuting_totals"), dist)
    shares = lab.commuting_shares(counts, np.diag(counts), workers)
    return xr.DataArray(shares, dims=("residence", "workplace"),
                        coords={"residence": [*dist, OTHER], "workplace": dist},
                        attrs={"units": "1", "year": year, "source": "BA Pendleratlas, 30 June"})


def residents_affected(results: xr.Dataset, region: Region, year: int, by_driver: bool = False) -> pd.DataFrame:
    """Job changes at the workplace against the base year → residents affected, by district of residence.

    Returns a tidy table ``residence, workplace, (driver,) persons``; summed over residences
    it gives the change at each workplace exactly (persons are conserved).
    """
    ch = _median(results, "employment_change").sel(year=year).sum("sector")
    if not by_driver:
        ch = ch.sum("driver")
    shares = commuting_matrix(region)
    flows = shares.rename(workplace="district") * ch
    df = flows.rename(district="workplace").rename("persons").to_dataframe().reset_index()
    cols = ["residence", "workplace", *(["driver"] if by_driver else []), "persons"]
    return df[cols]


COLUMNS = ("retirements", "jobs_lost", "absorbed", "displaced", "growth", "openings", "placed",
           "requalification", "unfilled")


def requalification_table(results: xr.Dataset, region: Region, labour: Labour, year: int) -> pd.DataFrame:
    """Qualifizierungsbedarf: per district and occupational main group, from the base year to ``year``.

    Columns (all [persons], see :mod:`retra_model.drivers.labour`): ``retirements``,
    ``jobs_lost``, ``absorbed`` (lost jobs whose holder retires), ``displaced``, ``growth``,
    ``openings``, ``placed`` (re-employed in the same occupational group and district),
    ``requalification`` (displaced − placed), ``unfilled`` (openings − placed). Identities:
    displaced = placed + requalification; openings = placed + unfilled.
    """
    r_age = value_of(labour.retirement_age)
    repl = value_of(labour.replacement_share)
    occ = occupation_structure(region, value_of(labour.occupation_cross_weight))
    emp = _median(results, "employment")
    change = (emp.sel(year=year) - emp.sel(year=region.base_year)).transpose("district", "sector").values
    retiring = retirement_shares(region, r_age, [year]).values[:, 0]
    rows = []
    for i, d in enumerate(region.district_codes):
        bal = lab.requalification(occ.values[i], change[i], retiring[i], repl)
        for k, code in enumerate(occ["occupation"].values):
            rows.append({"district": d, "occupation": code, "occupation_label": str(occ["occupation_label"].values[k]),
                         **{c: float(bal[c][k]) for c in COLUMNS}})
    df = pd.DataFrame(rows)
    names = region.districts.set_index("district")["name_short"]
    df.insert(1, "district_name", df["district"].map(names))
    df.attrs.update({"unit": "persons", "year": year, "base_year": region.base_year})
    return df


def resilience(results: xr.Dataset, region: Region, labour: Labour, years) -> pd.DataFrame:
    """Resilience indicators per district, each component on its own row; no composite score.

    ======================  ==================================================  =========
    indicator               component (value)                                   moves?
    ======================  ==================================================  =========
    automotive_dependence   ``vehicles_share``: jobs in vehicle making / all    yes
                            ``ice_exposed_share``: combustion-dependent jobs    yes
                            (exposure.csv × the sector's jobs) / all jobs
    diversity               ``herfindahl``: Σ sector shares² (1/14 = even)      yes
    age_structure           ``retiring_share``: base-year jobs whose holders    with year
                            retire by the year (population proxy)
    unemployment            ``rate_base_year``: unemployment rate, all          no (data)
                            civilian labour force (Regionalstatistik) [%]
                            ``requalification_share``: requalification need /   yes
                            base-year jobs (:func:`future_of_work` where the
                            region has its tables, else the placement balance)
    commuting               ``in_commuter_share``: workplace jobs held by       no (data)
                            in-commuters; ``out_commuter_share``: employed
                            residents working elsewhere
                            ``residents_change_share``: change of jobs held by  yes
                            the district's residents / employed residents
    ======================  ==================================================  =========
    """
    emp = _median(results, "employment")
    exposure = region.exposure["value"]
    unemp = region.tables.get("unemployment")
    tot = region.tables.get("commuting_totals")
    rows = []

    def add(d, indicator, component, year, value, unit):
        rows.append({"district": d, "indicator": indicator, "component": component, "year": int(year),
                     "value": float(value), "unit": unit})

    years = [region.base_year, *[y for y in years if y != region.base_year]]
    retiring = retirement_shares(region, value_of(labour.retirement_age), years)
    need = None
    if has_future_of_work_data(region):  # the requalification need of future_of_work (displaced + task change)
        from types import SimpleNamespace

        need = future_of_work(results, SimpleNamespace(labour=labour, region=region.id, name=""), region)
        need = need["requalification"].median("draw") if "draw" in need.dims else need["requalification"]
    for y in years:
        e = emp.sel(year=y)
        total = e.sum("sector")
        veh = e.sel(sector="vehicles") / total
        ice = (exposure * emp.sel(year=region.base_year)).sum("sector") / total
        hhi = (e / total) ** 2
        hhi = hhi.sum("sector")
        req = requalification_table(results, region, labour, y) if y != region.base_year and need is None else None
        aff = residents_affected(results, region, y) if (y != region.base_year and tot is not None) else None
        for d in region.district_codes:
            add(d, "automotive_dependence", "vehicles_share", y, veh.sel(district=d), "1")
            add(d, "automotive_dependence", "ice_exposed_share", y, ice.sel(district=d), "1")
            add(d, "diversity", "herfindahl", y, hhi.sel(district=d), "1")
            add(d, "age_structure", "retiring_share", y, retiring.sel(district=d, year=y), "1")
            base_jobs = float(emp.sel(year=region.base_year, district=d).sum())
            if need is not None:
                q = float(need.sel(district=d, year=y)) / base_jobs
            else:
                q = 0.0 if req is None else float(req.loc[req["district"] == d, "requalification"].sum()) / base_jobs
            add(d, "unemployment", "requalification_share", y, q, "1")
            if unemp is not None:
                u = unemp.loc[(unemp["district"] == d) & (unemp["year"] == region.base_year)
                              & (unemp["indicator"] == "ue_rate_all_civilian_labour_force"), "value"]
                if len(u):
                    add(d, "unemployment", "rate_base_year", y, u.iloc[0], "%")
            if tot is not None:
                t = tot.loc[tot["district"] == d].iloc[-1]
                workers = t["residents_employed"] - t["out_commuters"] + t["in_commuters"]
                add(d, "commuting", "in_commuter_share", y, t["in_commuters"] / workers, "1")
                add(d, "commuting", "out_commuter_share", y, t["out_commuters"] / t["residents_employed"], "1")
                ch = 0.0 if aff is None else float(aff.loc[aff["residence"] == d, "persons"].sum())
                add(d, "commuting", "residents_change_share", y, ch / t["residents_employed"], "1")
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------
# Future of work: labour supply, balance and the requalification need (ensemble-aware)

EXPOSED_KLDB3 = ("251", "252", "261", "262", "263")
"""Occupations whose tasks change with the powertrain (KldB 2010, 3-digit): machine-building and
operating technology, vehicle technology, mechatronics and automation, energy technology,
electrical engineering (the powertrain and its production lines)."""


def _default(low: float, mode: float, high: float, source: str) -> Distribution:
    return Distribution(distribution="triangular", low=low, mode=mode, high=high, source=source)


LABOUR_DEFAULTS = {
    "retirement_age": _default(
        65.0, 66.0, 67.0, "SGB VI §§ 35, 235: statutory retirement age of the cohorts leaving 2021-2035 (born "
        "1955-1968), 65 years 9 months to 67 (data/national/parameters.csv: statutory_retirement_age)"),
    "occupation_cross_weight": 0.05,  # as the curated baselines: an assumption, sensitivity 1-20 %
    "attrition_share": _default(
        0.3, 0.5, 0.8, "assumption of the retra team: retirements absorb a loss only in the same plant and "
        "occupation and where the post need not be filled again; ifo for VDA (2021): 215,000 jobs lost by 2030 "
        "against 147,000 retiring, i.e. even full use leaves a gap"),
    "task_change_share": _default(
        0.5, 0.8, 1.0, "ELAB 2.0 (Fraunhofer IAO 2018): about 100,000 of 210,000 powertrain employees affected "
        "(re- or upskilling) by 2030 at 25 % BEV + 15 % PHEV in production"),
    "population_variant": _default(0.0, 0.5, 1.0, "population_projection.csv: low / moderate / high variant"),
    "participation_growth": _default(
        0.0, 0.002, 0.005, "assumption: age-specific employment rates keep rising slowly (bpb Sozialbericht 2024: "
        "participation of 60-64-year-olds +41 points in 20 years); low: constant"),
}
"""Levers of :func:`future_of_work` used when the scenario has no ``labour:`` section or it does not set them."""


def _lever(labour: Labour | None, name: str):
    val = getattr(labour, name, None) if labour is not None else None
    return LABOUR_DEFAULTS[name] if val is None else val


def _read(region: Region, name: str) -> pd.DataFrame:
    """A further table of the region's data package, checked (located errors)."""
    from .regions import _Checker, _read_package

    pkg = _read_package(region.folder)
    if name not in {r.get("name") for r in pkg.get("resources", [])}:
        raise DataError([Problem(str(region.folder / "datapackage.json"), f"resources.{name}", None,
                                 f"the region has no '{name}' table, which the future-of-work tables need "
                                 "(data/build/build_demography.py builds it)")])
    chk = _Checker()
    chk.codelists["district"] = set(region.district_codes)
    df = chk.table(region.folder, pkg, name)
    chk.raise_if_any()
    return df


def population_projection(region: Region) -> xr.DataArray:
    """Projected population by ``variant`` × ``district`` × ``year`` × ``age_band`` [persons]."""
    df = _read(region, "population_projection")
    df = df[df["district"].isin(region.district_codes)]
    bands = df.drop_duplicates("age_from").sort_values("age_from")
    arr = (df.set_index(["variant", "district", "year", "age_from"])["value"].to_xarray()
           .rename(age_from="age_band").reindex(variant=["low", "moderate", "high"], district=region.district_codes))
    hi = bands["age_to"].astype(float).to_numpy()
    return arr.assign_coords(age_to=("age_band", np.where(np.isnan(hi), np.inf, hi))).assign_attrs(units="persons")


def _national_profile(region: Region) -> pd.DataFrame:
    from .regions import _Checker, _read_package

    nat = region.national.folder
    pkg = _read_package(nat)
    chk = _Checker()
    df = chk.table(nat, pkg, "employment_profile")
    chk.raise_if_any()
    return df


def employment_profile(region: Region, age_from: np.ndarray, age_to: np.ndarray) -> np.ndarray:
    """Relative employment rate of each age band (25–55 = 1) from ``national/employment_profile.csv`` [1].

    A band gets the population-weighted mean of the profile over its years (even spread).
    """
    prof = _national_profile(region)
    lo_p, hi_p = prof["age_from"].to_numpy(float), prof["age_to"].to_numpy(float)
    value = prof["value"].to_numpy(float)
    out = []
    for lo, hi in zip(age_from, age_to, strict=True):
        hi = min(float(hi), 100.0)
        ages = np.arange(lo, hi)
        w = [float(value[(lo_p <= a) & (a < hi_p)].sum()) for a in ages]  # the bands that hold the age
        out.append(np.mean(w) if len(w) else 0.0)
    return np.array(out)


def svb_residence(region: Region) -> pd.DataFrame:
    """SvB at the workplace and at the place of residence per district and year (30 June) [persons]."""
    return _read(region, "svb_residence")


def employment_rates(region: Region, population: xr.DataArray | None = None) -> tuple[xr.DataArray, int]:
    """Employment rate (SvB at residence per resident) by district × age band, and the year it is fitted on [1].

    The shape over age is the national profile; its level per district is fitted so that the
    rates times the population (moderate variant) give the district's SvB at the place of
    residence in the base year (or the latest year with both tables, if earlier).
    """
    pop = population_projection(region) if population is None else population
    svb = svb_residence(region)
    year = int(min(region.base_year, svb["year"].max(), int(pop["year"].max())))
    year = max(year, int(pop["year"].min()))
    w = employment_profile(region, pop["age_band"].values, pop["age_to"].values)
    p = pop.sel(variant="moderate", year=year).transpose("district", "age_band").values
    target = svb[svb["year"] == year].set_index("district")["svb_residence"].reindex(region.district_codes).to_numpy()
    level = target / (p * w).sum(axis=1)
    rates = level[:, None] * w[None, :]
    return xr.DataArray(rates, dims=("district", "age_band"),
                        coords={"district": region.district_codes, "age_band": pop["age_band"].values},
                        attrs={"units": "1", "fitted_year": year}), year


def commuting_residence_shares(region: Region) -> tuple[np.ndarray, np.ndarray]:
    """Where residents work and where workers come from (BA Pendleratlas, 30 June 2016) [1].

    Returns
    -------
    shares : numpy.ndarray
        ``(D, D + 1)``: share of the employed residents of *r* (rows) working in *w*, the
        last column outside the region (and in flows the Pendleratlas does not list);
        every row sums to 1.
    inflow_share : numpy.ndarray
        ``(D,)``: share of each workplace's workers who live outside the region.
    """
    _, f, res, work = lab.commuting_counts(_need(region, "commuting_flows"), _need(region, "commuting_totals"),
                                           region.district_codes)
    shares = np.hstack([f / res[:, None], np.zeros((len(res), 1))])
    shares[:, -1] = 1.0 - shares[:, :-1].sum(axis=1)
    inflow = np.clip(work - f.sum(axis=0), 0.0, None) / work
    return shares, inflow


def _sampler(results: xr.Dataset):
    from .engine import Sampler

    n = int(results.sizes["draw"]) if "draw" in results.dims else None
    return Sampler(n, int(results.attrs.get("seed", 0)))


def _retiring(region: Region, ages: np.ndarray, years: np.ndarray, entry_age: float = 15.0) -> np.ndarray:
    """Share of base-year jobs whose holders retire by each year, per draw ``(n, D, T)`` [1].

    :func:`retirement_shares` for a retirement age per draw, vectorised over the draws.
    """
    r = np.asarray(ages, dtype=float)[:, None]  # (n, 1)
    tau = (np.asarray(years) - region.base_year).astype(float)[None, :]  # (1, T)
    out = np.empty((len(r), len(region.district_codes), tau.shape[1]))
    for i, (lo, hi, p) in enumerate(_age_groups(region).values()):
        total = lab.band_overlap(lo, hi, np.full_like(r, entry_age), r) @ p  # (n, 1)
        leaving = lab.band_overlap(lo, hi, np.maximum(entry_age, r - tau),
                                   np.broadcast_to(r, (r.shape[0], tau.shape[1]))) @ p
        out[:, i, :] = np.divide(leaving, total, out=np.zeros_like(leaving), where=total > 0)
    return out


def _exposed_share(region: Region, occ: xr.DataArray) -> xr.DataArray:
    """Share of each sector's base-year jobs (district × sector) held in :data:`EXPOSED_KLDB3` occupations [1]."""
    table = _need(region, "occupations")
    groups = region.national.tables["kldb_groups"]
    to2 = dict(zip(groups["kldb3"], groups["kldb2"].fillna(groups["kldb3"]), strict=True))
    year = int(table.loc[table["year"] <= region.base_year, "year"].max())
    t = table.loc[table["year"] == year].assign(kldb2=lambda x: x["kldb3"].map(to2)).fillna({"value": 0.0})
    two = sorted({to2[c] for c in EXPOSED_KLDB3})
    mix = occ / occ.sum("occupation").where(occ.sum("occupation") > 0)
    out = xr.zeros_like(mix.isel(occupation=0, drop=True))
    for g in two:
        grp = t.loc[t["kldb2"] == g]
        inside = grp.loc[grp["kldb3"].isin(EXPOSED_KLDB3)].groupby("district")["value"].sum()
        total = grp.groupby("district")["value"].sum()
        frac = (inside / total.where(total > 0)).reindex(region.district_codes).fillna(0.0)
        out = out + mix.sel(occupation=g).fillna(0.0) * xr.DataArray(frac.to_numpy(), dims="district",
                                                                      coords={"district": region.district_codes})
    return out.fillna(0.0)


def future_of_work(results: xr.Dataset, scenario, region: Region | None = None) -> xr.Dataset:
    """Labour supply, its balance with demand and the requalification need per district and year.

    The one function the apps, the CLI and the notebook call. Every ensemble draw of
    ``results`` gets its own draw of the labour levers (``scenario.labour``, or
    :data:`LABOUR_DEFAULTS`), so quantiles over ``draw`` are bands.

    Supply
        Population by age band (``population_projection.csv``, variant per draw, interpolated
        between low, moderate and high) × employment rates by age (national profile, level
        fitted to each district's SvB at residence, growing by ``participation_growth``) =
        supply at the place of residence; commuting shares (Pendleratlas 2016) carry it to the
        workplaces, plus in-commuters from outside the region, who change with the region's
        own supply. ``balance = demand − supply`` at the workplace (positive: more jobs than
        the population would fill at today's employment rates, a shortage; negative: surplus).
    Requalification (cumulative since the base year)
        ``displaced``: the gross job losses of each driver cell (district × sector × driver),
        not netted with gains, less the retirements in the cell that can absorb them
        (``attrition_share``; for electrification only the retirements in combustion-dependent
        plants), :func:`retra_model.drivers.labour.displaced`; by occupation with the
        base-year occupation mix of the sector. ``task_change``: incumbents in the exposed
        occupations (:data:`EXPOSED_KLDB3`) of combustion-dependent plants who neither retire
        nor lose their job, × ``task_change_share`` × the shift of the BEV share since the base
        year (:func:`retra_model.drivers.labour.task_change`). ``requalification`` = displaced +
        task_change.

    Parameters
    ----------
    results : xarray.Dataset
        Output of :func:`retra_model.run` (with or without ``draw``).
    scenario : Scenario
        The scenario that was run (its ``labour:`` section).
    region : Region, optional
        Loaded from the scenario by default.

    Returns
    -------
    xarray.Dataset
        By (``draw``,) ``district``, ``year`` [persons]: ``population_15_66``,
        ``supply_residence``, ``supply``, ``demand``, ``balance``, ``retirements``,
        ``displaced``, ``task_change``, ``requalification``; ``supply_by_age`` (× ``age_band``),
        ``displaced_by_driver`` (× ``driver``), ``requalification_by_occupation``
        (× ``occupation``); ``out_commuters_region`` (residents working outside the region)
        and ``in_commuters_region``.

    Examples
    --------
    >>> from retra_model import Scenario, run
    >>> sc = Scenario.from_file("scenarios/son/baseline.yaml")
    >>> fow = future_of_work(run(sc), sc)
    >>> bool((fow["requalification"].sel(year=2030) > 0).all())
    True
    """
    region = region or load_region(scenario.region)
    labour = getattr(scenario, "labour", None)
    sampler = _sampler(results)
    n = sampler.n
    years = results["year"].values
    base = region.base_year
    dist = region.district_codes

    def lever(name):
        return sampler(_lever(labour, name), f"labour.{name}")

    # --- supply
    pop = population_projection(region)
    rates, fit_year = employment_rates(region, pop)
    pyears = pop["year"].values
    pidx = np.clip(np.searchsorted(pyears, years), 0, len(pyears) - 1)  # years outside the projection: nearest
    p = pop.transpose("variant", "district", "year", "age_band").values[:, :, pidx, :]  # (3, D, T, B)
    v = np.clip(lever("population_variant"), 0.0, 1.0)[:, None, None, None]
    p = np.where(v < 0.5, p[0] + (p[1] - p[0]) * 2 * v, p[1] + (p[2] - p[1]) * (2 * v - 1))  # (n, D, T, B)
    growth = (1.0 + lever("participation_growth")[:, None, None, None]) ** np.maximum(
        years - fit_year, 0)[None, None, :, None]
    r = np.minimum(rates.values[None, :, None, :] * growth, 1.0)
    by_age = p * r  # (n, D, T, B)
    s_res = by_age.sum(axis=-1)  # (n, D, T)
    shares, inflow_share = commuting_residence_shares(region)
    svb = svb_residence(region)
    work0 = svb[svb["year"] == fit_year].set_index("district")["svb_workplace"].reindex(dist).to_numpy(dtype=float)
    fit_t = int(np.argmin(np.abs(years - fit_year)))
    scale = s_res.sum(axis=1) / s_res[:, :, fit_t].sum(axis=1)[:, None]  # (n, T): the outside ages like the region
    inflow = (inflow_share * work0)[None, :, None] * scale[:, None, :]  # (n, D, T)
    at_work = lab.supply_at_workplace(np.moveaxis(s_res, 1, -1), shares, np.moveaxis(inflow, 1, -1))  # (n, T, D+1)
    supply = np.moveaxis(at_work[..., :-1], -1, 1)  # (n, D, T)
    leaving = at_work[..., -1]  # (n, T)
    emp = results["employment"]
    if "draw" not in emp.dims:
        emp = emp.expand_dims(draw=[0])
    demand = emp.sum("sector").transpose("draw", "district", "year").values

    # --- requalification
    occ = occupation_structure(region, value_of(_lever(labour, "occupation_cross_weight")))
    e0 = region.base_values()  # (D, S)
    mix = (occ / occ.sum("occupation").where(occ.sum("occupation") > 0)).fillna(0.0).transpose(
        "district", "occupation", "sector").values  # (D, O, S)
    ages = sampler(_lever(labour, "retirement_age"), "labour.retirement_age")
    retiring = _retiring(region, ages, years)  # (n, D, T)
    retire_cell = retiring[:, :, :, None] * e0[None, :, None, :]  # (n, D, T, S)
    ch = results["employment_change"]
    if "draw" not in ch.dims:
        ch = ch.expand_dims(draw=[0])
    drivers = list(ch["driver"].values)
    changes = ch.transpose("draw", "district", "year", "driver", "sector").values  # a view, (n, D, T, K, S)
    u = sampler.uniforms("data.exposure")[:, None, None]  # the engine's draw of the exposure ranges
    from .drivers._distributions import triangular_ppf

    ex = region.exposure
    x = triangular_ppf(u, ex["low"].transpose("district", "sector").values[None],
                        ex["value"].transpose("district", "sector").values[None],
                        ex["high"].transpose("district", "sector").values[None])  # (n, D, S)
    k_el = drivers.index("electrification") if "electrification" in drivers else None
    a = lever("attrition_share")
    exposed = _exposed_share(region, occ).transpose("district", "sector").values  # (D, S)
    gross = np.empty((n, len(dist), len(years)))
    disp_s = np.empty((n, len(dist), len(years), e0.shape[1]))
    disp_k = np.empty((n, len(dist), len(years), len(drivers)))
    disp_x = np.empty((n, len(dist), len(years)))
    for lo in range(0, n, 64):  # chunks of draws keep the (draw, D, T, K, S) arrays small
        sl = slice(lo, min(n, lo + 64))
        loss = np.clip(-changes[sl], 0.0, None)
        pool = np.ones((loss.shape[0], len(dist), 1, len(drivers), e0.shape[1]))
        if k_el is not None:  # electrification hits the combustion-dependent plants only
            pool[:, :, 0, k_el, :] = x[sl]
        disp = lab.displaced(loss, retire_cell[sl], a[sl, None, None], pool)  # (m, D, T, K, S)
        gross[sl] = loss.sum(axis=(3, 4))
        disp_s[sl] = disp.sum(axis=3)
        disp_k[sl] = disp.sum(axis=4)
        disp_x[sl] = 0.0 if k_el is None else (disp[:, :, :, k_el, :] * exposed[None, :, None, :]).sum(axis=-1)
    disp_occ = np.matmul(disp_s, mix.transpose(0, 2, 1)[None])  # (n, D, T, S) @ (1, D, S, O)
    workers_x = (x * e0[None] * exposed[None]).sum(axis=-1)  # (n, D)
    bev = results["powertrain_share"].sel(powertrain="bev")
    if "draw" not in bev.dims:
        bev = bev.expand_dims(draw=[0])
    bev = bev.transpose("draw", "district", "year").values
    shift = bev - bev[:, :, :1]
    tc = lab.task_change(workers_x[:, :, None], retiring, disp_x, shift, lever("task_change_share")[:, None, None])
    # task change by occupation: in proportion to the exposed workers of each occupation group
    occ_x = np.zeros((n, len(dist), mix.shape[1]))
    groups = region.national.tables["kldb_groups"]
    two = sorted({dict(zip(groups["kldb3"], groups["kldb2"], strict=True))[c] for c in EXPOSED_KLDB3})
    occ_codes = list(occ["occupation"].values)
    for g in two:
        k = occ_codes.index(g)
        occ_x[:, :, k] = np.einsum("nds,ds->nd", x * e0[None], mix[:, k, :])
    occ_w = occ_x / np.where(occ_x.sum(axis=-1, keepdims=True) > 0, occ_x.sum(axis=-1, keepdims=True), 1.0)
    tc_occ = tc[..., None] * occ_w[:, :, None, :]

    coords = {"draw": np.arange(n), "district": dist, "year": years}
    dims = ("draw", "district", "year")
    working = p[..., (pop["age_band"].values >= 15) & (pop["age_band"].values < 67)].sum(axis=-1)

    def var(a, unit="persons", **attrs):
        return (dims, a, {"units": unit, **attrs})

    ds = xr.Dataset(
        {
            "population_15_66": var(working),
            "supply_residence": var(s_res),
            "supply": var(supply),
            "demand": var(demand),
            "balance": var(demand - supply),
            "retirements": var(retire_cell.sum(axis=-1)),
            "gross_losses": var(gross),
            "displaced": var(disp_s.sum(axis=-1)),
            "task_change": var(tc),
            "requalification": var(disp_s.sum(axis=-1) + tc),
            "supply_by_age": ((*dims, "age_band"), by_age, {"units": "persons", "long_name": "Arbeitsangebot am Wohnort nach Alter"}),
            "displaced_by_driver": ((*dims, "driver"), disp_k, {"units": "persons"}),
            "requalification_by_occupation": ((*dims, "occupation"), disp_occ + tc_occ, {"units": "persons"}),
            "out_commuters_region": (("draw", "year"), leaving, {"units": "persons"}),
            "in_commuters_region": (("draw", "year"), inflow.sum(axis=1), {"units": "persons"}),
        },
        coords={**coords, "age_band": pop["age_band"].values, "driver": drivers, "occupation": occ_codes},
    )
    for name, (label, _) in FOW_VARIABLES.items():
        ds[name].attrs["long_name"] = label
    ds = ds.assign_coords(age_to=("age_band", pop["age_to"].values),
                          occupation_label=("occupation", occ["occupation_label"].values),
                          district_name=("district", list(region.districts.set_index("district")
                                                          .loc[dist, "name_short"])))
    if "draw" not in results.dims:
        ds = ds.isel(draw=0, drop=True)
    ds.attrs.update({"region": region.id, "base_year": base, "employment_rates_fitted": fit_year,
                     "key_years": list(key_years(results)),
                     "scenario": getattr(scenario, "name", ""),
                     "note": "cumulative since the base year; supply at today's employment rates by age"})
    return ds


FOW_VARIABLES = {
    # variable: (German label, shown in the supply sheet?)
    "population_15_66": ("Bevölkerung 15–66 Jahre", True),
    "supply_residence": ("Arbeitsangebot am Wohnort", True),
    "supply": ("Arbeitsangebot am Arbeitsort", True),
    "demand": ("Arbeitsnachfrage (Beschäftigte)", True),
    "balance": ("Saldo Nachfrage − Angebot (+ = Engpass)", True),
    "retirements": ("Renteneintritte seit Basisjahr", False),
    "gross_losses": ("Bruttoverluste (Treiberzellen)", False),
    "displaced": ("Freigesetzte", False),
    "task_change": ("Tätigkeitswandel (Verbleibende)", False),
    "requalification": ("Qualifizierungsbedarf", False),
}
"""Variables of the future-of-work tables and their German labels."""

FOW_QUANTILES = BAND_90


def has_future_of_work_data(region: Region) -> bool:
    """Whether the region's data package has the tables :func:`future_of_work` needs."""
    from .regions import _read_package

    names = {r.get("name") for r in _read_package(region.folder).get("resources", [])}
    return {"population_projection", "svb_residence", "commuting_flows", "commuting_totals", "occupations"} <= names


def _with_total(da: xr.DataArray, region_id: str) -> xr.DataArray:
    """Append the region's sum as district ``region_id`` (summed per draw, before any quantile)."""
    axis = da.dims.index("district")
    values = da.values
    total = np.where(np.isnan(values), 0.0, values).sum(axis=axis, keepdims=True)  # as xarray sums (skipna)
    coords = {d: da[d].values for d in da.dims if d in da.coords}
    coords["district"] = np.append(da["district"].values.astype(object), region_id)
    return xr.DataArray(np.concatenate([values, total], axis=axis), dims=da.dims, coords=coords, name=da.name,
                        attrs=da.attrs)


def future_of_work_tables(fow: xr.Dataset) -> dict[str, pd.DataFrame]:
    """Tidy tables of :func:`future_of_work` for CSV/Parquet [persons].

    ``future_of_work``: ``region`` (district code or the region id for the sum), ``year``,
    ``variable``, ``unit``, (``quantile``,) ``value``; ``requalification_occupation``: the
    same by ``occupation`` (KldB 2-digit). Ensembles give the 5 %, 50 % and 95 % quantiles of
    the draws; a region total is the quantile of the summed draws.
    """
    rid = str(fow.attrs.get("region", "region"))
    frames = []
    for var in FOW_VARIABLES:
        da = _with_total(fow[var], rid)
        if "draw" in da.dims:
            da = da.quantile(list(FOW_QUANTILES), dim="draw")
        df = da.rename("value").to_dataframe().reset_index().rename(columns={"district": "region"})
        frames.append(df.assign(variable=var, unit="persons"))
    main = pd.concat(frames, ignore_index=True)
    cols = ["region", "year", "variable", "unit", *(["quantile"] if "quantile" in main.columns else []), "value"]
    occ = _with_total(fow["requalification_by_occupation"], rid)
    if "draw" in occ.dims:
        occ = occ.median("draw")
    occ_df = occ.rename("value").to_dataframe().reset_index().rename(columns={"district": "region"})
    occ_df = occ_df.assign(variable="requalification", unit="persons")
    return {"future_of_work": main[cols],
            "requalification_occupation": occ_df[["region", "occupation", "year", "variable", "unit", "value"]]}


def future_of_work_sheets(fow: xr.Dataset, years=None) -> dict[str, pd.DataFrame]:
    """German Excel sheets: supply and balance, requalification need, requalification by occupation."""
    rid = str(fow.attrs.get("region", "region"))
    names = dict(zip(fow["district"].values, fow["district_name"].values, strict=True))
    names[rid] = "Region insgesamt"
    years = [y for y in (key_years(fow) if years is None else years) if y in fow["year"].values]
    ens = "draw" in fow.dims

    def sheet(variables):
        rows = []
        for var in variables:
            da = _with_total(fow[var], rid).sel(year=years)
            # the cells as plain arrays, indexed by position (one lookup per table, not per cell)
            if ens:
                q = da.quantile(list(FOW_QUANTILES), dim="draw").transpose("quantile", "district", "year")
                cells = {label: q.sel(quantile=qq).values for label, qq in
                         (("Median", 0.5), ("5 %-Quantil", 0.05), ("95 %-Quantil", 0.95))}
            else:
                cells = {"Personen": da.transpose("district", "year").values}
            for i, d in enumerate(da["district"].values):
                for j, y in enumerate(years):
                    row = {"Kreis (AGS)": d, "Kreis": names[d], "Größe": FOW_VARIABLES[var][0], "Jahr": int(y)}
                    row.update({label: float(a[i, j]) for label, a in cells.items()})
                    rows.append(row)
        return pd.DataFrame(rows)

    occ = _with_total(fow["requalification_by_occupation"], rid).sel(year=years)
    if ens:
        occ = occ.median("draw")
    labels = dict(zip(fow["occupation"].values, fow["occupation_label"].values, strict=True))
    occ_df = occ.sel(district=rid).transpose("occupation", "year").to_pandas()
    occ_df.columns = [f"Qualifizierungsbedarf {y}" for y in occ_df.columns]
    occ_df.insert(0, "Berufshauptgruppe", [labels[c] for c in occ_df.index])
    occ_df.index.name = "KldB 2010"
    return {
        "Arbeitsangebot und Saldo": sheet([v for v, (_, s) in FOW_VARIABLES.items() if s]),
        "Qualifizierungsbedarf": sheet([v for v, (_, s) in FOW_VARIABLES.items() if not s]),
        "Qualifizierung nach Beruf": occ_df.reset_index(),
    }


FOW_SUMMARY = ("supply", "demand", "balance", "displaced", "task_change", "requalification")
"""The rows of the command line's future-of-work lines (German names: :data:`FOW_VARIABLES`)."""


def future_of_work_summary(fow: xr.Dataset, years=None) -> str:
    """A few German lines for the CLI: region totals of supply, demand, balance and requalification need."""
    years = [y for y in (key_years(fow) if years is None else years) if y in fow["year"].values]
    base = int(fow.attrs.get("base_year", fow["year"].values[0]))
    head = f"Zukunft der Arbeit (Region, Personen; Bedarf kumuliert seit {base}; Ensemble: Median [5 %; 95 %]):"
    lines = [head]
    width = max(len(FOW_VARIABLES[v][0]) for v in FOW_SUMMARY) + 2
    for var in FOW_SUMMARY:
        label = FOW_VARIABLES[var][0]
        da = fow[var].sum("district").sel(year=years)
        if "draw" in da.dims:
            q = da.quantile(list(FOW_QUANTILES), dim="draw")
            cells = [f"{fmt_int(float(q.sel(quantile=0.5, year=y))):>9} [{fmt_int(float(q.sel(quantile=0.05, year=y)))}; "
                     f"{fmt_int(float(q.sel(quantile=0.95, year=y)))}]" for y in years]
        else:
            cells = [f"{fmt_int(float(da.sel(year=y))):>9}" for y in years]
        lines.append(f"  {label:<{width}}" + "  ".join(f"{y}: {c}" for y, c in zip(years, cells, strict=True)))
    return "\n".join(lines)
