"""Sign-In's mechanism as a picture: the (w, m) plane of one weight θ = m·w.

The curves m² − w² = const are what gradient flow keeps; the curves m·w = θ are the weight's value. A gradient step
slides along m² − w² = β and can take w through zero (θ changes sign); weight decay pulls (w, m) towards the saddle
at the origin and so shrinks m² − w²; a reset slides along m·w = θ, back to m² − w² = β, without changing θ::

    fig = mechanism.plane_figure(beta=1.0)
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch

from signin_lite.core.signin import balanced_factors

_GREY, _BLUE, _RED, _GREEN, _BLACK = "#9e9e9e", "#1f77b4", "#d62728", "#2ca02c", "#444444"


def _hyperbola(c: float, w_max: float, n: int = 121) -> tuple[list[float], list[float]]:
    """The branch m > 0 of m² − w² = c (c > 0), for |w| <= w_max."""
    ws = [w_max * (2 * i / (n - 1) - 1) for i in range(n)]
    return ws, [math.sqrt(c + w * w) for w in ws]


def _theta_curve(theta: float, m_max: float, n: int = 121) -> tuple[list[float], list[float]]:
    """m·w = theta for m in (0, m_max]: w = theta / m, cut where |w| would leave the plot."""
    ms = [m_max * (i + 1) / n for i in range(n)]
    pts = [(theta / m, m) for m in ms if abs(theta / m) <= m_max]
    return [p[0] for p in pts], [p[1] for p in pts]


def _factors(theta: float, beta: float) -> tuple[float, float]:
    """(w, m) with m·w = theta and m² − w² = beta (the state right after a reset)."""
    m, w = balanced_factors(torch.tensor(theta, dtype=torch.float64), beta)
    return float(w), float(m)


def _arrow(fig: go.Figure, start: tuple[float, float], end: tuple[float, float], color: str) -> None:
    fig.add_annotation(x=end[0], y=end[1], ax=start[0], ay=start[1], xref="x", yref="y", axref="x", ayref="y",
                       showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=2.5, arrowcolor=color, text="")


def _label(fig: go.Figure, at: tuple[float, float], text: str, color: str, anchor: str) -> None:
    fig.add_annotation(x=at[0], y=at[1], text=text, showarrow=False, font={"color": color, "size": 12},
                       xanchor=anchor, bgcolor="rgba(255,255,255,0.8)")


def _along(theta0: float, theta1: float, beta: float, n: int = 40) -> tuple[list[float], list[float]]:
    """The path on m² − w² = beta from θ = theta0 to theta1 (what gradient flow follows)."""
    pts = [_factors(theta0 + (theta1 - theta0) * i / (n - 1), beta) for i in range(n)]
    return [p[0] for p in pts], [p[1] for p in pts]


def plane_figure(beta: float = 1.0, theta: float = 1.2, decay: float = 0.4, second: str = "w",
                 balanced: bool = False) -> go.Figure:
    """The (w, m) plane of one weight: m² − w² = beta (what gradient flow keeps), the same curve after weight decay
    has shrunk it by the factor ``decay``, curves of constant θ = m·w, and the three moves: gradient steps along
    the curve that take θ from −theta/2 through 0 to theta, weight decay towards the saddle at the origin (θ and
    m² − w² both shrink), and the reset that keeps θ and goes back to m² − w² = beta.

    ``second`` names the horizontal factor in the labels (chapter 3 calls it v, because w is its hidden weight);
    ``balanced`` adds the curve m² − w² = 0, the two lines m = |w| that meet at the saddle: a balanced pair
    (β = 0) can change the sign of θ only by passing through the saddle."""
    if not (beta > 0 and 0 < decay < 1 and theta > 0):
        raise ValueError(f"beta={beta!r} and theta={theta!r} must be positive and decay={decay!r} in (0, 1)")
    v = second
    lim = 1.3 * math.sqrt(beta + 2 * theta)
    fig = go.Figure()
    for t in (-theta, -theta / 2, theta * decay, theta):
        xs, ys = _theta_curve(t, lim)
        fig.add_scatter(x=xs, y=ys, mode="lines", line={"color": _GREY, "width": 1, "dash": "dot"},
                        name=f"θ = m·{v} held fixed (one curve per θ)", legendgroup="theta", showlegend=t == theta,
                        hovertemplate=f"θ = {t:+.2f}<extra></extra>")
    for c, dash, name in ((beta, None, f"m² − {v}² = β = {beta:g}"),
                          (beta * decay, "dash", f"m² − {v}² = {beta * decay:.2g}: after weight decay")):
        xs, ys = _hyperbola(c, lim)
        fig.add_scatter(x=xs, y=ys, mode="lines", line={"color": _BLUE, "width": 3 if dash is None else 2,
                                                        "dash": dash}, name=name)
    if balanced:
        fig.add_scatter(x=[-lim, 0, lim], y=[lim, 0, lim], mode="lines", line={"color": _BLACK, "width": 2},
                        name=f"m² − {v}² = 0: balanced, through the saddle", hoverinfo="skip")
    _moves(fig, beta, theta, decay, lim, v)
    fig.add_scatter(x=[0], y=[0], mode="markers", marker={"symbol": "x", "size": 12, "color": "black"},
                    name=f"saddle m = {v} = 0: a weight that gets here stops changing")
    fig.add_vline(x=0, line={"color": "#cccccc", "width": 1})
    fig.update_xaxes(title_text=f"{v}, the second factor of θ = m·{v} (no unit)", range=[-lim, lim],
                     zeroline=False)
    fig.update_yaxes(title_text="m, the first factor (no unit)", range=[-0.05, lim], zeroline=False)
    fig.update_layout(title_text=f"Sign-In's moves for one weight θ = m·{v}, β = {beta:g}", height=560,
                      legend={"orientation": "h", "yanchor": "top", "y": -0.16, "x": 0},
                      margin={"t": 60, "b": 150}, plot_bgcolor="white")
    return fig


def _moves(fig: go.Figure, beta: float, theta: float, decay: float, lim: float, v: str) -> None:
    """The three moves as thick arrows with numbered labels inside the plot area (none over an axis title)."""
    xs, ys = _along(-theta / 2, theta, beta)
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"color": _GREEN, "width": 5}, name="gradient steps",
                    showlegend=False, hoverinfo="skip")
    _arrow(fig, (xs[-3], ys[-3]), (xs[-1], ys[-1]), _GREEN)
    # above the bottom of the curve, centred on the crossing of zero: clear of both axes and of the curve itself
    _label(fig, (0, math.sqrt(beta) + 0.22 * lim),
           f"1. gradient steps: along the curve;<br>{v} crosses 0, θ changes sign", _GREEN, "center")
    top = (xs[-1], ys[-1])
    low = (top[0] * math.sqrt(decay), top[1] * math.sqrt(decay))
    _arrow(fig, top, low, _RED)
    _label(fig, (top[0] + 0.12, low[1]), "2. weight decay: towards 0", _RED, "left")
    back = _factors(theta * decay, beta)
    xs, ys = _theta_curve(theta * decay, lim)
    path = [(x, y) for x, y in zip(xs, ys, strict=True) if low[1] <= y <= back[1]]
    fig.add_scatter(x=[p[0] for p in path], y=[p[1] for p in path], mode="lines", showlegend=False,
                    line={"color": _BLUE, "width": 5}, hoverinfo="skip")
    _arrow(fig, path[max(0, len(path) - 3)], back, _BLUE)
    # below the weight-decay label, under the line m = |w|: clear of the dashed curve the reset arrow starts on
    _label(fig, (top[0] + 0.12, low[1] - 0.22 * lim / 2.5), "3. reset: same θ,<br>back to β", _BLUE, "left")
