"""Small tables for chapters 5 and 7, each answering one question, as rows of text cells for
:func:`signin_lite.views.display.show_table` (HTML in the book, fixed width in a terminal)::

    rows = summary.summary_table(recs)
    for key, prow in summary.panels(rows).items():
        show_table(reference_tables.accuracy_table(prow), caption=reference_tables.panel_name(key))

Every table has at most six columns; the long detail (:func:`signin_lite.evidence.summary.summary_cells`) belongs in a
collapsible section. Accuracies are in percent, differences in percentage points (pp), minus signs U+2212.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from signin_lite.decision import typography
from signin_lite.evidence import arms, records, stats
from signin_lite.foundations import methods

__all__ = ["accuracy_table", "arm_table", "cost_table", "folder_table", "gain_table", "headroom_table",
           "live_table", "panel_name", "sign_flip_table", "tuning_table"]


def _pct(sparsity: float) -> str:
    return f"{100 * sparsity:g}%"


def _num(x: float | None, digits: int = 2) -> str:
    return "" if x is None else typography.minus(f"{x:.{digits}f}")


def _interval(row: Mapping) -> str:
    """'+0.23 [−1.07, +1.54]', '−0.28 (no interval)' or ''."""
    if row.get("gain") is None:
        return ""
    return typography.estimate_interval(row["gain"], row.get("gain_ci_low"), row.get("gain_ci_high"))


def panel_name(key: tuple) -> str:
    """'cpu profile, erk mask, 12 epochs, offline-jpeg' for a key of :func:`signin_lite.evidence.summary.panels`."""
    profile, mask, epochs, source = key
    return f"{profile} profile, {mask} mask, {epochs} epochs, {source}"


def folder_table(recs: Iterable[Mapping], root: str | os.PathLike) -> list[dict[str, str]]:
    """How many run records each folder below ``root`` holds."""
    counts: dict[str, int] = {}
    for r in recs:
        folder = os.path.relpath(os.path.dirname(r["path"]), root)
        counts[folder] = counts.get(folder, 0) + 1
    return [{"folder": f"results/{f}", "run records": str(n)} for f, n in sorted(counts.items())]


def accuracy_table(rows: Sequence[Mapping]) -> list[dict[str, str]]:
    """What test accuracy each method reached at each sparsity: one row per method, one column per sparsity,
    'mean ± std (n=seeds)'; dense in a column of its own. Summary rows of one panel, main role only."""
    main = [r for r in rows if r.get("role", "main") == "main"]
    sps = sorted({r["sparsity"] for r in main})
    out = []
    order = sorted(dict.fromkeys(r["method"] for r in main), key=lambda m: m != "dense")  # dense first
    for method in order:
        row = {"method": methods.label(method)}
        for sp in sps:
            got = next((r for r in main if r["method"] == method and r["sparsity"] == sp), None)
            column = "dense (0%)" if sp == 0 else _pct(sp)
            row[column] = "" if got is None else (
                f"{_num(got['test_acc_mean'])} (1 seed)" if got["test_acc_std"] is None
                else f"{_num(got['test_acc_mean'])} ± {_num(got['test_acc_std'])} (n={got['n']})")
        out.append(row)
    return out


def gain_table(rows: Sequence[Mapping], holm: bool = True) -> list[dict[str, str]]:
    """Did the treatment beat its baseline? One row per gain row (sparsity, comparison, seeds, difference with its
    95% interval, Holm-adjusted p, the reading worded for readers)."""
    out = []
    for r in (r for r in rows if r.get("gain_vs")):
        cells = {"sparsity": _pct(r["sparsity"]),
                 "comparison": f"{methods.label(r['method'])} − {methods.label(r['gain_vs'])}",
                 "seeds": str(r["n"]), "difference pp [95% CI]": _interval(r) or "n/a"}
        if holm:
            cells["Holm p"] = _num(r.get("gain_p_holm"), 3)
        cells["reading"] = stats.reading_label(r["reading"]) if r.get("reading") else ""
        out.append(cells)
    return out


def headroom_table(room: Sequence[Mapping], rows: Sequence[Mapping] | None = None) -> list[dict[str, str]]:
    """How much room there was to gain: dense minus PaI per sparsity (pp), Sign-In's gain there with its interval
    (from the summary ``rows`` when given) and the share of the room it recovered."""
    out = []
    for h in room:
        match = [r for r in rows or () if r["method"] == h["treatment"] and r.get("gain_vs") == h["baseline"]
                 and (r["profile"], r["mask"], r["epochs"], r["sparsity"]) ==
                 (h["profile"], h["mask"], h["epochs"], h["sparsity"])]
        gain = _interval(match[0]) if match else typography.signed(h["treatment_gain"], 2)
        share = (h["treatment_gain"] / h["headroom"]) if h["treatment_gain"] is not None and h["headroom"] > 0 else None
        out.append({"setting": f"{h['mask']} mask, {h['epochs']} epochs", "sparsity": _pct(h["sparsity"]),
                    "room: dense − PaI (pp)": typography.signed(h["headroom"], 2),
                    "Sign-In − PaI (pp) [95% CI]": gain,
                    "share of the room": "" if share is None else typography.minus(f"{100 * share:.0f}%")})
    return out


def sign_flip_table(rows: Sequence[Mapping], which: Sequence[str]) -> list[dict[str, str]]:
    """Sign flips summed over training (% of kept weights, mean over seeds) per sparsity, one column per method of
    ``which`` that has them; summary rows of one panel."""
    have = [m for m in which if any(r["method"] == m and r.get("sign_flips_mean") is not None for r in rows)]
    out = []
    for sp in sorted({r["sparsity"] for r in rows if r["method"] in have}):
        row = {"sparsity": _pct(sp)}
        for m in have:
            got = next((r for r in rows if r["method"] == m and r["sparsity"] == sp and r.get("role") == "main"), None)
            row[methods.label(m)] = "" if got is None or got["sign_flips_mean"] is None else \
                f"{got['sign_flips_mean']:.1f}% (n={got['n']})"
        out.append(row)
    return out


def arm_table(test: arms.ArmTest) -> list[dict[str, str]]:
    """The four-arm test's planned comparisons: difference with its paired 95% interval, Holm p within the family,
    the reading with and without Holm's adjustment."""
    out = []
    for c in test.comparisons:
        d = c.diff
        ci = (f"{typography.signed(d.estimate, 2)} [{typography.signed(d.low, 2)}, {typography.signed(d.high, 2)}]"
              if d.available else "n/a")
        out.append({"comparison": c.title(), "family": c.family, "difference pp [95% CI]": ci,
                    "Holm p": _num(d.p_adjusted, 3), "reading": stats.reading_label(c.reading),
                    "without Holm": stats.reading_label(c.reading_unadjusted)})
    return out


def tuning_table(rows: Sequence[Mapping]) -> list[dict[str, str]]:
    """Sign-In's (beta, p) candidates (:func:`signin_lite.evidence.summary.tuning_table`): validation and test
    accuracy (%), and which one the validation accuracy chose."""
    return [{"β": f"{r['beta']:g}", "period p (epochs)": f"{r['rescale_every']:g}",
             "validation acc %": _num(r["val_acc"], 1), "test acc % (not used)": _num(r["test_acc"], 1),
             "chosen": "yes" if r["chosen"] else ""} for r in rows]


def cost_table(rows: Sequence[Mapping]) -> list[dict[str, str]]:
    """Sign-In's measured cost over PaI per setting and sparsity: median epoch time and peak memory ratios."""
    out = []
    for r in rows:
        t, m = r.get("epoch_time_ratio"), r.get("peak_memory_ratio")
        out.append({"setting": f"{r['mask']} mask, {r['epochs']} epochs", "sparsity": _pct(r["sparsity"]),
                    "epoch time vs PaI": typography.ratio(t, "en"), "peak memory vs PaI": typography.ratio(m, "en")})
    return out


def live_table(recs: Sequence[Mapping]) -> list[dict[str, str]]:
    """Live runs, one row each: method, seed, epochs, final test and train accuracy (%), wall time (s)."""
    return [{"method": methods.label(r["method"]), "seed": str(r["config"]["seed"]),
             "epochs": str(r["config"]["epochs"]), "test acc %": _num(100 * r["final"]["test_acc"], 1),
             "train acc %": _num(100 * r["final"]["train_acc"], 1),
             "wall time (s)": _num(r["cost"].get("wall_time_s"), 1)} for r in records.select(recs)]
