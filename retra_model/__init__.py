"""retra: scenario model of jobs and value added for automotive regions.

>>> import retra_model as rm
>>> scenario = rm.Scenario.from_file("scenarios/son/baseline.yaml")   # doctest: +SKIP
>>> results = rm.run(scenario)                                         # doctest: +SKIP
"""

__version__ = "0.1.0"

from .errors import DataError, RetraError, ScenarioError  # noqa: E402
from .regions import load_region  # noqa: E402
from .scenario import Scenario  # noqa: E402
from .engine import run  # noqa: E402
from .lazyimports import defer_dask_collection_check, defer_duck_array_imports

defer_duck_array_imports()  # before the first variable: xarray would import dask.array for it
defer_dask_collection_check()  # xarray would import dask.base for every index it builds

__all__ = ["DataError", "RetraError", "Scenario", "ScenarioError", "__version__", "load_region", "run"]
