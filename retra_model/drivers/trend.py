"""Baseline trend: structural drift per sector and district from the recent history.

A shift-share view: the growth of a sector in a district over the fit years is split into
the national growth of all employment (the business cycle of those years) and the shift
against it (structure and location). The shift continues into the future and fades with a
half-life, so that the few years before the base year do not run unchanged for twenty-five
years; the national level follows a growth rate of the scenario's instead. With :math:`g`
the shift plus the scenario's national growth [1/yr]:

.. math::

    F(\\tau) = \\exp\\left( g \\, \\frac{1 - e^{-\\lambda \\tau}}{\\lambda} \\right),
    \\qquad \\lambda = \\ln 2 / h

with :math:`g` the fitted rate [1/yr], :math:`h` the half-life [yr] and :math:`\\tau` the
years since the base year. As :math:`h \\to \\infty` this is plain exponential growth.
"""

from __future__ import annotations

import numpy as np


def growth_rates(history: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Least-squares slope of log employment over the fit years.

    Parameters
    ----------
    history : numpy.ndarray
        Employment, shape ``(..., n_years)`` [persons].
    years : numpy.ndarray
        The calendar years of the last axis [yr].

    Returns
    -------
    numpy.ndarray
        Growth rate, shape ``history.shape[:-1]`` [1/yr]; 0 where any year has no
        employment (a log-linear trend is undefined there).

    Examples
    --------
    >>> growth_rates(np.array([100.0, 110.0, 121.0]), np.array([2018, 2019, 2020])).round(4)
    np.float64(0.0953)
    """
    history = np.asarray(history, dtype=float)
    ok = np.all(history > 0, axis=-1)
    logs = np.log(np.where(history > 0, history, 1.0))
    t = np.asarray(years, dtype=float)
    t = t - t.mean()
    slope = (logs * t).sum(axis=-1) / (t**2).sum()
    return np.where(ok, slope, 0.0)


def factor(rate: np.ndarray, half_life: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Employment relative to the base year under a fading trend.

    Parameters
    ----------
    rate : numpy.ndarray
        Fitted growth rate, broadcastable to ``(draw, district, sector, 1)`` [1/yr].
    half_life : numpy.ndarray
        Half-life of the growth rate, broadcastable to ``(draw, 1, 1, 1)`` [yr].
    tau : numpy.ndarray
        Years since the base year, shape ``(year,)`` [yr].

    Returns
    -------
    numpy.ndarray
        Factor on base-year employment [1]; exactly 1 at ``tau = 0``.
    """
    lam = np.log(2.0) / np.asarray(half_life, dtype=float)
    effective_years = -np.expm1(-lam * tau) / lam
    return np.exp(rate * effective_years)
