"""Base data: both regions load and pass their checks; broken copies fail with file, column and row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from retra_model import DataError, load_region
from retra_model.errors import RegionNotFoundError
from retra_model.regions import known_regions, load_national

REGIONS = ["son", "swsn"]
DISTRICTS = {
    "son": ["03101", "03102", "03103", "03151", "03153", "03154", "03157", "03158"],
    "swsn": ["14511", "14521", "14522", "14523", "14524"],
}


@pytest.mark.parametrize("rid", REGIONS)
def test_region_loads_with_its_districts_and_sectors(rid):
    reg = load_region(rid)
    assert reg.district_codes == DISTRICTS[rid]
    assert len(reg.sector_codes) == 14 and reg.sector_codes[0] == "vehicles"
    assert reg.base_year == 2024
    assert int(reg.totals()["year"].min()) == 2013 and int(reg.totals()["year"].max()) == 2024
    assert reg.employment["value"].attrs["units"] == "persons"
    assert reg.exposure["value"].attrs["units"] == "1"


@pytest.mark.parametrize("rid", REGIONS)
def test_base_year_reproduces_the_published_district_totals(rid):
    reg = load_region(rid).as_of(2020)  # the last year with published WZ groups
    pub = reg.employment_wz.sel(year=reg.base_year)
    sectors = reg.base()
    # published groups that are not suppressed are reproduced exactly
    for group, members in {"A": ["agriculture"], "F": ["construction"], "G-I": ["trade_transport"], "J": ["ict"],
                           "O-Q": ["public_services"], "R-U": ["other_services"]}.items():
        published = pub.sel(wz_group=group)
        ours = sectors.sel(sector=members).sum("sector")
        ok = published.notnull()
        np.testing.assert_array_equal(ours.where(ok, 0).values, published.where(ok, 0).values)
    # TOTAL includes a few persons without WZ code: at most 3 in these districts (2020)
    gap = pub.sel(wz_group="TOTAL") - sectors.sum("sector")
    assert float(abs(gap).max()) <= 3


@pytest.mark.parametrize("rid", REGIONS)
def test_estimates_are_inside_their_ranges_and_shares_are_shares(rid):
    reg = load_region(rid)
    for ds in (reg.employment, reg.exposure, reg.gva_per_employee):
        assert bool((ds["low"] <= ds["value"]).all()) and bool((ds["value"] <= ds["high"]).all())
    assert float(reg.exposure["value"].min()) >= 0 and float(reg.exposure["high"].max()) <= 1
    assert float(reg.employment["value"].min()) >= 0


def test_every_resource_names_its_sources_and_licence():
    for rid in REGIONS:
        reg = load_region(rid)
        for pkg in (reg.package, reg.national.package):
            for res in pkg["resources"]:
                sources = res.get("sources") or pkg.get("sources")
                assert sources, f"{res['name']} has no sources"
                assert res.get("licenses") or pkg.get("licenses"), f"{res['name']} has no licence"
        table = reg.sources()
        assert table["publisher"].str.len().gt(0).any()


def test_national_input_output_table_balances():
    nat = load_national()
    flows = nat.io_flows.pivot(index="row", columns="col", values="value")
    out = nat.io_products.set_index("cpa")["total_output"]
    assert flows.shape == (72, 72)
    assert float(flows.to_numpy().min()) >= 0
    # intermediate inputs never exceed output
    assert bool((flows.sum(axis=0) <= out.reindex(flows.columns) + 1e-6).all())


def test_a_third_region_needs_no_code(toy):
    assert toy.id == "toy" and toy.district_codes == ["99001", "99002"]


def test_unknown_region_says_which_exist():
    with pytest.raises(RegionNotFoundError, match="did you mean 'son'"):
        load_region("sonn")
    assert set(REGIONS) <= set(known_regions())


# --- broken copies ----------------------------------------------------------------------


def _edit(folder, name, fn):
    path = folder / name
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df)
    df.to_csv(path, index=False)
    return path


def _load_error(folder) -> DataError:
    with pytest.raises(DataError) as info:
        load_region(folder)
    return info.value


def test_negative_value_is_named_with_file_column_and_row(toy_copy):
    path = _edit(toy_copy, "employment_sector.csv", lambda df: df.__setitem__("value", df["value"].where(df.index != 7, "-5")))
    err = _load_error(toy_copy)
    p = err.problems[0]
    assert p.file == str(path) and p.path == "value" and p.line == 9 and "below 0" in p.message


def test_unknown_sector_code(toy_copy):
    _edit(toy_copy, "exposure.csv", lambda df: df.__setitem__("sector", df["sector"].replace("ict", "itc")))
    err = _load_error(toy_copy)
    assert any("unknown sector code(s): itc" in p.message and p.path == "sector" for p in err.problems)


def test_share_above_one(toy_copy):
    _edit(toy_copy, "exposure.csv", lambda df: df.__setitem__("high", df["high"].where(df.index != 3, "1.5")))
    err = _load_error(toy_copy)
    assert any(p.path == "high" and p.line == 5 and "above 1" in p.message for p in err.problems)


def test_not_a_number(toy_copy):
    _edit(toy_copy, "gva_per_employee.csv", lambda df: df.__setitem__("value", df["value"].where(df.index != 0, "1.234,5")))
    err = _load_error(toy_copy)
    assert any(p.path == "value" and p.line == 2 and "not a number" in p.message for p in err.problems)


def test_sum_that_no_longer_matches_the_published_figure(toy_copy):
    def bump(df):
        row = (df["year"] == "2020") & (df["district"] == "99001") & (df["sector"] == "metals")
        df.loc[row, ["value", "low", "high"]] = str(int(df.loc[row, "value"].iloc[0]) + 100)

    _edit(toy_copy, "employment_sector.csv", bump)
    err = _load_error(toy_copy)
    assert any("WZ group C add up to" in p.message and "99001 2020" in p.message for p in err.problems)


def test_missing_column_and_missing_file(toy_copy):
    _edit(toy_copy, "labs.csv", lambda df: df.pop("label_de"))
    (toy_copy / "exposure.csv").unlink()
    err = _load_error(toy_copy)
    text = str(err)
    assert "label_de" in text and "column(s) missing" in text
    assert "exposure.csv" in text and "file is missing" in text


def test_estimate_outside_its_range(toy_copy):
    _edit(toy_copy, "gva_per_employee.csv", lambda df: df.__setitem__("low", df["low"].where(df.index != 2, "999")))
    err = _load_error(toy_copy)
    assert any("outside its own low/high range" in p.message and p.line == 4 for p in err.problems)


def test_broken_datapackage_json(toy_copy):
    (toy_copy / "datapackage.json").write_text("{not json", encoding="utf-8")
    err = _load_error(toy_copy)
    assert "not valid JSON" in str(err)


def test_missing_base_year_metadata(toy_copy):
    pkg = json.loads((toy_copy / "datapackage.json").read_text())
    del pkg["retra"]["base_year"]
    (toy_copy / "datapackage.json").write_text(json.dumps(pkg))
    assert "retra.base_year" in str(_load_error(toy_copy))


def test_a_newer_base_year_needs_no_code(toy_copy):
    """The base year is a property of the data: moving it to 2019 changes the run's first year."""
    pkg = json.loads((toy_copy / "datapackage.json").read_text())
    pkg["retra"]["base_year"] = 2019
    (toy_copy / "datapackage.json").write_text(json.dumps(pkg))
    reg = load_region(toy_copy)
    assert reg.base_year == 2019
    assert int(reg.base().sum()) == int(reg.employment["value"].sel(year=2019).sum())


@pytest.mark.parametrize("rid", REGIONS)
def test_base_year_2024_adds_up_to_the_observed_district_totals(rid):
    """The sector nowcast 2021-2024 adds up exactly to the BA district totals (employment_total)."""
    reg = load_region(rid)
    totals = reg.totals().sel(year=slice(2021, 2024))
    sectors = reg.employment["value"].sel(year=slice(2021, 2024)).sum("sector")
    np.testing.assert_array_equal(sectors.transpose("district", "year").values,
                                  totals.transpose("district", "year").values)
    ds = reg.employment.sel(year=2024)
    assert bool(((ds["low"] <= ds["value"]) & (ds["value"] <= ds["high"])).all())


def test_as_of_keeps_2020_loadable_and_carries_tables_forward():
    reg = load_region("son")
    past = reg.as_of(2020)
    assert past.base_year == 2020 and int(past.employment["year"].max()) == 2020
    assert int(past.totals()["year"].max()) == 2020
    # population is shipped to 2020: the 2020 rows stand in for the base year 2024, marked as such
    pop = reg.tables["population"]
    stand_in = pop[pop["year"] == 2024]
    assert not stand_in.empty and set(stand_in["year_observed"]) == {2020}
    # occupations are shipped to 2024: no stand-in
    occ = reg.tables["occupations"]
    assert set(occ.loc[occ["year"] == 2024, "year_observed"]) == {2024}


def test_de_totals_map_to_gebietsstand_2020():
    """Hanau is inside Main-Kinzig, Eisenach and the Wartburgkreis are split again; Germany's total is kept."""
    import pandas as pd

    de = load_region("de")
    t = de.totals()
    assert t.sizes["district"] == 401 and "06415" not in de.district_codes
    raw = pd.read_csv(de.folder / "employment_total.csv", dtype={"district": str})
    assert len(raw) == 401 * 12
    # Germany 2024: 34.83 million (BA official 34,837,102; the occupation sum is within 0.1 %)
    assert abs(float(t.sel(year=2024).sum()) / 34_837_102 - 1) < 1e-3


# --- the descriptor is the schema (issue 15) -----------------------------------------------------


def test_a_duplicate_primary_key_is_named(toy_copy):
    path = _edit(toy_copy, "exposure.csv", lambda df: df.__setitem__("sector", df["sector"].where(df.index != 1, df["sector"][0])))
    err = _load_error(toy_copy)
    assert any(p.file == str(path) and p.path == "district, sector" and p.line == 3 and "same key" in p.message
               for p in err.problems), err.problems


def test_the_checks_follow_the_descriptor(toy_copy):
    """A constraint written into datapackage.json is checked, with no code changed (the loader
    declares no columns of its own). Unchanged, the copy loads (test_a_third_region_needs_no_code)."""
    pkg = json.loads((toy_copy / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["name"] == "gva_per_employee")
    field = next(f for f in res["schema"]["fields"] if f["name"] == "value")
    field.setdefault("constraints", {})["maximum"] = 50
    (toy_copy / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    err = _load_error(toy_copy)
    assert any(p.path == "value" and "above 50" in p.message for p in err.problems), err.problems


def test_every_declared_constraint_names_a_described_field():
    """``data/build/inputs/field_constraints.json`` names only resources and fields some descriptor
    has, and every shipped descriptor carries what it declares (``apply_constraints.py`` ran)."""
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data"
    wanted = json.loads((data / "build" / "inputs" / "field_constraints.json").read_text(encoding="utf-8"))
    seen: set[tuple[str, str]] = set()
    for pkg_path in [data / "national" / "datapackage.json", *sorted(data.glob("regions/*/datapackage.json"))]:
        for res in json.loads(pkg_path.read_text(encoding="utf-8"))["resources"]:
            for f in res.get("schema", {}).get("fields", []):
                spec = wanted.get(res["name"], {}).get(f["name"])
                if spec is None:
                    continue
                seen.add((res["name"], f["name"]))
                con = f.get("constraints", {})
                assert all(con.get(k) == spec[k] for k in ("required", "minimum", "maximum") if k in spec), (pkg_path, f)
                assert f.get("codelist") == spec.get("codelist"), (pkg_path, f)
    declared = {(r, f) for r, fields in wanted.items() for f in fields}
    assert declared == seen, sorted(declared - seen)


def test_regions_from_the_disk_cache_share_one_national_package(tmp_path):
    """A region read back from the disk cache gets the process's national package, as a freshly
    checked one does (each cached file held a copy of its own: son and swsn did not share it)."""
    import os
    import subprocess
    import sys

    code = ("from retra_model.regions import load_region; a, b = load_region('son'), load_region('swsn'); "
            "print(a.national is b.national, a.national is not None)")
    env = {**os.environ, "RETRA_CACHE_DIR": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
            for _ in range(2)]  # the first fills the cache, the second reads it
    assert [r.stdout.split() for r in runs] == [["True", "True"]] * 2, [r.stderr[-500:] for r in runs]
    assert len(list((tmp_path / "regions").glob("*.pkl"))) == 2
