"""Chapter 1's "What we found": PaI with ERK masks against the dense network in the CPU reference sweep.

Every sparsity of the sweep's main schedule is one comparison, PaI minus dense in percentage points over the seeds
both ran (paired by seed, :func:`signin_lite.evidence.stats.compare`); the comparisons are read together as one
family (Holm's adjustment), so "a clear loss" at one sparsity already allows for looking at all of them.

    from signin_lite.views import findings
    from signin_lite.views.findings import sparse
    findings.glue_all(sparse.values("../results/cpu/runs"))
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from signin_lite.evidence import records, stats
from signin_lite.foundations import methods
from signin_lite.views import figures
from signin_lite.views.findings import interval, percent, reading

__all__ = ["comparisons", "reference", "summary_rows", "values"]

WHICH = ("dense", "pai")


def reference(runs: str | os.PathLike, epochs: int = 12) -> list[Mapping]:
    """The dense and PaI (ERK) records of the sweep's ``epochs`` schedule (one setting per point)."""
    found = records.load_records(runs) if os.path.isdir(runs) else []
    return records.select(found, method=list(WHICH), mask=["none", "erk"], epochs=epochs)


def comparisons(recs: Sequence[Mapping]) -> dict[float, stats.Difference]:
    """PaI minus dense (pp) at each sparsity, Holm-adjusted over all of them."""
    by = {(st.method, st.sparsity): st for st in records.settings(recs)}
    dense = {seed: 100 * v for seed, v in by[("dense", 0.0)].by_seed().items()}
    sparsities = sorted(sp for m, sp in by if m == "pai")
    family = [stats.compare({s: 100 * v for s, v in by[("pai", sp)].by_seed().items()}, dense) for sp in sparsities]
    return dict(zip(sparsities, stats.adjust(family), strict=True))


def _key(sparsity: float) -> str:
    return f"{100 * sparsity:.4g}".replace(".", "_")


def _clear_from(diffs: Mapping[float, stats.Difference]) -> str:
    """The lowest sparsity from which every comparison reads as a clear loss ('—' if the highest does not)."""
    out = "\u2014"
    for sp in sorted(diffs, reverse=True):
        if diffs[sp].reading() != "loss":
            break
        out = figures.percent(sp)
    return out


def values(runs: str | os.PathLike = "results/cpu/runs", epochs: int = 12, sparsity: float = 0.9) -> dict[str, str]:
    """Every number and reading chapter 1's "What we found" glues, keyed ``ch1_...``.

    Per sparsity (``80``, ``90``, ``95``, ``98``, ...): ``ch1_pai_<s>`` (mean %), ``ch1_gap_<s>`` (PaI minus dense
    with its 95% interval) and ``ch1_reading_<s>``; ``_low``/``_high`` name the sweep's lowest and highest sparsity.
    ``sparsity`` picks the point (``ch1_sparsity``) whose gap (``ch1_gap_point``, ``ch1_reading_point``), effective
    parameters and FLOPs (percent of dense: ``ch1_params_kept``, ``ch1_flops_kept``) are quoted.
    """
    recs = reference(runs, epochs)
    if not recs:
        raise ValueError(f"no dense or PaI (ERK) records of {epochs} epochs under {runs}")
    rows = {(r["method"], r["sparsity"]): r for r in figures.seed_stats(recs, which=list(WHICH))}
    dense = rows[("dense", 0.0)]
    diffs = comparisons(recs)
    first = next(iter(recs))
    out = {"ch1_depth": str(first["config"]["depth"]), "ch1_train": str(first["data"]["train_size"]),
           "ch1_epochs": str(epochs), "ch1_seeds": str(dense["n"]), "ch1_dense": percent(100 * dense["mean"], 2),
           "ch1_n_sparsities": str(len(diffs)), "ch1_clear_from": _clear_from(diffs),
           "ch1_level": f"{100 * next(iter(diffs.values())).level:g}%"}
    for sp, d in diffs.items():
        out |= {f"ch1_pai_{_key(sp)}": percent(100 * rows[("pai", sp)]["mean"], 2),
                f"ch1_gap_{_key(sp)}": interval(d), f"ch1_reading_{_key(sp)}": reading(d)}
    for end, sp in (("low", min(diffs)), ("high", max(diffs))):
        out |= {f"ch1_sparsity_{end}": figures.percent(sp), f"ch1_gap_{end}": interval(diffs[sp]),
                f"ch1_reading_{end}": reading(diffs[sp])}
    point = rows[("pai", sparsity)]
    counts = records.select(recs, method="pai", sparsity=sparsity)[0]["counts"]
    out |= {"ch1_sparsity": figures.percent(sparsity), "ch1_gap_point": interval(diffs[sparsity]),
            "ch1_reading_point": reading(diffs[sparsity]),
            "ch1_params_kept": percent(100 * point["params_effective"] / counts["params_dense"]),
            "ch1_flops_kept": percent(100 * point["flops_effective"] / counts["flops_dense"])}
    return out


def summary_rows(recs: Sequence[Mapping]) -> list[dict]:
    """Mean ± std over seeds and the effective cost of each point of the reference figure, for an HTML table."""
    return [{"method": methods.label(r["method"]), "sparsity": figures.percent(r["sparsity"]), "seeds": r["n"],
             "test acc (%)": f"{100 * r['mean']:.2f} ± {100 * (r['std'] or 0):.2f}",
             "params (effective)": figures.thousands(r["params_effective"]),
             "FLOPs (effective)": figures.thousands(r["flops_effective"])}
            for r in figures.seed_stats(recs, which=list(WHICH))]
