"""Where the data packages live and what their ``datapackage.json`` says, without reading a table.

What ``retra list`` needs (the regions and their metadata) and every loader starts from; kept free
of pandas and xarray so that listing regions costs no more than starting Python.
:mod:`retra_model.regions` re-exports all of it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import DataError, Problem, RegionNotFoundError

# ---------------------------------------------------------------------------------------
# Where the data live


def data_root() -> Path:
    """The ``data/`` folder: ``$RETRA_DATA`` if set, else the one beside the package."""
    env = os.environ.get("RETRA_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "data"


def region_dir(region: str | Path) -> Path:
    """The folder of a region, given its id (``son``) or a path to the folder."""
    path = Path(region)
    if path.is_dir() and (path / "datapackage.json").exists():
        return path
    candidate = data_root() / "regions" / str(region)
    if not (candidate / "datapackage.json").exists():
        import difflib

        known = known_regions()
        close = difflib.get_close_matches(str(region), known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise RegionNotFoundError(
            f"unknown region '{region}'{hint}; regions with data are: {', '.join(known) or 'none'}"
        )
    return candidate


def known_regions() -> list[str]:
    """Ids of the regions that have a data package."""
    base = data_root() / "regions"
    return sorted(p.name for p in base.iterdir() if (p / "datapackage.json").exists()) if base.exists() else []


def region_meta(region: str | Path) -> dict:
    """The ``retra`` block of a region's ``datapackage.json`` (name, base year, districts), unchecked."""
    return dict(_read_package(region_dir(region)).get("retra", {}))


def _read_package(folder: Path) -> dict:
    path = folder / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([Problem(str(path), "", None, "the data package file is missing")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise DataError([Problem(str(path), "", line, f"not valid JSON: {exc}")]) from None
