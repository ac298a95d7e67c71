"""Load test of the Voilà apps on loopback: N concurrent sessions in headless chromium.

    .venv/bin/python benchmarks/load_apps.py [--sessions 20] [--moves 5] [--deadline 600]

Not part of pytest. Starts its own Voilà server (``retra apps`` settings, on 127.0.0.1 only,
a free port) with a kernel limit of ``sessions`` + the two pre-run pool kernels, then opens
``--sessions`` pages at once in one headless Debian chromium (Playwright; each page its own
browser context, i.e. its own cookies and kernel) — even sessions the Szenario-Explorer, odd
ones the Transformationsrat — staggered by ``--stagger`` seconds. Each session waits until
its page is interactive (every figure drawn), then moves a slider ``--moves`` times (the
explorer's BEV lever, the council's year), one key press each, waiting for the figure to
change and ``--think`` seconds between moves, then closes its page. With every session
open, one more page is requested over HTTP to show what a visitor beyond the limit sees.

Bounded: at most ``--sessions`` pages (≤ 40), every wait has a timeout, and the whole test
stops after ``--deadline`` seconds whatever happens; the server is stopped at the end.

Why real browsers and not a websocket-level widget client: the latency that matters is
the one a council member sees (kernel + websocket + plotly.js drawing), and 20 chromium
pages fit this 24 GB box (≈ 150 MB each, next to 22 kernels of ≈ 300 MB). The 2 cores
are the bottleneck either way; the report gives the load average.

Reports failures and the p50/p90/p99 of time to interactive and of slider → figure, per
app and overall, to stdout and ``benchmarks/out/load_apps.txt``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retra_model.apps import serve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).parent / "out"
APPS = {  # notebook, figures on the page, slider label, figure watched, keys
    "explorer": ("Szenario-Explorer.ipynb", 5, "Tempo der Umstellung", 0, ("ArrowLeft", "ArrowRight")),
    "council": ("Transformationsrat.ipynb", 4, "Jahr", 1, ("ArrowRight", "ArrowLeft")),
}
SIGNATURE = """(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i];
    if (!g) return '';
    return Array.from(g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '') + e.textContent).join('|'); }"""
CHANGED = ("([i, before]) => { const g = document.querySelectorAll('.js-plotly-plot')[i];"
           " return g && Array.from(g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '')"
           " + e.textContent).join('|') !== before; }")
ERRORS = ("Traceback", "There was an error", "Fehler")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def session(i: int, browser, base: str, args, results: list, opened: asyncio.Event, n_open: list) -> None:
    kind = "explorer" if i % 2 == 0 else "council"
    notebook, n_fig, label, watch, keys = APPS[kind]
    await asyncio.sleep(i * args.stagger)
    rec = {"session": i, "app": kind, "tti": None, "moves": [], "error": None}
    results.append(rec)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        t0 = time.perf_counter()
        await page.goto(f"{base}/voila/render/{notebook}", timeout=args.timeout * 1000)
        await page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n_fig}",
                                     timeout=args.timeout * 1000)
        rec["tti"] = time.perf_counter() - t0
        n_open[0] += 1
        if n_open[0] >= args.sessions:
            opened.set()
        sliders = page.locator(".widget-hslider")
        handle = None
        for k in range(await sliders.count()):
            box = sliders.nth(k)
            text = await box.evaluate(
                "(e) => (e.previousElementSibling ? e.previousElementSibling.innerText : '') + e.innerText")
            if label in text:
                handle = box.locator(".noUi-handle, .ui-slider-handle").first
                break
        readout = handle.locator("xpath=ancestor::div[contains(@class,'widget-hslider')]").locator(".widget-readout")
        for m in range(args.moves):
            before = await page.evaluate(SIGNATURE, watch)
            value = await readout.first.inner_text()
            await handle.focus()
            t1 = time.perf_counter()
            await page.keyboard.press(keys[m % 2])
            try:
                await page.wait_for_function(CHANGED, arg=[watch, before], timeout=args.timeout * 1000)
            except Exception:
                now = await readout.first.inner_text()
                raise RuntimeError(f"move {m + 1}: slider {value} → {now}, figure unchanged after "
                                   f"{args.timeout:.0f} s") from None
            rec["moves"].append(time.perf_counter() - t1)
            await asyncio.sleep(args.think)
        body = await page.inner_text("body")
        bad = [e for e in ERRORS if e in body]
        if bad:
            rec["error"] = f"error text on the page: {bad}"
        await opened.wait()  # hold the page (and its kernel) until every session is open
    except Exception as exc:  # noqa: BLE001 - a failed session is a result, not a crash
        rec["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        n_open[0] += 1
        if n_open[0] >= args.sessions:
            opened.set()
    finally:
        await context.close()


def probe_beyond_limit(base: str, tries: int = 4) -> str:
    """Request more pages over HTTP until one is refused: what a visitor beyond the limit sees.

    A request may still get a pre-run pool kernel (the pool holds up to two), so several are tried.
    """
    seen = []
    for _ in range(tries):
        try:
            with urllib.request.urlopen(f"{base}/voila/render/{APPS['council'][0]}", timeout=120) as r:
                seen.append(str(r.status))
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")
            h1 = text.split("<h1>")[1].split("</h1>")[0].strip() if "<h1>" in text else text[:200]
            return f"extra pages served: {len(seen)}; then HTTP {err.code}: „{h1}“"
        except OSError as exc:
            return f"extra pages served: {len(seen)}; then no answer ({exc})"
    return f"extra pages served: {len(seen)} ({', '.join(seen)}); none refused"


def pct(values: list[float]) -> str:
    if not values:
        return "–"
    p50, p90, p99 = np.percentile(np.asarray(values) * 1000, [50, 90, 99])
    return f"p50 {p50:6.0f} ms  p90 {p90:6.0f} ms  p99 {p99:6.0f} ms  (n = {len(values)})"


async def run(args) -> str:
    from playwright.async_api import async_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="retra-load-"))
    overlay = serve.static_overlay(tmp / "overlay")
    log = open(tmp / "voila.log", "wb")  # noqa: SIM115 - closed below
    limit = args.sessions + 2
    proc = subprocess.Popen(serve.voila_command(port, max_kernels=limit), stdout=log, stderr=subprocess.STDOUT,
                            env=serve.voila_env(overlay=overlay), start_new_session=True)
    results: list[dict] = []
    lines = []
    t_start = time.perf_counter()
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                await asyncio.sleep(0.3)
        await asyncio.sleep(args.warmup)  # the two pool kernels run their apps
        load0 = os.getloadavg()[0]
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run"])
            opened, n_open = asyncio.Event(), [0]
            beyond = {}

            async def probe():
                await opened.wait()
                beyond["text"] = await asyncio.to_thread(probe_beyond_limit, base)

            tasks = [asyncio.create_task(session(i, browser, base, args, results, opened, n_open))
                     for i in range(args.sessions)]
            probe_task = asyncio.create_task(probe())
            done, pending = await asyncio.wait([*tasks, probe_task], timeout=args.deadline)
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await browser.close()
        load1 = os.getloadavg()[0]
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()
    wall = time.perf_counter() - t_start
    failed = [r for r in results if r["error"] or r["tti"] is None or len(r["moves"]) < args.moves]
    lines.append(f"load_apps: {args.sessions} concurrent sessions (explorer and council alternately), "
                 f"{args.moves} slider moves each, stagger {args.stagger} s, think {args.think} s; "
                 f"kernel limit {limit} (sessions + 2 pool kernels); {wall:.0f} s wall; "
                 f"load average {load0:.1f} → {load1:.1f} on {os.cpu_count()} cores")
    lines.append(f"failures: {len(failed)} of {args.sessions}"
                 + "".join(f"\n  session {r['session']} ({r['app']}): {r['error'] or 'incomplete'}" for r in failed))
    for kind in ("explorer", "council", None):
        rs = [r for r in results if kind is None or r["app"] == kind]
        name = kind or "all"
        lines.append(f"{name:9} time to interactive  {pct([r['tti'] for r in rs if r['tti'] is not None])}")
        lines.append(f"{name:9} slider → figure      {pct([m for r in rs for m in r['moves']])}")
    lines.append(f"page beyond the limit (all {args.sessions} open): {beyond.get('text', 'not probed (deadline)')}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--moves", type=int, default=5)
    ap.add_argument("--stagger", type=float, default=0.5, help="seconds between session starts")
    ap.add_argument("--think", type=float, default=1.0, help="seconds between moves")
    ap.add_argument("--warmup", type=float, default=20.0, help="seconds for the kernel pool to fill")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds any one wait may take")
    ap.add_argument("--deadline", type=float, default=600.0, help="seconds the whole test may take")
    args = ap.parse_args(argv)
    if not 1 <= args.sessions <= 40:
        ap.error("--sessions must be between 1 and 40")
    if not Path(CHROMIUM).exists():
        print("load_apps: Debian's chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    text = asyncio.run(run(args))
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "load_apps.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
