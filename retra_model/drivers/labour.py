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

Requalification need (:func:`displaced`, :func:`task_change`; used by
:func:`retra_model.labour.future_of_work`)
    Losses are counted gross in each driver cell (district × sector × driver), never netted
    with gains of other drivers or sectors; only a share of the cell's retirements absorbs
    them (for electrification only those in combustion-dependent plants). Incumbents of
    exposed occupations who stay need new skills as the BEV share rises. Need = displaced +
    task change; it never falls when a loss or the BEV shift grows.
"""

from __future__ import annotations

import numpy as np


def band_overlap(age_from: np.ndarray, age_to: np.ndarray, a, b) -> np.ndarray:
    """Share of each age group's years that lie in ``[a, b)`` [1], ``(..., G)`` for bounds of shape ``(...)``.

    ``age_to`` is exclusive; the open group (``inf`` or NaN) counts as 10 years. Residents are
    taken as spread evenly over the years of their group.

    Examples
    --------
    >>> band_overlap(np.array([15.0, 40.0]), np.array([40.0, np.inf]), np.array(30.0), np.array(45.0))
    array([0.4, 0.5])
    """
    lo = np.asarray(age_from, dtype=float)
    hi = np.asarray(age_to, dtype=float)
    hi = np.where(np.isfinite(hi), hi, lo + 10.0)  # the open group: 10 years
    a, b = np.asarray(a, dtype=float)[..., None], np.asarray(b, dtype=float)[..., None]
    return np.clip(np.minimum(hi, b) - np.maximum(lo, a), 0.0, None) / (hi - lo)


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
    persons = np.asarray(persons, dtype=float)
    tau = np.asarray(years, dtype=float)

    def between(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # (T,) bounds → (..., T) persons
        return persons @ band_overlap(age_from, age_to, a, b).T  # (T, G) shares

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


def commuting_counts(flows, totals, districts: list[str]) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """The commuting counts of the latest year of the BA tables, for the region's districts.

    Parameters
    ----------
    flows, totals : pandas.DataFrame
        ``commuting_flows`` (year, residence, workplace, persons) and ``commuting_totals``
        (year, district, residents_employed, out_commuters, in_commuters).
    districts : list of str
        The region's district codes, in order.

    Returns
    -------
    year : int
    counts : numpy.ndarray
        ``(D, D)`` [persons]: listed commuters from residence *r* (rows) to workplace *w*
        (columns); the diagonal holds the non-commuters (residents employed − out-commuters).
    residents, workers : numpy.ndarray
        ``(D,)`` [persons]: employed residents, and workers at the workplace (non-commuters +
        in-commuters).
    """
    year = int(totals["year"].max())
    tot = totals.loc[totals["year"] == year].set_index("district").reindex(districts)
    index = {d: i for i, d in enumerate(districts)}
    counts = np.zeros((len(districts), len(districts)))
    sub = flows.loc[(flows["year"] == year) & flows["residence"].isin(districts) & flows["workplace"].isin(districts)
                    & (flows["residence"] != flows["workplace"])]
    for row in sub.itertuples():
        counts[index[row.residence], index[row.workplace]] += row.persons
    residents = tot["residents_employed"].to_numpy(dtype=float)
    stayers = residents - tot["out_commuters"].to_numpy(dtype=float)
    counts[np.diag_indices_from(counts)] = stayers
    return year, counts, residents, stayers + tot["in_commuters"].to_numpy(dtype=float)


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


# ---------------------------------------------------------------------------------------
# Requalification that follows the work (displaced per driver cell + task change)


def displaced(loss: np.ndarray, retirements: np.ndarray, attrition_share: np.ndarray | float,
              pool: np.ndarray | float = 1.0) -> np.ndarray:
    """Workers who lose their job: gross losses of each driver cell beyond the retirements that absorb them.

    Every driver's loss in a cell (district × sector) is counted gross, before netting with
    the gains of other drivers or sectors. Retirements of the cell's base-year workforce take
    jobs out without a dismissal, but only a share of them can (``attrition_share``: posts of
    retirees elsewhere in the plant, in other occupations or that must be filled again do
    not absorb a loss), and for a driver that hits particular plants only the retirements in
    those plants (``pool``, e.g. the combustion-dependent share for electrification). The
    drivers of a cell share the absorbable retirements in proportion to their losses:

    .. math:: D_k = L_k \\left(1 - \\min\\left(1, \\frac{a\\,R\\,c_k}{\\sum_j L_j}\\right)\\right)

    which never falls when any loss grows.

    Parameters
    ----------
    loss : numpy.ndarray
        Gross job losses ``(..., K, S)`` (driver × sector, last two axes) [persons], ≥ 0.
    retirements : numpy.ndarray
        Holders of the cell's base-year jobs who retire by then, ``(..., S)`` [persons].
    attrition_share : float or numpy.ndarray
        *a*, share of retirements that can absorb a loss [1]; broadcasts against ``(...)``
        (give a draw axis the shape ``(n, 1, …)``).
    pool : float or numpy.ndarray
        *c_k*, share of the cell's retirements open to driver *k*'s losses, ``(..., K, S)`` [1].

    Returns
    -------
    numpy.ndarray
        ``(..., K, S)`` [persons], between 0 and ``loss``.

    Examples
    --------
    >>> displaced(np.array([[60.0], [40.0]]), np.array([50.0]), 0.5).round(1)  # 25 of 100 absorbed
    array([[45.],
           [30.]])
    """
    loss = np.clip(np.asarray(loss, dtype=float), 0.0, None)
    total = loss.sum(axis=-2, keepdims=True)
    a = np.asarray(attrition_share, dtype=float)
    cap = a[..., None, None] * np.asarray(retirements, dtype=float)[..., None, :] * pool if a.ndim else \
        a * np.asarray(retirements, dtype=float)[..., None, :] * pool
    frac = np.minimum(1.0, np.divide(cap, total, out=np.ones(np.broadcast_shapes(cap.shape, total.shape)),
                                     where=total > 0))
    return loss * (1.0 - frac)


def task_change(exposed_workers: np.ndarray, retiring: np.ndarray, displaced_exposed: np.ndarray,
                bev_shift: np.ndarray, share: np.ndarray | float) -> np.ndarray:
    """Incumbents who keep their job but whose tasks change with the powertrain mix [persons].

    ``share × max(0, ΔBEV) × max(0, X (1 − retiring) − displaced_exposed)``: of the base-year
    workers in exposed occupations of combustion-dependent plants (*X*), those who neither
    retire nor lose their job need new skills in proportion to the shift of the mix towards
    battery-electric drives since the base year. With ``share × ΔBEV ≤ 1`` the total need
    (displaced + task change) never falls when more exposed workers are displaced.

    Parameters
    ----------
    exposed_workers : numpy.ndarray
        *X*, base-year workers in exposed occupations in exposed plants [persons].
    retiring : numpy.ndarray
        Share of them who retire by the year [1].
    displaced_exposed : numpy.ndarray
        Of them, displaced by then [persons].
    bev_shift : numpy.ndarray
        Change of the BEV share of the region's production since the base year [1].
    share : float or numpy.ndarray
        Share of the stayers whose tasks change once the mix has moved fully to BEV [1].

    Examples
    --------
    >>> float(task_change(1000.0, 0.2, 100.0, 0.5, 0.8))  # 0.8 × 0.5 × (800 − 100)
    280.0
    """
    stayers = np.clip(np.asarray(exposed_workers) * (1.0 - np.asarray(retiring)) - np.asarray(displaced_exposed),
                      0.0, None)
    return np.asarray(share) * np.clip(np.asarray(bev_shift, dtype=float), 0.0, 1.0) * stayers


def supply_at_workplace(supply_residence: np.ndarray, shares: np.ndarray, inflow: np.ndarray) -> np.ndarray:
    """Labour supply at each workplace from supply at residence and commuting shares [persons].

    Parameters
    ----------
    supply_residence : numpy.ndarray
        ``(..., D)`` persons living in each district who would be employed [persons].
    shares : numpy.ndarray
        ``(D, D + 1)`` row-stochastic: share of the residents of *r* (rows) working in *w*
        (columns), the last column outside the region; rows sum to 1.
    inflow : numpy.ndarray
        ``(..., D)`` in-commuters from outside the region [persons].

    Returns
    -------
    numpy.ndarray
        ``(..., D + 1)``: supply at each workplace, the last entry leaving the region; the
        total equals ``supply_residence.sum(-1) + inflow.sum(-1)`` (persons are conserved).

    Examples
    --------
    >>> supply_at_workplace(np.array([100.0, 50.0]), np.array([[0.8, 0.1, 0.1], [0.2, 0.8, 0.0]]),
    ...                     np.array([5.0, 0.0]))
    array([95., 50., 10.])
    """
    out = np.asarray(supply_residence, dtype=float) @ np.asarray(shares, dtype=float)
    out[..., :-1] += inflow
    return out
