"""Plotly figures for the PoC worksheet (``signin_lite.decision.poc.build_worksheet``), in English or Japanese.

Each builder returns a ``go.Figure`` with a grey provenance caption under the plot (run ids, hardware,
dates, data source), also stored as ``fig.layout.meta["provenance"]`` like ``signin_lite.views.plotting.label``.

- :func:`frontier_figure`    monthly cost vs accuracy change, one trace per method, 95% CI error bars;
- :func:`savings_figure`     savings by source (FLOPs upper bound, storage, inference, retraining), never summed;
- :func:`sensitivity_figure` monthly cost as a function of the realized sparse inference speed-up;
- :func:`speedup_slider`     the frontier of worksheets computed at several assumed speed-ups, with a plotly slider.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import plotly.graph_objects as go

from signin_lite.decision.poc import Worksheet, monthly_costs, pct_saving
from signin_lite.foundations import methods
from signin_lite.views.plotting import slider_figure

TEXT = {
    "en": {
        "frontier_title": "Monthly cost vs accuracy change (per method)",
        "cost_axis": "Monthly cost ({currency})",
        "acc_axis": "Accuracy change vs dense (pp)",
        "tolerance": "tolerance -{tol:g} pp",
        "savings_title": "Savings vs dense, by source (kept separate, not summed)",
        "saving_axis": "Saving vs dense (%)",
        "flops": "Compute (FLOPs, theoretical upper bound)",
        "storage": "Storage (saved file size)",
        "inference": "Inference cost (wall-clock)",
        "retraining": "Retraining cost",
        "sens_title": "Monthly cost vs realized sparse inference speed-up",
        "speedup_axis": "Realized inference speed-up of sparse models (x)",
        "current": "assumed {s:g}x",
        "speedup": "realized speed-up",
        "caption": "Sources: {n} runs ({ids}) · hardware: {hw} · dates: {dates} · data: {data}",
    },
    "ja": {
        "frontier_title": "月額コストと精度変化（手法別）",
        "cost_axis": "月額コスト（{currency}）",
        "acc_axis": "密モデル比の精度変化（ポイント）",
        "tolerance": "許容ライン −{tol:g} pt",
        "savings_title": "削減効果の内訳（要因ごとに別表示・合算しない）",
        "saving_axis": "密モデル比の削減率（%）",
        "flops": "演算量（FLOPs、理論上の上限）",
        "storage": "保存サイズ（ファイル実測）",
        "inference": "推論コスト（実時間ベース）",
        "retraining": "再学習コスト",
        "sens_title": "推論高速化率の仮定に対する月額コストの感度",
        "speedup_axis": "スパースモデルの実効推論高速化率（倍）",
        "current": "現在の仮定 {s:g}倍",
        "speedup": "実効高速化率",
        "caption": "出典: {n} 件の実行（{ids}）· 計測環境: {hw} · 日付: {dates} · データ: {data}",
    },
}
_FONT = '"Hiragino Sans", "Yu Gothic", Meiryo, "Noto Sans CJK JP", "Helvetica Neue", Arial, sans-serif'


def _text(lang: str) -> dict:
    if lang not in TEXT:
        raise ValueError(f"unknown lang {lang!r}; known: {', '.join(methods.LANGS)}")
    return TEXT[lang]


def _currency(ws: Worksheet, lang: str) -> str:
    c = ws.deployment.currency
    return "通貨単位" if lang == "ja" and c == "currency units" else c


def provenance_caption(ws: Worksheet, lang: str = "en", max_ids: int = 4) -> str:
    """One line naming the runs, hardware, dates and data behind a worksheet."""
    t = _text(lang)
    sums = [o.summary for o in ws.options]
    ids = [i for s in sums for i in s.run_ids]
    shown = ", ".join(ids[:max_ids]) + (f" +{len(ids) - max_ids}" if len(ids) > max_ids else "")
    dates = sorted(d[:10] for s in sums for d in s.dates if d and d != "?")
    hw = sorted({d for s in sums for d in s.device_names}) or ["?"]
    data = sorted({d for s in sums for d in s.data_sources}) or ["?"]
    return t["caption"].format(n=len(ids), ids=shown, hw=", ".join(hw), data=", ".join(data),
                               dates=(dates[0] if dates[0] == dates[-1] else f"{dates[0]}..{dates[-1]}")
                               if dates else "?")


def _finish(fig: go.Figure, ws: Worksheet, lang: str, title: str) -> go.Figure:
    caption = provenance_caption(ws, lang)
    fig.add_annotation(text=html.escape(caption, quote=False), xref="paper", yref="paper", x=0, y=0,
                       xanchor="left", yanchor="top", yshift=-60, showarrow=False, align="left",
                       font={"size": 10, "color": "#666666"}, name="provenance")
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top"},
                      template="plotly_white", font={"family": _FONT}, meta={"provenance": caption},
                      margin={"l": 60, "r": 20, "t": 120, "b": 100},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})
    return fig


def frontier_figure(ws: Worksheet, lang: str = "en") -> go.Figure:
    """Monthly cost (x) vs accuracy change in pp (y); one trace per method, points are sparsities."""
    t = _text(lang)
    fig = go.Figure()
    names = list(dict.fromkeys(o.summary.method for o in ws.options))
    for m in names:
        opts = sorted((o for o in ws.options if o.summary.method == m), key=lambda o: o.summary.sparsity)
        up = [o.acc_ci_pp.high - o.acc_change_pp if o.acc_ci_pp else None for o in opts]
        down = [o.acc_change_pp - o.acc_ci_pp.low if o.acc_ci_pp else None for o in opts]
        fig.add_trace(go.Scatter(
            x=[o.total_cost for o in opts], y=[o.acc_change_pp for o in opts], name=m,
            mode="markers+lines" if len(opts) > 1 else "markers", text=[o.label for o in opts],
            error_y={"type": "data", "array": up, "arrayminus": down, "symmetric": False, "visible": True},
            hovertemplate="%{text}<br>%{x:.4g}<br>%{y:+.2f} pp<extra></extra>"))
    fig.add_hline(y=-ws.deployment.tolerance_pp, line_dash="dash", line_color="#c0392b",
                  annotation_text=t["tolerance"].format(tol=ws.deployment.tolerance_pp))
    fig.update_xaxes(title=t["cost_axis"].format(currency=_currency(ws, lang)))
    fig.update_yaxes(title=t["acc_axis"])
    return _finish(fig, ws, lang, t["frontier_title"])


def savings_figure(ws: Worksheet, lang: str = "en") -> go.Figure:
    """Grouped bars: the four savings per sparse option, each against dense, never added together."""
    t = _text(lang)
    d = ws.dense
    opts = ws.options[1:]
    labels = [o.label for o in opts]
    series = [
        ("flops", [o.flops_saving_pct for o in opts], {"pattern": {"shape": "/"}}),
        ("storage", [o.storage["saving_pct"] if o.storage else None for o in opts], {}),
        ("inference", [pct_saving(d.inference_cost, o.inference_cost) for o in opts], {}),
        ("retraining", [pct_saving(d.retraining_cost, o.retraining_cost) for o in opts], {}),
    ]
    fig = go.Figure([go.Bar(x=labels, y=ys, name=t[key], marker=marker,
                            hovertemplate="%{x}<br>%{y:.1f}%<extra>" + t[key] + "</extra>")
                     for key, ys, marker in series])
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=t["saving_axis"], zeroline=True, zerolinecolor="#444")
    return _finish(fig, ws, lang, t["savings_title"])


def sensitivity_figure(ws: Worksheet, speedups=None, lang: str = "en") -> go.Figure:
    """Monthly cost of every option as the assumed realized speed-up varies (dense stays flat)."""
    t = _text(lang)
    dep = ws.deployment
    if speedups is None:
        top = max(2.0, 1.5 * dep.sparse_speedup)
        speedups = [1.0 + i * (top - 1.0) / 20 for i in range(21)]
    speedups = [float(s) for s in speedups]
    if not speedups or min(speedups) <= 0:
        raise ValueError(f"speedups must be positive numbers (got {speedups!r})")
    fig = go.Figure()
    for o in ws.options:
        is_dense = o is ws.dense
        ys = [monthly_costs(dep, o.summary.train_time_s_mean, 1.0 if is_dense else o.speedup_measured * s)
              ["total_cost"] for s in speedups]
        fig.add_trace(go.Scatter(x=speedups, y=ys, name=o.label, mode="lines",
                                 line={"dash": "dash", "color": "#444"} if is_dense else None))
    fig.add_vline(x=dep.sparse_speedup, line_dash="dot", line_color="#888",
                  annotation_text=t["current"].format(s=dep.sparse_speedup))
    fig.update_xaxes(title=t["speedup_axis"])
    fig.update_yaxes(title=t["cost_axis"].format(currency=_currency(ws, lang)), rangemode="tozero")
    return _finish(fig, ws, lang, t["sens_title"])


def speedup_slider(worksheets: Mapping[float, Worksheet], lang: str = "en") -> go.Figure:
    """:func:`frontier_figure` of each worksheet, one slider step per assumed realized speed-up (the keys, e.g. the
    worksheets of ``dataclasses.replace(deployment, sparse_speedup=s)``); the slider works in the static book."""
    if not worksheets:
        raise ValueError("speedup_slider needs at least one worksheet")
    frontiers = {f"{s:g}x": frontier_figure(ws, lang=lang) for s, ws in worksheets.items()}
    first = next(iter(frontiers.values()))
    fig = slider_figure(frontiers, name=_text(lang)["speedup"], layout=first.layout,
                        titles={k: f"{f.layout.title.text} · {k}" for k, f in frontiers.items()})
    fig.layout.sliders[0].pad.t = 110  # below the axis title and the worksheet's caption
    fig.update_layout(height=500)
    return fig
