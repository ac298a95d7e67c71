"""The options of ``retra run`` for large runs through Dask (:mod:`retra_model.scale`).

Apart from :mod:`retra_model.scale` so that building the command line's parser imports neither
NumPy nor xarray nor the model; :mod:`retra_model.scale` re-exports all of it.
"""

from __future__ import annotations

DEFAULT_DISTRICT_CHUNK = 25
DEFAULT_DRAW_CHUNK = 256


def add_run_options(parser) -> None:
    """Add ``--chunked``, ``--scheduler``, ``--district-chunk``, ``--draw-chunk`` to ``retra run``."""
    g = parser.add_argument_group("large runs (Dask)")
    g.add_argument("--chunked", action="store_true",
                   help="run the ensemble in chunks through Dask and write Zarr (for all of Germany, large --draws)")
    g.add_argument("--scheduler", default=None,
                   help="dask.distributed scheduler address (tcp://host:8786); default: a local cluster; implies --chunked")
    g.add_argument("--district-chunk", type=int, default=DEFAULT_DISTRICT_CHUNK, help="districts per chunk")
    g.add_argument("--draw-chunk", type=int, default=DEFAULT_DRAW_CHUNK, help="draws per chunk")
