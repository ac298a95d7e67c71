#!/usr/bin/env python
"""Bring the regional data to 2024: district totals 2013-2024, a sector nowcast 2021-2024.

Usage (from the repository root):

    .venv/bin/python data/build/build_history.py [REFERENCE_DIR]

Reads the BA tables (REFERENCE_DIR, ``refdata.py``; default: the shipped copies in
``data/build/reference/``) and the region packages already built by ``build_regions.py`` and
``estimate_sectors.py``, and writes (idempotently: rows after 2020 are replaced, never added twice)

- ``data/regions/<id>/employment_total.csv``: SvB at the workplace and at the residence,
  every district, 30 June 2013-2024 (BA, Beschäftigungsstatistik, Sonderauswertung; sums over
  the occupation groups), mapped to the project's Gebietsstand 2020;
- ``data/regions/<id>/employment_sector.csv``: 2021-2024 appended, nowcast (method below,
  ``data/build/ESTIMATES.md``, section "Sector nowcast 2021-2024");
- ``data/regions/<id>/occupations.csv`` (where the region ships it): 2021-2024 appended;
- ``data/national/svb_germany.csv``: 2021-2024 (TOTAL observed, WZ groups from the nowcast);
- ``data/national/employment_sector_germany.csv``: the sum of the ``de`` sectors, 2015-2024;
- the ``datapackage.json`` entries of these resources, and ``base_year: 2024``.

Territory. The BA tables are at the Gebietsstand of July 2026: Hanau (06415) is split from the
Main-Kinzig-Kreis (06435), Eisenach (16056) is inside the Wartburgkreis (16063). The project
keeps Gebietsstand 2020: 06415 is added to 06435; the merged 16063 is split into Eisenach and
the Wartburgkreis with Eisenach's share of the two in Regionalstatistik 13111-07-05-4 (2015-2020,
the year's own share; 2013-2014 the 2015 share, 2021-2024 the 2020 share) for the workplace,
and with its share of the population aged 15-64 (Destatis 12411-0018, same years rule) for the
residence.

Sector nowcast 2021-2024 (district tables by WZ section end in 2020). For district *d*, sector
*s*, year *y*: ``E*[d,s,y] = E[d,s,2020] * G[d,s,y] ** a`` with ``G`` the growth since 2020 of
the sector's characteristic occupations in the district (KldB 2010 2-digit groups mapped to the
sector in ``data/national/kldb_sector.csv``; the district total where the sector has fewer than
50 such employees), then ``E`` = ``E*`` rescaled so that the 14 sectors add up to the observed
district total (BA) of the year. Central ``a = 0.5`` (half the occupation shift: occupations are
a proxy, not the sector); the range is spanned by ``a = 0`` (2020 structure held) and ``a = 1``
(full occupation shift), widened by the relative range of the 2020 cell.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import refdata

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
REGIONS = ("son", "swsn", "de")
NOWCAST_YEARS = (2021, 2022, 2023, 2024)
BASE_YEAR = 2024
EXPONENT = {"low_or_high_a": (0.0, 1.0), "central": 0.5}
MIN_OCC = 50

BA_SOURCE = {
    "title": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort und am Wohnort nach Berufen (KldB 2010, "
             "3-Steller), Kreise, Stichtag 30.06., 2013-2024 (Sonderauswertung, Auftrag 408036)",
    "publisher": "Statistik der Bundesagentur für Arbeit (Beschäftigungsstatistik); as redistributed in the R "
                 "package badata 0.2.0 (RegioHub)",
    "table": "Sonderauswertung 408036",
    "year": 2025,
    "path": "https://statistik.arbeitsagentur.de",
}
RS_SOURCE = {
    "title": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Wirtschaftszweigen (WZ 2008) – Stichtag 30.06. – "
             "Kreise und krfr. Städte",
    "publisher": "Statistische Ämter des Bundes und der Länder (Regionaldatenbank Deutschland)",
    "table": "13111-07-05-4",
    "year": 2021,
    "path": "https://www.regionalstatistik.de/genesis/online?operation=table&code=13111-07-05-4",
}
POP_SOURCE = {
    "title": "Bevölkerung: Kreise, Stichtag, Geschlecht, Altersgruppen",
    "publisher": "Statistisches Bundesamt (Destatis)",
    "table": "12411-0018",
    "year": 2021,
    "path": "https://www-genesis.destatis.de/genesis/online?operation=table&code=12411-0018",
}
LICENCE = [{"name": "dl-de/by-2-0", "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
            "path": "https://www.govdata.de/dl-de/by-2-0",
            "attribution": "Quelle: Statistik der Bundesagentur für Arbeit"}]


def _field(name, typ, desc, unit=None):
    f = {"name": name, "type": typ, "description": desc}
    if unit:
        f["unit"] = unit
    return f


# ---------------------------------------------------------------------------------------
# District totals


def eisenach_shares(ref: Path, de_wz: pd.DataFrame) -> tuple[dict, dict]:
    """Eisenach's share of Eisenach + Wartburgkreis by year: workplace (SvB) and residence (population 15-64)."""
    tot = de_wz[(de_wz["wz_group"] == "TOTAL") & de_wz["district"].isin(["16056", "16063"])]
    tot = tot.pivot(index="year", columns="district", values="value")
    work = (tot["16056"] / (tot["16056"] + tot["16063"])).to_dict()
    pop = refdata.read_csv(ref, "population_age_all_kreise.csv", dtype={"ags": str})
    pop = pop[pop["ags"].isin(["16056", "16063"])]
    ages = [a for a in pop["age_group"].unique() if _working_age(a)]
    pop = pop[pop["age_group"].isin(ages)].groupby(["year", "ags"])["value"].sum().unstack()
    res = (pop["16056"] / (pop["16056"] + pop["16063"])).to_dict()

    def fill(share: dict) -> dict:
        years = sorted(share)
        return {y: share.get(y, share[years[0]] if y < years[0] else share[years[-1]]) for y in range(2013, 2025)}

    return fill(work), fill(res)


def _working_age(label: str) -> bool:
    """Age groups of 12411-0018 inside 15-64 (15 bis unter 18 … 60 bis unter 65)."""
    import re

    m = re.match(r"(\d+) bis unter (\d+)", label)
    return bool(m) and int(m.group(1)) >= 15 and int(m.group(2)) <= 65


def district_totals(ref: Path, de_wz: pd.DataFrame) -> pd.DataFrame:
    """SvB at the workplace and residence, all 401 districts at Gebietsstand 2020, 2013-2024."""
    raw = refdata.read_csv(ref, "svb_total_kreise_2013_2024.csv", dtype={"ags": str})
    raw = raw.rename(columns={"ags": "district", "svb_workplace": "workplace", "svb_residence": "residence"})
    raw["district"] = raw["district"].replace({"06415": "06435"})
    raw = raw.groupby(["year", "district"], as_index=False)[["workplace", "residence"]].sum()
    raw["status"] = "derived"
    raw["note"] = ""
    hanau = raw["district"] == "06435"
    raw.loc[hanau, "note"] = "Main-Kinzig-Kreis incl. Hanau (06415 added, Gebietsstand 2020)"
    work, res = eisenach_shares(ref, de_wz)
    merged = raw[raw["district"] == "16063"].copy()
    rest = raw[raw["district"] != "16063"]
    parts = []
    for code, sign in (("16056", 1), ("16063", 0)):
        part = merged.copy()
        sw = part["year"].map(work)
        sr = part["year"].map(res)
        fw = sw if sign else 1 - sw
        fr = sr if sign else 1 - sr
        part["district"] = code
        part["workplace"] = (merged["workplace"] * fw).round()
        part["residence"] = (merged["residence"] * fr).round()
        part["status"] = "estimate"
        part["note"] = ("Wartburgkreis incl. Eisenach (BA, Gebietsstand 2026) split by Eisenach's share: workplace "
                        "Regionalstatistik 13111-07-05-4 (2015-2020, else nearest year), residence population "
                        "aged 15-64 (12411-0018)")
        parts.append(part)
    # the split must add up to the merged figure exactly
    a, b = parts
    b["workplace"] = merged["workplace"].to_numpy() - a["workplace"].to_numpy()
    b["residence"] = merged["residence"].to_numpy() - a["residence"].to_numpy()
    out = pd.concat([rest, *parts], ignore_index=True)
    out[["workplace", "residence"]] = out[["workplace", "residence"]].astype(int)
    return out.sort_values(["district", "year"]).reset_index(drop=True)[
        ["year", "district", "workplace", "residence", "status", "note"]]


# ---------------------------------------------------------------------------------------
# Occupations and the sector nowcast


def occupations(ref: Path, first: int = 2020) -> pd.DataFrame:
    """SvB at the workplace by KldB 3-digit, ``first``-2024, Gebietsstand 2020 (Eisenach = merged Wartburgkreis)."""
    a = refdata.read_csv(ref, "svb_kldb_workplace_all_kreise_2013_2020.csv", dtype={"ags": str, "kldb3": str})
    b = refdata.read_csv(ref, "svb_kldb_workplace_all_kreise_2021_2024.csv", dtype={"ags": str, "kldb3": str})
    occ = pd.concat([a[a["year"] >= first], b], ignore_index=True)
    occ["district"] = occ["ags"].replace({"06415": "06435"})
    return occ


def occupation_growth(occ: pd.DataFrame, kldb_sector: pd.DataFrame, sectors: list[str],
                      base_year: int = 2020) -> pd.DataFrame:
    """Growth since ``base_year`` of each sector's characteristic occupations, by district and year [1]."""
    occ = occ[occ["kldb3"].str.fullmatch(r"\d{3}")].copy()
    occ["kldb2"] = occ["kldb3"].str[:2]
    occ["value"] = occ["value"].fillna(0.0)
    by2 = occ.groupby(["district", "year", "kldb2"])["value"].sum()
    total = occ.groupby(["district", "year"])["value"].sum()
    rows = []
    k2 = kldb_sector.assign(kldb2=kldb_sector["kldb2"].astype(str).str.zfill(2))
    for s in sectors:
        groups = sorted(set(k2.loc[k2["sector"] == s, "kldb2"]))
        sub = by2[by2.index.get_level_values("kldb2").isin(groups)].groupby(["district", "year"]).sum()
        sub = sub.reindex(total.index, fill_value=0.0)
        frame = pd.DataFrame({"occ": sub, "total": total}).reset_index()
        frame["sector"] = s
        rows.append(frame)
    g = pd.concat(rows, ignore_index=True)
    base = g[g["year"] == base_year].set_index(["district", "sector"])[["occ", "total"]]
    g = g.join(base, on=["district", "sector"], rsuffix="_0")
    small = g["occ_0"] < MIN_OCC
    g["growth"] = np.where(small, g["total"] / g["total_0"], g["occ"] / g["occ_0"].where(~small, 1.0))
    g["proxy"] = np.where(small, "district total", "occupations")
    return g[g["year"] > base_year][["district", "year", "sector", "growth", "proxy"]]


def largest_remainder(values: np.ndarray, target: int) -> np.ndarray:
    """Round non-negative values to integers that add up to ``target``."""
    floor = np.floor(values)
    short = int(target - floor.sum())
    order = np.argsort(-(values - floor))
    out = floor.copy()
    out[order[:short]] += 1
    return out.astype(int)


SIZE_BINS = (0, 1000, 10000, np.inf)
"""Cell size classes [persons] of the nowcast's empirical error range."""


def nowcast_sectors(emp: pd.DataFrame, totals: pd.DataFrame, growth: pd.DataFrame, sectors: list[str],
                    base_year: int = 2020, years=NOWCAST_YEARS, errors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Employment by sector in ``years`` (value, low, high) from ``base_year``, for the districts of ``emp``."""
    e20 = emp[emp["year"] == base_year].set_index(["district", "sector"])
    out = []
    gi = growth.set_index(["district", "year", "sector"])
    ti = totals.set_index(["district", "year"])["workplace"]
    for d in e20.index.get_level_values("district").unique():
        base = e20.loc[d].reindex(sectors)
        v0 = base["value"].to_numpy(float)
        rlo = np.where(v0 > 0, base["low"].to_numpy(float) / np.where(v0 > 0, v0, 1), 1.0)
        rhi = np.where(v0 > 0, base["high"].to_numpy(float) / np.where(v0 > 0, v0, 1), 1.0)
        for y in years:
            g = gi.loc[[(d, y, s) for s in sectors], "growth"].to_numpy(float)
            proxy = gi.loc[[(d, y, s) for s in sectors], "proxy"].to_numpy()
            t = float(ti.loc[(d, y)])
            est = {}
            for a in (0.0, 0.5, 1.0):
                x = v0 * g**a
                est[a] = x * t / x.sum()
            value = largest_remainder(est[0.5], int(t))
            lo = np.minimum.reduce([est[0.0], est[0.5], est[1.0]]) * np.minimum(rlo, 1.0)
            hi = np.maximum.reduce([est[0.0], est[0.5], est[1.0]]) * np.maximum(rhi, 1.0)
            if errors is not None:  # the 5-95 % errors of the method where the answer is known
                h = min(y - base_year, int(errors["horizon"].max()))
                cls = np.digitize(est[0.5], SIZE_BINS[1:-1])
                e = errors[errors["horizon"] == h].set_index("size_class")
                lo = np.minimum(lo, est[0.5] * np.exp(e.loc[cls, "q05"].to_numpy()))
                hi = np.maximum(hi, est[0.5] * np.exp(e.loc[cls, "q95"].to_numpy()))
            lo = np.minimum(np.floor(lo), value)
            hi = np.maximum(np.ceil(hi), value)
            for i, s in enumerate(sectors):
                out.append({"year": y, "district": d, "sector": s, "value": int(value[i]), "low": int(lo[i]),
                            "high": int(hi[i]), "status": "estimate",
                            "a0": est[0.0][i], "a1": est[1.0][i],
                            "method": (f"nowcast: {base_year} x growth {base_year}-{y} of the sector's occupations "
                                       f"({proxy[i]}; {g[i]:.3f}) ^0.5, rescaled to the district total {int(t)} "
                                       "(BA); low/high = 2020 structure held vs full occupation shift, "
                                       "widened by the 2020 range and the 5-95 % errors of the method "
                                       "tried on 2015-2019 -> 2020")})
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------
# Writing


def _update_package(folder: Path, resources: list[dict], meta: dict | None = None) -> None:
    path = folder / "datapackage.json"
    pkg = json.loads(path.read_text(encoding="utf-8"))
    names = [r["name"] for r in resources]
    kept = [r for r in pkg["resources"] if r["name"] not in names]
    old = {r["name"]: r for r in pkg["resources"]}
    for r in resources:
        if r["name"] in old and r.get("_patch"):
            merged = {**old[r["name"]], **{k: v for k, v in r.items() if k != "_patch"}}
            kept.append(merged)
        else:
            kept.append({k: v for k, v in r.items() if k != "_patch"})
    order = {r["name"]: i for i, r in enumerate(pkg["resources"])}
    pkg["resources"] = sorted(kept, key=lambda r: order.get(r["name"], len(order)))
    if meta:
        pkg.setdefault("retra", {}).update(meta)
    path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def total_resource() -> dict:
    return {
        "name": "employment_total",
        "path": "employment_total.csv",
        "profile": "tabular-data-resource",
        "title": "Employees (SvB) at the workplace and at the residence by district, 30 June 2013-2024",
        "description": (
            "Employees subject to social insurance (SvB) on 30 June, at the workplace and at the place of residence, "
            "every district of the region, 2013-2024: the sum over the BA occupation groups (KldB 2010, 3-digit, incl. "
            "'ohne Angabe'; suppressed cells count as 0). Against Regionalstatistik 13111-07-05-4 totals 2015-2020 the "
            "median difference is 0.02 % (90th percentile 0.09 %). Gebietsstand 2020: Hanau (06415) is added to the "
            "Main-Kinzig-Kreis (06435); the BA's Wartburgkreis incl. Eisenach is split into Eisenach (16056) and "
            "Wartburgkreis (16063) by Eisenach's share of the two in 13111-07-05-4 (workplace; 2013-2014 the 2015 share, "
            "2021-2024 the 2020 share) and of the population aged 15-64 (residence, 12411-0018): status 'estimate' on "
            "those rows. Built by data/build/build_history.py."),
        "format": "csv", "encoding": "utf-8", "status": "derived",
        "sources": [BA_SOURCE, RS_SOURCE, POP_SOURCE],
        "licenses": LICENCE,
        "schema": {"fields": [
            _field("year", "integer", "reference year (30 June)", "year"),
            _field("district", "string", "district code (5-digit AGS, Gebietsstand 2020)"),
            _field("workplace", "integer", "SvB at the workplace", "persons"),
            _field("residence", "integer", "SvB at the place of residence", "persons"),
            _field("status", "string", "derived (sum of published BA cells) or estimate (territorial split)"),
            _field("note", "string", "territorial mapping, where one applies"),
        ], "primaryKey": ["year", "district"]},
    }


def sector_patch() -> dict:
    return {
        "name": "employment_sector", "_patch": True,
        "title": "Employment by model sector and district, 2015-2024 (SvB, workplace, 30 June); 2021-2024 nowcast",
        "x_nowcast": (
            "2021-2024: district tables by WZ section end in 2020. Each sector's 2020 employment is moved by the growth "
            "since 2020 of its characteristic occupations in the district (KldB 2010 2-digit groups of "
            "national/kldb_sector.csv; BA occupation tables 2021-2024; the district total where fewer than 50 such "
            "employees), to the power 0.5, and rescaled so that the 14 sectors add up to the observed district total "
            "(employment_total.csv, BA). Low/high: the 2020 structure held (power 0) vs the full occupation shift "
            "(power 1), widened by the 2020 cell's relative range. Status 'estimate'. Method and checks: "
            "data/build/ESTIMATES.md (section 'Sector nowcast 2021-2024'); build: data/build/build_history.py."),
    }


NOWCAST_SECTION = "## Sector nowcast 2021-2024"
"""Heading of the hand-written section of ``ESTIMATES.md`` kept in ``data/build/inputs/ESTIMATES_nowcast.md``."""


def append_estimates_section() -> None:
    """Append the nowcast section (``data/build/inputs/ESTIMATES_nowcast.md``) to ``ESTIMATES.md``,
    which ``estimate_sectors.py`` rewrites without it."""
    path = DATA / "build" / "ESTIMATES.md"
    text = path.read_text(encoding="utf-8")
    text = text.split(NOWCAST_SECTION)[0].rstrip("\n") + "\n\n"
    section = (DATA / "build" / "inputs" / "ESTIMATES_nowcast.md").read_text(encoding="utf-8")
    path.write_text(text + section, encoding="utf-8")


def main(ref: Path) -> None:
    append_estimates_section()
    nat = DATA / "national"
    sectors = list(pd.read_csv(nat / "sectors.csv").sort_values("order")["sector"])
    kldb_sector = pd.read_csv(nat / "kldb_sector.csv", dtype={"kldb2": str})
    de_wz = pd.read_csv(DATA / "regions" / "de" / "employment_wz.csv", dtype={"district": str})
    totals = district_totals(ref, de_wz)
    check = de_wz[de_wz["wz_group"] == "TOTAL"].merge(totals, on=["year", "district"])
    diff = (check["workplace"] / check["value"] - 1).abs()
    print(f"BA totals vs 13111-07-05-4 2015-2020: median |diff| {100 * diff.median():.3f} %, "
          f"p90 {100 * diff.quantile(0.9):.3f} %, max {100 * diff.max():.2f} % ({len(check)} district-years)")
    occ = occupations(ref)
    # occupation growth per district at Gebietsstand 2020: Eisenach and Wartburgkreis share the merged growth
    growth = occupation_growth(occ, kldb_sector, sectors)
    eis = growth[growth["district"] == "16063"].assign(district="16056")
    growth = pd.concat([growth, eis], ignore_index=True)
    errors = nowcast_errors(ref)
    print("nowcast errors (log published/nowcast, 5-95 %) by horizon and size class:")
    print(errors.round(4).to_string(index=False))
    # Eisenach/Wartburgkreis: occupation growth of the merged district; totals per part (see district_totals)
    sector_de = None
    for rid in REGIONS:
        folder = DATA / "regions" / rid
        districts = list(pd.read_csv(folder / "districts.csv", dtype={"district": str})["district"])
        tot = totals[totals["district"].isin(districts)]
        tot.to_csv(folder / "employment_total.csv", index=False)
        emp = pd.read_csv(folder / "employment_sector.csv", dtype={"district": str})
        emp = emp[emp["year"] <= 2020]
        now = nowcast_sectors(emp, tot, growth, sectors, errors=errors).drop(columns=["a0", "a1"])
        emp = pd.concat([emp, now], ignore_index=True)
        emp.to_csv(folder / "employment_sector.csv", index=False)
        if rid == "de":
            sector_de = emp
        resources = [total_resource(), sector_patch()]
        if (folder / "occupations.csv").exists():
            o = pd.read_csv(folder / "occupations.csv", dtype={"district": str, "kldb3": str})
            o = o[o["year"] <= 2020]
            new = occ[(occ["year"] > 2020) & occ["district"].isin(districts)]
            new = new.rename(columns={})[["year", "district", "kldb3", "value", "flag"]]
            o = pd.concat([o, new], ignore_index=True)
            o["value"] = o["value"].astype("Int64")
            o.to_csv(folder / "occupations.csv", index=False)
            resources.append({"name": "occupations", "_patch": True,
                              "x_years": "2013-2024 (2021-2024 from the same BA special evaluation, build_history.py)"})
        _update_package(folder, resources, {"base_year": BASE_YEAR})
        print(f"{rid}: {len(districts)} districts, base year {BASE_YEAR}, 2024 total {int(tot[tot['year'] == 2024]['workplace'].sum()):,}")
    national_tables(nat, sector_de, totals)


def national_tables(nat: Path, sector_de: pd.DataFrame, totals: pd.DataFrame) -> None:
    """Germany by sector 2015-2024 (sum of ``de``) and svb_germany.csv extended to 2024."""
    by_sector = sector_de.groupby(["year", "sector"], as_index=False)[["value", "low", "high"]].sum()
    est = sector_de.assign(e=sector_de["status"] == "estimate").groupby(["year", "sector"])["e"].any()
    by_sector["status"] = np.where(est.reindex(list(zip(by_sector["year"], by_sector["sector"]))).to_numpy(),
                                   "estimate", "derived")
    by_sector.to_csv(nat / "employment_sector_germany.csv", index=False)
    svb = pd.read_csv(nat / "svb_germany.csv")
    svb = svb[svb["year"] <= 2020]
    sector_wz = pd.read_csv(nat / "sector_wz.csv")
    wz = pd.read_csv(nat / "wz_groups.csv")
    children: dict[str, set] = {}
    for r in wz.itertuples():
        if isinstance(r.parent, str) and r.parent:
            children.setdefault(r.parent, set()).add(r.wz_group)

    def below(g):
        return {g}.union(*(below(c) for c in children.get(g, set())))

    mapped: dict[str, set] = {}
    for r in sector_wz.itertuples():
        mapped.setdefault(r.sector, set()).add(r.wz_group)
    piv = by_sector.pivot(index="year", columns="sector", values="value")
    base = svb[svb["year"] == 2020].set_index("wz_group")["value"]
    rows = []
    for y in NOWCAST_YEARS:
        for g, v in base.items():
            if g == "TOTAL":
                value = int(totals.loc[totals["year"] == y, "workplace"].sum() * v
                            / totals.loc[totals["year"] == 2020, "workplace"].sum())
                flag = "estimate: 2020 TOTAL x growth of the BA district totals"
            else:
                inside = [s for s, gs in mapped.items() if gs <= below(g)] or \
                         [s for s, gs in mapped.items() if g in gs]
                ratio = piv.loc[y, inside].sum() / piv.loc[2020, inside].sum()
                value = int(round(v * ratio))
                flag = "estimate: 2020 x growth of the sector nowcast (" + "+".join(inside) + ")"
            rows.append({"year": y, "wz_group": g, "value": value, "flag": flag})
    svb = pd.concat([svb, pd.DataFrame(rows)], ignore_index=True)
    svb.to_csv(nat / "svb_germany.csv", index=False)
    res_sector = {
        "name": "employment_sector_germany", "path": "employment_sector_germany.csv",
        "profile": "tabular-data-resource",
        "title": "Employees (SvB, workplace, 30 June) in Germany by model sector, 2015-2024",
        "description": ("The sum over all 401 districts of data/regions/de/employment_sector.csv: published WZ groups "
                        "and the estimated manufacturing split to 2020, the sector nowcast 2021-2024; status 'estimate' "
                        "where any district's cell is an estimate (data/build/ESTIMATES.md). Used by the trend driver for the national "
                        "sector paths and the top-down consistency of the district shifts."),
        "format": "csv", "encoding": "utf-8", "status": "estimate",
        "sources": [RS_SOURCE, BA_SOURCE], "licenses": LICENCE,
        "schema": {"fields": [
            _field("year", "integer", "reference year (30 June)", "year"),
            _field("sector", "string", "model sector"),
            _field("value", "integer", "employees", "persons"),
            _field("low", "integer", "sum of the districts' low", "persons"),
            _field("high", "integer", "sum of the districts' high", "persons"),
            _field("status", "string", "derived (to 2020) or estimate (nowcast)"),
        ]},
    }
    svb_patch = {"name": "svb_germany", "_patch": True,
                 "x_years": ("2015-2020 Regionalstatistik 13111-07-05-4; 2021-2024 estimates (flag column): TOTAL = 2020 "
                             "x growth of the BA district totals, WZ groups = 2020 x growth of the sector nowcast "
                             "(data/build/build_history.py)")}
    _update_package(nat, [res_sector, svb_patch])


def nowcast_errors(ref: Path, target: int = 2020) -> pd.DataFrame:
    """5 % and 95 % quantiles of log(published / nowcast) by horizon (1-5 years, origins 2015-2019 to
    ``target``) and cell size class (:data:`SIZE_BINS`), published cells only [1]."""
    rows = []
    for origin in range(target - 5, target):
        cells = validate_nowcast(ref, origin, target, cells=True)
        e = np.log(cells["value_obs"] / cells["value"])
        cls = np.digitize(cells["value"], SIZE_BINS[1:-1])
        for c in range(len(SIZE_BINS) - 1):
            sub = e[cls == c]
            rows.append({"horizon": target - origin, "size_class": c, "n": len(sub),
                         "q05": float(sub.quantile(0.05)), "q95": float(sub.quantile(0.95))})
    return pd.DataFrame(rows)


def validate_nowcast(ref: Path, origin: int = 2017, target: int = 2020, cells: bool = False) -> pd.DataFrame:
    """The nowcast method tried where the answer is known: ``target`` by sector from ``origin``'s
    structure, the occupations and the ``target`` total, against the published cells (status
    read/derived, at least 100 employees) of all 401 districts. Returns MAPE and weighted MAPE [%]
    for the power 0 (structure held), 0.5 (central) and 1 (full occupation shift)."""
    nat = DATA / "national"
    sectors = list(pd.read_csv(nat / "sectors.csv").sort_values("order")["sector"])
    kldb_sector = pd.read_csv(nat / "kldb_sector.csv", dtype={"kldb2": str})
    emp = pd.read_csv(DATA / "regions" / "de" / "employment_sector.csv", dtype={"district": str})
    occ = occupations(ref, first=origin)
    growth = occupation_growth(occ[occ["year"] <= target], kldb_sector, sectors, base_year=origin)
    growth = pd.concat([growth, growth[growth["district"] == "16063"].assign(district="16056")], ignore_index=True)
    tot = emp[emp["year"] == target].groupby("district", as_index=False)["value"].sum()
    tot = tot.assign(year=target).rename(columns={"value": "workplace"})
    now = nowcast_sectors(emp[emp["year"] <= origin], tot, growth, sectors, base_year=origin, years=(target,))
    obs = emp[emp["year"] == target].set_index(["district", "sector"])
    now = now.join(obs[["value", "status"]], on=["district", "sector"], rsuffix="_obs")
    ok = now["status_obs"].isin(["read", "derived"]) & (now["value_obs"] >= 100)
    now = now[ok]
    if cells:
        return now
    rows = []
    for name, col in (("structure held (a=0)", "a0"), ("central (a=0.5)", "value"), ("full shift (a=1)", "a1")):
        err = now[col] - now["value_obs"]
        rows.append({"nowcast": name, "cells": int(ok.sum()),
                     "mape_pct": float(100 * (err.abs() / now["value_obs"]).mean()),
                     "wmape_pct": float(100 * err.abs().sum() / now["value_obs"].sum()),
                     "inside_low_high": float(((now["low"] <= now["value_obs"]) & (now["value_obs"] <= now["high"])).mean())})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    ref = Path(sys.argv[1]) if len(sys.argv) > 1 else refdata.DEFAULT
    if not refdata.usable(ref):
        sys.exit(f"reference folder {ref} not found")
    main(ref)
    print("Nowcast tried on 2017 -> 2020 (published cells):")
    print(validate_nowcast(ref).round(3).to_string(index=False))
