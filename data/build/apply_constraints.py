"""Write the field constraints of ``inputs/field_constraints.json`` into every ``datapackage.json``.

The descriptors are the schema the loader checks the tables against (``retra_model.regions``):
field types come from the script that writes each table, the constraints a model needs — a value
required, a minimum or maximum, the codelist a code must belong to (``codelist``: ``district``,
``sector``, ``wz_group``, ``cpa``; a retra extension of the Frictionless field descriptor) — are
declared once, per resource name and field, in ``inputs/field_constraints.json`` and written here,
the last step of ``build_all.py``. A resource or field the file does not name is left as it is.

Run: ``python data/build/apply_constraints.py [PACKAGE_FOLDER ...]`` (default: ``data/national``
and every ``data/regions/*``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
CONSTRAINTS = HERE / "inputs" / "field_constraints.json"
KEYS = ("required", "minimum", "maximum")


def apply(folder: Path, constraints: dict) -> bool:
    """Write the constraints into ``folder/datapackage.json``; whether it changed."""
    path = folder / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    pkg = json.loads(text)
    for res in pkg.get("resources", []):
        wanted = constraints.get(res.get("name"), {})
        for field in res.get("schema", {}).get("fields", []):
            spec = wanted.get(field["name"])
            if spec is None:
                continue
            con = {k: v for k, v in field.get("constraints", {}).items() if k not in KEYS}
            con.update({k: spec[k] for k in KEYS if k in spec})
            field["constraints"] = con
            if "codelist" in spec:
                field["codelist"] = spec["codelist"]
            else:
                field.pop("codelist", None)
    out = json.dumps(pkg, indent=2, ensure_ascii=False) + ("\n" if text.endswith("\n") else "")
    if out != text:
        path.write_text(out, encoding="utf-8")
        return True
    return False


def main(argv: list[str]) -> int:
    constraints = json.loads(CONSTRAINTS.read_text(encoding="utf-8"))
    folders = [Path(a) for a in argv] or [DATA / "national", *sorted(p.parent for p in DATA.glob("regions/*/datapackage.json"))]
    for folder in folders:
        changed = apply(folder, constraints)
        print(f"apply_constraints: {folder.name}: {'written' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
