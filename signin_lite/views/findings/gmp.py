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
    for key, rows, method in (("gmp_vs_pai", vs_pai, "gmp"), ("gmpsi_vs_gmp", vs_gmp, "gmp_signin"),
                              ("signin_vs_pai", vs_pai, "pai_signin")):
        d = _diff(rows, method, sparsity)
        out[f"ch5_{key}"] = "not measured" if d is None else interval(d)
        out[f"ch5_{key}_reading"] = "not measured" if d is None else reading(d)
    return out
