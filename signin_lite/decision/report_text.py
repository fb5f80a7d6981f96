"""Every sentence of the one-page report and its appendix, in English and Japanese (``STRINGS[lang]``).

Japanese text uses no Latin words beyond :data:`ALLOWED_LATIN`; names and ids that come from the records or the
inputs file (hardware, run ids, dates) are marked as data (``<span class="data">``) and kept as given.
"""

from __future__ import annotations

import html

from signin_lite.decision import notes
from signin_lite.foundations import methods

ALLOWED_LATIN = ("Sign-In", "PaI", "GMP", "ERK", "FLOPs", "GPU", "CPU", "ResNet", "CIFAR", "PoC")
_DATA_KEYS = {"hardware", "devices", "basis", "run_id", "meas_id", "source", "profile", "dates", "test_size"}

_EN = {
    "title": "Sparse training PoC: one-page decision report",
    "meta": "Generated {date} from this project's run records · the options at {sparsity}% sparsity",
    "example": "Inputs are EXAMPLE values: replace them with yours.",
    "verdict": {"go": "PoC: GO", "no-go": "PoC: NO-GO", "not-yet": "PoC: NOT YET"},
    "headlines": {
        "h_go": "Run the PoC: accuracy holds within the tolerance and the saving is material under your inputs.",
        "h_nogo_acc": "Do not run the PoC: the accuracy loss is clearly larger than the tolerance.",
        "h_nogo_money": "Do not run the PoC: even the theoretical upper bound saves no more than the materiality "
                        "threshold.",
        "h_wait_speed": "Not yet: the saving depends on a speed-up your serving stack has not shown. Confirm "
                        "that first (one benchmark of a sparse model on the target stack).",
        "h_wait_acc": "Not yet: the accuracy interval is too wide to decide; more seeds are needed first.",
        "no_records": "Not yet: no measured runs at this sparsity.",
    },
    "reasons": {
        "r_acc_ok": "Accuracy: Sign-In changes test accuracy by {change} pp vs dense (95% interval {low} to {high}), "
                    "within the tolerance of −{tol} pp.",
        "r_acc_unclear": "Accuracy: Sign-In changes test accuracy by {change} pp vs dense (95% interval {low} to "
                         "{high}); the interval crosses the tolerance line (−{tol} pp).",
        "r_acc_bad": "Accuracy: Sign-In changes test accuracy by {change} pp vs dense (95% interval {low} to "
                     "{high}), wholly below the tolerance (−{tol} pp).",
        "r_acc_unknown": "Accuracy: Sign-In changes test accuracy by {change} pp vs dense; one seed only, so no "
                         "interval.",
        "r_money_no": "Money: at the assumed inference speed-up ({speedup}x) the monthly saving is {saving}, not "
                      "above the materiality threshold of {materiality}. Only a serving stack that realized the "
                      "whole compute saving ({flops}% fewer FLOPs) would save up to {upper} a month.",
        "r_money_yes": "Money: at the assumed inference speed-up ({speedup}x) the monthly saving is {saving}, above "
                       "the materiality threshold of {materiality} (upper bound {upper}).",
        "r_measured_ref": "Measured here (reference ResNet-20 runs on a shared CPU, so times are indicative): "
                          "Sign-In's file size {storage}, training time {time}, peak training memory {memory} vs "
                          "dense.",
        "r_measured_probe": "Measured on your model ({model}, synthetic inputs): Sign-In's training step time "
                            "{time}, peak memory {memory}, merged file size {storage} vs dense.",
        "r_no_records": "No complete runs at {sparsity:.0%} sparsity in the records.",
    },
    "r_gain": " This project's own runs: Sign-In vs PaI {gain} pp (95% interval {gain_low} to {gain_high}); the "
              "paper reports {paper} pp on its full schedule.",
    "r_gain_noci": " This project's own runs: Sign-In vs PaI {gain} pp; the paper reports {paper} pp on its full "
                   "schedule.",
    "h_options": "The options at {sparsity}% sparsity (per month, under your inputs)",
    "cols": ["Option", "Accuracy vs dense, pp [95% interval]", "Monthly cost", "Saving at the assumed speed-up",
             "Saving if the FLOPs cut were realized (upper bound)", "File size saving (measured)",
             "Training time vs dense (measured)"],
    "seeds": "{n} seeds", "not_run": "no complete runs at this sparsity", "flops_pct": "{p} fewer FLOPs",
    "hardware": "Serving on {hw}; assumed sparse inference speed-up {speedup}x; training time on the target "
                "hardware = measured time × {scale}.",
    "table_note": "Savings are monthly and kept apart by kind, never added up. Accuracies come from this "
                  "project's small CPU runs (a CIFAR-10 subset, a short schedule), not from your model; their "
                  "training times come from a shared machine and are indicative.",
    "fig_title": "Accuracy change vs dense", "fig_tol": "tolerance −{tol:g}", "fig_zero": "dense",
    "fig_caption": "Accuracy change vs dense (pp): dot = mean over seeds, bar = 95% interval, dashed line = "
                   "tolerance.",
    "h_plan": "What the PoC costs",
    "plan": {
        "scope": "Scope: one model of yours at {sparsity}% sparsity: dense, sparse and sparse + Sign-In, "
                 "{seeds} seeds each = {runs} training runs (about {weeks} weeks).",
        "compute": "Compute: about {hours} hours on the target hardware = {compute}.",
        "people": "Engineering: {days} person-days = {people}.",
        "total": "Total: {total}.",
    },
    "h_criteria": "Go/no-go criteria to agree before it starts",
    "criteria": {
        "acc": "Accuracy: the lower end of the 95% interval of (Sign-In − dense) is at or above −{tol} pp on "
               "your test set.",
        "money": "Money: a saving above {materiality} a month, measured on your serving stack (not assumed).",
        "cost": "Training: Sign-In's extra step time and peak memory fit your training hardware (measure them "
                "first with the probe command).",
        "stop": "Stop early if the first seed already loses more than twice the tolerance.",
    },
    "foot": "Inputs, every assumption and the source of every number (run ids, hardware, dates):",
    "sp": " ", "money": "{v} {cur}", "currencies": {}, "na": "n/a", "sep": ", ",
    # appendix
    "appendix_title": "Appendix to the PoC report: inputs, assumptions and sources",
    "appendix_intro": "Everything behind the one-page report. Accuracies, training times, memory and file sizes "
                      "come from the run records listed at the end; the deployment figures are the inputs.",
    "h_inputs": "Inputs", "h_assumptions": "Assumptions", "h_provenance": "Where the numbers come from",
    "h_probe": "Measured on your model", "probe_none": "No probe record yet: run `python -m signin_lite probe "
                                                       "--model package.module:function ...` on your model.",
    "probe_info": "{model}, measured {date} on {device}: synthetic inputs of shape {shape}, batch {batch}, "
                  "median of {steps} interleaved steps, sparsity {sparsity}%.",
    "probe_cols": ["Variant", "Training step (ms, median)", "Peak memory (MiB)"],
    "probe_kinds": {"dense": "dense", "masked": "masked (sparse)", "masked_signin": "masked + Sign-In"},
    "prov_cols": ["Option", "Run ids", "Dates", "Hardware", "Data"], "measurement": "File size / latency record",
    "paper_note": "The paper's numbers ({paper}) are quoted from Gadhikar et al. 2025 (CIFAR-10, ResNet-20, "
                  "random mask, 160 epochs) and are not measured here.",
    "fields": {"requests_per_month": "Inference requests", "hardware": "Hardware", "price_per_hour": "Hardware price",
               "power_watts": "Power draw", "electricity_price_per_kwh": "Electricity price",
               "baseline_throughput_rps": "Dense throughput", "throughput_basis": "Throughput basis",
               "retrains_per_month": "Retraining runs", "tolerance_pp": "Accuracy tolerance",
               "sparse_speedup": "Sparse inference speed-up (assumed)",
               "train_time_scale": "Training time factor (measured -> target)", "currency": "Currency",
               "materiality": "Materiality threshold", "poc_engineer_days": "PoC engineering effort",
               "engineer_cost_per_day": "Cost of an engineer-day", "sparsity": "Sparsity compared",
               "source": "Inputs file"},
    "units": {},
    "notes": notes.TEMPLATES["en"],
    "words": {},
}

_JA = {
    "title": "スパース学習 PoC 判断レポート",
    "meta": "{date} 作成。本プロジェクトの実行記録から自動生成。比較するスパース率 {sparsity}%。",
    "example": "入力値は例示用です。自社の値に置き換えてください。",
    "verdict": {"go": "PoC：実施", "no-go": "PoC：見送り", "not-yet": "PoC：時期尚早"},
    "headlines": {
        "h_go": "PoC を実施する価値があります。精度は許容範囲内で、入力した前提では十分な削減額が見込めます。",
        "h_nogo_acc": "PoC は見送りを推奨します。精度の低下が許容範囲を明らかに超えています。",
        "h_nogo_money": "PoC は見送りを推奨します。理論上の上限まで速くなったとしても、削減額が重要性の基準に"
                        "届きません。",
        "h_wait_speed": "PoC はまだ早い段階です。削減額は、推論環境でスパースモデルが実際に速く動くことが前提で、"
                        "それがまだ確認できていません。まず推論環境での速度を一度計測してください。",
        "h_wait_acc": "PoC はまだ早い段階です。精度の区間が広すぎて判断できないため、先にシードを増やして"
                      "計測してください。",
        "no_records": "PoC はまだ早い段階です。このスパース率の計測がありません。",
    },
    "reasons": {
        "r_acc_ok": "精度：Sign-In による密モデル比の精度変化は {change} ポイント（95%区間 {low}〜{high}）で、"
                    "許容ライン −{tol} ポイントの範囲内です。",
        "r_acc_unclear": "精度：Sign-In による密モデル比の精度変化は {change} ポイント（95%区間 {low}〜{high}）で、"
                         "区間が許容ライン −{tol} ポイントをまたいでいます。",
        "r_acc_bad": "精度：Sign-In による密モデル比の精度変化は {change} ポイント（95%区間 {low}〜{high}）で、"
                     "区間全体が許容ライン −{tol} ポイントを下回っています。",
        "r_acc_unknown": "精度：Sign-In による密モデル比の精度変化は {change} ポイントです。シードが1本のため区間は"
                         "算出できません。",
        "r_money_no": "費用：想定する推論高速化率（{speedup} 倍）では月額の削減額は {saving}で、重要性の基準 "
                      "{materiality}を超えません。演算量の削減（FLOPs {flops}% 減）がすべて速度に表れる推論環境"
                      "であれば、最大で月 {upper}の削減になります（理論上の上限）。",
        "r_money_yes": "費用：想定する推論高速化率（{speedup} 倍）で月額の削減額は {saving}となり、重要性の基準 "
                       "{materiality}を超えます（理論上の上限は {upper}）。",
        "r_measured_ref": "実測（本プロジェクトの ResNet-20 の計測。共用の CPU で計測したため時間は目安）：Sign-In "
                          "の密モデル比は、保存サイズ {storage}、学習時間 {time}、学習時のピークメモリ {memory} です。",
        "r_measured_probe": "自社モデルでの実測（{model}、合成入力）：Sign-In の密モデル比は、学習1ステップの時間 "
                            "{time}、ピークメモリ {memory}、マージ後の保存サイズ {storage} です。",
        "r_no_records": "実行記録に、スパース率 {sparsity:.0%} の完了した計測がありません。",
    },
    "r_gain": "本プロジェクトの計測では、Sign-In と PaI の精度差は {gain} ポイント（95%区間 {gain_low}〜"
              "{gain_high}）、論文の報告値（本来の学習スケジュール）は {paper} ポイントです。",
    "r_gain_noci": "本プロジェクトの計測では、Sign-In と PaI の精度差は {gain} ポイント、論文の報告値（本来の"
                   "学習スケジュール）は {paper} ポイントです。",
    "h_options": "比較する選択肢（スパース率 {sparsity}%、月額、入力した前提による）",
    "cols": ["選択肢", "密モデル比の精度（ポイント）［95%区間］", "月額コスト", "想定速度での削減額",
             "演算量どおりに速くなった場合の削減額（上限）", "保存サイズの削減（実測）",
             "学習時間（密モデル比、実測）"],
    "seeds": "シード {n} 本", "not_run": "このスパース率の計測がありません", "flops_pct": "演算量 {p} 減",
    "hardware": "推論環境：{hw}。スパースモデルの推論高速化率は {speedup} 倍と仮定。本番環境での学習時間は実測値の "
                "{scale} 倍と仮定。",
    "table_note": "削減額は月額で、種類ごとに分けて示し、合算していません。精度は本プロジェクトの小規模な計測"
                  "（CIFAR-10 の一部、短い学習）によるもので、自社のモデルでの値ではありません。"
                  "学習時間は共用のマシンで計測したため目安です。",
    "fig_title": "密モデル比の精度変化", "fig_tol": "許容ライン −{tol:g}", "fig_zero": "密モデル",
    "fig_caption": "密モデル比の精度変化（ポイント）。点はシード平均、横線は95%区間、破線は許容ラインです。",
    "h_plan": "PoC の費用と期間",
    "plan": {
        "scope": "範囲：自社のモデル1つ、スパース率 {sparsity}%。密・スパース・スパース＋Sign-In を各 {seeds} "
                 "シード、計 {runs} 回の学習（期間の目安 {weeks} 週間）。",
        "compute": "計算費用：本番環境で約 {hours} 時間、{compute}。",
        "people": "人件費：{days} 人日、{people}。",
        "total": "合計：{total}。",
    },
    "h_criteria": "開始前に合意する判断基準",
    "criteria": {
        "acc": "精度：自社のテストデータで、Sign-In と密モデルの差の95%区間の下限が −{tol} ポイント以上であること。",
        "money": "費用：自社の推論環境で実測した削減額が、月 {materiality}を超えること（仮定ではなく実測で判断）。",
        "cost": "学習：Sign-In による学習時間とピークメモリの増加が、学習用ハードウェアに収まること（事前に計測"
                "コマンドで確認）。",
        "stop": "最初のシードで許容幅の2倍を超える精度低下が出た場合は、その時点で中止する。",
    },
    "foot": "入力値、すべての前提条件、各数値の出典（実行記録、計測環境、日付）は別紙にあります：",
    "sp": "", "money": "{v}{cur}",
    "currencies": {"JPY": "円", "USD": "ドル", "EUR": "ユーロ", "currency units": "通貨単位"},
    "na": "—", "sep": "、",
    "appendix_title": "PoC 判断レポート別紙：入力値、前提条件、数値の出典",
    "appendix_intro": "1ページのレポートの根拠をすべて示します。精度、学習時間、メモリ、保存サイズは末尾に示す実行"
                      "記録の値で、運用に関する数値は入力値です。",
    "h_inputs": "入力値", "h_assumptions": "前提条件", "h_provenance": "数値の出典",
    "h_probe": "自社モデルでの実測", "probe_none": "自社モデルでの計測記録はまだありません。計測コマンドを自社の"
                                            "モデルに対して実行してください。",
    "probe_info": "{model}、{date} に {device} で計測。形状 {shape} の合成入力、バッチ {batch}、交互に計測した "
                  "{steps} ステップの中央値、スパース率 {sparsity}%。",
    "probe_cols": ["方式", "学習1ステップ（ミリ秒、中央値）", "ピークメモリ（メビバイト）"],
    "probe_kinds": {"dense": "密モデル", "masked": "スパース（マスク付き）", "masked_signin": "スパース＋Sign-In"},
    "prov_cols": ["選択肢", "実行記録", "日付", "計測環境", "データ"], "measurement": "保存サイズ・推論時間の計測",
    "paper_note": "論文の数値（{paper}）は Sign-In の論文（2025年）の報告値（CIFAR-10、ResNet-20、ランダムマスク、"
                  "160 エポック）で、本プロジェクトの計測ではありません。",
    "fields": {"requests_per_month": "月間推論リクエスト数", "hardware": "ハードウェア",
               "price_per_hour": "ハードウェア利用料", "power_watts": "消費電力",
               "electricity_price_per_kwh": "電気料金",
               "baseline_throughput_rps": "密モデルのスループット", "throughput_basis": "スループットの根拠",
               "retrains_per_month": "再学習の回数", "tolerance_pp": "許容する精度低下",
               "sparse_speedup": "スパース推論の高速化率（仮定）",
               "train_time_scale": "学習時間の換算係数（計測環境→本番環境）",
               "currency": "通貨", "materiality": "重要性の基準（月額）", "poc_engineer_days": "PoC の工数",
               "engineer_cost_per_day": "1人日あたりの費用", "sparsity": "比較するスパース率",
               "source": "入力ファイル"},
    "units": {"requests/month": "件／月", "currency units/h": "通貨単位／時間", "W": "ワット",
              "currency units/kWh": "通貨単位／キロワット時", "requests/s": "件／秒", "runs/month": "回／月",
              "percentage points": "ポイント", "x": "倍", "currency units/month": "通貨単位／月",
              "person-days": "人日", "currency units/day": "通貨単位／人日"},
    "notes": notes.TEMPLATES["ja"],
    "words": {"profile": "プロファイル", "model": "モデル", "epochs": "エポック数", "data source": "データソース",
              "hardware": "計測環境", "not measured": "未計測"},
}

STRINGS = {"en": _EN, "ja": _JA}


def method_name(method: str, S: dict) -> str:
    """The option's name in the language of ``S``, in the report's wording (from the one method table)."""
    return methods.get(method).label("ja" if S is _JA else "en", report=True) if method in methods.TABLE else method


def _label(label: str, S: dict) -> str:
    """An option label such as ``pai_signin / erk / 90%`` in the report's words."""
    parts = [p.strip() for p in label.split(" / ")]
    if len(parts) == 1:
        return method_name(parts[0], S)
    return f"{method_name(parts[0], S)}（{parts[-1]}）" if S is _JA else f"{method_name(parts[0], S)} ({parts[-1]})"


def note_text(key: str, params: dict, S: dict) -> str:
    """One assumption as escaped HTML, with record-supplied values marked as data."""
    p = dict(params)
    for k, v in p.items():
        if k in ("labels", "label", "methods"):
            p[k] = S["sep"].join(_label(x, S) for x in str(v).split(", "))
        elif k == "what":
            p[k] = S["sep"].join(S["words"].get(w, w) for w in str(v).split(", "))
        elif k == "currency":
            p[k] = S["currencies"].get(v, v)
        elif k == "measured":
            p[k] = S["words"].get(v, v)
        elif k in _DATA_KEYS:
            p[k] = f"\x01{v}\x02"
    text = html.escape(S["notes"][key].format(**p))
    return text.replace("\x01", '<span class="data">').replace("\x02", "</span>")
