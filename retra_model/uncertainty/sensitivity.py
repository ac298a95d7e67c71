"""Global sensitivity: which uncertain input moves the jobs of a district most.

Sobol indices (Saltelli 2002; Jansen 1999 estimators as implemented in SALib) of
employment in one year (default 2035), summed over sectors, per district and for the
region, to each uncertain input of a scenario:

- every lever written as a distribution (triangular, uniform, normal),
- every cached posterior as *one* input (its variables are drawn jointly, by the index
  of a posterior sample, so they cannot be varied one by one),
- the data ranges: ``data.exposure`` (one quantile of every low/high range of the
  exposure table per draw), and whatever else the engine draws.

The inputs are found by asking the engine: a recording sampler notes every random
stream the engine requests. The SALib sample matrix (uniform numbers in [0, 1]) is then
injected column by column through :class:`MatrixSampler`, a :class:`~retra_model.engine.Sampler`
that returns given uniforms per stream; the engine turns them into lever values by the
same inverse CDFs as in an ensemble, and evaluates all rows of the matrix vectorised, in
chunks.

``S1`` is the share of the variance of the output explained by an input alone, ``ST``
the share it takes part in, interactions included. ``ST − S1`` large means the input
matters through interactions (electrification speed × labour per BEV, for example).

References
----------
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design
and estimator for the total sensitivity index. Computer Physics Communications 181(2),
259–270. https://doi.org/10.1016/j.cpc.2009.09.018
Herman, J., Usher, W. (2017). SALib: An open-source Python library for sensitivity
analysis. Journal of Open Source Software 2(9), 97. https://doi.org/10.21105/joss.00097
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import Sampler, evaluate
from ..regions import Region, load_region
from ..scenario import Scenario

EPS = 1e-9
"""Uniforms are kept inside [EPS, 1 − EPS] so that unbounded inverse CDFs stay finite."""


class MatrixSampler(Sampler):
    """A sampler that returns given uniform numbers for each random stream.

    Parameters
    ----------
    columns : dict of str to numpy.ndarray
        Uniform numbers in [0, 1] per stream key, all of one length *n* (the draws).

    Raises
    ------
    KeyError
        The engine asks for a stream that has no column.
    """

    def __init__(self, columns: dict[str, np.ndarray]):
        lengths = {len(v) for v in columns.values()}
        if len(lengths) != 1:
            raise ValueError("all columns need the same length")
        super().__init__(lengths.pop(), seed=0)
        self.columns = {k: np.clip(np.asarray(v, dtype=float), EPS, 1 - EPS) for k, v in columns.items()}

    def uniforms(self, key: str) -> np.ndarray:
        try:
            return self.columns[key]
        except KeyError:
            raise KeyError(f"the sample matrix has no column for the uncertain input '{key}'") from None


class _Recorder(Sampler):
    """Notes every random stream the engine asks for (one draw at u = 0.5)."""

    def __init__(self) -> None:
        super().__init__(1, seed=0)
        self.keys: list[str] = []

    def uniforms(self, key: str) -> np.ndarray:
        if key not in self.keys:
            self.keys.append(key)
        return np.full(self.n, 0.5)


def uncertain_inputs(scenario: Scenario, region: Region | None = None) -> list[str]:
    """The keys of the random streams a scenario draws from, in the engine's order.

    Examples
    --------
    >>> from pathlib import Path
    >>> import retra_model
    >>> from retra_model import Scenario
    >>> sc = Scenario.from_file(Path(retra_model.__file__).parents[1] / "scenarios/son/baseline.yaml")
    >>> "data.exposure" in uncertain_inputs(sc)
    True
    """
    region = region or load_region(scenario.region)
    rec = _Recorder()
    evaluate(scenario, region, rec)
    return rec.keys


def jobs_in_year(scenario: Scenario, region: Region, X: np.ndarray, names: list[str], year: int,
                 chunk: int = 2048) -> np.ndarray:
    """Employment summed over sectors in ``year`` for each row of ``X``, ``(rows, districts)`` [persons]."""
    out = []
    for start in range(0, X.shape[0], chunk):
        block = X[start:start + chunk]
        res = evaluate(scenario, region, MatrixSampler({k: block[:, j] for j, k in enumerate(names)}))
        t = int(np.flatnonzero(res.years == year)[0])
        out.append(np.asarray(res.employment[:, :, :, t]).sum(axis=2))
    return np.concatenate(out)


def sobol_indices(scenario: Scenario, *, year: int = 2035, n: int = 512, seed: int = 1,
                  region: Region | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices of jobs in ``year`` per district and region.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario with uncertain inputs.
    year : int
        The year of the output [yr].
    n : int
        Base sample size (a power of 2); the model is evaluated ``n × (k + 2)`` times for
        *k* inputs.
    seed : int
        Seed of the scrambled Sobol' sequence and of the bootstrap intervals.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``region``, ``district``, ``district_name``, ``input``, ``S1``, ``S1_conf``,
        ``ST``, ``ST_conf`` (95 % bootstrap half-widths), ``rank`` (1 = largest ``ST`` in
        the district), ``variance`` of the output [persons²]. Sorted by district and rank.
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    region = region or load_region(scenario.region)
    names = uncertain_inputs(scenario, region)
    if not names:
        raise ValueError(f"scenario '{scenario.name}' has no uncertain input")
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    X = sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    Y = jobs_in_year(scenario, region, X, names, year)
    Y = np.concatenate([Y, Y.sum(axis=1, keepdims=True)], axis=1)
    codes = [*region.district_codes, region.id]
    labels = dict(zip(region.districts["district"], region.districts["name_short"], strict=True))
    rows = []
    for j, code in enumerate(codes):
        y = Y[:, j]
        var = float(np.var(y))
        if var <= 0:
            si = {k: np.full(len(names), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            si = analyze.analyze(problem, y, calc_second_order=False, seed=seed, print_to_console=False)
        for i, name in enumerate(names):
            rows.append({"region": region.id, "district": code, "district_name": labels.get(code, region.id.upper()),
                         "input": name, "S1": float(si["S1"][i]), "S1_conf": float(si["S1_conf"][i]),
                         "ST": float(si["ST"][i]), "ST_conf": float(si["ST_conf"][i]), "variance": var})
    df = pd.DataFrame(rows)
    # ranked on ST rounded to 1e-6: indices of inputs without effect are 0 up to rounding noise that
    # differs between CPUs (SIMD summation order); ties keep the order of the inputs
    df["rank"] = df["ST"].round(6).groupby(df["district"]).rank(ascending=False, method="first").astype(int)
    order = {c: i for i, c in enumerate(codes)}
    df = df.sort_values(["district", "rank"], key=lambda s: s.map(order) if s.name == "district" else s)
    df.attrs.update({"year": year, "n": n, "evaluations": int(X.shape[0]), "seed": seed,
                     "scenario": scenario.name, "scenario_hash": scenario.digest(),
                     "output": f"employment {year}, all sectors [persons]"})
    return df.reset_index(drop=True)


def ranking(table: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """The ``top`` inputs by total index per district, one row per district."""
    rows = []
    for (code, name), g in table.groupby(["district", "district_name"], sort=False):
        g = g.nsmallest(top, "rank")
        rows.append({"district": code, "name": name,
                     **{f"#{r}": f"{i} (ST {st:.2f})" for r, i, st in zip(g["rank"], g["input"], g["ST"], strict=True)}})
    return pd.DataFrame(rows)
