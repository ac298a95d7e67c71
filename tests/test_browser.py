"""The apps in a real browser: Voilà on 127.0.0.1, Debian's chromium driven by Playwright.

Each app loads without an error on the page, a slider moved changes a figure, and a
screenshot goes to ``tests/artifacts/``. Time to interactive and slider → figure latency
are printed (run with ``-s``) and written to ``tests/artifacts/browser_timings.txt``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from retra_model.apps import serve

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ERRORS = ("Traceback", "Error", "Fehler", "Exception", "There was an error")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (apt-get install -y chromium); "
                                       "the browser tests of the apps are skipped")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(serve.voila_command(port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("voila did not start")
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _record(line: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "browser_timings.txt", "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    print(line)


def _figure_signature(page, index: int) -> str:
    """A digest of what one Plotly figure draws (its SVG paths and texts)."""
    return page.evaluate(
        """(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i];
                    if (!g) return '';
                    return Array.from(g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '') + e.textContent).join('|'); }""",
        index)


@pytest.mark.parametrize("notebook, n_figures, slider_label, figure_index", [
    ("Szenario-Explorer.ipynb", 5, "Tempo der Umstellung", 0),
    ("Transformationsrat.ipynb", 4, "Jahr", 1),
])
def test_app_in_browser(server, browser, notebook, n_figures, slider_label, figure_index):
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
    assert "import " not in body and "def " not in body  # sources stripped
    # our figures fetch nothing (no map tiles, no topojson); Voilà's own icon font CSS may try a CDN
    assert not [u for u in requests if "plot.ly" in u or "mapbox" in u or "openstreetmap" in u], requests

    before = _figure_signature(page, figure_index)
    # the slider under the label: the explorer's first lever, the council's year
    sliders = page.locator(".widget-hslider")
    target = None
    for i in range(sliders.count()):
        box = sliders.nth(i)
        label = box.evaluate("(e) => (e.previousElementSibling ? e.previousElementSibling.innerText : '') + e.innerText")
        if slider_label in label:
            target = box
            break
    target = target or sliders.first
    handle = target.locator(".noUi-handle, .ui-slider-handle").first
    handle.focus()
    t1 = time.perf_counter()
    for _ in range(3):
        page.keyboard.press("ArrowLeft" if notebook.startswith("Szenario") else "ArrowRight")
    page.wait_for_function(
        "([i, before]) => { const g = document.querySelectorAll('.js-plotly-plot')[i];"
        " return g && Array.from(g.querySelectorAll('path, text')).map(e => (e.getAttribute('d') || '') + e.textContent).join('|') !== before; }",
        arg=[figure_index, before], timeout=30_000)
    latency = time.perf_counter() - t1
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}.png"), full_page=True)
    body = page.inner_text("body")
    assert not [e for e in ERRORS if e in body], body[:2000]
    _record(f"{notebook}: time to interactive {tti:.1f} s, slider → figure {1000 * latency:.0f} ms "
            f"(3 key presses, continuous_update=False: one run per release)")
    page.close()
