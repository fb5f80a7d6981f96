"""Figures of chapter 5, dense-to-sparse training: the gradual magnitude pruning (GMP) schedule, and live runs per
epoch (sparsity, test accuracy, sign flips) beside pruning at initialization.

Every builder returns a ``go.Figure`` and shows nothing::

    show(label(gmp_figures.schedule(0.9, cfg.gmp_start, cfg.gmp_end), "computed from recipe.gmp_sparsity"))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from signin_lite.foundations import config, methods
from signin_lite.training import recipe
from signin_lite.views.plotting import LEGEND_BELOW, epoch_ticks

__all__ = ["schedule", "epoch_panels", "seed_table"]

# profiles drawn on the schedule, with their marker sizes: many small markers first, few large ones on top
PROFILE_MARKERS = (("gpu", 4), ("cpu", 9), ("smoke", 14))


def schedule(sparsity: float, start: float, end: float, points: int = 400) -> go.Figure:
    """The cubic GMP schedule s(t) to ``sparsity`` between training progress ``start`` and ``end``, and the epoch
    ends at which the trainer prunes in each profile of :data:`signin_lite.foundations.config.PROFILES`."""
    t = [i / points for i in range(points + 1)]
    fig = go.Figure(go.Scatter(x=t, y=[recipe.gmp_sparsity(p, sparsity, start, end) for p in t],
                               name="schedule s(t)", line={"color": "#444444"}))
    for prof, size in PROFILE_MARKERS:
        epochs = config.PROFILES[prof].get("epochs", config.TrainConfig.epochs)
        ends = [(e + 1) / epochs for e in range(epochs)]
        fig.add_scatter(x=ends, y=[recipe.gmp_sparsity(p, sparsity, start, end) for p in ends], mode="markers",
                        marker={"size": size, "symbol": "circle-open" if size > 4 else "circle"},
                        name=f"{prof} profile: prune after each of {epochs} epochs")
    fig.update_layout(title=f"GMP schedule to sparsity {sparsity:g} (t0 = {start:g}, t1 = {end:g})",
                      xaxis_title="training progress t (fraction of the run)",
                      yaxis_title="sparsity s(t) (fraction of weights removed)", legend=LEGEND_BELOW, height=480)
    return fig


PANELS = ("sparsity (fraction removed)", "test accuracy (%)", "sign flips (% of weights present)")


def epoch_panels(recs: Iterable[Mapping], title: str) -> go.Figure:
    """Per epoch, side by side: the measured sparsity (epoch 0 = initialization: GMP dense, PaI masked), the test
    accuracy and the share of the weights present that flipped sign; one line per run, coloured by method.
    Sign-In's runs are drawn first, wide and solid with filled circles, the others on top, dotted with open
    diamonds, so two methods whose lines coincide (GMP and GMP + Sign-In often do) both show."""
    fig = make_subplots(rows=1, cols=3, subplot_titles=("sparsity", "test acc. (%)", "sign flips (%)"),
                        horizontal_spacing=0.1)  # room for each panel's y axis title
    shown = set()
    for r in sorted(recs, key=lambda r: not r["config"]["signin"]):  # Sign-In first: underneath
        ep = [h["epoch"] for h in r["history"]]
        start = 0.0 if r["config"]["pruning"] == "gmp" else r["config"]["sparsity"]
        signin = r["config"]["signin"]
        style = {"color": methods.color(r["method"]), "dash": "solid" if signin else "dot", "width": 5 if signin else 2}
        marker = {"symbol": "circle" if signin else "diamond-open", "size": 10 if signin else 9}
        for col, (x, values) in enumerate((([0] + ep, [start] + [h["sparsity"] for h in r["history"]]),
                                           (ep, [100 * h["test_acc"] for h in r["history"]]),
                                           (ep, [100 * h["sign_flip_fraction"] for h in r["history"]])), start=1):
            fig.add_scatter(x=x, y=values, mode="lines+markers", name=methods.label(r["method"]), line=style,
                            marker=marker,
                            legendgroup=r["method"], legendrank=methods.order(r["method"]),
                            showlegend=r["method"] not in shown, row=1, col=col,
                            hovertemplate=f"seed {r['config']['seed']}, epoch %{{x}}: %{{y:.3g}}<extra></extra>")
            shown.add(r["method"])
    if not fig.data:
        raise ValueError("no records to plot")
    fig.update_xaxes(title_text="epoch")
    for col, axis in enumerate(PANELS, start=1):
        fig.update_yaxes(title_text=axis, row=1, col=col)
    fig.update_layout(title=title, height=420, legend=LEGEND_BELOW)
    return epoch_ticks(fig, max(max(t.x) for t in fig.data))


def seed_table(rows: Iterable[Mapping]) -> list[dict[str, str]]:
    """How many seeds each method has per sparsity in summary rows (:func:`signin_lite.evidence.summary
    .summary_table`): one row per method, one column per sparsity (%), '' where none."""
    rows = list(rows)
    sparsities = sorted({r["sparsity"] for r in rows})
    by = {(r["method"], r["sparsity"]): r["n"] for r in rows}
    names = list(dict.fromkeys(r["method"] for r in rows))
    return [{"method": methods.label(m), **{f"{100 * s:g}% sparse": str(by.get((m, s), "")) for s in sparsities}}
            for m in names]
