"""Figures of the four-arm test (:mod:`signin_lite.evidence.arms`) and of Sign-In's reset diagnostics
(:mod:`signin_lite.evidence.drift`).

Like :mod:`signin_lite.views.figures`, every builder returns a ``go.Figure`` and shows nothing::

    from signin_lite.views import arm_figures
    from signin_lite.evidence import arms, records
    from signin_lite.views.plotting import label, show

    recs = records.load_records("results/cpu_signin/runs")
    for test in arms.four_arm_tests(recs):
        show(label(arm_figures.comparisons(test), record=recs))
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from signin_lite.evidence import arms, drift, paper, records
from signin_lite.foundations import methods


def paired_accuracies(test: arms.ArmTest) -> go.Figure:
    """Final test accuracy (%) of every arm, one grey line per seed joining its four runs, the arm means on top."""
    fig = go.Figure()
    names = [methods.label(m) for m in test.arms]
    for seed in test.seeds:
        fig.add_scatter(x=names, y=[test.accuracies(m)[seed] for m in test.arms], mode="lines+markers",
                        line={"color": "#bbbbbb", "width": 1}, marker={"size": 5, "color": "#999999"},
                        name=f"seed {seed}", legendgroup="seeds", showlegend=seed == test.seeds[0])
    for m, name in zip(test.arms, names, strict=True):
        acc = list(test.accuracies(m).values())
        if acc:
            fig.add_scatter(x=[name], y=[sum(acc) / len(acc)], mode="markers", name=f"{name}: mean",
                            marker={"size": 14, "symbol": "diamond", "color": methods.color(m)})
    fig.update_layout(title=f"Final test accuracy per arm and seed ({test.test_size} test images)",
                      yaxis_title="test accuracy (%)", height=460, legend={"orientation": "h", "y": -0.25})
    return fig


def _row_label(c: arms.Comparison) -> str:
    """The comparison on two lines (treatment, minus baseline and family), to leave the plot its width."""
    treatment, baseline = c.title().split(" − ")
    return f"{treatment}<br>− {baseline} ({c.family})"


def comparisons(test: arms.ArmTest) -> go.Figure:
    """Each planned comparison: the per-seed differences (grey) and their mean with the paired 95% interval, coloured
    by the treatment; Sign-In − PaI also shows the paper's reported gain at this sparsity (a labelled star)."""
    fig = go.Figure()
    for c in reversed(test.comparisons):
        y = _row_label(c)
        d = c.diff
        fig.add_scatter(x=list(c.per_seed.values()), y=[y] * len(c.per_seed), mode="markers", showlegend=False,
                        marker={"color": "#aaaaaa", "size": 7}, hovertext=[f"seed {s}" for s in c.per_seed])
        err = ({"type": "data", "array": [d.high - d.estimate], "arrayminus": [d.estimate - d.low]} if d.available
               else None)
        fig.add_scatter(x=[d.estimate], y=[y], mode="markers", error_x=err, showlegend=False,
                        marker={"color": methods.color(c.treatment), "size": 13,
                                "symbol": "circle" if d.available else "circle-open"})
    reported = paper.gain(test.arms["pai"].sparsity)
    if reported is not None:
        sign_in = arms.comparison(test, "pai_signin", "pai")
        fig.add_scatter(x=[reported], y=[_row_label(sign_in)], mode="markers",
                        marker={"symbol": "star", "size": 14, "color": "#333333"},
                        name=f"Sign-In gain {paper.PAPER['source']} ({paper.PAPER['epochs']} epochs)")
    fig.add_vline(x=0, line_dash="dot")
    fig.update_layout(title=f"Paired differences over {len(test.seeds)} seeds (grey: one seed; "
                            "coloured: mean and 95% interval)", xaxis_title="difference in test accuracy (pp)",
                      height=460, margin={"l": 230}, legend={"orientation": "h", "y": -0.3})
    return fig


def reset_drift(settings: Sequence[records.Setting]) -> go.Figure:
    """Per epoch, mean over seeds: (m² − w²)/β where it was lowest (before the epoch's reset, or at its end without
    resets), over layers and for the smallest weight; and the mean learning-rate multiplier m² + w²."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=["(m² − w²)/β (dotted: smallest weight)",
                                                        "multiplier m² + w²"])
    for s in (s for s in settings if drift.has_diagnostics(s)):
        c, color, name = drift.curves(s), methods.color(s.method), methods.label(s.method)
        fig.add_scatter(x=c["epoch"], y=c["imbalance"], name=f"{name} (n={s.n})", line={"color": color},
                        legendgroup=s.method, row=1, col=1)
        fig.add_scatter(x=c["epoch"], y=c["imbalance_min"], name=f"{name}: smallest", showlegend=False,
                        line={"color": color, "dash": "dot"}, legendgroup=s.method, row=1, col=1)
        fig.add_scatter(x=c["epoch"], y=c["lr_multiplier"], name=name, showlegend=False, line={"color": color},
                        legendgroup=s.method, row=1, col=2)
    fig.add_hline(y=1.0, line_dash="dot", row=1, col=1)
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(title="What Sign-In's resets find (1 = as after a reset, 0 = sign freedom gone)", height=440,
                      legend={"orientation": "h", "y": -0.25})
    return fig
