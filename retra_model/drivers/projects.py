"""Dated projects and programmes: plant openings, job-reduction agreements, campuses.

Each project adds a number of jobs (negative for a reduction) to one sector of one
district, following a ramp: 0 before the first year the scenario gives, linear between the
given years, held after the last. Write ``{2023: 0, 2026: 2500, 2030: 5000}`` for a plant
that starts hiring in 2023.
"""

from __future__ import annotations

import numpy as np

from ._piecewise import piecewise_linear


def ramp(years: np.ndarray, points: dict[int, np.ndarray]) -> np.ndarray:
    """Jobs of a project in each model year [persons].

    Parameters
    ----------
    years : numpy.ndarray
        Model years, ``(year,)`` [yr].
    points : dict
        Year → jobs against the base year, each of shape ``(draw,)`` [persons].

    Returns
    -------
    numpy.ndarray
        Shape ``(draw, year)``.

    Examples
    --------
    >>> ramp(np.arange(2020, 2026), {2022: np.array([0.0]), 2024: np.array([100.0])})
    array([[  0.,   0.,   0.,  50., 100., 100.]])
    """
    return piecewise_linear(years, points, before=0.0)
