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


# ---------------------------------------------------------------------------------------
# The driver: its data and checks (inputs), and its effect


def _may_be_nonzero(x) -> bool:
    """Whether a build-out lever can be other than 0 in some draw (its centre may be 0: triangular(0, 0, 20000))."""
    from ..scenario import Distribution

    if not isinstance(x, Distribution):
        return float(x) != 0
    if x.distribution == "posterior":
        return True
    return any(v not in (None, 0) for v in (x.low, x.mode, x.high, x.mean)) or bool(x.sd)


def inputs(scenario, region) -> dict | None:
    """What the build-out needs from the data, checked: ``None`` without an infrastructure section.

    Costs per unit [EUR million] of the items that are built out, from the scenario or else
    from ``infrastructure_costs.csv``; an item without a usable cost in either, or with O&M
    costs and no sector that is paid for them, is a located
    :class:`~retra_model.errors.ScenarioError` (what ``validate`` reports).
    """
    from ..errors import Problem, ScenarioError
    from ..scenario import value_of

    cfg = scenario.infrastructure
    if cfg is None:
        return None
    nat = region.national
    items = nat.tables["infrastructure_items"].set_index("item")
    costs = nat.tables["infrastructure_costs"].set_index("parameter")
    where = str(scenario.file or scenario.name)
    problems, data_costs = [], {}

    def data_cost(item: str, kind: str) -> float | None:
        par = items.loc[item, f"{kind}_parameter"]
        if not isinstance(par, str) or par not in costs.index or np.isnan(costs.loc[par, "value"]):
            return None
        return float(costs.loc[par, "value"]) / float(items.loc[item, f"{kind}_divisor"]) / 1e6  # EUR → EUR million

    for name, it in cfg.items.items():
        if not any(any(_may_be_nonzero(x) for x in path.values()) for path in it.build_out.values()):
            continue
        key = f"infrastructure.items.{name}"
        capex = data_cost(name, "capex") if it.capex is None else None
        if it.capex is None and capex is None:
            problems.append(Problem(where, f"{key}.capex", None,
                                    f"the data have no usable cost for {name} ({items.loc[name, 'note']}); "
                                    "give capex per unit with its source, e.g. capex: '250000 EUR'"))
            continue
        om = (data_cost(name, "om") or 0.0) if it.om is None else None
        if it.om_sector is None and (om or (it.om is not None and value_of(it.om) != 0)):
            problems.append(Problem(where, f"{key}.om_sector", None, _om_sector_message(name)))
            continue
        data_costs[name] = {"capex": capex, "om": om}
    if problems:
        raise ScenarioError(problems)
    return {"config": cfg, "costs": data_costs, "where": where, "districts": region.district_codes,
            "sectors": region.sector_codes, "base_year": region.base_year}


def _om_sector_message(name: str) -> str:
    return (f"the data give O&M costs for {name}; say which sector is paid for them "
            "(om_sector: other_manufacturing for repair of electrical equipment, WZ 33)")


def effect(inputs: dict | None, sampler, years: np.ndarray,
           shape: tuple) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """Regional final demand of the build-out [EUR million] and jobs of on-demand service hours [persons];
    ``(None, None)`` when the scenario builds nothing (no arrays of zeros to fill and scan)."""
    if inputs is None:
        return None, None
    demand = np.zeros(shape)
    jobs = np.zeros(shape)
    from ..errors import Problem, ScenarioError

    cfg = inputs["config"]
    dist, sect, base_year = inputs["districts"], inputs["sectors"], inputs["base_year"]
    for name, cost in inputs["costs"].items():
        it = cfg.items[name]
        key = f"infrastructure.items.{name}"
        capex = sampler(it.capex, f"{key}.capex") / 1e6 if it.capex is not None else np.full(sampler.n, cost["capex"])
        om = sampler(it.om, f"{key}.om") / 1e6 if it.om is not None else np.full(sampler.n, cost["om"])
        if np.any(om != 0) and it.om_sector is None:  # a drawn O&M cost whose centre is 0
            raise ScenarioError([Problem(inputs["where"], f"{key}.om_sector", None, _om_sector_message(name))])
        onehot = np.array([1.0 if s == it.om_sector else 0.0 for s in sect])
        split = np.stack([sampler(it.split[s], f"{key}.split.{s}") if s in it.split else np.zeros(sampler.n)
                          for s in sect], axis=-1)
        share = sampler(it.regional_share, f"{key}.regional_share")
        for d, path in it.build_out.items():
            stock = cumulative(years, {y: sampler(x, f"{key}.build_out.{d}.{y}") for y, x in path.items()}, base_year)
            inv, op = spending(stock, capex, om)
            demand[:, dist.index(d)] += regional_demand(inv, op, split, onehot, share)
    od = cfg.ondemand
    if od is not None and od.hours_per_job is not None:
        per_job = sampler(od.hours_per_job, "infrastructure.ondemand.hours_per_job")
        s = sect.index("trade_transport")
        for d, path in od.service_hours.items():
            hours = cumulative(
                years, {y: sampler(x, f"infrastructure.ondemand.service_hours.{d}.{y}") for y, x in path.items()},
                base_year)
            jobs[:, dist.index(d), s, :] += service_jobs(hours, per_job)
    return demand, jobs
