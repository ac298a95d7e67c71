"""Szenario-Explorer: pick a region and a scenario, move the levers, see the answer at once.

The notebook ``notebooks/Szenario-Explorer.ipynb`` only calls :func:`app`. Everything the
widgets do is a plain function here, tested in ``tests/test_apps.py``:

- :func:`scenario_files` lists the curated and the user's scenarios of a region;
- :func:`load_state` reads the chosen scenario's cached ensemble (``data/ensembles/``,
  :mod:`retra_model.uncertainty.ensemble`; computed live, with a German notice, if it is
  missing or stale);
- :func:`compute` runs the tweaked scenario as a seeded ensemble of :data:`DRAWS` draws —
  the engine's vectorised evaluation, a few tens of milliseconds for one region; no
  sampler, no MCMC (the app path never imports ``pymc``): the bands are the spread of the
  scenario's own uncertain levers and data ranges, recomputed for every move of a lever;
  :func:`retweak` reduces the draws once to the aggregates the figures show
  (:func:`retra_model.views.summarise_ensemble`) and :func:`update_figures` refreshes
  the figures in place, only those a change touches;
- :func:`save_scenario` writes the tweaked scenario as a self-contained YAML file, only
  inside ``scenarios/user/<region>/``, under a sanitised name, atomically;
- :func:`excel_bytes` and :func:`download_link` give the results as an Excel workbook
  through a data link that works in Voilà.
"""

from __future__ import annotations

import base64
import html
import io
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xarray as xr

from .. import figures, views
from ..engine import run
from ..errors import CacheError, RetraError, ScenarioError
from ..export import atomic_text, excel_sheets
from ..regions import Region, known_regions, load_region
from ..scenario import Scenario
from . import levers as lv
from .format import fmt_int, fmt_num, fmt_pct

DRAWS = 100
"""Draws of the live ensemble behind the bands of a moved scenario (seeded: the same levers
give the same bands). A hundred draws put the 5 % and 95 % quantiles within a few per cent
of the band's width of a 1,000-draw run and cost ~30 ms plus ~10 ms to reduce on this
2-core machine; the scenario as saved shows its cached 1,000-draw ensemble."""

NAME_MAX = 40
"""Longest file name (without ``.yaml``) of a saved scenario."""
MAX_FILES = 200
"""Most scenarios one region's user folder may hold."""
MAX_BYTES = 200_000
"""Largest scenario file the explorer writes [bytes]."""

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"

MAX_DISTRICTS = 60
"""Regions with more districts (the national run) are left to the CLI and its Dask path."""

REGION_LABELS = {"son": "Südostniedersachsen (ReTraSON)", "swsn": "Südwestsachsen (ITAS)"}


class SaveError(RetraError):
    """A scenario could not be saved; the message is German and meant for the page."""


# ---------------------------------------------------------------------------------------
# Scenarios


def region_options(root: Path = SCENARIOS) -> list[tuple[str, str]]:
    """(label, id) of every region with data and curated scenarios (a baseline), German names.

    Regions are counted by their ``districts.csv`` rather than loaded: loading the national
    region (400 districts) only to leave it out would cost seconds of every page's start.
    """
    from ..regions import data_root

    out = []
    for rid in known_regions():
        if not (root / rid / "baseline.yaml").exists():
            continue
        districts = data_root() / "regions" / rid / "districts.csv"
        try:
            with open(districts, encoding="utf-8") as fh:
                n = sum(1 for line in fh if line.strip()) - 1
        except OSError:
            continue
        if n > MAX_DISTRICTS:
            continue
        label = REGION_LABELS.get(rid)
        if label is None:
            try:
                label = load_region(rid).name
            except RetraError:
                continue
        out.append((label, rid))
    return out


def scenario_files(region: str, root: Path = SCENARIOS) -> list[tuple[str, Path]]:
    """(German title, path) of the curated scenarios, then the user's own ones, of a region."""
    out = []
    for folder, mark in ((root / region, ""), (root / "user" / region, " (eigene Variante)")):
        for path in sorted(folder.glob("*.yaml")):
            try:
                title = Scenario.from_file(path).title.de
            except ScenarioError:
                continue
            out.append((title + mark, path))
    out.sort(key=lambda t: (t[1].parent != root / region, t[1].stem != "baseline", t[0]))
    return out


def compute(scenario: Scenario, region: Region | None = None, draws: int = DRAWS) -> xr.Dataset:
    """The scenario's seeded ensemble (median and bands come from it)."""
    return run(scenario, draws=draws, seed=scenario.seed, region=region)


# ---------------------------------------------------------------------------------------
# Saving


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def sanitize_name(name: str) -> str:
    """A safe file name: lower case ``[a-z0-9_-]``, at most :data:`NAME_MAX` characters.

    >>> sanitize_name("Schnell & günstig 2030!")
    'schnell_guenstig_2030'
    >>> sanitize_name("../../etc/passwd")
    'etc_passwd'

    Raises
    ------
    SaveError
        Nothing usable is left of the name.
    """
    text = unicodedata.normalize("NFKC", str(name)).translate(_UMLAUTS).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9_-]+", "_", text).strip("_-")
    text = re.sub(r"_+", "_", text)[:NAME_MAX].strip("_-")
    if not text:
        raise SaveError("Bitte geben Sie einen Namen mit Buchstaben oder Ziffern ein.")
    if text in _RESERVED:  # device names on Windows, where the repository may be checked out
        text = f"{text}_szenario"
    return text


_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def user_folder(region: str, root: Path = SCENARIOS) -> Path:
    """``scenarios/user/<region>/`` (the region id is checked against the regions with data)."""
    if region not in known_regions():
        raise SaveError("Unbekannte Region.")
    return root / "user" / region


def save_scenario(scenario: Scenario, name: str, title: str | None = None, root: Path = SCENARIOS) -> Path:
    """Write a tweaked scenario as a self-contained YAML file into the user folder.

    The file carries the scenario's narrative, a German and English title (``title`` or the
    name) and every lever; ``retra validate`` accepts it. Names are sanitised
    (:func:`sanitize_name`); the file must stay inside ``scenarios/user/<region>/``, be
    at most :data:`MAX_BYTES` long, and the folder may hold at most :data:`MAX_FILES` files.
    An existing file of the same name in the user folder is replaced.
    """
    stem = sanitize_name(name)
    folder = user_folder(scenario.region, root).resolve()
    if not folder.is_relative_to(Path(root).resolve()):  # a symlinked user folder
        raise SaveError("Der Ordner für eigene Varianten ist nicht zulässig.")
    target = (folder / f"{stem}.yaml").resolve()
    if target.parent != folder:  # a symlink in the folder pointing elsewhere
        raise SaveError("Dieser Name ist nicht erlaubt.")
    existing = list(folder.glob("*.yaml")) if folder.exists() else []
    if not target.exists() and len(existing) >= MAX_FILES:
        raise SaveError(f"Der Ordner für eigene Varianten ist voll ({MAX_FILES} Dateien). "
                        "Bitte löschen Sie alte Varianten.")
    label = (title or name).strip()[:80] or stem
    data = scenario.to_dict()
    data["title"] = {"de": label, "en": label}
    text = ("# Saved by the Szenario-Explorer; check with: retra validate "
            f"scenarios/user/{scenario.region}/{stem}.yaml\n")
    checked = Scenario.from_dict(data, name=stem, context=scenario._context)
    text += checked.to_yaml()
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise SaveError("Das Szenario ist zu groß zum Speichern.")
    return atomic_text(target, text)


# ---------------------------------------------------------------------------------------
# Downloads


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def excel_bytes(ds: xr.Dataset, region: Region, extra: dict[str, pd.DataFrame] | None = None) -> bytes:
    """The results as an Excel workbook (the sheets of :func:`retra_model.export.excel_sheets`)."""
    buf = io.BytesIO()
    sheets = excel_sheets(ds, region.national.sectors, region.sources())
    sheets.update(extra or {})
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name[:31], index=False)
    return buf.getvalue()


def download_link(data: bytes, filename: str, label: str, mime: str = XLSX) -> str:
    """An HTML link that downloads ``data`` (base64 in the link: no server route needed)."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<a class="retra-download" download="{html.escape(filename)}" href="data:{mime};base64,{b64}" '
            f'style="font-weight:600">{html.escape(label)}</a>')


# ---------------------------------------------------------------------------------------
# The app


@dataclass
class State:
    """What the explorer shows: the chosen scenario, the tweaked one and their reduced ensembles."""

    region: Region
    scenario: Scenario
    tweaked: Scenario
    reference: xr.Dataset
    """The scenario as saved: its cached (or live) ensemble, reduced (:func:`views.summarise_ensemble`)."""
    results: xr.Dataset
    """The tweaked scenario's ensemble, reduced."""
    year: int = 2035
    relative: bool = True
    timings: dict = field(default_factory=dict)
    full: xr.Dataset | None = None
    """The draws behind ``results`` where they were computed here (for the Excel download)."""
    notice: str = ""
    """German notice when the scenario's cache was missing or stale."""


def reference(scenario: Scenario, region: Region) -> tuple[xr.Dataset, xr.Dataset | None, str]:
    """The reduced ensemble of a scenario as saved: from the cache for a curated scenario, else
    (a user's own scenario, or a stale cache) computed live — with the draws and a notice."""
    from ..uncertainty.ensemble import cache_path, load_cached

    try:
        return load_cached(scenario, region=region), None, ""
    except CacheError:
        full = compute(scenario, region)
        notice = "" if cache_path(scenario) is None else (
            "Für dieses Szenario lagen keine aktuellen vorberechneten Ergebnisse vor; sie wurden eben neu "
            f"berechnet ({DRAWS} Ziehungen).")
        return views.summarise_ensemble(full), full, notice


def load_state(region_id: str, path: Path) -> State:
    """Load a scenario and its reference ensemble (the scenario as saved)."""
    region = load_region(region_id)
    scenario = Scenario.from_file(path)
    ref, full, notice = reference(scenario, region)
    return State(region, scenario, scenario, ref, ref, full=full, notice=notice)


def retweak(state: State, values: dict[str, float], projects: dict[str, tuple[bool, float]] | None) -> State:
    """Apply the levers and rerun: the callback behind every slider."""
    t0 = time.perf_counter()
    tweaked = lv.apply(state.scenario, values, projects)
    if tweaked is state.scenario:
        full, results = (state.full if state.results is state.reference else None), state.reference
    else:
        full = compute(tweaked, state.region)
        state.timings["run"] = time.perf_counter() - t0
        results = views.summarise_ensemble(full)
    state.tweaked, state.full, state.results = tweaked, full, results
    state.timings["compute"] = time.perf_counter() - t0
    return state


def full_results(state: State) -> xr.Dataset:
    """The draws behind the shown results (recomputed if only the reduced cache was read:
    the same scenario, seed and number of draws give the same numbers)."""
    if state.full is None:
        state.full = run(state.tweaked, draws=int(state.results.attrs.get("draws", DRAWS)),
                         seed=state.tweaked.seed, region=state.region)
    return state.full


VARIANT, SAVED = "Ihre Variante", "Szenario wie gespeichert"


def build_figures(state: State) -> dict:
    """The five figures of the explorer, as plain Plotly figures."""
    runs = {VARIANT: state.results, SAVED: state.reference}
    figs = {
        "employment": figures.employment_path(runs, "employment"),
        "gva": figures.employment_path(runs, "gva"),
        "map": figures.change_map(state.region, state.results, state.year, "employment", state.relative),
        "waterfall": figures.waterfall(state.results, state.year, "employment", by="lab"),
        "sectors": figures.sector_change(state.results, state.year, "employment"),
    }
    for key, fig in figs.items():  # a FigureWidget does not follow its box's width
        fig.update_layout(width=1100 if key == "sectors" else 550)
    figs["employment"].update_layout(height=460)
    figs["gva"].update_layout(height=460)
    return figs


CHANGES = {
    "levers": ("employment", "gva", "map", "waterfall", "sectors"),
    "year": ("map", "waterfall", "sectors"),
    "relative": ("map",),
}
"""Which figures a change touches: a lever moves all of them (the variant's traces only), the
year the per-year figures, the toggle the map."""


def update_figures(state: State, widgets: dict, what: str = "levers") -> list[str]:
    """Refresh the explorer's figures in place after a change (see :data:`CHANGES`).

    Only the data and texts that change travel to the browser — never the map's geometry,
    never the saved scenario's traces — one message per figure. Returns the keys refreshed.
    """
    keys = CHANGES[what]
    ds = state.results
    for key in keys:
        w = widgets[key]
        if key in ("employment", "gva"):
            figures.update_path(w, ds, 0, VARIANT, key)
        elif key == "map":
            figures.update_change_map(w, state.region, ds, state.year, "employment", state.relative)
        elif key == "waterfall":
            figures.update_waterfall(w, ds, state.year, "employment", by="lab")
        elif key == "sectors":
            figures.update_sector_change(w, ds, state.year, "employment")
    return list(keys)


def summary_html(state: State) -> str:
    """One German line per key year: jobs and GVA of the region against the base year, 90 % interval."""
    from ..views import path

    base = int(state.results.attrs["base_year"])
    emp = path(state.results, "employment").set_index("year")
    gva = path(state.results, "gva").set_index("year")
    rows = []
    for y in (2030, 2035, 2045):
        if y not in emp.index:
            continue
        e, g = emp.loc[y], gva.loc[y]
        rows.append(
            f"<tr><td><b>{y}</b></td><td>{fmt_int(e['median'], sign=True)} Beschäftigte "
            f"({fmt_pct(e['median'] / e['base'], sign=True)})</td>"
            f"<td style='color:#555'>90 %-Intervall {fmt_int(e['p05'], sign=True)} bis {fmt_int(e['p95'], sign=True)}</td>"
            f"<td>{fmt_num(g['median'], 1, sign=True)} Mio. € Wertschöpfung ({fmt_pct(g['median'] / g['base'], sign=True)})</td></tr>")
    return (f"<div style='font-size:14px'><b>{html.escape(state.region.name)}: Veränderung gegenüber {base} "
            f"({fmt_int(emp.loc[base, 'base'])} Beschäftigte)</b>"
            f"<table style='border-spacing:12px 2px'>{''.join(rows)}</table></div>")


def requalification_html(state: State, top: int = 6) -> str:
    """Qualifizierungsbedarf from the base year to the chosen year, in plain German.

    From a deterministic run of the tweaked scenario (about 10 ms) and
    :func:`retra_model.labour.requalification_table` (about 40 ms): jobs lost, how many of them
    retirements absorb, who loses a job, and how many find no opening in their own occupational
    group in their district (the need to requalify) — summed over the districts, with the
    occupational groups that need it most.
    """
    from ..labour import requalification_table

    if state.tweaked.labour is None or state.year <= state.region.base_year:
        return ""
    det = run(state.tweaked, region=state.region)
    table = requalification_table(det, state.region, state.tweaked.labour, state.year)
    tot = table[["jobs_lost", "absorbed", "displaced", "requalification", "unfilled"]].sum()
    groups = (table.groupby("occupation_label")[["jobs_lost", "displaced", "requalification"]].sum()
              .sort_values("requalification", ascending=False).head(top))
    rows = "".join(
        f"<tr><td>{html.escape(str(name))}</td><td style='text-align:right'>{fmt_int(r.jobs_lost)}</td>"
        f"<td style='text-align:right'>{fmt_int(r.displaced)}</td>"
        f"<td style='text-align:right'><b>{fmt_int(r.requalification)}</b></td></tr>"
        for name, r in groups.iterrows())
    base = state.region.base_year
    return (f"<div style='font-size:14px;margin-top:8px'><h3 style='margin:4px 0'>Qualifizierungsbedarf "
            f"{base}–{state.year}</h3>"
            f"<p>{fmt_int(tot['jobs_lost'])} Arbeitsplätze fallen weg; {fmt_int(tot['absorbed'])} davon fängt der "
            f"Ruhestand auf. {fmt_int(tot['displaced'])} Beschäftigte verlieren ihre Stelle, für "
            f"<b>{fmt_int(tot['requalification'])}</b> gibt es im eigenen Berufsfeld im Kreis keine offene Stelle: "
            f"sie brauchen eine Qualifizierung. {fmt_int(tot['unfilled'])} offene Stellen bleiben unbesetzt "
            "(Fachkräftebedarf). Untergrenze: angenommen ist, dass Betriebe zuerst über den Ruhestand schrumpfen.</p>"
            "<table style='border-spacing:12px 2px'><tr><th style='text-align:left'>Berufshauptgruppe</th>"
            "<th>wegfallende Stellen</th><th>ohne Stelle</th><th>Qualifizierungsbedarf</th></tr>"
            f"{rows}</table></div>")


START_ERROR_DE = ("Die Anwendung konnte nicht gestartet werden. Bitte laden Sie die Seite neu; "
                  "wenn der Fehler bleibt, geben Sie dem retra-Team Bescheid.")
"""What the page says if an app cannot be built (the traceback goes to the server log only)."""


def guarded_app(build, region: str | None = None):
    """``build(region).root``, or — if building fails — a German message instead of a traceback."""
    try:
        return build(region).root
    except Exception:  # noqa: BLE001 - the page must never show a traceback
        import logging

        import ipywidgets as W

        logging.getLogger(__name__).exception("retra apps: the app could not be built")
        return W.HTML(f"<p class='retra-error' style='color:#b00;font-size:16px'>{html.escape(START_ERROR_DE)}</p>")


def app(region: str | None = None):
    """Build the explorer's widgets (see :class:`ExplorerApp`) and return the root widget."""
    from .explorer_ui import ExplorerApp

    return guarded_app(ExplorerApp, region)
