"""The drivers' register: what each driver is, in the order of the decomposition.

Every driver of a run declares here, once, what the rest of the package needs to know
about it: its code, its kind, whether its change of output propagates through the
input-output model, whether its change of the wage bill is household income for the
induced effect, the scenario section that holds its assumptions, its names in German and
English, and its Lab (Handlungsfeld) where the region's ``labs.csv`` names none.
:data:`retra_model.engine.DRIVERS`, :data:`~retra_model.engine.PROPAGATED`,
:data:`~retra_model.engine.PAID`, :data:`retra_model.summary.DRIVER_LABELS_DE` and the
council's :data:`~retra_model.apps.council.SECTIONS` are all read from it.

Kinds
-----
``factor``
    a factor on base-year employment, decomposed by LMDI (trend, electrification, volume,
    productivity)
``additive``
    a change in persons added to employment (projects; and any driver registered with an
    ``effect``, evaluated generically by the engine)
``demand``
    final demand of the region, turned into output, jobs and value added (infrastructure)
``io``
    indirect and induced effects of the input-output model
``gva``
    value added on base-year jobs (no jobs)
``labour``
    the labour market: not a driver of the direct run (:mod:`retra_model.labour`)

A driver with an ``effect`` is evaluated by the engine without touching the engine:
``inputs(scenario, region)`` reads and checks what it needs (raising a located
:class:`~retra_model.errors.ScenarioError`), and ``effect(inputs, sampler, years, shape)``
returns its jobs ``(draw, district, sector, year)`` [persons]; they are valued at the
cell's GVA per employee. :func:`check` runs every ``inputs`` (what ``validate`` catches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import electrification, gva, infrastructure, projects, trend, volume

KINDS = ("factor", "additive", "demand", "io", "gva", "labour")


@dataclass(frozen=True)
class DriverSpec:
    """What a driver is (see the module's docstring)."""

    name: str
    kind: str
    section: str | None
    label_de: str
    label_en: str
    propagates: bool = False
    """Its change of output propagates through the input-output model (indirect effects)."""
    paid: bool = False
    """Its change of the wage bill is household income for the induced effect."""
    lab: str = "context"
    """Lab of the driver where the region's ``labs.csv`` has no row for it."""
    inputs: Callable[..., Any] | None = None
    """``inputs(scenario, region)``: the driver's data lookups and checks."""
    effect: Callable[..., Any] | None = None
    """``effect(inputs, sampler, years, shape)`` → jobs [persons], for a generic additive driver."""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"driver {self.name!r}: kind {self.kind!r} is not one of {KINDS}")
        if self.effect is not None and self.kind != "additive":
            raise ValueError(f"driver {self.name!r}: only an additive driver is evaluated by its effect")

    @property
    def in_run(self) -> bool:
        """Whether the driver is a layer of a run's ``driver`` dimension."""
        return self.kind != "labour"


REGISTRY: list[DriverSpec] = [
    DriverSpec("trend", "factor", "trend", "Strukturtrend", "Structural trend", inputs=trend.inputs),
    DriverSpec("electrification", "factor", "electrification", "Elektrifizierung", "Electrification", paid=True,
               inputs=electrification.inputs),
    DriverSpec("volume", "factor", "volume", "Fahrzeugmenge und Produktivität", "Vehicle output and productivity",
               propagates=True, paid=True, inputs=volume.inputs),
    DriverSpec("productivity", "factor", "volume", "Produktivität im Fahrzeugbau",
               "Labour productivity in vehicle making"),
    DriverSpec("projects", "additive", "projects", "Projekte und Programme", "Projects and programmes",
               propagates=True, paid=True, inputs=projects.inputs),
    DriverSpec("infrastructure", "demand", "infrastructure", "Infrastruktur (Laden, Netze, Wasserstoff)",
               "Infrastructure (charging, grids, hydrogen)", propagates=True, paid=True, inputs=infrastructure.inputs),
    DriverSpec("indirect", "io", "input_output", "Vorleistungen (indirekte Effekte)",
               "Intermediate inputs (indirect effects)"),
    DriverSpec("induced", "io", "input_output", "Einkommen und Konsum (induzierte Effekte)",
               "Income and consumption (induced effects)"),
    DriverSpec("gva_productivity", "gva", "gva", "Produktivität (Wertschöpfung je Beschäftigten)",
               "Productivity (value added per employee)", inputs=gva.inputs),
    DriverSpec("labour", "labour", "labour", "Arbeitsmarkt", "Labour market"),
]
"""The drivers, in the order of the decomposition (the labour market last, outside runs)."""

BUILTIN = tuple(s.name for s in REGISTRY)
"""The drivers shipped with retra (the engine evaluates them itself, the labour market after a
run); any other needs an ``effect``."""


def specs() -> tuple[DriverSpec, ...]:
    """All registered drivers, in order."""
    return tuple(REGISTRY)


def spec(name: str) -> DriverSpec | None:
    """The driver called ``name``, or ``None``."""
    return next((s for s in REGISTRY if s.name == str(name)), None)


def run_drivers() -> tuple[str, ...]:
    """Codes of the drivers of a run, in the order of its ``driver`` dimension."""
    return tuple(s.name for s in REGISTRY if s.in_run)


def propagated() -> tuple[str, ...]:
    return tuple(s.name for s in REGISTRY if s.in_run and s.propagates)


def paid() -> tuple[str, ...]:
    return tuple(s.name for s in REGISTRY if s.in_run and s.paid)


def labels_de() -> dict[str, str]:
    return {s.name: s.label_de for s in REGISTRY}


def labels_en() -> dict[str, str]:
    return {s.name: s.label_en for s in REGISTRY}


def sections() -> dict[str, str]:
    """The scenario section that holds the assumptions (and sources) of each driver."""
    return {s.name: s.section for s in REGISTRY if s.section is not None}


def extra() -> tuple[DriverSpec, ...]:
    """Registered drivers the engine evaluates by their ``effect`` (not built in)."""
    return tuple(s for s in REGISTRY if s.in_run and s.name not in BUILTIN)


def register(driver: DriverSpec, *, before: str | None = "indirect") -> DriverSpec:
    """Add a driver to the register (before ``before``, by default before the IO effects).

    A driver the engine does not know needs to be ``additive`` with an ``effect``.
    """
    if spec(driver.name) is not None:
        raise ValueError(f"a driver called {driver.name!r} is registered already")
    if driver.name not in BUILTIN and driver.in_run and (driver.kind != "additive" or driver.effect is None):
        raise ValueError(f"driver {driver.name!r}: a new driver must be additive and have an effect")
    names = [s.name for s in REGISTRY]
    REGISTRY.insert(names.index(before) if before in names else len(REGISTRY), driver)
    return driver


def check(scenario, region) -> dict[str, Any]:
    """Run every driver's ``inputs(scenario, region)``; their results by driver."""
    return {s.name: s.inputs(scenario, region) for s in REGISTRY if s.inputs is not None}
