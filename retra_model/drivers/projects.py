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


# ---------------------------------------------------------------------------------------
# The driver: its projects located in the region (inputs), held plants and ramps (effect)


def inputs(scenario, region) -> dict:
    """The enabled projects with their cell ``(district, sector)`` as indices, in the scenario's order."""
    dist, sect = region.district_codes, region.sector_codes
    return {"projects": [(pid, pr, dist.index(pr.district), sect.index(pr.sector))
                         for pid, pr in scenario.projects.items() if pr.enabled],
            "base_year": region.base_year}


def held(inputs: dict, sampler, e0: np.ndarray) -> np.ndarray:
    """Jobs held by programmes with a head count, ``(n, D, S, 1)`` [persons] (0 elsewhere).

    Capped at the cell's base-year jobs: where the estimate of a district's sector is below
    the plants' stated head count, the programme holds the whole cell.
    """
    out = np.zeros((sampler.n, e0.shape[1], e0.shape[2], 1))
    for pid, pr, d, s in inputs["projects"]:
        if pr.head_count is not None:
            out[:, d, s, 0] += sampler(pr.head_count, f"projects.{pid}.head_count")
    # the cells are estimates: a plant's stated head count above its cell holds the whole cell
    np.minimum(out, e0, out=out)
    return out


def effect(inputs: dict, sampler, years: np.ndarray, tau: np.ndarray, q: np.ndarray, growth: np.ndarray,
           jobs_out: np.ndarray, gva_out: np.ndarray, output_out: np.ndarray) -> tuple[dict, dict]:
    """Add the projects' jobs [persons], GVA and its output part [EUR million] to the arrays given (in place).

    GVA per job is the cell's ``q`` or the project's own ``gva_per_job`` growing with its
    sector. Returns the ramps of the programmes that hold plants and their last year, per cell.
    """
    held_ramp, held_end = {}, {}
    for pid, pr, d, s in inputs["projects"]:
        jobs = ramp(years, {y: sampler(v, f"projects.{pid}.jobs.{y}") for y, v in pr.jobs.items()})
        jobs_out[:, d, s, :] += jobs
        if pr.head_count is not None:
            held_ramp[d, s] = held_ramp.get((d, s), 0.0) + jobs
            held_end[d, s] = max(held_end.get((d, s), inputs["base_year"]), max(pr.jobs))
        if pr.gva_per_job is None:
            g_p = jobs * q[:, d, s, :] / 1000.0
        else:
            per_job = np.asarray(sampler(pr.gva_per_job, f"projects.{pid}.gva_per_job"), dtype=float).reshape(-1, 1)
            g_p = jobs * (per_job * (1.0 + growth[:, s, None]) ** tau) / 1000.0
        gva_out[:, d, s, :] += g_p
        output_out[:, d, s, :] += g_p * sampler(pr.output_share, f"projects.{pid}.output_share")[:, None]
    return held_ramp, held_end
