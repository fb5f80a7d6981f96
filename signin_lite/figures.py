"""Figure builders for the book's chapters: run records (or masks) in, plotly figures out.

Every builder returns a ``go.Figure`` and shows nothing; the notebook adds provenance and displays it::

    from signin_lite import figures, records
    from signin_lite.plotting import label, show

    recs = records.load_records("results/cpu/runs")
    show(label(figures.accuracy_vs_sparsity(recs, ["dense", "pai"]), record=recs))

``seed_stats`` is the one aggregation behind them: mean ± std of a final metric over seeds, grouped by
(method, sparsity). Accuracies in records are fractions; figures show them in percent.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence

import plotly.graph_objects as go
import torch

from . import masks
from .plotting import slider_figure

__all__ = ["seed_stats", "last_round", "at_sparsity", "accuracy_vs_sparsity", "method_bars", "history_curves",
           "layer_density", "density_slider", "percent"]

COLORS = {"dense": "#444444", "pai": "#1f77b4", "pai_signin": "#d62728", "imp": "#9467bd", "lrr": "#2ca02c",
          "transplant_signs": "#17becf", "transplant_magnitudes": "#ff7f0e", "transplant_mask": "#7f7f7f",
          "random": "#1f77b4", "erk": "#d62728", "snip": "#9467bd", "synflow": "#ff7f0e"}


def percent(sparsity: float) -> str:
    """0.9 -> '90%', 0.68377 -> '68.38%'."""
    return f"{100 * sparsity:.4g}%"


def _color(name: str) -> str | None:
    return COLORS.get(name) or next((c for k, c in COLORS.items() if name.startswith(k)), None)


def _complete(records: Iterable[Mapping]) -> list[Mapping]:
    """Complete records, each run once (the same record passed twice, e.g. a shared dense run, counts once)."""
    out: dict = {}
    for r in records:
        if r.get("status", "complete") == "complete":
            out.setdefault(r.get("name") or r.get("run_id") or id(r), r)
    return list(out.values())


def seed_stats(records: Iterable[Mapping], metric: str = "test_acc",
               methods: Sequence[str] | None = None) -> list[dict]:
    """One row per (method, sparsity): ``method, sparsity, n, mean, std, values, seeds`` of ``final[metric]``,
    plus the mean ``params_effective`` and ``flops_effective`` of the runs (None where a record lacks counts).

    Only complete records count, each run once; ``std`` is the sample standard deviation (None for one seed).
    Rows follow the order of ``methods`` (default: first appearance), then sparsity.
    """
    groups: dict[tuple[str, float], list[Mapping]] = {}
    for r in _complete(records):
        if methods is not None and r["method"] not in methods:
            continue
        value = r["final"].get(metric)
        if value is None:
            continue
        groups.setdefault((r["method"], round(float(r["config"]["sparsity"]), 6)), []).append(r)
    order = list(methods) if methods is not None else list(dict.fromkeys(m for m, _ in groups))
    rows = []
    for (method, sparsity), rs in sorted(groups.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        rs = sorted(rs, key=lambda r: r["config"].get("seed", 0))
        values = [float(r["final"][metric]) for r in rs]
        counts = {k: [r.get("counts", {}).get(k) for r in rs] for k in ("params_effective", "flops_effective")}
        rows.append({"method": method, "sparsity": sparsity, "n": len(values), "mean": statistics.fmean(values),
                     "std": statistics.stdev(values) if len(values) > 1 else None, "values": values,
                     "seeds": [r["config"].get("seed") for r in rs],
                     **{k: statistics.fmean(v) if None not in v else None for k, v in counts.items()}})
    return rows


def last_round(records: Iterable[Mapping]) -> list[Mapping]:
    """Drop the intermediate rounds of iterative pruning (records whose ``lottery.round`` < ``lottery.rounds``)."""
    return [r for r in records if "lottery" not in r or r["lottery"]["round"] == r["lottery"]["rounds"]]


def at_sparsity(records: Iterable[Mapping], sparsity: float) -> list[Mapping]:
    """The dense records and the final-round records run at ``sparsity`` (e.g. a ticket and its transplants)."""
    return [r for r in last_round(records)
            if r["method"] == "dense" or abs(float(r["config"]["sparsity"]) - sparsity) < 1e-6]


def _error(row: dict) -> float:
    return 100 * row["std"] if row["std"] is not None else 0.0


def accuracy_vs_sparsity(records: Iterable[Mapping], methods: Sequence[str] | None = None,
                         metric: str = "test_acc", title: str | None = None) -> go.Figure:
    """Final ``metric`` (percent) against sparsity: mean ± std over seeds per method, seeds as faint dots.

    Dense runs (sparsity 0) are drawn as a dashed line with a ± std band. The x axis is categorical
    (one tick per sparsity that was run), so 90%, 95% and 98% do not crowd together.
    """
    rows = seed_stats(records, metric, methods)
    if not rows:
        raise ValueError(f"no complete records of methods {list(methods) if methods else 'any'} to plot")
    xs = [percent(s) for s in sorted({r["sparsity"] for r in rows if r["sparsity"] > 0})]
    fig = go.Figure()
    for method in dict.fromkeys(r["method"] for r in rows):
        mine = [r for r in rows if r["method"] == method]
        color = _color(method)
        if all(r["sparsity"] == 0 for r in mine):
            r = mine[0]
            mean, err = 100 * r["mean"], _error(r)
            fig.add_trace(go.Scatter(x=[xs[0], xs[-1]] if xs else [0, 1], y=[mean, mean], mode="lines",
                                     line={"dash": "dash", "color": color}, name=f"{method} (n={r['n']})",
                                     hovertemplate=f"{method}: %{{y:.2f}}% ± {err:.2f}<extra></extra>"))
            if err:
                fig.add_hrect(y0=mean - err, y1=mean + err, fillcolor=color or "grey", opacity=0.12, line_width=0)
            continue
        mine = [r for r in mine if r["sparsity"] > 0]
        fig.add_trace(go.Scatter(
            x=[percent(r["sparsity"]) for r in mine], y=[100 * r["mean"] for r in mine],
            error_y={"type": "data", "array": [_error(r) for r in mine], "visible": True},
            mode="lines+markers", name=f"{method} (n={'/'.join(sorted({str(r['n']) for r in mine}))})",
            line={"color": color}, customdata=[[r["n"]] for r in mine],
            hovertemplate=f"{method} %{{x}}: %{{y:.2f}}% (seeds: %{{customdata[0]}})<extra></extra>"))
        fig.add_trace(go.Scatter(
            x=[percent(r["sparsity"]) for r in mine for _ in r["values"]],
            y=[100 * v for r in mine for v in r["values"]], mode="markers", showlegend=False,
            marker={"color": color, "opacity": 0.35, "size": 6}, hoverinfo="skip"))
    name = metric.replace("_acc", " accuracy").replace("_", " ")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=xs,
                     title="sparsity (fraction of weights removed)")
    fig.update_yaxes(title=f"final {name} (%)")
    fig.update_layout(title=title or f"Final {name} against sparsity (mean ± std over seeds)", hovermode="closest")
    return fig


def method_bars(records: Iterable[Mapping], methods: Sequence[str], metric: str = "test_acc",
                names: Mapping[str, str] | None = None, title: str | None = None) -> go.Figure:
    """One bar per method (in the given order): mean ± std of the final ``metric`` (percent), seeds as dots.

    A method run at several sparsities gets one bar per sparsity, named ``method @ sparsity``.
    ``names`` renames methods for the axis (e.g. ``{"transplant_signs": "ticket signs + new magnitudes"}``).
    """
    rows = seed_stats(records, metric, methods)
    if not rows:
        raise ValueError(f"no complete records of methods {list(methods)} to plot")
    names = names or {}
    several = {m for m in methods if sum(r["method"] == m for r in rows) > 1}
    ticks = [names.get(r["method"], r["method"]) + (f" @ {percent(r['sparsity'])}" if r["method"] in several else "")
             for r in rows]
    fig = go.Figure(go.Bar(
        x=ticks, y=[100 * r["mean"] for r in rows], marker_color=[_color(r["method"]) for r in rows],
        error_y={"type": "data", "array": [_error(r) for r in rows], "visible": True}, showlegend=False,
        customdata=[[r["n"], percent(r["sparsity"])] for r in rows],
        hovertemplate="%{x}: %{y:.2f}% (seeds: %{customdata[0]}, sparsity %{customdata[1]})<extra></extra>"))
    fig.add_trace(go.Scatter(x=[t for t, r in zip(ticks, rows) for _ in r["values"]],
                             y=[100 * v for r in rows for v in r["values"]], mode="markers", showlegend=False,
                             marker={"color": "black", "size": 6, "opacity": 0.6}, hoverinfo="skip"))
    name = metric.replace("_acc", " accuracy").replace("_", " ")
    fig.update_yaxes(title=f"final {name} (%)")
    fig.update_layout(title=title or f"Final {name} (mean ± std over seeds; dots: single seeds)")
    return fig


def _history_value(entry: Mapping, key: str) -> float | None:
    value = entry.get(key)
    if isinstance(value, Mapping):  # per-layer dicts (sign_alignment): the pooled "_all" value
        value = value.get("_all")
    return None if value is None else float(value)


def history_curves(records: Iterable[Mapping], key: str = "test_acc", names: Mapping[str, str] | None = None,
                   title: str | None = None, percent_scale: bool = True) -> go.Figure:
    """Per-epoch ``history[key]`` of each record, one line per record, coloured by method.

    Dict-valued entries (``sign_alignment``) use their pooled ``"_all"`` value; records without the key are
    skipped. Values are shown in percent unless ``percent_scale=False``.
    """
    fig = go.Figure()
    shown: set[str] = set()
    names = names or {}
    scale = 100 if percent_scale else 1
    for r in _complete(records):
        points = [(h["epoch"], _history_value(h, key)) for h in r.get("history", [])]
        points = [(e, v) for e, v in points if v is not None]
        if not points:
            continue
        method = r["method"]
        seed = r["config"].get("seed")
        fig.add_trace(go.Scatter(
            x=[e for e, _ in points], y=[scale * v for _, v in points], mode="lines+markers",
            name=names.get(method, method), legendgroup=method, showlegend=method not in shown,
            line={"color": _color(method)},
            hovertemplate=f"{names.get(method, method)} (seed {seed}) epoch %{{x}}: %{{y:.3g}}<extra></extra>"))
        shown.add(method)
    if not fig.data:
        raise ValueError(f"no record has per-epoch values of {key!r}")
    label = key.replace("_", " ") + (" (%)" if percent_scale else "")
    fig.update_xaxes(title="epoch", dtick=1)
    fig.update_yaxes(title=label)
    fig.update_layout(title=title or f"{key.replace('_', ' ')} per epoch")
    return fig


def layer_density(masks_by_name: Mapping[str, Mapping[str, torch.Tensor]], title: str | None = None,
                  log: bool = False) -> go.Figure:
    """Grouped bars of the kept fraction per layer, one group per weight tensor, one colour per mask.

    ``masks_by_name`` maps a label (e.g. ``"erk"``) to a mask (weight name -> bool tensor). Hover shows the
    kept and total counts; the legend gives each mask's overall density.
    """
    if not masks_by_name:
        raise ValueError("layer_density needs at least one mask")
    fig = go.Figure()
    for label, mask in masks_by_name.items():
        layers = [n.removesuffix(".weight") for n in mask]
        kept = [int(m.sum()) for m in mask.values()]
        sizes = [m.numel() for m in mask.values()]
        overall = sum(kept) / sum(sizes)
        fig.add_trace(go.Bar(
            x=layers, y=[k / s for k, s in zip(kept, sizes)], name=f"{label} (overall {percent(overall)} kept)",
            marker_color=_color(label), customdata=list(zip(kept, sizes)),
            hovertemplate=f"{label} %{{x}}: %{{y:.3f}} (%{{customdata[0]}} of %{{customdata[1]}} kept)<extra></extra>"))
    fig.update_layout(barmode="group", title=title or "Fraction of weights kept per layer",
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"})
    fig.update_yaxes(title="density (kept / total)", type="log" if log else "linear")
    fig.update_xaxes(tickangle=-60)  # layer names in model order: input side left, classifier right
    return fig


def density_slider(model: torch.nn.Module, sparsities: Sequence[float], methods: Sequence[str] = ("random", "erk"),
                   seed: int = 0, active: float | None = None) -> go.Figure:
    """``layer_density`` of each mask method at each sparsity, with a plotly slider over the sparsities.

    Only data-free methods make sense here (``random``, ``erk``, ``synflow``, ``magnitude``); the masks are
    made live with ``masks.make``. The slider works in the static book (plain plotly.js).
    """
    steps = {percent(s): layer_density({m: masks.make(model, m, s, seed=seed) for m in methods}) for s in sparsities}
    first = next(iter(steps.values()))
    fig = slider_figure(steps, name="sparsity", active=percent(sparsities[0] if active is None else active),
                        layout=first.layout)
    fig.layout.sliders[0].pad.t = 110  # below the rotated layer names
    fig.update_layout(height=620, margin={"b": 220})
    return fig
