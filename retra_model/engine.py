"""Compose the drivers into employment and value added, with an exact decomposition.

Direct employment in district *d*, sector *s*, year *t* is

.. math::  E = E_0 \\, F_\\text{trend} \\, F_\\text{electrification} \\, F_\\text{volume} + P,

the base-year employment times one factor per multiplicative driver, plus the jobs of the
dated projects *P*. The change :math:`E_m - E_0` of the multiplicative part is split among
its drivers by the logarithmic mean Divisia index (LMDI-I),

.. math::  \\Delta E_k = L(E_m, E_0) \\ln F_k, \\qquad L(a, b) = \\frac{a - b}{\\ln a - \\ln b},

which adds up to the total change exactly, has no residual and does not depend on the
order of the drivers (Ang 2005). Value added follows employment (:mod:`.drivers.gva`).

Every evaluation is vectorised over a leading ``draw`` axis: a deterministic run is the
ensemble of one draw, taken at the centre of every uncertain lever.

References
----------
Ang, B. W. (2005). The LMDI approach to decomposition analysis: a practical guide.
Energy Policy 33(7), 867–871. https://doi.org/10.1016/j.enpol.2003.10.010
"""

from __future__ import annotations

import datetime as _dt
import zlib
from dataclasses import dataclass

import numpy as np
import xarray as xr

from . import __version__
from .drivers import electrification, gva, infrastructure, input_output, projects, trend, volume
from .errors import Problem, ScenarioError
from .regions import Region, load_region
from .results import money_unit
from .scenario import Distribution, Scenario, value_of

DRIVERS = ("trend", "electrification", "volume", "productivity", "projects", "infrastructure", "indirect", "induced",
           "gva_productivity")
"""The drivers of a direct run, in the order of the decomposition."""


# ---------------------------------------------------------------------------------------
# Levers → arrays over draws


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
        blocks = [np.random.default_rng([self.seed, tag, b]).random(self.BLOCK) for b in range(first, last + 1)]
        offset = self.start - first * self.BLOCK
        return np.concatenate(blocks)[offset:offset + self.n]

    def __call__(self, lever: float | Distribution, key: str) -> np.ndarray:
        """The values of a lever for each draw, shape ``(n,)`` [the lever's unit]."""
        if not isinstance(lever, Distribution):
            return np.full(self.n, float(lever))
        if lever.distribution == "posterior":
            from .uncertainty.draws import posterior_draws  # cached netCDF, never a sampler

            # one stream per posterior, so that its variables are drawn jointly
            return posterior_draws(lever.name, self.uniforms(f"posterior:{lever.name.split('.')[0]}"),
                                   central=self.deterministic)
        if self.deterministic:
            return np.full(1, lever.central())
        u = self.uniforms(key)
        if lever.distribution == "uniform":
            return lever.low + u * (lever.high - lever.low)
        if lever.distribution == "triangular":
            return _triangular_ppf(u, lever.low, lever.mode, lever.high)
        from scipy.stats import truncnorm  # normal, truncated to [low, high] where given

        lo = -np.inf if lever.low is None else (lever.low - lever.mean) / lever.sd
        hi = np.inf if lever.high is None else (lever.high - lever.mean) / lever.sd
        return truncnorm.ppf(u, lo, hi, loc=lever.mean, scale=lever.sd)


def _triangular_ppf(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Inverse CDF of triangular distributions; ``u`` broadcasts against the cells."""
    span = np.where(high > low, high - low, 1.0)
    c = np.where(high > low, (mode - low) / span, 0.5)
    left = low + np.sqrt(u * span * (mode - low))
    right = high - np.sqrt((1 - u) * span * (high - mode))
    out = np.where(u < c, left, right)
    return np.where(high > low, out, mode)


def _col(x: np.ndarray) -> np.ndarray:
    """(n,) → (n, 1, 1, 1)."""
    return np.asarray(x, dtype=float).reshape(-1, 1, 1, 1)


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
    np.divide(ratio, s, out=ratio, where=~small)
    ratio[small] = 1.0
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


def evaluate(scenario: Scenario, region: Region, sampler: Sampler) -> Direct:
    """Evaluate the direct drivers for every draw at once (pure, no I/O)."""
    base = region.base_year
    years = np.arange(base, scenario.end_year + 1)
    tau = (years - base).astype(float)
    dist = region.district_codes
    sect = region.sector_codes
    e0 = region.base().transpose("district", "sector").values[None, :, :, None]  # (1, D, S, 1)

    # 1. trend: Germany's level path (no fading) × national sector shifts × bounded district shifts
    f_trend = _trend_factors(scenario, region, sampler, tau)

    # 2. electrification
    el = scenario.electrification
    def curve(name: str, fields: tuple[str, ...]) -> tuple[np.ndarray, ...]:
        section = getattr(el, name)
        return tuple(_col(sampler(getattr(section, f), f"electrification.{name}.{f}"))[..., 0] for f in fields)

    bev = curve("bev", ("midpoint_year", "steepness", "ceiling"))
    phev = curve("phev", ("peak_share", "peak_year", "width"))
    fcev = curve("fcev", ("midpoint_year", "steepness", "ceiling"))
    li = el.labour_intensity
    intensity = np.stack([np.ones(sampler.n)] + [sampler(getattr(li, p), f"electrification.labour_intensity.{p}")
                          for p in ("phev", "bev", "fcev")], axis=-1)
    lead = np.array([el.district_lead.get(d, 0.0) for d in dist])
    t_eff = years[None, None, :] + lead[None, :, None]  # (1, D, T); params are (n, 1, 1)
    shares = electrification.mix(t_eff, bev, phev, fcev)  # (n, D, T, 4)
    index = electrification.labour_index(shares, intensity[:, None, None, :])  # (n, D, T)
    u = sampler.uniforms("data.exposure")[:, None, None]  # one quantile of every range per draw
    exp = region.exposure
    x = _triangular_ppf(u, exp["low"].values[None], exp["value"].values[None], exp["high"].values[None])
    f_elec = electrification.factor(x[..., None], index[:, :, None, :], index[:, :, None, :1])

    # 3. volume and productivity
    vo = scenario.volume
    points = {y: sampler(v, f"volume.output_index.{y}") for y, v in vo.output_index.items()}
    vindex = volume.output_index(years, points, base)  # (n, T)
    mask = np.isin(sect, vo.sectors)[None, None, :, None]
    f_vol = volume.factor(vindex[:, None, None, :], mask)
    g_prod = _col(sampler(vo.productivity_growth, "volume.productivity_growth"))
    f_prod = volume.productivity_factor(g_prod, tau, mask)

    # A factor of exactly 0 (output index 0, all powertrain labour gone) has no logarithm: LMDI
    # replaces zeros by a tiny positive number, which changes results by less than 1e-6 persons
    # (Ang & Liu 2007, Energy Policy 35(1), 238-246, doi:10.1016/j.enpol.2005.11.001).
    factors = {"trend": f_trend, "electrification": f_elec, "volume": f_vol, "productivity": f_prod}

    # GVA per employee over time [EUR thousand per job]
    q0_full = region.gva_per_employee["value"].transpose("district", "sector").values[None, :, :, None]
    g = scenario.gva
    # Rents (actual and imputed, the surplus of real estate in business services) follow the dwellings,
    # not the jobs: job changes are valued without them, and they stay at their base-year level.
    io, _ = _io_model(region)
    rent = io.rent_share[None, None, :, None] * _col(sampler(g.rents_removed, "gva.rents_removed"))
    q0 = q0_full * (1.0 - rent)
    growth = np.stack([sampler(g.by_sector[s], f"gva.by_sector.{s}") if s in g.by_sector
                       else sampler(g.productivity_growth, "gva.productivity_growth") for s in sect], axis=-1)
    q = gva.per_employee_path(q0, growth[:, None, :, None], tau)  # (n, D, S, T)
    q = q / f_prod  # in the volume sectors GVA per employee also grows with their labour productivity
    shape = np.broadcast_shapes(e0.shape, *(f.shape for f in factors.values()), q.shape)

    # The change by driver is written in place into two preallocated arrays (no copies).
    emp_ch = np.empty((len(DRIVERS), *shape))
    gva_ch = np.empty((len(DRIVERS), *shape))
    ch = dict(zip(DRIVERS, emp_ch, strict=True))
    gch = dict(zip(DRIVERS, gva_ch, strict=True))
    log_total = np.zeros(shape)
    for k, f in factors.items():
        ch[k][...] = np.log(np.maximum(f, ZERO))
        log_total += ch[k]
    # A programme with a head count replaces the drivers for the jobs of the plants it names:
    # they leave the multiplicative part, and the programme's ramp is their whole path.
    held = _held(scenario, region, sampler, e0)  # (n, D, S, 1)
    e0m = e0 - held
    weight = lmdi_weights(e0m, log_total)
    em = e0m + weight * log_total  # = (e0 - held) · Π factors
    for k in factors:
        ch[k] *= weight
        np.multiply(ch[k], q, out=gch[k])
        gch[k] /= 1000.0  # persons × EUR thousand → EUR million

    # 4. projects
    ch["projects"][...] = 0.0
    gch["projects"][...] = 0.0
    output_gva = np.zeros(shape)  # the part of the projects' GVA change that is output (→ IO model)
    held_ramp, held_end = {}, {}  # ramps of the programmes that hold plants, and their last year, per cell
    for pid, pr in scenario.projects.items():
        if not pr.enabled:
            continue
        d, s = dist.index(pr.district), sect.index(pr.sector)
        jobs = projects.ramp(years, {y: sampler(v, f"projects.{pid}.jobs.{y}") for y, v in pr.jobs.items()})
        ch["projects"][:, d, s, :] += jobs
        if pr.head_count is not None:
            held_ramp[d, s] = held_ramp.get((d, s), 0.0) + jobs
            held_end[d, s] = max(held_end.get((d, s), base), max(pr.jobs))
        if pr.gva_per_job is None:
            g_p = jobs * q[:, d, s, :] / 1000.0
        else:
            qp = _col(sampler(pr.gva_per_job, f"projects.{pid}.gva_per_job"))[:, 0, 0, :] * (1.0 + growth[:, s, None]) ** tau
            g_p = jobs * qp / 1000.0
        gch["projects"][:, d, s, :] += g_p
        output_gva[:, d, s, :] += g_p * sampler(pr.output_share, f"projects.{pid}.output_share")[:, None]
    employment = em + held + ch["projects"]
    _resume_after_programmes(held, held_ramp, held_end, factors, years, q, ch, gch, employment)
    if not sampler.deterministic and (employment < -1e-9).any():
        # In the tails of an ensemble a job-reduction programme can meet a sector that the other
        # drivers have already shrunk: it cannot cut jobs that are gone, so its cut is capped there.
        short = np.minimum(employment, 0.0)
        ch["projects"] -= short
        gch["projects"] -= short * q / 1000.0
        output_gva -= short * q / 1000.0
        employment -= short
    if (employment < -1e-9).any():
        n, d, s, t = np.argwhere(employment < -1e-9)[0]
        culprits = [pid for pid, pr in scenario.projects.items()
                    if pr.enabled and pr.district == dist[d] and pr.sector == sect[s]]
        where = f"projects.{culprits[0]}" if culprits else "projects"
        raise ScenarioError([Problem(str(scenario.file or scenario.name), where, None,
                                     f"in {years[t]} the projects take {-ch['projects'][n, d, s, t]:,.0f} jobs from "
                                     f"{sect[s]} in {dist[d]}, which then has only {em[n, d, s, t]:,.0f}: "
                                     "employment would fall below zero")])

    # 5. productivity of value added on base-year jobs
    ch["gva_productivity"][...] = 0.0
    np.subtract(q, q0, out=gch["gva_productivity"])
    gch["gva_productivity"] *= e0 / 1000.0

    # 6. infrastructure: regional demand of the build-out → direct output, jobs, GVA
    v = io.gva_per_output[None, None, :, None] * (1.0 - rent)  # GVA per output without rents [1]
    e = input_output.jobs_per_output(v, q)  # jobs per EUR million of output, (n, D, S, T)
    demand, hours_jobs = _infrastructure(scenario, region, sampler, years, shape)
    if demand.any() or hours_jobs.any():
        ch["infrastructure"][...] = demand * e + hours_jobs
        gch["infrastructure"][...] = demand * v + hours_jobs * q / 1000.0
    else:
        ch["infrastructure"][...] = 0.0
        gch["infrastructure"][...] = 0.0

    # 7. indirect: changes of output (not of labour per unit) as final demand through the IO model;
    #    induced: the wage bill net of replacement income, spent where the workers live
    #    A car plant's output change reaches the region's vehicle makers (parts) through the IO model
    #    only where no driver already moves them: volume scales the whole sector, programmes name the
    #    group's own component plants, exposure cuts the powertrain plants. So the own rows of the
    #    volume sectors are removed for all demand *in* those sectors (no supplier loss twice).
    in_vol = np.isin(sect, vo.sectors)[None, None, :, None]
    demand = {"volume": gch["volume"] + np.where(in_vol, output_gva, 0.0),
              "other": np.where(in_vol, 0.0, output_gva) + gch["infrastructure"]}
    wages = sum(gch[k] for k in PAID)
    indirect, induced = _io_effects(scenario, region, sampler, demand, wages, v, np.isin(sect, vo.sectors), shape)
    np.multiply(indirect, e, out=ch["indirect"])
    np.multiply(induced, e, out=ch["induced"])
    np.multiply(indirect, v, out=gch["indirect"])
    np.multiply(induced, v, out=gch["induced"])

    employment += ch["infrastructure"]
    _cap_io_losses(employment, ch, gch)
    employment += ch["indirect"]
    employment += ch["induced"]
    gva_total = gva_ch.sum(axis=0)
    gva_total += e0 * q0_full / 1000.0
    return Direct(years, employment, gva_total, emp_ch, gva_ch, shares)


def _trend_fit(scenario: Scenario, region: Region) -> dict:
    """Shifts of the trend, fitted once per scenario and region (no draws involved).

    Returns the district shifts δ (D, S) against the same sector in Germany and the national
    sector shifts σ (S,) against all of Germany, both robust (median of year-on-year log
    differences over ``fit_years``) and shrunk (:func:`retra_model.drivers.trend.shrink`), with
    the national base-year employment by sector and whether the region covers Germany.
    """
    tr = scenario.trend
    sect = region.sector_codes
    first, last = tr.fit_years
    hist = region.employment["value"].sel(year=slice(first, last)).transpose("district", "sector", "year")
    years = hist["year"].values
    local = hist.values.astype(float)
    nat = region.national.sector_employment()
    if nat is not None and set(years) <= set(nat.columns) and region.base_year in nat.columns:
        nat_hist = nat[list(years)].to_numpy(float)  # (S, Y)
        n0 = nat[region.base_year].to_numpy(float)
    else:  # no national sector table for these years (a region of made-up numbers): the region is its own reference
        nat_hist = local.sum(axis=0)
        n0 = region.base().transpose("district", "sector").values.sum(axis=0).astype(float)
    base = region.base().transpose("district", "sector").values.astype(float)
    delta = trend.shrink(trend.robust_shift(local, nat_hist[None]), base)
    sigma = trend.shrink(trend.robust_shift(nat_hist, nat_hist.sum(axis=0)[None]), n0, size_half=0.0)
    covers = bool(np.all(np.abs(base.sum(axis=0) - n0) <= 1e-3 * np.maximum(n0, 1.0)))
    return {"delta": delta, "sigma": sigma, "n0": n0, "covers_germany": covers, "base": base}


def _trend_factors(scenario: Scenario, region: Region, sampler: Sampler, tau: np.ndarray) -> np.ndarray:
    """The trend factor (n, D, S, T) [1] (:mod:`retra_model.drivers.trend`)."""
    tr = scenario.trend
    sect = region.sector_codes
    whole = region.parent or region  # a district chunk: fit and normalise on the whole region
    dist = whole.district_codes
    fit = _trend_fit(scenario, whole)
    trended = ~np.isin(sect, tr.exclude_sectors)
    level = _col(sampler(tr.level_growth, "trend.level_growth"))
    eff = trend.effective_years(_col(sampler(tr.half_life, "trend.half_life")), tau)  # (n, 1, 1, T)
    log_sigma = trend.bounded(fit["sigma"][None, None, :, None] * eff, trend.SECTOR_BOUND)
    f_nat = trend.national_sector_factors(fit["n0"], log_sigma, level, tau, trended)  # (n, 1, S, T)
    log_delta = trend.bounded(fit["delta"][None, :, :, None] * eff)  # (n, D, S, T)
    if fit["covers_germany"]:
        log_delta = trend.normalise(log_delta, fit["base"][None, :, :, None], axis=1)
    if not sampler.deterministic:
        if tr.shift_sd is not None:
            # each district's growth against Germany is itself uncertain: one normal draw per district
            from scipy.stats import norm

            z = np.stack([norm.ppf(sampler.uniforms(f"trend.shift.{d}")) for d in dist], axis=-1)  # (n, D)
            log_delta = log_delta + _col(sampler(tr.shift_sd, "trend.shift_sd")) * z[:, :, None, None] * eff
        errors = region.national.tables.get("forecast_errors")
        if errors is not None:
            # the model's own errors in the rolling backtests, one quantile per district and draw
            u = np.stack([sampler.uniforms(f"trend.error.{d}") for d in dist], axis=-1)  # (n, D)
            cls = trend.size_class(fit["base"].sum(axis=1))
            log_delta = log_delta + trend.error_quantile(errors, tau, u, cls)[:, :, None, :]
    f = f_nat * np.exp(log_delta)
    if whole is not region:
        f = f[:, [dist.index(d) for d in region.district_codes]]
    return np.where(trended[None, None, :, None], f, 1.0)


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
    loss = change["indirect"] + change["induced"]
    after = before + loss
    if after.min() >= 0:
        return
    over = (after < 0) & (loss < 0)
    scale = np.where(over, np.clip(before, 0, None) / np.where(over, -loss, 1.0), 1.0)
    for k in ("indirect", "induced"):
        change[k] *= scale
        gva_change[k] *= scale


PROPAGATED = ("volume", "projects", "infrastructure")
"""Drivers whose change of output propagates through the input-output model (projects: their
``output_share``). Not the trend: it is observed total employment, suppliers and services
included; not productivity and electrification: they change labour per vehicle at constant
output, i.e. the input mix, not final demand."""

PAID = ("electrification", "volume", "projects", "infrastructure")
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


def _held(scenario: Scenario, region: Region, sampler: Sampler, e0: np.ndarray) -> np.ndarray:
    """Jobs held by programmes with a head count, ``(n, D, S, 1)`` [persons] (0 elsewhere).

    Capped at the cell's base-year jobs: where the estimate of a district's sector is below
    the plants' stated head count, the programme holds the whole cell.
    """
    dist, sect = region.district_codes, region.sector_codes
    held = np.zeros((sampler.n, len(dist), len(sect), 1))
    for pid, pr in scenario.projects.items():
        if pr.enabled and pr.head_count is not None:
            held[:, dist.index(pr.district), sect.index(pr.sector), 0] += sampler(pr.head_count,
                                                                                  f"projects.{pid}.head_count")
    # the cells are estimates: a plant's stated head count above its cell holds the whole cell
    np.minimum(held, e0, out=held)
    return held


_IO_CACHE: dict = {}


def _io_model(region: Region) -> tuple[input_output.IOTable, np.ndarray]:
    """The national IO table at the model's sectors and SvB in Germany by sector in the base year.

    Cached per national data folder and base year (the national package is read once per
    process too, :func:`~retra_model.regions.load_national`).
    """
    nat = region.national
    key = (str(nat.folder), region.base_year, tuple(nat.sector_codes))
    if key not in _IO_CACHE:
        io = input_output.aggregate(nat.io_flows, nat.io_products, nat.cpa_sector, nat.sector_codes)
        _IO_CACHE[key] = (io, input_output.national_employment(io, nat.employment, region.base_year, nat.sector_wz))
    return _IO_CACHE[key]


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

    def output(g):
        return np.divide(g, v, out=np.zeros(shape), where=v > 0)  # output = GVA / (GVA per output)

    delta = sampler(cfg.flq_delta, "input_output.flq_delta")
    share = None if cfg.consumption_share is None else sampler(cfg.consumption_share, "input_output.consumption_share")
    if share is not None and np.all(delta == delta[0]) and np.all(share == share[0]):
        delta, share = delta[:1], share[:1]
    elif share is None:
        delta = _uniform(delta)
    base = region.base().transpose("district", "sector").values
    if cfg.scope == "region":
        inv = input_output.regional_inverses(io, base.sum(axis=0, keepdims=True), national, delta, share, cfg.induced)
        alloc = input_output.allocation_shares(base)
    else:
        inv = input_output.regional_inverses(io, base, national, delta, share, cfg.induced)
        alloc = None
    indirect, _ = input_output.effects(input_output.Inverses(inv.type1, None), output(demand_gva["volume"]), alloc,
                                       own=volume_sectors)
    other, _ = input_output.effects(input_output.Inverses(inv.type1, None), output(demand_gva["other"]), alloc)
    indirect += other
    if not cfg.induced:
        return indirect, np.zeros(shape)
    rate = sampler(cfg.replacement_rate, "input_output.replacement_rate")
    income = input_output.wage_income(output(wage_gva) + indirect, io.compensation_per_output, rate)
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
    from .drivers.labour import commuting_shares

    dist = region.district_codes
    flows, tot = region.tables.get("commuting_flows"), region.tables.get("commuting_totals")
    if flows is None or tot is None:
        return np.vstack([np.eye(len(dist)), np.zeros((1, len(dist)))])
    year = int(tot["year"].max())
    tot = tot.loc[tot["year"] == year].set_index("district").reindex(dist)
    f = np.zeros((len(dist), len(dist)))
    sub = flows.loc[(flows["year"] == year) & flows["residence"].isin(dist) & flows["workplace"].isin(dist)]
    for row in sub.itertuples():
        f[dist.index(row.residence), dist.index(row.workplace)] += row.persons
    stayers = (tot["residents_employed"] - tot["out_commuters"]).to_numpy(dtype=float)
    workers = (tot["residents_employed"] - tot["out_commuters"] + tot["in_commuters"]).to_numpy(dtype=float)
    return commuting_shares(f, stayers, workers)


def _infrastructure(scenario: Scenario, region: Region, sampler: Sampler, years: np.ndarray,
                    shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Regional final demand of the build-out [EUR million] and jobs of on-demand service hours [persons]."""
    demand = np.zeros(shape)
    jobs = np.zeros(shape)
    cfg = scenario.infrastructure
    if cfg is None:
        return demand, jobs
    dist, sect = region.district_codes, region.sector_codes
    nat = region.national
    items = nat.tables["infrastructure_items"].set_index("item")
    costs = nat.tables["infrastructure_costs"].set_index("parameter")
    where = str(scenario.file or scenario.name)
    problems = []

    def data_cost(item: str, kind: str) -> float | None:
        par = items.loc[item, f"{kind}_parameter"]
        if not isinstance(par, str) or par not in costs.index or np.isnan(costs.loc[par, "value"]):
            return None
        return float(costs.loc[par, "value"]) / float(items.loc[item, f"{kind}_divisor"]) / 1e6  # EUR → EUR million

    for name, it in cfg.items.items():
        if not any(any(value_of(x) != 0 for x in path.values()) for path in it.build_out.values()):
            continue
        key = f"infrastructure.items.{name}"
        if it.capex is not None:
            capex = sampler(it.capex, f"{key}.capex") / 1e6
        elif (c := data_cost(name, "capex")) is not None:
            capex = np.full(sampler.n, c)
        else:
            problems.append(Problem(where, f"{key}.capex", None,
                                    f"the data have no usable cost for {name} ({items.loc[name, 'note']}); "
                                    "give capex per unit with its source, e.g. capex: '250000 EUR'"))
            continue
        om = sampler(it.om, f"{key}.om") / 1e6 if it.om is not None else np.full(sampler.n, data_cost(name, "om") or 0.0)
        if np.any(om != 0) and it.om_sector is None:
            problems.append(Problem(where, f"{key}.om_sector", None,
                                    f"the data give O&M costs for {name}; say which sector is paid for them "
                                    "(om_sector: other_manufacturing for repair of electrical equipment, WZ 33)"))
            continue
        onehot = np.array([1.0 if s == it.om_sector else 0.0 for s in sect])
        split = np.stack([sampler(it.split[s], f"{key}.split.{s}") if s in it.split else np.zeros(sampler.n)
                          for s in sect], axis=-1)
        share = sampler(it.regional_share, f"{key}.regional_share")
        for d, path in it.build_out.items():
            stock = infrastructure.cumulative(years, {y: sampler(x, f"{key}.build_out.{d}.{y}") for y, x in path.items()},
                                              region.base_year)
            inv, op = infrastructure.spending(stock, capex, om)
            demand[:, dist.index(d)] += infrastructure.regional_demand(inv, op, split, onehot, share)
    if problems:
        raise ScenarioError(problems)
    od = cfg.ondemand
    if od is not None and od.hours_per_job is not None:
        per_job = sampler(od.hours_per_job, "infrastructure.ondemand.hours_per_job")
        s = sect.index("trade_transport")
        for d, path in od.service_hours.items():
            hours = infrastructure.cumulative(
                years, {y: sampler(x, f"infrastructure.ondemand.service_hours.{d}.{y}") for y, x in path.items()},
                region.base_year)
            jobs[:, dist.index(d), s, :] += infrastructure.service_jobs(hours, per_job)
    return demand, jobs


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
    sampler = Sampler(draws, seed)
    out = evaluate(scenario, region, sampler)
    return _to_dataset(out, scenario, region, draws, seed)


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
        "driver": list(DRIVERS),
        "powertrain": list(electrification.POWERTRAINS),
    }
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
        driver_lab=("driver", [labs.loc[k, "lab"] if k in labs.index else "context" for k in DRIVERS]),
        driver_lab_label=("driver", [labs.loc[k, "label_de"] if k in labs.index else k for k in DRIVERS]),
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

