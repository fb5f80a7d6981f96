"""The chapters' figure builders (views/signin_figures, gmp_figures, planted_figures, toy_figures, live_plot) on small
hand-made records and tiny toy runs: each returns a titled figure with titled axes, a legend under the plot, and the
traces its data call for."""

from __future__ import annotations

import inspect
from pathlib import Path

import plotly.graph_objects as go
import pytest
import torch

from recordkit import make_record, rid

from signin_lite.evidence import records, summary
from signin_lite.experiments import planted, toy
from signin_lite.training import sweep
from signin_lite.views import gmp_figures, live_plot, planted_figures, plotting, signin_figures, toy_figures

ROOT = Path(__file__).resolve().parents[1]


def axes(fig: go.Figure) -> dict[str, go.layout.XAxis | go.layout.YAxis]:
    """Every x and y axis of the figure (subplots included), by layout name."""
    return {name: fig.layout[name] for name in fig.layout.to_plotly_json() if name[:5] in ("xaxis", "yaxis")}


def assert_readable(fig: go.Figure, legend_below: bool = True) -> None:
    """A title, a title on every axis, distinct legend names and (where there is a legend) a legend below the plot."""
    assert fig.layout.title.text, "no title"
    found = axes(fig)
    assert {"xaxis", "yaxis"} <= set(found), f"axes not set up: {sorted(found)}"
    shared = [name for name, axis in found.items() if axis.matches and axis.showticklabels is False]
    untitled = [name for name, axis in found.items() if not (axis.title and axis.title.text) and name not in shared]
    assert not untitled, f"untitled axes: {untitled}"
    in_legend = [t for t in fig.data if t.showlegend or (t.showlegend is None and t.type in ("scatter", "bar"))]
    names = [t.name for t in in_legend if t.visible is not False]
    assert len(names) == len(set(names)), f"repeated legend names: {names}"
    if legend_below and len(names) > 1:
        assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0, fig.layout.legend


def run(method, mask, sparsity, seed=0, acc=0.5, history=None):
    r = make_record(method, seed, acc, 10.0, mask=mask, sparsity=sparsity, profile="smoke", epochs=2,
                    run_id=rid(method, seed, f"{mask}{sparsity}"))
    r["history"] = history or [
        {"epoch": e, "test_acc": acc - 0.1 / e, "train_acc": acc, "sparsity": sparsity,
         "sign_flip_fraction": 0.01 * e, "sign_flips": {"conv1.weight": e, "fc.weight": 2 * e},
         "sign_alignment": {"conv1.weight": 0.5, "_all": 0.5 + 0.1 * e}} for e in (1, 2)]
    return r


LIVE = [run(m, mask, s, acc=a) for mask in ("random", "erk") for s, a in ((0.8, 0.6), (0.95, 0.4))
        for m in ("pai", "pai_signin")]


# ----------------------------------------------------------------------------------------- evidence
def test_series_groups_settings_by_fields_in_sparsity_order():
    groups = records.series(list(reversed(LIVE)), ("mask", "method"))
    assert list(groups) == [("erk", "pai"), ("erk", "pai_signin"), ("random", "pai"), ("random", "pai_signin")]
    assert [s.sparsity for s in groups[("erk", "pai")]] == [0.8, 0.95]
    longer = make_record("pai", 1, 0.5, 10.0, mask="erk", sparsity=0.8, profile="smoke", epochs=4)
    with pytest.raises(ValueError, match=r"differ in \['epochs'\]"):
        records.series(LIVE + [longer], ("mask", "method"))


def test_history_mean_reads_the_pooled_value_of_per_layer_entries():
    s = records.settings([run("pai", "erk", 0.9, seed=0), run("pai", "erk", 0.9, seed=1)])[0]
    assert summary.history_mean(s, "sign_alignment") == ([1, 2], pytest.approx([60.0, 70.0]), [0.0, 0.0])


# ----------------------------------------------------------------------------------------- chapter 4
def test_live_accuracy_one_line_per_mask_and_method():
    fig = signin_figures.live_accuracy(LIVE, "live runs")
    assert_readable(fig)
    assert [t.name for t in fig.data] == ["erk mask, PaI", "erk mask, PaI + Sign-In", "random mask, PaI",
                                          "random mask, PaI + Sign-In"]
    assert list(fig.data[0].x) == [0.8, 0.95] and list(fig.data[0].y) == pytest.approx([60.0, 40.0])
    assert fig.data[2].line.dash == "dot" and fig.data[0].line.dash == "solid"
    with pytest.raises(ValueError, match="no complete records"):
        signin_figures.live_accuracy([], "t")


def test_sign_alignment_per_epoch_at_one_sparsity():
    fig = signin_figures.sign_alignment(records.select(LIVE, sparsity=0.95), "agreement")
    assert_readable(fig)
    assert len(fig.data) == 4 and list(fig.data[0].y) == pytest.approx([60.0, 70.0])
    with pytest.raises(ValueError, match="select one sparsity"):
        signin_figures.sign_alignment(LIVE, "agreement")


def test_flip_heatmaps_one_panel_per_run_on_one_scale():
    pair = [run("pai", "erk", 0.95), run("pai_signin", "erk", 0.95)]
    fig = signin_figures.flip_heatmaps(pair, "live runs")
    assert_readable(fig)
    assert fig.layout.title.text == "Sign flips per layer and epoch (live runs, sparsity 0.95)"
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"] and {t.coloraxis for t in fig.data} == {"coloraxis"}
    assert [list(row) for row in fig.data[1].z] == [[1, 2], [2, 4]] and list(fig.data[0].y) == ["conv1.weight",
                                                                                                  "fc.weight"]
    assert [a.text for a in fig.layout.annotations] == ["PaI", "PaI + Sign-In"]


def test_flips_per_epoch_in_percent_on_a_log_axis():
    fig = signin_figures.flips_per_epoch([run("pai", "erk", 0.95), run("pai_signin", "erk", 0.95)], "live runs")
    assert_readable(fig)
    assert fig.layout.yaxis.type == "log" and list(fig.data[1].y) == pytest.approx([1.0, 2.0])


def test_short_runs_get_whole_epoch_ticks_long_runs_plotly_s():
    short = signin_figures.flips_per_epoch([run("pai", "erk", 0.95)], "live runs")
    assert short.layout.xaxis.dtick == 1
    long = run("pai", "erk", 0.95, history=[{"epoch": e, "sign_flip_fraction": 0.01} for e in range(1, 161)])
    assert signin_figures.flips_per_epoch([long], "reference").layout.xaxis.dtick is None
    panels = gmp_figures.epoch_panels([run("pai", "erk", 0.9)], "t")
    assert [panels.layout[f"xaxis{i}"].dtick for i in ("", 2, 3)] == [1, 1, 1]


def test_imbalance_trace_mean_and_smallest_with_the_reset_level():
    fig = signin_figures.imbalance_trace([(1, 0.99, 0.9), (2, 0.98, 0.8), (2, 1.0, 1.0)], rescale_steps=2)
    assert_readable(fig)
    assert [list(t.y) for t in fig.data] == [[0.99, 0.98, 1.0], [0.9, 0.8, 1.0]]
    assert fig.layout.shapes[0].y0 == 1.0 and "every 2 steps" in fig.layout.title.text


def test_period_slider_one_step_per_period_with_the_baseline_in_each():
    runs = {p: run("pai_signin", "erk", 0.95, acc=0.5 + p / 10) for p in (0.5, 1.0, 2.0)}
    fig = signin_figures.period_slider(runs, run("pai", "erk", 0.95, acc=0.4))
    assert_readable(fig)
    slider = fig.layout.sliders[0]
    assert [s.label for s in slider.steps] == ["0.5", "1.0", "2.0"] and slider.active == 1
    assert len(fig.data) == 9 and [t.visible for t in fig.data] == [False] * 3 + [True] * 3 + [False] * 3
    assert [t.name for t in fig.data[3:6]] == ["Sign-In p=1: test", "Sign-In p=1: train", "PaI: test"]
    assert fig.layout.title.text == "ERK, sparsity 0.95, p = 1: final test 60.0% (PaI 40.0%)"


def test_live_run_grows_by_epoch_and_restarts_on_each_press(monkeypatch):
    fig = signin_figures.live_run_figure("Live run")
    assert_readable(fig) and [len(t.x) for t in fig.data] == [0, 0, 0]
    seen = {}

    def fake_train(cfg, **kw):
        seen.update(cfg=cfg, **kw)
        for e in (1, 2):
            for callback in kw["callbacks"]:
                callback({"epoch": e, "train_acc": 0.5, "test_acc": 0.4, "sign_flip_fraction": 0.01})
        return {"final": {"test_acc": 0.4}}

    monkeypatch.setattr(live_plot.train, "train", fake_train)
    for _ in range(2):  # a second press starts from empty lines
        final = live_plot.train_into(True, 0.9, 2.0, 1.0, 2, 0.1, fig=fig, profile="smoke", seed=3, work_dir="w")
    assert final == {"test_acc": 0.4} and seen["results_dir"] is None and seen["resume"] is False
    assert (seen["cfg"].signin, seen["cfg"].rescale_every, seen["cfg"].seed) == (True, 2.0, 3)
    assert [list(t.y) for t in fig.data] == [[50.0, 50.0], [40.0, 40.0], [1.0, 1.0]]
    assert list(fig.layout.xaxis.range) == [0.5, 2.5]
    params = list(inspect.signature(live_plot.train_into).parameters)  # interact_manual's controls, in order
    assert params[:6] == ["use_signin", "sparsity", "p", "beta", "epochs", "lr"]


# ----------------------------------------------------------------------------------------- chapter 5
def test_gmp_schedule_line_and_one_marker_series_per_profile():
    fig = gmp_figures.schedule(0.9, 0.1, 0.6)
    assert_readable(fig)
    line, *profiles = fig.data
    assert line.y[0] == 0.0 and line.y[-1] == pytest.approx(0.9)
    assert [t.name.split(" ")[0] for t in profiles] == ["gpu", "cpu", "smoke"]
    assert len(profiles[2].x) == 2 and profiles[2].y[-1] == pytest.approx(0.9)  # smoke: 2 epochs


def test_gmp_epoch_panels_three_panels_one_legend_entry_per_method():
    recs = [run("gmp", "erk", 0.9, seed=s) for s in (0, 1)] + [run("pai_signin", "erk", 0.9)]
    for r in recs[:2]:
        r["config"]["pruning"] = "gmp"
    fig = gmp_figures.epoch_panels(recs, "live runs")
    assert_readable(fig)
    assert len(fig.data) == 9 and sorted(t.name for t in fig.data if t.showlegend) == ["GMP", "PaI + Sign-In"]
    # Sign-In drawn first (underneath, wide), the others on top with another dash and marker: both show
    assert fig.data[0].name == "PaI + Sign-In" and fig.data[0].line.width > fig.data[-1].line.width
    assert fig.data[0].marker.symbol != fig.data[-1].marker.symbol and fig.data[0].line.dash != fig.data[-1].line.dash
    assert list(fig.data[3].x) == [0, 1, 2] and fig.data[3].y[0] == 0.0  # GMP starts dense
    assert fig.data[0].y[0] == pytest.approx(0.9) and fig.data[0].line.dash == "solid"


# ----------------------------------------------------------------------------------------- chapter 3½
def test_planted_figures_from_the_reference_record():
    ref = planted.reference(str(ROOT / "results" / "planted"), profile="cpu")
    arms = ref["config"]["arms"]
    fig = planted_figures.sign_recovery(ref)
    assert_readable(fig)
    assert [t.type for t in fig.data] == ["box", "scatter"] * len(arms)
    dots = fig.data[0]  # the per-seed dots are drawn: every seed a point in a colour of its own, on a numeric axis
    assert dots.boxpoints == "all" and dots.orientation == "h" and len(dots.x) == ref["config"]["seeds"]
    assert dots.marker.color and "rgba(0,0,0,0)" not in dots.marker.color
    assert fig.data[0].x[0] == pytest.approx(100 * planted.arm_values(ref, arms[0])[0])
    assert fig.layout.shapes[0].x0 == 50 and "%" in fig.layout.xaxis.title.text
    cap = planted_figures.caption(ref)
    assert f"{ref['config']['seeds']} seeds × {len(arms)} arms" in cap and "1 run" not in cap
    assert f"weight decay {ref['config']['weight_decay']:g}" in cap
    curves = planted_figures.loss_curves(ref)
    assert_readable(curves)
    assert [t.name for t in curves.data] == [planted.LABELS[a] for a in arms] and curves.layout.yaxis.type == "log"


# ----------------------------------------------------------------------------------------- chapter 3
@pytest.fixture(scope="module")
def toy_runs():
    a0, w0, _ = toy.sign_cases(0.5)
    kw = dict(steps=60, lr=0.05, record_every=10)
    return {"GD": toy.train_toy(a0[2:3], w0[2:3], **kw),
            "Sign-In": toy.train_toy(a0[2:3], w0[2:3], signin=True, beta_a=4.0, beta_w=0.1, weight_decay=0.01,
                                     **kw)}


def test_toy_trajectory_and_phase_figures_read(toy_runs):
    traj = toy_figures.trajectory_figure(toy_runs, title="t")
    assert_readable(traj)
    assert traj.layout.yaxis.title.text.startswith("a and w") and "loss" in traj.layout.yaxis2.title.text
    values = torch.linspace(-1.0, 1.0, 3, dtype=torch.float64)
    r = toy.phase_diagram(values, steps=5)
    phase = toy_figures.phase_figure({"GD": r.recovered.reshape(3, 3), "again": r.recovered.reshape(3, 3)},
                                     values.tolist(), {"GD": (None, None), "again": (None, None)})
    assert_readable(phase)
    assert all(t.showscale is False for t in phase.data if t.type == "heatmap")  # the legend explains the colours
    table = toy_figures.outcome_table(toy_runs, ["a0<0, w0>0"])
    assert list(table[0]) == ["start", "GD", "Sign-In"] and table[0]["GD"].startswith("stuck, loss ")


def test_toy_factor_saddle_and_imbalance_figures(toy_runs):
    factors = toy_figures.factor_figure(toy_runs["Sign-In"], title="factors")
    assert_readable(factors)
    assert [t.name for t in factors.data] == ["v_a (a = m_a v_a)", "v_w (w = m_w v_w)", "m_a", "m_w"]
    assert factors.layout.xaxis.type == "log" and len(factors.data[0].y) == 7
    with pytest.raises(ValueError, match="Sign-In run"):
        toy_figures.factor_figure(toy_runs["GD"])
    saddle = toy_figures.saddle_figure(toy_runs["GD"], mark_step=30)
    assert_readable(saddle)
    assert min(saddle.data[0].y) >= 0 and saddle.layout.shapes[0].x0 == 30
    assert saddle.layout.yaxis.exponentformat == "power"  # 10^-8, not the SI prefix "10n" on a dimensionless axis
    imbalance = toy_figures.imbalance_figure({"no reset": toy_runs["Sign-In"]}, beta_a=4.0, title="decay")
    assert_readable(imbalance)
    assert imbalance.data[0].y[0] == pytest.approx(4.0) and imbalance.data[0].y[-1] < 4.0
    mark = imbalance.layout.annotations[0]
    assert mark.text == "β_a = 4" and mark.xanchor == "left"  # at the left end, not on the last reset's spike
    assert imbalance.layout.yaxis.range[1] > 4.0


def test_toy_loss_cell_says_diverged_instead_of_nan():
    assert toy_figures.loss_cell(float("nan")) == "diverged (nan)"
    assert toy_figures.loss_cell(float("inf")) == "diverged (nan)"
    assert toy_figures.loss_cell(0.0012345) == "0.00123"


def test_toy_beta_slider_one_diagram_per_beta():
    values = torch.linspace(-1.0, 1.0, 3, dtype=torch.float64)
    diagrams = {b: toy.phase_diagram(values, steps=20, signin=True, beta_a=b, beta_w=0.1) for b in (0.1, 2.0)}
    fig = toy_figures.beta_slider(diagrams, values.tolist(), beta_w=0.1)
    assert_readable(fig)
    assert [s.label for s in fig.layout.sliders[0].steps] == ["0.1", "2"]
    assert [t.type for t in fig.data] == ["heatmap", "scatter"] * 2 and len(fig.data[0].z) == 3
    assert fig.layout.title.text.startswith("Sign-In, beta_a=0.1, beta_w=0.1: recovered")


def test_toy_live_trajectories_and_showing_keep_the_controls(monkeypatch):
    fig = toy_figures.live_trajectories(4.0, 0.1, 0, 0.0, -0.5, 0.5, steps=40, lr=0.05)
    assert fig.layout.title.text.startswith("a0=-0.5, w0=0.5; beta_a=4") and len(fig.data) == 6
    shown = []
    monkeypatch.setattr(plotting, "show", shown.append)
    callback = plotting.showing(toy_figures.live_trajectories)
    assert list(inspect.signature(callback).parameters)[:6] == ["beta_a", "beta_w", "period", "weight_decay", "a0",
                                                                "w0"]
    assert callback(4.0, 0.1, 0, 0.0, -0.5, 0.5, steps=40, lr=0.05) is None and len(shown) == 1
    plotting.showing(lambda: [fig, fig])()
    assert len(shown) == 3


# ----------------------------------------------------------------------------------------- chapter 6
def test_short_args_round_trip_through_the_parser():
    from signin_lite import cli
    from signin_lite.foundations import config
    for cfg in sweep.grid("cpu", ["dense", "pai", "pai_signin"], [0.9], [1]):
        args = sweep.short_args(cfg)
        assert args[:2] == ["--profile", "cpu"] and "--seed" in args and len(args) < 12
        parsed = cli.build_parser().parse_args(["train", *args])
        assert config.make_config(parsed.profile, **config.overrides_from_args(parsed)) == cfg
    assert sweep.short_args(sweep.grid("cpu", ["pai_signin"], [0.9], [0])[0]) == [
        "--profile", "cpu", "--mask", "erk", "--sparsity", "0.9", "--signin", "--seed", "0"]


def test_smoke_titles_and_the_sign_agreement_panels_per_mask():
    runs = {p: run("pai_signin", "erk", 0.95, acc=0.5 + p / 10) for p in (0.5, 1.0)}
    fig = signin_figures.period_slider(runs, run("pai", "erk", 0.95, acc=0.4), profile="smoke")
    assert fig.layout.title.text.startswith("Smoke check") and all(
        s.args[1]["title.text"].startswith("Smoke check") for s in fig.layout.sliders[0].steps)
    trace = signin_figures.imbalance_trace([(1, 0.99, 0.9)], rescale_steps=2, title="Smoke check: t")
    assert trace.layout.title.text == "Smoke check: t"
    fig = signin_figures.sign_alignment(records.select(LIVE, sparsity=0.95), "agreement")
    assert [a.text for a in fig.layout.annotations] == ["ERK mask", "random mask"]
    styles = {(t.name, t.line.dash, t.marker.symbol) for t in fig.data}
    assert styles == {("PaI", "solid", "circle"), ("PaI + Sign-In", "dash", "diamond-open")}


def test_small_tables_leave_smoke_runs_out_and_flip_rows_count_every_flip():
    cpu = [make_record(m, s, a, 10.0, mask="erk", sparsity=0.9, profile="cpu", epochs=2, run_id=rid(m, s, "cpu"))
           for m in ("pai", "pai_signin") for s, a in ((0, 0.6), (1, 0.62))]
    rows = summary.summary_table(LIVE + cpu)
    accuracy = signin_figures.accuracy_rows(rows)
    assert [r["method"] for r in accuracy] == ["PaI", "PaI + Sign-In"] and len(accuracy[0]) <= 6
    assert signin_figures.accuracy_rows(rows, sparsity=0.8) == []
    (gain,) = signin_figures.gain_rows(rows)
    assert gain["comparison"] == "(PaI + Sign-In) − PaI" and gain["sparsity"] == "90%" and len(gain) <= 6
    flips = signin_figures.flip_rows([run("pai", "erk", 0.95), run("pai_signin", "erk", 0.95)])
    assert [r["sign flips over the run"] for r in flips] == ["9", "9"]  # (1 + 2) + (2 + 4) per run
    assert [r["Sign-In settings"] for r in flips] == ["", "p = 1 epoch, β = 1"] and len(flips[0]) <= 6
    big = run("pai_signin", "erk", 0.95)
    big["config"] = {**big["config"], "beta": 10.0, "rescale_every": 0.0, "beta_output": 20.0}
    assert signin_figures.flip_rows([big])[0]["Sign-In settings"] == "never reset, β = 10, β_out = 20"
    assert signin_figures.reference_gains([], "gains").layout.legend.orientation == "h"


def test_gain_legend_mentions_open_markers_only_where_one_is_drawn():
    cpu = [make_record(m, s, a, 10.0, mask="erk", sparsity=0.9, profile="cpu", epochs=2, run_id=rid(m, s, "cpu"))
           for m in ("pai", "pai_signin") for s, a in ((0, 0.6), (1, 0.62), (2, 0.61))]
    rows = [r for r in summary.summary_table(cpu) if r["gain_vs"]]
    (gain,) = [t for t in signin_figures.reference_gains(rows, "gains").data if "minus" in t.name]
    assert "95%" in gain.name and "open" not in gain.name
    rows[0] = {**rows[0], "gain_ci_low": None, "gain_ci_high": None}
    (gain,) = [t for t in signin_figures.reference_gains(rows, "gains").data if "minus" in t.name]
    assert "open: unavailable" in gain.name
