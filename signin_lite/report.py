"""One-page PoC report: a self-contained HTML file (plotly.js inlined) that prints cleanly to A4 PDF.

    from signin_lite import poc, poc_plots, report
    ws = poc.build_worksheet(deployment, poc.summarize(records), storage=meas, inference=meas)
    figs = [poc_plots.frontier_figure(ws, lang="ja"), poc_plots.savings_figure(ws, lang="ja"),
            poc_plots.sensitivity_figure(ws, lang="ja")]
    report.write_report(ws, figs, "ja", "poc_report_ja.html")   # open in a browser, print to PDF

Sections: inputs, results (two tables), decision, figures, assumptions, where every number came from.
All user-facing text lives in ``STRINGS`` (one dict per language); the assumption sentences are
translated from ``signin_lite.poc.NOTE_TEMPLATES_EN`` by key.
"""

from __future__ import annotations

import html
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from .poc import NOTE_TEMPLATES_EN, OptionResult, Worksheet

LANGS = ("ja", "en")
FIG_WIDTH_PX = 680  # A4 (210 mm) minus 2 x 12 mm margins is about 700 px at 96 dpi

STRINGS = {
    "en": {
        "title": "Sparse training PoC: cost and quality worksheet",
        "intro": "This worksheet estimates what sparse training (most weights fixed at zero from the start, "
                 "optionally with Sign-In) would change in inference and retraining cost, and in accuracy, "
                 "using our own measured training runs. The savings differ in kind (theoretical compute, file "
                 "size, wall-clock inference, retraining time), so they are shown separately and never added up.",
        "generated": "Generated {created}",
        "s_inputs": "Inputs", "s_results": "Results", "s_decision": "Decision", "s_figures": "Figures",
        "s_assumptions": "Assumptions", "s_provenance": "Where the numbers come from",
        "t_quality": "Accuracy and savings by source", "t_cost": "Monthly cost ({currency})",
        "h_item": "Item", "h_value": "Value", "h_unit": "Unit",
        "h_option": "Option", "h_seeds": "Seeds", "h_acc": "Test accuracy (%)", "h_dacc": "Change vs dense (pp)",
        "h_ci": "95% CI (pp)", "h_flops": "FLOPs saving (upper bound)", "h_storage": "Storage saving",
        "h_mem": "Peak training memory vs dense", "h_inf": "Inference", "h_retrain": "Retraining",
        "h_total": "Total", "h_saving": "Saving vs dense", "h_verdict": "Reading",
        "h_source": "Numbers", "h_runs": "Run ids", "h_date": "Date", "h_hw": "Hardware",
        "h_data": "Data source", "h_profile": "Profile",
        "na": "n/a", "ci_na": "unavailable (1 seed)", "not_measured": "not measured",
        "inputs_row": "Deployment inputs", "inputs_src": "entered by the user",
        "meas_row": "Measurement {run_id} ({kind})", "meas_runs": "dense {dense} / sparse {sparse}",
        "src_option": "accuracy, train time, FLOPs, memory",
        "kind": {"storage": "storage", "latency": "latency"},
        "verdict": {"baseline": "baseline", "go": "GO", "inconclusive": "INCONCLUSIVE", "no-go": "NO-GO"},
        "reason": {
            "baseline": "Reference for every comparison.",
            "within_tolerance": "Even the CI lower bound ({low:+.2f} pp) is within the tolerance (-{tol:g} pp), "
                                "and the monthly cost falls by {saving} ({pct}).",
            "ci_straddles": "The CI ({low:+.2f} to {high:+.2f} pp) straddles the tolerance line (-{tol:g} pp): "
                            "more seeds are needed before deciding.",
            "ci_unavailable": "Only one seed on one side, so no CI: rerun with at least 2 seeds (3+ advised).",
            "below_tolerance": "The whole CI ({low:+.2f} to {high:+.2f} pp) is below the tolerance "
                               "(-{tol:g} pp): the accuracy loss is too large.",
            "no_saving": "Under these assumptions the monthly cost does not fall (difference {saving}).",
        },
        "summary_go": "{n_go} of {n} options meet the accuracy tolerance with a cost saving: {names}.",
        "summary_none": "No option is a clear go under these assumptions.",
        "speedup_caveat_none": "Note: unstructured sparsity gives about no inference speed-up on ordinary dense "
                               "kernels. This worksheet assumes none (1.0x), so any saving comes from "
                               "measurements only.",
        "speedup_caveat": "Note: the inference saving rests on an assumed {s:g}x speed-up from a sparse-aware "
                          "kernel or engine. It has not been measured here.",
        "fields": {
            "requests_per_month": "Inference requests", "hardware": "Hardware",
            "price_per_hour": "Hardware price", "power_watts": "Power draw",
            "electricity_price_per_kwh": "Electricity price", "baseline_throughput_rps": "Dense throughput",
            "throughput_basis": "Throughput basis", "retrains_per_month": "Retraining runs",
            "tolerance_pp": "Accuracy tolerance", "sparse_speedup": "Realized sparse inference speed-up",
            "train_time_scale": "Training time scale (measured -> target)", "currency": "Currency",
        },
        "units": {},
        "families": {"dense": "dense (baseline)", "sparse_from_scratch": "sparse from scratch",
                     "dense_to_sparse": "dense-to-sparse", "other": "other"},
        "methods": {},
        "notes": NOTE_TEMPLATES_EN,
        "no_figures": "(no figures)",
    },
    "ja": {
        "title": "スパース学習 PoC 試算レポート：コストと精度",
        "intro": "本レポートは、スパース学習（学習の最初から重みの大半をゼロに固定して学習する方式。Sign-In を含む）"
                 "を導入した場合に、推論と再学習のコスト、そして精度がどう変わるかを、社内で実際に回した学習の"
                 "計測結果から試算したものです。削減効果は「理論上の演算量」「保存サイズ」「実際の推論時間」"
                 "「再学習時間」で性質が異なるため、合算せず、それぞれ分けて示しています。",
        "generated": "作成日時 {created}",
        "s_inputs": "前提条件", "s_results": "結果", "s_decision": "判断", "s_figures": "グラフ",
        "s_assumptions": "前提・仮定", "s_provenance": "数値の出典",
        "t_quality": "精度と要因別の削減効果", "t_cost": "月額コスト（{currency}）",
        "h_item": "項目", "h_value": "値", "h_unit": "単位",
        "h_option": "案", "h_seeds": "シード数", "h_acc": "テスト精度（%）", "h_dacc": "密モデル比の精度変化（pt）",
        "h_ci": "95%信頼区間（pt）", "h_flops": "演算量の削減（理論上限）", "h_storage": "保存サイズの削減",
        "h_mem": "学習時ピークメモリ（密モデル比）", "h_inf": "推論", "h_retrain": "再学習",
        "h_total": "合計", "h_saving": "密モデル比の削減額", "h_verdict": "判断",
        "h_source": "対象の数値", "h_runs": "実行 ID", "h_date": "日付", "h_hw": "計測環境",
        "h_data": "データソース", "h_profile": "プロファイル",
        "na": "—", "ci_na": "算出不可（シード1本）", "not_measured": "未計測",
        "inputs_row": "前提条件の入力値", "inputs_src": "利用者が入力",
        "meas_row": "計測 {run_id}（{kind}）", "meas_runs": "密 {dense} / スパース {sparse}",
        "src_option": "精度・学習時間・FLOPs・メモリ",
        "kind": {"storage": "保存サイズ", "latency": "推論時間"},
        "verdict": {"baseline": "基準", "go": "Go（実施推奨）", "inconclusive": "判断保留",
                    "no-go": "見送り（No-Go）"},
        "reason": {
            "baseline": "すべての比較の基準です。",
            "within_tolerance": "精度低下は信頼区間の下限（{low:+.2f} pt）でも許容範囲（−{tol:g} pt）に収まり、"
                                "月額コストも {saving}（{pct}）下がります。",
            "ci_straddles": "信頼区間（{low:+.2f}〜{high:+.2f} pt）が許容ライン（−{tol:g} pt）をまたいでいるため、"
                            "現在のシード数では判断できません。シードを増やして再計測が必要です。",
            "ci_unavailable": "シードが1本しかないため信頼区間を算出できません。2本以上（できれば3本以上）で"
                              "再実行してください。",
            "below_tolerance": "信頼区間全体（{low:+.2f}〜{high:+.2f} pt）が許容ライン（−{tol:g} pt）を下回っており、"
                               "精度低下が大きすぎます。",
            "no_saving": "この前提では月額コストが下がりません（差額 {saving}）。",
        },
        "summary_go": "{n}案のうち {n_go}案が、精度を許容範囲内に保ったままコストを下げられる見込みです：{names}。",
        "summary_none": "今回の前提では、はっきり「Go」と言える案はありません。",
        "speedup_caveat_none": "注意：非構造スパースは、通常の密行列演算ではほとんど高速化しません。本試算では推論の"
                               "高速化なし（1.0倍）を前提としており、削減効果は実測値だけから出ています。",
        "speedup_caveat": "注意：推論コストの削減は、スパース演算に対応したカーネルや推論エンジンで {s:g}倍の"
                          "高速化が得られるという仮定に基づいています。この高速化は今回は計測していません。",
        "fields": {
            "requests_per_month": "月間推論リクエスト数", "hardware": "ハードウェア",
            "price_per_hour": "ハードウェア利用料", "power_watts": "消費電力",
            "electricity_price_per_kwh": "電気料金", "baseline_throughput_rps": "密モデルのスループット",
            "throughput_basis": "スループットの根拠", "retrains_per_month": "再学習の回数",
            "tolerance_pp": "許容する精度低下", "sparse_speedup": "スパース推論の実効高速化率",
            "train_time_scale": "学習時間の換算係数（計測環境→本番環境）", "currency": "通貨",
        },
        "units": {"requests/month": "件/月", "currency units/h": "通貨単位/時間", "W": "W",
                  "currency units/kWh": "通貨単位/kWh", "requests/s": "件/秒", "runs/month": "回/月",
                  "percentage points": "ポイント", "x": "倍"},
        "families": {"dense": "密モデル（基準）", "sparse_from_scratch": "最初からスパース学習",
                     "dense_to_sparse": "密→スパース（段階的な枝刈り）", "other": "その他"},
        "methods": {"dense": "密モデル", "pai": "PaI（初期化時の枝刈り）", "pai_signin": "PaI + Sign-In",
                    "pai_wd2x": "PaI（weight decay 2倍）", "gmp": "段階的枝刈り（GMP）", "gmp_signin": "GMP + Sign-In",
                    "imp": "反復枝刈り（IMP）", "lrr": "学習率巻き戻し（LRR）"},
        "notes": {
            "utilization": "推論コストは稼働時間分のみを計上しています（月 {requests:,.0f} 件 ÷ スループット、"
                           "稼働率100%想定）。待機中や予約分の費用は含みません。",
            "throughput": "{hardware} での密モデルのスループットは {rps:g} 件/秒です（{basis}）。",
            "dense_kernels": "非構造スパース（ゼロを含んだ通常の密テンソルとして保持）は、通常の密行列演算カーネル上では"
                             "ほぼ高速化しません（実測の推論時間比 密/スパース：{measured}）。",
            "speedup_none": "スパースモデルの推論高速化率は 1.0倍（高速化なし）と仮定しています。実測で差が出ない限り、"
                            "推論コストは密モデルと同額です。",
            "speedup_assumed": "スパースモデルの推論高速化率を、実測比に加えて {speedup:g}倍と仮定しています。これは"
                               "実測ではなく仮定です。実現にはスパース演算に対応したカーネルや推論エンジンが必要です"
                               "（2:4 半構造スパースのカーネルはマスクも 2:4 構造である必要があり、今回のマスクは非構造です）。",
            "latency_not_measured": "推論時間は未計測のため、マージ後のスパースモデルは密モデルと同じ速度で動くものと"
                                    "しています（比 1.0）。",
            "latency_noise": "計測 {meas_id}：推論時間比（密/スパース）{ratio:.3f} は計測のばらつき（四分位範囲）の"
                             "範囲内のため、1.0 として扱いました。",
            "latency_borrowed": "{labels}：推論時間は各案自身のモデルではなく、実行 {run_id}（スパース率 "
                                "{sparsity:.1%}）のモデルで計測した値を流用しています。",
            "flops": "演算量（FLOPs）の削減率は、ゼロの重みで省ける積和演算を数えたもの（32×32 画像1枚あたり）で、"
                     "理論上の上限です。通常の密演算ハードウェアではこの削減は実現しません。",
            "storage": "保存サイズは、マージ後の重みを torch.save で保存したときの実サイズです（密形式・CSR・値＋"
                       "ビットマスクのうち最小のもの）。計測日 {dates}、計測環境 {devices}。",
            "storage_missing": "{labels}：保存サイズは未計測です（スパース率が近い計測がありません）。",
            "storage_borrowed": "{labels}：保存サイズは各案自身の重みではなく、実行 {run_id}（スパース率 "
                                "{sparsity:.1%}）の重みで計測した値を流用しています。",
            "train_time": "再学習コストには各手法の実測学習時間（シード平均）を使っています。Sign-In の追加処理や、"
                          "gmp/imp/lrr の密な学習フェーズにかかる時間も、この実測値に含まれています。",
            "train_scale": "学習時間の計測環境は {devices} です。{hardware} での時間に換算するため {scale:g} 倍しています。",
            "train_scale_same": "学習時間は計測環境（{devices}）での値を、そのまま {hardware} に当てはめています（換算係数"
                                " 1.0）。本番環境の方が速い・遅い場合は train_time_scale で補正してください。",
            "energy": "{hardware} の利用料 {price:g} {currency}/時間 に、消費電力 {watts:g} W × 電気料金 "
                      "{kwh_price:g} {currency}/kWh を加え、稼働1時間あたり {hourly:g} {currency} としています"
                      "（推論・再学習とも同じハードウェア）。",
            "retrain": "どの案も、月 {retrains:g} 回再学習する前提です。",
            "ci": "精度変化は「各案の平均テスト精度 − 密モデルの平均テスト精度」（単位：ポイント）です。95%信頼区間は"
                  "シード間のばらつきから Welch の t 区間で求めています。どちらかのシードが1本の場合は信頼区間を"
                  "算出できないため「算出不可」としています（幅ゼロという意味ではありません）。",
            "verdict_rule": "判断基準：信頼区間の下限が −{tol:g} pt 以上で、かつ月額コストが下がる場合は「Go」。"
                            "信頼区間を算出できない、または −{tol:g} pt をまたぐ場合は「判断保留」。信頼区間全体が"
                            " −{tol:g} pt を下回る場合と、コストが下がらない場合は「見送り」。",
            "memory": "学習時のピークメモリは実測値です。Sign-In は学習中、マスク付きの重み1つにつきテンソルを2つ"
                      "保持するため、パラメータ用のメモリが約2倍になります。学習後は通常のスパース重みにマージされます。",
            "test_data": "精度はテスト画像 {test_size} 枚で計測しています（データソース「{source}」、"
                         "プロファイル「{profile}」）。",
            "mismatch": "{label}：密モデルのベースラインと{what}が異なるため、厳密な同条件比較ではありません。",
            "diagnostic_skipped": "{methods} は試算の対象外です（学習済みの参照モデルを前提とした分析用の実験で、"
                                  "導入候補の学習手順ではないため）。",
        },
        "words": {"profile": "プロファイル", "model": "モデル", "epochs": "エポック数", "data source": "データソース",
                  "hardware": "計測環境", "assumption": "仮定値", "measured": "実測値", "not measured": "未計測"},
        "no_figures": "（グラフなし）",
    },
}

_CSS = """
:root { --go: #1e7b34; --inc: #a86400; --nogo: #b3261e; }
body { font-family: "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", Meiryo, "Noto Sans CJK JP",
       "Helvetica Neue", Arial, sans-serif; color: #1f1f1f; max-width: 900px; margin: 1.5em auto;
       padding: 0 1em; font-size: 10.5pt; line-height: 1.55; }
h1 { font-size: 17pt; margin: 0 0 0.2em; } h2 { font-size: 13pt; border-bottom: 2px solid #333;
     margin: 1.3em 0 0.5em; padding-bottom: 0.1em; } h3 { font-size: 11pt; margin: 0.9em 0 0.3em; }
.meta { color: #666; font-size: 9pt; } .intro { margin: 0.6em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.45em; vertical-align: top; }
th { background: #f0f0f0; text-align: left; } td.num { text-align: right; white-space: nowrap; }
.ids { word-break: break-all; font-family: Menlo, Consolas, monospace; font-size: 8pt; }
.sub { color: #666; font-size: 8pt; }
.v-go { color: var(--go); font-weight: bold; } .v-inconclusive { color: var(--inc); font-weight: bold; }
.v-no-go { color: var(--nogo); font-weight: bold; } .v-baseline { color: #555; }
.caveat { border-left: 4px solid var(--inc); background: #fff8ec; padding: 0.4em 0.7em; margin: 0.6em 0; }
.summary { font-weight: bold; margin: 0.4em 0; }
ul.decisions li { margin: 0.25em 0; } ol.notes li { margin: 0.2em 0; font-size: 9.5pt; }
figure.fig { margin: 0.8em 0; width: __W__px; max-width: 100%; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  table, figure.fig, .caveat, ul.decisions li, ol.notes li { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .modebar-container { display: none !important; }
  a { color: inherit; text-decoration: none; }
}
""".replace("__W__", str(FIG_WIDTH_PX))


def _strings(lang: str) -> dict:
    if lang not in STRINGS:
        raise ValueError(f"unknown lang {lang!r}; known: {', '.join(LANGS)}")
    return STRINGS[lang]


def _e(x) -> str:
    return html.escape(str(x))


def _money(x: float | None) -> str:
    if x is None:
        return "—"
    a = abs(x)
    if a < 1e-9:
        return "0"
    return f"{x:,.0f}" if a >= 1000 else f"{x:,.2f}" if a >= 1 else f"{x:.3g}"


def _pct(x: float | None, S: dict, signed: bool = False) -> str:
    if x is None:
        return S["na"]
    return f"{x:+.1f}%" if signed else f"{x:.1f}%"


def _currency(ws: Worksheet, S: dict) -> str:
    c = ws.deployment.currency
    return "通貨単位" if S is STRINGS["ja"] and c == "currency units" else c


def _note_text(key: str, params: dict, S: dict) -> str:
    p = dict(params)
    if S is STRINGS["ja"]:
        for k in ("what", "basis", "measured"):
            if isinstance(p.get(k), str):
                p[k] = "、".join(S["words"].get(w, w) for w in p[k].split(", "))
        if p.get("currency") == "currency units":
            p["currency"] = "通貨単位"
    return S["notes"][key].format(**p)


def _option_name(o: OptionResult, S: dict) -> str:
    name = S["methods"].get(o.summary.method, o.summary.method)
    sub = o.label if o.summary.method == "dense" else f"{o.label} · {S['families'].get(o.family, o.family)}"
    if name == o.label:
        sub = S["families"].get(o.family, o.family)
    return f'{_e(name)}<br><span class="sub">{_e(sub)}</span>'


def _verdict(o: OptionResult, S: dict) -> str:
    return f'<span class="v-{_e(o.verdict)}">{_e(S["verdict"][o.verdict])}</span>'


def _reason(o: OptionResult, ws: Worksheet, S: dict) -> str:
    ci = o.acc_ci_pp
    return S["reason"][o.reason].format(
        low=ci.low if ci else float("nan"), high=ci.high if ci else float("nan"), tol=ws.deployment.tolerance_pp,
        saving=f"{_money(o.saving_abs)} {_currency(ws, S)}", pct=_pct(o.saving_pct, S))


def _table(headers: list[str], rows: list[list[str]], num_cols=()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in num_cols else f"<td>{c}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _inputs(ws: Worksheet, S: dict) -> str:
    rows = []
    for name, value, unit, _help in ws.deployment.inputs():
        if isinstance(value, (int, float)):
            value = f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1000 else f"{value:,.6g}"
        if S is STRINGS["ja"] and value in ("currency units", "assumption", "measured"):
            value = S["words"].get(value, "通貨単位")
        rows.append([_e(S["fields"].get(name, name)), _e(value), _e(S["units"].get(unit, unit))])
    return _table([S["h_item"], S["h_value"], S["h_unit"]], rows, num_cols=(1,))


def _results(ws: Worksheet, S: dict) -> str:
    q_rows, c_rows = [], []
    for o in ws.options:
        is_dense = o is ws.dense
        acc = f"{o.acc_mean_pct:.2f}" + (f" ± {o.acc_std_pp:.2f}" if o.acc_std_pp is not None else "")
        ci = "" if is_dense else (f"{o.acc_ci_pp.low:+.2f} … {o.acc_ci_pp.high:+.2f}" if o.acc_ci_pp
                                  else S["ci_na"])
        storage = (S["not_measured"] if o.storage is None
                   else f'{_pct(o.storage["saving_pct"], S)} <span class="sub">{_e(o.storage["format"])}, '
                        f'{o.storage["bytes"]:,} B</span>')
        q_rows.append([_option_name(o, S), str(o.summary.n_seeds), acc,
                       "" if is_dense else f"{o.acc_change_pp:+.2f}", _e(ci), _pct(o.flops_saving_pct, S),
                       storage, "" if is_dense else _pct(o.train_memory_change_pct, S, signed=True)])
        saving = "" if is_dense else f"{_money(o.saving_abs)} ({_pct(o.saving_pct, S)})"
        c_rows.append([_option_name(o, S), _money(o.inference_cost), _money(o.retraining_cost),
                       _money(o.total_cost), saving, _verdict(o, S)])
    return (f'<h3>{_e(S["t_quality"])}</h3>'
            + _table([S["h_option"], S["h_seeds"], S["h_acc"], S["h_dacc"], S["h_ci"], S["h_flops"],
                      S["h_storage"], S["h_mem"]], q_rows, num_cols=(1, 2, 3, 4, 5, 7))
            + f'<h3>{_e(S["t_cost"].format(currency=_currency(ws, S)))}</h3>'
            + _table([S["h_option"], S["h_inf"], S["h_retrain"], S["h_total"], S["h_saving"], S["h_verdict"]],
                     c_rows, num_cols=(1, 2, 3, 4)))


def _decision(ws: Worksheet, S: dict) -> str:
    opts = ws.options[1:]
    gos = [o for o in opts if o.verdict == "go"]
    lines = []
    if gos:
        names = "、".join(o.label for o in gos) if S is STRINGS["ja"] else ", ".join(o.label for o in gos)
        lines.append(f'<p class="summary">{_e(S["summary_go"].format(n=len(opts), n_go=len(gos), names=names))}</p>')
    else:
        lines.append(f'<p class="summary">{_e(S["summary_none"])}</p>')
    s = ws.deployment.sparse_speedup
    caveat = S["speedup_caveat_none"] if s == 1.0 else S["speedup_caveat"].format(s=s)
    lines.append(f'<p class="caveat">{_e(caveat)}</p>')
    colon = "：" if S is STRINGS["ja"] else ": "
    items = "".join(f'<li><b>{_e(S["methods"].get(o.summary.method, o.summary.method))}</b> '
                    f'<span class="sub">{_e(o.label)}</span>{colon}{_verdict(o, S)} — {_e(_reason(o, ws, S))}</li>'
                    for o in opts)
    return "".join(lines) + f'<ul class="decisions">{items}</ul>'


def _figures(figures, S: dict) -> str:
    if not figures:
        return f"<p>{_e(S['no_figures'])}</p>"
    out = []
    for i, fig in enumerate(figures):
        if not isinstance(fig, go.Figure):
            raise TypeError(f"figures[{i}] must be a plotly go.Figure (got {type(fig).__name__})")
        f = go.Figure(fig)  # a copy: the caller's figure keeps its size
        f.update_layout(width=FIG_WIDTH_PX, height=f.layout.height or 420, autosize=False)
        div = f.to_html(full_html=False, include_plotlyjs=False, div_id=f"poc-figure-{i}",
                        config={"displayModeBar": False, "displaylogo": False, "responsive": False})
        out.append(f'<figure class="fig">{div}</figure>')
    return "".join(out)


def _provenance(ws: Worksheet, S: dict) -> str:
    rows = [[_e(S["inputs_row"]), _e(S["inputs_src"]), _e(ws.created[:10]), _e(ws.deployment.hardware), "", ""]]
    for o in ws.options:
        s = o.summary
        dates = sorted({d[:10] for d in s.dates})
        rows.append([f"{_e(o.label)}<br><span class='sub'>{_e(S['src_option'])}</span>",
                     f'<span class="ids">{_e(", ".join(s.run_ids))}</span>', _e(", ".join(dates)),
                     _e(", ".join(s.device_names)), _e(", ".join(s.data_sources)), _e(", ".join(s.profiles))])
    for m in ws.measurements:
        rows.append([_e(S["meas_row"].format(run_id=m["run_id"], kind=S["kind"].get(m["kind"], m["kind"]))),
                     '<span class="ids">'
                     + _e(S["meas_runs"].format(dense=m["dense_run_id"], sparse=m["sparse_run_id"])) + "</span>",
                     _e(str(m["date"])[:10]), _e(m["device"]), "", ""])
    return _table([S["h_source"], S["h_runs"], S["h_date"], S["h_hw"], S["h_data"], S["h_profile"]], rows)


def render_report(worksheet: Worksheet, figures: list, lang: str = "ja", title: str | None = None) -> str:
    """The whole report as one self-contained HTML string (about 5 MB, mostly the inlined plotly.js)."""
    S = _strings(lang)
    if not isinstance(worksheet, Worksheet):
        raise TypeError(f"worksheet must be a poc.Worksheet (got {type(worksheet).__name__})")
    title = title or S["title"]
    notes = "".join(f"<li>{_e(_note_text(n.key, n.params, S))}</li>" for n in worksheet.notes)
    plotlyjs = get_plotlyjs().replace("</script", "<\\/script")
    body = (
        f"<h1>{_e(title)}</h1><p class='meta'>{_e(S['generated'].format(created=worksheet.created))}</p>"
        f"<p class='intro'>{_e(S['intro'])}</p>"
        f"<h2>{_e(S['s_inputs'])}</h2>{_inputs(worksheet, S)}"
        f"<h2>{_e(S['s_results'])}</h2>{_results(worksheet, S)}"
        f"<h2>{_e(S['s_decision'])}</h2>{_decision(worksheet, S)}"
        f"<h2>{_e(S['s_figures'])}</h2>{_figures(figures, S)}"
        f"<h2>{_e(S['s_assumptions'])}</h2><ol class='notes'>{notes}</ol>"
        f"<h2>{_e(S['s_provenance'])}</h2>{_provenance(worksheet, S)}"
    )
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{_e(title)}</title>\n'
            f"<style>{_CSS}</style>\n<script type=\"text/javascript\">{plotlyjs}</script>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def write_report(worksheet: Worksheet, figures: list, lang: str, path, title: str | None = None) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.write_text(render_report(worksheet, figures, lang, title), encoding="utf-8")
    return path
