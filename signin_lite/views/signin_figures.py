"""Figures of chapter 4, Sign-In on CIFAR-10: live runs per mask and method, the mechanism (sign flips, sign
agreement with a dense-to-sparse network, the drift of m² − w² between resets) and the rescaling period.

Like :mod:`signin_lite.views.figures`, every builder takes records (or plain data) and returns a ``go.Figure``; the
notebook adds provenance and shows it::

    show(label(signin_figures.live_accuracy(live, title), record=live))

Runs are grouped by :func:`signin_lite.evidence.records.series` (mask and method, in sparsity order), so a figure
never pools two settings. Colours come from the method table; the mask sets the dash (random dotted, others solid).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from signin_lite.decision import typography
from signin_lite.evidence import records, summary
from signin_lite.foundations import methods
from signin_lite.views import figures
from signin_lite.views.display import smoke_title
from signin_lite.views.plotting import LEGEND_BELOW, epoch_ticks, slider_figure

__all__ = ["live_accuracy", "sign_alignment", "flip_heatmaps", "flips_per_epoch", "imbalance_trace",
           "period_slider", "live_run_figure", "reference_gains", "gain_rows", "accuracy_rows", "total_flips",
           "flip_rows"]

MASK_NAMES = {"erk": "ERK", "snip": "SNIP", "synflow": "SynFlow"}  # as the chapters write them; others as they are


def _last_epoch(recs: Iterable[Mapping]) -> int:
    return max(h["epoch"] for r in recs for h in r["history"])


def _line(mask: str, method: str) -> dict:
    return {"color": methods.color(method), "dash": "dot" if mask == "random" else "solid"}


# Sign-In's lines get larger open markers, so that a line lying exactly on PaI's still shows both
_MARKERS = {"pai_signin": {"symbol": "diamond-open", "size": 12, "line": {"width": 2}}}


def _marker(method: str) -> dict:
    return {"color": methods.color(method), **_MARKERS.get(method, {"symbol": "circle", "size": 7})}


def live_accuracy(recs: Iterable[Mapping], title: str) -> go.Figure:
    """Final test accuracy (%) against sparsity, one line per mask and method (the mean over seeds where a setting
    has several; the hover gives their number)."""
    fig = go.Figure()
    for (mask, method), points in records.series(recs, ("mask", "method")).items():
        fig.add_scatter(x=[s.sparsity for s in points], y=[100 * statistics.fmean(s.values()) for s in points],
                        mode="lines+markers", line=_line(mask, method), marker=_marker(method),
                        name=f"{mask} mask, {methods.label(method)}", customdata=[[s.n] for s in points],
                        hovertemplate="sparsity %{x:g}: %{y:.2f}% (seeds: %{customdata[0]})<extra></extra>")
    if not fig.data:
        raise ValueError("no complete records to plot")
    fig.update_layout(title=title, legend=LEGEND_BELOW, xaxis_title="sparsity (fraction of weights removed)",
                      yaxis_title="final test accuracy (%)")
    return fig


def sign_alignment(recs: Iterable[Mapping], title: str) -> go.Figure:
    """Per epoch, the share of kept weights whose sign matches the reference network's (``sign_alignment``, pooled
    over layers; mean over seeds), one panel per mask and one line per method in it, all at one sparsity. Methods
    differ in colour, dash and marker, so that two lines lying on each other stay visible."""
    groups = records.series(recs, ("mask", "method"))
    masks = list(dict.fromkeys(mask for mask, _ in groups))
    fig = make_subplots(rows=1, cols=max(1, len(masks)), shared_yaxes=True,
                        subplot_titles=[f"{MASK_NAMES.get(m, m)} mask" for m in masks])
    for (mask, method), points in groups.items():
        if len(points) > 1:
            raise ValueError(f"{mask} mask, {method}: runs at sparsities {[s.sparsity for s in points]}; "
                             "select one sparsity with records.select(...) first")
        epochs, mean, _ = summary.history_mean(points[0], "sign_alignment")
        col = masks.index(mask) + 1
        dash = "dash" if method in _MARKERS else "solid"
        fig.add_scatter(x=epochs, y=mean, mode="lines+markers", name=methods.label(method), legendgroup=method,
                        showlegend=col == 1, line={"color": methods.color(method), "dash": dash},
                        marker=_marker(method), row=1, col=col,
                        hovertemplate=f"{mask} mask, epoch %{{x}}: %{{y:.1f}}%<extra>%{{fullData.name}}</extra>")
    if not fig.data:
        raise ValueError("no complete records to plot")
    fig.update_layout(title=title, legend=LEGEND_BELOW)
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="kept weights with the reference's sign (%)", col=1)
    return epoch_ticks(fig, max(max(t.x) for t in fig.data))


def flip_heatmaps(recs: Sequence[Mapping], where: str) -> go.Figure:
    """Sign flips per layer (rows) and epoch (columns), one panel per record side by side, one colour scale."""
    recs = list(recs)
    layers = list(recs[0]["history"][0]["sign_flips"])
    fig = make_subplots(rows=1, cols=len(recs), shared_yaxes=True,
                        subplot_titles=[methods.label(r["method"]) for r in recs])
    for col, r in enumerate(recs, start=1):
        z = [[h["sign_flips"][layer] for h in r["history"]] for layer in layers]
        fig.add_heatmap(z=z, x=[h["epoch"] for h in r["history"]], y=layers, coloraxis="coloraxis",
                        name=methods.label(r["method"]), row=1, col=col,
                        hovertemplate="%{y}, epoch %{x}: %{z} flips<extra>%{fullData.name}</extra>")
    fig.update_layout(title=f"Sign flips per layer and epoch ({where}, sparsity {recs[0]['config']['sparsity']:g})",
                      coloraxis={"colorscale": "Viridis", "colorbar": {"title": "flips (weights)"}}, height=520)
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="layer", col=1)
    return epoch_ticks(fig, _last_epoch(recs))


def flips_per_epoch(recs: Iterable[Mapping], where: str) -> go.Figure:
    """The fraction of kept weights that flipped sign in each epoch, all layers together, one line per record."""
    recs = list(recs)
    fig = go.Figure([go.Scatter(x=[h["epoch"] for h in r["history"]],
                                y=[100 * h["sign_flip_fraction"] for h in r["history"]], mode="lines+markers",
                                name=methods.label(r["method"]), line={"color": methods.color(r["method"])},
                                marker=_marker(r["method"]))
                     for r in recs])
    fig.update_layout(title=f"Sign flips per epoch ({where})", xaxis_title="epoch",
                      yaxis_title="weights that flipped (% of kept weights)", yaxis_type="log", legend=LEGEND_BELOW)
    return epoch_ticks(fig, _last_epoch(recs))


def imbalance_trace(trace: Sequence[tuple[int, float, float]], rescale_steps: int,
                    title: str | None = None) -> go.Figure:
    """(m² − w²)/β after every SGD step, from ``(step, mean, smallest)`` over the kept weights: its mean and its
    smallest value, with the level a reset restores; ``title`` replaces the default (a smoke check's, say)."""
    fig = go.Figure([go.Scatter(x=[t[0] for t in trace], y=[t[i] for t in trace], mode="lines", name=name)
                     for i, name in ((1, "mean over kept weights"), (2, "smallest"))])
    fig.add_hline(y=1.0, line_dash="dot", annotation_text="beta (after each reset)")
    default = f"(m² − w²)/β between resets (every {rescale_steps} steps)"
    fig.update_layout(title=title or default, xaxis_title="SGD step",
                      yaxis_title="(m² − w²) / β (1 = as after a reset)", legend=LEGEND_BELOW)
    return fig


def _epoch_curve(r: Mapping, key: str, **style) -> go.Scatter:
    return go.Scatter(x=[h["epoch"] for h in r["history"]], y=[100 * h[key] for h in r["history"]],
                      mode="lines+markers", **style)


def period_slider(runs: Mapping[float, Mapping], baseline: Mapping, active: float | None = None,
                  profile: str | None = None) -> go.Figure:
    """Test and train accuracy per epoch of one Sign-In run per rescaling period p (a plotly slider over p), with the
    baseline's test accuracy dotted in every step; ``active``: the p shown first (default 1 where it was run);
    ``profile``: the runs' profile, whose every title then says "smoke check" where it is ``smoke``."""
    if not runs:
        raise ValueError("period_slider needs at least one run")
    color = methods.color("pai_signin")
    steps = {p: [_epoch_curve(r, "test_acc", name=f"Sign-In p={p:g}: test", line={"color": color}),
                 _epoch_curve(r, "train_acc", name=f"Sign-In p={p:g}: train", line={"color": color, "dash": "dash"}),
                 _epoch_curve(baseline, "test_acc", name=f"{methods.label(baseline['method'])}: test",
                              line={"color": methods.color(baseline["method"]), "dash": "dot"})]
             for p, r in runs.items()}
    mask = baseline["config"]["mask"]
    sparsity = baseline["config"]["sparsity"]
    titles = {p: f"{MASK_NAMES.get(mask, mask)}, sparsity {sparsity:g}, p = {p:g}: final test "
                 f"{100 * r['final']['test_acc']:.1f}% ({methods.label(baseline['method'])} "
                 f"{100 * baseline['final']['test_acc']:.1f}%)" for p, r in runs.items()}
    if profile is not None:
        titles = {p: smoke_title(t, profile) for p, t in titles.items()}
    if active is None:
        active = 1.0 if 1.0 in runs else next(iter(runs))
    fig = slider_figure(steps, name="rescaling period p (epochs)", active=active, titles=titles,
                        layout={"xaxis_title": "epoch", "yaxis_title": "accuracy (%)", "legend": LEGEND_BELOW})
    fig.layout.sliders[0].pad.t = 110  # below the legend
    return epoch_ticks(fig, _last_epoch([baseline, *runs.values()]))


LIVE_TRACES = (("train_acc", "train accuracy (%)"), ("test_acc", "test accuracy (%)"),
               ("sign_flip_fraction", "sign flips (% of kept weights)"))


def live_run_figure(title: str) -> go.Figure:
    """Empty lines for a run that is still training: train and test accuracy and sign flips per epoch, in percent
    (:mod:`signin_lite.views.live_plot` extends them epoch by epoch)."""
    return go.Figure([go.Scatter(x=[], y=[], mode="lines+markers", name=name) for _, name in LIVE_TRACES],
                     layout={"title": title, "height": 450, "xaxis": {"title": "epoch", "tickformat": "d"},
                             "yaxis_title": "accuracy or flipped weights (%)", "legend": LEGEND_BELOW})


def reference_gains(rows: Sequence[Mapping], title: str) -> go.Figure:
    """:func:`signin_lite.views.figures.gain_panel` with its legend under the plot (a page is narrower than a
    screen: a legend at the side would take half the width); a legend entry says "open: unavailable" only where its
    trace draws an open marker."""
    fig = figures.gain_panel(rows, title)
    for trace in fig.data:
        symbols = trace.marker.symbol
        opened = any("open" in str(x) for x in (symbols if isinstance(symbols, (list, tuple)) else [symbols]))
        if trace.name and not opened:
            trace.name = trace.name.replace("; open: unavailable", "")
    fig.update_layout(legend=LEGEND_BELOW)
    return fig


# ------------------------------------------------------------------------------------------ small tables
def _gain_cell(r: Mapping) -> str:
    if r.get("gain") is None:
        return "n/a"
    if r.get("gain_ci_low") is None:
        return f"{typography.signed(r['gain'], 2)} (no interval)"
    low, high = (typography.signed(r[k], 2) for k in ("gain_ci_low", "gain_ci_high"))
    return f"{typography.signed(r['gain'], 2)} [{low}, {high}]"


def _minus(treatment: str, baseline: str) -> str:
    """'(PaI + Sign-In) − PaI': labels with spaces in parentheses, so that the minus reads unambiguously."""
    return " − ".join(f"({x})" if " " in x else x for x in (methods.label(treatment), methods.label(baseline)))


def _measured(rows: Iterable[Mapping]) -> list[Mapping]:
    """The rows that are evidence: main settings, no smoke-profile run (a smoke check is not a result)."""
    return [r for r in rows if r.get("profile") != "smoke" and r.get("role", "main") == "main"]


def gain_rows(rows: Iterable[Mapping]) -> list[dict[str, str]]:
    """One row per gain of :func:`signin_lite.evidence.summary.summary_table` (smoke runs left out): does the method
    beat its baseline at this sparsity? Sparsity, comparison, seeds, gain (pp) with its 95% interval, reading."""
    return [{"sparsity": f"{100 * r['sparsity']:g}%",
             "comparison": _minus(r["method"], r["gain_vs"]),
             "seeds": str(r["n"]), "gain (pp) [95% interval]": _gain_cell(r), "reading": r.get("reading") or ""}
            for r in _measured(rows) if r.get("gain_vs")]


def accuracy_rows(rows: Iterable[Mapping], sparsity: float | None = None) -> list[dict[str, str]]:
    """One row per setting of :func:`signin_lite.evidence.summary.summary_table` (smoke runs left out; only those at
    ``sparsity`` where it is given): what did it reach? Method, mask, sparsity, epochs, seeds, final test accuracy
    (%) mean ± std over seeds."""
    return [{"method": methods.label(r["method"]), "mask": MASK_NAMES.get(r["mask"], r["mask"]),
             "sparsity": f"{100 * r['sparsity']:g}%",
             "epochs": str(r["epochs"]), "seeds": str(r["n"]),
             "test accuracy (%)": _mean_std_cell(r["test_acc_mean"], r["test_acc_std"])}
            for r in _measured(rows)
            if sparsity is None or records.sparsity_key(r["sparsity"]) == records.sparsity_key(sparsity)]


def _mean_std_cell(mean: float | None, std: float | None) -> str:
    if mean is None:
        return ""
    return f"{mean:.2f} ± " + (f"{std:.2f}" if std is not None else "n/a")


def total_flips(r: Mapping) -> int:
    """Sign flips of one run summed over layers and epochs (a weight that flips twice counts twice)."""
    return sum(sum(h["sign_flips"].values()) for h in r["history"])


def _signin_settings(r: Mapping) -> str:
    """Sign-In's reset period p and β ('p = 1 epoch, β = 1'; 'never reset' for p = 0; β_out where the classifier
    has its own), '' for a run without Sign-In."""
    c = r["config"]
    if not c.get("signin"):
        return ""
    p = c["rescale_every"]
    parts = [f"p = {p:g} epoch{'s' if p != 1 else ''}" if p else "never reset", f"β = {c['beta']:g}"]
    if c.get("beta_output"):
        parts.append(f"β_out = {c['beta_output']:g}")
    return ", ".join(parts)


def flip_rows(recs: Iterable[Mapping]) -> list[dict[str, str]]:
    """One row per run: how many signs did it flip? Mask, method, Sign-In's settings (reset period p and β),
    sparsity, sign flips over the run, and the share of kept weights that flipped in the first epoch (%)."""
    return [{"mask": MASK_NAMES.get(r["config"]["mask"], r["config"]["mask"]), "method": methods.label(r["method"]),
             "Sign-In settings": _signin_settings(r), "sparsity": f"{100 * r['config']['sparsity']:g}%",
             "sign flips over the run": f"{total_flips(r):,}",
             "first epoch (% of kept weights)": f"{100 * r['history'][0]['sign_flip_fraction']:.2f}"}
            for r in recs]
