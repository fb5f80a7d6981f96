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

from signin_lite.evidence import arms, paper, records, summary
from signin_lite.experiments import planted
from signin_lite.decision import poc_inputs, report, report_text, second_test, timing, typography


def own_result(runs: list[dict], sparsity: float) -> dict | None:
    """The summary row of PaI + Sign-In vs PaI at ``sparsity`` on the main schedule (most dense runs)."""
    epochs = poc_inputs.main_schedule(runs)
    rows = [r for r in summary.summary_table(runs) if r["method"] == "pai_signin" and r["gain_vs"] == "pai"
            and abs(r["sparsity"] - sparsity) < 1e-6 and r["role"] == "main" and r["gain"] is not None]
    rows.sort(key=lambda r: (r["epochs"] != epochs, -r["n"]))
    return rows[0] if rows else None


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
        out.update({f"bl_arms_{key}{k}": v for k, v in typography.signed_parts(d).items()})
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
    signs = typography.signed_parts(d, 100.0)  # fraction of kept weights, in pp
    return {"bl_pl_seeds": str(ref["config"]["seeds"]), "bl_pl_transplant_loss": f"{loss['transplant']:.3f}",
            "bl_pl_pai_loss": f"{loss['pai']:.3f}", "bl_pl_signin_loss": f"{loss['signin']:.3f}",
            "bl_pl_loss_ratio": f"{loss['transplant'] / loss['pai']:.2f}",
            "bl_pl_signin_loss_ratio": f"{loss['signin'] / loss['pai']:.2f}",
            **{f"bl_pl_signs{k}": v for k, v in signs.items()},
            "bl_pl_signs_reading": report_text.reading_text(d.reading(), lang)}


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
        **four_arm_values(lang), **second_test.values(lang), **planted_values(lang), **probe_values(lang),
    }



def glue_all(lang: str, **kw) -> dict[str, str]:
    """Glue every value for myst-nb (``{glue:text}`key```); the paper's table is displayed as HTML."""
    from myst_nb import glue  # deferred: myst-nb exists only where the book is built
    vals = values(lang, **kw)
    for key, value in vals.items():
        if key != "bl_paper_table":
            glue(key, value, display=False)
    return vals
