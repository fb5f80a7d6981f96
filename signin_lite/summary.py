"""Results over seeds: mean ± std per group, the Sign-In gain with a Welch 95% confidence interval, the
weight-decay control, a convergence indicator, and the paper's reported numbers beside them (labelled).

    from signin_lite import records, summary
    rows = summary.summary_table(records.load_records("results"))
    print(summary.format_summary(rows))
    for row in rows:
        if row["gain_vs"]:
            print(summary.verdict(row))

A *group* is every complete record with the same configuration except the seed (and the same data source).
Groups that share everything but the method's own settings (signin, beta, period, weight decay, tag, sparsity)
form a *setting*; gains compare two groups of one setting at one sparsity. Accuracies in rows are in percent,
gains in percentage points (pp).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence

from . import poc, sweep
from .plotting import provenance

PAPER: dict = {
    "source": "reported by Gadhikar et al. 2025, CIFAR-10 ResNet-20, random mask",
    "dataset": "CIFAR-10", "model": "ResNet-20", "depth": 20, "mask": "random", "epochs": 160, "train_size": 50000,
    # test accuracy in percent, by sparsity and method (pai = pruning at initialization, pai_signin = PaI + Sign-In)
    "test_acc": {
        0.8: {"pai": 88.25, "pai_signin": 89.37},
        0.9: {"pai": 86.25, "pai_signin": 87.83},
        0.95: {"pai": 83.56, "pai_signin": 84.74},
    },
    "extra_train_time": 0.05,     # Sign-In's training time over PaI's, minus 1 (about 5%)
    "param_memory_factor": 2.0,   # parameter memory during training (m and w per weight)
}

# config fields that make one method different from another inside a setting
METHOD_FIELDS = ("seed", "signin", "beta", "beta_output", "rescale_every", "weight_decay", "tag", "sparsity")
VARIANT_FIELDS = ("beta", "beta_output", "rescale_every")  # Sign-In's own knobs: tuning runs differ only here
NAMES = {"dense": "dense", "pai": "PaI", "pai_signin": "PaI + Sign-In", "pai_wd2x": "PaI, 2x weight decay",
         "gmp": "GMP", "gmp_signin": "GMP + Sign-In"}


def paper_acc(sparsity: float, method: str) -> float | None:
    """The paper's reported test accuracy (percent) for a method at a sparsity, or None."""
    return PAPER["test_acc"].get(round(float(sparsity), 6), {}).get(method)


def paper_gain(sparsity: float, baseline: str = "pai", treatment: str = "pai_signin") -> float | None:
    """The paper's reported treatment minus baseline (pp), or None."""
    a, b = paper_acc(sparsity, treatment), paper_acc(sparsity, baseline)
    return None if a is None or b is None else round(a - b, 2)


# ------------------------------------------------------------------------------------------- grouping
def _cfg(r: Mapping) -> dict:
    c = dict(r.get("config") or {})
    if "mask" not in c and "mask_method" in c:   # the schema example's older field name
        c["mask"] = c["mask_method"]
    return c


def _freeze(d: Mapping, drop: Iterable[str]) -> tuple:
    drop = set(drop)
    return tuple(sorted((k, repr(v)) for k, v in d.items() if k not in drop))


def _source(r: Mapping) -> str | None:
    return (r.get("data") or {}).get("source")


def complete(records: Iterable[Mapping]) -> list[dict]:
    """The complete records, one per (run_id, data source): the newest when one appears twice, e.g. in two folders
    (the run_id hashes the config only, so the same config on the official files and on the JPEG copy stays two)."""
    by_id: dict[tuple, dict] = {}
    for r in records:
        if r.get("status", "complete") != "complete" or "final" not in r:
            continue
        rid = (r.get("run_id") or r.get("name") or str(id(r)), _source(r))
        if rid not in by_id or str(r.get("date", "")) > str(by_id[rid].get("date", "")):
            by_id[rid] = dict(r)
    return list(by_id.values())


def group_records(records: Iterable[Mapping]) -> dict[tuple, list[dict]]:
    """Records grouped by (method, configuration without the seed, data source), each group sorted by seed."""
    groups: dict[tuple, list[dict]] = {}
    for r in complete(records):
        key = (r.get("method"), _freeze(_cfg(r), ("seed",)), _source(r))
        groups.setdefault(key, []).append(r)
    for rs in groups.values():
        rs.sort(key=lambda r: (_cfg(r).get("seed", 0), r.get("run_id", "")))
    return groups


def _setting_key(r: Mapping) -> tuple:
    return (_freeze(_cfg(r), METHOD_FIELDS), _source(r))


# ------------------------------------------------------------------------------------------- statistics
def _pct(xs: Sequence[float | None]) -> list[float]:
    return [100.0 * x for x in xs if isinstance(x, (int, float)) and math.isfinite(x)]


def _mean_std(xs: Sequence[float]) -> tuple[float | None, float | None]:
    if not xs:
        return None, None
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else None)


def last_change(history: Sequence[Mapping], key: str = "test_acc", epochs: int = 3) -> float | None:
    """How much ``key`` moved over the last ``epochs`` epochs (pp; fewer if the run is shorter; None for one epoch).

    Near zero: the run had settled. Large: it was still improving (or falling) when it stopped.
    """
    vals = [h.get(key) for h in history if h.get(key) is not None]
    if len(vals) < 2:
        return None
    back = min(epochs, len(vals) - 1)
    return 100.0 * (vals[-1] - vals[-1 - back])


def history_mean(records: Sequence[Mapping], key: str = "test_acc") -> tuple[list[int], list[float], list[float | None]]:
    """Per epoch, the mean and std over records of ``history[i][key]`` in percent (epochs all records reached)."""
    histories = [r["history"] for r in records if r.get("history")]
    if not histories:
        return [], [], []
    n = min(len(h) for h in histories)
    epochs, means, stds = [], [], []
    for i in range(n):
        m, s = _mean_std(_pct([h[i].get(key) for h in histories]))
        if m is None:
            continue
        epochs.append(histories[0][i]["epoch"])
        means.append(m)
        stds.append(s)
    return epochs, means, stds


def _group_row(method: str, rs: list[dict]) -> dict:
    c, r0 = _cfg(rs[0]), rs[0]
    test_m, test_s = _mean_std(_pct([r["final"].get("test_acc") for r in rs]))
    train_m, _ = _mean_std(_pct([r["final"].get("train_acc") for r in rs]))
    val_m, _ = _mean_std(_pct([r["final"].get("val_acc") for r in rs]))
    changes = [x for x in (last_change(r.get("history") or []) for r in rs) if x is not None]
    flips = [100.0 * sum(h["sign_flip_fraction"] for h in r["history"]) for r in rs
             if r.get("history") and all(h.get("sign_flip_fraction") is not None for h in r["history"])]
    signin = bool(c.get("signin"))
    devices = sorted({str((r.get("env") or {}).get("device_name") or (r.get("env") or {}).get("device")) for r in rs})
    dates = sorted(str(r.get("date", ""))[:10] for r in rs)
    commits = sorted({str((r.get("env") or {}).get("git_commit"))[:7] for r in rs
                      if (r.get("env") or {}).get("git_commit")})
    return {
        "method": method, "name": NAMES.get(method, method), "profile": c.get("profile"), "mask": c.get("mask"),
        "sparsity": round(float(c.get("sparsity", 0.0)), 6), "pruning": c.get("pruning"),
        "beta": c.get("beta") if signin else None, "rescale_every": c.get("rescale_every") if signin else None,
        "weight_decay": c.get("weight_decay"), "epochs": c.get("epochs"), "depth": c.get("depth"),
        "data_source": _source(r0), "train_size": (r0.get("data") or {}).get("train_size"),
        "n": len(rs), "seeds": [_cfg(r).get("seed") for r in rs],
        "test_acc_mean": test_m, "test_acc_std": test_s, "train_acc_mean": train_m, "val_acc_mean": val_m,
        "test_change_last3": statistics.fmean(changes) if changes else None,
        "sign_flips_mean": statistics.fmean(flips) if flips else None,
        "epoch_time_s": _mean_std([x for x in (_cost(r, "epoch_time_s_median") for r in rs) if x is not None])[0],
        "peak_memory_bytes": max((x for x in (_cost(r, "peak_memory_bytes") for r in rs) if x is not None), default=None),
        "epoch_time_ratio": None, "peak_memory_ratio": None,
        "role": "main", "gain_vs": None, "gain": None, "gain_ci_low": None, "gain_ci_high": None, "gain_df": None,
        "gain_note": None,
        "paper_acc": paper_acc(c.get("sparsity", 0.0), method) if not c.get("mask") == "none" else None,
        "paper_baseline": None, "paper_treatment": None, "paper_gain": None, "paper_source": None,
        "differs_from_paper": differs_from_paper(rs[0]),
        "devices": devices, "dates": (dates[0], dates[-1]) if dates else (None, None), "commits": commits,
        "run_ids": [r.get("run_id") for r in rs], "provenance": provenance(rs),
        "_setting": _setting_key(r0),
    }


def _cost(r: Mapping, key: str) -> float | None:
    v = (r.get("cost") or {}).get(key)
    return float(v) if isinstance(v, (int, float)) else None


def differs_from_paper(record: Mapping) -> str:
    """How a run's setting differs from the paper's (empty when it matches on mask, depth, epochs and data size)."""
    c, d = _cfg(record), record.get("data") or {}
    out = []
    if c.get("mask") not in (PAPER["mask"], "none"):
        out.append(f"{c.get('mask')} mask")
    if c.get("depth") not in (None, PAPER["depth"]):
        out.append(f"ResNet-{c.get('depth')}")
    if c.get("epochs") not in (None, PAPER["epochs"]):
        out.append(f"{c.get('epochs')} epochs")
    if d.get("train_size") not in (None, PAPER["train_size"]):
        out.append(f"{d.get('train_size')} training images")
    if d.get("source") == "offline-jpeg":
        out.append("JPEG copy of CIFAR-10")
    return ", ".join(out)


def _pick_main(rows: list[dict]) -> dict:
    """Among variants of one method in one setting (e.g. Sign-In tuning runs), the one the sweep used: the most
    runs in the setting, then the best validation accuracy, then the smaller beta and period (as ``choose``)."""
    return max(rows, key=lambda r: (r["_count"], r["val_acc_mean"] if r["val_acc_mean"] is not None else -1.0,
                                    -(r["beta"] or 0.0), -(r["rescale_every"] or 0.0)))


def _attach_gain(row: dict, base: dict | None, baseline: str, level: float) -> None:
    row["gain_vs"] = baseline
    if base is None or base["test_acc_mean"] is None or row["test_acc_mean"] is None:
        row["gain_note"] = f"no {baseline} runs in this setting"
        return
    row["gain"] = row["test_acc_mean"] - base["test_acc_mean"]
    for key, ratio in (("epoch_time_s", "epoch_time_ratio"), ("peak_memory_bytes", "peak_memory_ratio")):
        if row[key] and base[key]:
            row[ratio] = row[key] / base[key]   # measured cost of the treatment over the baseline's
    ci = poc.welch_ci(row["test_acc_mean"], row["test_acc_std"], row["n"],
                      base["test_acc_mean"], base["test_acc_std"], base["n"], level)
    if ci is None:
        row["gain_note"] = f"CI unavailable: n={row['n']} vs n={base['n']} (needs at least 2 seeds on each side)"
    else:
        row["gain_ci_low"], row["gain_ci_high"], row["gain_df"] = ci.low, ci.high, ci.df


def summary_table(records: Iterable[Mapping], baseline: str = "pai", treatment: str = "pai_signin",
                  control: str | None = "pai_wd2x", level: float = 0.95) -> list[dict]:
    """One row per group (method x configuration, pooled over seeds), accuracies in percent.

    Each row: n seeds, test accuracy mean ± std, final train accuracy, ``test_change_last3`` (pp moved over
    the last 3 epochs: the convergence indicator), ``sign_flips_mean`` (per-epoch sign-flip fractions of the
    kept weights summed over training, %, mean over seeds), profile, epochs, data source, devices, provenance.
    The ``treatment`` and ``control`` rows also carry the gain over the ``baseline`` group of the same
    setting and sparsity (``gain``, pp) with its Welch t-interval (``gain_ci_low/high``; None, with
    ``gain_note``, when either side has fewer than 2 seeds). Sign-In variants that differ only in beta or
    period (tuning runs) get ``role="tuning"`` and no gain. ``paper_*`` columns hold the paper's reported
    numbers (:data:`PAPER`) for the same method and sparsity; ``differs_from_paper`` says how the setting differs.
    """
    groups = group_records(records)
    rows = [_group_row(key[0], rs) for key, rs in groups.items()]
    # Variants of one method in one setting: count each variant's runs over all sparsities, pick the main one.
    by_method: dict[tuple, list[dict]] = {}
    for row in rows:
        by_method.setdefault((row["_setting"], row["method"]), []).append(row)
    for variants in by_method.values():
        counts: dict[tuple, int] = {}
        for row in variants:
            v = (row["beta"], row["rescale_every"])
            counts[v] = counts.get(v, 0) + row["n"]
        for row in variants:
            row["_count"] = counts[(row["beta"], row["rescale_every"])]
        by_sparsity: dict[float, list[dict]] = {}
        for row in variants:
            by_sparsity.setdefault(row["sparsity"], []).append(row)
        for same in by_sparsity.values():
            main = _pick_main(same)
            for row in same:
                row["role"] = "main" if row is main else "tuning"
    mains = {(r["_setting"], r["method"], r["sparsity"]): r for r in rows if r["role"] == "main"}
    for row in rows:
        if row["role"] != "main" or row["method"] not in {treatment, control} - {None}:
            continue
        _attach_gain(row, mains.get((row["_setting"], baseline, row["sparsity"])), baseline, level)
        if row["method"] == treatment:
            row["paper_baseline"] = paper_acc(row["sparsity"], baseline)
            row["paper_treatment"] = paper_acc(row["sparsity"], treatment)
            row["paper_gain"] = paper_gain(row["sparsity"], baseline, treatment)
    for row in rows:
        if row["role"] == "tuning":
            row["paper_acc"] = None
        if row["paper_acc"] is not None or row["paper_gain"] is not None:
            row["paper_source"] = PAPER["source"]
        row.pop("_count", None)
    order = list(sweep.METHODS)
    rows.sort(key=lambda r: (str(r["profile"]), str(r["data_source"]), str(r["mask"]), r["epochs"] or 0,
                             r["sparsity"], order.index(r["method"]) if r["method"] in order else len(order),
                             str(r["method"]), r["role"] != "main", r["beta"] or 0.0, r["rescale_every"] or 0.0))
    for row in rows:
        row.pop("_setting")
    return rows


# ------------------------------------------------------------------------------------------- text
def _pm(mean: float | None, std: float | None) -> str:
    if mean is None:
        return ""
    return f"{mean:.2f} ± " + (f"{std:.2f}" if std is not None else "n/a")


def _gain_text(row: Mapping) -> str:
    if row.get("gain") is None:
        return "" if not row.get("gain_vs") else "n/a"
    if row.get("gain_ci_low") is None:
        return f"{row['gain']:+.2f} [CI n/a]"
    return f"{row['gain']:+.2f} [{row['gain_ci_low']:+.2f}, {row['gain_ci_high']:+.2f}]"


def format_summary(rows: Sequence[Mapping]) -> str:
    """A fixed-width text table: accuracies mean ± std over seeds (%), gains in pp with the 95% CI, paper columns."""
    if not rows:
        return "(no records)"
    cols = [
        ("profile", lambda r: r.get("profile")), ("data", lambda r: r.get("data_source")),
        ("mask", lambda r: r.get("mask")), ("ep", lambda r: r.get("epochs")),
        ("sparsity", lambda r: f"{r['sparsity']:g}"),
        ("method", lambda r: r["method"] + ("" if r.get("role") == "main" else " (tuning)")),
        ("beta/p", lambda r: f"{r['beta']:g}/{r['rescale_every']:g}" if r.get("beta") is not None else ""),
        ("n", lambda r: r["n"]), ("test acc %", lambda r: _pm(r["test_acc_mean"], r["test_acc_std"])),
        ("train %", lambda r: f"{r['train_acc_mean']:.1f}" if r.get("train_acc_mean") is not None else ""),
        ("Δtest last3", lambda r: "" if r.get("test_change_last3") is None
         else f"{round(r['test_change_last3'], 2) + 0.0:+.2f}"),  # + 0.0: no "-0.00"
        ("gain pp [95% CI]", _gain_text),
        ("paper %", lambda r: f"{r['paper_acc']:.2f}" if r.get("paper_acc") is not None else ""),
        ("paper gain", lambda r: f"{r['paper_gain']:+.2f}" if r.get("paper_gain") is not None else ""),
    ]
    cells = [[("" if f(r) is None else str(f(r))) for _, f in cols] for r in rows]
    widths = [max(len(name), *(len(c[i]) for c in cells)) for i, (name, _) in enumerate(cols)]
    lines = ["  ".join(name.ljust(w) for (name, _), w in zip(cols, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells]
    if any(r.get("paper_acc") is not None for r in rows):
        lines.append(f"paper columns: {PAPER['source']} ({PAPER['epochs']} epochs, full training set)")
    lines.append("gain: minus the gain_vs baseline of the same setting and sparsity; Δtest last3: test accuracy moved "
                 "over the last 3 epochs (pp)")
    return "\n".join(lines)


def verdict(row: Mapping, level: float = 0.95) -> str:
    """One sentence on a gain row that stays true whatever the numbers are: is zero inside the CI?"""
    if not row.get("gain_vs"):
        raise ValueError(f"row for {row.get('method')!r} carries no gain; pass a treatment or control row")
    what = (f"at {100 * row['sparsity']:g}% sparsity ({row['profile']} profile, {row['mask']} mask, "
            f"{row['epochs']} epochs), {NAMES.get(row['method'], row['method'])} minus "
            f"{NAMES.get(row['gain_vs'], row['gain_vs'])}")
    if row.get("gain") is None:
        return f"No comparison {what}: {row.get('gain_note')}."
    head = f"{what[0].upper()}{what[1:]} is {row['gain']:+.2f} pp"
    if row.get("gain_ci_low") is None:
        return f"{head}; {row['gain_note']}, so these runs support no claim either way."
    ci = f"the {100 * level:g}% CI [{row['gain_ci_low']:+.2f}, {row['gain_ci_high']:+.2f}] pp"
    if row["gain_ci_low"] > 0:
        return f"{head}; {ci} excludes zero: a gain at this scale."
    if row["gain_ci_high"] < 0:
        return f"{head}; {ci} excludes zero: a loss at this scale."
    return f"{head}; {ci} includes zero: these runs show no clear difference at this scale."


def tuning_table(records: Iterable[Mapping], sparsity: float, seed: int = 0, profile: str | None = None) -> list[dict]:
    """Sign-In's (beta, period) candidates at one sparsity and seed, with validation and test accuracy (%) and
    which one ``python -m signin_lite choose`` picks (by validation accuracy). Empty if there are none."""
    recs = [r for r in complete(records) if profile is None or _cfg(r).get("profile") == profile]
    recs = [r for r in recs if _cfg(r).get("pruning", "init") == "init"]
    try:
        beta, period, cands = sweep.choose_signin(recs, sparsity, seed)
    except ValueError:
        return []
    rows = [{"profile": _cfg(r).get("profile"), "mask": _cfg(r).get("mask"), "sparsity": sparsity, "seed": seed,
             "beta": _cfg(r)["beta"], "rescale_every": _cfg(r)["rescale_every"],
             "val_acc": 100 * r["final"]["val_acc"], "test_acc": 100 * r["final"]["test_acc"],
             "chosen": _cfg(r)["beta"] == beta and _cfg(r)["rescale_every"] == period} for r in cands]
    return sorted(rows, key=lambda r: (r["beta"], r["rescale_every"]))


# ------------------------------------------------------------------------------------------- schedule length
def schedule_effect(records: Iterable[Mapping]) -> list[dict]:
    """What a longer schedule changes: runs whose configurations differ only in ``epochs`` (same seed, same data),
    paired with the shortest budget of their group. Accuracies in percent, means over the shared seeds.

    One row per (method, configuration, longer budget): ``short_epochs``, ``long_epochs``, ``seeds``,
    ``short_acc``/``long_acc`` (test), ``short_train``/``long_train`` (final train accuracy), ``change`` (pp), and
    ``short_last3``/``long_last3`` (test accuracy moved over the last 3 epochs).
    """
    by_key: dict[tuple, dict[int, dict[int, Mapping]]] = {}
    for r in complete(records):
        c = _cfg(r)
        key = (r.get("method"), _freeze(c, ("seed", "epochs")), _source(r))
        by_key.setdefault(key, {}).setdefault(int(c.get("epochs") or 0), {})[c.get("seed", 0)] = r
    rows = []
    for (method, _, source), budgets in by_key.items():
        short = min(budgets)
        for long in sorted(b for b in budgets if b != short):
            seeds = sorted(set(budgets[short]) & set(budgets[long]))
            if not seeds:
                continue
            pick = lambda b, field: statistics.fmean(_pct([budgets[b][s]["final"].get(field) for s in seeds]) or [math.nan])  # noqa: E731
            last3 = lambda b: statistics.fmean([x for x in (last_change(budgets[b][s].get("history") or [])  # noqa: E731
                                                           for s in seeds) if x is not None] or [math.nan])
            c = _cfg(budgets[short][seeds[0]])
            row = {"method": method, "name": NAMES.get(method, method), "profile": c.get("profile"),
                   "mask": c.get("mask"), "sparsity": round(float(c.get("sparsity", 0.0)), 6), "data_source": source,
                   "beta": c.get("beta") if c.get("signin") else None,
                   "rescale_every": c.get("rescale_every") if c.get("signin") else None,
                   "short_epochs": short, "long_epochs": long, "seeds": seeds,
                   "short_acc": pick(short, "test_acc"), "long_acc": pick(long, "test_acc"),
                   "short_train": pick(short, "train_acc"), "long_train": pick(long, "train_acc"),
                   "short_last3": last3(short), "long_last3": last3(long)}
            row["change"] = row["long_acc"] - row["short_acc"]
            rows.append(row)
    order = list(sweep.METHODS)
    rows.sort(key=lambda r: (str(r["profile"]), str(r["mask"]), r["sparsity"], r["long_epochs"],
                             order.index(r["method"]) if r["method"] in order else len(order)))
    return rows


def format_schedule_effect(rows: Sequence[Mapping], baseline: str = "pai", treatment: str = "pai_signin") -> str:
    """Text for :func:`schedule_effect`: one line per method, then the treatment's gain at each budget."""
    if not rows:
        return "(no runs that differ only in their number of epochs)"
    lines = []
    for r in rows:
        lines.append(f"{r['profile']} {r['mask']} sparsity {r['sparsity']:g} {r['name']:<22} seeds {r['seeds']}: "
                     f"test {r['short_acc']:.2f}% after {r['short_epochs']} epochs -> {r['long_acc']:.2f}% after "
                     f"{r['long_epochs']} ({r['change']:+.2f} pp); train {r['short_train']:.1f}% -> "
                     f"{r['long_train']:.1f}%; moved over the last 3 epochs {r['short_last3']:+.2f} -> "
                     f"{r['long_last3']:+.2f} pp")
    pairs: dict[tuple, dict[str, Mapping]] = {}
    for r in rows:
        key = (r["profile"], r["mask"], r["sparsity"], r["data_source"], r["long_epochs"], tuple(r["seeds"]))
        pairs.setdefault(key, {})[r["method"]] = r
    for (profile, mask, sparsity, _, _, seeds), got in pairs.items():
        if baseline in got and treatment in got:
            b, t = got[baseline], got[treatment]
            lines.append(f"{NAMES.get(treatment, treatment)} minus {NAMES.get(baseline, baseline)} ({profile}, {mask}, "
                         f"sparsity {sparsity:g}, seeds {list(seeds)}): {t['short_acc'] - b['short_acc']:+.2f} pp "
                         f"after {b['short_epochs']} epochs, {t['long_acc'] - b['long_acc']:+.2f} pp after "
                         f"{b['long_epochs']}")
    return "\n".join(lines)


def headroom(rows: Sequence[Mapping], baseline: str = "pai") -> list[dict]:
    """Dense minus ``baseline`` (pp) per sparsity, within one setting (profile, depth, epochs, data): the most
    a fix for sparse training from scratch could recover there. Takes :func:`summary_table` rows (main role)."""
    def where(r: Mapping) -> tuple:
        return (r.get("profile"), r.get("depth"), r.get("epochs"), r.get("data_source"), r.get("train_size"))
    dense = {where(r): r for r in rows if r.get("method") == "dense" and r.get("role", "main") == "main"}
    out = []
    for r in rows:
        d = dense.get(where(r))
        if r.get("method") != baseline or r.get("role", "main") != "main" or d is None:
            continue
        if r.get("test_acc_mean") is None or d.get("test_acc_mean") is None:
            continue
        out.append({"profile": r["profile"], "mask": r["mask"], "epochs": r["epochs"], "sparsity": r["sparsity"],
                    "data_source": r["data_source"], "dense_acc": d["test_acc_mean"], "dense_n": d["n"],
                    "baseline": baseline, "baseline_acc": r["test_acc_mean"], "baseline_n": r["n"],
                    "headroom": d["test_acc_mean"] - r["test_acc_mean"]})
    return sorted(out, key=lambda h: (str(h["profile"]), h["epochs"] or 0, str(h["mask"]), h["sparsity"]))
