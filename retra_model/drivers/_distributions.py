"""Inverse CDFs shared by the sampler and the drivers that draw from data ranges."""

from __future__ import annotations

import numpy as np


def triangular_ppf(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Inverse CDF of triangular distributions; ``u`` broadcasts against the cells."""
    span = np.where(high > low, high - low, 1.0)
    c = np.where(high > low, (mode - low) / span, 0.5)
    left = low + np.sqrt(u * span * (mode - low))
    right = high - np.sqrt((1 - u) * span * (high - mode))
    out = np.where(u < c, left, right)
    return np.where(high > low, out, mode)
