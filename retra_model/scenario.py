"""Scenario files: the schema, ``extends:``, and located, strategist-friendly errors.

A scenario is a YAML file in ``scenarios/<region>/``. It is built only through
:meth:`Scenario.from_file` (or :meth:`Scenario.from_dict` for a file's content), which

1. reads the file safely (:mod:`retra_model.yamlfile`: no tags, no aliases, no duplicates),
2. merges the chain of ``extends:`` files (relative to the file, inside ``scenarios/``,
   cycles detected), a child overriding its parent key by key,
3. validates the result against the schema below with the region's codelists (districts,
   sectors, base year, horizon), and
4. raises one :class:`~retra_model.errors.ScenarioError` that lists *every* problem with
   its file, key path and line.

Every lever has a unit (:mod:`retra_model.units`). A lever may also be uncertain: instead of
a number write a distribution, e.g. ``{distribution: triangular, low: 0.4, mode: 0.5,
high: 0.67, source: "…"}``; ensembles draw from it, a deterministic run uses its centre.
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import units, yamlfile
from .errors import Problem, RetraWarning, ScenarioError
from .units import Kind

SCHEMA_VERSION = 1

# ---------------------------------------------------------------------------------------
# Values with units, possibly uncertain


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Distribution(_Strict):
    """An uncertain lever: a probability distribution in the lever's unit.

    ``uniform`` needs low, high; ``triangular`` low, mode, high; ``normal`` mean, sd and
    optionally low/high to truncate; ``posterior`` names a cached posterior
    (``bev_diffusion`` …) and uses its draws; ``parameter`` names a row of
    ``data/national/parameters.csv`` (or takes the lever's row in the table of levers) and is
    the triangular distribution of its low, value and high (a constant if it has no range),
    filled in from the data when the scenario is read (:func:`resolve_parameters`).
    """

    distribution: Literal["uniform", "triangular", "normal", "posterior", "parameter"]
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    name: str | None = None
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = {
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
            "posterior": ("name",),
            "parameter": ("name", "low", "mode", "high"),
        }[self.distribution]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise PydanticCustomError(
                "distribution", "a {d} distribution needs {m}", {"d": self.distribution, "m": ", ".join(missing)}
            )
        if self.low is not None and self.high is not None and self.low > self.high:
            raise PydanticCustomError("distribution", "low ({lo}) is above high ({hi})", {"lo": self.low, "hi": self.high})
        if self.mode is not None and not (self.low <= self.mode <= self.high):  # type: ignore[operator]
            raise PydanticCustomError("distribution", "mode must lie between low and high")
        if self.sd is not None and self.sd <= 0:
            raise PydanticCustomError("distribution", "sd must be above 0")
        return self

    def central(self) -> float:
        """The value a deterministic run uses [lever unit]."""
        if self.distribution in ("triangular", "parameter"):
            return float(self.mode)  # type: ignore[arg-type]
        if self.distribution == "uniform":
            return 0.5 * (float(self.low) + float(self.high))  # type: ignore[arg-type]
        if self.distribution == "normal":
            return float(self.mean)  # type: ignore[arg-type]
        import numpy as np

        from .uncertainty.draws import posterior_draws  # reads the cached netCDF; never samples

        return float(posterior_draws(str(self.name), np.array([0.5]), central=True)[0])


@dataclass(frozen=True, eq=False)
class LeverMark:
    """Marks a schema field as a lever read in ``kind``'s unit (bounds: :data:`LEVERS_FILE`)."""

    kind: Kind
    unit_required: bool = False


def _lever(kind: Kind, *, unit_required: bool = False):
    """Validator factory: read a number or a distribution in ``kind``'s unit.

    The bounds of each lever are not here but in one table, :data:`LEVERS_FILE`, checked by
    :func:`range_problems` on the file's values (with the key path, so each lever has its own).
    """

    def read(value: Any) -> Any:
        if isinstance(value, dict):
            converted = dict(value)
            for key in ("low", "mode", "high", "mean", "sd"):
                if key in converted:
                    converted[key] = read_number(converted[key])
            return converted
        if isinstance(value, Distribution):
            return value
        return read_number(value)

    def read_number(value: Any) -> float:
        try:
            return units.parse(value, kind, unit_required=unit_required)
        except units.UnitProblem as exc:
            raise PydanticCustomError("unit", "{msg}", {"msg": str(exc)}) from None

    return Annotated[float | Distribution, BeforeValidator(read), LeverMark(kind, unit_required),
                     WithJsonSchema(_lever_json_schema(kind, unit_required))]


_NUMBER_TEXT = r"^\s*[+-]?\d+(\.\d+)?([eE][+-]?\d+)?(\s*\S.*)?$"
"""A number, optionally followed by a unit (``"45 %"``, ``"2 %/yr"``); separators are refused."""


def _value_json_schema(kind: Kind, unit_required: bool) -> dict:
    text = {"type": "string", "pattern": _NUMBER_TEXT,
            "description": f"a number with a unit: {kind.describe()}; accepted units: "
                           f"{', '.join(u for u in kind.accepted if u) or kind.unit}"}
    return text if unit_required else {"anyOf": [{"type": "number"}, text]}


def _lever_json_schema(kind: Kind, unit_required: bool) -> dict:
    """JSON Schema of a lever: a number, a text with a unit, or a distribution (its bounds likewise)."""
    value = _value_json_schema(kind, unit_required)
    drawn = ["uniform", "triangular", "normal", "posterior"]  # a parameter brings its source from the data
    dist = {"type": "object", "additionalProperties": False, "required": ["distribution"],
            "if": {"properties": {"distribution": {"enum": drawn}}}, "then": {"required": ["source"]},
            "properties": {"distribution": {"enum": [*drawn, "parameter"]},
                           **{k: value for k in ("low", "mode", "high", "mean", "sd")},
                           "name": {"type": "string"}, "source": {"type": "string", "minLength": 3}}}
    return {"anyOf": [*value.get("anyOf", [value]), dist], "description": f"{kind.describe()}; or a distribution"}


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:g}"


Share = _lever(units.SHARE)
Ratio = _lever(units.RATIO)
Rate = _lever(units.RATE)
Spread = _lever(units.RATE)
Years = _lever(units.YEARS)
SteepYear = _lever(units.RATE)
YearValue = _lever(units.YEAR)
Index = _lever(units.INDEX)
GvaPerJob = _lever(units.EUR_THOUSAND_PER_JOB, unit_required=True)
Persons = _lever(units.PERSONS)
Delta = _lever(units.EXPONENT)
EurPerUnit = _lever(units.EUR_PER_UNIT, unit_required=True)
Hours = _lever(units.HOURS)
Quantity = _lever(units.QUANTITY)
Age = _lever(units.AGE)
Lead = Annotated[float, BeforeValidator(lambda v: units.parse(v, units.YEARS)), LeverMark(units.YEARS),
                 WithJsonSchema(_value_json_schema(units.YEARS, False))]


def value_of(x: float | Distribution) -> float:
    """The deterministic value of a lever [its unit]."""
    return x.central() if isinstance(x, Distribution) else float(x)


# ---------------------------------------------------------------------------------------
# The lever table: every lever once, with unit, bounds, plausible range and German label

LEVERS_FILE = Path(__file__).with_name("levers.csv")
"""The table of levers, one row per lever, the one place a lever is declared:

- ``key`` (key path, ``*`` for any district, year, item …) and ``unit``;
- ``low``/``high`` (outside: an error) and ``plausible_low``/``plausible_high`` (outside, within
  the bounds: a warning), checked by :func:`range_problems` and written into :func:`json_schema`;
- ``label_de`` and ``source`` (where the range comes from);
- ``parameter``: the row of ``data/national/parameters.csv`` that ``{distribution: parameter}``
  binds the lever to (value = mode, low/high = the range of a triangular distribution);
- ``slider`` … ``slider_help_de``: the Szenario-Explorer's slider (its key, German label and unit,
  range and step; :func:`retra_model.apps.levers.levers`).

The engine's random stream of a lever is its key path (:class:`retra_model.engine.Sampler`
refuses a stream no row declares); Sobol's inputs and the Hypothesis strategies of the tests
(:mod:`retra_model.testing`) come from the same rows."""


@dataclass(frozen=True)
class Slider:
    """How the Szenario-Explorer shows a lever [range in the lever's unit]."""

    key: str
    label_de: str
    unit_de: str
    low: float
    high: float
    step: float
    help_de: str

    @property
    def percent(self) -> bool:
        """Shown × 100 with a per-cent sign."""
        return self.unit_de.startswith("%")


@dataclass(frozen=True)
class LeverSpec:
    """One row of :data:`LEVERS_FILE` [bounds in the lever's unit]."""

    key: str
    unit: str
    low: float
    high: float
    plausible_low: float
    plausible_high: float
    label_de: str
    source: str
    parameter: str = ""
    slider: Slider | None = None

    @property
    def pattern(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


def _spec(r: dict) -> LeverSpec:
    slider = None
    if r["slider"]:
        slider = Slider(r["slider"], r["slider_label_de"], r["slider_unit_de"], float(r["slider_low"]),
                        float(r["slider_high"]), float(r["slider_step"]), r["slider_help_de"])
    return LeverSpec(r["key"], r["unit"], float(r["low"]), float(r["high"]), float(r["plausible_low"]),
                     float(r["plausible_high"]), r["label_de"], r["source"], r["parameter"], slider)


_LEVERS: list[LeverSpec] | None = None


def lever_table() -> list[LeverSpec]:
    """The rows of :data:`LEVERS_FILE`, in file order."""
    global _LEVERS
    if _LEVERS is None:
        with LEVERS_FILE.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
        bad = [r["key"] for r in rows if None in r or None in r.values()]
        if bad:
            raise ValueError(f"{LEVERS_FILE}: rows with more or fewer fields than the header: {', '.join(bad)}")
        _LEVERS = [_spec(r) for r in rows]
    return _LEVERS


def lever_spec(path: tuple) -> LeverSpec | None:
    """The table row whose key matches a concrete key path (``('projects', 'x', 'jobs', 2030)``)."""
    for spec in lever_table():
        pat = spec.pattern
        if len(pat) == len(path) and all(p == "*" or p == str(k) for p, k in zip(pat, path, strict=True)):
            return spec
    return None


def schema_levers() -> dict[str, LeverMark]:
    """Every lever of the schema by key pattern (``*`` for a dict key): what the table must declare."""
    import types
    import typing

    out: dict[str, LeverMark] = {}

    def visit(tp: Any, meta: list, at: tuple) -> None:
        marks = [m for m in meta if isinstance(m, LeverMark)]
        if marks:
            out[".".join(at)] = marks[0]
            return
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            visit(typing.get_args(tp)[0], [*meta, *tp.__metadata__], at)
        elif origin in (typing.Union, types.UnionType):
            for arg in typing.get_args(tp):
                if arg is not type(None):
                    visit(arg, meta, at)
        elif origin is dict:
            visit(typing.get_args(tp)[1], [], (*at, "*"))
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and tp is not Distribution:
            for name, field in tp.model_fields.items():
                visit(field.annotation, list(field.metadata), (*at, name))

    visit(Scenario, [], ())
    return out


def _at_pattern(data: Any, pattern: tuple, at: tuple = ()):
    """Yield (key path, value) of every entry of ``data`` matching ``pattern``."""
    if not pattern:
        yield at, data
        return
    if not isinstance(data, dict):
        return
    head, rest = pattern[0], pattern[1:]
    keys = list(data) if head == "*" else [head] if head in data else []
    for k in keys:
        yield from _at_pattern(data[k], rest, (*at, k))


PARAMETERS_FILE = Path("national") / "parameters.csv"
"""The literature parameters a lever can be bound to (``{distribution: parameter}``), under ``data/``."""


@functools.lru_cache(maxsize=4)
def _parameters(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["parameter"]: r for r in csv.DictReader(fh)}


def _unit_name(unit: str) -> str:
    """``1 per year`` and ``1/yr``, ``years`` and ``yr`` are one unit."""
    return unit.strip().replace(" per year", "/yr").replace("years", "yr")


def resolve_parameters(data: Any, where: dict, file: str) -> tuple[Any, list[Problem]]:
    """Fill in every ``{distribution: parameter}`` of a (merged) scenario from the data.

    ``name`` is the row of ``data/national/parameters.csv`` (default: the lever's ``parameter`` in
    the table of levers); low, mode and high become the row's low, value and high (all the value
    where the row has no range), ``source`` its source unless the file gives one. Returns the
    data with the values filled in and the problems, located: no row of that name, a row in
    another unit than the lever, or low/mode/high written in the file that differ from the row's.
    """
    from .packages import data_root

    problems: list[Problem] = []

    def visit(node: Any, at: tuple) -> Any:
        if isinstance(node, dict) and node.get("distribution") == "parameter":
            return resolve(node, at)
        if isinstance(node, dict):
            return {k: visit(v, (*at, k)) for k, v in node.items()}
        return node

    def resolve(node: dict, at: tuple) -> dict:
        spec = lever_spec(at)
        name = node.get("name") or (spec.parameter if spec else "")
        table = data_root() / PARAMETERS_FILE
        rows = _parameters(table)
        if not name:
            problems.append(_problem(where, at, file, "a parameter distribution needs name: <a row of "
                                     f"{PARAMETERS_FILE}>; this lever has no default row"))
            return node
        row = rows.get(str(name))
        if row is None:
            problems.append(_problem(where, (*at, "name"), file, f"no parameter '{name}' in {PARAMETERS_FILE}"
                                     f"{_suggest(str(name), list(rows))}"))
            return node
        if spec is not None and _unit_name(row["unit"]) != _unit_name(spec.unit):
            problems.append(_problem(where, (*at, "name"), file, f"the parameter '{name}' is in {row['unit']}, "
                                     f"{spec.label_de} ({spec.key}) in {spec.unit}"))
            return node
        value = float(row["value"])
        filled = {"low": float(row["low"] or value), "mode": value, "high": float(row["high"] or value)}
        for k, x in filled.items():
            if k in node and node[k] != x:
                problems.append(_problem(where, (*at, k), file, f"{k} is taken from {PARAMETERS_FILE} "
                                         f"('{name}': {_fmt(x)}); remove it, or write a triangular distribution"))
        source = node.get("source") or f"{row['source']} ({row['url']}; data/{PARAMETERS_FILE.as_posix()}: {name})"
        return {**node, **filled, "name": str(name), "source": source}

    return visit(data, ()), problems


def range_problems(data: dict, where: dict, file: str) -> tuple[list[Problem], list[Problem]]:
    """Check every lever of a (merged) scenario against the lever table.

    Returns
    -------
    errors, warnings : list of Problem
        A value outside the bounds is an error; outside the plausible range (within the
        bounds) a warning. Values that cannot be read are left to the schema's messages.
    """
    marks = schema_levers()
    errors: list[Problem] = []
    warns: list[Problem] = []
    for spec in lever_table():
        mark = marks.get(spec.key)
        if mark is None:
            continue
        for path, value in _at_pattern(data, spec.pattern):
            if isinstance(value, dict):
                items = [(k, value[k]) for k in ("low", "mode", "high", "mean") if k in value]
            else:
                items = [(None, value)]
            for sub, raw in items:
                try:
                    x = units.parse(raw, mark.kind, unit_required=mark.unit_required)
                except units.UnitProblem:
                    continue
                loc = path if sub is None else (*path, sub)
                msg, is_error = _range_message(x, spec, mark.kind)
                if msg:
                    (errors if is_error else warns).append(_problem(where, loc, file, msg))
    return errors, warns


def _range_message(x: float, spec: LeverSpec, kind: Kind) -> tuple[str | None, bool]:
    unit = "" if spec.unit == "1" else f" {spec.unit}"
    if x < spec.low or x > spec.high:
        if spec.unit == "1" and spec.high == 1 and 1 < x <= 100:
            return (f"{_fmt(x)} is above 1: a share is written as a fraction; did you mean {_fmt(x / 100)} "
                    f"(or '{_fmt(x)} %')?"), True
        hint = ""
        if kind is units.RATE and spec.low <= x / 100 <= spec.high:
            hint = f"; did you mean {_fmt(x / 100)} (or '{_fmt(x)} %/yr')?"
        return (f"{_fmt(x)} is out of range: {spec.label_de} ({spec.key}) must lie between {_fmt(spec.low)} and "
                f"{_fmt(spec.high)}{unit}{hint}"), True
    if x < spec.plausible_low or x > spec.plausible_high:
        return (f"{_fmt(x)} is outside the plausible range {_fmt(spec.plausible_low)} to "
                f"{_fmt(spec.plausible_high)}{unit} of {spec.label_de} ({spec.source}); check it"), False
    return None, False


def _problem(where: dict, loc: tuple, file: str, msg: str) -> Problem:
    """A Problem at a key path; a value inherited from another file is reported in the user's file."""
    f, ln = _origin(where, loc, file)
    key = yamlfile.format_path(loc)
    if file and not file.startswith("<") and f and Path(f).resolve() != Path(file).resolve():
        return Problem(file, key, None, f"{msg} — this value is inherited from {_short(f)}:{ln}; override it here")
    return Problem(f, key, ln, msg)


def _short(f: str) -> str:
    """A file name relative to the working directory where possible."""
    try:
        return str(Path(f).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(f)


# ---------------------------------------------------------------------------------------
# Context checks: years, districts, sectors


def _ctx(info: ValidationInfo) -> dict:
    return info.context or {}


def _check_year(year: Any, info: ValidationInfo) -> int:
    ctx = _ctx(info)
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int):
        raise PydanticCustomError("year", "'{y}' is not a year; write it as 2030", {"y": year})
    base, end = ctx.get("base_year"), ctx.get("end_year")
    if base is not None and year < base:
        raise PydanticCustomError(
            "year_before_base", "{y} is before the base year {b} of the data; the model starts in {b}",
            {"y": year, "b": base},
        )
    if end is not None and year > end:
        raise PydanticCustomError(
            "year_after_horizon", "{y} is after the horizon; the model runs to {e}", {"y": year, "e": end}
        )
    return year


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _check_district(code: Any, info: ValidationInfo) -> str:
    ctx = _ctx(info)
    districts: dict[str, str] = ctx.get("districts", {})
    if isinstance(code, int):
        raise PydanticCustomError(
            "district_int", "write the district code in quotes, e.g. \"{c}\" (a leading zero counts)",
            {"c": f"{code:05d}"},
        )
    code = str(code)
    if districts and code not in districts:
        by_name = {v.lower(): k for k, v in districts.items()}
        if code.lower() in by_name:
            raise PydanticCustomError(
                "district_name", "write the district code, not its name: \"{c}\" for {n}",
                {"c": by_name[code.lower()], "n": code},
            )
        listing = ", ".join(f"{k} {v}" for k, v in districts.items())
        raise PydanticCustomError(
            "district", "unknown district '{c}'{s}; the region has {l}",
            {"c": code, "s": _suggest(code, list(districts)), "l": listing},
        )
    return code


def _codelist(ctx_key: str, what: str, plural: str):
    """Validator: the value must be one of the codes in the context's ``ctx_key`` list."""

    def check(code: Any, info: ValidationInfo) -> str:
        codes: list[str] = _ctx(info).get(ctx_key, [])
        code = str(code)
        if codes and code not in codes:
            raise PydanticCustomError(
                ctx_key, "unknown {w} '{c}'{s}; {p} are {l}",
                {"w": what, "c": code, "s": _suggest(code, codes), "p": plural, "l": ", ".join(codes)},
            )
        return code

    return check


_check_sector = _codelist("sectors", "sector", "sectors")


District = Annotated[str, BeforeValidator(_check_district)]
Sector = Annotated[str, BeforeValidator(_check_sector)]
Year = Annotated[int, BeforeValidator(_check_year)]


# ---------------------------------------------------------------------------------------
# The schema, one section per driver


class Text(_Strict):
    """A text in German (for the council) and English."""

    de: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Trend(_Strict):
    """Structural trend per sector and district from the recent history (shift-share).

    Each sector × district keeps growing *relative to Germany's total employment* as it did
    over ``fit_years``, the difference fading with a half-life; the national level itself
    follows ``level_growth`` instead of the boom of the fit years.
    """

    fit_years: tuple[int, int] = Field(description="first and last year of the fit [yr]")
    half_life: Years = Field(description="years after which the trend's growth rate has halved [yr]")
    level_growth: Rate = Field(description="growth of employment in Germany as a whole, all sectors [1/yr]")
    shift_sd: Spread | None = Field(
        default=None, description="standard deviation of each district's growth against Germany, drawn once "
                                  "per district in ensembles; empty = the fitted shift is taken as certain [1/yr]")
    exclude_sectors: list[Sector] = Field(
        default_factory=list, description="sectors whose future is left to the explicit drivers"
    )
    source: str = Field(min_length=3)

    @field_validator("fit_years")
    @classmethod
    def _order(cls, v: tuple[int, int], info: ValidationInfo) -> tuple[int, int]:
        first, last = v
        hist = _ctx(info).get("history", (None, None))
        if first >= last:
            raise PydanticCustomError("fit_years", "the first fit year must be before the last")
        if hist[0] is not None and (first < hist[0] or last > hist[1]):
            raise PydanticCustomError(
                "fit_years", "the data cover {a}–{b}; fit years must lie inside", {"a": hist[0], "b": hist[1]}
            )
        return v


class Logistic(_Strict):
    """An S-curve of a powertrain's share of regional vehicle production."""

    midpoint_year: YearValue = Field(description="year the share reaches half its ceiling [yr]")
    steepness: SteepYear = Field(description="growth rate of the logistic curve [1/yr]")
    ceiling: Share = Field(description="share reached in the long run [1]")


class Hump(_Strict):
    """A bridging technology (PHEV): a bell-shaped share that rises and fades."""

    peak_share: Share = Field(description="highest share of production [1]")
    peak_year: YearValue = Field(description="year of the peak [yr]")
    width: Years = Field(description="standard deviation of the bell [yr]")


class LabourIntensity(_Strict):
    """Powertrain labour per vehicle relative to a combustion-engine vehicle (ICE = 1) [1]."""

    phev: Ratio
    bev: Ratio
    fcev: Ratio


class Electrification(_Strict):
    """Powertrain mix of the region's vehicle production and the labour it needs."""

    bev: Logistic
    phev: Hump
    fcev: Logistic
    district_lead: dict[District, Lead] = Field(
        default_factory=dict, description="years a district's production is ahead (+) of the regional curve [yr]"
    )
    labour_intensity: LabourIntensity
    source: str = Field(min_length=3)


class Volume(_Strict):
    """Vehicle output and labour productivity in vehicle production."""

    output_index: dict[Year, Index] = Field(
        description="vehicle output relative to the base year, linear between the given years [1]"
    )
    productivity_growth: Rate = Field(description="growth of output per employee [1/yr]")
    sectors: list[Sector] = Field(min_length=1)
    source: str = Field(min_length=3)

    @field_validator("output_index")
    @classmethod
    def _nonempty(cls, v: dict) -> dict:
        if not v:
            raise PydanticCustomError("empty", "give at least one year, e.g. {{2030: 0.9}}")
        return v


class Project(_Strict):
    """A dated project or programme with a ramp: a plant opening, a job-reduction agreement."""

    label: Text
    district: District
    sector: Sector
    jobs: dict[Year, Persons] = Field(
        description="change of jobs against the base year, linear between the given years, held after [persons]"
    )
    gva_per_job: GvaPerJob | None = Field(
        default=None, description="value added per job; empty = the sector's average in the district [EUR thousand per job]"
    )
    output_share: Share = Field(
        default=1.0, description="share of the job change that is a change of output (a plant, a capacity cut), "
                                 "which goes through the input-output model; the rest is labour per unit at "
                                 "constant output [1]")
    head_count: Persons | None = Field(
        default=None, description="jobs of the plants the programme names in the base year; given, the programme "
                                  "replaces the other drivers for these jobs (its ramp is then their whole path), "
                                  "instead of stacking on them [persons]")
    enabled: bool = True
    source: str = Field(min_length=3)

    @field_validator("jobs")
    @classmethod
    def _ramp(cls, v: dict) -> dict:
        if not v:
            raise PydanticCustomError("empty", "give the jobs for at least one year")
        return dict(sorted(v.items()))


class Gva(_Strict):
    """Value added follows employment through GVA per employee, with its own productivity path."""

    productivity_growth: Rate = Field(description="growth of real GVA per employee, all sectors [1/yr]")
    by_sector: dict[Sector, Rate] = Field(default_factory=dict, description="overrides per sector [1/yr]")
    rents_removed: Share = Field(
        default=1.0, description="share of the real-estate surplus (actual and imputed rents, 37 % of the GVA of "
                                 "business services in 2019) taken out of GVA per employee when jobs change; rents "
                                 "follow dwellings, not jobs [1]")
    source: str = Field(min_length=3)


class InputOutput(_Strict):
    """Indirect and induced effects through the regional input-output model (FLQ)."""

    flq_delta: Delta = Field(description="δ of Flegg's location quotient; larger = smaller regional multipliers [1]")
    induced: bool = Field(default=True, description="close the model for households (type II)")
    consumption_share: Share | None = Field(
        default=None, description="household spending on domestic products per euro of compensation; "
                                  "empty = the IO table's ratio (0.7434) [1]")
    replacement_rate: Share = Field(
        default=0.0, description="share of a lost wage bill that replacement income makes up (unemployment benefit, "
                                 "severance, partial retirement); the rest is lost household income [1]")
    scope: Literal["region", "district"] = Field(
        default="region", description="one table for the region (effects allocated by employment shares) "
                                      "or one per district (intra-district only)")
    source: str = Field(min_length=3)


_check_item = _codelist("infrastructure_items", "infrastructure item", "items")


Item = Annotated[str, BeforeValidator(_check_item)]


class InfrastructureItem(_Strict):
    """Build-out of one kind of infrastructure, its cost and where the money goes."""

    build_out: dict[District, dict[Year, Quantity]] = Field(
        default_factory=dict,
        description="units added since the base year (cumulative), linear between the given years, held after "
                    "[the item's unit: columns, points, wallboxes, MW, stations, vehicles]")
    capex: EurPerUnit | None = Field(default=None, description="investment per unit; empty = from the data [EUR]")
    om: EurPerUnit | None = Field(default=None, description="operation and maintenance per unit and year; "
                                                           "empty = from the data, or not counted [EUR]")
    split: dict[Sector, Share] = Field(description="share of the investment bought from each sector; sums to 1 [1]")
    om_sector: Sector | None = Field(default=None, description="the sector that is paid for O&M")
    regional_share: Share = Field(description="share of the spending that goes to firms in the region [1]")
    source: str = Field(min_length=3)

    @field_validator("split")
    @classmethod
    def _sums_to_one(cls, v: dict) -> dict:
        total = sum(value_of(x) for x in v.values())
        if v and abs(total - 1.0) > 1e-6:
            raise PydanticCustomError("split", "the shares add up to {t}; they must add up to 1",
                                      {"t": _fmt(round(total, 6))})
        return v

    @model_validator(mode="after")
    def _om_needs_sector(self) -> InfrastructureItem:
        if self.om is not None and self.om_sector is None:
            raise PydanticCustomError("om_sector", "give om_sector: the sector paid for operation and maintenance")
        return self


class OnDemand(_Strict):
    """Rural on-demand mobility (buses and shuttles on call): service hours → jobs in transport."""

    service_hours: dict[District, dict[Year, Hours]] = Field(
        default_factory=dict, description="additional service hours per year against the base year, linear "
                                          "between the given years [hours]")
    hours_per_job: Hours | None = Field(
        default=None, description="paid hours per driver job and year; required with service hours [hours]")
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _hours_need_jobs(self) -> OnDemand:
        if any(self.service_hours.values()) and self.hours_per_job is None:
            raise PydanticCustomError("hours_per_job", "give hours_per_job (paid hours per driver and year) "
                                                       "with a source to turn service hours into jobs")
        return self


class Infrastructure(_Strict):
    """Build-out of charging, grid and hydrogen infrastructure, and on-demand mobility."""

    items: dict[Item, InfrastructureItem] = Field(default_factory=dict)
    ondemand: OnDemand | None = None
    source: str = Field(min_length=3)


class Labour(_Strict):
    """Labour market: retirements, replacement and the occupation structure (post-processing)."""

    retirement_age: Age = Field(description="age at which employees leave the labour force [yr]")
    replacement_share: Share = Field(description="share of the jobs left by retirement that are filled again [1]")
    occupation_cross_weight: Share = Field(
        description="weight of an occupation group in the sectors that are not its home sectors, "
                    "relative to its home sectors, in the seed of the occupation × sector estimate [1]")
    # future of work (retra_model.labour.future_of_work); without them the defaults documented there
    attrition_share: Share | None = Field(
        default=None, description="share of the retirements in a shrinking cell that can absorb a job loss [1]")
    task_change_share: Share | None = Field(
        default=None, description="share of the incumbents in exposed occupations of combustion-dependent plants "
                                  "whose tasks change once production is fully battery-electric [1]")
    population_variant: Share | None = Field(
        default=None, description="population projection: 0 = low, 0.5 = moderate, 1 = high variant [1]")
    participation_growth: Rate | None = Field(
        default=None, description="yearly growth of the age-specific employment rates [1/yr]")
    source: str = Field(min_length=3)


class Scenario(_Strict):
    """A scenario: levers for each driver, a narrative, and where each assumption comes from."""

    schema_version: Literal[1] = 1
    region: str
    title: Text
    narrative: Text
    end_year: Year
    seed: int = Field(default=0, ge=0, description="seed for ensembles; same seed = same results")
    trend: Trend
    electrification: Electrification
    volume: Volume
    projects: dict[str, Project] = Field(default_factory=dict)
    gva: Gva
    input_output: InputOutput | None = Field(
        default=None, description="indirect and induced effects; without it they are not modelled (zero)")
    infrastructure: Infrastructure | None = Field(default=None, description="without it no build-out")
    labour: Labour | None = Field(default=None, description="levers of the labour-market tables")

    # Set by from_file / from_dict; not part of the file.
    model_config = ConfigDict(extra="forbid", frozen=True)

    @property
    def name(self) -> str:
        return self._name

    @property
    def file(self) -> Path | None:
        return self._file

    _name: str = "scenario"
    _file: Path | None = None
    _context: dict | None = None

    # -- construction ---------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | Path, *, context: dict | None = None) -> Scenario:
        """Read, merge and validate a scenario file.

        Parameters
        ----------
        path : str or pathlib.Path
            The YAML file.
        context : dict, optional
            Codelists to check against (``districts``, ``sectors``, ``base_year``,
            ``end_year``, ``history``); by default read from the region's data package.

        Raises
        ------
        ScenarioError
            Listing every problem with file, key path and line.
        """
        path = Path(path)
        data, where = _load_chain(path.resolve(), [])
        return cls._validate(data, where, str(path), path.stem, path, context)

    @classmethod
    def from_dict(cls, data: dict, *, name: str = "scenario", context: dict | None = None,
                  file: str = "<scenario>") -> Scenario:
        """Validate a scenario given as plain data (no ``extends:``).

        Values out of bounds are errors as in a file; values outside the plausible range are
        not warned about here (a program chose them), only in :meth:`from_file`.
        """
        data = dict(data)
        if "extends" in data:
            raise ScenarioError([Problem(file, "extends", None, "extends: only works in a file")])
        where = {k: (file, None) for k in _paths(data)}
        return cls._validate(data, where, file, name, None, context, warn=False)

    @classmethod
    def _validate(cls, data: Any, where: dict, file: str, name: str, path: Path | None,
                  context: dict | None, warn: bool = True) -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioError([Problem(file, "", None, "a scenario file must be a set of keys (key: value)")])
        problems = []
        region = data.get("region")
        if context is None:
            if not isinstance(region, str):
                raise ScenarioError([Problem(file, "region", _line(where, ("region",)),
                                             "say which region this scenario is for, e.g. region: son")])
            from .errors import RegionNotFoundError
            from .regions import (  # the data package holds the codelists
                codelists,
                known_regions,
            )

            try:
                context = codelists(region)
            except RegionNotFoundError:
                raise ScenarioError([_problem(
                    where, ("region",), file,
                    f"unknown region '{region}'{_suggest(region, known_regions())}; "
                    f"regions are {', '.join(known_regions())}")]) from None
        given_context = context
        context = dict(context)
        end = data.get("end_year")
        if isinstance(end, int) and not isinstance(end, bool):
            horizon = context.get("horizon")
            # years (end_year included) are checked against the scenario's end, capped by the data's horizon
            context.setdefault("end_year", min(end, horizon or end))
        data, unresolved = resolve_parameters(data, where, file)
        problems.extend(unresolved)
        errors, warns = range_problems(data, where, file)
        problems.extend(errors)
        try:
            scenario = cls.model_validate(data, context=context)
        except ValidationError as exc:
            # a parameter that could not be filled in is reported once, not again as incomplete
            failed = tuple(p.path.removesuffix(".name") for p in unresolved)
            problems.extend(p for p in _translate(exc, where, file)
                            if not any(p.path == f or p.path.startswith(f + ".") for f in failed))
        if problems:
            raise ScenarioError(_dedupe(problems))
        for w in warns if warn else ():
            warnings.warn(str(w), RetraWarning, stacklevel=3)
        scenario._name = name
        scenario._file = path
        scenario._context = given_context
        return scenario

    # -- output ----------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The merged scenario as plain data, as it would be written to a file."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_yaml(self) -> str:
        """The merged scenario as a self-contained YAML text (no ``extends:``)."""
        return yamlfile.dump(self.to_dict())

    def digest(self) -> str:
        """SHA-256 of the merged scenario's canonical JSON: the scenario hash in provenance."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def check(self, region) -> dict:
        """Run every driver's ``inputs(scenario, region)``: its data lookups and checks.

        Raises the located :class:`~retra_model.errors.ScenarioError` that a run would raise
        for missing or unusable data (:func:`retra_model.drivers.registry.check`); returns
        the inputs by driver.
        """
        from .drivers import registry

        return registry.check(self, region)

    def replace(self, changes: dict) -> Scenario:
        """A copy with some keys changed (nested dicts merge), validated again."""
        merged = _merge(self.to_dict(), changes)
        # a programmatic change (an app's slider) is bounded by the table but not warned about
        where = {k: ("<scenario>", None) for k in _paths(merged)}
        return Scenario._validate(merged, where, "<scenario>", self.name, None, self._context, warn=False)


def _inline(schema: dict, holder: dict | list, key: Any) -> dict:
    """``holder[key]`` with its ``$ref`` replaced by a copy of the definition, so that a lever's
    annotation lands at its own key path (``Logistic`` serves both ``bev`` and ``fcev``)."""
    import copy

    node = holder[key]
    while isinstance(node, dict) and "$ref" in node:
        target = copy.deepcopy(schema["$defs"][node["$ref"].split("/")[-1]])
        node = {**{k: v for k, v in node.items() if k != "$ref"}, **target}
        holder[key] = node
    return node


def _slots(schema: dict, holder: dict | list, key: Any, part: str):
    """The (container, key) pairs under ``holder[key]`` where the schema of ``part`` sits (``*``: any key)."""
    node = _inline(schema, holder, key)
    if "properties" not in node and "additionalProperties" not in node:
        for i in range(len(node.get("anyOf", []))):  # an optional section: its object branch
            yield from _slots(schema, node["anyOf"], i, part)
        return
    container, sub = (node, "additionalProperties") if part == "*" else (node.get("properties", {}), part)
    if isinstance(container.get(sub), dict):
        yield container, sub


def lever_json_schema_at(schema: dict, pattern: tuple[str, ...]) -> dict:
    """The schema of a lever (number, text with unit or distribution) at a key pattern."""
    slots = [({"root": schema}, "root")]
    for part in pattern:
        slots = [slot for holder, key in slots for slot in _slots(schema, holder, key, part)]
    if not slots:
        raise KeyError(".".join(pattern))
    node = _inline(schema, *slots[0])
    while not any(b.get("type") in ("number", "string") for b in node.get("anyOf", [])):
        node = next(b for b in node["anyOf"] if "anyOf" in b)  # an optional lever: its non-null branch
    return node


def _annotate_levers(schema: dict) -> None:
    """Write each lever's German label, bounds and plausible range from the table into the schema:
    ``minimum``/``maximum`` on a plain number, the ranges in words for a text with a unit."""
    for spec in lever_table():
        node = lever_json_schema_at(schema, spec.pattern)
        unit = "" if spec.unit == "1" else f" {spec.unit}"
        node["title"] = spec.label_de
        node["description"] = (f"{spec.key}: between {_fmt(spec.low)} and {_fmt(spec.high)}{unit}, plausible "
                               f"{_fmt(spec.plausible_low)} to {_fmt(spec.plausible_high)}{unit} ({spec.source}); "
                               f"{node.get('description', '')}").rstrip("; ")
        node["anyOf"] = [{**b, "minimum": spec.low, "maximum": spec.high} if b.get("type") == "number" else b
                         for b in node["anyOf"]]


def json_schema() -> dict:
    """JSON Schema (2020-12) of what :meth:`Scenario.from_file` accepts.

    A file without ``extends:`` must be complete; a file with it may give any part of any
    section (its parent supplies the rest) and must state its own title and narrative.
    Levers accept a number, a text with a unit (``"45 %"``) or a distribution.
    """
    import copy

    full = copy.deepcopy(Scenario.model_json_schema())
    _annotate_levers(full)
    defs = full.pop("$defs", {})

    def partial(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: partial(v) for k, v in node.items() if k != "required"}
            if "$ref" in out:
                out["$ref"] = out["$ref"].replace("#/$defs/", "#/$defs/Partial")
            return out
        if isinstance(node, list):
            return [partial(v) for v in node]
        return node

    extends = {"type": "string", "minLength": 1,
               "description": "the parent scenario file, relative to this one (in scenarios/user/<region>/: "
                              "a curated file of the region, e.g. baseline.yaml)"}
    complete = copy.deepcopy(full)
    diff = partial(full)
    diff["properties"]["extends"] = extends
    diff["required"] = ["extends", "title", "narrative"]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "retra scenario",
        "description": "A retra scenario file (YAML). With extends: only what differs from the parent.",
        "type": "object",
        "$defs": {**defs, **{f"Partial{k}": partial(v) for k, v in defs.items()}},
        "if": {"required": ["extends"]},
        "then": diff,
        "else": complete,
    }
    return schema


# ---------------------------------------------------------------------------------------
# extends: chains


def scenarios_root(path: Path) -> Path:
    """The ``scenarios/`` folder a file lives in (its nearest ancestor of that name)."""
    for parent in path.parents:
        if parent.name == "scenarios":
            return parent
    return path.parent


def _load_chain(path: Path, seen: list[Path]) -> tuple[dict, dict]:
    data, lines = yamlfile.load(path)
    file = str(path)
    where = {k: (file, v) for k, v in lines.items()}
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, "", 1, "a scenario file must be a set of keys (key: value)")])
    missing_own = [k for k in ("title", "narrative") if k not in data]
    if missing_own:
        raise ScenarioError([Problem(file, k, None,
                                     f"every scenario file states its own {k} in German and English "
                                     f"({k}: {{de: …, en: …}})") for k in missing_own])
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return data, where
    line = lines.get(("extends",))
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise ScenarioError([Problem(file, "extends", line, "extends: takes a file name, e.g. baseline.yaml")])
    root = scenarios_root(path).resolve()
    target = (path.parent / parent_ref).resolve()
    if (not target.exists() or target == path) and target.is_relative_to(root):
        # scenarios/user/<region>/mine.yaml: extends: baseline.yaml means the region's curated baseline
        regions = [r for r in (data.get("region"), path.parent.name) if isinstance(r, str) and r]
        for region in regions:
            curated = (root / region / parent_ref).resolve()
            if curated.exists() and curated.is_relative_to(root):
                target = curated
                break
    if not target.is_relative_to(root):
        raise ScenarioError([Problem(file, "extends", line,
                                     f"'{parent_ref}' points outside the scenarios folder {root}; "
                                     "extend a scenario inside it")])
    if not target.exists():
        near = [p.name for p in path.parent.glob("*.yaml")]
        raise ScenarioError([Problem(file, "extends", line,
                                     f"the file '{parent_ref}' does not exist{_suggest(parent_ref, near)}")])
    chain = [*seen, path]
    if target in chain:
        loop = " → ".join(p.name for p in [*chain, target])
        raise ScenarioError([Problem(file, "extends", line, f"extends: goes round in a circle: {loop}")])
    parent, parent_where = _load_chain(target, chain)
    merged = _merge(parent, data)
    merged_where = dict(parent_where)
    for key in list(merged_where):
        # a key the child replaces wholesale (a non-dict value) drops the parent's sub-keys
        if _replaced(data, key):
            merged_where.pop(key)
    merged_where.update(where)
    return merged, merged_where


def _replaced(child: dict, key: tuple) -> bool:
    node: Any = child
    for i, part in enumerate(key):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
        if (not isinstance(node, dict) or "distribution" in node) and i < len(key) - 1:
            return True
    return True


def _merge(base: dict, override: dict) -> dict:
    """``override`` merged into ``base`` key by key; a distribution replaces a value as a whole
    (a child's ``{distribution: uniform, …}`` keeps no ``mode`` of its parent's triangle)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and "distribution" not in value:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _paths(data: Any, at: tuple = ()) -> list[tuple]:
    out = [at]
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(_paths(v, (*at, k)))
    return out


# ---------------------------------------------------------------------------------------
# Error translation: pydantic's errors → a strategist's words, with file and line


def _line(where: dict, loc: tuple) -> int | None:
    return _origin(where, loc, "")[1]


def _origin(where: dict, loc: tuple, file: str) -> tuple[str, int | None]:
    """File and line of a key path, or of its nearest ancestor that has one."""
    for n in range(len(loc), -1, -1):
        hit = where.get(tuple(loc[:n]))
        if hit is not None and hit[1] is not None:
            return hit
    return (file, None)


def _fields_at(loc: tuple) -> list[str]:
    """The keys allowed at a location of the schema (for 'did you mean')."""
    import types
    import typing

    model: Any = Scenario
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(part))
            if field is None:
                return []
            model = field.annotation
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
        else:
            return []
        while typing.get_origin(model) in (typing.Union, types.UnionType, typing.Annotated):
            args = [a for a in typing.get_args(model) if a is not type(None)]
            model = args[0]
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _translate(exc: ValidationError, where: dict, file: str) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and (
            p.startswith("function-") or p in ("float", "Distribution", "int", "str"))))
        kind = err["type"]
        if kind == "extra_forbidden":
            key = loc[-1]
            allowed = _fields_at(loc[:-1])
            msg = f"unknown key '{key}'{_suggest(str(key), allowed)}"
            if allowed and not _suggest(str(key), allowed):
                msg += f"; allowed here: {', '.join(allowed)}"
        elif kind == "missing":
            msg = f"'{loc[-1]}' is missing here; every scenario needs it (see scenarios/*/baseline.yaml)"
        elif kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
            val = err.get("input")
            msg = (units.separator_problem(val.strip()) if isinstance(val, str) else None) or f"'{val}' is not a number"
        elif kind == "literal_error":
            msg = f"'{err.get('input')}' is not allowed; {err['msg'].replace('Input should be', 'use')}"
        elif kind == "union_tag_invalid" or kind == "model_type":
            msg = "expected a set of keys here (key: value)"
        elif kind == "dict_type":
            msg = "expected a set of keys here (key: value), e.g. {2030: 0.9}"
        elif kind == "list_type":
            msg = "expected a list here, e.g. [vehicles]"
        elif kind == "string_too_short":
            msg = "this text must not be empty; say where the assumption comes from"
        elif kind == "string_type":
            msg = "expected a text here"
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
        problems.append(_problem(where, loc, file, msg))
    return problems


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """Drop the union's echo: the same place reported once as number and once as distribution."""
    seen: dict[tuple, Problem] = {}
    for p in problems:
        key = (p.file, p.path)
        if key in seen and "expected a set of keys" in p.message:
            continue
        if key in seen and "expected a set of keys" in seen[key].message:
            seen[key] = p
            continue
        seen.setdefault(key, p)
        if seen[key] is not p and p.message != seen[key].message:
            seen[(p.file, p.path, p.message)] = p
    return list(seen.values())
