"""Chapter 5 (dense-to-sparse training): the values its "What we found" section glues, keys ``ch5_*``.

Read from the reference records of the CPU sweep's main schedule (tuning variants dropped, as the chapter's
section 4 does); the compute proxy (the mean fraction of weights GMP trains with) from the schedule itself::

    findings.glue_all(gmp.values(records.load_records("results/cpu/runs")))
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping

from signin_lite.evidence import records, stats, summary
from signin_lite.foundations import config
from signin_lite.training import recipe
from signin_lite.views.findings import interval, percent, reading

METHODS = ("pai", "pai_signin", "gmp", "gmp_signin")


def weight_fraction(profile: str, sparsity: float) -> float:
    """The mean fraction of weights present while GMP trains in ``profile`` (the sparsity set at the end of epoch
    e holds during epoch e + 1): the chapter's compute proxy; PaI's is ``1 - sparsity``."""
    cfg = config.make_config(profile, pruning="gmp", sparsity=sparsity)
    return statistics.fmean(1 - recipe.gmp_sparsity(e / cfg.epochs, sparsity, cfg.gmp_start, cfg.gmp_end)
                            for e in range(cfg.epochs))


def _diff(rows: list[dict], method: str, sparsity: float) -> stats.Difference | None:
    """The gain row of ``method`` at ``sparsity`` as a Difference with its Holm-adjusted p (None if absent)."""
    row = next((r for r in rows if r["method"] == method and r["sparsity"] == sparsity and r["gain_vs"]), None)
    if row is None or row["gain"] is None:
        return None
    low, high = row["gain_ci_low"], row["gain_ci_high"]
    base = next(r for r in rows if r["method"] == row["gain_vs"] and r["sparsity"] == sparsity)
    return stats.Difference(row["gain"], low, high, row["gain_p"], row["gain_df"],
                            row["gain_kind"], row["n"], base["n"], p_adjusted=row["gain_p_holm"])


def _seeds(n: int) -> str:
    return f"{n} seed" + ("" if n == 1 else "s")


def _final_mask_epochs(r: Mapping) -> list[Mapping]:
    """The epochs of record ``r`` trained on its final mask: those that began at the final sparsity (GMP: after its
    last pruning step; PaI: every epoch)."""
    final = r["config"]["sparsity"]
    start = 0.0 if r["config"]["pruning"] == "gmp" else final
    before = [start] + [h["sparsity"] for h in r["history"][:-1]]
    return [h for h, s in zip(r["history"], before, strict=True) if abs(s - final) < 1e-3]


def flips(recs: Iterable[Mapping], method: str, sparsity: float) -> tuple[float | None, float | None, int]:
    """Mean over ``method``'s records at ``sparsity``: the flip fractions summed over training and over the
    epochs on the final mask (both in %; the latter None where a run has no such epoch), and the fewest such
    epochs; (None, None, 0) without records."""
    rs = [r for r in recs if r["method"] == method and r["config"]["sparsity"] == sparsity
          and all(h.get("sign_flip_fraction") is not None for h in r["history"])]
    if not rs:
        return None, None, 0
    fixed = [_final_mask_epochs(r) for r in rs]
    total = statistics.fmean(100 * sum(h["sign_flip_fraction"] for h in r["history"]) for r in rs)
    steady = (statistics.fmean(100 * sum(h["sign_flip_fraction"] for h in f) for f in fixed)
              if all(fixed) else None)  # no epoch on the final mask: nothing to sum, not a zero
    return total, steady, min(len(f) for f in fixed)


def values(recs: Iterable[Mapping], epochs: int = 12, sparsity: float = 0.9) -> dict[str, str]:
    """Every number and reading of chapter 5's "What we found", from the reference records ``recs`` on the
    ``epochs`` schedule at ``sparsity`` (the chapter's live sparsity)."""
    ref = records.select(summary.main_records(recs), method=[*METHODS, "dense"], epochs=epochs)
    vs_pai = summary.summary_table(ref, baseline="pai", treatment="gmp", control=["gmp_signin", "pai_signin"])
    vs_gmp = summary.summary_table(ref, baseline="gmp", treatment="gmp_signin", control=None)
    n = {r["method"]: r["n"] for r in vs_pai if r["sparsity"] == sparsity}
    out = {"ch5_epochs": str(epochs), "ch5_sparsity": f"{100 * sparsity:g}",
           "ch5_gmp_seeds": _seeds(n.get("gmp", 0)), "ch5_pai_seeds": _seeds(n.get("pai", 0)),
           "ch5_gmp_weights": percent(100 * weight_fraction("cpu", sparsity), 0),
           "ch5_pai_weights": percent(100 * (1 - sparsity), 0),
           "ch5_gpu_epochs": str(config.make_config("gpu").epochs)}
    for method in ("gmp", "gmp_signin", "pai"):
        total, steady, n_fixed = flips(ref, method, sparsity)
        out[f"ch5_{method}_flips"] = percent(total)
        out[f"ch5_{method}_flips_final"] = percent(steady)
        out[f"ch5_{method}_final_epochs"] = str(n_fixed)
    for key, rows, method in (("gmp_vs_pai", vs_pai, "gmp"), ("gmpsi_vs_gmp", vs_gmp, "gmp_signin"),
                              ("signin_vs_pai", vs_pai, "pai_signin")):
        d = _diff(rows, method, sparsity)
        out[f"ch5_{key}"] = "not measured" if d is None else interval(d)
        out[f"ch5_{key}_reading"] = "not measured" if d is None else reading(d)
    return out
