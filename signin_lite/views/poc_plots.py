"""Plotly figures for the PoC worksheet (``signin_lite.decision.poc.build_worksheet``), in English or Japanese.

Each builder returns a ``go.Figure`` with a grey provenance caption under the plot (run ids, hardware,
dates, data source), also stored as ``fig.layout.meta["provenance"]`` like ``signin_lite.views.plotting.label``.

- :func:`frontier_figure`    monthly saving credited against dense vs accuracy change, 95% CI error bars;
- :func:`savings_figure`     savings by source (FLOPs upper bound, storage, inference, retraining), never summed;
- :func:`sensitivity_figure` monthly cost as a function of the realized sparse inference speed-up;
- :func:`speedup_slider`     the frontier of worksheets computed at several assumed speed-ups, with a plotly slider.
- :func:`payback_figure`     the PoC's cost beside a year of the saving credited and of the upper bound.

With ``sparsity`` the figures show the report's options only (dense, PaI, PaI + Sign-In at that sparsity). Axes
never magnify noise: the saving axis spans at least the smallest saving worth deciding on either side of zero, and
the accuracy axis at least the tolerance, so a difference of a few yen or a tenth of a point looks as small as it is.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import plotly.graph_objects as go

from signin_lite.decision.poc import OptionResult, Worksheet, monthly_costs, pct_saving
from signin_lite.foundations import methods
from signin_lite.views.plotting import slider_figure
from signin_lite.views.poc_tables import option_name

REPORT_METHODS = ("dense", "pai", "pai_signin")

TEXT = {
    "en": {
        "frontier_title": "Monthly saving credited vs accuracy change",
        "saving_money_axis": "Monthly saving vs dense, credited from measurements ({currency})",
        "materiality": "smallest saving worth deciding on",
        "cost_axis": "Monthly cost ({currency})",
        "acc_axis": "Accuracy change vs dense (pp)",
        "tolerance": "tolerance \u2212{tol:g} pp",
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
        "payback_title": "The PoC's cost against a year of saving",
        "money_axis": "{currency}",
        "poc_cost": "PoC cost", "year_saving": "12 months of credited saving",
        "year_upper": "12 months at the upper bound",
        "loss": "{v} (a loss)",
    },
    "ja": {
        "frontier_title": "計測に基づく月額の削減額と精度変化",
        "saving_money_axis": "密モデル比の月額の削減額（計測に基づく、{currency}）",
        "materiality": "判断に足る最低削減額",
        "cost_axis": "月額コスト（{currency}）",
        "acc_axis": "密モデル比の精度変化（ポイント）",
        "tolerance": "許容ライン −{tol:g}ポイント",
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
        "caption": "出典：{n}件の実行（{ids}）・計測環境：{hw}・日付：{dates}・データ：{data}",
        "payback_title": "PoC の費用と1年分の削減額",
        "money_axis": "{currency}",
        "poc_cost": "PoC の費用", "year_saving": "計上できる削減額の12か月分",
        "year_upper": "上限の削減額の12か月分",
        "loss": "{v}（損失）",
    },
}
# marker and line per method, so two options at the same point stay apart (PaI open and large, Sign-In filled)
_STYLE = {"pai": {"symbol": "diamond-open", "size": 16, "dash": "dot", "text": "top"},
          "pai_signin": {"symbol": "circle", "size": 9, "dash": "solid", "text": "bottom"}}
_FONT = '"Hiragino Sans", "Yu Gothic", Meiryo, "Noto Sans CJK JP", "Helvetica Neue", Arial, sans-serif'


def _text(lang: str) -> dict:
    if lang not in TEXT:
        raise ValueError(f"unknown lang {lang!r}; known: {', '.join(methods.LANGS)}")
    return TEXT[lang]


def _currency(ws: Worksheet, lang: str) -> str:
    c = ws.deployment.currency
    if lang == "ja":
        return {"currency units": "通貨単位", "JPY": "円", "USD": "ドル", "EUR": "ユーロ"}.get(c, c)
    return c


def shown_options(ws: Worksheet, sparsity: float | None = None) -> list[OptionResult]:
    """Every option, or with ``sparsity`` the report's: dense, PaI and PaI + Sign-In at that sparsity."""
    if sparsity is None:
        return list(ws.options)
    return [o for o in ws.options if o is ws.dense or (o.summary.method in REPORT_METHODS
                                                        and abs(o.summary.sparsity - sparsity) < 1e-6)]


def _name(o: OptionResult, lang: str) -> str:
    return methods.get(o.summary.method).label(lang, report=True) if o.summary.method in methods.TABLE else o.label


def _span(values: list[float], least: float) -> list[float]:
    """An axis range holding ``values`` and at least ``[-least, least]``, with a margin."""
    lo, hi = min(values + [-least]), max(values + [least])
    pad = 0.08 * (hi - lo)
    return [lo - pad, hi + pad]


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


def _side(vertical: str, right_half: bool) -> str:
    """A text position beside a point: to its left in the right half of the axis, else to its right."""
    return f"{vertical} {'left' if right_half else 'right'}"


def frontier_figure(ws: Worksheet, lang: str = "en", sparsity: float | None = None) -> go.Figure:
    """Monthly saving credited against dense (x) vs accuracy change in pp (y), one point per option with its 95%
    interval; the tolerance and the smallest saving worth deciding on are drawn, and the axes span at least them."""
    t = _text(lang)
    dep = ws.deployment
    opts = [o for o in shown_options(ws, sparsity) if o is not ws.dense]
    fig = go.Figure()
    least = max(dep.materiality, 0.01 * ws.dense.total_cost, 1.0)
    xrange = _span([o.saving_abs for o in opts], least)
    mid = sum(xrange) / 2
    names = list(dict.fromkeys(o.summary.method for o in opts))
    for m in names:
        mo = sorted((o for o in opts if o.summary.method == m), key=lambda o: o.summary.sparsity)
        up = [o.acc_ci_pp.high - o.acc_change_pp if o.acc_ci_pp else None for o in mo]
        down = [o.acc_change_pp - o.acc_ci_pp.low if o.acc_ci_pp else None for o in mo]
        style = _STYLE.get(m, {})
        fig.add_trace(go.Scatter(
            x=[o.saving_abs for o in mo], y=[o.acc_change_pp for o in mo], name=_name(mo[0], lang),
            mode="markers+text+lines" if len(mo) > 1 else "markers+text", text=[_name(o, lang) for o in mo],
            textposition=[_side(style.get("text", "top"), o.saving_abs > mid) for o in mo],
            textfont={"color": methods.color(m)},
            marker={"size": style.get("size", 10), "color": methods.color(m), "symbol": style.get("symbol", "circle"),
                    "line": {"width": 2, "color": methods.color(m)}},
            error_y={"type": "data", "array": up, "arrayminus": down, "symmetric": False, "visible": True},
            hovertemplate="%{text}<br>%{x:,.0f}<br>%{y:+.2f} pp<extra></extra>"))
    fig.add_hline(y=-dep.tolerance_pp, line_dash="dash", line_color="#c0392b",
                  annotation_text=t["tolerance"].format(tol=dep.tolerance_pp), annotation_position="bottom left")
    fig.add_vline(x=dep.materiality, line_dash="dot", line_color="#1e7b34", annotation_text=t["materiality"],
                  annotation_position=_side("top", dep.materiality > mid))  # on the side with room, inside
    lows = [o.acc_ci_pp.low for o in opts if o.acc_ci_pp] + [o.acc_change_pp for o in opts]
    highs = [o.acc_ci_pp.high for o in opts if o.acc_ci_pp] + [o.acc_change_pp for o in opts]
    fig.update_xaxes(title=t["saving_money_axis"].format(currency=_currency(ws, lang)),
                     range=xrange, zeroline=True, zerolinecolor="#444")
    fig.update_yaxes(title=t["acc_axis"], range=_span(lows + highs, max(1.0, 1.5 * dep.tolerance_pp)),
                     zeroline=True, zerolinecolor="#444")
    return _finish(fig, ws, lang, t["frontier_title"])


def masks(opts: list[OptionResult]) -> set[str | None]:
    """The mask methods among ``opts``."""
    return {o.summary.mask_method for o in opts}


def _option_name(o: OptionResult, lang: str, with_mask: bool) -> str:
    """A readable name for one option among many: "PaI + Sign-In 90%", with the mask where masks differ."""
    mask = o.summary.mask_method if with_mask else None
    return option_name(o.summary.method, o.summary.sparsity, o.label, lang, mask)


def savings_figure(ws: Worksheet, lang: str = "en", sparsity: float | None = None) -> go.Figure:
    """Grouped bars: the four savings per sparse option, each against dense, never added together."""
    t = _text(lang)
    d = ws.dense
    opts = [o for o in shown_options(ws, sparsity) if o is not d]
    labels = [_name(o, lang) if sparsity is not None else _option_name(o, lang, len(masks(opts)) > 1) for o in opts]
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
    fig = _finish(fig, ws, lang, t["savings_title"])
    # room for the slanted option names, with the sources line below them
    below = 60 + int(5 * max(len(x) for x in labels)) if labels else 60
    fig.update_xaxes(tickangle=-35)
    fig.update_layout(margin={"b": below + 50}, height=450 + below)
    fig.update_annotations(selector={"name": "provenance"}, yshift=-below)
    return fig


def sensitivity_figure(ws: Worksheet, speedups=None, lang: str = "en", sparsity: float | None = None) -> go.Figure:
    """Monthly cost of each option as the assumed realized speed-up varies (dense stays flat)."""
    t = _text(lang)
    dep = ws.deployment
    if speedups is None:
        top = max(2.0, 1.5 * dep.sparse_speedup)
        speedups = [1.0 + i * (top - 1.0) / 20 for i in range(21)]
    speedups = [float(s) for s in speedups]
    if not speedups or min(speedups) <= 0:
        raise ValueError(f"speedups must be positive numbers (got {speedups!r})")
    fig = go.Figure()
    for o in shown_options(ws, sparsity):
        is_dense = o is ws.dense
        ys = [monthly_costs(dep, o.train_hours_per_run, 1.0 if is_dense else o.speedup_measured * s)
              ["total_cost"] for s in speedups]
        style = _STYLE.get(o.summary.method, {})
        line = {"dash": "dash", "color": "#444"} if is_dense else {"dash": style.get("dash", "solid"), "width": 2,
                                                                   "color": methods.color(o.summary.method)}
        fig.add_trace(go.Scatter(
            x=speedups, y=ys, name=o.label if sparsity is None else _name(o, lang), line=line,
            mode="lines" if is_dense else "lines+markers", marker={"symbol": style.get("symbol", "circle"),
                                                                   "size": min(style.get("size", 8), 10)}))
    # the label sits at the bottom of the axis (which starts at zero), clear of the curves above it
    fig.add_vline(x=dep.sparse_speedup, line_dash="dot", line_color="#888",
                  annotation_text=t["current"].format(s=dep.sparse_speedup), annotation_position="bottom right",
                  annotation_yshift=8)
    fig.update_xaxes(title=t["speedup_axis"])
    fig.update_yaxes(title=t["cost_axis"].format(currency=_currency(ws, lang)), rangemode="tozero")
    return _finish(fig, ws, lang, t["sens_title"])


def speedup_slider(worksheets: Mapping[float, Worksheet], lang: str = "en", sparsity: float | None = None,
                   notes: Mapping[float, str] | None = None) -> go.Figure:
    """:func:`frontier_figure` of each worksheet (the report's options at ``sparsity``, if given), one slider step
    per assumed realized speed-up (the keys, e.g. the worksheets of ``dataclasses.replace(deployment,
    sparse_speedup=s)``), each step's title followed by its entry of ``notes`` (e.g. the verdict at that speed-up);
    the slider works in the static book."""
    if not worksheets:
        raise ValueError("speedup_slider needs at least one worksheet")
    unit = "倍" if lang == "ja" else "x"
    frontiers = {f"{s:g}{unit}": frontier_figure(ws, lang=lang, sparsity=sparsity) for s, ws in worksheets.items()}
    extra = {f"{s:g}{unit}": f" · {notes[s]}" for s in worksheets if notes and s in notes}
    first = next(iter(frontiers.values()))
    fig = slider_figure(frontiers, name=_text(lang)["speedup"], layout=first.layout,
                        titles={k: f"{f.layout.title.text} · {k}{extra.get(k, '')}" for k, f in frontiers.items()})
    fig.layout.sliders[0].pad.t = 110  # below the axis title and the worksheet's caption
    for step, f in zip(fig.layout.sliders[0].steps, frontiers.values(), strict=True):
        # each step's axes span its own points (a realized speed-up moves the saving by orders of magnitude)
        layout = dict(step.args[1]) if len(step.args) > 1 else {}
        layout.update({"xaxis.range": list(f.layout.xaxis.range), "yaxis.range": list(f.layout.yaxis.range)})
        step.args = [step.args[0], layout]
    fig.update_layout(height=500)
    return fig


def _money_text(v: float, currency: str, lang: str) -> str:
    """1,201,597円 or 1,201,597 JPY, with the minus sign U+2212."""
    text = f"{v:,.0f}".replace("-", "\u2212")
    return f"{text}{currency}" if lang == "ja" else f"{text} {currency}"


def payback_figure(ws: Worksheet, option: OptionResult, poc_total: float, lang: str = "en") -> go.Figure:
    """The PoC's total cost beside twelve months of ``option``'s credited saving and of its upper bound."""
    t = _text(lang)
    names = [t["poc_cost"], t["year_saving"], t["year_upper"]]
    values = [poc_total, 12 * option.saving_abs, 12 * option.upper_saving]
    cur = _currency(ws, lang)
    fig = go.Figure(go.Bar(y=names, x=values, orientation="h", marker={"color": ["#555555", "#1e7b34", "#9ecae1"]},
                           hovertemplate="%{y}<br>%{x:,.0f}<extra></extra>"))
    top = max([*values, 0.0])
    for name, v in zip(names, values, strict=True):
        # every value printed right of zero (or of its bar), inside the plot area, a negative one named a loss
        text = _money_text(v, cur, lang)
        fig.add_annotation(x=max(v, 0.0), y=name, text=text if v >= 0 else t["loss"].format(v=text),
                           xanchor="left", xshift=6, showarrow=False,
                           font={"color": "#c0392b" if v < 0 else "#333333"})
    fig.update_xaxes(title=t["money_axis"].format(currency=cur), zeroline=True, zerolinecolor="#444",
                     range=[min([*values, 0.0]) * 1.05, 1.3 * top if top > 0 else 1.0])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(showlegend=False, height=320)
    return _finish(fig, ws, lang, t["payback_title"])
