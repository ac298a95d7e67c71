#!/usr/bin/env python
"""Build the demography tables of retra: population projected by age to 2045, SvB at residence.

Usage (from the repository root):

    .venv/bin/python data/build/build_demography.py [REFERENCE_DIR] [--regions son swsn]

Writes, per region, ``data/regions/<id>/population_projection.csv`` and ``svb_residence.csv``
and their descriptors into ``datapackage.json`` (and ``data/build/resources/<id>/*.json``, so
that ``build_regions.py`` keeps them); and ``data/national/employment_profile.csv``.

Method of the projection (every Land's districts at once; see :mod:`retra_model.demography`):

* start: population by sex and 17 age groups, 31.12.2020 (Destatis 12411-0018), spread over
  single years;
* mortality: Gompertz law fitted to the period life expectancy at birth and at 65, Sterbetafel
  2018/2020 (Destatis, July 2021: Germany e0 boys 78.6, girls 83.4; e65 17.9 and 21.1 years;
  Saxony e0 77.8 and 83.8), held constant (as the 8th regionalised projection of Saxony does);
* fertility: total fertility rate per variant, the Länder assumptions: Lower Saxony 1.40 /
  1.55 / 1.70 (Destatis coordinated projection, G1/G2/G3), Saxony 1.45 / 1.55 / 1.65 (8th
  regionalised projection of Saxony, V3/V2/V1, from 2030), over a fixed age schedule;
* migration: each district's own net migration by sex and single age, the residual of its
  observed cohort change 31.12.2016 → 31.12.2020 against mortality (so inner-German moves,
  e.g. the young leaving rural districts, stay in), plus an adjustment, spread by population
  share and the Land's immigration age profile, that brings the Land's yearly net migration
  to the assumption of the variant: Lower Saxony 21,000 (low) / 33,000 (moderate, midpoint) /
  45,000 (high) per year (LSN on the 15th coordinated projection, average to 2070); Saxony
  7,500 (low: the long-run foreign net migration of the 8th regionalised projection, inner-
  German moves balanced) / midpoint / the observed 2016–2020 average (high).

The 2016 → 2020 window avoids the district merger of Göttingen (1.11.2016) and the peak of
2015. Everything the model reads is aggregated to age bands.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from retra_model import demography as dm  # noqa: E402

import refdata  # noqa: E402  (beside this script)

START, WINDOW_FROM, END = 2020, 2016, 2045
BANDS = [(0, 15), (15, 20), (20, 25), (25, 30), (30, 35), (35, 40), (40, 45), (45, 50), (50, 55), (55, 60),
         (60, 65), (65, 67), (67, 70), (70, 75), (75, None)]
VARIANTS = ("low", "moderate", "high")

LAENDER = {
    "03": {"name": "Niedersachsen", "e0": (78.6, 83.4), "e65": (17.9, 21.1), "tfr": (1.40, 1.55, 1.70),
           "net_migration": (21_000, 33_000, 45_000)},
    "14": {"name": "Sachsen", "e0": (77.8, 83.8), "e65": (17.9, 21.1), "tfr": (1.45, 1.55, 1.65),
           "net_migration": (7_500, None, "observed")},
}
"""Assumptions by Land (first two digits of the district code); sources in the module docstring
and in ``SOURCES``. Saxony's e65 is Germany's (no Land value found)."""

SOURCES = [
    {"title": "Bevölkerung: Kreise, Stichtag, Geschlecht, Altersgruppen (31.12.2016 and 31.12.2020)",
     "publisher": "Statistisches Bundesamt (Destatis)", "table": "12411-0018", "year": 2021,
     "path": "https://www-genesis.destatis.de/genesis/online?operation=table&code=12411-0018"},
    {"title": "Lebenserwartung in Deutschland nahezu unverändert (Sterbetafel 2018/2020; Länder)",
     "publisher": "Statistisches Bundesamt (Destatis), press release", "year": 2021,
     "path": "https://www.finanznachrichten.de/nachrichten-2021-07/53367371-lebenserwartung-in-deutschland-nahezu-unveraendert-lebenserwartung-stagniert-hauptursache-sind-hohe-sterbefallzahlen-im-zuge-der-corona-pandemie-007.htm",
     "note": "e0 Germany boys 78.6, girls 83.4; e65 men 17.9, women 21.1; Saxony e0 77.8 / 83.8"},
    {"title": "Varianten der 14. koordinierten Bevölkerungsvorausberechnung (G1 1.4, G2 1.55, G3 1.7 children per woman)",
     "publisher": "Statistisches Bundesamt (Destatis), via Statistisches Landesamt Sachsen", "year": 2019,
     "path": "https://www.bevoelkerungsmonitor.sachsen.de/download/kBV/schema_statistik-sachsen_14kBV_annahmen-30-varianten.pdf"},
    {"title": "Niedersachsens Bevölkerung wächst bis 2030 (15. koordinierte Bevölkerungsvorausberechnung; "
              "net migration about 45,000 (high) or 21,000 (low) persons a year)",
     "publisher": "Landesamt für Statistik Niedersachsen (LSN), press release via osna-live.de", "year": 2023,
     "path": "https://osna-live.de/33256/flucht-aus-der-ukraine-niedersachsens-bevoelkerung-waechst-bis-2030"},
    {"title": "8. Regionalisierte Bevölkerungsvorausberechnung für den Freistaat Sachsen 2022–2040: "
              "TFR 1.65 / 1.55 / 1.45 by 2030 (V1/V2/V3); foreign net migration 7,500 a year in the long run",
     "publisher": "Statistisches Landesamt des Freistaates Sachsen, reported by MDR", "year": 2023,
     "path": "https://www.mdr.de/nachrichten/bevoelkerungsentwicklung-sachsen-102.html"},
]
LICENCE = [{"name": "dl-de/by-2-0", "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
            "path": "https://www.govdata.de/dl-de/by-2-0",
            "attribution": "© Statistisches Bundesamt (Destatis) and Statistische Ämter der Länder; own calculation"}]


def bounds(label: str) -> tuple[int, float]:
    """Age bounds of a Destatis 12411-0018 age-group label."""
    lab = label.strip()
    if lab.startswith("unter"):
        return 0, float(lab.split()[1])
    if "und mehr" in lab:
        return int(lab.split()[0]), np.inf
    p = lab.split()
    return int(p[0]), float(p[3])


def single_year_table(pop: pd.DataFrame, open_w: dict) -> tuple[list[str], np.ndarray]:
    """District × sex × single age [persons] of one year."""
    pop = pop.copy()
    pop[["lo", "hi"]] = pop["age_group"].map(bounds).apply(pd.Series)
    codes = sorted(pop["ags"].unique())
    out = np.zeros((len(codes), 2, dm.TOP + 1))
    for i, c in enumerate(codes):
        for k, sex in enumerate(("male", "female")):
            g = pop[(pop["ags"] == c) & (pop["sex"] == sex)].sort_values("lo")
            out[i, k] = dm.single_years(g["lo"].to_numpy(), g["hi"].to_numpy(), g["value"].to_numpy(dtype=float),
                                        open_w[sex])
    return codes, out


def project_land(pop: pd.DataFrame, land: str) -> tuple[list[str], np.ndarray]:
    """Projected population ``(variant, year, district, sex, age)`` of all districts of a Land."""
    a = LAENDER[land]
    params = [dm.fit_gompertz(e0, e65) for e0, e65 in zip(a["e0"], a["e65"], strict=True)]
    surv = np.stack([dm.survival(*p) for p in params])  # (2, A)
    lx = {sex: np.cumprod(np.r_[1.0, s[:-1]]) for sex, s in zip(("male", "female"), surv, strict=True)}
    sub = pop[pop["ags"].str.startswith(land)]
    codes, p_from = single_year_table(sub[sub["year"] == WINDOW_FROM], lx)
    codes2, p0 = single_year_table(sub[sub["year"] == START], lx)
    assert codes == codes2, "district lists differ between the two years"
    years = START - WINDOW_FROM
    mig = dm.residual_migration(p_from, p0, surv, years)  # (D, 2, A) per year
    observed = float(mig.sum())
    profile = np.clip(mig.sum(axis=0), 0.0, None)
    profile /= profile.sum()
    share = p0.sum(axis=(1, 2)) / p0.sum()
    lo, mid, hi = a["net_migration"]
    hi = observed if hi == "observed" else hi
    mid = 0.5 * (lo + hi) if mid is None else mid
    out = []
    for tfr, target in zip(a["tfr"], (lo, mid, hi), strict=True):
        m = mig + (target - observed) * share[:, None, None] * profile[None]
        asfr = dm.fertility_schedule(tfr)
        out.append(dm.project(p0, END - START, surv, asfr, m))
    print(f"  Land {land}: observed net migration {WINDOW_FROM}-{START} {observed:,.0f}/yr; "
          f"variants {lo:,.0f} / {mid:,.0f} / {hi:,.0f}", file=sys.stderr)
    return codes, np.stack(out)


def to_bands(arr: np.ndarray) -> np.ndarray:
    """(..., A) single ages → (..., B) bands."""
    cols = []
    for lo, hi in BANDS:
        cols.append(arr[..., lo:(dm.TOP + 1 if hi is None else hi)].sum(axis=-1))
    return np.stack(cols, axis=-1)


def field(name, type_, description, unit=None):
    f = {"name": name, "type": type_, "description": description}
    if unit:
        f["unit"] = unit
    return f


def descriptor_projection(rid: str) -> dict:
    return {
        "name": "population_projection",
        "path": "population_projection.csv",
        "profile": "tabular-data-resource",
        "title": f"Population by age band projected to {END}, three variants (31 December)",
        "description": (
            "Cohort-component projection of every district from 31.12.2020 (both sexes summed), one year per "
            "step, single years of age aggregated to bands. Mortality: Gompertz law fitted to the Sterbetafel "
            "2018/2020; fertility: the Land's total fertility rate of the variant; migration: the district's own "
            "net migration by age (residual of the cohort change 2016-2020 against mortality) adjusted to the "
            "Land's net migration of the variant (Lower Saxony 21,000 / 33,000 / 45,000 a year; Saxony 7,500 / "
            "midpoint / the observed 2016-2020 average). Variants: low = low fertility and migration, moderate, "
            "high. The 2020 rows are the published population (all variants equal). Built by "
            "data/build/build_demography.py; method in retra_model/demography.py."),
        "format": "csv", "encoding": "utf-8", "status": "estimate",
        "schema": {"fields": [
            field("variant", "string", "low | moderate | high"),
            field("district", "string", "district code (5-digit AGS)"),
            field("year", "integer", "31 December of the year"),
            field("age_from", "integer", "first age of the band", "years"),
            field("age_to", "integer", "exclusive upper bound; empty for the open band", "years"),
            field("value", "number", "population", "persons")],
            "primaryKey": ["variant", "district", "year", "age_from"]},
        "sources": SOURCES, "licenses": LICENCE,
    }


def descriptor_svb() -> dict:
    return {
        "name": "svb_residence",
        "path": "svb_residence.csv",
        "profile": "tabular-data-resource",
        "title": "Employees subject to social insurance at the workplace and at the place of residence, 30 June 2013-2024",
        "description": ("Sums over all occupation groups (KldB 2010 3-digit, incl. 'ohne Angabe') of the BA special "
                        "evaluation 408036; suppressed cells count as 0 (the number of suppressed cells is given). "
                        "Against Regionalstatistik 13111-07-05-4 totals 2015-2020 the median difference is 0.02 %. "
                        "Residence minus workplace = out-commuters minus in-commuters across the district boundary."),
        "format": "csv", "encoding": "utf-8", "status": "derived",
        "schema": {"fields": [
            field("year", "integer", "30 June of the year"),
            field("district", "string", "district code (5-digit AGS)"),
            field("svb_workplace", "integer", "SvB at the workplace", "persons"),
            field("svb_residence", "integer", "SvB at the place of residence", "persons"),
            field("suppressed_cells_workplace", "integer", "suppressed occupation cells in the workplace sum"),
            field("suppressed_cells_residence", "integer", "suppressed occupation cells in the residence sum")],
            "primaryKey": ["year", "district"]},
        "sources": [{"title": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort und am Wohnort nach KldB 2010 "
                              "(3-Steller), Kreise, Stichtag 30.06. (Sonderauswertung Auftrag 408036)",
                     "publisher": "Statistik der Bundesagentur für Arbeit", "year": 2025,
                     "path": "https://statistik.arbeitsagentur.de",
                     "note": "as redistributed in the R package badata 0.2.0 (doi:10.5281/zenodo.7636114)"}],
        "licenses": [{"name": "BA-Statistik", "title": "Statistik der Bundesagentur für Arbeit – reuse with source note",
                      "path": "https://statistik.arbeitsagentur.de",
                      "attribution": "Quelle: Statistik der Bundesagentur für Arbeit"}],
    }


PROFILE = [
    # band, relative SvB employment rate (25-55 = 1), low, high, status, note
    (15, 20, 0.25, 0.15, 0.35, "assumption", "apprentices and school leavers; no published SvB rate by age found"),
    (20, 25, 0.80, 0.65, 0.90, "assumption", "students and apprentices; no published SvB rate by age found"),
    (25, 55, 1.00, 1.00, 1.00, "reference", "reference band"),
    (55, 60, 0.96, 0.90, 1.00, "derived", "Erwerbsquote 55-59 84.8 % (2023) against about 88 % at prime age"),
    (60, 65, 0.76, 0.65, 0.85, "derived", "Erwerbsquote 60-64 67.2 % (2023) against about 88 % at prime age"),
    (65, 67, 0.24, 0.12, 0.35, "derived", "Erwerbsquote at 66: 21.3 % (2023) against about 88 % at prime age"),
    (67, 200, 0.03, 0.01, 0.06, "assumption", "SvB beyond the statutory age are rare (mostly mini-jobs, not SvB)"),
]


def write_profile(out: Path) -> None:
    nat = out / "national"
    df = pd.DataFrame(PROFILE, columns=["age_from", "age_to", "value", "low", "high", "status", "note"])
    df.to_csv(nat / "employment_profile.csv", index=False, lineterminator="\n")
    pkg_path = nat / "datapackage.json"
    pkg = json.loads(pkg_path.read_text(encoding="utf-8"))
    desc = {
        "name": "employment_profile", "path": "employment_profile.csv", "profile": "tabular-data-resource",
        "title": "Relative SvB employment rate by age band (25-55 = 1)",
        "description": ("Shape of the employment rate (SvB per resident) over age; its level is fitted per district to "
                        "SvB at the place of residence. Older bands from the labour-force participation rates of 2023 "
                        "(Mikrozensus, bpb Sozialbericht 2024) relative to an assumed prime-age rate of about 88 %; "
                        "the young bands are assumptions with ranges. age_to 200 = open."),
        "format": "csv", "encoding": "utf-8", "status": "estimate",
        "schema": {"fields": [field("age_from", "integer", "first age", "years"),
                              field("age_to", "integer", "exclusive upper bound", "years"),
                              field("value", "number", "relative employment rate", "1"),
                              field("low", "number", "lower bound", "1"), field("high", "number", "upper bound", "1"),
                              field("status", "string", "assumption | derived | reference"),
                              field("note", "string", "where the figure comes from")]},
        "sources": [{"title": "Sozialbericht 2024: Beteiligung am Erwerbsleben (Erwerbsquoten 2023: 55-59 84.8 %, "
                              "60-64 67.2 %, age 62 71.6 %, age 66 21.3 %)",
                     "publisher": "Bundeszentrale für politische Bildung / Destatis / WZB / BiB", "year": 2024,
                     "path": "https://bpb.de/kurz-knapp/zahlen-und-fakten/sozialbericht-2024/553138/beteiligung-am-erwerbsleben"}],
    }
    pkg["resources"] = [r for r in pkg["resources"] if r.get("name") != desc["name"]] + [desc]
    pkg_path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def merge(pkg_path: Path, desc: dict, rid: str) -> None:
    pkg = json.loads(pkg_path.read_text(encoding="utf-8"))
    pkg["resources"] = [r for r in pkg["resources"] if r.get("name") != desc["name"]] + [desc]
    pkg_path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    res = ROOT / "data" / "build" / "resources" / rid
    res.mkdir(parents=True, exist_ok=True)
    (res / f"{desc['name']}.json").write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference", nargs="?", default=str(refdata.DEFAULT),
                    help="folder of the official tables (default: the shipped copies in data/build/reference/)")
    ap.add_argument("--regions", nargs="+", default=["son", "swsn"])
    args = ap.parse_args(argv)
    ref = Path(args.reference)
    if not refdata.usable(ref):
        sys.exit(f"reference folder {ref} not found")
    out = ROOT / "data"
    pop = refdata.read_csv(ref, "population_age_all_kreise.csv", dtype={"ags": str})
    svb = refdata.read_csv(ref, "svb_total_kreise_2013_2024.csv", dtype={"ags": str})
    write_profile(out)
    cache: dict[str, tuple[list[str], np.ndarray]] = {}
    for rid in args.regions:
        folder = out / "regions" / rid
        pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        districts = pkg["retra"]["districts"]
        rows = []
        for land in sorted({d[:2] for d in districts}):
            if land not in LAENDER:
                raise SystemExit(f"no projection assumptions for Land {land}; add them to LAENDER")
            if land not in cache:
                cache[land] = project_land(pop, land)
            codes, proj = cache[land]
            banded = to_bands(proj.sum(axis=-2))  # (V, T, D, B), sexes summed
            for d in [c for c in districts if c[:2] == land]:
                i = codes.index(d)
                for v, var in enumerate(VARIANTS):
                    for t in range(END - START + 1):
                        for b, (lo, hi) in enumerate(BANDS):
                            rows.append((var, d, START + t, lo, hi, round(float(banded[v, t, i, b]), 1)))
        df = pd.DataFrame(rows, columns=["variant", "district", "year", "age_from", "age_to", "value"])
        df["age_to"] = df["age_to"].astype("Int64")
        df.to_csv(folder / "population_projection.csv", index=False, lineterminator="\n")
        merge(folder / "datapackage.json", descriptor_projection(rid), rid)
        s = svb[svb["ags"].isin(districts)].rename(columns={"ags": "district"})
        s = s[["year", "district", "svb_workplace", "svb_residence", "suppressed_cells_workplace",
               "suppressed_cells_residence"]].sort_values(["district", "year"])
        s.to_csv(folder / "svb_residence.csv", index=False, lineterminator="\n")
        merge(folder / "datapackage.json", descriptor_svb(), rid)
        wa = df[(df["age_from"] >= 15) & (df["age_from"] < 67)].groupby(["variant", "year"])["value"].sum().unstack(0)
        print(f"{rid}: population 15-66 {int(wa.loc[START, 'moderate']):,} (2020) → 2035 "
              f"{int(wa.loc[2035, 'low']):,} / {int(wa.loc[2035, 'moderate']):,} / {int(wa.loc[2035, 'high']):,}; "
              f"2045 {int(wa.loc[2045, 'moderate']):,}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
