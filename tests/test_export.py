"""Exports: atomic results folders, the tidy table and its round trip, Excel, IAMC for pyam."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from retra_model import run
from retra_model.errors import OutputExistsError
from retra_model.export import TIDY_COLUMNS, atomic_dir, iamc, tidy, write_results


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
    assert set(table["unit"]) == {"persons", "EUR million"}


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
