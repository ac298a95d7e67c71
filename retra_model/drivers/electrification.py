"""Electrification: the powertrain mix of regional production and the labour it needs.

Shares of battery-electric (BEV), plug-in hybrid (PHEV), fuel-cell (FCEV) and combustion
(ICE) vehicles in the region's production follow S-curves (BEV, FCEV) and a bell (PHEV, a
bridging technology); ICE takes the rest. Each powertrain needs a different amount of
powertrain labour per vehicle, relative to ICE = 1. The labour index of the mix,

.. math::  L(t) = \\sum_p s_p(t) \\, I_p, \\qquad I_\\text{ICE} = 1,

scales the jobs that depend on the powertrain. With exposure :math:`x` (share of a
sector's base-year jobs in a district that depend on the combustion powertrain; data), the
factor on employment is

.. math::  F(t) = 1 - x + x \\, L(t) / L(t_0).

Electrification changes labour per vehicle at constant output: the powertrain is bought (cells,
modules, e-motors, mostly imported or from a named plant such as PowerCo) instead of made. It
changes the input mix, not final demand, so it has no indirect effect through the
input-output model; the supplier sectors lose through their own exposure, and the lost wage
bill reaches households (the induced effect, :mod:`.input_output`). Its speed is calibrated
jointly with volume and productivity on WZ 29 in Germany 2019-2024
(:func:`.volume.calibrate_national`).

References
----------
Bauer, W. et al. (2018). ELAB 2.0 – Wirkungen der Fahrzeugelektrifizierung auf die
Beschäftigung am Standort Deutschland. Fraunhofer IAO, Stuttgart.
Küpper, D. et al. (2020). The Future of Battery Production for Electric Vehicles / Shifting
Gears in Auto Manufacturing. Boston Consulting Group.
"""

from __future__ import annotations

import numpy as np

POWERTRAINS = ("ice", "phev", "bev", "fcev")


def logistic(t: np.ndarray, midpoint: np.ndarray, steepness: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """Logistic share ``ceiling / (1 + exp(-steepness (t - midpoint)))`` [1].

    Parameters
    ----------
    t : numpy.ndarray
        Calendar year (may include a district's lead) [yr].
    midpoint : numpy.ndarray
        Year the share reaches half its ceiling [yr].
    steepness : numpy.ndarray
        Growth rate of the S-curve [1/yr].
    ceiling : numpy.ndarray
        Long-run share [1].

    Examples
    --------
    >>> float(logistic(np.array(2030.0), 2030.0, 0.5, 0.9))
    0.45
    """
    return ceiling / (1.0 + np.exp(-steepness * (t - midpoint)))


def hump(t: np.ndarray, peak_share: np.ndarray, peak_year: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Bell-shaped share of a bridging technology [1], ``peak_share`` at ``peak_year``."""
    return peak_share * np.exp(-0.5 * ((t - peak_year) / width) ** 2)


def mix(t: np.ndarray, bev: tuple, phev: tuple, fcev: tuple) -> np.ndarray:
    """Shares of ICE, PHEV, BEV, FCEV in production; they add up to 1 [1].

    Parameters
    ----------
    t : numpy.ndarray
        Calendar year, any shape [yr].
    bev, fcev : tuple of numpy.ndarray
        ``(midpoint, steepness, ceiling)`` of the logistic curves.
    phev : tuple of numpy.ndarray
        ``(peak_share, peak_year, width)`` of the bell.

    Returns
    -------
    numpy.ndarray
        Shape ``t.shape + (4,)`` in the order of :data:`POWERTRAINS`. Where the
        alternative powertrains would exceed 1 together they are scaled down to 1 and ICE
        is 0.
    """
    s_bev = logistic(t, *bev)
    s_fcev = logistic(t, *fcev)
    s_phev = hump(t, *phev)
    alt = s_bev + s_fcev + s_phev
    scale = np.divide(1.0, alt, out=np.ones_like(alt), where=alt > 1.0)
    s_bev, s_fcev, s_phev = s_bev * scale, s_fcev * scale, s_phev * scale
    s_ice = np.clip(1.0 - (s_bev + s_fcev + s_phev), 0.0, 1.0)
    return np.stack(np.broadcast_arrays(s_ice, s_phev, s_bev, s_fcev), axis=-1)


def labour_index(shares: np.ndarray, intensity: np.ndarray) -> np.ndarray:
    """Powertrain labour per vehicle of a mix, relative to an all-ICE mix [1].

    Parameters
    ----------
    shares : numpy.ndarray
        Output of :func:`mix`, last axis = powertrain.
    intensity : numpy.ndarray
        Labour per vehicle relative to ICE, last axis = powertrain (ICE = 1) [1].
    """
    labour = shares * intensity
    # summed left to right: what ``sum(axis=-1)`` adds over so few powertrains, bit for bit, in a
    # third of its time (a reduction over 4 elements pays its loop per row)
    index = labour[..., 0].copy()
    for k in range(1, labour.shape[-1]):
        index += labour[..., k]
    return index


def factor(exposure: np.ndarray, index: np.ndarray, index_base: np.ndarray) -> np.ndarray:
    """Employment relative to the base year from the change of the powertrain mix.

    Parameters
    ----------
    exposure : numpy.ndarray
        Share of base-year jobs that depend on the combustion powertrain,
        ``(draw, district, sector, 1)`` [1].
    index : numpy.ndarray
        Labour index of the mix, ``(draw, district, 1, year)`` [1].
    index_base : numpy.ndarray
        Labour index in the base year, ``(draw, district, 1, 1)`` [1].

    Returns
    -------
    numpy.ndarray
        Factor [1]; 1 where exposure is 0, in the base year, and where the base-year mix
        needs no powertrain labour at all (index 0).
    """
    # with no powertrain labour in the base year there is nothing for the mix to scale: ratio 1
    base = np.broadcast_to(index_base, np.broadcast_shapes(np.shape(index), np.shape(index_base)))
    ratio = np.divide(index, base, out=np.ones(base.shape), where=base > 0)
    f = np.multiply(exposure, ratio, out=np.empty(np.broadcast_shapes(np.shape(exposure), ratio.shape)))  # C order
    f += 1.0 - exposure
    return f


# ---------------------------------------------------------------------------------------
# The driver: its data (inputs), and its factor (effect)


def inputs(scenario, region) -> dict:
    """The electrification section, each district's lead [years] and the exposure ranges (D, S) [1]."""
    el = scenario.electrification
    exp = region.exposure
    return {"config": el, "lead": np.array([el.district_lead.get(d, 0.0) for d in region.district_codes]),
            "exposure": (exp["low"].values, exp["value"].values, exp["high"].values)}


def effect(inputs: dict, sampler, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The electrification factor (n, D, S, T) [1] and the powertrain mix (n, D, T, 4) [1].

    The exposure of each cell is drawn from its range at one quantile per draw (all cells
    together, ``data.exposure``).
    """
    from ._distributions import triangular_ppf

    el = inputs["config"]

    def curve(name: str, fields: tuple[str, ...]) -> tuple[np.ndarray, ...]:
        section = getattr(el, name)
        return tuple(np.asarray(sampler(getattr(section, f), f"electrification.{name}.{f}"), dtype=float)
                     .reshape(-1, 1, 1, 1)[..., 0] for f in fields)

    bev = curve("bev", ("midpoint_year", "steepness", "ceiling"))
    phev = curve("phev", ("peak_share", "peak_year", "width"))
    fcev = curve("fcev", ("midpoint_year", "steepness", "ceiling"))
    li = el.labour_intensity
    intensity = np.stack([np.ones(sampler.n)] + [sampler(getattr(li, p), f"electrification.labour_intensity.{p}")
                          for p in ("phev", "bev", "fcev")], axis=-1)
    lead = inputs["lead"]
    t_eff = years[None, None, :] + lead[None, :, None]  # (1, D, T); params are (n, 1, 1)
    shares = mix(t_eff, bev, phev, fcev)  # (n, D, T, 4)
    index = labour_index(shares, intensity[:, None, None, :])  # (n, D, T)
    u = sampler.uniforms("data.exposure")[:, None, None]  # one quantile of every range per draw
    low, value, high = inputs["exposure"]
    x = triangular_ppf(u, low[None], value[None], high[None])
    return factor(x[..., None], index[:, :, None, :], index[:, :, None, :1]), shares
