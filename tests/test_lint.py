"""The code stays free of the defects a linter finds: ruff with the rules of ``[tool.ruff.lint]``
in ``pyproject.toml`` (unused and undefined names, dead assignments, closures over loop variables)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _ruff() -> str:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.fail("ruff is not installed; it is in the dev extras: pip install -e '.[dev]'")
    return exe


def test_the_code_passes_the_lint_rules():
    proc = subprocess.run([_ruff(), "check", "--no-cache", "--output-format", "concise", "."], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_a_dead_assignment_is_refused(tmp_path):
    """The check can fail: the project's rules refuse a module with an unused variable."""
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "bad.py").write_text("def f(x):\n    y = x + 1\n    return x\n", encoding="utf-8")
    proc = subprocess.run([_ruff(), "check", "--no-cache", "--output-format", "concise", "."], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "F841" in proc.stdout, proc.stdout + proc.stderr
