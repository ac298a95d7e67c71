"""retra: scenario model of jobs and value added for automotive regions.

>>> import retra_model as rm
>>> scenario = rm.Scenario.from_file("scenarios/son/baseline.yaml")   # doctest: +SKIP
>>> results = rm.run(scenario)                                         # doctest: +SKIP

The names below are imported when first used: ``retra list`` or ``retra --help`` start without
pandas and xarray.
"""

__version__ = "0.1.0"

from .errors import DataError, RetraError, ScenarioError  # noqa: E402

_LAZY = {"load_region": "regions", "Scenario": "scenario", "run": "engine"}


def __getattr__(name: str):
    import importlib
    import importlib.util

    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f".{name}", __name__)  # rm.scenario, rm.results, … as before
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = ["DataError", "RetraError", "Scenario", "ScenarioError", "__version__", "load_region", "run"]
