"""The command line: runs the shipped scenarios, never shows a traceback for the user's mistakes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from retra_model.cli import main

from .conftest import REPO


def test_run_prints_a_summary_and_writes_results(tmp_path, capsys):
    out = tmp_path / "son"
    assert main(["run", str(REPO / "scenarios/son/baseline.yaml"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Wolfsburg" in text and "SON" in text and "Δ 2035" in text
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["region"] == "son" and len(prov["scenario_hash"]) == 64


def test_run_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "r"
    out.mkdir()
    assert main(["run", str(REPO / "scenarios/son/baseline.yaml"), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err


def test_validate_a_bad_file_exits_2_with_a_located_message_and_no_traceback(tmp_path):
    bad = tmp_path / "scenarios" / "son" / "bad.yaml"
    bad.parent.mkdir(parents=True)
    base = (REPO / "scenarios/son/baseline.yaml").read_text()
    bad.write_text(base.replace("ceiling: 0.97", "ceiling: 97"))
    proc = subprocess.run([sys.executable, "-m", "retra_model.cli", "validate", str(bad)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}:" in proc.stderr and "electrification.bev.ceiling" in proc.stderr and "0.97" in proc.stderr


def test_the_command_exits_with_its_code_and_complete_output_and_quietly_into_a_closed_pipe():
    """``retra`` ends without the interpreter's teardown (cli.entry): the exit code and everything
    printed still arrive; a reader that has gone (retra list | head) is no error."""
    import os

    proc = subprocess.run([sys.executable, "-m", "retra_model.cli", "list"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("scenarios/swsn/vw_agreement.yaml")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        closed = subprocess.run([sys.executable, "-m", "retra_model.cli", "list"], stdout=write,
                                stderr=subprocess.PIPE, text=True, cwd=REPO)
    finally:
        os.close(write)
    assert closed.returncode == 0 and closed.stderr == ""


def test_run_an_unknown_region_and_a_missing_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nothere.yaml")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("cmd", [["list"], ["schema"]])
def test_list_and_schema(cmd, capsys):
    assert main(cmd) == 0
    assert capsys.readouterr().out


def test_compare_two_scenarios(capsys):
    assert main(["compare", str(REPO / "scenarios/son/baseline.yaml"),
                 str(REPO / "scenarios/son/powerco.yaml"), "--year", "2030"]) == 0
    out = capsys.readouterr().out
    assert "projects" in out and "powerco − baseline" in out


@pytest.mark.parametrize("sig", ["SIGINT", "SIGKILL", "SIGINT to the group"])
def test_an_interrupted_run_leaves_no_folder_that_looks_complete(tmp_path, sig):
    """Ctrl+C (the whole process group: retra and its writing process), SIGINT and SIGKILL to retra
    alone: no folder that looks complete, no traceback, and no process left behind (communicate()
    returns only when every process holding the pipes has ended)."""
    import os
    import signal
    import time

    out = tmp_path / "big"
    proc = subprocess.Popen([sys.executable, "-m", "retra_model.cli", "run", str(REPO / "scenarios/son/baseline.yaml"),
                             "--draws", "3000", "--out", str(out), "--quiet"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    # a condition, not a time: the signal comes while the files are being written (the hidden
    # ``.big.*.partial`` folder exists), not while Python is still importing under load
    deadline = time.monotonic() + 300
    while proc.poll() is None and not list(tmp_path.glob(".big.*.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)
    if sig == "SIGINT to the group":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(getattr(signal, sig))
    _, err = proc.communicate(timeout=120)
    if out.exists():  # it finished before the signal: then it is complete
        assert proc.returncode == 0 and (out / "provenance.json").exists() and (out / "results.xlsx").exists()
    else:
        assert proc.returncode != 0
        assert "Traceback" not in err
        visible = [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
        assert visible == []


def test_validate_runs_the_checks_of_run(tmp_path, capsys):
    """An electrolyser without capex: run refuses it, so validate must too (issue 19)."""
    user = tmp_path / "scenarios" / "user" / "son"
    user.mkdir(parents=True)
    (user / "h2.yaml").write_text(
        "extends: baseline.yaml\ntitle: {de: H2, en: H2}\nnarrative: {de: H2, en: H2}\n"
        "infrastructure:\n  items:\n    electrolyser:\n      build_out: {'03103': {2030: 10}}\n"
        "      split: {electrical: 0.5, construction: 0.5}\n      regional_share: 0.5\n      source: test source\n")
    # the user folder's extends: baseline.yaml is the curated baseline of the region
    import shutil
    (tmp_path / "scenarios" / "son").mkdir()
    shutil.copy(REPO / "scenarios/son/baseline.yaml", tmp_path / "scenarios/son/baseline.yaml")
    assert main(["validate", str(user / "h2.yaml")]) == 2
    err = capsys.readouterr().err
    assert "infrastructure.items.electrolyser.capex" in err and "h2.yaml" in err
    assert main(["run", str(user / "h2.yaml"), "--out", str(tmp_path / "r")]) == 2
    assert "infrastructure.items.electrolyser.capex" in capsys.readouterr().err


# --- no traceback for any command-line mistake (issue 19) -----------------------------------------

SON = str(REPO / "scenarios/son/baseline.yaml")
POWERCO = str(REPO / "scenarios/son/powerco.yaml")


def _data_years() -> tuple[int, int]:
    from retra_model import load_region

    years = load_region("son").employment["year"].values
    return int(years.min()), int(years.max())


def _bad_calls(tmp: str) -> list[list[str]]:
    first, last = _data_years()
    return [
        ["frobnicate"],
        ["run"],
        ["run", f"{tmp}/nothere.yaml"],
        ["run", SON, "--draws", "0"],
        ["run", SON, "--draws", "abc"],
        ["run", SON, "--draws", "5", "--seed", "-1"],
        ["run", f"{tmp}/unknown_region.yaml"],
        ["validate", f"{tmp}/nothere.yaml"],
        ["compare", SON, POWERCO, "--year", "2050"],
        ["compare", SON, POWERCO, "--year", "twenty"],
        ["compare", SON, str(REPO / "scenarios/swsn/baseline.yaml")],
        ["compare", SON, POWERCO, "--out", f"{tmp}/x.csv"],
        ["backtest", SON, "--base-year", str(last)],
        ["backtest", SON, "--base-year", str(first - 1)],
        ["backtest", SON, "--draws", "-3"],
        ["backtest", f"{tmp}/nothere.yaml"],
        ["schema", "--out", f"{tmp}/a_file.txt/schema.json"],
        ["ensembles", "xyz", "--check"],
        ["calibrate", "no_such_posterior"],
        ["apps", "--app", "nothing"],
        ["report", f"{tmp}/nothere.yaml", "--out", f"{tmp}/b.html"],
        ["report", SON, "--out", f"{tmp}/b.txt"],
    ]


@pytest.mark.parametrize("i", range(len(_bad_calls("/tmp"))))
def test_every_command_line_mistake_gets_one_line_and_exit_2(tmp_path, capsys, i):
    (tmp_path / "a_file.txt").write_text("x")
    (tmp_path / "unknown_region.yaml").write_text(
        "region: xyz\ntitle: {de: X, en: X}\nnarrative: {de: X, en: X}\n")
    argv = _bad_calls(str(tmp_path))[i]
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, (argv, code, err)
    assert "Traceback" not in err
    assert err.startswith("retra: ") and len(err.splitlines()) == 1, (argv, err)


def test_compare_of_two_files_with_the_same_name(tmp_path, capsys):
    user = tmp_path / "scenarios" / "user" / "son"
    user.mkdir(parents=True)
    (user / "baseline.yaml").write_text(
        "extends: baseline.yaml\ntitle: {de: Meine, en: Mine}\nnarrative: {de: X, en: X}\n"
        "volume:\n  productivity_growth: 0.02\n")
    (tmp_path / "scenarios" / "son").mkdir()
    (tmp_path / "scenarios" / "son" / "baseline.yaml").write_text((REPO / "scenarios/son/baseline.yaml").read_text())
    assert main(["compare", SON, str(user / "baseline.yaml"), "--year", "2030"]) == 0
    out = capsys.readouterr().out
    assert "son/baseline" in out and "user/son/baseline" in out


def _in_a_fresh_python(*lines: str) -> None:
    """Run the lines in a new Python process (nothing imported yet) and require them to pass."""
    proc = subprocess.run([sys.executable, "-c", "\n".join(lines)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_run_imports_no_dask_and_xarray_still_knows_dask_arrays(tmp_path):
    """retra run never imports dask (lazyimports answers xarray's questions without it), and once
    dask is imported xarray recognises its arrays as before."""
    _in_a_fresh_python(
        "import sys",
        "from retra_model.cli import main",
        f"assert main(['run', 'scenarios/son/baseline.yaml', '--quiet', '--out', {str(tmp_path / 'out')!r}]) == 0",
        "assert not [m for m in sys.modules if m.split('.')[0] == 'dask'], 'dask imported'",
        "import numpy as np, dask.array as da, xarray as xr",
        "from xarray.namedarray.utils import is_dask_collection, is_duck_dask_array",
        "assert is_duck_dask_array(da.ones(3)) and is_dask_collection(da.ones(3))",
        "assert not is_duck_dask_array(np.ones(3)) and not is_dask_collection(xr.DataArray(np.ones(3)))",
        "assert xr.DataArray(da.ones(3)).chunks is not None",
    )


def test_list_and_help_start_without_pandas_or_xarray():
    """retra list and retra --help read no table: they import neither pandas nor xarray (issue 15)."""
    _in_a_fresh_python(
        "import sys, contextlib, io",
        "from retra_model.cli import main",
        "with contextlib.redirect_stdout(io.StringIO()) as out:",
        "    assert main(['list']) == 0 and main(['--help']) == 0",
        "assert 'son' in out.getvalue()",
        "heavy = sorted(m for m in ('pandas', 'xarray', 'numpy', 'pydantic') if m in sys.modules)",
        "assert not heavy, heavy",
        "import retra_model as rm",
        "assert rm.Scenario.__name__ == 'Scenario' and rm.scenario.value_of and callable(rm.run)",
    )
