"""The unit vocabulary of retra, and the parser for values written with a unit.

One notation everywhere (docstrings, data packages, result attributes):

========================  =====================================================
unit                      meaning
========================  =====================================================
``persons``               employees subject to social insurance (SvB) or persons
``EUR million``           euros, current prices of the base year
``EUR thousand per job``  value added (or output) per employee
``1``                     a share or ratio (dimensionless, usually in [0, 1])
``1/yr``                  a rate per year (0.02 = 2 % a year)
``yr``                    a calendar year or a number of years
``units``                 a count of physical things (charging points, vehicles)
``EUR``                   euros per unit of an infrastructure item
``hours``                 hours (of service, of work)
========================  =====================================================

In a scenario file a value may be written as a plain number in the lever's unit
(``0.45``), or as text with a unit (``"45 %"``, ``"2 %/yr"``, ``"95 EUR thousand"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^\s*([+-]?\d[\d.,]*(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")
_PLAIN = re.compile(r"^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_DOT_GROUPS = re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+$")
_COMMA_GROUPS = re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+$")
_GERMAN = re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+,\d+$")
_ENGLISH = re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+\.\d+$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


@dataclass(frozen=True)
class Kind:
    """What a lever measures: its unit and the other units accepted with their factors."""

    name: str
    unit: str
    accepted: dict[str, float]
    example: str

    def describe(self) -> str:
        return f"{self.name} in {self.unit} (for example {self.example})"


SHARE = Kind("a share", "1", {"1": 1.0, "%": 0.01, "percent": 0.01, "prozent": 0.01}, "0.45 or '45 %'")
RATE = Kind(
    "a rate per year",
    "1/yr",
    {"1/yr": 1.0, "/yr": 1.0, "%/yr": 0.01, "% per year": 0.01, "% pro jahr": 0.01, "%/jahr": 0.01, "% im jahr": 0.01,
     "%/a": 0.01, "% p.a.": 0.01, "% p. a.": 0.01},
    "0.02 or '2 %/yr'",
)
YEARS = Kind("a number of years", "yr", {"yr": 1.0, "years": 1.0, "jahre": 1.0, "a": 1.0}, "10 or '10 yr'")
YEAR = Kind("a calendar year", "yr", {"": 1.0}, "2030")
PERSONS = Kind("a number of persons", "persons", {"persons": 1.0, "jobs": 1.0, "beschäftigte": 1.0}, "5000")
RATIO = Kind("a ratio to the combustion-engine vehicle", "1", {"1": 1.0, "%": 0.01}, "0.6 or '60 %'")
INDEX = Kind("an index relative to the base year", "1", {"1": 1.0, "%": 0.01}, "0.9 or '90 %'")
COUNT = Kind("a number of units", "units", {"units": 1.0, "stück": 1.0}, "250")
EUR_THOUSAND_PER_JOB = Kind(
    "value added per employee",
    "EUR thousand per job",
    {"eur thousand": 1.0, "eur thousand per job": 1.0, "teur": 1.0, "tsd. eur": 1.0, "eur": 0.001,
     "eur million": 1000.0, "mio. eur": 1000.0},
    "'95 EUR thousand'",
)
EUR_MILLION = Kind(
    "an amount of money",
    "EUR million",
    {"eur million": 1.0, "mio. eur": 1.0, "eur thousand": 0.001, "teur": 0.001, "eur": 1e-6,
     "eur billion": 1000.0, "mrd. eur": 1000.0},
    "'12.5 EUR million'",
)


EUR_PER_UNIT = Kind(
    "a cost per unit",
    "EUR",
    {"eur": 1.0, "eur per unit": 1.0, "eur thousand": 1000.0, "teur": 1000.0, "tsd. eur": 1000.0,
     "eur million": 1e6, "mio. eur": 1e6},
    "'10000 EUR' or '1.2 EUR million'",
)
HOURS = Kind("a number of hours", "hours", {"hours": 1.0, "h": 1.0, "stunden": 1.0}, "'1600 hours'")
QUANTITY = Kind("an amount in the item's unit", "units",
                {"units": 1.0, "stück": 1.0, "points": 1.0, "columns": 1.0, "wallboxes": 1.0, "mw": 1.0,
                 "stations": 1.0, "vehicles": 1.0}, "250")
EXPONENT = Kind("an exponent", "1", {"1": 1.0}, "0.3")
AGE = Kind("an age", "yr", {"yr": 1.0, "years": 1.0, "jahre": 1.0}, "67")


class UnitProblem(ValueError):
    """A value could not be read in the expected unit; the message says how to write it."""


def _g(x: float) -> str:
    """A number as a user writes it: no exponent, no trailing zeros, no separators."""
    text = f"{x:.12f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _with_unit(number: str, unit: str) -> str:
    return f"'{number} {unit}'" if unit else number


def is_grouped(text: str) -> bool:
    """True if ``text`` looks like a number with thousands separators (``4.000``, ``1.200.000``)."""
    text = text.strip()
    return bool(_DOT_GROUPS.match(text) or _COMMA_GROUPS.match(text) or _GERMAN.match(text)
                or _ENGLISH.match(text))


def separator_problem(number: str, unit: str = "") -> str | None:
    """Why a number written with ``.`` or ``,`` separators is not read, or None if it is plain.

    Every reading the text allows is named; a hint never suggests a different number than the
    one the user meant, so a text with two readings is refused with both.

    Parameters
    ----------
    number : str
        The number as written, e.g. ``"45.000"``, ``"1.200.000"``, ``"0,5"``.
    unit : str
        The unit written after it (repeated in the hint).

    Examples
    --------
    >>> print(separator_problem("4.000"))
    '4.000' can be read two ways: 4 (decimal point) or 4000 (German thousands separator); write 4 or 4000, without separators
    >>> print(separator_problem("0,5", "%/Jahr"))
    '0,5 %/Jahr' uses a decimal comma; write a decimal point: '0.5 %/Jahr'
    >>> separator_problem("0.45") is None
    True
    """
    shown = f"{number} {unit}".strip()
    if _DOT_GROUPS.match(number) or _COMMA_GROUPS.match(number):
        sep = "." if "." in number else ","
        grouped = _g(float(number.replace(sep, "")))
        if number.count(sep) == 1:
            decimal = _g(float(number.replace(",", ".")))
            name = "decimal point" if sep == "." else "decimal comma"
            other = "German" if sep == "." else "English"
            return (f"'{shown}' can be read two ways: {decimal} ({name}) or {grouped} ({other} thousands "
                    f"separator); write {_with_unit(decimal, unit)} or {_with_unit(grouped, unit)}, without separators")
        return (f"'{shown}' is not a decimal number; with '{sep}' as thousands separator it reads {grouped}: "
                f"write {_with_unit(grouped, unit)}, without separators")
    if _GERMAN.match(number):
        value = _g(float(number.replace(".", "").replace(",", ".")))
        return f"'{shown}' is written with German separators ({value}); write {_with_unit(value, unit)}"
    if _ENGLISH.match(number):
        value = _g(float(number.replace(",", "")))
        return f"'{shown}' has thousands separators ({value}); write {_with_unit(value, unit)}"
    if _DECIMAL_COMMA.match(number):
        return f"'{shown}' uses a decimal comma; write a decimal point: {_with_unit(number.replace(',', '.'), unit)}"
    if _PLAIN.match(number):
        return None
    return f"'{shown}' is not a number"


def parse(value: object, kind: Kind, *, unit_required: bool = False) -> float:
    """Read a number, or a text with a number and a unit, in the unit of ``kind``.

    Parameters
    ----------
    value : int, float or str
        What the user wrote.
    kind : Kind
        What the lever measures.
    unit_required : bool
        If true, a bare number is refused (used for money, where a missing unit is the
        most expensive mistake).

    Returns
    -------
    float
        The value in ``kind.unit``.

    Raises
    ------
    UnitProblem
        With a message that names the expected unit and gives an example.

    Examples
    --------
    >>> parse("45 %", SHARE)
    0.45
    >>> parse("2 %/yr", RATE)
    0.02
    >>> parse("1.5 EUR million", EUR_THOUSAND_PER_JOB)
    1500.0
    >>> parse("45.000 EUR", EUR_PER_UNIT)
    Traceback (most recent call last):
    ...
    retra_model.units.UnitProblem: '45.000 EUR' can be read two ways: 45 (decimal point) or 45000 (German thousands separator); write '45 EUR' or '45000 EUR', without separators
    """
    if isinstance(value, bool) or value is None:
        raise UnitProblem(f"expected {kind.describe()}, got {value!r}")
    if isinstance(value, (int, float)):
        if unit_required:
            raise UnitProblem(f"write the unit too: {kind.describe()}")
        return float(value)
    if not isinstance(value, str):
        raise UnitProblem(f"expected {kind.describe()}, got a {type(value).__name__}")
    match = _NUMBER.match(value)
    if not match:
        raise UnitProblem(f"'{value}' is not a number; expected {kind.describe()}")
    number, written_unit = match.group(1), match.group(2).strip()
    unit = written_unit.lower()
    problem = separator_problem(number, written_unit)
    if problem is not None:
        raise UnitProblem(problem)
    factor = kind.accepted.get(unit)
    if factor is None and unit == "" and not unit_required:
        factor = 1.0
    if factor is None:
        if unit == "":
            raise UnitProblem(f"write the unit too: {kind.describe()}")
        raise UnitProblem(
            f"'{unit}' is not a unit for {kind.name}; use {kind.unit} (for example {kind.example})"
        )
    return round(float(number) * factor, 12)
