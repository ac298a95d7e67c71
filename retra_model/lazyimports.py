"""Keep xarray from importing dask (and pint) until a dask array (or a pint quantity) exists.

xarray asks ``isinstance(data, dask.array.Array)`` whenever it builds a variable from a NumPy
array, and to answer it imports ``dask.array`` — about a third of a second on a quiet machine,
paid by every ``retra`` command although only ``retra run --chunked`` uses dask. An object
can only be an instance of a class whose module has been imported, so the question is
answered exactly by looking in ``sys.modules`` first; the module's version and its other
attributes are still loaded for real the first time xarray asks for them.
"""

from __future__ import annotations

import importlib
import sys

_TYPES = {"dask": ("dask.array", "Array"), "pint": ("pint", "Quantity")}


class _LazyMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        module = sys.modules.get(cls._module)
        return module is not None and isinstance(obj, getattr(module, cls._name))

    def __subclasscheck__(cls, sub) -> bool:
        module = sys.modules.get(cls._module)
        return module is not None and issubclass(sub, getattr(module, cls._name))


def defer_duck_array_imports() -> None:
    """Install the lazy answers in xarray's cache of duck-array modules (idempotent)."""
    try:
        from xarray.namedarray import pycompat
    except ImportError:  # pragma: no cover - another xarray layout: keep its own behaviour
        return
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    real = getattr(pycompat, "DuckArrayModule", None)
    if not isinstance(cache, dict) or real is None:  # pragma: no cover
        return

    for mod, (module_name, class_name) in _TYPES.items():
        if mod in cache or module_name in sys.modules or importlib.util.find_spec(mod) is None:
            continue
        lazy_type = _LazyMeta(f"Lazy{class_name}", (), {"_module": module_name, "_name": class_name})

        class _Lazy(real):  # the type is answered lazily; everything else loads the module
            def __init__(self, mod=mod, lazy_type=lazy_type):
                self._mod = mod
                self.type = (lazy_type,)

            def __getattr__(self, name):  # module, version, available: the real thing
                if name.startswith("_"):
                    raise AttributeError(name)
                loaded = real(self._mod)
                self.module, self.version, self.available = loaded.module, loaded.version, loaded.available
                return getattr(loaded, name)

        cache[mod] = _Lazy()


def defer_dask_scheduler_lookup() -> None:
    """Let xarray's netCDF writer skip asking dask for its scheduler while no dask array can exist.

    The writer asks on every ``to_netcdf`` (to decide on autoclose and the lock), and asking
    imports dask and dask.distributed — about a third of a second of ``retra run``. Without
    ``dask.array`` imported no variable is chunked, and the answer ``None`` gives the same
    decisions as dask's default ``"threaded"`` (no autoclose, a threading lock).
    """
    try:
        from xarray.backends import locks, writers
    except ImportError:  # pragma: no cover
        return
    real = getattr(locks, "get_dask_scheduler", None)
    if real is None or getattr(real, "_retra_lazy", False):
        return

    def get_dask_scheduler(get=None, collection=None):
        if "dask.array" not in sys.modules and get is None and collection is None:
            return None
        return real(get, collection)

    get_dask_scheduler._retra_lazy = True
    locks.get_dask_scheduler = get_dask_scheduler
    if getattr(writers, "get_dask_scheduler", None) is real:
        writers.get_dask_scheduler = get_dask_scheduler


def defer_dask_collection_check() -> None:
    """Answer xarray's "is this a dask collection?" without importing dask where dask would say no.

    xarray asks it of every array it wraps into an index (``is_duck_dask_array``), and asking
    imports ``dask.base`` — about a seventh of a second of every ``retra run`` and ``validate``.
    Dask's own answer is ``False`` for any object without a ``__dask_graph__`` attribute (that is
    the first test of :func:`dask.base.is_dask_collection`), so that case is answered here, exactly;
    every other object goes to dask's function as before.
    """
    try:
        from xarray.namedarray import utils
    except ImportError:  # pragma: no cover - another xarray layout: keep its own behaviour
        return
    real = getattr(utils, "is_dask_collection", None)
    if real is None or getattr(real, "_retra_lazy", False):
        return

    def is_dask_collection(x):
        if not hasattr(x, "__dask_graph__"):
            return False
        return real(x)

    is_dask_collection._retra_lazy = True
    utils.is_dask_collection = is_dask_collection


def defer_xarray_imports() -> None:
    """Both deferrals above that concern building arrays (idempotent): called by the modules that
    import xarray for the package (:mod:`~retra_model.regions`, :mod:`~retra_model.results`), so
    that they are in place before the first variable is built."""
    defer_duck_array_imports()
    defer_dask_collection_check()
