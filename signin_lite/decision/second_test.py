"""The second CPU test of Sign-In (issue 21, in the paper's regime) in words for the summaries and the report's
appendix: weight decay's drift D beside the first test's and the paper's assumed schedule, how many runs have
finished, and, once all have (its plan reads it only then), Sign-In minus each primary baseline and Sign-In's step
size. Keys ``bl_rg_*``, each a ready-formatted string::

    from signin_lite.decision import second_test
    second_test.values("ja")["bl_rg_status"]
"""

from __future__ import annotations

from pathlib import Path

from signin_lite.decision import poc_inputs, report_text, typography
from signin_lite.evidence import arms, drift, records
from signin_lite.experiments import regime_test

_RG_STATUS = {
    "en": {"running": "{done} of {total} runs have finished; by its plan the test is read only when every run has, "
                      "so it reports no result yet.",
           "done": "Sign-In minus PaI was {gain} pp ({gain_low} to {gain_high}: {gain_reading}); Sign-In minus the "
                   "control with doubled decay and Sign-In's step size was {ctrl} pp ({ctrl_low} to {ctrl_high}: "
                   "{ctrl_reading}); Sign-In minus Sign-In without resets at a matched step size was {h3} pp "
                   "({h3_low} to {h3_high}: {h3_reading})."},
    "ja": {"running": "全{total}回の学習のうち{done}回が終わった段階です。計画では全回の完了後にだけ判定するため、"
                      "結果はまだ報告しません。",
           "done": "Sign-In と PaI の差は {gain}ポイント（{gain_low}〜{gain_high}、判定：{gain_reading}）、Sign-In と"
                   "「重み減衰を2倍にし、Sign-In と同じ歩幅にした対照」との差は {ctrl}ポイント（{ctrl_low}〜"
                   "{ctrl_high}、判定：{ctrl_reading}）、Sign-In と「リセットをせず、歩幅を合わせた Sign-In」との差は"
                   " {h3}ポイント（{h3_low}〜{h3_high}、判定：{h3_reading}）でした。"},
}
RUNS = Path("cpu_regime", "runs")  # the test's records, below results/ (scripts/cpu_regime_test.sh)
STEP_KEYS = ("mult_low", "mult_high", "mult_ctrl_low", "mult_ctrl_high", "reset_low", "train_max")
# key -> (treatment, baseline): the primary family, then two of the secondary one (what doubling the decay alone does)
_RG_COMPARED = {"gain": ("pai_signin", "pai"), "ctrl": ("pai_signin", "pai_wd2x_masked_step"),
                "h3": ("pai_signin", "pai_signin_noreset_step"), "wd": ("pai_wd2x_masked", "pai"),
                "match": ("pai_signin", "pai_wd2x_masked")}
PART_KEYS = tuple(f"{key}{part}" for key in _RG_COMPARED for part in ("", "_low", "_high", "_reading"))


def load(folder: str | Path | None = None) -> list[dict]:
    """The test's records in ``folder`` (default: the committed ones); none where the folder does not exist."""
    folder = Path(folder or poc_inputs.RESULTS / RUNS)
    return records.load_records(folder) if folder.is_dir() else []


def values(lang: str, folder: str | Path | None = None, recs: list[dict] | None = None,
           tests: list[arms.ArmTest] | None = None) -> dict[str, str]:
    """The second CPU test (issue 21, in the paper's regime): weight decay's drift D over the run and per reset period
    beside the first test's and the paper's assumed schedule, how many of its runs have finished, and, once all have
    (the plan reads it only then), Sign-In minus each primary baseline (:func:`parts`) and its steps (:func:`steps`).
    ``recs``: the records already loaded (:func:`load`), else those in ``folder``; ``tests``: their
    :func:`signin_lite.experiments.regime_test.read`, where the caller has read them already."""
    paper_r, _, first, design = regime_test.book_regimes()
    recs = load(folder) if recs is None else recs
    total = len(regime_test.SEEDS) * len(regime_test.REGIME_ARMS)
    out = {"bl_rg_done": str(len(recs)), "bl_rg_total": str(total), "bl_rg_d_paper": f"{paper_r.decay_run:.0f}",
           "bl_rg_d_first": f"{first.decay_run:.2f}", "bl_rg_d_design": f"{design.decay_run:.0f}",
           "bl_rg_dp_paper": f"{paper_r.decay_period_max:.2f}", "bl_rg_dp_design": f"{design.decay_period_max:.2f}",
           "bl_rg_epochs": str(design.steps // design.steps_per_epoch),
           "bl_rg_train": f"{design.train_images:,}", "bl_rg_seeds": str(len(regime_test.SEEDS)),
           "bl_rg_arms": str(len(regime_test.REGIME_ARMS)),
           "bl_rg_wd_factor": f"{regime_test.DESIGN['weight_decay'] / regime_test.first_test_config().weight_decay:g}"}
    tests = regime_test.read(recs) if tests is None else tests  # the plan's one gate: nothing until every run is in
    if not tests:
        blank = {f"bl_rg_{k}": "—" for k in (*STEP_KEYS, *PART_KEYS)}
        return {**out, **blank, "bl_rg_status": _RG_STATUS[lang]["running"].format(done=len(recs), total=total)}
    found = parts(tests[0], lang)
    return {**out, **steps(tests[0]), **{f"bl_rg_{k}": v for k, v in found.items()},
            "bl_rg_status": _RG_STATUS[lang]["done"].format(**found)}


def parts(test: arms.ArmTest, lang: str) -> dict[str, str]:
    """The second test's primary comparisons and two secondary ones (:data:`PART_KEYS`): estimate, interval and
    reading in ``lang``."""
    out = {}
    for key, (treatment, baseline) in _RG_COMPARED.items():
        d = arms.comparison(test, treatment, baseline).diff
        out.update({f"{key}{k}": v for k, v in typography.signed_parts(d).items()})
        out[f"{key}_reading"] = report_text.reading_text(d.reading(), lang)
    return out


def steps(test: arms.ArmTest) -> dict[str, str]:
    """Sign-In's mean learning-rate multiplier m² + w² over the epochs (PaI's is 1), the step-matched control's
    (:func:`signin_lite.evidence.drift.effective_multiplier`), and Sign-In's lowest layer-mean (m² − w²)/β before
    a reset; the highest training accuracy of any run in its last epoch (``bl_rg_train_max``, %)."""
    signin = drift.effective_multiplier(test.complete("pai_signin"))
    ctrl = drift.effective_multiplier(test.complete("pai_wd2x_masked_step"))
    low = drift.lowest_imbalance(test.complete("pai_signin"))["mean"]
    fit = max(r["history"][-1]["train_acc"] for r in test.records)
    return {"bl_rg_mult_low": f"{min(signin):.2f}", "bl_rg_mult_high": f"{max(signin):.2f}",
            "bl_rg_mult_ctrl_low": f"{min(ctrl):.2f}", "bl_rg_mult_ctrl_high": f"{max(ctrl):.2f}",
            "bl_rg_reset_low": f"{low:.2f}", "bl_rg_train_max": f"{100 * fit:.0f}"}
