"""The levers of the Szenario-Explorer: read a value from a scenario, write it back.

A lever is a number a strategist moves on a slider; which levers have a slider, with what German
label, unit, range and step, is declared in the table of levers (:data:`retra_model.scenario.LEVERS_FILE`,
columns ``slider`` …), like their bounds. Where the scenario holds an
uncertain value (a distribution), moving the lever shifts the whole distribution so that
its centre lands on the new value and its spread is kept (clipped to the lever's bounds):
the bands keep meaning what they meant. Every change goes through
:meth:`Scenario.replace`, so a tweaked scenario is validated like a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..scenario import (
    Distribution,
    LeverSpec,
    Scenario,
    lever_spec,
    lever_table,
    value_of,
)

VOLUME_YEAR = 2035
"""The year whose vehicle output index the volume lever sets."""


@dataclass(frozen=True)
class Lever:
    """A slider: German label, bounds and how it reads and writes a scenario."""

    key: str
    label: str
    unit: str
    low: float
    high: float
    step: float
    read: Callable[[Scenario], float]
    write: Callable[[Scenario, float], dict]
    percent: bool = False
    """Show the value × 100 with a per-cent sign."""
    help: str = ""
    path: str = ""
    """The lever's key in the table of levers (``electrification.bev.midpoint_year``)."""


def shifted(current: float | Distribution, value: float, low: float, high: float) -> float | dict:
    """The new lever value: a number, or the distribution moved so that its centre is ``value``.

    >>> shifted(0.5, 0.4, 0, 1)
    0.4
    >>> d = Distribution(distribution="triangular", low=0.33, mode=0.5, high=0.67, source="BCG 2020")
    >>> shifted(d, 0.4, 0, 3)["mode"]
    0.4
    """
    value = float(np.clip(value, low, high))
    if not isinstance(current, Distribution) or current.distribution == "posterior":
        return value
    delta = value - current.central()
    out = current.model_dump(exclude_none=True)
    if current.distribution == "parameter":  # moved off the literature value: its own triangle now
        out["distribution"] = "triangular"
        out.pop("name")
    for k in ("low", "mode", "high", "mean"):
        if k in out:
            out[k] = float(np.clip(out[k] + delta, low, high))
    if out["distribution"] == "triangular":
        out["mode"] = value
        out["low"], out["high"] = min(out["low"], value), max(out["high"], value)
    elif current.distribution == "normal":
        out["mean"] = value
    elif current.distribution == "uniform":  # centre = value, half-width kept as far as the bounds allow
        half = min(0.5 * (current.high - current.low), value - low, high - value)
        out["low"], out["high"] = value - half, value + half
    if "moved in the Szenario-Explorer" not in out["source"]:
        out["source"] = f"{out['source']} (moved in the Szenario-Explorer)"
    return out


def _interp(points: dict[int, float | Distribution], year: int) -> float:
    years = sorted(points)
    values = [value_of(points[y]) for y in years]
    return float(np.interp(year, years, values))


def _read_volume(s: Scenario) -> float:
    return _interp(s.volume.output_index, VOLUME_YEAR)


def _write_volume(s: Scenario, v: float) -> dict:
    """Set the output index of 2035; later points scale with it, earlier ones stay."""
    old = _read_volume(s)
    bounds = lever_spec(("volume", "output_index", VOLUME_YEAR))
    lo, hi = bounds.low, bounds.high
    factor = v / old if old > 0 else 1.0
    out: dict[str, float | dict] = {}
    for y, x in s.volume.output_index.items():
        if y < VOLUME_YEAR:
            out[str(y)] = x if not isinstance(x, Distribution) else x.model_dump(exclude_none=True)
        elif y > VOLUME_YEAR:
            out[str(y)] = shifted(x, value_of(x) * factor, lo, hi)
    out[str(VOLUME_YEAR)] = shifted(s.volume.output_index.get(VOLUME_YEAR, v), v, lo, hi)
    # output_index is replaced as a whole, so no point of the old path survives unseen
    return {"volume": {"output_index": out}}


def _path_lever(path: tuple[str, ...], low: float, high: float) -> tuple[Callable, Callable]:
    def get(s: Scenario):
        node = s
        for p in path:
            node = getattr(node, p)
        return node

    def read(s: Scenario) -> float:
        return value_of(get(s))

    def write(s: Scenario, v: float) -> dict:
        changes: dict = {}
        node = changes
        for p in path[:-1]:
            node = node.setdefault(p, {})
        node[path[-1]] = shifted(get(s), v, low, high)
        return changes

    return read, write


def _infrastructure_units(s: Scenario) -> float:
    infra = getattr(s, "infrastructure", None)
    if infra is None:
        return 0.0
    return sum(value_of(q) for item in infra.items.values() for ramp in item.build_out.values() for q in ramp.values())


def display_label(lever: Lever) -> str:
    """The slider's German label with its unit, never twice ("… in % …" needs no "(%)").

    >>> display_label(Lever("x", "Anteil, in % des Verbrenners", "%", 0, 1, 0.01, None, None))
    'Anteil, in % des Verbrenners'
    >>> display_label(Lever("x", "Wachstum", "% pro Jahr", 0, 1, 0.01, None, None))
    'Wachstum (% pro Jahr)'
    """
    if not lever.unit or lever.unit in lever.label:
        return lever.label
    return f"{lever.label} ({lever.unit})"


def readout(lever: Lever, value: float) -> str:
    """The slider's readout in German format (``value`` in the scenario's units).

    >>> readout(Lever("x", "x", "% pro Jahr", 0, 0.04, 0.001, None, None, percent=True), 0.013)
    '1,3 % pro Jahr'
    >>> readout(Lever("y", "Jahr", "", 2022, 2040, 1, None, None), 2030)
    '2030'
    """
    from ..numbers_de import fmt_num

    scale = 100.0 if lever.percent else 1.0
    step = lever.step * scale
    decimals = max(0, -int(np.floor(np.log10(step)))) if step < 1 else 0
    text = str(int(round(value * scale))) if decimals == 0 and lever.unit == "" and not lever.percent \
        else fmt_num(value * scale, decimals)
    unit = lever.unit if lever.unit else ""
    return f"{text} {unit}".strip()


def _applies(scenario: Scenario, spec: LeverSpec) -> bool:
    """Whether a scenario has the section a lever sits in (and, for infrastructure, a build-out)."""
    if spec.pattern[0] == "infrastructure":
        return _infrastructure_units(scenario) > 0
    node = scenario
    for part in spec.pattern[:-1]:
        if part == "*":
            break
        node = getattr(node, part, None)
        if node is None:
            return False
    return True


def levers(scenario: Scenario) -> list[Lever]:
    """The sliders that apply to a scenario, in the order of the table of levers.

    A lever is read and written at its key path; two stand for a whole section and have their
    own reader and writer: the vehicle output of :data:`VOLUME_YEAR` (later years scale with it)
    and the infrastructure build-out (a factor on every item's ramp).
    """
    special = {"volume.output_index.*": (_read_volume, _write_volume),
               "infrastructure.items.*.build_out.*.*": (lambda s: 1.0, _write_infrastructure)}
    out = []
    for spec in lever_table():
        sl = spec.slider
        if sl is None or not _applies(scenario, spec):
            continue
        read, write = special.get(spec.key) or _path_lever(spec.pattern, spec.low, spec.high)
        out.append(Lever(sl.key, sl.label_de.format(year=VOLUME_YEAR), sl.unit_de, sl.low, sl.high, sl.step,
                         read, write, percent=sl.percent, help=sl.help_de, path=spec.key))
    return out


def _scale(x: float | Distribution, f: float) -> float | dict:
    if not isinstance(x, Distribution):
        return float(x) * f
    d = x.model_dump(exclude_none=True)
    if d["distribution"] == "parameter" and f != 1:  # scaled off the literature value
        d["distribution"] = "triangular"
        d.pop("name")
    for k in ("low", "mode", "high", "mean", "sd"):
        if k in d:
            d[k] = d[k] * f
    if f < 0:
        d["low"], d["high"] = d["high"], d["low"]
    return d


def _write_infrastructure(s: Scenario, f: float) -> dict:
    items = {}
    for name, item in s.infrastructure.items.items():
        if item.build_out:
            items[name] = {"build_out": {d: {str(y): _scale(q, f) for y, q in ramp.items()}
                                         for d, ramp in item.build_out.items()}}
    return {"infrastructure": {"items": items}}


def project_changes(scenario: Scenario, settings: dict[str, tuple[bool, float]]) -> dict:
    """Changes that switch projects on/off and scale their jobs (1.0 = as in the scenario)."""
    projects = {}
    for pid, (enabled, factor) in settings.items():
        pr = scenario.projects[pid]
        projects[pid] = {"enabled": bool(enabled),
                         "jobs": {str(y): _scale(v, float(factor)) for y, v in pr.jobs.items()}}
    return {"projects": projects} if projects else {}


def apply(scenario: Scenario, values: dict[str, float],
          projects: dict[str, tuple[bool, float]] | None = None) -> Scenario:
    """The scenario with the levers set to ``values`` (only levers that moved are written)."""
    from ..scenario import _merge

    changes: dict = {}
    for lever in levers(scenario):
        if lever.key in values and not np.isclose(values[lever.key], lever.read(scenario), rtol=0, atol=1e-12):
            if lever.key == "infrastructure" and np.isclose(values[lever.key], 1.0):
                continue
            changes = _merge(changes, lever.write(scenario, values[lever.key]))
    if projects:
        changes = _merge(changes, project_changes(scenario, projects))
    return scenario.replace(changes) if changes else scenario
