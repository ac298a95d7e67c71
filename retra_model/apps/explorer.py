"""Szenario-Explorer: pick a region and a scenario, move the levers, see the answer at once.

The notebook ``notebooks/Szenario-Explorer.ipynb`` only calls :func:`app`. Everything the
widgets do is a plain function here, tested in ``tests/test_apps.py``:

- :func:`scenario_files` lists the curated and the user's scenarios of a region;
- :func:`compute` runs the tweaked scenario as a seeded ensemble of :data:`DRAWS` draws —
  the engine's vectorised evaluation, about 0.1 s for one region; no sampler, no MCMC
  (the app path never imports ``pymc``): the bands are the spread of the scenario's own
  uncertain levers and data ranges, recomputed for every move of a lever;
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

from .. import figures
from ..engine import run
from ..errors import RetraError, ScenarioError
from ..export import atomic_text, excel_sheets
from ..regions import Region, known_regions, load_region
from ..scenario import Scenario
from . import levers as lv
from .format import fmt_int, fmt_num, fmt_pct

DRAWS = 100
"""Draws of the live ensemble behind the bands (seeded: the same levers give the same bands)."""

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
    """(label, id) of every region with data and curated scenarios (a baseline), German names."""
    out = []
    for rid in known_regions():
        if not (root / rid / "baseline.yaml").exists():
            continue
        try:
            reg = load_region(rid)
        except RetraError:
            continue
        if len(reg.district_codes) > MAX_DISTRICTS:
            continue
        label = REGION_LABELS.get(rid) or reg.name
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
    return text


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
    target = (folder / f"{stem}.yaml").resolve()
    if target.parent != folder:
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
    """What the explorer shows: the chosen scenario, the tweaked one and its results."""

    region: Region
    scenario: Scenario
    tweaked: Scenario
    reference: xr.Dataset
    results: xr.Dataset
    year: int = 2035
    relative: bool = True
    timings: dict = field(default_factory=dict)


def load_state(region_id: str, path: Path) -> State:
    """Load a scenario and its reference ensemble (the scenario as saved)."""
    region = load_region(region_id)
    scenario = Scenario.from_file(path)
    ref = compute(scenario, region)
    return State(region, scenario, scenario, ref, ref)


def retweak(state: State, values: dict[str, float], projects: dict[str, tuple[bool, float]] | None) -> State:
    """Apply the levers and rerun: the callback behind every slider."""
    t0 = time.perf_counter()
    state.tweaked = lv.apply(state.scenario, values, projects)
    state.results = state.reference if state.tweaked is state.scenario else compute(state.tweaked, state.region)
    state.timings["compute"] = time.perf_counter() - t0
    return state


def build_figures(state: State) -> dict:
    """The five figures of the explorer, as plain Plotly figures."""
    runs = {"Ihre Variante": state.results, "Szenario wie gespeichert": state.reference}
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


def app(region: str | None = None):
    """Build the explorer's widgets (see :class:`ExplorerApp`) and return the root widget."""
    from .explorer_ui import ExplorerApp

    return ExplorerApp(region).root
