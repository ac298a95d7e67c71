"""'Was wäre nötig?' in the Szenario-Explorer: goal seeking and scenario discovery (:mod:`retra_model.goalseek`).

Layout and wiring only; the logic is in :mod:`retra_model.goalseek`, the German texts in
:func:`result_html` and :func:`discovery_html` (plain, tested functions).
"""

from __future__ import annotations

import html
import re

import ipywidgets as W

from .. import figures
from .. import goalseek as gs
from ..errors import RetraError
from ..numbers_de import fmt_int, fmt_num, fmt_pct
from . import levers as lv


def parse_number(text: str) -> float:
    """A number as a German reader types it: ``93.045``, ``−1.200``, ``1.234,5``, ``+3000``.

    >>> parse_number("93.045")
    93045.0
    >>> parse_number("−1.234,5")
    -1234.5
    >>> parse_number("2,5")
    2.5
    """
    t = str(text).strip().replace("\u2212", "-").replace("\u202f", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?[\d.,]+", t or "x"):
        raise ValueError(text)
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", t):
        t = t.replace(".", "")
    return float(t)


def _fmt(kind: str, x: float, sign: bool = False) -> str:
    return fmt_num(x, 1, sign=sign) + " Mio. €" if kind == "gva" else fmt_int(x, sign=sign) + " Beschäftigte"


def result_html(res: gs.GoalResult, levers: dict[str, lv.Lever], where: str) -> str:
    """The answer of :func:`retra_model.goalseek.seek` in plain German."""
    g = res.goal
    what = gs.KINDS[g.kind]
    rows = "".join(f"<tr><td>{html.escape(lv.display_label(levers[k]))}</td>"
                   f"<td style='text-align:right'>{html.escape(lv.readout(levers[k], res.start[k]))}</td>"
                   f"<td style='text-align:right'><b>{html.escape(lv.readout(levers[k], v))}</b></td></tr>"
                   for k, v in res.values.items())
    head = (f"<p><b>{html.escape(where)}, {g.year}: Ziel {_fmt(g.kind, g.target)}</b> ({html.escape(what)}); "
            f"mit dem Szenario wie eingestellt: {_fmt(g.kind, res.current)}.</p>")
    if res.reached:
        verdict = (f"<p class='retra-goal-reached'>Erreicht mit diesen Werten (Mitte aller übrigen Annahmen): "
                   f"{_fmt(g.kind, res.achieved)}.")
    else:
        verdict = (f"<p class='retra-goal-missed' style='color:#8a4b00'>Mit diesen Hebeln nicht erreichbar: selbst an den "
                   f"Grenzen ihrer Bereiche nur {_fmt(g.kind, res.achieved)}.")
    if res.draws:
        verdict += (f" Wahrscheinlichkeit, das Ziel mit diesen Werten zu erreichen: <b>{fmt_pct(res.probability, 0)}</b> "
                    f"(Anteil von {fmt_int(res.draws)} Kombinationen der unsicheren Annahmen).")
    verdict += "</p>"
    table = ("<table class='retra-table' style='border-spacing:12px 2px'><tr><th style='text-align:left'>Hebel</th>"
             "<th>jetzt</th><th>nötig</th></tr>" + rows + "</table>")
    return f"<div class='retra-goal-result'>{head}{verdict}{table}</div>"


def discovery_html(d: gs.Discovery, levers: dict[str, lv.Lever]) -> str:
    """The box of :func:`retra_model.goalseek.discover` in plain German."""
    rows = "".join(
        f"<tr><td>{html.escape(lv.display_label(levers[k]))}</td>"
        f"<td style='text-align:right'>{html.escape(lv.readout(levers[k], a))} bis {html.escape(lv.readout(levers[k], b))}</td></tr>"
        for k, (a, b) in d.box.items())
    return (f"<div class='retra-discovery'><p>In {fmt_pct(d.mass, 0)} aller durchgespielten Kombinationen liegen die "
            f"Hebel in diesen Bereichen; dort wird das Ziel in <b>{fmt_pct(d.density, 0)}</b> der Fälle erreicht. "
            f"Der Bereich enthält {fmt_pct(d.coverage, 0)} aller Fälle, die das Ziel erreichen "
            f"({fmt_int(len(d.x))} Kombinationen, Hebel gleichmäßig über ihre Bereiche gezogen, zusammen mit den "
            f"unsicheren Annahmen; Verfahren: {html.escape(d.method)}).</p>"
            "<table class='retra-table' style='border-spacing:12px 2px'><tr><th style='text-align:left'>Hebel</th>"
            f"<th>Bereich</th></tr>{rows}</table></div>")


class GoalPanel:
    """The 'Was wäre nötig?' section of an :class:`~.explorer_ui.ExplorerApp`."""

    def __init__(self, app):
        self.app = app
        self.area = W.Dropdown(description="Kreis", layout=W.Layout(width="320px"))
        self.year = W.BoundedIntText(value=2035, min=2025, max=2045, description="Jahr", layout=W.Layout(width="180px"))
        self.kind = W.Dropdown(options=[(v, k) for k, v in gs.KINDS.items()], value="jobs", description="Ziel",
                               layout=W.Layout(width="420px"))
        self.target = W.Text(description="Zielwert", placeholder="z. B. 48.000", layout=W.Layout(width="260px"))
        self.levers = W.VBox()
        self.checks: dict[str, W.Checkbox] = {}
        self.seek_btn = W.Button(description="Was wäre nötig?", button_style="primary")
        self.discover_btn = W.Button(description="Bereiche suchen (ab zwei Hebeln)")
        self.apply_btn = W.Button(description="Werte übernehmen", layout=W.Layout(display="none"))
        self.out = W.HTML()
        self.fig_box = W.Box(layout=W.Layout(width="100%"))
        self.last: gs.GoalResult | None = None
        self.seek_btn.on_click(self._on_seek)
        self.discover_btn.on_click(self._on_discover)
        self.apply_btn.on_click(self._on_apply)
        self.root = W.VBox([
            W.HTML("<h3 style='margin:14px 0 4px 0'>Was wäre nötig?</h3><p class='retra-muted'>Welche Werte der "
                   "gewählten Hebel erreichen ein Ziel – und wie wahrscheinlich ist es dann? Mit zwei oder mehr Hebeln: "
                   "in welchen Bereichen der Hebel wird das Ziel meistens erreicht?</p>"),
            W.HBox([self.area, self.year, self.kind], layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.target], layout=W.Layout(flex_flow="row wrap")),
            W.HTML("<div style='margin-top:6px'>Hebel, die sich bewegen dürfen:</div>"), self.levers,
            W.HBox([self.seek_btn, self.discover_btn, self.apply_btn], layout=W.Layout(flex_flow="row wrap")),
            self.out, self.fig_box,
        ])
        self.root.add_class("retra-goal")
        self.refresh()

    def refresh(self) -> None:
        """Districts and levers of the scenario now loaded."""
        st = self.app.state
        region = st.region
        names = region.districts.set_index("district")["name_short"]
        self.area.options = [(region.name, ""), *((str(names[d]), d) for d in region.district_codes)]
        self.year.min, self.year.max = region.base_year + 1, int(st.results["year"].values[-1])
        self.checks = {}
        for lever in lv.levers(st.scenario):
            cb = W.Checkbox(value=lever.key == "bev_intensity", description=lv.display_label(lever), indent=False,
                            layout=W.Layout(width="100%"))
            cb.add_class(f"retra-goal-lever-{lever.key}")
            self.checks[lever.key] = cb
        self.levers.children = list(self.checks.values())

    def goal(self) -> gs.Goal:
        return gs.Goal(int(self.year.value), parse_number(self.target.value), self.kind.value, self.area.value or None)

    def _keys(self) -> list[str]:
        return [k for k, cb in self.checks.items() if cb.value]

    def _busy(self, text: str) -> None:
        from .explorer_ui import BUSY

        self.out.value = BUSY.format(text)

    def _where(self) -> str:
        return dict((v, k) for k, v in self.area.options)[self.area.value]

    def _on_seek(self, _b=None) -> None:
        self._run(self._seek)

    def _on_discover(self, _b=None) -> None:
        self._run(self._discover)

    def _run(self, fn) -> None:
        import logging

        self.seek_btn.disabled = self.discover_btn.disabled = True
        try:
            fn()
        except ValueError:
            self.out.value = ("<span style='color:#b00' role='alert'>Bitte einen Zielwert als Zahl eingeben, "
                              "z. B. 48.000 oder −2.500.</span>")
        except RetraError as exc:
            self.out.value = f"<span style='color:#b00' role='alert'>{html.escape(str(exc))}</span>"
        except Exception:  # noqa: BLE001 - never a traceback on the page
            logging.getLogger(__name__).exception("retra apps: goal seeking failed")
            self.out.value = "<span style='color:#b00' role='alert'>Die Berechnung ist fehlgeschlagen.</span>"
        finally:
            self.seek_btn.disabled = self.discover_btn.disabled = False

    def _seek(self) -> None:
        goal = self.goal()
        self._busy("Wird berechnet …")
        st = self.app.state
        res = gs.seek(st.tweaked, st.region, goal, self._keys(), draws=200, seed=st.seed)
        levers = {lever.key: lever for lever in lv.levers(st.scenario)}
        self.last = res
        self.out.value = result_html(res, levers, self._where())
        self.apply_btn.layout.display = "inline-flex"

    def _discover(self) -> None:
        goal = self.goal()
        self._busy("Bereiche werden gesucht (einige Sekunden) …")
        st = self.app.state
        keys = [k for k in self._keys() if k in gs.DISCOVERABLE]
        d = gs.discover(st.tweaked, st.region, goal, keys, n=400, seed=st.seed)
        levers = {lever.key: lever for lever in lv.levers(st.scenario)}
        self.out.value = discovery_html(d, levers)
        ranges = {lv.display_label(levers[k]): (levers[k].low, levers[k].high, a, b,
                                                 f"{lv.readout(levers[k], a)} bis {lv.readout(levers[k], b)}")
                  for k, (a, b) in d.box.items()}
        fig = figures.lever_boxes(ranges, f"{self._where()} {goal.year}: Bereiche der Hebel, die das Ziel meist erreichen")
        slots = self.app.figs
        if "goal" not in slots.boxes:
            slots.boxes["goal"] = self.fig_box
        slots.show("goal", fig)

    def _on_apply(self, _b=None) -> None:
        if self.last is None:
            return
        levers = {lever.key: lever for lever in lv.levers(self.app.state.scenario)}
        for k, v in self.last.values.items():
            s = self.app.sliders.get(k)
            if s is not None:
                s.value = v * (100.0 if levers[k].percent else 1.0)
