"""The shipped data can be rebuilt as shipped: ``data/build/build_all.py`` on a copy of ``data/``
gives every file as shipped (issue 15): byte for byte, or — for text — with numbers at most one unit
of their last digit apart (an optimiser's rounding on another CPU; here the rebuild is byte-identical).
The official tables the build reads ship in ``data/build/reference/`` (xz), so the check runs
everywhere, CI included; every one of them is described (publisher, URL, licence) in that folder's
``datapackage.json``."""

from __future__ import annotations

import csv
import filecmp
import gzip
import hashlib
import importlib
import json
import lzma
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "data" / "build" / "reference"
"""The official tables the build reads, as shipped (xz-compressed), and their ``datapackage.json``."""


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _numbers(token: str) -> float:
    return float(token.replace(",", ""))


def _close(a: str, b: str) -> bool:
    """Two texts equal but for numbers that differ by at most one unit of their last digit (or 1e-9
    relative): the rounding of an optimiser's result (``estimate_sectors.py``, Clarabel) may flip on a
    CPU with other floating-point kernels. Everything else must be the same character for character."""
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    for x, y in zip(NUMBER.findall(a), NUMBER.findall(b), strict=True):
        if x == y:
            continue
        unit = 10.0 ** -len(x.split(".")[1]) if "." in x else 1.0
        vx, vy = _numbers(x), _numbers(y)
        if abs(vx - vy) > max(unit, 1e-9 * abs(vx)) + 1e-12:
            return False
    return True


def _different(a: Path, b: Path) -> list[str]:
    """Files that differ, are missing or are new in ``b`` against ``a``."""
    fa, fb = _files(a), _files(b)
    out = [f"missing: {f}" for f in sorted(fa - fb)] + [f"new: {f}" for f in sorted(fb - fa)]
    for f in sorted(fa & fb):
        if filecmp.cmp(a / f, b / f, shallow=False):
            continue
        try:
            same = _close((a / f).read_text(encoding="utf-8"), (b / f).read_text(encoding="utf-8"))
        except UnicodeDecodeError:  # binary: byte for byte
            same = False
        if not same:
            out.append(f"differs: {f}")
    return out


def test_close_allows_only_last_digit_rounding():
    assert _close("a,426,x\n", "a,427,x\n") and _close("| 1,522 |", "| 1,523 |") and _close("0.0525", "0.0526")
    assert not _close("a,426,x\n", "a,397,x\n") and not _close("0.0525", "0.0527") and not _close("a,1\n", "b,1\n")


def test_compare_finds_a_changed_byte(tmp_path):
    """The comparison itself can fail: one changed byte, one missing and one new file are named."""
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        (d / "x").mkdir(parents=True)
        (d / "x" / "same.csv").write_text("1,2\n")
    (a / "x" / "t.csv").write_text("value\n426\n")  # 29 apart: not rounding
    (b / "x" / "t.csv").write_text("value\n397\n")
    (a / "gone.csv").write_text("")
    (b / "extra.csv").write_text("")
    assert _different(a, b) == ["missing: gone.csv", "new: extra.csv", "differs: x/t.csv"]


def test_data_rebuilds_as_shipped(tmp_path):
    """The whole build from the shipped tables (its default: the copy's own ``data/build/reference/``)."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "data", copy / "data", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, str(copy / "data" / "build" / "build_all.py")],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    diff = _different(REPO / "data", copy / "data")
    assert not diff, ("rebuilding data/ changed files; run data/build/build_all.py and commit, or fix the "
                      "build: " + "; ".join(diff))


def _describe_problems(folder: Path) -> list[str]:
    """What is wrong with the description of a folder of tables: a file not listed in its
    ``datapackage.json`` or a resource without its file; a resource without a licence (name and
    title), without a source (title, publisher and a URL, or a note saying why there is none), with
    another size or hash than its file, or (CSV) a header other than its schema's fields."""
    pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    files = {p.name for p in folder.iterdir() if p.is_file() and p.name != "datapackage.json"}
    listed = [r["path"] for r in pkg["resources"]]
    out = [f"not in datapackage.json: {f}" for f in sorted(files - set(listed))]
    out += [f"listed but missing: {f}" for f in sorted(set(listed) - files)]
    out += [f"listed twice: {f}" for f in sorted({f for f in listed if listed.count(f) > 1})]
    for r in pkg["resources"]:
        name = r.get("path", "?")
        licences = r.get("licenses") or []
        if not licences or any(not (lic.get("name") and lic.get("title")) for lic in licences):
            out.append(f"{name}: a licence without name and title, or none")
        sources = r.get("sources") or []
        if not sources:
            out.append(f"{name}: no source")
        for src in sources:
            if not (src.get("title") and src.get("publisher")):
                out.append(f"{name}: a source without title or publisher")
            url = src.get("path", "")
            if not (url.startswith(("http://", "https://")) or (not url and src.get("note"))):
                out.append(f"{name}: source {src.get('title')!r} has neither a URL nor a note why not")
        path = folder / name
        if name not in files:
            continue
        data = path.read_bytes()
        if r.get("bytes") != len(data) or r.get("hash") != "sha256:" + hashlib.sha256(data).hexdigest():
            out.append(f"{name}: bytes or hash differ from the file")
        if r.get("format") == "csv":
            opener = {".xz": lzma.open, ".gz": gzip.open}.get(path.suffix, open)
            with opener(path, "rt", encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh))
            if header != [f["name"] for f in r.get("schema", {}).get("fields", [])]:
                out.append(f"{name}: header {header} is not the schema's fields")
    return out


def test_every_shipped_reference_table_is_described():
    """Every file of ``data/build/reference/`` is a resource of its datapackage.json and vice versa,
    each with its licence(s), original publisher, title and URL (or a note why no URL is known)."""
    problems = _describe_problems(REFERENCE)
    assert not problems, "\n".join(problems)


def test_describe_check_finds_an_undescribed_file(tmp_path):
    """The check can fail: a file not listed, a resource without licence, a source without URL or note."""
    with lzma.open(tmp_path / "a.csv.xz", "wt", encoding="utf-8") as fh:
        fh.write("x,y\n1,2\n")
    (tmp_path / "extra.csv").write_text("x\n")
    data = (tmp_path / "a.csv.xz").read_bytes()
    res = {"name": "a", "path": "a.csv.xz", "format": "csv", "bytes": len(data),
           "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "schema": {"fields": [{"name": "x"}, {"name": "y"}]},
           "sources": [{"title": "T", "publisher": "P"}], "licenses": []}
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [res]}), encoding="utf-8")
    assert _describe_problems(tmp_path) == ["not in datapackage.json: extra.csv",
                                            "a.csv.xz: a licence without name and title, or none",
                                            "a.csv.xz: source 'T' has neither a URL nor a note why not"]


def _build_module(name: str):
    """A script of ``data/build/`` as a module (the scripts import each other from their folder)."""
    sys.path.insert(0, str(REPO / "data" / "build"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "data" / "build"))


def test_refdata_finds_plain_and_compressed_tables(tmp_path):
    """The build reads a table compressed or not, in the folder or in its ``data/`` sub-folder (the
    layout of a collection of the originals)."""
    refdata = _build_module("refdata")
    with gzip.open(tmp_path / "t.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write("ags,v\n01001,1\n")
    assert refdata.read_csv(tmp_path, "t.csv", dtype={"ags": str}).to_dict("records") == [{"ags": "01001", "v": 1}]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "g.geojson").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert refdata.read_json(tmp_path, "g.geojson")["features"] == []
    with pytest.raises(FileNotFoundError):
        refdata.path(tmp_path, "t.csv")  # the data/ sub-folder, where present, is where tables are
    assert refdata.path(REFERENCE, "svb_wz_all_kreise.csv").name == "svb_wz_all_kreise.csv.xz"


def test_least_squares_finds_the_constrained_optimum():
    """The estimator of suppressed cells: minimise sum(((x[cols] - P) / SD) ** 2) under equalities,
    inequalities and bounds. Checked against optima known in closed form; a repeated equality (the
    published identities overlap) is allowed; no feasible point gives None."""
    es = _build_module("estimate_sectors")
    lb, ub = np.zeros(2), np.full(2, np.inf)
    cols, P, SD = np.array([0, 1]), np.array([3.0, 1.0]), np.ones(2)
    A_eq = np.array([[1.0, 1.0], [2.0, 2.0]])  # x0 + x1 = 2, twice
    x = es.least_squares(P, SD, cols, A_eq, np.array([2.0, 4.0]), np.zeros((0, 2)), np.zeros(0), lb, ub)
    # the projection of (3, 1) on the line, at x1 = 0 where the bound's multiplier is zero (degenerate: an
    # interior-point method gets within about 1e-5; largest_remainder rounds to 3 decimals first)
    np.testing.assert_allclose(x, [2.0, 0.0], atol=1e-4)
    # weights pull the solution toward the more certain prior: x0 = 2 - x1, min (x0 - 3)^2 / 4 + (x1 - 1)^2
    x = es.least_squares(P, np.array([2.0, 1.0]), cols, A_eq[:1], np.array([2.0]), np.zeros((0, 2)), np.zeros(0),
                         lb, ub)
    np.testing.assert_allclose(x, [1.4, 0.6], atol=1e-7)  # (1 + x1) / 2 = 2 (1 - x1)
    # an active inequality x0 <= 1.5 and a variable outside the objective (x2 = 2 - x0 - x1 >= 0)
    x = es.least_squares(P, SD, cols, np.array([[1.0, 1.0, 1.0]]), np.array([2.0]), np.array([[1.0, 0.0, 0.0]]),
                         np.array([1.5]), np.zeros(3), np.full(3, np.inf))
    np.testing.assert_allclose(x[:2], [1.5, 0.5], atol=1e-7)
    assert es.least_squares(P, SD, cols, A_eq[:1], np.array([-1.0]), np.zeros((0, 2)), np.zeros(0), lb, ub) is None
    # two equalities that contradict each other
    assert es.least_squares(P, SD, cols, A_eq, np.array([2.0, 5.0]), np.zeros((0, 2)), np.zeros(0), lb, ub) is None


def test_largest_remainder_is_not_moved_by_solver_noise():
    """Values a solver returns up to 1e-5 off an integer round as the integer would."""
    es = _build_module("estimate_sectors")
    exact = es.largest_remainder({"a": 426.0, "b": 100.5, "c": 73.5}, 600)
    for eps in (2e-5, -2e-5):
        assert es.largest_remainder({"a": 426.0 + eps, "b": 100.5 - eps, "c": 73.5}, 600) == exact
    assert sum(exact.values()) == 600
