"""Widgets of the Szenario-Explorer: layout and wiring only; the logic is in :mod:`.explorer`.

Sliders report on release (``continuous_update=False``), so one move is one run; the
figures are refreshed in place (``FigureWidget``s, or :class:`LiveFigure`s under ``retra
apps``), only those a change touches
(:func:`.explorer.update_figures`). Every callback runs under :func:`guarded`: an
unexpected error shows a German message on the page and goes with its traceback to the
server's log, never to the page.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import logging
import os
import time

import ipywidgets as W
import plotly.graph_objects as go

from .. import figures
from ..errors import RetraError
from ..numbers_de import fmt_num
from ..views import band_coverage
from . import explorer as ex
from . import levers as lv

CSS = """<style>
.retra-app {font-family: 'Source Sans Pro', Arial, sans-serif; color: #1f2933;}
.retra-app .widget-label {min-width: 0 !important;}
.retra-levers .widget-slider .widget-readout {min-width: 56px;}
.retra-help, .retra-muted {color:#4a4a4a; font-size:12px;}
.retra-help {margin:-4px 0 6px 0;}
.retra-readout {font-variant-numeric: tabular-nums; font-weight:600; min-width:90px; text-align:right;}
.retra-app :focus-visible, .retra-app .noUi-handle:focus, .retra-app button:focus, .retra-app select:focus,
.retra-app input:focus, .retra-app textarea:focus {outline: 3px solid #1a5fb4 !important; outline-offset: 2px;}
.retra-app .widget-button.mod-primary, .retra-app .jupyter-button.mod-primary {background:#0b5394; color:white;}
.retra-busy::before {content:""; display:inline-block; width:12px; height:12px; margin-right:6px; border:2px solid #0b5394;
  border-right-color:transparent; border-radius:50%; animation: retra-spin 0.8s linear infinite; vertical-align:-2px;}
@keyframes retra-spin {to {transform: rotate(360deg);}}
.retra-table th {cursor: default;}
</style>"""

BUSY = "<span class='retra-busy' role='status'>{}</span>"
"""A busy sign with a German text (e.g. while an Excel file is built)."""

log = logging.getLogger(__name__)

ERROR_DE = ("Es ist ein unerwarteter Fehler aufgetreten; die Anzeige zeigt den letzten gültigen Stand. "
            "Bitte versuchen Sie es noch einmal oder laden Sie die Seite neu.")
"""What the page says when a callback fails unexpectedly (the details go to the server log)."""


def guarded(method):
    """Run a widget callback; an unexpected error becomes :data:`ERROR_DE` in ``self.message``."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:  # noqa: BLE001 - the page must never show a traceback
            log.exception("retra apps: callback %s failed", method.__name__)
            self.message.value = f"<span class='retra-error' style='color:#b00'>{html.escape(ERROR_DE)}</span>"
            return None

    return wrapper


def _slider(lever: lv.Lever, value: float) -> W.FloatSlider:
    """A slider without ipywidgets' readout (English "1.3"): the German one is a label beside it
    (:func:`levers.readout`), updated with the value."""
    scale = 100.0 if lever.percent else 1.0
    step = lever.step * scale
    return W.FloatSlider(
        value=min(max(value * scale, lever.low * scale), lever.high * scale),
        min=lever.low * scale, max=lever.high * scale, step=step, continuous_update=False, readout=False,
        layout=W.Layout(width="100%"), style={"description_width": "0px"},
    )


_PAGE_ESM = """export default {
  render({ model, el }) {
    el.style.display = "none";
    document.documentElement.lang = "de";
    const apply = () => {  // accessible names of sliders; toolbars out of the tab order
      const labels = model.get("labels") || {};
      for (const [cls, label] of Object.entries(labels)) {
        document.querySelectorAll("." + cls + " .noUi-handle, ." + cls + " [role=slider], ." + cls + " input")
          .forEach((h) => { if (h.getAttribute("aria-label") !== label) h.setAttribute("aria-label", label); });
      }
      document.querySelectorAll(".modebar a, .modebar button, .modebar-btn").forEach((b) => {
        if (b.getAttribute("tabindex") !== "-1") b.setAttribute("tabindex", "-1"); });
    };
    let pending = false;
    const observer = new MutationObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; apply(); });
    });
    observer.observe(document.body, { childList: true, subtree: true });
    model.on("change:labels", apply);
    apply();
    model.send({ event: "shown" });  // a page from the pool of pre-run kernels refreshes its lists
    return () => observer.disconnect();
  },
};
"""


@functools.cache
def _page_class() -> type:
    import anywidget
    import traitlets

    class PageHelper(anywidget.AnyWidget):
        """Invisible: sets ``lang="de"``, names the sliders for screen readers (``labels``: CSS class →
        German name), keeps the figures' toolbars out of the tab order, and tells the kernel when a
        browser shows the page (each load, also of a page built in advance)."""

        _esm = _PAGE_ESM
        labels = traitlets.Dict().tag(sync=True)

    return PageHelper


def page_helper(on_shown) -> W.DOMWidget:
    """A :class:`PageHelper` that calls ``on_shown()`` whenever a browser shows the page."""
    helper = _page_class()()

    def handle(_widget, content, _buffers):
        if isinstance(content, dict) and content.get("event") == "shown":
            on_shown()

    helper.on_msg(handle)
    return helper


_VIEW_ESM = """const cfg = JSON.parse(document.getElementById("jupyter-config-data")?.textContent || "{}");
const url = new URL((cfg.baseUrl || "/") + "%s", window.location.href).href;
function loadPlotly() {  // one <script> per page; plotly.js is a UMD bundle: hide an AMD loader meanwhile
  if (window.Plotly) return Promise.resolve(window.Plotly);
  window.__retraPlotly = window.__retraPlotly || new Promise((resolve, reject) => {
    const amd = window.define;
    window.define = undefined;
    const s = document.createElement("script");
    s.src = url;
    s.onload = () => { window.define = amd; resolve(window.Plotly); };
    s.onerror = (e) => { window.define = amd; reject(e); };
    document.head.appendChild(s);
  });
  return window.__retraPlotly;
}
export default {
  async render({ model, el }) {
    const Plotly = await loadPlotly();
    el.style.width = "100%%";  // the figure follows its box (layout.autosize, no fixed width)
    el.style.minWidth = "0";
    el.setAttribute("role", "figure");
    const tidy = () => {  // toolbars out of the tab order; the figure named by its title
      el.querySelectorAll(".modebar a, .modebar button, .modebar-btn").forEach((b) => b.setAttribute("tabindex", "-1"));
      const t = (model.get("figure") || {}).layout?.title?.text;
      if (t) el.setAttribute("aria-label", String(t).replace(/<[^>]+>/g, " "));
    };
    const draw = async () => {
      const f = model.get("figure") || {};
      const layout = Object.assign({ height: 360 }, f.layout || {});
      delete layout.width;
      layout.autosize = true;
      await Plotly.react(el, f.data || [], layout, model.get("config") || {});
      tidy();
    };
    let drawn = false;
    model.on("change:figure", draw);
    const resize = new ResizeObserver(() => { if (drawn && el.offsetWidth) Plotly.Plots.resize(el); });
    resize.observe(el);
    await draw();
    drawn = true;
    return () => { model.off("change:figure", draw); resize.disconnect(); Plotly.purge(el); };
  },
};
"""


@functools.cache
def _view_class(path: str) -> type:
    """:class:`PlotlyView` with plotly.js loaded from the Voilà server (``path``, relative to its
    base URL; see :func:`.serve.static_overlay`)."""
    import anywidget
    import traitlets

    class PlotlyView(anywidget.AnyWidget):
        """A plotly figure drawn by plotly.js from its JSON; every change of ``figure`` redraws
        it (``Plotly.react``). Used instead of plotly's ``FigureWidget``, whose views in
        Voilà stop applying updates in pages that load while the server is busy (issue 9)."""

        _esm = _VIEW_ESM % path
        figure = traitlets.Dict().tag(sync=True)
        config = traitlets.Dict().tag(sync=True)

    return PlotlyView


class LiveFigure(go.Figure):
    """A ``go.Figure`` shown by a :class:`PlotlyView`: each (outermost) ``batch_update`` ends by
    sending the whole figure (a few tens of kB) to the view, so the figure code can treat it like a
    ``FigureWidget``."""

    def __init__(self, fig: go.Figure, view):
        super().__init__(fig)
        self._view = view
        self._push()

    def _push(self) -> None:
        self._view.figure = json.loads(self.to_json())  # plotly's encoder handles numpy

    @contextlib.contextmanager
    def batch_update(self):
        if self._in_batch_mode:  # plotly's own update() nests batches: the outermost one sends
            yield
            return
        with super().batch_update():
            yield
        self._push()


def figure_widget(fig: go.Figure, config: dict) -> tuple:
    """``(figure, widget)`` to show ``fig``: under ``retra apps`` a :class:`LiveFigure` and its
    view, elsewhere (JupyterLab, nbval) a plotly ``FigureWidget`` twice."""
    from .serve import ESM_ENV

    path = os.environ.get(ESM_ENV)
    if path:
        view = _view_class(path)(config=config)
        return LiveFigure(fig, view), view
    fw = go.FigureWidget(fig)
    fw._config = config
    return fw, fw


class FigureSlots:
    """One box per figure; the widget is made from the first figure shown in it.

    A FigureWidget made empty and filled before it is on the page shows nothing in Voilà
    (its later updates travel as messages to views that do not exist yet), so each widget
    is created with its first figure and only then updated in place.
    """

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.boxes: dict[str, W.Box] = {}
        self.widgets: dict[str, go.Figure] = {}

    def slot(self, key: str, layout: W.Layout) -> W.Box:
        self.boxes[key] = W.Box(layout=layout)
        return self.boxes[key]

    def __contains__(self, key: str) -> bool:
        return key in self.widgets

    def show(self, key: str, fig: go.Figure) -> None:
        if key in self.widgets:
            figures.update_figure(self.widgets[key], fig)
            return
        figure, widget = figure_widget(fig, figures.config(f"{self.prefix}-{key}"))
        self.widgets[key] = figure
        self.boxes[key].children = [widget]

    def __getitem__(self, key: str) -> go.Figure:
        return self.widgets[key]


class ExplorerApp:
    """The explorer's widget tree (``root``) and its callbacks."""

    def __init__(self, region: str | None = None):
        regions = ex.region_options()
        full = W.Layout(width="100%")
        self.region_dd = W.Dropdown(options=regions, value=region or regions[0][1], description="Region", layout=full)
        self.scenario_dd = W.Dropdown(description="Szenario", layout=full)
        self.reference_dd = W.Dropdown(description="Vergleich mit", layout=full, style={"description_width": "90px"})
        self.year = W.IntSlider(value=2035, min=2025, max=2045, step=1, continuous_update=False,
                                description="Jahr", layout=full)
        self.year.add_class("retra-year")
        self.relative = W.ToggleButtons(options=[("in %", True), ("Beschäftigte", False)], value=True,
                                        description="Karte", style={"button_width": "100px"})
        self.levers_box = W.VBox(layout=full)
        self.levers_box.add_class("retra-levers")
        self.reset_btn = W.Button(description="Hebel zurücksetzen", layout=full)
        self.name = W.Text(placeholder="z. B. Schnelle E-Mobilität", description="Titel", layout=full)
        self.description = W.Textarea(placeholder="Was ändert diese Variante, und warum?", description="Beschreibung",
                                      layout=W.Layout(width="100%", height="60px"))
        self.save_btn = W.Button(description="Als Szenario speichern", button_style="primary", layout=full)
        self.overwrite_btn = W.Button(description="Überschreiben", button_style="warning",
                                      layout=W.Layout(width="100%", display="none"))
        self.rename_btn = W.Button(description="Eigene Variante umbenennen", layout=full)
        self.delete_btn = W.Button(description="Eigene Variante löschen", layout=full)
        self.excel_btn = W.Button(description="Ergebnisse als Excel", layout=full)
        self.brief_btn = W.Button(description="Kurzbericht", layout=full)
        self.message = W.HTML()
        self.download = W.HTML()
        self.summary = W.HTML()
        self.status = W.HTML()
        self.requalification = W.HTML()
        self.notice = W.HTML()
        self.figs = FigureSlots("szenario-explorer")
        self.sliders: dict[str, W.FloatSlider] = {}
        self.readouts: dict[str, W.HTML] = {}
        self.projects: dict[str, tuple[W.Checkbox, W.FloatSlider]] = {}
        self.state: ex.State | None = None
        self._confirm_delete = False
        self.page = page_helper(self._on_shown)
        self.goal = None

        self.region_dd.observe(self._on_region, "value")
        self.scenario_dd.observe(self._on_scenario, "value")
        self.reference_dd.observe(self._on_reference, "value")
        self.year.observe(self._on_view, "value")
        self.relative.observe(self._on_view, "value")
        self.reset_btn.on_click(self._on_reset)
        self.save_btn.on_click(self._on_save)
        self.overwrite_btn.on_click(self._on_overwrite)
        self.rename_btn.on_click(self._on_rename)
        self.delete_btn.on_click(self._on_delete)
        self.excel_btn.on_click(self._on_excel)
        self.brief_btn.on_click(self._on_brief)

        def h(text, top=12):
            return W.HTML(f"<h3 style='margin:{top}px 0 4px 0'>{text}</h3>")

        side = W.VBox([
            h("Szenario", 4), self.region_dd, self.scenario_dd, self.reference_dd, self.notice,
            h("Hebel"), self.levers_box, self.reset_btn,
            h("Ansicht"), self.year, self.relative,
            h("Speichern und herunterladen"), self.name, self.description, self.save_btn, self.overwrite_btn,
            self.rename_btn, self.delete_btn, self.excel_btn, self.brief_btn, self.download, self.message,
        ], layout=W.Layout(width="340px", min_width="300px", padding="0 16px 0 0", flex="0 0 auto"))
        cell = W.Layout(flex="1 1 420px", min_width="0", width="auto")
        row = W.Layout(flex_flow="row wrap", width="100%")
        self.goal_box = W.VBox()
        main = W.VBox([
            self.summary,
            W.HBox([self.figs.slot("employment", cell), self.figs.slot("gva", cell)], layout=row),
            W.HBox([self.figs.slot("map", cell), self.figs.slot("waterfall", cell)], layout=row),
            self.figs.slot("sectors", W.Layout(width="100%")), self.requalification, self.goal_box, self.status,
        ], layout=W.Layout(flex="1 1 auto", min_width="0", width="auto"))
        self.root = W.VBox([W.HTML(CSS), self.page, W.HBox([side, main], layout=W.Layout(width="100%"))])
        self.root.add_class("retra-app")
        self._on_region({"new": self.region_dd.value})
        self._build_goal()

    # -- callbacks ---------------------------------------------------------------------

    def _files(self) -> list[tuple[str, str]]:
        return [(t, str(p)) for t, p in ex.scenario_files(self.region_dd.value, ex.SCENARIOS)]

    def refresh_lists(self, select: str | None = None) -> None:
        """Read the scenario lists again (after a save, and whenever a browser shows the page);
        the chosen scenario and reference stay chosen where they still exist."""
        options = self._files()
        paths = [p for _, p in options]
        for dd, handler in ((self.scenario_dd, self._on_scenario), (self.reference_dd, self._on_reference)):
            keep = dd.value if dd.value in paths else (paths[0] if paths else None)
            if dd.options == tuple(options) and dd.value == keep:
                continue
            dd.unobserve(handler, "value")
            dd.options = options
            dd.value = keep
            dd.observe(handler, "value")
        if select is not None and select in paths:
            self.reference_dd.unobserve(self._on_reference, "value")
            self.reference_dd.value = select
            self.reference_dd.observe(self._on_reference, "value")

    @guarded
    def _on_shown(self) -> None:
        self.refresh_lists()

    @guarded
    def _on_region(self, change) -> None:
        options = self._files()
        for dd, handler in ((self.scenario_dd, self._on_scenario), (self.reference_dd, self._on_reference)):
            dd.unobserve(handler, "value")
            dd.options = options
            dd.value = options[0][1]
            dd.observe(handler, "value")
        self._on_scenario({"new": self.scenario_dd.value})

    @guarded
    def _on_scenario(self, change) -> None:
        from pathlib import Path

        self.reference_dd.unobserve(self._on_reference, "value")
        self.reference_dd.value = change["new"]  # the scenario as saved is the first reference
        self.reference_dd.observe(self._on_reference, "value")
        self.state = ex.load_state(self.region_dd.value, Path(change["new"]))
        base = self.state.region.base_year
        years = [int(y) for y in self.state.results["year"].values]
        self.year.min, self.year.max = base + 1, max(years)
        self.state.year, self.state.relative = self.year.value, self.relative.value
        self._build_levers()
        self.download.value = ""
        self.message.value = ""
        own = Path(change["new"]).parent.name == self.region_dd.value and Path(change["new"]).parent.parent.name == "user"
        self.rename_btn.disabled = self.delete_btn.disabled = not own
        self._confirm_delete = False
        self.delete_btn.description = "Eigene Variante löschen"
        if own:
            sc = self.state.scenario
            self.name.value, self.description.value = sc.title.de, sc.narrative.de
        self.notice.value = ""
        self._redraw()
        if self.goal is not None:
            self.goal.refresh()

    @guarded
    def _on_reference(self, change) -> None:
        from pathlib import Path

        if self.state is None or not change.get("new"):
            return
        t0 = time.perf_counter()
        ex.set_reference(self.state, Path(change["new"]))
        vals, projects = self.values()
        ex.retweak(self.state, vals, projects, force=self.state.tweaked is not self.state.scenario)
        paths = ex.build_figures_paths(self.state)
        for key in ("employment", "gva"):
            self.figs.show(key, paths[key])
        self._refresh("levers", t0)

    def _on_reset(self, _b=None) -> None:
        self._on_scenario({"new": self.scenario_dd.value})

    def _build_levers(self) -> None:
        sc = self.state.scenario
        rows = []
        self.sliders, self.readouts = {}, {}
        labels = {}
        for lever in lv.levers(sc):
            s = _slider(lever, lever.read(sc))
            s.add_class(f"retra-lever-{lever.key}")  # a stable handle for tests and the load test
            labels[f"retra-lever-{lever.key}"] = lv.display_label(lever)
            s.observe(self._on_lever, "value")
            out = W.HTML(lv.readout(lever, lever.read(sc)))
            out.add_class("retra-readout")
            out.add_class(f"retra-readout-{lever.key}")
            self.sliders[lever.key], self.readouts[lever.key] = s, out
            rows.append(W.HTML(f"<div style='margin-top:6px'>{html.escape(lv.display_label(lever))}</div>"))
            rows.append(W.HBox([s, out], layout=W.Layout(width="100%", align_items="center")))
            if lever.help:
                rows.append(W.HTML(f"<div class='retra-help'>{html.escape(lever.help)}</div>"))
        self.projects = {}
        if sc.projects:
            rows.append(W.HTML("<div style='margin-top:10px'><b>Projekte und Programme</b></div>"))
        for pid, pr in sc.projects.items():
            cb = W.Checkbox(value=pr.enabled, description=pr.label.de, indent=False, layout=W.Layout(width="100%"))
            size = W.FloatSlider(value=100, min=0, max=200, step=5, continuous_update=False, readout=False,
                                 layout=W.Layout(width="100%"),
                                 style={"description_width": "0px"})
            size.add_class(f"retra-project-{pid}")
            labels[f"retra-project-{pid}"] = f"Größe von {pr.label.de}, in % des Szenarios"
            out = W.HTML("100 %")
            out.add_class("retra-readout")
            cb.observe(self._on_lever, "value")
            size.observe(self._on_lever, "value")
            size.observe(lambda ch, o=out: setattr(o, "value", f"{fmt_num(ch['new'])} %"), "value")
            self.projects[pid] = (cb, size)
            rows.extend([cb, W.HTML("<div class='retra-help'>Größe, in % des Szenarios</div>"),
                         W.HBox([size, out], layout=W.Layout(width="100%", align_items="center"))])
        labels["retra-year"] = "Jahr der Ansicht"
        self.page.labels = labels
        self.levers_box.children = rows

    def values(self) -> tuple[dict[str, float], dict[str, tuple[bool, float]]]:
        """The levers as the sliders show them, in the scenario's units."""
        levers = {lever.key: lever for lever in lv.levers(self.state.scenario)}
        vals = {k: s.value / (100.0 if levers[k].percent else 1.0) for k, s in self.sliders.items()}
        projects = {pid: (cb.value, size.value / 100.0) for pid, (cb, size) in self.projects.items()}
        unchanged = all(cb.value == self.state.scenario.projects[pid].enabled and size.value == 100
                        for pid, (cb, size) in self.projects.items())
        return vals, ({} if unchanged else projects)

    @guarded
    def _on_lever(self, _change=None) -> None:
        t0 = time.perf_counter()
        vals, projects = self.values()
        levers = {lever.key: lever for lever in lv.levers(self.state.scenario)}
        for k, v in vals.items():
            self.readouts[k].value = lv.readout(levers[k], v)
        try:
            ex.retweak(self.state, vals, projects)
        except RetraError:
            self.message.value = ("<span style='color:#b00'>Diese Kombination der Hebel ist nicht zulässig "
                                  "(zum Beispiel fiele die Beschäftigung unter null).</span>")
            return
        self.message.value = ""
        self.download.value = ""
        self._refresh("levers", t0)

    @guarded
    def _on_view(self, change=None) -> None:
        if self.state is None:
            return
        t0 = time.perf_counter()
        self.state.timings["compute"] = 0.0
        what = "relative" if change is not None and change.get("owner") is self.relative else "year"
        self.state.year = self.year.value
        self.state.relative = self.relative.value
        self._refresh(what, t0)

    def _refresh(self, what: str, t0: float) -> None:
        """Update the figures a change touches, in place; then the summary and the status line."""
        t1 = time.perf_counter()
        ex.update_figures(self.state, self.figs.widgets, what)
        if what in ("levers", "year"):
            self.summary.value = ex.summary_html(self.state)
            self.requalification.value = ex.requalification_html(self.state)
        self.state.timings["figures"] = time.perf_counter() - t1
        self.state.timings["total"] = time.perf_counter() - t0
        self._status()

    def _redraw(self) -> None:
        """Build every figure from scratch (a new scenario or region)."""
        t0 = time.perf_counter()
        new = ex.build_figures(self.state)
        for k, fig in new.items():
            self.figs.show(k, fig)
        self.summary.value = ex.summary_html(self.state)
        self.requalification.value = ex.requalification_html(self.state)
        self.state.timings["figures"] = time.perf_counter() - t0
        self.state.timings["total"] = self.state.timings.get("compute", 0) + self.state.timings["figures"]
        self._status()

    def _status(self) -> None:
        ms = 1000 * self.state.timings["total"]
        self.status.value = (
            f"<div class='retra-muted'>Bänder: 50 %- und 90 %-Intervall aus {fmt_num(ex.DRAWS)} Kombinationen der "
            "unsicheren Annahmen dieses Szenarios (Tempo der Elektrifizierung, Arbeitsaufwand, Produktivität, "
            "Datenspannen, Abweichungen der Kreise in früheren Vorausrechnungen; fester Startwert) – nicht "
            f"Politikwechsel oder neue Werksentscheidungen. {band_coverage(self.state.region.id)} "
            f"Berechnet in {fmt_num(ms)} ms.</div>")

    # -- saving ------------------------------------------------------------------------

    def _save(self, overwrite: bool) -> None:
        title = self.name.value.strip()
        try:
            path = ex.save_scenario(self.state.tweaked, title, title=title, root=ex.SCENARIOS,
                                    description=self.description.value, overwrite=overwrite)
        except ex.SaveExists as exc:
            self.message.value = f"<span style='color:#8a4b00' role='alert'>{html.escape(str(exc))}</span>"
            self.overwrite_btn.layout.display = "flex"
            return
        except RetraError as exc:
            msg = str(exc) if isinstance(exc, ex.SaveError) else "Das Szenario ist nicht gültig."
            self.message.value = f"<span style='color:#b00' role='alert'>{html.escape(msg)}</span>"
            return
        self.overwrite_btn.layout.display = "none"
        self.refresh_lists(select=None)
        rel = path.relative_to(ex.REPO) if path.is_relative_to(ex.REPO) else path.name
        self.message.value = (f"<span style='color:#1e6b1e' role='status'>Gespeichert: „{html.escape(title)}“ "
                              f"({html.escape(str(rel))}); in der Liste unter „eigene Variante“.</span>")

    @guarded
    def _on_save(self, _b) -> None:
        self._save(overwrite=False)

    @guarded
    def _on_overwrite(self, _b) -> None:
        self._save(overwrite=True)

    @guarded
    def _on_rename(self, _b) -> None:
        from pathlib import Path

        try:
            path = ex.rename_scenario(Path(self.scenario_dd.value), self.name.value, self.region_dd.value, ex.SCENARIOS)
        except ex.SaveError as exc:
            self.message.value = f"<span style='color:#b00' role='alert'>{html.escape(str(exc))}</span>"
            return
        self.refresh_lists()
        self.scenario_dd.value = str(path)
        self.message.value = f"<span style='color:#1e6b1e' role='status'>Umbenannt in „{html.escape(self.name.value)}“.</span>"

    @guarded
    def _on_delete(self, _b) -> None:
        from pathlib import Path

        if not self._confirm_delete:
            self._confirm_delete = True
            self.delete_btn.description = "Wirklich löschen? Nochmals klicken"
            return
        ex.delete_scenario(Path(self.scenario_dd.value), self.region_dd.value, ex.SCENARIOS)
        self._confirm_delete = False
        self.delete_btn.description = "Eigene Variante löschen"
        self.refresh_lists()
        self._on_scenario({"new": self.scenario_dd.value})
        self.message.value = "<span style='color:#1e6b1e' role='status'>Gelöscht.</span>"

    # -- downloads -----------------------------------------------------------------------

    @guarded
    def _on_excel(self, _b) -> None:
        self.excel_btn.disabled = True
        self.download.value = BUSY.format("Excel-Datei wird erstellt …")
        try:
            changed = self.state.tweaked is not self.state.scenario
            title = self.name.value.strip() or (f"{self.state.scenario.title.de} (Variante)" if changed
                                                else self.state.scenario.title.de)
            data = ex.variant_excel(self.state, title)
            name = ex.file_stem(f"{self.state.region.id}_{title}")
            self.download.value = ex.download_link(data, f"{name}.xlsx", "Excel-Datei herunterladen")
        finally:
            self.excel_btn.disabled = False

    @guarded
    def _on_brief(self, _b) -> None:
        self.brief_btn.disabled = True
        self.download.value = BUSY.format("Kurzbericht wird erstellt …")
        try:
            changed = self.state.tweaked is not self.state.scenario
            title = self.name.value.strip() or (f"{self.state.scenario.title.de} (Variante)" if changed
                                                else self.state.scenario.title.de)
            sc = self.state.tweaked.replace({"title": {"de": title, "en": title}}) if changed else self.state.tweaked
            self.download.value = brief_link(ex.full_results(self.state), sc, self.state.region.id)
        finally:
            self.brief_btn.disabled = False

    # -- goal seeking ----------------------------------------------------------------------

    def _build_goal(self) -> None:
        try:
            from .goal_ui import GoalPanel
        except ImportError:
            return
        self.goal = GoalPanel(self)
        self.goal_box.children = [self.goal.root]


def brief_link(results, scenario, region_id: str) -> str:
    """The "Kurzbericht" (one-page German brief) as a download link, from
    ``retra_model.report.brief_html`` (issue 19); a German note where it is not available."""
    try:
        from ..report import brief_html
    except ImportError:
        return ("<span class='retra-muted' role='status'>Der Kurzbericht ist in dieser Version noch nicht "
                "verfügbar.</span>")
    text = brief_html(results, scenario)
    name = ex.file_stem(f"kurzbericht_{region_id}_{scenario.title.de}")
    return ex.download_link(text.encode("utf-8"), f"{name}.html", "Kurzbericht herunterladen (HTML)",
                            mime="text/html;charset=utf-8")
