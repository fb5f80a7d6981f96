"""Figure builders for the book's chapters: run records (or masks) in, plotly figures out.

Every builder returns a ``go.Figure`` and shows nothing; the notebook adds provenance and displays it::

    from signin_lite.views import figures
    from signin_lite.evidence import records
    from signin_lite.views.plotting import label, show

    recs = records.load_records("results/cpu/runs")
    show(label(figures.accuracy_vs_sparsity(recs, ["dense", "pai"]), record=recs))

``seed_stats`` is the aggregation behind them: mean ± std of a final metric over the seeds of one setting
(:func:`signin_lite.evidence.records.settings`) per (method, sparsity); a figure never pools two settings. Accuracies in
records are fractions; figures show them in percent.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots
import torch

from signin_lite.core import pruning
from signin_lite.foundations import methods
from signin_lite.evidence import paper as paper_results  # accuracy_panel's flag is named paper
from signin_lite.evidence import records, summary
from signin_lite.views.plotting import DEFAULT_HEIGHT, LEGEND_BELOW, SLIDER_ROOM, slider_figure

__all__ = ["seed_stats", "at_sparsity", "accuracy_vs_sparsity", "method_bars", "history_curves",
           "layer_density", "mask_density", "density_slider", "percent", "share", "thousands", "count_row",
           "run_rows", "RUN_COLUMNS"]

LAYER_NAMES_PX = 140  # px under the x axis that layer names at -60 degrees and the axis title take
# a log density axis's labelled ticks: 1, 2 and 5 of each decade
_PALETTE = ("#636efa", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692")  # for masks without a colour
LOG_TICKS = tuple(m * 10.0 ** e for e in range(-4, 0) for m in (1, 2, 5)) + (1.0,)


def percent(sparsity: float) -> str:
    """0.9 -> '90%', 0.68377 -> '68.38%'."""
    return f"{100 * sparsity:.4g}%"


def share(fraction: float) -> str:
    """A fraction as a percentage to 3 significant digits: 0.09999 -> '10.0%', 0.0123 -> '1.23%'."""
    return f"{100 * fraction:#.3g}%".replace(".%", "%")


def thousands(n: float) -> str:
    """A count with thousands separators: 81102080 -> '81,102,080'."""
    return f"{round(n):,}"


def count_row(mask: str, counts: Mapping[str, float]) -> dict[str, str]:
    """One mask's effective parameters and FLOPs (:func:`signin_lite.core.counting.count`) for a table."""
    return {"mask": mask, "params (effective)": thousands(counts["params_effective"]),
            "FLOPs (effective)": thousands(counts["flops_effective"]),
            "params kept": share(counts["params_effective"] / counts["params_dense"]),
            "FLOPs kept": share(counts["flops_effective"] / counts["flops_dense"])}


def _wall_time(seconds: float | None) -> str:
    """A run's wall time, or a dash where its record has none (records resumed before wall time was kept)."""
    return "\u2014" if seconds is None else f"{seconds:.1f}"


_RUN_CELLS = {  # readable column -> how to read it from a run record
    "method": lambda r: methods.label(r["method"]) if r["method"] in methods.TABLE else r["method"],
    "sparsity": lambda r: percent(r["config"]["sparsity"]),
    "epochs": lambda r: str(r["config"]["epochs"]),
    "test acc (%)": lambda r: f"{100 * r['final']['test_acc']:.2f}",
    "params (effective)": lambda r: thousands(r["counts"]["params_effective"]),
    "FLOPs (effective)": lambda r: thousands(r["counts"]["flops_effective"]),
    "wall time (s)": lambda r: _wall_time(r["cost"].get("wall_time_s")),
}
RUN_COLUMNS = tuple(_RUN_CELLS)


def run_rows(recs: Iterable[Mapping], columns: Sequence[str] = RUN_COLUMNS) -> list[dict[str, str]]:
    """One row per run record with readable headers and values (method names, sparsity and accuracy in percent,
    counts with thousands separators), like the reference tables; ``columns`` picks from ``RUN_COLUMNS``."""
    return [{c: _RUN_CELLS[c](r) for c in columns} for r in recs]


def seed_stats(recs: Iterable[Mapping], metric: str = "test_acc",
               which: Sequence[str] | None = None) -> list[dict]:
    """One row per (method, sparsity), each exactly one setting (:func:`signin_lite.evidence.records.settings`):
    ``method, sparsity, n, mean, std, values, seeds`` of ``final[metric]``, plus the mean ``params_effective``
    and ``flops_effective`` of its runs.

    Runs that differ in more than the seed are never pooled: if a (method, sparsity) holds two settings (e.g. 12 and
    24 epochs) this raises ``ValueError`` naming the differing fields; select one with ``records.select`` first.
    Rows follow the order of ``which`` (default: the method table's), then sparsity.
    """
    cells: dict[tuple[str, float], list[records.Setting]] = {}
    for st in records.settings(recs):
        if which is None or st.method in which:
            cells.setdefault((st.method, st.sparsity), []).append(st)
    order = list(which) if which is not None else list(methods.TABLE)
    rows = []
    for (method, sparsity), group in sorted(cells.items(), key=lambda kv: (order.index(kv[0][0]) if kv[0][0] in order
                                                                           else len(order), kv[0][1])):
        st = records.one_setting(group, f"{method} at sparsity {sparsity:g}")
        values = st.values(metric)
        rows.append({"method": method, "sparsity": sparsity, "n": st.n, "mean": statistics.fmean(values),
                     "std": statistics.stdev(values) if len(values) > 1 else None, "values": values,
                     "seeds": st.seeds, "run_ids": [r["run_id"] for r in st.records],
                     **{k: statistics.fmean(r["counts"][k] for r in st.records)
                        for k in ("params_effective", "flops_effective")}})
    return rows


def at_sparsity(recs: Iterable[Mapping], sparsity: float) -> list[Mapping]:
    """The dense records and the final-round records run at ``sparsity`` (e.g. a ticket and its transplants)."""
    final = records.select(recs, lottery_final=True)
    return records.select(final, method="dense") + records.select(final, sparsity=sparsity)


def _error(row: dict) -> float:
    return 100 * row["std"] if row["std"] is not None else 0.0


def _x_range(rows: Sequence[dict]) -> tuple[float, float]:
    """The numeric sparsity axis's range (percent): the sparse points with room at both ends, at most 100%."""
    xs = [100 * r["sparsity"] for r in rows if r["sparsity"] > 0] or [50.0, 100.0]
    span = max(xs) - min(xs)
    pad = max(2.0, 0.06 * span) if span else 5.0
    return min(xs) - pad, min(100.0, max(xs) + pad)


def _dense_line(fig: go.Figure, r: dict, method: str, xs: Sequence, numeric: bool) -> None:
    """Dense (sparsity 0) as a dashed line across the sparse points' range, its ± std as a band; on a numeric
    axis the line is also labelled at its left end, so it reads without the legend."""
    mean, err, color = 100 * r["mean"], _error(r), methods.color(method)
    name = f"{methods.label(method)} (n={r['n']})"
    fig.add_trace(go.Scatter(x=list(xs), y=[mean, mean], mode="lines", line={"dash": "dash", "color": color},
                             name=name, hovertemplate=f"{method}: %{{y:.2f}}% ± {err:.2f}<extra></extra>"))
    if err and numeric:  # a filled trace, not a shape, so that the y axis makes room for the whole band
        fig.add_trace(go.Scatter(x=[xs[0], xs[-1], xs[-1], xs[0]], y=[mean - err] * 2 + [mean + err] * 2,
                                 fill="toself", fillcolor=color or "grey", opacity=0.12, line_width=0,
                                 mode="lines", showlegend=False, hoverinfo="skip"))
    elif err:
        fig.add_hrect(y0=mean - err, y1=mean + err, fillcolor=color or "grey", opacity=0.12, line_width=0)
    if numeric:
        fig.add_annotation(x=xs[0], y=mean, text=f"{name}: {mean:.2f}%", showarrow=False, xanchor="left",
                           yanchor="bottom", font={"size": 11, "color": color or "#444444"})


def _sparse_traces(fig: go.Figure, mine: Sequence[dict], method: str, numeric: bool) -> None:
    """One method's mean ± std per sparsity as a line, and its single seeds as faint dots."""
    color = methods.color(method)
    x = [100 * r["sparsity"] if numeric else percent(r["sparsity"]) for r in mine]
    fig.add_trace(go.Scatter(
        x=x, y=[100 * r["mean"] for r in mine],
        error_y={"type": "data", "array": [_error(r) for r in mine], "visible": True},
        mode="lines+markers", name=f"{methods.label(method)} (n={'/'.join(sorted({str(r['n']) for r in mine}))})",
        line={"color": color}, customdata=[[r["n"], percent(r["sparsity"])] for r in mine],
        hovertemplate=f"{method} %{{customdata[1]}}: %{{y:.2f}}% (seeds: %{{customdata[0]}})<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=[xi for xi, r in zip(x, mine, strict=True) for _ in r["values"]],
        y=[100 * v for r in mine for v in r["values"]], mode="markers", showlegend=False,
        marker={"color": color, "opacity": 0.35, "size": 6}, hoverinfo="skip"))


def accuracy_vs_sparsity(recs: Iterable[Mapping], which: Sequence[str] | None = None,
                         metric: str = "test_acc", title: str | None = None,
                         numeric_x: bool = False) -> go.Figure:
    """Final ``metric`` (percent) against sparsity: mean ± std over seeds per method, seeds as faint dots.

    Dense runs (sparsity 0) are drawn as a dashed line with a ± std band. By default the x axis is categorical
    (one tick per sparsity that was run), so 90%, 95% and 98% do not crowd together. ``numeric_x=True`` puts the
    sparsities on a numeric axis in percent (53.58% and 78.46% at their true distance) and labels the dense line
    across the whole range, so it shows even when a single sparsity was run.
    """
    rows = seed_stats(recs, metric, which)
    if not rows:
        raise ValueError(f"no complete records of methods {list(which) if which else 'any'} to plot")
    xs = [percent(s) for s in sorted({r["sparsity"] for r in rows if r["sparsity"] > 0})]
    x_range = _x_range(rows)
    fig = go.Figure()
    for method in dict.fromkeys(r["method"] for r in rows):
        mine = [r for r in rows if r["method"] == method]
        if all(r["sparsity"] == 0 for r in mine):
            ends = x_range if numeric_x else ([xs[0], xs[-1]] if xs else [0, 1])
            _dense_line(fig, mine[0], method, ends, numeric_x)
            continue
        _sparse_traces(fig, [r for r in mine if r["sparsity"] > 0], method, numeric_x)
    name = metric.replace("_acc", " accuracy").replace("_", " ")
    if numeric_x:
        fig.update_xaxes(range=list(x_range), ticksuffix="%", title="sparsity (% of weights removed)")
    else:
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=xs,
                         title="sparsity (fraction of weights removed)")
    fig.update_yaxes(title=f"final {name} (%)")
    fig.update_layout(title=title or f"Final {name} against sparsity (mean ± std over seeds)", hovermode="closest",
                      legend=LEGEND_BELOW)
    return fig


def method_bars(recs: Iterable[Mapping], which: Sequence[str], metric: str = "test_acc",
                names: Mapping[str, str] | None = None, title: str | None = None,
                x_title: str = "method") -> go.Figure:
    """One bar per method (in the given order): mean ± std of the final ``metric`` (percent), seeds as dots.

    A method run at several sparsities gets one bar per sparsity, named ``method @ sparsity``.
    ``names`` renames methods for the axis (e.g. ``{"transplant_signs": "ticket signs + new magnitudes"}``);
    ``x_title`` titles the (categorical) method axis.
    """
    rows = seed_stats(recs, metric, which)
    if not rows:
        raise ValueError(f"no complete records of methods {list(which)} to plot")
    names = names or {}
    several = {m for m in which if sum(r["method"] == m for r in rows) > 1}
    ticks = [names.get(r["method"], methods.label(r["method"]))
             + (f" @ {percent(r['sparsity'])}" if r["method"] in several else "")
             for r in rows]
    fig = go.Figure(go.Bar(
        x=ticks, y=[100 * r["mean"] for r in rows], marker_color=[methods.color(r["method"]) for r in rows],
        error_y={"type": "data", "array": [_error(r) for r in rows], "visible": True}, showlegend=False,
        customdata=[[r["n"], percent(r["sparsity"])] for r in rows],
        hovertemplate="%{x}: %{y:.2f}% (seeds: %{customdata[0]}, sparsity %{customdata[1]})<extra></extra>"))
    fig.add_trace(go.Scatter(x=[t for t, r in zip(ticks, rows, strict=True) for _ in r["values"]],
                             y=[100 * v for r in rows for v in r["values"]], mode="markers", showlegend=False,
                             marker={"color": "black", "size": 6, "opacity": 0.6}, hoverinfo="skip"))
    name = metric.replace("_acc", " accuracy").replace("_", " ")
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=f"final {name} (%)")
    # room under the plot for slanted method names and the axis title, so a caption goes below both
    fig.update_layout(title=title or f"Final {name} (mean ± std over seeds; dots: single seeds)",
                      margin={"b": 170}, height=DEFAULT_HEIGHT + 90)
    return fig


def _history_value(entry: Mapping, key: str) -> float | None:
    value = entry.get(key)
    if isinstance(value, Mapping):  # per-layer dicts (sign_alignment): the pooled "_all" value
        value = value.get("_all")
    return None if value is None else float(value)


_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross")


def history_curves(recs: Iterable[Mapping], key: str = "test_acc", names: Mapping[str, str] | None = None,
                   title: str | None = None, percent_scale: bool = True, log_y: bool = False) -> go.Figure:
    """Per-epoch ``history[key]`` of each record, one line per record, coloured by method.

    Dict-valued entries (``sign_alignment``) use their pooled ``"_all"`` value; records without the key are
    skipped. Values are shown in percent unless ``percent_scale=False``. Each method also gets its own dash and
    marker, so curves that lie on top of each other stay distinguishable; ``log_y`` puts the values on a log axis
    (zeros are then not drawn), for curves that differ by orders of magnitude.
    """
    fig = go.Figure()
    order: list[str] = []
    names = names or {}
    scale = 100 if percent_scale else 1
    for r in (r for st in records.settings(recs) for r in st.records):
        points = [(h["epoch"], _history_value(h, key)) for h in r.get("history", [])]
        points = [(e, v) for e, v in points if v is not None and not (log_y and v <= 0)]
        if not points:
            continue
        method, seed = r["method"], r["config"].get("seed")
        first = method not in order
        order += [method] if first else []
        k = order.index(method)
        fig.add_trace(go.Scatter(
            x=[e for e, _ in points], y=[scale * v for _, v in points], mode="lines+markers",
            name=names.get(method, methods.label(method)), legendgroup=method, showlegend=first,
            line={"color": methods.color(method), "dash": _DASHES[k % len(_DASHES)]},
            marker={"symbol": _SYMBOLS[k % len(_SYMBOLS)], "size": 7},
            hovertemplate=f"{names.get(method, methods.label(method))} (seed {seed}) "
                          f"epoch %{{x}}: %{{y:.3g}}<extra></extra>"))
    if not fig.data:
        raise ValueError(f"no record has per-epoch values of {key!r}")
    label = key.replace("_", " ") + (" (%" if percent_scale else " (") + (", log scale)" if log_y else ")")
    fig.update_xaxes(title="epoch", dtick=1)
    fig.update_yaxes(title=label.replace(" ()", ""), type="log" if log_y else "linear")
    fig.update_layout(title=title or f"{key.replace('_', ' ')} per epoch", legend=LEGEND_BELOW)
    return fig


def history_zoomed(recs: Iterable[Mapping], key: str, zoom: Sequence[str], title: str | None = None,
                   pad: float = 0.2) -> go.Figure:
    """:func:`history_curves` on top, and below it the curves of the methods in ``zoom`` again on a y axis that
    spans only their values (± ``pad`` percentage points): curves that lie on top of each other in the full view
    (two random-sign starts near 50%) are told apart in the lower panel."""
    full = history_curves(recs, key, title=title)
    near = [t for t in full.data if t.legendgroup in zoom]
    if not near:
        raise ValueError(f"no record of {list(zoom)} has per-epoch values of {key!r}")
    ys = [y for t in near for y in t.y]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12, row_heights=[0.55, 0.45],
                        subplot_titles=("all starts", "zoomed: " + ", ".join(methods.label(m) for m in zoom)))
    for t in full.data:
        fig.add_trace(t, row=1, col=1)
    for t in near:
        fig.add_trace(go.Scatter(t).update(showlegend=False), row=2, col=1)
    y_title = full.layout.yaxis.title.text
    fig.update_yaxes(title=y_title, row=1, col=1)
    fig.update_yaxes(title=y_title, range=[min(ys) - pad, max(ys) + pad], row=2, col=1)
    fig.update_xaxes(dtick=1)
    fig.update_xaxes(title="epoch", row=2, col=1)
    fig.update_layout(title=full.layout.title.text, legend={**LEGEND_BELOW, "y": -0.12},
                      height=int(DEFAULT_HEIGHT * 1.5))
    return fig


def layer_density(masks_by_name: Mapping[str, Mapping[str, torch.Tensor]], title: str | None = None,
                  log: bool = False) -> go.Figure:
    """Grouped bars of the kept fraction per layer, one group per weight tensor, one colour per mask.

    ``masks_by_name`` maps a label (e.g. ``"erk"``) to a mask (weight name -> bool tensor). Hover shows the
    kept and total counts; the legend gives each mask's overall density (3 significant digits). An empty layer
    (density 0, no bar, invisible on a log axis) gets an "x" at the bottom of the axis, named in the legend.
    """
    if not masks_by_name:
        raise ValueError("layer_density needs at least one mask")
    dens = {label: {n.removesuffix(".weight"): (int(m.sum()), m.numel()) for n, m in mask.items()}
            for label, mask in masks_by_name.items()}
    nonzero = [k / n for d in dens.values() for k, n in d.values() if k]
    floor = min(nonzero, default=1.0) / 3 if log else 0.0  # where an empty layer's marker sits
    fig = go.Figure()
    for i, (label, d) in enumerate(dens.items()):
        color = methods.color(label) or _PALETTE[i % len(_PALETTE)]  # one colour for a mask's bars and markers
        overall = sum(k for k, _ in d.values()) / sum(n for _, n in d.values())
        fig.add_trace(go.Bar(
            x=list(d), y=[k / n for k, n in d.values()], name=f"{label} (overall {100 * overall:#.3g}% kept)",
            marker_color=color, customdata=list(d.values()), offsetgroup=label,
            hovertemplate=f"{label} %{{x}}: %{{y:.3f}} (%{{customdata[0]}} of %{{customdata[1]}} kept)<extra></extra>"))
        empty = [layer for layer, (k, _) in d.items() if k == 0]
        if empty:
            fig.add_trace(go.Scatter(
                x=empty, y=[floor * 1.3 if log else 0.0] * len(empty), mode="markers", offsetgroup=label,
                marker={"symbol": "x", "size": 9, "color": color}, name=f"{label}: empty layer (x, nothing kept)",
                hovertemplate=f"{label} %{{x}}: empty (0 kept)<extra></extra>"))
    fig.update_layout(barmode="group", scattermode="group", title=title or "Fraction of weights kept per layer")
    fig.update_yaxes(title="density (fraction of the layer's weights kept)", type="log" if log else "linear")
    if log:  # label 1, 2 and 5 of each decade, not every minor tick; room at the bottom for empty layers
        fig.update_yaxes(tickvals=LOG_TICKS, ticktext=[f"{v:g}" for v in LOG_TICKS],
                         range=[math.log10(floor), math.log10(1.3)])
    # layer names in model order: input side left, classifier right
    fig.update_xaxes(tickangle=-60, title="layer (input side left, classifier right)")
    return _legend_under_names(fig, height=560, bottom=200)


def _legend_under_names(fig: go.Figure, height: int, bottom: int, top: int = 90) -> go.Figure:
    """A horizontal legend under the rotated layer names and the x axis title (LAYER_NAMES_PX below the axis),
    in a figure ``height`` px tall with ``bottom`` px of margin under the plot."""
    plot = height - top - bottom
    fig.update_layout(height=height, margin={"t": top, "b": bottom},
                      legend={**LEGEND_BELOW, "y": -LAYER_NAMES_PX / plot})
    return fig


def mask_density(model: torch.nn.Module, sparsity: float, methods: Sequence[str] = ("random", "erk"),
                 seed: int = 0) -> go.Figure:
    """``layer_density`` of masks made live with ``pruning.make`` for ``model`` at ``sparsity``, one per method."""
    return layer_density({m: pruning.make(model, m, sparsity, seed=seed) for m in methods})


def density_slider(model: torch.nn.Module, sparsities: Sequence[float], methods: Sequence[str] = ("random", "erk"),
                   seed: int = 0, active: float | None = None, title: str | None = None) -> go.Figure:
    """``layer_density`` of each mask method at each sparsity, with a plotly slider over the sparsities.

    Only data-free methods make sense here (``random``, ``erk``, ``synflow``, ``magnitude``); the masks are
    made live with ``pruning.make``. The slider works in the static book (plain plotly.js).
    """
    steps = {percent(s): mask_density(model, s, methods, seed) for s in sparsities}
    first = next(iter(steps.values()))
    fig = slider_figure(steps, name="sparsity", active=percent(sparsities[0] if active is None else active),
                        layout=first.layout)
    fig.layout.sliders[0].pad.t = LAYER_NAMES_PX + 60  # below the rotated layer names and the legend
    if title:
        fig.update_layout(title=title)
    return _legend_under_names(fig, height=720, bottom=LAYER_NAMES_PX + 60 + SLIDER_ROOM + 20)


# ------------------------------------------------------------------------------------------------ summary rows
def accuracy_panel(rows: Sequence[Mapping], title: str, paper: bool = True) -> go.Figure:
    """Test accuracy (mean ± std over seeds) against sparsity for the summary rows of one panel
    (:func:`signin_lite.evidence.summary.panels`), dense as a dotted line, the paper's reported points beside them."""
    fig = go.Figure()
    for method in dict.fromkeys(r["method"] for r in rows if r["method"] != "dense"):
        pts = sorted((r for r in rows if r["method"] == method), key=lambda r: r["sparsity"])
        fig.add_scatter(x=[r["sparsity"] for r in pts], y=[r["test_acc_mean"] for r in pts], mode="lines+markers",
                        error_y={"type": "data", "array": [r["test_acc_std"] or 0 for r in pts]},
                        line={"color": methods.color(method)},
                        name=f"{methods.label(method)} (seeds: {'/'.join(str(r['n']) for r in pts)})")
    for r in (r for r in rows if r["method"] == "dense"):
        fig.add_hline(y=r["test_acc_mean"], line_dash="dot", annotation_text=f"dense, {r['n']} seeds")
    reported = paper_results.PAPER
    for method, symbol in (("pai", "x"), ("pai_signin", "star")) if paper else ():
        fig.add_scatter(x=list(reported["test_acc"]), y=[v[method] for v in reported["test_acc"].values()],
                        mode="markers", marker={"symbol": symbol, "size": 11, "color": methods.color(method)},
                        name=f"{methods.label(method)}: reported by the paper "
                             f"({reported['mask']} mask, {reported['epochs']} epochs)")
    fig.update_layout(title=title, xaxis_title="sparsity", yaxis_title="test accuracy (%)", height=520)
    return fig


def gain_panel(rows: Sequence[Mapping], title: str) -> go.Figure:
    """Each gain row's difference from its baseline (pp) with its 95% interval (paired or Welch, as the row says),
    an open marker where the interval is unavailable, and the paper's reported Sign-In gain."""
    fig = go.Figure()
    gains = [r for r in rows if r.get("gain") is not None]
    for i, method in enumerate(dict.fromkeys(r["method"] for r in gains)):
        pts = sorted((r for r in gains if r["method"] == method), key=lambda r: r["sparsity"])
        dx = 0.003 * (2 * i - 1)
        fig.add_scatter(x=[r["sparsity"] + dx for r in pts], y=[r["gain"] for r in pts], mode="markers",
                        marker={"size": 10, "color": methods.color(method),
                                "symbol": ["circle" if r["gain_ci_low"] is not None else "circle-open" for r in pts]},
                        error_y={"type": "data", "array": [(r["gain_ci_high"] or r["gain"]) - r["gain"] for r in pts],
                                 "arrayminus": [r["gain"] - (r["gain_ci_low"] or r["gain"]) for r in pts]},
                        name=f"{methods.label(method)} minus {methods.label(pts[0]['gain_vs'])} "
                             f"(95% {pts[0]['gain_kind']}; open: unavailable)")
    reported = paper_results.PAPER
    fig.add_scatter(x=list(reported["test_acc"]), y=[paper_results.gain(s) for s in reported["test_acc"]],
                    mode="markers", marker={"symbol": "star", "size": 12, "color": "#333333"},
                    name="Sign-In gain reported by the paper "
                         f"({reported['mask']} mask, {reported['epochs']} epochs)")
    fig.add_hline(y=0, line_dash="dot")
    fig.update_layout(title=title, xaxis_title="sparsity (markers nudged apart)",
                      yaxis_title="test accuracy gain (percentage points)")
    return fig


_KEY_NAMES = {"test_acc": "test accuracy", "train_acc": "training accuracy", "val_acc": "validation accuracy"}


def history_slider(recs: Iterable[Mapping], which: Sequence[str], key: str = "test_acc",
                   active: float | None = None, title: str = "test accuracy per epoch") -> go.Figure:
    """Per sparsity (slider), the per-epoch mean ± std over seeds of ``history[key]`` for each method; dense (if
    given) in every step. Each (method, sparsity) must be one setting (select one first)."""
    cells: dict[tuple[str, float], list[records.Setting]] = {}
    for st in records.settings(recs):
        if st.method in which:
            cells.setdefault((st.method, st.sparsity), []).append(st)
    sparsities = sorted({sp for m, sp in cells if m != "dense"})
    if not sparsities:
        raise ValueError(f"no sparse runs of {list(which)} to draw")
    steps = {}
    for sp in sparsities:
        steps[sp] = []
        for m in which:
            group = cells.get((m, 0.0 if m == "dense" else sp))
            if not group:
                continue
            st = records.one_setting(group, f"{m} at sparsity {sp:g}")
            epochs, mean, std = summary.history_mean(st, key)
            steps[sp].append(go.Scatter(x=epochs, y=mean, error_y={"type": "data", "array": [v or 0 for v in std]},
                                        mode="lines+markers", name=f"{methods.label(m)} (n={st.n})",
                                        line={"color": methods.color(m), "dash": "dot" if m == "dense" else "solid"}))
    return slider_figure(steps, name="sparsity", active=active if active in steps else sparsities[0],
                         titles={sp: f"{title}, sparsity {sp:g}" for sp in steps},
                         layout={"xaxis_title": "epoch",
                                 "yaxis_title": f"{_KEY_NAMES.get(key, key)} (%, mean ± std over seeds)",
                                 # above the plot: the slider takes the space below it
                                 "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
                                 "margin": {"t": 110}})
