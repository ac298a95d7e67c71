"""Labour market, requalification and resilience tables of a run (post-processing).

Functions here take the results of :func:`retra_model.run` and the :class:`~retra_model.regions.Region`
and return tidy tables the council can read; the arithmetic and its assumptions are in
:mod:`retra_model.drivers.labour`. They never change employment. Results of an ensemble are
summarised by the median over draws first.

=============================  ===============================================================
function                       what it returns
=============================  ===============================================================
:func:`retirement_shares`      share of base-year jobs whose holders retire by each year
:func:`labour_supply`          entrants and leavers of the working-age population per district
:func:`occupation_structure`   estimated base-year jobs by district × occupation group × sector
:func:`commuting_matrix`       shares of each workplace's workers by place of residence
:func:`residents_affected`     job changes at the workplace → residents affected per district
:func:`requalification_table`  per district and occupation group: lost, opened, gap
:func:`resilience`             resilience indicators per district, each component shown
=============================  ===============================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .drivers import labour as lab
from .errors import DataError, Problem
from .regions import Region
from .scenario import Labour, value_of

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


def retirement_shares(region: Region, retirement_age: float, years) -> xr.DataArray:
    """Share of base-year jobs whose holders reach the retirement age by each year [1].

    The population of the district by age (base year, both sexes) stands in for its
    employees, whose age structure per district is not published.
    """
    pop = _need(region, "population")
    pop = pop.loc[pop["year"] == region.base_year]
    years = np.asarray(list(years))
    out = []
    for d in region.district_codes:
        g = pop.loc[pop["district"] == d].groupby(["age_from", "age_to"], dropna=False)["value"].sum().reset_index()
        hi = g["age_to"].fillna(np.inf).to_numpy(dtype=float)
        out.append(lab.share_reaching(g["age_from"].to_numpy(dtype=float), hi, g["value"].to_numpy(dtype=float),
                                      retirement_age, years - region.base_year))
    return xr.DataArray(np.array(out), dims=("district", "year"),
                        coords={"district": region.district_codes, "year": years}, attrs={"unit": "1"})


def labour_supply(region: Region, retirement_age: float, years) -> pd.DataFrame:
    """Working-age population per district and its change by ageing alone [persons].

    ``working_age`` = residents aged 15 to the retirement age in the base year; ``entrants``
    = residents who turn 15 by the year (aged [15 − τ, 15) in the base year); ``leavers`` =
    those who reach the retirement age; ``change`` = entrants − leavers. Migration and
    mortality are not modelled.
    """
    pop = _need(region, "population")
    pop = pop.loc[pop["year"] == region.base_year]
    years = np.asarray(list(years))
    tau = (years - region.base_year).astype(float)
    rows = []
    for d in region.district_codes:
        g = pop.loc[pop["district"] == d].groupby(["age_from", "age_to"], dropna=False)["value"].sum().reset_index()
        lo = g["age_from"].to_numpy(dtype=float)
        hi = g["age_to"].fillna(np.inf).to_numpy(dtype=float)
        hi = np.where(np.isfinite(hi), hi, lo + 10.0)
        p = g["value"].to_numpy(dtype=float)

        def between(a, b):
            return float((p * np.clip(np.minimum(hi, b) - np.maximum(lo, a), 0, None) / (hi - lo)).sum())

        work = between(15.0, retirement_age)
        for t, y in zip(tau, years, strict=True):
            ent = between(max(0.0, 15.0 - t), 15.0)
            leave = between(max(15.0, retirement_age - t), retirement_age)
            rows.append({"district": d, "year": int(y), "working_age": work, "entrants": ent, "leavers": leave,
                         "change": ent - leave})
    return pd.DataFrame(rows)


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
    occ = occ.loc[occ["year"] == region.base_year].assign(kldb2=lambda t: t["kldb3"].map(to2))
    codes = sorted(mapping["kldb2"].unique())
    sect = region.sector_codes
    seed = np.full((len(codes), len(sect)), float(cross_weight))
    for row in mapping.itertuples():
        k = codes.index(row.kldb2)
        if row.sector == "all":
            seed[k, :] = 1.0
        else:
            seed[k, sect.index(row.sector)] = 1.0
    base = region.base().transpose("district", "sector").values
    out = np.zeros((len(region.district_codes), len(codes), len(sect)))
    for i, d in enumerate(region.district_codes):  # a loop over the 5-13 districts; RAS is iterative
        tot = occ.loc[occ["district"] == d].groupby("kldb2")["value"].sum().reindex(codes).fillna(0.0).to_numpy()
        out[i] = lab.ras(seed, tot, base[i])
    labels = groups.drop_duplicates("kldb2").set_index("kldb2")["kldb2_label_de"].to_dict()
    return xr.DataArray(out, dims=("district", "occupation", "sector"),
                        coords={"district": region.district_codes, "occupation": codes, "sector": sect,
                                "occupation_label": ("occupation", [labels.get(c, "ohne Angabe") if isinstance(
                                    labels.get(c), str) else "ohne Angabe" for c in codes])},
                        attrs={"unit": "persons", "method": "RAS fit of kldb_sector.csv to occupation and sector totals"})


def commuting_matrix(region: Region) -> xr.DataArray:
    """Shares of each workplace district's workers by district of residence [1] (BA Pendleratlas).

    Rows (``residence``) are the region's districts and :data:`OTHER`; columns (``workplace``)
    the districts; each column sums to 1.
    """
    flows = _need(region, "commuting_flows")
    tot = _need(region, "commuting_totals")
    year = int(tot["year"].max())
    tot = tot.loc[tot["year"] == year].set_index("district").reindex(region.district_codes)
    dist = region.district_codes
    f = np.zeros((len(dist), len(dist)))
    sub = flows.loc[(flows["year"] == year) & flows["residence"].isin(dist) & flows["workplace"].isin(dist)]
    for row in sub.itertuples():
        f[dist.index(row.residence), dist.index(row.workplace)] += row.persons
    stayers = (tot["residents_employed"] - tot["out_commuters"]).to_numpy(dtype=float)
    workers = (tot["residents_employed"] - tot["out_commuters"] + tot["in_commuters"]).to_numpy(dtype=float)
    shares = lab.commuting_shares(f, stayers, workers)
    return xr.DataArray(shares, dims=("residence", "workplace"),
                        coords={"residence": [*dist, OTHER], "workplace": dist},
                        attrs={"unit": "1", "year": year, "source": "BA Pendleratlas, 30 June"})


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
                            base-year jobs
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
    for y in years:
        e = emp.sel(year=y)
        total = e.sum("sector")
        veh = e.sel(sector="vehicles") / total
        ice = (exposure * emp.sel(year=region.base_year)).sum("sector") / total
        hhi = (e / total) ** 2
        hhi = hhi.sum("sector")
        req = requalification_table(results, region, labour, y) if y != region.base_year else None
        aff = residents_affected(results, region, y) if (y != region.base_year and tot is not None) else None
        for d in region.district_codes:
            add(d, "automotive_dependence", "vehicles_share", y, veh.sel(district=d), "1")
            add(d, "automotive_dependence", "ice_exposed_share", y, ice.sel(district=d), "1")
            add(d, "diversity", "herfindahl", y, hhi.sel(district=d), "1")
            add(d, "age_structure", "retiring_share", y, retiring.sel(district=d, year=y), "1")
            base_jobs = float(emp.sel(year=region.base_year, district=d).sum())
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
