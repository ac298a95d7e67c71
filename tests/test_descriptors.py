"""Every CSV of ``data/`` conforms to the descriptor in its own ``datapackage.json``: field names in
order, the type of every value, enum and pattern constraints, required fields (issue 15: the
descriptor is the schema; ``labs.csv`` once held ``productivity``, missing from its enum)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
PACKAGES = sorted(p.parent for p in DATA.glob("*/datapackage.json")) + sorted(
    p.parent for p in DATA.glob("regions/*/datapackage.json"))
PACKAGES = [p for p in PACKAGES if p.name not in ("posteriors", "ensembles")]

_INT = re.compile(r"-?\d+")
_NUM = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|-?inf|nan", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CHECK = {"integer": _INT.fullmatch, "number": _NUM.fullmatch, "date": _DATE.fullmatch,
          "boolean": lambda v: v in ("True", "False", "true", "false", "1", "0")}


def conformity_problems(folder: Path) -> list[str]:
    """Header = field names in order; values of each type; enum and pattern constraints; required."""
    pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    problems = []
    rel = folder.relative_to(folder.parents[1] if folder.parent.name == "regions" else folder.parent).as_posix()
    for res in pkg["resources"]:
        path = folder / res["path"]
        if path.suffix != ".csv" or "schema" not in res:
            continue
        fields = res["schema"]["fields"]
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            header = next(rows)
            names = [f["name"] for f in fields]
            if header != names:
                problems.append(f"{rel}/{res['path']}: header {header} != descriptor fields {names}")
                continue
            bad: dict[str, str] = {}
            for i, row in enumerate(rows, start=2):
                for f, v in zip(fields, row, strict=False):
                    if f["name"] in bad:
                        continue
                    c = f.get("constraints", {})
                    if v == "":
                        if c.get("required"):
                            bad[f["name"]] = f"row {i}: empty but required"
                        continue
                    check = _CHECK.get(f.get("type", "string"))
                    if check and not check(v):
                        bad[f["name"]] = f"row {i}: {v!r} is not {f['type']}"
                    elif "enum" in c and v not in [str(e) for e in c["enum"]]:
                        bad[f["name"]] = f"row {i}: {v!r} not in enum {c['enum']}"
                    elif "pattern" in c and not re.fullmatch(c["pattern"], v):
                        bad[f["name"]] = f"row {i}: {v!r} does not match {c['pattern']}"
            problems += [f"{rel}/{res['path']}, column {k}, {m}" for k, m in bad.items()]
    return problems


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.relative_to(DATA).as_posix())
def test_every_csv_conforms_to_its_descriptor(folder):
    problems = conformity_problems(folder)
    assert not problems, "\n".join(problems)


def test_a_value_outside_the_enum_is_found(tmp_path):
    """The check can fail: a driver missing from the enum, a text in an integer column."""
    pkg = {"resources": [{"name": "labs", "path": "labs.csv", "schema": {"fields": [
        {"name": "driver", "type": "string", "constraints": {"enum": ["trend"]}},
        {"name": "n", "type": "integer"}]}}]}
    folder = tmp_path / "regions" / "x"
    folder.mkdir(parents=True)
    (folder / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    (folder / "labs.csv").write_text("driver,n\ntrend,1\nproductivity,2\ntrend,zwei\n", encoding="utf-8")
    problems = conformity_problems(folder)
    assert any("'productivity' not in enum" in p for p in problems) and any("'zwei' is not integer" in p
                                                                            for p in problems), problems
