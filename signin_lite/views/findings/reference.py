"""Chapter 7 (reference results): the values its prose glues, keys ``ch7_*``: the book-level summary of what the
records show (the four-arm test, the headroom of the CPU sweep, how beta and p were chosen, the schedule check),
and the paper's numbers beside them (only through :mod:`signin_lite.evidence.paper`)::

    findings.glue_all(reference.values(records.load_records("results")))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from signin_lite.evidence import arms, drift, paper, stats, summary
from signin_lite.views.findings import interval, percent, reading

SWEEP = {"profile": "cpu", "mask": "erk", "epochs": 12}   # the CPU sweep's main panel (the headroom lines)
TUNE_SPARSITY, TUNE_SEED = 0.9, 0


def arm_test(recs: Sequence[Mapping], profile: str = "cpu") -> arms.ArmTest | None:
    """The four-arm test of ``profile`` with the most paired seeds (None where there is none)."""
    tests = [t for t in arms.four_arm_tests(recs) if t.config["profile"] == profile]
    return max(tests, key=lambda t: len(t.seeds)) if tests else None


def _arms(test: arms.ArmTest) -> dict[str, str]:
    c = test.config
    h1, h2 = arms.comparison(test, "pai_signin", "pai"), arms.comparison(test, "pai_signin", "pai_wd2x_masked")
    h3 = arms.comparison(test, "pai_signin", "pai_signin_noreset")
    ctrl = arms.comparison(test, "pai_wd2x_masked", "pai")
    sparsity = test.arms["pai"].sparsity
    low, _ = drift.step_ratio(test.complete("pai_signin_noreset"), test.complete("pai_signin"))
    out = {"ch7_arm_n": str(len(test.seeds)), "ch7_arm_sparsity": f"{100 * sparsity:g}", "ch7_arm_mask": c["mask"],
           "ch7_arm_epochs": str(c["epochs"]), "ch7_arm_train": f"{10 * c['train_per_class']:,}",
           "ch7_arm_test": f"{test.test_size:,}",
           "ch7_h1_reading_plan": reading(h1.diff, adjusted=False), "ch7_h1_p": f"{h1.diff.p_adjusted:.3f}",
           "ch7_h3_verdict": arms.h3_reading(test, h3),
           "ch7_h3_imbalance": f"{drift.lowest_imbalance(test.complete('pai_signin'))['mean']:.2f}",
           "ch7_h3_step": percent(100 * low, 0)}
    for key, comp in (("h1", h1), ("h2", h2), ("h3", h3), ("ctrl", ctrl)):
        out[f"ch7_{key}"], out[f"ch7_{key}_reading"] = interval(comp.diff), reading(comp.diff)
    reported = paper.gain(sparsity)
    out["ch7_paper_gain"] = "not reported" if reported is None else f"{reported:+.2f}".replace("-", "\u2212")
    return out


def _headroom(rows: Sequence[Mapping]) -> dict[str, str]:
    """Dense minus PaI and Sign-In's gain (with its interval and reading) per sparsity of the sweep's main panel."""
    out: dict[str, str] = {}
    main = [h for h in summary.headroom(rows) if all(h[k] == v for k, v in SWEEP.items())]
    for h in main:
        key = f"{100 * h['sparsity']:g}"
        row = next(r for r in rows if r["method"] == "pai_signin" and r.get("gain_vs") == "pai"
                   and all(r[k] == v for k, v in SWEEP.items()) and r["sparsity"] == h["sparsity"])
        out[f"ch7_room_{key}"] = percent(h["headroom"], 1)
        out[f"ch7_room_gain_{key}"] = (f"{row['gain']:+.2f} pp [{row['gain_ci_low']:+.2f}, {row['gain_ci_high']:+.2f}]"
                                       .replace("-", "\u2212"))
        out[f"ch7_room_reading_{key}"] = summary_reading(row)
    if main:
        out["ch7_room_n"] = str(min(h["baseline_n"] for h in main))
        out["ch7_room_epochs"] = str(SWEEP["epochs"])
    return out


def summary_reading(row: Mapping) -> str:
    """A summary row's reading worded for readers (Holm over the summary table's gains)."""
    return stats.reading_label(row["reading"])


def _tuning(recs: Sequence[Mapping]) -> dict[str, str]:
    table = summary.tuning_table(recs, TUNE_SPARSITY, TUNE_SEED, profile=SWEEP["profile"])
    if not table:
        return {}
    betas = sorted({r["beta"] for r in table})
    periods = sorted({r["rescale_every"] for r in table})
    chosen = next(r for r in table if r["chosen"])
    p_note = (f"p was not varied: every candidate used p = {periods[0]:g}" if len(periods) == 1
              else f"p took the values {', '.join(f'{p:g}' for p in periods)}")
    return {"ch7_tune_betas": ", ".join(f"{b:g}" for b in betas), "ch7_tune_p_note": p_note,
            "ch7_tune_beta": f"{chosen['beta']:g}", "ch7_tune_p": f"{chosen['rescale_every']:g}",
            "ch7_tune_n": str(len(table))}


def _schedule(recs: Sequence[Mapping]) -> dict[str, str]:
    effect = summary.schedule_effect(recs)
    seeds = [r["seeds"] for r in effect if r["method"] == "pai_signin"]
    return {"ch7_convergence_seeds": ", ".join(map(str, seeds[0])) if seeds else "none yet",
            "ch7_convergence_n": str(len(seeds[0])) if seeds else "no"}


def values(recs: Sequence[Mapping]) -> dict[str, str]:
    """Every number and reading chapter 7's prose uses, from all run records ``recs`` (validated)."""
    rows = summary.summary_table(recs)
    out = {"ch7_paper_epochs": str(paper.PAPER["epochs"]), "ch7_paper_train": f"{paper.PAPER['train_size']:,}",
           "ch7_paper_mask": paper.PAPER["mask"]}
    test = arm_test(recs)
    if test is not None:
        out.update(_arms(test))
    out.update(_headroom(rows))
    out.update(_tuning(recs))
    out.update(_schedule(recs))
    return out
