"""Gross value added follows employment through GVA per employee.

GVA per employee of each sector and district (data, base year) grows with its own
productivity path, :math:`q(t) = q_0 (1 + g_s)^{t - t_0}`, and GVA = employment × q.
The change splits exactly into the employment change valued at :math:`q(t)`, attributed
to the driver that moved the jobs, and the productivity effect on base-year jobs,
:math:`E_0 (q(t) - q_0)`.

Rents
    GVA per employee of business services (WZ K–N, one published group) holds real estate
    (L), whose value added is almost all rent, actual and imputed for owner-occupied
    dwellings: EUR 324 of the 342 billion of CPA 68 in 2019 are not compensation, 37 % of the
    GVA of business services (Destatis IOT 2019). It follows the dwellings, not the jobs. The
    engine values job changes at :math:`q_0 (1 - \\rho)` with ρ this share times the lever
    ``gva.rents_removed`` (1: all of the surplus; 0.5: about the imputed part), keeps the rents
    at their base-year level, and takes them out of GVA per unit of output alike, so that jobs
    per unit of output do not change. A national share stands in for the district's: the VGRdL
    does not split K–N by district (the latest vintage found here ends in 2017).
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

    Returns
    -------
    numpy.ndarray
        ``(draw, district, sector, year)``, in C order whatever the order of ``q0`` (every
        later operation on the draws' arrays then runs as one loop, not one per row).
    """
    path = (1.0 + growth) ** tau
    return np.multiply(q0, path, out=np.empty(np.broadcast_shapes(np.shape(q0), path.shape)))


# ---------------------------------------------------------------------------------------
# The driver: its data (inputs), and GVA per employee over time (effect)


def inputs(scenario, region) -> dict:
    """The gva section, base-year GVA per employee (1, D, S, 1) [EUR thousand per job] and the rent shares (S,)."""
    from .input_output import national_model

    io, _ = national_model(region)
    return {"config": scenario.gva, "sectors": region.sector_codes, "rent_share": io.rent_share,
            "q0_full": region.gva_per_employee["value"].transpose("district", "sector").values[None, :, :, None]}


def effect(inputs: dict, sampler, tau: np.ndarray, f_prod: np.ndarray) -> dict:
    """GVA per employee over time: ``q0_full`` with rents, ``rent`` (their share, n, 1, S, 1), ``q0``
    without them, the sectors' ``growth`` (n, S) [1/yr] and ``q`` (n, D, S, T) [EUR thousand per job].

    In the volume sectors GVA per employee also grows with their labour productivity (``f_prod``).
    """
    g = inputs["config"]
    q0_full = inputs["q0_full"]
    # Rents (actual and imputed, the surplus of real estate in business services) follow the dwellings,
    # not the jobs: job changes are valued without them, and they stay at their base-year level.
    removed = np.asarray(sampler(g.rents_removed, "gva.rents_removed"), dtype=float).reshape(-1, 1, 1, 1)
    rent = inputs["rent_share"][None, None, :, None] * removed
    q0 = q0_full * (1.0 - rent)
    growth = np.stack([sampler(g.by_sector[s], f"gva.by_sector.{s}") if s in g.by_sector
                       else sampler(g.productivity_growth, "gva.productivity_growth") for s in inputs["sectors"]],
                      axis=-1)
    q = per_employee_path(q0, growth[:, None, :, None], tau)  # (n, D, S, T)
    q /= f_prod
    return {"q0_full": q0_full, "rent": rent, "q0": q0, "growth": growth, "q": q}
