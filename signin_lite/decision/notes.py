"""The worksheet's assumptions: a :class:`Note` is a template key and its parameters, and ``TEMPLATES[lang][key]``
is its sentence in English and in Japanese. The worksheet (:mod:`signin_lite.decision.poc`) records notes; the
report (:mod:`signin_lite.decision.report_text`) renders them in the reader's language."""

from __future__ import annotations

from typing import NamedTuple


class Note(NamedTuple):
    """One assumption: a template key and its parameters (the report translates the key)."""
    key: str
    params: dict


_EN = {
    "utilization": "Inference cost counts busy hardware time only ({requests:,.0f} requests/month / throughput, "
                   "100% utilization); idle or reserved capacity is not modelled.",
    "throughput": "Dense throughput on {hardware}: {rps:g} requests/s ({basis}).",
    "dense_kernels": "Unstructured sparsity stored as zeros in dense tensors gives about no wall-clock speed-up "
                     "on dense kernels (measured dense/sparse latency ratio: {measured}).",
    "speedup_none": "Realized sparse inference speed-up assumed: 1.0 (none), so sparse options cost the same to "
                    "serve as dense unless a measurement shows otherwise.",
    "speedup_assumed": "Realized sparse inference speed-up assumed: {speedup:g}x on top of the measured ratio. "
                       "This is an assumption, not a measurement: it needs a sparse kernel or engine (2:4 "
                       "semi-structured kernels also need 2:4-structured masks; the masks here are unstructured).",
    "latency_not_measured": "No latency measurement given: merged sparse models are assumed to run at dense "
                            "speed (ratio 1.0).",
    "latency_discarded": "Latency was measured ({n} measurement(s) at this batch size) but not used: the machine "
                         "was loaded (load average above its CPU count), so merged sparse models are assumed to run "
                         "at dense speed (ratio 1.0).",
    "latency_noise": "Measurement {meas_id}: dense/sparse latency ratio {ratio:.3f} is within measurement "
                     "noise (IQR), so 1.0 was used.",
    "latency_borrowed": "{labels}: latency taken from the model of run {run_id} (sparsity {sparsity:.1%}), not "
                        "from each option's own model.",
    "flops": "FLOPs saving counts the multiply-adds skipped by zero weights (one 32x32 image). It is a "
             "theoretical upper bound; dense hardware does not realize it.",
    "storage": "Storage = torch.save size of the merged weights (dense, CSR, or values + bit mask); the "
               "smallest format is reported. Measured {dates} on {devices}.",
    "storage_missing": "{labels}: storage not measured (no measurement within 2 points of their sparsity).",
    "storage_borrowed": "{labels}: storage taken from the weights of run {run_id} (sparsity {sparsity:.1%}), "
                        "not from each option's own weights.",
    "train_time_records": "No controlled timing measurement: one dense training run is taken as the dense records' "
                          "mean training time on {devices} x {scale:g} = {hours:,.1f} h on {hardware}, and every "
                          "option as long as dense (nothing measured, nothing credited).",
    "train_time_probe": "Training hours: {steps:,.0f} steps per run x the dense step time of {step_ms:,.1f} ms "
                        "measured by the probe ({model}, batch {batch}, {device}) x {scale:g} for {hardware} = "
                        "{hours:,.1f} h per dense run.",
    "train_time_rule": "Each option's training time is dense's x its step-time ratio, measured interleaved with dense "
                       "({rounds} rounds; geometric mean, 95% paired t-interval on the logarithms). A ratio whose "
                       "interval includes 1 is not measurable here and counts as 1. The sweep records' wall-clock "
                       "times, from a shared machine, are not used.",
    "time_not_measured": "{label}: no controlled timing of this method (the probe measures dense, masked and masked "
                         "+ Sign-In steps only); costed as dense.",
    "energy": "Hardware {price:g} {currency}/h plus {watts:g} W x {kwh_price:g} {currency}/kWh = "
              "{hourly:g} {currency} per busy hour, for both serving and retraining on {hardware}.",
    "retrain": "{retrains:g} retraining run(s) per month for every option.",
    "ci": "Accuracy change = option mean - dense mean test accuracy, in percentage points; 95% interval paired by "
          "seed where both ran the same seeds (else Welch), from signin_lite.evidence.stats. With one seed on either "
          "side the interval is unavailable (not zero).",
    "verdict_rule": "The verdict rule, the same on every page: \u201c{v_go}\u201d when the 95% interval's lower end "
                    "is at or above \u2212{tol:g} pp and the saving credited from measurements exceeds the smallest "
                    "saving worth deciding on ({materiality:,.0f} {currency} a month); \u201c{v_no_go}\u201d when "
                    "the interval lies wholly below \u2212{tol:g} pp, or when even the upper bound (the whole FLOPs "
                    "cut realized) saves no more than that; \u201c{v_not_yet}\u201d otherwise.",
    "memory": "Peak training memory is counted by the probe from tensor sizes (parameters, gradients, optimizer "
              "state, what autograd saves), so its ratio is exact for that model and batch. Sign-In keeps two "
              "tensors per masked weight while training, merged back to plain sparse weights afterwards.",
    "test_data": "Accuracy measured on {test_size} test images, data source '{source}', profile '{profile}'.",
    "mismatch": "{label}: differs from the dense baseline in {what}; not a like-for-like comparison.",
    "diagnostic_skipped": "Not costed: {methods} (diagnostic experiments that need a trained reference "
                          "model, not training recipes to deploy).",
}

_JA = {
    "utilization": "推論コストは稼働時間分のみを計上しています（月 {requests:,.0f}件をスループットで割った時間、"
                   "稼働率100%を想定）。待機中や予約分の費用は含みません。",
    "throughput": "{hardware} での密モデルのスループットは毎秒 {rps:g}件です（根拠：{basis}）。",
    "dense_kernels": "非構造スパース（ゼロを含んだ通常の密なテンソルとして保持）は、通常の密行列演算ではほぼ"
                     "高速化しません（実測の推論時間比、密／スパース：{measured}）。",
    "speedup_none": "スパースモデルの推論高速化率は 1.0倍（高速化なし）と仮定しています。実測で差が出ない限り、"
                    "推論コストは密モデルと同額です。",
    "speedup_assumed": "スパースモデルの推論高速化率を、実測比に加えて {speedup:g}倍と仮定しています。これは"
                       "実測ではなく仮定で、スパース演算に対応した推論環境が必要です（2:4 半構造スパースの高速化"
                       "にはマスクも 2:4 構造である必要があり、今回のマスクは非構造です）。",
    "latency_not_measured": "推論時間の計測がないため、マージ後のスパースモデルは密モデルと同じ速度で動くものと"
                            "しています（比 1.0）。",
    "latency_discarded": "推論時間はこのバッチサイズで {n}件計測しましたが、計測時にマシンの負荷が高かった（負荷平均が"
                         "CPU数を超えていた）ため使っていません。マージ後のスパースモデルは密モデルと同じ速度で動く"
                         "ものとしています（比 1.0）。",
    "latency_noise": "計測 {meas_id}：推論時間比（密／スパース）{ratio:.3f} は計測のばらつき（四分位範囲）の"
                     "範囲内のため、1.0 として扱いました。",
    "latency_borrowed": "{labels}：推論時間は各選択肢自身のモデルではなく、実行 {run_id}（スパース率 "
                        "{sparsity:.1%}）のモデルで計測した値を流用しています。",
    "flops": "演算量（FLOPs）の削減率は、ゼロの重みで省ける積和演算を数えたもの（32×32 画像1枚あたり）で、"
             "理論上の上限です。通常の密演算のハードウェアではこの削減は実現しません。",
    "storage": "保存サイズは、マージ後の重みを保存したときの実際のファイルサイズです（密形式、圧縮行形式、値と"
               "ビットマスクの組のうち最小のもの）。計測日 {dates}、計測環境 {devices}。",
    "storage_missing": "{labels}：保存サイズは未計測です（スパース率の近い計測がありません）。",
    "storage_borrowed": "{labels}：保存サイズは各選択肢自身の重みではなく、実行 {run_id}（スパース率 "
                        "{sparsity:.1%}）の重みで計測した値を流用しています。",
    "train_time_records": "条件をそろえた時間計測がないため、密モデルの1回の学習時間は、{devices} での密モデルの記録の"
                          "平均学習時間 × {scale:g}＝{hardware} で {hours:,.1f}時間とし、どの選択肢も密モデルと"
                          "同じ時間としています（計測がないため削減は計上しません）。",
    "train_time_probe": "学習時間：1回の学習 {steps:,.0f}ステップ × 計測コマンドで測った密モデルの1ステップ "
                        "{step_ms:,.1f}ミリ秒（{model}、バッチ {batch}、{device}）× {hardware} への換算係数 "
                        "{scale:g}＝密モデル1回あたり {hours:,.1f}時間。",
    "train_time_rule": "各選択肢の学習時間は、密モデルの時間 × 1ステップの時間比です。時間比は密モデルと交互に "
                       "{rounds}回ずつ計測した値の幾何平均で、95%区間は同じ回どうしの時間比の対数から求めています。"
                       "区間が 1 を含む場合は「ここでは計測できない差」として 1 とします。共用マシンで記録された"
                       "実行記録の所要時間は使いません。",
    "time_not_measured": "{label}：この手法の学習時間は条件をそろえた計測がないため（計測コマンドが測るのは密、"
                         "スパース、スパース＋Sign-In の1ステップのみ）、密モデルと同じとしています。",
    "energy": "{hardware} の利用料 1時間 {price:g}{currency}に、消費電力 {watts:g}ワット × 電気料金 1キロワット時 "
              "{kwh_price:g}{currency}を加え、稼働1時間あたり {hourly:g}{currency}としています（推論と再学習は"
              "同じハードウェア）。",
    "retrain": "どの選択肢も、月 {retrains:g}回再学習する前提です。",
    "ci": "精度変化は「各選択肢の平均テスト精度 − 密モデルの平均テスト精度」（単位：ポイント）です。95%区間は"
          "両方が同じシードで学習している場合はシードごとの差から（対応のある比較）、そうでない場合はウェルチの方法で求めています。どちらかのシードが1本の場合は区間を算出できないため"
          "「算出不可」としています（幅ゼロという意味ではありません）。",
    "verdict_rule": "判断基準（すべてのページで共通）：95%区間の下限が −{tol:g}ポイント以上で、かつ計測に基づいて"
                    "計上できる削減額が判断に足る最低削減額（月 {materiality:,.0f}{currency}）を超える場合は"
                    "「{v_go}」。区間全体が −{tol:g}ポイントを下回る場合、または演算量の削減がすべて速度に表れた"
                    "場合（上限）でも削減額がその額以下の場合は「{v_no_go}」。それ以外は「{v_not_yet}」。",
    "memory": "学習時のピークメモリは、計測コマンドがテンソルの大きさ（パラメータ、勾配、最適化の状態、逆伝播用に"
              "保存される値）から数えた値で、そのモデルとバッチでは誤差のない比です。Sign-In は学習中、マスク付きの"
              "重み1つにつき値を2つ保持し、学習後は通常のスパースな重みにマージされます。",
    "test_data": "精度はテスト画像 {test_size}枚で計測しています（データソース {source}、プロファイル "
                 "{profile}）。",
    "mismatch": "{label}：密モデルの基準と{what}が異なるため、厳密な同条件比較ではありません。",
    "diagnostic_skipped": "{methods} は試算の対象外です（学習済みの参照モデルを前提とした分析用の実験で、"
                          "導入候補の学習手順ではないため）。",
}

TEMPLATES: dict[str, dict[str, str]] = {"en": _EN, "ja": _JA}
