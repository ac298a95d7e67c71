"""The one-page German brief (`retra report`), issue 19."""

from __future__ import annotations

import re

import pytest

from retra_model import Scenario, load_region, run
from retra_model.cli import main
from retra_model.report import brief_html, chromium

from .conftest import REPO

VW = REPO / "scenarios/son/vw_agreement.yaml"


@pytest.fixture(scope="module")
def brief():
    sc = Scenario.from_file(VW)
    region = load_region("son")
    ens = run(sc, draws=40, seed=1, region=region)
    return brief_html(ens, sc), ens, sc


def test_brief_has_key_figures_bands_waterfall_map_and_sources(brief):
    text, ens, sc = brief
    assert text.startswith("<!DOCTYPE html>") and 'lang="de"' in text
    assert sc.title.de in text and "Kennzahlen der Region" in text and "Median von 40 Ziehungen" in text
    assert "90-%-Band" in text and "50-%-Band" in text
    assert text.count('class="plotly-graph-div') == 3  # path with bands, map, waterfall
    assert "Veränderung der Beschäftigten" in text and "Elektrifizierung" in text
    assert "Quellen" in text and "Volkswagen AG and IG Metall" in text
    assert 'src="https://cdn' not in text  # plotly.js inlined: opens offline
    # German numbers: the base-year jobs of the region as 470.288-style text, never 470,288
    base = float(ens["employment"].sel(year=int(ens.attrs["base_year"])).sum(["district", "sector"]).median())
    assert f"{base:,.0f}".replace(",", ".") in text


def test_report_command_writes_html_and_a_one_page_pdf(tmp_path, capsys):
    out = tmp_path / "brief.html"
    assert main(["report", str(VW), "--out", str(out), "--draws", "20", "--pdf"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    pdf = out.with_suffix(".pdf")
    if chromium() is None:
        assert not pdf.exists() and "no PDF" in capsys.readouterr().err
        pytest.skip("Chromium is not installed: the PDF is skipped with a message")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", data)) == 1
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_brief_of_the_apps_cached_summary(brief):
    """The apps call brief_html with an ensemble reduced to quantiles: same key figures."""
    from retra_model import views
    from retra_model.report import key_figures_de

    _, ens, sc = brief
    summary = views.summarise_ensemble(ens)
    assert key_figures_de(summary).equals(key_figures_de(ens))
    assert "Kennzahlen der Region" in brief_html(summary, sc)
