"""Load a region's data package into labelled arrays, checking it on the way in.

A region is a folder ``data/regions/<id>/`` holding a Frictionless ``datapackage.json`` and
tidy CSV files; the national tables shared by all regions are in ``data/national/``. Adding
a region needs no code: a new folder with the same files is enough.

:func:`load_region` checks, before any number reaches the model:

- every file the package lists exists and has the columns its schema names;
- codes are known (districts of the region, the 14 model sectors, the published WZ groups);
- numbers are numbers, not negative where that makes no sense, shares lie in [0, 1];
- estimates carry a range with ``low <= value <= high``;
- the sectors of each district add up *exactly* to the published WZ groups wherever the
  published figure is not suppressed, and suppressed groups stay inside the bounds the
  published groups set.

A failed check raises :class:`~retra_model.errors.DataError` naming the file, the column
and the row (the line in the CSV file) of every offender.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .errors import DataError, Problem
from .lazyimports import defer_xarray_imports
from .packages import _read_package, data_root, known_regions, region_dir, region_meta  # noqa: F401  (re-exported)

defer_xarray_imports()

# ---------------------------------------------------------------------------------------
# Reading and checking tables


@dataclass(frozen=True)
class Column:
    """What a column must hold: kind of values, whether it may be empty, its range, its codes."""

    kind: str = "number"  # number | integer | boolean | string | code
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    codes: str | None = None  # name of a codelist: district, sector, wz_group, cpa


_KINDS = {"integer": "integer", "number": "number", "boolean": "boolean"}
"""Descriptor field types read as numbers or truth values; every other type (string, date …) is text."""


def columns_of(resource: dict) -> dict[str, Column]:
    """What each column of a resource must hold, from its descriptor in ``datapackage.json``.

    The field's ``type`` (integer, number; anything else is text), ``constraints.required``,
    ``minimum`` and ``maximum``, and ``codelist`` (a retra extension: the codes a column must
    belong to — ``district``, ``sector``, ``wz_group``, ``cpa``). The constraints are written
    into the descriptors by ``data/build/apply_constraints.py`` from one file,
    ``data/build/inputs/field_constraints.json``.

    >>> columns_of({"schema": {"fields": [{"name": "district", "type": "string", "codelist": "district",
    ...                                    "constraints": {"required": True}}]}})["district"]
    Column(kind='code', required=True, minimum=None, maximum=None, codes='district')
    """
    out = {}
    for f in resource.get("schema", {}).get("fields", []):
        c = f.get("constraints", {})
        kind = _KINDS.get(f.get("type", "string"), "code" if f.get("codelist") else "string")
        out[f["name"]] = Column(kind, bool(c.get("required", False)), c.get("minimum"), c.get("maximum"),
                                f.get("codelist"))
    return out


def _resource(package: dict, folder: Path, name: str) -> dict:
    for res in package.get("resources", []):
        if res.get("name") == name:
            return res
    raise DataError([Problem(str(folder / "datapackage.json"), f"resources.{name}", None,
                             f"the data package lists no resource '{name}'")])


class _Checker:
    """Collects problems over many tables so that one error lists them all."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.codelists: dict[str, set[str]] = {}

    def add(self, file: Path, column: str, rows, message: str) -> None:
        rows = list(rows)
        for r in rows[:5]:
            self.problems.append(Problem(str(file), column, int(r) + 2, message))
        if len(rows) > 5:
            self.problems.append(Problem(str(file), column, None, f"… and {len(rows) - 5} more rows like these"))

    def table(self, folder: Path, package: dict, name: str) -> pd.DataFrame:
        """Read one resource and check it against its own descriptor (:func:`columns_of`)."""
        res = _resource(package, folder, name)
        columns = columns_of(res)
        file = folder / res["path"]
        dtypes = {c: str for c, spec in columns.items() if spec.kind in ("string", "code")}
        try:
            df = pd.read_csv(file, dtype=dtypes, keep_default_na=False, na_values=[""], encoding="utf-8")
        except FileNotFoundError:
            self.problems.append(Problem(str(file), "", None, "the file is missing"))
            return pd.DataFrame(columns=list(columns))
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            self.problems.append(Problem(str(file), "", None, f"cannot be read as CSV: {exc}"))
            return pd.DataFrame(columns=list(columns))
        missing = [c for c in columns if c not in df.columns]
        if missing:
            self.problems.append(Problem(str(file), ", ".join(missing), 1,
                                         f"column(s) missing; the file has {', '.join(df.columns)}"))
            return pd.DataFrame(columns=list(columns))
        declared = {f["name"] for f in res.get("schema", {}).get("fields", [])}
        undeclared = [c for c in columns if declared and c not in declared]
        if undeclared:
            self.problems.append(Problem(str(folder / "datapackage.json"), f"resources.{name}.schema", None,
                                         f"column(s) {', '.join(undeclared)} not described in the schema"))
        for col, spec in columns.items():
            s = df[col]
            empty = s.isna()
            if spec.required and empty.any():
                self.add(file, col, np.flatnonzero(empty), "empty cell where a value is required")
            if spec.kind == "boolean" and not s[~empty].isin([True, False]).all():
                self.add(file, col, np.flatnonzero(~s.isin([True, False]) & ~empty), "must be True or False")
            if spec.kind in ("number", "integer"):
                num = pd.to_numeric(s, errors="coerce")
                bad = num.isna() & ~empty
                if bad.any():
                    self.add(file, col, np.flatnonzero(bad), "not a number (use a decimal point, no thousands separator)")
                if spec.kind == "integer":
                    frac = (num % 1 != 0) & num.notna()
                    if frac.any():
                        self.add(file, col, np.flatnonzero(frac), "must be a whole number")
                if spec.minimum is not None and (num < spec.minimum).any():
                    self.add(file, col, np.flatnonzero(num < spec.minimum), f"below {spec.minimum:g}")
                if spec.maximum is not None and (num > spec.maximum).any():
                    self.add(file, col, np.flatnonzero(num > spec.maximum), f"above {spec.maximum:g}")
                df[col] = num
            if spec.codes:
                known = self.codelists.get(spec.codes, set())
                bad = ~s.isin(known) & ~empty
                if known and bad.any():
                    sample = ", ".join(sorted(set(s[bad].astype(str)))[:5])
                    self.add(file, col, np.flatnonzero(bad), f"unknown {spec.codes} code(s): {sample}")
        key = res.get("schema", {}).get("primaryKey")
        if key and set(key) <= set(df.columns):
            twice = df.duplicated(list(key), keep="first")
            if twice.any():
                self.add(file, ", ".join(key), np.flatnonzero(twice), "a second row for the same key (primaryKey)")
        return df

    def ranges(self, file: Path, df: pd.DataFrame, value: str = "value") -> None:
        """low <= value <= high where all three are given."""
        bad = (df["low"] > df[value]) | (df[value] > df["high"])
        if bad.any():
            self.add(file, value, np.flatnonzero(bad), "the value lies outside its own low/high range")

    def raise_if_any(self) -> None:
        if self.problems:
            raise DataError(self.problems)


# ---------------------------------------------------------------------------------------
# National tables


@dataclass(frozen=True)
class National:
    """Tables shared by all regions: sectors, WZ groups, the input-output table."""

    sectors: pd.DataFrame
    sector_wz: pd.DataFrame
    wz_groups: pd.DataFrame
    cpa_sector: pd.DataFrame
    io_flows: pd.DataFrame
    io_products: pd.DataFrame
    parameters: pd.DataFrame
    employment: pd.DataFrame  # SvB Germany by WZ group and year [persons]
    package: dict = field(repr=False)
    folder: Path = Path()
    tables: dict = field(repr=False, default_factory=dict)
    """Further tables (infrastructure costs and items, KldB groups and their home sectors)."""

    @property
    def sector_codes(self) -> list[str]:
        return list(self._sector_codes)

    @functools.cached_property
    def _sector_codes(self) -> tuple[str, ...]:  # read from the table once (every evaluation asks)
        return tuple(self.sectors["sector"])

    def sector_employment(self) -> pd.DataFrame | None:
        """SvB in Germany by model sector (rows) and year (columns) [persons], or None if not shipped."""
        wide = self._sector_employment_wide
        return None if wide is None else wide.copy()

    @functools.cached_property
    def _sector_employment_wide(self) -> pd.DataFrame | None:
        # pivoted once per national package (every scenario's trend fit asks; callers get a copy)
        tab = self.tables.get("employment_sector_germany")
        if tab is None:
            return None
        return tab.pivot(index="sector", columns="year", values="value").reindex(self.sector_codes).astype(float)

    def total_employment(self) -> pd.Series:
        """SvB in Germany, all sectors, by year [persons]."""
        tot = self.employment.loc[self.employment["wz_group"] == "TOTAL"]
        return tot.set_index("year")["value"].astype(float)

    def infrastructure_items(self) -> list[str]:
        """Items a scenario can build out (``infrastructure_items.csv``)."""
        items = self.tables.get("infrastructure_items")
        return [] if items is None else list(items["item"])

    def parameter(self, name: str) -> pd.Series:
        """One literature parameter (value, low, high, unit, source)."""
        row = self.parameters.loc[self.parameters["parameter"] == name]
        if row.empty:
            raise DataError([Problem(str(self.folder / "parameters.csv"), "parameter", None,
                                     f"no row for the parameter '{name}'")])
        return row.iloc[0]


@functools.lru_cache(maxsize=4)
def load_national(folder: str | None = None) -> National:
    """Load and check ``data/national``."""
    path = Path(folder) if folder else data_root() / "national"
    pkg = _read_package(path)
    chk = _Checker()
    sectors = chk.table(path, pkg, "sectors")
    sectors = sectors.sort_values("order").reset_index(drop=True)
    chk.codelists["sector"] = set(sectors["sector"])
    wz = chk.table(path, pkg, "wz_groups")
    chk.codelists["wz_group"] = set(wz["wz_group"])
    sector_wz = chk.table(path, pkg, "sector_wz")
    cpa = chk.table(path, pkg, "cpa_sector")
    chk.codelists["cpa"] = set(cpa["cpa"])
    flows = chk.table(path, pkg, "io_2019_flows")
    products = chk.table(path, pkg, "io_2019_products")
    params = chk.table(path, pkg, "parameters")
    svb = chk.table(path, pkg, "svb_germany")
    listed = {r.get("name") for r in pkg.get("resources", [])}
    tables = {name: chk.table(path, pkg, name) for name in _NATIONAL_OPTIONAL if name in listed}
    chk.raise_if_any()
    return National(sectors, sector_wz, wz, cpa, flows, products, params, svb, pkg, path, tables)


_NATIONAL_OPTIONAL = ("infrastructure_costs", "infrastructure_items", "kldb_groups", "kldb_sector",
                      "employment_sector_germany", "forecast_errors")
"""Tables loaded into ``National.tables`` when the package lists them (checked against their descriptors)."""


# ---------------------------------------------------------------------------------------
# A region


@dataclass(frozen=True)
class Region:
    """A region's checked base data, as labelled arrays.

    Attributes
    ----------
    id : str
        Region id, the folder name (``son``).
    meta : dict
        The ``retra`` block of the data package: name, network, base year, horizon …
    districts : pandas.DataFrame
        Code, names and kind of each district.
    employment : xarray.Dataset
        ``value``, ``low``, ``high`` [persons] by ``year`` × ``district`` × ``sector``
        (SvB at the workplace, 30 June; estimates where unpublished).
    employment_wz : xarray.DataArray
        The published figures by WZ group [persons]; NaN where suppressed.
    exposure : xarray.Dataset
        ``value``, ``low``, ``high`` [1]: share of base-year jobs that depend on the
        combustion powertrain, by ``district`` × ``sector``.
    gva_per_employee : xarray.Dataset
        ``value``, ``low``, ``high`` [EUR thousand per job] by ``district`` × ``sector``.
    labs : pandas.DataFrame
        Driver → Lab / Handlungsfeld.
    tables : dict of pandas.DataFrame
        Every other table of the package (population, occupations, commuting, plants …).
    """

    id: str
    meta: dict
    folder: Path
    package: dict = field(repr=False)
    national: National = field(repr=False)
    districts: pd.DataFrame = field(repr=False)
    employment: xr.Dataset = field(repr=False)
    employment_wz: xr.DataArray = field(repr=False)
    exposure: xr.Dataset = field(repr=False)
    gva_per_employee: xr.Dataset = field(repr=False)
    labs: pd.DataFrame = field(repr=False)
    tables: dict = field(repr=False, default_factory=dict)
    parent: Region | None = field(default=None, repr=False, compare=False)
    """The whole region a :meth:`subset` was cut from (the trend is fitted and normalised on it)."""

    @property
    def base_year(self) -> int:
        return int(self.meta["base_year"])

    @property
    def horizon(self) -> int:
        return int(self.meta["horizon"])

    @property
    def key_years(self) -> tuple[int, ...]:
        """The years summaries, tables and apps show (``retra.key_years`` of the data package;
        empty where it has none: :data:`retra_model.results.KEY_YEARS`)."""
        return tuple(int(y) for y in self.meta.get("key_years", ()))

    @property
    def district_codes(self) -> list[str]:
        return list(self._district_codes)

    @functools.cached_property
    def _district_codes(self) -> tuple[str, ...]:  # read from the table once (every evaluation asks)
        return tuple(self.districts["district"])

    @property
    def sector_codes(self) -> list[str]:
        return self.national.sector_codes

    @property
    def name(self) -> str:
        return str(self.meta.get("name_de", self.id))

    def base(self) -> xr.DataArray:
        """Employment in the base year [persons], district × sector."""
        return self.employment["value"].sel(year=self.base_year, drop=True)

    def base_values(self) -> np.ndarray:
        """:meth:`base` as a read-only array ``(district, sector)``, derived once [persons]."""
        return self.derived(("base_values",), lambda: self.base().transpose("district", "sector").values.copy(order="K"))

    def as_of(self, year: int) -> Region:
        """The region as it looked with ``year`` as the base year: no employment data after it.

        Used by backtests. Tables without a time axis (exposure, GVA per employee) are kept
        as they are; the backtest says so.
        """
        years = self.employment["year"].values
        if year not in years or year < int(self.meta["history_start"]) + 2:
            raise ValueError(f"{year} cannot be a base year: the data cover {years.min()}–{years.max()} "
                             "and a trend needs three years before it")
        meta = {**self.meta, "base_year": int(year)}
        tables = dict(self.tables)
        if "employment_total" in tables:
            tables["employment_total"] = tables["employment_total"].loc[lambda t: t["year"] <= year]
        return replace(
            self, meta=meta,
            employment=self.employment.sel(year=slice(None, year)),
            employment_wz=self.employment_wz.sel(year=slice(None, year)),
            tables=_carry_forward(tables, int(year)),
            parent=None if self.parent is None else self.parent.as_of(year),
        )

    def totals(self, where: str = "workplace") -> xr.DataArray:
        """SvB per district and year [persons]: ``employment_total`` (BA, from 2013) where shipped,
        else the sum of the sectors.

        Parameters
        ----------
        where : {"workplace", "residence"}
        """
        tab = self.tables.get("employment_total")
        if tab is None or tab.empty:
            if where != "workplace":
                raise KeyError(f"region {self.id} ships no employment_total table (residence)")
            return self.employment["value"].sum("sector")
        da = tab.set_index(["district", "year"])[where].astype(float).to_xarray()
        return da.reindex(district=self.district_codes)

    @functools.cached_property
    def version(self) -> str:
        """Hash over the bytes of every file of this region and of the national package."""
        return data_version([self.folder, self.national.folder])

    def data_version(self) -> str:
        """Hash over the bytes of every file of this region and of the national package."""
        return self.version

    def derived(self, key: tuple, compute):
        """``compute()``, once per region and ``key``: what is derived from this region's data alone
        (the trend's fit, the commuting shares), kept with it so that the scenarios of one region
        (``retra validate``, an app moving a lever) derive it once. Arrays come back read-only:
        every scenario sees the same numbers.
        """
        memo = self.__dict__.setdefault("_derived", {})
        if key not in memo:
            value = compute()
            for a in (value.values() if isinstance(value, dict) else value if isinstance(value, tuple) else (value,)):
                if isinstance(a, np.ndarray):
                    a.setflags(write=False)
            memo[key] = value
        return memo[key]

    def codelists(self) -> dict:
        """What a scenario is checked against: districts, sectors, base year, horizon."""
        return {
            "districts": dict(zip(self.districts["district"], self.districts["name_short"], strict=True)),
            "sectors": self.sector_codes,
            "base_year": self.base_year,
            "horizon": self.horizon,
            "history": (int(self.meta["history_start"]), self.base_year),
            "infrastructure_items": self.national.infrastructure_items(),
        }

    def sources(self) -> pd.DataFrame:
        """One row per resource: title, publisher, table, year, URL, licence."""
        rows = []
        for pkg in (self.package, self.national.package):
            for res in pkg.get("resources", []):
                lic = "; ".join(li.get("title", li.get("name", "")) for li in res.get("licenses", pkg.get("licenses", [])))
                for src in res.get("sources", []) or [{}]:
                    rows.append({
                        "resource": res.get("title", res["name"]),
                        "source": src.get("title", ""),
                        "publisher": src.get("publisher", ""),
                        "year": src.get("year", ""),
                        "url": src.get("path", ""),
                        "licence": lic,
                        "status": res.get("status", ""),
                    })
        return pd.DataFrame(rows)


    # -----------------------------------------------------------------------------------
    # Scale (issue 8): district subsets for chunked runs (retra_model.scale)

    def subset(self, districts) -> Region:
        """The same region restricted to some of its districts, in the order given.

        Used by :mod:`retra_model.scale` to evaluate a national ensemble district chunk by
        district chunk. Every table keyed by district is cut; national tables, metadata and
        the data version stay those of the whole region.

        Parameters
        ----------
        districts : sequence of str
            District codes of this region.

        Raises
        ------
        KeyError
            A code is not a district of this region.
        """
        codes = [str(d) for d in districts]
        unknown = sorted(set(codes) - set(self.district_codes))
        if unknown:
            raise KeyError(f"not districts of region {self.id}: {', '.join(unknown)}")
        table = self.districts.set_index("district").loc[codes].reset_index()
        tables = {k: (v[v["district"].isin(codes)].reset_index(drop=True)
                      if isinstance(v, pd.DataFrame) and "district" in v.columns else v)
                  for k, v in self.tables.items()}
        sub = replace(
            self, districts=table, employment=self.employment.sel(district=codes),
            employment_wz=self.employment_wz.sel(district=codes), exposure=self.exposure.sel(district=codes),
            gva_per_employee=self.gva_per_employee.sel(district=codes), tables=tables,
            meta={**self.meta, "districts": codes, "subset_of": self.id}, parent=self.parent or self)
        if "version" in self.__dict__:  # the data version is the whole region's (cached_property)
            sub.__dict__["version"] = self.__dict__["version"]
        return sub


def data_version(folders: list[Path]) -> str:
    """Hash of the data files (names and bytes) in the given folders."""
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                h.update(path.name.encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


_TABLES_OPTIONAL = ("population", "occupations", "commuting_flows", "commuting_totals", "plants", "bev_stock",
                    "unemployment", "charging_points", "automotive_estimates", "employment_total")
"""Tables loaded into ``Region.tables`` when the package lists them (checked against their descriptors)."""

CARRIED_FORWARD = ("population", "unemployment", "occupations")
"""Tables with a year axis that may end before the base year: their latest year up to the base
year stands in for it (a copy labelled with the base year, ``year_observed`` saying which year it
is). Population and unemployment per district are shipped to 2020; the base year is 2024."""


def _carry_forward(tables: dict, base_year: int) -> dict:
    out = dict(tables)
    for name in CARRIED_FORWARD:
        t = out.get(name)
        if t is None or t.empty or "year" not in t.columns:
            continue
        t = t[t["year"] <= base_year]
        if "year_observed" in t.columns:
            t = t[t["year"] == t["year_observed"]].drop(columns="year_observed")
        t = t.assign(year_observed=t["year"])
        have = t.groupby("district")["year"].max() if "district" in t.columns else None
        if have is None or (have >= base_year).all():
            out[name] = t
            continue
        latest = t["district"].map(have)
        stand_in = t[(t["year"] == latest) & (latest < base_year)].assign(year=base_year)
        out[name] = pd.concat([t, stand_in], ignore_index=True)
    return out


@functools.lru_cache(maxsize=16)
def _load_region_cached(folder: str, national_folder: str | None) -> Region:
    path = Path(folder)
    national = load_national(national_folder)
    pkg = _read_package(path)
    meta = pkg.get("retra", {})
    chk = _Checker()
    for key in ("region", "base_year", "horizon", "history_start"):
        if key not in meta:
            chk.problems.append(Problem(str(path / "datapackage.json"), f"retra.{key}", None,
                                        "missing in the data package's retra block"))
    chk.raise_if_any()
    chk.codelists.update({"sector": set(national.sector_codes), "wz_group": set(national.wz_groups["wz_group"])})

    districts = chk.table(path, pkg, "districts")
    chk.codelists["district"] = set(districts["district"])
    if not districts["district"].astype(str).str.fullmatch(r"\d{5}").all():
        bad = np.flatnonzero(~districts["district"].astype(str).str.fullmatch(r"\d{5}"))
        chk.add(path / "districts.csv", "district", bad, "a district code has five digits, e.g. 03103")
    listed = set(meta.get("districts", districts["district"]))
    if listed != set(districts["district"]):
        chk.problems.append(Problem(str(path / "datapackage.json"), "retra.districts", None,
                                    f"the district list differs from districts.csv: {sorted(listed ^ set(districts['district']))}"))

    emp = chk.table(path, pkg, "employment_sector")
    wz = chk.table(path, pkg, "employment_wz")
    exp = chk.table(path, pkg, "exposure")
    gpe = chk.table(path, pkg, "gva_per_employee")
    labs = chk.table(path, pkg, "labs")
    tables = {}
    listed_resources = {r.get("name") for r in pkg.get("resources", [])}
    for name in _TABLES_OPTIONAL:
        if name in listed_resources:
            tables[name] = chk.table(path, pkg, name)
    chk.raise_if_any()

    for df, name in ((emp, "employment_sector"), (exp, "exposure"), (gpe, "gva_per_employee")):
        chk.ranges(path / _resource(pkg, path, name)["path"], df)
    _check_complete(chk, path / _resource(pkg, path, "employment_sector")["path"], emp,
                    ["year", "district", "sector"],
                    {"district": sorted(chk.codelists["district"]), "sector": national.sector_codes})
    _check_complete(chk, path / _resource(pkg, path, "exposure")["path"], exp, ["district", "sector"],
                    {"district": sorted(chk.codelists["district"]), "sector": national.sector_codes})
    _check_complete(chk, path / _resource(pkg, path, "gva_per_employee")["path"], gpe, ["district", "sector"],
                    {"district": sorted(chk.codelists["district"]), "sector": national.sector_codes})
    base_year = int(meta.get("base_year", 0))
    if base_year not in set(emp["year"]):
        chk.problems.append(Problem(str(path / "datapackage.json"), "retra.base_year", None,
                                    f"no employment data for the base year {base_year}"))
    keys = meta.get("key_years", [])
    if not (isinstance(keys, list) and all(isinstance(y, int) and base_year < y <= int(meta["horizon"]) for y in keys)
            and keys == sorted(set(keys))):
        chk.problems.append(Problem(str(path / "datapackage.json"), "retra.key_years", None,
                                    f"{keys!r}: the key years are a list of distinct years in ascending order after "
                                    f"the base year {base_year}, up to the horizon {meta['horizon']}"))
    chk.raise_if_any()
    _check_sums(chk, path / _resource(pkg, path, "employment_sector")["path"], emp, wz, national)
    chk.raise_if_any()

    order = {"district": list(districts["district"]), "sector": national.sector_codes}
    employment = (emp.set_index(["year", "district", "sector"])[["value", "low", "high"]]
                  .to_xarray().reindex(order))
    employment_wz = wz.set_index(["year", "district", "wz_group"])["value"].to_xarray().reindex(district=order["district"])
    exposure = exp.set_index(["district", "sector"])[["value", "low", "high"]].to_xarray().reindex(order)
    gva = gpe.set_index(["district", "sector"])[["value", "low", "high"]].to_xarray().reindex(order)
    for ds, unit in ((employment, "persons"), (exposure, "1"), (gva, "EUR thousand per job")):
        for v in ds.data_vars:
            ds[v].attrs["units"] = unit
    employment_wz.attrs["units"] = "persons"
    return Region(
        id=str(meta.get("region", path.name)), meta=meta, folder=path, package=pkg, national=national,
        districts=districts, employment=employment, employment_wz=employment_wz, exposure=exposure,
        gva_per_employee=gva, labs=labs, tables=_carry_forward(tables, base_year),
    )


def _check_complete(chk: _Checker, file: Path, df: pd.DataFrame, keys: list[str], expected: dict) -> None:
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        chk.add(file, ", ".join(keys), np.flatnonzero(dup), "the same key appears twice")
    for key, codes in expected.items():
        missing = sorted(set(codes) - set(df[key]))
        if missing:
            chk.problems.append(Problem(str(file), key, None, f"no rows for {', '.join(missing)}"))


TOTAL_GAP = 0.002
"""Largest relative gap allowed between TOTAL and the sum of the sectors [1]: the published
TOTAL includes a few persons without WZ assignment, so TOTAL = A + B-F + G-U holds exactly
in only about two thirds of the published rows (off by a few persons in the others)."""


def _descendants(wz_groups: pd.DataFrame) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {}
    for row in wz_groups.itertuples():
        if isinstance(row.parent, str) and row.parent:
            children.setdefault(row.parent, set()).add(row.wz_group)
    out: dict[str, set[str]] = {}

    def walk(g: str) -> set[str]:
        if g not in out:
            out[g] = {g}.union(*(walk(c) for c in children.get(g, set())))
        return out[g]

    for g in wz_groups["wz_group"]:
        walk(g)
    return out


def _check_sums(chk: _Checker, file: Path, emp: pd.DataFrame, wz: pd.DataFrame, national: National) -> None:
    """Sectors add up to each published, unsuppressed WZ group.

    A group's sectors are those mapped (``sector_wz.csv``) to the group or to groups below
    it. A sector mapped to several groups (business services = K + L + M-N) is checked
    against their sum. TOTAL is checked within :data:`TOTAL_GAP`. Vectorised over all
    district-years at once (one pivot per table), so that checking all 401 Kreise is fast.
    """
    mapped: dict[str, set[str]] = {}
    for row in national.sector_wz.itertuples():
        mapped.setdefault(row.sector, set()).add(row.wz_group)
    below = _descendants(national.wz_groups)
    checks: list[tuple[str, list[str], list[str]]] = []  # (label, sectors, groups summed)
    for group, inside in below.items():
        sectors = [s for s, gs in mapped.items() if gs <= inside]
        if sectors:
            checks.append((group, sectors, [group]))
    for sector, gs in mapped.items():
        if len(gs) > 1:
            checks.append(("+".join(sorted(gs)), [sector], sorted(gs)))
    if emp.empty:
        return
    keys = ["year", "district"]
    wide = emp.pivot_table(index=keys, columns="sector", values="value", aggfunc="sum")
    published = (wz.pivot_table(index=keys, columns="wz_group", values="value", aggfunc="sum", dropna=False)
                 .reindex(wide.index))
    # a published group counts only where it has a value (suppressed cells are empty)
    present = wz.assign(ok=wz["value"].notna()).pivot_table(index=keys, columns="wz_group", values="ok",
                                                             aggfunc="any").reindex(wide.index)
    line_of = pd.Series(np.arange(len(emp)), index=pd.MultiIndex.from_frame(emp[["year", "district", "sector"]]))
    found = []
    for order, (label, sectors, groups) in enumerate(checks):
        if not set(groups) <= set(published.columns):
            continue
        ok = present[groups].eq(True).all(axis=1)
        pub = published[groups].sum(axis=1).where(ok)
        total = wide.reindex(columns=sectors).sum(axis=1)
        tol = TOTAL_GAP * pub if label == "TOTAL" else 1e-6
        bad = pub.notna() & ((total - pub).abs() > tol)
        for (year, district) in bad.index[bad.to_numpy()]:
            found.append((year, district, order, label, sectors[0], total[(year, district)], pub[(year, district)]))
    for year, district, _, label, first, total, pub in sorted(found, key=lambda f: f[:3]):
        chk.add(file, "value", [line_of[(year, district, first)]],
                f"{district} {year}: the sectors of WZ group {label} add up to {total:,.0f}, "
                f"but the published figure is {pub:,.0f}")


def load_region(region: str | Path) -> Region:
    """Load a region's base data and check it.

    Parameters
    ----------
    region : str or pathlib.Path
        A region id (``"son"``, ``"swsn"``) or the path to a region folder.

    Returns
    -------
    Region

    Raises
    ------
    RegionNotFoundError
        No data package for that id.
    DataError
        A check failed; the message names file, column and row of each offender.
    """
    folder = region_dir(region)
    return _load_region_disk_cached(str(folder.resolve()))


@functools.lru_cache(maxsize=16)
def _load_region_disk_cached(folder: str) -> Region:
    """:func:`_load_region_cached`, kept on disk between processes under the hash of the data.

    The key is :func:`data_version` of the region's and the national folder (names and bytes
    of every file) with the hash of this module's code and the package version, so any change
    of the data or of the checks loads and checks afresh; the folder's path is part of the key
    too (a region remembers where it was loaded from), so that two copies of the data (two
    clones, a worktree) each keep their own entry instead of replacing each other's. ``RETRA_CACHE_DIR`` moves the cache
    (default ``~/.cache/retra``); ``RETRA_CACHE_DIR=off`` switches it off. Only the regions of
    the data folder are cached (not a test's copy elsewhere); a cache that cannot be read or
    written is ignored.
    """
    import os
    import pickle

    from . import __version__

    where = os.environ.get("RETRA_CACHE_DIR", str(Path.home() / ".cache" / "retra"))
    national = data_root() / "national"
    if where == "off" or not Path(folder).is_relative_to(data_root().resolve()):  # the shipped regions only
        return _load_region_cached(folder, None)
    code = hashlib.sha256(Path(__file__).read_bytes() + __version__.encode() + b"\0" + folder.encode()).hexdigest()[:12]
    version = data_version([Path(folder), national])
    cache = Path(where) / "regions" / f"{Path(folder).name}-{version}-{code}.pkl"
    try:
        with cache.open("rb") as fh:
            stored = pickle.load(fh)
        if isinstance(stored, Region) and str(stored.folder.resolve()) == folder:
            # the national package is shared by every region of the process, not one copy each
            region = replace(stored, national=load_national())
            region.__dict__["version"] = version
            return region
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    region = _load_region_cached(folder, None)
    region.__dict__["version"] = version
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(replace(region, national=None), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass
    return region


def codelists(region: str) -> dict:
    """What a scenario for ``region`` is checked against (see :meth:`Region.codelists`)."""
    return load_region(region).codelists()
