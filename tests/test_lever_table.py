"""The table of levers (``retra_model/levers.csv``) declares every lever once, and what is built
from it follows it: the range checks, the JSON Schema, the explorer's sliders, the random streams
of the engine, the Hypothesis strategies, and ``{distribution: parameter}`` (issue 15)."""

from __future__ import annotations

import csv
import fnmatch

import jsonschema
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retra_model import Scenario, ScenarioError
from retra_model import scenario as scenario_module
from retra_model.apps import levers as lv
from retra_model.engine import Sampler, evaluate
from retra_model.regions import data_root
from retra_model.scenario import _at_pattern, json_schema, lever_table, schema_levers
from retra_model.testing import lever_values

from .conftest import REPO
from .test_scenario import child, one, problems_of

TABLE = lever_table()
PARAMETERS = {r["parameter"]: r for r in csv.DictReader((data_root() / "national" / "parameters.csv").open())}


def test_a_row_with_a_stray_comma_is_refused(tmp_path, monkeypatch):
    """An unquoted comma in a label shifted a row's columns once (``labour.attrition_share``)."""
    bad = tmp_path / "levers.csv"
    text = scenario_module.LEVERS_FILE.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([text[0], text[1] + ",one more"]) + "\n", encoding="utf-8")
    monkeypatch.setattr(scenario_module, "LEVERS_FILE", bad)
    monkeypatch.setattr(scenario_module, "_LEVERS", None)
    with pytest.raises(ValueError, match="trend.half_life"):
        lever_table()


def test_the_attrition_label_is_whole():
    spec = next(s for s in TABLE if s.key == "labour.attrition_share")
    assert spec.label_de == "Anteil der Renteneintritte, die Abbau auffangen"
    assert spec.source.startswith("assumption of the retra team")


def test_sliders_lie_inside_the_bounds_and_have_unique_keys():
    sliders = [s for s in TABLE if s.slider]
    assert len({s.slider.key for s in sliders}) == len(sliders) >= 6
    for spec in sliders:
        sl = spec.slider
        if spec.key.startswith("infrastructure."):  # a factor on the scenario's build-out, not the lever's unit
            assert 0 <= sl.low < 1 < sl.high
            continue
        assert spec.low <= sl.low < sl.high <= spec.high, spec.key
        assert 0 < sl.step <= (sl.high - sl.low) / 10, spec.key
        assert sl.label_de and sl.percent == sl.unit_de.startswith("%")


@pytest.mark.parametrize("name", ["son/infrastructure", "swsn/baseline", "de/baseline"])
def test_the_explorers_sliders_are_the_tables(name):
    sc = Scenario.from_file(REPO / "scenarios" / f"{name}.yaml")
    rows = {s.slider.key: s for s in TABLE if s.slider}
    levers = lv.levers(sc)
    assert [lever.key for lever in levers] == [k for k in rows if k != "infrastructure"
                                               or name.endswith("infrastructure")]
    for lever in levers:
        sl, spec = rows[lever.key].slider, rows[lever.key]
        assert (lever.low, lever.high, lever.step, lever.percent, lever.path) == (sl.low, sl.high, sl.step,
                                                                                  sl.percent, spec.key)
        assert lever.label == sl.label_de.format(year=lv.VOLUME_YEAR)


def test_a_bound_parameter_exists_in_the_levers_unit_and_bounds():
    bound = [s for s in TABLE if s.parameter]
    assert {s.key for s in bound} >= {"input_output.flq_delta", "trend.level_growth"}
    for spec in bound:
        row = PARAMETERS[spec.parameter]
        assert scenario_module._unit_name(row["unit"]) == scenario_module._unit_name(spec.unit), spec.key
        for x in (row["value"], row["low"] or row["value"], row["high"] or row["value"]):
            assert spec.low <= float(x) <= spec.high, spec.key


def test_the_json_schema_carries_the_bounds_of_every_lever():
    schema = json_schema()
    for branch in ("else", "then"):  # a complete file, and one that extends another
        tree = {"$defs": schema["$defs"], **schema[branch]}
        for spec in TABLE:
            node = scenario_module.lever_json_schema_at(tree, spec.pattern)
            assert node["title"] == spec.label_de and spec.key in node["description"]
            if schema_levers()[spec.key].unit_required:  # a text with its unit: the bounds in words
                assert f"between {spec.low:g} and {spec.high:g}" in node["description"]
                continue
            number = next(b for b in node["anyOf"] if b.get("type") == "number")
            assert (number["minimum"], number["maximum"]) == (spec.low, spec.high), spec.key


def test_the_json_schema_refuses_a_value_out_of_bounds():
    data = Scenario.from_file(REPO / "scenarios/son/baseline.yaml").to_dict()
    jsonschema.validate(data, json_schema())
    data["volume"]["productivity_growth"] = 0.5  # 50 %/yr: above the bound 0.15
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


# -- {distribution: parameter} ------------------------------------------------------------------


def test_a_parameter_distribution_takes_its_values_from_the_data(scenario_dir, toy_context):
    path = scenario_dir / "bound.yaml"
    path.write_text(child("input_output:\n  flq_delta: {distribution: parameter, name: flq_delta}\n"
                          "trend:\n  level_growth: {distribution: parameter}\n"))
    sc = Scenario.from_file(path, context=toy_context)
    flq, level = sc.input_output.flq_delta, sc.trend.level_growth
    row = PARAMETERS["flq_delta"]
    assert (flq.low, flq.mode, flq.high) == (float(row["low"]), float(row["value"]), float(row["high"]))
    assert level.name == "national_level_growth" and level.mode == float(PARAMETERS["national_level_growth"]["value"])
    assert "parameters.csv" in flq.source and "Flegg" in flq.source
    again = sc.replace({})  # the filled-in values round-trip
    assert again.digest() == sc.digest()


def test_an_unknown_parameter_is_refused_with_a_suggestion(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("input_output:\n  flq_delta: {distribution: parameter, "
                                            "name: flq_delt}\n"), toy_context))
    assert p.path == "input_output.flq_delta.name" and p.line == 5 and "did you mean 'flq_delta'" in p.message


def test_a_parameter_in_another_unit_is_refused(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("input_output:\n  flq_delta: {distribution: parameter, "
                                            "name: national_level_growth}\n"), toy_context))
    assert p.path == "input_output.flq_delta.name" and "1 per year" in p.message


def test_values_written_beside_a_parameter_must_be_its_own(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("input_output:\n  flq_delta: {distribution: parameter, "
                                            "name: flq_delta, low: 0.1}\n"), toy_context))
    assert p.path == "input_output.flq_delta.low" and "taken from" in p.message


def test_a_lever_without_a_default_row_needs_a_name(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("volume:\n  productivity_growth: {distribution: parameter}\n"),
                        toy_context))
    assert p.path == "volume.productivity_growth" and "needs name" in p.message


def test_a_moved_parameter_becomes_a_triangle(toy_baseline):
    sc = toy_baseline.replace({"input_output": {"flq_delta": {"distribution": "parameter"}}})
    moved = lv.apply(sc, {"flq_delta": 0.4})
    d = moved.input_output.flq_delta
    assert d.distribution == "triangular" and d.mode == 0.4 and d.name is None


def test_a_parameter_draws_like_the_triangle_it_stands_for(toy, toy_baseline):
    bound = toy_baseline.replace({"input_output": {"flq_delta": {"distribution": "parameter"}}})
    row = PARAMETERS["flq_delta"]
    tri = toy_baseline.replace({"input_output": {"flq_delta": {
        "distribution": "triangular", "low": float(row["low"]), "mode": float(row["value"]),
        "high": float(row["high"]), "source": "test"}}})
    a, b = evaluate(bound, toy, Sampler(40, seed=5)), evaluate(tri, toy, Sampler(40, seed=5))
    np.testing.assert_array_equal(a.employment, b.employment)
    const = Sampler(3, seed=1)(toy_baseline.replace({"input_output": {"consumption_share": {
        "distribution": "parameter", "name": "household_consumption_share_of_compensation"}}})
        .input_output.consumption_share, "input_output.consumption_share")
    np.testing.assert_array_equal(const, [0.7434] * 3)


# -- random streams ----------------------------------------------------------------------------


def test_a_lever_not_in_the_table_cannot_be_drawn():
    with pytest.raises(KeyError, match="not declared in levers.csv"):
        Sampler(2, seed=0)(0.5, "trend.no_such_lever")


def test_every_stream_of_every_shipped_scenario_is_a_row(toy):
    from retra_model.uncertainty.sensitivity import uncertain_inputs

    data_streams = ("data.", "posterior:", "trend.shift.", "trend.error.")
    for path in sorted((REPO / "scenarios" / "son").glob("*.yaml")):
        for key in uncertain_inputs(Scenario.from_file(path)):
            if key.startswith(data_streams):
                continue
            assert any(fnmatch.fnmatchcase(key, s.key) for s in TABLE), (path.name, key)


# -- the range check of every lever, generated from the table ---------------------------------


def _value(spec, x: float):
    mark = schema_levers()[spec.key]
    return f"{x!r} {mark.kind.unit}" if mark.unit_required else x


RICH = {"electrification": {"district_lead": {"99001": 1.0}},
        "projects": {"plant": {"label": {"de": "Werk", "en": "Plant"}, "district": "99001", "sector": "vehicles",
                               "jobs": {2030: 100}, "gva_per_job": "80 EUR thousand per job", "head_count": 1000,
                               "output_share": 0.5, "source": "test"}},
        "gva": {"by_sector": {"vehicles": 0.01}},
        "labour": {"attrition_share": 0.5, "task_change_share": 0.7, "population_variant": 0.5,
                   "participation_growth": 0.002},
        "infrastructure": {"items": {"public_ac": {"build_out": {"99001": {2030: 10}}, "capex": "10000 EUR",
                                                   "om": "100 EUR", "om_sector": "construction"}},
                           "ondemand": {"service_hours": {"99001": {2030: 5000}}, "hours_per_job": 1600,
                                        "source": "test"}}}
"""What the toy baseline lacks, so that every row of the table has a place to be checked."""


@pytest.fixture(scope="module")
def rich(toy_context):
    from .conftest import TOY_SCENARIOS

    return Scenario.from_file(TOY_SCENARIOS / "baseline.yaml", context=toy_context).replace(RICH)


def _concrete(scenario, spec):
    paths = [p for p, _ in _at_pattern(scenario.to_dict(), spec.pattern)]
    return paths[0] if paths else None


def _set(path: tuple, value) -> dict:
    changes: dict = {}
    node = changes
    for k in path[:-1]:
        node = node.setdefault(k, {})
    node[path[-1]] = value
    return changes


@pytest.mark.parametrize("spec", TABLE, ids=[s.key for s in TABLE])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_lever_is_checked_against_its_bounds(rich, spec, data):
    """Anywhere inside its bounds a lever validates; beyond them it is refused at its key path."""
    path = _concrete(rich, spec)
    assert path is not None, f"RICH lacks a place for {spec.key}"
    key = ".".join(str(k) for k in path)
    inside = data.draw(lever_values(spec.key), label="inside")
    try:
        rich.replace(_set(path, _value(spec, inside)))
    except ScenarioError as exc:  # only a rule across fields may refuse it (split shares add up to 1)
        assert all(p.path != key for p in exc.problems), exc.problems
    outside = data.draw(st.sampled_from([spec.low - 1 - abs(spec.low), spec.high + 1 + abs(spec.high)]),
                        label="outside")
    with pytest.raises(ScenarioError) as info:
        rich.replace(_set(path, _value(spec, outside)))
    assert any(p.path == key and ("out of range" in p.message or "is above 1" in p.message)
               for p in info.value.problems), info.value.problems
