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
