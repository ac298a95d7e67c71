"""'Was wäre nötig?': goal seeking reaches its target, scenario discovery finds the box, bad input is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import retra_model as rm
from retra_model import goalseek as gs
from retra_model.regions import load_region

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def son():
    return load_region("son"), rm.Scenario.from_file(REPO / "scenarios/son/baseline.yaml")


def _jobs(sc, region, district, year):
    return float(rm.run(sc, region=region)["employment"].sel(district=district, year=year).sum())


@pytest.mark.parametrize("keys", [["bev_intensity"], ["bev_intensity", "productivity"]])
def test_goal_seeking_reaches_the_stated_target_within_one_percent(son, keys):
    region, sc = son
    now = _jobs(sc, region, "03103", 2035)
    goal = gs.Goal(2035, now + 3000, "jobs", "03103")  # Wolfsburg keeps 3,000 more jobs in 2035
    res = gs.seek(sc, region, goal, keys, draws=100)
    assert res.reached
    from retra_model.apps import levers as lv

    achieved = _jobs(lv.apply(sc, res.values), region, "03103", 2035)  # checked independently
    assert abs(achieved - goal.target) <= 0.01 * goal.target
    assert 0.0 <= res.probability <= 1.0 and res.draws == 100
    assert res.values != res.start


def test_goal_for_the_region_and_a_change(son):
    region, sc = son
    det = rm.run(sc, region=region)["employment"].sum(["district", "sector"])
    change = float(det.sel(year=2035) - det.sel(year=region.base_year))
    goal = gs.Goal(2035, change / 2, "change")  # half the loss
    res = gs.seek(sc, region, goal, ["productivity", "bev_intensity"], draws=0)
    assert res.reached and abs(res.achieved - goal.target) <= 0.01 * abs(goal.target)


def test_unreachable_goal_says_so(son):
    region, sc = son
    goal = gs.Goal(2035, 10 * _jobs(sc, region, "03102", 2035), "jobs", "03102")
    res = gs.seek(sc, region, goal, ["productivity"], draws=0)
    assert not res.reached and res.achieved < goal.target


@pytest.mark.parametrize("goal, keys", [
    (gs.Goal(2035, 1.0, "jobs", "99999"), ["productivity"]),
    (gs.Goal(2035, 1.0, "happiness"), ["productivity"]),
    (gs.Goal(2035, 1.0), ["no_such_lever"]),
    (gs.Goal(2035, 1.0), []),
    (gs.Goal(2000, 1.0), ["productivity"]),
])
def test_bad_goals_are_refused_in_german(son, goal, keys):
    region, sc = son
    with pytest.raises(gs.GoalError):
        gs.seek(sc, region, goal, keys, draws=0)


def test_sampled_lever_values_are_the_engines(son):
    """The values scenario discovery attributes to each draw are the ones the engine used."""
    region, sc = son
    sampled, x = gs.sample_levers(sc, ["bev_intensity", "productivity"], 50, seed=3)
    ens = rm.run(sampled, draws=50, seed=3, region=region)
    from retra_model.engine import Sampler

    assert np.array_equal(x["bev_intensity"].values, 0.2 + Sampler(50, 3).uniforms(
        "electrification.labour_intensity.bev") * (1.2 - 0.2))
    assert x.shape == (50, 2) and x["bev_intensity"].between(0.2, 1.2).all()
    jobs = ens["employment"].sel(year=2035).sum(["district", "sector"]).values
    assert np.corrcoef(x["bev_intensity"], jobs)[0, 1] > 0.3  # more labour per BEV → more jobs


def test_prim_box_finds_a_known_box():
    rng = np.random.default_rng(1)
    x = pd.DataFrame({"a": rng.random(3000), "b": rng.random(3000), "c": rng.random(3000)})
    y = ((x["a"] > 0.5) & (x["b"] < 0.4)).values
    box = gs.prim_box(x, y, threshold=0.9)
    assert box["a"][0] > 0.4 and box["b"][1] < 0.5
    inside = (x["a"] >= box["a"][0]) & (x["b"] <= box["b"][1])
    assert y[inside.values].mean() > 0.8


def test_discovery_gives_a_box_of_lever_ranges(son):
    region, sc = son
    now = _jobs(sc, region, "03103", 2035)
    d = gs.discover(sc, region, gs.Goal(2035, now + 3000, "jobs", "03103"), ["bev_intensity", "productivity"], n=300)
    assert set(d.box) == {"bev_intensity", "productivity"}
    assert d.density > d.reached.mean()  # the box reaches the goal more often than all draws do
    assert 0 < d.mass <= 1 and 0 < d.coverage <= 1
    with pytest.raises(gs.GoalError):
        gs.discover(sc, region, gs.Goal(2035, now), ["bev_intensity"])
