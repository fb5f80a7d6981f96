"""Chapter 2's "What we found": the lottery tickets (IMP, LRR), the sign experiment and why the tickets end above
the dense run, from the CPU reference records (``results/cpu/lottery`` and the sweep's ``results/cpu/runs``).

The tickets, the transplants and the dense run they started from have one seed each, so every comparison between
them is a single difference without an interval (the statistics layer reads it as "too few seeds to tell"); PaI has
the sweep's seeds.

    from signin_lite.views import findings
    from signin_lite.views.findings import lottery
    findings.glue_all(lottery.values("../results/cpu/lottery", "../results/cpu/runs"))
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from signin_lite.evidence import records, stats
from signin_lite.foundations import methods
from signin_lite.views import figures
from signin_lite.views.findings import interval, percent, reading

__all__ = ["ORDER", "accuracy_rows", "at_sparsity", "sign_lines", "values"]

ORDER = ("dense", "lrr", "imp", "transplant_signs", "transplant_magnitudes", "transplant_mask", "pai")
TRANSPLANTS = ("transplant_signs", "transplant_magnitudes", "transplant_mask")


def _load(where: str | os.PathLike) -> list[dict]:
    return records.load_records(where) if os.path.isdir(where) else []


def at_sparsity(lottery: str | os.PathLike, runs: str | os.PathLike, sparsity: float = 0.9) -> list[Mapping]:
    """The tickets' final rounds, the transplants, the dense run the tickets started from and PaI (ERK, the
    tickets' schedule) at ``sparsity``: the records behind the chapter's bars and its summary table."""
    found = _load(lottery)
    if not found:
        return []
    sweep = _load(runs)
    dense = _dense_of(found, sweep)
    pai = records.select(sweep, method="pai", mask="erk", epochs=dense["config"]["epochs"])
    return figures.at_sparsity(found + [dense] + pai, sparsity)


def _dense_of(found: Sequence[Mapping], sweep: Sequence[Mapping]) -> Mapping:
    """The dense run (round 0) the tickets were pruned from, as their records name it."""
    names = {r["lottery"]["dense_run"] for r in found if "lottery" in r}
    if len(names) != 1:
        raise ValueError(f"the tickets name {len(names)} dense runs: {sorted(names)}")
    (name,) = names
    return next(r for r in sweep if r["name"] == name)


def _longer_dense(dense: Mapping, sweep: Sequence[Mapping]) -> Mapping | None:
    """The dense run with the same seed and the most epochs beyond ``dense``'s, if the sweep has one."""
    longer = [r for r in records.select(sweep, method="dense", seed=dense["config"]["seed"])
              if r["config"]["epochs"] > dense["config"]["epochs"]]
    return max(longer, key=lambda r: r["config"]["epochs"], default=None)


def _diff(rows: Mapping[str, dict], a: str, b: str) -> stats.Difference:
    """``a`` minus ``b`` in pp, paired where the seeds match (one seed each: no interval)."""
    seeds = {m: dict(zip(rows[m]["seeds"], (100 * v for v in rows[m]["values"]), strict=True)) for m in (a, b)}
    return stats.compare(seeds[a], seeds[b])


def _closed(rows: Mapping[str, dict], method: str) -> str:
    """The share of the gap between the mask-only start and the LRR ticket that ``method``'s start closes."""
    gap = rows["lrr"]["mean"] - rows["transplant_mask"]["mean"]
    return percent(100 * (rows[method]["mean"] - rows["transplant_mask"]["mean"]) / gap, 0) if gap > 0 else "\u2014"


def _training_values(found: Sequence[Mapping], dense: Mapping, sweep: Sequence[Mapping]) -> dict[str, str]:
    """How much training a ticket got against the dense run, and how far the dense run was from converged."""
    lrr = sorted(records.select(found, method="lrr"), key=lambda r: r["lottery"]["round"])
    imp_final = records.select(found, method="imp", lottery_final=True)[0]
    epochs = dense["config"]["epochs"]
    total = epochs + sum(r["config"]["epochs"] for r in lrr)
    out = {"ch2_dense_epochs": str(epochs), "ch2_round_epochs": str(lrr[-1]["config"]["epochs"]),
           "ch2_rounds": str(len(lrr)), "ch2_total_epochs": str(total),
           "ch2_total_ratio": f"{total / epochs:g}",
           "ch2_rewind_epoch": str(imp_final["lottery"]["rewind_epoch"]),
           "ch2_imp_weight_epochs": str(imp_final["lottery"]["rewind_epoch"] + imp_final["config"]["epochs"]),
           "ch2_dense_train": percent(100 * dense["final"]["train_acc"]),
           "ch2_lrr_train": percent(100 * lrr[-1]["final"]["train_acc"])}
    longer = _longer_dense(dense, sweep)
    if longer is not None:
        d = stats.compare({0: 100 * longer["final"]["test_acc"]}, {0: 100 * dense["final"]["test_acc"]})
        out |= {"ch2_dense_long_epochs": str(longer["config"]["epochs"]),
                "ch2_dense_long": percent(100 * longer["final"]["test_acc"], 2),
                "ch2_dense_long_gain": interval(d), "ch2_dense_long_points": percent(abs(d.estimate), 2)}
    return out


def values(lottery: str | os.PathLike = "results/cpu/lottery", runs: str | os.PathLike = "results/cpu/runs",
           sparsity: float = 0.9) -> dict[str, str]:
    """Every number and reading chapter 2's prose glues, keyed ``ch2_...``: accuracies at the ticket's sparsity
    (``ch2_dense``, ``ch2_lrr``, ``ch2_imp``, ``ch2_pai``, the three transplants), the differences that matter with
    their readings (``ch2_<a>_vs_<b>``, ``..._reading``, and ``..._points``: the size alone, for prose that says
    the direction in words), the share of the ticket's lead the signs and the magnitudes recover, and the training
    budgets behind the tickets' lead over the dense run."""
    found, sweep = _load(lottery), _load(runs)
    if not found:
        raise ValueError(f"no lottery records under {lottery}")
    dense = _dense_of(found, sweep)
    rows = {r["method"]: r for r in figures.seed_stats(at_sparsity(lottery, runs, sparsity), which=list(ORDER))}
    out = {f"ch2_{m.removeprefix('transplant_')}": percent(100 * r["mean"], 2) for m, r in rows.items()}
    out |= {"ch2_sparsity": figures.percent(sparsity), "ch2_pai_n": str(rows["pai"]["n"]),
            "ch2_pai_std": percent(100 * rows["pai"]["std"], 2) if rows["pai"]["std"] else "\u2014",
            "ch2_train": str(dense["data"]["train_size"]),
            "ch2_signs_closed": _closed(rows, "transplant_signs"),
            "ch2_magnitudes_closed": _closed(rows, "transplant_magnitudes")}
    for a, b, key in (("lrr", "dense", "lrr_vs_dense"), ("imp", "dense", "imp_vs_dense"),
                      ("lrr", "pai", "lrr_vs_pai"), ("imp", "pai", "imp_vs_pai"),
                      ("transplant_signs", "transplant_mask", "signs_vs_mask"),
                      ("lrr", "transplant_mask", "lrr_vs_mask")):
        d = _diff(rows, a, b)
        out |= {f"ch2_{key}": interval(d), f"ch2_{key}_reading": reading(d),
                f"ch2_{key}_points": percent(abs(d.estimate), 2)}
    return out | _training_values(found, dense, sweep)


def sign_lines(lottery: str | os.PathLike, runs: str | os.PathLike, sparsity: float = 0.9) -> list[str]:
    """The sign experiment in sentences: the ticket's lead over its mask alone and how much of it each start keeps
    (a start below the mask alone is said to fall that many points below it, not to close a negative share)."""
    v = values(lottery, runs, sparsity)
    return [f"LRR ticket minus the mask-only start: {v['ch2_lrr_vs_mask']}",
            *(f"{methods.label('transplant_' + k)}: {v['ch2_' + k]}%, {_gap_words(v, k)}"
              for k in ("signs", "magnitudes"))]


def _gap_words(v: Mapping[str, str], key: str) -> str:
    """'closes N% of that gap', or 'falls N points below the mask alone' when the start is below the mask."""
    below = float(v["ch2_mask"]) - float(v[f"ch2_{key}"])
    if below > 0:
        return f"falls {percent(below, 2)} points below the mask alone"
    return f"closes {v[f'ch2_{key}_closed']}% of that gap"


def accuracy_rows(recs: Sequence[Mapping]) -> list[dict]:
    """Mean (and std where there are seeds) of every method at the ticket's sparsity, for an HTML table."""
    return [{"method": methods.label(r["method"]), "sparsity": figures.percent(r["sparsity"]), "seeds": r["n"],
             "test acc (%)": f"{100 * r['mean']:.2f}", "std (pp)": f"{100 * r['std']:.2f}" if r["std"] else "\u2014",
             "params (effective)": figures.thousands(r["params_effective"])}
            for r in figures.seed_stats(recs, which=list(ORDER))]
