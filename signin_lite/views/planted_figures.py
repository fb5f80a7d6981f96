"""Figures of the planted ticket (:mod:`signin_lite.experiments.planted`, chapter 3½): sign recovery per seed and arm,
and the test loss during training. Each builder takes a planted record and returns a ``go.Figure``; :func:`caption`
is the provenance line under them, and :func:`show_details` a collapsible table::

    ref = planted.reference("results/planted")
    show(label(planted_figures.sign_recovery(ref), planted_figures.caption(ref)))
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from signin_lite.experiments import planted
from signin_lite.views import display
from signin_lite.views.plotting import LEGEND_BELOW

__all__ = ["caption", "config_rows", "details_html", "loss_curves", "show_details", "sign_recovery"]

_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid")
_SYMBOLS = ("circle", "square-open", "diamond", "triangle-up-open", "x", "star", "cross-open")
_COLORS = ("#1f77b4", "#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#2ca02c", "#e377c2")


def caption(record: Mapping) -> str:
    """What a figure of ``record`` shows and where it ran: the record's name, seeds and arms, steps, weight decay,
    device, date and library version (one record of many seeds, so no 'run' count)."""
    c, env = record["config"], record.get("env", {})
    commit = str(env.get("git_commit", ""))[:7]
    parts = [f"reference record {record['name']}", f"{c['seeds']} seeds × {len(c['arms'])} arms",
             f"{c['steps']} steps", f"weight decay {c['weight_decay']:g}", env.get("device_name"),
             str(record.get("date", ""))[:10],
             f"signin_lite {env['library_version']} ({commit})" if env.get("library_version") else None]
    return " · ".join(p for p in parts if p)


def config_rows(cfg: Any) -> list[dict[str, str]]:
    """A planted config (a dataclass) as a two-column table, one field a row, so a long setting does not scroll
    sideways as its printed form does."""
    return [{"field": f.name, "value": str(getattr(cfg, f.name))} for f in dataclasses.fields(cfg)]


def sign_recovery(record: Mapping, metric: str = "sign_recovery") -> go.Figure:
    """Per arm (one row each, top to bottom in the record's order), every seed's share of the teacher's signs at the
    end (dots, spread vertically so they do not hide each other) and the arm's mean with its Student-t 95% interval
    (:func:`signin_lite.experiments.planted.arm_table`); a dotted line at 50%, a random sign."""
    fig = go.Figure()
    for k, row in enumerate(planted.arm_table(record, metric)):
        color = _COLORS[k % len(_COLORS)]
        fig.add_trace(go.Box(x=[100 * v for v in planted.arm_values(record, row["arm"], metric)], y0=row["label"],
                             name=f"{row['label']}: one dot per seed", orientation="h", boxpoints="all",
                             jitter=0.6, pointpos=0, fillcolor="rgba(0,0,0,0)", line={"color": "rgba(0,0,0,0)"},
                             marker={"size": 5, "color": color, "opacity": 0.75}, showlegend=False,
                             hoveron="points"))
        fig.add_trace(go.Scatter(x=[100 * row["mean"]], y=[row["label"]], mode="markers", showlegend=False,
                                 name=f"{row['label']}: mean and 95% interval",
                                 marker={"color": "black", "size": 14, "symbol": "line-ns-open",
                                         "line": {"width": 2}},
                                 error_x={"type": "data", "symmetric": False, "color": "black", "thickness": 2,
                                          "array": [100 * (row["high"] - row["mean"])],
                                          "arrayminus": [100 * (row["mean"] - row["low"])]}))
    fig.add_vline(x=50, line_dash="dot", annotation_text="a random sign", annotation_position="bottom right")
    n = max(len(planted.arm_values(record, a, metric)) for a in record["config"]["arms"])
    fig.update_layout(title=f"Teacher's signs at the end: {n} seeds per arm (dots),<br>mean and 95% interval "
                            "(black)",
                      xaxis_title="teacher's signs recovered (% of kept weights)", yaxis_title="arm",
                      yaxis={"autorange": "reversed", "automargin": True}, height=460, showlegend=False,
                      margin={"l": 10})
    return fig


def loss_curves(record: Mapping) -> go.Figure:
    """The test loss during training, mean over seeds, one line per arm (log scale); each arm has its own dash and
    marker symbol (markers staggered along the line), so lines that coincide still show."""
    steps = record["curve_steps"]
    every = max(1, len(steps) // 8)  # about eight markers a line, at offsets that differ between arms
    fig = go.Figure([go.Scatter(x=steps, y=planted.mean_curve(record, arm), mode="lines+markers",
                                name=planted.LABELS[arm],
                                line={"color": _COLORS[k % len(_COLORS)], "dash": _DASHES[k % len(_DASHES)],
                                      "width": 2 if k else 3},
                                marker={"symbol": _SYMBOLS[k % len(_SYMBOLS)]})
                     for k, arm in enumerate(record["config"]["arms"])])  # each arm's colour as in sign_recovery
    for k, trace in enumerate(fig.data):  # markers on a sparse, staggered subset of the points
        shown = set(range(k % every, len(steps), every))
        trace.marker.size = [9 if i in shown else 0 for i in range(len(steps))]
    fig.update_layout(title="Test loss (MSE / variance of the targets), mean over seeds", xaxis_title="training step",
                      yaxis_title="test loss (MSE / variance of the targets)", yaxis_type="log", height=430,
                      legend=LEGEND_BELOW)
    return fig


def details_html(summary: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None,
                 caption_text: str | None = None) -> str:
    """An HTML table (:func:`signin_lite.views.display.table_html`) folded under a ``<details>`` toggle."""
    return (f"<details><summary>{html.escape(summary)}</summary>"
            f"{display.table_html(rows, columns, caption=caption_text)}</details>")


def show_details(summary: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None,
                 caption_text: str | None = None) -> None:
    """Display a long table folded under a toggle that reads ``summary`` (closed until a reader opens it)."""
    from IPython.display import display as ipy_display  # deferred: IPython only inside a notebook

    ipy_display({"text/html": details_html(summary, rows, columns, caption_text),
                 "text/plain": f"{summary}\n{display.table_text(rows, columns)}"}, raw=True)
