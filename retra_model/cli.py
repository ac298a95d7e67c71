"""The ``retra`` command: validate, run, compare, report, backtest, schema, list.

Exit codes: 0 success, 1 unexpected failure (a bug: please report it), 2 a problem in a
scenario file or an argument, 3 a problem in the base data, 130 interrupted. For problems
the user can fix, the command prints a located message and never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import RetraError, RetraWarning


def _scenario_files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        out.extend(sorted(path.rglob("*.yaml")) if path.is_dir() else [path])
    return out


def cmd_validate(args: argparse.Namespace) -> int:
    """Check scenario files: the schema, the lever table, and every check ``retra run`` makes.

    The run's own checks (an infrastructure item without a cost, projects that take more jobs
    than a sector has, …) need the base data, so each valid file is also evaluated once
    deterministically, every driver and lookup as in ``retra run`` (a fraction of a second);
    each region is loaded and checked once, and the results Dataset is never built.
    """
    import warnings

    from .engine import Sampler, evaluate
    from .errors import DataError, ScenarioError
    from .regions import load_region
    from .scenario import Scenario

    failed = 0
    regions: dict = {}
    for path in _scenario_files(args.files):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RetraWarning)
            try:
                sc = Scenario.from_file(path)
                if sc.region not in regions:
                    regions[sc.region] = load_region(sc.region)
                evaluate(sc, regions[sc.region], Sampler(None, sc.seed))  # what run() computes, minus the Dataset
            except (ScenarioError, DataError) as exc:
                failed += 1
                print(f"retra: {exc}", file=sys.stderr)
                continue
        for w in caught:
            if issubclass(w.category, RetraWarning):
                print(f"warning: {w.message}", file=sys.stderr)
        print(f"ok  {path}  ({sc.region}: {sc.title.de})")
    return 2 if failed else 0


def cmd_run(args: argparse.Namespace) -> int:
    if getattr(args, "chunked", False) or getattr(args, "scheduler", None):
        from .scale import cmd_run_scaled

        return cmd_run_scaled(args)
    from tqdm import tqdm

    from .engine import run
    from .export import write_results
    from .regions import load_region
    from .results import summary_text
    from .scenario import Scenario
    from .writer import Writer

    steps = tqdm(total=4, desc="retra run", unit="step", disable=args.quiet or not sys.stderr.isatty())
    scenario = Scenario.from_file(args.file)
    out = Path(args.out) if args.out else Path("results") / scenario.region / scenario.name
    if out.exists() and not args.force:
        from .errors import OutputExistsError

        raise OutputExistsError(f"the results folder {out} exists already; choose another --out or add --force")
    steps.update()
    with Writer() as writer:  # a second process imports the file writers while the model runs
        region = load_region(scenario.region)
        steps.update()
        results = run(scenario, draws=args.draws, seed=args.seed, region=region)
        steps.update()
        from . import labour  # future of work: supply, balance, requalification (issue 18)

        fow = labour.future_of_work(results, scenario, region) if labour.has_future_of_work_data(region) else None
        write_results(results, out, sectors=region.national.sectors, sources=region.sources(),
                      scenario_yaml=scenario.to_yaml(), force=args.force, scenario=scenario, region=region,
                      extra_tables=None if fow is None else labour.future_of_work_tables(fow),
                      extra_sheets=None if fow is None else labour.future_of_work_sheets(fow),
                      keep_draws=args.keep_draws, writer=writer)
        steps.update()
    steps.close()
    if not args.quiet:
        print(summary_text(results))
        if fow is not None:
            print("\n" + labour.future_of_work_summary(fow))
        print(f"\nErgebnisse geschrieben nach {out}/ (results.nc, .csv, .parquet, .xlsx, _iamc.csv)")
    return 0


def _unique_names(paths: list[Path]) -> list[str]:
    """Scenario names for columns: the file stem, with as many parent folders as make them unique."""
    parts = [Path(p).resolve().with_suffix("").parts for p in paths]
    for depth in range(1, max(len(p) for p in parts) + 1):
        names = ["/".join(p[-depth:]) for p in parts]
        if len(set(names)) == len(names):
            return names
    return [f"{n} ({i + 1})" for i, n in enumerate(names)]


def cmd_compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from .engine import run
    from .regions import load_region
    from .results import decomposition, fmt_de
    from .scenario import Scenario
    from .views import driver_label

    scenarios = [Scenario.from_file(f) for f in args.files]
    regions = {s.region for s in scenarios}
    if len(regions) > 1:
        raise RetraError(f"compare needs scenarios of one region; got {', '.join(sorted(regions))}")
    region = load_region(scenarios[0].region)
    names = _unique_names([Path(f) for f in args.files])
    results = [run(s, region=region) for s in scenarios]
    years = sorted(set.intersection(*(set(int(y) for y in r["year"].values) for r in results)))
    base = int(results[0].attrs["base_year"])
    if args.year not in years or args.year == base:
        raise RetraError(f"--year {args.year} is not a year of these runs; choose one of {base + 1}–{years[-1]}")
    frames = []
    for name, res in zip(names, results, strict=True):
        dec = decomposition(res, args.year)
        dec = dec[dec["district"] == res.attrs["region"]]
        frames.append(dec.set_index("driver")["change"].rename(name))
    table = pd.concat(frames, axis=1)
    table.loc["total"] = table.sum()
    ref = table.columns[0]
    for col in list(table.columns[1:]):
        table[f"{col} − {ref}"] = table[col] - table[ref]
    print(f"Change in employment {base}→{args.year} by driver "
          f"(region {scenarios[0].region}, persons):")
    print(table.round(0).to_string(float_format=lambda x: fmt_de(x)))
    if args.out:
        from .export import compare_sheets, write_excel

        out = Path(args.out)
        if out.suffix.lower() != ".xlsx":
            raise RetraError(f"--out {out}: compare writes an Excel workbook; give a file name ending in .xlsx")
        german = table.copy()
        german.index = ["Alle Treiber" if d == "total" else driver_label(d) for d in german.index]
        write_excel(out, compare_sheets(scenarios, names, results, german, args.year))
        print(f"\nComparison written to {out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """A one-page German brief of a scenario: HTML, and PDF with --pdf where Chromium is installed."""
    from .engine import run
    from .paths import atomic_text
    from .regions import load_region
    from .report import NoBrowserError, brief_html, write_pdf
    from .scenario import Scenario

    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise RetraError(f"--out {out}: the brief is an HTML page; give a file name ending in .html")
    scenario = Scenario.from_file(args.file)
    region = load_region(scenario.region)
    results = run(scenario, draws=args.draws, seed=args.seed, region=region)
    text = brief_html(results, scenario, region=region)
    atomic_text(out, text)
    print(f"Brief written to {out}")
    if args.pdf:
        pdf = out.with_suffix(".pdf")
        try:
            write_pdf(text, pdf, png=out.with_suffix(".png"))
        except NoBrowserError as exc:
            print(f"retra: {exc}", file=sys.stderr)
            return 0
        print(f"PDF written to {pdf}; the page as an image (for slides) to {out.with_suffix('.png')}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .paths import atomic_text
    from .scenario import json_schema

    schema = json_schema()
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    if args.out:
        atomic_text(Path(args.out), text + "\n")
        print(f"JSON Schema written to {args.out}")
    else:
        print(text)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from .packages import known_regions, region_meta  # no pandas, no xarray: listing reads no table

    root = Path(args.scenarios)
    for rid in known_regions():
        meta = region_meta(rid)  # the package's metadata only: listing needs no data check
        print(f"{rid:6} {meta.get('name_de', rid)} — {len(meta.get('districts', []))} districts, "
              f"base year {meta.get('base_year')}")
        for path in sorted((root / rid).glob("*.yaml")):
            print(f"         {path}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from .backtest import backtest, coverage, rolling_report
    from .regions import load_region
    from .scenario import Scenario

    if args.file is None:  # rolling origins over all 401 districts, against naive benchmarks
        print(rolling_report())
        return 0
    scenario = Scenario.from_file(args.file)
    region = load_region(scenario.region)
    years = [int(y) for y in region.employment["year"].values]
    first = int(region.meta["history_start"]) + 2
    if not first <= args.base_year < max(years):
        raise RetraError(f"--base-year {args.base_year}: the data cover {min(years)}–{max(years)}; a backtest needs "
                         f"three years of history before the base year and one after it: choose {first}–{max(years) - 1}")
    table = backtest(scenario, region, args.base_year, draws=args.draws, seed=args.seed)
    print(f"Backtest of {scenario.name} ({scenario.region}) from base year {args.base_year}, {args.draws} draws:")
    print(table.round(1).to_string(index=False))
    print("\nCoverage of the intervals over the districts, by year:")
    print(coverage(table).round(3).to_string(index=False))
    return 0


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, ``retra: …``, exit code 2 (no usage dump)."""

    def error(self, message: str):  # noqa: D102 - argparse hook
        sys.stderr.write(f"retra: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="retra", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check scenario files (or folders of them)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("run", help="run a scenario and write its results")
    p.add_argument("file")
    p.add_argument("--out", help="results folder (default results/<region>/<scenario>)")
    p.add_argument("--draws", type=int, default=None, help="ensemble draws (default: deterministic)")
    p.add_argument("--seed", type=int, default=None, help="ensemble seed (default: the scenario's)")
    p.add_argument("--keep-draws", action="store_true",
                   help="store every draw in results.nc (default: the quantiles 5, 25, 50, 75, 95 %%)")
    p.add_argument("--force", action="store_true", help="replace an existing results folder")
    p.add_argument("--quiet", action="store_true")
    from .scale_options import add_run_options  # --chunked, --scheduler: large runs through Dask

    add_run_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="compare scenarios of one region by driver")
    p.add_argument("files", nargs="+")
    p.add_argument("--year", type=int, default=2035)
    p.add_argument("--out", help="also write the comparison as an Excel workbook (.xlsx)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("backtest", help="forecast from earlier years and compare with the data (no file: "
                                        "rolling origins over all 401 districts against naive benchmarks)")
    p.add_argument("file", nargs="?")
    p.add_argument("--base-year", type=int, default=2017)
    p.add_argument("--draws", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("report", help="a one-page German brief of a scenario (HTML; PDF with --pdf)")
    p.add_argument("file")
    p.add_argument("--out", required=True, help="the HTML file to write (brief.html)")
    p.add_argument("--pdf", action="store_true",
                   help="also print it to a PDF and a PNG image beside it (needs Chromium)")
    p.add_argument("--draws", type=int, default=1000, help="ensemble draws for the bands (default 1000)")
    p.add_argument("--seed", type=int, default=None, help="ensemble seed (default: the scenario's)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("schema", help="write the JSON Schema of scenario files")
    p.add_argument("--out", help="file to write (default: print)")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("list", help="list regions and scenarios")
    p.add_argument("--scenarios", default="scenarios")
    p.set_defaults(func=cmd_list)

    from .apps import serve as apps_serve
    from .uncertainty.cli import add_ensembles_parser
    from .uncertainty.cli import add_parser as add_calibrate  # imports pymc only when run

    add_calibrate(sub)
    add_ensembles_parser(sub)  # retra ensembles [REGION ...] [--draws 1000] [--force] [--check]
    apps_serve.add_parser(sub)  # retra apps [--port 8866] [--app explorer|council] [--max-kernels 8]
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (never raise for the user's mistakes)."""
    import os

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad argument (2, message printed)
        return int(exc.code or 0)
    if getattr(args, "draws", None) is not None and args.draws < 1:
        return _fail(f"--draws {args.draws}: give at least 1 draw", 2)
    if getattr(args, "seed", None) is not None and args.seed < 0:
        return _fail(f"--seed {args.seed}: a seed is a whole number of 0 or more", 2)
    try:
        return int(args.func(args))
    except RetraError as exc:
        return _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted; nothing was written", 130)
    except BrokenPipeError:  # the reader stopped reading (retra list | head): it has what it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush into the pipe
        return 0
    except MemoryError:
        return _fail("out of memory: try fewer --draws (or retra run --chunked for large regions)", 2)
    except OSError as exc:  # a path the user gave: not writable, a file where a folder is expected …
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}", 2)
    except Exception as exc:  # a bug: say so in one line; RETRA_DEBUG=1 shows the traceback
        if os.environ.get("RETRA_DEBUG"):
            raise
        return _fail(f"internal error ({type(exc).__name__}: {exc}); this is a bug in retra, please report it "
                     "(RETRA_DEBUG=1 shows the traceback)", 1)


def _fail(message: str, code: int) -> int:
    print(f"retra: {message}", file=sys.stderr)
    return code


def entry() -> None:
    """The ``retra`` command (and ``python -m retra_model.cli``): :func:`main`, then end the process.

    When :func:`main` returns, everything the command wrote is closed and renamed into place. What
    is left is the interpreter taking pandas, xarray and their caches apart object by object:
    0.1–0.5 s on this project's 2-core machine, as long as a deterministic run's own work. So the
    output streams are flushed and the exit handlers run (``atexit``: joining threads and
    processes, flushing logs), and the process ends without that teardown (``os._exit``).
    """
    import atexit
    import os

    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (retra list | head)
            pass
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    entry()
