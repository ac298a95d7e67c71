"""Labour market arithmetic: retirements, occupations, commuting, requalification (pure functions).

These functions post-process a run; they do not change employment. The tables for a region
are built by :mod:`retra_model.labour`.

Retirements
    The age structure of employees per district is not published (SvB by age per Kreis was
    not found). The population aged 15 to the retirement age *R* of the district
    (Destatis 12411-0018) is the proxy: of the base-year workforce, the share that reaches
    *R* within τ years is the share of the population aged [R − τ, R) among those aged
    [15, R), people spread evenly inside each published age group.

Occupations
    How a sector's jobs in a district divide among occupations (KldB 2010) is not published
    either. It is estimated by iterative proportional fitting (RAS) to the two published
    margins of each district, SvB by occupation (3-digit) and by sector, from a seed that
    says which sectors each occupational main group works in (``kldb_sector.csv``: weight 1;
    elsewhere the lever ``occupation_cross_weight``). The last step scales the sector
    columns, so the sectors add up exactly.

Commuting
    A job changed at the workplace *w* is held by a resident of *r* with the share of *w*'s
    workers living in *r* (BA Pendleratlas 2016): the listed flows, the non-commuters
    (residents employed − out-commuters) and, for the in-commuters not listed, a remainder
    "other places" (outside the region or below the listing threshold). The shares add up
    to 1, so persons are conserved.

Requalification (per district and occupation group, from the base year to year *t*)
    - ``jobs_lost``: jobs that go in shrinking sectors; ``absorbed``: as many of them as
      their holders retire anyway (the job goes with the retiree);
    - ``displaced`` = jobs_lost − absorbed: people who lose their job;
    - ``openings`` = growth in growing sectors + replacement share × the other retirements;
    - ``placed`` = min(displaced, openings): re-employed in the same occupational group;
    - ``requalification`` = displaced − placed: need a new occupation (Qualifizierungsbedarf);
    - ``unfilled`` = openings − placed: openings left for newcomers (Fachkräftebedarf).
"""

from __future__ import annotations

import numpy as np


def share_reaching(age_from: np.ndarray, age_to: np.ndarray, persons: np.ndarray, retirement_age: float,
                   years: np.ndarray, entry_age: float = 15.0) -> np.ndarray:
    """Share of the working-age population that reaches the retirement age within τ years [1].

    Parameters
    ----------
    age_from, age_to : numpy.ndarray
        Bounds of the age groups ``(G,)`` [yr], ``age_to`` exclusive (``inf`` for the open group).
    persons : numpy.ndarray
        Population per group, ``(..., G)`` [persons].
    retirement_age : float
        *R* [yr].
    years : numpy.ndarray
        τ, years since the base year ``(T,)`` [yr].
    entry_age : float
        Lower bound of the working age [yr].

    Returns
    -------
    numpy.ndarray
        ``(..., T)``; 0 at τ = 0, 1 once τ ≥ R − entry_age.

    Examples
    --------
    >>> share_reaching(np.array([15.0, 40.0]), np.array([40.0, 65.0]), np.array([50.0, 50.0]), 65,
    ...                np.array([0, 10, 25]))
    array([0. , 0.2, 0.5])
    """
    lo = np.asarray(age_from, dtype=float)
    hi = np.where(np.isfinite(age_to), np.asarray(age_to, dtype=float), lo + 10.0)  # open group: 10 years
    width = hi - lo
    persons = np.asarray(persons, dtype=float)
    tau = np.asarray(years, dtype=float)

    def between(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # (T,) bounds → (..., T) persons
        overlap = np.clip(np.minimum(hi, b[:, None]) - np.maximum(lo, a[:, None]), 0.0, None) / width  # (T, G)
        return persons @ overlap.T

    r = float(retirement_age)
    total = between(np.array([entry_age]), np.array([r]))  # (..., 1)
    leaving = between(np.maximum(entry_age, r - tau), np.full_like(tau, r))
    return np.divide(leaving, total, out=np.zeros_like(leaving), where=total > 0)


def ras(seed: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Biproportional fit of ``seed`` to row and column totals; the columns match exactly.

    Parameters
    ----------
    seed : numpy.ndarray
        ``(K, S)``, non-negative, every column with a positive total must have a positive cell.
    row_totals : numpy.ndarray
        ``(K,)``, rescaled to the sum of ``col_totals``.
    col_totals : numpy.ndarray
        ``(S,)``.

    Examples
    --------
    >>> ras(np.ones((2, 2)), np.array([3.0, 1.0]), np.array([2.0, 2.0])).round(3)
    array([[1.5, 1.5],
           [0.5, 0.5]])
    """
    m = np.asarray(seed, dtype=float).copy()
    col = np.asarray(col_totals, dtype=float)
    row = np.asarray(row_totals, dtype=float)
    row = row * col.sum() / row.sum() if row.sum() > 0 else row
    for _ in range(iterations):
        rs = m.sum(axis=1)
        m *= np.divide(row, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = m.sum(axis=0)
        m *= np.divide(col, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
    return m


def commuting_shares(flows: np.ndarray, stayers: np.ndarray, workplace_employed: np.ndarray) -> np.ndarray:
    """Shares of each workplace's workers by place of residence [1].

    Parameters
    ----------
    flows : numpy.ndarray
        Listed commuters from residence *r* (rows, the region's districts) to workplace *w*
        (columns), ``(D, D)`` [persons]; the diagonal is ignored.
    stayers : numpy.ndarray
        Residents working in their own district ``(D,)`` [persons].
    workplace_employed : numpy.ndarray
        Workers at each workplace ``(D,)`` [persons].

    Returns
    -------
    numpy.ndarray
        ``(D + 1, D)``: rows = residence (the districts, then "other places"), columns =
        workplace; every column sums to 1.

    Examples
    --------
    >>> commuting_shares(np.array([[0.0, 30.0], [10.0, 0.0]]), np.array([80.0, 60.0]), np.array([100.0, 100.0]))
    array([[0.8, 0.3],
           [0.1, 0.6],
           [0.1, 0.1]])
    """
    f = np.asarray(flows, dtype=float).copy()
    np.fill_diagonal(f, 0.0)
    f[np.diag_indices_from(f)] = stayers
    rest = np.asarray(workplace_employed, dtype=float) - f.sum(axis=0)
    if (rest < -1e-6 * np.asarray(workplace_employed)).any():
        raise ValueError("listed commuters and stayers exceed the workers of a workplace")
    full = np.vstack([f, np.clip(rest, 0.0, None)[None, :]])
    return full / full.sum(axis=0, keepdims=True)


def by_residence(change_at_workplace: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Persons affected by residence: ``shares @ change`` (workplace on the first axis) [persons]."""
    return np.tensordot(shares, change_at_workplace, axes=([1], [0]))


def requalification(base: np.ndarray, change: np.ndarray, retiring: np.ndarray, replacement_share: float) -> dict:
    """The requalification balance for one district, occupation × sector.

    Parameters
    ----------
    base : numpy.ndarray
        Base-year jobs by occupation × sector ``(K, S)`` [persons].
    change : numpy.ndarray
        Change of jobs by sector until the year ``(S,)`` [persons].
    retiring : float
        Share of the base-year jobs whose holders retire by then [1].
    replacement_share : float
        Share of the jobs left by retirement that are filled again [1].

    Returns
    -------
    dict of numpy.ndarray
        ``retirements, jobs_lost, absorbed, displaced, growth, openings, placed,
        requalification, unfilled``, each ``(K,)`` [persons].
    """
    base = np.asarray(base, dtype=float)
    tot = base.sum(axis=0)
    mix = np.divide(base, tot, out=np.zeros_like(base), where=tot > 0)  # occupation shares of each sector
    loss = np.clip(-np.asarray(change, dtype=float), 0.0, None)
    gain = np.clip(np.asarray(change, dtype=float), 0.0, None)
    retire_s = retiring * tot
    absorbed_s = np.minimum(loss, retire_s)
    out = {
        "retirements": mix @ retire_s,
        "jobs_lost": mix @ loss,
        "absorbed": mix @ absorbed_s,
        "growth": mix @ gain,
    }
    out["displaced"] = out["jobs_lost"] - out["absorbed"]
    out["openings"] = out["growth"] + replacement_share * (out["retirements"] - out["absorbed"])
    out["placed"] = np.minimum(out["displaced"], out["openings"])
    out["requalification"] = out["displaced"] - out["placed"]
    out["unfilled"] = out["openings"] - out["placed"]
    return out


def herfindahl(shares: np.ndarray, axis: int = -1) -> np.ndarray:
    """Herfindahl–Hirschman index Σ sᵢ² of the shares along ``axis`` [1] (1/S = even, 1 = one sector).

    Examples
    --------
    >>> float(herfindahl(np.array([0.5, 0.5])))
    0.5
    """
    s = np.asarray(shares, dtype=float)
    s = s / s.sum(axis=axis, keepdims=True)
    return (s**2).sum(axis=axis)
