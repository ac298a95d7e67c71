"""Bayesian calibration (PyMC) of the BEV diffusion and of the labour needed per BEV.

This module is imported only by ``retra calibrate`` and by tests: it needs PyMC and
ArviZ (``pip install -e .[calibrate]``) and takes a minute or two. Everything else —
the engine, the apps, the notebooks — reads the cached posteriors it writes
(``data/posteriors/<name>.nc``) through :mod:`retra_model.uncertainty.draws`.

Two models
----------
``bev_diffusion``
    The battery-electric share of new passenger-car registrations in Germany (KBA) as a
    logistic curve in the engine's parameterisation
    (:func:`retra_model.drivers.electrification.logistic`),

    .. math::  s(t) = \\frac{c}{1 + \\exp(-k\\,(t - m) - \\delta\\,S_t)},

    with midpoint year *m* [yr], steepness *k* [1/yr], ceiling *c* [1] and a shift
    :math:`\\delta` of the log-odds while the raised purchase premium
    (Umweltbonus with Innovationsprämie, July 2020 – December 2023) was paid,
    :math:`S_t = 1` then and 0 otherwise. The forecast has :math:`S_t = 0`: the premium
    ended on 17 December 2023. The observed log-odds scatter around the curve by a shock
    per calendar year (policy, supply, price cuts; normal, shared by the months of a
    year) and a Student-t error per month (robust to the pull-forward spikes of
    December 2022 and August 2023, when premiums were cut). Binomial counting error is
    negligible at 200,000 registrations a month; the scatter is extra-binomial, so the
    likelihood is on the log-odds of the share with estimated scales. The year shock
    makes the twelve months of a year one piece of evidence about the curve rather than
    twelve, so the intervals are not falsely narrow.

    Time: the share of calendar year *Y* is read at ``t = Y`` (as the engine reads a
    year), month *j* of year *Y* at ``t = Y + (j - 6.5) / 12``. Annual figures
    (2010–2016) are used before the monthly series starts (2017-01); the annual figures
    of later years are the sums of the months and are not used twice.

``labour_intensity``
    An evidence synthesis of published BEV/ICE labour ratios whose system boundaries
    differ (engine and drive unit, powertrain, OEM assembly, whole vehicle): the log ratio
    of boundary *b* is :math:`\\theta_b = \\mu + \\tau z_b` (partial pooling across
    boundaries), each study reads :math:`\\theta_b` with a rounding error (the figures
    are stated as "about one third", "1 for 3") and a between-study spread. The engine's
    ``electrification.labour_intensity.bev`` is the ratio for the boundary
    ``powertrain``: ``labour_intensity.powertrain``. ELAB 2.0's figure is a scenario
    employment ratio (mix and productivity), not a per-vehicle ratio, and is left out of
    the likelihood (stated in the cache's attributes).

References
----------
Fisher, J. C., Pry, R. H. (1971). A simple substitution model of technological change.
Technological Forecasting and Social Change 3, 75–88. https://doi.org/10.1016/S0040-1625(71)80005-7
Regulation (EU) 2023/851 amending Regulation (EU) 2019/631 (CO2 emission standards for
new cars: -100 % from 2035). https://eur-lex.europa.eu/eli/reg/2023/851/oj
Gelman, A. et al. (2013). Bayesian Data Analysis, 3rd ed., ch. 5 (hierarchical models).
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..paths import atomic_file
from ..regions import data_root
from ..results import QUANTILES  # one quantile set for every output
from .draws import data_hash, posterior_path

BEV_FILES = ["national/kba_registrations_annual.csv", "national/kba_registrations_monthly.csv"]
LABOUR_FILES = ["national/labour_intensity_evidence.csv"]

SUBSIDY = ((2020, 7), (2023, 12))
"""First and last month of the raised premium (Innovationsprämie from 8 July 2020; the
federal premium ended on 17 December 2023), as (year, month)."""

FIRST_YEAR = 2010
"""First year in the likelihood (see :func:`bev_data`): all of the KBA series. Fitting from
2017 only (the mass-market years) moves the midpoint by 0.1 yr; see the cache's attributes."""

FORECAST_YEARS = np.arange(2010, 2046)

BEV_PRIORS = {
    "midpoint_year": "Normal(2030, 5) [yr]: weakly informative; 90 % of the mass 2022-2038",
    "steepness": "LogNormal(log 0.4, 0.5) [1/yr]: 90 % in 0.18-0.9; Norway's BEV share rose 10 %->80 % "
                 "in about 7 years (k about 0.7), slow diffusions take decades (k about 0.2)",
    "ceiling": "Beta(18, 2) [1]: mean 0.90, 90 % in 0.77-0.99; Regulation (EU) 2023/851 asks zero-emission "
               "new cars from 2035 (ceiling near 1), but fuel cells, e-fuel cars, registrations outside the "
               "fleet rules and a possible revision of the 2035 target keep room below 1",
    "subsidy_effect": "Normal(0, 1) [log-odds]: the raised premium may have raised or not raised the odds",
    "sigma_year": "HalfNormal(0.3) [log-odds]: year-to-year shocks of a few tens of per cent of the odds",
    "sigma_month": "HalfNormal(0.3) [log-odds]",
    "nu": "Gamma(2, 0.1): Student-t degrees of freedom (Juarez & Steel 2010)",
}

LABOUR_PRIORS = {
    "mu": "Normal(log 0.6, 0.5): the mean log ratio over boundaries; 90 % of the ratio in 0.26-1.4",
    "tau": "HalfNormal(0.5): spread of the boundaries' log ratios (engine vs whole vehicle differ 3-fold)",
    "sigma_study": "HalfNormal(0.15): spread of studies within a boundary beyond rounding",
    "rounding": "0.10 on the log scale for a figure stated without a range ('about one third')",
}

BOUNDARIES = ("engine_drive", "powertrain", "oem_assembly", "whole_vehicle")


@dataclass(frozen=True)
class Budget:
    """How long to sample: NUTS chains, tuning and kept draws, thinning to ``keep`` in total."""

    chains: int = 4
    tune: int = 1000
    draws: int = 1000
    keep: int = 2000
    cores: int = 2
    target_accept: float = 0.95


QUICK = Budget(chains=2, tune=200, draws=200, keep=400, cores=1, target_accept=0.9)
"""A tiny budget for tests: converges roughly, proves the pipeline, never written to data/."""


# ---------------------------------------------------------------------------------------
# BEV diffusion


def bev_data(root: Path | None = None, first_year: int | None = None) -> pd.DataFrame:
    """Observed BEV shares: annual before the monthly series, monthly from 2017-01.

    Parameters
    ----------
    first_year : int, optional
        Leave out the years before (default :data:`FIRST_YEAR`; ``0`` keeps all).

    Returns
    -------
    pandas.DataFrame
        ``t`` [yr, model time], ``year``, ``month`` (0 for annual rows), ``kind``
        (``annual``/``monthly``), ``bev``, ``total`` [vehicles], ``share`` [1],
        ``subsidy`` (1 in the premium period).
    """
    root = data_root() if root is None else Path(root)
    annual = pd.read_csv(root / BEV_FILES[0])
    monthly = pd.read_csv(root / BEV_FILES[1])
    first_month_year = int(monthly["year"].min())
    a = annual.loc[annual["year"] < first_month_year, ["year", "bev", "total"]].copy()
    a["month"] = 0
    a["kind"] = "annual"
    a["t"] = a["year"].astype(float)
    m = monthly[["year", "month", "bev", "total"]].copy()
    m["kind"] = "monthly"
    m["t"] = m["year"] + (m["month"] - 6.5) / 12
    df = pd.concat([a, m], ignore_index=True).dropna(subset=["bev", "total"])
    first = FIRST_YEAR if first_year is None else first_year
    df = df[df["year"] >= first].reset_index(drop=True)
    df["share"] = df["bev"] / df["total"]
    ym = df["year"] * 12 + df["month"]
    (y0, m0), (y1, m1) = SUBSIDY
    df["subsidy"] = ((ym >= y0 * 12 + m0) & (ym <= y1 * 12 + m1) & (df["kind"] == "monthly")).astype(float)
    return df[["t", "year", "month", "kind", "bev", "total", "share", "subsidy"]]


def bev_model(df: pd.DataFrame, *, subsidy: bool = True, robust: bool = True):
    """The PyMC model of the BEV share (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`bev_data`.
    subsidy : bool
        Estimate the log-odds shift of the premium period (else it is 0).
    robust : bool
        Student-t monthly errors (else normal).
    """
    import pymc as pm
    import pytensor.tensor as pt

    years = np.sort(df["year"].unique())
    year_idx = np.searchsorted(years, df["year"].values)
    weight = np.where(df["kind"].values == "annual", 1 / np.sqrt(12), 1.0)  # a year averages 12 months
    y = df["share"].values
    with pm.Model(coords={"year": years, "obs": np.arange(len(df))}) as model:
        m = pm.Normal("midpoint_year", 2030.0, 5.0)
        k = pm.LogNormal("steepness", np.log(0.4), 0.5)
        c = pm.Beta("ceiling", 18.0, 2.0)
        delta = pm.Normal("subsidy_effect", 0.0, 1.0) if subsidy else 0.0
        sigma_year = pm.HalfNormal("sigma_year", 0.3)
        z = pm.Normal("z_year", 0.0, 1.0, dims="year")
        sigma = pm.HalfNormal("sigma_month", 0.3)
        eta = k * (df["t"].values - m) + delta * df["subsidy"].values
        mu = c * pm.math.sigmoid(eta)
        loc = pt.log(mu) - pt.log1p(-mu) + sigma_year * z[year_idx]
        if robust:
            nu = pm.Gamma("nu", 2.0, 0.1)
            pm.StudentT("logit_share", nu=nu, mu=loc, sigma=sigma * weight, observed=np.log(y / (1 - y)), dims="obs")
        else:
            pm.Normal("logit_share", mu=loc, sigma=sigma * weight, observed=np.log(y / (1 - y)), dims="obs")
    return model


def bev_curve(t: np.ndarray, midpoint: np.ndarray, steepness: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """The fitted curve without the premium, as the engine evaluates it [1]; draws × t."""
    from ..drivers.electrification import logistic

    return logistic(np.asarray(t, float)[None, :], midpoint[:, None], steepness[:, None], ceiling[:, None])


def bev_predictive(post: dict[str, np.ndarray], years: np.ndarray = FORECAST_YEARS, seed: int = 1) -> xr.Dataset:
    """Quantiles of the curve and of the annual share with a new year shock, by year.

    ``curve`` is what the engine uses (no premium, no year shock); ``share`` adds a year
    shock ``N(0, sigma_year)`` on the log-odds: where a single year's share may land.
    """
    curve = bev_curve(years, post["midpoint_year"], post["steepness"], post["ceiling"])
    rng = np.random.default_rng(seed)
    shock = rng.normal(size=curve.shape) * post["sigma_year"][:, None]
    lo = np.log(curve) - np.log1p(-curve) + shock
    share = 1 / (1 + np.exp(-lo))
    q = np.array(QUANTILES)
    return xr.Dataset(
        {
            "curve": (("quantile", "year"), np.quantile(curve, q, axis=0),
                      {"unit": "1", "long_name": "BEV share of new registrations, fitted curve without premium"}),
            "share": (("quantile", "year"), np.quantile(share, q, axis=0),
                      {"unit": "1", "long_name": "BEV share of new registrations in one year (curve and a year shock)"}),
        },
        coords={"quantile": q, "year": years},
    )


def fit_bev_diffusion(budget: Budget = Budget(), *, seed: int = 20261126, subsidy: bool = True,
                      robust: bool = True, first_year: int | None = None, root: Path | None = None):
    """Sample the BEV diffusion model; returns ``(InferenceData, data, seconds)``."""
    import pymc as pm

    df = bev_data(root, first_year)
    model = bev_model(df, subsidy=subsidy, robust=robust)
    start = time.perf_counter()
    with model:
        idata = pm.sample(draws=budget.draws, tune=budget.tune, chains=budget.chains, cores=budget.cores,
                          target_accept=budget.target_accept, random_seed=seed, progressbar=False,
                          compute_convergence_checks=False)
    return idata, df, time.perf_counter() - start


# ---------------------------------------------------------------------------------------
# Labour intensity


def labour_data(root: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-vehicle ratios used, and the rows left out with the reason."""
    root = data_root() if root is None else Path(root)
    df = pd.read_csv(root / LABOUR_FILES[0])
    used = df[df["measure"] == "labour_per_vehicle_ratio"].copy()
    left = df[df["measure"] != "labour_per_vehicle_ratio"].copy()
    left["reason"] = "not a per-vehicle BEV/ICE ratio (" + left["measure"] + ")"
    unknown = sorted(set(used["boundary"]) - set(BOUNDARIES))
    if unknown:
        raise ValueError(f"unknown boundaries in {LABOUR_FILES[0]}: {', '.join(unknown)}")
    # a stated range → its log width / 3.29 as a 90 % interval; else the rounding error
    has = used["low"].notna() & used["high"].notna()
    used["log_sd"] = np.where(has, (np.log(used["high"].where(has, 1)) - np.log(used["low"].where(has, 1))) / 3.29, 0.10)
    return used.reset_index(drop=True), left.reset_index(drop=True)


def labour_model(used: pd.DataFrame):
    """The hierarchical model of log BEV/ICE labour ratios by boundary (non-centred)."""
    import pymc as pm
    import pytensor.tensor as pt

    b_idx = np.array([BOUNDARIES.index(b) for b in used["boundary"]])
    with pm.Model(coords={"boundary": list(BOUNDARIES), "study": used["id"].tolist()}) as model:
        mu = pm.Normal("mu", np.log(0.6), 0.5)
        tau = pm.HalfNormal("tau", 0.5)
        z = pm.Normal("z", 0.0, 1.0, dims="boundary")
        theta = pm.Deterministic("log_ratio", mu + tau * z, dims="boundary")
        s_study = pm.HalfNormal("sigma_study", 0.15)
        rounding = pm.Data("rounding_sd", used["log_sd"].to_numpy(dtype=float), dims="study")
        pm.Normal("log_value", theta[b_idx], pt.sqrt(rounding ** 2 + s_study ** 2),
                  observed=np.log(used["value"].values), dims="study")
        for i, b in enumerate(BOUNDARIES):
            pm.Deterministic(b, pt.exp(theta[i]))
    return model


def fit_labour_intensity(budget: Budget = Budget(), *, seed: int = 20261126, root: Path | None = None):
    """Sample the labour-intensity synthesis; returns ``(InferenceData, (used, left out), seconds)``."""
    import pymc as pm

    used, left = labour_data(root)
    model = labour_model(used)
    start = time.perf_counter()
    with model:
        idata = pm.sample(draws=budget.draws, tune=budget.tune, chains=budget.chains, cores=budget.cores,
                          target_accept=budget.target_accept, random_seed=seed, progressbar=False,
                          compute_convergence_checks=False)
    return idata, (used, left), time.perf_counter() - start


# ---------------------------------------------------------------------------------------
# Diagnostics, summaries, the cache


def diagnostics(idata, var_names: list[str]) -> dict:
    """R-hat (max), bulk and tail ESS (min) over ``var_names``, divergences, draws."""
    import arviz as az

    rhat = az.rhat(idata, var_names=var_names)
    ess_bulk = az.ess(idata, var_names=var_names, method="bulk")
    ess_tail = az.ess(idata, var_names=var_names, method="tail")
    per_var = {}
    for v in var_names:
        per_var[v] = {"rhat": float(rhat[v].max()), "ess_bulk": float(ess_bulk[v].min()),
                      "ess_tail": float(ess_tail[v].min())}
    div = int(idata.sample_stats["diverging"].sum())
    post = idata.posterior
    return {
        "rhat_max": max(p["rhat"] for p in per_var.values()),
        "ess_bulk_min": min(p["ess_bulk"] for p in per_var.values()),
        "ess_tail_min": min(p["ess_tail"] for p in per_var.values()),
        "divergences": div,
        "chains": int(post.sizes["chain"]),
        "draws_per_chain": int(post.sizes["draw"]),
        "per_variable": per_var,
        "ok": bool(max(p["rhat"] for p in per_var.values()) < 1.01 and div == 0
                   and min(p["ess_bulk"] for p in per_var.values()) > 400),
    }


def summary(post: dict[str, np.ndarray], names: list[str]) -> pd.DataFrame:
    """Median and 50 %/90 % intervals of posterior draws."""
    rows = []
    for n in names:
        x = post[n]
        q = np.quantile(x, QUANTILES)
        rows.append({"variable": n, "mean": float(x.mean()), "sd": float(x.std()),
                     **{f"q{int(round(p * 100)):02d}": float(v) for p, v in zip(QUANTILES, q, strict=True)}})
    return pd.DataFrame(rows).set_index("variable")


def _thin(idata, keep: int):
    n = idata.posterior.sizes["chain"] * idata.posterior.sizes["draw"]
    step = max(1, n // keep)
    return idata.sel(draw=slice(None, None, step))


def write_posterior(name: str, idata, *, files: list[str], attrs: dict, extra_groups: dict[str, xr.Dataset],
                    keep: int, keep_vars: list[str], out_dir: Path | None = None) -> Path:
    """Thin, stamp and write a posterior atomically to ``<out_dir>/<name>.nc`` (ArviZ layout).

    Only ``keep_vars`` are written (nuisance parameters such as the standardised year
    shocks stay out, to keep the file small); the diagnostics cover all parameters.
    """
    import arviz as az
    import pymc as pm

    import retra_model

    target = (posterior_path(name) if out_dir is None else Path(out_dir) / f"{name}.nc")
    target.parent.mkdir(parents=True, exist_ok=True)
    thin = _thin(idata, keep)
    out = az.InferenceData(posterior=thin.posterior[[v for v in keep_vars if v in thin.posterior]])
    root = data_root()
    stamp = {
        "posterior_name": name,
        "data_files": json.dumps(files),
        "data_hash": data_hash(files, root),
        "pymc_version": pm.__version__,
        "arviz_version": az.__version__,
        "retra_version": retra_model.__version__,
        "fit_date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "refit_command": f"retra calibrate {name}",
        **attrs,
    }
    out.posterior.attrs.update({k: v if isinstance(v, (str, int, float)) else json.dumps(v) for k, v in stamp.items()})
    def write(tmp: Path) -> None:
        out.to_netcdf(tmp)
        for g, ds in extra_groups.items():
            ds.to_netcdf(tmp, group=g, mode="a")

    return atomic_file(target, write, suffix=".nc")


def _flat(idata, names: list[str]) -> dict[str, np.ndarray]:
    return {n: idata.posterior[n].values.reshape(-1) for n in names}


BEV_PARAMS = ["midpoint_year", "steepness", "ceiling", "subsidy_effect", "sigma_year", "sigma_month", "nu"]
LABOUR_PARAMS = ["mu", "tau", "sigma_study", *BOUNDARIES]


def calibrate_bev(budget: Budget = Budget(), *, seed: int = 20261126, out_dir: Path | None = None) -> dict:
    """Fit, check and cache the BEV diffusion posterior; returns a report dict."""
    idata, df, seconds = fit_bev_diffusion(budget, seed=seed)
    diag = diagnostics(idata, [*BEV_PARAMS, "z_year"])
    post = _flat(_thin(idata, budget.keep), BEV_PARAMS)
    observed = xr.Dataset.from_dataframe(df.reset_index(drop=True).rename_axis("obs"))
    predictive = bev_predictive(post)
    path = write_posterior("bev_diffusion", idata, files=BEV_FILES, keep=budget.keep, keep_vars=BEV_PARAMS,
                           out_dir=out_dir,
                           extra_groups={"data": observed, "predictive": predictive},
                           attrs={"model": "logistic share of BEV in new registrations, Germany; log-odds with "
                                           "premium shift 2020-07..2023-12, year shocks, Student-t months",
                                  "model_version": "1", "time": "the share of calendar year Y at t = Y; "
                                  "month j at Y + (j - 6.5)/12", "priors": BEV_PRIORS,
                                  "diagnostics": diag, "sampler": budget.__dict__, "seconds": round(seconds, 1),
                                  "engine_variables": "midpoint_year [yr], steepness [1/yr], ceiling [1]",
                                  "forecast": "no premium (subsidy_effect not applied after 2023)"})
    return {"name": "bev_diffusion", "path": str(path), "diagnostics": diag, "seconds": seconds,
            "summary": summary(post, BEV_PARAMS)}


def calibrate_labour(budget: Budget = Budget(), *, seed: int = 20261126, out_dir: Path | None = None) -> dict:
    """Fit, check and cache the labour-intensity posterior; returns a report dict."""
    idata, (used, left), seconds = fit_labour_intensity(budget, seed=seed)
    diag = diagnostics(idata, ["mu", "tau", "sigma_study", "z"])
    post = _flat(_thin(idata, budget.keep), LABOUR_PARAMS)
    evidence = xr.Dataset.from_dataframe(used[["id", "boundary", "value", "log_sd", "year"]].rename_axis("study"))
    path = write_posterior("labour_intensity", idata, files=LABOUR_FILES, keep=budget.keep,
                           keep_vars=[*LABOUR_PARAMS, "log_ratio"], out_dir=out_dir,
                           extra_groups={"data": evidence},
                           attrs={"model": "hierarchical by boundary: log ratio_b = mu + tau z_b; study reads it with "
                                           "rounding and between-study error",
                                  "model_version": "1", "priors": LABOUR_PRIORS, "diagnostics": diag,
                                  "sampler": budget.__dict__, "seconds": round(seconds, 1),
                                  "engine_variables": "powertrain [1]: powertrain labour per BEV relative to ICE",
                                  "left_out": {r.id: r.reason for r in left.itertuples()}})
    return {"name": "labour_intensity", "path": str(path), "diagnostics": diag, "seconds": seconds,
            "summary": summary(post, LABOUR_PARAMS)}


CALIBRATIONS = {"bev_diffusion": calibrate_bev, "labour_intensity": calibrate_labour}
"""Every posterior ``retra calibrate`` can fit, by name."""
