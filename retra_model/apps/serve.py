"""``retra apps``: serve the Voilà apps on this machine, read-only, sources stripped.

Voilà runs each notebook of ``notebooks/`` as an app; the page shows widgets and figures,
never code (``--strip_sources=True``) and never a traceback
(``--VoilaConfiguration.show_tracebacks=False``). It listens on 127.0.0.1 only.

Kernel websockets must speak the Jupyter protocol v1, as the pages do
(:data:`WS_PROTOCOL`; a legacy client could stall Voilà 0.5.13, see :func:`_v1_only_connection`),
and every page gets the ``_xsrf`` cookie its shutdown on closing needs
(:func:`_xsrf_cookie_identity_provider`).

Each open page holds one kernel (a Python process, about 300 MB with an app loaded), and
:data:`POOL_SIZE` pre-run kernels per app wait for the next visitors; the kernel manager
refuses more than ``max_kernels`` kernels at once (default :data:`MAX_KERNELS`, pool
included) with a German "503" page (:data:`BUSY_DE`), and culls kernels idle for half an hour.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
APPS = ("Szenario-Explorer.ipynb", "Transformationsrat.ipynb")

MAX_KERNELS = 24
"""Most kernels at once by default (open pages + pre-run pool): a council of 20 and the pool,
about 7 GB at ~300 MB each; ``retra apps --max-kernels`` changes it."""

BUSY_DE = ("Zu viele offene Seiten. Bitte schließen Sie eine andere Seite der Apps "
           "oder versuchen Sie es in einigen Minuten erneut.")
"""What the page says to a visitor beyond the kernel limit (HTTP 503)."""


def _limited_kernel_manager():
    """Voilà's kernel manager with a ceiling on kernels: each open page holds one (~250 MB)."""
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from tornado import web
    from traitlets import Integer

    class _Limited(AsyncMappingKernelManager):
        max_kernels = Integer(MAX_KERNELS, config=True, help="most kernels (open pages) at once")

        async def start_kernel(self, *args, **kwargs):
            if len(self.list_kernel_ids()) >= self.max_kernels:
                # the reason is what Voilà's error page shows ("503: <reason>"); the log gets the count
                raise web.HTTPError(503, "kernel limit reached (%d kernels)", self.max_kernels, reason=BUSY_DE)
            return await super().start_kernel(*args, **kwargs)

    _Limited.__name__ = _Limited.__qualname__ = "LimitedKernelManager"
    _Limited.__module__ = __name__
    return _Limited


PLOTLY_STATIC = "retra-plotly.min.js"
"""Name under which Voilà serves plotly.js (``/voila/static/<name>``)."""

ESM_ENV = "RETRA_PLOTLY_ESM"
"""Environment variable that tells the apps' kernels where plotly.js is served (relative to the
server's base URL); with it the apps draw with :class:`retra_model.apps.explorer_ui.PlotlyView`,
without it (JupyterLab, nbval) with plotly's own ``FigureWidget``."""


def static_overlay(folder: Path | None = None) -> Path:
    """A Jupyter data folder that adds plotly.js to the static files of Voilà's ``lab``
    template (a copy: Tornado refuses to serve a link that points out of the folder).

    Served once as a static file (cached by the browser), each figure's widget carries a few
    lines of JavaScript and the figure's JSON instead of a 5 MB bundle.
    """
    import plotly

    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    folder = Path(folder or tempfile.mkdtemp(prefix="retra-voila-"))
    static = folder / "voila" / "templates" / "lab" / "static"
    static.mkdir(parents=True, exist_ok=True)
    target = static / PLOTLY_STATIC
    if not target.exists() or target.stat().st_size != bundle.stat().st_size:
        import shutil

        shutil.copyfile(bundle, target)
    _offline_template(folder / "voila" / "templates" / "lab")
    return folder


CDN_LINK = re.compile(r'^\s*<link[^>]+href="https?://[^"]+"[^>]*/?>\s*$', re.MULTILINE)
"""A stylesheet link to another server in Voilà's ``lab`` template (Font Awesome from cdn.jsdelivr.net)."""


def _offline_template(target: Path) -> Path:
    """Voilà's ``lab/index.html.j2`` without links to other servers, placed first on the template path.

    Voilà 0.5's ``lab`` template loads Font Awesome from cdn.jsdelivr.net on every page; the
    same icon font is already bundled in Voilà's own ``voila.js``, so the links are dropped:
    no request leaves the server.
    """
    import voila

    src = None
    for base in (Path(sys.prefix) / "share" / "jupyter", Path(voila.__file__).parents[3] / "share" / "jupyter"):
        cand = base / "voila" / "templates" / "lab" / "index.html.j2"
        if cand.exists():
            src = cand
            break
    if src is None:
        return target
    text = CDN_LINK.sub("", src.read_text(encoding="utf-8"))
    target.mkdir(parents=True, exist_ok=True)
    out = target / "index.html.j2"
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def voila_env(base: dict | None = None, overlay: Path | None = None) -> dict:
    """The environment of the Voilà server (and its kernels): the static overlay on
    ``JUPYTER_PATH`` and :data:`ESM_ENV` set."""
    env = dict(os.environ if base is None else base)
    overlay = overlay or static_overlay()
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(overlay), env.get("JUPYTER_PATH", "")) if p)
    env[ESM_ENV] = f"voila/static/{PLOTLY_STATIC}"
    return env


WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"
"""The only kernel websocket protocol served (the one the apps' pages speak)."""


def _v1_only_connection():
    """Jupyter Server's kernel websocket connection, refusing clients that do not offer
    :data:`WS_PROTOCOL`.

    Voilà 0.5.13 reads the header of every binary message it forwards as if the client spoke
    protocol v1 (``voila/tornado/kernel_websocket_handler.py``). For a client on the legacy
    protocol, the first eight bytes of a widget message with buffers are then taken as the
    number of offsets: the server process builds a list of billions of integers and stops
    serving everyone (measured: 14 GB and a busy core after one ``request_states``). Pages
    of the apps always offer v1; anything else gets HTTP 400 before the websocket opens.
    """
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
    from tornado import web

    class _V1Only(ZMQChannelsWebsocketConnection):
        async def prepare(self):
            offered = self.websocket_handler.request.headers.get("Sec-WebSocket-Protocol", "")
            if WS_PROTOCOL not in (p.strip() for p in offered.split(",")):
                raise web.HTTPError(400, "kernel websocket without protocol %s refused", WS_PROTOCOL)
            await super().prepare()

    _V1Only.__name__ = _V1Only.__qualname__ = "V1OnlyConnection"
    _V1Only.__module__ = __name__
    return _V1Only


def _xsrf_cookie_identity_provider():
    """Voilà's identity provider, which also gives every app page its ``_xsrf`` cookie.

    A page posts its kernel's shutdown when it is closed (``beforeunload``), with the
    ``_xsrf`` cookie as token. Voilà 0.5.13 sets that cookie only while rendering a page
    itself; a page from the pool of pre-run kernels (``--preheat_kernel``) comes without it,
    the shutdown is refused (HTTP 403) and the closed page's kernel (~300 MB) lives on until
    it is culled, holding a place under ``max_kernels``. Reading ``handler.xsrf_token`` sets
    the cookie, for every page Voilà renders (``/voila/render/…`` or, with one app, ``/``).
    """
    import inspect

    from voila.handler import VoilaHandler
    from voila.voila_identity_provider import VoilaIdentityProvider

    class _XsrfCookie(VoilaIdentityProvider):
        async def get_user(self, handler):
            user = super().get_user(handler)
            if inspect.isawaitable(user):
                user = await user
            if handler.request.method == "GET" and isinstance(handler, VoilaHandler):  # an app page
                handler.current_user = user  # as prepare() does next; the token needs it
                handler.xsrf_token  # noqa: B018 - the property sets the cookie
            return user

    _XsrfCookie.__name__ = _XsrfCookie.__qualname__ = "XsrfCookieIdentityProvider"
    _XsrfCookie.__module__ = __name__
    return _XsrfCookie


_CONFIGURED = {"LimitedKernelManager": _limited_kernel_manager, "V1OnlyConnection": _v1_only_connection,
               "XsrfCookieIdentityProvider": _xsrf_cookie_identity_provider}


def __getattr__(name: str):
    if name in _CONFIGURED:  # imported by Voilà through its configuration
        return _CONFIGURED[name]()
    raise AttributeError(name)


POOL_SIZE = 2
"""Pre-run kernels kept waiting per app by default; ``retra apps --pool-size`` changes it (for a
meeting where everyone opens the apps at once, about half the audience per app)."""

PRELOADED = r"^(?!.*(Szenario-Explorer|Transformationsrat)\.ipynb$)"
"""Voilà's ``preheat_denylist``: every notebook but the two apps (a regex, matched against the name)."""


def voila_command(port: int = 8866, *, notebook: str | None = None, max_kernels: int = MAX_KERNELS,
                  open_browser: bool = False, root: Path = NOTEBOOKS, preheat: bool = True,
                  pool_size: int = POOL_SIZE) -> list[str]:
    """The ``voila`` command line that serves the apps (one notebook, or the folder).

    With ``preheat`` Voilà keeps ``pool_size`` kernels per app that have already run the app's
    notebook (``--preheat_kernel``): a visitor gets a page whose app is built, and the pool
    refills in the background. Pooled kernels count against ``max_kernels`` and are never culled.
    Run it with :func:`voila_env` as the environment.

    >>> cmd = voila_command(8870)
    >>> "--strip_sources=True" in cmd and "--Voila.ip=127.0.0.1" in cmd
    True
    """
    target = str(root / notebook) if notebook else str(root)
    cmd = [
        sys.executable, "-m", "voila", target, f"--port={port}", "--Voila.ip=127.0.0.1",
        "--strip_sources=True", "--VoilaConfiguration.show_tracebacks=False", "--theme=light",
        "--VoilaExporter.language_code=de",  # <html lang="de">
        "--VoilaConfiguration.multi_kernel_manager_class=retra_model.apps.serve.LimitedKernelManager",
        f"--LimitedKernelManager.max_kernels={max_kernels}",
        "--Voila.kernel_websocket_connection_class=retra_model.apps.serve.V1OnlyConnection",
        "--Voila.identity_provider_class=retra_model.apps.serve.XsrfCookieIdentityProvider",
        "--LimitedKernelManager.cull_idle_timeout=1800", "--LimitedKernelManager.cull_interval=300",
    ]
    if preheat:
        cmd += ["--preheat_kernel=True", f"--pool_size={pool_size}", f"--VoilaKernelManager.preheat_denylist=['{PRELOADED}']"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``retra apps`` to the CLI's subcommands."""
    p = subparsers.add_parser("apps", help="serve the Szenario-Explorer and the Transformationsrat view (Voilà)")
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--app", choices=["explorer", "council"], help="serve one app only")
    p.add_argument("--max-kernels", type=int, default=MAX_KERNELS,
                   help=f"most kernels at once: open pages and the pre-run pool (default {MAX_KERNELS})")
    p.add_argument("--open", action="store_true", help="open a browser")
    p.add_argument("--pool-size", type=int, default=POOL_SIZE,
                   help=f"pre-run kernels kept waiting per app (default {POOL_SIZE})")
    p.add_argument("--no-preheat", action="store_true",
                   help="start each page's kernel on request (slower pages, no kernels kept waiting)")
    p.set_defaults(func=cmd_apps)
    return p


def cmd_apps(args: argparse.Namespace) -> int:
    """Run Voilà until interrupted; print where the apps are."""
    notebook = {"explorer": APPS[0], "council": APPS[1], None: None}[args.app]
    cmd = voila_command(args.port, notebook=notebook, max_kernels=args.max_kernels, open_browser=args.open,
                        preheat=not args.no_preheat, pool_size=args.pool_size)
    base = f"http://127.0.0.1:{args.port}"
    if notebook:
        print(f"retra apps: {base}/")
    else:
        for app in APPS:
            print(f"retra apps: {base}/voila/render/{app}")
    overlay = static_overlay()
    try:
        return subprocess.call(cmd, env=voila_env(overlay=overlay))
    except KeyboardInterrupt:
        return 130
    finally:
        import shutil

        shutil.rmtree(overlay, ignore_errors=True)
