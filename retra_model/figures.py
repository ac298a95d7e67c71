"""Plotly figures for notebooks and apps, in German, with German number formats.

One plotting library everywhere: each builder returns a :class:`plotly.graph_objects.Figure`;
the apps wrap it once (a ``FigureWidget``, or under ``retra apps`` a
:class:`retra_model.apps.explorer_ui.LiveFigure`) and later copy new data into it with
:func:`update_figure` (in place, one message to the browser). Numbers in hover texts are
formatted by :mod:`retra_model.numbers_de`; axes use German separators through
``layout.separators``. Maps are drawn from the region's ``districts.geojson`` with no
tiles and no network (``fitbounds="locations"``, base map hidden).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from . import views
from .numbers_de import (
    PLOTLY_SEPARATORS,
    fmt_eur_mio,
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_persons,
)
from .regions import Region

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
"""Okabe–Ito colours, distinguishable with colour-vision deficiency; one per scenario."""
UP, DOWN, TOTAL = "#0072B2", "#D55E00", "#6b6b6b"

SCENARIO_COLORS = {
    "baseline": "#0072B2", "fast_electrification": "#D55E00", "slow_electrification": "#009E73",
    "powerco": "#CC79A7", "vw_agreement": "#9E6A00", "infrastructure": "#3A8FC2", "bev_posterior": "#6A3D9A",
}
"""A fixed colour per curated scenario id (Okabe–Ito, darkened where needed for 3:1 contrast on white),
so that a scenario keeps its colour whatever the region, the order or the ticked boxes."""
VARIANT_COLOR = "#000000"
"""The explorer's variant (the user's changes)."""
_EXTRA = ("#8C510A", "#01665E", "#762A83", "#B35806", "#4D4D4D", "#1B7837")


def scenario_color(scenario_id: str | None) -> str:
    """The colour of a scenario, by its id (file stem): fixed for the curated ones, else a
    stable pick from a second palette (the same id always gets the same colour).

    >>> scenario_color("baseline")
    '#0072B2'
    >>> scenario_color("meine_variante") == scenario_color("meine_variante")
    True
    """
    import zlib

    key = str(scenario_id or "")
    if key in SCENARIO_COLORS:
        return SCENARIO_COLORS[key]
    return _EXTRA[zlib.crc32(key.encode()) % len(_EXTRA)]


def _color_of(label: str, ds: xr.Dataset, colors: dict | None) -> str:
    if colors and label in colors:
        return colors[label]
    return scenario_color(ds.attrs.get("scenario"))
FONT = "Source Sans Pro, Arial, sans-serif"

_GRID = "#e5e9f0"


def _fmt_value(variable: str):
    return fmt_persons if variable == "employment" else fmt_eur_mio


def _fmt_signed(variable: str):
    if variable == "employment":
        return lambda x: fmt_persons(x, sign=True)
    return lambda x: fmt_eur_mio(x, sign=True)


def _unit(variable: str) -> str:
    return views.VARIABLES_DE[variable][1]


def _name(variable: str) -> str:
    return views.VARIABLES_DE[variable][0]


def style(fig: go.Figure, title: str | None = None, *, height: int = 420) -> go.Figure:
    """German separators, a plain white template, a readable font and the title."""
    fig.update_layout(
        # explicit colours instead of a template: validating a template costs ~15 ms a figure,
        # which the explorer would pay on every move of a lever
        paper_bgcolor="white", plot_bgcolor="white", colorway=list(PALETTE),
        separators=PLOTLY_SEPARATORS, height=height, autosize=True,
        font=dict(family=FONT, size=13, color="#2a3f5f"), margin=dict(l=10, r=10, t=60 if title else 20, b=10),
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=16)) if title else None,
        hoverlabel=dict(font=dict(family=FONT)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
    )
    fig.update_xaxes(gridcolor=_GRID, linecolor=_GRID, zerolinecolor=_GRID, automargin=True)
    fig.update_yaxes(gridcolor=_GRID, linecolor=_GRID, zerolinecolor=_GRID, automargin=True)
    return fig


MODEBAR_DE = {
    "Download plot as a PNG": "Abbildung als PNG-Bild herunterladen",
    "Download plot": "Abbildung herunterladen",
    "Zoom": "Zoomen", "Pan": "Verschieben", "Zoom in": "Vergrößern", "Zoom out": "Verkleinern",
    "Reset axes": "Achsen zurücksetzen", "Autoscale": "Automatisch skalieren", "Reset view": "Ansicht zurücksetzen",
    "Reset": "Zurücksetzen", "Box Select": "Rechteckauswahl", "Lasso Select": "Lassoauswahl",
    "Toggle Spike Lines": "Hilfslinien ein/aus", "Show closest data on hover": "Nächsten Wert anzeigen",
    "Compare data on hover": "Werte vergleichen", "Double-click to zoom back out": "Doppelklick: zurück zoomen",
    "Double-click on legend to isolate one trace": "Doppelklick auf die Legende: nur diese Linie",
}
"""German texts of Plotly's mode bar. plotly.js ships only its English locale in the Python
package, so the dictionary travels in the figure's ``config`` (``locales``): no download."""


def config(filename: str = "retra-abbildung") -> dict:
    """Plotly ``config``: German mode bar (PNG download button), no logo, no editing."""
    return {"displaylogo": False, "locale": "de",
            "locales": {"de": {"dictionary": dict(MODEBAR_DE), "format": {"decimal": ",", "thousands": "."}}},
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
            "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "sendDataToCloud", "editInChartStudio"],
            "showLink": False, "showSendToCloud": False, "showEditInChartStudio": False, "responsive": True}


# ---------------------------------------------------------------------------------------
# Maps


@functools.lru_cache(maxsize=16)
def _geojson(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def geojson(region: Region) -> dict:
    """The district polygons of a region (``districts.geojson`` in its folder)."""
    return _geojson(str(region.folder / "districts.geojson"))


def _centroids(gj: dict) -> dict[str, tuple[float, float]]:
    """A label point per district: the mean vertex of its largest ring (lon, lat)."""
    out = {}
    for feat in gj["features"]:
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        ring = max((p[0] for p in polys), key=len)
        arr = np.asarray(ring, dtype=float)
        out[feat["properties"]["district"]] = (float(arr[:, 0].mean()), float(arr[:, 1].mean()))
    return out


def district_map(region: Region, values: pd.Series, *, title: str, colorbar_title: str,
                 hover: pd.Series | None = None, diverging: bool = False,
                 colorscale: str = "Blues", tickformat: str = ",.0f") -> go.Figure:
    """Districts coloured by a value, labelled with their short names.

    Parameters
    ----------
    values : pandas.Series
        One number per district code.
    hover : pandas.Series, optional
        Hover text (HTML) per district code; defaults to the name and the value.
    diverging : bool
        Centre a red–blue scale on zero (for changes).
    """
    gj = geojson(region)
    names = region.districts.set_index("district")["name_short"]
    codes = [str(c) for c in values.index]
    z = values.astype(float).values
    text = hover.reindex(codes).values if hover is not None else [f"<b>{names[c]}</b><br>{fmt_num(v, 1)}" for c, v in zip(codes, z, strict=True)]
    trace = go.Choropleth(
        geojson=gj, featureidkey="properties.district", locations=codes, z=z,
        customdata=np.asarray(text, dtype=object).reshape(-1, 1), hovertemplate="%{customdata[0]}<extra></extra>",
        colorscale="RdBu" if diverging else colorscale, marker_line_color="white", marker_line_width=1.2,
        colorbar=dict(title=dict(text=colorbar_title, side="right"), tickformat=tickformat, thickness=14, len=0.8),
    )
    if diverging:
        lim = float(np.nanmax(np.abs(z))) or 1.0
        trace.update(zmin=-lim, zmax=lim, zmid=0)
    cent = _centroids(gj)
    labels = go.Scattergeo(
        lon=[cent[c][0] for c in codes], lat=[cent[c][1] for c in codes], mode="text",
        text=[names[c] for c in codes], textfont=dict(size=11, color="#111", shadow="0px 0px 3px white"), hoverinfo="skip", showlegend=False,
    )
    # The labels go first: plotly.js fetches a world topojson from its CDN when the *first*
    # geo trace has a ``locationmode`` (a choropleth always has one) or a base layer is
    # shown; with a text trace first and the base map hidden it fetches nothing, so the map
    # draws offline. The choropleth layer is drawn below the text layer all the same.
    fig = go.Figure([labels, trace])
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    style(fig, title, height=460)
    fig.update_layout(margin=dict(l=0, r=0, t=60, b=0))
    return fig


def dependence_map(region: Region) -> go.Figure:
    """Map: share of each district's jobs in vehicle making in the base year, range in the hover."""
    dep = views.automotive_dependence(region).set_index("district")
    hover = dep.apply(lambda r: (
        f"<b>{r['name']}</b><br>Fahrzeugbau: {fmt_pct(r['share'])} der Beschäftigten"
        f"<br>Spanne der Schätzung: {fmt_pct(r['share_low'])} bis {fmt_pct(r['share_high'])}"
        f"<br>{fmt_persons(r['vehicles'])} von {fmt_int(r['total'])}"), axis=1)
    return district_map(
        region, dep["share"] * 100, hover=hover, colorscale="Oranges", tickformat=",.0f",
        title=f"Abhängigkeit vom Fahrzeugbau {region.base_year}: Anteil an allen Beschäftigten",
        colorbar_title="Anteil in %",
    )


def _change_map_data(region: Region, ds: xr.Dataset, year: int, variable: str, relative: bool) -> tuple[pd.Series, dict]:
    """Values per district and the text of a change map (what changes when a lever moves)."""
    df = views.change_by_district(ds, year, variable).set_index("district")
    base = int(ds.attrs["base_year"])
    hover = _district_hover(df, _fmt_signed(variable), base, year)
    values = df["relative"] * 100 if relative else df["change"]
    unit = "%" if relative else _unit(variable)
    return values, dict(hover=hover, tickformat=",.1f" if relative else ",.0f",
                        title=f"{_name(variable)}: Veränderung {year} gegenüber {base} nach Kreis",
                        colorbar_title=f"Veränderung in {unit}")


def change_map(region: Region, ds: xr.Dataset, year: int, variable: str = "employment",
               relative: bool = False) -> go.Figure:
    """Map: change of jobs (or GVA) per district against the base year."""
    values, text = _change_map_data(region, ds, year, variable, relative)
    return district_map(region, values, diverging=True, **text)


def _district_hover(df: pd.DataFrame, signed, base: int, year: int) -> pd.Series:
    def one(r):
        s = f"<b>{r['name']}</b><br>{year} gegenüber {base}: {signed(r['change'])} ({fmt_pct(r['relative'], sign=True)})"
        if r["p05"] != r["p95"]:
            s += f"<br>90 %-Intervall: {fmt_int(r['p05'], sign=True)} bis {fmt_int(r['p95'], sign=True)}"
        return s
    return df.apply(one, axis=1)


def update_change_map(fig, region: Region, ds: xr.Dataset, year: int, variable: str = "employment",
                      relative: bool = False) -> None:
    """Refresh a change map in place: colours, scale and hover texts travel, never the geometry."""
    values, text = _change_map_data(region, ds, year, variable, relative)
    z = values.astype(float).values
    lim = float(np.nanmax(np.abs(z))) or 1.0
    codes = [str(c) for c in values.index]
    with fig.batch_update():
        fig.data[1].update(z=z, customdata=np.asarray(text["hover"].reindex(codes).values, dtype=object).reshape(-1, 1),
                           zmin=-lim, zmax=lim, colorbar=dict(title=dict(text=text["colorbar_title"]),
                                                             tickformat=text["tickformat"]))
        fig.layout.title.text = text["title"]


# ---------------------------------------------------------------------------------------
# Base data


def sector_structure(region: Region, variable: str = "employment") -> go.Figure:
    """Bars: jobs (or value added) per sector in the base year, region total, largest on top."""
    df = views.sector_structure(region).sort_values(variable)
    fmt = _fmt_value(variable)
    share = df[f"{variable}_share"]
    fig = go.Figure(go.Bar(
        x=df[variable], y=df["label"], orientation="h", marker_color=np.where(df["sector"] == "vehicles", DOWN, UP),
        text=[fmt_pct(s) for s in share], textposition="outside", cliponaxis=False,
        customdata=[[f"<b>{lab}</b><br>{fmt(v)}<br>{fmt_pct(s)} der Region"] for lab, v, s in zip(df["label"], df[variable], share, strict=True)],
        hovertemplate="%{customdata[0]}<extra></extra>",
    ))
    what = "Beschäftigte" if variable == "employment" else "Bruttowertschöpfung (Mio. €)"
    style(fig, f"{region.name}: {what} nach Wirtschaftszweig {region.base_year}", height=520)
    fig.update_xaxes(title=what, tickformat=",.0f")
    fig.update_yaxes(automargin=True)
    return fig


def bev_over_time(region: Region) -> go.Figure:
    """Two panels: BEV and PHEV share of new cars in Germany, and the BEV stock (KBA)."""
    reg = views.bev_registrations(region)
    stock = views.bev_stock_germany(region)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12, subplot_titles=(
        "Neuzulassungen in Deutschland: Anteil je Antrieb", "Bestand an Elektro-Pkw (BEV) in Deutschland, 1. Januar"))
    for col, name, color in (("bev_share", "Batterie-elektrisch (BEV)", UP), ("phev_share", "Plug-in-Hybrid (PHEV)", PALETTE[4])):
        d = reg.dropna(subset=[col])
        fig.add_trace(go.Scatter(
            x=d["year"], y=d[col] * 100, name=name, mode="lines+markers", line=dict(color=color),
            customdata=[[f"{name} {y}: {fmt_pct(s)} der Neuzulassungen ({fmt_int(n)} Pkw)"]
                        for y, s, n in zip(d["year"], d[col], d[col.split("_")[0]], strict=True)],
            hovertemplate="%{customdata[0]}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Bar(
        x=stock["year"], y=stock["bev"], name="BEV-Bestand", marker_color=UP, showlegend=False,
        customdata=[[f"1.1.{y}: {fmt_int(v)} Elektro-Pkw"] for y, v in zip(stock["year"], stock["bev"], strict=True)],
        hovertemplate="%{customdata[0]}<extra></extra>"), row=1, col=2)
    style(fig, "Elektromobilität in Deutschland (Kraftfahrt-Bundesamt)", height=440)
    fig.update_layout(margin=dict(t=100))
    fig.update_annotations(font_size=13)
    fig.update_yaxes(title_text="Anteil in %", tickformat=",.0f", row=1, col=1)
    fig.update_yaxes(title_text="Fahrzeuge", tickformat=",.0f", row=1, col=2)
    fig.update_xaxes(dtick=5, row=1, col=1)
    fig.update_layout(legend=dict(y=-0.15, yanchor="top", x=0, xanchor="left"))
    return fig


def bev_stock_districts(region: Region) -> go.Figure:
    """Bars: share of battery-electric cars in the car stock per district (latest KBA date)."""
    df = views.bev_stock_districts(region).sort_values("share")
    germany = views.bev_stock_germany(region).dropna(subset=["total"]).iloc[-1]
    date = pd.Timestamp(df["date"].iloc[0]).strftime("%-d.%-m.%Y")
    fig = go.Figure(go.Bar(
        x=df["share"] * 100, y=df["name"], orientation="h", marker_color=UP,
        text=[fmt_pct(s) for s in df["share"]], textposition="outside", cliponaxis=False,
        customdata=[[f"<b>{n}</b><br>{fmt_int(b)} Elektro-Pkw von {fmt_int(t)} Pkw ({fmt_pct(s)})"]
                    for n, b, t, s in zip(df["name"], df["bev"], df["total_pkw"], df["share"], strict=True)],
        hovertemplate="%{customdata[0]}<extra></extra>"))
    de_share = germany["bev"] / germany["total"]
    fig.add_vline(x=de_share * 100, line_dash="dash", line_color=TOTAL,
                  annotation_text=f"Deutschland {fmt_pct(de_share)}", annotation_position="top")
    style(fig, f"Anteil der Elektro-Pkw (BEV) am Pkw-Bestand am {date}", height=360)
    fig.update_xaxes(title="Anteil in %", tickformat=",.1f")
    return fig


# ---------------------------------------------------------------------------------------
# Results


def employment_path(runs: dict[str, xr.Dataset] | xr.Dataset, variable: str = "employment",
                    district: str | None = None, title: str | None = None,
                    bands_for: set[str] | None = None, colors: dict[str, str] | None = None) -> go.Figure:
    """Lines: change against the base year per year, with 50 % and 90 % bands where there are draws.

    Each scenario has its own colour (``colors`` by label, else :func:`scenario_color` of its id);
    a band's legend entry names its scenario.

    Every scenario contributes the same five traces (two per band, the median), so a
    figure can be refreshed in place with :func:`update_figure`. ``bands_for`` names the
    scenarios whose bands are drawn (default: all), so that many scenarios stay readable.
    """
    if isinstance(runs, xr.Dataset):
        runs = {runs.attrs.get("scenario_title_de", "Szenario"): runs}
    first = next(iter(runs.values()))
    base = int(first.attrs["base_year"])
    fig = go.Figure()
    for i, (label, ds) in enumerate(runs.items()):
        color = _color_of(label, ds, colors)
        banded = views.has_draws(ds) and (bands_for is None or label in bands_for)
        dyn = _path_data(ds, label, variable, district, banded)
        years = dyn[-1]["x"]
        for k, (alpha, name) in enumerate(((0.15, "90 %-Intervall"), (0.3, "50 %-Intervall"))):
            fig.add_trace(go.Scatter(x=years, y=dyn[2 * k]["y"], mode="lines", line=dict(width=0, color=color),
                                     hoverinfo="skip", showlegend=False, legendgroup=label))
            fig.add_trace(go.Scatter(x=years, y=dyn[2 * k + 1]["y"], mode="lines", line=dict(width=0, color=color),
                                     fill="tonexty", fillcolor=_rgba(color, alpha), hoverinfo="skip",
                                     name=f"{name} „{label}“", showlegend=banded,
                                     legendgroup=label,
                                     visible=True if banded else False))
        fig.add_trace(go.Scatter(x=years, y=dyn[-1]["y"], mode="lines", name=label,
                                 line=dict(color=color, width=2.5), legendgroup=label,
                                 customdata=dyn[-1]["customdata"],
                                 hovertemplate="%{customdata[0]}<extra></extra>"))
    fig.add_hline(y=0, line_color="#444", line_width=1)
    where = "" if district is None else f" – {_district_name(first, district)}"
    style(fig, title or f"{_name(variable)}{where}: Veränderung gegenüber {base}", height=400)
    fig.update_yaxes(title=f"Veränderung in {_unit(variable)}", tickformat=",.0f", zeroline=False)
    years_all = [int(y) for y in views.path(first, variable, district)["year"]]
    fig.update_xaxes(title="Jahr", dtick=5, range=[years_all[0] - 0.5, years_all[-1] + 0.8])  # the last year's tick whole
    fig.update_layout(hovermode="closest", legend=dict(orientation="h", yanchor="top", y=-0.18, x=0, xanchor="left"),
                      margin=dict(b=10))
    return fig


def _path_data(ds: xr.Dataset, label: str, variable: str, district: str | None, banded: bool) -> list[dict]:
    """The y values of one scenario's five path traces (90 % band, 50 % band, median) and its hover."""
    base = int(ds.attrs["base_year"])
    signed, fmt = _fmt_signed(variable), _fmt_value(variable)
    p = views.path(ds, variable, district)
    hover = [f"<b>{label}</b>, {y}<br>{fmt(lv)}<br>gegenüber {base}: {signed(m)}"
             + (f"<br>90 %-Intervall: {fmt_int(a, sign=True)} bis {fmt_int(b, sign=True)}" if banded else "")
             for y, lv, m, a, b in zip(p["year"], p["level"], p["median"], p["p05"], p["p95"], strict=True)]
    return [{"y": p["p05"].values}, {"y": p["p95"].values}, {"y": p["p25"].values}, {"y": p["p75"].values},
            {"x": p["year"].values, "y": p["median"].values,
             "customdata": np.asarray(hover, dtype=object).reshape(-1, 1)}]


def update_path(fig, ds: xr.Dataset, index: int, label: str, variable: str = "employment",
                district: str | None = None) -> None:
    """Refresh the traces of the ``index``-th scenario of an :func:`employment_path` in place."""
    dyn = _path_data(ds, label, variable, district, bool(fig.data[5 * index + 1].visible))
    dyn[-1].pop("x")
    with fig.batch_update():
        for k, d in enumerate(dyn):
            fig.data[5 * index + k].update(d)


def _district_name(ds: xr.Dataset, district: str) -> str:
    return views.district_names(ds).get(district, district)


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def waterfall(ds: xr.Dataset, year: int, variable: str = "employment", by: str = "lab",
              district: str | None = None) -> go.Figure:
    """Waterfall: base-year level → change by Lab / Handlungsfeld (or driver) → level in ``year``.

    The steps are the decomposition of the change: exact for a deterministic run; for an
    ensemble each step is the median of its group and the last bar their sum (which may
    differ from the median of the total by a little).
    """
    trace, yrange, title = _waterfall_data(ds, year, variable, by, district)
    fig = go.Figure(go.Waterfall(
        **trace, hovertemplate="%{customdata[0]}<extra></extra>", textposition="outside",
        increasing=dict(marker_color=UP), decreasing=dict(marker_color=DOWN), totals=dict(marker_color=TOTAL),
        connector=dict(line=dict(color="#999", width=1)), cliponaxis=False,
    ))
    style(fig, title, height=420)
    fig.update_yaxes(range=yrange, title=_unit(variable), tickformat=",.0f")
    fig.update_xaxes(tickangle=0, automargin=True)
    fig.update_layout(showlegend=False)
    return fig


def _waterfall_data(ds: xr.Dataset, year: int, variable: str, by: str, district: str | None) -> tuple[dict, list, str]:
    """The steps of a waterfall (trace properties), its y range and its title."""
    base = int(ds.attrs["base_year"])
    p = views.path(ds, variable, district).set_index("year")
    start = float(p.loc[base, "base"])
    if by == "lab":
        steps = views.change_by_lab(ds, year, variable, district)
        labels, detail = list(steps["lab"]), list(steps["drivers"])
    else:
        steps = views.change_by_driver(ds, year, variable, district)
        labels, detail = list(steps["label"]), list(steps["lab"])
    keep = np.abs(steps["change"].values) > 1e-9
    changes = steps["change"].values[keep]
    labels = [lb for lb, k in zip(labels, keep, strict=True) if k]
    detail = [d for d, k in zip(detail, keep, strict=True) if k]
    end = start + float(changes.sum())  # with draws: the sum of the groups' medians
    fmt, signed = _fmt_value(variable), _fmt_signed(variable)
    hover = ([f"<b>{base}</b><br>{fmt(start)}"]
             + [f"<b>{lb}</b><br>{signed(c)}<br><i>{d}</i>" for lb, c, d in zip(labels, changes, detail, strict=True)]
             + [f"<b>{year}</b><br>{fmt(end)}<br>gegenüber {base}: {signed(end - start)}"])
    x = [f"Basisjahr {base}", *(_wrap(lb) for lb in labels), str(year)]
    y = [start, *changes, 0.0]
    measure = ["absolute", *["relative"] * len(changes), "total"]
    trace = dict(x=x, y=y, measure=measure, customdata=np.asarray(hover, dtype=object).reshape(-1, 1),
                 text=[fmt_int(start), *[fmt_int(v, sign=True) for v in y[1:-1]], fmt_int(end)])
    lo, hi = min(start, end, *(np.cumsum(y[:-1]))), max(start, end, *(np.cumsum(y[:-1])))
    pad = 0.15 * (hi - lo) if hi > lo else abs(hi) * 0.05 + 1
    kind = "Lab / Handlungsfeld" if by == "lab" else "Treiber"
    where = "" if district is None else f" – {_district_name(ds, district)}"
    return trace, [lo - pad, hi + pad], f"{_name(variable)}{where}: von {base} bis {year} nach {kind}"


def update_waterfall(fig, ds: xr.Dataset, year: int, variable: str = "employment", by: str = "lab",
                     district: str | None = None) -> None:
    """Refresh a :func:`waterfall` in place."""
    trace, yrange, title = _waterfall_data(ds, year, variable, by, district)
    with fig.batch_update():
        fig.data[0].update(trace)
        fig.layout.yaxis.range = yrange
        fig.layout.title.text = title


def sector_change(ds: xr.Dataset, year: int, variable: str = "employment",
                  district: str | None = None) -> go.Figure:
    """Bars: change against the base year per sector, with the 90 % interval where there are draws."""
    trace, title = _sector_data(ds, year, variable, district)
    fig = go.Figure(go.Bar(**trace, orientation="h", hovertemplate="%{customdata[0]}<extra></extra>"))
    fig.update_traces(error_x=dict(type="data", symmetric=False, color="#555", thickness=1))
    style(fig, title, height=480)
    fig.update_xaxes(title=f"Veränderung in {_unit(variable)}", tickformat=",.0f", zeroline=True,
                     zerolinecolor="#444")
    fig.update_yaxes(automargin=True)
    fig.update_layout(showlegend=False)
    return fig


def _sector_data(ds: xr.Dataset, year: int, variable: str, district: str | None) -> tuple[dict, str]:
    """Bars, error bars and hover of a :func:`sector_change` figure, and its title."""
    df = views.change_by_sector(ds, year, variable, district).iloc[::-1]
    base = int(ds.attrs["base_year"])
    signed = _fmt_signed(variable)
    banded = views.has_draws(ds)
    hover = [f"<b>{lb}</b><br>{signed(c)} ({fmt_pct(r, sign=True)})"
             + (f"<br>90 %-Intervall: {fmt_int(a, sign=True)} bis {fmt_int(b, sign=True)}" if banded else "")
             for lb, c, r, a, b in zip(df["label"], df["change"], df["relative"], df["p05"], df["p95"], strict=True)]
    trace = dict(x=df["change"].values, y=[_short(lb) for lb in df["label"]],
                 marker=dict(color=np.where(df["change"] < 0, DOWN, UP)),
                 error_x=dict(array=(df["p95"] - df["change"]).values, arrayminus=(df["change"] - df["p05"]).values,
                              visible=banded),
                 customdata=np.asarray(hover, dtype=object).reshape(-1, 1))
    where = "" if district is None else f" – {_district_name(ds, district)}"
    return trace, f"{_name(variable)}{where}: Veränderung {year} gegenüber {base} nach Wirtschaftszweig"


def update_sector_change(fig, ds: xr.Dataset, year: int, variable: str = "employment",
                         district: str | None = None) -> None:
    """Refresh a :func:`sector_change` figure in place."""
    trace, title = _sector_data(ds, year, variable, district)
    with fig.batch_update():
        fig.data[0].update(trace)
        fig.layout.title.text = title


def _wrap(label: str, width: int = 16) -> str:
    """Break a long category label into lines for an axis."""
    words, lines, line = label.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _short(label: str, width: int = 38) -> str:
    """Shorten a long sector label for an axis (the hover keeps the full label)."""
    return label if len(label) <= width else label[: width - 1].rsplit(" ", 1)[0] + " …"


def district_comparison(runs: dict[str, xr.Dataset], year: int, variable: str = "employment",
                        relative: bool = False, colors: dict[str, str] | None = None) -> go.Figure:
    """Grouped bars: change per district against the base year, one colour per scenario, with the
    90 % interval as error bars (in persons or in per cent of the district's base-year level)."""
    fig = go.Figure()
    first = next(iter(runs.values()))
    base = int(first.attrs["base_year"])
    signed = _fmt_signed(variable)
    for i, (label, ds) in enumerate(runs.items()):
        df = views.change_by_district(ds, year, variable)
        banded = views.has_draws(ds)
        scale = 100.0 / df["base"] if relative else 1.0
        y = df["change"] * scale
        hover = [f"<b>{label}</b> – {n}<br>{signed(c)} ({fmt_pct(r, sign=True)})"
                 + (f"<br>90 %-Intervall: {fmt_int(a, sign=True)} bis {fmt_int(b, sign=True)}" if banded else "")
                 for n, c, r, a, b in zip(df["name"], df["change"], df["relative"], df["p05"], df["p95"], strict=True)]
        err = dict(type="data", symmetric=False, visible=banded, color="#444", thickness=1.2,
                   array=((df["p95"] - df["change"]) * scale).values, arrayminus=((df["change"] - df["p05"]) * scale).values)
        fig.add_trace(go.Bar(x=df["name"], y=y, name=label, marker_color=_color_of(label, ds, colors), error_y=err,
                             customdata=np.asarray(hover, dtype=object).reshape(-1, 1),
                             hovertemplate="%{customdata[0]}<extra></extra>"))
    unit = "%" if relative else _unit(variable)
    style(fig, f"{_name(variable)}: Veränderung {year} gegenüber {base} nach Kreis und Szenario", height=440)
    fig.update_yaxes(title=f"Veränderung in {unit}", tickformat=",.1f" if relative else ",.0f",
                     zeroline=True, zerolinecolor="#444")
    fig.update_layout(barmode="group", legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, xanchor="left"))
    return fig


def show(fig: go.Figure, filename: str = "retra-abbildung") -> None:
    """Show a figure in a notebook (JupyterLab's own Plotly renderer; no plotly.js copy saved)."""
    fig.show(renderer="plotly_mimetype", config=config(filename))


# ---------------------------------------------------------------------------------------
# In-place updates


def update_figure(target, source: go.Figure) -> None:
    """Copy the data and layout of ``source`` into ``target`` (a FigureWidget or LiveFigure) in one message.

    Traces are updated one by one where the two figures have the same traces; otherwise the
    traces are replaced. Unchanged properties are not sent again.
    """
    with target.batch_update():
        same = len(target.data) == len(source.data) and all(
            a.type == b.type for a, b in zip(target.data, source.data, strict=True))
        if same:
            for old, new in zip(target.data, source.data, strict=True):
                old.update(new.to_plotly_json(), overwrite=True)
        else:
            target.data = ()
            target.add_traces(list(source.data))
        layout = source.layout.to_plotly_json()
        layout.pop("template", None)  # the same in every figure; comparing it costs time
        target.layout.update(layout, overwrite=True)


def district_sectors(region: Region, district: str) -> go.Figure:
    """Bars: base-year jobs per sector of one district, with the range of the estimate."""
    df = views.district_sectors(region, district).sort_values("employment")
    name = region.districts.set_index("district")["name_short"][district]
    hover = [f"<b>{lb}</b><br>{fmt_persons(v)} ({fmt_pct(s)})<br>Spanne der Schätzung: {fmt_int(lo)} bis {fmt_int(hi)}"
             for lb, v, s, lo, hi in zip(df["label"], df["employment"], df["share"], df["low"], df["high"], strict=True)]
    fig = go.Figure(go.Bar(
        x=df["employment"], y=[_short(lb) for lb in df["label"]], orientation="h",
        marker_color=np.where(df["sector"] == "vehicles", DOWN, UP),
        error_x=dict(type="data", symmetric=False, array=(df["high"] - df["employment"]).values,
                     arrayminus=(df["employment"] - df["low"]).values, color="#444", thickness=1.2),
        customdata=np.asarray(hover, dtype=object).reshape(-1, 1), hovertemplate="%{customdata[0]}<extra></extra>"))
    style(fig, f"{name}: Beschäftigte nach Wirtschaftszweig {region.base_year} (mit Spanne der Schätzung)", height=460)
    fig.update_xaxes(title="Beschäftigte", tickformat=",.0f")
    fig.update_layout(showlegend=False)
    return fig


def lever_boxes(ranges: dict[str, tuple[float, float, float, float]], title: str) -> go.Figure:
    """Scenario discovery as boxes of lever ranges: per lever its whole range (grey) and the range
    of the box (blue), in the lever's German label and units.

    ``ranges`` maps a German label to ``(low, high, box_low, box_high, text)``: each lever is drawn
    normalised to its own range (0 = its minimum, 100 = its maximum), the box's real values as text.
    """
    labels = list(ranges)
    fig = go.Figure()
    full_x, box_x, texts = [], [], []
    for lb in labels:
        lo, hi, a, b = ranges[lb][:4]
        span = hi - lo if hi > lo else 1.0
        full_x.append(100.0)
        box_x.append((a - lo) / span * 100)
        texts.append((b - a) / span * 100)
    fig.add_trace(go.Bar(y=labels, x=full_x, orientation="h", marker_color="#d9d9d9", name="ganzer Bereich des Hebels",
                         hoverinfo="skip"))
    fig.add_trace(go.Bar(y=labels, x=texts, base=box_x, orientation="h", marker_color=UP, name="Bereich, der das Ziel meist erreicht",
                         customdata=np.asarray([ranges[lb][4] if len(ranges[lb]) > 4 else "" for lb in labels],
                                               dtype=object).reshape(-1, 1),
                         text=[ranges[lb][4] if len(ranges[lb]) > 4 else "" for lb in labels], textposition="inside",
                         insidetextanchor="middle", textfont=dict(color="white"),
                         hovertemplate="%{customdata[0]}<extra></extra>"))
    style(fig, title, height=120 + 60 * len(labels))
    fig.update_layout(barmode="overlay", legend=dict(orientation="h", yanchor="top", y=-0.25, x=0, xanchor="left"))
    fig.update_xaxes(title="Lage im Bereich des Hebels (0 = Minimum, 100 = Maximum)", range=[0, 100], tickformat=",.0f")
    return fig
