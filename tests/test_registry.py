"""The drivers' register: one place that says what a driver is; a new driver is one entry."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from retra_model import ScenarioError, engine, run, summary
from retra_model.apps import council
from retra_model.drivers import registry
from retra_model.errors import Problem
from retra_model.regions import load_region
from retra_model.scenario import Scenario

from .conftest import REPO


def test_the_old_names_are_read_from_the_register():
    assert engine.DRIVERS == registry.run_drivers()
    assert engine.DRIVERS == ("trend", "electrification", "volume", "productivity", "projects", "infrastructure",
                              "indirect", "induced", "gva_productivity")
    assert engine.PROPAGATED == ("volume", "projects", "infrastructure")
    assert engine.PAID == ("electrification", "volume", "projects", "infrastructure")
    assert summary.DRIVER_LABELS_DE == registry.labels_de()
    assert council.SECTIONS == registry.sections()
    assert "labour" in summary.DRIVER_LABELS_DE and "labour" not in engine.DRIVERS


def test_every_driver_is_complete():
    names = [s.name for s in registry.specs()]
    assert len(names) == len(set(names))
    for s in registry.specs():
        assert s.kind in registry.KINDS
        assert s.label_de and s.label_en and s.label_de != s.name
        assert s.section in Scenario.model_fields, s.name
        assert registry.labels_en()[s.name] == s.label_en
    assert len(set(registry.labels_de().values())) == len(names)  # no two drivers share a name


@pytest.mark.parametrize("region_id", ["son", "swsn", "de"])
def test_every_region_gives_every_driver_a_lab(region_id):
    labs = load_region(region_id).labs
    assert set(labs["driver"]) == set(registry.run_drivers())


def test_a_new_driver_needs_an_effect():
    with pytest.raises(ValueError, match="kind"):
        registry.DriverSpec("x", "nonsense", None, "X", "X")
    with pytest.raises(ValueError, match="only an additive"):
        registry.DriverSpec("x", "factor", None, "X", "X", effect=lambda *a: 0)
    with pytest.raises(ValueError, match="registered already"):
        registry.register(registry.DriverSpec("trend", "factor", "trend", "T", "T"))


# --- a toy driver: one entry, no other module touched ---------------------------------------

TOY_JOBS = 250.0


def _toy_inputs(scenario, region):
    if "ict" not in region.sector_codes:  # a located error, as validate would report it
        raise ScenarioError([Problem(str(scenario.file or scenario.name), "toy", None, "the region has no ict sector")])
    return {"district": 0, "sector": region.sector_codes.index("ict"), "base": region.base_year}


def _toy_effect(inputs, sampler, years, shape):
    jobs = np.zeros(shape)
    ramp = np.clip((years - inputs["base"]) / 5.0, 0.0, 1.0)  # 0 in the base year, full after five years
    scale = 0.5 + sampler.uniforms("toy.jobs")  # uncertain in an ensemble, 1 at the centre
    jobs[:, inputs["district"], inputs["sector"], :] = TOY_JOBS * scale[:, None] * ramp
    return jobs


@pytest.fixture
def toy_driver(monkeypatch):
    monkeypatch.setattr(registry, "REGISTRY", list(registry.REGISTRY))
    return registry.register(registry.DriverSpec(
        "toy", "additive", "projects", "Spielzeugtreiber", "Toy driver", lab="neue_geschaeftsmodelle",
        inputs=_toy_inputs, effect=_toy_effect))


@pytest.mark.parametrize("draws", [None, 8])
def test_a_registered_toy_driver_runs_and_adds_up(toy, toy_baseline, toy_driver, draws):
    ds = run(toy_baseline, region=toy, draws=draws, seed=1)
    assert list(ds["driver"].values) == [*engine.DRIVERS[:6], "toy", *engine.DRIVERS[6:]]
    # the decomposition still adds up exactly
    for var in ("employment", "gva"):
        total = ds[var] - ds[var].sel(year=toy.base_year)
        parts = ds[f"{var}_change"].sum("driver")
        assert float(abs(parts - total).max()) <= 1e-11 * float(abs(ds[var]).max())
    # it joins the Lab it names, under that Lab's name (not as a Lab of its own)
    lab = ds["driver_lab_label"].sel(driver="toy").item()
    assert lab == ds["driver_lab_label"].sel(driver="projects").item() == "Neue Geschäftsmodelle"


def test_the_toy_driver_changes_only_its_cell(toy, toy_baseline, monkeypatch):
    before = run(toy_baseline, region=toy)
    monkeypatch.setattr(registry, "REGISTRY", list(registry.REGISTRY))
    registry.register(registry.DriverSpec("toy", "additive", "projects", "Spielzeugtreiber", "Toy driver",
                                          lab="neue_geschaeftsmodelle", inputs=_toy_inputs, effect=_toy_effect))
    ds = run(toy_baseline, region=toy)
    d, s = toy.district_codes[0], "ict"
    toy_change = ds["employment_change"].sel(driver="toy")
    assert float(toy_change.sel(district=d, sector=s).isel(year=-1)) == TOY_JOBS
    assert float(abs(toy_change).sum()) == float(abs(toy_change.sel(district=d, sector=s)).sum())
    # neither propagated nor paid: the other drivers and the other cells are untouched
    for k in engine.DRIVERS:
        np.testing.assert_array_equal(ds["employment_change"].sel(driver=k).values,
                                      before["employment_change"].sel(driver=k).values)
    diff = ds["employment"] - before["employment"]
    np.testing.assert_allclose(diff.values, toy_change.values, rtol=0, atol=1e-9)
    # valued at the cell's GVA per employee
    assert float(ds["gva_change"].sel(driver="toy", district=d, sector=s).isel(year=-1)) > 0
    # labels, Lab and section come from the entry
    assert summary.driver_label("toy") == "Spielzeugtreiber"
    assert str(ds["driver_lab"].sel(driver="toy").values) == "neue_geschaeftsmodelle"
    assert summary.lab_labels(ds)[list(ds["driver"].values).index("toy")] == "Neue Geschäftsmodelle"  # its Lab
    assert registry.sections()["toy"] == "projects"
    # the summaries of an ensemble pick it up
    red = summary.summarise_ensemble(run(toy_baseline, region=toy, draws=6, seed=2))
    assert "toy" in red["employment_driver_change"]["driver"].values


def test_check_runs_every_drivers_inputs(toy, toy_baseline, toy_driver, monkeypatch):
    assert registry.check(toy_baseline, toy)["toy"]["sector"] == toy.sector_codes.index("ict")
    monkeypatch.setattr(registry, "REGISTRY", [toy_driver])  # only the toy's inputs
    no_ict = SimpleNamespace(sector_codes=[s for s in toy.sector_codes if s != "ict"], base_year=toy.base_year)
    with pytest.raises(ScenarioError, match="no ict sector"):
        registry.check(toy_baseline, no_ict)


def test_scenario_check_runs_the_drivers_inputs(toy, toy_baseline):
    """What a run would find in the data, ``Scenario.check`` finds without running."""
    assert set(toy_baseline.check(toy)) >= {"infrastructure"}
    sc = toy_baseline.replace({"infrastructure": {"items": {"grid_reinforcement": {
        "build_out": {"99002": {2030: 20}}, "split": {"construction": 1.0}, "regional_share": 0.5,
        "source": "test"}}}})
    with pytest.raises(ScenarioError, match=r"grid_reinforcement\.capex"):
        sc.check(toy)
    ok = sc.replace({"infrastructure": {"items": {"grid_reinforcement": {"capex": "0.5 EUR million"}}}})
    assert "grid_reinforcement" in ok.check(toy)["infrastructure"]["costs"]
    curated = Scenario.from_file(REPO / "scenarios" / "son" / "infrastructure.yaml")
    assert curated.check(load_region("son"))["infrastructure"]["costs"]


@pytest.mark.parametrize("region_id", ["son", "swsn"])
def test_every_curated_scenario_passes_check(region_id):
    region = load_region(region_id)
    with_inputs = {s.name for s in registry.specs() if s.inputs is not None}
    assert {"trend", "electrification", "volume", "projects", "infrastructure", "gva_productivity"} <= with_inputs
    for path in sorted((REPO / "scenarios" / region_id).glob("*.yaml")):
        assert set(Scenario.from_file(path).check(region)) == with_inputs, path.name


def test_the_registers_propagates_decides_what_enters_the_input_output_model(toy, toy_baseline, monkeypatch):
    """Built-in drivers too: with ``propagates`` off for volume, projects and infrastructure, a cut
    of vehicle output and a plant cause no indirect effect (the flag was read for added drivers only)."""
    import dataclasses

    sc = toy_baseline.replace({"volume": {"output_index": {"2030": 0.7, "2045": 0.7}}, "projects": {"plant": {
        "label": {"de": "Werk", "en": "Plant"}, "district": toy.district_codes[0], "sector": "electrical",
        "jobs": {"2030": 500}, "source": "test"}}})
    on = run(sc, region=toy)
    assert float(abs(on["employment_change"].sel(driver="indirect")).sum()) > 0
    monkeypatch.setattr(registry, "REGISTRY", [dataclasses.replace(s, propagates=False) if s.name in
                                               ("volume", "projects", "infrastructure") else s
                                               for s in registry.REGISTRY])
    off = run(sc, region=toy)
    assert float(abs(off["employment_change"].sel(driver="indirect")).sum()) == 0


def test_the_data_builds_driver_list_is_the_registers():
    """``labs.csv``'s enum comes from ``data/build/build_regions.py``; it once lacked ``productivity``."""
    import importlib.util

    from .conftest import REPO

    import sys

    build = REPO / "data" / "build"
    spec = importlib.util.spec_from_file_location("build_regions", build / "build_regions.py")
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(build))  # its helper refdata.py
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(build))
    assert tuple(mod.DRIVERS) == registry.run_drivers()
