"""'Was wäre nötig?': the lever values that reach a target, and the lever ranges that reach it often.

The inverse question of a scenario run: for a district (or the region), a year and a target
— jobs, value added or the change of jobs against the base year — which values of the
levers a user allows to move reach the target?

- :func:`seek` solves it on the deterministic path (every lever at its centre) with
  :func:`scipy.optimize.brentq`: one lever directly; several levers together along the line
  from their current values to the bounds that help (each lever moves the same fraction of its
  way), so that the answer is one combination, not a family. Then it runs the solution as an
  ensemble and reports the probability — the share of draws — of reaching the target.
- :func:`discover` does scenario discovery for two or more levers: the levers are drawn
  uniformly over their ranges *together with* the scenario's own uncertain inputs (one
  vectorised ensemble), each draw is marked by whether it reaches the target, and PRIM (the
  Patient Rule Induction Method, Friedman & Fisher 1999, as in the EMA Workbench) finds a box
  of lever ranges in which the target is reached in most draws. The EMA Workbench's
  implementation is used where it is installed (``ema_workbench``), else :func:`prim_box`, a
  small peeling-only PRIM written here.

The levers are those of the Szenario-Explorer (:mod:`retra_model.apps.levers`).

References
----------
Friedman, J. H. and Fisher, N. I. (1999): Bump hunting in high-dimensional data. Statistics and
Computing 9, 123–143. doi:10.1023/A:1008894516817
Kwakkel, J. H. (2017): The Exploratory Modeling Workbench. Environmental Modelling & Software 96,
239–250. doi:10.1016/j.envsoft.2017.06.054
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from .apps import levers as lv
from .engine import run
from .errors import RetraError
from .regions import Region
from .scenario import Scenario, lever_table

KINDS = {"jobs": "Beschäftigte", "change": "Veränderung der Beschäftigten gegenüber dem Basisjahr",
         "gva": "Bruttowertschöpfung (Mio. €)"}
"""What a target can be, with its German name: ``jobs`` [persons], ``change`` [persons], ``gva`` [EUR million]."""

DISCOVERABLE = {spec.slider.key: spec.key for spec in lever_table() if spec.slider and "*" not in spec.key}
"""Sliders that scenario discovery can draw (one number each, not a section), with the key of
their row in the table of levers, which is the engine's random-stream key."""


class GoalError(RetraError):
    """A goal that cannot be sought (unknown lever, district or kind); the message is German."""


@dataclass(frozen=True)
class Goal:
    """A target: ``kind`` in :data:`KINDS`, ``target`` in its unit, in ``year``, for a district
    (code) or the region (``None``)."""

    year: int
    target: float
    kind: str = "jobs"
    district: str | None = None


def outcome(ds: xr.Dataset, goal: Goal) -> np.ndarray:
    """The goal's quantity in a results Dataset, one value per draw (shape ``(draws,)`` or ``(1,)``)."""
    var = "gva" if goal.kind == "gva" else "employment"
    da = ds[var]
    if goal.district is not None:
        da = da.sel(district=goal.district)
    else:
        da = da.sum("district")
    da = da.sum("sector")
    value = da.sel(year=goal.year)
    if goal.kind == "change":
        value = value - da.sel(year=int(ds.attrs["base_year"]))
    return np.atleast_1d(np.asarray(value.values, dtype=float))


def _check(scenario: Scenario, region: Region, goal: Goal, keys: list[str]) -> dict[str, lv.Lever]:
    levers = {lever.key: lever for lever in lv.levers(scenario)}
    unknown = [k for k in keys if k not in levers]
    if unknown or not keys:
        raise GoalError(f"Unbekannte oder keine Hebel: {', '.join(unknown) or '–'}.")
    if goal.kind not in KINDS:
        raise GoalError(f"Unbekannte Zielgröße „{goal.kind}“.")
    if goal.district is not None and goal.district not in region.district_codes:
        raise GoalError(f"Unbekannter Kreis „{goal.district}“.")
    if goal.year <= region.base_year:
        raise GoalError(f"Das Zieljahr muss nach dem Basisjahr {region.base_year} liegen.")
    return levers


@dataclass
class GoalResult:
    """What :func:`seek` found."""

    goal: Goal
    values: dict[str, float]
    """Lever values that reach the target on the deterministic path [the levers' units]."""
    start: dict[str, float]
    achieved: float
    """The goal's quantity with these values (deterministic) [its unit]."""
    current: float
    """The goal's quantity with the scenario as it is (deterministic) [its unit]."""
    reached: bool
    """Whether the target lies within the levers' ranges (else ``values`` are the nearest bound)."""
    probability: float = float("nan")
    """Share of the ensemble's draws (with ``values``) that reach the target [1]."""
    draws: int = 0
    scenario: Scenario | None = field(default=None, repr=False)
    evaluations: int = 0


def seek(scenario: Scenario, region: Region, goal: Goal, keys: list[str], *, draws: int = 200,
         seed: int | None = None, xtol: float = 1e-6) -> GoalResult:
    """Lever values that reach ``goal`` on the deterministic path, and the probability of reaching it.

    Parameters
    ----------
    scenario, region
        The scenario to start from and its region's data.
    goal : Goal
        The target.
    keys : list of str
        Keys of the levers allowed to move (:func:`retra_model.apps.levers.levers`).
    draws : int
        Draws of the ensemble that gives the probability (0: none).
    seed : int, optional
        Seed of that ensemble (default the scenario's).

    Returns
    -------
    GoalResult
        With ``reached`` False when even the levers' bounds do not reach the target; the values
        are then the bounds that come closest.

    Notes
    -----
    "Reaching" means at least the target when the target lies above the scenario's current
    value, and at most the target when it lies below. Several levers move together: lever *i*
    takes ``start_i + t (end_i - start_i)`` where ``end_i`` is the bound of its range that moves
    the outcome towards the target (found from the outcome at both bounds), and ``t`` in [0, 1]
    is found by Brent's method.
    """
    from scipy.optimize import brentq

    levers = _check(scenario, region, goal, keys)
    start = {k: float(levers[k].read(scenario)) for k in keys}
    n_eval = 0

    def at(values: dict[str, float]) -> float:
        nonlocal n_eval
        n_eval += 1
        return float(outcome(run(lv.apply(scenario, values), region=region), goal)[0])

    current = at(start)
    up = goal.target >= current
    ends = {}
    for k in keys:  # the bound of each lever that moves the outcome towards the target
        lo = at({**start, k: levers[k].low})
        hi = at({**start, k: levers[k].high})
        better_high = (hi > lo) if up else (hi < lo)
        ends[k] = levers[k].high if better_high else levers[k].low

    def values_at(t: float) -> dict[str, float]:
        return {k: start[k] + t * (ends[k] - start[k]) for k in keys}

    def f(t: float) -> float:
        return at(values_at(t)) - goal.target

    f0, f1 = current - goal.target, f(1.0)
    if f0 == 0:
        t = 0.0
    elif np.sign(f0) == np.sign(f1):
        t = 1.0  # out of reach: the bounds come closest
    else:
        t = brentq(f, 0.0, 1.0, xtol=xtol)
    values = values_at(t)
    for k in keys:  # whole years for the year lever, as a slider would give
        if levers[k].step >= 1:
            values[k] = float(np.round(values[k]))
    solved = lv.apply(scenario, values)
    achieved = float(outcome(run(solved, region=region), goal)[0])
    reached = (achieved >= goal.target * (1 - 1e-9) - 1e-9) if up else (achieved <= goal.target * (1 + 1e-9) + 1e-9)
    reached = bool(reached or abs(achieved - goal.target) <= 0.01 * max(abs(goal.target), 1.0))
    res = GoalResult(goal, values, start, achieved, current, reached, scenario=solved, evaluations=n_eval)
    if draws:
        ens = outcome(run(solved, draws=draws, seed=scenario.seed if seed is None else seed, region=region), goal)
        res.probability = float(np.mean(ens >= goal.target) if up else np.mean(ens <= goal.target))
        res.draws = draws
    return res


# ---------------------------------------------------------------------------------------
# Scenario discovery


def sample_levers(scenario: Scenario, keys: list[str], n: int, seed: int | None = None) -> tuple[Scenario, pd.DataFrame]:
    """The scenario with each lever in ``keys`` drawn uniformly over its range, and the drawn values.

    The engine draws the uniform levers from their own random streams (:data:`DISCOVERABLE`),
    so the values of each draw are known here exactly (the same :class:`~retra_model.engine.Sampler`).
    """
    from .engine import Sampler
    from .scenario import Distribution, _merge

    levers = {lever.key: lever for lever in lv.levers(scenario)}
    bad = [k for k in keys if k not in DISCOVERABLE or k not in levers]
    if bad:
        raise GoalError(f"Für diese Hebel ist keine Suche nach Bereichen möglich: {', '.join(bad)}.")
    seed = scenario.seed if seed is None else int(seed)
    changes: dict = {}
    dists = {}
    for k in keys:
        lever = levers[k]
        d = {"distribution": "uniform", "low": float(lever.low), "high": float(lever.high),
             "source": "scenario discovery: uniform over the Szenario-Explorer's range"}
        node = changes
        parts = DISCOVERABLE[k].split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = d
        dists[k] = Distribution(**d)
    sampled = scenario.replace(_merge({}, changes))
    sampler = Sampler(n, seed)
    x = pd.DataFrame({k: sampler(dists[k], DISCOVERABLE[k]) for k in keys})
    return sampled, x


def prim_box(x: pd.DataFrame, y: np.ndarray, *, alpha: float = 0.05, min_mass: float = 0.05,
             threshold: float = 0.8) -> dict[str, tuple[float, float]]:
    """A small PRIM (peeling only): the box of ``x`` in which the share of ``y`` is high.

    Starting from the whole range, repeatedly cut off the ``alpha`` share of the remaining points
    at the low or high end of one variable — the cut that raises the share of ``y`` (the
    *density*) most — until the density reaches ``threshold`` or fewer than ``min_mass`` of the
    points remain. Friedman & Fisher (1999); no pasting, no covering.

    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame({"a": rng.random(2000), "b": rng.random(2000)})
    >>> box = prim_box(x, (x["a"] > 0.6).values)
    >>> box["a"][0] > 0.5 and box["b"] == (0.0, 1.0) or box["b"][0] < 0.1
    True
    """
    y = np.asarray(y, dtype=bool)
    inside = np.ones(len(x), dtype=bool)
    lims = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    n = len(x)
    while inside.mean() > min_mass and y[inside].mean() < threshold:
        best = None
        for c in x.columns:
            v = x[c].values
            lo, hi = np.quantile(v[inside], [alpha, 1 - alpha])
            for side, keep in (("low", inside & (v >= lo)), ("high", inside & (v <= hi))):
                if keep.sum() < max(1, min_mass * n) or keep.sum() == inside.sum():
                    continue
                dens = y[keep].mean()
                if best is None or dens > best[0]:
                    best = (dens, c, side, lo if side == "low" else hi, keep)
        if best is None or best[0] <= y[inside].mean():
            break
        _, c, side, cut, keep = best
        lims[c] = (cut, lims[c][1]) if side == "low" else (lims[c][0], cut)
        inside = keep
    return {c: (float(a), float(b)) for c, (a, b) in lims.items()}


@dataclass
class Discovery:
    """What :func:`discover` found."""

    goal: Goal
    x: pd.DataFrame
    """The drawn lever values, one row per draw [the levers' units]."""
    reached: np.ndarray
    box: dict[str, tuple[float, float]]
    """Lever ranges (low, high) of the box [the levers' units]."""
    coverage: float
    """Share of all draws that reach the target and lie in the box [1]."""
    density: float
    """Share of the draws in the box that reach the target [1]."""
    mass: float
    """Share of all draws in the box [1]."""
    method: str


def discover(scenario: Scenario, region: Region, goal: Goal, keys: list[str], *, n: int = 400,
             seed: int | None = None, threshold: float = 0.8) -> Discovery:
    """Scenario discovery: a box of lever ranges in which ``goal`` is reached in most draws.

    The levers in ``keys`` (two or more of :data:`DISCOVERABLE`) are drawn uniformly over their
    ranges together with the scenario's own uncertain inputs, in one ensemble of ``n`` draws;
    a draw "reaches" the goal when its quantity is at least the target (or at most, when the
    target lies below the scenario's current value). PRIM then finds the box (EMA Workbench's
    ``prim`` where installed, else :func:`prim_box`).
    """
    _check(scenario, region, goal, keys)
    if len(keys) < 2:
        raise GoalError("Für die Suche nach Bereichen bitte mindestens zwei Hebel wählen.")
    current = float(outcome(run(scenario, region=region), goal)[0])
    sampled, x = sample_levers(scenario, keys, n, seed)
    values = outcome(run(sampled, draws=n, seed=scenario.seed if seed is None else seed, region=region), goal)
    y = values >= goal.target if goal.target >= current else values <= goal.target
    method = "PRIM (retra, nur Schälen)"
    box = None
    try:
        import warnings

        with warnings.catch_warnings():  # its optional back-ends announce themselves on import
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim as ema_prim

            alg = ema_prim.Prim(x.copy(), y.copy(), threshold=threshold, peel_alpha=0.05)
            found = alg.find_box()
        traj = found.peeling_trajectory
        ok = traj.index[traj["mass"] >= 0.05]
        i = int(traj.loc[ok, "density"].idxmax()) if len(ok) else 0
        lims = found.box_lims[i]
        box = {c: (float(lims[c].iloc[0]), float(lims[c].iloc[1])) for c in x.columns}
        method = "PRIM (EMA Workbench)"
        if float(traj.loc[i, "density"]) <= float(np.mean(y)):  # nothing found: try our own
            box = None
    except Exception:  # noqa: BLE001 - not installed, or it failed: our own PRIM
        box = None
    if box is None:
        box = prim_box(x, y, threshold=threshold)
    inside = np.ones(len(x), dtype=bool)
    for c, (a, b) in box.items():
        inside &= (x[c].values >= a) & (x[c].values <= b)
    coverage = float((y & inside).sum() / max(y.sum(), 1))
    density = float(y[inside].mean()) if inside.any() else float("nan")
    return Discovery(goal, x, y, box, coverage, density, float(inside.mean()), method)
