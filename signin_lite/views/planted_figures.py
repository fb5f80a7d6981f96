"""Figures of the planted ticket (:mod:`signin_lite.experiments.planted`, chapter 3½): sign recovery per seed and arm,
and the test loss during training. Each builder takes a planted record and returns a ``go.Figure``::

    ref = planted.reference("results/planted")
    show(label(planted_figures.sign_recovery(ref), record=ref))
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from signin_lite.experiments import planted
from signin_lite.views.plotting import LEGEND_BELOW

__all__ = ["sign_recovery", "loss_curves"]


def sign_recovery(record: Mapping, metric: str = "sign_recovery") -> go.Figure:
    """Per arm, every seed's fraction of the teacher's signs recovered (dots) and the arm's mean with its Student-t
    95% interval (:func:`signin_lite.experiments.planted.arm_table`); a dotted line at one half, a random sign."""
    fig = go.Figure()
    for row in planted.arm_table(record, metric):
        fig.add_trace(go.Box(y=planted.arm_values(record, row["arm"], metric), name=row["label"], boxpoints="all",
                             jitter=0.4, pointpos=0, fillcolor="rgba(0,0,0,0)", line_color="rgba(0,0,0,0)",
                             marker={"size": 4}, showlegend=False))
        fig.add_trace(go.Scatter(x=[row["label"]], y=[row["mean"]], mode="markers", showlegend=False,
                                 name=f"{row['label']}: mean and 95% interval",
                                 marker={"color": "black", "size": 10, "symbol": "line-ew-open"},
                                 error_y={"type": "data", "symmetric": False, "array": [row["high"] - row["mean"]],
                                          "arrayminus": [row["mean"] - row["low"]]}))
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="a random sign")
    fig.update_layout(title="Fraction of the teacher's signs recovered, per seed", xaxis_title="arm",
                      yaxis_title="sign recovery (fraction of kept weights)", height=430)
    return fig


def loss_curves(record: Mapping) -> go.Figure:
    """The test loss during training, mean over seeds, one line per arm (log scale)."""
    fig = go.Figure([go.Scatter(x=record["curve_steps"], y=planted.mean_curve(record, arm), mode="lines",
                                name=planted.LABELS[arm]) for arm in record["config"]["arms"]])
    fig.update_layout(title="Test loss (MSE / variance of the targets), mean over seeds", xaxis_title="training step",
                      yaxis_title="test loss (MSE / variance of the targets)", yaxis_type="log", height=430,
                      legend=LEGEND_BELOW)
    return fig
