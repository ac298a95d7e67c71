"""The package's layers stay one way: import-linter checks the contracts in `.importlinter`."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_the_layers_are_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is not installed; it is in the dev extras: pip install -e '.[dev]'")
    proc = subprocess.run([exe], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_a_core_module_importing_the_apps_breaks_the_contract(tmp_path):
    """The contract can fail: a copy of the package whose engine imports the apps is refused."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is not installed; it is in the dev extras: pip install -e '.[dev]'")
    shutil.copytree(REPO / "retra_model", tmp_path / "retra_model", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / ".importlinter", tmp_path / ".importlinter")
    engine = tmp_path / "retra_model" / "engine.py"
    engine.write_text(engine.read_text(encoding="utf-8") + "\nfrom .apps import levers  # noqa\n", encoding="utf-8")
    proc = subprocess.run([exe], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert proc.returncode != 0 and "retra_model.engine is not allowed to import retra_model.apps" in proc.stdout
