"""The ``retra calibrate`` and ``retra ensembles`` sub-commands.

``calibrate`` refits the cached posteriors with PyMC; ``ensembles`` rebuilds the cached
ensembles of the curated scenarios that the apps read (``data/ensembles/``). Wired into
:mod:`retra_model.cli` by lines in ``build_parser``::

    from .uncertainty.cli import add_parser as add_calibrate, add_ensembles_parser
    add_calibrate(sub)
    add_ensembles_parser(sub)

PyMC is imported only when ``calibrate`` runs, never when the parser is built.
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


def add_ensembles_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``ensembles`` to the ``retra`` sub-commands; returns its parser."""
    p = subparsers.add_parser(
        "ensembles", help="rebuild the cached ensembles of the curated scenarios (what the apps read)",
        description="Run every curated scenario of the regions with many draws and write the quantiles of the "
                    "aggregates the apps show to data/ensembles/<region>/<scenario>.nc, with provenance in "
                    "data/ensembles/datapackage.json. Only missing or stale caches are rebuilt.")
    p.add_argument("regions", nargs="*", metavar="REGION", help="region ids (default: son, swsn, … all with curated scenarios)")
    p.add_argument("--draws", type=int, default=None, help="draws per scenario (default 1000)")
    p.add_argument("--force", action="store_true", help="rebuild fresh caches too")
    p.add_argument("--check", action="store_true", help="write nothing; exit 5 if a cache is missing or stale")
    p.set_defaults(func=cmd_ensembles)
    return p


def cmd_ensembles(args: argparse.Namespace) -> int:
    """Rebuild (or, with ``--check``, check) the cached ensembles."""
    from . import ensemble

    status = ensemble.build_caches(list(args.regions) or None, draws=args.draws or ensemble.DRAWS,
                                   force=args.force, check=args.check)
    bad = [p for p, s in status.items() if s in ("stale", "missing")]
    if args.check and bad:
        print(f"retra ensembles: {len(bad)} cache(s) missing or stale; rebuild with: {ensemble.REBUILD}", file=sys.stderr)
        return 5
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m retra_model.uncertainty.cli`
    parser = argparse.ArgumentParser(prog="retra")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    add_ensembles_parser(sub)
    a = parser.parse_args()
    sys.exit(a.func(a))
