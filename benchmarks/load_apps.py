"""Load test of the Voilà apps on loopback: N concurrent sessions, each moving levers.

    .venv/bin/python benchmarks/load_apps.py [--sessions 20] [--browsers 2] [--moves 5]

Not part of pytest. Starts its own Voilà server (``retra apps`` settings, 127.0.0.1 only, a
free port) with a kernel limit of ``--sessions`` + the pre-run pool kernels, waits until the
pools are full, then opens
``--sessions`` app sessions at once, staggered by ``--stagger`` seconds — even ones the
Szenario-Explorer, odd ones the Transformationsrat. Each session opens its page, waits
until it is interactive, moves a lever ``--moves`` times (the explorer's *Tempo der
Umstellung*, the council's year), one step each, waiting for the figures to change and
``--think`` seconds between moves, then holds its page until all are open and closes it.
With every session open, one more page is requested to show what a visitor beyond the
limit sees.

Two kinds of session, because on this 2-core machine the browsers would otherwise compete
with the server they measure (a council's 20 browsers run on 20 laptops, not on the server):

* ``--browsers`` of them (default 2, the first and the last) are real pages in headless Debian chromium
  (Playwright; each page its own browser context, i.e. its own kernel). Time to interactive
  is until every figure is drawn; a move is timed from the key press to the figure's SVG
  changing. This is what a council member sees, with the server under the load below.
* the rest are protocol-level clients: each loads the page over HTTP, opens the kernel's
  websocket (Jupyter protocol v1, as the page does), requests the widget states (what the
  page's widget manager does first) and moves the slider by sending the widget update the
  page would send. Time to interactive is until the states have arrived; a move is timed
  until the kernel is idle again after it, and fails if no figure was updated. Closing
  posts Voilà's shutdown request, as the page does when it is closed.

``--browsers`` equal to ``--sessions`` runs every session in chromium (on 2 cores the 20
chromium renderers then take most of the CPU; the report shows where the CPU went).

Bounded: at most 40 sessions, every wait has a timeout, the whole test stops after
``--deadline`` seconds whatever happens, and the server is stopped at the end.

Reports failures, the p50/p90/p99 of time to interactive and of lever → figure per kind of
session, and the CPU seconds of server, kernels, chromium and harness, to stdout and
``benchmarks/out/load_apps.txt``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retra_model.apps import serve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).parent / "out"
APPS = {  # notebook, figures on the page, DOM class of the slider moved, figure watched, keys
    "explorer": ("Szenario-Explorer.ipynb", 5, "retra-lever-bev_midpoint", 0, ("ArrowLeft", "ArrowRight")),
    "council": ("Transformationsrat.ipynb", 6, "retra-year", 1, ("ArrowRight", "ArrowLeft")),
}
SIGNATURE = """(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i];
    if (!g) return '';
    return Array.from(g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '') + e.textContent).join('|'); }"""
CHANGED = ("([i, before]) => { const g = document.querySelectorAll('.js-plotly-plot')[i];"
           " return g && Array.from(g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '')"
           " + e.textContent).join('|') !== before; }")
POLL_MS = 100
"""How often a browser session checks its page (Playwright's default, every animation frame,
costs a core when 20 pages poll at once)."""
ERRORS = ("Traceback", "There was an error", "Fehler")
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Progress:
    """Counts sessions that are open (or failed); sets ``all_open`` when every one is."""

    def __init__(self, n: int):
        self.n, self.count, self.all_open = n, 0, asyncio.Event()

    def one(self) -> None:
        self.count += 1
        if self.count >= self.n:
            self.all_open.set()


# -- a real page in chromium -------------------------------------------------------------

async def browser_session(i: int, browser, base: str, args, rec: dict, progress: Progress) -> None:
    notebook, n_fig, css, watch, keys = APPS[rec["app"]]
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    counted = False
    try:
        t0 = time.perf_counter()
        await page.goto(f"{base}/voila/render/{notebook}", timeout=args.timeout * 1000)
        await page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n_fig}",
                                     timeout=args.timeout * 1000, polling=POLL_MS)
        rec["tti"] = time.perf_counter() - t0
        progress.one()
        counted = True
        handle = page.locator(f".{css} .noUi-handle, .{css} .ui-slider-handle").first
        readout = page.locator(f".{css} .widget-readout").first
        for m in range(args.moves):
            before = await page.evaluate(SIGNATURE, watch)
            value = await readout.inner_text()
            await handle.focus()
            t1 = time.perf_counter()
            await page.keyboard.press(keys[m % 2])
            try:
                await page.wait_for_function(CHANGED, arg=[watch, before], timeout=args.timeout * 1000,
                                             polling=POLL_MS)
            except Exception:
                now = await readout.inner_text()
                raise RuntimeError(f"move {m + 1}: slider {value} → {now}, figure unchanged after "
                                   f"{args.timeout:.0f} s") from None
            rec["moves"].append(time.perf_counter() - t1)
            await asyncio.sleep(args.think)
        body = await page.inner_text("body")
        bad = [e for e in ERRORS if e in body]
        if bad:
            rec["error"] = f"error text on the page: {bad}"
        await progress.all_open.wait()  # hold the page (and its kernel) until every session is open
    finally:
        if not counted:
            progress.one()
        await context.close()


# -- a protocol-level client ---------------------------------------------------------------

def _ws_message(session: str, msg_type: str, content: dict, metadata: dict | None = None) -> tuple[str, bytes]:
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "load-test", "session": session,
              "date": "", "version": "5.4"}
    msg = {"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content}
    return header["msg_id"], serialize_msg_to_ws_v1(msg, "shell", lambda d: json.dumps(d).encode())


def _ws_parse(raw: bytes) -> tuple[dict, dict, dict]:
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    _channel, parts = deserialize_msg_from_ws_v1(raw)
    header, parent, _meta, content = (json.loads(p) for p in parts[:4])
    return header, parent, content


def _http(opener, url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 60):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with opener.open(req, timeout=timeout) as r:
        return r.status, r.read()


async def ws_session(i: int, base: str, args, rec: dict, progress: Progress) -> None:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    notebook, _n_fig, css, _watch, _keys = APPS[rec["app"]]
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    session = uuid.uuid4().hex
    counted, ws, kernel = False, None, None
    try:
        t0 = time.perf_counter()
        _status, body = await asyncio.wait_for(asyncio.to_thread(
            _http, opener, f"{base}/voila/render/{notebook}", timeout=args.timeout), args.timeout)
        html = body.decode("utf-8", "replace")
        found = re.search(r'"kernelId": "([0-9a-f-]+)"', html)
        if not found:
            raise RuntimeError("the page names no kernel")
        kernel = found.group(1)
        url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels?session_id={session}"
        request = HTTPRequest(url, connect_timeout=args.timeout, request_timeout=args.timeout)
        ws = await asyncio.wait_for(websocket_connect(request, subprotocols=[WS_PROTOCOL],
                                                      max_message_size=256 * 2**20), args.timeout)
        if ws.selected_subprotocol != WS_PROTOCOL:
            raise RuntimeError(f"the server chose websocket protocol {ws.selected_subprotocol!r}")
        control = uuid.uuid4().hex
        for msg_type, content, meta in (
                ("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                 {"version": "1.0.0"}),
                ("comm_msg", {"comm_id": control, "data": {"method": "request_states"}}, None)):
            await ws.write_message(_ws_message(session, msg_type, content, meta)[1], binary=True)
        states = None
        deadline = time.perf_counter() + args.timeout
        while states is None:
            raw = await asyncio.wait_for(ws.read_message(), max(0.1, deadline - time.perf_counter()))
            if raw is None:
                raise RuntimeError("the kernel's websocket closed")
            header, _parent, content = _ws_parse(raw)
            if header["msg_type"] == "comm_msg" and content["data"].get("method") == "update_states":
                states = content["data"]["states"]
        rec["tti"] = time.perf_counter() - t0
        progress.one()
        counted = True
        figures = {k for k, s in states.items() if s["model_name"] == "AnyModel"}
        slider = next((k for k, s in states.items() if css in (s["state"].get("_dom_classes") or [])), None)
        if slider is None:
            raise RuntimeError(f"no slider with class {css} on the page")
        state = states[slider]["state"]
        value, step = state["value"], state["step"]
        for m in range(args.moves):
            value = value - step if m % 2 == 0 else value + step
            value = min(max(value, state["min"]), state["max"])
            t1 = time.perf_counter()
            msg_id, raw_msg = _ws_message(session, "comm_msg", {"comm_id": slider, "data": {
                "method": "update", "state": {"value": value}, "buffer_paths": []}})
            await ws.write_message(raw_msg, binary=True)
            updated, idle = set(), False
            deadline = t1 + args.timeout
            while not idle:
                try:
                    raw = await asyncio.wait_for(ws.read_message(), max(0.1, deadline - time.perf_counter()))
                except asyncio.TimeoutError:
                    raise RuntimeError(f"move {m + 1}: no answer from the kernel after {args.timeout:.0f} s") from None
                if raw is None:
                    raise RuntimeError(f"move {m + 1}: the kernel's websocket closed")
                header, parent, content = _ws_parse(raw)
                if parent.get("msg_id") != msg_id:
                    continue
                if header["msg_type"] == "comm_msg" and content.get("comm_id") in figures:
                    updated.add(content["comm_id"])
                elif header["msg_type"] == "status" and content.get("execution_state") == "idle":
                    idle = True
                elif header["msg_type"] == "error" or (header["msg_type"] == "stream"
                                                       and content.get("name") == "stderr"):
                    rec["error"] = f"move {m + 1}: the kernel wrote an error: {str(content)[:120]}"
            if not updated:
                raise RuntimeError(f"move {m + 1}: the kernel answered but updated no figure")
            rec["moves"].append(time.perf_counter() - t1)
            rec["figures"] = rec.get("figures", 0) + len(updated)
            await asyncio.sleep(args.think)
        await progress.all_open.wait()
    finally:
        if not counted:
            progress.one()
        if ws is not None:
            ws.close()
        if kernel is not None:  # what the page does on closing (beforeunload)
            xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
            try:
                await asyncio.to_thread(_http, opener, f"{base}/voila/api/shutdown/{kernel}", b"",
                                        {"X-XSRFToken": xsrf}, 30)
            except OSError:
                pass


def browser_sessions(n: int, k: int) -> set[int]:
    """Which of ``n`` sessions are chromium pages: ``k`` spread evenly, so that with two the
    first (a pre-run kernel) and the last (the end of the burst) are seen in a browser."""
    return {int(round(x)) for x in np.linspace(0, n - 1, k)} if k else set()


async def session(i: int, browser, base: str, args, results: list, progress: Progress) -> None:
    kind = "browser" if i in browser_sessions(args.sessions, args.browsers) else "ws"
    rec = {"session": i, "app": "explorer" if i % 2 == 0 else "council", "kind": kind,
           "tti": None, "moves": [], "error": None}
    results.append(rec)
    await asyncio.sleep(i * args.stagger)
    try:
        if kind == "browser":
            await browser_session(i, browser, base, args, rec, progress)
        else:
            await ws_session(i, base, args, rec, progress)
    except Exception as exc:  # noqa: BLE001 - a failed session is a result, not a crash
        text = str(exc).splitlines()[0][:160] if str(exc) else ""
        rec["error"] = f"{type(exc).__name__}: {text}"


# -- measurement ---------------------------------------------------------------------------

def _category(pid: int, cmd: str, server_pid: int, harness_pid: int) -> str | None:
    if pid == server_pid:
        return "server"
    if "ipykernel" in cmd:
        return "kernels"
    if "chromium" in cmd or "chrome" in cmd:
        return "chromium"
    if pid == harness_pid or "playwright" in cmd:
        return "harness"
    return None


def _process_times(server_pid: int, harness_pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) so far of every process of the test, by pid."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        kind = _category(int(d.name), cmd, server_pid, harness_pid)
        if kind:
            fields = stat.rsplit(")", 1)[1].split()
            out[int(d.name)] = (kind, (int(fields[11]) + int(fields[12])) / tick)
    return out


class CpuMeter:
    """CPU seconds of server, kernels, chromium and harness between :meth:`start` and :meth:`stop`,
    sampled every second so that processes which end in between (a closed page's renderer, a
    shut-down kernel) still count."""

    def __init__(self, server_pid: int, harness_pid: int):
        self.pids = (server_pid, harness_pid)
        self.first: dict[int, tuple[str, float]] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.task: asyncio.Task | None = None
        self.busiest = 0.0

    def cpu(self) -> float:
        return sum(v for _k, v in _process_times(*self.pids).values())

    async def _sample(self) -> None:
        prev, t_prev = None, time.perf_counter()
        while True:
            now = _process_times(*self.pids)
            self.last.update(now)
            total, t_now = sum(v for _k, v in now.values()), time.perf_counter()
            if prev is not None:  # busiest second: how close to both cores the test came
                self.busiest = max(self.busiest, (total - prev) / (t_now - t_prev))
            prev, t_prev = total, t_now
            await asyncio.sleep(1.0)

    def start(self) -> None:
        self.first = _process_times(*self.pids)
        self.last = dict(self.first)
        self.task = asyncio.create_task(self._sample())

    async def stop(self) -> dict[str, float]:
        self.last.update(_process_times(*self.pids))
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        used = {"server": 0.0, "kernels": 0.0, "chromium": 0.0, "harness": 0.0}
        for pid, (kind, secs) in self.last.items():
            used[kind] += secs - self.first.get(pid, (kind, 0.0))[1]
        return used


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
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="retra-load-"))
    overlay = serve.static_overlay(tmp / "overlay")
    log = open(tmp / "voila.log", "wb")  # noqa: SIM115 - closed below
    limit = args.max_kernels or args.sessions + 2 * args.pool_size
    cmd = serve.voila_command(port, max_kernels=limit, pool_size=args.pool_size)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=serve.voila_env(overlay=overlay),
                            start_new_session=True)
    results: list[dict] = []
    beyond: dict[str, str] = {}
    t_start = time.perf_counter()
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                await asyncio.sleep(0.3)
        waited = time.perf_counter()
        # until both pools are full and their kernels have run the apps (kernel CPU at rest);
        # Voilà's "pool … is filled" comes when the kernels are started, not when they are done
        meter = CpuMeter(proc.pid, os.getpid())
        before = meter.cpu()
        while time.perf_counter() - waited < args.warmup:
            await asyncio.sleep(2)
            text = (tmp / "voila.log").read_text("utf-8", "replace")
            now = meter.cpu()
            if now - before < 0.2 and all(f"pool of {nb} is filled" in text for nb, *_ in APPS.values()):
                break
            before = now
        warmup = time.perf_counter() - waited
        load0, t0 = os.getloadavg()[0], time.perf_counter()
        meter.start()
        progress = Progress(args.sessions)

        async def probe():
            await progress.all_open.wait()
            beyond["text"] = await asyncio.to_thread(probe_beyond_limit, base)

        async def drive(browser):
            tasks = [asyncio.create_task(session(i, browser, base, args, results, progress))
                     for i in range(args.sessions)]
            probe_task = asyncio.create_task(probe())
            _done, pending = await asyncio.wait([*tasks, probe_task], timeout=args.deadline)
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        if args.browsers:
            from playwright.async_api import async_playwright

            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=[
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run"])
                await drive(browser)
                await browser.close()
        else:
            await drive(None)
        used = await meter.stop()
        t1, load1 = time.perf_counter(), os.getloadavg()[0]
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()
    wall = time.perf_counter() - t_start
    n_ws = args.sessions - args.browsers
    failed = [r for r in results if r["error"] or r["tti"] is None or len(r["moves"]) < args.moves]
    lines = [
        f"load_apps: {args.sessions} concurrent sessions ({args.browsers} in chromium, {n_ws} protocol-level; "
        f"explorer and council alternately), {args.moves} lever moves each, stagger {args.stagger} s, "
        f"think {args.think} s; kernel limit {limit}, pool {args.pool_size} pre-run kernel(s) per app "
        f"(filled in {warmup:.0f} s); {wall:.0f} s wall; load average {load0:.1f} → {load1:.1f} on {os.cpu_count()} cores",
        f"failures: {len(failed)} of {args.sessions}"
        + "".join(f"\n  session {r['session']} ({r['kind']}, {r['app']}): {r['error'] or 'incomplete'}"
                  for r in failed),
    ]
    for kind, what in (("browser", "until drawn"), ("ws", "until kernel idle")):
        for app in ("explorer", "council", None):
            rs = [r for r in results if r["kind"] == kind and (app is None or r["app"] == app)]
            if not rs:
                continue
            name = f"{kind}/{app or 'all'}"
            lines.append(f"{name:17} time to interactive   {pct([r['tti'] for r in rs if r['tti'] is not None])}")
            lines.append(f"{name:17} lever → figure ({what:>17}) {pct([m for r in rs for m in r['moves']])}")
    span = t1 - t0
    lines.append(f"CPU seconds during the {span:.0f} s of sessions ({os.cpu_count() * span:.0f} available on "
                 f"{os.cpu_count()} cores): " + ", ".join(f"{k} {v:.0f}" for k, v in used.items())
                 + f"; busiest second {meter.busiest:.2f} cores")
    lines.append(f"page beyond the limit (all {args.sessions} open): {beyond.get('text', 'not probed (deadline)')}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--browsers", type=int, default=2, help="how many of the sessions are chromium pages")
    ap.add_argument("--moves", type=int, default=5)
    ap.add_argument("--stagger", type=float, default=0.5, help="seconds between session starts")
    ap.add_argument("--think", type=float, default=1.0, help="seconds between moves")
    ap.add_argument("--pool-size", type=int, default=serve.POOL_SIZE, help="pre-run kernels per app")
    ap.add_argument("--max-kernels", type=int, default=0,
                    help="kernel limit (default: sessions + both pools, so every session gets a kernel)")
    ap.add_argument("--warmup", type=float, default=300.0, help="most seconds to wait for the pools to fill")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds any one wait may take")
    ap.add_argument("--deadline", type=float, default=600.0, help="seconds the whole test may take")
    args = ap.parse_args(argv)
    if not 1 <= args.sessions <= 40:
        ap.error("--sessions must be between 1 and 40")
    if not 0 <= args.browsers <= args.sessions:
        ap.error("--browsers must be between 0 and --sessions")
    if args.browsers and not Path(CHROMIUM).exists():
        print("load_apps: Debian's chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    text = asyncio.run(run(args))
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "load_apps.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
