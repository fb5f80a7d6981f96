"""Tests for signin_lite.report: both languages, contents, and an offline render in headless Chromium."""

import html
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from signin_lite import poc_plots, report
from signin_lite.poc import Deployment, summarize
from signin_lite.poc import build_worksheet as evaluate

import recordkit
from test_poc import deploy_rec, dense_recs, rec, signin_recs

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def ws():
    recs = dense_recs() + signin_recs() + [rec("pai", 0, 0.90, 3600.0), rec("pai", 1, 0.92, 3600.0)]
    dep = Deployment(requests_per_month=1_234_567, hardware="Example GPU X1", price_per_hour=2.0, power_watts=350,
                     electricity_price_per_kwh=0.25, baseline_throughput_rps=100.0, retrains_per_month=2,
                     tolerance_pp=10.0, sparse_speedup=1.25)
    return evaluate(dep, summarize(recs), storage=deploy_rec(), inference=deploy_rec())


def figures(ws, lang):
    return [poc_plots.frontier_figure(ws, lang=lang), poc_plots.savings_figure(ws, lang=lang),
            poc_plots.sensitivity_figure(ws, lang=lang)]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_report_contains_inputs_verdicts_and_provenance(ws, lang):
    out = report.render_report(ws, figures(ws, lang), lang)
    text = html.unescape(out)
    S = report.STRINGS[lang]
    assert out.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in out
    for section in ("s_inputs", "s_results", "s_decision", "s_figures", "s_assumptions", "s_provenance"):
        assert S[section] in text
    assert "1,234,567" in text and "Example GPU X1" in text and "350" in text          # inputs
    assert {o.verdict for o in ws.options[1:]} == {"go"}                            # tolerance 10 pp
    assert S["verdict"]["go"] in text and S["verdict"]["baseline"] in text
    for rid in (recordkit.rid("dense", 0), recordkit.rid("dense", 1), recordkit.rid("pai_signin", 3), "meas00000001"):           # provenance
        assert rid in text
    assert "Test CPU (2 cores)" in text and "offline-jpeg" in text and "2026-11-27" in text
    assert "@page" in out and "size: A4" in out and "break-inside: avoid" in out  # print CSS
    assert out.count('class="plotly-graph-div"') == 3
    assert "<script src=" not in out and "<link " not in out                         # nothing fetched
    assert len(ws.notes) == text.count("<li>", text.index(S["s_assumptions"]))      # every assumption listed


def test_japanese_report_reads_in_japanese(ws):
    text = html.unescape(report.render_report(ws, [], "ja"))
    for phrase in ("前提条件", "結果", "判断", "前提・仮定", "数値の出典", "Go（実施推奨）", "理論上の上限",
                   "通貨単位", "月間推論リクエスト数"):
        assert phrase in text
    assert "currency units" not in text and "assumption)" not in text


def test_every_note_translated():
    assert set(report.STRINGS["ja"]["notes"]) == set(report.STRINGS["en"]["notes"])
    en, ja = report.STRINGS["en"], report.STRINGS["ja"]
    for key in ("verdict", "reason", "fields", "families", "kind"):
        assert set(ja[key]) == set(en[key]), key


def test_invalid_lang_and_inputs_raise(ws, tmp_path):
    with pytest.raises(ValueError, match="unknown lang 'de'; known: ja, en"):
        report.render_report(ws, [], "de")
    with pytest.raises(TypeError, match="figures"):
        report.render_report(ws, ["not a figure"], "en")
    with pytest.raises(TypeError, match="Worksheet"):
        report.render_report({"options": []}, [], "en")


def test_write_report_and_custom_title(ws, tmp_path):
    path = report.write_report(ws, [], "en", tmp_path / "r.html", title="Q3 <PoC>")
    assert path.read_text(encoding="utf-8").count("Q3 &lt;PoC&gt;") == 2      # <title> and <h1>, escaped


class _DrawnPlots(HTMLParser):
    """Counts plotly divs, and those that hold an <svg class="main-svg"> (i.e. plotly.js drew them)."""

    def __init__(self):
        super().__init__()
        self.stack, self.divs, self.drawn = [], [], set()

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "div":
            is_plot = "plotly-graph-div" in cls.split()
            if is_plot:
                self.divs.append(dict(attrs).get("id"))
            self.stack.append(self.divs[-1] if is_plot else None)
        elif tag == "svg" and "main-svg" in cls.split():
            owners = [d for d in self.stack if d]
            if owners:
                self.drawn.add(owners[-1])

    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            self.stack.pop()


@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"{CHROMIUM} not installed (a background apt job installs it; see /tmp/setup/apt.log)")
def test_report_renders_offline_in_headless_chromium(ws, tmp_path, lang="ja"):
    figs = figures(ws, lang)
    path = report.write_report(ws, figs, lang, tmp_path / f"report_{lang}.html")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=10000",
           "--dump-dom", path.as_uri()]
    try:
        dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    finally:
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)
    parser = _DrawnPlots()
    parser.feed(dom)
    assert len(parser.divs) == len(figs)
    assert parser.drawn == set(parser.divs), f"not drawn: {set(parser.divs) - parser.drawn}"
    assert dom.count('class="main-svg"') >= len(figs)
