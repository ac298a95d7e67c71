#!/usr/bin/env python
"""Build the regional base-data packages of retra (data/regions/<id>/).

Usage (from the repository root):

    .venv/bin/python data/build/build_regions.py [REFERENCE_DIR]

REFERENCE_DIR is the folder of the official tables (``refdata.py``); default: the shipped
copies in ``data/build/reference/``.  The script is not run by the model; it documents how every regional
file was derived.  Sources cited in the packages are the ORIGINAL publishers (Statistische
Ämter des Bundes und der Länder, Destatis, Statistik der Bundesagentur für Arbeit, BKG,
KBA, BNetzA, AK VGRdL, Eurostat, press reports), never the reference folder.

Resource descriptors written by other build steps as
``data/build/resources/<region>/<resource>.json`` (one Frictionless resource each) are
merged into the region's ``datapackage.json`` (a descriptor with the same ``name`` as a
resource built here replaces it).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

import refdata

# ---------------------------------------------------------------------------
# Region definitions (data, not code: a new region is a new entry here)
# ---------------------------------------------------------------------------

KEY_YEARS = (2030, 2035, 2045)
"""The years the councils ask about (every summary, table and app shows them): the package's
``retra.key_years``."""

REGIONS = {
    "son": {
        "name_de": "Südostniedersachsen",
        "name_en": "South-East Lower Saxony",
        "network": "ReTraSON",
        "network_long": "Regionales Transformationsnetzwerk Südostniedersachsen (ReTraSON)",
        "districts": {
            # code: (official name, short name, kind)
            "03101": ("Braunschweig, Stadt", "Braunschweig", "kreisfreie Stadt"),
            "03102": ("Salzgitter, Stadt", "Salzgitter", "kreisfreie Stadt"),
            "03103": ("Wolfsburg, Stadt", "Wolfsburg", "kreisfreie Stadt"),
            "03151": ("Gifhorn", "Gifhorn", "Landkreis"),
            "03153": ("Goslar", "Goslar", "Landkreis"),
            "03154": ("Helmstedt", "Helmstedt", "Landkreis"),
            "03157": ("Peine", "Peine", "Landkreis"),
            "03158": ("Wolfenbüttel", "Wolfenbüttel", "Landkreis"),
        },
        "labs": {
            "technologische_transformation": ("Technologische Transformation", "Technological transformation"),
            "zukunft_der_arbeit": ("Zukunft der Arbeit", "Future of work"),
            "neue_geschaeftsmodelle": ("Neue Geschäftsmodelle", "New business models"),
            "infrastrukturelle_transformation": ("Infrastrukturelle Transformation", "Infrastructural transformation"),
        },
        "driver_lab": {
            "trend": "context",
            "electrification": "technologische_transformation",
            "volume": "technologische_transformation",
            "productivity": "technologische_transformation",
            "gva_productivity": "technologische_transformation",
            "projects": "neue_geschaeftsmodelle",
            "infrastructure": "infrastrukturelle_transformation",
            "indirect": "zukunft_der_arbeit",
            "induced": "zukunft_der_arbeit",
        },
        "lab_kind": "Lab",
    },
    "swsn": {
        "name_de": "Südwestsachsen",
        "name_en": "South-West Saxony",
        "network": "ITAS",
        "network_long": "Industrielles Transformationsnetzwerk Automotive Südwestsachsen (ITAS)",
        "districts": {
            "14511": ("Chemnitz, Stadt", "Chemnitz", "kreisfreie Stadt"),
            "14521": ("Erzgebirgskreis", "Erzgebirgskreis", "Landkreis"),
            "14522": ("Mittelsachsen", "Mittelsachsen", "Landkreis"),
            "14523": ("Vogtlandkreis", "Vogtlandkreis", "Landkreis"),
            "14524": ("Zwickau", "Zwickau", "Landkreis"),
        },
        "labs": {
            "industriepolitik": ("Industriepolitik", "Industrial policy"),
            "innovation_und_technologietransformation": (
                "Innovation und Technologietransformation", "Innovation and technology transformation"),
            "arbeit_und_beschaeftigung": ("Arbeit und Beschäftigung", "Work and employment"),
            "qualifizierung_und_weiterbildung": ("Qualifizierung und Weiterbildung", "Qualification and further training"),
            "regionales_mindset_resiliente_gesellschaft": (
                "Regionales Mindset / resiliente Gesellschaft", "Regional mindset / resilient society"),
        },
        "driver_lab": {
            "trend": "context",
            "electrification": "innovation_und_technologietransformation",
            "gva_productivity": "innovation_und_technologietransformation",
            "projects": "industriepolitik",
            "volume": "industriepolitik",
            "productivity": "industriepolitik",
            "infrastructure": "industriepolitik",
            "indirect": "arbeit_und_beschaeftigung",
            "induced": "arbeit_und_beschaeftigung",
        },
        "lab_kind": "Handlungsfeld",
    },
}
REGIONS["de"] = {  # every Kreis: the district list is read from the VG250 geometry (build_national)
    "national": True,
    "name_de": "Deutschland",
    "name_en": "Germany",
    "network": "national",
    "network_long": "all districts (Kreise) of Germany",
    "districts": {},
    "labs": {"national": ("Bundesweit (alle Treiber)", "National (all drivers)")},
    "driver_lab": {drv: "national" for drv in ("electrification", "volume", "productivity", "gva_productivity", "projects",
                                               "infrastructure", "indirect", "induced")} | {"trend": "context"},
    "lab_kind": "Lab",
}
CONTEXT_LAB = ("Strukturtrend (ohne Lab)", "Structural trend (no lab)")
DRIVERS = ["trend", "electrification", "volume", "productivity", "projects", "infrastructure", "indirect", "induced",
           "gva_productivity"]
"""The drivers of a run, in order: the enum of labs.csv (tests/test_registry.py checks it against
retra_model.drivers.registry.run_drivers())."""

# plants.csv: rows outside the region that concern it (VW agreement of 20 Dec 2024 etc.)
PLANT_CONTEXT = {
    "son": ["agr_jobs", "agr_capacity", "vw_germany_total"],
    "swsn": ["agr_jobs", "agr_capacity", "agr_dresden", "vw_dresden_2024", "vw_germany_total",
             "reg_sn_total", "reg_sn_wz29"],
}
# model sector of each plant row (None = not a single model sector)
PLANT_SECTOR = {
    "vw_wob_2024": "vehicles", "vw_wob_output": "vehicles", "vw_wob_2000s": "vehicles",
    "vw_bs_2014": "vehicles", "vw_sz_2024": "vehicles",
    "powerco_sz_sop": "electrical", "powerco_sz_cap1": "electrical", "powerco_sz_cap2": "electrical",
    "powerco_sz_jobs_plan": "electrical", "powerco_staff_2023": "electrical",
    "man_sz_2021": "vehicles", "man_sz_cut_2025": "vehicles",
    "vw_zwickau_2020": "vehicles", "vw_zwickau_cap": "vehicles", "vw_sachsen_total": "vehicles",
    "vw_chemnitz_2024": "vehicles", "vw_dresden_2024": "vehicles", "conti_limbach_cut": "vehicles",
    "gkn_mosel": "vehicles", "bosch_siemens_bs": None, "vw_germany_total": "vehicles",
    "agr_jobs": "vehicles", "agr_capacity": "vehicles", "agr_wolfsburg": "vehicles",
    "agr_dresden": "vehicles", "agr_osnabrueck": "vehicles", "agr_zwickau": "vehicles",
    "reg_son_jobs": None, "reg_swsn_suppliers": None, "reg_sn_total": None, "reg_sn_wz29": "vehicles",
    "reg_lk_zwickau": None,
}
# Verification of recalled plant rows with the search tool (done while building, Nov 2025 session).
PLANT_VERIFIED = {
    "agr_zwickau": {
        "status": "read",
        "url": "https://automobile.at/magazin/745223",
        "note": ("read: 'Ab 2027 wird sich Zwickau auf eine Produktionslinie \"fokussieren\", so VW. Bisher gab es "
                 "dort zwei Linien' (automobile.at, 21 Dec 2024, quoting the Volkswagen press release on the "
                 "agreement); same in go2android.de; ID.3 and Cupra Born to move to Wolfsburg. Later change (read, "
                 "freiepresse.de 2025-12-12): Cupra Born stays in Zwickau, ID.3 built there until end-2027. "
                 "MDR (2024-12) reports a reduction from two shifts to one from 2027."),
    },
}
HOST_NAMES = {
    "www.ndr.de": "NDR", "www.tagesspiegel.de": "Der Tagesspiegel",
    "de.knowledgr.com": "Wikipedia article text (copy on knowledgr.com)", "www.krone.at": "Kronen Zeitung",
    "www.cleanthinking.de": "CleanThinking", "www.automobil-produktion.de": "Automobil Produktion",
    "www.wiwo.de": "WirtschaftsWoche", "www.equadrat-online.de": "equadrat-online.de",
    "regionalheute.de": "regionalHeute.de", "www.sat1regional.de": "SAT.1 Regional",
    "www.krzbb.de": "Kreiszeitung Böblinger Bote", "www.n-tv.de": "n-tv",
    "standort-sachsen.de": "Wirtschaftsförderung Sachsen (standort-sachsen.de)",
    "www.businessinsider.de": "Business Insider Deutschland", "www.neues-deutschland.de": "nd (neues deutschland)",
    "www.freiepresse.de": "Freie Presse", "www.trend.at": "trend.at", "investmentweek.com": "Investment Week",
    "www.stadtwerke-wolfsburg.de": "Stadtwerke Wolfsburg (ReTraSON press release)",
    "www.mz.de": "Mitteldeutsche Zeitung (dpa)", "aussiedlerbote.de": "Aussiedlerbote (dpa, BA Regionaldirektion Sachsen)",
    "automobile.at": "automobile.at (quoting the Volkswagen AG press release of 20 Dec 2024)",
}

SECTORS = [  # model sector, VGRdL group for GVA, published SvB groups (13111-07-05-4) of that VGRdL group
    ("vehicles", "C"), ("metals", "C"), ("machinery", "C"), ("electrical", "C"), ("chemicals", "C"),
    ("other_manufacturing", "C"), ("energy_mining", "B-E_ohne_C"), ("agriculture", "A"), ("construction", "F"),
    ("trade_transport", "G-J"), ("ict", "G-J"), ("business_services", "K-N"), ("public_services", "O-T"),
    ("other_services", "O-T"),
]
VGRDL_SVB = {  # VGRdL group -> SvB leaf groups
    "A": ["A"], "C": ["C"], "B-E_ohne_C": ["BDE"], "F": ["F"], "G-J": ["G-I", "J"],
    "K-N": ["K", "L", "M-N"], "O-T": ["O-Q", "R-U"],
}
WZ_GROUPS = ["TOTAL", "A", "B-F", "B-E", "C", "F", "G-U", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U"]
GU_PARTS = ["G-I", "J", "K", "L", "M-N", "O-Q", "R-U"]
GVA_GROUPS = ["TOTAL", "A", "B-E", "C", "F", "G-J", "K-N", "O-T"]

# ---------------------------------------------------------------------------
# Licences and sources (original publishers)
# ---------------------------------------------------------------------------
DL_DE = {"name": "dl-de/by-2-0", "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
         "path": "https://www.govdata.de/dl-de/by-2-0"}


def lic(attribution, base=DL_DE, note=None):
    d = dict(base)
    d["attribution"] = attribution
    if note:
        d["note"] = note
    return d


ATTR_STAEMTER = "© Statistische Ämter des Bundes und der Länder, Deutschland, 2021"
ATTR_STAEMTER_2020 = "© Statistische Ämter des Bundes und der Länder, Deutschland, 2020"
ATTR_DESTATIS = "© Statistisches Bundesamt (Destatis), 2021"
ATTR_BA = "Quelle: Statistik der Bundesagentur für Arbeit"
ATTR_BKG = "© GeoBasis-DE / BKG (2019) (Daten verändert)"
LIC_BA = {"name": "BA-Statistik", "title": "Statistik der Bundesagentur für Arbeit – reuse with source note",
          "path": "https://statistik.arbeitsagentur.de", "attribution": ATTR_BA,
          "note": "BA statistics may be reused with the source note 'Quelle: Statistik der Bundesagentur für Arbeit' "
                  "(terms not re-checked while building; the BA occupation tables are a special evaluation)."}
LIC_EUROSTAT = {"name": "Eurostat", "title": "Eurostat copyright notice (reuse with acknowledgement; CC BY 4.0)",
                "path": "https://ec.europa.eu/eurostat/about-us/policies/copyright",
                "attribution": "Source: Eurostat (nama_10r_3empers)",
                "note": "licence terms recalled, not re-checked while building"}
LIC_BNETZA = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 (BNetzA Ladesäulenregister)",
              "path": "https://creativecommons.org/licenses/by/4.0/",
              "attribution": "Quelle: Bundesnetzagentur, Ladesäulenregister (Datenbankauszug 19.07.2019)",
              "note": "the current register is published under CC BY 4.0; the licence of the 2019 extract was not re-checked"}
LIC_PRESS = {"name": "facts-cited", "title": "Facts quoted from press reports and company statements; no licence claimed",
             "path": "", "attribution": "see the url column of each row"}

SRC = {
    "svb": {"title": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Geschlecht, Nationalität und "
                     "Wirtschaftszweigen (WZ 2008) – Stichtag 30.06. – Kreise und krfr. Städte",
            "publisher": "Statistische Ämter des Bundes und der Länder (Regionaldatenbank Deutschland), based on the "
                         "Beschäftigungsstatistik der Bundesagentur für Arbeit",
            "table": "13111-07-05-4", "year": 2021,
            "path": "https://www.regionalstatistik.de/genesis/online?operation=table&code=13111-07-05-4"},
    "pop": {"title": "Bevölkerung: Kreise, Stichtag, Geschlecht, Altersgruppen", "publisher": "Statistisches Bundesamt (Destatis)",
            "table": "12411-0018", "year": 2021,
            "path": "https://www-genesis.destatis.de/genesis/online?operation=table&code=12411-0018"},
    "gva": {"title": "Bruttoinlandsprodukt/Bruttowertschöpfung nach Wirtschaftsbereichen – Jahressumme – Kreise und krfr. "
                     "Städte (VGR der Länder, Entstehungsrechnung; Berechnungsstand August 2018)",
            "publisher": "Arbeitskreis Volkswirtschaftliche Gesamtrechnungen der Länder (AK VGRdL) for the Statistische "
                         "Ämter des Bundes und der Länder",
            "table": "82111-01-05-4", "year": 2018,
            "path": "https://www.regionalstatistik.de/genesis/online?operation=table&code=82111-01-05-4"},
    "empers": {"title": "Employment (thousand persons) by NUTS 3 regions (wstatus EMP)", "publisher": "Eurostat "
               "(data supplied by AK VGRdL / AK Erwerbstätigenrechnung des Bundes und der Länder)",
               "table": "nama_10r_3empers", "year": 2020,
               "path": "https://ec.europa.eu/eurostat/databrowser/view/nama_10r_3empers/default/table"},
    "ue": {"title": "Arbeitslose nach ausgewählten Personengruppen sowie Arbeitslosenquoten – Jahresdurchschnitt – "
                    "Kreise und krfr. Städte",
           "publisher": "Statistische Ämter des Bundes und der Länder, based on the Arbeitsmarktstatistik der Bundesagentur für Arbeit",
           "table": "13211-02-05-4", "year": 2021,
           "path": "https://www.regionalstatistik.de/genesis/online?operation=table&code=13211-02-05-4"},
    "ba_kldb": {"title": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Berufen (KldB 2010, Berufsgruppen) "
                         "– Kreise (Sonderauswertung, Auftrag 317-408036)",
                "publisher": "Statistik der Bundesagentur für Arbeit", "table": "Beschäftigungsstatistik, Sonderauswertung",
                "year": 2026, "path": "https://statistik.arbeitsagentur.de"},
    "ba_alo": {"title": "Arbeitslose und gemeldete Arbeitsstellen nach Berufen (KldB 2010, Berufsgruppen), Jahresdurchschnitte "
                        "– Kreise (Sonderauswertung ALO-OST-B-ZR, Auftrag 317-408036)",
               "publisher": "Statistik der Bundesagentur für Arbeit", "table": "Arbeitsmarktstatistik, Sonderauswertung",
               "year": 2026, "path": "https://statistik.arbeitsagentur.de"},
    "pendler": {"title": "Pendleratlas – Ein- und Auspendler über Kreisgrenzen, sozialversicherungspflichtig Beschäftigte, "
                         "Stichtag 30.06.2016", "publisher": "Statistik der Bundesagentur für Arbeit",
                "table": "Pendleratlas / PendlerData (year_month=201606)", "year": 2017,
                "path": "https://statistik.arbeitsagentur.de/PendlerData?type=ein&year_month=201606"},
    "vg250": {"title": "Verwaltungsgebiete 1:250 000 (VG250), Ebenen, Stand 31.12.2018, Ebene Kreise (vg250_krs)",
              "publisher": "Bundesamt für Kartographie und Geodäsie (BKG)", "table": "VG250 31.12.2018", "year": 2019,
              "path": "https://gdz.bkg.bund.de/index.php/default/open-data/verwaltungsgebiete-1-250-000-ebenen-stand-31-12-vg250-ebenen-31-12.html"},
    "kba": {"title": "Bestand an Personenkraftwagen nach Kraftstoffarten, Stichtag 1.1.2025 – Kreise",
            "publisher": "Kraftfahrt-Bundesamt (KBA), published by the Statistische Ämter des Bundes und der Länder",
            "table": "46251-02 (KBA FZ 1 / FZ 27)", "year": 2025,
            "path": "https://www.regionalstatistik.de/genesis/online?operation=table&code=46251-02"},
    "bnetza": {"title": "Ladesäulenregister, Datenbankauszug 19.07.2019", "publisher": "Bundesnetzagentur (BNetzA)",
               "table": "Ladesaeulenkarte_Datenbankauszug_25 (2019-07-19)", "year": 2019,
               "path": "https://www.bundesnetzagentur.de/DE/Fachthemen/ElektrizitaetundGas/E-Mobilitaet/start.html"},
}

UNIT_INDICATOR = {"count": "persons", "percent": "percent"}

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def read(ref, name, **kw):
    return refdata.read_csv(ref, name, dtype={"ags": str, "kldb3": str, "district_code": str,
                                              "region_code": str, "ags_wohnort": str, "ags_arbeitsort": str},
                            keep_default_na=True, **kw)


def write_csv(df, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return len(df)


def field(name, type_, description, unit=None, **kw):
    f = {"name": name, "type": type_, "description": description}
    if unit is not None:
        f["unit"] = unit
    f.update(kw)
    return f


F_DISTRICT = field("district", "string", "district (Kreis) code, 5-digit AGS", constraints={"pattern": "^[0-9]{5}$"})
F_YEAR = field("year", "integer", "reference year")
F_FLAG = field("flag", "string", "original symbol where the value is not published: '.' = Zahlenwert unbekannt oder "
               "geheim zu halten, '-' = nichts vorhanden; empty if the value is published")


def ring_area_m2(coords):
    """Area of a lon/lat ring on the sphere (R = 6,371,008.8 m); formula as in d3-geo/turf."""
    R = 6371008.8
    s = 0.0
    n = len(coords)
    for i in range(n):
        lon1, lat1 = coords[i][:2]
        lon2, lat2 = coords[(i + 1) % n][:2]
        s += math.radians(lon2 - lon1) * (2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2)))
    return abs(s * R * R / 2.0)


def geom_area_km2(geom):
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    a = 0.0
    for poly in polys:
        a += ring_area_m2(poly[0]) - sum(ring_area_m2(h) for h in poly[1:])
    return a / 1e6


# ---------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------


class Builder:
    def __init__(self, ref: Path, out: Path, resources_dir: Path):
        self.ref = ref
        self.out = out
        self.resources_dir = resources_dir
        self.report = {}
        print(f"reading reference tables from {ref}")
        self.svb = read(ref, "svb_wz_all_kreise.csv")
        self.svb_sex = read(ref, "svb_wz_sex_nationality_all_kreise.csv")
        self.pop = read(ref, "population_age_all_kreise.csv")
        self.gva = read(ref, "gva_kreise_by_sector.csv")
        self.emp = read(ref, "employed_kreise_by_sector.csv")
        self.flows = read(ref, "commuting_flows_kreis_2016.csv")
        self.ctot = read(ref, "commuting_totals_kreis_2016.csv")
        self.kldb = read(ref, "svb_kldb_workplace_all_kreise_2013_2020.csv")
        self.alo = read(ref, "unemployed_kldb_all_kreise_2013_2020.csv")
        self.vac = read(ref, "vacancies_kldb_all_kreise_2013_2020.csv")
        self.ue = read(ref, "unemployment_all_kreise.csv")
        self.charge = read(ref, "charging_points_kreis_2019.csv")
        self.bev = read(ref, "kba_bev_stock.csv")
        self.plants = read(ref, "plants.csv")
        self.ondemand_df = read(ref, "ondemand_services_son.csv")
        self.geo = refdata.read_json(ref, "kreise_son_swsn.geojson")

    # -- 1 districts ---------------------------------------------------------
    def districts(self, rid, reg, d):
        codes = list(reg["districts"])
        feats = {f["properties"]["ags"]: f for f in (self.geo_all if reg.get("national") else self.geo)["features"]}
        rows = []
        for c in codes:
            name, short, kind = reg["districts"][c]
            p = feats[c]["properties"]
            bez = {"Kreisfreie Stadt": "kreisfreie Stadt", "Landkreis": "Landkreis", "Stadtkreis": "kreisfreie Stadt",
                   "Kreis": "Landkreis"}[p["bez"]]
            assert bez == kind, (c, bez, kind)
            rows.append({"district": c, "name": name, "name_short": short, "kind": kind, "nuts3": p["nuts3"],
                         "area_km2": round(geom_area_km2(feats[c]["geometry"]), 1)})
        df = pd.DataFrame(rows)
        n = write_csv(df, d / "districts.csv")
        fc = {"type": "FeatureCollection", "name": f"retra_{rid}_districts",
              "source": ("© GeoBasis-DE / BKG (2019) (Daten verändert) – VG250 Verwaltungsgebiete 1:250 000, Stand "
                         "31.12.2018, Ebene Kreise; dl-de/by-2-0; vereinfacht (ogr2ogr -simplify 200 in EPSG:25832, "
                         "OpenDataLab simple-geodata-selector), EPSG:4326, Koordinaten auf 5 Nachkommastellen gerundet"),
              "license": "dl-de/by-2-0",
              "features": [{"type": "Feature", "properties": {"district": c, "name_short": reg["districts"][c][1]},
                            "geometry": feats[c]["geometry"]} for c in codes]}
        with open(d / "districts.geojson", "w", encoding="utf-8") as fh:
            json.dump(fc, fh, ensure_ascii=False, separators=(",", ":"))
        res = [
            {"name": "districts", "path": "districts.csv", "title": "Districts of the region",
             "description": "The region's districts (Kreise): official name (Gemeindeverzeichnis/BA spelling), short "
                            "name, kind, NUTS 3 code (NUTS 2016) and land area. area_km2 is DERIVED from the simplified "
                            "VG250 polygons (spherical area; simplification tolerance 200 m), so it is approximate and "
                            "is not the official cadastral area (Katasterfläche, not in the stored material).",
             "schema": {"fields": [F_DISTRICT, field("name", "string", "official district name"),
                                   field("name_short", "string", "short name"),
                                   field("kind", "string", "'kreisfreie Stadt' or 'Landkreis'",
                                         constraints={"enum": ["kreisfreie Stadt", "Landkreis"]}),
                                   field("nuts3", "string", "NUTS 2016 level-3 code"),
                                   field("area_km2", "number", "land area, derived from the simplified VG250 geometry "
                                         "(approximate)", unit="km2")],
                        "primaryKey": ["district"]},
             "sources": [SRC["vg250"]], "licenses": [lic(ATTR_BKG)], "status": "read (names, kind, NUTS 3); derived (area)"},
            {"name": "districts_geometry", "path": "districts.geojson", "format": "geojson",
             "mediatype": "application/geo+json", "title": "District polygons (BKG VG250, simplified)",
             "description": "FeatureCollection of the region's districts, properties district and name_short, WGS84. "
                            "BKG VG250 (Stand 31.12.2018) simplified with a 200 m tolerance. The issue asked for a "
                            "VG5000 subset; no stored VG5000 copy was available, so the simplified VG250 is used "
                            "(comparable generalisation). Quellenvermerk: © GeoBasis-DE / BKG (2019) (Daten verändert).",
             "sources": [SRC["vg250"]], "licenses": [lic(ATTR_BKG)], "status": "derived"},
        ]
        return res, {"districts.csv": n, "districts.geojson": len(codes)}, df

    # -- 2 employment --------------------------------------------------------
    def employment(self, rid, reg, d):
        codes = list(reg["districts"])
        s = self.svb[self.svb.ags.isin(codes) & self.svb.year.between(2015, 2020)].copy()
        s["wz_group"] = pd.Categorical(s.wz_code, WZ_GROUPS, ordered=True)
        s = s.sort_values(["year", "ags", "wz_group"])
        out = pd.DataFrame({"year": s.year, "district": s.ags, "wz_group": s.wz_code,
                            "value": s.value.astype("Int64"), "flag": s.flag})
        assert out.loc[out.flag.notna(), "value"].isna().all()
        assert len(out) == len(codes) * 6 * len(WZ_GROUPS), len(out)
        n1 = write_csv(out, d / "employment_wz.csv")
        x = self.svb_sex[self.svb_sex.ags.isin(codes) & (self.svb_sex.nationality == "total")
                         & self.svb_sex.sex.isin(["male", "female"]) & self.svb_sex.year.between(2015, 2020)].copy()
        x["g"] = pd.Categorical(x.wz_code, WZ_GROUPS, ordered=True)
        x = x.sort_values(["year", "ags", "g", "sex"], ascending=[True, True, True, False])
        out2 = pd.DataFrame({"year": x.year, "district": x.ags, "wz_group": x.wz_code, "sex": x.sex,
                             "value": x.value.astype("Int64"), "flag": x.flag})
        n2 = write_csv(out2, d / "employment_wz_sex.csv")
        fields = [F_YEAR, F_DISTRICT,
                  field("wz_group", "string", "published WZ 2008 group (national/wz_groups.csv): TOTAL, A, B-F, B-E, C, "
                        "F, G-U, G-I, J, K, L, M-N, O-Q, R-U", constraints={"enum": WZ_GROUPS}),
                  field("value", "integer", "employees subject to social insurance (SvB) at the workplace, 30 June",
                        unit="persons"), F_FLAG]
        res = [
            {"name": "employment_wz", "path": "employment_wz.csv",
             "title": "SvB at the workplace by WZ 2008 group, 30 June 2015–2020",
             "description": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort, Stichtag 30.06., nationality and "
                            "sex total, all 14 published groups, exactly as published (revision state August 2021). "
                            "Suppressed cells keep value empty and flag '.'. TOTAL may exceed A + B-F + G-U by a few "
                            "persons (persons without WZ assignment). M-N, O-Q, R-U are the groups labelled "
                            "'Freiberufl., wissenschaftl., techn. Dienstl., sonst. DL', 'Öff. Verw., Verteidig., "
                            "Sozialvers., Erz.- u. Unterricht' (incl. health and social work) and 'Kunst, Unterhaltung, "
                            "Erholung, Priv. Haush. usw.'; their codes are assigned by the sum check G-U = parts.",
             "schema": {"fields": fields, "primaryKey": ["year", "district", "wz_group"]},
             "sources": [SRC["svb"]], "licenses": [lic(ATTR_STAEMTER)], "status": "read"},
            {"name": "employment_wz_sex", "path": "employment_wz_sex.csv",
             "title": "SvB at the workplace by WZ 2008 group and sex, 30 June 2015–2020",
             "description": "Same table, male and female rows (nationality total). Some cells suppressed in the total "
                            "are published for one sex and give lower bounds (e.g. Wolfenbüttel 2020, C: total '.', "
                            "male 2,101).",
             "schema": {"fields": fields[:3] + [field("sex", "string", "male | female",
                                                      constraints={"enum": ["male", "female"]})] + fields[3:],
                        "primaryKey": ["year", "district", "wz_group", "sex"]},
             "sources": [SRC["svb"]], "licenses": [lic(ATTR_STAEMTER)], "status": "read"},
        ]
        return res, {"employment_wz.csv": n1, "employment_wz_sex.csv": n2}, out, out2

    # -- 3 population --------------------------------------------------------
    def population(self, rid, reg, d, years=(2015, 2020)):
        codes = list(reg["districts"])
        p = self.pop[self.pop.ags.isin(codes) & self.pop.year.between(*years)].copy()
        assert p.flag.isna().all()

        def bounds(label):
            if label == "unter 3 Jahre":
                return 0, 3
            if label.endswith("und mehr"):
                return int(label.split()[0]), None
            a, _, _, b, _ = label.split()
            return int(a), int(b)

        b = p.age_group.map(bounds)
        p["age_from"] = b.map(lambda t: t[0])
        p["age_to"] = b.map(lambda t: t[1]).astype("Int64")
        p = p.sort_values(["year", "ags", "sex", "age_from"], ascending=[True, True, False, True])
        out = pd.DataFrame({"year": p.year, "district": p.ags, "sex": p.sex, "age_group": p.age_group,
                            "age_from": p.age_from, "age_to": p.age_to, "value": p.value.astype("Int64")})
        n = write_csv(out, d / "population.csv")
        res = [{"name": "population", "path": "population.csv",
                "title": "Population by sex and age group, 31 December 2015–2020",
                "description": "Bevölkerungsstand (Fortschreibung auf Basis Zensus 2011) at 31.12., male and female, 17 "
                               "age groups as published (no total rows: sum them). age_from is the first age of the "
                               "group, age_to the exclusive upper bound ('bis unter'); age_to is empty for the open "
                               "group '75 Jahre und mehr'.",
                "schema": {"fields": [F_YEAR, F_DISTRICT,
                                      field("sex", "string", "male | female", constraints={"enum": ["male", "female"]}),
                                      field("age_group", "string", "original age-group label"),
                                      field("age_from", "integer", "first age of the group", unit="years"),
                                      field("age_to", "integer", "exclusive upper age bound ('bis unter'); empty for "
                                            "the open top group", unit="years"),
                                      field("value", "integer", "population at 31 December", unit="persons")],
                           "primaryKey": ["year", "district", "sex", "age_group"]},
                "sources": [SRC["pop"]], "licenses": [lic(ATTR_DESTATIS)], "status": "read"}]
        return res, {"population.csv": n}, out

    # -- 4 GVA ---------------------------------------------------------------
    def gva_wz(self, rid, reg, d):
        codes = list(reg["districts"])
        g = self.gva[self.gva.ags.isin(codes) & (self.gva.variable == "GVA")].copy()
        assert g.flag.isna().all()
        e = self.emp[self.emp.ags.isin(codes)].copy()
        e["grp"] = e.sector_code.replace({"O-U": "O-T"})
        e = e.rename(columns={"value": "employed_persons", "status": "employed_status"})
        m = g.merge(e[["year", "ags", "grp", "employed_persons", "employed_status"]],
                    left_on=["year", "ags", "sector_code"], right_on=["year", "ags", "grp"], how="left")
        m["g"] = pd.Categorical(m.sector_code, GVA_GROUPS, ordered=True)
        m = m.sort_values(["year", "ags", "g"])
        out = pd.DataFrame({"year": m.year, "district": m.ags, "wz_group": m.sector_code,
                            "gva_eur_million": (m.value / 1000).round(3), "employed_persons": m.employed_persons.astype("Int64"),
                            "status": "read", "employed_status": m.employed_status})
        n = write_csv(out, d / "gva_wz.csv")
        res = [{"name": "gva_wz", "path": "gva_wz.csv",
                "title": "Gross value added and employed persons by VGRdL sector group, 2000–2017",
                "description": "Bruttowertschöpfung (basic prices, current prices) per district by the VGRdL groups of "
                               "table 82111-01-05-4 (Berechnungsstand August 2018, before the 2019 general revision; "
                               "the last year is 2017), converted from EUR thousand to EUR million. VGRdL group codes as "
                               "published: TOTAL; A Land- und Forstwirtschaft, Fischerei; B-E Produzierendes Gewerbe ohne "
                               "Baugewerbe; C Verarbeitendes Gewerbe (part of B-E); F Baugewerbe; G-J Handel, Verkehr, "
                               "Gastgewerbe, Information und Kommunikation; K-N Finanz-, Versicherungs- und "
                               "Unternehmensdienstleister, Grundstücks- und Wohnungswesen; O-T Öffentliche und sonstige "
                               "Dienstleister, Erziehung, Gesundheit. A + B-E + F + G-J + K-N + O-T = TOTAL (rounding). "
                               "employed_persons (Erwerbstätige, workplace, annual average): TOTAL 2000–2017 derived as "
                               "GDP / GDP per employed person (both read from 82111-01-05-4, rounding < 0.01 %); by group "
                               "only 2015–2017, read from Eurostat nama_10r_3empers (Eurostat flags not carried; its group "
                               "O-U is shown on the O-T row; the Eurostat groups add to the Eurostat total, which differs "
                               "from the VGRdL TOTAL by −0.84 % … +0.39 %). Empty = not available. GVA of 2015 in "
                               "Wolfsburg and Salzgitter is depressed by Volkswagen's diesel-related costs.",
                "schema": {"fields": [F_YEAR, F_DISTRICT,
                                      field("wz_group", "string", "VGRdL sector group code (see description)",
                                            constraints={"enum": GVA_GROUPS}),
                                      field("gva_eur_million", "number", "gross value added at basic prices, current "
                                            "prices", unit="EUR million"),
                                      field("employed_persons", "integer", "employed persons (Erwerbstätige), workplace, "
                                            "annual average", unit="persons"),
                                      field("status", "string", "status of gva_eur_million (read)"),
                                      field("employed_status", "string", "status of employed_persons: derived (TOTAL, "
                                            "VGRdL) | read (groups, Eurostat) | empty")],
                           "primaryKey": ["year", "district", "wz_group"]},
                "sources": [SRC["gva"], SRC["empers"]],
                "licenses": [lic(ATTR_STAEMTER_2020), LIC_EUROSTAT], "status": "read (GVA); read/derived (employed)"}]
        return res, {"gva_wz.csv": n}, out

    def svb_leaves(self, codes):
        """SvB leaves A, C, BDE (=B-E minus C), F and the G-U parts per district, 2015–2017, with estimates for
        suppressed cells (bound-based, split by the district's own Eurostat employed-persons structure)."""
        s = self.svb[self.svb.ags.isin(codes) & self.svb.year.between(2015, 2017)]
        tot = s.pivot_table(index=["ags", "year"], columns="wz_code", values="value", aggfunc="first")
        sx = self.svb_sex[self.svb_sex.ags.isin(codes) & (self.svb_sex.nationality == "total")
                          & self.svb_sex.sex.isin(["male", "female"]) & self.svb_sex.year.between(2015, 2017)]
        # a published one-sex cell is a lower bound of the suppressed total
        lowb = sx.dropna(subset=["value"]).groupby(["ags", "year", "wz_code"]).value.max()
        e = self.emp[self.emp.ags.isin(codes) & (self.emp.status == "read")]
        ew = e.pivot_table(index=["ags", "year"], columns="sector_code", values="value", aggfunc="first")
        # SvB / employed persons per leaf, from the years 2015–2017 in which the SvB leaf is published: corrects the
        # Eurostat weights for self-employment (large in agriculture); 1 where the leaf is never published
        ratio = {}
        for a in codes:
            for k, (num, sub, den, dsub) in {"A": ("A", None, "A", None), "C": ("C", None, "C", None),
                                             "BDE": ("B-E", "C", "B-E", "C"), "F": ("F", None, "F", None)}.items():
                rs = []
                for y in (2015, 2016, 2017):
                    t = tot.loc[(a, y)]
                    v = t[num] - (t[sub] if sub else 0)
                    w = ew.loc[(a, y)][den] - (ew.loc[(a, y)][dsub] if dsub else 0)
                    if pd.notna(v) and w > 0:
                        rs.append(v / w)
                ratio[(a, k)] = sum(rs) / len(rs) if rs else 1.0
        res = {}
        for (a, y), r in tot.iterrows():
            v = {k: (None if pd.isna(r.get(k)) else float(r.get(k))) for k in WZ_GROUPS}
            leaf = {"A": v["A"], "C": v["C"], "F": v["F"],
                    "BDE": (v["B-E"] - v["C"]) if v["B-E"] is not None and v["C"] is not None else None}
            for k in GU_PARTS:
                assert v[k] is not None, (a, y, k)
                leaf[k] = v[k]
            w = ew.loc[(a, y)]
            wt = {"A": w["A"], "C": w["C"], "BDE": w["B-E"] - w["C"], "F": w["F"]}
            wt = {k: wt[k] * ratio[(a, k)] for k in wt}
            lb = {"A": lowb.get((a, y, "A"), 0.0), "C": lowb.get((a, y, "C"), 0.0), "F": lowb.get((a, y, "F"), 0.0),
                  "BDE": 0.0}
            est, info = {}, {}
            abf = (v["TOTAL"] - v["G-U"]) if v["G-U"] is not None else None  # = A + B-F (+ unassigned)
            for agg, val, members in [("B-E", v["B-E"], ["C", "BDE"]), ("B-F", v["B-F"], ["C", "BDE", "F"]),
                                      ("TOTAL − G-U", abf, ["A", "C", "BDE", "F"])]:
                unknown = [k for k in members if leaf[k] is None]
                if val is None or not unknown:
                    continue
                R = val - sum(leaf[k] for k in members if leaf[k] is not None)
                wsum = sum(wt[k] for k in unknown)
                alloc = {k: R * wt[k] / wsum for k in unknown}
                # respect published one-sex lower bounds
                fixed = {k: lb[k] for k in unknown if alloc[k] < lb[k]}
                if fixed:
                    rest = [k for k in unknown if k not in fixed]
                    R2 = R - sum(fixed.values())
                    w2 = sum(wt[k] for k in rest)
                    alloc = dict(fixed, **{k: R2 * wt[k] / w2 for k in rest})
                for k in unknown:
                    leaf[k] = alloc[k]
                    hard_hi = R - sum(lb[j] for j in unknown if j != k)
                    est[k] = True
                    info[k] = {"agg": agg, "R": R, "lb": lb[k], "hi": hard_hi}
            res[(a, y)] = (leaf, est, info)
        return res

    def svb_leaves_from_sectors(self, codes, d):
        """SvB leaves 2015–2017 of the national region from its employment_sector.csv (written first by
        estimate_sectors.py): suppressed cells are the constrained least-squares estimates with their evidence
        bounds, the same numbers the model reads. (The Eurostat employed-persons weights used for son/swsn exist
        only for their districts.)"""
        es = pd.read_csv(d / "employment_sector.csv", dtype={"district": str})
        es = es[es.district.isin(codes) & es.year.between(2015, 2017)].set_index(["district", "year", "sector"])
        pub = self.svb[self.svb.ags.isin(codes) & self.svb.year.between(2015, 2017)].pivot_table(
            index=["ags", "year"], columns="wz_code", values="value", aggfunc="first")
        manuf = ["vehicles", "metals", "machinery", "electrical", "chemicals", "other_manufacturing"]
        spec = {"A": (["agriculture"], ["A"]), "C": (manuf, ["C"]), "BDE": (["energy_mining"], ["B-E", "C"]),
                "F": (["construction"], ["F"]), "G-I": (["trade_transport"], ["G-I"]), "J": (["ict"], ["J"]),
                "K": (["business_services"], ["K", "L", "M-N"]), "O-Q": (["public_services"], ["O-Q"]),
                "R-U": (["other_services"], ["R-U"])}
        res = {}
        for a in codes:
            for y in (2015, 2016, 2017):
                leaf, est, info = {"L": 0.0, "M-N": 0.0}, {}, {}
                for k, (sectors, groups) in spec.items():
                    rows = es.loc[[(a, y, s_) for s_ in sectors]]
                    leaf[k] = float(rows.value.sum())
                    if any(pd.isna(pub.loc[(a, y)].get(g)) for g in groups):
                        est[k] = True
                        info[k] = {"agg": "the constrained least-squares estimate of employment_sector.csv",
                                   "R": leaf[k], "lb": float(rows.low.sum()), "hi": float(rows.high.sum())}
                res[(a, y)] = (leaf, est, info)
        return res

    def gva_per_employee(self, rid, reg, d):
        codes = list(reg["districts"])
        leaves = self.svb_leaves_from_sectors(codes, d) if reg.get("national") else self.svb_leaves(codes)
        g = self.gva[self.gva.ags.isin(codes) & (self.gva.variable == "GVA")]
        gv = g.pivot_table(index=["ags", "year"], columns="sector_code", values="value", aggfunc="first")
        rows = []
        for c in codes:
            for sector, grp in SECTORS:
                ratios, svb_lo_hi = {}, {}
                estimated = estimated17 = False
                est_notes = []
                for y in (2015, 2016, 2017):
                    gr = gv.loc[(c, y)]
                    gva = (gr["B-E"] - gr["C"]) if grp == "B-E_ohne_C" else gr[grp]  # EUR thousand
                    leaf, est, info = leaves[(c, y)]
                    svb = sum(leaf[k] for k in VGRDL_SVB[grp])
                    lo = hi = svb
                    for k in VGRDL_SVB[grp]:
                        if est.get(k):
                            estimated = True
                            i = info[k]
                            x = leaf[k]
                            if i["hi"] - x < 0.5 * x:  # a tight hard upper bound: symmetric range around the estimate
                                klo, khi = max(i["lb"], 2 * x - i["hi"]), i["hi"]
                                rule = "symmetric to the hard upper bound"
                            else:
                                klo, khi = max(i["lb"], 0.5 * x), min(i["hi"], 1.5 * x)
                                rule = "±50 % (assumption), within the hard bounds"
                            lo += klo - x
                            hi += khi - x
                            if y == 2017:
                                estimated17 = True
                            if True:
                                est_notes.append(
                                    f"{'B-E minus C' if k == 'BDE' else k} {y} suppressed: {i['agg']} − published parts = "
                                    f"{i['R']:,.0f} split by the district's Eurostat employed-persons structure (corrected by the SvB/employed "
                                    f"ratio of years with published cells) → "
                                    f"{x:,.0f} (range {klo:,.0f}–{khi:,.0f}, {rule}; hard bounds "
                                    f"{i['lb']:,.0f}–{i['hi']:,.0f})")
                    ratios[y] = (gva / svb, gva, svb)
                    svb_lo_hi[y] = (lo, hi)
                val, gva17, svb17 = ratios[2017]
                if estimated:
                    low = min(ratios[y][1] / svb_lo_hi[y][1] for y in ratios)
                    high = max(ratios[y][1] / svb_lo_hi[y][0] for y in ratios)
                else:
                    low = min(r[0] for r in ratios.values())
                    high = max(r[0] for r in ratios.values())
                groups = "+".join("B-E−C" if k == "BDE" else k for k in VGRDL_SVB[grp])
                vg = "B-E minus C" if grp == "B-E_ohne_C" else grp
                m = (f"GVA of VGRdL group {vg} in 2017 (82111-01-05-4) / SvB at the workplace 30.06.2017 of the "
                     f"published group(s) {groups} (13111-07-05-4); low/high = range of the ratio 2015–2017")
                if grp == "C":
                    m += "; one ratio for all six manufacturing sectors (C is not split in the GVA table)"
                if grp == "G-J":
                    m += "; one ratio for trade_transport and ict (VGRdL group G-J)"
                if grp == "O-T":
                    m += "; one ratio for public_services and other_services (VGRdL group O-T; civil servants are not SvB)"
                if grp == "K-N":
                    m += "; includes real estate (L) whose GVA contains imputed rents, hence a high ratio"
                if c in ("03102", "03103") and grp in ("C", "B-E_ohne_C"):
                    m += "; the 2015 GVA is depressed by Volkswagen's diesel-related costs, which sets the low end"
                if estimated17:
                    m += ("; BOUND-BASED ESTIMATE because SvB cells are suppressed: " + "; ".join(est_notes)
                          + "; low/high combine the SvB range with the 2015–2017 spread")
                elif estimated:
                    m += ("; the 2017 SvB cells are published; for the low/high range only: " + "; ".join(est_notes))
                m += ". GVA level in the base year = SvB × this ratio (the ratio absorbs self-employed and civil servants)."
                if low < 0:  # only in the national region (Bottrop's mining group): a year of negative GVA
                    m += f" The low end is set to 0 (the ratio was {low:.2f} in a year of negative GVA of the group)."
                    low = 0.0
                rows.append({"district": c, "sector": sector, "value": round(val, 2), "low": round(low, 2),
                             "high": round(high, 2), "basis_year": 2017,
                             "status": "estimate" if estimated17 else "derived", "method": m,
                             "vgrdl_group": vg, "svb_groups": groups, "gva_eur_million": round(gva17 / 1000, 3),
                             "svb": int(round(svb17)), "svb_estimated": estimated17})
        out = pd.DataFrame(rows)
        n = write_csv(out, d / "gva_per_employee.csv")
        res = [{"name": "gva_per_employee", "path": "gva_per_employee.csv",
                "title": "GVA per SvB employee by model sector (basis 2017)",
                "description": "Gross value added per employee subject to social insurance, EUR thousand, for each of "
                               "the 14 model sectors: GVA of the VGRdL group in 2017 / SvB (workplace, 30 June 2017) of "
                               "the matching published groups (A→A; C→C; B-E minus C→B-E minus C; F→F; G-J→G-I+J; "
                               "K-N→K+L+M-N; O-T→O-Q+R-U). Where a VGRdL group spans several model sectors the same "
                               "ratio is used for all of them (the six manufacturing sectors; trade_transport and ict; "
                               "public_services and other_services). low/high = the 2015–2017 range of the ratio. "
                               "Where SvB cells are suppressed (Wolfsburg A, B-E, C; Helmstedt A, F; Wolfenbüttel B-E, "
                               "C, F) the cell is estimated from the published aggregates (B-E, B-F, or TOTAL − G-U) "
                               "minus the published parts, split by the district's own Eurostat employed-persons "
                               "structure (weights corrected by the SvB/employed ratio of years where the cell is "
                               "published) and held above published one-sex cells; such rows have status 'estimate' and "
                               "the method names the bounds. IMPORTANT: the level of GVA in the base year is SvB × this "
                               "ratio, i.e. GVA per SvB employee absorbs the self-employed, civil servants and marginal "
                               "employment (and, in K-N, imputed rents of owner-occupied housing). It is not labour "
                               "productivity per person employed. Vintage: VGRdL Berechnungsstand August 2018, latest "
                               "year 2017 (no later district GVA was found).",
                "schema": {"fields": [F_DISTRICT,
                                      field("sector", "string", "model sector (national/sectors.csv)",
                                            constraints={"enum": [s for s, _ in SECTORS]}),
                                      field("value", "number", "GVA per SvB employee, 2017", unit="EUR thousand per employee"),
                                      field("low", "number", "low end (see method)", unit="EUR thousand per employee"),
                                      field("high", "number", "high end (see method)", unit="EUR thousand per employee"),
                                      field("basis_year", "integer", "year of GVA and SvB"),
                                      field("status", "string", "derived | estimate (suppressed SvB)",
                                            constraints={"enum": ["derived", "estimate"]}),
                                      field("method", "string", "how the value was derived"),
                                      field("vgrdl_group", "string", "VGRdL group whose GVA is used"),
                                      field("svb_groups", "string", "published SvB groups in the denominator"),
                                      field("gva_eur_million", "number", "GVA of the VGRdL group, 2017", unit="EUR million"),
                                      field("svb", "integer", "SvB of the matching groups, 30.06.2017 (estimated where "
                                            "svb_estimated)", unit="persons"),
                                      field("svb_estimated", "boolean", "true if a suppressed SvB cell was estimated")],
                           "primaryKey": ["district", "sector"]},
                "sources": [SRC["gva"], SRC["svb"], SRC["empers"]],
                "licenses": [lic(ATTR_STAEMTER), LIC_EUROSTAT], "status": "derived / estimate"}]
        return res, {"gva_per_employee.csv": n}, out

    # -- 5 BEV ----------------------------------------------------------------
    def bev_stock(self, rid, reg, d):
        codes = list(reg["districts"])
        b = self.bev[(self.bev.level == "kreis") & self.bev.region_code.isin(codes)].copy()
        out = pd.DataFrame({"date": b.date, "district": b.region_code, "bev": b.bev.astype("Int64"),
                            "phev": b.phev.astype("Int64"), "hybrid_nonplugin": b.hybrid_nonplugin.astype("Int64"),
                            "petrol": b.petrol.astype("Int64"), "diesel": b.diesel.astype("Int64"),
                            "gas": b.gas.astype("Int64"), "other": b.other.astype("Int64"),
                            "total_pkw": b.total_pkw.astype("Int64"), "status": b.status,
                            "source_url": "https://www.regionalstatistik.de/genesis/online?operation=table&code=46251-02"})
        n = write_csv(out, d / "bev_stock.csv")
        u = "vehicles"
        res = [{"name": "bev_stock", "path": "bev_stock.csv",
                "title": "Passenger-car stock by fuel type, 1 January 2025",
                "description": "Pkw-Bestand nach Kraftstoffarten per district at 1.1.2025 (KBA data, published in the "
                               "Regionaldatenbank as table 46251-02; the same BEV/PHEV counts appear in KBA FZ 27). "
                               "hybrid_nonplugin = Hybrid minus darunter Plug-in; total_pkw = sum of all fuel types. Only "
                               "this one district vintage was found: earlier district stocks (1.1.2015–2024) are NOT in "
                               "the stored material; national stocks are in national/.",
                "schema": {"fields": [field("date", "date", "reference date (1 January)"), F_DISTRICT,
                                      field("bev", "integer", "battery-electric cars", unit=u),
                                      field("phev", "integer", "plug-in hybrid cars", unit=u),
                                      field("hybrid_nonplugin", "integer", "hybrids without plug-in", unit=u),
                                      field("petrol", "integer", "petrol cars", unit=u),
                                      field("diesel", "integer", "diesel cars", unit=u),
                                      field("gas", "integer", "LPG and CNG cars", unit=u),
                                      field("other", "integer", "other fuel types (incl. hydrogen)", unit=u),
                                      field("total_pkw", "integer", "all passenger cars", unit=u),
                                      field("status", "string", "read"), field("source_url", "string", "original table")],
                           "primaryKey": ["date", "district"]},
                "sources": [SRC["kba"]], "licenses": [lic(ATTR_STAEMTER.replace("2021", "2025"))], "status": "read"}]
        return res, {"bev_stock.csv": n}, out

    # -- 6 commuting ----------------------------------------------------------
    def commuting(self, rid, reg, d):
        codes = list(reg["districts"])
        f = self.flows[self.flows.ags_wohnort.isin(codes) | self.flows.ags_arbeitsort.isin(codes)]
        f = f.sort_values(["ags_wohnort", "ags_arbeitsort"])
        out = pd.DataFrame({"year": 2016, "residence": f.ags_wohnort, "residence_name": f.kreis_wohnort,
                            "workplace": f.ags_arbeitsort, "workplace_name": f.kreis_arbeitsort,
                            "persons": f.pendler.astype("Int64"), "status": "read"})
        assert not out.duplicated(["residence", "workplace"]).any()
        n1 = write_csv(out, d / "commuting_flows.csv")
        t = self.ctot[self.ctot.ags.isin(codes)]
        tot = pd.DataFrame({"year": 2016, "district": t.ags, "residents_employed": t.svb_wohnort,
                            "in_commuters": t.einpendler, "out_commuters": t.auspendler,
                            "workplace_employed_derived": t.svb_wohnort - t.auspendler + t.einpendler,
                            "status": "read; workplace_employed_derived derived"})
        n2 = write_csv(tot, d / "commuting_totals.csv")
        missing = {"son": "Wolfsburg→Goslar, Gifhorn→Goslar, Goslar→Gifhorn, Goslar→Helmstedt",
                   "swsn": "Vogtlandkreis→Mittelsachsen"}[rid]
        res = [{"name": "commuting_flows", "path": "commuting_flows.csv",
                "title": "Commuter flows between districts, 30 June 2016",
                "description": "SvB commuting from the district of residence to the district of the workplace, 30.06.2016, "
                               "every flow listed by the BA Pendleratlas for the region's districts (each district's top "
                               "~10 partners for in- and out-commuting; flows given in both lists agree exactly). Codes "
                               "of districts outside the region are kept (02000 Hamburg etc.). Smaller flows are NOT "
                               f"listed; within the region the missing pairs are {missing}: unknown, not zero (each is "
                               "below the smallest listed flow of both districts). No flow matrix for 2019–2023 was found.",
                "schema": {"fields": [F_YEAR, field("residence", "string", "district of residence (AGS; 02000 etc. for "
                                                    "city-states)"), field("residence_name", "string", "name as published"),
                                      field("workplace", "string", "district of the workplace (AGS)"),
                                      field("workplace_name", "string", "name as published"),
                                      field("persons", "integer", "commuters (SvB)", unit="persons"),
                                      field("status", "string", "read")],
                           "primaryKey": ["year", "residence", "workplace"]},
                "sources": [SRC["pendler"]], "licenses": [lic(ATTR_BA, base=LIC_BA)], "status": "read"},
               {"name": "commuting_totals", "path": "commuting_totals.csv",
                "title": "Residents employed, in- and out-commuters, 30 June 2016",
                "description": "SvB at the place of residence (the Pendleratlas 'svb' figure), in-commuters and "
                               "out-commuters across the district boundary, 30.06.2016. workplace_employed_derived = "
                               "residents_employed − out_commuters + in_commuters (derived; e.g. Wolfsburg 50,746 − "
                               "8,531 + 77,543 = 119,758; 13111-07-05-4 gives 120,154 for 30.06.2016).",
                "schema": {"fields": [F_YEAR, F_DISTRICT,
                                      field("residents_employed", "integer", "SvB at the place of residence", unit="persons"),
                                      field("in_commuters", "integer", "Einpendler", unit="persons"),
                                      field("out_commuters", "integer", "Auspendler", unit="persons"),
                                      field("workplace_employed_derived", "integer", "derived SvB at the workplace",
                                            unit="persons"),
                                      field("status", "string", "status")],
                           "primaryKey": ["year", "district"]},
                "sources": [SRC["pendler"]], "licenses": [lic(ATTR_BA, base=LIC_BA)], "status": "read / derived"}]
        return res, {"commuting_flows.csv": n1, "commuting_totals.csv": n2}, (out, tot)

    # -- 7 occupations, unemployment ------------------------------------------
    def occupations(self, rid, reg, d):
        codes = list(reg["districts"])
        k = self.kldb[self.kldb.ags.isin(codes)].sort_values(["year", "ags", "kldb3"])
        o = pd.DataFrame({"year": k.year, "district": k.ags, "kldb3": k.kldb3, "value": k.value.astype("Int64"),
                          "flag": k.flag})
        n1 = write_csv(o, d / "occupations.csv")
        a = self.alo[self.alo.ags.isin(codes)].sort_values(["year", "ags", "kldb3"])
        assert a.flag.isna().all()
        ua = pd.DataFrame({"year": a.year, "district": a.ags, "kldb3": a.kldb3, "value": a.value,
                           "value_women": a.value_women})
        n2 = write_csv(ua, d / "unemployed_occupations.csv")
        v = self.vac[self.vac.ags.isin(codes)].sort_values(["year", "ags", "kldb3"])
        assert v.flag.isna().all()
        va = pd.DataFrame({"year": v.year, "district": v.ags, "kldb3": v.kldb3, "value": v.value, "value_svb": v.value_svb})
        n3 = write_csv(va, d / "vacancies_occupations.csv")
        u = self.ue[self.ue.ags.isin(codes) & self.ue.year.between(2015, 2020)].sort_values(["year", "ags", "indicator"])
        ue = pd.DataFrame({"year": u.year, "district": u.ags, "indicator": u.indicator, "value": u.value,
                           "unit": u.unit.map(UNIT_INDICATOR), "flag": u.flag})
        n4 = write_csv(ue, d / "unemployment.csv")
        F_K = field("kldb3", "string", "KldB 2010 occupational group (3-digit Berufsgruppe); 'ohne_Angabe' = no "
                    "occupation given. Labels: national KldB label list (BA)")
        ba_note = ("Special evaluation of the Statistik der Bundesagentur für Arbeit (order 317-408036), BA "
                   "Gebietsstand July 2026 (history restated); the 13 retra districts are unchanged. ")
        res = [{"name": "occupations", "path": "occupations.csv",
                "title": "SvB at the workplace by occupation (KldB 2010, 3-digit), 2013–2020",
                "description": ba_note + "Reference date 30 June (assumed: the sums match 13111-07-05-4 within −0.11 % … "
                               "+0.02 %). flag 'suppressed_or_none': the delivery has no value; BA's '*' (suppressed) and "
                               "'-' (none) cannot be told apart. KldB 252 (Fahrzeug-, Luft-, Raumfahrt-, Schiffbautechnik) "
                               "is an occupation, not the WZ 29 industry.",
                "schema": {"fields": [F_YEAR, F_DISTRICT, F_K,
                                      field("value", "integer", "SvB at the workplace", unit="persons"),
                                      field("flag", "string", "'suppressed_or_none' where no value was delivered")],
                           "primaryKey": ["year", "district", "kldb3"]},
                "sources": [SRC["ba_kldb"]], "licenses": [LIC_BA], "status": "read"},
               {"name": "unemployed_occupations", "path": "unemployed_occupations.csv",
                "title": "Registered unemployed by target occupation (KldB 2010, 3-digit), annual averages 2013–2020",
                "description": ba_note + "Annual averages of the monthly stocks (every value × 12 is whole). Occupation = "
                               "target occupation (Zielberuf). value_women = of which women. None of the region's "
                               "district-years lacks the occupational breakdown.",
                "schema": {"fields": [F_YEAR, F_DISTRICT, F_K,
                                      field("value", "number", "registered unemployed, annual average", unit="persons"),
                                      field("value_women", "number", "of which women", unit="persons")],
                           "primaryKey": ["year", "district", "kldb3"]},
                "sources": [SRC["ba_alo"]], "licenses": [LIC_BA], "status": "read"},
               {"name": "vacancies_occupations", "path": "vacancies_occupations.csv",
                "title": "Registered job vacancies by occupation (KldB 2010, 3-digit), annual averages 2013–2020",
                "description": ba_note + "Gemeldete Arbeitsstellen, annual averages of the monthly stocks; value_svb = of "
                               "which subject to social insurance. Vacancies without a district are not included.",
                "schema": {"fields": [F_YEAR, F_DISTRICT, F_K,
                                      field("value", "number", "registered vacancies, annual average", unit="vacancies"),
                                      field("value_svb", "number", "of which subject to social insurance", unit="vacancies")],
                           "primaryKey": ["year", "district", "kldb3"]},
                "sources": [SRC["ba_alo"]], "licenses": [LIC_BA], "status": "read"},
               {"name": "unemployment", "path": "unemployment.csv",
                "title": "Unemployed and unemployment rates, annual average 2015–2020",
                "description": "Registered unemployed (total and groups) and unemployment rates (% of the dependent or of "
                               "all civilian labour force), annual averages, table 13211-02-05-4. The foreigners' rate is "
                               "not published at district level for 2017 and 2018 (flag '.'). 'x' = Aussage nicht sinnvoll.",
                "schema": {"fields": [F_YEAR, F_DISTRICT,
                                      field("indicator", "string", "indicator key (unemployed_total, "
                                            "ue_rate_dependent_civilian_labour_force, …)"),
                                      field("value", "number", "value in the row's unit"),
                                      field("unit", "string", "persons | percent", constraints={"enum": ["persons", "percent"]}),
                                      F_FLAG],
                           "primaryKey": ["year", "district", "indicator"]},
                "sources": [SRC["ue"]], "licenses": [lic(ATTR_STAEMTER)], "status": "read"}]
        return res, {"occupations.csv": n1, "unemployed_occupations.csv": n2, "vacancies_occupations.csv": n3,
                     "unemployment.csv": n4}, (o, ue)

    # -- 8 charging -----------------------------------------------------------
    def charging(self, rid, reg, d):
        codes = list(reg["districts"])
        c = self.charge[self.charge.ags.isin(codes)]
        out = pd.DataFrame({"district": c.ags, "date": c.stand, "charging_stations": c.ladeeinrichtungen,
                            "charging_points": c.ladepunkte, "fast_charging_stations": c.schnell_einrichtungen,
                            "fast_charging_points": c.ladepunkte_schnell, "power_kw": c.anschlussleistung_kw,
                            "status": "derived"})
        n = write_csv(out, d / "charging_points.csv")
        res = [{"name": "charging_points", "path": "charging_points.csv",
                "title": "Public charging infrastructure per district, 19 July 2019",
                "description": "Facilities (Ladeeinrichtungen) and charging points in the BNetzA Ladesäulenregister "
                               "(extract of 19.07.2019), assigned to districts by the coordinates of each facility "
                               "(point in polygon, BKG district polygons) — derived. The register lists only operators who "
                               "completed the registration, so it undercounts. A current per-district count was not found.",
                "schema": {"fields": [F_DISTRICT, field("date", "date", "register extract date"),
                                      field("charging_stations", "integer", "charging facilities", unit="facilities"),
                                      field("charging_points", "integer", "charging points", unit="points"),
                                      field("fast_charging_stations", "integer", "fast-charging facilities", unit="facilities"),
                                      field("fast_charging_points", "integer", "fast-charging points", unit="points"),
                                      field("power_kw", "number", "connected load of all facilities", unit="kW"),
                                      field("status", "string", "derived")],
                           "primaryKey": ["district", "date"]},
                "sources": [SRC["bnetza"]], "licenses": [LIC_BNETZA], "status": "derived"}]
        return res, {"charging_points.csv": n}, out

    # -- 9 plants ---------------------------------------------------------------
    def plants_rows(self, rid, reg, d):
        p = self.plants
        sel = p[(p.region == rid) | p.id.isin(PLANT_CONTEXT[rid])].copy()
        rows = []
        for _, r in sel.iterrows():
            status, url, note = r.status, r.url, r.note
            if r.id in PLANT_VERIFIED:
                v = PLANT_VERIFIED[r.id]
                status, url, note = v["status"], v["url"], v["note"]
            elif status == "recalled":
                status = "recalled_unverified"
            elif status == "not found":
                status = "not_found"
            host = urlparse(url).netloc if isinstance(url, str) and url.startswith("http") else ""
            src = HOST_NAMES.get(host, host)
            dist = r.district_code if isinstance(r.district_code, str) and len(r.district_code) == 5 and \
                r.district_code.isdigit() else ""
            if not dist and isinstance(r.district_code, str):
                note = f"area: {r.district_name} ({r.district_code}); " + (note if isinstance(note, str) else "")
            elif not dist:
                note = f"area: {r.district_name}; " + (note if isinstance(note, str) else "")
            rows.append({"id": r.id, "scope": "region" if r.region == rid else "context", "district": dist,
                         "company": r.company, "site": r.site,
                         "sector": PLANT_SECTOR.get(r.id) or "", "metric": r.metric, "value": r.value, "unit": r.unit,
                         "year": r.year, "status": status, "source": src, "url": url if isinstance(url, str) else "",
                         "note": note if isinstance(note, str) else ""})
        out = pd.DataFrame(rows)
        n = write_csv(out, d / "plants.csv")
        res = [{"name": "plants", "path": "plants.csv", "title": "Plants, head counts, projects and the VW agreement",
                "description": "Automotive plants and projects in the region with head counts, capacities and planned "
                               "changes, plus context rows that concern the region (Volkswagen agreement 'Zukunft "
                               "Volkswagen' with IG Metall of 20 Dec 2024; VW Germany; for swsn also Saxony-wide "
                               "figures and VW Sachsen Dresden). Figures are quoted from press reports and company "
                               "statements (source = outlet, url = page read). status: read | not_found (no figure) | "
                               "recalled_unverified (from memory, not verified). The recalled Zwickau line reduction was "
                               "verified while building (read). district is empty for area rows (Germany, Saxony, the "
                               "region); the area is then named in note. value is text because some rows hold dates or "
                               "two figures.",
                "schema": {"fields": [field("id", "string", "row id"),
                                      field("scope", "string", "region = a row about the region; context = a row "
                                            "outside the region that concerns it (its district may lie outside the "
                                            "region, e.g. 14612 Dresden)", constraints={"enum": ["region", "context"]}),
                                      field("district", "string", "district code (5-digit AGS) or empty for areas"),
                                      field("company", "string", "company"), field("site", "string", "site / subject"),
                                      field("sector", "string", "model sector (vehicles; electrical for the battery-cell "
                                            "plant) or empty"),
                                      field("metric", "string", "what the value measures"),
                                      field("value", "string", "value as reported (number, date or text)"),
                                      field("unit", "string", "unit of value"), field("year", "string", "year or date"),
                                      field("status", "string", "read | not_found | recalled_unverified"),
                                      field("source", "string", "publisher of the page read"),
                                      field("url", "string", "page read"), field("note", "string", "note")],
                           "primaryKey": ["id"]},
                "sources": [{"title": "Press reports and company statements (see url per row)", "publisher": "various",
                             "table": "", "year": 2025, "path": ""}],
                "licenses": [LIC_PRESS], "status": "read"}]
        return res, {"plants.csv": n}, out

    # -- 10 on-demand (son) ----------------------------------------------------
    def ondemand(self, rid, reg, d):
        o = self.ondemand_df.copy()
        n = write_csv(o, d / "ondemand_services.csv")
        res = [{"name": "ondemand_services", "path": "ondemand_services.csv",
                "title": "Rural on-demand services (flexo, Plus-Bus)",
                "description": "Facts on the flexo on-demand minibus service of the Regionalverband Großraum Braunschweig "
                               "and the WVG Plus-Bus in Wolfsburg, as reported (press and operator pages; source per "
                               "row). value is text (ranges, hours). The reported vehicle prices conflict (400,000 EUR "
                               "per bus vs. 4–6 M EUR for up to 50 buses). No data were found for Südwestsachsen.",
                "schema": {"fields": [field("service", "string", "service"), field("operator", "string", "operator"),
                                      field("area", "string", "area served"), field("item", "string", "what is reported"),
                                      field("value", "string", "value as reported"), field("unit", "string", "unit"),
                                      field("date", "string", "date or period"), field("status", "string", "read"),
                                      field("source", "string", "page(s) read")]},
                "sources": [{"title": "Press reports (regionalheute.de, waz-online.de, salzgitter-zeitung.de, "
                                      "hallowochenende.de) and regionalverband-braunschweig.de", "publisher": "various",
                             "table": "", "year": 2025, "path": ""}],
                "licenses": [LIC_PRESS], "status": "read"}]
        return res, {"ondemand_services.csv": n}

    # -- 11 labs -----------------------------------------------------------------
    def labs(self, rid, reg, d):
        rows = []
        for drv in DRIVERS:
            lab = reg["driver_lab"][drv]
            de, en = CONTEXT_LAB if lab == "context" else reg["labs"][lab]
            rows.append({"driver": drv, "lab": lab, "label_de": de, "label_en": en})
        out = pd.DataFrame(rows)
        n = write_csv(out, d / "labs.csv")
        if rid == "son":
            why = ("Assignment (ReTraSON Labs): electrification, volume (production volume and labour productivity) and "
                   "gva_productivity → Technologische Transformation (they describe what and how the plants produce); "
                   "projects (new plants, e.g. the PowerCo cell plant) → Neue Geschäftsmodelle; infrastructure (charging, "
                   "hydrogen) → Infrastrukturelle Transformation; indirect and induced effects → Zukunft der Arbeit, "
                   "because they are the employment consequences outside the plants (supply chain, household income) "
                   "that this lab addresses; the structural trend belongs to no lab (lab 'context').")
        elif reg.get("national"):
            why = ("Generic assignment for the national region: no transformation network spans Germany, so every "
                   "driver except the structural trend belongs to one lab 'national'; the decomposition by driver is "
                   "unchanged.")
        else:
            why = ("Assignment (ITAS Handlungsfelder): electrification and gva_productivity → Innovation und "
                   "Technologietransformation; projects, volume and infrastructure → Industriepolitik (location, "
                   "production allocation and investment decisions); indirect and induced effects → Arbeit und "
                   "Beschäftigung; Qualifizierung und Weiterbildung and Regionales Mindset / resiliente Gesellschaft "
                   "have no model driver (they act on adjustment, not on the job count); the structural trend belongs "
                   "to no Handlungsfeld (lab 'context').")
        res = [{"name": "labs", "path": "labs.csv",
                "title": f"Model drivers by {reg['network']} {reg['lab_kind']}",
                "description": why,
                "schema": {"fields": [field("driver", "string", "model driver id", constraints={"enum": DRIVERS}),
                                      field("lab", "string", "lab / Handlungsfeld id (snake_case); 'context' = none"),
                                      field("label_de", "string", "German label"), field("label_en", "string", "English label")],
                           "primaryKey": ["driver"]},
                "sources": [{"title": f"{reg['network_long']}: Labs / Handlungsfelder", "publisher": reg["network"],
                             "table": "", "year": 2025, "path": ""}],
                "licenses": [{"name": "retra", "title": "assignment made for retra", "path": "", "attribution": "retra"}],
                "status": "assignment (retra)"}]
        return res, {"labs.csv": n}, why

    # -- checks -------------------------------------------------------------------
    def checks(self, rid, reg, emp, emp_sex, pop, ctot):
        lines = []
        p = emp.pivot_table(index=["district", "year"], columns="wz_group", values="value", aggfunc="first")
        p = p.reindex(columns=WZ_GROUPS)
        res = {}
        for name, lhs, rhs in [("TOTAL = A + B-F + G-U", "TOTAL", ["A", "B-F", "G-U"]),
                               ("B-F = B-E + F", "B-F", ["B-E", "F"]),
                               ("G-U = G-I + J + K + L + M-N + O-Q + R-U", "G-U", GU_PARTS)]:
            ok = p[[lhs] + rhs].notna().all(axis=1)
            diff = (p.loc[ok, lhs] - p.loc[ok, rhs].sum(axis=1)).astype(int)
            exact = int((diff == 0).sum())
            nz = diff[diff != 0]
            detail = ", ".join(f"{a} {y}: {v:+d}" for (a, y), v in nz.items())
            maxdev = int(diff.abs().max()) if len(diff) else 0
            res[name] = (exact, int(ok.sum()), maxdev, detail)
            if reg.get("national") and len(nz) > 10:
                detail = f"{len(nz)} district-years, e.g. " + ", ".join(detail.split(", ")[:10])
            lines.append(f"- {name}: exact in {exact} of {int(ok.sum())} checkable district-years "
                         f"(not checkable: {int((~ok).sum())}); max |deviation| {maxdev}"
                         + (f" (TOTAL − sum: {detail})" if detail else ""))
        sup = emp[emp.flag.notna()].groupby(["district", "wz_group", "flag"]).year.apply(
            lambda s: ", ".join(map(str, sorted(s)))).reset_index()
        lines.append(f"- suppressed cells (sex total), {len(emp[emp.flag.notna()])} of {len(emp)}" + (":" if len(sup) else ": none"))
        for _, r in (sup.iterrows() if not reg.get("national") else iter(())):
            lines.append(f"  - {r.district} {reg['districts'][r.district][1]}, {r.wz_group} ('{r.flag}'): {r.year}")
        # one-sex disclosures
        t = emp.set_index(["year", "district", "wz_group"])
        s2 = emp_sex[emp_sex.value.notna()].copy()
        s2 = s2[s2.apply(lambda r: pd.isna(t.loc[(r.year, r.district, r.wz_group), "value"]), axis=1)]
        if len(s2) and reg.get("national"):
            lines.append(f"- suppressed total cells with a published one-sex value (lower bounds): {len(s2)}")
        elif len(s2):
            lines.append("- suppressed total cells with a published one-sex value (lower bounds): " + "; ".join(
                f"{r.district} {r.year} {r.wz_group} {r.sex} {int(r.value):,}" for _, r in s2.iterrows()))
        pt = pop[pop.year == 2020].groupby("district").value.sum()
        if reg.get("national"):
            lines.append(f"- population 31.12.2020 (sum of sexes and age groups), {len(pt)} Kreise: {int(pt.sum()):,}")
            return lines
        lines.append("- population 31.12.2020 (sum of sexes and age groups): " + "; ".join(
            f"{reg['districts'][c][1]} {int(v):,}" for c, v in pt.items()) + f"; region {int(pt.sum()):,}")
        if ctot is None:
            return lines
        for _, r in ctot.iterrows():
            if r.district == "03103":
                lines.append(f"- commuting Wolfsburg 2016: {r.residents_employed:,} − {r.out_commuters:,} + "
                             f"{r.in_commuters:,} = {r.workplace_employed_derived:,} (expected 119,758: "
                             f"{'OK' if r.workplace_employed_derived == 119758 else 'MISMATCH'})")
        w = ctot.set_index("district").workplace_employed_derived
        s16 = emp[(emp.year == 2016) & (emp.wz_group == "TOTAL")].set_index("district").value
        lines.append("- commuting-derived SvB at the workplace 2016 vs 13111-07-05-4 TOTAL 30.06.2016: " + "; ".join(
            f"{reg['districts'][c][1]} {int(w[c]):,} vs {int(s16[c]):,} ({(w[c] / s16[c] - 1) * 100:+.2f} %)" for c in w.index))
        return lines

    # -- README -----------------------------------------------------------------
    def readme(self, rid, reg, d, counts, check_lines, gpe, labs_why):
        codes = list(reg["districts"])
        est = gpe[gpe.status == "estimate"]
        est_list = "\n".join(f"  - {r.district} {reg['districts'][r.district][1]}, {r.sector}: {r.value} "
                             f"({r.low}–{r.high}) EUR thousand per SvB; SvB {r.svb:,} estimated"
                             for _, r in est.iterrows()) or "  - none"
        files = "\n".join(f"| `{k}` | {v:,} |" for k, v in counts.items())
        extra_gap = {
            "son": "- On-demand services: flexo and Plus-Bus facts only (no ridership series, no costs per vehicle-km).\n"
                   "- Plants: no head count found for Bosch / Continental / Siemens Mobility Braunschweig; VW Braunschweig "
                   "head count only for 2014.\n",
            "swsn": "- On-demand services: nothing found for Südwestsachsen (no file).\n"
                    "- Plants: no head count for GKN Driveline Mosel or Continental Limbach-Oberfrohna; the Zwickau line "
                    "reduction (one of two lines from 2027) was verified (automobile.at quoting VW, 21 Dec 2024); a "
                    "later change (Cupra Born stays, ID.3 until end-2027; Freie Presse 2025-12-12) is in the note.\n",
        }[rid]
        txt = f"""# retra regional base data: {reg['name_de']} (`{rid}`)

{reg['name_en']}; network {reg['network_long']}. Districts: {', '.join(f"{c} {reg['districts'][c][1]}" for c in codes)}.
Base year 2020, history from 2015, horizon 2045. Built by `data/build/build_regions.py` from stored copies of the
official tables; every file is described (schema, units, sources, licence, status) in `datapackage.json`.
Sources are cited with their original publisher. Status words: **read** (copied, only reshaped), **derived**
(computed from read figures, method given), **estimate** (rests on an assumption that is stated).

## Files

| file | rows |
|---|---:|
{files}

- `districts.csv` — codes, official and short names, kind, NUTS 3 (2016), area (derived from the simplified geometry,
  approximate; the official cadastral area was not in the stored material). `districts.geojson` — district polygons,
  **BKG VG250 (Stand 31.12.2018), simplified** with 200 m tolerance (OpenDataLab); the issue asked for a VG5000 subset,
  none was available, VG250 simplified is used instead. Quellenvermerk: © GeoBasis-DE / BKG (2019) (Daten verändert),
  dl-de/by-2-0.
- `employment_wz.csv` — SvB at the workplace, 30 June 2015–2020, the 14 published WZ 2008 groups exactly as in
  Regionalstatistik 13111-07-05-4 (© Statistische Ämter des Bundes und der Länder, Deutschland, 2021; dl-de/by-2-0);
  suppressed cells stay empty with flag `.`. `employment_wz_sex.csv` — the male/female rows of the same table.
- `population.csv` — population by sex and 17 age groups, 31.12.2015–2020 (Destatis 12411-0018; age_to is the
  exclusive upper bound, empty for 75+).
- `gva_wz.csv` — GVA (current prices, EUR million) by VGRdL group (TOTAL, A, B-E, C ⊂ B-E, F, G-J, K-N, O-T),
  2000–2017, AK VGRdL table 82111-01-05-4 (Berechnungsstand August 2018); employed persons: TOTAL 2000–2017 derived
  from GDP / GDP per employed person, groups 2015–2017 from Eurostat nama_10r_3empers (O-U shown on the O-T row).
- `gva_per_employee.csv` — GVA per SvB employee (EUR thousand) for the 14 model sectors: GVA 2017 of the VGRdL group
  / SvB 30.06.2017 of the matching published groups; low/high = 2015–2017 range. One ratio for all groups inside a
  VGRdL group (six manufacturing sectors share C; trade_transport and ict share G-J; public_services and
  other_services share O-T). **The level of GVA in the base year = SvB × this ratio, i.e. GVA per SvB employee absorbs
  the self-employed, civil servants and marginal employment** (and in K-N the imputed rents of owner-occupiers) — it is
  not productivity per person employed.
- `bev_stock.csv` — passenger cars by fuel type at 1.1.2025 (KBA data, Regionalstatistik 46251-02).
- `commuting_flows.csv`, `commuting_totals.csv` — BA Pendleratlas, 30.06.2016 (Quelle: Statistik der Bundesagentur für
  Arbeit).
- `occupations.csv` — SvB at the workplace by KldB 2010 3-digit group 2013–2020; `unemployed_occupations.csv`,
  `vacancies_occupations.csv` — annual averages 2013–2020 (BA special evaluation, Quelle: Statistik der Bundesagentur
  für Arbeit); `unemployment.csv` — Regionalstatistik 13211-02-05-4, 2015–2020.
- `charging_points.csv` — BNetzA Ladesäulenregister, extract 19.07.2019, assigned to districts by coordinates (derived).
- `plants.csv` — plants, head counts, projects, the VW agreement of 20 Dec 2024 (press reports; source and URL per row).
{"- `ondemand_services.csv` — flexo (Regionalverband Großraum Braunschweig) and WVG Plus-Bus facts." if rid == "son" else ""}
- `labs.csv` — which {reg['network']} {reg['lab_kind']} each model driver belongs to. {labs_why}

## Estimates

Suppressed SvB cells enter only `gva_per_employee.csv` (never `employment_wz.csv`). Each suppressed cell is the
published aggregate (B-E, B-F, or TOTAL − G-U) minus its published parts, split by the district's own
employed-persons structure (Eurostat nama_10r_3empers, same year; each group's weight multiplied by its SvB/employed
ratio in the years 2015–2017 where the SvB cell is published, which corrects for self-employment) and kept at or above
any published one-sex cell;
range: symmetric to a tight hard upper bound, otherwise ±50 % (assumption) within the hard bounds. Rows:
{est_list}

## Gaps (not found)

- WZ 29 (or any WZ 2-digit division) per district: not in 13111-07-05-4 and not found elsewhere; the sector split is
  done in `employment_sector.csv` / `exposure.csv` (separate build step).
- District GVA after 2017 and later VGRdL vintages (Berechnungsstand 2019+): not found; employed persons by group
  (13312-01-05-4) not found, Eurostat used for 2015–2017.
- SvB at the workplace by age (share 55+) per district: not found.
- BEV/PHEV stock per district before 1.1.2025: not found (national series in `national/`).
- Commuter matrix after 2016: not found; flows below each district's top ~10 partners are not listed (unknown, not zero).
- Charging points per district after July 2019: not found; the 2019 register undercounts.
- Official cadastral district areas: not in the stored material (area_km2 is derived from the simplified geometry).
{extra_gap}
## Checks (run by the build script)

{chr(10).join(check_lines)}
"""
        (d / "README.md").write_text(txt, encoding="utf-8")

    # -- datapackage ------------------------------------------------------------------
    def datapackage(self, rid, reg, d, resources):
        extra = self.resources_dir / rid
        merged = list(resources)
        if extra.is_dir():
            for fp in sorted(extra.glob("*.json")):
                with open(fp, encoding="utf-8") as fh:
                    r = json.load(fh)
                merged = [x for x in merged if x.get("name") != r.get("name")] + [r]
                print(f"  merged resource descriptor {fp}")
        else:
            print(f"  (no resource descriptors in {extra}; skipped)")
        srcs, seen = [], set()
        for r in merged:
            for s in r.get("sources", []):
                key = (s.get("title"), s.get("path"))
                if key not in seen and s.get("path"):
                    seen.add(key)
                    srcs.append(s)
        pkg = {
            "name": f"retra-{rid}",
            "title": f"retra Basisdaten {reg['name_de']} / retra base data {reg['name_en']}",
            "description": (f"Regional base data of retra for {reg['name_de']} ({reg['network']}): districts and "
                            "geometry, employees by WZ group, population, GVA, commuting, occupations, labour market, "
                            "vehicles, charging points, plants and the assignment of model drivers to "
                            f"{reg['network']} {reg['lab_kind']}s. See README.md for gaps and estimates."),
            "licenses": [DL_DE, LIC_BA, LIC_EUROSTAT, LIC_BNETZA, LIC_PRESS],
            "sources": srcs,
            "retra": {"region": rid, "name_de": reg["name_de"], "name_en": reg["name_en"], "network": reg["network"],
                      "base_year": 2020, "history_start": 2015, "horizon": 2045,
                      "key_years": list(KEY_YEARS), "districts": list(reg["districts"]),
                      "lab_kind": reg["lab_kind"],
                      "labs": [{"id": k, "label_de": v[0], "label_en": v[1]} for k, v in reg["labs"].items()]
                      + [{"id": "context", "label_de": CONTEXT_LAB[0], "label_en": CONTEXT_LAB[1]}]},
            "resources": merged,
        }
        with open(d / "datapackage.json", "w", encoding="utf-8") as fh:
            json.dump(pkg, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        return len(merged)

    def build_national(self, rid):
        """The national region: every Kreis of the 2020 Gebietsstand, the required resources plus population.
        Run data/build/estimate_sectors.py --regions de first (employment_sector.csv feeds gva_per_employee)."""
        from estimate_sectors import kreis_frame, national_districts

        reg = REGIONS[rid]
        names = national_districts(self.ref)
        off = (self.svb[(self.svb.year == 2020) & (self.svb.wz_code == "TOTAL")].assign(
            ags=lambda x: x.ags.replace({"02": "02000", "11": "11000"})).set_index("ags").name)
        reg["districts"] = {c: (off.get(c, n), n, k) for c, (n, _, k) in names.items()}
        self.svb, self.svb_sex, self.gva = kreis_frame(self.svb), kreis_frame(self.svb_sex), kreis_frame(self.gva)
        self.geo_all = refdata.read_json(self.ref, "kreise_all_vg250_2018.geojson")
        d = self.out / rid
        d.mkdir(parents=True, exist_ok=True)
        print(f"== {rid} ({len(reg['districts'])} Kreise)")
        resources, counts = [], {}
        r, c, _ = self.districts(rid, reg, d); resources += r; counts.update(c)
        r, c, emp, emp_sex = self.employment(rid, reg, d); resources += r; counts.update(c)
        r, c, pop = self.population(rid, reg, d, years=(2020, 2020)); resources += r; counts.update(c)
        r[0]["title"] = "Population by sex and age group, 31 December 2020"
        r[0]["description"] = r[0]["description"].replace("at 31.12.", "at 31.12.2020 (base year only, to keep the "
                                                          "national package small; 2015–2019 are in the source table)")
        r, c, gpe = self.gva_per_employee(rid, reg, d); resources += r; counts.update(c)
        r, c, why = self.labs(rid, reg, d); resources += r; counts.update(c)
        check_lines = self.checks(rid, reg, emp, emp_sex, pop, None)
        self.readme_national(rid, reg, d, counts, check_lines, gpe)
        nres = self.datapackage(rid, reg, d, resources)
        for k, v in counts.items():
            print(f"  {k}: {v} rows")
        print(f"  datapackage.json: {nres} resources")
        print("  checks:\n    " + "\n    ".join(check_lines))

    def readme_national(self, rid, reg, d, counts, check_lines, gpe):
        files = "\n".join(f"| `{k}` | {v:,} |" for k, v in counts.items())
        n_est = int((gpe.status == "estimate").sum())
        txt = f"""# retra regional base data: Deutschland (`{rid}`)

Every district (Kreis) of Germany, Gebietsstand 2020 ({len(reg['districts'])} Kreise; BKG VG250 31.12.2018, no
boundary changes in 2019–2020). Base year 2020, history from 2015, horizon 2045. Built by
`data/build/estimate_sectors.py --regions de` and then `data/build/build_regions.py --regions de` from stored copies
of the official tables; every file is described in `datapackage.json`. Same files and checks as `son` and `swsn`
(required resources plus population); no commuting, occupations, charging points, BEV stock or plant tables (the
stored national copies would make the folder large, or exist only for the two regions).

## Files

| file | rows |
|---|---:|
{files}

- District set: codes that 13111-07-05-4 shows only as '-' in 2020 (pre-reform Kreise of Mecklenburg-Vorpommern,
  Sachsen, Sachsen-Anhalt, Kreis Aachen, 03152/03156) are dropped. Hamburg and Berlin (published at Land level) carry
  the Kreis codes 02000 and 11000. Göttingen 03159 (since 1 Nov 2016) is the sum of 03152 and 03156 in 2015–2016
  (`employment_wz.csv` shows the sum; a cell suppressed in either predecessor stays suppressed). Eisenach 16056 is a
  Kreis of its own until 30 June 2021 and is kept.
- `employment_sector.csv`, `exposure.csv`, `automotive_estimates.csv`: see `data/build/ESTIMATES_de.md` (the method of
  `ESTIMATES.md`, applied to every Kreis).
- `gva_per_employee.csv`: as for the regions (GVA 2017 of the VGRdL group / SvB 30.06.2017); suppressed SvB cells
  ({n_est} district-sector rows) use the constrained least-squares estimates of `employment_sector.csv` with their
  bounds.
- `labs.csv`: one generic lab (`national`) for every driver except the structural trend.
- `districts.geojson`: BKG VG250 Kreise, Stand 31.12.2018 (© GeoBasis-DE / BKG (2019), dl-de/by-2-0).

## Checks (run by the build script)

{chr(10).join(check_lines)}
"""
        (d / "README.md").write_text(txt, encoding="utf-8")

    def build(self, rid):
        reg = REGIONS[rid]
        if reg.get("national"):
            return self.build_national(rid)
        d = self.out / rid
        d.mkdir(parents=True, exist_ok=True)
        print(f"== {rid}")
        resources, counts = [], {}
        r, c, _ = self.districts(rid, reg, d); resources += r; counts.update(c)
        r, c, emp, emp_sex = self.employment(rid, reg, d); resources += r; counts.update(c)
        r, c, pop = self.population(rid, reg, d); resources += r; counts.update(c)
        r, c, _ = self.gva_wz(rid, reg, d); resources += r; counts.update(c)
        r, c, gpe = self.gva_per_employee(rid, reg, d); resources += r; counts.update(c)
        r, c, _ = self.bev_stock(rid, reg, d); resources += r; counts.update(c)
        r, c, (_, ctot) = self.commuting(rid, reg, d); resources += r; counts.update(c)
        r, c, _ = self.occupations(rid, reg, d); resources += r; counts.update(c)
        r, c, _ = self.charging(rid, reg, d); resources += r; counts.update(c)
        r, c, _ = self.plants_rows(rid, reg, d); resources += r; counts.update(c)
        if rid == "son":
            r, c = self.ondemand(rid, reg, d); resources += r; counts.update(c)
        r, c, why = self.labs(rid, reg, d); resources += r; counts.update(c)
        check_lines = self.checks(rid, reg, emp, emp_sex, pop, ctot)
        self.readme(rid, reg, d, counts, check_lines, gpe, why)
        nres = self.datapackage(rid, reg, d, resources)
        for k, v in counts.items():
            print(f"  {k}: {v} rows")
        print(f"  datapackage.json: {nres} resources")
        print("  checks:\n    " + "\n    ".join(check_lines))


def main(argv=None):
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference", nargs="?", default=str(refdata.DEFAULT),
                    help="folder of the official tables (default: the shipped copies in data/build/reference/)")
    ap.add_argument("--regions", nargs="*", default=[r for r in REGIONS if r != "de"],
                    help="region ids to build (de: every Kreis; run estimate_sectors.py --regions de first)")
    a = ap.parse_args(argv)
    ref = Path(a.reference).resolve()
    if not refdata.usable(ref):
        sys.exit(f"reference folder {ref} not found")
    b = Builder(ref, root / "data" / "regions", root / "data" / "build" / "resources")
    for rid in a.regions:
        b.build(rid)


if __name__ == "__main__":
    main()
