"""Published studies rebuilt with the model: their assumptions as levers, their headline beside ours.

Each study is a scenario file under ``scenarios/de/`` (the study's assumptions as levers, all
else as in the baseline) run deterministically on all 401 districts. The model's figure is
measured with the study's boundary and, where the study counts another employment concept,
converted to it:

===========================  =====================================  =====================================
study                        headline                               ours
===========================  =====================================  =====================================
Prognos for VDA (2024)       −190,000 in WZ 29, 2019 → 2035          vehicles 2035 (model) − 2019 (data)
ELAB 2.0 (2018)              −75,000 net in powertrain production,   electrification + productivity in the
                             2030 (+25,000 new included)             exposed jobs of vehicle making, → 2030
IAB/BIBB/GWS (2018)          −114,000 economy-wide in 2035 vs        e-mobility minus reference, all
                             reference; −83,000 in Fahrzeugbau       sectors and drivers; vehicles
===========================  =====================================  =====================================

IAB/BIBB/GWS count persons in employment (Erwerbstätige, 45.3 million in 2019, Destatis press
release 001/2020); the model counts employees subject to social insurance (SvB, 33.4 million
on 30 June 2019): the economy-wide figure is scaled by their ratio (1.356). Prognos's 911,000
in 2019 are WZ 29 employees, our concept.

References
----------
Prognos AG for VDA (2024). Beschäftigungsperspektiven in der Automobilindustrie.
Bauer, W. et al. (2018). ELAB 2.0. Fraunhofer IAO.
Mönnig, A. et al. (2018). Elektromobilität 2035. IAB-Forschungsbericht 8/2018.
Statistisches Bundesamt (2020). Pressemitteilung Nr. 001 vom 2. Januar 2020: im
Jahresdurchschnitt 2019 rund 45,3 Millionen Erwerbstätige.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .regions import Region, load_region
from .scenario import Scenario

ERWERBSTAETIGE_2019 = 45.3e6
"""Persons in employment with workplace in Germany, annual average 2019 (Destatis PM 001/2020) [persons]."""

STUDIES = [
    {"study": "prognos2024_net", "label": "Prognos for VDA (2024), trend continuation", "scenario": "prognos2024_trend",
     "reference": None, "year": 2035, "figure": -190000.0, "concept": 1.0,
     "measure": "vehicles sector, 2035 (model) minus 2019 (data), all drivers",
     "why": ("the study's trend is our three calibrated drivers continued; Prognos's −190,000 nets +110,000 in "
             "growth fields (batteries, software) that our vehicles sector gets only from named projects")},
    {"study": "elab2_net", "label": "Fraunhofer IAO, ELAB 2.0 (2018)", "scenario": "elab2_2030", "reference": None,
     "year": 2030, "figure": -75000.0, "concept": 1.0,
     "measure": "electrification and productivity in the exposed (powertrain) jobs of vehicle making, base year → 2030",
     "why": ("ELAB's component tables cut the engine and gearbox deeper than our whole-powertrain BEV labour of 0.5 "
             "and assume higher productivity growth for the new components; its base is 2017 with no e-cars; its "
             "gross loss is about −100,000, net of +25,000 new jobs that our vehicles sector does not have")},
    {"study": "iab2018_total", "label": "IAB/BIBB/GWS, Elektromobilität 2035 (2018)", "scenario": "iab2018_2035",
     "reference": "iab2018_reference", "year": 2035, "figure": -114000.0, "concept": None,
     "measure": "e-mobility minus no-e-car reference, all sectors and drivers, 2035, in persons in employment",
     "why": ("QINFORGE has prices, imports (battery cells) and the lower value added of a BEV along the whole "
             "domestic chain; our electrification changes labour per vehicle at constant output and does not "
             "reach suppliers through the IO model (they lose through their own exposure)")},
    {"study": "iab2018_vehicle", "label": "IAB/BIBB/GWS (2018): Fahrzeugbau", "scenario": "iab2018_2035",
     "reference": "iab2018_reference", "year": 2035, "figure": -83000.0, "concept": 1.0,
     "measure": "e-mobility minus no-e-car reference, vehicles sector, 2035",
     "why": ("with 23 % BEV in 2035 a loss of 83,000 needs about 40 % less labour per BEV across all of WZ 29; "
             "ours applies 0.5 of ICE labour to the 25.5 % of WZ 29 in powertrain production only (−13 % per BEV)")},
]
"""The rebuilt studies: scenario, reference, year, headline [persons], concept factor, what is compared."""


def study_reproductions(scenario_dir: str | Path = "scenarios/de", region: Region | None = None) -> pd.DataFrame:
    """The studies' headlines beside the model's figures with the same boundary (deterministic).

    Returns
    -------
    pandas.DataFrame
        One row per study: ``figure`` (theirs), ``ours`` (in SvB), ``ours_in_their_concept``,
        ``ratio`` (ours in their concept ÷ theirs), ``within_1_25`` (ratio in [0.8, 1.25]),
        ``measure`` and ``why`` [persons].
    """
    from .validation import national_ensemble, truncate

    region = region or load_region("de")
    folder = Path(scenario_dir)
    names = sorted({s["scenario"] for s in STUDIES} | {s["reference"] for s in STUDIES if s["reference"]})
    runs = {}
    for name in names:
        sc = Scenario.from_file(folder / f"{name}.yaml", context=region.codelists())
        year = max(s["year"] for s in STUDIES if name in (s["scenario"], s["reference"]))
        runs[name] = national_ensemble(truncate(sc, year), region, None)
    svb = region.national.total_employment()
    rows = []
    for s in STUDIES:
        ds, y = runs[s["scenario"]], s["year"]
        if s["study"] == "elab2_net":
            # electrification acts only on the exposed jobs; productivity on all, so its exposed part
            ours = float(ds["employment_change"].sel(driver="electrification", sector="vehicles", year=y).sum()
                         + ds["exposed_change"].sel(driver="productivity", sector="vehicles", year=y).sum())
        elif s["reference"]:
            diff = ds["employment"].sel(year=y) - runs[s["reference"]]["employment"].sel(year=y)
            ours = float(diff.sel(sector="vehicles").sum() if s["study"] == "iab2018_vehicle" else diff.sum())
        else:
            observed = float(region.employment["value"].sel(year=2019, sector="vehicles").sum())
            ours = float(ds["employment"].sel(sector="vehicles", year=y).sum()) - observed
        concept = s["concept"] if s["concept"] is not None else ERWERBSTAETIGE_2019 / float(svb.loc[2019])
        theirs = ours * concept
        ratio = theirs / s["figure"]
        rows.append({"study": s["study"], "label": s["label"], "year": y, "figure": s["figure"], "ours": ours,
                     "concept_factor": concept, "ours_in_their_concept": theirs, "ratio": ratio,
                     "within_1_25": bool(0.8 <= ratio <= 1.25), "measure": s["measure"], "why": s["why"]})
    return pd.DataFrame(rows)


__all__ = ["ERWERBSTAETIGE_2019", "STUDIES", "study_reproductions"]


VW_DISTRICTS = {"son": ["03101", "03102", "03103"], "swsn": ["14511", "14524"]}
"""Districts with a Volkswagen plant named in the agreement of 20.12.2024."""


def decomposition(region_id: str, scenarios=("baseline", "vw_agreement"), first: int = 2024, last: int = 2030,
                  scenario_dir: str | Path = "scenarios") -> pd.DataFrame:
    """Change of employment from ``first`` to ``last`` by driver, region and VW districts' vehicles [persons].

    The same table as ``notebooks/03_effects_before_issue17.csv`` (the model before issue 17,
    commit 322a40b), so that old and new stand side by side. Years, not the base year, so the
    table does not depend on it.

    Returns
    -------
    pandas.DataFrame
        Tidy ``region, scenario, what, driver, persons``; ``what`` is ``all sectors`` or
        ``vehicles, VW districts``; the driver ``level_2024`` holds the vehicles of the VW
        districts in ``first``.
    """
    from .engine import run

    region = load_region(region_id)
    vwd = VW_DISTRICTS[region_id]
    rows = []
    for name in scenarios:
        ds = run(Scenario.from_file(Path(scenario_dir) / region_id / f"{name}.yaml"), region=region)
        ch = ds["employment_change"].sel(year=last) - ds["employment_change"].sel(year=first)
        for k in ds.driver.values:
            if k == "gva_productivity":
                continue
            rows.append({"region": region_id, "scenario": name, "what": "all sectors", "driver": str(k),
                         "persons": float(ch.sel(driver=k).sum())})
            rows.append({"region": region_id, "scenario": name, "what": "vehicles, VW districts", "driver": str(k),
                         "persons": float(ch.sel(driver=k, sector="vehicles", district=vwd).sum())})
        v = ds["employment"].sel(sector="vehicles", district=vwd).sum("district")
        rows.append({"region": region_id, "scenario": name, "what": "vehicles, VW districts", "driver": "level_2024",
                     "persons": float(v.sel(year=first))})
    return pd.DataFrame(rows)


__all__ += ["VW_DISTRICTS", "decomposition"]
