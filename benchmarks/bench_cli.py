"""Speed of the command line as a user feels it: whole processes, start to exit.

Printed, each the median of ``--repeat`` runs in one session (seconds travel badly between
machines, so every figure is also given as a ratio to the bare start of a Python process that
imports the package, measured in the same run):

1. ``import``: ``python -c "import retra_model.cli"`` — the floor of every command (``retra list``
   and ``--help`` import no more), and the import of the model a run and a validation need
   (``retra_model.engine`` and ``retra_model.export``: NumPy, pandas, xarray, pydantic) — the floor
   of ``run``; the ratios are to the latter.
2. ``retra list`` and ``retra validate scenarios/``.
3. ``retra run scenarios/<region>/baseline.yaml`` (deterministic) and with ``--draws 1000``,
   each writing its files to a fresh temporary folder.

4. The bound of ``--draws 1000``: the model's import plus the time :func:`~retra_model.export.write_results`
   takes to write the same files (timed inside a process, after the run), and the run's ratio to it
   (issue 15: within 3×; deterministic run, list and validate: under 1.5 s).
5. The ensemble kernel of 1000 draws against the write-only bound of its result arrays
   (``benchmarks/bench_ensemble.py``, in a process of its own; issue 15: within 3×).

Run: ``.venv/bin/python benchmarks/bench_cli.py [--repeat 3] [--region son]``. Nothing is
asserted; the figures go into the notes of the issues that set targets for them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], repeat: int, fresh_out: bool = False) -> float:
    """Median wall time of a command [s]; ``fresh_out`` appends ``--out <new temporary folder>``."""
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            args = cmd + (["--out", str(Path(tmp) / "out")] if fresh_out else [])
            t = time.perf_counter()
            proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            if proc.returncode != 0:
                raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return statistics.median(times)


WRITE_TIME = """
import sys, tempfile, time
from pathlib import Path
from retra_model import labour
from retra_model.engine import run
from retra_model.export import write_results
from retra_model.regions import load_region
from retra_model.scenario import Scenario
sc = Scenario.from_file(sys.argv[1]); region = load_region(sc.region)
res = run(sc, draws=int(sys.argv[2]), seed=1, region=region)
with tempfile.TemporaryDirectory() as tmp:
    t = time.perf_counter()
    fow = labour.future_of_work(res, sc, region) if labour.has_future_of_work_data(region) else None
    write_results(res, Path(tmp) / "out", sectors=region.national.sectors, sources=region.sources(),
                  scenario_yaml=sc.to_yaml(), scenario=sc, region=region,
                  extra_tables=None if fow is None else labour.future_of_work_tables(fow),
                  extra_sheets=None if fow is None else labour.future_of_work_sheets(fow))
    print(time.perf_counter() - t)
"""


def write_time(scenario: str, draws: int, repeat: int) -> float:
    """Median time [s] to write a run's files (future of work included), measured in-process."""
    times = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", WRITE_TIME, scenario, str(draws)], cwd=REPO,
                              capture_output=True, text=True, check=True)
        times.append(float(proc.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


KERNEL = """
import json, sys
sys.path.insert(0, "benchmarks")
from bench_ensemble import measure
r = measure(sys.argv[1], 1000, repeat=int(sys.argv[2]), loop_draws=1)
print(json.dumps({k: r[k] for k in ("ensemble_s", "write_arrays_s", "ensemble_over_write_arrays",
                                     "ensemble_one_thread_s", "one_thread_over_write_arrays")}))
"""


def kernel_ratio(region: str, repeat: int) -> dict:
    """The kernel figures of :func:`bench_ensemble.measure` (1000 draws), from a process of its own."""
    import json

    proc = subprocess.run([sys.executable, "-c", KERNEL, region, str(repeat)], cwd=REPO, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--region", default="son")
    a = ap.parse_args()
    py = [sys.executable]
    retra = py + ["-m", "retra_model.cli"]
    scenario = f"scenarios/{a.region}/baseline.yaml"
    rows = [
        ("import the model (retra_model.engine, .export)",
         timed(py + ["-c", "import retra_model.cli, retra_model.engine, retra_model.export"], a.repeat)),
        ("import retra_model.cli", timed(py + ["-c", "import retra_model.cli"], a.repeat)),
        ("retra list", timed(retra + ["list"], a.repeat)),
        ("retra validate scenarios/", timed(retra + ["validate", "scenarios/"], a.repeat)),
        (f"retra run {scenario}", timed(retra + ["run", scenario, "--quiet"], a.repeat, fresh_out=True)),
        (f"retra run {scenario} --draws 1000",
         timed(retra + ["run", scenario, "--draws", "1000", "--seed", "1", "--quiet"], a.repeat, fresh_out=True)),
    ]
    floor = rows[0][1]
    write = write_time(scenario, 1000, a.repeat)
    kernel = kernel_ratio(a.region, a.repeat)
    bound = floor + write
    print(f"retra command line, whole processes, median of {a.repeat} (2-core machine: see README)")
    for name, s in rows:
        print(f"  {name:<52} {s:6.2f} s   {s / floor:5.1f}× model import")
    print(f"  {'writing the files of --draws 1000 (in-process)':<52} {write:6.2f} s")
    print(f"  {'bound: import of the model + writing the files':<52} {bound:6.2f} s")
    print(f"  run --draws 1000 / bound: {rows[-1][1] / bound:.2f}× (target ≤ 3×); "
          f"targets < 1.5 s: list {rows[2][1]:.2f} s, validate {rows[3][1]:.2f} s, run {rows[4][1]:.2f} s")
    print(f"  ensemble kernel, 1000 draws: {kernel['ensemble_s']:.3f} s, write-only bound of its arrays "
          f"{kernel['write_arrays_s']:.3f} s: {kernel['ensemble_over_write_arrays']:.1f}× (target ≤ 3×); "
          f"on one thread {kernel['ensemble_one_thread_s']:.3f} s: {kernel['one_thread_over_write_arrays']:.1f}×")


if __name__ == "__main__":
    main()
