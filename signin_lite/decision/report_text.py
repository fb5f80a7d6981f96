"""Every sentence of the one-page report and its appendix, in English and Japanese (``STRINGS[lang]``), and the
command line's errors in Japanese (:func:`error_text`).

Japanese text uses no Latin words beyond :data:`ALLOWED_LATIN`; names and ids that come from the records or the
inputs file (hardware, run ids, dates) are marked as data (``<span class="data">``) and kept as given. Numbers follow
:mod:`signin_lite.decision.typography` (minus sign U+2212; in Japanese no space between a number and its unit).
"""

from __future__ import annotations

import html

from signin_lite.decision import notes, typography as ty
from signin_lite.decision.rule import VERDICT_LABELS
from signin_lite.evidence import stats
from signin_lite.foundations import methods

ALLOWED_LATIN = ("Sign-In", "PaI", "GMP", "ERK", "FLOPs", "GPU", "CPU", "ResNet", "CIFAR", "PoC", "JupyterLab")
_DATA_KEYS = {"hardware", "devices", "basis", "run_id", "meas_id", "source", "profile", "dates", "test_size", "model",
              "device"}
_PROBE_CMD = "python -m signin_lite probe --model package.module:function --input-shape ... --batch-size N"
PROBE_CMD = ("python -m signin_lite probe --model package.module:function --input-shape ... --batch-size N "
             "--sparsity 0.9")
REPORT_CMD = "python -m signin_lite report --inputs FILE --probe runs/probe/RECORD.json --out poc_report.html"

_EN = {
    "title": "Sparse training PoC: one-page decision report",
    "meta": "Generated {date} from this project's run records · the options at {sparsity}% sparsity",
    "example": "Inputs are EXAMPLE values: replace them with yours.",
    "verdict": "PoC: {v}",
    "lead": {"go": "Run the PoC.", "not-yet": "", "no-go": ""},
    "go_because": "Accuracy holds within the tolerance ({tol} pp) and the saving credited from measurements, "
                  "{saving} a month, exceeds the smallest saving worth deciding on ({materiality}).",
    "blocked_by": "What stands in the way:",
    "blockers": {
        "acc_below": "Accuracy: Sign-In loses {change} pp against dense, with the whole interval ({low} to {high}) "
                     "below the tolerance of {tol} pp.",
        "acc_unclear": "Accuracy: the interval of Sign-In against dense ({low} to {high} pp) crosses the tolerance "
                       "of {tol} pp.",
        "acc_unknown": "Accuracy: one seed only, so no interval to compare with the tolerance of {tol} pp.",
        "money_none": "Money: even the upper bound (the whole FLOPs cut realized) saves {upper} a month, not more "
                      "than the smallest saving worth deciding on ({materiality}).",
        "money_unproven": "Money: the saving credited from measurements is {saving} a month, not above "
                          "{materiality}; more needs a sparse speed-up on your serving stack that nobody has "
                          "measured (upper bound {upper}).",
    },
    # a negative saving read as what it is: a loss (same blocker, same rule)
    "blockers_loss": {
        "money_unproven": "Money: measured, the option costs {loss} a month more than dense (a loss), so it stays "
                          "below the smallest saving worth deciding on ({materiality}); a saving needs a sparse "
                          "speed-up on your serving stack that nobody has measured (upper bound {upper}).",
    },
    "next": {"money_unproven": " First step: one benchmark of a merged sparse model on your serving stack.",
             "acc_unclear": " The PoC's accuracy criterion on your own data would settle the accuracy question."},
    "no_records": "No measured runs at this sparsity.",
    "r_acc": "Accuracy: Sign-In vs dense {change} pp (95% interval {low} to {high}, {n} seeds; this project's "
             "CIFAR-10 runs, not your data); tolerance {tol} pp.",
    "r_money": "Money: at the assumed inference speed-up (×{speedup}) the credited saving is {saving} a month against "
               "{materiality} needed; a serving stack that realized the whole compute cut ({flops}% fewer FLOPs) "
               "would save up to {upper}.",
    "r_money_loss": "Money: at the assumed inference speed-up (×{speedup}) the option costs {loss} a month more than "
                    "dense (a loss) against a saving of {materiality} needed; a serving stack that realized the whole "
                    "compute cut ({flops}% fewer FLOPs) would save up to {upper}.",
    "r_train_measured": "Training on {who}: Sign-In's step time {time} and peak memory {memory} against dense, "
                        "measured interleaved.",
    "r_train_unmeasurable": "Training on {who}: Sign-In's step time is {time}, so it counts as dense's; peak "
                            "memory {memory}.",
    "r_train_none": "Training: no controlled timing measurement, so every option is costed at dense's training time.",
    "who_reader": "your model", "who_reference": "the reference model",
    "r_arms": "Sign-In vs PaI in the controlled four-arm test: {gain} pp (95% interval {low} to {high}; {reading}; "
              "{n} paired seeds, {epochs} epochs, {sparsity} sparsity, {test} test images). It is trusted over the "
              "older sweep because every arm started from the same seeds, masks and data order, ran one at a "
              "time on one thread, and its comparisons were written down before the runs. The paper reports "
              "{paper} pp on its full schedule.",
    "r_arms_none": "Sign-In vs PaI: no controlled four-arm test yet; the paper reports {paper} pp on its full "
                   "schedule.",
    "h_options": "The options at {sparsity}% sparsity (per month, under your inputs)",
    "cols": ["Option", "Accuracy vs dense, pp [95%]", "Training step time vs dense [95%]",
             "Peak training memory vs dense", "File size vs dense", "Monthly cost",
             "Saving credited from measurements", "Verdict"],
    "upper_short": "upper bound", "not_measurable": "not measurable here", "no_interval": "(no interval)",
    "seeds": "{n} seeds", "not_run": "no complete runs at this sparsity",
    "model_reader": "Training time, memory and file size: measured on your model {model} (input {shape}, batch "
                    "{batch}, sparsity {sparsity}, {device}, {date}).",
    "model_reference": "Training time, memory and file size: reference model (torchvision ResNet-18), not yours: "
                       "{model}, input {shape}, batch {batch}, sparsity {sparsity}, {device}, {date}.",
    "model_reference_hint": "To measure the model you deploy: {probe_cmd}, then {report_cmd}.",
    "model_none": "No probe record: training time and memory are not measured, and every option is costed at "
                  "dense's training time.",
    "warn_sparsity": "Warning: the probe measured {probe} sparsity, this report compares {report}.",
    "warn_batch": "Warning: the probe measured batch {probe}; you train at batch {batch}. Step time and memory "
                  "depend on the batch: probe again at {batch}.",
    "warn_dense": "Warning: the probe left {n} weight tensor(s) dense; over all weights the sparsity is {eff}.",
    "hardware": "Serving on {hw}; assumed sparse inference speed-up ×{speedup}.",
    "table_note": "Savings are monthly; a saving counts only when its measured interval excludes zero. Accuracies "
                  "come from this project's small CPU runs (a CIFAR-10 subset, a short schedule), not on your "
                  "data. PaI = pruning at initialization (the mask is fixed before training).",
    "h_payback": "Payback", "colon": ": ",
    "payback_yes": "PoC cost {total} ÷ credited saving {saving} a month = {months} months.",
    "payback_no": "PoC cost {total}; the credited saving ({saving} a month) does not pay it back.",
    "payback_loss": "PoC cost {total}; measured, the option costs {loss} a month more than dense, so nothing pays it "
                    "back.",
    "payback_upper": "At the upper bound ({upper} a month): {upper_months} months.",
    "h_plan": "What the PoC costs",
    "plan_basis_probe": "{steps} steps per run at batch {batch} × the probe's step time of each variant × {scale}",
    "plan_basis_records": "the dense records' training time × {scale}",
    "plan": {
        "scope": "Scope: one model of yours at {sparsity}% sparsity: dense, sparse and sparse + Sign-In, "
                 "{seeds} seeds each = {runs} training runs (about {weeks} weeks).",
        "compute": "Compute: about {hours} GPU-hours on the target hardware ({basis}) = {compute}.",
        "people": "Engineering: {days} person-days = {people}.",
        "total": "Total: {total}.",
    },
    "h_criteria": "Go/no-go criteria to agree before it starts",
    "criteria": {
        "acc": "Accuracy: the lower end of the 95% interval of (Sign-In − dense) is at or above {tol} pp on "
               "your test set.",
        "money": "Money: a saving above {materiality} a month, measured on your serving stack (not assumed).",
        "cost": "Training: Sign-In's extra step time and peak memory fit your training hardware (measured first "
                "on the model you deploy with {probe}).",
        "stop": "Stop early if the first seed already loses more than twice the tolerance.",
    },
    "foot": "Inputs, every assumption, the verdict rule and the source of every number (run ids, hardware, dates):",
    "sp": " ", "currencies": {}, "na": "n/a", "sep": ", ",
    # appendix
    "appendix_title": "Appendix to the PoC report: inputs, assumptions and sources",
    "appendix_intro": "Everything behind the one-page report. Accuracies come from the run records listed at the end; "
                      "training time, memory and file size from the probe record below; the deployment figures are "
                      "the inputs.",
    "h_inputs": "Inputs", "h_assumptions": "Assumptions and the verdict rule",
    "h_provenance": "Where the numbers come from",
    "h_probe_reader": "Measured on your model", "h_probe_reference": "Measured on the reference model",
    "probe_none": f"No probe record: run `{_PROBE_CMD}` on the model you deploy, then `report --probe RECORD`.",
    "probe_info": "{model}, measured {date} on {device}: synthetic inputs of shape {shape}, batch {batch}, "
                  "{steps} interleaved rounds, sparsity {sparsity}%.",
    "probe_weights": "Effective sparsity over every weight tensor: {eff}%; left dense ({n}): {names}.",
    "probe_cols": ["Variant", "Training step (ms, median)", "Step time vs dense [95%]", "Peak memory (MB)"],
    "probe_kinds": {"dense": "dense", "masked": "masked (sparse)", "masked_signin": "masked + Sign-In"},
    "prov_cols": ["Option", "Run ids", "Dates", "Hardware", "Data"], "measurement": "File size / latency record",
    "paper_note": "The paper's numbers ({paper}) are quoted from Gadhikar et al. 2025 (CIFAR-10, ResNet-20, "
                  "random mask, 160 epochs) and are not measured here.",
    "h_second": "A second test of Sign-In, in the paper's regime",
    "second": "Planned before its runs, it gives Sign-In's resets as much to undo as the paper's assumed schedule "
              "does: weight decay's drift D is {d_design} over the run (the first test's: {d_first}), with a weight "
              "decay {wd_factor} times the usual, at {epochs} epochs on {train} training images, {arms} arms and "
              "{seeds} paired seeds (records in {folder}). {status}",
    "second_done": "Doubling the weight decay on the masked weights alone, without Sign-In, changed accuracy by "
                   "{wd} pp against PaI ({wd_low} to {wd_high}: {wd_reading}), and Sign-In minus that control was "
                   "{match} pp ({match_low} to {match_high}: {match_reading}). The test checks Sign-In's mechanism, "
                   "not the accuracy to expect at your settings: no run fit more than {train_max}% of its training "
                   "images, so page 1 cites the first test, which trains with the usual weight decay.",
    "fields": {"requests_per_month": "Inference requests", "hardware": "Target hardware",
               "price_per_hour": "Hardware price", "power_watts": "Power draw",
               "electricity_price_per_kwh": "Electricity price", "baseline_throughput_rps": "Dense throughput",
               "throughput_basis": "Throughput basis", "retrains_per_month": "Retraining runs",
               "tolerance_pp": "Accuracy tolerance", "sparse_speedup": "Sparse inference speed-up (assumed)",
               "train_time_scale": "Step time factor (probe hardware -> target)",
               "train_steps": "Training steps per run", "currency": "Currency",
               "materiality": "Smallest saving worth deciding on", "poc_engineer_days": "PoC engineering effort",
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
    "verdict": "PoC：{v}",
    "lead": {"go": "PoC を実施してください。", "not-yet": "", "no-go": ""},
    "go_because": "精度は許容範囲（{tol}ポイント）内で、計測に基づいて計上できる削減額は月 {saving}と、判断に足る"
                  "最低削減額（{materiality}）を超えています。",
    "blocked_by": "判断を妨げている点：",
    "blockers": {
        "acc_below": "精度：Sign-In の密モデル比の精度変化は {change}ポイントで、区間全体（{low}〜{high}）が許容ライン"
                     " {tol}ポイントを下回っています。",
        "acc_unclear": "精度：Sign-In の密モデル比の区間（{low}〜{high}ポイント）が許容ライン {tol}ポイントをまたいで"
                       "います。",
        "acc_unknown": "精度：シードが1本のため区間がなく、許容ライン {tol}ポイントと比べられません。",
        "money_none": "費用：演算量の削減がすべて速度に表れたとしても（上限）、削減額は月 {upper}で、判断に足る"
                      "最低削減額（{materiality}）を超えません。",
        "money_unproven": "費用：計測に基づいて計上できる削減額は月 {saving}で、{materiality}を超えません。これ以上の"
                          "削減には、推論環境でスパースモデルが速く動くことが必要ですが、まだ計測されていません"
                          "（上限は {upper}）。",
    },
    "blockers_loss": {
        "money_unproven": "費用：計測に基づくと、密モデルより月 {loss}多くかかり（損失）、判断に足る最低削減額"
                          "（{materiality}）に届きません。削減には、推論環境でスパースモデルが速く動くことが必要"
                          "ですが、まだ計測されていません（上限は {upper}）。",
    },
    "next": {"money_unproven": "最初の一歩：推論環境でマージ後のスパースモデルの速度を一度計測してください。",
             "acc_unclear": "精度は、PoC で自社のデータを使って判断基準どおりに確かめれば決着します。"},
    "no_records": "このスパース率の計測がありません。",
    "r_acc": "精度：Sign-In の密モデル比は {change}ポイント（95%区間 {low}〜{high}、{n}シード。本プロジェクトの "
             "CIFAR-10 での計測で、自社のデータではありません）。許容ラインは {tol}ポイントです。",
    "r_money": "費用：想定する推論高速化率（{speedup}倍）では、計上できる削減額は月 {saving}で、必要な額は "
               "{materiality}です。演算量の削減（FLOPs {flops}%減）がすべて速度に表れる推論環境であれば、最大で月 "
               "{upper}の削減になります。",
    "r_money_loss": "費用：想定する推論高速化率（{speedup}倍）では、密モデルより月 {loss}多くかかり（損失）、必要な"
                    "削減額は {materiality}です。演算量の削減（FLOPs {flops}%減）がすべて速度に表れる推論環境であれば、"
                    "最大で月 {upper}の削減になります。",
    "r_train_measured": "{who}での学習：Sign-In の密モデル比は、1ステップの時間 {time}、ピークメモリ {memory}"
                        "（交互に計測）。",
    "r_train_unmeasurable": "{who}での学習：Sign-In の1ステップの時間は{time}のため、密モデルと同じとして扱います。"
                            "ピークメモリは {memory}です。",
    "r_train_none": "学習：条件をそろえた時間計測がないため、どの選択肢も密モデルと同じ学習時間で試算しています。",
    "who_reader": "自社モデル", "who_reference": "参照モデル",
    "r_arms": "Sign-In と PaI の比較（条件をそろえた4群比較試験）：{gain}ポイント（95%区間 {low}〜{high}、{reading}。"
              "対応のある {n}シード、{epochs}エポック、スパース率 {sparsity}、テスト画像 {test}枚）。以前の条件比較"
              "より信頼できるのは、全群が同じシード・マスク・データ順から始まり、1つずつ1スレッドで実行され、比較方法を"
              "実行前に書き留めていたためです。論文の報告値は、本来の学習スケジュールで {paper}ポイントです。",
    "r_arms_none": "Sign-In と PaI の比較：条件をそろえた4群比較試験はまだありません。論文の報告値は、本来の学習"
                   "スケジュールで {paper}ポイントです。",
    "h_options": "比較する選択肢（スパース率 {sparsity}%、月額、入力した前提による）",
    "cols": ["選択肢", "密モデル比の精度（ポイント）［95%区間］", "学習1ステップの時間（密モデル比）［95%区間］",
             "学習時のピークメモリ（密モデル比）", "保存サイズ（密モデル比）", "月額コスト", "計測に基づく削減額",
             "判断"],
    "upper_short": "上限", "not_measurable": "ここでは計測できない差", "no_interval": "（区間なし）",
    "seeds": "{n}シード", "not_run": "このスパース率の計測がありません",
    "model_reader": "学習時間・メモリ・保存サイズ：自社モデル {model} で計測（入力 {shape}、バッチ {batch}、スパース率 "
                    "{sparsity}、{device}、{date}）。",
    "model_reference": "学習時間・メモリ・保存サイズ：参照モデル（ResNet-18）での計測で、自社のモデルではありません"
                       "（{model}、入力 {shape}、バッチ {batch}、スパース率 {sparsity}、{device}、{date}）。",
    "model_reference_hint": "自社のモデルで計測するには：{probe_cmd}。続けて：{report_cmd}。",
    "model_none": "計測記録がないため、学習時間とメモリは計測されておらず、どの選択肢も密モデルと同じ学習時間で試算"
                  "しています。",
    "warn_sparsity": "注意：計測のスパース率は {probe}で、このレポートが比較するスパース率 {report}と異なります。",
    "warn_batch": "注意：計測のバッチは {probe}ですが、自社の学習はバッチ {batch}です。時間とメモリはバッチで変わる"
                  "ため、バッチ {batch}で計測し直してください。",
    "warn_dense": "注意：計測では {n}個の重みテンソルが密のままで、全重みでのスパース率は {eff}です。",
    "hardware": "推論環境：{hw}。スパースモデルの推論高速化率は {speedup}倍と仮定。",
    "table_note": "削減額は月額で、計測した区間がゼロを含まない場合のみ計上します。精度は本プロジェクトの小規模な計測"
                  "（CIFAR-10 の一部、短い学習）によるもので、自社のモデルでの値ではありません。PaI は初期化時の枝刈り"
                  "（学習の前にマスクを決める方式）です。",
    "h_payback": "回収期間", "colon": "：",
    "payback_yes": "PoC の費用 {total} ÷ 計上できる削減額 月 {saving} ＝ {months}か月。",
    "payback_no": "PoC の費用 {total}。計上できる削減額（月 {saving}）では回収できません。",
    "payback_loss": "PoC の費用 {total}。計測では密モデルより月 {loss}多くかかるため、回収できません。",
    "payback_upper": "上限の削減額（月 {upper}）なら {upper_months}か月。",
    "h_plan": "PoC の費用と期間",
    "plan_basis_probe": "1回 {steps}ステップ（バッチ {batch}）× 各方式の計測した1ステップの時間 × 換算係数 {scale}",
    "plan_basis_records": "密モデルの記録の学習時間 × 換算係数 {scale}",
    "plan": {
        "scope": "範囲：自社のモデル1つ、スパース率 {sparsity}%。密・スパース・スパース＋Sign-In を各 {seeds}シード、"
                 "計 {runs}回の学習（期間の目安 {weeks}週間）。",
        "compute": "計算費用：対象ハードウェアで約 {hours}時間（{basis}）、{compute}。",
        "people": "人件費：{days}人日、{people}。",
        "total": "合計：{total}。",
    },
    "h_criteria": "開始前に合意する判断基準",
    "criteria": {
        "acc": "精度：自社のテストデータで、Sign-In と密モデルの差の95%区間の下限が {tol}ポイント以上であること。",
        "money": "費用：自社の推論環境で実測した削減額が、月 {materiality}を超えること（仮定ではなく実測で判断）。",
        "cost": "学習：Sign-In による1ステップの時間とピークメモリの増加が、学習用ハードウェアに収まること（自社の"
                "モデルを {probe} で計測して確認）。",
        "stop": "最初のシードで許容幅の2倍を超える精度低下が出た場合は、その時点で中止する。",
    },
    "foot": "入力値、すべての前提条件、判断基準、各数値の出典（実行記録、計測環境、日付）は別紙にあります：",
    "sp": "", "currencies": {"JPY": "円", "USD": "ドル", "EUR": "ユーロ", "currency units": "通貨単位"},
    "na": "—", "sep": "、",
    "appendix_title": "PoC 判断レポート別紙：入力値、前提条件、数値の出典",
    "appendix_intro": "1ページのレポートの根拠をすべて示します。精度は末尾に示す実行記録の値、学習時間・メモリ・保存"
                      "サイズは下記の計測記録の値で、運用に関する数値は入力値です。",
    "h_inputs": "入力値", "h_assumptions": "前提条件と判断基準", "h_provenance": "数値の出典",
    "h_probe_reader": "自社モデルでの計測", "h_probe_reference": "参照モデルでの計測",
    "probe_none": "計測記録がありません。自社のモデルで計測コマンドを実行し、その記録をレポート作成コマンドに指定して"
                  "ください。",
    "probe_info": "{model}、{date} に {device} で計測。形状 {shape} の合成入力、バッチ {batch}、交互に {steps}回ずつ"
                  "計測、スパース率 {sparsity}%。",
    "probe_weights": "全重みテンソルでのスパース率 {eff}%。密のまま残した重み（{n}個）：{names}。",
    "probe_cols": ["方式", "学習1ステップ（ミリ秒、中央値）", "密モデル比［95%区間］", "ピークメモリ（メガバイト）"],
    "probe_kinds": {"dense": "密モデル", "masked": "スパース（マスク付き）", "masked_signin": "スパース＋Sign-In"},
    "prov_cols": ["選択肢", "実行記録", "日付", "計測環境", "データ"], "measurement": "保存サイズ・推論時間の計測",
    "paper_note": "論文の数値（{paper}）は Sign-In の論文（2025年）の報告値（CIFAR-10、ResNet-20、ランダムマスク、"
                  "160エポック）で、本プロジェクトの計測ではありません。",
    "h_second": "論文の条件に近づけた Sign-In の第2の試験",
    "second": "実行前に計画を固定した試験で、リセットで戻すべきずれが論文の想定スケジュールと同じだけ生じるように"
              "しています。重み減衰による累積のずれは学習全体で {d_design}（第1の試験では {d_first}）、重み減衰は"
              "通常の {wd_factor}倍で、学習画像 {train}枚・{epochs}エポック、{arms}群・対応のある {seeds}シードで"
              "行いました（記録は {folder}）。{status}",
    "second_done": "Sign-In を使わずに対象の重みの重み減衰だけを2倍にした対照と PaI の差は {wd}ポイント（{wd_low}〜"
                   "{wd_high}、判定：{wd_reading}）、Sign-In とこの対照との差は {match}ポイント（{match_low}〜"
                   "{match_high}、判定：{match_reading}）でした。この試験は Sign-In の仕組みを確かめるもので、実際の"
                   "設定で期待できる精度を示すものではありません。学習データに対する正解率はどの学習でも {train_max}%"
                   "以下だったため、1ページ目には通常の重み減衰で学習した第1の試験を示しています。",
    "fields": {"requests_per_month": "月間推論リクエスト数", "hardware": "対象ハードウェア",
               "price_per_hour": "ハードウェア利用料", "power_watts": "消費電力",
               "electricity_price_per_kwh": "電気料金",
               "baseline_throughput_rps": "密モデルのスループット", "throughput_basis": "スループットの根拠",
               "retrains_per_month": "再学習の回数", "tolerance_pp": "許容する精度低下",
               "sparse_speedup": "スパース推論の高速化率（仮定）",
               "train_time_scale": "1ステップの時間の換算係数（計測環境→対象ハードウェア）",
               "train_steps": "1回の学習のステップ数", "currency": "通貨",
               "materiality": "判断に足る最低削減額（月額）", "poc_engineer_days": "PoC の工数",
               "engineer_cost_per_day": "1人日あたりの費用", "sparsity": "比較するスパース率",
               "source": "入力ファイル"},
    "units": {"requests/month": "件／月", "currency units/h": "通貨単位／時間", "W": "ワット",
              "currency units/kWh": "通貨単位／キロワット時", "requests/s": "件／秒", "runs/month": "回／月",
              "percentage points": "ポイント", "x": "倍", "currency units/month": "通貨単位／月",
              "person-days": "人日", "currency units/day": "通貨単位／人日", "steps": "ステップ"},
    "notes": notes.TEMPLATES["ja"],
    "words": {"profile": "プロファイル", "model": "モデル", "epochs": "エポック数", "data source": "データソース",
              "hardware": "計測環境", "not measured": "未計測", "measured, not used": "計測済み、負荷のため不使用"},
}

STRINGS = {"en": _EN, "ja": _JA}


READING_WORDS = {"ja": {"borderline": "補正後は明確でない差（補正前の区間はゼロを含まないが、複数の比較を"
                                      "まとめて補正すると明確ではない）"}}


def reading_text(reading: str, lang: str) -> str:
    """A statistical reading (``stats.READINGS``) in the manager's words: the statistics layer's label, with
    plainer Japanese where its label is a term of art (境界的)."""
    return READING_WORDS.get(lang, {}).get(reading) or stats.reading_label(reading, lang)


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
    if key == "verdict_rule":  # the words of the one vocabulary, from the one table
        labels = VERDICT_LABELS["ja" if S is _JA else "en"]
        p.update(v_go=labels["go"], v_not_yet=labels["not-yet"], v_no_go=labels["no-go"])
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


# ------------------------------------------------------------------------------------ errors, in Japanese
_NEEDS_JA = {
    "a finite number": "有限の数値", "> 0": "0より大きい数値", ">= 0": "0以上の数値",
    "a non-empty string": "空でない文字列", "a number in (0, 1), e.g. 0.9": "0より大きく1未満の数値（例：0.9）",
    "an integer >= 2 (an interval needs two seeds)": "2以上の整数（区間には2シード以上が必要）",
    "a positive integer (1 or 128 are measured)": "正の整数（計測済みは1と128）",
    "a non-negative integer (0 = not stated)": "0以上の整数（0は指定なし）",
    "a path to a probe record, or \"\" for none": "計測記録のパス（なしの場合は空文字列）",
    "true or false": "true または false",
}
_ERRORS_JA = {
    "not_table": "入力ファイル {source} は、項目を並べた表の形式である必要があります。",
    "unknown_field": "入力ファイル {source} に未知の項目があります：{fields}。使える項目：{known}。",
    "missing_field": "入力ファイル {source} に必須の項目がありません：{fields}。全項目の例は {example} にあります。",
    "bad_field": "入力ファイル {source} の項目 {field}（{label}）は、{need}である必要があります（入力値：{value}）。",
    "bad_inputs": "入力ファイル {source} の値を使えません：{detail}",
    "inputs_missing": "入力ファイル {path} が見つかりません。{example} をコピーして作成してください。",
    "inputs_suffix": "入力ファイル {path} は .json または .toml のファイルにしてください。",
    "inputs_syntax": "入力ファイル {path} の書式が正しくありません（{kind}）：{detail}",
    "no_sparsity": "スパース率 {sparsity} の PaI または PaI＋Sign-In の実行記録が {folder} にありません。条件比較で"
                   "実行したスパース率（例：0.9）を選ぶか、次のコマンドで実行してください：python -m signin_lite sweep",
    "latency_batch": "latency_batch = {batch} は計測されていません。推論時間を計測したバッチサイズは {measured} です。",
    "probe_folder": "--probe に指定した {path} はフォルダーです。計測記録のファイルを指定してください。",
    "probe_missing": "計測記録 {path} が見つかりません。次のコマンドで作成してください："
                     "python -m signin_lite probe --model package.module:function --input-shape ...",
    "probe_bad": "{path} は計測記録として読めません。",
}


def error_text(error: Exception, lang: str) -> str:
    """An error for the command line in ``lang``: the English message, or the Japanese one for a known key
    (``poc_inputs.InputError``); file names, field names and commands are kept as given."""
    key, params = getattr(error, "key", None), dict(getattr(error, "params", {}))
    if lang != "ja" or key not in _ERRORS_JA:
        return f"error: {error}"
    if "need" in params:
        params["need"] = _NEEDS_JA.get(params["need"], params["need"])
    if "field" in params:
        params["label"] = _JA["fields"].get(params["field"], params["field"])
    return "エラー：" + _ERRORS_JA[key].format(**params)


# Column names of the worksheet chapters' option table (report.option_rows)
OPTION_COLUMNS = {
    "en": ("Option", "Accuracy vs dense (points)", "Training step time", "Peak memory", "Monthly cost", "Verdict"),
    "ja": ("選択肢", "精度（密モデル比、ポイント）", "1ステップの時間", "ピークメモリ", "月額コスト", "判断"),
}


# Japanese display values for the example inputs file's text values (names such as GPU stay as they are)
VALUES_JA = {"GPU inference server (1 GPU, example)": "GPU 推論サーバー（GPU 1基、例示）",
             "example value": "例示用の値", "assumption": "仮定", "JPY": "円（JPY）", "USD": "ドル（USD）",
             "EUR": "ユーロ（EUR）"}


EN_UNITS = {"percentage points": "pp"}  # the short English unit (typography: −2.8 pp)


def unit_text(unit: str, currency: str, S: dict) -> str:
    """A unit in the report's language, with the currency named (円／時間, JPY/h; not currency units/h)."""
    text = S["units"].get(unit, unit)
    cur = S["currencies"].get(currency, currency)
    return text.replace("通貨単位", cur).replace("currency units", cur) if currency != "currency units" else text


def value_text(v, lang: str = "en") -> str:
    """An input's value: numbers with thousands separators and U+2212, text in ``lang`` where we have its words."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return VALUES_JA.get(str(v), str(v)) if lang == "ja" else str(v)
    return ty.minus(f"{v:,.0f}" if float(v).is_integer() and abs(v) >= 1000 else f"{v:,.6g}")


def input_rows(deployment, sparsity: float, lang: str = "en") -> list[dict[str, str]]:
    """One row per deployment input (name, value with its unit) in ``lang``, then the sparsity compared: the
    worksheet chapters' inputs table. In Japanese no space between a number and its unit."""
    S = STRINGS[lang]
    head = ("項目", "値") if lang == "ja" else ("Input", "Value")
    rows = []
    for name, value, unit, _ in deployment.inputs():
        u = unit_text(unit, deployment.currency, S)
        text = value_text(value, lang)
        if unit == "x":  # a ratio: ×0.05 in English, 0.05倍 in Japanese
            text = f"{text}倍" if lang == "ja" else f"\u00d7{text}"
        elif u:
            text = f"{text}{S['sp']}{EN_UNITS.get(u, u) if lang == 'en' else u}"
        rows.append({head[0]: S["fields"].get(name, name), head[1]: text})
    rows.append({head[0]: S["fields"]["sparsity"], head[1]: f"{100 * sparsity:.0f}%"})
    return rows
