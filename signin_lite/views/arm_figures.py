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

from signin_lite.decision import typography
from signin_lite.evidence import arms, drift, paper, records, stats
from signin_lite.foundations import methods


SEED_LINES = "single seeds (one grey line each)"


def paired_accuracies(test: arms.ArmTest) -> go.Figure:
    """Final test accuracy (%) of every arm (short names, :data:`SHORT`), one grey line per seed joining its four
    runs (one legend entry for all, the seed in the hover), the arm means on top as one legend entry."""
    fig = go.Figure()
    names = [SHORT.get(m, methods.label(m)) for m in test.arms]
    for seed in test.seeds:
        fig.add_scatter(x=names, y=[test.accuracies(m)[seed] for m in test.arms], mode="lines+markers",
                        line={"color": "#bbbbbb", "width": 1}, marker={"size": 5, "color": "#999999"},
                        name=SEED_LINES, legendgroup="seeds", showlegend=seed == test.seeds[0],
                        hovertemplate=f"seed {seed}, %{{x}}: %{{y:.2f}}%<extra></extra>")
    means = {m: list(test.accuracies(m).values()) for m in test.arms}
    shown = [(m, name) for m, name in zip(test.arms, names, strict=True) if means[m]]
    fig.add_scatter(x=[name for _, name in shown], y=[sum(means[m]) / len(means[m]) for m, _ in shown],
                    mode="markers", name="arm mean over seeds",
                    marker={"size": 14, "symbol": "diamond", "color": [methods.color(m) for m, _ in shown]},
                    customdata=[methods.label(m) for m, _ in shown],
                    hovertemplate="%{customdata}: mean %{y:.2f}%<extra></extra>")
    fig.update_layout(title=f"Final test accuracy per arm and seed ({test.test_size} test images)",
                      xaxis_title="arm", yaxis_title="test accuracy (%)", height=460,
                      legend={"orientation": "h", "y": -0.25})
    return fig


# Short arm names for the rows of :func:`comparisons`, so that the labels leave the plot (and its caption) the width
SHORT = {"pai": "PaI", "pai_signin": "Sign-In", "pai_wd2x_masked": "2× decay (masked)",
         "pai_signin_noreset": "Sign-In, no resets", "pai_wd2x_masked_step": "2× decay, step-matched",
         "pai_signin_noreset_step": "no resets, step-matched"}


def _row_label(c: arms.Comparison) -> str:
    """The comparison on two lines (treatment − baseline, then the family), in short arm names."""
    a, b = (SHORT.get(m, methods.label(m)) for m in (c.treatment, c.baseline))
    return f"{a} − {b}<br>({c.family})"


def comparisons(test: arms.ArmTest) -> go.Figure:
    """Each planned comparison: the per-seed differences (grey) and their mean with the paired 95% interval, coloured
    by the treatment; Sign-In − PaI also shows the paper's reported gain at this sparsity (a labelled star). The
    legend says what grey and coloured mean, so the title stays short enough for a page."""
    fig = go.Figure()
    for i, c in enumerate(reversed(test.comparisons)):
        y = _row_label(c)
        d = c.diff
        fig.add_scatter(x=list(c.per_seed.values()), y=[y] * len(c.per_seed), mode="markers", name="one seed",
                        legendgroup="seed", showlegend=i == 0, marker={"color": "#aaaaaa", "size": 7},
                        hovertext=[f"seed {s}" for s in c.per_seed])
        err = ({"type": "data", "array": [d.high - d.estimate], "arrayminus": [d.estimate - d.low]} if d.available
               else None)
        fig.add_scatter(x=[d.estimate], y=[y], mode="markers", error_x=err, legendgroup="mean", showlegend=i == 0,
                        name="mean, 95% interval (colour: first arm)",
                        marker={"color": methods.color(c.treatment), "size": 13,
                                "symbol": "circle" if d.available else "circle-open"})
    reported = paper.gain(test.arms["pai"].sparsity)
    if reported is not None:
        sign_in = arms.comparison(test, "pai_signin", "pai")
        fig.add_scatter(x=[reported], y=[_row_label(sign_in)], mode="markers",
                        marker={"symbol": "star", "size": 14, "color": "#333333"},
                        name=f"Sign-In gain {paper.PAPER['source']} ({paper.PAPER['epochs']} epochs)")
    fig.add_vline(x=0, line_dash="dot")
    fig.update_layout(title=f"Planned comparisons, paired over {len(test.seeds)} seeds",
                      xaxis_title="difference in test accuracy (pp)", height=480, margin={"l": 170},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def lowest_weight(setting: records.Setting) -> list[float]:
    """Per epoch, the smallest single weight's (m² − w²)/β (:func:`signin_lite.evidence.drift.epoch_imbalance`) in
    the seed where it was lowest; its minimum over epochs is :func:`signin_lite.evidence.drift.lowest_imbalance`'s
    ``min``, the number the sentences under the figure quote."""
    beta = drift.layer_beta(setting.config)
    per_run = [[drift.epoch_imbalance(h, beta)["min"] for h in r["history"]] for r in setting.records]
    return [min(run[e] for run in per_run) for e in range(min(map(len, per_run)))]


def reset_drift(settings: Sequence[records.Setting]) -> go.Figure:
    """Per epoch, (m² − w²)/β where it was lowest (before the epoch's reset, or at its end without resets): averaged
    over layers, mean over seeds (solid), and for the smallest single weight in the lowest seed (dotted,
    :func:`lowest_weight`); right: the mean learning-rate multiplier m² + w² (mean over seeds)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.14,
                        subplot_titles=["(m² − w²)/β before a reset", "step-size multiplier m² + w²"])
    for s in (s for s in settings if drift.has_diagnostics(s)):
        c, color, name = drift.curves(s), methods.color(s.method), methods.label(s.method)
        fig.add_scatter(x=c["epoch"], y=c["imbalance"], name=f"{name} (n={s.n}): mean over layers and seeds",
                        line={"color": color}, legendgroup=s.method, row=1, col=1)
        fig.add_scatter(x=c["epoch"], y=lowest_weight(s), name=f"{name}: smallest weight, lowest seed (dotted)",
                        line={"color": color, "dash": "dot"}, legendgroup=s.method, row=1, col=1)
        fig.add_scatter(x=c["epoch"], y=c["lr_multiplier"], name=name, showlegend=False, line={"color": color},
                        legendgroup=s.method, row=1, col=2)
    fig.add_hline(y=1.0, line_dash="dot", line_color="#999999", row=1, col=1)
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="(m² − w²)/β (ratio)", row=1, col=1)
    fig.update_yaxes(title_text="m² + w², mean over seeds (ratio)", row=1, col=2)
    fig.update_layout(title="What Sign-In's resets find (1 = as after a reset, 0 = sign freedom gone)", height=480,
                      legend={"orientation": "h", "y": -0.2})
    return fig


MISSING = "seeds not yet in every arm"  # :func:`signin_lite.evidence.arms.arm_rows`' column, "–" when none


def arm_table(test: arms.ArmTest) -> list[dict[str, str]]:
    """:func:`signin_lite.evidence.arms.arm_rows` (what did each arm reach?), without the column of seeds not yet in
    every arm when every arm has them all."""
    rows = arms.arm_rows(test)
    if all(r.get(MISSING, "–") == "–" for r in rows):
        rows = [{k: v for k, v in r.items() if k != MISSING} for r in rows]
    return rows


def comparison_table(test: arms.ArmTest) -> list[dict[str, str]]:
    """The planned comparisons as a small table (one question: which differences are clear?): comparison, family,
    difference (pp) with its paired 95% interval, Holm-adjusted p, reading. The full rows, with the reading before
    Holm's adjustment, are :func:`signin_lite.evidence.arms.comparison_rows`."""
    rows = []
    for c in test.comparisons:
        d = c.diff
        diff = typography.signed(d.estimate, 2)
        if d.available:
            diff += f" [{typography.signed(d.low, 2)}, {typography.signed(d.high, 2)}]"
        rows.append({"comparison": c.title(), "family": c.family, "difference (pp) [95% interval]": diff,
                     "Holm p": f"{d.p_adjusted:.3f}" if d.p_adjusted is not None else "",
                     "reading": stats.reading_label(c.reading)})
    return rows
