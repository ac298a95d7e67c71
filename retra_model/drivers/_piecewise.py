"""Piecewise-linear paths over years, vectorised over draws (shared by volume and projects)."""

from __future__ import annotations

import numpy as np


def piecewise_linear(years: np.ndarray, points: dict[int, np.ndarray], before: float | None) -> np.ndarray:
    """Values at ``years`` from a few ``year → value`` points, linear in between.

    Parameters
    ----------
    years : numpy.ndarray
        Years to evaluate, ``(year,)`` [yr].
    points : dict
        Year → value of shape ``(draw,)`` or scalar.
    before : float or None
        Value before the first point; ``None`` holds the first value.

    Returns
    -------
    numpy.ndarray
        ``(draw, year)``; after the last point the last value is held.
    """
    xs = np.array(sorted(points), dtype=float)
    ys = np.stack(np.broadcast_arrays(*(np.atleast_1d(np.asarray(points[int(x)], dtype=float)) for x in xs)),
                  axis=-1)
    t = np.clip(np.asarray(years, dtype=float), xs[0], xs[-1])
    lo = np.clip(np.searchsorted(xs, t, side="right") - 1, 0, len(xs) - 1)
    hi = np.minimum(lo + 1, len(xs) - 1)
    span = np.where(hi > lo, xs[hi] - xs[lo], 1.0)
    w = np.where(hi > lo, (t - xs[lo]) / span, 0.0)
    out = ys[:, lo] * (1.0 - w) + ys[:, hi] * w
    if before is not None:
        out[:, np.asarray(years) < xs[0]] = before
    return out
