"""Where files go, written atomically: a result folder or a file appears complete or not at all.

Every writer of the project (results, caches, posteriors, saved scenarios) goes through these
three functions, so an interrupted run never leaves half a file behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputExistsError


def atomic_dir(target: Path, write: Callable[[Path], None], *, force: bool = False) -> Path:
    """Fill a folder through ``write(tmp)`` and move it to ``target`` only when complete.

    Raises
    ------
    OutputExistsError
        ``target`` exists and ``force`` is false.
    """
    target = Path(target)
    if target.exists() and not force:
        raise OutputExistsError(f"the results folder {target} exists already; choose another --out or add --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        write(tmp)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def atomic_file(target: Path, write: Callable[[Path], None], *, suffix: str = ".partial") -> Path:
    """Write one file atomically: ``write(tmp)`` fills a temporary file beside ``target``, which is
    renamed into place only when complete (and removed if anything fails)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_text(target: Path, text: str) -> Path:
    """Write a text file atomically (temporary file in the same folder, then rename)."""
    return atomic_file(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
