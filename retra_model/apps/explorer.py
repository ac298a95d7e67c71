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

import numpy as np
import pandas as pd
import xarray as xr

from .. import figures, views
from ..engine import run
from ..errors import RetraError, ScenarioError
from ..export import atomic_text, excel_sheets
from ..numbers_de import fmt_int, fmt_num, fmt_pct
from ..regions import Region, known_regions, load_region
from ..results import BAND_90, key_years
from ..scenario import Scenario
from . import levers as lv

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


class SaveExists(SaveError):
    """A user scenario of that file name exists; saving again with ``overwrite=True`` replaces it."""

    def __init__(self, path: Path, title: str):
        self.path = path
        super().__init__(f"Es gibt schon eine eigene Variante „{title}“ (Datei {path.name}). "
                         "Zum Ersetzen bitte „Überschreiben“ wählen, sonst einen anderen Namen.")


def file_stem(title: str) -> str:
    """The file name (without ``.yaml``) for a title: :func:`sanitize_name`, or — when nothing of
    the title is left in ``[a-z0-9]`` (Cyrillic, emoji…) — ``variante_`` and a short hash, so
    that the title itself (kept inside the file) may be any Unicode.

    >>> file_stem("Ökologische Wende")
    'oekologische_wende'
    >>> file_stem("Завод").startswith("variante_")
    True
    """
    try:
        return sanitize_name(title)
    except SaveError:
        text = unicodedata.normalize("NFKC", str(title)).strip()
        if not any(ch.isalnum() for ch in text):
            raise
        import zlib

        return f"variante_{zlib.crc32(text.encode('utf-8')):08x}"


def _user_target(region: str, stem: str, root: Path) -> tuple[Path, Path]:
    folder = user_folder(region, root).resolve()
    if not folder.is_relative_to(Path(root).resolve()):  # a symlinked user folder
        raise SaveError("Der Ordner für eigene Varianten ist nicht zulässig.")
    target = (folder / f"{stem}.yaml").resolve()
    if target.parent != folder:  # a symlink in the folder pointing elsewhere
        raise SaveError("Dieser Name ist nicht erlaubt.")
    return folder, target


def save_scenario(scenario: Scenario, name: str, title: str | None = None, root: Path = SCENARIOS, *,
                  description: str = "", overwrite: bool = True) -> Path:
    """Write a tweaked scenario as a self-contained YAML file into the user folder.

    The file carries the title as typed (any Unicode, at most 80 characters; German and
    English), the description (``narrative``; the scenario's own narrative if empty) and every
    lever; ``retra validate`` accepts it. The file name is :func:`file_stem` of ``name``; the
    file must stay inside ``scenarios/user/<region>/``, be at most :data:`MAX_BYTES` long, and
    the folder may hold at most :data:`MAX_FILES` files. An existing file of the same name is
    replaced only with ``overwrite`` (else :class:`SaveExists`).
    """
    stem = file_stem(name)
    folder, target = _user_target(scenario.region, stem, root)
    label = (title or name).strip()[:80] or stem
    if target.exists() and not overwrite:
        raise SaveExists(target, label)
    existing = list(folder.glob("*.yaml")) if folder.exists() else []
    if not target.exists() and len(existing) >= MAX_FILES:
        raise SaveError(f"Der Ordner für eigene Varianten ist voll ({MAX_FILES} Dateien). "
                        "Bitte löschen Sie alte Varianten.")
    data = scenario.to_dict()
    data["title"] = {"de": label, "en": label}
    desc = str(description or "").strip()[:2000]
    if desc:
        data["narrative"] = {"de": desc, "en": desc}
    text = ("# Saved by the Szenario-Explorer; check with: retra validate "
            f"scenarios/user/{scenario.region}/{stem}.yaml\n")
    checked = Scenario.from_dict(data, name=stem, context=scenario._context)
    text += checked.to_yaml()
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise SaveError("Das Szenario ist zu groß zum Speichern.")
    return atomic_text(target, text)


def _own(path: Path, region: str, root: Path) -> Path:
    """``path`` if it is a user scenario of ``region`` (never a curated one), else :class:`SaveError`."""
    folder = user_folder(region, root).resolve()
    path = Path(path).resolve()
    if path.parent != folder or path.suffix != ".yaml" or not path.exists():
        raise SaveError("Nur eigene Varianten lassen sich umbenennen oder löschen.")
    return path


def rename_scenario(path: Path, title: str, region: str, root: Path = SCENARIOS) -> Path:
    """Give a user scenario a new title (and the file the matching name); refuses to replace another."""
    path = _own(path, region, root)
    sc = Scenario.from_file(path)
    stem = file_stem(title)
    _, target = _user_target(region, stem, root)
    if target.exists() and target != path:
        raise SaveExists(target, title.strip()[:80])
    new = save_scenario(sc, title, title=title, root=root, overwrite=True)
    if new != path:
        path.unlink()
    return new


def delete_scenario(path: Path, region: str, root: Path = SCENARIOS) -> None:
    """Delete a user scenario (only inside ``scenarios/user/<region>/``)."""
    _own(path, region, root).unlink()


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


def variant_sheet(state: State, title: str) -> pd.DataFrame:
    """The variant as an Excel sheet: its name, what it is based on, the reference, and every
    lever with the variant's and the scenario's value (German text)."""
    rows = [{"Angabe": "Name der Variante", "Variante": title, "Szenario wie gespeichert": state.scenario.title.de},
            {"Angabe": "Vergleich", "Variante": state.reference_title, "Szenario wie gespeichert": ""}]
    for lever in lv.levers(state.scenario):
        rows.append({"Angabe": lv.display_label(lever),
                     "Variante": lv.readout(lever, lever.read(state.tweaked)) if lever.key != "infrastructure"
                     else lv.readout(lever, _infra_factor(state)),
                     "Szenario wie gespeichert": lv.readout(lever, lever.read(state.scenario))})
    for pid, pr in state.tweaked.projects.items():
        orig = state.scenario.projects[pid]
        rows.append({"Angabe": f"Projekt: {pr.label.de}", "Variante": "an" if pr.enabled else "aus",
                     "Szenario wie gespeichert": "an" if orig.enabled else "aus"})
    return pd.DataFrame(rows)


def _infra_factor(state: State) -> float:
    a, b = lv._infrastructure_units(state.tweaked), lv._infrastructure_units(state.scenario)
    return a / b if b > 0 else 1.0


def variant_excel(state: State, title: str) -> bytes:
    """Excel of what the page shows: the variant (named ``title``, its lever values on a sheet
    of their own) or, unchanged, the scenario as saved."""
    changed = state.tweaked is not state.scenario
    sc = state.tweaked.replace({"title": {"de": title, "en": title}}) if changed else state.tweaked
    full = run(sc, draws=DRAWS, seed=state.seed, region=state.region) if changed else full_results(state)
    return excel_bytes(full, state.region, {"Variante und Hebel": variant_sheet(state, title)})


def download_link(data: bytes, filename: str, label: str, mime: str = XLSX) -> str:
    """An HTML link that downloads ``data`` (base64 in the link: no server route needed)."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<a class="retra-download" download="{html.escape(filename)}" href="data:{mime};base64,{b64}" '
            f'style="font-weight:600">{html.escape(label)}</a>')


# ---------------------------------------------------------------------------------------
# The app


def totals(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Per draw, district (and the region, last) and year: the sum over sectors of ``employment``
    [persons] and ``gva`` [EUR million], the arrays behind :func:`effect`."""
    out = {}
    for var in ("employment", "gva"):
        a = ds[var].sum("sector").transpose(*(("draw",) if "draw" in ds.dims else ()), "district", "year").values
        a = a if "draw" in ds.dims else a[None]
        out[var] = np.concatenate([a, a.sum(axis=1, keepdims=True)], axis=1)  # draw, area, year
    out["years"] = ds["year"].values
    return out


def effect(variant: dict[str, np.ndarray], reference: dict[str, np.ndarray], years, variable: str = "employment",
           area: int = -1) -> pd.DataFrame:
    """The effect of a change: variant minus reference, draw by draw, then summarised.

    Both must be evaluated on the same draws (common random numbers: the same seed and number
    of draws; the engine draws each lever from a stream of its own), so that the difference
    holds only what was changed; an unchanged scenario gives exactly 0.

    Returns
    -------
    pandas.DataFrame
        ``year, median, p05, p95`` of the difference [unit of ``variable``], for the area at
        position ``area`` (default the region).
    """
    d = variant[variable][:, area, :] - reference[variable][:, area, :]
    q = np.quantile(d, list(BAND_90), axis=0)
    return pd.DataFrame({"year": np.asarray(years), "p05": q[0], "median": q[1], "p95": q[2]})


@dataclass
class State:
    """What the explorer shows: the chosen scenario, the tweaked one, the reference and their ensembles.

    The variant and the reference are always evaluated on the same :data:`DRAWS` draws (same
    seed, same streams: common random numbers), so the difference between them is the effect
    of the change alone — exactly 0 while nothing is changed.
    """

    region: Region
    scenario: Scenario
    tweaked: Scenario
    reference: xr.Dataset
    """The reference (the scenario as saved, or another one chosen), reduced (:func:`views.summarise_ensemble`)."""
    results: xr.Dataset
    """The tweaked scenario's ensemble, reduced."""
    year: int = 2035
    relative: bool = True
    timings: dict = field(default_factory=dict)
    full: xr.Dataset | None = None
    """The draws behind ``results`` (for the Excel download)."""
    notice: str = ""
    """German notice (kept for callers; the explorer computes every ensemble live)."""
    reference_scenario: Scenario | None = None
    reference_title: str = ""
    ref_totals: dict = field(default_factory=dict)
    var_totals: dict = field(default_factory=dict)
    seed: int = 0
    """Seed of both ensembles (the chosen scenario's)."""


def reference_run(scenario: Scenario, region: Region, seed: int) -> tuple[xr.Dataset, xr.Dataset, dict]:
    """The reference's :data:`DRAWS` draws on ``seed``: the draws, their summary and :func:`totals`."""
    full = run(scenario, draws=DRAWS, seed=seed, region=region)
    return full, views.summarise_ensemble(full), totals(full)


def load_state(region_id: str, path: Path, reference_path: Path | None = None) -> State:
    """Load a scenario and its reference (by default the scenario as saved) on the same draws."""
    region = load_region(region_id)
    scenario = Scenario.from_file(path)
    same = reference_path is None or Path(reference_path).resolve() == Path(path).resolve()
    ref_sc = scenario if same else Scenario.from_file(reference_path)
    full, ref, tot = reference_run(ref_sc, region, scenario.seed)
    state = State(region, scenario, scenario, ref, ref, full=full, reference_scenario=ref_sc,
                  reference_title=ref_sc.title.de, ref_totals=tot, var_totals=tot, seed=scenario.seed)
    if not same:
        retweak(state, {}, None, force=True)
    return state


def set_reference(state: State, path: Path) -> State:
    """Compare with another (curated or saved) scenario, on the same draws as the variant."""
    ref_sc = Scenario.from_file(path)
    if ref_sc.region != state.scenario.region:
        raise SaveError("Das Vergleichsszenario gehört zu einer anderen Region.")
    full, ref, tot = reference_run(ref_sc, state.region, state.seed)
    state.reference_scenario, state.reference_title = ref_sc, ref_sc.title.de
    state.reference, state.ref_totals = ref, tot
    if state.tweaked is state.scenario and ref_sc.digest() == state.scenario.digest():
        state.results, state.var_totals, state.full = ref, tot, full
    return state


def retweak(state: State, values: dict[str, float], projects: dict[str, tuple[bool, float]] | None,
            force: bool = False) -> State:
    """Apply the levers and rerun on the reference's draws: the callback behind every slider."""
    t0 = time.perf_counter()
    tweaked = lv.apply(state.scenario, values, projects)
    same_as_ref = (tweaked is state.scenario and state.reference_scenario is not None
                   and state.reference_scenario.digest() == state.scenario.digest())
    if same_as_ref and not force:
        results, tot, full = state.reference, state.ref_totals, None
    else:
        full = run(tweaked, draws=DRAWS, seed=state.seed, region=state.region)
        state.timings["run"] = time.perf_counter() - t0
        results, tot = views.summarise_ensemble(full), totals(full)
    state.tweaked, state.full, state.results, state.var_totals = tweaked, full, results, tot
    state.timings["compute"] = time.perf_counter() - t0
    return state


def full_results(state: State) -> xr.Dataset:
    """The draws behind the shown results (recomputed if they were not kept: the same scenario,
    seed and number of draws give the same numbers)."""
    if state.full is None:
        state.full = run(state.tweaked, draws=DRAWS, seed=state.seed, region=state.region)
    return state.full


def effect_table(state: State, variable: str = "employment", district: str | None = None) -> pd.DataFrame:
    """:func:`effect` of the variant against the reference for the region or one district."""
    area = -1 if district is None else [str(d) for d in state.region.district_codes].index(district)
    return effect(state.var_totals, state.ref_totals, state.results["year"].values, variable, area)


VARIANT = "Ihre Variante"


def reference_label(state: State) -> str:
    """The reference's name in legends: „Vergleich: <title>“."""
    return f"Vergleich: {state.reference_title or state.scenario.title.de}"


def build_figures_paths(state: State) -> dict:
    """The two path figures (variant and reference, each in its colour, bands labelled)."""
    ref = reference_label(state)
    runs = {VARIANT: state.results, ref: state.reference}
    colors = {VARIANT: figures.VARIANT_COLOR,
              ref: figures.scenario_color(state.reference_scenario.name if state.reference_scenario else None)}
    figs = {"employment": figures.employment_path(runs, "employment", colors=colors, bands_for={VARIANT}),
            "gva": figures.employment_path(runs, "gva", colors=colors, bands_for={VARIANT})}
    for fig in figs.values():
        fig.update_layout(height=460)
    return figs


def build_figures(state: State) -> dict:
    """The five figures of the explorer, as plain Plotly figures, sized by their boxes (no fixed width)."""
    figs = build_figures_paths(state)
    figs.update({
        "map": figures.change_map(state.region, state.results, state.year, "employment", state.relative),
        "waterfall": figures.waterfall(state.results, state.year, "employment", by="lab"),
        "sectors": figures.sector_change(state.results, state.year, "employment"),
    })
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
    t0 = time.perf_counter()
    for i, key in enumerate(keys):
        w = widgets[key]
        if key in ("employment", "gva"):
            figures.update_path(w, ds, 0, VARIANT, key)
        elif key == "map":
            figures.update_change_map(w, state.region, ds, state.year, "employment", state.relative)
        elif key == "waterfall":
            figures.update_waterfall(w, ds, state.year, "employment", by="lab")
        elif key == "sectors":
            figures.update_sector_change(w, ds, state.year, "employment")
        if i == 0:
            state.timings["first_figure"] = time.perf_counter() - t0
    state.timings["all_figures"] = time.perf_counter() - t0
    return list(keys)


def summary_html(state: State) -> str:
    """German lines per key year: jobs and GVA of the region against the base year, 90 % interval,
    and the effect of the user's change against the reference on the same draws."""
    from ..views import path

    base = int(state.results.attrs["base_year"])
    emp = path(state.results, "employment").set_index("year")
    gva = path(state.results, "gva").set_index("year")
    eff = effect_table(state).set_index("year")
    years = [y for y in dict.fromkeys((*key_years(state.results), state.year)) if y in emp.index and y > base]
    rows = []
    for y in sorted(years):
        e, g, d = emp.loc[y], gva.loc[y], eff.loc[y]
        rows.append(
            f"<tr><td><b>{y}</b></td><td>{fmt_int(e['median'], sign=True)} Beschäftigte "
            f"({fmt_pct(e['median'] / e['base'], sign=True)})</td>"
            f"<td class='retra-muted'>90 %-Intervall {fmt_int(e['p05'], sign=True)} bis {fmt_int(e['p95'], sign=True)}</td>"
            f"<td>{fmt_num(g['median'], 1, sign=True)} Mio. € Wertschöpfung ({fmt_pct(g['median'] / g['base'], sign=True)})</td>"
            f"<td class='retra-effect' data-year='{y}'>Effekt Ihrer Änderung: <b>{fmt_int(d['median'], sign=True)}</b> "
            f"(90 %-Intervall {fmt_int(d['p05'], sign=True)} bis {fmt_int(d['p95'], sign=True)})</td></tr>")
    return (f"<div style='font-size:14px'><b>{html.escape(state.region.name)}: Veränderung gegenüber {base} "
            f"({fmt_int(emp.loc[base, 'base'])} Beschäftigte)</b>"
            f"<table style='border-spacing:12px 2px'>{''.join(rows)}</table>"
            f"<div class='retra-muted' style='font-size:12px'>„Effekt Ihrer Änderung“: Ihre Variante minus "
            f"„{html.escape(state.reference_title)}“, beide mit denselben {fmt_int(DRAWS)} Kombinationen der unsicheren "
            "Annahmen berechnet; ohne Änderung ist er genau 0.</div></div>")


def requalification_html(state: State, top: int = 6) -> str:
    """Zukunft der Arbeit from the base year to the chosen year, in plain German, per district and
    occupational group: the requalification need (displaced + task change,
    :func:`retra_model.labour.future_of_work`) and the balance of jobs and labour supply.

    From a deterministic run of the tweaked scenario (its centre; about 50 ms in all); the
    council view shows the same with 90 % bands.
    """
    from ..labour import future_of_work, has_future_of_work_data

    if state.year <= state.region.base_year or not has_future_of_work_data(state.region):
        return ""
    det = run(state.tweaked, region=state.region)
    fow = future_of_work(det, state.tweaked, state.region).sel(year=state.year)
    names = dict(zip(fow["district"].values, fow["district_name"].values, strict=True))

    def r10(x) -> str:
        return fmt_int(round(float(x), -1))

    rows = "".join(
        f"<tr><td>{html.escape(str(names[d]))}</td><td style='text-align:right'><b>{r10(f['requalification'])}</b></td>"
        f"<td style='text-align:right'>{r10(f['displaced'])}</td><td style='text-align:right'>{r10(f['task_change'])}</td>"
        f"<td style='text-align:right'>{r10(f['balance'])}</td></tr>"
        for d in fow["district"].values for f in [fow.sel(district=d)])
    occ = fow["requalification_by_occupation"].sum("district").to_series().sort_values(ascending=False).head(top)
    labels = dict(zip(fow["occupation"].values, fow["occupation_label"].values, strict=True))
    groups = "".join(f"<tr><td>{html.escape(str(labels[k]))}</td><td style='text-align:right'>{r10(v)}</td></tr>"
                     for k, v in occ.items() if v > 0)
    tot = fow.sum("district")
    base = state.region.base_year
    return (f"<div style='font-size:14px;margin-top:8px'><h3 style='margin:4px 0'>Zukunft der Arbeit "
            f"{base}–{state.year}</h3>"
            f"<p>Qualifizierungsbedarf in der Region: <b>{r10(tot['requalification'])}</b> Beschäftigte — "
            f"{r10(tot['displaced'])} verlieren ihre Stelle, ohne dass ein Renteneintritt sie auffängt; "
            f"{r10(tot['task_change'])} bleiben in Antriebsberufen, aber ihre Tätigkeit ändert sich. "
            f"Bilanz {state.year}: {r10(tot['demand'])} Stellen, {r10(tot['supply'])} Arbeitskräfte "
            f"({r10(tot['balance'])}; positiv heißt Fachkräftemangel).</p>"
            "<table style='border-spacing:12px 2px'><tr><th style='text-align:left'>Kreis</th>"
            "<th>Qualifizierungsbedarf</th><th>verlieren die Stelle</th><th>Tätigkeitswandel</th>"
            "<th>Bilanz Stellen − Arbeitskräfte</th></tr>"
            f"{rows}</table>"
            "<table style='border-spacing:12px 2px;margin-top:6px'><tr><th style='text-align:left'>Berufshauptgruppe"
            f"</th><th>Qualifizierungsbedarf</th></tr>{groups}</table>"
            "<p class='retra-muted' style='font-size:12px'>Mittlere Annahmen des Szenarios; je Treiber und Kreis "
            "gezählt, nicht mit Gewinnen anderswo verrechnet. Bänder zeigt die Ansicht „Transformationsrat“.</p></div>")


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
