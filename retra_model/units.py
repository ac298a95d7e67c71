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

_NUMBER = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")


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
    {"1/yr": 1.0, "/yr": 1.0, "%/yr": 0.01, "% per year": 0.01, "% pro jahr": 0.01, "%/a": 0.01, "% p.a.": 0.01},
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
    number, unit = match.group(1), match.group(2).strip().lower()
    if "," in number:
        raise UnitProblem(
            f"'{value}' uses a decimal comma; write a decimal point: {number.replace(',', '.')}"
        )
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
