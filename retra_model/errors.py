"""All of retra's exceptions and warnings, in one place.

Every error a user can cause by a mistake of theirs (a scenario file, an edited data file,
a command-line argument) is a :class:`RetraError`. The command line prints its message
and exits with a non-zero code; it never shows a traceback for these.
"""

from __future__ import annotations

from dataclasses import dataclass


class RetraWarning(UserWarning):
    """A warning of retra's own (tests turn these into errors)."""


class RetraError(Exception):
    """Base class of every error caused by input the user can fix."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file.

    Parameters
    ----------
    file : str
        The file the problem is in.
    path : str
        The key path inside the file, e.g. ``electrification.bev.midpoint_year``
        (scenario) or the column name (data table).
    line : int or None
        1-based line number in the file, where known.
    message : str
        What is wrong, in words a strategist understands, and how to fix it.
    """

    file: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class ProblemsError(RetraError):
    """An error that lists every offender at once."""

    title = "Problems found"

    def __init__(self, problems: list[Problem], title: str | None = None):
        if not problems:
            raise ValueError("ProblemsError needs at least one problem")
        self.problems = list(problems)
        if title is not None:
            self.title = title
        n = len(self.problems)
        if n == 1:  # one problem, one line
            super().__init__(f"{self.title}: {self.problems[0]}")
            return
        head = f"{self.title} ({n} problems):"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class ScenarioError(ProblemsError):
    """A scenario file is not valid; lists every problem with file, key path and line."""

    title = "The scenario file is not valid"


class DataError(ProblemsError):
    """A data file under ``data/`` is broken; names the file, the column and the row."""

    title = "The base data did not pass its checks"
    exit_code = 3


class RegionNotFoundError(RetraError):
    """No data package for the requested region."""


class OutputExistsError(RetraError):
    """The results folder exists already and ``--force`` was not given."""


class CacheError(RetraError):
    """A cached posterior or ensemble is missing or was made from other data."""
