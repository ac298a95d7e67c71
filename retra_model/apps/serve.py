"""``retra apps``: serve the Voilà apps on this machine, read-only, sources stripped.

Voilà runs each notebook of ``notebooks/`` as an app; the page shows widgets and figures,
never code (``--strip_sources=True``) and never a traceback
(``--VoilaConfiguration.show_tracebacks=False``). It listens on 127.0.0.1 only.

Each open page holds one kernel (a Python process, about 250 MB with an app loaded); the
kernel manager refuses more than ``max_kernels`` at once (default :data:`MAX_KERNELS`) with
a German "503" page (:data:`BUSY_DE`), and culls kernels idle for half an hour.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
APPS = ("Szenario-Explorer.ipynb", "Transformationsrat.ipynb")

MAX_KERNELS = 8
"""Most open pages (kernels) at once by default; ``retra apps --max-kernels`` changes it."""

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


def __getattr__(name: str):
    if name == "LimitedKernelManager":  # imported by Voilà through its configuration
        return _limited_kernel_manager()
    raise AttributeError(name)


def voila_command(port: int = 8866, *, notebook: str | None = None, max_kernels: int = MAX_KERNELS,
                  open_browser: bool = False, root: Path = NOTEBOOKS) -> list[str]:
    """The ``voila`` command line that serves the apps (one notebook, or the folder).

    >>> cmd = voila_command(8870)
    >>> "--strip_sources=True" in cmd and "--Voila.ip=127.0.0.1" in cmd
    True
    """
    target = str(root / notebook) if notebook else str(root)
    cmd = [
        sys.executable, "-m", "voila", target, f"--port={port}", "--Voila.ip=127.0.0.1",
        "--strip_sources=True", "--VoilaConfiguration.show_tracebacks=False", "--theme=light",
        "--VoilaConfiguration.multi_kernel_manager_class=retra_model.apps.serve.LimitedKernelManager",
        f"--LimitedKernelManager.max_kernels={max_kernels}",
        "--LimitedKernelManager.cull_idle_timeout=1800", "--LimitedKernelManager.cull_interval=300",
    ]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``retra apps`` to the CLI's subcommands."""
    p = subparsers.add_parser("apps", help="serve the Szenario-Explorer and the Transformationsrat view (Voilà)")
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--app", choices=["explorer", "council"], help="serve one app only")
    p.add_argument("--max-kernels", type=int, default=MAX_KERNELS,
                   help=f"most pages open at once (default {MAX_KERNELS})")
    p.add_argument("--open", action="store_true", help="open a browser")
    p.set_defaults(func=cmd_apps)
    return p


def cmd_apps(args: argparse.Namespace) -> int:
    """Run Voilà until interrupted; print where the apps are."""
    notebook = {"explorer": APPS[0], "council": APPS[1], None: None}[args.app]
    cmd = voila_command(args.port, notebook=notebook, max_kernels=args.max_kernels, open_browser=args.open)
    base = f"http://127.0.0.1:{args.port}"
    if notebook:
        print(f"retra apps: {base}/")
    else:
        for app in APPS:
            print(f"retra apps: {base}/voila/render/{app}")
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 130
