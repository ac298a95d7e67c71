"""Dated projects and programmes: plant openings, job-reduction agreements, campuses.

Each project adds a number of jobs (negative for a reduction) to one sector of one
district, following a ramp: 0 before the first year the scenario gives, linear between the
given years, held after the last. Write ``{2023: 0, 2026: 2500, 2030: 5000}`` for a plant
that starts hiring in 2023.

Programmes replace, not stack
    A programme that names plants gives their ``head_count`` in the base year: those jobs
    leave the multiplicative drivers (trend, electrification, volume, productivity) and the
    ramp is their whole path (the engine; capped at the district's sector). Without a head
    count a project adds to whatever the drivers do (a new plant).
Output share
    ``output_share`` is the part of a project's job change that is a change of output (a
    plant, a capacity cut) and goes through the input-output model; the rest is labour per
    unit at constant output (a staff cut at unchanged production).
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
