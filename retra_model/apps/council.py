"""Transformationsrat: curated scenarios side by side, key figures, chances and risks, in German.

The notebook ``notebooks/Transformationsrat.ipynb`` only calls :func:`app`. The functions
here are plain and tested (``tests/test_apps.py``): which scenarios are curated, their
cached ensembles (``data/ensembles/``, read at start-up; a missing or stale one is computed
live and named in a German notice), the key-figure tables, and the chances and risks as German sentences
generated from the results, each with the sources of the assumptions behind it.

Scenario files give their sources as free text (mostly English); the page must show no
English, so :func:`citations` extracts only author–year references of known publishers
("BCG (2020)", "Prognos für VDA (2024)"); the full text is in the Excel download's sheet
"Annahmen und Quellen".
"""

from __future__ import annotations

import functools
import html
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .. import views
from ..drivers import registry
from ..errors import CacheError
from ..numbers_de import fmt_int, fmt_num, fmt_pct, round_to
from ..regions import load_region
from ..results import BAND_90, key_years
from ..scenario import Scenario
from . import explorer as ex
from .explorer import SCENARIOS

DRAWS = ex.DRAWS
"""Draws of a curated scenario's ensemble when its cache is missing or stale (computed live; as the explorer)."""

log = logging.getLogger(__name__)


SECTIONS = registry.sections()
"""The scenario section that holds the assumptions (and sources) of each driver (at import;
:func:`retra_model.drivers.registry.sections`)."""

PUBLISHERS = (
    "Kraftfahrt-Bundesamt", "KBA", "BCG", "VDA/Prognos", "Prognos", "VDA", "NPM", "IAB", "BIBB", "GWS", "Destatis",
    "Regionalstatistik", "Bundesagentur für Arbeit", "BA", "Fraunhofer IAO", "ifo", "IW Consult", "ELAB",
    "Volkswagen", "IG Metall", "PowerCo", "NDR", "Business Insider", "WiWo", "Flegg & Webber", "Flegg & Tohmo",
    "Mönnig", "NPE", "NLL", "BNetzA", "Bundesnetzagentur", "KfW", "VGRdL", "SGB VI", "Agora", "McKinsey", "ICCT",
)
"""Names whose author–year references are quoted on the page."""


def curated_scenarios(region: str, root: Path = SCENARIOS) -> list[tuple[str, Path]]:
    """(German title, path) of the curated scenarios of a region, baseline first."""
    out = []
    for path in sorted((root / region).glob("*.yaml")):
        out.append((Scenario.from_file(path).title.de, path))
    out.sort(key=lambda t: (t[1].stem != "baseline", t[0]))
    return out


def cached_or_live(scenario: Scenario, region, draws: int = DRAWS) -> tuple[xr.Dataset, str | None]:
    """The scenario's cached ensemble (reduced, :mod:`retra_model.uncertainty.ensemble`), or —
    if the cache is missing or stale — a live, seeded run of ``draws`` draws, reduced the same
    way, with the reason (English, for the server log) as the second item."""
    from ..uncertainty.ensemble import load_cached

    try:
        return load_cached(scenario, region=region), None
    except CacheError as exc:
        from ..engine import run

        log.warning("retra apps: %s; computing %s live with %d draws", exc, scenario.name, draws)
        return views.summarise_ensemble(run(scenario, draws=draws, seed=scenario.seed, region=region)), str(exc)


@functools.lru_cache(maxsize=4)
def load_curated(region: str, draws: int = DRAWS) -> tuple[dict[str, tuple[Scenario, xr.Dataset]], tuple[str, ...]]:
    """Every curated scenario of a region with its reduced ensemble (read once per process),
    and the German titles of those whose cache was missing or stale (computed live)."""
    reg = load_region(region)
    out, live = {}, []
    for title, path in curated_scenarios(region):
        sc = Scenario.from_file(path)
        ds, problem = cached_or_live(sc, reg, draws)
        out[title] = (sc, ds)
        if problem:
            live.append(title)
    return out, tuple(live)


def ensembles(region: str, draws: int = DRAWS) -> dict[str, tuple[Scenario, xr.Dataset]]:
    """Every curated scenario of a region with its reduced ensemble (:func:`load_curated`)."""
    return load_curated(region, draws)[0]


def cache_notice(live: tuple[str, ...] | list[str], draws: int = DRAWS) -> str:
    """The German notice shown when some scenarios were computed live instead of read from the cache."""
    if not live:
        return ""
    names = ", ".join(f"„{t}“" for t in live)
    return ("<div class='retra-notice' style='background:#fff4e5;border-left:4px solid #E69F00;padding:6px 10px;"
            "margin:6px 0;max-width:900px'><b>Hinweis:</b> Für " + html.escape(names) + " lagen keine aktuellen "
            "vorberechneten Ergebnisse vor (Annahmen, Daten oder Modell wurden seither geändert). Sie wurden beim "
            f"Öffnen der Seite neu berechnet, aus {fmt_int(draws)} Ziehungen; die Bänder sind daher etwas gröber. "
            "Bitte geben Sie dem retra-Team Bescheid, damit die Ergebnisse neu erstellt werden.</div>")


def full_ensemble(scenario: Scenario, ds: xr.Dataset, region) -> xr.Dataset:
    """The draws behind a reduced ensemble, recomputed (same scenario, seed and draws: the
    same numbers), for the Excel download."""
    from ..engine import run

    return run(scenario, draws=int(ds.attrs.get("draws", DRAWS)), seed=scenario.seed, region=region)


DIFF_DRAWS = 200
"""Draws behind the Kreis × Szenario table: every curated scenario and the baseline on the same
draws (common random numbers), so that a difference holds only what the scenario changes."""


@functools.lru_cache(maxsize=4)
def differences(region: str, draws: int = DIFF_DRAWS) -> dict:
    """Each curated scenario minus the baseline, draw by draw, per district (and the region) and year.

    All scenarios run with the baseline's seed and ``draws`` draws, so each lever keeps its
    random stream; the 90 % interval is that of the difference itself (not of two separate
    ensembles). Computed once per process (the pre-run pages of ``retra apps`` pay it before
    anyone looks).

    Returns
    -------
    dict
        ``titles`` and ``ids`` of the scenarios; ``areas`` (district codes, then the region),
        ``names``; ``years``; per variable (``employment`` [persons], ``gva`` [EUR million]) an
        array ``(scenario, 3, area, year)`` of the 5 %, 50 % and 95 % quantiles of the
        difference, and ``<variable>_base`` ``(area,)`` the baseline's median base-year level.
    """
    from ..engine import run
    from .explorer import totals

    reg = load_region(region)
    scenarios = [(t, sc) for t, (sc, _) in ensembles(region).items()]  # parsed once (YAML costs ~0.2 s a file)
    base_sc = next(sc for _, sc in scenarios if sc.name == "baseline")
    ref = totals(run(base_sc, draws=draws, seed=base_sc.seed, region=reg))
    out = {"titles": [t for t, _ in scenarios], "ids": [sc.name for _, sc in scenarios]}
    tots = [ref if sc.name == "baseline" else totals(run(sc, draws=draws, seed=base_sc.seed, region=reg))
            for _, sc in scenarios]
    years = [int(y) for y in ref["years"]]
    base = reg.base_year
    ib = years.index(base)
    for var in ("employment", "gva"):
        out[var] = np.stack([np.quantile(t[var] - ref[var], list(BAND_90), axis=0) for t in tots])
        out[f"{var}_base"] = np.median(ref[var][:, :, ib], axis=0)
    out["years"] = years
    out["areas"] = [*reg.district_codes, reg.id]
    names = reg.districts.set_index("district")["name_short"]
    out["names"] = [*(str(names[d]) for d in reg.district_codes), reg.name]
    out["base_year"] = base
    out["draws"] = draws
    return out


def difference_table(diff: dict, year: int, variable: str = "employment", relative: bool = False,
                     sort_by: str | None = None) -> pd.DataFrame:
    """Kreis × Szenario: the difference to the baseline in ``year`` with its 90 % interval, German text.

    ``sort_by`` (a scenario's title) ranks the districts by that scenario's median difference,
    largest loss first (the region's row stays last); by default the districts keep their order.
    The numeric medians travel in ``attrs["medians"]`` (for tests and sorting).
    """
    iy = diff["years"].index(year)
    fmt = fmt_int if variable == "employment" else (lambda x, sign=False: fmt_num(x, 1, sign=sign))
    cols = [(i, t) for i, (t, sid) in enumerate(zip(diff["titles"], diff["ids"], strict=True)) if sid != "baseline"]
    base = diff[f"{variable}_base"]
    rows, medians = [], []
    for a, name in enumerate(diff["names"]):
        row = {"Kreis": name}
        med = {}
        for i, t in cols:
            q = diff[variable][i, :, a, iy]
            if relative:
                q = q / base[a]
                row[t] = f"{fmt_pct(q[1], sign=True)} ({fmt_pct(q[0], sign=True)} bis {fmt_pct(q[2], sign=True)})"
            else:
                row[t] = f"{fmt(q[1], sign=True)} ({fmt(q[0], sign=True)} bis {fmt(q[2], sign=True)})"
            med[t] = float(q[1])
        rows.append(row)
        medians.append(med)
    df = pd.DataFrame(rows)
    m = pd.DataFrame(medians)
    order = list(range(len(df) - 1))
    if sort_by is not None and sort_by in m:
        order = sorted(order, key=lambda k: m.loc[k, sort_by])
    order.append(len(df) - 1)
    df = df.iloc[order].reset_index(drop=True)
    df.attrs["medians"] = m.iloc[order].reset_index(drop=True)
    return df


def region_table(runs: dict[str, xr.Dataset], years: tuple[int, ...] | None = None) -> pd.DataFrame:
    """One row per scenario: jobs and GVA of the region against the base year, German text."""
    rows = []
    for title, ds in runs.items():
        base = int(ds.attrs["base_year"])
        emp = views.path(ds, "employment").set_index("year")
        gva = views.path(ds, "gva").set_index("year")
        row = {"Szenario": title}
        for y in key_years(ds) if years is None else years:
            e, g = emp.loc[y], gva.loc[y]
            row[f"Beschäftigte {y} gegenüber {base}"] = (
                f"{fmt_int(e['median'], sign=True)} ({fmt_pct(e['median'] / e['base'], sign=True)})")
            row[f"90 %-Intervall {y}"] = f"{fmt_int(e['p05'], sign=True)} bis {fmt_int(e['p95'], sign=True)}"
            row[f"Wertschöpfung {y} (Mio. €)"] = f"{fmt_num(g['median'], 0, sign=True)} ({fmt_pct(g['median'] / g['base'], sign=True)})"
        rows.append(row)
    return pd.DataFrame(rows)


def investment_html(scenario: Scenario, region) -> str:
    """Investment, job-years and job-years per EUR million of an infrastructure or plant scenario
    against the baseline (:func:`retra_model.views.investment_summary`), German; empty otherwise."""
    if scenario.name == "baseline":
        return ""
    try:
        base = Scenario.from_file(SCENARIOS / region.id / "baseline.yaml")
        table = views.investment_summary(scenario, base, region)
    except Exception:  # noqa: BLE001 - optional context: never fail the page for it
        log.exception("retra apps: investment summary of %s failed", scenario.name)
        return ""
    if table is None:
        return ""
    inv = table.attrs["investment"]
    head = (f"Investition {fmt_num(inv, 0)} Mio. € (Summe aller Jahre, Mitte der Annahmen)" if inv > 0.5
            else "Die Investitionssumme ist in den Annahmen dieses Szenarios nicht angegeben")
    return (f"<div class='retra-invest' style='margin:8px 0'><b>Investition und Beschäftigung gegenüber dem "
            f"Basisszenario.</b> {head}. Personenjahre = Arbeitsplätze × Jahre, summiert über alle Jahre "
            "(Mitte der Annahmen).</div>" + html_table(table, css_class="retra-invest-table"))


def html_table(df: pd.DataFrame, highlight_last: bool = False, css_class: str = "") -> str:
    """A plain, readable HTML table (no index, no ids: stable in tests and notebooks)."""
    head = "".join(f"<th style='text-align:right;padding:4px 8px;border-bottom:2px solid #999'>{html.escape(str(c))}</th>"
                   for c in df.columns)
    body = []
    for i, row in enumerate(df.itertuples(index=False)):
        bold = "font-weight:600;border-top:1px solid #999;" if highlight_last and i == len(df) - 1 else ""
        cells = "".join(
            f"<td style='text-align:{'left' if j == 0 else 'right'};padding:3px 8px;{bold}'>{html.escape(str(v))}</td>"
            for j, v in enumerate(row))
        body.append(f"<tr style='background:{'#f6f8fa' if i % 2 else 'white'}'>{cells}</tr>")
    return (f"<div style='overflow-x:auto'><table class='retra-table {css_class}' style='border-collapse:collapse;font-size:13px'>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


# ---------------------------------------------------------------------------------------
# Chances and risks


def citations(text: str) -> list[str]:
    """Author–year references of known publishers in a source text, German connectives.

    >>> citations("BCG 2020: 1 worker for 3; VDA/Prognos 2024: a third less; assumption")
    ['BCG (2020)', 'VDA/Prognos (2024)']
    >>> citations("mode: Prognos for VDA 2024, -46,000 jobs")
    ['Prognos für VDA (2024)']
    """
    text = str(text or "")
    names = "|".join(re.escape(p) for p in sorted(PUBLISHERS, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w/])((?:{names})(?:\s+(?:for|für)\s+(?:{names}))?)(?![\w/])[^;:.\n\d]{{0,25}}?\(?((?:19|20)\d\d)\)?")
    out = []
    for m in pattern.finditer(text):
        ref = f"{m.group(1).replace(' for ', ' für ')} ({m.group(2)})"
        if ref not in out:
            out.append(ref)
    return out


def _sources(scenario: Scenario, driver: str) -> list[str]:
    section = registry.sections().get(driver)
    texts: list[str] = []
    if driver == "projects":
        texts = [p.source for p in scenario.projects.values() if p.enabled]
    elif section and getattr(scenario, section, None) is not None:
        texts = [getattr(scenario, section).model_dump_json()]
    refs: list[str] = []
    for t in texts:
        refs.extend(r for r in citations(t) if r not in refs)
    if not refs and any("assumption" in t for t in texts):
        refs = ["Annahme des retra-Teams"]
    return refs


def chances_and_risks(scenario: Scenario, ds: xr.Dataset, year: int = 2035) -> list[dict]:
    """Chances and risks of one scenario in plain German, each with the sources behind it.

    Generated from the results: the driver that costs most jobs by ``year``, the district
    hit hardest relative to its size, every project that creates jobs, the sectors that
    grow, and how wide the 90 % interval of the region's change is.

    Returns
    -------
    list of dict
        ``kind`` ("Chance" or "Risiko"), ``text`` (German), ``sources`` (list of str).
    """
    base = int(ds.attrs["base_year"])
    items = []

    def named(row) -> str:
        lab = "" if str(row["lab"]).startswith(str(row["label"])) else f" ({row['lab']})"
        return f"„{row['label']}“{lab}"

    drv = views.change_by_driver(ds, year)
    worst = drv.loc[drv["change"].idxmin()]
    if worst["change"] < 0:
        items.append({"kind": "Risiko", "text": (
            f"Der größte Verlust bis {year} kommt aus {named(worst)}: rund "
            f"{fmt_int(round_to(-worst['change']))} Arbeitsplätze weniger als {base}."),
            "sources": _sources(scenario, worst["driver"])})
    dist = views.change_by_district(ds, year)
    hit = dist.loc[dist["relative"].idxmin()]
    if hit["change"] < 0:
        drv_d = views.change_by_driver(ds, year, district=hit["district"])
        main = drv_d.loc[drv_d["change"].idxmin()]
        items.append({"kind": "Risiko", "text": (
            f"Am stärksten betroffen ist {hit['name']}: {fmt_pct(hit['relative'], sign=True)} der Arbeitsplätze bis "
            f"{year} (rund {fmt_int(round_to(hit['change']), sign=True)}; 90 %-Intervall {fmt_int(round_to(hit['p05']), sign=True)} "
            f"bis {fmt_int(round_to(hit['p95']), sign=True)}), vor allem durch „{main['label']}“."),
            "sources": _sources(scenario, main["driver"])})
    for pid, pr in scenario.projects.items():
        if not pr.enabled:
            continue
        last = list(pr.jobs.values())[-1]
        from ..scenario import value_of

        jobs = value_of(last)
        if jobs > 0:
            names = views.district_names(ds)
            items.append({"kind": "Chance", "text": (
                f"{pr.label.de} in {names.get(pr.district, pr.district)}: rund {fmt_int(round_to(jobs))} neue Arbeitsplätze "
                f"bis {max(pr.jobs)}, dazu Aufträge für Zulieferer und Handwerk in der Region."),
                "sources": [r for r in citations(pr.source)] or ["Annahme des retra-Teams"]})
    best = drv.loc[drv["change"].idxmax()]
    if best["change"] > 0 and best["driver"] != "projects":
        items.append({"kind": "Chance", "text": (
            f"{named(best)} schafft bis {year} rund {fmt_int(round_to(best['change']))} Arbeitsplätze."),
            "sources": _sources(scenario, best["driver"])})
    sec = views.change_by_sector(ds, year)
    grow = sec.loc[sec["change"] > 0].sort_values("change", ascending=False).head(2)
    if len(grow):
        parts = [f"{lb} ({fmt_int(round_to(c), sign=True)})" for lb, c in zip(grow["label"], grow["change"], strict=True)]
        items.append({"kind": "Chance", "text": f"Wachsende Branchen bis {year}: {' und '.join(parts)}.",
                      "sources": ["Regionalstatistik 13111-07-05-4 (2021)", *(_sources(scenario, "trend"))][:3]})
    p = views.path(ds).set_index("year").loc[year]
    if views.has_draws(ds):
        items.append({"kind": "Risiko", "text": (
            f"Die Unsicherheit ist groß: für die ganze Region reicht das 90 %-Band der Veränderung bis {year} von "
            f"{fmt_int(round_to(p['p05']), sign=True)} bis {fmt_int(round_to(p['p95']), sign=True)} Arbeitsplätzen "
            f"(Median {fmt_int(round_to(p['median']), sign=True)}). " + views.band_caveat(str(ds.attrs.get("region", "")))),
            "sources": _sources(scenario, "electrification")})
    return items


def chances_html(items: list[dict]) -> str:
    """The chances and risks as an HTML list, sources in small print."""
    rows = []
    for it in sorted(items, key=lambda i: i["kind"] != "Chance"):
        color = "#0072B2" if it["kind"] == "Chance" else "#D55E00"
        src = ", ".join(it["sources"]) or "Annahme des retra-Teams"
        rows.append(f"<li style='margin-bottom:6px'><b style='color:{color}'>{it['kind']}:</b> {html.escape(it['text'])}"
                    f"<br><span style='color:#666;font-size:12px'>Quellen: {html.escape(src)}</span></li>")
    return f"<ul style='padding-left:18px;font-size:14px'>{''.join(rows)}</ul>"


def assumptions_sheet(scenario: Scenario) -> pd.DataFrame:
    """Every assumption's source text, for the Excel download (the page shows only citations)."""
    rows = []
    for key in ("trend", "electrification", "volume", "gva", "input_output", "infrastructure", "labour"):
        sec = getattr(scenario, key, None)
        if sec is not None and getattr(sec, "source", None):
            rows.append({"Bereich": key, "Quelle (Originalangabe)": sec.source})
    for pid, pr in scenario.projects.items():
        rows.append({"Bereich": f"Projekt: {pr.label.de}", "Quelle (Originalangabe)": pr.source})
    return pd.DataFrame(rows)


def app(region: str | None = None):
    """Build the council's widgets (see :class:`.council_ui.CouncilApp`) and return the root widget."""
    from .council_ui import CouncilApp
    from .explorer import guarded_app

    return guarded_app(CouncilApp, region)



# ---------------------------------------------------------------------------------------
# Zukunft der Arbeit (labour supply, balance, requalification; retra_model.labour.future_of_work)

FOW_DRAWS = 100
"""Draws behind the council's future-of-work figures (about 0.5 s per scenario, computed once)."""

_FOW_CACHE: dict = {}


def future_of_work(scenario: Scenario, region) -> xr.Dataset | None:
    """Supply, balance and requalification need of a scenario, ``FOW_DRAWS`` draws under the scenario's
    seed (so the same every time), computed once per scenario and region; ``None`` where the
    region ships no population projection."""
    from .. import labour
    from ..engine import run

    if not labour.has_future_of_work_data(region):
        return None
    key = (region.id, scenario.to_yaml())
    if key not in _FOW_CACHE:
        results = run(scenario, region=region, draws=FOW_DRAWS, seed=scenario.seed)
        _FOW_CACHE[key] = labour.future_of_work(results, scenario, region)
    return _FOW_CACHE[key]


def _band(da: xr.DataArray) -> tuple[float, float, float]:
    """Median, 5 % and 95 % over ``draw`` [the variable's unit]."""
    if "draw" not in da.dims:
        v = float(da)
        return v, v, v
    q = da.quantile([0.5, 0.05, 0.95], dim="draw").values
    return float(q[0]), float(q[1]), float(q[2])


def labour_html(scenario: Scenario, region, district: str | None, year: int) -> str:
    """Zukunft der Arbeit for one district (or the region with ``district=None``) in ``year``, in German:
    requalification need since the base year (displaced + task change) and the balance of jobs and
    labour supply, each as median with its 90 % band; the occupational groups that need most."""
    fow = future_of_work(scenario, region)
    if fow is None or year not in fow["year"].values:
        return ""
    f = fow.sel(year=year)
    if district is not None:
        f = f.sel(district=district)
        where = str(fow["district_name"].sel(district=district).values)
    else:
        f = f.sum("district")
        where = region.name
    base = int(fow.attrs.get("base_year", region.base_year))

    def cell(var: str) -> str:
        mid, lo, hi = (round(v, -1) for v in _band(f[var]))  # to tens: the bands are wide
        return (f"<td style='text-align:right'><b>{fmt_int(mid)}</b></td>"
                f"<td style='text-align:right' class='retra-muted'>{fmt_int(lo)} bis {fmt_int(hi)}</td>")

    rows = [("Qualifizierungsbedarf seit " + str(base), "requalification"),
            ("davon: verlieren ihre Stelle (nach Ruhestand)", "displaced"),
            ("davon: bleiben, aber ihre Tätigkeit ändert sich", "task_change"),
            ("Arbeitskräfteangebot am Arbeitsort", "supply"),
            ("Stellen (Beschäftigte)", "demand"),
            ("Bilanz: Stellen − Arbeitskräfte", "balance")]
    body = "".join(f"<tr><td>{html.escape(label)}</td>{cell(var)}</tr>" for label, var in rows)
    occ = f["requalification_by_occupation"]
    occ_mid = occ.median("draw") if "draw" in occ.dims else occ
    top = occ_mid.to_series().sort_values(ascending=False).head(3)
    labels = dict(zip(fow["occupation"].values, fow["occupation_label"].values, strict=True))
    groups = ", ".join(f"{html.escape(str(labels[k]))} ({fmt_int(round(float(v), -1))})" for k, v in top.items() if v > 0)
    return (f"<div class='retra-labour' style='font-size:14px;margin-top:6px'>"
            f"<h4 style='margin:4px 0'>Zukunft der Arbeit: {html.escape(where)} {year}</h4>"
            "<table style='border-spacing:12px 2px'><tr><th></th><th>Median</th><th>90 %-Band</th></tr>"
            f"{body}</table>"
            + (f"<p>Größter Qualifizierungsbedarf: {groups}.</p>" if groups else "")
            + "<p class='retra-muted' style='font-size:12px'>Qualifizierungsbedarf: wer seine Stelle verliert, "
            "ohne dass ein Renteneintritt sie auffängt, plus wer in Antriebsberufen bleibt, aber neue Aufgaben "
            "bekommt — je Treiber und Kreis gezählt, nicht mit Gewinnen anderswo verrechnet. Bilanz positiv: "
            "mehr Stellen als Arbeitskräfte (Fachkräftemangel); negativ: mehr Arbeitskräfte als Stellen. "
            f"Band: {FOW_DRAWS} Kombinationen der unsicheren Annahmen (Bevölkerungsvariante, Erwerbsbeteiligung, "
            "Anteil der Renteneintritte, die Abbau auffangen, und die Annahmen des Szenarios).</p></div>")
