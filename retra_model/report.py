"""A one-page German brief of a scenario for the council: HTML, and PDF where Chromium is present.

:func:`brief_html` turns a run into a self-contained HTML page (no network needed: plotly.js is
inlined): the key figures of the region with their 90 % bands, the path with its 50 % and 90 %
bands, the waterfall of the change by driver, the map of the change by district, the
assumptions that moved and the sources. :func:`write_pdf` prints that page with the installed
Chromium (Playwright), as the browser tests do.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pandas as pd
import xarray as xr

from .errors import RetraError
from .results import figure_note, fmt_de, key_years, money_label_de

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
"""Where a PDF is printed from (the first that exists); Debian's package is ``chromium``."""


class NoBrowserError(RetraError):
    """No Chromium to print a PDF with; the HTML brief is unaffected."""


def _esc(x: object) -> str:
    return html.escape(str(x))


def key_figures_de(ds: xr.Dataset, years: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The region's jobs and value added in the key years: median, change, 90 % and 50 % bands (German labels).

    Works on a run (with or without draws: the region is summed draw by draw, then summarised)
    and on the apps' cached summaries (:func:`retra_model.views.path`).
    """
    from . import views

    base = int(ds.attrs["base_year"])
    years = key_years(ds) if years is None else years
    banded = views.has_draws(ds)
    rows = []
    for var, label in (("employment", "Beschäftigte"), ("gva", f"BWS, {money_label_de(ds)}")):
        p = views.path(ds, var).set_index("year")
        b = float(p["base"].iloc[0])
        for y in years:
            if y not in p.index:
                continue
            r = p.loc[y]
            med = b + float(r["median"])
            rows.append({"Größe": label, "Jahr": y, f"Basisjahr {base}": fmt_de(b), "Wert": fmt_de(med),
                         "Veränderung": fmt_de(med - b, sign=True),
                         "Veränderung in %": fmt_de(100 * (med - b) / b, 1, sign=True) + " %",
                         "90-%-Band": f"{fmt_de(b + r['p05'])} – {fmt_de(b + r['p95'])}" if banded else "–",
                         "50-%-Band": f"{fmt_de(b + r['p25'])} – {fmt_de(b + r['p75'])}" if banded else "–"})
    return pd.DataFrame(rows)


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>" for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figures(ds: xr.Dataset, region, year: int) -> tuple[str, str, str]:
    """The path with bands, the waterfall by driver and the change map, as HTML (plotly.js inlined once)."""
    from . import figures

    path = figures.employment_path(ds)
    path.update_layout(height=230, margin=dict(l=50, r=10, t=36, b=30), showlegend=False, font=dict(size=9),
                       title_font=dict(size=11))
    fall = figures.waterfall(ds, year, by="driver")
    fall.update_layout(height=250, margin=dict(l=50, r=10, t=10, b=60), font=dict(size=9), title_text="")
    fmap = figures.change_map(region, ds, year)
    fmap.update_layout(height=230, margin=dict(l=0, r=0, t=36, b=0), font=dict(size=9), title_font=dict(size=11))
    cfg = {"displayModeBar": False, "staticPlot": True}
    return (path.to_html(full_html=False, include_plotlyjs="inline", config=cfg),
            fall.to_html(full_html=False, include_plotlyjs=False, config=cfg),
            fmap.to_html(full_html=False, include_plotlyjs=False, config=cfg))


def _sources(scenario, region, limit: int = 160) -> tuple[list[str], list[str]]:
    """The scenario's sources (one per section and project, shortened) and the data's publishers."""
    data = scenario.to_dict()
    own: list[str] = []

    def add(text: object) -> None:
        t = " ".join(str(text).split())
        t = t if len(t) <= limit else t[: limit - 1].rsplit(" ", 1)[0] + " …"
        if t and t not in own:
            own.append(t)

    for key, section in data.items():
        if isinstance(section, dict) and "source" in section:
            add(section["source"])
        if key == "projects":
            for pr in section.values():
                add(pr.get("source", ""))
    pubs: list[str] = []
    for _, r in region.sources().iterrows():
        item = " ".join(str(r.get("publisher", "")).split(";")[0].split(",")[0].split())
        item = item if len(item) <= 70 else item[:69].rsplit(" ", 1)[0] + " …"
        if item and item != "nan" and item not in pubs:
            pubs.append(item)
    if len(pubs) > 14:
        pubs = [*pubs[:14], f"und {len(pubs) - 14} weitere"]
    return own, pubs


CSS = """
@page { size: A4; margin: 10mm; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 9pt; color: #222; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 10.5pt; margin: 3mm 0 1mm; }
p { margin: 1mm 0; } .note { color: #555; font-size: 8pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border-bottom: 1px solid #ddd; padding: 0.4mm 1.2mm; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 2mm; }
ol.sources { font-size: 6.5pt; color: #444; padding-left: 5mm; margin: 0; columns: 2; column-gap: 6mm; }
p.lead { font-size: 8.5pt; }
"""


def brief_html(results: xr.Dataset, scenario, *, region=None, year: int | None = None) -> str:
    """A one-page German brief of a scenario's run, as a self-contained HTML page.

    Parameters
    ----------
    results : xarray.Dataset
        A run of ``scenario`` (:func:`retra_model.run`), deterministic or an ensemble
        (bands need draws).
    scenario : Scenario
        The scenario that was run (title, narrative, levers and their sources).
    region : Region, optional
        Its base data (for the map and the data sources); loaded from ``scenario.region`` by default.
    year : int, optional
        The year of the waterfall and the map; default the middle key year in the run (2035).

    Returns
    -------
    str
        The HTML page (UTF-8; plotly.js inlined, so it opens offline).
    """
    from .regions import load_region

    region = region or load_region(scenario.region)
    years = [y for y in key_years(results) if y in results["year"].values]
    year = year or (years[len(years) // 2] if years else int(results["year"].values[-1]))
    base = int(results.attrs["base_year"])
    kf = key_figures_de(results)
    path_html, fall_html, map_html = _figures(results, region, year)
    own, pubs = _sources(scenario, region)
    draws = int(results.attrs.get("draws") or 0)
    shown = f"Median von {fmt_de(draws)} Ziehungen" if draws else "deterministischer Lauf"
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>{_esc(scenario.title.de)} – {_esc(region.name)}</title>
<style>{CSS}</style></head><body>
<h1>{_esc(scenario.title.de)} – {_esc(region.name)}</h1>
<p class="lead">{_esc(' '.join(scenario.narrative.de.split()))}</p>
<h2>Kennzahlen der Region (Basisjahr {base}; {shown})</h2>
{_table(kf)}
<p class="note">{_esc(figure_note(results))} Die Bänder zeigen die Streuung des Modells bei den angegebenen
unsicheren Annahmen; sie sind keine Prognosefehler und enthalten keine politischen Entscheidungen oder
Werksentscheidungen, die nicht im Szenario stehen.</p>
<div class="grid"><div>{path_html}</div><div>{map_html}</div></div>
<h2>Veränderung der Beschäftigten {base}–{year} nach Treiber</h2>
{fall_html}
<p class="note">{'Jeder Schritt ist der Median seines Treibers über die Ziehungen; ihre Summe kann vom Median der '
                 'Gesamtzahl in der Tabelle etwas abweichen.' if draws else
                 'Die Schritte addieren sich genau zur Veränderung (logarithmische Zerlegung, kein Rest).'}</p>
<h2>Quellen</h2>
<ol class="sources">{''.join(f'<li>{_esc(s)}</li>' for s in own)}
<li>Daten: {_esc('; '.join(pubs))} (jede Tabelle mit Quelle und Lizenz im Excel-Blatt „Quellen“ und in
data/…/datapackage.json)</li></ol>
<p class="note">retra {_esc(results.attrs.get('retra_version', ''))}, Szenario-Prüfsumme
{_esc(str(results.attrs.get('scenario_hash', ''))[:12])}, Datenstand {_esc(results.attrs.get('data_version', ''))},
erstellt {_esc(results.attrs.get('created', ''))}.</p>
</body></html>
"""


def chromium() -> str | None:
    """The path of an installed Chromium, or None."""
    for p in CHROMIUM_PATHS:
        if Path(p).exists():
            return p
    return shutil.which("chromium")


def write_pdf(html_text: str, target: Path, *, png: Path | None = None) -> Path:
    """Print the brief to an A4 PDF with the installed Chromium (Playwright), atomically.

    ``png`` also writes the page as an image (two pixels per CSS pixel) to paste into slides.

    Raises
    ------
    NoBrowserError
        Neither Chromium nor Playwright is installed.
    """
    from .paths import atomic_file

    exe = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        exe = None
    if exe is None:
        raise NoBrowserError("no PDF: printing needs Chromium and Playwright (apt-get install chromium; "
                             "pip install playwright); the HTML brief can be printed from any browser")

    def write(tmp: Path) -> None:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.set_content(html_text, wait_until="load")
                page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3",
                                       timeout=30_000)
                page.emulate_media(media="print")
                height = float(page.evaluate("document.documentElement.scrollHeight"))  # CSS px (96 per inch)
                usable = (297 - 16) / 25.4 * 96  # A4 minus the margins
                scale = max(0.5, min(1.0, 0.98 * usable / height))  # one page
                page.pdf(path=str(tmp), format="A4", print_background=True, scale=scale,
                         margin={"top": "8mm", "bottom": "8mm", "left": "8mm", "right": "8mm"})
                if png is not None:
                    shot = browser.new_page(viewport={"width": 800, "height": 1100}, device_scale_factor=2)
                    shot.set_content(html_text, wait_until="load")
                    shot.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3",
                                           timeout=30_000)
                    atomic_file(Path(png), lambda t: shot.screenshot(path=str(t), full_page=True, type="png"),
                                suffix=".png")
            finally:
                browser.close()

    return atomic_file(Path(target), write, suffix=".pdf")
