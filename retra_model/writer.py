"""A second process that writes result files while this one goes on.

Writing a run's files is mostly single-threaded Python (openpyxl, pandas' CSV writer) and
imports that take longer than writing (h5py for netCDF, openpyxl for Excel). On a machine
with two cores :class:`Writer` forks a process when a command starts: it imports those
libraries while the model runs here, then writes the files it is sent (the netCDF file, the
Excel workbook) while this process writes the tables. Its errors are raised here, with their
type and message, when :meth:`Writer.wait` collects them.

Where a process cannot be forked (Windows, macOS' default), on one core, or with
``RETRA_SERIAL=1``, a :class:`Writer` writes each file as it is sent, in this process: the
same files, in turn.

Examples
--------
>>> from pathlib import Path
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with Writer() as w:
...     w.submit(Path.write_text, folder / "a.txt", "written")
...     w.wait()
>>> (folder / "a.txt").read_text()
'written'
"""

from __future__ import annotations

import os
from collections.abc import Callable


def _forks() -> bool:
    import multiprocessing as mp

    return (os.environ.get("RETRA_SERIAL") != "1" and "fork" in mp.get_all_start_methods()
            and (os.cpu_count() or 1) >= 2)


def _serve(conn, parent_end) -> None:
    """The second process: import the writers' libraries, then run what is sent until ``None`` or
    until the parent has gone (its end of the pipe closed: it ended, or was killed)."""
    import pickle
    import signal
    import traceback
    import warnings

    parent_end.close()  # the parent's end, inherited by the fork: else the pipe never reports the parent gone
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the parent, which ends this process

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # warm the imports while the parent runs the model (a missing one fails in the task)
            import h5netcdf  # noqa: F401
            import openpyxl  # noqa: F401
        except ImportError:
            pass
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the parent has gone
            return
        if job is None:
            return
        fn, args = job
        try:
            fn(*args)
            answer = None
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            answer = (exc, traceback.format_exc())
        try:
            try:
                conn.send(answer)
            except (TypeError, AttributeError, ValueError, pickle.PicklingError):
                exc, text = answer  # an error that cannot be pickled: its text
                conn.send((RuntimeError(f"{type(exc).__name__}: {exc}"), text))
        except OSError:  # the parent has gone
            return


class Writer:
    """Writes files in a forked process (see the module); a context manager.

    ``submit(fn, *args)`` sends a call (``fn`` a module-level function, ``args`` picklable) and
    returns at once; ``wait()`` waits for every call sent and raises the first error; leaving the
    ``with`` block ends the process (after an error in the block: at once).
    """

    def __init__(self) -> None:
        self._proc = None
        self._pending = 0
        if not _forks():
            return
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self._conn), name="retra-writer", daemon=True)
        self._proc.start()
        child.close()

    @property
    def forked(self) -> bool:
        """Whether the files are written in a second process."""
        return self._proc is not None

    def submit(self, fn: Callable, *args) -> None:
        """Write ``fn(*args)`` in the second process (or here, now, without one)."""
        if self._proc is None:
            fn(*args)
            return
        self._conn.send((fn, args))
        self._pending += 1

    def wait(self) -> None:
        """Wait for every call sent; raise the first error (the others are dropped)."""
        first = None
        while self._pending:
            self._pending -= 1
            try:
                message = self._conn.recv()
            except (EOFError, OSError):  # the process died without a word
                self._proc.join(5)
                message = (RuntimeError(f"the writing process ended unexpectedly (exit code {self._proc.exitcode})"),
                           "")
                self._pending = 0
            if message is not None and first is None:
                first = message
        if first is not None:
            exc, text = first
            exc.add_note(f"(raised in the second process that writes result files)\n{text}")
            raise exc

    def close(self, *, abort: bool = False) -> None:
        """End the second process: after its work (``abort``: at once)."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        if abort:
            proc.terminate()
        else:
            try:
                self._conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        proc.join()
        self._conn.close()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(abort=exc_type is not None)
