"""Figures of the single-neuron toy model (:mod:`signin_lite.experiments.toy`): trajectories of a, w and the
loss, and phase diagrams over the starting signs with the boundary the theory predicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from signin_lite.experiments import toy

def trajectory_figure(results: Mapping[str, toy.ToyResult], start: int = 0, title: str | None = None,
                      log_steps: bool = True):
    """a, w (first coordinate) and the loss over steps, for one start of several runs (plotly, two panels).

    ``log_steps`` puts the steps on a log axis (step 0 is then not drawn): sign flips under Sign-In take
    tens of steps, the collapse of plain GD hundreds.
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=("parameters a (solid) and w (dotted)", "loss"))
    palette = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
    for k, (name, r) in enumerate(results.items()):
        color, steps = palette[k % len(palette)], r.curve_steps.tolist()
        fig.add_trace(go.Scatter(x=steps, y=r.a_curve[:, start].tolist(), name=f"{name}: a", legendgroup=name,
                                 line={"color": color}), 1, 1)
        fig.add_trace(go.Scatter(x=steps, y=r.w_curve[:, start, 0].tolist(), name=f"{name}: w", legendgroup=name,
                                 line={"color": color, "dash": "dot"}), 1, 1)
        fig.add_trace(go.Scatter(x=steps, y=r.loss_curve[:, start].tolist(), name=f"{name}: loss", legendgroup=name,
                                 line={"color": color}, showlegend=False), 1, 2)
    fig.add_hline(y=0, line={"color": "#999999", "width": 1}, row=1, col=1)
    fig.update_xaxes(title_text="step (log scale)" if log_steps else "step", type="log" if log_steps else "linear")
    fig.update_layout(title_text=title, height=420)
    return fig


def phase_heatmap(recovered, values: Sequence[float], name: str = "",
                  betas: tuple[float | None, float | None] | None = None, showscale: bool = False) -> list:
    """Plotly traces for one phase diagram: recovered[i_a][i_w] as a heatmap over (a0, w0), plus, when
    ``betas`` is given ((None, None) for plain GD, (beta_a, beta_w) for Sign-In), the boundary that
    :func:`signin_lite.experiments.toy.critical_a0` predicts in the quadrant a0 < 0 < w0 as a dashed line."""
    z = torch.as_tensor(recovered, dtype=torch.float64).T.tolist()  # rows: w0, columns: a0
    values = [float(v) for v in values]
    traces = [go.Heatmap(x=values, y=values, z=z, zmin=0, zmax=1, name=name, showscale=showscale,
                         colorscale=[[0, "#f4cccc"], [1, "#b6d7a8"]],
                         colorbar={"tickvals": [0, 1], "ticktext": ["stuck", "recovered"]},
                         hovertemplate="a0=%{x:.2f}<br>w0=%{y:.2f}<br>recovered=%{z}<extra>" + name + "</extra>")]
    if betas is not None and max(values) > 0:
        w = torch.linspace(0, max(values), 101, dtype=torch.float64)
        a = -toy.critical_a0(w, *betas)
        keep = a >= min(values)
        traces.append(go.Scatter(x=a[keep].tolist(), y=w[keep].tolist(), mode="lines", showlegend=False,
                                 line={"color": "black", "dash": "dash"}, name=f"{name}: predicted boundary"))
    return traces


def phase_figure(diagrams: Mapping[str, object], values: Sequence[float],
                 betas: Mapping[str, tuple[float | None, float | None]] | None = None, title: str | None = None):
    """Phase diagrams side by side (recovered: green, stuck: red), x = a0, y = w0. ``diagrams`` maps a
    panel title to its recovered grid [i_a][i_w]; ``betas`` maps it to (beta_a, beta_w), or (None, None)
    for plain GD, to draw the predicted boundary (see :func:`phase_heatmap`)."""
    names = list(diagrams)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, shared_yaxes=True)
    for k, name in enumerate(names):
        for trace in phase_heatmap(diagrams[name], values, name, (betas or {}).get(name),
                                   showscale=k == len(names) - 1):
            fig.add_trace(trace, 1, k + 1)
    fig.update_xaxes(title_text="a0")
    fig.update_yaxes(title_text="w0", col=1)
    fig.update_layout(title_text=title, height=380)
    return fig
