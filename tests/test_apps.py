"""The apps' logic: German formats, levers, saving, downloads, chances and risks, widget callbacks."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import retra_model as rm
from retra_model import figures, views
from retra_model.apps import council as co
from retra_model.apps import explorer as ex
from retra_model.apps import levers as lv
from retra_model.numbers_de import fmt_eur_mio, fmt_int, fmt_num, fmt_pct

REPO = Path(__file__).resolve().parents[1]


# -- formats ---------------------------------------------------------------------------

def test_german_formats():
    assert fmt_int(1234.5) == "1.235"
    assert fmt_num(1234.5, 1) == "1.234,5"
    assert fmt_pct(0.123) == "12,3 %"
    assert fmt_int(1234, sign=True) == "+1.234"
    assert fmt_int(-1234, sign=True) == "−1.234"
    assert fmt_int(-1234) == "−1.234"
    assert fmt_int(-0.4, sign=True) == "0"
    assert fmt_eur_mio(-1234.56) == "−1.234,6 Mio. €"
    assert fmt_int(float("nan")) == "–"


# -- levers ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def vw() -> rm.Scenario:
    return rm.Scenario.from_file(REPO / "scenarios/son/vw_agreement.yaml")


def test_levers_read_and_write(vw):
    levers = {lever.key: lever for lever in lv.levers(vw)}
    assert {"bev_midpoint", "bev_intensity", "volume_2035", "productivity"} <= set(levers)
    values = {"bev_midpoint": 2026, "bev_intensity": 0.4, "volume_2035": 0.8, "productivity": 0.02}
    tweaked = lv.apply(vw, values)
    for key, v in values.items():
        assert levers[key].read(tweaked) == pytest.approx(v)
    # an uncertain lever keeps its spread: the triangle moves with its mode
    li = tweaked.electrification.labour_intensity.bev
    assert li.mode == pytest.approx(0.4) and li.low < 0.4 < li.high
    # untouched levers leave the scenario as it is
    assert lv.apply(vw, {k: lever.read(vw) for k, lever in levers.items()}) is vw


def test_project_levers(vw):
    pid = next(iter(vw.projects))
    off = lv.apply(vw, {}, {pid: (False, 1.0)})
    assert not off.projects[pid].enabled
    double = lv.apply(vw, {}, {pid: (True, 2.0)})
    last = max(vw.projects[pid].jobs)
    assert rm.scenario.value_of(double.projects[pid].jobs[last]) == pytest.approx(
        2 * rm.scenario.value_of(vw.projects[pid].jobs[last]))


def test_faster_bev_loses_more_jobs(vw):
    region = rm.load_region("son")
    slow = ex.compute(lv.apply(vw, {"bev_midpoint": 2036}), region, draws=20)
    fast = ex.compute(lv.apply(vw, {"bev_midpoint": 2024}), region, draws=20)
    s = views.change_by_driver(slow, 2030).set_index("driver").loc["electrification", "change"]
    f = views.change_by_driver(fast, 2030).set_index("driver").loc["electrification", "change"]
    assert f < s


# -- saving ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("Mein Szenario", "mein_szenario"), ("../../etc/passwd", "etc_passwd"), ("/abs/path.yaml", "abs_path_yaml"),
    ("Ölpreis & Größe", "oelpreis_groesse"), ("x" * 100, "x" * 40), ("a..b", "a_b"),
])
def test_sanitize_name(name, expected):
    assert ex.sanitize_name(name) == expected


@pytest.mark.parametrize("name", ["", "   ", "../..", "???"])
def test_sanitize_name_rejects_empty(name):
    with pytest.raises(ex.SaveError):
        ex.sanitize_name(name)


def test_save_scenario_validates_and_stays_in_user_folder(tmp_path, vw):
    root = tmp_path / "scenarios"
    tweaked = lv.apply(vw, {"bev_midpoint": 2027})
    path = ex.save_scenario(tweaked, "../../Schnell 2027", title="Schnell 2027", root=root)
    assert path == (root / "user" / "son" / "schnell_2027.yaml").resolve()
    again = rm.Scenario.from_file(path)
    assert again.electrification.bev.midpoint_year == 2027 and again.title.de == "Schnell 2027"
    out = subprocess.run([sys.executable, "-m", "retra_model.cli", "validate", str(path)],
                         capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert not list(path.parent.glob("*.partial"))


def test_save_scenario_limits(tmp_path, vw, monkeypatch):
    root = tmp_path / "scenarios"
    monkeypatch.setattr(ex, "MAX_FILES", 2)
    ex.save_scenario(vw, "a", root=root)
    ex.save_scenario(vw, "b", root=root)
    ex.save_scenario(vw, "a", root=root)  # replacing an own file is fine
    with pytest.raises(ex.SaveError, match="voll"):
        ex.save_scenario(vw, "c", root=root)
    monkeypatch.setattr(ex, "MAX_BYTES", 100)
    with pytest.raises(ex.SaveError, match="zu groß"):
        ex.save_scenario(vw, "a", root=root)


def test_excel_download(vw):
    region = rm.load_region("son")
    ds = ex.compute(vw, region, draws=10)
    data = ex.excel_bytes(ds, region, {"Annahmen und Quellen": co.assumptions_sheet(vw)})
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert "Übersicht" in sheets and "Annahmen und Quellen" in sheets
    link = ex.download_link(data, "x.xlsx", "Excel")
    b64 = link.split("base64,")[1].split('"')[0]
    assert base64.b64decode(b64) == data


# -- figures ---------------------------------------------------------------------------

def test_figures_german_and_offline(vw):
    region = rm.load_region("son")
    ds = ex.compute(vw, region, draws=10)
    figs = [figures.dependence_map(region), figures.sector_structure(region), figures.bev_over_time(region),
            figures.bev_stock_districts(region), figures.employment_path(ds), figures.waterfall(ds, 2035),
            figures.sector_change(ds, 2035), figures.change_map(region, ds, 2035),
            figures.district_comparison({"a": ds}, 2030)]
    for fig in figs:
        assert fig.layout.separators == ",."
        text = fig.to_json()
        for raw in ("employment", "gva_productivity", "electrification\"", "vehicles\""):
            assert raw not in text.replace('"employment_', "")  # no raw variable names reach the page
    m = figures.change_map(region, ds, 2035)
    assert m.data[0].type == "scattergeo" and m.layout.geo.visible is False  # no topojson fetch


def test_waterfall_adds_up():
    sc = rm.Scenario.from_file(REPO / "scenarios/son/powerco.yaml")
    ds = rm.run(sc)
    fig = figures.waterfall(ds, 2035, by="driver")
    w = fig.data[0]
    level = views.path(ds).set_index("year").loc[2035, "level"]
    assert sum(w.y[:-1]) == pytest.approx(level, rel=1e-9)


# -- chances and risks -----------------------------------------------------------------

def test_citations():
    assert co.citations("BCG 2020: x; VDA/Prognos 2024: y") == ["BCG (2020)", "VDA/Prognos (2024)"]
    assert co.citations("nothing here") == []


def test_chances_and_risks_are_german_with_sources():
    data = co.ensembles("son", draws=20)
    for _title, (sc, ds) in data.items():
        items = co.chances_and_risks(sc, ds, 2035)
        assert items and {i["kind"] for i in items} <= {"Chance", "Risiko"}
        for it in items:
            assert it["sources"], it
            for word in ("employment", "driver", "assumption", " the ", "jobs"):
                assert word not in it["text"]
    powerco = next(v for v in data.values() if v[0].name == "powerco")
    assert any(i["kind"] == "Chance" and "PowerCo" in i["text"] for i in co.chances_and_risks(*powerco))
    table = co.region_table({t: ds for t, (_, ds) in data.items()})
    assert list(table["Szenario"])[0] == "Basisszenario"


# -- widget callbacks (no browser) -----------------------------------------------------

def test_explorer_callbacks(monkeypatch, tmp_path):
    from retra_model.apps.explorer_ui import ExplorerApp

    monkeypatch.setattr(ex, "DRAWS", 20)
    had_pymc = "pymc" in sys.modules  # another test module may have imported it already
    app = ExplorerApp("son")
    assert "retra-error" not in app.message.value, app.message.value  # built without a failing callback
    before = app.figs["employment"].data[4].y
    app.sliders["bev_midpoint"].value = 2024
    after = app.figs["employment"].data[4].y
    assert list(before) != list(after)
    assert "retra-error" not in app.message.value, app.message.value
    assert "Beschäftigte" in app.summary.value
    app.year.value = 2030
    assert "2030" in app.figs["map"].layout.title.text
    import shutil

    root = tmp_path / "scenarios"
    shutil.copytree(REPO / "scenarios" / "son", root / "son")
    monkeypatch.setattr(ex, "SCENARIOS", root)
    app.name.value = "Ökologische Wende"
    app.description.value = "Schneller, mit mehr Qualifizierung."
    app._on_save(None)
    assert "Gespeichert" in app.message.value
    saved = root / "user" / "son" / "oekologische_wende.yaml"
    assert saved.exists()
    assert str(saved) in [p for _, p in app.scenario_dd.options]  # the list is refreshed at once
    assert "Ökologische Wende (eigene Variante)" in [t for t, _ in app.scenario_dd.options]  # Unicode title kept
    sc = rm.Scenario.from_file(saved)
    assert sc.title.de == "Ökologische Wende" and sc.narrative.de == "Schneller, mit mehr Qualifizierung."
    app._on_save(None)  # the same name again: a warning, nothing overwritten silently
    assert "Überschreiben" in app.message.value and app.overwrite_btn.layout.display == "flex"
    app._on_overwrite(None)
    assert "Gespeichert" in app.message.value
    app._on_excel(None)
    assert "base64," in app.download.value
    assert had_pymc or "pymc" not in sys.modules


def test_council_callbacks(monkeypatch):
    from retra_model.apps.council_ui import CouncilApp

    monkeypatch.setattr(co, "DRAWS", 20)
    had_pymc = "pymc" in sys.modules
    app = CouncilApp("son")
    assert "retra-error" not in app.message.value, app.message.value  # built without a failing callback
    title = app.figs["districts"].layout.title.text
    app.year.value = 2045
    assert app.figs["districts"].layout.title.text != title
    assert "retra-error" not in app.message.value, app.message.value
    assert "Chance" in app.chances.value or "Risiko" in app.chances.value
    first = next(iter(app.checks.values()))
    first.value = False
    assert len(app.figs["districts"].data) == len(app.checks) - 1
    app._on_excel(None)
    assert "base64," in app.download.value
    assert had_pymc or "pymc" not in sys.modules


def test_building_both_apps_imports_no_sampler():
    """In a fresh interpreter, whatever ran before: the app path never imports pymc or arviz."""
    code = ("import sys\n"
            "from retra_model.apps.explorer_ui import ExplorerApp\n"
            "from retra_model.apps.council_ui import CouncilApp\n"
            "ExplorerApp('son'); CouncilApp('swsn')\n"
            "bad = [m for m in ('pymc', 'arviz', 'pytensor') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, capture_output=True, text=True)


def test_serve_command():
    from retra_model.apps import serve

    cmd = serve.voila_command(8899)
    assert "--strip_sources=True" in cmd and "--VoilaConfiguration.show_tracebacks=False" in cmd
    assert "--Voila.ip=127.0.0.1" in cmd and any(c.startswith("--LimitedKernelManager.max_kernels=") for c in cmd)
    assert serve.LimitedKernelManager.__name__ == "LimitedKernelManager"
    for name in ("V1OnlyConnection", "XsrfCookieIdentityProvider"):  # resolvable as the command names them
        assert any(c.endswith(f"retra_model.apps.serve.{name}") for c in cmd)
        assert getattr(serve, name).__name__ == name


# -- names that must not escape the user folder (issue 9) --------------------------------

@pytest.mark.parametrize("name, expected", [
    ("．．／．．／etc", "etc"),              # full-width dots and slash (NFKC folds them)
    ("..\\..\\windows", "windows"),          # backslashes
    ("%2e%2e%2fetc", "2e_2e_2fetc"),         # percent-encoding is not decoded
    ("~/x", "x"), ("a\x00b", "a_b"),          # home, NUL byte
    ("\u202eexe.yaml", "exe_yaml"),          # right-to-left override
    ("𝓈𝒸𝓇𝒾𝓅𝓉", "script"), ("ﬁle", "file"),   # mathematical letters, ligature
    ("CON", "con_szenario"), ("lpt1", "lpt1_szenario"),  # Windows device names
])
def test_sanitize_name_unicode_tricks(name, expected):
    assert ex.sanitize_name(name) == expected


@pytest.mark.parametrize("name", ["\u200b\u200b", " .. ", "-", "/", "\u202e", "😀"])
def test_sanitize_name_rejects_nothing_left(name):
    with pytest.raises(ex.SaveError, match="Namen"):
        ex.sanitize_name(name)


@pytest.mark.parametrize("name", ["../../../../tmp/evil", "/etc/passwd", "..", "scenarios/son/baseline",
                                  "..%2f..%2fx", "C:\\Windows\\x", "ｘ/../../y"])
def test_saved_names_stay_in_user_folder(tmp_path, vw, name):
    root = tmp_path / "scenarios"
    try:
        path = ex.save_scenario(vw, name, root=root)
    except ex.SaveError:
        return
    assert path.parent == (root / "user" / "son").resolve()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [path]


def test_save_refuses_symlinks_out_of_the_folder(tmp_path, vw):
    root = tmp_path / "scenarios"
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "user").mkdir(parents=True)
    (root / "user" / "son").symlink_to(outside)  # the whole user folder elsewhere
    with pytest.raises(ex.SaveError):
        ex.save_scenario(vw, "x", root=root)
    (root / "user" / "son").unlink()
    (root / "user" / "son").mkdir()
    (root / "user" / "son" / "x.yaml").symlink_to(outside / "target.yaml")  # one file elsewhere
    with pytest.raises(ex.SaveError, match="nicht erlaubt"):
        ex.save_scenario(vw, "x", root=root)
    assert not list(outside.iterdir())


def test_save_refuses_unknown_region(tmp_path):
    with pytest.raises(ex.SaveError, match="Unbekannte Region"):
        ex.user_folder("../son", tmp_path)


def test_save_limits_title_and_count_per_region(tmp_path, vw):
    root = tmp_path / "scenarios"
    path = ex.save_scenario(vw, "lang", title="T" * 500, root=root)
    assert rm.Scenario.from_file(path).title.de == "T" * 80
    assert len(path.read_bytes()) <= ex.MAX_BYTES
    assert ex.MAX_FILES <= 200 and ex.MAX_BYTES <= 200_000 and ex.NAME_MAX <= 40


# -- reduced ensembles and caches ------------------------------------------------------

def test_summary_gives_the_same_views(vw):
    """The views of a reduced ensemble are those of the ensemble itself (the figures read either)."""
    for draws in (30, None):
        ds = rm.run(vw, draws=draws)
        sm = views.summarise_ensemble(ds)
        assert views.is_summary(sm) and views.has_draws(sm) == (draws is not None)
        for f, args in ((views.path, ()), (views.path, ("employment", "03103")), (views.path, ("gva",)),
                        (views.change_by_driver, (2035,)), (views.change_by_driver, (2035, "employment", "03103")),
                        (views.change_by_lab, (2035,)), (views.change_by_lab, (2045, "gva", "03101")),
                        (views.change_by_sector, (2035,)), (views.change_by_sector, (2030, "gva", "03102")),
                        (views.change_by_district, (2030,)), (views.key_figures_table, ())):
            pd.testing.assert_frame_equal(f(ds, *args), f(sm, *args), check_like=True, rtol=1e-9)


def test_shipped_caches_are_fresh_and_small():
    """Every curated scenario of son and swsn has a fresh cache; rebuild with `retra ensembles`."""
    from retra_model.uncertainty import ensemble

    status = ensemble.build_caches(["son", "swsn"], check=True, log=lambda _m: None)
    assert status and all(s == "fresh" for s in status.values()), (
        f"stale or missing caches {[str(p) for p, s in status.items() if s != 'fresh']}; run: {ensemble.REBUILD}")
    files = list(ensemble.ensembles_root().rglob("*.nc"))
    assert sum(f.stat().st_size for f in files) < 10e6
    pkg = __import__("json").loads((ensemble.ensembles_root() / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in pkg["resources"]} == {f.relative_to(ensemble.ensembles_root()).as_posix() for f in files}


def test_stale_cache_is_detected_and_the_council_computes_live(tmp_path, vw, monkeypatch):
    from retra_model.errors import CacheError
    from retra_model.uncertainty import ensemble

    region = rm.load_region("son")
    root = tmp_path / "ensembles"
    path = ensemble.write_ensemble(vw, root / "son" / "vw_agreement.nc", draws=20, region=region)
    monkeypatch.setattr(ensemble, "ensembles_root", lambda: root)
    assert ensemble.load_cached(vw, region=region, root=root).attrs["draws"] == 20
    moved = lv.apply(vw, {"bev_midpoint": 2026})
    with pytest.raises(CacheError, match="the scenario changed"):
        ensemble.read_ensemble(moved, path, region=region)
    monkeypatch.setattr(ensemble, "model_version", lambda: "another-model")
    with pytest.raises(CacheError, match="the model code changed"):
        ensemble.load_cached(vw, region=region, root=root)
    ds, problem = co.cached_or_live(vw, region, draws=10)
    assert problem and "stale" in problem and views.is_summary(ds) and ds.attrs["draws"] == 10
    notice = co.cache_notice([vw.title.de], 10)
    assert "Hinweis" in notice and "neu berechnet" in notice and "stale" not in notice
    path.unlink()
    with pytest.raises(CacheError, match="no cached ensemble"):
        ensemble.load_cached(vw, region=region, root=root)


def test_council_reads_the_caches():
    co.load_curated.cache_clear()
    data, live = co.load_curated("son")
    assert not live and len(data) == len(list((Path(__file__).resolve().parents[1] / "scenarios" / "son").glob("*.yaml")))
    assert all(views.is_summary(ds) and ds.attrs["draws"] == 1000 for _sc, ds in data.values())
    co.load_curated.cache_clear()


# -- explorer: in-place updates, errors --------------------------------------------------

def test_explorer_updates_in_place(monkeypatch):
    from retra_model.apps.explorer_ui import ExplorerApp

    monkeypatch.setattr(ex, "DRAWS", 20)
    app = ExplorerApp("son")
    emp, geo = app.figs["employment"], app.figs["map"]
    saved = [list(t.y) for t in emp.data[5:10]]
    geometry = geo.data[1].geojson
    app.sliders["bev_intensity"].value = 20.0
    assert app.figs["employment"] is emp and app.figs["map"] is geo  # the same widgets, updated
    assert [list(t.y) for t in emp.data[5:10]] == saved  # the saved scenario's traces did not move
    assert geo.data[1].geojson is geometry
    before = list(app.figs["employment"].data[4].y)
    app.year.value = 2040
    assert list(app.figs["employment"].data[4].y) == before and "2040" in app.figs["waterfall"].layout.title.text
    app.sliders["bev_intensity"].value = app.state.scenario.electrification.labour_intensity.bev.central() * 100
    assert app.state.results is app.state.reference  # back where it was: the cache again


def test_callback_error_shows_german_message(monkeypatch, caplog):
    from retra_model.apps.explorer_ui import ERROR_DE, ExplorerApp

    app = ExplorerApp("son")

    def boom(*_a, **_k):
        raise RuntimeError("interner Fehler /geheimer/pfad")

    monkeypatch.setattr(ex, "retweak", boom)
    app.sliders["bev_midpoint"].value = 2030
    assert ERROR_DE in app.message.value
    assert "Traceback" not in app.message.value and "geheimer" not in app.message.value
    assert "geheimer" in caplog.text  # the details go to the server's log


def test_app_that_cannot_start_says_so_in_german(monkeypatch):
    monkeypatch.setattr(ex, "region_options", lambda: [])
    w = ex.app()
    assert ex.START_ERROR_DE in w.value


def test_plotly_config_is_german():
    cfg = figures.config("x")
    assert cfg["locale"] == "de"
    assert cfg["locales"]["de"]["dictionary"]["Download plot as a PNG"] == "Abbildung als PNG-Bild herunterladen"


def test_requalification_view_is_german_and_adds_up():
    import re as _re

    from retra_model.apps import explorer as ex
    from retra_model.labour import future_of_work

    state = ex.load_state("son", REPO / "scenarios/son/vw_agreement.yaml")
    state.year = 2035
    text = ex.requalification_html(state)
    assert f"Zukunft der Arbeit {state.region.base_year}–2035" in text and "Maschinen- und Fahrzeugtechnikberufe" in text
    assert "requalification" not in text and "displaced" not in text  # no raw variable names
    fow = future_of_work(ex.run(state.tweaked, region=state.region), state.tweaked, state.region).sel(year=2035)
    need = float(fow["requalification"].sum())
    assert need > 0 and f"<b>{ex.fmt_int(round(need, -1))}</b>" in text
    for name in fow["district_name"].values:  # every district has its row
        assert f"<td>{name}</td>" in text
    assert _re.search(r"\d\.\d{3}", text)  # German thousands separator
    state.year = state.region.base_year
    assert ex.requalification_html(state) == ""


def test_council_kreisprofil_shows_the_future_of_work_with_bands():
    from retra_model.apps import council as co

    sc = rm.Scenario.from_file(REPO / "scenarios/son/vw_agreement.yaml")
    region = rm.load_region("son")
    text = co.labour_html(sc, region, "03103", 2035)
    assert "Zukunft der Arbeit: Wolfsburg 2035" in text and "90 %-Band" in text and " bis " in text
    assert f"Qualifizierungsbedarf seit {region.base_year}" in text and "Bilanz" in text
    fow = co.future_of_work(sc, region)
    assert fow.sizes["draw"] == co.FOW_DRAWS and co.future_of_work(sc, region) is fow  # computed once
    lo, hi = fow["requalification"].sel(district="03103", year=2035).quantile([0.05, 0.95]).values
    assert 0 < lo <= hi
    assert co.labour_html(sc, region, None, 2035).count("<tr>") == 7  # the region: header + six rows


def test_live_figure_sends_the_figure_after_every_batch(monkeypatch):
    """Under ``retra apps`` a figure is a LiveFigure drawn by our PlotlyView: the view holds the
    figure's JSON, and every ``batch_update`` (how the apps change figures) sends it again."""
    import plotly.graph_objects as go

    from retra_model.apps import explorer_ui, serve

    monkeypatch.setenv(serve.ESM_ENV, "voila/static/retra-plotly.min.js")
    fig, view = explorer_ui.figure_widget(go.Figure(go.Bar(y=[1, 2])), {"locale": "de"})
    assert isinstance(fig, explorer_ui.LiveFigure) and fig is not view
    assert view.figure["data"][0]["y"] == [1, 2] and view.config == {"locale": "de"}
    assert "voila/static/retra-plotly.min.js" in view._esm
    sent = []
    view.observe(lambda change: sent.append(change["new"]), "figure")
    with fig.batch_update():
        fig.data[0].update(y=[3, 4])  # plotly's update() opens a batch of its own inside
        fig.layout.title.text = "neu"
    assert len(sent) == 1, "one message per batch"
    assert view.figure["data"][0]["y"] == [3, 4] and view.figure["layout"]["title"]["text"] == "neu"
    fig.data[0].update(y=[5, 6])  # outside a batch: sent too
    assert len(sent) == 2 and view.figure["data"][0]["y"] == [5, 6]
    monkeypatch.delenv(serve.ESM_ENV)
    fw, same = explorer_ui.figure_widget(go.Figure(go.Bar(y=[1, 2])), {"locale": "de"})
    assert isinstance(fw, go.FigureWidget) and fw is same  # JupyterLab and nbval: plotly's own widget


# -- same draws (common random numbers), issue 20 ----------------------------------------

def test_unchanged_lever_has_exactly_zero_effect():
    state = ex.load_state("son", REPO / "scenarios/son/baseline.yaml")
    lever = next(lv_ for lv_ in lv.levers(state.scenario) if lv_.key == "bev_intensity")
    ex.retweak(state, {"bev_intensity": lever.read(state.scenario)}, None)
    eff = ex.effect_table(state)
    assert (eff[["p05", "median", "p95"]].values == 0).all()
    ex.retweak(state, {}, None, force=True)  # recomputed, not the same object: still exactly 0 (same draws)
    assert state.results is not state.reference
    assert (ex.effect_table(state)[["p05", "median", "p95"]].values == 0).all()
    assert "Effekt Ihrer Änderung: <b>0</b>" in ex.summary_html(state)


def test_one_step_shows_only_its_own_effect():
    """One step of a lever: the effect on the same draws is close to the deterministic effect of
    that step, never the noise of other draws (+4,482 where the lever gave +547, issue 20)."""
    state = ex.load_state("son", REPO / "scenarios/son/baseline.yaml")
    lever = next(lv_ for lv_ in lv.levers(state.scenario) if lv_.key == "bev_intensity")
    v = lever.read(state.scenario) + lever.step
    ex.retweak(state, {"bev_intensity": v}, None)
    eff = ex.effect_table(state).set_index("year").loc[2035]
    det = (rm.run(lv.apply(state.scenario, {"bev_intensity": v}), region=state.region)["employment"].sum()
           - 0)
    det_ref = rm.run(state.scenario, region=state.region)
    det = float(rm.run(lv.apply(state.scenario, {"bev_intensity": v}), region=state.region)["employment"]
                .sel(year=2035).sum() - det_ref["employment"].sel(year=2035).sum())
    assert det > 0 and eff["p05"] > 0
    assert abs(eff["median"] - det) < 0.5 * det  # its own effect, not the change of draws (±thousands)
    assert eff["p95"] - eff["p05"] < det  # the band of the effect is narrow: same draws


def test_infrastructure_lever_moves_nothing_where_infrastructure_adds_nothing():
    state = ex.load_state("son", REPO / "scenarios/son/infrastructure.yaml")
    ex.retweak(state, {"infrastructure": 2.0}, None)
    det = rm.run(state.tweaked, region=state.region)["employment_change"].sel(driver="infrastructure").sum(
        ["district", "sector"]).to_pandas()
    eff = ex.effect_table(state).set_index("year")
    zero_years = [y for y, v in det.items() if v == 0 and y > state.region.base_year]
    for y in zero_years:
        assert eff.loc[y, "median"] == 0, y
    assert (eff["median"] != 0).any()


def test_reference_can_be_another_scenario():
    state = ex.load_state("son", REPO / "scenarios/son/powerco.yaml")
    ex.set_reference(state, REPO / "scenarios/son/baseline.yaml")
    ex.retweak(state, {}, None, force=True)
    eff = ex.effect_table(state).set_index("year")
    assert eff.loc[2035, "median"] > 0  # PowerCo adds jobs against the baseline
    assert "Basisszenario" in ex.reference_label(state) or state.reference_title in ex.reference_label(state)
