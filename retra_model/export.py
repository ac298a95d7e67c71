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
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import xarray as xr

from .errors import OutputExistsError
from .results import QUANTILES, decomposition, key_figures, quantiles, region_total

TIDY_COLUMNS = ["scenario", "region", "sector", "variable", "unit", "year", "value"]

IAMC_VARIABLES = {"employment": ("Employment", "persons"), "gva": ("Value Added", "EUR_2020 million")}


def atomic_dir(target: Path, write: Callable[[Path], None], *, force: bool = False) -> Path:
    """Fill a folder through ``write(tmp)`` and move it to ``target`` only when complete.

    Raises
    ------
    OutputExistsError
        ``target`` exists and ``force`` is false.
    """
    target = Path(target)
    if target.exists() and not force:
        raise OutputExistsError(f"the results folder {target} exists already; choose another --out or add --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        write(tmp)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def atomic_file(target: Path, write: Callable[[Path], None], *, suffix: str = ".partial") -> Path:
    """Write one file atomically: ``write(tmp)`` fills a temporary file beside ``target``, which is
    renamed into place only when complete (and removed if anything fails)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_text(target: Path, text: str) -> Path:
    """Write a text file atomically (temporary file in the same folder, then rename)."""
    return atomic_file(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def tidy(ds: xr.Dataset) -> pd.DataFrame:
    """The results as a long table with the fixed columns (plus ``quantile`` for ensembles)."""
    q = quantiles(ds)
    frames = []
    region_id = ds.attrs["region"]
    for var in ("employment", "gva", "employment_change", "gva_change"):
        da = q[var]
        unit = da.attrs["unit"]
        da = region_total(da.drop_vars([c for c in da.coords if c not in da.dims]), region_id)
        with_total = xr.concat([da, da.sum("sector").expand_dims(sector=["total"])], dim="sector")
        df = with_total.to_dataframe(name="value").reset_index()
        if "driver" in df:
            df["variable"] = var + "|" + df.pop("driver")
        else:
            df["variable"] = var
        df["unit"] = unit
        frames.append(df)
    out = pd.concat(frames, ignore_index=True).rename(columns={"district": "region"})
    out["scenario"] = ds.attrs["scenario"]
    cols = TIDY_COLUMNS + (["quantile"] if "quantile" in out else [])
    return out[cols].sort_values(cols[:-1] if "quantile" not in out else cols).reset_index(drop=True)


def iamc(ds: xr.Dataset, sectors: pd.DataFrame) -> pd.DataFrame:
    """IAMC wide format (model, scenario, region, variable, unit, years …), readable by pyam.

    Variables are ``Employment`` and ``Value Added`` with ``|<Sector>`` below them;
    ensembles give the median (the IAMC format has no quantile column).
    """
    q = quantiles(ds)
    if "quantile" in q.dims:
        q = q.sel(quantile=0.5, drop=True)
    labels = dict(zip(sectors["sector"], sectors["label_en"], strict=True))
    rows = []
    for var, (name, unit) in IAMC_VARIABLES.items():
        da = region_total(q[var], ds.attrs["region"])
        for district in da["district"].values:
            sub = da.sel(district=district)
            rows.append({"variable": name, "region": str(district), "unit": unit,
                         **dict(zip(sub["year"].values.tolist(), sub.sum("sector").values.tolist(), strict=True))})
            for sector in sub["sector"].values:
                series = sub.sel(sector=sector)
                rows.append({"variable": f"{name}|{labels[str(sector)]}", "region": str(district), "unit": unit,
                             **dict(zip(series["year"].values.tolist(), series.values.tolist(), strict=True))})
    df = pd.DataFrame(rows)
    df.insert(0, "scenario", ds.attrs["scenario"])
    df.insert(0, "model", f"retra {ds.attrs['retra_version']}")
    return df


def excel_sheets(ds: xr.Dataset, sectors: pd.DataFrame, sources: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The views a strategist opens in Excel, with German headers, one sheet each."""
    base = int(ds.attrs["base_year"])
    kf = key_figures(ds)
    rename = {"district": "Kreis (AGS)", "name": "Kreis"}
    for col in kf.columns:
        if col.startswith("employment_change_"):
            rename[col] = f"Veränderung Beschäftigte {col.rsplit('_', 1)[1]}"
        elif col.startswith("gva_change_"):
            rename[col] = f"Veränderung BWS {col.rsplit('_', 1)[1]} (Mio. €)"
        elif col.startswith("employment_"):
            rename[col] = "Beschäftigte " + col.split("_", 1)[1].replace("_p05", " (5 %-Quantil)").replace("_p95", " (95 %-Quantil)")
        elif col.startswith("gva_"):
            rename[col] = "BWS (Mio. €) " + col.split("_", 1)[1].replace("_p05", " (5 %-Quantil)").replace("_p95", " (95 %-Quantil)")
    q = quantiles(ds)
    if "quantile" in q.dims:
        q = q.sel(quantile=0.5, drop=True)
    emp = region_total(q["employment"].sum("sector"), ds.attrs["region"])
    by_district = emp.to_pandas()
    by_district.index = [str(n) for n in emp["district_name"].values]
    by_district.index.name = "Kreis"
    sector_names = dict(zip(sectors["sector"], sectors["label_de"], strict=True))
    by_sector = q["employment"].sum("district").to_pandas()
    by_sector.index = [sector_names[s] for s in by_sector.index]
    by_sector.index.name = "Wirtschaftszweig"
    gva_sector = q["gva"].sum("district").to_pandas()
    gva_sector.index = [sector_names[s] for s in gva_sector.index]
    gva_sector.index.name = "Wirtschaftszweig"
    dec = pd.concat([decomposition(ds, y).assign(Jahr=y) for y in (2030, 2035, 2045) if y in ds["year"].values])
    dec = dec.rename(columns={"driver": "Treiber", "district": "Kreis (AGS)", "district_name": "Kreis",
                              "driver_lab": "Lab-Kennung", "driver_lab_label": "Lab / Handlungsfeld",
                              "change": f"Veränderung Beschäftigte gegenüber {base}"})
    meta = pd.DataFrame({"Angabe": ["Szenario", "Region", "Basisjahr", "Ziehungen", "Startwert (Seed)",
                                    "Szenario-Prüfsumme", "Datenstand", "retra-Version", "erstellt"],
                         "Wert": [ds.attrs.get("scenario_title_de"), ds.attrs.get("region_name"), base,
                                  ds.attrs.get("draws"), ds.attrs.get("seed"), ds.attrs.get("scenario_hash"),
                                  ds.attrs.get("data_version"), ds.attrs.get("retra_version"), ds.attrs.get("created")]})
    sheets = {
        "Übersicht": kf.rename(columns=rename),
        "Beschäftigte nach Kreis": by_district.reset_index(),
        "Beschäftigte nach Branche": by_sector.reset_index(),
        "BWS nach Branche (Mio. €)": gva_sector.reset_index(),
        "Zerlegung nach Treiber": dec,
        "Angaben zum Lauf": meta,
    }
    if sources is not None:
        sheets["Quellen"] = sources.rename(columns={"resource": "Tabelle", "source": "Quelle", "publisher": "Herausgeber",
                                                    "year": "Jahr", "url": "Adresse", "licence": "Lizenz",
                                                    "status": "Status"})
    return sheets


def write_results(ds: xr.Dataset, out: Path, *, sectors: pd.DataFrame, sources: pd.DataFrame | None = None,
                  scenario_yaml: str | None = None, force: bool = False,
                  extra_tables: dict[str, pd.DataFrame] | None = None,
                  extra_sheets: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write every export of a run into the folder ``out``, atomically.

    Files: ``results.nc`` (netCDF), ``results.csv`` and ``results.parquet`` (tidy),
    ``results.xlsx`` (Excel), ``results_iamc.csv`` (IAMC), ``scenario.yaml`` (the merged
    scenario that was run) and ``provenance.json``; each of ``extra_tables`` as ``<name>.csv``
    and ``<name>.parquet``, each of ``extra_sheets`` as a further Excel sheet (e.g. the
    future-of-work tables of :mod:`retra_model.labour`).
    """

    def write(tmp: Path) -> None:
        clean = ds.copy()
        clean.attrs = {k: v for k, v in ds.attrs.items()}
        clean.to_netcdf(tmp / "results.nc", engine="h5netcdf")
        table = tidy(ds)
        table.to_csv(tmp / "results.csv", index=False)
        table.to_parquet(tmp / "results.parquet", index=False)
        iamc(ds, sectors).to_csv(tmp / "results_iamc.csv", index=False)
        with pd.ExcelWriter(tmp / "results.xlsx", engine="openpyxl") as xl:
            for name, frame in {**excel_sheets(ds, sectors, sources), **(extra_sheets or {})}.items():
                frame.to_excel(xl, sheet_name=name[:31], index=False)
        for name, frame in (extra_tables or {}).items():  # future of work (labour.future_of_work_tables)
            frame.to_csv(tmp / f"{name}.csv", index=False)
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        if scenario_yaml is not None:
            (tmp / "scenario.yaml").write_text(scenario_yaml, encoding="utf-8")
        prov = {k: ds.attrs.get(k) for k in ("scenario", "scenario_hash", "region", "data_version",
                                             "retra_version", "seed", "draws", "created", "base_year")}
        prov["quantiles"] = list(QUANTILES) if "draw" in ds.dims else None
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, ensure_ascii=False), encoding="utf-8")

    return atomic_dir(Path(out), write, force=force)
