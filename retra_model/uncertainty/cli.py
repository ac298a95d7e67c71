"""The ``retra calibrate`` sub-command: refit the cached posteriors with PyMC.

Wired into :mod:`retra_model.cli` by two lines in ``build_parser``::

    from .uncertainty.cli import add_parser as add_calibrate
    add_calibrate(sub)

PyMC is imported only when the command runs, never when the parser is built.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

NAMES = ("bev_diffusion", "labour_intensity")


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``calibrate`` to the ``retra`` sub-commands; returns its parser."""
    p = subparsers.add_parser(
        "calibrate", help="refit the cached posteriors (PyMC; a minute or two)",
        description="Fit the Bayesian models of the BEV diffusion and of the labour per BEV to the data "
                    "in data/national/ and write data/posteriors/<name>.nc with the data hash, the "
                    "versions and the diagnostics. Needs the 'calibrate' extra (pymc, arviz).")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help=f"posteriors to fit: {', '.join(NAMES)} (default: all)")
    p.add_argument("--out", help="folder for the .nc files (default data/posteriors)")
    p.add_argument("--seed", type=int, default=20261126, help="sampler seed")
    p.add_argument("--quick", action="store_true", help="tiny sampler budget, for a smoke test (not for shipping)")
    p.add_argument("--cores", type=int, default=2, help="parallel chains (default 2)")
    p.set_defaults(func=cmd_calibrate)
    return p


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the requested posteriors, print diagnostics and summaries; 0 if all converged."""
    from ..errors import RetraError

    try:
        from . import calibrate
    except ImportError as exc:  # pymc missing
        raise RetraError(f"retra calibrate needs PyMC and ArviZ: pip install -e '.[calibrate]' ({exc})") from None
    from dataclasses import replace

    unknown = [n for n in args.names if n not in NAMES]
    if unknown:
        raise RetraError(f"unknown posterior {', '.join(repr(n) for n in unknown)}; retra calibrate fits: {', '.join(NAMES)}")
    budget = calibrate.QUICK if args.quick else replace(calibrate.Budget(), cores=args.cores)
    names = list(args.names) or list(NAMES)
    out = Path(args.out) if args.out else None
    logging.getLogger("pymc").setLevel(logging.WARNING)
    ok = True
    for name in names:
        print(f"fitting {name} …", flush=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            report = calibrate.CALIBRATIONS[name](budget, seed=args.seed, out_dir=out)
        d = report["diagnostics"]
        ok &= d["ok"] or args.quick
        print(f"  written {report['path']} ({report['seconds']:.0f} s sampling)")
        print(f"  R-hat max {d['rhat_max']:.3f}, ESS bulk min {d['ess_bulk_min']:.0f}, "
              f"ESS tail min {d['ess_tail_min']:.0f}, divergences {d['divergences']}"
              f"{'' if d['ok'] else '  — NOT CONVERGED: do not ship this cache'}")
        print(report["summary"].round(3).to_string())
        print()
    if not ok:
        print("retra calibrate: some fits did not pass R-hat < 1.01, ESS > 400, no divergences", file=sys.stderr)
    return 0 if ok else 4


if __name__ == "__main__":  # pragma: no cover - `python -m retra_model.uncertainty.cli`
    parser = argparse.ArgumentParser(prog="retra")
    add_parser(parser.add_subparsers(dest="command", required=True))
    a = parser.parse_args()
    sys.exit(a.func(a))
