"""Unit tests of signin_lite.views.figures on small hand-made records (no training, no data)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest
import torch

from recordkit import make_record, rid

from signin_lite.views import figures
from signin_lite.evidence import records


def _rec(method, sparsity, seed, acc, history=None, status="complete", **extra):
    r = make_record(method, seed, acc, 10.0, sparsity=sparsity if sparsity else 0.9, profile="smoke", epochs=2,
                    run_id=rid(method, seed, f"{sparsity}{acc}"))
    if method not in ("dense", "pai"):
        r["config"]["sparsity"] = sparsity
    r["history"] = history or [{"epoch": 1, "test_acc": acc}]
    r["status"] = status
    return {**r, **extra}


RECORDS = [
    _rec("dense", 0.0, 0, 0.90), _rec("dense", 0.0, 1, 0.92),
    _rec("pai", 0.9, 0, 0.80), _rec("pai", 0.9, 1, 0.84), _rec("pai", 0.8, 0, 0.86),
    _rec("pai", 0.95, 2, 0.5, status="running"),
]


def test_seed_stats_groups_by_method_and_sparsity_and_skips_incomplete():
    rows = figures.seed_stats(RECORDS + RECORDS[:1], which=["pai", "dense"])  # a record passed twice counts once
    assert [(r["method"], r["sparsity"], r["n"]) for r in rows] == [("pai", 0.8, 1), ("pai", 0.9, 2), ("dense", 0.0, 2)]
    pai90 = rows[1]
    assert pai90["mean"] == pytest.approx(0.82) and pai90["std"] == pytest.approx(math.sqrt(0.0008))
    assert pai90["seeds"] == [0, 1] and rows[0]["std"] is None
    counted = [dict(r, counts={**r["counts"], "params_effective": 10 * i}) for i, r in enumerate(RECORDS[:2])]
    assert figures.seed_stats(counted)[0]["params_effective"] == 5


def test_seed_stats_never_pools_two_settings():
    longer = make_record("pai", 2, 0.9, 10.0, profile="smoke", epochs=4)
    with pytest.raises(ValueError, match=r"pai at sparsity 0.9 mixes 2 settings that differ in \['epochs'\]"):
        figures.seed_stats(RECORDS + [longer], which=["pai"])


def test_accuracy_vs_sparsity_draws_dense_line_and_method_with_errors():
    fig = figures.accuracy_vs_sparsity(RECORDS, ["dense", "pai"])
    dense, pai, dots = fig.data
    assert dense.line.dash == "dash" and list(dense.y) == pytest.approx([91.0, 91.0])
    assert list(pai.x) == ["80%", "90%"] and list(pai.y) == pytest.approx([86.0, 82.0])
    assert list(pai.error_y.array) == pytest.approx([0.0, 100 * math.sqrt(0.0008)])
    assert len(dots.y) == 3
    assert list(fig.layout.xaxis.categoryarray) == ["80%", "90%"]
    assert len(fig.layout.shapes) == 1  # the dense ± std band
    with pytest.raises(ValueError, match="no complete records"):
        figures.accuracy_vs_sparsity(RECORDS, ["lrr"])


def test_method_bars_one_bar_per_method_and_sparsity():
    fig = figures.method_bars(RECORDS, ["dense", "pai"], names={"dense": "Dense"})
    bars = fig.data[0]
    assert list(bars.x) == ["Dense", "PaI @ 80%", "PaI @ 90%"]  # the order of `which`; labels from the method table
    assert list(bars.y) == pytest.approx([91.0, 86.0, 82.0])
    assert isinstance(fig.data[1], go.Scatter) and len(fig.data[1].y) == 5


def test_at_sparsity_keeps_final_lottery_rounds_and_stored_sparsities():
    recs = [_rec("dense", 0.0, 0, 0.9), _rec("lrr", 0.5, 0, 0.9, lottery={"round": 1, "rounds": 2}),
            _rec("lrr", 0.75, 0, 0.9, lottery={"round": 2, "rounds": 2})]
    assert [r["config"]["sparsity"] for r in records.select(recs, lottery_final=True)] == [0.0, 0.75]
    recs.append(_rec("transplant_signs", 0.749999, 0, 0.8))   # a realized sparsity, as the transplants store it
    recs.append(_rec("pai", 0.9, 0, 0.8))
    assert [r["method"] for r in figures.at_sparsity(recs, 0.75)] == ["dense", "lrr", "transplant_signs"]


def test_history_curves_reads_scalars_and_pooled_dicts():
    hist = [{"epoch": 1, "sign_alignment": {"a": 0.5, "_all": 0.6}, "test_acc": 0.1},
            {"epoch": 2, "sign_alignment": {"a": 0.7, "_all": 0.8}, "test_acc": 0.2}]
    recs = [_rec("transplant_signs", 0.9, 0, 0.2, hist), _rec("transplant_mask", 0.9, 0, 0.1, hist),
            _rec("pai", 0.9, 0, 0.1, [{"epoch": 1, "sign_alignment": None, "test_acc": 0.1}])]
    fig = figures.history_curves(recs, "sign_alignment")
    assert len(fig.data) == 2 and list(fig.data[0].y) == pytest.approx([60.0, 80.0])
    assert list(figures.history_curves(recs[:1], "test_acc", percent_scale=False).data[0].y) == [0.1, 0.2]
    with pytest.raises(ValueError, match="no record"):
        figures.history_curves(recs, "val_acc")


def test_history_zoomed_repeats_only_the_zoomed_curves_on_their_own_range():
    """The sign-alignment figure of chapter 2: the lower panel spans only the random-sign starts' values."""
    near = [{"epoch": e, "sign_alignment": {"_all": v}, "test_acc": 0.1} for e, v in ((1, 0.499), (2, 0.502))]
    far = [{"epoch": e, "sign_alignment": {"_all": v}, "test_acc": 0.1} for e, v in ((1, 0.92), (2, 0.90))]
    recs = [_rec("transplant_signs", 0.9, 0, 0.2, far), _rec("transplant_mask", 0.9, 0, 0.1, near)]
    fig = figures.history_zoomed(recs, "sign_alignment", ["transplant_mask"], title="t", pad=0.2)
    lower = [t for t in fig.data if t.yaxis == "y2"]
    assert len(fig.data) == 3 and [t.legendgroup for t in lower] == ["transplant_mask"]
    assert not lower[0].showlegend and sum(bool(t.showlegend) for t in fig.data) == 2
    assert fig.layout.yaxis2.range == pytest.approx((49.7, 50.4))
    assert fig.layout.yaxis.title.text and fig.layout.yaxis2.title.text and fig.layout.xaxis2.title.text == "epoch"
    with pytest.raises(ValueError, match="no record"):
        figures.history_zoomed(recs, "sign_alignment", ["pai"])


def test_layer_density_bars_match_mask_fractions():
    mask = {"conv.weight": torch.tensor([True, False, False, False]), "fc.weight": torch.ones(2, 2, dtype=torch.bool)}
    fig = figures.layer_density({"erk": mask})
    bar = fig.data[0]
    assert list(bar.x) == ["conv", "fc"] and list(bar.y) == [0.25, 1.0]
    assert "62.5% kept" in bar.name
    assert figures.percent(0.9) == "90%" and figures.percent(0.683772) == "68.38%"


def test_layer_density_marks_empty_layers_and_rounds_the_legend():
    mask = {"conv.weight": torch.zeros(4, dtype=torch.bool), "fc.weight": torch.tensor([True] + [False] * 9999)}
    fig = figures.layer_density({"synflow, 1 iteration": mask}, log=True)
    bar, empty = fig.data
    assert bar.name == "synflow, 1 iteration (overall 0.0100% kept)"  # 3 significant digits
    assert empty.type == "scatter" and list(empty.x) == ["conv"] and "empty layer" in empty.name
    assert empty.marker.color == bar.marker.color and empty.offsetgroup == bar.offsetgroup
    assert 10 ** fig.layout.yaxis.range[0] < empty.y[0] < 1e-4  # inside the axis, below every bar
    assert len(figures.layer_density({"erk": {"fc.weight": torch.ones(2, dtype=torch.bool)}}).data) == 1


def test_table_cells_read_like_the_reference_tables():
    assert figures.share(0.09999) == "10.0%" and figures.share(0.01999) == "2.00%" and figures.share(1.0) == "100%"
    assert figures.thousands(81102080) == "81,102,080"
    row = figures.count_row("erk", {"params_effective": 27000, "params_dense": 270000, "flops_effective": 9e6,
                                    "flops_dense": 81e6})
    assert row == {"mask": "erk", "params (effective)": "27,000", "FLOPs (effective)": "9,000,000",
                   "params kept": "10.0%", "FLOPs kept": "11.1%"}
    rec = {"method": "lrr", "config": {"sparsity": 0.9, "epochs": 2}, "final": {"test_acc": 0.1834},
           "counts": {"params_effective": 26972, "flops_effective": 8110208}, "cost": {"wall_time_s": 3.25}}
    (row,) = figures.run_rows([rec])
    assert row == {"method": "LRR ticket", "sparsity": "90%", "epochs": "2", "test acc (%)": "18.34",
                   "params (effective)": "26,972", "FLOPs (effective)": "8,110,208", "wall time (s)": "3.2"}
    assert list(figures.run_rows([rec], ["method", "test acc (%)"])[0]) == ["method", "test acc (%)"]


def test_density_slider_one_step_per_sparsity_with_one_visible():
    from signin_lite.core import models
    fig = figures.density_slider(models.resnet(8), [0.5, 0.9], active=0.9)
    steps = fig.layout.sliders[0].steps
    assert [st.label for st in steps] == ["50%", "90%"] and fig.layout.sliders[0].active == 1
    assert [t.visible for t in fig.data] == [False, False, True, True]
    assert fig.layout.barmode == "group"


def test_accuracy_vs_sparsity_puts_its_legend_under_the_plot():
    legend = figures.accuracy_vs_sparsity(RECORDS, ["dense", "pai"]).layout.legend
    assert legend.orientation == "h" and legend.y < 0 and legend.yanchor == "top"


def test_mask_density_one_bar_series_per_method_at_the_sparsity():
    from signin_lite.core import models
    fig = figures.mask_density(models.resnet(8), 0.9, ["random", "erk"])
    assert [t.name.split(" ")[0] for t in fig.data] == ["random", "erk"]
    for bars in fig.data:  # the masks are made at 90% sparsity: 10% of the weights kept overall
        kept, total = (sum(c[i] for c in bars.customdata) for i in (0, 1))
        assert kept / total == pytest.approx(0.1, abs=1e-3)
    assert fig.layout.title.text and fig.layout.yaxis.title.text


def test_mechanism_plane_shows_the_three_moves_on_titled_axes():
    from signin_lite.views import mechanism
    fig = mechanism.plane_figure(beta=1.0, theta=1.2, decay=0.4)
    assert fig.layout.title.text and "no unit" in fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert len(names) == len(set(names)), names
    beta_curve = next(t for t in fig.data if t.name == "m² − w² = β = 1")
    assert all(abs(m * m - w * w - 1.0) < 1e-9 for w, m in zip(beta_curve.x, beta_curve.y, strict=True))
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "gradient steps" in texts and "weight decay" in texts and "reset" in texts
    with pytest.raises(ValueError, match="decay"):
        mechanism.plane_figure(decay=1.5)
    assert "θ = m·w" in fig.layout.title.text and not any("balanced" in (t.name or "") for t in fig.data)


def test_mechanism_plane_in_chapter_3s_notation_with_the_balanced_lines():
    from signin_lite.views import mechanism
    fig = mechanism.plane_figure(beta=1.0, second="v", balanced=True)
    assert fig.layout.xaxis.title.text.startswith("v, the second factor of θ = m·v")
    balanced = next(t for t in fig.data if t.name and t.name.startswith("m² − v² = 0:"))
    assert all(abs(m - abs(v)) < 1e-12 for v, m in zip(balanced.x, balanced.y, strict=True))  # m = |v|
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert len(names) == len(set(names)) and "m² − v² = β = 1" in names
    # the labels sit inside the plot area, none left of the y axis where its title is
    labels = [a for a in fig.layout.annotations if a.text and a.xref in (None, "x") and a.showarrow is False]
    assert labels and all(a.x >= fig.layout.xaxis.range[0] for a in labels)
    # "3. reset" sits below "2. weight decay", under the line m = |v|, off the dashed curve after decay
    decay, reset = (next(a for a in labels if a.text.startswith(k)) for k in ("2.", "3."))
    assert reset.y < decay.y and reset.y < reset.x


def test_accuracy_panel_and_gain_panel_draw_the_summary_rows_and_the_papers_points():
    from signin_lite.evidence import paper, summary
    recs = RECORDS + [_rec("pai_signin", 0.9, s, a) for s, a in ((0, 0.83), (1, 0.86))]
    rows = summary.summary_table(recs)
    fig = figures.accuracy_panel(rows, "panel")
    names = [t.name for t in fig.data]
    assert names[:2] == ["PaI (seeds: 1/2)", "PaI + Sign-In (seeds: 2)"] and len(names) == 4
    assert list(fig.data[2].x) == list(paper.PAPER["test_acc"])  # the paper's points, labelled as the paper's
    assert "reported by the paper" in names[2] and len(fig.layout.shapes) == 1  # dense as a line
    assert len(figures.accuracy_panel(rows, "panel", paper=False).data) == 2
    gains = figures.gain_panel([r for r in rows if r["gain_vs"]], "gains")
    assert gains.data[0].y[0] == pytest.approx(next(r["gain"] for r in rows if r["gain_vs"]))
    assert gains.data[-1].name.startswith("Sign-In gain reported by the paper")


def test_accuracy_vs_sparsity_numeric_axis_keeps_true_distances_and_shows_dense_across_it():
    fig = figures.accuracy_vs_sparsity(RECORDS, ["dense", "pai"], numeric_x=True)
    dense, band, pai, dots = fig.data
    assert list(pai.x) == pytest.approx([80.0, 90.0]) and list(dots.x) == pytest.approx([80.0, 90.0, 90.0])
    low, high = fig.layout.xaxis.range
    assert fig.layout.xaxis.type != "category" and fig.layout.xaxis.ticksuffix == "%"
    assert list(dense.x) == [low, high] and low < 80 and 90 < high <= 100  # the line spans the whole axis
    assert band.fill == "toself" and band.showlegend is False and not fig.layout.shapes
    assert "%" in fig.layout.xaxis.title.text and "dense (n=2): 91.00%" in fig.layout.annotations[0].text
    one = figures.accuracy_vs_sparsity(RECORDS[:4], ["dense", "pai"], numeric_x=True)  # a single sparsity
    low, high = one.layout.xaxis.range
    assert high - low >= 5 and list(one.data[0].x) == [low, high]


def test_density_figures_title_both_axes_and_put_the_legend_under_the_layer_names():
    from signin_lite.core import models
    fig = figures.mask_density(models.resnet(8), 0.9, ["random", "erk"])
    assert fig.layout.xaxis.title.text.startswith("layer") and "kept" in fig.layout.yaxis.title.text
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < -0.4
    slider = figures.density_slider(models.resnet(8), [0.5, 0.9], title="t")
    assert slider.layout.title.text == "t" and slider.layout.legend.y < 0
    assert slider.layout.sliders[0].pad.t > figures.LAYER_NAMES_PX  # the slider sits below the legend
    log = figures.layer_density({"erk": {"fc.weight": torch.ones(4, dtype=torch.bool)}}, log=True)
    assert log.layout.yaxis.type == "log" and 0.1 in log.layout.yaxis.tickvals


def test_method_bars_and_history_curves_title_the_x_axis_and_keep_the_legend_below():
    assert figures.method_bars(RECORDS, ["dense", "pai"], x_title="start").layout.xaxis.title.text == "start"
    hist = [{"epoch": 1, "sign_flip_fraction": 0.1, "test_acc": 0.1}]
    recs = [_rec("lrr", 0.9, 0, 0.1, hist), _rec("transplant_mask", 0.9, 0, 0.1, hist)]
    legend = figures.history_curves(recs, "sign_flip_fraction").layout.legend
    assert legend.orientation == "h" and legend.y < 0


def test_history_curves_tell_overlapping_methods_apart_and_take_a_log_axis():
    hist = [{"epoch": 1, "sign_flip_fraction": 0.0, "test_acc": 0.1},
            {"epoch": 2, "sign_flip_fraction": 0.004, "test_acc": 0.1}]
    recs = [_rec("transplant_magnitudes", 0.9, 0, 0.1, hist), _rec("transplant_mask", 0.9, 0, 0.1, hist)]
    fig = figures.history_curves(recs, "sign_flip_fraction")
    assert fig.data[0].line.dash != fig.data[1].line.dash and fig.data[0].marker.symbol != fig.data[1].marker.symbol
    log = figures.history_curves(recs, "sign_flip_fraction", log_y=True)
    assert log.layout.yaxis.type == "log" and "log scale" in log.layout.yaxis.title.text
    assert list(log.data[0].x) == [2] and log.data[0].y[0] == pytest.approx(0.4)  # the zero is left out


def test_run_rows_read_every_committed_lottery_record():
    """Chapter 2 under the cpu profile shows the committed lottery records; some were resumed before wall time was
    kept (None): the table writes a dash, not a crash."""
    from pathlib import Path

    from signin_lite.evidence import records

    recs = records.load_records(Path(__file__).resolve().parents[1] / "results" / "cpu" / "lottery")
    rows = figures.run_rows(recs)
    assert len(rows) == len(recs) and all(row["wall time (s)"] for row in rows)
    assert any(r["cost"]["wall_time_s"] is None for r in recs) == any(row["wall time (s)"] == "—" for row in rows)
