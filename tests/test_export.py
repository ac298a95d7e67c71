"""Exports: atomic results folders, the tidy table and its round trip, Excel, IAMC for pyam."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from retra_model import run
from retra_model.errors import OutputExistsError
from retra_model.export import TIDY_COLUMNS, atomic_dir, iamc, tidy, write_results
from retra_model.results import QUANTILES, money_unit, summary_text


@pytest.fixture(scope="module")
def results(toy, toy_baseline):
    return run(toy_baseline, region=toy)


def test_results_folder_is_complete_and_provenance_is_there(tmp_path, toy, results):
    out = write_results(results, tmp_path / "run", sectors=toy.national.sectors, scenario_yaml="a: 1\n")
    names = {p.name for p in out.iterdir()}
    assert names == {"results.nc", "results.csv", "results.parquet", "results.xlsx", "results_iamc.csv",
                     "scenario.yaml", "provenance.json"}
    back = xr.open_dataset(out / "results.nc", engine="h5netcdf")
    for key in ("scenario_hash", "data_version", "retra_version", "seed", "created"):
        assert key in back.attrs
    np.testing.assert_allclose(back["employment"].values, results["employment"].values)
    back.close()


def test_existing_folder_is_not_overwritten_without_force(tmp_path, toy, results):
    out = tmp_path / "run"
    write_results(results, out, sectors=toy.national.sectors)
    (out / "marker").write_text("old")
    with pytest.raises(OutputExistsError, match="--force"):
        write_results(results, out, sectors=toy.national.sectors)
    assert (out / "marker").exists()
    write_results(results, out, sectors=toy.national.sectors, force=True)
    assert not (out / "marker").exists()


def test_an_interrupted_write_leaves_nothing_that_looks_complete(tmp_path):
    def crash(tmp):
        (tmp / "results.csv").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_dir(tmp_path / "run", crash)
    assert list(tmp_path.iterdir()) == []


def _broken_excel(target, sheets, **kw):
    (target.parent / "results.xlsx").write_text("half")
    raise ValueError("the workbook is broken")


@pytest.mark.parametrize("serial", ["0", "1"])
def test_an_error_writing_the_excel_file_beside_the_others_reaches_the_caller(tmp_path, toy, results, monkeypatch,
                                                                               serial):
    """The workbook is written in a second process (RETRA_SERIAL=1: here): its error is raised
    here, with its type and message, and no results folder appears."""
    from retra_model import export

    monkeypatch.setenv("RETRA_SERIAL", serial)
    monkeypatch.setattr(export, "write_excel", _broken_excel)  # a forked process inherits the patch
    with pytest.raises(ValueError, match="the workbook is broken"):
        write_results(results, tmp_path / "run", sectors=toy.national.sectors)
    assert list(tmp_path.iterdir()) == []


def _broken_tidy(ds):
    raise ValueError("the table is broken")


def test_an_error_here_stops_the_second_process_before_the_folder_is_removed(tmp_path, toy, results, monkeypatch):
    """The tables fail while the second process writes the workbook: it is stopped first, so that
    nothing, not even a hidden half-written folder, is left."""
    from retra_model import export

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.delenv("RETRA_SERIAL", raising=False)
    monkeypatch.setattr(export, "tidy", _broken_tidy)
    with pytest.raises(ValueError, match="the table is broken"):
        write_results(results, tmp_path / "run", sectors=toy.national.sectors)
    assert list(tmp_path.iterdir()) == []


def test_the_writer_process_writes_what_it_is_sent_and_raises_its_errors_on_wait(tmp_path, monkeypatch):
    from pathlib import Path

    from retra_model.writer import Writer

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.delenv("RETRA_SERIAL", raising=False)
    with Writer() as w:
        assert w.forked
        w.submit(Path.write_text, tmp_path / "a.txt", "one")
        w.submit(Path.read_text, tmp_path / "missing.txt")
        w.submit(Path.write_text, tmp_path / "b.txt", "two")
        with pytest.raises(FileNotFoundError, match="missing.txt"):
            w.wait()
        w.wait()  # nothing left to wait for
    assert (tmp_path / "a.txt").read_text() == "one" and (tmp_path / "b.txt").read_text() == "two"


def test_a_run_writes_the_same_files_with_and_without_the_second_process(tmp_path, toy, results, monkeypatch):
    for serial in ("0", "1"):
        monkeypatch.setenv("RETRA_SERIAL", serial)
        write_results(results, tmp_path / serial, sectors=toy.national.sectors)
    for name in ("results.csv", "results_iamc.csv"):
        assert (tmp_path / "0" / name).read_bytes() == (tmp_path / "1" / name).read_bytes()
    a = xr.load_dataset(tmp_path / "0" / "results.nc", engine="h5netcdf")
    b = xr.load_dataset(tmp_path / "1" / "results.nc", engine="h5netcdf")
    xr.testing.assert_identical(a, b)
    assert pd.read_excel(tmp_path / "0" / "results.xlsx", sheet_name=None).keys() == \
        pd.read_excel(tmp_path / "1" / "results.xlsx", sheet_name=None).keys()


def test_tidy_table_has_the_fixed_columns_and_round_trips(results):
    table = tidy(results)
    assert list(table.columns) == TIDY_COLUMNS
    emp = table[(table["variable"] == "employment") & (table["sector"] != "total") & (table["region"] != "toy")]
    back = emp.set_index(["region", "sector", "year"])["value"].to_xarray().rename(region="district")
    back = back.sel(district=results["district"], sector=results["sector"])
    np.testing.assert_allclose(back.transpose("district", "sector", "year").values,
                               results["employment"].transpose("district", "sector", "year").values)
    total = table[(table["variable"] == "employment") & (table["sector"] == "total") & (table["region"] == "toy")]
    np.testing.assert_allclose(total.sort_values("year")["value"].values,
                               results["employment"].sum(["district", "sector"]).values)
    assert set(table["unit"]) == {"persons", money_unit(results)}


def test_ensemble_tidy_table_has_ordered_quantiles(toy, toy_baseline):
    ens = run(toy_baseline, region=toy, draws=40, seed=2)
    table = tidy(ens)
    assert list(table.columns) == [*TIDY_COLUMNS, "quantile"]
    sub = table[(table["variable"] == "employment") & (table["sector"] == "total") & (table["region"] == "toy")
                & (table["year"] == 2040)].sort_values("quantile")
    assert sub["quantile"].tolist() == [0.05, 0.25, 0.5, 0.75, 0.95]
    assert sub["value"].is_monotonic_increasing


def test_iamc_file_is_read_by_pyam(tmp_path, toy, results):
    pyam = pytest.importorskip("pyam")
    path = tmp_path / "iamc.csv"
    iamc(results, toy.national.sectors).to_csv(path, index=False)
    df = pyam.IamDataFrame(str(path))
    assert "Employment" in df.variable and "Employment|Motor vehicles and parts" in df.variable
    total = df.filter(variable="Employment", region="toy", year=2020).timeseries().iloc[0, 0]
    assert total == pytest.approx(float(results["employment"].sel(year=2020).sum()))


def test_excel_has_german_sheets(tmp_path, toy, results):
    out = write_results(results, tmp_path / "x", sectors=toy.national.sectors)
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"Übersicht", "Beschäftigte nach Kreis", "Zerlegung nach Treiber", "Angaben zum Lauf"} <= set(sheets)
    assert "Kreis" in sheets["Übersicht"].columns


# --- ensemble aggregates from the draws, one unit string, the figure shown (issue 19) -------------


@pytest.fixture(scope="module")
def ensemble(toy, toy_baseline):
    return run(toy_baseline, region=toy, draws=200, seed=3)


def _expected(ens: xr.Dataset, variable: str, district: str | None, sector: str | None,
              driver: str | None = None) -> np.ndarray:
    """Quantiles of an aggregate computed from the draws [variable's unit], by year."""
    da = ens[variable]
    if driver is not None:
        da = da.sel(driver=driver) if driver != "total" else da.sum("driver")
    da = da.sum("district") if district is None else da.sel(district=district)
    da = da.sum("sector") if sector is None else da.sel(sector=sector)
    return da.quantile(list(QUANTILES), "draw").transpose("quantile", "year").values


@pytest.mark.parametrize("variable, region, sector, driver", [
    ("employment", "toy", "total", None),          # districts and sectors → region total
    ("employment", "toy", "vehicles", None),       # districts → region
    ("employment", "99001", "total", None),        # sectors → district total
    ("gva", "toy", "total", None),
    ("employment_change", "toy", "total", "total"),  # drivers → total
    ("employment_change", "toy", "total", "electrification"),
])
def test_ensemble_aggregates_are_quantiles_of_the_summed_draws(ensemble, variable, region, sector, driver):
    table = tidy(ensemble)
    name = variable if driver is None else f"{variable}|{driver}"
    sub = table[(table["variable"] == name) & (table["region"] == region) & (table["sector"] == sector)]
    got = sub.pivot(index="quantile", columns="year", values="value").values
    want = _expected(ensemble, variable, None if region == "toy" else region, None if sector == "total" else sector,
                     driver)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_region_band_is_narrower_than_the_sum_of_district_bands(ensemble):
    """The mistake this guards against: summing per-district quantiles gives a band far too wide."""
    table = tidy(ensemble)
    emp = table[(table["variable"] == "employment") & (table["sector"] == "total") & (table["year"] == 2035)]
    width = lambda t: float(t[t["quantile"] == 0.95]["value"].sum() - t[t["quantile"] == 0.05]["value"].sum())  # noqa: E731
    assert width(emp[emp["region"] == "toy"]) < width(emp[emp["region"] != "toy"])


def test_iamc_of_an_ensemble_carries_the_quantile_and_pyam_reads_it(tmp_path, toy, ensemble):
    pyam = pytest.importorskip("pyam")
    path = tmp_path / "iamc.csv"
    iamc(ensemble, toy.national.sectors).to_csv(path, index=False)
    df = pyam.IamDataFrame(str(path))
    assert df.extra_cols == ["quantile"]
    ts = df.filter(variable="Employment", region="toy").timeseries()
    got = ts.reset_index().set_index("quantile").sort_index().drop(
        columns=["model", "scenario", "region", "variable", "unit"]).values
    np.testing.assert_allclose(got, _expected(ensemble, "employment", None, None), rtol=1e-9)


def test_one_unit_string_for_value_added_in_every_file(tmp_path, toy, ensemble):
    pyam = pytest.importorskip("pyam")
    out = write_results(ensemble, tmp_path / "e", sectors=toy.national.sectors)
    unit = money_unit(ensemble)
    assert unit.startswith("EUR_") and unit.endswith(" million")
    csv = pd.read_csv(out / "results.csv", dtype={"region": str})
    assert set(csv[csv["variable"].str.startswith("gva")]["unit"]) == {unit}
    assert set(pd.read_parquet(out / "results.parquet").query("variable == 'gva'")["unit"]) == {unit}
    assert set(pyam.IamDataFrame(str(out / "results_iamc.csv")).filter(variable="Value Added*").unit) == {unit}
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as nc:
        assert nc["gva"].attrs["units"] == nc["gva_change"].attrs["units"] == unit
    meta = pd.read_excel(out / "results.xlsx", sheet_name="Angaben zum Lauf").set_index("Angabe")["Wert"]
    assert unit in meta["Einheit Wertschöpfung"]


def test_summary_and_excel_say_which_figure_is_shown(tmp_path, toy, results, ensemble):
    assert "Median von 200 Ziehungen" in summary_text(ensemble) and "nicht linear" in summary_text(ensemble)
    assert "deterministischer Lauf" in summary_text(results)
    out = write_results(ensemble, tmp_path / "f", sectors=toy.national.sectors)
    meta = pd.read_excel(out / "results.xlsx", sheet_name="Angaben zum Lauf").set_index("Angabe")["Wert"]
    assert "Median von 200 Ziehungen" in meta["Gezeigte Zahl"]
    band = pd.read_excel(out / "results.xlsx", sheet_name="Bänder Region").set_index("Jahr")
    np.testing.assert_allclose(band[["Beschäftigte 5 %", "Beschäftigte 95 %"]].values.T,
                               _expected(ensemble, "employment", None, None)[[0, 4]], rtol=1e-9)


# --- council-ready Excel (issue 19) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def council_run(toy, toy_baseline):
    sc = toy_baseline.replace({
        "projects": {"plant": {"label": {"de": "Zellfabrik", "en": "Cell plant"}, "district": "99001",
                               "sector": "electrical", "jobs": {2025: 0, 2030: 500}, "source": "test source"}},
        "infrastructure": {"items": {"public_ac": {"build_out": {"99001": {2030: 200}}}}},
    })
    return sc, run(sc, region=toy, draws=30, seed=1)


def test_council_excel(tmp_path, toy, council_run):
    import openpyxl

    from retra_model.scenario import _at_pattern, lever_table

    sc, ens = council_run
    out = write_results(ens, tmp_path / "c", sectors=toy.national.sectors, sources=toy.sources(), scenario=sc,
                        region=toy, extra={"Qualifizierungsbedarf": pd.DataFrame({"Kreis": ["A"], "Personen": [1.0]})})
    book = openpyxl.load_workbook(out / "results.xlsx")
    assert len(book.chartsheets) >= 1
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    for name in ("Annahmen", "Bänder Region", "Kreis x Branche", "BWS nach Kreis", "Projekte", "Infrastruktur",
                 "Zerlegung nach Treiber", "Qualifizierungsbedarf", "Quellen"):
        assert name in sheets, name
    assert (out / "qualifizierungsbedarf.csv").exists()
    # every lever once, with unit, distribution and source; the narrative in German
    data = sc.to_dict()
    n_levers = sum(1 for spec in lever_table() for _ in _at_pattern(data, spec.pattern))
    ass = sheets["Annahmen"]
    assert len(ass) == n_levers + 2 and sc.narrative.de.split()[0] in str(ass["Wert"].iloc[1])
    assert ass["Einheit"].iloc[2:].notna().all() and ass["Quelle"].iloc[2:].notna().all()
    assert set(ass["Verteilung"].iloc[2:].str.split(":").str[0]) <= {"fest", "Dreieck", "Gleichverteilung",
                                                                       "Normalverteilung", "kalibrierte Verteilung (PyMC)"}
    # per-project rows, investment beside jobs, German driver names, 50 % and 90 % bands
    assert sheets["Projekte"]["Arbeitsplätze 2030"].tolist() == [500]
    infra = sheets["Infrastruktur"]
    assert infra["Investition gesamt (Mio. €)"].sum() > 0 and "Arbeitsplätze durch Infrastruktur (Median)" in infra
    assert not set(sheets["Zerlegung nach Treiber"]["Treiber"]) & set(ens["driver"].values.tolist())
    assert {"Beschäftigte 5 %", "Beschäftigte 25 %", "Beschäftigte 75 %", "Beschäftigte 95 %"} <= set(sheets["Bänder Region"])
    # frozen headers, thousands format, no 15-digit General numbers
    for ws in book.worksheets:
        assert ws.freeze_panes in ("A2", "B2"), ws.title
    ws = book["Beschäftigte nach Kreis"]
    assert ws["B2"].number_format == "#,##0" and ws["B1"].font.bold


def test_compare_writes_an_excel_workbook(tmp_path, capsys):
    from retra_model.cli import main

    from .conftest import REPO

    out = tmp_path / "vergleich.xlsx"
    assert main(["compare", str(REPO / "scenarios/son/baseline.yaml"), str(REPO / "scenarios/son/powerco.yaml"),
                 "--year", "2030", "--out", str(out)]) == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"Vergleich nach Treiber", "Kennzahlen Region", "Annahmen im Vergleich"} <= set(sheets)
    dec = sheets["Vergleich nach Treiber"].set_index("Treiber")
    assert "Projekte und Programme" in dec.index and "Alle Treiber" in dec.index
    np.testing.assert_allclose(dec.drop(index="Alle Treiber").sum().values, dec.loc["Alle Treiber"].values)


def test_key_years_come_from_the_regions_data_package(tmp_path, toy_baseline):
    """A region that names other key years (``retra.key_years``) gets them in every summary."""
    import json
    import shutil

    from retra_model import results
    from retra_model.regions import load_region

    from .conftest import TOY

    folder = tmp_path / "toy"
    shutil.copytree(TOY, folder)
    pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    pkg["retra"]["key_years"] = [2028, 2040]
    (folder / "datapackage.json").write_text(json.dumps(pkg, ensure_ascii=False), encoding="utf-8")
    region = load_region(folder)
    assert region.key_years == (2028, 2040)
    ds = run(toy_baseline, region=region)
    assert results.key_years(ds) == (2028, 2040)
    kf = results.key_figures(ds)
    assert "employment_2028" in kf and "employment_2040" in kf and "employment_2035" not in kf
    assert "Δ 2028" in results.summary_text(ds) and "Δ 2035" not in results.summary_text(ds)
    # a region without them: the default
    assert results.key_years(run(toy_baseline, region=load_region(TOY))) == results.KEY_YEARS


@pytest.mark.parametrize("bad", [[2040, 2030], [2030, 2030], [1999], [2100], ["2030"], 2030])
def test_key_years_outside_the_horizon_or_out_of_order_are_refused(tmp_path, bad):
    import json
    import shutil

    from retra_model.errors import DataError
    from retra_model.regions import load_region

    from .conftest import TOY

    folder = tmp_path / "toy"
    shutil.copytree(TOY, folder)
    pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    pkg["retra"]["key_years"] = bad
    (folder / "datapackage.json").write_text(json.dumps(pkg, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataError, match=r"datapackage.json.*retra\.key_years"):
        load_region(folder)


def test_the_shipped_regions_name_their_key_years():
    from retra_model.regions import load_region

    for rid in ("son", "swsn", "de"):
        assert load_region(rid).key_years == (2030, 2035, 2045)
