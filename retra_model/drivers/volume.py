"""Vehicle output and labour productivity in vehicle production: two factors.

Jobs in the sectors the scenario names (vehicle making by default) follow output divided by
labour productivity, written as two drivers so that each can be seen on its own:

.. math::  F_\\text{volume}(t) = V(t), \\qquad F_\\text{productivity}(t) = (1 + g)^{-(t - t_0)}

with :math:`V` the output index (1 in the base year, linear between the years the
scenario gives, held after the last) and :math:`g` the growth of output per employee.
Productivity removes jobs but not output: its job losses do not propagate to suppliers,
and value added per employee in these sectors grows with it (see the engine).

One path for vehicle making
    Volume, productivity and electrification act on the same jobs. So that no loss is counted
    twice, the productivity lever is calibrated *jointly* with the other two
    (:func:`calibrate_national`): given the observed car production and the observed BEV and
    PHEV shares of production in Germany, the growth of output per employee *g* and the
    short-run elasticity of employment to output are those that make

    .. math::  E(t)/E(2019) = V(t)^{\\beta}\\, F_\\text{el}(t)\\, (1 + g)^{-(t - 2019)}

    reproduce the employment of WZ 29 in 2019-2024 (``data/national/automotive_germany.csv``).
    β is small (about 0.1): the output falls of 2020-2022 (Covid, chips) were absorbed by
    short-time work, not by dismissals. Scenario output paths are structural (capacity), so
    the engine applies them with elasticity 1; the short-run β only explains the history.
    *g* then holds neither the fall of output nor electrification — unlike the
    1.3 %/yr of Prognos (2024), which is the whole net loss of 2019-2023.

References
----------
Hamermesh, D. S. (1993). Labor Demand. Princeton University Press, ch. 7 (short-run
employment-output elasticities below one: labour hoarding).
Prognos AG for VDA (2024). Beschäftigungsperspektiven in der Automobilindustrie.
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


def factor(index: np.ndarray, mask: np.ndarray, elasticity: float | np.ndarray = 1.0) -> np.ndarray:
    """Employment relative to the base year from vehicle output [1].

    Parameters
    ----------
    index : numpy.ndarray
        Output index, ``(draw, 1, 1, year)`` [1].
    mask : numpy.ndarray of bool
        Sectors the driver applies to, ``(1, 1, sector, 1)``.
    elasticity : float or numpy.ndarray
        Elasticity of employment to output [1]; 1 for structural (capacity) changes, the
        engine's case; below 1 for the short-run swings of the calibration period.
    """
    return np.where(mask, np.asarray(index, dtype=float) ** elasticity, 1.0)


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


# ---------------------------------------------------------------------------------------
# Joint calibration on vehicle making in Germany


def national_path(output_index: np.ndarray, bev_share: np.ndarray, phev_share: np.ndarray, tau: np.ndarray,
                  exposure: float, intensity: np.ndarray, elasticity: float, productivity_growth: float) -> np.ndarray:
    """Employment of vehicle making relative to the first year, from the three drivers [1].

    The same factors the engine multiplies (:func:`factor`, :func:`productivity_factor`,
    :func:`.electrification.factor`), for one national cell.

    Parameters
    ----------
    output_index : numpy.ndarray
        Vehicle output relative to the first year, ``(year,)`` [1].
    bev_share, phev_share : numpy.ndarray
        Shares of production, ``(year,)`` [1].
    tau : numpy.ndarray
        Years since the first year [yr].
    exposure : float
        Share of the jobs that depend on the combustion powertrain [1].
    intensity : numpy.ndarray
        Powertrain labour per vehicle relative to ICE, ``(ice, phev, bev, fcev)`` [1].
    elasticity : float
        Elasticity of employment to output [1].
    productivity_growth : float
        Growth of output per employee [1/yr].

    Examples
    --------
    >>> national_path(np.ones(3), np.zeros(3), np.zeros(3), np.arange(3.0), 0.25,
    ...               np.array([1, 1.05, 0.5, 0.7]), 1.0, 0.0)
    array([1., 1., 1.])
    """
    from . import electrification

    s_bev, s_phev = np.asarray(bev_share, float), np.asarray(phev_share, float)
    shares = np.stack([1 - s_bev - s_phev, s_phev, s_bev, np.zeros_like(s_bev)], axis=-1)
    index = electrification.labour_index(shares, np.asarray(intensity, float))
    f_el = electrification.factor(exposure, index, index[:1])
    one = np.array([[[[True]]]])
    f_vol = factor(np.asarray(output_index, float), True, elasticity)
    f_prod = productivity_factor(np.array(productivity_growth, float), np.asarray(tau, float), one).ravel()
    return f_vol * f_el * f_prod


def calibration_series(table) -> dict:
    """Observed series of ``automotive_germany.csv`` as arrays over the employment years.

    Returns
    -------
    dict
        ``years``, ``employment`` (value, low, high) [persons], ``output_index`` (cars built
        relative to the first year) [1], ``bev_share`` and ``phev_share`` of production [1]
        (PHEV 0 where not found).
    """
    t = table.set_index(["variable", "year"])
    years = np.array(sorted(t.loc["employment_wz29"].index))

    def col(var: str, what: str = "value", fill: float | None = None) -> np.ndarray:
        s = t.loc[var][what].reindex(years)
        return (s.fillna(fill) if fill is not None else s).to_numpy(dtype=float)

    cars = col("production_cars")
    return {"years": years, "employment": col("employment_wz29"), "employment_low": col("employment_wz29", "low"),
            "employment_high": col("employment_wz29", "high"), "output_index": cars / cars[0],
            "bev_share": col("production_bev") / cars, "phev_share": col("production_phev", fill=0.0) / cars}


def calibrate_national(series: dict, exposure: float, intensity: np.ndarray,
                       employment: np.ndarray | None = None) -> dict:
    """Fit the elasticity β and productivity growth *g* on WZ 29 in Germany [least squares in logs].

    Parameters
    ----------
    series : dict
        :func:`calibration_series`.
    exposure : float
        National share of WZ 29 jobs that depend on the combustion powertrain [1].
    intensity : numpy.ndarray
        ``(ice, phev, bev, fcev)`` labour per vehicle relative to ICE [1].
    employment : numpy.ndarray, optional
        Employment to fit instead of ``series['employment']`` (for the ranges) [persons].

    Returns
    -------
    dict
        ``elasticity`` [1], ``productivity_growth`` [1/yr], ``fitted`` and ``observed``
        [persons], ``error`` (fitted / observed - 1) [1], and the factors by driver
        (``volume``, ``electrification``, ``productivity``) [1].
    """
    from scipy.optimize import least_squares

    emp = np.asarray(series["employment"] if employment is None else employment, float)
    tau = (series["years"] - series["years"][0]).astype(float)
    args = (series["output_index"], series["bev_share"], series["phev_share"], tau, exposure, intensity)
    target = np.log(emp / emp[0])
    fit = least_squares(lambda p: np.log(national_path(*args, p[0], p[1])) - target, x0=[0.5, 0.01],
                        bounds=([0.0, -0.1], [1.0, 0.1]))
    beta, g = (float(v) for v in fit.x)
    fitted = emp[0] * national_path(*args, beta, g)
    no = national_path(*args[:4], 0.0, intensity, 0.0, 0.0)  # no driver: ones
    return {"elasticity": beta, "productivity_growth": g, "fitted": fitted, "observed": emp,
            "error": fitted / emp - 1.0,
            "volume": np.asarray(series["output_index"], float) ** beta,
            "electrification": national_path(*args[:4], exposure, intensity, 0.0, 0.0) / no,
            "productivity": (1.0 + g) ** -tau}


# ---------------------------------------------------------------------------------------
# The driver: its data (inputs), and its two factors (effect)


def inputs(scenario, region) -> dict:
    """The volume section and which of the region's sectors make vehicles, ``(1, 1, S, 1)`` [bool]."""
    vo = scenario.volume
    return {"config": vo, "base_year": region.base_year,
            "mask": np.isin(region.sector_codes, vo.sectors)[None, None, :, None]}


def effect(inputs: dict, sampler, years: np.ndarray, tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The volume factor and the productivity factor, each ``(n, 1, S, T)`` [1]."""
    vo, mask = inputs["config"], inputs["mask"]
    points = {y: sampler(v, f"volume.output_index.{y}") for y, v in vo.output_index.items()}
    vindex = output_index(years, points, inputs["base_year"])  # (n, T)
    f_vol = factor(vindex[:, None, None, :], mask)
    g_prod = np.asarray(sampler(vo.productivity_growth, "volume.productivity_growth"), dtype=float).reshape(-1, 1, 1, 1)
    return f_vol, productivity_factor(g_prod, tau, mask)
