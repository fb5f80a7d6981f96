"""The executive summaries' bottom line, computed from the run records (never typed into prose).

    from signin_lite.decision import bottom_line
    bottom_line.glue_all("ja")        # in a MyST page: {glue:text}`bl_gain` etc.

Values, each a ready-formatted string (numbers by :mod:`signin_lite.decision.typography`):

- ours: the controlled four-arm test of Sign-In (``bl_arms_*``), the second test in the paper's regime (``bl_rg_*``:
  its drift D beside the first test's and the paper's, its progress, and its result once complete), the planted
  ticket (``bl_pl_*``), the older sweep's
  Sign-In gain over PaI (``bl_gain*``, superseded by the four-arm test), Sign-In's step-time and memory ratio on
  the reference probe record (``bl_probe_*``), the report's verdict under the example inputs by the one verdict
  rule (``bl_verdict``, ``bl_headline``) and what the PoC costs (``report.poc_plan``);
- the paper's (``paper.PAPER`` only): ``bl_paper_*``.
"""

from __future__ import annotations

from pathlib import Path

from signin_lite.evidence import arms, drift, paper, records, summary
from signin_lite.experiments import planted, regime_test
from signin_lite.decision import poc_inputs, report, report_text, timing, typography


def own_result(runs: list[dict], sparsity: float) -> dict | None:
    """The summary row of PaI + Sign-In vs PaI at ``sparsity`` on the main schedule (most dense runs)."""
    epochs = poc_inputs.main_schedule(runs)
    rows = [r for r in summary.summary_table(runs) if r["method"] == "pai_signin" and r["gain_vs"] == "pai"
            and abs(r["sparsity"] - sparsity) < 1e-6 and r["role"] == "main" and r["gain"] is not None]
    rows.sort(key=lambda r: (r["epochs"] != epochs, -r["n"]))
    return rows[0] if rows else None


def _signed_interval(d, scale: float = 1.0) -> dict[str, str]:
    """Estimate, low and high of a difference with :func:`interval_digits` decimals (``scale``: e.g. 100 for pp)."""
    xs = [None if x is None else scale * x for x in (d.estimate, d.low, d.high)]
    n = typography.interval_digits(xs[1], xs[2])
    return dict(zip(("", "_low", "_high"), (typography.signed(x, n) for x in xs), strict=True))


def four_arm_values(lang: str, arms_dir: str | Path | None = None) -> dict[str, str]:
    """The four-arm test's primary comparisons (``arms``) as formatted strings; dashes while no test exists.
    With several tests, the one with the most paired seeds, then the longest schedule."""
    folder = Path(arms_dir or poc_inputs.RESULTS / "cpu_signin" / "runs")
    recs = records.load_records(folder) if folder.is_dir() else []
    tests = sorted(arms.four_arm_tests(recs), key=lambda t: (len(t.seeds), t.config["epochs"]))
    keys = ("sparsity", "n", "epochs", "train", "test", "gain", "gain_low", "gain_high", "gain_reading", "ctrl",
            "ctrl_low", "ctrl_high", "ctrl_reading")
    if not tests:
        return {f"bl_arms_{k}": "—" for k in keys}
    t = tests[-1]
    out = {"bl_arms_sparsity": f"{100 * t.arms['pai'].sparsity:.0f}", "bl_arms_n": str(len(t.seeds)),
           "bl_arms_epochs": str(t.config["epochs"]), "bl_arms_train": f"{10 * t.config['train_per_class']:,}",
           "bl_arms_test": f"{t.test_size:,}" if t.test_size else "—"}
    for key, baseline in (("gain", "pai"), ("ctrl", "pai_wd2x_masked")):
        d = arms.comparison(t, "pai_signin", baseline).diff
        out.update({f"bl_arms_{key}{k}": v for k, v in _signed_interval(d).items()})
        out[f"bl_arms_{key}_reading"] = report_text.reading_text(d.reading(), lang)
    return out


def planted_values(lang: str, folder: str | Path | None = None) -> dict[str, str]:
    """The planted-ticket reference (chapter 3½): seeds, the transplant's and PaI's mean test loss, and Sign-In minus
    PaI in the share of the teacher's signs recovered (percentage points of kept weights); dashes without a record."""
    ref = planted.reference(str(folder or poc_inputs.RESULTS / "planted"), profile="cpu")
    keys = ("seeds", "transplant_loss", "pai_loss", "signin_loss", "loss_ratio", "signin_loss_ratio", "signs",
            "signs_low", "signs_high", "signs_reading")
    if ref is None:
        return {f"bl_pl_{k}": "—" for k in keys}
    loss = {r["arm"]: r["mean"] for r in planted.arm_table(ref, "test_loss")}
    d = planted.difference(ref, "signin", "pai", "sign_recovery")
    signs = _signed_interval(d, 100.0)  # fraction of kept weights, in pp
    return {"bl_pl_seeds": str(ref["config"]["seeds"]), "bl_pl_transplant_loss": f"{loss['transplant']:.3f}",
            "bl_pl_pai_loss": f"{loss['pai']:.3f}", "bl_pl_signin_loss": f"{loss['signin']:.3f}",
            "bl_pl_loss_ratio": f"{loss['transplant'] / loss['pai']:.2f}",
            "bl_pl_signin_loss_ratio": f"{loss['signin'] / loss['pai']:.2f}",
            **{f"bl_pl_signs{k}": v for k, v in signs.items()},
            "bl_pl_signs_reading": report_text.reading_text(d.reading(), lang)}


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
_RG_COMPARED = (("gain", "pai"), ("ctrl", "pai_wd2x_masked_step"), ("h3", "pai_signin_noreset_step"))


def regime_values(lang: str, folder: str | Path | None = None) -> dict[str, str]:
    """The second CPU test (issue 21, in the paper's regime): weight decay's drift D over the run and per reset period
    beside the first test's and the paper's assumed schedule, how many of its runs have finished, and, once all have
    (the plan reads it only then), Sign-In minus PaI and minus the step-size-matched control."""
    paper_r, _, first, design = regime_test.book_regimes()
    folder = Path(folder or poc_inputs.RESULTS / "cpu_regime" / "runs")
    recs = records.load_records(folder) if folder.is_dir() else []
    total = len(regime_test.SEEDS) * len(regime_test.REGIME_ARMS)
    out = {"bl_rg_done": str(len(recs)), "bl_rg_total": str(total), "bl_rg_d_paper": f"{paper_r.decay_run:.0f}",
           "bl_rg_d_first": f"{first.decay_run:.2f}", "bl_rg_d_design": f"{design.decay_run:.0f}",
           "bl_rg_dp_paper": f"{paper_r.decay_period_max:.2f}", "bl_rg_dp_design": f"{design.decay_period_max:.2f}",
           "bl_rg_epochs": str(design.steps // design.steps_per_epoch),
           "bl_rg_train": f"{design.train_images:,}", "bl_rg_seeds": str(len(regime_test.SEEDS)),
           "bl_rg_arms": str(len(regime_test.REGIME_ARMS))}
    tests = regime_test.tests(recs) if len(recs) >= total else []
    if not tests:
        blank = {f"bl_rg_{k}": "—" for k in ("mult_low", "mult_high", "reset_low", "mult_ctrl_low", "mult_ctrl_high")}
        return {**out, **blank, "bl_rg_status": _RG_STATUS[lang]["running"].format(done=len(recs), total=total)}
    return {**out, **regime_steps(tests[0]), "bl_rg_status": _RG_STATUS[lang]["done"].format(**regime_parts(
        tests[0], lang))}


def regime_parts(test: arms.ArmTest, lang: str) -> dict[str, str]:
    """Sign-In minus each baseline of the second test's primary family: estimate, interval and reading."""
    parts = {}
    for key, baseline in _RG_COMPARED:
        d = arms.comparison(test, "pai_signin", baseline).diff
        parts.update({f"{key}{k}": v for k, v in _signed_interval(d).items()})
        parts[f"{key}_reading"] = report_text.reading_text(d.reading(), lang)
    return parts


def regime_steps(test: arms.ArmTest) -> dict[str, str]:
    """Sign-In's mean learning-rate multiplier m² + w² over the epochs (PaI's is 1), the step-matched control's
    (:func:`signin_lite.evidence.drift.effective_multiplier`), and Sign-In's lowest layer-mean (m² − w²)/β before
    a reset."""
    signin = drift.effective_multiplier(test.complete("pai_signin"))
    ctrl = drift.effective_multiplier(test.complete("pai_wd2x_masked_step"))
    low = drift.lowest_imbalance(test.complete("pai_signin"))["mean"]
    return {"bl_rg_mult_low": f"{min(signin):.2f}", "bl_rg_mult_high": f"{max(signin):.2f}",
            "bl_rg_mult_ctrl_low": f"{min(ctrl):.2f}", "bl_rg_mult_ctrl_high": f"{max(ctrl):.2f}",
            "bl_rg_reset_low": f"{low:.2f}"}


def probe_values(lang: str, record: dict | None = None) -> dict[str, str]:
    """Sign-In's step-time ratio (with its interval) and peak-memory ratio against dense on the reference probe
    record (torchvision ResNet-18 on this project's CPU); dashes without one."""
    rec = record if record is not None else poc_inputs.reference_probe()
    keys = ("model", "shape", "batch", "time", "time_low", "time_high", "mem", "rounds")
    if rec is None:
        return {f"bl_probe_{k}": "—" for k in keys}
    t = timing.from_probe(rec, reader=False)
    s = t.time["masked_signin"]
    r = lambda x: f"{x:.2f}"  # noqa: E731 - ratios; the page writes the unit (倍 / ×)
    return {"bl_probe_model": t.model, "bl_probe_shape": "×".join(map(str, t.input_shape)),
            "bl_probe_batch": str(t.batch_size), "bl_probe_time": r(s.ratio),
            "bl_probe_time_low": r(s.low) if s.low is not None else "—",
            "bl_probe_time_high": r(s.high) if s.high is not None else "—",
            "bl_probe_mem": r(t.memory["masked_signin"]), "bl_probe_rounds": str(s.rounds)}


def values(lang: str, inputs_path: str | Path | None = None, runs_dir: str | Path | None = None) -> dict[str, str]:
    """Formatted strings for the summary page in ``lang``."""
    S = report.STRINGS[lang]
    inp = poc_inputs.load_inputs(inputs_path)
    runs = records.load_records(runs_dir or poc_inputs.RESULTS / "cpu" / "runs")
    row = own_result(runs, inp.sparsity)
    ws = poc_inputs.report_worksheet(inp, runs_dir)
    rec = report.recommend(ws, inp.sparsity)
    plan = report.poc_plan(ws, inp)
    cur = ws.deployment.currency
    money = lambda x: typography.money(x, lang, cur, S["currencies"])  # noqa: E731
    pp = typography.signed
    reported = paper.gain(inp.sparsity)
    return {
        "bl_sparsity": f"{100 * inp.sparsity:.0f}", "bl_verdict": rec.label(lang),
        "bl_headline": S["sp"].join(report.blocker_texts(rec, ws, lang)),
        "bl_gain": pp(row["gain"]) if row else "—", "bl_gain_low": pp(row["gain_ci_low"]) if row else "—",
        "bl_gain_high": pp(row["gain_ci_high"]) if row else "—", "bl_n": str(row["n"]) if row else "0",
        "bl_epochs": str(row["epochs"]) if row else "—",
        "bl_sign_in_acc": f"{row['test_acc_mean']:.1f}" if row else "—",
        "bl_paper_gain": pp(reported), "bl_paper_epochs": str(paper.PAPER["epochs"]),
        "bl_dense_cost": money(ws.dense.total_cost), "bl_poc_total": money(plan["total"]),
        "bl_poc_compute": money(plan["compute"]), "bl_poc_people": money(plan["people"]),
        "bl_poc_days": f"{plan['days']:g}", "bl_poc_weeks": str(plan["weeks"]), "bl_poc_runs": str(plan["runs"]),
        "bl_paper_time": f"{100 * paper.PAPER['extra_train_time']:.0f}",
        "bl_paper_memory": f"{paper.PAPER['param_memory_factor']:g}",
        "bl_paper_table": paper.table(lang),
        **four_arm_values(lang), **regime_values(lang), **planted_values(lang), **probe_values(lang),
    }



def glue_all(lang: str, **kw) -> dict[str, str]:
    """Glue every value for myst-nb (``{glue:text}`key```); the paper's table is displayed as HTML."""
    from myst_nb import glue  # deferred: myst-nb exists only where the book is built
    vals = values(lang, **kw)
    for key, value in vals.items():
        if key != "bl_paper_table":
            glue(key, value, display=False)
    return vals
