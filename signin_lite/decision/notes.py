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
    "train_time": "Retraining cost uses each method's measured train time (mean over seeds): Sign-In overhead "
                  "and the dense phases of gmp/imp/lrr are inside those measurements.",
    "train_scale": "Training times measured on {devices}; multiplied by {scale:g} for {hardware}.",
    "train_scale_same": "Training times measured on {devices} are used as they are for {hardware} (scale 1.0); "
                        "set train_time_scale if the target hardware is faster or slower.",
    "energy": "Hardware {price:g} {currency}/h plus {watts:g} W x {kwh_price:g} {currency}/kWh = "
              "{hourly:g} {currency} per busy hour, for both serving and retraining on {hardware}.",
    "retrain": "{retrains:g} retraining run(s) per month for every option.",
    "ci": "Accuracy change = option mean - dense mean test accuracy, in percentage points; 95% interval paired by "
          "seed where both ran the same seeds (else Welch), from signin_lite.evidence.stats. With one seed on either "
          "side the interval is unavailable (not zero).",
    "verdict_rule": "Go: CI lower bound >= -{tol:g} pp and monthly saving > {materiality:,.0f} {currency} (the "
                    "materiality threshold). Inconclusive: CI unavailable or "
                    "straddling -{tol:g} pp. No-go: CI wholly below -{tol:g} pp, or no saving.",
    "memory": "Peak training memory is measured. Sign-In keeps two tensors per masked weight while training "
              "(about 2x parameter memory), merged back to plain sparse weights afterwards.",
    "test_data": "Accuracy measured on {test_size} test images, data source '{source}', profile '{profile}'.",
    "mismatch": "{label}: differs from the dense baseline in {what}; not a like-for-like comparison.",
    "diagnostic_skipped": "Not costed: {methods} (diagnostic experiments that need a trained reference "
                          "model, not training recipes to deploy).",
}

_JA = {
    "utilization": "推論コストは稼働時間分のみを計上しています（月 {requests:,.0f} 件をスループットで割った時間、"
                   "稼働率100%を想定）。待機中や予約分の費用は含みません。",
    "throughput": "{hardware} での密モデルのスループットは毎秒 {rps:g} 件です（根拠：{basis}）。",
    "dense_kernels": "非構造スパース（ゼロを含んだ通常の密なテンソルとして保持）は、通常の密行列演算ではほぼ"
                     "高速化しません（実測の推論時間比、密／スパース：{measured}）。",
    "speedup_none": "スパースモデルの推論高速化率は 1.0 倍（高速化なし）と仮定しています。実測で差が出ない限り、"
                    "推論コストは密モデルと同額です。",
    "speedup_assumed": "スパースモデルの推論高速化率を、実測比に加えて {speedup:g} 倍と仮定しています。これは"
                       "実測ではなく仮定で、スパース演算に対応した推論環境が必要です（2:4 半構造スパースの高速化"
                       "にはマスクも 2:4 構造である必要があり、今回のマスクは非構造です）。",
    "latency_not_measured": "推論時間の計測がないため、マージ後のスパースモデルは密モデルと同じ速度で動くものと"
                            "しています（比 1.0）。",
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
    "train_time": "再学習コストには各手法の実測学習時間（シード平均）を使っています。Sign-In の追加処理や、"
                  "段階的枝刈りの密な学習段階にかかる時間も、この実測値に含まれています。",
    "train_scale": "学習時間の計測環境は {devices} です。{hardware} での時間に換算するため {scale:g} 倍しています。",
    "train_scale_same": "学習時間は計測環境（{devices}）での値を、そのまま {hardware} に当てはめています（換算係数 "
                        "1.0）。本番環境の方が速い、または遅い場合は換算係数で補正してください。",
    "energy": "{hardware} の利用料 1時間 {price:g}{currency}に、消費電力 {watts:g} ワット × 電気料金 1キロワット時 "
              "{kwh_price:g}{currency}を加え、稼働1時間あたり {hourly:g}{currency}としています（推論と再学習は"
              "同じハードウェア）。",
    "retrain": "どの選択肢も、月 {retrains:g} 回再学習する前提です。",
    "ci": "精度変化は「各選択肢の平均テスト精度 − 密モデルの平均テスト精度」（単位：ポイント）です。95%区間は"
          "両方が同じシードで学習している場合はシードごとの差から（対応のある比較）、そうでない場合はウェルチの方法で求めています。どちらかのシードが1本の場合は区間を算出できないため"
          "「算出不可」としています（幅ゼロという意味ではありません）。",
    "verdict_rule": "判断基準：区間の下限が −{tol:g} ポイント以上で、かつ月額の削減額が重要性の基準 "
                    "{materiality:,.0f}{currency}を超える場合は「実施」。区間を算出できない、または −{tol:g} "
                    "ポイントをまたぐ場合は「判断保留」。区間全体が −{tol:g} ポイントを下回る場合と、削減額が"
                    "基準以下の場合は「見送り」。",
    "memory": "学習時のピークメモリは実測値です。Sign-In は学習中、マスク付きの重み1つにつき値を2つ保持する"
              "ため、パラメータ用のメモリが約2倍になります。学習後は通常のスパースな重みにマージされます。",
    "test_data": "精度はテスト画像 {test_size} 枚で計測しています（データソース {source}、プロファイル "
                 "{profile}）。",
    "mismatch": "{label}：密モデルの基準と{what}が異なるため、厳密な同条件比較ではありません。",
    "diagnostic_skipped": "{methods} は試算の対象外です（学習済みの参照モデルを前提とした分析用の実験で、"
                          "導入候補の学習手順ではないため）。",
}

TEMPLATES: dict[str, dict[str, str]] = {"en": _EN, "ja": _JA}
