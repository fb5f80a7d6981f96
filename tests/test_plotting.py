"""Fast unit tests of signin_lite.views.plotting (no browser, no book build)."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from signin_lite.views import plotting
from signin_lite.evidence.records import provenance
from signin_lite.views.plotting import (
    PLOTLY_MIME, figure_html, label, mimebundle, plotlyjs_path, provenance_of, show,
    slider_figure, standalone_html,
)

RECORD = {
    "schema": "signin_lite.run/1",
    "run_id": "3f2a9c1b7d4e",
    "config": {"profile": "cpu", "sparsity": 0.9},
    "env": {"device": "cpu", "device_name": "Intel Xeon (2 cores)", "library_version": "0.1.0",
            "git_commit": "5534d8c9aa0999006c31295d077dd6842d040bf8"},
    "data": {"source": "offline-jpeg"},
    "date": "2026-11-27T19:00:00+00:00",
}


def _fig(**layout) -> go.Figure:
    return go.Figure(go.Scatter(x=[0.8, 0.9, 0.95], y=[3, 1, 2], name="pai"), layout=layout or None)


def _payload(fragment: str) -> dict:
    """The figure JSON embedded in a figure_html fragment."""
    match = re.search(r"var fig = (.*);\n  var config", fragment, re.S)
    assert match, fragment[:300]
    return json.loads(match.group(1))


def test_mimebundle_has_plotly_json_html_and_text():
    bundle = mimebundle(_fig(title_text="Accuracy"))
    assert set(bundle) == {PLOTLY_MIME, "text/html", "text/plain"}
    assert bundle[PLOTLY_MIME]["data"][0]["type"] == "scatter"
    assert bundle[PLOTLY_MIME]["config"]["displaylogo"] is False
    assert 'class="plotly-graph-div"' in bundle["text/html"]
    assert "Plotly.newPlot" in bundle["text/html"]
    assert "<script src" not in bundle["text/html"]  # plotly.js is never loaded per figure
    assert bundle["text/plain"] == "<plotly figure: Accuracy>"


def test_lab_json_has_a_fixed_height_and_no_responsive_config():
    """JupyterLab draws the plotly JSON: with ``responsive`` and no height it collapses to 0 px on the first
    relayout (plotly.py issue 4421). The book's HTML part stays responsive inside a div of fixed height."""
    bundle = mimebundle(_fig())
    assert "responsive" not in bundle[PLOTLY_MIME]["config"]
    assert bundle[PLOTLY_MIME]["layout"]["height"] == 450
    assert mimebundle(_fig(height=300))[PLOTLY_MIME]["layout"]["height"] == 300
    config = json.loads(re.search(r"var config = (.*);\n", bundle["text/html"]).group(1))
    assert config == {"displaylogo": False, "responsive": True}
    assert "height:450px" in bundle["text/html"]


def test_figure_html_roundtrips_the_figure_and_uses_layout_height():
    fig = _fig(height=321)
    fragment = figure_html(fig)
    assert "height:321px" in fragment
    assert _payload(fragment)["data"][0]["name"] == "pai"
    assert "height:450px" in figure_html(_fig())  # plotly's default when no height is set


def test_figure_html_ids_are_unique_and_stable_per_figure():
    fig = _fig()
    ids = [re.search(r'id="([^"]+)"', figure_html(fig)).group(1) for _ in range(2)]
    assert ids[0] != ids[1]  # two displays of one figure on a page must not collide
    assert ids[0].rsplit("-", 1)[0] == ids[1].rsplit("-", 1)[0]  # same hash, different counter
    assert 'id="custom"' in figure_html(fig, div_id="custom")


def test_figure_html_escapes_script_breaking_text():
    evil = "</script><script>alert(1)</script>"
    fragment = figure_html(go.Figure(go.Scatter(y=[1], name=evil)))
    assert fragment.count("</script>") == 1  # only the fragment's own closing tag
    assert _payload(fragment)["data"][0]["name"] == evil


def test_figure_html_accepts_a_dict_and_guards_against_missing_plotly():
    fragment = figure_html(_fig().to_dict())
    assert "if (!window.Plotly)" in fragment
    with pytest.raises(TypeError):
        figure_html([1, 2, 3])


def test_show_displays_the_bundle_raw(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    show(_fig())
    (obj, raw), = shown
    assert raw is True and "text/html" in obj and PLOTLY_MIME in obj


def test_signin_lite_renderer_is_registered():
    bundle = pio.renderers["signin_lite"].to_mimebundle(_fig().to_dict())
    assert "text/html" in bundle and PLOTLY_MIME in bundle


def test_label_adds_caption_margin_and_meta():
    fig = _fig(meta={"keep": 1})
    out = label(fig, "profile smoke · 2026-11-27")
    assert out is fig
    (ann,) = fig.layout.annotations
    assert ann.text == "profile smoke · 2026-11-27" and ann.yref == "paper" and ann.showarrow is False
    assert fig.layout.margin.b == 80 + 30
    assert provenance_of(fig) == "profile smoke · 2026-11-27"
    assert fig.layout.meta["keep"] == 1
    assert 'data-provenance="profile smoke · 2026-11-27"' in figure_html(fig)


def test_label_from_record_and_text_together():
    fig = label(_fig(margin={"b": 40}), "CIFAR-10 subset", record=RECORD)
    caption = provenance_of(fig)
    assert caption.startswith("CIFAR-10 subset · profile cpu")
    text = fig.layout.annotations[0].text
    assert text.count("<br>") == 1 and text.replace("<br>", " ") == caption  # a long caption wraps, nothing lost
    assert fig.layout.margin.b == 40 + 2 * 14 + 16  # two caption lines
    assert fig.layout.annotations[0].yshift == -40
    assert fig.layout.height == 450 + fig.layout.margin.b - 40  # the plot area keeps its height


def test_label_puts_the_caption_below_plotly_sliders():
    fig = label(slider_figure({1: go.Scatter(y=[1]), 2: go.Scatter(y=[2])}, name="p"), "live runs")
    (ann,) = fig.layout.annotations
    pad = fig.layout.sliders[0].pad.t
    assert ann.yshift == -(pad + plotting.SLIDER_ROOM)  # under the slider's rail and labels, not on them
    assert fig.layout.margin.b == pad + plotting.SLIDER_ROOM + 14 + 16


def test_label_puts_the_caption_below_a_legend_under_the_plot():
    fig = _fig(height=480, legend={"orientation": "h", "y": -0.25})
    label(fig, "schedule only")
    shift = -fig.layout.annotations[0].yshift
    assert shift >= 0.25 * (480 - 100 - 80) + 22  # the legend's top, plus at least one row of it
    assert fig.layout.margin.b == shift + 14 + 16
    assert -label(_fig(), "x").layout.annotations[0].yshift == 80  # a legend beside the plot changes nothing
    many = go.Figure([go.Scatter(y=[i], name=f"a long legend entry number {i}") for i in range(12)],
                     layout={"legend": {"orientation": "h"}})  # plotly's default y = -0.1: under the plot
    assert -label(many, "x").layout.annotations[0].yshift > 80  # several rows of legend push the caption down
    assert -label(_fig(legend={"orientation": "h", "y": 1.02}), "x").layout.annotations[0].yshift == 80


def test_label_escapes_html_and_needs_something():
    fig = label(_fig(), "a<b")
    assert fig.layout.annotations[0].text == "a&lt;b"
    assert provenance_of(fig) == "a<b"
    with pytest.raises(ValueError):
        label(_fig())
    assert provenance_of(_fig()) is None


def test_provenance_of_one_record():
    text = provenance(RECORD)
    assert text == ("profile cpu · Intel Xeon (2 cores) · 2026-11-27 · signin_lite 0.1.0 (5534d8c) · "
                    "data offline-jpeg · 1 run")


def test_provenance_of_several_records_merges_and_tolerates_gaps():
    later = json.loads(json.dumps(RECORD))
    later["date"] = "2026-12-01T10:00:00+00:00"
    later["config"]["profile"] = "gpu"
    later["env"]["device_name"] = "NVIDIA H100"
    text = provenance([RECORD, later, {"date": "2026-11-30"}])
    assert "profile cpu, gpu" in text
    assert "Intel Xeon (2 cores), NVIDIA H100" in text
    assert "2026-11-27 to 2026-12-01" in text
    assert text.endswith("3 runs")
    with pytest.raises(ValueError):
        provenance([])


def test_slider_figure_shows_one_step_at_a_time():
    steps = {
        0.8: [go.Scatter(y=[1, 2], name="pai"), go.Scatter(y=[2, 3], name="signin")],
        0.9: go.Scatter(y=[0, 1], name="pai"),
        0.95: go.Figure([go.Bar(y=[1]), go.Bar(y=[2])]),
    }
    fig = slider_figure(steps, name="sparsity", active=0.9, titles={0.9: "90%"})
    assert len(fig.data) == 5
    assert [t.visible for t in fig.data] == [False, False, True, False, False]
    (slider,) = fig.layout.sliders
    assert slider.active == 1
    assert slider.currentvalue.prefix == "sparsity: "
    assert [s.label for s in slider.steps] == ["0.8", "0.9", "0.95"]
    assert slider.steps[0].args[0]["visible"] == [True, True, False, False, False]
    assert slider.steps[2].args[0]["visible"] == [False, False, False, True, True]
    assert slider.steps[1].args[1] == {"title.text": "90%"}
    assert len(slider.steps[0].args) == 1  # no title given for 0.8
    assert fig.layout.title.text == "90%"


def test_slider_figure_defaults_and_errors():
    fig = slider_figure({"a": go.Scatter(y=[1]), "b": go.Scatter(y=[2])}, layout={"height": 300})
    assert [t.visible for t in fig.data] == [True, False]
    assert fig.layout.height == 300
    assert fig.layout.sliders[0].currentvalue.prefix == ""
    with pytest.raises(ValueError):
        slider_figure({})
    with pytest.raises(ValueError):
        slider_figure({"a": go.Scatter(y=[1])}, active="missing")


def test_standalone_html_inlines_plotlyjs_and_escapes_title():
    page = standalone_html([_fig(), "<p>note</p>", label(_fig(), "run x")], "PoC <report> 報告")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<title>PoC &lt;report&gt; 報告</title>" in page
    assert "plotly.js v" in page[:2000]  # the library's banner, inlined in <head>
    outside_library = page.replace(plotting._plotlyjs(), "")
    assert "<script src" not in outside_library and "http" not in outside_library
    assert page.count('class="plotly-graph-div"') == 2
    assert "<p>note</p>" in page
    assert len(page) > plotlyjs_path().stat().st_size
    # one <script> for plotly.js + one per figure, and no stray closing tags inside them
    assert page.count("</script>") == 3


def test_standalone_html_accepts_a_single_figure_or_fragment():
    assert standalone_html(_fig(), "one").count('class="plotly-graph-div"') == 1
    assert "<b>only text</b>" in standalone_html("<b>only text</b>", "t", lang="ja")
    assert '<html lang="ja">' in standalone_html("x", "t", lang="ja")


def test_plotlyjs_path_points_at_the_installed_library():
    path = plotlyjs_path()
    assert path.name == "plotly.min.js" and path.stat().st_size > 1_000_000
    assert plotting._plotlyjs().count("</script") == 0
