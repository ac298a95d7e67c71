"""Write results: netCDF, a tidy table (CSV, Parquet), Excel for strategists, IAMC.

Everything goes into one results folder, written atomically: the files are written into a
temporary folder beside the target and the folder is renamed into place only when every
file is complete. An interrupted run leaves no folder that looks complete, and an existing
results folder is replaced only with ``force=True``.

The tidy table has the fixed columns ``scenario, region, sector, variable, unit, year,
value`` (plus ``quantile`` for ensembles); ``region`` is a district code or the region id
for the region's sum, ``sector`` a sector code or ``total``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .paths import atomic_dir, atomic_file, atomic_text  # noqa: F401  (re-exported for callers of export)
from .writer import Writer
from .results import (
    QUANTILES,
    aggregate,
    aggregate_summary,
    figure_note,
    key_figures,
    key_years,
    money_label_de,
    region_total,
    sum_over,
    summarise,
    unit_of,
)

TIDY_COLUMNS = ["scenario", "region", "sector", "variable", "unit", "year", "value"]

IAMC_VARIABLES = {"employment": "Employment", "gva": "Value Added"}


def tidy(ds: xr.Dataset) -> pd.DataFrame:
    """The results as a long table with the fixed columns (plus ``quantile`` for ensembles).

    The region row (``region`` = the region id), the sector ``total`` and the driver ``total``
    of an ensemble are computed draw by draw and then summarised (:func:`~retra_model.results.aggregate`).
    """
    frames = []
    region_id = ds.attrs["region"]
    for var in ("employment", "gva", "employment_change", "gva_change"):
        da = aggregate_summary(ds[var], region_id)
        df = da.to_dataframe(name="value").reset_index()
        if "driver" in df:
            df["variable"] = var + "|" + df.pop("driver")
        else:
            df["variable"] = var
        df["unit"] = unit_of(ds, var)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True).rename(columns={"district": "region"})
    out["scenario"] = ds.attrs["scenario"]
    cols = TIDY_COLUMNS + (["quantile"] if "quantile" in out else [])
    return out[cols].sort_values(cols[:-1] if "quantile" not in out else cols).reset_index(drop=True)


def iamc(ds: xr.Dataset, sectors: pd.DataFrame) -> pd.DataFrame:
    """IAMC wide format (model, scenario, region, variable, unit, years …), readable by pyam.

    Variables are ``Employment`` and ``Value Added`` with ``|<Sector>`` below them. An
    ensemble has one row per quantile, in the extra column ``quantile`` (0.05 … 0.95; pyam
    reads it as an extra index column); totals are quantiles of the summed draws.
    """
    labels = dict(zip(sectors["sector"], sectors["label_en"], strict=True))
    labels["total"] = None
    frames = []
    for var, name in IAMC_VARIABLES.items():
        da = aggregate_summary(ds[var], ds.attrs["region"])
        df = da.to_dataframe(name="value").reset_index()
        df["variable"] = [name if s == "total" else f"{name}|{labels[s]}" for s in df["sector"]]
        df["unit"] = unit_of(ds, var)
        frames.append(df.rename(columns={"district": "region"}))
    long = pd.concat(frames, ignore_index=True)
    index = ["region", "variable", "unit"] + (["quantile"] if "quantile" in long else [])
    wide = long.pivot_table(index=index, columns="year", values="value", sort=False).reset_index()
    wide.columns.name = None
    wide.insert(0, "scenario", ds.attrs["scenario"])
    wide.insert(0, "model", f"retra {ds.attrs['retra_version']}")
    return wide


def _median(ds: xr.Dataset, var: str, **kw) -> xr.DataArray:
    """A variable with its aggregates (summed per draw), then the median over draws."""
    da = aggregate_summary(ds[var], ds.attrs["region"], (0.5,), **kw)
    return da.sel(quantile=0.5, drop=True) if "quantile" in da.dims else da


def _district_names(ds: xr.Dataset) -> dict[str, str]:
    names = dict(zip(ds["district"].values.tolist(), ds["district_name"].values.tolist(), strict=True)) \
        if "district_name" in ds.coords else {}
    names[ds.attrs["region"]] = str(ds.attrs.get("region_name") or ds.attrs["region"].upper())
    return {str(k): str(v) for k, v in names.items()}


def _sector_names(sectors: pd.DataFrame) -> dict[str, str]:
    names = dict(zip(sectors["sector"], sectors["label_de"], strict=True))
    names["total"] = "Alle Wirtschaftszweige"
    return names


def bands(ds: xr.Dataset) -> pd.DataFrame:
    """Region totals per year, jobs and value added: median and the 50 % and 90 % bands (from the draws)."""
    rows = {}
    money = money_label_de(ds)
    for var, label in (("employment", "Beschäftigte"), ("gva", f"BWS ({money})")):
        da = aggregate(ds[var], ds.attrs["region"]).sel(district=ds.attrs["region"], sector="total")
        if "draw" in da.dims:
            q = da.quantile(list(QUANTILES), dim="draw")
            for qq, name in zip(QUANTILES, ("5 %", "25 %", "Median", "75 %", "95 %"), strict=True):
                rows[f"{label} {name}"] = q.sel(quantile=qq).values
        else:
            rows[label] = da.values
    out = pd.DataFrame(rows)
    out.insert(0, "Jahr", ds["year"].values)
    return out


UNITS_DE = {"1": "Anteil (1 = 100 %)", "1/yr": "pro Jahr (0.01 = 1 %)", "yr": "Jahre", "persons": "Personen",
            "EUR thousand per job": "Tsd. € je Arbeitsplatz", "EUR": "€ je Einheit", "hours": "Stunden",
            "units": "Einheiten"}
"""German names of the lever units (the table of levers, :data:`retra_model.scenario.LEVERS_FILE`)."""

DISTRIBUTIONS_DE = {"triangular": "Dreieck", "uniform": "Gleichverteilung", "normal": "Normalverteilung",
                    "posterior": "kalibrierte Verteilung (PyMC)", "parameter": "Dreieck (Literaturwert)"}


def _source_of(data: dict, path: tuple) -> str:
    """The ``source`` nearest to a key path: the lever's own, else its section's."""
    node: object = data
    found = data.get("source", "") if isinstance(data, dict) else ""
    for part in path:
        if not isinstance(node, dict) or part not in node:
            break
        node = node[part]
        if isinstance(node, dict) and isinstance(node.get("source"), str):
            found = node["source"]
    return " ".join(str(found).split())


def assumptions(scenario) -> pd.DataFrame:
    """Every lever of a scenario: German label, key, value, unit, distribution, plausible range, source.

    The first rows give the scenario's title and narrative in German. The value is the one a
    deterministic run uses (the centre of a distribution) [the lever's unit].
    """
    from .scenario import _at_pattern, lever_table

    data = scenario.to_dict()
    rows = [{"Hebel": "Szenario", "Schlüssel": "title", "Wert": scenario.title.de},
            {"Hebel": "Erzählung", "Schlüssel": "narrative", "Wert": " ".join(scenario.narrative.de.split())}]
    for spec in lever_table():
        for path, value in _at_pattern(data, spec.pattern):
            if isinstance(value, dict):
                from .scenario import Distribution

                dist = Distribution.model_validate(value)
                centre = dist.central() if dist.distribution != "posterior" else None
                parts = [f"{k} {value[k]:g}" for k in ("low", "mode", "high", "mean", "sd") if k in value]
                desc = f"{DISTRIBUTIONS_DE[dist.distribution]}: {', '.join(parts) or dist.name}"
            else:
                centre, desc = float(value), "fest"
            rows.append({"Hebel": spec.label_de, "Schlüssel": ".".join(str(p) for p in path), "Wert": centre,
                         "Einheit": UNITS_DE.get(spec.unit, spec.unit), "Verteilung": desc,
                         "Plausibler Bereich": f"{spec.plausible_low:g} bis {spec.plausible_high:g}",
                         "Quelle": _source_of(data, path)})
    return pd.DataFrame(rows, columns=["Hebel", "Schlüssel", "Wert", "Einheit", "Verteilung", "Plausibler Bereich",
                                       "Quelle"])


def projects_table(scenario, districts: dict[str, str], sectors: dict[str, str]) -> pd.DataFrame:
    """One row per project: district, sector, jobs against the base year at each ramp year [persons]."""
    from .scenario import value_of

    years = sorted({int(y) for pr in scenario.projects.values() for y in pr.jobs})
    rows = []
    for pid, pr in scenario.projects.items():
        row = {"Projekt": pr.label.de, "Kennung": pid, "Kreis": districts.get(pr.district, pr.district),
               "Wirtschaftszweig": sectors.get(pr.sector, pr.sector), "aktiv": "ja" if pr.enabled else "nein"}
        for y in years:
            row[f"Arbeitsplätze {y}"] = value_of(pr.jobs[y]) if y in pr.jobs else None
        row["BWS je Arbeitsplatz (Tsd. €)"] = None if pr.gva_per_job is None else value_of(pr.gva_per_job)
        row["Quelle"] = " ".join(pr.source.split())
        rows.append(row)
    return pd.DataFrame(rows)


def infrastructure_table(ds: xr.Dataset, scenario, region) -> pd.DataFrame | None:
    """Investment and O&M of the build-out per year [EUR million] beside the jobs it brings [persons].

    Investment = units installed × cost per unit (the scenario's ``capex`` or the data's), at the
    centre of every lever; the jobs are the infrastructure driver's (median of the draws for an
    ensemble), all districts together. None if the scenario builds nothing.
    """
    from .drivers import infrastructure as infra
    from .scenario import value_of

    cfg = scenario.infrastructure
    if cfg is None:
        return None
    years = ds["year"].values
    items = region.national.tables["infrastructure_items"].set_index("item")
    costs = region.national.tables["infrastructure_costs"].set_index("parameter")

    def data_cost(item: str, kind: str) -> float:
        par = items.loc[item, f"{kind}_parameter"]
        if not isinstance(par, str) or par not in costs.index or np.isnan(costs.loc[par, "value"]):
            return 0.0
        return float(costs.loc[par, "value"]) / float(items.loc[item, f"{kind}_divisor"])

    out = pd.DataFrame({"Jahr": years})
    total_inv = np.zeros(len(years))
    total_om = np.zeros(len(years))
    for name, it in cfg.items.items():
        if not it.build_out:
            continue
        stock = sum(infra.cumulative(years, {int(y): np.array([value_of(x)]) for y, x in path.items()},
                                     int(ds.attrs["base_year"]))[0] for path in it.build_out.values())
        if not np.any(stock):
            continue
        capex = value_of(it.capex) if it.capex is not None else data_cost(name, "capex")
        om = value_of(it.om) if it.om is not None else data_cost(name, "om")
        inv, op = infra.spending(np.asarray(stock)[None, :], np.array([capex / 1e6]), np.array([om / 1e6]))
        label = str(items.loc[name, "label_de"]) if "label_de" in items.columns else name
        out[f"Investition {label} (Mio. €)"] = inv[0]
        total_inv += inv[0]
        total_om += op[0]
    if out.shape[1] == 1:
        return None
    out["Investition gesamt (Mio. €)"] = total_inv
    out["Betrieb und Wartung (Mio. €)"] = total_om
    jobs = ds["employment_change"].sel(driver="infrastructure").sum(["district", "sector"])
    if "draw" in jobs.dims:
        out["Arbeitsplätze durch Infrastruktur (Median)"] = jobs.median("draw").values
        out["Arbeitsplätze 5 %"] = jobs.quantile(0.05, "draw").values
        out["Arbeitsplätze 95 %"] = jobs.quantile(0.95, "draw").values
    else:
        out["Arbeitsplätze durch Infrastruktur"] = jobs.values
    return out


def excel_sheets(ds: xr.Dataset, sectors: pd.DataFrame, sources: pd.DataFrame | None = None, *,
                 scenario=None, region=None, extra: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """The views a strategist opens in Excel, with German headers, one sheet each.

    Every total (region, all sectors, all drivers) of an ensemble is summed draw by draw and then
    summarised. ``scenario`` adds the assumptions and the projects, ``scenario`` and ``region`` the
    infrastructure investment; ``extra`` (sheet name → table) adds more sheets before the sources.
    """
    from .views import driver_label

    base = int(ds.attrs["base_year"])
    money = money_label_de(ds)
    kf = key_figures(ds)
    band = lambda c: c.replace("_p05", " (5 %-Quantil)").replace("_p95", " (95 %-Quantil)")  # noqa: E731
    rename = {"district": "Kreis (AGS)", "name": "Kreis"}
    for col in kf.columns:
        if col.startswith("employment_change_"):
            rename[col] = f"Veränderung Beschäftigte {col.rsplit('_', 1)[1]}"
        elif col.startswith("gva_change_"):
            rename[col] = f"Veränderung BWS {col.rsplit('_', 1)[1]} ({money})"
        elif col.startswith("employment_"):
            rename[col] = "Beschäftigte " + band(col.split("_", 1)[1])
        elif col.startswith("gva_"):
            rename[col] = f"BWS ({money}) " + band(col.split("_", 1)[1])
    dnames, snames = _district_names(ds), _sector_names(sectors)
    draws = int(ds.attrs.get("draws") or 0)

    def by_district(var: str) -> pd.DataFrame:
        t = _median(ds, var).sel(sector="total").to_pandas()
        t.index = [dnames[str(d)] for d in t.index]
        t.index.name = "Kreis"
        t.columns = [int(c) for c in t.columns]
        return t.reset_index()

    def by_sector(var: str) -> pd.DataFrame:
        t = _median(ds, var).sel(district=ds.attrs["region"]).to_pandas()
        t.index = [snames[str(s)] for s in t.index]
        t.index.name = "Wirtschaftszweig"
        t.columns = [int(c) for c in t.columns]
        return t.reset_index()

    years = [y for y in (base, *key_years(ds)) if y in ds["year"].values]
    cross = _median(ds, "employment").sel(year=years).to_dataframe(name="v")["v"].unstack("year").reset_index()
    cross.columns = ["Kreis", "Wirtschaftszweig", *[f"Beschäftigte {y}" for y in years]]
    cross["Kreis"] = [dnames[str(d)] for d in cross["Kreis"]]
    cross["Wirtschaftszweig"] = [snames[str(s)] for s in cross["Wirtschaftszweig"]]

    change = sum_over(ds["employment_change"], "sector")  # per draw, before any quantile
    change = change.drop_vars([c for c in change.coords if c not in change.dims])
    change = region_total(change, ds.attrs["region"])
    change = xr.concat([change, change.sum("driver").expand_dims(driver=["total"])], dim="driver")
    dec_years = [y for y in key_years(ds) if y in ds["year"].values]
    dec = summarise(change.sel(year=dec_years), (0.5,))
    dec = dec.sel(quantile=0.5, drop=True) if "quantile" in dec.dims else dec
    dec = dec.to_dataframe(name="v").reset_index()
    dec = dec.pivot_table(index=["district", "driver"], columns="year", values="v", sort=False).reset_index()
    dec.insert(1, "Kreis", [dnames[str(d)] for d in dec["district"]])
    dec.insert(3, "Treiber", ["Alle Treiber" if d == "total" else driver_label(d) for d in dec["driver"]])
    dec = dec.drop(columns=["driver"]).rename(columns={"district": "Kreis (AGS)"})
    dec.columns = [f"Veränderung {c} gegenüber {base}" if isinstance(c, (int, np.integer)) else c for c in dec.columns]

    note = figure_note(ds)
    meta = pd.DataFrame({"Angabe": ["Szenario", "Region", "Basisjahr", "Gezeigte Zahl", "Ziehungen", "Startwert (Seed)",
                                    "Einheit Wertschöpfung", "Szenario-Prüfsumme", "Datenstand", "retra-Version", "erstellt"],
                         "Wert": [ds.attrs.get("scenario_title_de"), ds.attrs.get("region_name"), base, note,
                                  draws, ds.attrs.get("seed"), f"{money} ({unit_of(ds, 'gva')})",
                                  ds.attrs.get("scenario_hash"), ds.attrs.get("data_version"),
                                  ds.attrs.get("retra_version"), ds.attrs.get("created")]})
    sheets: dict[str, pd.DataFrame] = {"Übersicht": kf.rename(columns=rename)}
    if scenario is not None:
        sheets["Annahmen"] = assumptions(scenario)
    sheets["Bänder Region"] = bands(ds)
    sheets["Beschäftigte nach Kreis"] = by_district("employment")
    sheets["BWS nach Kreis"] = by_district("gva")
    sheets["Kreis x Branche"] = cross
    sheets["Beschäftigte nach Branche"] = by_sector("employment")
    sheets["BWS nach Branche"] = by_sector("gva")
    sheets["Zerlegung nach Treiber"] = dec
    if scenario is not None and scenario.projects:
        sheets["Projekte"] = projects_table(scenario, dnames, snames)
    if scenario is not None and region is not None:
        infra = infrastructure_table(ds, scenario, region)
        if infra is not None:
            sheets["Infrastruktur"] = infra
    sheets.update(extra or {})
    sheets["Angaben zum Lauf"] = meta
    if sources is not None:
        sheets["Quellen"] = sources.rename(columns={"resource": "Tabelle", "source": "Quelle", "publisher": "Herausgeber",
                                                    "year": "Jahr", "url": "Adresse", "licence": "Lizenz",
                                                    "status": "Status"})
    return sheets


def compare_sheets(scenarios: list, names: list[str], results: list[xr.Dataset], by_driver: pd.DataFrame,
                   year: int) -> dict[str, pd.DataFrame]:
    """Sheets of ``retra compare --out``: change by driver, key figures and the levers side by side."""
    base = int(results[0].attrs["base_year"])
    dec = by_driver.copy()
    dec.columns = [f"{c} (Veränderung {base}→{year})" for c in dec.columns]
    dec = dec.reset_index().rename(columns={"index": "Treiber"})
    rows = []
    for sc, name, res in zip(scenarios, names, results, strict=True):
        kf = key_figures(res).iloc[-1]
        row = {"Szenario": sc.title.de, "Datei": name, f"Beschäftigte {base}": kf[f"employment_{base}"]}
        for y in key_years(res):
            if f"employment_{y}" in kf:
                row[f"Beschäftigte {y}"] = kf[f"employment_{y}"]
                row[f"Veränderung {y}"] = kf[f"employment_change_{y}"]
        for y in key_years(res):
            if f"gva_{y}" in kf:
                row[f"BWS {y} ({money_label_de(res)})"] = kf[f"gva_{y}"]
        rows.append(row)
    levers = None
    for sc, name in zip(scenarios, names, strict=True):
        a = assumptions(sc)
        a = a[a["Schlüssel"].ne("narrative")][["Hebel", "Schlüssel", "Einheit", "Wert"]].rename(columns={"Wert": name})
        levers = a if levers is None else levers.merge(a, on=["Hebel", "Schlüssel", "Einheit"], how="outer", sort=False)
    note = pd.DataFrame({"Angabe": ["Gezeigte Zahl", "Einheit Wertschöpfung", "Basisjahr", "Vergleichsjahr"],
                         "Wert": [figure_note(results[0]), unit_of(results[0], "gva"), base, year]})
    return {"Vergleich nach Treiber": dec, "Kennzahlen Region": pd.DataFrame(rows), "Annahmen im Vergleich": levers,
            "Angaben": note}


def write_excel(target: Path, sheets: dict[str, pd.DataFrame], *, chart: bool = True) -> Path:
    """Write sheets as a formatted workbook, atomically: bold frozen headers, column widths,
    number formats (``#,##0`` for persons and EUR million, which Excel shows as ``1.234`` in a
    German locale; shares as ``0,0 %``), and a chart sheet of the region's bands and drivers.

    The workbook is streamed row by row (openpyxl's write-only mode): every cell is written once,
    with its format, instead of being built in memory, formatted and then saved. Cells hold what
    ``DataFrame.to_excel`` would write (:func:`_excel_value`; headers bold, framed, wrapped).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    frame_border = Border(left=thin, right=thin, top=thin, bottom=thin)  # pandas' header frame

    def write(tmp: Path) -> None:
        book = Workbook(write_only=True)
        for name, frame in sheets.items():
            ws = book.create_sheet(name[:31])
            header = [_excel_value(c) for c in frame.columns]
            columns = [[_excel_value(v) for v in frame.iloc[:, i].tolist()] for i in range(frame.shape[1])]
            ws.freeze_panes = "B2" if len(header) > 2 else "A2"
            formats = []
            for i, (head, values) in enumerate(zip(header, columns, strict=True)):
                label = str(head or "")
                formats.append("0" if label in ("Jahr", "Basisjahr", "Ziehungen") or label.startswith("Startwert")
                               else "#,##0.0##" if label in ("Wert",) else "#,##0")
                width = max([len(label) * 0.6, *(len(str(v)) for v in values[:49] if v is not None), 8])
                ws.column_dimensions[get_column_letter(i + 1)].width = min(60, width + 2)
            row = []
            for head in header:
                cell = WriteOnlyCell(ws, head)
                cell.font = Font(bold=True)
                cell.border = frame_border
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                row.append(cell)
            ws.append(row)
            for values in zip(*columns, strict=True):
                row = []
                for v, fmt in zip(values, formats, strict=True):
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        v = WriteOnlyCell(ws, v)
                        v.number_format = fmt
                    row.append(v)
                ws.append(row)
        if chart and "Bänder Region" in sheets:
            frame = sheets["Bänder Region"]
            ws = book["Bänder Region"]
            cs = book.create_chartsheet("Diagramm", 0)
            line = LineChart()
            line.title = "Beschäftigte in der Region (Median und 90-%-Band)"
            line.y_axis.title = "Beschäftigte"
            line.x_axis.title = "Jahr"
            line.y_axis.number_format = "#,##0"
            cols = [i + 1 for i, c in enumerate(frame.columns)
                    if str(c).startswith("Beschäftigte") and ("Median" in c or "5 %" in c or c == "Beschäftigte")]
            last = len(frame) + 1
            for ci in cols:
                line.add_data(Reference(ws, min_col=ci, min_row=1, max_row=last), titles_from_data=True)
            line.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
            cs.add_chart(line)
        if chart and "Zerlegung nach Treiber" in sheets:
            frame = sheets["Zerlegung nach Treiber"]
            ws = book["Zerlegung nach Treiber"]
            region_rows = [i + 2 for i, k in enumerate(frame["Kreis (AGS)"]) if k == frame["Kreis (AGS)"].iloc[-1]]
            if region_rows:
                bar = BarChart()
                bar.type = "bar"
                bar.title = "Veränderung der Beschäftigten nach Treiber (Region)"
                bar.y_axis.number_format = "#,##0"
                value_cols = [i + 1 for i, c in enumerate(frame.columns) if str(c).startswith("Veränderung")]
                lo, hi = min(region_rows), max(region_rows)
                for ci in value_cols:
                    bar.add_data(Reference(ws, min_col=ci, min_row=lo, max_row=hi), titles_from_data=False)
                bar.set_categories(Reference(ws, min_col=list(frame.columns).index("Treiber") + 1,
                                             min_row=lo, max_row=hi))
                cs2 = book.create_chartsheet("Diagramm Treiber", 1)
                cs2.add_chart(bar)
        book.save(tmp)

    return atomic_file(Path(target), write, suffix=".xlsx")


def _excel_value(v):
    """A value as ``DataFrame.to_excel`` writes it: missing → ``""``, ±inf → ``"inf"``/``"-inf"``,
    NumPy numbers → Python numbers, dates and times as they are, anything else as text."""
    import datetime

    from pandas.api.types import is_bool, is_float, is_integer, is_scalar

    if is_scalar(v) and pd.isna(v):
        return ""
    if is_integer(v):
        return int(v)
    if is_float(v):
        return "inf" if v == np.inf else "-inf" if v == -np.inf else float(v)
    if is_bool(v):
        return bool(v)
    if isinstance(v, (datetime.date, datetime.timedelta)):
        raise TypeError(f"write_excel writes no dates or durations ({v!r}); give them as text")
    return str(v)


def write_results(ds: xr.Dataset, out: Path, *, sectors: pd.DataFrame, sources: pd.DataFrame | None = None,
                  scenario_yaml: str | None = None, force: bool = False, scenario=None, region=None,
                  extra: dict[str, pd.DataFrame] | None = None,
                  extra_tables: dict[str, pd.DataFrame] | None = None,
                  extra_sheets: dict[str, pd.DataFrame] | None = None, keep_draws: bool = False,
                  writer: Writer | None = None) -> Path:
    """Write every export of a run into the folder ``out``, atomically.

    An ensemble's ``results.nc`` holds the :data:`~retra_model.results.QUANTILES` over the
    draws (dimension ``quantile``; the tables' totals are always summed draw by draw first);
    ``keep_draws=True`` stores every draw instead (``retra run --keep-draws``).

    Files: ``results.nc`` (netCDF), ``results.csv`` and ``results.parquet`` (tidy),
    ``results.xlsx`` (Excel), ``results_iamc.csv`` (IAMC), ``scenario.yaml`` (the merged
    scenario that was run) and ``provenance.json``. ``extra`` (name → table) adds tables: one
    more Excel sheet and one more CSV file (``<name>.csv``) each; ``extra_tables`` are written as
    ``<name>.csv`` and ``<name>.parquet`` only (tidy, English), ``extra_sheets`` as Excel sheets only
    (German) — the future-of-work tables of :func:`retra_model.labour.future_of_work_tables` and
    :func:`~retra_model.labour.future_of_work_sheets`. ``writer``: the second process that writes the
    netCDF file and the workbook (:class:`~retra_model.writer.Writer`, started when the command
    started so that it has imported its libraries); by default one is started here.
    """

    def write(tmp: Path) -> None:
        if writer is not None:
            write_with(writer, tmp)
            return
        with Writer() as own:
            write_with(own, tmp)

    def write_with(writer: Writer, tmp: Path) -> None:
        try:
            write_here(writer, tmp)
        except BaseException:
            writer.close(abort=True)  # the second process stops writing before the folder is removed
            raise
        writer.wait()

    def write_here(writer: Writer, tmp: Path) -> None:
        # the netCDF file and the Excel workbook in the second process (retra_model.writer), the rest here
        clean = ds.copy()
        if "draw" in ds.dims and not keep_draws:  # the quantiles, not a thousand draws (retra run --keep-draws)
            clean = _quantiles_over_draws(ds)
        clean.attrs = {k: v for k, v in ds.attrs.items()}
        clean.attrs["draws_stored"] = int(keep_draws and "draw" in ds.dims)
        for var in clean.data_vars:
            if var.startswith("gva"):
                clean[var].attrs["units"] = unit_of(ds, var)
        clean.attrs["figure_shown"] = figure_note(ds)
        if writer.forked and keep_draws and "draw" in ds.dims:  # every draw: not through a pipe
            write_netcdf(clean, tmp / "results.nc")
        else:
            writer.submit(write_netcdf, clean, tmp / "results.nc")
        writer.submit(write_excel, tmp / "results.xlsx", excel_sheets(
            ds, sectors, sources, scenario=scenario, region=region, extra={**(extra or {}), **(extra_sheets or {})}))
        table = tidy(ds)
        table.to_csv(tmp / "results.csv", index=False)
        table.to_parquet(tmp / "results.parquet", index=False)
        iamc(ds, sectors).to_csv(tmp / "results_iamc.csv", index=False)
        for name, frame in (extra or {}).items():
            frame.to_csv(tmp / f"{_file_name(name)}.csv", index=False)
        for name, frame in (extra_tables or {}).items():  # future of work (labour.future_of_work_tables)
            frame.to_csv(tmp / f"{name}.csv", index=False)
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        if scenario_yaml is not None:
            (tmp / "scenario.yaml").write_text(scenario_yaml, encoding="utf-8")
        prov = {k: ds.attrs.get(k) for k in ("scenario", "scenario_hash", "region", "data_version",
                                             "retra_version", "seed", "draws", "created", "base_year")}
        prov["quantiles"] = list(QUANTILES) if "draw" in ds.dims else None
        prov["units"] = {"employment": "persons", "gva": unit_of(ds, "gva")}
        prov["figure_shown"] = figure_note(ds)
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, ensure_ascii=False), encoding="utf-8")

    return atomic_dir(Path(out), write, force=force)


def write_netcdf(ds: xr.Dataset, target: Path) -> None:
    """``ds`` as netCDF-4 (h5netcdf), without importing dask.distributed on the way."""
    from .lazyimports import defer_dask_scheduler_lookup

    defer_dask_scheduler_lookup()  # xarray would import dask.distributed to pick a lock
    ds.to_netcdf(target, engine="h5netcdf")


def _quantiles_over_draws(ds: xr.Dataset) -> xr.Dataset:
    """Every variable with a ``draw`` axis reduced to :data:`QUANTILES` (new first axis ``quantile``)."""
    from .summary import _quantiles

    out = ds.drop_dims("draw")
    for name, da in ds.data_vars.items():
        if "draw" not in da.dims:
            continue
        dims = [d for d in da.dims if d != "draw"]
        q = _quantiles(da.transpose("draw", *dims).values, axis=0)
        out[name] = xr.DataArray(q, dims=["quantile", *dims], attrs=da.attrs)
    out = out.assign_coords(quantile=list(QUANTILES))
    for name, c in ds.coords.items():  # coordinates along draw (sampled levers) are dropped with it
        if "draw" not in c.dims and name not in out.coords:
            out = out.assign_coords({name: c})
    return out


def _file_name(name: str) -> str:
    """A sheet name as a file name: ``Qualifizierungsbedarf nach Kreis`` → ``qualifizierungsbedarf_nach_kreis``."""
    import re

    return re.sub(r"[^0-9a-z]+", "_", name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
                  .replace("ß", "ss")).strip("_") or "table"
