"""The apps in a real browser: Voilà on 127.0.0.1, Debian's chromium driven by Playwright.

Each app loads without an error on the page, a slider moved changes the figures, and a
screenshot goes to ``tests/artifacts/``. Time to interactive and slider → figure latency
(median of several moves) are printed (run with ``-s``) and appended to
``tests/artifacts/browser_timings.txt``; no test asserts on them (a loaded CI box varies).

The served page holds no source code of the notebook's cells; an error in a callback shows
a German message, never a traceback; the kernel limit refuses the ninth page with a German
message; a kernel websocket without the Jupyter protocol v1 is refused; a closed page's
kernel is shut down (issue 9).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from retra_model.apps import serve

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ERRORS = ("Traceback", "Error", "Fehler", "Exception", "There was an error")
SOURCES = ("from retra_model", "import ", "app()", "NBVAL", "def ")
"""Fragments of the notebooks' code cells that must not reach the page."""

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's chromium is not installed (apt-get install -y chromium); "
                                           "the browser tests of the apps are skipped")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Voilà server of ``serve.voila_command`` in its own process group, stopped on exit."""

    def __init__(self, tmp: Path, **kwargs):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.overlay = serve.static_overlay(tmp / "overlay")
        env = serve.voila_env({**os.environ, "PYTHONUNBUFFERED": "1"}, overlay=self.overlay)
        self.log_path = tmp / f"voila-{self.port}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(serve.voila_command(self.port, **kwargs), stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=2)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        pytest.fail("voila did not start")

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 300) -> None:
        """Wait until the server's log holds ``text`` at least ``count`` times (a condition, not a time)."""
        deadline = time.time() + timeout
        while self.log_text().count(text) < count:
            if time.time() > deadline or self.proc.poll() is not None:
                pytest.fail(f"voila's log never said {text!r} ({count}×):\n{self.log_text()[-3000:]}")
            time.sleep(0.2)

    def wait_for_pool(self, count: int = 1, timeout: float = 300) -> None:
        """Wait until Voilà's pool of pre-run kernels is filled for ``count`` notebooks: before it, a
        request starts a kernel of its own instead of taking one from the pool."""
        self.wait_for_log("Kernel pool of", count, timeout)

    def log_text(self) -> str:
        # a file object of its own: seeking the server's (shared offset) would make it overwrite its log
        return self.log_path.read_bytes().decode("utf-8", "replace")

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, 9)
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("voila"))
    srv.wait_for_pool(len(serve.APPS))  # both apps have their pre-run kernels
    yield srv.base
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def outside(requests: list[str], server: str) -> list[str]:
    """The requests that leave the server (anything but the server itself, data: and blob: URLs)."""
    local = (server, server.replace("http", "ws", 1), "data:", "blob:", "about:")
    return [u for u in requests if not u.startswith(local)]


def _record(line: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "browser_timings.txt", "a", encoding="utf-8") as fh:
        fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} load {os.getloadavg()[0]:.1f}  {line}\n")
    print(line)


SIGNATURE = """(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i];
    if (!g) return '';
    return Array.from(g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '') + e.textContent).join('|'); }"""

CHANGED = ("([i, before]) => { const g = document.querySelectorAll('.js-plotly-plot')[i];"
           " return g && Array.from(g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '')"
           " + e.textContent).join('|') !== before; }")


def _slider_handle(page, label: str):
    if label.startswith("."):  # a CSS class of the slider (the apps mark each one)
        return page.locator(f"{label} .noUi-handle, {label} .ui-slider-handle").first
    sliders = page.locator(".widget-hslider")
    target = None
    for i in range(sliders.count()):
        box = sliders.nth(i)
        text = box.evaluate("(e) => (e.previousElementSibling ? e.previousElementSibling.innerText : '') + e.innerText")
        if label in text:
            target = box
            break
    return (target or sliders.first).locator(".noUi-handle, .ui-slider-handle").first


def move_and_wait(page, handle, key: str, first: int, last: int) -> tuple[float, float]:
    """Press ``key`` once on a slider; seconds until figure ``first`` and figure ``last`` changed."""
    before_first = page.evaluate(SIGNATURE, first)
    before_last = page.evaluate(SIGNATURE, last)
    handle.focus()
    t0 = time.perf_counter()
    page.keyboard.press(key)
    page.wait_for_function(CHANGED, arg=[first, before_first], timeout=30_000)
    t_first = time.perf_counter() - t0
    page.wait_for_function(CHANGED, arg=[last, before_last], timeout=30_000)
    return t_first, time.perf_counter() - t0


@needs_chromium
@pytest.mark.parametrize("notebook, n_figures, slider_label, first, last, keys", [
    ("Szenario-Explorer.ipynb", 5, ".retra-lever-bev_midpoint", 0, 4, ("ArrowLeft", "ArrowRight")),
    ("Transformationsrat.ipynb", 6, ".retra-year", 1, 3, ("ArrowRight", "ArrowLeft")),
])
def test_app_in_browser(server, browser, notebook, n_figures, slider_label, first, last, keys):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    t0 = time.perf_counter()
    page.goto(f"{server}/voila/render/{notebook}", timeout=120_000)
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n_figures}",
                           timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.choroplethlocation').length > 0", timeout=60_000)
    tti = time.perf_counter() - t0
    body = page.inner_text("body")
    assert not [e for e in ERRORS if e in body], body[:2000]
    assert not [s for s in SOURCES if s in body], body[:2000]  # sources stripped
    # no request leaves the server: no map tiles, no topojson, no icon font from a CDN (issue 20)
    assert not outside(requests, server), outside(requests, server)
    # the mode bar speaks German (plotly's English locale is the only one shipped: ours travels in config)
    german = page.locator('.modebar-btn[data-title="Abbildung als PNG-Bild herunterladen"]')
    assert german.count() >= n_figures
    assert page.locator('.modebar-btn[data-title="Download plot as a PNG"]').count() == 0

    handle = _slider_handle(page, slider_label)
    firsts, lasts = [], []
    for i in range(6):
        t_first, t_last = move_and_wait(page, handle, keys[i % 2], first, last)
        firsts.append(t_first)
        lasts.append(t_last)
        page.wait_for_timeout(300)
    page.wait_for_timeout(1000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}.png"), full_page=True)
    body = page.inner_text("body")
    assert not [e for e in ERRORS if e in body], body[:2000]
    _record(f"{notebook}: time to interactive {tti:.1f} s; slider → first figure median "
            f"{1000 * statistics.median(firsts):.0f} ms (max {1000 * max(firsts):.0f}), → last figure median "
            f"{1000 * statistics.median(lasts):.0f} ms (max {1000 * max(lasts):.0f}); {len(firsts)} moves, "
            "one key press each (continuous_update=False: one run per release)")
    page.close()


@needs_chromium
def test_served_html_has_no_sources(server):
    for notebook in serve.APPS:
        html = urllib.request.urlopen(f"{server}/voila/render/{notebook}", timeout=120).read().decode("utf-8")
        cells = json.loads((serve.NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                for line in "".join(cell["source"]).splitlines():
                    if line.strip():
                        assert line.strip() not in html, (notebook, line)


def _notebook(path: Path, *cells: str) -> None:
    nb = {"cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": src, "outputs": [],
                     "execution_count": None} for i, src in enumerate(cells)],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")


@needs_chromium
def test_errors_are_german_without_traceback(tmp_path, browser):
    """A failing callback shows the German message; a failing cell shows no traceback or detail."""
    from retra_model.apps.explorer_ui import ERROR_DE

    root = tmp_path / "apps"
    root.mkdir()
    _notebook(root / "Kaputt.ipynb",
              "import retra_model.apps.explorer as ex\n"
              "def boom(*a, **k):\n    raise RuntimeError('GEHEIMER_PFAD /srv/x')\n"
              "ex.retweak = boom\nex.app('son')")
    _notebook(root / "Zelle.ipynb", "raise RuntimeError('GEHEIMER_PFAD /srv/y')")
    srv = Server(tmp_path, root=root, preheat=False)
    try:
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(f"{srv.base}/voila/render/Kaputt.ipynb", timeout=120_000)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 5", timeout=120_000)
        handle = _slider_handle(page, ".retra-lever-bev_midpoint")
        handle.focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_selector(".retra-error", timeout=30_000)
        body = page.inner_text("body")
        assert ERROR_DE in body
        assert "Traceback" not in body and "GEHEIMER_PFAD" not in body and "RuntimeError" not in body
        html = page.content()
        assert "GEHEIMER_PFAD" not in html and "def boom" not in html
        page.goto(f"{srv.base}/voila/render/Zelle.ipynb", timeout=120_000)
        page.wait_for_timeout(3000)
        body, html = page.inner_text("body"), page.content()
        assert "GEHEIMER_PFAD" not in html and "Traceback" not in body
        page.close()
        assert "GEHEIMER_PFAD" in srv.log_text()  # the details are in the server's log
    finally:
        srv.stop()


def test_kernel_limit_refuses_the_ninth_page(tmp_path):
    """Eight pages get a kernel each; the ninth gets HTTP 503 and a German page."""
    root = tmp_path / "apps"
    root.mkdir()
    _notebook(root / "klein.ipynb", "1 + 1")
    srv = Server(tmp_path, root=root, preheat=False, max_kernels=8)
    try:
        url = f"{srv.base}/voila/render/klein.ipynb"
        for _ in range(8):
            assert urllib.request.urlopen(url, timeout=60).status == 200
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url, timeout=60)
        assert err.value.code == 503
        page = err.value.read().decode("utf-8")
        assert "Zu viele offene Seiten" in page and "Traceback" not in page
    finally:
        srv.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_kernel_websocket_needs_protocol_v1(tmp_path):
    """A kernel websocket that does not offer the Jupyter protocol v1 is refused before it opens
    (Voilà 0.5.13 misreads a legacy client's binary widget messages and stalls, see
    ``serve._v1_only_connection``); the page's own protocol still connects."""
    import asyncio
    import re
    from concurrent.futures import ThreadPoolExecutor

    from tornado.httpclient import HTTPClientError
    from tornado.websocket import websocket_connect

    root = tmp_path / "apps"
    root.mkdir()
    _notebook(root / "klein.ipynb", "1 + 1")
    srv = Server(tmp_path, root=root, preheat=False, max_kernels=2)
    try:
        html = urllib.request.urlopen(f"{srv.base}/voila/render/klein.ipynb", timeout=60).read().decode()
        kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', html).group(1)
        url = srv.base.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels?session_id=test"

        async def _connect(protocols):
            ws = await websocket_connect(url, subprotocols=protocols)
            chosen = ws.selected_subprotocol
            ws.close()
            return chosen

        def connect(protocols):  # in a thread of its own: Playwright's sync API holds this one's loop
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, _connect(protocols)).result(60)

        with pytest.raises(HTTPClientError) as err:
            connect(None)
        assert err.value.code == 400
        assert connect([serve.WS_PROTOCOL]) == serve.WS_PROTOCOL
        assert "refused" in srv.log_text()
    finally:
        srv.stop()


@needs_chromium
def test_closing_a_page_shuts_its_kernel_down(server, browser):
    """A closed page posts its kernel's shutdown; it must not be refused for a missing
    ``_xsrf`` cookie (a page from the pool of pre-run kernels had none), or every closed page
    would hold a kernel and a place under the kernel limit for half an hour."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/voila/render/Transformationsrat.ipynb", timeout=180_000)
    # the page registers its shutdown on closing once its widgets are up
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=180_000)
    kernel = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    assert urllib.request.urlopen(f"{server}/api/kernels/{kernel}", timeout=30).status == 200
    assert "_xsrf" in {c["name"] for c in context.cookies()}
    page.close(run_before_unload=True)
    deadline = time.time() + 30
    status = 200
    while time.time() < deadline and status == 200:
        time.sleep(0.5)
        try:
            status = urllib.request.urlopen(f"{server}/api/kernels/{kernel}", timeout=30).status
        except urllib.error.HTTPError as err:
            status = err.code
    context.close()
    assert status == 404, "the closed page's kernel is still running"


@pytest.mark.parametrize("single", [False, True], ids=["folder", "one-app"])
def test_pre_run_pages_carry_the_xsrf_cookie(tmp_path, single):
    """A page from the pool of pre-run kernels sets the ``_xsrf`` cookie its shutdown needs,
    whether Voilà serves the folder (``/voila/render/…``) or one app (``/``)."""
    root = tmp_path / "apps"
    root.mkdir()
    _notebook(root / "Transformationsrat.ipynb", "1 + 1")  # an app's name: served from the pool
    srv = Server(tmp_path, root=root, notebook="Transformationsrat.ipynb" if single else None,
                 pool_size=1, max_kernels=4)
    try:
        srv.wait_for_pool()  # before it, the request would start a kernel of its own (issue 19)
        url = f"{srv.base}/" if single else f"{srv.base}/voila/render/Transformationsrat.ipynb"
        with urllib.request.urlopen(url, timeout=120) as r:
            cookies = r.headers.get_all("Set-Cookie") or []
            assert r.status == 200
        assert any(c.startswith("_xsrf=") for c in cookies), cookies
        assert "Using pre-heated kernel" in srv.log_text()
    finally:
        srv.stop()


# -- issue 20: the council's and the strategist's questions, in a real browser ------------------

ENGLISH_NUMBER = r"(?<![\d.,])\d+\.\d{1,2}(?![\d.])|(?<![\d.,])\d{1,3},\d{3}(?![\d,])"
"""An English decimal (1.3, 0.30) or thousands separator (12,345) in the page's text."""

WAIT = 180_000
"""Generous, condition-based waits (ms): five helpers share two cores."""


def _open(browser, server, notebook, n_figures, viewport=(1366, 768)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    t0 = time.perf_counter()
    page.goto(f"{server}/voila/render/{notebook}", timeout=WAIT)
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n_figures}",
                           timeout=WAIT)
    page.wait_for_function("document.querySelectorAll('.choroplethlocation').length > 0", timeout=WAIT)
    return page, requests, console, time.perf_counter() - t0


FIGURES_WHOLE = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(g => g.offsetParent)
    .map(g => { const svg = g.querySelector('.main-svg'); const box = g.parentElement.getBoundingClientRect();
                const r = svg.getBoundingClientRect();
                return {w: r.width, right: r.right, boxRight: box.right, vw: document.documentElement.clientWidth}; })"""


def _effect_texts(page) -> list[str]:
    return page.eval_on_selector_all(".retra-effect", "els => els.map(e => e.innerText)")


@needs_chromium
def test_explorer_same_draws_offline_german_accessible(server, browser):
    """Unchanged levers: an effect of exactly 0; one step: only that lever's effect; no outside
    request; lang="de"; German numbers; named sliders; toolbars out of the tab order; every
    figure whole at 1366 px; screenshots at 1366×768 and 1920×1080."""
    page, requests, console, tti = _open(browser, server, "Szenario-Explorer.ipynb", 5)
    assert page.evaluate("document.documentElement.lang") == "de"
    page.wait_for_function("document.querySelectorAll('.retra-effect').length >= 3", timeout=WAIT)
    assert all("Effekt Ihrer Änderung: 0 " in t for t in _effect_texts(page)), _effect_texts(page)
    # one step of the labour-intensity lever: its own effect, a few hundred jobs, never thousands of noise
    handle = page.locator(".retra-lever-bev_intensity .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("Array.from(document.querySelectorAll('.retra-effect')).some("
                           "e => !e.innerText.includes('Änderung: 0 '))", timeout=WAIT)
    texts = _effect_texts(page)
    import re

    for t in texts:
        m = re.search(r"Änderung: ([+−]?[\d.]+)", t)
        value = int(m.group(1).replace(".", "").replace("−", "-"))
        assert 0 < value < 2000, t  # +1 percentage point of labour per BEV: hundreds of jobs, more, not fewer
    assert page.locator(".retra-readout-bev_intensity").inner_text().strip() == "51 %"
    body = page.inner_text("body")
    assert not re.findall(ENGLISH_NUMBER, body), re.findall(ENGLISH_NUMBER, body)[:10]
    assert "Share chart" not in body and "δ des FLQ" not in body and "Ziehungen" not in body
    assert not outside(requests, server), outside(requests, server)
    # accessible names and tab order
    names = page.eval_on_selector_all(".retra-levers .noUi-handle", "hs => hs.map(h => h.getAttribute('aria-label'))")
    assert names and all(names), names
    stops = page.eval_on_selector_all(".modebar-btn", "bs => bs.filter(b => b.getAttribute('tabindex') !== '-1').length")
    assert stops == 0
    for size in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.wait_for_function("() => { const g = document.querySelector('.js-plotly-plot .main-svg');"
                               " return g && g.getBoundingClientRect().width > 100; }", timeout=WAIT)
        page.wait_for_timeout(500)  # plotly's resize is debounced; the check below is the condition
        page.wait_for_function(f"({FIGURES_WHOLE})().every(f => f.right <= f.boxRight + 2 && f.right <= f.vw + 2)",
                               timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"explorer_{size[0]}x{size[1]}.png"), full_page=True)
    errors = [c for c in console if c.startswith("error")]
    _record(f"explorer (issue 20): interactive in {tti:.1f} s; console errors {len(errors)}; "
            f"warnings {sum(c.startswith('warning') for c in console)}")
    assert not errors, errors
    page.close()


@needs_chromium
def test_explorer_goal_seeking_and_brief(server, browser):
    """'Was wäre nötig?' reaches a stated target within 1 %; the Kurzbericht button answers."""
    import re

    page, _, _, _ = _open(browser, server, "Szenario-Explorer.ipynb", 5)
    goal = page.locator(".retra-goal")
    goal.locator("select").first.select_option(label="Wolfsburg")
    page.wait_for_timeout(300)

    def seek(target: str) -> str:
        """Ask "Was wäre nötig?" for ``target`` (German digits) and return the new answer's text."""
        page.evaluate("document.querySelector('.retra-goal-result')?.classList.remove('retra-goal-result')")
        goal.locator("input[type=text]").first.fill(target)
        goal.locator("button", has_text="Was wäre nötig?").click()
        page.wait_for_selector(".retra-goal-result", timeout=WAIT)
        return page.locator(".retra-goal-result").inner_text()

    # first ask for anything: the answer states the value of the scenario as set
    first = seek("1.000")
    m = re.search(r"mit dem Szenario wie eingestellt: ([\d.]+) Beschäftigte", first)
    assert m, first
    current = int(m.group(1).replace(".", ""))
    # then a target 2 % below it, within the levers' reach: reached within 1 %
    target = int(round(0.98 * current, -2))
    text = seek(f"{target:,}".replace(",", "."))
    m = re.search(r"Erreicht mit diesen Werten.*?: ([\d.]+) Beschäftigte", text)
    assert m, text
    achieved = int(m.group(1).replace(".", ""))
    assert abs(achieved - target) <= 0.01 * target, text
    assert "Wahrscheinlichkeit" in text
    page.locator("button", has_text="Kurzbericht").first.click()
    page.wait_for_function("() => { const t = document.body.innerText; return t.includes('Kurzbericht herunterladen')"
                           " || t.includes('noch nicht verfügbar'); }", timeout=WAIT)
    try:
        import retra_model.report  # noqa: F401 - issue 19's brief: then it must download
        with page.expect_download(timeout=WAIT) as dl:
            page.locator("a.retra-download", has_text="Kurzbericht").click()
        assert dl.value.suggested_filename.endswith(".html")
    except ImportError:
        pass
    page.close()


@needs_chromium
def test_council_table_profile_and_bars(server, browser):
    """Kreis × Szenario table (sortable), error bars also in %, investment of the infrastructure
    scenario, the Kreisprofil; German numbers; screenshots."""
    import re

    page, requests, console, tti = _open(browser, server, "Transformationsrat.ipynb", 6)
    page.wait_for_selector(".retra-matrix", timeout=WAIT)
    rows = page.locator(".retra-matrix tbody tr")
    assert rows.count() >= 6
    before = rows.first.inner_text()
    sort = page.locator("select").filter(has_text="Rangfolge")
    sort.select_option(index=len(sort.locator("option").all()) - 1)
    page.wait_for_function("(b) => document.querySelector('.retra-matrix tbody tr').innerText !== b",
                           arg=before, timeout=WAIT)
    # error bars in the default "in %" view of the districts
    bars = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[1].querySelectorAll('.errorbar').length")
    assert bars > 0
    body = page.inner_text("body")
    assert "mit 90 % Wahrscheinlichkeit" not in body and "Kreisprofil" in body
    assert not re.findall(ENGLISH_NUMBER, body), re.findall(ENGLISH_NUMBER, body)[:10]
    assert not outside(requests, server), outside(requests, server)
    assert page.evaluate("document.documentElement.lang") == "de"
    for size in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.wait_for_timeout(500)
        page.wait_for_function(f"({FIGURES_WHOLE})().every(f => f.right <= f.boxRight + 2 && f.right <= f.vw + 2)",
                               timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / f"council_{size[0]}x{size[1]}.png"), full_page=True)
    _record(f"council (issue 20): interactive in {tti:.1f} s")
    page.close()


@needs_chromium
def test_saved_scenario_is_listed_after_reload(server, browser):
    """Save → reload (a page from the pool, built before the save) → the saved scenario is listed."""
    from retra_model.apps import explorer as ex

    title = f"Browser-Test Ünïcode {os.getpid()}"
    target = ex.SCENARIOS / "user" / "son" / f"{ex.file_stem(title)}.yaml"
    try:
        page, _, _, _ = _open(browser, server, "Szenario-Explorer.ipynb", 5)
        page.locator("input[placeholder='z. B. Schnelle E-Mobilität']").fill(title)
        page.locator("button", has_text="Als Szenario speichern").click()
        page.wait_for_function("() => document.body.innerText.includes('Gespeichert')", timeout=WAIT)
        assert target.exists()
        listed = ("(t) => Array.from(document.querySelectorAll('option'))"
                  ".some(o => o.textContent.replace(/\\u00a0/g, ' ').includes(t))")  # ipywidgets writes NBSPs
        page.wait_for_function(listed, arg=title, timeout=30_000)  # at once, without a reload
        page.close()
        page, _, _, _ = _open(browser, server, "Szenario-Explorer.ipynb", 5)
        page.wait_for_function(listed, arg=title, timeout=WAIT)  # a page built before the save lists it too
        page.close()
    finally:
        target.unlink(missing_ok=True)
