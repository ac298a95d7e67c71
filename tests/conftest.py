"""Shared fixtures: the toy region (made-up numbers, a third region that needs no code) and its scenarios."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retra_model import Scenario, load_region
from retra_model.regions import Region

HERE = Path(__file__).parent
REPO = HERE.parent
TOY = HERE / "toy_region"
TOY_SCENARIOS = HERE / "scenarios" / "toy"


@pytest.fixture(scope="session")
def toy() -> Region:
    return load_region(TOY)


@pytest.fixture(scope="session")
def toy_context(toy: Region) -> dict:
    return toy.codelists()


@pytest.fixture(scope="session")
def toy_baseline(toy_context) -> Scenario:
    return Scenario.from_file(TOY_SCENARIOS / "baseline.yaml", context=toy_context)


@pytest.fixture(scope="session")
def toy_neutral(toy_context) -> Scenario:
    return Scenario.from_file(TOY_SCENARIOS / "neutral.yaml", context=toy_context)


@pytest.fixture
def toy_copy(tmp_path: Path) -> Path:
    """A writable copy of the toy region, for tests that break a file."""
    dst = tmp_path / "toy"
    shutil.copytree(TOY, dst)
    return dst


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """A scratch scenarios/ folder holding a copy of the toy baseline."""
    root = tmp_path / "scenarios" / "toy"
    root.mkdir(parents=True)
    shutil.copy(TOY_SCENARIOS / "baseline.yaml", root / "baseline.yaml")
    return root
