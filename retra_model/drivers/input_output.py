"""Indirect and induced effects: a regional input-output model (Leontief, FLQ, type I and II).

The national input-output table 2019 of Destatis (72 product groups, domestic production)
is aggregated to the 14 model sectors (``cpa_sector.csv``), its technical coefficients
:math:`a_{ij} = z_{ij} / x_j` are regionalised with Flegg's location quotient,

.. math::

    \\lambda = [\\log_2(1 + RE/NE)]^\\delta, \\qquad
    \\mathrm{SLQ}_i = \\frac{RE_i / RE}{NE_i / NE}, \\qquad
    \\mathrm{FLQ}_{ij} = \\lambda \\, \\mathrm{CILQ}_{ij} =
    \\lambda \\, \\frac{\\mathrm{SLQ}_i}{\\mathrm{SLQ}_j}
    \\;(\\mathrm{FLQ}_{ii} = \\lambda \\, \\mathrm{SLQ}_i),

    r_{ij} = a_{ij} \\min(\\mathrm{FLQ}_{ij}, 1),

and the Leontief inverse :math:`L = (I - R)^{-1}` turns a change of final demand into the
change of output of every sector (type I). Closing the model for households (type II)
adds a household row (compensation of employees per unit of output) and a household column
(household consumption of domestic products per euro of compensation, regionalised with
:math:`\\min(\\mathrm{SLQ}_i, 1)`: Flegg's λ corrects the inter-industry purchases of a
small region, whereas households buy most of their trade and services where they live, for
which the simple location quotient is the convention, Miller & Blair 2009, §8.2).

Employment
    ``RE_i`` is SvB at the workplace of the region (district) in sector *i* in the base year;
    ``NE_i`` is SvB in Germany in the same year, by model sector: the published WZ groups
    (``svb_germany.csv``; energy_mining = B-E − C, business_services = K + L + M-N) and,
    inside manufacturing (C), the split of the IO table's employment estimate
    (``io_2019_products.employment_persons``) among the six manufacturing sectors
    (:func:`national_employment`). SvB on both sides keeps RE/NE one concept.

Output ↔ jobs ↔ GVA
    Regional output is not published. GVA per unit of output :math:`v_i` [1] is taken from
    the national table, and output per district × sector follows from GVA:
    jobs per EUR million of output :math:`e = 1000\\, v / q` [persons per EUR million],
    with *q* the GVA per employee of the district × sector in the year
    [EUR thousand per job] (:mod:`.gva`). Hence an output change Δx carries GVA
    :math:`v\\,Δx` and jobs :math:`e\\,Δx`, consistent with the direct drivers.

What propagates (output changes only)
    Changes of *output* go through the model as final demand: *volume* (the output index),
    the output part of *projects* (a plant that opens or a capacity cut; ``output_share``,
    the rest of a programme is labour per unit at constant output) and *infrastructure*
    demand. *Electrification* and *productivity* change labour per vehicle at constant output:
    they change the input mix (cells bought instead of engines made, mostly imported), not
    final demand, so they have no indirect effect; the supplier sectors' own powertrain jobs
    are cut by their own exposure (``exposure.csv``). The *trend* does not propagate: it is
    observed total employment, suppliers and services included.

No supplier loss twice (:func:`effects`, ``own``)
    The volume driver scales every job of its sectors in every district, the region's parts
    makers included; a programme names the group's own component plants (the VW agreement
    cuts Salzgitter's engines and Braunschweig's components as well as Wolfsburg); exposure
    cuts the powertrain plants. The indirect effect of demand *in* the volume sectors on
    those same sectors (vehicles buying parts from vehicles) is therefore already in the
    direct change and is removed: the rows of the volume sectors are zeroed in the indirect
    effect of that demand. Other sectors' suppliers (metals, machinery, services) keep theirs.

Induced effects where people live (:func:`wage_income`, :func:`residence_income`)
    The wage-bill change (compensation per unit of output × the output change of every
    driver but the trend and productivity, indirect output included) net of replacement
    income (unemployment benefit, severance, partial retirement: ``replacement_rate``) is
    income of households; it is spent where the workers live (the commuting matrix; the
    share living outside the region leaks out), and turned into output by the household
    column of the Leontief inverse closed for households (all rounds of spending), in the
    district of residence. Euros are conserved: residence income plus leakage equals the
    workplace income change.

Where indirect effects land (``scope``)
    ``"region"`` (default): one FLQ table for the whole region (RE = the region's SvB); the
    indirect and induced output of each sector is allocated to the districts by their share
    of the region's base-year employment in that sector. The districts of an automotive
    region form one commuting and supplier area (Wolfsburg's workplaces are held by
    in-commuters for two thirds, BA Pendleratlas 2016), so a single-district table would
    book the neighbouring district's supplier as an import.
    ``"district"``: one FLQ table per district (single-region model, intra-district only;
    spill-overs to the neighbours are not modelled, so it is a lower bound). Both are
    reported by :func:`multipliers`.

References
----------
Flegg, A. T., Webber, C. D. & Elliott, M. V. (1995). On the appropriate use of location
quotients in generating regional input-output tables. Regional Studies 29(6), 547–561.
https://doi.org/10.1080/00343409512331349173
Flegg, A. T. & Webber, C. D. (1997). On the appropriate use of location quotients in
generating regional input-output tables: reply. Regional Studies 31(8), 795–805.
Flegg, A. T. & Tohmo, T. (2013). Regional input-output tables and the FLQ formula: a case
study of Finland. Regional Studies 47(5), 703–721. https://doi.org/10.1080/00343404.2011.592138
Miller, R. E. & Blair, P. D. (2009). Input-Output Analysis: Foundations and Extensions,
2nd ed., ch. 2 (Leontief inverse), 6 (type II multipliers), 8 (location quotients).
Cambridge University Press.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class IOTable:
    """The national IO table aggregated to the model sectors (all vectors in sector order).

    Attributes
    ----------
    sectors : tuple of str
        Sector codes, in the model's order.
    flows : numpy.ndarray
        Domestic intermediate flows, row = supplying, column = buying sector, ``(S, S)``
        [EUR million].
    output : numpy.ndarray
        Total output ``(S,)`` [EUR million].
    gva : numpy.ndarray
        Gross value added ``(S,)`` [EUR million].
    compensation : numpy.ndarray
        Compensation of employees ``(S,)`` [EUR million].
    household : numpy.ndarray
        Household final consumption of domestic products (P3_S14) ``(S,)`` [EUR million].
    employment : numpy.ndarray
        Persons engaged, the table's estimate (WIOD 2014 scaled to 2019) ``(S,)`` [persons].
    rents : numpy.ndarray
        Real estate (CPA 68): household consumption of it ``(S,)`` and, in ``rent_surplus``,
        its GVA minus compensation ``(S,)``, booked in the sector that holds CPA 68 [EUR million].
    rent_surplus : numpy.ndarray
    """

    sectors: tuple
    flows: np.ndarray
    output: np.ndarray
    gva: np.ndarray
    compensation: np.ndarray
    household: np.ndarray
    employment: np.ndarray
    rents: np.ndarray | None = None
    rent_surplus: np.ndarray | None = None

    @property
    def coefficients(self) -> np.ndarray:
        """Technical coefficients :math:`a_{ij} = z_{ij}/x_j` [1]."""
        return technical_coefficients(self.flows, self.output)

    @property
    def gva_per_output(self) -> np.ndarray:
        """GVA per unit of output :math:`v_j` [1]."""
        return self.gva / self.output

    @property
    def compensation_per_output(self) -> np.ndarray:
        """Compensation of employees per unit of output, the household row [1]."""
        return self.compensation / self.output

    @property
    def consumption_pattern(self) -> np.ndarray:
        """Share of each sector in household spending that responds to income [1], sums to 1.

        Without rents (CPA 68: actual and imputed rents of dwellings, 22 % of household
        consumption of domestic products in 2019): a change of wage income changes what
        households buy, not the rent they pay or impute for the home they live in (in the short
        run); the rest of the pattern is scaled up so the total response is kept.
        """
        h = self.household if self.rents is None else self.household - self.rents
        return h / h.sum()

    @property
    def rent_share(self) -> np.ndarray:
        """Share of each sector's GVA that is the surplus of real estate (rents, imputed rents) [1].

        Business services (K–N) hold real estate (L, CPA 68), whose GVA is almost all
        operating surplus from dwellings (EUR 324 of 342 billion in 2019): it does not move
        with jobs. 0 for the other sectors.
        """
        if self.rent_surplus is None:
            return np.zeros(len(self.sectors))
        return np.divide(self.rent_surplus, self.gva, out=np.zeros(len(self.sectors)), where=self.gva > 0)


def aggregate(flows: pd.DataFrame, products: pd.DataFrame, cpa_sector: pd.DataFrame,
              sectors: list[str], rents_cpa: str = "CPA_68") -> IOTable:
    """Aggregate the 72 × 72 product-group table to the model sectors.

    Parameters
    ----------
    flows : pandas.DataFrame
        Long table ``row, col, value`` of domestic intermediate flows [EUR million].
    products : pandas.DataFrame
        One row per product group: ``cpa, total_output, gva, compensation_of_employees,
        household_consumption, employment_persons``.
    cpa_sector : pandas.DataFrame
        ``cpa → sector``.
    sectors : list of str
        The model sectors, in order.
    rents_cpa : str
        The product group of real estate services (rents, imputed rents).

    Returns
    -------
    IOTable
    """
    to_sector = dict(zip(cpa_sector["cpa"], cpa_sector["sector"], strict=True))
    idx = {s: i for i, s in enumerate(sectors)}
    n = len(sectors)
    z = np.zeros((n, n))
    np.add.at(z, (flows["row"].map(to_sector).map(idx).to_numpy(),
                  flows["col"].map(to_sector).map(idx).to_numpy()), flows["value"].to_numpy(dtype=float))
    by = products.assign(_s=products["cpa"].map(to_sector)).groupby("_s")
    cols = ["total_output", "gva", "compensation_of_employees", "household_consumption", "employment_persons"]
    sums = by[cols].sum().reindex(sectors).fillna(0.0).astype(float)
    re = products.loc[products["cpa"] == rents_cpa]
    rents = np.zeros(n)
    surplus = np.zeros(n)
    for row in re.itertuples():
        i = idx[to_sector[row.cpa]]
        rents[i] += float(row.household_consumption)
        surplus[i] += float(row.gva) - float(row.compensation_of_employees)
    return IOTable(tuple(sectors), z, sums["total_output"].to_numpy(), sums["gva"].to_numpy(),
                   sums["compensation_of_employees"].to_numpy(), sums["household_consumption"].to_numpy(),
                   sums["employment_persons"].to_numpy(), rents, surplus)


def technical_coefficients(flows: np.ndarray, output: np.ndarray) -> np.ndarray:
    """Input coefficients :math:`a_{ij} = z_{ij} / x_j` [1] (0 where a sector has no output).

    Examples
    --------
    >>> technical_coefficients(np.array([[10.0, 20.0], [5.0, 0.0]]), np.array([100.0, 50.0]))
    array([[0.1 , 0.4 ],
           [0.05, 0.  ]])
    """
    x = np.asarray(output, dtype=float)
    return np.divide(flows, x[None, :], out=np.zeros_like(flows, dtype=float), where=x[None, :] > 0)


def leontief(a: np.ndarray) -> np.ndarray:
    """Leontief inverse :math:`(I - A)^{-1}` [1], batched over leading axes.

    Parameters
    ----------
    a : numpy.ndarray
        Coefficients ``(..., S, S)`` [1], column sums below 1.

    Examples
    --------
    >>> leontief(np.array([[0.5]]))
    array([[2.]])
    """
    eye = np.eye(a.shape[-1])
    return np.linalg.inv(eye - a)


def national_employment(io: IOTable, svb: pd.DataFrame, year: int, sector_wz: pd.DataFrame,
                        manufacturing: str = "C", parent: str = "B-E") -> np.ndarray:
    """SvB in Germany by model sector in ``year`` [persons].

    Sectors mapped to one published WZ group take that group (``energy_mining`` takes
    B-E − C, the groups of a sector mapped to several groups are added); the sectors inside
    manufacturing (C) share the published C total in proportion to the IO table's
    employment estimate.

    Parameters
    ----------
    io : IOTable
    svb : pandas.DataFrame
        ``year, wz_group, value`` (``svb_germany.csv``) [persons].
    year : int
        The base year.
    sector_wz : pandas.DataFrame
        ``sector → wz_group`` (``sector_wz.csv``).
    """
    pub = svb.loc[svb["year"] == year].set_index("wz_group")["value"].astype(float)
    groups: dict[str, list[str]] = {}
    for row in sector_wz.itertuples():
        groups.setdefault(row.sector, []).append(row.wz_group)
    out = np.zeros(len(io.sectors))
    manuf = [i for i, s in enumerate(io.sectors) if groups.get(s) == [manufacturing]]
    for i, s in enumerate(io.sectors):
        gs = groups.get(s, [])
        if gs == [manufacturing]:
            continue
        if gs == [parent]:  # B-E minus C
            out[i] = pub[parent] - pub[manufacturing]
        else:
            out[i] = sum(pub[g] for g in gs)
    w = io.employment[manuf]
    out[manuf] = pub[manufacturing] * w / w.sum()
    return out


def location_quotients(regional: np.ndarray, national: np.ndarray) -> np.ndarray:
    """Simple location quotients :math:`(RE_i/RE)/(NE_i/NE)` [1] over the last axis.

    Examples
    --------
    >>> location_quotients(np.array([30.0, 10.0]), np.array([500.0, 500.0]))
    array([1.5, 0.5])
    """
    regional = np.asarray(regional, dtype=float)
    national = np.asarray(national, dtype=float)
    share_r = regional / regional.sum(axis=-1, keepdims=True)
    share_n = national / national.sum()
    return np.divide(share_r, share_n, out=np.zeros(np.broadcast_shapes(share_r.shape, share_n.shape)),
                     where=share_n > 0)


def flegg_lambda(regional_total: np.ndarray, national_total: float, delta: np.ndarray) -> np.ndarray:
    """Flegg's regional-size factor :math:`[\\log_2(1 + RE/NE)]^\\delta` [1], in (0, 1).

    Parameters
    ----------
    regional_total : numpy.ndarray
        Employment of the region(s) [persons].
    national_total : float
        Employment of the nation [persons].
    delta : numpy.ndarray
        Flegg's δ [1], broadcast against ``regional_total``; 0 gives λ = 1 (the CILQ).

    Examples
    --------
    >>> round(float(flegg_lambda(np.array(1.0), 1.0, 0.3)), 6)
    1.0
    """
    return np.log2(1.0 + np.asarray(regional_total, dtype=float) / national_total) ** np.asarray(delta, dtype=float)


def flq(slq: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Flegg's location quotients :math:`\\lambda\\,\\mathrm{SLQ}_i/\\mathrm{SLQ}_j`, uncapped [1].

    Parameters
    ----------
    slq : numpy.ndarray
        Simple location quotients ``(..., S)`` [1].
    lam : numpy.ndarray
        λ, broadcastable to ``slq.shape[:-1]`` [1].

    Returns
    -------
    numpy.ndarray
        ``(..., S, S)``, row = selling sector *i*, column = buying sector *j*; the diagonal is
        :math:`\\lambda\\,\\mathrm{SLQ}_i`; ``inf`` where the buying sector is absent (it buys
        nothing, so its coefficients do not matter once capped).
    """
    slq = np.asarray(slq, dtype=float)
    num = slq[..., :, None]
    den = np.broadcast_to(slq[..., None, :], num.shape[:-1] + (slq.shape[-1],))
    with np.errstate(divide="ignore", invalid="ignore"):
        cilq = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.inf)
    n = slq.shape[-1]
    diag = np.arange(n)
    cilq[..., diag, diag] = slq
    return cilq * np.asarray(lam, dtype=float)[..., None, None]


def regional_coefficients(a: np.ndarray, flq_: np.ndarray) -> np.ndarray:
    """Regional input coefficients :math:`a_{ij} \\min(\\mathrm{FLQ}_{ij}, 1)` [1]."""
    return a * np.minimum(flq_, 1.0)


def closed_coefficients(r: np.ndarray, compensation_per_output: np.ndarray,
                        consumption_per_compensation: np.ndarray) -> np.ndarray:
    """Coefficients closed for households: ``(..., S + 1, S + 1)`` [1].

    Parameters
    ----------
    r : numpy.ndarray
        Regional coefficients ``(..., S, S)`` [1].
    compensation_per_output : numpy.ndarray
        Household row: compensation of employees per unit of output ``(S,)`` [1].
    consumption_per_compensation : numpy.ndarray
        Household column: regional household purchases from each sector per unit of
        compensation, ``(..., S)`` [1].
    """
    s = r.shape[-1]
    lead = np.broadcast_shapes(r.shape[:-2], np.shape(consumption_per_compensation)[:-1])
    out = np.zeros(lead + (s + 1, s + 1))
    out[..., :s, :s] = r
    out[..., s, :s] = compensation_per_output
    out[..., :s, s] = consumption_per_compensation
    return out


@dataclass(frozen=True)
class Inverses:
    """Type I and type II Leontief inverses of one or more regions (batched).

    ``type1`` is ``(..., S, S)``; ``type2`` is ``(..., S, S)``: the industry block of the
    inverse closed for households (``None`` when induced effects are off).
    """

    type1: np.ndarray
    type2: np.ndarray | None
    household: np.ndarray | None = None
    """``(..., S)``: output of each sector per unit of household income received in the region
    (the household column of the closed inverse) [1]; ``None`` when induced effects are off."""


def regional_inverses(io: IOTable, regional: np.ndarray, national: np.ndarray, delta: np.ndarray,
                      consumption_share: np.ndarray | None = None, induced: bool = True) -> Inverses:
    """Leontief inverses of FLQ-regionalised tables, vectorised over draws and regions.

    Parameters
    ----------
    io : IOTable
        The national table.
    regional : numpy.ndarray
        SvB by sector of each region ``(R, S)`` [persons].
    national : numpy.ndarray
        SvB by sector in Germany ``(S,)`` [persons].
    delta : numpy.ndarray
        Flegg's δ per draw ``(N,)`` [1].
    consumption_share : numpy.ndarray, optional
        Household consumption of domestic products per unit of compensation per draw ``(N,)``
        [1]; the household column is this share × the IO table's consumption pattern.
        Default: the table's own ratio Σ P3_S14 / Σ D1.
    induced : bool
        Compute the type II inverse too.

    Returns
    -------
    Inverses
        Arrays of shape ``(N, R, S, S)``.
    """
    delta = np.atleast_1d(np.asarray(delta, dtype=float))
    regional = np.atleast_2d(np.asarray(regional, dtype=float))
    slq = location_quotients(regional, national)  # (R, S)
    lam = flegg_lambda(regional.sum(axis=-1)[None, :], float(np.sum(national)), delta[:, None])  # (N, R)
    f = flq(np.broadcast_to(slq, lam.shape + slq.shape[-1:]), lam)  # (N, R, S, S)
    r = regional_coefficients(io.coefficients, f)
    l1 = leontief(r)
    if not induced:
        return Inverses(l1, None)
    share = io.household.sum() / io.compensation.sum() if consumption_share is None else consumption_share
    share = np.broadcast_to(np.asarray(share, dtype=float), delta.shape)
    regional_part = np.broadcast_to(np.minimum(slq, 1.0), lam.shape + slq.shape[-1:])  # (N, R, S)
    cons = share[:, None, None] * io.consumption_pattern * regional_part
    closed = closed_coefficients(r, io.compensation_per_output, cons)
    s = r.shape[-1]
    l2 = leontief(closed)
    return Inverses(l1, l2[..., :s, :s], l2[..., :s, s])


def jobs_per_output(gva_per_output: np.ndarray, gva_per_employee: np.ndarray) -> np.ndarray:
    """Jobs per EUR million of output :math:`e = 1000\\,v/q` [persons per EUR million].

    Parameters
    ----------
    gva_per_output : numpy.ndarray
        National GVA per unit of output *v*, broadcastable to the sector axis [1].
    gva_per_employee : numpy.ndarray
        GVA per employee *q* of the district × sector [EUR thousand per job].

    Examples
    --------
    >>> float(jobs_per_output(0.25, 125.0))
    2.0
    """
    q = np.asarray(gva_per_employee, dtype=float)
    shape = np.broadcast_shapes(np.shape(gva_per_output), q.shape)
    if q.min() > 0:
        return np.divide(1000.0 * np.asarray(gva_per_output, dtype=float), q, out=np.empty(shape))
    return np.divide(1000.0 * np.asarray(gva_per_output, dtype=float), q, out=np.zeros(shape), where=q > 0)


def propagate(inverse: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Output of every sector from a change of final demand: :math:`L\\,Δf` [EUR million].

    Parameters
    ----------
    inverse : numpy.ndarray
        ``(N, R, S, S)`` [1]; N = 1 broadcasts against the draws of ``demand``.
    demand : numpy.ndarray
        ``(N, R, S, T)`` [EUR million].
    """
    return np.matmul(inverse, demand)


def effects(inverses: Inverses, demand: np.ndarray, allocation: np.ndarray | None = None,
            own: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indirect (type I − direct) and induced (type II − type I) output [EUR million].

    Parameters
    ----------
    inverses : Inverses
        ``(N, R, S, S)``; ``R`` = districts (``scope="district"``) or 1 (``"region"``).
    demand : numpy.ndarray
        Direct change of output, treated as final demand, ``(N, D, S, T)`` [EUR million].
    allocation : numpy.ndarray, optional
        ``(D, S)`` shares of each district in the region's sector, summing to 1 over
        districts where the sector exists; required when ``R == 1`` and ``D > 1``.
    own : numpy.ndarray of bool, optional
        ``(S,)``: sectors whose indirect change is already in the direct change (the volume
        sectors for volume demand); their rows of the indirect effect are set to 0.

    Returns
    -------
    indirect, induced : numpy.ndarray
        ``(N, D, S, T)`` each; zero where the demand is zero. ``induced`` is the classic
        type II − type I (households where the output is made); the engine uses
        :func:`induced_output` instead.
    """
    dem, land = _regional_demand(inverses.type1, demand, allocation)
    t1 = propagate(inverses.type1, dem)
    indirect = _indirect(t1, dem, land, own)
    if inverses.type2 is None:
        return indirect, np.zeros_like(indirect)
    induced = (propagate(inverses.type2, dem) - t1) * land
    return indirect, induced


def indirect_output(type1: np.ndarray, demand: np.ndarray, allocation: np.ndarray | None = None,
                    own: np.ndarray | None = None) -> np.ndarray:
    """The indirect output of :func:`effects` alone (type I − direct), ``(N, D, S, T)`` [EUR million]."""
    dem, land = _regional_demand(type1, demand, allocation)
    return _indirect(propagate(type1, dem), dem, land, own)


def _regional_demand(type1: np.ndarray, demand: np.ndarray, allocation: np.ndarray | None):
    """The demand the inverse acts on, and how its output is allocated to the districts."""
    if type1.shape[1] == 1 and allocation is not None:
        return demand.sum(axis=1, keepdims=True), allocation[None, :, :, None]
    return demand, 1.0


def _indirect(t1: np.ndarray, dem: np.ndarray, land: np.ndarray | float, own: np.ndarray | None) -> np.ndarray:
    """``(t1 - dem) · land``, the ``own`` sectors' rows 0 (a new array)."""
    indirect = t1 - dem
    if not (np.shape(land) == () and land == 1.0):  # × 1.0 changes nothing
        indirect = np.multiply(indirect, land, out=np.empty(np.broadcast_shapes(indirect.shape, np.shape(land))))
    if own is not None:
        indirect[:, :, np.asarray(own, bool), :] = 0.0
    return indirect


def wage_income(output_change: np.ndarray, compensation_per_output: np.ndarray,
                replacement_rate: np.ndarray) -> np.ndarray:
    """Household income change at the workplace, net of replacement income [EUR million].

    .. math::  ΔY_d = (1 - r) \\sum_s c_s \\, Δx_{ds}

    Parameters
    ----------
    output_change : numpy.ndarray
        ``(N, D, S, T)`` output change of the drivers that move jobs [EUR million].
    compensation_per_output : numpy.ndarray
        ``(S,)`` compensation of employees per unit of output *c* (IO table) [1].
    replacement_rate : numpy.ndarray
        ``(N,)`` share of the lost (gained) wage bill that replacement income (unemployment
        benefit, severance, partial retirement top-ups) makes up (gives up) [1].

    Returns
    -------
    numpy.ndarray
        ``(N, D, T)`` [EUR million].

    Examples
    --------
    >>> wage_income(np.full((1, 1, 2, 1), -10.0), np.array([0.3, 0.5]), np.array([0.5]))[0, 0, 0]
    np.float64(-4.0)
    """
    w = np.einsum("ndst,s->ndt", output_change, np.asarray(compensation_per_output, float))
    return w * (1.0 - np.asarray(replacement_rate, float))[:, None, None]


def residence_income(income: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Workplace income → income by district of residence and what leaks out [EUR million].

    Parameters
    ----------
    income : numpy.ndarray
        ``(N, D, T)`` by workplace [EUR million].
    shares : numpy.ndarray
        ``(D + 1, D)`` commuting shares, rows = residence (the districts, then outside the
        region), columns = workplace, each column summing to 1 [1].

    Returns
    -------
    residence, leakage : numpy.ndarray
        ``(N, D, T)`` and ``(N, T)``; ``residence.sum(1) + leakage == income.sum(1)``.

    Examples
    --------
    >>> res, out = residence_income(np.array([[[100.0], [0.0]]]), np.array([[0.5, 0.0], [0.3, 1.0], [0.2, 0.0]]))
    >>> res[0, :, 0].tolist(), out[0].tolist()
    ([50.0, 30.0], [20.0])
    """
    flows = np.einsum("rd,ndt->nrt", np.asarray(shares, float), income)
    return flows[:, :-1], flows[:, -1]


def induced_output(household: np.ndarray, residence: np.ndarray) -> np.ndarray:
    """Output induced by household income, in the district of residence [EUR million].

    Parameters
    ----------
    household : numpy.ndarray
        ``(N, R, S)`` household column of the closed inverse (:class:`Inverses`); ``R`` = 1
        (one table for the region) or the districts.
    residence : numpy.ndarray
        ``(N, D, T)`` income by district of residence [EUR million].

    Returns
    -------
    numpy.ndarray
        ``(N, D, S, T)``.
    """
    return household[:, :, :, None] * residence[:, :, None, :]


def allocation_shares(employment: np.ndarray) -> np.ndarray:
    """Shares of each district in the region's employment of each sector ``(D, S)`` [1]."""
    e = np.asarray(employment, dtype=float)
    tot = e.sum(axis=0, keepdims=True)
    return np.divide(e, tot, out=np.zeros_like(e), where=tot > 0)


def multipliers(io: IOTable, regional: pd.DataFrame, national: np.ndarray, delta: float,
                consumption_share: float | None = None) -> pd.DataFrame:
    """Output multipliers of Germany, the region and each district, type I and type II.

    Parameters
    ----------
    io : IOTable
        The national table.
    regional : pandas.DataFrame
        SvB by district (index) and sector (columns, in ``io.sectors`` order) [persons].
    national : numpy.ndarray
        SvB in Germany by sector [persons].
    delta : float
        Flegg's δ [1].
    consumption_share : float, optional
        Household consumption per unit of compensation [1]; default from the table.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``scope`` (``national``, ``region``, ``district``), ``district`` (``DE``, the
        region id ``region`` or the code), ``sector``, ``type_I``, ``type_II`` [EUR of output
        per EUR of final demand], ``indirect`` (type I − 1) and ``induced`` (type II − type I),
        plus ``lambda`` [1].
    """
    s = len(io.sectors)
    rows = []
    share = io.household.sum() / io.compensation.sum() if consumption_share is None else consumption_share
    a = io.coefficients
    l1 = leontief(a)
    cons = share * io.consumption_pattern
    l2 = leontief(closed_coefficients(a, io.compensation_per_output, cons))[:s, :s]
    rows.append(("national", "DE", 1.0, l1.sum(axis=0), l2.sum(axis=0)))
    tables = {"region": regional.to_numpy(dtype=float).sum(axis=0, keepdims=True)}
    tables["district"] = regional.to_numpy(dtype=float)
    for scope, reg in tables.items():
        inv = regional_inverses(io, reg, national, np.array([delta]), np.array([share]), induced=True)
        lam = flegg_lambda(reg.sum(axis=-1), float(np.sum(national)), delta)
        names = ["region"] if scope == "region" else list(regional.index)
        for k, name in enumerate(names):
            rows.append((scope, name, float(lam[k]), inv.type1[0, k].sum(axis=0), inv.type2[0, k].sum(axis=0)))
    out = []
    for scope, name, lam, m1, m2 in rows:
        for j, sector in enumerate(io.sectors):
            out.append({"scope": scope, "district": name, "sector": sector, "lambda": lam,
                        "type_I": float(m1[j]), "type_II": float(m2[j]),
                        "indirect": float(m1[j] - 1.0), "induced": float(m2[j] - m1[j])})
    return pd.DataFrame(out)


_NATIONAL: dict = {}


def national_model(region) -> tuple[IOTable, np.ndarray]:
    """The national IO table at the model's sectors and SvB in Germany by sector in the base year.

    Cached per national data folder and base year (the national package is read once per
    process too, :func:`~retra_model.regions.load_national`).
    """
    nat = region.national
    key = (str(nat.folder), region.base_year, tuple(nat.sector_codes))
    if key not in _NATIONAL:
        io = aggregate(nat.io_flows, nat.io_products, nat.cpa_sector, nat.sector_codes)
        _NATIONAL[key] = (io, national_employment(io, nat.employment, region.base_year, nat.sector_wz))
    return _NATIONAL[key]
