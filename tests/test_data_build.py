"""The shipped data can be rebuilt as shipped: ``data/build/build_all.py`` on a copy of ``data/``
gives every file as shipped (issue 15): byte for byte, or — for text — with numbers at most one unit
of their last digit apart (an optimiser's rounding on another CPU; here the rebuild is byte-identical). Needs the official tables (``RETRA_REFERENCE``);
skipped with a message without them."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("RETRA_REFERENCE", "")) if os.environ.get("RETRA_REFERENCE") else None
"""The collected official tables the build reads (80 MB, not shipped): only where a maintainer
points ``RETRA_REFERENCE`` at them; a user's clone runs without."""

needs_reference = pytest.mark.skipif(REFERENCE is None or not (REFERENCE / "data").is_dir(),
                                     reason="set RETRA_REFERENCE to the folder of the official tables to rebuild data/")


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _numbers(token: str) -> float:
    return float(token.replace(",", ""))


def _close(a: str, b: str) -> bool:
    """Two texts equal but for numbers that differ by at most one unit of their last digit (or 1e-9
    relative): the rounding of an optimiser's result (``estimate_sectors.py``, SLSQP) may flip on a
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


@needs_reference
def test_data_rebuilds_as_shipped(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "data", copy / "data", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, str(copy / "data" / "build" / "build_all.py"), str(REFERENCE)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    diff = _different(REPO / "data", copy / "data")
    assert not diff, ("rebuilding data/ changed files; run data/build/build_all.py and commit, or fix the "
                      "build: " + "; ".join(diff))
