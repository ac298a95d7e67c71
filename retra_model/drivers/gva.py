"""Gross value added follows employment through GVA per employee.

GVA per employee of each sector and district (data, base year) grows with its own
productivity path, :math:`q(t) = q_0 (1 + g_s)^{t - t_0}`, and GVA = employment × q.
The change splits exactly into the employment change valued at :math:`q(t)`, attributed
to the driver that moved the jobs, and the productivity effect on base-year jobs,
:math:`E_0 (q(t) - q_0)`.
"""

from __future__ import annotations

import numpy as np


def per_employee_path(q0: np.ndarray, growth: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """GVA per employee over time [EUR thousand per job].

    Parameters
    ----------
    q0 : numpy.ndarray
        Base-year GVA per employee, ``(1, district, sector, 1)`` [EUR thousand per job].
    growth : numpy.ndarray
        Growth rate per sector, ``(draw, 1, sector, 1)`` [1/yr].
    tau : numpy.ndarray
        Years since the base year, ``(year,)`` [yr].
    """
    return q0 * (1.0 + growth) ** tau
