"""Speed of the command line as a user feels it: whole processes, start to exit.

Printed, each the median of ``--repeat`` runs in one session (seconds travel badly between
machines, so every figure is also given as a ratio to the bare start of a Python process that
imports the package, measured in the same run):

1. ``import``: ``python -c "import retra_model.cli"`` — the floor of every command.
2. ``retra list`` and ``retra validate scenarios/``.
3. ``retra run scenarios/<region>/baseline.yaml`` (deterministic) and with ``--draws 1000``,
   each writing its files to a fresh temporary folder.

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--region", default="son")
    a = ap.parse_args()
    py = [sys.executable]
    retra = py + ["-m", "retra_model.cli"]
    scenario = f"scenarios/{a.region}/baseline.yaml"
    rows = [
        ("import retra_model.cli", timed(py + ["-c", "import retra_model.cli"], a.repeat)),
        ("retra list", timed(retra + ["list"], a.repeat)),
        ("retra validate scenarios/", timed(retra + ["validate", "scenarios/"], a.repeat)),
        (f"retra run {scenario}", timed(retra + ["run", scenario, "--quiet"], a.repeat, fresh_out=True)),
        (f"retra run {scenario} --draws 1000",
         timed(retra + ["run", scenario, "--draws", "1000", "--seed", "1", "--quiet"], a.repeat, fresh_out=True)),
    ]
    floor = rows[0][1]
    print(f"retra command line, whole processes, median of {a.repeat} (2-core machine: see README)")
    for name, s in rows:
        print(f"  {name:<48} {s:6.2f} s   {s / floor:5.1f}× import")


if __name__ == "__main__":
    main()
