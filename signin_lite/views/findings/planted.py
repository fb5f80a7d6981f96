"""Chapter 3½'s findings: what the planted ticket's reference record says, in numbers and readings.

Every comparison is paired by seed and read by the statistics layer's rule with Holm's adjustment across the whole
family of :func:`signin_lite.experiments.planted.adjusted` (every planned pair on both metrics, and PaI's sign
fraction at the end against its start). A reading is in the metric's own direction: a gain is more of the teacher's
signs or a lower test loss. Where the unadjusted reading differs, both are given::

    ref = planted.reference("../results/planted", profile="cpu")
    findings.glue_all(planted_findings.values(ref))
    show_table(planted_findings.versus_pai_rows(ref))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from signin_lite.evidence import stats
from signin_lite.experiments import planted
from signin_lite.views import findings

__all__ = ["VERSUS_PAI", "arm_rows", "comparison_rows", "difference", "difference_rows", "reading_text", "same_seeds",
           "values", "versus_pai_rows"]

VERSUS_PAI = ("transplant", "signin", "signin_beta_out", "pai_wd2x_masked")  # the arms the small table compares
_SCALE = {"sign_recovery": 100.0, "test_loss": 1.0}  # sign fractions in percentage points, losses as they are
_UNIT = {"sign_recovery": "pp", "test_loss": ""}
_DIGITS = {"sign_recovery": 1, "test_loss": 3}


def _rows(record: Mapping) -> dict[tuple[str, str, str], dict]:
    return {(r["arm"], r["baseline"], r["metric"]): r for r in planted.adjusted(record)}


def difference(row: Mapping) -> stats.Difference:
    """A row of :func:`planted.adjusted` as a Difference in the units the chapter writes (pp for sign fractions),
    with its Holm-adjusted p."""
    s = _SCALE[row["metric"]]
    d = stats.Difference(row["mean"], row["low"], row["high"], row["p"], None, stats.PAIRED, row["n"], row["n"],
                         p_adjusted=row["p_holm"])
    return dataclasses.replace(d, estimate=s * d.estimate, low=s * d.low, high=s * d.high)


def _reading(row: Mapping, adjusted: bool) -> str:
    """The rule's reading in the metric's direction (for the test loss, lower is the gain)."""
    r = difference(row).reading(adjusted=adjusted)
    if row["metric"] == "test_loss" and r in ("gain", "loss"):
        r = "loss" if r == "gain" else "gain"
    return r


def reading_text(row: Mapping, adjusted: bool = True) -> str:
    """'a clear gain', 'no clear difference', ...: the Holm-adjusted reading worded for readers (or the unadjusted
    one with ``adjusted=False``)."""
    return stats.reading_label(_reading(row, adjusted))


def _with_unadjusted(row: Mapping) -> str:
    """The Holm reading, and the unadjusted one beside it where they differ."""
    holm, raw = reading_text(row), reading_text(row, adjusted=False)
    return holm if holm == raw else f"{holm}; unadjusted: {raw}"


def _interval(row: Mapping) -> str:
    """'+0.1 pp [−0.3, +0.6]' for sign fractions, '−0.106 [−0.121, −0.090]' for the test loss (no unit)."""
    return findings.interval(difference(row), _DIGITS[row["metric"]], _UNIT[row["metric"]])


def versus_pai_rows(record: Mapping) -> list[dict]:
    """The small table: does each arm end with more of the teacher's signs than PaI, and with a lower test loss?
    One row per arm of :data:`VERSUS_PAI` (those the record has): both differences with their intervals and
    Holm readings."""
    rows, out = _rows(record), []
    for arm in VERSUS_PAI:
        signs, loss = rows.get((arm, "pai", "sign_recovery")), rows.get((arm, "pai", "test_loss"))
        if signs is None or loss is None:
            continue
        out.append({"arm − PaI": planted.LABELS[arm],
                     "teacher's signs (pp) [95% interval]": _interval(signs), "signs: reading": _with_unadjusted(signs),
                     "test loss [95% interval]": _interval(loss),
                     "loss: reading (a gain is a lower loss)": _with_unadjusted(loss)})
    return out


def comparison_rows(record: Mapping) -> list[dict]:
    """Every comparison of the Holm family: difference with interval, p and Holm's p, and the readings."""
    return [{"comparison": f"{planted.LABELS[r['arm']]} − "
                           f"{'PaI at the start' if r['baseline'] == 'pai_start' else planted.LABELS[r['baseline']]}",
             "metric": "teacher's signs (pp)" if r["metric"] == "sign_recovery" else "test loss",
             "difference [95% interval]": _interval(r), "p": f"{r['p']:.2g}", "Holm p": f"{r['p_holm']:.2g}",
             "reading (Holm; unadjusted where it differs)": _with_unadjusted(r)} for r in planted.adjusted(record)]


def arm_rows(record: Mapping) -> list[dict]:
    """Each arm's mean over seeds with its Student-t 95% interval: the sign fraction at the start and at the end
    (in %) and the test loss (the interval's lower end clipped at 0: the Student-t interval can reach below it)."""
    def cell(row: Mapping, scale: float, digits: int, floor: float | None = None) -> str:
        low = scale * row["low"] if floor is None else max(floor, scale * row["low"])  # a loss is never negative
        return (f"{findings.percent(scale * row['mean'], digits)} [{findings.percent(low, digits)}, "
                f"{findings.percent(scale * row['high'], digits)}]")

    tables = {m: {r["arm"]: r for r in planted.arm_table(record, m)}
              for m in ("sign_recovery_init", "sign_recovery", "test_loss")}
    return [{"arm": planted.LABELS[arm], "seeds": tables["sign_recovery"][arm]["n"],
             "teacher's signs at the start (%)": cell(tables["sign_recovery_init"][arm], 100, 1),
             "at the end (%)": cell(tables["sign_recovery"][arm], 100, 1),
             "test loss": cell(tables["test_loss"][arm], 1, 3, floor=0.0)} for arm in tables["sign_recovery"]]


def _pair(rows: Mapping, key: str, arm: str, baseline: str, metric: str) -> dict[str, str]:
    """``<key>`` (the interval), ``<key>_reading`` (Holm) and ``<key>_raw`` (unadjusted) for one comparison."""
    row = rows[(arm, baseline, metric)]
    return {key: _interval(row), f"{key}_reading": reading_text(row),
            f"{key}_raw": reading_text(row, adjusted=False)}


def values(record: Mapping) -> dict[str, str]:
    """Every number and reading chapter 3½'s "What we found" uses, keyed ``ch35_*``."""
    c, rows = record["config"], _rows(record)
    means = {m: {r["arm"]: r["mean"] for r in planted.arm_table(record, m)}
             for m in ("sign_recovery_init", "sign_recovery", "test_loss")}
    usual = planted.PROFILES["usual"]["weight_decay"]
    out = {
        "ch35_seeds": str(c["seeds"]),
        "ch35_steps": f"{c['steps']:,}",
        "ch35_wd": f"{c['weight_decay']:g}",
        "ch35_wd_usual": f"{usual:g}",
        "ch35_wd_ratio": f"{c['weight_decay'] / usual:.0f}",
        "ch35_family": str(len(rows)),
        "ch35_start_signs": findings.percent(100 * means["sign_recovery_init"]["pai"]),
        "ch35_pai_signs": findings.percent(100 * means["sign_recovery"]["pai"]),
        "ch35_signin_signs": findings.percent(100 * means["sign_recovery"]["signin"]),
        "ch35_transplant_signs": findings.percent(100 * means["sign_recovery"]["transplant"]),
        "ch35_transplant_lost": findings.percent(100 * (1 - means["sign_recovery"]["transplant"])),
        "ch35_pai_loss": f"{means['test_loss']['pai']:.3f}",
        "ch35_transplant_loss": f"{means['test_loss']['transplant']:.3f}",
        "ch35_loss_ratio": f"{means['test_loss']['pai'] / means['test_loss']['transplant']:.1f}",
    }
    for key, arm, baseline, metric in (
            ("ch35_transplant_loss_diff", "transplant", "pai", "test_loss"),
            ("ch35_pai_gain", "pai", "pai_start", "sign_recovery"),
            ("ch35_signin_signs_diff", "signin", "pai", "sign_recovery"),
            ("ch35_signin_ctrl_signs", "signin", "pai_wd2x_masked", "sign_recovery"),
            ("ch35_betaout_signs_diff", "signin_beta_out", "pai", "sign_recovery"),
            ("ch35_betaout_signin_signs", "signin_beta_out", "signin", "sign_recovery"),
            ("ch35_signin_loss_diff", "signin", "pai", "test_loss"),
            ("ch35_signin_ctrl_loss", "signin", "pai_wd2x_masked", "test_loss"),
            ("ch35_betaout_loss_diff", "signin_beta_out", "pai", "test_loss"),
            ("ch35_betaout_ctrl_loss", "signin_beta_out", "pai_wd2x_masked", "test_loss")):
        out.update(_pair(rows, key, arm, baseline, metric))
    return out


def same_seeds(live: Mapping, record: Mapping) -> list[dict]:
    """Per arm of a live run: how far its seeds' results lie from the same seeds in ``record`` (the largest absolute
    per-seed difference), for the sign fraction (pp) and the test loss: a rerun's check against the reference."""
    rows = []
    for arm in live["config"]["arms"]:
        seeds = {r["seed"] for r in live["runs"] if r["arm"] == arm}
        both = {r["seed"]: r for r in record["runs"] if r["arm"] == arm and r["seed"] in seeds}
        mine = [r for r in live["runs"] if r["arm"] == arm and r["seed"] in both]
        if not mine:
            continue
        rows.append({"arm": planted.LABELS[arm], "seeds compared": len(mine),
                     "largest difference in teacher's signs (pp)":
                         f"{max(100 * abs(r['sign_recovery'] - both[r['seed']]['sign_recovery']) for r in mine):.2f}",
                     "largest difference in test loss":
                         f"{max(abs(r['test_loss'] - both[r['seed']]['test_loss']) for r in mine):.2g}"})
    return rows


def difference_rows(runs: Mapping[object, Mapping], arm: str, baseline: str,
                    metrics: tuple[str, ...] = ("sign_recovery", "test_loss"), setting: str = "setting") -> list[dict]:
    """``arm - baseline`` paired by seed in each of several runs (``runs`` maps a setting's name to its record), per
    metric: the difference with its interval and this comparison's own reading (no adjustment: a few exercises'
    runs, not a planned family)."""
    rows = []
    for name, record in runs.items():
        for metric in metrics:
            d = planted.paired_difference(record, arm, baseline, metric)
            row = {"arm": arm, "baseline": baseline, "metric": metric, "n": d["n"], "mean": d["mean"],
                   "low": d["low"], "high": d["high"], "p": d["p"], "p_holm": d["p"]}
            rows.append({setting: str(name), "metric": "teacher's signs (pp)" if metric == "sign_recovery"
                         else "test loss", f"{arm} − {baseline} [95% interval]": _interval(row),
                         "reading (alone)": reading_text(row, adjusted=False)})
    return rows


def values_usual(record: Mapping) -> dict[str, str]:
    """The same values for the record at the usual weight decay (issue 21), keyed ``ch35u_*``, with what that record
    adds: β_out against the same larger output step without β_out, and the resets on the test loss."""
    rows = _rows(record)
    out = {"ch35u_" + k.removeprefix("ch35_"): v for k, v in values(record).items()}
    for key, arm, baseline in (("ch35u_betaout_step_loss", "signin_beta_out", "signin_step_out"),
                               ("ch35u_reset_loss", "signin", "signin_noreset")):
        if (arm, baseline, "test_loss") in rows:
            out.update(_pair(rows, key, arm, baseline, "test_loss"))
    return out

