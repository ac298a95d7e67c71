"""Where the build scripts find the official tables they read.

The tables ship, xz-compressed, in ``data/build/reference/`` (described with publisher, URL and
licence in its ``datapackage.json``); that folder is the default of every build script. A script's
first argument can point elsewhere: at a folder holding the tables directly, or at one with a
``data/`` sub-folder (a collection of the uncompressed originals, ``<folder>/data/<name>.csv``).
A table ``name`` is found as ``name``, ``name.xz`` or ``name.gz``, in that order.
"""

from __future__ import annotations

import gzip
import json
import lzma
from pathlib import Path

import pandas as pd

DEFAULT = Path(__file__).resolve().parent / "reference"
"""The shipped copies of the official tables (``data/build/reference/``)."""

SUFFIXES = ("", ".xz", ".gz")


def folder(ref: Path | str) -> Path:
    """The folder holding the tables: ``ref/data`` where that exists, else ``ref`` itself."""
    ref = Path(ref)
    return ref / "data" if (ref / "data").is_dir() else ref


def usable(ref: Path | str) -> bool:
    """Whether ``ref`` is a folder of tables (the caller says what is wrong if not)."""
    return folder(ref).is_dir()


def path(ref: Path | str, name: str) -> Path:
    """The file of table ``name`` (e.g. ``svb_wz_all_kreise.csv``), compressed or not."""
    d = folder(ref)
    for suffix in SUFFIXES:
        p = d / f"{name}{suffix}"
        if p.is_file():
            return p
    raise FileNotFoundError(f"{name} (or {name}.xz / {name}.gz) not found in {d}")


def read_csv(ref: Path | str, name: str, **kw) -> pd.DataFrame:
    """``pandas.read_csv`` of table ``name``; pandas decompresses ``.xz``/``.gz`` by the suffix."""
    return pd.read_csv(path(ref, name), **kw)


def read_json(ref: Path | str, name: str):
    """A JSON (GeoJSON) table, compressed or not."""
    p = path(ref, name)
    opener = {".xz": lzma.open, ".gz": gzip.open}.get(p.suffix, open)
    with opener(p, "rt", encoding="utf-8") as fh:
        return json.load(fh)
