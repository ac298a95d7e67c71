"""Widgets of the Transformationsrat view: layout and wiring only; the logic is in :mod:`.council`."""

from __future__ import annotations

import html

import ipywidgets as W

from .. import figures, views
from ..regions import load_region
from . import council as co
from . import explorer as ex
from .explorer_ui import BUSY, CSS, FigureSlots, brief_link, guarded, page_helper


def labour_html(scenario, results, region, district: str, year: int) -> str:
    """Zukunft der Arbeit in the Kreisprofil: requalification need and the balance of jobs and
    labour supply of one district (:func:`.council.labour_html`; ``results`` is not needed: the
    future of work is computed once per scenario from its own draws)."""
    return co.labour_html(scenario, region, district, year)


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
        self.band = W.Dropdown(description="Band für", layout=W.Layout(width="420px"))
        self.relative = W.ToggleButtons(options=[("in %", True), ("Beschäftigte", False)], value=True,
                                        style={"button_width": "100px"})
        self.table_relative = W.ToggleButtons(options=[("Beschäftigte", False), ("in %", True)], value=False,
                                              style={"button_width": "100px"})
        self.sort = W.Dropdown(description="Reihenfolge", layout=W.Layout(width="520px"),
                               style={"description_width": "90px"})
        self.district = W.Dropdown(description="Kreis", layout=W.Layout(width="420px"))
        self.region_html = W.HTML()
        self.notice = W.HTML()
        self.narrative = W.HTML()
        self.matrix_html = W.HTML()
        self.districts_html = W.HTML()
        self.invest_html = W.HTML()
        self.profile_html = W.HTML()
        self.labour_html = W.HTML()
        self.chances = W.HTML()
        self.download = W.HTML()
        self.message = W.HTML()
        self.excel_btn = W.Button(description="Excel-Datei erstellen")
        self.brief_btn = W.Button(description="Kurzbericht")
        self.figs = FigureSlots("transformationsrat")
        self.checks: dict[str, W.Checkbox] = {}
        self.page = page_helper(lambda: None)
        self.page.labels = {"retra-year": "Jahr der Ansicht"}
        self.region_tb.observe(self._on_region, "value")
        self.year.observe(self._on_view, "value")
        self.focus.observe(self._on_view, "value")
        self.band.observe(self._on_band, "value")
        self.relative.observe(self._on_view, "value")
        self.table_relative.observe(self._on_matrix, "value")
        self.sort.observe(self._on_matrix, "value")
        self.district.observe(self._on_profile, "value")
        self.excel_btn.on_click(self._on_excel)
        self.brief_btn.on_click(self._on_brief)

        def h(text, level=3):
            return W.HTML(f"<h{level} style='margin:14px 0 4px 0'>{text}</h{level}>")

        half = W.Layout(flex="1 1 460px", min_width="0", width="auto")
        row = W.Layout(flex_flow="row wrap", width="100%")
        self.root = W.VBox([
            W.HTML(CSS), self.page,
            W.HTML("<p style='color:#333;max-width:900px'>Beschäftigte (sozialversicherungspflichtig, am Arbeitsort) "
                   "und Bruttowertschöpfung je Kreis, unter verschiedenen Annahmen. Die Bänder und Intervalle zeigen, "
                   "wie weit die Ergebnisse streuen, wenn die unsicheren Annahmen variieren – nicht mehr.</p>"),
            self.region_tb, self.notice, self.message, h("Szenarien"), self.pick,
            h("Kennzahlen der Region"), self.region_html,
            self.band, self.figs.slot("path", W.Layout(width="100%")),
            h("Nach Kreis"), W.HBox([self.year, self.relative]), self.figs.slot("districts", W.Layout(width="100%")),
            h("Kreise und Szenarien: Unterschied zum Basisszenario"),
            W.HBox([self.sort, self.table_relative], layout=row), self.matrix_html,
            h("Ein Szenario im Einzelnen"), self.focus, self.narrative,
            W.HBox([self.figs.slot("map", half), self.figs.slot("waterfall", half)], layout=row),
            self.invest_html,
            h("Kennzahlen je Kreis", 4), self.districts_html,
            h("Chancen und Risiken", 4), self.chances,
            h("Kreisprofil"), self.district, self.profile_html,
            W.HBox([self.figs.slot("profile_sectors", half), self.figs.slot("profile_drivers", half)], layout=row),
            self.labour_html,
            h("Herunterladen", 4),
            W.HTML("<p style='color:#333'>Jede Abbildung lässt sich über das Kamerasymbol oben rechts an der "
                   "Abbildung als PNG-Bild speichern („Abbildung als PNG-Bild herunterladen“).</p>"),
            W.HBox([self.excel_btn, self.brief_btn, self.download]),
        ], layout=W.Layout(max_width="1400px", width="100%"))
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
        first = next(iter(data.values()))[1]
        self.year.min, self.year.max = self.region.base_year + 1, int(first["year"].values[-1])
        self.checks = {}
        for t in data:
            cb = W.Checkbox(value=True, description=t, indent=False, layout=W.Layout(width="auto"))
            cb.observe(self._on_pick, "value")
            self.checks[t] = cb
        self.pick.children = [W.HBox(list(self.checks.values()), layout=W.Layout(flex_flow="row wrap"))]
        for dd, handler in ((self.focus, self._on_view), (self.band, self._on_band)):
            dd.unobserve(handler, "value")
            dd.options = list(data)
        self.focus.value = next((t for t, (sc, _) in data.items() if sc.name != "baseline"), list(data)[0])
        self.band.value = next((t for t, (sc, _) in data.items() if sc.name == "baseline"), list(data)[0])
        self.focus.observe(self._on_view, "value")
        self.band.observe(self._on_band, "value")
        diff = co.differences(change["new"])
        self.sort.unobserve(self._on_matrix, "value")
        self.sort.options = [("Kreise in der üblichen Reihenfolge", "")] + [
            (f"Rangfolge nach „{t}“ (größter Verlust zuerst)", t)
            for t, sid in zip(diff["titles"], diff["ids"], strict=True) if sid != "baseline"]
        self.sort.value = ""
        self.sort.observe(self._on_matrix, "value")
        names = self.region.districts.set_index("district")["name_short"]
        self.district.unobserve(self._on_profile, "value")
        self.district.options = [(str(names[d]), d) for d in self.region.district_codes]
        self.district.value = self.region.district_codes[0]
        self.district.observe(self._on_profile, "value")
        self._on_pick()

    def _path_figure(self, runs):
        return figures.employment_path(
            runs, bands_for={self.band.value},
            title=f"{self.region.name}: Beschäftigte, Veränderung gegenüber {self.region.base_year} "
                  f"(Band: „{self.band.value}“)").update_layout(height=460)

    @guarded
    def _on_pick(self, _change=None) -> None:
        runs = self.runs()
        if not runs:
            self.region_html.value = "<p>Bitte wählen Sie mindestens ein Szenario.</p>"
            return
        self.region_html.value = co.html_table(co.region_table(runs))
        self.figs.show("path", self._path_figure(runs))
        self._on_view()

    @guarded
    def _on_band(self, _change=None) -> None:
        runs = self.runs()
        if runs:
            self.figs.show("path", self._path_figure(runs))

    @guarded
    def _on_matrix(self, _change=None) -> None:
        diff = co.differences(self.region_tb.value)
        df = co.difference_table(diff, self.year.value, relative=self.table_relative.value,
                                 sort_by=self.sort.value or None)
        unit = "in % der Beschäftigten des Basisjahres" if self.table_relative.value else "in Beschäftigten"
        self.matrix_html.value = (
            f"<p class='retra-muted'>{self.year.value}, {unit}: Median und 90 %-Intervall des Unterschieds, jedes "
            f"Szenario und das Basisszenario mit denselben {co.fmt_int(diff['draws'])} Kombinationen der unsicheren "
            "Annahmen berechnet.</p>" + co.html_table(df, highlight_last=True, css_class="retra-matrix"))

    @guarded
    def _on_view(self, change=None) -> None:
        runs = self.runs()
        if runs:
            self.figs.show("districts", figures.district_comparison(runs, self.year.value, relative=self.relative.value))
        sc, ds = co.ensembles(self.region_tb.value)[self.focus.value]
        y = self.year.value
        if "map" in self.figs:  # in place: the geometry stays, colours and texts travel
            figures.update_change_map(self.figs["map"], self.region, ds, y, relative=self.relative.value)
            figures.update_waterfall(self.figs["waterfall"], ds, y, by="lab")
        else:
            self.figs.show("map", figures.change_map(self.region, ds, y, relative=self.relative.value))
            self.figs.show("waterfall", figures.waterfall(ds, y, by="lab"))
        self.narrative.value = (f"<p style='max-width:900px;color:#333'><b>{html.escape(sc.title.de)}.</b> "
                                f"{html.escape(sc.narrative.de)}</p>")
        self.districts_html.value = co.html_table(views.key_figures_table(ds), highlight_last=True)
        self.chances.value = co.chances_html(co.chances_and_risks(sc, ds, y))
        self.invest_html.value = co.investment_html(sc, self.region)
        self.download.value = ""
        self._on_matrix()
        self._on_profile()

    @guarded
    def _on_profile(self, _change=None) -> None:
        d = self.district.value
        if not d:
            return
        sc, ds = co.ensembles(self.region_tb.value)[self.focus.value]
        y = self.year.value
        table = views.district_comparison_table(self.region, ds, d, y)
        self.profile_html.value = (f"<p class='retra-muted'>Szenario „{html.escape(sc.title.de)}“, {y}.</p>"
                                   + co.html_table(table))
        self.figs.show("profile_sectors", figures.district_sectors(self.region, d))
        self.figs.show("profile_drivers", figures.waterfall(ds, y, by="driver", district=d))
        self.labour_html.value = labour_html(sc, ds, self.region, d, y)

    @guarded
    def _on_excel(self, _b) -> None:
        self.excel_btn.disabled = True
        self.download.value = BUSY.format("Excel-Datei wird erstellt …")
        try:
            sc, ds = co.ensembles(self.region_tb.value)[self.focus.value]
            ds = co.full_ensemble(sc, ds, self.region)
            data = ex.excel_bytes(ds, self.region, {"Annahmen und Quellen": co.assumptions_sheet(sc)})
            self.download.value = ex.download_link(data, f"transformationsrat_{self.region.id}_{sc.name}.xlsx",
                                                   f"Excel-Datei „{sc.title.de}“ herunterladen")
        finally:
            self.excel_btn.disabled = False

    @guarded
    def _on_brief(self, _b) -> None:
        self.brief_btn.disabled = True
        self.download.value = BUSY.format("Kurzbericht wird erstellt …")
        try:
            sc, ds = co.ensembles(self.region_tb.value)[self.focus.value]
            self.download.value = brief_link(co.full_ensemble(sc, ds, self.region), sc, self.region.id)
        finally:
            self.brief_btn.disabled = False
