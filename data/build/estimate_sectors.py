#!/usr/bin/env python
"""Estimate 14-sector employment per district, combustion-engine exposure and WZ 29 estimates.

Usage:  python data/build/estimate_sectors.py [REFERENCE_DIR]

REFERENCE_DIR is the folder of the official tables (``refdata.py``); default: the shipped copies in
``data/build/reference/``. The script writes, for each region in ``REGIONS``:

  data/regions/<id>/employment_sector.csv
  data/regions/<id>/exposure.csv
  data/regions/<id>/automotive_estimates.csv
  data/build/resources/<id>/{employment_sector,exposure,automotive_estimates}.json
  data/build/ESTIMATES.md   (one file for both regions)

and checks the invariants (published groups add up exactly, low <= value <= high, all >= 0).
It is a build script; the model never runs it. Method: see ESTIMATES.md (written by this script).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linprog

import refdata

REPO = Path(__file__).resolve().parents[2]
YEARS = list(range(2015, 2021))
BASE_YEAR = 2020

REGIONS = {
    "son": ["03101", "03102", "03103", "03151", "03153", "03154", "03157", "03158"],
    "swsn": ["14511", "14521", "14522", "14523", "14524"],
}
NAMES = {
    "03101": "Braunschweig", "03102": "Salzgitter", "03103": "Wolfsburg", "03151": "Gifhorn",
    "03153": "Goslar", "03154": "Helmstedt", "03157": "Peine", "03158": "Wolfenbüttel",
    "14511": "Chemnitz", "14521": "Erzgebirgskreis", "14522": "Mittelsachsen",
    "14523": "Vogtlandkreis", "14524": "Zwickau",
}
SECTORS = ["vehicles", "metals", "machinery", "electrical", "chemicals", "other_manufacturing",
           "energy_mining", "agriculture", "construction", "trade_transport", "ict",
           "business_services", "public_services", "other_services"]
MANUF = SECTORS[:6]
SUPPLIERS = MANUF[1:]
# published groups -> model sectors (for the invariant check)
GROUP_SECTORS = {
    "A": ["agriculture"], "B-F": MANUF + ["energy_mining", "construction"],
    "B-E": MANUF + ["energy_mining"], "C": MANUF, "F": ["construction"],
    "G-U": ["trade_transport", "ict", "business_services", "public_services", "other_services"],
    "G-I": ["trade_transport"], "J": ["ict"], "K+L+M-N": ["business_services"],
    "O-Q": ["public_services"], "R-U": ["other_services"],
}

# ---- suppressed-cell system -------------------------------------------------------------
# leaves of the section tree: A, C, R (= B-E minus C: B, D, E), F, GU (= G-U), GAP (persons
# without WZ assignment: TOTAL - A - B-F - G-U, >= 0 in every published row)
LEAVES = ["A", "C", "R", "F", "GU", "GAP"]
AGG = {"TOTAL": LEAVES, "A": ["A"], "B-F": ["C", "R", "F"], "B-E": ["C", "R"], "C": ["C"],
       "F": ["F"], "G-U": ["GU"]}
SEXES = ["male", "female"]
NATS = ["total", "foreign"]

# ---- manufacturing split -----------------------------------------------------------------
WIOD_MAP = {  # WIOD SEA 2016 industries (employees, 2014) -> model sector
    "metals": ["C24", "C25"], "machinery": ["C28"], "electrical": ["C26", "C27"],
    "chemicals": ["C20", "C21", "C22"],
    "other_manufacturing": ["C10-C12", "C13-C15", "C16", "C17", "C18", "C19", "C23", "C30",
                            "C31_C32", "C33"],
}
KLDB_MAP = {  # KldB 2010 3-digit occupation groups that mark each sector (labels checked)
    "metals": ["241", "242", "243", "244", "245"],
    "machinery": ["251"],
    "electrical": ["261", "263"],
    "chemicals": ["221", "413"],
    "other_manufacturing": ["212", "213", "214", "223", "231", "234", "281", "282", "283",
                            "291", "292"],
}
TILT_CAP = 3.0          # relative LQ bounded to [1/3, 3]
TILT_EXP_CENTRAL = 0.5  # central = half tilt (geometric), full tilt = exponent 1

# ---- national figures used for exposure (all read in the cited documents) ------------------
IFO2021_ICE = 613_000          # ifo for VDA 2021, ICE-related jobs, all industries, 2019
WZ29_DE_2019 = 911_000         # Prognos for VDA 2024, automotive industry employees 2019
RATIO = {"low": 0.196, "central": 0.25, "high": 0.519}  # IW 2025 / ELAB 2.0 / ifo 2017

URL_RS = "https://www.regionalstatistik.de/genesis/online?operation=table&code=13111-07-05-4"
URL_BADATA = "https://github.com/RegioHub/badata"
URL_WIOD = "https://doi.org/10.34894/PJ2M1C"
URL_ELAB = "https://iao.fraunhofer.de/de/presse-und-medien/aktuelles/beschaeftigungssicherung-im-automobilbau.html"
URL_IW25 = "https://dgrsta.com/bis-2030-weitere-90-000-jobs-in-auto-industrie-bedroht"
URL_IFO17 = "https://www.automobilwoche.de/agenturmeldungen/600000-arbeitsplatze-hangen-am-verbrenner"
URL_IFO21 = "https://autoundwirtschaft.at/news/48752-jobkiller-elektroauto"
URL_PROGNOS = "https://www.prognos.com/de/projekt/automobilindustrie-beschaeftigung"
URL_IW22 = "http://tradetalk-wirtschaftsmagazin.de/?p=3140"
URL_ZDF = "https://www.zdf.de/nachrichten/wirtschaft/krise-auto-kempermann-stellen-streichung-100.html"
URL_LVZ = "http://www.lvz.de/Region/Mitteldeutschland/Erstmals-ueber-40000-Jobs-in-Sachsens-Automobilbau"
URL_RTL = "https://www.rtl.de/cms/jobmotor-autobau-beschaeftigung-um-44-prozent-gewachsen-1070df9c-e962-51de-a945-a7c26cf1b53a.html"
URL_VW_ZW = "https://www.krzbb.de/inhalt.elektromobilitaet-bei-vw-sind-tausende-stellen-in-gefahr.5a04a7af-cf08-48cc-975c-97d02e3dae0b.html"
URL_VW_CH = "https://www.businessinsider.de/wirtschaft/vw-in-deutschland-10-standorte-10-geschichten/"
URL_VW_SZ = "https://www.krone.at/3538082"
URL_MAN_SZ = "https://regionalheute.de/salzgitter/man-streicht-3-500-stellen-werk-salzgitter-kommt-mit-blauem-auge-davon-1611681961"
URL_VW_WOB = "https://www.ndr.de/nachrichten/niedersachsen/VW-Beschaeftigte-bangen-So-sind-die-zehn-Standorte-aufgestellt,volkswagen2380.html"
URL_VW_BS = "http://de.knowledgr.com/11072995/VolkswagenwerkBraunschweig"
URL_STN = "https://www.stuttgarter-nachrichten.de/inhalt.automobilindustrie-warum-die-region-stuttgart-in-der-transformation-vorangeht.78558e78-d0d4-4e88-b008-bb3f8ea898de.html"

SRC_RS = ("Statistische Ämter des Bundes und der Länder, Regionaldatenbank Deutschland, table "
          "13111-07-05-4 (Beschäftigungsstatistik der Bundesagentur für Arbeit), 30 June, Stand 17.08.2021")
SRC_BA_KLDB = ("Statistik der Bundesagentur für Arbeit, SvB am Arbeitsort nach Berufen (KldB 2010, "
               "3-Steller), Sonderauswertung 317-408036 (copy in R package badata 0.2.0)")
SRC_WIOD = ("WIOD Socio-Economic Accounts, release Nov 2016, Germany, employees 2014 "
            "(Timmer et al. 2015, Groningen Growth and Development Centre)")
SRC_ELAB = "Fraunhofer IAO for IG Metall, ELAB 2.0 (2018): about 210,000 of about 840,000 automotive jobs in powertrain production"
SRC_IW25 = "IW Consult for BMWK, Wirtschaftliche Bedeutung regionaler Automobilnetzwerke - Update 2025: about 235,000 on the conventional powertrain of 1.2 million"
SRC_IFO17 = "ifo Institut for VDA (2017), Auswirkungen eines Zulassungsverbots für Pkw mit Verbrennungsmotor: 436,000 auto-industry jobs directly ICE-dependent"
SRC_IFO21 = "ifo Institut for VDA (Falck, Czernich, Koenen 2021), Auswirkungen der vermehrten Produktion elektrisch betriebener Pkw auf die Beschäftigung in Deutschland: 613,000 ICE-related jobs (2019)"
SRC_PROGNOS = "Prognos for VDA (2024), Beschäftigungsperspektiven in der Automobilindustrie: about 911,000 in WZ 29 (2019)"

# plant head counts used by the district overrides (read; plants.csv of the reference)
VW_ZWICKAU = 8_500      # VW Sachsen Zwickau, BEV-only since 2020, about 2020 (krzbb.de)
VW_CHEMNITZ = (1_650, 1_800)  # VW Motorenwerk Chemnitz, 1,650 (2017/2023), 1,800 (2024)
S_REST = 0.0526         # WZ 29 share of C, Saxony without Zwickau and Leipzig (derived, about 2018)
S_DE = 0.1301           # WZ 29 share of C, Germany 2019 (derived: 911,000 / 7,002,381)


def fail(msg: str) -> None:
    print("ERROR:", msg, file=sys.stderr)
    sys.exit(1)


def least_squares(P, SD, cols, A_eq, b_eq, A_ub, b_ub, lb, ub):
    """The minimiser of ``sum(((x[cols] - P) / SD) ** 2)`` subject to ``A_eq x = b_eq``,
    ``A_ub x <= b_ub`` and ``lb <= x <= ub``; ``None`` if no ``x`` meets the constraints.

    The objective is strictly convex in ``x[cols]``, so those values are unique: every estimate
    this script writes is a sum of them or a published cell. Solved by Clarabel's interior-point
    method (tolerances 1e-10) after dropping the equalities the others imply. Where the optimum lies
    on a bound that holds with a zero multiplier (degenerate), an interior-point method gets only to
    within about 1e-5 of it; ``largest_remainder`` therefore rounds to 3 decimals before it rounds
    to persons. SciPy's SLSQP, used before, stopped short of the optimum of the section leaves in 11
    district-years of the national build ("Inequality constraints incompatible") and kept a point
    that depended on the library versions.
    """
    import clarabel
    from scipy import sparse

    nv = len(lb)
    A_eq, A_ub = np.reshape(A_eq, (-1, nv)), np.reshape(A_ub, (-1, nv))
    keep = []  # the published identities overlap: drop the equalities the others imply
    for i in range(len(b_eq)):
        if np.linalg.matrix_rank(A_eq[keep + [i]]) > len(keep):
            keep.append(i)
    weight = np.zeros(nv)
    np.add.at(weight, cols, 2.0 / SD ** 2)
    cost = np.zeros(nv)
    np.add.at(cost, cols, -2.0 * P / SD ** 2)
    finite = ~np.isinf(ub)
    eye = np.eye(nv)
    A = np.vstack([A_eq[keep], A_ub, -eye, eye[finite]])
    b = np.concatenate([b_eq[keep], b_ub, -np.asarray(lb, float), ub[finite]])
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = settings.tol_ktratio = 1e-10
    cones = [clarabel.ZeroConeT(len(keep)), clarabel.NonnegativeConeT(len(b) - len(keep))]
    solution = clarabel.DefaultSolver(sparse.diags(weight).tocsc(), cost, sparse.csc_matrix(A), b, cones,
                                      settings).solve()
    status = str(solution.status)
    if "Infeasible" in status:
        return None
    x = np.array(solution.x)
    violation = max(np.abs(A_eq @ x - b_eq).max(initial=0), (A_ub @ x - b_ub).max(initial=0),
                    (lb - x).max(initial=0), (x - ub).max(initial=0))
    tolerance = 1e-9 * max(1.0, np.abs(b).max(initial=0))  # persons: 1e-9 of the district's largest figure
    if status == "Solved" and violation > tolerance:  # an equality dropped above contradicts the others
        return None
    if status not in ("Solved", "AlmostSolved") or violation > tolerance:
        fail(f"least squares: solver status {status}, constraint violation {violation:.2g}")
    return x


# =========================================================================================
# 1. read
# =========================================================================================
def read_inputs(ref: Path):
    wz = refdata.read_csv(ref, "svb_wz_all_kreise.csv", dtype={"ags": str})
    sx = refdata.read_csv(ref, "svb_wz_sex_nationality_all_kreise.csv", dtype={"ags": str})
    kl = refdata.read_csv(ref, "svb_kldb_workplace_all_kreise_2013_2020.csv", dtype={"ags": str, "kldb3": str})
    labels = refdata.read_csv(ref, "kldb2010_3digit_labels.csv", dtype={"kldb3": str})
    nat = refdata.read_csv(ref, "national_employment_by_industry.csv")
    auto = refdata.read_csv(ref, "automotive_employment_districts.csv", dtype={"ags": str, "year": str})
    return wz, sx, kl, labels, nat, auto


# =========================================================================================
# 2. suppressed cells: constrained estimation with hard and evidence bounds
# =========================================================================================
class CellData:
    """Published values by (year, ags, nat, sex, wz) and derived leaves, plus cross-Kreis
    statistics used as national structure and as evidence bounds."""

    def __init__(self, sx: pd.DataFrame):
        k = sx[(sx.ags.str.len() == 5) | (sx.ags == "DG")].copy()
        k = k[k.flag.isna()]
        self.pub = {(r.year, r.ags, r.nationality, r.sex, r.wz_code): float(r.value)
                    for r in k.itertuples()}
        kre = k[k.ags.str.len() == 5]
        p = kre.pivot_table(index=["year", "ags", "nationality", "sex"], columns="wz_code", values="value")
        lv = pd.DataFrame(index=p.index)
        lv["A"], lv["C"], lv["F"], lv["GU"] = p["A"], p["C"], p["F"], p["G-U"]
        lv["R"] = p["B-E"] - p["C"]
        lv["GAP"] = p["TOTAL"] - p["A"] - p["B-F"] - p["G-U"]
        lv["TOTAL"] = p["TOTAL"]
        self.leaves = lv  # published leaves for every Kreis
        self.gap_max = {(n, s): float(lv.xs((n, s), level=("nationality", "sex"))["GAP"].max())
                        for n in NATS for s in SEXES}
        # national (DG) leaves
        g = k[k.ags == "DG"].pivot_table(index=["year", "nationality", "sex"], columns="wz_code", values="value")
        self.nat = pd.DataFrame({"A": g["A"], "C": g["C"], "F": g["F"], "GU": g["G-U"],
                                 "R": g["B-E"] - g["C"], "TOTAL": g["TOTAL"]})
        # cross-Kreis quantiles (5 %, 95 %) of share in TOTAL and of female/male ratio
        t = lv.xs("total", level="nationality")
        tt = t.xs("total", level="sex")
        self.share_q = {}
        self.ratio_q = {}
        for l in ["A", "C", "R", "F"]:
            sh = (tt[l] / tt["TOTAL"]).dropna()
            self.share_q[l] = sh.groupby(level="year").quantile([0.05, 0.95]).unstack()
            m = t.xs("male", level="sex")[l]
            f = t.xs("female", level="sex")[l]
            rr = (f / m).replace([np.inf], np.nan).dropna()
            rr = rr[m.reindex(rr.index) >= 50]
            self.ratio_q[l] = rr.groupby(level="year").quantile([0.05, 0.95]).unstack()
        # year-to-year change of a cell's share of TOTAL(sex): quantiles of log change by lag
        self.dlog_q = {}
        for l in ["A", "C", "R", "F"]:
            rows = []
            for s in SEXES:
                ts = t.xs(s, level="sex")
                sh = (ts[l] / ts["TOTAL"]).unstack("year")
                sh = sh.where(ts[l].unstack("year") >= 10)
                for lag in range(1, 6):
                    for y in YEARS:
                        if y + lag in sh.columns:
                            ch = np.log(sh[y + lag] / sh[y]).replace([np.inf, -np.inf], np.nan).dropna()
                            rows.append(pd.DataFrame({"lag": lag, "v": ch.values}))
            df = pd.concat(rows)
            self.dlog_q[l] = df.groupby("lag").v.quantile([0.05, 0.95]).unstack()

    def get(self, year, ags, nat, sex, wz):
        return self.pub.get((year, ags, nat, sex, wz))

    def leaf_pub(self, year, ags, nat, sex, leaf):
        try:
            v = self.leaves.loc[(year, ags, nat, sex), leaf]
        except KeyError:
            return None
        return None if pd.isna(v) else float(v)


def solve_district_year(cd: CellData, ags: str, year: int):
    """Return dict leaf -> (central, low, high, hard_low, hard_high, status, note) for nat=total,
    sex=total. Published leaves have low=high=value."""
    idx = {}
    for n in NATS:
        for l in LEAVES:
            for s in SEXES:
                idx[(n, l, s)] = len(idx)
    nv = len(idx)
    A_eq, b_eq, A_ub, b_ub = [], [], [], []
    lb = np.zeros(nv)
    ub = np.full(nv, np.inf)
    for n in NATS:
        for s in SEXES:
            ub[idx[(n, "GAP", s)]] = cd.gap_max[(n, s)]
    # published cells -> equalities
    for n in NATS:
        for s in SEXES + ["total"]:
            for wz, leaves in AGG.items():
                v = cd.get(year, ags, n, s, wz)
                if v is None:
                    continue
                row = np.zeros(nv)
                for l in leaves:
                    for ss in (SEXES if s == "total" else [s]):
                        row[idx[(n, l, ss)]] = 1
                A_eq.append(row)
                b_eq.append(v)
    # foreign <= total for every leaf and sex
    for l in LEAVES:
        for s in SEXES:
            row = np.zeros(nv)
            row[idx[("foreign", l, s)]] = 1
            row[idx[("total", l, s)]] = -1
            A_ub.append(row)
            b_ub.append(0)
    if cd.get(year, ags, "total", "total", "G-U") is None:  # national region only: G-U holds its published parts
        for s in SEXES:
            row = np.zeros(nv)
            row[idx[("total", "GU", s)]] = -1
            A_ub.append(row)
            b_ub.append(-sum(cd.get(year, ags, "total", s, g) or 0.0 for g in GU_PARTS))
    A_eq, b_eq = np.array(A_eq), np.array(b_eq)
    hard_ub = (list(A_ub), list(b_ub))

    # which nat=total leaves (sex total) are published?
    def leaf_total_pub(l):
        vals = [cd.leaf_pub(year, ags, "total", s, l) for s in ["total"]]
        return vals[0]

    # ---- priors and evidence bounds for nat=total sex cells ----
    prior = {}
    notes = {}
    ev_ub, ev_b = [], []
    tot_s = {s: cd.get(year, ags, "total", s, "TOTAL") for s in SEXES}
    for l in ["A", "C", "R", "F", "GU"]:
        # evidence bounds only for leaves whose district total is suppressed in this year
        target = leaf_total_pub(l) is None
        for s in SEXES:
            v = cd.leaf_pub(year, ags, "total", s, l)
            if v is not None:
                continue
            # (c) same district, other years: nearest published share of TOTAL(sex)
            hist = {y: cd.leaf_pub(y, ags, "total", s, l) for y in YEARS if y != year}
            hist = {y: v_ / cd.get(y, ags, "total", s, "TOTAL") for y, v_ in hist.items() if v_ is not None}
            if hist and l != "GU":
                before = [y for y in hist if y < year]
                after = [y for y in hist if y > year]
                if before and after:
                    y0, y1 = max(before), min(after)
                    w = (year - y0) / (y1 - y0)
                    sh = (1 - w) * hist[y0] + w * hist[y1]
                    lag = min(year - y0, y1 - year)
                else:
                    yn = max(before) if before else min(after)
                    sh, lag = hist[yn], abs(year - yn)
                q = cd.dlog_q[l].loc[lag]
                p = sh * tot_s[s]
                prior[(l, s)] = (p, max(p * (q[0.95] - q[0.05]) / 3.29, 1.0))
                notes[(l, s)] = f"{l} {s}: share of district total held from neighbouring year(s), lag {lag}"
                if target:
                    row = np.zeros(nv); row[idx[("total", l, s)]] = 1
                    ev_ub.append(row.copy()); ev_b.append(p * math.exp(q[0.95]))
                    ev_ub.append(-row); ev_b.append(-p * math.exp(q[0.05]))
                continue
            # national structure
            other = [o for o in SEXES if o != s][0]
            vo = cd.leaf_pub(year, ags, "total", other, l)
            natv = cd.nat.loc[(year, "total")]
            rq = cd.ratio_q[l].loc[year] if l in cd.ratio_q else None
            if vo is not None and rq is not None:
                r_nat = natv.loc[s, l] / natv.loc[other, l]
                p = r_nat * vo
                lo_r, hi_r = ((rq[0.05], rq[0.95]) if s == "female" else (1 / rq[0.95], 1 / rq[0.05]))
                prior[(l, s)] = (p, max(p * math.log(hi_r / lo_r) / 3.29, 1.0))
                notes[(l, s)] = f"{l} {s}: national {s}/{other} ratio x published {other} cell"
            else:
                sh = natv.loc[s, l] / natv.loc[s, "TOTAL"]
                p = sh * tot_s[s]
                # C is the residual leaf: weak prior
                prior[(l, s)] = (p, p * (3.0 if l == "C" else 0.8))
                notes[(l, s)] = f"{l} {s}: national share of total"
            # evidence bounds: female/male ratio within the 5-95 % range over all Kreise
            if rq is not None and target:
                rowr = np.zeros(nv)
                rowr[idx[("total", l, "female")]] = 1
                rowr[idx[("total", l, "male")]] = -rq[0.95]
                rowr2 = np.zeros(nv)
                rowr2[idx[("total", l, "female")]] = -1
                rowr2[idx[("total", l, "male")]] = rq[0.05]
                ev_ub += [rowr, rowr2]; ev_b += [0.0, 0.0]
        # share of TOTAL within the 5-95 % range over all Kreise (not for C, the residual)
        if leaf_total_pub(l) is None and l in ("A", "R", "F") and not any(
                cd.leaf_pub(y, ags, "total", "total", l) is not None for y in YEARS):
            q = cd.share_q[l].loc[year]
            tot = cd.get(year, ags, "total", "total", "TOTAL")
            row = np.zeros(nv); row[idx[("total", l, "male")]] = 1; row[idx[("total", l, "female")]] = 1
            ev_ub.append(row.copy()); ev_b.append(q[0.95] * tot)
            ev_ub.append(-row); ev_b.append(-q[0.05] * tot)
    for s in SEXES:
        if ("GAP", s) not in prior:
            prior[("GAP", s)] = (0.25, 2.0)

    # deduplicate ratio constraints
    A_hard = np.array(hard_ub[0]); b_hard = np.array(hard_ub[1])
    A_ev = np.vstack([A_hard] + ([np.array(ev_ub)] if ev_ub else []))
    b_ev = np.concatenate([b_hard] + ([np.array(ev_b)] if ev_b else []))

    def lp_bounds(target_row, Aub, bub):
        out = []
        for sgn in (1, -1):
            r = linprog(sgn * target_row, A_ub=Aub, b_ub=bub, A_eq=A_eq, b_eq=b_eq,
                        bounds=list(zip(lb, [None if math.isinf(u) else u for u in ub])), method="highs")
            if r.status != 0:
                return None
            out.append(sgn * r.fun)
        return out  # (min, max)

    # QP: min sum ((x - p)/sd)^2 over nat-total sex cells with priors
    keys = list(prior)
    P = np.array([prior[k][0] for k in keys])
    SD = np.array([prior[k][1] for k in keys])
    cols = np.array([idx[("total",) + k] for k in keys])

    def qp(Aub, bub):
        return least_squares(P, SD, cols, A_eq, b_eq, Aub, bub, lb, ub)

    used_evidence = True
    x = qp(A_ev, b_ev)
    if x is None:
        used_evidence = False
        x = qp(A_hard, b_hard)
    if x is None:
        fail(f"no feasible estimate for {ags} {year}")

    out = {}
    for l in LEAVES:
        v = leaf_total_pub(l)
        if v is not None:
            out[l] = dict(value=v, low=v, high=v, hard=(v, v), status="read", note="")
            continue
        row = np.zeros(nv)
        row[idx[("total", l, "male")]] = 1
        row[idx[("total", l, "female")]] = 1
        hard = lp_bounds(row, A_hard, b_hard)
        ev = lp_bounds(row, A_ev, b_ev) if used_evidence else hard
        cen = float(row @ x)
        nts = "; ".join(notes[(l, s)] for s in SEXES if (l, s) in notes)
        out[l] = dict(value=cen, low=min(ev[0], cen), high=max(ev[1], cen), hard=tuple(hard),
                      status="estimate", note=nts, evidence=used_evidence)
    return out


def largest_remainder(vals: dict, target: int) -> dict:
    """Round the real values in vals to integers that sum exactly to target.

    The values are first rounded to 3 decimals: an optimum on a published (integer) bound comes out
    of the solver up to about 1e-5 above or below it (``least_squares``), and must not round
    differently from one environment to the next; ties go to the first key.
    """
    vals = {k: round(float(v), 3) for k, v in vals.items()}
    keys = list(vals)
    fl = {k: math.floor(vals[k]) for k in keys}
    rest = target - sum(fl.values())
    order = sorted(keys, key=lambda k: vals[k] - fl[k], reverse=True)
    if rest >= 0:
        for i in range(rest):
            fl[order[i % len(order)]] += 1
    else:
        for _ in range(-rest):
            fl[max(keys, key=lambda k: fl[k])] -= 1
    return fl


def integerize(res: dict, cd: CellData, ags: str, year: int) -> dict:
    """Round estimated leaves so that every published total-level group adds up exactly."""
    val = {l: res[l]["value"] for l in LEAVES}
    fixed = {l for l in LEAVES if res[l]["status"] == "read"}
    eqs = []
    for wz, leaves in AGG.items():
        v = cd.get(year, ags, "total", "total", wz)
        if v is not None:
            eqs.append((leaves, int(round(v))))
    eqs.sort(key=lambda e: len([l for l in e[0] if l not in fixed]))
    for leaves, v in eqs:
        unk = [l for l in leaves if l not in fixed]
        if not unk:
            continue
        tgt = v - sum(int(round(val[l])) for l in leaves if l in fixed)
        r = largest_remainder({l: val[l] for l in unk}, tgt)
        for l in unk:
            val[l] = r[l]
            fixed.add(l)
    for l in LEAVES:
        if l not in fixed:
            val[l] = int(round(val[l]))
        res[l]["value"] = int(round(val[l]))
        res[l]["low"] = min(res[l]["low"], res[l]["value"])
        res[l]["high"] = max(res[l]["high"], res[l]["value"])
    return res


# =========================================================================================
# 3. manufacturing split
# =========================================================================================
def national_manuf_shares(nat: pd.DataFrame) -> dict:
    e = nat[(nat.year == 2014) & (nat.variable == "employees")].set_index("industry_code").value
    sh = {k: float(e[v].sum()) for k, v in WIOD_MAP.items()}
    tot = sum(sh.values())
    return {k: v / tot for k, v in sh.items()}, {k: float(e[v].sum()) for k, v in WIOD_MAP.items()}, float(e["C29"])


VEH_PROFILE = "03103"  # Wolfsburg: WZ 29 (VW) is about 88 % of manufacturing


_OCCUPATIONS: dict = {}


def _occupations_of(kl: pd.DataFrame, year: int):
    """The year's marker occupations in Germany by supplier sector, and the year's rows of the table
    by district (``None``: no rows). Cached per year for the table ``kl``: the national build asks for
    all 2,406 district-years, and selecting the year's rows took 97 % of its time."""
    hit = _OCCUPATIONS.get(year)
    if hit is None or hit[0] is not kl:
        k = kl[(kl.year == year) & (kl.ags.str.len() == 5)]
        nat_o = {s: float(k[k.kldb3.isin(c)].value.sum()) for s, c in KLDB_MAP.items()}
        by_district = dict(tuple(k.groupby("ags", sort=False)))  # rows in the table's order
        by_district[None] = k.iloc[:0]
        hit = _OCCUPATIONS[year] = (kl, nat_o, by_district)
    return hit[1], hit[2]


def occupation_lq(kl: pd.DataFrame, ags: str, year: int, veh: float, c_profile: float):
    """Relative LQ of each supplier sector's marker occupations in the district's mix of all
    marker occupations, after removing the occupation content of the district's vehicle jobs.
    The content per vehicle job is Wolfsburg's marker occupations per manufacturing job
    (assumption: VW Wolfsburg's occupation mix stands for WZ 29). Wolfsburg itself is not
    adjusted (its vehicle and non-vehicle occupations cannot be separated)."""
    nat_o, by_district = _occupations_of(kl, year)
    loc = by_district.get(ags, by_district[None])
    dis_o = {s: float(loc[loc.kldb3.isin(c)].value.sum()) for s, c in KLDB_MAP.items()}
    prof = by_district.get(VEH_PROFILE, by_district[None])
    veh_o = {s: float(prof[prof.kldb3.isin(c)].value.sum()) / c_profile for s, c in KLDB_MAP.items()}
    if ags == VEH_PROFILE:
        veh = 0.0
    adj = {s: max(dis_o[s] - veh * veh_o[s], 0.0) for s in KLDB_MAP}
    tn, td = sum(nat_o.values()), sum(adj.values())
    lq = {s: (adj[s] / td) / (nat_o[s] / tn) if td > 0 else 1.0 for s in KLDB_MAP}
    return lq, dis_o, adj


def split_manufacturing(C: dict, veh: dict, nat_sh: dict, lq: dict):
    """C and veh: dict(value, low, high). Returns dict sector -> (value real, low, high)."""
    t = {s: min(max(lq[s], 1 / TILT_CAP), TILT_CAP) for s in SUPPLIERS}

    def norm(expo):
        w = {s: nat_sh[s] * t[s] ** expo for s in SUPPLIERS}
        tot = sum(w.values())
        return {s: w[s] / tot for s in SUPPLIERS}

    s0, sc, s1 = norm(0.0), norm(TILT_EXP_CENTRAL), norm(1.0)
    rem = C["value"] - veh["value"]
    rem_lo = max(C["low"] - veh["high"], 0.0)
    rem_hi = max(C["high"] - veh["low"], 0.0)
    out = {}
    for s in SUPPLIERS:
        v = sc[s] * rem
        lo = min(s0[s], s1[s]) * rem_lo
        hi = min(max(s0[s], s1[s]) * rem_hi, C["high"])
        out[s] = (v, max(min(lo, v), 0.0), max(hi, v))
    return out, t, s0, sc, s1


# =========================================================================================
# 3b. the national region (all Kreise of the 2020 Gebietsstand)
# =========================================================================================
GEO_ALL = "kreise_all_vg250_2018.geojson"
GU_PARTS = ["G-I", "J", "K", "L", "M-N", "O-Q", "R-U"]
LAND_AS_KREIS = {"02": "02000", "11": "11000"}  # Hamburg and Berlin: the Land is the Kreis
MERGED = {"03159": ["03152", "03156"]}  # Göttingen (since 1 Nov 2016) = LK Göttingen + Osterode am Harz
OCC_PROXY = {"16056": "16063"}  # the BA occupation tables (Gebietsstand 2021) count Eisenach in the Wartburgkreis
WORKSHOP_QUANTILE = 0.5  # KldB 252 share of total SvB in the median Kreis = workshops, dealers, transport
LQ29_BOUNDS = (0.25, 6.0)  # bounds of the KldB 252 location quotient that tilts the WZ 29 share of C
WZ29_MAX_SHARE = 0.85  # WZ 29 never above this share of C outside the anchor districts (assumption)


def national_districts(ref: Path) -> dict:
    """code -> (name, short name, kind) of the 401 Kreise of VG250 31.12.2018 (= Gebietsstand 2020)."""
    geo = refdata.read_json(ref, GEO_ALL)
    kind = {"Kreisfreie Stadt": "kreisfreie Stadt", "Stadtkreis": "kreisfreie Stadt",
            "Landkreis": "Landkreis", "Kreis": "Landkreis"}
    return {f["properties"]["ags"]: (f["properties"]["name"], f["properties"]["name"], kind[f["properties"]["bez"]])
            for f in sorted(geo["features"], key=lambda f: f["properties"]["ags"])}


def kreis_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The table with every Kreis of the 2020 Gebietsstand under its 5-digit code.

    Hamburg and Berlin are published at Land level ('02', '11') and get the Kreis codes 02000, 11000.
    Göttingen 03159 exists from 1 Nov 2016; in the years where its rows are all '-' they are replaced by
    the sum of its predecessors 03152 and 03156 (suppressed if either part is suppressed). Defunct codes
    stay in the frame; the region simply does not list them.
    """
    keys = [c for c in df.columns if c not in ("ags", "name", "value", "flag", "wz_label")]
    land = df[df.ags.isin(LAND_AS_KREIS)].copy()
    land["ags"] = land.ags.map(LAND_AS_KREIS)
    out = [df[~df.ags.isin(LAND_AS_KREIS.values())], land]
    for new, olds in MERGED.items():
        cur = df[df.ags == new]
        empty_years = [y for y, g in cur.groupby("year") if g.value.isna().all()]
        prev = df[df.ags.isin(olds) & df.year.isin(empty_years)]
        if prev.empty:
            continue
        agg = prev.groupby(keys, dropna=False).agg(value=("value", lambda v: v.sum() if v.notna().all() else np.nan),
                                                   n=("value", "size")).reset_index()
        agg = agg[agg.n == len(olds)].drop(columns="n")
        agg["ags"] = new
        agg["flag"] = np.where(agg.value.isna(), ".", None)
        for c in df.columns:
            if c not in agg:
                agg[c] = cur[c].iloc[0] if len(cur) else None
        out[0] = out[0][~((out[0].ags == new) & out[0].year.isin(empty_years))]
        out.append(agg[df.columns])
    return pd.concat(out, ignore_index=True)


def occupation_proxies(kl: pd.DataFrame, wz: pd.DataFrame) -> pd.DataFrame:
    """Occupation rows for districts the BA tables merge into a neighbour (Eisenach, inside the Wartburgkreis).

    The merged counts are apportioned to the two districts by their SvB totals (13111-07-05-4, same year): both
    keep the merged occupation mix (the tilts use shares only), and absolute counts (KldB 252 for WZ 29) add up
    to the merged count instead of being counted twice.
    """
    tot = wz[wz.wz_code == "TOTAL"].set_index(["year", "ags"]).value
    out = [kl[~kl.ags.isin(list(OCC_PROXY.values()))]]
    for a, proxy in OCC_PROXY.items():
        if (kl.ags == a).any():
            continue
        merged = kl[kl.ags == proxy]
        for code in (a, proxy):
            r = merged.copy()
            r["ags"] = code
            share = r.year.map(lambda y, code=code, a=a, proxy=proxy:
                               tot.get((y, code), np.nan) / (tot.get((y, a), np.nan) + tot.get((y, proxy), np.nan)))
            r["value"] = r.value * share.fillna(0.5)
            out.append(r)
    return pd.concat(out, ignore_index=True)


def _cd_add_published(self, sx: pd.DataFrame) -> None:
    """Add the published cells of districts built by :func:`kreis_frame` (statistics unchanged)."""
    new = sx[sx.ags.isin(list(LAND_AS_KREIS.values()) + list(MERGED))]
    new = new[new.flag.isna() & new.value.notna()]
    for r in new.itertuples():
        self.pub[(r.year, r.ags, r.nationality, r.sex, r.wz_code)] = float(r.value)
    p = new.pivot_table(index=["year", "ags", "nationality", "sex"], columns="wz_code", values="value")
    lv = pd.DataFrame(index=p.index)
    lv["A"], lv["C"], lv["F"], lv["GU"] = p.get("A"), p.get("C"), p.get("F"), p.get("G-U")
    lv["R"] = p.get("B-E") - p.get("C")
    lv["GAP"] = p["TOTAL"] - p.get("A") - p.get("B-F") - p.get("G-U")
    lv["TOTAL"] = p["TOTAL"]
    self.leaves = pd.concat([self.leaves.drop(index=lv.index, errors="ignore"), lv]).sort_index()
    # cross-district quantiles of each G-U part's share of the district total (sex total), by year
    k = sx[(sx.ags.str.len() == 5) & (sx.nationality == "total") & (sx.sex == "total") & sx.value.notna()]
    w = k.pivot_table(index=["year", "ags"], columns="wz_code", values="value")
    self.part_share_q = {g: (w[g] / w["TOTAL"]).dropna().groupby(level="year").quantile([0.05, 0.95]).unstack()
                         for g in GU_PARTS}


CellData.add_published = _cd_add_published


def solve_gu_parts(cd: CellData, pubt: dict, ags: str, year: int, gu_total: float) -> dict:
    """Suppressed parts of G-U (G-I, J, K, L, M-N, O-Q, R-U) of one district and year.

    The same method as for the section leaves, one level down: variables are the parts by sex
    (nationality total); equalities are every published part cell (total, male, female) and G-U
    (published, or the estimate of the first stage); hard bounds by linear programme; evidence
    bounds add that a suppressed part's share of the district total lies within the 5th-95th
    percentile over all German districts in that year; the central value minimises the squared
    standardised distance to priors (the cell's share of the district total in the nearest
    published year, else the national share) and is rounded by largest remainder to G-U.
    """
    idx = {(g, s): i for i, (g, s) in enumerate((g, s) for g in GU_PARTS for s in SEXES)}
    nv = len(idx)
    A_eq, b_eq = [], []
    for g in GU_PARTS + ["G-U"]:
        members = GU_PARTS if g == "G-U" else [g]
        for s in SEXES + ["total"]:
            v = cd.get(year, ags, "total", s, g)
            if g == "G-U" and s == "total":
                v = gu_total
            if v is None:
                continue
            row = np.zeros(nv)
            for m in members:
                for ss in (SEXES if s == "total" else [s]):
                    row[idx[(m, ss)]] = 1
            A_eq.append(row)
            b_eq.append(v)
    A_eq, b_eq = np.array(A_eq), np.array(b_eq)
    tot = cd.get(year, ags, "total", "total", "TOTAL")
    sup = [g for g in GU_PARTS if pubt[(year, ags, g)] is None]
    ev_ub, ev_b = [], []
    for g in sup:
        q = cd.part_share_q[g].loc[year]
        row = np.zeros(nv)
        row[idx[(g, "male")]] = row[idx[(g, "female")]] = 1
        ev_ub += [row.copy(), -row]
        ev_b += [q[0.95] * tot, -q[0.05] * tot]
    prior = {}
    for g in GU_PARTS:
        for s in SEXES:
            if cd.get(year, ags, "total", s, g) is not None:
                continue
            hist = {y: cd.get(y, ags, "total", s, g) for y in YEARS if y != year}
            hist = {y: v / cd.get(y, ags, "total", s, "TOTAL") for y, v in hist.items() if v is not None}
            ts = cd.get(year, ags, "total", s, "TOTAL")
            if hist:
                yn = min(hist, key=lambda y: (abs(y - year), y))
                p = hist[yn] * ts
                prior[(g, s)] = (p, max(0.1 * p, 1.0))
            else:
                p = cd.get(year, "DG", "total", s, g) / cd.get(year, "DG", "total", s, "TOTAL") * ts
                prior[(g, s)] = (p, max(0.8 * p, 1.0))
    bounds = [(0, None)] * nv

    def lp(target, Aub, bub):
        out = []
        for sgn in (1, -1):
            r = linprog(sgn * target, A_ub=Aub if len(bub) else None, b_ub=bub if len(bub) else None,
                        A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if r.status != 0:
                return None
            out.append(sgn * r.fun)
        return out

    keys = list(prior)
    P = np.array([prior[k][0] for k in keys])
    SD = np.array([prior[k][1] for k in keys])
    cols = np.array([idx[k] for k in keys], dtype=int)
    Aev, bev = (np.array(ev_ub), np.array(ev_b)) if ev_ub else (np.zeros((0, nv)), np.zeros(0))

    def qp(Aub, bub):
        return least_squares(P, SD, cols, A_eq, b_eq, Aub, bub, np.zeros(nv), np.full(nv, np.inf))

    evidence = True
    x = qp(Aev, bev)
    if x is None:
        evidence, x = False, qp(np.zeros((0, nv)), np.zeros(0))
    if x is None:
        fail(f"no feasible G-U split for {ags} {year}")
    out = {}
    for g in GU_PARTS:
        row = np.zeros(nv)
        row[idx[(g, "male")]] = row[idx[(g, "female")]] = 1
        if g not in sup:
            v = pubt[(year, ags, g)]
            out[g] = dict(value=v, low=v, high=v, hard=(v, v), status="read", note="")
            continue
        hard = lp(row, np.zeros((0, nv)), np.zeros(0))
        ev = lp(row, Aev, bev) if evidence else hard
        cen = float(row @ x)
        out[g] = dict(value=cen, low=min(ev[0], cen), high=max(ev[1], cen), hard=tuple(hard), status="estimate",
                      evidence=evidence,
                      note=("share of the district total held from the nearest published year" if any(
                          cd.get(y, ags, "total", "total", g) is not None for y in YEARS) else "national share"))
    target = int(round(gu_total)) - sum(int(out[g]["value"]) for g in GU_PARTS if g not in sup)
    ints = largest_remainder({g: out[g]["value"] for g in sup}, target)
    for g in sup:
        out[g]["value"] = ints[g]
        out[g]["low"] = min(out[g]["low"], ints[g])
        out[g]["high"] = max(out[g]["high"], ints[g])
    return out


def method_parts(X) -> str:
    return (f"constrained least-squares split of G-U minus its published parts (identity G-U = G-I + J + K + L + "
            f"M-N + O-Q + R-U, published male/female cells; prior: {X['note']}); hard bounds "
            f"{X['hard'][0]:.0f}-{X['hard'][1]:.0f}, tightened by evidence bounds (5-95 % range of the part's share "
            f"of total employment over all German Kreise) to {X['low']:.0f}-{X['high']:.0f}")


def wz29_national(cd: CellData, kl: pd.DataFrame, leaves: dict, dists: list, anchors: dict):
    """WZ 29 employment 2020 for every Kreis without a district figure (the son/swsn anchors keep theirs).

    The supplier-share method of the two regions (a share of C) made national and tilted by the one
    occupation that marks vehicle making: the national WZ 29 total (13.01 % of C, 2019, held for 2020)
    minus the anchors is spread over the other districts in proportion to C × LQ, where LQ is the
    district's excess of KldB 252 (vehicle technology) per manufacturing job over the national figure;
    the excess is 252 minus what the median Kreis has per SvB (workshops, dealers, transport companies).
    """
    N = S_DE * cd.get(BASE_YEAR, "DG", "total", "total", "C")
    k = kl[(kl.year == BASE_YEAR) & (kl.kldb3 == "252")].set_index("ags").value.fillna(0.0)
    T = {a: cd.get(BASE_YEAR, a, "total", "total", "TOTAL") for a in dists}
    C = {a: float(leaves[(a, BASE_YEAR)]["C"]["value"]) for a in dists}
    Chi = {a: float(leaves[(a, BASE_YEAR)]["C"]["high"]) for a in dists}
    b = float(np.quantile([k.get(a, 0.0) / T[a] for a in dists], WORKSHOP_QUANTILE))
    ex = {a: max(k.get(a, 0.0) - b * T[a], 0.0) for a in dists}
    nat = sum(ex.values()) / sum(C.values())
    lq = {a: min(max((ex[a] / C[a]) / nat if C[a] > 0 else 1.0, LQ29_BOUNDS[0]), LQ29_BOUNDS[1]) for a in dists}
    others = [a for a in dists if a not in anchors]
    rest = N - sum(anchors[a]["value"] for a in dists if a in anchors)
    capped: dict = {}
    for _ in range(20):  # calibrate the share s so that the districts add up to the national total
        free = [a for a in others if a not in capped]
        s = (rest - sum(capped.values())) / sum(C[a] * lq[a] for a in free)
        new = {a: WZ29_MAX_SHARE * C[a] for a in free if s * lq[a] > WZ29_MAX_SHARE}
        if not new:
            break
        capped.update(new)
    out, notes = {}, {}
    for a in others:
        v = capped.get(a, s * lq[a] * C[a])
        hi = min(max(2 * v, S_DE * Chi[a]), Chi[a])
        out[a] = dict(value=float(round(v)), low=float(round(v / 2)), high=float(max(hi, round(v))))
        notes[a] = (f"national method: WZ 29 Germany 2020 = 13.01 % of C ({N:,.0f}) minus the 13 districts with "
                    f"a figure, spread over the others by C x LQ; LQ = excess KldB 252 per C job / national = "
                    f"{lq[a]:.2f} (bounded {LQ29_BOUNDS[0]}-{LQ29_BOUNDS[1]}; KldB 252 {k.get(a, 0.0):,.0f}, "
                    f"workshop baseline {b:.4f} x SvB); share of C {v / C[a] if C[a] else 0:.4f}; low = half, "
                    f"high = max(2 x central, 13.01 % x C high), at most C high")
    info = dict(N=N, b=b, s=s, capped=sorted(capped), lq=lq)
    wz29_national.info = info
    return out, notes


def automotive_rows_national(dists, auto, veh2020, veh_notes, leaves):
    """One row per Kreis: the WZ 29 estimate 2020 that enters employment_sector.csv."""
    rows = []
    own = auto[(auto.metric == "wz29_employment_estimate")].set_index("ags")
    for a in dists:
        V = veh2020[a]
        if a in own.index and a not in veh_notes:
            method = f"{own.loc[a, 'source']}: {own.loc[a, 'note']}".replace(
                "see automotive_exposure.md", "method described in data/build/ESTIMATES.md")
            src, url = EST_SOURCE.get(a, DEFAULT_EST_SOURCE)
        else:
            method = veh_notes[a]
            src = (f"{SRC_PROGNOS}; {SRC_RS}; {SRC_BA_KLDB}" if a not in own.index else EST_SOURCE.get(a, DEFAULT_EST_SOURCE)[0])
            url = f"{URL_PROGNOS} ; {URL_RS} ; {URL_BADATA}"
        C = leaves[(a, BASE_YEAR)]["C"]
        rows.append(dict(district=a, year=BASE_YEAR, metric="wz29_employment_estimate_persons",
                         value=round(V["value"], 4), low=round(min(V["low"], V["value"]), 4),
                         high=round(max(min(V["high"], C["high"]), V["value"]), 4), status="estimate",
                         method=method, source=src, url=url))
    return pd.DataFrame(rows)


METHOD_KEYS = {
    "supplier_split": "(C - vehicles) x national WZ share (WIOD SEA 2014 employees) tilted by the occupation LQ of the "
                      "sector's KldB marker groups, half tilt, rescaled to C; low/high = untilted vs full tilt split x "
                      "(C low - vehicles high) / (C high - vehicles low); see data/build/ESTIMATES.md step 4",
    "supplier_exposure": "ifo 2021 ICE-related jobs minus ICE jobs in WZ 29, per SvB in C without WZ 29 (0.0632, low "
                         "0.0230, high 0.0713), tilted by t = sqrt((WZ29/C) / 13.01 %) bounded to [0.5, 2]; "
                         "see data/build/ESTIMATES.md step 5",
}


def compact_national(es: pd.DataFrame, ex: pd.DataFrame) -> None:
    """Shorten repeated prose in the national tables (in place): a method key plus the district's numbers.
    The keys are explained in METHOD_KEYS, in the resource descriptions and in ESTIMATES.md."""
    m = es.method.str.startswith("(C - vehicles)")
    es.loc[m, "method"] = "supplier_split: " + es.loc[m, "method"].str.extract(
        r"(occupation LQ [0-9.]+ \(KldB [0-9,]+; bounded [0-9.]+\))", expand=False)
    m = ex.method.str.startswith("ifo 2021")
    ex.loc[m, "method"] = "supplier_exposure: " + ex.loc[m, "method"].str.extract(
        r"\(assumption\) = ([0-9.]+)", expand=False).radd("t = ")
    ex.loc[m, "source"] = ("ifo 2021; Prognos 2024; ELAB 2.0; IW Consult 2025; ifo 2017; Regionalstatistik "
                           "13111-07-05-4 (full citations in datapackage.json)")
    g = ex.sector == "vehicles"
    ex.loc[g & ex.source.str.len().gt(200), "source"] = ("ELAB 2.0; IW Consult 2025; ifo 2017 (full citations in "
                                                         "datapackage.json)")


def write_report_national(path, regions, leaves, rows_es, rows_ex, checks, names):
    info = wz29_national.info
    es = rows_es["de"]
    e20 = es[es.year == BASE_YEAR]
    L = []
    w = L.append
    w("# National region `de`: sector estimates and exposure for every Kreis (build notes)\n")
    w("Written by `data/build/estimate_sectors.py --regions de`; do not edit by hand. The method is the one of "
      "`ESTIMATES.md` (Südostniedersachsen, Südwestsachsen), applied to every Kreis; this page lists what differs "
      "and the checks.\n")
    w("## District set\n")
    w(f"- {len(regions['de'])} Kreise of the Gebietsstand 31.12.2018 = 2020 (BKG VG250; no boundary changes 2019–2020). "
      "Codes that table 13111-07-05-4 shows only as '-' in 2020 (the pre-reform Kreise of Mecklenburg-Vorpommern, "
      "Sachsen, Sachsen-Anhalt, Kreis Aachen 05354, and 03152/03156) are dropped.")
    w("- Hamburg (02000) and Berlin (11000) are published at Land level ('02', '11') and are used under their Kreis codes.")
    w("- Göttingen 03159 (formed 1 Nov 2016 from LK Göttingen 03152 and Osterode am Harz 03156): 2015 and 2016 are "
      "the sum of the two predecessors (a cell suppressed in either stays suppressed and is estimated).")
    w("- Eisenach 16056 is kept as a Kreis (merged into the Wartburgkreis 16063 only on 1 July 2021, after the base "
      "year). The BA occupation tables (Gebietsstand 2021) include Eisenach in 16063: both districts use the merged "
      "occupation mix, its counts apportioned by the two districts' SvB totals (so KldB 252 is not counted twice).")
    w("\n## What differs from the two regions\n")
    w("1. **Suppressed G-U parts** (J, K, L, R-U; G-U itself in two Bavarian Kreise) never occur in the two regions. "
      "They are estimated one level below the section leaves with the same method: parts by sex as variables, every "
      "published part cell and G-U (published, or the first-stage estimate) as equalities, hard bounds by LP, evidence "
      "bounds from the 5th–95th percentile over all Kreise of the part's share of total employment in that year, the "
      "central value by least squares to the share of the nearest published year (else the national share), rounded "
      "by largest remainder to G-U.")
    w(f"2. **Vehicles (WZ 29) 2020.** The 13 districts of son and swsn keep their figures (two published BA figures, "
      f"plant head counts, the Saxon supplier share). For the other {len(regions['de']) - 13} Kreise the supplier-share "
      f"method is made national: Germany's WZ 29 in 2020 is taken as 13.01 % of C (911,000 / 7,002,381 in 2019, held) "
      f"= {info['N']:,.0f}; minus the 13 anchors, the rest is spread over the Kreise in proportion to C × LQ, where LQ "
      f"is the district's excess of KldB 252 (Fahrzeug-, Luft-, Raumfahrt-, Schiffbautechnik) workers per "
      f"manufacturing job relative to Germany; the excess is the 252 count minus {info['b']:.4f} × total SvB (the "
      f"252 share of the median Kreis: car workshops, dealers, transport companies are everywhere). LQ bounded to "
      f"{LQ29_BOUNDS}; share of C at most {WZ29_MAX_SHARE} (reached in {len(info['capped'])} Kreise: "
      f"{', '.join(info['capped']) or 'none'}); calibrated share s = {info['s']:.4f}. Low = half the central; high = "
      "max(2 × central, 13.01 % × C high), never above C high. Other years hold the 2020 share of C, as in the regions.")
    w("3. Exposure: unchanged method (national ICE ratios, the Zwickau/Chemnitz/Salzgitter overrides, supplier share "
      "tilted by WZ29/C).")
    w("\n## Checks\n")
    w(f"- Published unsuppressed groups checked: {checks['groups_checked']:,}; failures: {checks['groups_failed']}.")
    w(f"- Max TOTAL − sum of sectors (persons without WZ): {checks['max_gap']}.")
    w(f"- low ≤ value ≤ high violations: {checks['bound_violations']}; negative values: {checks['neg']}.")
    w(f"- Evidence bounds infeasible (hard bounds used): {len(checks['evidence_dropped'])} district-years.")
    n_est = int((es.status == "estimate").sum() - 6 * len(regions['de']) * len(YEARS))
    w(f"- Estimated cells outside manufacturing (suppressed published cells): {n_est:,} district-year-sectors.")
    tot = e20.groupby("sector")[["value", "low", "high"]].sum()
    w("\n## Germany 2020, sum over Kreise (persons)\n")
    w("| sector | value | low | high |")
    w("|---|---:|---:|---:|")
    for s in SECTORS:
        r = tot.loc[s]
        w(f"| {s} | {fmt(r.value)} | {fmt(r.low)} | {fmt(r.high)} |")
    veh = e20[e20.sector == "vehicles"].sort_values("value", ascending=False).head(30)
    w("\n## The 30 Kreise with most vehicle jobs (2020 estimate)\n")
    w("| district | value | low | high | share of C |")
    w("|---|---:|---:|---:|---:|")
    for r in veh.itertuples():
        c = leaves[(r.district, BASE_YEAR)]["C"]["value"]
        w(f"| {r.district} {names[r.district]} | {fmt(r.value)} | {fmt(r.low)} | {fmt(r.high)} | {r.value / c:.2f} |")
    w("\n## Weak points\n")
    w("- KldB 252 is a weak marker of WZ 29: engineers and production workers of OEMs are in other occupations, and "
      "workshops are not spread exactly as total employment; OEM sites are probably underestimated where the LQ bound "
      "binds and overestimated in districts with large bus, rail or aircraft workshops (252 includes aircraft and ship "
      "technology). The wide low/high ranges enter the ensembles.")
    w("- Exposure outside the 13 districts uses only national ratios (no plant-level ICE figures).")
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


# =========================================================================================
# 4. main build
# =========================================================================================
def build(ref: Path, regions: dict | None = None):
    regions = REGIONS if regions is None else regions
    wz, sx, kl, labels, nat, auto = read_inputs(ref)
    national = "de" in regions
    # label check of the occupation groups used
    lab = labels.set_index("kldb3").label
    for s, codes in KLDB_MAP.items():
        for c in codes:
            if c not in lab.index:
                fail(f"KldB group {c} missing in labels")
    cd = CellData(sx)  # cross-district statistics from the table as published (never the added rows)
    if national:
        wz, sx = kreis_frame(wz), kreis_frame(sx)
        kl = occupation_proxies(kreis_frame(kl), wz)
        cd.add_published(sx)
    nat_sh, nat_emp, nat_c29 = national_manuf_shares(nat)
    wzp = wz[wz.ags.isin(sum(regions.values(), []))]
    pubt = {(r.year, r.ags, r.wz_code): (None if pd.isna(r.value) else float(r.value)) for r in wzp.itertuples()}

    # ---- WZ 29 estimates 2020 from the automotive file ----
    ae = auto[auto.metric == "wz29_employment_estimate"].set_index("ags")
    veh2020 = {a: dict(value=float(ae.loc[a, "value"]), low=float(ae.loc[a, "low"]),
                       high=float(ae.loc[a, "high"])) for a in ae.index}

    leaves = {}
    todo = sorted({(a, y) for dists in regions.values() for a in dists for y in YEARS})
    if len(todo) > 200:  # the national region: 2,406 district-years, in parallel
        import multiprocessing as mp
        global _CD
        _CD = cd
        with mp.get_context("fork").Pool() as pool:
            for key, res in zip(todo, pool.map(_solve_one, todo, chunksize=20), strict=True):
                leaves[key] = res
    else:
        for a, y in todo:
            leaves[(a, y)] = _solve_one((a, y), cd)
    parts = {}
    if national:
        for a, y in todo:
            if any(pubt[(y, a, g)] is None for g in GU_PARTS):
                parts[(a, y)] = solve_gu_parts(cd, pubt, a, y, leaves[(a, y)]["GU"]["value"])

    # Wolfenbüttel: method 3 of the automotive note applied to the estimated C instead of B-F
    wf = leaves[("03158", BASE_YEAR)]["C"]
    veh_notes = {}
    old = veh2020["03158"].copy()
    veh2020["03158"] = dict(value=round(S_REST * wf["value"]), low=round(S_REST * wf["value"] / 2),
                            high=round(S_DE * wf["high"]))
    veh_notes["03158"] = (f"the automotive note applied method 3 to B-F ({old['value']:.0f}, "
                          f"{old['low']:.0f}-{old['high']:.0f}) because C is suppressed; here the same method "
                          f"is applied to the estimated C ({wf['value']}): central = 5.26 % x C, low = half, "
                          f"high = 13.01 % x C high ({wf['high']:.0f})")
    if national:
        veh_nat, veh_nat_notes = wz29_national(cd, kl, leaves, regions["de"], veh2020)
        veh2020.update(veh_nat)
        veh_notes.update(veh_nat_notes)
    # Wolfsburg etc.: high never above C high, low never above C
    rows_es, rows_ex, rows_ae, est_tab = {}, {}, {}, {}
    checks = {"groups_checked": 0, "groups_failed": 0, "max_gap": 0, "gap_cells": [],
              "bound_violations": 0, "neg": 0, "evidence_dropped": []}
    manuf_detail = {}
    for reg, dists in regions.items():
        rows = []
        for a in dists:
            C20 = leaves[(a, BASE_YEAR)]["C"]
            v20 = veh2020[a]
            sh = {k: v20[k] / C20["value"] for k in ("value", "low", "high")}
            for y in YEARS:
                L = leaves[(a, y)]
                if any(L[l]["status"] == "estimate" and not L[l].get("evidence", True) for l in LEAVES):
                    checks["evidence_dropped"].append((a, y))
                C = {k: float(L["C"][k]) for k in ("value", "low", "high")}
                if y == BASE_YEAR:
                    veh = dict(v20)
                    vmeth = ("WZ 29 estimate for 2020 from the automotive exposure analysis "
                             "(BA/VW/IW figures; see automotive_estimates.csv)")
                else:
                    veh = {k: sh[k] * C["value"] for k in ("value", "low", "high")}
                    vmeth = (f"2020 WZ 29 share of C held ({sh['value']:.4f}; low {sh['low']:.4f}, high "
                             f"{sh['high']:.4f}) x C {y} (assumption: no year-specific evidence)")
                veh["value"] = float(round(min(veh["value"], C["value"])))
                veh["high"] = min(veh["high"], C["high"])
                veh["low"] = min(veh["low"], veh["value"])
                if a in veh_notes:
                    vmeth += "; " + veh_notes[a]
                lq, dis_o, adj = occupation_lq(kl, a, y, veh["value"], leaves[(VEH_PROFILE, y)]["C"]["value"])
                sp, t, s0, sc, s1 = split_manufacturing(C, veh, nat_sh, lq)
                manuf_detail[(a, y)] = dict(lq=lq, t=t, s0=s0, sc=sc, s1=s1, occ=dis_o, occ_adj=adj)
                rem = int(L["C"]["value"]) - int(veh["value"])
                ints = largest_remainder({s: sp[s][0] for s in SUPPLIERS}, rem)
                vals = {}
                vals["vehicles"] = (int(veh["value"]), veh["low"], veh["high"], "estimate", vmeth)
                for s in SUPPLIERS:
                    m = (f"(C - vehicles) x national WZ share {nat_sh[s]:.4f} (WIOD SEA 2014 employees) tilted by "
                         f"occupation LQ {lq[s]:.2f} (KldB {','.join(KLDB_MAP[s])}; bounded {t[s]:.2f}), "
                         f"half tilt, rescaled to C; low/high = untilted vs full tilt split x (C low - vehicles high) / "
                         f"(C high - vehicles low)")
                    vals[s] = (ints[s], sp[s][1], sp[s][2], "estimate", m)
                # energy_mining
                R = L["R"]
                if R["status"] == "read":
                    vals["energy_mining"] = (int(R["value"]), R["value"], R["value"], "derived",
                                             "B-E minus C (published)")
                else:
                    vals["energy_mining"] = (int(R["value"]), R["low"], R["high"], "estimate",
                                             "B-E minus C, both suppressed: " + method_suppressed(R))
                for sec, leaf in (("agriculture", "A"), ("construction", "F")):
                    X = L[leaf]
                    if X["status"] == "read":
                        vals[sec] = (int(X["value"]), X["value"], X["value"], "read", f"WZ {leaf} (published)")
                    else:
                        vals[sec] = (int(X["value"]), X["low"], X["high"], "estimate",
                                     f"WZ {leaf} suppressed: " + method_suppressed(X))
                P = parts.get((a, y))
                for sec, g in (("trade_transport", "G-I"), ("ict", "J"), ("public_services", "O-Q"),
                               ("other_services", "R-U")):
                    v = pubt[(y, a, g)]
                    if v is None and P is None:
                        fail(f"{a} {y} {g} suppressed: not handled")
                    if v is None:
                        X = P[g]
                        vals[sec] = (int(X["value"]), X["low"], X["high"], "estimate",
                                     f"WZ {g} suppressed: " + method_parts(X))
                    else:
                        vals[sec] = (int(v), v, v, "read", f"WZ {g} (published)")
                kv = [pubt[(y, a, g)] for g in ("K", "L", "M-N")]
                if any(v is None for v in kv):
                    if P is None:
                        fail(f"{a} {y} K/L/M-N suppressed: not handled")
                    X = {k: sum(P[g][k] if pubt[(y, a, g)] is None else pubt[(y, a, g)] for g in ("K", "L", "M-N"))
                         for k in ("value", "low", "high")}
                    miss = "/".join(g for g in ("K", "L", "M-N") if pubt[(y, a, g)] is None)
                    vals["business_services"] = (int(X["value"]), X["low"], X["high"], "estimate",
                                                 f"WZ K + L + M-N with {miss} suppressed: "
                                                 + method_parts(P[[g for g in ("K", "L", "M-N") if pubt[(y, a, g)] is None][0]]))
                    kv = [X["value"]]
                else:
                    vals["business_services"] = (int(sum(kv)), sum(kv), sum(kv), "derived", "WZ K + L + M-N (published)")
                for s in SECTORS:
                    v, lo, hi, st, m = vals[s]
                    lo_i, hi_i = int(math.floor(lo + 1e-9)), int(math.ceil(hi - 1e-9))
                    lo_i, hi_i = min(lo_i, v), max(hi_i, v)
                    rows.append(dict(year=y, district=a, sector=s, value=v, low=lo_i, high=hi_i, status=st, method=m))
                # ---- invariants ----
                sv = {s: vals[s][0] for s in SECTORS}
                for g, secs in GROUP_SECTORS.items():
                    if g == "K+L+M-N":
                        pv = sum(kv)
                    else:
                        pv = pubt[(y, a, g)]
                    if pv is None:
                        continue
                    checks["groups_checked"] += 1
                    if sum(sv[s] for s in secs) != int(pv):
                        checks["groups_failed"] += 1
                        print("INVARIANT FAILED", a, y, g, sum(sv[s] for s in secs), pv, file=sys.stderr)
                tot = pubt[(y, a, "TOTAL")]
                gap = int(tot) - sum(sv.values())
                checks["gap_cells"].append((a, y, gap, L["GAP"]["status"]))
                checks["max_gap"] = max(checks["max_gap"], gap)
                if gap != int(L["GAP"]["value"]) or gap < 0 or gap > cd.gap_max[("total", "male")] + cd.gap_max[("total", "female")]:
                    checks["groups_failed"] += 1
                    print("TOTAL gap inconsistent", a, y, gap, L["GAP"]["value"], file=sys.stderr)
                if sum(sv[s] for s in MANUF) != int(L["C"]["value"]):
                    checks["groups_failed"] += 1
                    print("C sum failed", a, y, file=sys.stderr)
                if y == BASE_YEAR:
                    est_tab[a] = (vals, L)
        df = pd.DataFrame(rows)
        checks["bound_violations"] += int(((df.low > df.value) | (df.value > df.high)).sum())
        checks["neg"] += int((df[["value", "low", "high"]] < 0).sum().sum())
        rows_es[reg] = df
        rows_ex[reg] = exposure_rows(dists, est_tab, veh2020)
        rows_ae[reg] = (automotive_rows_national(dists, auto, veh2020, veh_notes, leaves) if reg == "de"
                        else automotive_rows(dists, auto, veh2020, veh_notes, leaves))
    return rows_es, rows_ex, rows_ae, est_tab, leaves, checks, nat_sh, nat_emp, nat_c29, manuf_detail, cd


_CD = None


def _solve_one(key, cd=None):
    cd = _CD if cd is None else cd
    a, y = key
    try:
        return integerize(solve_district_year(cd, a, y), cd, a, y)
    except SystemExit:  # fail() in a worker of the pool: an exception reaches the parent, an exit would hang it
        raise RuntimeError(f"no estimate for district {a}, {y} (see the error above)") from None


def method_suppressed(X) -> str:
    return (f"constrained least-squares estimate from the published identities (TOTAL = A + B-F + G-U + "
            f"persons without WZ; B-F = B-E + F; B-E = C + B/D/E), the published male/female and foreign "
            f"cells, neighbouring years and the national structure ({X['note']}); hard bounds from the "
            f"identities {X['hard'][0]:.0f}-{X['hard'][1]:.0f}, tightened by evidence bounds "
            f"(5-95 % ranges over all German Kreise) to {X['low']:.0f}-{X['high']:.0f}")


# =========================================================================================
# 5. exposure
# =========================================================================================
def supplier_shares():
    c_de_2019 = 7_002_381  # SvB C, Germany, 30.06.2019 (Regionalstatistik 13111-07-05-4)
    base = c_de_2019 - WZ29_DE_2019
    return {k: (IFO2021_ICE - RATIO[j] * WZ29_DE_2019) / base
            for k, j in (("central", "central"), ("low", "high"), ("high", "low"))}, base


def exposure_rows(dists, est_tab, veh2020):
    ss, base = supplier_shares()
    s_de = WZ29_DE_2019 / 7_002_381
    rows = []
    gen_src = f"{SRC_ELAB}; {SRC_IW25}; {SRC_IFO17}"
    gen_url = f"{URL_ELAB} ; {URL_IW25} ; {URL_IFO17}"
    for a in dists:
        vals, L = est_tab[a]
        V = veh2020[a]
        v, lo, hi = RATIO["central"], RATIO["low"], RATIO["high"]
        meth = ("national share of automotive jobs in ICE powertrain production: central 25 % (ELAB 2.0: "
                "210,000 of 840,000), low 19.6 % (IW Consult 2025: 235,000 of 1.2 million), high 51.9 % "
                "(ifo 2017: 436,000 of about 840,000); applied to the district's WZ 29 jobs")
        src, url = gen_src, gen_url
        if a == "03103":
            meth += ("; Wolfsburg is final assembly, headquarters and R&D without an engine plant, so the "
                     "generic central probably overstates its ICE-specific share (kept, not adjusted: no "
                     "district figure)")
        if a == "03101":
            meth += ("; VW Braunschweig makes axles, steering, dampers and battery systems, mostly not "
                     "ICE-specific, so the generic ratio may overstate (kept: no district figure)")
        if a == "14524":
            f = (V["value"] - VW_ZWICKAU) / V["value"]
            v, lo, hi = v * f, lo * f, hi * f
            meth = ("override: the VW Zwickau vehicle plant (about 8,500, BEV-only since 2020) is not exposed; "
                    f"the generic ratios (19.6 / 25 / 51.9 %) apply to the rest of WZ 29 ({V['value'] - VW_ZWICKAU:.0f} "
                    f"of {V['value']:.0f})")
            src += "; Volkswagen Sachsen, Zwickau plant head count about 8,500 (about 2020), via krzbb.de"
            url += " ; " + URL_VW_ZW
        if a == "14511":
            P_lo, P = VW_CHEMNITZ
            v = (P + RATIO["central"] * max(V["value"] - P, 0)) / V["value"]
            lo = (P_lo + RATIO["low"] * max(V["high"] - P_lo, 0)) / V["high"]
            hi = 1.0
            meth = ("override: the VW engine plant Chemnitz (petrol engines; about 1,800 in 2024, 1,650 in "
                    "2017/2023) is fully ICE-dependent; other WZ 29 jobs at the generic ratio; low = plant 1,650 "
                    f"plus 19.6 % of the rest if WZ 29 is at its high ({V['high']:.0f})")
            src += "; Volkswagen Sachsen, Motorenwerk Chemnitz head count, via businessinsider.de / Freie Presse"
            url += " ; " + URL_VW_CH
        if a == "03102":
            v = 7994 / V["value"]
            lo = 4796 / V["value"]
            hi = 9652 / V["value"]
            meth = ("override: IW Consult district evidence; central = one in six of all SvB affected "
                    "(Kempermann/IW, ZDF 2024) = 7,994 jobs; low = more than every tenth SvB in the conventional "
                    "powertrain (IW Consult 2022) = 4,796; high = all jobs of the VW engine plant (about 7,000, "
                    "2022) and the MAN plant (2,652, 2021) = 9,652; each divided by WZ 29 "
                    f"({V['value']:.0f}); IW counts may include ICE jobs outside WZ 29 (e.g. Bosch control units)")
            src = ("IW Consult for BMWK (2022) via tradetalk-wirtschaftsmagazin.de; H. Kempermann (IW Consult), ZDF "
                   "2024; Volkswagen Salzgitter head count (krone.at, automobil-produktion.de); MAN Truck & Bus "
                   "Salzgitter head count (regionalheute.de)")
            url = f"{URL_IW22} ; {URL_ZDF} ; {URL_VW_SZ} ; {URL_MAN_SZ}"
        rows.append(dict(district=a, sector="vehicles", value=round(v, 4), low=round(min(lo, v), 4),
                         high=round(max(hi, v), 4), status="estimate", method=meth, source=src, url=url))
        # supplier sectors
        C = L["C"]["value"]
        ratio = (V["value"] / C) / s_de
        t = min(max(math.sqrt(ratio), 0.5), 2.0)
        for s in SUPPLIERS:
            vv = ss["central"] * t
            ll = ss["low"] * min(t, 1.0)
            hh = min(ss["high"] * max(t, 1.0), 1.0)
            m = (f"ifo 2021: 613,000 ICE-related jobs in all industries (2019) minus ICE jobs in WZ 29 "
                 f"(25 % of 911,000, Prognos 2024; low/high 51.9 % / 19.6 %) = {IFO2021_ICE - 0.25 * WZ29_DE_2019:,.0f}, "
                 f"divided by national SvB in C without WZ 29 ({base:,.0f}, 2019): {ss['central']:.4f} "
                 f"(low {ss['low']:.4f}, high {ss['high']:.4f}); same share for all five supplier sectors "
                 f"(assumption); tilted by the district's automotive intensity t = sqrt((WZ29/C) / national "
                 f"13.01 %) bounded to [0.5, 2] (assumption) = {t:.2f}; low = low share x min(t,1), high = "
                 f"high share x max(t,1)")
            rows.append(dict(district=a, sector=s, value=round(vv, 4), low=round(ll, 4), high=round(hh, 4),
                             status="estimate", method=m,
                             source=f"{SRC_IFO21}; {SRC_PROGNOS}; {SRC_ELAB}; {SRC_IW25}; {SRC_IFO17}; {SRC_RS}",
                             url=f"{URL_IFO21} ; {URL_PROGNOS} ; {URL_ELAB} ; {URL_RS}"))
        for s in SECTORS[6:]:
            rows.append(dict(district=a, sector=s, value=0.0, low=0.0, high=0.0, status="estimate",
                             method=("no direct ICE-specific production assumed; effects on this sector come "
                                     "through the input-output model"),
                             source="assumption of the model (see ESTIMATES.md)", url=""))
    df = pd.DataFrame(rows)
    df["source"] = df["source"] + " ; URLs: " + df.pop("url")
    df.loc[df.sector.isin(SECTORS[6:]), "source"] = "assumption of the model (see ESTIMATES.md)"
    return df


# =========================================================================================
# 6. automotive estimates (carried over with original publishers)
# =========================================================================================
PUB_SOURCE = {
    "svb_total": (SRC_RS, URL_RS),
    "svb_manufacturing_C": (SRC_RS, URL_RS),
    "svb_kldb252": (SRC_BA_KLDB, URL_BADATA),
    "svb_kldb252_share_of_total": (SRC_BA_KLDB, URL_BADATA),
    "svb_A_plus_BE_residual": (SRC_RS, URL_RS),
}
EST_SOURCE = {
    "03103": ("Volkswagen AG Werk Wolfsburg head count about 62,000 (NDR 2024); IW Consult 2025 shares (via "
              "dgrsta.com, Stuttgarter Nachrichten); " + SRC_RS, f"{URL_VW_WOB} ; {URL_IW25} ; {URL_STN}"),
    "03102": ("Volkswagen Werk Salzgitter head count (automobil-produktion.de 2022, krone.at 2024); MAN Truck & Bus "
              "Salzgitter (regionalheute.de 2021); BA Regionaldirektion Sachsen (LVZ) for the supplier share; "
              + SRC_PROGNOS + "; " + SRC_RS, f"{URL_VW_SZ} ; {URL_MAN_SZ} ; {URL_LVZ} ; {URL_PROGNOS}"),
    "03101": ("Volkswagen Werk Braunschweig head count 6,625 (2014, Wikipedia copy) and 5,500 (NDR); BA Regionaldirektion "
              "Sachsen (LVZ) for the supplier share; " + SRC_PROGNOS + "; " + SRC_RS, f"{URL_VW_BS} ; {URL_LVZ} ; {URL_PROGNOS}"),
    "14524": ("BA Regionaldirektion Sachsen on request of the Leipziger Volkszeitung (16,565, about 2018); Volkswagen "
              "Sachsen Zwickau head count (krzbb.de); BA Regionaldirektion Sachsen via dpa (Saxony end-2022)",
              f"{URL_LVZ} ; {URL_VW_ZW} ; {URL_RTL}"),
    "14521": ("BA Regionaldirektion Sachsen on request of the Leipziger Volkszeitung (3,075, about 2018); BA Regionaldirektion "
              "Sachsen via dpa (Saxony end-2022, ranking)", f"{URL_LVZ} ; {URL_RTL}"),
    "14511": ("Volkswagen Sachsen Motorenwerk Chemnitz head count (businessinsider.de 2024; Freie Presse 2017/2023); BA "
              "Regionaldirektion Sachsen via dpa (ranking)", f"{URL_VW_CH} ; {URL_RTL}"),
}
DEFAULT_EST_SOURCE = ("BA Regionaldirektion Sachsen on request of the Leipziger Volkszeitung (WZ 29 share of C, Saxony without "
                      "Zwickau and Leipzig, about 2018); " + SRC_PROGNOS + "; " + SRC_RS, f"{URL_LVZ} ; {URL_PROGNOS} ; {URL_RS}")
METRIC_RENAME = {
    "svb_total": "svb_total_persons", "svb_manufacturing_C": "svb_manufacturing_c_persons",
    "svb_kldb252": "svb_kldb252_persons", "svb_kldb252_share_of_total": "svb_kldb252_share_of_total_share",
    "svb_A_plus_BE_residual": "svb_a_plus_be_residual_persons", "svb_wz29": "svb_wz29_published_persons",
    "svb_total_check": "svb_total_check_persons", "svb_wz29_share_of_total": "svb_wz29_share_of_total_share",
    "svb_wz29_share_of_C": "svb_wz29_share_of_c_share",
    "auto_industry_share_of_employees": "auto_industry_share_of_employees_share",
    "auto_production_related_share_of_employees": "auto_production_related_share_of_employees_share",
    "share_of_german_auto_industry_employment": "share_of_german_auto_industry_employment_share",
    "auto_industry_employment_implied": "auto_industry_employment_implied_persons",
    "conventional_powertrain_share_of_employees": "conventional_powertrain_share_of_employees_share",
    "share_affected_by_auto_change": "share_affected_by_auto_change_share",
    "vw_plant_share_of_jobs": "vw_plant_share_of_jobs_share",
    "conventional_powertrain_jobs_min": "conventional_powertrain_jobs_min_persons",
    "auto_change_affected_jobs": "auto_change_affected_jobs_persons",
    "wz29_employment_estimate": "wz29_employment_estimate_persons",
    "ice_dependent_jobs_estimate": "ice_dependent_jobs_estimate_persons",
}


def automotive_rows(dists, auto, veh2020, veh_notes, leaves):
    rows = []
    for r in auto[auto.ags.isin(dists)].itertuples():
        metric = METRIC_RENAME.get(r.metric)
        if metric is None:
            fail(f"unknown metric {r.metric}")
        yr_txt = str(r.year)
        year = int(yr_txt.replace("about ", "")[:4])
        scale = 0.01 if metric.endswith("_share") else 1.0
        val = r.value * scale
        lo = r.low * scale if not pd.isna(r.low) else val
        hi = r.high * scale if not pd.isna(r.high) else val
        note = "" if pd.isna(r.note) else str(r.note)
        method = note
        if yr_txt != str(year):
            method = f"reference date {yr_txt}; " + method
        if r.metric in PUB_SOURCE:
            src, url = PUB_SOURCE[r.metric]
        elif r.metric in ("wz29_employment_estimate", "ice_dependent_jobs_estimate"):
            src, url = EST_SOURCE.get(r.ags, DEFAULT_EST_SOURCE)
            method = f"{r.source}: {note}".replace("see automotive_exposure.md", "method described in data/build/ESTIMATES.md")
            if r.metric == "ice_dependent_jobs_estimate" and r.ags not in ("03102",):
                src = f"{SRC_ELAB}; {SRC_IW25}; {SRC_IFO17}; " + src
                url = f"{URL_ELAB} ; {URL_IW25} ; {URL_IFO17} ; " + url
            if r.metric == "wz29_employment_estimate":
                V = veh2020[r.ags]
                if r.ags in veh_notes:
                    method += "; REVISED here: " + veh_notes[r.ags]
                    val, lo, hi = V["value"], V["low"], V["high"]
                C = leaves[(r.ags, 2020)]["C"]
                if hi > C["high"]:
                    method += (f"; high capped in employment_sector.csv at the upper bound of C "
                               f"({C['high']:.0f})")
        else:
            src, url = str(r.source), ("" if pd.isna(r.url) else str(r.url))
            if "file data/" in src:
                fail(f"reference-folder citation left in {r.metric}")
        status = "read" if r.status == "read" else ("derived" if r.metric not in (
            "wz29_employment_estimate", "ice_dependent_jobs_estimate") else "estimate")
        rows.append(dict(district=r.ags, year=year, metric=metric, value=round(val, 4),
                         low=round(lo, 4), high=round(hi, 4), status=status, method=method,
                         source=src, url=url))
    return pd.DataFrame(rows)


# =========================================================================================
# 7. descriptors and report
# =========================================================================================
LIC_RS = {"name": "dl-de/by-2-0", "path": "https://www.govdata.de/dl-de/by-2-0",
          "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
          "attribution": "© Statistische Ämter des Bundes und der Länder, Deutschland, 2021 (Regionalstatistik 13111-07-05-4); Daten verändert"}
LIC_BA = {"name": "BA-Statistik", "path": "https://statistik.arbeitsagentur.de",
          "title": "Statistik der Bundesagentur für Arbeit – reuse with source note",
          "attribution": "Quelle: Statistik der Bundesagentur für Arbeit (terms recalled, check before publishing)"}

SOURCES_ES = [
    {"title": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Geschlecht, Nationalität und Wirtschaftszweigen (WZ 2008), Stichtag 30.06., Kreise",
     "publisher": "Statistische Ämter des Bundes und der Länder (Regionaldatenbank Deutschland), based on Beschäftigungsstatistik der Bundesagentur für Arbeit",
     "year": 2021, "path": URL_RS, "table": "13111-07-05-4"},
    {"title": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Berufen (KldB 2010, 3-Steller), Kreise, 2013-2020",
     "publisher": "Statistik der Bundesagentur für Arbeit (Sonderauswertung 317-408036, distributed in the R package badata)",
     "year": 2021, "path": URL_BADATA, "table": "employees_by_workplace"},
    {"title": "WIOD Socio-Economic Accounts, release November 2016 (Germany, employees by industry, 2014)",
     "publisher": "Groningen Growth and Development Centre, University of Groningen (Timmer et al. 2015)",
     "year": 2016, "path": URL_WIOD, "table": "WIOD_SEA_Nov16, sheet DATA, variable EMPE"},
    {"title": "Erstmals über 40000 Jobs in Sachsens Automobilbau (WZ 29 employees Landkreis Zwickau and Erzgebirgskreis)",
     "publisher": "Bundesagentur für Arbeit, Regionaldirektion Sachsen, via Leipziger Volkszeitung",
     "year": 2018, "path": URL_LVZ, "table": "press figures"},
    {"title": "Plant head counts (VW Wolfsburg, Braunschweig, Salzgitter, Zwickau, Chemnitz; MAN Salzgitter)",
     "publisher": "Volkswagen AG / MAN Truck & Bus as reported by NDR, krone.at, regionalheute.de, krzbb.de, businessinsider.de",
     "year": 2024, "path": URL_VW_WOB, "table": "press figures"},
    {"title": "Beschäftigungsperspektiven in der Automobilindustrie", "publisher": "Prognos AG for VDA",
     "year": 2024, "path": URL_PROGNOS, "table": "automotive employment 2019"},
]
SOURCES_EX = [
    {"title": "ELAB 2.0 – Wirkungen der Fahrzeugelektrifizierung auf die Beschäftigung am Standort Deutschland",
     "publisher": "Fraunhofer IAO (with DLR, IMU Institut) for IG Metall", "year": 2018, "path": URL_ELAB, "table": "headline figures"},
    {"title": "Wirtschaftliche Bedeutung regionaler Automobilnetzwerke – Update 2025", "publisher": "IW Consult for BMWK",
     "year": 2025, "path": URL_IW25, "table": "summary"},
    {"title": "Auswirkungen eines Zulassungsverbots für Personenkraftwagen und leichte Nutzfahrzeuge mit Verbrennungsmotor",
     "publisher": "ifo Institut for VDA", "year": 2017, "path": URL_IFO17, "table": "headline figures"},
    {"title": "Auswirkungen der vermehrten Produktion elektrisch betriebener Pkw auf die Beschäftigung in Deutschland",
     "publisher": "ifo Institut (Falck, Czernich) and ARC Econ (Koenen) for VDA", "year": 2021, "path": URL_IFO21, "table": "headline figures"},
    {"title": "Regional automotive networks (Salzgitter: more than every tenth employee in the conventional powertrain)",
     "publisher": "IW Consult for BMWK, via tradetalk-wirtschaftsmagazin.de", "year": 2022, "path": URL_IW22, "table": "press summary"},
    {"title": "Interview H. Kempermann (IW Consult): Salzgitter one in six employees affected", "publisher": "ZDF",
     "year": 2024, "path": URL_ZDF, "table": "interview"},
    {"title": "Beschäftigungsperspektiven in der Automobilindustrie", "publisher": "Prognos AG for VDA",
     "year": 2024, "path": URL_PROGNOS, "table": "automotive employment 2019"},
    SOURCES_ES[0],
]


def field(name, typ, desc, unit=None):
    f = {"name": name, "type": typ, "description": desc}
    if unit:
        f["unit"] = unit
    return f


def descriptors(reg, checks):
    es_desc = (
        "Employees subject to social insurance (SvB) at the workplace on 30 June, 2015-2020, for every district "
        "of the region and the 14 model sectors. Sectors that equal a published WZ 2008 section group are copied "
        "(status read) or summed from published groups (K + L + M-N, B-E minus C; status derived). Suppressed "
        "cells (Wolfsburg A, B-F, B-E, C; Wolfenbüttel A, B-F, B-E, C, F; Helmstedt A, B-F, F) are estimated by "
        "constrained weighted least squares: the published identities (TOTAL = A + B-F + G-U + persons without "
        "WZ, B-F = B-E + F, B-E = C + B/D/E), every published male, female and foreign cell of the same district "
        "and year, neighbouring years of the same cell and the national structure (shares and female/male ratios) "
        "serve as constraints and priors. Low and high are the bounds a linear programme finds under the "
        "identities, tightened by evidence bounds (5th-95th percentile over all German districts of the share of "
        "the cell in total employment, of its female/male ratio and of its change over the same number of years). "
        "Manufacturing (C) is split into six sectors: vehicles (WZ 29) is the district estimate of the automotive "
        "exposure analysis for 2020 (published BA figures for Zwickau and Erzgebirgskreis, plant head counts and "
        "supplier shares elsewhere); other years hold the 2020 share of C. The remainder C minus vehicles is split "
        "over metals, machinery, electrical, chemicals and other manufacturing by the national employment "
        "structure (WIOD SEA 2014 employees), tilted by district location quotients of marker occupations (KldB "
        "2010 3-digit; the occupation content of the district's vehicle jobs removed using Wolfsburg's "
        "marker occupations per manufacturing job as the WZ 29 profile), each tilt bounded to [1/3, 3] and applied with exponent 0.5, then "
        "rescaled so that the six sectors add up exactly to C. Low and high of these sectors are the untilted "
        "versus the fully tilted split, applied to C low minus vehicles high and C high minus vehicles low. Central "
        "values are whole persons, rounded by the largest-remainder method so that every published group is met "
        "exactly; the 14 sectors add up to the published total minus persons without WZ assignment "
        f"(at most {checks['max_gap']} persons).")
    es = {
        "name": "employment_sector", "path": "employment_sector.csv", "profile": "tabular-data-resource",
        "title": "Employment by model sector and district, 2015-2020 (SvB, workplace, 30 June)",
        "description": es_desc, "format": "csv", "encoding": "utf-8", "status": "estimate",
        "schema": {"fields": [
            field("year", "integer", "reference year (30 June)", "year"),
            field("district", "string", "district code (5-digit AGS)"),
            field("sector", "string", "model sector code (national/sectors.csv)"),
            field("value", "integer", "employees subject to social insurance at the workplace, central value", "persons"),
            field("low", "integer", "lower bound", "persons"),
            field("high", "integer", "upper bound", "persons"),
            field("status", "string", "read, derived or estimate"),
            field("method", "string", "how the value was obtained"),
        ], "primaryKey": ["year", "district", "sector"]},
        "sources": SOURCES_ES, "licenses": [LIC_RS, LIC_BA],
    }
    ex_desc = (
        "Share of the base-year (2020) jobs in each sector and district that depend on the combustion-engine "
        "powertrain (engine, transmission, exhaust, fuel system and the ICE-specific share of assembly work). "
        "Vehicles: national ratios of ICE powertrain jobs to automotive jobs, central 25 % (ELAB 2.0), low 19.6 % "
        "(IW Consult 2025), high 51.9 % (ifo 2017), with district overrides: Zwickau excludes the BEV-only VW "
        "plant, Chemnitz counts the VW engine plant as fully ICE-dependent, Salzgitter uses IW Consult's district "
        "shares. Supplier sectors (metals, machinery, electrical, chemicals, other manufacturing): the ifo 2021 "
        "count of ICE-related jobs in all industries minus the ICE jobs inside WZ 29, divided by national "
        "manufacturing employment outside WZ 29, the same share for the five sectors, tilted by the district's "
        "automotive intensity (square root of its WZ 29 share of manufacturing relative to the national share, "
        "bounded to [0.5, 2]). All other sectors are 0: their effects come through the input-output model.")
    ex = {
        "name": "exposure", "path": "exposure.csv", "profile": "tabular-data-resource",
        "title": "Combustion-engine dependence of base-year jobs by sector and district (2020)",
        "description": ex_desc, "format": "csv", "encoding": "utf-8", "status": "estimate",
        "schema": {"fields": [
            field("district", "string", "district code (5-digit AGS)"),
            field("sector", "string", "model sector code"),
            field("value", "number", "share of 2020 jobs in the sector and district that depend on the ICE powertrain, central", "1"),
            field("low", "number", "lower bound of the share", "1"),
            field("high", "number", "upper bound of the share", "1"),
            field("status", "string", "estimate"),
            field("method", "string", "how the share was obtained"),
            field("source", "string", "publishers, documents, years and URLs of the figures used"),
        ], "primaryKey": ["district", "sector"]},
        "sources": SOURCES_EX, "licenses": [LIC_RS],
    }
    ae_desc = (
        "WZ 29 (manufacture of motor vehicles and parts) employment per district and the cross-checks it rests "
        "on: published SvB totals and manufacturing, the occupation proxy KldB 252, the two published BA WZ 29 "
        "figures (Zwickau, Erzgebirgskreis, about 2018), IW Consult shares and plant head counts. Metrics ending "
        "in _persons are persons, metrics ending in _share are shares between 0 and 1. The WZ 29 estimate is the "
        "one used for the vehicles sector in employment_sector.csv for 2020 (Wolfenbüttel revised, see method).")
    ae = {
        "name": "automotive_estimates", "path": "automotive_estimates.csv", "profile": "tabular-data-resource",
        "title": "Automotive (WZ 29) employment estimates and cross-checks per district",
        "description": ae_desc, "format": "csv", "encoding": "utf-8", "status": "estimate",
        "schema": {"fields": [
            field("district", "string", "district code (5-digit AGS)"),
            field("year", "integer", "reference year (approximate where the method says so)", "year"),
            field("metric", "string", "what is measured; the suffix gives the unit (_persons or _share)"),
            field("value", "number", "central value", "persons or 1 (see metric suffix)"),
            field("low", "number", "lower bound (equals value where published)", "persons or 1 (see metric suffix)"),
            field("high", "number", "upper bound (equals value where published)", "persons or 1 (see metric suffix)"),
            field("status", "string", "read, derived or estimate"),
            field("method", "string", "how the figure was obtained"),
            field("source", "string", "original publisher and document"),
            field("url", "string", "URL(s) of the source"),
        ]},
        "sources": SOURCES_ES + SOURCES_EX[1:6], "licenses": [LIC_RS, LIC_BA],
    }
    if reg == "de":  # the national region: the same method for every Kreis, plus the G-U parts and WZ 29 there
        es["description"] = es_desc.replace(
            "(Wolfsburg A, B-F, B-E, C; Wolfenbüttel A, B-F, B-E, C, F; Helmstedt A, B-F, F)",
            "(A, B-F, B-E, C, F in many Kreise; listed per row by status 'estimate')") + (
            " Suppressed parts of G-U (J, K, L, R-U) are estimated one level down by the same method; vehicles (WZ 29) "
            "outside the 13 districts of son and swsn: the national WZ 29 total spread by C x the location quotient "
            "of KldB 252 (see data/build/ESTIMATES_de.md).")
        es["sources"] = SOURCES_ES
        es["description"] += " Method keys: " + "; ".join(f"{k} = {v}" for k, v in METHOD_KEYS.items()) + "."
        ex["description"] += " Method keys: " + "; ".join(f"{k} = {v}" for k, v in METHOD_KEYS.items()) + "."
        ae["title"] = "WZ 29 (vehicles and parts) employment estimate 2020 per Kreis"
        ae["description"] = ("WZ 29 employment per Kreis in 2020 as used for the vehicles sector: the son/swsn figures "
                             "(published BA figures, plant head counts) for their 13 districts; elsewhere the national "
                             "method of data/build/ESTIMATES_de.md.")
    return {"employment_sector": es, "exposure": ex, "automotive_estimates": ae}


def fmt(x):
    return f"{x:,.0f}"


def write_report(path, est_tab, leaves, rows_es, rows_ex, checks, nat_sh, nat_emp, nat_c29, manuf_detail, cd):
    ss, base = supplier_shares()
    L = []
    w = L.append
    w("# Sector employment estimates and combustion-engine exposure (build notes)\n")
    w("Written by `data/build/estimate_sectors.py`; do not edit by hand. Figures: SvB at the workplace, 30 June; "
      "sources: Regionalstatistik 13111-07-05-4 (© Statistische Ämter des Bundes und der Länder, dl-de/by-2-0), "
      "BA occupation statistics (Quelle: Statistik der Bundesagentur für Arbeit), WIOD SEA 2016, and the studies "
      "and press figures cited in `automotive_estimates.csv` and `exposure.csv`.\n")
    w("## Method, step by step\n")
    w("1. **Published groups.** agriculture = A, construction = F, trade_transport = G-I, ict = J, "
      "public_services = O-Q, other_services = R-U are copied (`read`); business_services = K + L + M-N and "
      "energy_mining = B-E − C are sums/differences of published cells (`derived`).")
    w("2. **Suppressed cells.** For every district and year the section tree is written as six leaves per sex "
      "and nationality: A, C, R (= B, D, E = B-E − C), F, G-U and the persons without WZ assignment (GAP ≥ 0; "
      f"at most {cd.gap_max[('total','male')]:.0f} men / {cd.gap_max[('total','female')]:.0f} women in any German "
      "district 2015–2020). Every published cell of table 13111-07-05-4 for that district and year (total, male, "
      "female; all and foreign nationals) is an equality; foreign ≤ all for every leaf and sex. "
      "*Hard bounds* are the minimum and maximum of each suppressed cell under these identities (linear programme). "
      "*Evidence bounds* add: for a cell published in other years of the same district, its share of the "
      "district total (by sex) moves at most as much as the 5th–95th percentile of the change of that share over "
      "the same number of years in all German districts; for a cell never published, its female/male ratio and "
      "(for A, B/D/E, F) its share of total employment lie within the 5th–95th percentile over all German "
      "districts in the same year. The central value minimises the squared standardised distance to priors "
      "(neighbouring-year share of the same cell; else the national female/male ratio times the published "
      "cell of the other sex; else the national share of total employment, with a very weak prior on C, which "
      "absorbs the residual) subject to all constraints (interior-point solver Clarabel; the optimum is "
      "unique). Low/high are the evidence bounds. Central values are rounded by the largest-remainder method "
      "within each published group so that the published groups are met exactly.")
    w("3. **Vehicles (WZ 29).** 2020 = the district estimate of the automotive exposure analysis "
      "(`automotive_estimates.csv`: published BA figures for Zwickau 16,565 and Erzgebirgskreis 3,075, about 2018, "
      "held to 2020; plant head counts plus supplier shares for Wolfsburg, Salzgitter, Braunschweig, Chemnitz; "
      "5.26 % of C elsewhere). Wolfenbüttel is recomputed with the same method on the estimated C instead of B-F. "
      "The high is capped at the upper bound of C (Wolfsburg). **Other years: the 2020 share of C (central, low, "
      "high) is held** — an assumption; no year-specific WZ 29 figures exist (Saxony's WZ 29 grew about 44 % "
      "2012–2022, so holding the share probably overstates 2015–2017 slightly in Saxony).")
    w("4. **Other manufacturing sectors.** National structure: WIOD SEA 2016 employees 2014 by division (thousand): "
      + ", ".join(f"{s} {nat_emp[s]:.0f}" for s in SUPPLIERS) + f" (WZ 29: {nat_c29:.0f}); shares of C without "
      "WZ 29: " + ", ".join(f"{s} {nat_sh[s]:.3f}" for s in SUPPLIERS) + ". Tilt: marker occupations (KldB 2010 "
      "3-digit, labels checked in `kldb2010_3digit_labels.csv`): " + "; ".join(
          f"{s} {'/'.join(c)}" for s, c in KLDB_MAP.items()) + ". Excluded on purpose: 252 (vehicle technology: "
      "WZ 29 and car workshops), 262 Energietechnik (building and plant electricians, across all industries), "
      "222 Farb- und Lacktechnik (mostly painters in construction and workshops). The district's count in each "
      "marker set minus the occupation content of its vehicle jobs (vehicles × Wolfsburg's marker count per "
      "manufacturing job; assumption: the occupation mix of VW Wolfsburg, where WZ 29 is about 88 % of C, stands "
      "for WZ 29; Wolfsburg itself is not adjusted) gives a relative location quotient "
      "(share in the district's marker occupations / national share). Each LQ is bounded to [1/3, 3]; central "
      "shares ∝ national share × LQ^0.5, full tilt ∝ national share × LQ; both renormalised and applied to "
      "C − vehicles, so the six manufacturing sectors add up exactly to C. Low/high: min/max of the untilted and "
      "fully tilted shares times (C low − vehicles high) resp. (C high − vehicles low), never below 0 or above "
      "C high. Rounding: largest remainder to C − vehicles.")
    w(f"5. **Exposure.** Vehicles: ICE share of automotive jobs central 25 % (ELAB 2.0: about 210,000 of about "
      "840,000 in powertrain production), low 19.6 % (IW Consult 2025: about 235,000 of 1.2 million), high 51.9 % "
      "(ifo 2017: 436,000 of about 840,000). Overrides: Zwickau — only WZ 29 minus the VW plant (about 8,500, "
      "BEV-only since 2020) is exposed; Chemnitz — the VW engine plant (1,650–1,800) is fully ICE-dependent; "
      "Salzgitter — IW Consult: more than every tenth SvB in the conventional powertrain (4,796, low), one in six "
      "affected (7,994, central), high all VW engine and MAN plant jobs (9,652), divided by WZ 29. Supplier sectors: "
      f"(613,000 ifo 2021 − 25 % × 911,000 WZ 29 jobs) / ({base:,.0f} = SvB C 2019 7,002,381 − 911,000) = "
      f"{ss['central']:.4f} (low {ss['low']:.4f} with 51.9 %, high {ss['high']:.4f} with 19.6 %), the same for all "
      "five supplier sectors (assumption), times the district tilt t = √((WZ29/C)/13.01 %) bounded to [0.5, 2] "
      "(assumption); low = low share × min(t, 1), high = high share × max(t, 1). All other sectors: 0.")
    w("\n## Invariant checks\n")
    w(f"- Published unsuppressed groups checked (district × year × group, incl. C, B-E, B-F, G-U, K+L+M-N): "
      f"{checks['groups_checked']}; failures: {checks['groups_failed']}.")
    gaps = [g for g in checks["gap_cells"] if g[2] != 0]
    w(f"- TOTAL − sum of the 14 sectors (persons without WZ): max {checks['max_gap']}; non-zero in "
      + (", ".join(f"{NAMES[a]} {y}: {g} ({st})" for a, y, g, st in gaps) or "no cell") + ".")
    w(f"- low ≤ value ≤ high violations: {checks['bound_violations']}; negative values: {checks['neg']}.")
    if checks["evidence_dropped"]:
        w(f"- Evidence bounds infeasible (hard bounds used) in: {checks['evidence_dropped']}.")
    w("\n## Suppressed cells, all years (central, evidence low–high; hard bounds from the identities)\n")
    w("| district | year | cell | value | low | high | hard low | hard high |")
    w("|---|---|---|---:|---:|---:|---:|---:|")
    for (a, y), Ls in sorted(leaves.items()):
        for l in ["A", "C", "R", "F", "GAP"]:
            X = Ls[l]
            if X["status"] == "estimate" and l != "GAP":
                name = {"R": "B-E − C (energy_mining)"}.get(l, l)
                w(f"| {a} {NAMES[a]} | {y} | {name} | {fmt(X['value'])} | {fmt(X['low'])} | {fmt(X['high'])} | "
                  f"{fmt(X['hard'][0])} | {fmt(X['hard'][1])} |")
    w("\n## Base year 2020: manufacturing sectors and estimated cells\n")
    w("| district | sector | value | low | high | status |")
    w("|---|---|---:|---:|---:|---|")
    for reg, df in rows_es.items():
        d = df[df.year == BASE_YEAR]
        for r in d.itertuples():
            if r.sector in MANUF or r.status == "estimate":
                w(f"| {r.district} {NAMES[r.district]} | {r.sector} | {fmt(r.value)} | {fmt(r.low)} | {fmt(r.high)} | {r.status} |")
    w("\n## Tilt factors 2020 (bounded relative occupation LQ)\n")
    w("| district | " + " | ".join(SUPPLIERS) + " |")
    w("|---|" + "---:|" * len(SUPPLIERS))
    for reg, dists in REGIONS.items():
        for a in dists:
            md = manuf_detail[(a, BASE_YEAR)]
            w(f"| {a} {NAMES[a]} | " + " | ".join(f"{md['lq'][s]:.2f} → {md['t'][s]:.2f}" for s in SUPPLIERS) + " |")
    w("\n## Exposure (share of 2020 jobs depending on the ICE powertrain)\n")
    w("| district | sector | value | low | high |")
    w("|---|---|---:|---:|---:|")
    for reg, df in rows_ex.items():
        for r in df[df.sector.isin(MANUF)].itertuples():
            w(f"| {r.district} {NAMES[r.district]} | {r.sector} | {r.value:.3f} | {r.low:.3f} | {r.high:.3f} |")
    w("\nAll other sectors: 0 (effects through the input-output model).\n")
    w("## Weak points\n")
    w("- WZ 29 is published for two districts only (about 2018); all others rest on plant head counts and a supplier "
      "share transferred from Saxony; the five rural Lower Saxony districts are the weakest.")
    w("- Wolfsburg's C is never published; it is pinned by A + B-E = TOTAL − F − G-U and small priors for A and B/D/E, "
      "so its central depends on the national share of energy/water/mining employment.")
    w("- The national manufacturing structure is WIOD 2014 (pre-2019 revision), held for 2015–2020.")
    w("- Marker occupations also work outside their sector (metal and electrical trades in construction and "
      "services, mechanics in every industry); the vehicle-content correction assumes every WZ 29 job has "
      "the occupation mix of VW Wolfsburg (an OEM with headquarters and R&D; suppliers differ). The bounded half tilt limits but does not remove this noise.")
    w("- ICE shares are national ratios with different concepts and years; the supplier share assumes all ICE-related "
      "jobs outside WZ 29 are in manufacturing and spread evenly over the five supplier sectors.")
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference", nargs="?", default=str(refdata.DEFAULT))
    ap.add_argument("--regions", nargs="*", default=list(REGIONS),
                    help="regions to build: son, swsn (ESTIMATES.md) and/or de (every Kreis, ESTIMATES_de.md)")
    args = ap.parse_args()
    ref = Path(args.reference).resolve()
    if not refdata.usable(ref):
        fail(f"reference folder not found: {ref}")
    for group in ([r for r in args.regions if r != "de"], ["de"] if "de" in args.regions else []):
        if group:
            build_and_write(ref, group)


def build_and_write(ref: Path, group: list) -> None:
    names = national_districts(ref) if "de" in group else {}
    regions = {r: (list(names) if r == "de" else REGIONS[r]) for r in group}
    (rows_es, rows_ex, rows_ae, est_tab, leaves, checks, nat_sh, nat_emp, nat_c29,
     manuf_detail, cd) = build(ref, regions)
    for reg in regions:
        out = REPO / "data" / "regions" / reg
        out.mkdir(parents=True, exist_ok=True)
        if reg == "de":
            compact_national(rows_es[reg], rows_ex[reg])
        rows_es[reg].to_csv(out / "employment_sector.csv", index=False)
        rows_ex[reg].to_csv(out / "exposure.csv", index=False)
        ae = rows_ae[reg]
        ae.to_csv(out / "automotive_estimates.csv", index=False)
        rd = REPO / "data" / "build" / "resources" / reg
        rd.mkdir(parents=True, exist_ok=True)
        for name, desc in descriptors(reg, checks).items():
            (rd / f"{name}.json").write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if "de" in regions:
        write_report_national(REPO / "data" / "build" / "ESTIMATES_de.md", regions, leaves, rows_es, rows_ex,
                              checks, {a: v[1] for a, v in names.items()})
    else:
        write_report(REPO / "data" / "build" / "ESTIMATES.md", est_tab, leaves, rows_es, rows_ex, checks,
                     nat_sh, nat_emp, nat_c29, manuf_detail, cd)
    print(f"{'+'.join(regions)}: groups checked {checks['groups_checked']}, failed {checks['groups_failed']}, "
          f"max TOTAL gap {checks['max_gap']}, bound violations {checks['bound_violations']}, negatives {checks['neg']}")
    if checks["groups_failed"] or checks["bound_violations"] or checks["neg"]:
        fail("invariant check failed")


if __name__ == "__main__":
    main()
