"""Population by single year of age: a cohort-component projection (pure functions).

Used by ``data/build/build_demography.py`` to project the population of every district of a
Land from its age structure (Destatis 12411-0018, 31 December) with the Land's assumptions
(fertility, life expectancy, net migration) as published for the coordinated population
projections; the model itself reads the projected table from the region's data package.

Method (one year per step, both sexes, ages 0 … 100+):

1. *Single years.* Published age groups are spread evenly over their years; the open group
   (75+) over 75 … 100 with weights proportional to the survivors of the life table.
2. *Mortality.* A Gompertz law μ(x) = a·exp(b·x) per sex, fitted to the period life
   expectancy at birth and at 65 (Destatis Sterbetafel); held constant over time.
3. *Fertility.* Births = TFR × a fixed age schedule of fertility (normal, mean 31, sd 5.5
   years, ages 15–49; an assumption) × women by age; 51.3 % boys.
4. *Migration.* Net migrants by age and sex per year are data: the district's own pattern
   (the residual of the observed cohort change against mortality) plus an adjustment that
   brings the Land total to the published assumption (see the build script).

References
----------
Preston, S. H., Heuveline, P., Guillot, M. (2001). *Demography: Measuring and Modeling
Population Processes*. Blackwell, ch. 6 (projection) and 3 (life tables).
Statistisches Bundesamt (2022). Sterbetafel 2018/2020 (press release 2021-07: e0 boys 78.6,
girls 83.4; e65 men 17.9, women 21.1 years).
"""

from __future__ import annotations

import numpy as np

TOP = 100
"""Highest single age; the last class is TOP and over [yr]."""
AGES = np.arange(TOP + 1)
BOYS_SHARE = 0.513
"""Share of boys among births [1] (sex ratio at birth about 105 boys per 100 girls)."""


def gompertz_hazard(ages: np.ndarray, a: float, b: float) -> np.ndarray:
    """Force of mortality μ(x) = a·exp(b·x) [1/yr]."""
    return a * np.exp(b * np.asarray(ages, dtype=float))


def _survivors(a: float, b: float, x: np.ndarray) -> np.ndarray:
    """l(x) of the Gompertz law, l(0) = 1 [1]."""
    return np.exp(-a / b * np.expm1(b * x))


def life_expectancy(a: float, b: float, at: float = 0.0, step: float = 0.05) -> float:
    """Remaining life expectancy at age ``at`` of the Gompertz law [yr] (trapezoidal rule to 130)."""
    x = np.arange(at, 130.0 + step, step)
    lx = _survivors(a, b, x)
    return float(np.trapezoid(lx, x) / lx[0])


def fit_gompertz(e0: float, e65: float) -> tuple[float, float]:
    """Gompertz parameters (a [1/yr], b [1/yr]) that give life expectancies ``e0`` and ``e65`` [yr].

    Examples
    --------
    >>> a, b = fit_gompertz(78.6, 17.9)
    >>> round(life_expectancy(a, b), 1), round(life_expectancy(a, b, 65), 1)
    (78.6, 17.9)
    """
    from scipy.optimize import fsolve

    def eqs(p):
        la, b = p
        a = np.exp(la)
        return [life_expectancy(a, b) - e0, life_expectancy(a, b, 65) - e65]

    la, b = fsolve(eqs, [np.log(3e-5), 0.1], xtol=1e-10)
    return float(np.exp(la)), float(b)


def survival(a: float, b: float) -> np.ndarray:
    """One-year survival from exact age x to x + 1, ``(TOP + 1,)`` [1]; the last for the open class."""
    lx = _survivors(a, b, np.arange(TOP + 2, dtype=float))
    s = lx[1:] / lx[:-1]
    return s


def single_years(age_from: np.ndarray, age_to: np.ndarray, persons: np.ndarray, open_weights: np.ndarray | None = None
                 ) -> np.ndarray:
    """Spread persons of age groups over single years 0 … TOP, ``(..., TOP + 1)`` [persons].

    Persons are conserved: the result sums to the input over the last axis.

    Parameters
    ----------
    age_from, age_to : numpy.ndarray
        Group bounds ``(G,)`` [yr], ``age_to`` exclusive, NaN or inf for the open group.
    persons : numpy.ndarray
        ``(..., G)`` [persons].
    open_weights : numpy.ndarray, optional
        Weights over the single ages of the open group (e.g. life-table survivors); even by default.

    Examples
    --------
    >>> single_years(np.array([0, 2]), np.array([2, np.inf]), np.array([4.0, 99.0]))[:3]
    array([2., 2., 1.])
    """
    lo = np.asarray(age_from, dtype=float)
    hi = np.asarray(age_to, dtype=float)
    hi = np.where(np.isfinite(hi), hi, TOP + 1)
    p = np.asarray(persons, dtype=float)
    w = np.zeros((len(lo), TOP + 1))
    for g, (a, b) in enumerate(zip(lo, hi, strict=True)):
        ages = np.arange(int(a), int(b))
        if b >= TOP + 1 and open_weights is not None:
            wt = np.asarray(open_weights, dtype=float)[ages]
        else:
            wt = np.ones(len(ages))
        w[g, ages] = wt / wt.sum()
    return p @ w


def fertility_schedule(tfr: float, mean: float = 31.0, sd: float = 5.5) -> np.ndarray:
    """Age-specific fertility rates of women ``(TOP + 1,)`` [births per woman and year], summing to ``tfr``."""
    x = AGES.astype(float)
    f = np.where((x >= 15) & (x <= 49), np.exp(-0.5 * ((x + 0.5 - mean) / sd) ** 2), 0.0)
    return tfr * f / f.sum()


def step(pop: np.ndarray, surv: np.ndarray, asfr: np.ndarray, migrants: np.ndarray) -> np.ndarray:
    """Project one year: age, survive, add births and net migrants [persons].

    Parameters
    ----------
    pop : numpy.ndarray
        ``(..., 2, TOP + 1)``: sex (male, female) × single age at the start of the year.
    surv : numpy.ndarray
        ``(2, TOP + 1)`` one-year survival.
    asfr : numpy.ndarray
        ``(TOP + 1,)`` or ``(..., TOP + 1)`` fertility rates of women.
    migrants : numpy.ndarray
        ``(..., 2, TOP + 1)`` net migrants during the year by age at the end of the year.

    Returns
    -------
    numpy.ndarray
        The population at the end of the year; never negative (a negative cell, where more
        people leave than live there, is set to 0).
    """
    out = np.zeros_like(pop)
    out[..., 1:] = pop[..., :-1] * surv[..., :-1]
    out[..., TOP] += pop[..., TOP] * surv[..., TOP]
    women = 0.5 * (pop[..., 1, :] + out[..., 1, :])
    births = (women * asfr).sum(axis=-1)
    s0 = np.sqrt(surv[:, 0])  # half a year of infant mortality on average
    out[..., 0, 0] = births * BOYS_SHARE * s0[0]
    out[..., 1, 0] = births * (1 - BOYS_SHARE) * s0[1]
    out += migrants
    return np.clip(out, 0.0, None)


def project(pop0: np.ndarray, years: int, surv: np.ndarray, asfr: np.ndarray, migrants: np.ndarray) -> np.ndarray:
    """Project ``years`` steps; returns ``(years + 1, ..., 2, TOP + 1)``, the first being ``pop0`` [persons].

    ``migrants`` is the net migration of one year, ``(..., 2, TOP + 1)`` (constant) or with a
    leading axis of length ``years`` (one per year).
    """
    mig = np.asarray(migrants, dtype=float)
    per_year = mig.ndim == pop0.ndim + 1
    out = [np.asarray(pop0, dtype=float)]
    for t in range(years):
        out.append(step(out[-1], surv, asfr, mig[t] if per_year else mig))
    return np.stack(out)


def residual_migration(pop_start: np.ndarray, pop_end: np.ndarray, surv: np.ndarray, years: int) -> np.ndarray:
    """Average yearly net migrants by sex and age (at the end of the year) from two censuses [persons/yr].

    The cohort change from ``pop_start`` to ``pop_end`` (``years`` apart, ``(..., 2, TOP + 1)``)
    minus the change mortality alone would bring; ages below ``years`` (born in between) get
    the rate per person of the youngest observed ages. The residual spread evenly over the
    ``years`` steps, as if the migrants had arrived at the age they have at the end.
    """
    surv_n = np.ones_like(pop_start)
    aged = np.asarray(pop_start, dtype=float).copy()
    for _ in range(years):  # survivors of the starting population, aged by ``years``
        nxt = np.zeros_like(aged)
        nxt[..., 1:] = aged[..., :-1] * surv[..., :-1]
        nxt[..., TOP] += aged[..., TOP] * surv[..., TOP]
        aged = nxt
    del surv_n
    m = (np.asarray(pop_end, dtype=float) - aged) / years
    young = slice(years, years + 5)
    rate = m[..., young].sum(axis=-1) / np.maximum(pop_end[..., young].sum(axis=-1), 1.0)
    m[..., :years] = rate[..., None] * pop_end[..., :years]
    return m
