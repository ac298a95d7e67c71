"""Baseline trend: Germany's level path, national sector shifts and district shifts (shift-share).

Employment of sector *s* in district *d* moves with three parts:

.. math::

    F_{ds}(\\tau) = \\underbrace{e^{L\\tau}}_{\\text{Germany}}
                  \\; \\underbrace{c(\\tau)\\, e^{\\sigma_s\\,\\epsilon(\\tau)}}_{\\text{sector in Germany}}
                  \\; \\underbrace{e^{\\operatorname{clip}(\\delta_{ds}\\,\\epsilon(\\tau),\\,\\pm\\ln B)}}_{\\text{district}},
    \\qquad \\epsilon(\\tau) = \\frac{1 - e^{-\\lambda\\tau}}{\\lambda}, \\ \\lambda = \\ln 2 / h

- the national level path :math:`L` [1/yr] is a lever (a published projection with its range)
  and is applied *without* fading;
- :math:`\\sigma_s` is the shift of the sector in Germany against all employment, and
  :math:`\\delta_{ds}` the shift of the sector in the district against the same sector in Germany,
  both estimated robustly (:func:`robust_shift`: the median of the year-on-year differences of
  log employment, which a one-off level step moves by one year's worth at most), shrunk towards
  zero (:data:`SHRINKAGE`, fitted on rolling backtests, and more for small cells,
  :func:`shrink`), faded with the half-life *h*, and bounded: no district shift moves a cell by
  more than the factor :data:`BOUND` either way;
- :math:`c(\\tau)` makes the sectors add up to the national path (top-down consistency, see
  :func:`national_sector_factors`); where a region covers Germany, the district shifts are
  normalised per sector and year so that their employment-weighted sum is zero
  (:func:`normalise`) and the districts add up to the national sector paths exactly.
"""

from __future__ import annotations

import numpy as np

SHRINKAGE = 0.5
"""Share of the fitted shifts carried into the forecast [1]: fitted on the rolling-origin backtests
of the 401 district totals 2015-2022 (``retra_model.backtest.calibrate``), where about half of a
district's growth against Germany persists; the grid and the MAPE by value are in
``data/national/forecast_errors.csv``'s provenance (``notebooks/05_validation.ipynb``)."""

SIZE_HALF = 5000.0
"""Cells of this many employees [persons] keep half of their (already shrunk) shift: a small or
estimated cell's growth rate is mostly noise (Bremen agriculture, nowcast cells)."""

BOUND = 2.0
"""Largest factor [1] by which a district shift may move a cell against its national sector path,
either way, by any year (so that with the national paths no cell grows more than 3× or falls below
0.3× without an explicit lever)."""

SECTOR_BOUND = 1.5
"""Largest factor [1] by which a national sector shift may move a sector against the national level."""


def robust_shift(history: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Median year-on-year log growth of ``history`` minus that of ``reference`` [1/yr].

    Parameters
    ----------
    history : numpy.ndarray
        Employment, shape ``(..., n_years)`` [persons], consecutive years.
    reference : numpy.ndarray
        Employment of the reference (Germany, the same sector in Germany), broadcastable to
        ``history`` [persons].

    Returns
    -------
    numpy.ndarray
        Shift, shape ``history.shape[:-1]`` [1/yr]; 0 where a year has no employment.

    Examples
    --------
    A level step of +20 % in one year does not become a trend of +5 %/yr:

    >>> robust_shift(np.array([100.0, 101, 121, 122, 123]), np.ones(5)).round(4)
    np.float64(0.0091)
    """
    history = np.asarray(history, dtype=float)
    reference = np.broadcast_to(np.asarray(reference, dtype=float), history.shape)
    ok = np.all(history > 0, axis=-1) & np.all(reference > 0, axis=-1)
    d = np.diff(np.log(np.where(history > 0, history, 1.0)), axis=-1) \
        - np.diff(np.log(np.where(reference > 0, reference, 1.0)), axis=-1)
    if d.shape[-1] == 0:
        return np.zeros(history.shape[:-1])
    return np.where(ok, np.median(d, axis=-1), 0.0)


def growth_rates(history: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Least-squares slope of log employment over the fit years [1/yr] (kept for comparison).

    Examples
    --------
    >>> growth_rates(np.array([100.0, 110.0, 121.0]), np.array([2018, 2019, 2020])).round(4)
    np.float64(0.0953)
    """
    history = np.asarray(history, dtype=float)
    ok = np.all(history > 0, axis=-1)
    logs = np.log(np.where(history > 0, history, 1.0))
    t = np.asarray(years, dtype=float)
    t = t - t.mean()
    slope = (logs * t).sum(axis=-1) / (t**2).sum()
    return np.where(ok, slope, 0.0)


def shrink(shift: np.ndarray, size: np.ndarray, k: float | None = None, size_half: float | None = None) -> np.ndarray:
    """Shrink shifts towards zero: ``k · shift · size / (size + size_half)`` [1/yr].

    Examples
    --------
    >>> shrink(np.array([0.1, 0.1]), np.array([5000.0, 1e9])).round(4)
    array([0.025, 0.05 ])
    """
    k = SHRINKAGE if k is None else k
    size_half = SIZE_HALF if size_half is None else size_half
    size = np.maximum(np.asarray(size, dtype=float), 0.0)
    return k * np.asarray(shift, dtype=float) * size / (size + size_half)


def effective_years(half_life: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Years of growth at the initial rate that a fading rate adds up to by ``tau`` [yr].

    ``(1 - exp(-λτ)) / λ`` with ``λ = ln 2 / half_life``; ``tau`` itself as the half-life grows.

    Examples
    --------
    >>> float(effective_years(np.array(10.0), np.array(10.0)).round(3))
    7.213
    """
    lam = np.log(2.0) / np.asarray(half_life, dtype=float)
    return -np.expm1(-lam * np.asarray(tau, dtype=float)) / lam


def bounded(log_shift: np.ndarray, bound: float = BOUND, inplace: bool = False) -> np.ndarray:
    """Clip a cumulative log shift to ``[-ln bound, ln bound]`` (``inplace=True``: into ``log_shift``)."""
    b = float(np.log(bound))
    return np.clip(log_shift, -b, b, out=log_shift if inplace else None)


def normalise(log_shift: np.ndarray, weights: np.ndarray, axis: int, inplace: bool = False) -> np.ndarray:
    """Subtract the log of the weighted mean factor along ``axis``, so that ``Σ w·exp(x) = Σ w``
    (``inplace=True``: into ``log_shift``).

    Examples
    --------
    >>> x = normalise(np.log(np.array([2.0, 0.5])), np.array([1.0, 3.0]), axis=0)
    >>> float((np.array([1.0, 3.0]) * np.exp(x)).sum().round(12))
    4.0
    """
    w = np.asarray(weights, dtype=float)
    total = w.sum(axis=axis, keepdims=True)
    weighted = np.exp(log_shift)
    weighted *= w
    mean = weighted.sum(axis=axis, keepdims=True) / np.where(total > 0, total, 1.0)
    if inplace:
        log_shift -= np.log(np.where(mean > 0, mean, 1.0))
        return log_shift
    return log_shift - np.log(np.where(mean > 0, mean, 1.0))


def national_sector_factors(n0: np.ndarray, log_sigma: np.ndarray, level: np.ndarray, tau: np.ndarray,
                            trended: np.ndarray) -> np.ndarray:
    """Factors of the national sectors such that Germany's total follows ``exp(level · tau)`` exactly.

    The sectors left to explicit drivers (``trended`` false) keep their base-year employment in the
    trend; the others share the rest of the national path in proportion to
    ``n0 · exp(log_sigma)``.

    Parameters
    ----------
    n0 : numpy.ndarray
        Germany's base-year employment by sector, shape ``(S,)`` [persons].
    log_sigma : numpy.ndarray
        Cumulative log shift of each sector, shape ``(n, 1, S, T)`` [1].
    level : numpy.ndarray
        National level growth, shape ``(n, 1, 1, 1)`` [1/yr].
    tau : numpy.ndarray
        Years since the base year, ``(T,)`` [yr].
    trended : numpy.ndarray of bool
        ``(S,)``.

    Returns
    -------
    numpy.ndarray
        ``(n, 1, S, T)`` [1]; 1 for the sectors not trended.

    Examples
    --------
    >>> f = national_sector_factors(np.array([60.0, 40.0]), np.zeros((1, 1, 2, 2)), np.full((1, 1, 1, 1), 0.1),
    ...                             np.array([0.0, 1.0]), np.array([True, False]))
    >>> bool(np.isclose((f[0, 0, :, 1] * [60, 40]).sum(), 100 * np.exp(0.1)))
    True
    """
    n0 = np.asarray(n0, dtype=float)
    on = np.asarray(trended, dtype=bool)
    target = n0.sum() * np.exp(level * tau) - n0[~on].sum()  # (n, 1, 1, T)
    e = np.where(on[None, None, :, None], np.exp(log_sigma), 0.0)
    denom = (n0[None, None, :, None] * e).sum(axis=2, keepdims=True)
    f = e * target / np.where(denom > 0, denom, 1.0)
    return np.where(on[None, None, :, None], f, 1.0)


def factor(rate: np.ndarray, half_life: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Employment relative to the base year under a fading growth rate [1]; 1 at ``tau = 0``."""
    return np.exp(np.asarray(rate, dtype=float) * effective_years(half_life, tau))


def error_quantile(table, horizon: np.ndarray, u: np.ndarray, size_class: np.ndarray) -> np.ndarray:
    """Log forecast error at probability ``u`` from the empirical error model [1].

    Parameters
    ----------
    table : pandas.DataFrame or tuple
        ``forecast_errors.csv``: ``horizon``, ``size_class``, ``quantile``, ``log_error``; or
        its :func:`error_grid`.
    horizon : numpy.ndarray
        Years ahead ``(T,)`` [yr]; beyond the largest horizon of the table the error grows with
        the square root of the horizon (a random walk), at 0 it is 0.
    u : numpy.ndarray
        Probabilities, ``(n, D)``.
    size_class : numpy.ndarray of str
        ``(D,)``.

    Returns
    -------
    numpy.ndarray
        ``(n, D, T)`` [1].
    """
    horizon = np.asarray(horizon, dtype=float)
    out = np.zeros((u.shape[0], u.shape[1], horizon.size))
    hmax, grid = table if isinstance(table, tuple) else error_grid(table)
    for cls in np.unique(size_class):
        cols = np.flatnonzero(size_class == cls)
        by_horizon = grid.get(cls, grid.get("all", {}))
        curves: dict[int, np.ndarray] = {}  # one interpolation per horizon of the table (beyond hmax: scaled)
        for j, h in enumerate(horizon):
            if h <= 0:
                continue
            hh = min(int(round(h)), hmax)
            if hh not in curves:
                quantiles, errors = by_horizon.get(hh, (np.empty(0), np.empty(0)))
                curves[hh] = np.interp(u[:, cols], quantiles, errors)
            out[:, cols, j] = curves[hh] * (np.sqrt(h / hmax) if h > hmax else 1.0)
    return out


def error_grid(table) -> tuple[int, dict]:
    """``forecast_errors.csv`` as arrays: the largest horizon, and per size class and horizon the
    quantiles (sorted) and their log errors (what :func:`error_quantile` interpolates)."""
    grid: dict = {}
    for (cls, h), q in table.sort_values("quantile", kind="stable").groupby(["size_class", "horizon"], sort=False):
        grid.setdefault(str(cls), {})[int(h)] = (q["quantile"].to_numpy(float), q["log_error"].to_numpy(float))
    return int(table["horizon"].max()), grid


SIZE_CLASSES = ((0.0, 60_000.0, "small"), (60_000.0, 150_000.0, "medium"), (150_000.0, np.inf, "large"))
"""District size classes by SvB at the workplace in the origin year [persons]: errors of small
districts are larger (their shares of a few plants move them)."""


def size_class(total: np.ndarray) -> np.ndarray:
    """The size class of each district (:data:`SIZE_CLASSES`) from its SvB [persons].

    Examples
    --------
    >>> size_class(np.array([20_000.0, 100_000.0, 500_000.0])).tolist()
    ['small', 'medium', 'large']
    """
    total = np.asarray(total, dtype=float)
    out = np.full(total.shape, "large", dtype=object)
    for lo, hi, name in SIZE_CLASSES:
        out[(total >= lo) & (total < hi)] = name
    return out.astype(str)


# ---------------------------------------------------------------------------------------
# The driver: its fit on the data (inputs), and its factor (effect)


def fit(scenario, region) -> dict:
    """Shifts of the trend, fitted once per scenario and region (no draws involved).

    Returns the district shifts δ (D, S) against the same sector in Germany and the national
    sector shifts σ (S,) against all of Germany, both robust (median of year-on-year log
    differences over ``fit_years``) and shrunk (:func:`shrink`), with the national base-year
    employment by sector and whether the region covers Germany.
    """
    first, last = scenario.trend.fit_years  # the only lever of the fit: fitted once per region and years
    return region.derived(("trend.fit", int(first), int(last)), lambda: _fit(region, int(first), int(last)))


def _fit(region, first: int, last: int) -> dict:
    hist = region.employment["value"].sel(year=slice(first, last)).transpose("district", "sector", "year")
    years = hist["year"].values
    local = hist.values.astype(float)
    nat = region.national.sector_employment()
    if nat is not None and set(years) <= set(nat.columns) and region.base_year in nat.columns:
        nat_hist = nat[list(years)].to_numpy(float)  # (S, Y)
        n0 = nat[region.base_year].to_numpy(float)
    else:  # no national sector table for these years (a region of made-up numbers): the region is its own reference
        nat_hist = local.sum(axis=0)
        n0 = region.base_values().sum(axis=0).astype(float)
    base = region.base_values().astype(float)
    delta = shrink(robust_shift(local, nat_hist[None]), base)
    sigma = shrink(robust_shift(nat_hist, nat_hist.sum(axis=0)[None]), n0, size_half=0.0)
    covers = bool(np.all(np.abs(base.sum(axis=0) - n0) <= 1e-3 * np.maximum(n0, 1.0)))
    return {"delta": delta, "sigma": sigma, "n0": n0, "covers_germany": covers, "base": base}


def inputs(scenario, region) -> dict:
    """The trend's fit on the whole region (a district chunk is fitted and normalised on its parent)."""
    whole = region.parent or region
    dist = whole.district_codes
    return {"config": scenario.trend, "fit": fit(scenario, whole), "districts": dist,
            "sectors": region.sector_codes, "errors": _errors(region),
            "chunk": None if whole is region else [dist.index(d) for d in region.district_codes]}


def _errors(region) -> tuple[int, dict] | None:
    """The national error model of the trend as arrays (:func:`error_grid`), once per region."""
    table = region.national.tables.get("forecast_errors")
    return None if table is None else region.derived(("trend.error_grid",), lambda: error_grid(table))


def _col(x: np.ndarray) -> np.ndarray:
    """(n,) → (n, 1, 1, 1)."""
    return np.asarray(x, dtype=float).reshape(-1, 1, 1, 1)


def effect(inputs: dict, sampler, tau: np.ndarray) -> np.ndarray:
    """The trend factor (n, D, S, T) [1]: Germany's level path (no fading) × national sector
    shifts × bounded district shifts, with their uncertainty in an ensemble."""
    tr, fit_, dist = inputs["config"], inputs["fit"], inputs["districts"]
    trended = ~np.isin(inputs["sectors"], tr.exclude_sectors)
    level = _col(sampler(tr.level_growth, "trend.level_growth"))
    eff = effective_years(_col(sampler(tr.half_life, "trend.half_life")), tau)  # (n, 1, 1, T)
    log_sigma = bounded(fit_["sigma"][None, None, :, None] * eff, SECTOR_BOUND)
    f_nat = national_sector_factors(fit_["n0"], log_sigma, level, tau, trended)  # (n, 1, S, T)
    # (n, D, S, T), the largest array of the driver: computed in place from here on
    log_delta = bounded(fit_["delta"][None, :, :, None] * eff, inplace=True)
    if fit_["covers_germany"]:
        log_delta = normalise(log_delta, fit_["base"][None, :, :, None], axis=1, inplace=True)
    if not sampler.deterministic:
        if tr.shift_sd is not None:
            # each district's growth against Germany is itself uncertain: one normal draw per district
            from scipy.stats import norm

            z = np.stack([norm.ppf(sampler.uniforms(f"trend.shift.{d}")) for d in dist], axis=-1)  # (n, D)
            log_delta += _col(sampler(tr.shift_sd, "trend.shift_sd")) * z[:, :, None, None] * eff
        errors = inputs["errors"]
        if errors is not None:
            # the model's own errors in the rolling backtests, one quantile per district and draw
            u = np.stack([sampler.uniforms(f"trend.error.{d}") for d in dist], axis=-1)  # (n, D)
            cls = size_class(fit_["base"].sum(axis=1))
            log_delta += error_quantile(errors, tau, u, cls)[:, :, None, :]
    f = np.exp(log_delta, out=log_delta)
    f *= f_nat
    if inputs["chunk"] is not None:
        f = f[:, inputs["chunk"]]
    f[:, :, ~trended, :] = 1.0
    return f
