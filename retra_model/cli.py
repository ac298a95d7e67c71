"""The ``retra`` command: validate, run, compare, backtest, schema, list.

Exit codes: 0 success, 1 unexpected failure (a bug: please report it), 2 a problem in a
scenario file or an argument, 3 a problem in the base data, 130 interrupted. For problems
the user can fix, the command prints a located message and never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import RetraError


def _scenario_files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        out.extend(sorted(path.rglob("*.yaml")) if path.is_dir() else [path])
    return out


def cmd_validate(args: argparse.Namespace) -> int:
    from .errors import ScenarioError
    from .scenario import Scenario

    failed = 0
    for path in _scenario_files(args.files):
        try:
            sc = Scenario.from_file(path)
        except ScenarioError as exc:
            failed += 1
            print(exc, file=sys.stderr)
            continue
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

    steps = tqdm(total=4, desc="retra run", unit="step", disable=args.quiet or not sys.stderr.isatty())
    scenario = Scenario.from_file(args.file)
    out = Path(args.out) if args.out else Path("results") / scenario.region / scenario.name
    if out.exists() and not args.force:
        from .errors import OutputExistsError

        raise OutputExistsError(f"the results folder {out} exists already; choose another --out or add --force")
    steps.update()
    region = load_region(scenario.region)
    steps.update()
    results = run(scenario, draws=args.draws, seed=args.seed, region=region)
    steps.update()
    write_results(results, out, sectors=region.national.sectors, sources=region.sources(),
                  scenario_yaml=scenario.to_yaml(), force=args.force)
    steps.update()
    steps.close()
    if not args.quiet:
        print(summary_text(results))
        print(f"\nResults written to {out}/ (results.nc, .csv, .parquet, .xlsx, _iamc.csv)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from .engine import run
    from .results import decomposition
    from .scenario import Scenario

    scenarios = [Scenario.from_file(f) for f in args.files]
    regions = {s.region for s in scenarios}
    if len(regions) > 1:
        raise RetraError(f"compare needs scenarios of one region; got {', '.join(sorted(regions))}")
    results = [run(s) for s in scenarios]
    frames = []
    for sc, res in zip(scenarios, results, strict=True):
        dec = decomposition(res, args.year)
        dec = dec[dec["district"] == sc.region]
        frames.append(dec.set_index("driver")["change"].rename(sc.name))
    table = pd.concat(frames, axis=1)
    table.loc["total"] = table.sum()
    ref = table.columns[0]
    for col in table.columns[1:]:
        table[f"{col} − {ref}"] = table[col] - table[ref]
    print(f"Change in employment {results[0].attrs['base_year']}→{args.year} by driver "
          f"(region {scenarios[0].region}, persons):")
    print(table.round(0).to_string())
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .export import atomic_text
    from .scenario import Scenario

    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "retra scenario"
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    if args.out:
        atomic_text(Path(args.out), text + "\n")
        print(f"JSON Schema written to {args.out}")
    else:
        print(text)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from .regions import known_regions, load_region

    root = Path(args.scenarios)
    for rid in known_regions():
        reg = load_region(rid)
        print(f"{rid:6} {reg.name} — {len(reg.district_codes)} districts, base year {reg.base_year}")
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
    table = backtest(scenario, load_region(scenario.region), args.base_year, draws=args.draws, seed=args.seed)
    print(f"Backtest of {scenario.name} ({scenario.region}) from base year {args.base_year}, {args.draws} draws:")
    print(table.round(1).to_string(index=False))
    print("\nCoverage of the intervals over the districts, by year:")
    print(coverage(table).round(3).to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="retra", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check scenario files (or folders of them)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("run", help="run a scenario and write its results")
    p.add_argument("file")
    p.add_argument("--out", help="results folder (default results/<region>/<scenario>)")
    p.add_argument("--draws", type=int, default=None, help="ensemble draws (default: deterministic)")
    p.add_argument("--seed", type=int, default=None, help="ensemble seed (default: the scenario's)")
    p.add_argument("--force", action="store_true", help="replace an existing results folder")
    p.add_argument("--quiet", action="store_true")
    from .scale import add_run_options  # --chunked, --scheduler: large runs through Dask

    add_run_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="compare scenarios of one region by driver")
    p.add_argument("files", nargs="+")
    p.add_argument("--year", type=int, default=2035)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("backtest", help="forecast from earlier years and compare with the data (no file: "
                                        "rolling origins over all 401 districts against naive benchmarks)")
    p.add_argument("file", nargs="?")
    p.add_argument("--base-year", type=int, default=2017)
    p.add_argument("--draws", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_backtest)

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
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "draws", None) is not None and args.draws < 1:
        parser.error("--draws must be at least 1")
    try:
        return int(args.func(args))
    except RetraError as exc:
        print(f"retra: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("retra: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
