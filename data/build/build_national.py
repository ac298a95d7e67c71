#!/usr/bin/env python3
"""Build retra's national base-data package (data/national/).

Usage:
    python data/build/build_national.py [REFERENCE_DIR] [--out OUT_DIR]

REFERENCE_DIR is the folder holding the official tables (``refdata.py``). Default: the
shipped copies in ``data/build/reference/``. OUT_DIR defaults to ``data/national`` in the
repository.

The script only reshapes, aggregates and derives; every derived figure carries its
method in the CSV (``status``/``note``) and in ``datapackage.json``. Figures that were
checked against stored copies of public pages while this script was written are kept
in the constants below (``KBA_*``, ``STOCK_*``), each with the page that was read.
The package written here does not depend on the reference folder.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import refdata

REPO_ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------
# Licences and sources (original publishers, never the reference folder)
# ---------------------------------------------------------------------------
DL_DE = {
    "name": "dl-de-by-2.0",
    "path": "https://www.govdata.de/dl-de/by-2-0",
    "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
}


def lic_destatis(text="© Statistisches Bundesamt (Destatis), Input-Output-Rechnung, Berichtsjahr 2019"):
    return [dict(DL_DE, attribution=text)]


LIC_REGIO = [dict(DL_DE, attribution="© Statistische Ämter des Bundes und der Länder, Deutschland, 2021")]
LIC_BA = [{
    "name": "BA-Statistik-Nutzungsbedingungen",
    "path": "https://statistik.arbeitsagentur.de",
    "title": "Statistik der Bundesagentur für Arbeit – Weiterverwendung mit Quellenangabe "
             "(terms recalled, check before publishing)",
    "attribution": "Quelle: Statistik der Bundesagentur für Arbeit",
}]
LIC_KBA = [{
    "name": "KBA-Quellenangabe",
    "path": "https://www.kba.de",
    "title": "Kraftfahrt-Bundesamt statistics, reused with source note (licence text not verified)",
    "attribution": "Quelle: Kraftfahrt-Bundesamt (KBA), Flensburg",
}]
LIC_WIOD = [{
    "name": "WIOD-citation",
    "path": "https://doi.org/10.34894/PJ2M1C",
    "title": "World Input-Output Database 2016 release: free use with citation of Timmer et al. (2015) "
             "(licence of the DataverseNL record not verified)",
    "attribution": "Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
                   "Review of International Economics 23: 575–605",
}]
LIC_QUOTE = [{
    "name": "quotation-with-citation",
    "path": "",
    "title": "Single figures quoted from the cited publications (§ 51 UrhG quotation); "
             "each row names its publisher and URL",
    "attribution": "see the columns publisher/source and url of each row",
}]

SRC_IOT = {
    "title": "Input-Output-Rechnung: Symmetrische Input-Output-Tabelle (Gütergruppen × Gütergruppen), "
             "inländische Produktion, Herstellungspreise, 72 Gütergruppen (CPA 2008)",
    "publisher": "Statistisches Bundesamt (Destatis)",
    "path": "https://www-genesis.destatis.de/genesis/online",
    "year": 2019,
    "table": "GENESIS table family 81511 (Input-Output-Rechnung; Fachserie 18 Reihe 2). "
             "Exact table code not verified.",
}
SRC_REGIO_SVB = {
    "title": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Geschlecht, Nationalität und "
             "Wirtschaftszweigen (WZ 2008) – Stichtag 30.06. – Kreise und krfr. Städte",
    "publisher": "Statistische Ämter des Bundes und der Länder (Regionaldatenbank Deutschland), "
                 "based on Beschäftigungsstatistik der Bundesagentur für Arbeit",
    "path": "https://www.regionalstatistik.de/genesis/online?operation=table&code=13111-07-05-4",
    "year": 2021,
    "table": "13111-07-05-4",
}
SRC_WIOD = {
    "title": "WIOD Socio-Economic Accounts (SEA), release November 2016, Germany",
    "publisher": "World Input-Output Database, Groningen Growth and Development Centre, University of Groningen",
    "path": "https://doi.org/10.34894/PJ2M1C",
    "year": 2016,
    "table": "WIOD_SEA_Nov16.xlsx, sheet DATA, variable EMP (persons engaged), DEU, 2014",
}
SRC_BA_SVB = {
    "title": "Beschäftigungsstatistik: sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Kreisen "
             "(Sonderauswertung, Auftragsnummer 317-408036), sums over all Kreise 2014 and 2019",
    "publisher": "Statistik der Bundesagentur für Arbeit",
    "path": "https://statistik.arbeitsagentur.de",
    "year": 2026,
    "table": "Sonderauswertung 317-408036 (used only for the scaling factor 2014→2019)",
}
SRC_KBA_FZ10 = {
    "title": "Neuzulassungen von Personenkraftwagen nach Marken und Modellreihen (FZ 10), monthly",
    "publisher": "Kraftfahrt-Bundesamt (KBA)",
    "path": "https://www.kba.de/SharedDocs/Downloads/DE/Statistik/Fahrzeuge/FZ10/",
    "year": 2026,
    "table": "FZ 10 (monthly files 2017-01 to 2026-06; the file URL of each month is in the column source_url)",
}
SRC_KBA_PM = {
    "title": "Pressemitteilungen / Jahresbilanz der Neuzulassungen and Fahrzeugbestand",
    "publisher": "Kraftfahrt-Bundesamt (KBA)",
    "path": "https://www.kba.de/DE/Statistik/Fahrzeuge/Neuzulassungen/n_jahresbilanz.html",
    "year": 2025,
    "table": "annual press releases (figures read in KBA pages or in news reports quoting KBA; page per row "
             "in source_url)",
}
SRC_BA_KLDB = {
    "title": "Klassifikation der Berufe 2010 (KldB 2010), überarbeitete Fassung 2020 – Berufshauptgruppen "
             "(2-Steller) and Berufsgruppen (3-Steller)",
    "publisher": "Bundesagentur für Arbeit",
    "path": "https://statistik.arbeitsagentur.de",
    "year": 2020,
    "table": "KldB 2010 Systematik (labels as used in BA statistics deliveries)",
}


# ---------------------------------------------------------------------------
# Model sectors
# ---------------------------------------------------------------------------
SECTORS = [
    # sector, label_de, label_en, wz2008, wz_group, check
    ("vehicles", "Fahrzeugbau (Kfz und Teile)", "Motor vehicles and parts", "29", "C", "part of C"),
    ("metals", "Metallerzeugung und -bearbeitung, Metallerzeugnisse", "Basic metals and fabricated metal products",
     "24-25", "C", "part of C"),
    ("machinery", "Maschinenbau", "Machinery and equipment", "28", "C", "part of C"),
    ("electrical", "Elektrotechnik und Elektronik (inkl. Batterien)",
     "Computer, electronic and optical products; electrical equipment (incl. batteries)", "26-27", "C", "part of C"),
    ("chemicals", "Chemie, Pharma, Gummi und Kunststoff", "Chemicals, pharmaceuticals, rubber and plastics",
     "20-22", "C", "part of C"),
    ("other_manufacturing", "Übriges Verarbeitendes Gewerbe (Nahrung, Textil, Holz, Papier, Mineralöl, Glas, "
     "sonstiger Fahrzeugbau, Möbel, Reparatur)", "Other manufacturing", "10-19, 23, 30-33", "C", "part of C"),
    ("energy_mining", "Energie- und Wasserversorgung, Entsorgung, Bergbau",
     "Mining and quarrying; energy and water supply; sewerage and waste", "B, D, E", "B-E", "B-E minus C"),
    ("agriculture", "Land- und Forstwirtschaft, Fischerei", "Agriculture, forestry and fishing", "A", "A", "A"),
    ("construction", "Baugewerbe", "Construction", "F", "F", "F"),
    ("trade_transport", "Handel, Verkehr, Gastgewerbe", "Trade, transport, accommodation and food", "G-I", "G-I",
     "G-I"),
    ("ict", "Information und Kommunikation", "Information and communication", "J", "J", "J"),
    ("business_services", "Finanz-, Immobilien- und Unternehmensdienstleistungen",
     "Finance, real estate and business services", "K, L, M-N", "", "K + L + M-N"),
    ("public_services", "Öffentliche Verwaltung, Erziehung, Gesundheit und Soziales",
     "Public administration, education, health and social work", "O-Q", "O-Q", "O-Q"),
    ("other_services", "Kunst, Unterhaltung, sonstige Dienstleistungen, private Haushalte",
     "Arts, entertainment, other services, households", "R-U", "R-U", "R-U"),
]

SECTOR_WZ = [
    ("vehicles", "C"), ("metals", "C"), ("machinery", "C"), ("electrical", "C"), ("chemicals", "C"),
    ("other_manufacturing", "C"), ("energy_mining", "B-E"), ("agriculture", "A"), ("construction", "F"),
    ("trade_transport", "G-I"), ("ict", "J"), ("business_services", "K"), ("business_services", "L"),
    ("business_services", "M-N"), ("public_services", "O-Q"), ("other_services", "R-U"),
]

WZ_GROUPS = [
    # code, label_de, label_en, parent, published label (abbreviated, as in 13111-07-05-4)
    ("TOTAL", "Insgesamt", "Total", "", "Insgesamt"),
    ("A", "Land- und Forstwirtschaft, Fischerei", "Agriculture, forestry and fishing", "TOTAL",
     "Land- und Forstwirtschaft, Fischerei (A)"),
    ("B-F", "Produzierendes Gewerbe", "Industry including construction", "TOTAL", "Produzierendes Gewerbe (B-F)"),
    ("B-E", "Produzierendes Gewerbe ohne Baugewerbe", "Industry excluding construction", "B-F",
     "Produzierendes Gewerbe ohne Baugewerbe (B-E)"),
    ("C", "Verarbeitendes Gewerbe", "Manufacturing", "B-E", "Verarbeitendes Gewerbe (C)"),
    ("F", "Baugewerbe", "Construction", "B-F", "Baugewerbe (F)"),
    ("G-U", "Dienstleistungsbereiche", "Services", "TOTAL", "Dienstleistungsbereiche (G-U)"),
    ("G-I", "Handel, Gastgewerbe, Verkehr", "Trade, accommodation and food, transport", "G-U",
     "Handel, Gastgewerbe, Verkehr (G-I)"),
    ("J", "Information und Kommunikation", "Information and communication", "G-U",
     "Information und Kommunikation (J)"),
    ("K", "Erbringung von Finanz- und Versicherungsdienstleistungen", "Financial and insurance activities", "G-U",
     "Erbringung von Finanz- und Vers.leistungen (K)"),
    ("L", "Grundstücks- und Wohnungswesen", "Real estate activities", "G-U", "Grundstücks- und Wohnungswesen (L)"),
    ("M-N", "Freiberufliche, wissenschaftliche und technische Dienstleistungen; sonstige wirtschaftliche "
     "Dienstleistungen", "Professional, scientific, technical, administrative and support services", "G-U",
     "Freiberufl,wissenschaftl. techn. Dienstl.,sonst.DL"),
    ("O-Q", "Öffentliche Verwaltung, Verteidigung, Sozialversicherung; Erziehung und Unterricht; Gesundheits- "
     "und Sozialwesen", "Public administration, defence, education, human health and social work", "G-U",
     "Öff.Verw.,Verteidig.,Sozialvers.,Erz.-u.Unterricht"),
    ("R-U", "Kunst, Unterhaltung und Erholung; sonstige Dienstleistungen; private Haushalte; exterritoriale "
     "Organisationen", "Arts, entertainment, other services, households, extraterritorial organisations", "G-U",
     "Kunst, Unterhaltung, Erholung, Priv. Haush.,usw."),
]

CPA_SECTOR = {
    "agriculture": ["CPA_01", "CPA_02", "CPA_03"],
    "energy_mining": ["CPA_05", "CPA_06", "CPA_07-09", "CPA_35.1,35.3", "CPA_35.2", "CPA_36", "CPA_37-39"],
    "other_manufacturing": ["CPA_10-12", "CPA_13-15", "CPA_16", "CPA_17", "CPA_18", "CPA_19", "CPA_23.1",
                            "CPA_23.2-9", "CPA_30", "CPA_31-32", "CPA_33"],
    "chemicals": ["CPA_20", "CPA_21", "CPA_22"],
    "metals": ["CPA_24.1-3", "CPA_24.4", "CPA_24.5", "CPA_25"],
    "electrical": ["CPA_26", "CPA_27"],
    "machinery": ["CPA_28"],
    "vehicles": ["CPA_29"],
    "construction": ["CPA_41", "CPA_42", "CPA_43"],
    "trade_transport": ["CPA_45", "CPA_46", "CPA_47", "CPA_49", "CPA_50", "CPA_51", "CPA_52", "CPA_53",
                        "CPA_55-56"],
    "ict": ["CPA_58", "CPA_59-60", "CPA_61", "CPA_62-63"],
    "business_services": ["CPA_64", "CPA_65", "CPA_66", "CPA_68", "CPA_69-70", "CPA_71", "CPA_72", "CPA_73",
                          "CPA_74-75", "CPA_77", "CPA_78", "CPA_79", "CPA_80-82"],
    "public_services": ["CPA_84.1-2", "CPA_84.3", "CPA_85", "CPA_86", "CPA_87-88"],
    "other_services": ["CPA_90-92", "CPA_93", "CPA_94", "CPA_95", "CPA_96", "CPA_97-98"],
}

KLDB2_LABELS = {  # KldB 2010 Berufshauptgruppen (BA); umlauts restored from a public transcription
    "01": "Angehörige der regulären Streitkräfte",
    "11": "Land-, Tier- und Forstwirtschaftsberufe",
    "12": "Gartenbauberufe und Floristik",
    "21": "Rohstoffgewinnung und -aufbereitung, Glas und Keramik",
    "22": "Kunststoff- und Holzherstellung und -verarbeitung",
    "23": "Papier- und Druckberufe, technische Mediengestaltung",
    "24": "Metallerzeugung und -bearbeitung, Metallbauberufe",
    "25": "Maschinen- und Fahrzeugtechnikberufe",
    "26": "Mechatronik-, Energie- und Elektroberufe",
    "27": "Technische Forschung, Entwicklung, Konstruktion und Produktionssteuerung",
    "28": "Textil- und Lederberufe",
    "29": "Lebensmittelherstellung und -verarbeitung",
    "31": "Bauplanungs-, Architektur- und Vermessungsberufe",
    "32": "Hoch- und Tiefbauberufe",
    "33": "(Innen-)Ausbauberufe",
    "34": "Gebäude- und versorgungstechnische Berufe",
    "41": "Mathematik-, Biologie-, Chemie- und Physikberufe",
    "42": "Geologie-, Geografie- und Umweltschutzberufe",
    "43": "Informatik-, Informations- und Kommunikationstechnologieberufe",
    "51": "Verkehrs- und Logistikberufe (ohne Fahrzeugführung)",
    "52": "Führer/innen von Fahrzeug- und Transportgeräten",
    "53": "Schutz-, Sicherheits- und Überwachungsberufe",
    "54": "Reinigungsberufe",
    "61": "Einkaufs-, Vertriebs- und Handelsberufe",
    "62": "Verkaufsberufe",
    "63": "Tourismus-, Hotel- und Gaststättenberufe",
    "71": "Berufe in Unternehmensführung und -organisation",
    "72": "Finanzdienstleistungs-, Rechnungswesen- und Steuerberatungsberufe",
    "73": "Berufe in Recht und Verwaltung",
    "81": "Medizinische Gesundheitsberufe",
    "82": "Nichtmedizinische Gesundheits-, Körperpflege- und Wellnessberufe",
    "83": "Erziehung, soziale und hauswirtschaftliche Berufe, Theologie",
    "84": "Lehrende und ausbildende Berufe",
    "91": "Sprach-, Literatur-, Geistes-, Gesellschafts- und Wirtschaftswissenschaften",
    "92": "Werbung, Marketing, kaufmännische und redaktionelle Medienberufe",
    "93": "Produktdesign, Kunsthandwerk, bildende Kunst, Musikinstrumentenbau",
    "94": "Darstellende und unterhaltende Berufe",
}

# ---------------------------------------------------------------------------
# KBA: figures checked against stored copies of public pages (search look-ups made
# when this script was written). field -> (value, status, url, note)
# status vocabulary: read | derived | consistent | consistent_indirect | read_conflict |
#                    unverified_estimate (value recalled, not found) | (empty value) not_found
# ---------------------------------------------------------------------------
U_KBA2017 = "https://www.kba.de/DE/Statistik/Fahrzeuge/Neuzulassungen/n_jahresbilanz.html"
KBA_OVERRIDES = {
    (2010, "hybrid_all"): (10611, "read_conflict",
                           "https://www.auto.de/magazin/untersuchung-alternative-antriebe-in-aller-munde-aber-in-kaum-einer-garage/",
                           "10,611 read (ACE analysis of KBA figures, auto.de); the value 10,661 held before was "
                           "recalled and not found; low/high span both"),
    (2012, "petrol"): (1560000, "read", "https://motor-talk.de/news/elektro-in-der-nische-t4368845.html",
                       "rounded (1.56 million), SpotPress quoting KBA"),
    (2012, "diesel"): (1490000, "read", "https://motor-talk.de/news/elektro-in-der-nische-t4368845.html",
                       "rounded (1.49 million), SpotPress quoting KBA"),
    (2014, "phev"): (4527, "read",
                     "https://www.automobil-produktion.de/hersteller/wirtschaft/elektromobilitaet-neuzulassungen-steigen-2014-um-25-prozent-112.html",
                     "4,527 plug-in hybrids 2014 (Schaufenster Elektromobilität release quoting KBA data)"),
    (2015, "phev"): (11101, "read", "https://ecomento.de/2016/01/07/elektroauto-zulassungszahlen-2015/",
                     "11,101 in the KBA press release (ecomento, electrive); 11,001 in one secondary table was a "
                     "transcription error"),
    (2015, "hybrid_all"): (33630, "read", "https://ecomento.de/2016/01/07/elektroauto-zulassungszahlen-2015/",
                           "33,630 hybrids, of which 11,101 plug-in"),
    (2016, "hybrid_all"): (47996, "read", "https://www.kba.de/DE/Statistik/Fahrzeuge/Neuzulassungen/n_jahresbilanz.html",
                           "KBA Jahresbilanz 2016"),
    (2017, "hybrid_all"): (84675, "read", U_KBA2017, "KBA Jahresbilanz 2017: 84,675 hybrids (+76.4 %)"),
    (2017, "phev"): (29436, "read", U_KBA2017, "KBA Jahresbilanz 2017: of which 29,436 plug-in hybrids (+114.2 %)"),
    (2017, "bev"): (25056, "read", U_KBA2017, "KBA Jahresbilanz 2017: 25,056 electric cars; equals the FZ10 sum"),
    (2018, "phev"): (31442, "consistent_indirect",
                     "https://www.firmenauto.de/pkw-zulassungen-europa-dieselflaute-alternativer-aufwind-11151369.html",
                     "exact count recalled; consistent with ACEA 2019 'about 45,000, +44 %' (45,348/31,442 = "
                     "+44.2 %); H1 2018 16,683 read (emobilitaet.online)"),
    (2018, "hybrid_all"): (130258, "unverified_estimate", "",
                           "recalled KBA Jahresbilanz 2018 figure, not found in stored pages; H1 2018 60,904 "
                           "read (emobilitaet.online)"),
    (2019, "phev"): (45348, "consistent",
                     "https://www.firmenauto.de/pkw-zulassungen-europa-dieselflaute-alternativer-aufwind-11151369.html",
                     "ACEA: Germany about 45,000 PHEV in 2019 (ACEA and KBA counts can differ slightly)"),
    (2020, "hybrid_all"): (527864, "unverified_estimate", "",
                           "recalled KBA Jahresbilanz 2020 figure, not found in stored pages"),
    (2021, "phev"): (325449, "consistent",
                     "https://teslamag.de/news/elektroauto-deutsche-neuzulassungen-2021-14-prozent-138-prozent-plus-tesla-44520",
                     "PHEV share 12.4 % read; 325,449/2,622,132 = 12.41 %"),
    (2022, "phev"): (362093, "read",
                     "https://www.inside-digital.de/news/totgesagte-leben-laenger-diese-autos-sind-neuer-kassenschlager",
                     "362,093 quoting KBA"),
    (2023, "phev"): (175724, "read",
                     "https://www.inside-digital.de/news/totgesagte-leben-laenger-diese-autos-sind-neuer-kassenschlager",
                     "175,724 quoting KBA; VDA BEV+PHEV 700,200 consistent"),
    (2024, "phev"): (191905, "consistent",
                     "https://www.inside-digital.de/news/totgesagte-leben-laenger-diese-autos-sind-neuer-kassenschlager",
                     "'fast 192.000', about +9 % (191,905/175,724 = +9.2 %)"),
}
# totals 2010-2016: exact values recalled, consistent with read rounded totals and growth rates
KBA_TOTAL_CHECK = {
    2010: ("https://heise.de/-1163374", "2.92 million, -23.4 % vs 2009 (heise/dpa quoting KBA)"),
    2011: ("https://autohaus.de/nachrichten/autohandel/bilanz-automarkt-waechst-um-neun-prozent-2745830",
           "3.17 million, +8.8 %"),
    2012: ("https://www.abendblatt.de/ratgeber/auto-motor/article112416581/Neuzulassungen-Gewinner-und-Verlierer-2012-in-Deutschland.html",
           "3.08 million, -2.9 %"),
    2013: ("https://www.abendblatt.de/wirtschaft/article123528864/Deutsche-kaufen-4-2-Prozent-weniger-Autos.html",
           "2.95 million, -4.2 %"),
    2014: ("https://wz.de./wirtschaft/zahl-der-neu-zugelassenen-elektroautos-nach-wie-vor-niedrig_aid-29316109",
           "3.04 million, +3 %"),
    2015: ("https://ecomento.de/2016/01/07/elektroauto-zulassungszahlen-2015/", "3.2 million, +5.6 %, +170,000"),
    2016: ("https://www.kba.de/DE/Statistik/Fahrzeuge/Neuzulassungen/n_jahresbilanz.html",
           "KBA Jahresbilanz 2016: 3.4 million, +4.5 %"),
    2017: (U_KBA2017, "KBA Jahresbilanz 2017: 3.44 million, +2.7 %; exact value = sum of the 12 FZ10 months"),
}
KBA_SHARES_2017 = {"petrol_share_pct": 57.7, "diesel_share_pct": 38.8}  # KBA Jahresbilanz 2017 (read)
KBA_2025_PHEV_GROWTH = 0.623  # +62.3 % vs 2024 (BR24 quoting KBA, read in the reference notes)

# BEV stock (1 January): checks made when this script was written
STOCK_OVERRIDES = {
    "2017-01-01": {"bev": (34022, "read",
                           "http://www.alle-autos-in.de/hintergrund/bericht_a54717.shtml",
                           "'erhöhten den Bestand zum Ende des Jahres auf 34.022' (KBA figures)"),
                   "total": (45803560, "read",
                             "https://www.hanser-automotive.de/news/uebersicht/artikel/der-fahrzeugbestand-am-1-januar-2017-3087798.html",
                             "KBA: Pkw 45,803,560")},
    "2019-01-01": {},
    "2020-01-01": {"bev": (136617, "read",
                           "https://www.kba.de/DE/Presse/Pressemitteilungen/2020/Fahrzeugbestand/pm06_fz_bestand_pm_komplett.html",
                           "KBA Pressemitteilung 6/2020: Elektro 136,617 (83,175 a year before); a newspaper's "
                           "135,617 is a misprint"),
                   "phev": (102175, "read",
                            "https://www.kba.de/DE/Presse/Pressemitteilungen/2020/Fahrzeugbestand/pm06_fz_bestand_pm_komplett.html",
                            "Plug-in-Hybride 102,175 (+52.5 %)"),
                   "total": (47715977, "read",
                             "https://www.kba.de/DE/Presse/Pressemitteilungen/2020/Fahrzeugbestand/pm06_fz_bestand_pm_komplett.html",
                             "Pkw 47,715,977")},
    "2021-01-01": {"total": (48248584, "read", "https://www.auto-motor-und-sport.de/verkehr/kfz-bestand-2020/",
                             "KBA: Pkw 48,248,584")},
    "2024-01-01": {"bev": (1408681, "read",
                           "https://www.electricar-magazin.de/post/stromer-legten-im-januar-2024-um-39-prozent-zu",
                           "1,408,681 (+39.1 %), quoting KBA"),
                   "phev": (921900, "read",
                            "https://mobil-e.net/anzahl-der-elektroautos-in-deutschland-von-2006-bis-januar-2024/",
                            "'etwa 921.900' (rounded; dpa: 922,000)")},
    "2025-01-01": {"bev": (1651643, "read",
                           "https://autogazette.de/pkw/bestand/mobilitaet/kba-zahl-der-fahrzeuge-im-vorjahr-leicht-gestiegen-989427505.html",
                           "SP-X quoting KBA: 1,651,643 (+17.2 %); the value 1,651,434 held before was recalled "
                           "and differs"),
                   "phev": (967000, "read", "https://databrief.de/?p=4812",
                            "'über 967.000' (rounded lower bound, quoting KBA)"),
                   "total": (49339166, "read",
                             "https://autogazette.de/pkw/bestand/mobilitaet/kba-zahl-der-fahrzeuge-im-vorjahr-leicht-gestiegen-989427505.html",
                             "KBA: Pkw 49,339,166")},
}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def fld(name, typ, desc, unit=None, **kw):
    f = {"name": name, "type": typ, "description": desc}
    if unit is not None:
        f["unit"] = unit
    f.update(kw)
    return f


INPUTS = Path(__file__).resolve().parent / "inputs"
"""Hand-curated tables and descriptors (not derived from the official tables): copied or merged by the build."""


def curated_resources(out: Path) -> list[dict]:
    """Copy the hand-curated national tables from ``data/build/inputs/`` and return their descriptors."""
    res = json.loads((INPUTS / "national_resources.json").read_text(encoding="utf-8"))
    for r in res:
        shutil.copyfile(INPUTS / r["path"], out / r["path"])
    return res


def write_csv(df: pd.DataFrame, path: Path):
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def leontief(Z: np.ndarray, x: np.ndarray):
    A = Z / x[None, :]
    L = np.linalg.inv(np.eye(len(x)) - A)
    resid = np.abs((np.eye(len(x)) - A) @ L - np.eye(len(x))).max()
    return A, L, resid


# ---------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------
def build_sectors(out: Path, ctx: dict):
    rows = [dict(sector=s, order=i + 1, label_de=de, label_en=en, wz2008=wz, wz_group=g, check=chk,
                 automotive=(s == "vehicles")) for i, (s, de, en, wz, g, chk) in enumerate(SECTORS)]
    df = pd.DataFrame(rows)
    df["automotive"] = df["automotive"].map({True: "true", False: "false"})
    write_csv(df, out / "sectors.csv")
    sw = pd.DataFrame(SECTOR_WZ, columns=["sector", "wz_group"])
    sw["note"] = ""
    sw.loc[sw.sector == "energy_mining", "note"] = ("adds up to B-E minus C (B-E contains C and the six "
                                                    "manufacturing sectors)")
    sw.loc[sw.sector == "business_services", "note"] = "business_services = K + L + M-N"
    write_csv(sw, out / "sector_wz.csv")
    wz = pd.DataFrame(WZ_GROUPS, columns=["wz_group", "label_de", "label_en", "parent", "label_published"])
    write_csv(wz, out / "wz_groups.csv")
    ctx["sectors"] = df
    return df, sw, wz


def read_io(ref: Path):
    d = refdata.read_csv(ref, "io_2019_domestic.csv")
    prod = refdata.read_csv(ref, "io_2019_products.csv")
    codes = list(prod["code"])
    assert len(codes) == 72 and codes[0] == "CPA_01"
    cell = d.set_index(["row_code", "col_code"])["value"]
    Z = np.array([[cell.get((r, c), 0) for c in codes] for r in codes], dtype=float)

    def row(r):
        return np.array([cell.get((r, c), np.nan) for c in codes], dtype=float)

    def col(c):
        return np.array([cell.get((r, c), np.nan) for r in codes], dtype=float)

    return d, prod, codes, Z, row, col


def build_io(ref: Path, out: Path, ctx: dict):
    d, prod, codes, Z, row, col = read_io(ref)
    labels = dict(zip(prod["code"], prod["label_de"]))
    # cpa_sector
    sec_of = {c: s for s, cs in CPA_SECTOR.items() for c in cs}
    missing = set(codes) - set(sec_of)
    extra = set(sec_of) - set(codes)
    assert not missing and not extra, (missing, extra)
    cs = pd.DataFrame({"cpa": codes, "label_de": [labels[c] for c in codes], "sector": [sec_of[c] for c in codes]})
    write_csv(cs, out / "cpa_sector.csv")

    # flows, long format, all 72x72 cells (zeros included so the matrix is complete)
    flows = pd.DataFrame([(codes[i], codes[j], int(Z[i, j])) for i in range(72) for j in range(72)],
                         columns=["row", "col", "value"])
    write_csv(flows, out / "io_2019_flows.csv")

    x = row("P1")
    imp, tls, gva, d1, d11 = row("IMP"), row("TLS"), row("B1G"), row("D1"), row("D11")
    tot_dom_pub = row("TOT_DOM")
    col_sum = Z.sum(axis=0)
    col_bal = col_sum + imp + tls + gva - x
    max_col_dev = float(np.abs(col_bal).max())
    max_totdom_dev = float(np.abs(col_sum - tot_dom_pub).max())
    fin = {k: col(k) for k in ["P3_S14", "P3_S15", "P3_S13", "P51G_EQ_OTH", "P51G_CONSTR", "P52_P53", "P6",
                                "TFD", "TOT_INT", "TU"]}
    row_bal = Z.sum(axis=1) + fin["TFD"] - x
    max_row_dev = float(np.abs(row_bal).max())
    fd_parts = sum(fin[k] for k in ["P3_S14", "P3_S15", "P3_S13", "P51G_EQ_OTH", "P51G_CONSTR", "P52_P53", "P6"])
    max_tfd_dev = float(np.abs(fd_parts - fin["TFD"]).max())

    # employment (WIOD SEA 2014 allocated to IO groups and scaled to 2019; see method)
    emp = refdata.read_csv(ref, "io_2019_employment_coefficients.csv").set_index("code")
    e2019 = emp.loc[codes, "employment_2019_est_persons"].to_numpy(dtype=float)
    eps = e2019 / x
    assert np.allclose(eps, emp.loc[codes, "jobs_per_eur_million_2019est"].to_numpy(), atol=1e-3)
    g = 30169379, 33402093  # SvB 2014 and 2019, sums over Kreise (BA), read in the reference
    g_factor = g[1] / g[0]

    A, L, resid = leontief(Z, x)
    typeI = L.sum(axis=0)
    emp_mult = eps @ L
    i29 = codes.index("CPA_29")

    products = pd.DataFrame({
        "cpa": codes,
        "label_de": [labels[c] for c in codes],
        "sector": [sec_of[c] for c in codes],
        "total_output": x.astype(int),
        "intermediate_inputs_domestic": col_sum.astype(int),
        "intermediate_inputs_imported": imp.astype(int),
        "net_taxes_on_products": tls.astype(int),
        "gva": gva.astype(int),
        "compensation_of_employees": d1.astype(int),
        "gross_wages_salaries": d11.astype(int),
        "intermediate_use_domestic": fin["TOT_INT"].astype(int),
        "household_consumption": fin["P3_S14"].astype(int),
        "npish_consumption": fin["P3_S15"].astype(int),
        "government_consumption": fin["P3_S13"].astype(int),
        "gfcf_equipment_other": fin["P51G_EQ_OTH"].astype(int),
        "gfcf_construction": fin["P51G_CONSTR"].astype(int),
        "changes_in_inventories": fin["P52_P53"].astype(int),
        "exports": fin["P6"].astype(int),
        "final_use_domestic": fin["TFD"].astype(int),
        "employment_persons": np.round(e2019).astype(int),
        "employment_persons_low": np.round(e2019 / g_factor).astype(int),
        "jobs_per_eur_million": np.round(eps, 4),
        "typeI_output_multiplier": np.round(typeI, 4),
        "typeI_employment_multiplier": np.round(emp_mult, 4),
        "wiod_industry": emp.loc[codes, "wiod_industry"].to_numpy(),
    })
    write_csv(products, out / "io_2019_products.csv")

    # 14-sector aggregation
    order = [s[0] for s in SECTORS]
    S = np.zeros((14, 72))
    for j, c in enumerate(codes):
        S[order.index(sec_of[c]), j] = 1
    Z14, x14 = S @ Z @ S.T, S @ x
    A14, L14, resid14 = leontief(Z14, x14)
    typeI14 = L14.sum(axis=0)
    hh_share = fin["P3_S14"].sum() / d1.sum()

    ctx.update(dict(
        io_codes=codes, max_col_dev=max_col_dev, max_row_dev=max_row_dev, max_totdom_dev=max_totdom_dev,
        max_tfd_dev=max_tfd_dev, typeI_29=float(typeI[i29]), typeI14=dict(zip(order, typeI14)),
        resid=float(resid), resid14=float(resid14), hh_share=float(hh_share), hh_total=float(fin["P3_S14"].sum()),
        d1_total=float(d1.sum()), emp_mult_29=float(emp_mult[i29]), eps_29=float(eps[i29]), g_factor=g_factor,
        emp_total=float(e2019.sum()), x_total=float(x.sum()), gva_total=float(gva.sum()),
        x14=dict(zip(order, x14)), n_flows=len(flows), n_nonzero=int((Z != 0).sum())))
    return cs, flows, products


def build_svb(ref: Path, out: Path, ctx: dict):
    s = refdata.read_csv(ref, "svb_wz_all_kreise.csv", dtype={"ags": str, "flag": str})
    s = s[s.ags == "DG"][["year", "wz_code", "value", "flag"]].rename(columns={"wz_code": "wz_group"})
    order = [w[0] for w in WZ_GROUPS]
    s["o"] = s.wz_group.map(order.index)
    s = s.sort_values(["year", "o"]).drop(columns="o")
    s["value"] = s["value"].astype("Int64")
    s["flag"] = s["flag"].fillna("")
    write_csv(s, out / "svb_germany.csv")
    # consistency of the published hierarchy
    p = s.pivot(index="year", columns="wz_group", values="value").astype(float)
    checks = {
        "TOTAL = A + B-F + G-U": (p["A"] + p["B-F"] + p["G-U"] - p["TOTAL"]).abs().max(),
        "B-F = B-E + F": (p["B-E"] + p["F"] - p["B-F"]).abs().max(),
        "G-U = G-I+J+K+L+M-N+O-Q+R-U": (p[["G-I", "J", "K", "L", "M-N", "O-Q", "R-U"]].sum(axis=1)
                                        - p["G-U"]).abs().max(),
        "C <= B-E": float((p["C"] > p["B-E"]).sum()),
    }
    ctx["svb_checks"] = {k: float(v) for k, v in checks.items()}
    gap = p["TOTAL"] - p["A"] - p["B-F"] - p["G-U"]
    ctx["svb_tot_gap_min"], ctx["svb_tot_gap_max"] = int(gap.min()), int(gap.max())
    ctx["svb_2020_total"] = int(p.loc[2020, "TOTAL"])
    return s


def build_kba(ref: Path, out: Path, ctx: dict):
    a = refdata.read_csv(ref, "calib_kba_annual.csv")
    fields = ["total", "petrol", "diesel", "hybrid_all", "phev", "bev", "fcev"]
    rows = []
    for _, r in a.iterrows():
        y = int(r.year)
        rec = {"year": y}
        urls, notes = [], []
        for f in fields:
            v = r.get(f)
            st = str(r.get(f + "_status", "") or "")
            v = None if (v is None or (isinstance(v, float) and math.isnan(v))) else int(v)
            st = "" if st == "nan" else st
            # normalise reference statuses
            if st.startswith("derived"):
                st = "derived"
            elif st.startswith("read"):
                st = "read"
            elif st == "not found":
                st = "not_found"
            elif st == "recalled":
                st = "unverified_estimate"
            if f == "total" and y in KBA_TOTAL_CHECK and st != "derived":
                st = "consistent"
                urls.append(KBA_TOTAL_CHECK[y][0])
                notes.append(f"total: exact value recalled, consistent with {KBA_TOTAL_CHECK[y][1]}")
            if f == "total" and y == 2017:
                urls.append(KBA_TOTAL_CHECK[y][0])
            if f == "bev" and y in (2010, 2011) and st == "unverified_estimate":
                st = "read"  # confirmed (automobilwoche / autohaus.de quoting KBA), calib_kba_annual_verified.csv
                urls.append({2010: "https://drupal-prod.automobilwoche.de/node/359716",
                             2011: "https://autohaus.de/nachrichten/autohandel/bilanz-automarkt-waechst-um-neun-prozent-2745830"}[y])
            if f == "hybrid_all" and y == 2011 and st == "unverified_estimate":
                st = "read"
            if (y, f) in KBA_OVERRIDES:
                v, st, u, n = KBA_OVERRIDES[(y, f)]
                if u:
                    urls.append(u)
                notes.append(f"{f}: {n}")
            if v is None and f != "fcev" and st != "not_found":
                st = "" if v is None else st
            if f == "fcev":
                st = "not_found"
            rec[f] = v
            rec[f + "_status"] = st if v is not None or f == "fcev" else ""
        # 2025 PHEV derived from the read growth rate
        if y == 2025:
            base = KBA_OVERRIDES[(2024, "phev")][0]
            rec["phev"] = int(round(base * (1 + KBA_2025_PHEV_GROWTH)))
            rec["phev_status"] = "derived"
            notes.append("phev: derived = 2024 PHEV 191,905 × (1 + 62.3 %), growth rate read (BR24 quoting KBA); "
                         "low/high from rounding of the rate (62.25–62.35 %) only")
        # shares (read)
        for sh in ["petrol_share_pct", "diesel_share_pct", "hybrid_all_share_pct"]:
            v = r.get(sh)
            rec[sh] = None if pd.isna(v) else float(v)
        if y == 2017:
            rec.update(KBA_SHARES_2017)
        # ranges
        for f in ["bev", "phev", "hybrid_all"]:
            v, st = rec[f], rec[f + "_status"]
            lo = hi = None
            if v is not None:
                if st in ("unverified_estimate", "consistent_indirect"):
                    lo, hi = int(round(v * 0.9)), int(round(v * 1.1))
                elif st == "read_conflict":
                    lo, hi = 10611, 10661
                elif y == 2025 and f == "phev":
                    lo = int(round(191905 * 1.6225))
                    hi = int(round(191905 * 1.6235))
            rec[f + "_low"], rec[f + "_high"] = lo, hi
        stats = {rec[f + "_status"] for f in fields if rec[f] is not None}
        weak = sorted(stats - {"read", "derived"})
        if "unverified_estimate" in stats:
            rec["status"] = "unverified_estimate"
        elif weak:
            rec["status"] = "verified (" + "/".join(weak) + " fields)"
        else:
            rec["status"] = "read_or_derived"
        ref_urls = [u.strip() for u in str(r.source_url).split("|") if u.strip() and u.strip() != "nan"]
        rec["source_url"] = " | ".join(dict.fromkeys(ref_urls + urls))
        pre = ("collection note (statuses before this build's checks, superseded by the *_status columns): "
               + str(r.note)) if str(r.note) != "nan" else ""
        rec["note"] = "; ".join([n for n in notes] + ([pre] if pre else []))
        rows.append(rec)
    cols = (["year", "total", "petrol", "diesel", "hybrid_all", "phev", "bev", "fcev", "status", "source_url",
             "note"] + [f + "_status" for f in fields] + ["bev_low", "bev_high", "phev_low", "phev_high",
                                                          "hybrid_all_low", "hybrid_all_high", "petrol_share_pct",
                                                          "diesel_share_pct", "hybrid_all_share_pct"])
    ann = pd.DataFrame(rows)[cols]
    for c in ["total", "petrol", "diesel", "hybrid_all", "phev", "bev", "fcev", "bev_low", "bev_high", "phev_low",
              "phev_high", "hybrid_all_low", "hybrid_all_high"]:
        ann[c] = ann[c].astype("Int64")
    write_csv(ann, out / "kba_registrations_annual.csv")

    m = refdata.read_csv(ref, "calib_kba_monthly.csv")
    mon = m[["year", "month", "total", "bev", "phev", "hybrid_all", "petrol", "diesel", "status", "source_url"]].copy()
    for c in ["phev", "hybrid_all", "petrol", "diesel"]:
        mon[c] = mon[c].astype("Int64")
    mon["note"] = np.where(mon.status.str.contains("read"),
                           "phev/hybrid_all/petrol/diesel read in a news report of the KBA monthly press release "
                           "(second URL)", "")
    write_csv(mon, out / "kba_registrations_monthly.csv")
    # check: monthly sums equal annual derived totals
    ms = mon.groupby("year")[["total", "bev"]].sum()
    dev = []
    for y in range(2017, 2026):
        dev.append(abs(int(ms.loc[y, "total"]) - int(ann.set_index("year").loc[y, "total"])))
        dev.append(abs(int(ms.loc[y, "bev"]) - int(ann.set_index("year").loc[y, "bev"])))
    ctx["kba_month_vs_year_maxdev"] = max(dev)

    st = refdata.read_csv(ref, "kba_bev_stock.csv", dtype={"region_code": str})
    st = st[st.level == "national"]
    srows = []
    for _, r in st.iterrows():
        rec = {"date": r.date, "bev": int(r.bev), "phev": None if pd.isna(r.phev) else int(r.phev),
               "total": None if pd.isna(r.total_pkw) else int(r.total_pkw)}
        stat = {"bev": r.status, "phev": "read" if rec["phev"] is not None else "",
                "total": "read" if rec["total"] is not None else ""}
        urls = [r.source_url]
        notes = ["collection note (before this build's checks): " + str(r.note)]
        for f, (v, s_, u, n) in STOCK_OVERRIDES.get(r.date, {}).items():
            rec[f] = v
            stat[f] = s_
            urls.append(u)
            notes.append(f"{f}: {n}")
        if stat["bev"] == "recalled":
            stat["bev"] = "unverified_estimate"
        rec["bev_status"], rec["phev_status"], rec["total_status"] = stat["bev"], stat["phev"], stat["total"]
        rec["status"] = "unverified_estimate" if "unverified_estimate" in stat.values() else (
            "derived" if stat["bev"] == "derived" else "read")
        rec["source_url"] = " | ".join(dict.fromkeys(u for u in urls if isinstance(u, str) and u))
        rec["note"] = "; ".join(notes)
        srows.append(rec)
    stock = pd.DataFrame(srows)[["date", "bev", "phev", "total", "status", "source_url", "note", "bev_status",
                                 "phev_status", "total_status"]]
    for c in ["bev", "phev", "total"]:
        stock[c] = stock[c].astype("Int64")
    write_csv(stock, out / "bev_stock_germany.csv")
    ctx["kba_unverified"] = [(int(r.year), f, int(r[f])) for _, r in ann.iterrows()
                             for f in fields if r[f + "_status"] == "unverified_estimate"]
    ctx["stock_unverified"] = list(stock.loc[stock.status == "unverified_estimate", "date"])
    return ann, mon, stock


BOUNDARY = {
    "elab2_net": "powertrain", "elab2_new": "powertrain", "elab2_affected": "powertrain",
    "iab2018_total": "economy_wide", "iab2018_vehicle": "vehicle_manufacturing", "iab2018_new": "economy_wide",
    "iab2020_regional": "economy_wide_by_region", "ifo2021_ice_jobs": "ice_linked_industry",
    "ifo2021_2025": "ice_linked_industry", "ifo2021_2030": "ice_linked_industry",
    "ifo2017_ban": "ice_linked_industry", "prognos2024_net": "automotive_industry",
    "npm_ag4_2020": "automotive_value_chain", "bcg2020_vehicle": "whole_vehicle",
    "bcg2020_powertrain": "engine_drive", "bcg_agora2021": "automotive_and_ev_related_industries",
    "bcg2021_eu": "automotive_value_chain_europe", "vw_id3_hours": "oem_assembly",
    "mfive_2035": "vehicle_manufacturing", "ecf2017": "economy_wide", "bundestag_wd5_2019": "literature_review",
}


def build_studies(ref: Path, out: Path, ctx: dict):
    s = refdata.read_csv(ref, "studies.csv", dtype=str)
    s = s[s.status != "not found"].copy()
    val, lo, hi = [], [], []
    for v in s.value.fillna(""):
        if " to " in v:
            a_, b_ = [float(t) for t in v.split(" to ")]
            val.append(None)
            lo.append(min(a_, b_))
            hi.append(max(a_, b_))
        elif v:
            val.append(float(v))
            lo.append(None)
            hi.append(None)
        else:
            val.append(None)
            lo.append(None)
            hi.append(None)
    df = pd.DataFrame({
        "id": s.id, "publisher": s.publisher, "commissioned_by": s.commissioned_by.fillna(""),
        "year": s.pub_year.astype("Int64"), "title": s.title, "headline": s.headline,
        "value": val, "low": lo, "high": hi, "unit": s.unit.fillna(""),
        "boundary": s.id.map(BOUNDARY), "scope_note": s.scope_boundary.fillna(""),
        "base_year": pd.to_numeric(s.base_year, errors="coerce").astype("Int64"),
        "target_year": pd.to_numeric(s.target_year, errors="coerce").astype("Int64"),
        "assumptions": s.scenario_assumptions.fillna(""), "status": s.status, "url": s.url.fillna(""),
        "note": s.note.fillna(""),
    })
    assert df.boundary.notna().all(), df[df.boundary.isna()].id.tolist()
    write_csv(df, out / "studies.csv")
    return df


def build_labour(out: Path, ctx: dict):
    rows = [
        dict(id="bcg2020_whole_vehicle", source="Boston Consulting Group, Shifting Gears in Auto Manufacturing",
             year=2020, value=0.99, low=None, high=None, boundary="whole_vehicle", measure="labour_per_vehicle_ratio",
             status="read", url="https://www.bcg.com/publications/2020/transformative-impact-of-electric-vehicles-on-auto-manufacturing",
             note="labour for a complete BEV relative to an ICEV, every production step incl. battery cell, module "
                  "and pack counted"),
        dict(id="bcg2020_engine_drive", source="Boston Consulting Group, Shifting Gears in Auto Manufacturing",
             year=2020, value=round(1 / 3, 2), low=None, high=None, boundary="engine_drive",
             measure="labour_per_vehicle_ratio", status="derived",
             url="https://vl-automotive.com/study-debunks-myth-of-job-loss-due-to-e-car/",
             note="derived 1/3 from the read statement 'three employees for a diesel drive and only one employee "
                  "for an electric drive' (engine/drive unit only). Engine > 1,200 parts vs e-motor about 200 "
                  "(WirtschaftsWoche 2019) points the same way"),
        dict(id="vw_id3_vs_golf_hours", source="WirtschaftsWoche (VW insider), VW ID.3 fast 40 Prozent effizienter "
                                               "in der Produktion", year=2019, value=round(16 / 26, 2), low=None,
             high=None, boundary="oem_assembly", measure="labour_per_vehicle_ratio", status="derived",
             url="https://www.wiwo.de/unternehmen/auto/e-auto-von-volkswagen-vw-id-3-fast-40-prozent-effizienter-in-der-produktion/24156910.html",
             note="16 h per ID.3 (target) vs 26 h per Golf, both read; ratio 16/26 = 0.615 derived. Mixes "
                  "powertrain effect with plant/platform productivity (VW: e-mobility raises production "
                  "efficiency by 30 % across models)"),
        dict(id="vda_prognos2024_electric_drive", source="VDA (chief economist Kallweit) presenting Prognos for VDA, "
                                                         "Beschäftigungsperspektiven in der Automobilindustrie",
             year=2024, value=round(1 - 1 / 3, 2), low=None, high=None, boundary="powertrain",
             measure="labour_per_vehicle_ratio", status="derived",
             url="https://www.prognos.com/de/projekt/automobilindustrie-beschaeftigung",
             note="'labour need for the electric drive about one third lower' (read, approximate); 1 - 1/3 = 0.67 "
                  "derived; 'about' means the second decimal is not meaningful"),
        dict(id="elab2_powertrain_employment_2030", source="Fraunhofer IAO et al., ELAB 2.0 (for IG Metall)",
             year=2018, value=round((210000 - 75000) / 210000, 3), low=None, high=None, boundary="powertrain",
             measure="scenario_employment_ratio", status="derived",
             url="https://iao.fraunhofer.de/de/presse-und-medien/aktuelles/beschaeftigungssicherung-im-automobilbau.html",
             note="NOT a per-vehicle BEV/ICE ratio: powertrain-production employment 2030 relative to about 2017 "
                  "in the reference scenario (25 % BEV + 15 % PHEV in European OEM production, productivity "
                  "included): (210,000 - 75,000)/210,000, both read. ELAB 2.0 says about one third of jobs in "
                  "making the considered components would go. Its per-powertrain hours table was not found"),
    ]
    df = pd.DataFrame(rows)
    write_csv(df, out / "labour_intensity_evidence.csv")
    return df


def build_infra(ref: Path, out: Path, ctx: dict):
    p = refdata.read_csv(ref, "infrastructure_parameters.csv")
    rows = []
    for _, r in p.iterrows():
        lo, hi = r.value_low, r.value_high
        st = r.status
        note = str(r.note) if pd.notna(r.note) else ""
        if pd.isna(lo) and pd.isna(hi):
            value = None
            st = "not_found"
        elif lo == hi:
            value = lo
        else:
            value = (lo + hi) / 2
            note = (note + "; " if note else "") + "value = midpoint of the read range (derived)"
        where = str(r.where_found) if pd.notna(r.where_found) else ""
        url = ""
        for tok in where.replace(";", " ").split():
            if "." in tok and "/" in tok and not tok.startswith("pages"):
                url = tok if tok.startswith("http") else "https://" + tok.rstrip(",")
                break
        if not url:
            txt = (str(r.source) + " " + where).lower()
            for key, u in (("welt.de", "https://welt.de/motor/news/article162050815"),
                           ("finanznachrichten.de (2018-03)", "https://finanznachrichten.de/nachrichten-2018-03/43402522"),
                           ("eenews", "https://mobilityportal.eu/hpc-germany-billion-investment")):
                if key in txt:
                    url = u
                    break
        if not url and st != "not_found":
            note = (note + "; " if note else "") + "article URL not recorded in the collected material"
        rows.append(dict(item=r["item"], parameter=r["parameter"], value=value, low=lo, high=hi, unit=r.unit,
                         reference_year=r.reference_year, status=st, source=r.source, url=url,
                         note=(note + ("; " if note and url else "") + ("page address as recorded (shortened)" if url else "")).strip()))
    # the recalled electrolyser figure: not verified (one look-up found only the report's front matter)
    for rr in rows:
        if rr["parameter"] == "capex_electrolyser":
            rr.update(value=1850.0, low=1700.0, high=2000.0, unit="USD per kW (installed, outside China)",
                      reference_year="2022-2023", status="unverified_estimate",
                      source="IEA, Global Hydrogen Review 2023 (recalled, not verified)",
                      url="https://www.iea.org/energy-system/low-emissions-fuels/electrolysers",
                      note="recalled range USD 1,700-2,000 per kW outside China (lower in China); a look-up found "
                           "only the report's front matter, not the figure; value = midpoint; do not use without "
                           "checking")
    # derived per-point figures
    rows += [
        dict(item="grid reinforcement for charging (per charge point or per MW)", parameter="capex_grid_reinforcement",
             value=None, low=None, high=None, unit="EUR per MW", reference_year="", status="not_found",
             source="", url="", note="no figure found in stored copies (NOW/NLL, BDEW, ICCT cost tables not stored)"),
        dict(item="fast-charging (HPC) point, capex excl. medium-voltage connection", parameter="capex_hpc_point",
             value=100000.0, low=100000.0, high=100000.0, unit="EUR per charge point", reference_year="2018",
             status="derived", source="Finanznachrichten.de (2018-03), trade article", url="",
             note="200,000 EUR per station with 2 points and distribution cabinet / 2 (read inputs); add the "
                  "medium-voltage switchgear (300,000 EUR per site) where a new grid connection is needed"),
        dict(item="public support per HPC point, Deutschlandnetz and motorway lots", parameter="subsidy_hpc_point",
             value=round(1.8e9 / 8500), low=round(1.8e9 / 8500), high=round(350e6 / 952),
             unit="EUR per charge point", reference_year="2022-2023", status="derived",
             source="European Commission state-aid approvals as reported by eeNews Europe and mobilityportal.eu",
             url="", note="1.8 bn EUR / 8,500 points and 350 M EUR / 952 points (read inputs); covers construction "
                          "and operation, an upper bound for capex, not a capex figure"),
    ]
    df = pd.DataFrame(rows)
    write_csv(df, out / "infrastructure_costs.csv")
    ctx["infra_not_found"] = list(df.loc[df.status == "not_found", "parameter"])
    return df


def build_kldb(ref: Path, out: Path, ctx: dict):
    k = refdata.read_csv(ref, "kldb2010_3digit_labels.csv", dtype=str)
    k = k.rename(columns={"label": "label_de"})
    k["kldb2"] = np.where(k.kldb3.str.fullmatch(r"\d{3}"), k.kldb3.str[:2], "")
    # 011-014 (armed forces) belong to Berufshauptgruppe 01
    k["kldb2_label_de"] = k.kldb2.map(KLDB2_LABELS).fillna("")
    unknown = set(k.kldb2) - set(KLDB2_LABELS) - {""}
    assert not unknown, unknown
    write_csv(k[["kldb3", "label_de", "kldb2", "kldb2_label_de"]], out / "kldb_groups.csv")
    return k


def build_parameters(out: Path, ctx: dict):
    npm = (1 - 0.27) ** (1 / 13) - 1
    bcg = 1 / 1.008 - 1
    rows = [
        dict(parameter="flq_delta", value=0.3, low=0.2, high=0.35, unit="1",
             description="δ in Flegg's location quotient, λ* = [log2(1 + RE/NE)]^δ; larger δ = more regional "
                         "imports, smaller regional multipliers. 0.3 is the default suggested by Flegg & Webber "
                         "(1997); Flegg & Tohmo (2013, Finland, 20 regions) find δ varying by region size "
                         "(about 0.1-0.4). Run 0.2, 0.25, 0.3, 0.35 and report the spread",
             source="Flegg, A.T. & Tohmo, T. (2013), Regional input-output tables and the FLQ formula: a case study "
                    "of Finland, Regional Studies 47(5), 703-721; Flegg, A.T. & Webber, C.D. (1997), Regional "
                    "Studies 31(8), 795-805",
             url="https://doi.org/10.1080/00343404.2011.592138",
             status="estimate",
             note="bibliographic data of Flegg & Tohmo (2013) checked (econbiz, eprints.uwe.ac.uk); the δ values "
                  "themselves were not read in the stored excerpts (literature values as summarised in the "
                  "project's reference notes); range = sensitivity range, not a confidence interval"),
        dict(parameter="household_consumption_share_of_compensation", value=round(ctx["hh_share"], 4), low=None,
             high=None, unit="1",
             description="household final consumption of domestically produced products (P3_S14 column of the "
                         "domestic IO table) / compensation of employees (D1), Germany 2019. Closure for type II "
                         "multipliers: households spend this share of each extra euro of compensation on domestic "
                         "products, in the P3_S14 pattern",
             source="Statistisches Bundesamt (Destatis), Input-Output-Tabelle 2019, inländische Produktion",
             url="https://www-genesis.destatis.de/genesis/online", status="derived",
             note=f"{ctx['hh_total']:,.0f} / {ctx['d1_total']:,.0f} EUR million. One convention among several "
                  "(disposable income after taxes and saving would give a lower share)"),
        dict(parameter="npm_productivity_2017_2030", value=round(npm, 4), low=round(npm, 4), high=round(bcg, 4),
             unit="1 per year",
             description="annual change in automotive employment from productivity alone: NPM AG 4 finds -27 % "
                         "employment 2017→2030 even with only 1 % e-cars in production; (1 - 0.27)^(1/13) - 1. "
                         "high = BCG (2021) European productivity assumption +0.8 %/yr expressed as employment at "
                         "constant output (1/1.008 - 1)",
             source="Nationale Plattform Zukunft der Mobilität (NPM), AG 4, report of 2020 (reported by Dow Jones "
                    "News, Oct 2020); Boston Consulting Group (2021), E-mobility: A green boost for European "
                    "automotive jobs?",
             url="https://scribd.com/document/640970117/20210702-E-mobility-EU-Report-SUMMARY-vfinal",
             status="derived",
             note="the -27 % was read in a news copy quoted in the project's reference notes; that page was not "
                  "re-found in this build's look-ups (treat as unverified); the same report: -30 % with 30 % "
                  "PHEV + 20 % BEV, -39 % with 15 % PHEV + 30 % BEV in 2030 production"),
        dict(parameter="statutory_retirement_age", value=67, low=65, high=67, unit="years",
             description="Regelaltersgrenze: 67 for people born 1964 or later (§ 35 SGB VI); for cohorts "
                         "1947-1963 it rises stepwise from 65 + 1 month to 66 + 10 months (§ 235 SGB VI, "
                         "RV-Altersgrenzenanpassungsgesetz 2007). low = 65 (born before 1947)",
             source="Sozialgesetzbuch VI, §§ 35 and 235", url="https://www.gesetze-im-internet.de/sgb_6/__35.html",
             status="read",
             note="checked in stored copies of legal commentaries (haufe.de Jansen SGB VI § 235; "
                  "sozialversicherung-kompetent.de table of cohorts)"),
        dict(parameter="employment_scaling_2014_2019", value=round(ctx["g_factor"], 4), low=1.0,
             high=round(ctx["g_factor"], 4), unit="1",
             description="factor g applied to WIOD 2014 persons engaged to estimate 2019 employment per IO group "
                         "(io_2019_products.employment_persons): growth of SvB at the workplace 2014→2019 "
                         "(30,169,379 → 33,402,093, sums over all Kreise, suppressed cells excluded). low = 1 "
                         "(no growth; employment_persons_low)",
             source="Statistik der Bundesagentur für Arbeit (SvB by Kreis, Sonderauswertung 317-408036)",
             url="https://statistik.arbeitsagentur.de", status="derived",
             note="assumes equal growth in every industry; SvB grew faster than all persons employed, so g "
                  f"probably overstates 2019 employment by a few per cent (implied total {ctx['emp_total']:,.0f} "
                  "persons)"),
        dict(parameter="jobs_per_eur_million_cpa29", value=round(ctx["eps_29"], 3),
             low=round(ctx["eps_29"] / ctx["g_factor"], 3), high=round(ctx["eps_29"], 3),
             unit="persons per EUR million output",
             description="direct employment coefficient of CPA 29 (motor vehicles and parts), 2019 estimate",
             source="WIOD SEA 2016 (EMP 2014, C29) and Destatis IOT 2019 output", url="https://doi.org/10.34894/PJ2M1C",
             status="derived", note="846,000 persons (2014) × g / output 398,948 EUR million"),
        dict(parameter="typeI_employment_multiplier_cpa29", value=round(ctx["emp_mult_29"], 3),
             low=round(ctx["emp_mult_29"] / ctx["g_factor"], 3), high=round(ctx["emp_mult_29"], 3),
             unit="persons per EUR million final demand",
             description="jobs in the whole domestic economy per EUR million final demand for CPA 29: Σ_i ε_i L_i,29 "
                         "with L from io_2019_flows (72 groups)",
             source="computed from io_2019_flows.csv and io_2019_products.csv", url="", status="derived",
             note="low = g set to 1"),
        dict(parameter="ice_dependent_share_of_automotive_employment", value=0.25, low=0.196, high=0.519, unit="1",
             description="share of automotive-industry jobs that depend on the combustion powertrain. central: "
                         "ELAB 2.0 about 210,000 in powertrain production of about 840,000; low: IW Consult 2025 "
                         "about 235,000 of 1.2 million production-related; high: ifo 2017 436,000 directly "
                         "ICE-dependent / about 840,000 (concepts and years differ)",
             source="Fraunhofer IAO ELAB 2.0 (2018); IW Consult for BMWK (2025); ifo Institut for VDA (2017)",
             url="https://iao.fraunhofer.de/de/presse-und-medien/aktuelles/beschaeftigungssicherung-im-automobilbau.html",
             status="derived", note="ratios of read figures"),
        dict(parameter="retirement_share_ice_industry_2019_2030", value=round(147000 / 613000, 3), low=None,
             high=None, unit="1",
             description="share of the 613,000 persons making ICE-related products (2019) who leave by natural "
                         "fluctuation (retirement) by 2030: 147,000 / 613,000",
             source="ifo Institut (Falck, Czernich, Koenen) for VDA (2021), Auswirkungen der vermehrten Produktion "
                    "elektrisch betriebener Pkw auf die Beschäftigung in Deutschland",
             url="https://autoundwirtschaft.at/news/48752-jobkiller-elektroauto", status="derived",
             note="both inputs read (news report of the study); compare 215,000 jobs lost by 2030"),
        dict(parameter="labour_supply_change_2019_2035", value=-0.063, low=None, high=None, unit="1",
             description="demographic change of labour supply in Germany 2019→2035 used in the VDA/Prognos "
                         "employment outlook",
             source="Prognos AG for VDA (2024), Beschäftigungsperspektiven in der Automobilindustrie",
             url="https://www.prognos.com/de/projekt/automobilindustrie-beschaeftigung", status="read", note=""),
        dict(parameter="automotive_industry_employment_2019", value=911000, low=None, high=None, unit="persons",
             description="employees in the automotive industry (WZ 29), Germany, base of the Prognos/VDA 2024 "
                         "outlook (about 911,000)",
             source="Prognos AG for VDA (2024)", url="https://www.prognos.com/de/projekt/automobilindustrie-beschaeftigung",
             status="read", note="rounded ('about')"),
        dict(parameter="powertrain_jobs_per_million_powertrains_2017", value=17320, low=None, high=None,
             unit="persons per million powertrains",
             description="gross employment for one million powertrains in the 2017 mix (of which 15,220 on ICE, "
                         "1,660 on hybrid and 440 on electric vehicles); imported cells and magnets excluded",
             source="Fraunhofer IAO / DLR, ELAB 2.0, 2nd edition (2019)", url="https://scholar.archive.org",
             status="read", note="per-type intensities cannot be derived without the 2017 mix (not read)"),
        dict(parameter="bev_own_registration_share_2024", value=0.10, low=None, high=None, unit="1",
             description="share of BEV new registrations that were own registrations by manufacturers and dealers "
                         "(about 10 % in 2024); calibration caution for diffusion curves",
             source="electrive.net, 2025-01-21", url="https://www.electrive.net", status="read",
             note="'about'; page address as recorded in the reference notes (article URL not recorded)"),
    ]
    # hand-curated rows (data/build/inputs/national_parameters.csv: checked by hand, with their sources)
    curated = pd.read_csv(INPUTS / "national_parameters.csv", keep_default_na=False, dtype=str)
    df = pd.concat([pd.DataFrame(rows), curated.astype({"value": float, "low": float, "high": float})],
                   ignore_index=True)
    write_csv(df, out / "parameters.csv")
    ctx["npm"] = npm
    return df


# ---------------------------------------------------------------------------
# datapackage
# ---------------------------------------------------------------------------
def schema_from(df: pd.DataFrame, spec: dict):
    fields = []
    for c in df.columns:
        t, d, u = spec[c]
        fields.append(fld(c, t, d, u))
    return {"fields": fields}


def resources(ctx, frames):
    R = []
    S = "string"
    I = "integer"
    N = "number"

    sectors, sw, wz, cs, flows, products, svb, ann, mon, stock, studies, lab, infra, kldb, par = frames

    R.append(dict(
        name="sectors", path="sectors.csv", title="The 14 model sectors",
        description="retra's 14 sectors: WZ 2008 groups with the automotive chain split out; one vocabulary for "
                    "district tables and the input-output table. wz_group is the published group the sector adds "
                    "up to where that is a single group; the authoritative mapping (incl. business_services = K + "
                    "L + M-N) is sector_wz.csv. energy_mining is checked against B-E minus C.",
        schema=schema_from(sectors, {
            "sector": (S, "sector code", None), "order": (I, "display order", None),
            "label_de": (S, "German label", None), "label_en": (S, "English label", None),
            "wz2008": (S, "WZ 2008 divisions/sections covered", None),
            "wz_group": (S, "published WZ group (wz_groups.csv) the sector belongs to; empty for business_services "
                            "(three groups, see sector_wz.csv)", None),
            "check": (S, "how the published figure is formed from the groups", None),
            "automotive": ("boolean", "true only for vehicles (WZ 29)", None)}),
        sources=[{"title": "Klassifikation der Wirtschaftszweige, Ausgabe 2008 (WZ 2008)",
                  "publisher": "Statistisches Bundesamt (Destatis)",
                  "path": "https://www.destatis.de",
                  "year": 2008, "table": "WZ 2008 sections and divisions"}],
        licenses=lic_destatis("© Statistisches Bundesamt (Destatis), WZ 2008"),
        status="derived: classification defined for retra from WZ 2008 (data/README.md)"))
    R.append(dict(
        name="sector_wz", path="sector_wz.csv", title="Model sector → published WZ group",
        description="One row per (sector, published WZ group). The six manufacturing sectors add up to C; "
                    "business_services = K + L + M-N; energy_mining = B-E − C (its row names B-E, the note says "
                    "minus C); the others equal their group.",
        schema=schema_from(sw, {"sector": (S, "sector code (sectors.csv)", None),
                                "wz_group": (S, "published WZ group (wz_groups.csv)", None),
                                "note": (S, "special rule", None)}),
        sources=R[0]["sources"], licenses=R[0]["licenses"], status="derived (classification)"))
    R.append(dict(
        name="wz_groups", path="wz_groups.csv", title="Published WZ 2008 groups and their hierarchy",
        description="Groups published in Regionalstatistik 13111-07-05-4 (SvB by WZ 2008) with parent: TOTAL; A, "
                    "B-F, G-U under TOTAL; B-E and F under B-F; C under B-E; G-I, J, K, L, M-N, O-Q, R-U under G-U. "
                    "label_published is the (abbreviated) label of the table.",
        schema=schema_from(wz, {"wz_group": (S, "group code", None), "label_de": (S, "German label", None),
                                "label_en": (S, "English label", None),
                                "parent": (S, "parent group (empty for TOTAL)", None),
                                "label_published": (S, "label as published in 13111-07-05-4", None)}),
        sources=[SRC_REGIO_SVB], licenses=LIC_REGIO, status="read (labels, codes assigned; M-N, O-Q, R-U codes "
                                                            "confirmed by G-U = sum of its parts)"))
    R.append(dict(
        name="cpa_sector", path="cpa_sector.csv", title="IO product groups (CPA 2008) → model sector",
        description="The 72 product groups of the Destatis IO table 2019 mapped to the 14 sectors. Differences to "
                    "a generic 14-sector aggregation: CPA 55-56 (accommodation and food) is in trade_transport "
                    "because district data publish G-I together; mining (05, 06, 07-09) is with energy and water "
                    "(35-39) in energy_mining; agriculture is 01-03 only; 64-82 business_services; 84-88 "
                    "public_services; 90-98 other_services.",
        schema=schema_from(cs, {"cpa": (S, "CPA code as in io_2019_flows.csv", None),
                                "label_de": (S, "Destatis label (abbreviated as published)", None),
                                "sector": (S, "model sector (sectors.csv)", None)}),
        sources=[SRC_IOT], licenses=lic_destatis(), status="derived (mapping); labels read"))
    R.append(dict(
        name="io_2019_flows", path="io_2019_flows.csv",
        title="Domestic intermediate flows 2019, 72 × 72 product groups (EUR million)",
        description="Quadrant I of the symmetric IO table 2019 (product by product), domestic production only, "
                    "basic prices: value = deliveries of domestically produced product `row` used as input for "
                    f"producing `col`. All {ctx['n_flows']} cells are listed ({ctx['n_nonzero']} non-zero); '-' in "
                    "the source is 0. Imports are one row in io_2019_products (intermediate_inputs_imported). "
                    f"Column identity: Σ_row value + imports + net taxes + GVA = output, max |deviation| "
                    f"{ctx['max_col_dev']:.0f} EUR million; row identity: Σ_col value + final use = output, max "
                    f"|deviation| {ctx['max_row_dev']:.0f}. Type I output multiplier of CPA_29 (A = Z/x, "
                    f"L = (I−A)⁻¹, column sum): {ctx['typeI_29']:.3f} at 72 groups, "
                    f"{ctx['typeI14']['vehicles']:.3f} for vehicles at the 14 model sectors.",
        schema=schema_from(flows, {"row": (S, "supplying product group (CPA)", None),
                                   "col": (S, "using product group (CPA)", None),
                                   "value": (I, "intermediate flow", "EUR million")}),
        sources=[SRC_IOT], licenses=lic_destatis(),
        status="read (values unchanged, reshaped to long format; CPA codes matched to the German labels). "
               "Copy used: the Destatis export as republished in a public repository; every published subtotal "
               "reproduces exactly"))
    R.append(dict(
        name="io_2019_products", path="io_2019_products.csv",
        title="IO 2019 per product group: output, inputs, GVA, final use, employment",
        description="Per product group (EUR million, 2019, domestic production): output and its cost structure "
                    "(domestic and imported intermediate inputs, net taxes on products, GVA, compensation), "
                    "intermediate and final use of domestic output split into household, NPISH and government "
                    "consumption, GFCF, inventories and exports (final-demand columns ARE in the table). "
                    "employment_persons is an estimate: WIOD SEA persons engaged 2014 per industry, split over IO "
                    "groups of the same industry by 2019 compensation, scaled by g = "
                    f"{ctx['g_factor']:.4f} (SvB growth 2014→2019); employment_persons_low uses g = 1. Check: max "
                    f"|Σ flows + imports + net taxes + GVA − output| = {ctx['max_col_dev']:.0f}; max |Σ flows − "
                    f"published TOT_DOM| = {ctx['max_totdom_dev']:.0f}; max |Σ final-use parts − TFD| = "
                    f"{ctx['max_tfd_dev']:.0f}. Multipliers computed from io_2019_flows (inversion residual "
                    f"{ctx['resid']:.1e}).",
        schema=schema_from(products, {
            "cpa": (S, "CPA code", None), "label_de": (S, "Destatis label", None),
            "sector": (S, "model sector", None),
            "total_output": (I, "output at basic prices (P1)", "EUR million"),
            "intermediate_inputs_domestic": (I, "column sum of domestic flows (TOT_DOM)", "EUR million"),
            "intermediate_inputs_imported": (I, "imported intermediate inputs (IMP)", "EUR million"),
            "net_taxes_on_products": (I, "net taxes on products used as inputs (TLS)", "EUR million"),
            "gva": (I, "gross value added (B1G)", "EUR million"),
            "compensation_of_employees": (I, "compensation of employees (D1)", "EUR million"),
            "gross_wages_salaries": (I, "gross wages and salaries (D11)", "EUR million"),
            "intermediate_use_domestic": (I, "intermediate use of the domestic output (TOT_INT)", "EUR million"),
            "household_consumption": (I, "household final consumption of domestic output (P3_S14)", "EUR million"),
            "npish_consumption": (I, "NPISH final consumption (P3_S15)", "EUR million"),
            "government_consumption": (I, "government final consumption (P3_S13)", "EUR million"),
            "gfcf_equipment_other": (I, "GFCF in equipment and other assets", "EUR million"),
            "gfcf_construction": (I, "GFCF in construction", "EUR million"),
            "changes_in_inventories": (I, "changes in inventories and valuables (P52_P53)", "EUR million"),
            "exports": (I, "exports of domestic output (P6)", "EUR million"),
            "final_use_domestic": (I, "total final use of domestic output (TFD)", "EUR million"),
            "employment_persons": (I, "persons engaged 2019, estimate (see description)", "persons"),
            "employment_persons_low": (I, "same with g = 1 (no growth since 2014)", "persons"),
            "jobs_per_eur_million": (N, "employment_persons / total_output", "persons per EUR million"),
            "typeI_output_multiplier": (N, "column sum of L (72 groups)", "1"),
            "typeI_employment_multiplier": (N, "Σ_i jobs_per_eur_million_i · L_ij", "persons per EUR million final demand"),
            "wiod_industry": (S, "WIOD industry the employment was taken from", None)}),
        sources=[SRC_IOT, SRC_WIOD, SRC_BA_SVB], licenses=lic_destatis() + LIC_WIOD + LIC_BA,
        status="read (monetary columns); derived (employment, coefficients, multipliers; method in description)"))
    R.append(dict(
        name="svb_germany", path="svb_germany.csv",
        title="Employees subject to social insurance (SvB) at the workplace, Germany, by WZ group, 30 June 2015-2020",
        description="Germany rows (DG) of Regionalstatistik 13111-07-05-4. Checks: TOTAL exceeds A + B-F + G-U "
                    f"by {ctx['svb_tot_gap_min']:,}-{ctx['svb_tot_gap_max']:,} persons a year (presumably employees "
                    "without a WZ assignment, counted only in TOTAL; do not expect the sectors to sum exactly to "
                    "TOTAL), B-F = B-E + F (max dev "
                    f"{ctx['svb_checks']['B-F = B-E + F']:.0f}), G-U = sum of its 7 groups (max dev "
                    f"{ctx['svb_checks']['G-U = G-I+J+K+L+M-N+O-Q+R-U']:.0f}).",
        schema=schema_from(svb, {"year": (I, "year (reference date 30 June)", None),
                                 "wz_group": (S, "WZ group (wz_groups.csv)", None),
                                 "value": (I, "SvB at the workplace", "persons"),
                                 "flag": (S, "'.' suppressed, '-' nothing; empty when value is given", None)}),
        sources=[SRC_REGIO_SVB], licenses=LIC_REGIO, status="read (values and flags unchanged)"))
    kba_status = ("read/derived/consistent/unverified_estimate per field (columns *_status). read = seen in a KBA "
                  "page or a report quoting KBA; derived = sum of the 12 monthly FZ10 values (2017-2025) or stated "
                  "in note; consistent = exact value from memory but agrees with a read rounded figure and growth "
                  "rate; consistent_indirect = agrees only via a related read figure; read_conflict = sources "
                  "disagree, low/high span them; unverified_estimate = not found, low/high = ±10 %.")
    R.append(dict(
        name="kba_registrations_annual", path="kba_registrations_annual.csv",
        title="New passenger-car registrations in Germany by powertrain, 2010-2025",
        description="KBA new registrations (Neuzulassungen) of passenger cars. hybrid_all includes plug-in hybrids "
                    "(KBA 'Hybrid, darunter Plug-in'); plug-ins were not counted separately before 2013. fcev: not "
                    "found. 2015 phev corrected to 11,101 (KBA press release). BEV registrations include own "
                    "registrations by manufacturers/dealers (about 10 % in 2024) and later re-exports. "
                    f"Check: sums of the monthly file equal the annual total and bev 2017-2025 (max dev "
                    f"{ctx['kba_month_vs_year_maxdev']}). " + kba_status,
        schema=schema_from(ann, {
            "year": (I, "calendar year", None), "total": (I, "all new passenger cars", "vehicles"),
            "petrol": (I, "petrol (Benzin)", "vehicles"), "diesel": (I, "diesel", "vehicles"),
            "hybrid_all": (I, "hybrids incl. plug-in hybrids", "vehicles"), "phev": (I, "plug-in hybrids", "vehicles"),
            "bev": (I, "battery-electric (Elektro)", "vehicles"), "fcev": (I, "fuel cell (not found)", "vehicles"),
            "status": (S, "row summary of the field statuses", None),
            "source_url": (S, "pages read (' | ' separated)", None), "note": (S, "evidence and methods", None),
            "total_status": (S, "status of total", None), "petrol_status": (S, "status of petrol", None),
            "diesel_status": (S, "status of diesel", None), "hybrid_all_status": (S, "status of hybrid_all", None),
            "phev_status": (S, "status of phev", None), "bev_status": (S, "status of bev", None),
            "fcev_status": (S, "status of fcev", None),
            "bev_low": (I, "low end where bev is not read/derived", "vehicles"),
            "bev_high": (I, "high end", "vehicles"), "phev_low": (I, "low end where phev is uncertain", "vehicles"),
            "phev_high": (I, "high end", "vehicles"),
            "hybrid_all_low": (I, "low end where hybrid_all is uncertain", "vehicles"),
            "hybrid_all_high": (I, "high end", "vehicles"),
            "petrol_share_pct": (N, "petrol share of total (read)", "percent"),
            "diesel_share_pct": (N, "diesel share of total (read)", "percent"),
            "hybrid_all_share_pct": (N, "hybrid share of total (read)", "percent")}),
        sources=[SRC_KBA_PM, SRC_KBA_FZ10], licenses=LIC_KBA, status=kba_status))
    R.append(dict(
        name="kba_registrations_monthly", path="kba_registrations_monthly.csv",
        title="Monthly new passenger-car registrations in Germany, total and BEV, 2017-01 to 2026-06",
        description="total = sum over brands, bev = sum over BEV models of KBA FZ 10 (monthly), as transcribed by "
                    "the Open-EV-Charts project (github.com/simonkrauter/Open-EV-Charts, data/data-DE.js); the "
                    "annual sums reproduce the KBA annual totals where read. phev/hybrid_all/petrol/diesel only "
                    "for the months where a report of the KBA press release was read.",
        schema=schema_from(mon, {"year": (I, "year", None), "month": (I, "month 1-12", None),
                                 "total": (I, "all new passenger cars", "vehicles"),
                                 "bev": (I, "battery-electric", "vehicles"),
                                 "phev": (I, "plug-in hybrids (few months)", "vehicles"),
                                 "hybrid_all": (I, "hybrids incl. plug-in (few months)", "vehicles"),
                                 "petrol": (I, "petrol (few months)", "vehicles"),
                                 "diesel": (I, "diesel (few months)", "vehicles"),
                                 "status": (S, "derived (sums of FZ 10); read for the extra columns", None),
                                 "source_url": (S, "KBA FZ 10 file of the month (| news report)", None),
                                 "note": (S, "note", None)}),
        sources=[SRC_KBA_FZ10], licenses=LIC_KBA, status="derived (sums of FZ 10 rows); extra columns read"))
    R.append(dict(
        name="bev_stock_germany", path="bev_stock_germany.csv",
        title="Stock of battery-electric passenger cars in Germany on 1 January, 2015-2025",
        description="KBA Fahrzeugbestand on 1 January: BEV, PHEV where read, all passenger cars (total) where read. "
                    "2015 derived (1.1.2016 stock minus the stated increase). 2025 BEV corrected to 1,651,643 "
                    "(read) from a recalled 1,651,434.",
        schema=schema_from(stock, {"date": ("date", "reference date (1 January)", None),
                                   "bev": (I, "BEV stock", "vehicles"), "phev": (I, "PHEV stock", "vehicles"),
                                   "total": (I, "all passenger cars", "vehicles"),
                                   "status": (S, "row status", None), "source_url": (S, "pages read", None),
                                   "note": (S, "evidence", None), "bev_status": (S, "status of bev", None),
                                   "phev_status": (S, "status of phev", None),
                                   "total_status": (S, "status of total", None)}),
        sources=[SRC_KBA_PM], licenses=LIC_KBA, status="read (one derived value); see status columns"))
    R.append(dict(
        name="studies", path="studies.csv", title="Published estimates of employment effects of electrification",
        description="One headline figure per row with scope boundary, horizon and assumptions. Only figures read "
                    "in stored copies of the publisher's page or of news reports about the study (see url). "
                    "value is empty where a range is given (low/high) or no figure was read (title-only rows).",
        schema=schema_from(studies, {
            "id": (S, "row id", None), "publisher": (S, "author/publisher", None),
            "commissioned_by": (S, "client", None), "year": (I, "publication year", None),
            "title": (S, "title", None), "headline": (S, "what the figure is", None),
            "value": (N, "headline figure (negative = jobs lost); unit in column unit", "see unit"),
            "low": (N, "low end of a published range", "see unit"), "high": (N, "high end", "see unit"),
            "unit": (S, "unit of value/low/high", None),
            "boundary": (S, "scope: powertrain | vehicle_manufacturing | automotive_industry | economy_wide | "
                            "ice_linked_industry | whole_vehicle | engine_drive | oem_assembly | ...", None),
            "scope_note": (S, "scope as stated", None), "base_year": (I, "base year", None),
            "target_year": (I, "target year", None), "assumptions": (S, "scenario assumptions", None),
            "status": (S, "read / derived / read (title only)", None), "url": (S, "page read", None),
            "note": (S, "note", None)}),
        sources=[{"title": "see column publisher/url of each row", "publisher": "various (Fraunhofer IAO, IAB/BIBB/GWS, "
                  "ifo, Prognos, NPM, BCG, M-Five, ECF/Cambridge Econometrics, Deutscher Bundestag)",
                  "path": "", "year": 2024, "table": ""}],
        licenses=LIC_QUOTE, status="read (figures), derived where stated"))
    R.append(dict(
        name="labour_intensity_evidence", path="labour_intensity_evidence.csv",
        title="Labour intensity of battery-electric vs combustion vehicles",
        description="Evidence on BEV labour / ICE labour. measure = labour_per_vehicle_ratio for per-vehicle "
                    "comparisons; scenario_employment_ratio for ELAB 2.0 (employment 2030 vs base in a mixed "
                    "scenario, not a per-vehicle ratio). Only read figures or ratios of read figures. The ELAB 2.0 "
                    "hours per powertrain type were not found.",
        schema=schema_from(lab, {"id": (S, "row id", None), "source": (S, "publisher and title", None),
                                 "year": (I, "publication year", None),
                                 "value": (N, "BEV labour / ICE labour", "1"), "low": (N, "low", "1"),
                                 "high": (N, "high", "1"),
                                 "boundary": (S, "engine_drive | powertrain | oem_assembly | whole_vehicle", None),
                                 "measure": (S, "kind of ratio", None), "status": (S, "read / derived", None),
                                 "url": (S, "page read", None), "note": (S, "method and caveats", None)}),
        sources=[{"title": "see column source/url", "publisher": "Boston Consulting Group; WirtschaftsWoche; "
                  "VDA/Prognos; Fraunhofer IAO", "path": "", "year": 2024, "table": ""}],
        licenses=LIC_QUOTE, status="read / derived (ratios of read figures)"))
    R.append(dict(
        name="infrastructure_costs", path="infrastructure_costs.csv",
        title="Cost and target parameters for charging and hydrogen infrastructure",
        description="Capex, O&M, subsidies, targets and stock of charging points and hydrogen stations, each with "
                    "low/high, reference year and status. value = read figure, or midpoint of a read range "
                    "(stated in note). Rows with status not_found have no figure (electrolyser capex, grid "
                    "reinforcement per point/MW, jobs per EUR million construction output).",
        schema=schema_from(infra, {"item": (S, "what", None), "parameter": (S, "parameter key", None),
                                   "value": (N, "central value", "see unit"), "low": (N, "low", "see unit"),
                                   "high": (N, "high", "see unit"), "unit": (S, "unit", None),
                                   "reference_year": (S, "reference year or period", None),
                                   "status": (S, "read / derived / not_found", None),
                                   "source": (S, "original publisher as reported", None),
                                   "url": (S, "page read (address as recorded)", None),
                                   "note": (S, "note", None)}),
        sources=[{"title": "see column source", "publisher": "Nationale Plattform Elektromobilität; Nationale "
                  "Leitstelle Ladeinfrastruktur (NOW GmbH); Bundesnetzagentur; BDEW; KfW; European Commission; "
                  "BMDV; H2 Mobility", "path": "", "year": 2025, "table": ""}],
        licenses=LIC_QUOTE, status="read / derived / not_found per row; figures mostly from trade and news "
                                   "reports of the original publisher"))
    R.append(dict(
        name="kldb_groups", path="kldb_groups.csv", title="Occupations: KldB 2010 Berufsgruppen (3-digit) and "
                                                          "Berufshauptgruppen (2-digit)",
        description="The 144 three-digit occupational groups used in BA statistics plus 'ohne_Angabe' (no target "
                    "occupation), with their two-digit Berufshauptgruppe. 3-digit labels as abbreviated in the BA "
                    "delivery; 2-digit labels from the KldB 2010 (public transcription, umlauts restored).",
        schema={"fields": [fld("kldb3", S, "3-digit code (string, leading zero kept) or ohne_Angabe"),
                    fld("label_de", S, "3-digit label (BA, abbreviated)"),
                    fld("kldb2", S, "2-digit Berufshauptgruppe (empty for ohne_Angabe)"),
                    fld("kldb2_label_de", S, "2-digit label")]},
        sources=[SRC_BA_KLDB], licenses=LIC_BA, status="read (labels)"))
    R.append(dict(
        name="parameters", path="parameters.csv", title="Literature and derived model parameters",
        description="Defaults the model uses, each with value, low/high where uncertain, unit, source, URL and "
                    "status (read / derived / estimate).",
        schema=schema_from(par, {"parameter": (S, "key", None), "value": (N, "default", "see unit"),
                                 "low": (N, "low end", "see unit"), "high": (N, "high end", "see unit"),
                                 "unit": (S, "unit", None), "description": (S, "meaning and method", None),
                                 "source": (S, "original source", None), "url": (S, "address", None),
                                 "status": (S, "read / derived / estimate", None), "note": (S, "caveats", None)}),
        sources=[{"title": "see column source", "publisher": "Flegg & Tohmo (Regional Studies); Destatis; NPM; "
                  "BCG; SGB VI; WIOD; BA; Fraunhofer IAO; IW Consult; ifo; Prognos", "path": "", "year": 2024,
                  "table": ""}],
        licenses=LIC_QUOTE, status="per row"))
    return R


KEYS = {
    "sectors": ["sector"], "sector_wz": ["sector", "wz_group"], "wz_groups": ["wz_group"], "cpa_sector": ["cpa"],
    "io_2019_flows": ["row", "col"], "io_2019_products": ["cpa"], "svb_germany": ["year", "wz_group"],
    "kba_registrations_annual": ["year"], "kba_registrations_monthly": ["year", "month"],
    "bev_stock_germany": ["date"], "studies": ["id"], "labour_intensity_evidence": ["id"],
    "infrastructure_costs": ["parameter"], "kldb_groups": ["kldb3"], "parameters": ["parameter"],
    "kldb_sector": ["kldb2", "sector"], "infrastructure_items": ["item"],  # hand-curated (data/build/inputs)
}


def verify(out: Path) -> dict:
    """Re-read the written package with pandas and check it on its own (no reference folder)."""
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    res = {}
    dfs = {}
    for r in pkg["resources"]:
        df = pd.read_csv(out / r["path"], dtype=str, keep_default_na=False)
        dfs[r["name"]] = df
        names = [f["name"] for f in r["schema"]["fields"]]
        assert names == list(df.columns), (r["name"], names, list(df.columns))
        for f in r["schema"]["fields"]:
            if f["type"] in ("number", "integer"):
                if f["name"] not in ("order", "year", "month", "base_year", "target_year"):
                    assert "unit" in f, (r["name"], f["name"])
                vals = pd.to_numeric(df[f["name"]].replace("", np.nan), errors="raise")
                if f["type"] == "integer":
                    assert (vals.dropna() % 1 == 0).all(), (r["name"], f["name"])
        for k in ("sources", "licenses", "status", "title", "description"):
            assert r.get(k), (r["name"], k)
        dup = int(df.duplicated(KEYS[r["name"]]).sum())
        assert dup == 0, (r["name"], dup)
        res[r["name"]] = len(df)
    # codes
    sectors = set(dfs["sectors"].sector)
    wz = set(dfs["wz_groups"].wz_group)
    assert set(dfs["cpa_sector"].sector) == sectors and set(dfs["sector_wz"].sector) == sectors
    assert set(dfs["sector_wz"].wz_group) <= wz and set(dfs["svb_germany"].wz_group) == wz
    assert set(dfs["wz_groups"].parent) - {""} <= wz
    # IO balance and multipliers from the package alone
    fl = pd.read_csv(out / "io_2019_flows.csv")
    pr = pd.read_csv(out / "io_2019_products.csv").set_index("cpa")
    codes = list(pr.index)
    Z = fl.pivot(index="row", columns="col", values="value").loc[codes, codes].to_numpy(float)
    x = pr.total_output.to_numpy(float)
    bal = Z.sum(0) + pr.intermediate_inputs_imported + pr.net_taxes_on_products + pr.gva - pr.total_output
    fin = pr[["household_consumption", "npish_consumption", "government_consumption", "gfcf_equipment_other",
              "gfcf_construction", "changes_in_inventories", "exports"]].sum(axis=1)
    rbal = Z.sum(1) + fin - pr.total_output
    A, L, resid = leontief(Z, x)
    m72 = L.sum(0)[codes.index("CPA_29")]
    cs = pd.read_csv(out / "cpa_sector.csv").set_index("cpa").loc[codes, "sector"]
    order = list(dfs["sectors"].sort_values("order", key=lambda c: c.astype(int)).sector)
    S = np.array([[1.0 if cs.iloc[j] == s_ else 0.0 for j in range(72)] for s_ in order])
    A14, L14, _ = leontief(S @ Z @ S.T, S @ x)
    m14 = dict(zip(order, L14.sum(0)))
    res.update(io_col_balance_maxdev=float(np.abs(bal).max()), io_row_balance_maxdev=float(np.abs(rbal).max()),
               typeI_cpa29_72=round(float(m72), 4), typeI_vehicles_14=round(float(m14["vehicles"]), 4),
               inversion_residual=float(resid))
    # KBA: monthly sums = annual where derived
    ka = pd.read_csv(out / "kba_registrations_annual.csv").set_index("year")
    km = pd.read_csv(out / "kba_registrations_monthly.csv")
    ms = km[km.year <= 2025].groupby("year")[["total", "bev"]].sum()
    res["kba_monthly_vs_annual_maxdev"] = int((ms - ka.loc[ms.index, ["total", "bev"]]).abs().max().max())
    assert ka.loc[2015, "phev"] == 11101
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference", nargs="?", default=str(refdata.DEFAULT))
    ap.add_argument("--out", default=str(REPO_ROOT / "data" / "national"))
    a = ap.parse_args(argv)
    ref, out = Path(a.reference).resolve(), Path(a.out).resolve()
    if not refdata.usable(ref):
        sys.exit(f"reference folder {ref} not found")
    out.mkdir(parents=True, exist_ok=True)
    ctx: dict = {}
    sectors, sw, wz = build_sectors(out, ctx)
    cs, flows, products = build_io(ref, out, ctx)
    svb = build_svb(ref, out, ctx)
    ann, mon, stock = build_kba(ref, out, ctx)
    studies = build_studies(ref, out, ctx)
    lab = build_labour(out, ctx)
    infra = build_infra(ref, out, ctx)
    kldb = build_kldb(ref, out, ctx)
    kldb = kldb[["kldb3", "label_de", "kldb2", "kldb2_label_de"]]
    par = build_parameters(out, ctx)
    frames = (sectors, sw, wz, cs, flows, products, svb, ann, mon, stock, studies, lab, infra, kldb, par)
    pkg = {
        "profile": "data-package",
        "name": "retra-national",
        "title": "retra – national base data for Germany",
        "description": "Tables shared by all retra regions: model sectors and WZ groups, the Destatis input-output "
                       "table 2019 (72 product groups, domestic production) with employment estimates, national "
                       "SvB by WZ group 2015-2020, KBA new registrations and BEV stock, published studies and "
                       "labour-intensity evidence on electrification, infrastructure cost parameters, KldB 2010 "
                       "occupational groups and literature parameters. Every figure is read from an official "
                       "table or a cited publication, or derived with the method stated; uncertain figures carry "
                       "status, low and high. Built by data/build/build_national.py.",
        "version": "0.1.0",
        "licenses": [dict(DL_DE, attribution="Official statistics: © Statistisches Bundesamt (Destatis); "
                                             "© Statistische Ämter des Bundes und der Länder; Quelle: Statistik "
                                             "der Bundesagentur für Arbeit; Quelle: Kraftfahrt-Bundesamt. Each "
                                             "resource states its own licence and attribution.")],
        "sources": [SRC_IOT, SRC_REGIO_SVB, SRC_WIOD, SRC_KBA_PM, SRC_KBA_FZ10, SRC_BA_KLDB],
        "retra": {"kind": "national", "io_year": 2019, "base_year_employment": 2020},
        "resources": resources(ctx, frames) + curated_resources(out),
    }
    # per-row sources for the literature resources, and no empty strings in source/licence objects
    def row_sources(df, pub_col, title_col, url_col, year_col=None):
        seen, srcs = set(), []
        for _, r in df.iterrows():
            key = (str(r[pub_col]), str(r[url_col]))
            if key in seen:
                continue
            seen.add(key)
            src = {"title": str(r[title_col]), "publisher": str(r[pub_col]), "path": str(r[url_col]),
                   "year": None if year_col is None or pd.isna(r[year_col]) else int(r[year_col]), "table": ""}
            srcs.append(src)
        return srcs
    extra = {
        "studies": row_sources(studies, "publisher", "title", "url", "year"),
        "labour_intensity_evidence": row_sources(lab, "source", "source", "url", "year"),
        "infrastructure_costs": row_sources(infra, "source", "item", "url"),
        "parameters": row_sources(par, "source", "parameter", "url"),
    }
    for r in pkg["resources"]:
        if r["name"] in extra:
            r["sources"] = extra[r["name"]]
        for lst in ("sources", "licenses"):
            r[lst] = [{k: v for k, v in o.items() if v not in ("", None, "nan")} for o in r[lst]]
            r[lst] = [o for o in r[lst] if o.get("title") or o.get("name")]
    (out / "datapackage.json").write_text(json.dumps(pkg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report = {k: v for k, v in ctx.items() if k not in ("io_codes", "sectors")}
    report["verify"] = verify(out)
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
