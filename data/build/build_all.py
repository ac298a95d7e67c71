#!/usr/bin/env python
"""Rebuild every table in ``data/`` from the official tables shipped in ``data/build/reference/``, in order.

Usage:  python data/build/build_all.py [REFERENCE_DIR]

REFERENCE_DIR defaults to ``data/build/reference/``: xz-compressed copies of the 29 official
tables the steps read, each described (publisher, original title, year, URL, licence) in that
folder's ``datapackage.json``. Point it elsewhere to build from another copy of the tables: a
folder holding them (``name.csv``, ``name.csv.xz`` or ``name.csv.gz``) directly or in a ``data/``
sub-folder (see ``refdata.py``).

Steps (each a script of this folder, run as its own process):

1. ``build_national.py``   national tables, input-output table, parameters (+ ``inputs/``)
2. ``estimate_sectors.py`` 14 sectors per district 2015-2020 (son, swsn, then all 401 Kreise), exposure,
                           ``ESTIMATES.md``, ``ESTIMATES_de.md``
3. ``build_regions.py``    the region packages (son and swsn, then de: all 401 Kreise)
4. ``build_history.py``    district totals 2013-2024, sector nowcast 2021-2024
5. ``build_automotive.py`` WZ 29 in Germany 2019-2024 (calibration series)
6. ``build_demography.py`` population projection by age per district
7. the empirical error model of the forecasts (``retra_model.backtest.write_error_model``)
8. ``apply_constraints.py`` the field constraints of ``inputs/field_constraints.json`` (required,
   minimum/maximum, codelist) into every ``datapackage.json``: the schema the loader checks

The central value of a suppressed cell (``estimate_sectors.py``) is the minimiser of a convex
least-squares problem, unique in every cell the build writes, and solved by Clarabel's interior-point
method to 1e-10: the same in every environment up to that tolerance, which the integer rounding
absorbs. Until December 2026 the step used SciPy's SLSQP, which stopped short of the optimum in 11
district-years of the national build (Ingolstadt 2015 and 2018-2020 among them) and then kept a
point that depended on the library versions; the national step was therefore left out of this build
and its check. Rebuilt at the optimum (December 2026), 486 of the 33,684 cells of 2015-2020 changed,
in 39 Kreise: 400 by one person (rounding), 86 by more in 9 Kreise (Ingolstadt up to 1,204 persons in
energy and mining, Garmisch-Partenkirchen up to 625 in construction), every one inside its shipped
low-high range; Germany's sector sums moved by at most 0.14 % (energy and mining).

Hand-curated tables (checked by hand, with sources) live in ``data/build/inputs/`` and are
copied or merged by the steps above. The posteriors (``retra calibrate``) and the apps'
ensemble caches (``retra ensembles``) are derived from ``data/`` by their own commands.
``tests/test_data_build.py`` runs this script (from the shipped tables, so in CI too) on a copy
of ``data/`` and checks that every file comes out as shipped: byte for byte, or with numbers at
most one unit of their last digit apart (the optimiser of ``estimate_sectors.py`` may round
differently on another CPU).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import refdata  # noqa: E402  (beside this script)

STEPS = (("build_national",), ("estimate_sectors", "--regions", "son", "swsn", "de"), ("build_regions",),
         ("build_regions", "--regions", "de"), ("build_history",), ("build_automotive",), ("build_demography",))
"""Each step: the script and its options after the reference folder."""
ERROR_MODEL = "from retra_model.backtest import write_error_model; write_error_model()"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ref = Path(argv[0]).resolve() if argv else refdata.DEFAULT
    if not refdata.usable(ref):
        print(f"build_all: the reference folder {ref} not found", file=sys.stderr)
        return 2
    env = {**os.environ, "RETRA_DATA": str(HERE.parent)}  # the error model reads the data just built
    t0 = time.perf_counter()
    for script, *options in STEPS:
        t = time.perf_counter()
        step = " ".join([script, *options])
        args = [sys.executable, str(HERE / f"{script}.py")]
        args += [] if script == "build_automotive" else [str(ref)]
        args += options
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        if done.returncode:
            print(done.stdout[-2000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
            print(f"build_all: {step} failed (exit {done.returncode})", file=sys.stderr)
            return 1
        print(f"{step:<28} {time.perf_counter() - t:5.1f} s")
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", ERROR_MODEL], env=env, capture_output=True, text=True)
    if done.returncode:
        print(done.stdout[-2000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
        print(f"build_all: the error model failed (exit {done.returncode})", file=sys.stderr)
        return 1
    print(f"{'error model':<28} {time.perf_counter() - t:5.1f} s")
    done = subprocess.run([sys.executable, str(HERE / "apply_constraints.py")], capture_output=True, text=True)
    if done.returncode:
        print(done.stdout[-2000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
        print("build_all: apply_constraints failed", file=sys.stderr)
        return 1
    print(f"data/ rebuilt in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
