"""Infrastructure: charging points, grid, hydrogen and on-demand mobility → demand and jobs.

A scenario gives, per item (``infrastructure_items.csv``: public AC and DC charging columns,
HPC points, private wallboxes, distribution-grid reinforcement [MW], electrolysers [MW],
hydrogen refuelling stations, on-demand minibuses) and district, the units added since
the base year at a few years; the path is linear in between and held after the last year.
Each year

.. math::

    I_t = (B_t - B_{t-1})\\, c, \\qquad M_t = B_t\\, m, \\qquad
    Δf_{s,t} = r \\,(I_t\\, \\sigma_s + M_t\\, [s = s_\\text{O\\&M}])

with *B* the cumulative build-out [units], *c* the investment per unit and *m* the
operation and maintenance per unit and year [EUR million] (``infrastructure_costs.csv``,
or the scenario where the data have none: grid reinforcement, electrolysers, hydrogen
stations and minibuses need it), σ the split of the investment among the supplying sectors
(hardware → electrical equipment, installation and connection → construction, which
includes electrical installation WZ 43.21; a lever) and *r* the share of the spending that
stays with firms in the region (a lever). The regional demand Δf is direct output of the
supplying sectors: direct jobs = Δf × jobs per EUR million of output and GVA = Δf × GVA
per output (:mod:`.input_output`); it then propagates through the regional input-output
model like every other direct change (indirect and induced effects are booked there).

On-demand mobility adds service hours; jobs in transport = hours / paid hours per job.

No build-out and no service hours give exactly zero. Costs are in the prices of their
reference year (2017–2018) and are not deflated.
"""

from __future__ import annotations

import numpy as np

from ._piecewise import piecewise_linear


def cumulative(years: np.ndarray, points: dict[int, np.ndarray], base_year: int) -> np.ndarray:
    """Cumulative units added since the base year [units], ``(draw, year)``.

    0 in the base year, linear between the given years, held after the last.

    Examples
    --------
    >>> cumulative(np.arange(2020, 2025), {2024: np.array([40.0])}, 2020)
    array([[ 0., 10., 20., 30., 40.]])
    """
    return piecewise_linear(years, {base_year: np.zeros(1)} | dict(points), before=0.0)


def installations(stock: np.ndarray) -> np.ndarray:
    """Units installed in each year [units/yr]: the increase of the cumulative stock (0 in the first year).

    Examples
    --------
    >>> installations(np.array([[0.0, 10.0, 30.0, 30.0]]))
    array([[ 0., 10., 20.,  0.]])
    """
    return np.diff(stock, axis=-1, prepend=stock[..., :1])


def spending(stock: np.ndarray, capex: np.ndarray, om: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Investment and O&M per year [EUR million].

    Parameters
    ----------
    stock : numpy.ndarray
        Cumulative units added, ``(draw, year)`` [units].
    capex : numpy.ndarray
        Investment per unit, ``(draw,)`` [EUR million].
    om : numpy.ndarray
        O&M per unit and year, ``(draw,)`` [EUR million]; 0 if not counted.

    Returns
    -------
    investment, operation : numpy.ndarray
        ``(draw, year)`` each [EUR million].
    """
    capex = np.asarray(capex, dtype=float)[:, None]
    om = np.asarray(om, dtype=float)[:, None]
    return installations(stock) * capex, stock * om


def regional_demand(investment: np.ndarray, operation: np.ndarray, split: np.ndarray, om_sector: np.ndarray,
                    regional_share: np.ndarray) -> np.ndarray:
    """Final demand for the region's sectors [EUR million], ``(draw, sector, year)``.

    Parameters
    ----------
    investment, operation : numpy.ndarray
        ``(draw, year)`` [EUR million].
    split : numpy.ndarray
        Share of the investment bought from each sector, ``(draw, sector)`` [1].
    om_sector : numpy.ndarray
        One-hot ``(sector,)`` of the sector paid for O&M (zeros if none) [1].
    regional_share : numpy.ndarray
        ``(draw,)`` [1].

    Examples
    --------
    >>> regional_demand(np.array([[0.0, 2.0]]), np.array([[0.0, 0.1]]), np.array([[0.5, 0.5]]),
    ...                 np.array([0.0, 1.0]), np.array([0.5]))
    array([[[0.  , 0.5 ],
            [0.  , 0.55]]])
    """
    r = np.asarray(regional_share, dtype=float)[:, None, None]
    return r * (investment[:, None, :] * split[:, :, None] + operation[:, None, :] * om_sector[None, :, None])


def service_jobs(hours: np.ndarray, hours_per_job: np.ndarray) -> np.ndarray:
    """Jobs from additional service hours [persons] = hours / paid hours per job.

    Examples
    --------
    >>> service_jobs(np.array([[0.0, 16000.0]]), np.array([1600.0]))
    array([[ 0., 10.]])
    """
    return np.asarray(hours, dtype=float) / np.asarray(hours_per_job, dtype=float)[:, None]
