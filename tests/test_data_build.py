"""The shipped data can be rebuilt as shipped: ``data/build/build_all.py`` on a copy of ``data/``
gives every file byte for byte (issue 15). Needs the official tables in ``../shared/reference``;
skipped with a message where they are not beside the repository."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"

needs_reference = pytest.mark.skipif(not (REFERENCE / "data").is_dir(),
                                     reason=f"the official tables are not beside the repository ({REFERENCE})")


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def _different(a: Path, b: Path) -> list[str]:
    """Files that differ, are missing or are new in ``b`` against ``a``."""
    fa, fb = _files(a), _files(b)
    out = [f"missing: {f}" for f in sorted(fa - fb)] + [f"new: {f}" for f in sorted(fb - fa)]
    out += [f"differs: {f}" for f in sorted(fa & fb) if not filecmp.cmp(a / f, b / f, shallow=False)]
    return out


def test_compare_finds_a_changed_byte(tmp_path):
    """The comparison itself can fail: one changed byte, one missing and one new file are named."""
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        (d / "x").mkdir(parents=True)
        (d / "x" / "same.csv").write_text("1,2\n")
    (a / "x" / "t.csv").write_text("value\n426\n")
    (b / "x" / "t.csv").write_text("value\n397\n")
    (a / "gone.csv").write_text("")
    (b / "extra.csv").write_text("")
    assert _different(a, b) == ["missing: gone.csv", "new: extra.csv", "differs: x/t.csv"]


@needs_reference
def test_data_rebuilds_byte_for_byte(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "data", copy / "data", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, str(copy / "data" / "build" / "build_all.py"), str(REFERENCE)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    diff = _different(REPO / "data", copy / "data")
    assert not diff, ("rebuilding data/ changed files; run data/build/build_all.py and commit, or fix the "
                      "build: " + "; ".join(diff))
