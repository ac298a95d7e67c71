"""Python-side speed of the apps: start-up, and the callback time of each kind of move.

    .venv/bin/python benchmarks/bench_apps.py [--moves 20] [--region son]

For each lever type of the Szenario-Explorer (and the council's view controls) the slider is
moved ``--moves`` times through the widget, exactly as the browser's message would move it,
and the time until the callback returns is taken (the compute, the reduction, the in-place
figure updates; the messages are queued for the browser by then). Prints the median and the
maximum per lever, and the start-up time of each app in a fresh interpreter (imports
included: what a new Voilà kernel pays before the page is interactive). Written also to
``benchmarks/out/bench_apps.txt``. The machine's load is printed alongside: the numbers of a
loaded 2-core box vary by a factor of two.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"

STARTUP = """
import time
t0 = time.perf_counter()
from retra_model.apps.{module} import app
t1 = time.perf_counter()
app({region!r})
t2 = time.perf_counter()
print(f"{{t1 - t0:.3f}} {{t2 - t1:.3f}}")
"""


def startup(module: str, region: str, repeat: int = 3) -> tuple[float, float]:
    """Median (import, build) seconds of an app in a fresh interpreter."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", STARTUP.format(module=module, region=region)],
                             capture_output=True, text=True, check=True)
        runs.append(tuple(float(x) for x in out.stdout.split()[-2:]))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def timed_moves(widget, values) -> list[float]:
    """Milliseconds of each assignment (one callback each)."""
    out = []
    for v in values:
        t0 = time.perf_counter()
        widget.value = v
        out.append(1000 * (time.perf_counter() - t0))
    return out


def sweep(widget, n: int) -> list:
    """``n`` values alternating around the widget's start, each different from the last."""
    if isinstance(widget.value, bool):
        return [bool((i + 1) % 2) != widget.value for i in range(n)]
    if hasattr(widget, "options") and not hasattr(widget, "step"):
        vals = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        start = vals.index(widget.value)
        return [vals[(start + i + 1) % len(vals)] for i in range(n)]
    lo, hi, step, v0 = widget.min, widget.max, widget.step, widget.value
    span = max(step, min(hi - lo, 20 * step) / 2)
    out = []
    for i in range(n):
        k = (i % 4) + 1
        v = v0 + (span * k / 4 if i % 2 == 0 else -span * k / 4)
        out.append(min(hi, max(lo, round(v / step) * step)))
    for i in range(1, n):  # never the same value twice in a row (no callback)
        if out[i] == out[i - 1]:
            out[i] = min(hi, out[i] + step) if out[i] + step <= hi else out[i] - step
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--region", default="son")
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up measurement")
    args = ap.parse_args(argv)

    lines = [f"bench_apps: {args.moves} moves per lever, region {args.region}, load average "
             f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"]

    from retra_model.apps import explorer as ex
    from retra_model.apps.council_ui import CouncilApp
    from retra_model.apps.explorer_ui import ExplorerApp

    app = ExplorerApp(args.region)
    rows = []
    for key, slider in app.sliders.items():
        rows.append((f"explorer lever {key}", timed_moves(slider, sweep(slider, args.moves))))
        slider.value = slider.value  # noqa: PLW0127
    with_projects = [v for _t, v in app.scenario_dd.options if "vw_agreement" in v or "powerco" in v]
    if with_projects:  # a scenario with projects, for the project levers
        app.scenario_dd.value = with_projects[0]
        for pid, (cb, size) in list(app.projects.items())[:1]:
            rows.append((f"explorer project size ({Path(with_projects[0]).stem}: {pid})",
                         timed_moves(size, sweep(size, args.moves))))
            rows.append((f"explorer project on/off ({Path(with_projects[0]).stem}: {pid})",
                         timed_moves(cb, sweep(cb, args.moves))))
    app.reset_btn.click()
    rows.append(("explorer year", timed_moves(app.year, sweep(app.year, args.moves))))
    rows.append(("explorer map in % / persons", timed_moves(app.relative, sweep(app.relative, args.moves))))
    council = CouncilApp(args.region)
    rows.append(("council year", timed_moves(council.year, sweep(council.year, args.moves))))
    rows.append(("council scenario in focus", timed_moves(council.focus, sweep(council.focus, args.moves))))

    lines.append(f"{'move':52} {'median ms':>10} {'max ms':>8}")
    for name, ts in rows:
        lines.append(f"{name:52} {statistics.median(ts):10.1f} {max(ts):8.1f}")
    lines.append(f"(explorer live ensemble: {ex.DRAWS} draws per move; the saved scenario's bands from its "
                 "cached 1,000-draw ensemble)")
    if not args.no_startup:
        for module in ("explorer", "council"):
            imp, build = startup(module, args.region)
            lines.append(f"start-up {module:9} imports {imp:5.2f} s, building the app {build:5.2f} s "
                         "(fresh interpreter, median of 3)")
    text = "\n".join(lines)
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_apps.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
