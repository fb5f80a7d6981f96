"""Figures of the single-neuron toy model (:mod:`signin_lite.experiments.toy`, chapter 3): trajectories of a, w and
the loss, Sign-In's factors, the saddle in floating point, the imbalance under weight decay, and phase diagrams over
the starting signs with the boundary the theory predicts (side by side, or a slider over beta_a)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from signin_lite.experiments import toy
from signin_lite.views.plotting import LEGEND_BELOW, slider_figure


def trajectory_figure(results: Mapping[str, toy.ToyResult], start: int = 0, title: str | None = None,
                      log_steps: bool = True) -> go.Figure:
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
    fig.update_yaxes(title_text="a and w (no unit)", row=1, col=1)
    fig.update_yaxes(title_text="loss ½ E[r²] (no unit)", row=1, col=2)
    fig.update_layout(title_text=title or "Trajectories of a, w and the loss", height=480,
                      legend={**LEGEND_BELOW, "y": -0.3})
    return fig


def outcome_table(results: Mapping[str, toy.ToyResult], labels: Sequence[str], digits: int = 3) -> list[dict]:
    """One row per start, one column per method: 'recovered' or 'stuck' with the final loss
    (:func:`signin_lite.experiments.toy.outcome_rows` folded into one cell per method, so the table stays narrow)."""
    rows = toy.outcome_rows(results, labels, digits)
    return [{"start": r["start"], **{name: f"{'recovered' if r[name] == 'yes' else 'stuck'}, loss {r[name + ' loss']}"
                                     for name in results}} for r in rows]


def phase_heatmap(recovered, values: Sequence[float], name: str = "",
                  betas: tuple[float | None, float | None] | None = None, showscale: bool = False) -> list:
    """Plotly traces for one phase diagram: recovered[i_a][i_w] as a heatmap over (a0, w0), plus, when
    ``betas`` is given ((None, None) for plain GD, (beta_a, beta_w) for Sign-In), the boundary that
    :func:`signin_lite.experiments.toy.critical_a0` predicts in the quadrant a0 < 0 < w0 as a dashed line."""
    z = torch.as_tensor(recovered, dtype=torch.float64).T.tolist()  # rows: w0, columns: a0
    values = [float(v) for v in values]
    traces = [go.Heatmap(x=values, y=values, z=z, zmin=0, zmax=1, name=name, showscale=showscale,
                         showlegend=False,
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
                 betas: Mapping[str, tuple[float | None, float | None]] | None = None,
                 title: str | None = None) -> go.Figure:
    """Phase diagrams side by side (recovered: green, stuck: red), x = a0, y = w0. ``diagrams`` maps a
    panel title to its recovered grid [i_a][i_w]; ``betas`` maps it to (beta_a, beta_w), or (None, None)
    for plain GD, to draw the predicted boundary (see :func:`phase_heatmap`)."""
    names = list(diagrams)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, shared_yaxes=True)
    for k, name in enumerate(names):
        for trace in phase_heatmap(diagrams[name], values, name, (betas or {}).get(name)):
            fig.add_trace(trace, 1, k + 1)
    # the legend (below the panels) says what the colours and the dashed line mean; these traces draw nothing
    for key, color in (("recovered: learned the teacher", "#b6d7a8"), ("stuck: did not", "#f4cccc")):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=key,
                                 marker={"symbol": "square", "size": 14, "color": color}), 1, 1)
    if betas:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line={"color": "black", "dash": "dash"},
                                 name="border predicted by the conservation laws"), 1, 1)
    fig.update_xaxes(title_text="a0 (output weight at the start)")
    fig.update_yaxes(title_text="w0 (hidden weight at the start)", col=1)
    fig.update_layout(title_text=title or "Phase diagrams over the start (a0, w0)", height=440,
                      legend={**LEGEND_BELOW, "y": -0.22})
    return fig


def reference_caption(record: Mapping, path: str = "results/toy/toy_phase_diagram.json") -> str:
    """The provenance line under a figure of the toy's reference record: what it holds, where and when it ran."""
    c, env = record["config"], record.get("env", {})
    where = [env.get("device_name") or env.get("device"), str(record.get("date", ""))[:10],
             f"signin_lite {env['library_version']} ({str(env.get('git_commit', ''))[:7]})"
             if env.get("library_version") else None]
    return " · ".join([f"reference record {path}", f"{c['grid']}×{c['grid']} starts per panel, {c['steps']} steps",
                       f"wall time {record['wall_time_s']:.0f} s", *[w for w in where if w]])


def factor_figure(result: toy.ToyResult, start: int = 0, title: str | None = None) -> go.Figure:
    """Sign-In's factors over steps for one start: v_a and v_w (solid), m_a and m_w (dotted, first coordinate of
    w), with zero marked; the steps on a log axis."""
    fc, steps = result.factor_curves, result.curve_steps.tolist()
    if fc is None:
        raise ValueError("factor_figure needs a Sign-In run (train_toy(..., signin=True))")
    fig = go.Figure([go.Scatter(x=steps, y=fc["v_a"][:, start].tolist(), name="v_a (a = m_a v_a)"),
                     go.Scatter(x=steps, y=fc["v_w"][:, start, 0].tolist(), name="v_w (w = m_w v_w)"),
                     go.Scatter(x=steps, y=fc["m_a"][:, start].tolist(), name="m_a", line={"dash": "dot"}),
                     go.Scatter(x=steps, y=fc["m_w"][:, start, 0].tolist(), name="m_w", line={"dash": "dot"})])
    fig.add_hline(y=0, line={"color": "#999999", "width": 1})
    fig.update_layout(title=title or "Sign-In factors", xaxis_title="step (log scale)", xaxis_type="log",
                      yaxis_title="factor value (dimensionless)", legend=LEGEND_BELOW)
    return fig


def saddle_figure(result: toy.ToyResult, mark_step: int | None = None,
                  title: str = "Plain GD from the balanced start a0 < 0 < w0, longer") -> go.Figure:
    """|a| and |w| (first start, first coordinate) over steps on a log scale: how close a run comes to the saddle
    a = w = 0 and when it leaves; ``mark_step`` draws a dashed line where the table's runs ended."""
    steps = result.curve_steps.tolist()
    fig = go.Figure([go.Scatter(x=steps, y=result.a_curve[:, 0].abs().tolist(), name="|a|"),
                     go.Scatter(x=steps, y=result.w_curve[:, 0, 0].abs().tolist(), name="|w| (on top of |a|)",
                                line={"dash": "dot"})])
    if mark_step is not None:
        fig.add_vline(x=mark_step, line={"color": "#999999", "dash": "dash"},
                      annotation_text="end of the table's runs")
    fig.update_layout(title=title, xaxis_title="step", yaxis_type="log", yaxis_exponentformat="power",
                      yaxis_title="|a| and |w| (dimensionless, log scale)", legend=LEGEND_BELOW)
    return fig


def loss_cell(loss: float, digits: int = 3) -> str:
    """A final loss for a table cell: ``"diverged (nan)"`` when the run blew up, else the loss to `digits`
    significant digits (a string either way, so the column aligns one way)."""
    return "diverged (nan)" if not math.isfinite(loss) else f"{loss:.{digits}g}"


def imbalance_figure(results: Mapping[str, toy.ToyResult], beta_a: float, title: str | None = None) -> go.Figure:
    """m_a² − v_a² over steps (first start) of Sign-In runs, one line per run, with beta_a marked."""
    fig = go.Figure([go.Scatter(x=r.curve_steps.tolist(),
                                y=(r.factor_curves["m_a"][:, 0] ** 2 - r.factor_curves["v_a"][:, 0] ** 2).tolist(),
                                name=name) for name, r in results.items()])
    # the label above the line at the left end, where the curves only start (they never rise above beta_a)
    fig.add_hline(y=beta_a, line={"dash": "dot", "color": "#999999"}, annotation_text=f"β_a = {beta_a:g}",
                  annotation_position="top left")
    fig.update_layout(title=title or "m_a² − v_a²", xaxis_title="step", yaxis_title="m_a² − v_a² (dimensionless)",
                      yaxis_range=[0, 1.15 * beta_a], legend=LEGEND_BELOW)
    return fig


def beta_slider(diagrams: Mapping[float, toy.ToyResult], values: Sequence[float], beta_w: float) -> go.Figure:
    """One phase diagram per beta_a (``diagrams`` maps beta_a to :func:`signin_lite.experiments.toy.phase_diagram`
    over ``values`` with beta_w fixed), with a plotly slider over beta_a and each step's predicted boundary."""
    grid = len(values)
    steps, titles = {}, {}
    for beta_a, r in diagrams.items():
        key = f"{beta_a:g}"
        steps[key] = phase_heatmap(r.recovered.reshape(grid, grid).int(), values, f"beta_a={key}", (beta_a, beta_w))
        titles[key] = (f"Sign-In, beta_a={key}, beta_w={beta_w:g}: recovered {int(r.recovered.sum())} "
                       f"of {grid ** 2} starts")
    return slider_figure(steps, name="beta_a", titles=titles,
                         layout={"xaxis_title": "a0 (output weight at the start)",
                                 "yaxis_title": "w0 (hidden weight at the start)", "height": 520})


def live_trajectories(beta_a: float, beta_w: float, period: int, weight_decay: float, a0: float, w0: float, *,
                      steps: int, lr: float) -> go.Figure:
    """Train plain GD and Sign-In from (a0, w0) (:func:`signin_lite.experiments.toy.gd_and_signin`) and draw their
    trajectories: the chapter's live controls call this through ``plotting.showing``."""
    results = toy.gd_and_signin(a0, w0, beta_a=beta_a, beta_w=beta_w, rescale_every=period,
                                weight_decay=weight_decay, steps=steps, lr=lr)
    return trajectory_figure(results, title=f"a0={a0:g}, w0={w0:g}; beta_a={beta_a:g}, beta_w={beta_w:g}, "
                                            f"reset every {period} steps, wd {weight_decay:g}")
