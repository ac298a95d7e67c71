"""Python-side speed of the apps: start-up, and the callback time of each kind of move.

    .venv/bin/python benchmarks/bench_apps.py [--moves 20] [--region son]

For each lever type of the Szenario-Explorer (and the council's view controls) the slider is
moved ``--moves`` times through the widget, exactly as the browser's message would move it,
and the time until the callback returns is taken (the compute, the reduction, the in-place
figure updates; the messages are queued for the browser by then). Prints percentiles (50, 90,
95 %) and the maximum per lever — of the whole callback and of the *first figure* (the lever's
run on the reference's draws plus the first figure's update) — and the start-up time of each
app in a fresh interpreter (imports included: what a new Voilà kernel pays before the page is
interactive). Written also to ``benchmarks/out/bench_apps.txt``. The machine's load is printed
alongside: the numbers of a loaded 2-core box vary by a factor of two.

With ``--browser N`` it also serves the apps with ``retra apps``' command line, waits for the
pool of pre-run kernels (a warm pool: before each page until the pool is full again), opens each
app N times in headless Chromium and reports, as percentiles, the time to interactive (all
figures drawn) and, in the explorer, the time from a key press on a lever until the first and
the last figure changed on the page.
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


FIRSTS: dict[int, list[float]] = {}
"""Milliseconds to the first figure of each explorer move (keyed by the widget's id)."""


def timed_moves(widget, values, state_of=None) -> list[float]:
    """Milliseconds of each assignment (one callback each); with ``state_of`` (a function giving
    the explorer's state) also the time to its first figure, into :data:`FIRSTS`."""
    out = []
    for v in values:
        t0 = time.perf_counter()
        widget.value = v
        out.append(1000 * (time.perf_counter() - t0))
        if state_of is not None:
            tm = state_of().timings
            FIRSTS.setdefault(id(widget), []).append(1000 * (tm.get("compute", 0.0) + tm.get("first_figure", 0.0)))
    return out


def pct(values, q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values``."""
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q))


def browser(pages: int, region: str = "son") -> list[str]:
    """Time to interactive (warm pool) and lever → first/last figure in Chromium, as percentiles."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from retra_model.apps import serve

    chromium = "/usr/bin/chromium"
    tmp = Path(tempfile.mkdtemp(prefix="bench-apps-"))
    port = 8890 + os.getpid() % 50
    env = serve.voila_env({**os.environ, "PYTHONUNBUFFERED": "1"}, overlay=serve.static_overlay(tmp / "overlay"))
    log_path = tmp / "voila.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(serve.voila_command(port), stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def filled() -> int:
        return log_path.read_bytes().decode("utf-8", "replace").count("Kernel pool of")

    def idle() -> bool:
        """Every kernel has finished running its notebook ("filled" in Voilà's log only means started)."""
        import json
        import urllib.request

        try:
            with urllib.request.urlopen(f"{base}/api/kernels", timeout=10) as r:
                kernels = json.loads(r.read())
        except OSError:
            return False
        return bool(kernels) and all(k.get("execution_state") == "idle" for k in kernels)

    def wait_filled(n: int, timeout: float = 600) -> None:
        """A warm pool: filled ``n`` times in all, and every kernel idle (its app built)."""
        deadline = time.time() + timeout
        while filled() < n or not idle():
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError("the pool of pre-run kernels did not fill")
            time.sleep(0.3)

    changed = ("([i, before]) => { const g = document.querySelectorAll('.js-plotly-plot')[i];"
               " return g && Array.from(g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '')"
               " + e.textContent).join('|') !== before; }")
    sig = ("(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i]; return g ? Array.from("
           "g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '') + e.textContent).join('|') : ''; }")
    tti = {app: [] for app in serve.APPS}
    firsts, lasts = [], []
    try:
        n_filled = 2
        wait_filled(n_filled)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
            for _ in range(pages):
                for app, n_figs in zip(serve.APPS, (5, 6), strict=True):
                    page = b.new_page(viewport={"width": 1366, "height": 768})
                    t0 = time.perf_counter()
                    page.goto(f"{base}/voila/render/{app}", timeout=300_000)
                    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {3 * n_figs}",
                                           timeout=300_000)
                    tti[app].append(time.perf_counter() - t0)
                    if app == serve.APPS[0]:
                        handle = page.locator(".retra-lever-bev_intensity .noUi-handle").first
                        for k in range(6):
                            b0, b4 = page.evaluate(sig, 0), page.evaluate(sig, 4)
                            handle.focus()
                            t1 = time.perf_counter()
                            page.keyboard.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
                            page.wait_for_function(changed, arg=[0, b0], timeout=60_000)
                            firsts.append(1000 * (time.perf_counter() - t1))
                            page.wait_for_function(changed, arg=[4, b4], timeout=60_000)
                            lasts.append(1000 * (time.perf_counter() - t1))
                    page.close()
                    n_filled += 1
                    wait_filled(n_filled)  # the pool is warm again before the next page
            b.close()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(30)
        log.close()
    out = [f"browser: {pages} pages per app, warm pool, 1366×768, load {os.getloadavg()[0]:.1f}"]
    for app, ts in tti.items():
        out.append(f"  time to interactive {app:26} p50 {pct(ts, 50):5.2f} s  p90 {pct(ts, 90):5.2f} s  "
                   f"max {max(ts):5.2f} s")
    out.append(f"  explorer lever → first figure on the page   p50 {pct(firsts, 50):6.0f} ms  p90 {pct(firsts, 90):6.0f} ms  "
               f"max {max(firsts):6.0f} ms ({len(firsts)} moves)")
    out.append(f"  explorer lever → last figure on the page    p50 {pct(lasts, 50):6.0f} ms  p90 {pct(lasts, 90):6.0f} ms  "
               f"max {max(lasts):6.0f} ms")
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
    ap.add_argument("--browser", type=int, default=0, metavar="N",
                    help="also open each app N times in Chromium under retra apps (warm pool)")
    args = ap.parse_args(argv)

    lines = [f"bench_apps: {args.moves} moves per lever, region {args.region}, load average "
             f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"]

    from retra_model.apps import explorer as ex
    from retra_model.apps.council_ui import CouncilApp
    from retra_model.apps.explorer_ui import ExplorerApp

    app = ExplorerApp(args.region)
    rows = []
    for key, slider in app.sliders.items():
        rows.append((f"explorer lever {key}", timed_moves(slider, sweep(slider, args.moves), lambda: app.state)))
        rows[-1] = (*rows[-1], FIRSTS.get(id(slider), []))
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

    lines.append(f"{'move (callback, ms)':52} {'p50':>7} {'p90':>7} {'p95':>7} {'max':>7}   first figure p50/p90/max")
    for row in rows:
        name, ts = row[0], row[1]
        first = row[2] if len(row) > 2 and row[2] else None
        extra = (f"   {pct(first, 50):5.0f} / {pct(first, 90):5.0f} / {max(first):5.0f}" if first else "")
        lines.append(f"{name:52} {pct(ts, 50):7.1f} {pct(ts, 90):7.1f} {pct(ts, 95):7.1f} {max(ts):7.1f}{extra}")
    lines.append(f"(explorer: each move runs the variant on the reference's {ex.DRAWS} draws — same draws, so the "
                 "effect of a change is the change alone)")
    if not args.no_startup:
        for module in ("explorer", "council"):
            imp, build = startup(module, args.region)
            lines.append(f"start-up {module:9} imports {imp:5.2f} s, building the app {build:5.2f} s "
                         "(fresh interpreter, median of 3)")
    if args.browser:
        lines.extend(browser(args.browser, args.region))
    text = "\n".join(lines)
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_apps.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
