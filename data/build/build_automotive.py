"""Write ``data/national/automotive_germany.csv``: vehicle making in Germany 2019–2024.

Employment in vehicle making (WZ 29, Destatis, establishments with 20 or more employees,
annual average), passenger-car production in Germany (VDA), and battery-electric and
plug-in-hybrid production (Destatis to 2021, VDA from 2022): the series the joint
calibration of volume, productivity and electrification is fitted on
(:func:`retra_model.drivers.volume.calibrate_national`).

Every figure was read in a stored copy of the page named in ``source`` (the original
publisher first, the page that quoted it second); a figure computed from read figures is
``derived`` with its method; a year that could not be verified carries ``low``/``high``.
The script registers the resource in ``data/national/datapackage.json`` and re-reads the
file to check it.

Run: ``python data/build/build_automotive.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "national"

# fmt: off
ROWS = [
    # variable, year, value, low, high, unit, status, source, note
    ("employment_wz29", 2019, 832800, 832800, 834000, "persons", "derived",
     "Destatis via VDA (vda.de, Beschäftigungszahlen, 2021): 2020 809,000 = 23,800 fewer than the year before",
     "annual average 2020 (read) + 23,800 (read); Destatis gives 834,000 at the end of H1 2019 (presseportal 2024-10): high"),
    ("employment_wz29", 2020, 809000, 809000, 809000, "persons", "read",
     "Destatis via VDA (vda.de, Beschäftigungszahlen, 2021); WiWo 2021-02: 'rund 809.000'", "annual average"),
    ("employment_wz29", 2021, 786100, 786100, 786100, "persons", "read",
     "Destatis via VDA (vda.de, Beschäftigungszahlen, 2022)", "annual average; -22,800 (-3 %) on 2020"),
    ("employment_wz29", 2022, 774300, 774300, 774300, "persons", "read",
     "Destatis via VDA (vda.de, Beschäftigungszahlen, 2023)", "annual average; -11,800 on 2021; 59,600 below the 2018 record"),
    ("employment_wz29", 2023, 780700, 776800, 784700, "persons", "unverified_estimate",
     "derived from Destatis via VDA (vda.de, Automobil-Insight 2024): 2024 772,900 = '1 Prozent weniger als im Vorjahr'",
     "772,900 / 0.99; the rounded 1 % allows 0.5-1.5 % (low/high); the 2023 annual average itself was not read. "
     "Destatis: 773,000 at the end of H1 2024, -0.8 % on a year before (presseportal 2024-10)"),
    ("employment_wz29", 2024, 772900, 772900, 772900, "persons", "read",
     "Destatis via VDA (vda.de, Automobil-Insight 2024, Beschäftigung der deutschen Automobilindustrie 2024)",
     "annual average; 61,000 below the 2018 record"),
    ("production_cars", 2019, 4.66e6, 4.66e6, 4.66e6, "vehicles", "read",
     "VDA via rp-online.de 2023-04 ('2019 insgesamt 4,66 Millionen Fahrzeuge')", "passenger cars built in Germany"),
    ("production_cars", 2020, 3.5e6, 3.45e6, 3.55e6, "vehicles", "read",
     "VDA via autohaus.de 2021-01 ('3,5 Millionen Autos ... 25 Prozent weniger')", "rounded to 0.1 million"),
    ("production_cars", 2021, 3.1e6, 2.947e6, 3.15e6, "vehicles", "read",
     "VDA via automobilwoche.de 2022-03 ('Nur noch 3,1 Millionen'); ACEA 2.947 million (low)", "rounded; ACEA's count is lower"),
    ("production_cars", 2022, 3.48e6, 3.46e6, 3.50e6, "vehicles", "derived",
     "VDA via rp-online.de 2023-04: 2023 forecast 3.79 million = +9 % on 2022; VDA 2024-01 (marketscreener): 2023 4.1 million = +18 %",
     "3.79 / 1.09 = 3.48; 4.1 / 1.18 = 3.47"),
    ("production_cars", 2023, 4.1e6, 4.05e6, 4.15e6, "vehicles", "read",
     "VDA via marketscreener.com (Dow Jones) 2024-01: 'um 18 Prozent auf 4,1 Millionen Pkw', 12 % below 2019", "rounded"),
    ("production_cars", 2024, 4.1e6, 4.05e6, 4.15e6, "vehicles", "read",
     "VDA via motor-traffic.de / nextpit.de 2025-02: '4,1 Millionen', +1 % on 2023", "rounded"),
    ("production_bev", 2019, 89000, 89000, 89000, "vehicles", "read",
     "Destatis press release 2022-05 (electrive.net, umweltdialog.de): 'rund 89 000 E-Autos'", "battery-electric only"),
    ("production_bev", 2020, 176400, 176400, 176400, "vehicles", "read",
     "Destatis press release 2022-05 (electrive.net): 'fast 176 400 E-Autos'", "battery-electric only"),
    ("production_bev", 2021, 328000, 328000, 328000, "vehicles", "read",
     "Destatis press release 2022-05 (electrive.net): 'rund 328 000 Autos mit rein elektrischem Antrieb'", ""),
    ("production_bev", 2022, 585000, 570000, 585000, "vehicles", "derived",
     "VDA via automobilwoche.de 2023-04: 885,000 electric cars built in 2022, of which 300,000 plug-in hybrids; "
     "CATI (TU Chemnitz) 570,000 (low)", "885,000 - 300,000"),
    ("production_bev", 2023, 955000, 945000, 965000, "vehicles", "derived",
     "VDA via nextpit.de 2025-02: 2024 BEV production +12 % to 1.07 million", "1.07 million / 1.12; rounding of 12 % gives ±10,000"),
    ("production_bev", 2024, 1070000, 1065000, 1075000, "vehicles", "read",
     "VDA via motor-traffic.de / nextpit.de 2025-02: '1,07 Millionen Einheiten'", ""),
    ("production_phev", 2022, 300000, 300000, 300000, "vehicles", "read",
     "VDA via automobilwoche.de 2023-04 ('davon waren 300.000 Plug-in-Hybride')", ""),
    ("production_phev", 2023, 311000, 308000, 314000, "vehicles", "derived",
     "VDA via nextpit.de 2025-02: 2024 PHEV production +3 % to 320,000", "320,000 / 1.03"),
    ("production_phev", 2024, 320000, 320000, 320000, "vehicles", "read", "VDA via nextpit.de 2025-02 ('320.000 Einheiten')", ""),
]
# fmt: on

COLUMNS = ["variable", "year", "value", "low", "high", "unit", "status", "source", "note"]

RESOURCE = {
    "name": "automotive_germany",
    "path": "automotive_germany.csv",
    "title": "Vehicle making in Germany 2019-2024: employment (WZ 29), car production, BEV and PHEV production",
    "description": (
        "The series the joint calibration of volume, productivity and electrification is fitted on. "
        "employment_wz29: persons employed in establishments of WZ 29 with 20 or more employees, annual "
        "average (Destatis, Monatsbericht im Verarbeitenden Gewerbe, as published by VDA); a narrower concept "
        "than SvB (no small establishments, no temporary agency workers), used as an index. production_*: "
        "passenger cars built in Germany (VDA; BEV 2019-2021 Destatis production statistics). Plug-in hybrids "
        "before 2022 were not found (treated as 0, they need about the labour of a combustion car). Built by "
        "data/build/build_automotive.py."),
    "status": "read / derived / unverified_estimate (see the status column)",
    "schema": {"fields": [
        {"name": "variable", "type": "string", "description": "employment_wz29, production_cars, production_bev, production_phev"},
        {"name": "year", "type": "integer", "description": "calendar year"},
        {"name": "value", "type": "number", "description": "the figure", "unit": "see unit"},
        {"name": "low", "type": "number", "description": "lower end where the figure is rounded, derived or unverified"},
        {"name": "high", "type": "number", "description": "upper end"},
        {"name": "unit", "type": "string", "description": "persons or vehicles"},
        {"name": "status", "type": "string", "description": "read, derived or unverified_estimate"},
        {"name": "source", "type": "string", "description": "original publisher, then the page read"},
        {"name": "note", "type": "string", "description": "method of a derived figure, caveats"},
    ]},
    "sources": [
        {"title": "Beschäftigung in der deutschen Automobilindustrie (annual), data: Statistisches Bundesamt",
         "publisher": "Verband der Automobilindustrie (VDA); Statistisches Bundesamt (Destatis)",
         "path": "https://www.vda.de/de/themen/automobilindustrie/marktentwicklungen/beschaeftigungszahlen-und-beschaeftigungsentwicklung",
         "year": "2021-2025"},
        {"title": "Autoindustrie verzeichnet im 1. Halbjahr 2024 Umsatzrückgang von 4,7 %",
         "publisher": "Statistisches Bundesamt (Destatis)", "path": "https://presseportal.de/pm/32102/5879991", "year": 2024},
        {"title": "Produktion von Elektroautos 2021 um 86 % gegenüber Vorjahr gestiegen (press release)",
         "publisher": "Statistisches Bundesamt (Destatis)", "path": "https://electrive.net/2022/05/21/produktion-von-e-autos-ist-2021-um-86-prozent-gestiegen",
         "year": 2022},
        {"title": "Pkw-Inlandsproduktion (monthly and annual press releases)", "publisher": "Verband der Automobilindustrie (VDA)",
         "path": "https://www.vda.de", "year": "2020-2025"},
    ],
    "licenses": [{"name": "dl-de/by-2-0", "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0 (Destatis figures); "
                                                   "VDA figures quoted with attribution"}],
}


def build(out: Path = OUT) -> pd.DataFrame:
    """Write the CSV, register it in the national data package, re-read and check it."""
    df = pd.DataFrame(ROWS, columns=COLUMNS)
    df.to_csv(out / "automotive_germany.csv", index=False)
    pkg_path = out / "datapackage.json"
    pkg = json.loads(pkg_path.read_text())
    pkg["resources"] = [r for r in pkg["resources"] if r.get("name") != RESOURCE["name"]] + [RESOURCE]
    pkg_path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n")
    back = pd.read_csv(out / "automotive_germany.csv")
    assert (back["low"] <= back["value"]).all() and (back["value"] <= back["high"]).all(), "value outside [low, high]"
    assert not back.duplicated(["variable", "year"]).any(), "duplicate keys"
    emp = back[back["variable"] == "employment_wz29"]
    assert list(emp["year"]) == list(range(2019, 2025)), "employment must cover 2019-2024"
    return back


if __name__ == "__main__":
    print(build().to_string())
