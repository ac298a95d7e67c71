"""German number formats for everything the council sees: 1.234,5 · 12,3 % · −1.234.

Numbers are rounded half away from zero (1234.5 → 1.235), as a reader expects, not
half to even as Python's ``round`` does. Negative numbers carry the typographic minus
sign (U+2212), the same one Plotly draws on its axes.

>>> fmt_int(1234.5)
'1.235'
>>> fmt_num(1234.5, 1)
'1.234,5'
>>> fmt_pct(0.123)
'12,3 %'
>>> fmt_int(-1234, sign=True)
'−1.234'
>>> fmt_persons(12345.4)
'12.345 Beschäftigte'
>>> fmt_eur_mio(1234.56)
'1.234,6 Mio. €'
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

MINUS = "\u2212"
"""Typographic minus sign."""

MISSING = "–"
"""What a missing value (None, NaN) is shown as."""

PLOTLY_SEPARATORS = ",."
"""Plotly ``layout.separators`` for German numbers: decimal comma, thousands point."""


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_num(x: float | None, decimals: int = 0, *, sign: bool = False) -> str:
    """A number with German separators, ``decimals`` places, optional ``+`` for positives.

    >>> fmt_num(-0.04, 1)
    '0,0'
    >>> fmt_num(1234567.891, 2, sign=True)
    '+1.234.567,89'
    """
    if _missing(x):
        return MISSING
    q = Decimal(1).scaleb(-decimals)
    d = Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # no "−0"
    body = f"{abs(d):,.{decimals}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")
    if d < 0:
        return MINUS + body
    return ("+" if sign and d > 0 else "") + body


def fmt_int(x: float | None, *, sign: bool = False) -> str:
    """A whole number with thousands points: ``1.235``, ``+1.234``, ``−1.234``."""
    return fmt_num(x, 0, sign=sign)


def fmt_pct(x: float | None, decimals: int = 1, *, sign: bool = False) -> str:
    """A share (0.123) as per cent: ``12,3 %``.

    >>> fmt_pct(-0.0456, sign=True)
    '−4,6 %'
    """
    if _missing(x):
        return MISSING
    return f"{fmt_num(100 * float(x), decimals, sign=sign)} %"


def fmt_persons(x: float | None, *, sign: bool = False) -> str:
    """Persons, unit spelled out: ``12.345 Beschäftigte``."""
    return f"{fmt_int(x, sign=sign)} Beschäftigte"


def fmt_eur_mio(x: float | None, decimals: int = 1, *, sign: bool = False) -> str:
    """Euro millions, unit spelled out: ``1.234,6 Mio. €``."""
    return f"{fmt_num(x, decimals, sign=sign)} Mio. €"


def fmt_range(low: float | None, high: float | None, fmt=fmt_int) -> str:
    """An interval ``low bis high`` in one format: ``1.200 bis 3.400``."""
    return f"{fmt(low)} bis {fmt(high)}"


def round_to(x: float, digits: int = 2) -> float:
    """Round to ``digits`` significant digits, for 'rund …' in plain-language text.

    >>> round_to(16745)
    17000.0
    >>> round_to(-1234)
    -1200.0
    """
    if x == 0 or _missing(x):
        return 0.0
    scale = 10 ** (digits - 1 - int(math.floor(math.log10(abs(x)))))
    q = Decimal(repr(float(x) * scale)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(q) / scale
