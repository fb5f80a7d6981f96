"""Figures of chapter 7 (reference results): accuracy and gain against sparsity for the summary rows of one panel
(:func:`signin_lite.evidence.summary.panels`), drawn so that they read.

- methods sit side by side around each sparsity (never stacked at one x), each seed a faint dot beside its mean;
- the paper's reported accuracies (from a much longer schedule on the full training set) get their own panel with its
  own axis, so they do not squash our runs into a band; the paper's reported *gains* are labelled marks
  that never widen our axis (a mark outside it becomes an arrow at the edge);
- legends sit under the plot.

Every builder returns a ``go.Figure`` and shows nothing::

    rows = summary.summary_table(recs)
    for key, prow in summary.panels(rows).items():
        show(label(reference_figures.accuracy_panel(prow, "title", recs), record=summary.records_of(prow, recs)))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from signin_lite.evidence import paper as paper_results  # the builders' flag is named paper
from signin_lite.foundations import methods
from signin_lite.views.plotting import LEGEND_BELOW

__all__ = ["accuracy_panel", "gain_panel", "offsets", "seed_values"]

SPREAD = 0.035       # offset between neighbouring methods, as a fraction of the sparsity span drawn
LONE_SPAN = 0.1      # the sparsity span drawn around a panel that has a single sparsity
LONE_SPREAD = 0.12   # ... where the methods can spread wider: the offset as a fraction of that span
PAPER_NOTE = (f"reported by the paper ({paper_results.PAPER['mask']} mask, {paper_results.PAPER['epochs']} epochs, "
              f"{paper_results.PAPER['train_size']:,} training images)")


def offsets(names: Sequence[str], sparsities: Iterable[float]) -> tuple[dict[str, float], float]:
    """Horizontal offset of each method around its sparsity (centred on it), and the sparsity span drawn."""
    sps = sorted(set(sparsities))
    span = (sps[-1] - sps[0]) if len(sps) > 1 else LONE_SPAN
    step = (SPREAD if len(sps) > 1 else LONE_SPREAD) * span
    k = len(names)
    return {m: step * (i - (k - 1) / 2) for i, m in enumerate(names)}, span


def seed_values(row: Mapping, recs: Iterable[Mapping], key: str = "test_acc") -> list[float]:
    """Final ``key`` (percent) of each run behind one summary row, in seed order."""
    ids = set(row["run_ids"])
    runs = sorted((r for r in recs if r["run_id"] in ids), key=lambda r: r["config"]["seed"])
    return [100 * r["final"][key] for r in runs]


def _jitter(i: int, width: float) -> float:
    """A small deterministic offset for the ``i``-th seed, within ``width`` on either side."""
    return width * (2 * ((i * 0.618034) % 1.0) - 1.0)


def _sparsity_axis(fig: go.Figure, sps: Sequence[float], span: float, **where: int) -> None:
    pad = 0.12 * span if len(sps) > 1 else span / 2
    fig.update_xaxes(range=[min(sps) - pad, max(sps) + pad], tickvals=list(sps),
                     ticktext=[f"{100 * s:g}%" for s in sps], title_text="sparsity (methods drawn side by side)",
                     **where)


def _our_accuracy(fig: go.Figure, rows: Sequence[Mapping], recs: Sequence[Mapping] | None) -> None:
    sparse = [r for r in rows if r["method"] != "dense"]
    names = list(dict.fromkeys(r["method"] for r in sparse))
    shift, span = offsets(names, [r["sparsity"] for r in sparse])
    for method in names:
        pts = sorted((r for r in sparse if r["method"] == method), key=lambda r: r["sparsity"])
        color, dx = methods.color(method), shift[method]
        fig.add_scatter(x=[r["sparsity"] + dx for r in pts], y=[r["test_acc_mean"] for r in pts],
                        mode="lines+markers", line={"color": color}, marker={"size": 9},
                        error_y={"type": "data", "array": [r["test_acc_std"] or 0 for r in pts]},
                        name=f"{methods.label(method)} (n={'/'.join(str(r['n']) for r in pts)})",
                        legendgroup=method, row=1, col=1,
                        hovertemplate=f"{methods.label(method)}: %{{y:.2f}}% (mean ± std)<extra></extra>")
        if recs is not None:
            xs, ys = [], []
            for r in (r for r in pts if r["n"] > 1):  # one seed: its dot is the mean
                vals = seed_values(r, recs)
                width = 0.25 * abs(shift[names[0]] - shift[names[-1]]) / max(len(names) - 1, 1) or 0.01 * span
                xs += [r["sparsity"] + dx + _jitter(i, width) for i in range(len(vals))]
                ys += vals
            fig.add_scatter(x=xs, y=ys, mode="markers", showlegend=False, legendgroup=method, hoverinfo="skip",
                            marker={"color": color, "opacity": 0.4, "size": 6}, row=1, col=1)
    for r in (r for r in rows if r["method"] == "dense"):
        fig.add_hline(y=r["test_acc_mean"], line_dash="dot", row=1, col=1,
                      annotation_text=f"dense ({r['n']} seed{'s' if r['n'] > 1 else ''})",
                      annotation_position="top left")
    _sparsity_axis(fig, sorted({r["sparsity"] for r in sparse}), span, row=1, col=1)
    dots = recs is not None and any(r["n"] > 1 for r in sparse)
    fig.update_yaxes(title_text="test accuracy (%, mean ± std" + ("; dots: seeds)" if dots else ")"), row=1, col=1)


def _paper_accuracy(fig: go.Figure) -> None:
    reported = paper_results.PAPER["test_acc"]
    sps = sorted(reported)
    for method, symbol in (("pai", "x"), ("pai_signin", "star")):
        fig.add_scatter(x=sps, y=[reported[s][method] for s in sps], mode="lines+markers", row=1, col=2,
                        marker={"symbol": symbol, "size": 11, "color": methods.color(method)},
                        line={"color": methods.color(method), "dash": "dot", "width": 1},
                        name=f"{methods.label(method)}, paper",
                        hovertemplate=f"{methods.label(method)}, {PAPER_NOTE}: %{{y:.2f}}%<extra></extra>")
    _sparsity_axis(fig, sps, sps[-1] - sps[0], row=1, col=2)
    fig.update_xaxes(title_text="sparsity", row=1, col=2)
    fig.update_yaxes(title_text="test accuracy (%), reported", row=1, col=2)


def accuracy_panel(rows: Sequence[Mapping], title: str, recs: Sequence[Mapping] | None = None,
                   paper: bool = True) -> go.Figure:
    """Test accuracy (mean ± std over seeds, %) against sparsity for one panel's summary rows, methods side by
    side, each seed a dot when ``recs`` (the records behind the rows) is given, dense as a dotted line; with
    ``paper``, the paper's reported accuracies in a panel of their own on the right (their own axis)."""
    if not any(r["method"] != "dense" for r in rows):
        raise ValueError("accuracy_panel needs the rows of at least one sparse method")
    if paper:
        fig = make_subplots(rows=1, cols=2, column_widths=[0.68, 0.32], horizontal_spacing=0.14,
                            subplot_titles=("this project's runs", "reported by the paper<br>"
                                            f"({paper_results.PAPER['epochs']} epochs, full training set)"))
    else:
        fig = make_subplots(rows=1, cols=1)
    _our_accuracy(fig, rows, recs)
    if paper:
        _paper_accuracy(fig)
    fig.update_layout(title=title, height=520, legend=LEGEND_BELOW, hovermode="closest")
    return fig


def _reference_marks(fig: go.Figure, marks: Sequence[tuple[float, float]], y_range: tuple[float, float],
                     name: str) -> None:
    """The paper's values as labelled stars at (x, y), inside ``y_range``; one outside it becomes an arrow at the
    edge with its value, so the marks never widen our axis."""
    inside = [(x, y) for x, y in marks if y_range[0] <= y <= y_range[1]]
    fig.add_scatter(x=[x for x, _ in inside], y=[y for _, y in inside], mode="markers", name=name,
                    marker={"symbol": "star", "size": 13, "color": "#333333"}, showlegend=True,
                    hovertemplate=f"{name}: %{{y:+.2f}} pp<extra></extra>")
    for x, y in marks:
        if (x, y) in inside:
            continue
        above = y > y_range[1]
        fig.add_annotation(x=x, y=y_range[1] if above else y_range[0], showarrow=False, xanchor="center",
                           yanchor="top" if above else "bottom", bgcolor="rgba(255,255,255,0.8)",
                           text=f"{'↑' if above else '↓'} ★ paper: {y:+.2f} pp (off the axis)",
                           font={"size": 10, "color": "#333333"})


def gain_panel(rows: Sequence[Mapping], title: str, paper: bool = True) -> go.Figure:
    """Each gain row's difference from its baseline (pp) with its 95% interval (paired or Welch, as the row says;
    an open marker where none exists), methods side by side; with ``paper``, the paper's reported Sign-In gain at
    the sparsities drawn, as labelled marks that do not widen the axis."""
    gains = [r for r in rows if r.get("gain") is not None]
    if not gains:
        raise ValueError("gain_panel needs rows that carry a gain")
    names = list(dict.fromkeys(r["method"] for r in gains))
    shift, span = offsets(names + (["paper"] if paper else []), [r["sparsity"] for r in gains])  # paper: rightmost
    fig = go.Figure()
    lows, highs = [0.0], [0.0]
    for method in names:
        pts = sorted((r for r in gains if r["method"] == method), key=lambda r: r["sparsity"])
        up = [(r["gain_ci_high"] if r["gain_ci_high"] is not None else r["gain"]) - r["gain"] for r in pts]
        down = [r["gain"] - (r["gain_ci_low"] if r["gain_ci_low"] is not None else r["gain"]) for r in pts]
        lows += [r["gain"] - d for r, d in zip(pts, down, strict=True)]
        highs += [r["gain"] + u for r, u in zip(pts, up, strict=True)]
        fig.add_scatter(x=[r["sparsity"] + shift[method] for r in pts], y=[r["gain"] for r in pts], mode="markers",
                        error_y={"type": "data", "array": up, "arrayminus": down,
                                 "visible": any(u or d for u, d in zip(up, down, strict=True))},
                        marker={"size": 11, "color": methods.color(method),
                                "symbol": ["circle" if r["gain_ci_low"] is not None else "circle-open" for r in pts]},
                        name=f"{methods.label(method)} − {methods.label(pts[0]['gain_vs'])}",
                        hovertemplate="%{y:+.2f} pp<extra></extra>")
    pad = 0.08 * (max(highs) - min(lows) or 1.0)
    y_range = (min(lows) - pad, max(highs) + pad)
    sps = sorted({r["sparsity"] for r in gains})
    if paper:
        marks = [(s + shift["paper"], g) for s in sps if (g := paper_results.gain(s)) is not None]
        _reference_marks(fig, marks, y_range, f"Sign-In − PaI, {PAPER_NOTE}")
    fig.add_hline(y=0, line_dash="dot")
    _sparsity_axis(fig, sps, span)
    fig.update_yaxes(range=list(y_range), title_text="gain in test accuracy (pp, 95% interval)")
    fig.update_layout(title=title, height=480, legend=LEGEND_BELOW, hovermode="closest")
    return fig
