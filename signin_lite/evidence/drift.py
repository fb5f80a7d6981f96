"""What Sign-In's run records say about its resets, read back for figures and sentences.

Every Sign-In record carries, per epoch, ``history[i]["signin"]`` (:class:`signin_lite.core.signin.ResetDiagnostics`):
m² − w² per layer just before each reset (mean and minimum over kept weights), the same at the epoch's end, the
mean learning-rate multiplier m² + w² = √((m² − w²)² + 4θ²), and the kept weights that crossed zero. This module
turns them into per-epoch curves averaged over seeds::

    from signin_lite.evidence import drift, records
    for s in records.settings(records.load_records("results/cpu_signin/runs")):
        if drift.has_diagnostics(s):
            print(s.method, drift.lowest_imbalance(s))

All imbalances are divided by the run's β, so 1 means "as after a reset" and 0 means the sign freedom is gone.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence

from signin_lite.foundations import methods
from signin_lite.evidence import records


def has_diagnostics(setting: records.Setting) -> bool:
    """True when every run of the setting logged Sign-In diagnostics in every epoch."""
    return all(h.get("signin") for r in setting.records for h in r["history"])


def _check(setting: records.Setting) -> None:
    if not has_diagnostics(setting):
        raise ValueError(f"setting {setting.method} has epochs without Sign-In diagnostics (history[i]['signin']); "
                         "only Sign-In runs written since issue 11 carry them")


def layer_beta(config: Mapping) -> Callable[[str], float]:
    """β of a Sign-In layer by name under ``config``: ``beta_output`` for the classifier (``fc.weight``) when it is
    set, else ``beta``."""
    beta, out = config["beta"], config.get("beta_output")
    return lambda name: out if out and name == "fc.weight" else beta


def epoch_imbalance(entry: Mapping, beta: float | Callable[[str], float]) -> dict[str, float]:
    """(m² − w²)/β of one epoch, where it was lowest: just before the epoch's last reset, else at the epoch's end
    (a run that never resets). ``mean``: the mean over layers of each layer's mean; ``min``: the smallest weight's."""
    d = entry["signin"]
    layers = d["resets"][-1]["imbalance"] if d["resets"] else d["imbalance_end"]
    of = beta if callable(beta) else (lambda name: beta)  # each layer divided by its own β
    return {"mean": statistics.fmean(v["mean"] / of(k) for k, v in layers.items()),
            "min": min(v["min"] / of(k) for k, v in layers.items())}


def curves(setting: records.Setting) -> dict[str, list[float]]:
    """Per epoch, the mean over seeds of: ``imbalance`` and ``imbalance_min`` (:func:`epoch_imbalance`),
    ``lr_multiplier`` (mean m² + w² over all kept weights at the epoch's end), ``zero_crossings`` (kept weights that
    changed sign between resets in the epoch, or since the last reset for the epoch's end)."""
    _check(setting)
    beta = layer_beta(setting.config)
    out: dict[str, list[float]] = {"epoch": [h["epoch"] for h in setting.records[0]["history"]]}
    per_run = []
    for r in setting.records:
        rows = []
        for h in r["history"]:
            imb, d = epoch_imbalance(h, beta), h["signin"]
            crossed = sum(x["zero_crossings"]["_all"] for x in d["resets"])
            crossed += d["zero_crossings_since_reset"]["_all"] if not d["resets"] else 0
            rows.append((imb["mean"], imb["min"], d["lr_multiplier"]["_all"], crossed))
        per_run.append(rows)
    for i, key in enumerate(("imbalance", "imbalance_min", "lr_multiplier", "zero_crossings")):
        out[key] = [statistics.fmean(run[e][i] for run in per_run) for e in range(len(out["epoch"]))]
    return out


def lowest_imbalance(setting: records.Setting) -> dict[str, float]:
    """Over the whole run and all seeds: the lowest per-epoch mean (m² − w²)/β and the lowest single weight's."""
    _check(setting)
    beta = layer_beta(setting.config)
    values = [epoch_imbalance(h, beta) for r in setting.records for h in r["history"]]
    return {"mean": min(v["mean"] for v in values), "min": min(v["min"] for v in values)}


def summary_lines(settings: Sequence[records.Setting]) -> list[str]:
    """One sentence per Sign-In setting: how far m² − w² fell before a reset, and the learning-rate multiplier."""
    lines = []
    for s in settings:
        if not has_diagnostics(s):
            continue
        low, c = lowest_imbalance(s), curves(s)
        when = "before a reset" if s.config["rescale_every"] else "during the run (it never resets)"
        lines.append(f"{methods.label(s.method)} (n={s.n}): lowest (m² − w²)/β {when}: "
                     f"{low['mean']:.3f} averaged over layers, "
                     f"{low['min']:.3f} for the smallest weight; mean learning-rate multiplier m² + w² "
                     f"{min(c['lr_multiplier']):.3f} to {max(c['lr_multiplier']):.3f} over the epochs")
    return lines


# What counts as a reset that does work (issue 21): stated here, read by arms.hypotheses and the regime test's plan.
NEAR_NO_OP = 0.9   # (m² − w²)/β, averaged over layers, never below this before a reset: the resets are near no-ops
WELL_BELOW = 0.8   # ... at or below this before some reset: m² − w² falls well below β between resets
STEP_TOLERANCE = 0.1  # two arms' mean learning-rate multipliers within 10% at every epoch: matched step sizes


def reset_effect(setting: records.Setting) -> str:
    """'near no-op', 'modest' or 'well below β' by :data:`NEAR_NO_OP` and :data:`WELL_BELOW`, from the lowest
    per-epoch mean (m² − w²)/β just before a reset (:func:`lowest_imbalance`) of a Sign-In setting that resets."""
    if not setting.config["rescale_every"]:
        raise ValueError(f"setting {setting.method} never resets; reset_effect reads a setting with resets")
    low = lowest_imbalance(setting)["mean"]
    return "near no-op" if low >= NEAR_NO_OP else ("well below β" if low <= WELL_BELOW else "modest")


def effective_multiplier(setting: records.Setting) -> list[float]:
    """Per epoch, the mean over seeds of the mean learning-rate multiplier over all kept weights at the epoch's end:
    Sign-In's m² + w², times the step-size match's scale where there is one (``history[i]["step_scale"]``,
    :mod:`signin_lite.training.stepmatch`), and 1 for a plain run without one."""
    per_run = []
    for r in setting.records:
        row = []
        for h in r["history"]:
            if h.get("step_scale"):
                row.append(h["step_scale"]["_effective"])
            else:
                row.append(h["signin"]["lr_multiplier"]["_all"] if h.get("signin") else 1.0)
        per_run.append(row)
    return [statistics.fmean(run[e] for run in per_run) for e in range(min(map(len, per_run)))]


def step_ratio(setting: records.Setting, reference: records.Setting) -> tuple[float, float]:
    """The lowest and highest ratio, over the epochs both ran, of the mean learning-rate multiplier of ``setting``
    to that of ``reference`` (:func:`effective_multiplier`; 1, 1 when their step sizes match at every epoch)."""
    ratios = [x / y for x, y in zip(effective_multiplier(setting), effective_multiplier(reference), strict=False)]
    return min(ratios), max(ratios)


def steps_matched(setting: records.Setting, reference: records.Setting) -> bool:
    """True when :func:`step_ratio` stays within :data:`STEP_TOLERANCE` of 1 at every epoch."""
    low, high = step_ratio(setting, reference)
    return low >= 1 - STEP_TOLERANCE and high <= 1 / (1 - STEP_TOLERANCE)
