"""Scenario files: every shipped file validates; every mistake gets a located, plain message."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retra_model import Scenario, ScenarioError
from retra_model.scenario import value_of
from retra_model.errors import Problem, RetraWarning

from .conftest import REPO

SHIPPED = sorted((REPO / "scenarios").rglob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(REPO)) for p in SHIPPED])
def test_every_shipped_scenario_validates(path):
    sc = Scenario.from_file(path)
    assert sc.title.de and sc.title.en and sc.narrative.de and sc.narrative.en
    assert sc.region == path.parent.name


def problems_of(scenario_dir: Path, text: str, context: dict, name: str = "bad.yaml") -> list[Problem]:
    path = scenario_dir / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        Scenario.from_file(path, context=context)
    return info.value.problems


def child(body: str) -> str:
    """A small scenario extending the toy baseline, with ``body`` appended."""
    return ("extends: baseline.yaml\ntitle: {de: Test, en: Test}\nnarrative: {de: Test, en: Test}\n" + body)


def one(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_unknown_key_suggests_the_right_one(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("electrification:\n  bev:\n    midpoint_yaer: 2030\n"), toy_context))
    assert p.path == "electrification.bev.midpoint_yaer"
    assert p.line == 6 and p.file.endswith("bad.yaml")
    assert "did you mean 'midpoint_year'" in p.message


def test_percentage_where_a_share_is_expected(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("electrification:\n  bev:\n    ceiling: 45\n"), toy_context))
    assert p.path == "electrification.bev.ceiling" and p.line == 6
    assert "0.45" in p.message


def test_share_below_zero(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("electrification:\n  phev:\n    peak_share: -0.1\n"), toy_context))
    assert "out of range" in p.message and "between 0 and 1" in p.message


def test_percent_with_unit_is_accepted(scenario_dir, toy_context):
    path = scenario_dir / "ok.yaml"
    path.write_text(child("electrification:\n  bev:\n    ceiling: '45 %'\n"), encoding="utf-8")
    assert Scenario.from_file(path, context=toy_context).electrification.bev.ceiling == pytest.approx(0.45)


def test_comma_decimal(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("electrification:\n  bev:\n    ceiling: 0,45\n"), toy_context))
    assert "decimal point" in p.message and "0.45" in p.message


def test_year_outside_the_horizon_and_before_the_base_year(scenario_dir, toy_context):
    body = ("projects:\n  p:\n    label: {de: a, en: a}\n    district: '99001'\n    sector: ict\n"
            "    jobs: {2019: 0, 2050: 10}\n    source: test\n")
    probs = problems_of(scenario_dir, child(body), toy_context)
    messages = " | ".join(p.message for p in probs)
    assert "before the base year 2020" in messages and "the model runs to 2045" in messages
    assert {p.line for p in probs} == {9}


def test_end_year_after_the_data_horizon(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("end_year: 2060\n"), toy_context))
    assert p.path == "end_year" and "2045" in p.message


def test_unknown_and_misspelled_district(scenario_dir, toy_context):
    body = "electrification:\n  district_lead: {'99003': 2, Autostadt: 1, 99001: 1}\n"
    probs = problems_of(scenario_dir, child(body), toy_context)
    text = " | ".join(p.message for p in probs)
    assert "unknown district '99003'; did you mean '9900" in text
    assert "write the district code, not its name: \"99001\"" in text
    assert 'in quotes, e.g. "99001"' in text
    assert len(probs) == 3


def test_unknown_sector(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("volume:\n  sectors: [vehicels]\n"), toy_context))
    assert "unknown sector 'vehicels'" in p.message and "did you mean 'vehicles'" in p.message


def test_wrong_unit_and_missing_unit(scenario_dir, toy_context):
    body = ("gva:\n  productivity_growth: '2 km'\n"
            "projects:\n  p:\n    label: {de: a, en: a}\n    district: '99001'\n    sector: ict\n"
            "    jobs: {2025: 10}\n    gva_per_job: 95\n    source: test\n")
    probs = problems_of(scenario_dir, child(body), toy_context)
    text = " | ".join(f"{p.path}: {p.message}" for p in probs)
    assert "'km' is not a unit for a rate per year" in text
    assert "projects.p.gva_per_job: write the unit too" in text


def test_ramp_that_ends_before_it_starts_is_sorted_not_reversed(toy_context, toy_baseline):
    # a ramp is a set of (year, jobs) points; their order in the file does not matter
    sc = toy_baseline.replace({"projects": {"p": {"label": {"de": "a", "en": "a"}, "district": "99001",
                                                  "sector": "ict", "jobs": {2030: 100, 2025: 0}, "source": "test"}}})
    assert list(sc.projects["p"].jobs) == [2025, 2030]


def test_every_offender_is_listed_at_once(scenario_dir, toy_context):
    body = "electrification:\n  bev:\n    ceiling: 45\n    midpoint_yaer: 2030\nvolume:\n  sectors: [cars]\n"
    probs = problems_of(scenario_dir, child(body), toy_context)
    assert len(probs) == 3
    assert [p.line for p in probs] == sorted(p.line for p in probs)


def test_missing_required_key_in_a_file_without_parent(scenario_dir, toy_context):
    text = (scenario_dir / "baseline.yaml").read_text().replace("end_year: 2045\n", "")
    p = one(problems_of(scenario_dir, text, toy_context))
    assert p.path == "end_year" and "missing" in p.message


@pytest.mark.parametrize(
    ("extends", "expected"),
    [
        ("nothere.yaml", "does not exist"),
        ("../../../etc/passwd", "outside the scenarios folder"),
        ("/etc/passwd", "outside the scenarios folder"),
    ],
)
def test_bad_extends(scenario_dir, toy_context, extends, expected):
    text = child("").replace("extends: baseline.yaml", f"extends: {extends}")
    p = one(problems_of(scenario_dir, text, toy_context))
    assert p.path == "extends" and p.line == 1 and expected in p.message


def test_circular_extends(scenario_dir, toy_context):
    (scenario_dir / "a.yaml").write_text(child("").replace("baseline.yaml", "b.yaml"))
    (scenario_dir / "b.yaml").write_text(child("").replace("baseline.yaml", "a.yaml"))
    with pytest.raises(ScenarioError, match="circle: a.yaml → b.yaml → a.yaml"):
        Scenario.from_file(scenario_dir / "a.yaml", context=toy_context)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"# only a comment\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("region: tóy\n".encode("latin-1"), "not UTF-8"),
        (b"region: [unclosed\n", "not valid YAML"),
        (b"- a\n- b\n", "set of keys"),
        (b"a: 1\na: 2\n", "appears twice"),
        (b"title: !!python/object/apply:os.system ['echo hacked']\n", "tags"),
        (b"a: &x [1, 2]\nb: *x\n", "anchors"),
        (b'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n', "anchors"),
    ],
    ids=["empty", "comment-only", "binary", "latin-1", "not-yaml", "a-list", "duplicate-keys", "python-tag",
         "alias", "billion-laughs"],
)
def test_broken_files(scenario_dir, toy_context, content, expected):
    path = scenario_dir / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as info:
        Scenario.from_file(path, context=toy_context)
    assert expected in str(info.value)
    assert str(path) in str(info.value)


def test_huge_file_is_refused_before_parsing(scenario_dir, toy_context):
    path = scenario_dir / "huge.yaml"
    path.write_text("a: " + "x" * (300 * 1024), encoding="utf-8")
    with pytest.raises(ScenarioError, match="at most"):
        Scenario.from_file(path, context=toy_context)


def test_yaml_tag_is_never_executed(scenario_dir, toy_context, tmp_path):
    marker = tmp_path / "executed"
    path = scenario_dir / "evil.yaml"
    path.write_text(f"title: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(ScenarioError):
        Scenario.from_file(path, context=toy_context)
    assert not marker.exists()


def test_error_lines_point_into_the_file_that_has_the_problem(scenario_dir, toy_context):
    (scenario_dir / "mid.yaml").write_text(child("volume:\n  sectors: [cars]\n"))
    path = scenario_dir / "leaf.yaml"
    path.write_text(child("").replace("baseline.yaml", "mid.yaml"))
    with pytest.raises(ScenarioError) as info:
        Scenario.from_file(path, context=toy_context)
    p = one(info.value.problems)
    # the user's file is named (that is where they can act), with the origin of the inherited value
    assert p.file.endswith("leaf.yaml") and p.path == "volume.sectors.0"
    assert "inherited from" in p.message and "mid.yaml:5" in p.message and "override it here" in p.message


def test_json_schema_is_exported():
    schema = Scenario.model_json_schema()
    assert {"trend", "electrification", "volume", "projects", "gva"} <= set(schema["properties"])
    assert schema.get("additionalProperties") is False


def test_digest_ignores_layout_but_not_values(toy_baseline):
    same = toy_baseline.replace({})
    other = toy_baseline.replace({"volume": {"productivity_growth": 0.02}})
    assert same.digest() == toy_baseline.digest() != other.digest()


shares = st.floats(min_value=0, max_value=1, allow_nan=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ceiling=shares, peak=shares, mid=st.integers(2020, 2045), prod=st.floats(-0.05, 0.05),
       idx=st.floats(0, 3), lead=st.floats(-10, 10))
def test_scenario_yaml_round_trip(toy_baseline, ceiling, peak, mid, prod, idx, lead):
    with warnings.catch_warnings():  # implausible but allowed values round-trip too
        warnings.simplefilter("ignore", RetraWarning)
        _round_trip(toy_baseline, ceiling, peak, mid, prod, idx, lead)


def _round_trip(toy_baseline, ceiling, peak, mid, prod, idx, lead):
    sc = toy_baseline.replace({
        "electrification": {"bev": {"ceiling": ceiling, "midpoint_year": mid}, "phev": {"peak_share": peak},
                            "district_lead": {"99001": lead}},
        "volume": {"productivity_growth": prod, "output_index": {2030: idx}},
    })
    again = Scenario.from_dict(yaml.safe_load(sc.to_yaml()), context=sc._context)
    assert again.model_dump() == sc.model_dump()
    assert again.digest() == sc.digest()


# --- numbers a German reader writes, and the plausible range of every lever (issue 19) ----------


@pytest.mark.parametrize("written, readings", [
    ("{2032: 4.000}", ("4", "4000")),                       # YAML reads 4.000 as 4.0
    ("{2032: '4.000'}", ("4", "4000")),
    ("{2032: '1.200.000'}", ("1200000",)),
    ("{2032: '4,000'}", ("4", "4000")),
])
def test_grouped_thousands_are_refused_with_both_readings(scenario_dir, toy_context, written, readings):
    body = ("projects:\n  plant:\n    label: {de: Werk, en: Plant}\n    district: '99001'\n"
            f"    sector: vehicles\n    jobs: {written}\n    source: test source\n")
    p = one(problems_of(scenario_dir, child(body), toy_context))
    assert p.path == "projects.plant.jobs.2032" and p.line == 9
    assert all(r in p.message for r in readings) and "separator" in p.message


def test_a_money_value_with_a_thousands_point_is_refused(scenario_dir, toy_context):
    body = ("infrastructure:\n  items:\n    grid_reinforcement:\n      capex: 45.000 EUR\n"
            "      split: {construction: 1}\n      regional_share: 0.5\n      source: test source\n")
    p = one(problems_of(scenario_dir, child(body), toy_context))
    assert p.path.endswith("grid_reinforcement.capex")
    assert "'45 EUR' or '45000 EUR'" in p.message


def test_hints_keep_the_number_and_the_unit():
    from retra_model import units

    with pytest.raises(units.UnitProblem) as info:
        units.parse("0,5 %/Jahr", units.RATE)
    hint = info.value.args[0].split("write a decimal point: ")[1].strip("'")
    assert hint == "0.5 %/Jahr" and units.parse(hint, units.RATE) == 0.005
    for text in ("45.000 EUR", "45,000 EUR", "1.200.000", "1.234,5", "1,200,000"):
        with pytest.raises(units.UnitProblem):
            units.parse(text, units.EUR_PER_UNIT)


def test_level_growth_of_half_is_refused_and_the_rate_hint_given(scenario_dir, toy_context):
    p = one(problems_of(scenario_dir, child("trend:\n  level_growth: 0.5\n"), toy_context))
    assert p.path == "trend.level_growth" and p.line == 5
    assert "out of range" in p.message and "0.005" in p.message and "'0.5 %/yr'" in p.message


def test_a_value_near_the_edge_is_warned_about(scenario_dir, toy_context):
    path = scenario_dir / "edge.yaml"
    path.write_text(child("trend:\n  level_growth: 0.03\n"))
    with pytest.warns(RetraWarning, match=r"edge.yaml:5: trend.level_growth: 0.03 is outside the plausible range"):
        Scenario.from_file(path, context=toy_context)


def test_every_lever_is_declared_once_in_the_table_with_its_unit():
    from retra_model.scenario import lever_table, schema_levers

    table = lever_table()
    keys = [s.key for s in table]
    assert len(keys) == len(set(keys))
    levers = schema_levers()
    assert set(keys) == set(levers)
    for spec in table:
        assert levers[spec.key].kind.unit == spec.unit, spec.key
        assert spec.low <= spec.plausible_low <= spec.plausible_high <= spec.high, spec.key
        assert spec.label_de and spec.source


def test_an_inherited_value_is_reported_in_the_users_file(scenario_dir, toy_context):
    base = (scenario_dir / "baseline.yaml").read_text()
    (scenario_dir / "baseline.yaml").write_text(base.replace("half_life: 10 yr", "half_life: 500 yr", 1))
    path = scenario_dir / "mine.yaml"
    path.write_text(child(""))
    with pytest.raises(ScenarioError) as info:
        Scenario.from_file(path, context=toy_context)
    p = one(info.value.problems)
    assert p.file == str(path) or p.file.endswith("mine.yaml")
    assert "inherited from" in p.message and "baseline.yaml:" in p.message and "override it here" in p.message


def test_a_user_folder_extends_the_curated_baseline(scenario_dir, toy_context):
    user = scenario_dir.parent / "user" / "toy"
    user.mkdir(parents=True)
    (user / "mine.yaml").write_text(child("volume:\n  productivity_growth: 0.02\n"))
    sc = Scenario.from_file(user / "mine.yaml", context=toy_context)
    assert sc.region == "toy" and value_of(sc.volume.productivity_growth) == 0.02
