"""Widgets of the Transformationsrat view: layout and wiring only; the logic is in :mod:`.council`."""

from __future__ import annotations

import html

import ipywidgets as W

from .. import figures, views
from ..regions import load_region
from . import council as co
from . import explorer as ex
from .explorer_ui import CSS, FigureSlots, guarded


class CouncilApp:
    """The council's widget tree (``root``) and its callbacks."""

    def __init__(self, region: str | None = None):
        regions = ex.region_options()
        self.region_tb = W.ToggleButtons(options=regions, value=region or regions[0][1],
                                         style={"button_width": "260px"})
        self.pick = W.VBox()
        self.year = W.IntSlider(value=2035, min=2025, max=2045, step=1, continuous_update=False,
                                description="Jahr", layout=W.Layout(width="420px"))
        self.year.add_class("retra-year")
        self.focus = W.Dropdown(description="Szenario", layout=W.Layout(width="420px"))
        self.relative = W.ToggleButtons(options=[("in %", True), ("Beschäftigte", False)], value=True,
                                        style={"button_width": "100px"})
        self.region_html = W.HTML()
        self.notice = W.HTML()
        self.narrative = W.HTML()
        self.districts_html = W.HTML()
        self.chances = W.HTML()
        self.download = W.HTML()
        self.message = W.HTML()
        self.excel_btn = W.Button(description="Excel-Datei erstellen")
        self.figs = FigureSlots("transformationsrat")
        self.checks: dict[str, W.Checkbox] = {}
        self.region_tb.observe(self._on_region, "value")
        self.year.observe(self._on_view, "value")
        self.focus.observe(self._on_view, "value")
        self.relative.observe(self._on_view, "value")
        self.excel_btn.on_click(self._on_excel)

        def h(text, level=3):
            return W.HTML(f"<h{level} style='margin:14px 0 4px 0'>{text}</h{level}>")

        half = W.Layout(width="50%", min_width="440px")
        self.root = W.VBox([
            W.HTML(CSS),
            W.HTML("<p style='color:#444;max-width:900px'>Beschäftigte (sozialversicherungspflichtig, am Arbeitsort) "
                   "und Bruttowertschöpfung je Kreis, unter verschiedenen Annahmen. Die Bänder und Intervalle zeigen, "
                   "wie weit die Ergebnisse bei den unsicheren Annahmen streuen.</p>"),
            self.region_tb, self.notice, self.message, h("Szenarien"), self.pick,
            h("Kennzahlen der Region"), self.region_html,
            self.figs.slot("path", W.Layout(width="100%")),
            h("Nach Kreis"), W.HBox([self.year, self.relative]), self.figs.slot("districts", W.Layout(width="100%")),
            h("Ein Szenario im Einzelnen"), self.focus, self.narrative,
            W.HBox([self.figs.slot("map", half), self.figs.slot("waterfall", half)],
                   layout=W.Layout(flex_flow="row wrap")),
            h("Kennzahlen je Kreis", 4), self.districts_html,
            h("Chancen und Risiken", 4), self.chances,
            h("Herunterladen", 4),
            W.HTML("<p style='color:#444'>Jede Abbildung lässt sich über das Kamerasymbol oben rechts an der "
                   "Abbildung als PNG-Bild speichern („Abbildung als PNG-Bild herunterladen“).</p>"),
            W.HBox([self.excel_btn, self.download]),
        ], layout=W.Layout(max_width="1400px"))
        self.root.add_class("retra-app")
        self._on_region({"new": self.region_tb.value})

    # -- state ---------------------------------------------------------------------------

    def runs(self) -> dict:
        data = co.ensembles(self.region_tb.value)
        return {t: data[t][1] for t, cb in self.checks.items() if cb.value}

    @guarded
    def _on_region(self, change) -> None:
        self.region = load_region(change["new"])
        data, live = co.load_curated(change["new"])
        self.notice.value = co.cache_notice(live)
        self.checks = {}
        for t in data:
            cb = W.Checkbox(value=True, description=t, indent=False, layout=W.Layout(width="auto"))
            cb.observe(self._on_pick, "value")
            self.checks[t] = cb
        self.pick.children = [W.HBox(list(self.checks.values()), layout=W.Layout(flex_flow="row wrap"))]
        self.focus.unobserve(self._on_view, "value")
        self.focus.options = list(data)
        self.focus.value = next((t for t, (sc, _) in data.items() if sc.name != "baseline"), list(data)[0])
        self.focus.observe(self._on_view, "value")
        self._on_pick()

    @guarded
    def _on_pick(self, _change=None) -> None:
        runs = self.runs()
        if not runs:
            self.region_html.value = "<p>Bitte wählen Sie mindestens ein Szenario.</p>"
            return
        self.region_html.value = co.html_table(co.region_table(runs))
        self.figs.show("path", figures.employment_path(
            runs, bands_for={self.focus.value}, title=f"{self.region.name}: Beschäftigte, Veränderung gegenüber {self.region.base_year}")
            .update_layout(width=1300, height=460))
        self._on_view()

    @guarded
    def _on_view(self, change=None) -> None:
        if change is not None and change.get("owner") is self.focus:
            self._on_pick()  # the bands follow the scenario in focus
            return
        runs = self.runs()
        if runs:
            self.figs.show("districts", figures.district_comparison(
                runs, self.year.value, relative=self.relative.value).update_layout(width=1300))
        sc, ds = co.ensembles(self.region_tb.value)[self.focus.value]
        y = self.year.value
        if "map" in self.figs:  # in place: the geometry stays, colours and texts travel
            figures.update_change_map(self.figs["map"], self.region, ds, y, relative=self.relative.value)
            figures.update_waterfall(self.figs["waterfall"], ds, y, by="lab")
        else:
            self.figs.show("map", figures.change_map(self.region, ds, y, relative=self.relative.value)
                           .update_layout(width=620))
            self.figs.show("waterfall", figures.waterfall(ds, y, by="lab").update_layout(width=680))
        self.narrative.value = (f"<p style='max-width:900px;color:#333'><b>{html.escape(sc.title.de)}.</b> "
                                f"{html.escape(sc.narrative.de)}</p>")
        self.districts_html.value = co.html_table(views.key_figures_table(ds), highlight_last=True)
        self.chances.value = co.chances_html(co.chances_and_risks(sc, ds, y))
        self.download.value = ""

    @guarded
    def _on_excel(self, _b) -> None:
        sc, ds = co.ensembles(self.region_tb.value)[self.focus.value]
        ds = co.full_ensemble(sc, ds, self.region)
        data = ex.excel_bytes(ds, self.region, {"Annahmen und Quellen": co.assumptions_sheet(sc)})
        self.download.value = ex.download_link(data, f"transformationsrat_{self.region.id}_{sc.name}.xlsx",
                                               f"Excel-Datei „{sc.title.de}“ herunterladen")
