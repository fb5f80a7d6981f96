"""Results over seeds: mean ± std per setting, the Sign-In gain with a 95% interval (paired by seed where the seeds
pair), the weight-decay control, a convergence indicator, and the paper's reported numbers beside them (labelled).

    from signin_lite.evidence import records, summary
    rows = summary.summary_table(records.load_records("results"))
    print(summary.format_summary(rows))
    for row in rows:
        if row["gain_vs"]:
            print(summary.finding(row))

A *setting* is every complete record with the same configuration except the seed (and the same data source), as
:func:`signin_lite.evidence.records.settings` groups them. Gains compare two settings that differ only in the method's
own fields (signin, beta, period, weight decay, tag) at one sparsity, with :mod:`signin_lite.evidence.stats`. Accuracies
in rows are in percent, gains in percentage points (pp).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from signin_lite.evidence import paper, records, stats
from signin_lite.foundations import methods


# config fields that make one method different from another inside a comparison (with the method itself)
METHOD_FIELDS = ("seed", "signin", "beta", "beta_output", "rescale_every", "weight_decay", "weight_decay_masked_factor",
                 "tag", "sparsity", "pruning", "step_match_every")





def comparison_key(s: records.Setting) -> tuple:
    """What two settings must share to be compared: everything but the method's own fields."""
    return (s.data_source, tuple(sorted((k, repr(v)) for k, v in s.config.items() if k not in METHOD_FIELDS)))


# ------------------------------------------------------------------------------------------- statistics
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


def _pooled(entry: Mapping, key: str) -> float | None:
    """``entry[key]``, or its pooled ``"_all"`` value where it is a per-layer dict (``sign_alignment``)."""
    value = entry.get(key)
    return value.get("_all") if isinstance(value, Mapping) else value


def history_mean(setting: records.Setting, key: str = "test_acc") -> tuple[list[int], list[float], list[float | None]]:
    """Per epoch, mean and std over a setting's runs of ``history[i][key]`` in percent (of a per-layer dict such as
    ``sign_alignment``, its pooled ``"_all"`` value)."""
    histories = [r["history"] for r in setting.records]
    n = min(len(h) for h in histories)
    epochs, means, stds = [], [], []
    for i in range(n):
        m, s = _mean_std([100.0 * v for h in histories if (v := _pooled(h[i], key)) is not None])
        if m is None:
            continue
        epochs.append(histories[0][i]["epoch"])
        means.append(m)
        stds.append(s)
    return epochs, means, stds


def _cost_values(s: records.Setting, key: str) -> list[float]:
    return [float(r["cost"][key]) for r in s.records if isinstance(r["cost"].get(key), (int, float))]


def _group_row(s: records.Setting) -> dict:
    c, rs = s.config, s.records
    test_m, test_s = _mean_std([100 * v for v in s.values("test_acc")])
    changes = [x for x in (last_change(r["history"]) for r in rs) if x is not None]
    flips = [100.0 * sum(h["sign_flip_fraction"] for h in r["history"]) for r in rs
             if all(h.get("sign_flip_fraction") is not None for h in r["history"])]
    signin, mems = bool(c.get("signin")), _cost_values(s, "peak_memory_bytes")
    vals = [r["final"].get("val_acc") for r in rs]
    return {
        "method": s.method, "name": methods.label(s.method), "profile": c["profile"], "mask": c["mask"],
        "sparsity": s.sparsity, "pruning": c["pruning"],
        "beta": c["beta"] if signin else None, "rescale_every": c["rescale_every"] if signin else None,
        "weight_decay": c["weight_decay"], "epochs": c["epochs"], "depth": c["depth"],
        "data_source": s.data_source, "train_size": rs[0]["data"]["train_size"],
        "test_size": rs[0]["data"]["test_size"],
        "n": s.n, "seeds": s.seeds, "test_acc_mean": test_m, "test_acc_std": test_s,
        "train_acc_mean": _mean_std([100 * v for v in s.values("train_acc")])[0],
        "val_acc_mean": None if None in vals else _mean_std([100 * v for v in vals])[0],
        "test_change_last3": statistics.fmean(changes) if changes else None,
        "sign_flips_mean": statistics.fmean(flips) if flips else None,
        "epoch_time_s": _mean_std(_cost_values(s, "epoch_time_s_median"))[0],
        "peak_memory_bytes": max(mems) if mems else None, "epoch_time_ratio": None, "peak_memory_ratio": None,
        "role": "main", "gain_vs": None, "gain": None, "gain_ci_low": None, "gain_ci_high": None, "gain_df": None,
        "gain_kind": None, "gain_p": None, "gain_p_holm": None, "reading": None, "gain_note": None,
        "paper_acc": paper.acc(s.sparsity, s.method) if c["mask"] != "none" else None,
        "paper_baseline": None, "paper_treatment": None, "paper_gain": None, "paper_source": None,
        "differs_from_paper": paper.differs(rs[0]),
        "devices": sorted({r["env"]["device_name"] for r in rs}),
        "dates": (min(r["date"][:10] for r in rs), max(r["date"][:10] for r in rs)),
        "commits": sorted({str(r["env"]["git_commit"])[:7] for r in rs if r["env"].get("git_commit")}),
        "run_ids": [r["run_id"] for r in rs], "provenance": records.provenance(list(rs)),
        "_setting": s, "_key": comparison_key(s),
    }



def main_settings(recs: Iterable[Mapping]) -> list[records.Setting]:
    """The settings of ``recs`` without Sign-In tuning variants (those :func:`summary_table` marks "tuning")."""
    rows = [_group_row(s) for s in records.settings(recs)]
    _mark_tuning(rows)
    return [r["_setting"] for r in rows if r["role"] == "main"]


def main_records(recs: Iterable[Mapping]) -> list[Mapping]:
    """The records of :func:`main_settings` (tuning variants dropped), for figures that take records."""
    return [r for st in main_settings(recs) for r in st.records]


def _mark_tuning(rows: list[dict]) -> None:
    """Among variants of one method in one comparison (e.g. Sign-In tuning runs at one sparsity), keep as "main" the
    one the sweep used: the most runs over all sparsities, then the best validation accuracy, then smaller beta/p."""
    by_method: dict[tuple, list[dict]] = {}
    for row in rows:
        by_method.setdefault((row["_key"], row["method"]), []).append(row)
    for variants in by_method.values():
        counts: dict[tuple, int] = {}
        for row in variants:
            counts[(row["beta"], row["rescale_every"])] = counts.get((row["beta"], row["rescale_every"]), 0) + row["n"]
        by_sparsity: dict[float, list[dict]] = {}
        for row in variants:
            by_sparsity.setdefault(row["sparsity"], []).append(row)
        for same in by_sparsity.values():
            main = max(same, key=lambda r: (counts[(r["beta"], r["rescale_every"])],
                                            r["val_acc_mean"] if r["val_acc_mean"] is not None else -1.0,
                                            -(r["beta"] or 0.0), -(r["rescale_every"] or 0.0)))
            for row in same:
                row["role"] = "main" if row is main else "tuning"


def _attach_gain(row: dict, base: dict | None, baseline: str, level: float) -> None:
    row["gain_vs"] = baseline
    if base is None:
        row["gain_note"] = f"no {baseline} runs in this setting"
        return
    for key, ratio in (("epoch_time_s", "epoch_time_ratio"), ("peak_memory_bytes", "peak_memory_ratio")):
        if row[key] and base[key]:
            row[ratio] = row[key] / base[key]   # measured cost of the treatment over the baseline's
    pct = lambda s: {k: 100 * v for k, v in s.by_seed().items()}  # noqa: E731
    d = stats.compare(pct(row["_setting"]), pct(base["_setting"]), level)
    row.update(gain=d.estimate, gain_ci_low=d.low, gain_ci_high=d.high, gain_df=d.df, gain_kind=d.kind,
               gain_p=d.p, _diff=d)
    if not d.available:
        row["gain_note"] = f"interval unavailable: n={d.n_treatment} vs n={d.n_baseline} (needs 2 seeds on each side)"


def _adjust_family(rows: list[dict]) -> None:
    """Holm over every gain shown together; each row gets its adjusted p and its reading (stats module's rule)."""
    family = [r for r in rows if "_diff" in r]
    for row, d in zip(family, stats.adjust([r["_diff"] for r in family]), strict=True):
        row.update(gain_p_holm=d.p_adjusted, reading=d.reading())


CONTROLS = ("pai_wd2x", "pai_wd2x_masked", "pai_signin_noreset")  # compared with PaI beside Sign-In


def summary_table(recs: Iterable[Mapping], baseline: str = "pai", treatment: str = "pai_signin",
                  control: str | Sequence[str] | None = CONTROLS, level: float = 0.95) -> list[dict]:
    """One row per setting (:func:`signin_lite.evidence.records.settings`), accuracies in percent.

    Each row: n seeds, test accuracy mean ± std, final train accuracy, ``test_change_last3`` (pp moved over the
    last 3 epochs), ``sign_flips_mean`` (per-epoch flip fractions summed over training, %), provenance. The
    ``treatment`` and ``control`` rows carry their gain over the ``baseline`` setting that differs only in the
    method's own fields (``gain`` pp; ``gain_ci_low/high`` from :func:`signin_lite.evidence.stats.compare`: paired by
    seed where the seeds pair, else Welch; ``gain_kind`` says which), the Holm-adjusted p over all gains in the table
    (``gain_p_holm``) and the ``reading`` (gain, loss, borderline, no clear difference, unavailable). Sign-In
    variants that differ only in beta or period get ``role="tuning"`` and no gain. ``paper_*`` columns hold the
    paper's numbers (:data:`paper.PAPER`).
    """
    rows = [_group_row(s) for s in records.settings(recs)]
    _mark_tuning(rows)
    controls = {control} if isinstance(control, str) else set(control or ())
    mains = {(r["_key"], r["method"], r["sparsity"]): r for r in rows if r["role"] == "main"}
    for row in rows:
        if row["role"] == "main" and row["method"] in {treatment} | controls:
            _attach_gain(row, mains.get((row["_key"], baseline, row["sparsity"])), baseline, level)
            if row["method"] == treatment:
                row.update(paper_baseline=paper.acc(row["sparsity"], baseline),
                           paper_treatment=paper.acc(row["sparsity"], treatment),
                           paper_gain=paper.gain(row["sparsity"], baseline, treatment))
    _adjust_family(rows)
    for row in rows:
        if row["role"] == "tuning":
            row["paper_acc"] = None
        if row["paper_acc"] is not None or row["paper_gain"] is not None:
            row["paper_source"] = paper.PAPER["source"]
    rows.sort(key=lambda r: (str(r["profile"]), str(r["data_source"]), str(r["mask"]), r["epochs"], r["sparsity"],
                             methods.order(r["method"]), r["role"] != "main", r["beta"] or 0.0,
                             r["rescale_every"] or 0.0))
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]


# ------------------------------------------------------------------------------------------- text
def _pm(mean: float | None, std: float | None) -> str:
    if mean is None:
        return ""
    return f"{mean:.2f} (1 seed)" if std is None else f"{mean:.2f} ± {std:.2f}"


def mean_std_text(xs: Sequence[float]) -> str:
    """'61.32 ± 0.49' (mean ± sample std), '61.32 (1 seed)' for one value, '' for none: the summary table's format."""
    return _pm(*_mean_std(xs))


def _gain_text(row: Mapping) -> str:
    if row.get("gain") is None:
        return "" if not row.get("gain_vs") else "n/a"
    if row.get("gain_ci_low") is None:
        return f"{row['gain']:+.2f} [n/a]"
    return f"{row['gain']:+.2f} [{row['gain_ci_low']:+.2f}, {row['gain_ci_high']:+.2f}]"


_COLUMNS = [
    ("profile", lambda r: r.get("profile")), ("data", lambda r: r.get("data_source")),
    ("mask", lambda r: r.get("mask")), ("ep", lambda r: r.get("epochs")),
    ("sparsity", lambda r: f"{r['sparsity']:g}"),
    ("method", lambda r: r["method"] + ("" if r.get("role") == "main" else " (tuning)")),
    ("beta/p", lambda r: f"{r['beta']:g}/{r['rescale_every']:g}" if r.get("beta") is not None else ""),
    ("n", lambda r: r["n"]), ("test acc %", lambda r: _pm(r["test_acc_mean"], r["test_acc_std"])),
    ("train %", lambda r: f"{r['train_acc_mean']:.1f}" if r.get("train_acc_mean") is not None else ""),
    ("Δtest last3", lambda r: "" if r.get("test_change_last3") is None
     else f"{round(r['test_change_last3'], 2) + 0.0:+.2f}"),  # + 0.0: no "-0.00"
    ("gain pp [95% CI]", _gain_text), ("interval", lambda r: r.get("gain_kind") or ""),
    ("reading", lambda r: r.get("reading") or ""),
    ("paper %", lambda r: f"{r['paper_acc']:.2f}" if r.get("paper_acc") is not None else ""),
    ("paper gain", lambda r: f"{r['paper_gain']:+.2f}" if r.get("paper_gain") is not None else ""),
]
SUMMARY_NOTE = ("gain: minus the gain_vs baseline of the same setting and sparsity; reading: Holm-adjusted over the "
                "gains in this table (signin_lite.evidence.stats); Δtest last3: test accuracy moved over the last 3 "
                "epochs (pp)")


def summary_cells(rows: Sequence[Mapping]) -> list[dict[str, str]]:
    """The rows of :func:`summary_table` as formatted text cells (for ``display.show_table`` or a text table)."""
    return [{name: "" if f(r) is None else str(f(r)) for name, f in _COLUMNS} for r in rows]


def format_summary(rows: Sequence[Mapping]) -> str:
    """A fixed-width text table: accuracies mean ± std over seeds (%), gains in pp with the 95% CI, paper columns."""
    if not rows:
        return "(no records)"
    cells = summary_cells(rows)
    names = [name for name, _ in _COLUMNS]
    widths = [max(len(name), *(len(c[name]) for c in cells)) for name in names]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c[n].ljust(w) for n, w in zip(names, widths, strict=True)) for c in cells]
    if any(r.get("paper_acc") is not None for r in rows):
        lines.append(f"paper columns: {paper.PAPER['source']} ({paper.PAPER['epochs']} epochs, full training set)")
    lines.append(SUMMARY_NOTE)
    return "\n".join(lines)


def finding(row: Mapping) -> str:
    """One sentence on a gain row that stays true whatever the numbers are (the stats module's reading rule)."""
    if not row.get("gain_vs"):
        raise ValueError(f"row for {row.get('method')!r} carries no gain; pass a treatment or control row")
    what = (f"at {100 * row['sparsity']:g}% sparsity ({row['profile']} profile, {row['mask']} mask, "
            f"{row['epochs']} epochs), {methods.label(row['method'])} minus {methods.label(row['gain_vs'])}")
    if row.get("gain") is None:
        return f"No comparison {what}: {row.get('gain_note')}."
    head = f"{what[0].upper()}{what[1:]} is {row['gain']:+.2f} pp"
    if row.get("gain_ci_low") is None:
        return f"{head}; {row['gain_note']}, so these runs support no claim either way."
    ci = f"the 95% {row['gain_kind']} interval [{row['gain_ci_low']:+.2f}, {row['gain_ci_high']:+.2f}] pp"
    p = f"Holm-adjusted p = {row['gain_p_holm']:.3f}" if row.get("gain_p_holm") is not None else ""
    tail = {"gain": f"excludes zero ({p}): a gain at this scale",
            "loss": f"excludes zero ({p}): a loss at this scale",
            "borderline": f"excludes zero, but not after adjusting for the other intervals ({p}): borderline, "
                          "not a finding",
            "no clear difference": "includes zero: these runs show no clear difference at this scale"}
    return f"{head}; {ci} {tail[row['reading']]}."


def tuning_table(recs: Iterable[Mapping], sparsity: float, seed: int = 0, profile: str | None = None) -> list[dict]:
    """Sign-In's (beta, period) candidates at one sparsity and seed, with validation and test accuracy (%) and
    which one ``python -m signin_lite choose`` picks (by validation accuracy). Empty if there are none."""
    crit = {"pruning": "init", **({"profile": profile} if profile else {})}
    try:
        beta, period, cands = choose_signin(records.select(recs, **crit), sparsity, seed)
    except ValueError:
        return []
    rows = [{"profile": r["config"]["profile"], "mask": r["config"]["mask"], "sparsity": sparsity, "seed": seed,
             "beta": r["config"]["beta"], "rescale_every": r["config"]["rescale_every"],
             "val_acc": 100 * r["final"]["val_acc"], "test_acc": 100 * r["final"]["test_acc"],
             "chosen": (r["config"]["beta"], r["config"]["rescale_every"]) == (beta, period)} for r in cands]
    return sorted(rows, key=lambda r: (r["beta"], r["rescale_every"]))


# ------------------------------------------------------------------------------------------- schedule length
def _budget_row(short: records.Setting, long: records.Setting) -> dict | None:
    seeds = sorted(set(short.seeds) & set(long.seeds))
    if not seeds:
        return None
    mean = lambda s, metric: statistics.fmean(100 * s.by_seed(metric)[x] for x in seeds)  # noqa: E731
    last3 = lambda s: statistics.fmean(x for x in (last_change(r["history"]) for r in s.records  # noqa: E731
                                                   if r["config"]["seed"] in seeds) if x is not None)
    c = short.config
    row = {"method": short.method, "name": methods.label(short.method), "profile": c["profile"], "mask": c["mask"],
           "sparsity": short.sparsity, "data_source": short.data_source,
           "beta": c["beta"] if c["signin"] else None, "rescale_every": c["rescale_every"] if c["signin"] else None,
           "short_epochs": short["epochs"], "long_epochs": long["epochs"], "seeds": seeds,
           "short_acc": mean(short, "test_acc"), "long_acc": mean(long, "test_acc"),
           "short_train": mean(short, "train_acc"), "long_train": mean(long, "train_acc"),
           "short_last3": last3(short), "long_last3": last3(long)}
    row["change"] = row["long_acc"] - row["short_acc"]
    return row


def schedule_effect(recs: Iterable[Mapping]) -> list[dict]:
    """What a longer schedule changes: settings that differ only in ``epochs``, each paired with the shortest budget
    of its kind, over the seeds both ran. Accuracies in percent (means over those seeds).

    One row per (setting, longer budget): ``short_epochs``, ``long_epochs``, ``seeds``, ``short_acc``/``long_acc``
    (test), ``short_train``/``long_train``, ``change`` (pp), ``short_last3``/``long_last3``.
    """
    by_key: dict[tuple, list[records.Setting]] = {}
    for s in records.settings(recs):
        key = (s.method, s.data_source, tuple(sorted((k, repr(v)) for k, v in s.config.items()
                                                     if k not in ("seed", "epochs"))))
        by_key.setdefault(key, []).append(s)
    rows = []
    for group in by_key.values():
        group.sort(key=lambda s: s["epochs"])
        rows += [r for r in (_budget_row(group[0], long) for long in group[1:]) if r is not None]
    rows.sort(key=lambda r: (str(r["profile"]), str(r["mask"]), r["sparsity"], r["long_epochs"],
                             methods.order(r["method"])))
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
            lines.append(f"{methods.label(treatment)} minus {methods.label(baseline)} ({profile}, {mask}, "
                         f"sparsity {sparsity:g}, seeds {list(seeds)}): {t['short_acc'] - b['short_acc']:+.2f} pp "
                         f"after {b['short_epochs']} epochs, {t['long_acc'] - b['long_acc']:+.2f} pp after "
                         f"{b['long_epochs']}")
    return "\n".join(lines)


def panels(rows: Sequence[Mapping], role: str = "main") -> dict[tuple, list[Mapping]]:
    """Summary rows split into panels that can share one figure or table: one (profile, mask, epochs, data
    source), with that panel's dense rows (mask none, same profile, epochs and source) included."""
    keep = [r for r in rows if r["role"] == role]
    keys = sorted({(r["profile"], r["mask"], r["epochs"], r["data_source"]) for r in keep if r["mask"] != "none"},
                  key=str)
    return {k: [r for r in keep if (r["profile"], r["epochs"], r["data_source"]) == (k[0], k[2], k[3])
                and r["mask"] in (k[1], "none")] for k in keys}


def records_of(rows: Iterable[Mapping], recs: Iterable[Mapping]) -> list[Mapping]:
    """The records behind some summary rows (for figure captions)."""
    ids = {i for r in rows for i in r["run_ids"]}
    return [r for r in recs if r["run_id"] in ids]


def tally(rows: Iterable[Mapping], method: str) -> dict[str, int]:
    """How many of ``method``'s gain rows got each reading (gain, loss, borderline, no clear difference, ...)."""
    out: dict[str, int] = {}
    for r in rows:
        if r["method"] == method and r.get("reading"):
            out[r["reading"]] = out.get(r["reading"], 0) + 1
    return out


def sign_flip_lines(rows: Sequence[Mapping], which: Sequence[str] = ("pai", "pai_signin", "pai_wd2x")) -> list[str]:
    """Per panel and sparsity: sign flips summed over training (% of kept weights, mean over seeds) of each method."""
    lines = []
    for (profile, mask, epochs, _), prow in panels(rows).items():
        for sp in sorted({r["sparsity"] for r in prow if r["method"] in which}):
            got = {r["method"]: r for r in prow if r["sparsity"] == sp and r["method"] in which
                   and r["sign_flips_mean"] is not None}
            parts = [f"{methods.label(m)} {got[m]['sign_flips_mean']:.1f}% (n={got[m]['n']})"
                     for m in which if m in got]
            if parts:
                lines.append(f"{profile} profile, {mask} mask, {epochs} epochs, sparsity {sp:g}: " + ", ".join(parts))
    return lines


def convergence_lines(rows: Sequence[Mapping]) -> list[str]:
    """Per panel: the largest movement of test accuracy over the last 3 epochs, and the range of final train
    accuracy."""
    lines = []
    for (profile, mask, epochs, _), prow in panels(rows).items():
        moved = [r for r in prow if r["test_change_last3"] is not None]
        if moved:
            worst = max(moved, key=lambda r: abs(r["test_change_last3"]))
            train = [r["train_acc_mean"] for r in moved]
            lines.append(f"profile {profile}, {mask} mask, {epochs} epochs: test accuracy moved by at most "
                         f"{abs(worst['test_change_last3']):.2f} pp over the last 3 epochs "
                         f"({methods.label(worst['method'])}, {100 * worst['sparsity']:.0f}% sparsity); "
                         f"final training accuracy {min(train):.1f}–{max(train):.1f}%")
    return lines


def headroom(rows: Sequence[Mapping], baseline: str = "pai", treatment: str = "pai_signin") -> list[dict]:
    """Dense minus ``baseline`` (pp) per sparsity, within one setting (profile, depth, epochs, data): the most
    a fix for sparse training from scratch could recover there, with ``treatment``'s gain there (or None).
    Takes :func:`summary_table` rows (main role)."""
    def where(r: Mapping) -> tuple:
        return (r.get("profile"), r.get("depth"), r.get("epochs"), r.get("data_source"), r.get("train_size"))
    dense = {where(r): r for r in rows if r.get("method") == "dense" and r.get("role", "main") == "main"}
    out = []
    for r in rows:
        d = dense.get(where(r))
        if r.get("method") != baseline or r.get("role", "main") != "main" or d is None:
            continue
        gain = next((t["gain"] for t in rows if t["method"] == treatment and t.get("gain_vs") == baseline
                     and where(t) == where(r) and (t["mask"], t["sparsity"]) == (r["mask"], r["sparsity"])), None)
        out.append({"profile": r["profile"], "mask": r["mask"], "epochs": r["epochs"], "sparsity": r["sparsity"],
                    "data_source": r["data_source"], "dense_acc": d["test_acc_mean"], "dense_n": d["n"],
                    "treatment": treatment, "treatment_gain": gain,
                    "baseline": baseline, "baseline_acc": r["test_acc_mean"], "baseline_n": r["n"],
                    "headroom": d["test_acc_mean"] - r["test_acc_mean"]})
    return sorted(out, key=lambda h: (str(h["profile"]), h["epochs"] or 0, str(h["mask"]), h["sparsity"]))


def choose_signin(records: list[dict], sparsity: float, seed: int = 0,
                  epochs: int | None = None) -> tuple[float, float, list[dict]]:
    """Pick Sign-In's (beta, rescale_every) with the best final VALIDATION accuracy among the tuning runs.

    Candidates share one schedule: ``epochs``, or else the epoch budget most of the runs at this sparsity and
    seed use (so a longer convergence-check run is not a candidate). Ties go to the smaller beta, then the
    smaller period. Returns (beta, p, the candidate rows).
    """
    rows = [r for r in records if r["config"]["signin"] and r["config"]["sparsity"] == sparsity
            and r["config"]["seed"] == seed and r["config"]["pruning"] == "init"]
    budgets = Counter(r["config"].get("epochs") for r in rows)
    if epochs is None and budgets:
        epochs = min(budgets, key=lambda e: (-budgets[e], e or 0))
    rows = [r for r in rows if epochs is None or r["config"].get("epochs") == epochs]
    if not rows or any(r["final"].get("val_acc") is None for r in rows):
        raise ValueError(f"no Sign-In tuning runs with a validation split at sparsity {sparsity}, seed {seed}; "
                         "run them with --val-per-class > 0 first")
    best = max(rows, key=lambda r: (r["final"]["val_acc"], -r["config"]["beta"], -r["config"]["rescale_every"]))
    return best["config"]["beta"], best["config"]["rescale_every"], rows
