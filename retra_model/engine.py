"""Compose the drivers into employment and value added, with an exact decomposition.

Employment in district *d*, sector *s*, year *t* is

.. math::  E = E_0 \\, F_\\text{trend} \\, F_\\text{electrification} \\, F_\\text{volume}
           \\, F_\\text{productivity} + P + I + X,

the base-year employment times one factor per multiplicative driver (on the jobs no programme
holds), plus the jobs of the dated projects *P* and of the infrastructure build-out *I*, and
the indirect and induced effects *X* of changes of output (regional input-output model). The
change :math:`E_m - E_0` of the multiplicative part is split among its drivers by the
logarithmic mean Divisia index (LMDI-I),

.. math::  \\Delta E_k = L(E_m, E_0) \\ln F_k, \\qquad L(a, b) = \\frac{a - b}{\\ln a - \\ln b},

which adds up to the total change exactly, has no residual and does not depend on the
order of the drivers (Ang 2005); the additive parts are drivers of their own. Value added
follows employment, valued at each year's GVA per employee (:mod:`.drivers.gva`).

Every evaluation is vectorised over a leading ``draw`` axis: a deterministic run is the
ensemble of one draw, taken at the centre of every uncertain lever.

References
----------
Ang, B. W. (2005). The LMDI approach to decomposition analysis: a practical guide.
Energy Policy 33(7), 867–871. https://doi.org/10.1016/j.enpol.2003.10.010
"""

from __future__ import annotations

import datetime as _dt
import functools
import zlib
from dataclasses import dataclass

import numpy as np
import xarray as xr

from . import __version__
from .drivers import (
    electrification,
    gva,
    infrastructure,
    input_output,
    projects,
    registry,
    trend,
    volume,
)
from .drivers._distributions import triangular_ppf
from .errors import Problem, ScenarioError
from .regions import Region, load_region
from .results import KEY_YEARS, money_unit
from .scenario import LEVERS_FILE, Distribution, Scenario, lever_table

DRIVERS = registry.run_drivers()
"""The built-in drivers of a direct run, in the order of the decomposition (:mod:`.drivers.registry`;
a run's ``driver`` dimension follows the register at run time)."""


# ---------------------------------------------------------------------------------------
# Levers → arrays over draws


@functools.lru_cache(maxsize=4096)
def _block(seed: int, tag: int, block: int, size: int) -> np.ndarray:
    """Uniform numbers of one block of one stream (read-only; the chunks of an ensemble that
    share a block generate it once)."""
    out = np.random.default_rng([seed, tag, block]).random(size)
    out.setflags(write=False)
    return out


class Sampler:
    """Turns levers into arrays over draws: constant, or drawn from a distribution.

    Draws are made by inverse CDF from uniform numbers that depend only on the seed, the
    lever's key path and the draw's index: draw *i* of a lever is the same whether the
    ensemble is evaluated at once or in chunks (``start``), and adding a lever elsewhere
    does not change the draws of the others. Same scenario, seed and data give
    bit-identical results.

    Parameters
    ----------
    n : int or None
        Number of draws; ``None`` for a deterministic run (one draw at each lever's centre).
    seed : int
        Seed of the ensemble.
    start : int
        Index of the first draw (for chunked evaluation).
    """

    BLOCK = 256
    """Draws are generated in blocks of this many, each block from its own stream."""

    def __init__(self, n: int | None, seed: int, start: int = 0):
        self.n = 1 if n is None else int(n)
        self.deterministic = n is None
        self.seed = int(seed)
        self.start = int(start)

    def uniforms(self, key: str) -> np.ndarray:
        """Uniform numbers in [0, 1) for draws ``start … start + n - 1`` of the stream ``key``."""
        if self.deterministic:
            return np.full(1, 0.5)
        first, last = self.start // self.BLOCK, (self.start + self.n - 1) // self.BLOCK
        tag = zlib.crc32(key.encode())
        blocks = [_block(self.seed, tag, b, self.BLOCK) for b in range(first, last + 1)]
        offset = self.start - first * self.BLOCK
        return np.concatenate(blocks)[offset:offset + self.n]

    def __call__(self, lever: float | Distribution, key: str) -> np.ndarray:
        """The values of a lever for each draw, shape ``(n,)`` [the lever's unit].

        ``key`` is the lever's key path, its random stream; it must match a row of the table of
        levers (:data:`~retra_model.scenario.LEVERS_FILE`), so that every drawn lever has declared
        bounds and a label (Sobol's inputs are these streams).
        """
        if key not in _DECLARED:
            _declare(key)
        if not isinstance(lever, Distribution):
            return np.full(self.n, float(lever))
        if lever.distribution == "posterior":
            from .uncertainty.draws import posterior_draws  # cached netCDF, never a sampler

            # one stream per posterior, so that its variables are drawn jointly
            return posterior_draws(lever.name, self.uniforms(f"posterior:{lever.name.split('.')[0]}"),
                                   central=self.deterministic)
        if self.deterministic or (lever.distribution == "parameter" and lever.low == lever.high):
            return np.full(self.n, lever.central())
        u = self.uniforms(key)
        if lever.distribution == "uniform":
            return lever.low + u * (lever.high - lever.low)
        if lever.distribution in ("triangular", "parameter"):
            return triangular_ppf(u, lever.low, lever.mode, lever.high)
        from scipy.stats import truncnorm  # normal, truncated to [low, high] where given

        lo = -np.inf if lever.low is None else (lever.low - lever.mean) / lever.sd
        hi = np.inf if lever.high is None else (lever.high - lever.mean) / lever.sd
        return truncnorm.ppf(u, lo, hi, loc=lever.mean, scale=lever.sd)


_DECLARED: set[str] = set()


def _declare(key: str) -> None:
    """Note a stream key once it is found in the table of levers; refuse one that is not there."""
    import fnmatch

    if not any(fnmatch.fnmatchcase(key, spec.key) for spec in lever_table()):
        raise KeyError(f"the lever '{key}' is drawn but not declared in {LEVERS_FILE.name}; add its row there")
    _DECLARED.add(key)


def lmdi_weights(e0: np.ndarray, log_total: np.ndarray) -> np.ndarray:
    """LMDI-I weights ``L(E, E0) = (E - E0) / ln(E / E0)`` with ``E = E0 exp(log_total)``.

    Written as ``E0 · expm1(s) / s`` (``E0`` where ``s = 0``), which is exact, needs no
    logarithm of ``E`` and is 0 where ``E0`` is 0.

    Examples
    --------
    >>> float(lmdi_weights(np.array(1.0), np.log(np.array(2.0))).round(6))  # 1 / ln 2
    1.442695
    """
    s = np.asarray(log_total, dtype=float)
    small = np.abs(s) < 1e-12
    ratio = np.expm1(s, out=np.empty(s.shape))
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 where s = 0, replaced next
        np.divide(ratio, s, out=ratio)
    np.copyto(ratio, 1.0, where=small)
    if np.broadcast_shapes(s.shape, np.shape(e0)) == s.shape:
        return np.multiply(ratio, e0, out=ratio)
    return e0 * ratio


# ---------------------------------------------------------------------------------------
# The run


@dataclass(frozen=True)
class Direct:
    """Arrays of a direct run, ``(draw, district, sector, year)``."""

    years: np.ndarray
    employment: np.ndarray
    gva: np.ndarray
    employment_change: np.ndarray  # (driver, draw, district, sector, year)
    gva_change: np.ndarray
    mix: np.ndarray  # (draw, district, year, powertrain)
    drivers: tuple[str, ...] = DRIVERS  # the driver axis of the changes


def inputs(scenario: Scenario, region: Region) -> dict:
    """What every driver reads from the data for this scenario (each driver's ``inputs``, checked):
    the same for every draw, so an ensemble evaluated chunk by chunk reads it once."""
    return {"trend": trend.inputs(scenario, region), "electrification": electrification.inputs(scenario, region),
            "volume": volume.inputs(scenario, region), "gva": gva.inputs(scenario, region),
            "projects": projects.inputs(scenario, region), "infrastructure": infrastructure.inputs(scenario, region),
            **{sp.name: None if sp.inputs is None else sp.inputs(scenario, region) for sp in registry.extra()}}


def evaluate(scenario: Scenario, region: Region, sampler: Sampler, out: Direct | None = None,
             data: dict | None = None) -> Direct:
    """Evaluate the drivers for every draw of ``sampler`` at once (pure, no I/O).

    ``out`` (optional): arrays of the draws' shapes to write the results into (:func:`allocate`;
    e.g. one chunk of draws of a larger ensemble, see :func:`run`); returned again. ``data``
    (optional): the drivers' :func:`inputs` for this scenario, if already read.
    """
    data = inputs(scenario, region) if data is None else data
    if not sampler.deterministic:  # draws: chunks of temporaries, allocated again and again
        keep_freed_memory()
    base = region.base_year
    years = np.arange(base, scenario.end_year + 1)
    tau = (years - base).astype(float)
    dist = region.district_codes
    sect = region.sector_codes
    e0 = region.base_values()[None, :, :, None]  # (1, D, S, 1)

    # 1. trend: Germany's level path (no fading) × national sector shifts × bounded district shifts
    f_trend = trend.effect(data["trend"], sampler, tau)

    # 2. electrification
    f_elec, shares = electrification.effect(data["electrification"], sampler, years)

    # 3. volume and productivity
    vol = data["volume"]
    f_vol, f_prod = volume.effect(vol, sampler, years, tau)

    # A factor of exactly 0 (output index 0, all powertrain labour gone) has no logarithm: LMDI
    # replaces zeros by a tiny positive number, which changes results by less than 1e-6 persons
    # (Ang & Liu 2007, Energy Policy 35(1), 238-246, doi:10.1016/j.enpol.2005.11.001).
    factors = {"trend": f_trend, "electrification": f_elec, "volume": f_vol, "productivity": f_prod}

    # GVA per employee over time [EUR thousand per job], without rents (:mod:`.drivers.gva`)
    io, _ = _io_model(region)
    gv = gva.effect(data["gva"], sampler, tau, f_prod)
    q0_full, rent, q0, growth, q = gv["q0_full"], gv["rent"], gv["q0"], gv["growth"], gv["q"]
    shape = np.broadcast_shapes(e0.shape, *(f.shape for f in factors.values()), q.shape)

    # The change by driver is written in place into two preallocated arrays (no copies).
    names = registry.run_drivers()
    extra = registry.extra()  # registered additive drivers, evaluated by their effect
    if out is not None and (out.employment.shape != shape or out.drivers != names):
        raise ValueError(f"evaluate: out holds {out.employment.shape} for {out.drivers}, the draws need {shape}"
                         f" for {names}")
    emp_ch = np.empty((len(names), *shape)) if out is None else out.employment_change
    gva_ch = np.empty((len(names), *shape)) if out is None else out.gva_change
    ch = dict(zip(names, emp_ch, strict=True))
    gch = dict(zip(names, gva_ch, strict=True))
    for k, f in factors.items():
        if f.shape == shape:  # in place, no temporaries
            np.log(np.maximum(f, ZERO, out=ch[k]), out=ch[k])
        else:  # on the factor's own (smaller) shape, then broadcast
            ch[k][...] = np.log(np.maximum(f, ZERO))
    first, second, *rest = factors  # = 0 + the first + … (a logarithm is never -0.0)
    log_total = np.add(ch[first], ch[second])
    for k in rest:
        log_total += ch[k]
    # A programme with a head count replaces the drivers for the jobs of the plants it names:
    # they leave the multiplicative part, and the programme's ramp is their whole path.
    proj = data["projects"]
    held = projects.held(proj, sampler, e0)  # (n, D, S, 1)
    e0m = e0 - held
    weight = lmdi_weights(e0m, log_total)
    em = np.multiply(weight, log_total, out=None if out is None else out.employment)
    em += e0m  # = (e0 - held) · Π factors
    for k in factors:
        ch[k] *= weight
        np.multiply(ch[k], q, out=gch[k])
        gch[k] /= 1000.0  # persons × EUR thousand → EUR million

    # 4. projects
    ch["projects"][...] = 0.0
    gch["projects"][...] = 0.0
    output_gva = np.zeros(shape)  # the part of the projects' GVA change that is output (→ IO model)
    # ramps of the programmes that hold plants, and their last year, per cell
    held_ramp, held_end = projects.effect(proj, sampler, years, tau, q, growth, ch["projects"], gch["projects"],
                                          output_gva)
    employment = em  # = em + held + projects, in place
    employment += held
    employment += ch["projects"]
    _resume_after_programmes(held, held_ramp, held_end, factors, years, q, ch, gch, employment)
    negative = employment.min() < -1e-9
    if negative and not sampler.deterministic:
        # In the tails of an ensemble a job-reduction programme can meet a sector that the other
        # drivers have already shrunk: it cannot cut jobs that are gone, so its cut is capped there.
        short = np.minimum(employment, 0.0)
        ch["projects"] -= short
        gch["projects"] -= short * q / 1000.0
        output_gva -= short * q / 1000.0
        employment -= short
        negative = employment.min() < -1e-9
    if negative:
        n, d, s, t = np.argwhere(employment < -1e-9)[0]
        # the jobs the other drivers leave on what no programme holds
        left = employment[n, d, s, t] - ch["projects"][n, d, s, t] - held[min(n, len(held) - 1), d, s, 0]
        culprits = [pid for pid, pr in scenario.projects.items()
                    if pr.enabled and pr.district == dist[d] and pr.sector == sect[s]]
        where = f"projects.{culprits[0]}" if culprits else "projects"
        raise ScenarioError([Problem(str(scenario.file or scenario.name), where, None,
                                     f"in {years[t]} the projects take {-ch['projects'][n, d, s, t]:,.0f} jobs from "
                                     f"{sect[s]} in {dist[d]}, which then has only {left:,.0f}: "
                                     "employment would fall below zero")])

    # 5. productivity of value added on base-year jobs
    ch["gva_productivity"][...] = 0.0
    np.subtract(q, q0, out=gch["gva_productivity"])
    gch["gva_productivity"] *= e0 / 1000.0

    # 6. infrastructure: regional demand of the build-out → direct output, jobs, GVA
    v = io.gva_per_output[None, None, :, None] * (1.0 - rent)  # GVA per output without rents [1]
    e = input_output.jobs_per_output(v, q)  # jobs per EUR million of output, (n, D, S, T)
    demand, hours_jobs = infrastructure.effect(data["infrastructure"], sampler, years, shape)  # None: no build-out
    if demand is not None and (demand.any() or hours_jobs.any()):
        ch["infrastructure"][...] = demand * e + hours_jobs
        gch["infrastructure"][...] = demand * v + hours_jobs * q / 1000.0
    else:
        ch["infrastructure"][...] = 0.0
        gch["infrastructure"][...] = 0.0

    # registered additive drivers: their jobs, valued at the cell's GVA per employee
    for sp in extra:
        ch[sp.name][...] = sp.effect(data[sp.name], sampler, years, shape)
        np.multiply(ch[sp.name], q, out=gch[sp.name])
        gch[sp.name] /= 1000.0

    # 7. indirect: changes of output (not of labour per unit) as final demand through the IO model;
    #    induced: the wage bill net of replacement income, spent where the workers live
    #    A car plant's output change reaches the region's vehicle makers (parts) through the IO model
    #    only where no driver already moves them: volume scales the whole sector, programmes name the
    #    group's own component plants, exposure cuts the powertrain plants. So the own rows of the
    #    volume sectors are removed for all demand *in* those sectors (no supplier loss twice).
    #    Which drivers' changes enter is the register's ``propagates`` (projects: their output share).
    in_vol = vol["mask"]
    prop = set(registry.propagated())
    project_output = output_gva if "projects" in prop else np.zeros_like(output_gva)
    if project_output.any():
        vol_output, other_output = np.where(in_vol, project_output, 0.0), np.where(in_vol, 0.0, project_output)
    else:  # no project changes output: the same sums without two arrays of zeros
        vol_output = other_output = 0.0
    demand = {"volume": (gch["volume"] if "volume" in prop else 0.0) + vol_output,
              "other": other_output + (gch["infrastructure"] if "infrastructure" in prop else 0.0)}
    for sp in extra:
        if sp.propagates:
            demand["other"] = demand["other"] + gch[sp.name]
    paid = registry.paid()
    wages = np.add(gch[paid[0]], 0.0)  # = sum(gch[k] for k in paid), in place
    for k in paid[1:]:
        wages += gch[k]
    if scenario.input_output is not None:  # v on every cell: the five operations with it run as one loop each
        v = np.broadcast_to(v, shape).copy()
    indirect, induced = _io_effects(scenario, region, sampler, demand, wages, v, vol["mask"][0, 0, :, 0], shape)
    np.multiply(indirect, e, out=ch["indirect"])
    np.multiply(induced, e, out=ch["induced"])
    np.multiply(indirect, v, out=gch["indirect"])
    np.multiply(induced, v, out=gch["induced"])

    employment += ch["infrastructure"]
    for sp in extra:
        employment += ch[sp.name]
    _cap_io_losses(employment, ch, gch)
    employment += ch["indirect"]
    employment += ch["induced"]
    gva_total = gva_ch.sum(axis=0, out=None if out is None else out.gva)
    gva_total += e0 * q0_full / 1000.0
    if out is not None:
        out.mix[...] = shares
        return out
    return Direct(years, employment, gva_total, emp_ch, gva_ch, shares, names)


def _trend_factors(scenario: Scenario, region: Region, sampler: Sampler, tau: np.ndarray) -> np.ndarray:
    """The trend factor (n, D, S, T) [1] (:mod:`retra_model.drivers.trend`: ``inputs`` and ``effect``)."""
    return trend.effect(trend.inputs(scenario, region), sampler, tau)


ZERO = 1e-12
"""Smallest factor in the LMDI decomposition (zeros are replaced by it)."""


def _cap_io_losses(before: np.ndarray, change: dict, gva_change: dict) -> None:
    """Keep employment from going below zero through indirect and induced losses (in place).

    A linear input-output model knows no floor: a very large direct loss can send the
    indirect and induced losses of a small sector beyond the jobs it has. Where that happens
    both are scaled down in that cell, jobs and GVA alike, so that the sector ends at zero;
    the decomposition still adds up. Such a scenario lies outside what a linear model
    describes well.
    """
    after = change["indirect"] + change["induced"]
    after += before
    if after.min() >= 0:
        return
    loss = change["indirect"] + change["induced"]
    over = (after < 0) & (loss < 0)
    scale = np.where(over, np.clip(before, 0, None) / np.where(over, -loss, 1.0), 1.0)
    for k in ("indirect", "induced"):
        change[k] *= scale
        gva_change[k] *= scale


PROPAGATED = registry.propagated()
"""Drivers whose change of output propagates through the input-output model (projects: their
``output_share``). Not the trend: it is observed total employment, suppliers and services
included; not productivity and electrification: they change labour per vehicle at constant
output, i.e. the input mix, not final demand."""

PAID = registry.paid()
"""Drivers whose change of the wage bill (with the indirect one) is household income for the
induced effect. Not productivity: at constant output it raises GVA per employee as much as it
removes jobs (:mod:`.drivers.volume`), the wage bill stays."""


def _resume_after_programmes(held: np.ndarray, ramp: dict, end: dict, factors: dict, years: np.ndarray,
                             q: np.ndarray, ch: dict, gch: dict, employment: np.ndarray) -> None:
    """After a programme's last year the drivers act again on the jobs it held (in place).

    The plant's jobs at the end of the programme, :math:`E_h(T) = H + R(T)`, follow the
    multiplicative drivers from then on, :math:`E_h(t) = E_h(T)\\, Π_k F_k(t)/F_k(T)`; the change
    after *T* is split among the drivers by LMDI on this base, so the decomposition stays exact.
    """
    for (d, s), r in ramp.items():
        after = years > end[d, s]
        if not after.any():
            continue
        k_end = int(np.searchsorted(years, end[d, s]))
        level = held[:, d, s, 0] + r[:, k_end]  # (n,)
        logs = {}
        for k, f in factors.items():
            lf = np.log(np.maximum(np.broadcast_to(f, employment.shape)[:, d, s, :], ZERO))
            logs[k] = lf[:, after] - lf[:, k_end:k_end + 1]
        total = sum(logs.values())
        w = lmdi_weights(level[:, None], total)
        for k, lk in logs.items():
            ch[k][:, d, s, after] += w * lk
            gch[k][:, d, s, after] += w * lk * q[:, d, s, after] / 1000.0
        employment[:, d, s, after] += w * total


_io_model = input_output.national_model  # the old name (tests, notebooks)


def _uniform(x: np.ndarray) -> np.ndarray:
    """A lever's draws, reduced to one value when all draws agree (saves inverting per draw)."""
    x = np.asarray(x, dtype=float)
    return x[:1] if np.all(x == x[0]) else x


def _io_effects(scenario: Scenario, region: Region, sampler: Sampler, demand_gva: dict, wage_gva: np.ndarray,
                v: np.ndarray, volume_sectors: np.ndarray, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Indirect and induced output [EUR million], ``(n, D, S, T)``.

    Indirect: type I on the output changes (``demand_gva``: GVA of volume and of the rest),
    the volume sectors' own rows removed for volume demand (already in the direct change).
    Induced: the wage bill of the direct (``wage_gva``) and indirect output, net of replacement
    income, by district of residence (the commuting matrix; leakage outside the region), through
    the household column of the closed inverse. The Leontief inverses are computed per draw of
    δ (and of the consumption share), batched by numpy.
    """
    cfg = scenario.input_output
    if cfg is None:
        return np.zeros(shape), np.zeros(shape)
    io, national = _io_model(region)

    positive = bool(v.min() > 0)

    def output(g):  # output = GVA / (GVA per output), 0 where a sector has no GVA per output
        return np.divide(g, v, out=np.empty(shape)) if positive else np.divide(g, v, out=np.zeros(shape), where=v > 0)

    delta = sampler(cfg.flq_delta, "input_output.flq_delta")
    share = None if cfg.consumption_share is None else sampler(cfg.consumption_share, "input_output.consumption_share")
    if share is not None and np.all(delta == delta[0]) and np.all(share == share[0]):
        delta, share = delta[:1], share[:1]
    elif share is None:
        delta = _uniform(delta)
    base = region.base_values()
    if cfg.scope == "region":
        inv = input_output.regional_inverses(io, base.sum(axis=0, keepdims=True), national, delta, share, cfg.induced)
        alloc = input_output.allocation_shares(base)
    else:
        inv = input_output.regional_inverses(io, base, national, delta, share, cfg.induced)
        alloc = None
    indirect = input_output.indirect_output(inv.type1, output(demand_gva["volume"]), alloc, own=volume_sectors)
    indirect += input_output.indirect_output(inv.type1, output(demand_gva["other"]), alloc)
    if not cfg.induced:
        return indirect, np.zeros(shape)
    rate = sampler(cfg.replacement_rate, "input_output.replacement_rate")
    changed = output(wage_gva)
    changed += indirect
    income = input_output.wage_income(changed, io.compensation_per_output, rate)
    shares = residence_shares(region)
    if cfg.scope == "district":
        # one table per district, intra-district only (a lower bound): the income of workers who live
        # in another district leaves the district's table, as its purchases from the neighbours do;
        # districts stay independent, so a national run can go district chunk by district chunk
        stay = np.diag(shares[:-1])
        shares = np.vstack([np.diag(stay), 1.0 - stay[None, :]])
    residence, _ = input_output.residence_income(income, shares)
    return indirect, input_output.induced_output(inv.household, residence)


def residence_shares(region: Region) -> np.ndarray:
    """Shares of each workplace district's workers by district of residence, ``(D + 1, D)`` [1].

    Rows: the region's districts, then outside the region; each column sums to 1 (BA
    commuting flows, ``commuting_flows.csv`` and ``commuting_totals.csv``, latest year). A region
    without commuting data (``de``: every Kreis is its own table) has workers living where they
    work (the identity, no leakage).
    """
    return region.derived(("residence_shares",), lambda: _residence_shares(region))


def _residence_shares(region: Region) -> np.ndarray:
    from .drivers.labour import commuting_counts, commuting_shares

    dist = region.district_codes
    flows, tot = region.tables.get("commuting_flows"), region.tables.get("commuting_totals")
    if flows is None or tot is None:
        return np.vstack([np.eye(len(dist)), np.zeros((1, len(dist)))])
    _, counts, _, workers = commuting_counts(flows, tot, dist)
    return commuting_shares(counts, np.diag(counts), workers)


def run(scenario: Scenario, *, draws: int | None = None, seed: int | None = None,
        region: Region | None = None) -> xr.Dataset:
    """Run a scenario: employment and value added by district, sector and year.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:meth:`Scenario.from_file`).
    draws : int, optional
        Number of ensemble draws. ``None`` (default) runs deterministically at the centre
        of every uncertain lever and returns no ``draw`` dimension.
    seed : int, optional
        Seed of the ensemble; defaults to the scenario's ``seed``.
    region : Region, optional
        Base data; loaded from the scenario's region by default.

    Returns
    -------
    xarray.Dataset
        ``employment`` [persons] and ``gva`` [EUR million] by (``draw``,) ``district``,
        ``sector``, ``year``; ``employment_change`` and ``gva_change`` by ``driver`` as
        well, adding up exactly to the change against the base year; provenance in
        ``attrs``.
    """
    region = region or load_region(scenario.region)
    seed = scenario.seed if seed is None else int(seed)
    if draws is None or draws <= CHUNK:
        out = evaluate(scenario, region, Sampler(draws, seed))
    else:
        out = _evaluate_chunked(scenario, region, int(draws), seed)
    return _to_dataset(out, scenario, region, draws, seed)


@functools.cache
def keep_freed_memory() -> bool:
    """Let the C allocator keep freed blocks of up to 32 MiB for reuse (glibc; elsewhere nothing).

    A chunk of an ensemble allocates some 30 temporary arrays of a few MB. By default glibc
    returns such blocks to the operating system when they are freed (its mmap and trim
    thresholds adapt upwards from 128 kB), and the next chunk faults the same pages in again,
    a quarter of the kernel's time on a virtual machine. Fixed thresholds (``mallopt(3)``:
    32 MiB for mmap, the most glibc allows, and 256 MiB for trimming the heap) keep them in
    the heap; larger arrays, such as the results, are mapped as before. The process holds on
    to the freed blocks (up to 256 MiB at the top of each allocator arena): after 1000 draws of
    ``son`` 267 MB resident against 222 MB, with the same peak (608 MB). Called by
    :func:`evaluate` for draws (ensembles, the Dask blocks, the validation's national ensemble);
    acts once per process and returns whether the thresholds were set.
    """
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
        return bool(libc.mallopt(m_mmap_threshold, 32 << 20)) and bool(libc.mallopt(m_trim_threshold, 256 << 20))
    except (OSError, AttributeError):
        return False


CHUNK = 128
"""Draws evaluated together in an ensemble (:func:`run`): the arrays of a chunk stay in the
processor's cache, and the chunks of a block of :attr:`Sampler.BLOCK` draws share its streams."""

WORKERS: int | None = None
"""Threads that evaluate the chunks of an ensemble; ``None``: the machine's cores, at most 4."""


def allocate(scenario: Scenario, region: Region, draws: int) -> Direct:
    """Empty result arrays for ``draws`` draws of the scenario (what :func:`evaluate` writes into)."""
    years = np.arange(region.base_year, scenario.end_year + 1)
    names = registry.run_drivers()
    shape = (draws, len(region.district_codes), len(region.sector_codes), len(years))
    return Direct(years, np.empty(shape), np.empty(shape), np.empty((len(names), *shape)),
                  np.empty((len(names), *shape)),
                  np.empty((draws, shape[1], len(years), len(electrification.POWERTRAINS))), names)


def _chunk(out: Direct, a: int, b: int) -> Direct:
    """Draws ``a … b - 1`` of ``out`` (views)."""
    return Direct(out.years, out.employment[a:b], out.gva[a:b], out.employment_change[:, a:b],
                  out.gva_change[:, a:b], out.mix[a:b], out.drivers)


def _evaluate_chunked(scenario: Scenario, region: Region, draws: int, seed: int, out: Direct | None = None) -> Direct:
    """The ensemble chunk by chunk of :data:`CHUNK` draws, on the machine's cores (threads: NumPy
    releases the interpreter lock in its loops). A chunk's draws are the same as in one evaluation
    of all draws (:class:`Sampler`), so the result is too, bit for bit. ``out``: arrays of
    :func:`allocate` to write into (default: new ones)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    out = allocate(scenario, region, draws) if out is None else out
    data = inputs(scenario, region)
    starts = range(0, draws, CHUNK)

    def one(a: int) -> None:
        b = min(a + CHUNK, draws)
        evaluate(scenario, region, Sampler(b - a, seed, start=a), out=_chunk(out, a, b), data=data)

    workers = WORKERS or min(os.cpu_count() or 1, 4)
    if workers == 1:
        for a in starts:
            one(a)
        return out
    evaluate(scenario, region, Sampler(1, seed), data=data)  # fills the region's caches before the threads read them
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, starts))  # list(): raises a chunk's error here
    return out


def provenance(scenario: Scenario, region: Region, draws: int, seed: int) -> dict:
    """What every result file carries: scenario and its hash, data version, versions, seed, time."""
    return {
        "title": f"retra results: {scenario.title.en}",
        "scenario": scenario.name,
        "scenario_title_de": scenario.title.de,
        "scenario_hash": scenario.digest(),
        "region": region.id,
        "region_name": region.name,
        "base_year": region.base_year,
        "key_years": list(region.key_years or KEY_YEARS),
        "data_version": region.data_version(),
        "retra_version": __version__,
        "seed": int(seed),
        "draws": int(draws),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _to_dataset(out: Direct, scenario: Scenario, region: Region, draws: int | None, seed: int) -> xr.Dataset:
    dims = ("draw", "district", "sector", "year")
    sectors = region.national.sectors.set_index("sector")
    districts = region.districts.set_index("district")
    labs = region.labs.set_index("driver")
    coords = {
        "draw": np.arange(out.employment.shape[0]),
        "district": region.district_codes,
        "sector": region.sector_codes,
        "year": out.years,
        "driver": list(out.drivers),
        "powertrain": list(electrification.POWERTRAINS),
    }
    lab_names = labs.drop_duplicates("lab").set_index("lab")["label_de"]  # a registered driver joins its Lab
    ds = xr.Dataset(
        {
            "employment": (dims, out.employment, {"units": "persons", "long_name": "Beschäftigte (SvB, Arbeitsort)"}),
            "gva": (dims, out.gva, {"units": "EUR million", "long_name": "Bruttowertschöpfung"}),
            "employment_change": (("driver", *dims), out.employment_change,
                                  {"units": "persons", "long_name": "change of employment against the base year"}),
            "gva_change": (("driver", *dims), out.gva_change,
                           {"units": "EUR million", "long_name": "change of GVA against the base year"}),
            "powertrain_share": (("draw", "district", "year", "powertrain"), out.mix,
                                 {"units": "1", "long_name": "share of the powertrain in regional production"}),
        },
        coords=coords,
    )
    ds = ds.assign_coords(
        district_name=("district", [districts.loc[d, "name_short"] for d in region.district_codes]),
        sector_label=("sector", [sectors.loc[s, "label_de"] for s in region.sector_codes]),
        driver_lab=("driver", [labs.loc[k, "lab"] if k in labs.index else registry.spec(k).lab for k in out.drivers]),
        driver_lab_label=("driver", [labs.loc[k, "label_de"] if k in labs.index
                                     else lab_names.get(registry.spec(k).lab, registry.spec(k).label_de)
                                     for k in out.drivers]),
    )
    if draws is None:
        ds = ds.isel(draw=0, drop=True)
    ds.attrs.update(provenance(scenario, region, 0 if draws is None else int(draws), seed))
    for var in ("gva", "gva_change"):  # the unit of the files, in memory too (EUR_<base year> million)
        ds[var].attrs["units"] = money_unit(ds)
    ds.attrs.update({
        "decomposition": "LMDI-I for trend, electrification, volume (on the jobs no programme holds); projects, "
                         "infrastructure, indirect and induced additive (indirect: regional input-output model with "
                         "FLQ, driven by changes of output: volume, the output part of projects, infrastructure; "
                         "induced: wage bill net of replacement income, spent where the workers live); "
                         "GVA: employment change valued at GVA per employee of the year, plus productivity",
        "input_output": "off" if scenario.input_output is None else
                        f"scope={scenario.input_output.scope}, induced={scenario.input_output.induced}",
    })
    return ds

