"""`retra schema`: the JSON Schema describes what Scenario.from_file accepts (issue 19)."""

from __future__ import annotations

import json

import pytest
import yaml

from retra_model.cli import main

from .conftest import REPO

jsonschema = pytest.importorskip("jsonschema")

SHIPPED = sorted((REPO / "scenarios").rglob("*.yaml"))


@pytest.fixture(scope="module")
def validator(tmp_path_factory):
    out = tmp_path_factory.mktemp("schema") / "scenario.schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def as_json(text: str) -> dict:
    """The file as an editor's YAML language server sees it (keys as strings)."""
    return json.loads(json.dumps(yaml.safe_load(text)))


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(REPO)) for p in SHIPPED])
def test_every_shipped_scenario_is_valid_under_the_schema(validator, path):
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(as_json(path.read_text()))]
    assert not errors


def test_partial_sections_units_and_extends_are_accepted(validator):
    child = as_json("extends: baseline.yaml\ntitle: {de: X, en: X}\nnarrative: {de: X, en: X}\n"
                    "trend: {level_growth: '0.5 %/yr'}\n"
                    "electrification: {bev: {ceiling: '90 %', midpoint_year: 2030}}\n"
                    "projects: {p: {jobs: {2030: {distribution: triangular, low: -100, mode: -50, high: 0, "
                    "source: abc}}}}\n")
    assert not list(validator.iter_errors(child))


def test_mistakes_are_rejected(validator):
    base = as_json((REPO / "scenarios/son/baseline.yaml").read_text())
    del base["trend"]
    assert list(validator.iter_errors(base)), "a complete file needs every section"
    child = as_json("extends: baseline.yaml\ntitle: {de: X, en: X}\nnarrative: {de: X, en: X}\n"
                    "trend: {levle_growth: 0.01}\n")
    assert list(validator.iter_errors(child)), "an unknown key is refused"
    child = as_json("extends: baseline.yaml\ntitle: {de: X, en: X}\n")
    assert list(validator.iter_errors(child)), "every file states its own narrative"
