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
from . import explorer as ex
from . import levers as lv
from .format import fmt_num

CSS = """<style>
.retra-app {font-family: 'Source Sans Pro', Arial, sans-serif;}
.retra-app .widget-label {min-width: 0 !important;}
.retra-levers .widget-slider .widget-readout {min-width: 56px;}
.retra-help {color:#555; font-size:12px; margin:-4px 0 6px 0;}
</style>"""

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
    scale = 100.0 if lever.percent else 1.0
    step = lever.step * scale
    decimals = max(0, -int(f"{step:e}".split("e")[1])) if step < 1 else 0
    return W.FloatSlider(
        value=min(max(value * scale, lever.low * scale), lever.high * scale),
        min=lever.low * scale, max=lever.high * scale, step=step, continuous_update=False,
        readout_format=f".{decimals}f", layout=W.Layout(width="100%"), style={"description_width": "0px"},
    )


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
    const draw = () => {
      const f = model.get("figure") || {};
      const layout = Object.assign({ height: 360 }, f.layout || {});
      return Plotly.react(el, f.data || [], layout, model.get("config") || {});
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
        self.region_dd = W.Dropdown(options=regions, value=region or regions[0][1], description="Region",
                                    layout=W.Layout(width="100%"))
        self.scenario_dd = W.Dropdown(description="Szenario", layout=W.Layout(width="100%"))
        self.year = W.IntSlider(value=2035, min=2025, max=2045, step=1, continuous_update=False,
                                description="Jahr", layout=W.Layout(width="100%"))
        self.year.add_class("retra-year")
        self.relative = W.ToggleButtons(options=[("in %", True), ("Beschäftigte", False)], value=True,
                                        description="Karte", style={"button_width": "100px"})
        self.levers_box = W.VBox(layout=W.Layout(width="100%"))
        self.levers_box.add_class("retra-levers")
        self.reset_btn = W.Button(description="Hebel zurücksetzen", layout=W.Layout(width="100%"))
        self.name = W.Text(placeholder="z. B. schnelle_e_mobilitaet", description="Name",
                           layout=W.Layout(width="100%"))
        self.save_btn = W.Button(description="Als Szenario speichern", button_style="primary",
                                 layout=W.Layout(width="100%"))
        self.excel_btn = W.Button(description="Ergebnisse als Excel", layout=W.Layout(width="100%"))
        self.message = W.HTML()
        self.download = W.HTML()
        self.summary = W.HTML()
        self.status = W.HTML()
        self.requalification = W.HTML()
        self.notice = W.HTML()
        self.figs = FigureSlots("szenario-explorer")
        self.sliders: dict[str, W.FloatSlider] = {}
        self.projects: dict[str, tuple[W.Checkbox, W.FloatSlider]] = {}
        self.state: ex.State | None = None

        self.region_dd.observe(self._on_region, "value")
        self.scenario_dd.observe(self._on_scenario, "value")
        self.year.observe(self._on_view, "value")
        self.relative.observe(self._on_view, "value")
        self.reset_btn.on_click(self._on_reset)
        self.save_btn.on_click(self._on_save)
        self.excel_btn.on_click(self._on_excel)

        side = W.VBox([
            W.HTML("<h3 style='margin:4px 0'>Szenario</h3>"), self.region_dd, self.scenario_dd, self.notice,
            W.HTML("<h3 style='margin:12px 0 4px 0'>Hebel</h3>"), self.levers_box, self.reset_btn,
            W.HTML("<h3 style='margin:12px 0 4px 0'>Ansicht</h3>"), self.year, self.relative,
            W.HTML("<h3 style='margin:12px 0 4px 0'>Speichern und herunterladen</h3>"), self.name, self.save_btn,
            self.excel_btn, self.download, self.message,
        ], layout=W.Layout(width="360px", min_width="320px", padding="0 16px 0 0"))
        cell = W.Layout(width="50%", min_width="420px")
        main = W.VBox([
            self.summary,
            W.HBox([self.figs.slot("employment", cell), self.figs.slot("gva", cell)],
                   layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.figs.slot("map", cell), self.figs.slot("waterfall", cell)],
                   layout=W.Layout(flex_flow="row wrap")),
            self.figs.slot("sectors", W.Layout(width="100%")), self.requalification, self.status,
        ], layout=W.Layout(flex="1 1 auto", min_width="600px"))
        self.root = W.VBox([W.HTML(CSS), W.HBox([side, main])])
        self.root.add_class("retra-app")
        self._on_region({"new": self.region_dd.value})

    # -- callbacks ---------------------------------------------------------------------

    @guarded
    def _on_region(self, change) -> None:
        files = ex.scenario_files(change["new"])
        self.scenario_dd.unobserve(self._on_scenario, "value")
        self.scenario_dd.options = [(t, str(p)) for t, p in files]
        self.scenario_dd.value = str(files[0][1])
        self.scenario_dd.observe(self._on_scenario, "value")
        self._on_scenario({"new": self.scenario_dd.value})

    @guarded
    def _on_scenario(self, change) -> None:
        from pathlib import Path

        self.state = ex.load_state(self.region_dd.value, Path(change["new"]))
        self.state.year, self.state.relative = self.year.value, self.relative.value
        self._build_levers()
        self.download.value = ""
        self.message.value = ""
        self.notice.value = (f"<div style='color:#8a5a00;font-size:12px'>{html.escape(self.state.notice)}</div>"
                             if self.state.notice else "")
        self._redraw()

    def _on_reset(self, _b=None) -> None:
        self._on_scenario({"new": self.scenario_dd.value})

    def _build_levers(self) -> None:
        sc = self.state.scenario
        rows = []
        self.sliders = {}
        for lever in lv.levers(sc):
            s = _slider(lever, lever.read(sc))
            s.add_class(f"retra-lever-{lever.key}")  # a stable handle for tests and the load test
            s.observe(self._on_lever, "value")
            self.sliders[lever.key] = s
            rows.append(W.HTML(f"<div style='margin-top:6px'>{html.escape(lever.label)}"
                               f"{' (' + html.escape(lever.unit) + ')' if lever.unit else ''}</div>"))
            rows.append(s)
            if lever.help:
                rows.append(W.HTML(f"<div class='retra-help'>{html.escape(lever.help)}</div>"))
        self.projects = {}
        if sc.projects:
            rows.append(W.HTML("<div style='margin-top:10px'><b>Projekte und Programme</b> (Größe: Szenario = 100 %)</div>"))
        for pid, pr in sc.projects.items():
            cb = W.Checkbox(value=pr.enabled, description=pr.label.de, indent=False, layout=W.Layout(width="100%"))
            size = W.FloatSlider(value=100, min=0, max=200, step=5, continuous_update=False, readout_format=".0f",
                                 layout=W.Layout(width="100%"), style={"description_width": "0px"})
            cb.observe(self._on_lever, "value")
            size.observe(self._on_lever, "value")
            self.projects[pid] = (cb, size)
            rows.extend([cb, size])
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
        if what == "levers":
            self.summary.value = ex.summary_html(self.state)
        if what in ("levers", "year"):
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
        draws = int(self.state.results.attrs.get("draws", ex.DRAWS))
        ms = 1000 * self.state.timings["total"]
        self.status.value = (f"<div style='color:#777;font-size:12px'>Bänder: 50 %- und 90 %-Intervall aus "
                             f"{fmt_num(draws)} Ziehungen der unsicheren Annahmen des Szenarios (fester Startwert). "
                             f"Berechnet in {fmt_num(ms)} ms.</div>")

    @guarded
    def _on_save(self, _b) -> None:
        try:
            path = ex.save_scenario(self.state.tweaked, self.name.value, title=self.name.value)
        except RetraError as exc:
            msg = str(exc) if isinstance(exc, ex.SaveError) else "Das Szenario ist nicht gültig."
            self.message.value = f"<span style='color:#b00'>{html.escape(msg)}</span>"
            return
        rel = path.relative_to(ex.REPO) if path.is_relative_to(ex.REPO) else path.name
        self.message.value = f"<span style='color:#060'>Gespeichert als {html.escape(str(rel))}</span>"

    @guarded
    def _on_excel(self, _b) -> None:
        data = ex.excel_bytes(ex.full_results(self.state), self.state.region)
        name = ex.sanitize_name(self.name.value or f"{self.state.region.id}_{self.state.scenario.name}_variante")
        self.download.value = ex.download_link(data, f"{name}.xlsx", "Excel-Datei herunterladen")
