"""Vehicle output and labour productivity in vehicle production: two factors.

Jobs in the sectors the scenario names (vehicle making by default) follow output divided by
labour productivity, written as two drivers so that each can be seen on its own:

.. math::  F_\\text{volume}(t) = V(t), \\qquad F_\\text{productivity}(t) = (1 + g)^{-(t - t_0)}

with :math:`V` the output index (1 in the base year, linear between the years the
scenario gives, held after the last) and :math:`g` the growth of output per employee.
Productivity removes jobs but not output: its job losses do not propagate to suppliers,
and value added per employee in these sectors grows with it (see the engine).
"""

from __future__ import annotations

import numpy as np

from ._piecewise import piecewise_linear


def output_index(years: np.ndarray, points: dict[int, np.ndarray], base_year: int) -> np.ndarray:
    """Piecewise-linear output index over the model years [1].

    Parameters
    ----------
    years : numpy.ndarray
        Model years, shape ``(year,)`` [yr].
    points : dict
        Year → index value, each of shape ``(draw,)`` [1]. The base year is 1 unless given.
    base_year : int
        First model year [yr].

    Returns
    -------
    numpy.ndarray
        Shape ``(draw, year)``; constant after the last given year.

    Examples
    --------
    >>> output_index(np.arange(2020, 2025), {2024: np.array([0.8])}, 2020).round(2)
    array([[1.  , 0.95, 0.9 , 0.85, 0.8 ]])
    """
    return piecewise_linear(years, {base_year: np.ones(1)} | dict(points), before=None)


def factor(index: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Employment relative to the base year from vehicle output [1].

    Parameters
    ----------
    index : numpy.ndarray
        Output index, ``(draw, 1, 1, year)`` [1].
    mask : numpy.ndarray of bool
        Sectors the driver applies to, ``(1, 1, sector, 1)``.
    """
    return np.where(mask, index, 1.0)


def productivity_factor(productivity_growth: np.ndarray, tau: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Employment relative to the base year from labour productivity at constant output [1].

    Parameters
    ----------
    productivity_growth : numpy.ndarray
        Growth of output per employee, ``(draw, 1, 1, 1)`` [1/yr].
    tau : numpy.ndarray
        Years since the base year, ``(year,)`` [yr].
    mask : numpy.ndarray of bool
        Sectors the driver applies to, ``(1, 1, sector, 1)``.

    Examples
    --------
    >>> productivity_factor(np.array([[[[0.1]]]]), np.arange(3.0), np.array([[[[True]]]])).round(4).ravel()
    array([1.    , 0.9091, 0.8264])
    """
    return np.where(mask, (1.0 + productivity_growth) ** -tau, 1.0)
